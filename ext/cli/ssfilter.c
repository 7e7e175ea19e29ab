/*
 * ssfilter.c: ss's FILTER compiled to an SQL condition on the ss view's
 * typed columns (local_port, remote_port, local_address, remote_address,
 * ifindex, kind), with every value a bound parameter. No row is filtered
 * here: SQLite applies the condition, and a plain `local_port = ?` reaches
 * the socket scan.
 *
 * The language is ss(8)'s, as iproute2's misc/ssfilter.y parses it:
 *
 *   FILTER   := [ (state|exclude|excl) STATE ]... [ EXPR ]
 *   EXPR     := TERM ( ['|' | '&'] TERM )*     left to right, one level:
 *                                               `a or b and c` is (a or b) and c;
 *                                               no operator means and
 *   TERM     := '(' EXPR ')' | '!' TERM
 *             | dst [=] HOST | src [=] HOST
 *             | dport OP PORT | sport OP PORT  (OP: = != < > <= >= or none)
 *             | dev [= | !=] DEVICE
 *   tokens   := | || or   & && and   ! not   = == eq   != ne neq
 *               > gt   < lt   >= ge geq   <= le leq   ( )
 *
 * Words are split at blanks (a backslash keeps the next character), so the
 * filter may be one argument or many. A word that is not a keyword is
 * read according to the last keyword: a port after sport/dport, a device
 * after dev, an address otherwise. As in ss, a word that does not parse
 * is an error at once (exit 1), a misplaced token a syntax error (exit
 * 255 for ss), and `state` words count only at the front.
 *
 * HOST: [FAMILY:]ADDRESS[/LEN][:PORT], [V6ADDRESS][:PORT], *[:PORT], :PORT,
 * a name from /etc/hosts; with a unix family (-x, -f unix, unix:) a glob
 * pattern on the socket's path, matched without case as ss does. PORT:
 * a number, a name from /etc/services, or * (any).
 */
#include "ss.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* ---- tokens --------------------------------------------------------------- */

typedef enum {
  T_END, T_OR, T_AND, T_NOT, T_LP, T_RP, T_EQ, T_NE, T_LT, T_GT, T_LE, T_GE,
  T_SRC, T_DST, T_SPORT, T_DPORT, T_DEV, T_FWMARK, T_CGROUP, T_AUTOBOUND,
  T_WORD
} tok_type;

static const struct {
  const char *text;
  tok_type type;
} keywords[] = {
    {"|", T_OR},      {"||", T_OR},       {"or", T_OR},
    {"&", T_AND},     {"&&", T_AND},      {"and", T_AND},
    {"!", T_NOT},     {"not", T_NOT},     {"(", T_LP},
    {")", T_RP},      {"=", T_EQ},        {"==", T_EQ},
    {"eq", T_EQ},     {"!=", T_NE},       {"ne", T_NE},
    {"neq", T_NE},    {"<", T_LT},        {"lt", T_LT},
    {">", T_GT},      {"gt", T_GT},       {"<=", T_LE},
    {"le", T_LE},     {"leq", T_LE},      {">=", T_GE},
    {"ge", T_GE},     {"geq", T_GE},      {"src", T_SRC},
    {"dst", T_DST},   {"sport", T_SPORT}, {"dport", T_DPORT},
    {"dev", T_DEV},   {"fwmark", T_FWMARK}, {"cgroup", T_CGROUP},
    {"autobound", T_AUTOBOUND},
};

static tok_type keyword(const char *w) {
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (!strcmp(keywords[i].text, w)) return keywords[i].type;
  return T_WORD;
}

/* The words split at blanks, ss's way. */
typedef struct tokens {
  char **v;
  int n, cap;
} tokens;

static int push_token(tokens *t, const char *s, size_t n) {
  if (t->n == t->cap) {
    int cap = t->cap ? 2 * t->cap : 16;
    char **v = realloc(t->v, (size_t)cap * sizeof *v);
    if (!v) return -1;
    t->v = v;
    t->cap = cap;
  }
  char *w = malloc(n + 1);
  if (!w) return -1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n) i++; /* a backslash keeps the next byte */
    w[k++] = s[i];
  }
  w[k] = '\0';
  t->v[t->n++] = w;
  return 0;
}

