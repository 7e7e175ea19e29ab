/*
 * sockindex.h: one inode index over the records of several socket sets
 * (the snapshots a scan covers: every kind's files in every namespace).
 *
 * A lookup by inode that visits each snapshot's own index costs one binary
 * search per file and namespace: 13 files in 40 namespaces make 520 of
 * them for every descriptor of an lsof listing. Over one index it is one
 * binary search, however many namespaces there are.
 */
#ifndef PROCNET_SOCKINDEX_H
#define PROCNET_SOCKINDEX_H

#include "sockrec.h"

#include <stddef.h>
#include <stdint.h>

/* A record: its inode, the set it is in (the position in the sets given
 * to pn_sockindex_build) and its position there. */
typedef struct pn_ix_entry {
  uint64_t inode;
  uint32_t part;
  uint32_t rec;
} pn_ix_entry;

typedef struct pn_sockindex {
  pn_ix_entry *v;           /* sorted by inode, then part, then rec */
  size_t n;
} pn_sockindex;

/* Indexes every record of sets[0..nsets) (a NULL set has none), replacing
 * what ix held. 0, or -1 when out of memory or a set is too large to
 * index (ix is then empty). */
int pn_sockindex_build(pn_sockindex *ix, const pn_sockset *const *sets, size_t nsets);

/* The first entry whose inode is `inode`, or ix->n when there is none. */
size_t pn_sockindex_find(const pn_sockindex *ix, uint64_t inode);

void pn_sockindex_free(pn_sockindex *ix);

#endif
