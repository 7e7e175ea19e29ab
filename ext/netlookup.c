/*
 * netlookup.c: the socket tables' lookups by inode (`inode = ?`, netscan.h).
 *
 * The first few lookups of a cursor (a query about one socket) ask the
 * kernel for that socket where it can name it (a unix socket by inode; an
 * IP socket's extensions by its addresses), instead of reading every
 * namespace's snapshot. The lookups after them (the inner loop of a join,
 * as the lsof views' descriptor arm) read every target's snapshot once and
 * search one index of all their records (sockindex.h): one binary search
 * a lookup, however many namespaces.
 */
#include "netcur.h"

#include "sock_diag.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- one socket from the kernel ---------------------------------------------- */

/* The snapshot of t's file without the extensions, read with its
 * sibling file (tcp with tcp6: one dump for both); its index or -1. */
static int base_snapshot(pn_netcur *c, const target *t, int *rc) {
  pn_snapkey base = t->k;
  pn_snapjob jobs[2];
  int n = 0, mine = -1;
  base.want &= ~(unsigned)(PN_WANT_INFO | PN_WANT_MEM);
  for (int f = 0; f < 2 && t->k.kind->files[f]; f++) {
    base.file = f;
    int i = pn_snap_of(c->st, &base, c);
    if (i < 0) {
      *rc = SQLITE_NOMEM;
      return -1;
    }
    if (f == t->k.file) mine = i;
    jobs[n++] = (pn_snapjob){i, t->pids, t->npids, t->nsfd};
  }
  pn_ctx *ctx = ((pn_vtab *)c->pc.base.pVtab)->ctx;
  *rc = pn_snaps_read(c->st, &c->pc.fs, ctx->threads, jobs, n);
  return *rc == SQLITE_OK ? mine : -1;
}

/* An IP socket: found in the snapshot without extensions, which are then
 * asked for it alone. */
static pn_res probe_inet(pn_netcur *c, target *t, int fd, int *rc, int *err) {
  size_t at;
  int i = base_snapshot(c, t, rc);
  if (i < 0) return PN_FAIL;
  pn_snap *s = pn_snap_at(c->st, i);
  if ((*rc = pn_snap_find_inode(s, c->want_inode, &at)) != SQLITE_OK) return PN_FAIL;
  if (at >= s->set.n || s->by_inode[at].inode != c->want_inode) return PN_OK;
  if (!pn_sockset_push(&c->probe.set, &s->set.v[s->by_inode[at].rec])) {
    *rc = SQLITE_NOMEM;
    return PN_FAIL;
  }
  c->probe.set.v[0].x = 0;
  if (c->pc.fs.cnt) c->pc.fs.cnt->netlink_requests++;
  pn_res r = pn_diag_add_extras(fd, t->k.kind, 0, t->k.want, &c->probe.set, err);
  /* not found so (gone since, or a lookup the kernel cannot make): the
   * snapshot will tell */
  return r == PN_OK && !c->probe.set.v[0].x ? PN_GONE : r;
}

/* The one socket of an inode lookup, from the kernel: a unix socket by its
 * inode; an IP socket found in its namespace's snapshot without the
 * extensions, which are then asked for that socket alone. *done: the probe
 * holds the target's answer. */
static int probe_with(pn_netcur *c, target *t, int fd, int *done) {
  pn_snap *p = &c->probe;
  pn_res r;
  int err = 0, rc = SQLITE_OK;
  pn_sockset_clear(&p->set);
  if (t->k.kind->fmt == PN_FMT_UNIX) {
    if (c->pc.fs.cnt) c->pc.fs.cnt->netlink_requests++;
    r = pn_diag_read_unix_one(fd, c->want_inode, t->k.want, &p->set, &err);
  } else {
    r = probe_inet(c, t, fd, &rc, &err);
    if (rc != SQLITE_OK) return rc;
  }
  if (r == PN_FAIL && err == ENOMEM) return SQLITE_NOMEM;
  if (r != PN_OK) return SQLITE_OK; /* the snapshot will do */
  sqlite3_free(p->by_inode);
  p->by_inode = NULL;
  p->k = t->k;
  p->read = 1;
  t->snap = PROBE_SNAP;
  *done = 1;
  return SQLITE_OK;
}

