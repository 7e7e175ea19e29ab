/*
 * fuzz_netlink.c: pn_parse_netlink_line on the whole input (one line of
 * /proc/net/netlink).
 *
 * On success: not the header, no NUL; portid is a 32-bit value; protocol
 * and dump are non-negative.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_netlink_sock n;
  if (pn_parse_netlink_line(buf, size, &n) == 0) {
    FZ_CHECK(size > 0 && memchr(buf, '\0', size) == NULL);
    FZ_CHECK(!(size >= 2 && buf[0] == 's' && buf[1] == 'k'));
    FZ_CHECK(n.portid >= 0 && n.portid <= UINT32_MAX);
    FZ_CHECK(n.protocol >= 0 && n.dump >= 0);
  }
  free(buf);
  return 0;
}
