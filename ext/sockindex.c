/*
 * sockindex.c: one inode index over several socket sets; see sockindex.h.
 */
#include "sockindex.h"

#include "sort.h"
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

static int cmp_entry(const void *a, const void *b) {
  const pn_ix_entry *x = a, *y = b;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  if (x->part != y->part) return x->part < y->part ? -1 : 1;
  return (x->rec > y->rec) - (x->rec < y->rec);
}

static size_t count_records(const pn_sockset *const *sets, size_t nsets, int *too_big) {
  size_t n = 0;
  *too_big = nsets > UINT32_MAX;
  for (size_t i = 0; i < nsets && !*too_big; i++) {
    size_t k = sets[i] ? sets[i]->n : 0;
    if (k > UINT32_MAX || n > SIZE_MAX / sizeof(pn_ix_entry) - k) *too_big = 1;
    else n += k;
  }
  return n;
}

int pn_sockindex_build(pn_sockindex *ix, const pn_sockset *const *sets, size_t nsets) {
  int too_big;
  size_t n = count_records(sets, nsets, &too_big);
  pn_sockindex_free(ix);
  if (too_big) return -1;
  ix->v = sqlite3_malloc64((n ? n : 1) * sizeof *ix->v);
  if (!ix->v) return -1;
  for (size_t i = 0; i < nsets; i++)
    for (size_t r = 0; sets[i] && r < sets[i]->n; r++)
      ix->v[ix->n++] = (pn_ix_entry){sets[i]->v[r].inode, (uint32_t)i, (uint32_t)r};
  pn_sort(ix->v, ix->n, sizeof *ix->v, cmp_entry);
  return 0;
}

size_t pn_sockindex_find(const pn_sockindex *ix, uint64_t inode) {
  size_t at = pn_lower_bound_u64(ix->v, ix->n, sizeof *ix->v, inode);
  return at < ix->n && ix->v[at].inode == inode ? at : ix->n;
}

void pn_sockindex_free(pn_sockindex *ix) {
  sqlite3_free(ix->v);
  ix->v = NULL;
  ix->n = 0;
}
