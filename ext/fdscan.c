/*
 * fdscan.c: listing a process's descriptors and reading their links; see
 * fdscan.h.
 */
#include "fdscan.h"

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
