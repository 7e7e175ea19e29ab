/*
 * test_parse_inet.c: lines of /proc/net/{tcp,udp,raw,icmp,udplite}{,6}
 * (ext/parse_inet.c), the state names and address formatting.
 *
 * The captured files come from capture.py on this kernel (x86_64, so the
 * hex words are little-endian):
 *   tcp   127.0.0.1:8080 LISTEN (inode 8191), 0.0.0.0:8083 LISTEN (9220),
 *         an ESTABLISHED pair on 8080 (9217 / 8192), TIME_WAIT rows (inode 0)
 *   tcp6  ::1:8081 LISTEN (9221), :::8082 LISTEN (9222), and the accepted
 *         side of a v4 client, ::ffff:127.0.0.1:8082 (9224)
 *   udp   127.0.0.1:5353 (9225) holding 100 unread bytes, and a socket
 *         connected to it from 5354 (9226)
 *   udp6  ::1:5355 (9227); raw ICMP (9228); raw6 ICMPv6 (9229)
 *   icmp  a ping socket, id 16664, connected to 127.0.0.1 (9324)
 *   udplite 127.0.0.1:5356 (9230)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "unit_helpers.h"

/* Formats one side of a socket as "addr:port". */
static void endpoint(const pn_inet_sock *s, int remote, char *out, size_t n) {
  char addr[46];
  pn_format_addr(s->family, remote ? s->remote_addr : s->local_addr, addr);
  snprintf(out, n, "%s:%u", addr,
           (unsigned)(remote ? s->remote_port : s->local_port));
}

static void assert_endpoints(const pn_inet_sock *s, const char *local,
                             const char *remote) {
  char got[64];
  endpoint(s, 0, got, sizeof got);
  assert_string_equal(got, local);
  endpoint(s, 1, got, sizeof got);
  assert_string_equal(got, remote);
}

/* Parses every line of a captured file (the first is the header, which must
 * be rejected) and returns the row whose inode is `inode` and whose local
 * port is `port` (inode 0 rows are not unique). Fails if absent. */
static pn_inet_sock find_row(const char *file, int has_drops, uint64_t inode,
                             unsigned port) {
  size_t len, pos = 0, rows = 0, hits = 0;
  char *buf = load_fixture(file, &len);
  pn_str line;
  pn_inet_sock found, s;
  memset(&found, 0, sizeof found);
  while (pn_next_line(buf, len, &pos, &line)) {
    char *copy = dup_exact(line.p, line.n);
    int rc = pn_parse_inet_line(copy, line.n, has_drops, &s);
    if (rows++ == 0) {
      assert_int_equal(rc, -1); /* header */
    } else {
      assert_int_equal(rc, 0);
      if (s.inode == inode && s.local_port == port) {
        found = s;
        hits++;
      }
    }
    free(copy);
  }
  free(buf);
  if (hits != 1) fail_msg("%s: %zu rows with inode %llu", file, hits,
                          (unsigned long long)inode);
  return found;
}

/* ---- captured tcp -------------------------------------------------------- */

static void test_tcp_listen(void **state) {
  pn_inet_sock s = find_row("net_tcp", 0, 8191, 8080);
  (void)state;
  assert_int_equal(s.family, 4);
  assert_endpoints(&s, "127.0.0.1:8080", "0.0.0.0:0");
  assert_int_equal(s.state, 0x0A);
  assert_string_equal(pn_tcp_state_name(s.state), "LISTEN");
  assert_int_equal(s.tx_queue, 0);
  assert_int_equal(s.rx_queue, 0);
  assert_int_equal(s.timer, 0);
  assert_int_equal(s.uid, 0);
  assert_int_equal(s.has_refcnt, 1);
  assert_int_equal(s.refcnt, 1);
  assert_int_equal(s.has_drops, 0);
  s = find_row("net_tcp", 0, 9220, 8083);
  assert_endpoints(&s, "0.0.0.0:8083", "0.0.0.0:0");
}

static void test_tcp_established_pair(void **state) {
  pn_inet_sock srv = find_row("net_tcp", 0, 9217, 8080);
  pn_inet_sock cli = find_row("net_tcp", 0, 8192, 0x866E);
  (void)state;
  assert_string_equal(pn_tcp_state_name(srv.state), "ESTABLISHED");
  assert_endpoints(&srv, "127.0.0.1:8080", "127.0.0.1:34414");
  assert_endpoints(&cli, "127.0.0.1:34414", "127.0.0.1:8080");
  assert_int_equal(cli.refcnt, 2);
}

