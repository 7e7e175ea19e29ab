/*
 * ss_extras.c: what `ss -o`, `-e`, `-m`, `-i` and `-b` print after a
 * socket's addresses and process, formatted as ss (iproute2 6.1) formats
 * it, from the socket's sock_diag row.
 *
 * The formatting is one SQL function, procnet_ss_extras(FLAGS, d.record):
 * d is the sock_diag row the ss view's row joins, and its hidden record
 * column hands the function the row itself (a pointer, sockcol.h), whose
 * fields it reads as it needs them: no column is made into an SQLite
 * value, a tenth of what `procnet ss -tani` cost when each of the ~57
 * fields was an argument. One function, because ss's order depends on
 * the kind of socket (a unix socket's memory comes before its details and
 * on the same line; an IP socket's after a line break, with its TCP
 * internals; a packet socket's after its details' lines) and on what the
 * kernel told (a TIME-WAIT socket has no attributes at all). The fields
 * are listed in ss_extras.h; -i is ss_tcp_info.c's, a packet socket's
 * details ss_packet.c's.
 */
#include "ss_extras.h"

#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* ---- the fields --------------------------------------------------------- */

#define AS_FIELD(name, field) field,
static const unsigned char FIELDS[A_COUNT] = {
    SS_ARGS_ROW(AS_FIELD) SS_ARGS_TIMERS(AS_FIELD) SS_ARGS_DETAILS(AS_FIELD)
    SS_ARGS_MEMORY(AS_FIELD) SS_ARGS_INFO(AS_FIELD) SS_ARGS_PACKET(AS_FIELD)
    SS_ARGS_BPF(AS_FIELD)};

pn_value *ssx_read_field(row *r, int a) {
  pn_value *v = &r->v[a];
  r->got[a] = 1;
  const pn_tcpi_place *t = r->places[a];
  if (t) { /* most of -i's fields: read in place */
    v->type = SQLITE_NULL;
    if (r->tcpi && r->tcpi_len >= (size_t)t->off + t->size) {
      v->type = SQLITE_INTEGER;
      v->i = (sqlite3_int64)pn_tcpi_read(r->tcpi, t);
    }
    return v;
  }
  if (pn_sock_value(r->rec, (pn_field)FIELDS[a], v) != SQLITE_OK) r->out.oom = 1;
  if (v->type == SQLITE_TEXT && v->life == PN_TEXT_OWNED) r->owned = 1;
  return v;
}

const char *ssx_text(row *r, int a) {
  pn_value *v = ssx_field(r, a);
  if (v->type != SQLITE_TEXT) return "";
  const char *t = pn_value_cstr(v);
  if (v->life == PN_TEXT_OWNED) r->owned = 1;
  if (t) return t;
  r->out.oom = 1;
  return "";
}

void cli_ss_extras_call(sqlite3_str *sql, unsigned flags) {
  sqlite3_str_appendf(sql, "procnet_ss_extras(%u, d.record)", flags);
}

void cli_ss_extras_join(sqlite3_str *sql) {
  /* a TIME-WAIT or SYN-RECV socket has no inode: its addresses say which.
   * netns =, not IS: the socket tables take `netns = ?` (IS would look
   * each socket up in every namespace of the machine, and read them all),
   * and a socket of a namespace that could not be named (netns NULL) has
   * no sock_diag row with extras to join anyway (sock_diag needs the
   * namespace's identity); the family picks the one file of an IP kind
   * to look in (the one being read, while it is still being read) */
  sqlite3_str_appendall(sql,
                        " LEFT JOIN sock_diag AS d ON d.kind = ss.kind"
                        " AND d.netns = ss.netns AND d.family = ss.family"
                        " AND d.inode = ss.inode"
                        " AND (ss.inode <> 0 OR (d.local_port = ss.local_port"
                        " AND d.remote_port = ss.remote_port"
                        " AND d.local_address = ss.local_address"
                        " AND d.remote_address = ss.remote_address))");
}

/* ---- writing ------------------------------------------------------------ */

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

void ssx_put(row *r, const char *s, size_t n) {
  if (out_room(&r->out, n) != 0) return;
  memcpy(r->out.p + r->out.n, s, n);
  r->out.n += n;
}

void ssx_put_text(row *r, const char *s) { ssx_put(r, s, strlen(s)); }

void ssx_putf(row *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if (!s) {
    r->out.oom = 1;
    return;
  }
  ssx_put_text(r, s);
  sqlite3_free(s);
}

/* Both write in place: a number or a label after most fields of -i. */
void ssx_put_u64(row *r, unsigned long long v) {
  if (out_room(&r->out, SS_U64_LEN) != 0) return;
  r->out.n += ss_fmt_u64(r->out.p + r->out.n, v);
}

