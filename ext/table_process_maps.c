/*
 * table_process_maps.c: `process_maps`, one row per mapping in
 * /proc/PID/maps (what lsof lists as `mem` and `DEL`).
 *
 * start and end are hex text as the kernel prints them (kernel addresses do
 * not fit a signed 64-bit integer); size is end - start in bytes. dev is
 * "major:minor" in hex as in the file, with dev_major/dev_minor as numbers.
 * path is raw: "[heap]", "/lib/x.so (deleted)", or NULL for anonymous maps;
 * deleted says whether it ends in the kernel's " (deleted)".
 *
 * What lsof prints of a mapped file, each read only when its columns are
 * used:
 *   first_mapping  1 on the first mapping of each file (device and inode)
 *                  of the process, 0 on its others, NULL where there is no
 *                  file (device and inode 0): lsof lists a file once
 *   exe            1 when the file is the process's executable (the device
 *                  and inode of a stat of PID/exe), which lsof lists as txt
 *   file_type, file_size, file_rdev_major, file_rdev_minor, file_nlink
 *                  a stat of the mapped file itself, through
 *                  PID/map_files/START-END: once per file (device and
 *                  inode) for the statement, whichever process maps it.
 *                  Where map_files may not be followed (it needs
 *                  CAP_SYS_ADMIN), the path as the process sees it
 *                  (PID/root/PATH), kept only when it is still the mapped
 *                  file (the same device and inode), as lsof checks;
 *   file_error     why the file_ columns are NULL: "stat: ERROR", or
 *                  "path dev=M,N", "path inode=I" (both: "path
 *                  dev=M,N,inode=I") where the path now names another file
 *   lock           lsof's lock character for the file, from /proc/locks
 *
 * With `tasks = 1`, each process's rows are followed by the same rows for
 * each of its threads (tid and taskcmd set), as lsof lists its task rows:
 * threads share their process's memory, so its maps are read once.
 *
 * Rows come ordered by pid, tid (NULL first) and rowid (the line), which
 * the table tells SQLite (orderByConsumed).
 *
 * idxNum bits:
 *   0x1              `pid = ?` or `pid IN (...)`
 *   PN_IDX_PID_LIST  the pid argument is an IN list
 *   PN_IDX_TASKS     `tasks = ?`; PN_IDX_NO_TASKS `tid IS NULL`
 *   0x100 0x200 0x400 0x800  NEED_FIRST, NEED_EXE, NEED_STAT, NEED_LOCK
 * argv order: pid (when 0x1), tasks (when PN_IDX_TASKS).
 */
#include "tables.h"
#include "locks.h"
#include "parse.h"
#include "tasks.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static const char MAPS_SCHEMA[] =
    "CREATE TABLE x(pid INTEGER, start TEXT, end TEXT, size INTEGER,"
    " perms TEXT, offset INTEGER, dev TEXT, dev_major INTEGER,"
    " dev_minor INTEGER, inode INTEGER, path TEXT, deleted INTEGER,"
    " first_mapping INTEGER, exe INTEGER, file_type TEXT, file_size INTEGER,"
    " file_rdev_major INTEGER, file_rdev_minor INTEGER, file_error TEXT,"
    " lock TEXT, tid INTEGER, taskcmd TEXT, file_nlink INTEGER,"
    " tasks INTEGER HIDDEN)";
enum {
  COL_PID, COL_START, COL_END, COL_SIZE, COL_PERMS, COL_OFFSET, COL_DEV,
  COL_DEV_MAJOR, COL_DEV_MINOR, COL_INODE, COL_PATH, COL_DELETED,
  COL_FIRST_MAPPING, COL_EXE, COL_FILE_TYPE, COL_FILE_SIZE,
  COL_FILE_RDEV_MAJOR, COL_FILE_RDEV_MINOR, COL_FILE_ERROR, COL_LOCK,
  COL_TID, COL_TASKCMD, COL_FILE_NLINK, COL_TASKS
};

