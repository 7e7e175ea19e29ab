/*
 * fd_index.c: the inode -> (pid, fd) index of every descriptor; see
 * fd_index.h for what it holds and why its build is shared out.
 */
#include "fd_index.h"

#include "fdscan.h"
#include "parallel.h"
#include "parse.h"
#include "sort.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int push_ref(pn_fd_ref **v, size_t *n, size_t *cap, pn_fd_ref ref) {
  pn_fd_ref *nv = pn_array_room(*v, *n, cap, sizeof *nv, 256);
  if (!nv) return SQLITE_NOMEM;
  *v = nv;
  (*v)[(*n)++] = ref;
  return SQLITE_OK;
}

/* Appends n refs from src to *v. */
static int append_refs(pn_fd_ref **v, size_t *n, size_t *cap,
                       const pn_fd_ref *src, size_t count) {
  if (count == 0) return SQLITE_OK;
  if (*n + count > *cap) {
    pn_fd_ref *nv = sqlite3_realloc64(*v, (*n + count) * sizeof *nv);
    if (!nv) return SQLITE_NOMEM;
    *v = nv;
    *cap = *n + count;
  }
  memcpy(*v + *n, src, count * sizeof *src);
  *n += count;
  return SQLITE_OK;
}

/* Inode ascending, then pid and fd descending: the holders of one socket
 * newest process first, the order ss lists them in. */
static int cmp_ref(const void *a, const void *b) {
  const pn_fd_ref *x = a, *y = b;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  if (x->pid != y->pid) return x->pid > y->pid ? -1 : 1;
  return (x->fd < y->fd) - (x->fd > y->fd);
}

/* ---- one thread's share of the build ------------------------------------ */

typedef struct builder {
  pn_fs fs;                 /* the root fd is shared; counters are not */
  pn_counters cnt;
  const pn_i64list *pids;
  pn_fd_index part;         /* what this thread found, unsorted */
  pn_fdnums fds;
  pn_buf link;
  int rc;
} builder;

/* Adds every descriptor of process pid. A process that is gone, or whose
 * descriptors may not be read, adds nothing. */
