/*
 * test_parse_unix.c: records of /proc/net/unix (ext/parse_unix.c).
 *
 * tests/fixtures/captured/net_unix was captured with these sockets bound
 * under "/tmp/procnet capture/":
 *   "line1\nline2.sock"        listening stream, path over two lines (9232)
 *   "ends-with-newline\n"      stream, its record ends with an empty line (9233)
 *   "with two  spaces.sock"    listening stream (9231), plus a client whose
 *                              connection is still in the accept queue: the
 *                              embryo row has inode 0 and the listener's path
 *   "\0procnet-abstract"       dgram (9234), "\0procnet\0nul" seqpacket (9235)
 *   a socketpair (9236, 9237), the client (9238), two sockets of init
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

/* What one record should hold; path NULL means unbound. */
struct want {
  uint64_t inode;
  uint64_t refcount;
  uint64_t flags;
  int type;
  int state;
  const char *path;
};

static void assert_record(const pn_unix_sock *u, const struct want *w) {
  assert_int_equal(u->inode, w->inode);
  assert_int_equal(u->refcount, w->refcount);
  assert_int_equal(u->protocol, 0);
  assert_int_equal(u->flags, w->flags);
  assert_int_equal(u->type, w->type);
  assert_int_equal(u->state, w->state);
  if (w->path == NULL) {
    assert_int_equal(u->has_path, 0);
    assert_int_equal(u->path.n, 0);
  } else {
    assert_int_equal(u->has_path, 1);
    assert_slice(u->path, w->path);
  }
}

/* Reads all records of buf and compares them with want[0..n-1]. */
static void assert_records(const char *buf, size_t len,
                           const struct want *want, size_t n) {
  size_t pos = 0, k = 0;
  pn_unix_sock u;
  while (pn_next_unix(buf, len, &pos, &u)) {
    if (k >= n) fail_msg("extra record with inode %llu",
                         (unsigned long long)u.inode);
    assert_record(&u, &want[k]);
    k++;
  }
  assert_int_equal(k, n);
  assert_int_equal(pos, len);
  assert_int_equal(pn_next_unix(buf, len, &pos, &u), 0);
}

#define DIR "/tmp/procnet capture/"
#define L PN_UNIX_LISTENING

static void test_captured(void **state) {
  static const struct want want[] = {
    {9232, 2, L, 1, 1, DIR "line1\nline2.sock"},
    {9233, 2, 0, 1, 1, DIR "ends-with-newline\n"},
    {1056, 3, 0, 1, 3, NULL},
    {9238, 3, 0, 1, 3, NULL},
    {9237, 3, 0, 1, 3, NULL},
    {1055, 3, 0, 1, 3, NULL},
    {0, 3, 0, 1, 2, DIR "with two  spaces.sock"},
    {9236, 3, 0, 1, 3, NULL},
    {9231, 2, L, 1, 1, DIR "with two  spaces.sock"},
    {9235, 2, 0, 5, 1, "@procnet@nul"},
    {9234, 2, 0, 2, 1, "@procnet-abstract"},
  };
  size_t len;
  char *buf = load_fixture("net_unix", &len);
  (void)state;
  assert_records(buf, len, want, sizeof want / sizeof want[0]);
  free(buf);
}

/* The path slice of a multi-line record points into the buffer itself. */
static void test_captured_path_is_a_slice(void **state) {
  size_t len, pos = 0;
  char *buf = load_fixture("net_unix", &len);
  pn_unix_sock u;
  (void)state;
  assert_int_equal(pn_next_unix(buf, len, &pos, &u), 1);
  assert_true(u.path.p > buf && u.path.p + u.path.n <= buf + len);
  assert_int_equal(u.path.p[-1], ' ');
  assert_int_equal(u.path.p[u.path.n], '\n');
  free(buf);
}

