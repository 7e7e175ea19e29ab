/*
 * query.c: SELECT <columns> FROM <view> WHERE ... for the subcommands. The
 * SQL text is built from fixed pieces only; every value from the command
 * line is a bound parameter.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_q_and(cli_query *q, const char *cond) {
  if (!q->where) {
    q->where = sqlite3_str_new(NULL);
    sqlite3_str_appendf(q->where, "(%s)", cond);
  } else {
    sqlite3_str_appendf(q->where, " AND (%s)", cond);
  }
}

int cli_q_and_flags(cli_query *q, const cli_flag_cond *conds, size_t n,
                    const char *seen) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  int used = 0;
  for (size_t i = 0; i < n; i++)
    if (seen[(unsigned char)conds[i].letter])
      sqlite3_str_appendf(s, "%s%s", used++ ? " OR " : "", conds[i].cond);
  char *any = sqlite3_str_finish(s);
  if (used && any) cli_q_and(q, any);
  if (used && !any) q->oom = 1;
  sqlite3_free(any);
  return used;
}

int cli_q_and_netns(sqlite3 *db, const cli_opts *o, cli_query *q,
                    const char *cond) {
  sqlite3_int64 ino;
  if (o->ns == CLI_NS_ALL) return CLI_OK;
  int rc = cli_netns_inode(db, o, &ino);
  if (rc != CLI_OK) return rc;
  cli_q_and(q, cond);
  cli_q_int(q, ino);
  return CLI_OK;
}

static cli_param *push(cli_query *q) {
  if (q->nparams == q->cap) {
    int cap = q->cap ? 2 * q->cap : 8;
    cli_param *p = realloc(q->params, (size_t)cap * sizeof *p);
    if (!p) {
      q->oom = 1;
      return NULL;
    }
    q->params = p;
    q->cap = cap;
  }
  cli_param *p = &q->params[q->nparams++];
  memset(p, 0, sizeof *p);
  return p;
}

void cli_q_int(cli_query *q, sqlite3_int64 v) {
  cli_param *p = push(q);
  if (p) p->i = v;
}

void cli_q_text(cli_query *q, const char *s) {
  cli_param *p = push(q);
  if (!p) return;
  p->is_text = 1;
  p->s = strdup(s);
  if (!p->s) q->oom = 1;
}

void cli_q_free(cli_query *q) {
  if (q->where) sqlite3_free(sqlite3_str_finish(q->where));
  for (int i = 0; i < q->nparams; i++) free(q->params[i].s);
  free(q->params);
  memset(q, 0, sizeof *q);
}

int cli_run_view(sqlite3 *db, const cli_opts *o, const char *view,
                 const cli_col *cols, int ncols, cli_query *q) {
  if (!cli_view_exists(db, view))
    return cli_error("this build has no '%s' view (see sql/views.sql)", view);
  sqlite3_str *sql = sqlite3_str_new(db);
  sqlite3_str_appendall(sql, "SELECT ");
  for (int i = 0; i < ncols; i++)
    sqlite3_str_appendf(sql, "%s\"%w\"", i ? ", " : "", cols[i].name);
  sqlite3_str_appendf(sql, " FROM temp.\"%w\"", view);
  if (q && q->where) {
    if (sqlite3_str_errcode(q->where) != SQLITE_OK) q->oom = 1;
    else sqlite3_str_appendf(sql, " WHERE %s", sqlite3_str_value(q->where));
  }
  char *text = sqlite3_str_finish(sql);
  if (!text || (q && q->oom)) {
    sqlite3_free(text);
    return cli_error("out of memory");
  }

  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, text, -1, &st, NULL);
  sqlite3_free(text);
  for (int i = 0; rc == SQLITE_OK && q && i < q->nparams; i++) {
    const cli_param *p = &q->params[i];
    rc = p->is_text ? sqlite3_bind_text(st, i + 1, p->s, -1, SQLITE_STATIC)
                    : sqlite3_bind_int64(st, i + 1, p->i);
  }
  if (rc == SQLITE_OK) rc = cli_write_rows(st, cols, o->format, stdout);
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    int e = cli_error("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return e;
  }
  sqlite3_finalize(st);
  return CLI_OK;
}

int cli_show_view(const cli_opts *o, const char *view, const cli_col *cols,
                  int ncols, cli_query *q, const char *netns_cond) {
  sqlite3 *db = cli_db_open(o, 1);
  if (!db) return CLI_ERR;
  int rc = cli_q_and_netns(db, o, q, netns_cond);
  if (rc == CLI_OK) rc = cli_run_view(db, o, view, cols, ncols, q);
  cli_db_close(db);
  return rc;
}
