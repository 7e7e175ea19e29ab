/*
 * table_net_unix.c: `net_unix`, one row per unix socket of every network
 * namespace, from /proc/PID/net/unix (see netscan.h for the plans).
 *
 * `path` is whole: spaces and newlines kept, abstract names with their
 * leading '@', NULL when unbound. An accepted socket shows its listener's
 * path, as the kernel prints it. `address` is the kernel address column
 * (Num) as printed (hashed), which lsof shows as DEVICE. `peer_inode` comes
 * from netlink sock_diag
 * and is known only for the caller's own namespace (NULL elsewhere, and
 * NULL when netlink is refused).
 */
#include "tables.h"
#include "netscan.h"
SQLITE_EXTENSION_INIT3

static const char UNIX_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, path TEXT, type TEXT, state TEXT,"
    " refcount INTEGER, flags INTEGER, protocol INTEGER, peer_inode INTEGER,"
    " address TEXT, netns INTEGER, ns_pid INTEGER HIDDEN)";
enum {
  COL_INODE, COL_PATH, COL_TYPE, COL_STATE, COL_REFCOUNT, COL_FLAGS,
  COL_PROTOCOL, COL_PEER_INODE, COL_ADDRESS, COL_NETNS, COL_NS_PID
};

const char *pn_unix_type_name(int type) {
  switch (type) {
  case 1: return "STREAM";
  case 2: return "DGRAM";
  case 5: return "SEQPACKET";
  default: return NULL;
  }
}

static int unix_column(struct pn_netcur *c, const pn_netrow *r,
                       sqlite3_context *ctx, int col) {
  const pn_unix_sock *u = &r->u.unx;
  const char *s;
  switch (col) {
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)u->inode); break;
  case COL_PATH:
    if (u->has_path) pn_result_text(ctx, u->path.p, u->path.n);
    break;
  case COL_TYPE:
    if ((s = pn_unix_type_name(u->type))) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
    break;
  case COL_STATE:
    if ((s = pn_net_state_name(r))) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
    break;
  case COL_REFCOUNT: sqlite3_result_int64(ctx, (sqlite3_int64)u->refcount); break;
  case COL_FLAGS: sqlite3_result_int64(ctx, (sqlite3_int64)u->flags); break;
  case COL_PROTOCOL: sqlite3_result_int64(ctx, (sqlite3_int64)u->protocol); break;
  case COL_ADDRESS: pn_result_text(ctx, u->num.p, u->num.n); break;
  case COL_PEER_INODE: {
    uint64_t peer = pn_net_unix_peer(c, u->inode);
    if (peer) sqlite3_result_int64(ctx, (sqlite3_int64)peer);
    break;
  }
  }
  return SQLITE_OK;
}

static const pn_netkind *const unix_kinds[] = {&pn_kind_unix};
const pn_nettable pn_table_net_unix = {UNIX_SCHEMA, unix_kinds, 1, COL_NS_PID,
                                       COL_NETNS, COL_INODE, -1, unix_column};
