/*
 * parse_conntrack.c: conntrack entries from nf_conntrack text and from
 * ctnetlink messages; see parse_conntrack.h.
 */
#include "parse_conntrack.h"

#include "parse_diag.h"
#include "parse_util.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <string.h>
#include <sys/socket.h>

/* What a tuple has received, per direction. */
#define SEEN_SRC 0x1
#define SEEN_DST 0x2
#define SEEN_SPORT 0x4
#define SEEN_DPORT 0x8
#define SEEN_ADDRS (SEEN_SRC | SEEN_DST)
#define SEEN_PORTS (SEEN_SPORT | SEEN_DPORT)

static const char *const tcp_states[] = {
    "NONE",     "SYN_SENT",   "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
    "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",      "SYN_SENT2"};
#define N_TCP_STATES ((int)(sizeof tcp_states / sizeof tcp_states[0]))

const char *pn_ct_tcp_state_name(int state) {
  return state >= 0 && state < N_TCP_STATES ? tcp_states[state] : NULL;
}

static int tcp_state_of(pn_str word) {
  for (int i = 0; i < N_TCP_STATES; i++)
    if (pn_str_eq(word, tcp_states[i])) return i;
  return -1;
}

static int same_end(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp) {
  return ap == bp && memcmp(a, b, 16) == 0;
}

int pn_ct_is_dnat(const pn_ct_entry *e) {
  return !same_end(e->reply.src, e->reply.sport, e->orig.dst, e->orig.dport);
}

int pn_ct_is_snat(const pn_ct_entry *e) {
  return !same_end(e->reply.dst, e->reply.dport, e->orig.src, e->orig.sport);
}

/* 0 when the tuples of both directions are whole: addresses, and ports
 * either in both or in neither. */
static int check_seen(const unsigned seen[2]) {
  for (int d = 0; d < 2; d++) {
    if ((seen[d] & SEEN_ADDRS) != SEEN_ADDRS) return -1;
    unsigned ports = seen[d] & SEEN_PORTS;
    if (ports != 0 && ports != SEEN_PORTS) return -1;
  }
  return (seen[0] & SEEN_PORTS) == (seen[1] & SEEN_PORTS) ? 0 : -1;
}

int pn_parse_conntrack_count(const char *buf, size_t len, uint64_t *entries) {
  size_t pos = 0, fpos = 0;
  pn_str header, line, field;
  if (!buf || !pn_next_line(buf, len, &pos, &header) || !pn_next_line(buf, len, &pos, &line))
    return -1;
  if (!pn_next_field(header, &fpos, &field) || !pn_str_eq(field, "entries")) return -1;
  fpos = 0;
  if (!pn_next_field(line, &fpos, &field)) return -1;
  return pn_parse_hex(field, entries);
}

/* ---- text ------------------------------------------------------------------ */

static int text_addr(pn_str s, int family, uint8_t out[16]) {
  char tmp[48];
  if (s.n == 0 || s.n >= sizeof tmp || pn_has_nul(s)) return -1;
  memcpy(tmp, s.p, s.n);
  tmp[s.n] = '\0';
  memset(out, 0, 16);
  return inet_pton(family == 4 ? AF_INET : AF_INET6, tmp, out) == 1 ? 0 : -1;
}

static int text_u16(pn_str s, uint16_t *out) {
  uint64_t v;
  if (pn_parse_udec(s, &v) != 0 || v > UINT16_MAX) return -1;
  *out = (uint16_t)v;
  return 0;
}

/* "ipv4 2 tcp 6": the families and the protocol. */
static int text_header(pn_str line, size_t *pos, pn_ct_entry *e) {
  pn_str l3, l3num, l4, l4num;
  uint64_t n3, n4;
  if (!pn_next_field(line, pos, &l3) || !pn_next_field(line, pos, &l3num) ||
      !pn_next_field(line, pos, &l4) || !pn_next_field(line, pos, &l4num))
    return -1;
  if (pn_parse_udec(l3num, &n3) != 0 || pn_parse_udec(l4num, &n4) != 0 || n4 > 255)
    return -1;
  if (pn_str_eq(l3, "ipv4") && n3 == AF_INET) e->family = 4;
  else if (pn_str_eq(l3, "ipv6") && n3 == AF_INET6) e->family = 6;
  else return -1;
  e->proto = (int)n4;
  return 0;
}

typedef struct text_walk {
  pn_ct_entry *e;
  int dir;                  /* 0 before the first src=, 1 original, 2 reply */
  unsigned seen[2];
} text_walk;

static pn_ct_tuple *tuple_of(text_walk *w) {
  return w->dir == 1 ? &w->e->orig : &w->e->reply;
}

