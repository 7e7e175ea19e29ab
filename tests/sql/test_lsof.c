/*
 * test_lsof.c: the lsof views against lsof for what lsof reads beyond a
 * descriptor's link: threads (task rows), fdinfo (eventfd ids, pidfds'
 * processes, epoll sets), /proc/locks, mapped files, sockets in no socket
 * table, raw6 sockets, and a process in another mount namespace.
 *
 * The workload, two forked processes:
 *   D ("pn_lsof_d"): four threads besides its own: "pn_lsof_t1" and
 *     "pn_lsof_t2" share everything; "pn_lsof_files" has a descriptor
 *     table of its own (unshare(CLONE_FILES)) with one descriptor more;
 *     "pn_lsof_cwd" has directories of its own (unshare(CLONE_FS)) and
 *     works in /. And: a memfd (mapped, its descriptor kept), a mapped file
 *     deleted since, an eventfd, a pidfd, an epoll set watching three
 *     descriptors, inotify, a timerfd, a signalfd, fanotify, io_uring and a
 *     bpf map where the kernel allows them, a flock'ed file (also mapped:
 *     lsof prints the lock on its mem row too), a file with a POSIX lock on
 *     the whole of it and one with a read lock on one byte, an unbound
 *     UDPv6 socket, two raw6 sockets (one bound to ::1);
 *   E ("pn_lsof_e"): in a mount namespace of its own, with a tmpfs mounted
 *     where the test's directory is empty, maps a file that exists only
 *     there.
 * Compared, each row keyed by pid, tid and descriptor (and node for mapped
 * files), every column:
 *   lsof_tasks  against `lsof -n -P +c0` (task rows: plain lsof prints
 *               them; -p would leave them out), its rows of D and E;
 *   lsof        against `lsof -n -P +c0 -K i -p D,E`.
 * The accepted differences, each checked here: lsof stats a mapped file by
 * its path in its own mount namespace, where E's file does not exist, and
 * prints "(stat: No such file or directory)" without a size; the view
 * stats the mapping itself (PID/map_files) and gives its size.
 */
#include "pn_compare.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define D_NAME "pn_lsof_d"
#define E_NAME "pn_lsof_e"
#define E_FILE "only here"

static struct {
  pid_t d, e;
  char dir[64];          /* the test's directory; E mounts a tmpfs on mnt */
  char mnt[96];
  char locked[96], posix[96], partial[96], mapped[96];
  int have_pidfd, have_fanotify, have_uring, have_bpf;
  int ready;
} W;

/* ---- D ------------------------------------------------------------------------ */

static void *sleeper(void *name) {
  prctl(PR_SET_NAME, (const char *)name);
  for (;;) pause();
  return NULL;
}

/* A thread with a descriptor table of its own and one descriptor more. */
static void *own_files(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "pn_lsof_files");
  if (unshare(CLONE_FILES) == 0) pn_must(open("/dev/zero", O_RDONLY), "open(/dev/zero)");
  for (;;) pause();
  return NULL;
}

/* A thread with its own working directory. */
static void *own_cwd(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "pn_lsof_cwd");
  if (unshare(CLONE_FS) == 0 && chdir("/") != 0) _exit(2);
  for (;;) pause();
  return NULL;
}

static void start_threads(void) {
  pthread_t t;
  static char t1[] = "pn_lsof_t1", t2[] = "pn_lsof_t2";
  if (pthread_create(&t, NULL, sleeper, t1) || pthread_create(&t, NULL, sleeper, t2) ||
      pthread_create(&t, NULL, own_files, NULL) || pthread_create(&t, NULL, own_cwd, NULL))
    _exit(2);
}

static void *map_fd(int fd, size_t n) {
  void *p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) _exit(2);
  return p;
}

/* The memfd (mapped, descriptor kept) and a mapped file deleted since. */
static void mapped_files(void) {
  int m = pn_must((int)syscall(SYS_memfd_create, "pn_lsof_memfd", 0), "memfd_create");
  pn_must(ftruncate(m, 4096), "ftruncate");
  map_fd(m, 4096);
  int f = pn_must(open(W.mapped, O_CREAT | O_RDWR | O_TRUNC, 0600), "open");
  pn_must(ftruncate(f, 12288), "ftruncate");
  map_fd(f, 12288);
  close(f);
  pn_must(unlink(W.mapped), "unlink");
}

/* eventfd, pidfd (where the kernel, or valgrind, has pidfd_open), an epoll
 * set watching them and a pipe, inotify, timerfd, signalfd; fanotify,
 * io_uring and a bpf map where allowed. */
