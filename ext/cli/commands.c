/*
 * commands.c: the one table of procnet's commands. Everything about a
 * command's command line is here: its options (getopt's short string and
 * long options are made from them in options.c), their arguments, the
 * usage line and help (help.c), and what bash completion offers
 * (complete.c). The cmd_*.c files only say what each option does.
 *
 * Usage-error exit statuses are the real tools' (a bad option: ss 255,
 * netstat 3, fuser 1, lsof 1); sql keeps procnet's 2.
 */
#include "cli.h"

#include <string.h>

#define END_OPTIONS {0, NULL, CLI_ARG_NONE, NULL, NULL, NULL, NULL}
#define FLAG(c, l, h) {c, l, CLI_ARG_NONE, NULL, NULL, NULL, h}

const char cli_usage_general[] =
    "usage: procnet [--root DIR] [--host-root DIR] [--format table|csv|json]"
    " [--netns N|all|self] lsof|ss|netstat|fuser|sql|watch|record|graph [ARGS]"
    "  (procnet --help)";

const cli_option cli_global_options[] = {
    {CLI_OPT_ROOT, "root", CLI_ARG_REQUIRED, "DIR", "a directory", "@dir",
     "read DIR instead of /proc (e.g. /host/proc)"},
    {CLI_OPT_HOST_ROOT, "host-root", CLI_ARG_REQUIRED, "DIR", "a directory", "@dir",
     "the host's / for container runtimes' state (e.g. /host)"},
    {CLI_OPT_FORMAT, "format", CLI_ARG_REQUIRED, "FORMAT", "table, csv or json",
     "table csv json dot svg",
     "table (default), csv (RFC 4180) or json; graph: dot, json or svg"},
    {CLI_OPT_NETNS, "netns", CLI_ARG_REQUIRED, "NS", "N, all or self",
     "all self",
     "all namespaces (the default), self (what ss shows) or an inode"},
    FLAG(CLI_OPT_HELP, "help", "this help"),
    FLAG(CLI_OPT_VERSION, "version", "the version"),
    END_OPTIONS,
};

static const cli_option lsof_options[] = {
    {'p', NULL, CLI_ARG_REQUIRED, "PID[,PID...]", "a process id", NULL,
     "these processes (^PID excludes one)"},
    {'g', NULL, CLI_ARG_OPTIONAL, "[PGID[,PGID...]]", NULL, NULL,
     "the PGID column; these process groups (^PGID excludes one)"},
    {'u', NULL, CLI_ARG_REQUIRED, "USER[,USER...]", "a login name or uid", NULL,
     "these users' processes (^USER excludes one)"},
    {'c', NULL, CLI_ARG_REQUIRED, "NAME", "a command name", NULL,
     "commands starting with NAME (^NAME excludes them)"},
    {'i', NULL, CLI_ARG_OPTIONAL, "[46][PROTO][@HOST][:PORT[,PORT|LO-HI]]", NULL, NULL,
     "Internet sockets (of that address; several -i are ORed)"},
    FLAG('U', NULL, "unix domain sockets"),
    {'s', NULL, CLI_ARG_OPTIONAL, "[TCP:STATE[,STATE...]]", NULL, NULL,
     "Internet sockets in these TCP states only (^STATE: not in it); alone: SIZE"},
    FLAG('a', NULL, "AND the selections (they are ORed otherwise)"),
    FLAG('t', NULL, "the pids alone, one a line"),
    {'F', NULL, CLI_ARG_OPTIONAL, "[FIELDS]", NULL, NULL,
     "lsof's output for programs: fields p K M c u f t n g R L a l G d D s o i k P T, 0 (NUL)"},
    FLAG('R', NULL, "the PPID column"),
    FLAG('l', NULL, "uids instead of user names"),
    {CLI_PLUS('c'), NULL, CLI_ARG_REQUIRED, "W", "a width", NULL,
     "COMMAND width (9; 0: the whole name)"},
    {CLI_PLUS('d'), NULL, CLI_ARG_REQUIRED, "DIR", "a directory", "@dir",
     "files open in DIR (not below)"},
    {CLI_PLUS('D'), NULL, CLI_ARG_REQUIRED, "DIR", "a directory", "@dir",
     "files open in DIR's whole tree"},
    FLAG('E', NULL, "the ends of pipes, ptys, eventfds, unix and local TCP/UDP sockets"
                    " in NAME (PID,cmd,FDmode)"),
    FLAG(CLI_PLUS('E'), NULL, "-E, and the ends' files listed too"),
    {CLI_PLUS('L'), NULL, CLI_ARG_OPTIONAL, "[N]", NULL, NULL,
     "the NLINK column; with N, the files linked fewer than N times (+L1: unlinked)"},
    {'L', NULL, CLI_ARG_OPTIONAL, "", NULL, NULL, "no NLINK column (the default)"},
    {'K', NULL, CLI_ARG_OPTIONAL, "[i]", NULL, "i",
     "task (thread) rows, a selection of their own; -K i: none (without -K: when"
     " nothing is selected)"},
    FLAG('n', NULL, "numeric addresses (always)"),
    FLAG('P', NULL, "numeric ports (always)"),
    FLAG('w', NULL, "no warnings (accepted)"),
    FLAG(CLI_PLUS('w'), NULL, "warnings (accepted)"),
    FLAG('b', NULL, "avoid blocking calls (accepted)"),
    END_OPTIONS,
};

