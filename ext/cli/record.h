/*
 * record.h: what the files of `procnet record` share.
 *
 *   cmd_record.c      the command line, the loop, one sample's steps
 *   record_db.c       the history database (sql/history.sql): one recorder
 *                     at a time, its schema, the statements that write it
 *   record_procs.c    processes and network namespaces: lifetimes
 *   record_socks.c    sockets: lifetimes, states, holders, and what the
 *                     destroy notifications add
 *   record_destroy.c  the destroy notifications of every namespace
 *
 * Two connections: `src`, in memory with procnet (what is there now), and
 * the history file, a plain database that holds no procnet function, so
 * that a file someone hands over cannot call one. A sample is one
 * transaction on the file: it is there whole or not at all.
 *
 * What is open is kept in memory between samples (keymap.h): processes by
 * pid, sockets by identity, namespaces by inode, each with the id of its
 * row. A sample marks what it sees with its number (gen); what the last
 * sample saw and this one does not is over. So a steady socket costs a
 * hash lookup per sample and no write.
 */
#ifndef PROCNET_CLI_RECORD_H
#define PROCNET_CLI_RECORD_H

#include "cli.h"
#include "keymap.h"

#include <stdint.h>

/* ---- the history database (record_db.c) ------------------------------------ */

typedef enum rec_stmt {
  REC_BEGIN, REC_COMMIT, REC_ROLLBACK,
  REC_RUN_SAMPLED, REC_RUN_ENDED, REC_SAMPLE,
  REC_PROC_NEW, REC_PROC_EXEC, REC_PROC_GONE,
  REC_NETNS_NEW, REC_NETNS_GONE,
  REC_SOCK_NEW, REC_SOCK_HOLDER, REC_SOCK_STATE, REC_STATE_NEW, REC_SOCK_GONE,
  REC_SOCK_DESTROYED, REC_SOCK_UNSEEN,
  REC_NSTMTS
} rec_stmt;

typedef struct rec_db {
  sqlite3 *db;
  const char *path;
  int lockfd;              /* the file, flock'ed: one recorder at a time */
  int64_t run;             /* this run's id in runs */
  sqlite3_stmt *st[REC_NSTMTS];
} rec_db;

/* What a run records about itself (runs). */
typedef struct rec_run_info {
  double started, interval;
  const char *root, *version, *destroy;
  int64_t netns;           /* 0: every namespace */
} rec_run_info;

/* Opens (or makes) the history file, takes its lock, checks or creates the
 * schema and starts a run. CLI_OK, or CLI_ERR after a clear message. */
int rec_db_open(rec_db *d, const char *path, const rec_run_info *info);
/* Runs statement `which` with the values fmt lists, one letter each:
 * I int64, R double, T text (NULL: SQL NULL), V an sqlite3_value (a
 * column of another statement, NULLs and types kept), N SQL NULL (no
 * argument).
 * SQLITE_DONE (or SQLITE_ROW) on success; the error code otherwise. */
int rec_db_run(rec_db *d, rec_stmt which, const char *fmt, ...);
/* The rowid of the last insert. */
int64_t rec_db_last_id(const rec_db *d);
/* Prints what went wrong writing the file (a full disk, a file size
 * limit, a read-only file...) and returns CLI_ERR. */
int rec_db_error(const rec_db *d, int rc, const char *doing);
/* Marks the run ended at `ended` (a clean stop; 0 after a failure: not
 * marked) and closes. */
void rec_db_close(rec_db *d, double ended);

/* ---- the recorder --------------------------------------------------------- */

typedef struct rec_counts {
  int64_t processes, namespaces, sockets, tcp, udp, unx;
  int64_t listen, established, close_wait, time_wait;
  int64_t opened, closed, destroyed, unseen, overflows;
} rec_counts;

/* A destroy notification, as much of it as is recorded. */
typedef struct rec_event {
  double time;
  int64_t netns;
  const char *kind;        /* "tcp" or "udp" */
  int family;              /* 4 or 6 */
  int state;
  char local[46], remote[46];
  int local_port, remote_port;
  uint64_t cookie;
  int has_bytes;
  uint64_t bytes_sent, bytes_received;
} rec_event;