static int split_words(char *const *words, int nwords, tokens *t) {
  for (int i = 0; i < nwords; i++) {
    const char *p = words[i];
    while (*p) {
      while (*p == ' ' || *p == '\t') p++;
      if (!*p) break;
      const char *start = p;
      while (*p && *p != ' ' && *p != '\t') p += (*p == '\\' && p[1]) ? 2 : 1;
      if (push_token(t, start, (size_t)(p - start)) != 0) return -1;
    }
  }
  return 0;
}

static void free_tokens(tokens *t) {
  for (int i = 0; i < t->n; i++) free(t->v[i]);
  free(t->v);
}

/* ---- the parser's state --------------------------------------------------- */

typedef struct parser {
  tokens t;
  int pos;
  tok_type mode;         /* the last of src/dst/sport/dport/dev: how a
                            plain word is read */
  ssf_env *env;
  ssf_result *out;
  ssf_status status;     /* the first error */
} parser;

static void fail(parser *p, ssf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(parser *p, ssf_status st, const char *fmt, ...) {
  if (p->status != SSF_OK) return;
  p->status = st;
  va_list ap;
  va_start(ap, fmt);
  p->out->error = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if (!p->out->error) p->status = SSF_NOMEM;
}

static tok_type peek(parser *p) {
  if (p->pos >= p->t.n) return T_END;
  return keyword(p->t.v[p->pos]);
}

/* Takes the next token; a keyword that decides how words read sets the
 * mode, as ss's lexer does. */
static tok_type next(parser *p, const char **word) {
  tok_type t = peek(p);
  *word = NULL;
  if (t == T_END) return t;
  *word = p->t.v[p->pos++];
  if (t == T_SRC || t == T_DST || t == T_SPORT || t == T_DPORT || t == T_DEV ||
      t == T_FWMARK || t == T_CGROUP || t == T_AUTOBOUND)
    p->mode = t;
  return t;
}

static void syntax_error(parser *p, const char *near) {
  if (near)
    fail(p, SSF_SYNTAX, "syntax error in the filter at '%s'", near);
  else
    fail(p, SSF_SYNTAX, "syntax error: the filter ends too soon");
}

/* ---- SQL fragments ------------------------------------------------------- */

/* A condition and its parameters. */
typedef cli_query frag;

static void frag_text(frag *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void frag_text(frag *f, const char *fmt, ...) {
  if (!f->where) f->where = sqlite3_str_new(NULL);
  va_list ap;
  va_start(ap, fmt);
  sqlite3_str_vappendf(f->where, fmt, ap);
  va_end(ap);
}

/* Appends "(sub)" with sub's parameters; frees sub. */
static void frag_take(frag *f, frag *sub) {
  const char *t = cli_q_text_of(sub);
  if (!t) f->oom = 1;
  frag_text(f, "(%s)", t ? t : "");
  cli_q_copy_params(f, sub);
  cli_q_free(sub);
}

static frag frag_binary(frag *a, const char *op, frag *b) {
  frag f = {0};
  frag_take(&f, a);
  frag_text(&f, " %s ", op);
  frag_take(&f, b);
  return f;
}

static frag frag_not(frag *a) {
  frag f = {0};
  frag_text(&f, "NOT ");
  frag_take(&f, a);
  return f;
}

/* ---- addresses and ports ------------------------------------------------- */

/* What a HOST word means. */
typedef struct host {
  int unix_pattern;      /* 1: pattern is a glob on the unix path */
  char *pattern;
  long port;             /* -1: any */
  char **addrs;          /* prefixes for procnet_addr_match, NULL-terminated */
  int naddrs;
} host;

static void free_host(host *h) {
  free(h->pattern);
  cli_free_words(h->addrs);
  memset(h, 0, sizeof *h);
}

static int add_addr(host *h, const char *text) {
  char **v = realloc(h->addrs, (size_t)(h->naddrs + 2) * sizeof *v);
  if (!v) return -1;
  h->addrs = v;
  if (!(v[h->naddrs] = strdup(text))) return -1;
  v[++h->naddrs] = NULL;
  return 0;
}

/* strtol with base 0, the whole word, in int range: iproute2's get_integer. */
static int get_integer(const char *s, long *v) {
  char *end;
  errno = 0;
  long x = strtol(s, &end, 0);
  if (!*s || *end || errno || x < -2147483647 - 1 || x > 2147483647) return -1;
  *v = x;
  return 0;
}

/* A PORT word: a number, a service name (tcp, udp or both as ss's tables
 * say), `*` or empty (any). */
static int parse_port(parser *p, const char *s, long *port) {
  *port = -1;
  if (!*s || !strcmp(s, "*")) return 0;
  if (get_integer(s, port) == 0) return 0;
  int udp = p->env->udp ? cli_service_port(s, "udp") : -1;
  int tcp = p->env->tcp ? cli_service_port(s, "tcp") : -1;
  if (udp >= 0 && tcp >= 0 && udp != tcp) {
    fail(p, SSF_BAD, "ambiguous port \"%s\"", s);
    return -1;
  }
  *port = udp >= 0 ? udp : tcp;
  if (*port < 0) {
    fail(p, SSF_BAD, "\"%s\" does not look like a port", s);
    return -1;
  }
  return 0;
}

/* An IPv4 address as iproute2 reads one: 1 to 4 parts, each a number in
 * C notation up to 255 ("10" is 10.0.0.0). Writes the dotted quad. */
static int parse_v4(const char *s, char out[INET_ADDRSTRLEN]) {
  unsigned b[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 0);
    if (end == s || errno || n > 255 || *s == '-' || *s == '+') return -1;
    b[i] = (unsigned)n;
    if (!*end) break;
    if (i == 3 || *end != '.') return -1;
    s = end + 1;
  }
  snprintf(out, INET_ADDRSTRLEN, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return 0;
}

/* ADDRESS[/LEN] as a prefix procnet_addr_match reads, or NULL. family:
 * AF_INET, AF_INET6 or AF_UNSPEC (either). "any", "all" and "default"
 * match every address: *any set. */
static char *parse_prefix(const char *s, int family, int *any) {
  *any = 0;
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  char addr[INET6_ADDRSTRLEN + 1], text[INET6_ADDRSTRLEN + 8];
  if (n == 0 || n >= sizeof addr) return NULL;
  memcpy(addr, s, n);
  addr[n] = '\0';
  if (!slash && (!strcmp(addr, "any") || !strcmp(addr, "all") || !strcmp(addr, "default"))) {
    *any = 1;
    return NULL;
  }
  int v6 = strchr(addr, ':') != NULL;
  if ((v6 && family == AF_INET) || (!v6 && family == AF_INET6)) return NULL;
  if (v6) {
    unsigned char b[16];
    if (inet_pton(AF_INET6, addr, b) != 1) return NULL;
    snprintf(text, sizeof text, "%s", addr);
  } else if (parse_v4(addr, text) != 0) {
    return NULL;
  }
  if (slash) {
    long len;
    if (get_integer(slash + 1, &len) != 0 || len < 0 || len > (v6 ? 128 : 32)) return NULL;
    size_t k = strlen(text);
    snprintf(text + k, sizeof text - k, "/%ld", len);
  }
  return sqlite3_mprintf("%s", text);
}

/* The address part of an inet HOST: a prefix or a name in /etc/hosts. */
static int parse_inet_address(parser *p, const char *s, int family, host *h) {
  int any;
  char *prefix = parse_prefix(s, family, &any);
  if (any) return 0;
  if (prefix) {
    int rc = add_addr(h, prefix);
    sqlite3_free(prefix);
    if (rc != 0) fail(p, SSF_NOMEM, "out of memory");
    return rc;
  }
  char **names = NULL;
  int n = cli_host_addresses(s, family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0, &names);
  if (n < 0) {
    fail(p, SSF_NOMEM, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    if (add_addr(h, names[i]) != 0) {
      cli_free_words(names);
      fail(p, SSF_NOMEM, "out of memory");
      return -1;
    }
  }
  cli_free_words(names);
  if (!n) {
    fail(p, SSF_BAD, "an inet prefix is expected rather than \"%s\"", s);
    return -1;
  }
  return 0;
}

/* [ADDRESS][:PORT], [V6ADDRESS][:PORT], *[:PORT]; is_port: the word is a
 * port alone (after sport/dport). */
static int parse_inet_host(parser *p, char *s, int is_port, int family, host *h) {
  char *port = NULL;
  if (s[0] == '[') {
    s++;
    if (!(port = strchr(s, ']'))) {
      fail(p, SSF_BAD, "an inet prefix is expected rather than \"%s\"", s - 1);
      return -1;
    }
    *port++ = '\0';
  } else if (s[0] == '*') {
    port = s + 1;
  } else {
    char *slash = strchr(s, '/');
    port = strrchr(slash ? slash : s, ':');
  }
  if (is_port) port = s;
  if (port && *port) {
    if (*port == ':') *port++ = '\0';
    if (*port && *port != '*' && parse_port(p, port, &h->port) != 0) return -1;
  }
  if (!is_port && *s && *s != '*') return parse_inet_address(p, s, family, h);
  return 0;
}

/* A port-only HOST of a packet or netlink family: `link:*:PORT`, ... */
static int parse_link_host(parser *p, char *s, int is_port, int family, host *h) {
  char *port = is_port ? s : strchr(s, ':');
  if (port && *port == ':') *port++ = '\0';
  if (port && *port && strcmp(port, "*") != 0) {
    if (family == AF_NETLINK && !strcmp(port, "kernel")) h->port = 0;
    else if (family == AF_PACKET && if_nametoindex(port)) h->port = if_nametoindex(port);
    else if (get_integer(port, &h->port) != 0) {
      fail(p, SSF_BAD, "\"%s\" does not look like a port", port);
      return -1;
    }
  }
  if (!is_port && *s && strcmp(s, "*") != 0) {
    fail(p, SSF_BAD, "%s protocols in addresses are not supported: use procnet sql",
         family == AF_NETLINK ? "netlink" : "link");
    return -1;
  }
  return 0;
}

/* A family prefix: the family, and s moved past it; AF_UNSPEC if none. */
static int family_prefix(char **s) {
  static const struct {
    const char *prefix;
    int af;
  } prefixes[] = {{"unix:", AF_UNIX},     {"link:", AF_PACKET}, {"netlink:", AF_NETLINK},
                  {"inet:", AF_INET},     {"inet6:", AF_INET6}, {"vsock:", AF_VSOCK}};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i].prefix);
    if (!strncmp(*s, prefixes[i].prefix, n)) {
      *s += n;
      return prefixes[i].af;
    }
  }
  return AF_UNSPEC;
}