static const cli_option ss_options[] = {
    FLAG('t', "tcp", "TCP sockets"),
    FLAG('u', "udp", "UDP sockets"),
    FLAG('w', "raw", "RAW sockets"),
    FLAG('x', "unix", "unix domain sockets"),
    FLAG('0', "packet", "PACKET sockets"),
    FLAG('4', "ipv4", "IPv4 sockets only"),
    FLAG('6', "ipv6", "IPv6 sockets only"),
    {'f', "family", CLI_ARG_REQUIRED, "FAMILY",
     "a family (inet, inet6, unix, link or netlink)",
     "inet inet6 unix link netlink", "sockets of FAMILY"},
    FLAG('l', "listening", "listening sockets only"),
    FLAG('a', "all", "sockets in every state"),
    FLAG('n', "numeric", "numeric ports (always)"),
    FLAG('p', "processes", "the processes holding each socket"),
    FLAG('e', "extended", "uid and inode (ss -e)"),
    FLAG('o', "options", "TCP timers"),
    FLAG('i', "info", "TCP internals (what /proc has)"),
    FLAG('m', "memory", "socket memory (what /proc has)"),
    FLAG('b', "bpf", "packet sockets' BPF filters (and -o)"),
    FLAG('s', "summary", "the summary of ss -s"),
    FLAG('H', "no-header", "no header line"),
    FLAG('O', "oneline", "each socket on one line"),
    {'N', "net", CLI_ARG_REQUIRED, "NAME", "a namespace name (ip netns)",
     "@netns", "the network namespace NAME (/run/netns/NAME)"},
    END_OPTIONS,
};

static const cli_option netstat_options[] = {
    FLAG('t', "tcp", "TCP sockets"),
    FLAG('u', "udp", "UDP sockets"),
    FLAG('U', "udplite", "UDP-Lite sockets"),
    FLAG('w', "raw", "RAW sockets"),
    FLAG('x', "unix", "unix domain sockets"),
    FLAG('4', "inet", "IPv4 only"),
    FLAG('6', "inet6", "IPv6 only"),
    FLAG('l', "listening", "listening sockets only"),
    FLAG('a', "all", "all sockets (default: connected)"),
    FLAG('n', "numeric", "numeric users (addresses and ports always are)"),
    FLAG('p', "programs", "the PID/Program name column"),
    FLAG('e', "extend", "the User and Inode columns"),
    FLAG('o', "timers", "the Timer column"),
    END_OPTIONS,
};

static const cli_option fuser_options[] = {
    {'n', "namespace", CLI_ARG_REQUIRED, "SPACE", "a name space (file, tcp or udp)",
     "file tcp udp", "names are in SPACE: file, tcp or udp"},
    FLAG('v', "verbose", "the USER PID ACCESS COMMAND table"),
    FLAG('m', "mount", "processes using the file system of each name"),
    FLAG('c', NULL, "the same as -m"),
    FLAG('u', "user", "user names after the pids"),
    FLAG('s', "silent", "print nothing, only the exit status"),
    FLAG('a', "all", "names matched by no process too"),
    FLAG('4', "ipv4", "IPv4 sockets only"),
    FLAG('6', "ipv6", "IPv6 sockets only"),
    FLAG('k', "kill", "refused: procnet never acts on processes"),
    END_OPTIONS,
};

static const cli_option watch_options[] = {
    {'n', "interval", CLI_ARG_REQUIRED, "SECONDS", "a number of seconds", NULL,
     "a run every SECONDS (default 2; 0.5 is half a second)"},
    {'c', "count", CLI_ARG_REQUIRED, "N", "a number of runs", NULL,
     "stop after N runs (default: at SIGINT or SIGTERM)"},
    {'k', "key", CLI_ARG_REQUIRED, "COL,...", "column names", NULL,
     "rows are the same when these columns are (default: all)"},
    END_OPTIONS,
};

static const cli_option record_options[] = {
    {CLI_OPT_DB, "db", CLI_ARG_REQUIRED, "FILE", "a database file", "@file",
     "the SQLite database to write (made when missing)"},
    {'n', "interval", CLI_ARG_REQUIRED, "SECONDS", "a number of seconds", NULL,
     "a sample every SECONDS (default 1)"},
    {CLI_OPT_DURATION, "duration", CLI_ARG_REQUIRED, "TIME", "a time (30, 30s, 5m, 2h, 1d)",
     NULL, "stop after TIME (default: at SIGINT or SIGTERM)"},
    END_OPTIONS,
};