static void anon_files(void) {
  int ev = pn_must(eventfd(0, 0), "eventfd");
  int pid = (int)syscall(SYS_pidfd_open, getpid(), 0);
  W.have_pidfd = pid >= 0;
  int ep = pn_must(epoll_create1(0), "epoll_create1");
  int p[2];
  pn_must(pipe(p), "pipe");
  if (pid < 0) pid = pn_must(dup(p[0]), "dup"); /* three descriptors all the same */
  int watched[] = {ev, pid, p[0]};
  for (size_t i = 0; i < 3; i++) {
    struct epoll_event e = {.events = EPOLLIN, .data.fd = watched[i]};
    pn_must(epoll_ctl(ep, EPOLL_CTL_ADD, watched[i], &e), "epoll_ctl");
  }
  int in = pn_must(inotify_init1(0), "inotify_init1");
  pn_must(inotify_add_watch(in, W.dir, IN_CREATE), "inotify_add_watch");
  pn_must(timerfd_create(CLOCK_MONOTONIC, 0), "timerfd_create");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pn_must(signalfd(-1, &set, 0), "signalfd");
  W.have_fanotify = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY) >= 0;
  struct io_uring_params up;
  memset(&up, 0, sizeof up);
  W.have_uring = syscall(SYS_io_uring_setup, 4, &up) >= 0;
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_ARRAY;
  a.key_size = 4;
  a.value_size = 4;
  a.max_entries = 1;
  W.have_bpf = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a) >= 0;
}

/* A POSIX lock from start for len bytes (0: to the end) of a new file. */
static void posix_lock(const char *path, short type, off_t start, off_t len) {
  int f = pn_must(open(path, O_CREAT | O_RDWR | O_TRUNC, 0600), "open");
  pn_must((int)write(f, "lock", 4), "write");
  struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  pn_must(fcntl(f, F_SETLK, &l), "fcntl(F_SETLK)");
}

static void locks(void) {
  int f = pn_must(open(W.locked, O_CREAT | O_RDWR | O_TRUNC, 0600), "open");
  pn_must(ftruncate(f, 4096), "ftruncate");
  pn_must(flock(f, LOCK_EX), "flock");
  map_fd(f, 4096);
  posix_lock(W.posix, F_WRLCK, 0, 0);
  posix_lock(W.partial, F_RDLCK, 0, 1);
}

static void sockets(void) {
  pn_must(socket(AF_INET6, SOCK_DGRAM, 0), "socket(udp6)");
  pn_must(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), "socket(raw6)");
  int r = pn_must(socket(AF_INET6, SOCK_RAW, IPPROTO_RAW), "socket(raw6)");
  struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  pn_must(bind(r, (struct sockaddr *)&a, sizeof a), "bind(raw6)");
}

static void child_d(int ready) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, D_NAME);
  mapped_files();
  anon_files();
  locks();
  sockets();
  start_threads();
  char have[4] = {(char)('0' + W.have_pidfd), (char)('0' + W.have_fanotify),
                  (char)('0' + W.have_uring), (char)('0' + W.have_bpf)};
  pn_must((int)write(ready, have, 4), "write");
  for (;;) pause();
}

/* ---- E ------------------------------------------------------------------------ */

static void child_e(int ready) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, E_NAME);
  char path[160];
  snprintf(path, sizeof path, "%s/" E_FILE, W.mnt);
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount("pn_lsof", W.mnt, "tmpfs", 0, "size=1m") != 0)
    _exit(77);
  int f = pn_must(open(path, O_CREAT | O_RDWR, 0600), "open");
  pn_must((int)write(f, "only in this namespace", 22), "write");
  map_fd(f, 22);
  close(f);
  pn_must((int)write(ready, "e", 1), "write");
  for (;;) pause();
}

/* ---- set up ------------------------------------------------------------------- */

static pid_t start(void (*child)(int), char *reply, size_t n) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    child(p[1]);
  }
  close(p[1]);
  ssize_t got = pid > 0 ? read(p[0], reply, n) : -1;
  close(p[0]);
  return got == (ssize_t)n ? pid : -1;
}

