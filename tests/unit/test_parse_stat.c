/*
 * test_parse_stat.c: /proc/PID/stat (ext/parse_stat.c) and the boot time
 * of /proc/stat (ext/parse_procstat.c).
 *
 * Captured files (tests/fixtures/captured/stat_*) come from this kernel:
 * python3 renamed itself to "a) (b" and "x)", a zombie, a SCHED_FIFO child
 * (negative priority), pid 1 (nice -10) and kthreadd.
 * Inputs are heap copies of exactly their length so that valgrind/ASan see a
 * read past the end.
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

/* Parses text (a C string) from an exact-size heap copy. */
static int parse_text(const char *text, pn_stat *st, char **keep) {
  *keep = dup_exact(text, strlen(text));
  return pn_parse_stat(*keep, strlen(text), st);
}

/* ---- captured ------------------------------------------------------------ */

static void test_captured_self(void **state) {
  size_t len;
  char *buf = load_fixture("stat_self", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_int_equal(st.pid, 3761);
  assert_slice(st.comm, "python3");
  assert_int_equal(st.state, 'R');
  assert_int_equal(st.ppid, 3715);
  assert_int_equal(st.pgrp, 3715);
  assert_int_equal(st.session, 2203);
  assert_int_equal(st.tty_nr, 0);
  assert_int_equal(st.utime, 6);
  assert_int_equal(st.stime, 2);
  assert_int_equal(st.priority, 20);
  assert_int_equal(st.nice, 0);
  assert_int_equal(st.num_threads, 1);
  assert_int_equal(st.starttime, 47987);
  assert_int_equal(st.vsize, 17108992);
  assert_int_equal(st.rss, 3134);
  free(buf);
}

static void test_captured_comm_with_parens_and_space(void **state) {
  size_t len;
  char *buf = load_fixture("stat_paren", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_int_equal(st.pid, 3761);
  assert_slice(st.comm, "a) (b");
  assert_int_equal(st.state, 'R');
  assert_int_equal(st.ppid, 3715);
  assert_int_equal(st.rss, 3134);
  free(buf);
}

static void test_captured_comm_ending_in_paren(void **state) {
  size_t len;
  char *buf = load_fixture("stat_close_paren", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_slice(st.comm, "x)");
  assert_int_equal(st.state, 'R');
  assert_int_equal(st.ppid, 3715);
  assert_int_equal(st.vsize, 17108992);
  free(buf);
}

static void test_captured_zombie(void **state) {
  size_t len;
  char *buf = load_fixture("stat_zombie", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_int_equal(st.pid, 3767);
  assert_slice(st.comm, "x)");
  assert_int_equal(st.state, 'Z');
  assert_int_equal(st.ppid, 3761);
  assert_int_equal(st.starttime, 48059);
  assert_int_equal(st.vsize, 0);
  assert_int_equal(st.rss, 0);
  free(buf);
}

static void test_captured_realtime_negative_priority(void **state) {
  size_t len;
  char *buf = load_fixture("stat_rt", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_int_equal(st.pid, 3768);
  assert_int_equal(st.state, 'S');
  assert_int_equal(st.pgrp, 3715);
  assert_int_equal(st.priority, -51);
  assert_int_equal(st.nice, 0);
  assert_int_equal(st.starttime, 48080);
  assert_int_equal(st.rss, 2468);
  free(buf);
}

static void test_captured_pid1_negative_nice(void **state) {
  size_t len;
  char *buf = load_fixture("stat_pid1", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_int_equal(st.pid, 1);
  assert_slice(st.comm, "process_api");
  assert_int_equal(st.ppid, 0);
  assert_int_equal(st.utime, 89);
  assert_int_equal(st.stime, 212);
  assert_int_equal(st.priority, 10);
  assert_int_equal(st.nice, -10);
  assert_int_equal(st.num_threads, 13);
  assert_int_equal(st.starttime, 20);
  assert_int_equal(st.vsize, 39055360);
  assert_int_equal(st.rss, 2377);
  free(buf);
}

static void test_captured_kernel_thread(void **state) {
  size_t len;
  char *buf = load_fixture("stat_kthreadd", &len);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(buf, len, &st), 0);
  assert_int_equal(st.pid, 2);
  assert_slice(st.comm, "kthreadd");
  assert_int_equal(st.state, 'S');
  assert_int_equal(st.vsize, 0);
  assert_int_equal(st.rss, 0);
  free(buf);
}

/* A cut anywhere before the rss field leaves rss missing. */
static void test_captured_every_prefix(void **state) {
  size_t len, cut, rss_at;
  char *buf = load_fixture("stat_paren", &len);
  const char *rss = memmem(buf, len, " 17108992 3134 ", 15);
  (void)state;
  assert_non_null(rss);
  rss_at = (size_t)(rss - buf) + strlen(" 17108992 ");
  for (cut = 0; cut <= len; cut++) {
    char *b = dup_exact(buf, cut);
    pn_stat st;
    int rc = pn_parse_stat(b, cut, &st);
    if (cut <= rss_at) assert_int_equal(rc, -1);
    else assert_int_equal(rc, 0);
    free(b);
  }
  free(buf);
}

/* ---- hostile ------------------------------------------------------------- */

#define TAIL " 3632 3632 2203 0 -1 4194560 1 2 3 4 11 12 13 14 20 0 1 0 777 4096 9"

static void test_comm_that_looks_like_fields(void **state) {
  char *b;
  pn_stat st;
  (void)state;
  assert_int_equal(parse_text("5 (evil) S 9 9 9) R" TAIL "\n", &st, &b), 0);
  assert_slice(st.comm, "evil) S 9 9 9");
  assert_int_equal(st.state, 'R');
  assert_int_equal(st.ppid, 3632);
  assert_int_equal(st.utime, 11);
  assert_int_equal(st.stime, 12);
  assert_int_equal(st.starttime, 777);
  assert_int_equal(st.vsize, 4096);
  assert_int_equal(st.rss, 9);
  free(b);
}

static void test_comm_with_newline_and_empty_comm(void **state) {
  char *b;
  pn_stat st;
  (void)state;
  assert_int_equal(parse_text("6 (a\nb) S" TAIL "\n", &st, &b), 0);
  assert_slice(st.comm, "a\nb");
  assert_int_equal(st.pid, 6);
  free(b);
  assert_int_equal(parse_text("7 () S" TAIL, &st, &b), 0);
  assert_slice(st.comm, "");
  assert_int_equal(st.rss, 9);
  free(b);
  assert_int_equal(parse_text("8 ((() S" TAIL, &st, &b), 0);
  assert_slice(st.comm, "((");
  free(b);
}

static void test_extremes(void **state) {
  char *b;
  pn_stat st;
  (void)state;
  assert_int_equal(
      parse_text("9223372036854775807 (x) S -9223372036854775808 0 0 0 -1 0 0 "
                 "0 0 0 18446744073709551615 0 0 0 -100 19 1 0 "
                 "18446744073709551615 18446744073709551615 -1",
                 &st, &b),
      0);
  assert_true(st.pid == INT64_MAX);
  assert_true(st.ppid == INT64_MIN);
  assert_true(st.utime == UINT64_MAX);
  assert_int_equal(st.priority, -100);
  assert_int_equal(st.nice, 19);
  assert_true(st.starttime == UINT64_MAX);
  assert_true(st.vsize == UINT64_MAX);
  assert_int_equal(st.rss, -1);
  free(b);
}

static void test_rejects(void **state) {
  static const char *const bad[] = {
    "",
    "\n",
    "1 (x S" TAIL,                       /* no ')' */
    "1 x) S" TAIL,                       /* no '(' */
    "1 )x( S" TAIL,                      /* ')' only before '(' */
    "(x) S" TAIL,                        /* no pid */
    "x (x) S" TAIL,                      /* pid not a number */
    "-1 (x) S" TAIL,                     /* negative pid */
    "1(x) S" TAIL,                       /* no space before '(' */
    "9223372036854775808 (x) S" TAIL,    /* pid overflow */
    "1 (x)S" TAIL,                       /* no space after ')' */
    "1 (x) " TAIL,                       /* state missing: "3632" */
    "1 (x) RS" TAIL,                     /* state of two letters */
    "1 (x) 5" TAIL,                      /* state not a letter */
    "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", /* no rss */
    "1 (x) S 1 2 3 4 5 6 7 8 9 10 18446744073709551616 12 13 14 15 16 17 18 "
    "19 20 21",                          /* utime overflow */
    "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 1x",
    "1 (x) S 1 2 3 4 5 6 -7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
    "1 (x) S 0x1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    char *b;
    pn_stat st;
    if (parse_text(bad[k], &st, &b) != -1) fail_msg("accepted: %s", bad[k]);
    free(b);
  }
}

static void test_nul_bytes(void **state) {
  static const char text[] = "1 (a\0b) S" TAIL;
  char *b = dup_exact(text, sizeof text - 1);
  pn_stat st;
  (void)state;
  assert_int_equal(pn_parse_stat(b, sizeof text - 1, &st), -1);
  assert_int_equal(pn_parse_stat(NULL, 0, &st), -1);
  free(b);
}

/* ---- /proc/stat: btime ------------------------------------------------ */

/* pn_parse_btime on an exact-size heap copy of text; *out starts at -7 so
 * that an untouched output shows. */
static int btime_of(const char *text, int64_t *out) {
  char *b = dup_exact(text, strlen(text));
  int rc;
  *out = -7;
  rc = pn_parse_btime(b, strlen(text), out);
  free(b);
  return rc;
}

static void test_btime_fixture(void **state) {
  size_t len;
  char *buf = load_fixture("../proc/stat", &len);
  int64_t v = 0;
  (void)state;
  assert_int_equal(pn_parse_btime(buf, len, &v), 0);
  assert_int_equal(v, 1700000000);
  free(buf);
}

/* The running kernel's file: cpu lines, intr with thousands of fields. */
static void test_btime_live(void **state) {
  FILE *f = fopen("/proc/stat", "rb");
  static char buf[1 << 20];
  size_t len;
  int64_t v = 0;
  (void)state;
  assert_non_null(f);
  len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  assert_true(len > 0 && len < sizeof buf);
  assert_int_equal(pn_parse_btime(buf, len, &v), 0);
  assert_true(v > 1000000000); /* after 2001 */
}

static void test_btime_values(void **state) {
  int64_t v;
  (void)state;
  assert_int_equal(btime_of("cpu 1 2 3\nbtime 1700000000\nprocesses 9\n", &v),
                   0);
  assert_int_equal(v, 1700000000);
  assert_int_equal(btime_of("btime 42", &v), 0); /* no newline, first line */
  assert_int_equal(v, 42);
  assert_int_equal(btime_of("btime 0\n", &v), 0);
  assert_int_equal(v, 0);
  assert_int_equal(btime_of("btime 9223372036854775807\n", &v), 0);
  assert_true(v == INT64_MAX);
  assert_int_equal(btime_of("btime 5\nbtime 6\n", &v), 0); /* the first */
  assert_int_equal(v, 5);
}

/* Out of range, negative, damaged or missing: no boot time at all. */
static void test_btime_rejects(void **state) {
  static const char *const bad[] = {
    "btime 99999999999999999999\n",   /* above UINT64_MAX */
    "btime 18446744073709551615\n",   /* UINT64_MAX */
    "btime 9223372036854775808\n",    /* INT64_MAX + 1 */
    "btime -1\n",
    "btime -1700000000\n",
    "btime\n",
    "btime \n",
    "btime 17x\n",
    "btime 0x10\n",
    "btime 1 2\n",
    "cpu 1 2 3\nprocesses 9\n",      /* no btime line */
    "btimex 5\n",
    "xbtime 5\n",
    "",
  };
  int64_t v;
  (void)state;
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    if (btime_of(bad[k], &v) != -1) fail_msg("accepted: %s", bad[k]);
    assert_int_equal(v, -7);
  }
  assert_int_equal(pn_parse_btime(NULL, 0, &v), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_captured_self),
    cmocka_unit_test(test_captured_comm_with_parens_and_space),
    cmocka_unit_test(test_captured_comm_ending_in_paren),
    cmocka_unit_test(test_captured_zombie),
    cmocka_unit_test(test_captured_realtime_negative_priority),
    cmocka_unit_test(test_captured_pid1_negative_nice),
    cmocka_unit_test(test_captured_kernel_thread),
    cmocka_unit_test(test_captured_every_prefix),
    cmocka_unit_test(test_comm_that_looks_like_fields),
    cmocka_unit_test(test_comm_with_newline_and_empty_comm),
    cmocka_unit_test(test_extremes),
    cmocka_unit_test(test_rejects),
    cmocka_unit_test(test_nul_bytes),
    cmocka_unit_test(test_btime_fixture),
    cmocka_unit_test(test_btime_live),
    cmocka_unit_test(test_btime_values),
    cmocka_unit_test(test_btime_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
