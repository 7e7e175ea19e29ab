/*
 * table_process_files.c: `process_files`, the files a process uses without
 * a descriptor: its current directory, root directory and executable, one
 * row each (what lsof prints as cwd, rtd and txt).
 *
 * Columns come from readlink (path, deleted) and stat (type, device, size,
 * inode, nlink: the link count) of /proc/PID/cwd, root and exe; stat runs only when one of its
 * columns is used, /proc/locks only for `lock`. A link we may not read
 * (another user's process without privileges) gives a row with `error`
 * set; a kernel thread, which has no executable, gives a txt row whose
 * error is "no such file or directory".
 *
 * With `tasks = 1`, each process's rows are followed by those of each of
 * its threads, tid and taskcmd set (lsof's task rows): the process's rows
 * again where the thread shares its directories (always for the
 * executable, which belongs to the memory the threads share), else read
 * from /proc/PID/task/TID.
 *
 * Rows come ordered by pid, tid (NULL first) and kind (cwd, rtd, txt sort
 * in lsof's order), which the table tells SQLite (orderByConsumed).
 *
 * idxNum bits:
 *   0x1              `pid = ?` or `pid IN (...)`
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 *   0x2              a stat column is used
 *   0x4              `kind = ?` / `kind IN (...)`, one or more: only those
 *                    links are read (lsof's view asks for one at a time)
 *   0x100 << j       the j-th kind argument is an IN list
 *   PN_IDX_TASKS     `tasks = ?`; PN_IDX_NO_TASKS `tid IS NULL`
 * argv order: pid (when 0x1), tasks (when PN_IDX_TASKS), then the kind
 * arguments to the end of argv.
 */
#include "tables.h"
#include "locks.h"
#include "parse.h"
#include "tasks.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char PROCESS_FILES_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER, kind TEXT, path TEXT, deleted INTEGER,"
    " type TEXT, dev_major INTEGER, dev_minor INTEGER, size INTEGER,"
    " inode INTEGER, error TEXT, tid INTEGER, taskcmd TEXT, lock TEXT,"
    " nlink INTEGER, tasks INTEGER HIDDEN)";
enum {
  COL_PID, COL_KIND, COL_PATH, COL_DELETED, COL_TYPE, COL_DEV_MAJOR,
  COL_DEV_MINOR, COL_SIZE, COL_INODE, COL_ERROR, COL_TID, COL_TASKCMD,
  COL_LOCK, COL_NLINK, COL_TASKS
};

#define IDX_STAT 0x2
#define IDX_KIND 0x4

/* The links, in lsof's order, with the names lsof gives them. */
static const struct {
  const char *link;
  const char *kind;
} files[] = {{"cwd", "cwd"}, {"root", "rtd"}, {"exe", "txt"}};
#define N_FILES 3
#define EXE 2
static const char *const kind_names[N_FILES] = {"cwd", "rtd", "txt"};

/* One link as read: the row's data. */
typedef struct pf_file {
  int present;              /* it gives a row */
  pn_buf link;
  const char *error;
  int have_stat;
  struct stat st;
} pf_file;

typedef struct pf_cursor {
  pn_cursor pc;             /* pc.pid, pc.piddir: the current process */
  int need_stat;
  unsigned wanted;          /* bit i: files[i] is asked for */
  int at;                   /* index into files[] of the current row */
  pn_taskwalk tw;
  pf_file leader[N_FILES];  /* the process's own rows */
  pf_file thread;           /* a thread's own row, when not the process's */
  const pf_file *row;       /* the current row */
  pn_locks locks;
} pf_cursor;

static int pfXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, N_FILES);
  int argc = (idx & PN_IDX_PID) ? 1 : 0;
  idx |= pn_plan_tasks(info, COL_TASKS, COL_TID, &argc);
  idx |= pn_claim_names(info, COL_KIND, &argc, IDX_KIND);
  if (idx & IDX_KIND) {
    info->estimatedCost /= N_FILES;
    info->estimatedRows = info->estimatedRows / N_FILES + 1;
  }
  for (int col = COL_TYPE; col <= COL_INODE; col++)
    if (info->colUsed & ((sqlite3_uint64)1 << col)) idx |= IDX_STAT;
  if (info->colUsed & (((sqlite3_uint64)1 << COL_LOCK) | ((sqlite3_uint64)1 << COL_NLINK)))
    idx |= IDX_STAT;
  static const int order[] = {COL_PID, COL_TID, COL_KIND};
  if (pn_order_consumed(info, order, 3, pn_plan_may_list_tasks(idx) ? 0 : 2u))
    info->orderByConsumed = 1;
  info->idxNum = idx;
  return SQLITE_OK;
}

