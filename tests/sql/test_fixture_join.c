/*
 * test_fixture_join.c: "which process holds which TCP socket", the join of
 * net_tcp, fds and processes on tests/fixtures/proc (see test_fixture.c),
 * written in every order. Whatever the order, the rows are the same, the
 * planner keeps the cheap plan (asserted with EXPLAIN QUERY PLAN), and a
 * statement reads each net/tcp file once and lists each fd directory once.
 */
#include "pn_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPROC 8   /* process directories in the fixture */
#define NNETTCP 4 /* tcp and tcp6 of two namespaces */

static sqlite3 *open_fixture(void) { return pn_open(pn_fixture("proc")); }

/* Every TCP socket with a holder: the TIME_WAIT row (inode 0) has none, the
 * sockets shared after fork (5002, 5007) have two. */
static const char JOIN_ROWS[] =
    "5001|100|3|a) (b|127.0.0.1|8080|LISTEN\n"
    "5002|200|6|nginx|0.0.0.0|80|LISTEN\n"
    "5002|201|6|nginx|0.0.0.0|80|LISTEN\n"
    "5003|100|4|a) (b|127.0.0.1|8080|ESTABLISHED\n"
    "5004|300|3|curl|127.0.0.1|40960|ESTABLISHED\n"
    "5006|100|12|a) (b|::1|8081|LISTEN\n"
    "5007|200|7|nginx|::|80|LISTEN\n"
    "5007|201|7|nginx|::|80|LISTEN\n"
    "5008|201|9|nginx|::ffff:127.0.0.1|80|ESTABLISHED\n"
    "5009|300|5|curl|127.0.0.1|45000|ESTABLISHED\n"
    "6001|400|5|java|127.0.0.1|8080|LISTEN\n"
    "4294967302|1|4|systemd|0.0.0.0|22|LISTEN\n";

/* ---- reading a plan --------------------------------------------------------
 * Each loop of EXPLAIN QUERY PLAN reads "SCAN <name> VIRTUAL TABLE INDEX
 * <idxNum>:". The summary names, per loop in nesting order, the constraint
 * the table was given, from its idxNum bits:
 *   net_tcp   0x1 ns_pid, 0x2 netns, 0x4 inode
 *   fds       0x1 pid, 0x2 inode
 *   processes 0x1 pid
 * e.g. "n(all) f(inode) p(pid)": a scan of net_tcp, then fds looked up by
 * inode, then processes by pid. */
static const char *constraint_of(char table, int idx) {
  switch (table) {
  case 'n':
    return (idx & 0x4) ? "inode" : (idx & 0x1) ? "ns_pid" : (idx & 0x2) ? "netns" : "all";
  case 'f':
    return (idx & 0x3) == 0x3 ? "pid+inode" : (idx & 0x2) ? "inode" : (idx & 0x1) ? "pid" : "all";
  case 'p':
    return (idx & 0x1) ? "pid" : "all";
  }
  return "?";
}

/* Aliases n, f, p, or the table names net_tcp, fds, processes. */
static char table_letter(const char *name, size_t len) {
  if ((len == 1 && *name == 'n') || (len == 7 && !memcmp(name, "net_tcp", 7))) return 'n';
  if ((len == 1 && *name == 'f') || (len == 3 && !memcmp(name, "fds", 3))) return 'f';
  if ((len == 1 && *name == 'p') || (len == 9 && !memcmp(name, "processes", 9))) return 'p';
  return '?';
}

static char *plan_summary(sqlite3 *db, const char *sql) {
  char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare: %s\n  in: %s", sqlite3_errmsg(db), eqp);
  sqlite3_str *out = sqlite3_str_new(db);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *d = (const char *)sqlite3_column_text(st, 3);
    /* Only the tables' loops: not USE TEMP B-TREE nor SCAN of a subquery. */
    if (strncmp(d, "SCAN ", 5) != 0 || !strstr(d, "VIRTUAL TABLE INDEX")) continue;
    const char *name = d + 5, *sp = strchr(name, ' ');
    const char *ix = strstr(d, "VIRTUAL TABLE INDEX ");
    if (!sp || !ix) fail_msg("unexpected plan line: %s", d);
    char t = table_letter(name, (size_t)(sp - name));
    int idx = atoi(ix + strlen("VIRTUAL TABLE INDEX "));
    sqlite3_str_appendf(out, "%s%c(%s)", sqlite3_str_length(out) ? " " : "", t,
                        constraint_of(t, idx));
  }
  sqlite3_finalize(st);
  sqlite3_free(eqp);
  return sqlite3_str_finish(out);
}

