/*
 * main.c: `procnet`, the command. Takes the options every subcommand shares
 * (wherever they appear on the line, before or after the subcommand), then
 * hands the rest to the subcommand.
 *
 *   procnet [--root DIR] [--format table|csv|json] [--netns N|all|self]
 *           lsof|ss|netstat|sql [ARGS]
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procnet.h"

const char cli_usage_general[] =
    "usage: procnet [--root DIR] [--format table|csv|json] [--netns N|all|self]"
    " lsof|ss|netstat|sql [ARGS]  (procnet --help)";

static const char help_text[] =
    "procnet: which process holds which connection, from /proc alone.\n"
    "lsof, ss and netstat look-alikes, and SQL over every table.\n"
    "\n"
    "usage: procnet [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  lsof [-p PID[,PID...]] [-c NAME] [-i[ADDR]] [-U] [-a] [-n] [-P]\n"
    "      open files, as `lsof -n -P` prints them. -p these processes,\n"
    "      -c commands starting with NAME, -i internet sockets (ADDR:\n"
    "      [4|6][tcp|udp][@HOST][:PORT]), -U unix sockets. Selections are\n"
    "      ORed as in lsof; -a ANDs them.\n"
    "  ss [-t] [-u] [-x] [-w] [-l] [-a] [-p] [-n]\n"
    "      sockets, as ss prints them. -t TCP, -u UDP, -x unix, -w raw\n"
    "      (none: every kind); -l listening only, -a all states (neither:\n"
    "      connected sockets only, as ss); -p adds the Process column.\n"
    "      Letters combine: procnet ss -tanp\n"
    "  netstat [-t] [-u] [-w] [-l] [-a] [-p] [-n]\n"
    "      internet sockets, as netstat prints them: -t TCP, -u UDP, -w raw\n"
    "      (none: every protocol); -l listening only, -a all (neither:\n"
    "      connected only); -p adds PID/Program name.\n"
    "  sql [SQL]\n"
    "      runs SQL (none given: read from standard input) with every table\n"
    "      (processes, fds, net_tcp, net_unix, sockets, users, ...) and every\n"
    "      view (lsof, ss, netstat, listening, ...).\n"
    "\n"
    "Options, for every command (before or after it):\n"
    "  --root DIR       read DIR instead of /proc (e.g. /host/proc)\n"
    "  --format FORMAT  table (default), csv (a header row, RFC 4180 quoting)\n"
    "                   or json (an array of objects keyed by column name)\n"
    "  --netns NS       network namespace: all (the default: every namespace,\n"
    "                   i.e. every container, which ss and netstat do not\n"
    "                   show), self (this process's own, what ss shows) or a\n"
    "                   namespace inode number (as in net:[N]); not for sql\n"
    "  -h, --help       this help\n"
    "  --version        the version\n"
    "\n"
    "Addresses and ports are always numeric (-n and -P are accepted). User\n"
    "names come from /etc/passwd, without NSS; a uid without a name prints\n"
    "as its number.\n"
    "\n"
    "Exit status: 0 success, 1 SQL or runtime error, 2 bad usage.\n";

static const char *usage_of(const char *cmd) {
  if (!cmd) return cli_usage_general;
  if (!strcmp(cmd, "lsof")) return cli_usage_lsof;
  if (!strcmp(cmd, "ss")) return cli_usage_ss;
  if (!strcmp(cmd, "netstat")) return cli_usage_netstat;
  if (!strcmp(cmd, "sql")) return cli_usage_sql;
  return cli_usage_general;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fputs("procnet: ", stderr);
  if (cmd) fprintf(stderr, "%s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n%s\n", usage_of(cmd));
  return CLI_USAGE;
}

int cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  const char *m = msg ? msg : "out of memory";
  /* The extension's own messages already say who speaks. */
  if (!strncmp(m, "procnet: ", 9)) m += 9;
  fprintf(stderr, "procnet: %s\n", m);
  sqlite3_free(msg);
  return CLI_ERR;
}

/* Matches `--name VALUE` and `--name=VALUE`. Returns 1 and sets *val (NULL
 * when the value is missing), or 0 when argv[*i] is another option. */
static int long_opt(int argc, char **argv, int *i, const char *name,
                    const char **val) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0) return 0;
  if (a[n] == '=') {
    *val = a + n + 1;
    return 1;
  }
  if (a[n] != '\0') return 0;
  *val = *i + 1 < argc ? argv[++*i] : NULL;
  return 1;
}

static int parse_format(const char *v, cli_format *f) {
  if (!strcmp(v, "table")) *f = CLI_TABLE;
  else if (!strcmp(v, "csv")) *f = CLI_CSV;
  else if (!strcmp(v, "json")) *f = CLI_JSON;
  else return -1;
  return 0;
}

