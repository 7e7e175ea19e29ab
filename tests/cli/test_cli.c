/*
 * test_cli.c: the `procnet` command (issue 7) and the ways to embed procnet.
 *
 *   - usage, errors and exit status (0, 1, 2), --help, --version;
 *   - the output formats: table, CSV (RFC 4180 quoting), JSON;
 *   - build/procnet is static and runs in an empty root: a new mount
 *     namespace whose root holds only the executable and a mounted /proc;
 *   - its output matches the views: in a world of its own (new pid, mount
 *     and network namespaces, with its own /proc) a process holds TCP, UDP
 *     and unix sockets, and `procnet ss -tanp`, `netstat -tanp`, `lsof -p`
 *     ... in CSV must equal SELECT ... FROM ss / netstat / lsof run through
 *     the library, row for row;
 *   - Debian's python3 loads build/procnet.so; examples/embed.c runs;
 *   - bash completion: `procnet --complete` and the installed script;
 *   - fuser finds the holder of a socket whose path has a blank;
 *   - `make install` into a temporary DESTDIR, with and without PREFIX.
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

#include "procnet.h"

#ifndef CLI_B
#define CLI_B "build"
#endif

static char procnet_path[PATH_MAX]; /* absolute path of CLI_B/procnet */

/* ---- running the command -------------------------------------------------- */

typedef struct run_res {
  char *out, *err;
  int status; /* exit code, or 128 + signal */
} run_res;

static void run_free(run_res *r) {
  free(r->out);
  free(r->err);
}

static char *slurp_fd(int fd) {
  size_t n = 0, cap = 4096;
  char *s = malloc(cap);
  if (!s) abort();
  lseek(fd, 0, SEEK_SET);
  for (;;) {
    if (n + 1 >= cap && !(s = realloc(s, cap *= 2))) abort();
    ssize_t k = read(fd, s + n, cap - n - 1);
    if (k <= 0) break;
    n += (size_t)k;
  }
  s[n] = '\0';
  return s;
}

static int tmp_fd(void) {
  char name[] = "/tmp/pn-cli-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) abort();
  unlink(name);
  return fd;
}

/* Runs argv (argv[0] a path) with `input` on stdin (NULL: /dev/null).
 * Usable in forked children: no cmocka calls. */
static run_res run_argv(const char *input, char *const argv[]) {
  int in = tmp_fd(), out = tmp_fd(), err = tmp_fd();
  if (input && write(in, input, strlen(input)) != (ssize_t)strlen(input)) abort();
  lseek(in, 0, SEEK_SET);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    if (!input) {
      close(in);
      in = open("/dev/null", O_RDONLY);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(argv[0], argv);
    dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  run_res r = {slurp_fd(out), slurp_fd(err),
               WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)};
  close(in);
  close(out);
  close(err);
  return r;
}

/* Runs build/procnet with the NULL-terminated arguments. */
static run_res run_cli_v(const char *input, const char *first, va_list ap) {
  char *argv[64];
  int n = 0;
  argv[n++] = procnet_path;
  for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
    argv[n++] = (char *)a;
  argv[n] = NULL;
  return run_argv(input, argv);
}

static run_res run_cli(const char *first, ...) {
  va_list ap;
  va_start(ap, first);
  run_res r = run_cli_v(NULL, first, ap);
  va_end(ap);
  return r;
}

static run_res run_cli_in(const char *input, const char *first, ...) {
  va_list ap;
  va_start(ap, first);
  run_res r = run_cli_v(input, first, ap);
  va_end(ap);
  return r;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

#define assert_contains(hay, needle)                                          \
  do {                                                                        \
    if (!strstr((hay), (needle)))                                             \
      fail_msg("expected \"%s\" in:\n%s", (needle), (hay));                   \
  } while (0)

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

/* procnet's own, lsof's and sql's usage errors exit 2. */
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
  /* lsof and sql: 2 */
  expect_usage(run_cli("lsof", "-p", NULL), "-p needs a process id");
  expect_usage(run_cli("lsof", "-p", "12x", NULL), "bad process id '12x'");
  expect_usage(run_cli("lsof", "-c", NULL), "-c needs a command name");
  expect_usage(run_cli("lsof", "-i:http", NULL), "numeric ports only");
  expect_usage(run_cli("lsof", "-iTCP:70000", NULL), "bad port '70000'");
  expect_usage(run_cli("lsof", "-K", NULL), "unknown option '-K'");
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
  assert_contains(r.out, "lsof [-p PID[,PID...]]");
  assert_contains(r.out, "ss [-tuwx0l4a6npeoimsHO] [-f FAMILY] [-N NAME] [FILTER]");
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

static int listen_tcp4(int *port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0)
    return -1;
  *port = ntohs(a.sin_port);
  return s;
}