typedef struct rec_events {
  rec_event *v;
  size_t n, cap;
} rec_events;

typedef struct rec {
  const cli_opts *o;
  sqlite3 *src;            /* procnet, in memory */
  rec_db out;
  void *fs;                /* the proc root (pn_fs), for namespace files */
  int64_t own_netns;       /* procnet_netns() */
  int64_t only_netns;      /* --netns: the one recorded, 0: every one */
  int destroy_mode;        /* 0 off, 1 the own namespace, 2 every one */
  unsigned gen;            /* this sample's number */
  double now, prev;        /* this sample's time, the previous one's */
  cli_keymap procs;        /* pid -> rec_proc */
  cli_keymap socks;        /* socket identity -> rec_sock */
  cli_keymap nets;         /* netns -> rec_net */
  cli_keymap time_wait;    /* the addresses of this sample's TIME_WAIT
                              sockets (see record_socks.c) */
  cli_keymap users;        /* uid -> name */
  int users_read;          /* the users table was read this sample */
  rec_events events;       /* notifications waiting for the next sample */
  int *fds;                /* the subscriptions, for the ticker's wait */
  int64_t *fd_nets;        /* ... and their namespaces */
  int nfds;
  rec_counts c;
  int sweep_failed;        /* a write failed during a sweep (printed) */
  double holders_next;     /* CLOCK_MONOTONIC seconds: when the holders of
                              new sockets may be looked up again */
  int64_t holders_wanted;  /* new sockets waiting for that */
} rec;

typedef struct rec_proc {
  int64_t id, start_time;
  unsigned gen;
  char *name, *container;
} rec_proc;

typedef struct rec_net {
  int64_t id;              /* its netns_history row, 0 until written */
  int64_t netns;
  unsigned gen;
  int fd;                  /* its subscription, or -1 */
  int64_t pid;             /* a process in it (this sample) */
  char *container;
} rec_net;

/* record_procs.c: the processes of this sample into procs (new lifetimes
 * written, ended ones closed), then the namespaces they are in. */
int rec_scan_processes(rec *r);
int rec_scan_namespaces(rec *r);
/* The name of uid, or NULL. */
const char *rec_user_name(rec *r, int64_t uid);
/* The namespace map's entry, or NULL. */
rec_net *rec_net_of(rec *r, int64_t netns);
void rec_procs_free(rec *r);

/* record_socks.c: the sockets of this sample, then the notifications
 * gathered since the last one, then the lifetimes that ended. */
int rec_scan_sockets(rec *r);
int rec_apply_events(rec *r);
int rec_end_sockets(rec *r);
void rec_socks_free(rec *r);

/* record_destroy.c: subscriptions to the destroy notifications (one per
 * namespace, where r->destroy_mode allows; r->fds lists them for the
 * ticker) and the notifications they bring into r->events. */
/* Subscribes in each of the n namespaces: news[i]->fd, and why[i] NULL or
 * why not. CLI_OK, or CLI_ERR after printing (out of memory). */
int rec_subscribe(rec *r, rec_net **news, int n, const char **why);
/* Reads what is waiting on subscription n, then closes it. */
int rec_unsubscribe(rec *r, rec_net *n);
/* Rebuilds r->fds from the namespaces' subscriptions. CLI_OK or CLI_ERR. */
int rec_list_fds(rec *r);
/* Reads what subscription i (of r->fds) has: CLI_OK or CLI_ERR. */
int rec_read_events(rec *r, int i);
/* Reads every subscription. */
int rec_read_all_events(rec *r);
void rec_events_free(rec *r);

/* cmd_record.c: statements on src. A prepared statement (with the one
 * integer `bind` bound to ?1 when bind != 0), or NULL after printing. */
sqlite3_stmt *rec_src_prepare(rec *r, const char *sql, int64_t bind);
/* Runs a statement on src that returns nothing; CLI_OK or CLI_ERR. */
int rec_src_exec(rec *r, const char *sql);
/* Prints the error of src; CLI_ERR. */
int rec_src_error(rec *r);
/* A statement on the history file: CLI_OK when rc is SQLITE_DONE, else
 * the error printed (rec_db_error) and CLI_ERR. */
int rec_wrote(rec *r, int rc, const char *doing);

#endif
