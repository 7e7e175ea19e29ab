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
 * The words that name things (HOST, PORT, DEVICE) are read by
 * ssfilter_host.c.
 */
#include "ss.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
  va_list ap;
  va_start(ap, fmt);
  char *msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  p->status = ssf_fail(p->out, msg ? st : SSF_NOMEM, "%s", msg ? msg : "out of memory");
  sqlite3_free(msg);
}

/* A word's own error (ssfilter_host.c): it is a value that does not parse
 * (ss exits 1), unless memory ran out. */
static int fail_from_out(parser *p) {
  if (p->status == SSF_OK) p->status = p->out->error ? SSF_BAD : SSF_NOMEM;
  return -1;
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

/* Appends "(sub)" with sub's parameters; frees sub. */
static void frag_take(frag *f, frag *sub) {
  const char *t = cli_q_text_of(sub);
  if (!t) f->oom = 1;
  cli_q_append(f, "(%s)", t ? t : "");
  cli_q_copy_params(f, sub);
  cli_q_free(sub);
}

static frag frag_binary(frag *a, const char *op, frag *b) {
  frag f = {0};
  frag_take(&f, a);
  cli_q_append(&f, " %s ", op);
  frag_take(&f, b);
  return f;
}

static frag frag_not(frag *a) {
  frag f = {0};
  cli_q_append(&f, "NOT ");
  frag_take(&f, a);
  return f;
}

/* ---- terms ---------------------------------------------------------------- */

static frag parse_expr(parser *p);

/* The HOST word after src/dst/sport/dport (and an operator). */
static int host_word(parser *p, ssf_host *h) {
  const char *w = NULL;
  tok_type t = next(p, &w);
  if (t != T_WORD) {
    syntax_error(p, w);
    return -1;
  }
  return ssf_read_host(w, p->mode == T_SPORT || p->mode == T_DPORT, p->env, p->out, h) == 0
             ? 0
             : fail_from_out(p);
}

/* src [=] HOST, dst [=] HOST */
static frag address_term(parser *p, int local) {
  frag f = {0};
  ssf_host h;
  if (peek(p) == T_EQ) p->pos++;
  if (host_word(p, &h) != 0) return f;
  f = ssf_host_condition(&h, local);
  ssf_free_host(&h);
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
  ssf_host h;
  if (host_word(p, &h) != 0) return f;
  const char *col = local ? "local_port" : "remote_port";
  long port = h.unix_pattern ? -1 : h.port;
  switch (op) {
  case T_GE: case T_LT:
    cli_q_append(&f, "%s >= ?", col);
    cli_q_int(&f, port);
    break;
  case T_LE: case T_GT:
    cli_q_append(&f, "%s <= ?", col);
    cli_q_int(&f, port);
    break;
  default:
    f = ssf_host_condition(&h, local);
  }
  ssf_free_host(&h);
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
  unsigned long index = ssf_read_device(w, p->out);
  if (!index && p->out->error) {
    fail_from_out(p);
    return f;
  }
  cli_q_append(&f, "coalesce(ifindex, 0) = ?");
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
      ssf_host h;
      if (ssf_read_host(w, p->mode == T_SPORT || p->mode == T_DPORT, p->env, p->out, &h) == 0)
        ssf_free_host(&h);
      else
        fail_from_out(p);
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
