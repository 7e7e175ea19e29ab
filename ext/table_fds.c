/*
 * table_fds.c: the `fds` table, one row per open file descriptor.
 *
 * Sources, each read only when a used column needs it (fdrow.h):
 *   PID/fd listing   pid fd
 *   readlink fd/N    target type inode path deleted (decides the row exists)
 *   stat fd/N        type and inode of paths and anon inodes, dev_*, size
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
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 *   PN_IDX_TASKS     `tasks = ?` (then no index plan); PN_IDX_NO_TASKS
 *                    `tid IS NULL`
 * argv order: pid (when 0x1), inode (when 0x2), tasks (when PN_IDX_TASKS).
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
#include "fdrow.h"
#include "fdscan.h"
#include "parse.h"
#include "tasks.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
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
    " rdev_major INTEGER, rdev_minor INTEGER, size INTEGER, error TEXT,"
    " lock TEXT, eventfd_id INTEGER, pidfd_pid INTEGER, epoll_fds TEXT,"
    " tty_index INTEGER, sock_protocol TEXT, tid INTEGER, taskcmd TEXT,"
    " tasks INTEGER HIDDEN)";
enum {
  COL_PID, COL_FD, COL_TARGET, COL_TYPE, COL_INODE, COL_PATH, COL_DELETED,
  COL_MODE, COL_POS, COL_FLAGS, COL_MNT_ID, COL_DEV_MAJOR, COL_DEV_MINOR,
  COL_RDEV_MAJOR, COL_RDEV_MINOR, COL_SIZE, COL_ERROR, COL_LOCK,
  COL_EVENTFD_ID, COL_PIDFD_PID, COL_EPOLL_FDS, COL_TTY_INDEX,
  COL_SOCK_PROTOCOL, COL_TID, COL_TASKCMD, COL_TASKS
};

#define IDX_PID PN_IDX_PID
#define IDX_INODE 0x2
#define IDX_LINK 0x4
#define IDX_SOCKET_SCAN 0x8
#define IDX_SOCKETS_ONLY 0x10

typedef struct fds_cursor {
  pn_cursor pc;             /* pc.pid, pc.piddir: the process being walked */
  int idx;
  pn_fdnums fds;            /* its descriptor numbers (a listing) */
  size_t fdat;              /* the next of them */
  sqlite3_int64 listed_pid; /* whose listing fds holds, or -1 */
  pn_res list_res;          /* how that listing went */
  int list_err;
  const char *links_denied; /* a link of that listing could not be read:
                               why (then none can: see read_row_link) */
  /* inode plan */
  pn_fd_share *sh;          /* the connection's index (fd_share.h) */
  uint64_t want_inode;
  pn_fd_span spans[2];      /* the index entries this call visits */
  size_t ref_at[2];         /* the next of each */
  const pn_i64list *pid_filter; /* index lookups with a pid constraint too */
  int use_index;            /* this call answers from the index */
  int socket_scan;          /* this call lists every socket, in index order */
  int filters;              /* xFilter calls so far */
  /* threads (walk plans with tasks = 1) */
  pn_taskwalk tw;
  pn_fdrows saved;          /* the process's rows, for threads sharing them */
  int saving;               /* the rows of this process are being saved */
  int replaying;            /* this thread's rows are the saved ones */
  size_t replay_at;         /* the next of them */
  int row_pending_save;     /* the current row is to be saved when left */
  pn_fdlinks ahead;         /* links of a big listing read ahead: those */
  int have_ahead;           /* of fds.v[ahead_from...] */
  size_t ahead_from;
  int ahead_dir;            /* the directory listed, where they are read */
  /* the current row */
  pn_fdenv env;
  pn_fdrow row;
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

/* The walk plans' order: pid, tid (constant without task rows), fd. */
static void walk_order(sqlite3_index_info *info, int idx) {
  static const int order[] = {COL_PID, COL_TID, COL_FD};
  if (pn_order_consumed(info, order, 3, pn_plan_may_list_tasks(idx) ? 0 : 2u))
    info->orderByConsumed = 1;
}

