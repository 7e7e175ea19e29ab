/*
 * parse_inet.c: one line of /proc/net/{tcp,udp,raw,icmp,udplite}{,6}.
 *
 *   sl: local rem st tx:rx tr:when retrnsmt uid timeout inode [more...]
 *
 * "local" and "rem" are ADDR:PORT with ADDR 8 (IPv4) or 32 (IPv6) hex digits
 * and PORT 4 hex digits. What follows the inode depends on the file and the
 * row: tcp has "refcnt ptr rto ato qack cwnd ssthresh" for full sockets and
 * only "refcnt ptr" for TIME_WAIT and SYN_RECV rows; udp/raw/icmp have
 * "ref ptr drops". Only refcnt and drops are read, so that columns added by a
 * later kernel are ignored rather than fatal.
 */
#include "parse_util.h"

#include <string.h>

/* Parses the hex address of one side. The kernel prints every 32-bit word
 * of the address in host byte order, so storing the native word as is gives
 * back the bytes in network order. */
static int parse_hex_addr(pn_str hex, uint8_t addr[16], int *family) {
  size_t words, k;
  if (hex.n == 8) {
    words = 1;
    *family = 4;
  } else if (hex.n == 32) {
    words = 4;
    *family = 6;
  } else {
    return -1;
  }
  for (k = 0; k < words; k++) {
    uint32_t w;
    if (pn_parse_hex_fixed_u32(pn_slice(hex.p + 8 * k, 8), 8, &w) != 0)
      return -1;
    memcpy(addr + 4 * k, &w, sizeof w);
  }
  return 0;
}

/* Parses "ADDR:PORT". */
static int parse_endpoint(pn_str s, uint8_t addr[16], uint16_t *port,
                          int *family) {
  pn_str hex, port_hex;
  uint32_t p;
  if (pn_split_at(s, ':', &hex, &port_hex) != 0) return -1;
  if (parse_hex_addr(hex, addr, family) != 0) return -1;
  if (pn_parse_hex_fixed_u32(port_hex, 4, &p) != 0) return -1;
  *port = (uint16_t)p;
  return 0;
}

/* Parses "HEX:HEX" (tx_queue:rx_queue). */
static int parse_hex_pair(pn_str s, uint64_t *a, uint64_t *b) {
  pn_str left, right;
  if (pn_split_at(s, ':', &left, &right) != 0) return -1;
  if (pn_parse_hex(left, a) != 0) return -1;
  return pn_parse_hex(right, b);
}

/* Parses "tr:when": the timer kind (small) and its expiry (clock ticks). */
static int parse_timer(pn_str s, int *timer, uint64_t *when) {
  pn_str left, right;
  if (pn_split_at(s, ':', &left, &right) != 0) return -1;
  if (pn_parse_hex_int(left, timer) != 0) return -1;
  return pn_parse_hex(right, when);
}

/* Parses "sl:", the slot (tcp) or hash bucket (udp) number. It is not
 * stored, but it must be there: it is what tells a row from a header. */
static int parse_slot(pn_str s) {
  uint64_t slot;
  if (s.n < 2 || s.p[s.n - 1] != ':') return -1;
  return pn_parse_udec(pn_slice(s.p, s.n - 1), &slot);
}

/* Fields sl, local, rem, st. */
static int parse_inet_endpoints(pn_str s, size_t *pos, pn_inet_sock *out) {
  pn_str f;
  int remote_family;
  if (!pn_next_field(s, pos, &f) || parse_slot(f) != 0) return -1;
  if (!pn_next_field(s, pos, &f)) return -1;
  if (parse_endpoint(f, out->local_addr, &out->local_port, &out->family) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f)) return -1;
  if (parse_endpoint(f, out->remote_addr, &out->remote_port,
                     &remote_family) != 0)
    return -1;
  if (remote_family != out->family) return -1;
  if (!pn_next_field(s, pos, &f)) return -1;
  return pn_parse_hex_int(f, &out->state);
}

/* Fields tx:rx, tr:when, retrnsmt, uid, timeout, inode. */
static int parse_inet_counters(pn_str s, size_t *pos, pn_inet_sock *out) {
  pn_str f;
  uint64_t uid;
  if (!pn_next_field(s, pos, &f) ||
      parse_hex_pair(f, &out->tx_queue, &out->rx_queue) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f) ||
      parse_timer(f, &out->timer, &out->timer_when) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f) || pn_parse_hex(f, &out->retransmits) != 0)
    return -1;
  /* uid is a 32-bit kuid printed with %u. */
  if (!pn_next_field(s, pos, &f) || pn_parse_udec(f, &uid) != 0 ||
      uid > UINT32_MAX)
    return -1;
  out->uid = (int64_t)uid;
  if (!pn_next_field(s, pos, &f) || pn_parse_udec(f, &out->timeout) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f) || pn_parse_udec(f, &out->inode) != 0)
    return -1;
  return 0;
}