#define NEED_FIRST 0x100
#define NEED_EXE 0x200
#define NEED_STAT 0x400
#define NEED_LOCK 0x800

/* A mapped file: its identity as maps gives it. */
typedef struct map_file {
  unsigned dev_major, dev_minor;
  uint64_t inode;
} map_file;

/* What a stat of a mapped file gave, kept per file for the statement. */
typedef struct file_stat {
  map_file id;
  int ok;
  struct stat st;
  int err;                  /* errno when !ok */
} file_stat;

/* Open addressing sets keyed by file; a slot with inode and device 0 is
 * empty (such mappings have no file). */
typedef struct file_set {
  map_file *v;
  size_t cap, n;
} file_set;
typedef struct stat_cache {
  file_stat *v;
  size_t cap, n;
} stat_cache;

typedef struct maps_cursor {
  pn_cursor pc;             /* pc.buf: scratch for other reads */
  int need;
  pn_buf maps;              /* the current process's maps */
  size_t pos;               /* next line in maps */
  int line_no;
  pn_map map;
  pn_taskwalk tw;
  /* the current row's lsof columns */
  int first;                /* first_mapping */
  file_set seen;            /* files met in this pass over the maps */
  int exe_done, have_exe;
  map_file exe;
  stat_cache stats;
  int map_files_denied;     /* map_files may not be followed: use paths */
  int own_proc;             /* the root is the reader's /proc; -1 unknown */
  int row_stat_done;
  file_stat path_stat;      /* the row's stat by path (not kept) */
  const file_stat *row_stat;
  char note[96];            /* file_error of the row */
  pn_locks locks;
} maps_cursor;

static int need_for_column(int col) {
  switch (col) {
  case COL_FIRST_MAPPING: return NEED_FIRST;
  case COL_EXE: return NEED_EXE;
  case COL_FILE_TYPE: case COL_FILE_SIZE: case COL_FILE_RDEV_MAJOR:
  case COL_FILE_RDEV_MINOR: case COL_FILE_ERROR: case COL_FILE_NLINK: return NEED_STAT;
  case COL_LOCK: return NEED_LOCK;
  default: return 0;
  }
}

static int mapsXBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  (void)tab;
  int idx = pn_plan_pid(info, COL_PID, 50);
  int argc = (idx & PN_IDX_PID) ? 1 : 0;
  idx |= pn_plan_tasks(info, COL_TASKS, COL_TID, &argc);
  for (int col = 0; col <= COL_TASKS; col++)
    if (info->colUsed & ((sqlite3_uint64)1 << col)) idx |= need_for_column(col);
  static const int order[] = {COL_PID, COL_TID, -1};
  if (pn_order_consumed(info, order, 3, pn_plan_may_list_tasks(idx) ? 0 : 2u))
    info->orderByConsumed = 1;
  info->idxNum = idx;
  return SQLITE_OK;
}

static int mapsXOpen(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  int rc = pn_cursor_open(tab, sizeof(maps_cursor), out);
  if (rc != SQLITE_OK) return rc;
  maps_cursor *c = (maps_cursor *)*out;
  pn_taskwalk_init(&c->tw, ((pn_vtab *)tab)->ctx);
  c->own_proc = -1;
  return rc;
}

static int mapsXClose(sqlite3_vtab_cursor *cur) {
  maps_cursor *c = (maps_cursor *)cur;
  pn_buf_free(&c->maps);
  sqlite3_free(c->seen.v);
  sqlite3_free(c->stats.v);
  pn_taskwalk_free(&c->tw);
  pn_locks_free(&c->locks);
  pn_cursor_free(&c->pc);
  return SQLITE_OK;
}

/* ---- sets of files ------------------------------------------------------------- */

static int same_file(const map_file *a, const map_file *b) {
  return a->inode == b->inode && a->dev_major == b->dev_major &&
         a->dev_minor == b->dev_minor;
}

static int no_file(const map_file *f) {
  return f->inode == 0 && f->dev_major == 0 && f->dev_minor == 0;
}

