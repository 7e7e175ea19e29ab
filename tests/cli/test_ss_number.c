/*
 * test_ss_number.c: the numbers of `procnet ss -i` (ext/cli/ss_number.c)
 * against C's printf, which ss uses: every value the fast paths take
 * (each number of thousandths below a million, whole numbers of 256ths),
 * the edges where they hand over to printf, and rounding of rates at
 * halves, at 2^53 and at 2^64, over a sweep of values of the form ss
 * computes (cwnd * mss * 8e6 / rtt, bytes per second * 8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ss.h"

/* printf's text of fmt with v, and ours, must be the same. */
static void same_as_printf_d(const char *fmt, double v, const char *got) {
  char want[512];
  snprintf(want, sizeof want, fmt, v);
  if (strcmp(want, got)) fail_msg("%s of %.17g: printf \"%s\", ours \"%s\"", fmt, v, want, got);
}

static void u64_as_llu(void **state) {
  (void)state;
  const unsigned long long v[] = {0, 1, 9, 10, 99, 100, 4294967295ULL, 4294967296ULL,
                                  9999999999999999999ULL, 18446744073709551615ULL};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    char got[SS_U64_LEN], want[32];
    size_t n = ss_fmt_u64(got, v[i]);
    snprintf(want, sizeof want, "%llu", v[i]);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
  }
}

static void milli_as_g(void **state) {
  (void)state;
  char got[64];
  /* every value of the fast path, and past its end */
  for (long long us = 0; us < 1100000; us++) {
    size_t n = ss_fmt_milli(got, sizeof got, us);
    assert_int_equal(n, strlen(got));
    same_as_printf_d("%g", (double)us / 1000.0, got);
  }
  const long long edge[] = {-1, -1000, 4294967295LL, 123456789, 999999999999LL};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
    ss_fmt_milli(got, sizeof got, edge[i]);
    same_as_printf_d("%g", (double)edge[i] / 1000.0, got);
  }
}

static void check_round(double v) {
  char got[512];
  size_t n = ss_fmt_round(got, sizeof got, v);
  assert_int_equal(n, strlen(got));
  same_as_printf_d("%.0f", v, got);
}

static void round_as_f0(void **state) {
  (void)state;
  const double two53 = 9007199254740992.0, two64 = 18446744073709551616.0;
  const double edge[] = {0, -0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 3.5, 1e-300,
                         two53 - 1.5, two53 - 0.5, two53, two53 + 2, two64 - 4096,
                         two64, two64 * 2, 1e300, -1, -0.5, INFINITY, -INFINITY, NAN};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) check_round(edge[i]);
  for (double h = 0.5; h < 1e6; h += 1.0) check_round(h); /* every tie */
  /* send: cwnd * mss * 8e6 / rtt; rates: bytes per second * 8 */
  for (unsigned cwnd = 1; cwnd < 2000; cwnd = cwnd * 3 / 2 + 1)
    for (unsigned mss = 1; mss < 70000; mss = mss * 5 / 3 + 7)
      for (unsigned rtt = 1; rtt < 5000000; rtt = rtt * 7 / 4 + 3)
        check_round((double)cwnd * (double)mss * 8000000.0 / (double)rtt);
  for (unsigned long long b = 1; b < ~0ULL / 3; b = b * 3 + 1) check_round((double)b * 8.0);
}

static void gains_as_g(void **state) {
  (void)state;
  char got[64];
  for (long long v = 0; v < 300000; v++) {
    size_t n = ss_fmt_256ths(got, sizeof got, v);
    assert_int_equal(n, strlen(got));
    same_as_printf_d("%g", (double)v / 256.0, got);
  }
  const long long edge[] = {-256, 256000000, 255999744, 4294967295LL};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
    ss_fmt_256ths(got, sizeof got, edge[i]);
    same_as_printf_d("%g", (double)edge[i] / 256.0, got);
  }
}

/* Too small a buffer is printf's business: cut, terminated. */
static void small_buffers_are_cut(void **state) {
  (void)state;
  char got[4];
  assert_int_equal(ss_fmt_milli(got, sizeof got, 123456), 3);
  assert_string_equal(got, "123");
  assert_int_equal(ss_fmt_round(got, sizeof got, 98765.0), 3);
  assert_string_equal(got, "987");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(u64_as_llu),
      cmocka_unit_test(milli_as_g),
      cmocka_unit_test(round_as_f0),
      cmocka_unit_test(gains_as_g),
      cmocka_unit_test(small_buffers_are_cut),
  };
  return cmocka_run_group_tests_name("ss_number", tests, NULL, NULL);
}
