/*
 * fuzz_conntrack.c: pn_parse_conntrack_line on the whole input (one line
 * of /proc/net/nf_conntrack).
 *
 * On success: no NUL in the input; family 4 or 6, an IPv4 entry leaving
 * bytes 4..15 of its four addresses zero; the protocol fits a byte; a TCP
 * state has a name and other protocols have none; the timeout is -1 or
 * not negative; only known flags; the NAT tests agree with comparing the
 * tuples by hand.
 */
#include "fuzz_common.h"
#include "parse_conntrack.h"

static const uint8_t zero[16];

static void check_family(const pn_ct_entry *e) {
  FZ_CHECK(e->family == 4 || e->family == 6);
  if (e->family != 4) return;
  FZ_CHECK(memcmp(e->orig.src + 4, zero, 12) == 0);
  FZ_CHECK(memcmp(e->orig.dst + 4, zero, 12) == 0);
  FZ_CHECK(memcmp(e->reply.src + 4, zero, 12) == 0);
  FZ_CHECK(memcmp(e->reply.dst + 4, zero, 12) == 0);
}

static void check_entry(const pn_ct_entry *e) {
  check_family(e);
  FZ_CHECK(e->proto >= 0 && e->proto <= 255);
  if (e->proto == 6) FZ_CHECK(e->state == -1 || pn_ct_tcp_state_name(e->state));
  else FZ_CHECK(e->state == -1);
  FZ_CHECK(e->timeout >= -1);
  FZ_CHECK((e->flags & ~(unsigned)(PN_CT_ASSURED | PN_CT_UNREPLIED | PN_CT_OFFLOAD)) == 0);
  int dnat = memcmp(e->reply.src, e->orig.dst, 16) != 0 || e->reply.sport != e->orig.dport;
  int snat = memcmp(e->reply.dst, e->orig.src, 16) != 0 || e->reply.dport != e->orig.sport;
  FZ_CHECK(pn_ct_is_dnat(e) == dnat);
  FZ_CHECK(pn_ct_is_snat(e) == snat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_ct_entry e;
  if (pn_parse_conntrack_line(buf, size, &e) == 0) {
    FZ_CHECK(memchr(buf, '\0', size) == NULL);
    check_entry(&e);
  }
  free(buf);
  return 0;
}
