/*
 * test_sock_diag.c: what sock_diag gives, in every network namespace,
 * checked against ss run inside each namespace (ip netns exec), as root.
 *
 * The scene: two named namespaces (ip netns add), each with a process
 * holding a TCP listener with backlog 77, an IPv6-only listener on [::],
 * a listener bound to the device lo (SO_BINDTODEVICE), an established
 * connection with 1000 unread bytes and keepalive on, a UDP socket with a
 * datagram unread and its connected sender, a unix socketpair, and a named
 * unix listener with a client. Then:
 *  - the ss view of each namespace equals `ip netns exec NS ss -tanp` and
 *    `ss -xap` in every column (backlog as Send-Q, %lo, [::], unix peers);
 *  - sock_diag equals the tokens of `ip netns exec NS ss -tanpieom` for
 *    each socket: ino, sk (cookie), v6only, skmem, options, congestion and
 *    every tcp_info field that does not move while the sockets are idle
 *    (rtt and the times since the last packet are only checked present);
 *  - with procnet_netlink('self') and ('off'), and for a reader that is
 *    not root, the rows are the same and the sock_diag columns are NULL
 *    where netlink may not go, and no query fails;
 *  - namespaces no process is in are listed: one bind-mounted by ip netns
 *    add (always), one kept alive by a socket alone (with
 *    procnet_netns_scan('descriptors')); namespaces.net_name is the
 *    ip netns name;
 *  - after every test, every thread of this process is in the namespace
 *    it started in.
 */
#include "pn_test.h"
#include "procnet.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/sockios.h>

#define NSCENES 2
#define PORT_BACKLOG 7001 /* backlog 77; the established pair is on it */
#define PORT_V6ONLY 7002
#define PORT_BOUND 7003
#define PORT_UDP 7004 /* a bound socket with a datagram unread, its sender */
#define UNREAD 1000

static struct {
  int ready;
  char dir[64];               /* the unix sockets' directory */
  char name[NSCENES][64];     /* ip netns names */
  long long netns[NSCENES];
  pid_t pid[NSCENES];
  long long own_netns;
} S;

/* ---- small tools ------------------------------------------------------------ */

static long long inode_of(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long long)sb.st_ino : -1;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...) {
  char cmd[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The whole output of a command, NUL-terminated (free it). */
static char *output_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *output_of(const char *fmt, ...) {
  char cmd[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  if (!p) fail_msg("popen %s: %s", cmd, strerror(errno));
  size_t n = 0, cap = 4096;
  char *s = malloc(cap);
  size_t got;
  while (s && (got = fread(s + n, 1, cap - n - 1, p)) > 0) {
    n += got;
    if (cap - n < 2) s = realloc(s, cap *= 2);
  }
  pclose(p);
  if (!s) fail_msg("out of memory");
  s[n] = '\0';
  return s;
}

/* Every thread of this process is in namespace ns. */
static void assert_threads_in(long long ns) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  assert_non_null(d);
  int n = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[300];
    snprintf(path, sizeof path, "/proc/self/task/%s/ns/net", e->d_name);
    long long ino = inode_of(path);
    if (ino >= 0 && ino != ns)
      fail_msg("thread %s is in namespace %lld, not %lld", e->d_name, ino, ns);
    n++;
  }
  closedir(d);
  assert_true(n >= 1);
}

/* ---- the scene --------------------------------------------------------------- */

static int must(int v, const char *what) {
  if (v < 0) {
    fprintf(stderr, "scene: %s: %s\n", what, strerror(errno));
    _exit(1);
  }
  return v;
}

static int tcp_listener(int family, int port, int backlog, const char *device,
                        int v6only) {
  int fd = must(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  int one = 1;
  must(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), "reuseaddr");
  if (device)
    must(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device)),
         "bindtodevice");
  if (v6only) must(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), "v6only");
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    a->sin6_addr = in6addr_any;
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(device ? INADDR_ANY : INADDR_LOOPBACK);
    len = sizeof *a;
  }
  must(bind(fd, (struct sockaddr *)&ss, len), "bind");
  must(listen(fd, backlog), "listen");
  return fd;
}

