/*
 * netscan.c: the module of every socket table; see netscan.h for what it
 * does and the idxNum bits, netcur.h for its cursor, and netlookup.c for
 * its lookups by inode.
 */
#include "netcur.h"

#include "sockcol.h"
SQLITE_EXTENSION_INIT3

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const pn_nettable *desc_of(sqlite3_vtab *tab) {
  return ((pn_vtab *)tab)->desc;
}

/* ---- planning ------------------------------------------------------------- */

/* The column holding field f, or -1. */
static int column_of(const pn_nettable *t, pn_field f) {
  for (int col = 0; col < t->ncols; col++)
    if (t->fields[col] == f) return col;
  return -1;
}

static int is_used(sqlite3_uint64 used, int col) {
  return (used & ((sqlite3_uint64)1 << (col < 63 ? col : 63))) != 0;
}

/* What the snapshots of kind k must hold for the columns used. */
static unsigned kind_want(const pn_nettable *t, const pn_sockkind *k,
                          sqlite3_uint64 used) {
  unsigned want = 0;
  for (int col = 0; col < t->ncols; col++)
    if (is_used(used, col)) want |= pn_field_want((pn_field)t->fields[col], k);
  return want;
}

/* `family = ?`: which file of an IP kind to read (SQLite still tests the
 * rows: the other kinds are not told apart by file). */
static int claim_family(sqlite3_index_info *info, int col, int *argc) {
  for (int i = 0; col >= 0 && i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    if (!k->usable || k->iColumn != col || k->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    info->aConstraintUsage[i].argvIndex = ++*argc;
    info->aConstraintUsage[i].omit = 0;
    return 1;
  }
  return 0;
}

static int netXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  const pn_nettable *t = desc_of(tab);
  int argc = 0, n_in = 0, idx = 0;
  if (pn_claim_eq(info, column_of(t, PN_F_NS_PID), &argc, 1, &n_in)) idx |= IDX_PID;
  if (n_in) idx |= PN_IDX_PID_LIST;
  if (pn_claim_eq(info, column_of(t, PN_F_NETNS), &argc, 0, NULL)) idx |= IDX_NETNS;
  if (pn_claim_eq(info, column_of(t, PN_F_INODE), &argc, 0, NULL)) idx |= IDX_INODE;
  n_in = 0;
  if (pn_claim_eq(info, column_of(t, PN_F_LOCAL_PORT), &argc, 1, &n_in)) idx |= IDX_LPORT;
  if (n_in) idx |= IDX_LPORT_LIST;
  n_in = 0;
  if (pn_claim_eq(info, column_of(t, PN_F_REMOTE_PORT), &argc, 1, &n_in)) idx |= IDX_RPORT;
  if (n_in) idx |= IDX_RPORT_LIST;
  if (claim_family(info, column_of(t, PN_F_FAMILY), &argc)) idx |= IDX_FAMILY;
  int col_kind = column_of(t, PN_F_KIND);
  if (col_kind >= 0) idx |= pn_claim_names(info, col_kind, &argc, IDX_KIND);
  for (int i = 0; i < info->nConstraint; i++)
    if (info->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_LIMIT) idx |= IDX_LAZY;
  ((pn_vtab *)tab)->planned_cols = info->colUsed;
  info->idxStr = sqlite3_mprintf("%llx", (unsigned long long)info->colUsed);
  if (!info->idxStr) return SQLITE_NOMEM;
  info->needToFreeIdxStr = 1;
  double per_kind = 5000.0;
  int nkinds = !(idx & IDX_KIND) ? t->nkinds
               : (idx & (PN_IDX_NAME_LIST * 0xff)) ? 2 : 1; /* a list: a guess */
  if (idx & IDX_INODE) {
    info->estimatedCost = 10.0; /* amortised: snapshots are read once */
    info->estimatedRows = 1;
  } else if (idx & (IDX_PID | IDX_NETNS)) {
    info->estimatedCost = per_kind / 10 * nkinds;
    info->estimatedRows = 100;
  } else {
    info->estimatedCost = per_kind * nkinds;
    info->estimatedRows = 1000;
  }
  if (idx & (IDX_LPORT | IDX_RPORT)) { /* the same reads, far fewer rows */
    info->estimatedCost *= 0.9;
    info->estimatedRows = info->estimatedRows / 100 + 1;
  }
  info->idxNum = idx;
  return SQLITE_OK;
}

