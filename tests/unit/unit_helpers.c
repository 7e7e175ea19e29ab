/*
 * unit_helpers.c: what the parser unit tests share: exact-size copies (so
 * ASan and valgrind catch a read of buf[len]), the captured fixtures, and
 * slice comparison.
 */
#include "unit_helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *dup_exact(const char *s, size_t n) {
  char *p = malloc(n ? n : 1);
  assert_non_null(p);
  if (n) memcpy(p, s, n);
  return p;
}

/* Reads tests/fixtures/captured/NAME, located from this source file. */
char *load_fixture(const char *name, size_t *len) {
  char path[1024];
  const char *slash = strrchr(__FILE__, '/');
  int dir_len = slash ? (int)(slash - __FILE__) : 1;
  FILE *f;
  char *buf;
  long size;
  snprintf(path, sizeof path, "%.*s/../fixtures/captured/%s", dir_len,
           slash ? __FILE__ : ".", name);
  f = fopen(path, "rb");
  if (f == NULL) fail_msg("missing fixture %s", path);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  buf = malloc((size_t)size);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  *len = (size_t)size;
  return buf;
}

void assert_slice(pn_str s, const char *want) {
  assert_int_equal(s.n, strlen(want));
  if (s.n) assert_memory_equal(s.p, want, s.n);
}
