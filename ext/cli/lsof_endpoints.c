/*
 * lsof_endpoints.c: lsof's +E and -E (lsof(8), +|-E). -E adds each listed
 * file's ends to its NAME: the processes at the other end of a pipe, FIFO,
 * pty, eventfd, unix socket or TCP/UDP connection of this host, as
 * "PID,cmd,FDmode" each, after "->INO=N" (the peer) for a unix socket and
 * "->/dev/pts/N" for a pty master; a unix or TCP socket's go before its
 * " (STATE)". +E lists the ends' own files too, with their ends.
 *
 * Who the ends are is the view lsof_endpoints (sql/views.sql), read once
 * per statement into lsof_ends_rows; lsof_ends makes each file's text from
 * them, in the view's order (a window aggregate keeps it), and NAME looks
 * it up per row. The view lsof_e makes
 * the same text with whole command names (+c0); here each is cut to +c's
 * width as lsof cuts it, so the text is made for the statement.
 *
 * +E's rows: the selection, or a file that is an end of a file the
 * selection lists:
 *   (<selection>) OR (l.pid, l.fdnum) IN (SELECT r.end_pid, r.end_fd FROM
 *     lsof_ends_rows r WHERE (r.pid, r.fd) IN (SELECT l.pid, l.fdnum FROM VIEW
 *     AS l WHERE <selection>))
 * as lsof selects an end's file whatever the other options say (its
 * process may be one -p leaves out). The listing then reads every
 * process, as lsof does for +E.
 */
#include "lsof.h"

/* The state a unix or TCP socket's NAME ends with, in parentheses; NULL
 * for the other files, whose ends follow the name. */
#define STATE_OF_NAME                                                                   \
  "(CASE WHEN l.type = 'unix' OR (l.kind = 'tcp' AND l.type IN ('IPv4', 'IPv6'))"       \
  " THEN coalesce(l.state, 'UNKNOWN') END)"

void lsof_ends_with(sqlite3_str *sql, const lsof_view_opts *v, cli_query *q) {
  if (v->endpoints == LSOF_ENDS_NONE) return;
  sqlite3_str_appendf(
      sql,
      "WITH lsof_ends_rows AS MATERIALIZED (SELECT * FROM temp.lsof_endpoints),"
      " lsof_ends(ends_pid, ends_fd, endpoints) AS MATERIALIZED ("
      "SELECT pid, fd, CASE kind WHEN 'unix' THEN '->INO=' || peer || coalesce(' ' || t, '')"
      " WHEN 'ptmx' THEN '->/dev/pts/' || peer || ' ' || t ELSE t END AS endpoints"
      " FROM (SELECT pid, fd, kind, peer, position,"
      " group_concat(end_pid || ',' || %s || ',' || end_fd || end_mode, ' ')"
      " OVER (PARTITION BY pid, fd ORDER BY position"
      " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS t"
      " FROM lsof_ends_rows) WHERE position = 1) ",
      v->cmd_width ? "substr(end_command, 1, ?)" : "end_command");
  if (v->cmd_width) cli_q_int(q, v->cmd_width);
}

const char *lsof_ends_name(const lsof_view_opts *v) {
  if (v->endpoints == LSOF_ENDS_NONE) return "l.name";
  /* A lookup, not a join: joined, the view would lose its order (SQLite
   * drops the ORDER BY of a subquery in FROM that is joined). */
  return "coalesce((SELECT CASE WHEN " STATE_OF_NAME " IS NULL THEN l.name || ' ' || e.endpoints"
         " ELSE substr(l.name, 1, length(l.name) - length(" STATE_OF_NAME ") - 3)"
         " || ' ' || e.endpoints"
         " || substr(l.name, length(l.name) - length(" STATE_OF_NAME ") - 2) END"
         " FROM lsof_ends e WHERE e.ends_pid = l.pid AND e.ends_fd = l.fdnum), l.name)";
}

void lsof_ends_where(sqlite3_str *sql, const lsof_view_opts *v, const char *view,
                     cli_query *q, cli_query *where) {
  const char *cond = cli_q_text_of(where);
  if (!cond) return;
  if (v->endpoints != LSOF_ENDS_FILES) {
    sqlite3_str_appendall(sql, cond);
    cli_q_copy_params(q, where);
    return;
  }
  sqlite3_str_appendf(sql,
                      "((%s) OR (l.pid, l.fdnum) IN (SELECT r.end_pid, r.end_fd"
                      " FROM lsof_ends_rows r WHERE (r.pid, r.fd) IN"
                      " (SELECT l.pid, l.fdnum FROM temp.%s AS l WHERE %s)))",
                      cond, view, cond);
  cli_q_copy_params(q, where);
  cli_q_copy_params(q, where);
}
