/*
 * cli.h: the `procnet` command, shared between its files.
 *
 *   main.c        global options before the command word, dispatch
 *   messages.c    errors, usage lines, the version
 *   commands.c    THE table: every command, its options, usage and help
 *   options.c     getopt_long over a command's table entry
 *   help.c        --help texts, made from the table
 *   complete.c    `procnet --complete`: bash completion from the table
 *   db.c          the connection: procnet registered, --root, views, --netns
 *   query.c       a SELECT built from fixed text and bound values
 *   output.c      table / CSV / JSON writers
 *   etcfiles.c    /etc/services and /etc/hosts, read directly (no NSS)
 *   net_timers.c  the timer text of ss -o and netstat -o, as SQL
 *   mounts.c      the mount points of /proc/self/mounts
 *   cmd_*.c       one file per command (ss: cmd_ss.c, ss_select.c,
 *                 ss_summary.c and the filter compiler ssfilter.c; lsof:
 *                 cmd_lsof.c and the lsof_*.c of lsof.h; graph:
 *                 cmd_graph.c, and graph_out.c for DOT, JSON and SVG;
 *                 watch: cmd_watch.c, watch_print.c; record: cmd_record.c
 *                 and record_*.c, see record.h)
 *   keymap.c      hash map and row diff (watch, record); ticker.c their clock
 *
 * Exit status: each command's usage errors exit as the real tool's do
 * (ss 255, netstat 3, fuser 1, lsof 1; sql and procnet itself 2);
 * run-time errors exit 1 (one line on stderr); fuser exits 1 when nothing
 * matched, lsof when a search item was not found.
 *
 * Every value that comes from the command line reaches SQL as a bound
 * parameter; the SQL text itself is made only of fixed pieces.
 */
#ifndef PROCNET_CLI_H
#define PROCNET_CLI_H

#include <sqlite3.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_ERR = 1, CLI_USAGE = 2 };

typedef enum { CLI_TABLE, CLI_CSV, CLI_JSON } cli_format;

/* --netns: every namespace (the default), the reader's own, or one inode. */
typedef enum { CLI_NS_ALL, CLI_NS_SELF, CLI_NS_INODE } cli_ns_kind;

/* --format dot and svg: pictures, for graph alone. */
typedef enum { CLI_NO_PICTURE, CLI_DOT, CLI_SVG } cli_picture;

/* Options every command accepts, wherever they stand on the line. */
typedef struct cli_opts {
  const char *root;   /* --root DIR, NULL: the default (/proc, $PROCNET_ROOT) */
  cli_format format;  /* --format */
  cli_ns_kind ns;     /* --netns */
  sqlite3_int64 ns_inode; /* with CLI_NS_INODE */
  const char *host_root; /* --host-root DIR, NULL: the default (/,
                            $PROCNET_HOST_ROOT) */
  cli_picture picture; /* --format dot or svg (format stays CLI_TABLE) */
  const struct cli_sink *sink; /* NULL: rows are written (see cli_sink) */
} cli_opts;

/* ---- the command table (commands.c) ---------------------------------------
 *
 * One entry per command: its name, the function that runs it, its options
 * (getopt's short string and long options are made from them), its usage
 * line and help, and what bash completion offers. */

/* Option codes that are not a letter. */
enum {
  CLI_OPERAND = 1,         /* a word that is not an option (getopt's "-" mode) */
  CLI_OPT_ROOT = 0x100,    /* the global options */
  CLI_OPT_FORMAT,
  CLI_OPT_NETNS,
  CLI_OPT_VERSION,
  CLI_OPT_HOST_ROOT,
  CLI_OPT_HELP = 'h',      /* -h and --help, for every command */
};
/* Long-only options of record. */
enum { CLI_OPT_DB = 0x300, CLI_OPT_DURATION };
/* lsof's +X options (+d DIR): the code of '+X'. */
#define CLI_PLUS(c) (0x200 + (c))
#define CLI_IS_PLUS(code) ((code) >= 0x200 && (code) < 0x300)

/* How an option takes its argument. */
typedef enum {
  CLI_ARG_NONE,
  CLI_ARG_REQUIRED,        /* attached (-p42) or the next word (-p 42) */
  CLI_ARG_OPTIONAL,        /* attached only (-i:80), or the next word when
                              the command's next_word_ok accepts it (-i :80) */
} cli_arg_kind;

