/*
 * table_containers.c: `containers`, one row per process: the container it
 * runs in and what is known of it, or, for a process on the host, its
 * systemd unit.
 *
 *   runtime, container_id, pod_uid, unit   /proc/PID/cgroup (parse_cgroup.h):
 *                          docker, containerd, cri-o, podman, lxc,
 *                          systemd-nspawn; lxc and nspawn containers are
 *                          known by name, which is their id here
 *   name, pod_name, pod_namespace          the runtime's state under the
 *                          host root (runtime_state.h, procnet_host_root());
 *                          lxc and nspawn: the name from the cgroup. A
 *                          Kubernetes pod whose runtime state cannot be
 *                          read is named by the container's hostname
 *                          (PID/root/etc/hostname), which is its pod's name
 * A process in no container has NULL runtime, container_id and name. What
 * cannot be read is NULL, never an error; the runtime's state is read only
 * for a column that needs it.
 *
 * As the inner loop of a join (`JOIN containers c ON c.pid = x.pid`)
 * xFilter runs once per outer row: each process is read once per cursor
 * (a cache keyed by pid), and each container's state once (one record per
 * container id), whatever the plan.
 *
 * idxNum bits:
 *   0x1              `pid = ?` or `pid IN (...)`
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 * argv order: pid (when 0x1).
 */
#include "tables.h"
#include "parse_cgroup.h"
#include "runtime_state.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <unistd.h>

static const char CONTAINERS_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER PRIMARY KEY, runtime TEXT, container_id TEXT,"
    " name TEXT, pod_uid TEXT, pod_name TEXT, pod_namespace TEXT, unit TEXT)";
enum {
  COL_PID, COL_RUNTIME, COL_CONTAINER_ID, COL_NAME, COL_POD_UID, COL_POD_NAME,
  COL_POD_NAMESPACE, COL_UNIT
};

/* One container's runtime state, read on first use. */
typedef struct co_state {
  char id[PN_CONTAINER_ID_MAX];
  pn_state_names names;
  int hostname_read;
  char hostname[PN_STATE_NAME_MAX];
} co_state;

/* One process, read once. */
typedef struct co_row {
  sqlite3_int64 pid;        /* 0: a free slot */
  int present;              /* the process is there */
  pn_container c;           /* c.unit points into unit */
  char *unit;               /* sqlite3_malloc'd, or NULL */
  int state;                /* 1 + index into states; 0 not looked up yet */
} co_row;

typedef struct co_cursor {
  pn_cursor pc;
  pn_fs host;               /* the host root; rootfd -1 when not open */
  int host_tried;
  co_row *rows;             /* open addressing by pid */
  int cap, n;
  co_state *states;
  size_t nstates, scap;
  co_row *row;              /* the current one */
} co_cursor;

static int coXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  info->idxNum = pn_plan_pid(info, COL_PID, 1);
  return SQLITE_OK;
}

static int coXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(co_cursor), out);
  if (rc == SQLITE_OK) ((co_cursor *)*out)->host.rootfd = -1;
  return rc;
}

static void rows_free(co_row *rows, int cap) {
  for (int i = 0; i < cap; i++) sqlite3_free(rows[i].unit);
  sqlite3_free(rows);
}

