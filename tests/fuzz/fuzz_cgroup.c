/*
 * fuzz_cgroup.c: pn_container_id on the whole input (/proc/PID/cgroup).
 *
 * The result is 0 (out is "") or 64: out then holds 64 hex digits and a NUL,
 * and those digits occur in the input. out is a heap block of exactly 65
 * bytes so that ASan sees any overrun.
 */
#include "fuzz_common.h"

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  char *out = malloc(65);
  if (!out) abort();
  size_t n = pn_container_id(buf, size, out);
  FZ_CHECK(n == 0 || n == 64);
  if (n == 0) {
    FZ_CHECK(out[0] == '\0');
  } else {
    int found = 0;
    FZ_CHECK(out[64] == '\0');
    for (int k = 0; k < 64; k++) FZ_CHECK(is_hex(out[k]));
    for (size_t i = 0; !found && i + 64 <= size; i++)
      found = memcmp(buf + i, out, 64) == 0;
    FZ_CHECK(found);
  }
  /* A NULL buffer names no container. */
  FZ_CHECK(pn_container_id(NULL, size, out) == 0 && out[0] == '\0');
  free(out);
  free(buf);
  return 0;
}