static int connect_tcp4(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  return s;
}

/* The CSV row (of `out`) whose field `col` equals `val`, or NULL. */
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
  r = run_cli("lsof", "-p", pid, "--netns", "net:[1]", NULL);
  assert_string_equal(r.out, "COMMAND PID USER FD  TYPE DEVICE SIZE/OFF NODE NAME\n");
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

/* ---- the empty root ------------------------------------------------------- */

static int copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  char buf[65536];
  ssize_t n;
  if (in < 0 || out < 0) return -1;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) return -1;
  close(in);
  return close(out);
}

/* In a forked child: a new mount namespace, a tmpfs holding only /procnet
 * and a mounted /proc, chroot, then exec /procnet ARGS. Output in r. */
static run_res run_in_empty_root(char *const args[]) {
  char dir[] = "/tmp/pn-root-XXXXXX";
  if (!mkdtemp(dir)) abort();
  int out = tmp_fd(), err = tmp_fd();
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    char path[PATH_MAX];
    dup2(out, 1);
    dup2(err, 2);
#define STEP(x)                                                              \
  if ((x) != 0) {                                                            \
    dprintf(2, "empty root: %s: %s\n", #x, strerror(errno));                 \
    _exit(125);                                                              \
  }
    STEP(unshare(CLONE_NEWNS));
    STEP(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    STEP(mount("tmpfs", dir, "tmpfs", 0, "mode=0755,size=64m"));
    snprintf(path, sizeof path, "%s/procnet", dir);
    STEP(copy_file(procnet_path, path));
    snprintf(path, sizeof path, "%s/proc", dir);
    STEP(mkdir(path, 0555));
    STEP(mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
    STEP(chroot(dir));
    STEP(chdir("/"));
#undef STEP
    execv("/procnet", args);
    dprintf(2, "empty root: exec /procnet: %s\n", strerror(errno));
    _exit(126);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  rmdir(dir);
  run_res r = {slurp_fd(out), slurp_fd(err),
               WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)};
  close(out);
  close(err);
  return r;
}

static void runs_in_an_empty_root(void **state) {
  (void)state;
  if (geteuid() != 0) skip(); /* needs CAP_SYS_ADMIN for the mounts */
  int port, ls = listen_tcp4(&port);
  assert_true(ls >= 0);
  char local[64], holder[64], pid[16];
  snprintf(local, sizeof local, "127.0.0.1:%d", port);
  snprintf(holder, sizeof holder, "pid=%d,fd=%d", (int)getpid(), ls);
  snprintf(pid, sizeof pid, "%d", (int)getpid());

  char *ss[] = {"/procnet", "ss", "-tanp", NULL};
  run_res r = run_in_empty_root(ss);
  if (r.status != 0) fail_msg("status %d: %s", r.status, r.err);
  assert_string_equal(r.err, "");
  const char *line = strstr(r.out, local);
  if (!line) fail_msg("no %s in:\n%s", local, r.out);
  while (line > r.out && line[-1] != '\n') line--;
  assert_true(!strncmp(line, "LISTEN ", 7));
  const char *eol = strchr(line, '\n');
  char *row = strndup(line, (size_t)(eol - line));
  assert_contains(row, holder);
  free(row);
  run_free(&r);

  /* No /etc/passwd in there: the user is the number. */
  char *lsof[] = {"/procnet", "lsof", "-p", pid, "--format", "csv", NULL};
  r = run_in_empty_root(lsof);
  if (r.status != 0) fail_msg("status %d: %s", r.status, r.err);
  char want[64];
  snprintf(want, sizeof want, ",%s,%d,%du,", pid, (int)getuid(), ls);
  assert_contains(r.out, want);
  run_free(&r);
  close(ls);
}

/* ---- a world of its own: the output equals the views ---------------------- */

/* Failures of the forked checks, reported to the test through a pipe. */
static int report_fd = -1;
static int failures;

static void report(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vdprintf(report_fd, fmt, ap);
  va_end(ap);
  failures++;
}

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines of s in place (no field of these rows holds a newline). */
static char *sorted(const char *s) {
  size_t n = 0, len = strlen(s);
  char *copy = strdup(s), **lines = calloc(len + 1, sizeof *lines), *save = NULL;
  for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
    lines[n++] = t;
  qsort(lines, n, sizeof *lines, cmp_lines);
  char *out = malloc(len + 2), *p = out;
  *p = '\0';
  for (size_t i = 0; i < n; i++) p += sprintf(p, "%s\n", lines[i]);
  free(lines);
  free(copy);
  return out;
}

/* One field as RFC 4180 wants it. */
static void csv_append(sqlite3_str *s, const char *v) {
  if (!strpbrk(v, ",\"\r\n")) {
    sqlite3_str_appendall(s, v);
    return;
  }
  sqlite3_str_appendchar(s, 1, '"');
  for (; *v; v++) {
    if (*v == '"') sqlite3_str_appendchar(s, 1, '"');
    sqlite3_str_appendchar(s, 1, *v);
  }
  sqlite3_str_appendchar(s, 1, '"');
}

/* The rows of sql through the library, as CSV without the header. */
static char *library_csv(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  sqlite3_str *s = sqlite3_str_new(NULL);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    report("prepare %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_free(sqlite3_str_finish(s));
    return strdup("");
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      if (i) sqlite3_str_appendchar(s, 1, ',');
      const char *v = (const char *)sqlite3_column_text(st, i);
      if (v) csv_append(s, v);
    }
    sqlite3_str_appendchar(s, 1, '\n');
  }
  sqlite3_finalize(st);
  char *t = sqlite3_str_finish(s), *r = strdup(t ? t : "");
  sqlite3_free(t);
  return r;
}

/* `procnet ARGS --format csv` must print the rows of `sql` (any order). The
 * CSV header must be `header`. Returns the command's output. */
static char *same_rows(sqlite3 *db, const char *sql, const char *header, ...) {
  char *argv[32];
  int n = 0;
  va_list ap;
  va_start(ap, header);
  argv[n++] = procnet_path;
  for (char *a; (a = va_arg(ap, char *));) argv[n++] = a;
  va_end(ap);
  argv[n++] = "--format";
  argv[n++] = "csv";
  argv[n] = NULL;
  run_res r = run_argv(NULL, argv);
  char *cmd = sqlite3_mprintf("procnet %s %s", argv[1], argv[2] ? argv[2] : "");
  if (r.status != 0) report("%s: status %d: %s\n", cmd, r.status, r.err);
  size_t hl = strlen(header);
  if (strncmp(r.out, header, hl) != 0 || r.out[hl] != '\n')
    report("%s: header is not %s:\n%s\n", cmd, header, r.out);
  char *lib = library_csv(db, sql);
  char *got = sorted(r.out[hl] ? r.out + hl + 1 : ""), *want = sorted(lib);
  if (strcmp(got, want) != 0)
    report("%s: rows differ from %s\n--- procnet:\n%s--- library:\n%s", cmd, sql, got, want);
  if (!*want) report("%s: no rows at all for %s\n", cmd, sql);
  sqlite3_free(cmd);
  free(lib);
  free(got);
  free(want);
  free(r.err);
  return r.out;
}

static int lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  int rc = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ? -1 : 0;
  ifr.ifr_flags |= IFF_UP;
  if (rc == 0) rc = ioctl(s, SIOCSIFFLAGS, &ifr);
  close(s);
  return rc;
}