/* Reads a HOST word (iproute2's parse_hostcond). */
static int parse_host(parser *p, const char *word, int is_port, host *h) {
  memset(h, 0, sizeof *h);
  h->port = -1;
  char *copy = strdup(word), *s = copy;
  if (!copy) {
    fail(p, SSF_NOMEM, "out of memory");
    return -1;
  }
  int family = family_prefix(&s);
  if (family != AF_UNSPEC) {
    p->out->family_reset = 1;
    p->out->family = family;
    p->env->family = family;
  } else {
    family = p->env->family;
  }
  int rc;
  if (family == AF_UNIX) {
    h->unix_pattern = 1;
    rc = (h->pattern = strdup(s)) ? 0 : -1;
    if (rc) fail(p, SSF_NOMEM, "out of memory");
  } else if (family == AF_PACKET || family == AF_NETLINK) {
    rc = parse_link_host(p, s, is_port, family, h);
  } else if (family == AF_VSOCK) {
    fail(p, SSF_BAD, "vsock addresses are not supported");
    rc = -1;
  } else {
    rc = parse_inet_host(p, s, is_port, family, h);
  }
  free(copy);
  if (rc != 0) free_host(h);
  return rc;
}

/* src/dst HOST: the socket's local (src) or remote (dst) end matches. */
static frag host_condition(const host *h, int local) {
  frag f = {0};
  const char *port_col = local ? "local_port" : "remote_port";
  const char *addr_col = local ? "local_address" : "remote_address";
  if (h->unix_pattern) {
    /* ss compares the peer's name as empty: only "" and "*" match it. */
    frag_text(&f, local ? "kind = 'unix' AND lower(coalesce(local_address, ''))"
                          " GLOB lower(?)"
                        : "kind = 'unix' AND '' GLOB lower(?)");
    cli_q_text(&f, h->pattern);
    return f;
  }
  frag_text(&f, "1");
  if (h->port != -1) {
    frag_text(&f, " AND %s = ?", port_col);
    cli_q_int(&f, h->port);
  }
  for (int i = 0; i < h->naddrs; i++) {
    frag_text(&f, "%sprocnet_addr_match(%s, ?) IS 1", i ? " OR " : " AND (", addr_col);
    cli_q_text(&f, h->addrs[i]);
  }
  if (h->naddrs) frag_text(&f, ")");
  return f;
}

