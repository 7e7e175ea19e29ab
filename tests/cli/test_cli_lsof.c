/*
 * test_cli_lsof.c: `procnet lsof` as a user checks it.
 *
 *   - selections over the fixture tree (tests/fixtures/proc, a /proc of
 *     known processes and sockets): -i in its forms, several -i, -i4/-i6
 *     before or after an address, -s TCP states, -p/-u/-c/-g with their
 *     ^ exclusions, -a; the pids -t prints and the exit status (1 when
 *     something asked for was not found, as lsof);
 *   - the one-port question prints what the whole listing would: -i :PORT
 *     alone and ORed with a command that matches nothing (no fast path);
 *   - output: no header without rows, -R/-g columns, -F fields with NL or
 *     NUL ends, -F's G (open flags) and k (link count), CSV/JSON with the view's columns only, COMMAND cut to 9
 *     (+c 0: whole);
 *   - names, live: a file this test holds open (by device and inode,
 *     whatever the path), +d and +D over a directory of its own, a file
 *     open nowhere (exit 1), a missing name (exit 1, a message), a unix
 *     socket bound at a path with a blank (which lsof cannot find).
 * The same options against the real lsof 4.95 are in compare.table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_run.h"

#define FIXTURE "tests/fixtures/proc"

/* procnet --root FIXTURE lsof ARGS... */
static run_res fixture(const char *args) {
  char *argv[32], *copy = strdup(args), *save = NULL;
  int n = 0;
  argv[n++] = procnet_path;
  argv[n++] = "--root";
  argv[n++] = FIXTURE;
  argv[n++] = "lsof";
  for (char *w = strtok_r(copy, " ", &save); w && n < 31; w = strtok_r(NULL, " ", &save))
    argv[n++] = w;
  argv[n] = NULL;
  run_res r = run_argv(NULL, argv);
  free(copy);
  return r;
}

/* `lsof -t ARGS`: the pids and the exit status (1: something asked for was
 * not found). */
static const struct {
  const char *args, *pids;
  int status;
} SELECTIONS[] = {
    /* -i forms */
    {"-i :8080", "100\n300\n400\n", 0},
    {"-i tcp:8080-8081", "100\n300\n400\n", 0},
    {"-i 6", "100\n200\n201\n", 0},
    {"-iUDP", "1\n300\n", 0},
    {"-i @[::1]", "100\n", 0},
    {"-iTCP@127.0.0.1:8080", "100\n300\n400\n", 0},
    /* nothing on the port: no output, exit 1 (lsof -i :PORT || echo free) */
    {"-i :9999", "", 1},
    /* several -i are ORed; one not found still fails */
    {"-i :8080 -i :9999", "100\n300\n400\n", 1},
    /* an address after -i4 is IPv4 (8081 listens on ::1 only); before
     * it, any version */
    {"-i4 -i :8081", "1\n100\n200\n201\n300\n400\n", 1},
    {"-i :8081 -i4", "1\n100\n200\n201\n300\n400\n", 0},
    /* states */
    {"-iTCP -sTCP:LISTEN", "1\n100\n200\n201\n400\n", 0},
    {"-iTCP -sTCP:^LISTEN", "100\n201\n300\n", 0},
    {"-iTCP -sTCP:CLOSING", "", 1},
    /* processes: an exclusion wins over the same pid included, which is
     * then "not found"; -a ANDs */
    {"-p 100,^100", "", 1},
    {"-u ^0 -i :80", "201\n300\n", 0},
    {"-c nginx -a -i6", "200\n201\n", 0},
    {"-c ^nginx -i :80", "300\n", 0},
    {"-i@127.0.0.1:8080 -a -u 1000", "300\n", 0},
    {"-p 100 -a -c java", "", 1},
    {"-p 999999", "", 1},
};

