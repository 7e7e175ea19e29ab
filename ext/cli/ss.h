/*
 * ss.h: what the files of `procnet ss` share.
 *
 *   cmd_ss.c      options, the SELECT, ss's columns
 *   ss_select.c   which sockets ss shows: its tables, families and states
 *   ssfilter.c    the FILTER words compiled to SQL: the grammar
 *   ssfilter_host.c  its addresses, ports and devices
 *   ss_summary.c  -s
 *   ss_extras.c   what -o, -e, -m and -i print (sock_diag's columns);
 *                 ss_tcp_info.c the TCP internals of -i, ss_packet.c
 *                 a packet socket's details and filter (ss_extras.h)
 *   ss_number.c   numbers as ss's printf writes them, mostly without it
 */
#ifndef PROCNET_CLI_SS_H
#define PROCNET_CLI_SS_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* ss's states, as bits of a mask: bit N is the kernel's TCP state N
 * (1 ESTABLISHED ... 7 CLOSE, shown as UNCONN ... 11 CLOSING), the
 * view's state_code. */
#define SS_STATE(n) (1u << (n))
enum {
  SS_ESTABLISHED = 1, SS_SYN_SENT, SS_SYN_RECV, SS_FIN_WAIT1, SS_FIN_WAIT2,
  SS_TIME_WAIT, SS_CLOSE, SS_CLOSE_WAIT, SS_LAST_ACK, SS_LISTEN, SS_CLOSING,
  SS_NSTATES
};
#define SS_ALL (SS_STATE(SS_NSTATES) - 1)
/* Without -a, -l or a state filter: connected sockets. */
#define SS_CONN \
  (SS_ALL & ~(SS_STATE(SS_LISTEN) | SS_STATE(SS_CLOSE) | SS_STATE(SS_TIME_WAIT) | \
              SS_STATE(SS_SYN_RECV)))

/* ---- ss_select.c ----------------------------------------------------------
 * ss's "tables" (dbs), one per kind of socket it can list, including those
 * procnet has no rows for (their bits still decide whether ss prints the
 * Netid column). */
enum {
  SS_DB_TCP, SS_DB_MPTCP, SS_DB_DCCP, SS_DB_UDP, SS_DB_RAW, SS_DB_UNIX_DG,
  SS_DB_UNIX_ST, SS_DB_UNIX_SQ, SS_DB_PACKET_DG, SS_DB_PACKET_R, SS_DB_NETLINK,
  SS_DB_SCTP, SS_DB_VSOCK_ST, SS_DB_VSOCK_DG, SS_DB_TIPC, SS_DB_XDP, SS_NDB
};

typedef struct ss_select {
  unsigned dbs;          /* bit per SS_DB_* */
  uint64_t families;     /* bit per AF_* */
  unsigned states;       /* SS_STATE bits */
  unsigned state_filter; /* -a, -l, then the state words; 0: none */
  int do_default;        /* no table or family was asked for */
  int family;            /* the last family asked for: how a filter's
                            addresses are read (AF_UNSPEC when none) */
} ss_select;

void ss_select_init(ss_select *s);
void ss_select_db(ss_select *s, int db);       /* -t -u -w */
void ss_select_family(ss_select *s, int af);   /* -x -4 -6 -0 -f */
/* -f FAMILY's names: AF_* or -1. */
int ss_family_by_name(const char *name);
/* After the options: ss's default tables and the tables and families each
 * one implies. */
void ss_select_tables(ss_select *s);
/* After the state words (saw_states: they were given, with `states`):
 * the final state mask. */
void ss_select_states(ss_select *s, int saw_states, unsigned states);

/* The kinds of socket ss lists, in its order (netlink, packet, unix, raw,
 * udp, tcp): the view's kind, and the netids of the selected tables of
 * that kind. Returns how many kinds are selected; for each, kinds[i] and
 * netids[i] (up to 3 per kind, NULL-terminated) and whether the family
 * must be checked (inet kinds: family IN ...). */
typedef struct ss_kind_sel {
  const char *kind;
  const char *netids[4];
  int inet;              /* rows carry an IPv4/IPv6 family */
} ss_kind_sel;
int ss_selected_kinds(const ss_select *s, ss_kind_sel out[6]);
/* The inet families selected: "IPv4" and/or "IPv6" into out; count. */
int ss_selected_inet_families(const ss_select *s, const char *out[2]);
/* The selected states as integers into out (up to SS_NSTATES); count. */
int ss_selected_states(const ss_select *s, sqlite3_int64 out[SS_NSTATES]);