/* 1 when a line of sql's EXPLAIN QUERY PLAN contains text. */
static int plan_mentions(sqlite3 *db, const char *sql, const char *text) {
  char *plan = pn_plan(db, sql);
  int found = strstr(plan, text) != NULL;
  sqlite3_free(plan);
  return found;
}

/* Runs one way of writing the join: its plan summary must be `plan`, its
 * rows JOIN_ROWS, and it reads each tcp file, each process's stat and each
 * fd directory at most once. The one exception is fds looked up by pid and
 * inode (f(pid+inode)): its first probe walks that one process, and the
 * index built on the second probe lists every process, that one again.
 * Returns 0, or 1 after printing what is wrong (so that one run shows
 * every failing order). */
static int check_join(sqlite3 *db, const char *sql, const char *plan) {
  const int max_fd_dirs = strstr(plan, "f(pid+inode)") ? NPROC + 1 : NPROC;
  int bad = 0;
  char *got = plan_summary(db, sql);
  if (strcmp(got, plan) != 0) {
    print_error("query: %s\nexpected plan: %s\ngot plan:      %s\n", sql, plan, got);
    bad = 1;
  }
  sqlite3_free(got);
  int64_t n0 = pn_stat(db, "net_files_read"), fd0 = pn_stat(db, "fd_dirs_listed");
  int64_t f0 = pn_stat(db, "files_read");
  assert_rows(db, JOIN_ROWS, "%s", sql);
  int64_t net = pn_stat(db, "net_files_read") - n0;
  int64_t fdd = pn_stat(db, "fd_dirs_listed") - fd0;
  int64_t other = pn_stat(db, "files_read") - f0 - net;
  if (net != NNETTCP || fdd > max_fd_dirs || other > NPROC) {
    print_error("query: %s\nnet files read %lld (want %d), fd dirs listed %lld "
                "(want <= %d), other files read %lld (want <= %d)\n",
                sql, (long long)net, NNETTCP, (long long)fdd, max_fd_dirs,
                (long long)other, NPROC);
    bad = 1;
  }
  return bad;
}

#define SELECT_ON                                                              \
  "SELECT n.inode, f.pid, f.fd, p.name, n.local_address, n.local_port,"        \
  " n.state FROM "
#define WHERE_ON " WHERE n.inode = f.inode AND f.pid = p.pid ORDER BY 1, 2, 3"

static void join_any_written_order(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int bad = 0;
  /* The planner is free: it must find the cheap plan from every order. */
  static const char *const froms[] = {
      "net_tcp n, fds f, processes p", "net_tcp n, processes p, fds f",
      "fds f, net_tcp n, processes p", "fds f, processes p, net_tcp n",
      "processes p, net_tcp n, fds f", "processes p, fds f, net_tcp n",
  };
  for (size_t i = 0; i < sizeof froms / sizeof *froms; i++) {
    char *sql = sqlite3_mprintf(SELECT_ON "%s" WHERE_ON, froms[i]);
    bad += check_join(db, sql, "n(all) f(inode) p(pid)");
    sqlite3_free(sql);
  }
  pn_close(db);
  assert_int_equal(bad, 0);
}

