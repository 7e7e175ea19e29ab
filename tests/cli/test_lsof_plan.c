/*
 * test_lsof_plan.c: the SQL behind `procnet lsof` reaches the tables the
 * way it must (ext/cli/lsof_query.c):
 *   - a one-port question (-i :PORT, -t -i tcp:PORT,PORT, -i :PORT -a -p
 *     PID) finds its holders by reading the socket tables with the port as
 *     a constraint of the scan (local_port in one read, remote_port in the
 *     other) and then the descriptors by inode, not every descriptor of
 *     every process: that read is -t's whole answer;
 *   - the listing of a one-port question then walks the holders alone:
 *     every walk of the lsof view's tables (process_files, process_maps,
 *     fds) is given the holders' pids, none walks every process; no
 *     holder, no row;
 *   - a selection ORed with something else reads the whole listing, where
 *     no port constraint can apply;
 *   - every value of the command line is a bound parameter: the SQL text
 *     of two different ports is the same;
 *   - +E and -E keep the view's rows in order (its merge, not a join) and
 *     read the ends once.
 * Asserted with EXPLAIN QUERY PLAN over the fixture tree (port 8080: held
 * by pids 100, 300 and 400): each loop of the plan reads "SCAN <alias>
 * VIRTUAL TABLE INDEX <idxNum>:"; the holders' read takes `sockets` as s,
 * and the loop inside a socket scan is over `fds` (as f); the lsof view
 * walks process_files and fds as f, process_maps as m (sql/views.sql).
 * idxNum bits: sockets 0x20 local_port, 0x40 remote_port, 0x4 inode (a
 * lookup, not a scan) (ext/netscan.h); fds 0x2 inode (ext/table_fds.c);
 * every walked table 0x1 pid (ext/constraint.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lsof.h"

#define FIXTURE "tests/fixtures/proc"
#define SOCK_INODE 0x4
#define SOCK_LOCAL_PORT 0x20
#define SOCK_REMOTE_PORT 0x40
#define FDS_INODE 0x2
#define WALK_PID 0x1

static const cli_command *lsof_cmd(void) { return cli_find_command("lsof"); }

/* What the plan's loops over s (sockets) were given, and the loop right
 * inside each; the other walks of the view's tables. */
typedef struct plan {
  int sock_local, sock_remote, sock_other; /* scans of s by their constraint */
  int fds_by_inode, fds_other;             /* the loop over f inside them */
  int walks_by_pid, walks_whole;           /* other scans of f and m */
  char *text;
} plan;

static void read_plan(sqlite3 *db, const char *sql, const cli_query *q, plan *p) {
  memset(p, 0, sizeof *p);
  char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
  sqlite3_stmt *st = cli_prepare(db, eqp, q);
  assert_non_null(st);
  sqlite3_str *text = sqlite3_str_new(NULL);
  int inside_sockets = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *d = (const char *)sqlite3_column_text(st, 3);
    sqlite3_str_appendf(text, "%s\n", d);
    const char *ix = strstr(d, "VIRTUAL TABLE INDEX ");
    if (!ix) continue;
    int idx = atoi(ix + strlen("VIRTUAL TABLE INDEX "));
    int walk = !strncmp(d, "SCAN f ", 7) || !strncmp(d, "SCAN m ", 7);
    if (inside_sockets && !strncmp(d, "SCAN f ", 7) && (idx & FDS_INODE)) p->fds_by_inode++;
    else if (inside_sockets) p->fds_other++;
    else if (walk && (idx & WALK_PID)) p->walks_by_pid++;
    else if (walk) p->walks_whole++;
    /* A lookup of one socket by inode (-F's queues) is no scan. */
    inside_sockets = !strncmp(d, "SCAN s ", 7) && !(idx & SOCK_INODE);
    if (!inside_sockets) continue;
    if (idx & SOCK_LOCAL_PORT) p->sock_local++;
    else if (idx & SOCK_REMOTE_PORT) p->sock_remote++;
    else p->sock_other++;
  }
  sqlite3_finalize(st);
  sqlite3_free(eqp);
  p->text = sqlite3_str_finish(text);
}

