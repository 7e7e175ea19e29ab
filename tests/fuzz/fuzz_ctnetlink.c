/*
 * fuzz_ctnetlink.c: pn_parse_ctnetlink on every data message of the input
 * walked as a datagram (fz_walk_datagram), whatever its type, and on the
 * whole input as one payload.
 *
 * On success: the payload holds at least the nfgenmsg header of an
 * AF_INET or AF_INET6 message; family 4 or 6 with IPv4 leaving bytes
 * 4..15 of every address zero; the protocol fits a byte, a state only for
 * TCP and within the names; the timeout is -1 or fits 32 bits; only known
 * flags. A copy at an odd address parses the same.
 */
#include "fuzz_diag_common.h"
#include "parse_conntrack.h"

static const uint8_t zero[16];

static void check_entry(const uint8_t *p, size_t n, const pn_ct_entry *e) {
  FZ_CHECK(n >= 4 && (p[0] == 2 || p[0] == 10));
  FZ_CHECK(e->family == (p[0] == 2 ? 4 : 6));
  if (e->family == 4) {
    FZ_CHECK(memcmp(e->orig.src + 4, zero, 12) == 0);
    FZ_CHECK(memcmp(e->orig.dst + 4, zero, 12) == 0);
    FZ_CHECK(memcmp(e->reply.src + 4, zero, 12) == 0);
    FZ_CHECK(memcmp(e->reply.dst + 4, zero, 12) == 0);
  }
  FZ_CHECK(e->proto >= 0 && e->proto <= 255);
  if (e->proto == 6) FZ_CHECK(e->state >= -1 && e->state <= 255);
  else FZ_CHECK(e->state == -1);
  FZ_CHECK(e->timeout >= -1 && e->timeout <= (int64_t)UINT32_MAX);
  FZ_CHECK((e->flags & ~(unsigned)(PN_CT_ASSURED | PN_CT_UNREPLIED | PN_CT_OFFLOAD)) == 0);
}

static void check_payload(const uint8_t *p, size_t n) {
  pn_ct_entry e, again;
  int rc = pn_parse_ctnetlink(p, n, &e);
  if (rc == 0) check_entry(p, n, &e);
  /* the same bytes one past an aligned address */
  uint8_t *odd = malloc(n + 1);
  if (!odd) abort();
  if (n) memcpy(odd + 1, p, n);
  FZ_CHECK(pn_parse_ctnetlink(odd + 1, n, &again) == rc);
  if (rc == 0) FZ_CHECK(memcmp(&e, &again, sizeof e) == 0);
  free(odd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  free(fz_check_input(data, size, check_payload));
  return 0;
}