/* Whether target t's lookup is worth a request of its own: the answer
 * needs nothing from the text files, no reader of this connection has
 * already made the snapshot, and the kernel can name the socket (unix),
 * or the lookup wants an IP socket's extensions (which a snapshot would
 * ask for every socket). */
static int worth_probing(pn_netcur *c, const target *t) {
  if (!c->probing || c->want_inode == 0 || (t->k.want & PN_WANT_TEXT)) return 0;
  if (pn_snap_find(c->st, &t->k) >= 0) return 0;
  if (t->k.kind->fmt == PN_FMT_UNIX) return 1;
  return t->k.kind->fmt == PN_FMT_INET && (t->k.want & (PN_WANT_INFO | PN_WANT_MEM));
}

int pn_netcur_probe(pn_netcur *c, target *t, int *done) {
  *done = 0;
  if (!worth_probing(c, t)) return SQLITE_OK;
  pn_snapjob job = {-1, t->pids, t->npids, t->nsfd};
  int fd = pn_sockstore_diag_socket(c->st, &c->pc.fs, &t->k, &job);
  if (fd < 0) return SQLITE_OK;
  int rc = probe_with(c, t, fd, done);
  close(fd);
  return rc;
}

/* Positions ri at the first record of the current snapshot whose inode
 * is the one looked up. In a snapshot still being streamed, a socket's
 * inode (not 0) is looked up among the records come so far, waiting for
 * more only while it has not come: a socket is listed once. */
int pn_netcur_find_inode(pn_netcur *c) {
  pn_snap *s = pn_netcur_snap(c);
  c->by_inode = BY_SORTED;
  if (!s->fill || c->want_inode == 0)
    return pn_snap_find_inode(s, c->want_inode, &c->ri);
  c->by_inode = BY_ONE;
  return pn_snap_find_one(s, c->want_inode, &c->one);
}

/* settle() for a lookup through the index: the next entry of the inode
 * from mi on that passes the port tests. */
int pn_netcur_settle_indexed(pn_netcur *c) {
  for (; c->mi < c->ix.n && c->ix.v[c->mi].inode == c->want_inode; c->mi++) {
    c->ti = (int)c->ix.v[c->mi].part;
    c->ri = c->ix.v[c->mi].rec;
    if (pn_netcur_ports_match(c)) return pn_netcur_at_row(c);
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

/* Whether this lookup goes through the index of every target's records:
 * a lookup that follows others of the same plan (the probes are behind
 * it) over more than one target, with every snapshot wanted at once. */
int pn_netcur_lookup_indexed(const pn_netcur *c) {
  return c->by_inode && !c->probing && !c->lazy && c->ntargets > 1;
}

/* Reads every target's snapshot and indexes their records, once a plan. */
static int build_index(pn_netcur *c) {
  if (c->ix_built) return SQLITE_OK;
  int rc = pn_netcur_ready(c, 0);
  if (rc != SQLITE_OK) return rc;
  const pn_sockset **sets = sqlite3_malloc64((size_t)c->ntargets * sizeof *sets);
  if (!sets) return SQLITE_NOMEM;
  for (int i = 0; rc == SQLITE_OK && i < c->ntargets; i++) {
    pn_snap *s = pn_snap_at(c->st, c->targets[i].snap);
    rc = pn_snap_complete(s); /* a stream may still be filling it */
    sets[i] = &s->set;
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(sets);
    return rc;
  }
  rc = pn_sockindex_build(&c->ix, sets, (size_t)c->ntargets) ? SQLITE_NOMEM : SQLITE_OK;
  sqlite3_free(sets);
  c->ix_built = rc == SQLITE_OK;
  return rc;
}

int pn_netcur_start_indexed(pn_netcur *c) {
  int rc = build_index(c);
  if (rc != SQLITE_OK) return rc;
  c->indexed = 1;
  c->by_inode = 0; /* ri is a record of the target, not a position */
  c->mi = pn_sockindex_find(&c->ix, c->want_inode);
  return pn_netcur_settle_indexed(c);
}
