/*
 * table_processes.c: the `processes` table, one row per process.
 *
 * Each column comes from one source, and a source is read only when the
 * query uses one of its columns (colUsed):
 *   stat     pid ppid name state pgrp session tty_nr nice threads rss vsize
 *            start_time utime stime
 *   status   uid euid suid fsuid gid egid sgid fsgid
 *   cmdline  cmdline argv0
 *   links    exe cwd root (readlink; NULL when not allowed or a kernel thread)
 *   ns/net   netns
 * `SELECT pid, name FROM processes` therefore opens only PID/stat.
 *
 * idxNum bits:
 *   0x1        `pid = ?` or `pid IN (...)`: argv[0] holds the pid(s)
 *   PN_IDX_PID_LIST  argv[0] is an IN list (sqlite3_vtab_in_first)
 *   0x100...   NEED_* bits (the sources above), from colUsed
 * argv order: pid (when 0x1).
 *
 * As the inner loop of a join xFilter runs once per outer row. Rows already
 * loaded are kept in a cache keyed by pid that every processes cursor of the
 * statement shares (proc_cache.h), and each cursor remembers the pids of a
 * completed full listing, so a process's files are read at most once per
 * statement whatever the plan and however many times the table is joined.
 */
#include "tables.h"
#include "proc_cache.h"
#include "parse.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char PROCESSES_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER PRIMARY KEY, ppid INTEGER, name TEXT,"
    " state TEXT, uid INTEGER, euid INTEGER, suid INTEGER, fsuid INTEGER,"
    " gid INTEGER, egid INTEGER, sgid INTEGER, fsgid INTEGER, cmdline TEXT,"
    " exe TEXT, cwd TEXT, root TEXT, threads INTEGER, rss INTEGER,"
    " vsize INTEGER, start_time INTEGER, utime REAL, stime REAL,"
    " pgrp INTEGER, session INTEGER, tty_nr INTEGER, nice INTEGER,"
    " netns INTEGER, argv0 TEXT)";
enum {
  COL_PID, COL_PPID, COL_NAME, COL_STATE, COL_UID, COL_EUID, COL_SUID,
  COL_FSUID, COL_GID, COL_EGID, COL_SGID, COL_FSGID, COL_CMDLINE, COL_EXE,
  COL_CWD, COL_ROOT, COL_THREADS, COL_RSS, COL_VSIZE, COL_START_TIME,
  COL_UTIME, COL_STIME, COL_PGRP, COL_SESSION, COL_TTY_NR, COL_NICE,
  COL_NETNS, COL_ARGV0
};

#define IDX_PID PN_IDX_PID
#define NEED_STAT 0x100
#define NEED_STATUS 0x200
#define NEED_CMDLINE 0x400
#define NEED_EXE 0x800
#define NEED_CWD 0x1000
#define NEED_ROOT 0x2000
#define NEED_NETNS 0x4000
#define NEED_BTIME 0x8000

/* With the NEED_* bits in proc_row.loaded: the process's directory was
 * opened (whether it is there is known). */
#define SEEN 0x10000

typedef struct proc_cursor {
  pn_cursor pc;
  int need;
  proc_row *row;            /* the current row, owned by the cache */
  pn_proc_cache *cache;     /* the connection's loaded rows (proc_cache.h) */
  pn_i64list listed;        /* the pids of the root listing, in order */
  int recording;            /* a full scan is filling `listed` */
  int listed_complete;      /* `listed` holds a whole listing */
  int have_btime;
  sqlite3_int64 btime;
  long clk_tck, page_size;
} proc_cursor;

static int need_for_column(int col) {
  switch (col) {
  case COL_PID: return 0;
  case COL_UID: case COL_EUID: case COL_SUID: case COL_FSUID:
  case COL_GID: case COL_EGID: case COL_SGID: case COL_FSGID:
    return NEED_STATUS;
  case COL_CMDLINE:
  case COL_ARGV0: return NEED_CMDLINE;
  case COL_EXE: return NEED_EXE;
  case COL_CWD: return NEED_CWD;
  case COL_ROOT: return NEED_ROOT;
  case COL_NETNS: return NEED_NETNS;
  case COL_START_TIME: return NEED_STAT | NEED_BTIME;
  default: return NEED_STAT;
  }
}