/* No cut of the capture crashes or yields a slice outside the cut. Only
 * the last record read from a cut may differ from the full parse (a cut
 * inside the next record's first line turns it into a path continuation);
 * every earlier one is identical. */
static void test_captured_every_prefix(void **state) {
  size_t len, cut, nfull = 0, pos = 0;
  char *buf = load_fixture("net_unix", &len);
  pn_unix_sock full[16], u;
  (void)state;
  while (nfull < 16 && pn_next_unix(buf, len, &pos, &full[nfull])) nfull++;
  assert_int_equal(nfull, 11);
  for (cut = 0; cut <= len; cut++) {
    char *b = dup_exact(buf, cut);
    size_t count = 0;
    pn_unix_sock prev;
    pos = 0;
    while (pn_next_unix(b, cut, &pos, &u)) {
      if (u.has_path)
        assert_true(u.path.p >= b && u.path.p + u.path.n <= b + cut);
      if (count > 0) {
        /* prev was not the last one: it must be complete */
        assert_int_equal(prev.inode, full[count - 1].inode);
        assert_int_equal(prev.path.n, full[count - 1].path.n);
      }
      assert_true(count < nfull);
      prev = u;
      count++;
    }
    assert_int_equal(pos, cut);
    free(b);
  }
  free(buf);
}

/* ---- synthetic ----------------------------------------------------------- */

#define HDR "Num       RefCount Protocol Flags    Type St Inode Path\n"
#define REC(inode) "00000000deadbeef: 00000002 00000000 00000000 0001 01 " inode

static void check(const char *text, size_t len, const struct want *want,
                  size_t n) {
  char *b = dup_exact(text, len);
  assert_records(b, len, want, n);
  free(b);
}
#define CHECK(lit, want) \
  check((lit), sizeof(lit) - 1, (want), sizeof(want) / sizeof((want)[0]))

static void test_empty_and_header_only(void **state) {
  size_t pos = 0;
  pn_unix_sock u;
  char *b = dup_exact(HDR, sizeof HDR - 1);
  (void)state;
  assert_int_equal(pn_next_unix(b, 0, &pos, &u), 0);
  assert_int_equal(pn_next_unix(NULL, 0, &pos, &u), 0);
  assert_int_equal(pn_next_unix(b, sizeof HDR - 1, &pos, &u), 0);
  assert_int_equal(pos, sizeof HDR - 1);
  free(b);
}

static void test_paths(void **state) {
  static const struct want want[] = {
    {12345, 2, 0, 1, 1, "/a b  c "},     /* trailing space kept */
    {7, 2, 0, 1, 1, "/x\ny\nz"},         /* three lines */
    {8, 2, 0, 1, 1, "@"},
    {9, 2, 0, 1, 1, "\n"},               /* path of just a newline */
    {10, 2, 0, 1, 1, ""},                /* a space, then nothing */
    {11, 2, 0, 1, 1, NULL},
    {18446744073709551615u, 2, 0, 1, 1, "/last"},
  };
  (void)state;
  CHECK(HDR REC("12345") " /a b  c \n"
        REC("    7") " /x\ny\nz\n"
        REC("    8") " @\n"
        REC("    9") " \n\n"
        REC("   10") " \n"
        REC("   11") "\n"
        REC("18446744073709551615") " /last", want);
}

/* A continuation line may look almost like a record. */
static void test_continuation_that_looks_like_a_record(void **state) {
  static const struct want want[] = {
    {1, 2, 0, 1, 1, "/p\ndeadbeef: x\n" "00000000deadbeef: 00000002 0000"},
    {2, 2, 0, 1, 1, NULL},
  };
  (void)state;
  CHECK(REC("1") " /p\ndeadbeef: x\n00000000deadbeef: 00000002 0000\n"
        REC("2") "\n", want);
}