/* What the snapshots of each kind must hold for the columns used. */
static void plan_wants(pn_netcur *c) {
  for (int k = 0; k < c->t->nkinds && k < 32; k++)
    c->want[k] = kind_want(c->t, c->t->kinds[k], c->used);
}

/* Tells the store what the cursor will ask of each kind of `kinds`. */
static int expect_wants(pn_netcur *c, unsigned kinds) {
  int rc = SQLITE_OK;
  for (int k = 0; rc == SQLITE_OK && k < c->t->nkinds && k < 32; k++)
    rc = pn_sockstore_expect(c->st, c, c->t->kinds[k], (kinds >> k) & 1 ? c->want[k] : 0);
  return rc;
}

static int netXClose(sqlite3_vtab_cursor *cur);

static int netXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  pn_ctx *ctx = ((pn_vtab *)tab)->ctx;
  pn_sockstore *st = pn_sockstore_acquire(ctx);
  if (!st) return SQLITE_NOMEM;
  int rc = pn_cursor_open(tab, sizeof(pn_netcur), out);
  if (rc != SQLITE_OK) {
    pn_sockstore_release(ctx, st);
    return rc;
  }
  pn_netcur *c = (pn_netcur *)*out;
  c->t = desc_of(tab);
  c->st = st;
  /* before any cursor of the statement reads: what this one will ask for,
   * as the plan it most likely runs uses (its xFilter tells it exactly) */
  c->used = ((pn_vtab *)tab)->planned_cols;
  plan_wants(c);
  rc = expect_wants(c, ~0u);
  if (rc != SQLITE_OK) netXClose(*out);
  return rc;
}

