/*
 * lsof_query.c: the SELECT behind `procnet lsof`, its rows written as
 * lsof writes them, and lsof's exit status.
 *
 * The statement reads the lsof_tasks view (sql/views.sql) as l when task
 * rows are listed (lsof_reads_tasks), else the lsof view:
 *   SELECT <printed columns>, <search items> FROM temp.lsof[_tasks] AS l
 *   WHERE <exclusions and selection (lsof_select.c)>
 * in the view's order (lsof's: by pid, then cwd, rtd, txt, mem, fds, then
 * the same for each thread).
 *
 * The one-port questions (`lsof -i :8080`, `lsof -t -i tcp:80,443`: every
 * -i address names ports, and nothing is ORed with them) must not build the
 * whole listing. -t reads the sockets twice, once for those whose local
 * port is one of the ports and once for those whose remote port is (and
 * local port is not), each with `local_port IN (...)` or `remote_port IN
 * (...)` as a constraint of the socket scan; the holders are then looked
 * up by inode in the descriptor index (HOLDERS). An OR of the two ends
 * would reach no scan. The listing first runs that read for the holders'
 * pids, then reads the view with `l.pid IN (?, ...)`: SQLite hands a list
 * of constants through the view to each table's walk, which then visits
 * those processes alone (an IN (subquery) it would not hand down, and the
 * view's socket rows cannot be reached by port: its descriptor arm allows
 * walks only).
 *
 * Search items (lsof_select.c) ride along as hidden columns after the
 * printed ones, so that what was found is learnt from the rows written;
 * -t groups by pid and keeps the maximum of each.
 */
#include "lsof.h"

#include <stdlib.h>
#include <string.h>

/* More ports than this (ranges counted whole) read the whole listing. */
#define DRIVE_MAX_PORTS 1024
/* The most columns of lsof's table. */
#define TABLE_COLS 15

/* ---- the printed columns ------------------------------------------------------ */

/* lsof's table: COMMAND PID [TID TASKCMD] [PPID] [PGID] USER FD TYPE DEVICE
 * SIZE/OFF [NLINK] NODE NAME. COMMAND and TASKCMD are cut to +c's width by a
 * parameter each. TID and TASKCMD (columns TID_COL and TID_COL + 1) are
 * left out when no task row is printed, as lsof leaves them out. */
#define TID_COL 2
static int table_cols(const lsof_view_opts *v, int tasks, cli_col cols[TABLE_COLS]) {
  int n = 0;
  cols[n++] = (cli_col){"command", "COMMAND", CLI_LEFT, 0,
                        v->cmd_width ? "substr(l.command, 1, ?)" : NULL};
  cols[n++] = (cli_col)CLI_COL("pid", "PID", CLI_RIGHT);
  if (tasks) {
    cols[n++] = (cli_col)CLI_COL("tid", "TID", CLI_RIGHT);
    cols[n++] = (cli_col){"taskcmd", "TASKCMD", CLI_LEFT, 0,
                          v->cmd_width ? "substr(l.taskcmd, 1, ?)" : NULL};
  }
  if (v->ppid) cols[n++] = (cli_col)CLI_COL("ppid", "PPID", CLI_RIGHT);
  if (v->pgid) cols[n++] = (cli_col)CLI_COL("pgid", "PGID", CLI_RIGHT);
  /* -l: uids, right-aligned as lsof prints numbers */
  cols[n++] = v->uid_numbers ? (cli_col){"user", "USER", CLI_RIGHT, 0, "CAST(l.uid AS TEXT)"}
                             : (cli_col)CLI_COL("user", "USER", CLI_LEFT);
  cols[n++] = (cli_col)CLI_COL("fd", "FD", CLI_FD);
  cols[n++] = (cli_col)CLI_COL("type", "TYPE", CLI_RIGHT);
  cols[n++] = (cli_col)CLI_COL("device", "DEVICE", CLI_RIGHT);
  /* -s: sizes only; offsets (0t..., 0x...) are left out. */
  cols[n++] = v->size_only
                  ? (cli_col){"size", "SIZE", CLI_RIGHT, 0,
                              "CASE WHEN l.size_off LIKE '0t%' OR l.size_off LIKE '0x%'"
                              " THEN NULL ELSE l.size_off END"}
                  : (cli_col)CLI_COL("size_off", "SIZE/OFF", CLI_RIGHT);
  if (v->nlink) cols[n++] = (cli_col)CLI_COL("nlink", "NLINK", CLI_RIGHT);
  cols[n++] = (cli_col)CLI_COL("node", "NODE", CLI_RIGHT);
  cols[n++] = v->endpoints ? (cli_col){"name", "NAME", CLI_LEFT, 0, lsof_ends_name(v)}
                           : (cli_col)CLI_COL("name", "NAME", CLI_LEFT);
  return n;
}

