/*
 * test_record.c: `procnet record`, run as a user would, in a network
 * namespace of the test's own (--netns self: only its sockets):
 *   - a recorded scene (a server process listening, a client connecting,
 *     CLOSE_WAIT, the end) gives one lifetime per socket with its states,
 *     holder and end, and the reports sql/reports/history_*.sql return the
 *     rows a user expects;
 *   - a connection that lives far less than an interval is recorded from
 *     its destroy notification;
 *   - SIGKILL at any moment leaves a database that passes integrity_check
 *     with every sample committed before;
 *   - a file size limit and a full disk (a tiny tmpfs) give the error, a
 *     non-zero status and an intact file;
 *   - a second recorder on the same file, a read-only file, another
 *     program's database are refused clearly.
 * Run as root, from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "history_util.h"
#include "pn_test.h"

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- a server process of the scene ------------------------------------------ */

/* A child named pn-scene-srv listening on 127.0.0.1; it answers each byte
 * of its control pipe: 'a' accept one connection, 'c' close it, 'q' exit;
 * it writes one byte back when done. */
typedef struct server {
  pid_t pid;
  int port;
  int ctl, ack;
} server;

static void serve(int ctl, int ack) {
  int port, l = listen_tcp4(&port), s = -1;
  char c;
  prctl(PR_SET_NAME, "pn-scene-srv");
  if (l < 0 || write(ack, &port, sizeof port) != sizeof port) _exit(1);
  while (read(ctl, &c, 1) == 1 && c != 'q') {
    if (c == 'a') s = accept(l, NULL, NULL);
    if (c == 'c') close(s);
    if (write(ack, &c, 1) != 1) _exit(1);
  }
  _exit(0);
}

static server start_server(void) {
  int to[2], from[2];
  server s = {0, 0, -1, -1};
  assert_int_equal(pipe(to), 0);
  assert_int_equal(pipe(from), 0);
  fflush(NULL);
  s.pid = fork();
  assert_true(s.pid >= 0);
  if (s.pid == 0) {
    close(to[1]);
    close(from[0]);
    serve(to[0], from[1]);
  }
  close(to[0]);
  close(from[1]);
  s.ctl = to[1];
  s.ack = from[0];
  assert_int_equal(read(s.ack, &s.port, sizeof s.port), sizeof s.port);
  return s;
}

static void tell(server *s, char c) {
  char back;
  assert_int_equal(write(s->ctl, &c, 1), 1);
  assert_int_equal(read(s->ack, &back, 1), 1);
}

static void stop_server(server *s) {
  int st;
  char q = 'q';
  assert_int_equal(write(s->ctl, &q, 1), 1);
  waitpid(s->pid, &st, 0);
  close(s->ctl);
  close(s->ack);
}

/* ---- reading the database back ------------------------------------------------- */

static char *read_text(const char *path) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char *s = calloc(1, 65536);
  size_t n = fread(s, 1, 65535, f);
  fclose(f);
  s[n] = '\0';
  return s;
}

/* The rows of a report, parameters bound by name ("port", 8080, ...,
 * NULL); as pn_rows prints them. */
static char *report(sqlite3 *db, const char *name, ...) {
  char path[256];
  snprintf(path, sizeof path, "sql/reports/%s.sql", name);
  char *sql = read_text(path);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("%s: %s", name, sqlite3_errmsg(db));
  va_list ap;
  va_start(ap, name);
  for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)) {
    char param[64];
    snprintf(param, sizeof param, ":%s", p);
    int i = sqlite3_bind_parameter_index(st, param);
    assert_true(i > 0);
    sqlite3_bind_double(st, i, va_arg(ap, double));
  }
  va_end(ap);
  sqlite3_str *out = sqlite3_str_new(NULL);
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const char *v = (const char *)sqlite3_column_text(st, i);
      sqlite3_str_appendf(out, "%s%s=%s", i ? "|" : "", sqlite3_column_name(st, i),
                          v ? v : "NULL");
    }
    sqlite3_str_appendchar(out, 1, '\n');
  }
  sqlite3_finalize(st);
  free(sql);
  char *s = sqlite3_str_finish(out);
  return s ? s : sqlite3_mprintf("");
}