static int setup(void **state) {
  (void)state;
  memset(&W, 0, sizeof W);
  snprintf(W.dir, sizeof W.dir, "/tmp/pn_lsof.XXXXXX");
  if (!mkdtemp(W.dir)) return -1;
  snprintf(W.mnt, sizeof W.mnt, "%s/mnt", W.dir);
  snprintf(W.locked, sizeof W.locked, "%s/flocked", W.dir);
  snprintf(W.posix, sizeof W.posix, "%s/posix", W.dir);
  snprintf(W.partial, sizeof W.partial, "%s/partial", W.dir);
  snprintf(W.mapped, sizeof W.mapped, "%s/mapped", W.dir);
  if (mkdir(W.mnt, 0700) != 0) return -1;
  char have[4], e;
  if ((W.d = start(child_d, have, 4)) < 0) {
    fprintf(stderr, "workload D did not start\n");
    return -1;
  }
  W.have_pidfd = have[0] == '1';
  W.have_fanotify = have[1] == '1';
  W.have_uring = have[2] == '1';
  W.have_bpf = have[3] == '1';
  W.e = start(child_e, &e, 1); /* -1 without mount namespaces: tested apart */
  W.ready = 1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  pid_t kids[] = {W.d, W.e};
  for (size_t i = 0; i < 2; i++)
    if (kids[i] > 0) {
      kill(kids[i], SIGKILL);
      waitpid(kids[i], NULL, 0);
    }
  unlink(W.locked);
  unlink(W.posix);
  unlink(W.partial);
  unlink(W.mapped);
  rmdir(W.mnt);
  rmdir(W.dir);
  return 0;
}

/* ---- comparing ----------------------------------------------------------------- */

/* lsof stats E's mapped file by its path in lsof's own mount namespace,
 * where it does not exist: the view stats the mapping itself. */
static pc_diff classify(const pc_row *t, const pc_row *v, int col) {
  const char *name = pc_show(v->c[L_NAME]);
  int e_file = v->c[L_PID] && atoi(v->c[L_PID]) == W.e && strstr(name, "/" E_FILE);
  if (e_file && col == L_SIZE && !t->c[col] && v->c[col]) return D_TOOL_WRONG;
  if (e_file && col == L_NAME && t->c[col]) {
    char want[256];
    snprintf(want, sizeof want, "%s (stat: No such file or directory)", name);
    if (strcmp(t->c[col], want) == 0) return D_TOOL_WRONG;
  }
  return D_UNEXPECTED;
}

/* The pids of the workload: "D" or "D,E". */
static void workload_pids(char *out, size_t n) {
  if (W.e > 0) snprintf(out, n, "%d,%d", (int)W.d, (int)W.e);
  else snprintf(out, n, "%d", (int)W.d);
}

/* lsof's lines of the workload's processes (and the header). */
static char **lsof_lines(const char *cmd, int *n) {
  char pids[64];
  workload_pids(pids, sizeof pids);
  int all;
  char **lines = pc_run_lines(cmd, &all);
  *n = 0;
  for (int i = 0; i < all; i++) {
    char pid[24];
    int keep = i == 0;
    if (!keep && sscanf(lines[i], "%*s %23s", pid) == 1)
      keep = atoi(pid) == W.d || (W.e > 0 && atoi(pid) == W.e);
    if (keep) lines[(*n)++] = lines[i];
    else free(lines[i]);
  }
  return lines;
}

static pc_stats compare_with(sqlite3 *db, const char *title, const char *cmd,
                             const char *view, const char *cols) {
  char pids[64];
  workload_pids(pids, sizeof pids);
  pc_table tool = {0}, rows = {0};
  int n;
  char **lines = lsof_lines(cmd, &n);
  pc_view_rows(db, &rows, pc_lsof_key, "SELECT %s FROM %s WHERE pid IN (%s)", cols, view,
               pids);
  pc_parse_lsof(lines, n, &tool);
  pc_free_lines(lines, n);
  pc_stats s = pc_compare(title, "lsof", pc_lsof_cols, &tool, &rows, classify);
  pc_table_free(&tool);
  pc_table_free(&rows);
  return s;
}

/* Rows of the view that are as they must be, whatever lsof prints. */
static void assert_count(sqlite3 *db, int want, const char *where) {
  int64_t got = pn_int(db, "SELECT count(*) FROM lsof_tasks WHERE %s", where);
  if (got != want) {
    char *rows = pn_rows(db, "SELECT * FROM lsof_tasks WHERE pid = %d", (int)W.d);
    print_error("%s", rows);
    sqlite3_free(rows);
    fail_msg("lsof_tasks WHERE %s: %lld rows, not %d", where, (long long)got, want);
  }
}

