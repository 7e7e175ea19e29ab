/*
 * cmd_watch.c: `procnet watch [-n SECONDS] [-c N] [-k COL,...]
 * (SQL | ss ARGS | lsof ARGS | netstat ARGS)`: runs the query every
 * interval and prints only the rows added and removed since the run
 * before; the first run prints every row as added (osquery's differential
 * results).
 *
 * The source is SQL (the words that are not options, or those after
 * `sql`), or one of the commands, which then reads the rest of the line as
 * its own. A command runs whole each time, with its rows handed to this
 * file (cli_opts.sink) instead of written; what it prints besides its rows
 * (netstat's titles, ss -s's summary) goes to /dev/null. Statements of the
 * SQL that return no rows (CREATE TEMP VIEW ...) run once, at the first
 * run; the others every time.
 *
 * Rows are compared on the --key columns, or on all of them, as a multiset
 * (keymap.h). With --key, a row whose key stays is the same row even if
 * its other columns change; a removal prints the last values seen.
 * Ticks: ticker.h (no drift, SIGINT and SIGTERM end it with status 0).
 */
#include "keymap.h"
#include "ticker.h"
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* cli_parse stops at the command word with this status. */
enum { WATCH_STOP = 1000 };

/* One result set: its columns, which of them make the key, its diff. */
typedef struct watch_set {
  watch_cols cols;
  int *key;          /* column indexes; NULL: every column */
  int nkey;
  cli_rowdiff diff;
} watch_set;

typedef struct watch {
  const cli_command *self;
  cli_opts *o;
  double interval;
  long count;        /* runs, 0: until a signal */
  const char *keys;  /* --key */
  /* the source: a command and its words, or SQL */
  const cli_command *cmd;
  int argc;
  char **argv;
  sqlite3_str *sql;
  int nwords, sql_word;
  sqlite3 *db;       /* the SQL's connection */
  sqlite3_stmt **stmts;
  int nstmts;
  /* the result sets, in the order the source gives them each run */
  watch_set *sets;
  int nsets, cur, first_run;
  int error;         /* the status of a failure inside the sink, printed */
  watch_buf row, key;
  watch_out out;
  cli_sink sink;
  char **words;      /* the command line, to find the command word */
  int nargv;
} watch;

/* ---- the command line ---------------------------------------------------------- */

static int parse_interval(watch *w, const char *v) {
  if (cli_parse_interval(v, &w->interval) == 0) return CLI_OK;
  return cli_usage_error(w->self, "bad interval '%s' (seconds, 0.01 to 86400)", v);
}

static int parse_count(watch *w, const char *v) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || end == v || *end || n < 1)
    return cli_usage_error(w->self, "bad count '%s' (a number of runs, 1 or more)", v);
  w->count = n;
  return CLI_OK;
}

/* The first word that is not an option: a command (the rest of the line
 * is its own), `sql`, or the start of the SQL. */
static int on_operand(watch *w, const char *word) {
  if (w->sql_word || w->nwords) {
    sqlite3_str_appendf(w->sql, "%s%s", w->nwords++ ? " " : "", word);
    return CLI_OK;
  }
  if (!strcmp(word, "sql")) {
    w->sql_word = 1;
    return CLI_OK;
  }
  const cli_command *c = cli_find_command(word);
  if (c && (!strcmp(word, "ss") || !strcmp(word, "lsof") || !strcmp(word, "netstat"))) {
    for (int i = 0; i < w->nargv; i++)
      if (w->words[i] == word) {
        w->cmd = c;
        w->argc = w->nargv - i;
        w->argv = w->words + i;
      }
    return WATCH_STOP;
  }
  if (c) return cli_usage_error(w->self, "%s cannot be watched (ss, lsof, netstat or SQL)", word);
  sqlite3_str_appendf(w->sql, "%s", word);
  w->nwords++;
  return CLI_OK;
}

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  watch *w = ctx;
  (void)st;
  switch (code) {
  case CLI_OPERAND: return on_operand(w, v);
  case 'n': return parse_interval(w, v);
  case 'c': return parse_count(w, v);
  case 'k': w->keys = v; return CLI_OK;
  default: return CLI_OK;
  }
}