/* ---- terms ---------------------------------------------------------------- */

static frag parse_expr(parser *p);

/* The HOST word after src/dst/sport/dport (and an operator). */
static int host_word(parser *p, host *h) {
  const char *w = NULL;
  tok_type t = next(p, &w);
  if (t != T_WORD) {
    syntax_error(p, w);
    return -1;
  }
  return parse_host(p, w, p->mode == T_SPORT || p->mode == T_DPORT, h);
}

/* src [=] HOST, dst [=] HOST */
static frag address_term(parser *p, int local) {
  frag f = {0};
  host h;
  if (peek(p) == T_EQ) p->pos++;
  if (host_word(p, &h) != 0) return f;
  f = host_condition(&h, local);
  free_host(&h);
  return f;
}

/* sport OP PORT, dport OP PORT: `<` and `>` are ss's "not >=" and "not <=". */
static frag port_term(parser *p, int local) {
  frag f = {0};
  tok_type op = peek(p);
  if (op == T_EQ || op == T_NE || op == T_LT || op == T_GT || op == T_LE || op == T_GE)
    p->pos++;
  else
    op = T_EQ; /* no operator: equality */
  host h;
  if (host_word(p, &h) != 0) return f;
  const char *col = local ? "local_port" : "remote_port";
  long port = h.unix_pattern ? -1 : h.port;
  switch (op) {
  case T_GE: case T_LT:
    frag_text(&f, "%s >= ?", col);
    cli_q_int(&f, port);
    break;
  case T_LE: case T_GT:
    frag_text(&f, "%s <= ?", col);
    cli_q_int(&f, port);
    break;
  default:
    f = host_condition(&h, local);
  }
  free_host(&h);
  if (op == T_LT || op == T_GT || op == T_NE) f = frag_not(&f);
  return f;
}

