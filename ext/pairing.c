/*
 * pairing.c: the two ends of TCP and UDP connections; see pairing.h for
 * the rules. Everything is sorting and binary search over index arrays:
 * the sockets of a namespace sorted by their tuple put each connection's
 * two ends side by side.
 */
#include "pairing.h"

#include <stdlib.h>
#include <string.h>

void pn_addr_as_v6(int family, const uint8_t *addr, uint8_t out[16]) {
  if (family == 4) {
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, addr, 4);
  } else {
    memcpy(out, addr, 16);
  }
}

static int is_loopback(const uint8_t a[16]) {
  static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const uint8_t v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(a, v6, 16) == 0 || (memcmp(a, v4, 12) == 0 && a[12] == 127);
}

static int is_wildcard(const uint8_t a[16]) {
  static const uint8_t any6[16], any4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(a, any6, 16) == 0 || memcmp(a, any4, 16) == 0;
}

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

/* Two ends (address, port). */
static int cmp_end(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp) {
  int c = memcmp(a, b, 16);
  return c ? c : (ap > bp) - (ap < bp);
}

/* A tuple as it is, local end first. */
static int cmp_tuple(const uint8_t *l1, uint16_t lp1, const uint8_t *r1, uint16_t rp1,
                     const uint8_t *l2, uint16_t lp2, const uint8_t *r2, uint16_t rp2) {
  int c = cmp_end(l1, lp1, l2, lp2);
  return c ? c : cmp_end(r1, rp1, r2, rp2);
}

/* A tuple with its lower end first: the same for both ends of a
 * connection. */
typedef struct canon {
  const uint8_t *a, *b;
  uint16_t ap, bp;
} canon;

static canon canon_of(const pn_endpoint *e) {
  canon c = {e->local, e->remote, e->lport, e->rport};
  if (cmp_end(e->local, e->lport, e->remote, e->rport) > 0) {
    c.a = e->remote;
    c.ap = e->rport;
    c.b = e->local;
    c.bp = e->lport;
  }
  return c;
}

static int cmp_canon(const pn_endpoint *x, const pn_endpoint *y) {
  canon a = canon_of(x), b = canon_of(y);
  return cmp_tuple(a.a, a.ap, a.b, a.bp, b.a, b.ap, b.b, b.bp);
}

/* ---- index orders ------------------------------------------------------------------ */

static int by_ns_tuple(const void *x, const void *y, void *ctx) {
  const pn_endpoint *ep = ctx, *a = &ep[*(const uint32_t *)x], *b = &ep[*(const uint32_t *)y];
  int c = (a->kind > b->kind) - (a->kind < b->kind);
  if (!c) c = cmp_u64(a->netns, b->netns);
  if (!c) c = cmp_canon(a, b);
  return c ? c : cmp_u64(a->inode, b->inode);
}

static int by_tuple_ns(const void *x, const void *y, void *ctx) {
  const pn_endpoint *ep = ctx, *a = &ep[*(const uint32_t *)x], *b = &ep[*(const uint32_t *)y];
  int c = (a->kind > b->kind) - (a->kind < b->kind);
  if (!c) c = cmp_canon(a, b);
  if (!c) c = cmp_u64(a->netns, b->netns);
  return c ? c : cmp_u64(a->inode, b->inode);
}

/* Exact tuple (local end first), for lookups by a conntrack tuple. */
static int cmp_exact(const pn_endpoint *a, uint8_t kind, const uint8_t *l, uint16_t lp,
                     const uint8_t *r, uint16_t rp) {
  int c = (a->kind > kind) - (a->kind < kind);
  return c ? c : cmp_tuple(a->local, a->lport, a->remote, a->rport, l, lp, r, rp);
}

static int by_exact(const void *x, const void *y, void *ctx) {
  const pn_endpoint *ep = ctx, *a = &ep[*(const uint32_t *)x], *b = &ep[*(const uint32_t *)y];
  return cmp_exact(a, b->kind, b->local, b->lport, b->remote, b->rport);
}

static int by_port(const void *x, const void *y, void *ctx) {
  const pn_endpoint *ep = ctx, *a = &ep[*(const uint32_t *)x], *b = &ep[*(const uint32_t *)y];
  int c = (a->kind > b->kind) - (a->kind < b->kind);
  if (!c) c = (a->lport > b->lport) - (a->lport < b->lport);
  return c ? c : cmp_u64(a->netns, b->netns);
}

