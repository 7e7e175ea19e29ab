/*
 * fdrow.c: one descriptor's parts, read on first use; see fdrow.h.
 */
#include "fdrow.h"

#include "fdscan.h"
#include "sort.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

void pn_fdenv_free(pn_fdenv *e) {
  pn_buf_free(&e->scratch);
  pn_locks_free(&e->locks);
}

void pn_fdrow_reset(pn_fdrow *r, int fd) {
  r->fd = fd;
  r->error = NULL;
  r->have_link = 0;
  r->link_pending = 0;
  r->done = 0;
  r->have_stat = 0;
  r->mode = 0;
  r->lock = 0;
  r->proto[0] = 0;
  r->epoll.n = 0;
  memset(&r->info, 0, sizeof r->info);
}

void pn_fdrow_free(pn_fdrow *r) {
  pn_buf_free(&r->link);
  pn_buf_free(&r->epoll);
}

/* What a readlink's verdict makes of the row. */
static int link_verdict(pn_fdrow *r, pn_res res, int err, int *exists) {
  *exists = res == PN_OK || res == PN_DENIED;
  if (res == PN_DENIED) r->error = pn_res_text(res, err);
  if (res != PN_OK) return pn_is_nomem(res, err) ? SQLITE_NOMEM : SQLITE_OK;
  r->have_link = 1;
  return SQLITE_OK;
}

int pn_fdrow_read_link(pn_fdrow *r, const pn_fdenv *e, int *exists) {
  int err;
  pn_res res = pn_read_fd_link(e->fs, e->dir, r->fd, &r->link, &r->parsed, &err);
  return link_verdict(r, res, err, exists);
}

int pn_fdrow_deny(pn_fdrow *r, const char *error, int *exists) {
  r->error = error;
  *exists = 1;
  return SQLITE_OK;
}

int pn_fdrow_take_link(pn_fdrow *r, pn_res res, int err, const char *text, size_t n,
                       int *exists) {
  if (res == PN_OK) {
    if (pn_buf_set(&r->link, text, n) != 0) return SQLITE_NOMEM;
    pn_parse_fd_link_text(r->link.p, r->link.n, &r->parsed);
  }
  return link_verdict(r, res, err, exists);
}

/* Sockets and pipes have what the kernel guarantees of every one of them,
 * so that their rows need no read beyond the link:
 *  - a socket's file is always opened read-write (sock_alloc_file): 'u';
 *  - neither has a file position that moves (no llseek; reads and writes
 *    leave f_pos alone): pos is 0;
 *  - each kind lives on one kernel-internal filesystem (sockfs, pipefs),
 *    whose device is that of every socket (pipe): one stat per cursor;
 *  - each is an inode made for it alone and linked into no directory
 *    (new_inode_pseudo): its link count is 1. */
int pn_fdrow_pseudo(const pn_fdrow *r) {
  if (!r->have_link) return -1;
  return r->parsed.kind == PN_FD_SOCKET ? 0 : r->parsed.kind == PN_FD_PIPE ? 1 : -1;
}

void pn_fdrow_load_stat(pn_fdrow *r, const pn_fdenv *e) {
  char rel[32];
  int err;
  if (r->done & FDROW_STAT) return;
  r->done |= FDROW_STAT;
  if (e->dir < 0) return;
  r->have_stat = pn_stat_at(e->fs, e->dir, pn_fd_rel(rel, "fd", r->fd), &r->st, &err) == PN_OK;
}

int pn_fdrow_nlink(pn_fdrow *r, const pn_fdenv *e, sqlite3_int64 *n) {
  if (pn_fdrow_pseudo(r) >= 0) {
    *n = 1;
    return 1;
  }
  pn_fdrow_load_stat(r, e);
  if (r->have_stat) *n = (sqlite3_int64)r->st.st_nlink;
  return r->have_stat;
}