static int coXClose(sqlite3_vtab_cursor *cur) {
  co_cursor *c = (co_cursor *)cur;
  if (c->host.rootfd >= 0) pn_fs_close(&c->host);
  rows_free(c->rows, c->cap);
  sqlite3_free(c->states);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- the pid cache -------------------------------------------------------------- */

static co_row *slot_of(co_cursor *c, sqlite3_int64 pid) {
  unsigned mask = (unsigned)c->cap - 1;
  for (unsigned i = (unsigned)pid & mask;; i = (i + 1) & mask)
    if (c->rows[i].pid == pid || c->rows[i].pid == 0) return &c->rows[i];
}

/* Keeps the table at most half full. */
static int grow(co_cursor *c) {
  if ((c->n + 1) * 2 <= c->cap) return SQLITE_OK;
  int old_cap = c->cap, cap = c->cap ? c->cap * 2 : 64;
  co_row *old = c->rows;
  c->rows = sqlite3_malloc64((sqlite3_uint64)cap * sizeof *c->rows);
  if (!c->rows) {
    c->rows = old;
    return SQLITE_NOMEM;
  }
  memset(c->rows, 0, (size_t)cap * sizeof *c->rows);
  c->cap = cap;
  for (int i = 0; i < old_cap; i++)
    if (old[i].pid) *slot_of(c, old[i].pid) = old[i];
  sqlite3_free(old);
  return SQLITE_OK;
}

/* Reads pid's cgroup into a fresh row. A process whose cgroup cannot be
 * read is a row of NULLs; one that is gone is none. */
static int load_row(co_cursor *c, sqlite3_int64 pid, co_row *r) {
  int dir, err;
  memset(r, 0, sizeof *r);
  r->pid = pid;
  pn_res res = pn_open_pid(&c->pc.fs, pid, &dir, &err);
  if (res != PN_OK) return pn_is_nomem(res, err) ? SQLITE_NOMEM : SQLITE_OK;
  res = pn_read_file(&c->pc.fs, dir, "cgroup", &c->pc.buf, &err);
  close(dir);
  if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
  if (res != PN_OK || pn_parse_container(c->pc.buf.p, c->pc.buf.n, &r->c) != 0) {
    memset(&r->c, 0, sizeof r->c);
    r->present = 1;
    return SQLITE_OK;
  }
  if (r->c.unit.p) { /* kept: the buffer is reused */
    r->unit = sqlite3_malloc64(r->c.unit.n + 1);
    if (!r->unit) return SQLITE_NOMEM;
    memcpy(r->unit, r->c.unit.p, r->c.unit.n);
    r->unit[r->c.unit.n] = '\0';
    r->c.unit.p = r->unit;
  }
  r->present = 1;
  return SQLITE_OK;
}

/* The row of pid, read on first use; NULL (*out) when it is not there. */
static int row_of(co_cursor *c, sqlite3_int64 pid, co_row **out) {
  *out = NULL;
  if (pid <= 0) return SQLITE_OK; /* never a process; 0 marks free slots */
  if (grow(c) != SQLITE_OK) return SQLITE_NOMEM;
  co_row *slot = slot_of(c, pid);
  if (slot->pid != pid) {
    int rc = load_row(c, pid, slot);
    c->n++;
    if (rc != SQLITE_OK) return rc;
  }
  if (slot->present) *out = slot;
  return SQLITE_OK;
}

/* ---- scanning ------------------------------------------------------------------- */

static int coXNext(sqlite3_vtab_cursor *cur) {
  co_cursor *c = (co_cursor *)cur;
  sqlite3_int64 pid;
  while (pn_pidsrc_next(&c->pc.src, &pid)) {
    int rc = row_of(c, pid, &c->row);
    if (rc != SQLITE_OK) return rc;
    if (c->row) return SQLITE_OK;
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

static int coXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  int rc = pn_cursor_walk((pn_cursor *)cur, idxNum, argv, NULL);
  return rc == SQLITE_OK ? coXNext(cur) : rc;
}

static int coXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((co_cursor *)cur)->row->pid;
  return SQLITE_OK;
}

/* ---- runtime state, on first use ------------------------------------------------- */

/* The host root, opened on first use; NULL when it cannot be. */
static const pn_fs *host_root(co_cursor *c) {
  if (!c->host_tried) {
    char *err = NULL;
    c->host_tried = 1;
    if (pn_fs_open_dir(&c->host, ((pn_vtab *)c->pc.base.pVtab)->ctx->host_root, &err) != 0)
      c->host.rootfd = -1;
    c->host.cnt = c->pc.fs.cnt; /* its reads count as the connection's */
    sqlite3_free(err);
  }
  return c->host.rootfd >= 0 ? &c->host : NULL;
}

/* The state of the current row's container: one record per container id,
 * read when first asked for; NULL for a process in no container. */
static int state_of(co_cursor *c, co_state **out) {
  co_row *r = c->row;
  *out = NULL;
  if (!r->c.id[0]) return SQLITE_OK;
  if (!r->state) {
    for (size_t i = 0; i < c->nstates && !r->state; i++)
      if (!strcmp(c->states[i].id, r->c.id)) r->state = (int)i + 1;
  }
  if (!r->state) {
    co_state *v = pn_array_room(c->states, c->nstates, &c->scap, sizeof *v, 8);
    if (!v) return SQLITE_NOMEM;
    c->states = v;
    co_state *s = &v[c->nstates];
    memset(s, 0, sizeof *s);
    memcpy(s->id, r->c.id, sizeof s->id);
    const pn_fs *host = host_root(c);
    int hex = pn_is_container_hex_id((pn_str){r->c.id, strlen(r->c.id)});
    if (host && hex && pn_state_names_read(host, r->c.runtime, r->c.id, &s->names,
                                           &c->pc.buf) != 0)
      return SQLITE_NOMEM;
    r->state = (int)++c->nstates;
  }
  *out = &c->states[r->state - 1];
  return SQLITE_OK;
}

/* The container's hostname: the first line of its /etc/hostname, read
 * through the current process. */
static const char *hostname(co_cursor *c, co_state *s) {
  int dir, err;
  if (!s->hostname_read) {
    s->hostname_read = 1;
    if (pn_open_pid(&c->pc.fs, c->row->pid, &dir, &err) != PN_OK) return NULL;
    pn_res r = pn_read_file(&c->pc.fs, dir, "root/etc/hostname", &c->pc.buf, &err);
    close(dir);
    size_t n = 0;
    while (r == PN_OK && n < c->pc.buf.n && n + 1 < sizeof s->hostname &&
           c->pc.buf.p[n] != '\n' && c->pc.buf.p[n] != '\0')
      n++;
    memcpy(s->hostname, c->pc.buf.p, n);
    s->hostname[n] = '\0';
  }
  return s->hostname[0] ? s->hostname : NULL;
}

/* ---- columns -------------------------------------------------------------------- */

static void result_text(sqlite3_context *ctx, const char *s) {
  if (s && *s) sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
}

/* 1 for the runtimes known by name (the name is in the cgroup path). */
static int named_by_cgroup(const pn_container *k) {
  return k->runtime && (!strcmp(k->runtime, "lxc") || !strcmp(k->runtime, "systemd-nspawn"));
}

/* 1 when a column's value needs the runtime's state: the names, and the
 * runtime of a Kubernetes container its path does not name one for. */
static int needs_state(const pn_container *k, int col) {
  if (col == COL_RUNTIME) return !k->runtime && k->id[0];
  return (col == COL_NAME && !named_by_cgroup(k)) || col == COL_POD_NAME ||
         col == COL_POD_NAMESPACE;
}

/* A pod's name: the runtime's word for it, else the container's hostname. */
static const char *pod_name(co_cursor *c, co_state *s) {
  if (s->names.pod_name[0] || !c->row->c.pod_uid[0]) return s->names.pod_name;
  return hostname(c, s);
}

static int coXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  co_cursor *c = (co_cursor *)cur;
  const pn_container *k = &c->row->c;
  co_state *s = NULL;
  if (needs_state(k, col)) {
    int rc = state_of(c, &s);
    if (rc != SQLITE_OK) return rc;
    if (!s) return SQLITE_OK; /* in no container */
  }
  switch (col) {
  case COL_PID: sqlite3_result_int64(ctx, c->row->pid); break;
  case COL_RUNTIME: result_text(ctx, k->runtime ? k->runtime : s ? s->names.runtime : NULL); break;
  case COL_CONTAINER_ID: result_text(ctx, k->id); break;
  case COL_NAME: result_text(ctx, named_by_cgroup(k) ? k->id : s->names.name); break;
  case COL_POD_UID: result_text(ctx, k->pod_uid); break;
  case COL_POD_NAME: result_text(ctx, pod_name(c, s)); break;
  case COL_POD_NAMESPACE: result_text(ctx, s->names.pod_namespace); break;
  case COL_UNIT: pn_result_text(ctx, k->unit.p, k->unit.n); break;
  }
  return SQLITE_OK;
}

static const sqlite3_module containers_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = coXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = coXOpen,
    .xClose = coXClose,
    .xFilter = coXFilter,
    .xNext = coXNext,
    .xEof = pn_cursor_eof,
    .xColumn = coXColumn,
    .xRowid = coXRowid,
};

const sqlite3_module *pn_containers_module(void) { return &containers_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_containers_schema = CONTAINERS_SCHEMA;
