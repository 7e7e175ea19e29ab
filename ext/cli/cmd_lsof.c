/*
 * cmd_lsof.c: `procnet lsof [-p PID[,PID...]] [-c NAME] [-i[ADDR]] [-U] [-a]
 * [-n] [-P] [NAME...]`, the rows of the `lsof` view with lsof's selection
 * rules:
 *   - -p PID,...  these processes (^PID excludes one);
 *   - -c NAME     processes whose command starts with NAME (^NAME excludes);
 *   - -i[ADDR]    internet files; ADDR is lsof's [4|6][tcp|udp][@HOST][:PORT]
 *                 (numeric host and port; PORT may be a list a,b);
 *   - -U          unix domain sockets;
 *   - NAME        files whose NAME column is exactly NAME;
 *   - the selections above are ORed, as in lsof; -a ANDs them. Exclusions
 *     (^) and --netns always apply;
 *   - -n and -P are accepted: procnet never resolves addresses or ports.
 * --netns keeps the processes of that network namespace.
 *
 * As in lsof, an option's argument may be attached (-p42, -i:80, -cjava) or
 * the next word; -i takes the next word only when it looks like an address
 * (cli_lsof_next_word_ok, given to the option parser by commands.c).
 */
#include "cli.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const cli_col COLS[] = {
    CLI_COL("command", "COMMAND", CLI_LEFT),  CLI_COL("pid", "PID", CLI_RIGHT),
    CLI_COL("user", "USER", CLI_LEFT),        CLI_COL("fd", "FD", CLI_FD),
    CLI_COL("type", "TYPE", CLI_RIGHT),       CLI_COL("device", "DEVICE", CLI_RIGHT),
    CLI_COL("size_off", "SIZE/OFF", CLI_RIGHT), CLI_COL("node", "NODE", CLI_RIGHT),
    CLI_COL("name", "NAME", CLI_LEFT),
};

/* One selection group: conditions ORed, with their parameters in order. */
typedef struct group {
  sqlite3_str *sql;
  int n;
} group;

static void g_add(group *g, const char *joiner, const char *cond) {
  if (!g->sql) g->sql = sqlite3_str_new(NULL);
  sqlite3_str_appendf(g->sql, "%s(%s)", g->n++ ? joiner : "", cond);
}

static int parse_pid(const char *s, sqlite3_int64 *pid) {
  if (!*s) return -1;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') return -1;
  if (strlen(s) > 10) return -1;
  long long v = strtoll(s, NULL, 10);
  if (v <= 0 || v > INT32_MAX) return -1;
  *pid = v;
  return 0;
}

typedef struct lsof_args {
  const cli_command *cmd; /* for messages */
  group pids, cmds, inet, files, not_pids, not_cmds;
  cli_query qp, qc, qi, qf, qnp, qnc; /* each group's parameters */
  int and_all;
} lsof_args;

static int add_pids(lsof_args *a, const char *list) {
  char *copy = strdup(list), *save = NULL;
  if (!copy) return cli_error("out of memory");
  int rc = CLI_OK, any = 0;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    int neg = t[0] == '^';
    sqlite3_int64 pid;
    if (parse_pid(t + neg, &pid) != 0) {
      rc = cli_usage_error(a->cmd, "bad process id '%s' in -p %s", t, list);
      break;
    }
    if (neg) {
      g_add(&a->not_pids, " AND ", "pid <> ?");
      cli_q_int(&a->qnp, pid);
    } else {
      g_add(&a->pids, " OR ", "pid = ?");
      cli_q_int(&a->qp, pid);
    }
    any = 1;
  }
  if (rc == CLI_OK && !any) rc = cli_usage_error(a->cmd, "-p needs a process id");
  free(copy);
  return rc;
}