/* lsof raises a width below the title's to it. */
static int command_width(const lsof_view_opts *v) {
  return v->cmd_width && v->cmd_width < 7 ? 7 : v->cmd_width;
}

static const cli_col TERSE_COL = {"pid", "PID", CLI_LEFT, 0, NULL};

/* SELECT <printed columns>, with their parameters into q. */
static void select_list(sqlite3_str *sql, const lsof_view_opts *v, int tasks, cli_query *q) {
  cli_col cols[TABLE_COLS];
  switch (v->out) {
  case LSOF_OUT_TERSE:
    sqlite3_str_appendall(sql, "SELECT l.pid");
    break;
  case LSOF_OUT_FIELDS:
    lsof_fields_select(sql, v->fields, tasks, lsof_ends_name(v));
    break;
  case LSOF_OUT_TABLE:
    /* the widths of COMMAND and of TASKCMD */
    for (int k = 0; v->cmd_width && k < 1 + tasks; k++) cli_q_int(q, command_width(v));
    cli_append_select(sql, cols, table_cols(v, tasks, cols));
    break;
  }
}

/* ", <item>..." after the printed columns; returns how many. */
static int hidden_list(sqlite3_str *sql, const lsof_sel *s, const lsof_view_opts *v,
                       cli_query *q) {
  int terse = v->out == LSOF_OUT_TERSE;
  int n = lsof_row_items(s, sql, q, terse ? "max" : NULL);
  if (!s->names) return n;
  const char *w = terse ? "group_concat(DISTINCT " : "(";
  sqlite3_str_appendf(sql, ", %s%s), %s%s)", w, lsof_name_file_expr, w, lsof_name_fs_expr);
  return n + 2;
}

/* ---- where the rows come from ----------------------------------------------------- */

/* Whether every row the selection lists is a socket of the -i ports. -K's
 * task rows, ANDed, are left to the listing's read: the holders' read
 * has no threads, so -t with them reads the listing. */
static int one_port_question(const lsof_sel *s, const lsof_view_opts *v) {
  int terse = v->out == LSOF_OUT_TERSE;
  int others = s->pids[0].n || s->pgids[0].n || s->uids[0].n || s->cmds[0].n ||
               s->net != LSOF_NET_NONE || s->unix_sockets || s->names ||
               s->tasks == LSOF_TASKS_SELECT || s->by_nlink;
  if (terse && s->tasks == LSOF_TASKS_SELECT) return 0;
  /* +E lists the ends' files too, in processes the ports do not name */
  if (v->endpoints == LSOF_ENDS_FILES) return 0;
  return s->ninet && (s->and_all || !others);
}

/* " AND S.END_port [NOT] IN (ports)" (S: the alias of the socket columns) */
static void port_arm(sqlite3_str *sql, cli_query *q, const char *end, int negate,
                     const sqlite3_int64 *ports, int n) {
  sqlite3_str_appendf(sql, " AND s.%s_port %sIN (", end, negate ? "NOT " : "");
  for (int i = 0; i < n; i++) {
    sqlite3_str_appendall(sql, i ? ", ?" : "?");
    cli_q_int(q, ports[i]);
  }
  sqlite3_str_appendall(sql, ")");
}

/* -t prints pids only: its one-port reads need no display column, and
 * take the sockets, the descriptors holding them and their processes
 * directly, under the names of the lsof view's typed columns (the view
 * would make every row's device, offset and user name). Rows as the
 * view's socket rows: one per descriptor, no zombie. */
