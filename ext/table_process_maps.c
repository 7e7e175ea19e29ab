/*
 * table_process_maps.c: `process_maps`, one row per mapping in
 * /proc/PID/maps (what lsof lists as `mem` and `txt`).
 *
 * start and end are hex text as the kernel prints them (kernel addresses do
 * not fit a signed 64-bit integer); size is end - start in bytes. dev is
 * "major:minor" in hex as in the file, with dev_major/dev_minor as numbers.
 * path is raw: "[heap]", "/lib/x.so (deleted)", or NULL for anonymous maps.
 *
 * idxNum bits:
 *   0x1              `pid = ?` or `pid IN (...)`
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 * argv order: pid (when 0x1).
 */
#include "tables.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char MAPS_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER, start TEXT, end TEXT, size INTEGER,"
    " perms TEXT, offset INTEGER, dev TEXT, dev_major INTEGER,"
    " dev_minor INTEGER, inode INTEGER, path TEXT)";
enum {
  COL_PID, COL_START, COL_END, COL_SIZE, COL_PERMS, COL_OFFSET, COL_DEV,
  COL_DEV_MAJOR, COL_DEV_MINOR, COL_INODE, COL_PATH
};

typedef struct maps_cursor {
  pn_cursor pc;             /* pc.buf holds the current process's maps */
  sqlite3_int64 pid;
  size_t pos;               /* next line in pc.buf */
  int line_no;
  pn_map map;
} maps_cursor;

static int mapsXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  info->idxNum = pn_plan_pid(info, COL_PID, 50);
  return SQLITE_OK;
}

static int mapsXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  return pn_cursor_open(tab, sizeof(maps_cursor), out);
}

static int mapsXClose(sqlite3_vtab_cursor *cur) {
  pn_cursor_free((pn_cursor *)cur);
  return SQLITE_OK;
}

/* Reads the next process's maps into buf; returns 0 at the end. */
static int next_process(maps_cursor *c, int *rc) {
  while (pn_pidsrc_next(&c->pc.src, &c->pid)) {
    char rel[32];
    int err;
    snprintf(rel, sizeof rel, "%lld/maps", (long long)c->pid);
    pn_res r = pn_read_file(&c->pc.fs, -1, rel, &c->pc.buf, &err);
    if (pn_is_nomem(r, err)) {
      *rc = SQLITE_NOMEM;
      return 0;
    }
    if (r == PN_OK) {
      c->pos = 0;
      c->line_no = 0;
      return 1;
    }
  }
  return 0;
}

static int mapsXNext(sqlite3_vtab_cursor *cur) {
  maps_cursor *c = (maps_cursor *)cur;
  int rc = SQLITE_OK;
  for (;;) {
    pn_str line;
    while (pn_next_line(c->pc.buf.p, c->pc.buf.n, &c->pos, &line)) {
      c->line_no++;
      if (pn_parse_maps_line(line.p, line.n, &c->map) == 0) return SQLITE_OK;
    }
    if (!next_process(c, &rc)) {
      c->pc.eof = 1;
      return rc;
    }
  }
}

static int mapsXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  maps_cursor *c = (maps_cursor *)cur;
  c->pc.buf.n = c->pos = 0;
  int rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  return rc == SQLITE_OK ? mapsXNext(cur) : rc;
}

static int mapsXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  maps_cursor *c = (maps_cursor *)cur;
  *rowid = (c->pid << 32) | c->line_no;
  return SQLITE_OK;
}

static void result_hex(sqlite3_context *ctx, uint64_t v, const char *fmt) {
  char text[24];
  int n = snprintf(text, sizeof text, fmt, (unsigned long long)v);
  sqlite3_result_text(ctx, text, n, SQLITE_TRANSIENT);
}

static int mapsXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  maps_cursor *c = (maps_cursor *)cur;
  const pn_map *m = &c->map;
  char dev[24];
  switch (col) {
  case COL_PID: sqlite3_result_int64(ctx, c->pid); break;
  case COL_START: result_hex(ctx, m->start, "%llx"); break;
  case COL_END: result_hex(ctx, m->end, "%llx"); break;
  case COL_SIZE: sqlite3_result_int64(ctx, (sqlite3_int64)(m->end - m->start)); break;
  case COL_PERMS: sqlite3_result_text(ctx, m->perms, -1, SQLITE_TRANSIENT); break;
  case COL_OFFSET: sqlite3_result_int64(ctx, (sqlite3_int64)m->offset); break;
  case COL_DEV:
    snprintf(dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
    sqlite3_result_text(ctx, dev, -1, SQLITE_TRANSIENT);
    break;
  case COL_DEV_MAJOR: sqlite3_result_int64(ctx, m->dev_major); break;
  case COL_DEV_MINOR: sqlite3_result_int64(ctx, m->dev_minor); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)m->inode); break;
  case COL_PATH:
    if (m->path.n) pn_result_text(ctx, m->path.p, m->path.n);
    break;
  }
  return SQLITE_OK;
}

static const sqlite3_module process_maps_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = mapsXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = mapsXOpen,
    .xClose = mapsXClose,
    .xFilter = mapsXFilter,
    .xNext = mapsXNext,
    .xEof = pn_cursor_eof,
    .xColumn = mapsXColumn,
    .xRowid = mapsXRowid,
};

const sqlite3_module *pn_process_maps_module(void) {
  return &process_maps_module;
}

/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_process_maps_schema = MAPS_SCHEMA;
