/*
 * diag_scene.c: the sock_diag tests' scene and tools; see diag_scene.h.
 */
#include "diag_scene.h"
#include "pn_test.h"


#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>

pn_diag_scene DS;

/* ---- small tools ------------------------------------------------------------ */

long long pn_ds_inode_of(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long long)sb.st_ino : -1;
}

int pn_ds_run(const char *fmt, ...) {
  char cmd[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

char *pn_ds_output_of(const char *fmt, ...) {
  char cmd[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  if (!p) fail_msg("popen %s: %s", cmd, strerror(errno));
  size_t n = 0, cap = 4096;
  char *s = malloc(cap);
  size_t got;
  while (s && (got = fread(s + n, 1, cap - n - 1, p)) > 0) {
    n += got;
    if (cap - n < 2) s = realloc(s, cap *= 2);
  }
  pclose(p);
  if (!s) fail_msg("out of memory");
  s[n] = '\0';
  return s;
}

void pn_ds_assert_threads_in(long long ns) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  assert_non_null(d);
  int n = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[300];
    snprintf(path, sizeof path, "/proc/self/task/%s/ns/net", e->d_name);
    long long ino = pn_ds_inode_of(path);
    if (ino >= 0 && ino != ns)
      fail_msg("thread %s is in namespace %lld, not %lld", e->d_name, ino, ns);
    n++;
  }
  closedir(d);
  assert_true(n >= 1);
}

/* ---- the scene --------------------------------------------------------------- */

int pn_ds_must(int v, const char *what) {
  if (v < 0) {
    fprintf(stderr, "scene: %s: %s\n", what, strerror(errno));
    _exit(1);
  }
  return v;
}

int pn_ds_tcp_listener(int family, int port, int backlog, const char *device,
                        int v6only) {
  int fd = pn_ds_must(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  int one = 1;
  pn_ds_must(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), "reuseaddr");
  if (device)
    pn_ds_must(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device)),
         "bindtodevice");
  if (v6only) pn_ds_must(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), "v6only");
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    a->sin6_addr = in6addr_any;
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(device ? INADDR_ANY : INADDR_LOOPBACK);
    len = sizeof *a;
  }
  pn_ds_must(bind(fd, (struct sockaddr *)&ss, len), "bind");
  pn_ds_must(listen(fd, backlog), "listen");
  return fd;
}

void pn_ds_bring_lo_up(void) {
  int fd = pn_ds_must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  pn_ds_must(ioctl(fd, SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP;
  pn_ds_must(ioctl(fd, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS");
  close(fd);
}

static void unix_scene(const char *path) {
  int pair[2];
  pn_ds_must(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), "socketpair");
  int l = pn_ds_must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
  struct sockaddr_un u;
  memset(&u, 0, sizeof u);
  u.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof u.sun_path) _exit(1);
  memcpy(u.sun_path, path, strlen(path));
  pn_ds_must(bind(l, (struct sockaddr *)&u, sizeof u), "unix bind");
  pn_ds_must(listen(l, 3), "unix listen");
  int c = pn_ds_must(socket(AF_UNIX, SOCK_STREAM, 0), "unix client");
  pn_ds_must(connect(c, (struct sockaddr *)&u, sizeof u), "unix connect");
  pn_ds_must(accept(l, NULL, NULL), "unix accept");
}

/* A packet socket on device ifname (of the caller's namespace): a
 * TPACKET_V3 receive ring, fanout group `fanout` (lb), a classic BPF
 * filter ("ld len; ret #65535"). */
static void packet_scene(const char *ifname, int fanout) {
  struct sock_filter prog[] = {{BPF_LD | BPF_W | BPF_LEN, 0, 0, 0},
                               {BPF_RET | BPF_K, 0, 0, 0xffff}};
  struct sock_fprog fprog = {2, prog};
  struct tpacket_req3 ring = {1 << 16, 2, 2048, 64, 60, 0, 0};
  int v3 = TPACKET_V3, group = fanout | PACKET_FANOUT_LB << 16;
  struct sockaddr_ll dev = {.sll_family = AF_PACKET, .sll_protocol = htons(PACKET_PROTO),
                            .sll_ifindex = (int)if_nametoindex(ifname)};
  int p = pn_ds_must(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(PACKET_PROTO)), "packet");
  pn_ds_must(bind(p, (struct sockaddr *)&dev, sizeof dev), "packet bind");
  pn_ds_must(setsockopt(p, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog), "filter");
  pn_ds_must(setsockopt(p, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3), "version");
  pn_ds_must(setsockopt(p, SOL_PACKET, PACKET_RX_RING, &ring, sizeof ring), "ring");
  pn_ds_must(setsockopt(p, SOL_PACKET, PACKET_FANOUT, &group, sizeof group), "fanout");
}

/* The scene's process: enters namespace `name`, makes every socket, says
 * so on `ready` and waits to be killed. */
static void scene(int i, int ready) {
  const char *name = DS.name[i];
  char path[128];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int ns = pn_ds_must(open(path, O_RDONLY | O_CLOEXEC), "open netns");
  pn_ds_must(setns(ns, CLONE_NEWNET), "setns");
  pn_ds_bring_lo_up();
  int l = pn_ds_tcp_listener(AF_INET, PORT_BACKLOG, 77, NULL, 0);
  pn_ds_tcp_listener(AF_INET6, PORT_V6ONLY, 5, NULL, 1);
  pn_ds_tcp_listener(AF_INET, PORT_BOUND, 5, "lo", 0);
  int c = pn_ds_must(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "client");
  int one = 1;
  pn_ds_must(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), "keepalive");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT_BACKLOG)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pn_ds_must(connect(c, (struct sockaddr *)&a, sizeof a), "connect");
  pn_ds_must(accept(l, NULL, NULL), "accept");
  char data[UNREAD];
  memset(data, 'x', sizeof data);
  pn_ds_must((int)write(c, data, sizeof data), "write");
  int u = pn_ds_must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "udp");
  struct sockaddr_in ua = {.sin_family = AF_INET, .sin_port = htons(PORT_UDP)};
  ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pn_ds_must(bind(u, (struct sockaddr *)&ua, sizeof ua), "udp bind");
  int uc = pn_ds_must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "udp client");
  pn_ds_must(connect(uc, (struct sockaddr *)&ua, sizeof ua), "udp connect");
  pn_ds_must((int)write(uc, data, 100), "udp write");
  snprintf(path, sizeof path, "%s/%s.sock", DS.dir, name);
  unix_scene(path);
  packet_scene(DS.ifname[i], FANOUT_ID(i));
  pn_ds_must((int)write(ready, "OK", 2), "ready");
  for (;;) pause();
}

