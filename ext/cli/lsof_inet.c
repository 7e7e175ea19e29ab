/*
 * lsof_inet.c: lsof's -i addresses, [46][protocol][@host][:port,...]
 * (lsof(8), -i), and their conditions over the lsof view's typed columns:
 *   - 4 / 6: the IP version; a socket with a v4-mapped end counts as IPv4
 *     here, as lsof converts it before comparing (while -i6 without an
 *     address, and TYPE, still call it IPv6);
 *   - protocol: TCP, UDP or UDPLITE, in any case;
 *   - host: @1.2.3.4, @[::1], or a name in /etc/hosts (read directly: no
 *     NSS), every address of it;
 *   - ports: numbers, /etc/services names and ranges lo-hi, comma-separated.
 * A host and a port must match the same end of the socket (local or
 * remote); an end lsof does not show (the remote end of a listener, an
 * unbound local end) matches nothing.
 */
#include "lsof.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char lsof_inet_kinds[] = "('tcp', 'udp', 'udplite')";

static const char *const PROTOCOLS[] = {"tcp", "udp", "udplite", NULL};

void lsof_inet_free(lsof_inet *a) {
  free(a->text);
  cli_free_words(a->hosts.v);
  free(a->ports);
  memset(a, 0, sizeof *a);
}

/* ---- parsing --------------------------------------------------------------- */

typedef struct parser {
  const cli_command *cmd;
  const char *spec;       /* for messages */
  lsof_inet *out;
} parser;

static int bad(const parser *p, const char *what) {
  return cli_usage_error(p->cmd, "%s in: -i %s", what, p->spec);
}

/* [46][protocol]: returns where the rest starts. */
static const char *parse_head(parser *p, const char *s, int *rc) {
  if (*s == '4' || *s == '6') p->out->family = *s++ - '0';
  size_t n = 0;
  while (isalpha((unsigned char)s[n])) n++;
  if (!n) return s;
  for (int i = 0; PROTOCOLS[i]; i++)
    if (strlen(PROTOCOLS[i]) == n && !strncasecmp(s, PROTOCOLS[i], n)) {
      p->out->kind = PROTOCOLS[i];
      return s + n;
    }
  *rc = bad(p, "unsupported protocol");
  return s;
}

static int add_host_text(parser *p, int af, const unsigned char *bin) {
  char text[INET6_ADDRSTRLEN];
  if (!inet_ntop(af, bin, text, sizeof text) ||
      cli_push_word(&p->out->hosts.v, &p->out->hosts.n, text) != 0)
    return cli_error("out of memory");
  return CLI_OK;
}

/* @host: a numeric address (IPv6 in brackets) or a name in /etc/hosts. */
static const char *parse_host(parser *p, const char *s, int *rc) {
  const char *end = *s == '[' ? strchr(s, ']') : s + strcspn(s, ":");
  if (!end || end == s) {
    *rc = bad(p, "missing host");
    return s;
  }
  int bracket = *s == '[';
  char host[256];
  size_t n = (size_t)(end - s) - (size_t)bracket;
  if (n == 0 || n >= sizeof host) {
    *rc = bad(p, "bad host");
    return s;
  }
  memcpy(host, s + bracket, n);
  host[n] = '\0';
  const char *rest = end + bracket;
  unsigned char bin[16];
  int af = bracket ? AF_INET6 : AF_INET;
  if (inet_pton(af, host, bin) == 1) {
    if ((af == AF_INET6 && p->out->family == 4) || (af == AF_INET && p->out->family == 6)) {
      *rc = bad(p, "address does not match the IP version");
      return s;
    }
    *rc = add_host_text(p, af, bin);
    return rest;
  }
  if (bracket) {
    *rc = bad(p, "bad IPv6 address");
    return s;
  }
  char **addrs = NULL;
  int k = cli_host_addresses(host, p->out->family, &addrs);
  if (k < 0) *rc = cli_error("out of memory");
  else if (k == 0) *rc = cli_usage_error(p->cmd, "unknown host name (%s) in: -i %s", host, p->spec);
  for (int i = 0; i < k && *rc == CLI_OK; i++)
    if (cli_push_word(&p->out->hosts.v, &p->out->hosts.n, addrs[i]) != 0)
      *rc = cli_error("out of memory");
  cli_free_words(addrs);
  return rest;
}

/* A port number or an /etc/services name of the address's protocol (TCP
 * when it names none, then UDP). -1 when it is neither. */
static int port_of(const parser *p, const char *s, size_t n) {
  char word[64];
  if (n == 0 || n >= sizeof word) return -1;
  memcpy(word, s, n);
  word[n] = '\0';
  char *end;
  long v = strtol(word, &end, 10);
  /* A number past 65535 is taken, as lsof takes it: it matches nothing. */
  if (isdigit((unsigned char)word[0]) && !*end) return v <= INT32_MAX ? (int)v : -1;
  int port = cli_service_port(word, p->out->kind ? p->out->kind : "tcp");
  if (port < 0 && !p->out->kind) port = cli_service_port(word, "udp");
  return port;
}

static int push_ports(parser *p, int lo, int hi) {
  lsof_ports *v = realloc(p->out->ports, (size_t)(p->out->nports + 1) * sizeof *v);
  if (!v) return cli_error("out of memory");
  p->out->ports = v;
  v[p->out->nports++] = (lsof_ports){lo, hi};
  return CLI_OK;
}

