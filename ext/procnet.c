/*
 * procnet.c: the extension's entry point, its SQL functions and the
 * registration of every table.
 *
 * Why everything is DIRECTONLY. The tables and functions read other
 * processes' command lines, open files and connections. A database file can
 * come from anyone, and its schema can hold views and triggers that run with
 * the privileges of whoever opens it. Marking the tables
 * SQLITE_VTAB_DIRECTONLY and the functions SQLITE_DIRECTONLY means SQLite
 * refuses to use them from a schema object ("unsafe use of ..."), while the
 * same query typed by the user works. TEMP views are the user's own and may
 * use them, which is how sql/views.sql is built.
 */
#include "procnet.h"

#include "func_inet.h"
#include "func_lsof.h"
#include "parallel.h"
#include "procfs.h"
#include "tables.h"
#include "vtab_common.h"
#include "netlink.h"
#include "netscan.h"
#include "sockstore.h"
#include "views.h"
SQLITE_EXTENSION_INIT1

#include <stdlib.h>
#include <errno.h>
#include <string.h>

/* sqlite3_vtab_in (all-at-once IN) and sqlite3_vtab_rhs_value. */
#define PN_MIN_SQLITE 3038000
#define PN_MIN_SQLITE_TEXT "3.38.0"

static pn_ctx *ctx_of(sqlite3_context *c) { return sqlite3_user_data(c); }

/* procnet_root(): the /proc root in force. procnet_root(path): sets it, after
 * checking that path is a proc tree (the error names the path). */
static void fn_root(sqlite3_context *c, int argc, sqlite3_value **argv) {
  pn_ctx *ctx = ctx_of(c);
  if (argc == 1) {
    const char *path = (const char *)sqlite3_value_text(argv[0]);
    pn_fs fs;
    char *err = NULL;
    if (!path) {
      sqlite3_result_error(c, "procnet_root: the root must be a path", -1);
      return;
    }
    if (pn_fs_open(&fs, path, NULL, &err) != 0) {
      if (!err) sqlite3_result_error_nomem(c);
      else sqlite3_result_error(c, err, -1);
      sqlite3_free(err);
      return;
    }
    pn_fs_close(&fs);
    if (pn_ctx_set_root(ctx, path) != SQLITE_OK) {
      sqlite3_result_error_nomem(c);
      return;
    }
  }
  sqlite3_result_text(c, ctx->root, -1, SQLITE_TRANSIENT);
}

/* procnet_host_root(): where the host's files are, for what container
 * runtimes keep there (their state: container names). procnet_host_root(
 * dir): sets it, after checking it is a directory. Default '/', or
 * $PROCNET_HOST_ROOT at load time; a privileged container that sees the
 * host's / at /host uses '/host' (with procnet_root('/host/proc')). */
static void fn_host_root(sqlite3_context *c, int argc, sqlite3_value **argv) {
  pn_ctx *ctx = ctx_of(c);
  if (argc == 1) {
    const char *dir = (const char *)sqlite3_value_text(argv[0]);
    pn_fs fs;
    char *err = NULL;
    if (!dir) {
      sqlite3_result_error(c, "procnet_host_root: the root must be a path", -1);
      return;
    }
    if (pn_fs_open_dir(&fs, dir, &err) != 0) {
      if (!err) sqlite3_result_error_nomem(c);
      else sqlite3_result_error(c, err, -1);
      sqlite3_free(err);
      return;
    }
    pn_fs_close(&fs);
    if (pn_ctx_set_host_root(ctx, dir) != SQLITE_OK) {
      sqlite3_result_error_nomem(c);
      return;
    }
  }
  sqlite3_result_text(c, ctx->host_root, -1, SQLITE_TRANSIENT);
}

/* procnet_threads(): how many threads the big reads may use (the caller's
 * included). procnet_threads(n): sets it, 1 to 4; 1 keeps every read in the
 * calling thread. Starts at PROCNET_THREADS, else the CPUs the process may
 * use (at most 4); always 1 unless SQLite runs serialized
 * (pn_threads_allowed). */
