/*
 * test_views_extra.c: how sql/views.sql is loaded (from disk and through
 * procnet_create_views()), what it may contain, the reports of
 * sql/reports/, and the views' reason to exist: sockets of another network
 * namespace, which lsof prints only as "sock ... protocol: TCP" and ss and
 * netstat do not print at all.
 *
 * test_views.c compares the views with the real tools column by column.
 */
#include "pn_test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *read_text(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) fail_msg("%s: %s (run from the repository root)", path, strerror(errno));
  char *text = NULL;
  size_t cap = 0;
  if (getdelim(&text, &cap, 0, f) < 0) {
    free(text);
    text = strdup("");
  }
  fclose(f);
  return text;
}

static int count_occurrences(const char *text, const char *word) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, word)); p += strlen(word)) n++;
  return n;
}

/* Skips blanks and SQL comments. */
static const char *skip_space(const char *p) {
  for (;;) {
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
    if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') p++;
    } else if (p[0] == '/' && p[1] == '*') {
      const char *end = strstr(p + 2, "*/");
      p = end ? end + 2 : p + strlen(p);
    } else {
      return p;
    }
  }
}

static sqlite3 *open_with_views(void) {
  sqlite3 *db = pn_open(NULL);
  char *sql = read_text("sql/views.sql");
  pn_exec(db, "%s", sql);
  free(sql);
  return db;
}

/* ---- loading --------------------------------------------------------------- */

/* Every statement of the file creates a TEMP view, IF NOT EXISTS, and
 * nothing else: the file is compiled into the extension and run by
 * procnet_create_views(), so it must have no other effect. */
static void views_sql_holds_only_temp_views(void **state) {
  (void)state;
  char *sql = read_text("sql/views.sql");
  sqlite3 *db = pn_open(NULL);
  int statements = 0;
  for (const char *p = skip_space(sql); *p; p = skip_space(p)) {
    const char *tail = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK)
      fail_msg("sql/views.sql: %s", sqlite3_errmsg(db));
    if (!st) break;
    const char *want = "CREATE TEMP VIEW IF NOT EXISTS ";
    if (strncmp(p, want, strlen(want)) != 0)
      fail_msg("sql/views.sql: a statement that is not '%s...': %.60s", want, p);
    if (sqlite3_step(st) != SQLITE_DONE) fail_msg("step: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    statements++;
    p = tail;
  }
  assert_int_equal(statements, count_occurrences(sql, "CREATE TEMP VIEW"));
  assert_int_equal(pn_int(db, "SELECT count(*) FROM sqlite_temp_schema WHERE type = 'view'"),
                   statements);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM sqlite_temp_schema WHERE type <> 'view'"), 0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM sqlite_schema"), 0);
  /* reading it again is harmless */
  pn_exec(db, "%s", sql);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM sqlite_temp_schema"), statements);
  pn_close(db);
  free(sql);
}

/* procnet_create_views() runs the copy compiled in by `make` and returns
 * the number of views: the same views as the file on disk. */
static void create_views_function_matches_the_file(void **state) {
  (void)state;
  char *sql = read_text("sql/views.sql");
  int want = count_occurrences(sql, "CREATE TEMP VIEW");
  free(sql);
  assert_true(want >= 7);
  sqlite3 *db = pn_open(NULL);
  assert_int_equal(pn_int(db, "SELECT procnet_create_views()"), want);
  assert_rows(db,
              "connections\nexposure\nlistening\nlsof\nlsof_e\nlsof_endpoints\nlsof_i\n"
              "lsof_tasks\nlsof_u\nnetstat\n"
              "procnet_socket_holders\nprocnet_ss_sockets\nss\n",
              "SELECT name FROM sqlite_temp_schema WHERE type = 'view' ORDER BY name");
  /* the compiled-in copy is the file's: same definitions */
  sqlite3 *disk = open_with_views();
  char *a = pn_rows(db, "SELECT name, sql FROM sqlite_temp_schema ORDER BY name");
  char *b = pn_rows(disk, "SELECT name, sql FROM sqlite_temp_schema ORDER BY name");
  if (strcmp(a, b) != 0)
    fail_msg("procnet_create_views() differs from sql/views.sql: run make");
  sqlite3_free(a);
  sqlite3_free(b);
  /* and they work */
  assert_true(pn_int(db, "SELECT count(*) FROM lsof WHERE pid = %d", (int)getpid()) > 3);
  assert_int_equal(pn_int(db, "SELECT procnet_create_views()"), want); /* again */
  pn_close(disk);
  pn_close(db);
}

