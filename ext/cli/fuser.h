/*
 * fuser.h: what cmd_fuser.c (the command, psmisc's output) and
 * fuser_match.c (the SQL) share.
 */
#ifndef PROCNET_CLI_FUSER_H
#define PROCNET_CLI_FUSER_H

#include <sys/types.h>

#include "cli.h"

typedef enum { FUSER_FILE, FUSER_TCP, FUSER_UDP } fuser_space;

/* One NAME of the command line. */
typedef struct fuser_name {
  const char *given;      /* as typed */
  char *spec;             /* without its /tcp, /udp or /file (malloc'd) */
  char *display;          /* as fuser prints it: the resolved path, or
                             "PORT/tcp" (malloc'd) */
  fuser_space space;
  int mounts;             /* -m was given before it */
  int usable;             /* it parsed (a file that exists, a port that
                             resolves); otherwise nothing matches */
  /* files */
  long long dev_major, dev_minor, inode;
  /* sockets: [PORT][,[RHOST][,[RPORT]]]; 0 / NULL: any */
  int local_port, remote_port;
  char *remote_addr;      /* canonical text, malloc'd */
} fuser_name;

typedef struct fuser_opts {
  int verbose, user, silent, all, ipv4_only, ipv6_only, mounts;
  fuser_space space;      /* -n: the space of names without a suffix */
  long long self_pid;     /* fuser never lists itself */
} fuser_opts;

/* The processes using n: rows (pid, f, fw, r, c, e, m, user, command) in
 * pid order. CLI_OK with *st, or CLI_ERR once printed. */
int fuser_query(sqlite3 *db, const cli_opts *o, const fuser_name *n,
                const fuser_opts *fo, sqlite3_stmt **st);

#endif