static int cmp_nat_orig(const pn_nat *n, uint8_t kind, const uint8_t *s, uint16_t sp,
                        const uint8_t *d, uint16_t dp) {
  int c = (n->kind > kind) - (n->kind < kind);
  return c ? c : cmp_tuple(n->osrc, n->osport, n->odst, n->odport, s, sp, d, dp);
}

static int cmp_nat_reply(const pn_nat *n, uint8_t kind, const uint8_t *s, uint16_t sp,
                         const uint8_t *d, uint16_t dp) {
  int c = (n->kind > kind) - (n->kind < kind);
  return c ? c : cmp_tuple(n->rsrc, n->rsport, n->rdst, n->rdport, s, sp, d, dp);
}

static int nat_by_orig(const void *x, const void *y) {
  const pn_nat *a = x, *b = y;
  return cmp_nat_orig(a, b->kind, b->osrc, b->osport, b->odst, b->odport);
}

static int nat_by_reply(const void *x, const void *y, void *ctx) {
  const pn_nat *nat = ctx, *a = &nat[*(const uint32_t *)x], *b = &nat[*(const uint32_t *)y];
  return cmp_nat_reply(a, b->kind, b->rsrc, b->rsport, b->rdst, b->rdport);
}

static int owned_order(const void *x, const void *y) {
  const pn_owned *a = x, *b = y;
  int c = cmp_u64(a->netns, b->netns);
  return c ? c : memcmp(a->addr, b->addr, 16);
}

static void sort_r(uint32_t *v, size_t n, int (*cmp)(const void *, const void *, void *),
                   void *ctx) {
  if (n > 1) qsort_r(v, n, sizeof *v, cmp, ctx);
}

/* ---- the state of one pairing ------------------------------------------------------ */

#define F_SERVER 0x1        /* a listener of its namespace took it */
#define F_USED 0x2          /* in a row already */

typedef struct pairer {
  pn_pairing *p;
  uint32_t *conn;           /* connected endpoints (then the unpaired) */
  size_t nconn;
  uint32_t *lis;            /* listeners, by kind, port, namespace */
  size_t nlis;
  uint32_t *flags;          /* per endpoint: F_* */
  uint32_t *reply;          /* NAT entries by reply tuple */
  pn_pair *out;
  size_t nout;
} pairer;

static int owns(const pairer *w, uint64_t netns, const uint8_t addr[16]) {
  pn_owned key;
  key.netns = netns;
  memcpy(key.addr, addr, 16);
  return netns && w->p->nowned &&
         bsearch(&key, w->p->owned, w->p->nowned, sizeof key, owned_order) != NULL;
}

static void emit(pairer *w, int32_t src, int32_t dst, int32_t nat, uint8_t via) {
  pn_pair *r = &w->out[w->nout++];
  r->src = src;
  r->dst = dst;
  r->nat = nat;
  r->via = via;
  if (src >= 0) w->flags[src] |= F_USED;
  if (dst >= 0 && w->p->ep[dst].role == PN_EP_CONNECTED) w->flags[dst] |= F_USED;
}