typedef struct cli_option {
  int code;                /* the letter, a CLI_OPT_* or a CLI_PLUS() code */
  const char *long_name;   /* NULL: none */
  cli_arg_kind arg;
  const char *arg_name;    /* for usage and help: "FAMILY" */
  const char *needs;       /* the missing-argument message: "a process id" */
  const char *complete;    /* completion of the argument: words separated by
                              blanks, "@file", "@dir", "@netns", or NULL */
  const char *help;        /* one line for --help */
} cli_option;

struct cli_command;
typedef int (*cli_run_fn)(cli_opts *o, const struct cli_command *cmd,
                          int argc, char **argv);

typedef struct cli_command {
  const char *name;
  cli_run_fn run;
  const cli_option *options; /* ended by an entry with code 0 */
  const char *synopsis;    /* after "procnet NAME " in usage lines */
  const char *summary;     /* a paragraph for --help */
  const char *operands;    /* completion of words that are not options:
                              "@file", "@ssfilter" or NULL */
  int usage_status;        /* exit status of a usage error, as the tool's */
  int global_netns;        /* --netns applies (not for sql) */
  /* For CLI_ARG_OPTIONAL options: whether the next word is the argument
   * (lsof -i :80). NULL: never. */
  int (*next_word_ok)(int code, const char *word);
} cli_command;

extern const cli_command cli_commands[]; /* ended by name NULL */

const cli_command *cli_find_command(const char *name);
/* The option of cmd (or a global one) with this code, or NULL. */
const cli_option *cli_find_option(const cli_command *cmd, int code);
/* The options every command takes (--root ...), ended by code 0. */
extern const cli_option cli_global_options[];
/* procnet's own usage line (no command). */
extern const char cli_usage_general[];

/* ---- options.c ------------------------------------------------------------ */

/* Called for each option of the command (code = its letter or code, arg =
 * its argument or NULL) and each operand (CLI_OPERAND, arg = the word), in
 * command-line order; operands after `--` have dashdash set. Returns
 * CLI_OK to go on, anything else to stop with that status (a usage error
 * already printed by cli_usage_error). */
typedef struct cli_parse_state {
  int dashdash;            /* the operand came after `--` */
  const char *word;        /* the command-line word being read (messages) */
} cli_parse_state;
typedef int (*cli_on_arg)(void *ctx, const cli_parse_state *st, int code,
                          const char *arg);

/* Parses argv (argv[0] is the command's name) with getopt_long: the global
 * options go into o, the rest to on_arg. --help and --version print their
 * text and return CLI_DONE (the command then exits 0). A usage error
 * prints the message and the usage line and returns cmd->usage_status. */
enum { CLI_DONE = -1 };
/* Nothing found (lsof's search items, fuser's names): the command exits 1,
 * as those tools do, with nothing said on stderr. Not a failure to a
 * command that runs the listing again (watch). */
enum { CLI_NONE = -2 };
int cli_parse(const cli_command *cmd, cli_opts *o, int argc, char **argv,
              cli_on_arg on_arg, void *ctx);

/* Parses one global option's argument into o. CLI_OK or a usage error
 * (status `status`). */
int cli_set_global(cli_opts *o, int code, const char *arg, const char *cmd,
                   int status);

/* ---- messages.c ----------------------------------------------------------- */

/* Prints "procnet VERSION (SQLite VERSION)". CLI_OK or CLI_ERR. */
int cli_print_version(const cli_opts *o);

/* Prints "procnet: [CMD: ]MSG" and the usage line of cmd (NULL: procnet's
 * own) on stderr; returns `status`. */