static size_t file_hash(const map_file *f, size_t cap) {
  uint64_t h = f->inode * 0x9E3779B97F4A7C15ull ^
               ((uint64_t)f->dev_major << 32 | f->dev_minor);
  return (size_t)(h ^ h >> 29) & (cap - 1);
}

/* The slot of f in a table of cap slots (a power of two) of `size`-byte
 * entries that each start with a map_file: f's or the empty one it goes in. */
static void *file_slot(void *v, size_t cap, size_t size, const map_file *f) {
  for (size_t i = file_hash(f, cap);; i = (i + 1) & (cap - 1)) {
    map_file *at = (map_file *)((char *)v + i * size);
    if (no_file(at) || same_file(at, f)) return at;
  }
}

/* Makes room for one more entry, rehashing into a table twice the size. */
static int file_table_room(void **v, size_t *cap, size_t n, size_t size) {
  if ((n + 1) * 2 <= *cap) return 0;
  size_t ncap = *cap ? *cap * 2 : 64;
  void *nv = sqlite3_malloc64((sqlite3_uint64)ncap * size);
  if (!nv) return -1;
  memset(nv, 0, ncap * size);
  for (size_t i = 0; i < *cap; i++) {
    map_file *e = (map_file *)((char *)*v + i * size);
    if (!no_file(e)) memcpy(file_slot(nv, ncap, size, e), e, size);
  }
  sqlite3_free(*v);
  *v = nv;
  *cap = ncap;
  return 0;
}

/* Adds f to the set: 1 when it was not there, 0 when it was, -1 when out
 * of memory. */
static int file_set_add(file_set *s, const map_file *f) {
  if (file_table_room((void **)&s->v, &s->cap, s->n, sizeof *s->v) != 0) return -1;
  map_file *slot = file_slot(s->v, s->cap, sizeof *s->v, f);
  if (!no_file(slot)) return 0;
  *slot = *f;
  s->n++;
  return 1;
}

static void file_set_clear(file_set *s) {
  if (s->v) memset(s->v, 0, s->cap * sizeof *s->v);
  s->n = 0;
}

/* ---- reading ------------------------------------------------------------------- */

/* Reads the next process's maps; returns 0 at the end. */
static int next_process(maps_cursor *c, int *rc) {
  while (pn_cursor_next_process(&c->pc) == SQLITE_ROW) {
    int err;
    pn_res r = pn_read_file(&c->pc.fs, c->pc.piddir, "maps", &c->maps, &err);
    if (pn_is_nomem(r, err)) {
      *rc = SQLITE_NOMEM;
      return 0;
    }
    if (r == PN_OK) {
      pn_taskwalk_reset(&c->tw);
      c->exe_done = 0;
      return 1;
    }
  }
  return 0;
}

/* Back to the first line, for the process's next pass (a thread's rows). */
static void rewind_maps(maps_cursor *c) {
  c->pos = 0;
  c->line_no = 0;
  file_set_clear(&c->seen);
}

/* After the rows of the process or one of its threads: starts the next
 * thread's pass over the same maps. 1 when there is one. */
static int next_thread(maps_cursor *c, int *rc) {
  *rc = SQLITE_OK;
  if (!c->tw.started)
    *rc = pn_taskwalk_start(&c->tw, &c->pc.fs, c->pc.piddir, c->pc.pid, &c->pc.buf);
  if (*rc != SQLITE_OK || !pn_taskwalk_next(&c->tw)) return 0;
  rewind_maps(c);
  return 1;
}

/* Prepares the lsof columns of the row just parsed. */
static int start_row(maps_cursor *c) {
  map_file f = {c->map.dev_major, c->map.dev_minor, c->map.inode};
  c->row_stat_done = 0;
  c->row_stat = NULL;
  c->first = -1;
  if (!(c->need & NEED_FIRST) || no_file(&f)) return SQLITE_OK;
  int added = file_set_add(&c->seen, &f);
  if (added < 0) return SQLITE_NOMEM;
  c->first = added;
  return SQLITE_OK;
}