static int add_cmd(lsof_args *a, const char *name) {
  int neg = name[0] == '^';
  const char *n = name + neg;
  size_t len = strlen(n);
  if (!len) return cli_usage_error(a->cmd, "-c needs a command name");
  if (len > 1 && n[0] == '/')
    return cli_usage_error(a->cmd, "-c /REGEX/ is not supported; use procnet sql");
  if (neg) {
    g_add(&a->not_cmds, " AND ", "substr(coalesce(command, ''), 1, length(?)) <> ?");
    cli_q_text(&a->qnc, n);
    cli_q_text(&a->qnc, n);
  } else {
    g_add(&a->cmds, " OR ", "substr(command, 1, length(?)) = ?");
    cli_q_text(&a->qc, n);
    cli_q_text(&a->qc, n);
  }
  return CLI_OK;
}

/* Whether a word after -i is its address: 4, 6, tcp..., udp..., @..., :... */
int cli_lsof_next_word_ok(int code, const char *s) {
  return code == 'i' &&
         (s[0] == '4' || s[0] == '6' || s[0] == '@' || s[0] == ':' ||
          !strncasecmp(s, "tcp", 3) || !strncasecmp(s, "udp", 3));
}

/* -i[4|6][tcp|udp][@HOST][:PORT[,PORT...]] */
static int add_inet(lsof_args *a, const char *spec) {
  const char *s = spec;
  sqlite3_str *c = sqlite3_str_new(NULL);
  cli_query *q = &a->qi;
  int rc = CLI_OK;
  char *host = NULL;

  sqlite3_str_appendall(c, "type IN ('IPv4', 'IPv6')");
  if (*s == '4' || *s == '6') {
    sqlite3_str_appendf(c, " AND type = 'IPv%c'", *s);
    s++;
  }
  if (!strncasecmp(s, "tcp", 3) || !strncasecmp(s, "udp", 3)) {
    sqlite3_str_appendf(c, " AND upper(node) = '%s'",
                        toupper((unsigned char)s[0]) == 'T' ? "TCP" : "UDP");
    s += 3;
  }
  if (*s == '@') {
    const char *h = ++s, *end;
    if (*h == '[') {
      end = strchr(h, ']');
      if (!end) {
        rc = cli_usage_error(a->cmd, "bad address in -i%s: no ']'", spec);
        goto out;
      }
      end++;
    } else {
      /* An IPv6 address without brackets cannot be followed by a port. */
      const char *colon = strchr(h, ':');
      end = colon && !strchr(colon + 1, ':') ? colon : h + strlen(h);
    }
    if (end == h) {
      rc = cli_usage_error(a->cmd, "bad address in -i%s: no host after '@'", spec);
      goto out;
    }
    /* lsof writes IPv6 addresses in brackets; accept them without too. */
    host = (*h != '[' && memchr(h, ':', (size_t)(end - h)))
               ? sqlite3_mprintf("[%.*s]", (int)(end - h), h)
               : sqlite3_mprintf("%.*s", (int)(end - h), h);
    if (!host) {
      rc = cli_error("out of memory");
      goto out;
    }
    /* NAME is local, or local->remote, each HOST:PORT. */
    sqlite3_str_appendall(c, " AND (substr(name, 1, length(?) + 1) = ? || ':'"
                             " OR instr(name, '>' || ? || ':') > 0)");
    cli_q_text(q, host);
    cli_q_text(q, host);
    cli_q_text(q, host);
    s = end;
  }
  if (*s == ':') {
    char *ports = strdup(s + 1), *save = NULL;
    int np = 0;
    if (!ports) {
      rc = cli_error("out of memory");
      goto out;
    }
    sqlite3_str_appendall(c, " AND (");
    for (char *t = strtok_r(ports, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      sqlite3_int64 port;
      if (parse_pid(t, &port) != 0 || port > 65535) {
        rc = cli_usage_error(a->cmd, "bad port '%s' in -i%s (numeric ports only)", t, spec);
        break;
      }
      /* HOST:PORT is followed by "->", " (STATE)" or the end of NAME. */
      sqlite3_str_appendf(c, "%sinstr(name, ':' || ? || '-') > 0"
                             " OR instr(name, ':' || ? || ' ') > 0"
                             " OR substr(name, -length(?) - 1) = ':' || ?",
                          np++ ? " OR " : "");
      for (int k = 0; k < 4; k++) cli_q_text(q, t);
    }
    free(ports);
    if (rc != CLI_OK) goto out;
    if (!np) {
      rc = cli_usage_error(a->cmd, "bad address in -i%s: no port after ':'", spec);
      goto out;
    }
    sqlite3_str_appendall(c, ")");
    s += strlen(s);
  }
  if (*s) {
    rc = cli_usage_error(a->cmd, "bad address in -i%s (expected "
                                 "[4|6][tcp|udp][@HOST][:PORT])", spec);
    goto out;
  }
  char *text = sqlite3_str_value(c);
  if (!text) {
    rc = cli_error("out of memory");
    goto out;
  }
  g_add(&a->inet, " OR ", text);
out:
  sqlite3_free(host);
  sqlite3_free(sqlite3_str_finish(c));
  return rc;
}

/* One option or NAME, in command-line order (options.c). */
static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  lsof_args *a = ctx;
  (void)st;
  switch (code) {
  case CLI_OPERAND:
    g_add(&a->files, " OR ", "name = ?");
    cli_q_text(&a->qf, v);
    return CLI_OK;
  case 'a': a->and_all = 1; return CLI_OK;
  case 'n': case 'P': return CLI_OK;
  case 'U': g_add(&a->inet, " OR ", "type = 'unix'"); return CLI_OK;
  case 'p': return add_pids(a, v);
  case 'c': return add_cmd(a, v);
  case 'i': return add_inet(a, v ? v : "");
  default: return CLI_OK;
  }
}

