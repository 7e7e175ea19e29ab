/*
 * lsof_select.c: what `procnet lsof` selects, as SQL over the lsof view's
 * typed columns (alias l), following lsof(8):
 *   - exclusions first (^PID, ^PGID, ^USER, ^COMMAND): a process excluded
 *     lists nothing;
 *   - -s TCP:STATES: TCP and UDP files in other states (or, with ^, in
 *     those states) are left out; other files are not concerned;
 *   - then the sets: -p, -g, -u, -c, -i (without an address), -i ADDR,
 *     -U, names, -K (task rows); ORed, or ANDed with -a; the items of one
 *     set ORed.
 * Task rows are listed when no set is given (exclusions and -s states do
 * not count: lsof 4.95 lists the tasks for `lsof -p ^1`, not for
 * `lsof -p 1`), or with -K; never with -K i.
 * It also says what lsof reports as "not located" (exit status 1): each
 * -i address, -i without one, each -s TCP inclusion when no listed file
 * matched it; each -p, -g, -c inclusion when no process matched it (lsof
 * marks those before looking at files). A -u user never fails lsof 4.95.
 */
#include "lsof.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the lists ----------------------------------------------------- */

static int push_id(lsof_ids *l, sqlite3_int64 v) {
  sqlite3_int64 *p = realloc(l->v, (size_t)(l->n + 1) * sizeof *p);
  if (!p) return cli_error("out of memory");
  l->v = p;
  l->v[l->n++] = v;
  return CLI_OK;
}

static int push_word(lsof_words *w, const char *s) {
  return cli_push_word(&w->v, &w->n, s) == 0 ? CLI_OK : cli_error("out of memory");
}

/* A decimal number in [min, INT32_MAX]. */
static int parse_number(const char *s, sqlite3_int64 min, sqlite3_int64 *out) {
  if (!*s || strlen(s) > 10) return -1;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') return -1;
  long long v = strtoll(s, NULL, 10);
  if (v < min || v > INT32_MAX) return -1;
  *out = v;
  return 0;
}

/* What an item of a list is read with. */
typedef struct list_ctx {
  lsof_sel *s;
  sqlite3 *db;            /* -u: the users table */
} list_ctx;

/* Calls fn for each item of a comma-separated list, with its ^. */
static int each_item(const char *list, int (*fn)(list_ctx *c, const char *item, int neg),
                     list_ctx *c) {
  char *copy = strdup(list), *save = NULL;
  if (!copy) return cli_error("out of memory");
  int rc = CLI_OK;
  for (char *t = strtok_r(copy, ",", &save); t && rc == CLI_OK; t = strtok_r(NULL, ",", &save))
    rc = fn(c, t + (t[0] == '^'), t[0] == '^');
  free(copy);
  return rc;
}

static int one_pid(list_ctx *c, const char *item, int neg) {
  sqlite3_int64 v;
  if (parse_number(item, 1, &v) != 0)
    return cli_usage_error(c->s->cmd, "illegal process ID: %s", item);
  return push_id(&c->s->pids[neg], v);
}

static int one_pgid(list_ctx *c, const char *item, int neg) {
  sqlite3_int64 v;
  if (parse_number(item, 0, &v) != 0)
    return cli_usage_error(c->s->cmd, "illegal process group ID: %s", item);
  return push_id(&c->s->pgids[neg], v);
}

int lsof_add_pids(lsof_sel *s, const char *list) {
  list_ctx c = {s, NULL};
  return each_item(list, one_pid, &c);
}

int lsof_add_pgids(lsof_sel *s, const char *list) {
  list_ctx c = {s, NULL};
  return each_item(list, one_pgid, &c);
}

