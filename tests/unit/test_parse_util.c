/*
 * test_parse_util.c: the shared scanners (ext/parse_util.c): lines, numbers
 * with overflow, field splitting, and "prefix:[N]".
 *
 * Every input is copied to a heap block of exactly its length, so a read of
 * buf[len] shows up under valgrind/ASan instead of hitting a literal's NUL.
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
#include "parse_util.h"

#define DUP(lit) dup_exact((lit), sizeof(lit) - 1)

/* ---- pn_next_line -------------------------------------------------------- */

static void test_lines_basic(void **state) {
  char *buf = DUP("a\nbc\n\nd");
  size_t pos = 0;
  pn_str line;
  (void)state;
  assert_int_equal(pn_next_line(buf, 7, &pos, &line), 1);
  assert_ptr_equal(line.p, buf);
  assert_slice(line, "a");
  assert_int_equal(pn_next_line(buf, 7, &pos, &line), 1);
  assert_ptr_equal(line.p, buf + 2);
  assert_slice(line, "bc");
  assert_int_equal(pn_next_line(buf, 7, &pos, &line), 1);
  assert_slice(line, "");
  /* the last line has no '\n' and is still returned */
  assert_int_equal(pn_next_line(buf, 7, &pos, &line), 1);
  assert_ptr_equal(line.p, buf + 6);
  assert_slice(line, "d");
  assert_int_equal(pos, 7);
  assert_int_equal(pn_next_line(buf, 7, &pos, &line), 0);
  assert_int_equal(pn_next_line(buf, 7, &pos, &line), 0);
  free(buf);
}

static void test_lines_trailing_newline_gives_no_empty_line(void **state) {
  char *buf = DUP("x\n");
  size_t pos = 0, count = 0;
  pn_str line;
  (void)state;
  while (pn_next_line(buf, 2, &pos, &line)) count++;
  assert_int_equal(count, 1);
  free(buf);
}

static void test_lines_empty_and_newlines_only(void **state) {
  char *buf = DUP("\n\n");
  size_t pos = 0;
  pn_str line;
  (void)state;
  assert_int_equal(pn_next_line(buf, 0, &pos, &line), 0);
  assert_int_equal(pn_next_line(NULL, 0, &pos, &line), 0);
  assert_int_equal(pn_next_line(buf, 2, &pos, &line), 1);
  assert_slice(line, "");
  assert_int_equal(pn_next_line(buf, 2, &pos, &line), 1);
  assert_slice(line, "");
  assert_int_equal(pn_next_line(buf, 2, &pos, &line), 0);
  free(buf);
}

static void test_lines_keep_nul_bytes(void **state) {
  char *buf = dup_exact("a\0b\nc", 5);
  size_t pos = 0;
  pn_str line;
  (void)state;
  assert_int_equal(pn_next_line(buf, 5, &pos, &line), 1);
  assert_int_equal(line.n, 3);
  assert_int_equal(pn_next_line(buf, 5, &pos, &line), 1);
  assert_slice(line, "c");
  free(buf);
}

/* ---- numbers ------------------------------------------------------------- */

/* Runs a parser on a heap copy of text. */
static int udec(const char *text, uint64_t *v) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_udec(pn_slice(b, strlen(text)), v);
  free(b);
  return rc;
}
static int hex(const char *text, uint64_t *v) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_hex(pn_slice(b, strlen(text)), v);
  free(b);
  return rc;
}
static int oct(const char *text, uint64_t *v) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_oct(pn_slice(b, strlen(text)), v);
  free(b);
  return rc;
}
static int sdec(const char *text, int64_t *v) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_sdec(pn_slice(b, strlen(text)), v);
  free(b);
  return rc;
}

static void test_udec(void **state) {
  uint64_t v = 7;
  (void)state;
  assert_int_equal(udec("0", &v), 0);
  assert_int_equal(v, 0);
  assert_int_equal(udec("000123", &v), 0);
  assert_int_equal(v, 123);
  assert_int_equal(udec("18446744073709551615", &v), 0);
  assert_true(v == UINT64_MAX);
  v = 5;
  assert_int_equal(udec("18446744073709551616", &v), -1);
  assert_int_equal(udec("99999999999999999999", &v), -1);
  assert_int_equal(udec("", &v), -1);
  assert_int_equal(udec("12a", &v), -1);
  assert_int_equal(udec("-1", &v), -1);
  assert_int_equal(udec("+1", &v), -1);
  assert_int_equal(udec(" 1", &v), -1);
  assert_int_equal(udec("1 ", &v), -1);
  assert_int_equal(v, 5); /* untouched on failure */
}

static void test_udec_nul_inside(void **state) {
  char *b = dup_exact("1\0002", 3);
  uint64_t v;
  (void)state;
  assert_int_equal(pn_parse_udec(pn_slice(b, 3), &v), -1);
  free(b);
}