char pn_fdrow_mode(pn_fdrow *r, const pn_fdenv *e) {
  char rel[32];
  struct stat st;
  if (r->done & FDROW_MODE) return r->mode;
  r->done |= FDROW_MODE;
  if (pn_fdrow_pseudo(r) == 0) return r->mode = 'u';
  if (e->dir < 0 ||
      fstatat(e->dir, pn_fd_rel(rel, "fd", r->fd), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return r->mode;
  int rd = (st.st_mode & S_IRUSR) != 0, wr = (st.st_mode & S_IWUSR) != 0;
  return r->mode = rd && wr ? 'u' : wr ? 'w' : rd ? 'r' : ' ';
}

int pn_fdrow_dev(pn_fdrow *r, pn_fdenv *e, dev_t *dev) {
  int kind = pn_fdrow_pseudo(r);
  if (kind >= 0 && e->pseudo_known[kind]) {
    *dev = e->pseudo_dev[kind];
    return 1;
  }
  pn_fdrow_load_stat(r, e);
  if (!r->have_stat) return 0;
  *dev = r->st.st_dev;
  if (kind >= 0) {
    e->pseudo_dev[kind] = *dev;
    e->pseudo_known[kind] = 1;
  }
  return 1;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The epoll set's watched descriptors from its fdinfo text, ascending,
 * as "3,4" into r->epoll. */
static int format_epoll(pn_fdrow *r, const pn_buf *text) {
  int64_t *fds = sqlite3_malloc64(r->info.epoll_tfds * sizeof *fds + 1);
  if (!fds) return SQLITE_NOMEM;
  size_t n = 0, pos = 0;
  int64_t fd;
  while (n < r->info.epoll_tfds && pn_next_epoll_tfd(text->p, text->n, &pos, &fd))
    fds[n++] = fd;
  pn_sort(fds, n, sizeof *fds, cmp_i64);
  r->epoll.n = 0;
  int rc = SQLITE_OK;
  for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
    char num[24];
    int len = snprintf(num, sizeof num, i ? ",%lld" : "%lld", (long long)fds[i]);
    if (pn_buf_grow(&r->epoll, (size_t)len) != 0) rc = SQLITE_NOMEM;
    else {
      memcpy(r->epoll.p + r->epoll.n, num, (size_t)len);
      r->epoll.n += (size_t)len;
    }
  }
  sqlite3_free(fds);
  return rc;
}

/* Reads r->fd's fdinfo into r->info (zero when it cannot be read); *res:
 * how the read went. */
static int read_fdinfo(pn_fdrow *r, pn_fdenv *e, pn_res *res) {
  char rel[32];
  int err;
  r->done |= FDROW_FDINFO;
  *res = pn_read_file(e->fs, e->dir, pn_fd_rel(rel, "fdinfo", r->fd), &e->scratch, &err);
  if (pn_is_nomem(*res, err)) return SQLITE_NOMEM;
  if (*res != PN_OK || pn_parse_fdinfo(e->scratch.p, e->scratch.n, &r->info) != 0) {
    memset(&r->info, 0, sizeof r->info);
    return SQLITE_OK;
  }
  return r->info.epoll_tfds ? format_epoll(r, &e->scratch) : SQLITE_OK;
}

int pn_fdrow_load_fdinfo(pn_fdrow *r, pn_fdenv *e) {
  pn_res res;
  if (r->done & FDROW_FDINFO) return SQLITE_OK;
  if (e->dir < 0) {
    r->done |= FDROW_FDINFO;
    return SQLITE_OK;
  }
  return read_fdinfo(r, e, &res);
}

int pn_fdrow_listed(const pn_fdrow *r, const pn_fdenv *e) {
  char rel[32];
  struct stat st;
  return e->dir >= 0 &&
         fstatat(e->dir, pn_fd_rel(rel, "fd", r->fd), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int pn_fdrow_probe(pn_fdrow *r, pn_fdenv *e, int *exists) {
  pn_res res;
  *exists = 0;
  if (e->dir < 0) return SQLITE_OK;
  int rc = read_fdinfo(r, e, &res);
  if (rc != SQLITE_OK || res == PN_OK || res == PN_GONE) {
    *exists = res == PN_OK;
    return rc;
  }
  *exists = pn_fdrow_listed(r, e); /* refused: as its directory says */
  return SQLITE_OK;
}

const char *pn_fdrow_proto(pn_fdrow *r, const pn_fdenv *e) {
  char rel[32];
  size_t n;
  int err;
  if (r->done & FDROW_PROTO) return r->proto;
  r->done |= FDROW_PROTO;
  if (pn_fdrow_pseudo(r) != 0 || e->dir < 0) return r->proto;
  if (pn_getxattr_at(e->fs, e->dir, pn_fd_rel(rel, "fd", r->fd), "system.sockprotoname",
                     r->proto, sizeof r->proto - 1, &n, &err) != PN_OK)
    n = 0;
  /* the kernel counts the name's NUL in the length */
  while (n > 0 && r->proto[n - 1] == 0) n--;
  r->proto[n] = 0;
  return r->proto;
}

int pn_fdrow_lock(pn_fdrow *r, pn_fdenv *e, char *lock) {
  if (!(r->done & FDROW_LOCK)) {
    r->done |= FDROW_LOCK;
    if (r->have_link && r->parsed.kind == PN_FD_PATH) {
      pn_fdrow_load_stat(r, e);
      int rc = r->have_stat ? pn_locks_load(&e->locks, e->fs, &e->scratch) : SQLITE_OK;
      if (rc != SQLITE_OK) {
        r->done &= ~(unsigned)FDROW_LOCK;
        return rc;
      }
      if (r->have_stat)
        r->lock = pn_locks_find(&e->locks, e->pid, major(r->st.st_dev),
                                minor(r->st.st_dev), (uint64_t)r->st.st_ino);
    }
  }
  *lock = r->lock;
  return SQLITE_OK;
}

/* ---- saved rows ----------------------------------------------------------- */

/* A row as saved: its texts in the pool, where they stay valid as it grows. */
struct saved_fdrow {
  pn_fdrow row;             /* link and epoll unused */
  size_t link_at, link_n, epoll_at, epoll_n;
};

void pn_fdrows_clear(pn_fdrows *s) {
  s->n = 0;
  s->pool.n = 0;
}

void pn_fdrows_free(pn_fdrows *s) {
  sqlite3_free(s->v);
  pn_buf_free(&s->pool);
  memset(s, 0, sizeof *s);
}

static int pool_add(pn_buf *pool, const pn_buf *text, size_t *at) {
  *at = pool->n;
  if (text->n == 0) return SQLITE_OK;
  if (pn_buf_grow(pool, text->n) != 0) return SQLITE_NOMEM;
  memcpy(pool->p + pool->n, text->p, text->n);
  pool->n += text->n;
  return SQLITE_OK;
}

/* Copies n bytes of the pool at `at` into text. */
static int pool_take(pn_buf *text, const pn_buf *pool, size_t at, size_t n) {
  if (n == 0) return SQLITE_OK;
  return pn_buf_set(text, pool->p + at, n) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

int pn_fdrows_save(pn_fdrows *s, const pn_fdrow *r) {
  struct saved_fdrow *v = pn_array_room(s->v, s->n, &s->cap, sizeof *v, 64);
  if (!v) return SQLITE_NOMEM;
  s->v = v;
  struct saved_fdrow *e = &s->v[s->n];
  e->row = *r;
  memset(&e->row.link, 0, sizeof e->row.link);
  memset(&e->row.epoll, 0, sizeof e->row.epoll);
  memset(&e->row.parsed, 0, sizeof e->row.parsed);
  e->link_n = r->link.n;
  e->epoll_n = r->epoll.n;
  if (pool_add(&s->pool, &r->link, &e->link_at) != SQLITE_OK ||
      pool_add(&s->pool, &r->epoll, &e->epoll_at) != SQLITE_OK)
    return SQLITE_NOMEM;
  s->n++;
  return SQLITE_OK;
}

int pn_fdrows_restore(const pn_fdrows *s, size_t i, pn_fdrow *r) {
  const struct saved_fdrow *e = &s->v[i];
  pn_buf link = r->link, epoll = r->epoll;
  *r = e->row;
  r->link = link;
  r->epoll = epoll;
  r->link.n = r->epoll.n = 0;
  if (pool_take(&r->link, &s->pool, e->link_at, e->link_n) != SQLITE_OK ||
      pool_take(&r->epoll, &s->pool, e->epoll_at, e->epoll_n) != SQLITE_OK)
    return SQLITE_NOMEM;
  if (r->have_link) pn_parse_fd_link_text(r->link.p, r->link.n, &r->parsed);
  return SQLITE_OK;
}