/* "5: 0100007F:867C 0100007F:1F90 06 00000000:00000000 03:00001766 00000000
 *     0        0 0 3 00000000f9f626c4" */
static void test_tcp_time_wait(void **state) {
  pn_inet_sock s = find_row("net_tcp", 0, 0, 0x867C);
  (void)state;
  assert_int_equal(s.state, 6);
  assert_string_equal(pn_tcp_state_name(s.state), "TIME_WAIT");
  assert_endpoints(&s, "127.0.0.1:34428", "127.0.0.1:8080");
  assert_int_equal(s.inode, 0);
  assert_int_equal(s.timer, 3);
  assert_int_equal(s.timer_when, 0x1766);
  assert_int_equal(s.has_refcnt, 1);
  assert_int_equal(s.refcnt, 3);
}

static void test_tcp6(void **state) {
  pn_inet_sock s = find_row("net_tcp6", 0, 9221, 8081);
  (void)state;
  assert_int_equal(s.family, 6);
  assert_endpoints(&s, "::1:8081", ":::0");
  assert_string_equal(pn_tcp_state_name(s.state), "LISTEN");
  s = find_row("net_tcp6", 0, 9222, 8082);
  assert_endpoints(&s, ":::8082", ":::0");
  s = find_row("net_tcp6", 0, 9224, 8082);
  assert_endpoints(&s, "::ffff:127.0.0.1:8082", "::ffff:127.0.0.1:45178");
  assert_string_equal(pn_tcp_state_name(s.state), "ESTABLISHED");
  assert_int_equal(s.has_refcnt, 1);
  assert_int_equal(s.refcnt, 1);
}

/* ---- captured udp, raw, icmp --------------------------------------------- */

static void test_udp(void **state) {
  pn_inet_sock s = find_row("net_udp", 1, 9225, 5353);
  (void)state;
  assert_endpoints(&s, "127.0.0.1:5353", "0.0.0.0:0");
  assert_int_equal(s.state, 7);
  assert_int_equal(s.rx_queue, 0x340); /* 100 bytes, counted as truesize */
  assert_int_equal(s.tx_queue, 0);
  assert_int_equal(s.has_refcnt, 1);
  assert_int_equal(s.refcnt, 2);
  assert_int_equal(s.has_drops, 1);
  assert_int_equal(s.drops, 0);
  s = find_row("net_udp", 1, 9226, 5354);
  assert_endpoints(&s, "127.0.0.1:5354", "127.0.0.1:5353");
  assert_int_equal(s.state, 1);
  s = find_row("net_udp6", 1, 9227, 5355);
  assert_endpoints(&s, "::1:5355", ":::0");
  s = find_row("net_udplite", 1, 9230, 5356);
  assert_endpoints(&s, "127.0.0.1:5356", "0.0.0.0:0");
}

/* For raw sockets the "port" is the IP protocol. */
static void test_raw_and_icmp(void **state) {
  pn_inet_sock s = find_row("net_raw", 1, 9228, 1);
  (void)state;
  assert_endpoints(&s, "0.0.0.0:1", "0.0.0.0:0");
  assert_int_equal(s.drops, 0);
  s = find_row("net_raw6", 1, 9229, 58);
  assert_endpoints(&s, ":::58", ":::0");
  s = find_row("net_icmp", 1, 9324, 16664);
  assert_endpoints(&s, "127.0.0.1:16664", "127.0.0.1:0");
  assert_int_equal(s.state, 1);
}

/* The udp fixture has drops in its last column; parsing it as tcp reads
 * refcnt only and must still agree. */
static void test_udp_as_tcp_layout(void **state) {
  pn_inet_sock s = find_row("net_udp", 0, 9225, 5353);
  (void)state;
  assert_int_equal(s.has_drops, 0);
  assert_int_equal(s.refcnt, 2);
}

