/*
 * locks.c: the lock characters of /proc/locks; see locks.h.
 */
#include "locks.h"

#include "parse.h"
#include "sort.h"
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <string.h>

void pn_locks_free(pn_locks *l) {
  sqlite3_free(l->v);
  memset(l, 0, sizeof *l);
}

/* Orders by (pid, device, inode); equal keys compare 0. */
static int cmp_key(const pn_lock_ref *x, const pn_lock_ref *y) {
  if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
  if (x->dev_major != y->dev_major) return x->dev_major < y->dev_major ? -1 : 1;
  if (x->dev_minor != y->dev_minor) return x->dev_minor < y->dev_minor ? -1 : 1;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return 0;
}

static int cmp_ref(const void *a, const void *b) {
  const pn_lock_ref *x = a, *y = b;
  int c = cmp_key(x, y);
  if (c) return c;
  return (x->line > y->line) - (x->line < y->line);
}

/* lsof's character: the type, upper case for the whole file (from 0 to
 * the end: EOF, or the kernel's old OFFSET_MAX). 0 for what lsof skips:
 * waiters and leases being broken. */
static char lock_char(const pn_lock_line *k) {
  if (k->waiting || (k->type != 'R' && k->type != 'W')) return 0;
  int whole = k->start == 0 && (k->to_eof || k->end == 0x7fffffff);
  return whole ? (char)k->type : (char)(k->type - 'A' + 'a');
}

static int add_line(pn_locks *l, pn_str line, size_t no) {
  pn_lock_line k;
  if (pn_parse_lock_line(line.p, line.n, &k) != 0) return 0;
  char type = lock_char(&k);
  if (!type) return 0;
  pn_lock_ref *v = pn_array_room(l->v, l->n, &l->cap, sizeof *v, 16);
  if (!v) return -1;
  l->v = v;
  pn_lock_ref r = {k.pid, k.dev_major, k.dev_minor, k.inode, no, type};
  l->v[l->n++] = r;
  return 0;
}

int pn_locks_load(pn_locks *l, const pn_fs *fs, pn_buf *scratch) {
  int err;
  if (l->loaded) return SQLITE_OK;
  pn_res r = pn_read_file(fs, -1, "locks", scratch, &err);
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  size_t pos = 0, no = 0;
  pn_str line;
  while (r == PN_OK && pn_next_line(scratch->p, scratch->n, &pos, &line))
    if (add_line(l, line, no++) != 0) {
      l->n = 0;
      return SQLITE_NOMEM;
    }
  pn_sort(l->v, l->n, sizeof *l->v, cmp_ref);
  l->loaded = 1;
  return SQLITE_OK;
}

char pn_locks_find(const pn_locks *l, int64_t pid, unsigned dev_major,
                   unsigned dev_minor, uint64_t inode) {
  pn_lock_ref want = {pid, dev_major, dev_minor, inode, 0, 0};
  size_t lo = 0, hi = l->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_key(&l->v[mid], &want) < 0) lo = mid + 1;
    else hi = mid;
  }
  /* lsof keeps the first line of each kind and finds the one kept last */
  char best = 0, seen[4] = {0};
  size_t best_line = 0;
  for (size_t i = lo; i < l->n && cmp_key(&l->v[i], &want) == 0; i++) {
    const char *kinds = "RWrw", *k = strchr(kinds, l->v[i].type);
    if (!k || seen[k - kinds]) continue;
    seen[k - kinds] = 1;
    if (!best || l->v[i].line > best_line) {
      best = l->v[i].type;
      best_line = l->v[i].line;
    }
  }
  return best;
}