/* :port[,port|lo-hi...]; a range starts with a number (names hold '-'). */
static int parse_ports(parser *p, const char *s) {
  while (*s) {
    size_t n = strcspn(s, ",");
    const char *dash = isdigit((unsigned char)*s) ? memchr(s, '-', n) : NULL;
    int lo = port_of(p, s, dash ? (size_t)(dash - s) : n);
    int hi = dash ? port_of(p, dash + 1, n - (size_t)(dash - s) - 1) : lo;
    if (lo < 0 || hi < 0) {
      char item[64];
      snprintf(item, sizeof item, "%.*s", (int)(n < 60 ? n : 60), s);
      return cli_usage_error(p->cmd, "unknown service %s in: -i %s", item, p->spec);
    }
    if (hi < lo) return bad(p, "bad port range");
    int rc = push_ports(p, lo, hi);
    if (rc != CLI_OK) return rc;
    s += n + (s[n] == ',');
  }
  return p->out->nports ? CLI_OK : bad(p, "missing port");
}

int lsof_inet_parse(const cli_command *cmd, const char *spec, lsof_inet *out) {
  memset(out, 0, sizeof *out);
  parser p = {cmd, spec, out};
  int rc = CLI_OK;
  const char *s = parse_head(&p, spec, &rc);
  if (rc == CLI_OK && *s == '@') s = parse_host(&p, s + 1, &rc);
  if (rc == CLI_OK && *s == ':') {
    rc = parse_ports(&p, s + 1);
    s += strlen(s);
  }
  if (rc == CLI_OK && *s) rc = bad(&p, "bad Internet address");
  if (rc == CLI_OK && !(out->text = strdup(spec))) rc = cli_error("out of memory");
  if (rc != CLI_OK) lsof_inet_free(out);
  return rc;
}

/* ---- conditions ---------------------------------------------------------------- */

/* A v4-mapped end makes the socket IPv4 for -i addresses. */
static const char MAPPED[] =
    "(l.local_address LIKE '::ffff:%.%' OR l.remote_address LIKE '::ffff:%.%')";

/* One end (local or remote) matching the host and ports. */
static void end_cond(const lsof_inet *a, const char *end, sqlite3_str *sql, cli_query *q) {
  sqlite3_str_appendf(sql, "(l.%s_port <> 0", end);
  if (a->hosts.n) {
    sqlite3_str_appendf(sql, " AND l.%s_address IN (", end);
    for (int i = 0; i < a->hosts.n; i++) {
      const char *h = a->hosts.v[i];
      sqlite3_str_appendall(sql, i ? ", ?" : "?");
      cli_q_text(q, h);
      if (!strchr(h, ':')) { /* the same address, v4-mapped */
        sqlite3_str_appendall(sql, ", '::ffff:' || ?");
        cli_q_text(q, h);
      }
    }
    sqlite3_str_appendall(sql, ")");
  }
  for (int i = 0; i < a->nports; i++) {
    const lsof_ports *r = &a->ports[i];
    sqlite3_str_appendf(sql, "%s", i ? " OR " : " AND (");
    if (r->lo == r->hi) {
      sqlite3_str_appendf(sql, "l.%s_port = ?", end);
    } else {
      sqlite3_str_appendf(sql, "l.%s_port BETWEEN ? AND ?", end);
      cli_q_int(q, r->lo);
    }
    cli_q_int(q, r->hi);
  }
  sqlite3_str_appendall(sql, a->nports ? "))" : ")");
}

void lsof_inet_cond(const lsof_inet *a, sqlite3_str *sql, cli_query *q) {
  if (a->kind) {
    sqlite3_str_appendall(sql, "l.kind = ?");
    cli_q_text(q, a->kind);
  } else {
    sqlite3_str_appendf(sql, "l.kind IN %s", lsof_inet_kinds);
  }
  if (a->family == 4) sqlite3_str_appendf(sql, " AND (l.family = 'IPv4' OR %s)", MAPPED);
  if (a->family == 6) sqlite3_str_appendf(sql, " AND l.family = 'IPv6' AND NOT %s", MAPPED);
  if (!a->hosts.n && !a->nports) return;
  sqlite3_str_appendall(sql, " AND (");
  end_cond(a, "local", sql, q);
  sqlite3_str_appendall(sql, " OR ");
  end_cond(a, "remote", sql, q);
  sqlite3_str_appendall(sql, ")");
}

/* ---- the one-port fast path -------------------------------------------------------- */

int lsof_inet_ports(const lsof_sel *s, sqlite3_int64 *ports, int max, const char **kind) {
  int n = 0;
  *kind = s->ninet ? s->inet[0].kind : NULL;
  for (int i = 0; i < s->ninet; i++) {
    const lsof_inet *a = &s->inet[i];
    if (!a->nports) return -1;
    if (a->kind != *kind) *kind = NULL;
    for (int k = 0; k < a->nports; k++)
      for (int port = a->ports[k].lo; port <= a->ports[k].hi; port++) {
        if (n == max) return -1;
        ports[n++] = port;
      }
  }
  return n;
}
