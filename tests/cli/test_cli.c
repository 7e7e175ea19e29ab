/*
 * test_cli.c: the `procnet` command itself.
 *
 *   - usage, errors and exit status: each command's usage errors exit as
 *     the real tool's (ss 255, netstat 3, fuser 1, lsof 1; procnet, sql 2),
 *     run-time errors and ss's unparsable filter values 1; --help, --version;
 *   - the output formats: table, CSV (RFC 4180 quoting), JSON;
 *   - build/procnet is static;
 *   - live views: a listener of this process in ss, lsof and netstat;
 *   - fuser finds the holder of a socket whose path has a blank.
 *
 * The sibling files: test_cli_worlds.c (an empty root, and a world of its
 * own whose output must equal the views), test_cli_install.c (completion,
 * embedding, make install), test_compare.c (against the real tools).
 *
 * Run from the repository root (as tests/tools/run_tests.sh does). CLI_B is
 * the build directory, given by mk/cli.mk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli_run.h"
#include "procnet.h"

/* ---- usage, errors, exit status ------------------------------------------ */

/* A usage error: exit `status` (each command's, as the real tool's), one
 * message line naming the problem, then the usage line. */
static void expect_usage_status(run_res r, int status, const char *msg) {
  if (r.status != status) fail_msg("status %d, not %d, stderr: %s", r.status, status, r.err);
  assert_string_equal(r.out, "");
  assert_int_equal(count_lines(r.err), 2);
  assert_true(!strncmp(r.err, "procnet: ", 9));
  assert_contains(r.err, msg);
  assert_contains(strchr(r.err, '\n'), "\nusage: procnet");
  run_free(&r);
}

/* procnet's own and sql's usage errors exit 2. */
static void expect_usage(run_res r, const char *msg) { expect_usage_status(r, 2, msg); }

/* Exit 1, one message line. */
static void expect_error(run_res r, const char *msg) {
  if (r.status != 1) fail_msg("status %d, stderr: %s", r.status, r.err);
  assert_int_equal(count_lines(r.err), 1);
  assert_true(!strncmp(r.err, "procnet: ", 9));
  assert_contains(r.err, msg);
  run_free(&r);
}

