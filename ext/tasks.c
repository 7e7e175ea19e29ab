/*
 * tasks.c: a process's threads as lsof lists them; see tasks.h.
 */
#include "tasks.h"

#include "parse.h"
#include "sort.h"
#include "vtab_common.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void pn_tasks_free(pn_tasks *t) {
  sqlite3_free(t->v);
  pn_buf_free(&t->names);
  memset(t, 0, sizeof *t);
}

static int cmp_task(const void *a, const void *b) {
  const pn_task *x = a, *y = b;
  return (x->tid > y->tid) - (x->tid < y->tid);
}

/* Adds task tid unless it is gone, unreadable or a zombie. 0, or -1 when
 * out of memory. */
static int add_task(const pn_fs *fs, int piddir, sqlite3_int64 tid, pn_tasks *out,
                    pn_buf *scratch) {
  char rel[48];
  int err;
  pn_stat st;
  snprintf(rel, sizeof rel, "task/%lld/stat", (long long)tid);
  pn_res r = pn_read_file(fs, piddir, rel, scratch, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? -1 : 0;
  if (pn_parse_stat(scratch->p, scratch->n, &st) != 0 || st.state == 'Z') return 0;
  pn_task *v = pn_array_room(out->v, out->n, &out->cap, sizeof *v, 8);
  if (!v || pn_buf_grow(&out->names, st.comm.n + 1) != 0) {
    if (v) out->v = v;
    return -1;
  }
  out->v = v;
  pn_task *t = &out->v[out->n++];
  t->tid = tid;
  t->shares[0] = t->shares[1] = -1;
  t->name_at = out->names.n;
  t->name_len = st.comm.n;
  memcpy(out->names.p + out->names.n, st.comm.p, st.comm.n);
  out->names.n += st.comm.n;
  return 0;
}

/* The number of threads of the process: PID/task's link count is two more
 * (proc_task_getattr). 0 when it cannot be told. */
static nlink_t thread_count(int piddir) {
  struct stat st;
  if (fstatat(piddir, "task", &st, 0) != 0 || st.st_nlink < 2) return 0;
  return st.st_nlink - 2;
}

pn_res pn_tasks_list(const pn_fs *fs, int piddir, sqlite3_int64 pid, pn_tasks *out,
                     pn_buf *scratch, int *err) {
  *err = 0;
  out->n = 0;
  out->names.n = 0;
  if (thread_count(piddir) == 1) return PN_OK;
  void *dir;
  pn_res r = pn_open_dir(fs, piddir, "task", &dir, err);
  if (r != PN_OK) return pn_is_nomem(r, *err) ? r : PN_OK;
  int64_t tid;
  int rc = 0;
  while (rc == 0 && pn_next_numeric(dir, &tid))
    if (tid != pid) rc = add_task(fs, piddir, tid, out, scratch);
  pn_close_dir(dir);
  if (rc != 0) {
    *err = ENOMEM;
    return PN_FAIL;
  }
  pn_sort(out->v, out->n, sizeof *out->v, cmp_task);
  return PN_OK;
}

int pn_task_shares(sqlite3_int64 pid, sqlite3_int64 tid, pn_share what) {
  int type = what == PN_SHARE_FILES ? KCMP_FILES : KCMP_FS;
  return syscall(SYS_kcmp, (pid_t)pid, (pid_t)tid, type, 0, 0) == 0;
}

pn_res pn_open_task(const pn_fs *fs, int piddir, sqlite3_int64 tid, int *fd,
                    int *err) {
  char rel[32];
  snprintf(rel, sizeof rel, "task/%lld", (long long)tid);
  return pn_open_subdir(fs, piddir, rel, fd, err);
}

/* ---- the connection's share ------------------------------------------------- */

/* The threads of each process met in this statement, by pid (open
 * addressing; pid 0 is an empty slot). Each list has its own allocation:
 * walks hold it while the table grows. */
typedef struct task_entry {
  sqlite3_int64 pid;
  pn_tasks *tasks;
} task_entry;

typedef struct pn_taskshare {
  int cursors;
  int kcmp_ok;              /* the root's pids are the caller's; -1 unknown */
  task_entry *v;
  size_t cap, n;
} pn_taskshare;

static int share_open(pn_ctx *ctx, pn_taskshare **out) {
  if (!ctx->taskshare) {
    pn_taskshare *sh = sqlite3_malloc(sizeof *sh);
    if (!sh) return SQLITE_NOMEM;
    memset(sh, 0, sizeof *sh);
    sh->kcmp_ok = -1;
    ctx->taskshare = sh;
  }
  *out = ctx->taskshare;
  (*out)->cursors++;
  return SQLITE_OK;
}

static void share_close(pn_ctx *ctx, pn_taskshare *sh) {
  if (--sh->cursors > 0) return;
  for (size_t i = 0; i < sh->cap; i++)
    if (sh->v[i].tasks) {
      pn_tasks_free(sh->v[i].tasks);
      sqlite3_free(sh->v[i].tasks);
    }
  sqlite3_free(sh->v);
  sqlite3_free(sh);
  ctx->taskshare = NULL;
}

static task_entry *share_slot(task_entry *v, size_t cap, sqlite3_int64 pid) {
  size_t i = (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
  while (v[i].pid && v[i].pid != pid) i = (i + 1) & (cap - 1);
  return &v[i];
}

/* Room for one more process, rehashing into a table twice the size. */
static int share_room(pn_taskshare *sh) {
  if ((sh->n + 1) * 2 <= sh->cap) return SQLITE_OK;
  size_t cap = sh->cap ? sh->cap * 2 : 64;
  task_entry *v = sqlite3_malloc64(cap * sizeof *v);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, cap * sizeof *v);
  for (size_t i = 0; i < sh->cap; i++)
    if (sh->v[i].pid) *share_slot(v, cap, sh->v[i].pid) = sh->v[i];
  sqlite3_free(sh->v);
  sh->v = v;
  sh->cap = cap;
  return SQLITE_OK;
}

/* The threads of pid, listed on first use. */
static int share_tasks(pn_taskshare *sh, const pn_fs *fs, int piddir, sqlite3_int64 pid,
                       pn_buf *scratch, pn_tasks **out) {
  int err;
  if (sh->cap) {
    task_entry *e = share_slot(sh->v, sh->cap, pid);
    if (e->pid == pid) {
      *out = e->tasks;
      return SQLITE_OK;
    }
  }
  pn_tasks *t = sqlite3_malloc(sizeof *t);
  if (!t || share_room(sh) != SQLITE_OK) {
    sqlite3_free(t);
    return SQLITE_NOMEM;
  }
  memset(t, 0, sizeof *t);
  pn_res r = pn_tasks_list(fs, piddir, pid, t, scratch, &err);
  if (pn_is_nomem(r, err)) {
    pn_tasks_free(t);
    sqlite3_free(t);
    return SQLITE_NOMEM;
  }
  task_entry *e = share_slot(sh->v, sh->cap, pid);
  e->pid = pid;
  e->tasks = t;
  sh->n++;
  *out = t;
  return SQLITE_OK;
}

/* ---- the walk -------------------------------------------------------------- */

void pn_taskwalk_init(pn_taskwalk *w, pn_ctx *ctx) {
  memset(w, 0, sizeof *w);
  w->dir = -1;
  w->ctx = ctx;
}

static void close_task_dir(pn_taskwalk *w) {
  if (w->dir >= 0) close(w->dir);
  w->dir = -1;
}

void pn_taskwalk_reset(pn_taskwalk *w) {
  close_task_dir(w);
  w->started = 0;
  w->tasks = NULL;
  w->next = 0;
  w->task = NULL;
}

void pn_taskwalk_free(pn_taskwalk *w) {
  pn_taskwalk_reset(w);
  if (w->share) share_close(w->ctx, w->share);
  w->share = NULL;
}

int pn_taskwalk_start(pn_taskwalk *w, const pn_fs *fs, int piddir,
                      sqlite3_int64 pid, pn_buf *scratch) {
  pn_taskwalk_reset(w);
  w->started = 1;
  if (!w->on || piddir < 0) return SQLITE_OK;
  if (!w->share && share_open(w->ctx, &w->share) != SQLITE_OK) return SQLITE_NOMEM;
  pn_tasks *t;
  if (share_tasks(w->share, fs, piddir, pid, scratch, &t) != SQLITE_OK)
    return SQLITE_NOMEM;
  w->tasks = t;
  return SQLITE_OK;
}

int pn_taskwalk_has_threads(const pn_taskwalk *w) { return w->tasks && w->tasks->n > 0; }

int pn_taskwalk_next(pn_taskwalk *w) {
  close_task_dir(w);
  if (!w->tasks || w->next >= w->tasks->n) {
    w->task = NULL;
    return 0;
  }
  w->task = &w->tasks->v[w->next++];
  return 1;
}

int pn_taskwalk_dir(pn_taskwalk *w, const pn_fs *fs, int piddir) {
  int err;
  if (w->dir >= 0) return 1;
  return w->task && pn_open_task(fs, piddir, w->task->tid, &w->dir, &err) == PN_OK;
}

int pn_taskwalk_shares(pn_taskwalk *w, const pn_fs *fs, sqlite3_int64 pid,
                       pn_share what) {
  if (!w->task || !w->share) return 0;
  if (w->share->kcmp_ok < 0) w->share->kcmp_ok = pn_fs_is_own_proc(fs);
  if (!w->share->kcmp_ok) return 0;
  signed char *known = &w->task->shares[what];
  if (*known < 0) *known = (signed char)pn_task_shares(pid, w->task->tid, what);
  return *known;
}

void pn_taskwalk_result_tid(const pn_taskwalk *w, sqlite3_context *ctx) {
  if (w->task) sqlite3_result_int64(ctx, w->task->tid);
}

void pn_taskwalk_result_name(const pn_taskwalk *w, sqlite3_context *ctx) {
  if (w->task)
    pn_result_text(ctx, w->tasks->names.p + w->task->name_at, w->task->name_len);
}

/* ---- planning ---------------------------------------------------------------- */

int pn_plan_tasks(sqlite3_index_info *info, int col_tasks, int col_tid,
                  int *argc) {
  int idx = 0;
  if (pn_claim_eq(info, col_tasks, argc, 0, NULL)) idx |= PN_IDX_TASKS;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    if (k->usable && k->iColumn == col_tid && k->op == SQLITE_INDEX_CONSTRAINT_ISNULL) {
      info->aConstraintUsage[i].omit = 1; /* exactly the rows the plan gives */
      idx |= PN_IDX_NO_TASKS;
    }
  }
  return idx;
}

int pn_plan_may_list_tasks(int idx) {
  return (idx & PN_IDX_TASKS) && !(idx & PN_IDX_NO_TASKS);
}

int pn_taskwalk_filter(pn_taskwalk *w, int idxNum, sqlite3_value *arg) {
  sqlite3_int64 v = 0;
  pn_taskwalk_reset(w);
  w->on = w->value = 0;
  if (!(idxNum & PN_IDX_TASKS) || !arg) return 1;
  if (!pn_value_int64(arg, &v) || (v != 0 && v != 1)) return 0;
  w->value = (int)v;
  w->on = v == 1 && !(idxNum & PN_IDX_NO_TASKS);
  return 1;
}
