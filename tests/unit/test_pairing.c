/*
 * test_pairing.c: which sockets are the two ends of a connection
 * (ext/pairing.c), on scenes written out as sockets, interface addresses
 * and conntrack entries: a loopback pair, the same tuple in two
 * namespaces, containers over veth (owned addresses, and a look-alike
 * that owns none), a published port (DNAT) with a local client and an
 * external one, masquerade to the outside, UDP clients of a bound server
 * here and in another namespace, a v4-mapped socket and its IPv4 peer,
 * three sockets on one tuple, and who is the client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "pairing.h"

#define MAX 32

typedef struct scene {
  pn_endpoint ep[MAX];
  pn_owned owned[MAX];
  pn_nat nat[MAX];
  pn_pairing p;
  pn_pair out[MAX];
  uint32_t scratch[PN_PAIRING_SCRATCH(MAX, MAX)];
  size_t nout;
} scene;

static void addr(const char *text, uint8_t out[16]) {
  uint8_t raw[16];
  if (strchr(text, ':')) {
    assert_int_equal(inet_pton(AF_INET6, text, raw), 1);
    pn_addr_as_v6(6, raw, out);
  } else {
    assert_int_equal(inet_pton(AF_INET, text, raw), 1);
    pn_addr_as_v6(4, raw, out);
  }
}

static scene *new_scene(void) {
  scene *s = calloc(1, sizeof *s);
  assert_non_null(s);
  s->p.ep = s->ep;
  s->p.owned = s->owned;
  s->p.nat = s->nat;
  return s;
}

/* A socket: "ADDR:PORT" ends, role connected unless rport is 0. */
static int sock(scene *s, int kind, uint64_t netns, uint64_t inode, const char *l,
                int lport, const char *r, int rport) {
  pn_endpoint *e = &s->ep[s->p.nep];
  e->kind = (uint8_t)kind;
  e->netns = netns;
  e->inode = inode;
  e->role = rport ? PN_EP_CONNECTED : PN_EP_LISTENER;
  addr(l, e->local);
  addr(r, e->remote);
  e->lport = (uint16_t)lport;
  e->rport = (uint16_t)rport;
  return (int)s->p.nep++;
}

static void own(scene *s, uint64_t netns, const char *a) {
  s->owned[s->p.nowned].netns = netns;
  addr(a, s->owned[s->p.nowned++].addr);
}

static void nat(scene *s, uint64_t netns, int kind, const char *os, int osp, const char *od,
                int odp, const char *rs, int rsp, const char *rd, int rdp) {
  pn_nat *n = &s->nat[s->p.nnat++];
  n->netns = netns;
  n->kind = (uint8_t)kind;
  addr(os, n->osrc);
  addr(od, n->odst);
  addr(rs, n->rsrc);
  addr(rd, n->rdst);
  n->osport = (uint16_t)osp;
  n->odport = (uint16_t)odp;
  n->rsport = (uint16_t)rsp;
  n->rdport = (uint16_t)rdp;
  n->dnat = memcmp(n->rsrc, n->odst, 16) != 0 || rsp != odp;
}

static void run(scene *s) { s->nout = pn_pair_endpoints(&s->p, s->out, s->scratch); }

/* The row holding endpoint i (as src or dst), or fails. */
static const pn_pair *row_of(const scene *s, int i) {
  for (size_t k = 0; k < s->nout; k++)
    if (s->out[k].src == i || s->out[k].dst == i) return &s->out[k];
  fail_msg("endpoint %d is in no row", i);
  return NULL;
}

static void assert_pair(const scene *s, int src, int dst, int via) {
  const pn_pair *r = row_of(s, src >= 0 ? src : dst);
  if (r->src != src || r->dst != dst || r->via != via)
    fail_msg("row %d -> %d via %d, want %d -> %d via %d", r->src, r->dst, r->via, src,
             dst, via);
}