/* The SQL of `lsof ARGS...` (options only) and its plan. */
typedef struct built {
  char *sql;
  cli_query q;
  plan p;
} built;

static void build_ends(sqlite3 *db, const char *const *args, lsof_out out, lsof_ends ends,
                       built *b) {
  lsof_sel s;
  memset(&s, 0, sizeof s);
  s.cmd = lsof_cmd();
  for (int i = 0; args[i]; i++) {
    const char *a = args[i];
    if (!strncmp(a, "-i", 2)) assert_int_equal(lsof_add_inet(&s, a[2] ? a + 2 : NULL), CLI_OK);
    else if (!strncmp(a, "-p", 2)) assert_int_equal(lsof_add_pids(&s, a + 2), CLI_OK);
    else if (!strncmp(a, "-c", 2)) assert_int_equal(lsof_add_command(&s, a + 2), CLI_OK);
    else if (!strcmp(a, "-a")) s.and_all = 1;
    else fail_msg("unknown test argument %s", a);
  }
  lsof_view_opts v = {.out = out, .cmd_width = 9, .fields = "", .endpoints = ends};
  cli_opts o = {.root = FIXTURE, .format = CLI_TABLE, .ns = CLI_NS_ALL};
  int hidden;
  memset(&b->q, 0, sizeof b->q);
  b->sql = lsof_query_sql(db, &o, &s, &v, &b->q, &hidden);
  assert_non_null(b->sql);
  read_plan(db, b->sql, &b->q, &b->p);
  lsof_sel_free(&s);
}

static void build(sqlite3 *db, const char *const *args, lsof_out out, built *b) {
  build_ends(db, args, out, LSOF_ENDS_NONE, b);
}

static int count_of(const char *text, const char *what) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, what)); p += strlen(what)) n++;
  return n;
}

static void built_free(built *b) {
  sqlite3_free(b->sql);
  sqlite3_free(b->p.text);
  cli_q_free(&b->q);
}

static sqlite3 *open_fixture(void) {
  cli_opts o = {.root = FIXTURE, .format = CLI_TABLE, .ns = CLI_NS_ALL};
  sqlite3 *db = cli_db_open(&o, 1);
  assert_non_null(db);
  return db;
}

/* Ports reach both socket scans; holders are found by inode: the holders'
 * read, which is -t's. */
static void expect_holders_plan(sqlite3 *db, const char *const *args) {
  built b;
  build(db, args, LSOF_OUT_TERSE, &b);
  if (b.p.sock_local != 1 || b.p.sock_remote != 1 || b.p.sock_other != 0 ||
      b.p.fds_by_inode != 2 || b.p.fds_other != 0 || b.p.walks_by_pid || b.p.walks_whole)
    fail_msg("not the holders' read for %s ...:\n%s\n%s", args[0], b.p.text, b.sql);
  built_free(&b);
}

/* The listing walks the holders' pids (`pids` of them) alone, in the
 * three arms of the view, and scans no socket by port. */
static void expect_listing_plan(sqlite3 *db, const char *const *args, lsof_out out,
                                const char *pids) {
  built b;
  build(db, args, out, &b);
  if (b.p.walks_by_pid != 3 || b.p.walks_whole != 0 || b.p.sock_local || b.p.sock_remote ||
      !strstr(b.sql, pids))
    fail_msg("not a listing of the holders (%s) for %s ...:\n%s\n%s", pids, args[0],
             b.p.text, b.sql);
  built_free(&b);
}

static void one_port_questions_scan_by_port(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  const char *port[] = {"-i:8080", NULL};
  expect_holders_plan(db, port);
  expect_listing_plan(db, port, LSOF_OUT_TABLE, "l.pid IN (?, ?, ?)");
  expect_listing_plan(db, port, LSOF_OUT_FIELDS, "l.pid IN (?, ?, ?)");
  const char *ports[] = {"-itcp:8080,8081", NULL};
  expect_holders_plan(db, ports);
  const char *range[] = {"-i@127.0.0.1:8080-8090", "-i:22", NULL};
  expect_holders_plan(db, range);
  expect_listing_plan(db, range, LSOF_OUT_TABLE, "l.pid IN (?, ?, ?, ?)");
  /* ANDed with a process: still the ports first, then that holder. */
  const char *anded[] = {"-i:8080", "-a", "-p100", NULL};
  expect_holders_plan(db, anded);
  expect_listing_plan(db, anded, LSOF_OUT_TABLE, "l.pid IN (?)");
  cli_db_close(db);
}

