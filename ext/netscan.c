/*
 * netscan.c: the socket-table engine; see netscan.h for what it does and
 * the idxNum bits.
 */
#include "sort.h"
#include "netscan.h"

#include "netns.h"
#include "parallel.h"
#include "sock_diag.h"
SQLITE_EXTENSION_INIT3

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The net/ file whose inode keys a namespace whose ns/net link cannot be
 * read; the same for every table, since they share snapshots. */
#define PN_NS_PROBE "tcp"

#define IDX_PID 0x1
#define IDX_NETNS 0x2
#define IDX_INODE 0x4
#define IDX_LAZY 0x8
#define IDX_KIND 0x10

/* ---- the kinds of socket ------------------------------------------------- */

const pn_netkind pn_kind_tcp = {"tcp", PN_FMT_INET, {"tcp", "tcp6"}, 0, IPPROTO_TCP};
const pn_netkind pn_kind_udp = {"udp", PN_FMT_INET, {"udp", "udp6"}, 1, IPPROTO_UDP};
const pn_netkind pn_kind_udplite = {"udplite", PN_FMT_INET,
                                    {"udplite", "udplite6"}, 1, IPPROTO_UDPLITE};
const pn_netkind pn_kind_raw = {"raw", PN_FMT_INET, {"raw", "raw6"}, 1, -1};
/* ping sockets: IPPROTO_ICMP for v4; the v6 rows get IPPROTO_ICMPV6 below. */
const pn_netkind pn_kind_icmp = {"icmp", PN_FMT_INET, {"icmp", "icmp6"}, 1,
                                 IPPROTO_ICMP};
const pn_netkind pn_kind_unix = {"unix", PN_FMT_UNIX, {"unix", NULL}, 0, 0};
const pn_netkind pn_kind_packet = {"packet", PN_FMT_PACKET, {"packet", NULL}, 0, 0};
const pn_netkind pn_kind_netlink = {"netlink", PN_FMT_NETLINK,
                                    {"netlink", NULL}, 0, 0};

/* ---- per-cursor state ------------------------------------------------------ */

/* Pairs (inode, record) sorted by inode: the inode lookup of a snapshot. */
typedef struct inode_ix {
  uint64_t inode;
  size_t rec;
} inode_ix;

/* The sockets of one file of one kind (net/tcp6) in one namespace, read
 * once per statement. A record is parsed when it is read (to check it and
 * note its inode) and again only when a column of it is asked for. What is
 * kept is text: net/unix whole (its records may span lines), the files of
 * one line per record read a piece at a time and each good line kept
 * squeezed, blanks collapsed and the fields after the last one the tables
 * show dropped (a net/tcp line keeps 90 of its 150 bytes). Memory is that
 * text plus an offset and an inode per socket. */
typedef struct snap {
  const pn_netkind *kind;
  int file;                 /* index into kind->files */
  uint64_t key;             /* namespace key (see netns.h) */
  int known;                /* key is the netns inode */
  int64_t via_pid;          /* whose PID/net/ was read */
  pn_buf text;              /* the kind's files, concatenated */
  size_t *offs;             /* where each well-formed record starts */
  uint64_t *inodes;         /* and its inode, noted while indexing */
  size_t n, cap;
  inode_ix *by_inode;       /* built on the first inode lookup */
  int read;                 /* text, offs and inodes are filled */
} snap;

/* One stop of the scan: a file of a kind in a namespace, with the
 * processes to read it through. The snapshot is read when the scan gets
 * there (snap = -1 until then) if the query has a LIMIT, so that `LIMIT 1`
 * reads one file; otherwise every snapshot the scan needs is read at its
 * first stop, all at once, by parallel.h's threads. */
typedef struct target {
  const pn_netkind *kind;
  int file;
  uint64_t key;
  int known;
  const int64_t *pids;      /* into the cursor's nslist or pid list */
  int npids;
  int64_t pid;              /* the ns_pid the rows report, or -1 */
  int snap;
} target;