static int pfXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(pf_cursor), out);
  if (rc == SQLITE_OK) pn_taskwalk_init(&((pf_cursor *)*out)->tw, ((pn_vtab *)tab)->ctx);
  return rc;
}

static int pfXClose(sqlite3_vtab_cursor *cur) {
  pf_cursor *c = (pf_cursor *)cur;
  for (int i = 0; i < N_FILES; i++) pn_buf_free(&c->leader[i].link);
  pn_buf_free(&c->thread.link);
  pn_taskwalk_free(&c->tw);
  pn_locks_free(&c->locks);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* Reads link `at` of the directory dir (a process's or a thread's) into
 * f; f->present is 0 when it gives no row (the process is gone). */
static int load_file(pf_cursor *c, int dir, int at, pf_file *f) {
  int err;
  f->error = NULL;
  f->have_stat = 0;
  pn_res r = pn_read_link(&c->pc.fs, dir, files[at].link, &f->link, &err);
  if (pn_is_nomem(r, err)) return SQLITE_NOMEM;
  f->present = r == PN_OK || r == PN_DENIED;
  if (r == PN_DENIED) f->error = pn_res_text(r, err);
  if (r == PN_GONE && at == EXE) {
    /* A kernel thread has no executable: lsof still prints its txt. */
    struct stat st;
    f->present = fstatat(dir, "stat", &st, 0) == 0;
    f->error = "no such file or directory";
  }
  if (r == PN_OK && c->need_stat)
    f->have_stat = pn_stat_at(&c->pc.fs, dir, files[at].link, &f->st, &err) == PN_OK;
  return SQLITE_OK;
}

/* Makes file `at` of the process or thread being listed the current row:
 * for a thread, the process's own where the thread shares it, else read
 * from the thread's directory. */
static int load_row(pf_cursor *c, int at) {
  if (!c->tw.task) {
    c->row = &c->leader[at];
    return load_file(c, c->pc.piddir, at, &c->leader[at]);
  }
  if (at == EXE || pn_taskwalk_shares(&c->tw, &c->pc.fs, c->pc.pid, PN_SHARE_FS)) {
    c->row = &c->leader[at];
    return SQLITE_OK;
  }
  c->row = &c->thread;
  c->thread.present = 0;
  if (!pn_taskwalk_dir(&c->tw, &c->pc.fs, c->pc.piddir)) return SQLITE_OK;
  return load_file(c, c->tw.dir, at, &c->thread);
}

/* Moves to the next wanted file of the process or thread being listed:
 * SQLITE_ROW with it, SQLITE_DONE after the last. */
static int next_file(pf_cursor *c) {
  while (++c->at < N_FILES) {
    if (!(c->wanted & (1u << c->at))) continue;
    int rc = load_row(c, c->at);
    if (rc != SQLITE_OK) return rc;
    if (c->row->present) return SQLITE_ROW;
  }
  return SQLITE_DONE;
}

/* After the rows of the process or of one of its threads: moves to the
 * next thread (listing them first). 1 when there is one. */
static int next_thread(pf_cursor *c, int *rc) {
  *rc = SQLITE_OK;
  if (!c->tw.started)
    *rc = pn_taskwalk_start(&c->tw, &c->pc.fs, c->pc.piddir, c->pc.pid, &c->pc.buf);
  if (*rc != SQLITE_OK || !pn_taskwalk_next(&c->tw)) return 0;
  c->at = -1;
  return 1;
}

static int pfXNext(sqlite3_vtab_cursor *cur) {
  pf_cursor *c = (pf_cursor *)cur;
  int rc;
  for (;;) {
    if (c->pc.piddir >= 0) {
      rc = next_file(c);
      if (rc != SQLITE_DONE) return rc == SQLITE_ROW ? SQLITE_OK : rc;
      if (next_thread(c, &rc)) continue;
      if (rc != SQLITE_OK) return rc;
    }
    rc = pn_cursor_next_process(&c->pc);
    if (rc != SQLITE_ROW) {
      c->pc.eof = rc == SQLITE_DONE;
      return rc == SQLITE_NOMEM ? rc : SQLITE_OK;
    }
    pn_taskwalk_reset(&c->tw);
    c->at = -1;
  }
}

static int pfXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv) {
  (void)idxStr;
  pf_cursor *c = (pf_cursor *)cur;
  int first_kind = (idxNum & PN_IDX_PID) ? 1 : 0;
  pn_cursor_close_piddir(&c->pc);
  c->need_stat = (idxNum & IDX_STAT) != 0;
  c->wanted = ~0u;
  sqlite3_value *tasks = (idxNum & PN_IDX_TASKS) ? argv[first_kind++] : NULL;
  if (!pn_taskwalk_filter(&c->tw, idxNum, tasks)) {
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  int rc = SQLITE_OK;
  if (idxNum & IDX_KIND)
    rc = pn_names_wanted(kind_names, N_FILES, idxNum, argc, argv, first_kind,
                         &c->wanted);
  if (rc == SQLITE_OK && c->wanted == 0) { /* no such kind: nothing to read */
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  if (rc == SQLITE_OK) rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  return rc == SQLITE_OK ? pfXNext(cur) : rc;
}

static int pfXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  pf_cursor *c = (pf_cursor *)cur;
  *rowid = (c->tw.task ? c->tw.task->tid : c->pc.pid) * N_FILES + c->at;
  return SQLITE_OK;
}

static void result_stat(const pf_file *f, sqlite3_context *ctx, int col) {
  if (!f->have_stat) return;
  const struct stat *st = &f->st;
  switch (col) {
  case COL_TYPE:
    sqlite3_result_text(ctx, pn_file_type_name(st->st_mode), -1, SQLITE_STATIC);
    break;
  case COL_DEV_MAJOR: sqlite3_result_int64(ctx, major(st->st_dev)); break;
  case COL_DEV_MINOR: sqlite3_result_int64(ctx, minor(st->st_dev)); break;
  case COL_SIZE: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_ino); break;
  case COL_NLINK: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_nlink); break;
  }
}

