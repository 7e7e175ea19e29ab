/*
 * fuzz_json.c: pn_json_string and pn_json_array_lookup on the whole input
 * (a runtime's state file), with the paths procnet asks for.
 *
 * A found value has the length returned, fits the buffer (an exact-size
 * heap block, so a write past it is seen), is NUL-terminated there and
 * holds no other NUL; a refused one returns -1. The result does not depend
 * on the room given, as long as the value fits it.
 */
#include "fuzz_common.h"
#include "parse_json.h"

static void check_value(int r, const char *out, size_t cap) {
  FZ_CHECK(r >= -1);
  if (r < 0) return;
  FZ_CHECK((size_t)r < cap);
  FZ_CHECK(out[r] == '\0' && strlen(out) == (size_t)r);
}

static void check_path(const char *buf, size_t size, const char *const *path, int n) {
  char *small = malloc(16), *big = malloc(256);
  if (!small || !big) abort();
  int a = pn_json_string(buf, size, path, n, small, 16);
  int b = pn_json_string(buf, size, path, n, big, 256);
  check_value(a, small, 16);
  check_value(b, big, 256);
  if (a >= 0) FZ_CHECK(b == a && memcmp(small, big, (size_t)a + 1) == 0);
  if (b >= 0 && b < 16) FZ_CHECK(a == b);
  free(small);
  free(big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  static const char *const name[] = {"Name"};
  static const char *const pod[] = {"Config", "Labels", "io.kubernetes.pod.name"};
  static const char *const ann[] = {"annotations", "io.kubernetes.cri.sandbox-name"};
  check_path(buf, size, name, 1);
  check_path(buf, size, pod, 3);
  check_path(buf, size, ann, 2);
  char *out = malloc(64);
  if (!out) abort();
  check_value(pn_json_array_lookup(buf, size, "id", "a", "names", out, 64), out, 64);
  free(out);
  free(buf);
  return 0;
}