static int mapsXNext(sqlite3_vtab_cursor *cur) {
  maps_cursor *c = (maps_cursor *)cur;
  int rc = SQLITE_OK;
  for (;;) {
    pn_str line;
    while (pn_next_line(c->maps.p, c->maps.n, &c->pos, &line)) {
      c->line_no++;
      if (pn_parse_maps_line(line.p, line.n, &c->map) == 0) return start_row(c);
    }
    if (c->pc.piddir >= 0 && next_thread(c, &rc)) continue;
    if (rc != SQLITE_OK) return rc;
    if (!next_process(c, &rc)) {
      c->pc.eof = 1;
      return rc;
    }
    rewind_maps(c);
  }
}

static int mapsXFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv) {
  (void)idxStr;
  (void)argc;
  maps_cursor *c = (maps_cursor *)cur;
  c->maps.n = c->pos = 0;
  c->need = idxNum;
  pn_cursor_close_piddir(&c->pc);
  sqlite3_value *tasks = (idxNum & PN_IDX_TASKS) ? argv[(idxNum & PN_IDX_PID) ? 1 : 0] : NULL;
  if (!pn_taskwalk_filter(&c->tw, idxNum, tasks)) {
    c->pc.eof = 1;
    return SQLITE_OK;
  }
  int rc = pn_cursor_walk(&c->pc, idxNum, argv, NULL);
  return rc == SQLITE_OK ? mapsXNext(cur) : rc;
}

static int mapsXRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  maps_cursor *c = (maps_cursor *)cur;
  *rowid = (c->pc.pid << 32) | c->line_no;
  return SQLITE_OK;
}

/* ---- the mapped file ------------------------------------------------------------- */

/* The device and inode of the process's executable (a stat of PID/exe). */
static int is_exe(maps_cursor *c) {
  if (!c->exe_done) {
    struct stat st;
    int err;
    c->exe_done = 1;
    c->have_exe = pn_stat_at(&c->pc.fs, c->pc.piddir, "exe", &st, &err) == PN_OK;
    if (c->have_exe) {
      map_file e = {major(st.st_dev), minor(st.st_dev), (uint64_t)st.st_ino};
      c->exe = e;
    }
  }
  map_file f = {c->map.dev_major, c->map.dev_minor, c->map.inode};
  return c->have_exe && same_file(&c->exe, &f);
}

/* 1 when the root is the reader's own /proc: its paths are the reader's. */
static int own_proc(maps_cursor *c) {
  if (c->own_proc < 0) c->own_proc = pn_fs_is_own_proc(&c->pc.fs);
  return c->own_proc;
}

/* A stat of the mapped file through PID/map_files/START-END into s. 0, or
 * -1 when map_files may not be followed. */
static int stat_map_files(maps_cursor *c, file_stat *s) {
  char rel[64];
  int err;
  snprintf(rel, sizeof rel, "map_files/%llx-%llx", (unsigned long long)c->map.start,
           (unsigned long long)c->map.end);
  pn_res r = pn_stat_at(&c->pc.fs, c->pc.piddir, rel, &s->st, &err);
  if (r == PN_DENIED) return -1;
  s->ok = r == PN_OK;
  s->err = err;
  return 0;
}

/* A stat of the path as the process sees it (PID/root/PATH), kept only
 * when it is the mapped file, as lsof checks (it stats the path). Where
 * the process's root may not be followed either (no ptrace access), the
 * path as the reader sees it, as lsof stats it, on the reader's own /proc. */
static int stat_path(maps_cursor *c, file_stat *s) {
  pn_str path = c->map.path;
  static const char suffix[] = " (deleted)";
  size_t sn = sizeof suffix - 1;
  if (path.n > sn && memcmp(path.p + path.n - sn, suffix, sn) == 0) path.n -= sn;
  s->ok = 0;
  s->err = ENOENT;
  if (path.n == 0 || path.p[0] != '/') return SQLITE_OK;
  char *rel = sqlite3_mprintf("root%.*s", (int)path.n, path.p);
  if (!rel) return SQLITE_NOMEM;
  pn_res r = pn_stat_at(&c->pc.fs, c->pc.piddir, rel, &s->st, &s->err);
  if (r == PN_DENIED && own_proc(c)) {
    pn_fs reader = {AT_FDCWD, NULL};
    r = pn_stat_at(&reader, -1, rel + 4, &s->st, &s->err);
  }
  s->ok = r == PN_OK;
  sqlite3_free(rel);
  return SQLITE_OK;
}

