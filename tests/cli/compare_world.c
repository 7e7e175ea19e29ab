/*
 * compare_world.c: the workload test_compare lists with both procnet and
 * the real tools, built in the namespaces of the test's own (a new
 * network, pid and mount namespace), so that nothing else shows.
 *
 * Process A (cwd DIR) holds:
 *   tcp   127.0.0.1:41001 listening, two connections to it (one with a
 *         3-hour keepalive), and a TIME-WAIT left by a third;
 *         [::]:41002 dual stack listening, connections to it from ::1 and
 *         from 127.0.0.1 (v4-mapped); [::]:41003 IPv6-only listening;
 *   udp   0.0.0.0:41004, 127.0.0.1:41005 connected to it, [::1]:41006;
 *   raw   an ICMP socket;  packet  an ETH_P_ALL socket and one with a
 *         receive ring, a fanout group and a filter (when allowed);
 *   unix  a stream listener at "DIR/un sock" (a blank in the path) with a
 *         connection, a datagram socket at DIR/dg, an abstract listener
 *         @pn-cmp-PID;  netlink  a NETLINK_ROUTE socket;
 *   files DIR/data.log open for writing, DIR/ro.txt for reading (linked
 *         twice: ro.txt and ro-link.txt),
 *         DIR/mapped.bin mapped (DIR/unused.txt exists, open nowhere);
 *   tree  DIR/tree and DIR/tree/deep open, tree/a.txt, tree/deep/b.txt
 *         open, a unix socket bound at tree/s.sock;
 *   a thread named CMP_THREAD_NAME, parked, sharing all of that: lsof's
 *         task rows (TID, TASKCMD) repeat A's rows for it.
 * Process B, A's child, holds the 41001 listener too (two holders) and
 * files on the tmpfs mounted at DIR/mnt, its cwd: held.txt, and gone.log,
 * unlinked (lsof +L1).
 * Process C, A's child too, holds the other ends of what A holds for
 * lsof's +E and -E (tests/common/ends_scene.h): a pipe, a pty, an eventfd,
 * a socketpair, a unix connection to DIR/ends.sock and a TCP one to
 * 127.0.0.1:41007 (both accepted), connected UDP sockets (41008, 41009);
 * A has one more connection to DIR/ends.sock, never accepted.
 * Every listener's backlog is CMP_BACKLOG.
 */
#include "cli_run.h"
#include "compare.h"
#include "ends_scene.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/filter.h>
#include <linux/if_packet.h>

static struct sockaddr_in v4(const char *addr, int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, addr, &a.sin_addr);
  return a;
}

static struct sockaddr_in6 v6(const char *addr, int port) {
  struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
  inet_pton(AF_INET6, addr, &a.sin6_addr);
  return a;
}

#define SA(x) ((struct sockaddr *)&(x))

static int tcp_listen4(void) {
  struct sockaddr_in a = v4("127.0.0.1", CMP_TCP4);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0 || bind(s, SA(a), sizeof a) != 0 || listen(s, CMP_BACKLOG) != 0) return -1;
  return s;
}

static int tcp_listen6(int port, int v6only) {
  struct sockaddr_in6 a = v6("::", port);
  int s = socket(AF_INET6, SOCK_STREAM, 0);
  if (s < 0 || setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0 ||
      bind(s, SA(a), sizeof a) != 0 || listen(s, CMP_BACKLOG) != 0)
    return -1;
  return s;
}

/* A connection to a listener: the client end; *server gets the accepted one. */
static int tcp_pair(int listener, int family, const char *addr, int port, int *server) {
  int c = socket(family, SOCK_STREAM, 0), rc;
  if (family == AF_INET) {
    struct sockaddr_in a = v4(addr, port);
    rc = connect(c, SA(a), sizeof a);
  } else {
    struct sockaddr_in6 a = v6(addr, port);
    rc = connect(c, SA(a), sizeof a);
  }
  if (c < 0 || rc != 0 || (*server = accept(listener, NULL, NULL)) < 0) return -1;
  return c;
}

