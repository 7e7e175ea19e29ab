/*
 * watch_print.c: the rows of `procnet watch` as bytes, and the rows one run
 * added or removed, written; see watch.h.
 *
 * A run's changes are staged in an in-memory database so that the writers
 * of output.c (aligned tables, RFC 4180 CSV, JSON values) print them as
 * they print any command's rows:
 *   table   "+ TIME col..." / "- TIME col...", TIME the local time of day;
 *           the header once (again only when another set is written), and
 *           each column as wide as its widest value so far;
 *   csv     time,action,col...: the header once per set, as for tables;
 *   json    one object a line: {"time":...,"action":"added","row":{...}}.
 * Times in CSV and JSON are UTC, ISO 8601 with milliseconds.
 */
#include "watch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- rows as bytes ------------------------------------------------------------ */

static void put(watch_buf *b, const void *p, size_t n) {
  if (b->oom) return;
  if (b->cap - b->n < n) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->n < n) cap *= 2;
    unsigned char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

void watch_buf_reset(watch_buf *b) {
  b->n = 0;
  b->oom = 0;
}

void watch_buf_free(watch_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* Each value: its type (one byte), then an int64 or a double, or a 32-bit
 * length and the bytes of a text or blob; nothing for NULL. */
void watch_buf_column(watch_buf *b, sqlite3_stmt *st, int i) {
  unsigned char type = (unsigned char)sqlite3_column_type(st, i);
  put(b, &type, 1);
  switch (type) {
  case SQLITE_INTEGER: {
    sqlite3_int64 v = sqlite3_column_int64(st, i);
    put(b, &v, sizeof v);
    break;
  }
  case SQLITE_FLOAT: {
    double v = sqlite3_column_double(st, i);
    put(b, &v, sizeof v);
    break;
  }
  case SQLITE_TEXT:
  case SQLITE_BLOB: {
    const void *p = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, i)
                                        : sqlite3_column_blob(st, i);
    uint32_t n = (uint32_t)sqlite3_column_bytes(st, i);
    put(b, &n, sizeof n);
    if (n) put(b, p, n);
    break;
  }
  default:
    break;
  }
}

/* Binds the value at *pos of row to parameter k; moves *pos past it. */
static int bind_value(sqlite3_stmt *st, int k, const unsigned char *row, size_t rlen,
                      size_t *pos) {
  if (*pos >= rlen) return SQLITE_CORRUPT;
  unsigned char type = row[(*pos)++];
  size_t left = rlen - *pos;
  switch (type) {
  case SQLITE_INTEGER:
  case SQLITE_FLOAT: {
    if (left < 8) return SQLITE_CORRUPT;
    sqlite3_int64 i;
    double d;
    memcpy(&i, row + *pos, 8);
    memcpy(&d, row + *pos, 8);
    *pos += 8;
    return type == SQLITE_INTEGER ? sqlite3_bind_int64(st, k, i) : sqlite3_bind_double(st, k, d);
  }
  case SQLITE_TEXT:
  case SQLITE_BLOB: {
    uint32_t n;
    if (left < sizeof n) return SQLITE_CORRUPT;
    memcpy(&n, row + *pos, sizeof n);
    *pos += sizeof n;
    if (rlen - *pos < n) return SQLITE_CORRUPT;
    const void *p = row + *pos;
    *pos += n;
    return type == SQLITE_TEXT ? sqlite3_bind_text(st, k, p, (int)n, SQLITE_TRANSIENT)
                               : sqlite3_bind_blob(st, k, p, (int)n, SQLITE_TRANSIENT);
  }
  default:
    return sqlite3_bind_null(st, k);
  }
}

/* ---- staging ------------------------------------------------------------------ */

static int fail(watch_out *out) {
  cli_error("watch: %s", sqlite3_errmsg(out->db));
  return -1;
}

