/*
 * cursor.h: the start of every cursor and the walk over processes (layer 3
 * helpers): which processes a scan visits (the listed pids, or a lazy
 * listing of the root), and the directory of the one it is at.
 */
#ifndef PROCNET_CURSOR_H
#define PROCNET_CURSOR_H

#include "constraint.h"
#include "vtab.h"

/* ---- which processes a scan visits ---------------------------------------- */
typedef struct pn_pidsrc {
  const pn_i64list *list;   /* the pids walked: asked for, or &listed */
  int at;                   /* next index into list */
  pn_i64list listed;        /* the root's pids, when none were asked for */
} pn_pidsrc;
/* Starts a walk; with list == NULL over every pid of the root, listed
 * first and sorted. The tables promise SQLite rows in pid order, and only
 * the kernel's /proc lists pids in that order: a directory given as the
 * root (--root, a fixture) lists them in any. SQLITE_OK or an error code
 * (the root cannot be listed). */
int pn_pidsrc_start(pn_pidsrc *s, const pn_fs *fs, const pn_i64list *list);
/* Next pid; returns 1 with *pid or 0 at the end. */
int pn_pidsrc_next(pn_pidsrc *s, sqlite3_int64 *pid);
/* Ends a walk (it may start again); pn_pidsrc_free also frees. */
void pn_pidsrc_end(pn_pidsrc *s);
void pn_pidsrc_free(pn_pidsrc *s);

/* ---- the start of every cursor ------------------------------------------ */
typedef struct pn_cursor {
  sqlite3_vtab_cursor base;
  pn_fs fs;                 /* the connection's root, opened for this cursor */
  pn_buf buf;               /* scratch for reads */
  pn_i64list pids;          /* the values of a pid constraint */
  pn_pidsrc src;            /* the walk over processes */
  sqlite3_int64 pid;        /* the process the walk is at */
  int piddir;               /* its directory, or -1 */
  sqlite3_int64 dirpid;     /* whose directory piddir is */
  int eof;
} pn_cursor;
/* xOpen for every table: `size` zeroed bytes of a struct that starts with
 * a pn_cursor, with the root opened. */
int pn_cursor_open(sqlite3_vtab *tab, size_t size, sqlite3_vtab_cursor **out);
/* Frees what the pn_cursor part holds, then the cursor. */
void pn_cursor_free(pn_cursor *c);
int pn_cursor_eof(sqlite3_vtab_cursor *cur);
/* xFilter for tables walked process by process: takes the pid constraint
 * of idxNum (argv[0], PN_IDX_PID / PN_IDX_PID_LIST) into c->pids and starts
 * the walk over those pids, or over `all` (NULL: list the root). */
int pn_cursor_walk(pn_cursor *c, int idxNum, sqlite3_value **argv,
                   const pn_i64list *all);
/* Moves the walk to the next process that is still there, with its
 * directory open in c->piddir (c->pid). SQLITE_ROW, SQLITE_DONE at the
 * end, or SQLITE_NOMEM. */
int pn_cursor_next_process(pn_cursor *c);
/* Opens c->pid's directory into c->piddir unless it is open: 1, or 0 when
 * the process is gone. For cursors that move to a pid of their own. */
int pn_cursor_open_piddir(pn_cursor *c);
void pn_cursor_close_piddir(pn_cursor *c);
/* Makes pid the cursor's process with its directory in c->piddir, kept
 * when it is already pid's (an inner loop that looks a process's
 * descriptors up one by one opens its directory once). PN_OK, or the
 * verdict of opening it (piddir is then -1). */
pn_res pn_cursor_enter_pid(pn_cursor *c, sqlite3_int64 pid, int *err);

#endif