/* What the socket tables of one connection have read, shared by all their
 * cursors open at the same time (a statement, its subqueries, a view that
 * scans two tables) and dropped when the last one closes: one statement
 * reads each file once, the next statement reads afresh. */
typedef struct pn_netshare {
  int cursors;
  pn_nslist ns;
  int ns_built;
  snap *snaps;
  int nsnaps;
  pn_peer_map peers;
  int peers_loaded;
} pn_netshare;

typedef struct pn_netcur {
  pn_cursor pc;             /* pc.buf: the file being read */
  const pn_nettable *t;
  pn_netshare *sh;          /* the connection's shared snapshots */
  target *targets;
  int ntargets;
  size_t tcap;
  int ti;                   /* current target */
  size_t ri;                /* record, or position in by_inode */
  pn_netrow row;            /* the current record, once parsed */
  int row_parsed;
  int by_inode;             /* iterating an inode lookup */
  int lazy;                 /* read each snapshot only when reached */
  unsigned kinds;           /* bit k: t->kinds[k] is wanted */
  uint64_t want_inode;
} pn_netcur;

static const pn_nettable *desc_of(sqlite3_vtab *tab) {
  return ((pn_vtab *)tab)->desc;
}

static int netXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  const pn_nettable *t = desc_of(tab);
  int argc = 0, n_in = 0, idx = 0;
  if (pn_claim_eq(info, t->col_ns_pid, &argc, 1, &n_in)) idx |= IDX_PID;
  if (n_in) idx |= PN_IDX_PID_LIST;
  if (pn_claim_eq(info, t->col_netns, &argc, 0, NULL)) idx |= IDX_NETNS;
  if (pn_claim_eq(info, t->col_inode, &argc, 0, NULL)) idx |= IDX_INODE;
  if (t->col_kind >= 0) idx |= pn_claim_names(info, t->col_kind, &argc, IDX_KIND);
  for (int i = 0; i < info->nConstraint; i++)
    if (info->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_LIMIT) idx |= IDX_LAZY;
  double per_kind = 5000.0;
  int nkinds = !(idx & IDX_KIND) ? t->nkinds
               : (idx & (PN_IDX_NAME_LIST * 0xff)) ? 2 : 1; /* a list: a guess */
  if (idx & IDX_INODE) {
    info->estimatedCost = 10.0; /* amortised: snapshots are read once */
    info->estimatedRows = 1;
  } else if (idx & (IDX_PID | IDX_NETNS)) {
    info->estimatedCost = per_kind / 10 * nkinds;
    info->estimatedRows = 100;
  } else {
    info->estimatedCost = per_kind * nkinds;
    info->estimatedRows = 1000;
  }
  info->idxNum = idx;
  return SQLITE_OK;
}

static int netXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  pn_ctx *ctx = ((pn_vtab *)tab)->ctx;
  if (!ctx->netshare) {
    pn_netshare *sh = sqlite3_malloc(sizeof *sh);
    if (!sh) return SQLITE_NOMEM;
    memset(sh, 0, sizeof *sh);
    ctx->netshare = sh;
  }
  int rc = pn_cursor_open(tab, sizeof(pn_netcur), out);
  pn_netshare *sh = ctx->netshare;
  if (rc == SQLITE_OK) {
    ((pn_netcur *)*out)->t = desc_of(tab);
    ((pn_netcur *)*out)->sh = sh;
    sh->cursors++;
  } else if (sh->cursors == 0) {
    sqlite3_free(sh);
    ctx->netshare = NULL;
  }
  return rc;
}

static void snap_free(snap *s) {
  pn_buf_free(&s->text);
  sqlite3_free(s->offs);
  sqlite3_free(s->inodes);
  sqlite3_free(s->by_inode);
}

