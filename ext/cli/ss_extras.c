/*
 * ss_extras.c: what `ss -o`, `-e`, `-m` and `-i` print after a socket's
 * addresses and process, formatted as ss (iproute2 6.1) formats it, from
 * the ss view's row and the socket's sock_diag row.
 *
 * The formatting is one SQL function, procnet_ss_extras(FLAGS, ...), whose
 * arguments are the columns of ARGS below, in that order: the SQL that
 * calls it is written from the same table, so the two cannot drift. One
 * function, because ss's order depends on the kind of socket (a unix
 * socket's memory comes before its details and on the same line; an IP
 * socket's after a line break, with its TCP internals) and on what the
 * kernel told (a TIME-WAIT socket has no attributes at all).
 */
#include "ss.h"

#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* ---- the arguments ------------------------------------------------------- */

/* In groups: what every socket needs, then what each option needs; the
 * call passes NULL for the groups of options not given (each column read
 * is a call into the sock_diag table). */
#define SS_ARGS_ROW(X)                                                        \
  X(KIND, "ss.kind") X(FAMILY, "ss.family") X(INODE, "ss.inode")              \
  X(STATE, "ss.state") X(COOKIE, "d.cookie")
#define SS_ARGS_TIMERS(X)                                                     \
  X(TIMER, "d.timer") X(EXPIRES, "d.timer_expires") X(TRETRANS, "d.timer_retrans")
#define SS_ARGS_DETAILS(X)                                                    \
  X(UID, "d.uid") X(MARK, "d.mark") X(CGROUP, "d.cgroup_id")                  \
  X(V6ONLY, "d.v6only") X(SHUTDOWN, "d.shutdown") X(VFS_INODE, "d.vfs_inode") \
  X(VFS_MAJOR, "d.vfs_dev_major") X(VFS_MINOR, "d.vfs_dev_minor")             \
  X(PENDING, "d.pending")
#define SS_ARGS_MEMORY(X)                                                     \
  X(SKMEM_R, "d.skmem_r") X(SKMEM_RB, "d.skmem_rb")                           \
  X(SKMEM_T, "d.skmem_t") X(SKMEM_TB, "d.skmem_tb") X(SKMEM_F, "d.skmem_f")   \
  X(SKMEM_W, "d.skmem_w") X(SKMEM_O, "d.skmem_o") X(SKMEM_BL, "d.skmem_bl")   \
  X(SKMEM_D, "d.skmem_d")
#define SS_ARGS_INFO(X)                                                       \
  X(OPTIONS, "d.options") X(CONG, "d.congestion")                             \
  X(SND_WSCALE, "d.snd_wscale") X(RCV_WSCALE, "d.rcv_wscale")                 \
  X(RTO, "d.rto_us") X(BACKOFF, "d.backoff") X(RTT, "d.rtt_us")               \
  X(RTTVAR, "d.rttvar_us") X(ATO, "d.ato_us") X(MSS, "d.snd_mss")             \
  X(PMTU, "d.pmtu") X(RCV_MSS, "d.rcv_mss") X(ADVMSS, "d.advmss")             \
  X(CWND, "d.cwnd") X(SSTHRESH, "d.ssthresh") X(BYTES_SENT, "d.bytes_sent")   \
  X(BYTES_RETRANS, "d.bytes_retrans") X(BYTES_ACKED, "d.bytes_acked")         \
  X(BYTES_RECEIVED, "d.bytes_received") X(SEGS_OUT, "d.segs_out")             \
  X(SEGS_IN, "d.segs_in") X(DATA_SEGS_OUT, "d.data_segs_out")                 \
  X(DATA_SEGS_IN, "d.data_segs_in") X(BBR_BW, "d.bbr_bw")                     \
  X(BBR_MRTT, "d.bbr_min_rtt_us") X(BBR_PGAIN, "d.bbr_pacing_gain")           \
  X(BBR_CGAIN, "d.bbr_cwnd_gain") X(LASTSND, "d.last_send_ms")                \
  X(LASTRCV, "d.last_recv_ms") X(LASTACK, "d.last_ack_ms")                    \
  X(PACING, "d.pacing_rate") X(MAX_PACING, "d.max_pacing_rate")               \
  X(DELIVERY, "d.delivery_rate") X(DELIVERED, "d.delivered")                  \
  X(DELIVERED_CE, "d.delivered_ce") X(APP_LIMITED, "d.app_limited")           \
  X(BUSY, "d.busy_us") X(RWND_LIMITED, "d.rwnd_limited_us")                   \
  X(SNDBUF_LIMITED, "d.sndbuf_limited_us") X(UNACKED, "d.unacked")            \
  X(RETRANS, "d.retrans") X(TOTAL_RETRANS, "d.total_retrans")                 \
  X(LOST, "d.lost") X(SACKED, "d.sacked") X(DSACK_DUPS, "d.dsack_dups")       \
  X(REORDERING, "d.reordering") X(REORD_SEEN, "d.reord_seen")                 \
  X(RCV_RTT, "d.rcv_rtt_us") X(RCV_SPACE, "d.rcv_space")                      \
  X(RCV_SSTHRESH, "d.rcv_ssthresh") X(NOTSENT, "d.notsent_bytes")             \
  X(MIN_RTT, "d.min_rtt_us") X(RCV_OOOPACK, "d.rcv_ooopack")                  \
  X(SND_WND, "d.snd_wnd")

