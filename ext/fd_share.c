/*
 * fd_share.c: the connection's descriptor index, shared by cursors (see
 * fd_share.h).
 */
#include "fd_share.h"
SQLITE_EXTENSION_INIT3

#include <string.h>

int pn_fd_share_open(pn_ctx *ctx, pn_fd_share **out) {
  if (!ctx->fdshare) {
    pn_fd_share *sh = sqlite3_malloc(sizeof *sh);
    if (!sh) return SQLITE_NOMEM;
    memset(sh, 0, sizeof *sh);
    ctx->fdshare = sh;
  }
  *out = ctx->fdshare;
  (*out)->cursors++;
  return SQLITE_OK;
}

void pn_fd_share_close(pn_ctx *ctx, pn_fd_share *sh) {
  if (--sh->cursors > 0) return;
  pn_fd_index_free(&sh->index);
  sqlite3_free(sh);
  ctx->fdshare = NULL;
}

int pn_fd_share_build(pn_fd_share *sh, pn_cursor *pc) {
  if (sh->index.built) return SQLITE_OK;
  pn_ctx *ctx = ((pn_vtab *)pc->base.pVtab)->ctx;
  int rc = pn_fd_index_build(&sh->index, &pc->fs, ctx->threads);
  if (rc == SQLITE_IOERR)
    return pn_vtab_error(pc->base.pVtab, "procnet: cannot list '%s'", ctx->root);
  return rc;
}
