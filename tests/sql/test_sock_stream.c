/*
 * test_sock_stream.c: snapshots filled by a helper thread while they are
 * read (sockstream.h), as root, in a network namespace of this test's own
 * (unshare) holding 1,500 loopback connections (3,000 TCP sockets, half
 * over IPv6) and a TIME-WAIT one:
 *  - the mechanism alone: rows seen as they are published, a failure
 *    after rows were published, a stream ended while its helper still
 *    works (stopped and joined, nothing left behind);
 *  - a scan read ahead (two threads) gives the rows read at once (one
 *    thread): sockets joined with sock_diag as procnet ss joins them, the
 *    TIME-WAIT socket (inode 0) included;
 *  - statements that stop early (LIMIT 1, a finalize after one row) end
 *    the stream whatever it was doing: ASan and valgrind see no leak;
 *  - a held store (procnet_hold_sockets) serves the statements after one
 *    stopped early from its dump, whole.
 */
#include "pn_test.h"
#include "procnet.h"

#include "sockstream.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAIRS 1500

/* ---- the mechanism ----------------------------------------------------------- */

typedef struct fake_job {
  pn_fill fill;
  size_t rows, fail_after;  /* publish rows one by one; fail after that
                               many (0: never) */
  int stopped;              /* the helper saw the stop */
} fake_job;

static void fake_run(pn_stream *s, void *arg) {
  fake_job *j = arg;
  for (size_t i = 1; i <= j->rows; i++) {
    if (pn_stream_stopping(s)) {
      j->stopped = 1;
      pn_fill_finish(&j->fill, SQLITE_INTERRUPT);
      return;
    }
    if (j->fail_after && i > j->fail_after) {
      pn_fill_finish(&j->fill, SQLITE_ERROR);
      return;
    }
    pn_fill_publish(&j->fill, i);
    if (i % 64 == 0) usleep(200);
  }
  pn_fill_finish(&j->fill, SQLITE_OK);
}

static pn_stream *fake_stream(fake_job *j) {
  pn_stream *s = NULL;
  assert_int_equal(pn_stream_new(&s, fake_run, j), SQLITE_OK);
  pn_fill_init(&j->fill, s);
  assert_int_equal(pn_stream_go(s), 0);
  return s;
}

static void rows_come_as_published(void **state) {
  (void)state;
  fake_job j = {.rows = 2000};
  pn_stream *s = fake_stream(&j);
  int rc = SQLITE_OK;
  size_t seen = 0;
  while (pn_fill_has(&j.fill, seen, &rc) == 1) seen++;
  assert_int_equal(seen, 2000);
  assert_int_equal(pn_fill_wait(&j.fill), SQLITE_OK);
  pn_stream_end(s);
}

static void a_failure_after_rows_is_told(void **state) {
  (void)state;
  fake_job j = {.rows = 2000, .fail_after = 700};
  pn_stream *s = fake_stream(&j);
  int rc = SQLITE_OK, has;
  size_t seen = 0;
  while ((has = pn_fill_has(&j.fill, seen, &rc)) == 1) seen++;
  assert_int_equal(has, -1);
  assert_int_equal(rc, SQLITE_ERROR);
  assert_int_equal(seen, 700);
  assert_int_equal(pn_fill_wait(&j.fill), SQLITE_ERROR);
  pn_stream_end(s);
}

static void ending_stops_the_helper(void **state) {
  (void)state;
  fake_job j = {.rows = 1000000};
  pn_stream *s = fake_stream(&j);
  int rc = SQLITE_OK;
  assert_int_equal(pn_fill_has(&j.fill, 100, &rc), 1);
  pn_stream_end(s); /* joined: j is no longer written */
  assert_int_equal(j.stopped, 1);
  assert_true(pn_fill_rows(&j.fill) < j.rows);
}

/* ---- the scene --------------------------------------------------------------- */

static int listener(int family, struct sockaddr_storage *a, socklen_t *len) {
  int fd = pn_must(socket(family, SOCK_STREAM, 0), "socket");
  memset(a, 0, sizeof *a);
  if (family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)a;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof *in;
  } else {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)a;
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    *len = sizeof *in6;
  }
  pn_must(bind(fd, (struct sockaddr *)a, *len), "bind");
  pn_must(listen(fd, 4096), "listen");
  pn_must(getsockname(fd, (struct sockaddr *)a, len), "getsockname");
  return fd;
}