/* A sample after now: what was done is in the database. */
static void next_samples(const char *db, int n) {
  sqlite3 *h = history_open(db);
  long have = h ? (long)pn_int(h, "SELECT count(*) FROM samples") : 0;
  sqlite3_close(h);
  assert_true(wait_samples(db, have + n) >= have + n);
}

/* ---- the scene and the reports ------------------------------------------------------ */

typedef struct scene {
  server srv;
  int client_port;
  double t_connect;
} scene;

static void play_scene(const char *db, scene *sc) {
  sc->srv = start_server();
  bg_run rec = bg_start("--netns", "self", "record", "--db", db, "-n", "0.2", NULL);
  assert_true(wait_samples(db, 2) >= 2);
  sc->t_connect = wall_now();
  int c = connect_tcp4(sc->srv.port);
  assert_true(c >= 0);
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  getsockname(c, (struct sockaddr *)&a, &len);
  sc->client_port = ntohs(a.sin_port);
  tell(&sc->srv, 'a');
  next_samples(db, 2);
  close(c); /* the server's end goes CLOSE_WAIT */
  next_samples(db, 2);
  tell(&sc->srv, 'c');
  next_samples(db, 2);
  assert_int_equal(bg_stop(&rec, SIGTERM), 0);
  char *err = bg_err(&rec);
  assert_string_equal(err, "");
  free(err);
  bg_free(&rec);
}

static void a_scene_is_one_lifetime_per_socket(void **state) {
  (void)state;
  char db[256];
  history_path(db, sizeof db, "scene");
  scene sc;
  play_scene(db, &sc);
  sqlite3 *h = history_open(db);
  assert_non_null(h);
  assert_rows(h, "ok\n", "PRAGMA integrity_check");
  assert_rows(h, "1|1\n", "SELECT count(*), ended IS NOT NULL FROM runs");
  char want[512];
  int srv = (int)sc.srv.pid, p = sc.srv.port, cp = sc.client_port;
  snprintf(want, sizeof want,
           "LISTEN|LISTEN|%d|pn-scene-srv|NULL\n"
           "ESTABLISHED CLOSE_WAIT|CLOSE_WAIT|%d|pn-scene-srv|destroy\n"
           "ESTABLISHED FIN_WAIT2 TIME_WAIT|TIME_WAIT|%d|test_record|NULL\n",
           srv, srv, (int)getpid());
  assert_rows(h, want,
              "SELECT states, state, pid, command, ended_by"
              " FROM socket_history WHERE kind = 'tcp' AND (local_port IN (%d, %d)"
              " OR remote_port = %d) ORDER BY state = 'LISTEN' DESC, local_port = %d DESC",
              p, cp, p, p);
  /* the lifetime ended by the kernel's notification ends after it was last
   * seen, and its process is still a row of its own */
  assert_int_equal(pn_int(h, "SELECT count(*) FROM socket_lifetimes WHERE local_port = %d"
                             " AND remote_port = %d AND gone >= last_seen"
                             " AND process IN (SELECT id FROM process_history"
                             " WHERE pid = %d AND name = 'pn-scene-srv')", p, cp, srv), 1);
  assert_int_equal(pn_int(h, "SELECT max(close_wait) FROM samples"), 1);
  sqlite3_close(h);
  stop_server(&sc.srv);
  history_remove(db);
}