static void join_using(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int bad = 0;
  /* USING (pid) binds to the leftmost table with a pid column: it must be
   * fds, never a hidden column of net_tcp. */
  static const char *const froms[] = {
      "net_tcp JOIN fds USING (inode) JOIN processes USING (pid)",
      "fds JOIN net_tcp USING (inode) JOIN processes USING (pid)",
      "fds JOIN processes USING (pid) JOIN net_tcp USING (inode)",
      "processes JOIN fds USING (pid) JOIN net_tcp USING (inode)",
  };
  for (size_t i = 0; i < sizeof froms / sizeof *froms; i++) {
    char *sql = sqlite3_mprintf(
        "SELECT inode, pid, fd, name, local_address, local_port, net_tcp.state"
        " FROM %s"
        " ORDER BY 1, 2, 3", froms[i]);
    bad += check_join(db, sql, "n(all) f(inode) p(pid)");
    sqlite3_free(sql);
  }
  pn_close(db);
  assert_int_equal(bad, 0);
}

static void join_forced_orders(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int bad = 0;
  /* CROSS JOIN keeps the written nesting. Each inner table still gets the
   * constraint the outer ones make available, and the snapshots and
   * listings are reused however often an inner loop restarts. */
  static const struct {
    const char *from, *plan;
  } orders[] = {
      {"net_tcp n CROSS JOIN fds f CROSS JOIN processes p", "n(all) f(inode) p(pid)"},
      {"net_tcp n CROSS JOIN processes p CROSS JOIN fds f", "n(all) p(all) f(pid+inode)"},
      {"fds f CROSS JOIN net_tcp n CROSS JOIN processes p", "f(all) n(inode) p(pid)"},
      {"fds f CROSS JOIN processes p CROSS JOIN net_tcp n", "f(all) p(pid) n(inode)"},
      {"processes p CROSS JOIN net_tcp n CROSS JOIN fds f", "p(all) n(all) f(pid+inode)"},
      {"processes p CROSS JOIN fds f CROSS JOIN net_tcp n", "p(all) f(pid) n(inode)"},
  };
  for (size_t i = 0; i < sizeof orders / sizeof *orders; i++) {
    char *sql = sqlite3_mprintf(SELECT_ON "%s" WHERE_ON, orders[i].from);
    bad += check_join(db, sql, orders[i].plan);
    sqlite3_free(sql);
  }
  pn_close(db);
  assert_int_equal(bad, 0);
}

static void join_one_process(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* lsof -p 100 -i: one fd directory, one stat. */
  int64_t fd0 = pn_stat(db, "fd_dirs_listed"), d0 = pn_stat(db, "dirs_listed");
  assert_rows(db,
              "3|127.0.0.1|8080|LISTEN\n"
              "4|127.0.0.1|8080|ESTABLISHED\n"
              "12|::1|8081|LISTEN\n",
              "SELECT fd, local_address, local_port, net_tcp.state FROM processes"
              " JOIN fds USING (pid) JOIN net_tcp USING (inode)"
              " WHERE pid = 100 ORDER BY fd");
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - fd0, 1);
  /* The container's sockets through its own namespace only (ns_pid): two
   * net files, one fd directory. */
  int64_t n0 = pn_stat(db, "net_files_read");
  fd0 = pn_stat(db, "fd_dirs_listed");
  d0 = pn_stat(db, "dirs_listed");
  assert_rows(db, "400|5|127.0.0.1|8080|LISTEN|4026599002\n",
              "SELECT f.pid, f.fd, n.local_address, n.local_port, n.state, n.netns"
              " FROM fds f JOIN net_tcp n ON n.inode = f.inode AND n.ns_pid = f.pid"
              " WHERE f.pid = 400");
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 2);
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - fd0, 1);
  assert_int_equal(pn_stat(db, "dirs_listed") - d0, 1); /* not the root */
  pn_close(db);
}

static void join_sockets_of_every_kind(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* Every socket descriptor of the host has its socket row (lsof -i -U):
   * none is missing, none doubled. */
  assert_rows(db,
              "1|3|netlink|NULL\n1|4|tcp|0.0.0.0\n1|5|udp|0.0.0.0\n1|6|packet|NULL\n"
              "100|3|tcp|127.0.0.1\n100|4|tcp|127.0.0.1\n100|8|unix|NULL\n"
              "100|9|unix|NULL\n100|10|unix|NULL\n100|11|unix|NULL\n100|12|tcp|::1\n"
              "200|6|tcp|0.0.0.0\n200|7|tcp|::\n"
              "201|6|tcp|0.0.0.0\n201|7|tcp|::\n201|9|tcp|::ffff:127.0.0.1\n"
              "300|3|tcp|127.0.0.1\n300|4|unix|NULL\n300|5|tcp|127.0.0.1\n300|6|udp|127.0.0.1\n"
              "400|5|tcp|127.0.0.1\n400|6|unix|NULL\n",
              "SELECT f.pid, f.fd, s.kind, s.local_address FROM fds f"
              " JOIN sockets s ON s.inode = f.inode ORDER BY f.pid, f.fd");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM fds WHERE type = 'socket'"), 22);
  pn_close(db);
}