static int fdsXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, 20);
  int argc = idx ? 1 : 0;
  if (pn_claim_eq(info, COL_INODE, &argc, 0, NULL)) idx |= IDX_INODE;
  idx |= pn_plan_tasks(info, COL_TASKS, COL_TID, &argc);
  const sqlite3_uint64 link_cols =
      (1u << COL_TARGET) | (1u << COL_TYPE) | (1u << COL_INODE) | (1u << COL_PATH) |
      (1u << COL_DELETED) | (1u << COL_ERROR) | (1u << COL_LOCK) |
      (1u << COL_SOCK_PROTOCOL);
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

/* The directory rows read their parts from: the current process's (opened
 * when a row needs it: index rows open it only for what their link does
 * not give), or the thread's being listed. 0: gone. */
static int ensure_dir(fds_cursor *c) {
  if (c->tw.task && !c->replaying) {
    c->env.dir = pn_taskwalk_dir(&c->tw, &c->pc.fs, c->pc.piddir) ? c->tw.dir : -1;
    return c->env.dir >= 0;
  }
  int ok = pn_cursor_open_piddir(&c->pc);
  c->env.dir = c->pc.piddir;
  return ok;
}

static int fdsXClose(sqlite3_vtab_cursor *cur) {
  fds_cursor *c = (fds_cursor *)cur;
  pn_fdnums_free(&c->fds);
  pn_fd_share_close(((pn_vtab *)cur->pVtab)->ctx, c->sh);
  pn_fdrow_free(&c->row);
  pn_fdrows_free(&c->saved);
  pn_fdlinks_free(&c->ahead);
  pn_fdenv_free(&c->env);
  pn_taskwalk_free(&c->tw);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- listing one process's descriptors ------------------------------------ */

/* Reads the links of a listing of thousands of descriptors ahead, a window
 * at a time from `from` on, shared out to the connection's threads (a busy
 * server's sockets). */
static int read_ahead(fds_cursor *c, size_t from) {
  int threads = ((pn_vtab *)c->pc.base.pVtab)->ctx->threads;
  c->have_ahead = 0;
  if (!(c->idx & IDX_LINK) || threads < 2 || c->fds.n < 2 * PN_FDLINKS_SLICE ||
      from >= c->fds.n)
    return SQLITE_OK;
  size_t n = c->fds.n - from;
  if (n > PN_FDLINKS_WINDOW) n = PN_FDLINKS_WINDOW;
  int rc = pn_fdlinks_read(&c->ahead, &c->pc.fs, c->ahead_dir, c->fds.v + from, n, threads);
  c->have_ahead = rc == SQLITE_OK;
  c->ahead_from = from;
  return rc;
}

/* Lists the descriptors of dir (the process pid's directory, or a thread's)
 * into c->fds unless it already holds pid's. Sets c->list_res: PN_GONE
 * skips it, PN_DENIED gives the error row. */
static int list_dir(fds_cursor *c, int dir, sqlite3_int64 memo_pid) {
  int err;
  c->fdat = 0;
  if (memo_pid >= 0 && c->listed_pid == memo_pid) return SQLITE_OK; /* memo */
  c->listed_pid = -1;
  c->have_ahead = 0;
  c->links_denied = NULL;
  pn_res r = pn_list_fds(&c->pc.fs, dir, &c->fds, &err);
  c->list_res = r;
  c->list_err = err;
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  c->listed_pid = memo_pid;
  c->ahead_dir = dir;
  return read_ahead(c, 0);
}

/* Opens PID's directory and lists its descriptors; with task rows, lists
 * its threads too (the process's rows are saved for those that share). */
static int list_process(fds_cursor *c, sqlite3_int64 pid) {
  int err;
  pn_cursor_close_piddir(&c->pc);
  pn_taskwalk_reset(&c->tw);
  c->pc.pid = pid;
  c->replaying = c->saving = 0;
  pn_res r = pn_open_pid(&c->pc.fs, pid, &c->pc.piddir, &err);
  c->env.dir = c->pc.piddir;
  c->env.pid = pid;
  c->fdat = c->fds.n;
  if (r != PN_OK) {
    c->list_res = r == PN_DENIED ? PN_DENIED : PN_GONE;
    c->list_err = err;
    c->listed_pid = -1;
    return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  }
  int rc = list_dir(c, c->pc.piddir, pid);
  if (rc == SQLITE_OK && c->tw.on)
    rc = pn_taskwalk_start(&c->tw, &c->pc.fs, c->pc.piddir, pid, &c->env.scratch);
  pn_fdrows_clear(&c->saved);
  c->saving = pn_taskwalk_has_threads(&c->tw);
  return rc;
}

/* Moves to the next thread of the process: its rows are the saved ones if
 * it shares the process's descriptor table, else its own listing. 0 when
 * there is none left. */
static int next_thread(fds_cursor *c, int *rc) {
  *rc = SQLITE_OK;
  c->saving = 0;
  if (!pn_taskwalk_next(&c->tw)) return 0;
  c->replaying = pn_taskwalk_shares(&c->tw, &c->pc.fs, c->pc.pid, PN_SHARE_FILES);
  c->replay_at = 0;
  c->env.dir = c->pc.piddir;
  if (c->replaying) return 1;
  if (!pn_taskwalk_dir(&c->tw, &c->pc.fs, c->pc.piddir)) {
    c->list_res = PN_GONE;
    c->fdat = c->fds.n = 0;
    return 1;
  }
  c->env.dir = c->tw.dir;
  *rc = list_dir(c, c->tw.dir, -1);
  return 1;
}

/* ---- the current row -------------------------------------------------------- */

static void row_reset(fds_cursor *c, int fd) { pn_fdrow_reset(&c->row, fd); }

/* Saves the row just left, when the process's rows are being saved. */
static int save_left_row(fds_cursor *c) {
  if (!c->row_pending_save) return SQLITE_OK;
  c->row_pending_save = 0;
  return pn_fdrows_save(&c->saved, &c->row);
}

/* Reads the link of the current row (the walk's row `at` of the listing,
 * or -1), from the links read ahead when there are. */
static int read_row_link(fds_cursor *c, size_t at, int *exists) {
  if (c->have_ahead && at != (size_t)-1 && at >= c->ahead_from + c->ahead.n) {
    int rc = read_ahead(c, at); /* the next window */
    if (rc != SQLITE_OK) return rc;
  }
  if (c->have_ahead && at != (size_t)-1 && at >= c->ahead_from &&
      at - c->ahead_from < c->ahead.n) {
    size_t i = at - c->ahead_from;
    const pn_fdlink_read *a = &c->ahead.v[i];
    return pn_fdrow_take_link(&c->row, a->res, a->err, pn_fdlinks_text(&c->ahead, i),
                              a->n, exists);
  }
  /* Whether a process's links may be read is decided for the process
   * (ptrace's read access to its task), never link by link: once one is
   * denied, the others of the listing are denied without asking. A thread
   * whose descriptor table cannot be compared with its process's (kcmp is
   * denied too) is listed whole: without this, a link refused per
   * descriptor per thread (18 threads of 282 descriptors: 5,000 calls). */
  if (c->links_denied) return pn_fdrow_deny(&c->row, c->links_denied, exists);
  int rc = pn_fdrow_read_link(&c->row, &c->env, exists);
  c->links_denied = c->row.error;
  return rc;
}

/* ---- walking: pid plan and full scan ------------------------------------ */

/* 1 when the current row has the wanted inode (pid and inode plan). */
static int row_has_inode(fds_cursor *c) {
  const pn_fdrow *r = &c->row;
  if (!r->have_link) return 0; /* no link, no inode to match */
  if (r->parsed.has_inode) return r->parsed.inode == c->want_inode;
  if (r->parsed.kind != PN_FD_PATH && r->parsed.kind != PN_FD_ANON) return 0;
  pn_fdrow_load_stat(&c->row, &c->env);
  return r->have_stat && (uint64_t)r->st.st_ino == c->want_inode;
}

/* The next row of the listing being walked (the process's or a thread's):
 * 1 with it, 0 at the listing's end. */
static int next_listed_row(fds_cursor *c, int *rc) {
  *rc = SQLITE_OK;
  if (c->replaying) {
    if (c->replay_at >= c->saved.n) return 0;
    *rc = pn_fdrows_restore(&c->saved, c->replay_at++, &c->row);
    return 1;
  }
  while (c->fdat < c->fds.n) {
    row_reset(c, c->fds.v[c->fdat++]);
    if (!(c->idx & IDX_LINK)) return 1;
    int exists;
    if ((*rc = read_row_link(c, c->fdat - 1, &exists)) != SQLITE_OK) return 1;
    if (!exists) continue;
    if (!(c->idx & IDX_INODE) || row_has_inode(c)) return 1;
  }
  return 0;
}

/* The error row of a listing that may not be read (lsof's NOFD), once. */
static int denied_row(fds_cursor *c) {
  if (c->list_res != PN_DENIED || (c->idx & IDX_INODE)) return 0;
  c->list_res = PN_GONE; /* given */
  row_reset(c, -1);
  c->row.error = pn_res_text(PN_DENIED, c->list_err);
  return 1;
}

/* Moves to the next row of the walk over processes (and their threads). */
static int next_walk_row(fds_cursor *c) {
  int rc = save_left_row(c);
  if (rc != SQLITE_OK) return rc;
  for (;;) {
    if (c->pc.pid >= 0 && (next_listed_row(c, &rc) || denied_row(c))) {
      c->row_pending_save = c->saving;
      return rc;
    }
    if (rc != SQLITE_OK) return rc;
    if (c->pc.pid >= 0 && next_thread(c, &rc)) continue;
    if (rc != SQLITE_OK) return rc;
    sqlite3_int64 pid;
    if (!pn_pidsrc_next(&c->pc.src, &pid)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    if ((rc = list_process(c, pid)) != SQLITE_OK) return rc;
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
  pn_fdrow *r = &c->row;
  memset(&r->parsed, 0, sizeof r->parsed);
  r->parsed.kind = (pn_fd_kind)ref->kind;
  r->parsed.has_inode = 1;
  r->parsed.inode = ref->inode;
  r->have_link = r->link_pending = 1;
  return 1;
}

/* Makes the text of a link taken from the index. */
static int make_pending_link(fds_cursor *c) {
  char text[48];
  pn_fdrow *r = &c->row;
  int n = snprintf(text, sizeof text, "%s:[%llu]", REF_PREFIX[r->parsed.kind],
                   (unsigned long long)r->parsed.inode);
  if (n < 0 || pn_buf_set(&r->link, text, (size_t)n) != 0) return SQLITE_NOMEM;
  r->link_pending = 0;
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
      c->env.pid = ref.pid;
      c->env.dir = -1;
    }
    row_reset(c, ref.fd);
    if (link_from_ref(c, &ref)) return SQLITE_OK;
    if (!ensure_dir(c)) continue;
    if ((rc = read_row_link(c, (size_t)-1, &exists)) != SQLITE_OK) return rc;
    if (!exists || !c->row.have_link) continue;
    if (row_has_inode(c)) return SQLITE_OK;
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
  int arg = idxNum & IDX_PID ? 1 : 0;
  c->pc.eof = 0;
  c->idx = idxNum;
  c->fdat = c->fds.n; /* nothing pending from an earlier call */
  c->pc.pid = -1;
  c->socket_scan = (idxNum & IDX_SOCKET_SCAN) != 0;
  c->pid_filter = NULL;
  c->replaying = c->saving = c->row_pending_save = 0;
  pn_pidsrc_end(&c->pc.src);
  int tasks_at = arg + ((idxNum & IDX_INODE) ? 1 : 0);
  if (!pn_taskwalk_filter(&c->tw, idxNum, (idxNum & PN_IDX_TASKS) ? argv[tasks_at] : NULL)) {
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  if (c->socket_scan) return start_socket_scan(c);
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
    if (c->use_index) return start_index_lookup(c);
  } else {
    c->use_index = 0;
  }
  int rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  c->pc.pid = -1;
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
    ensure_dir(c); /* where the parts not read yet are read from */
    return result_part(c, ctx, col);
  }
  if (!r->have_link) return SQLITE_OK;
  const pn_fdlink *l = &r->parsed;
  switch (col) {
  case COL_TARGET:
    if (r->link_pending && make_pending_link(c) != SQLITE_OK) return SQLITE_NOMEM;
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