static void share_release(pn_ctx *ctx, pn_netshare *sh) {
  if (--sh->cursors > 0) return;
  for (int i = 0; i < sh->nsnaps; i++) snap_free(&sh->snaps[i]);
  sqlite3_free(sh->snaps);
  pn_nslist_free(&sh->ns);
  pn_peer_map_free(&sh->peers);
  sqlite3_free(sh);
  ctx->netshare = NULL;
}

static int netXClose(sqlite3_vtab_cursor *cur) {
  pn_netcur *c = (pn_netcur *)cur;
  share_release(((pn_vtab *)cur->pVtab)->ctx, c->sh);
  sqlite3_free(c->targets);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- reading a snapshot --------------------------------------------------- */

static int parse_line(const pn_netkind *k, pn_str line, pn_netrow *row) {
  switch (k->fmt) {
  case PN_FMT_INET:
    return pn_parse_inet_line(line.p, line.n, k->has_drops, &row->u.inet);
  case PN_FMT_PACKET:
    return pn_parse_packet_line(line.p, line.n, &row->u.packet);
  case PN_FMT_NETLINK:
    return pn_parse_netlink_line(line.p, line.n, &row->u.netlink);
  case PN_FMT_UNIX: break;
  }
  return -1;
}

/* Parses the first well-formed record at or after *pos. Header lines and
 * malformed lines do not parse, so they are skipped here; starting again
 * from the same *pos always yields the same record. */
static int next_record(const pn_netkind *k, const char *text, size_t n,
                       size_t *pos, pn_netrow *row) {
  row->kind = k;
  if (k->fmt == PN_FMT_UNIX) return pn_next_unix(text, n, pos, &row->u.unx);
  pn_str line;
  while (pn_next_line(text, n, pos, &line))
    if (parse_line(k, line, row) == 0) return 1;
  return 0;
}

static int push_record(snap *s, size_t off, uint64_t inode) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 256;
    size_t *v = sqlite3_realloc64(s->offs, ncap * sizeof *v);
    if (!v) return SQLITE_NOMEM;
    s->offs = v;
    uint64_t *w = sqlite3_realloc64(s->inodes, ncap * sizeof *w);
    if (!w) return SQLITE_NOMEM;
    s->inodes = w;
    s->cap = ncap;
  }
  s->offs[s->n] = off;
  s->inodes[s->n++] = inode;
  return SQLITE_OK;
}

static uint64_t row_inode(const pn_netrow *r) {
  switch (r->kind->fmt) {
  case PN_FMT_INET: return r->u.inet.inode;
  case PN_FMT_UNIX: return r->u.unx.inode;
  case PN_FMT_PACKET: return r->u.packet.inode;
  case PN_FMT_NETLINK: return r->u.netlink.inode;
  }
  return 0;
}

/* Notes where each record of s->text starts, and its inode. */
static int index_records(snap *s) {
  pn_netrow row;
  size_t pos = 0, start = 0;
  while (next_record(s->kind, s->text.p, s->text.n, &pos, &row)) {
    int rc = push_record(s, start, row_inode(&row));
    if (rc != SQLITE_OK) return rc;
    start = pos;
  }
  return SQLITE_OK;
}

/* What one snapshot may keep, as procfs caps a file read whole: a hostile
 * tree must not exhaust memory. */
#define PN_NET_TEXT_MAX ((size_t)1 << 30)

/* Keeps a good line: its first `used` bytes, squeezed, then a newline. */
static int keep_squeezed(snap *s, pn_str line, size_t used, uint64_t inode) {
  size_t at = s->text.n;
  if (used > line.n) used = line.n;
  if (at + used >= PN_NET_TEXT_MAX || pn_buf_grow(&s->text, used + 1) != 0)
    return SQLITE_NOMEM;
  size_t k = pn_squeeze_blanks(line.p, used, s->text.p + at);
  s->text.p[at + k] = '\n';
  s->text.n = at + k + 1;
  return push_record(s, at, inode);
}

