/*
 * fuzz_stat.c: pn_parse_stat on the whole input (/proc/PID/stat).
 *
 * On success: comm is a slice of the input that starts right after the
 * first '(' and ends right before the LAST ')'; pid is non-negative and the
 * state is one ASCII letter.
 */
#include "fuzz_common.h"

static int is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_stat st;
  if (pn_parse_stat(buf, size, &st) == 0) {
    const char *open = memchr(buf, '(', size);
    FZ_CHECK(size > 0 && open != NULL);
    FZ_CHECK(fz_inside(st.comm, buf, size));
    FZ_CHECK(st.comm.p == open + 1);
    /* The ')' after comm is the last one in the buffer. */
    size_t close_at = (size_t)(st.comm.p - buf) + st.comm.n;
    FZ_CHECK(close_at < size && buf[close_at] == ')');
    FZ_CHECK(memchr(buf + close_at + 1, ')', size - close_at - 1) == NULL);
    FZ_CHECK(memchr(buf, '\0', size) == NULL);
    FZ_CHECK(st.pid >= 0);
    FZ_CHECK(is_letter(st.state));
    fz_sink(fz_touch(st.comm));
  }
  free(buf);
  return 0;
}
