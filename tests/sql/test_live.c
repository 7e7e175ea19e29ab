/*
 * test_live.c: procnet against the running kernel (the real /proc).
 *
 * The test process opens real sockets (TCP v4/v6/v4-mapped, UDP, unix with
 * a path holding a space, abstract, socketpair) and finds each through SQL.
 * Forked children share a socket, live in their own network namespaces
 * (unshare(CLONE_NEWNET), as root), or drop to uid 65534; their sockets are
 * found from outside and compared with what `ss` prints, in the namespace
 * (nsenter) and in the host namespace.
 *
 * Children never call cmocka: they report one line through a pipe ("OK ..."
 * or what went wrong) and, when they are meant to end, an exit code. Every
 * child is SIGKILLed and reaped in the teardown (the test process is a child
 * subreaper, so grandchildren come back to it), and PR_SET_PDEATHSIG kills
 * them if the test process dies first.
 */
#include "pn_test.h"

#include "procnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers ----------------------------------------------------------- */

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static socklen_t make_addr(int family, const char *addr, int port,
                           struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, addr, &a->sin_addr);
    return sizeof *a;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)port);
  inet_pton(AF_INET6, addr, &a->sin6_addr);
  return sizeof *a;
}

static int inet_socket(int family, int type, const char *addr, int port,
                       int do_listen) {
  int fd = socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss;
  socklen_t len = make_addr(family, addr, port, &ss);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
      (do_listen && listen(fd, 16) != 0)) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int tcp_listen(int family, const char *addr, int port) {
  return inet_socket(family, SOCK_STREAM, addr, port, 1);
}

/* Right after a namespace's lo comes up, its addresses may take a moment. */
static int tcp_listen_retry(int family, const char *addr, int port) {
  for (int i = 0; i < 200; i++) {
    int fd = tcp_listen(family, addr, port);
    if (fd >= 0 || errno != EADDRNOTAVAIL) return fd;
    sleep_ms(5);
  }
  return -1;
}

static int inet_connect(int family, int type, const char *addr, int port) {
  int fd = socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_storage ss;
  socklen_t len = make_addr(family, addr, port, &ss);
  if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int tcp_connect(int family, const char *addr, int port) {
  return inet_connect(family, SOCK_STREAM, addr, port);
}

static int port_of(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static long long ino_of(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (long long)st.st_ino : -1;
}

/* The network namespace inode of pid ("self" when pid is 0), or -1. */
static long long netns_of(pid_t pid) {
  char path[64], buf[64];
  if (pid) snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  else snprintf(path, sizeof path, "/proc/self/ns/net");
  ssize_t n = readlink(path, buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = 0;
  long long ino;
  return sscanf(buf, "net:[%lld]", &ino) == 1 ? ino : -1;
}

static void comm_of(pid_t pid, char *out, size_t n) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (fgets(out, (int)n, f)) out[strcspn(out, "\n")] = 0;
  fclose(f);
}

static int unix_listen(const char *path, size_t pathlen) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  if (pathlen > sizeof a.sun_path) pathlen = sizeof a.sun_path;
  memcpy(a.sun_path, path, pathlen);
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + pathlen);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) != 0 || listen(fd, 8) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

static int unix_connect(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  size_t n = strlen(path);
  if (n >= sizeof a.sun_path) n = sizeof a.sun_path; /* connect fails */
  memcpy(a.sun_path, path, n);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

/* ---- a growable list of strings, for comparing row sets --------------------- */

typedef struct strlist {
  char **v;
  size_t n, cap;
} strlist;

static void sl_add(strlist *l, const char *fmt, ...) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    assert_non_null(l->v);
  }
  va_list ap;
  va_start(ap, fmt);
  assert_true(vasprintf(&l->v[l->n++], fmt, ap) >= 0);
  va_end(ap);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sl_sort(strlist *l) {
  if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_str);
}

static void sl_free(strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

/* How many times s is in l, which must be sorted. */
static size_t sl_count(const strlist *l, const char *s) {
  size_t lo = 0, hi = l->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(l->v[mid], s) < 0) lo = mid + 1;
    else hi = mid;
  }
  size_t k = 0;
  while (lo + k < l->n && strcmp(l->v[lo + k], s) == 0) k++;
  return k;
}

static int sl_equal(const strlist *a, const strlist *b) {
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->v[i], b->v[i]) != 0) return 0;
  return 1;
}

/* PN_LIVE_VERBOSE=1 prints what the ss comparisons compared. */
static int verbose_env(void) {
  const char *v = getenv("PN_LIVE_VERBOSE");
  return v && *v && strcmp(v, "0") != 0;
}

static void sl_print(const char *title, const strlist *l) {
  print_error("%s (%zu):\n", title, l->n);
  for (size_t i = 0; i < l->n; i++) print_error("  %s\n", l->v[i]);
}

/* ---- children ------------------------------------------------------------------ */

#define MAX_KIDS 16
static pid_t kids[MAX_KIDS];
static int nkids;
static pid_t test_pid;

static void kid_add(pid_t pid) {
  if (pid > 0 && nkids < MAX_KIDS) kids[nkids++] = pid;
}

/* Closes every descriptor from 3 up except keep[] (sorted ascending). */
static void keep_only(const int *keep, int n) {
  unsigned lo = 3;
  for (int i = 0; i < n; i++) {
    if ((unsigned)keep[i] > lo) close_range(lo, (unsigned)keep[i] - 1, 0);
    lo = (unsigned)keep[i] + 1;
  }
  close_range(lo, ~0U, 0);
}

static void report(int fd, const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int)sizeof buf - 2) n = (int)sizeof buf - 2;
  for (int i = 0; i < n; i++)
    if (buf[i] == '\n') buf[i] = ';';
  buf[n++] = '\n';
  for (int off = 0; off < n;) {
    ssize_t w = write(fd, buf + off, (size_t)(n - off));
    if (w <= 0) break;
    off += (int)w;
  }
}

/* Reads one line (or up to EOF) within timeout_ms; returns its length or -1. */
static int read_line(int fd, char *buf, size_t size, int timeout_ms) {
  size_t n = 0;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (n + 1 < size) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    int left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
                                  (t.tv_nsec - t0.tv_nsec) / 1000000);
    if (left <= 0) break;
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t k = read(fd, buf + n, 1);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      buf[n] = 0;
      return n ? (int)n : -1;
    }
    if (buf[n] == '\n') {
      buf[n] = 0;
      return (int)n;
    }
    n++;
  }
  buf[n] = 0;
  return -1;
}

typedef void (*child_fn)(const void *arg, int rep);

/* Forks a child running fn(arg, rep) and waits for its one-line report,
 * which is copied to msg ("" when none came in time). */
static pid_t spawn(child_fn fn, const void *arg, char *msg, size_t msgsize) {
  int p[2];
  assert_int_equal(pipe2(p, O_CLOEXEC), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != test_pid) _exit(99);
    close(p[0]);
    fn(arg, p[1]);
    _exit(0);
  }
  kid_add(pid);
  close(p[1]);
  if (read_line(p[0], msg, msgsize, 20000) < 0 && !msg[0])
    snprintf(msg, msgsize, "(no report from child %d)", (int)pid);
  close(p[0]);
  return pid;
}

/* Waits for a child that ends by itself; returns 0 when it succeeded
 * (pn_child_ok: under valgrind, a child that inherited a failed test's
 * open database exits 99), else its exit status, 128 + its signal, or -1. */
static int wait_exit(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  for (int i = 0; i < nkids; i++)
    if (kids[i] == pid) kids[i] = kids[--nkids];
  if (pn_child_ok(st)) return 0;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void kill_kids(void) {
  for (int i = 0; i < nkids; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < nkids; i++) waitpid(kids[i], NULL, 0);
  nkids = 0;
  /* Grandchildren reparented to us (we are a subreaper); all got SIGKILL. */
  for (int i = 0; i < 500; i++) {
    pid_t r = waitpid(-1, NULL, WNOHANG);
    if (r < 0 && errno == ECHILD) break;
    if (r == 0) sleep_ms(2);
  }
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare: %s\n  in: %s", sqlite3_errmsg(db), sql);
  return st;
}

/* ---- running SQL in children (no cmocka there) ------------------------------ */

/* Rows as pn_rows prints them, or "ERROR: ..."; sqlite3_free the result. */
static char *child_rows(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = NULL;
  sqlite3_str *out = sqlite3_str_new(NULL);
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      if (i) sqlite3_str_appendchar(out, 1, '|');
      const char *v = (const char *)sqlite3_column_text(st, i);
      sqlite3_str_appendall(out, v ? v : "NULL");
    }
    sqlite3_str_appendchar(out, 1, '\n');
  }
  if (rc != SQLITE_DONE) {
    sqlite3_str_reset(out);
    sqlite3_str_appendf(out, "ERROR: %s in: %s", sqlite3_errmsg(db), sql);
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  char *s = sqlite3_str_finish(out);
  return s ? s : sqlite3_mprintf("");
}

/* Compares a child's query result with what it expects; appends a note to
 * errs on a mismatch. */
static void child_expect(sqlite3 *db, sqlite3_str *errs, const char *expected,
                         const char *sql) {
  char *got = child_rows(db, "%s", sql);
  if (strcmp(got, expected) != 0)
    sqlite3_str_appendf(errs, "[%s] expected <%s> got <%s] ", sql, expected, got);
  sqlite3_free(got);
}