/* A uid, or a login name the users table (/etc/passwd, no NSS) knows. */
static int one_user(list_ctx *c, const char *item, int neg) {
  sqlite3_int64 v;
  if (parse_number(item, 0, &v) == 0) return push_id(&c->s->uids[neg], v);
  cli_query q = {0};
  cli_q_text(&q, item);
  sqlite3_stmt *st = cli_prepare(c->db, "SELECT uid FROM users WHERE name = ? LIMIT 1", &q);
  cli_q_free(&q);
  if (!st) return CLI_ERR;
  int step = sqlite3_step(st), rc;
  if (step == SQLITE_ROW) rc = push_id(&c->s->uids[neg], sqlite3_column_int64(st, 0));
  else if (step == SQLITE_DONE) rc = cli_usage_error(c->s->cmd, "can't get UID for %s", item);
  else rc = cli_error("%s", sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
  return rc;
}

int lsof_add_users(lsof_sel *s, sqlite3 *db, const char *list) {
  list_ctx c = {s, db};
  return each_item(list, one_user, &c);
}

/* Linux gives 15 characters of a command name: lsof refuses longer ones. */
#define COMMAND_MAX 15

int lsof_add_command(lsof_sel *s, const char *name) {
  int neg = name[0] == '^';
  const char *n = name + neg;
  size_t len = strlen(n);
  if (!len) return cli_usage_error(s->cmd, "-c needs a command name");
  if (len > 1 && n[0] == '/')
    return cli_usage_error(s->cmd, "-c /REGEX/ is not supported; use procnet sql");
  if (len > COMMAND_MAX)
    return cli_usage_error(s->cmd, "\"-c %s\" length (%d) > what system provides (%d)", name,
                           (int)len, COMMAND_MAX);
  return push_word(&s->cmds[neg], n);
}

/* lsof's TCP state names on Linux: the kernel's, as the view's state. */
static const char *const TCP_STATES[] = {
    "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",   NULL};

static const char *tcp_state(const char *name) {
  for (int i = 0; TCP_STATES[i]; i++)
    if (!strcasecmp(name, TCP_STATES[i])) return TCP_STATES[i];
  return NULL;
}

int lsof_add_states(lsof_sel *s, const char *spec) {
  const char *colon = strchr(spec, ':');
  if (!colon || colon == spec || !colon[1])
    return cli_usage_error(s->cmd, "missing protocol state name list: -s %s", spec);
  size_t plen = (size_t)(colon - spec);
  if (plen == 3 && !strncasecmp(spec, "UDP", 3))
    return cli_usage_error(s->cmd, "no UDP state names available: %s", spec);
  if (plen != 3 || strncasecmp(spec, "TCP", 3) != 0)
    return cli_usage_error(s->cmd, "unknown protocol name (%.*s) in: -s %s", (int)plen, spec,
                           spec);
  char *copy = strdup(colon + 1), *save = NULL;
  if (!copy) return cli_error("out of memory");
  int rc = CLI_OK;
  for (char *t = strtok_r(copy, ",", &save); t && rc == CLI_OK; t = strtok_r(NULL, ",", &save)) {
    int neg = t[0] == '^';
    const char *name = tcp_state(t + neg);
    rc = name ? push_word(&s->states[neg], name)
              : cli_usage_error(s->cmd, "unknown TCP state name: %s", t + neg);
  }
  free(copy);
  return rc;
}

/* -i, -i4, -i6 after what came before: -i4 then -i6 (or the reverse) is
 * -i; -i4 or -i6 after -i is -i4 or -i6 alone; -i after them changes
 * nothing. */
static lsof_net next_net(lsof_net was, lsof_net want) {
  if (was == LSOF_NET_NONE) return want;
  if (want == LSOF_NET_ANY) return was;
  if (was != LSOF_NET_ANY && was != want) return LSOF_NET_ANY;
  return want;
}

int lsof_add_inet(lsof_sel *s, const char *v) {
  if (!v || !*v || ((v[0] == '4' || v[0] == '6') && !v[1])) {
    s->net = next_net(s->net, !v || !*v ? LSOF_NET_ANY : v[0] == '4' ? LSOF_NET_4 : LSOF_NET_6);
    return CLI_OK;
  }
  lsof_inet a;
  int rc = lsof_inet_parse(s->cmd, v, &a);
  if (rc != CLI_OK) return rc;
  /* An address after -i4 or -i6 is of that version, unless it says. */
  if (!a.family && (s->net == LSOF_NET_4 || s->net == LSOF_NET_6))
    a.family = s->net == LSOF_NET_4 ? 4 : 6;
  lsof_inet *p = realloc(s->inet, (size_t)(s->ninet + 1) * sizeof *p);
  if (!p) {
    lsof_inet_free(&a);
    return cli_error("out of memory");
  }
  s->inet = p;
  s->inet[s->ninet++] = a;
  return CLI_OK;
}

int lsof_add_nlink(lsof_sel *s, const char *n) {
  char *end;
  errno = 0;
  long long v = strtoll(n, &end, 10);
  if (!*n || *end || errno || v < 0)
    return cli_usage_error(s->cmd, "+L: not a link count: %s", n);
  s->by_nlink = 1;
  s->nlink_below = v;
  return CLI_OK;
}

static int in_words(const lsof_words *w, const char *s) {
  for (int i = 0; i < w->n; i++)
    if (!strcmp(w->v[i], s)) return 1;
  return 0;
}

int lsof_sel_check(const lsof_sel *s) {
  for (int i = 0; i < s->cmds[1].n; i++)
    if (in_words(&s->cmds[0], s->cmds[1].v[i]))
      return cli_usage_error(s->cmd, "-c^%s and -c%s conflict", s->cmds[1].v[i],
                             s->cmds[1].v[i]);
  for (int i = 0; i < s->states[1].n; i++)
    if (in_words(&s->states[0], s->states[1].v[i]))
      return cli_usage_error(s->cmd, "can't include and exclude TCP state: %s",
                             s->states[1].v[i]);
  return CLI_OK;
}

static void free_words(lsof_words *w) {
  cli_free_words(w->v);
  memset(w, 0, sizeof *w);
}

void lsof_sel_free(lsof_sel *s) {
  for (int k = 0; k < 2; k++) {
    free(s->pids[k].v);
    free(s->pgids[k].v);
    free(s->uids[k].v);
    free_words(&s->cmds[k]);
    free_words(&s->states[k]);
  }
  for (int i = 0; i < s->ninet; i++) lsof_inet_free(&s->inet[i]);
  free(s->inet);
}

/* ---- the row condition ------------------------------------------------------ */

/* "col IN (?, ...)" (or NOT IN) with the ids. */
static void ids_cond(sqlite3_str *sql, cli_query *q, const char *col, const lsof_ids *l,
                     int negate) {
  sqlite3_str_appendf(sql, "%s %sIN (", col, negate ? "NOT " : "");
  for (int i = 0; i < l->n; i++) {
    sqlite3_str_appendall(sql, i ? ", ?" : "?");
    cli_q_int(q, l->v[i]);
  }
  sqlite3_str_appendall(sql, ")");
}

/* Command name prefixes, ORed. */
static void cmds_cond(sqlite3_str *sql, cli_query *q, const char *col, const lsof_words *w) {
  sqlite3_str_appendall(sql, "(");
  for (int i = 0; i < w->n; i++) {
    sqlite3_str_appendf(sql, "%ssubstr(%s, 1, ?) = ?", i ? " OR " : "", col);
    cli_q_int(q, (sqlite3_int64)strlen(w->v[i]));
    cli_q_text(q, w->v[i]);
  }
  sqlite3_str_appendall(sql, ")");
}

static void words_in(sqlite3_str *sql, cli_query *q, const lsof_words *w) {
  sqlite3_str_appendall(sql, "(");
  for (int i = 0; i < w->n; i++) {
    sqlite3_str_appendall(sql, i ? ", ?" : "?");
    cli_q_text(q, w->v[i]);
  }
  sqlite3_str_appendall(sql, ")");
}

/* Every Internet file, or one IP version's (by TYPE: a v4-mapped socket
 * is IPv6 here, as lsof shows it). */
static void net_cond(const lsof_sel *s, sqlite3_str *sql) {
  sqlite3_str_appendf(sql, "l.kind IN %s", lsof_inet_kinds);
  if (s->net == LSOF_NET_4) sqlite3_str_appendall(sql, " AND l.family = 'IPv4'");
  if (s->net == LSOF_NET_6) sqlite3_str_appendall(sql, " AND l.family = 'IPv6'");
}

/* lsof's selection sets, in the order their conditions are written. */
enum { SET_PID, SET_PGID, SET_UID, SET_CMD, SET_NET, SET_ADDR, SET_UNIX, SET_NAME, SET_TASK,
       SET_NLINK, NSETS };

/* Whether a set other than -K's is given. */
static int selects(const lsof_sel *s) {
  return s->pids[0].n || s->pgids[0].n || s->uids[0].n || s->cmds[0].n ||
         s->net != LSOF_NET_NONE || s->ninet || s->unix_sockets || s->names || s->by_nlink;
}

int lsof_reads_tasks(const lsof_sel *s) {
  return s->tasks == LSOF_TASKS_SELECT || (s->tasks == LSOF_TASKS_DEFAULT && !selects(s));
}

/* -K's set: the task rows. With -a, lsof also lists a process's own rows
 * when the other sets select its tasks' (its threads share them): the
 * rows of a process that has threads. */
static void task_cond(const lsof_sel *s, sqlite3_str *sql) {
  sqlite3_str_appendall(sql, "l.tid IS NOT NULL");
  if (s->and_all)
    sqlite3_str_appendall(sql, " OR l.pid IN (SELECT pid FROM processes WHERE threads > 1)");
}

/* -i ADDR: the addresses, ORed. */
static void addr_cond(const lsof_sel *s, sqlite3_str *sql, cli_query *q) {
  for (int i = 0; i < s->ninet; i++) {
    sqlite3_str_appendall(sql, i ? " OR (" : "(");
    lsof_inet_cond(&s->inet[i], sql, q);
    sqlite3_str_appendall(sql, ")");
  }
}

/* Names, none of which could be read, select nothing, as in lsof. */
static void name_cond(const lsof_sel *s, sqlite3_str *sql) {
  if (!s->nnames) sqlite3_str_appendall(sql, "0");
  else sqlite3_str_appendf(sql, "%s IS NOT NULL OR %s IS NOT NULL", lsof_name_file_expr,
                           lsof_name_fs_expr);
}

/* One set's condition (its items ORed); 0 when the set is not used. */
static int set_cond(const lsof_sel *s, int set, sqlite3_str *sql, cli_query *q) {
  switch (set) {
  case SET_PID: if (!s->pids[0].n) return 0; ids_cond(sql, q, "l.pid", &s->pids[0], 0); break;
  case SET_PGID: if (!s->pgids[0].n) return 0; ids_cond(sql, q, "l.pgid", &s->pgids[0], 0); break;
  case SET_UID: if (!s->uids[0].n) return 0; ids_cond(sql, q, "l.uid", &s->uids[0], 0); break;
  case SET_CMD: if (!s->cmds[0].n) return 0; cmds_cond(sql, q, "l.command", &s->cmds[0]); break;
  case SET_NET: if (s->net == LSOF_NET_NONE) return 0; net_cond(s, sql); break;
  case SET_ADDR: if (!s->ninet) return 0; addr_cond(s, sql, q); break;
  case SET_UNIX: if (!s->unix_sockets) return 0; sqlite3_str_appendall(sql, "l.kind = 'unix'"); break;
  case SET_NAME: if (!s->names) return 0; name_cond(s, sql); break;
  case SET_TASK: if (s->tasks != LSOF_TASKS_SELECT) return 0; task_cond(s, sql); break;
  case SET_NLINK:
    /* a file without a link count (a socket) is not one of them */
    if (!s->by_nlink) return 0;
    sqlite3_str_appendall(sql, "l.nlink < ?");
    cli_q_int(q, s->nlink_below);
    break;
  default: return 0;
  }
  return 1;
}

/* " AND col [NOT] IN (...)" for the pid, group and user lists of one
 * kind (0 included, 1 excluded); cols: where the lsof view (l) or the
 * processes table (p) holds them. */
static void id_lists(const lsof_sel *s, int neg, const char *const cols[3],
                     sqlite3_str *sql, cli_query *q) {
  const lsof_ids *ids[3] = {&s->pids[neg], &s->pgids[neg], &s->uids[neg]};
  for (int k = 0; k < 3; k++) {
    if (!ids[k]->n) continue;
    sqlite3_str_appendall(sql, " AND ");
    ids_cond(sql, q, cols[k], ids[k], neg);
  }
}

static const char *const VIEW_ID_COLS[3] = {"l.pid", "l.pgid", "l.uid"};
static const char *const PROC_ID_COLS[3] = {"p.pid", "p.pgrp", "p.euid"};

static void exclusions(const lsof_sel *s, sqlite3_str *sql, cli_query *q) {
  id_lists(s, 1, VIEW_ID_COLS, sql, q);
  if (s->cmds[1].n) {
    sqlite3_str_appendall(sql, " AND NOT ");
    cmds_cond(sql, q, "l.command", &s->cmds[1]);
  }
  /* -s: only Internet files are concerned (kind is NULL for files); on
   * Linux lsof tests UDP sockets against the TCP names too (unconnected is
   * CLOSE, connected ESTABLISHED). */
  for (int neg = 0; neg < 2; neg++) {
    if (!s->states[neg].n) continue;
    sqlite3_str_appendf(sql, " AND (coalesce(l.kind NOT IN %s, 1) OR l.state %sIN ",
                        lsof_inet_kinds, neg ? "NOT " : "");
    words_in(sql, q, &s->states[neg]);
    sqlite3_str_appendall(sql, ")");
  }
}

void lsof_where(const lsof_sel *s, cli_query *q) {
  sqlite3_str *sql = sqlite3_str_new(NULL);
  sqlite3_str_appendall(sql, "1");
  exclusions(s, sql, q);
  int used = 0;
  for (int set = 0; set < NSETS; set++) {
    sqlite3_str *one = sqlite3_str_new(NULL);
    cli_query p = {0};
    if (set_cond(s, set, one, &p)) {
      const char *joiner = !used ? " AND ((" : s->and_all ? ") AND (" : ") OR (";
      sqlite3_str_appendf(sql, "%s%s", joiner, sqlite3_str_value(one));
      cli_q_copy_params(q, &p);
      used++;
    }
    cli_q_free(&p);
    sqlite3_free(sqlite3_str_finish(one));
  }
  if (used) sqlite3_str_appendall(sql, "))");
  char *text = sqlite3_str_finish(sql);
  if (!text) q->oom = 1;
  else cli_q_and(q, text);
  sqlite3_free(text);
}

/* ---- search items ------------------------------------------------------------ */

/* Whether an earlier -i address has the same text (lsof reports it once). */
static int seen_before(const lsof_sel *s, int i) {
  for (int k = 0; k < i; k++)
    if (!strcmp(s->inet[k].text, s->inet[i].text)) return 1;
  return 0;
}

int lsof_row_items(const lsof_sel *s, sqlite3_str *sql, cli_query *q, const char *wrap) {
  int n = 0;
  const char *w = wrap ? wrap : "";
  if (s->net != LSOF_NET_NONE) {
    sqlite3_str_appendf(sql, ", %s(", w);
    net_cond(s, sql);
    sqlite3_str_appendall(sql, ")");
    n++;
  }
  for (int i = 0; i < s->ninet; i++) {
    if (seen_before(s, i)) continue;
    sqlite3_str_appendf(sql, ", %s(", w);
    lsof_inet_cond(&s->inet[i], sql, q);
    sqlite3_str_appendall(sql, ")");
    n++;
  }
  for (int i = 0; i < s->states[0].n; i++) {
    sqlite3_str_appendf(sql, ", %s(l.kind IN %s AND l.state = ?)", w, lsof_inet_kinds);
    cli_q_text(q, s->states[0].v[i]);
    n++;
  }
  return n;
}

char *lsof_proc_items_sql(const lsof_sel *s, cli_query *q, int *n) {
  *n = 0;
  if (!s->pids[0].n && !s->pgids[0].n && !s->cmds[0].n) return NULL;
  sqlite3_str *sql = sqlite3_str_new(NULL);
  sqlite3_str_appendall(sql, "SELECT 0");
  for (int i = 0; i < s->pids[0].n; i++, (*n)++) {
    sqlite3_str_appendall(sql, ", max(p.pid = ?)");
    cli_q_int(q, s->pids[0].v[i]);
  }
  for (int i = 0; i < s->pgids[0].n; i++, (*n)++) {
    sqlite3_str_appendall(sql, ", max(p.pgrp = ?)");
    cli_q_int(q, s->pgids[0].v[i]);
  }
  /* A command is marked once the process passed the pid, group and user
   * tests (all of them given, with -a), and no ^COMMAND excludes it. */
  for (int i = 0; i < s->cmds[0].n; i++, (*n)++) {
    lsof_words one = {&s->cmds[0].v[i], 1};
    sqlite3_str_appendall(sql, ", max(");
    cmds_cond(sql, q, "p.name", &one);
    if (s->cmds[1].n) {
      sqlite3_str_appendall(sql, " AND NOT ");
      cmds_cond(sql, q, "p.name", &s->cmds[1]);
    }
    if (s->and_all) id_lists(s, 0, PROC_ID_COLS, sql, q);
    sqlite3_str_appendall(sql, ")");
  }
  sqlite3_str_appendall(sql, " FROM processes p WHERE p.state IS NOT 'Z'");
  /* -K -a: a process without threads is not selected (task_cond) */
  if (s->tasks == LSOF_TASKS_SELECT && s->and_all) sqlite3_str_appendall(sql, " AND p.threads > 1");
  id_lists(s, 1, PROC_ID_COLS, sql, q);
  /* Only pids asked: read those processes alone. */
  if (!s->pgids[0].n && !s->cmds[0].n) {
    sqlite3_str_appendall(sql, " AND ");
    ids_cond(sql, q, "p.pid", &s->pids[0], 0);
  }
  return sqlite3_str_finish(sql);
}