/* The stat of the row's mapped file (c->row_stat), NULL for a mapping
 * without a file. */
static int load_row_stat(maps_cursor *c) {
  map_file f = {c->map.dev_major, c->map.dev_minor, c->map.inode};
  if (c->row_stat_done) return SQLITE_OK;
  c->row_stat_done = 1;
  if (no_file(&f)) return SQLITE_OK;
  if (!c->map_files_denied) {
    if (file_table_room((void **)&c->stats.v, &c->stats.cap, c->stats.n,
                        sizeof *c->stats.v) != 0)
      return SQLITE_NOMEM;
    file_stat *slot = file_slot(c->stats.v, c->stats.cap, sizeof *c->stats.v, &f);
    if (!no_file(&slot->id)) {
      c->row_stat = slot;
      return SQLITE_OK;
    }
    file_stat s = {f, 0, {0}, 0};
    if (stat_map_files(c, &s) == 0) {
      *slot = s;
      c->stats.n++;
      c->row_stat = slot;
      return SQLITE_OK;
    }
    c->map_files_denied = 1;
  }
  memset(&c->path_stat, 0, sizeof c->path_stat);
  c->path_stat.id = f;
  c->row_stat = &c->path_stat;
  return stat_path(c, &c->path_stat);
}

/* The row's stat when it is the mapped file, else NULL with c->note set
 * to why (lsof's words). */
static const struct stat *row_file(maps_cursor *c) {
  const file_stat *s = c->row_stat;
  c->note[0] = 0;
  if (!s) return NULL;
  if (!s->ok) {
    snprintf(c->note, sizeof c->note, "stat: %s", strerror(s->err));
    return NULL;
  }
  unsigned ma = major(s->st.st_dev), mi = minor(s->st.st_dev);
  int dev_ok = ma == s->id.dev_major && mi == s->id.dev_minor;
  int ino_ok = (uint64_t)s->st.st_ino == s->id.inode;
  if (s != &c->path_stat || (dev_ok && ino_ok)) return &s->st;
  if (!dev_ok)
    snprintf(c->note, sizeof c->note, ino_ok ? "path dev=%u,%u" : "path dev=%u,%u,inode=%llu",
             ma, mi, (unsigned long long)s->st.st_ino);
  else
    snprintf(c->note, sizeof c->note, "path inode=%llu", (unsigned long long)s->st.st_ino);
  return NULL;
}

static int result_file(maps_cursor *c, sqlite3_context *ctx, int col) {
  int rc = load_row_stat(c);
  if (rc != SQLITE_OK) return rc;
  const struct stat *st = row_file(c);
  int dev_like = st && (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode));
  switch (col) {
  case COL_FILE_TYPE:
    if (st) sqlite3_result_text(ctx, pn_file_type_name(st->st_mode), -1, SQLITE_STATIC);
    break;
  case COL_FILE_SIZE:
    if (st && !dev_like) sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size);
    break;
  case COL_FILE_RDEV_MAJOR:
    if (dev_like) sqlite3_result_int64(ctx, major(st->st_rdev));
    break;
  case COL_FILE_RDEV_MINOR:
    if (dev_like) sqlite3_result_int64(ctx, minor(st->st_rdev));
    break;
  case COL_FILE_NLINK:
    if (st) sqlite3_result_int64(ctx, (sqlite3_int64)st->st_nlink);
    break;
  case COL_FILE_ERROR:
    if (c->note[0]) sqlite3_result_text(ctx, c->note, -1, SQLITE_TRANSIENT);
    break;
  }
  return SQLITE_OK;
}