#define AS_ENUM(name, col) A_##name,
enum {
  A_FLAGS,
  SS_ARGS_ROW(AS_ENUM) SS_ARGS_TIMERS(AS_ENUM) SS_ARGS_DETAILS(AS_ENUM)
  SS_ARGS_MEMORY(AS_ENUM) SS_ARGS_INFO(AS_ENUM) A_COUNT
};

/* Each argument's column and the options that read it (0: always). */
typedef struct arg_col {
  const char *col;
  unsigned need;
} arg_col;
#define AS_ROW(name, col) {col, 0},
#define AS_TIMERS(name, col) {col, SS_X_TIMERS},
#define AS_DETAILS(name, col) {col, SS_X_DETAILS},
#define AS_MEMORY(name, col) {col, SS_X_MEMORY},
#define AS_INFO(name, col) {col, SS_X_INFO},
static const arg_col ARGS[] = {
    SS_ARGS_ROW(AS_ROW) SS_ARGS_TIMERS(AS_TIMERS) SS_ARGS_DETAILS(AS_DETAILS)
    SS_ARGS_MEMORY(AS_MEMORY) SS_ARGS_INFO(AS_INFO)};

void cli_ss_extras_call(sqlite3_str *sql, unsigned flags) {
  sqlite3_str_appendf(sql, "procnet_ss_extras(%u", flags);
  for (size_t i = 0; i < sizeof ARGS / sizeof ARGS[0]; i++)
    sqlite3_str_appendf(sql, ", %s",
                        !ARGS[i].need || (ARGS[i].need & flags) ? ARGS[i].col : "NULL");
  sqlite3_str_appendall(sql, ")");
}

void cli_ss_extras_join(sqlite3_str *sql) {
  /* a TIME-WAIT or SYN-RECV socket has no inode: its addresses say which.
   * netns =, not IS: the socket tables take `netns = ?` (IS would look
   * each socket up in every namespace of the machine, and read them all),
   * and a socket of a namespace that could not be named (netns NULL) has
   * no sock_diag row with extras to join anyway (sock_diag needs the
   * namespace's identity) */
  sqlite3_str_appendall(sql,
                        " LEFT JOIN sock_diag AS d ON d.kind = ss.kind"
                        " AND d.netns = ss.netns AND d.inode = ss.inode"
                        " AND (ss.inode <> 0 OR (d.local_port = ss.local_port"
                        " AND d.remote_port = ss.remote_port"
                        " AND d.local_address = ss.local_address"
                        " AND d.remote_address = ss.remote_address))");
}