static void selections(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof SELECTIONS / sizeof SELECTIONS[0]; i++) {
    char args[256];
    snprintf(args, sizeof args, "-t %s", SELECTIONS[i].args);
    run_res r = fixture(args);
    if (r.status != SELECTIONS[i].status || strcmp(r.out, SELECTIONS[i].pids) != 0)
      fail_msg("lsof %s: status %d, pids:\n%s(want status %d, pids:\n%s)\nstderr: %s", args,
               r.status, r.out, SELECTIONS[i].status, SELECTIONS[i].pids, r.err);
    run_free(&r);
  }
}

/* The one-port rows equal the whole listing's. */
static void one_port_rows_equal_the_listing(void **state) {
  (void)state;
  run_res fast = fixture("-i :8080"), slow = fixture("-i :8080 -c no-such-cmd");
  assert_int_equal(fast.status, 0);
  assert_int_equal(slow.status, 1); /* the command was not found */
  assert_string_equal(fast.out, slow.out);
  assert_int_equal(count_lines(fast.out), 5);
  assert_contains(fast.out, "127.0.0.1:8080->127.0.0.1:40960 (ESTABLISHED)");
  run_free(&fast);
  run_free(&slow);
}

static void output_forms(void **state) {
  (void)state;
  run_res r = fixture("-i :9999");
  assert_string_equal(r.out, ""); /* no header without rows */
  run_free(&r);
  r = fixture("-R -g -l -a -i :22");
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, "COMMAND PID PPID PGID USER FD  TYPE     DEVICE SIZE/OFF NODE NAME\n"
                             "systemd   1    0    1    0  4u IPv4 4294967302      0t0  TCP *:22 (LISTEN)\n");
  run_free(&r);
  r = fixture("-F pcfn -i tcp:80");
  assert_string_equal(r.out, "p200\ncnginx\nf6\nn*:80\nf7\nn*:80\n"
                             "p201\ncnginx\nf6\nn*:80\nf7\nn*:80\nf9\nn127.0.0.1:80->127.0.0.1:45000\n"
                             "p300\nccurl\nf5\nn127.0.0.1:45000->127.0.0.1:80\n");
  run_free(&r);
  /* NUL ends (slurp_fd shows them as ^@), a newline after each set; T:
   * the state and queues of a TCP socket. */
  r = fixture("-F0ptnT -i :22");
  assert_string_equal(r.out, "p1^@\ntIPv4^@n*:22^@TST=LISTEN^@TQR=0^@TQS=0^@\n");
  run_free(&r);
  /* G, a descriptor's open flags (hex, then lsof's ";0x0"), after t; k,
   * the link count, after i: where a stat gives one (the fixture's cwd
   * leads nowhere), 1 for a pipe, never for a socket. */
  r = fixture("-F pfGkn0 -p 100");
  assert_contains(r.out, "p100^@\nfcwd^@n/srv/app^@\n");
  assert_contains(r.out, "\nf0^@G0x8000;0x0^@k1^@n/dev/null^@\n");
  assert_contains(r.out, "\nf1^@G0x1;0x0^@k1^@npipe^@\n");
  assert_contains(r.out, "\nf3^@G0x80002;0x0^@n127.0.0.1:8080^@\n");
  run_free(&r);
  /* CSV: the view's columns, none of the hidden ones. */
  r = fixture("--format csv -i :22");
  assert_string_equal(r.out, "command,pid,user,fd,type,device,size_off,node,name\n"
                             "systemd,1,root,4u,IPv4,4294967302,0t0,TCP,*:22 (LISTEN)\n");
  run_free(&r);
}

/* ---- names, live --------------------------------------------------------------- */

typedef struct dirs {
  char top[64], sub[80], held[96], deep[112], unused[96];
  int fds[2];
} dirs;

/* top/held.txt and top/sub/deep.txt held open; top/unused.txt not; the
 * test's cwd is not in top. */
