/*
 * vtab_common.h: what every procnet virtual table shares (layer 3 helpers).
 *
 *  - pn_ctx: the per-connection context (configured root, read counters),
 *    shared by all modules of one connection, reference counted.
 *  - pn_vtab: the sqlite3_vtab every table uses.
 *  - constraint plumbing for xBestIndex/xFilter: claim `col = ?` and
 *    `col IN (...)` (all at once), then collect the values in xFilter.
 *  - pn_pidsrc: the processes a scan visits, either the listed pids or a
 *    lazy listing of the root directory.
 */
#ifndef PROCNET_VTAB_COMMON_H
#define PROCNET_VTAB_COMMON_H

#include "procfs.h"
#include "sqlite3ext.h"

typedef struct pn_ctx {
  int refs;
  char *root;               /* configured /proc root, sqlite3_malloc'd */
  int threads;              /* threads an fds index build may use */
  int netlink;              /* pn_netlink_mode (netlink.h) */
  int netns_held;           /* list namespaces only descriptors keep
                               (procnet_netns_scan('descriptors')) */
  pn_counters cnt;
  /* What open cursors share, owned by sockstore.c (socket snapshots) and
   * fd_share.c (the descriptor index) and freed when their last cursor
   * closes. */
  struct pn_sockstore *sockstore;
  void *fdshare;
} pn_ctx;

pn_ctx *pn_ctx_new(const char *root);
void pn_ctx_ref(pn_ctx *ctx);
void pn_ctx_unref(void *ctx);   /* matches sqlite3_create_module_v2's xDestroy */
int pn_ctx_set_root(pn_ctx *ctx, const char *root);

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

/* ---- xBestIndex ----------------------------------------------------------
 * Finds a usable `col = ?` (which is also how `col IN (...)` arrives) and
 * claims it as the next argv slot. With allow_in, an IN list is taken all at
 * once (sqlite3_vtab_in) so that xFilter runs once for the whole list.
 * Returns 1 when claimed; 0 for col < 0 (a table without the column).
 * *n_in, if given, is bumped for an IN list. */
int pn_claim_eq(sqlite3_index_info *info, int col, int *argc, int allow_in,
                int *n_in);

/* For tables walked process by process: claims `col = ?` / `col IN (...)`
 * on the pid column and sets the costs of walking one process, a list, or
 * all of them (rows_per_process rows each). Returns PN_IDX_PID (and
 * PN_IDX_PID_LIST) bits for idxNum, or 0. */
#define PN_IDX_PID 0x1
int pn_plan_pid(sqlite3_index_info *info, int col, double rows_per_process);

/* A column of a few fixed names (sockets.kind, process_files.kind): claims
 * every `col = ?` and `col IN (...)` on it (a view's own test plus one
 * pushed into it, say), IN lists taken whole, as the next argv slots; at
 * most PN_NAME_ARGS of them. `col = ?` only under the column's own BINARY
 * collation, matched exactly (SQLite does not check it again); an IN list
 * matched loosely (ignoring case and trailing blanks: a superset of what
 * BINARY, NOCASE and RTRIM match, since its values may carry their own
 * collation) and checked again by SQLite. Returns `flag` when any was
 * claimed, plus PN_IDX_NAME_LIST << j when the j-th is an IN list. */
#define PN_NAME_ARGS 8
#define PN_IDX_NAME_LIST 0x100
int pn_claim_names(sqlite3_index_info *info, int col, int *argc, int flag);

/* xFilter's side of pn_claim_names: the names[] (bit i for names[i]) that
 * every name argument, argv[first] to argv[argc - 1], allows. Only text can
 * equal a name. SQLITE_OK, SQLITE_NOMEM, or an error of the IN list. */
int pn_names_wanted(const char *const *names, int n, int idxNum, int argc,
                    sqlite3_value **argv, int first, unsigned *mask);

/* ---- xFilter: the values of a claimed constraint ---------------------------
 * pn_value_int64: the integer a value equals as SQLite compares it with an
 * INTEGER column: an integer, a whole real (5002.0) or text that reads as
 * one ('5002'). 0 for anything else (NULL, 'abc', 1.5, a blob), which
 * equals no row. */
int pn_value_int64(sqlite3_value *v, sqlite3_int64 *out);

/* pn_i64list: a sorted list without duplicates; values that are not integers (NULL,
 * 'abc', 1.5) can match no row and are dropped. */
/* The idxNum bit every table sets when its pid argument is an IN list taken
 * all at once (pn_claim_eq counted it in *n_in). */
#define PN_IDX_PID_LIST 0x40000000

typedef struct pn_i64list {
  int64_t *v;
  int n;
  int cap;
} pn_i64list;
int pn_i64list_from_arg(pn_i64list *l, sqlite3_value *arg, int is_list);
int pn_i64list_push(pn_i64list *l, int64_t x);
void pn_i64list_free(pn_i64list *l);
int pn_i64list_has(const pn_i64list *l, sqlite3_int64 x);

/* ---- which processes a scan visits ---------------------------------------- */
typedef struct pn_pidsrc {
  const pn_i64list *list;   /* the pids asked for, or NULL for all */
  int at;                   /* next index into list */
  void *dir;                /* root listing when list == NULL */
} pn_pidsrc;
/* Starts a walk; with list == NULL it lists the root. SQLITE_OK or an error
 * code (the root cannot be listed). */
int pn_pidsrc_start(pn_pidsrc *s, const pn_fs *fs, const pn_i64list *list);
/* Next pid; returns 1 with *pid or 0 at the end. */
int pn_pidsrc_next(pn_pidsrc *s, sqlite3_int64 *pid);
void pn_pidsrc_end(pn_pidsrc *s);

/* ---- the start of every cursor ------------------------------------------ */
typedef struct pn_cursor {
  sqlite3_vtab_cursor base;
  pn_fs fs;                 /* the connection's root, opened for this cursor */
  pn_buf buf;               /* scratch for reads */
  pn_i64list pids;          /* the values of a pid constraint */
  pn_pidsrc src;            /* the walk over processes */
  int eof;
} pn_cursor;
/* xOpen for every table: `size` zeroed bytes of a struct that starts with
 * a pn_cursor, with the root opened. */
int pn_cursor_open(sqlite3_vtab *tab, size_t size, sqlite3_vtab_cursor **out);
/* Frees what the pn_cursor part holds, then the cursor. */
void pn_cursor_free(pn_cursor *c);
int pn_cursor_eof(sqlite3_vtab_cursor *cur);
/* xFilter for tables walked process by process: takes the pid constraint
 * of idxNum (argv[0], PN_IDX_PID / PN_IDX_PID_LIST) into c->pids and starts
 * the walk over those pids, or over `all` (NULL: list the root). */
int pn_cursor_walk(pn_cursor *c, int idxNum, sqlite3_value **argv,
                   const pn_i64list *all);

/* The type column's word for a stat mode: file, dir, char, block, fifo,
 * socket_file, link or unknown. */
const char *pn_file_type_name(unsigned mode);

/* Result helpers for optional values. */
void pn_result_text(sqlite3_context *c, const char *p, size_t n);

#endif
