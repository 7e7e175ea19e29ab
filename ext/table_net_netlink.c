/*
 * table_net_netlink.c: `net_netlink`, one row per netlink socket of every
 * network namespace, from /proc/PID/net/netlink (see netscan.h).
 * `protocol` is the netlink family (0 NETLINK_ROUTE, 4 SOCK_DIAG, ...),
 * `portid` the socket's port id (0 for the kernel's own sockets), `groups`
 * the multicast group mask.
 */
#include "tables.h"
#include "netscan.h"
SQLITE_EXTENSION_INIT3

static const char NETLINK_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, protocol INTEGER, portid INTEGER,"
    " groups INTEGER, rx_queue INTEGER, tx_queue INTEGER, dump INTEGER,"
    " locks INTEGER, drops INTEGER, netns INTEGER, ns_pid INTEGER HIDDEN)";
enum {
  COL_INODE, COL_PROTOCOL, COL_PORTID, COL_GROUPS, COL_RX_QUEUE, COL_TX_QUEUE,
  COL_DUMP, COL_LOCKS, COL_DROPS, COL_NETNS, COL_NS_PID
};

static int netlink_column(struct pn_netcur *c, const pn_netrow *r,
                          sqlite3_context *ctx, int col) {
  (void)c;
  const pn_netlink_sock *n = &r->u.netlink;
  switch (col) {
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)n->inode); break;
  case COL_PROTOCOL: sqlite3_result_int(ctx, n->protocol); break;
  case COL_PORTID: sqlite3_result_int64(ctx, n->portid); break;
  case COL_GROUPS: sqlite3_result_int64(ctx, (sqlite3_int64)n->groups); break;
  case COL_RX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)n->rmem); break;
  case COL_TX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)n->wmem); break;
  case COL_DUMP: sqlite3_result_int(ctx, n->dump); break;
  case COL_LOCKS: sqlite3_result_int64(ctx, (sqlite3_int64)n->locks); break;
  case COL_DROPS: sqlite3_result_int64(ctx, (sqlite3_int64)n->drops); break;
  }
  return SQLITE_OK;
}

static const pn_netkind *const netlink_kinds[] = {&pn_kind_netlink};
const pn_nettable pn_table_net_netlink = {NETLINK_SCHEMA, netlink_kinds, 1,
                                          COL_NS_PID, COL_NETNS, COL_INODE, -1,
                                          netlink_column};