static int procXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, 1);
  if (idx == IDX_PID) info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  for (int col = 0; col <= COL_ARGV0; col++)
    if (info->colUsed & ((sqlite3_uint64)1 << col)) idx |= need_for_column(col);
  info->idxNum = idx;
  return SQLITE_OK;
}

static int procXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(proc_cursor), out);
  if (rc != SQLITE_OK) return rc;
  proc_cursor *c = (proc_cursor *)*out;
  c->clk_tck = sysconf(_SC_CLK_TCK);
  c->page_size = sysconf(_SC_PAGESIZE);
  if (c->clk_tck <= 0) c->clk_tck = 100;
  if (c->page_size <= 0) c->page_size = 4096;
  if ((rc = pn_proc_cache_open(((pn_vtab *)tab)->ctx, &c->cache)) != SQLITE_OK) {
    pn_cursor_free(&c->pc);
    *out = NULL;
  }
  return rc;
}

static int procXClose(sqlite3_vtab_cursor *cur) {
  proc_cursor *c = (proc_cursor *)cur;
  pn_i64list_free(&c->listed);
  pn_proc_cache_close(((pn_vtab *)cur->pVtab)->ctx, c->cache);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- loading one process ------------------------------------------------ */

/* Joins NUL-separated arguments with spaces, as ps and lsof show them. */
static char *join_cmdline(const pn_buf *b) {
  size_t n = b->n;
  while (n > 0 && b->p[n - 1] == 0) n--;
  char *s = sqlite3_malloc64(n + 1);
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++) s[i] = b->p[i] ? b->p[i] : ' ';
  s[n] = 0;
  return s;
}

/* The first NUL-terminated argument of a cmdline. */
static char *first_arg(const pn_buf *b) {
  size_t n = b->n ? strnlen(b->p, b->n) : 0;
  char *s = sqlite3_malloc64(n + 1);
  if (!s) return NULL;
  if (n) memcpy(s, b->p, n);
  s[n] = 0;
  return s;
}

static int load_link(proc_cursor *c, int dir, const char *rel, char **out) {
  int err;
  pn_res r = pn_read_link(&c->pc.fs, dir, rel, &c->pc.buf, &err);
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  if (r != PN_OK) return SQLITE_OK; /* NULL: denied, kernel thread, zombie */
  *out = pn_buf_strdup(&c->pc.buf);
  return *out ? SQLITE_OK : SQLITE_NOMEM;
}

static int load_stat(proc_cursor *c, int dir, proc_row *r) {
  int err;
  pn_res res = pn_read_file(&c->pc.fs, dir, "stat", &c->pc.buf, &err);
  if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
  if (res != PN_OK || pn_parse_stat(c->pc.buf.p, c->pc.buf.n, &r->st) != 0) {
    r->present = 0;
    return SQLITE_OK;
  }
  r->name = sqlite3_malloc64(r->st.comm.n + 1);
  if (!r->name) return SQLITE_NOMEM;
  memcpy(r->name, r->st.comm.p, r->st.comm.n);
  r->name[r->st.comm.n] = 0;
  r->st.comm.p = r->name;
  r->have_stat = 1;
  return SQLITE_OK;
}

static int load_status(proc_cursor *c, int dir, proc_row *r) {
  int err;
  pn_res res = pn_read_file(&c->pc.fs, dir, "status", &c->pc.buf, &err);
  if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
  if (res == PN_OK && pn_parse_status(c->pc.buf.p, c->pc.buf.n, &r->status) == 0)
    r->have_status = 1;
  return SQLITE_OK;
}

static int load_cmdline(proc_cursor *c, int dir, proc_row *r) {
  int err;
  pn_res res = pn_read_file(&c->pc.fs, dir, "cmdline", &c->pc.buf, &err);
  if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
  if (res != PN_OK) return SQLITE_OK;
  sqlite3_free(r->cmdline); /* what an earlier try out of memory left */
  sqlite3_free(r->argv0);
  r->cmdline = join_cmdline(&c->pc.buf);
  /* argv[0] alone: netstat names a program by it, and it may hold blanks
   * ("sshd: root@pts/0") that the joined cmdline cannot tell apart. */
  r->argv0 = first_arg(&c->pc.buf);
  return r->cmdline && r->argv0 ? SQLITE_OK : SQLITE_NOMEM;
}