static void make_dirs(dirs *d) {
  strcpy(d->top, "/tmp/pn-lsof-XXXXXX");
  assert_non_null(mkdtemp(d->top));
  snprintf(d->sub, sizeof d->sub, "%s/sub", d->top);
  snprintf(d->held, sizeof d->held, "%s/held.txt", d->top);
  snprintf(d->deep, sizeof d->deep, "%s/deep.txt", d->sub);
  snprintf(d->unused, sizeof d->unused, "%s/unused.txt", d->top);
  assert_int_equal(mkdir(d->sub, 0755), 0);
  /* Close-on-exec: procnet, run from here, must not hold them too. */
  d->fds[0] = open(d->held, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  d->fds[1] = open(d->deep, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int u = open(d->unused, O_RDWR | O_CREAT, 0644);
  assert_true(d->fds[0] >= 0 && d->fds[1] >= 0 && u >= 0);
  close(u);
}

static void remove_dirs(dirs *d) {
  close(d->fds[0]);
  close(d->fds[1]);
  unlink(d->held);
  unlink(d->deep);
  unlink(d->unused);
  rmdir(d->sub);
  rmdir(d->top);
}

static void names(void **state) {
  (void)state;
  dirs d;
  make_dirs(&d);
  char self[16], other[128];
  snprintf(self, sizeof self, "%d\n", (int)getpid());
  /* A file by another path (a hard link) is the same file. */
  snprintf(other, sizeof other, "%s/link.txt", d.top);
  assert_int_equal(link(d.held, other), 0);
  run_res r = run_cli("lsof", "-t", other, NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, self);
  run_free(&r);
  /* The table: COMMAND cut to 9 characters, as lsof; +c 0: whole. */
  r = run_cli("lsof", d.held, NULL);
  assert_contains(r.out, "\ntest_cli_ ");
  assert_contains(r.out, d.held);
  run_free(&r);
  r = run_cli("lsof", "+c", "0", d.held, NULL);
  assert_contains(r.out, "\ntest_cli_lsof ");
  run_free(&r);
  /* +d: top and its entries; held.txt is open, sub, link.txt and
   * unused.txt are not: exit 1. +D also finds sub/deep.txt. */
  r = run_cli("lsof", "-t", "+d", d.top, NULL);
  assert_int_equal(r.status, 1);
  assert_string_equal(r.out, self);
  run_free(&r);
  r = run_cli("lsof", "+D", d.top, NULL);
  assert_int_equal(r.status, 1);
  assert_contains(r.out, d.deep);
  run_free(&r);
  /* Open nowhere: nothing, exit 1. Missing: a message too. */
  r = run_cli("lsof", d.unused, NULL);
  assert_int_equal(r.status, 1);
  assert_string_equal(r.out, "");
  run_free(&r);
  r = run_cli("lsof", "-t", d.held, "/no/such/file", NULL);
  assert_int_equal(r.status, 1);
  assert_string_equal(r.out, self);
  assert_contains(r.err, "status error on /no/such/file");
  run_free(&r);
  unlink(other);
  remove_dirs(&d);
}

/* A unix socket bound at a path with a blank: lsof cuts the path there
 * and finds nothing; procnet finds this process, and prints the path. */
static void socket_path_with_a_blank(void **state) {
  (void)state;
  char dir[] = "/tmp/pn-lsof-XXXXXX", path[108], self[16];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/a sock", dir);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path, path, strlen(path) + 1);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(s >= 0);
  assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(s, 1), 0);
  snprintf(self, sizeof self, "%d\n", (int)getpid());
  run_res r = run_cli("lsof", "-t", path, NULL);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.out, self);
  run_free(&r);
  r = run_cli("lsof", "-U", "-a", "-p", strtok(self, "\n"), NULL);
  assert_contains(r.out, " type=STREAM (LISTEN)");
  assert_contains(r.out, path);
  run_free(&r);
  close(s);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  if (cli_run_init("test_cli_lsof") != 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(selections),
      cmocka_unit_test(one_port_rows_equal_the_listing),
      cmocka_unit_test(output_forms),
      cmocka_unit_test(names),
      cmocka_unit_test(socket_path_with_a_blank),
  };
  return cmocka_run_group_tests_name("cli_lsof", tests, NULL, NULL);
}