/* ---- reading the arguments -------------------------------------------- */

/* The text being made, on the heap from the start: the function's result
 * is handed to SQLite as it is, not copied (a socket's -i text is a few
 * hundred bytes). */
typedef struct text_out {
  char *p;
  size_t n, cap;
  int oom;
} text_out;

struct cg_map;
typedef struct row {
  sqlite3_value **v;
  text_out out;
  struct cg_map *cg;        /* cgroup paths, walked on first need */
} row;

static int has(const row *r, int a) { return sqlite3_value_type(r->v[a]) != SQLITE_NULL; }
static sqlite3_int64 num(const row *r, int a) { return sqlite3_value_int64(r->v[a]); }
static unsigned long long unum(const row *r, int a) {
  return (unsigned long long)sqlite3_value_int64(r->v[a]);
}
static const char *text(const row *r, int a) {
  const unsigned char *t = sqlite3_value_text(r->v[a]);
  return t ? (const char *)t : "";
}
static int is(const row *r, int a, const char *word) { return !strcmp(text(r, a), word); }

/* ---- writing ------------------------------------------------------------
 * Numbers go through ss_number.c (printf's text, mostly without printf:
 * it was most of what -i cost); SQLite's printf does not promise C's %g. */

/* Room for n more bytes and a NUL; 0, or -1 (and out->oom). */
static int out_room(text_out *o, size_t n) {
  if (o->oom) return -1;
  if (o->n + n < o->cap) return 0;
  size_t cap = o->cap * 2 > o->n + n + 1 ? o->cap * 2 : o->n + n + 1;
  char *p = sqlite3_realloc64(o->p, cap);
  if (!p) {
    o->oom = 1;
    return -1;
  }
  o->p = p;
  o->cap = cap;
  return 0;
}

static void put(row *r, const char *s, size_t n) {
  if (out_room(&r->out, n) != 0) return;
  memcpy(r->out.p + r->out.n, s, n);
  r->out.n += n;
}

static void put_text(row *r, const char *s) { put(r, s, strlen(s)); }

/* SQLite's printf, for what is rare enough not to matter. */
static void putf(row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(row *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if (!s) {
    r->out.oom = 1;
    return;
  }
  put_text(r, s);
  sqlite3_free(s);
}

static void put_u64(row *r, unsigned long long v) {
  char b[SS_U64_LEN];
  put(r, b, ss_fmt_u64(b, v));
}

/* " name:" */
static void put_label(row *r, const char *name) {
  put(r, " ", 1);
  put_text(r, name);
  put(r, ":", 1);
}

/* A value printed as "name:N" when it is not 0, as ss does. */
static void out_nonzero(row *r, const char *name, int a) {
  unsigned long long v = unum(r, a);
  if (!v) return;
  put_label(r, name);
  put_u64(r, v);
}

/* Microseconds as ss's milliseconds (%g). */
static void put_ms(row *r, long long us) {
  char b[64];
  put(r, b, ss_fmt_milli(b, sizeof b, us));
}

/* A rate in bytes per second as ss's bits per second (%.0f), then "bps". */
static void put_bps(row *r, double bytes_per_s) {
  char b[64];
  put(r, b, ss_fmt_round(b, sizeof b, bytes_per_s * 8.0));
  put(r, "bps", 3);
}

static void out_g(row *r, const char *fmt, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, fmt, v);
  put_text(r, buf);
}

/* ---- -o: the timer ------------------------------------------------------- */

/* ss's print_ms_timer: 119min, 2min15sec, 14sec, 1.234ms, 200ms. */
static void out_ms_timer(row *r, unsigned ms) {
  unsigned minutes = ms / 60000, secs = ms / 1000 % 60, msecs = ms % 1000;
  if (minutes) {
    msecs = 0;
    putf(r, "%umin", minutes);
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    putf(r, "%u%s", secs, msecs ? "." : "sec");
  }
  if (msecs) putf(r, "%03ums", msecs);
}

