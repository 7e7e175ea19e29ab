/*
 * table_net_packet.c: `net_packet`, one row per AF_PACKET socket of every
 * network namespace, from /proc/PID/net/packet (see netscan.h for the plans).
 * `protocol` is the ethertype (768 = ETH_P_ALL, 0x0003 in network order as
 * the kernel prints it); `type` is RAW or DGRAM.
 */
#include "tables.h"
#include "netscan.h"
SQLITE_EXTENSION_INIT3

static const char PACKET_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, type TEXT, protocol INTEGER,"
    " ifindex INTEGER, running INTEGER, rx_queue INTEGER, uid INTEGER,"
    " refcount INTEGER, netns INTEGER, ns_pid INTEGER HIDDEN)";
enum {
  COL_INODE, COL_TYPE, COL_PROTOCOL, COL_IFINDEX, COL_RUNNING, COL_RX_QUEUE,
  COL_UID, COL_REFCOUNT, COL_NETNS, COL_NS_PID
};

const char *pn_packet_type_name(int type) {
  return type == 3 ? "RAW" : type == 2 ? "DGRAM" : NULL;
}

static int packet_column(struct pn_netcur *c, const pn_netrow *r,
                         sqlite3_context *ctx, int col) {
  (void)c;
  const pn_packet_sock *p = &r->u.packet;
  const char *s;
  switch (col) {
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)p->inode); break;
  case COL_TYPE:
    if ((s = pn_packet_type_name(p->type))) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
    break;
  case COL_PROTOCOL: sqlite3_result_int64(ctx, p->protocol); break;
  case COL_IFINDEX: sqlite3_result_int64(ctx, p->ifindex); break;
  case COL_RUNNING: sqlite3_result_int(ctx, p->running); break;
  case COL_RX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)p->rmem); break;
  case COL_UID: sqlite3_result_int64(ctx, p->uid); break;
  case COL_REFCOUNT: sqlite3_result_int64(ctx, (sqlite3_int64)p->refcnt); break;
  }
  return SQLITE_OK;
}

static const pn_netkind *const packet_kinds[] = {&pn_kind_packet};
const pn_nettable pn_table_net_packet = {PACKET_SCHEMA, packet_kinds, 1,
                                         COL_NS_PID, COL_NETNS, COL_INODE, -1,
                                         packet_column};
