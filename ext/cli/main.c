/*
 * main.c: `procnet`, the command. Reads the global options that stand
 * before the command word, finds the command in the table (commands.c)
 * and runs it; the command parses the rest of the line, global options
 * included (options.c).
 *
 *   procnet [--root DIR] [--format table|csv|json] [--netns N|all|self]
 *           lsof|ss|netstat|fuser|sql [ARGS]
 *   procnet --complete -- WORD...     (bash completion, complete.c)
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "procnet.h"

int cli_usage_status(const cli_command *cmd, int status, const char *fmt, ...) {
  va_list ap;
  fputs("procnet: ", stderr);
  if (cmd) fprintf(stderr, "%s: ", cmd->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  cli_print_usage_line(stderr, cmd);
  return status;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  int rc = cli_usage_status(cmd, cmd ? cmd->usage_status : CLI_USAGE, "%s",
                            msg ? msg : "out of memory");
  sqlite3_free(msg);
  return rc;
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

int cli_print_version(const cli_opts *o) {
  sqlite3 *db = cli_db_open(o, 0);
  if (!db) return CLI_ERR;
  sqlite3_stmt *st = cli_prepare(db, "SELECT procnet_version(), sqlite_version()", NULL);
  int rc = CLI_ERR;
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    printf("procnet %s (SQLite %s)\n", sqlite3_column_text(st, 0),
           sqlite3_column_text(st, 1));
    rc = CLI_OK;
  } else if (st) {
    rc = cli_error("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  cli_db_close(db);
  return rc;
}

/* The global options before the command word; *first is then its index. */
static int leading_options(int argc, char **argv, cli_opts *o, int *first,
                           int *netns_given) {
  static const struct option longopts[] = {
      {"root", required_argument, NULL, CLI_OPT_ROOT},
      {"format", required_argument, NULL, CLI_OPT_FORMAT},
      {"netns", required_argument, NULL, CLI_OPT_NETNS},
      {"help", no_argument, NULL, CLI_OPT_HELP},
      {"version", no_argument, NULL, CLI_OPT_VERSION},
      {NULL, 0, NULL, 0}};
  int code, help = 0, version = 0;
  optind = 0;
  opterr = 0;
  while ((code = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
    int rc = CLI_OK;
    if (code == CLI_OPT_HELP) help = 1;
    else if (code == CLI_OPT_VERSION) version = 1;
    else if (code == ':') {
      const cli_option *op = cli_find_option(NULL, optopt);
      rc = cli_usage_status(NULL, CLI_USAGE, "--%s needs %s", op ? op->long_name : "?",
                            op && op->needs ? op->needs : "an argument");
    } else if (code == '?') {
      rc = cli_usage_status(NULL, CLI_USAGE, "unknown option '%s'", argv[optind - 1]);
    } else {
      rc = cli_set_global(o, code, optarg, NULL, CLI_USAGE);
      if (code == CLI_OPT_NETNS) *netns_given = o->ns != CLI_NS_ALL;
    }
    if (rc != CLI_OK) return rc;
  }
  *first = optind;
  if (help) {
    cli_print_help(stdout, NULL);
    return CLI_DONE;
  }
  if (version) {
    int rc = cli_print_version(o);
    return rc == CLI_OK ? CLI_DONE : rc;
  }
  return CLI_OK;
}

static int run(int argc, char **argv) {
  cli_opts o = {NULL, CLI_TABLE, CLI_NS_ALL, 0};
  int first = argc, netns_given = 0;
  int rc = leading_options(argc, argv, &o, &first, &netns_given);
  if (rc != CLI_OK) return rc == CLI_DONE ? CLI_OK : rc;
  if (first >= argc) return cli_usage_status(NULL, CLI_USAGE, "no command given");
  const cli_command *cmd = cli_find_command(argv[first]);
  if (!cmd)
    return cli_usage_status(NULL, CLI_USAGE,
                            "unknown command '%s' (lsof, ss, netstat, fuser or sql)",
                            argv[first]);
  if (netns_given && !cmd->global_netns)
    return cli_usage_error(cmd, "--netns does not apply to %s; filter with"
                                " WHERE netns = procnet_netns() or = N", cmd->name);
  rc = cmd->run(&o, cmd, argc - first, argv + first);
  return rc == CLI_DONE ? CLI_OK : rc;
}

int main(int argc, char **argv) {
  int rc;
  if (argc > 1 && !strcmp(argv[1], "--complete"))
    rc = cli_complete(argc - 2, argv + 2);
  else
    rc = run(argc, argv);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (rc == CLI_OK) rc = cli_error("error writing the output: %s", strerror(errno));
  }
  return rc;
}
