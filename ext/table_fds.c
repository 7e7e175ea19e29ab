/*
 * table_fds.c: the `fds` table, one row per open file descriptor.
 *
 * Sources, each read only when a used column needs it:
 *   PID/fd listing   pid fd
 *   readlink fd/N    target type inode path deleted (decides the row exists)
 *   stat fd/N        type and inode of paths and anon inodes, dev_*, size
 *   lstat fd/N       mode (the link's permission bits are the open mode)
 *   fdinfo/N         pos flags mnt_id
 * Sockets and pipes, most of a busy machine's descriptors, need nothing but
 * their readlink (see pseudo_file): what the others read is the same for
 * every one of them.
 *
 * A process whose fd directory cannot be read (EACCES without root) yields
 * one row with fd NULL and `error` saying why, as lsof prints NOFD: the query
 * succeeds and the gap is visible.
 *
 * idxNum bits:
 *   0x1   `pid = ?` or `pid IN (...)`
 *   0x2   `inode = ?`
 *   0x4   a link column is used (target, type, inode, path, deleted, error)
 *   0x8   `type = 'socket'` wanted in inode order (ORDER BY / GROUP BY inode):
 *         every socket descriptor, from the index, in its order
 *   0x10  with 0x2: `type = 'socket'` too, so the lookup needs no stat of
 *         files and anon inodes (the stat tier)
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 * argv order: pid (when 0x1), inode (when 0x2).
 *
 * Plans. With pid, the listed processes are walked; the last listing is kept
 * so the inner loop of a join does not list the same directory twice. With
 * inode, an inode -> (pid, fd) index of every descriptor is built once and
 * xFilter calls are lookups; with pid as well, the first call walks the pids
 * and later calls use the index. The index is shared by all fds cursors the
 * connection has open (a correlated subquery opens one per outer row) and
 * dropped with the last of them. Files and anon inodes get their inode from
 * stat, which the index does on the first lookup that may want them (any
 * but `type = 'socket'`): inode numbers are unique only within a
 * filesystem, so a file may share its number with a socket or a pipe.
 *
 * The index is sorted by inode, then pid and fd both descending: the holders
 * of one socket come newest process first, the order ss lists them in. The
 * socket scan (0x8) hands that order to SQLite (orderByConsumed), so that
 * "who holds each socket" (GROUP BY inode) needs no sorter: no copy of
 * every row, no sort. An inode lookup does the same for ORDER BY pid DESC,
 * fd DESC.
 */
#include "tables.h"
#include "fd_share.h"
#include "fdscan.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char FDS_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, target TEXT, type TEXT,"
    " inode INTEGER, path TEXT, deleted INTEGER, mode TEXT, pos INTEGER,"
    " flags INTEGER, mnt_id INTEGER, dev_major INTEGER, dev_minor INTEGER,"
    " rdev_major INTEGER, rdev_minor INTEGER, size INTEGER, error TEXT)";
enum {
  COL_PID, COL_FD, COL_TARGET, COL_TYPE, COL_INODE, COL_PATH, COL_DELETED,
  COL_MODE, COL_POS, COL_FLAGS, COL_MNT_ID, COL_DEV_MAJOR, COL_DEV_MINOR,
  COL_RDEV_MAJOR, COL_RDEV_MINOR, COL_SIZE, COL_ERROR
};

#define IDX_PID PN_IDX_PID
#define IDX_INODE 0x2
#define IDX_LINK 0x4
#define IDX_SOCKET_SCAN 0x8
#define IDX_SOCKETS_ONLY 0x10