static void fn_threads(sqlite3_context *c, int argc, sqlite3_value **argv) {
  pn_ctx *ctx = ctx_of(c);
  if (argc == 1) {
    sqlite3_int64 n = sqlite3_value_int64(argv[0]);
    if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER || n < 1 ||
        n > PN_MAX_THREADS) {
      sqlite3_result_error(c, "procnet_threads: want an integer from 1 to 4", -1);
      return;
    }
    ctx->threads = pn_threads_allowed(sqlite3_context_db_handle(c)) ? (int)n : 1;
  }
  sqlite3_result_int(c, ctx->threads);
}

/* procnet_netlink(): how far procnet may use netlink (netlink.h): 'all'
 * (every namespace it may enter, the default), 'self' (the caller's own
 * namespace only: no thread ever changes namespace) or 'off' (the text
 * files only). procnet_netlink(mode) sets it for the statements that
 * follow. Starts at PROCNET_NETLINK. */
static void fn_netlink(sqlite3_context *c, int argc, sqlite3_value **argv) {
  pn_ctx *ctx = ctx_of(c);
  if (argc == 1) {
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    int mode = v ? pn_netlink_mode_of(v) : -1;
    if (mode < 0) {
      sqlite3_result_error(c, "procnet_netlink: want 'all', 'self' or 'off'", -1);
      return;
    }
    ctx->netlink = mode;
  }
  sqlite3_result_text(c, pn_netlink_mode_name(ctx->netlink), -1, SQLITE_STATIC);
}

/* procnet_hold_sockets(): whether the socket tables keep what they read
 * from one statement to the next. procnet_hold_sockets(1): the statements
 * that follow share one read of each socket file and dump, as the tables
 * of one statement do (they see the same moment, and a second read costs
 * nothing), until procnet_hold_sockets(0), which lets it go. Off at the
 * start. */
static void fn_hold_sockets(sqlite3_context *c, int argc, sqlite3_value **argv) {
  pn_ctx *ctx = ctx_of(c);
  if (argc == 1) {
    sqlite3_int64 on = sqlite3_value_int64(argv[0]);
    if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER || (on != 0 && on != 1)) {
      sqlite3_result_error(c, "procnet_hold_sockets: want 1 or 0", -1);
      return;
    }
    if (pn_sockstore_hold(ctx, (int)on) != SQLITE_OK) {
      sqlite3_result_error_nomem(c);
      return;
    }
  }
  sqlite3_result_int(c, ctx->sockhold != NULL);
}

/* procnet_netns_scan(): where the socket tables look for network
 * namespaces: 'processes' (the default: the namespaces of every process,
 * and those bind-mounted, as by ip netns add) or 'descriptors' (also
 * those only a descriptor keeps alive: an open net:[N] file, or a socket
 * created in a namespace its holder has left; this reads every
 * descriptor, and asks the kernel for each socket's namespace, as root).
 * Starts at PROCNET_NETNS_SCAN. */
static void fn_netns_scan(sqlite3_context *c, int argc, sqlite3_value **argv) {
  pn_ctx *ctx = ctx_of(c);
  if (argc == 1) {
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    if (!v || (strcmp(v, "processes") != 0 && strcmp(v, "descriptors") != 0)) {
      sqlite3_result_error(c, "procnet_netns_scan: want 'processes' or 'descriptors'", -1);
      return;
    }
    ctx->netns_held = !strcmp(v, "descriptors");
  }
  sqlite3_result_text(c, ctx->netns_held ? "descriptors" : "processes", -1, SQLITE_STATIC);
}

/* procnet_netns(): the network namespace inode of the reader itself, as the
 * root shows it (root/self/ns/net), so that `WHERE netns = procnet_netns()`
 * keeps what ss and lsof would see. NULL when it cannot be read. */
static void fn_netns(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  pn_fs fs;
  pn_buf buf = {0};
  char *err = NULL;
  if (pn_fs_open(&fs, ctx_of(c)->root, NULL, &err) != 0) {
    if (!err) sqlite3_result_error_nomem(c);
    else sqlite3_result_error(c, err, -1);
    sqlite3_free(err);
    return;
  }
  uint64_t ino;
  int e;
  pn_res r = pn_read_link(&fs, -1, "self/ns/net", &buf, &e);
  if (r == PN_OK && pn_parse_bracket_inode(buf.p, buf.n, "net", &ino) == 0)
    sqlite3_result_int64(c, (sqlite3_int64)ino);
  else if (pn_is_nomem(r, e))
    sqlite3_result_error_nomem(c);
  pn_buf_free(&buf);
  pn_fs_close(&fs);
}

