/*
 * test_churn.c: /proc changing under the scan.
 *
 * A child process forks and reaps about 1,000 short-lived processes that
 * each open a TCP listener, a connection to it and a unix socket pair, while
 * the test runs 100 full joins of net_tcp, fds and processes (and the unix
 * join, namespaces, and the ss, netstat and lsof_i views). Processes vanish
 * between listing and reading; the queries must not fail, and the test
 * process must hold exactly as many descriptors afterwards as before (no
 * fd leak in any error path).
 */
#include "pn_test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHURN_PROCESSES 1000
#define JOINS 100

static int count_open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  assert_non_null(d);
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

/* One short-lived process: a listener, a connection to it, a socketpair. */
static void short_life(void) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int sp[2];
  if (l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 1) == 0 &&
      getsockname(l, (struct sockaddr *)&a, &len) == 0) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c >= 0) (void)connect(c, (struct sockaddr *)&a, sizeof a);
  }
  (void)socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
  usleep(1000);
  _exit(0);
}

/* The churner: forks CHURN_PROCESSES children, a few alive at a time, then
 * exits. Runs in its own process so the test's fd table stays untouched. */
static pid_t start_churn(void) {
  pid_t churner = fork();
  assert_true(churner >= 0);
  if (churner > 0) return churner;
  for (int i = 0; i < CHURN_PROCESSES; i++) {
    pid_t p = fork();
    if (p == 0) short_life();
    if (i % 8 == 7)
      while (waitpid(-1, NULL, WNOHANG) > 0) {}
  }
  while (wait(NULL) > 0) {}
  _exit(0);
}

static void joins_survive_churn(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_true(pn_int(db, "SELECT procnet_create_views()") > 0);
  /* Warm SQLite up so its own lazily opened descriptors are counted. */
  sqlite3_free(pn_rows(db, "SELECT count(*) FROM processes"));
  int before = count_open_fds();
  pid_t churner = start_churn();
  int64_t rows = 0;
  int status, done = 0, during = 0;
  /* At least JOINS joins, and joins for as long as the churn goes on. */
  for (int i = 0; i < JOINS || !done; i++) {
    if (!done && waitpid(churner, &status, WNOHANG) == churner) done = 1;
    if (!done) during++;
    rows += pn_int(db,
                   "SELECT count(*) FROM net_tcp t JOIN fds f USING (inode)"
                   " JOIN processes p USING (pid) WHERE p.name IS NOT NULL");
    rows += pn_int(db, "SELECT count(*) FROM fds f JOIN net_unix u USING (inode)");
    if (i % 10 == 0) {
      rows += pn_int(db, "SELECT count(*) FROM namespaces WHERE net IS NOT NULL");
      rows += pn_int(db, "SELECT count(*) FROM sockets JOIN fds USING (inode)");
      rows += pn_int(db, "SELECT count(*) FROM ss");
      rows += pn_int(db, "SELECT count(*) FROM netstat");
      rows += pn_int(db, "SELECT count(*) FROM lsof_i");
    }
  }
  assert_true(pn_child_ok(status));
  print_message("  %d joins ran while processes came and went\n", during);
  assert_true(during > 0);
  assert_true(rows > 0);
  assert_int_equal(count_open_fds(), before);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(joins_survive_churn),
  };
  return cmocka_run_group_tests_name("churn", tests, NULL, NULL);
}