static int netXClose(sqlite3_vtab_cursor *cur) {
  pn_netcur *c = (pn_netcur *)cur;
  pn_sockstore_forget(c->st, c);
  pn_sockstore_release(((pn_vtab *)cur->pVtab)->ctx, c->st);
  sqlite3_free(c->targets);
  pn_sockset_free(&c->probe.set);
  sqlite3_free(c->probe.by_inode);
  pn_sockindex_free(&c->ix);
  pn_i64list_free(&c->lports);
  pn_i64list_free(&c->rports);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* Adds a stop for every wanted kind of the table in one namespace. */
static int add_targets(pn_netcur *c, uint64_t key, int known,
                       const int64_t *pids, int npids, int nsfd, int64_t pid) {
  for (int k = 0; k < c->t->nkinds; k++) {
    const pn_sockkind *kind = c->t->kinds[k];
    if (!(c->kinds & (1u << k))) continue;
    for (int f = 0; f < 2 && kind->files[f]; f++) {
      if (kind->fmt == PN_FMT_INET && !(c->inet_files >> f & 1)) continue;
      target *v = pn_array_room(c->targets, (size_t)c->ntargets, &c->tcap, sizeof *v, 16);
      if (!v) return SQLITE_NOMEM;
      c->targets = v;
      target t = {{kind, f, key, known, c->want[k]}, pids, npids, nsfd, pid, -1};
      c->targets[c->ntargets++] = t;
    }
  }
  return SQLITE_OK;
}

static int plan_namespace(pn_netcur *c, const pn_netns *ns) {
  return add_targets(c, ns->key, ns->known, ns->pids, ns->npids, ns->fd, -1);
}

static const pn_nslist *namespaces(pn_netcur *c) {
  return pn_sockstore_namespaces(c->st, &c->pc.fs, &c->pc.buf);
}

static int plan_all(pn_netcur *c) {
  const pn_nslist *l = namespaces(c);
  if (!l) return SQLITE_NOMEM;
  int rc = SQLITE_OK;
  for (int i = 0; rc == SQLITE_OK && i < l->n; i++) rc = plan_namespace(c, &l->v[i]);
  return rc;
}

static int plan_netns(pn_netcur *c, sqlite3_value *v) {
  sqlite3_int64 key;
  if (!pn_value_int64(v, &key)) return SQLITE_OK; /* equals no namespace */
  const pn_nslist *l = namespaces(c);
  if (!l) return SQLITE_NOMEM;
  const pn_netns *ns = pn_nslist_find(l, (uint64_t)key);
  return ns ? plan_namespace(c, ns) : SQLITE_OK;
}

/* `ns_pid = X`: X's own net/ files (its namespace), reported with ns_pid X. */
static int plan_pids(pn_netcur *c, sqlite3_value *v, int is_list) {
  int rc = pn_i64list_from_arg(&c->pc.pids, v, is_list);
  for (int i = 0; rc == SQLITE_OK && i < c->pc.pids.n; i++) {
    const int64_t *pid = &c->pc.pids.v[i];
    uint64_t key;
    int known, err;
    pn_res r = pn_netns_of_pid(&c->pc.fs, *pid, PN_NS_PROBE, &key,
                               &known, &c->pc.buf, &err);
    if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
    if (r == PN_OK) rc = add_targets(c, key, known, pid, 1, -1, *pid);
  }
  return rc;
}

/* With `netns = ?` besides `ns_pid`, keeps the targets in that namespace. */
static void keep_netns(pn_netcur *c, sqlite3_value *v) {
  sqlite3_int64 key;
  int valid = pn_value_int64(v, &key), keep = 0;
  for (int i = 0; i < c->ntargets; i++) {
    const target *t = &c->targets[i];
    if (valid && t->k.known && t->k.key == (uint64_t)key) c->targets[keep++] = *t;
  }
  c->ntargets = keep;
}

/* ---- reading and iterating ------------------------------------------------- */

/* Gives every target from `from` on its snapshot and reads those not yet
 * read: only target `from`'s when the scan is lazy, else all of them at
 * once. */
int pn_netcur_ready(pn_netcur *c, int from) {
  int last = c->lazy || c->probing ? from + 1 : c->ntargets;
  pn_snapjob *jobs = sqlite3_malloc64((size_t)(last - from) * sizeof *jobs);
  if (!jobs) return SQLITE_NOMEM;
  int n = 0;
  for (int i = from; i < last; i++) {
    target *t = &c->targets[i];
    if (t->snap < 0 && (t->snap = pn_snap_of(c->st, &t->k, c)) < 0) {
      sqlite3_free(jobs);
      return SQLITE_NOMEM;
    }
    jobs[n++] = (pn_snapjob){t->snap, t->pids, t->npids, t->nsfd};
  }
  pn_ctx *ctx = ((pn_vtab *)c->pc.base.pVtab)->ctx;
  /* a whole scan (not one socket's lookup) of snapshots whose processes
   * the store holds (not the cursor's ns_pid list): read ahead, while
   * the rows are made */
  int ahead = !c->lazy && !c->probing && !(c->planned.idx & IDX_PID);
  int rc = pn_snaps_read_ahead(c->st, &c->pc.fs, ctx->threads, jobs, n, ahead);
  sqlite3_free(jobs);
  return rc;
}

/* Reads target ti's snapshot if needed (or asks for its one socket) and
 * positions ri at its first candidate row. */
static int enter_target(pn_netcur *c) {
  target *t = &c->targets[c->ti];
  c->ri = 0;
  int probed = 0, rc = SQLITE_OK;
  if (t->snap == -1 && (rc = pn_netcur_probe(c, t, &probed)) != SQLITE_OK) return rc;
  if (probed) {
    c->by_inode = BY_SORTED;
    return pn_snap_find_inode(&c->probe, c->want_inode, &c->ri);
  }
  if (t->snap < 0 || !pn_snap_at(c->st, t->snap)->read) {
    rc = pn_netcur_ready(c, c->ti);
    if (rc != SQLITE_OK) return rc;
  }
  if (!c->by_inode) return SQLITE_OK;
  return pn_netcur_find_inode(c);
}

/* The port of a record as the socket tables show it: an IP socket's, and
 * a netlink socket's port id as its local port (sockets.local_port). 0
 * when the record has none. */
static int record_port(const pn_sockkind *k, const pn_sock *s, int local,
                       int64_t *port) {
  if (k->fmt == PN_FMT_INET) *port = local ? s->local_port : s->remote_port;
  else if (k->fmt == PN_FMT_NETLINK && local) *port = s->portid;
  else return 0;
  return 1;
}

static int port_wanted(const pn_i64list *l, int has, const pn_sockkind *k,
                       const pn_sock *s, int local) {
  int64_t port;
  if (!has) return 1;
  return record_port(k, s, local, &port) && pn_i64list_has(l, port);
}

/* 1 when ri is a row of the scan, 0 when not, -1 when the stream filling
 * the snapshot failed (*rc). */
static int row_is_valid(const pn_netcur *c, int *rc) {
  pn_snap *s = pn_netcur_snap(c);
  if (c->by_inode == BY_ONE) return c->ri == 0 && c->one != SIZE_MAX;
  int has = pn_snap_has_row(s, c->ri, rc);
  if (has <= 0) return has;
  if (c->by_inode && s->by_inode[c->ri].inode != c->want_inode) return 0;
  return 1;
}

/* 1 when the record at ri passes the port tests. */
int pn_netcur_ports_match(const pn_netcur *c) {
  if (!c->has_lports && !c->has_rports) return 1;
  const pn_snap *s = pn_netcur_snap(c);
  const pn_sock *r = &s->set.v[pn_netcur_record(c)];
  return port_wanted(&c->lports, c->has_lports, s->k.kind, r, 1) &&
         port_wanted(&c->rports, c->has_rports, s->k.kind, r, 0);
}

/* The scan is at a row: what xColumn reads, found once for the row's
 * columns (the snapshot stays where it is, sockstore.h). */
int pn_netcur_at_row(pn_netcur *c) {
  const pn_snap *s = pn_netcur_snap(c);
  c->row_snap = s;
  c->row = (pn_sockrow){s->k.kind, &s->set.v[pn_netcur_record(c)], &s->set, c};
  return SQLITE_OK;
}

/* Moves to the next row of the scan from ri on (ri itself included),
 * skipping to the next target until one is found or all are done. */
static int settle(pn_netcur *c) {
  while (c->ti < c->ntargets) {
    int rc = SQLITE_OK, valid = row_is_valid(c, &rc);
    if (valid < 0) return rc;
    if (valid) {
      if (pn_netcur_ports_match(c)) return pn_netcur_at_row(c);
      c->ri++;
      continue;
    }
    if (++c->ti < c->ntargets && (rc = enter_target(c)) != SQLITE_OK) return rc;
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

/* The kinds the kind arguments (argv[first] to the end) allow. */
static int wanted_kinds(const pn_nettable *t, int idxNum, int argc, sqlite3_value **argv,
                        int first, unsigned *mask) {
  const char *names[32]; /* a bit of *mask each; sockets has 8 kinds */
  int n = t->nkinds < 32 ? t->nkinds : 32;
  for (int k = 0; k < n; k++) names[k] = t->kinds[k]->name;
  return pn_names_wanted(names, n, idxNum, argc, argv, first, mask);
}

/* Takes the port arguments of idxNum from argv[*arg] on. */
static int take_ports(pn_netcur *c, int idxNum, sqlite3_value **argv, int *arg) {
  int rc = SQLITE_OK;
  c->has_lports = (idxNum & IDX_LPORT) != 0;
  c->has_rports = (idxNum & IDX_RPORT) != 0;
  if (c->has_lports)
    rc = pn_i64list_from_arg(&c->lports, argv[(*arg)++], idxNum & IDX_LPORT_LIST);
  if (rc == SQLITE_OK && c->has_rports)
    rc = pn_i64list_from_arg(&c->rports, argv[(*arg)++], idxNum & IDX_RPORT_LIST);
  return rc;
}

/* ---- planning a scan ------------------------------------------------------- */

static int same_plan(const plan_key *a, const plan_key *b) {
  return a->valid && b->valid && a->idx == b->idx && a->netns == b->netns &&
         a->kinds == b->kinds && a->inet_files == b->inet_files && a->used == b->used;
}

/* The files of IP kinds that `family = v` lets hold rows. */
static unsigned inet_files_of(sqlite3_value *v) {
  const unsigned char *f = v ? sqlite3_value_text(v) : NULL;
  if (!v) return 3;
  if (f && !strcmp((const char *)f, "IPv4")) return 1;
  if (f && !strcmp((const char *)f, "IPv6")) return 2;
  return 0;
}

/* The targets kept from the last xFilter look again where a probe
 * answered them: a probe holds one lookup's socket. */
static void forget_probes(pn_netcur *c) {
  for (int i = 0; i < c->ntargets; i++)
    if (c->targets[i].snap == PROBE_SNAP) c->targets[i].snap = -1;
}

/* The targets of a scan: every namespace, the one of `netns = ?`, or those
 * of the processes of `ns_pid = ?`, each with the kinds wanted. The same
 * plan as the last xFilter's keeps its targets; a plan by process is made
 * again (the processes may have moved). argv[*arg] on: the ns_pid and
 * netns arguments (as idxNum has them), which it takes. */
static int plan_scan(pn_netcur *c, int idxNum, sqlite3_value **argv, int *arg,
                     sqlite3_uint64 used, unsigned kinds, unsigned inet_files) {
  int rc = SQLITE_OK;
  sqlite3_value *netns = (idxNum & IDX_NETNS) ? argv[*arg + !!(idxNum & IDX_PID)] : NULL;
  plan_key key = {!(idxNum & IDX_PID), idxNum & (IDX_PID | IDX_NETNS), -1, kinds,
                  inet_files, used};
  if (netns && !pn_value_int64(netns, &key.netns)) key.valid = 0; /* matches nothing */
  if (same_plan(&c->planned, &key)) {
    forget_probes(c);
    *arg += !!netns;
    return SQLITE_OK;
  }
  c->ntargets = 0;
  c->ix_built = 0;
  c->kinds = kinds;
  c->inet_files = inet_files;
  c->used = used;
  plan_wants(c);
  if ((rc = expect_wants(c, kinds)) != SQLITE_OK) return rc;
  if (idxNum & IDX_PID) rc = plan_pids(c, argv[(*arg)++], idxNum & PN_IDX_PID_LIST);
  else if (netns) rc = plan_netns(c, netns);
  else rc = plan_all(c);
  if (netns) keep_netns(c, argv[(*arg)++]);
  c->planned = key;
  if (rc != SQLITE_OK) c->planned.valid = 0;
  return rc;
}

static int netXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv) {
  pn_netcur *c = (pn_netcur *)cur;
  int rc = SQLITE_OK, arg = 0;
  unsigned kinds = ~0u;
  c->ti = 0;
  c->pc.eof = 0;
  c->by_inode = 0;
  c->indexed = 0;
  c->lazy = (idxNum & IDX_LAZY) != 0;
  if (idxNum & IDX_KIND) {
    /* the last arguments; the others are read in order below */
    int at = !!(idxNum & IDX_PID) + !!(idxNum & IDX_NETNS) + !!(idxNum & IDX_INODE) +
             !!(idxNum & IDX_LPORT) + !!(idxNum & IDX_RPORT) + !!(idxNum & IDX_FAMILY);
    rc = wanted_kinds(c->t, idxNum, argc, argv, at, &kinds);
    if (rc != SQLITE_OK) return rc;
  }
  sqlite3_uint64 used = idxStr ? strtoull(idxStr, NULL, 16) : ~(sqlite3_uint64)0;
  /* the family's argument follows the inode's and the ports' */
  int fam_at = !!(idxNum & IDX_PID) + !!(idxNum & IDX_NETNS) + !!(idxNum & IDX_INODE) +
               !!(idxNum & IDX_LPORT) + !!(idxNum & IDX_RPORT);
  unsigned files = inet_files_of((idxNum & IDX_FAMILY) ? argv[fam_at] : NULL);
  if (kinds == 0 ||
      (rc = plan_scan(c, idxNum, argv, &arg, used, kinds, files)) != SQLITE_OK) {
    c->pc.eof = 1; /* no such kind: nothing to read */
    return rc;
  }
  c->probing = 0;
  if (idxNum & IDX_INODE) {
    sqlite3_int64 inode = 0;
    if (!pn_value_int64(argv[arg++], &inode)) { /* equals no row */
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    c->want_inode = (uint64_t)inode;
    c->by_inode = BY_SORTED;
    c->probing = c->lookups++ < PN_PROBE_LOOKUPS;
  }
  rc = take_ports(c, idxNum, argv, &arg);
  if (rc == SQLITE_OK && pn_netcur_lookup_indexed(c)) return pn_netcur_start_indexed(c);
  if (rc == SQLITE_OK && c->ntargets) rc = enter_target(c);
  if (rc == SQLITE_OK) rc = settle(c);
  return rc;
}

static int netXNext(sqlite3_vtab_cursor *cur) {
  pn_netcur *c = (pn_netcur *)cur;
  if (c->indexed) {
    c->mi++;
    return pn_netcur_settle_indexed(c);
  }
  c->ri++;
  return settle(c);
}

static int netXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  pn_netcur *c = (pn_netcur *)cur;
  *rowid = ((sqlite3_int64)c->targets[c->ti].snap << 32) |
           (sqlite3_int64)pn_netcur_record(c);
  return SQLITE_OK;
}

static int netXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  pn_netcur *c = (pn_netcur *)cur;
  pn_field f = (pn_field)c->t->fields[col];
  if (f == PN_F_NS_PID) {
    int64_t pid = c->targets[c->ti].pid;
    if (pid >= 0) sqlite3_result_int64(ctx, pid);
    return SQLITE_OK;
  }
  if (f == PN_F_NETNS) {
    if (c->row_snap->k.known) sqlite3_result_int64(ctx, (sqlite3_int64)c->row_snap->k.key);
    return SQLITE_OK;
  }
  return pn_sock_field(&c->row, ctx, f);
}

const sqlite3_module pn_net_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = netXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = netXOpen,
    .xClose = netXClose,
    .xFilter = netXFilter,
    .xNext = netXNext,
    .xEof = pn_cursor_eof,
    .xColumn = netXColumn,
    .xRowid = netXRowid,
};

int pn_sockrow_ifname(const pn_sockrow *r, uint32_t ifindex, char out[16]) {
  const pn_netcur *c = r->cur;
  const target *t = &c->targets[c->ti];
  int n = pn_sockstore_ifname(c->st, &c->pc.fs, &pn_netcur_snap(c)->k, t->pids,
                              t->npids, t->nsfd, ifindex, out);
  return n < 0 ? 0 : n;
}