static void the_reports_answer_the_scene(void **state) {
  (void)state;
  char db[256];
  history_path(db, sizeof db, "reports");
  scene sc;
  play_scene(db, &sc);
  sqlite3 *h = history_open(db);
  assert_non_null(h);
  int srv = (int)sc.srv.pid, p = sc.srv.port, cp = sc.client_port;
  char want[1024], *got;
  /* which process listened on the port */
  got = report(h, "history_listeners", "port", (double)p, NULL);
  snprintf(want, sizeof want,
           "port=%d|kind=tcp|address=127.0.0.1|pid=%d|command=pn-scene-srv|user=root|"
           "container=NULL|netns=", p, srv);
  assert_contains(got, want);
  assert_contains(got, "|until=NULL|still_open=1\n");
  assert_int_equal(count_lines(got), 1);
  sqlite3_free(got);
  /* what connected to 127.0.0.1:port, from the connect on: both ends */
  got = report(h, "history_connections", "port", (double)p, "from", sc.t_connect, NULL);
  snprintf(want, sizeof want,
           "direction=out|kind=tcp|local=127.0.0.1:%d|remote=127.0.0.1:%d|pid=%d|"
           "command=test_record|user=root|listener=NULL|container=NULL|"
           "states=ESTABLISHED FIN_WAIT2 TIME_WAIT|ended_by=NULL",
           cp, p, (int)getpid());
  assert_contains(got, want);
  snprintf(want, sizeof want,
           "direction=in|kind=tcp|local=127.0.0.1:%d|remote=127.0.0.1:%d|pid=%d|"
           "command=pn-scene-srv|user=root|listener=pn-scene-srv[%d]|container=NULL|"
           "states=ESTABLISHED CLOSE_WAIT|ended_by=destroy",
           p, cp, srv, srv);
  assert_contains(got, want);
  assert_int_equal(count_lines(got), 2);
  sqlite3_free(got);
  /* nothing connected before the scene began */
  got = report(h, "history_connections", "port", (double)p, "to", sc.t_connect - 3600, NULL);
  assert_string_equal(got, "");
  sqlite3_free(got);
  /* CLOSE_WAIT over time, one bucket: the server's socket */
  got = report(h, "history_close_wait", "bucket", 1e9, NULL);
  snprintf(want, sizeof want, "|close_wait_max=1|close_wait_avg=");
  assert_contains(got, want);
  snprintf(want, sizeof want, "|sockets=1|holders=pn-scene-srv[%d]\n", srv);
  assert_contains(got, want);
  assert_int_equal(count_lines(got), 1);
  sqlite3_free(got);
  sqlite3_close(h);
  stop_server(&sc.srv);
  history_remove(db);
}

/* ---- short connections ---------------------------------------------------------- */

