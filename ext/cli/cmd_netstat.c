/*
 * cmd_netstat.c: `procnet netstat [-tuUwx46lanpeo]`, as net-tools'
 * netstat prints its socket tables:
 *   - "Active Internet connections (...)": the `netstat` view's rows, tcp,
 *     udp, udplite then raw, IPv4 then IPv6 (-4, -6: one family);
 *   - "Active UNIX domain sockets (...)": net_unix, as netstat -x prints it
 *     (Proto RefCnt Flags Type State I-Node [PID/Program name] Path; the
 *     path whole, where netstat cuts it at a blank);
 *   - without -t/-u/-U/-w/-x both tables; -4/-6 alone mean every inet kind;
 *   - -l: listening only, -a: all, neither: connected only. Listening is
 *     netstat's test: remote port 0 (tcp), remote address 0 (udp, raw),
 *     the ACC flag (unix);
 *   - -e: User (a name, the uid with -n) and Inode; -p: PID/Program name;
 *     -o: Timer, from /proc/net/tcp's timer fields (net_timers.c).
 */
#include "cli.h"

#include <string.h>

typedef struct netstat_args {
  int tcp, udp, udplite, raw, unx, inet4, inet6;
  int listening, all, numeric, programs, extend, timers;
} netstat_args;

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  netstat_args *a = ctx;
  (void)st;
  (void)v; /* netstat ignores other words, as net-tools does */
  switch (code) {
  case 't': a->tcp = 1; break;
  case 'u': a->udp = 1; break;
  case 'U': a->udplite = 1; break;
  case 'w': a->raw = 1; break;
  case 'x': a->unx = 1; break;
  case '4': a->inet4 = 1; break;
  case '6': a->inet6 = 1; break;
  case 'l': a->listening = 1; break;
  case 'a': a->all = 1; break;
  case 'n': a->numeric = 1; break;
  case 'p': a->programs = 1; break;
  case 'e': a->extend = 1; break;
  case 'o': a->timers = 1; break;
  default: break;
  }
  return CLI_OK;
}

/* net-tools' defaults: -4/-6 alone mean every inet kind, a kind alone
 * both families, nothing at all every kind and family. */
static void netstat_defaults(netstat_args *a) {
  int kinds = a->tcp || a->udp || a->udplite || a->raw;
  if ((a->inet4 || a->inet6) && !kinds) a->tcp = a->udp = a->udplite = a->raw = kinds = 1;
  if (kinds && !a->inet4 && !a->inet6) a->inet4 = a->inet6 = 1;
  if (!kinds && !a->unx) a->tcp = a->udp = a->udplite = a->raw = a->unx = a->inet4 = a->inet6 = 1;
}

static void print_title(const cli_opts *o, const netstat_args *a, const char *what) {
  if (o->format != CLI_TABLE) return;
  printf("Active %s %s\n", what,
         a->all ? "(servers and established)" : a->listening ? "(only servers)" : "(w/o servers)");
}

/* The holder as netstat names it: "PID/" and argv[0] (its last part when
 * it is a path), cut to 19 characters; "-" when none. The netstat view's
 * pid_program follows the same rule for internet sockets. */
#define PROGRAM_OF(inode)                                                          \
  "coalesce((SELECT substr(p.pid || '/' || CASE WHEN p.argv0 LIKE '/%'"           \
  " THEN substr(p.argv0, length(rtrim(p.argv0, replace(p.argv0, '/', ''))) + 1)"   \
  " ELSE p.argv0 END, 1, 19) FROM socket_holders sh JOIN processes p"              \
  " ON p.pid = sh.pid WHERE sh.inode = " inode "), '-')"

/* ---- internet sockets ------------------------------------------------------- */

static char *user_expr(const netstat_args *a) {
  if (a->numeric) return sqlite3_mprintf("CAST(n.uid AS TEXT)");
  return sqlite3_mprintf("coalesce((SELECT u.name FROM users u WHERE u.uid = n.uid LIMIT 1),"
                         " CAST(n.uid AS TEXT))");
}

static char *timer_expr(void) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  cli_netstat_timer_expr(s, "n");
  return sqlite3_str_finish(s);
}

/* Which rows of one kind: netstat's listening test, per kind. */
static void state_condition(sqlite3_str *sql, const netstat_args *a, const char *kind) {
  if (a->all) return;
  int tcp = !strcmp(kind, "tcp");
  const char *listening = tcp ? "n.remote_port = 0" : "n.remote_ip IN ('0.0.0.0', '::')";
  sqlite3_str_appendf(sql, a->listening ? " AND %s" : " AND NOT (%s)", listening);
}

static char *inet_select(const netstat_args *a, const cli_col *cols, int ncols,
                         const cli_query *common, cli_query *params) {
  static const char *const kinds[] = {"tcp", "udp", "udplite", "raw"};
  const int want[] = {a->tcp, a->udp, a->udplite, a->raw};
  const char *where = cli_q_text_of((cli_query *)common);
  if (!where) return NULL;
  sqlite3_str *sql = sqlite3_str_new(NULL);
  int arms = 0;
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    if (!want[k]) continue;
    if (arms++) sqlite3_str_appendall(sql, " UNION ALL ");
    cli_append_select(sql, cols, ncols);
    sqlite3_str_appendf(sql, " FROM temp.netstat AS n WHERE n.kind = '%s'", kinds[k]);
    if (!(a->inet4 && a->inet6))
      sqlite3_str_appendf(sql, " AND n.family = '%s'", a->inet4 ? "IPv4" : "IPv6");
    state_condition(sql, a, kinds[k]);
    if (*where) sqlite3_str_appendf(sql, " AND %s", where);
    cli_q_copy_params(params, common);
  }
  return sqlite3_str_finish(sql);
}

