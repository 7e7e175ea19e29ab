/*
 * cmd_ss.c: `procnet ss [-t] [-u] [-x] [-w] [-l] [-a] [-p] [-n]`, the rows of
 * the `ss` view with ss's own selection rules:
 *   - kinds: -t tcp, -u udp, -x unix (u_str, u_dgr, u_seq), -w raw; none
 *     given: every kind the view has;
 *   - states: -l listening (LISTEN, and UNCONN, as ss counts an unconnected
 *     UDP or unix datagram socket), -a every state, neither: ss's default,
 *     every state but LISTEN, UNCONN, TIME-WAIT and SYN-RECV;
 *   - -p adds the Process column; -n is accepted (procnet is numeric).
 * The Netid column is left out when one kind is asked for, as ss does.
 * State names are matched in ss's spelling and in the kernel's.
 */
#include "cli.h"

const char cli_usage_ss[] =
    "usage: procnet ss [-t] [-u] [-x] [-w] [-l] [-a] [-p] [-n]"
    " [--root DIR] [--format table|csv|json] [--netns N|all|self]";

static const cli_long ss_longs[] = {
    {"tcp", 't'},       {"udp", 'u'}, {"unix", 'x'},      {"raw", 'w'},
    {"listening", 'l'}, {"all", 'a'}, {"processes", 'p'}, {"numeric", 'n'},
    {NULL, 0}};

static const cli_col COL_NETID = {"netid", "Netid", CLI_LEFT};
static const cli_col COLS[] = {
    {"state", "State", CLI_LEFT},
    {"recv_q", "Recv-Q", CLI_LEFT},
    {"send_q", "Send-Q", CLI_LEFT},
    {"local", "Local Address:Port", CLI_ADDRPORT},
    {"peer", "Peer Address:Port", CLI_ADDRPORT},
};
static const cli_col COL_PROCESS = {"process", "Process", CLI_LEFT};

#define LISTENING_STATES "'LISTEN', 'UNCONN', 'CLOSE'"
#define NOT_CONNECTED_STATES \
  LISTENING_STATES ", 'TIME-WAIT', 'TIME_WAIT', 'SYN-RECV', 'SYN_RECV'"

int cli_cmd_ss(const cli_opts *o, int argc, char **argv) {
  char seen[128] = {0};
  int rc = cli_parse_flags("ss", argc, argv, "tuxwlapn", ss_longs, seen);
  if (rc != CLI_OK) return rc;

  static const cli_flag_cond kinds[] = {
      {'t', "netid = 'tcp'"},
      {'u', "netid = 'udp'"},
      {'x', "netid LIKE 'u\\_%' ESCAPE '\\'"},
      {'w', "netid = 'raw'"},
  };
  cli_query q = {0};
  int nkinds = cli_q_and_flags(&q, kinds, sizeof kinds / sizeof kinds[0], seen);

  if (seen['a'])
    ;
  else if (seen['l'])
    cli_q_and(&q, "coalesce(state, '') IN (" LISTENING_STATES ")");
  else
    cli_q_and(&q, "coalesce(state, '') NOT IN (" NOT_CONNECTED_STATES ")");

  cli_col cols[8];
  int n = 0;
  if (nkinds != 1) cols[n++] = COL_NETID;
  for (size_t i = 0; i < sizeof COLS / sizeof COLS[0]; i++) cols[n++] = COLS[i];
  if (seen['p']) cols[n++] = COL_PROCESS;

  rc = cli_show_view(o, "ss", cols, n, &q, "netns = ?");
  cli_q_free(&q);
  return rc;
}