/* Every cut of a captured tcp line before its inode is complete fails. */
static void test_tcp_line_every_prefix(void **state) {
  static const char line[] =
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
      "00000000     0        0 8191 1 000000009c117e2d 100 0 0 10 0          ";
  size_t n = sizeof line - 1, inode_at, cut;
  (void)state;
  inode_at = (size_t)(strstr(line, " 8191 ") - line) + 1;
  for (cut = 0; cut <= n; cut++) {
    char *b = dup_exact(line, cut);
    pn_inet_sock s;
    int rc = pn_parse_inet_line(b, cut, 0, &s);
    assert_int_equal(rc, cut <= inode_at ? -1 : 0);
    if (cut >= inode_at + 4) assert_int_equal(s.inode, 8191);
    if (cut > inode_at + 5) assert_int_equal(s.refcnt, 1);
    /* a udp reading needs drops after the inode */
    rc = pn_parse_inet_line(b, cut, 1, &s);
    if (cut <= inode_at + 4) assert_int_equal(rc, -1);
    free(b);
  }
}

/* ---- synthetic ----------------------------------------------------------- */

static int parse_line(const char *text, int drops, pn_inet_sock *s) {
  char *b = dup_exact(text, strlen(text));
  int rc = pn_parse_inet_line(b, strlen(text), drops, s);
  free(b);
  return rc;
}

#define V4_HEAD "  1: 0100007F:1F90 0100007F:9198 01 "
#define V4_MID "00000010:00000020 02:0000ABCD 0000000F  1000        7 "

static void test_values_and_64bit_inode(void **state) {
  pn_inet_sock s;
  (void)state;
  assert_int_equal(parse_line(V4_HEAD V4_MID "18446744073709551615", 0, &s), 0);
  assert_int_equal(s.tx_queue, 0x10);
  assert_int_equal(s.rx_queue, 0x20);
  assert_int_equal(s.timer, 2);
  assert_int_equal(s.timer_when, 0xABCD);
  assert_int_equal(s.retransmits, 15);
  assert_int_equal(s.uid, 1000);
  assert_int_equal(s.timeout, 7);
  assert_true(s.inode == UINT64_MAX);
  assert_int_equal(s.has_refcnt, 0);
  assert_int_equal(s.has_drops, 0);
  assert_int_equal(parse_line(V4_HEAD V4_MID "4294967296 2 ffff 42", 1, &s), 0);
  assert_int_equal(s.inode, 4294967296u);
  assert_int_equal(s.refcnt, 2);
  assert_int_equal(s.drops, 42);
  /* only one column after the inode: it is drops, there is no refcnt */
  assert_int_equal(parse_line(V4_HEAD V4_MID "5 9", 1, &s), 0);
  assert_int_equal(s.has_refcnt, 0);
  assert_int_equal(s.has_drops, 1);
  assert_int_equal(s.drops, 9);
  /* columns of a later kernel are ignored, ssthresh -1 included */
  assert_int_equal(parse_line(V4_HEAD V4_MID "5 1 ptr 20 0 0 10 -1 new", 0, &s),
                   0);
  assert_int_equal(s.refcnt, 1);
}

static void test_ipv6_word_order(void **state) {
  pn_inet_sock s;
  char text[46];
  (void)state;
  /* fe80::1: the words are printed in host (little-endian) order */
  assert_int_equal(
      parse_line("0: 000080FE000000000000000001000000:0016 "
                 "00000000000000000000000000000000:0000 0A 0:0 00:0 0 0 0 77",
                 0, &s), 0);
  assert_int_equal(s.local_addr[0], 0xfe);
  assert_int_equal(s.local_addr[1], 0x80);
  assert_int_equal(s.local_addr[15], 1);
  assert_int_equal(pn_format_addr(6, s.local_addr, text), 7);
  assert_string_equal(text, "fe80::1");
  assert_int_equal(s.local_port, 22);
  assert_int_equal(s.inode, 77);
}