static sqlite3 *child_open(void) {
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return NULL;
  if (procnet_register(db, &err) != SQLITE_OK) {
    sqlite3_free(err);
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

/* ---- the sockets of the test process (group fixture) -------------------------- */

static struct {
  char dir[64];
  char upath[128];        /* "<dir>/my sock": a path with a space */
  char abstract[64];      /* without the leading NUL */
  int l4, c4, a4;         /* TCP 127.0.0.1 listener, client, accepted */
  int l6, c6, a6;         /* TCP ::1 */
  int cm, am;             /* IPv6 client to ::ffff:127.0.0.1, accepted by l4 */
  int ul, uc, ua;         /* unix listener (path with a space), client, accepted */
  int uabs;               /* abstract unix listener */
  int sp[2];              /* socketpair */
  int ub, ucn;            /* UDP bound, UDP connected to ub */
  int hl;                 /* per test: a host listener (namespace tests) */
  int extra[8];           /* per test: more sockets, closed in the teardown */
  char odd[160];          /* a path with a newline and a trailing space */
} S;

static int group_setup(void **state) {
  (void)state;
  test_pid = getpid();
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  S.hl = -1;
  for (int i = 0; i < 8; i++) S.extra[i] = -1;
  snprintf(S.dir, sizeof S.dir, "/tmp/procnet-live-XXXXXX");
  if (!mkdtemp(S.dir)) return -1;
  snprintf(S.upath, sizeof S.upath, "%s/my sock", S.dir);
  /* unique on the machine: the pid alone may repeat in another container */
  snprintf(S.abstract, sizeof S.abstract, "procnet-live-%d-%.6s", (int)getpid(),
           S.dir + strlen("/tmp/procnet-live-"));

  S.l4 = tcp_listen(AF_INET, "127.0.0.1", 0);
  S.c4 = tcp_connect(AF_INET, "127.0.0.1", port_of(S.l4));
  S.a4 = accept4(S.l4, NULL, NULL, SOCK_CLOEXEC);
  S.l6 = tcp_listen(AF_INET6, "::1", 0);
  S.c6 = tcp_connect(AF_INET6, "::1", port_of(S.l6));
  S.a6 = accept4(S.l6, NULL, NULL, SOCK_CLOEXEC);
  S.cm = tcp_connect(AF_INET6, "::ffff:127.0.0.1", port_of(S.l4));
  S.am = accept4(S.l4, NULL, NULL, SOCK_CLOEXEC);

  S.ul = unix_listen(S.upath, strlen(S.upath));
  S.uc = unix_connect(S.upath);
  S.ua = accept4(S.ul, NULL, NULL, SOCK_CLOEXEC);
  char abs_addr[64];
  abs_addr[0] = 0;
  memcpy(abs_addr + 1, S.abstract, strlen(S.abstract));
  S.uabs = unix_listen(abs_addr, strlen(S.abstract) + 1);
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, S.sp) != 0) return -1;

  S.ub = inet_socket(AF_INET, SOCK_DGRAM, "127.0.0.1", 0, 0);
  S.ucn = inet_connect(AF_INET, SOCK_DGRAM, "127.0.0.1", port_of(S.ub));

  int all[] = {S.l4, S.c4, S.a4, S.l6, S.c6, S.a6, S.cm, S.am, S.ul,
               S.uc, S.ua, S.uabs, S.ub, S.ucn};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    if (all[i] < 0) {
      fprintf(stderr, "group setup: socket %zu failed: %s\n", i, strerror(errno));
      return -1;
    }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  kill_kids();
  int all[] = {S.l4, S.c4, S.a4, S.l6, S.c6, S.a6, S.cm, S.am, S.ul,
               S.uc, S.ua, S.uabs, S.sp[0], S.sp[1], S.ub, S.ucn};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    if (all[i] > 2) close(all[i]);
  unlink(S.upath);
  if (S.odd[0]) unlink(S.odd);
  rmdir(S.dir);
  return 0;
}

/* Per test: kill and reap every child, close the host listener. */
static int teardown_kids(void **state) {
  (void)state;
  kill_kids();
  if (S.hl >= 0) close(S.hl);
  S.hl = -1;
  for (int i = 0; i < 8; i++) {
    if (S.extra[i] >= 0) close(S.extra[i]);
    S.extra[i] = -1;
  }
  return 0;
}

/* ---- 1. the test process's own sockets ----------------------------------------- */

typedef struct fdrow {
  int fd;
  char text[256];
} fdrow;

static int cmp_fdrow(const void *a, const void *b) {
  return ((const fdrow *)a)->fd - ((const fdrow *)b)->fd;
}

/* "fd|rest\n" lines ordered by fd. */
static char *rows_by_fd(fdrow *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_fdrow);
  sqlite3_str *s = sqlite3_str_new(NULL);
  for (size_t i = 0; i < n; i++) sqlite3_str_appendf(s, "%d|%s\n", v[i].fd, v[i].text);
  return sqlite3_str_finish(s);
}

static void tcp_sockets_of_this_process(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  int p4 = port_of(S.l4), p6 = port_of(S.l6);
  fdrow v[] = {
      {S.l4, ""}, {S.c4, ""}, {S.a4, ""}, {S.l6, ""},
      {S.c6, ""}, {S.a6, ""}, {S.cm, ""}, {S.am, ""},
  };
  snprintf(v[0].text, 256, "IPv4|127.0.0.1|%d|0.0.0.0|0|LISTEN", p4);
  snprintf(v[1].text, 256, "IPv4|127.0.0.1|%d|127.0.0.1|%d|ESTABLISHED", port_of(S.c4), p4);
  snprintf(v[2].text, 256, "IPv4|127.0.0.1|%d|127.0.0.1|%d|ESTABLISHED", p4, port_of(S.c4));
  snprintf(v[3].text, 256, "IPv6|::1|%d|::|0|LISTEN", p6);
  snprintf(v[4].text, 256, "IPv6|::1|%d|::1|%d|ESTABLISHED", port_of(S.c6), p6);
  snprintf(v[5].text, 256, "IPv6|::1|%d|::1|%d|ESTABLISHED", p6, port_of(S.c6));
  snprintf(v[6].text, 256, "IPv6|::ffff:127.0.0.1|%d|::ffff:127.0.0.1|%d|ESTABLISHED",
           port_of(S.cm), p4);
  snprintf(v[7].text, 256, "IPv4|127.0.0.1|%d|127.0.0.1|%d|ESTABLISHED", p4, port_of(S.cm));
  char *expected = rows_by_fd(v, sizeof v / sizeof *v);
  assert_rows(db, expected,
              "SELECT fds.fd, family, local_address, local_port, remote_address,"
              " remote_port, state FROM net_tcp JOIN fds USING (inode)"
              " WHERE fds.pid = %d ORDER BY fds.fd", (int)getpid());
  sqlite3_free(expected);

  /* The same sockets the other way round (net_tcp outer), by inode. */
  assert_int_equal(pn_int(db, "SELECT fds.fd FROM net_tcp JOIN fds USING (inode)"
                              " WHERE net_tcp.inode = %lld", ino_of(S.cm)), S.cm);
  /* The fds row of a socket: its inode is the socket's, its type 'socket'. */
  char want[128];
  snprintf(want, sizeof want, "%lld|socket|socket:[%lld]\n", ino_of(S.l4), ino_of(S.l4));
  assert_rows(db, want, "SELECT inode, type, target FROM fds WHERE pid = %d AND fd = %d",
              (int)getpid(), S.l4);
  /* Each socket is listed once, however many namespaces are read. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE inode = %lld",
                          ino_of(S.l4)), 1);
  assert_int_equal(pn_int(db, "SELECT netns FROM net_tcp WHERE inode = %lld",
                          ino_of(S.l4)), netns_of(0));
  pn_close(db);
}

static void unix_sockets_of_this_process(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  fdrow v[] = {
      {S.ul, ""}, {S.uc, ""}, {S.ua, ""}, {S.uabs, ""}, {S.sp[0], ""}, {S.sp[1], ""},
  };
  snprintf(v[0].text, 256, "STREAM|LISTEN|%s", S.upath);
  snprintf(v[1].text, 256, "STREAM|CONNECTED|NULL");
  snprintf(v[2].text, 256, "STREAM|CONNECTED|%s", S.upath); /* as the kernel prints */
  snprintf(v[3].text, 256, "STREAM|LISTEN|@%s", S.abstract);
  snprintf(v[4].text, 256, "STREAM|CONNECTED|NULL");
  snprintf(v[5].text, 256, "STREAM|CONNECTED|NULL");
  char *expected = rows_by_fd(v, sizeof v / sizeof *v);
  assert_rows(db, expected,
              "SELECT fds.fd, net_unix.type, state, net_unix.path FROM net_unix"
              " JOIN fds USING (inode)"
              " WHERE fds.pid = %d ORDER BY fds.fd", (int)getpid());
  sqlite3_free(expected);

  /* The path is whole: what a user greps for finds it. */
  assert_int_equal(pn_int(db, "SELECT fds.fd FROM net_unix JOIN fds USING (inode)"
                              " WHERE net_unix.path = %Q AND state = 'LISTEN'", S.upath), S.ul);
  pn_close(db);
}

/* A path with a newline (the kernel splits the record over two lines) and a
 * trailing space, and an abstract name with an embedded NUL (printed '@'). */
static void unix_odd_paths_are_whole(void **state) {
  (void)state;
  snprintf(S.odd, sizeof S.odd, "%s/new\nline end ", S.dir);
  S.extra[0] = unix_listen(S.odd, strlen(S.odd));
  char abs_addr[64];
  int n = snprintf(abs_addr, sizeof abs_addr, "%cprocnet%cnul-%s", 0, 0, S.abstract);
  S.extra[1] = unix_listen(abs_addr, (size_t)n);
  assert_true(S.extra[0] >= 0 && S.extra[1] >= 0);
  sqlite3 *db = pn_open(NULL);
  char expect[256];
  snprintf(expect, sizeof expect, "%d|%s/new\\nline end |LISTEN\n", S.extra[0], S.dir);
  assert_rows(db, expect,
              "SELECT fds.fd, replace(net_unix.path, char(10), '\\n'), state"
              " FROM net_unix JOIN fds USING (inode) WHERE net_unix.path = %Q", S.odd);
  snprintf(expect, sizeof expect, "%d|@procnet@nul-%s\n", S.extra[1], S.abstract);
  assert_rows(db, expect, "SELECT fds.fd, net_unix.path FROM net_unix JOIN fds USING (inode)"
              " WHERE net_unix.inode = %lld", ino_of(S.extra[1]));
  /* The second line did not become a row of its own. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_unix WHERE inode = %lld",
                          ino_of(S.extra[0])), 1);
  /* (inode 0 alone is legal: a connection not yet accepted, anywhere on
   * the machine, is listed with inode 0 and its listener's path) */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_unix WHERE inode IS NULL"
                              " OR path LIKE 'line end%%'"), 0);
  pn_close(db);
}