void ssx_put_label(row *r, const char *name) {
  size_t n = strlen(name);
  if (out_room(&r->out, n + 2) != 0) return;
  char *at = r->out.p + r->out.n;
  at[0] = ' ';
  memcpy(at + 1, name, n);
  at[n + 1] = ':';
  r->out.n += n + 2;
}

void ssx_out_nonzero(row *r, const char *name, int a) {
  unsigned long long v = unum(r, a);
  if (!v) return;
  ssx_put_label(r, name);
  ssx_put_u64(r, v);
}

/* ---- -o: the timer ------------------------------------------------------- */

/* ss's print_ms_timer: 119min, 2min15sec, 14sec, 1.234ms, 200ms. */
static void out_ms_timer(row *r, unsigned ms) {
  unsigned minutes = ms / 60000, secs = ms / 1000 % 60, msecs = ms % 1000;
  if (minutes) {
    msecs = 0;
    ssx_putf(r, "%umin", minutes);
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    ssx_putf(r, "%u%s", secs, msecs ? "." : "sec");
  }
  if (msecs) ssx_putf(r, "%03ums", msecs);
}

static void out_timer(row *r) {
  static const char *const names[][2] = {
      {"on", "on"}, {"keepalive", "keepalive"}, {"timewait", "timewait"},
      {"probe", "persist"}};
  const char *t = text(r, A_TIMER), *name = "unknown";
  if (!has(r, A_TIMER) || !strcmp(t, "off")) return;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(t, names[i][0])) name = names[i][1];
  double s = dnum(r, A_EXPIRES);
  unsigned ms = s > 0 ? (unsigned)(s * 1000 + 0.5) : 0;
  ssx_putf(r, " timer:(%s,", name);
  out_ms_timer(r, ms);
  ssx_putf(r, ",%lld)", num(r, A_TRETRANS));
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

/* The function's own data, one per connection. */
typedef struct fn_data {
  cg_map cg;
  const pn_tcpi_place *places[A_COUNT]; /* each field's place in
                                           tcp_info, NULL: none */
} fn_data;

static void fn_data_free(void *p) {
  fn_data *d = p;
  for (size_t i = 0; i < d->cg.n; i++) free(d->cg.v[i].path);
  free(d->cg.v);
  free(d);
}

static void out_cgroup(row *r, unsigned long long id) {
  if (!r->cg->walked) cg_walk(r->cg);
  for (size_t i = 0; i < r->cg->n; i++)
    if (r->cg->v[i].id == id) {
      ssx_putf(r, " cgroup:%s", r->cg->v[i].path);
      return;
    }
  ssx_putf(r, " cgroup:unreachable:%llx", id);
}

static void out_shutdown(row *r) {
  if (!has(r, A_SHUTDOWN)) return;
  int mask = (int)num(r, A_SHUTDOWN);
  ssx_putf(r, " %c-%c", mask & 1 ? '-' : '<', mask & 2 ? '-' : '>');
}

/* ss's sock_details_print: what -e prints of every socket but a unix
 * one (mark, cgroup, v6only and shutdown are IP sockets'). */
static void out_sock_details(row *r) {
  ssx_out_nonzero(r, "uid", A_UID);
  ssx_put_text(r, " ino:");
  ssx_put_u64(r, unum(r, A_INODE));
  ssx_putf(r, " sk:%llx", unum(r, A_COOKIE));
  if (num(r, A_MARK)) ssx_putf(r, " fwmark:0x%llx", unum(r, A_MARK));
  if (num(r, A_CGROUP)) out_cgroup(r, unum(r, A_CGROUP));
  if (is(r, A_FAMILY, "IPv6") && has(r, A_V6ONLY))
    ssx_putf(r, " v6only:%lld", num(r, A_V6ONLY));
  out_shutdown(r);
}

/* ss prints the device of a unix socket's file with glibc's major() and
 * minor() of the kernel's own encoding (major << 20 | minor): "0/65024"
 * for 254:0. */
static void out_unix_details(row *r) {
  out_shutdown(r);
  if (has(r, A_VFS_INODE)) {
    dev_t raw = (dev_t)(unum(r, A_VFS_MAJOR) << 20 | unum(r, A_VFS_MINOR));
    ssx_putf(r, " ino:%llu dev:%u/%u", unum(r, A_VFS_INODE),
                        major(raw), minor(raw));
  }
  if (has(r, A_PENDING)) {
    ssx_put_text(r, " peers:");
    const char *p = text(r, A_PENDING);
    if (*p) ssx_putf(r, " %s", p);
  }
}

/* ---- -m and -i ---------------------------------------------------------- */

