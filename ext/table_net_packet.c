/*
 * table_net_packet.c: `net_packet`, one row per AF_PACKET socket of every
 * network namespace, from /proc/PID/net/packet (see netscan.h for the plans).
 * `protocol` is the ethertype (768 = ETH_P_ALL, 0x0003 in network order as
 * the kernel prints it); `type` is RAW or DGRAM; `interface` the name of
 * ifindex in the socket's own namespace (rtnetlink; NULL for 0, any).
 */
#include "tables.h"
#include "sockcol.h"
SQLITE_EXTENSION_INIT3

static const char PACKET_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, type TEXT, protocol INTEGER,"
    " ifindex INTEGER, running INTEGER, rx_queue INTEGER, uid INTEGER,"
    " refcount INTEGER, interface TEXT, netns INTEGER,"
    " ns_pid INTEGER HIDDEN)";
static const unsigned char PACKET_FIELDS[] = {
    PN_F_INODE,    PN_F_TYPE, PN_F_PROTOCOL, PN_F_IFINDEX, PN_F_RUNNING,
    PN_F_RX_QUEUE, PN_F_UID,  PN_F_REFCOUNT, PN_F_INTERFACE, PN_F_NETNS,
    PN_F_NS_PID};

static const pn_sockkind *const packet_kinds[] = {&pn_kind_packet};
const pn_nettable pn_table_net_packet = {PACKET_SCHEMA, packet_kinds, 1,
                                         PACKET_FIELDS, sizeof PACKET_FIELDS};
