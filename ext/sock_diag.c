/*
 * sock_diag.c: one NETLINK_SOCK_DIAG dump of the caller's unix sockets,
 * keeping (inode, peer inode) pairs; see sock_diag.h.
 */
#include "procfs.h"
#include "sort.h"
#include "sock_diag.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_dump_request(int fd) {
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = (uint32_t)-1;
  msg.req.udiag_show = UDIAG_SHOW_PEER;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  ssize_t n = sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&to, sizeof to);
  return n == (ssize_t)sizeof msg ? 0 : -1;
}

static int push_peer(pn_peer_map *m, uint64_t inode, uint64_t peer) {
  pn_peer *v = pn_array_room(m->v, m->n, &m->cap, sizeof *v, 256);
  if (!v) return -1;
  m->v = v;
  m->v[m->n].inode = inode;
  m->v[m->n].peer = peer;
  m->n++;
  return 0;
}

/* Reads the UNIX_DIAG_PEER attribute of one answer, if it has one. */
static int take_message(pn_peer_map *m, const struct nlmsghdr *h) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg))) return 0;
  const struct unix_diag_msg *d = NLMSG_DATA(h);
  int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *d));
  for (const struct rtattr *a = (const struct rtattr *)(d + 1); RTA_OK(a, len);
       a = RTA_NEXT(a, len)) {
    if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
      uint32_t peer;
      memcpy(&peer, RTA_DATA(a), sizeof peer);
      return push_peer(m, d->udiag_ino, peer);
    }
  }
  return 0;
}

/* Returns 1 when the dump is complete, 0 to read on, -1 on error. */
static int take_datagram(pn_peer_map *m, const char *buf, size_t n) {
  /* NLMSG_OK/NLMSG_NEXT mix signed and unsigned; this walk is the same
   * bounds check written without them. */
  size_t off = 0;
  while (n - off >= sizeof(struct nlmsghdr)) {
    const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);
    if (h->nlmsg_len < sizeof *h || h->nlmsg_len > n - off) return -1;
    if (h->nlmsg_type == NLMSG_DONE) return 1;
    if (h->nlmsg_type == NLMSG_ERROR) return -1;
    if (take_message(m, h) != 0) return -1;
    off += NLMSG_ALIGN(h->nlmsg_len);
    if (off > n) break;
  }
  return 0;
}

static int cmp_peer(const void *a, const void *b) {
  const pn_peer *x = a, *y = b;
  return (x->inode > y->inode) - (x->inode < y->inode);
}

int pn_unix_peers_load(pn_peer_map *m) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  /* Aligned for the nlmsghdr casts; 32 KiB is what the kernel batches. */
  static const size_t bufsize = 32768;
  long *buf = sqlite3_malloc64(bufsize);
  int state = buf && send_dump_request(fd) == 0 ? 0 : -1;
  while (state == 0) {
    ssize_t got = recv(fd, buf, bufsize, 0);
    if (got < 0 && errno == EINTR) continue;
    state = got <= 0 ? -1 : take_datagram(m, (const char *)buf, (size_t)got);
  }
  sqlite3_free(buf);
  close(fd);
  if (state < 0) {
    m->n = 0; /* a partial dump would claim "no peer" for the rest */
    return -1;
  }
  pn_sort(m->v, m->n, sizeof *m->v, cmp_peer);
  return 0;
}

uint64_t pn_peer_map_get(const pn_peer_map *m, uint64_t inode) {
  pn_peer key = {inode, 0};
  const pn_peer *p = m->n ? bsearch(&key, m->v, m->n, sizeof *m->v, cmp_peer)
                          : NULL;
  return p ? p->peer : 0;
}

void pn_peer_map_free(pn_peer_map *m) {
  sqlite3_free(m->v);
  m->v = NULL;
  m->n = m->cap = 0;
}
