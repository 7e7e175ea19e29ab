/*
 * cmd_ss.c: `procnet ss [OPTIONS] [FILTER]`, the rows of the `ss` view as
 * ss prints them:
 *   - which sockets: ss's tables, families and states (ss_select.c) and
 *     the FILTER (ssfilter.c), all compiled into one SELECT;
 *   - in ss's order: netlink, packet, unix, raw, udp, tcp (one arm of a
 *     UNION ALL each, so that each arm's kind reaches the socket scan);
 *   - ss's columns: Netid unless one table is shown, State unless one
 *     state is, and Process holding what -p, -o, -e, -m, -i and -b add, each
 *     one SQL expression below (what /proc tells today; sock_diag data can
 *     replace an expression without touching the rest);
 *   - -s first prints ss's summary; -N NAME selects an `ip netns` name.
 */
#include "ss.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

typedef struct ss_args {
  const cli_command *cmd;
  cli_opts *o;
  ss_select sel;
  int processes, timers, details, memory, info, bpf, summary, no_header, oneline;
  char **words;          /* the FILTER words, pointers into argv */
  int nwords;
} ss_args;

/* -N NAME: the namespace `ip netns` bound at /run/netns/NAME. */
static int netns_by_name(ss_args *a, const char *name) {
  struct stat st;
  char *path = sqlite3_mprintf("/run/netns/%s", name);
  if (!path) return cli_error("out of memory");
  int ok = !strchr(name, '/') && stat(path, &st) == 0;
  int err = errno;
  sqlite3_free(path);
  if (!ok)
    return cli_error("cannot open network namespace \"%s\": %s", name,
                     strchr(name, '/') ? "not a name" : strerror(err));
  a->o->ns = CLI_NS_INODE;
  a->o->ns_inode = (sqlite3_int64)st.st_ino;
  return CLI_OK;
}

static int add_word(ss_args *a, char *w) {
  char **v = realloc(a->words, (size_t)(a->nwords + 1) * sizeof *v);
  if (!v) return cli_error("out of memory");
  a->words = v;
  v[a->nwords++] = w;
  return CLI_OK;
}

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  ss_args *a = ctx;
  (void)st;
  switch (code) {
  case CLI_OPERAND: return add_word(a, (char *)v);
  case 't': ss_select_db(&a->sel, SS_DB_TCP); break;
  case 'u': ss_select_db(&a->sel, SS_DB_UDP); break;
  case 'w': ss_select_db(&a->sel, SS_DB_RAW); break;
  case 'x': ss_select_family(&a->sel, AF_UNIX); break;
  case '0': ss_select_family(&a->sel, AF_PACKET); break;
  case '4': ss_select_family(&a->sel, AF_INET); break;
  case '6': ss_select_family(&a->sel, AF_INET6); break;
  case 'f': {
    int af = ss_family_by_name(v);
    if (af < 0) return cli_usage_error(a->cmd, "\"%s\" is invalid family", v);
    ss_select_family(&a->sel, af);
    break;
  }
  case 'a': a->sel.state_filter = SS_ALL; break;
  case 'l': a->sel.state_filter = SS_STATE(SS_LISTEN) | SS_STATE(SS_CLOSE); break;
  case 'p': a->processes = 1; break;
  case 'e': a->details = a->timers = 1; break; /* ss -e shows timers too */
  case 'o': a->timers = 1; break;
  case 'm': a->memory = 1; break;
  case 'i': a->info = 1; break;
  case 'b': a->bpf = a->timers = 1; break; /* ss -b shows timers too */
  case 's': a->summary = 1; break;
  case 'H': a->no_header = 1; break;
  case 'O': a->oneline = 1; break;
  case 'N': return netns_by_name(a, v);
  default: break; /* -n: procnet is numeric */
  }
  return CLI_OK;
}

/* ---- what Process shows ---------------------------------------------------- */

/* One thing ss prints after the addresses: its CSV/JSON column name and
 * its SQL expression (NULL when there is nothing to print). */
typedef struct ss_extra {
  const char *name;
  char *expr;          /* sqlite3_malloc'd */
} ss_extra;

static unsigned extras_flags(const ss_args *a) {
  return (a->timers ? SS_X_TIMERS : 0) | (a->details ? SS_X_DETAILS : 0) |
         (a->memory ? SS_X_MEMORY : 0) | (a->info ? SS_X_INFO : 0) |
         (a->bpf ? SS_X_BPF : 0) | (a->oneline ? SS_X_ONELINE : 0);
}

/* The text procnet_ss_extras() gives for flags, NULL for none. */
static char *extras_expr(unsigned flags, int trim) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  sqlite3_str_appendall(s, trim ? "nullif(ltrim(" : "nullif(");
  cli_ss_extras_call(s, flags);
  sqlite3_str_appendall(s, trim ? ", ' '), '')" : ", '')");
  return sqlite3_str_finish(s);
}

/* The same for the table's Process cell, where none is '': the text as
 * the function gives it (nullif, then coalesce, copied it again, a few
 * hundred bytes a row with -i). */
