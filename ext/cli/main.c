/*
 * main.c: `procnet`, the command. Reads the global options that stand
 * before the command word, finds the command in the table (commands.c)
 * and runs it; the command parses the rest of the line, global options
 * included (options.c).
 *
 *   procnet [--root DIR] [--host-root DIR] [--format table|csv|json]
 *           [--netns N|all|self] lsof|ss|netstat|fuser|sql|graph [ARGS]
 *   procnet --complete -- WORD...     (bash completion, complete.c)
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>


/* The global options before the command word; *first is then its index. */
static int leading_options(int argc, char **argv, cli_opts *o, int *first,
                           int *netns_given) {
  static const struct option longopts[] = {
      {"root", required_argument, NULL, CLI_OPT_ROOT},
      {"format", required_argument, NULL, CLI_OPT_FORMAT},
      {"netns", required_argument, NULL, CLI_OPT_NETNS},
      {"host-root", required_argument, NULL, CLI_OPT_HOST_ROOT},
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
  cli_opts o = {.format = CLI_TABLE, .ns = CLI_NS_ALL, .picture = CLI_NO_PICTURE};
  int first = argc, netns_given = 0;
  int rc = leading_options(argc, argv, &o, &first, &netns_given);
  if (rc != CLI_OK) return rc == CLI_DONE ? CLI_OK : rc;
  if (first >= argc) return cli_usage_status(NULL, CLI_USAGE, "no command given");
  const cli_command *cmd = cli_find_command(argv[first]);
  if (!cmd)
    return cli_usage_status(NULL, CLI_USAGE,
                            "unknown command '%s' (lsof, ss, netstat, fuser, sql,"
                            " watch, record or graph)",
                            argv[first]);
  if (o.picture != CLI_NO_PICTURE && cmd->run != cli_cmd_graph)
    return cli_usage_error(cmd, "--format dot and svg are for graph");
  if (netns_given && !cmd->global_netns)
    return cli_usage_error(cmd, "--netns does not apply to %s; filter with"
                                " WHERE netns = procnet_netns() or = N", cmd->name);
  rc = cmd->run(&o, cmd, argc - first, argv + first);
  return rc == CLI_DONE ? CLI_OK : rc == CLI_NONE ? CLI_ERR : rc;
}

/* The command has one connection, used by one thread (the extension's
 * reader threads touch no connection): SQLite's per-connection mutexes and
 * its allocation statistics, a global mutex taken around every malloc,
 * buy nothing here. Either call failing leaves the safe defaults. */
static void configure_sqlite(void) {
  if (sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK) return;
  if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) return;
}

int main(int argc, char **argv) {
  int rc;
  configure_sqlite();
  if (argc > 1 && !strcmp(argv[1], "--complete"))
    rc = cli_complete(argc - 2, argv + 2);
  else
    rc = run(argc, argv);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (rc == CLI_OK) rc = cli_error("error writing the output: %s", strerror(errno));
  }
  return rc;
}