/* The holder: TCP (a listener, both ends of a connection, an IPv6
 * listener), UDP (unconnected and connected) and unix sockets (a listener
 * whose abstract name needs CSV quoting, a connected pair). Writes the TCP
 * port to `ready`, then waits to be killed. */
static void hold_sockets(int ready) {
  int port, ls = listen_tcp4(&port);
  int c = connect_tcp4(port), a = accept(ls, NULL, NULL);
  int l6 = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  if (l6 >= 0 && (bind(l6, (struct sockaddr *)&a6, sizeof a6) != 0 || listen(l6, 4) != 0)) {
    close(l6); /* no IPv6 here: fine */
  }
  int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t ul = sizeof ua;
  bind(u1, (struct sockaddr *)&ua, sizeof ua);
  getsockname(u1, (struct sockaddr *)&ua, &ul);
  connect(u2, (struct sockaddr *)&ua, sizeof ua);
  int ux = socket(AF_UNIX, SOCK_STREAM, 0), pair[2];
  struct sockaddr_un un = {.sun_family = AF_UNIX};
  static const char name[] = "\0pn cli, \"quoted\"";
  memcpy(un.sun_path, name, sizeof name - 1);
  bind(ux, (struct sockaddr *)&un, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof name - 1));
  listen(ux, 4);
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  if (ls < 0 || c < 0 || a < 0) _exit(3);
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  if (write(ready, &port, sizeof port) != sizeof port) _exit(4);
  close(ready);
  for (;;) pause();
}