static void out_timer(row *r) {
  static const char *const names[][2] = {
      {"on", "on"}, {"keepalive", "keepalive"}, {"timewait", "timewait"},
      {"probe", "persist"}};
  const char *t = text(r, A_TIMER), *name = "unknown";
  if (!has(r, A_TIMER) || !strcmp(t, "off")) return;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(t, names[i][0])) name = names[i][1];
  double s = sqlite3_value_double(r->v[A_EXPIRES]);
  unsigned ms = s > 0 ? (unsigned)(s * 1000 + 0.5) : 0;
  putf(r, " timer:(%s,", name);
  out_ms_timer(r, ms);
  putf(r, ",%lld)", num(r, A_TRETRANS));
}

/* ---- -e: the details ----------------------------------------------------- */

/* A cgroup v2 id as ss names it: the path under the cgroup2 mount, "/" for
 * its root, "unreachable:ID" when no such directory is found. The mount is
 * walked once per connection (the function's user data). */
typedef struct cg_entry {
  unsigned long long id;
  char *path;
} cg_entry;

typedef struct cg_map {
  int walked;
  cg_entry *v;
  size_t n, cap;
} cg_map;

/* nftw passes no argument to its callback: the walk in progress. */
static _Thread_local struct {
  cg_map *map;
  size_t root_len;
} walking;

static int cg_add(const char *fpath, const struct stat *sb, int type, struct FTW *ftw) {
  (void)ftw;
  cg_map *m = walking.map;
  if (type != FTW_D) return 0;
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    cg_entry *v = realloc(m->v, cap * sizeof *v);
    if (!v) return 1;
    m->v = v;
    m->cap = cap;
  }
  const char *rel = fpath + walking.root_len;
  char *copy = strdup(*rel ? rel : "/");
  if (!copy) return 1;
  m->v[m->n++] = (cg_entry){(unsigned long long)sb->st_ino, copy};
  return 0;
}

static void cg_walk(cg_map *m) {
  m->walked = 1;
  FILE *f = setmntent("/proc/self/mounts", "r");
  struct mntent *e;
  char *root = NULL;
  while (f && !root && (e = getmntent(f)) != NULL)
    if (!strcmp(e->mnt_type, "cgroup2")) root = strdup(e->mnt_dir);
  if (f) endmntent(f);
  if (!root) return;
  walking.map = m;
  walking.root_len = strlen(root);
  nftw(root, cg_add, 64, FTW_MOUNT | FTW_PHYS);
  walking.map = NULL;
  free(root);
}

static void cg_map_free(void *p) {
  cg_map *m = p;
  for (size_t i = 0; i < m->n; i++) free(m->v[i].path);
  free(m->v);
  free(m);
}

static void out_cgroup(row *r, unsigned long long id) {
  if (!r->cg->walked) cg_walk(r->cg);
  for (size_t i = 0; i < r->cg->n; i++)
    if (r->cg->v[i].id == id) {
      putf(r, " cgroup:%s", r->cg->v[i].path);
      return;
    }
  putf(r, " cgroup:unreachable:%llx", id);
}

static void out_shutdown(row *r) {
  if (!has(r, A_SHUTDOWN)) return;
  int mask = (int)num(r, A_SHUTDOWN);
  putf(r, " %c-%c", mask & 1 ? '-' : '<', mask & 2 ? '-' : '>');
}

static void out_inet_details(row *r) {
  out_nonzero(r, "uid", A_UID);
  put_text(r, " ino:");
  put_u64(r, unum(r, A_INODE));
  putf(r, " sk:%llx", unum(r, A_COOKIE));
  if (num(r, A_MARK)) putf(r, " fwmark:0x%llx", unum(r, A_MARK));
  if (num(r, A_CGROUP)) out_cgroup(r, unum(r, A_CGROUP));
  if (is(r, A_FAMILY, "IPv6") && has(r, A_V6ONLY))
    putf(r, " v6only:%lld", num(r, A_V6ONLY));
  out_shutdown(r);
}

