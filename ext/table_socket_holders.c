/*
 * table_socket_holders.c: `socket_holders`, one row per socket that some
 * process holds a descriptor of: how many descriptors hold it, and the
 * first of them, lowest pid then lowest fd (the holder netstat names, as
 * /proc lists processes in pid order).
 *
 * It is "who holds socket N" in one row, answered from the descriptor
 * index that `fds` builds (fd_share.h): a view can look each socket up as
 * it goes (a binary search) instead of first grouping every descriptor and
 * indexing the groups. Descriptors whose link may not be read (another
 * user's process, without privileges) hold nothing here, as in `fds`.
 * Rows come in inode order.
 *
 * idxNum bits:
 *   0x1   `inode = ?`: a binary search of the index
 * argv order: inode (when 0x1).
 */
#include "tables.h"
#include "fd_share.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

static const char SOCKET_HOLDERS_SCHEMA[] =
    "CREATE TABLE x(inode INTEGER, holders INTEGER, pid INTEGER, fd INTEGER)";
enum { COL_INODE, COL_HOLDERS, COL_PID, COL_FD };

#define IDX_INODE 0x1

typedef struct sh_cursor {
  pn_cursor pc;
  pn_fd_share *sh;          /* the connection's index (fd_share.h) */
  size_t at, next;          /* the current inode's entries: [at, next) */
  int lookup;               /* one inode only */
  /* the current row */
  uint64_t inode;
  int holders;
  pn_fd_ref first;
} sh_cursor;

static int shXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int argc = 0;
  if (pn_claim_eq(info, COL_INODE, &argc, 0, NULL)) {
    info->idxNum = IDX_INODE;
    info->estimatedCost = 10.0; /* amortised: the index is built once */
    info->estimatedRows = 1;
    info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  } else {
    info->idxNum = 0;
    info->estimatedCost = 10000.0;
    info->estimatedRows = 10000;
  }
  if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == COL_INODE &&
      !info->aOrderBy[0].desc)
    info->orderByConsumed = 1;
  return SQLITE_OK;
}

static int shXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(sh_cursor), out);
  if (rc != SQLITE_OK) return rc;
  sh_cursor *c = (sh_cursor *)*out;
  if ((rc = pn_fd_share_open(((pn_vtab *)tab)->ctx, &c->sh)) != SQLITE_OK) {
    pn_cursor_free(&c->pc);
    *out = NULL;
  }
  return rc;
}

static int shXClose(sqlite3_vtab_cursor *cur) {
  sh_cursor *c = (sh_cursor *)cur;
  pn_fd_share_close(((pn_vtab *)cur->pVtab)->ctx, c->sh);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* Moves to the first inode at or after c->next that sockets hold (only
 * c->next's own inode for a lookup). The index orders one inode's entries
 * pid and fd descending, so its last socket entry is the first holder; an
 * inode number may also be a pipe's or a namespace's (other filesystems),
 * hence the kind test. */
static void settle(sh_cursor *c) {
  const pn_fd_index *ix = &c->sh->index;
  for (c->at = c->next; c->at < ix->n; c->at = c->next) {
    c->inode = ix->v[c->at].inode;
    c->holders = 0;
    for (c->next = c->at; c->next < ix->n && ix->v[c->next].inode == c->inode; c->next++)
      if (ix->v[c->next].kind == PN_FD_SOCKET) {
        c->holders++;
        c->first = ix->v[c->next];
      }
    if (c->holders > 0) return;
    if (c->lookup) break;
  }
  c->pc.eof = 1;
}

static int shXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  sh_cursor *c = (sh_cursor *)cur;
  c->pc.eof = 0;
  c->lookup = (idxNum & IDX_INODE) != 0;
  int rc = pn_fd_share_build(c->sh, &c->pc);
  if (rc != SQLITE_OK) return rc;
  const pn_fd_index *ix = &c->sh->index;
  c->next = 0;
  if (c->lookup) {
    /* an inode is an integer: any other value equals none */
    sqlite3_int64 arg;
    if (!pn_value_int64(argv[0], &arg)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    uint64_t want = (uint64_t)arg;
    c->next = pn_fd_index_lower_bound(ix, want);
    if (c->next >= ix->n || ix->v[c->next].inode != want) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
  }
  settle(c);
  return SQLITE_OK;
}

static int shXNext(sqlite3_vtab_cursor *cur) {
  sh_cursor *c = (sh_cursor *)cur;
  if (c->lookup) c->pc.eof = 1;
  else settle(c);
  return SQLITE_OK;
}

static int shXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  sh_cursor *c = (sh_cursor *)cur;
  switch (col) {
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)c->inode); break;
  case COL_HOLDERS: sqlite3_result_int(ctx, c->holders); break;
  case COL_PID: sqlite3_result_int64(ctx, c->first.pid); break;
  case COL_FD: sqlite3_result_int(ctx, c->first.fd); break;
  }
  return SQLITE_OK;
}

static int shXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = (sqlite3_int64)((sh_cursor *)cur)->at;
  return SQLITE_OK;
}

static const sqlite3_module socket_holders_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = shXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = shXOpen,
    .xClose = shXClose,
    .xFilter = shXFilter,
    .xNext = shXNext,
    .xEof = pn_cursor_eof,
    .xColumn = shXColumn,
    .xRowid = shXRowid,
};

const sqlite3_module *pn_socket_holders_module(void) {
  return &socket_holders_module;
}

/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_socket_holders_schema = SOCKET_HOLDERS_SCHEMA;