/* Pid 1 of the new pid namespace, with its own /proc and network. */
static int world_main(void) {
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
    report("mount /proc: %s\n", strerror(errno));
    return 1;
  }
  if (lo_up() != 0) {
    report("lo up: %s\n", strerror(errno));
    return 1;
  }
  int ready[2];
  if (pipe(ready) != 0) return 1;
  pid_t h = fork();
  if (h == 0) {
    close(ready[0]);
    close(report_fd);
    hold_sockets(ready[1]);
  }
  close(ready[1]);
  int port = 0;
  if (read(ready[0], &port, sizeof port) != sizeof port) {
    report("the socket holder failed\n");
    return 1;
  }
  close(ready[0]);

  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK || procnet_register(db, &err) != SQLITE_OK ||
      sqlite3_exec(db, "SELECT procnet_create_views()", NULL, NULL, &err) != SQLITE_OK) {
    report("library: %s\n", err ? err : sqlite3_errmsg(db));
    return 1;
  }
  char q[512], hp[16];
  snprintf(hp, sizeof hp, "%d", (int)h);

  const char *ss_h = "state,recv_q,send_q,local,peer,process";
  char *out = same_rows(db, "SELECT state, recv_q, send_q, local, peer, process FROM ss"
                            " WHERE netid = 'tcp'", ss_h, "ss", "-tanp", NULL);
  char listener[64];
  snprintf(listener, sizeof listener, "127.0.0.1:%d,", port);
  if (!strstr(out, listener)) report("ss -tanp: no listener %s in:\n%s", listener, out);
  snprintf(listener, sizeof listener, "pid=%d,fd=", (int)h);
  if (!strstr(out, listener)) report("ss -tanp: no holder %s in:\n%s", listener, out);
  free(out);
  free(same_rows(db, "SELECT state, recv_q, send_q, local, peer, process FROM ss"
                     " WHERE netid = 'tcp' AND state = 'LISTEN'", ss_h, "ss", "-tlnp", NULL));
  free(same_rows(db, "SELECT state, recv_q, send_q, local, peer, process FROM ss"
                     " WHERE netid = 'tcp' AND state <> 'LISTEN'", ss_h, "ss", "-tnp", NULL));
  free(same_rows(db, "SELECT state, recv_q, send_q, local, peer FROM ss WHERE netid = 'udp'",
                 "state,recv_q,send_q,local,peer", "ss", "-uan", NULL));
  free(same_rows(db, "SELECT netid, state, recv_q, send_q, local, peer, process FROM ss"
                     " WHERE netid LIKE 'u\\_%' ESCAPE '\\'",
                 "netid,state,recv_q,send_q,local,peer,process", "ss", "-xap", NULL));
  free(same_rows(db, "SELECT netid, state, recv_q, send_q, local, peer, process FROM ss"
                     " WHERE netid IN ('tcp', 'udp')",
                 "netid,state,recv_q,send_q,local,peer,process", "ss", "-tuanp", NULL));
  /* One namespace here: --netns self is the same. */
  free(same_rows(db, "SELECT state, recv_q, send_q, local, peer, process FROM ss"
                     " WHERE netid = 'tcp'", ss_h, "ss", "-tanp", "--netns", "self", NULL));

  const char *ns_h = "proto,recv_q,send_q,local_address,foreign_address,state,pid_program";
  out = same_rows(db, "SELECT proto, recv_q, send_q, local_address, foreign_address, state,"
                      " pid_program FROM netstat WHERE proto IN ('tcp', 'tcp6')",
                  ns_h, "netstat", "-tanp", NULL);
  snprintf(listener, sizeof listener, ",%d/", (int)h);
  if (!strstr(out, listener)) report("netstat -tanp: no %s in:\n%s", listener, out);
  free(out);
  free(same_rows(db, "SELECT proto, recv_q, send_q, local_address, foreign_address, state,"
                     " pid_program FROM netstat WHERE state = 'LISTEN'",
                 ns_h, "netstat", "-tlnp", NULL));
  free(same_rows(db, "SELECT proto, recv_q, send_q, local_address, foreign_address, state"
                     " FROM netstat WHERE proto IN ('tcp', 'tcp6') AND state <> 'LISTEN'",
                 "proto,recv_q,send_q,local_address,foreign_address,state", "netstat", "-tn",
                 NULL));

  const char *lsof_h = "command,pid,user,fd,type,device,size_off,node,name";
  snprintf(q, sizeof q, "SELECT * FROM lsof WHERE pid = %d", (int)h);
  out = same_rows(db, q, lsof_h, "lsof", "-p", hp, NULL);
  snprintf(listener, sizeof listener, ":%d (LISTEN)", port);
  if (!strstr(out, listener)) report("lsof -p: no %s in:\n%s", listener, out);
  free(out);
  snprintf(q, sizeof q, "SELECT * FROM lsof WHERE pid = %d AND type IN ('IPv4', 'IPv6')", (int)h);
  free(same_rows(db, q, lsof_h, "lsof", "-i", "-a", "-p", hp, NULL));
  snprintf(q, sizeof q, "SELECT * FROM lsof WHERE type = 'unix' AND pid = %d", (int)h);
  free(same_rows(db, q, lsof_h, "lsof", "-U", "-a", "-p", hp, NULL));
  char spec[32];
  snprintf(spec, sizeof spec, "-iTCP:%d", port);
  snprintf(q, sizeof q, "SELECT * FROM lsof WHERE node = 'TCP' AND (name LIKE '%%:%d'"
                        " OR name LIKE '%%:%d->%%' OR name LIKE '%%:%d (%%')", port, port, port);
  free(same_rows(db, q, lsof_h, "lsof", spec, NULL));

  sqlite3_close(db);
  kill(h, SIGKILL);
  waitpid(h, NULL, 0);
  return failures ? 1 : 0;
}

