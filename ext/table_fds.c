/*
 * table_fds.c: the `fds` table, one row per open file descriptor: its
 * schema, its plans (xBestIndex, xFilter) and its columns. The rows the
 * plans make, by walking processes or from the inode index, come from
 * fds_rows.c; each row's parts are read by fdrow.c when a column needs them.
 *
 * Sources, each read only when a used column needs it (fdrow.h):
 *   PID/fd listing   pid fd
 *   readlink fd/N    target type inode path deleted (decides the row exists)
 *   stat fd/N        type and inode of paths and anon inodes, dev_*, size,
 *                    nlink (the link count, lsof's -F k)
 *   lstat fd/N       mode (the link's permission bits are the open mode)
 *   fdinfo/N         pos flags mnt_id, and eventfd_id pidfd_pid epoll_fds
 *                    (what lsof names eventfds, pidfds and epoll sets by),
 *                    tty_index (a pty master's slave, for lsof +E)
 *   getxattr fd/N    sock_protocol ("system.sockprotoname": TCP, UDPv6...)
 *   /proc/locks      lock (lsof's lock character), once per statement
 * Sockets and pipes, most of a busy machine's descriptors, need nothing but
 * their readlink (fdrow.c): what the others read is the same for every one
 * of them.
 *
 * With `tasks = 1` (walk plans only), each process's rows are followed by
 * those of each of its threads, tid and taskcmd set, as lsof lists task
 * rows: the process's rows again for a thread that shares its descriptor
 * table (kcmp), without reading them twice; a thread's own descriptors
 * otherwise. Walk plans give rows ordered by pid, tid (NULL first) and fd,
 * which they tell SQLite (orderByConsumed).
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
 *   0x20  with 0x1 and without 0x2: `fd = ?`, a lookup of that descriptor
 *         of each process (its directory not listed): its link read, or
 *         without 0x4 (only fdinfo's columns used) its fdinfo, tells
 *         whether it is there
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 *   PN_IDX_TASKS     `tasks = ?` (then no index plan); PN_IDX_NO_TASKS
 *                    `tid IS NULL`
 * argv order: pid (when 0x1), inode (when 0x2) or fd (when 0x20), tasks (when
 * PN_IDX_TASKS).
 *
 * Plans. With pid, the listed processes are walked; the last listing is kept
 * so the inner loop of a join does not list the same directory twice. With
 * pid and fd, each process's descriptor is read alone, its directory not
 * listed and kept open from one lookup of the process to the next (lsof
 * -F G looks each descriptor's flags up so: one fdinfo read a row). With
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
#include "fds_rows.h"
#include "parse.h"
SQLITE_EXTENSION_INIT3

#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static const char FDS_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, target TEXT, type TEXT,"
    " inode INTEGER, path TEXT, deleted INTEGER, mode TEXT, pos INTEGER,"
    " flags INTEGER, mnt_id INTEGER, dev_major INTEGER, dev_minor INTEGER,"
    " rdev_major INTEGER, rdev_minor INTEGER, size INTEGER, error TEXT,"
    " lock TEXT, eventfd_id INTEGER, pidfd_pid INTEGER, epoll_fds TEXT,"
    " tty_index INTEGER, sock_protocol TEXT, tid INTEGER, taskcmd TEXT,"
    " nlink INTEGER, tasks INTEGER HIDDEN)";
enum {
  COL_PID, COL_FD, COL_TARGET, COL_TYPE, COL_INODE, COL_PATH, COL_DELETED,
  COL_MODE, COL_POS, COL_FLAGS, COL_MNT_ID, COL_DEV_MAJOR, COL_DEV_MINOR,
  COL_RDEV_MAJOR, COL_RDEV_MINOR, COL_SIZE, COL_ERROR, COL_LOCK,
  COL_EVENTFD_ID, COL_PIDFD_PID, COL_EPOLL_FDS, COL_TTY_INDEX,
  COL_SOCK_PROTOCOL, COL_TID, COL_TASKCMD, COL_NLINK, COL_TASKS
};

/* A column's bit in colUsed. */
#define BIT(col) ((sqlite3_uint64)1 << (col))

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

/* The walk plans' order: pid, tid (constant without task rows), fd. */
static void walk_order(sqlite3_index_info *info, int idx) {
  static const int order[] = {COL_PID, COL_TID, COL_FD};
  if (pn_order_consumed(info, order, 3, pn_plan_may_list_tasks(idx) ? 0 : 2u))
    info->orderByConsumed = 1;
}

