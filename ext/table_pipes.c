/*
 * table_pipes.c: `pipes`, one row per descriptor on a pipe or a FIFO
 * (named pipe): which process holds which end. The descriptors of one
 * pipe share its inode (pipe:[N]); a FIFO is known by its file's device
 * and inode. The end a descriptor holds is its open mode: 'r' reads, 'w'
 * writes, 'u' both (a FIFO opened read-write); the lstat of fd/N tells it
 * (the link's permission bits are the open mode), as lsof's FD letter.
 * Pairing a writer with a reader of another process is the pipe's
 * connection (the connections view).
 *
 * Rows come from the descriptor index `fds` and socket_holders share
 * (fd_share.h), built once per statement: pipes first, in inode order,
 * then FIFOs, in inode order. A FIFO is a path, so telling it from a
 * file takes a stat of every descriptor on a path (the index's stat
 * tier, then one stat each here).
 *
 * idxNum bits:
 *   0x1   `inode = ?`: a binary search of the index
 * argv order: inode (when 0x1).
 */
#include "tables.h"
#include "fd_share.h"
#include "fdscan.h"
#include "parse.h"
#include "sort.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PIPES_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, type TEXT, dev INTEGER, pid INTEGER,"
    " fd INTEGER, mode TEXT, path TEXT)";
enum { COL_INODE, COL_TYPE, COL_DEV, COL_PID, COL_FD, COL_MODE, COL_PATH };

#define IDX_INODE 0x1

enum { RUN_PIPES, RUN_FIFOS, RUN_END };

typedef struct pipe_cursor {
  pn_cursor pc;
  pn_fd_share *sh;
  int lookup;               /* one inode only */
  uint64_t want;
  int run;                  /* RUN_*: which array of the index */
  size_t at;                /* position in it */
  sqlite3_int64 rowid;
  /* the current row */
  const pn_fd_ref *ref;
  struct stat st;           /* a FIFO's stat */
  char mode;                /* 0 until read */
} pipe_cursor;

static int piXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int argc = 0;
  if (pn_claim_eq(info, COL_INODE, &argc, 0, NULL)) {
    info->idxNum = IDX_INODE;
    info->estimatedCost = 10.0; /* amortised: the index is built once */
    info->estimatedRows = 2;
  } else {
    info->idxNum = 0;
    info->estimatedCost = 10000.0;
    info->estimatedRows = 1000;
  }
  return SQLITE_OK;
}

static int piXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(pipe_cursor), out);
  if (rc != SQLITE_OK) return rc;
  pipe_cursor *c = (pipe_cursor *)*out;
  if ((rc = pn_fd_share_open(((pn_vtab *)tab)->ctx, &c->sh)) != SQLITE_OK) {
    pn_cursor_free(&c->pc);
    *out = NULL;
  }
  return rc;
}

