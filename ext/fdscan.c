/*
 * fdscan.c: listing a process's descriptors and reading their links; see
 * fdscan.h.
 */
#include "fdscan.h"

#include "parallel.h"
#include "sort.h"
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <stdint.h>
#include <string.h>

void pn_fdnums_free(pn_fdnums *l) {
  sqlite3_free(l->v);
  memset(l, 0, sizeof *l);
}

static int push_fd(pn_fdnums *l, int fd) {
  int *v = pn_array_room(l->v, l->n, &l->cap, sizeof *v, 64);
  if (!v) return -1;
  l->v = v;
  l->v[l->n++] = fd;
  return 0;
}

int pn_fdnums_one(pn_fdnums *l, int fd) {
  l->n = 0;
  return push_fd(l, fd);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

pn_res pn_list_fds(const pn_fs *fs, int piddir, pn_fdnums *l, int *err) {
  void *dir;
  l->n = 0;
  pn_res r = pn_open_dir(fs, piddir, "fd", &dir, err);
  if (r != PN_OK) return r;
  int64_t n;
  while (pn_next_numeric(dir, &n)) {
    if (n > INT32_MAX) continue;
    if (push_fd(l, (int)n) != 0) {
      pn_close_dir(dir);
      *err = ENOMEM;
      return PN_FAIL;
    }
  }
  pn_close_dir(dir);
  pn_sort(l->v, l->n, sizeof *l->v, cmp_int);
  return PN_OK;
}

const char *pn_fd_rel(char out[32], const char *dir, int n) {
  char digits[12];
  size_t len = strlen(dir), k = 0;
  unsigned v = n < 0 ? 0 : (unsigned)n;
  do digits[k++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  memcpy(out, dir, len);
  out[len++] = '/';
  while (k) out[len++] = digits[--k];
  out[len] = '\0';
  return out;
}

pn_res pn_read_fd_link(const pn_fs *fs, int piddir, int fd, pn_buf *text,
                       pn_fdlink *parsed, int *err) {
  char rel[32];
  pn_res r = pn_read_link(fs, piddir, pn_fd_rel(rel, "fd", fd), text, err);
  if (r == PN_OK) pn_parse_fd_link_text(text->p, text->n, parsed);
  return r;
}

void pn_parse_fd_link_text(const char *text, size_t n, pn_fdlink *parsed) {
  if (pn_parse_fdlink(text, n, parsed) == 0) return;
  memset(parsed, 0, sizeof *parsed);
  parsed->kind = PN_FD_OTHER;
  parsed->name.p = text;
  parsed->name.n = n;
}

/* ---- links read ahead ---------------------------------------------------- */

typedef struct slice_job {
  pn_fdlinks *out;
  pn_fs fs;                 /* the root fd is shared; counters are not */
  pn_counters cnt;
  int dir;
  const int *fds;
  size_t n;
  pn_buf link;              /* this thread's readlink buffer */
  int nomem;
  int denied, denied_err;   /* a link was refused, and why */
} slice_job;

/* pn_item_fn: reads the links of slice `item` into its text buffer. */
static void read_slice(void *state, size_t item) {
  slice_job *j = state;
  pn_buf *text = &j->out->texts[item];
  size_t from = item * PN_FDLINKS_SLICE, to = from + PN_FDLINKS_SLICE;
  char rel[32];
  if (to > j->n) to = j->n;
  for (size_t i = from; i < to && !j->nomem; i++) {
    pn_fdlink_read *r = &j->out->v[i];
    r->at = text->n;
    r->n = 0;
    if (j->denied) { /* decided for the process: see pn_fdlinks_read */
      r->res = PN_DENIED;
      r->err = j->denied_err;
      continue;
    }
    r->res = pn_read_link(&j->fs, j->dir, pn_fd_rel(rel, "fd", j->fds[i]), &j->link, &r->err);
    if (r->res == PN_DENIED) {
      j->denied = 1;
      j->denied_err = r->err;
    }
    if (pn_is_nomem(r->res, r->err) || (r->res == PN_OK && pn_buf_grow(text, j->link.n))) {
      j->nomem = 1;
      break;
    }
    if (r->res != PN_OK) continue;
    memcpy(text->p + text->n, j->link.p, j->link.n);
    text->n += j->link.n;
    r->n = j->link.n;
  }
}

void pn_fdlinks_free(pn_fdlinks *links) {
  for (size_t i = 0; i < links->nslices; i++) pn_buf_free(&links->texts[i]);
  sqlite3_free(links->texts);
  sqlite3_free(links->v);
  memset(links, 0, sizeof *links);
}

int pn_fdlinks_read(pn_fdlinks *out, const pn_fs *fs, int dir, const int *fds, size_t n,
                    int threads) {
  slice_job jobs[PN_MAX_THREADS];
  pn_fdlinks_free(out);
  out->n = n;
  out->nslices = (n + PN_FDLINKS_SLICE - 1) / PN_FDLINKS_SLICE;
  out->v = sqlite3_malloc64(n * sizeof *out->v + 1);
  out->texts = sqlite3_malloc64(out->nslices * sizeof *out->texts + 1);
  if (!out->v || !out->texts) {
    sqlite3_free(out->v);
    sqlite3_free(out->texts);
    memset(out, 0, sizeof *out);
    return SQLITE_NOMEM;
  }
  memset(out->texts, 0, out->nslices * sizeof *out->texts);
  memset(jobs, 0, sizeof jobs);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    jobs[t].out = out;
    jobs[t].fs = *fs;
    jobs[t].fs.cnt = &jobs[t].cnt;
    jobs[t].dir = dir;
    jobs[t].fds = fds;
    jobs[t].n = n;
  }
  pn_parallel_for(out->nslices, threads, read_slice, jobs, sizeof *jobs);
  int nomem = 0;
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    nomem |= jobs[t].nomem;
    pn_buf_free(&jobs[t].link);
    if (fs->cnt) pn_counters_add(fs->cnt, &jobs[t].cnt);
  }
  if (nomem) {
    pn_fdlinks_free(out);
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

const char *pn_fdlinks_text(const pn_fdlinks *links, size_t i) {
  const char *p = links->texts[i / PN_FDLINKS_SLICE].p;
  return p ? p + links->v[i].at : "";
}