static int parse_line(watch *w, int argc, char **argv) {
  w->words = argv;
  w->nargv = argc;
  int rc = cli_parse(w->self, w->o, argc, argv, on_arg, w);
  if (rc == WATCH_STOP) rc = CLI_OK;
  if (rc != CLI_OK) return rc;
  if (sqlite3_str_errcode(w->sql) != SQLITE_OK) return cli_error("out of memory");
  if (!w->cmd && !w->nwords)
    return cli_usage_error(w->self, "nothing to watch: give SQL, or ss, lsof or netstat"
                                    " and their arguments");
  if (!w->cmd && w->o->ns != CLI_NS_ALL)
    return cli_usage_error(w->self, "--netns does not apply to SQL; filter with"
                                    " WHERE netns = procnet_netns() or = N");
  return CLI_OK;
}

/* ---- result sets ------------------------------------------------------------------ */

static char *dup_text(const char *s) { return strdup(s ? s : ""); }

static int copy_cols(watch_cols *c, sqlite3_stmt *st, const cli_col *cols, int n) {
  c->n = n;
  c->names = calloc((size_t)n, sizeof *c->names);
  c->labels = calloc((size_t)n, sizeof *c->labels);
  c->align = calloc((size_t)n, sizeof *c->align);
  c->width = calloc((size_t)n, sizeof *c->width);
  if (!c->names || !c->labels || !c->align || !c->width) return -1;
  for (int i = 0; i < n; i++) {
    c->names[i] = dup_text(cols ? cols[i].name : sqlite3_column_name(st, i));
    c->labels[i] = dup_text(cols ? cols[i].label : sqlite3_column_name(st, i));
    c->align[i] = cols ? cols[i].align : CLI_LEFT;
    c->width[i] = cols ? cols[i].min_width : 0;
    if (!c->names[i] || !c->labels[i]) return -1;
  }
  return 0;
}

static void free_cols(watch_cols *c) {
  for (int i = 0; i < c->n; i++) {
    if (c->names) free(c->names[i]);
    if (c->labels) free(c->labels[i]);
  }
  free(c->names);
  free(c->labels);
  free(c->align);
  free(c->width);
}

/* The --key columns of set s, by name (case does not matter). */
static int resolve_key(watch *w, watch_set *s) {
  if (!w->keys) return CLI_OK;
  char *list = strdup(w->keys), *save = NULL;
  if (!list) return cli_error("out of memory");
  s->key = calloc((size_t)s->cols.n + 1, sizeof *s->key);
  int rc = s->key ? CLI_OK : cli_error("out of memory");
  for (char *t = strtok_r(list, ",", &save); rc == CLI_OK && t; t = strtok_r(NULL, ",", &save)) {
    int found = -1;
    for (int i = 0; i < s->cols.n && found < 0; i++)
      if (!strcasecmp(s->cols.names[i], t)) found = i;
    if (found < 0) {
      sqlite3_str *have = sqlite3_str_new(NULL);
      for (int i = 0; i < s->cols.n; i++)
        sqlite3_str_appendf(have, "%s%s", i ? ", " : "", s->cols.names[i]);
      char *names = sqlite3_str_finish(have);
      rc = cli_usage_error(w->self, "--key: no column '%s' (the columns: %s)", t,
                           names ? names : "");
      sqlite3_free(names);
    } else if (s->nkey < s->cols.n) {
      s->key[s->nkey++] = found;
    }
  }
  free(list);
  return rc;
}

/* The set the next statement feeds: made at the first run, checked after. */
static watch_set *next_set(watch *w, sqlite3_stmt *st, const cli_col *cols, int shown,
                           int *rc) {
  if (w->cur < w->nsets) {
    watch_set *s = &w->sets[w->cur++];
    if (s->cols.n == shown) return s;
    *rc = cli_error("watch: the query's columns changed between runs");
    return NULL;
  }
  if (!w->first_run) {
    *rc = cli_error("watch: the query gave more results than at its first run");
    return NULL;
  }
  watch_set *v = realloc(w->sets, (size_t)(w->nsets + 1) * sizeof *v);
  if (!v) {
    *rc = cli_error("out of memory");
    return NULL;
  }
  w->sets = v;
  watch_set *s = &v[w->nsets++];
  memset(s, 0, sizeof *s);
  if (copy_cols(&s->cols, st, cols, shown) != 0) *rc = cli_error("out of memory");
  else if ((*rc = resolve_key(w, s)) == CLI_OK && watch_out_add_set(&w->out, &s->cols) != 0)
    *rc = CLI_ERR;
  w->cur++;
  return *rc == CLI_OK ? s : NULL;
}

