/*
 * test_parse_conntrack.c: conntrack entries from nf_conntrack text and
 * ctnetlink messages (ext/parse_conntrack.c).
 *
 * tests/fixtures/conntrack/ holds a router namespace's table captured both
 * ways at the same moment (capture.py, NOTES) and flows.txt, the flows as
 * the capturing program's sockets saw them: every flow must be found in
 * both, with its reply tuple and NAT as the sockets say, and the two
 * sources must agree entry by entry. Then hostile and cut input.
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

#include "parse_conntrack.h"
#include "parse_diag.h"
#include "unit_helpers.h"

#define MAX_ENTRIES 32

typedef struct table {
  pn_ct_entry v[MAX_ENTRIES];
  int n;
} table;

static void load_text(table *t) {
  size_t len, pos = 0;
  char *buf = load_fixture("../conntrack/nf_conntrack", &len);
  pn_str line;
  t->n = 0;
  while (pn_next_line(buf, len, &pos, &line)) {
    assert_true(t->n < MAX_ENTRIES);
    char *copy = dup_exact(line.p, line.n);
    if (pn_parse_conntrack_line(copy, line.n, &t->v[t->n]) != 0)
      fail_msg("line does not parse: %.*s", (int)line.n, line.p);
    t->n++;
    free(copy);
  }
  free(buf);
}

static void load_netlink(table *t) {
  size_t len, pos = 0;
  char *buf = load_fixture("../conntrack/ctnetlink.bin", &len);
  pn_nlmsg m;
  int code = 0, done = 0;
  pn_nl_step step;
  t->n = 0;
  while ((step = pn_nl_next(buf, len, &pos, &m, &code)) == PN_NL_MSG) {
    assert_true(t->n < MAX_ENTRIES);
    char *copy = dup_exact((const char *)m.payload.p, m.payload.n);
    assert_int_equal(pn_parse_ctnetlink(copy, m.payload.n, &t->v[t->n]), 0);
    t->n++;
    free(copy);
  }
  done = step == PN_NL_DONE;
  assert_true(done);
  assert_int_equal(code, 0);
  free(buf);
}

/* ---- flows.txt ----------------------------------------------------------------- */

typedef struct flow {
  char label[32], proto[8];
  int family, dnat, snat, replied;
  pn_ct_tuple orig, reply;
} flow;

static void read_end(char *text, int family, uint8_t addr[16], uint16_t *port) {
  char *comma = strchr(text, ',');
  assert_non_null(comma);
  *comma = '\0';
  memset(addr, 0, 16);
  assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, text, addr), 1);
  *port = (uint16_t)atoi(comma + 1);
}

/* "SRC,SPORT,DST,DPORT" */
static void read_tuple(char *text, int family, pn_ct_tuple *t) {
  char *mid = strchr(text, ',');
  assert_non_null(mid);
  mid = strchr(mid + 1, ',');
  assert_non_null(mid);
  *mid = '\0';
  read_end(text, family, t->src, &t->sport);
  read_end(mid + 1, family, t->dst, &t->dport);
}

static int read_flows(flow *f, int cap) {
  size_t len, pos = 0;
  char *buf = load_fixture("../conntrack/flows.txt", &len);
  pn_str line;
  int n = 0;
  while (pn_next_line(buf, len, &pos, &line)) {
    char text[512], orig[128], reply[128];
    if (line.n == 0 || line.p[0] == '#') continue;
    assert_true(n < cap && line.n < sizeof text);
    memcpy(text, line.p, line.n);
    text[line.n] = '\0';
    flow *w = &f[n++];
    assert_int_equal(sscanf(text, "%31s proto=%7s family=%d orig=%127s reply=%127s"
                                  " dnat=%d snat=%d replied=%d",
                            w->label, w->proto, &w->family, orig, reply, &w->dnat,
                            &w->snat, &w->replied),
                     8);
    read_tuple(orig, w->family, &w->orig);
    read_tuple(reply, w->family, &w->reply);
  }
  free(buf);
  assert_true(n >= 6);
  return n;
}

static int same_tuple(const pn_ct_tuple *a, const pn_ct_tuple *b) {
  return memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0 &&
         a->sport == b->sport && a->dport == b->dport;
}

static const pn_ct_entry *find_orig(const table *t, const pn_ct_tuple *orig) {
  for (int i = 0; i < t->n; i++)
    if (same_tuple(&t->v[i].orig, orig)) return &t->v[i];
  return NULL;
}

