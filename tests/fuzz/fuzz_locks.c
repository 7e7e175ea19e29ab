/*
 * fuzz_locks.c: pn_parse_lock_line on the whole input (one line of
 * /proc/locks).
 *
 * On success: the type is R, W or U; the class is a non-empty slice of the
 * input without blanks; a range that does not run to EOF ends where the
 * input says, and a waiter's line holds "->".
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_lock_line k;
  if (pn_parse_lock_line(buf, size, &k) == 0) {
    FZ_CHECK(size > 0);
    FZ_CHECK(k.type == 'R' || k.type == 'W' || k.type == 'U');
    FZ_CHECK(k.waiting == 0 || k.waiting == 1);
    FZ_CHECK(k.to_eof == 0 || k.to_eof == 1);
    FZ_CHECK(!k.to_eof || k.end == 0);
    FZ_CHECK(fz_inside(k.lock_class, buf, size) && k.lock_class.n > 0);
    FZ_CHECK(fz_no_blank(k.lock_class));
    FZ_CHECK(!k.waiting || memmem(buf, size, "->", 2) != NULL);
    FZ_CHECK(!k.to_eof || memmem(buf, size, "EOF", 3) != NULL);
    fz_sink(fz_touch(k.lock_class));
  }
  free(buf);
  return 0;
}
