/*
 * fd_share.h: the inode index of every descriptor (fd_index.h) as the
 * tables use it: built at most once per statement, on the first lookup or
 * scan that needs it, and shared by every `fds` and `socket_holders`
 * cursor the connection has open at the same time (a join, a correlated
 * subquery that opens a cursor per outer row); freed when the last of them
 * closes, so that the next statement sees fresh descriptors.
 */
#ifndef PROCNET_FD_SHARE_H
#define PROCNET_FD_SHARE_H

#include "fd_index.h"
#include "vtab_common.h"

typedef struct pn_fd_share {
  int cursors;
  pn_fd_index index;
} pn_fd_share;

/* The connection's share (made on first use) with one more cursor on it. */
int pn_fd_share_open(pn_ctx *ctx, pn_fd_share **out);

/* One cursor fewer; the last one frees the share. */
void pn_fd_share_close(pn_ctx *ctx, pn_fd_share *sh);

/* Builds the index unless built, with the connection's threads, reading
 * through pc's root. SQLITE_OK, SQLITE_NOMEM, or an error set on pc's
 * table that names a root which cannot be listed. */
int pn_fd_share_build(pn_fd_share *sh, pn_cursor *pc);

#endif