/* procnet_create_views(tool): that tool's views and their helpers, each
 * of which works alone on a fresh connection (no view of another tool
 * behind it); the tools together are every view but the reports' helper. */
static void create_views_of_one_tool(void **state) {
  (void)state;
  static const struct {
    const char *tool, *views;
  } tools[] = {
      {"lsof", "lsof\nlsof_e\nlsof_endpoints\nlsof_i\nlsof_tasks\nlsof_u\n"},
      {"ss", "procnet_ss_sockets\nss\n"},
      {"netstat", "netstat\n"},
      {"listening", "listening\n"},
      {"connections", "connections\n"},
      {"exposure", "exposure\n"},
      {"nothing", ""},
  };
  int total = 0;
  for (size_t i = 0; i < sizeof tools / sizeof *tools; i++) {
    sqlite3 *db = pn_open(NULL);
    total += (int)pn_int(db, "SELECT procnet_create_views(%Q)", tools[i].tool);
    char *made = pn_rows(db, "SELECT name FROM sqlite_temp_schema ORDER BY name");
    assert_string_equal(made, tools[i].views);
    sqlite3_free(made);
    sqlite3_stmt *st = NULL;
    for (const char *v = tools[i].views; *v; v = strchr(v, '\n') + 1) {
      char *sql = sqlite3_mprintf("SELECT * FROM %.*s LIMIT 0", (int)strcspn(v, "\n"), v);
      if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s alone: %s", sql, sqlite3_errmsg(db));
      sqlite3_finalize(st);
      sqlite3_free(sql);
    }
    pn_close(db);
  }
  sqlite3 *db = pn_open(NULL);
  assert_int_equal(total + 1, pn_int(db, "SELECT procnet_create_views()"));
  char *e = pn_error(db, "SELECT procnet_create_views(NULL)");
  assert_non_null(strstr(e, "want a tool's name"));
  sqlite3_free(e);
  pn_close(db);
}

/* ---- a small workload in this process ---------------------------------------- */

static int listen_any(int family) {
  int fd = socket(family, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss = {0};
  socklen_t n;
  if (family == AF_INET) {
    struct sockaddr_in *s = (struct sockaddr_in *)&ss;
    s->sin_family = AF_INET;
    s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    n = sizeof *s;
  } else {
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
    s->sin6_family = AF_INET6;
    n = sizeof *s;
  }
  assert_int_equal(bind(fd, (struct sockaddr *)&ss, n), 0);
  assert_int_equal(listen(fd, 8), 0);
  return fd;
}

static int port_of(int fd) {
  struct sockaddr_storage ss;
  socklen_t n = sizeof ss;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &n), 0);
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&s, sizeof s), 0);
  return fd;
}

/* Runs every statement of a report, binding :pid when it has one; returns
 * the rows as pn_rows does. */
static char *run_report(sqlite3 *db, const char *name, int pid) {
  char path[512];
  snprintf(path, sizeof path, "sql/reports/%s", name);
  char *sql = read_text(path);
  sqlite3_str *out = sqlite3_str_new(db);
  for (const char *p = skip_space(sql); *p; p = skip_space(p)) {
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK)
      fail_msg("%s: %s", path, sqlite3_errmsg(db));
    if (!st) break;
    int at = sqlite3_bind_parameter_index(st, ":pid");
    if (at) sqlite3_bind_int(st, at, pid);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        const char *v = (const char *)sqlite3_column_text(st, i);
        sqlite3_str_appendf(out, "%s%s", i ? "|" : "", v ? v : "NULL");
      }
      sqlite3_str_appendchar(out, 1, '\n');
    }
    if (rc != SQLITE_DONE) fail_msg("%s: %s", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    p = tail;
  }
  free(sql);
  char *s = sqlite3_str_finish(out);
  return s ? s : sqlite3_mprintf("");
}

static void expect_in(const char *report, const char *text, const char *want) {
  if (!strstr(text, want)) fail_msg("%s: no '%s' in:\n%s", report, want, text);
}

/* Each report of sql/reports/ runs and answers its question about a
 * workload made here: a listener, an established connection, and a
 * connection left in CLOSE_WAIT (the peer closed, we did not). */