static const cli_option graph_options[] = {
    {'p', "pid", CLI_ARG_REQUIRED, "PID[,PID...]", "a process id", NULL,
     "only the connections and listeners of these processes"},
    END_OPTIONS,
};

static const cli_option no_options[] = {END_OPTIONS};

const cli_command cli_commands[] = {
    {"lsof", cli_cmd_lsof, lsof_options,
     "[-aUtRlnPwbEL] [+E] [+L [N]] [-K [i]] [-p PID,...] [-g [PGID,...]] [-u USER,...] [-c NAME]"
     " [-i [46][PROTO][@HOST][:PORT]] [-s TCP:STATE,...] [-F [FIELDS]] [+c W]"
     " [+d DIR] [+D DIR] [NAME...]",
     "open files, as `lsof -n -P` prints them (a thread's files too, TID and\n"
     "TASKCMD set, when nothing is selected). Selections are ORed as in lsof;\n"
     "-a ANDs them; ^ excludes. NAME: a file (by device and inode), a mount\n"
     "point (its whole file system) or a unix socket's path. Exit status 1\n"
     "when something asked for was not found, as lsof.",
     "@file", 1, 1, cli_lsof_next_word_ok},
    {"ss", cli_cmd_ss, ss_options,
     "[-tuwx0l4a6npeoimbsHO] [-f FAMILY] [-N NAME] [FILTER]",
     "sockets, as ss prints them, with ss's filters: state/exclude STATE,\n"
     "src/dst ADDRESS[/LEN][:PORT], sport/dport OP [:]PORT, dev NAME, and/or/not\n"
     "and parentheses (ss(8)). Without -l or -a: connected sockets only.",
     "@ssfilter", 255, 1, NULL},
    {"netstat", cli_cmd_netstat, netstat_options,
     "[-tuUwx46lanpeo]",
     "internet and unix sockets, as netstat prints them. Without -l or -a:\n"
     "connected sockets only; without -t/-u/-U/-w/-x: every kind.",
     NULL, 3, 1, NULL},
    {"fuser", cli_cmd_fuser, fuser_options,
     "[-vmusa46] [-n file|tcp|udp] NAME...",
     "the processes using files or sockets: FILE, PORT/tcp, PORT/udp,\n"
     "[PORT][,[RHOST][,[RPORT]]]/tcp. Pids on standard output, the rest on\n"
     "standard error, as psmisc's fuser; exits 1 when nothing matched.",
     "@file", 1, 1, NULL},
    {"sql", cli_cmd_sql, no_options, "[--] [SQL]",
     "runs SQL (none given: read from standard input) with every table\n"
     "(processes, fds, net_tcp, net_unix, sockets, users, ...) and every\n"
     "view (lsof, ss, netstat, listening, ...).",
     NULL, CLI_USAGE, 0, NULL},
    {"watch", cli_cmd_watch, watch_options,
     "[-n SECONDS] [-c N] [-k COL,...] (SQL | ss ARGS | lsof ARGS | netstat ARGS)",
     "runs the query every SECONDS and prints only the rows added (+) and\n"
     "removed (-) since the run before, each with its time; the first run\n"
     "prints every row. SIGINT or SIGTERM ends it with status 0.",
     NULL, CLI_USAGE, 1, NULL},
    {"record", cli_cmd_record, record_options, "--db FILE [-n SECONDS] [--duration TIME]",
     "records socket and process lifetimes and the counts of each sample\n"
     "into the SQLite database FILE (schema: sql/history.sql), with the\n"
     "connections that open and close between two samples (sock_diag's\n"
     "destroy notifications). SIGINT or SIGTERM ends it with status 0.",
     NULL, CLI_USAGE, 1, NULL},
    {"graph", cli_cmd_graph, graph_options, "[-p PID[,PID...]]",
     "the host's service map: processes grouped by container or systemd unit,\n"
     "their connections (labelled with kind, port and count), listeners and\n"
     "how they are published, peers off the host grouped by address. As\n"
     "Graphviz DOT (the default), json, or svg (needs Graphviz's dot).",
     NULL, CLI_USAGE, 0, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const cli_command *cli_find_command(const char *name) {
  for (const cli_command *c = cli_commands; c->name; c++)
    if (!strcmp(c->name, name)) return c;
  return NULL;
}

const cli_option *cli_find_option(const cli_command *cmd, int code) {
  for (const cli_option *op = cmd ? cmd->options : NULL; op && op->code; op++)
    if (op->code == code) return op;
  for (const cli_option *op = cli_global_options; op->code; op++)
    if (op->code == code) return op;
  return NULL;
}