/* The bytes of the current row (w->row) and of its key (w->key). */
static void encode_row(watch *w, watch_set *s, sqlite3_stmt *st) {
  watch_buf_reset(&w->row);
  watch_buf_reset(&w->key);
  for (int i = 0; i < s->cols.n; i++) watch_buf_column(&w->row, st, i);
  for (int i = 0; i < s->nkey; i++) watch_buf_column(&w->key, st, s->key[i]);
}

/* Compares each row of st with the previous run's; stages the additions.
 * The last sqlite3_step code, or SQLITE_DONE after a failure of its own
 * (w->error then says it, already printed), so that the command running
 * the statement adds no message of its own. */
static int take_rows(void *ctx, sqlite3_stmt *st, const cli_col *cols,
                     const cli_row_hooks *hooks) {
  watch *w = ctx;
  int rc = CLI_OK, step;
  int shown = sqlite3_column_count(st) - (hooks ? hooks->hidden : 0);
  watch_set *s = w->error ? NULL : next_set(w, st, cols, shown > 0 ? shown : 0, &rc);
  while (s && (step = sqlite3_step(st)) == SQLITE_ROW) {
    if (hooks && hooks->on_row) hooks->on_row(hooks->ctx, st);
    encode_row(w, s, st);
    const watch_buf *k = s->key ? &w->key : &w->row;
    int added = w->row.oom || w->key.oom ? -1
                : cli_rowdiff_add(&s->diff, k->p, k->n, w->row.p, w->row.n);
    if (added < 0) rc = cli_error("out of memory");
    else if (added && watch_out_stage(&w->out, (int)(s - w->sets), 1, w->row.p, w->row.n) != 0)
      rc = CLI_ERR;
    if (rc != CLI_OK) s = NULL;
  }
  if (!w->error) w->error = rc;
  return s ? step : SQLITE_DONE;
}

/* ---- the sources ------------------------------------------------------------------- */

/* Runs the command with its rows handed to take_rows and anything else it
 * writes sent to /dev/null. */
static int run_command(watch *w, int quiet) {
  cli_opts inner = *w->o;
  inner.sink = &w->sink;
  int saved = -1, null = -1;
  if (quiet) {
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0) {
      if (saved >= 0) close(saved);
      if (null >= 0) close(null);
      return cli_error("watch: cannot redirect the output: %s", strerror(errno));
    }
    close(null);
  }
  int rc = w->cmd->run(&inner, w->cmd, w->argc, w->argv);
  if (rc == CLI_NONE) rc = CLI_OK; /* nothing found this time: what is there now */
  if (quiet) {
    fflush(stdout);
    int back = dup2(saved, STDOUT_FILENO);
    close(saved);
    if (back < 0) return cli_error("watch: cannot restore the output: %s", strerror(errno));
  }
  if (w->first_run) /* a --format after the command word */
    w->o->format = w->out.format = inner.format;
  return rc;
}

/* Runs one statement; keeps it for the next runs when it returns rows. */
static int first_statement(watch *w, sqlite3_stmt *st) {
  if (sqlite3_column_count(st) == 0) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CLI_OK : cli_error("%s", sqlite3_errmsg(w->db));
  }
  sqlite3_stmt **v = realloc(w->stmts, (size_t)(w->nstmts + 1) * sizeof *v);
  if (!v) {
    sqlite3_finalize(st);
    return cli_error("out of memory");
  }
  w->stmts = v;
  v[w->nstmts++] = st;
  int rc = take_rows(w, st, NULL, NULL);
  return rc == SQLITE_DONE ? w->error : cli_error("%s", sqlite3_errmsg(w->db));
}