/* One key=value field. Unknown keys (use=, packets=, secctx=, ...) are
 * skipped. */
static int text_pair(text_walk *w, pn_str key, pn_str val) {
  pn_ct_entry *e = w->e;
  uint64_t v;
  if (pn_str_eq(key, "src")) {
    if (++w->dir > 2) return -1;
    w->seen[w->dir - 1] |= SEEN_SRC;
    return text_addr(val, e->family, tuple_of(w)->src);
  }
  if (pn_str_eq(key, "mark")) {
    if (pn_parse_udec(val, &v) != 0 || v > UINT32_MAX) return -1;
    e->has_mark = 1;
    e->mark = (uint32_t)v;
    return 0;
  }
  if (pn_str_eq(key, "zone")) {
    if (text_u16(val, &e->zone) != 0) return -1;
    e->has_zone = 1;
    return 0;
  }
  unsigned bit = pn_str_eq(key, "dst")     ? SEEN_DST
                 : pn_str_eq(key, "sport") ? SEEN_SPORT
                 : pn_str_eq(key, "dport") ? SEEN_DPORT
                                           : 0;
  if (!bit) return 0;
  if (w->dir == 0) return -1; /* a tuple's field before its src= */
  w->seen[w->dir - 1] |= bit;
  pn_ct_tuple *t = tuple_of(w);
  if (bit == SEEN_DST) return text_addr(val, e->family, t->dst);
  return text_u16(val, bit == SEEN_SPORT ? &t->sport : &t->dport);
}

static void text_flag(pn_ct_entry *e, pn_str f) {
  if (pn_str_eq(f, "[ASSURED]")) e->flags |= PN_CT_ASSURED;
  else if (pn_str_eq(f, "[UNREPLIED]")) e->flags |= PN_CT_UNREPLIED;
  else if (pn_str_eq(f, "[OFFLOAD]") || pn_str_eq(f, "[HW_OFFLOAD]"))
    e->flags |= PN_CT_OFFLOAD;
}

/* A field before the first tuple: the timeout (digits), then the state. */
static void text_preamble(pn_ct_entry *e, pn_str f) {
  uint64_t v;
  if (e->timeout < 0 && e->state < 0 && pn_parse_udec(f, &v) == 0 && v <= INT64_MAX)
    e->timeout = (int64_t)v;
  else if (e->proto == 6 && e->state < 0)
    e->state = tcp_state_of(f);
}

static void entry_init(pn_ct_entry *e) {
  memset(e, 0, sizeof *e);
  e->state = -1;
  e->timeout = -1;
}

int pn_parse_conntrack_line(const char *line, size_t len, pn_ct_entry *out) {
  pn_str s = pn_slice(line, len), f, key, val;
  size_t pos = 0;
  text_walk w = {out, 0, {0, 0}};
  entry_init(out);
  if (line == NULL || pn_has_nul(s) || text_header(s, &pos, out) != 0) return -1;
  while (pn_next_field(s, &pos, &f)) {
    if (pn_split_at(f, '=', &key, &val) == 0) {
      if (text_pair(&w, key, val) != 0) return -1;
    } else if (f.p[0] == '[') {
      text_flag(out, f);
    } else if (w.dir == 0) {
      text_preamble(out, f);
    }
  }
  return check_seen(w.seen);
}

/* ---- ctnetlink -------------------------------------------------------------- */

static int be16_of(pn_bytes v, uint16_t *out) {
  uint16_t x;
  if (v.n < sizeof x) return -1;
  memcpy(&x, v.p, sizeof x);
  *out = ntohs(x);
  return 0;
}

static int be32_of(pn_bytes v, uint32_t *out) {
  uint32_t x;
  if (v.n < sizeof x) return -1;
  memcpy(&x, v.p, sizeof x);
  *out = ntohl(x);
  return 0;
}

/* Calls take(ctx, attribute) for each attribute of b; -1 when the walk
 * finds a malformed attribute or take refuses one. */
typedef int attr_fn(void *ctx, const pn_nlattr *a);
static int each_attr(pn_bytes b, attr_fn *take, void *ctx) {
  size_t pos = 0;
  pn_nlattr a;
  int r;
  while ((r = pn_nlattr_next(b.p, b.n, &pos, &a)) == 1)
    if (take(ctx, &a) != 0) return -1;
  return r;
}

typedef struct nl_tuple {
  pn_ct_tuple *t;
  unsigned *seen;
  int family;
  int proto;                /* CTA_PROTO_NUM, -1 when absent */
} nl_tuple;

