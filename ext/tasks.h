/*
 * tasks.h: the threads of a process as lsof lists them (its "tasks"), for
 * the tables that can list a row per thread's file (`tasks = 1` in fds,
 * process_files, process_maps): every thread but the leader that is not a
 * zombie, ascending, with its command name; and whether a thread shares
 * the leader's descriptor table or directories (kcmp), so that its rows
 * are the leader's again instead of a second read of the same files.
 */
#ifndef PROCNET_TASKS_H
#define PROCNET_TASKS_H

#include <stddef.h>

#include "procfs.h"
#include "sqlite3ext.h"
#include "vtab.h"

typedef struct pn_task {
  sqlite3_int64 tid;
  size_t name_at, name_len; /* its command name, in pn_tasks.names */
  signed char shares[2];    /* pn_share: 1 yes, 0 no, -1 not asked yet */
} pn_task;

typedef struct pn_tasks {
  pn_task *v;
  size_t n, cap;
  pn_buf names;
} pn_tasks;

/* Lists the tasks of process pid, whose directory is piddir, into out:
 * none without a read when it has one thread (the link count of PID/task
 * counts them). PN_OK, or PN_FAIL with *err ENOMEM; a task that vanishes or
 * may not be read is left out, as lsof leaves it. scratch holds each
 * task's stat while it is read. */
pn_res pn_tasks_list(const pn_fs *fs, int piddir, sqlite3_int64 pid, pn_tasks *out,
                     pn_buf *scratch, int *err);
void pn_tasks_free(pn_tasks *t);

/* What a thread may share with its leader. */
typedef enum pn_share { PN_SHARE_FILES = 0, PN_SHARE_FS = 1 } pn_share;

/* 1 when thread tid shares `what` (its descriptor table; its working and
 * root directories) with process pid, both ids of the caller's own pid
 * namespace (pn_fs_is_own_proc); 0 when it does not or the kernel will not
 * say (no kcmp, not allowed): the caller then reads the thread's own. */
int pn_task_shares(sqlite3_int64 pid, sqlite3_int64 tid, pn_share what);

/* Opens the directory of task tid of piddir ("task/TID") as an O_PATH fd. */
pn_res pn_open_task(const pn_fs *fs, int piddir, sqlite3_int64 tid, int *fd,
                    int *err);

/* ---- the walk of a table over a process's threads -------------------------
 * For tables that list, after a process's own rows, the same rows for each
 * of its threads (`tasks = 1`): after the process's rows, start the walk;
 * each pn_taskwalk_next moves to the next thread, whose rows the table
 * lists with tid and taskcmd set. The threads of a process, and what each
 * shares with it, are found once per statement for every table that asks
 * (the connection's share, freed with its last cursor). */
struct pn_taskshare;
typedef struct pn_taskwalk {
  int on;                   /* task rows wanted (this xFilter) */
  int value;                /* the `tasks` column: the argument, or 0 */
  int started;              /* the process's threads are listed */
  struct pn_taskshare *share;
  pn_ctx *ctx;
  const pn_tasks *tasks;    /* of the current process (the share's) */
  size_t next;              /* index of the next thread in tasks */
  pn_task *task;            /* the thread being listed; NULL: the process */
  int dir;                  /* its directory, or -1 (pn_taskwalk_dir) */
} pn_taskwalk;

void pn_taskwalk_init(pn_taskwalk *w, pn_ctx *ctx);
void pn_taskwalk_free(pn_taskwalk *w);
/* Back to the process's own rows, forgetting its threads. */
void pn_taskwalk_reset(pn_taskwalk *w);
/* After the rows of process pid (directory piddir): lists its threads when
 * task rows are wanted. SQLITE_OK or SQLITE_NOMEM. */
int pn_taskwalk_start(pn_taskwalk *w, const pn_fs *fs, int piddir,
                      sqlite3_int64 pid, pn_buf *scratch);
/* 1 when the process has threads to list after its own rows. */
int pn_taskwalk_has_threads(const pn_taskwalk *w);
/* Moves to the next thread: 1, or 0 after the last (back on the process). */
int pn_taskwalk_next(pn_taskwalk *w);
/* The current thread's directory (opened on first use): 1, or 0 when it
 * is gone. */
int pn_taskwalk_dir(pn_taskwalk *w, const pn_fs *fs, int piddir);
/* 1 when the current thread shares `what` with process pid (its rows are
 * the process's again). */
int pn_taskwalk_shares(pn_taskwalk *w, const pn_fs *fs, sqlite3_int64 pid,
                       pn_share what);
/* The current thread's tid and command name into ctx (NULL on the
 * process's own rows). */
void pn_taskwalk_result_tid(const pn_taskwalk *w, sqlite3_context *ctx);
void pn_taskwalk_result_name(const pn_taskwalk *w, sqlite3_context *ctx);

/* ---- planning --------------------------------------------------------------
 * xBestIndex: claims `tasks = ?` on the hidden column col_tasks (as the
 * next argv slot) and `tid IS NULL` (which rules task rows out whatever
 * `tasks` says). Returns PN_IDX_TASKS and PN_IDX_NO_TASKS bits. */
#define PN_IDX_TASKS 0x10000
#define PN_IDX_NO_TASKS 0x20000
int pn_plan_tasks(sqlite3_index_info *info, int col_tasks, int col_tid,
                  int *argc);
/* 1 when the plan may give task rows (for the order it promises). */
int pn_plan_may_list_tasks(int idx);
/* xFilter: takes the `tasks` argument (arg, NULL without one) into w:
 * whether task rows are wanted, and the value the column shows. Returns 0
 * when no row can match: a value other than 0 and 1, the only ones the
 * column holds. */
int pn_taskwalk_filter(pn_taskwalk *w, int idxNum, sqlite3_value *arg);

#endif
