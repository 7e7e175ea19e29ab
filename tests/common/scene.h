/*
 * scene.h: a small host with containers, for the tests of who talks to
 * whom (test_connections, test_graph). As root it builds:
 *
 *   network namespaces (ip netns add) "host", "web" and "client", the
 *   two containers joined to the host by veth pairs:
 *       web     10.231.1.2/24 (eth0) -- 10.231.1.1 host (veth[0])
 *       client  10.231.2.2/24 (eth0) -- 10.231.2.1 host (veth[1])
 *   forwarding on in "host", and an nftables DNAT there: tcp port 9090
 *   of the host leads to web's 8080 (a published port);
 *
 *   processes (each named by its comm):
 *       pn-web      in web: TCP listener 0.0.0.0:8080 with the two
 *                   connections below accepted, a listener on
 *                   127.0.0.1:8081, a UDP socket bound to 0.0.0.0:5353
 *       pn-client   in client: TCP to 10.231.1.2:8080 (routed) and to
 *                   10.231.2.1:9090 (through the DNAT), connected UDP to
 *                   10.231.1.2:5353
 *       pn-lsrv, pn-lcli   in the test's own namespace: a loopback
 *                   listener, and a connection to it from another process
 *       pn-upar, pn-uchild a unix socketpair split across a fork
 *       pn-pw, pn-pr       a pipe: pn-pw holds the write end, pn-pr the read
 *       docker-proxy       in the test's own namespace, with docker-proxy's
 *                   arguments (-host-port PROXY_PORT -container-ip
 *                   10.231.1.2 -container-port 8080) and a listener on
 *                   0.0.0.0:PROXY_PORT
 *       pn-sleeper  in "host": nothing but a process there (so that its
 *                   net/ files can be read)
 *
 *   where cgroup v2 can be written, the containers' identities: pn-web in
 *   docker-<WEB_ID>.scope, pn-client in libpod-<CLIENT_ID>.scope, pn-lsrv
 *   in pn-test.service; and a host root (host_root) holding docker's
 *   config.v2.json naming WEB_ID "web" and podman's containers.json
 *   naming CLIENT_ID "client".
 *
 * Everything is removed by pn_scene_drop, and leftovers of a run that
 * died (namespaces and cgroups named after a pid no longer alive) by the
 * next pn_scene_build.
 */
#ifndef PN_SCENE_H
#define PN_SCENE_H

#include <sys/types.h>

enum {
  PN_SC_WEB, PN_SC_CLIENT, PN_SC_LSRV, PN_SC_LCLI, PN_SC_UPAR, PN_SC_UCHILD,
  PN_SC_PW, PN_SC_PR, PN_SC_PROXY, PN_SC_SLEEPER, PN_SC_N
};

typedef struct pn_scene {
  char tag[32];              /* pnconn<pid>: namespaces, cgroups, files */
  char ns[3][48];            /* ip netns names: host, web, client */
  long long netns[3];        /* their inodes */
  char veth[2][16];          /* the host's ends of the veth pairs to web
                                and client */
  long long netns_self;      /* the test's own */
  pid_t pid[PN_SC_N];
  int proxy_port, loop_port;
  int containers;            /* 1 when the cgroups and host root are there */
  char cgroup_dir[320];      /* the scene's cgroup directory, or "" */
  char host_root[128];
  char web_id[65], client_id[65];
  int built;                 /* pn_scene_build succeeded */
} pn_scene;

enum { PN_SC_HOST_NS, PN_SC_WEB_NS, PN_SC_CLIENT_NS };

/* Builds the scene: 0 (s->built), or -1 when it cannot be (not root, no
 * ip or nft: the reason printed, and that the tests needing it skip);
 * what was made is then dropped. self: the path the test binary was
 * started with (argv[0]), run again as docker-proxy. */
int pn_scene_build(pn_scene *s, const char *self);
/* Drops what was made (harmless after a failed build, which dropped its
 * own). */
void pn_scene_drop(pn_scene *s);
/* In a cmocka test: skips it when the scene was not built. */
#define PN_NEED_SCENE(s)                                                       \
  do {                                                                         \
    if (!(s)->built) skip();                                                   \
  } while (0)

/* Call first in main(): when the binary was started as the scene's
 * docker-proxy, listens on its -host-port, says so and waits to be killed
 * (never returns); otherwise returns at once. */
void pn_scene_proxy_main(int argc, char **argv);

#endif
