/*
 * fuzz_rtnl.c: pn_parse_ifinfo and pn_parse_ifaddr on every data message
 * of the input walked as a datagram (fz_walk_datagram), whatever its type,
 * and on the whole input as one payload.
 *
 * The independent attribute walk agrees on success or failure (for an
 * address, unless its index does not fit an int: then -1). On success: a
 * link name is a slice of the payload without NUL (NULL and empty when
 * absent); an address's family is 4, 6 or -1, it has an address only for
 * 4 or 6, an IPv4 address leaves bytes 4..15 zero, the index is not
 * negative and prefix length and scope fit a byte.
 */
#include "fuzz_diag_common.h"

#include <linux/rtnetlink.h>

static void ignore_attr(const pn_nlattr *a, void *ctx) {
  (void)a;
  (void)ctx;
}

static void check_link(const uint8_t *p, size_t n) {
  pn_ifinfo l;
  int rc = pn_parse_ifinfo(p, n, &l);
  FZ_CHECK(rc == fz_walk_attrs(p, n, sizeof(struct ifinfomsg), ignore_attr,
                               NULL));
  if (rc != 0) return;
  FZ_CHECK(fz_inside(l.name, (const char *)p, n));
  if (l.name.p == NULL) {
    FZ_CHECK(l.name.n == 0);
    return;
  }
  FZ_CHECK(l.name.n == 0 || memchr(l.name.p, 0, l.name.n) == NULL);
  fz_sink(fz_touch(l.name));
}

static void check_addr(const uint8_t *p, size_t n) {
  pn_ifaddr a;
  static const uint8_t zero[16];
  int rc = pn_parse_ifaddr(p, n, &a);
  int walk = fz_walk_attrs(p, n, sizeof(struct ifaddrmsg), ignore_attr, NULL);
  uint32_t index = 0;
  if (n >= sizeof(struct ifaddrmsg))
    memcpy(&index, p + offsetof(struct ifaddrmsg, ifa_index), sizeof index);
  /* an index no int holds is malformed too */
  FZ_CHECK(rc == (index > INT32_MAX ? -1 : walk));
  if (rc != 0) return;
  FZ_CHECK(a.family == 4 || a.family == 6 || a.family == -1);
  FZ_CHECK(a.has_addr == 0 || a.has_addr == 1);
  FZ_CHECK(!a.has_addr || a.family != -1);
  FZ_CHECK(a.has_addr || memcmp(a.addr, zero, 16) == 0);
  if (a.family == 4) FZ_CHECK(memcmp(a.addr + 4, zero, 12) == 0);
  FZ_CHECK(a.index >= 0);
  FZ_CHECK(a.prefixlen >= 0 && a.prefixlen <= 255);
  FZ_CHECK(a.scope >= 0 && a.scope <= 255);
}

static void check_payload(const uint8_t *p, size_t n) {
  check_link(p, n);
  check_addr(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  free(fz_check_input(data, size, check_payload));
  return 0;
}