static void out_skmem(row *r) {
  if (!has(r, A_SKMEM_R)) return;
  static const char *const names[] = {",r", ",rb", ",t", ",tb", ",f", ",w", ",o", ",bl", ",d"};
  ssx_put_text(r, " skmem:(");
  for (int i = 0; i < 9; i++)
    if (i < 7 || has(r, A_SKMEM_R + i)) {
      ssx_put_text(r, names[i] + !i); /* no comma before the first */
      ssx_put_u64(r, unum(r, A_SKMEM_R + i));
    }
  ssx_put(r, ")", 1);
}

/* ---- the function ------------------------------------------------------- */

static void inet_extras(row *r, unsigned flags) {
  if (flags & SS_X_TIMERS) out_timer(r);
  if (flags & SS_X_DETAILS) out_sock_details(r);
  /* ss breaks the line for the memory and the TCP internals, and for -i
   * of any IP socket but UDP, even when nothing follows */
  int info = (flags & SS_X_INFO) && !is(r, A_KIND, "udp");
  if (!(flags & SS_X_MEMORY) && !info) return;
  ssx_put_text(r, flags & SS_X_ONELINE ? "" : "\n\t");
  if (flags & SS_X_MEMORY) out_skmem(r);
  if (info && is(r, A_KIND, "tcp")) ssx_tcp_info(r, flags);
}

static void unix_extras(row *r, unsigned flags) {
  if (flags & SS_X_MEMORY) out_skmem(r);
  if (flags & SS_X_DETAILS) out_unix_details(r);
}

/* In packet_show_sock's order; its memory follows on the same line. */
static void packet_extras(row *r, unsigned flags) {
  if (flags & SS_X_DETAILS) {
    out_sock_details(r);
    ssx_packet_details(r, flags);
  }
  if (flags & SS_X_BPF) ssx_packet_filter(r, flags);
  if (flags & SS_X_MEMORY) out_skmem(r);
}

/* The socket's extras into r->out, by its kind. */
static void socket_extras(row *r, unsigned flags) {
  /* A socket procnet read from the text files (no cookie: raw sockets on
   * a kernel without raw_diag) is one ss reads there too, and ss prints
   * none of these for it. */
  if (!has(r, A_COOKIE))
    ;
  else if (is(r, A_FAMILY, "IPv4") || is(r, A_FAMILY, "IPv6"))
    inet_extras(r, flags);
  else if (is(r, A_KIND, "unix"))
    unix_extras(r, flags);
  else if (is(r, A_KIND, "packet"))
    packet_extras(r, flags);
}

/* The record argument: NULL when the join found no sock_diag row (a
 * pointer of another type reads as NULL too); an error for any other
 * value, which no caller of the record column can pass. */
static int record_arg(sqlite3_context *ctx, sqlite3_value *arg, const pn_sockrow **rec) {
  *rec = sqlite3_value_pointer(arg, PN_SOCKROW_POINTER);
  if (*rec || sqlite3_value_type(arg) == SQLITE_NULL) return 0;
  sqlite3_result_error(ctx, "procnet_ss_extras: the second argument must be sock_diag's record column", -1);
  return -1;
}

static void fn_ss_extras(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const pn_sockrow *rec;
  if (argc != 2 || sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
    sqlite3_result_error(ctx, "procnet_ss_extras(FLAGS, d.record): FLAGS must be an integer", -1);
    return;
  }
  if (record_arg(ctx, argv[1], &rec) != 0) return;
  row r;
  r.rec = rec;
  memset(r.got, 0, sizeof r.got);
  r.owned = 0;
  r.out.p = NULL;
  r.out.n = r.out.cap = 0;
  r.out.oom = 0;
  (void)out_room(&r.out, 1024); /* a failure is kept in r.out.oom */
  fn_data *d = sqlite3_user_data(ctx);
  r.cg = &d->cg;
  r.places = d->places;
  r.tcpi = rec ? pn_sock_tcp_info(rec, &r.tcpi_len) : NULL;
  if (rec) socket_extras(&r, (unsigned)sqlite3_value_int(argv[0]));
  for (int a = 0; r.owned && a < A_COUNT; a++)
    if (r.got[a]) pn_value_clear(&r.v[a]);
  if (r.out.oom || r.out.n > INT_MAX) {
    sqlite3_free(r.out.p);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  r.out.p[r.out.n] = '\0'; /* out_room keeps room for it */
  sqlite3_result_text(ctx, r.out.p, (int)r.out.n, sqlite3_free);
}

int cli_ss_extras_register(sqlite3 *db) {
  fn_data *d = calloc(1, sizeof *d);
  if (!d) return SQLITE_NOMEM;
  for (int a = 0; a < A_COUNT; a++) d->places[a] = pn_tcpi_place_of((pn_field)FIELDS[a]);
  /* not deterministic: cgroups come and go while it runs */
  return sqlite3_create_function_v2(db, "procnet_ss_extras", 2, SQLITE_UTF8, d,
                                    fn_ss_extras, NULL, NULL, fn_data_free);
}