/* dev [=|!=] DEVICE: the bound interface, by name (this namespace's) or
 * number. An unbound socket is on device 0, as ss counts it. */
static frag dev_term(parser *p) {
  frag f = {0};
  tok_type op = peek(p);
  if (op == T_EQ || op == T_NE) p->pos++;
  const char *w = NULL;
  if (next(p, &w) != T_WORD) {
    syntax_error(p, w);
    return f;
  }
  unsigned long index = if_nametoindex(w);
  if (!index) {
    char *end;
    errno = 0;
    index = strtoul(w, &end, 0);
    if (end == w || *end || errno || index > 0xffffffffUL || *w == '-') {
      fail(p, SSF_BAD, "cannot parse device \"%s\"", w);
      return f;
    }
  }
  frag_text(&f, "coalesce(ifindex, 0) = ?");
  cli_q_int(&f, (sqlite3_int64)index);
  if (op == T_NE) f = frag_not(&f);
  return f;
}

static frag parse_term(parser *p) {
  frag f = {0};
  const char *w = NULL;
  switch (next(p, &w)) {
  case T_LP:
    f = parse_expr(p);
    if (p->status == SSF_OK && next(p, &w) != T_RP) syntax_error(p, w);
    return f;
  case T_NOT:
    f = parse_term(p);
    return frag_not(&f);
  case T_SRC: return address_term(p, 1);
  case T_DST: return address_term(p, 0);
  case T_SPORT: return port_term(p, 1);
  case T_DPORT: return port_term(p, 0);
  case T_DEV: return dev_term(p);
  case T_FWMARK: case T_CGROUP: case T_AUTOBOUND:
    fail(p, SSF_BAD, "'%s' filters need netlink data procnet does not read", w);
    return f;
  case T_WORD:
    /* A word where a term should start: ss reads it (as the last keyword
     * says) before finding it misplaced, so a word that does not parse
     * is reported as such. */
    if (p->mode == T_DEV) {
      p->pos--;
      frag d = dev_term(p);
      cli_q_free(&d);
    } else {
      host h;
      if (parse_host(p, w, p->mode == T_SPORT || p->mode == T_DPORT, &h) == 0)
        free_host(&h);
    }
    syntax_error(p, w);
    return f;
  default:
    syntax_error(p, w);
    return f;
  }
}

static int starts_term(tok_type t) {
  return t == T_LP || t == T_NOT || t == T_SRC || t == T_DST || t == T_SPORT ||
         t == T_DPORT || t == T_DEV || t == T_FWMARK || t == T_CGROUP ||
         t == T_AUTOBOUND || t == T_WORD;
}

