/*
 * test_parse_maps.c: lines of /proc/PID/maps (ext/parse_maps.c).
 *
 * tests/fixtures/captured/maps is python3's own maps while it mapped
 * "/tmp/procnet capture/mapped with spaces.bin" (shared, 8 KiB) and the
 * second page of "mapped-deleted.bin", which it then unlinked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "unit_helpers.h"

/* Parses every line of the capture (each must parse) and returns the line
 * that starts at `start`, copied out with its path into path_out. */
static pn_map find_map(uint64_t start, char *path_out, size_t cap) {
  size_t len, pos = 0, hits = 0, lines = 0;
  char *buf = load_fixture("maps", &len);
  pn_str line;
  pn_map found, m;
  memset(&found, 0, sizeof found);
  while (pn_next_line(buf, len, &pos, &line)) {
    char *b = dup_exact(line.p, line.n);
    assert_int_equal(pn_parse_maps_line(b, line.n, &m), 0);
    assert_true(m.start < m.end);
    assert_int_equal(strlen(m.perms), 4);
    if (m.start == start) {
      found = m;
      assert_true(m.path.n < cap);
      memcpy(path_out, m.path.p, m.path.n);
      path_out[m.path.n] = '\0';
      found.path.p = path_out;
      hits++;
    }
    lines++;
    free(b);
  }
  free(buf);
  assert_int_equal(lines, 62);
  assert_int_equal(hits, 1);
  return found;
}

static void test_captured_heap_and_anonymous(void **state) {
  char path[256];
  pn_map m = find_map(0x1a658000, path, sizeof path);
  (void)state;
  assert_int_equal(m.end, 0x1a843000);
  assert_string_equal(m.perms, "rw-p");
  assert_int_equal(m.offset, 0);
  assert_int_equal(m.dev_major, 0);
  assert_int_equal(m.dev_minor, 0);
  assert_int_equal(m.inode, 0);
  assert_slice(m.path, "[heap]");
  /* "00a85000-00aca000 rw-p 00000000 00:00 0 ": no name */
  m = find_map(0x00a85000, path, sizeof path);
  assert_int_equal(m.end, 0xaca000);
  assert_int_equal(m.path.n, 0);
  assert_non_null(m.path.p);
}

static void test_captured_files(void **state) {
  char path[256];
  pn_map m = find_map(0x7ff85ecfe000, path, sizeof path);
  (void)state;
  assert_int_equal(m.end, 0x7ff85ecff000);
  assert_string_equal(m.perms, "rw-p");
  assert_int_equal(m.offset, 0x1000);
  assert_int_equal(m.dev_major, 0xfe);
  assert_int_equal(m.dev_minor, 0);
  assert_int_equal(m.inode, 10952964);
  assert_slice(m.path, "/tmp/procnet capture/mapped-deleted.bin (deleted)");
  m = find_map(0x7ff85ee3e000, path, sizeof path);
  assert_string_equal(m.perms, "rw-s");
  assert_int_equal(m.inode, 10952963);
  assert_slice(m.path, "/tmp/procnet capture/mapped with spaces.bin");
  m = find_map(0x0041f000, path, sizeof path);
  assert_string_equal(m.perms, "r-xp");
  assert_int_equal(m.offset, 0x1f000);
  assert_slice(m.path, "/usr/bin/python3.11");
  m = find_map(0xffffffffff600000u, path, sizeof path);
  assert_true(m.end == 0xffffffffff601000u);
  assert_string_equal(m.perms, "--xp");
  assert_slice(m.path, "[vsyscall]");
}

/* Cuts fail until the inode has a digit, then keep every column. */
static void test_captured_line_every_prefix(void **state) {
  static const char line[] =
      "7ff85ee3e000-7ff85ee40000 rw-s 00000000 fe:00 10952963"
      "                   /tmp/procnet capture/mapped with spaces.bin";
  size_t n = sizeof line - 1, inode_at = 46, cut;
  (void)state;
  assert_int_equal(line[inode_at], '1');
  assert_int_equal(line[inode_at - 1], ' ');
  for (cut = 0; cut <= n; cut++) {
    char *b = dup_exact(line, cut);
    pn_map m;
    int rc = pn_parse_maps_line(b, cut, &m);
    assert_int_equal(rc, cut <= inode_at ? -1 : 0);
    if (rc == 0) {
      assert_true(m.start == 0x7ff85ee3e000u);
      assert_int_equal(m.dev_major, 0xfe);
    }
    if (cut >= inode_at + 8) assert_int_equal(m.inode, 10952963);
    if (cut == n)
      assert_slice(m.path, "/tmp/procnet capture/mapped with spaces.bin");
    free(b);
  }
}