/* The client closes first and the server after it: the client's socket
 * is left in TIME-WAIT. */
static int time_wait(int listener) {
  int server, c = tcp_pair(listener, AF_INET, "127.0.0.1", CMP_TCP4, &server);
  char b;
  if (c < 0 || close(c) != 0 || read(server, &b, 1) != 0) return -1;
  return close(server);
}

static int keepalive(int s) {
  int on = 1, idle = 3 * 3600;
  return setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) == 0 &&
                 setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0
             ? 0
             : -1;
}

static int tcp_sockets(int l4) {
  int s1, s2, s3, s4;
  int l6 = tcp_listen6(CMP_TCP6, 0), l6only = tcp_listen6(CMP_TCP6ONLY, 1);
  int c1 = tcp_pair(l4, AF_INET, "127.0.0.1", CMP_TCP4, &s1);
  int c2 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = v4("127.0.0.1", CMP_TCP4);
  if (c2 < 0 || keepalive(c2) != 0 || connect(c2, SA(a), sizeof a) != 0 ||
      (s2 = accept(l4, NULL, NULL)) < 0)
    return -1;
  int c3 = tcp_pair(l6, AF_INET6, "::1", CMP_TCP6, &s3);
  int c4 = tcp_pair(l6, AF_INET, "127.0.0.1", CMP_TCP6, &s4);
  return l6 < 0 || l6only < 0 || c1 < 0 || c3 < 0 || c4 < 0 ? -1 : time_wait(l4);
}

static int udp_sockets(void) {
  struct sockaddr_in a = v4("0.0.0.0", CMP_UDP4), b = v4("127.0.0.1", CMP_UDP4C),
                     to = v4("127.0.0.1", CMP_UDP4);
  struct sockaddr_in6 c = v6("::1", CMP_UDP6);
  int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0),
      u3 = socket(AF_INET6, SOCK_DGRAM, 0);
  if (u1 < 0 || u2 < 0 || u3 < 0 || bind(u1, SA(a), sizeof a) != 0 ||
      bind(u2, SA(b), sizeof b) != 0 || connect(u2, SA(to), sizeof to) != 0 ||
      bind(u3, SA(c), sizeof c) != 0)
    return -1;
  return socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0 ? -1 : 0;
}

static int unix_bind(int type, const char *path, size_t len) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path, path, len);
  int s = socket(AF_UNIX, type, 0);
  if (s < 0 || bind(s, SA(a), (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) != 0)
    return -1;
  return s;
}

static int unix_sockets(const char *dir) {
  char path[108];
  snprintf(path, sizeof path, "%s/un sock", dir);
  int l = unix_bind(SOCK_STREAM, path, strlen(path) + 1);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path, path, strlen(path) + 1);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || listen(l, CMP_BACKLOG) != 0 || c < 0 || connect(c, SA(a), sizeof a) != 0 ||
      accept(l, NULL, NULL) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/dg", dir);
  if (unix_bind(SOCK_DGRAM, path, strlen(path) + 1) < 0) return -1;
  int n = snprintf(path, sizeof path, "%cpn-cmp-%d", '\0', (int)getpid());
  int abs = unix_bind(SOCK_STREAM, path, (size_t)n);
  return abs < 0 || listen(abs, CMP_BACKLOG) != 0 ? -1 : 0;
}

/* A packet socket with what ss -e, -m and -b print of one: bound to lo
 * for an ethertype nothing sends (its Recv-Q stays 0), TPACKET_V3 with a
 * receive ring, in fanout group 7 (hash), with a classic BPF filter
 * ("ld len; ret #65535"). Best effort, as the other packet socket. */
