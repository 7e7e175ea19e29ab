/*
 * test_watch.c: `procnet watch`, run as a user would, in a network
 * namespace of the test's own (so that ss shows only its sockets):
 *   - a connection opened and closed between runs prints one + and one -,
 *     in a table with the header once, and SIGINT ends it with status 0;
 *   - JSON lines parse, each with time, action and row, and SIGTERM ends
 *     it with status 0;
 *   - the first run prints every row as added, later ones only changes,
 *     --key names the rows, --count stops, CSV has one header;
 *   - lsof is watched with its own columns, and a run where its search
 *     finds nothing goes on (lsof alone would exit 1);
 *   - the usage errors.
 * Run as root (the namespace), from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_run.h"
#include "history_util.h"
#include "pn_test.h"

/* Closes with a reset (SO_LINGER 0): no TIME-WAIT row comes after. */
static void close_now(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

typedef struct want_lines {
  const char *prefix;
  int n;
} want_lines;

static int has_lines(const char *text, void *arg) {
  want_lines *w = arg;
  return lines_starting(text, w->prefix) >= w->n;
}

static void a_connection_is_one_plus_then_one_minus(void **state) {
  (void)state;
  int port, l = listen_tcp4(&port);
  char filter[32];
  snprintf(filter, sizeof filter, ":%d", port);
  assert_true(l >= 0);
  bg_run b = bg_start("watch", "-n", "0.1", "--netns", "self", "ss", "-tn", "dport", "=", filter, NULL);
  int c = connect_tcp4(port), s = accept(l, NULL, NULL);
  assert_true(c >= 0 && s >= 0);
  want_lines plus = {"+ ", 1}, minus = {"- ", 1};
  assert_true(bg_read(&b, has_lines, &plus));
  close_now(c);
  close_now(s);
  assert_true(bg_read(&b, has_lines, &minus));
  assert_int_equal(bg_stop(&b, SIGINT), 0);
  char port_text[16];
  snprintf(port_text, sizeof port_text, ":%d", port);
  assert_int_equal(lines_starting(b.text, "+ "), 1);
  assert_int_equal(lines_starting(b.text, "- "), 1);
  assert_int_equal(lines_starting(b.text, "  TIME     State"), 1); /* the header, once */
  assert_int_equal(count_lines(b.text), 3);
  const char *p = strstr(b.text, "\n+ "), *m = strstr(b.text, "\n- ");
  assert_non_null(p);
  assert_non_null(m);
  assert_true(p < m);
  assert_contains(p, "ESTAB");
  assert_contains(p, port_text);
  assert_contains(m, port_text);
  char *err = bg_err(&b);
  assert_string_equal(err, "");
  free(err);
  bg_free(&b);
  close(l);
}

/* Every line parses as JSON, with what a consumer reads from it. */
static void json_lines_parse(void **state) {
  (void)state;
  int port, l = listen_tcp4(&port);
  assert_true(l >= 0);
  bg_run b = bg_start("watch", "-n", "0.1", "--format", "json", "--netns", "self", "ss", "-tan", NULL);
  want_lines one = {"{", 1}, three = {"{", 3};
  assert_true(bg_read(&b, has_lines, &one));
  int c = connect_tcp4(port), s = accept(l, NULL, NULL);
  assert_true(c >= 0 && s >= 0);
  assert_true(bg_read(&b, has_lines, &three));
  assert_int_equal(bg_stop(&b, SIGTERM), 0);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  pn_exec(db, "CREATE TABLE line(j)");
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO line VALUES (?)", -1, &st, NULL), SQLITE_OK);
  for (char *save = NULL, *t = strtok_r(b.text, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
    sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM line WHERE NOT json_valid(j)"), 0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM line"), 3);
  /* the listener at the first run, then both ends of the connection */
  char want[256];
  snprintf(want, sizeof want,
           "added|LISTEN|127.0.0.1:%d\nadded|ESTAB|127.0.0.1:%d\n", port, port);
  char *got = pn_rows(db, "SELECT json_extract(j, '$.action'), json_extract(j, '$.row.state'),"
                          " json_extract(j, '$.row.local') FROM line"
                          " WHERE json_extract(j, '$.row.local') LIKE '%%:%d' ORDER BY rowid",
                      port);
  assert_string_equal(got, want);
  sqlite3_free(got);
  /* ISO 8601 UTC with milliseconds */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM line WHERE json_extract(j, '$.time')"
                              " GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*.[0-9][0-9][0-9]Z'"),
                   3);
  sqlite3_close(db);
  bg_free(&b);
  close(c);
  close(s);
  close(l);
}

/* Lines holding `text`: a CSV row's action sits between its commas. */
typedef struct want_text {
  const char *text;
  int n;
} want_text;

static int count_text(const char *s, const char *text) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, text)); p += strlen(text)) n++;
  return n;
}

static int has_text(const char *text, void *arg) {
  want_text *w = arg;
  return count_text(text, w->text) >= w->n;
}

