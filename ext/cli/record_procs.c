/*
 * record_procs.c: process and network namespace lifetimes for `procnet
 * record`; see record.h.
 *
 * Each sample lists every process by pid and start time (one read of
 * /proc/PID/stat and the ns/net link each); only a process not seen before
 * is read further (cmdline, status, cgroup). A pid seen with another start
 * time is a new process: the old one's lifetime ends there. The
 * namespaces are those of the processes (with --netns, the one).
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char Q_PROCESSES[] = "SELECT pid, start_time, netns, name FROM processes";
static const char Q_PROCESSES_NS[] =
    "SELECT pid, start_time, netns, name FROM processes WHERE netns = ?1";
/* What a new process's row holds; users gives the name of its uid. */
static const char Q_DETAILS[] =
    "SELECT p.pid, p.start_time, p.ppid, p.name, p.cmdline, p.uid, p.netns,"
    " n.container_id FROM processes p LEFT JOIN namespaces n ON n.pid = p.pid"
    " WHERE p.pid IN (SELECT pid FROM temp.rec_new_pids)";

static char *dup_or_null(const unsigned char *s) { return s ? strdup((const char *)s) : NULL; }

static void free_proc(rec_proc *p) {
  if (!p) return;
  free(p->name);
  free(p->container);
  free(p);
}

/* ---- users ----------------------------------------------------------------------- */

static int read_users(rec *r) {
  sqlite3_stmt *st = rec_src_prepare(r, "SELECT uid, name FROM users", 0);
  if (!st) return CLI_ERR;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t uid = sqlite3_column_int64(st, 0);
    if (cli_keymap_get(&r->users, &uid, sizeof uid)) continue; /* the first line wins */
    char *name = dup_or_null(sqlite3_column_text(st, 1));
    if (!name || cli_keymap_put(&r->users, &uid, sizeof uid, name) != 0) {
      free(name);
      sqlite3_finalize(st);
      return cli_error("out of memory");
    }
  }
  sqlite3_finalize(st);
  r->users_read = 1;
  return CLI_OK;
}

const char *rec_user_name(rec *r, int64_t uid) {
  const char *name = cli_keymap_get(&r->users, &uid, sizeof uid);
  /* a uid not seen before: /etc/passwd may have grown, read it again
   * (once per sample at most) */
  if (!name && !r->users_read && read_users(r) == CLI_OK)
    name = cli_keymap_get(&r->users, &uid, sizeof uid);
  return name;
}

/* ---- namespaces seen through the processes ------------------------------------------ */

rec_net *rec_net_of(rec *r, int64_t netns) {
  return cli_keymap_get(&r->nets, &netns, sizeof netns);
}

static void free_net(void *val) {
  rec_net *n = val;
  if (n->fd >= 0) close(n->fd);
  free(n->container);
  free(n);
}

/* Marks namespace netns seen in this sample, through process pid. */
static int see_netns(rec *r, int64_t netns, int64_t pid) {
  rec_net *n = rec_net_of(r, netns);
  if (!n) {
    n = calloc(1, sizeof *n);
    if (!n || cli_keymap_put(&r->nets, &netns, sizeof netns, n) != 0) {
      free(n);
      return cli_error("out of memory");
    }
    n->netns = netns;
    n->fd = -1;
  }
  if (n->gen != r->gen) n->pid = pid;
  n->gen = r->gen;
  return CLI_OK;
}

/* ---- processes ------------------------------------------------------------------------ */

/* Ends the lifetime of p, gone by this sample. */
static int end_process(rec *r, rec_proc *p) {
  return rec_wrote(r, rec_db_run(&r->out, REC_PROC_GONE, "IRR", p->id, r->prev, r->now),
                   "ending a process");
}

/* Queues pid for Q_DETAILS. */
static int queue_pid(rec *r, sqlite3_stmt *queue, int64_t pid) {
  int rc = sqlite3_bind_int64(queue, 1, pid) == SQLITE_OK && sqlite3_step(queue) == SQLITE_DONE
               ? CLI_OK : rec_src_error(r);
  sqlite3_reset(queue);
  return rc;
}

