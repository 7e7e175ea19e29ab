/*
 * table_net_inet.c: the IP socket tables, one row per socket of every
 * network namespace (see netscan.h for namespaces, snapshots and idxNum):
 *   net_tcp      /proc/PID/net/tcp, tcp6 (or sock_diag)
 *   net_udp      udp, udp6
 *   net_udplite  udplite, udplite6
 *   net_raw      raw, raw6         (protocol = the IP protocol number)
 *   net_icmp     icmp, icmp6       (ping sockets)
 * They share one schema, so a UNION of them lines up column by column.
 * `state` uses the kernel's names (ESTABLISHED, LISTEN, TIME_WAIT, CLOSE for
 * an unconnected UDP socket, ...); the ss and netstat views translate.
 * `drops` is NULL for tcp, which has no such field. refcount, retransmits,
 * timeout and drops are in the text files only; backlog (a listener's
 * maximum accept queue), v6only, ifindex and interface (the device the
 * socket is bound to, named in its own namespace), cookie and cgroup_id
 * come from sock_diag only (NULL where netlink is refused or off). A
 * query that uses them reads what has them (sockrec.h).
 */
#include "tables.h"
#include "sockcol.h"
SQLITE_EXTENSION_INIT3

static const char INET_SCHEMA[] =
    "CREATE TABLE x(family TEXT, local_address TEXT, local_port INTEGER,"
    " remote_address TEXT, remote_port INTEGER, state TEXT,"
    " tx_queue INTEGER, rx_queue INTEGER, timer TEXT, timer_expires REAL,"
    " retransmits INTEGER, uid INTEGER, timeout INTEGER, inode INTEGER,"
    " refcount INTEGER, drops INTEGER, protocol INTEGER, backlog INTEGER,"
    " v6only INTEGER, ifindex INTEGER, interface TEXT, cookie INTEGER,"
    " cgroup_id INTEGER, netns INTEGER, ns_pid INTEGER HIDDEN)";
static const unsigned char INET_FIELDS[] = {
    PN_F_FAMILY,      PN_F_LOCAL_ADDRESS, PN_F_LOCAL_PORT, PN_F_REMOTE_ADDRESS,
    PN_F_REMOTE_PORT, PN_F_STATE,         PN_F_TX_QUEUE,   PN_F_RX_QUEUE,
    PN_F_TIMER,       PN_F_TIMER_EXPIRES, PN_F_RETRANSMITS, PN_F_UID,
    PN_F_TIMEOUT,     PN_F_INODE,         PN_F_REFCOUNT,   PN_F_DROPS,
    PN_F_PROTOCOL,    PN_F_BACKLOG,       PN_F_V6ONLY,     PN_F_IFINDEX,
    PN_F_INTERFACE,   PN_F_COOKIE,        PN_F_CGROUP_ID,  PN_F_NETNS,
    PN_F_NS_PID};

#define INET_TABLE(var, kind)                                               \
  static const pn_sockkind *const var##_kinds[] = {&kind};                 \
  const pn_nettable var = {INET_SCHEMA, var##_kinds, 1, INET_FIELDS,        \
                           sizeof INET_FIELDS}

INET_TABLE(pn_table_net_tcp, pn_kind_tcp);
INET_TABLE(pn_table_net_udp, pn_kind_udp);
INET_TABLE(pn_table_net_udplite, pn_kind_udplite);
INET_TABLE(pn_table_net_raw, pn_kind_raw);
INET_TABLE(pn_table_net_icmp, pn_kind_icmp);