static int run_sql(watch *w) {
  if (w->first_run) {
    const char *tail = sqlite3_str_value(w->sql);
    while (tail && *tail) {
      sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v2(w->db, tail, -1, &st, &tail) != SQLITE_OK)
        return cli_error("%s", sqlite3_errmsg(w->db));
      int rc = st ? first_statement(w, st) : CLI_OK;
      if (rc != CLI_OK) return rc;
    }
    return w->nstmts ? CLI_OK : cli_usage_error(w->self, "the SQL returns no rows to watch");
  }
  for (int i = 0; i < w->nstmts; i++) {
    sqlite3_reset(w->stmts[i]);
    int rc = take_rows(w, w->stmts[i], NULL, NULL);
    if (rc != SQLITE_DONE) return cli_error("%s", sqlite3_errmsg(w->db));
    if (w->error) return w->error;
  }
  return CLI_OK;
}

/* ---- the loop ------------------------------------------------------------------------ */

static int stage_gone(void *arg, const void *row, size_t rlen) {
  watch *w = arg;
  return watch_out_stage(&w->out, w->cur, 0, row, rlen);
}

/* One run: the rows, the removals, everything written. */
static int run_once(watch *w) {
  double now = cli_now();
  w->cur = 0;
  int rc = w->cmd ? run_command(w, 1) : run_sql(w);
  if (rc == CLI_DONE && w->first_run) return run_command(w, 0); /* its --help */
  if (w->error) return w->error;
  if (rc != CLI_OK) return rc;
  if (w->first_run && !w->nsets)
    return cli_usage_error(w->self, "%s prints no rows to watch", w->cmd ? w->cmd->name : "the SQL");
  for (w->cur = 0; w->cur < w->nsets; w->cur++)
    if (cli_rowdiff_end(&w->sets[w->cur].diff, stage_gone, w) != 0) return CLI_ERR;
  w->first_run = 0;
  for (int i = 0; i < w->nsets; i++)
    if (watch_out_flush(&w->out, i, &w->sets[i].cols, now) != 0) return CLI_ERR;
  return watch_out_done(&w->out) == 0 ? CLI_OK : CLI_ERR;
}

static int loop(watch *w) {
  cli_ticker t;
  if (cli_ticker_start(&t, w->interval) != 0)
    return cli_error("watch: cannot take SIGINT and SIGTERM: %s", strerror(errno));
  int rc = CLI_OK;
  for (long n = 0; rc == CLI_OK && (!w->count || n < w->count); n++) {
    int tick = cli_ticker_wait(&t, NULL, 0, NULL, NULL);
    if (tick == 0) break;
    rc = tick < 0 ? cli_error("watch: %s", strerror(errno)) : run_once(w);
  }
  cli_ticker_stop(&t);
  return rc;
}

static void watch_free(watch *w) {
  for (int i = 0; i < w->nsets; i++) {
    free_cols(&w->sets[i].cols);
    free(w->sets[i].key);
    cli_rowdiff_free(&w->sets[i].diff);
  }
  free(w->sets);
  for (int i = 0; i < w->nstmts; i++) sqlite3_finalize(w->stmts[i]);
  free(w->stmts);
  if (w->db) cli_db_close(w->db);
  watch_out_close(&w->out);
  watch_buf_free(&w->row);
  watch_buf_free(&w->key);
  sqlite3_free(sqlite3_str_finish(w->sql));
}

int cli_cmd_watch(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  watch w;
  memset(&w, 0, sizeof w);
  w.self = cmd;
  w.o = o;
  w.interval = 2;
  w.first_run = 1;
  w.sql = sqlite3_str_new(NULL);
  w.sink = (cli_sink){take_rows, &w};
  int rc = parse_line(&w, argc, argv);
  if (rc == CLI_OK && !w.cmd && !(w.db = cli_db_open(o, 1))) rc = CLI_ERR;
  /* the format is known once a command has read its own options */
  if (rc == CLI_OK && watch_out_open(&w.out, o->format) != 0) rc = CLI_ERR;
  if (rc == CLI_OK) rc = loop(&w);
  watch_free(&w);
  return rc;
}
