/*
 * table_net_addresses.c: `net_addresses`, one row per address of an
 * interface, in every network namespace: what `ip -n NS addr` shows for
 * each namespace at once. Which namespace owns an address is what the
 * connections view checks before it takes a socket in one namespace for
 * the peer of a socket in another.
 *
 * Source: rtnetlink in each namespace (RTM_GETADDR, and RTM_GETLINK for
 * the interface names), through a socket made there (nslink.h): the
 * caller's own namespace always, others with procnet_netlink('all') and
 * CAP_SYS_ADMIN. /proc has no file of a namespace's IPv4 addresses, so a
 * namespace netlink cannot reach has no rows.
 *
 * idxNum bits:
 *   0x1   `netns = ?`: that namespace alone
 * argv order: netns (when 0x1).
 */
#include "tables.h"
#include "ifaces.h"
#include "netaddrs.h"
#include "netlink.h"
#include "nswalk.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static const char NET_ADDRESSES_SCHEMA[] =
    "CREATE TABLE x(netns INTEGER, ifindex INTEGER, interface TEXT,"
    " family TEXT, address TEXT, prefixlen INTEGER, scope TEXT)";
enum {
  COL_NETNS, COL_IFINDEX, COL_INTERFACE, COL_FAMILY, COL_ADDRESS,
  COL_PREFIXLEN, COL_SCOPE
};

#define IDX_NETNS 0x1

typedef struct na_cursor {
  pn_cursor pc;
  pn_nswalk walk;
  pn_netaddrs addrs;        /* the namespace walked */
  pn_ifaces links;          /* its interface names, on first use */
  int links_read;
  size_t i;
  sqlite3_int64 rowid;
} na_cursor;

static int naXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int argc = 0;
  info->idxNum = pn_claim_eq(info, COL_NETNS, &argc, 0, NULL) ? IDX_NETNS : 0;
  info->estimatedCost = info->idxNum ? 50.0 : 500.0;
  info->estimatedRows = info->idxNum ? 5 : 50;
  return SQLITE_OK;
}

static int naXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(na_cursor), out);
  if (rc == SQLITE_OK) ((na_cursor *)*out)->walk.at = -1;
  return rc;
}

static int naXClose(sqlite3_vtab_cursor *cur) {
  na_cursor *c = (na_cursor *)cur;
  pn_nswalk_end(&c->walk);
  pn_netaddrs_free(&c->addrs);
  pn_ifaces_free(&c->links);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

static int load_namespace(na_cursor *c) {
  int link = pn_nswalk_link(&c->walk), err;
  c->addrs.n = 0;
  c->links_read = 0;
  if (link < 0) return SQLITE_OK;
  if (c->pc.fs.cnt) c->pc.fs.cnt->netlink_dumps++;
  pn_res r = pn_netaddrs_load(link, &c->addrs, &err);
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
}

static int naXNext(sqlite3_vtab_cursor *cur) {
  na_cursor *c = (na_cursor *)cur;
  c->i++;
  c->rowid++;
  while (c->i >= c->addrs.n) {
    if (!pn_nswalk_next(&c->walk)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    c->i = 0;
    int rc = load_namespace(c);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

static int naXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  na_cursor *c = (na_cursor *)cur;
  pn_ctx *ctx = ((pn_vtab *)cur->pVtab)->ctx;
  sqlite3_int64 only = 0;
  c->pc.eof = 0;
  c->addrs.n = 0;
  c->i = 0;
  c->rowid = 0;
  if ((idxNum & IDX_NETNS) && (!pn_value_int64(argv[0], &only) || only <= 0)) {
    c->pc.eof = 1; /* equals no namespace */
    return SQLITE_OK;
  }
  int rc = pn_nswalk_start(&c->walk, &c->pc.fs, &c->pc.buf, ctx->netlink,
                           NETLINK_ROUTE, (uint64_t)only);
  return rc == SQLITE_OK ? naXNext(cur) : rc;
}

static int naXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((na_cursor *)cur)->rowid;
  return SQLITE_OK;
}

static const char *scope_name(int scope) {
  switch (scope) {
  case RT_SCOPE_UNIVERSE: return "global";
  case RT_SCOPE_SITE: return "site";
  case RT_SCOPE_LINK: return "link";
  case RT_SCOPE_HOST: return "host";
  case RT_SCOPE_NOWHERE: return "nowhere";
  default: return NULL;
  }
}

static int result_interface(na_cursor *c, sqlite3_context *ctx, uint32_t index) {
  int err;
  if (!c->links_read) {
    c->links_read = 1;
    if (c->pc.fs.cnt) c->pc.fs.cnt->netlink_dumps++;
    pn_res r = pn_ifaces_load(pn_nswalk_link(&c->walk), &c->links, &err);
    if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  }
  const char *name = pn_ifaces_name(&c->links, index);
  if (name) sqlite3_result_text(ctx, name, -1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int naXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  na_cursor *c = (na_cursor *)cur;
  const pn_netaddr *a = &c->addrs.v[c->i];
  const pn_netns *ns = pn_nswalk_ns(&c->walk);
  char text[46];
  switch (col) {
  case COL_NETNS:
    if (ns->known) sqlite3_result_int64(ctx, (sqlite3_int64)ns->key);
    break;
  case COL_IFINDEX: sqlite3_result_int64(ctx, a->index); break;
  case COL_INTERFACE: return result_interface(c, ctx, a->index);
  case COL_FAMILY:
    sqlite3_result_text(ctx, a->family == 4 ? "IPv4" : "IPv6", -1, SQLITE_STATIC);
    break;
  case COL_ADDRESS:
    sqlite3_result_text(ctx, text, (int)pn_format_addr(a->family, a->addr, text),
                        SQLITE_TRANSIENT);
    break;
  case COL_PREFIXLEN: sqlite3_result_int(ctx, a->prefixlen); break;
  case COL_SCOPE:
    if (scope_name(a->scope)) sqlite3_result_text(ctx, scope_name(a->scope), -1, SQLITE_STATIC);
    else sqlite3_result_int(ctx, a->scope);
    break;
  }
  return SQLITE_OK;
}

static const sqlite3_module net_addresses_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = naXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = naXOpen,
    .xClose = naXClose,
    .xFilter = naXFilter,
    .xNext = naXNext,
    .xEof = pn_cursor_eof,
    .xColumn = naXColumn,
    .xRowid = naXRowid,
};

const sqlite3_module *pn_net_addresses_module(void) { return &net_addresses_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_net_addresses_schema = NET_ADDRESSES_SCHEMA;
