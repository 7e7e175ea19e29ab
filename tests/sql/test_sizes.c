/*
 * test_sizes.c: big inputs give right answers in bounded memory.
 *
 *  - a process whose command line is over 1 MiB;
 *  - a process holding 50,000 descriptors (in a generated proc tree: this
 *    machine's hard RLIMIT_NOFILE is 20,000 and root lacks CAP_SYS_RESOURCE),
 *    and a live process holding as many as its hard limit allows;
 *  - a /proc/net/tcp of 1,000,000 lines (in a generated proc tree).
 *
 * Work is checked through procnet_stats() (one readlink per descriptor, one
 * read per file), not with a clock. Memory is measured as the growth of the
 * peak RSS and printed; it must stay under twice the largest file.
 */
#include "pn_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int under_valgrind(void) { return getenv("PN_UNDER_VALGRIND") != NULL; }

#if defined(__SANITIZE_ADDRESS__)
#define PN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PN_ASAN 1
#endif
#endif
static int built_with_asan(void) {
#ifdef PN_ASAN
  return 1;
#else
  return 0;
#endif
}

static long peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* Waits until the child writes a byte to the pipe. */
static void wait_ready(int fd) {
  char b;
  assert_int_equal(read(fd, &b, 1), 1);
  close(fd);
}

/* The child a test started; the teardown stops it even when the test
 * failed half-way (a lingering child would hold the test's output open). */
static pid_t child;

static int stop_child(void **state) {
  (void)state;
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
  }
  child = 0;
  return 0;
}

/* ---- 1 MiB command line ----------------------------------------------------- */

#define ARG_LEN 131071 /* MAX_ARG_STRLEN is 32 pages, NUL included */
#define N_BIG_ARGS 9
/* fd 3 is closed before the sleep, which outlives sh */
#define SH_SCRIPT "printf x >&3; exec 3>&-; sleep 30; :"

static void huge_cmdline_is_whole(void **state) {
  (void)state;
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = child = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char *argv[N_BIG_ARGS + 4];
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = SH_SCRIPT;
    for (int i = 0; i < N_BIG_ARGS; i++) {
      argv[3 + i] = malloc(ARG_LEN + 1);
      memset(argv[3 + i], 'a' + i, ARG_LEN);
      argv[3 + i][ARG_LEN] = 0;
    }
    argv[3 + N_BIG_ARGS] = NULL;
    /* sh's `sleep` outlives the SIGKILL of sh: it must hold no pipe of the
     * test runner's (that kept run_tests.sh waiting for 30 s). */
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || dup2(p[1], 3) < 0) _exit(126);
    execv("/bin/sh", argv);
    _exit(127);
  }
  close(p[1]);
  wait_ready(p[0]);
  sqlite3 *db = pn_open(NULL);
  int64_t expected = 2 + 1 + 2 + 1 + (int64_t)strlen(SH_SCRIPT) +
                     N_BIG_ARGS * (ARG_LEN + 1);
  assert_true(expected > 1024 * 1024);
  assert_int_equal(pn_int(db, "SELECT length(cmdline) FROM processes WHERE pid = %d", pid),
                   expected);
  /* The last argument is intact, up to its last byte. */
  assert_int_equal(pn_int(db, "SELECT substr(cmdline, -3) = 'iii' FROM processes"
                              " WHERE pid = %d", pid), 1);
  pn_close(db);
}

/* ---- many descriptors ----------------------------------------------------------- */

#define MANY_FDS 50000

/* The most descriptors a child may hold here, up to MANY_FDS. */
static int live_fd_budget(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rlim_t room = rl.rlim_max > 200 ? rl.rlim_max - 100 : 0;
  return room > MANY_FDS ? MANY_FDS : (int)room;
}

static void many_descriptors_live(void **state) {
  (void)state;
  int want = live_fd_budget(), p[2];
  assert_true(want > 1000);
  assert_int_equal(pipe(p), 0);
  pid_t pid = child = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    struct rlimit rl;
    int sp[2];
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(2);
    int null = open("/dev/null", O_RDONLY);
    for (int i = 0; i < want; i++)
      if (dup(null) < 0) _exit(3);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) _exit(4);
    if (write(p[1], "x", 1) != 1) _exit(5);
    pause();
    _exit(0);
  }
  close(p[1]);
  wait_ready(p[0]);
  sqlite3 *db = pn_open(NULL);
  int64_t links = pn_stat(db, "links_read");
  int64_t n = pn_int(db, "SELECT count(*) FROM fds WHERE pid = %d AND path = '/dev/null'", pid);
  assert_true(n >= want + 1); /* the dups, the original (and std fds on /dev/null) */
  int64_t total = pn_int(db, "SELECT count(*) FROM fds WHERE pid = %d", pid);
  /* Linear work: one readlink per descriptor for the scan that needs the
   * link, none for a count. */
  assert_int_equal(pn_stat(db, "links_read") - links, total);
  /* Each end of the socketpair found again through the inode index, which
   * lists every fd directory once, the big one included. */
  int64_t dirs = pn_stat(db, "fd_dirs_listed");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM fds a JOIN fds b USING (inode)"
                              " WHERE a.pid = %d AND a.type = 'socket'"
                              " AND b.pid = a.pid AND b.fd = a.fd", pid), 2);
  assert_true(pn_stat(db, "fd_dirs_listed") - dirs <=
              pn_int(db, "SELECT count(*) FROM processes") + 1);
  print_message("  live process with %lld descriptors\n", (long long)total);
  pn_close(db);
}