static void test_rejects(void **state) {
  static const char *const bad[] = {
    "",
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
    "retrnsmt   uid  timeout inode",
    V4_HEAD V4_MID,                                   /* no inode */
    V4_HEAD V4_MID "18446744073709551616",            /* inode overflow */
    V4_HEAD V4_MID "-1",
    V4_HEAD V4_MID "12x",
    "  1 0100007F:1F90 0100007F:9198 01 " V4_MID "5", /* sl without ':' */
    "  x: 0100007F:1F90 0100007F:9198 01 " V4_MID "5",
    "  1: 0100007G:1F90 0100007F:9198 01 " V4_MID "5", /* bad hex */
    "  1: 100007F:1F90 0100007F:9198 01 " V4_MID "5",  /* 7 digits */
    "  1: 0100007F:1F9 0100007F:9198 01 " V4_MID "5",  /* 3-digit port */
    "  1: 0100007F:1F900 0100007F:9198 01 " V4_MID "5",
    "  1: 0100007F1F90 0100007F:9198 01 " V4_MID "5",  /* no ':' */
    "  1: 0100007F:1F90 00000000000000000000000001000000:9198 01 " V4_MID "5",
    "  1: 0100007F:1F90 0100007F:9198 " V4_MID "5",    /* no st */
    "  1: 0100007F:1F90 0100007F:9198 1G " V4_MID "5",
    V4_HEAD "0000001000000020 02:0000ABCD 0000000F 1000 7 5",
    V4_HEAD "00000010:00000020 020000ABCD 0000000F 1000 7 5",
    V4_HEAD "00000010:00000020 02:0000ABCD 0000000G 1000 7 5",
    V4_HEAD "00000010:00000020 02:0000ABCD 0000000F 4294967296 7 5",
    V4_HEAD "00000010:00000020 02:0000ABCD 0000000F -5 7 5",
    V4_HEAD "00000010:00000020 02:0000ABCD 0000000F 1000 -7 5",
    V4_HEAD "10000000000000000:0 02:0 0 0 0 5",      /* tx_queue overflow */
    V4_HEAD V4_MID "5 x",                             /* refcnt not a number */
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pn_inet_sock s;
    if (parse_line(bad[k], 0, &s) != -1) fail_msg("accepted: %s", bad[k]);
  }
}

static void test_rejects_udp_layout(void **state) {
  pn_inet_sock s;
  (void)state;
  assert_int_equal(parse_line(V4_HEAD V4_MID "5", 1, &s), -1); /* no drops */
  assert_int_equal(parse_line(V4_HEAD V4_MID "5 2 ptr x", 1, &s), -1);
  assert_int_equal(parse_line(V4_HEAD V4_MID "5 x ptr 0", 1, &s), -1);
}

static void test_nul_bytes(void **state) {
  static const char text[] = V4_HEAD V4_MID "5 1 ptr\0";
  char *b = dup_exact(text, sizeof text - 1);
  pn_inet_sock s;
  (void)state;
  assert_int_equal(pn_parse_inet_line(b, sizeof text - 1, 0, &s), -1);
  assert_int_equal(pn_parse_inet_line(b, sizeof text - 2, 0, &s), 0);
  assert_int_equal(pn_parse_inet_line(NULL, 0, 0, &s), -1);
  free(b);
}

/* ---- names and formatting ------------------------------------------------ */

static void test_state_names(void **state) {
  static const char *const names[] = {
    NULL, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
    "NEW_SYN_RECV",
  };
  int k;
  (void)state;
  for (k = 1; k <= 12; k++) assert_string_equal(pn_tcp_state_name(k), names[k]);
  assert_null(pn_tcp_state_name(0));
  assert_null(pn_tcp_state_name(13));
  assert_null(pn_tcp_state_name(-1));
  assert_null(pn_tcp_state_name(0x10A));
}

static void test_format_addr(void **state) {
  static const uint8_t lo4[16] = {127, 0, 0, 1};
  static const uint8_t any[16] = {0};
  static const uint8_t lo6[16] = {[15] = 1};
  static const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, [12] = 127,
                                     [15] = 1};
  static const uint8_t ten[16] = {10, 1, 2, 3};
  char out[46];
  (void)state;
  assert_int_equal(pn_format_addr(4, lo4, out), 9);
  assert_string_equal(out, "127.0.0.1");
  assert_int_equal(pn_format_addr(4, any, out), 7);
  assert_string_equal(out, "0.0.0.0");
  assert_int_equal(pn_format_addr(4, ten, out), 8);
  assert_string_equal(out, "10.1.2.3");
  assert_int_equal(pn_format_addr(6, lo6, out), 3);
  assert_string_equal(out, "::1");
  assert_int_equal(pn_format_addr(6, any, out), 2);
  assert_string_equal(out, "::");
  assert_int_equal(pn_format_addr(6, mapped, out), 16);
  assert_string_equal(out, "::ffff:127.0.0.1");
  assert_int_equal(pn_format_addr(5, lo4, out), 0);
  assert_string_equal(out, "");
  assert_int_equal(pn_format_addr(4, NULL, out), 0);
  assert_string_equal(out, "");
}