static void test_loopback(void **state) {
  (void)state;
  scene *s = new_scene();
  int l = sock(s, PN_EP_TCP, 1, 10, "127.0.0.1", 80, "0.0.0.0", 0);
  int srv = sock(s, PN_EP_TCP, 1, 12, "127.0.0.1", 80, "127.0.0.1", 5000);
  int cli = sock(s, PN_EP_TCP, 1, 13, "127.0.0.1", 5000, "127.0.0.1", 80);
  /* the same tuple in another namespace: its own pair */
  int srv2 = sock(s, PN_EP_TCP, 2, 20, "127.0.0.1", 80, "127.0.0.1", 5000);
  int cli2 = sock(s, PN_EP_TCP, 2, 21, "127.0.0.1", 5000, "127.0.0.1", 80);
  sock(s, PN_EP_TCP, 2, 22, "0.0.0.0", 80, "0.0.0.0", 0);
  run(s);
  assert_int_equal(s->nout, 2);
  assert_pair(s, cli, srv, PN_VIA_NETNS); /* the client first, though its inode is higher */
  assert_pair(s, cli2, srv2, PN_VIA_NETNS);
  (void)l;
  free(s);
}

static void test_across_namespaces(void **state) {
  (void)state;
  scene *s = new_scene();
  own(s, 1, "10.0.1.2");
  own(s, 2, "10.0.2.2");
  sock(s, PN_EP_TCP, 1, 100, "0.0.0.0", 8080, "0.0.0.0", 0);
  int srv = sock(s, PN_EP_TCP, 1, 101, "10.0.1.2", 8080, "10.0.2.2", 40000);
  int cli = sock(s, PN_EP_TCP, 2, 200, "10.0.2.2", 40000, "10.0.1.2", 8080);
  /* loopback across namespaces: never a pair, whatever the tuples */
  int a = sock(s, PN_EP_TCP, 3, 300, "127.0.0.1", 7000, "127.0.0.1", 7001);
  int b = sock(s, PN_EP_TCP, 4, 400, "127.0.0.1", 7001, "127.0.0.1", 7000);
  /* look-alikes whose addresses their namespaces do not own */
  int c = sock(s, PN_EP_TCP, 5, 500, "10.9.0.1", 6000, "10.9.0.2", 6001);
  int d = sock(s, PN_EP_TCP, 6, 600, "10.9.0.2", 6001, "10.9.0.1", 6000);
  run(s);
  assert_pair(s, cli, srv, PN_VIA_ROUTED);
  assert_pair(s, a, -1, PN_VIA_EXTERNAL);
  assert_pair(s, b, -1, PN_VIA_EXTERNAL);
  assert_pair(s, c, -1, PN_VIA_EXTERNAL);
  assert_pair(s, d, -1, PN_VIA_EXTERNAL);
  assert_int_equal(s->nout, 5);
  free(s);
}

/* The host (netns 9) publishes 10.0.2.1:9090 as the server's 8080. */
static void test_published_port(void **state) {
  (void)state;
  scene *s = new_scene();
  own(s, 1, "10.0.1.2");
  own(s, 2, "10.0.2.2");
  own(s, 9, "10.0.2.1");
  own(s, 9, "192.0.2.10");
  sock(s, PN_EP_TCP, 1, 100, "0.0.0.0", 8080, "0.0.0.0", 0);
  int srv = sock(s, PN_EP_TCP, 1, 101, "10.0.1.2", 8080, "10.0.2.2", 40000);
  int cli = sock(s, PN_EP_TCP, 2, 200, "10.0.2.2", 40000, "10.0.2.1", 9090);
  nat(s, 9, PN_EP_TCP, "10.0.2.2", 40000, "10.0.2.1", 9090, "10.0.1.2", 8080, "10.0.2.2", 40000);
  /* a client off this host, through the same rule */
  int srv2 = sock(s, PN_EP_TCP, 1, 102, "10.0.1.2", 8080, "198.51.100.7", 5555);
  nat(s, 9, PN_EP_TCP, "198.51.100.7", 5555, "192.0.2.10", 9090, "10.0.1.2", 8080,
      "198.51.100.7", 5555);
  run(s);
  assert_pair(s, cli, srv, PN_VIA_NAT);
  const pn_pair *r = row_of(s, cli);
  assert_true(r->nat >= 0 && s->nat[r->nat].dnat);
  assert_pair(s, -1, srv2, PN_VIA_EXTERNAL);
  r = row_of(s, srv2);
  assert_true(r->nat >= 0);
  uint8_t want[16];
  addr("192.0.2.10", want);
  assert_memory_equal(s->nat[r->nat].odst, want, 16);
  assert_int_equal(s->nout, 2);
  free(s);
}