/* ss prints the device of a unix socket's file with glibc's major() and
 * minor() of the kernel's own encoding (major << 20 | minor): "0/65024"
 * for 254:0. */
static void out_unix_details(row *r) {
  out_shutdown(r);
  if (has(r, A_VFS_INODE)) {
    dev_t raw = (dev_t)(unum(r, A_VFS_MAJOR) << 20 | unum(r, A_VFS_MINOR));
    putf(r, " ino:%llu dev:%u/%u", unum(r, A_VFS_INODE),
                        major(raw), minor(raw));
  }
  if (has(r, A_PENDING)) {
    put_text(r, " peers:");
    const char *p = text(r, A_PENDING);
    if (*p) putf(r, " %s", p);
  }
}

/* ---- -m and -i ---------------------------------------------------------- */

static void out_skmem(row *r) {
  if (!has(r, A_SKMEM_R)) return;
  static const char *const names[] = {",r", ",rb", ",t", ",tb", ",f", ",w", ",o", ",bl", ",d"};
  put_text(r, " skmem:(");
  for (int i = 0; i < 9; i++)
    if (i < 7 || has(r, A_SKMEM_R + i)) {
      put_text(r, names[i] + !i); /* no comma before the first */
      put_u64(r, unum(r, A_SKMEM_R + i));
    }
  put(r, ")", 1);
}

/* Microseconds as ss's milliseconds, when not 0. */
static void out_ms(row *r, const char *name, int a) {
  if (!num(r, a)) return;
  put_label(r, name);
  put_ms(r, num(r, a));
}

/* The options ts, sack, ecn, ecnseen, fastopen (ss shows them only with
 * -o or -e), the congestion control and the window scales. */
