/*
 * cmd_netstat.c: `procnet netstat [-t] [-u] [-w] [-l] [-a] [-p] [-n]`, the
 * rows of the `netstat` view with netstat's selection rules:
 *   - protocols: -t tcp/tcp6, -u udp/udp6, -w raw/raw6; none given: every
 *     protocol the view has;
 *   - -l listening only, -a all, neither: connected only. As in netstat, a
 *     socket is listening when its remote port is 0 (printed `*`) or its
 *     state is LISTEN;
 *   - -p adds PID/Program name; -n is accepted (procnet is numeric).
 * --netns needs a netns column in the view (the printed columns are
 * netstat's; netns is only filtered on).
 */
#include "cli.h"

const char cli_usage_netstat[] =
    "usage: procnet netstat [-t] [-u] [-w] [-l] [-a] [-p] [-n]"
    " [--root DIR] [--format table|csv|json] [--netns N|all|self]";

static const cli_long netstat_longs[] = {
    {"tcp", 't'}, {"udp", 'u'},      {"raw", 'w'},     {"listening", 'l'},
    {"all", 'a'}, {"programs", 'p'}, {"numeric", 'n'}, {NULL, 0}};

static const cli_col COLS[] = {
    {"proto", "Proto", CLI_LEFT},
    {"recv_q", "Recv-Q", CLI_RIGHT},
    {"send_q", "Send-Q", CLI_RIGHT},
    {"local_address", "Local Address", CLI_LEFT},
    {"foreign_address", "Foreign Address", CLI_LEFT},
    {"state", "State", CLI_LEFT},
    {"pid_program", "PID/Program name", CLI_LEFT},
};

#define LISTENING \
  "coalesce(state, '') = 'LISTEN' OR coalesce(foreign_address, '') GLOB '*:[*]'"

int cli_cmd_netstat(const cli_opts *o, int argc, char **argv) {
  char seen[128] = {0};
  int rc = cli_parse_flags("netstat", argc, argv, "tuwlapn", netstat_longs, seen);
  if (rc != CLI_OK) return rc;

  static const cli_flag_cond protos[] = {
      {'t', "proto IN ('tcp', 'tcp6')"},
      {'u', "proto IN ('udp', 'udp6')"},
      {'w', "proto IN ('raw', 'raw6')"},
  };
  cli_query q = {0};
  cli_q_and_flags(&q, protos, sizeof protos / sizeof protos[0], seen);

  if (seen['a'])
    ;
  else if (seen['l'])
    cli_q_and(&q, LISTENING);
  else
    cli_q_and(&q, "NOT (" LISTENING ")");

  int ncols = seen['p'] ? 7 : 6;
  rc = cli_show_view(o, "netstat", COLS, ncols, &q, "netns = ?");
  cli_q_free(&q);
  return rc;
}