/* The first listener of (kind, port). */
static size_t listeners_of(const pairer *w, uint8_t kind, uint16_t port) {
  size_t lo = 0, hi = w->nlis;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const pn_endpoint *l = &w->p->ep[w->lis[mid]];
    if (l->kind < kind || (l->kind == kind && l->lport < port)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* A listener of (kind, port) bound to addr or a wildcard: in netns when
 * `in` is set, else in a namespace that owns addr. -1 when none. */
static int32_t find_listener(const pairer *w, uint8_t kind, uint16_t port,
                             const uint8_t addr[16], uint64_t netns, int in) {
  for (size_t i = listeners_of(w, kind, port); i < w->nlis; i++) {
    const pn_endpoint *l = &w->p->ep[w->lis[i]];
    if (l->kind != kind || l->lport != port) break;
    if (memcmp(l->local, addr, 16) != 0 && !is_wildcard(l->local)) continue;
    if (in ? l->netns == netns : l->netns != netns && owns(w, l->netns, addr))
      return (int32_t)w->lis[i];
  }
  return -1;
}

/* ---- the steps ----------------------------------------------------------------------- */

static void classify(pairer *w) {
  for (size_t i = 0; i < w->p->nep; i++) {
    w->flags[i] = 0;
    if (w->p->ep[i].role == PN_EP_CONNECTED) w->conn[w->nconn++] = (uint32_t)i;
    else if (w->p->ep[i].role == PN_EP_LISTENER) w->lis[w->nlis++] = (uint32_t)i;
  }
  sort_r(w->lis, w->nlis, by_port, (void *)w->p->ep);
  for (size_t i = 0; i < w->nconn; i++) {
    const pn_endpoint *e = &w->p->ep[w->conn[i]];
    if (find_listener(w, e->kind, e->lport, e->local, e->netns, 1) >= 0)
      w->flags[w->conn[i]] |= F_SERVER;
  }
}

/* A pair: the client first (no listener took it), else the lower inode. */
static void emit_pair(pairer *w, uint32_t a, uint32_t b, uint8_t via) {
  int sa = w->flags[a] & F_SERVER, sb = w->flags[b] & F_SERVER;
  if (sa > sb || (sa == sb && w->p->ep[a].inode > w->p->ep[b].inode)) {
    uint32_t t = a;
    a = b;
    b = t;
  }
  emit(w, (int32_t)a, (int32_t)b, -1, via);
}

/* Runs of exactly two endpoints that sort equal under same() become pairs
 * (and, across namespaces, only two of different namespaces). */
static void pair_runs(pairer *w, uint32_t *v, size_t n, int across) {
  const pn_endpoint *ep = w->p->ep;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && ep[v[j]].kind == ep[v[i]].kind &&
           (across || ep[v[j]].netns == ep[v[i]].netns) && cmp_canon(&ep[v[j]], &ep[v[i]]) == 0)
      j++;
    if (j - i == 2 && (!across || ep[v[i]].netns != ep[v[i + 1]].netns))
      emit_pair(w, v[i], v[i + 1], across ? PN_VIA_ROUTED : PN_VIA_NETNS);
    i = j;
  }
}

/* Keeps in conn only the endpoints no row holds; with `owned`, only those
 * whose local address is their namespace's own (and not loopback). */
static void keep_unpaired(pairer *w, int owned, size_t *n) {
  size_t k = 0;
  for (size_t i = 0; i < w->nconn; i++) {
    uint32_t e = w->conn[i];
    if (w->flags[e] & F_USED) continue;
    w->conn[k++] = e;
  }
  w->nconn = k;
  *n = k;
  if (!owned) return;
  k = 0; /* those that qualify first */
  for (size_t i = 0; i < w->nconn; i++) {
    const pn_endpoint *e = &w->p->ep[w->conn[i]];
    if (is_loopback(e->local) || !owns(w, e->netns, e->local)) continue;
    uint32_t t = w->conn[k];
    w->conn[k++] = w->conn[i];
    w->conn[i] = t;
  }
  *n = k;
}

/* The unpaired endpoint with this exact tuple, or -1 (conn sorted by
 * by_exact). */
static int32_t find_exact(const pairer *w, uint8_t kind, const uint8_t *l, uint16_t lp,
                          const uint8_t *r, uint16_t rp) {
  size_t lo = 0, hi = w->nconn;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_exact(&w->p->ep[w->conn[mid]], kind, l, lp, r, rp) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < w->nconn && cmp_exact(&w->p->ep[w->conn[lo]], kind, l, lp, r, rp) == 0; lo++)
    if (!(w->flags[w->conn[lo]] & F_USED)) return (int32_t)w->conn[lo];
  return -1;
}

/* The first NAT entry whose original tuple is e's, or -1. */
static int32_t nat_of_client(const pairer *w, const pn_endpoint *e) {
  size_t lo = 0, hi = w->p->nnat;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_nat_orig(&w->p->nat[mid], e->kind, e->local, e->lport, e->remote, e->rport) < 0)
      lo = mid + 1;
    else hi = mid;
  }
  return lo < w->p->nnat && cmp_nat_orig(&w->p->nat[lo], e->kind, e->local, e->lport,
                                         e->remote, e->rport) == 0 ? (int32_t)lo : -1;
}

/* The first NAT entry whose reply tuple is e's, or -1. */
static int32_t nat_of_server(const pairer *w, const pn_endpoint *e) {
  size_t lo = 0, hi = w->p->nnat;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_nat_reply(&w->p->nat[w->reply[mid]], e->kind, e->local, e->lport, e->remote,
                      e->rport) < 0)
      lo = mid + 1;
    else hi = mid;
  }
  return lo < w->p->nnat && cmp_nat_reply(&w->p->nat[w->reply[lo]], e->kind, e->local,
                                          e->lport, e->remote, e->rport) == 0
             ? (int32_t)w->reply[lo] : -1;
}

