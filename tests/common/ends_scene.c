/*
 * ends_scene.c: the two ends of a pipe, a pty, an eventfd and unix, TCP and
 * UDP sockets in two processes (ends_scene.h).
 */
#include "ends_scene.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SA(x) ((struct sockaddr *)&(x))

void pn_close_all_but(const int *keep, int n) {
  for (int fd = 3; fd < 1024; fd++) {
    int kept = 0;
    for (int i = 0; i < n; i++) kept |= keep[i] == fd;
    if (!kept) close(fd);
  }
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int udp_pair_end(int port, int peer_port) {
  struct sockaddr_in a = loopback(port), b = loopback(peer_port);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  if (u < 0 || bind(u, SA(a), sizeof a) != 0 || connect(u, SA(b), sizeof b) != 0) return -1;
  return u;
}

/* Process B: the ends kept, then its own (the pty's slave, connections to
 * A's listeners, its UDP socket); says so on the last of keep. */
static void other_ends(const int *keep, int n, const char *pts, const struct sockaddr_un *un,
                       int tcp_port, int udp_port) {
  pn_close_all_but(keep, n);
  struct sockaddr_in t = loopback(tcp_port);
  int slave = open(pts, O_RDWR | O_NOCTTY);
  int tc = socket(AF_INET, SOCK_STREAM, 0), uc = socket(AF_UNIX, SOCK_STREAM, 0);
  if (slave < 0 || tc < 0 || uc < 0 || connect(tc, SA(t), sizeof t) != 0 ||
      connect(uc, (const struct sockaddr *)un, sizeof *un) != 0 ||
      udp_pair_end(udp_port + 1, udp_port) < 0 || write(keep[n - 1], "b", 1) != 1)
    _exit(3);
  close(keep[n - 1]);
  for (;;) pause();
}

/* A's listeners: unix at un, TCP on 127.0.0.1:tcp_port. */
static int listeners(const struct sockaddr_un *un, int tcp_port, int backlog, int *ul,
                     int *tl) {
  struct sockaddr_in t = loopback(tcp_port);
  int on = 1; /* the last run's connection may be in TIME-WAIT */
  *ul = socket(AF_UNIX, SOCK_STREAM, 0);
  *tl = socket(AF_INET, SOCK_STREAM, 0);
  return *ul < 0 || *tl < 0 || setsockopt(*tl, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
                 bind(*ul, (const struct sockaddr *)un, sizeof *un) != 0 ||
                 listen(*ul, backlog) != 0 || bind(*tl, SA(t), sizeof t) != 0 ||
                 listen(*tl, backlog) != 0
             ? -1
             : 0;
}

int pn_ends_start(const char *dir, int tcp_port, int udp_port, int backlog, pid_t *b) {
  int p[2], sv[2], ready[2], ul, tl;
  int efd = eventfd(0, 0), ptm = posix_openpt(O_RDWR | O_NOCTTY);
  char pts[64];
  struct sockaddr_un un = {.sun_family = AF_UNIX};
  snprintf(un.sun_path, sizeof un.sun_path, "%s/ends.sock", dir);
  if (efd < 0 || ptm < 0 || grantpt(ptm) != 0 || unlockpt(ptm) != 0 ||
      ptsname_r(ptm, pts, sizeof pts) != 0 || pipe(p) != 0 ||
      socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(ready) != 0 ||
      listeners(&un, tcp_port, backlog, &ul, &tl) != 0 || udp_pair_end(udp_port, udp_port + 1) < 0)
    return -1;
  fflush(NULL);
  *b = fork();
  if (*b == 0) {
    int keep[] = {p[0], sv[1], efd, ready[1]};
    other_ends(keep, 4, pts, &un, tcp_port, udp_port);
  }
  char c;
  close(p[0]);
  close(sv[1]);
  close(ready[1]);
  if (*b < 0 || read(ready[0], &c, 1) != 1 || close(ready[0]) != 0 ||
      accept(tl, NULL, NULL) < 0 || accept(ul, NULL, NULL) < 0)
    return -1;
  /* a connection nobody accepts: lsof names it as the listener's end */
  int pending = socket(AF_UNIX, SOCK_STREAM, 0);
  return pending < 0 || connect(pending, SA(un), sizeof un) != 0 ? -1 : 0;
}