static void test_masquerade(void **state) {
  (void)state;
  scene *s = new_scene();
  own(s, 1, "10.0.1.2");
  own(s, 9, "192.0.2.10");
  int cli = sock(s, PN_EP_TCP, 1, 100, "10.0.1.2", 33000, "203.0.113.5", 443);
  nat(s, 9, PN_EP_TCP, "10.0.1.2", 33000, "203.0.113.5", 443, "203.0.113.5", 443,
      "192.0.2.10", 61000);
  run(s);
  assert_pair(s, cli, -1, PN_VIA_EXTERNAL);
  const pn_pair *r = row_of(s, cli);
  assert_true(r->nat >= 0 && !s->nat[r->nat].dnat);
  free(s);
}

static void test_udp_bound(void **state) {
  (void)state;
  scene *s = new_scene();
  own(s, 1, "10.0.1.2");
  own(s, 2, "10.0.2.2");
  int dns = sock(s, PN_EP_UDP, 1, 100, "0.0.0.0", 53, "0.0.0.0", 0);
  int here = sock(s, PN_EP_UDP, 1, 101, "127.0.0.1", 40000, "127.0.0.1", 53);
  int there = sock(s, PN_EP_UDP, 2, 200, "10.0.2.2", 40001, "10.0.1.2", 53);
  /* to nobody: off this host */
  int away = sock(s, PN_EP_UDP, 2, 201, "10.0.2.2", 40002, "198.51.100.1", 53);
  /* a connected pair beats the bound socket */
  int u1 = sock(s, PN_EP_UDP, 1, 102, "127.0.0.1", 53, "127.0.0.1", 40100);
  int u2 = sock(s, PN_EP_UDP, 1, 103, "127.0.0.1", 40100, "127.0.0.1", 53);
  run(s);
  assert_pair(s, here, dns, PN_VIA_UDP_BOUND);
  assert_pair(s, there, dns, PN_VIA_UDP_BOUND);
  assert_pair(s, away, -1, PN_VIA_EXTERNAL);
  /* u1's port is the server's: u2 is the client */
  assert_pair(s, u2, u1, PN_VIA_NETNS);
  assert_int_equal(s->nout, 4);
  free(s);
}

static void test_v4_mapped(void **state) {
  (void)state;
  scene *s = new_scene();
  sock(s, PN_EP_TCP, 1, 100, "::", 8080, "::", 0);
  int srv = sock(s, PN_EP_TCP, 1, 101, "::ffff:127.0.0.1", 8080, "::ffff:127.0.0.1", 4000);
  int cli = sock(s, PN_EP_TCP, 1, 102, "127.0.0.1", 4000, "127.0.0.1", 8080);
  run(s);
  assert_pair(s, cli, srv, PN_VIA_NETNS);
  free(s);
}

/* Three sockets on one tuple: no pair among them; and sockets that are no
 * end (TIME-WAIT, unconnected) are in no row. */
static void test_not_pairs(void **state) {
  (void)state;
  scene *s = new_scene();
  int a = sock(s, PN_EP_UDP, 1, 100, "127.0.0.1", 5000, "127.0.0.1", 5001);
  int b = sock(s, PN_EP_UDP, 1, 101, "127.0.0.1", 5000, "127.0.0.1", 5001);
  int c = sock(s, PN_EP_UDP, 1, 102, "127.0.0.1", 5001, "127.0.0.1", 5000);
  int t = sock(s, PN_EP_TCP, 1, 0, "127.0.0.1", 6000, "127.0.0.1", 6001);
  s->ep[t].role = PN_EP_OTHER;
  run(s);
  assert_int_equal(s->nout, 3);
  assert_pair(s, a, -1, PN_VIA_EXTERNAL);
  assert_pair(s, b, -1, PN_VIA_EXTERNAL);
  assert_pair(s, c, -1, PN_VIA_EXTERNAL);
  free(s);
}

static void test_empty(void **state) {
  (void)state;
  scene *s = new_scene();
  run(s);
  assert_int_equal(s->nout, 0);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loopback),     cmocka_unit_test(test_across_namespaces),
      cmocka_unit_test(test_published_port), cmocka_unit_test(test_masquerade),
      cmocka_unit_test(test_udp_bound),    cmocka_unit_test(test_v4_mapped),
      cmocka_unit_test(test_not_pairs),    cmocka_unit_test(test_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
