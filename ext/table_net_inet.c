/*
 * table_net_inet.c: the IP socket tables, one row per socket of every
 * network namespace (see netscan.h for namespaces, snapshots and idxNum):
 *   net_tcp      /proc/PID/net/tcp, tcp6
 *   net_udp      udp, udp6
 *   net_udplite  udplite, udplite6
 *   net_raw      raw, raw6         (protocol = the IP protocol number)
 *   net_icmp     icmp, icmp6       (ping sockets)
 * They share one schema, so a UNION of them lines up column by column.
 * `state` uses the kernel's names (ESTABLISHED, LISTEN, TIME_WAIT, CLOSE for
 * an unconnected UDP socket, ...); the ss and netstat views translate.
 * `drops` is NULL for tcp, which has no such field.
 */
#include "tables.h"
#include "netscan.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <unistd.h>

static const char INET_SCHEMA[] =
    "CREATE TABLE x(family TEXT, local_address TEXT, local_port INTEGER,"
    " remote_address TEXT, remote_port INTEGER, state TEXT,"
    " tx_queue INTEGER, rx_queue INTEGER, timer TEXT, timer_expires REAL,"
    " retransmits INTEGER, uid INTEGER, timeout INTEGER, inode INTEGER,"
    " refcount INTEGER, drops INTEGER, protocol INTEGER, netns INTEGER,"
    " ns_pid INTEGER HIDDEN)";
enum {
  COL_FAMILY, COL_LOCAL_ADDRESS, COL_LOCAL_PORT, COL_REMOTE_ADDRESS,
  COL_REMOTE_PORT, COL_STATE, COL_TX_QUEUE, COL_RX_QUEUE, COL_TIMER,
  COL_TIMER_EXPIRES, COL_RETRANSMITS, COL_UID, COL_TIMEOUT, COL_INODE,
  COL_REFCOUNT, COL_DROPS, COL_PROTOCOL, COL_NETNS, COL_NS_PID
};

/* The `tr` field, named as netstat -o names it. */
static const char *timer_name(int tr) {
  static const char *const names[] = {"off", "on", "keepalive", "timewait",
                                      "probe"};
  return tr >= 0 && tr < 5 ? names[tr] : NULL;
}

static void result_str(sqlite3_context *ctx, const char *s) {
  if (s) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}

static int inet_column(struct pn_netcur *c, const pn_netrow *r,
                       sqlite3_context *ctx, int col) {
  (void)c;
  const pn_inet_sock *s = &r->u.inet;
  switch (col) {
  case COL_FAMILY: result_str(ctx, pn_inet_family_name(s->family)); break;
  case COL_LOCAL_ADDRESS: pn_net_result_addr(ctx, s->family, s->local_addr); break;
  case COL_LOCAL_PORT: sqlite3_result_int(ctx, s->local_port); break;
  case COL_REMOTE_ADDRESS: pn_net_result_addr(ctx, s->family, s->remote_addr); break;
  case COL_REMOTE_PORT: sqlite3_result_int(ctx, s->remote_port); break;
  case COL_STATE: result_str(ctx, pn_net_state_name(r)); break;
  case COL_TX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)s->tx_queue); break;
  case COL_RX_QUEUE: sqlite3_result_int64(ctx, (sqlite3_int64)s->rx_queue); break;
  case COL_TIMER: result_str(ctx, timer_name(s->timer)); break;
  case COL_TIMER_EXPIRES:
    sqlite3_result_double(ctx, (double)s->timer_when / (double)sysconf(_SC_CLK_TCK));
    break;
  case COL_RETRANSMITS: sqlite3_result_int64(ctx, (sqlite3_int64)s->retransmits); break;
  case COL_UID: sqlite3_result_int64(ctx, s->uid); break;
  case COL_TIMEOUT: sqlite3_result_int64(ctx, (sqlite3_int64)s->timeout); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)s->inode); break;
  case COL_REFCOUNT:
    if (s->has_refcnt) sqlite3_result_int64(ctx, (sqlite3_int64)s->refcnt);
    break;
  case COL_DROPS:
    if (s->has_drops) sqlite3_result_int64(ctx, (sqlite3_int64)s->drops);
    break;
  case COL_PROTOCOL: sqlite3_result_int(ctx, pn_net_ipproto(r)); break;
  }
  return SQLITE_OK;
}

#define INET_TABLE(var, kind)                                                \
  static const pn_netkind *const var##_kinds[] = {&kind};                   \
  const pn_nettable var = {INET_SCHEMA, var##_kinds, 1,   COL_NS_PID,          \
                           COL_NETNS,   COL_INODE,   -1,          inet_column}

INET_TABLE(pn_table_net_tcp, pn_kind_tcp);
INET_TABLE(pn_table_net_udp, pn_kind_udp);
INET_TABLE(pn_table_net_udplite, pn_kind_udplite);
INET_TABLE(pn_table_net_raw, pn_kind_raw);
INET_TABLE(pn_table_net_icmp, pn_kind_icmp);
