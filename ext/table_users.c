/*
 * table_users.c: `users`, one row per line of a passwd file, so that views
 * can print user names as lsof does, without NSS (which a static binary in
 * a bare container does not have).
 *
 * Which file: /etc/passwd of the reader by default; with `root_pid = X`,
 * the passwd file inside process X's root (<root>/X/root/etc/passwd), i.e.
 * the names a container gives its own uids, where lsof on the host would
 * print the host's names for the same numbers. An unreadable file gives no
 * rows, not an error (views fall back to the number).
 *
 * idxNum bits:
 *   0x1   `uid = ?`
 *   0x2   `root_pid = ?`
 * argv order: uid, root_pid (each only when its bit is set).
 *
 * The file is read once per cursor for each source in turn: as the inner
 * loop of a join, consecutive lookups in the same file do not re-read it.
 */
#include "tables.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char USERS_SCHEMA[] =
    "CREATE TABLE x(uid INTEGER, name TEXT, gid INTEGER, home TEXT,"
    " shell TEXT, root_pid INTEGER HIDDEN)";
enum { COL_UID, COL_NAME, COL_GID, COL_HOME, COL_SHELL, COL_ROOT_PID };

#define IDX_UID 0x1
#define IDX_ROOT_PID 0x2

typedef struct users_cursor {
  pn_cursor pc;             /* pc.buf holds the passwd file */
  sqlite3_int64 loaded_from; /* root_pid of buf's content, 0 = /etc/passwd */
  int loaded;
  sqlite3_int64 root_pid;
  int want_uid;
  sqlite3_int64 uid;
  size_t pos;
  int line_no;
  pn_passwd row;
} users_cursor;

static int usersXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int argc = 0, idx = 0;
  if (pn_claim_eq(info, COL_UID, &argc, 0, NULL)) idx |= IDX_UID;
  if (pn_claim_eq(info, COL_ROOT_PID, &argc, 0, NULL)) idx |= IDX_ROOT_PID;
  info->estimatedCost = (idx & IDX_UID) ? 5.0 : 50.0;
  info->estimatedRows = (idx & IDX_UID) ? 1 : 50;
  info->idxNum = idx;
  return SQLITE_OK;
}

static int usersXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  return pn_cursor_open(tab, sizeof(users_cursor), out);
}

static int usersXClose(sqlite3_vtab_cursor *cur) {
  pn_cursor_free((pn_cursor *)cur);
  return SQLITE_OK;
}

/* Loads the passwd file of root_pid (0: the reader's /etc/passwd). */
static int load_passwd(users_cursor *c, sqlite3_int64 root_pid) {
  if (c->loaded && c->loaded_from == root_pid) return SQLITE_OK;
  char rel[48];
  int err;
  pn_res r;
  if (root_pid > 0) {
    snprintf(rel, sizeof rel, "%lld/root/etc/passwd", (long long)root_pid);
    r = pn_read_file(&c->pc.fs, -1, rel, &c->pc.buf, &err);
  } else {
    /* Not under the proc root: the reader's own file. */
    pn_fs etc = {AT_FDCWD, NULL};
    r = pn_read_file(&etc, -1, "/etc/passwd", &c->pc.buf, &err);
  }
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  if (r != PN_OK) c->pc.buf.n = 0;
  c->loaded = 1;
  c->loaded_from = root_pid;
  return SQLITE_OK;
}

static int usersXNext(sqlite3_vtab_cursor *cur) {
  users_cursor *c = (users_cursor *)cur;
  pn_str line;
  while (pn_next_line(c->pc.buf.p, c->pc.buf.n, &c->pos, &line)) {
    c->line_no++;
    if (pn_parse_passwd_line(line.p, line.n, &c->row) != 0) continue;
    if (!c->want_uid || c->row.uid == c->uid) return SQLITE_OK;
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

static int usersXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                        int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  users_cursor *c = (users_cursor *)cur;
  int arg = 0;
  c->pc.eof = 0;
  c->pos = 0;
  c->line_no = 0;
  c->want_uid = (idxNum & IDX_UID) != 0;
  if (c->want_uid && !pn_value_int64(argv[arg++], &c->uid)) c->pc.eof = 1;
  c->root_pid = 0;
  if ((idxNum & IDX_ROOT_PID) &&
      (!pn_value_int64(argv[arg], &c->root_pid) || c->root_pid <= 0))
    c->pc.eof = 1;
  if (c->pc.eof) return SQLITE_OK;
  int rc = load_passwd(c, c->root_pid);
  return rc == SQLITE_OK ? usersXNext(cur) : rc;
}

static int usersXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((users_cursor *)cur)->line_no;
  return SQLITE_OK;
}

static int usersXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  users_cursor *c = (users_cursor *)cur;
  const pn_passwd *p = &c->row;
  switch (col) {
  case COL_UID: sqlite3_result_int64(ctx, p->uid); break;
  case COL_NAME: pn_result_text(ctx, p->name.p, p->name.n); break;
  case COL_GID: sqlite3_result_int64(ctx, p->gid); break;
  case COL_HOME: pn_result_text(ctx, p->home.p, p->home.n); break;
  case COL_SHELL: pn_result_text(ctx, p->shell.p, p->shell.n); break;
  case COL_ROOT_PID:
    if (c->root_pid) sqlite3_result_int64(ctx, c->root_pid);
    break;
  }
  return SQLITE_OK;
}

static const sqlite3_module users_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = usersXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = usersXOpen,
    .xClose = usersXClose,
    .xFilter = usersXFilter,
    .xNext = usersXNext,
    .xEof = pn_cursor_eof,
    .xColumn = usersXColumn,
    .xRowid = usersXRowid,
};

const sqlite3_module *pn_users_module(void) { return &users_module; }

/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_users_schema = USERS_SCHEMA;