/* Lines that are not records and follow an unbound one are skipped. */
static void test_garbage_and_truncated_lines(void **state) {
  static const struct want want[] = {
    {3, 2, 0, 1, 1, NULL},
    {4, 2, 0, 1, 1, "/ok"},
  };
  (void)state;
  CHECK("garbage first\n"
        REC("3") "\n"
        "00000000deadbeef: 00000002 0000\n"            /* truncated */
        "00000000deadbeef: 0000000G 00000000 00000000 0001 01 5 /badhex\n"
        "00000000deadbeef: 00000002 00000000 00000000 0001 01 "
        "18446744073709551616 /overflow\n"
        "00000000deadbeef: 00000002 00000000 00000000 0001 01 6x /junk\n"
        "00000000deadbeef: 00000002 00000000 00000000 0001 01\n" /* no inode */
        "00000000deadbeef:00000002 00000000 00000000 0001 01 7\n"
        "00000000deadbeef: 00000002 00000000 00000000 10001 01 8\n"
        "00000000deadbeef: 00000002 00000000 00000000 0001 100 9\n"
        "\n"
        REC("4") " /ok", want);
}

static void test_nul_bytes_skip_the_record(void **state) {
  static const char text[] = REC("1") " /a\0b\ncontinued\n"
                             REC("2") "\n"
                             REC("3\0") "\n"
                             REC("4") " /c\n"
                             REC("5") " /d\n\0\n"
                             REC("6") "\n";
  static const struct want want[] = {
    {2, 2, 0, 1, 1, NULL},
    {4, 2, 0, 1, 1, "/c"},
    {6, 2, 0, 1, 1, NULL},
  };
  (void)state;
  CHECK(text, want);
}

static void test_long_path(void **state) {
  static const char head[] = REC("77") " ";
  size_t hn = sizeof head - 1, n = hn + 10000 + 1, k;
  char *b = malloc(n);
  size_t pos = 0;
  pn_unix_sock u;
  (void)state;
  assert_non_null(b);
  memcpy(b, head, hn);
  b[hn] = '/';
  for (k = 1; k < 10000; k++) b[hn + k] = (k % 100 == 0) ? '\n' : 'p';
  b[n - 1] = '\n';
  assert_int_equal(pn_next_unix(b, n, &pos, &u), 1);
  assert_int_equal(u.inode, 77);
  assert_int_equal(u.has_path, 1);
  assert_ptr_equal(u.path.p, b + hn);
  assert_int_equal(u.path.n, 10000);
  assert_int_equal(pn_next_unix(b, n, &pos, &u), 0);
  free(b);
}

/* Hex columns accept either case; the kernel prints upper case. */
static void test_field_values(void **state) {
  static const struct want want[] = {
    {42, 0xabcdef01, 0x10000, 5, 4, NULL},
  };
  (void)state;
  CHECK("ffffffffffffffff: abcdef01 00000000 00010000 0005 04    42", want);
}

/* Num, the kernel address, is kept as printed: lsof shows it as DEVICE. */
static void test_kernel_address_text(void **state) {
  static const char text[] = "00000000c5ed53e9: 00000002 00000000 00010000 0001 01 1057 /run/x\n";
  size_t pos = 0;
  pn_unix_sock u;
  (void)state;
  assert_int_equal(pn_next_unix(text, sizeof text - 1, &pos, &u), 1);
  assert_slice(u.num, "00000000c5ed53e9");
  assert_ptr_equal(u.num.p, text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_captured),
    cmocka_unit_test(test_captured_path_is_a_slice),
    cmocka_unit_test(test_captured_every_prefix),
    cmocka_unit_test(test_empty_and_header_only),
    cmocka_unit_test(test_paths),
    cmocka_unit_test(test_continuation_that_looks_like_a_record),
    cmocka_unit_test(test_garbage_and_truncated_lines),
    cmocka_unit_test(test_nul_bytes_skip_the_record),
    cmocka_unit_test(test_long_path),
    cmocka_unit_test(test_field_values),
    cmocka_unit_test(test_kernel_address_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