static int load_source(proc_cursor *c, int dir, proc_row *r, int source) {
  int err;
  switch (source) {
  case NEED_STAT: return load_stat(c, dir, r);
  case NEED_STATUS: return load_status(c, dir, r);
  case NEED_CMDLINE: return load_cmdline(c, dir, r);
  case NEED_EXE: return load_link(c, dir, "exe", &r->exe);
  case NEED_CWD: return load_link(c, dir, "cwd", &r->cwd);
  case NEED_ROOT: return load_link(c, dir, "root", &r->root);
  case NEED_NETNS:
    r->have_netns = pn_read_ns(&c->pc.fs, dir, "net", &r->netns, &c->pc.buf, &err) == PN_OK;
    return SQLITE_OK;
  }
  return SQLITE_OK;
}

/* Reads the sources in `want` that r lacks (another cursor may have read
 * the rest). r->present goes to 0 when the process is not there; the row
 * is then skipped. */
static int load_process(proc_cursor *c, proc_row *r, int want) {
  int dir, err, rc = SQLITE_OK;
  pn_res res = pn_open_pid(&c->pc.fs, r->pid, &dir, &err);
  if (res != PN_OK) {
    if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
    r->present = 0;
    return SQLITE_OK;
  }
  r->loaded |= SEEN;
  for (int source = NEED_STAT; source <= NEED_NETNS && r->present; source <<= 1) {
    if (!(want & source & ~r->loaded)) continue;
    if ((rc = load_source(c, dir, r, source)) != SQLITE_OK) break;
    r->loaded |= source;
  }
  close(dir);
  return rc;
}

static int load_btime(proc_cursor *c) {
  int err;
  c->have_btime = 1;
  pn_res res = pn_read_file(&c->pc.fs, -1, "stat", &c->pc.buf, &err);
  if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
  if (res != PN_OK) return SQLITE_OK;
  int64_t btime;
  if (pn_parse_btime(c->pc.buf.p, c->pc.buf.n, &btime) == 0) c->btime = btime;
  return SQLITE_OK;
}

/* Boot time plus the process's seconds since boot; NULL without a boot
 * time, or when the sum would not fit (pn_parse_btime keeps btime in
 * [0, INT64_MAX], starttime is any u64 of the stat file). */
static void result_start_time(sqlite3_context *ctx, const proc_cursor *c,
                              const pn_stat *st) {
  uint64_t since_boot = st->starttime / (uint64_t)c->clk_tck;
  if (c->btime <= 0) return;
  if (since_boot > (uint64_t)(INT64_MAX - c->btime)) return;
  sqlite3_result_int64(ctx, c->btime + (sqlite3_int64)since_boot);
}

/* ---- the cache ---------------------------------------------------------- */

/* Finds or loads pid; *out is NULL when the process is not there (absence
 * is cached too). A pid of 0 or below never exists and is never cached. */
static int cached_process(proc_cursor *c, sqlite3_int64 pid, proc_row **out) {
  *out = NULL;
  if (pid <= 0) return SQLITE_OK;
  proc_row *r = pn_proc_cache_find(c->cache, pid);
  if (!r) {
    if (!(r = pn_proc_cache_add(c->cache, pid))) return SQLITE_NOMEM;
    r->present = 1;
  }
  int want = (c->need & ~NEED_BTIME) | SEEN;
  if (r->present && (want & ~r->loaded)) {
    int rc = load_process(c, r, want);
    if (rc != SQLITE_OK) return rc;
  }
  if (r->present) *out = r;
  return SQLITE_OK;
}

/* ---- scanning ------------------------------------------------------------- */

