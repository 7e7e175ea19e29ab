/*
 * vtab.h: what every procnet table shares to exist (layer 3 helpers):
 *
 *  - pn_ctx: the per-connection context (configured root, read counters,
 *    settings, what open cursors share), shared by all modules of one
 *    connection, reference counted;
 *  - pn_vtab and its xConnect/xDisconnect, errors, module registration;
 *  - result helpers every table uses.
 */
#ifndef PROCNET_VTAB_H
#define PROCNET_VTAB_H

#include "procfs.h"
#include "sqlite3ext.h"

typedef struct pn_ctx {
  int refs;
  char *root;               /* configured /proc root, sqlite3_malloc'd */
  char *host_root;          /* the host's / for container runtimes' state
                               (procnet_host_root()), sqlite3_malloc'd */
  int threads;              /* threads an fds index build may use */
  int netlink;              /* pn_netlink_mode (netlink.h) */
  int netns_held;           /* list namespaces only descriptors keep
                               (procnet_netns_scan('descriptors')) */
  pn_counters cnt;
  /* What open cursors share, owned by sockstore.c (socket snapshots),
   * fd_share.c (the descriptor index), tasks.c (processes' threads) and
   * proc_cache.c (the processes loaded), and freed when their last cursor
   * closes. */
  struct pn_sockstore *sockstore;
  void *fdshare;
  void *taskshare;
  struct pn_proc_cache *proccache;
  /* a reference to sockstore that procnet_hold_sockets(1) keeps
   * (pn_sockstore_hold), so that the statements until
   * procnet_hold_sockets(0) share what they read */
  struct pn_sockstore *sockhold;
} pn_ctx;

pn_ctx *pn_ctx_new(const char *root);
void pn_ctx_ref(pn_ctx *ctx);
void pn_ctx_unref(void *ctx);   /* matches sqlite3_create_module_v2's xDestroy */
int pn_ctx_set_root(pn_ctx *ctx, const char *root);
int pn_ctx_set_host_root(pn_ctx *ctx, const char *dir);

/* The pAux of every module: the connection's context and the table's own
 * descriptor. Every descriptor starts with its schema (const char *), which
 * is what pn_vtab_xconnect declares. */
typedef struct pn_modaux {
  pn_ctx *ctx;
  const void *desc;
} pn_modaux;
/* Registers an eponymous table `name`; the aux is freed with the module. */
int pn_register_module(sqlite3 *db, const char *name,
                       const sqlite3_module *module, pn_ctx *ctx,
                       const void *desc);

typedef struct pn_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  pn_ctx *ctx;
  const void *desc;
  sqlite3_uint64 planned_cols; /* colUsed of the table's last plan: what a
                               cursor opened next will most likely read
                               (the socket tables tell their store) */
} pn_vtab;

/* xConnect/xDisconnect for every table: declares the descriptor's schema,
 * marks the table DIRECTONLY (see procnet.c for why), keeps the context. */
int pn_vtab_xconnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                     sqlite3_vtab **out, char **err);
int pn_vtab_disconnect(sqlite3_vtab *vtab);
/* Sets vtab->zErrMsg (printf-style) and returns SQLITE_ERROR. */
int pn_vtab_error(sqlite3_vtab *vtab, const char *fmt, ...);
/* Opens the connection's root into fs, reporting a bad root as the error. */
int pn_vtab_open_fs(pn_vtab *vtab, pn_fs *fs);

/* The type column's word for a stat mode: file, dir, char, block, fifo,
 * socket_file, link or unknown. */
const char *pn_file_type_name(unsigned mode);

/* Result helpers for optional values. */
void pn_result_text(sqlite3_context *c, const char *p, size_t n);

#endif
