/*
 * table_process_files.c: `process_files`, the files a process uses without
 * a descriptor: its current directory, root directory and executable, one
 * row each (what lsof prints as cwd, rtd and txt).
 *
 * Columns come from readlink (path, deleted) and stat (type, device, size,
 * inode) of /proc/PID/cwd, root and exe; stat runs only when one of its
 * columns is used. A link we may not read (another user's process without
 * privileges) gives a row with `error` set; a kernel thread has no exe and
 * gives no txt row.
 *
 * idxNum bits:
 *   0x1              `pid = ?` or `pid IN (...)`
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 *   0x2              a stat column is used
 *   0x4              `kind = ?` / `kind IN (...)`, one or more: only those
 *                    links are read (lsof's view asks for one at a time)
 *   0x100 << j       the j-th kind argument is an IN list
 * argv order: pid (when 0x1), then the kind arguments to the end of argv.
 */
#include "tables.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char PROCESS_FILES_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER, kind TEXT, path TEXT, deleted INTEGER,"
    " type TEXT, dev_major INTEGER, dev_minor INTEGER, size INTEGER,"
    " inode INTEGER, error TEXT)";
enum {
  COL_PID, COL_KIND, COL_PATH, COL_DELETED, COL_TYPE, COL_DEV_MAJOR,
  COL_DEV_MINOR, COL_SIZE, COL_INODE, COL_ERROR
};

#define IDX_STAT 0x2
#define IDX_KIND 0x4

/* The links, in lsof's order, with the names lsof gives them. */
static const struct {
  const char *link;
  const char *kind;
} files[] = {{"cwd", "cwd"}, {"root", "rtd"}, {"exe", "txt"}};
#define N_FILES 3
static const char *const kind_names[N_FILES] = {"cwd", "rtd", "txt"};

typedef struct pf_cursor {
  pn_cursor pc;             /* pc.buf: the current link's text; pc.pid,
                               pc.piddir: the current process */
  int need_stat;
  unsigned wanted;          /* bit i: files[i] is asked for */
  int at;                   /* index into files[] of the current row */
  const char *error;
  int have_stat;
  struct stat st;
} pf_cursor;

static int pfXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, N_FILES);
  int argc = (idx & PN_IDX_PID) ? 1 : 0;
  idx |= pn_claim_names(info, COL_KIND, &argc, IDX_KIND);
  if (idx & IDX_KIND) {
    info->estimatedCost /= N_FILES;
    info->estimatedRows = info->estimatedRows / N_FILES + 1;
  }
  for (int col = COL_TYPE; col <= COL_INODE; col++)
    if (info->colUsed & ((sqlite3_uint64)1 << col)) idx |= IDX_STAT;
  info->idxNum = idx;
  return SQLITE_OK;
}

static int pfXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  return pn_cursor_open(tab, sizeof(pf_cursor), out);
}

static int pfXClose(sqlite3_vtab_cursor *cur) {
  pn_cursor_free((pn_cursor *)cur);
  return SQLITE_OK;
}

/* Reads file `at` of the current process. *row is 0 when it gives no row
 * (no such link: a kernel thread's exe, or the process is gone). */
static int load_file(pf_cursor *c, int *row) {
  int err;
  c->error = NULL;
  c->have_stat = 0;
  pn_res r = pn_read_link(&c->pc.fs, c->pc.piddir, files[c->at].link, &c->pc.buf, &err);
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  *row = r == PN_OK || r == PN_DENIED;
  if (r == PN_DENIED) c->error = pn_res_text(r, err);
  if (r == PN_OK && c->need_stat)
    c->have_stat = pn_stat_at(&c->pc.fs, c->pc.piddir, files[c->at].link, &c->st,
                              &err) == PN_OK;
  return SQLITE_OK;
}

static int pfXNext(sqlite3_vtab_cursor *cur) {
  pf_cursor *c = (pf_cursor *)cur;
  for (;;) {
    if (c->pc.piddir >= 0 && ++c->at < N_FILES) {
      if (!(c->wanted & (1u << c->at))) continue;
      int row, rc = load_file(c, &row);
      if (rc != SQLITE_OK || row) return rc;
      continue;
    }
    int rc = pn_cursor_next_process(&c->pc);
    if (rc != SQLITE_ROW) {
      c->pc.eof = rc == SQLITE_DONE;
      return rc == SQLITE_NOMEM ? rc : SQLITE_OK;
    }
    c->at = -1;
  }
}

static int pfXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  pf_cursor *c = (pf_cursor *)cur;
  pn_cursor_close_piddir(&c->pc);
  c->need_stat = (idxNum & IDX_STAT) != 0;
  c->wanted = ~0u;
  int rc = SQLITE_OK;
  if (idxNum & IDX_KIND)
    rc = pn_names_wanted(kind_names, N_FILES, idxNum, argc, argv,
                         (idxNum & PN_IDX_PID) ? 1 : 0, &c->wanted);
  if (rc == SQLITE_OK && c->wanted == 0) { /* no such kind: nothing to read */
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  if (rc == SQLITE_OK) rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  return rc == SQLITE_OK ? pfXNext(cur) : rc;
}

static int pfXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  pf_cursor *c = (pf_cursor *)cur;
  *rowid = c->pc.pid * N_FILES + c->at;
  return SQLITE_OK;
}

static void result_stat(pf_cursor *c, sqlite3_context *ctx, int col) {
  if (!c->have_stat) return;
  const struct stat *st = &c->st;
  switch (col) {
  case COL_TYPE:
    sqlite3_result_text(ctx, pn_file_type_name(st->st_mode), -1, SQLITE_STATIC);
    break;
  case COL_DEV_MAJOR: sqlite3_result_int64(ctx, major(st->st_dev)); break;
  case COL_DEV_MINOR: sqlite3_result_int64(ctx, minor(st->st_dev)); break;
  case COL_SIZE: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_ino); break;
  }
}

static int pfXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  pf_cursor *c = (pf_cursor *)cur;
  pn_fdlink l; /* the same " (deleted)" rule as descriptors */
  int is_path = !c->error && pn_parse_fdlink(c->pc.buf.p, c->pc.buf.n, &l) == 0 &&
                l.kind == PN_FD_PATH;
  switch (col) {
  case COL_PID: sqlite3_result_int64(ctx, c->pc.pid); break;
  case COL_KIND: sqlite3_result_text(ctx, files[c->at].kind, -1, SQLITE_STATIC); break;
  case COL_PATH:
    if (is_path) pn_result_text(ctx, l.path.p, l.path.n);
    else if (!c->error) pn_result_text(ctx, c->pc.buf.p, c->pc.buf.n);
    break;
  case COL_DELETED:
    if (!c->error) sqlite3_result_int(ctx, is_path && l.deleted);
    break;
  case COL_ERROR:
    if (c->error) sqlite3_result_text(ctx, c->error, -1, SQLITE_STATIC);
    break;
  default: result_stat(c, ctx, col); break;
  }
  return SQLITE_OK;
}

static const sqlite3_module process_files_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = pfXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = pfXOpen,
    .xClose = pfXClose,
    .xFilter = pfXFilter,
    .xNext = pfXNext,
    .xEof = pn_cursor_eof,
    .xColumn = pfXColumn,
    .xRowid = pfXRowid,
};

const sqlite3_module *pn_process_files_module(void) {
  return &process_files_module;
}

/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_process_files_schema = PROCESS_FILES_SCHEMA;
