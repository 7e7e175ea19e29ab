/*
 * table_inet_connections.c: `inet_connections`, one row per TCP or
 * connected UDP connection of every namespace, with both ends: src the
 * end that opened it (the client), dst the one that took it (the
 * accepted socket, or a UDP server's bound socket). An end on this host
 * is a socket (netns, inode: join socket_holders for its process); an
 * end off it has only the address and port its peer sees (inode NULL).
 * How the two were found (pairing.h) is `via`: netns, routed, nat,
 * udp-bound, or external. Where a conntrack entry translates the
 * connection: nat 'dnat' and nat_address:nat_port the address the client
 * asked for (a published port), or 'snat' and the address the server sees
 * the client as (masquerade).
 *
 * Everything is read at the first row (conn_gather.h: the socket
 * snapshots every socket table of the statement shares, each namespace's
 * addresses and conntrack table) and paired at once; rows follow in the
 * pairing's order. The connections view adds the processes, users and
 * containers of both ends, and unix sockets, pipes and FIFOs.
 *
 * idxNum: none (the pairing needs every socket of every namespace).
 */
#include "tables.h"
#include "conn_gather.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <string.h>

static const char INET_CONNECTIONS_SCHEMA[] =
    "CREATE TABLE x(kind TEXT, state TEXT, via TEXT,"
    " src_netns INTEGER, src_inode INTEGER, src_address TEXT, src_port INTEGER,"
    " dst_netns INTEGER, dst_inode INTEGER, dst_address TEXT, dst_port INTEGER,"
    " nat TEXT, nat_address TEXT, nat_port INTEGER)";
enum {
  COL_KIND, COL_STATE, COL_VIA, COL_SRC_NETNS, COL_SRC_INODE, COL_SRC_ADDRESS,
  COL_SRC_PORT, COL_DST_NETNS, COL_DST_INODE, COL_DST_ADDRESS, COL_DST_PORT,
  COL_NAT, COL_NAT_ADDRESS, COL_NAT_PORT
};

typedef struct ic_cursor {
  pn_cursor pc;
  pn_sockstore *st;
  pn_conn_input in;
  pn_pair *rows;
  size_t nrows, at;
} ic_cursor;

static int icXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  info->idxNum = 0;
  info->estimatedCost = 50000.0;
  info->estimatedRows = 5000;
  return SQLITE_OK;
}

static int icXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  pn_ctx *ctx = ((pn_vtab *)tab)->ctx;
  pn_sockstore *st = pn_sockstore_acquire(ctx);
  if (!st) return SQLITE_NOMEM;
  int rc = pn_cursor_open(tab, sizeof(ic_cursor), out);
  if (rc != SQLITE_OK) {
    pn_sockstore_release(ctx, st);
    return rc;
  }
  ((ic_cursor *)*out)->st = st;
  return SQLITE_OK;
}

static int icXClose(sqlite3_vtab_cursor *cur) {
  ic_cursor *c = (ic_cursor *)cur;
  pn_sockstore_release(((pn_vtab *)cur->pVtab)->ctx, c->st);
  pn_conn_input_free(&c->in);
  sqlite3_free(c->rows);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* Reads everything and pairs it into c->rows. */
static int pair_all(ic_cursor *c) {
  pn_ctx *ctx = ((pn_vtab *)c->pc.base.pVtab)->ctx;
  int rc = pn_conn_gather(&c->in, c->st, &c->pc.fs, &c->pc.buf, ctx->threads, ctx->netlink);
  if (rc != SQLITE_OK) return rc;
  size_t n = c->in.nep ? c->in.nep : 1;
  sqlite3_free(c->rows);
  c->rows = sqlite3_malloc64(n * sizeof *c->rows);
  uint32_t *scratch = sqlite3_malloc64(PN_PAIRING_SCRATCH(n, c->in.nnat) * sizeof *scratch);
  if (c->rows && scratch) {
    pn_pairing p = {c->in.ep, c->in.nep, c->in.owned, c->in.nowned, c->in.nat, c->in.nnat};
    c->nrows = pn_pair_endpoints(&p, c->rows, scratch);
  }
  sqlite3_free(scratch);
  return c->rows && scratch ? SQLITE_OK : SQLITE_NOMEM;
}

static int icXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  ic_cursor *c = (ic_cursor *)cur;
  c->nrows = c->at = 0;
  int rc = pair_all(c);
  c->pc.eof = c->nrows == 0;
  return rc;
}

static int icXNext(sqlite3_vtab_cursor *cur) {
  ic_cursor *c = (ic_cursor *)cur;
  c->pc.eof = ++c->at >= c->nrows;
  return SQLITE_OK;
}

static int icXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = (sqlite3_int64)((ic_cursor *)cur)->at;
  return SQLITE_OK;
}

/* ---- columns -------------------------------------------------------------------- */