/* n connections to a listener of family, both ends kept open. */
static void connect_pairs(int family, int n) {
  struct sockaddr_storage a;
  socklen_t len;
  int l = listener(family, &a, &len);
  for (int i = 0; i < n; i++) {
    int c = pn_must(socket(family, SOCK_STREAM, 0), "socket");
    pn_must(connect(c, (struct sockaddr *)&a, len), "connect");
    pn_must(accept(l, NULL, NULL), "accept");
  }
}

/* One connection closed by the client first: its end waits in TIME-WAIT. */
static void time_wait_one(void) {
  struct sockaddr_storage a;
  socklen_t len;
  int l = listener(AF_INET, &a, &len);
  int c = pn_must(socket(AF_INET, SOCK_STREAM, 0), "socket");
  pn_must(connect(c, (struct sockaddr *)&a, len), "connect");
  int s = pn_must(accept(l, NULL, NULL), "accept");
  close(c);
  usleep(20000);
  close(s);
  close(l);
  usleep(20000);
}

static void loopback_up(void) {
  struct ifreq ifr;
  int fd = pn_must(socket(AF_INET, SOCK_DGRAM, 0), "socket");
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  pn_must(ioctl(fd, SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP;
  pn_must(ioctl(fd, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS");
  close(fd);
}

static int scene_ok;

static int make_scene(void **state) {
  (void)state;
  if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) return 0;
  loopback_up();
  connect_pairs(AF_INET, PAIRS / 2);
  connect_pairs(AF_INET6, PAIRS - PAIRS / 2);
  time_wait_one();
  scene_ok = 1;
  return 0;
}

#define NEED_SCENE()                                                          \
  do {                                                                        \
    if (!scene_ok) skip();                                                    \
  } while (0)

/* ---- read ahead against read at once ------------------------------------------- */

/* What procnet ss -tani joins, in this test's namespace: every row and
 * the TCP internals that do not move while the sockets are idle. */
static const char JOINED[] =
    "SELECT s.family, s.state, s.local_address, s.local_port, s.remote_address,"
    " s.remote_port, s.inode, d.cookie, d.options, d.congestion, d.snd_mss,"
    " d.cwnd, d.rcv_space"
    " FROM sockets s LEFT JOIN sock_diag d ON d.kind = s.kind AND d.netns = s.netns"
    " AND d.family = s.family AND d.inode = s.inode"
    " AND (s.inode <> 0 OR (d.local_port = s.local_port"
    " AND d.remote_port = s.remote_port))"
    " WHERE s.kind = 'tcp' AND s.netns = (SELECT net FROM namespaces WHERE pid = %d)";

static char *joined_rows(int threads) {
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_threads(%d)", threads);
  char *rows = pn_rows(db, JOINED, (int)getpid());
  pn_close(db);
  return rows;
}

static void read_ahead_equals_read_at_once(void **state) {
  (void)state;
  NEED_SCENE();
  char *at_once = joined_rows(1), *ahead = joined_rows(2);
  size_t lines = 0;
  for (const char *p = at_once; *p; p++) lines += *p == '\n';
  assert_true(lines >= 2 * PAIRS + 2); /* both ends, the listeners */
  assert_string_equal(ahead, at_once);
  assert_non_null(strstr(at_once, "TIME_WAIT"));
  sqlite3_free(at_once);
  sqlite3_free(ahead);
}

static void family_picks_the_file(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  int pid = (int)getpid();
  const char *ns = "netns = (SELECT net FROM namespaces WHERE pid = %d)";
  char q[256];
  snprintf(q, sizeof q, "SELECT count(*) FROM sock_diag WHERE kind = 'tcp' AND %s", ns);
  int64_t all = pn_int(db, q, pid);
  snprintf(q, sizeof q, "SELECT count(*) FROM sock_diag WHERE kind = 'tcp' AND family = 'IPv4' AND %s", ns);
  int64_t v4 = pn_int(db, q, pid);
  snprintf(q, sizeof q, "SELECT count(*) FROM sock_diag WHERE kind = 'tcp' AND family = 'IPv6' AND %s", ns);
  int64_t v6 = pn_int(db, q, pid);
  snprintf(q, sizeof q, "SELECT count(*) FROM sock_diag WHERE kind = 'tcp' AND family = 'UNIX' AND %s", ns);
  assert_int_equal(pn_int(db, q, pid), 0);
  assert_int_equal(v4 + v6, all);
  assert_true(v4 > PAIRS && v6 > PAIRS);
  pn_close(db);
}

/* ---- stopping early ------------------------------------------------------------- */

static void a_statement_stopped_early_ends_the_stream(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_threads(2)");
  for (int i = 0; i < 20; i++)
    assert_true(pn_int(db, "SELECT s.inode FROM sockets s LEFT JOIN sock_diag d"
                           " ON d.kind = s.kind AND d.netns = s.netns AND d.family = s.family"
                           " AND d.inode = s.inode WHERE s.kind = 'tcp' LIMIT 1") >= 0);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT rtt_us FROM sock_diag WHERE kind = 'tcp'",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  sqlite3_finalize(st); /* the helper may still be dumping */
  /* two statements at once, each with its store's stream */
  sqlite3_stmt *a, *b;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT inode FROM sockets WHERE kind = 'tcp'",
                                      -1, &a, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT cwnd FROM sock_diag WHERE kind = 'tcp'",
                                      -1, &b, NULL), SQLITE_OK);
  int na = 0, nb = 0;
  while (sqlite3_step(a) == SQLITE_ROW && sqlite3_step(b) == SQLITE_ROW) na++, nb++;
  assert_true(na > 2 * PAIRS);
  sqlite3_finalize(a);
  sqlite3_finalize(b);
  pn_close(db);
}

/* ---- a held store ----------------------------------------------------------------- */

/* procnet_hold_sockets(1) keeps what a statement read for the statements
 * after it, a streamed snapshot too. After one stopped early (LIMIT 1),
 * its helper perhaps still dumping, the whole query gets every row (a dump
 * cut short is not kept as if whole); the same query again reads no dump
 * of its own, and lookups by inode find every socket; letting go reads
 * afresh. */
static void a_held_stream_serves_the_next_statements(void **state) {
  (void)state;
  NEED_SCENE();
  char *want = joined_rows(1);
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_threads(2)");
  assert_int_equal(pn_int(db, "SELECT procnet_hold_sockets(1)"), 1);
  char q[1024];
  snprintf(q, sizeof q, "%s LIMIT 1", JOINED);
  char *one = pn_rows(db, q, (int)getpid());
  assert_true(strchr(one, '\n') == one + strlen(one) - 1); /* one row */
  sqlite3_free(one);
  char *held = pn_rows(db, JOINED, (int)getpid());
  assert_string_equal(held, want);
  sqlite3_free(held);
  int64_t dumps = pn_stat(db, "netlink_dumps");
  held = pn_rows(db, JOINED, (int)getpid());
  assert_string_equal(held, want);
  assert_int_equal(pn_stat(db, "netlink_dumps"), dumps); /* no dump of its own */
  snprintf(q, sizeof q,
           "SELECT count(*) = count(b.inode) FROM sockets a LEFT JOIN sock_diag b"
           " ON b.kind = 'tcp' AND b.inode = a.inode WHERE a.kind = 'tcp' AND a.inode <> 0"
           " AND a.netns = (SELECT net FROM namespaces WHERE pid = %d)",
           (int)getpid());
  assert_int_equal(pn_int(db, q), 1);
  assert_int_equal(pn_int(db, "SELECT procnet_hold_sockets(0)"), 0);
  char *again = pn_rows(db, JOINED, (int)getpid());
  assert_string_equal(again, want);
  assert_true(pn_stat(db, "netlink_dumps") > dumps);
  sqlite3_free(want);
  sqlite3_free(held);
  sqlite3_free(again);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rows_come_as_published),
      cmocka_unit_test(a_failure_after_rows_is_told),
      cmocka_unit_test(ending_stops_the_helper),
      cmocka_unit_test(read_ahead_equals_read_at_once),
      cmocka_unit_test(family_picks_the_file),
      cmocka_unit_test(a_statement_stopped_early_ends_the_stream),
      cmocka_unit_test(a_held_stream_serves_the_next_statements),
  };
  return cmocka_run_group_tests(tests, make_scene, NULL);
}
