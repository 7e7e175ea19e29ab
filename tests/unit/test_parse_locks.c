/*
 * test_parse_locks.c: lines of /proc/locks (ext/parse_locks.c).
 *
 * tests/fixtures/captured/locks was taken by capture.py (locks_fixture):
 * a read lease, an OFD lock, a flock, a POSIX read lock on bytes 5 to 14,
 * a POSIX write lock on a whole file and a process waiting behind it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "unit_helpers.h"

/* Line `no` (from 0) of the captured file, parsed into *k, whose class
 * must be lock_class (the slice does not outlive the call). */
static int parse_captured(int no, pn_lock_line *k, const char *lock_class) {
  size_t len, pos = 0;
  pn_str line = {NULL, 0};
  char *all = load_fixture("locks", &len);
  for (int i = 0; i <= no; i++)
    if (!pn_next_line(all, len, &pos, &line)) fail_msg("no line %d in locks", no);
  char *b = dup_exact(line.p, line.n);
  int rc = pn_parse_lock_line(b, line.n, k);
  if (rc == 0) assert_slice(k->lock_class, lock_class);
  k->lock_class.p = NULL;
  free(b);
  free(all);
  return rc;
}

static void test_captured_kinds(void **state) {
  pn_lock_line k;
  (void)state;
  assert_int_equal(parse_captured(0, &k, "LEASE"), 0);
  assert_int_equal(k.type, 'R');
  assert_int_equal(k.pid, 26343);
  assert_int_equal(k.dev_major, 0xfe);
  assert_int_equal(k.dev_minor, 0);
  assert_int_equal(k.inode, 10953053);
  assert_int_equal(k.start, 0);
  assert_int_equal(k.to_eof, 1);
  assert_int_equal(k.waiting, 0);
  assert_int_equal(parse_captured(1, &k, "OFDLCK"), 0); /* owned by no process */
  assert_int_equal(k.pid, -1);
  assert_int_equal(k.type, 'W');
  assert_int_equal(parse_captured(2, &k, "FLOCK"), 0);
  assert_int_equal(k.inode, 10953241);
  assert_int_equal(parse_captured(3, &k, "POSIX"), 0); /* bytes 5 to 14 */
  assert_int_equal(k.type, 'R');
  assert_int_equal(k.start, 5);
  assert_int_equal(k.to_eof, 0);
  assert_int_equal(k.end, 14);
}

/* The waiter is printed under the lock it waits for, with that lock's id. */
static void test_captured_waiter(void **state) {
  pn_lock_line held, waiter;
  (void)state;
  assert_int_equal(parse_captured(4, &held, "POSIX"), 0);
  assert_int_equal(parse_captured(5, &waiter, "POSIX"), 0);
  assert_int_equal(held.waiting, 0);
  assert_int_equal(waiter.waiting, 1);
  assert_int_equal(waiter.pid, 26768);
  assert_int_equal(waiter.inode, held.inode);
  assert_int_equal(waiter.type, 'W');
}

static int parse_n(const char *text, size_t n, pn_lock_line *k) {
  char *b = dup_exact(text, n);
  int rc = pn_parse_lock_line(b, n, k);
  free(b);
  return rc;
}
#define PARSE(lit, k) parse_n((lit), sizeof(lit) - 1, (k))

static void test_synthetic(void **state) {
  pn_lock_line k;
  (void)state;
  /* a lease being broken is UNLCK; tabs separate as well as blanks */
  assert_int_equal(PARSE("12: LEASE  BREAKING  UNLCK 7 08:01:99 0 EOF", &k), 0);
  assert_int_equal(k.type, 'U');
  assert_int_equal(k.dev_major, 8);
  assert_int_equal(k.dev_minor, 1);
  assert_int_equal(PARSE("3:\tPOSIX\tADVISORY\tREAD\t1\tff:ff:1 0 0", &k), 0);
  assert_int_equal(k.dev_major, 255);
  assert_int_equal(k.end, 0);
  assert_int_equal(k.to_eof, 0);
  /* the largest values the fields hold */
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 2147483647 ffffffff:ffffffff:"
                         "18446744073709551615 9223372036854775807 EOF", &k), 0);
  assert_int_equal(k.dev_major, 0xffffffffu);
  assert_true(k.inode == UINT64_MAX);
  assert_true(k.start == INT64_MAX);
}

static void test_rejects(void **state) {
  pn_lock_line k;
  (void)state;
  assert_int_equal(PARSE("", &k), -1);
  assert_int_equal(pn_parse_lock_line(NULL, 0, &k), -1);
  assert_int_equal(PARSE("1 POSIX ADVISORY WRITE 1 fe:00:1 0 EOF", &k), -1);  /* id: */
  assert_int_equal(PARSE("x: POSIX ADVISORY WRITE 1 fe:00:1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00:1 0", &k), -1);     /* END */
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00:1 0 EOF x", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY MAYBE 1 fe:00:1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE x fe:00:1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fg:00:1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 1ffffffff:00:1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00:-1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00:1 -1 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00:1 0 eof", &k), -1);
  assert_int_equal(PARSE("1: -> -> POSIX ADVISORY WRITE 1 fe:00:1 0 EOF", &k), -1);
  assert_int_equal(PARSE("1: POSIX ADVISORY WRITE 1 fe:00:1 0\0 EOF", &k), -1);
}

/* Every cut of the captured file's lines parses or is refused, and a line
 * that parses whole keeps its pid and file. */
static void test_every_prefix(void **state) {
  size_t len, pos = 0;
  pn_str line;
  char *all = load_fixture("locks", &len);
  (void)state;
  while (pn_next_line(all, len, &pos, &line)) {
    pn_lock_line whole, k;
    assert_int_equal(parse_n(line.p, line.n, &whole), 0);
    for (size_t cut = 0; cut <= line.n; cut++) {
      int rc = parse_n(line.p, cut, &k);
      if (rc == 0) assert_int_equal(k.pid, whole.pid);
      if (rc == 0) assert_true(k.dev_major == whole.dev_major);
    }
  }
  free(all);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_captured_kinds), cmocka_unit_test(test_captured_waiter),
      cmocka_unit_test(test_synthetic),      cmocka_unit_test(test_rejects),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
