/*
 * test_parse_packet.c: lines of /proc/net/packet and /proc/net/netlink
 * (ext/parse_packet.c).
 *
 * Captured with a SOCK_RAW ETH_P_ALL packet socket (inode 9239), a
 * SOCK_DGRAM ETH_P_IP one bound to lo, ifindex 1 (9240), and a NETLINK_ROUTE
 * socket bound to groups RTMGRP_LINK|RTMGRP_IPV4_IFADDR = 0x11 by pid 3761
 * (9241). Both files pad their columns with trailing spaces.
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

/* Line k (0 = header) of a captured file, as an exact-size heap copy. */
static char *captured_line(const char *file, size_t k, size_t *n) {
  size_t len, pos = 0, i = 0;
  char *buf = load_fixture(file, &len), *out = NULL;
  pn_str line;
  while (out == NULL && pn_next_line(buf, len, &pos, &line))
    if (i++ == k) {
      out = dup_exact(line.p, line.n);
      *n = line.n;
    }
  free(buf);
  if (out == NULL) fail_msg("%s has no line %zu", file, k);
  return out;
}

/* ---- packet -------------------------------------------------------------- */

static int parse_packet(const char *text, pn_packet_sock *p) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_packet_line(b, strlen(text), p);
  free(b);
  return rc;
}

static void test_packet_captured(void **state) {
  size_t n;
  char *b;
  pn_packet_sock p;
  (void)state;
  b = captured_line("net_packet", 0, &n);
  assert_int_equal(pn_parse_packet_line(b, n, &p), -1); /* header */
  free(b);
  b = captured_line("net_packet", 1, &n);
  assert_int_equal(pn_parse_packet_line(b, n, &p), 0);
  assert_int_equal(p.refcnt, 3);
  assert_int_equal(p.type, 3);          /* SOCK_RAW */
  assert_int_equal(p.protocol, 0x0003); /* ETH_P_ALL */
  assert_int_equal(p.ifindex, 0);
  assert_int_equal(p.running, 1);
  assert_int_equal(p.rmem, 0);
  assert_int_equal(p.uid, 0);
  assert_int_equal(p.inode, 9239);
  free(b);
  b = captured_line("net_packet", 2, &n);
  assert_int_equal(pn_parse_packet_line(b, n, &p), 0);
  assert_int_equal(p.type, 2);          /* SOCK_DGRAM */
  assert_int_equal(p.protocol, 0x0800); /* ETH_P_IP */
  assert_int_equal(p.ifindex, 1);       /* lo */
  assert_int_equal(p.inode, 9240);
  free(b);
}

/* Cuts of a captured line fail until the inode has a digit. */
static void test_packet_every_prefix(void **state) {
  size_t n, cut, inode_at;
  char *line = captured_line("net_packet", 2, &n);
  const char *hit = memmem(line, n, " 9240", 5);
  (void)state;
  assert_non_null(hit);
  inode_at = (size_t)(hit - line) + 1;
  for (cut = 0; cut <= n; cut++) {
    pn_packet_sock p;
    char *b = dup_exact(line, cut);
    int rc = pn_parse_packet_line(b, cut, &p);
    assert_int_equal(rc, cut <= inode_at ? -1 : 0);
    if (cut >= inode_at + 4) assert_int_equal(p.inode, 9240);
    free(b);
  }
  free(line);
}

static void test_packet_synthetic(void **state) {
  pn_packet_sock p;
  (void)state;
  assert_int_equal(parse_packet("ffffffffffffffff 1 10 88cc -1 0 4294967295 "
                                "65534 18446744073709551615 extra columns",
                                &p), 0);
  assert_int_equal(p.refcnt, 1);
  assert_int_equal(p.type, 10);
  assert_int_equal(p.protocol, 0x88cc);
  assert_int_equal(p.ifindex, -1);
  assert_int_equal(p.running, 0);
  assert_int_equal(p.rmem, 4294967295u);
  assert_int_equal(p.uid, 65534);
  assert_true(p.inode == UINT64_MAX);
}

static void test_packet_rejects(void **state) {
  static const char *const bad[] = {
    "",
    "sk               RefCnt Type Proto  Iface R Rmem   User   Inode",
    "000000000000000g 3 3 0003 0 1 0 0 9239",        /* bad hex sk */
    "0 3 3 10000 0 1 0 0 9239",                      /* proto > 16 bits */
    "0 3 3 00zz 0 1 0 0 9239",
    "0 -3 3 0003 0 1 0 0 9239",                      /* negative refcnt */
    "0 3 2147483648 0003 0 1 0 0 9239",              /* type > int */
    "0 3 3 0003 x 1 0 0 9239",
    "0 3 3 0003 0 1 0 4294967296 9239",              /* uid > 32 bits */
    "0 3 3 0003 0 1 0 0 18446744073709551616",       /* inode overflow */
    "0 3 3 0003 0 1 0 0",                            /* no inode */
    "0 3 3 0003 0 1 0 0 92x9",
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pn_packet_sock p;
    if (parse_packet(bad[k], &p) != -1) fail_msg("accepted: %s", bad[k]);
  }
}