static void unix_peers_point_at_each_other(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_int_equal(pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld",
                          ino_of(S.sp[0])), ino_of(S.sp[1]));
  assert_int_equal(pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld",
                          ino_of(S.sp[1])), ino_of(S.sp[0]));
  /* The connected client's peer is the server's accepted socket. */
  assert_int_equal(pn_int(db, "SELECT peer_inode FROM net_unix JOIN fds USING (inode)"
                              " WHERE fds.pid = %d AND fds.fd = %d", (int)getpid(), S.uc),
                   ino_of(S.ua));
  assert_int_equal(pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld",
                          ino_of(S.ua)), ino_of(S.uc));
  assert_rows(db, "NULL\n", "SELECT peer_inode FROM net_unix WHERE inode = %lld",
              ino_of(S.ul));
  /* Who is on the other end, as a user would ask it. */
  fdrow v[] = {{S.uc, ""}, {S.ua, ""}, {S.sp[0], ""}, {S.sp[1], ""}};
  snprintf(v[0].text, 256, "%d", S.ua);
  snprintf(v[1].text, 256, "%d", S.uc);
  snprintf(v[2].text, 256, "%d", S.sp[1]);
  snprintf(v[3].text, 256, "%d", S.sp[0]);
  char *expected = rows_by_fd(v, 4);
  assert_rows(db, expected,
              "SELECT a.fd, b.fd FROM fds a JOIN net_unix u ON u.inode = a.inode"
              " JOIN fds b ON b.inode = u.peer_inode"
              " WHERE a.pid = %d AND b.pid = %d ORDER BY a.fd",
              (int)getpid(), (int)getpid());
  sqlite3_free(expected);
  pn_close(db);
}

static void udp_sockets_of_this_process(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  int pb = port_of(S.ub);
  fdrow v[] = {{S.ub, ""}, {S.ucn, ""}};
  snprintf(v[0].text, 256, "IPv4|127.0.0.1|%d|0.0.0.0|0|CLOSE", pb);
  snprintf(v[1].text, 256, "IPv4|127.0.0.1|%d|127.0.0.1|%d|ESTABLISHED", port_of(S.ucn), pb);
  char *expected = rows_by_fd(v, 2);
  assert_rows(db, expected,
              "SELECT fds.fd, family, local_address, local_port, remote_address,"
              " remote_port, state FROM net_udp JOIN fds USING (inode)"
              " WHERE fds.pid = %d ORDER BY fds.fd", (int)getpid());
  sqlite3_free(expected);
  assert_rows(db, "17|1\n", "SELECT protocol, drops IS NOT NULL"
              " FROM net_udp WHERE inode = %lld", ino_of(S.ub));
  pn_close(db);
}

/* Every socket descriptor of the process is in `sockets`, once. */
static void sockets_table_covers_every_socket_fd(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  int me = (int)getpid();
  int64_t n_fds = pn_int(db, "SELECT count(*) FROM fds WHERE pid = %d AND type = 'socket'", me);
  assert_int_equal(n_fds, 16);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM fds JOIN sockets USING (inode)"
                              " WHERE fds.pid = %d", me), n_fds);
  assert_rows(db, "tcp|8\nudp|2\nunix|6\n",
              "SELECT kind, count(*) FROM fds JOIN sockets USING (inode)"
              " WHERE fds.pid = %d GROUP BY kind ORDER BY kind", me);
  pn_close(db);
}

/* A descriptor opened with O_PATH on a unix socket's file is not a socket:
 * type 'socket_file' with the file's inode, whichever plan reads it (the
 * pid walk, or the inode-ordered socket scan), and no socket holder. */
static void socket_file_is_not_a_socket(void **state) {
  (void)state;
  int me = (int)getpid();
  int pfd = open(S.upath, O_PATH | O_CLOEXEC);
  assert_true(pfd >= 0);
  struct stat st;
  assert_int_equal(fstatat(pfd, "", &st, AT_EMPTY_PATH), 0);
  sqlite3 *db = pn_open(NULL);
  char *want = sqlite3_mprintf("socket_file|%lld\n", (long long)st.st_ino);
  assert_rows(db, want, "SELECT type, inode FROM fds WHERE pid = %d AND fd = %d", me, pfd);
  sqlite3_free(want);
  int64_t walk = pn_int(db, "SELECT count(*) FROM fds WHERE pid = %d AND type = 'socket'", me);
  char *plan = pn_plan(db, "SELECT pid, fd FROM fds WHERE type = 'socket' ORDER BY inode");
  assert_non_null(strstr(plan, "INDEX 12:"));
  assert_null(strstr(plan, "TEMP B-TREE"));
  sqlite3_free(plan);
  char *scan = pn_rows(db, "SELECT pid, fd FROM fds WHERE type = 'socket' ORDER BY inode");
  int64_t in_scan = 0, at_pfd = 0;
  for (char *line = scan; *line;) {
    int pid = 0, fd = -1;
    sscanf(line, "%d|%d", &pid, &fd);
    in_scan += pid == me;
    at_pfd += pid == me && fd == pfd;
    char *nl = strchr(line, '\n');
    line = nl ? nl + 1 : line + strlen(line);
  }
  sqlite3_free(scan);
  assert_int_equal(in_scan, walk);
  assert_int_equal(at_pfd, 0);
  pn_close(db);
  close(pfd);
}

/* Raw, packet, netlink, UDP over IPv6 and unix datagram/seqpacket sockets
 * of the test process, through the `sockets` table. */
static void other_socket_kinds_of_this_process(void **state) {
  (void)state;
  int *x = S.extra;
  x[0] = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  x[1] = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  x[2] = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  x[3] = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
  x[4] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  x[5] = inet_socket(AF_INET6, SOCK_DGRAM, "::1", 0, 0);
  x[6] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  x[7] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  for (int i = 0; i < 8; i++)
    if (x[i] < 0) fail_msg("socket %d: %s", i, strerror(errno));
  struct sockaddr_nl nl;
  memset(&nl, 0, sizeof nl);
  nl.nl_family = AF_NETLINK; /* nl_pid 0: the kernel picks the port id */
  socklen_t nllen = sizeof nl;
  assert_int_equal(bind(x[4], (struct sockaddr *)&nl, sizeof nl), 0);
  assert_int_equal(getsockname(x[4], (struct sockaddr *)&nl, &nllen), 0);
  unsigned portid = nl.nl_pid;

  fdrow v[8];
  for (int i = 0; i < 8; i++) v[i].fd = x[i];
  snprintf(v[0].text, 256, "raw|IPv4|1|NULL|0.0.0.0|1|CLOSE");
  snprintf(v[1].text, 256, "raw|IPv6|58|NULL|::|58|CLOSE");
  snprintf(v[2].text, 256, "packet|PACKET|3|RAW|NULL|NULL|NULL");
  snprintf(v[3].text, 256, "packet|PACKET|2048|DGRAM|NULL|NULL|NULL");
  snprintf(v[4].text, 256, "netlink|NETLINK|0|NULL|NULL|%u|NULL", portid);
  snprintf(v[5].text, 256, "udp|IPv6|17|NULL|::1|%d|CLOSE", port_of(x[5]));
  snprintf(v[6].text, 256, "unix|UNIX|0|DGRAM|NULL|NULL|UNCONNECTED");
  snprintf(v[7].text, 256, "unix|UNIX|0|SEQPACKET|NULL|NULL|UNCONNECTED");
  char *expected = rows_by_fd(v, 8);
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, expected,
              "SELECT f.fd, s.kind, s.family, s.protocol, s.type, s.local_address,"
              " s.local_port, s.state FROM fds f JOIN sockets s USING (inode)"
              " WHERE f.pid = %d AND f.fd IN (%d,%d,%d,%d,%d,%d,%d,%d) ORDER BY f.fd",
              (int)getpid(), x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
  sqlite3_free(expected);
  /* The per-kind tables agree. */
  assert_int_equal(pn_int(db, "SELECT protocol FROM net_raw WHERE inode = %lld",
                          ino_of(x[1])), 58);
  assert_rows(db, "RAW|3|0\n", "SELECT type, protocol, ifindex FROM net_packet"
              " WHERE inode = %lld", ino_of(x[2]));
  char want[64];
  snprintf(want, sizeof want, "0|%u\n", portid);
  assert_rows(db, want, "SELECT protocol, portid FROM net_netlink WHERE inode = %lld",
              ino_of(x[4]));
  pn_close(db);
}

/* ---- 2. a socket held by two processes ------------------------------------------ */

#define SHARED_FD 100

static void child_hold_listener(const void *arg, int rep) {
  (void)arg;
  if (dup2(S.l4, SHARED_FD) < 0) {
    report(rep, "ERR dup2: %s", strerror(errno));
    return;
  }
  int keep[] = {rep, SHARED_FD};
  if (rep > SHARED_FD) keep[0] = SHARED_FD, keep[1] = rep;
  keep_only(keep, 2);
  report(rep, "OK");
  for (;;) pause();
}