int pn_ds_setup(void **state) {
  (void)state;
  memset(&DS, 0, sizeof DS);
  DS.own_netns = pn_ds_inode_of("/proc/thread-self/ns/net");
  if (geteuid() != 0 || pn_ds_run("command -v ip >/dev/null && command -v ss >/dev/null") != 0) {
    print_message("skipping: needs root, ip and ss\n");
    return 0;
  }
  snprintf(DS.dir, sizeof DS.dir, "/tmp/pn_sd.XXXXXX");
  if (!mkdtemp(DS.dir)) return -1;
  for (int i = 0; i < NSCENES; i++) {
    snprintf(DS.name[i], sizeof DS.name[i], "pn_sd_%d_%d", (int)getpid(), i);
    if (pn_ds_run("ip netns add %s", DS.name[i]) != 0) {
      print_message("skipping: ip netns add failed\n");
      return 0;
    }
    char path[128];
    snprintf(path, sizeof path, "/run/netns/%s", DS.name[i]);
    DS.netns[i] = pn_ds_inode_of(path);
    /* a device of this namespace alone, for the packet socket (lo where
     * the kernel has no veth) */
    snprintf(DS.ifname[i], sizeof DS.ifname[i], "pnsd%d", i);
    if (pn_ds_run("ip -n %s link add %s type veth peer name pnsdp%d 2>/dev/null", DS.name[i],
            DS.ifname[i], i) != 0 ||
        pn_ds_run("ip -n %s link set %s up", DS.name[i], DS.ifname[i]) != 0) {
      print_message("no veth device: the packet socket is on lo\n");
      snprintf(DS.ifname[i], sizeof DS.ifname[i], "lo");
    }
    int p[2];
    if (pipe(p) != 0) return -1;
    DS.pid[i] = fork();
    if (DS.pid[i] < 0) return -1;
    if (DS.pid[i] == 0) {
      close(p[0]);
      scene(i, p[1]);
    }
    close(p[1]);
    char ok[3] = {0};
    if (read(p[0], ok, 2) != 2 || strcmp(ok, "OK") != 0) return -1;
    close(p[0]);
  }
  DS.ready = 1;
  return 0;
}

int pn_ds_teardown(void **state) {
  (void)state;
  for (int i = 0; i < NSCENES; i++) {
    if (DS.pid[i] > 0) {
      kill(DS.pid[i], SIGKILL);
      waitpid(DS.pid[i], NULL, 0);
    }
    if (DS.name[i][0]) pn_ds_run("ip netns del %s 2>/dev/null", DS.name[i]);
  }
  if (DS.dir[0]) pn_ds_run("rm -rf %s", DS.dir);
  return 0;
}

int pn_ds_threads_home(void **state) {
  (void)state;
  pn_ds_assert_threads_in(DS.own_netns);
  return 0;
}

#define NEED_SCENE()                                                          \
  do {                                                                        \
    if (!DS.ready) skip();                                                     \
  } while (0)