/* ---- netlink ------------------------------------------------------------- */

static int parse_netlink(const char *text, pn_netlink_sock *s) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_netlink_line(b, strlen(text), s);
  free(b);
  return rc;
}

static void test_netlink_captured(void **state) {
  size_t len, pos = 0, rows = 0, ours = 0;
  char *buf = load_fixture("net_netlink", &len);
  pn_str line;
  (void)state;
  while (pn_next_line(buf, len, &pos, &line)) {
    pn_netlink_sock s;
    char *b = dup_exact(line.p, line.n);
    int rc = pn_parse_netlink_line(b, line.n, &s);
    free(b);
    if (rows++ == 0) {
      assert_int_equal(rc, -1); /* header */
      continue;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(s.locks, 2);
    if (s.inode != 9241) continue;
    ours++;
    assert_int_equal(s.protocol, 0);     /* NETLINK_ROUTE */
    assert_int_equal(s.portid, 3761);
    assert_int_equal(s.groups, 0x11);
    assert_int_equal(s.rmem, 0);
    assert_int_equal(s.wmem, 0);
    assert_int_equal(s.dump, 0);
    assert_int_equal(s.drops, 0);
  }
  assert_int_equal(ours, 1);
  assert_true(rows > 5);
  free(buf);
}

static void test_netlink_kernel_sockets(void **state) {
  size_t n;
  char *b = captured_line("net_netlink", 3, &n);
  pn_netlink_sock s;
  (void)state;
  /* "0000000022654333 4   0          00000000 ... 501     " */
  assert_int_equal(pn_parse_netlink_line(b, n, &s), 0);
  assert_int_equal(s.protocol, 4);
  assert_int_equal(s.portid, 0);
  assert_int_equal(s.groups, 0);
  assert_int_equal(s.inode, 501);
  free(b);
}

static void test_netlink_synthetic(void **state) {
  pn_netlink_sock s;
  (void)state;
  /* autobound portids are negative numbers printed with %u */
  assert_int_equal(parse_netlink("0000000008b58feb 16  4294963200 ffffffff "
                                 "1 2 1 3 4 18446744073709551615",
                                 &s), 0);
  assert_int_equal(s.protocol, 16);
  assert_int_equal(s.portid, 4294963200);
  assert_int_equal(s.groups, 0xffffffff);
  assert_int_equal(s.rmem, 1);
  assert_int_equal(s.wmem, 2);
  assert_int_equal(s.dump, 1);
  assert_int_equal(s.locks, 3);
  assert_int_equal(s.drops, 4);
  assert_true(s.inode == UINT64_MAX);
}

static void test_netlink_rejects(void **state) {
  static const char *const bad[] = {
    "",
    ("sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    "
     "Drops    Inode"),
    "x 0 0 00000000 0 0 0 2 0 4",
    "0 -1 0 00000000 0 0 0 2 0 4",
    "0 0 4294967296 00000000 0 0 0 2 0 4",   /* portid > 32 bits */
    "0 0 -1 00000000 0 0 0 2 0 4",
    "0 0 0 0000000g 0 0 0 2 0 4",
    "0 0 0 10000000000000000 0 0 0 2 0 4",   /* groups overflow */
    "0 0 0 00000000 -1 0 0 2 0 4",
    "0 0 0 00000000 0 0 0 2 0",              /* no inode */
    "0 0 0 00000000 0 0 0 2 0 4x",
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pn_netlink_sock s;
    if (parse_netlink(bad[k], &s) != -1) fail_msg("accepted: %s", bad[k]);
  }
}

static void test_nul_bytes(void **state) {
  static const char pk[] = "0 3 3 0003 0 1 0 0 9239 \0";
  static const char nl[] = "0 0 0 00000000 0 0 0 2 0 4\0 ";
  char *b1 = dup_exact(pk, sizeof pk - 1), *b2 = dup_exact(nl, sizeof nl - 1);
  pn_packet_sock p;
  pn_netlink_sock s;
  (void)state;
  assert_int_equal(pn_parse_packet_line(b1, sizeof pk - 1, &p), -1);
  assert_int_equal(pn_parse_packet_line(b1, sizeof pk - 2, &p), 0);
  assert_int_equal(pn_parse_netlink_line(b2, sizeof nl - 1, &s), -1);
  assert_int_equal(pn_parse_netlink_line(b2, sizeof nl - 3, &s), 0);
  assert_int_equal(pn_parse_packet_line(NULL, 0, &p), -1);
  assert_int_equal(pn_parse_netlink_line(NULL, 0, &s), -1);
  free(b1);
  free(b2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_packet_captured),
    cmocka_unit_test(test_packet_every_prefix),
    cmocka_unit_test(test_packet_synthetic),
    cmocka_unit_test(test_packet_rejects),
    cmocka_unit_test(test_netlink_captured),
    cmocka_unit_test(test_netlink_kernel_sockets),
    cmocka_unit_test(test_netlink_synthetic),
    cmocka_unit_test(test_netlink_rejects),
    cmocka_unit_test(test_nul_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
