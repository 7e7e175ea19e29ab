/*
 * test_parse_mountinfo.c: lines of /proc/PID/mountinfo and their escapes
 * (ext/parse_mountinfo.c), as procnet reads them to find the namespaces
 * ip netns bind-mounts under /run/netns.
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

static pn_str pn_slice_of(const char *s) {
  pn_str r = {s, strlen(s)};
  return r;
}

/* Parses an exact-size copy of the line. */
static int parse(const char *line, pn_mountinfo *m, char **copy) {
  *copy = dup_exact(line, strlen(line));
  return pn_parse_mountinfo_line(*copy, strlen(line), m);
}

static void nsfs_mount_of_ip_netns(void **state) {
  (void)state;
  pn_mountinfo m;
  char *b;
  assert_int_equal(parse("45 44 0:4 net:[4026532173] /run/netns/blue rw shared:2 - nsfs nsfs rw",
                         &m, &b), 0);
  assert_int_equal(m.id, 45);
  assert_int_equal(m.parent, 44);
  assert_slice(m.root, "net:[4026532173]");
  assert_slice(m.mount_point, "/run/netns/blue");
  assert_slice(m.fstype, "nsfs");
  assert_slice(m.source, "nsfs");
  uint64_t ino;
  assert_int_equal(pn_parse_bracket_inode(m.root.p, m.root.n, "net", &ino), 0);
  assert_int_equal(ino, 4026532173ULL);
  free(b);
}

static void optional_fields_vary(void **state) {
  (void)state;
  pn_mountinfo m;
  char *b;
  /* none, then several, before the separator */
  assert_int_equal(parse("21 26 0:20 / /proc rw,relatime - proc proc rw", &m, &b), 0);
  assert_slice(m.fstype, "proc");
  free(b);
  assert_int_equal(parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 propagate_from:2"
                         " - ext3 /dev/root rw,errors=continue", &m, &b), 0);
  assert_slice(m.root, "/mnt1");
  assert_slice(m.fstype, "ext3");
  assert_slice(m.source, "/dev/root");
  free(b);
}

static void malformed_lines_fail(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "45 44 0:4 net:[1] /run/netns/x rw shared:2 nsfs nsfs rw", /* no "-" */
      "45 44 0:4 net:[1] /run/netns/x rw -",                     /* no type */
      "45 44 0:4 net:[1] /run/netns/x rw - nsfs",                /* no source */
      "x 44 0:4 / /a rw - t s o",
      "45 -1 0:4 / /a rw - t s o",
      "45 44 0:4 / /a",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    pn_mountinfo m;
    char *b;
    if (parse(bad[i], &m, &b) != -1) fail_msg("parsed: %s", bad[i]);
    free(b);
  }
}

static void escapes_are_undone(void **state) {
  (void)state;
  char out[64];
  const char *in = "/run/netns/a\\040b\\011c\\012d\\134e";
  size_t n = pn_unescape_mount(pn_slice_of(in), out, sizeof out);
  assert_int_equal(n, 20);
  assert_memory_equal(out, "/run/netns/a b\tc\nd\\e", n);
  /* not an escape: kept as it is */
  n = pn_unescape_mount(pn_slice_of("a\\9z\\04"), out, sizeof out);
  assert_int_equal(n, 7);
  assert_memory_equal(out, "a\\9z\\04", n);
  /* \\400 is no byte */
  n = pn_unescape_mount(pn_slice_of("\\400"), out, sizeof out);
  assert_memory_equal(out, "\\400", n);
  /* the length of the whole, even when out is short */
  assert_int_equal(pn_unescape_mount(pn_slice_of("abc\\040def"), out, 2), 7);
  assert_memory_equal(out, "ab", 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nsfs_mount_of_ip_netns),
      cmocka_unit_test(optional_fields_vary),
      cmocka_unit_test(malformed_lines_fail),
      cmocka_unit_test(escapes_are_undone),
  };
  return cmocka_run_group_tests_name("parse_mountinfo", tests, NULL, NULL);
}