/* all | self | N | net:[N] */
static int parse_netns(const char *v, cli_opts *o) {
  if (!strcmp(v, "all")) {
    o->ns = CLI_NS_ALL;
    return 0;
  }
  if (!strcmp(v, "self")) {
    o->ns = CLI_NS_SELF;
    return 0;
  }
  const char *p = v;
  size_t n = strlen(v);
  if (!strncmp(v, "net:[", 5) && n > 6 && v[n - 1] == ']') p = v + 5;
  if (*p < '0' || *p > '9') return -1;
  errno = 0;
  char *end;
  unsigned long long x = strtoull(p, &end, 10);
  if (errno || x == 0 || x > INT64_MAX) return -1;
  if (!(*end == '\0' || (p != v && *end == ']' && end[1] == '\0'))) return -1;
  o->ns = CLI_NS_INODE;
  o->ns_inode = (sqlite3_int64)x;
  return 0;
}

static int print_version(const cli_opts *o) {
  sqlite3 *db = cli_db_open(o, 0);
  if (!db) return CLI_ERR;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, "SELECT procnet_version(), sqlite_version()",
                              -1, &st, NULL);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    printf("procnet %s (SQLite %s)\n", sqlite3_column_text(st, 0),
           sqlite3_column_text(st, 1));
    rc = CLI_OK;
  } else {
    rc = cli_error("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  cli_db_close(db);
  return rc;
}

typedef int (*cmd_fn)(const cli_opts *, int, char **);

static cmd_fn find_cmd(const char *name) {
  if (!strcmp(name, "lsof")) return cli_cmd_lsof;
  if (!strcmp(name, "ss")) return cli_cmd_ss;
  if (!strcmp(name, "netstat")) return cli_cmd_netstat;
  if (!strcmp(name, "sql")) return cli_cmd_sql;
  return NULL;
}

static int run(int argc, char **argv, char **rest) {
  cli_opts o = {NULL, CLI_TABLE, CLI_NS_ALL, 0};
  int nrest = 0, help = 0, version = 0, dashdash = 0, netns_given = 0;
  const char *cmd = NULL; /* for messages: the subcommand, once seen */

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    if (dashdash || a[0] != '-' || a[1] == '\0') {
      /* A plain word; the first one names the subcommand. */
      if (!cmd && !dashdash) cmd = a;
      rest[nrest++] = argv[i];
      continue;
    }
    if (!strcmp(a, "--")) {
      dashdash = 1;
      rest[nrest++] = argv[i];
      continue;
    }
    if (long_opt(argc, argv, &i, "--root", &v)) {
      if (!v || !*v) return cli_usage_error(NULL, "--root needs a directory");
      o.root = v;
    } else if (long_opt(argc, argv, &i, "--format", &v)) {
      if (!v) return cli_usage_error(NULL, "--format needs table, csv or json");
      if (parse_format(v, &o.format) != 0)
        return cli_usage_error(NULL, "unknown format '%s' (table, csv or json)", v);
    } else if (long_opt(argc, argv, &i, "--netns", &v)) {
      if (!v) return cli_usage_error(NULL, "--netns needs N, all or self");
      if (parse_netns(v, &o) != 0)
        return cli_usage_error(NULL,
                               "bad --netns '%s' (a namespace inode, all or self)", v);
      netns_given = o.ns != CLI_NS_ALL;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      help = 1;
    } else if (!strcmp(a, "--version")) {
      version = 1;
    } else if (!cmd) {
      return cli_usage_error(NULL, "unknown option '%s'", a);
    } else {
      rest[nrest++] = argv[i]; /* the subcommand's own option */
    }
  }
  rest[nrest] = NULL;

  if (help) {
    fputs(help_text, stdout);
    return CLI_OK;
  }
  if (version) return print_version(&o);
  if (!cmd) return cli_usage_error(NULL, "no command given");
  cmd_fn fn = find_cmd(cmd);
  if (!fn)
    return cli_usage_error(NULL, "unknown command '%s' (lsof, ss, netstat or sql)", cmd);
  if (netns_given && fn == cli_cmd_sql)
    return cli_usage_error("sql", "--netns does not apply to sql; "
                                  "filter with WHERE netns = procnet_netns() or = N");
  return fn(&o, nrest, rest);
}

int main(int argc, char **argv) {
  char **rest = calloc((size_t)argc + 1, sizeof *rest);
  if (!rest) return cli_error("out of memory");
  int rc = run(argc, argv, rest);
  free(rest);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (rc == CLI_OK) rc = cli_error("error writing the output: %s", strerror(errno));
  }
  return rc;
}