static void bring_lo_up(void) {
  int fd = must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  must(ioctl(fd, SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP;
  must(ioctl(fd, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS");
  close(fd);
}

static void unix_scene(const char *path) {
  int pair[2];
  must(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), "socketpair");
  int l = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
  struct sockaddr_un u;
  memset(&u, 0, sizeof u);
  u.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof u.sun_path) _exit(1);
  memcpy(u.sun_path, path, strlen(path));
  must(bind(l, (struct sockaddr *)&u, sizeof u), "unix bind");
  must(listen(l, 3), "unix listen");
  int c = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix client");
  must(connect(c, (struct sockaddr *)&u, sizeof u), "unix connect");
  must(accept(l, NULL, NULL), "unix accept");
}

/* The scene's process: enters namespace `name`, makes every socket, says
 * so on `ready` and waits to be killed. */
static void scene(const char *name, int ready) {
  char path[128];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int ns = must(open(path, O_RDONLY | O_CLOEXEC), "open netns");
  must(setns(ns, CLONE_NEWNET), "setns");
  bring_lo_up();
  int l = tcp_listener(AF_INET, PORT_BACKLOG, 77, NULL, 0);
  tcp_listener(AF_INET6, PORT_V6ONLY, 5, NULL, 1);
  tcp_listener(AF_INET, PORT_BOUND, 5, "lo", 0);
  int c = must(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "client");
  int one = 1;
  must(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), "keepalive");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT_BACKLOG)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  must(connect(c, (struct sockaddr *)&a, sizeof a), "connect");
  must(accept(l, NULL, NULL), "accept");
  char data[UNREAD];
  memset(data, 'x', sizeof data);
  must((int)write(c, data, sizeof data), "write");
  int u = must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "udp");
  struct sockaddr_in ua = {.sin_family = AF_INET, .sin_port = htons(PORT_UDP)};
  ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  must(bind(u, (struct sockaddr *)&ua, sizeof ua), "udp bind");
  int uc = must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "udp client");
  must(connect(uc, (struct sockaddr *)&ua, sizeof ua), "udp connect");
  must((int)write(uc, data, 100), "udp write");
  snprintf(path, sizeof path, "%s/%s.sock", S.dir, name);
  unix_scene(path);
  must((int)write(ready, "OK", 2), "ready");
  for (;;) pause();
}

static int setup(void **state) {
  (void)state;
  memset(&S, 0, sizeof S);
  S.own_netns = inode_of("/proc/thread-self/ns/net");
  if (geteuid() != 0 || run("command -v ip >/dev/null && command -v ss >/dev/null") != 0) {
    print_message("skipping: needs root, ip and ss\n");
    return 0;
  }
  snprintf(S.dir, sizeof S.dir, "/tmp/pn_sd.XXXXXX");
  if (!mkdtemp(S.dir)) return -1;
  for (int i = 0; i < NSCENES; i++) {
    snprintf(S.name[i], sizeof S.name[i], "pn_sd_%d_%d", (int)getpid(), i);
    if (run("ip netns add %s", S.name[i]) != 0) {
      print_message("skipping: ip netns add failed\n");
      return 0;
    }
    char path[128];
    snprintf(path, sizeof path, "/run/netns/%s", S.name[i]);
    S.netns[i] = inode_of(path);
    int p[2];
    if (pipe(p) != 0) return -1;
    S.pid[i] = fork();
    if (S.pid[i] < 0) return -1;
    if (S.pid[i] == 0) {
      close(p[0]);
      scene(S.name[i], p[1]);
    }
    close(p[1]);
    char ok[3] = {0};
    if (read(p[0], ok, 2) != 2 || strcmp(ok, "OK") != 0) return -1;
    close(p[0]);
  }
  S.ready = 1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (int i = 0; i < NSCENES; i++) {
    if (S.pid[i] > 0) {
      kill(S.pid[i], SIGKILL);
      waitpid(S.pid[i], NULL, 0);
    }
    if (S.name[i][0]) run("ip netns del %s 2>/dev/null", S.name[i]);
  }
  if (S.dir[0]) run("rm -rf %s", S.dir);
  return 0;
}

/* Each test ends with every thread where it started. */
static int threads_home(void **state) {
  (void)state;
  assert_threads_in(S.own_netns);
  return 0;
}

#define NEED_SCENE()                                                          \
  do {                                                                        \
    if (!S.ready) skip();                                                     \
  } while (0)

/* ---- the ss view against ss in the namespace -------------------------------- */

/* Collapses runs of blanks and sorts the lines, skipping the header. */
static char *normalized(char *text, int skip_header) {
  char *lines[256];
  int n = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < 256;
       l = strtok_r(NULL, "\n", &save)) {
    if (skip_header-- > 0) continue;
    char *w = l;
    for (char *r = l; *r; r++) {
      int blank = *r == ' ' || *r == '\t';
      if (blank && (w == l || w[-1] == ' ')) continue;
      *w++ = blank ? ' ' : *r;
    }
    while (w > l && w[-1] == ' ') w--;
    *w = '\0';
    lines[n++] = l;
  }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
      char *t = lines[j];
      lines[j] = lines[j - 1];
      lines[j - 1] = t;
    }
  size_t len = 1;
  for (int i = 0; i < n; i++) len += strlen(lines[i]) + 1;
  char *out = malloc(len);
  assert_non_null(out);
  out[0] = '\0';
  for (int i = 0; i < n; i++) {
    strcat(out, lines[i]);
    strcat(out, "\n");
  }
  return out;
}