/* Each flow is in the table with the reply tuple and NAT its sockets saw. */
static void check_flows(const table *t) {
  flow f[16];
  int n = read_flows(f, 16);
  for (int i = 0; i < n; i++) {
    const pn_ct_entry *e = find_orig(t, &f[i].orig);
    if (!e) fail_msg("flow %s is missing", f[i].label);
    assert_true(same_tuple(&e->reply, &f[i].reply));
    assert_int_equal(e->family, f[i].family);
    assert_int_equal(e->proto, strcmp(f[i].proto, "tcp") == 0 ? 6 : 17);
    assert_int_equal(pn_ct_is_dnat(e), f[i].dnat);
    assert_int_equal(pn_ct_is_snat(e), f[i].snat);
    assert_int_equal(!(e->flags & PN_CT_UNREPLIED), f[i].replied);
    if (e->proto == 6) {
      assert_string_equal(pn_ct_tcp_state_name(e->state), "ESTABLISHED");
      assert_true(e->flags & PN_CT_ASSURED);
    } else {
      assert_int_equal(e->state, -1);
    }
    assert_true(e->timeout > 0);
    assert_true(e->has_mark && e->mark == 0);
  }
}

static void test_text_flows(void **state) {
  (void)state;
  table t;
  load_text(&t);
  check_flows(&t);
  for (int i = 0; i < t.n; i++) assert_true(t.v[i].has_zone && t.v[i].zone == 0);
}

static void test_netlink_flows(void **state) {
  (void)state;
  table t;
  load_netlink(&t);
  check_flows(&t);
}

/* The same entries both ways, field by field (timeouts: the dump came a
 * moment after the text). */
static void test_sources_agree(void **state) {
  (void)state;
  table a, b;
  load_text(&a);
  load_netlink(&b);
  assert_int_equal(a.n, b.n);
  for (int i = 0; i < a.n; i++) {
    const pn_ct_entry *x = &a.v[i], *y = find_orig(&b, &a.v[i].orig);
    assert_non_null(y);
    assert_true(same_tuple(&x->reply, &y->reply));
    assert_int_equal(x->family, y->family);
    assert_int_equal(x->proto, y->proto);
    assert_int_equal(x->state, y->state);
    assert_int_equal(x->flags, y->flags);
    assert_int_equal(x->mark, y->mark);
    assert_int_equal(x->has_zone, y->has_zone);
    assert_int_equal(x->zone, y->zone);
    assert_true(x->timeout - y->timeout <= 5 && y->timeout - x->timeout <= 5);
  }
}

/* ---- hostile text ----------------------------------------------------------------- */

#define LINE4                                                                  \
  "ipv4     2 tcp      6 431997 ESTABLISHED src=10.88.2.2 dst=10.88.2.1 "      \
  "sport=47930 dport=9090 src=10.88.1.2 dst=10.88.2.2 sport=8080 "             \
  "dport=47930 [ASSURED] mark=7 zone=3 use=2"

static int parse_text(const char *s, pn_ct_entry *e) {
  size_t n = strlen(s);
  char *copy = dup_exact(s, n);
  int rc = pn_parse_conntrack_line(copy, n, e);
  free(copy);
  return rc;
}

static void test_text_fields(void **state) {
  (void)state;
  pn_ct_entry e;
  assert_int_equal(parse_text(LINE4, &e), 0);
  assert_int_equal(e.family, 4);
  assert_int_equal(e.proto, 6);
  assert_int_equal(e.timeout, 431997);
  assert_int_equal(e.state, 3);
  assert_int_equal(e.orig.sport, 47930);
  assert_int_equal(e.reply.dport, 47930);
  assert_int_equal(e.mark, 7);
  assert_int_equal(e.zone, 3);
  assert_int_equal(e.flags, PN_CT_ASSURED);
  assert_true(pn_ct_is_dnat(&e));
  assert_false(pn_ct_is_snat(&e));
  /* offloaded: no timeout, straight to the state */
  assert_int_equal(parse_text("ipv4 2 tcp 6 ESTABLISHED src=1.2.3.4 dst=5.6.7.8 "
                              "sport=1 dport=2 src=5.6.7.8 dst=1.2.3.4 sport=2 "
                              "dport=1 [HW_OFFLOAD] use=1", &e), 0);
  assert_int_equal(e.timeout, -1);
  assert_int_equal(e.state, 3);
  assert_int_equal(e.flags, PN_CT_OFFLOAD);
  assert_false(e.has_mark);
  /* icmp: no ports, no state */
  assert_int_equal(parse_text("ipv4 2 icmp 1 29 src=1.2.3.4 dst=5.6.7.8 type=8 "
                              "code=0 id=9 src=5.6.7.8 dst=1.2.3.4 type=0 code=0 "
                              "id=9 mark=0 use=1", &e), 0);
  assert_int_equal(e.proto, 1);
  assert_int_equal(e.state, -1);
  assert_int_equal(e.orig.sport + e.orig.dport, 0);
  assert_false(pn_ct_is_dnat(&e) || pn_ct_is_snat(&e));
  /* an unknown state word of another protocol is no TCP state */
  assert_int_equal(parse_text("ipv4 2 sctp 132 5 ESTABLISHED src=1.2.3.4 "
                              "dst=5.6.7.8 sport=1 dport=2 src=5.6.7.8 "
                              "dst=1.2.3.4 sport=2 dport=1 use=1", &e), 0);
  assert_int_equal(e.state, -1);
  assert_null(pn_ct_tcp_state_name(10));
  assert_null(pn_ct_tcp_state_name(-1));
  assert_string_equal(pn_ct_tcp_state_name(9), "SYN_SENT2");
}

