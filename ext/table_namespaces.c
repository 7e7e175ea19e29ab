/*
 * table_namespaces.c: `namespaces`, one row per process with the inode of
 * each of its namespaces (readlink /proc/PID/ns/<kind>: "net:[N]") and the
 * container it runs in, when /proc/PID/cgroup names a docker, containerd,
 * podman, crio or kubepods container. net_name is the `ip netns` name of
 * its network namespace (a bind mount under /run/netns), NULL when it has
 * none or the root is not the caller's own /proc.
 *
 * A namespace link that cannot be read (another user's process without
 * privileges, a zombie) is NULL; the row is still there. Only the links of
 * used columns are read, and cgroup only for container_id.
 *
 * idxNum bits:
 *   0x1              `pid = ?` or `pid IN (...)`
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 * argv order: pid (when 0x1).
 */
#include "tables.h"
#include "netns.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char NAMESPACES_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER PRIMARY KEY, net INTEGER, mnt INTEGER,"
    " pid_ns INTEGER, user INTEGER, uts INTEGER, ipc INTEGER,"
    " cgroup INTEGER, time INTEGER, container_id TEXT, net_name TEXT)";
enum {
  COL_PID, COL_NET, COL_MNT, COL_PID_NS, COL_USER, COL_UTS, COL_IPC,
  COL_CGROUP, COL_TIME, COL_CONTAINER_ID, COL_NET_NAME
};
/* The ns/ link behind each namespace column, in column order. */
static const char *const ns_link[] = {NULL,  "net", "mnt", "pid", "user",
                                      "uts", "ipc", "cgroup", "time"};

#define IDX_PID PN_IDX_PID

typedef struct ns_cursor {
  pn_cursor pc;             /* pc.pid, pc.piddir: the current process */
  pn_nsmounts mounts;       /* for net_name, read on its first use */
  int mounts_read;
} ns_cursor;

static int nsXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  info->idxNum = pn_plan_pid(info, COL_PID, 1);
  return SQLITE_OK;
}

static int nsXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  return pn_cursor_open(tab, sizeof(ns_cursor), out);
}

static int nsXClose(sqlite3_vtab_cursor *cur) {
  ns_cursor *c = (ns_cursor *)cur;
  pn_nsmounts_free(&c->mounts);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

static int nsXNext(sqlite3_vtab_cursor *cur) {
  ns_cursor *c = (ns_cursor *)cur;
  int rc = pn_cursor_next_process(&c->pc);
  c->pc.eof = rc == SQLITE_DONE;
  return rc == SQLITE_NOMEM ? rc : SQLITE_OK;
}

static int nsXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  int rc = pn_cursor_walk((pn_cursor *)cur, idxNum, argv, NULL);
  return rc == SQLITE_OK ? nsXNext(cur) : rc;
}

static int nsXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((ns_cursor *)cur)->pc.pid;
  return SQLITE_OK;
}

static int result_container(ns_cursor *c, sqlite3_context *ctx) {
  int err;
  char id[65];
  pn_res r = pn_read_file(&c->pc.fs, c->pc.piddir, "cgroup", &c->pc.buf, &err);
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  size_t n = r == PN_OK ? pn_container_id(c->pc.buf.p, c->pc.buf.n, id) : 0;
  if (n) sqlite3_result_text(ctx, id, (int)n, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int result_net_name(ns_cursor *c, sqlite3_context *ctx) {
  uint64_t inode;
  int err;
  if (!c->mounts_read) {
    if (pn_nsmounts_read(&c->pc.fs, &c->mounts, &c->pc.buf) != 0) return SQLITE_NOMEM;
    c->mounts_read = 1;
  }
  if (!c->mounts.n) return SQLITE_OK;
  pn_res r = pn_read_ns(&c->pc.fs, c->pc.piddir, "net", &inode, &c->pc.buf, &err);
  const char *name = r == PN_OK ? pn_nsmounts_name(&c->mounts, inode) : NULL;
  if (name) sqlite3_result_text(ctx, name, -1, SQLITE_TRANSIENT);
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
}

static int nsXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  ns_cursor *c = (ns_cursor *)cur;
  if (col == COL_PID) {
    sqlite3_result_int64(ctx, c->pc.pid);
    return SQLITE_OK;
  }
  if (col == COL_CONTAINER_ID) return result_container(c, ctx);
  if (col == COL_NET_NAME) return result_net_name(c, ctx);
  uint64_t inode;
  int err;
  pn_res r = pn_read_ns(&c->pc.fs, c->pc.piddir, ns_link[col], &inode, &c->pc.buf, &err);
  if (r == PN_OK) sqlite3_result_int64(ctx, (sqlite3_int64)inode);
  return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
}

static const sqlite3_module namespaces_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = nsXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = nsXOpen,
    .xClose = nsXClose,
    .xFilter = nsXFilter,
    .xNext = nsXNext,
    .xEof = pn_cursor_eof,
    .xColumn = nsXColumn,
    .xRowid = nsXRowid,
};

const sqlite3_module *pn_namespaces_module(void) { return &namespaces_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_namespaces_schema = NAMESPACES_SCHEMA;
