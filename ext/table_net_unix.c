/*
 * table_net_unix.c: `net_unix`, one row per unix socket of every network
 * namespace, from /proc/PID/net/unix or sock_diag (see netscan.h for the
 * plans).
 *
 * `path` is whole: spaces and newlines kept, abstract names with their
 * leading '@', NULL when unbound. An accepted socket shows its listener's
 * path, as the kernel prints it. `address` is the kernel address column
 * (Num) as printed (hashed), which lsof shows as DEVICE; it is in the text
 * file only. `peer_inode`, the queues (rx_queue: bytes to read, or a
 * listener's connections waiting to be accepted; tx_queue: bytes not yet
 * read by the peer), `backlog` (a listener's maximum), `uid` and `cookie`
 * come from sock_diag (NULL where netlink is refused or off).
 */
#include "tables.h"
#include "sockcol.h"
SQLITE_EXTENSION_INIT3

static const char UNIX_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, path TEXT, type TEXT, state TEXT,"
    " refcount INTEGER, flags INTEGER, protocol INTEGER, peer_inode INTEGER,"
    " address TEXT, rx_queue INTEGER, tx_queue INTEGER, backlog INTEGER,"
    " uid INTEGER, cookie INTEGER, netns INTEGER, ns_pid INTEGER HIDDEN)";
static const unsigned char UNIX_FIELDS[] = {
    PN_F_INODE,    PN_F_PATH,       PN_F_TYPE,    PN_F_STATE,
    PN_F_REFCOUNT, PN_F_FLAGS,      PN_F_PROTOCOL, PN_F_PEER_INODE,
    PN_F_ADDRESS,  PN_F_RX_QUEUE,   PN_F_TX_QUEUE, PN_F_BACKLOG,
    PN_F_UID,      PN_F_COOKIE,     PN_F_NETNS,    PN_F_NS_PID};

static const pn_sockkind *const unix_kinds[] = {&pn_kind_unix};
const pn_nettable pn_table_net_unix = {UNIX_SCHEMA, unix_kinds, 1, UNIX_FIELDS,
                                       sizeof UNIX_FIELDS};