/* A socket may be an end of a flow the namespace of n tracks: it is in
 * that namespace, or its address is its own namespace's. */
static int on_route(const pairer *w, const pn_endpoint *e, const pn_nat *n) {
  return e->netns == n->netns || owns(w, e->netns, e->local);
}

static void pair_nat(pairer *w, uint32_t x) {
  const pn_endpoint *e = &w->p->ep[x];
  int32_t k = nat_of_client(w, e);
  if (k < 0 || (w->flags[x] & F_SERVER)) return;
  const pn_nat *n = &w->p->nat[k];
  if (!on_route(w, e, n)) return;
  int32_t y = find_exact(w, e->kind, n->rsrc, n->rsport, n->rdst, n->rdport);
  if (y >= 0 && (uint32_t)y != x && on_route(w, &w->p->ep[y], n)) {
    emit(w, (int32_t)x, y, k, PN_VIA_NAT);
    return;
  }
  if (e->kind != PN_EP_UDP) return;
  int32_t l = find_listener(w, PN_EP_UDP, n->rsport, n->rsrc, 0, 0);
  if (l >= 0) emit(w, (int32_t)x, l, k, PN_VIA_NAT);
}

static void pair_udp_bound(pairer *w, uint32_t x) {
  const pn_endpoint *e = &w->p->ep[x];
  if (e->kind != PN_EP_UDP) return;
  int here = is_loopback(e->remote) || memcmp(e->remote, e->local, 16) == 0 ||
             owns(w, e->netns, e->remote);
  int32_t l = here ? find_listener(w, PN_EP_UDP, e->rport, e->remote, e->netns, 1)
                   : find_listener(w, PN_EP_UDP, e->rport, e->remote, e->netns, 0);
  if (l >= 0) emit(w, (int32_t)x, l, -1, PN_VIA_UDP_BOUND);
}

static void emit_external(pairer *w, uint32_t x) {
  const pn_endpoint *e = &w->p->ep[x];
  if (w->flags[x] & F_SERVER) emit(w, -1, (int32_t)x, nat_of_server(w, e), PN_VIA_EXTERNAL);
  else emit(w, (int32_t)x, -1, nat_of_client(w, e), PN_VIA_EXTERNAL);
}

size_t pn_pair_endpoints(pn_pairing *p, pn_pair *out, uint32_t *scratch) {
  pairer w = {p, scratch, 0, scratch + p->nep, 0, scratch + 2 * p->nep,
              scratch + 3 * p->nep, out, 0};
  size_t n;
  if (p->nowned > 1) qsort(p->owned, p->nowned, sizeof *p->owned, owned_order);
  if (p->nnat > 1) qsort(p->nat, p->nnat, sizeof *p->nat, nat_by_orig);
  for (size_t i = 0; i < p->nnat; i++) w.reply[i] = (uint32_t)i;
  sort_r(w.reply, p->nnat, nat_by_reply, p->nat);
  classify(&w);
  /* 1. one namespace */
  sort_r(w.conn, w.nconn, by_ns_tuple, (void *)p->ep);
  pair_runs(&w, w.conn, w.nconn, 0);
  /* 2. two namespaces, each end's address its own */
  keep_unpaired(&w, 1, &n);
  sort_r(w.conn, n, by_tuple_ns, (void *)p->ep);
  pair_runs(&w, w.conn, n, 1);
  /* 3. through NAT; 4. UDP servers; 5. the rest, off this host */
  keep_unpaired(&w, 0, &n);
  sort_r(w.conn, n, by_exact, (void *)p->ep);
  for (size_t i = 0; i < n; i++)
    if (!(w.flags[w.conn[i]] & F_USED)) pair_nat(&w, w.conn[i]);
  for (size_t i = 0; i < n; i++)
    if (!(w.flags[w.conn[i]] & F_USED)) pair_udp_bound(&w, w.conn[i]);
  for (size_t i = 0; i < n; i++)
    if (!(w.flags[w.conn[i]] & F_USED)) emit_external(&w, w.conn[i]);
  return w.nout;
}
