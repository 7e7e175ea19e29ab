/*
 * fuzz_cgroup.c: pn_container_id and pn_parse_container on the whole input
 * (/proc/PID/cgroup).
 *
 * The result is 0 (out is "") or 64: out then holds 64 hex digits and a NUL,
 * and those digits occur in the input. out is a heap block of exactly 65
 * bytes so that ASan sees any overrun. pn_parse_container: refuses only
 * input with a NUL; an id is NUL-terminated inside its buffer, a runtime
 * comes with an id, a 64-hex id is what pn_container_id returns, a pod uid
 * is hex digits and dashes, the unit is a slice of the input ending in
 * ".service" or ".scope".
 */
#include "fuzz_common.h"
#include "parse_cgroup.h"
#include "parse_util.h"

static int ends_with(pn_str s, const char *lit) {
  size_t n = strlen(lit);
  return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

static void check_container(const char *buf, size_t size, const char *id64) {
  pn_container c;
  int rc = pn_parse_container(buf, size, &c);
  FZ_CHECK(rc == (size && memchr(buf, '\0', size) ? -1 : 0));
  if (rc != 0) return;
  size_t n = strnlen(c.id, sizeof c.id);
  FZ_CHECK(n < sizeof c.id);
  FZ_CHECK(!c.runtime || n > 0);
  FZ_CHECK(!c.pod_uid[0] || n > 0);
  if (id64[0]) FZ_CHECK(strcmp(c.id, id64) == 0);
  else FZ_CHECK(!pn_is_container_hex_id(pn_slice(c.id, n)));
  for (const char *u = c.pod_uid; *u; u++)
    FZ_CHECK((*u >= '0' && *u <= '9') || (*u >= 'a' && *u <= 'f') ||
             (*u >= 'A' && *u <= 'F') || *u == '-');
  if (!c.unit.p) return;
  FZ_CHECK(fz_inside(c.unit, buf, size));
  FZ_CHECK(ends_with(c.unit, ".service") || ends_with(c.unit, ".scope"));
}

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
  check_container(buf, size, out);
  /* A NULL buffer names no container. */
  FZ_CHECK(pn_container_id(NULL, size, out) == 0 && out[0] == '\0');
  free(out);
  free(buf);
  return 0;
}