/* ---- ssfilter.c ------------------------------------------------------------ */

typedef enum {
  SSF_OK = 0,
  SSF_SYNTAX, /* a usage error for ss (exit 255) */
  SSF_BAD,    /* an address, port or device that does not parse (exit 1) */
  SSF_NOMEM
} ssf_status;

/* What reading a filter depends on. */
typedef struct ssf_env {
  int family;          /* ss_select.family: AF_UNIX makes addresses patterns */
  int tcp, udp;        /* whose service names a port name may be */
} ssf_env;

typedef struct ssf_result {
  cli_query where;     /* the condition; where.where is NULL without one */
  int saw_states;      /* state/exclude words were given ... */
  unsigned states;     /* ... and make this mask */
  int family_reset;    /* an address named its family (unix:/x, inet:...) */
  int family;          /* that family: ss then shows it alone */
  char *error;         /* the message for SSF_SYNTAX / SSF_BAD */
} ssf_result;

/* Compiles ss's FILTER (the words after the options) into out. The words
 * are split at blanks as ss splits them, so the filter may be one argument
 * or many. env->family follows the families addresses name. */
ssf_status ssf_compile(char *const *words, int nwords, ssf_env *env,
                       ssf_result *out);
void ssf_result_free(ssf_result *r);

/* ---- ssfilter_host.c: the words that name things ---------------------------- */

/* What a HOST word means. */
typedef struct ssf_host {
  int unix_pattern;    /* 1: pattern is a glob on the unix path */
  char *pattern;
  long port;           /* -1: any */
  char **addrs;        /* prefixes for procnet_addr_match, NULL-terminated */
  int naddrs;
} ssf_host;

/* Reads a HOST word (is_port: after sport/dport, a port alone). An
 * address that names its family (unix:, inet:) sets out->family_reset
 * and env->family. 0, or -1 with out->error set (NULL: out of memory). */
int ssf_read_host(const char *word, int is_port, ssf_env *env, ssf_result *out,
                  ssf_host *h);
void ssf_free_host(ssf_host *h);
/* The condition src (local) or dst HOST means. */
cli_query ssf_host_condition(const ssf_host *h, int local);
/* A device name (this namespace's) or index; 0 with out->error set when
 * it is neither. */
unsigned long ssf_read_device(const char *word, ssf_result *out);
/* Sets out->error (the first error only); returns st. */
ssf_status ssf_fail(ssf_result *out, ssf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- ss_summary.c ---------------------------------------------------------- */

/* Prints ss -s's summary for the namespaces o selects. CLI_OK or CLI_ERR. */
int ss_print_summary(sqlite3 *db, const cli_opts *o);

/* ---- ss_extras.c ------------------------------------------------------------
 * procnet_ss_extras(FLAGS, ...): the text ss prints after a socket's
 * process for the options FLAGS asks for, each item after a blank and the
 * memory, TCP internals and a packet socket's details after ss's line
 * breaks ("\n\t", or a blank with SS_X_ONELINE); '' when there is
 * nothing. */
#define SS_X_TIMERS 0x1   /* -o */
#define SS_X_DETAILS 0x2  /* -e */
#define SS_X_MEMORY 0x4   /* -m */
#define SS_X_INFO 0x8     /* -i */
#define SS_X_ONELINE 0x10 /* -O */
#define SS_X_BPF 0x20     /* -b: packet sockets' filters */
/* Registers the function on the command's connection. */
int cli_ss_extras_register(sqlite3 *db);
/* Appends its call with the columns of the ss view's row (alias ss) and
 * the socket's sock_diag row (alias d). */
void cli_ss_extras_call(sqlite3_str *sql, unsigned flags);
/* Appends the LEFT JOIN that gives each ss row its sock_diag row as d. */
void cli_ss_extras_join(sqlite3_str *sql);

/* ---- ss_number.c: numbers as ss's printf writes them ------------------------
 * Each writes a NUL-terminated text into out and returns its length. */
#define SS_U64_LEN 21     /* room for any unsigned 64-bit number */
/* "%llu" (out: SS_U64_LEN bytes). */
size_t ss_fmt_u64(char *out, unsigned long long v);
/* "%g" of v / 1000.0: microseconds as ss's milliseconds. */
size_t ss_fmt_milli(char *out, size_t size, long long v);
/* "%.0f" of v: rates in bits per second. */
size_t ss_fmt_round(char *out, size_t size, double v);
/* "%g" of v / 256.0: BBR's gains. */
size_t ss_fmt_256ths(char *out, size_t size, long long v);

#endif