int watch_out_open(watch_out *out, cli_format format) {
  memset(out, 0, sizeof *out);
  out->format = format;
  out->last_set = -1;
  if (sqlite3_open_v2(":memory:", &out->db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) return 0;
  cli_error("watch: cannot open a database: %s",
            out->db ? sqlite3_errmsg(out->db) : "out of memory");
  sqlite3_close(out->db);
  out->db = NULL;
  return -1;
}

/* "CREATE TABLE sK(added, c0, ...)" and its INSERT. */
static int create_stage(watch_out *out, int set, int ncols, sqlite3_stmt **ins) {
  sqlite3_str *c = sqlite3_str_new(out->db), *i = sqlite3_str_new(out->db);
  sqlite3_str_appendf(c, "CREATE TABLE s%d(added", set);
  sqlite3_str_appendf(i, "INSERT INTO s%d VALUES (?", set);
  for (int k = 0; k < ncols; k++) {
    sqlite3_str_appendf(c, ", c%d", k);
    sqlite3_str_appendall(i, ", ?");
  }
  sqlite3_str_appendall(c, ")");
  sqlite3_str_appendall(i, ")");
  char *create = sqlite3_str_finish(c), *insert = sqlite3_str_finish(i);
  int rc = create && insert ? sqlite3_exec(out->db, create, NULL, NULL, NULL) : SQLITE_NOMEM;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(out->db, insert, -1, ins, NULL);
  sqlite3_free(create);
  sqlite3_free(insert);
  return rc == SQLITE_OK ? 0 : fail(out);
}

int watch_out_add_set(watch_out *out, const watch_cols *cols) {
  int k = out->nsets;
  sqlite3_stmt **ins = realloc(out->insert, (size_t)(k + 1) * sizeof *ins);
  if (ins) out->insert = ins;
  int *staged = ins ? realloc(out->staged, (size_t)(k + 1) * sizeof *staged) : NULL;
  if (staged) out->staged = staged;
  if (!ins || !staged) {
    cli_error("out of memory");
    return -1;
  }
  out->insert[k] = NULL;
  out->staged[k] = 0;
  out->nsets++;
  return create_stage(out, k, cols->n, &out->insert[k]);
}

int watch_out_stage(watch_out *out, int set, int added, const unsigned char *row,
                    size_t rlen) {
  sqlite3_stmt *st = out->insert[set];
  size_t pos = 0;
  int rc = sqlite3_bind_int(st, 1, added);
  for (int k = 2; rc == SQLITE_OK && k <= sqlite3_bind_parameter_count(st); k++)
    rc = bind_value(st, k, row, rlen, &pos);
  if (rc == SQLITE_OK) rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_OK) return fail(out);
  out->staged[set]++;
  return 0;
}

/* ---- writing ------------------------------------------------------------------ */

static void time_text(double now, int utc, char *buf, size_t n) {
  time_t s = (time_t)now;
  struct tm tm;
  if (utc) {
    gmtime_r(&s, &tm);
    size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, n - k, ".%03dZ", (int)((now - (double)s) * 1000) % 1000);
  } else {
    localtime_r(&s, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
  }
}