/* Indexes one line of a line-per-record file and keeps it if it parses. */
static int take_line(snap *s, pn_str line) {
  pn_netrow row;
  if (parse_line(s->kind, line, &row) != 0) return SQLITE_OK; /* header, junk */
  row.kind = s->kind;
  size_t used = s->kind->fmt == PN_FMT_INET ? row.u.inet.used : line.n;
  return keep_squeezed(s, line, used, row_inode(&row));
}

/* Reads dir/rel a piece at a time into s (see `snap`): only the squeezed
 * good lines are kept, never the whole file. *rc gets an out-of-memory. */
#define PN_NET_PIECE 65536
static pn_res read_lines(const pn_fs *fs, int dir, const char *rel, snap *s,
                         int *rc, int *err) {
  int fd, eof = 0;
  pn_buf piece = {0};
  pn_res r = pn_open_file(fs, dir, rel, &fd, err);
  if (r != PN_OK) return r;
  while (!eof && *rc == SQLITE_OK) {
    r = pn_read_more(fd, &piece, PN_NET_PIECE, &eof, err);
    if (r != PN_OK) break;
    size_t start = 0;
    const char *nl;
    while (*rc == SQLITE_OK &&
           (nl = memchr(piece.p + start, '\n', piece.n - start)) != NULL) {
      size_t end = (size_t)(nl - piece.p);
      *rc = take_line(s, (pn_str){piece.p + start, end - start});
      start = end + 1;
    }
    if (eof && start < piece.n && *rc == SQLITE_OK) /* no final newline */
      *rc = take_line(s, (pn_str){piece.p + start, piece.n - start});
    memmove(piece.p, piece.p + start, piece.n - start);
    piece.n -= start;
  }
  close(fd);
  pn_buf_free(&piece);
  return r;
}

/* 1 when piddir shows the kind's first file (net/tcp): its other files
 * may then be missing for good (no tcp6 without IPv6), not because the
 * process is a zombie. */
static int has_first_file(const pn_fs *fs, int piddir, const pn_netkind *k) {
  char rel[64];
  struct stat st;
  int err;
  snprintf(rel, sizeof rel, "net/%s", k->files[0]);
  return pn_stat_at(fs, piddir, rel, &st, &err) == PN_OK;
}

/* Reads s's file through pid. *gone: the process is not there (or, for
 * a kind's first file, the file is not: a zombie has no net/), try
 * another; a later file that is missing (no tcp6 without IPv6) is just
 * empty. */
