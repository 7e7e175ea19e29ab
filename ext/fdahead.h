/*
 * fdahead.h: the descriptor listings of a walk over many processes, read by
 * a helper thread a few processes ahead of the rows.
 *
 * The fds walk spends most of its time in the kernel, listing PID/fd and
 * reading one link per descriptor, and the rest making rows (SQLite, the
 * socket lookups, the caller's printing). While the statement makes the
 * rows of one process, the helper lists the next processes' descriptors and
 * reads their links, so that on a machine with two CPUs each does one half.
 * Only the listing and the links are read ahead: a row's other parts (stat,
 * fdinfo) are still read when a column asks for them.
 *
 * The helper keeps at most PN_FDAHEAD_DEPTH processes ready. The links of
 * a listing of PN_FDAHEAD_MAX_LINKS descriptors or more are left to the
 * reader, which shares a big listing out to all its threads a window at a
 * time (fdscan.h) and so keeps no whole copy of it. The item of pids[i] is
 * the reader's from pn_fdahead_get(a, i) until it asks for a later one;
 * the reader may swap the item's buffers for its own (the helper lists
 * into the descriptor numbers it finds there, and frees the links before
 * reading new ones). Nothing here calls SQLite but its allocator (see
 * pn_threads_allowed). What the helper read is counted when it stops.
 */
#ifndef PROCNET_FDAHEAD_H
#define PROCNET_FDAHEAD_H

#include "fdscan.h"
#include "sqlite3ext.h"

#include <stdint.h>

#define PN_FDAHEAD_DEPTH 4
#define PN_FDAHEAD_MAX_LINKS PN_FDLINKS_WINDOW

typedef struct pn_fdahead_item {
  pn_res res;               /* of opening PID and listing PID/fd */
  int err;
  pn_fdnums fds;            /* the listing, ascending (res PN_OK) */
  int have_links;           /* links holds the link of each descriptor of
                               it (0: a big listing, left to the reader) */
  pn_fdlinks links;
  int nomem;                /* the helper ran out of memory reading it */
} pn_fdahead_item;

typedef struct pn_fdahead pn_fdahead;

/* Starts the helper on pids[0..n) (copied), reading through fs's root.
 * SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR when no thread could start (the
 * caller then reads as it would without one). */
int pn_fdahead_start(pn_fdahead **out, const pn_fs *fs, const int64_t *pids,
                     size_t n);

/* The item of pids[i], once read; i at least the last one asked for and
 * below n. The items before i are given back to the helper. */
pn_fdahead_item *pn_fdahead_get(pn_fdahead *a, size_t i);

/* Stops and joins the helper, adds what it read to cnt (may be NULL) and
 * frees everything. a may be NULL. */
void pn_fdahead_stop(pn_fdahead *a, pn_counters *cnt);

#endif