static void bad_usage_exits_as_the_tools(void **state) {
  (void)state;
  expect_usage(run_cli(NULL), "no command given");
  expect_usage(run_cli("frobnicate", NULL), "unknown command 'frobnicate'");
  expect_usage(run_cli("-z", "ss", NULL), "unknown option '-z'");
  expect_usage(run_cli("--format", "xml", "ss", NULL), "unknown format 'xml'");
  expect_usage(run_cli("--netns", "self", "sql", "SELECT 1", NULL), "--netns does not apply to sql");
  /* ss: 255, as ss exits on a bad option or filter syntax */
  expect_usage_status(run_cli("ss", "-tz", NULL), 255, "ss: unknown option '-z'");
  expect_usage_status(run_cli("ss", "--bogus", NULL), 255, "unknown option '--bogus'");
  expect_usage_status(run_cli("ss", "-f", "bogus", NULL), 255, "\"bogus\" is invalid family");
  expect_usage_status(run_cli("ss", "-f", NULL), 255, "-f needs a family");
  expect_usage_status(run_cli("ss", "state", "bogus", NULL), 255, "wrong state name: bogus");
  expect_usage_status(run_cli("ss", "state", NULL), 255, "'state' needs a state name");
  expect_usage_status(run_cli("ss", "dport", NULL), 255, "syntax error");
  expect_usage_status(run_cli("ss", "(", "sport", "=", ":22", NULL), 255, "syntax error");
  expect_usage_status(run_cli("ss", "--format", NULL), 255, "--format needs");
  expect_usage_status(run_cli("ss", "--root", NULL), 255, "--root needs");
  expect_usage_status(run_cli("ss", "--netns", "nope", NULL), 255, "bad --netns 'nope'");
  /* netstat: 3 */
  expect_usage_status(run_cli("netstat", "-q", NULL), 3, "netstat: unknown option '-q'");
  expect_usage_status(run_cli("netstat", "--bogus", NULL), 3, "unknown option '--bogus'");
  /* fuser: 1 */
  expect_usage_status(run_cli("fuser", NULL), 1, "No process specification given");
  expect_usage_status(run_cli("fuser", "-Z", "22/tcp", NULL), 1, "unknown option '-Z'");
  expect_usage_status(run_cli("fuser", "-n", "sctp", "22", NULL), 1, "Invalid namespace name");
  expect_usage_status(run_cli("fuser", "-4", "-6", "22/tcp", NULL), 1, "only IPv4 and only IPv6");
  expect_usage_status(run_cli("fuser", "-m", "22/tcp", NULL), 1, "only use files with mountpoint");
  expect_usage_status(run_cli("fuser", "-k", "22/tcp", NULL), 1,
                      "-k is not supported: procnet never acts on processes");
  /* lsof: 1, as lsof exits on a usage error */
  expect_usage_status(run_cli("lsof", "-p", NULL), 1, "-p needs a process id");
  expect_usage_status(run_cli("lsof", "-p", "12x", NULL), 1, "illegal process ID: 12x");
  expect_usage_status(run_cli("lsof", "-g12x", NULL), 1, "illegal process group ID: 12x");
  expect_usage_status(run_cli("lsof", "-c", NULL), 1, "-c needs a command name");
  expect_usage_status(run_cli("lsof", "-c", "0123456789abcdef", NULL), 1, "length (16)");
  expect_usage_status(run_cli("lsof", "-c", "x", "-c", "^x", NULL), 1, "-c^x and -cx conflict");
  expect_usage_status(run_cli("lsof", "-i:no-such-service", NULL), 1,
                      "unknown service no-such-service in: -i :no-such-service");
  expect_usage_status(run_cli("lsof", "-i@[::1", NULL), 1, "missing host");
  expect_usage_status(run_cli("lsof", "-i4@[::1]", NULL), 1, "does not match the IP version");
  expect_usage_status(run_cli("lsof", "-iSCTP", NULL), 1, "unsupported protocol");
  expect_usage_status(run_cli("lsof", "-i", "@no-such-host.invalid", NULL), 1,
                      "unknown host name (no-such-host.invalid)");
  expect_usage_status(run_cli("lsof", "-u", "no-such-user", NULL), 1,
                      "can't get UID for no-such-user");
  expect_usage_status(run_cli("lsof", "-sTCP:BOGUS", NULL), 1, "unknown TCP state name: BOGUS");
  expect_usage_status(run_cli("lsof", "-sUDP:Idle", NULL), 1, "no UDP state names available");
  expect_usage_status(run_cli("lsof", "-sTCP:LISTEN,^LISTEN", NULL), 1,
                      "can't include and exclude TCP state: LISTEN");
  expect_usage_status(run_cli("lsof", "-t", "-F", NULL), 1, "-F and -t are mutually exclusive");
  expect_usage_status(run_cli("lsof", "-FpX", NULL), 1, "unknown field in -F pX");
  expect_usage_status(run_cli("lsof", "+c", "w", NULL), 1, "+c not followed by width number");
  expect_usage_status(run_cli("lsof", "-Kx", NULL), 1, "-K not followed by i (but by x)");
  /* sql: 2 */
  expect_usage(run_cli("sql", "-x", NULL), "sql: unknown option '-x'");
}

/* A filter's address, port or device that does not parse: exit 1, as ss. */
static void bad_filter_values_exit_1(void **state) {
  (void)state;
  expect_error(run_cli("ss", "-tn", "bogusword", NULL), "an inet prefix is expected rather than \"bogusword\"");
  expect_error(run_cli("ss", "-tn", "sport", "=", ":nosuchservice", NULL),
               "\"nosuchservice\" does not look like a port");
  expect_error(run_cli("ss", "-tn", "dst", "::1", NULL), "an inet prefix is expected rather than \":\"");
  expect_error(run_cli("ss", "-tn", "dev", "nosuchdev0", NULL), "cannot parse device \"nosuchdev0\"");
  expect_error(run_cli("ss", "-tn", "fwmark", "1", NULL), "'fwmark' filters need netlink data");
  expect_error(run_cli("ss", "-N", "no-such-netns", NULL), "cannot open network namespace \"no-such-netns\"");
}