/* pn_format_addr must print what inet_ntop prints (ss and netstat use it):
 * every IPv6 address whose groups are each 0, 1, 0xffff or 0xab0c (all
 * placements of "::", the v4-compatible and v4-mapped forms), every value
 * of every IPv4 byte, and random addresses with random zero groups. */
static void test_format_addr_equals_inet_ntop(void **state) {
  static const unsigned groups[4] = {0, 1, 0xffff, 0xab0c};
  char mine[46], libc[INET6_ADDRSTRLEN];
  uint8_t a[16];
  (void)state;
  for (unsigned pattern = 0; pattern < 65536; pattern++) {
    for (int i = 0; i < 8; i++) {
      unsigned g = groups[(pattern >> (2 * i)) & 3];
      a[2 * i] = (uint8_t)(g >> 8);
      a[2 * i + 1] = (uint8_t)g;
    }
    assert_non_null(inet_ntop(AF_INET6, a, libc, sizeof libc));
    assert_int_equal(pn_format_addr(6, a, mine), strlen(libc));
    assert_string_equal(mine, libc);
  }
  for (int pos = 0; pos < 4; pos++)
    for (unsigned v = 0; v < 256; v++) {
      uint8_t b[4] = {192, 0, 2, 7};
      b[pos] = (uint8_t)v;
      assert_non_null(inet_ntop(AF_INET, b, libc, sizeof libc));
      assert_int_equal(pn_format_addr(4, b, mine), strlen(libc));
      assert_string_equal(mine, libc);
    }
  uint32_t x = 2463534242u; /* xorshift32: the same sequence every run */
  for (int n = 0; n < 200000; n++) {
    for (int i = 0; i < 16; i++) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      a[i] = (uint8_t)x;
    }
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    for (int i = 0; i < 8; i++)
      if (x >> i & 1) a[2 * i] = a[2 * i + 1] = 0;
    assert_non_null(inet_ntop(AF_INET6, a, libc, sizeof libc));
    pn_format_addr(6, a, mine);
    assert_string_equal(mine, libc);
  }
}

/* The parser and the formatter together, on the values of the brief. */
static void test_parse_then_format(void **state) {
  static const struct {
    const char *hex, *text;
  } cases[] = {
    {"0100007F", "127.0.0.1"},
    {"00000000", "0.0.0.0"},
    {"00000000000000000000000001000000", "::1"},
    {"00000000000000000000000000000000", "::"},
    {"0000000000000000FFFF00000100007F", "::ffff:127.0.0.1"},
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char line[256], text[46];
    pn_inet_sock s;
    snprintf(line, sizeof line, "0: %s:0050 %s:0000 0A 0:0 0:0 0 0 0 1",
             cases[k].hex, cases[k].hex);
    assert_int_equal(parse_line(line, 0, &s), 0);
    assert_int_equal(s.family, strlen(cases[k].hex) == 8 ? 4 : 6);
    pn_format_addr(s.family, s.remote_addr, text);
    assert_string_equal(text, cases[k].text);
    assert_int_equal(s.local_port, 80);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tcp_listen),
    cmocka_unit_test(test_tcp_established_pair),
    cmocka_unit_test(test_tcp_time_wait),
    cmocka_unit_test(test_tcp6),
    cmocka_unit_test(test_udp),
    cmocka_unit_test(test_raw_and_icmp),
    cmocka_unit_test(test_udp_as_tcp_layout),
    cmocka_unit_test(test_tcp_line_every_prefix),
    cmocka_unit_test(test_values_and_64bit_inode),
    cmocka_unit_test(test_ipv6_word_order),
    cmocka_unit_test(test_rejects),
    cmocka_unit_test(test_rejects_udp_layout),
    cmocka_unit_test(test_nul_bytes),
    cmocka_unit_test(test_state_names),
    cmocka_unit_test(test_format_addr),
    cmocka_unit_test(test_format_addr_equals_inet_ntop),
    cmocka_unit_test(test_parse_then_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
