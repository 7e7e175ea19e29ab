/*
 * fuzz_unix.c: pn_next_unix over the whole input (/proc/net/unix).
 *
 * Invariants: every call that returns a record moves *pos forward and never
 * past len, so the loop ends within len + 1 calls; a bound record's path is a
 * slice of the input without NUL bytes that starts after the record's first
 * line began and ends at or before *pos; an unbound record has an empty path;
 * type and state fit their kernel widths (%04X, %02X). At the end the output
 * is zeroed and further calls keep returning 0.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  size_t pos = 0, prev = 0, calls = 0;
  pn_unix_sock u;
  unsigned h = 0;
  while (pn_next_unix(buf, size, &pos, &u)) {
    FZ_CHECK(pos > prev && pos <= size);
    FZ_CHECK(++calls <= size);
    FZ_CHECK(u.has_path == 0 || u.has_path == 1);
    FZ_CHECK(u.type >= 0 && u.type <= 0xFFFF);
    FZ_CHECK(u.state >= 0 && u.state <= 0xFF);
    if (u.has_path) {
      FZ_CHECK(fz_inside(u.path, buf, size));
      /* Within what this call consumed: after the previous record, and
       * not past the next one. */
      FZ_CHECK(u.path.p >= buf + prev);
      FZ_CHECK(u.path.p + u.path.n <= buf + pos);
      FZ_CHECK(u.path.n == 0 || memchr(u.path.p, '\0', u.path.n) == NULL);
      h ^= fz_touch(u.path);
    } else {
      FZ_CHECK(u.path.n == 0);
    }
    prev = pos;
  }
  FZ_CHECK(pos == size || size == 0);
  FZ_CHECK(u.has_path == 0 && u.path.n == 0 && u.inode == 0);
  FZ_CHECK(pn_next_unix(buf, size, &pos, &u) == 0);
  fz_sink(h);
  free(buf);
  return 0;
}