static int read_via(const pn_fs *fs, snap *s, int64_t pid, int *gone) {
  int dir, err, rc = SQLITE_OK;
  char rel[64];
  *gone = 1;
  s->text.n = s->n = 0; /* nothing kept from a process tried before */
  pn_res r = pn_open_pid(fs, pid, &dir, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  snprintf(rel, sizeof rel, "net/%s", s->kind->files[s->file]);
  if (s->kind->fmt == PN_FMT_UNIX) {
    r = pn_append_file(fs, dir, rel, &s->text, &err);
    if (r == PN_OK) rc = index_records(s);
  } else {
    r = read_lines(fs, dir, rel, s, &rc, &err);
  }
  if (pn_is_nomem(r, err)) rc = SQLITE_NOMEM;
  if (r != PN_OK || rc != SQLITE_OK)
    s->text.n = s->n = 0; /* a file read in part is not kept */
  *gone = r != PN_OK && rc == SQLITE_OK &&
          (s->file == 0 || !has_first_file(fs, dir, s->kind));
  close(dir);
  s->via_pid = pid;
  return rc;
}

/* Reads s through the first of pids that is still there (empty when none
 * is). */
static int read_snap(const pn_fs *fs, snap *s, const int64_t *pids, int npids) {
  int gone = 1, rc = SQLITE_OK;
  for (int i = 0; i < npids && gone && rc == SQLITE_OK; i++)
    rc = read_via(fs, s, pids[i], &gone);
  s->read = rc == SQLITE_OK; /* after a failure the next scan tries again */
  return rc;
}

static int find_snap(pn_netcur *c, const target *t) {
  for (int i = 0; i < c->sh->nsnaps; i++) {
    const snap *s = &c->sh->snaps[i];
    if (s->kind == t->kind && s->file == t->file && s->key == t->key &&
        s->known == t->known)
      return i;
  }
  return -1;
}

/* The snapshot of target t, made (not read) if it is new; its index in
 * sh->snaps, or -1 when out of memory. */
static int snap_of(pn_netcur *c, const target *t) {
  int i = find_snap(c, t);
  if (i >= 0) return i;
  snap *v = sqlite3_realloc64(c->sh->snaps, (size_t)(c->sh->nsnaps + 1) * sizeof *v);
  if (!v) return -1;
  c->sh->snaps = v;
  snap *s = &c->sh->snaps[c->sh->nsnaps];
  memset(s, 0, sizeof *s);
  s->kind = t->kind;
  s->file = t->file;
  s->key = t->key;
  s->known = t->known;
  return c->sh->nsnaps++;
}

/* Reading several snapshots at once: one item per snapshot, each thread
 * with its own counters (added up after). */
typedef struct snap_job {
  snap *s;
  const target *t;
} snap_job;

typedef struct snap_reader {
  pn_fs fs;
  pn_counters cnt;
  const snap_job *jobs;
  int rc;
} snap_reader;

static void read_item(void *state, size_t item) {
  snap_reader *r = state;
  const snap_job *j = &r->jobs[item];
  int rc = read_snap(&r->fs, j->s, j->t->pids, j->t->npids);
  if (rc != SQLITE_OK) r->rc = rc;
}

/* Gives every target from `from` on its snapshot, and reads those not yet
 * read: only target `from`'s when the scan is lazy, else all of them at
 * once, shared out to the configured threads. */
static int ready_snaps(pn_netcur *c, int from) {
  int last = c->lazy ? from + 1 : c->ntargets, njobs = 0, rc = SQLITE_OK;
  for (int i = from; i < last; i++)
    if (c->targets[i].snap < 0 && (c->targets[i].snap = snap_of(c, &c->targets[i])) < 0)
      return SQLITE_NOMEM;
  snap_job *jobs = sqlite3_malloc64((size_t)(last - from) * sizeof *jobs);
  if (!jobs) return SQLITE_NOMEM;
  for (int i = from; i < last; i++) {
    snap *s = &c->sh->snaps[c->targets[i].snap];
    int dup = 0;
    for (int k = 0; k < njobs && !dup; k++) dup = jobs[k].s == s;
    if (!s->read && !dup) jobs[njobs++] = (snap_job){s, &c->targets[i]};
  }
  snap_reader r[PN_MAX_THREADS];
  memset(r, 0, sizeof r);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    r[t].fs = c->pc.fs;
    r[t].fs.cnt = &r[t].cnt;
    r[t].jobs = jobs;
  }
  pn_ctx *ctx = ((pn_vtab *)c->pc.base.pVtab)->ctx;
  pn_parallel_for((size_t)njobs, ctx->threads, read_item, r, sizeof *r);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    if (r[t].rc != SQLITE_OK) rc = r[t].rc;
    if (c->pc.fs.cnt) pn_counters_add(c->pc.fs.cnt, &r[t].cnt);
  }
  sqlite3_free(jobs);
  return rc;
}

/* ---- planning: which snapshots a scan visits -------------------------------- */

/* Adds a stop for every kind of the table in one namespace. */
static int add_targets(pn_netcur *c, uint64_t key, int known,
                       const int64_t *pids, int npids, int64_t pid) {
  for (int k = 0; k < c->t->nkinds; k++) {
    const pn_netkind *kind = c->t->kinds[k];
    if (!(c->kinds & (1u << k))) continue;
    for (int f = 0; f < 2 && kind->files[f]; f++) {
      target *v = pn_array_room(c->targets, (size_t)c->ntargets, &c->tcap, sizeof *v, 16);
      if (!v) return SQLITE_NOMEM;
      c->targets = v;
      target t = {kind, f, key, known, pids, npids, pid, -1};
      c->targets[c->ntargets++] = t;
    }
  }
  return SQLITE_OK;
}