static void packet_ring(void) {
  struct sock_filter prog[] = {{BPF_LD | BPF_W | BPF_LEN, 0, 0, 0},
                               {BPF_RET | BPF_K, 0, 0, 0xffff}};
  struct sock_fprog fprog = {2, prog};
  struct tpacket_req3 ring = {1 << 16, 2, 2048, 64, 60, 0, 0};
  int v3 = TPACKET_V3, fanout = 7 | PACKET_FANOUT_HASH << 16;
  struct sockaddr_ll lo = {.sll_family = AF_PACKET, .sll_protocol = htons(0x88b5),
                           .sll_ifindex = (int)if_nametoindex("lo")};
  int p = socket(AF_PACKET, SOCK_DGRAM, htons(0x88b5));
  if (p < 0 || bind(p, SA(lo), sizeof lo) != 0) return;
  setsockopt(p, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog);
  setsockopt(p, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3);
  setsockopt(p, SOL_PACKET, PACKET_RX_RING, &ring, sizeof ring);
  setsockopt(p, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof fanout);
}

/* Netlink and packet sockets; the netlink port id into *portid. */
static int other_sockets(unsigned *portid) {
  struct sockaddr_nl a = {.nl_family = AF_NETLINK};
  socklen_t len = sizeof a;
  int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  if (nl < 0 || bind(nl, SA(a), sizeof a) != 0 || getsockname(nl, SA(a), &len) != 0) return -1;
  *portid = a.nl_pid;
  socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)); /* where the kernel allows it */
  packet_ring();
  return 0;
}

/* DIR/tree for lsof's +d and +D: tree/a.txt, tree/deep (a directory) and
 * tree/deep/b.txt open, a unix socket bound at tree/s.sock; every entry
 * of it open somewhere, so that lsof finds each. */
static int tree(const char *dir) {
  char path[128];
  snprintf(path, sizeof path, "%s/tree", dir);
  if (mkdir(path, 0755) != 0 || open(path, O_RDONLY | O_DIRECTORY) < 0) return -1;
  snprintf(path, sizeof path, "%s/tree/deep", dir);
  if (mkdir(path, 0755) != 0 || open(path, O_RDONLY | O_DIRECTORY) < 0) return -1;
  const char *const files[] = {"tree/a.txt", "tree/deep/b.txt"};
  for (size_t i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    if (open(path, O_RDWR | O_CREAT, 0644) < 0) return -1;
  }
  snprintf(path, sizeof path, "%s/tree/s.sock", dir);
  return unix_bind(SOCK_STREAM, path, strlen(path) + 1) < 0 ? -1 : 0;
}

static int files(const char *dir) {
  char path[128];
  snprintf(path, sizeof path, "%s/unused.txt", dir);
  int unused = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (unused < 0 || close(unused) != 0) return -1;
  snprintf(path, sizeof path, "%s/data.log", dir);
  if (open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) < 0) return -1;
  snprintf(path, sizeof path, "%s/ro.txt", dir);
  int ro = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (ro < 0 || close(ro) != 0 || open(path, O_RDONLY) < 0) return -1;
  char link_path[128];
  snprintf(link_path, sizeof link_path, "%s/ro-link.txt", dir);
  if (link(path, link_path) != 0) return -1;
  snprintf(path, sizeof path, "%s/mapped.bin", dir);
  int m = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (m < 0 || ftruncate(m, 4096) != 0 ||
      mmap(NULL, 4096, PROT_READ, MAP_SHARED, m, 0) == MAP_FAILED)
    return -1;
  return close(m);
}

/* Process B: the listener l4 and a file on the tmpfs, cwd there; says
 * so on `ready`. */
static void second_holder(const char *dir, int l4, int ready) {
  char path[128];
  const int keep[] = {l4, ready};
  snprintf(path, sizeof path, "%s/mnt", dir);
  pn_close_all_but(keep, 2);
  if (chdir(path) != 0 || open("held.txt", O_RDWR | O_CREAT, 0644) < 0 ||
      open("gone.log", O_WRONLY | O_CREAT, 0644) < 0 || unlink("gone.log") != 0)
    _exit(3);
  if (write(ready, "b", 1) != 1) _exit(4);
  close(ready);
  for (;;) pause();
}

