/*
 * netcur.h: a socket table's cursor, shared by the two files of the module:
 * netscan.c (the module: plans, scans, columns) and netlookup.c (lookups
 * by inode: one socket asked of the kernel, then one index of every
 * target). Not for the tables: they see netscan.h.
 */
#ifndef PROCNET_NETCUR_H
#define PROCNET_NETCUR_H

#include "netscan.h"
#include "sockindex.h"
#include "sockstore.h"

#include <stdint.h>

#define IDX_PID 0x1
#define IDX_NETNS 0x2
#define IDX_INODE 0x4
#define IDX_LAZY 0x8
#define IDX_KIND 0x10
#define IDX_LPORT 0x20
#define IDX_RPORT 0x40
#define IDX_FAMILY 0x80
#define IDX_LPORT_LIST 0x10000000
#define IDX_RPORT_LIST 0x20000000

/* The first inode lookups of a cursor (a query about one socket) ask the
 * kernel for that one socket where it can name it, instead of reading the
 * snapshot of every namespace; a cursor that is the inner loop of a join
 * reads the snapshots after those, once. */
#define PN_PROBE_LOOKUPS 4
#define PROBE_SNAP -2           /* target.snap: answered in the cursor's probe */
#define BY_SORTED 1
#define BY_ONE 2

/* One stop of the scan: a file of a kind in a namespace, with the
 * processes to read it through. */
typedef struct target {
  pn_snapkey k;
  const int64_t *pids;      /* into the store's namespaces or the pid list */
  int npids;
  int nsfd;                 /* the namespace's mount when no process is in
                               it (the store's), else -1 */
  int64_t pid;              /* the ns_pid the rows report, or -1 */
  int snap;                 /* -1 until the scan gets there, or PROBE_SNAP */
} target;

/* What the targets of an xFilter were planned from: when the next xFilter
 * asks the same (the inner loop of a join, looking up one inode after
 * another), its targets and their snapshots are kept, not planned again. */
typedef struct plan_key {
  int valid;
  int idx;                  /* idxNum's bits that choose namespaces */
  sqlite3_int64 netns;      /* the netns = ? argument (IDX_NETNS) */
  unsigned kinds;
  unsigned inet_files;      /* bit f: an IP kind's file f may hold rows */
  sqlite3_uint64 used;
} plan_key;

typedef struct pn_netcur {
  pn_cursor pc;             /* pc.pids: the ns_pid values */
  const pn_nettable *t;
  pn_sockstore *st;
  target *targets;
  int ntargets;
  size_t tcap;
  plan_key planned;         /* what targets were planned for */
  pn_sockrow row;           /* the row the scan is at, for xColumn */
  const pn_snap *row_snap;  /* and its snapshot */
  unsigned want[32];        /* for each kind of the table (< 32), what its
                               snapshots must hold for `used` */
  int ti;                   /* current target */
  size_t ri;                /* record, or position in by_inode */
  int by_inode;             /* iterating an inode lookup: BY_SORTED
                               (positions in by_inode) or BY_ONE (the
                               record `one`, found in a snapshot being
                               streamed: ri 0 is it) */
  size_t one;               /* BY_ONE: the record, SIZE_MAX: none */
  int lazy;                 /* read each snapshot only when reached */
  unsigned kinds;           /* bit k: t->kinds[k] is wanted */
  unsigned inet_files;      /* bit f: an IP kind's file f is read (file 0
                               holds IPv4 sockets, 1 IPv6: `family = ?`) */
  sqlite3_uint64 used;      /* the columns the query uses */
  uint64_t want_inode;
  int lookups;              /* inode lookups made (xFilter calls) */
  int probing;              /* this lookup may ask for one socket */
  pn_snap probe;            /* what was asked for one socket: its target's
                               answer while the scan is there */
  pn_i64list lports, rports; /* ports asked for, when IDX_*PORT */
  int has_lports, has_rports;
  /* The inner loop of a join over several targets looks inodes up in one
   * index of all their records (sockindex.h), built once per plan. */
  pn_sockindex ix;          /* part: the target */
  int ix_built;
  int indexed;              /* this lookup iterates ix from mi */
  size_t mi;
} pn_netcur;

/* The snapshot of the target the scan is at (or the probe's answer). */
static inline pn_snap *pn_netcur_snap(const pn_netcur *c) {
  int snap = c->targets[c->ti].snap;
  return snap == PROBE_SNAP ? (pn_snap *)&c->probe : pn_snap_at(c->st, snap);
}

static inline size_t pn_netcur_record(const pn_netcur *c) {
  if (c->by_inode == BY_ONE) return c->one;
  return c->by_inode ? pn_netcur_snap(c)->by_inode[c->ri].rec : c->ri;
}

/* ---- netscan.c ---------------------------------------------------------------- */

/* Gives every target from `from` on its snapshot and reads those not yet
 * read (netscan.c says which at once). */
int pn_netcur_ready(pn_netcur *c, int from);
/* 1 when the record the scan is at passes the port tests. */
int pn_netcur_ports_match(const pn_netcur *c);
/* The scan is at a row: what xColumn reads. */
int pn_netcur_at_row(pn_netcur *c);

/* ---- netlookup.c -------------------------------------------------------------- */

/* Asks the kernel for the one socket of an inode lookup in target t where
 * that is worth it (*done: the probe holds t's answer). */
int pn_netcur_probe(pn_netcur *c, target *t, int *done);
/* Positions the scan at the first record of the current snapshot whose
 * inode is the one looked up. */
int pn_netcur_find_inode(pn_netcur *c);
/* Whether this lookup goes through the index of every target's records. */
int pn_netcur_lookup_indexed(const pn_netcur *c);
/* Starts such a lookup (the index built once a plan): at its first row. */
int pn_netcur_start_indexed(pn_netcur *c);
/* The next row of such a lookup, from c->mi on. */
int pn_netcur_settle_indexed(pn_netcur *c);

#endif