static frag parse_expr(parser *p) {
  frag f = parse_term(p);
  while (p->status == SSF_OK) {
    tok_type t = peek(p);
    const char *op;
    if (t == T_OR || t == T_AND) {
      p->pos++;
      op = t == T_OR ? "OR" : "AND";
    } else if (starts_term(t)) {
      op = "AND";
    } else {
      break;
    }
    frag r = parse_term(p);
    f = frag_binary(&f, op, &r);
  }
  return f;
}

/* ---- state words ---------------------------------------------------------- */

/* ss's state names and groups, as a mask; 0 when unknown. */
static unsigned state_mask(const char *name) {
  static const struct {
    const char *name;
    unsigned mask;
  } names[] = {
      {"close", SS_STATE(SS_CLOSE)},
      {"closed", SS_STATE(SS_CLOSE)},
      {"syn-rcv", SS_STATE(SS_SYN_RECV)},
      {"all", SS_ALL},
      {"connected", SS_ALL & ~(SS_STATE(SS_CLOSE) | SS_STATE(SS_LISTEN))},
      {"synchronized",
       SS_ALL & ~(SS_STATE(SS_CLOSE) | SS_STATE(SS_LISTEN) | SS_STATE(SS_SYN_SENT))},
      {"bucket", SS_STATE(SS_SYN_RECV) | SS_STATE(SS_TIME_WAIT)},
      {"big", SS_ALL & ~(SS_STATE(SS_SYN_RECV) | SS_STATE(SS_TIME_WAIT))},
      {"unknown", SS_STATE(0)},
      {"established", SS_STATE(SS_ESTABLISHED)},
      {"syn-sent", SS_STATE(SS_SYN_SENT)},
      {"syn-recv", SS_STATE(SS_SYN_RECV)},
      {"fin-wait-1", SS_STATE(SS_FIN_WAIT1)},
      {"fin-wait-2", SS_STATE(SS_FIN_WAIT2)},
      {"time-wait", SS_STATE(SS_TIME_WAIT)},
      {"unconnected", SS_STATE(SS_CLOSE)},
      {"close-wait", SS_STATE(SS_CLOSE_WAIT)},
      {"last-ack", SS_STATE(SS_LAST_ACK)},
      {"listening", SS_STATE(SS_LISTEN)},
      {"closing", SS_STATE(SS_CLOSING)},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcasecmp(names[i].name, name)) return names[i].mask;
  return 0;
}

/* The leading `state X` / `exclude X` pairs: the first `state` starts
 * from none, the first `exclude` from all, as ss does. */
static void parse_states(parser *p) {
  ssf_result *r = p->out;
  while (p->status == SSF_OK && p->pos < p->t.n) {
    const char *w = p->t.v[p->pos];
    int include = !strcmp(w, "state");
    if (!include && strcmp(w, "exclude") != 0 && strcmp(w, "excl") != 0) return;
    if (p->pos + 1 >= p->t.n) {
      fail(p, SSF_SYNTAX, "'%s' needs a state name", w);
      return;
    }
    const char *name = p->t.v[p->pos + 1];
    unsigned m = state_mask(name);
    if (!m) {
      fail(p, SSF_SYNTAX, "wrong state name: %s", name);
      return;
    }
    if (!r->saw_states) r->states = include ? 0 : SS_ALL;
    r->saw_states = 1;
    r->states = include ? r->states | m : r->states & ~m;
    p->pos += 2;
  }
}

ssf_status ssf_compile(char *const *words, int nwords, ssf_env *env,
                       ssf_result *out) {
  memset(out, 0, sizeof *out);
  parser p = {{NULL, 0, 0}, 0, T_END, env, out, SSF_OK};
  if (split_words(words, nwords, &p.t) != 0) {
    free_tokens(&p.t);
    return SSF_NOMEM;
  }
  parse_states(&p);
  if (p.status == SSF_OK && p.pos < p.t.n) {
    frag f = parse_expr(&p);
    const char *w = NULL;
    if (p.status == SSF_OK && next(&p, &w) != T_END) syntax_error(&p, w);
    if (p.status == SSF_OK) out->where = f;
    else cli_q_free(&f);
  }
  if (p.status == SSF_OK && out->where.oom) p.status = SSF_NOMEM;
  free_tokens(&p.t);
  return p.status;
}

void ssf_result_free(ssf_result *r) {
  cli_q_free(&r->where);
  sqlite3_free(r->error);
  memset(r, 0, sizeof *r);
}