static void test_hex(void **state) {
  uint64_t v;
  (void)state;
  assert_int_equal(hex("0100007F", &v), 0);
  assert_int_equal(v, 0x0100007F);
  assert_int_equal(hex("DEADbeef", &v), 0);
  assert_int_equal(v, 0xdeadbeef);
  assert_int_equal(hex("ffffffffffffffff", &v), 0);
  assert_true(v == UINT64_MAX);
  /* leading zeros do not count towards overflow */
  assert_int_equal(hex("00000000000000000001", &v), 0);
  assert_int_equal(v, 1);
  assert_int_equal(hex("10000000000000000", &v), -1);
  assert_int_equal(hex("0x10", &v), -1);
  assert_int_equal(hex("1G", &v), -1);
  assert_int_equal(hex("", &v), -1);
}

static void test_oct(void **state) {
  uint64_t v;
  (void)state;
  assert_int_equal(oct("02102002", &v), 0);
  assert_int_equal(v, 02102002);
  assert_int_equal(oct("00", &v), 0);
  assert_int_equal(v, 0);
  assert_int_equal(oct("1777777777777777777777", &v), 0);
  assert_true(v == UINT64_MAX);
  assert_int_equal(oct("2000000000000000000000", &v), -1);
  assert_int_equal(oct("8", &v), -1);
  assert_int_equal(oct("09", &v), -1);
}

static void test_sdec(void **state) {
  int64_t v;
  (void)state;
  assert_int_equal(sdec("-51", &v), 0);
  assert_int_equal(v, -51);
  assert_int_equal(sdec("9223372036854775807", &v), 0);
  assert_true(v == INT64_MAX);
  assert_int_equal(sdec("-9223372036854775808", &v), 0);
  assert_true(v == INT64_MIN);
  assert_int_equal(sdec("9223372036854775808", &v), -1);
  assert_int_equal(sdec("-9223372036854775809", &v), -1);
  assert_int_equal(sdec("-", &v), -1);
  assert_int_equal(sdec("--1", &v), -1);
  assert_int_equal(sdec("+1", &v), -1);
  assert_int_equal(sdec("1-", &v), -1);
}

static void test_int_ranges(void **state) {
  char *b = DUP("2147483647 2147483648 -2147483648 -2147483649 7fffffff 80000000");
  pn_str s = pn_slice(b, 63), f;
  size_t pos = 0;
  int v = 0;
  (void)state;
  assert_true(pn_next_field(s, &pos, &f));
  assert_int_equal(pn_parse_udec_int(f, &v), 0);
  assert_int_equal(v, 2147483647);
  assert_true(pn_next_field(s, &pos, &f));
  assert_int_equal(pn_parse_udec_int(f, &v), -1);
  assert_int_equal(pn_parse_sdec_int(f, &v), -1);
  assert_true(pn_next_field(s, &pos, &f));
  assert_int_equal(pn_parse_sdec_int(f, &v), 0);
  assert_int_equal(v, -2147483647 - 1);
  assert_true(pn_next_field(s, &pos, &f));
  assert_int_equal(pn_parse_sdec_int(f, &v), -1);
  assert_true(pn_next_field(s, &pos, &f));
  assert_int_equal(pn_parse_hex_int(f, &v), 0);
  assert_int_equal(v, 0x7fffffff);
  assert_true(pn_next_field(s, &pos, &f));
  assert_int_equal(pn_parse_hex_int(f, &v), -1);
  assert_false(pn_next_field(s, &pos, &f));
  free(b);
}

static void test_hex_fixed(void **state) {
  char *b = DUP("0100007F1F90");
  uint32_t v;
  (void)state;
  assert_int_equal(pn_parse_hex_fixed_u32(pn_slice(b, 8), 8, &v), 0);
  assert_int_equal(v, 0x0100007F);
  assert_int_equal(pn_parse_hex_fixed_u32(pn_slice(b + 8, 4), 4, &v), 0);
  assert_int_equal(v, 8080);
  assert_int_equal(pn_parse_hex_fixed_u32(pn_slice(b, 7), 8, &v), -1);
  assert_int_equal(pn_parse_hex_fixed_u32(pn_slice(b, 9), 8, &v), -1);
  assert_int_equal(pn_parse_hex_fixed_u32(pn_slice(b, 9), 9, &v), -1);
  assert_int_equal(pn_parse_hex_fixed_u32(pn_slice(b, 0), 0, &v), -1);
  free(b);
}

/* ---- slices and fields --------------------------------------------------- */

static void test_fields(void **state) {
  char *b = DUP("  a\tbc  d ");
  pn_str s = pn_slice(b, 10), f;
  size_t pos = 0;
  (void)state;
  assert_true(pn_next_field(s, &pos, &f));
  assert_slice(f, "a");
  assert_true(pn_next_field(s, &pos, &f));
  assert_slice(f, "bc");
  assert_true(pn_next_field(s, &pos, &f));
  assert_slice(f, "d");
  assert_false(pn_next_field(s, &pos, &f));
  assert_false(pn_next_field(s, &pos, &f));
  pos = 0;
  assert_false(pn_next_field(pn_slice(b, 2), &pos, &f));
  free(b);
}