/* Who holds each socket: socket_holders is the GROUP BY over every socket
 * descriptor (count, lowest pid then lowest fd), read from the index in one
 * pass; a lookup by inode gives the same row; the views build their holder
 * columns from it, and ss lists a shared socket's holders newest first. */
static void socket_holders_group_the_descriptors(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  pn_exec(db, "SELECT procnet_create_views()");
  char *grouped = pn_rows(db, "SELECT inode, count(*), min(pid * 4294967296 + fd) >> 32,"
                              " min(pid * 4294967296 + fd) & 4294967295 FROM fds"
                              " WHERE type = 'socket' AND inode IS NOT NULL"
                              " GROUP BY inode ORDER BY inode");
  int64_t fd0 = pn_stat(db, "fd_dirs_listed");
  char *holders = pn_rows(db, "SELECT inode, holders, pid, fd FROM socket_holders");
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - fd0, NPROC); /* each once */
  assert_string_equal(holders, grouped);
  assert_true(strlen(holders) > 0);
  sqlite3_free(grouped);
  sqlite3_free(holders);
  /* each row again by a lookup (a binary search: the plan says INDEX 1) */
  static const char LOOKUP[] =
      "SELECT count(*) FROM socket_holders a JOIN socket_holders b"
      " ON b.inode = a.inode AND b.holders = a.holders AND b.pid = a.pid AND b.fd = a.fd";
  fd0 = pn_stat(db, "fd_dirs_listed");
  assert_int_equal(pn_int(db, LOOKUP), 20);
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - fd0, NPROC); /* one index for both */
  assert_true(plan_mentions(db, LOOKUP, "SCAN b VIRTUAL TABLE INDEX 1:"));
  assert_rows(db, "5002|2|200|6\n", "SELECT * FROM socket_holders WHERE inode = '5002'");
  /* compared as SQLite compares an INTEGER column */
  assert_rows(db, "5002|2|200|6\n", "SELECT * FROM socket_holders WHERE inode = 5002.0");
  assert_rows(db, "200|6\n201|6\n", "SELECT pid, fd FROM fds WHERE inode = 5002.0 ORDER BY 1");
  assert_rows(db, "1\n", "SELECT count(*) FROM net_tcp WHERE inode = 5003.0");
  assert_rows(db, "", "SELECT * FROM socket_holders WHERE inode = 5002.5");
  /* not sockets, or nothing: no row */
  assert_rows(db, "", "SELECT * FROM socket_holders WHERE inode IN (7001, 3, 0, 99999)"
                      " OR inode = NULL OR inode = 'abc'");
  /* the helper view: the first holder and its process */
  assert_rows(db,
              "5001|1|100|3|a) (b\n"
              "5002|2|200|6|nginx\n"
              "5007|2|200|7|nginx\n",
              "SELECT inode, holders, first_pid, first_fd, first_name"
              " FROM procnet_socket_holders WHERE holders > 1 OR inode = 5001");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM procnet_socket_holders"), 20);
  assert_false(plan_mentions(db, "SELECT * FROM procnet_socket_holders", "TEMP B-TREE"));
  /* ss: the users of a shared socket from an inode lookup of fds */
  assert_rows(db,
              "5001|users:((\"a) (b\",pid=100,fd=3))\n"
              "5002|users:((\"nginx\",pid=201,fd=6),(\"nginx\",pid=200,fd=6))\n"
              "5007|users:((\"nginx\",pid=201,fd=7),(\"nginx\",pid=200,fd=7))\n",
              "SELECT inode, process FROM ss WHERE inode IN (5001, 5002, 5007) ORDER BY inode");
  /* Written without pid and fd in ORDER BY: the order is fds' own. */
  assert_rows(db, "5001|100|3\n5002|201|6\n5002|200|6\n5003|100|4\n",
              "SELECT inode, pid, fd FROM fds WHERE type = 'socket'"
              " ORDER BY inode LIMIT 4");
  pn_close(db);
}

