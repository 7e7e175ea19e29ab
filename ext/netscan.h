/*
 * netscan.h: the engine shared by every socket table (net_tcp, net_udp,
 * net_udplite, net_raw, net_icmp, net_unix, net_packet, net_netlink and
 * sockets).
 *
 * A socket table is a list of kinds (which /proc/net files, which format)
 * plus a schema and an xColumn. The engine does the rest, once:
 *  - which namespaces to read: all of them (default), the one of process X
 *    (`ns_pid = X`, a hidden column), or `netns = N`;
 *  - a snapshot per (file, namespace), shared by the connection's open
 *    cursors: each file is read and parsed at most once per statement,
 *    however often the table is the inner loop of a join; a scan reads all
 *    the files it needs at its first row, several at once (parallel.h),
 *    unless the query has a LIMIT;
 *  - `inode = ?` lookups through a sorted index of each snapshot;
 *  - the `netns` column (NULL where the namespace could not be identified)
 *    and the hidden `ns_pid` column: the X of `ns_pid = X`, NULL otherwise.
 *
 * Why `ns_pid` and not `pid`: SQLite binds `USING (pid)` to the leftmost
 * table that has a pid column, hidden columns included. A socket table with
 * a hidden `pid` would capture `net_tcp JOIN fds USING (inode) JOIN
 * processes USING (pid)` and silently join on the namespace reader instead
 * of the socket's holder.
 *
 * idxNum bits (the same for every socket table):
 *   0x1   `ns_pid = ?` or `ns_pid IN (...)` (the hidden column)
 *   0x2   `netns = ?`
 *   0x4   `inode = ?`
 *   0x8   the query has a LIMIT: read each file only when the scan gets
 *         there (no argument; the LIMIT itself is left to SQLite)
 *   0x10  `kind = ?` / `kind IN (...)` (sockets), one or more of them (a
 *         view's own test and one pushed into it): only the kinds all of
 *         them allow are read
 *   0x100 << j  the j-th kind argument is an IN list (j < 8)
 *   PN_IDX_PID_LIST  the ns_pid argument is an IN list
 * argv order: ns_pid, netns, inode (each only when its bit is set), then
 * the kind arguments, to the end of argv.
 */
#ifndef PROCNET_NETSCAN_H
#define PROCNET_NETSCAN_H

#include "parse.h"
#include "vtab_common.h"

typedef enum pn_netfmt {
  PN_FMT_INET,
  PN_FMT_UNIX,
  PN_FMT_PACKET,
  PN_FMT_NETLINK
} pn_netfmt;

typedef struct pn_netkind {
  const char *name;         /* sockets.kind: "tcp", "udp", "unix", ... */
  pn_netfmt fmt;
  const char *files[2];     /* under PID/net/: {"tcp", "tcp6"} */
  int has_drops;            /* inet files whose last field is drops */
  int ipproto;              /* inet: IPPROTO_*; -1: the "port" (raw) */
} pn_netkind;

extern const pn_netkind pn_kind_tcp, pn_kind_udp, pn_kind_udplite,
    pn_kind_raw, pn_kind_icmp, pn_kind_unix, pn_kind_packet, pn_kind_netlink;

/* One parsed socket. */
typedef struct pn_netrow {
  const pn_netkind *kind;
  union {
    pn_inet_sock inet;
    pn_unix_sock unx;       /* path points into the snapshot's text */
    pn_packet_sock packet;
    pn_netlink_sock netlink;
  } u;
} pn_netrow;

struct pn_netcur;
typedef struct pn_nettable {
  const char *schema;
  const pn_netkind *const *kinds;
  int nkinds;
  int col_ns_pid, col_netns, col_inode; /* constraint columns */
  int col_kind;             /* `kind` (sockets), or -1: one kind per table */
  /* Sets the result for column col of row r (not pid nor netns). */
  int (*column)(struct pn_netcur *c, const pn_netrow *r, sqlite3_context *ctx,
                int col);
} pn_nettable;

/* The sqlite3_module of a socket table; its pAux desc is a pn_nettable. */
extern const sqlite3_module pn_net_module;

/* The peer inode of a unix socket in the caller's own namespace (sock_diag),
 * or 0 when unknown. */
uint64_t pn_net_unix_peer(struct pn_netcur *c, uint64_t inode);
/* Formats an inet address into the cursor's scratch and sets the result. */
void pn_net_result_addr(sqlite3_context *ctx, int family, const uint8_t *a);
/* "IPv4"/"IPv6" as the family column spells it. */
const char *pn_inet_family_name(int family);
/* The state text of a row as its table shows it, or NULL. */
const char *pn_net_state_name(const pn_netrow *r);
/* The protocol number of an inet row (IPPROTO_*, or the raw "port"). */
int pn_net_ipproto(const pn_netrow *r);

#endif