/* The same process under another name: it ran exec. */
static int renamed(const rec_proc *p, sqlite3_stmt *st) {
  const char *name = (const char *)sqlite3_column_text(st, 3);
  return name && (!p->name || strcmp(p->name, name));
}

/* One row of the process list: seen again, or new (its pid queued for
 * Q_DETAILS), or seen under a new name (queued too, to update its row). */
static int see_process(rec *r, sqlite3_stmt *st, sqlite3_stmt *queue) {
  int64_t pid = sqlite3_column_int64(st, 0), start = sqlite3_column_int64(st, 1);
  rec_proc *p = cli_keymap_get(&r->procs, &pid, sizeof pid);
  int rc = CLI_OK;
  r->c.processes++;
  if (sqlite3_column_type(st, 2) == SQLITE_INTEGER)
    rc = see_netns(r, sqlite3_column_int64(st, 2), pid);
  if (rc != CLI_OK) return rc;
  if (p && p->start_time == start) {
    p->gen = r->gen;
    return renamed(p, st) ? queue_pid(r, queue, pid) : CLI_OK;
  }
  if (p) { /* the pid was reused: that process is over */
    if ((rc = end_process(r, p)) != CLI_OK) return rc;
    free_proc(p);
    if (cli_keymap_put(&r->procs, &pid, sizeof pid, NULL) != 0) return cli_error("out of memory");
  }
  return queue_pid(r, queue, pid);
}

/* A process that ran exec: its row and entry get the new name and
 * command line (its sockets keep the name they were first seen with). */
static int exec_process(rec *r, rec_proc *p, sqlite3_stmt *st) {
  char *name = dup_or_null(sqlite3_column_text(st, 3));
  if (!name) return cli_error("out of memory");
  free(p->name);
  p->name = name;
  int rc = rec_db_run(&r->out, REC_PROC_EXEC, "ITT", p->id, p->name,
                      (const char *)sqlite3_column_text(st, 4));
  return rec_wrote(r, rc, "renaming a process");
}

/* A new process: its row, and its entry in procs. */
static int add_process(rec *r, sqlite3_stmt *st) {
  int64_t pid = sqlite3_column_int64(st, 0), uid = sqlite3_column_int64(st, 5);
  rec_proc *p = cli_keymap_get(&r->procs, &pid, sizeof pid);
  if (p && p->start_time == sqlite3_column_int64(st, 1)) return exec_process(r, p, st);
  p = calloc(1, sizeof *p);
  if (!p) return cli_error("out of memory");
  p->start_time = sqlite3_column_int64(st, 1);
  p->gen = r->gen;
  p->name = dup_or_null(sqlite3_column_text(st, 3));
  p->container = dup_or_null(sqlite3_column_text(st, 7));
  if (cli_keymap_put(&r->procs, &pid, sizeof pid, p) != 0) {
    free_proc(p);
    return cli_error("out of memory");
  }
  const char *user = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : rec_user_name(r, uid);
  int rc = rec_db_run(&r->out, REC_PROC_NEW, "IIIITTITITR", r->out.run, pid, p->start_time,
                      (int64_t)sqlite3_column_int64(st, 2), p->name,
                      (const char *)sqlite3_column_text(st, 4), uid, user,
                      (int64_t)sqlite3_column_int64(st, 6), p->container, r->now);
  p->id = rec_db_last_id(&r->out);
  return rec_wrote(r, rc, "adding a process");
}

static int add_new_processes(rec *r) {
  sqlite3_stmt *st = rec_src_prepare(r, Q_DETAILS, 0);
  int rc = st ? CLI_OK : CLI_ERR, step = SQLITE_DONE;
  while (rc == CLI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) rc = add_process(r, st);
  if (rc == CLI_OK && step != SQLITE_DONE) rc = rec_src_error(r);
  sqlite3_finalize(st);
  return rc;
}

/* Ends the lifetimes of the processes this sample did not see. */
static int sweep_process(void *arg, void *val) {
  rec *r = arg;
  rec_proc *p = val;
  if (p && p->gen == r->gen) return 1;
  if (p && !r->sweep_failed && end_process(r, p) != CLI_OK) r->sweep_failed = 1;
  free_proc(p);
  return 0;
}