static int index_process(builder *b, sqlite3_int64 pid) {
  int piddir, err;
  pn_res r = pn_open_pid(&b->fs, pid, &piddir, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  r = pn_list_fds(&b->fs, piddir, &b->fds, &err);
  int rc = pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  for (size_t i = 0; r == PN_OK && rc == SQLITE_OK && i < b->fds.n; i++) {
    pn_fdlink l;
    pn_res lr = pn_read_fd_link(&b->fs, piddir, b->fds.v[i], &b->link, &l, &err);
    if (lr != PN_OK) {
      if (pn_is_nomem(lr, err)) rc = SQLITE_NOMEM;
      continue;
    }
    pn_fd_ref ref = {l.has_inode ? l.inode : 0, pid, b->fds.v[i], (int)l.kind};
    pn_fd_index *ix = &b->part;
    if (l.has_inode) rc = push_ref(&ix->v, &ix->n, &ix->cap, ref);
    else if (l.kind == PN_FD_PATH || l.kind == PN_FD_ANON)
      rc = push_ref(&ix->pending, &ix->pn, &ix->pcap, ref);
  }
  close(piddir);
  return rc;
}

/* pn_item_fn: item is an index into b->pids. After an error (out of
 * memory) the rest is skipped. */
static void build_item(void *state, size_t item) {
  builder *b = state;
  if (b->rc == SQLITE_OK) b->rc = index_process(b, b->pids->v[item]);
}

static void builder_free(builder *b) {
  sqlite3_free(b->part.v);
  sqlite3_free(b->part.pending);
  pn_fdnums_free(&b->fds);
  pn_buf_free(&b->link);
}

/* Every pid under the root, listed before the work is shared out. */
static int list_pids(const pn_fs *fs, pn_i64list *out) {
  pn_pidsrc src;
  memset(&src, 0, sizeof src);
  int rc = pn_pidsrc_start(&src, fs, NULL);
  sqlite3_int64 pid;
  while (rc == SQLITE_OK && pn_pidsrc_next(&src, &pid))
    rc = pn_i64list_push(out, pid);
  pn_pidsrc_free(&src);
  return rc;
}

int pn_fd_index_build(pn_fd_index *ix, const pn_fs *fs, int threads) {
  pn_i64list pids = {0};
  builder b[PN_MAX_THREADS];
  int rc = list_pids(fs, &pids);
  memset(b, 0, sizeof b);
  for (int i = 0; i < PN_MAX_THREADS; i++) {
    b[i].fs = *fs;
    b[i].fs.cnt = &b[i].cnt;
    b[i].pids = &pids;
  }
  if (rc == SQLITE_OK)
    pn_parallel_for((size_t)pids.n, threads, build_item, b, sizeof *b);
  for (int i = 0; i < PN_MAX_THREADS; i++) {
    if (rc == SQLITE_OK) rc = b[i].rc;
    if (rc == SQLITE_OK)
      rc = append_refs(&ix->v, &ix->n, &ix->cap, b[i].part.v, b[i].part.n);
    if (rc == SQLITE_OK)
      rc = append_refs(&ix->pending, &ix->pn, &ix->pcap, b[i].part.pending,
                       b[i].part.pn);
    if (fs->cnt) pn_counters_add(fs->cnt, &b[i].cnt);
    builder_free(&b[i]);
  }
  pn_i64list_free(&pids);
  if (rc != SQLITE_OK) {
    pn_fd_index_free(ix); /* a later build starts from nothing */
    return rc;
  }
  pn_sort(ix->v, ix->n, sizeof *ix->v, cmp_ref);
  ix->built = 1;
  return SQLITE_OK;
}

int pn_fd_index_add_stat_tier(pn_fd_index *ix, const pn_fs *fs) {
  for (size_t i = 0; i < ix->pn; i++) {
    char rel[48];
    struct stat st;
    int err;
    snprintf(rel, sizeof rel, "%lld/fd/%d", (long long)ix->pending[i].pid,
             ix->pending[i].fd);
    if (pn_stat_at(fs, -1, rel, &st, &err) != PN_OK) continue;
    pn_fd_ref ref = ix->pending[i];
    ref.inode = (uint64_t)st.st_ino;
    if (push_ref(&ix->files, &ix->fn, &ix->fcap, ref) != SQLITE_OK) {
      ix->fn = 0; /* a later miss tries again */
      return SQLITE_NOMEM;
    }
  }
  ix->stat_tier_done = 1;
  sqlite3_free(ix->pending);
  ix->pending = NULL;
  ix->pn = ix->pcap = 0;
  pn_sort(ix->files, ix->fn, sizeof *ix->files, cmp_ref);
  return SQLITE_OK;
}

size_t pn_fd_index_lower_bound(const pn_fd_index *ix, uint64_t inode) {
  return pn_lower_bound_u64(ix->v, ix->n, sizeof *ix->v, inode);
}

/* The run of inode in refs[0..n), sorted by inode. */
static pn_fd_span find_run(const pn_fd_ref *refs, size_t n, uint64_t inode) {
  if (n == 0) {
    pn_fd_span none = {NULL, 0};
    return none;
  }
  size_t at = pn_lower_bound_u64(refs, n, sizeof *refs, inode), end = at;
  while (end < n && refs[end].inode == inode) end++;
  pn_fd_span s = {refs + at, end - at};
  return s;
}

void pn_fd_index_find(const pn_fd_index *ix, uint64_t inode, pn_fd_span out[2]) {
  out[0] = find_run(ix->v, ix->n, inode);
  out[1] = find_run(ix->files, ix->fn, inode);
}

void pn_fd_index_free(pn_fd_index *ix) {
  sqlite3_free(ix->v);
  sqlite3_free(ix->pending);
  sqlite3_free(ix->files);
  memset(ix, 0, sizeof *ix);
}