/* The fields after the inode: the first is refcnt; in the files with drops
 * the last one is drops (and then refcnt exists only if there are two).
 * Without drops, nothing after refcnt is looked at. */
static int parse_inet_tail(pn_str s, size_t *pos, int has_drops_field,
                           pn_inet_sock *out) {
  pn_str first = pn_slice(NULL, 0), last = first, f;
  size_t count = 0;
  while ((has_drops_field || count == 0) && pn_next_field(s, pos, &f)) {
    if (count == 0) first = f;
    last = f;
    count++;
  }
  if (has_drops_field) {
    if (count == 0 || pn_parse_udec(last, &out->drops) != 0) return -1;
    out->has_drops = 1;
    if (count == 1) return 0;
  } else if (count == 0) {
    return 0;
  }
  if (pn_parse_udec(first, &out->refcnt) != 0) return -1;
  out->has_refcnt = 1;
  return 0;
}

int pn_parse_inet_line(const char *line, size_t len, int has_drops_field,
                       pn_inet_sock *out) {
  pn_str s = pn_slice(line, len);
  size_t pos = 0;
  /* A NUL is never printed by the kernel, even in the ignored columns. */
  if (line == NULL || len == 0 || pn_has_nul(s)) return -1;
  memset(out, 0, sizeof *out);
  if (parse_inet_endpoints(s, &pos, out) != 0) return -1;
  if (parse_inet_counters(s, &pos, out) != 0) return -1;
  if (parse_inet_tail(s, &pos, has_drops_field, out) != 0) return -1;
  return 0;
}

const char *pn_tcp_state_name(int state) {
  switch (state) {
  case 1: return "ESTABLISHED";
  case 2: return "SYN_SENT";
  case 3: return "SYN_RECV";
  case 4: return "FIN_WAIT1";
  case 5: return "FIN_WAIT2";
  case 6: return "TIME_WAIT";
  case 7: return "CLOSE";
  case 8: return "CLOSE_WAIT";
  case 9: return "LAST_ACK";
  case 10: return "LISTEN";
  case 11: return "CLOSING";
  case 12: return "NEW_SYN_RECV";
  default: return NULL;
  }
}

/* ---- address text ----------------------------------------------------------
 * The text inet_ntop(3) gives (ss and netstat print that), written here
 * because it runs for every address of every row shown: glibc's inet_ntop
 * goes through sprintf per group and was a tenth of a 10,000-socket ss
 * view. tests/unit/test_parse_inet.c compares the two on every pattern of
 * zero, small, 0xffff and wide groups. */

static char *put_decimal_byte(char *o, unsigned v) {
  if (v >= 100) *o++ = (char)('0' + v / 100);
  if (v >= 10) *o++ = (char)('0' + v / 10 % 10);
  *o++ = (char)('0' + v % 10);
  return o;
}

static char *put_ipv4(char *o, const uint8_t a[4]) {
  for (int i = 0; i < 4; i++) {
    if (i) *o++ = '.';
    o = put_decimal_byte(o, a[i]);
  }
  return o;
}

/* A group in lowercase hex without leading zeros. */
static char *put_group(char *o, unsigned w) {
  static const char hex[] = "0123456789abcdef";
  int shift = 12;
  while (shift > 0 && (w >> shift) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) *o++ = hex[(w >> shift) & 0xf];
  return o;
}

/* The longest run (the first of equal ones) of at least two zero groups:
 * what "::" stands for. *len is 0 when there is none. */
static void longest_zero_run(const unsigned g[8], int *base, int *len) {
  *base = -1;
  *len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) j++;
    if (j - i > *len && j - i >= 2) {
      *base = i;
      *len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
}

static char *put_ipv6(char *o, const uint8_t a[16]) {
  unsigned g[8];
  int base, len;
  for (int i = 0; i < 8; i++) g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
  longest_zero_run(g, &base, &len);
  for (int i = 0; i < 8; i++) {
    if (len && i >= base && i < base + len) {
      if (i == base) *o++ = ':';
      continue;
    }
    if (i) *o++ = ':';
    /* IPv4-compatible (::a.b.c.d) and v4-mapped (::ffff:a.b.c.d) */
    if (i == 6 && base == 0 && (len == 6 || (len == 5 && g[5] == 0xffff)))
      return put_ipv4(o, a + 12);
    o = put_group(o, g[i]);
  }
  if (len && base + len == 8) *o++ = ':';
  return o;
}

size_t pn_format_addr(int family, const uint8_t *addr, char out[46]) {
  char *end = out;
  if (addr && family == 4) end = put_ipv4(out, addr);
  else if (addr && family == 6) end = put_ipv6(out, addr);
  *end = '\0';
  return (size_t)(end - out);
}
