/*
 * cmd_sql.c: `procnet sql [--] [SQL...]`: runs SQL (the words joined by
 * spaces, or standard input when there are none) with every procnet table
 * and the views of sql/views.sql. Each statement that returns columns is
 * written in the chosen format (a table, CSV or a JSON array each; tables
 * are separated by a blank line). The first error stops the run.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char cli_usage_sql[] =
    "usage: procnet sql [--] [SQL]  (SQL from standard input when not given)"
    " [--root DIR] [--format table|csv|json]";

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

/* The SQL words (options rejected before `--`), joined by spaces; NULL
 * with *usage set for a bad option, NULL alone when out of memory, "" when
 * there are none. */
static char *sql_words(int argc, char **argv, int *usage) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  int dashdash = 0, n = 0;
  for (int i = 1; i < argc; i++) {
    const char *w = argv[i];
    if (!dashdash && !strcmp(w, "--")) {
      dashdash = 1;
      continue;
    }
    if (!dashdash && w[0] == '-' && w[1] != '\0') {
      *usage = cli_usage_error("sql", "unknown option '%s' (put SQL that starts "
                                      "with '-' after --)", w);
      sqlite3_free(sqlite3_str_finish(s));
      return NULL;
    }
    sqlite3_str_appendf(s, "%s%s", n++ ? " " : "", w);
  }
  if (sqlite3_str_errcode(s) != SQLITE_OK) {
    sqlite3_free(sqlite3_str_finish(s));
    return NULL;
  }
  char *r = sqlite3_str_finish(s);
  return r ? r : sqlite3_mprintf("%s", "");
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
      rc = cli_write_rows(st, NULL, o->format, stdout);
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

int cli_cmd_sql(const cli_opts *o, int argc, char **argv) {
  int usage = 0;
  char *words = sql_words(argc, argv, &usage);
  if (!words) return usage ? usage : cli_error("out of memory");
  int given = 0; /* any SQL word, even "" */
  for (int i = 1, dd = 0; i < argc; i++) {
    if (!dd && !strcmp(argv[i], "--")) dd = 1;
    else given = 1;
  }
  char *in = NULL;
  if (!given && !(in = read_stdin())) {
    sqlite3_free(words);
    return CLI_ERR;
  }
  sqlite3 *db = cli_db_open(o, 1);
  int rc = db ? run_sql(db, o, in ? in : words) : CLI_ERR;
  if (db) cli_db_close(db);
  free(in);
  sqlite3_free(words);
  return rc;
}