static int ensure_nslist(pn_netcur *c) {
  if (c->sh->ns_built) return SQLITE_OK;
  if (pn_nslist_build(&c->sh->ns, &c->pc.fs, PN_NS_PROBE, &c->pc.buf))
    return SQLITE_NOMEM;
  c->sh->ns_built = 1;
  return SQLITE_OK;
}

static int plan_namespace(pn_netcur *c, const pn_netns *ns) {
  return add_targets(c, ns->key, ns->known, ns->pids, ns->npids, -1);
}

static int plan_all(pn_netcur *c) {
  int rc = ensure_nslist(c);
  for (int i = 0; rc == SQLITE_OK && i < c->sh->ns.n; i++)
    rc = plan_namespace(c, &c->sh->ns.v[i]);
  return rc;
}

static int plan_netns(pn_netcur *c, sqlite3_value *v) {
  sqlite3_int64 key;
  if (!pn_value_int64(v, &key)) return SQLITE_OK; /* equals no namespace */
  int rc = ensure_nslist(c);
  if (rc != SQLITE_OK) return rc;
  const pn_netns *ns = pn_nslist_find(&c->sh->ns, (uint64_t)key);
  return ns ? plan_namespace(c, ns) : SQLITE_OK;
}

/* `ns_pid = X`: X's own net/ files (its namespace), reported with ns_pid X. */
static int plan_pids(pn_netcur *c, sqlite3_value *v, int is_list) {
  int rc = pn_i64list_from_arg(&c->pc.pids, v, is_list);
  for (int i = 0; rc == SQLITE_OK && i < c->pc.pids.n; i++) {
    const int64_t *pid = &c->pc.pids.v[i];
    uint64_t key;
    int known, err;
    pn_res r = pn_netns_of_pid(&c->pc.fs, *pid, PN_NS_PROBE, &key,
                               &known, &c->pc.buf, &err);
    if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
    if (r == PN_OK) rc = add_targets(c, key, known, pid, 1, *pid);
  }
  return rc;
}

/* ---- inode lookups ------------------------------------------------------------ */

static int cmp_inode_ix(const void *a, const void *b) {
  const inode_ix *x = a, *y = b;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return (x->rec > y->rec) - (x->rec < y->rec);
}

static int build_by_inode(snap *s) {
  s->by_inode = sqlite3_malloc64((s->n ? s->n : 1) * sizeof *s->by_inode);
  if (!s->by_inode) return SQLITE_NOMEM;
  for (size_t i = 0; i < s->n; i++) {
    s->by_inode[i].inode = s->inodes[i];
    s->by_inode[i].rec = i;
  }
  pn_sort(s->by_inode, s->n, sizeof *s->by_inode, cmp_inode_ix);
  return SQLITE_OK;
}

static size_t first_with_inode(const snap *s, uint64_t inode) {
  return pn_lower_bound_u64(s->by_inode, s->n, sizeof *s->by_inode, inode);
}

/* ---- iteration --------------------------------------------------------------- */

static const snap *cur_snap(const pn_netcur *c) {
  return &c->sh->snaps[c->targets[c->ti].snap];
}

static size_t cur_record(const pn_netcur *c) {
  return c->by_inode ? cur_snap(c)->by_inode[c->ri].rec : c->ri;
}

/* Reads target ti's snapshot if needed and positions ri at its first
 * candidate row. */