static int show_inet(sqlite3 *db, const cli_opts *o, const netstat_args *a) {
  char *user = a->extend ? user_expr(a) : NULL, *timer = a->timers ? timer_expr() : NULL;
  if ((a->extend && !user) || (a->timers && !timer)) {
    sqlite3_free(user);
    sqlite3_free(timer);
    return cli_error("out of memory");
  }
  cli_col cols[10] = {
      {"proto", "Proto", CLI_LEFT, 5, NULL},
      {"recv_q", "Recv-Q", CLI_RIGHT, 6, NULL},
      {"send_q", "Send-Q", CLI_RIGHT, 6, NULL},
      {"local_address", "Local Address", CLI_LEFT, 23, NULL},
      {"foreign_address", "Foreign Address", CLI_LEFT, 23, NULL},
      {"state", "State", CLI_LEFT, 11, NULL},
  };
  int n = 6;
  if (a->extend) {
    cols[n++] = (cli_col){"user", "User", CLI_LEFT, 10, user};
    cols[n++] = (cli_col){"inode", "Inode", CLI_LEFT, 10, NULL};
  }
  if (a->programs) cols[n++] = (cli_col){"pid_program", "PID/Program name", CLI_LEFT, 19, NULL};
  if (a->timers) cols[n++] = (cli_col){"timer", "Timer", CLI_LEFT, 0, timer};
  cli_query common = {0}, params = {0};
  int rc = cli_q_and_netns(db, o, &common, "n.netns = ?");
  if (rc == CLI_OK) {
    print_title(o, a, "Internet connections");
    char *sql = inet_select(a, cols, n, &common, &params);
    rc = cli_run_sql(db, o, sql, cols, &params, NULL);
    sqlite3_free(sql);
  }
  cli_q_free(&common);
  cli_q_free(&params);
  sqlite3_free(user);
  sqlite3_free(timer);
  return rc;
}

/* ---- unix sockets ------------------------------------------------------------ */

static const char UNIX_FLAGS[] =
    "'[ ' || CASE WHEN u.flags & 65536 THEN 'ACC ' ELSE '' END"
    " || CASE WHEN u.flags & 131072 THEN 'W ' ELSE '' END"
    " || CASE WHEN u.flags & 262144 THEN 'N ' ELSE '' END || ']'";
static const char UNIX_STATE[] =
    "CASE u.state WHEN 'LISTEN' THEN 'LISTENING' WHEN 'UNCONNECTED' THEN ''"
    " WHEN 'CONNECTING' THEN 'CONNECTING' WHEN 'CONNECTED' THEN 'CONNECTED'"
    " WHEN 'DISCONNECTING' THEN 'DISCONNECTING' ELSE 'FREE' END";

static int show_unix(sqlite3 *db, const cli_opts *o, const netstat_args *a) {
  cli_col cols[8] = {
      {"proto", "Proto", CLI_LEFT, 5, "CASE u.protocol WHEN 0 THEN 'unix' ELSE '?' || '?' END"},
      {"refcnt", "RefCnt", CLI_LEFT, 6, "u.refcount"},
      {"flags", "Flags", CLI_LEFT, 11, UNIX_FLAGS},
      {"type", "Type", CLI_LEFT, 10, "coalesce(u.type, 'UNKNOWN')"},
      {"state", "State", CLI_LEFT, 13, UNIX_STATE},
      {"inode", "I-Node", CLI_LEFT, 8, "u.inode"},
  };
  int n = 6;
  if (a->programs)
    cols[n++] = (cli_col){"pid_program", "PID/Program name", CLI_LEFT, 19, PROGRAM_OF("u.inode")};
  cols[n++] = (cli_col){"path", "Path", CLI_LEFT, 0, "u.path"};
  cli_query q = {0};
  if (!a->all) cli_q_and(&q, a->listening ? "u.state IS 'LISTEN'" : "u.state IS NOT 'LISTEN'");
  int rc = cli_q_and_netns(db, o, &q, "u.netns = ?");
  const char *where = rc == CLI_OK ? cli_q_text_of(&q) : "";
  if (rc == CLI_OK) {
    print_title(o, a, "UNIX domain sockets");
    sqlite3_str *sql = sqlite3_str_new(NULL);
    cli_append_select(sql, cols, n);
    sqlite3_str_appendall(sql, " FROM net_unix AS u");
    if (where && *where) sqlite3_str_appendf(sql, " WHERE %s", where);
    char *text = sqlite3_str_finish(sql);
    rc = cli_run_sql(db, o, where ? text : NULL, cols, &q, NULL);
    sqlite3_free(text);
  }
  cli_q_free(&q);
  return rc;
}

int cli_cmd_netstat(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  netstat_args a;
  memset(&a, 0, sizeof a);
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  if (rc != CLI_OK) return rc;
  netstat_defaults(&a);
  sqlite3 *db = cli_db_open(o, CLI_DB_ROOT);
  if (!db) return CLI_ERR;
  if (cli_db_views(db, "netstat") != CLI_OK) {
    cli_db_close(db);
    return CLI_ERR;
  }
  if (a.tcp || a.udp || a.udplite || a.raw) rc = show_inet(db, o, &a);
  if (rc == CLI_OK && a.unx) rc = show_unix(db, o, &a);
  cli_db_close(db);
  return rc;
}