/* Moves group g (its SQL into `sql`, its parameters into q). */
static void emit(sqlite3_str *sql, const char *joiner, int *n, group *g,
                 cli_query *from, cli_query *q) {
  if (!g->n) return;
  sqlite3_str_appendf(sql, "%s(%s)", (*n)++ ? joiner : "", sqlite3_str_value(g->sql));
  cli_q_copy_params(q, from);
}

static void free_args(lsof_args *a) {
  group *gs[] = {&a->pids, &a->cmds, &a->inet, &a->files, &a->not_pids, &a->not_cmds};
  cli_query *qs[] = {&a->qp, &a->qc, &a->qi, &a->qf, &a->qnp, &a->qnc};
  for (size_t i = 0; i < 6; i++) {
    if (gs[i]->sql) sqlite3_free(sqlite3_str_finish(gs[i]->sql));
    cli_q_free(qs[i]);
  }
}

int cli_cmd_lsof(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  lsof_args a;
  memset(&a, 0, sizeof a);
  a.cmd = cmd;
  cli_query q = {0};
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  if (rc != CLI_OK) goto out;

  /* Selections, ORed (ANDed with -a), then exclusions, ANDed. */
  sqlite3_str *sel = sqlite3_str_new(NULL);
  int n = 0;
  const char *joiner = a.and_all ? " AND " : " OR ";
  emit(sel, joiner, &n, &a.pids, &a.qp, &q);
  emit(sel, joiner, &n, &a.cmds, &a.qc, &q);
  emit(sel, joiner, &n, &a.inet, &a.qi, &q);
  emit(sel, joiner, &n, &a.files, &a.qf, &q);
  char *text = sqlite3_str_finish(sel);
  if (n) {
    if (!text) q.oom = 1;
    else cli_q_and(&q, text);
  }
  sqlite3_free(text);
  sqlite3_str *ex = sqlite3_str_new(NULL);
  n = 0;
  emit(ex, " AND ", &n, &a.not_pids, &a.qnp, &q);
  emit(ex, " AND ", &n, &a.not_cmds, &a.qnc, &q);
  text = sqlite3_str_finish(ex);
  if (n) {
    if (!text) q.oom = 1;
    else cli_q_and(&q, text);
  }
  sqlite3_free(text);

  rc = cli_show_view(o, "lsof", COLS, (int)(sizeof COLS / sizeof COLS[0]), &q,
                     "pid IN (SELECT pid FROM processes WHERE netns = ?)");
out:
  free_args(&a);
  cli_q_free(&q);
  return rc;
}
