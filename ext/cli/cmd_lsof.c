/*
 * cmd_lsof.c: `procnet lsof [OPTIONS] [NAME...]`, the rows of the lsof view
 * selected and printed as lsof(8) does:
 *   - selections: -p PID, -g [PGID], -u USER, -c NAME (each with ^ to
 *     exclude), -i [ADDR] (several ORed), -U, -s TCP:STATES, NAME (a file,
 *     a mount point, a unix socket's path), +d DIR, +D DIR; ORed, or
 *     ANDed with -a (lsof_select.c, lsof_inet.c, lsof_names.c);
 *   - output: lsof's table (COMMAND cut to +c's width, 9 by default; -R
 *     and -g add PPID and PGID; -l prints uids; -s alone SIZE), -t (the
 *     pids alone), -F FIELDS (lsof_fields.c), or --format csv|json;
 *   - exit status 1 when a search item was not found (lsof_query.c), as
 *     lsof: `procnet lsof -i :8080 >/dev/null || echo free`; usage errors
 *     exit 1 too, as lsof's;
 *   - task rows (a row per thread's file, TID and TASKCMD set) as lsof
 *     4.95 lists them: when nothing is selected, or with -K (a selection
 *     set of task rows); -K i leaves them out (lsof_select.c);
 *   - +E and -E: the ends of pipes, ptys, eventfds and sockets in NAME, and
 *     with +E their files listed too (lsof_endpoints.c);
 *   - -n, -P (procnet never resolves), -w, +w, -b are accepted.
 * --netns keeps the processes of that network namespace.
 *
 * As in lsof, an option's optional argument may be attached (-i:80,
 * -g42, -F0pn) or be the next word when it looks like one
 * (cli_lsof_next_word_ok, given to the option parser by commands.c).
 * Names, +d/+D and -u users are read once the options are all known
 * (--root may come after them).
 */
#include "lsof.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* What is read after the options: names, +d, +D, -u lists. */
typedef enum { LATER_NAME, LATER_DIR, LATER_TREE, LATER_USERS } later_kind;

typedef struct later {
  later_kind kind;
  const char *arg;
} later;

typedef struct lsof_args {
  const cli_command *cmd;
  lsof_sel sel;
  lsof_view_opts view;
  later *later;
  int nlater;
  int fields_given;      /* -F */
} lsof_args;

static int defer(lsof_args *a, later_kind kind, const char *arg) {
  later *v = realloc(a->later, (size_t)(a->nlater + 1) * sizeof *v);
  if (!v) return cli_error("out of memory");
  a->later = v;
  v[a->nlater++] = (later){kind, arg};
  return CLI_OK;
}

static int all_of(const char *s, const char *set) {
  for (; *s; s++)
    if (!strchr(set, *s)) return 0;
  return 1;
}

/* Whether the word after an option with an optional argument is that
 * argument: -i 4, -i tcp:80, -i @host, -i :80; -g 42,^7; -s TCP:LISTEN;
 * -F pcfn; -K i. Otherwise it is the next option or a name. */
int cli_lsof_next_word_ok(int code, const char *s) {
  switch (code) {
  case 'i':
    return s[0] == '4' || s[0] == '6' || s[0] == '@' || s[0] == ':' ||
           !strncasecmp(s, "tcp", 3) || !strncasecmp(s, "udp", 3);
  case 'g': return *s && all_of(s, "0123456789,^");
  case 's': return strchr(s, ':') != NULL && s[0] != '/';
  case 'F': return *s && s[0] != '-' && s[0] != '+' && lsof_fields_valid(s);
  case 'K': return !strcmp(s, "i");
  case CLI_PLUS('L'): return *s && all_of(s, "0123456789");
  default: return 0;
  }
}

/* +c W */
static int command_width(lsof_args *a, const char *v) {
  char *end;
  long w = strtol(v, &end, 10);
  if (!isdigit((unsigned char)*v) || *end || w > 4096)
    return cli_usage_error(a->cmd, "+c not followed by width number");
  a->view.cmd_width = (int)w;
  return CLI_OK;
}

static int fields(lsof_args *a, const char *v) {
  if (!lsof_fields_valid(v)) return cli_usage_error(a->cmd, "unknown field in -F %s", v);
  a->view.fields = v;
  a->fields_given = 1;
  if (a->view.out == LSOF_OUT_TABLE) a->view.out = LSOF_OUT_FIELDS;
  return CLI_OK;
}

