/*
 * fuzz_packet.c: pn_parse_packet_line on the whole input (one line of
 * /proc/net/packet).
 *
 * On success: the input is not the header (does not start with "sk") and
 * holds no NUL; protocol is a 16-bit ethertype, uid a 32-bit id, type and
 * running non-negative.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_packet_sock p;
  if (pn_parse_packet_line(buf, size, &p) == 0) {
    FZ_CHECK(size > 0 && memchr(buf, '\0', size) == NULL);
    FZ_CHECK(!(size >= 2 && buf[0] == 's' && buf[1] == 'k'));
    FZ_CHECK(p.protocol <= 0xFFFF);
    FZ_CHECK(p.uid >= 0 && p.uid <= UINT32_MAX);
    FZ_CHECK(p.type >= 0 && p.running >= 0);
  }
  free(buf);
  return 0;
}
