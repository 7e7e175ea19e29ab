/*
 * cli.h: the `procnet` command (issue 7), shared between its files.
 *
 *   main.c      global options, subcommand dispatch, usage, exit status
 *   db.c        the connection: procnet registered, --root, views, --netns
 *   query.c     a SELECT on a view built from fixed text and bound values
 *   output.c    table / CSV / JSON writers
 *   cmd_*.c     one file per subcommand: its options and its columns
 *
 * Exit status: 0 success, 1 SQL or runtime error (one line on stderr),
 * 2 bad usage (one line plus the usage line on stderr).
 *
 * Every value that comes from the command line reaches SQL as a bound
 * parameter; the SQL text itself is made only of the fixed pieces below.
 */
#ifndef PROCNET_CLI_H
#define PROCNET_CLI_H

#include <sqlite3.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_ERR = 1, CLI_USAGE = 2 };

typedef enum { CLI_TABLE, CLI_CSV, CLI_JSON } cli_format;

/* --netns: every namespace (the default), the reader's own, or one inode. */
typedef enum { CLI_NS_ALL, CLI_NS_SELF, CLI_NS_INODE } cli_ns_kind;

/* Options every subcommand accepts. */
typedef struct cli_opts {
  const char *root;   /* --root DIR, NULL: the default (/proc, $PROCNET_ROOT) */
  cli_format format;  /* --format */
  cli_ns_kind ns;     /* --netns */
  sqlite3_int64 ns_inode; /* with CLI_NS_INODE */
} cli_opts;

/* ---- main.c --------------------------------------------------------------- */

/* Prints "procnet: [CMD: ]MSG" and the usage line of cmd (NULL: the general
 * one) on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "procnet: MSG" on stderr; returns CLI_ERR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- db.c ----------------------------------------------------------------- */

/* Opens an in-memory database with procnet registered. With `setup`, also
 * sets the root of `o` and creates the views of sql/views.sql. On failure
 * prints the reason and returns NULL. */
sqlite3 *cli_db_open(const cli_opts *o, int setup);
void cli_db_close(sqlite3 *db);

/* The namespace inode --netns asks for (procnet_netns() for self). Returns
 * CLI_OK and sets *ino, or prints and returns CLI_ERR. Not for CLI_NS_ALL. */
int cli_netns_inode(sqlite3 *db, const cli_opts *o, sqlite3_int64 *ino);

/* 1 if the temporary view exists, 0 if not. */
int cli_view_exists(sqlite3 *db, const char *view);

/* ---- query.c -------------------------------------------------------------- */

/* A WHERE clause under construction: conditions joined by AND, each with its
 * own `?` parameters, appended in the order of the parameters. */
typedef struct cli_param {
  int is_text;
  sqlite3_int64 i;
  char *s; /* a copy, freed by cli_q_free */
} cli_param;

typedef struct cli_query {
  sqlite3_str *where; /* NULL until the first condition */
  cli_param *params;
  int nparams, cap;
  int oom;
} cli_query;

/* Appends `AND (cond)`; cond holds one `?` per parameter added next. */
void cli_q_and(cli_query *q, const char *cond);
/* A condition selected by a one-letter flag (ss -t, netstat -u, ...). */
typedef struct cli_flag_cond {
  char letter;
  const char *cond;
} cli_flag_cond;
/* ANDs into q the OR of the conditions whose letter is set in seen[];
 * nothing when none is. Returns how many were. */
int cli_q_and_flags(cli_query *q, const cli_flag_cond *conds, size_t n,
                    const char *seen);
void cli_q_int(cli_query *q, sqlite3_int64 v);
/* The --netns selection: nothing for all namespaces, else ANDs cond (with
 * one `?` for the namespace inode). CLI_OK, or CLI_ERR once printed. */
int cli_q_and_netns(sqlite3 *db, const cli_opts *o, cli_query *q,
                    const char *cond);
void cli_q_text(cli_query *q, const char *s);
void cli_q_free(cli_query *q);

/* A column printed by a subcommand: the view's column name (also the CSV
 * header and the JSON key) and the table header and alignment. */
typedef enum {
  CLI_LEFT,    /* text */
  CLI_RIGHT,   /* numbers */
  CLI_FD,      /* lsof's FD: right-aligned, "cwd " lined up with "3u" */
  CLI_ADDRPORT /* ss's Address:Port: address right, port left of the ':' */
} cli_align;

typedef struct cli_col {
  const char *name;
  const char *label;
  cli_align align;
} cli_col;

/* Runs SELECT <cols> FROM <view> [WHERE q] and writes the rows. Prints any
 * error; returns CLI_OK or CLI_ERR. */
int cli_run_view(sqlite3 *db, const cli_opts *o, const char *view,
                 const cli_col *cols, int ncols, cli_query *q);

/* What every view subcommand ends with: opens the database with the views,
 * ANDs the --netns selection (netns_cond, see cli_q_and_netns) into q, runs
 * cli_run_view and closes. q stays the caller's. CLI_OK or CLI_ERR. */
int cli_show_view(const cli_opts *o, const char *view, const cli_col *cols,
                  int ncols, cli_query *q, const char *netns_cond);

/* ---- output.c ------------------------------------------------------------- */

/* Steps st to the end and writes its rows to out. cols: the labels and
 * alignments (NULL: column names, numbers right-aligned). Returns the last
 * sqlite3_step code (SQLITE_DONE on success) or SQLITE_NOMEM. */
int cli_write_rows(sqlite3_stmt *st, const cli_col *cols, cli_format fmt,
                   FILE *out);

/* ---- args.c --------------------------------------------------------------- */

/* A long option that stands for a letter (--tcp for -t). */
typedef struct cli_long {
  const char *name;
  char letter;
} cli_long;

/* Parses a subcommand's options when they are all flags: letters, clusters
 * of them (-tanp) and the long names of `longs` (NULL-terminated). Sets
 * seen[c] for each letter c. Returns CLI_OK or a usage error. */
int cli_parse_flags(const char *cmd, int argc, char **argv, const char *letters,
                    const cli_long *longs, char seen[128]);

/* ---- subcommands ---------------------------------------------------------- */

/* argv[0] is the subcommand's name; global options are already removed. */
int cli_cmd_lsof(const cli_opts *o, int argc, char **argv);
int cli_cmd_ss(const cli_opts *o, int argc, char **argv);
int cli_cmd_netstat(const cli_opts *o, int argc, char **argv);
int cli_cmd_sql(const cli_opts *o, int argc, char **argv);

/* Usage lines, for errors and --help. */
extern const char cli_usage_general[];
extern const char cli_usage_lsof[];
extern const char cli_usage_ss[];
extern const char cli_usage_netstat[];
extern const char cli_usage_sql[];

#endif
