/*
 * test_cli_worlds.c: build/procnet where nothing else is.
 *
 *   - it runs in an empty root: a new mount namespace whose root holds only
 *     the executable and a mounted /proc;
 *   - its output matches the views: in a world of its own (new pid, mount
 *     and network namespaces, with its own /proc) a process holds TCP, UDP
 *     and unix sockets, and `procnet ss -tanp`, `netstat -tanp`, `lsof -p`
 *     ... in CSV must equal SELECT ... FROM ss / netstat / lsof run through
 *     the library, row for row.
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
  /* --netns self: this world's own namespace (the namespaces mounted
   * under /run/netns of the mount namespace it copied are listed too). */
  free(same_rows(db, "SELECT state, recv_q, send_q, local, peer, process FROM ss"
                     " WHERE netid = 'tcp' AND netns = procnet_netns()",
                 ss_h, "ss", "-tanp", "--netns", "self", NULL));

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
  snprintf(q, sizeof q, "SELECT command, pid, user, fd, type, device, size_off, node, name FROM lsof WHERE pid = %d", (int)h);
  out = same_rows(db, q, lsof_h, "lsof", "-p", hp, NULL);
  snprintf(listener, sizeof listener, ":%d (LISTEN)", port);
  if (!strstr(out, listener)) report("lsof -p: no %s in:\n%s", listener, out);
  free(out);
  snprintf(q, sizeof q, "SELECT command, pid, user, fd, type, device, size_off, node, name FROM lsof WHERE pid = %d AND type IN ('IPv4', 'IPv6')", (int)h);
  free(same_rows(db, q, lsof_h, "lsof", "-i", "-a", "-p", hp, NULL));
  snprintf(q, sizeof q, "SELECT command, pid, user, fd, type, device, size_off, node, name FROM lsof WHERE type = 'unix' AND pid = %d", (int)h);
  free(same_rows(db, q, lsof_h, "lsof", "-U", "-a", "-p", hp, NULL));
  char spec[32];
  snprintf(spec, sizeof spec, "-iTCP:%d", port);
  snprintf(q, sizeof q, "SELECT command, pid, user, fd, type, device, size_off, node, name FROM lsof WHERE node = 'TCP' AND (name LIKE '%%:%d'"
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

int main(void) {
  if (cli_run_init("test_cli_worlds") != 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(runs_in_an_empty_root),
      cmocka_unit_test(output_equals_the_views),
  };
  return cmocka_run_group_tests_name("cli_worlds", tests, NULL, NULL);
}
