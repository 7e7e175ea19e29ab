/*
 * table_sockets.c: `sockets`, one row per socket of every kind (tcp, udp,
 * udplite, raw, icmp, unix, packet, netlink) in every network namespace, so
 * that one join with `fds` on inode covers what `lsof -i -U` lists. Fields a
 * kind does not have are NULL: addresses and ports for unix, path for IP.
 * For netlink, local_port is the port id; for packet, protocol is the
 * ethertype. peer_inode (unix, as net_unix has it), ifindex and interface
 * (packet: its interface; IP: the bound device), backlog and v6only are
 * here too, so that the ss view is one scan of one table, and a unix
 * socket's kernel address (net_unix.address, from the text file only), so
 * that the lsof views find all they print of a socket in one lookup. See
 * netscan.h for the plans and idxNum bits.
 */
#include "tables.h"
#include "sockcol.h"
SQLITE_EXTENSION_INIT3

static const char SOCKETS_SCHEMA[] =
    "CREATE TABLE x(kind TEXT, family TEXT, protocol INTEGER,"
    " local_address TEXT, local_port INTEGER, remote_address TEXT,"
    " remote_port INTEGER, path TEXT, type TEXT, state TEXT, inode INTEGER,"
    " uid INTEGER, tx_queue INTEGER, rx_queue INTEGER, peer_inode INTEGER,"
    " ifindex INTEGER, backlog INTEGER, v6only INTEGER, interface TEXT,"
    " cookie INTEGER, address TEXT, netns INTEGER, ns_pid INTEGER HIDDEN)";
static const unsigned char SOCKETS_FIELDS[] = {
    PN_F_KIND,        PN_F_FAMILY,         PN_F_PROTOCOL,    PN_F_LOCAL_ADDRESS,
    PN_F_LOCAL_PORT,  PN_F_REMOTE_ADDRESS, PN_F_REMOTE_PORT, PN_F_PATH,
    PN_F_TYPE,        PN_F_STATE,          PN_F_INODE,       PN_F_UID,
    PN_F_TX_QUEUE,    PN_F_RX_QUEUE,       PN_F_PEER_INODE,  PN_F_IFINDEX,
    PN_F_BACKLOG,     PN_F_V6ONLY,         PN_F_INTERFACE,   PN_F_COOKIE,
    PN_F_ADDRESS,     PN_F_NETNS,          PN_F_NS_PID};

static const pn_sockkind *const all_kinds[] = {
    &pn_kind_tcp,  &pn_kind_udp,  &pn_kind_udplite, &pn_kind_raw,
    &pn_kind_icmp, &pn_kind_unix, &pn_kind_packet,  &pn_kind_netlink};
const pn_nettable pn_table_sockets = {SOCKETS_SCHEMA, all_kinds, 8,
                                      SOCKETS_FIELDS, sizeof SOCKETS_FIELDS};
