/*
 * vtab.c: the connection context, the vtab every table uses, module
 * registration and result helpers; see vtab.h.
 */
#include "vtab.h"

#include "sockstore.h"
SQLITE_EXTENSION_INIT3

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

/* ---- connection context ------------------------------------------------- */

pn_ctx *pn_ctx_new(const char *root) {
  pn_ctx *ctx = sqlite3_malloc(sizeof *ctx);
  if (!ctx) return NULL;
  memset(ctx, 0, sizeof *ctx);
  ctx->refs = 1;
  if (pn_ctx_set_root(ctx, root) != SQLITE_OK ||
      pn_ctx_set_host_root(ctx, "/") != SQLITE_OK) {
    sqlite3_free(ctx->root);
    sqlite3_free(ctx);
    return NULL;
  }
  return ctx;
}

void pn_ctx_ref(pn_ctx *ctx) { ctx->refs++; }

void pn_ctx_unref(void *p) {
  pn_ctx *ctx = p;
  if (!ctx || --ctx->refs > 0) return;
  pn_sockstore_hold(ctx, 0);
  sqlite3_free(ctx->root);
  sqlite3_free(ctx->host_root);
  sqlite3_free(ctx);
}

int pn_ctx_set_root(pn_ctx *ctx, const char *root) {
  char *copy = sqlite3_mprintf("%s", root);
  if (!copy) return SQLITE_NOMEM;
  sqlite3_free(ctx->root);
  ctx->root = copy;
  return SQLITE_OK;
}

int pn_ctx_set_host_root(pn_ctx *ctx, const char *dir) {
  char *copy = sqlite3_mprintf("%s", dir);
  if (!copy) return SQLITE_NOMEM;
  sqlite3_free(ctx->host_root);
  ctx->host_root = copy;
  return SQLITE_OK;
}

static void modaux_free(void *p) {
  pn_modaux *aux = p;
  pn_ctx_unref(aux->ctx);
  sqlite3_free(aux);
}

int pn_register_module(sqlite3 *db, const char *name,
                       const sqlite3_module *module, pn_ctx *ctx,
                       const void *desc) {
  pn_modaux *aux = sqlite3_malloc(sizeof *aux);
  if (!aux) return SQLITE_NOMEM;
  aux->ctx = ctx;
  aux->desc = desc;
  pn_ctx_ref(ctx);
  /* On failure SQLite calls the destructor itself. */
  return sqlite3_create_module_v2(db, name, module, aux, modaux_free);
}

/* ---- vtab ---------------------------------------------------------------- */

int pn_vtab_xconnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                     sqlite3_vtab **out, char **err) {
  (void)argc;
  (void)argv;
  const char *schema = *(const char *const *)((const pn_modaux *)aux)->desc;
  int rc = sqlite3_declare_vtab(db, schema);
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("procnet: bad schema: %s", sqlite3_errmsg(db));
    return rc;
  }
  /* DIRECTONLY: see the comment at the top of procnet.c. */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  pn_vtab *v = sqlite3_malloc(sizeof *v);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  const pn_modaux *maux = aux;
  v->db = db;
  v->ctx = maux->ctx;
  v->desc = maux->desc;
  pn_ctx_ref(v->ctx);
  *out = &v->base;
  return SQLITE_OK;
}

int pn_vtab_disconnect(sqlite3_vtab *vtab) {
  pn_vtab *v = (pn_vtab *)vtab;
  pn_ctx_unref(v->ctx);
  sqlite3_free(v);
  return SQLITE_OK;
}

int pn_vtab_error(sqlite3_vtab *vtab, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return vtab->zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

int pn_vtab_open_fs(pn_vtab *vtab, pn_fs *fs) {
  char *err = NULL;
  if (pn_fs_open(fs, vtab->ctx->root, &vtab->ctx->cnt, &err) == 0)
    return SQLITE_OK;
  if (!err) return SQLITE_NOMEM;
  sqlite3_free(vtab->base.zErrMsg);
  vtab->base.zErrMsg = err;
  return SQLITE_ERROR;
}

const char *pn_file_type_name(unsigned mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return "file";
  case S_IFDIR: return "dir";
  case S_IFCHR: return "char";
  case S_IFBLK: return "block";
  case S_IFIFO: return "fifo";
  /* a socket's file, as a path names it (bind(2) made it); an open
   * socket is "socket" (fds: a socket:[N] link) */
  case S_IFSOCK: return "socket_file";
  case S_IFLNK: return "link";
  default: return "unknown";
  }
}

void pn_result_text(sqlite3_context *c, const char *p, size_t n) {
  if (!p) {
    sqlite3_result_null(c);
    return;
  }
  sqlite3_result_text64(c, p, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}