static void shared_listener_lists_both_holders(void **state) {
  (void)state;
  char msg[256];
  pid_t kid = spawn(child_hold_listener, NULL, msg, sizeof msg);
  assert_string_equal(msg, "OK");
  sqlite3 *db = pn_open(NULL);
  fdrow v[] = {{(int)getpid(), ""}, {(int)kid, ""}};
  snprintf(v[0].text, 256, "%d|%lld", S.l4, ino_of(S.l4));
  snprintf(v[1].text, 256, "%d|%lld", SHARED_FD, ino_of(S.l4));
  char *expected = rows_by_fd(v, 2); /* ordered by pid here */
  assert_rows(db, expected,
              "SELECT fds.pid, fds.fd, inode FROM net_tcp JOIN fds USING (inode)"
              " WHERE local_address = '127.0.0.1' AND local_port = %d"
              " AND state = 'LISTEN' ORDER BY fds.pid", port_of(S.l4));
  sqlite3_free(expected);
  /* The other plan (fds outer, pid list) agrees. */
  assert_int_equal(pn_int(db, "SELECT count(DISTINCT inode) FROM fds JOIN net_tcp USING (inode)"
                              " WHERE fds.pid IN (%d, %d) AND state = 'LISTEN'"
                              " AND local_port = %d", (int)getpid(), (int)kid,
                          port_of(S.l4)), 1);
  pn_close(db);
}

/* ---- namespaces --------------------------------------------------------------- */

typedef struct ns_spec {
  int port;               /* 127.0.0.1:port listener */
  int rich;               /* also: v6 listener, connections in several states */
  int fd_as;              /* move the listener to this fd (0: leave it) */
  const char *comm;       /* rename the process (NULL: keep) */
  int ping;               /* also: ICMP ping sockets (v4, v6) at PING_FD */
} ns_spec;

#define PING_FD 60

#define RICH_V6_PORT 9090
#define RICH_SHARED_FD 77

static int lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  int rc = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ? -1 : 0;
  ifr.ifr_flags |= IFF_UP;
  if (rc == 0) rc = ioctl(s, SIOCSIFFLAGS, &ifr);
  if (s >= 0) close(s);
  return rc;
}

/* Waits until read() on fd returns EOF (the peer's FIN has arrived). */
static int wait_eof(int fd) {
  char c;
  return read(fd, &c, 1) == 0 ? 0 : -1;
}

/* In the new namespace, around the listener l on port: established v4,
 * v4-mapped and v6 connections, a TIME_WAIT, a CLOSE_WAIT (and its orphaned
 * FIN_WAIT2), and a grandchild sharing one accepted socket. Returns the
 * grandchild's pid or -1 (reported through rep). */
static pid_t rich_extras(int l, int port, int rep) {
  int l6 = tcp_listen_retry(AF_INET6, "::", RICH_V6_PORT);
  int c1 = tcp_connect(AF_INET, "127.0.0.1", port);
  int a1 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  int c2 = tcp_connect(AF_INET6, "::ffff:127.0.0.1", port);
  int a2 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  int c3 = tcp_connect(AF_INET6, "::1", RICH_V6_PORT);
  int a3 = l6 >= 0 ? accept4(l6, NULL, NULL, SOCK_CLOEXEC) : -1;
  int c4 = tcp_connect(AF_INET, "127.0.0.1", port); /* will be TIME_WAIT */
  int a4 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  int c5 = tcp_connect(AF_INET, "127.0.0.1", port); /* FIN_WAIT2 / CLOSE_WAIT */
  int a5 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  if (l6 < 0 || c1 < 0 || a1 < 0 || c2 < 0 || a2 < 0 || c3 < 0 || a3 < 0 ||
      c4 < 0 || a4 < 0 || c5 < 0 || a5 < 0) {
    report(rep, "ERR rich setup: %s", strerror(errno));
    return -1;
  }
  close(c4);
  if (wait_eof(a4) != 0) return report(rep, "ERR wait_eof a4"), -1;
  close(a4);
  close(c5);
  if (wait_eof(a5) != 0) return report(rep, "ERR wait_eof a5"), -1;

  int gp[2];
  if (pipe(gp) != 0) return report(rep, "ERR pipe"), -1;
  pid_t g = fork();
  if (g < 0) return report(rep, "ERR fork"), -1;
  if (g == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(a1, RICH_SHARED_FD);
    int keep[] = {gp[1], RICH_SHARED_FD};
    if (gp[1] > RICH_SHARED_FD) keep[0] = RICH_SHARED_FD, keep[1] = gp[1];
    keep_only(keep, 2);
    if (write(gp[1], "x", 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(gp[1]);
  char c;
  if (read(gp[0], &c, 1) != 1) return report(rep, "ERR grandchild"), -1;
  close(gp[0]);
  return g;
}

/* Ping sockets need the caller's gid in net.ipv4.ping_group_range, which
 * is per namespace: open it to gid 0 here only. */
static int ping_sockets(int rep) {
  int f = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
  if (f < 0 || write(f, "0 0\n", 4) != 4) {
    report(rep, "ERR ping_group_range: %s", strerror(errno));
    return -1;
  }
  close(f);
  int p4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
  int p6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  struct sockaddr_storage ss;
  struct sockaddr_storage ss6;
  socklen_t len4 = make_addr(AF_INET, "127.0.0.1", 0, &ss);
  socklen_t len6 = make_addr(AF_INET6, "::1", 0, &ss6);
  /* Only bound ping sockets are in the kernel's table (and the file). */
  if (p4 < 0 || p6 < 0 || bind(p4, (struct sockaddr *)&ss, len4) != 0 ||
      bind(p6, (struct sockaddr *)&ss6, len6) != 0 ||
      dup2(p4, PING_FD) < 0 || dup2(p6, PING_FD + 1) < 0) {
    report(rep, "ERR ping sockets: %s", strerror(errno));
    return -1;
  }
  close(p4);
  close(p6);
  return 0;
}

static void child_in_netns(const void *arg, int rep) {
  const ns_spec *sp = arg;
  int keep[] = {rep};
  keep_only(keep, 1);
  if (unshare(CLONE_NEWNET) != 0) {
    report(rep, "SKIP unshare(CLONE_NEWNET): %s", strerror(errno));
    return;
  }
  if (lo_up() != 0) {
    report(rep, "ERR bringing lo up: %s", strerror(errno));
    return;
  }
  int l = tcp_listen_retry(AF_INET, "127.0.0.1", sp->port);
  if (l < 0) {
    report(rep, "ERR listen 127.0.0.1:%d: %s", sp->port, strerror(errno));
    return;
  }
  if (sp->fd_as) {
    dup2(l, sp->fd_as);
    close(l);
    l = sp->fd_as;
  }
  if (sp->comm) prctl(PR_SET_NAME, sp->comm);
  if (sp->ping && ping_sockets(rep) != 0) return;
  pid_t g = 0;
  if (sp->rich && (g = rich_extras(l, sp->port, rep)) < 0) return;
  report(rep, "OK %d", (int)g);
  for (;;) pause();
}

/* Starts a child in a new network namespace; skips the test when that is
 * not possible here. Returns the child's pid; *grandchild for rich ones. */
static pid_t start_ns_child(const ns_spec *sp, pid_t *grandchild) {
  if (geteuid() != 0) {
    print_message("skipping: network namespaces need root (euid %d)\n", (int)geteuid());
    skip();
  }
  char msg[512];
  pid_t pid = spawn(child_in_netns, sp, msg, sizeof msg);
  if (strncmp(msg, "SKIP ", 5) == 0) {
    print_message("skipping: %s\n", msg + 5);
    skip();
  }
  int g = 0;
  if (sscanf(msg, "OK %d", &g) != 1) fail_msg("namespace child: %s", msg);
  if (g > 0) kid_add(g);
  if (grandchild) *grandchild = g;
  assert_true(netns_of(pid) > 0);
  assert_true(netns_of(pid) != netns_of(0));
  return pid;
}

/* A host listener on 127.0.0.1: 8080 if free (the scenario's port), else
 * another fixed port, else any port. */
static int host_listener_port(void) {
  static const int ports[] = {8080, 18080, 28080, 38080, 48080};
  for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) {
    S.hl = tcp_listen(AF_INET, "127.0.0.1", ports[i]);
    if (S.hl >= 0) return ports[i];
  }
  S.hl = tcp_listen(AF_INET, "127.0.0.1", 0);
  if (S.hl >= 0) return port_of(S.hl);
  fail_msg("no free port for the host listener");
  return -1;
}

static void ping_sockets_in_a_namespace(void **state) {
  (void)state;
  ns_spec sp = {.port = 8080, .ping = 1};
  pid_t kid = start_ns_child(&sp, NULL);
  sqlite3 *db = pn_open(NULL);
  char expect[256];
  snprintf(expect, sizeof expect, "%d|IPv4|1|127.0.0.1|%lld\n%d|IPv6|58|::1|%lld\n",
           PING_FD, netns_of(kid), PING_FD + 1, netns_of(kid));
  assert_rows(db, expect,
              "SELECT fds.fd, family, protocol, local_address, net_icmp.netns"
              " FROM net_icmp JOIN fds USING (inode)"
              " WHERE ns_pid = %d ORDER BY fds.fd", (int)kid);
  assert_rows(db, "icmp|2\n", "SELECT kind, count(*) FROM sockets WHERE ns_pid = %d"
              " AND kind = 'icmp' GROUP BY kind", (int)kid);
  pn_close(db);
}

/* ---- 3. listeners on the same port in three namespaces ---------------------- */

static void same_port_in_three_namespaces(void **state) {
  (void)state;
  int port = host_listener_port();
  ns_spec sp = {.port = port};
  pid_t a = start_ns_child(&sp, NULL);
  pid_t b = start_ns_child(&sp, NULL);
  pid_t me = getpid();
  long long ns_me = netns_of(0), ns_a = netns_of(a), ns_b = netns_of(b);
  assert_true(ns_a != ns_b);
  char comm[64];
  comm_of(me, comm, sizeof comm);

  sqlite3 *db = pn_open(NULL);
  assert_int_equal(pn_int(db, "SELECT procnet_netns()"), ns_me);

  /* The query as a user types it. `state` must be qualified: processes has
   * one too. Other processes on this machine may listen on the port in
   * their own namespaces; only ours are checked. */
  sqlite3_stmt *st;
  char *sql = sqlite3_mprintf(
      "SELECT fds.pid, fds.fd, net_tcp.netns, inode, processes.pid, processes.name"
      " FROM net_tcp JOIN fds USING (inode) JOIN processes USING (pid)"
      " WHERE local_port = %d AND net_tcp.state = 'LISTEN'", port);
  st = prep(db, sql);
  sqlite3_free(sql);
  struct {
    pid_t pid;
    long long ns;
    int seen, fd, joined_pid;
    long long inode;
    char name[64];
  } want[3] = {{me, ns_me, 0, 0, 0, 0, ""}, {a, ns_a, 0, 0, 0, 0, ""},
               {b, ns_b, 0, 0, 0, 0, ""}};
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    pid_t pid = (pid_t)sqlite3_column_int(st, 0);
    for (int i = 0; i < 3; i++) {
      if (want[i].pid != pid) continue;
      want[i].seen++;
      want[i].fd = sqlite3_column_int(st, 1);
      assert_int_equal(sqlite3_column_int64(st, 2), want[i].ns);
      want[i].inode = sqlite3_column_int64(st, 3);
      want[i].joined_pid = sqlite3_column_int(st, 4);
      const char *nm = (const char *)sqlite3_column_text(st, 5);
      snprintf(want[i].name, sizeof want[i].name, "%s", nm ? nm : "NULL");
    }
  }
  assert_int_equal(rc, SQLITE_DONE);
  sqlite3_finalize(st);
  for (int i = 0; i < 3; i++) {
    if (want[i].seen != 1)
      fail_msg("listener of pid %d (netns %lld) seen %d times", (int)want[i].pid,
               want[i].ns, want[i].seen);
  }
  assert_int_equal(want[0].fd, S.hl);
  assert_int_equal(want[0].inode, ino_of(S.hl));

  /* `ns_pid = CHILD`: only that child's namespace, reported with its pid. */
  char expect[256];
  snprintf(expect, sizeof expect, "127.0.0.1|%d|0.0.0.0|0|LISTEN|%lld|%d|%lld\n",
           port, ns_a, (int)a, want[1].inode);
  assert_rows(db, expect, "SELECT local_address, local_port, remote_address, remote_port,"
              " state, netns, ns_pid, inode FROM net_tcp WHERE ns_pid = %d", (int)a);
  snprintf(expect, sizeof expect, "127.0.0.1|%d|0.0.0.0|0|LISTEN|%lld|%d|%lld\n",
           port, ns_b, (int)b, want[2].inode);
  assert_rows(db, expect, "SELECT local_address, local_port, remote_address, remote_port,"
              " state, netns, ns_pid, inode FROM net_tcp WHERE ns_pid = %d", (int)b);
  /* Reading one namespace through ns_pid walks nothing: a fresh connection
   * reads just the child's tcp and tcp6 (one sock_diag dump for both, as
   * root), or their two files without netlink. */
  sqlite3 *fresh = pn_open(NULL);
  assert_int_equal(pn_int(fresh, "SELECT count(*) FROM net_tcp WHERE ns_pid = %d", (int)a), 1);
  assert_int_equal(pn_stat(fresh, "netlink_dumps"), 1);
  assert_int_equal(pn_stat(fresh, "net_files_read"), 0);
  assert_int_equal(pn_stat(fresh, "dirs_listed"), 0);
  pn_exec(fresh, "SELECT procnet_netlink('off')");
  assert_int_equal(pn_int(fresh, "SELECT count(*) FROM net_tcp WHERE ns_pid = %d", (int)a), 1);
  assert_int_equal(pn_stat(fresh, "net_files_read"), 2);
  assert_int_equal(pn_stat(fresh, "dirs_listed"), 0);
  assert_int_equal(pn_stat(fresh, "fd_dirs_listed"), 0);
  pn_close(fresh);
  /* Both children at once (IN list). */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE ns_pid IN (%d, %d)",
                          (int)a, (int)b), 2);

  /* The caller's namespace only: the host listener, not the children's. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE netns = procnet_netns()"
                              " AND inode IN (%lld, %lld)", want[1].inode, want[2].inode), 0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE netns = procnet_netns()"
                              " AND inode = %lld", want[0].inode), 1);
  assert_int_equal(pn_int(db, "SELECT count(DISTINCT netns) FROM net_tcp"
                              " WHERE netns = procnet_netns()"), 1);
  /* `netns = N` for a child's namespace. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE netns = %lld", ns_a), 1);
  /* No socket is listed twice across namespaces. */
  assert_rows(db, "", "SELECT inode FROM net_tcp WHERE inode != 0"
              " GROUP BY inode HAVING count(*) > 1");

  /* Last, the processes side of the user's query: `JOIN processes USING
   * (pid)` must give the process that holds the socket. */
  for (int i = 0; i < 3; i++) {
    if (want[i].joined_pid != want[i].pid || strcmp(want[i].name, comm) != 0)
      fail_msg("net_tcp JOIN fds USING (inode) JOIN processes USING (pid): the"
               " listener held by pid %d (netns %lld) came out joined to process"
               " %d '%s', expected %d '%s'", (int)want[i].pid, want[i].ns,
               want[i].joined_pid, want[i].name, (int)want[i].pid, comm);
  }
  pn_close(db);
}