/* procnet_stats(): what this connection has read so far, as JSON. Tests use
 * it to prove laziness; users to see what a query cost. */
static void fn_stats(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  const pn_counters *k = &ctx_of(c)->cnt;
  char *s = sqlite3_mprintf(
      "{\"files_read\":%lld,\"net_files_read\":%lld,\"dirs_listed\":%lld,"
      "\"fd_dirs_listed\":%lld,\"links_read\":%lld,\"netlink_dumps\":%lld,"
      "\"netlink_requests\":%lld}",
      (long long)k->files_read, (long long)k->net_files_read,
      (long long)k->dirs_listed, (long long)k->fd_dirs_listed,
      (long long)k->links_read, (long long)k->netlink_dumps,
      (long long)k->netlink_requests);
  if (!s) {
    sqlite3_result_error_nomem(c);
    return;
  }
  sqlite3_result_text(c, s, -1, sqlite3_free);
}

static void fn_version(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(c, PROCNET_VERSION, -1, SQLITE_STATIC);
}

/* procnet_create_views(): creates the TEMP views of sql/views.sql, which is
 * compiled in, for users who have only the .so; procnet_create_views(tool):
 * that tool's views only (views.h). Returns how many views. */
static void fn_create_views(sqlite3_context *c, int argc, sqlite3_value **argv) {
  const char *family = argc ? (const char *)sqlite3_value_text(argv[0]) : NULL;
  if (argc && !family) {
    sqlite3_result_error(c, "procnet_create_views: want a tool's name, as 'lsof'", -1);
    return;
  }
  char *err = NULL;
  int made = 0;
  if (pn_create_views(sqlite3_context_db_handle(c), family, &made, &err) != SQLITE_OK) {
    sqlite3_result_error(c, err ? err : "procnet_create_views failed", -1);
    sqlite3_free(err);
    return;
  }
  sqlite3_result_int(c, made);
}

typedef struct fn_def {
  const char *name;
  int nargs;
  void (*fn)(sqlite3_context *, int, sqlite3_value **);
  int deterministic;
} fn_def;

static const fn_def functions[] = {
    {"procnet_root", 0, fn_root, 0},
    {"procnet_root", 1, fn_root, 0},
    {"procnet_host_root", 0, fn_host_root, 0},
    {"procnet_host_root", 1, fn_host_root, 0},
    {"procnet_netns", 0, fn_netns, 0},
    {"procnet_threads", 0, fn_threads, 0},
    {"procnet_threads", 1, fn_threads, 0},
    {"procnet_netlink", 0, fn_netlink, 0},
    {"procnet_netlink", 1, fn_netlink, 0},
    {"procnet_hold_sockets", 0, fn_hold_sockets, 0},
    {"procnet_hold_sockets", 1, fn_hold_sockets, 0},
    {"procnet_netns_scan", 0, fn_netns_scan, 0},
    {"procnet_netns_scan", 1, fn_netns_scan, 0},
    {"procnet_stats", 0, fn_stats, 0},
    {"procnet_version", 0, fn_version, 1},
    {"procnet_create_views", 0, fn_create_views, 0},
    {"procnet_create_views", 1, fn_create_views, 0},
};

static int register_functions(sqlite3 *db, pn_ctx *ctx) {
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    const fn_def *f = &functions[i];
    int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY |
                (f->deterministic ? SQLITE_DETERMINISTIC : 0);
    pn_ctx_ref(ctx);
    int rc = sqlite3_create_function_v2(db, f->name, f->nargs, flags, ctx,
                                        f->fn, NULL, NULL, pn_ctx_unref);
    if (rc != SQLITE_OK) return rc; /* the destructor already ran */
  }
  return SQLITE_OK;
}

typedef struct table_def {
  const char *name;
  const sqlite3_module *(*module)(void);
  const void *desc;
} table_def;

static const sqlite3_module *net_module(void) { return &pn_net_module; }