static void close_now(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

static int udp_to(int port) {
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (u < 0 || connect(u, (struct sockaddr *)&a, sizeof a) != 0 || send(u, "x", 1, 0) != 1)
    return -1;
  return u;
}

/* Opened and closed right after a sample, at a 2 s interval: no sample
 * can see it, the notification does. The client closes first, so its end
 * stays in TIME_WAIT, which the next sample sees; the server's end and
 * the UDP socket are gone at once. (Closed with a reset instead, an end
 * would report its remote port as 0.) */
static void a_short_connection_is_recorded_from_its_notification(void **state) {
  (void)state;
  char db[256];
  history_path(db, sizeof db, "destroy");
  int port, l = listen_tcp4(&port);
  assert_true(l >= 0);
  bg_run rec = bg_start("--netns", "self", "record", "--db", db, "-n", "2", NULL);
  assert_true(wait_samples(db, 1) >= 1);
  double t0 = wall_now();
  int c = connect_tcp4(port), s = accept(l, NULL, NULL), u = udp_to(port);
  assert_true(c >= 0 && s >= 0 && u >= 0);
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  getsockname(c, (struct sockaddr *)&a, &len);
  int cport = ntohs(a.sin_port);
  close(c);
  char byte;
  assert_int_equal(read(s, &byte, 1), 0); /* the client's FIN */
  close(s);
  close(u);
  double t1 = wall_now();
  assert_true(wait_samples(db, 2) >= 2);
  assert_int_equal(bg_stop(&rec, SIGINT), 0);
  bg_free(&rec);
  sqlite3 *h = history_open(db);
  assert_non_null(h);
  int sampled = (int)pn_int(h, "SELECT count(*) FROM samples WHERE time BETWEEN %f AND %f", t0, t1);
  /* the server's end, with its addresses and the time it went */
  char want[256];
  snprintf(want, sizeof want, "tcp|IPv4|127.0.0.1|127.0.0.1|destroy|1|%s\n",
           sampled ? "0" : "1");
  assert_rows(h, want,
              "SELECT kind, family, local_address, remote_address, ended_by,"
              " gone BETWEEN %f AND %f + 10, first_seen IS NULL FROM socket_history"
              " WHERE kind = 'tcp' AND local_port = %d AND remote_port = %d",
              t0, t1, port, cport);
  /* the UDP socket too; the client's end, in TIME_WAIT, was sampled */
  snprintf(want, sizeof want, "udp|ESTABLISHED|destroy|%s\n", sampled ? "0" : "1");
  assert_rows(h, want, "SELECT kind, states, ended_by, first_seen IS NULL FROM socket_history"
                       " WHERE kind = 'udp' AND remote_port = %d", port);
  assert_rows(h, "TIME_WAIT|0\n", "SELECT states, first_seen IS NULL FROM socket_history"
                                  " WHERE kind = 'tcp' AND local_port = %d", cport);
  assert_true(pn_int(h, "SELECT sum(destroyed) FROM samples") >= 3);
  assert_rows(h, "1|NULL\n", "SELECT destroy, destroy_error FROM netns_history");
  sqlite3_close(h);
  close(l);
  history_remove(db);
}

/* ---- crashes and failures ------------------------------------------------------------ */

/* A child that keeps connections coming and going, so that every sample
 * writes. */
static pid_t churn(void) {
  fflush(NULL);
  pid_t p = fork();
  if (p != 0) return p;
  int port, l = listen_tcp4(&port);
  for (;;) {
    int c = connect_tcp4(port), s = accept(l, NULL, NULL);
    close_now(c);
    close(s);
    usleep(2000);
  }
}

static void sigkill_keeps_every_committed_sample(void **state) {
  (void)state;
  char db[256];
  history_path(db, sizeof db, "kill");
  pid_t ch = churn();
  long before = 0;
  for (int round = 1; round <= 3; round++) {
    bg_run rec = bg_start("--netns", "self", "record", "--db", db, "-n", "0.02", NULL);
    long seen = wait_samples(db, before + 5);
    assert_true(seen >= before + 5);
    assert_int_equal(bg_stop(&rec, SIGKILL), 128 + SIGKILL);
    bg_free(&rec);
    sqlite3 *h = history_open(db);
    assert_non_null(h);
    assert_rows(h, "ok\n", "PRAGMA integrity_check");
    long now = (long)pn_int(h, "SELECT count(*) FROM samples");
    assert_true(now >= seen);
    assert_int_equal(pn_int(h, "SELECT max(id) FROM samples"), now); /* none lost between */
    assert_int_equal(pn_int(h, "SELECT count(*) FROM runs WHERE ended IS NULL"), round);
    assert_int_equal(pn_int(h, "SELECT count(*) FROM runs r WHERE last_sample IS NOT"
                               " (SELECT max(time) FROM samples s WHERE s.run = r.id)"), 0);
    sqlite3_close(h);
    before = now;
  }
  kill(ch, SIGKILL);
  waitpid(ch, NULL, 0);
  history_remove(db);
}

static void expect_full(run_res r, const char *db, const char *why) {
  if (r.status != 1) fail_msg("status %d, stderr: %s", r.status, r.err);
  assert_int_equal(count_lines(r.err), 1);
  assert_contains(r.err, why);
  assert_contains(r.err, "the file keeps every sample before this one");
  sqlite3 *h = history_open(db);
  assert_non_null(h);
  assert_rows(h, "ok\n", "PRAGMA integrity_check");
  assert_true(pn_int(h, "SELECT count(*) FROM samples") >= 1);
  assert_rows(h, "1\n", "SELECT count(*) = max(id) FROM samples");
  sqlite3_close(h);
  run_free(&r);
}

static void a_full_disk_is_said_and_the_file_kept(void **state) {
  (void)state;
  char db[256];
  history_path(db, sizeof db, "fsize");
  /* a file size limit: each sample grows the WAL until it is reached */
  run_res r = run_argv(NULL, (char *[]){"prlimit", "--fsize=200000", procnet_path, "--netns",
                                        "self", "record", "--db", db, "-n", "0.02", NULL});
  expect_full(r, db, "the file size limit is reached");
  history_remove(db);
  /* a tiny file system */
  char script[3 * PATH_MAX];
  snprintf(script, sizeof script,
           "mkdir -p /tmp/pn-tiny-$$ && mount -t tmpfs -o size=256k tmpfs /tmp/pn-tiny-$$ &&"
           " %s --netns self record --db /tmp/pn-tiny-$$/h.db -n 0.02;"
           " s=$?; cp /tmp/pn-tiny-$$/h.db %s; if [ -f /tmp/pn-tiny-$$/h.db-wal ]; then"
           " cp /tmp/pn-tiny-$$/h.db-wal %s-wal; fi; umount /tmp/pn-tiny-$$;"
           " rmdir /tmp/pn-tiny-$$; exit $s", procnet_path, db, db);
  r = run_argv(NULL, (char *[]){"unshare", "-m", "sh", "-c", script, NULL});
  expect_full(r, db, "the disk is full");
  history_remove(db);
}

static void expect_refused(run_res r, const char *msg) {
  if (r.status != 1) fail_msg("status %d, stderr: %s", r.status, r.err);
  assert_int_equal(count_lines(r.err), 1);
  assert_contains(r.err, msg);
  run_free(&r);
}

static void other_writers_and_files_are_refused(void **state) {
  (void)state;
  char db[256], other[256], want[512];
  history_path(db, sizeof db, "two");
  bg_run first = bg_start("--netns", "self", "record", "--db", db, "-n", "0.1", NULL);
  assert_true(wait_samples(db, 1) >= 1);
  snprintf(want, sizeof want, "is being recorded by another procnet record (pid %d)",
           (int)first.pid);
  expect_refused(run_cli("record", "--db", db, "--duration", "1", NULL), want);
  assert_int_equal(bg_stop(&first, SIGTERM), 0);
  bg_free(&first);
  /* a file its user may not write */
  expect_refused(run_argv(NULL, (char *[]){"setpriv", "--reuid=65534", "--regid=65534",
                                           "--clear-groups", procnet_path, "record", "--db", db,
                                           NULL}),
                 "cannot write");
  /* another program's database, and a file that is no database, untouched */
  history_path(other, sizeof other, "other");
  sqlite3 *o = NULL;
  assert_int_equal(sqlite3_open(other, &o), SQLITE_OK);
  pn_exec(o, "CREATE TABLE mine(x); INSERT INTO mine VALUES (42)");
  sqlite3_close(o);
  expect_refused(run_cli("record", "--db", other, "--duration", "1", NULL),
                 "is a database of something else, not a procnet history");
  o = history_open(other);
  assert_rows(o, "delete|42\n", "SELECT (SELECT journal_mode FROM pragma_journal_mode), x FROM mine");
  sqlite3_close(o);
  history_remove(other);
  FILE *f = fopen(other, "w");
  fputs("not a database\n", f);
  fclose(f);
  expect_refused(run_cli("record", "--db", other, "--duration", "1", NULL),
                 "is not an SQLite database");
  history_remove(other);
  history_remove(db);
}

int main(void) {
  if (cli_run_init("test_record") != 0) return 1;
  if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
    perror("test_record: a network namespace of its own (run as root)");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_scene_is_one_lifetime_per_socket),
      cmocka_unit_test(the_reports_answer_the_scene),
      cmocka_unit_test(a_short_connection_is_recorded_from_its_notification),
      cmocka_unit_test(sigkill_keeps_every_committed_sample),
      cmocka_unit_test(a_full_disk_is_said_and_the_file_kept),
      cmocka_unit_test(other_writers_and_files_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
