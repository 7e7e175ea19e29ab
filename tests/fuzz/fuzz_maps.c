/*
 * fuzz_maps.c: pn_parse_maps_line on the whole input (one line of
 * /proc/PID/maps).
 *
 * On success: perms is four valid letters and a NUL; the path is a slice of
 * the input that runs to its very end and does not start with a blank.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_map m;
  if (pn_parse_maps_line(buf, size, &m) == 0) {
    static const char allowed[4][3] = {"r-", "w-", "x-", "ps"};
    FZ_CHECK(size > 0 && memchr(buf, '\0', size) == NULL);
    FZ_CHECK(m.perms[4] == '\0');
    for (int k = 0; k < 4; k++)
      FZ_CHECK(m.perms[k] == allowed[k][0] || m.perms[k] == allowed[k][1]);
    FZ_CHECK(m.path.p != NULL);
    FZ_CHECK(fz_inside(m.path, buf, size));
    FZ_CHECK(m.path.p + m.path.n == buf + size);
    FZ_CHECK(m.path.n == 0 || (m.path.p[0] != ' ' && m.path.p[0] != '\t'));
    fz_sink(fz_touch(m.path));
  }
  free(buf);
  return 0;
}
