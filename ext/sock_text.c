/*
 * sock_text.c: /proc/PID/net/<file> into socket records; see sock_text.h.
 *
 * Each good line (record, for net/unix) is parsed once, when read, into a
 * pn_sock; header lines and malformed lines do not parse and are skipped.
 * Files of one line per record are read a piece at a time, so that a
 * namespace with a million sockets never has its whole file in memory.
 */
#include "sock_text.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- one parsed line into a record ---------------------------------------- */

/* The kernel's counters are 32-bit; a larger value in a tree is clamped. */
static uint32_t u32_of(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static uint32_t uid_of(int64_t v) {
  return v < 0 || v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void inet_record(const pn_inet_sock *t, long clk_tck, pn_sock *s) {
  s->family = (uint8_t)t->family;
  memcpy(s->local_addr, t->local_addr, 16);
  memcpy(s->remote_addr, t->remote_addr, 16);
  s->local_port = t->local_port;
  s->remote_port = t->remote_port;
  s->state = (uint8_t)t->state;
  s->tx_queue = t->tx_queue;
  s->rx_queue = t->rx_queue;
  s->timer = (uint8_t)t->timer;
  /* tm->when is in clock ticks (USER_HZ); records keep milliseconds */
  s->expires_ms = u32_of(t->timer_when > UINT64_MAX / 1000
                             ? UINT64_MAX
                             : t->timer_when * 1000 / (uint64_t)clk_tck);
  s->retransmits = u32_of(t->retransmits);
  s->probes = u32_of(t->timeout);
  s->uid = uid_of(t->uid);
  s->inode = t->inode;
  s->has = PN_SK_UID | PN_SK_TEXT | PN_SK_QUEUES;
  if (t->has_refcnt) {
    s->refcount = u32_of(t->refcnt);
    s->has |= PN_SK_REFCOUNT;
  }
  if (t->has_drops) {
    s->drops = u32_of(t->drops);
    s->has |= PN_SK_DROPS;
  }
}

static void packet_record(const pn_packet_sock *p, pn_sock *s) {
  s->refcount = u32_of(p->refcnt);
  s->type = (uint8_t)p->type;
  s->protocol = p->protocol;
  s->ifindex = p->ifindex < 0 || p->ifindex > UINT32_MAX ? 0 : (uint32_t)p->ifindex;
  s->running = (uint8_t)p->running;
  s->rx_queue = p->rmem;
  s->uid = uid_of(p->uid);
  s->inode = p->inode;
  s->has = PN_SK_UID | PN_SK_TEXT | PN_SK_QUEUES | PN_SK_REFCOUNT;
}

static void netlink_record(const pn_netlink_sock *n, pn_sock *s) {
  s->protocol = (uint32_t)n->protocol;
  s->portid = n->portid < 0 || n->portid > UINT32_MAX ? 0 : (uint32_t)n->portid;
  s->flags = (uint32_t)n->groups;
  s->rx_queue = n->rmem;
  s->tx_queue = n->wmem;
  s->running = (uint8_t)n->dump;
  s->refcount = u32_of(n->locks);
  s->drops = u32_of(n->drops);
  s->inode = n->inode;
  s->has = PN_SK_TEXT | PN_SK_QUEUES | PN_SK_REFCOUNT | PN_SK_DROPS;
}

/* A line of a line-per-record file: 1 with *s filled, 0 when it does not
 * parse (the header, junk). */
static int line_record(const pn_sockkind *k, pn_str line, long clk_tck,
                       pn_sock *s) {
  memset(s, 0, sizeof *s);
  switch (k->fmt) {
  case PN_FMT_INET: {
    pn_inet_sock t;
    if (pn_parse_inet_line(line.p, line.n, k->has_drops, &t) != 0) return 0;
    inet_record(&t, clk_tck, s);
    return 1;
  }
  case PN_FMT_PACKET: {
    pn_packet_sock p;
    if (pn_parse_packet_line(line.p, line.n, &p) != 0) return 0;
    packet_record(&p, s);
    return 1;
  }
  case PN_FMT_NETLINK: {
    pn_netlink_sock n;
    if (pn_parse_netlink_line(line.p, line.n, &n) != 0) return 0;
    netlink_record(&n, s);
    return 1;
  }
  case PN_FMT_UNIX: break;
  }
  return 0;
}

static int take_line(const pn_sockkind *k, pn_str line, long clk_tck,
                     pn_sockset *set) {
  pn_sock s;
  if (!line_record(k, line, clk_tck, &s)) return SQLITE_OK;
  return pn_sockset_push(set, &s) ? SQLITE_OK : SQLITE_NOMEM;
}

/* ---- reading a file -------------------------------------------------------- */

/* Reads fd a piece at a time, a record per line. *rc gets an
 * out-of-memory. */
#define PN_TEXT_PIECE 65536
static pn_res read_lines(int fd, const pn_sockkind *k, pn_sockset *set,
                         int *rc, int *err) {
  int eof = 0;
  long clk_tck = sysconf(_SC_CLK_TCK);
  pn_buf piece = {0};
  pn_res r = PN_OK;
  if (clk_tck <= 0) clk_tck = 100;
  while (!eof && *rc == SQLITE_OK) {
    r = pn_read_more(fd, &piece, PN_TEXT_PIECE, &eof, err);
    if (r != PN_OK) break;
    size_t start = 0;
    const char *nl;
    while (*rc == SQLITE_OK &&
           (nl = memchr(piece.p + start, '\n', piece.n - start)) != NULL) {
      size_t end = (size_t)(nl - piece.p);
      *rc = take_line(k, (pn_str){piece.p + start, end - start}, clk_tck, set);
      start = end + 1;
    }
    if (eof && start < piece.n && *rc == SQLITE_OK) /* no final newline */
      *rc = take_line(k, (pn_str){piece.p + start, piece.n - start}, clk_tck, set);
    memmove(piece.p, piece.p + start, piece.n - start);
    piece.n -= start;
  }
  pn_buf_free(&piece);
  return r;
}

static int unix_record(const pn_unix_sock *u, pn_sockset *set) {
  pn_sock s;
  memset(&s, 0, sizeof s);
  s.refcount = u32_of(u->refcount);
  s.protocol = (uint32_t)u->protocol;
  s.flags = (uint32_t)u->flags;
  s.type = (uint8_t)u->type;
  s.state = (uint8_t)u->state;
  s.inode = u->inode;
  s.has = PN_SK_TEXT | PN_SK_ADDRESS | PN_SK_REFCOUNT;
  if (pn_sockset_string(set, u->num.p, u->num.n, &s.addr_off) != 0)
    return SQLITE_NOMEM;
  s.addr_len = (uint32_t)u->num.n;
  if (u->has_path) {
    if (pn_sockset_string(set, u->path.p, u->path.n, &s.path_off) != 0)
      return SQLITE_NOMEM;
    s.path_len = (uint32_t)u->path.n;
    s.has |= PN_SK_PATH;
  }
  return pn_sockset_push(set, &s) ? SQLITE_OK : SQLITE_NOMEM;
}

/* net/unix is read whole: a path may hold newlines, so a record may span
 * lines (pn_next_unix tells where one ends). */
static pn_res read_unix(int fd, pn_sockset *set, int *rc, int *err) {
  pn_buf text = {0};
  pn_res r = PN_OK;
  int eof = 0;
  while (r == PN_OK && !eof) r = pn_read_more(fd, &text, PN_TEXT_PIECE, &eof, err);
  size_t pos = 0;
  pn_unix_sock u;
  while (r == PN_OK && *rc == SQLITE_OK && pn_next_unix(text.p, text.n, &pos, &u))
    *rc = unix_record(&u, set);
  pn_buf_free(&text);
  return r;
}

static pn_res read_records(int fd, const pn_sockkind *k, pn_sockset *set,
                           int *rc, int *err) {
  return k->fmt == PN_FMT_UNIX ? read_unix(fd, set, rc, err)
                               : read_lines(fd, k, set, rc, err);
}

/* 1 when piddir shows the kind's first file (net/tcp): its other files
 * may then be missing for good (no tcp6 without IPv6), not because the
 * process is a zombie. */
static int has_first_file(const pn_fs *fs, int piddir, const pn_sockkind *k) {
  char rel[64];
  struct stat st;
  int err;
  snprintf(rel, sizeof rel, "net/%s", k->files[0]);
  return pn_stat_at(fs, piddir, rel, &st, &err) == PN_OK;
}

/* Reads the file through pid. *gone: the process is not there (or, for a
 * kind's first file, the file is not: a zombie has no net/), try another;
 * a later file that is missing (no tcp6 without IPv6) is just empty. */
static int read_via(const pn_fs *fs, const pn_sockkind *k, int file,
                    int64_t pid, pn_sockset *set, int *gone) {
  int dir, err, rc = SQLITE_OK;
  char rel[64];
  *gone = 1;
  pn_sockset_clear(set); /* nothing kept from a process tried before */
  pn_res r = pn_open_pid(fs, pid, &dir, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  snprintf(rel, sizeof rel, "net/%s", k->files[file]);
  int fd;
  r = pn_open_file(fs, dir, rel, &fd, &err);
  if (r == PN_OK) {
    r = read_records(fd, k, set, &rc, &err);
    close(fd);
  }
  if (pn_is_nomem(r, err)) rc = SQLITE_NOMEM;
  if (r != PN_OK || rc != SQLITE_OK) pn_sockset_clear(set);
  *gone = r != PN_OK && rc == SQLITE_OK &&
          (file == 0 || !has_first_file(fs, dir, k));
  close(dir);
  return rc;
}

int pn_text_read(const pn_fs *fs, const pn_sockkind *k, int file,
                 const int64_t *pids, int npids, pn_sockset *set,
                 int64_t *via) {
  int gone = 1, rc = SQLITE_OK;
  *via = -1;
  for (int i = 0; i < npids && gone && rc == SQLITE_OK; i++) {
    rc = read_via(fs, k, file, pids[i], set, &gone);
    if (!gone) *via = pids[i];
  }
  return rc;
}

int pn_text_read_fd(int fd, const pn_sockkind *k, pn_sockset *set) {
  int rc = SQLITE_OK, err;
  pn_sockset_clear(set);
  pn_res r = read_records(fd, k, set, &rc, &err);
  if (pn_is_nomem(r, err)) rc = SQLITE_NOMEM;
  if (r != PN_OK || rc != SQLITE_OK) pn_sockset_clear(set);
  return rc;
}