/* A lookup that misses adds files and anon inodes to the shared index (the
 * stat tier); scans already under way over the same index (socket_holders,
 * the fds socket scan) go on where they were: each row once, in order. */
static void scans_survive_the_stat_tier(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* a miss per row, inside the scan (inode + 7 is no socket's) */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM (SELECT sh.inode FROM socket_holders sh"
                              " WHERE (SELECT count(*) FROM fds f WHERE f.inode = sh.inode + 7)"
                              " >= 0 ORDER BY sh.inode)"), 20);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM (SELECT f.inode FROM fds f"
                              " WHERE f.type = 'socket' AND (SELECT count(*) FROM fds g"
                              " WHERE g.inode = f.inode + 7) >= 0 ORDER BY f.inode)"), 22);
  /* another statement adds the tier while a scan is stepped */
  sqlite3_stmt *scan;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, inode FROM socket_holders", -1,
                                      &scan, NULL), SQLITE_OK);
  sqlite3_str *seen = sqlite3_str_new(db);
  int rows = 0;
  while (sqlite3_step(scan) == SQLITE_ROW) {
    sqlite3_str_appendf(seen, "%lld|%lld\n", sqlite3_column_int64(scan, 0),
                        sqlite3_column_int64(scan, 1));
    if (++rows == 5) /* 3 is /dev/null's inode here: a file, found by stat */
      assert_int_equal(pn_int(db, "SELECT count(*) FROM fds WHERE inode = 3"), 4);
  }
  assert_int_equal(sqlite3_finalize(scan), SQLITE_OK);
  char *got = sqlite3_str_finish(seen);
  char *want = pn_rows(db, "SELECT rowid, inode FROM socket_holders");
  assert_string_equal(got, want);
  sqlite3_free(got);
  sqlite3_free(want);
  assert_int_equal(rows, 20);
  pn_close(db);
}

/* Inode numbers are unique only within a filesystem: a file can share its
 * number with a socket. A lookup finds both (as a scan filtered by SQLite
 * does), newest first; with type = 'socket' only the socket. The tree is
 * made here: a file, and a process holding it and a socket:[its inode]. */
static void lookup_finds_a_file_and_a_socket_of_one_number(void **state) {
  (void)state;
  char root[64], path[128];
  snprintf(root, sizeof root, "/tmp/pn_collide.XXXXXX");
  assert_non_null(mkdtemp(root));
  snprintf(path, sizeof path, "%s/file", root);
  int f = open(path, O_CREAT | O_WRONLY, 0600);
  assert_true(f >= 0);
  struct stat st;
  assert_int_equal(fstat(f, &st), 0);
  close(f);
  char dir[96], link[128], target[64];
  snprintf(dir, sizeof dir, "%s/500", root);
  assert_int_equal(mkdir(dir, 0700), 0);
  snprintf(dir, sizeof dir, "%s/500/fd", root);
  assert_int_equal(mkdir(dir, 0700), 0);
  snprintf(link, sizeof link, "%s/0", dir);
  assert_int_equal(symlink(path, link), 0);
  snprintf(link, sizeof link, "%s/1", dir);
  snprintf(target, sizeof target, "socket:[%llu]", (unsigned long long)st.st_ino);
  assert_int_equal(symlink(target, link), 0);

  sqlite3 *db = pn_open(root);
  char *scan = pn_rows(db, "SELECT pid, fd, type FROM fds WHERE inode + 0 = %llu"
                           " ORDER BY pid DESC, fd DESC", (unsigned long long)st.st_ino);
  assert_string_equal(scan, "500|1|socket\n500|0|file\n");
  assert_rows(db, scan, "SELECT pid, fd, type FROM fds WHERE inode = %llu"
                        " ORDER BY pid DESC, fd DESC", (unsigned long long)st.st_ino);
  assert_rows(db, "500|1\n", "SELECT pid, fd FROM fds WHERE inode = %llu AND type = 'socket'",
              (unsigned long long)st.st_ino);
  assert_rows(db, "1|500|1\n", "SELECT holders, pid, fd FROM socket_holders WHERE inode = %llu",
              (unsigned long long)st.st_ino);
  sqlite3_free(scan);
  pn_close(db);
  unlink(link);
  snprintf(link, sizeof link, "%s/0", dir);
  unlink(link);
  rmdir(dir);
  snprintf(dir, sizeof dir, "%s/500", root);
  rmdir(dir);
  unlink(path);
  rmdir(root);
}