int rec_scan_processes(rec *r) {
  if (rec_src_exec(r, "DELETE FROM temp.rec_new_pids") != CLI_OK) return CLI_ERR;
  sqlite3_stmt *st = rec_src_prepare(r, r->only_netns ? Q_PROCESSES_NS : Q_PROCESSES,
                                     r->only_netns);
  sqlite3_stmt *queue = st ? rec_src_prepare(r, "INSERT INTO temp.rec_new_pids VALUES (?1)", 0)
                           : NULL;
  int rc = queue ? CLI_OK : CLI_ERR, step = SQLITE_DONE;
  while (rc == CLI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) rc = see_process(r, st, queue);
  if (rc == CLI_OK && step != SQLITE_DONE) rc = rec_src_error(r);
  sqlite3_finalize(st);
  sqlite3_finalize(queue);
  if (rc == CLI_OK) rc = add_new_processes(r);
  if (rc == CLI_OK) cli_keymap_sweep(&r->procs, sweep_process, r);
  return r->sweep_failed ? CLI_ERR : rc;
}

/* ---- namespaces ------------------------------------------------------------------------- */

typedef struct new_nets {
  rec_net **v;
  int n, oom;
  unsigned gen;
} new_nets;

static int gather_new(void *arg, void *val) {
  new_nets *g = arg;
  rec_net *n = val;
  if (n->id || n->gen != g->gen) return 1;
  rec_net **v = realloc(g->v, (size_t)(g->n + 1) * sizeof *v);
  if (!v) g->oom = 1;
  else (g->v = v)[g->n++] = n;
  return 1;
}

/* The container of a namespace: that of the process it was seen through. */
static char *container_of(rec *r, const rec_net *n) {
  rec_proc *p = cli_keymap_get(&r->procs, &n->pid, sizeof n->pid);
  return p && p->container ? strdup(p->container) : NULL;
}

static int add_namespaces(rec *r, new_nets *g) {
  const char **why = calloc((size_t)g->n + 1, sizeof *why);
  int rc = why ? rec_subscribe(r, g->v, g->n, why) : cli_error("out of memory");
  for (int i = 0; rc == CLI_OK && i < g->n; i++) {
    rec_net *n = g->v[i];
    n->container = container_of(r, n);
    rc = rec_wrote(r, rec_db_run(&r->out, REC_NETNS_NEW, "IITRIT", r->out.run, n->netns,
                                 n->container, r->now, (int64_t)(n->fd >= 0), why[i]),
                   "adding a namespace");
    n->id = rec_db_last_id(&r->out);
  }
  free(why);
  return rc;
}

static int sweep_netns(void *arg, void *val) {
  rec *r = arg;
  rec_net *n = val;
  if (n->gen == r->gen) return 1;
  if (!r->sweep_failed &&
      (rec_unsubscribe(r, n) != CLI_OK ||
       rec_wrote(r, rec_db_run(&r->out, REC_NETNS_GONE, "IR", n->id, r->now),
                 "ending a namespace") != CLI_OK))
    r->sweep_failed = 1;
  free_net(n);
  return 0;
}

int rec_scan_namespaces(rec *r) {
  new_nets g = {NULL, 0, 0, r->gen};
  cli_keymap_sweep(&r->nets, gather_new, &g);
  int rc = g.oom ? cli_error("out of memory") : g.n ? add_namespaces(r, &g) : CLI_OK;
  free(g.v);
  if (rc == CLI_OK) cli_keymap_sweep(&r->nets, sweep_netns, r);
  if (r->sweep_failed) return CLI_ERR;
  r->c.namespaces = (int64_t)r->nets.n;
  return rc == CLI_OK ? rec_list_fds(r) : rc;
}

/* ---- the end -------------------------------------------------------------------------- */

static void free_proc_val(void *val) { free_proc(val); }

void rec_procs_free(rec *r) {
  cli_keymap_clear(&r->procs, free_proc_val);
  cli_keymap_clear(&r->nets, free_net);
  cli_keymap_clear(&r->users, free);
}
