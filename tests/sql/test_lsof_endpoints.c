/*
 * test_lsof_endpoints.c: the views lsof_endpoints and lsof_e against lsof
 * -E and +E, on the scene of tests/common/ends_scene.h: a process A and
 * its child B holding the two ends of a pipe, a pty, an eventfd, a unix
 * socketpair, a unix and a TCP connection, connected UDP sockets, and A a
 * unix connection it never accepted. A's name, "pn_ends_a" (B's too), fits
 * lsof's 9 characters: lsof's ends show it whole, as the views do.
 *
 *   - lsof_e against `lsof -n -P -E -p A,B`: every row, every column;
 *   - +E in SQL (a pid, or the files that are its files' ends) against
 *     `lsof -n -P +E -p B`: the same rows, the same NAMEs;
 *   - what a user asks lsof_endpoints: who reads A's pipe, who holds the
 *     other end of its pty, which connection its listener waits on.
 */
#include "ends_scene.h"
#include "pn_compare.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME "pn_ends_a"
#define TCP_PORT 43107
#define UDP_PORT 43108

static struct {
  pid_t a, b;
  char dir[64];
  int ready;
} W;

/* Process A: the scene, then B's pid on `report`. Nothing of the test's
 * (its output pipes) is A's or B's: lsof would name the test and the
 * commands it runs as their ends. */
static void process_a(int report) {
  pn_close_all_but(&report, 1);
  int null = open("/dev/null", O_RDWR);
  if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(2);
  close(null);
  if (prctl(PR_SET_NAME, NAME) != 0) _exit(2);
  pid_t b;
  if (pn_ends_start(W.dir, TCP_PORT, UDP_PORT, 4, &b) != 0) _exit(3);
  if (write(report, &b, sizeof b) != (ssize_t)sizeof b) _exit(4);
  close(report);
  for (;;) pause();
}

static int setup(void **state) {
  (void)state;
  int p[2];
  strcpy(W.dir, "/tmp/pn-ends-XXXXXX");
  if (!mkdtemp(W.dir) || pipe(p) != 0) return -1;
  fflush(NULL);
  W.a = fork();
  if (W.a == 0) process_a(p[1]);
  close(p[1]);
  W.ready = W.a > 0 && read(p[0], &W.b, sizeof W.b) == (ssize_t)sizeof W.b;
  close(p[0]);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  const pid_t both[] = {W.a, W.b};
  for (int i = 0; i < 2; i++)
    if (both[i] > 0) kill(both[i], SIGKILL);
  for (int i = 0; i < 2; i++)
    if (both[i] > 0) waitpid(both[i], NULL, 0);
  char path[96];
  snprintf(path, sizeof path, "%s/ends.sock", W.dir);
  unlink(path);
  rmdir(W.dir);
  return 0;
}

/* Every difference is one: the scene has nothing lsof gets wrong. */
static pc_diff classify(const pc_row *tool, const pc_row *view, int col) {
  (void)tool, (void)view, (void)col;
  return D_UNEXPECTED;
}

/* Under valgrind (make check-valgrind) A and B also hold valgrind's own
 * output pipe, which they may not close (pn_compare.c leaves its rows
 * out): lsof +E then lists every other holder of that pipe too, the test
 * runner's shells and whatever it runs at that moment. Only A's and B's
 * rows are the scene's, on both sides. */
static void keep_scene_rows(pc_table *t) {
  if (!getenv("PN_UNDER_VALGRIND")) return;
  int kept = 0;
  for (int i = 0; i < t->n; i++) {
    pid_t pid = (pid_t)atoi(t->v[i].key);
    if (pid == W.a || pid == W.b) {
      t->v[kept++] = t->v[i];
      continue;
    }
    free(t->v[i].key);
    for (int j = 0; j < PC_MAXCOL; j++) free(t->v[i].c[j]);
  }
  t->n = kept;
}

/* The rows of `lsof ARGS` and those of lsof_e WHERE where: the same rows,
 * every column equal, at least min_rows. */