static char *view_text(sqlite3 *db, const char *cols, const char *where, long long ns) {
  char *rows = pn_rows(db, "SELECT %s FROM ss WHERE netns = %lld AND %s", cols, ns, where);
  for (char *p = rows; *p; p++)
    if (*p == '|') *p = ' ';
  char *out = normalized(rows, 0);
  sqlite3_free(rows);
  return out;
}

static void assert_same_text(const char *what, const char *tool, const char *view) {
  if (strcmp(tool, view) != 0)
    fail_msg("%s differs\nss:\n%sprocnet:\n%s", what, tool, view);
}

static void ss_view_equals_ss_in_each_namespace(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_create_views()");
  for (int i = 0; i < NSCENES; i++) {
    char *raw = output_of("ip netns exec %s ss -tanp", S.name[i]);
    char *tool = normalized(raw, 1);
    char *view = view_text(db, "state, recv_q, send_q, local, peer, process",
                           "netid = 'tcp'", S.netns[i]);
    assert_same_text("ss -tanp", tool, view);
    /* what this test is about: the backlog, the bound device, [::] */
    assert_non_null(strstr(view, "LISTEN 0 77 127.0.0.1:7001 0.0.0.0:*"));
    assert_non_null(strstr(view, "0.0.0.0%lo:7003"));
    assert_non_null(strstr(view, "[::]:7002 [::]:*"));
    assert_non_null(strstr(view, "ESTAB 1000 0 127.0.0.1:7001"));
    free(raw);
    free(tool);
    free(view);
    raw = output_of("ip netns exec %s ss -xap", S.name[i]);
    tool = normalized(raw, 1);
    view = view_text(db, "netid, state, recv_q, send_q, local, peer, process",
                     "netid IN ('u_str', 'u_dgr', 'u_seq')", S.netns[i]);
    assert_same_text("ss -xap", tool, view);
    free(raw);
    free(tool);
    free(view);
    raw = output_of("ip netns exec %s ss -uanp", S.name[i]);
    tool = normalized(raw, 1);
    view = view_text(db, "state, recv_q, send_q, local, peer, process",
                     "netid = 'udp'", S.netns[i]);
    assert_same_text("ss -uanp", tool, view);
    /* the unread datagram counts (its buffer's size, as the kernel tells) */
    assert_non_null(strstr(view, " 0 127.0.0.1:7004 0.0.0.0:*"));
    assert_null(strstr(view, "UNCONN 0 0 127.0.0.1:7004"));
    free(raw);
    free(tool);
    free(view);
  }
  pn_close(db);
}

/* ---- sock_diag against ss -tanpieom ------------------------------------------ */

/* The value of `key:` among the blank-separated tokens of text (NULL). */
static const char *token(const char *text, const char *key, char *out, size_t cap) {
  size_t k = strlen(key);
  for (const char *p = text; (p = strstr(p, key)) != NULL; p += k) {
    if (p != text && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '(') continue;
    const char *v = p + k;
    size_t n = strcspn(v, " \t\n)");
    if (n >= cap) n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    return out;
  }
  return NULL;
}

static int has_word(const char *text, const char *word) {
  size_t k = strlen(word);
  for (const char *p = text; (p = strstr(p, word)) != NULL; p += k)
    if ((p == text || p[-1] == ' ' || p[-1] == '\t') &&
        (p[k] == ' ' || p[k] == '\n' || p[k] == '\0'))
      return 1;
  return 0;
}

/* The record of ss -tanpieom for inode `ino`: its line and the tab-led
 * line after it. NULL when ss did not list it. */
static char *ss_record(const char *out, long long ino) {
  char key[40];
  snprintf(key, sizeof key, "ino:%lld ", ino);
  const char *p = strstr(out, key);
  if (!p) return NULL;
  while (p > out && p[-1] != '\n') p--;
  const char *end = strchr(p, '\n');
  if (end && end[1] == '\t') end = strchr(end + 1, '\n');
  size_t n = end ? (size_t)(end - p) : strlen(p);
  char *r = malloc(n + 1);
  assert_non_null(r);
  memcpy(r, p, n);
  r[n] = '\0';
  return r;
}