static int procXNext(sqlite3_vtab_cursor *cur) {
  proc_cursor *c = (proc_cursor *)cur;
  sqlite3_int64 pid;
  for (;;) {
    if (!pn_pidsrc_next(&c->pc.src, &pid)) {
      c->listed_complete |= c->recording;
      c->recording = 0;
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    int rc = c->recording ? pn_i64list_push(&c->listed, pid) : SQLITE_OK;
    if (rc == SQLITE_OK) rc = cached_process(c, pid, &c->row);
    if (rc != SQLITE_OK) return rc;
    if (c->row) return SQLITE_OK;
  }
}

static int procXFilter(sqlite3_vtab_cursor *cur, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  proc_cursor *c = (proc_cursor *)cur;
  int rc;
  c->pc.eof = 0;
  c->row = NULL;
  c->need = idxNum & ~(IDX_PID | PN_IDX_PID_LIST);
  c->recording = 0;
  if ((c->need & NEED_BTIME) && !c->have_btime && (rc = load_btime(c)))
    return rc;
  const pn_i64list *all = NULL;
  if (c->listed_complete) {
    all = &c->listed; /* a repeated full scan: no new listing */
  } else if (!(idxNum & IDX_PID)) {
    c->listed.n = 0;
    c->recording = 1;
  }
  rc = pn_cursor_walk(&c->pc, idxNum, argv, all);
  return rc == SQLITE_OK ? procXNext(cur) : rc;
}

static int procXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = ((proc_cursor *)cur)->row->pid;
  return SQLITE_OK;
}

static void result_opt_str(sqlite3_context *ctx, const char *s) {
  if (s) pn_result_text(ctx, s, strlen(s));
}

static void result_id(sqlite3_context *ctx, const proc_row *r, int which,
                      int gid) {
  if (!r->have_status) return;
  sqlite3_result_int64(ctx, gid ? r->status.gid[which] : r->status.uid[which]);
}

static int procXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                       int col) {
  proc_cursor *c = (proc_cursor *)cur;
  const proc_row *r = c->row;
  const pn_stat *st = &r->st;
  if (col == COL_PID) {
    sqlite3_result_int64(ctx, r->pid);
    return SQLITE_OK;
  }
  if (need_for_column(col) & NEED_STAT && !r->have_stat) return SQLITE_OK;
  switch (col) {
  case COL_PPID: sqlite3_result_int64(ctx, st->ppid); break;
  case COL_NAME: result_opt_str(ctx, r->name); break;
  case COL_STATE: pn_result_text(ctx, &st->state, 1); break;
  case COL_UID: result_id(ctx, r, 0, 0); break;
  case COL_EUID: result_id(ctx, r, 1, 0); break;
  case COL_SUID: result_id(ctx, r, 2, 0); break;
  case COL_FSUID: result_id(ctx, r, 3, 0); break;
  case COL_GID: result_id(ctx, r, 0, 1); break;
  case COL_EGID: result_id(ctx, r, 1, 1); break;
  case COL_SGID: result_id(ctx, r, 2, 1); break;
  case COL_FSGID: result_id(ctx, r, 3, 1); break;
  case COL_CMDLINE: result_opt_str(ctx, r->cmdline); break;
  case COL_ARGV0: result_opt_str(ctx, r->argv0); break;
  case COL_EXE: result_opt_str(ctx, r->exe); break;
  case COL_CWD: result_opt_str(ctx, r->cwd); break;
  case COL_ROOT: result_opt_str(ctx, r->root); break;
  case COL_THREADS: sqlite3_result_int64(ctx, st->num_threads); break;
  case COL_RSS: sqlite3_result_int64(ctx, st->rss * c->page_size); break;
  case COL_VSIZE: sqlite3_result_int64(ctx, (sqlite3_int64)st->vsize); break;
  case COL_START_TIME: result_start_time(ctx, c, st); break;
  case COL_UTIME: sqlite3_result_double(ctx, (double)st->utime / c->clk_tck); break;
  case COL_STIME: sqlite3_result_double(ctx, (double)st->stime / c->clk_tck); break;
  case COL_PGRP: sqlite3_result_int64(ctx, st->pgrp); break;
  case COL_SESSION: sqlite3_result_int64(ctx, st->session); break;
  case COL_TTY_NR: sqlite3_result_int64(ctx, st->tty_nr); break;
  case COL_NICE: sqlite3_result_int64(ctx, st->nice); break;
  case COL_NETNS:
    if (r->have_netns) sqlite3_result_int64(ctx, (sqlite3_int64)r->netns);
    break;
  }
  return SQLITE_OK;
}

static const sqlite3_module processes_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = procXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = procXOpen,
    .xClose = procXClose,
    .xFilter = procXFilter,
    .xNext = procXNext,
    .xEof = pn_cursor_eof,
    .xColumn = procXColumn,
    .xRowid = procXRowid,
};

const sqlite3_module *pn_processes_module(void) { return &processes_module; }
/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_processes_schema = PROCESSES_SCHEMA;
