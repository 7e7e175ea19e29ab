/*
 * pn_test.c: see pn_test.h.
 */
#include "pn_test.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "procnet.h"

sqlite3 *pn_open(const char *root) {
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) fail_msg("sqlite3_open failed");
  if (procnet_register(db, &err) != SQLITE_OK) fail_msg("register: %s", err);
  if (root) pn_exec(db, "SELECT procnet_root(%Q)", root);
  return db;
}

void pn_close(sqlite3 *db) {
  if (sqlite3_close(db) != SQLITE_OK) fail_msg("sqlite3_close: busy (a statement leaked)");
}

const char *pn_fixture(const char *name) {
  static char path[PATH_MAX];
  char rel[PATH_MAX];
  snprintf(rel, sizeof rel, "tests/fixtures/%s", name);
  if (!realpath(rel, path)) fail_msg("fixture %s not found (run from the repo root)", rel);
  return path;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *fmt, va_list ap) {
  char *sql = sqlite3_vmprintf(fmt, ap);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare: %s\n  in: %s", sqlite3_errmsg(db), sql);
  sqlite3_free(sql);
  return st;
}

static void append(sqlite3_str *out, sqlite3_stmt *st) {
  int n = sqlite3_column_count(st);
  for (int i = 0; i < n; i++) {
    if (i) sqlite3_str_appendchar(out, 1, '|');
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
      sqlite3_str_appendall(out, "NULL");
    else
      sqlite3_str_appendall(out, (const char *)sqlite3_column_text(st, i));
  }
  sqlite3_str_appendchar(out, 1, '\n');
}

char *pn_rows(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlite3_stmt *st = prepare(db, fmt, ap);
  va_end(ap);
  sqlite3_str *out = sqlite3_str_new(db);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) append(out, st);
  if (rc != SQLITE_DONE) fail_msg("step: %s\n  in: %s", sqlite3_errmsg(db), sqlite3_sql(st));
  sqlite3_finalize(st);
  char *s = sqlite3_str_finish(out);
  return s ? s : sqlite3_mprintf("");
}

int64_t pn_int(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlite3_stmt *st = prepare(db, fmt, ap);
  va_end(ap);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) fail_msg("no row: %s\n  in: %s", sqlite3_errmsg(db), sqlite3_sql(st));
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

void pn_exec(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("exec: %s\n  in: %s", err, sql);
  sqlite3_free(sql);
}

char *pn_error(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
    fail_msg("expected an error from: %s", sql);
  sqlite3_free(sql);
  return err;
}

int64_t pn_stat(sqlite3 *db, const char *name) {
  return pn_int(db, "SELECT json_extract(procnet_stats(), '$.%s')", name);
}

int pn_must(int v, const char *what) {
  if (v < 0) {
    fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
    _exit(2);
  }
  return v;
}

int pn_child_ok(int status) {
  if (!WIFEXITED(status)) return 0;
  int code = WEXITSTATUS(status);
  return code == 0 || (code == 99 && getenv("PN_UNDER_VALGRIND") != NULL);
}

static int64_t monotonic_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

pn_retry pn_retry_for(int total_ms, int pause_ms) {
  pn_retry r = {monotonic_ms() + total_ms, pause_ms, 0};
  return r;
}

int pn_retry_again(pn_retry *r) {
  if (r->tries++ == 0) return 1;
  if (monotonic_ms() >= r->deadline_ms) return 0;
  struct timespec ts = {(time_t)(r->pause_ms / 1000), (long)(r->pause_ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  return 1;
}

char *pn_plan(sqlite3 *db, const char *sql) {
  char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare: %s\n  in: %s", sqlite3_errmsg(db), eqp);
  sqlite3_str *out = sqlite3_str_new(db);
  while (sqlite3_step(st) == SQLITE_ROW)
    sqlite3_str_appendf(out, "%s\n", (const char *)sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  sqlite3_free(eqp);
  return sqlite3_str_finish(out);
}