/* Table: each column at least as wide as its widest value so far. */
static int update_widths(watch_out *out, int set, watch_cols *cols) {
  sqlite3_str *q = sqlite3_str_new(out->db);
  sqlite3_str_appendall(q, "SELECT 0");
  for (int k = 0; k < cols->n; k++) sqlite3_str_appendf(q, ", max(length(c%d))", k);
  sqlite3_str_appendf(q, " FROM s%d", set);
  char *sql = sqlite3_str_finish(q);
  sqlite3_stmt *st = NULL;
  int rc = sql ? sqlite3_prepare_v2(out->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    for (int k = 0; k < cols->n; k++) {
      int w = sqlite3_column_int(st, k + 1);
      if (w > cols->width[k]) cols->width[k] = w;
    }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? 0 : fail(out);
}

/* The layout a run's rows are written with: ss's address:port columns are
 * left-aligned whole and lsof's FD right-aligned, so that min_width holds
 * each column in place. */
static cli_align steady(cli_align a) {
  return a == CLI_ADDRPORT ? CLI_LEFT : a == CLI_FD ? CLI_RIGHT : a;
}

static cli_col *output_cols(const watch_out *out, const watch_cols *cols) {
  cli_col *c = calloc((size_t)cols->n + 2, sizeof *c);
  if (!c) return NULL;
  int table = out->format == CLI_TABLE;
  cli_col action = {"action", "", CLI_LEFT, 0, NULL}, time = {"time", "TIME", CLI_LEFT, 0, NULL};
  c[0] = table ? action : time;
  c[1] = table ? time : action;
  for (int k = 0; k < cols->n; k++)
    c[k + 2] = (cli_col){cols->names[k], cols->labels[k], steady(cols->align[k]),
                         cols->width[k], NULL};
  return c;
}

static char *select_of(const watch_out *out, int set, int ncols) {
  sqlite3_str *q = sqlite3_str_new(out->db);
  if (out->format == CLI_TABLE)
    sqlite3_str_appendall(q, "SELECT CASE added WHEN 1 THEN '+' ELSE '-' END, ?1");
  else
    sqlite3_str_appendall(q, "SELECT ?1, CASE added WHEN 1 THEN 'added' ELSE 'removed' END");
  for (int k = 0; k < ncols; k++) sqlite3_str_appendf(q, ", c%d", k);
  sqlite3_str_appendf(q, " FROM s%d ORDER BY added, rowid", set);
  return sqlite3_str_finish(q);
}

/* JSON lines: {"time":..., "action":..., "row":{name: value, ...}}. */
static int write_json_lines(sqlite3_stmt *st, const watch_cols *cols) {
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    fputs("{\"time\":", stdout);
    cli_json_column(stdout, st, 0);
    fputs(",\"action\":", stdout);
    cli_json_column(stdout, st, 1);
    fputs(",\"row\":{", stdout);
    for (int k = 0; k < cols->n; k++) {
      if (k) fputc(',', stdout);
      cli_json_string(stdout, cols->names[k], strlen(cols->names[k]));
      fputc(':', stdout);
      cli_json_column(stdout, st, k + 2);
    }
    fputs("}}\n", stdout);
  }
  return rc;
}

static int write_set(watch_out *out, int set, watch_cols *cols, const char *when) {
  if (out->format == CLI_TABLE && update_widths(out, set, cols) != 0) return -1;
  char *sql = select_of(out, set, cols->n);
  cli_col *c = output_cols(out, cols);
  sqlite3_stmt *st = NULL;
  int rc = sql && c ? sqlite3_prepare_v2(out->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 1, when, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) {
    cli_table_style style = {.no_header = out->last_set == set};
    rc = out->format == CLI_JSON ? write_json_lines(st, cols)
                                 : cli_write_rows(st, c, out->format, &style, stdout);
    rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  free(c);
  if (rc == SQLITE_OK) {
    char del[32];
    snprintf(del, sizeof del, "DELETE FROM s%d", set);
    rc = sqlite3_exec(out->db, del, NULL, NULL, NULL);
  }
  if (rc == SQLITE_NOMEM) cli_error("out of memory");
  if (rc != SQLITE_OK) return rc == SQLITE_NOMEM ? -1 : fail(out);
  out->staged[set] = 0;
  out->last_set = set;
  return 0;
}

int watch_out_flush(watch_out *out, int set, watch_cols *cols, double now) {
  char when[40];
  if (!out->staged[set]) return 0;
  time_text(now, out->format != CLI_TABLE, when, sizeof when);
  return write_set(out, set, cols, when);
}

int watch_out_done(watch_out *out) {
  (void)out;
  if (fflush(stdout) == 0) return 0;
  cli_error("watch: cannot write the output: %s", strerror(errno));
  return -1;
}

void watch_out_close(watch_out *out) {
  for (int k = 0; k < out->nsets; k++) sqlite3_finalize(out->insert[k]);
  free(out->insert);
  free(out->staged);
  sqlite3_close(out->db);
  memset(out, 0, sizeof *out);
}