static void output_equals_the_views(void **state) {
  (void)state;
  if (geteuid() != 0) skip(); /* needs new namespaces */
  int rep[2];
  assert_int_equal(pipe(rep), 0);
  fflush(NULL);
  pid_t c = fork();
  assert_true(c >= 0);
  if (c == 0) {
    close(rep[0]);
    report_fd = rep[1];
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
      report("unshare: %s\n", strerror(errno));
      _exit(1);
    }
    pid_t g = fork();
    if (g == 0) _exit(world_main());
    int st;
    waitpid(g, &st, 0);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
  }
  close(rep[1]);
  char *msg = slurp_fd(rep[0]);
  close(rep[0]);
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || *msg) fail_msg("%s", msg);
  free(msg);
}

/* ---- bash completion ------------------------------------------------------ */

/* The candidates `procnet --complete -- WORDS...` offers, one a line. */
static char *candidates(const char *first, ...) {
  char *argv[16];
  int n = 0;
  argv[n++] = procnet_path;
  argv[n++] = "--complete";
  argv[n++] = "--";
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a && n < 15; a = va_arg(ap, const char *)) argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  run_res r = run_argv(NULL, argv);
  if (r.status != 0) fail_msg("--complete: status %d: %s", r.status, r.err);
  free(r.err);
  return r.out;
}