/* 1 when a lookup uses fdinfo's columns and nothing else that is read
 * (pid, fd and the task columns need nothing): then reading fdinfo tells
 * whether the descriptor is there, and its link need not be read. The
 * other columns may want the link (a socket's or pipe's device, size and
 * link count are known from it alone); with no column read at all, the
 * link (one call) says more cheaply than fdinfo whether it is there. */
static int uses_fdinfo_only(const sqlite3_index_info *info) {
  const sqlite3_uint64 fdinfo = BIT(COL_POS) | BIT(COL_FLAGS) | BIT(COL_MNT_ID) |
                                BIT(COL_EVENTFD_ID) | BIT(COL_PIDFD_PID) |
                                BIT(COL_EPOLL_FDS) | BIT(COL_TTY_INDEX);
  const sqlite3_uint64 free_cols =
      BIT(COL_PID) | BIT(COL_FD) | BIT(COL_TID) | BIT(COL_TASKCMD) | BIT(COL_TASKS);
  return (info->colUsed & fdinfo) && !(info->colUsed & ~(fdinfo | free_cols));
}

/* `fd = ?` beside `pid = ?` (and no inode): a lookup of that descriptor of
 * each process, whose link, or fdinfo, tells whether it is there. */
static int plan_fd_lookup(sqlite3_index_info *info, int idx, int *argc) {
  if (!(idx & IDX_PID) || (idx & IDX_INODE) || !pn_claim_eq(info, COL_FD, argc, 0, NULL))
    return 0;
  info->estimatedCost /= 20;
  info->estimatedRows = info->estimatedRows / 20 + 1;
  return IDX_FD | (uses_fdinfo_only(info) ? 0 : IDX_LINK);
}

static int fdsXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, 20);
  int argc = idx ? 1 : 0;
  if (pn_claim_eq(info, COL_INODE, &argc, 0, NULL)) idx |= IDX_INODE;
  idx |= plan_fd_lookup(info, idx, &argc);
  idx |= pn_plan_tasks(info, COL_TASKS, COL_TID, &argc);
  const sqlite3_uint64 link_cols = BIT(COL_TARGET) | BIT(COL_TYPE) | BIT(COL_INODE) |
                                   BIT(COL_PATH) | BIT(COL_DELETED) | BIT(COL_ERROR) |
                                   BIT(COL_LOCK) | BIT(COL_SOCK_PROTOCOL);
  if ((info->colUsed & link_cols) || (idx & IDX_INODE)) idx |= IDX_LINK;
  if ((idx & IDX_INODE) && has_type_socket(info)) idx |= IDX_SOCKETS_ONLY;
  if (idx & PN_IDX_TASKS) {
    /* task rows come from walking processes: no index plan */
    walk_order(info, idx);
  } else if ((idx & IDX_INODE) && !(idx & IDX_PID)) {
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
  } else {
    walk_order(info, idx);
  }
  info->idxNum = idx;
  return SQLITE_OK;
}

static int fdsXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(fds_cursor), out);
  if (rc != SQLITE_OK) return rc;
  fds_cursor *c = (fds_cursor *)*out;
  c->listed_pid = -1;
  c->env.fs = &c->pc.fs;
  c->env.dir = -1;
  pn_taskwalk_init(&c->tw, ((pn_vtab *)tab)->ctx);
  if ((rc = pn_fd_share_open(((pn_vtab *)tab)->ctx, &c->sh)) != SQLITE_OK) {
    pn_cursor_free(&c->pc);
    *out = NULL;
  }
  return rc;
}