static int enter_target(pn_netcur *c) {
  target *t = &c->targets[c->ti];
  c->ri = 0;
  if (t->snap < 0 || !c->sh->snaps[t->snap].read) {
    int rc = ready_snaps(c, c->ti);
    if (rc != SQLITE_OK) return rc;
  }
  snap *s = &c->sh->snaps[t->snap];
  if (!c->by_inode) return SQLITE_OK;
  if (!s->by_inode && s->n && build_by_inode(s) != SQLITE_OK)
    return SQLITE_NOMEM;
  if (s->n) c->ri = first_with_inode(s, c->want_inode);
  return SQLITE_OK;
}

/* 1 when ri is a row of the scan. Its record is parsed on the first
 * column asked for (count(*) and inode tests need none). */
static int row_is_valid(pn_netcur *c) {
  const snap *s = cur_snap(c);
  c->row_parsed = 0;
  if (c->ri >= s->n) return 0;
  return !c->by_inode || s->by_inode[c->ri].inode == c->want_inode;
}

/* Parses the current record into c->row. It parsed when indexed, from the
 * same bytes, so this cannot fail; 0 if it somehow does (NULL columns). */
static int parse_row(pn_netcur *c) {
  const snap *s = cur_snap(c);
  size_t pos = s->offs[cur_record(c)];
  if (!c->row_parsed)
    c->row_parsed = next_record(s->kind, s->text.p, s->text.n, &pos, &c->row);
  return c->row_parsed;
}

/* Skips to the next target until a valid row is found or all are done. */
static int settle(pn_netcur *c) {
  while (c->ti < c->ntargets) {
    if (row_is_valid(c)) return SQLITE_OK;
    if (++c->ti < c->ntargets) {
      int rc = enter_target(c);
      if (rc != SQLITE_OK) return rc;
    }
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

/* The kinds the kind arguments (argv[first] to the end) allow. */
static int wanted_kinds(const pn_nettable *t, int idxNum, int argc, sqlite3_value **argv,
                        int first, unsigned *mask) {
  const char *names[32]; /* a bit of *mask each; sockets has 8 kinds */
  int n = t->nkinds < 32 ? t->nkinds : 32;
  for (int k = 0; k < n; k++) names[k] = t->kinds[k]->name;
  return pn_names_wanted(names, n, idxNum, argc, argv, first, mask);
}

static int netXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv) {
  (void)idxStr;
  pn_netcur *c = (pn_netcur *)cur;
  int rc = SQLITE_OK, arg = 0;
  c->ntargets = c->ti = 0;
  c->pc.eof = 0;
  c->by_inode = 0;
  c->lazy = (idxNum & IDX_LAZY) != 0;
  c->kinds = ~0u;
  if (idxNum & IDX_KIND) {
    /* the last arguments; the others are read in order below */
    int at = !!(idxNum & IDX_PID) + !!(idxNum & IDX_NETNS) + !!(idxNum & IDX_INODE);
    rc = wanted_kinds(c->t, idxNum, argc, argv, at, &c->kinds);
    if (rc != SQLITE_OK) return rc;
    if (c->kinds == 0) { /* no such kind: nothing to read */
      c->pc.eof = 1;
      return SQLITE_OK;
    }
  }
  if (idxNum & IDX_PID) rc = plan_pids(c, argv[arg++], idxNum & PN_IDX_PID_LIST);
  else if (idxNum & IDX_NETNS) rc = plan_netns(c, argv[arg]);
  else rc = plan_all(c);
  if (idxNum & IDX_NETNS) {
    /* With pid too, keep only the targets in that namespace. */
    sqlite3_int64 key;
    int valid = pn_value_int64(argv[arg++], &key), keep = 0;
    for (int i = 0; i < c->ntargets; i++) {
      const target *t = &c->targets[i];
      if (valid && t->known && t->key == (uint64_t)key) c->targets[keep++] = *t;
    }
    c->ntargets = keep;
  }
  if (rc == SQLITE_OK && (idxNum & IDX_INODE)) {
    sqlite3_int64 inode = 0;
    if (!pn_value_int64(argv[arg], &inode)) c->ntargets = 0; /* equals no row */
    c->want_inode = (uint64_t)inode;
    c->by_inode = 1;
  }
  if (rc == SQLITE_OK && c->ntargets) rc = enter_target(c);
  if (rc == SQLITE_OK) rc = settle(c);
  return rc;
}

static int netXNext(sqlite3_vtab_cursor *cur) {
  pn_netcur *c = (pn_netcur *)cur;
  c->ri++;
  return settle(c);
}


static int netXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  pn_netcur *c = (pn_netcur *)cur;
  *rowid = ((sqlite3_int64)c->targets[c->ti].snap << 32) |
           (sqlite3_int64)cur_record(c);
  return SQLITE_OK;
}