static void runtime_errors_exit_1(void **state) {
  (void)state;
  expect_error(run_cli("sql", "SELEC 1", NULL), "syntax error");
  expect_error(run_cli("sql", "SELECT * FROM no_such_table", NULL), "no such table: no_such_table");
  expect_error(run_cli("sql", "SELECT 1; SELECT nope FROM processes", NULL), "no such column: nope");
  expect_error(run_cli("--root", "/nonexistent/proc", "ss", NULL), "/nonexistent/proc");
  expect_error(run_cli("ss", "--root=/etc", NULL), "'/etc' is not a proc tree");
  /* The tables are read-only. */
  expect_error(run_cli("sql", "DELETE FROM processes", NULL), "may not be modified");
}

static void help_and_version(void **state) {
  (void)state;
  run_res r = run_cli("--help", NULL);
  assert_int_equal(r.status, 0);
  assert_contains(r.out, "usage: procnet");
  assert_contains(r.out, "lsof [-aUtRlnPwbEL] [+E] [+L [N]] [-K [i]] [-p PID,...]");
  assert_contains(r.out, "ss [-tuwx0l4a6npeoimbsHO] [-f FAMILY] [-N NAME] [FILTER]");
  assert_contains(r.out, "netstat [-tuUwx46lanpeo]");
  assert_contains(r.out, "fuser [-vmusa46] [-n file|tcp|udp] NAME...");
  assert_contains(r.out, "--root DIR");
  assert_contains(r.out, "--format FORMAT");
  assert_contains(r.out, "all namespaces (the default)");
  run_free(&r);
  /* A command's help: its usage line and every option of its table. */
  r = run_cli("ss", "-h", NULL);
  assert_int_equal(r.status, 0);
  assert_contains(r.out, "usage: procnet ss ");
  assert_contains(r.out, "-t, --tcp");
  assert_contains(r.out, "-f, --family=FAMILY");
  assert_contains(r.out, "-N, --net=NAME");
  run_free(&r);
  r = run_cli("netstat", "--help", NULL);
  assert_int_equal(r.status, 0);
  assert_contains(r.out, "-o, --timers");
  run_free(&r);

  r = run_cli("--version", NULL);
  assert_int_equal(r.status, 0);
  char want[64];
  snprintf(want, sizeof want, "procnet %s (SQLite ", PROCNET_VERSION);
  assert_true(!strncmp(r.out, want, strlen(want)));
  assert_int_equal(count_lines(r.out), 1);
  run_free(&r);
}

/* ---- formats -------------------------------------------------------------- */

