/*
 * netscan.h: the module shared by every socket table (net_tcp, net_udp,
 * net_udplite, net_raw, net_icmp, net_unix, net_packet, net_netlink and
 * sockets).
 *
 * A socket table is a list of kinds, a schema and the field (sockcol.h)
 * of each column. The module does the rest, once:
 *  - which namespaces to read: all of them (default), the one of process X
 *    (`ns_pid = X`, a hidden column), or `netns = N`;
 *  - which snapshots (sockstore.h) a scan visits: one per file of each
 *    wanted kind in each namespace, read at the scan's first row, several
 *    at once, unless the query has a LIMIT (then each when reached);
 *  - what the snapshots must hold (sockstore.h, PN_WANT_*): derived, for
 *    each kind, from the columns the query uses, so that a query that
 *    uses no field of sock_diag never waits for it and one that uses no
 *    field of the text files may read sock_diag alone;
 *  - `inode = ?` lookups: the first few through each snapshot's sorted
 *    index (or one request to the kernel), the rest (the inner loop of a
 *    join) through one index of every snapshot of the plan (sockindex.h);
 *  - `local_port` / `remote_port` tests made while scanning;
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
 *   0x20  `local_port = ?` or `local_port IN (...)`
 *   0x40  `remote_port = ?` or `remote_port IN (...)`
 *   0x100 << j  the j-th kind argument is an IN list (j < 8)
 *   0x10000000  the local_port argument is an IN list
 *   0x20000000  the remote_port argument is an IN list
 *   PN_IDX_PID_LIST  the ns_pid argument is an IN list
 * argv order: ns_pid, netns, inode, local_port, remote_port (each only when
 * its bit is set), then the kind arguments, to the end of argv.
 * idxStr: the columns the query uses (colUsed) in hex.
 */
#ifndef PROCNET_NETSCAN_H
#define PROCNET_NETSCAN_H

#include "sockrec.h"
#include "vtab_common.h"

/* The row a table's xColumn is asked about. */
typedef struct pn_sockrow {
  const pn_sockkind *kind;
  const pn_sock *s;
  const pn_sockset *set;    /* s's strings and extras */
  struct pn_netcur *cur;
} pn_sockrow;

typedef struct pn_nettable {
  const char *schema;
  const pn_sockkind *const *kinds;
  int nkinds;
  /* what each column of the schema is: a pn_field (sockcol.h) */
  const unsigned char *fields;
  int ncols;
} pn_nettable;

/* The sqlite3_module of a socket table; its pAux desc is a pn_nettable. */
extern const sqlite3_module pn_net_module;

#endif