int cli_usage_status(const cli_command *cmd, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the command's own usage status. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "procnet: MSG" on stderr; returns CLI_ERR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- help.c --------------------------------------------------------------- */

/* "usage: procnet NAME SYNOPSIS" (cmd NULL: procnet's own). */
void cli_print_usage_line(FILE *out, const cli_command *cmd);
void cli_print_help(FILE *out, const cli_command *cmd); /* NULL: general */

/* ---- complete.c ----------------------------------------------------------- */

/* `procnet --complete -- WORD...`: the candidates for the last word, one a
 * line, or "@file" / "@dir" for the shell to complete names itself. */
int cli_complete(int argc, char **argv);

/* ---- db.c ----------------------------------------------------------------- */

/* How much cli_db_open sets up: nothing more; the root of `o` and the
 * views of sql/views.sql; the root alone (a command that reads tables
 * only, or creates the views when it needs them: parsing them is a tenth
 * of a one-port question's instructions). */
enum { CLI_DB_BARE = 0, CLI_DB_VIEWS = 1, CLI_DB_ROOT = 2 };

/* Opens an in-memory database with procnet registered, set up as `setup`
 * says. On failure prints the reason and returns NULL. */
sqlite3 *cli_db_open(const cli_opts *o, int setup);
/* Creates the views (again: they are created IF NOT EXISTS): every one,
 * or only one tool's when tool is not NULL ("lsof", "ss", "netstat":
 * parsing them all is a fifth of a one-port question's work). CLI_OK, or
 * CLI_ERR once printed. */
int cli_db_views(sqlite3 *db, const char *tool);
/* procnet_hold_sockets(on): a command whose reads must agree (and not dump
 * the sockets twice) holds them across its statements. */
int cli_hold_sockets(sqlite3 *db, int on);
void cli_db_close(sqlite3 *db);

/* The namespace inode --netns asks for (procnet_netns() for self). Returns
 * CLI_OK and sets *ino, or prints and returns CLI_ERR. Not for CLI_NS_ALL. */
int cli_netns_inode(sqlite3 *db, const cli_opts *o, sqlite3_int64 *ino);

/* 1 if the temporary view exists, 0 if not. */
int cli_view_exists(sqlite3 *db, const char *view);

/* The proc root in force (procnet_root()), a sqlite3_malloc'd copy, or
 * NULL after printing the error. */
char *cli_proc_root(sqlite3 *db);

/* ---- query.c -------------------------------------------------------------- */

/* SQL text under construction with its `?` parameters, in order. */
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
/* Appends text to the condition as it stands (no AND). */
void cli_q_append(cli_query *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ANDs `column IN (?, ...)` with the n integers (n > 0). */
void cli_q_and_in_ints(cli_query *q, const char *column,
                       const sqlite3_int64 *values, int n);
/* ANDs the condition text and the parameters of `sub` (which keeps its
 * own). Nothing when sub is empty. */
void cli_q_and_query(cli_query *q, const cli_query *sub);
void cli_q_int(cli_query *q, sqlite3_int64 v);
void cli_q_text(cli_query *q, const char *s);
/* Copies the parameters of `from` to the end of q's. */
void cli_q_copy_params(cli_query *q, const cli_query *from);
/* The --netns selection: nothing for all namespaces, else ANDs cond (with
 * one `?` for the namespace inode). CLI_OK, or CLI_ERR once printed. */
int cli_q_and_netns(sqlite3 *db, const cli_opts *o, cli_query *q,
                    const char *cond);
/* The condition text ("" when none); NULL when out of memory. */
const char *cli_q_text_of(cli_query *q);
void cli_q_free(cli_query *q);

/* Prepares sql and binds q's parameters (q may be NULL). Prints the error
 * and returns NULL on failure. */
sqlite3_stmt *cli_prepare(sqlite3 *db, const char *sql, const cli_query *q);

/* A column printed by a command: the SQL expression or column name (also
 * the CSV header and JSON key when it is a plain name), the table header
 * and alignment. */
typedef enum {
  CLI_LEFT,     /* text */
  CLI_RIGHT,    /* numbers */
  CLI_FD,       /* lsof's FD: right-aligned, "cwd " lined up with "3u" */
  CLI_ADDRPORT, /* ss's Address:Port: address right, port left of the ':' */
  CLI_ATTACHED  /* ss's Process: no blank before it (its values start with
                   one) and kept whole: a "\n\t" in it starts ss's
                   continuation line */
} cli_align;

typedef struct cli_col {
  const char *name;   /* column name in the output (CSV, JSON) */
  const char *label;  /* table header */
  cli_align align;
  int min_width;      /* a table column is at least this wide */
  const char *expr;   /* SQL expression; NULL: the column `name` itself */
} cli_col;

/* A column that is a view's column: name, label, alignment. */
#define CLI_COL(name, label, align) {name, label, align, 0, NULL}

/* How the rows are written. */
typedef struct cli_table_style {
  int no_header;      /* ss -H (tables and CSV) */
  unsigned omit_if_null;  /* bit i: column i is left out of the table when
                             it is NULL in every row (lsof's TID, TASKCMD) */
} cli_table_style;

/* Where a command's rows go instead of standard output when o->sink is
 * set (procnet watch compares them from one run to the next): take()
 * steps st to its end and returns the last sqlite3_step code (SQLITE_DONE
 * on success) or SQLITE_NOMEM; cols and hooks as for cli_write_rows_hooked
 * (the hidden columns are not taken, on_row sees every row). */
struct cli_row_hooks;
typedef struct cli_sink {
  int (*take)(void *ctx, sqlite3_stmt *st, const cli_col *cols,
              const struct cli_row_hooks *hooks);
  void *ctx;
} cli_sink;

/* Runs a finished statement (built from fixed text and q's parameters)
 * and writes its rows with cols' labels (or hands them to o->sink).
 * CLI_OK or CLI_ERR. */
int cli_run_sql(sqlite3 *db, const cli_opts *o, const char *sql,
                const cli_col *cols, const cli_query *q,
                const cli_table_style *style);
struct cli_row_hooks;
/* The same, the rows also seen by hooks (cli_write_rows_hooked). */
int cli_run_sql_hooked(sqlite3 *db, const cli_opts *o, const char *sql,
                       const cli_col *cols, const cli_query *q,
                       const cli_table_style *style, const struct cli_row_hooks *hooks);

/* Appends "SELECT <cols exprs>" to sql. */
void cli_append_select(sqlite3_str *sql, const cli_col *cols, int ncols);

/* ---- output.c ------------------------------------------------------------- */

/* Steps st to the end and writes its rows to out. cols: the labels and
 * alignments (NULL: column names, numbers right-aligned); style may be
 * NULL. Returns the last sqlite3_step code (SQLITE_DONE on success) or
 * SQLITE_NOMEM. */
int cli_write_rows(sqlite3_stmt *st, const cli_col *cols, cli_format fmt,
                   const cli_table_style *style, FILE *out);

/* One JSON string (bytes that are not UTF-8 become U+FFFD), and column i
 * of st's current row as a JSON value, as --format json writes them. */
void cli_json_string(FILE *out, const char *s, size_t n);
void cli_json_column(FILE *out, sqlite3_stmt *st, int i);
/* What a command learns from the rows as they are written: the last
 * `hidden` columns of the statement are not written but seen by on_row,
 * called once per row before it is written. */
typedef struct cli_row_hooks {
  int hidden;
  void (*on_row)(void *ctx, sqlite3_stmt *st);
  void *ctx;
  int header_if_rows;     /* a table: no header line without rows (lsof) */
} cli_row_hooks;

/* cli_write_rows with hooks (NULL: none). */
int cli_write_rows_hooked(sqlite3_stmt *st, const cli_col *cols, cli_format fmt,
                          const cli_table_style *style, const cli_row_hooks *hooks,
                          FILE *out);

/* ---- etcfiles.c ----------------------------------------------------------- */

/* The port of a service name in /etc/services for proto ("tcp", "udp"),
 * or -1. */
int cli_service_port(const char *name, const char *proto);
/* The addresses /etc/hosts gives a name (family 4, 6 or 0 for both),
 * each as text, appended to *addrs (a NULL-terminated malloc'd array the
 * caller frees with cli_free_words). Returns how many, -1 when out of
 * memory. */
int cli_host_addresses(const char *name, int family, char ***addrs);
/* Appends a copy of w to the NULL-terminated array *words of *n words.
 * 0, or -1 when out of memory (the array stays valid). */
int cli_push_word(char ***words, int *n, const char *w);
void cli_free_words(char **words);

/* ---- mounts.c ------------------------------------------------------------- */

/* The first mount point of /proc/self/mounts that is the file (dev,
 * inode), or with any_inode any mount point on that device; malloc'd, or
 * NULL. */
char *cli_mount_point(long long dev_major, long long dev_minor, long long inode,
                      int any_inode);

/* ---- net_timers.c --------------------------------------------------------- */

/* An SQL expression giving the timer text of the netstat row `alias` (a
 * view with kind, inode, netns, local/remote address and port columns):
 * netstat -o's "keepalive (7186.54/0/0)". */
void cli_netstat_timer_expr(sqlite3_str *sql, const char *alias);

/* ---- the commands --------------------------------------------------------- */

int cli_cmd_lsof(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_ss(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_netstat(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_fuser(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_sql(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_watch(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_record(cli_opts *o, const cli_command *cmd, int argc, char **argv);
int cli_cmd_graph(cli_opts *o, const cli_command *cmd, int argc, char **argv);

/* lsof: whether the word after -i is its address (4, 6, tcp, @h, :p). */
int cli_lsof_next_word_ok(int code, const char *word);

#endif