static const char HOLDERS[] =
    "SELECT f.pid AS pid, p.pgrp AS pgid, p.euid AS uid, p.name AS command, f.fd AS fdnum,"
    " f.type AS ftype, f.inode AS inode, f.dev_major AS dev_major, f.dev_minor AS dev_minor,"
    " s.kind AS kind, s.family AS family, s.local_address AS local_address,"
    " s.local_port AS local_port, s.remote_address AS remote_address,"
    " s.remote_port AS remote_port, s.state AS state"
    " FROM sockets s CROSS JOIN fds f ON f.inode = s.inode AND f.type = 'socket'"
    " CROSS JOIN processes p ON p.pid = f.pid WHERE p.state IS NOT 'Z'";

/* One read of the holders: local (remote 0) or remote (1) ports. */
static void port_read(sqlite3_str *sql, cli_query *q, int remote, const char *kind,
                      const sqlite3_int64 *ports, int n) {
  sqlite3_str_appendall(sql, HOLDERS);
  if (kind) {
    sqlite3_str_appendall(sql, " AND s.kind = ?");
    cli_q_text(q, kind);
  } else {
    sqlite3_str_appendf(sql, " AND s.kind IN %s", lsof_inet_kinds);
  }
  port_arm(sql, q, remote ? "remote" : "local", 0, ports, n);
  if (remote) port_arm(sql, q, "local", 1, ports, n);
}

/* The lsof views, made on first need: -t's one-port reads do without. */
static int need_view(sqlite3 *db) {
  if (cli_db_views(db, "lsof") != CLI_OK) return CLI_ERR;
  if (cli_view_exists(db, "lsof_tasks")) return CLI_OK;
  return cli_error("this build has no 'lsof_tasks' view (see sql/views.sql)");
}

/* The exclusions and the selection over l, and --netns. */
static int row_condition(sqlite3 *db, const cli_opts *o, const lsof_sel *s, cli_query *where) {
  lsof_where(s, where);
  return cli_q_and_netns(db, o, where, "l.pid IN (SELECT pid FROM processes WHERE netns = ?)");
}

/* The pids of the one-port question's holders, each once, in order:
 * what -t prints for it (without -K's set, which the listing applies). */
static int holder_pids(sqlite3 *db, const cli_opts *o, const lsof_sel *s,
                       const lsof_view_opts *v, sqlite3_int64 **pids, int *n) {
  lsof_sel plain = *s;
  lsof_view_opts terse = *v;
  cli_query q = {0};
  int hidden, rc = CLI_OK;
  plain.tasks = LSOF_TASKS_DEFAULT;
  terse.out = LSOF_OUT_TERSE;
  terse.endpoints = LSOF_ENDS_NONE;
  *pids = NULL;
  *n = 0;
  char *sql = lsof_query_sql(db, o, &plain, &terse, &q, &hidden);
  sqlite3_stmt *st = sql ? cli_prepare(db, sql, &q) : NULL;
  if (!st) rc = CLI_ERR;
  int step = SQLITE_DONE;
  while (st && rc == CLI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
    sqlite3_int64 *p = realloc(*pids, (size_t)(*n + 1) * sizeof *p);
    if (!p) rc = cli_error("out of memory");
    else (*pids = p)[(*n)++] = sqlite3_column_int64(st, 0);
  }
  if (rc == CLI_OK && step != SQLITE_DONE) rc = cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_free(sql);
  cli_q_free(&q);
  return rc;
}

/* FROM ... WHERE ...: the holders' reads (-t's one-port question), or the
 * view: whole, or for the holders' pids. -t's selection is tested on the
 * rows the reads return: inside them, its ORs over both ends of a socket
 * would keep SQLite from letting the port scan lead, so LIMIT -1 keeps it
 * out (SQLite pushes no condition into a subquery with a LIMIT). */