/* A socket stays in the namespace it was created in when its holder moves
 * to another one: net_tcp.netns is the socket's, processes.netns the
 * holder's, and the holder's own net/ no longer has it. */
static void child_listen_then_unshare(const void *arg, int rep) {
  (void)arg;
  int keep[] = {rep};
  keep_only(keep, 1);
  int l = tcp_listen(AF_INET, "127.0.0.1", 0);
  if (l < 0) {
    report(rep, "ERR listen: %s", strerror(errno));
    return;
  }
  if (unshare(CLONE_NEWNET) != 0) {
    report(rep, "SKIP unshare(CLONE_NEWNET): %s", strerror(errno));
    return;
  }
  report(rep, "OK %d %d", port_of(l), l);
  for (;;) pause();
}

static void socket_keeps_its_namespace_when_holder_moves(void **state) {
  (void)state;
  if (geteuid() != 0) {
    print_message("skipping: network namespaces need root\n");
    skip();
  }
  char msg[256];
  pid_t kid = spawn(child_listen_then_unshare, NULL, msg, sizeof msg);
  if (strncmp(msg, "SKIP ", 5) == 0) {
    print_message("skipping: %s\n", msg + 5);
    skip();
  }
  int port, fd;
  if (sscanf(msg, "OK %d %d", &port, &fd) != 2) fail_msg("child: %s", msg);
  long long host = netns_of(0), moved = netns_of(kid);
  assert_true(moved != host);
  sqlite3 *db = pn_open(NULL);
  char expect[256];
  snprintf(expect, sizeof expect, "%d|%d|%lld|%lld\n", (int)kid, fd, host, moved);
  assert_rows(db, expect,
              "SELECT pid, fd, net_tcp.netns, processes.netns"
              " FROM net_tcp JOIN fds USING (inode) JOIN processes USING (pid)"
              " WHERE local_address = '127.0.0.1' AND local_port = %d"
              " AND net_tcp.state = 'LISTEN'", port);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE ns_pid = %d"
                              " AND local_port = %d", (int)kid, port), 0);
  pn_close(db);
}

/* ---- 4. procnet agrees with ss ------------------------------------------------ */

static const char *kernel_state(const char *ss_state) {
  static const char *const map[][2] = {
      {"ESTAB", "ESTABLISHED"}, {"SYN-SENT", "SYN_SENT"}, {"SYN-RECV", "SYN_RECV"},
      {"FIN-WAIT-1", "FIN_WAIT1"}, {"FIN-WAIT-2", "FIN_WAIT2"},
      {"TIME-WAIT", "TIME_WAIT"}, {"UNCONN", "CLOSE"}, {"CLOSE-WAIT", "CLOSE_WAIT"},
      {"LAST-ACK", "LAST_ACK"}, {"LISTEN", "LISTEN"}, {"CLOSING", "CLOSING"}};
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (strcmp(map[i][0], ss_state) == 0) return map[i][1];
  return ss_state;
}

/* "addr:port" with wildcards as "*", no brackets, no %scope, port "*" = 0. */
static void norm_endpoint(const char *addr, long port, char *out, size_t n) {
  char a[128];
  snprintf(a, sizeof a, "%s", addr);
  a[strcspn(a, "%")] = 0;
  if (!strcmp(a, "0.0.0.0") || !strcmp(a, "::")) snprintf(a, sizeof a, "*");
  snprintf(out, n, "%s:%ld", a, port);
}

static void norm_ss_endpoint(const char *text, char *out, size_t n) {
  char a[128];
  snprintf(a, sizeof a, "%s", text);
  char *colon = strrchr(a, ':');
  long port = 0;
  if (colon) {
    *colon = 0;
    port = strcmp(colon + 1, "*") == 0 ? 0 : strtol(colon + 1, NULL, 10);
  }
  char *addr = a;
  if (addr[0] == '[') {
    addr++;
    addr[strcspn(addr, "]")] = 0;
  }
  norm_endpoint(addr, port, out, n);
}

/* Runs cmd and adds one entry per TCP socket line of `ss -tan[p]H`:
 * "STATE local peer" plus, with users, " name/pid/fd" per holder ("-" for
 * none). Returns the exit status of cmd. */