static void lsof_is_watched_with_its_columns(void **state) {
  (void)state;
  int port, l = listen_tcp4(&port);
  assert_true(l >= 0);
  char addr[32], name[64];
  snprintf(addr, sizeof addr, ":%d", port);
  snprintf(name, sizeof name, "127.0.0.1:%d (LISTEN)", port);
  bg_run b = bg_start("watch", "-n", "0.1", "--format", "csv", "lsof", "-n", "-P", "-i", addr,
                      NULL);
  want_text added = {",added,", 1}, removed = {",removed,", 1};
  assert_true(bg_read(&b, has_text, &added));
  close(l);
  assert_true(bg_read(&b, has_text, &removed));
  /* the port is free now: lsof finds nothing, and the watch goes on */
  usleep(300000);
  assert_int_equal(bg_stop(&b, SIGINT), 0);
  if (count_lines(b.text) != 3) fail_msg("watched lsof printed:\n%s", b.text);
  /* the header, once, with lsof's columns and no others */
  assert_int_equal(
      count_text(b.text, "time,action,command,pid,user,fd,type,device,size_off,node,name\n"), 1);
  assert_int_equal(count_text(b.text, name), 2);
  assert_int_equal(count_text(b.text, ",added,"), 1);
  assert_int_equal(count_text(b.text, ",removed,"), 1);
  char *err = bg_err(&b);
  assert_string_equal(err, "");
  free(err);
  bg_free(&b);
}

static void first_run_adds_all_then_changes_only(void **state) {
  (void)state;
  /* two runs of a steady query: every row once, as added */
  run_res r = run_cli("watch", "-c", "2", "-n", "0.05", "--format", "csv",
                      "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'", NULL);
  assert_int_equal(r.status, 0);
  assert_int_equal(count_lines(r.out), 3);
  assert_int_equal(lines_starting(r.out, "time,action,a,b"), 1);
  assert_int_equal(lines_starting(r.out, "20"), 2);
  assert_contains(r.out, ",added,1,x\n");
  assert_contains(r.out, ",added,2,y\n");
  run_free(&r);
  /* a row that changes: removed then added, the header once */
  r = run_cli("watch", "-c", "2", "-n", "0.05", "--format", "csv", "SELECT random() AS r", NULL);
  assert_int_equal(r.status, 0);
  assert_int_equal(lines_starting(r.out, "time,action,r"), 1);
  assert_int_equal(count_lines(r.out), 4);
  assert_int_equal(lines_starting(r.out, "20"), 3);
  assert_true(strstr(r.out, ",removed,") < strstr(strstr(r.out, ",added,") + 1, ",added,"));
  run_free(&r);
  /* with a key, the row is the same row */
  r = run_cli("watch", "-c", "3", "-n", "0.05", "-k", "A", "--format", "json",
              "SELECT 1 AS a, random() AS b", NULL);
  assert_int_equal(r.status, 0);
  assert_int_equal(count_lines(r.out), 1);
  assert_contains(r.out, "\"action\":\"added\",\"row\":{\"a\":1,\"b\":");
  run_free(&r);
  /* statements without rows run once; the table writes + and the time */
  r = run_cli("watch", "-c", "2", "-n", "0.05",
              "CREATE TEMP TABLE t(v); INSERT INTO t VALUES ('a b'); SELECT v FROM t", NULL);
  assert_int_equal(r.status, 0);
  assert_int_equal(count_lines(r.out), 2);
  assert_int_equal(lines_starting(r.out, "  TIME     v"), 1);
  assert_int_equal(lines_starting(r.out, "+ "), 1);
  assert_contains(r.out, " a b\n");
  run_free(&r);
}

static void expect_usage(run_res r, const char *msg) {
  if (r.status != 2) fail_msg("status %d, stderr: %s", r.status, r.err);
  assert_string_equal(r.out, "");
  assert_contains(r.err, msg);
  assert_contains(r.err, "usage: procnet watch");
  run_free(&r);
}

static void usage_errors(void **state) {
  (void)state;
  expect_usage(run_cli("watch", NULL), "nothing to watch");
  expect_usage(run_cli("watch", "fuser", "22/tcp", NULL), "fuser cannot be watched");
  expect_usage(run_cli("watch", "-n", "0", "SELECT 1", NULL), "bad interval '0'");
  expect_usage(run_cli("watch", "-c", "x", "SELECT 1", NULL), "bad count 'x'");
  expect_usage(run_cli("watch", "-c", "1", "-k", "nope", "SELECT 1 AS a", NULL),
               "--key: no column 'nope' (the columns: a)");
  expect_usage(run_cli("watch", "--netns", "self", "SELECT 1", NULL),
               "--netns does not apply to SQL");
  expect_usage(run_cli("watch", "-c", "1", "ss", "-s", NULL), "ss prints no rows to watch");
  /* the command's own usage errors are its own */
  run_res r = run_cli("watch", "ss", "-Z", NULL);
  assert_int_equal(r.status, 255);
  assert_contains(r.err, "usage: procnet ss");
  run_free(&r);
}

int main(void) {
  if (cli_run_init("test_watch") != 0) return 1;
  if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
    perror("test_watch: a network namespace of its own (run as root)");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_connection_is_one_plus_then_one_minus),
      cmocka_unit_test(json_lines_parse),
      cmocka_unit_test(lsof_is_watched_with_its_columns),
      cmocka_unit_test(first_run_adds_all_then_changes_only),
      cmocka_unit_test(usage_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