static int fdsXClose(sqlite3_vtab_cursor *cur) {
  fds_cursor *c = (fds_cursor *)cur;
  pn_fdnums_free(&c->fds);
  pn_fd_share_close(((pn_vtab *)cur->pVtab)->ctx, c->sh);
  pn_fdrow_free(&c->row);
  pn_fdrows_free(&c->saved);
  fds_stop_read_ahead(c);
  pn_fdlinks_free(&c->ahead);
  pn_fdenv_free(&c->env);
  pn_taskwalk_free(&c->tw);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- xFilter and friends -------------------------------------------------- */

static int inode_arg(sqlite3_value *v, uint64_t *out) {
  sqlite3_int64 x;
  if (!pn_value_int64(v, &x)) return 0;
  *out = (uint64_t)x;
  return 1;
}

/* A descriptor number: an integer no process may be past, INT_MAX. */
static int fd_arg(sqlite3_value *v, int *out) {
  sqlite3_int64 x;
  if (!pn_value_int64(v, &x) || x < 0 || x > INT_MAX) return 0;
  *out = (int)x;
  return 1;
}

static int fdsXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  fds_cursor *c = (fds_cursor *)cur;
  int arg = idxNum & IDX_PID ? 1 : 0;
  c->pc.eof = 0;
  c->idx = idxNum;
  c->fdat = c->fds.n; /* nothing pending from an earlier call */
  c->pc.pid = -1;
  c->socket_scan = (idxNum & IDX_SOCKET_SCAN) != 0;
  c->pid_filter = NULL;
  c->replaying = c->saving = c->row_pending_save = 0;
  fds_stop_read_ahead(c);
  pn_pidsrc_end(&c->pc.src);
  if ((idxNum & IDX_FD) && !fd_arg(argv[arg], &c->want_fd)) {
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  int tasks_at = arg + ((idxNum & (IDX_INODE | IDX_FD)) ? 1 : 0);
  if (!pn_taskwalk_filter(&c->tw, idxNum, (idxNum & PN_IDX_TASKS) ? argv[tasks_at] : NULL)) {
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  if (c->socket_scan) return fds_start_socket_scan(c);
  if ((idxNum & IDX_INODE) && !inode_arg(argv[arg], &c->want_inode)) {
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  if ((idxNum & IDX_INODE) && !(idxNum & PN_IDX_TASKS)) {
    const pn_i64list *list = NULL;
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
    if (c->use_index) return fds_start_index_lookup(c);
  } else {
    c->use_index = 0;
  }
  int rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  c->pc.pid = -1;
  if (rc == SQLITE_OK) rc = fds_start_read_ahead(c);
  if (rc != SQLITE_OK) return rc;
  return fds_next_walk_row(c);
}

static int fdsXNext(sqlite3_vtab_cursor *cur) {
  fds_cursor *c = (fds_cursor *)cur;
  if (c->socket_scan || ((c->idx & IDX_INODE) && c->use_index))
    return fds_next_index_row(c);
  return fds_next_walk_row(c);
}

static int fdsXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  fds_cursor *c = (fds_cursor *)cur;
  sqlite3_int64 id = c->tw.task ? c->tw.task->tid : c->pc.pid;
  *rowid = (id << 32) | (sqlite3_int64)(unsigned)c->row.fd;
  return SQLITE_OK;
}

static const char *type_of_path(fds_cursor *c) {
  pn_fdrow_load_stat(&c->row, &c->env);
  return c->row.have_stat ? pn_file_type_name(c->row.st.st_mode) : "unknown";
}

static const char *type_text(fds_cursor *c) {
  switch (c->row.parsed.kind) {
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
  if (c->row.parsed.has_inode) {
    sqlite3_result_int64(ctx, (sqlite3_int64)c->row.parsed.inode);
    return;
  }
  pn_fdrow_load_stat(&c->row, &c->env);
  if (c->row.have_stat) sqlite3_result_int64(ctx, (sqlite3_int64)c->row.st.st_ino);
}

static void result_stat_field(fds_cursor *c, sqlite3_context *ctx, int col) {
  if (col == COL_DEV_MAJOR || col == COL_DEV_MINOR) {
    dev_t dev;
    if (pn_fdrow_dev(&c->row, &c->env, &dev))
      sqlite3_result_int64(ctx, col == COL_DEV_MAJOR ? major(dev) : minor(dev));
    return;
  }
  if (col == COL_NLINK) {
    sqlite3_int64 n;
    if (pn_fdrow_nlink(&c->row, &c->env, &n)) sqlite3_result_int64(ctx, n);
    return;
  }
  if (pn_fdrow_pseudo(&c->row) >= 0) return; /* no rdev, no size */
  pn_fdrow_load_stat(&c->row, &c->env);
  if (!c->row.have_stat) return;
  const struct stat *st = &c->row.st;
  int dev_like = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
  switch (col) {
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
  if (col == COL_POS && pn_fdrow_pseudo(&c->row) >= 0) {
    sqlite3_result_int64(ctx, 0);
    return SQLITE_OK;
  }
  int rc = pn_fdrow_load_fdinfo(&c->row, &c->env);
  if (rc != SQLITE_OK) return rc;
  const pn_fdinfo *in = &c->row.info;
  switch (col) {
  case COL_POS:
    if (in->have_pos) sqlite3_result_int64(ctx, in->pos);
    break;
  case COL_FLAGS:
    if (in->have_flags) sqlite3_result_int64(ctx, (sqlite3_int64)in->flags);
    break;
  case COL_MNT_ID:
    if (in->have_mnt_id) sqlite3_result_int64(ctx, in->mnt_id);
    break;
  case COL_EVENTFD_ID:
    if (in->have_eventfd_id) sqlite3_result_int64(ctx, in->eventfd_id);
    break;
  case COL_PIDFD_PID:
    if (in->have_pid) sqlite3_result_int64(ctx, in->pid);
    break;
  case COL_TTY_INDEX:
    if (in->have_tty_index) sqlite3_result_int64(ctx, in->tty_index);
    break;
  case COL_EPOLL_FDS:
    if (in->epoll_tfds) pn_result_text(ctx, c->row.epoll.p, c->row.epoll.n);
    break;
  }
  return SQLITE_OK;
}

/* A one-letter text that outlives the row (mode and lock letters are
 * ASCII letters or a blank). */
static const char *letter(char k) {
  static const char letters[] = " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const char *at = strchr(letters, k);
  return at ? at : " ";
}

/* Columns that read a part of the row (after the link). */
static int result_part(fds_cursor *c, sqlite3_context *ctx, int col) {
  char k;
  int rc;
  switch (col) {
  case COL_MODE:
    k = pn_fdrow_mode(&c->row, &c->env);
    if (k) sqlite3_result_text(ctx, letter(k), 1, SQLITE_STATIC);
    return SQLITE_OK;
  case COL_LOCK:
    if ((rc = pn_fdrow_lock(&c->row, &c->env, &k)) == SQLITE_OK && k)
      sqlite3_result_text(ctx, letter(k), 1, SQLITE_STATIC);
    return rc;
  case COL_SOCK_PROTOCOL: {
    const char *p = pn_fdrow_proto(&c->row, &c->env);
    if (*p) pn_result_text(ctx, p, strlen(p));
    return SQLITE_OK;
  }
  case COL_POS: case COL_FLAGS: case COL_MNT_ID: case COL_EVENTFD_ID:
  case COL_PIDFD_PID: case COL_EPOLL_FDS: case COL_TTY_INDEX:
    return result_fdinfo_field(c, ctx, col);
  default:
    result_stat_field(c, ctx, col);
    return SQLITE_OK;
  }
}

static int fdsXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  fds_cursor *c = (fds_cursor *)cur;
  const pn_fdrow *r = &c->row;
  switch (col) {
  case COL_PID: sqlite3_result_int64(ctx, c->pc.pid); return SQLITE_OK;
  case COL_TID: pn_taskwalk_result_tid(&c->tw, ctx); return SQLITE_OK;
  case COL_TASKCMD: pn_taskwalk_result_name(&c->tw, ctx); return SQLITE_OK;
  case COL_TASKS: sqlite3_result_int(ctx, c->tw.value); return SQLITE_OK;
  case COL_ERROR:
    if (r->error) pn_result_text(ctx, r->error, strlen(r->error));
    return SQLITE_OK;
  }
  if (r->fd < 0) return SQLITE_OK; /* the error row: only pid and error */
  if (col == COL_FD) {
    sqlite3_result_int64(ctx, r->fd);
    return SQLITE_OK;
  }
  if (col >= COL_MODE) {
    /* a link we may not read: neither may the rest be read */
    if (r->error) return SQLITE_OK;
    fds_ensure_dir(c); /* where the parts not read yet are read from */
    return result_part(c, ctx, col);
  }
  if (!r->have_link) return SQLITE_OK;
  const pn_fdlink *l = &r->parsed;
  switch (col) {
  case COL_TARGET:
    if (r->link_pending && fds_make_pending_link(c) != SQLITE_OK) return SQLITE_NOMEM;
    pn_result_text(ctx, r->link.p, r->link.n);
    break;
  case COL_TYPE: sqlite3_result_text(ctx, type_text(c), -1, SQLITE_STATIC); break;
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