/* ss's number for key (its %g of a field in microseconds, ms or bytes)
 * and procnet's column, scaled to ss's unit, must be equal. */
static void check_number(const char *rec, const char *key, sqlite3 *db,
                         long long ino, const char *column, double scale) {
  char v[64];
  char *got = pn_rows(db, "SELECT %s FROM sock_diag WHERE inode = %lld", column, ino);
  if (!token(rec, key, v, sizeof v)) {
    /* ss leaves out zeros and unset values: procnet must say 0 or NULL */
    if (strcmp(got, "0\n") != 0 && strcmp(got, "NULL\n") != 0)
      fail_msg("ino %lld: ss has no %s, procnet %s = %s", ino, key, column, got);
  } else {
    double want = strtod(v, NULL), have = strtod(got, NULL) / scale;
    if (have < want - 0.0005 || have > want + 0.0005)
      fail_msg("ino %lld: ss %s%s, procnet %s = %s", ino, key, v, column, got);
  }
  sqlite3_free(got);
}

static void check_skmem(const char *rec, sqlite3 *db, long long ino) {
  char want[128];
  if (!token(rec, "skmem:(", want, sizeof want)) fail_msg("ino %lld: no skmem", ino);
  char *got = pn_rows(db, "SELECT printf('r%%d,rb%%d,t%%d,tb%%d,f%%d,w%%d,o%%d,bl%%d,d%%d',"
                          " skmem_r, skmem_rb, skmem_t, skmem_tb, skmem_f, skmem_w,"
                          " skmem_o, skmem_bl, skmem_d) FROM sock_diag WHERE inode = %lld",
                      ino);
  got[strcspn(got, "\n")] = '\0';
  if (strcmp(got, want) != 0) fail_msg("ino %lld: skmem ss (%s) procnet (%s)", ino, want, got);
  sqlite3_free(got);
}

/* The fields of one socket that ss -e and -i print and that do not move
 * while it is idle. */
static void check_socket(const char *rec, sqlite3 *db, long long ino) {
  char v[64];
  /* -e: sk is the cookie in hex; uid is shown when not 0 */
  char *cookie = pn_rows(db, "SELECT printf('%%x', cookie) FROM sock_diag WHERE inode = %lld", ino);
  cookie[strcspn(cookie, "\n")] = '\0';
  if (!token(rec, "sk:", v, sizeof v) || strcmp(v, cookie) != 0)
    fail_msg("ino %lld: sk:%s, cookie %s", ino, token(rec, "sk:", v, sizeof v) ? v : "-", cookie);
  sqlite3_free(cookie);
  check_number(rec, "uid:", db, ino, "uid", 1);
  assert_int_equal(pn_int(db, "SELECT coalesce(v6only, 0) FROM sock_diag WHERE inode = %lld", ino),
                   token(rec, "v6only:", v, sizeof v) ? atoi(v) : 0);
  check_skmem(rec, db, ino);
  /* -i */
  char *cong = pn_rows(db, "SELECT congestion FROM sock_diag WHERE inode = %lld", ino);
  cong[strcspn(cong, "\n")] = '\0';
  if (!has_word(rec, cong)) fail_msg("ino %lld: congestion %s not in %s", ino, cong, rec);
  sqlite3_free(cong);
  assert_int_equal(pn_int(db, "SELECT instr(coalesce(options, ''), 'ts') > 0 FROM sock_diag"
                              " WHERE inode = %lld", ino), has_word(rec, "ts"));
  assert_int_equal(pn_int(db, "SELECT instr(coalesce(options, ''), 'sack') > 0 FROM sock_diag"
                              " WHERE inode = %lld", ino), has_word(rec, "sack"));
  if (token(rec, "wscale:", v, sizeof v)) {
    char *w = pn_rows(db, "SELECT snd_wscale || ',' || rcv_wscale FROM sock_diag WHERE inode = %lld", ino);
    w[strcspn(w, "\n")] = '\0';
    if (strcmp(w, v) != 0) fail_msg("ino %lld: wscale %s, procnet %s", ino, v, w);
    sqlite3_free(w);
  }
  check_number(rec, "rto:", db, ino, "rto_us", 1000);
  check_number(rec, "ato:", db, ino, "ato_us", 1000);
  check_number(rec, "mss:", db, ino, "snd_mss", 1);
  check_number(rec, "pmtu:", db, ino, "pmtu", 1);
  check_number(rec, "rcvmss:", db, ino, "rcv_mss", 1);
  check_number(rec, "advmss:", db, ino, "advmss", 1);
  check_number(rec, "cwnd:", db, ino, "cwnd", 1);
  check_number(rec, "bytes_sent:", db, ino, "bytes_sent", 1);
  check_number(rec, "bytes_acked:", db, ino, "bytes_acked", 1);
  check_number(rec, "bytes_received:", db, ino, "bytes_received", 1);
  check_number(rec, "segs_out:", db, ino, "segs_out", 1);
  check_number(rec, "segs_in:", db, ino, "segs_in", 1);
  check_number(rec, "data_segs_out:", db, ino, "data_segs_out", 1);
  check_number(rec, "data_segs_in:", db, ino, "data_segs_in", 1);
  check_number(rec, "delivered:", db, ino, "delivered", 1);
  check_number(rec, "rcv_space:", db, ino, "rcv_space", 1);
  check_number(rec, "rcv_ssthresh:", db, ino, "rcv_ssthresh", 1);
  check_number(rec, "snd_wnd:", db, ino, "snd_wnd", 1);
  assert_int_equal(pn_int(db, "SELECT coalesce(app_limited, 0) FROM sock_diag WHERE inode = %lld", ino),
                   has_word(rec, "app_limited"));
  /* moving: only present, and in ss's ballpark */
  if (token(rec, "rtt:", v, sizeof v))
    assert_true(pn_int(db, "SELECT rtt_us > 0 FROM sock_diag WHERE inode = %lld", ino));
  /* -o: the keepalive timer of the client */
  if (token(rec, "timer:(", v, sizeof v)) {
    char *t = pn_rows(db, "SELECT timer FROM sock_diag WHERE inode = %lld", ino);
    t[strcspn(t, "\n")] = '\0';
    if (strncmp(v, t, strlen(t)) != 0) fail_msg("ino %lld: timer:(%s, procnet %s", ino, v, t);
    sqlite3_free(t);
  }
}