static void csv_quotes_as_rfc4180(void **state) {
  (void)state;
  run_res r = run_cli("sql", "--format", "csv",
                      "SELECT 'a,b' AS \"x,y\", 'say \"hi\"' AS q, 'l1' || char(10) || 'l2' AS nl,"
                      " NULL AS n, 42 AS i, 2.5 AS f, 'plain' AS p", NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, "\"x,y\",q,nl,n,i,f,p\n"
                             "\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",,42,2.5,plain\n");
  run_free(&r);
  /* No rows: the header alone. */
  r = run_cli("sql", "SELECT 1 AS a WHERE 0", "--format=csv", NULL);
  assert_string_equal(r.out, "a\n");
  run_free(&r);
}

static void json_is_an_array_of_objects(void **state) {
  (void)state;
  run_res r = run_cli("--format", "json", "sql",
                      "SELECT 1 AS i, 2.5 AS f, 'q\"b\\' AS s, NULL AS n,"
                      " char(9, 1, 233) AS c UNION ALL SELECT 2, 0.5, '', NULL, 'x'", NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out,
                      "[\n"
                      "{\"i\":1,\"f\":2.5,\"s\":\"q\\\"b\\\\\",\"n\":null,\"c\":\"\\t\\u0001\xc3\xa9\"},\n"
                      "{\"i\":2,\"f\":0.5,\"s\":\"\",\"n\":null,\"c\":\"x\"}\n"
                      "]\n");
  run_free(&r);
  r = run_cli("--format", "json", "sql", "SELECT 1 AS a WHERE 0", NULL);
  assert_string_equal(r.out, "[]\n");
  run_free(&r);
  /* Bytes that are not UTF-8 still give valid JSON. */
  r = run_cli("--format", "json", "sql", "SELECT CAST(x'61ff62' AS TEXT) AS b", NULL);
  assert_string_equal(r.out, "[\n{\"b\":\"a\\ufffdb\"}\n]\n");
  run_free(&r);
}

static void table_aligns_and_escapes(void **state) {
  (void)state;
  run_res r = run_cli("sql", "SELECT 'a' AS name, 5 AS n UNION ALL SELECT 'long' || char(10) || 'x', 1234",
                      NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, "name       n\n"
                             "a          5\n"
                             "long\\nx 1234\n");
  run_free(&r);
  /* An escaped cell is longer or shorter than its value: the cells after
   * it keep their place. */
  r = run_cli("sql", "SELECT 'a' || char(0) || 'b' AS name, 5 AS n UNION ALL"
              " SELECT char(9) || 'x', 1234 UNION ALL SELECT 'c', 6", NULL);
  assert_string_equal(r.out, "name      n\n"
                             "a\\x00b    5\n"
                             "\\tx    1234\n"
                             "c         6\n");
  run_free(&r);
  /* Values repeated down a column, and back after another. */
  r = run_cli("sql", "SELECT 'xx' AS a, 'yy' AS b UNION ALL SELECT 'xx', 'yy' UNION ALL"
              " SELECT 'xx', 'z' UNION ALL SELECT 'xx', 'yy' UNION ALL SELECT 'x', ''", NULL);
  assert_string_equal(r.out, "a  b\nxx yy\nxx yy\nxx z\nxx yy\nx\n");
  run_free(&r);
}

static void sql_from_stdin_and_every_view(void **state) {
  (void)state;
  run_res r = run_cli_in("SELECT 40 + 2 AS answer;\n"
                         "SELECT count(*) AS views FROM temp.sqlite_schema WHERE type = 'view'"
                         " AND name IN ('lsof', 'ss', 'netstat', 'listening');\n",
                         "--format", "csv", "sql", NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, "answer\n42\nviews\n4\n");
  run_free(&r);
  /* Every table is there too. */
  r = run_cli("sql", "--format", "csv",
              "SELECT (SELECT count(*) FROM processes WHERE pid = 1) +"
              " (SELECT count(*) >= 0 FROM net_tcp) + (SELECT count(*) >= 0 FROM net_unix)"
              " + (SELECT count(*) >= 0 FROM users) AS n", NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, "n\n4\n");
  run_free(&r);
}

/* ---- static executable ---------------------------------------------------- */

static void executable_is_static(void **state) {
  (void)state;
  /* No PT_INTERP program header: no dynamic loader, no shared library. */
  FILE *f = fopen(procnet_path, "rb");
  assert_non_null(f);
  unsigned char eh[64];
  assert_int_equal(fread(eh, 1, sizeof eh, f), sizeof eh);
  assert_memory_equal(eh, "\x7f" "ELF", 4);
  assert_int_equal(eh[4], 2); /* 64-bit */
  uint64_t phoff;
  uint16_t phentsize, phnum;
  memcpy(&phoff, eh + 32, 8);
  memcpy(&phentsize, eh + 54, 2);
  memcpy(&phnum, eh + 56, 2);
  for (int i = 0; i < phnum; i++) {
    uint32_t type;
    assert_int_equal(fseek(f, (long)(phoff + (uint64_t)i * phentsize), SEEK_SET), 0);
    assert_int_equal(fread(&type, 1, 4, f), 4);
    assert_int_not_equal(type, 3 /* PT_INTERP */);
    assert_int_not_equal(type, 2 /* PT_DYNAMIC */);
  }
  fclose(f);
  if (access("/usr/bin/ldd", X_OK) == 0) {
    char *argv[] = {"/usr/bin/ldd", procnet_path, NULL};
    run_res r = run_argv(NULL, argv);
    if (!strstr(r.out, "not a dynamic executable") && !strstr(r.err, "not a dynamic executable"))
      fail_msg("ldd says: %s%s", r.out, r.err);
    run_free(&r);
  }
}


/* ---- a listener in this process ------------------------------------------- */

static const char *csv_row_with(const char *out, const char *needle) {
  const char *p = strstr(out, needle);
  if (!p) return NULL;
  while (p > out && p[-1] != '\n') p--;
  return p;
}

static void user_names_and_live_views(void **state) {
  (void)state;
  int port, ls = listen_tcp4(&port);
  assert_true(ls >= 0);
  char pid[16], self[64], local[64];
  snprintf(pid, sizeof pid, "%d", (int)getpid());
  snprintf(local, sizeof local, "127.0.0.1:%d", port);

  /* ss: the listener with this process, in every namespace (the default). */
  run_res r = run_cli("ss", "-tlnp", NULL);
  assert_int_equal(r.status, 0);
  assert_true(!strncmp(r.out, "State ", 6));
  assert_contains(r.out, "Recv-Q Send-Q");
  assert_contains(r.out, "Local Address:Port");
  assert_contains(r.out, "Peer Address:Port");
  assert_contains(r.out, "Process");
  assert_contains(r.out, local);
  snprintf(self, sizeof self, "pid=%s,fd=%d", pid, ls);
  assert_contains(r.out, self);
  run_free(&r);

  /* (Columns by option, and the default states, are checked row for row
   * in output_equals_the_views: this machine may hold 100k sockets.) */

  /* lsof: user names from /etc/passwd (the static build has no NSS). */
  r = run_cli("lsof", "-p", pid, "--format", "csv", NULL);
  assert_int_equal(r.status, 0);
  assert_true(!strncmp(r.out, "command,pid,user,fd,type,device,size_off,node,name\n", 51));
  char fd[32];
  snprintf(fd, sizeof fd, ",%du,", ls);
  const char *row = csv_row_with(r.out, fd);
  if (!row) fail_msg("no row for fd %d in:\n%s", ls, r.out);
  if (getuid() == 0) {
    char want[64];
    snprintf(want, sizeof want, ",%s,root,%du,", pid, ls);
    assert_contains(row, want);
  }
  run_free(&r);

  /* lsof's table header, and -i -a -p keeps this process's sockets. */
  r = run_cli("lsof", "-i", "-a", "-p", pid, NULL);
  assert_int_equal(r.status, 0);
  assert_true(!strncmp(r.out, "COMMAND ", 8));
  {
    /* The header's words, in order, on the first line. */
    const char *words[] = {"COMMAND", "PID", "USER", "FD", "TYPE", "DEVICE",
                           "SIZE/OFF", "NODE", "NAME\n"};
    const char *p = r.out;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
      const char *w = strstr(p, words[i]);
      if (!w || memchr(p, '\n', (size_t)(w - p))) fail_msg("header: %s", r.out);
      p = w + strlen(words[i]);
    }
  }
  assert_contains(r.out, local);
  assert_int_equal(count_lines(r.out), 2);
  run_free(&r);

  /* netstat -tlnp: the header and the listener with PID/name. */
  r = run_cli("netstat", "-tlnp", NULL);
  assert_int_equal(r.status, 0);
  assert_true(!strncmp(r.out, "Active Internet connections (only servers)\n"
                              "Proto Recv-Q Send-Q Local Address", 76));
  assert_contains(r.out, "Foreign Address");
  assert_contains(r.out, "State");
  assert_contains(r.out, "PID/Program name\n");
  assert_contains(r.out, local);
  run_free(&r);

  /* --netns N keeps that namespace; one that does not exist gives the
   * header alone. (--netns self: in output_equals_the_views.) */
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(procnet_register(db, NULL), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT procnet_netns()", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  char ns[32];
  snprintf(ns, sizeof ns, "%lld", (long long)sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  r = run_cli("ss", "-tlnp", "--netns", ns, "--format", "csv", NULL);
  assert_int_equal(r.status, 0);
  assert_contains(r.out, local);
  run_free(&r);
  r = run_cli("ss", "-tlnp", "--netns", "1", "--format", "csv", NULL);
  assert_string_equal(r.out, "state,recv_q,send_q,local,peer,process\n");
  run_free(&r);
  /* lsof prints no header without rows, and exits 1: the pid was not
   * found (in that namespace). */
  r = run_cli("lsof", "-p", pid, "--netns", "net:[1]", NULL);
  assert_int_equal(r.status, 1);
  assert_string_equal(r.out, "");
  run_free(&r);

  /* JSON: an array of objects keyed by the view's column names. */
  r = run_cli("lsof", "-p", pid, "--format", "json", NULL);
  assert_int_equal(r.status, 0);
  assert_contains(r.out, "\"command\":\"test_cli\"");
  if (access("/usr/bin/python3", X_OK) == 0) {
    char *argv[] = {"/usr/bin/python3", "-c",
                    "import json,sys; d=json.load(sys.stdin);"
                    " assert isinstance(d, list) and all(isinstance(o, dict) for o in d);"
                    " assert list(d[0]) == ['command','pid','user','fd','type','device',"
                    "'size_off','node','name']",
                    NULL};
    run_res j = run_argv(r.out, argv);
    if (j.status != 0) fail_msg("not the JSON expected: %s\n%s", j.err, r.out);
    run_free(&j);
  }
  run_free(&r);

  /* --root: an explicit /proc reads the same. */
  r = run_cli("--root", "/proc", "lsof", "-i", "-a", "-p", pid, NULL);
  assert_int_equal(r.status, 0);
  assert_contains(r.out, local);
  run_free(&r);
  close(ls);
}


/* ---- fuser and a blank in a socket's path ------------------------------- */

/* psmisc's fuser reads /proc/net/unix with sscanf("%s") and cannot find
 * the holder of a socket bound at a path with a blank (an exception of
 * test_compare); procnet finds it. */
static void fuser_finds_a_socket_path_with_a_blank(void **state) {
  (void)state;
  char dir[] = "/tmp/pn-fuser-XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/a b.sock", dir);
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path, path, strlen(path) + 1);
  assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  run_res r = run_cli("fuser", path, NULL);
  char want[32];
  snprintf(want, sizeof want, " %5d", (int)getpid());
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, want);
  char name[80];
  snprintf(name, sizeof name, "%s:", path);
  assert_true(!strncmp(r.err, name, strlen(name)));
  run_free(&r);
  /* -v: the access is F (a socket is open for reading and writing). */
  r = run_cli("fuser", "-v", path, NULL);
  assert_contains(r.err, "F.... test_cli\n");
  run_free(&r);
  close(s);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  if (cli_run_init("test_cli") != 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_usage_exits_as_the_tools),
      cmocka_unit_test(bad_filter_values_exit_1),
      cmocka_unit_test(runtime_errors_exit_1),
      cmocka_unit_test(help_and_version),
      cmocka_unit_test(csv_quotes_as_rfc4180),
      cmocka_unit_test(json_is_an_array_of_objects),
      cmocka_unit_test(table_aligns_and_escapes),
      cmocka_unit_test(sql_from_stdin_and_every_view),
      cmocka_unit_test(executable_is_static),
      cmocka_unit_test(user_names_and_live_views),
      cmocka_unit_test(fuser_finds_a_socket_path_with_a_blank),
  };
  return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