static int read_ss_tcp(const char *cmd, int with_users, strlist *out) {
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char state[32], local[160], peer[160], l[200], p[200];
    if (sscanf(line, "%31s %*s %*s %159s %159s", state, local, peer) != 3) continue;
    norm_ss_endpoint(local, l, sizeof l);
    norm_ss_endpoint(peer, p, sizeof p);
    const char *ks = kernel_state(state);
    if (!with_users) {
      sl_add(out, "%s %s %s", ks, l, p);
      continue;
    }
    const char *u = strstr(line, "users:(");
    if (!u) {
      sl_add(out, "%s %s %s -", ks, l, p);
      continue;
    }
    for (const char *q = u; (q = strstr(q, "(\""));) {
      q += 2;
      const char *end = strchr(q, '"');
      int pid, fd;
      if (!end || sscanf(end, "\",pid=%d,fd=%d", &pid, &fd) != 2) break;
      sl_add(out, "%s %s %s %.*s/%d/%d", ks, l, p, (int)(end - q), q, pid, fd);
      q = end;
    }
  }
  return pclose(f);
}

/* procnet's TCP sockets of namespace ns in the same form. */
static void read_procnet_tcp(sqlite3 *db, long long ns, int with_users, strlist *out) {
  sqlite3_stmt *st;
  char *sql = sqlite3_mprintf(
      "SELECT net_tcp.state, local_address, local_port, remote_address, remote_port,"
      " processes.name, fds.pid, fds.fd"
      " FROM net_tcp LEFT JOIN fds USING (inode) LEFT JOIN processes USING (pid)"
      " WHERE net_tcp.netns = %lld", ns);
  st = prep(db, sql);
  sqlite3_free(sql);
  if (!with_users) { /* one row per socket: no join needed */
    sqlite3_finalize(st);
    sql = sqlite3_mprintf("SELECT state, local_address, local_port, remote_address,"
                          " remote_port FROM net_tcp WHERE netns = %lld", ns);
    st = prep(db, sql);
    sqlite3_free(sql);
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    char l[200], p[200];
    norm_endpoint((const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2),
                  l, sizeof l);
    norm_endpoint((const char *)sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
                  p, sizeof p);
    const char *state = (const char *)sqlite3_column_text(st, 0);
    if (!with_users) sl_add(out, "%s %s %s", state, l, p);
    else if (sqlite3_column_type(st, 6) == SQLITE_NULL) sl_add(out, "%s %s %s -", state, l, p);
    else
      sl_add(out, "%s %s %s %s/%d/%d", state, l, p, sqlite3_column_text(st, 5),
             sqlite3_column_int(st, 6), sqlite3_column_int(st, 7));
  }
  assert_int_equal(rc, SQLITE_DONE);
  sqlite3_finalize(st);
}

static int has_prefix_entry(const strlist *l, const char *prefix) {
  for (size_t i = 0; i < l->n; i++)
    if (strncmp(l->v[i], prefix, strlen(prefix)) == 0) return 1;
  return 0;
}

static void tcp_in_a_namespace_matches_ss(void **state) {
  (void)state;
  ns_spec sp = {.port = 8080, .rich = 1};
  pid_t g = 0;
  pid_t kid = start_ns_child(&sp, &g);
  long long ns = netns_of(kid);
  sqlite3 *db = pn_open(NULL);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "nsenter -t %d -n ss -tanpH", (int)kid);
  strlist ss = {0}, pn = {0};
  int ok = 0;
  /* States settle asynchronously (TIME_WAIT after the last ACK): retry. */
  pn_retry r = pn_retry_for(10000, 25);
  while (!ok && pn_retry_again(&r)) {
    sl_free(&ss);
    sl_free(&pn);
    assert_int_equal(read_ss_tcp(cmd, 1, &ss), 0);
    read_procnet_tcp(db, ns, 1, &pn);
    sl_sort(&ss);
    sl_sort(&pn);
    ok = sl_equal(&ss, &pn) && has_prefix_entry(&pn, "TIME_WAIT ") &&
         has_prefix_entry(&pn, "FIN_WAIT2 ") && has_prefix_entry(&pn, "CLOSE_WAIT ");
  }
  if (!ok) {
    sl_print("ss inside the namespace", &ss);
    sl_print("procnet WHERE netns = N", &pn);
    fail_msg("procnet and ss disagree about namespace %lld", ns);
  }
  if (verbose_env()) sl_print("procnet = ss in the namespace", &pn);
  /* What the comparison covered: 1 + 1 listeners, 3 connections (6 ends),
   * the socket shared with the grandchild counted twice, TIME_WAIT,
   * FIN_WAIT2 + CLOSE_WAIT. */
  assert_int_equal(pn.n, 2 + 6 + 1 + 1 + 2);
  char probe[128];
  snprintf(probe, sizeof probe, "/%d/%d", (int)g, RICH_SHARED_FD);
  int shared = 0;
  for (size_t i = 0; i < pn.n; i++) shared += strstr(pn.v[i], probe) != NULL;
  assert_int_equal(shared, 1);
  assert_int_equal(has_prefix_entry(&pn, "ESTABLISHED ::ffff:127.0.0.1:"), 1);
  snprintf(probe, sizeof probe, "LISTEN *:%d *:0 ", RICH_V6_PORT);
  assert_int_equal(has_prefix_entry(&pn, probe), 1);
  sl_free(&ss);
  sl_free(&pn);
  pn_close(db);
}

/* Counts of e in a, b, c: stable sockets (in both ss reads) must be in
 * procnet; what procnet shows must be in one of the ss reads. Sockets that
 * came or went between the reads (other processes on this machine) are
 * ignored; the whole comparison is retried a few times. */
static int diff_stable(const strlist *ss1, const strlist *pn, const strlist *ss2,
                       int verbose) {
  int bad = 0;
  for (size_t i = 0; i < ss1->n; i++) {
    size_t c1 = sl_count(ss1, ss1->v[i]), c2 = sl_count(ss2, ss1->v[i]);
    size_t stable = c1 < c2 ? c1 : c2;
    if (sl_count(pn, ss1->v[i]) < stable) {
      if (verbose) print_error("  in ss (both reads), not in procnet: %s\n", ss1->v[i]);
      bad = 1;
    }
  }
  for (size_t i = 0; i < pn->n; i++) {
    size_t c1 = sl_count(ss1, pn->v[i]), c2 = sl_count(ss2, pn->v[i]);
    if (sl_count(pn, pn->v[i]) > (c1 > c2 ? c1 : c2)) {
      if (verbose) print_error("  in procnet, in neither ss read: %s\n", pn->v[i]);
      bad = 1;
    }
  }
  return bad;
}

static void host_tcp_matches_ss(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  long long ns = netns_of(0);
  strlist ss1 = {0}, pn = {0}, ss2 = {0};
  int bad = 1;
  /* Other connections of the machine come and go between the reads: retry
   * until one round agrees. */
  pn_retry r = pn_retry_for(10000, 20);
  while (bad && pn_retry_again(&r)) {
    sl_free(&ss1);
    sl_free(&pn);
    sl_free(&ss2);
    assert_int_equal(read_ss_tcp("ss -tanH", 0, &ss1), 0);
    read_procnet_tcp(db, ns, 0, &pn);
    assert_int_equal(read_ss_tcp("ss -tanH", 0, &ss2), 0);
    sl_sort(&ss1);
    sl_sort(&pn);
    sl_sort(&ss2);
    bad = diff_stable(&ss1, &pn, &ss2, 0);
  }
  if (bad) {
    diff_stable(&ss1, &pn, &ss2, 1);
    fail_msg("procnet and `ss -tan` disagree about the host namespace");
  }
  if (verbose_env()) {
    sl_print("ss -tan (first read)", &ss1);
    sl_print("procnet, host namespace", &pn);
  }
  /* Our own sockets are among them. */
  char e[256];
  snprintf(e, sizeof e, "LISTEN ::1:%d *:0", port_of(S.l6));
  assert_int_equal(sl_count(&pn, e), 1);
  snprintf(e, sizeof e, "ESTABLISHED ::ffff:127.0.0.1:%d ::ffff:127.0.0.1:%d",
           port_of(S.cm), port_of(S.l4));
  assert_int_equal(sl_count(&pn, e), 1);
  sl_free(&ss1);
  sl_free(&pn);
  sl_free(&ss2);
  pn_close(db);
}

/* One unix socket as `ss -xaH` prints it and as procnet has it. */
typedef struct usock {
  long long ino, peer;
  char type[16], state[16];
  char *path; /* NULL: unbound */
} usock;

typedef struct ulist {
  usock *v;
  size_t n, cap;
} ulist;

static void ul_add(ulist *l, usock u) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 256;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    assert_non_null(l->v);
  }
  l->v[l->n++] = u;
}

static void ul_free(ulist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i].path);
  free(l->v);
  memset(l, 0, sizeof *l);
}

static int cmp_usock(const void *a, const void *b) {
  long long x = ((const usock *)a)->ino, y = ((const usock *)b)->ino;
  return (x > y) - (x < y);
}

static void ul_sort(ulist *l) {
  if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_usock);
}

/* l must be sorted (ul_sort). */
static const usock *ul_find(const ulist *l, long long ino) {
  usock key;
  memset(&key, 0, sizeof key);
  key.ino = ino;
  return l->n ? bsearch(&key, l->v, l->n, sizeof *l->v, cmp_usock) : NULL;
}

