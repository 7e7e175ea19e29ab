/*
 * sockindex.c: one inode index over several socket sets; see sockindex.h.
 */
#include "sockindex.h"

#include "sort.h"
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

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
  pn_ix_entry *tmp = sqlite3_malloc64((n ? n : 1) * sizeof *tmp);
  if (!ix->v || !tmp) {
    sqlite3_free(tmp);
    pn_sockindex_free(ix);
    return -1;
  }
  /* in the order of part, then rec: the sort keeps it for equal inodes */
  for (size_t i = 0; i < nsets; i++)
    for (size_t r = 0; sets[i] && r < sets[i]->n; r++)
      ix->v[ix->n++] = (pn_ix_entry){sets[i]->v[r].inode, (uint32_t)i, (uint32_t)r};
  pn_sort_by_key64(ix->v, tmp, ix->n, sizeof *ix->v);
  sqlite3_free(tmp);
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
