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
 * loaded are kept in a per-cursor cache keyed by pid, and the pids of a
 * completed full listing are remembered, so a process's files are read at
 * most once per statement whatever the plan.
 */
#include "tables.h"
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

/* One loaded process. Strings are owned (sqlite3_malloc). */
typedef struct proc_row {
  sqlite3_int64 pid;
  int present;              /* cache: 0 when the process was not there */
  int have_stat;
  pn_stat st;               /* st.comm points at name */
  char *name;
  int have_status;
  pn_status status;
  char *cmdline;            /* NULL: unreadable; "": kernel thread/zombie */
  char *argv0;              /* the first argument, blanks kept */
  char *exe, *cwd, *root;
  int have_netns;
  uint64_t netns;
} proc_row;

typedef struct proc_cursor {
  pn_cursor pc;
  int need;
  proc_row *row;            /* the current row, owned by the cache */
  proc_row *cache;          /* loaded rows: open addressing by pid */
  int cache_cap, cache_n;
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
  return SQLITE_OK;
}

static void row_clear(proc_row *r) {
  sqlite3_free(r->name);
  sqlite3_free(r->cmdline);
  sqlite3_free(r->argv0);
  sqlite3_free(r->exe);
  sqlite3_free(r->cwd);
  sqlite3_free(r->root);
  memset(r, 0, sizeof *r);
}

static void cache_clear(proc_cursor *c) {
  for (int i = 0; i < c->cache_cap; i++)
    if (c->cache[i].pid) row_clear(&c->cache[i]);
  sqlite3_free(c->cache);
  c->cache = NULL;
  c->cache_cap = c->cache_n = 0;
}

static int procXClose(sqlite3_vtab_cursor *cur) {
  proc_cursor *c = (proc_cursor *)cur;
  pn_i64list_free(&c->listed);
  cache_clear(c);
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

static int load_stat(proc_cursor *c, int dir, proc_row *r, int *gone) {
  int err;
  pn_res res = pn_read_file(&c->pc.fs, dir, "stat", &c->pc.buf, &err);
  if (pn_is_nomem(res, err)) return SQLITE_NOMEM;
  if (res != PN_OK || pn_parse_stat(c->pc.buf.p, c->pc.buf.n, &r->st) != 0) {
    *gone = 1;
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
  r->cmdline = join_cmdline(&c->pc.buf);
  /* argv[0] alone: netstat names a program by it, and it may hold blanks
   * ("sshd: root@pts/0") that the joined cmdline cannot tell apart. */
  r->argv0 = first_arg(&c->pc.buf);
  return r->cmdline && r->argv0 ? SQLITE_OK : SQLITE_NOMEM;
}

/* Loads the sources named in c->need for pid into r. Sets *gone when the
 * process is not there (the row is then skipped). */
static int load_process(proc_cursor *c, sqlite3_int64 pid, proc_row *r,
                        int *gone) {
  int dir, err, rc = SQLITE_OK;
  *gone = 0;
  r->pid = pid;
  pn_res res = pn_open_pid(&c->pc.fs, pid, &dir, &err);
  if (res != PN_OK) {
    *gone = 1;
    return pn_is_nomem(res, err) ? SQLITE_NOMEM : SQLITE_OK;
  }
  if (c->need & NEED_STAT) rc = load_stat(c, dir, r, gone);
  if (rc == SQLITE_OK && !*gone && (c->need & NEED_STATUS))
    rc = load_status(c, dir, r);
  if (rc == SQLITE_OK && !*gone && (c->need & NEED_CMDLINE))
    rc = load_cmdline(c, dir, r);
  if (rc == SQLITE_OK && !*gone && (c->need & NEED_EXE))
    rc = load_link(c, dir, "exe", &r->exe);
  if (rc == SQLITE_OK && !*gone && (c->need & NEED_CWD))
    rc = load_link(c, dir, "cwd", &r->cwd);
  if (rc == SQLITE_OK && !*gone && (c->need & NEED_ROOT))
    rc = load_link(c, dir, "root", &r->root);
  if (rc == SQLITE_OK && !*gone && (c->need & NEED_NETNS)) {
    res = pn_read_ns(&c->pc.fs, dir, "net", &r->netns, &c->pc.buf, &err);
    r->have_netns = res == PN_OK;
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

/* ---- the pid cache (constrained scans) ------------------------------------ */

static proc_row *cache_slot(proc_cursor *c, sqlite3_int64 pid) {
  unsigned mask = (unsigned)c->cache_cap - 1;
  for (unsigned i = (unsigned)pid * 2654435761u & mask;; i = (i + 1) & mask)
    if (c->cache[i].pid == pid || c->cache[i].pid == 0) return &c->cache[i];
}

static int cache_grow(proc_cursor *c) {
  int old_cap = c->cache_cap;
  proc_row *old = c->cache;
  int cap = old_cap ? old_cap * 2 : 64;
  c->cache = sqlite3_malloc64((sqlite3_uint64)cap * sizeof *c->cache);
  if (!c->cache) {
    c->cache = old;
    return SQLITE_NOMEM;
  }
  memset(c->cache, 0, (size_t)cap * sizeof *c->cache);
  c->cache_cap = cap;
  for (int i = 0; i < old_cap; i++)
    if (old[i].pid) *cache_slot(c, old[i].pid) = old[i];
  sqlite3_free(old);
  return SQLITE_OK;
}

/* Finds or loads pid; *out is NULL when the process is not there (absence
 * is cached too). A pid of 0 or below never exists and is never cached: 0
 * marks a free slot. */
static int cached_process(proc_cursor *c, sqlite3_int64 pid, proc_row **out) {
  *out = NULL;
  if (pid <= 0) return SQLITE_OK;
  if ((c->cache_n + 1) * 2 > c->cache_cap && cache_grow(c) != SQLITE_OK)
    return SQLITE_NOMEM;
  proc_row *slot = cache_slot(c, pid);
  if (slot->pid != pid) {
    int gone, rc = load_process(c, pid, slot, &gone);
    if (rc != SQLITE_OK) {
      row_clear(slot); /* frees the slot again */
      return rc;
    }
    slot->present = !gone;
    c->cache_n++;
  }
  if (slot->present) *out = slot;
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
  int need = idxNum & ~(IDX_PID | PN_IDX_PID_LIST);
  if (c->need != need) { /* another plan: cached rows lack columns */
    cache_clear(c);
    c->listed_complete = 0;
  }
  c->need = need;
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