static void *parked(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

/* A's thread, made last: it shares every file A opened. */
static int thread(void) {
  pthread_t t;
  return pthread_create(&t, NULL, parked, NULL) != 0 ||
                 pthread_setname_np(t, CMP_THREAD_NAME) != 0
             ? -1
             : 0;
}

/* Process A. */
static void holder(cmp_world *w, int ready) {
  /* what the test inherited (its runner's pipes) is none of the workload's:
   * lsof +E would name the tools holding it too */
  pn_close_all_but(&ready, 1);
  int null = open("/dev/null", O_RDWR);
  if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(2);
  close(null);
  int l4 = tcp_listen4(), bready[2];
  if (l4 < 0 || chdir(w->dir) != 0 || pipe(bready) != 0) _exit(3);
  pid_t b = fork();
  if (b == 0) second_holder(w->dir, l4, bready[1]);
  char c;
  close(bready[1]);
  /* B is set up before A opens anything else: it holds nothing more. */
  if (b < 0 || read(bready[0], &c, 1) != 1 || close(bready[0]) != 0) _exit(4);
  unsigned portid = 0;
  pid_t ends_pid = 0;
  if (tcp_sockets(l4) != 0 || udp_sockets() != 0 || unix_sockets(w->dir) != 0 ||
      other_sockets(&portid) != 0 || files(w->dir) != 0 || tree(w->dir) != 0 ||
      pn_ends_start(w->dir, CMP_TCP_ENDS, CMP_UDP_ENDS, CMP_BACKLOG, &ends_pid) != 0 || thread() != 0)
    _exit(5);
  int report[3] = {(int)b, (int)portid, (int)ends_pid};
  if (write(ready, report, sizeof report) != sizeof report) _exit(6);
  close(ready);
  for (;;) pause();
}

int cmp_world_start(cmp_world *w) {
  memset(w, 0, sizeof *w);
  strcpy(w->dir, "/tmp/pn-cmp-XXXXXX");
  char mnt[96];
  if (!mkdtemp(w->dir) || lo_up() != 0) return -1;
  snprintf(mnt, sizeof mnt, "%s/mnt", w->dir);
  if (mkdir(mnt, 0755) != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0) return -1;
  int pipefd[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, pipefd) != 0) return -1;
  fflush(NULL);
  w->pid = fork();
  if (w->pid == 0) {
    close(pipefd[0]);
    holder(w, pipefd[1]);
  }
  close(pipefd[1]);
  int report[3];
  ssize_t n = w->pid > 0 ? read(pipefd[0], report, sizeof report) : -1;
  close(pipefd[0]);
  if (n != sizeof report) return -1;
  w->pid2 = report[0];
  w->portid = (unsigned)report[1];
  w->pid3 = report[2];
  return 0;
}

void cmp_world_stop(cmp_world *w) {
  if (w->pid > 0) {
    kill(w->pid, SIGKILL);
    waitpid(w->pid, NULL, 0);
  }
  const pid_t children[] = {w->pid2, w->pid3}; /* now the children of this pid 1 */
  for (int i = 0; i < 2; i++) {
    if (children[i] <= 0) continue;
    kill(children[i], SIGKILL);
    waitpid(children[i], NULL, 0);
  }
  char mnt[96];
  snprintf(mnt, sizeof mnt, "%s/mnt", w->dir);
  umount2(mnt, MNT_DETACH);
  char *argv[] = {"rm", "-rf", w->dir, NULL};
  pid_t p = fork();
  if (p == 0) {
    execvp("rm", argv);
    _exit(127);
  }
  if (p > 0) waitpid(p, NULL, 0);
}
