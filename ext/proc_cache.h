/*
 * proc_cache.h: the processes a statement has loaded, shared by every
 * `processes` cursor the connection has open at once.
 *
 * A view that lists several kinds of rows per process (lsof's directories,
 * mapped files and descriptors) joins `processes` once per kind: three
 * cursors, each asking for every process. They share one cache, so each
 * process's files are read once, whichever cursor asks first; a cursor that
 * needs a source the others did not ask for reads just that one.
 *
 * Which cursors share: those opened together. SQLite opens a statement's
 * cursors as it starts (a view's arms within milliseconds of each other)
 * but tells a table nothing of which statement a cursor belongs to, so a
 * cursor joins the connection's current cache only if that cache was
 * begun less than PN_PROC_CACHE_SHARE_MS ago, and begins a new one
 * otherwise. A statement that another has left open therefore never
 * answers from what that one read long before; each cache goes with the
 * last of its cursors.
 *
 * Rows are allocated one by one and never move: a cursor keeps pointing at
 * its current row while other cursors add theirs.
 */
#ifndef PROCNET_PROC_CACHE_H
#define PROCNET_PROC_CACHE_H

#include "parse.h"
#include "vtab.h"

/* One loaded process. Strings are owned (sqlite3_malloc). */
typedef struct proc_row {
  sqlite3_int64 pid;
  int loaded;               /* the sources read (table_processes.c's NEED_*) */
  int present;              /* 0 when the process was not there */
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

typedef struct pn_proc_cache pn_proc_cache;

#define PN_PROC_CACHE_SHARE_MS 100

/* The connection's current cache, or a new one (see above), with one more
 * cursor on it. */
int pn_proc_cache_open(pn_ctx *ctx, pn_proc_cache **out);

/* One cursor fewer; the last one frees the cache and its rows. */
void pn_proc_cache_close(pn_ctx *ctx, pn_proc_cache *cache);

/* pid's row, or NULL when none was made. pid > 0. */
proc_row *pn_proc_cache_find(pn_proc_cache *cache, sqlite3_int64 pid);

/* A new, empty row for pid (not yet found), or NULL when out of memory. */
proc_row *pn_proc_cache_add(pn_proc_cache *cache, sqlite3_int64 pid);

#endif
