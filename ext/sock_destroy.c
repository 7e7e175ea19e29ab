/*
 * sock_destroy.c: subscribing to sock_diag's destroy notifications and
 * reading them; see sock_destroy.h.
 */
#include "sock_destroy.h"

#include "netlink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RCVBUF (4 << 20)

/* Joins the destroy groups; 0, or the errno of the failure. */
static int join_groups(int fd) {
  static const int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
                               SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY};
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) return errno;
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof groups[i]) != 0)
      return errno;
  /* beyond net.core.rmem_max needs CAP_NET_ADMIN; without it, the most
   * rmem_max allows */
  int size = RCVBUF;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
    return errno;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) return errno;
  return 0;
}

void pn_destroy_open(const int *nsfds, int n, int *fds, int *errs) {
  pn_netlink_open(nsfds, n, NETLINK_SOCK_DIAG, fds, errs);
  for (int i = 0; i < n; i++) {
    if (fds[i] < 0) continue;
    errs[i] = join_groups(fds[i]);
    if (errs[i]) {
      close(fds[i]);
      fds[i] = -1;
    }
  }
}

/* Hands each SOCK_DIAG_BY_FAMILY message of one datagram to fn. */
static int take_datagram(const void *buf, size_t len, pn_destroy_fn *fn, void *arg) {
  size_t pos = 0;
  pn_nlmsg m;
  pn_inet_diag d;
  pn_nl_step step;
  while ((step = pn_nl_next(buf, len, &pos, &m, NULL)) != PN_NL_END && step != PN_NL_BAD) {
    if (step != PN_NL_MSG || m.type != SOCK_DIAG_BY_FAMILY) continue;
    if (pn_parse_inet_diag(m.payload.p, m.payload.n, &d) != 0) continue;
    int rc = fn(arg, &d);
    if (rc) return rc;
  }
  return 0;
}

#define BUF_SIZE 65536

pn_res pn_destroy_read(int fd, pn_destroy_fn *fn, void *arg, int64_t *overflows,
                       int *err) {
  /* long-aligned, as the headers the parser copies out are */
  long *buf = sqlite3_malloc(BUF_SIZE);
  *err = buf ? 0 : ENOMEM;
  while (!*err) {
    ssize_t n = recv(fd, buf, BUF_SIZE, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == ENOBUFS) { /* the kernel dropped some: go on reading */
      (*overflows)++;
      continue;
    }
    if (n < 0) *err = errno;
    else *err = take_datagram(buf, (size_t)n, fn, arg);
  }
  sqlite3_free(buf);
  return *err ? PN_FAIL : PN_OK;
}