static int from_clause(sqlite3 *db, const cli_opts *o, sqlite3_str *sql, cli_query *q,
                       const lsof_sel *s, const lsof_view_opts *v, cli_query *where) {
  int terse = v->out == LSOF_OUT_TERSE;
  const char *view = lsof_reads_tasks(s) ? "lsof_tasks" : "lsof";
  sqlite3_int64 *ports = malloc(DRIVE_MAX_PORTS * sizeof *ports), *pids = NULL;
  const char *kind = NULL;
  int npids = 0, rc = CLI_OK;
  if (!ports) return cli_error("out of memory");
  int n = one_port_question(s, v) ? lsof_inet_ports(s, ports, DRIVE_MAX_PORTS, &kind) : -1;
  if (n > 0 && terse) {
    sqlite3_str_appendall(sql, " FROM (");
    port_read(sql, q, 0, kind, ports, n);
    sqlite3_str_appendall(sql, " UNION ALL ");
    port_read(sql, q, 1, kind, ports, n);
    sqlite3_str_appendall(sql, " LIMIT -1) AS l WHERE ");
  } else {
    rc = need_view(db);
    if (rc == CLI_OK && n > 0) rc = holder_pids(db, o, s, v, &pids, &npids);
    sqlite3_str_appendf(sql, " FROM temp.%s AS l WHERE ", view);
    if (n > 0 && !npids) sqlite3_str_appendall(sql, "0 AND "); /* no holder, no row */
    if (npids) {
      cli_query in = {0};
      cli_q_and_in_ints(&in, "l.pid", pids, npids);
      /* every row of the one-port question is an Internet socket: a
       * comparison on its port says so to SQLite (the selection's IN list
       * and OR do not), which then joins the sockets as an inner join and
       * hands them the -i kinds: the lookups read those kinds alone */
      sqlite3_str_appendf(sql, "%s AND l.local_port >= 0 AND ", cli_q_text_of(&in));
      cli_q_copy_params(q, &in);
      if (in.oom) q->oom = 1;
      cli_q_free(&in);
    }
  }
  lsof_ends_where(sql, v, view, q, where);
  free(pids);
  free(ports);
  return rc;
}

char *lsof_query_sql(sqlite3 *db, const cli_opts *o, const lsof_sel *s,
                     const lsof_view_opts *v, cli_query *q, int *hidden) {
  cli_query where = {0};
  int rc = row_condition(db, o, s, &where);
  sqlite3_str *sql = sqlite3_str_new(NULL);
  lsof_ends_with(sql, v, q);
  select_list(sql, v, lsof_reads_tasks(s), q);
  *hidden = hidden_list(sql, s, v, q);
  int flags = v->out == LSOF_OUT_FIELDS && lsof_fields_want_flags(v->fields);
  if (flags) sqlite3_str_appendall(sql, " FROM (SELECT *");
  if (rc == CLI_OK) rc = from_clause(db, o, sql, q, s, v, &where);
  if (flags) lsof_fields_join(sql, lsof_reads_tasks(s));
  if (v->out == LSOF_OUT_TERSE) sqlite3_str_appendall(sql, " GROUP BY l.pid ORDER BY l.pid");
  if (where.oom) q->oom = 1;
  cli_q_free(&where);
  char *text = sqlite3_str_finish(sql);
  if (rc != CLI_OK || !text || q->oom) {
    if (rc == CLI_OK) cli_error("out of memory");
    sqlite3_free(text);
    return NULL;
  }
  return text;
}

/* ---- what was found ------------------------------------------------------------------ */

typedef struct found {
  int nitems;             /* row items: the first hidden columns */
  int *items;
  int names;              /* the name columns follow */
  unsigned char *named;   /* named file ids seen, 1..nnames */
  int nnames;
} found;

/* "3" or "3,5" (group_concat): each id seen. */
static void note_ids(found *f, const unsigned char *text) {
  char *p = (char *)text;
  while (p && *p) {
    long id = strtol(p, &p, 10);
    if (id >= 1 && id <= f->nnames) f->named[id] = 1;
    while (*p && (*p < '0' || *p > '9')) p++;
  }
}

static void note_row(void *ctx, sqlite3_stmt *st) {
  found *f = ctx;
  int base = sqlite3_column_count(st) - f->nitems - (f->names ? 2 : 0);
  for (int i = 0; i < f->nitems; i++)
    if (sqlite3_column_int(st, base + i)) f->items[i] = 1;
  for (int k = 0; f->names && k < 2; k++)
    note_ids(f, sqlite3_column_text(st, base + f->nitems + k));
}