static char *extras_cell_expr(unsigned flags) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  cli_ss_extras_call(s, flags);
  return sqlite3_str_finish(s);
}

/* The extras the options ask for: in a table, the process and one text of
 * everything else, laid out by ss's rules (ss_extras.c); in CSV and JSON,
 * one column each. Returns how many. */
static int ss_extras(const ss_args *a, ss_extra out[6]) {
  static const struct {
    const char *name;
    unsigned flag;
  } each[] = {{"timer", SS_X_TIMERS}, {"details", SS_X_DETAILS},
              {"memory", SS_X_MEMORY}, {"info", SS_X_INFO}, {"bpf", SS_X_BPF}};
  int n = 0;
  unsigned flags = extras_flags(a);
  /* ss names no process for netlink sockets (its -p looks up inet,
   * unix and packet sockets only). */
  if (a->processes)
    out[n++] = (ss_extra){"process",
                          sqlite3_mprintf("CASE WHEN ss.kind <> 'netlink' THEN ss.process END")};
  if (!(flags & ~SS_X_ONELINE)) return n;
  if (a->o->format == CLI_TABLE) {
    out[n++] = (ss_extra){"extras", extras_cell_expr(flags)};
    return n;
  }
  for (size_t i = 0; i < sizeof each / sizeof each[0]; i++)
    if (flags & each[i].flag)
      out[n++] = (ss_extra){each[i].name, extras_expr(each[i].flag | SS_X_ONELINE, 1)};
  return n;
}

/* The table's Process cell: the process after a blank, then the extras as
 * procnet_ss_extras() lays them out (each after its own blank; never
 * NULL). */
static char *process_cell(const ss_extra *x, int n) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  if (!n) sqlite3_str_appendall(s, "''");
  /* no '' || first: each || copies the text, hundreds of bytes with -i */
  for (int i = 0; i < n; i++)
    sqlite3_str_appendf(s, strcmp(x[i].name, "process") ? "%s%s"
                                                        : "%scoalesce(' ' || (%s), '')",
                        i ? " || " : "", x[i].expr);
  return sqlite3_str_finish(s);
}

/* ---- columns --------------------------------------------------------------- */

static int one_bit(unsigned m) { return m && !(m & (m - 1)); }

/* The columns: ss's (table) or the view's and one per extra (CSV, JSON).
 * *cell is the Process expression to free. Returns the count. */
static int ss_columns(const ss_args *a, const ss_extra *x, int nx, cli_col cols[12],
                      char **cell) {
  int n = 0;
  /* qualified: the extras join sock_diag, whose columns share names */
  if (!one_bit(a->sel.dbs)) cols[n++] = (cli_col){"netid", "Netid", CLI_LEFT, 0, "ss.netid"};
  if (!one_bit(a->sel.states)) cols[n++] = (cli_col){"state", "State", CLI_LEFT, 0, "ss.state"};
  cols[n++] = (cli_col){"recv_q", "Recv-Q", CLI_LEFT, 6, "ss.recv_q"};
  cols[n++] = (cli_col){"send_q", "Send-Q", CLI_LEFT, 6, "ss.send_q"};
  cols[n++] = (cli_col){"local", "Local Address:Port", CLI_ADDRPORT, 0, "ss.local"};
  cols[n++] = (cli_col){"peer", "Peer Address:Port", CLI_ADDRPORT, 0, "ss.peer"};
  *cell = NULL;
  if (a->o->format == CLI_TABLE) {
    *cell = process_cell(x, nx);
    cols[n++] = (cli_col){"process", "Process", CLI_ATTACHED, 0, *cell};
  } else {
    for (int i = 0; i < nx; i++)
      cols[n++] = (cli_col){x[i].name, x[i].name, CLI_LEFT, 0, x[i].expr};
  }
  return n;
}

/* ---- the SELECT ------------------------------------------------------------ */

/* What every arm shares: states, the filter, the namespace. */
static int common_where(sqlite3 *db, const ss_args *a, ssf_result *f, cli_query *w) {
  sqlite3_int64 states[SS_NSTATES];
  int n = ss_selected_states(&a->sel, states);
  cli_q_and_in_ints(w, "ss.state_code", states, n);
  cli_q_and_query(w, &f->where);
  return cli_q_and_netns(db, a->o, w, "ss.netns = ?");
}