static void completes_from_the_table(void **state) {
  (void)state;
  char *c = candidates("", NULL);
  assert_string_equal(c, "lsof\nss\nnetstat\nfuser\nsql\n");
  free(c);
  c = candidates("ss", "--t", NULL);
  assert_string_equal(c, "--tcp\n");
  free(c);
  c = candidates("ss", "-", NULL);
  assert_true(!strncmp(c, "-t\n--tcp\n", 9));
  assert_contains(c, "\n-N\n--net\n");
  assert_contains(c, "\n--format\n");
  free(c);
  /* an option's argument */
  c = candidates("ss", "-f", "", NULL);
  assert_string_equal(c, "inet\ninet6\nunix\nlink\nnetlink\n");
  free(c);
  c = candidates("ss", "-tf", "in", NULL);
  assert_string_equal(c, "inet\ninet6\n");
  free(c);
  c = candidates("--format", "", NULL);
  assert_string_equal(c, "table\ncsv\njson\n");
  free(c);
  c = candidates("netstat", "--format", "=", "j", NULL); /* bash splits --format=j */
  assert_string_equal(c, "json\n");
  free(c);
  c = candidates("--root", "", NULL);
  assert_string_equal(c, "@dir\n");
  free(c);
  /* operands: file names for fuser and lsof, ss's filter words */
  c = candidates("fuser", "-v", "", NULL);
  assert_string_equal(c, "@file\n");
  free(c);
  c = candidates("ss", "-t", "s", NULL);
  assert_string_equal(c, "state\nsrc\nsport\n");
  free(c);
  c = candidates("ss", "state", "list", NULL);
  assert_string_equal(c, "listening\n");
  free(c);
  c = candidates("nosuchcommand", "", NULL);
  assert_string_equal(c, "");
  free(c);
}

/* The installed script, in bash, completes through the command. */
static void bash_completion_script(void **state) {
  (void)state;
  if (access("/bin/bash", X_OK) != 0) skip();
  char script[2 * PATH_MAX + 512];
  snprintf(script, sizeof script,
           "source ext/cli/procnet.bash-completion || exit 3\n"
           "complete -p procnet >/dev/null || exit 4\n"
           "COMP_WORDS=(%s netstat --ti); COMP_CWORD=2; _procnet\n"
           "printf '%%s\\n' \"${COMPREPLY[@]}\"\n"
           "COMP_WORDS=(%s fuser tests/cli/compare.tab); COMP_CWORD=2; _procnet\n"
           "printf '%%s\\n' \"${COMPREPLY[@]}\"\n",
           procnet_path, procnet_path);
  char *argv[] = {"/bin/bash", "-c", script, NULL};
  run_res r = run_argv(NULL, argv);
  if (r.status != 0) fail_msg("bash: status %d: %s", r.status, r.err);
  assert_string_equal(r.out, "--timers\ntests/cli/compare.table\n");
  run_free(&r);
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

/* ---- embedding ------------------------------------------------------------ */

static void python_loads_the_extension(void **state) {
  (void)state;
  if (access("/usr/bin/python3", X_OK) != 0) skip();
  char *argv[] = {"/usr/bin/python3", "tests/cli/load_ext.py", CLI_B "/procnet.so", NULL};
  run_res r = run_argv(NULL, argv);
  if (r.status != 0 || strcmp(r.out, "ok\n") != 0)
    fail_msg("status %d\n%s%s", r.status, r.out, r.err);
  run_free(&r);
}

static void c_example_embeds(void **state) {
  (void)state;
  int port, ls = listen_tcp4(&port);
  assert_true(ls >= 0);
  char *argv[] = {CLI_B "/examples/embed", NULL, NULL};
  run_res r = run_argv(NULL, argv);
  assert_int_equal(r.status, 0);
  char want[64];
  snprintf(want, sizeof want, "%d|test_cli|127.0.0.1:%d|", (int)getpid(), port);
  assert_contains(r.out, want);
  run_free(&r);
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT name FROM processes WHERE pid = %d", (int)getpid());
  argv[1] = sql;
  r = run_argv(NULL, argv);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, "test_cli\n");
  run_free(&r);
  argv[1] = "SELECT nope";
  r = run_argv(NULL, argv);
  assert_int_equal(r.status, 1);
  assert_contains(r.err, "no such column: nope");
  run_free(&r);
  close(ls);
}