/* The workload's cases are there, so that the comparison covered them. */
static void cases_were_met(sqlite3 *db) {
  char where[512];
  int d = (int)W.d;
#define HAS(n, ...)                                      \
  do {                                                   \
    snprintf(where, sizeof where, __VA_ARGS__);          \
    assert_count(db, n, where);                          \
  } while (0)
  /* 4 threads, each with the process's rows (the cwd one: its own cwd) */
  HAS(4, "pid = %d AND tid IS NOT NULL AND fd = 'cwd'", d);
  HAS(1, "pid = %d AND taskcmd = 'pn_lsof_cwd' AND fd = 'cwd' AND name = '/'", d);
  HAS(1, "pid = %d AND taskcmd = 'pn_lsof_files' AND name = '/dev/zero'", d);
  HAS(5, "pid = %d AND type = 'a_inode' AND name GLOB '[[]eventfd:[0-9]*]'", d);
  if (W.have_pidfd) HAS(5, "pid = %d AND name = '[pidfd:%d]'", d, d);
  HAS(5, "pid = %d AND name GLOB '[[]eventpoll:[0-9]*,[0-9]*,[0-9]*]'", d);
  HAS(5, "pid = %d AND name = 'inotify'", d);
  HAS(5, "pid = %d AND name = '[timerfd]'", d);
  HAS(5, "pid = %d AND name = '[signalfd]'", d);
  HAS(5, "pid = %d AND fd = 'DEL' AND name = '/memfd:pn_lsof_memfd'", d);
  HAS(5, "pid = %d AND fd GLOB '[0-9]*' AND name = '/memfd:pn_lsof_memfd (deleted)'", d);
  HAS(5, "pid = %d AND fd = 'DEL' AND name = '%s'", d, W.mapped);
  HAS(5, "pid = %d AND fd GLOB '[0-9]*uW' AND name = '%s'", d, W.locked);
  HAS(5, "pid = %d AND fd = 'mem-W' AND name = '%s'", d, W.locked);
  HAS(5, "pid = %d AND fd GLOB '[0-9]*uW' AND name = '%s'", d, W.posix);
  HAS(5, "pid = %d AND fd GLOB '[0-9]*ur' AND name = '%s'", d, W.partial);
  HAS(5, "pid = %d AND type = 'sock' AND name = 'protocol: UDPv6'", d);
  HAS(10, "pid = %d AND type = 'raw6' AND name LIKE '%%:003A->%%:0000 st=07'"
          " OR type = 'raw6' AND name = '00000000000000000000000001000000:00FF->"
          "00000000000000000000000000000000:0000 st=07'", d);
  if (W.have_fanotify) HAS(5, "pid = %d AND name = '[fanotify]'", d);
  if (W.have_uring) HAS(5, "pid = %d AND name = '[io_uring]'", d);
  if (W.have_bpf) HAS(5, "pid = %d AND name = 'bpf-map'", d);
  if (W.e > 0)
    HAS(1, "pid = %d AND fd = 'mem' AND name = '%s/" E_FILE "' AND size_off = '22'",
        (int)W.e, W.mnt);
#undef HAS
  print_message("covered: pidfd %s, fanotify %s, io_uring %s, bpf map %s, another mount"
                " namespace %s\n", W.have_pidfd ? "yes" : "no (not allowed)",
                W.have_fanotify ? "yes" : "no (not allowed)",
                W.have_uring ? "yes" : "no (not allowed)", W.have_bpf ? "yes" : "no (not allowed)",
                W.e > 0 ? "yes" : "no (not allowed)");
}

static void lsof_tasks_matches(void **state) {
  (void)state;
  assert_true(W.ready);
  sqlite3 *db = pc_open_with_views();
  pc_stats s = compare_with(db, "lsof_tasks", "lsof -n -P +c0 2>/dev/null", "lsof_tasks",
                            PC_LSOF_VIEW_COLS);
  pc_assert_clean(s, 150);
  assert_int_equal(s.pending, 0);
  assert_int_equal(s.by_design, 0);
  if (W.e > 0) assert_int_equal(s.tool_wrong, 1); /* E's file, lsof stats its path */
  cases_were_met(db);
  pn_close(db);
}

static void lsof_matches(void **state) {
  (void)state;
  assert_true(W.ready);
  char cmd[128], pids[64];
  workload_pids(pids, sizeof pids);
  snprintf(cmd, sizeof cmd, "lsof -n -P +c0 -K i -p %s 2>/dev/null", pids);
  sqlite3 *db = pc_open_with_views();
  pc_stats s = compare_with(db, "lsof", cmd, "lsof", PC_LSOF_VIEW_COLS_NO_TASKS);
  pc_assert_clean(s, 40);
  assert_int_equal(s.pending, 0);
  assert_int_equal(s.by_design, 0);
  if (W.e > 0) assert_int_equal(s.tool_wrong, 1);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lsof_tasks_matches),
      cmocka_unit_test(lsof_matches),
  };
  return cmocka_run_group_tests_name("lsof", tests, setup, teardown);
}