typedef struct fds_cursor {
  pn_cursor pc;             /* pc.buf: fdinfo text; pc.pid, pc.piddir: the
                               process being walked */
  int idx;
  pn_fdnums fds;            /* its descriptor numbers (a listing) */
  size_t fdat;              /* the next of them */
  sqlite3_int64 listed_pid; /* whose listing fds holds, or -1 */
  pn_res list_res;          /* how that listing went */
  int list_err;
  /* inode plan */
  pn_fd_share *sh;          /* the connection's index (fd_share.h) */
  uint64_t want_inode;
  pn_fd_span spans[2];      /* the index entries this call visits */
  size_t ref_at[2];         /* the next of each */
  const pn_i64list *pid_filter; /* index lookups with a pid constraint too */
  int use_index;            /* this call answers from the index */
  int socket_scan;          /* this call lists every socket, in index order */
  int filters;              /* xFilter calls so far */
  /* the current row */
  int fd;                   /* -1: the error row of an unreadable process */
  const char *error;
  pn_buf link;
  pn_fdlink parsed;
  int have_link;
  int link_pending;         /* index row: the link text is made on demand */
  int stat_done, have_stat;
  struct stat st;
  int lstat_done;
  char mode;
  int fdinfo_done;
  pn_fdinfo info;
  /* the device of sockfs and of pipefs, from the first socket or pipe
   * stat'ed (see pseudo_file) */
  int pseudo_dev_known[2];
  dev_t pseudo_dev[2];
} fds_cursor;

/* 1 when the rows are wanted in ascending inode order (ORDER BY inode, or
 * GROUP BY inode, which SQLite may reuse for an ORDER BY inode DESC: so a
 * descending order is never claimed). */
static int wants_inode_order(sqlite3_index_info *info) {
  return info->nOrderBy == 1 && info->aOrderBy[0].iColumn == COL_INODE &&
         !info->aOrderBy[0].desc;
}

/* 1 when the rows are wanted newest holder first: ORDER BY pid DESC, fd
 * DESC (or pid DESC alone), the order of one inode's rows in the index. */
static int wants_index_holder_order(sqlite3_index_info *info) {
  if (info->nOrderBy < 1 || info->nOrderBy > 2) return 0;
  if (info->aOrderBy[0].iColumn != COL_PID || !info->aOrderBy[0].desc) return 0;
  return info->nOrderBy == 1 ||
         (info->aOrderBy[1].iColumn == COL_FD && info->aOrderBy[1].desc);
}

/* 1 when a usable `type = 'socket'` is among the constraints. */
static int has_type_socket(sqlite3_index_info *info) {
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    sqlite3_value *v = NULL;
    if (!k->usable || k->iColumn != COL_TYPE ||
        k->op != SQLITE_INDEX_CONSTRAINT_EQ)
      continue;
    if (sqlite3_vtab_rhs_value(info, i, &v) != SQLITE_OK || !v ||
        sqlite3_value_type(v) != SQLITE_TEXT)
      continue;
    const unsigned char *t = sqlite3_value_text(v);
    if (t && strcmp((const char *)t, "socket") == 0) return 1;
  }
  return 0;
}

static int fdsXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, 20);
  int argc = idx ? 1 : 0;
  if (pn_claim_eq(info, COL_INODE, &argc, 0, NULL)) idx |= IDX_INODE;
  const sqlite3_uint64 link_cols = (1u << COL_TARGET) | (1u << COL_TYPE) |
                                   (1u << COL_INODE) | (1u << COL_PATH) |
                                   (1u << COL_DELETED) | (1u << COL_ERROR);
  if ((info->colUsed & link_cols) || (idx & IDX_INODE)) idx |= IDX_LINK;
  if ((idx & IDX_INODE) && has_type_socket(info)) idx |= IDX_SOCKETS_ONLY;
  if ((idx & IDX_INODE) && !(idx & IDX_PID)) {
    /* Amortised: one index build per cursor, then a lookup per call. */
    info->estimatedCost = 30.0;
    info->estimatedRows = 1;
    if (wants_index_holder_order(info)) info->orderByConsumed = 1;
  } else if (!(idx & (IDX_PID | IDX_INODE)) && has_type_socket(info) &&
             wants_inode_order(info)) {
    /* The type test stays with SQLite (no omit): it is cheap on index rows
     * and keeps the plan honest if the index ever holds other kinds. */
    idx = IDX_LINK | IDX_SOCKET_SCAN;
    info->orderByConsumed = 1;
    /* The same reads as walking every process, minus the sort the other
     * orders pay: priced below processes-then-fds-by-pid (1,000 processes
     * at 2 x 20 each) so that SQLite takes it. */
    info->estimatedCost = 10000.0;
    info->estimatedRows = 10000;
  }
  info->idxNum = idx;
  return SQLITE_OK;
}

