/*
 * fuzz_lines.c: pn_next_line over the whole input.
 *
 * Invariants: every line is a slice of the input that starts where the
 * previous one ended (after its '\n'), holds no '\n', and the lines plus
 * their separators add up to the whole input; *pos only moves forward and
 * never passes len; an empty buffer yields no line.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  size_t pos = 0, covered = 0, lines = 0;
  pn_str line;
  unsigned h = 0;
  while (pn_next_line(buf, size, &pos, &line)) {
    FZ_CHECK(fz_inside(line, buf, size));
    FZ_CHECK(line.p == buf + covered);
    FZ_CHECK(line.n == 0 || memchr(line.p, '\n', line.n) == NULL);
    FZ_CHECK(pos > covered && pos <= size);
    /* Either the line ends the buffer, or exactly one '\n' follows it. */
    if (covered + line.n == size) {
      FZ_CHECK(pos == size);
    } else {
      FZ_CHECK(buf[covered + line.n] == '\n');
      FZ_CHECK(pos == covered + line.n + 1);
    }
    covered = pos;
    h ^= fz_touch(line);
    FZ_CHECK(++lines <= size);
  }
  FZ_CHECK(covered == size);
  FZ_CHECK(size > 0 || lines == 0);
  /* At the end it keeps saying so. */
  FZ_CHECK(pn_next_line(buf, size, &pos, &line) == 0);
  /* A NULL buffer is no line, whatever the length claims. */
  pos = 0;
  FZ_CHECK(pn_next_line(NULL, size, &pos, &line) == 0);
  fz_sink(h);
  free(buf);
  return 0;
}
