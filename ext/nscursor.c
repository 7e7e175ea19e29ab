/*
 * nscursor.c: the cursor of the tables read one namespace at a time; see
 * nscursor.h.
 */
#include "nscursor.h"
#include "constraint.h"
#include "vtab.h"
SQLITE_EXTENSION_INIT3

int pn_nscursor_best_index(sqlite3_index_info *info, int col_netns, double rows_each,
                           double cost_each) {
  int argc = 0;
  info->idxNum = pn_claim_eq(info, col_netns, &argc, 0, NULL) ? PN_NSCURSOR_NETNS : 0;
  /* every namespace: taken as ten times one */
  double times = info->idxNum ? 1 : 10;
  info->estimatedCost = times * cost_each;
  info->estimatedRows = (sqlite3_int64)(times * rows_each);
  return SQLITE_OK;
}

int pn_nscursor_open(sqlite3_vtab *tab, size_t size, pn_nscursor_load load,
                     sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, size, out);
  if (rc != SQLITE_OK) return rc;
  pn_nscursor *c = (pn_nscursor *)*out;
  c->walk.at = -1;
  c->load = load;
  return SQLITE_OK;
}

void pn_nscursor_free(pn_nscursor *c) {
  pn_nswalk_end(&c->walk);
  pn_cursor_free(&c->pc);
}

int pn_nscursor_next(sqlite3_vtab_cursor *cur) {
  pn_nscursor *c = (pn_nscursor *)cur;
  c->row++;
  c->rowid++;
  while (c->row >= c->nrows) {
    if (!pn_nswalk_next(&c->walk)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    c->row = 0;
    c->nrows = 0;
    int rc = c->load(c, &c->nrows);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

int pn_nscursor_filter(pn_nscursor *c, int idxNum, sqlite3_value **argv, int protocol) {
  pn_ctx *ctx = ((pn_vtab *)c->pc.base.pVtab)->ctx;
  sqlite3_int64 only = 0;
  c->pc.eof = 0;
  c->row = c->nrows = 0;
  c->rowid = 0;
  if ((idxNum & PN_NSCURSOR_NETNS) && (!pn_value_int64(argv[0], &only) || only <= 0)) {
    c->pc.eof = 1; /* equals no namespace */
    return SQLITE_OK;
  }
  int rc = pn_nswalk_start(&c->walk, &c->pc.fs, &c->pc.buf, ctx->netlink, protocol,
                           (uint64_t)only);
  /* past the (no) rows before the first namespace: next loads it */
  return rc == SQLITE_OK ? pn_nscursor_next(&c->pc.base) : rc;
}

int pn_nscursor_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((pn_nscursor *)cur)->rowid;
  return SQLITE_OK;
}

void pn_nscursor_result_netns(const pn_nscursor *c, sqlite3_context *ctx) {
  const pn_netns *ns = pn_nswalk_ns(&c->walk);
  if (ns && ns->known) sqlite3_result_int64(ctx, (sqlite3_int64)ns->key);
}