/* The index build, the socket files and the walk's descriptor listings
 * (read ahead of the rows) are shared out to helper threads
 * (procnet_threads()); whatever the number, every answer and every count
 * of what was read is the same, and a walk stopped early (LIMIT) ends its
 * helper. */
static void threads_give_the_same_answers(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  pn_exec(db, "SELECT procnet_create_views()");
  char *first = NULL;
  int64_t reads[4][3], walk_links[4];
  for (int t = 1; t <= 4; t++) {
    assert_int_equal(pn_int(db, "SELECT procnet_threads(%d)", t), t);
    assert_int_equal(pn_int(db, "SELECT procnet_threads()"), t);
    int64_t l0 = pn_stat(db, "links_read"), d0 = pn_stat(db, "fd_dirs_listed");
    int64_t n0 = pn_stat(db, "net_files_read");
    char *rows = pn_rows(db, "SELECT * FROM ss ORDER BY inode, netns");
    reads[t - 1][0] = pn_stat(db, "links_read") - l0;
    reads[t - 1][1] = pn_stat(db, "fd_dirs_listed") - d0;
    reads[t - 1][2] = pn_stat(db, "net_files_read") - n0;
    assert_rows(db, JOIN_ROWS, SELECT_ON "net_tcp n, fds f, processes p" WHERE_ON);
    int64_t walk0 = pn_stat(db, "links_read");
    char *more = pn_rows(db, "SELECT * FROM fds");
    rows = sqlite3_mprintf("%z%z", rows, more);
    more = pn_rows(db, "SELECT * FROM lsof_tasks");
    rows = sqlite3_mprintf("%z%z", rows, more);
    assert_non_null(rows);
    walk_links[t - 1] = pn_stat(db, "links_read") - walk0;
    assert_int_equal(walk_links[t - 1], walk_links[0]);
    if (!first) first = rows;
    else {
      assert_string_equal(rows, first);
      sqlite3_free(rows);
    }
    assert_memory_equal(reads[t - 1], reads[0], sizeof reads[0]);
    assert_int_equal(pn_int(db, "SELECT count(*) FROM (SELECT * FROM fds LIMIT 1)"), 1);
  }
  assert_true(strlen(first) > 0 && reads[0][1] == NPROC && reads[0][2] > 0);
  sqlite3_free(first);
  static const char *const bad[] = {"0", "5", "'two'", "NULL", "1.5"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *err = pn_error(db, "SELECT procnet_threads(%s)", bad[i]);
    assert_string_equal(err, "procnet_threads: want an integer from 1 to 4");
    sqlite3_free(err);
  }
  assert_int_equal(pn_int(db, "SELECT procnet_threads()"), 4);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(join_any_written_order),
      cmocka_unit_test(join_using),
      cmocka_unit_test(join_forced_orders),
      cmocka_unit_test(join_one_process),
      cmocka_unit_test(join_sockets_of_every_kind),
      cmocka_unit_test(socket_holders_group_the_descriptors),
      cmocka_unit_test(scans_survive_the_stat_tier),
      cmocka_unit_test(lookup_finds_a_file_and_a_socket_of_one_number),
      cmocka_unit_test(threads_give_the_same_answers),
  };
  return cmocka_run_group_tests_name("fixture_join", tests, NULL, NULL);
}