static const char *via_name(int via) {
  switch (via) {
  case PN_VIA_NETNS: return "netns";
  case PN_VIA_ROUTED: return "routed";
  case PN_VIA_NAT: return "nat";
  case PN_VIA_UDP_BOUND: return "udp-bound";
  default: return "external";
  }
}

static void result_static(sqlite3_context *ctx, const char *s) {
  if (s) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}

/* An IPv6-form address as the socket tables write it: a v4-mapped one as
 * IPv4 when family says the socket is IPv4. */
static void result_addr(sqlite3_context *ctx, int family, const uint8_t *addr) {
  char text[46];
  size_t n = pn_format_addr(family, addr, text);
  sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

static int is_mapped(const uint8_t a[16]) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(a, prefix, 12) == 0;
}

/* A NAT entry's address (IPv6 form) in the family its flow was tracked in. */
static void result_nat_addr(sqlite3_context *ctx, const uint8_t a[16]) {
  if (is_mapped(a)) result_addr(ctx, 4, a + 12);
  else result_addr(ctx, 6, a);
}

/* Where an end is, as an address (port 0) or a port (port 1):
 *  - a connected socket here: its own local address;
 *  - a UDP server's bound socket: where its client sent (its bound
 *    address may be a wildcard), or through NAT, where the entry sent it;
 *  - an end off this host: through NAT, where the entry says it is (the
 *    client as first seen, the server it was translated to); else where
 *    its peer's socket sends. */
static void result_end_addr(ic_cursor *c, sqlite3_context *ctx, const pn_pair *r, int dst,
                            int port) {
  int self = dst ? r->dst : r->src, other = dst ? r->src : r->dst;
  const pn_nat *n = r->nat >= 0 ? &c->in.nat[r->nat] : NULL;
  if (self >= 0 && c->in.ep[self].role == PN_EP_CONNECTED) {
    const pn_ep_show *w = &c->in.show[self];
    if (port) sqlite3_result_int(ctx, c->in.ep[self].lport);
    else result_addr(ctx, w->family, w->local);
  } else if (n) {
    if (port) sqlite3_result_int(ctx, dst ? n->rsport : n->osport);
    else result_nat_addr(ctx, dst ? n->rsrc : n->osrc);
  } else if (other >= 0) {
    const pn_ep_show *o = &c->in.show[other];
    if (port) sqlite3_result_int(ctx, c->in.ep[other].rport);
    else result_addr(ctx, o->family, o->remote);
  }
}

static void result_nat(ic_cursor *c, sqlite3_context *ctx, const pn_pair *r, int col) {
  if (r->nat < 0) return;
  const pn_nat *n = &c->in.nat[r->nat];
  if (col == COL_NAT) result_static(ctx, n->dnat ? "dnat" : "snat");
  else if (col == COL_NAT_ADDRESS) result_nat_addr(ctx, n->dnat ? n->odst : n->rdst);
  else sqlite3_result_int(ctx, n->dnat ? n->odport : n->rdport);
}

static void result_end(ic_cursor *c, sqlite3_context *ctx, int end, int netns) {
  if (end < 0) return;
  if (!netns) sqlite3_result_int64(ctx, (sqlite3_int64)c->in.ep[end].inode);
  else if (c->in.show[end].known) sqlite3_result_int64(ctx, (sqlite3_int64)c->in.ep[end].netns);
}

static int icXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  ic_cursor *c = (ic_cursor *)cur;
  const pn_pair *r = &c->rows[c->at];
  int one = r->src >= 0 ? r->src : r->dst; /* an end on this host */
  switch (col) {
  case COL_KIND: result_static(ctx, c->in.ep[one].kind == PN_EP_TCP ? "tcp" : "udp"); break;
  case COL_STATE: result_static(ctx, c->in.show[one].state); break;
  case COL_VIA: result_static(ctx, via_name(r->via)); break;
  case COL_SRC_NETNS: result_end(c, ctx, r->src, 1); break;
  case COL_SRC_INODE: result_end(c, ctx, r->src, 0); break;
  case COL_SRC_ADDRESS: result_end_addr(c, ctx, r, 0, 0); break;
  case COL_SRC_PORT: result_end_addr(c, ctx, r, 0, 1); break;
  case COL_DST_NETNS: result_end(c, ctx, r->dst, 1); break;
  case COL_DST_INODE: result_end(c, ctx, r->dst, 0); break;
  case COL_DST_ADDRESS: result_end_addr(c, ctx, r, 1, 0); break;
  case COL_DST_PORT: result_end_addr(c, ctx, r, 1, 1); break;
  default: result_nat(c, ctx, r, col); break;
  }
  return SQLITE_OK;
}

static const sqlite3_module inet_connections_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = icXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = icXOpen,
    .xClose = icXClose,
    .xFilter = icXFilter,
    .xNext = icXNext,
    .xEof = pn_cursor_eof,
    .xColumn = icXColumn,
    .xRowid = icXRowid,
};

const sqlite3_module *pn_inet_connections_module(void) { return &inet_connections_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_inet_connections_schema = INET_CONNECTIONS_SCHEMA;
