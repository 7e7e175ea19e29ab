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
  void *dir;
  pn_pidsrc_end(s);
  s->at = 0;
  s->list = list;
  if (list) return SQLITE_OK;
  s->list = &s->listed;
  pn_res r = pn_open_dir(fs, -1, ".", &dir, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_IOERR;
  int64_t p;
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && pn_next_numeric(dir, &p)) rc = pn_i64list_push(&s->listed, p);
  pn_close_dir(dir);
  pn_i64list_sort_unique(&s->listed);
  return rc;
}

int pn_pidsrc_next(pn_pidsrc *s, sqlite3_int64 *pid) {
  if (!s->list || s->at >= s->list->n) return 0;
  *pid = s->list->v[s->at++];
  return 1;
}

/* The listing's memory is kept for the walk's next start (an inner loop
 * starts it once per outer row); pn_pidsrc_free gives it back. */
void pn_pidsrc_end(pn_pidsrc *s) {
  s->listed.n = 0;
  s->list = NULL;
  s->at = 0;
}

void pn_pidsrc_free(pn_pidsrc *s) {
  pn_pidsrc_end(s);
  pn_i64list_free(&s->listed);
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
  pn_pidsrc_free(&c->src);
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
  if (c->piddir >= 0) return 1;
  if (pn_open_pid(&c->fs, c->pid, &c->piddir, &err) != PN_OK) return 0;
  c->dirpid = c->pid;
  return 1;
}

pn_res pn_cursor_enter_pid(pn_cursor *c, sqlite3_int64 pid, int *err) {
  c->pid = pid;
  if (c->piddir >= 0 && c->dirpid == pid) return PN_OK;
  pn_cursor_close_piddir(c);
  pn_res r = pn_open_pid(&c->fs, pid, &c->piddir, err);
  if (r == PN_OK) c->dirpid = pid;
  return r;
}

int pn_cursor_next_process(pn_cursor *c) {
  pn_cursor_close_piddir(c);
  while (pn_pidsrc_next(&c->src, &c->pid)) {
    int err;
    pn_res r = pn_open_pid(&c->fs, c->pid, &c->piddir, &err);
    if (r == PN_OK) {
      c->dirpid = c->pid;
      return SQLITE_ROW;
    }
    if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  }
  return SQLITE_DONE;
}