/* ---- synthetic ----------------------------------------------------------- */

static int parse_text(const char *text, pn_map *m, char **keep) {
  *keep = dup_exact(text, strlen(text));
  return pn_parse_maps_line(*keep, strlen(text), m);
}

static void test_synthetic_paths(void **state) {
  pn_map m;
  char *b;
  (void)state;
  /* blanks inside and at the end of a name belong to it */
  assert_int_equal(parse_text("1000-2000 r--p 0 103:5 7 /a  b ", &m, &b), 0);
  assert_slice(m.path, "/a  b ");
  assert_int_equal(m.dev_major, 0x103);
  assert_int_equal(m.dev_minor, 5);
  free(b);
  assert_int_equal(parse_text("1000-2000 r--p 0 0:0 0 [anon:my name]", &m, &b),
                   0);
  assert_slice(m.path, "[anon:my name]");
  free(b);
  assert_int_equal(parse_text("0-ffffffffffffffff ---s ffffffffffffffff "
                              "fff:fffff 18446744073709551615",
                              &m, &b), 0);
  assert_true(m.end == UINT64_MAX);
  assert_true(m.offset == UINT64_MAX);
  assert_int_equal(m.dev_major, 0xfff);
  assert_int_equal(m.dev_minor, 0xfffff);
  assert_true(m.inode == UINT64_MAX);
  assert_int_equal(m.path.n, 0);
  free(b);
}

static void test_long_path(void **state) {
  static const char head[] = "400000-401000 r-xp 00000000 fe:00 42      ";
  size_t hn = sizeof head - 1, n = hn + 10000, k;
  char *b = malloc(n);
  pn_map m;
  (void)state;
  assert_non_null(b);
  memcpy(b, head, hn);
  b[hn] = '/';
  for (k = 1; k < 10000; k++) b[hn + k] = (char)(k % 7 ? 'm' : ' ');
  assert_int_equal(pn_parse_maps_line(b, n, &m), 0);
  assert_int_equal(m.inode, 42);
  assert_ptr_equal(m.path.p, b + hn);
  assert_int_equal(m.path.n, 10000);
  free(b);
}

static void test_rejects(void **state) {
  static const char *const bad[] = {
    "",
    "1000 r--p 0 0:0 0",                       /* no '-' */
    "1000-2000r--p 0 0:0 0",
    "1000-20g0 r--p 0 0:0 0",                  /* bad hex */
    "-2000 r--p 0 0:0 0",
    "1000- r--p 0 0:0 0",
    "10000000000000000-2 r--p 0 0:0 0",        /* start overflow */
    "1000-2000 r--q 0 0:0 0",                  /* perms */
    "1000-2000 r-- 0 0:0 0",
    "1000-2000 rwxps 0 0:0 0",
    "1000-2000 w--p 0 0:0 0",
    "1000-2000 r--p x 0:0 0",
    "1000-2000 r--p 0 fe 0",                   /* dev without ':' */
    "1000-2000 r--p 0 fe:00:1 0",
    "1000-2000 r--p 0 100000000:0 0",          /* major > unsigned */
    "1000-2000 r--p 0 0:0",                    /* no inode */
    "1000-2000 r--p 0 0:0 -1",
    "1000-2000 r--p 0 0:0 18446744073709551616 /x",
    "1000-2000 r--p 0 0:0 0/x",
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pn_map m;
    char *b;
    if (parse_text(bad[k], &m, &b) != -1) fail_msg("accepted: %s", bad[k]);
    free(b);
  }
}

static void test_nul_bytes(void **state) {
  static const char text[] = "1000-2000 r--p 0 0:0 0 /a\0b";
  char *b = dup_exact(text, sizeof text - 1);
  pn_map m;
  (void)state;
  assert_int_equal(pn_parse_maps_line(b, sizeof text - 1, &m), -1);
  assert_int_equal(pn_parse_maps_line(b, sizeof text - 3, &m), 0);
  assert_slice(m.path, "/a");
  assert_int_equal(pn_parse_maps_line(NULL, 0, &m), -1);
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_captured_heap_and_anonymous),
    cmocka_unit_test(test_captured_files),
    cmocka_unit_test(test_captured_line_every_prefix),
    cmocka_unit_test(test_synthetic_paths),
    cmocka_unit_test(test_long_path),
    cmocka_unit_test(test_rejects),
    cmocka_unit_test(test_nul_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
