/*
 * test_parse_status.c: Uid:/Gid: of /proc/PID/status (ext/parse_status.c).
 *
 * status_setresuid was captured from a child that called setresgid(2000,
 * 2001, 2002) and setresuid(1000, 1001, 1002): it shows the column order
 * real, effective, saved, filesystem (fs follows effective).
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

static int parse_n(const char *text, size_t n, pn_status *st) {
  char *b = dup_exact(text, n);
  int rc = pn_parse_status(b, n, st);
  free(b);
  return rc;
}
#define PARSE(lit, st) parse_n((lit), sizeof(lit) - 1, (st))

static void assert_ids(const int64_t got[4], int64_t a, int64_t b, int64_t c,
                       int64_t d) {
  assert_int_equal(got[0], a);
  assert_int_equal(got[1], b);
  assert_int_equal(got[2], c);
  assert_int_equal(got[3], d);
}

static void test_captured_root(void **state) {
  size_t len;
  char *buf = load_fixture("status_self", &len);
  pn_status st;
  (void)state;
  memset(&st, 0x55, sizeof st);
  assert_int_equal(pn_parse_status(buf, len, &st), 0);
  assert_int_equal(st.have_uid, 1);
  assert_ids(st.uid, 0, 0, 0, 0);
  assert_int_equal(st.have_gid, 1);
  assert_ids(st.gid, 0, 0, 0, 0);
  free(buf);
}

static void test_captured_distinct_ids(void **state) {
  size_t len;
  char *buf = load_fixture("status_setresuid", &len);
  pn_status st;
  (void)state;
  assert_int_equal(pn_parse_status(buf, len, &st), 0);
  assert_int_equal(st.have_uid, 1);
  assert_ids(st.uid, 1000, 1001, 1002, 1001);
  assert_int_equal(st.have_gid, 1);
  assert_ids(st.gid, 2000, 2001, 2002, 2001);
  free(buf);
}

/* Any cut parses or fails cleanly; when Uid: is there, only its last id can
 * have been shortened. */
static void test_captured_every_prefix(void **state) {
  size_t len, cut;
  char *buf = load_fixture("status_setresuid", &len);
  (void)state;
  for (cut = 0; cut <= len; cut++) {
    pn_status st;
    int rc = parse_n(buf, cut, &st);
    if (cut == 0) assert_int_equal(rc, -1);
    if (rc == 0 && st.have_uid) {
      assert_int_equal(st.uid[0], 1000);
      assert_int_equal(st.uid[1], 1001);
      assert_int_equal(st.uid[2], 1002);
    }
    if (rc == 0 && st.have_gid) assert_int_equal(st.gid[2], 2002);
  }
  free(buf);
}

static void test_spaces_and_no_final_newline(void **state) {
  pn_status st;
  (void)state;
  assert_int_equal(PARSE("Name:\tx\nUid: 1 2  3\t4 \nGid:\t5\t6\t7\t4294967295",
                         &st), 0);
  assert_ids(st.uid, 1, 2, 3, 4);
  assert_ids(st.gid, 5, 6, 7, 4294967295);
}

static void test_missing_lines_keep_flags_off(void **state) {
  pn_status st;
  (void)state;
  assert_int_equal(PARSE("Name:\tx\nUid:\t1\t2\t3\t4\n", &st), 0);
  assert_int_equal(st.have_uid, 1);
  assert_int_equal(st.have_gid, 0);
  assert_int_equal(PARSE("Name:\tx\nState:\tS\n", &st), 0);
  assert_int_equal(st.have_uid, 0);
  assert_int_equal(st.have_gid, 0);
  /* a key must start the line and match exactly */
  assert_int_equal(PARSE(" Uid:\t1\t2\t3\t4\nUidx:\t1\t2\t3\t4\n", &st), 0);
  assert_int_equal(st.have_uid, 0);
}

static void test_rejects(void **state) {
  pn_status st;
  (void)state;
  assert_int_equal(PARSE("", &st), -1);
  assert_int_equal(pn_parse_status(NULL, 0, &st), -1);
  assert_int_equal(PARSE("Uid:\t1\t2\t3\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t1\t2\t3\t4\t5\n", &st), -1);
  assert_int_equal(PARSE("Uid:\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t1\t2\t3\t4294967296\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t-1\t2\t3\t4\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t1\t2\t3\t4x\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t99999999999999999999\t2\t3\t4\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t1\t2\t3\t4\nGid:\t1\t2\n", &st), -1);
  assert_int_equal(PARSE("Uid:1\r2\t3\t4\n", &st), -1);
}

static void test_nul_bytes(void **state) {
  pn_status st;
  (void)state;
  assert_int_equal(PARSE("Uid:\t1\t2\t3\t4\0\n", &st), -1);
  assert_int_equal(PARSE("Uid:\t1\t2\0\t3\t4\n", &st), -1);
  /* a NUL in a line we do not read does not matter */
  assert_int_equal(PARSE("Name:\ta\0b\nUid:\t1\t2\t3\t4\n", &st), 0);
  assert_ids(st.uid, 1, 2, 3, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_captured_root),
    cmocka_unit_test(test_captured_distinct_ids),
    cmocka_unit_test(test_captured_every_prefix),
    cmocka_unit_test(test_spaces_and_no_final_newline),
    cmocka_unit_test(test_missing_lines_keep_flags_off),
    cmocka_unit_test(test_rejects),
    cmocka_unit_test(test_nul_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
