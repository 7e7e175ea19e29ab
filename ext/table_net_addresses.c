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
 *   0x1   `netns = ?`: that namespace alone (PN_NSCURSOR_NETNS)
 * argv order: netns (when 0x1).
 */
#include "tables.h"
#include "ifaces.h"
#include "netaddrs.h"
#include "netlink.h"
#include "nscursor.h"
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

typedef struct na_cursor {
  pn_nscursor nc;
  pn_netaddrs addrs;        /* the namespace walked */
  pn_ifaces links;          /* its interface names, on first use */
  int links_read;
} na_cursor;

static int naXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  return pn_nscursor_best_index(info, COL_NETNS, 5, 50);
}

static int load_namespace(pn_nscursor *nc, size_t *nrows) {
  na_cursor *c = (na_cursor *)nc;
  int link = pn_nswalk_link(&nc->walk), err;
  c->addrs.n = 0;
  c->links_read = 0;
  *nrows = 0;
  if (link < 0) return SQLITE_OK;
  if (nc->pc.fs.cnt) nc->pc.fs.cnt->netlink_dumps++;
  pn_res r = pn_netaddrs_load(link, &c->addrs, &err);
  *nrows = c->addrs.n;
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
}

static int naXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  return pn_nscursor_open(tab, sizeof(na_cursor), load_namespace, out);
}

static int naXClose(sqlite3_vtab_cursor *cur) {
  na_cursor *c = (na_cursor *)cur;
  pn_netaddrs_free(&c->addrs);
  pn_ifaces_free(&c->links);
  pn_nscursor_free(&c->nc);
  return SQLITE_OK;
}

static int naXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  return pn_nscursor_filter((pn_nscursor *)cur, idxNum, argv, NETLINK_ROUTE);
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
    if (c->nc.pc.fs.cnt) c->nc.pc.fs.cnt->netlink_dumps++;
    pn_res r = pn_ifaces_load(pn_nswalk_link(&c->nc.walk), &c->links, &err);
    if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  }
  const char *name = pn_ifaces_name(&c->links, index);
  if (name) sqlite3_result_text(ctx, name, -1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int naXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  na_cursor *c = (na_cursor *)cur;
  const pn_netaddr *a = &c->addrs.v[c->nc.row];
  char text[46];
  switch (col) {
  case COL_NETNS: pn_nscursor_result_netns(&c->nc, ctx); break;
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
    .xNext = pn_nscursor_next,
    .xEof = pn_cursor_eof,
    .xColumn = naXColumn,
    .xRowid = pn_nscursor_rowid,
};

const sqlite3_module *pn_net_addresses_module(void) { return &net_addresses_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_net_addresses_schema = NET_ADDRESSES_SCHEMA;