/* -K lists task rows, -K i leaves them out. */
static int tasks(lsof_args *a, const char *v) {
  if (v && strcmp(v, "i") != 0) return cli_usage_error(a->cmd, "-K not followed by i (but by %s)", v);
  a->sel.tasks = v ? LSOF_TASKS_IGNORE : LSOF_TASKS_SELECT;
  return CLI_OK;
}

/* One option or NAME, in command-line order (options.c). */
static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  lsof_args *a = ctx;
  (void)st;
  switch (code) {
  case CLI_OPERAND: return defer(a, LATER_NAME, v);
  case CLI_PLUS('d'): return defer(a, LATER_DIR, v);
  case CLI_PLUS('D'): return defer(a, LATER_TREE, v);
  case CLI_PLUS('c'): return command_width(a, v);
  case 'u': return defer(a, LATER_USERS, v);
  case 'p': return lsof_add_pids(&a->sel, v);
  case 'g':
    a->view.pgid = 1;
    return v ? lsof_add_pgids(&a->sel, v) : CLI_OK;
  case 'c': return lsof_add_command(&a->sel, v);
  case 'i': return lsof_add_inet(&a->sel, v);
  case 's':
    if (v) return lsof_add_states(&a->sel, v);
    a->view.size_only = 1;
    return CLI_OK;
  case 'U': a->sel.unix_sockets = 1; return CLI_OK;
  case 'a': a->sel.and_all = 1; return CLI_OK;
  case 't': a->view.out = LSOF_OUT_TERSE; return CLI_OK;
  case 'F': return fields(a, v ? v : "");
  case 'R': a->view.ppid = 1; return CLI_OK;
  case CLI_PLUS('L'):
    a->view.nlink = 1;
    return v ? lsof_add_nlink(&a->sel, v) : CLI_OK;
  case 'L':
    if (v) return cli_usage_error(a->cmd, "no number may follow -L");
    a->view.nlink = 0;
    return CLI_OK;
  case 'l': a->view.uid_numbers = 1; return CLI_OK;
  case 'K': return tasks(a, v);
  case 'E': a->view.endpoints = LSOF_ENDS_NAMES; return CLI_OK;
  case CLI_PLUS('E'): a->view.endpoints = LSOF_ENDS_FILES; return CLI_OK;
  default: return CLI_OK; /* -n -P -w +w -b: nothing to do */
  }
}

/* Names, directories and users, with the database. */
static int read_later(lsof_args *a, sqlite3 *db) {
  int rc = CLI_OK;
  for (int i = 0; i < a->nlater && rc == CLI_OK; i++) {
    const later *l = &a->later[i];
    switch (l->kind) {
    case LATER_NAME: rc = lsof_names_add(&a->sel, db, l->arg); break;
    case LATER_DIR: rc = lsof_names_add_dir(&a->sel, db, l->arg, 0); break;
    case LATER_TREE: rc = lsof_names_add_dir(&a->sel, db, l->arg, 1); break;
    case LATER_USERS: rc = lsof_add_users(&a->sel, db, l->arg); break;
    }
  }
  return rc;
}

int cli_cmd_lsof(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  lsof_args a;
  memset(&a, 0, sizeof a);
  a.cmd = a.sel.cmd = cmd;
  a.view.cmd_width = 9;
  a.view.fields = "";
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  if (rc == CLI_OK && a.view.out == LSOF_OUT_TERSE && a.fields_given)
    rc = cli_usage_error(cmd, "-F and -t are mutually exclusive");
  if (rc == CLI_OK) rc = lsof_sel_check(&a.sel);
  /* -t prints no NAME: -E changes nothing there (+E still lists more) */
  if (a.view.out == LSOF_OUT_TERSE && a.view.endpoints == LSOF_ENDS_NAMES)
    a.view.endpoints = LSOF_ENDS_NONE;
  /* +c cuts the table's COMMAND; CSV and JSON keep the whole name. */
  if (o->format != CLI_TABLE) a.view.cmd_width = 0;
  sqlite3 *db = NULL;
  if (rc == CLI_OK && !(db = cli_db_open(o, CLI_DB_ROOT))) rc = CLI_ERR;
  if (rc == CLI_OK) rc = read_later(&a, db);
  if (rc == CLI_OK) rc = lsof_run(db, o, &a.sel, &a.view);
  if (db) cli_db_close(db);
  lsof_sel_free(&a.sel);
  free(a.later);
  return rc;
}