/* lsof's lock character: by the maps' device and inode, as lsof checks. */
static int result_lock(maps_cursor *c, sqlite3_context *ctx) {
  map_file f = {c->map.dev_major, c->map.dev_minor, c->map.inode};
  if (no_file(&f)) return SQLITE_OK;
  int rc = pn_locks_load(&c->locks, &c->pc.fs, &c->pc.buf);
  if (rc != SQLITE_OK) return rc;
  char k = pn_locks_find(&c->locks, c->pc.pid, f.dev_major, f.dev_minor, f.inode);
  if (k) sqlite3_result_text(ctx, &k, 1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static void result_hex(sqlite3_context *ctx, uint64_t v, const char *fmt) {
  char text[24];
  int n = snprintf(text, sizeof text, fmt, (unsigned long long)v);
  sqlite3_result_text(ctx, text, n, SQLITE_TRANSIENT);
}

/* 1 when the row's path ends in the kernel's " (deleted)". */
static int path_deleted(const pn_map *m) {
  static const char suffix[] = " (deleted)";
  size_t sn = sizeof suffix - 1;
  return m->path.n > sn && memcmp(m->path.p + m->path.n - sn, suffix, sn) == 0;
}

static int mapsXColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  maps_cursor *c = (maps_cursor *)cur;
  const pn_map *m = &c->map;
  char dev[24];
  switch (col) {
  case COL_PID: sqlite3_result_int64(ctx, c->pc.pid); break;
  case COL_START: result_hex(ctx, m->start, "%llx"); break;
  case COL_END: result_hex(ctx, m->end, "%llx"); break;
  case COL_SIZE: sqlite3_result_int64(ctx, (sqlite3_int64)(m->end - m->start)); break;
  case COL_PERMS: sqlite3_result_text(ctx, m->perms, -1, SQLITE_TRANSIENT); break;
  case COL_OFFSET: sqlite3_result_int64(ctx, (sqlite3_int64)m->offset); break;
  case COL_DEV:
    snprintf(dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
    sqlite3_result_text(ctx, dev, -1, SQLITE_TRANSIENT);
    break;
  case COL_DEV_MAJOR: sqlite3_result_int64(ctx, m->dev_major); break;
  case COL_DEV_MINOR: sqlite3_result_int64(ctx, m->dev_minor); break;
  case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)m->inode); break;
  case COL_PATH:
    if (m->path.n) pn_result_text(ctx, m->path.p, m->path.n);
    break;
  case COL_DELETED:
    if (m->path.n) sqlite3_result_int(ctx, path_deleted(m));
    break;
  case COL_FIRST_MAPPING:
    if (c->first >= 0) sqlite3_result_int(ctx, c->first);
    break;
  case COL_EXE: sqlite3_result_int(ctx, is_exe(c)); break;
  case COL_LOCK: return result_lock(c, ctx);
  case COL_TID: pn_taskwalk_result_tid(&c->tw, ctx); break;
  case COL_TASKCMD: pn_taskwalk_result_name(&c->tw, ctx); break;
  case COL_TASKS: sqlite3_result_int(ctx, c->tw.value); break;
  default: return result_file(c, ctx, col);
  }
  return SQLITE_OK;
}

static const sqlite3_module process_maps_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = pn_vtab_xconnect,
    .xBestIndex = mapsXBestIndex,
    .xDisconnect = pn_vtab_disconnect,
    .xDestroy = pn_vtab_disconnect,
    .xOpen = mapsXOpen,
    .xClose = mapsXClose,
    .xFilter = mapsXFilter,
    .xNext = mapsXNext,
    .xEof = pn_cursor_eof,
    .xColumn = mapsXColumn,
    .xRowid = mapsXRowid,
};

const sqlite3_module *pn_process_maps_module(void) {
  return &process_maps_module;
}

/* The descriptor procnet.c registers the table with: just its schema. */
const char *const pn_process_maps_schema = MAPS_SCHEMA;