/* lsof's lock character for the file, from /proc/locks. */
static int result_lock(pf_cursor *c, sqlite3_context *ctx) {
  const pf_file *f = c->row;
  if (!f->have_stat) return SQLITE_OK;
  int rc = pn_locks_load(&c->locks, &c->pc.fs, &c->pc.buf);
  if (rc != SQLITE_OK) return rc;
  char k = pn_locks_find(&c->locks, c->pc.pid, major(f->st.st_dev), minor(f->st.st_dev),
                         (uint64_t)f->st.st_ino);
  if (k) sqlite3_result_text(ctx, &k, 1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int pfXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  pf_cursor *c = (pf_cursor *)cur;
  const pf_file *f = c->row;
  pn_fdlink l; /* the same " (deleted)" rule as descriptors */
  int is_path = !f->error && pn_parse_fdlink(f->link.p, f->link.n, &l) == 0 &&
                l.kind == PN_FD_PATH;
  switch (col) {
  case COL_PID: sqlite3_result_int64(ctx, c->pc.pid); break;
  case COL_KIND: sqlite3_result_text(ctx, files[c->at].kind, -1, SQLITE_STATIC); break;
  case COL_PATH:
    if (is_path) pn_result_text(ctx, l.path.p, l.path.n);
    else if (!f->error) pn_result_text(ctx, f->link.p, f->link.n);
    break;
  case COL_DELETED:
    if (!f->error) sqlite3_result_int(ctx, is_path && l.deleted);
    break;
  case COL_ERROR:
    if (f->error) sqlite3_result_text(ctx, f->error, -1, SQLITE_STATIC);
    break;
  case COL_TID: pn_taskwalk_result_tid(&c->tw, ctx); break;
  case COL_TASKCMD: pn_taskwalk_result_name(&c->tw, ctx); break;
  case COL_LOCK: return result_lock(c, ctx);
  case COL_TASKS: sqlite3_result_int(ctx, c->tw.value); break;
  default: result_stat(f, ctx, col); break;
  }
  return SQLITE_OK;
}

static const sqlite3_module process_files_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = pfXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = pfXOpen,
    .xClose = pfXClose,
    .xFilter = pfXFilter,
    .xNext = pfXNext,
    .xEof = pn_cursor_eof,
    .xColumn = pfXColumn,
    .xRowid = pfXRowid,
};

const sqlite3_module *pn_process_files_module(void) {
  return &process_files_module;
}

/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_process_files_schema = PROCESS_FILES_SCHEMA;
