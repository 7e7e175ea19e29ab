/*
 * query.c: SELECT ... WHERE ... for the commands. The SQL text is built
 * from fixed pieces only; every value from the command line is a bound
 * parameter.
 */
#include "cli.h"

#include <stdarg.h>
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

void cli_q_append(cli_query *q, const char *fmt, ...) {
  if (!q->where) q->where = sqlite3_str_new(NULL);
  va_list ap;
  va_start(ap, fmt);
  sqlite3_str_vappendf(q->where, fmt, ap);
  va_end(ap);
}

/* "column IN (?, ?, ...)" with n placeholders. */
static char *in_list(const char *column, int n) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  sqlite3_str_appendf(s, "%s IN (", column);
  for (int i = 0; i < n; i++) sqlite3_str_appendall(s, i ? ", ?" : "?");
  sqlite3_str_appendchar(s, 1, ')');
  return sqlite3_str_finish(s);
}

void cli_q_and_in_ints(cli_query *q, const char *column,
                       const sqlite3_int64 *values, int n) {
  char *cond = in_list(column, n);
  if (!cond) {
    q->oom = 1;
    return;
  }
  cli_q_and(q, cond);
  sqlite3_free(cond);
  for (int i = 0; i < n; i++) cli_q_int(q, values[i]);
}

const char *cli_q_text_of(cli_query *q) {
  if (!q->where) return "";
  if (sqlite3_str_errcode(q->where) != SQLITE_OK) {
    q->oom = 1;
    return NULL;
  }
  const char *t = sqlite3_str_value(q->where);
  return t ? t : "";
}

void cli_q_and_query(cli_query *q, const cli_query *sub) {
  if (!sub->where) return;
  const char *t = cli_q_text_of((cli_query *)sub);
  if (!t || sub->oom) {
    q->oom = 1;
    return;
  }
  cli_q_and(q, t);
  cli_q_copy_params(q, sub);
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

void cli_q_copy_params(cli_query *q, const cli_query *from) {
  for (int i = 0; i < from->nparams; i++) {
    const cli_param *p = &from->params[i];
    if (p->is_text) cli_q_text(q, p->s);
    else cli_q_int(q, p->i);
  }
  if (from->oom) q->oom = 1;
}

void cli_q_free(cli_query *q) {
  if (q->where) sqlite3_free(sqlite3_str_finish(q->where));
  for (int i = 0; i < q->nparams; i++) free(q->params[i].s);
  free(q->params);
  memset(q, 0, sizeof *q);
}

sqlite3_stmt *cli_prepare(sqlite3 *db, const char *sql, const cli_query *q) {
  sqlite3_stmt *st = NULL;
  if (!sql || (q && q->oom)) {
    cli_error("out of memory");
    return NULL;
  }
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  for (int i = 0; rc == SQLITE_OK && q && i < q->nparams; i++) {
    const cli_param *p = &q->params[i];
    rc = p->is_text ? sqlite3_bind_text(st, i + 1, p->s, -1, SQLITE_TRANSIENT)
                    : sqlite3_bind_int64(st, i + 1, p->i);
  }
  if (rc != SQLITE_OK) {
    cli_error("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

void cli_append_select(sqlite3_str *sql, const cli_col *cols, int ncols) {
  sqlite3_str_appendall(sql, "SELECT ");
  for (int i = 0; i < ncols; i++) {
    if (i) sqlite3_str_appendall(sql, ", ");
    if (cols[i].expr) sqlite3_str_appendf(sql, "%s AS \"%w\"", cols[i].expr, cols[i].name);
    else sqlite3_str_appendf(sql, "\"%w\"", cols[i].name);
  }
}

int cli_run_sql(sqlite3 *db, const cli_opts *o, const char *sql,
                const cli_col *cols, const cli_query *q,
                const cli_table_style *style) {
  return cli_run_sql_hooked(db, o, sql, cols, q, style, NULL);
}

int cli_run_sql_hooked(sqlite3 *db, const cli_opts *o, const char *sql,
                       const cli_col *cols, const cli_query *q,
                       const cli_table_style *style, const cli_row_hooks *hooks) {
  sqlite3_stmt *st = cli_prepare(db, sql, q);
  if (!st) return CLI_ERR;
  int rc = o->sink ? o->sink->take(o->sink->ctx, st, cols, hooks)
                   : cli_write_rows_hooked(st, cols, o->format, style, hooks, stdout);
  if (rc != SQLITE_DONE) {
    int e = cli_error("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return e;
  }
  sqlite3_finalize(st);
  return CLI_OK;
}
