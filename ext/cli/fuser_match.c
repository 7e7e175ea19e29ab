/*
 * fuser_match.c: the SQL behind `procnet fuser NAME`: which processes use
 * a file, a file system (-m) or a TCP/UDP port, and how (psmisc's access
 * letters: f/F open file (F: opened for writing), r root, c cwd, e
 * executable, m mapped).
 *
 * Every source yields (pid, f, fw, r, c, e, m) rows; one query merges them
 * per process, in pid order, as fuser lists them:
 *   - a file: descriptors on it (fds, by device and inode), the cwd, root
 *     and executable links (process_files), mappings (process_maps), and
 *     the unix sockets bound at its path (sockets, then fds by inode);
 *   - a file system (-m): the same by device alone, descriptors only under
 *     the name (fuser compares the path's start);
 *   - PORT/tcp, PORT/udp: the sockets of that kind, local port, remote
 *     address and port (tcp and tcp6 unless -4/-6), then who holds them.
 */
#include "fuser.h"

#include <stdlib.h>
#include <string.h>

/* Descriptors, cwd/root/exe links and mappings of the name's device:
 * with_inode, of its inode too (a file); else of the whole file system
 * (-m), descriptors only under the name. */
static void device_sources(sqlite3_str *sql, cli_query *q, const fuser_name *n,
                           int with_inode) {
  const char *ino = with_inode ? " AND inode = ?" : "";
  /* fds: files only; a socket, pipe or anon inode is on no file system. */
  sqlite3_str_appendf(sql,
                      "SELECT pid, 1 AS f, mode IN ('w', 'u') AS fw, 0 AS r, 0 AS c,"
                      " 0 AS e, 0 AS m FROM fds WHERE dev_major = ? AND dev_minor = ?%s"
                      " AND type NOT IN ('socket', 'pipe', 'anon_inode', 'net', 'pidfd')",
                      ino);
  cli_q_int(q, n->dev_major);
  cli_q_int(q, n->dev_minor);
  if (with_inode) {
    cli_q_int(q, n->inode);
  } else { /* -m: fuser matches descriptors whose path starts with the name */
    sqlite3_str_appendall(sql, " AND substr(path, 1, length(?)) = ?");
    cli_q_text(q, n->display);
    cli_q_text(q, n->display);
  }
  sqlite3_str_appendf(sql,
                      " UNION ALL SELECT pid, 0, 0, kind = 'rtd', kind = 'cwd', kind = 'txt', 0"
                      " FROM process_files WHERE dev_major = ? AND dev_minor = ?%s"
                      " UNION ALL SELECT pid, 0, 0, 0, 0, 0, 1 FROM process_maps"
                      " WHERE dev_major = ? AND dev_minor = ?%s",
                      ino, ino);
  for (int i = 0; i < 2; i++) {
    cli_q_int(q, n->dev_major);
    cli_q_int(q, n->dev_minor);
    if (with_inode) cli_q_int(q, n->inode);
  }
}

/* The unix sockets bound at the file's path, and their holders. */
static void unix_socket_source(sqlite3_str *sql, cli_query *q, const fuser_name *n) {
  sqlite3_str_appendall(sql,
                        " UNION ALL SELECT f.pid, 1, f.mode IN ('w', 'u'), 0, 0, 0, 0"
                        " FROM sockets s CROSS JOIN fds f ON f.inode = s.inode"
                        " AND f.type = 'socket' WHERE s.kind = 'unix' AND s.path IN (?, ?)");
  cli_q_text(q, n->spec);
  cli_q_text(q, n->display);
}

/* The sockets of a PORT/tcp name, and their holders. */
static int socket_source(sqlite3 *db, const cli_opts *o, sqlite3_str *sql, cli_query *q,
                         const fuser_name *n, const fuser_opts *fo) {
  sqlite3_str_appendall(sql,
                        "SELECT f.pid AS pid, 1 AS f, f.mode IN ('w', 'u') AS fw, 0 AS r,"
                        " 0 AS c, 0 AS e, 0 AS m FROM sockets s CROSS JOIN fds f"
                        " ON f.inode = s.inode AND f.type = 'socket' WHERE s.kind = ?");
  cli_q_text(q, n->space == FUSER_TCP ? "tcp" : "udp");
  /* Which of tcp and tcp6 fuser reads: -4/-6, and a remote address's family. */
  int v4 = !fo->ipv6_only, v6 = !fo->ipv4_only;
  if (n->remote_addr) {
    v4 = v4 && !strchr(n->remote_addr, ':');
    v6 = v6 && strchr(n->remote_addr, ':');
  }
  if (!v4 || !v6) {
    sqlite3_str_appendall(sql, " AND s.family = ?");
    cli_q_text(q, v4 ? "IPv4" : "IPv6");
  }
  if (!v4 && !v6) sqlite3_str_appendall(sql, " AND 0");
  if (n->local_port) {
    sqlite3_str_appendall(sql, " AND s.local_port = ?");
    cli_q_int(q, n->local_port);
  }
  if (n->remote_port) {
    sqlite3_str_appendall(sql, " AND s.remote_port = ?");
    cli_q_int(q, n->remote_port);
  }
  if (n->remote_addr) {
    sqlite3_str_appendall(sql, " AND s.remote_address = ?");
    cli_q_text(q, n->remote_addr);
  }
  cli_query ns = {0};
  int rc = cli_q_and_netns(db, o, &ns, "s.netns = ?");
  if (rc == CLI_OK && ns.where) {
    sqlite3_str_appendf(sql, " AND %s", cli_q_text_of(&ns));
    cli_q_copy_params(q, &ns);
  }
  cli_q_free(&ns);
  return rc;
}

int fuser_query(sqlite3 *db, const cli_opts *o, const fuser_name *n,
                const fuser_opts *fo, sqlite3_stmt **st) {
  sqlite3_str *sql = sqlite3_str_new(NULL);
  cli_query q = {0};
  int rc = CLI_OK;
  sqlite3_str_appendall(sql,
                        "SELECT x.pid, max(x.f), max(x.fw), max(x.r), max(x.c), max(x.e),"
                        " max(x.m), (SELECT u.name FROM users u WHERE u.uid = p.euid LIMIT 1),"
                        " p.name FROM (");
  if (n->space == FUSER_FILE) {
    device_sources(sql, &q, n, !n->mounts);
    if (!n->mounts) unix_socket_source(sql, &q, n);
  } else {
    rc = socket_source(db, o, sql, &q, n, fo);
  }
  sqlite3_str_appendall(sql, ") x CROSS JOIN processes p ON p.pid = x.pid"
                             " WHERE x.pid <> ? GROUP BY x.pid ORDER BY x.pid");
  cli_q_int(&q, fo->self_pid);
  char *text = sqlite3_str_finish(sql);
  *st = rc == CLI_OK ? cli_prepare(db, text, &q) : NULL;
  if (rc == CLI_OK && !*st) rc = CLI_ERR;
  sqlite3_free(text);
  cli_q_free(&q);
  return rc;
}