static void copy_addr(pn_bytes v, size_t n, uint8_t *out, unsigned *seen,
                      unsigned bit) {
  if (v.n < n) return;
  memset(out, 0, 16);
  memcpy(out, v.p, n);
  *seen |= bit;
}

static int take_ip(void *ctx, const pn_nlattr *a) {
  nl_tuple *nt = ctx;
  size_t n = nt->family == 4 ? 4 : 16;
  int want_src = nt->family == 4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC;
  int want_dst = nt->family == 4 ? CTA_IP_V4_DST : CTA_IP_V6_DST;
  if (a->type == want_src) copy_addr(a->value, n, nt->t->src, nt->seen, SEEN_SRC);
  else if (a->type == want_dst) copy_addr(a->value, n, nt->t->dst, nt->seen, SEEN_DST);
  return 0;
}

static int take_proto(void *ctx, const pn_nlattr *a) {
  nl_tuple *nt = ctx;
  if (a->type == CTA_PROTO_NUM && a->value.n >= 1) nt->proto = a->value.p[0];
  else if (a->type == CTA_PROTO_SRC_PORT && be16_of(a->value, &nt->t->sport) == 0)
    *nt->seen |= SEEN_SPORT;
  else if (a->type == CTA_PROTO_DST_PORT && be16_of(a->value, &nt->t->dport) == 0)
    *nt->seen |= SEEN_DPORT;
  return 0;
}

static int take_tuple(void *ctx, const pn_nlattr *a) {
  if (a->type == CTA_TUPLE_IP) return each_attr(a->value, take_ip, ctx);
  if (a->type == CTA_TUPLE_PROTO) return each_attr(a->value, take_proto, ctx);
  return 0;
}

static int take_tcp_info(void *ctx, const pn_nlattr *a) {
  pn_ct_entry *e = ctx;
  if (a->type == CTA_PROTOINFO_TCP_STATE && a->value.n >= 1) e->state = a->value.p[0];
  return 0;
}

static int take_protoinfo(void *ctx, const pn_nlattr *a) {
  if (a->type == CTA_PROTOINFO_TCP) return each_attr(a->value, take_tcp_info, ctx);
  return 0;
}

typedef struct nl_entry {
  pn_ct_entry *e;
  unsigned seen[2];
  int proto;
  int has_status;
} nl_entry;

static void take_status(pn_ct_entry *e, uint32_t status) {
  if (status & IPS_ASSURED) e->flags |= PN_CT_ASSURED;
  if (!(status & IPS_SEEN_REPLY)) e->flags |= PN_CT_UNREPLIED;
  if (status & IPS_OFFLOAD) e->flags |= PN_CT_OFFLOAD;
}

static int take_entry(void *ctx, const pn_nlattr *a) {
  nl_entry *w = ctx;
  pn_ct_entry *e = w->e;
  uint32_t v;
  if (a->type == CTA_TUPLE_ORIG || a->type == CTA_TUPLE_REPLY) {
    int d = a->type == CTA_TUPLE_REPLY;
    nl_tuple nt = {d ? &e->reply : &e->orig, &w->seen[d], e->family, -1};
    if (each_attr(a->value, take_tuple, &nt) != 0) return -1;
    if (!d) w->proto = nt.proto;
  } else if (a->type == CTA_PROTOINFO) {
    return each_attr(a->value, take_protoinfo, e);
  } else if (a->type == CTA_STATUS && be32_of(a->value, &v) == 0) {
    take_status(e, v);
  } else if (a->type == CTA_TIMEOUT && be32_of(a->value, &v) == 0) {
    e->timeout = v;
  } else if (a->type == CTA_MARK && be32_of(a->value, &e->mark) == 0) {
    e->has_mark = 1;
  } else if (a->type == CTA_ZONE && be16_of(a->value, &e->zone) == 0) {
    e->has_zone = 1;
  }
  return 0;
}

int pn_parse_ctnetlink(const void *payload, size_t len, pn_ct_entry *out) {
  struct nfgenmsg g;
  nl_entry w = {out, {0, 0}, -1, 0};
  entry_init(out);
  out->has_zone = 1; /* ctnetlink leaves out the default zone, 0 */
  if (payload == NULL || len < sizeof g) return -1;
  memcpy(&g, payload, sizeof g);
  if (g.nfgen_family == AF_INET) out->family = 4;
  else if (g.nfgen_family == AF_INET6) out->family = 6;
  else return -1;
  pn_bytes attrs = {(const uint8_t *)payload + sizeof g, len - sizeof g};
  if (each_attr(attrs, take_entry, &w) != 0 || w.proto < 0) return -1;
  out->proto = w.proto;
  if (out->proto != 6) out->state = -1;
  return check_seen(w.seen);
}