/* SELECT ... UNION ALL ..., one arm per kind in ss's order. */
static char *build_select(const ss_args *a, const cli_col *cols, int ncols,
                          cli_query *common, cli_query *params) {
  ss_kind_sel kinds[6];
  const char *fams[2];
  int nk = ss_selected_kinds(&a->sel, kinds), nf = ss_selected_inet_families(&a->sel, fams);
  const char *where = cli_q_text_of(common);
  if (!where) return NULL;
  sqlite3_str *sql = sqlite3_str_new(NULL);
  for (int k = 0; k < nk; k++) {
    if (k) sqlite3_str_appendall(sql, " UNION ALL ");
    cli_append_select(sql, cols, ncols);
    /* The kinds and netids are procnet's own words, not the user's. */
    /* without -p, the view that reads no process's descriptors */
    sqlite3_str_appendf(sql, " FROM temp.%s AS ss", a->processes ? "ss" : "procnet_ss_sockets");
    if (extras_flags(a) & ~SS_X_ONELINE) cli_ss_extras_join(sql);
    sqlite3_str_appendf(sql, " WHERE ss.kind = '%s' AND ss.netid IN (", kinds[k].kind);
    for (int j = 0; kinds[k].netids[j]; j++)
      sqlite3_str_appendf(sql, "%s'%s'", j ? ", " : "", kinds[k].netids[j]);
    sqlite3_str_appendall(sql, ")");
    if (kinds[k].inet) {
      sqlite3_str_appendall(sql, " AND ss.family IN (");
      for (int j = 0; j < nf; j++) sqlite3_str_appendf(sql, "%s'%s'", j ? ", " : "", fams[j]);
      sqlite3_str_appendall(sql, ")");
    }
    if (*where) sqlite3_str_appendf(sql, " AND %s", where);
    cli_q_copy_params(params, common);
  }
  if (!nk) { /* the header alone */
    cli_append_select(sql, cols, ncols);
    sqlite3_str_appendall(sql, " FROM temp.ss AS ss WHERE 0");
  }
  return sqlite3_str_finish(sql);
}

static int show_sockets(sqlite3 *db, ss_args *a, ssf_result *f) {
  ss_extra x[6];
  int nx = ss_extras(a, x), rc = CLI_OK;
  cli_col cols[12];
  char *cell = NULL;
  for (int i = 0; i < nx; i++)
    if (!x[i].expr) rc = cli_error("out of memory");
  int ncols = ss_columns(a, x, nx, cols, &cell);
  cli_query common = {0}, params = {0};
  if (rc == CLI_OK && (a->o->format != CLI_TABLE || cell))
    rc = common_where(db, a, f, &common);
  else if (rc == CLI_OK)
    rc = cli_error("out of memory");
  if (rc == CLI_OK) {
    char *sql = build_select(a, cols, ncols, &common, &params);
    cli_table_style style = {a->no_header, 0};
    rc = cli_run_sql(db, a->o, sql, cols, &params, &style);
    sqlite3_free(sql);
  }
  cli_q_free(&common);
  cli_q_free(&params);
  sqlite3_free(cell);
  for (int i = 0; i < nx; i++) sqlite3_free(x[i].expr);
  return rc;
}

/* ---- the command ----------------------------------------------------------- */

/* The filter, compiled; its states and family into the selection. */
static int compile_filter(ss_args *a, ssf_result *f) {
  ssf_env env = {a->sel.family, (a->sel.dbs >> SS_DB_TCP) & 1, (a->sel.dbs >> SS_DB_UDP) & 1};
  switch (ssf_compile(a->words, a->nwords, &env, f)) {
  case SSF_OK: break;
  case SSF_SYNTAX: return cli_usage_error(a->cmd, "%s", f->error);
  case SSF_BAD: return cli_error("ss: %s", f->error);
  case SSF_NOMEM: return cli_error("out of memory");
  }
  ss_select_states(&a->sel, f->saw_states, f->states);
  if (f->family_reset) a->sel.families = (uint64_t)1 << f->family;
  return CLI_OK;
}

/* ss says so and lists nothing when a set is empty. */
static int nothing_to_show(const ss_select *s) {
  const char *what = !s->dbs ? "socket tables" : !s->families ? "families"
                     : !s->states ? "socket states" : NULL;
  if (what) fprintf(stderr, "procnet: ss: no %s to show with such filter.\n", what);
  return what != NULL;
}

int cli_cmd_ss(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  ss_args a;
  memset(&a, 0, sizeof a);
  a.cmd = cmd;
  a.o = o;
  ss_select_init(&a.sel);
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  sqlite3 *db = NULL;
  ssf_result f;
  memset(&f, 0, sizeof f);
  if (rc == CLI_OK && !(db = cli_db_open(o, CLI_DB_ROOT))) rc = CLI_ERR;
  if (rc == CLI_OK) rc = cli_db_views(db, "ss");
  if (rc == CLI_OK && cli_ss_extras_register(db) != SQLITE_OK)
    rc = cli_error("%s", sqlite3_errmsg(db));
  /* ss prints the summary first, and only it when nothing else was asked. */
  int summary_only = a.summary && a.sel.do_default && a.nwords == 0;
  if (rc == CLI_OK && a.summary) rc = ss_print_summary(db, o);
  if (rc == CLI_OK && !summary_only) {
    ss_select_tables(&a.sel);
    rc = compile_filter(&a, &f);
    if (rc == CLI_OK && !nothing_to_show(&a.sel)) rc = show_sockets(db, &a, &f);
  }
  ssf_result_free(&f);
  if (db) cli_db_close(db);
  free(a.words);
  return rc;
}