static void sock_diag_equals_ss_tanpieom(void **state) {
  (void)state;
  NEED_SCENE();
  for (int i = 0; i < NSCENES; i++) {
    char *out = output_of("ip netns exec %s ss -tanpieom 2>/dev/null", S.name[i]);
    sqlite3 *db = pn_open(NULL);
    char *inodes = pn_rows(db, "SELECT inode FROM sock_diag WHERE netns = %lld"
                               " AND kind = 'tcp' AND inode <> 0", S.netns[i]);
    int n = 0;
    for (char *save = NULL, *l = strtok_r(inodes, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save), n++) {
      long long ino = atoll(l);
      char *rec = ss_record(out, ino);
      if (!rec) fail_msg("ss did not list ino %lld:\n%s", ino, out);
      check_socket(rec, db, ino);
      free(rec);
    }
    assert_int_equal(n, 5); /* three listeners, the two ends */
    /* the scene's values */
    assert_int_equal(pn_int(db, "SELECT backlog FROM sock_diag WHERE netns = %lld"
                                " AND local_port = %d AND state = 'LISTEN'",
                            S.netns[i], PORT_BACKLOG), 77);
    assert_int_equal(pn_int(db, "SELECT rx_queue FROM sock_diag WHERE netns = %lld"
                                " AND local_port = %d AND state = 'ESTABLISHED'",
                            S.netns[i], PORT_BACKLOG), UNREAD);
    assert_rows(db, "lo|1\n", "SELECT interface, ifindex FROM sock_diag"
                " WHERE netns = %lld AND local_port = %d", S.netns[i], PORT_BOUND);
    assert_rows(db, "keepalive\n", "SELECT timer FROM sock_diag WHERE netns = %lld"
                " AND remote_port = %d", S.netns[i], PORT_BACKLOG);
    sqlite3_free(inodes);
    pn_close(db);
    free(out);
  }
}

/* The unix sockets: peers pair up in each namespace, and the listener's
 * queues are ss's. */
static void unix_peers_and_queues_in_each_namespace(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  for (int i = 0; i < NSCENES; i++) {
    /* every connected socket's peer is a socket of the same namespace
     * whose peer is it */
    assert_int_equal(pn_int(db, "SELECT count(*) FROM net_unix a JOIN net_unix b"
                                " ON b.inode = a.peer_inode AND b.peer_inode = a.inode"
                                " WHERE a.netns = %lld AND b.netns = %lld",
                            S.netns[i], S.netns[i]), 4);
    assert_rows(db, "LISTEN|0|0|3\n", "SELECT state, rx_queue, tx_queue, backlog"
                " FROM net_unix WHERE netns = %lld AND path LIKE '%%.sock'"
                " AND state = 'LISTEN'", S.netns[i]);
  }
  pn_close(db);
}

/* ---- the two sources agree -------------------------------------------------- */