/* ---- make install --------------------------------------------------------- */

static void expect_file(const char *root, const char *rel, mode_t mode) {
  char path[2 * PATH_MAX];
  struct stat st;
  snprintf(path, sizeof path, "%s%s", root, rel);
  if (stat(path, &st) != 0) fail_msg("not installed: %s", path);
  if ((st.st_mode & 0777) != mode) fail_msg("%s: mode %o, not %o", path, st.st_mode & 0777, mode);
}

static void make_install(const char *destdir, const char *prefix) {
  char dd[PATH_MAX + 16], b[PATH_MAX + 8], pf[PATH_MAX + 16];
  snprintf(dd, sizeof dd, "DESTDIR=%s", destdir);
  snprintf(b, sizeof b, "B=%s", CLI_B);
  snprintf(pf, sizeof pf, "PREFIX=%s", prefix ? prefix : "");
  /* A make of its own: not the jobserver of the make running the tests. */
  char *argv[] = {"/usr/bin/env", "-u", "MAKEFLAGS", "-u", "MFLAGS", "-u", "MAKELEVEL",
                  "make", "-s", "--no-print-directory", b, dd,
                  prefix ? pf : "install", prefix ? "install" : NULL, NULL};
  run_res r = run_argv(NULL, argv);
  if (r.status != 0) fail_msg("make install: %d\n%s%s", r.status, r.out, r.err);
  run_free(&r);
}

static char destdir[] = "/tmp/pn-destdir-XXXXXX";

/* Removes the DESTDIR whether the test passed or not. */
static int remove_destdir(void **state) {
  (void)state;
  char *argv[] = {"/bin/rm", "-rf", destdir, NULL};
  run_res r = run_argv(NULL, argv);
  run_free(&r);
  return 0;
}

static void installs_into_destdir(void **state) {
  (void)state;
  assert_non_null(mkdtemp(destdir));
  char root[2 * PATH_MAX];
  const char *prefixes[] = {NULL, "/opt/pn"};
  for (int i = 0; i < 2; i++) {
    make_install(destdir, prefixes[i]);
    snprintf(root, sizeof root, "%s%s", destdir, prefixes[i] ? prefixes[i] : "/usr/local");
    expect_file(root, "/bin/procnet", 0755);
    expect_file(root, "/lib/procnet.so", 0755);
    expect_file(root, "/lib/libprocnet.a", 0644);
    expect_file(root, "/include/procnet.h", 0644);
    expect_file(root, "/share/procnet/views.sql", 0644);
    expect_file(root, "/share/man/man1/procnet.1", 0644);
    expect_file(root, "/share/bash-completion/completions/procnet", 0644);
    /* The installed command runs. */
    char exe[2 * PATH_MAX + 16];
    snprintf(exe, sizeof exe, "%s/bin/procnet", root);
    char *argv[] = {exe, "--version", NULL};
    run_res r = run_argv(NULL, argv);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, PROCNET_VERSION);
    run_free(&r);
  }
}

int main(void) {
  if (!realpath(CLI_B "/procnet", procnet_path)) {
    fprintf(stderr, "test_cli: %s/procnet not found (run from the repository root)\n", CLI_B);
    return 1;
  }
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
      cmocka_unit_test(runs_in_an_empty_root),
      cmocka_unit_test(output_equals_the_views),
      cmocka_unit_test(completes_from_the_table),
      cmocka_unit_test(bash_completion_script),
      cmocka_unit_test(fuser_finds_a_socket_path_with_a_blank),
      cmocka_unit_test(python_loads_the_extension),
      cmocka_unit_test(c_example_embeds),
      cmocka_unit_test_teardown(installs_into_destdir, remove_destdir),
  };
  return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