static int netXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  pn_netcur *c = (pn_netcur *)cur;
  if (col == c->t->col_ns_pid) {
    int64_t pid = c->targets[c->ti].pid;
    if (pid >= 0) sqlite3_result_int64(ctx, pid);
    return SQLITE_OK;
  }
  if (col == c->t->col_netns) {
    const snap *s = cur_snap(c);
    if (s->known) sqlite3_result_int64(ctx, (sqlite3_int64)s->key);
    return SQLITE_OK;
  }
  if (col == c->t->col_inode) {
    const snap *s = cur_snap(c);
    sqlite3_result_int64(ctx, (sqlite3_int64)s->inodes[cur_record(c)]);
    return SQLITE_OK;
  }
  if (!parse_row(c)) return SQLITE_OK;
  return c->t->column(c, &c->row, ctx, col);
}

const sqlite3_module pn_net_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = netXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = netXOpen,
    .xClose = netXClose,
    .xFilter = netXFilter,
    .xNext = netXNext,
    .xEof = pn_cursor_eof,
    .xColumn = netXColumn,
    .xRowid = netXRowid,
};

/* ---- helpers for the tables' xColumn ------------------------------------------ */

/* Our own namespace's inode, from the real /proc (sock_diag answers for the
 * namespace of the socket it is asked through, which is ours). */
static uint64_t own_netns(void) {
  struct stat st;
  return stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

uint64_t pn_net_unix_peer(pn_netcur *c, uint64_t inode) {
  const snap *s = cur_snap(c);
  if (!c->sh->peers_loaded) {
    c->sh->peers_loaded = 1;
    c->sh->peers.self_netns = own_netns();
    if (c->sh->peers.self_netns) pn_unix_peers_load(&c->sh->peers);
  }
  if (!s->known || s->key != c->sh->peers.self_netns) return 0;
  return pn_peer_map_get(&c->sh->peers, inode);
}

void pn_net_result_addr(sqlite3_context *ctx, int family, const uint8_t *a) {
  char text[46];
  size_t n = pn_format_addr(family, a, text);
  sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

const char *pn_inet_family_name(int family) {
  return family == 6 ? "IPv6" : "IPv4";
}

static const char *unix_state_name(const pn_unix_sock *u) {
  if (u->flags & PN_UNIX_LISTENING) return "LISTEN";
  switch (u->state) {
  case 1: return "UNCONNECTED";
  case 2: return "CONNECTING";
  case 3: return "CONNECTED";
  case 4: return "DISCONNECTING";
  default: return NULL;
  }
}

const char *pn_net_state_name(const pn_netrow *r) {
  switch (r->kind->fmt) {
  case PN_FMT_INET: return pn_tcp_state_name(r->u.inet.state);
  case PN_FMT_UNIX: return unix_state_name(&r->u.unx);
  case PN_FMT_PACKET:
  case PN_FMT_NETLINK: break;
  }
  return NULL;
}

int pn_net_ipproto(const pn_netrow *r) {
  const pn_netkind *k = r->kind;
  if (k->ipproto < 0) return r->u.inet.local_port; /* raw: the protocol */
  if (k == &pn_kind_icmp && r->u.inet.family == 6) return IPPROTO_ICMPV6;
  return k->ipproto;
}