static void read_ss_unix(ulist *out) {
  FILE *f = popen("ss -xaH", "r");
  assert_non_null(f);
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    char *tok[256];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, " \t", &save); t && n < 256;
         t = strtok_r(NULL, " \t", &save))
      tok[n++] = t;
    if (n < 8) continue;
    usock u;
    memset(&u, 0, sizeof u);
    const char *netid = tok[0];
    snprintf(u.type, sizeof u.type, "%s",
             !strcmp(netid, "u_str") ? "STREAM" : !strcmp(netid, "u_dgr") ? "DGRAM"
             : !strcmp(netid, "u_seq") ? "SEQPACKET" : netid);
    snprintf(u.state, sizeof u.state, "%s",
             !strcmp(tok[1], "ESTAB") ? "CONNECTED" : !strcmp(tok[1], "UNCONN")
             ? "UNCONNECTED" : tok[1]);
    u.ino = atoll(tok[n - 3]);
    u.peer = atoll(tok[n - 1]);
    /* The path is every token between Send-Q and the inode (ss prints it
     * raw, so a space in it splits it). */
    sqlite3_str *p = sqlite3_str_new(NULL);
    for (int i = 4; i < n - 3; i++) {
      if (i > 4) sqlite3_str_appendchar(p, 1, ' ');
      sqlite3_str_appendall(p, tok[i]);
    }
    char *path = sqlite3_str_finish(p);
    if (path && strcmp(path, "*") != 0) u.path = strdup(path);
    sqlite3_free(path);
    ul_add(out, u);
  }
  assert_int_equal(pclose(f), 0);
}

static void read_procnet_unix(sqlite3 *db, ulist *out) {
  sqlite3_stmt *st;
  st = prep(db, "SELECT inode, coalesce(peer_inode, 0), type, state, path"
                " FROM net_unix WHERE netns = procnet_netns()"
                /* not yet accepted: inode 0, and ss -xa leaves them out */
                " AND inode != 0");
  while (sqlite3_step(st) == SQLITE_ROW) {
    usock u;
    memset(&u, 0, sizeof u);
    u.ino = sqlite3_column_int64(st, 0);
    u.peer = sqlite3_column_int64(st, 1);
    snprintf(u.type, sizeof u.type, "%s", sqlite3_column_text(st, 2));
    snprintf(u.state, sizeof u.state, "%s", sqlite3_column_text(st, 3));
    const char *path = (const char *)sqlite3_column_text(st, 4);
    if (path) u.path = strdup(path);
    ul_add(out, u);
  }
  sqlite3_finalize(st);
}

static int same_path(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A path ss prints unambiguously (no run of spaces, tabs or newlines). */
static int plain_path(const char *p) {
  return !p || (!strstr(p, "  ") && !strpbrk(p, "\t\n"));
}

static int diff_unix(const ulist *ss1, const ulist *pn, const ulist *ss2, int verbose) {
  int bad = 0;
  for (size_t i = 0; i < ss1->n; i++) {
    const usock *a = &ss1->v[i], *b = ul_find(ss2, a->ino), *p = ul_find(pn, a->ino);
    if (!b) continue; /* came and went */
    if (!p) {
      if (verbose) print_error("  ss inode %lld not in procnet\n", a->ino);
      bad = 1;
      continue;
    }
    if (a->peer == b->peer && p->peer != a->peer) {
      if (verbose)
        print_error("  inode %lld: ss peer %lld, procnet peer_inode %lld\n", a->ino,
                    a->peer, p->peer);
      bad = 1;
    }
    if (same_path(a->path, b->path) && plain_path(p->path) && !same_path(a->path, p->path)) {
      if (verbose)
        print_error("  inode %lld: ss path <%s>, procnet path <%s>\n", a->ino,
                    a->path ? a->path : "NULL", p->path ? p->path : "NULL");
      bad = 1;
    }
    if (strcmp(a->type, p->type) != 0 ||
        (!strcmp(a->state, b->state) && strcmp(a->state, p->state) != 0)) {
      if (verbose)
        print_error("  inode %lld: ss %s %s, procnet %s %s\n", a->ino, a->type,
                    a->state, p->type, p->state);
      bad = 1;
    }
  }
  for (size_t i = 0; i < pn->n; i++)
    if (!ul_find(ss1, pn->v[i].ino) && !ul_find(ss2, pn->v[i].ino) &&
        !(pn->v[i].path && strchr(pn->v[i].path, '\n'))) { /* ss splits those */
      if (verbose) print_error("  procnet inode %lld in neither ss read\n", pn->v[i].ino);
      bad = 1;
    }
  return bad;
}

static void host_unix_matches_ss(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  ulist ss1 = {0}, pn = {0}, ss2 = {0};
  int bad = 1;
  pn_retry r = pn_retry_for(10000, 20);
  while (bad && pn_retry_again(&r)) {
    ul_free(&ss1);
    ul_free(&pn);
    ul_free(&ss2);
    read_ss_unix(&ss1);
    read_procnet_unix(db, &pn);
    read_ss_unix(&ss2);
    ul_sort(&ss1);
    ul_sort(&pn);
    ul_sort(&ss2);
    bad = diff_unix(&ss1, &pn, &ss2, 0);
  }
  if (bad) {
    diff_unix(&ss1, &pn, &ss2, 1);
    fail_msg("procnet and `ss -xa` disagree (%zu, %zu, %zu sockets)", ss1.n, pn.n, ss2.n);
  }
  if (verbose_env())
    for (size_t i = 0; i < pn.n; i++)
      print_message("  %lld %s %s peer %lld <%s>\n", pn.v[i].ino, pn.v[i].type,
                    pn.v[i].state, pn.v[i].peer, pn.v[i].path ? pn.v[i].path : "NULL");
  print_message("unix sockets: ss %zu, procnet %zu, ss %zu\n", ss1.n, pn.n, ss2.n);
  /* Our sockets, in both. */
  struct {
    int fd;
    const char *path;
    int peer_fd;
  } ours[] = {{S.ul, S.upath, -1}, {S.uc, NULL, S.ua}, {S.ua, S.upath, S.uc},
              {S.uabs, NULL, -1}, {S.sp[0], NULL, S.sp[1]}, {S.sp[1], NULL, S.sp[0]}};
  char abs_path[80];
  snprintf(abs_path, sizeof abs_path, "@%s", S.abstract);
  ours[3].path = abs_path;
  for (size_t i = 0; i < sizeof ours / sizeof *ours; i++) {
    long long ino = ino_of(ours[i].fd);
    long long peer = ours[i].peer_fd >= 0 ? ino_of(ours[i].peer_fd) : 0;
    const usock *s = ul_find(&ss2, ino), *p = ul_find(&pn, ino);
    assert_non_null(s);
    assert_non_null(p);
    if (!same_path(p->path, ours[i].path) || !same_path(s->path, ours[i].path))
      fail_msg("fd %d: path procnet <%s> ss <%s> expected <%s>", ours[i].fd,
               p->path ? p->path : "NULL", s->path ? s->path : "NULL",
               ours[i].path ? ours[i].path : "NULL");
    assert_int_equal(p->peer, peer);
    assert_int_equal(s->peer, peer);
  }
  ul_free(&ss1);
  ul_free(&pn);
  ul_free(&ss2);
  pn_close(db);
}

/* ---- 5. the motivating scenario -------------------------------------------- */

#define JAVA_FD 146

static void container_listener_found_from_outside(void **state) {
  (void)state;
  ns_spec sp = {.port = 8080, .fd_as = JAVA_FD, .comm = "java"};
  pid_t java = start_ns_child(&sp, NULL);
  sqlite3 *db = pn_open(NULL);
  char expect[256];
  snprintf(expect, sizeof expect, "java|%d|%d|127.0.0.1|8080|LISTEN|%lld\n", (int)java,
           JAVA_FD, netns_of(java));
  /* `lsof -p PID` shows only "protocol: TCP", `ss -p` nothing: procnet
   * reads the process's own namespace. */
  assert_rows(db, expect,
              "SELECT processes.name, fds.pid, fds.fd, local_address, local_port,"
              " net_tcp.state, net_tcp.netns"
              " FROM net_tcp JOIN fds USING (inode) JOIN processes USING (pid)"
              " WHERE ns_pid = %d", (int)java);
  /* The host's own table does not have it, which is why the tools miss it. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp JOIN fds USING (inode)"
                              " WHERE netns = procnet_netns() AND fds.pid = %d",
                          (int)java), 0);
  /* ...and neither does ss in the host namespace. */
  strlist ss = {0};
  assert_int_equal(read_ss_tcp("ss -tanpH", 1, &ss), 0);
  char probe[64];
  snprintf(probe, sizeof probe, "java/%d/", (int)java);
  for (size_t i = 0; i < ss.n; i++) assert_null(strstr(ss.v[i], probe));
  sl_free(&ss);
  pn_close(db);
}

/* From inside the container's namespace (setns), the same query with
 * procnet_netns(). */
static void query_inside_netns(const void *arg, int rep) {
  const pid_t *target = arg;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)*target);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    report(rep, "ERR setns: %s", strerror(errno));
    _exit(1);
  }
  close(fd);
  sqlite3 *db = child_open();
  if (!db) {
    report(rep, "ERR open");
    _exit(1);
  }
  char *got = child_rows(db,
                         "SELECT processes.name, fds.pid, fds.fd, local_port"
                         " FROM net_tcp JOIN fds USING (inode)"
                         " JOIN processes USING (pid)"
                         " WHERE net_tcp.netns = procnet_netns()"
                         " AND net_tcp.state = 'LISTEN'");
  report(rep, "%s", got);
  sqlite3_free(got);
  sqlite3_close(db);
  _exit(0);
}

static void container_listener_found_from_inside(void **state) {
  (void)state;
  ns_spec sp = {.port = 8080, .fd_as = JAVA_FD, .comm = "java"};
  pid_t java = start_ns_child(&sp, NULL);
  char msg[512], expect[128];
  pid_t q = spawn(query_inside_netns, &java, msg, sizeof msg);
  assert_int_equal(wait_exit(q), 0);
  snprintf(expect, sizeof expect, "java|%d|%d|8080;", (int)java, JAVA_FD);
  assert_string_equal(msg, expect);
}