static void test_slice_helpers(void **state) {
  char *b = DUP(" net:[1] ");
  pn_str s = pn_slice(b, 9), before, after;
  (void)state;
  assert_slice(pn_trim_left(s), "net:[1] ");
  assert_slice(pn_trim_right(s), " net:[1]");
  assert_slice(pn_trim_right(pn_trim_left(pn_slice(b, 1))), "");
  assert_true(pn_starts_with(pn_trim_left(s), "net:"));
  assert_false(pn_starts_with(pn_slice(b + 1, 2), "net"));
  assert_true(pn_str_eq(pn_slice(b + 1, 3), "net"));
  assert_false(pn_str_eq(pn_slice(b + 1, 4), "net"));
  assert_int_equal(pn_split_at(s, ':', &before, &after), 0);
  assert_slice(before, " net");
  assert_slice(after, "[1] ");
  assert_int_equal(pn_split_at(s, '/', &before, &after), -1);
  assert_slice(pn_skip(s, 100), "");
  assert_false(pn_has_nul(s));
  free(b);
  b = dup_exact("a\0", 2);
  assert_true(pn_has_nul(pn_slice(b, 2)));
  assert_false(pn_has_nul(pn_slice(b, 1)));
  free(b);
}

/* ---- pn_parse_bracket_inode ---------------------------------------------- */

static int bracket(const char *text, const char *prefix, uint64_t *v) {
  size_t n = strlen(text);
  char *b = dup_exact(text, n);
  int rc = pn_parse_bracket_inode(b, n, prefix, v);
  free(b);
  return rc;
}

static void test_bracket_inode(void **state) {
  uint64_t v = 0;
  (void)state;
  assert_int_equal(bracket("net:[4026531840]", "net", &v), 0);
  assert_true(v == 4026531840u);
  v = 0;
  /* the prefix may be given with its colon */
  assert_int_equal(bracket("net:[4026531840]", "net:", &v), 0);
  assert_true(v == 4026531840u);
  assert_int_equal(bracket("socket:[18446744073709551615]", "socket", &v), 0);
  assert_true(v == UINT64_MAX);
}

static void test_bracket_inode_rejects(void **state) {
  uint64_t v = 42;
  (void)state;
  assert_int_equal(bracket("socket:[18446744073709551616]", "socket", &v), -1);
  assert_int_equal(bracket("net:[4026531840]x", "net", &v), -1);
  assert_int_equal(bracket("net:[]", "net", &v), -1);
  assert_int_equal(bracket("net:[-1]", "net", &v), -1);
  assert_int_equal(bracket("net:[ 1]", "net", &v), -1);
  assert_int_equal(bracket("net:[1", "net", &v), -1);
  assert_int_equal(bracket("net:1]", "net", &v), -1);
  assert_int_equal(bracket("net[1]", "net", &v), -1);
  assert_int_equal(bracket("mnt:[1]", "net", &v), -1);
  assert_int_equal(bracket("netx:[1]", "net", &v), -1);
  assert_int_equal(bracket("ne", "net", &v), -1);
  assert_int_equal(bracket("net:", "net", &v), -1);
  assert_int_equal(bracket("", "net", &v), -1);
  assert_int_equal(pn_parse_bracket_inode(NULL, 0, "net", &v), -1);
  assert_int_equal(pn_parse_bracket_inode("net:[1]", 7, NULL, &v), -1);
  assert_int_equal(v, 42);
}

static void test_bracket_inode_nul(void **state) {
  char *b = dup_exact("net:[12\0]", 9);
  uint64_t v;
  (void)state;
  assert_int_equal(pn_parse_bracket_inode(b, 9, "net", &v), -1);
  free(b);
}

/* Every prefix of a valid text fails except the whole text. */
static void test_bracket_inode_every_prefix(void **state) {
  static const char text[] = "pipe:[8657]";
  size_t n = sizeof text - 1, cut;
  uint64_t v;
  (void)state;
  for (cut = 0; cut <= n; cut++) {
    char *b = dup_exact(text, cut);
    int rc = pn_parse_bracket_inode(b, cut, "pipe", &v);
    assert_int_equal(rc, cut == n ? 0 : -1);
    free(b);
  }
  assert_int_equal(v, 8657);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lines_basic),
    cmocka_unit_test(test_lines_trailing_newline_gives_no_empty_line),
    cmocka_unit_test(test_lines_empty_and_newlines_only),
    cmocka_unit_test(test_lines_keep_nul_bytes),
    cmocka_unit_test(test_udec),
    cmocka_unit_test(test_udec_nul_inside),
    cmocka_unit_test(test_hex),
    cmocka_unit_test(test_oct),
    cmocka_unit_test(test_sdec),
    cmocka_unit_test(test_int_ranges),
    cmocka_unit_test(test_hex_fixed),
    cmocka_unit_test(test_fields),
    cmocka_unit_test(test_slice_helpers),
    cmocka_unit_test(test_bracket_inode),
    cmocka_unit_test(test_bracket_inode_rejects),
    cmocka_unit_test(test_bracket_inode_nul),
    cmocka_unit_test(test_bracket_inode_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
