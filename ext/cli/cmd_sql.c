/*
 * cmd_sql.c: `procnet sql [--] [SQL...]`: runs SQL (the words joined by
 * spaces, or standard input when there are none) with every procnet table
 * and the views of sql/views.sql. Each statement that returns columns is
 * written in the chosen format (a table, CSV or a JSON array each; tables
 * are separated by a blank line). The first error stops the run. Options
 * (none but the global ones) stand before `--`; SQL that starts with `-`
 * goes after it.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Reads all of standard input (a NUL-terminated malloc'd string). */
static char *read_stdin(void) {
  size_t n = 0, cap = 4096;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *b = realloc(buf, cap *= 2);
      if (!b) break;
      buf = b;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, stdin);
    n += got;
    if (got == 0) {
      if (ferror(stdin)) {
        cli_error("cannot read standard input");
        free(buf);
        return NULL;
      }
      buf[n] = '\0';
      return buf;
    }
  }
  free(buf);
  cli_error("out of memory");
  return NULL;
}

/* The SQL words, joined by spaces as they come (options.c rejects
 * options before `--`). */
typedef struct sql_words {
  sqlite3_str *text;
  int n;
} sql_words;

static int on_word(void *ctx, const cli_parse_state *st, int code, const char *w) {
  sql_words *sw = ctx;
  (void)st;
  if (code == CLI_OPERAND) sqlite3_str_appendf(sw->text, "%s%s", sw->n++ ? " " : "", w);
  return CLI_OK;
}

static int run_sql(sqlite3 *db, const cli_opts *o, const char *sql) {
  const char *tail = sql;
  int nresults = 0;
  while (tail && *tail) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
    if (rc != SQLITE_OK) return cli_error("%s", sqlite3_errmsg(db));
    if (!st) continue; /* whitespace or a comment */
    if (sqlite3_column_count(st) > 0) {
      if (nresults++ && o->format == CLI_TABLE) fputc('\n', stdout);
      rc = cli_write_rows(st, NULL, o->format, NULL, stdout);
    } else {
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      }
    }
    if (rc != SQLITE_DONE) {
      int e = cli_error("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
      sqlite3_finalize(st);
      return e;
    }
    sqlite3_finalize(st);
  }
  return CLI_OK;
}

int cli_cmd_sql(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  sql_words sw = {sqlite3_str_new(NULL), 0};
  int rc = cli_parse(cmd, o, argc, argv, on_word, &sw);
  int oom = sqlite3_str_errcode(sw.text) != SQLITE_OK;
  char *words = sqlite3_str_finish(sw.text); /* NULL when "" */
  if (rc != CLI_OK || oom) {
    sqlite3_free(words);
    return rc != CLI_OK ? rc : cli_error("out of memory");
  }
  char *in = NULL;
  if (!sw.n && !(in = read_stdin())) {
    sqlite3_free(words);
    return CLI_ERR;
  }
  sqlite3 *db = cli_db_open(o, 1);
  rc = db ? run_sql(db, o, in ? in : words ? words : "") : CLI_ERR;
  if (db) cli_db_close(db);
  free(in);
  sqlite3_free(words);
  return rc;
}