static void reports_answer_their_questions(void **state) {
  (void)state;
  int l = listen_any(AF_INET);
  int c = connect_loopback(port_of(l));
  int a = accept(l, NULL, NULL);
  int cw = connect_loopback(port_of(l));
  int cwa = accept(l, NULL, NULL);
  close(cwa); /* cw is in CLOSE_WAIT once the FIN has arrived */
  struct pollfd fin = {cw, POLLRDHUP, 0};
  assert_int_equal(poll(&fin, 1, 10000), 1);
  int me = (int)getpid();
  char want[128];
  sqlite3 *db = open_with_views();

  DIR *d = opendir("sql/reports");
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0) continue;
    /* history_*.sql read a database procnet record wrote: test_record */
    if (!strncmp(e->d_name, "history_", 8)) continue;
    char *rows = run_report(db, e->d_name, me);
    n++;
    if (strcmp(e->d_name, "listening_by_process.sql") == 0) {
      snprintf(want, sizeof want, "|%d|", me);
      expect_in(e->d_name, rows, want);
      snprintf(want, sizeof want, "tcp 127.0.0.1:%d", port_of(l));
      expect_in(e->d_name, rows, want);
    } else if (strcmp(e->d_name, "connections_per_remote.sql") == 0) {
      snprintf(want, sizeof want, "[%d]", me);
      expect_in(e->d_name, rows, "127.0.0.1|");
      expect_in(e->d_name, rows, want);
    } else if (strcmp(e->d_name, "top_fd_processes.sql") == 0) {
      assert_true(strlen(rows) > 0);
    } else if (strcmp(e->d_name, "close_wait.sql") == 0) {
      snprintf(want, sizeof want, "%d|", me);
      expect_in(e->d_name, rows, want);
      snprintf(want, sizeof want, "127.0.0.1:%d|127.0.0.1:%d|", port_of(cw), port_of(l));
      expect_in(e->d_name, rows, want);
    } else if (strcmp(e->d_name, "connections_json.sql") == 0) {
      assert_int_equal(pn_int(db, "SELECT json_valid(%Q)", rows), 1);
      assert_int_equal(
          pn_int(db,
                 "SELECT count(*) FROM json_each(%Q) j"
                 " WHERE json_extract(j.value, '$.local.port') = %d"
                 "   AND json_extract(j.value, '$.state') = 'ESTABLISHED'"
                 "   AND json_extract(j.value, '$.processes[0].pid') = %d",
                 rows, port_of(c), me),
          1);
    } else if (strcmp(e->d_name, "process_holdings.sql") == 0) {
      snprintf(want, sizeof want, "127.0.0.1:%d (LISTEN)|tcp|LISTEN|", port_of(l));
      expect_in(e->d_name, rows, want);
      expect_in(e->d_name, rows, "cwd|DIR|");
    } else {
      fail_msg("a report this test does not know: %s (add its check)", e->d_name);
    }
    sqlite3_free(rows);
  }
  closedir(d);
  assert_int_equal(n, 6);
  print_message("reports: %d files run, each answered for this process\n", n);
  pn_close(db);
  close(l), close(c), close(a), close(cw);
}

/* ---- another network namespace ------------------------------------------------ */

/* A process in a network namespace of its own holds a listener. lsof
 * prints it as "sock ... protocol: TCP", ss and netstat do not list it; the
 * views resolve it, with the namespace in the netns column. */
static void other_namespace_is_resolved(void **state) {
  (void)state;
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    close(p[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int port = -1;
    if (unshare(CLONE_NEWNET) == 0) {
      int l = socket(AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in s = {.sin_family = AF_INET};
      if (l >= 0 && bind(l, (struct sockaddr *)&s, sizeof s) == 0 && listen(l, 4) == 0) {
        socklen_t n = sizeof s;
        getsockname(l, (struct sockaddr *)&s, &n);
        port = ntohs(s.sin_port);
      }
    }
    if (write(p[1], &port, sizeof port) != (ssize_t)sizeof port) _exit(1);
    for (;;) pause();
  }
  close(p[1]);
  int port = -1;
  assert_int_equal(read(p[0], &port, sizeof port), (int)sizeof port);
  close(p[0]);
  if (port < 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    skip(); /* no CAP_SYS_ADMIN: no namespace to make */
  }

  sqlite3 *db = open_with_views();
  int64_t ns = pn_int(db, "SELECT net FROM namespaces WHERE pid = %d", (int)child);
  assert_true(ns != pn_int(db, "SELECT procnet_netns()"));
  /* lsof view: resolved, as for a socket of our own namespace */
  char want[256];
  snprintf(want, sizeof want, "IPv4|TCP|*:%d (LISTEN)\n", port);
  assert_rows(db, want,
              "SELECT type, node, name FROM lsof WHERE pid = %d AND fd = '3u'", (int)child);
  /* the real lsof: only "sock" and the protocol */
  char cmd[128], line[512];
  snprintf(cmd, sizeof cmd, "lsof -n -P -a -d 3 -p %d 2>/dev/null", (int)child);
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  int saw_sock = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, " sock ") && strstr(line, "protocol: TCP")) saw_sock = 1;
  pclose(f);
  assert_true(saw_sock);
  /* ss and listening: the socket with its namespace; the real ss: nothing */
  snprintf(want, sizeof want, "tcp|LISTEN|0.0.0.0:%d|%lld\n", port, (long long)ns);
  assert_rows(db, want,
              "SELECT netid, state, local, netns FROM ss"
              " WHERE process LIKE '%%pid=%d,%%'", (int)child);
  snprintf(want, sizeof want, "tcp|0.0.0.0|%d|%lld\n", port, (long long)ns);
  assert_rows(db, want,
              "SELECT proto, address, port, netns FROM listening WHERE pid = %d", (int)child);
  snprintf(want, sizeof want, "tcp|0.0.0.0:%d|LISTEN|%d/", port, (int)child);
  char *rows = pn_rows(db, "SELECT proto, local_address, state, pid_program FROM netstat"
                           " WHERE netns = %lld", (long long)ns);
  assert_non_null(strstr(rows, want));
  sqlite3_free(rows);
  snprintf(cmd, sizeof cmd, "ss -tanp | grep -c 'pid=%d,'", (int)child);
  f = popen(cmd, "r");
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof line, f));
  pclose(f);
  assert_int_equal(atoi(line), 0);
  print_message("other namespace: lsof prints 'sock ... protocol: TCP' and ss nothing;"
                " the views give the listener on port %d in netns %lld\n",
                port, (long long)ns);
  pn_close(db);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
}