/* The process items (-p, -g, -c): 1 when one matched no process. */
static int process_items_missing(sqlite3 *db, const cli_opts *o, const lsof_sel *s, int *missing) {
  cli_query q = {0}, ns = {0};
  int n;
  char *sql = lsof_proc_items_sql(s, &q, &n);
  *missing = 0;
  if (!sql) {
    cli_q_free(&q);
    return CLI_OK;
  }
  int rc = cli_q_and_netns(db, o, &ns, "p.netns = ?");
  sqlite3_str *full = sqlite3_str_new(NULL);
  sqlite3_str_appendall(full, sql);
  if (ns.where) sqlite3_str_appendf(full, " AND %s", cli_q_text_of(&ns));
  cli_q_copy_params(&q, &ns);
  char *text = sqlite3_str_finish(full);
  sqlite3_stmt *st = rc == CLI_OK ? cli_prepare(db, text, &q) : NULL;
  if (rc == CLI_OK && !st) rc = CLI_ERR;
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 1; i <= n; i++)
      if (!sqlite3_column_int(st, i)) *missing = 1;
  } else if (st) {
    rc = cli_error("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_free(text);
  sqlite3_free(sql);
  cli_q_free(&q);
  cli_q_free(&ns);
  return rc;
}

/* ---- the run ------------------------------------------------------------------------ */

static int write_rows(sqlite3 *db, const cli_opts *o, const lsof_view_opts *v, int tasks,
                      const char *sql, const cli_query *q, const cli_row_hooks *hooks) {
  if (v->out != LSOF_OUT_FIELDS) {
    cli_col cols[TABLE_COLS];
    int terse = v->out == LSOF_OUT_TERSE;
    if (!terse) table_cols(v, tasks, cols);
    cli_table_style style = {terse, tasks ? 3u << TID_COL : 0};
    return cli_run_sql_hooked(db, o, sql, terse ? &TERSE_COL : cols, q, &style, hooks);
  }
  sqlite3_stmt *st = cli_prepare(db, sql, q);
  if (!st) return CLI_ERR;
  int step = lsof_fields_write(st, v->fields, hooks, stdout);
  int rc = step == SQLITE_DONE ? CLI_OK : cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

int lsof_run(sqlite3 *db, const cli_opts *o, const lsof_sel *s, const lsof_view_opts *v) {
  cli_query q = {0};
  int hidden = 0;
  /* the holders' read and the listing see one dump of the sockets */
  if (cli_hold_sockets(db, 1) != CLI_OK) return CLI_ERR;
  char *sql = lsof_query_sql(db, o, s, v, &q, &hidden);
  found f = {0};
  f.names = s->names;
  f.nitems = hidden - (s->names ? 2 : 0);
  f.nnames = s->nnames;
  f.items = calloc((size_t)f.nitems + 1, sizeof *f.items);
  f.named = calloc((size_t)f.nnames + 1, 1);
  int rc = sql && f.items && f.named ? CLI_OK : CLI_ERR;
  if (sql && rc != CLI_OK) cli_error("out of memory");
  cli_row_hooks hooks = {hidden, note_row, &f, 1};
  if (rc == CLI_OK) rc = write_rows(db, o, v, lsof_reads_tasks(s), sql, &q, &hooks);
  if (cli_hold_sockets(db, 0) != CLI_OK) rc = CLI_ERR;
  fflush(stdout);
  int missing = 0;
  if (rc == CLI_OK) rc = process_items_missing(db, o, s, &missing);
  for (int i = 0; i < f.nitems; i++) missing |= !f.items[i];
  for (int i = 1; i <= f.nnames; i++) missing |= !f.named[i];
  if (rc == CLI_OK && s->name_errors) rc = CLI_ERR;
  else if (rc == CLI_OK && missing) rc = CLI_NONE;
  free(f.items);
  free(f.named);
  sqlite3_free(sql);
  cli_q_free(&q);
  return rc;
}