static int fdsXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(fds_cursor), out);
  if (rc != SQLITE_OK) return rc;
  fds_cursor *c = (fds_cursor *)*out;
  c->listed_pid = -1;
  if ((rc = pn_fd_share_open(((pn_vtab *)tab)->ctx, &c->sh)) != SQLITE_OK) {
    pn_cursor_free(&c->pc);
    *out = NULL;
  }
  return rc;
}

/* Opens the current process's directory when a row needs it (index rows
 * open it only for stat, mode or fdinfo columns). 0: the process is gone. */
static int ensure_piddir(fds_cursor *c) { return pn_cursor_open_piddir(&c->pc); }

static int fdsXClose(sqlite3_vtab_cursor *cur) {
  fds_cursor *c = (fds_cursor *)cur;
  pn_fdnums_free(&c->fds);
  pn_fd_share_close(((pn_vtab *)cur->pVtab)->ctx, c->sh);
  pn_buf_free(&c->link);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- listing one process's descriptors ------------------------------------ */

/* Opens PID's directory and lists PID/fd into c->fds, unless it already
 * holds that listing. Sets c->list_res: PN_GONE skips the process, PN_DENIED gives
 * the error row. */
static int list_process(fds_cursor *c, sqlite3_int64 pid) {
  int err;
  pn_cursor_close_piddir(&c->pc);
  c->pc.pid = pid;
  pn_res r = pn_open_pid(&c->pc.fs, pid, &c->pc.piddir, &err);
  if (r != PN_OK) {
    c->list_res = r == PN_DENIED ? PN_DENIED : PN_GONE;
    c->list_err = err;
    c->listed_pid = -1;
    return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  }
  if (c->listed_pid == pid) return SQLITE_OK; /* memo: same directory */
  c->listed_pid = -1;
  r = pn_list_fds(&c->pc.fs, c->pc.piddir, &c->fds, &err);
  c->list_res = r;
  c->list_err = err;
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  c->listed_pid = pid;
  return SQLITE_OK;
}

/* ---- the current row -------------------------------------------------------- */

static void row_reset(fds_cursor *c, int fd) {
  c->fd = fd;
  c->error = NULL;
  c->have_link = 0;
  c->link_pending = 0;
  c->stat_done = c->have_stat = 0;
  c->lstat_done = 0;
  c->fdinfo_done = 0;
}

/* Reads the link of fd; *exists is 0 when the descriptor was closed since
 * the listing (the row is skipped). A link we may not read still makes a
 * row, without link columns and with `error` set, as lsof prints
 * "(readlink: Permission denied)". */
static int read_row_link(fds_cursor *c, int *exists) {
  int err;
  pn_res r = pn_read_fd_link(&c->pc.fs, c->pc.piddir, c->fd, &c->link, &c->parsed, &err);
  *exists = r == PN_OK || r == PN_DENIED;
  if (r == PN_DENIED) c->error = pn_res_text(r, err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  c->have_link = 1;
  return SQLITE_OK;
}

/* Sockets and pipes have what the kernel guarantees of every one of them,
 * so that their rows need no read beyond the link:
 *  - a socket's file is always opened read-write (sock_alloc_file): 'u';
 *  - neither has a file position that moves (no llseek; reads and writes
 *    leave f_pos alone): pos is 0;
 *  - each kind lives on one kernel-internal filesystem (sockfs, pipefs),
 *    whose device is that of every socket (pipe): one stat per cursor.
 * Returns 0 (socket), 1 (pipe), or -1 for other descriptors. */
static int pseudo_file(const fds_cursor *c) {
  if (!c->have_link) return -1;
  return c->parsed.kind == PN_FD_SOCKET ? 0 : c->parsed.kind == PN_FD_PIPE ? 1 : -1;
}

static void load_stat(fds_cursor *c) {
  char rel[32];
  int err;
  if (c->stat_done) return;
  c->stat_done = 1;
  if (!ensure_piddir(c)) return;
  c->have_stat = pn_stat_at(&c->pc.fs, c->pc.piddir, pn_fd_rel(rel, "fd", c->fd),
                            &c->st, &err) == PN_OK;
}

/* The open mode from the link's permission bits (lr-x, l-wx, lrwx), which
 * the kernel sets from the file's FMODE_READ/FMODE_WRITE. */
static void load_mode(fds_cursor *c) {
  char rel[32];
  struct stat st;
  if (c->lstat_done) return;
  c->lstat_done = 1;
  c->mode = 0;
  if (pseudo_file(c) == 0) {
    c->mode = 'u';
    return;
  }
  if (!ensure_piddir(c)) return;
  if (fstatat(c->pc.piddir, pn_fd_rel(rel, "fd", c->fd), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return;
  int r = (st.st_mode & S_IRUSR) != 0, w = (st.st_mode & S_IWUSR) != 0;
  c->mode = r && w ? 'u' : w ? 'w' : r ? 'r' : ' ';
}

static int load_fdinfo(fds_cursor *c) {
  char rel[32];
  int err;
  if (c->fdinfo_done) return SQLITE_OK;
  c->fdinfo_done = 1;
  memset(&c->info, 0, sizeof c->info);
  if (!ensure_piddir(c)) return SQLITE_OK;
  pn_res r = pn_read_file(&c->pc.fs, c->pc.piddir, pn_fd_rel(rel, "fdinfo", c->fd),
                          &c->pc.buf, &err);
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  if (r == PN_OK) pn_parse_fdinfo(c->pc.buf.p, c->pc.buf.n, &c->info);
  return SQLITE_OK;
}

/* ---- walking: pid plan and full scan ------------------------------------ */

/* Moves to the next row of the walk over processes. */
static int next_walk_row(fds_cursor *c) {
  for (;;) {
    if (c->listed_pid == c->pc.pid && c->fdat < c->fds.n) {
      row_reset(c, c->fds.v[c->fdat++]);
      if (!(c->idx & IDX_LINK)) return SQLITE_OK;
      int exists, rc = read_row_link(c, &exists);
      if (rc != SQLITE_OK) return rc;
      if (!exists) continue;
      if (!(c->idx & IDX_INODE)) return SQLITE_OK;
      if (!c->have_link) continue; /* no link, no inode to match */
      if (c->parsed.has_inode && c->parsed.inode == c->want_inode)
        return SQLITE_OK;
      if (c->parsed.kind == PN_FD_PATH || c->parsed.kind == PN_FD_ANON) {
        load_stat(c);
        if (c->have_stat && (uint64_t)c->st.st_ino == c->want_inode)
          return SQLITE_OK;
      }
      continue;
    }
    sqlite3_int64 pid;
    if (!pn_pidsrc_next(&c->pc.src, &pid)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    int rc = list_process(c, pid);
    if (rc != SQLITE_OK) return rc;
    c->fdat = 0;
    if (c->list_res == PN_DENIED && !(c->idx & IDX_INODE)) {
      row_reset(c, -1);
      c->error = pn_res_text(PN_DENIED, c->list_err);
      return SQLITE_OK;
    }
  }
}

/* ---- the inode index -------------------------------------------------------- */

static const char *const REF_PREFIX[] = {
    [PN_FD_SOCKET] = "socket", [PN_FD_PIPE] = "pipe", [PN_FD_NET] = "net",
    [PN_FD_PIDFD] = "pidfd"};

/* The link of an indexed socket, pipe or namespace descriptor is
 * "kind:[inode]": the row is made from the index without reading it again
 * (the index is this statement's snapshot, as ss's and lsof's are theirs),
 * and the text only if `target` is asked for. 0 for other kinds. */
static int link_from_ref(fds_cursor *c, const pn_fd_ref *ref) {
  if (ref->kind < 0 || ref->kind > PN_FD_PIDFD || !REF_PREFIX[ref->kind]) return 0;
  memset(&c->parsed, 0, sizeof c->parsed);
  c->parsed.kind = (pn_fd_kind)ref->kind;
  c->parsed.has_inode = 1;
  c->parsed.inode = ref->inode;
  c->have_link = c->link_pending = 1;
  return 1;
}

/* Makes the text of a link taken from the index. */
static int make_pending_link(fds_cursor *c) {
  char text[48];
  int n = snprintf(text, sizeof text, "%s:[%llu]", REF_PREFIX[c->parsed.kind],
                   (unsigned long long)c->parsed.inode);
  if (n < 0 || pn_buf_set(&c->link, text, (size_t)n) != 0) return SQLITE_NOMEM;
  c->link_pending = 0;
  return SQLITE_OK;
}

/* The next entry of the two spans, merged in the index's own order (pid,
 * then fd, descending), or NULL after the last. */
static const pn_fd_ref *next_ref(fds_cursor *c) {
  int from = -1;
  for (int i = 0; i < 2; i++) {
    if (c->ref_at[i] >= c->spans[i].n) continue;
    const pn_fd_ref *r = &c->spans[i].v[c->ref_at[i]];
    if (from < 0) {
      from = i;
      continue;
    }
    const pn_fd_ref *best = &c->spans[from].v[c->ref_at[from]];
    if (r->pid > best->pid || (r->pid == best->pid && r->fd > best->fd)) from = i;
  }
  return from < 0 ? NULL : &c->spans[from].v[c->ref_at[from]++];
}

/* Moves to the next descriptor of the index that this call wants: those
 * with the wanted inode, or every socket (socket scan). Links not made from
 * the index are read again, and a descriptor closed or reused since the
 * index was built is skipped. */
static int next_index_row(fds_cursor *c) {
  const pn_fd_ref *next;
  while ((next = next_ref(c)) != NULL) {
    pn_fd_ref ref = *next;
    int rc, exists;
    if (c->socket_scan && ref.kind != PN_FD_SOCKET) continue;
    if (c->pid_filter && !pn_i64list_has(c->pid_filter, ref.pid)) continue;
    if (ref.pid != c->pc.pid) {
      pn_cursor_close_piddir(&c->pc);
      c->pc.pid = ref.pid;
    }
    row_reset(c, ref.fd);
    if (link_from_ref(c, &ref)) return SQLITE_OK;
    if (!ensure_piddir(c)) continue;
    if ((rc = read_row_link(c, &exists)) != SQLITE_OK) return rc;
    if (!exists || !c->have_link) continue;
    if (c->parsed.has_inode ? c->parsed.inode == c->want_inode
                            : (load_stat(c), c->have_stat &&
                               (uint64_t)c->st.st_ino == c->want_inode))
      return SQLITE_OK;
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

static int start_socket_scan(fds_cursor *c) {
  int rc;
  if ((rc = pn_fd_share_build(c->sh, &c->pc)) != SQLITE_OK) return rc;
  pn_fd_span all = {c->sh->index.v, c->sh->index.n}, none = {NULL, 0};
  c->spans[0] = all;
  c->spans[1] = none;
  c->ref_at[0] = c->ref_at[1] = 0;
  return next_index_row(c);
}

static int start_index_lookup(fds_cursor *c) {
  int rc;
  pn_fd_span none = {NULL, 0};
  c->spans[0] = c->spans[1] = none;
  c->ref_at[0] = c->ref_at[1] = 0;
  if ((rc = pn_fd_share_build(c->sh, &c->pc)) != SQLITE_OK) return rc;
  if (!(c->idx & IDX_SOCKETS_ONLY) && !c->sh->index.stat_tier_done &&
      (rc = pn_fd_index_add_stat_tier(&c->sh->index, &c->pc.fs)) != SQLITE_OK)
    return rc;
  pn_fd_index_find(&c->sh->index, c->want_inode, c->spans);
  return next_index_row(c);
}

/* ---- xFilter and friends -------------------------------------------------- */

static int inode_arg(sqlite3_value *v, uint64_t *out) {
  sqlite3_int64 x;
  if (!pn_value_int64(v, &x)) return 0;
  *out = (uint64_t)x;
  return 1;
}

static int fdsXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  fds_cursor *c = (fds_cursor *)cur;
  c->pc.eof = 0;
  c->idx = idxNum;
  c->fdat = c->fds.n; /* nothing pending from an earlier call */
  c->pc.pid = -1;
  c->socket_scan = (idxNum & IDX_SOCKET_SCAN) != 0;
  c->pid_filter = NULL;
  pn_pidsrc_end(&c->pc.src);
  if (c->socket_scan) return start_socket_scan(c);
  if (idxNum & IDX_INODE) {
    const pn_i64list *list = NULL;
    if (!inode_arg(argv[idxNum & IDX_PID ? 1 : 0], &c->want_inode)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    if (idxNum & IDX_PID) {
      int rc = pn_i64list_from_arg(&c->pc.pids, argv[0], idxNum & PN_IDX_PID_LIST);
      if (rc != SQLITE_OK) return rc;
      list = &c->pc.pids;
    }
    /* The index costs one listing of every process; it pays once the
     * cursor is asked again (the inner loop of a join), or at once when no
     * pid narrows the search. */
    c->use_index = !list || c->filters++ > 0;
    c->pid_filter = list;
    if (c->use_index) return start_index_lookup(c);
  }
  int rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  if (rc != SQLITE_OK) return rc;
  return next_walk_row(c);
}

static int fdsXNext(sqlite3_vtab_cursor *cur) {
  fds_cursor *c = (fds_cursor *)cur;
  if (c->socket_scan || ((c->idx & IDX_INODE) && c->use_index))
    return next_index_row(c);
  return next_walk_row(c);
}

static int fdsXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  fds_cursor *c = (fds_cursor *)cur;
  *rowid = (c->pc.pid << 32) | (sqlite3_int64)(unsigned)c->fd;
  return SQLITE_OK;
}

static const char *type_of_path(fds_cursor *c) {
  load_stat(c);
  return c->have_stat ? pn_file_type_name(c->st.st_mode) : "unknown";
}

static const char *type_text(fds_cursor *c) {
  switch (c->parsed.kind) {
  case PN_FD_PATH: return type_of_path(c);
  case PN_FD_SOCKET: return "socket";
  case PN_FD_PIPE: return "pipe";
  case PN_FD_ANON: return "anon_inode";
  case PN_FD_NET: return "net";
  case PN_FD_PIDFD: return "pidfd";
  case PN_FD_OTHER: break;
  }
  return "other";
}

static void result_inode(fds_cursor *c, sqlite3_context *ctx) {
  if (c->parsed.has_inode) {
    sqlite3_result_int64(ctx, (sqlite3_int64)c->parsed.inode);
    return;
  }
  load_stat(c);
  if (c->have_stat) sqlite3_result_int64(ctx, (sqlite3_int64)c->st.st_ino);
}

/* The device of a socket or pipe (kind 0 or 1 of pseudo_file): that of
 * the first one stat'ed. 0 when none could be. */
static int pseudo_dev(fds_cursor *c, int kind, dev_t *dev) {
  if (!c->pseudo_dev_known[kind]) {
    load_stat(c);
    if (!c->have_stat) return 0;
    c->pseudo_dev[kind] = c->st.st_dev;
    c->pseudo_dev_known[kind] = 1;
  }
  *dev = c->pseudo_dev[kind];
  return 1;
}

static void result_stat_field(fds_cursor *c, sqlite3_context *ctx, int col) {
  int kind = pseudo_file(c);
  if (kind >= 0) {
    dev_t dev; /* nothing else of stat's applies to sockets and pipes */
    if ((col == COL_DEV_MAJOR || col == COL_DEV_MINOR) && pseudo_dev(c, kind, &dev))
      sqlite3_result_int64(ctx, col == COL_DEV_MAJOR ? major(dev) : minor(dev));
    return;
  }
  load_stat(c);
  if (!c->have_stat) return;
  const struct stat *st = &c->st;
  int dev_like = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
  switch (col) {
  case COL_DEV_MAJOR: sqlite3_result_int64(ctx, major(st->st_dev)); break;
  case COL_DEV_MINOR: sqlite3_result_int64(ctx, minor(st->st_dev)); break;
  case COL_RDEV_MAJOR:
    if (dev_like) sqlite3_result_int64(ctx, major(st->st_rdev));
    break;
  case COL_RDEV_MINOR:
    if (dev_like) sqlite3_result_int64(ctx, minor(st->st_rdev));
    break;
  case COL_SIZE:
    if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
      sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size);
    break;
  }
}

static int result_fdinfo_field(fds_cursor *c, sqlite3_context *ctx, int col) {
  if (col == COL_POS && pseudo_file(c) >= 0) {
    sqlite3_result_int64(ctx, 0);
    return SQLITE_OK;
  }
  int rc = load_fdinfo(c);
  if (rc != SQLITE_OK) return rc;
  const pn_fdinfo *in = &c->info;
  if (col == COL_POS && in->have_pos) sqlite3_result_int64(ctx, in->pos);
  if (col == COL_FLAGS && in->have_flags)
    sqlite3_result_int64(ctx, (sqlite3_int64)in->flags);
  if (col == COL_MNT_ID && in->have_mnt_id) sqlite3_result_int64(ctx, in->mnt_id);
  return SQLITE_OK;
}

static int fdsXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  fds_cursor *c = (fds_cursor *)cur;
  if (col == COL_PID) {
    sqlite3_result_int64(ctx, c->pc.pid);
    return SQLITE_OK;
  }
  if (col == COL_ERROR) {
    if (c->error) pn_result_text(ctx, c->error, strlen(c->error));
    return SQLITE_OK;
  }
  if (c->fd < 0) return SQLITE_OK; /* the error row: only pid and error */
  if (col == COL_FD) {
    sqlite3_result_int64(ctx, c->fd);
    return SQLITE_OK;
  }
  if (col == COL_MODE) {
    load_mode(c);
    if (c->mode) pn_result_text(ctx, &c->mode, 1);
    return SQLITE_OK;
  }
  if (col == COL_POS || col == COL_FLAGS || col == COL_MNT_ID)
    return result_fdinfo_field(c, ctx, col);
  if (col >= COL_DEV_MAJOR && col <= COL_SIZE) {
    result_stat_field(c, ctx, col);
    return SQLITE_OK;
  }
  if (!c->have_link) return SQLITE_OK;
  const pn_fdlink *l = &c->parsed;
  switch (col) {
  case COL_TARGET:
    if (c->link_pending && make_pending_link(c) != SQLITE_OK) return SQLITE_NOMEM;
    pn_result_text(ctx, c->link.p, c->link.n);
    break;
  case COL_TYPE: pn_result_text(ctx, type_text(c), strlen(type_text(c))); break;
  case COL_INODE: result_inode(c, ctx); break;
  case COL_PATH:
    if (l->kind == PN_FD_PATH) pn_result_text(ctx, l->path.p, l->path.n);
    break;
  case COL_DELETED:
    if (l->kind == PN_FD_PATH) sqlite3_result_int(ctx, l->deleted);
    break;
  }
  return SQLITE_OK;
}

static const sqlite3_module fds_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = fdsXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = fdsXOpen,
    .xClose = fdsXClose,
    .xFilter = fdsXFilter,
    .xNext = fdsXNext,
    .xEof = pn_cursor_eof,
    .xColumn = fdsXColumn,
    .xRowid = fdsXRowid,
};

const sqlite3_module *pn_fds_module(void) { return &fds_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_fds_schema = FDS_SCHEMA;
