/*
 * lsof.h: what the parts of `procnet lsof` share.
 *
 *   cmd_lsof.c     the command: its options and the run
 *   lsof_select.c  the selection: lsof's sets, exclusions and -s states as
 *                  one row condition, and the search items whose absence
 *                  makes lsof exit 1
 *   lsof_inet.c    -i addresses: [46][proto][@host][:ports]
 *   lsof_names.c   NAME arguments, +d DIR and +D DIR: the files they name
 *   lsof_query.c   the SELECT over the lsof view (and its one-port form),
 *                  the rows written, the exit status
 *   lsof_fields.c  -F: lsof's output for other programs
 *   lsof_endpoints.c  +E and -E: the ends of pipes, ptys, sockets... in NAME
 *
 * lsof's selection rules (lsof(8), OPTIONS): the sets below are ORed, or
 * ANDed with -a; the items of one set are ORed; exclusions (^PID, ^PGID,
 * ^USER, ^COMMAND) and -s state lists apply before any selection. Every
 * condition compares the lsof view's typed columns (pid, pgid, uid,
 * kind, family, local_port, ...), never its display text.
 */
#ifndef PROCNET_CLI_LSOF_H
#define PROCNET_CLI_LSOF_H

#include "cli.h"

/* A list of ids (pids, pgids, uids). */
typedef struct lsof_ids {
  sqlite3_int64 *v;
  int n;
} lsof_ids;

/* A list of words (command names, state names). */
typedef struct lsof_words {
  char **v;               /* NULL-terminated (cli_push_word) */
  int n;
} lsof_words;

/* -i4 / -i6 / -i without an address: which IP versions (lsof's FnetTy). */
typedef enum { LSOF_NET_NONE, LSOF_NET_ANY, LSOF_NET_4, LSOF_NET_6 } lsof_net;

/* A port or a range of them (lo == hi for one port). */
typedef struct lsof_ports {
  int lo, hi;
} lsof_ports;

/* One -i address: [46][protocol][@host][:port[,port|lo-hi]...]. */
typedef struct lsof_inet {
  char *text;             /* as typed (lsof reports it by its text) */
  int family;             /* 0, 4 or 6 */
  const char *kind;       /* "tcp", "udp", "udplite" or NULL (any) */
  lsof_words hosts;       /* canonical addresses; none: any host */
  lsof_ports *ports;      /* none: any port */
  int nports;
} lsof_inet;

/* -K: task rows. lsof 4.95 lists a row per thread's file (TID and
 * TASKCMD set) when nothing is selected; -K makes the task rows a
 * selection set of their own (ORed with the others, or ANDed with -a);
 * -K i leaves them out. */
typedef enum { LSOF_TASKS_DEFAULT, LSOF_TASKS_SELECT, LSOF_TASKS_IGNORE } lsof_tasks;

/* What the command line selects. [0]: included, [1]: excluded (^). */
typedef struct lsof_sel {
  const cli_command *cmd;     /* for messages */
  lsof_ids pids[2], pgids[2], uids[2];
  lsof_words cmds[2];         /* -c prefixes */
  lsof_words states[2];       /* -s TCP:STATE names (the kernel's) */
  lsof_net net;
  lsof_inet *inet;            /* -i addresses */
  int ninet;
  int unix_sockets;           /* -U */
  int names;                  /* NAME, +d or +D given */
  int nnames;                 /* named files (ids 1..nnames in lsof_names) */
  int name_errors;            /* names that could not be read */
  int and_all;                /* -a */
  lsof_tasks tasks;           /* -K */
  int by_nlink;               /* +L N: files linked fewer than N times */
  sqlite3_int64 nlink_below;
} lsof_sel;

/* ---- lsof_select.c -------------------------------------------------------- */

void lsof_sel_free(lsof_sel *s);
/* lsof's consistency checks: a command or a state both included and
 * excluded. CLI_OK or a usage error printed. */
int lsof_sel_check(const lsof_sel *s);

/* -p, -g: comma-separated numbers, ^ for exclusions. CLI_OK or a usage
 * error printed. */
int lsof_add_pids(lsof_sel *s, const char *list);
int lsof_add_pgids(lsof_sel *s, const char *list);
/* -u: login names (the users table of db) or uids, ^ for exclusions. */
int lsof_add_users(lsof_sel *s, sqlite3 *db, const char *list);
/* -c: a command name prefix, ^ excludes. */
int lsof_add_command(lsof_sel *s, const char *name);
/* -s PROTO:STATE[,STATE...] (^STATE excludes). */
int lsof_add_states(lsof_sel *s, const char *spec);
/* -i: v NULL (every Internet file), "4", "6", or an address. */
int lsof_add_inet(lsof_sel *s, const char *v);
/* +L N: the files linked fewer than N times (+L1: those unlinked). */
int lsof_add_nlink(lsof_sel *s, const char *n);

/* Whether the rows listed include task rows: the lsof_tasks view is read
 * (else the lsof view, which has no tid or taskcmd column). */
int lsof_reads_tasks(const lsof_sel *s);

/* ANDs into q the row condition of the whole selection: exclusions,
 * -s states, then the sets (ORed, or ANDed with -a). The columns are the
 * lsof view's, as l.COLUMN. */
void lsof_where(const lsof_sel *s, cli_query *q);

/* The search items over rows: a condition each (-i without an address,
 * each -i address, each -s TCP:STATE inclusion), found when a listed row
 * satisfies it. Appends ", (cond)" per item to sql; returns how many. */
int lsof_row_items(const lsof_sel *s, sqlite3_str *sql, cli_query *q, const char *wrap);

