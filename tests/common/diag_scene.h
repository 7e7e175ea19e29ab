/*
 * diag_scene.h: the scene of the sock_diag tests (test_sock_diag.c,
 * test_sock_diag_access.c), built once per test program, as root: two
 * named namespaces (ip netns add), each with a process holding a TCP
 * listener with backlog 77, an IPv6-only listener on [::], a listener
 * bound to the device lo (SO_BINDTODEVICE), an established connection
 * with 1000 unread bytes and keepalive on, a UDP socket with a datagram
 * unread and its connected sender, a unix socketpair, a named unix
 * listener with a client, and a packet socket bound to a veth device of
 * that namespace only (its index is another device's elsewhere) with a
 * TPACKET_V3 receive ring, a fanout group and a BPF filter. Plus the small
 * tools those tests share.
 */
#ifndef PN_DIAG_SCENE_H
#define PN_DIAG_SCENE_H

#include <sys/types.h>

#define NSCENES 2
#define PORT_BACKLOG 7001 /* backlog 77; the established pair is on it */
#define PORT_V6ONLY 7002
#define PORT_BOUND 7003
#define PORT_UDP 7004 /* a bound socket with a datagram unread, its sender */
#define UNREAD 1000
#define PACKET_PROTO 0x88b5 /* an ethertype nothing sends: Recv-Q stays 0 */
#define FANOUT_ID(i) (20 + (i))

typedef struct pn_diag_scene {
  int ready;
  char dir[64];               /* the unix sockets' directory */
  char name[NSCENES][64];     /* ip netns names */
  char ifname[NSCENES][16];   /* the packet socket's device in each */
  long long netns[NSCENES];
  pid_t pid[NSCENES];
  long long own_netns;
} pn_diag_scene;
/* The scene, once pn_ds_setup has run (DS.ready: it was built). */
extern pn_diag_scene DS;

/* cmocka group setup and teardown: build the scene (or leave DS.ready 0,
 * with a message, where it cannot be: not root, no ip or ss), drop it. */
int pn_ds_setup(void **state);
int pn_ds_teardown(void **state);
/* A test's teardown: every thread of this process is in the namespace it
 * started in. */
int pn_ds_threads_home(void **state);

#define NEED_SCENE()                                                          \
  do {                                                                        \
    if (!DS.ready) skip();                                                    \
  } while (0)

/* The inode of a path, or -1. */
long long pn_ds_inode_of(const char *path);
/* Runs a shell command: its exit status, or -1. */
int pn_ds_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The whole output of a shell command, NUL-terminated (free it). */
char *pn_ds_output_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For a scene's process: v, or a message and _exit(1) when it is < 0. */
int pn_ds_must(int v, const char *what);
/* Brings lo up in the caller's namespace. */
void pn_ds_bring_lo_up(void);
/* A TCP listener on the wildcard (or loopback for IPv4 without a device)
 * address and port, bound to device when not NULL, IPv6-only if v6only. */
int pn_ds_tcp_listener(int family, int port, int backlog, const char *device, int v6only);
/* Fails unless every thread of this process is in namespace ns. */
void pn_ds_assert_threads_in(long long ns);

#endif