static const table_def tables[] = {
    {"processes", pn_processes_module, &pn_processes_schema},
    {"fds", pn_fds_module, &pn_fds_schema},
    {"socket_holders", pn_socket_holders_module, &pn_socket_holders_schema},
    {"namespaces", pn_namespaces_module, &pn_namespaces_schema},
    {"process_maps", pn_process_maps_module, &pn_process_maps_schema},
    {"process_files", pn_process_files_module, &pn_process_files_schema},
    {"users", pn_users_module, &pn_users_schema},
    {"net_tcp", net_module, &pn_table_net_tcp},
    {"net_udp", net_module, &pn_table_net_udp},
    {"net_udplite", net_module, &pn_table_net_udplite},
    {"net_raw", net_module, &pn_table_net_raw},
    {"net_icmp", net_module, &pn_table_net_icmp},
    {"net_unix", net_module, &pn_table_net_unix},
    {"net_packet", net_module, &pn_table_net_packet},
    {"net_netlink", net_module, &pn_table_net_netlink},
    {"sockets", net_module, &pn_table_sockets},
    {"sock_diag", net_module, &pn_table_sock_diag},
    {"containers", pn_containers_module, &pn_containers_schema},
    {"pipes", pn_pipes_module, &pn_pipes_schema},
    {"conntrack", pn_conntrack_module, &pn_conntrack_schema},
    {"net_addresses", pn_net_addresses_module, &pn_net_addresses_schema},
    {"inet_connections", pn_inet_connections_module, &pn_inet_connections_schema},
};

static int register_tables(sqlite3 *db, pn_ctx *ctx) {
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    const table_def *t = &tables[i];
    int rc = pn_register_module(db, t->name, t->module(), ctx, t->desc);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

static void set_err(char **err, const char *msg) {
  if (err) *err = sqlite3_mprintf("%s", msg);
}

/* PROCNET_THREADS=N (1 to 4), else the default for this machine. */
static int threads_from_env(sqlite3 *db) {
  const char *v = getenv("PROCNET_THREADS");
  int dflt = pn_default_threads(db);
  if (!v || !*v) return dflt;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end || n < 1 || n > PN_MAX_THREADS) return dflt;
  return pn_threads_allowed(db) ? (int)n : 1;
}

/* PROCNET_NETLINK=all|self|off, else all. */
static int netlink_from_env(void) {
  const char *v = getenv("PROCNET_NETLINK");
  int mode = v && *v ? pn_netlink_mode_of(v) : -1;
  return mode < 0 ? PN_NETLINK_ALL : mode;
}

int procnet_register(sqlite3 *db, char **err) {
  if (sqlite3_libversion_number() < PN_MIN_SQLITE) {
    if (err)
      *err = sqlite3_mprintf("procnet needs SQLite " PN_MIN_SQLITE_TEXT
                             " or newer; this is %s", sqlite3_libversion());
    return SQLITE_ERROR;
  }
  const char *root = getenv("PROCNET_ROOT");
  pn_ctx *ctx = pn_ctx_new(root && *root ? root : "/proc");
  if (!ctx) {
    set_err(err, "procnet: out of memory");
    return SQLITE_NOMEM;
  }
  ctx->threads = threads_from_env(db);
  ctx->netlink = netlink_from_env();
  const char *host = getenv("PROCNET_HOST_ROOT");
  if (host && *host && pn_ctx_set_host_root(ctx, host) != SQLITE_OK) {
    pn_ctx_unref(ctx);
    set_err(err, "procnet: out of memory");
    return SQLITE_NOMEM;
  }
  const char *scan = getenv("PROCNET_NETNS_SCAN");
  ctx->netns_held = scan && !strcmp(scan, "descriptors");
  int rc = register_tables(db, ctx);
  if (rc == SQLITE_OK) rc = register_functions(db, ctx);
  if (rc == SQLITE_OK) rc = pn_register_inet_functions(db);
  if (rc == SQLITE_OK) rc = pn_register_lsof_functions(db);
  pn_ctx_unref(ctx); /* the modules and functions hold their own refs */
  if (rc != SQLITE_OK)
    set_err(err, sqlite3_errstr(rc));
  return rc;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_procnet_init(sqlite3 *db, char **err,
                         const sqlite3_api_routines *api) {
  SQLITE_EXTENSION_INIT2(api);
  return procnet_register(db, err);
}