static void test_text_malformed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "ipv4 2 tcp 6",
      "ipv5 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4",
      "ipv4 10 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4",
      "ipv4 2 tcp 256 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8",
      "ipv4 2 tcp 6 1 dst=5.6.7.8 src=1.2.3.4 src=5.6.7.8 dst=1.2.3.4",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4 src=1.1.1.1",
      "ipv4 2 tcp 6 1 src=1.2.3.999 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4",
      "ipv4 2 tcp 6 1 src=::1 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4",
      "ipv6 10 tcp 6 1 src=1.2.3.4 dst=::1 src=::1 dst=::1",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 sport=65536 dport=1 src=5.6.7.8 "
      "dst=1.2.3.4 sport=1 dport=1",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 sport=1 src=5.6.7.8 dst=1.2.3.4 "
      "sport=1",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2 src=5.6.7.8 "
      "dst=1.2.3.4",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4 mark=x",
      "ipv4 2 tcp 6 1 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4 zone=65536",
      "ipv4 2 tcp 6 1 src= dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4",
  };
  pn_ct_entry e;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (parse_text(bad[i], &e) != -1) fail_msg("accepted: %s", bad[i]);
  char nul[] = LINE4;
  nul[30] = '\0';
  char *copy = dup_exact(nul, sizeof nul - 1);
  assert_int_equal(pn_parse_conntrack_line(copy, sizeof nul - 1, &e), -1);
  free(copy);
  assert_int_equal(pn_parse_conntrack_line(NULL, 0, &e), -1);
}

/* Every cut of a line: it parses only once the reply's last port is in,
 * and then with that port's digits so far. */
static void test_text_every_prefix(void **state) {
  (void)state;
  static const char line[] =
      "ipv4     2 tcp      6 431997 ESTABLISHED src=10.88.2.2 dst=10.88.2.1 "
      "sport=47930 dport=9090 src=10.88.1.2 dst=10.88.2.2 sport=8080 "
      "dport=47930 [ASSURED] use=2";
  size_t whole = strstr(line, " [ASSURED]") - line;
  for (size_t cut = 0; cut <= sizeof line - 1; cut++) {
    pn_ct_entry e;
    char *copy = dup_exact(line, cut);
    int rc = pn_parse_conntrack_line(copy, cut, &e);
    free(copy);
    if (cut < whole - 4) assert_int_equal(rc, -1);
    if (cut >= whole) assert_int_equal(rc, 0);
    if (cut >= whole) assert_int_equal(e.reply.dport, 47930);
  }
}

/* ---- hostile netlink ------------------------------------------------------------- */

static void test_netlink_cuts(void **state) {
  (void)state;
  size_t len, pos = 0;
  char *buf = load_fixture("../conntrack/ctnetlink.bin", &len);
  pn_nlmsg m;
  int code;
  assert_int_equal(pn_nl_next(buf, len, &pos, &m, &code), PN_NL_MSG);
  pn_ct_entry whole, e;
  assert_int_equal(pn_parse_ctnetlink(m.payload.p, m.payload.n, &whole), 0);
  /* a payload cut anywhere never reads past the cut; the entry needs both
   * tuples, which come first */
  for (size_t cut = 0; cut < m.payload.n; cut++) {
    char *copy = dup_exact((const char *)m.payload.p, cut);
    int rc = pn_parse_ctnetlink(copy, cut, &e);
    free(copy);
    if (cut < 4) assert_int_equal(rc, -1);
    if (rc == 0) assert_true(same_tuple(&e.reply, &whole.reply));
  }
  /* another family */
  char *copy = dup_exact((const char *)m.payload.p, m.payload.n);
  copy[0] = 7;
  assert_int_equal(pn_parse_ctnetlink(copy, m.payload.n, &e), -1);
  free(copy);
  assert_int_equal(pn_parse_ctnetlink(NULL, 0, &e), -1);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_flows),
      cmocka_unit_test(test_netlink_flows),
      cmocka_unit_test(test_sources_agree),
      cmocka_unit_test(test_text_fields),
      cmocka_unit_test(test_text_malformed),
      cmocka_unit_test(test_text_every_prefix),
      cmocka_unit_test(test_netlink_cuts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
