/*
 * fuzz_stat.c: pn_parse_stat on the whole input (/proc/PID/stat), and
 * pn_parse_btime on it as /proc/stat.
 *
 * pn_parse_stat on success: comm is a slice of the input that starts right
 * after the first '(' and ends right before the LAST ')'; pid is
 * non-negative and the state is one ASCII letter.
 *
 * pn_parse_btime on success: the value is in [0, INT64_MAX] and is, without
 * leading zeros, the decimal text of the second and last field of the
 * first line whose first field is "btime". On failure the output is left
 * alone.
 */
#include "fuzz_common.h"

#include <stdio.h>

static int is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* The second field of the first line whose first field is "btime" (the
 * harness's own scan), or an empty slice. */
static pn_str btime_field(const char *buf, size_t size) {
  pn_str none = {NULL, 0};
  size_t i = 0;
  while (i < size) {
    size_t end = i, a, b;
    while (end < size && buf[end] != '\n') end++;
    for (a = i; a < end && is_blank(buf[a]); a++) {}
    for (b = a; b < end && !is_blank(buf[b]); b++) {}
    if (b - a == 5 && memcmp(buf + a, "btime", 5) == 0) {
      for (a = b; a < end && is_blank(buf[a]); a++) {}
      for (b = a; b < end && !is_blank(buf[b]); b++) {}
      pn_str f = {buf + a, b - a};
      return f;
    }
    i = end + 1;
  }
  return none;
}

static void check_btime(const char *buf, size_t size) {
  int64_t v = -7;
  char text[32];
  if (pn_parse_btime(buf, size, &v) != 0) {
    FZ_CHECK(v == -7);
    return;
  }
  FZ_CHECK(v >= 0);
  pn_str f = btime_field(buf, size);
  FZ_CHECK(f.n > 0 && fz_inside(f, buf, size));
  while (f.n > 1 && f.p[0] == '0') f.p++, f.n--;
  int n = snprintf(text, sizeof text, "%lld", (long long)v);
  FZ_CHECK(n > 0 && (size_t)n == f.n && memcmp(text, f.p, f.n) == 0);
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
  check_btime(buf, size);
  free(buf);
  return 0;
}