/* ---- plans ------------------------------------------------------------------ */

/* The socket views scan `sockets` once (ss: once per family, each arm
 * asking for its kinds only) and look each socket's holder up in
 * socket_holders (a binary search), then its process: no pass over the
 * holders per socket, no materialized copy, no sort. */
static void socket_views_scan_once(void **state) {
  (void)state;
  sqlite3 *db = open_with_views();
  /* idxNum 16: `kind = ?`; 272: a `kind IN (...)` list (netscan.h) */
  static const struct {
    const char *view, *scan;
    int scans;
  } views[] = {
      {"ss", "SCAN sockets VIRTUAL TABLE INDEX 272:", 1}, /* the inet arm */
      {"ss", "SCAN sockets VIRTUAL TABLE INDEX 16:", 3},  /* unix, packet, netlink */
      {"netstat", "SCAN s VIRTUAL TABLE INDEX 272:", 1},
      {"listening", "SCAN s VIRTUAL TABLE INDEX 16:", 2}, /* tcp OR udp */
  };
  for (size_t i = 0; i < sizeof views / sizeof *views; i++) {
    char *sql = sqlite3_mprintf("SELECT * FROM %s", views[i].view);
    char *plan = pn_plan(db, sql);
    if (count_occurrences(plan, views[i].scan) != views[i].scans ||
        count_occurrences(plan, "SCAN sh VIRTUAL TABLE INDEX 1: LEFT-JOIN") != 1 ||
        count_occurrences(plan, "SCAN p VIRTUAL TABLE INDEX") != 1 ||
        count_occurrences(plan, "MATERIALIZE") != 0 ||
        count_occurrences(plan, "AUTOMATIC") != 0 ||
        count_occurrences(plan, "TEMP B-TREE") != 0)
      fail_msg("%s: unexpected plan:\n%s", views[i].view, plan);
    sqlite3_free(plan);
    sqlite3_free(sql);
  }
  /* A filter on netid reaches the files: tcp's, and the unix and packet
   * ones whose netids SQLite must compute to rule them out (not udp, raw,
   * icmp, udplite or netlink). */
  int64_t n0 = pn_stat(db, "net_files_read");
  pn_int(db, "SELECT count(*) FROM sockets WHERE kind IN ('tcp', 'unix', 'packet')");
  int64_t want = pn_stat(db, "net_files_read") - n0;
  n0 = pn_stat(db, "net_files_read");
  assert_true(pn_int(db, "SELECT count(*) FROM ss WHERE netid = 'tcp'") > 0);
  assert_int_equal(pn_stat(db, "net_files_read") - n0, want);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(views_sql_holds_only_temp_views),
      cmocka_unit_test(create_views_function_matches_the_file),
      cmocka_unit_test(create_views_of_one_tool),
      cmocka_unit_test(reports_answer_their_questions),
      cmocka_unit_test(other_namespace_is_resolved),
      cmocka_unit_test(socket_views_scan_once),
  };
  return cmocka_run_group_tests_name("views_extra", tests, NULL, NULL);
}