/* ---- a /proc/net/tcp of 1,000,000 lines ---------------------------------------- */

#define TCP_LINES 1000000

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* A one-process proc tree whose net/tcp has `lines` sockets (inodes
 * 100000, 100001, ...); returns the size of that file. */
static long make_big_tree(const char *root, int lines) {
  char path[512];
  snprintf(path, sizeof path, "%s/1", root);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/1/ns", root);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/1/net", root);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/1/ns/net", root);
  assert_int_equal(symlink("net:[4026599100]", path), 0);
  snprintf(path, sizeof path, "%s/1/stat", root);
  write_file(path, "1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1 "
                   "1000000 100 18446744073709551615\n");
  snprintf(path, sizeof path, "%s/1/net/tcp6", root);
  write_file(path, "  sl  local_address                         remote_address"
                   "                        st tx_queue rx_queue tr tm->when"
                   " retrnsmt   uid  timeout inode\n");
  snprintf(path, sizeof path, "%s/1/net/tcp", root);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when"
        " retrnsmt   uid  timeout inode\n", f);
  for (int i = 0; i < lines; i++)
    fprintf(f, "%4d: 0100007F:%04X 0100007F:1F90 01 00000000:00000000 "
               "00:00000000 00000000     0        0 %d 1 0000000000000000 "
               "20 4 30 10 -1\n", i, 1024 + i % 60000, 100000 + i);
  long size = ftell(f);
  fclose(f);
  return size;
}

static void remove_tree(const char *root) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

/* A proc tree whose process 1 holds MANY_FDS descriptors: sockets, pipes
 * and files, as fd/N symlinks with the kernel's link texts. */
static void many_descriptors_tree(void **state) {
  (void)state;
  char root[] = "/tmp/procnet-fds-XXXXXX", path[600], target[64];
  assert_non_null(mkdtemp(root));
  make_big_tree(root, 1000);
  snprintf(path, sizeof path, "%s/1/fd", root);
  assert_int_equal(mkdir(path, 0755), 0);
  for (int i = 0; i < MANY_FDS; i++) {
    if (i % 3 == 0) snprintf(target, sizeof target, "socket:[%d]", 100000 + i);
    else if (i % 3 == 1) snprintf(target, sizeof target, "pipe:[%d]", 900000 + i);
    else snprintf(target, sizeof target, "/var/log/file%d.log", i);
    snprintf(path, sizeof path, "%s/1/fd/%d", root, i);
    assert_int_equal(symlink(target, path), 0);
  }
  sqlite3 *db = pn_open(root);
  assert_rows(db, "16667|16667|16666\n",
              "SELECT sum(type = 'socket'), sum(type = 'pipe'), sum(path LIKE '/var/log/%%')"
              " FROM fds WHERE pid = 1");
  /* Every socket of net/tcp found by inode through the index. */
  int64_t dirs = pn_stat(db, "fd_dirs_listed");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp t JOIN fds f USING (inode)"),
                   (1000 + 2) / 3);
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - dirs, 1);
  pn_close(db);
  remove_tree(root);
}

static void million_line_tcp(void **state) {
  (void)state;
  if (under_valgrind()) skip(); /* minutes under valgrind; ASan covers it */
  char root[] = "/tmp/procnet-big-XXXXXX";
  assert_non_null(mkdtemp(root));
  long size = make_big_tree(root, TCP_LINES);
  sqlite3 *db = pn_open(root);
  long rss0 = peak_rss_kib();
  int64_t files = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp"), TCP_LINES);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE local_port = 1024"),
                   (TCP_LINES + 59999) / 60000);
  assert_int_equal(pn_int(db, "SELECT local_port FROM net_tcp WHERE inode = %d",
                          100000 + 777777), 1024 + 777777 % 60000);
  /* Each statement reads tcp and tcp6 once, but the lookup stops at the
   * row it wanted, in tcp: three statements, five reads. */
  assert_int_equal(pn_stat(db, "net_files_read") - files, 5);
  long grown = peak_rss_kib() - rss0;
  print_message("  net/tcp of %d lines, %ld KiB: peak RSS grew by %ld KiB (%.2f x the file)\n",
                TCP_LINES, size / 1024, grown, grown * 1024.0 / size);
  /* AddressSanitizer's redzones and quarantine inflate RSS: the bound is
   * checked in plain builds only (make test). */
  if (!built_with_asan()) assert_true(grown * 1024 < 2 * size);
  pn_close(db);
  remove_tree(root);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(huge_cmdline_is_whole, stop_child),
      cmocka_unit_test_teardown(many_descriptors_live, stop_child),
      cmocka_unit_test(many_descriptors_tree),
      cmocka_unit_test(million_line_tcp),
  };
  return cmocka_run_group_tests_name("sizes", tests, NULL, NULL);
}
