/*
 * cursor.c: the start of every cursor and the walk over processes; see
 * cursor.h.
 */
#include "cursor.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <unistd.h>

/* ---- process walk --------------------------------------------------------- */

int pn_pidsrc_start(pn_pidsrc *s, const pn_fs *fs, const pn_i64list *list) {
  int err;
  pn_pidsrc_end(s);
  s->list = list;
  s->at = 0;
  if (list) return SQLITE_OK;
  pn_res r = pn_open_dir(fs, -1, ".", &s->dir, &err);
  if (r == PN_OK) return SQLITE_OK;
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_IOERR;
}

int pn_pidsrc_next(pn_pidsrc *s, sqlite3_int64 *pid) {
  if (s->list) {
    if (s->at >= s->list->n) return 0;
    *pid = s->list->v[s->at++];
    return 1;
  }
  int64_t p;
  if (!s->dir || !pn_next_numeric(s->dir, &p)) return 0;
  *pid = p;
  return 1;
}

void pn_pidsrc_end(pn_pidsrc *s) {
  pn_close_dir(s->dir);
  s->dir = NULL;
  s->list = NULL;
  s->at = 0;
}

/* ---- cursors ------------------------------------------------------------- */

int pn_cursor_open(sqlite3_vtab *tab, size_t size, sqlite3_vtab_cursor **out) {
  pn_cursor *c = sqlite3_malloc64(size);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, size);
  c->piddir = -1;
  int rc = pn_vtab_open_fs((pn_vtab *)tab, &c->fs);
  if (rc != SQLITE_OK) {
    sqlite3_free(c);
    return rc;
  }
  *out = &c->base;
  return SQLITE_OK;
}

void pn_cursor_free(pn_cursor *c) {
  pn_cursor_close_piddir(c);
  pn_pidsrc_end(&c->src);
  pn_i64list_free(&c->pids);
  pn_buf_free(&c->buf);
  pn_fs_close(&c->fs);
  sqlite3_free(c);
}

int pn_cursor_eof(sqlite3_vtab_cursor *cur) { return ((pn_cursor *)cur)->eof; }

int pn_cursor_walk(pn_cursor *c, int idxNum, sqlite3_value **argv,
                   const pn_i64list *all) {
  const pn_i64list *list = all;
  c->eof = 0;
  if (idxNum & PN_IDX_PID) {
    int rc = pn_i64list_from_arg(&c->pids, argv[0], idxNum & PN_IDX_PID_LIST);
    if (rc != SQLITE_OK) return rc;
    list = &c->pids;
  }
  if (pn_pidsrc_start(&c->src, &c->fs, list) == SQLITE_OK) return SQLITE_OK;
  return pn_vtab_error(c->base.pVtab, "procnet: cannot list '%s'",
                       ((pn_vtab *)c->base.pVtab)->ctx->root);
}


void pn_cursor_close_piddir(pn_cursor *c) {
  if (c->piddir >= 0) close(c->piddir);
  c->piddir = -1;
}

int pn_cursor_open_piddir(pn_cursor *c) {
  int err;
  return c->piddir >= 0 || pn_open_pid(&c->fs, c->pid, &c->piddir, &err) == PN_OK;
}

int pn_cursor_next_process(pn_cursor *c) {
  pn_cursor_close_piddir(c);
  while (pn_pidsrc_next(&c->src, &c->pid)) {
    int err;
    pn_res r = pn_open_pid(&c->fs, c->pid, &c->piddir, &err);
    if (r == PN_OK) return SQLITE_ROW;
    if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  }
  return SQLITE_DONE;
}