static int piXClose(sqlite3_vtab_cursor *cur) {
  pipe_cursor *c = (pipe_cursor *)cur;
  pn_fd_share_close(((pn_vtab *)cur->pVtab)->ctx, c->sh);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* The array of a run and its length. */
static const pn_fd_ref *run_array(const pipe_cursor *c, size_t *n) {
  const pn_fd_index *ix = &c->sh->index;
  *n = c->run == RUN_PIPES ? ix->n : ix->fn;
  return c->run == RUN_PIPES ? ix->v : ix->files;
}

/* Where a run starts: its first entry, or the lookup's inode. */
static void start_run(pipe_cursor *c) {
  size_t n;
  const pn_fd_ref *v = run_array(c, &n);
  c->at = c->lookup ? pn_lower_bound_u64(v, n, sizeof *v, c->want) : 0;
}

/* 1 when ref is a row: a pipe, or a descriptor whose file is a FIFO. */
static int is_row(pipe_cursor *c, const pn_fd_ref *ref) {
  if (c->run == RUN_PIPES) return ref->kind == PN_FD_PIPE;
  char rel[48];
  int err;
  snprintf(rel, sizeof rel, "%lld/fd/%d", (long long)ref->pid, ref->fd);
  return pn_stat_at(&c->pc.fs, -1, rel, &c->st, &err) == PN_OK &&
         S_ISFIFO(c->st.st_mode);
}

/* Moves to the first row at or after c->at, across runs. */
static int settle(pipe_cursor *c) {
  while (c->run < RUN_END) {
    size_t n;
    const pn_fd_ref *v = run_array(c, &n);
    for (; c->at < n && (!c->lookup || v[c->at].inode == c->want); c->at++)
      if (is_row(c, &v[c->at])) {
        c->ref = &v[c->at];
        c->mode = 0;
        return SQLITE_OK;
      }
    if (++c->run == RUN_FIFOS && !c->sh->index.stat_tier_done) {
      int rc = pn_fd_index_add_stat_tier(&c->sh->index, &c->pc.fs);
      if (rc != SQLITE_OK) return rc;
    }
    if (c->run < RUN_END) start_run(c);
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

static int piXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  pipe_cursor *c = (pipe_cursor *)cur;
  c->pc.eof = 0;
  c->rowid = 0;
  c->lookup = (idxNum & IDX_INODE) != 0;
  if (c->lookup) {
    sqlite3_int64 arg;
    if (!pn_value_int64(argv[0], &arg)) { /* an inode is an integer */
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    c->want = (uint64_t)arg;
  }
  int rc = pn_fd_share_build(c->sh, &c->pc);
  if (rc != SQLITE_OK) return rc;
  c->run = RUN_PIPES;
  start_run(c);
  return settle(c);
}

static int piXNext(sqlite3_vtab_cursor *cur) {
  pipe_cursor *c = (pipe_cursor *)cur;
  c->at++;
  c->rowid++;
  return settle(c);
}

/* 'r', 'w' or 'u' from the link's permission bits; ' ' when unknown. */
static char mode_of(pipe_cursor *c) {
  if (c->mode) return c->mode;
  char rel[48];
  struct stat st;
  int err;
  snprintf(rel, sizeof rel, "%lld/fd/%d", (long long)c->ref->pid, c->ref->fd);
  c->mode = ' ';
  if (pn_lstat_at(&c->pc.fs, -1, rel, &st, &err) == PN_OK) {
    int r = (st.st_mode & S_IRUSR) != 0, w = (st.st_mode & S_IWUSR) != 0;
    c->mode = r && w ? 'u' : w ? 'w' : r ? 'r' : ' ';
  }
  return c->mode;
}

/* A FIFO's path: the link, as fds.path gives it. */
static int result_path(pipe_cursor *c, sqlite3_context *ctx) {
  pn_fdlink l;
  int err, dir;
  pn_res r = pn_open_pid(&c->pc.fs, c->ref->pid, &dir, &err);
  if (r == PN_OK) {
    r = pn_read_fd_link(&c->pc.fs, dir, c->ref->fd, &c->pc.buf, &l, &err);
    close(dir);
  }
  if (r == PN_OK && l.kind == PN_FD_PATH) pn_result_text(ctx, l.path.p, l.path.n);
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
}

static int piXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  pipe_cursor *c = (pipe_cursor *)cur;
  int fifo = c->run == RUN_FIFOS;
  char mode;
  switch (col) {
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)c->ref->inode); break;
  case COL_TYPE: sqlite3_result_text(ctx, fifo ? "fifo" : "pipe", -1, SQLITE_STATIC); break;
  case COL_DEV:
    if (fifo) sqlite3_result_int64(ctx, (sqlite3_int64)c->st.st_dev);
    break;
  case COL_PID: sqlite3_result_int64(ctx, c->ref->pid); break;
  case COL_FD: sqlite3_result_int(ctx, c->ref->fd); break;
  case COL_MODE:
    mode = mode_of(c);
    if (mode != ' ') sqlite3_result_text(ctx, &mode, 1, SQLITE_TRANSIENT);
    break;
  case COL_PATH: return fifo ? result_path(c, ctx) : SQLITE_OK;
  }
  return SQLITE_OK;
}

static int piXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((pipe_cursor *)cur)->rowid;
  return SQLITE_OK;
}

static const sqlite3_module pipes_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = piXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = piXOpen,
    .xClose = piXClose,
    .xFilter = piXFilter,
    .xNext = piXNext,
    .xEof = pn_cursor_eof,
    .xColumn = piXColumn,
    .xRowid = piXRowid,
};

const sqlite3_module *pn_pipes_module(void) { return &pipes_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_pipes_schema = PIPES_SCHEMA;