/* A port nobody holds: the listing reads nothing. */
static void no_holder_no_row(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  const char *none[] = {"-i:9999", NULL};
  built b;
  build(db, none, LSOF_OUT_TABLE, &b);
  sqlite3_stmt *st = cli_prepare(db, b.sql, &b.q);
  assert_non_null(st);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  built_free(&b);
  cli_db_close(db);
}

/* ORed with a process or a command, or an address without a port: the
 * rows are not all sockets of those ports, no port constraint applies. */
static void other_selections_read_the_listing(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  const char *const cases[][4] = {
      {"-i:8080", "-p100", NULL}, {"-i:8080", "-cjava", NULL}, {"-i@127.0.0.1", NULL}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    built b;
    build(db, cases[i], LSOF_OUT_TABLE, &b);
    if (b.p.sock_local || b.p.sock_remote)
      fail_msg("a port scan for %s %s:\n%s", cases[i][0], cases[i][1] ? cases[i][1] : "",
               b.p.text);
    built_free(&b);
  }
  cli_db_close(db);
}

/* The port and the holders' pids are parameters, not text. */
static void values_are_bound(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  const char *a[] = {"-i:8080", NULL}, *b[] = {"-i:22", NULL};
  built x, y, z;
  build(db, a, LSOF_OUT_TERSE, &x);
  build(db, b, LSOF_OUT_TERSE, &y);
  build(db, a, LSOF_OUT_TABLE, &z);
  assert_string_equal(x.sql, y.sql);
  assert_null(strstr(x.sql, "8080"));
  assert_null(strstr(z.sql, "8080"));
  assert_null(strstr(z.sql, "400"));
  built_free(&x);
  built_free(&y);
  built_free(&z);
  cli_db_close(db);
}

/* +E and -E: the listing keeps the view's merge of its three arms (rows
 * in lsof's order, no sort: a join would lose it), the ends are read once,
 * and -E keeps a one-port question's walks of the holders (+E lists the
 * ends' files too, in processes the ports do not name: the whole
 * listing); who the ends are takes one read of every descriptor. */
static void ends_keep_the_listing(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  const char *pid[] = {"-p100", NULL}, *port[] = {"-i:8080", NULL};
  for (lsof_ends e = LSOF_ENDS_NAMES; e <= LSOF_ENDS_FILES; e++) {
    built b;
    build_ends(db, pid, LSOF_OUT_TABLE, e, &b);
    /* the view's arms come first in the plan; the ends' view has its own
     * compound (no order wanted) further down */
    const char *merge = strstr(b.p.text, "MERGE (UNION ALL)");
    const char *compound = strstr(b.p.text, "COMPOUND QUERY");
    if (!merge || (compound && compound < merge) ||
        count_of(b.p.text, "MATERIALIZE lsof_ends_rows") != 1)
      fail_msg("+E/-E (%d) plan:\n%s\n%s", (int)e, b.p.text, b.sql);
    built_free(&b);
  }
  built b;
  build_ends(db, port, LSOF_OUT_TABLE, LSOF_ENDS_NAMES, &b);
  /* the view's three walks given the holders; one read of every
   * descriptor, for the ends (lsof_endpoints' ep) */
  if (b.p.walks_by_pid != 3 || b.p.walks_whole != 1) fail_msg("-E -i:8080:\n%s", b.p.text);
  built_free(&b);
  cli_db_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_port_questions_scan_by_port),
      cmocka_unit_test(no_holder_no_row),
      cmocka_unit_test(other_selections_read_the_listing),
      cmocka_unit_test(values_are_bound),
      cmocka_unit_test(ends_keep_the_listing),
  };
  return cmocka_run_group_tests_name("lsof_plan", tests, NULL, NULL);
}
