/*
 * fds_rows.h: where the rows of the `fds` table come from (fds_rows.c):
 * walking processes (the pid plan and the full scan, with their threads'
 * rows) and the inode index (lookups and the socket scan). table_fds.c
 * holds the table itself: its schema, its plans and its columns.
 */
#ifndef PROCNET_FDS_ROWS_H
#define PROCNET_FDS_ROWS_H

#include "fd_share.h"
#include "fdahead.h"
#include "fdrow.h"
#include "fdscan.h"
#include "tasks.h"
#include "vtab_common.h"

/* idxNum bits (table_fds.c says what each means) */
#define IDX_PID PN_IDX_PID
#define IDX_INODE 0x2
#define IDX_LINK 0x4
#define IDX_SOCKET_SCAN 0x8
#define IDX_SOCKETS_ONLY 0x10
#define IDX_FD 0x20

typedef struct fds_cursor {
  pn_cursor pc;             /* pc.pid, pc.piddir: the process being walked */
  int idx;
  pn_fdnums fds;            /* its descriptor numbers (a listing) */
  size_t fdat;              /* the next of them */
  sqlite3_int64 listed_pid; /* whose listing fds holds, or -1 */
  pn_res list_res;          /* how that listing went */
  int list_err;
  const char *links_denied; /* a link of that listing could not be read:
                               why (then none can: see read_row_link) */
  /* inode plan */
  pn_fd_share *sh;          /* the connection's index (fd_share.h) */
  uint64_t want_inode;
  pn_fd_span spans[2];      /* the index entries this call visits */
  size_t ref_at[2];         /* the next of each */
  const pn_i64list *pid_filter; /* index lookups with a pid constraint too */
  int use_index;            /* this call answers from the index */
  int socket_scan;          /* this call lists every socket, in index order */
  int filters;              /* xFilter calls so far */
  int want_fd;              /* the descriptor a lookup by fd (IDX_FD) reads */
  /* threads (walk plans with tasks = 1) */
  pn_taskwalk tw;
  pn_fdrows saved;          /* the process's rows, for threads sharing them */
  int saving;               /* the rows of this process are being saved */
  int replaying;            /* this thread's rows are the saved ones */
  size_t replay_at;         /* the next of them */
  int row_pending_save;     /* the current row is to be saved when left */
  pn_fdlinks ahead;         /* links of a big listing read ahead: those */
  int have_ahead;           /* of fds.v[ahead_from...] */
  size_t ahead_from;
  int ahead_dir;            /* the directory listed, where they are read */
  pn_fdahead *pre;          /* a walk over many processes: their listings
                               and links, read by a helper (fdahead.h) */
  /* the current row */
  pn_fdenv env;
  pn_fdrow row;
} fds_cursor;

/* The directory the current row reads its parts from (c->env.dir), opened
 * when needed. 0: gone. */
int fds_ensure_dir(fds_cursor *c);

/* The walk plans: starts the helper that reads the listings ahead when the
 * walk visits several processes and wants their links; stops it. */
int fds_start_read_ahead(fds_cursor *c);
void fds_stop_read_ahead(fds_cursor *c);

/* The walk plans: moves to the next row of the walk over the processes
 * (and their threads) of c->pc's pid source. */
int fds_next_walk_row(fds_cursor *c);

/* The index plans: starts the scan of every socket descriptor, or the
 * lookup of c->want_inode, at its first row; then the next row. */
int fds_start_socket_scan(fds_cursor *c);
int fds_start_index_lookup(fds_cursor *c);
int fds_next_index_row(fds_cursor *c);

/* Makes the text of a link taken from the index (c->row.link_pending). */
int fds_make_pending_link(fds_cursor *c);

#endif