/* ---- 6. unprivileged ----------------------------------------------------------- */

#define NOBODY 65534
#define MARK_FD 50

/* Becomes uid/gid 65534 or reports SKIP and exits. */
static void drop_to_nobody(int rep) {
  if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
      setresuid(NOBODY, NOBODY, NOBODY) != 0) {
    report(rep, "SKIP dropping to uid %d: %s", NOBODY, strerror(errno));
    _exit(0);
  }
  /* Changing uid made us non-dumpable (our /proc/PID owned by root); a
   * process that exec'd as this user would be dumpable. */
  prctl(PR_SET_DUMPABLE, 1);
}

static void unprivileged_queries(const void *arg, int rep) {
  const long long *l4_inode = arg;
  pid_t me = getpid(), parent = getppid();
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, MARK_FD) < 0) _exit(2);
  close(devnull);
  /* A root process after this one in the walk: whatever was listed just
   * before it (this process's own descriptors), its listing is refused.
   * It ends with this process (which, as nobody, may not signal it). */
  pid_t after = fork();
  if (after < 0) _exit(2);
  if (after == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) pause();
  }
  drop_to_nobody(rep);
  sqlite3 *db = child_open();
  if (!db) {
    report(rep, "ERR open");
    _exit(1);
  }
  sqlite3_str *errs = sqlite3_str_new(NULL);
  char *n = child_rows(db, "SELECT count(*) > 0 FROM fds");
  if (strcmp(n, "1\n") != 0) sqlite3_str_appendf(errs, "[count(*) FROM fds] got <%s> ", n);
  sqlite3_free(n);
  char sql[512], expect[256];
  /* Root's processes: one row each, fd NULL, the reason in error. */
  snprintf(sql, sizeof sql, "SELECT pid, fd, error FROM fds WHERE pid = %d", (int)parent);
  snprintf(expect, sizeof expect, "%d|NULL|permission denied\n", (int)parent);
  child_expect(db, errs, expect, sql);
  snprintf(sql, sizeof sql, "SELECT pid, fd, error FROM fds WHERE +pid = %d", (int)parent);
  child_expect(db, errs, expect, sql); /* the same from the full scan */
  child_expect(db, errs, "1|NULL|permission denied\n",
               "SELECT pid, fd, error FROM fds WHERE pid = 1");
  snprintf(sql, sizeof sql, "SELECT pid, fd, error FROM fds WHERE +pid = %d", (int)after);
  snprintf(expect, sizeof expect, "%d|NULL|permission denied\n", (int)after);
  child_expect(db, errs, expect, sql);
  child_expect(db, errs, "1\n",
               "SELECT count(*) > 0 FROM fds JOIN processes USING (pid)"
               " WHERE processes.uid = 0 AND fds.fd IS NULL"
               " AND fds.error = 'permission denied'");
  child_expect(db, errs, "0\n",
               "SELECT count(*) FROM fds WHERE error IS NOT NULL AND fd IS NOT NULL");
  /* Its own process: fully listed, no error row. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM fds WHERE pid = %d AND"
           " (fd IS NULL OR error IS NOT NULL)", (int)me);
  child_expect(db, errs, "0\n", sql);
  snprintf(sql, sizeof sql, "SELECT target, type FROM fds WHERE pid = %d AND fd = %d",
           (int)me, MARK_FD);
  child_expect(db, errs, "/dev/null|char\n", sql);
  /* It inherited the parent's sockets; through its own fds they are found. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM fds JOIN net_tcp USING (inode)"
           " WHERE fds.pid = %d AND net_tcp.inode = %lld", (int)me, *l4_inode);
  child_expect(db, errs, "1\n", sql);
  /* Root's processes are still there with what is world-readable. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM processes WHERE pid = %d"
           " AND name IS NOT NULL AND uid = 0", (int)parent);
  child_expect(db, errs, "1\n", sql);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM net_tcp WHERE inode = %lld"
           " AND netns = procnet_netns()", *l4_inode);
  child_expect(db, errs, "1\n", sql);
  sqlite3_close(db);
  char *e = sqlite3_str_finish(errs);
  report(rep, "%s", e && *e ? e : "OK");
  int failed = e && *e;
  sqlite3_free(e);
  _exit(failed ? 1 : 0);
}

static void unprivileged_sees_denied_rows(void **state) {
  (void)state;
  if (geteuid() != 0) {
    print_message("skipping: dropping to uid %d needs root\n", NOBODY);
    skip();
  }
  long long inode = ino_of(S.l4);
  char msg[4096];
  pid_t kid = spawn(unprivileged_queries, &inode, msg, sizeof msg);
  int code = wait_exit(kid);
  if (strncmp(msg, "SKIP ", 5) == 0) {
    print_message("skipping: %s\n", msg + 5);
    skip();
  }
  if (code != 0 || strcmp(msg, "OK") != 0)
    fail_msg("unprivileged child (exit %d): %s", code, msg);
}

/* Unprivileged, another user's namespace: its ns/net link is unreadable,
 * its net/tcp is not. Its sockets are listed once, with netns NULL, and
 * `ns_pid = X` still reads them. */
typedef struct foreign_ns {
  pid_t pid;
  long long listener_inode, host_inode;
} foreign_ns;

static void unprivileged_namespace_queries(const void *arg, int rep) {
  const foreign_ns *f = arg;
  drop_to_nobody(rep);
  sqlite3 *db = child_open();
  if (!db) {
    report(rep, "ERR open");
    _exit(1);
  }
  sqlite3_str *errs = sqlite3_str_new(NULL);
  char sql[512], expect[256];
  snprintf(sql, sizeof sql, "SELECT local_address, local_port, state, netns, ns_pid"
           " FROM net_tcp WHERE ns_pid = %d", (int)f->pid);
  snprintf(expect, sizeof expect, "127.0.0.1|8080|LISTEN|NULL|%d\n", (int)f->pid);
  child_expect(db, errs, expect, sql);
  snprintf(sql, sizeof sql, "SELECT count(*), netns IS NULL FROM net_tcp WHERE inode = %lld",
           f->listener_inode);
  child_expect(db, errs, "1|1\n", sql);
  /* Our own namespace stays identified, merged with the root processes
   * keyed by their net/ entry: nothing twice. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM net_tcp WHERE inode = %lld"
           " AND netns = procnet_netns()", f->host_inode);
  child_expect(db, errs, "1\n", sql);
  child_expect(db, errs, "",
               "SELECT inode FROM net_tcp WHERE inode != 0 GROUP BY inode HAVING count(*) > 1");
  child_expect(db, errs, "",
               "SELECT inode FROM net_unix WHERE inode != 0 GROUP BY inode"
               " HAVING count(*) > 1");
  /* Its holder cannot be seen (fd/ is root's), which fds says. */
  snprintf(sql, sizeof sql, "SELECT fd, error FROM fds WHERE pid = %d", (int)f->pid);
  child_expect(db, errs, "NULL|permission denied\n", sql);
  sqlite3_close(db);
  char *e = sqlite3_str_finish(errs);
  report(rep, "%s", e && *e ? e : "OK");
  int failed = e && *e;
  sqlite3_free(e);
  _exit(failed ? 1 : 0);
}

static void unprivileged_sees_other_namespaces(void **state) {
  (void)state;
  ns_spec sp = {.port = 8080};
  foreign_ns f = {start_ns_child(&sp, NULL), 0, ino_of(S.l4)};
  sqlite3 *db = pn_open(NULL);
  f.listener_inode = pn_int(db, "SELECT inode FROM net_tcp WHERE ns_pid = %d", (int)f.pid);
  pn_close(db);
  char msg[4096];
  pid_t kid = spawn(unprivileged_namespace_queries, &f, msg, sizeof msg);
  int code = wait_exit(kid);
  if (strncmp(msg, "SKIP ", 5) == 0) {
    print_message("skipping: %s\n", msg + 5);
    skip();
  }
  if (code != 0 || strcmp(msg, "OK") != 0)
    fail_msg("unprivileged child (exit %d): %s", code, msg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tcp_sockets_of_this_process),
      cmocka_unit_test(unix_sockets_of_this_process),
      cmocka_unit_test_teardown(unix_odd_paths_are_whole, teardown_kids),
      cmocka_unit_test(unix_peers_point_at_each_other),
      cmocka_unit_test(udp_sockets_of_this_process),
      cmocka_unit_test(sockets_table_covers_every_socket_fd),
      cmocka_unit_test(socket_file_is_not_a_socket),
      cmocka_unit_test_teardown(other_socket_kinds_of_this_process, teardown_kids),
      cmocka_unit_test_teardown(shared_listener_lists_both_holders, teardown_kids),
      cmocka_unit_test_teardown(same_port_in_three_namespaces, teardown_kids),
      cmocka_unit_test_teardown(socket_keeps_its_namespace_when_holder_moves, teardown_kids),
      cmocka_unit_test_teardown(ping_sockets_in_a_namespace, teardown_kids),
      cmocka_unit_test_teardown(tcp_in_a_namespace_matches_ss, teardown_kids),
      cmocka_unit_test_teardown(host_tcp_matches_ss, teardown_kids),
      cmocka_unit_test_teardown(host_unix_matches_ss, teardown_kids),
      cmocka_unit_test_teardown(container_listener_found_from_outside, teardown_kids),
      cmocka_unit_test_teardown(container_listener_found_from_inside, teardown_kids),
      cmocka_unit_test_teardown(unprivileged_sees_denied_rows, teardown_kids),
      cmocka_unit_test_teardown(unprivileged_sees_other_namespaces, teardown_kids),
  };
  return cmocka_run_group_tests_name("live", tests, group_setup, group_teardown);
}
