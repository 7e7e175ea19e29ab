/*
 * fuzz_inet.c: pn_parse_inet_line on the whole input, as a tcp line
 * (has_drops_field 0) and as a udp/raw/icmp line (1), then pn_format_addr and
 * pn_tcp_state_name on what it returns.
 *
 * On success: family is 4 or 6 and an IPv4 address leaves bytes 4..15 zero;
 * has_drops matches the mode; uid is 32-bit. pn_format_addr writes a
 * NUL-terminated text of the length it returns (into a heap block of exactly
 * 46 bytes, so ASan sees any overrun) that inet_pton reads back to the same
 * address.
 */
#include "fuzz_common.h"

#include <arpa/inet.h>
#include <sys/socket.h>

static const uint8_t ZERO[16];

static void check_addr(int family, const uint8_t addr[16]) {
  char *out = malloc(46);
  uint8_t back[16];
  if (!out) abort();
  size_t n = pn_format_addr(family, addr, out);
  FZ_CHECK(n > 0 && n < 46 && strlen(out) == n);
  if (family == 4) {
    FZ_CHECK(n <= 15);
    FZ_CHECK(inet_pton(AF_INET, out, back) == 1);
    FZ_CHECK(memcmp(back, addr, 4) == 0);
  } else {
    FZ_CHECK(inet_pton(AF_INET6, out, back) == 1);
    FZ_CHECK(memcmp(back, addr, 16) == 0);
  }
  free(out);
}

static void check_mode(const char *buf, size_t size, int has_drops) {
  pn_inet_sock s;
  if (pn_parse_inet_line(buf, size, has_drops, &s) != 0) return;
  FZ_CHECK(size > 0 && memchr(buf, '\0', size) == NULL);
  FZ_CHECK(s.family == 4 || s.family == 6);
  FZ_CHECK(s.has_drops == has_drops);
  FZ_CHECK(s.has_refcnt == 0 || s.has_refcnt == 1);
  FZ_CHECK(s.uid >= 0 && s.uid <= UINT32_MAX);
  FZ_CHECK(s.state >= 0 && s.timer >= 0);
  if (s.family == 4) {
    FZ_CHECK(memcmp(s.local_addr + 4, ZERO, 12) == 0);
    FZ_CHECK(memcmp(s.remote_addr + 4, ZERO, 12) == 0);
  }
  check_addr(s.family, s.local_addr);
  check_addr(s.family, s.remote_addr);
  const char *name = pn_tcp_state_name(s.state);
  FZ_CHECK(name == NULL || (s.state >= 1 && s.state <= 12 && strlen(name) > 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  check_mode(buf, size, 0);
  check_mode(buf, size, 1);
  /* Any 16 bytes format and read back; a family that is neither 4 nor 6
   * gives "". The input (when it has 16 bytes) is the address. */
  if (size >= 16) {
    char *out = malloc(46);
    if (!out) abort();
    int family = (unsigned char)buf[0] % 8;
    size_t n = pn_format_addr(family, (const uint8_t *)buf, out);
    if (family != 4 && family != 6) FZ_CHECK(n == 0 && out[0] == '\0');
    else check_addr(family, (const uint8_t *)buf);
    free(out);
  }
  free(buf);
  return 0;
}