/* The search items over processes (-p, -g, -c inclusions), found when a
 * process that is not excluded matches: one statement, one column per
 * item. NULL (and *n 0) when there are none. */
char *lsof_proc_items_sql(const lsof_sel *s, cli_query *q, int *n);

/* ---- lsof_inet.c ---------------------------------------------------------- */

/* Parses an -i address. CLI_OK, or a usage error printed. */
int lsof_inet_parse(const cli_command *cmd, const char *spec, lsof_inet *out);
void lsof_inet_free(lsof_inet *a);
/* The row condition of an -i address, its parameters into q. */
void lsof_inet_cond(const lsof_inet *a, sqlite3_str *sql, cli_query *q);
/* What lsof's -i lists: the Internet sockets, as an SQL list of kinds. */
extern const char lsof_inet_kinds[];
/* The ports every address names, when each names at most `max` of them
 * (in all): the one-port fast path. The count, or -1 when an address
 * names no port or too many. *kinds: "tcp" or NULL (any), one for all. */
int lsof_inet_ports(const lsof_sel *s, sqlite3_int64 *ports, int max, const char **kind);

/* ---- lsof_names.c --------------------------------------------------------- */

/* A NAME argument: a file (matched by device and inode), a file system
 * root (every file on it), a unix socket's path (the sockets bound
 * there). A name that cannot be read is reported, counted in
 * s->name_errors, and matches nothing. */
int lsof_names_add(lsof_sel *s, sqlite3 *db, const char *name);
/* +d DIR (DIR and its entries) or +D DIR (the whole tree), not following
 * symbolic links nor crossing into other file systems. */
int lsof_names_add_dir(lsof_sel *s, sqlite3 *db, const char *dir, int whole_tree);
/* The id of the named file a row of the lsof view (alias l) is, or NULL:
 * by device and inode, or by socket inode. */
extern const char lsof_name_file_expr[];
/* The id of the named file system a row's file is on, or NULL. */
extern const char lsof_name_fs_expr[];

/* ---- lsof_query.c --------------------------------------------------------- */

/* How the rows are printed. */
typedef enum { LSOF_OUT_TABLE, LSOF_OUT_TERSE, LSOF_OUT_FIELDS } lsof_out;

/* +E / -E: each file's ends in NAME (-E), and their files listed (+E). */
typedef enum { LSOF_ENDS_NONE, LSOF_ENDS_NAMES, LSOF_ENDS_FILES } lsof_ends;

/* The options that shape the output. */
typedef struct lsof_view_opts {
  lsof_out out;
  int ppid, pgid;         /* -R, -g: the PPID and PGID columns */
  int uid_numbers;        /* -l */
  int size_only;          /* -s without p:s: SIZE instead of SIZE/OFF */
  int nlink;              /* +L: the NLINK column (-L: none) */
  int cmd_width;          /* +c W: 0 the whole name; default 9 */
  const char *fields;     /* -F: the field letters ("" = all) */
  lsof_ends endpoints;    /* -E, +E */
} lsof_view_opts;

/* The SELECT of the selection: its text (sqlite3_malloc'd) and
 * parameters into q; *hidden: its columns after the printed ones (the
 * search items'). NULL after printing an error. */
char *lsof_query_sql(sqlite3 *db, const cli_opts *o, const lsof_sel *s,
                     const lsof_view_opts *v, cli_query *q, int *hidden);

/* Prints the selection; returns lsof's exit status: 0 when every search
 * item was found, 1 when one was not or a name could not be read (or on
 * an error, printed). */
int lsof_run(sqlite3 *db, const cli_opts *o, const lsof_sel *s, const lsof_view_opts *v);

/* ---- lsof_fields.c -------------------------------------------------------- */

/* Whether every letter is one of lsof's field letters. */
int lsof_fields_valid(const char *letters);
/* The columns -F reads, as SQL over the lsof view (alias l); tasks: the
 * view is lsof_tasks (K and M have values); name: NAME's expression. The
 * open flags (G) are fds' (alias x): see lsof_fields_join. */
void lsof_fields_select(sqlite3_str *sql, const char *letters, int tasks, const char *name);
/* 1 when the letters select the open flags (G), which the query then
 * reads by joining each row to its descriptor in fds. */
int lsof_fields_want_flags(const char *letters);
/* What follows the listing's FROM ... WHERE ... when G is selected: the
 * listing is a subquery (l), each row joined to its descriptor (x). */
void lsof_fields_join(sqlite3_str *sql, int tasks);
/* Writes the rows of st (the columns of lsof_fields_select, then hidden
 * ones) as lsof -F does. SQLITE_DONE or the error. */
int lsof_fields_write(sqlite3_stmt *st, const char *letters, const cli_row_hooks *hooks,
                      FILE *out);

/* ---- lsof_endpoints.c ------------------------------------------------------ */

/* With +E or -E, "WITH ... " before the SELECT: the ends of every file
 * (lsof_ends: ends_pid, ends_fd, endpoints: names apart from
 * the view's), commands cut to +c's width. */
void lsof_ends_with(sqlite3_str *sql, const lsof_view_opts *v, cli_query *q);
/* NAME's expression over l: with +E or -E, the ends looked up in lsof_ends. */
const char *lsof_ends_name(const lsof_view_opts *v);
/* The row condition where: itself, or with +E, it or an end of a file it
 * lists (view: the view read, lsof or lsof_tasks). Parameters into q. */
void lsof_ends_where(sqlite3_str *sql, const lsof_view_opts *v, const char *view,
                     cli_query *q, cli_query *where);

#endif