static void same_as_lsof(const char *title, const char *args, const char *where, int min_rows) {
  if (!W.ready) skip();
  sqlite3 *db = pc_open_with_views();
  char cmd[256];
  snprintf(cmd, sizeof cmd, "lsof %s 2>/dev/null", args);
  int n;
  char **lines = pc_run_lines(cmd, &n);
  pc_table tool = {0}, view = {0};
  pc_parse_lsof(lines, n, &tool);
  keep_scene_rows(&tool);
  pc_view_rows(db, &view, pc_lsof_key,
               "SELECT " PC_LSOF_VIEW_COLS_NO_TASKS " FROM lsof_e WHERE %s", where);
  keep_scene_rows(&view);
  pc_assert_clean(pc_compare(title, "lsof", pc_lsof_cols, &tool, &view, classify), min_rows);
  pc_free_lines(lines, n);
  pc_table_free(&tool);
  pc_table_free(&view);
  pn_close(db);
}

static void lsof_e_matches_lsof_E(void **state) {
  (void)state;
  char args[64], where[64];
  snprintf(args, sizeof args, "-n -P -E -p %d,%d", (int)W.a, (int)W.b);
  snprintf(where, sizeof where, "pid IN (%d, %d)", (int)W.a, (int)W.b);
  same_as_lsof("lsof_e", args, where, 20);
}

/* +E: B's files and the files at their other ends, which are A's. */
static void plus_e_in_sql_matches_lsof(void **state) {
  (void)state;
  char args[64], where[160];
  snprintf(args, sizeof args, "-n -P +E -p %d", (int)W.b);
  snprintf(where, sizeof where,
           "pid = %d OR (pid, fdnum) IN (SELECT end_pid, end_fd FROM lsof_endpoints"
           " WHERE pid = %d)", (int)W.b, (int)W.b);
  same_as_lsof("lsof_e +E", args, where, 15);
}

/* What a user reads off lsof_endpoints. */
static void who_is_at_the_other_end(void **state) {
  (void)state;
  if (!W.ready) skip();
  sqlite3 *db = pc_open_with_views();
  int a = (int)W.a, b = (int)W.b;
  /* A writes its pipe, B reads it: B's end, and A's as B sees it
   * (descriptors from 10000 up are valgrind's, under make check-valgrind) */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM lsof_endpoints WHERE pid = %d"
                              " AND kind = 'pipe' AND end_pid = %d AND end_mode = 'r'"
                              " AND fd < 10000", a, b), 1);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM lsof_endpoints WHERE pid = %d"
                              " AND kind = 'pipe' AND end_pid = %d AND end_mode = 'w'"
                              " AND fd < 10000", b, a), 1);
  /* each kind pairs A with B, both ways */
  char *kinds = pn_rows(db, "SELECT group_concat(k, ' ') FROM (SELECT DISTINCT kind AS k"
                            " FROM lsof_endpoints WHERE pid = %d AND end_pid = %d ORDER BY 1)",
                        a, b);
  assert_string_equal(kinds, "eventfd pipe ptmx tcp udp unix\n");
  sqlite3_free(kinds);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM lsof_endpoints WHERE pid = %d"
                              " AND kind = 'pts' AND end_pid = %d", b, a), 1);
  /* A's listener: its end is the connection waiting to be accepted, A's
   * own socket, whose peer has no inode yet (no end of its own) */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM lsof_endpoints e JOIN lsof l"
                              " ON l.pid = e.pid AND l.fdnum = e.fd"
                              " WHERE e.pid = %d AND l.state = 'LISTEN' AND e.end_pid = %d"
                              " AND e.kind = 'unix'", a, a), 1);
  /* the view's text, for a unix socket: its peer, then who holds it */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM lsof_e WHERE pid = %d AND type = 'unix'"
                              " AND endpoints LIKE '->INO=%% %d," NAME ",%%u'", a, b), 2);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lsof_e_matches_lsof_E),
      cmocka_unit_test(plus_e_in_sql_matches_lsof),
      cmocka_unit_test(who_is_at_the_other_end),
  };
  return cmocka_run_group_tests_name("lsof_endpoints", tests, setup, teardown);
}
