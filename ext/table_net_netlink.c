/*
 * table_net_netlink.c: `net_netlink`, one row per netlink socket of every
 * network namespace, from /proc/PID/net/netlink (see netscan.h).
 * `protocol` is the netlink family (0 NETLINK_ROUTE, 4 SOCK_DIAG, ...),
 * `portid` the socket's port id (0 for the kernel's own sockets), `groups`
 * the multicast group mask, `locks` what the kernel prints under that
 * name (the socket's reference count).
 */
#include "tables.h"
#include "sockcol.h"
SQLITE_EXTENSION_INIT3

static const char NETLINK_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, protocol INTEGER, portid INTEGER,"
    " groups INTEGER, rx_queue INTEGER, tx_queue INTEGER, dump INTEGER,"
    " locks INTEGER, drops INTEGER, netns INTEGER, ns_pid INTEGER HIDDEN)";
static const unsigned char NETLINK_FIELDS[] = {
    PN_F_INODE,    PN_F_PROTOCOL, PN_F_PORTID,   PN_F_GROUPS,
    PN_F_RX_QUEUE, PN_F_TX_QUEUE, PN_F_DUMP,     PN_F_REFCOUNT,
    PN_F_DROPS,    PN_F_NETNS,    PN_F_NS_PID};

static const pn_sockkind *const netlink_kinds[] = {&pn_kind_netlink};
const pn_nettable pn_table_net_netlink = {NETLINK_SCHEMA, netlink_kinds, 1,
                                          NETLINK_FIELDS, sizeof NETLINK_FIELDS};
