/*
 * table_conntrack.c: `conntrack`, one row per flow the kernel tracks, in
 * every network namespace: what `conntrack -L` shows, run in each
 * namespace. The original tuple is the flow as its initiator sent it; the
 * reply tuple, where the answers come from and go to. They differ where
 * the namespace translates: `dnat` (a published port: the reply comes
 * from another address or port than the original went to) and `snat`
 * (masquerade: the reply goes to another address than the original came
 * from). Joined with the socket tables, this is how a connection is
 * followed through NAT (the connections view).
 *
 * Source per namespace (conntrack.h): ctnetlink where netlink may reach
 * it (as sock_diag: procnet_netlink(), root for other namespaces), else
 * the text file PID/net/nf_conntrack; a namespace neither reaches (a
 * mounted one without netlink, a kernel without the file) has no rows.
 *
 * idxNum bits:
 *   0x1   `netns = ?`: that namespace alone (PN_NSCURSOR_NETNS)
 * argv order: netns (when 0x1).
 */
#include "tables.h"
#include "conntrack.h"
#include "netlink.h"
#include "nscursor.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <linux/netlink.h>
#include <stdio.h>

static const char CONNTRACK_SCHEMA[] =
    "CREATE TABLE x(netns INTEGER, family TEXT, protocol TEXT, state TEXT,"
    " timeout INTEGER, orig_src TEXT, orig_sport INTEGER, orig_dst TEXT,"
    " orig_dport INTEGER, reply_src TEXT, reply_sport INTEGER, reply_dst TEXT,"
    " reply_dport INTEGER, assured INTEGER, unreplied INTEGER, dnat INTEGER,"
    " snat INTEGER, mark INTEGER, zone INTEGER)";
enum {
  COL_NETNS, COL_FAMILY, COL_PROTOCOL, COL_STATE, COL_TIMEOUT, COL_ORIG_SRC,
  COL_ORIG_SPORT, COL_ORIG_DST, COL_ORIG_DPORT, COL_REPLY_SRC, COL_REPLY_SPORT,
  COL_REPLY_DST, COL_REPLY_DPORT, COL_ASSURED, COL_UNREPLIED, COL_DNAT,
  COL_SNAT, COL_MARK, COL_ZONE
};

typedef struct ct_cursor {
  pn_nscursor nc;
  pn_ctset set;             /* the entries of the namespace walked */
} ct_cursor;

static int ctXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  return pn_nscursor_best_index(info, COL_NETNS, 100, 100);
}

/* The table of the namespace the walk is at (conntrack.h). */
static int load_namespace(pn_nscursor *nc, size_t *nrows) {
  ct_cursor *c = (ct_cursor *)nc;
  int err;
  c->set.n = 0;
  pn_res r = pn_conntrack_read(&nc->pc.fs, pn_nswalk_ns(&nc->walk), pn_nswalk_link(&nc->walk),
                               &c->set, &err);
  *nrows = c->set.n;
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
}

static int ctXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  return pn_nscursor_open(tab, sizeof(ct_cursor), load_namespace, out);
}

static int ctXClose(sqlite3_vtab_cursor *cur) {
  ct_cursor *c = (ct_cursor *)cur;
  pn_ctset_free(&c->set);
  pn_nscursor_free(&c->nc);
  return SQLITE_OK;
}

static int ctXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  return pn_nscursor_filter((pn_nscursor *)cur, idxNum, argv, NETLINK_NETFILTER);
}

static const char *protocol_name(int proto) {
  switch (proto) {
  case 1: return "icmp";
  case 6: return "tcp";
  case 17: return "udp";
  case 33: return "dccp";
  case 47: return "gre";
  case 58: return "icmpv6";
  case 132: return "sctp";
  case 136: return "udplite";
  default: return NULL;
  }
}

static int has_ports(int proto) {
  return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

static void result_addr(sqlite3_context *ctx, int family, const uint8_t *addr) {
  char text[46];
  size_t n = pn_format_addr(family, addr, text);
  sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

static void result_port(sqlite3_context *ctx, const pn_ct_entry *e, uint16_t port) {
  if (has_ports(e->proto)) sqlite3_result_int(ctx, port);
}

static void result_name(sqlite3_context *ctx, const char *name) {
  if (name) sqlite3_result_text(ctx, name, -1, SQLITE_STATIC);
}

/* Its name, or its number as text for a protocol without one. */
static void result_protocol(sqlite3_context *ctx, int proto) {
  char num[8];
  const char *name = protocol_name(proto);
  if (name) {
    result_name(ctx, name);
    return;
  }
  snprintf(num, sizeof num, "%d", proto);
  sqlite3_result_text(ctx, num, -1, SQLITE_TRANSIENT);
}

static int ctXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  ct_cursor *c = (ct_cursor *)cur;
  const pn_ct_entry *e = &c->set.v[c->nc.row];
  switch (col) {
  case COL_NETNS: pn_nscursor_result_netns(&c->nc, ctx); break;
  case COL_FAMILY: result_name(ctx, e->family == 4 ? "IPv4" : "IPv6"); break;
  case COL_PROTOCOL: result_protocol(ctx, e->proto); break;
  case COL_STATE: result_name(ctx, pn_ct_tcp_state_name(e->state)); break;
  case COL_TIMEOUT:
    if (e->timeout >= 0) sqlite3_result_int64(ctx, e->timeout);
    break;
  case COL_ORIG_SRC: result_addr(ctx, e->family, e->orig.src); break;
  case COL_ORIG_SPORT: result_port(ctx, e, e->orig.sport); break;
  case COL_ORIG_DST: result_addr(ctx, e->family, e->orig.dst); break;
  case COL_ORIG_DPORT: result_port(ctx, e, e->orig.dport); break;
  case COL_REPLY_SRC: result_addr(ctx, e->family, e->reply.src); break;
  case COL_REPLY_SPORT: result_port(ctx, e, e->reply.sport); break;
  case COL_REPLY_DST: result_addr(ctx, e->family, e->reply.dst); break;
  case COL_REPLY_DPORT: result_port(ctx, e, e->reply.dport); break;
  case COL_ASSURED: sqlite3_result_int(ctx, (e->flags & PN_CT_ASSURED) != 0); break;
  case COL_UNREPLIED: sqlite3_result_int(ctx, (e->flags & PN_CT_UNREPLIED) != 0); break;
  case COL_DNAT: sqlite3_result_int(ctx, pn_ct_is_dnat(e)); break;
  case COL_SNAT: sqlite3_result_int(ctx, pn_ct_is_snat(e)); break;
  case COL_MARK:
    if (e->has_mark) sqlite3_result_int64(ctx, e->mark);
    break;
  case COL_ZONE:
    if (e->has_zone) sqlite3_result_int(ctx, e->zone);
    break;
  }
  return SQLITE_OK;
}

static const sqlite3_module conntrack_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = ctXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = ctXOpen,
    .xClose = ctXClose,
    .xFilter = ctXFilter,
    .xNext = pn_nscursor_next,
    .xEof = pn_cursor_eof,
    .xColumn = ctXColumn,
    .xRowid = pn_nscursor_rowid,
};

const sqlite3_module *pn_conntrack_module(void) { return &conntrack_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_conntrack_schema = CONNTRACK_SCHEMA;