/* The columns both sources have give the same rows through sock_diag (one
 * dump for tcp and tcp6) and through the text files. */
static void sources_agree(void **state) {
  (void)state;
  NEED_SCENE();
  static const char *const queries[] = {
      "SELECT family, local_address, local_port, remote_address, remote_port,"
      " state, tx_queue, rx_queue, timer, uid, inode, protocol, netns"
      " FROM %s WHERE netns IN (%lld, %lld) ORDER BY inode, local_port",
      "SELECT inode, path, type, state, flags, netns FROM %s"
      " WHERE netns IN (%lld, %lld) ORDER BY inode"};
  static const char *const tables[][2] = {{"net_tcp", "net_udp"}, {"net_unix", NULL}};
  sqlite3 *db = pn_open(NULL);
  for (int q = 0; q < 2; q++)
    for (int t = 0; t < 2 && tables[q][t]; t++) {
      pn_exec(db, "SELECT procnet_netlink('all')");
      int64_t dumps = pn_stat(db, "netlink_dumps");
      char *diag = pn_rows(db, queries[q], tables[q][t], S.netns[0], S.netns[1]);
      assert_true(pn_stat(db, "netlink_dumps") > dumps);
      pn_exec(db, "SELECT procnet_netlink('off')");
      char *text = pn_rows(db, queries[q], tables[q][t], S.netns[0], S.netns[1]);
      if (strcmp(diag, text) != 0)
        fail_msg("%s: sock_diag\n%sthe text files\n%s", tables[q][t], diag, text);
      assert_true(strlen(diag) > 0);
      sqlite3_free(diag);
      sqlite3_free(text);
    }
  pn_close(db);
}

/* ---- one socket by inode ------------------------------------------------------ */

/* The dumps a read of every namespace's tcp and tcp6 base rows makes. */
static int64_t base_dumps(void) {
  sqlite3 *db = pn_open(NULL);
  pn_int(db, "SELECT count(backlog) FROM net_tcp");
  int64_t n = pn_stat(db, "netlink_dumps");
  pn_close(db);
  return n;
}

/* A lookup of one socket asks the kernel for that socket: a unix socket by
 * its inode (no dump), an IP socket's TCP internals for it alone (the
 * snapshots without them, one dump per namespace for tcp and tcp6); and
 * gives what the whole table gives for it. */
static void one_socket_by_inode(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  long long tcp = pn_int(db, "SELECT inode FROM net_tcp WHERE netns = %lld AND state ="
                             " 'ESTABLISHED' AND local_port = %d", S.netns[0], PORT_BACKLOG);
  long long unx = pn_int(db, "SELECT inode FROM net_unix WHERE netns = %lld AND peer_inode"
                             " IS NOT NULL LIMIT 1", S.netns[1]);
  int64_t before = base_dumps();
  char *whole = pn_rows(db, "SELECT kind, snd_mss, advmss, rcv_space, skmem_rb, netns"
                            " FROM sock_diag WHERE kind = 'tcp' AND inode = %lld"
                            " AND inode IN (SELECT inode FROM sock_diag)", tcp);
  pn_close(db);

  db = pn_open(NULL);
  char *one = pn_rows(db, "SELECT kind, snd_mss, advmss, rcv_space, skmem_rb, netns"
                          " FROM sock_diag WHERE kind = 'tcp' AND inode = %lld", tcp);
  assert_string_equal(one, whole);
  assert_true(strstr(one, "tcp|") == one);
  assert_int_equal(pn_stat(db, "netlink_requests"), 1);
  /* tcp and tcp6 of each namespace in one dump, without the extensions: as
   * many dumps as a base read of the table makes (measured either side, as
   * other programs may add or remove namespaces meanwhile) */
  int64_t dumps = pn_stat(db, "netlink_dumps");
  int64_t after = base_dumps();
  assert_true(dumps >= 1);
  assert_true(dumps <= (before > after ? before : after));
  pn_close(db);

  db = pn_open(NULL);
  char expect[64];
  snprintf(expect, sizeof expect, "%lld|%lld\n", unx, S.netns[1]);
  assert_rows(db, expect, "SELECT inode, netns FROM net_unix WHERE inode = %lld", unx);
  /* every namespace is asked (one request each), none dumped; counted in a
   * fresh connection below, kept to the scene's namespace, as other
   * programs may make and remove namespaces meanwhile */
  pn_close(db);
  db = pn_open(NULL);
  long long peer = pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld"
                              " AND netns = %lld", unx, S.netns[1]);
  assert_true(peer > 0);
  /* its peer points back */
  assert_int_equal(pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld"
                              " AND netns = %lld", peer, S.netns[1]), unx);
  /* two lookups, one request each, no dump */
  assert_int_equal(pn_stat(db, "netlink_dumps"), 0);
  assert_int_equal(pn_stat(db, "netlink_requests"), 2);
  pn_close(db);
  sqlite3_free(whole);
  sqlite3_free(one);
}