static void out_tcp_flags(row *r, unsigned show) {
  const char *o = text(r, A_OPTIONS);
  static const char *const flags[] = {"ts", "sack", "ecn", "ecnseen", "fastopen"};
  for (size_t i = 0; (show & SS_X_TIMERS) && i < sizeof flags / sizeof flags[0]; i++) {
    size_t n = strlen(flags[i]);
    for (const char *p = o; (p = strstr(p, flags[i])) != NULL; p += n)
      if ((p == o || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
        putf(r, " %s", flags[i]);
        break;
      }
  }
  if (*text(r, A_CONG)) {
    put(r, " ", 1);
    put_text(r, text(r, A_CONG));
  }
  if (has(r, A_SND_WSCALE)) {
    put_text(r, " wscale:");
    put_u64(r, unum(r, A_SND_WSCALE));
    put(r, ",", 1);
    put_u64(r, unum(r, A_RCV_WSCALE));
  }
}

static void out_tcp_timing(row *r) {
  sqlite3_int64 rto = num(r, A_RTO);
  if (rto && rto != 3000000) out_ms(r, "rto", A_RTO);
  out_nonzero(r, "backoff", A_BACKOFF);
  if (num(r, A_RTT)) {
    put_text(r, " rtt:");
    put_ms(r, num(r, A_RTT));
    put(r, "/", 1);
    put_ms(r, num(r, A_RTTVAR));
  }
  out_ms(r, "ato", A_ATO);
  out_nonzero(r, "mss", A_MSS);
  out_nonzero(r, "pmtu", A_PMTU);
  out_nonzero(r, "rcvmss", A_RCV_MSS);
  out_nonzero(r, "advmss", A_ADVMSS);
  out_nonzero(r, "cwnd", A_CWND);
  if (num(r, A_SSTHRESH) && num(r, A_SSTHRESH) < 0xFFFF) out_nonzero(r, "ssthresh", A_SSTHRESH);
}

static void out_tcp_counts(row *r) {
  out_nonzero(r, "bytes_sent", A_BYTES_SENT);
  out_nonzero(r, "bytes_retrans", A_BYTES_RETRANS);
  out_nonzero(r, "bytes_acked", A_BYTES_ACKED);
  out_nonzero(r, "bytes_received", A_BYTES_RECEIVED);
  out_nonzero(r, "segs_out", A_SEGS_OUT);
  out_nonzero(r, "segs_in", A_SEGS_IN);
  out_nonzero(r, "data_segs_out", A_DATA_SEGS_OUT);
  out_nonzero(r, "data_segs_in", A_DATA_SEGS_IN);
}

static void out_bbr(row *r) {
  if (!has(r, A_BBR_BW)) return;
  static const struct {
    const char *label;
    int a;
  } gains[] = {{",pacing_gain:", A_BBR_PGAIN}, {",cwnd_gain:", A_BBR_CGAIN}};
  char b[64];
  put_text(r, " bbr:(bw:");
  put_bps(r, (double)num(r, A_BBR_BW));
  put_text(r, ",mrtt:");
  put_ms(r, num(r, A_BBR_MRTT));
  for (size_t i = 0; i < sizeof gains / sizeof gains[0]; i++) {
    if (!num(r, gains[i].a)) continue;
    put_text(r, gains[i].label);
    put(r, b, ss_fmt_256ths(b, sizeof b, num(r, gains[i].a)));
  }
  put(r, ")", 1);
}

/* send, the last packets, pacing and delivery rates. */
static void out_tcp_rates(row *r) {
  double rtt = (double)num(r, A_RTT);
  if (rtt > 0 && num(r, A_MSS) && num(r, A_CWND)) {
    char b[64];
    put_text(r, " send ");
    put(r, b, ss_fmt_round(b, sizeof b,
                           (double)num(r, A_CWND) * (double)num(r, A_MSS) * 8000000.0 / rtt));
    put(r, "bps", 3);
  }
  out_nonzero(r, "lastsnd", A_LASTSND);
  out_nonzero(r, "lastrcv", A_LASTRCV);
  out_nonzero(r, "lastack", A_LASTACK);
  unsigned long long pacing = unum(r, A_PACING), max = unum(r, A_MAX_PACING);
  if (pacing && pacing != ~0ULL) {
    put_text(r, " pacing_rate ");
    put_bps(r, (double)pacing);
    if (max && max != ~0ULL) {
      put(r, "/", 1);
      put_bps(r, (double)max);
    }
  }
  if (num(r, A_DELIVERY)) {
    put_text(r, " delivery_rate ");
    put_bps(r, (double)num(r, A_DELIVERY));
  }
  out_nonzero(r, "delivered", A_DELIVERED);
  out_nonzero(r, "delivered_ce", A_DELIVERED_CE);
  if (num(r, A_APP_LIMITED)) put_text(r, " app_limited");
}

static void out_tcp_busy(row *r) {
  unsigned long long busy = unum(r, A_BUSY);
  if (!busy) return;
  putf(r, " busy:%llums", busy / 1000);
  static const struct {
    const char *name;
    int a;
  } limits[] = {{"rwnd_limited", A_RWND_LIMITED}, {"sndbuf_limited", A_SNDBUF_LIMITED}};
  for (size_t i = 0; i < 2; i++) {
    unsigned long long v = unum(r, limits[i].a);
    if (!v) continue;
    putf(r, " %s:%llums", limits[i].name, v / 1000);
    out_g(r, "(%.1f%%)", 100.0 * (double)v / (double)busy);
  }
}

static void out_tcp_losses(row *r) {
  out_nonzero(r, "unacked", A_UNACKED);
  if (num(r, A_RETRANS) || num(r, A_TOTAL_RETRANS)) {
    put_text(r, " retrans:");
    put_u64(r, unum(r, A_RETRANS));
    put(r, "/", 1);
    put_u64(r, unum(r, A_TOTAL_RETRANS));
  }
  out_nonzero(r, "lost", A_LOST);
  if (!is(r, A_STATE, "LISTEN")) out_nonzero(r, "sacked", A_SACKED);
  out_nonzero(r, "dsack_dups", A_DSACK_DUPS);
  if (num(r, A_REORDERING) != 3) putf(r, " reordering:%lld", num(r, A_REORDERING));
  out_nonzero(r, "reord_seen", A_REORD_SEEN);
  out_ms(r, "rcv_rtt", A_RCV_RTT);
  out_nonzero(r, "rcv_space", A_RCV_SPACE);
  out_nonzero(r, "rcv_ssthresh", A_RCV_SSTHRESH);
  out_nonzero(r, "notsent", A_NOTSENT);
  sqlite3_int64 min_rtt = num(r, A_MIN_RTT);
  if (min_rtt && min_rtt != 0xFFFFFFFF) out_ms(r, "minrtt", A_MIN_RTT);
  out_nonzero(r, "rcv_ooopack", A_RCV_OOOPACK);
  out_nonzero(r, "snd_wnd", A_SND_WND);
}

/* ss's tcp_stats_print, in its order. */
static void out_tcp_info(row *r, unsigned flags) {
  if (!has(r, A_CWND)) return; /* no tcp_info: a TIME-WAIT socket */
  out_tcp_flags(r, flags);
  out_tcp_timing(r);
  out_tcp_counts(r);
  out_bbr(r);
  out_tcp_rates(r);
  out_tcp_busy(r);
  out_tcp_losses(r);
}

/* ---- the function ------------------------------------------------------- */

static void inet_extras(row *r, unsigned flags) {
  if (flags & SS_X_TIMERS) out_timer(r);
  if (flags & SS_X_DETAILS) out_inet_details(r);
  /* ss breaks the line for the memory and the TCP internals, and for -i
   * of any IP socket but UDP, even when nothing follows */
  int info = (flags & SS_X_INFO) && !is(r, A_KIND, "udp");
  if (!(flags & SS_X_MEMORY) && !info) return;
  put_text(r, flags & SS_X_ONELINE ? "" : "\n\t");
  if (flags & SS_X_MEMORY) out_skmem(r);
  if (info && is(r, A_KIND, "tcp")) out_tcp_info(r, flags);
}

static void unix_extras(row *r, unsigned flags) {
  if (flags & SS_X_MEMORY) out_skmem(r);
  if (flags & SS_X_DETAILS) out_unix_details(r);
}

static void fn_ss_extras(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (argc != A_COUNT) {
    sqlite3_result_error(ctx, "procnet_ss_extras: wrong number of arguments", -1);
    return;
  }
  row r;
  r.v = argv;
  r.out.p = NULL;
  r.out.n = r.out.cap = 0;
  r.out.oom = 0;
  (void)out_room(&r.out, 1024); /* a failure is kept in r.out.oom */
  r.cg = sqlite3_user_data(ctx);
  unsigned flags = (unsigned)sqlite3_value_int(argv[A_FLAGS]);
  /* A socket procnet read from the text files (no cookie: raw sockets on
   * a kernel without raw_diag) is one ss reads there too, and ss prints
   * none of these for it. */
  if (!has(&r, A_COOKIE))
    ;
  else if (is(&r, A_FAMILY, "IPv4") || is(&r, A_FAMILY, "IPv6"))
    inet_extras(&r, flags);
  else if (is(&r, A_KIND, "unix"))
    unix_extras(&r, flags);
  if (r.out.oom || r.out.n > INT_MAX) {
    sqlite3_free(r.out.p);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  r.out.p[r.out.n] = '\0'; /* out_room keeps room for it */
  sqlite3_result_text(ctx, r.out.p, (int)r.out.n, sqlite3_free);
}

int cli_ss_extras_register(sqlite3 *db) {
  cg_map *m = calloc(1, sizeof *m);
  if (!m) return SQLITE_NOMEM;
  /* not deterministic: cgroups come and go while it runs */
  return sqlite3_create_function_v2(db, "procnet_ss_extras", A_COUNT, SQLITE_UTF8, m,
                                    fn_ss_extras, NULL, NULL, cg_map_free);
}
