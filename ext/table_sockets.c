/*
 * table_sockets.c: `sockets`, one row per socket of every kind (tcp, udp,
 * udplite, raw, icmp, unix, packet, netlink) in every network namespace, so
 * that one join with `fds` on inode covers what `lsof -i -U` lists. Fields a
 * kind does not have are NULL: addresses and ports for unix, path for IP.
 * For netlink, local_port is the port id; for packet, protocol is the
 * ethertype. peer_inode (unix, as net_unix has it) and ifindex (packet)
 * are here too, so that the ss view is one scan of one table. See netscan.h
 * for the plans and idxNum bits.
 */
#include "tables.h"
#include "netscan.h"
SQLITE_EXTENSION_INIT3

static const char SOCKETS_SCHEMA[] =
    "CREATE TABLE x(kind TEXT, family TEXT, protocol INTEGER,"
    " local_address TEXT, local_port INTEGER, remote_address TEXT,"
    " remote_port INTEGER, path TEXT, type TEXT, state TEXT, inode INTEGER,"
    " uid INTEGER, tx_queue INTEGER, rx_queue INTEGER, peer_inode INTEGER,"
    " ifindex INTEGER, netns INTEGER, ns_pid INTEGER HIDDEN)";
enum {
  COL_KIND, COL_FAMILY, COL_PROTOCOL, COL_LOCAL_ADDRESS, COL_LOCAL_PORT,
  COL_REMOTE_ADDRESS, COL_REMOTE_PORT, COL_PATH, COL_TYPE, COL_STATE,
  COL_INODE, COL_UID, COL_TX_QUEUE, COL_RX_QUEUE, COL_PEER_INODE,
  COL_IFINDEX, COL_NETNS, COL_NS_PID
};

static void result_static(sqlite3_context *ctx, const char *s) {
  if (s) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}

static void inet_field(const pn_netrow *r, sqlite3_context *ctx, int col) {
  const pn_inet_sock *s = &r->u.inet;
  switch (col) {
  case COL_FAMILY: result_static(ctx, pn_inet_family_name(s->family)); break;
  case COL_PROTOCOL: sqlite3_result_int(ctx, pn_net_ipproto(r)); break;
  case COL_LOCAL_ADDRESS: pn_net_result_addr(ctx, s->family, s->local_addr); break;
  case COL_LOCAL_PORT: sqlite3_result_int(ctx, s->local_port); break;
  case COL_REMOTE_ADDRESS: pn_net_result_addr(ctx, s->family, s->remote_addr); break;
  case COL_REMOTE_PORT: sqlite3_result_int(ctx, s->remote_port); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)s->inode); break;
  case COL_UID: sqlite3_result_int64(ctx, s->uid); break;
  case COL_TX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)s->tx_queue); break;
  case COL_RX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)s->rx_queue); break;
  }
}

static void unix_field(struct pn_netcur *c, const pn_netrow *r,
                       sqlite3_context *ctx, int col) {
  const pn_unix_sock *u = &r->u.unx;
  switch (col) {
  case COL_PEER_INODE: {
    uint64_t peer = pn_net_unix_peer(c, u->inode);
    if (peer) sqlite3_result_int64(ctx, (sqlite3_int64)peer);
    break;
  }
  case COL_FAMILY: result_static(ctx, "UNIX"); break;
  case COL_PATH:
    if (u->has_path) pn_result_text(ctx, u->path.p, u->path.n);
    break;
  case COL_TYPE: result_static(ctx, pn_unix_type_name(u->type)); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)u->inode); break;
  }
}

static void packet_field(const pn_netrow *r, sqlite3_context *ctx, int col) {
  const pn_packet_sock *p = &r->u.packet;
  switch (col) {
  case COL_FAMILY: result_static(ctx, "PACKET"); break;
  case COL_PROTOCOL: sqlite3_result_int64(ctx, p->protocol); break;
  case COL_TYPE: result_static(ctx, pn_packet_type_name(p->type)); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)p->inode); break;
  case COL_UID: sqlite3_result_int64(ctx, p->uid); break;
  case COL_RX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)p->rmem); break;
  case COL_IFINDEX: sqlite3_result_int64(ctx, p->ifindex); break;
  }
}

static void netlink_field(const pn_netrow *r, sqlite3_context *ctx, int col) {
  const pn_netlink_sock *n = &r->u.netlink;
  switch (col) {
  case COL_FAMILY: result_static(ctx, "NETLINK"); break;
  case COL_PROTOCOL: sqlite3_result_int(ctx, n->protocol); break;
  case COL_LOCAL_PORT: sqlite3_result_int64(ctx, n->portid); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)n->inode); break;
  case COL_RX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)n->rmem); break;
  case COL_TX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)n->wmem); break;
  }
}

static int sockets_column(struct pn_netcur *c, const pn_netrow *r,
                          sqlite3_context *ctx, int col) {
  switch (col) {
  case COL_KIND: result_static(ctx, r->kind->name); return SQLITE_OK;
  case COL_STATE: result_static(ctx, pn_net_state_name(r)); return SQLITE_OK;
  }
  switch (r->kind->fmt) {
  case PN_FMT_INET: inet_field(r, ctx, col); break;
  case PN_FMT_UNIX: unix_field(c, r, ctx, col); break;
  case PN_FMT_PACKET: packet_field(r, ctx, col); break;
  case PN_FMT_NETLINK: netlink_field(r, ctx, col); break;
  }
  return SQLITE_OK;
}

static const pn_netkind *const all_kinds[] = {
    &pn_kind_tcp,  &pn_kind_udp,  &pn_kind_udplite, &pn_kind_raw,
    &pn_kind_icmp, &pn_kind_unix, &pn_kind_packet,  &pn_kind_netlink};
const pn_nettable pn_table_sockets = {SOCKETS_SCHEMA, all_kinds, 8, COL_NS_PID,
                                      COL_NETNS, COL_INODE, COL_KIND,
                                      sockets_column};