/* ---- where netlink may not go ---------------------------------------------- */

/* Counts as one line: the scene's tcp rows, and how many have a backlog. */
static char *scene_counts(sqlite3 *db) {
  return pn_rows(db, "SELECT count(*), count(backlog), count(cookie) FROM sockets"
                     " WHERE kind = 'tcp' AND local_port = %d AND netns IN (%lld, %lld)",
                 PORT_BACKLOG, S.netns[0], S.netns[1]);
}

static void netlink_switch_keeps_rows(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, "all\n", "SELECT procnet_netlink()");
  char *all = scene_counts(db);
  assert_string_equal(all, "4|2|4\n"); /* listener and accepted end, twice */
  assert_rows(db, "self\n", "SELECT procnet_netlink('self')");
  char *self = scene_counts(db);
  assert_string_equal(self, "4|0|0\n");
  /* the caller's namespace still has them */
  assert_int_equal(pn_int(db, "SELECT count(*) = count(cookie) FROM sockets"
                              " WHERE kind = 'tcp' AND netns = procnet_netns()"), 1);
  assert_rows(db, "off\n", "SELECT procnet_netlink('off')");
  char *off = scene_counts(db);
  assert_string_equal(off, "4|0|0\n");
  assert_int_equal(pn_int(db, "SELECT count(cookie) FROM sockets"), 0);
  char *err = pn_error(db, "SELECT procnet_netlink('sometimes')");
  assert_non_null(strstr(err, "'all', 'self' or 'off'"));
  sqlite3_free(err);
  sqlite3_free(all);
  sqlite3_free(self);
  sqlite3_free(off);
  pn_close(db);
}

/* A reader that is not root: its own namespace through netlink, the
 * scene's only through the text files (it may not enter them, nor read
 * their processes' ns/net links). */
static void unprivileged_reader(void **state) {
  (void)state;
  NEED_SCENE();
  int host = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(host, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(host, 33), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(host, (struct sockaddr *)&a, &len), 0);
  int port = ntohs(a.sin_port);
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t kid = fork();
  assert_true(kid >= 0);
  if (kid == 0) {
    close(p[0]);
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
      _exit(2);
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) _exit(3);
    char *err = NULL;
    if (procnet_register(db, &err) != SQLITE_OK) _exit(4);
    char buf[512];
    sqlite3_stmt *st;
    snprintf(buf, sizeof buf,
             "SELECT (SELECT backlog FROM sockets WHERE kind = 'tcp' AND local_port = %d"
             "        AND netns = procnet_netns()),"
             "       (SELECT count(*) || ',' || count(backlog) FROM sockets"
             "        WHERE kind = 'tcp' AND local_port = %d AND state = 'LISTEN'"
             "        AND ns_pid IN (%d, %d)),"
             "       (SELECT count(*) FROM sock_diag) > 0",
             port, PORT_BACKLOG, (int)S.pid[0], (int)S.pid[1]);
    if (sqlite3_prepare_v2(db, buf, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
      _exit(5);
    dprintf(p[1], "%s|%s|%s", (const char *)sqlite3_column_text(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    sqlite3_close(db);
    _exit(0);
  }
  close(p[1]);
  char out[128] = {0};
  ssize_t n = read(p[0], out, sizeof out - 1);
  close(p[0]);
  int status;
  waitpid(kid, &status, 0);
  close(host);
  assert_true(pn_child_ok(status));
  assert_true(n > 0);
  /* own namespace: the backlog; the scene's two listeners: rows, no
   * backlog; sock_diag answered */
  assert_string_equal(out, "33|2,0|1");
}

/* ---- namespaces no process is in ----------------------------------------- */

#define PORT_MOUNTED 7011
#define PORT_STRAY 7012

/* Leaves this process's namespace for `into` (a mount, or a new one when
 * NULL), listens on port there, comes back, and reports the port's
 * namespace inode (SIOCGSKNS) and the listener's fd on fd `rep`. */
static void listen_elsewhere(const char *into, int port, int rep) {
  int home = must(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), "home");
  if (into) {
    int ns = must(open(into, O_RDONLY | O_CLOEXEC), "open netns");
    must(setns(ns, CLONE_NEWNET), "setns");
  } else {
    must(unshare(CLONE_NEWNET), "unshare");
  }
  bring_lo_up();
  int l = tcp_listener(AF_INET, port, 5, NULL, 0);
  must(setns(home, CLONE_NEWNET), "setns home");
  int ns = must(ioctl(l, SIOCGSKNS), "SIOCGSKNS");
  struct stat sb;
  must(fstat(ns, &sb), "fstat");
  dprintf(rep, "%lld %d", (long long)sb.st_ino, l);
  for (;;) pause();
}

static pid_t start_elsewhere(const char *into, int port, long long *ns, int *fd) {
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t kid = fork();
  assert_true(kid >= 0);
  if (kid == 0) {
    close(p[0]);
    listen_elsewhere(into, port, p[1]);
  }
  close(p[1]);
  char msg[64] = {0};
  assert_true(read(p[0], msg, sizeof msg - 1) > 0);
  close(p[0]);
  assert_int_equal(sscanf(msg, "%lld %d", ns, fd), 2);
  return kid;
}

static void unlisted_namespaces(void **state) {
  (void)state;
  NEED_SCENE();
  char name[64], path[128];
  snprintf(name, sizeof name, "pn_sd_%d_m", (int)getpid());
  snprintf(path, sizeof path, "/run/netns/%s", name);
  assert_int_equal(run("ip netns add %s", name), 0);
  long long mounted, stray;
  int mfd, sfd;
  pid_t a = start_elsewhere(path, PORT_MOUNTED, &mounted, &mfd);
  pid_t b = start_elsewhere(NULL, PORT_STRAY, &stray, &sfd);
  assert_int_equal(mounted, inode_of(path));
  sqlite3 *db = pn_open(NULL);
  /* the mounted one: its sockets, with their holder in another namespace;
   * its netlink sockets (no sock_diag for them) read from inside it */
  char expect[128];
  snprintf(expect, sizeof expect, "%lld|%d|%d\n", mounted, (int)a, mfd);
  assert_rows(db, expect, "SELECT t.netns, f.pid, f.fd FROM net_tcp t JOIN fds f"
              " USING (inode) WHERE t.local_port = %d AND t.state = 'LISTEN'",
              PORT_MOUNTED);
  assert_true(pn_int(db, "SELECT count(*) FROM net_netlink WHERE netns = %lld", mounted) > 0);
  /* the stray one: found through the descriptor, on request */
  assert_rows(db, "processes\n", "SELECT procnet_netns_scan()");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE local_port = %d",
                          PORT_STRAY), 0);
  assert_rows(db, "descriptors\n", "SELECT procnet_netns_scan('descriptors')");
  snprintf(expect, sizeof expect, "%lld|%d|%d\n", stray, (int)b, sfd);
  assert_rows(db, expect, "SELECT t.netns, f.pid, f.fd FROM net_tcp t JOIN fds f"
              " USING (inode) WHERE t.local_port = %d AND t.state = 'LISTEN'",
              PORT_STRAY);
  /* with netlink 'self' no thread may enter them: not listed, no error */
  pn_exec(db, "SELECT procnet_netlink('self')");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE local_port IN (%d, %d)",
                          PORT_MOUNTED, PORT_STRAY), 0);
  pn_close(db);
  kill(a, SIGKILL);
  kill(b, SIGKILL);
  waitpid(a, NULL, 0);
  waitpid(b, NULL, 0);
  run("ip netns del %s", name);
}

static void net_name_is_the_ip_netns_name(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  for (int i = 0; i < NSCENES; i++) {
    char expect[96];
    snprintf(expect, sizeof expect, "%s|%lld\n", S.name[i], S.netns[i]);
    assert_rows(db, expect, "SELECT net_name, net FROM namespaces WHERE pid = %d",
                (int)S.pid[i]);
  }
  assert_rows(db, "NULL\n", "SELECT net_name FROM namespaces WHERE pid = %d", (int)getpid());
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(ss_view_equals_ss_in_each_namespace, threads_home),
      cmocka_unit_test_teardown(sock_diag_equals_ss_tanpieom, threads_home),
      cmocka_unit_test_teardown(unix_peers_and_queues_in_each_namespace, threads_home),
      cmocka_unit_test_teardown(sources_agree, threads_home),
      cmocka_unit_test_teardown(one_socket_by_inode, threads_home),
      cmocka_unit_test_teardown(netlink_switch_keeps_rows, threads_home),
      cmocka_unit_test_teardown(unprivileged_reader, threads_home),
      cmocka_unit_test_teardown(unlisted_namespaces, threads_home),
      cmocka_unit_test_teardown(net_name_is_the_ip_netns_name, threads_home),
  };
  return cmocka_run_group_tests_name("sock_diag", tests, setup, teardown);
}
