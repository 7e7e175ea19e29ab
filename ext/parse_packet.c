/*
 * parse_packet.c: lines of /proc/net/packet and /proc/net/netlink.
 *
 * packet  (net/packet/af_packet.c, packet_seq_show):
 *   "%pK %-6d %-4d %04x   %-5d %1d %-6u %-6u %-6lu"
 *    sk  refcnt type proto iface running rmem uid inode
 * netlink (net/netlink/af_netlink.c, netlink_seq_show):
 *   "%pK %-3d %-10u %08x %-8d %-8d %-5d %-8d %-8u %-8lu"
 *    sk  protocol portid groups rmem wmem dump locks drops inode
 * Both are left-aligned, so lines carry trailing spaces. The header lines
 * start with "sk" and are rejected like any other malformed line. Columns a
 * later kernel may append are ignored.
 */
#include "parse_util.h"

#include <string.h>

/* Reads the next field as unsigned decimal / hex, failing if it is missing. */
static int next_udec(pn_str s, size_t *pos, uint64_t *v) {
  pn_str f;
  return pn_next_field(s, pos, &f) ? pn_parse_udec(f, v) : -1;
}

static int next_hex(pn_str s, size_t *pos, uint64_t *v) {
  pn_str f;
  return pn_next_field(s, pos, &f) ? pn_parse_hex(f, v) : -1;
}

static int next_udec_int(pn_str s, size_t *pos, int *v) {
  pn_str f;
  return pn_next_field(s, pos, &f) ? pn_parse_udec_int(f, v) : -1;
}

/* A uid or netlink portid: a u32 printed with %u. */
static int next_u32_as_i64(pn_str s, size_t *pos, int64_t *v) {
  uint64_t u;
  if (next_udec(s, pos, &u) != 0 || u > UINT32_MAX) return -1;
  *v = (int64_t)u;
  return 0;
}

/* Rejects what a line parser must never accept: no text, NUL bytes, and the
 * header line. */
static int check_line(const char *line, size_t len) {
  pn_str s = pn_slice(line, len);
  if (line == NULL || len == 0 || pn_has_nul(s)) return -1;
  return pn_starts_with(s, "sk") ? -1 : 0;
}

/* ---- packet ---------------------------------------------------------------- */

/* Fields sk, refcnt, type, proto. */
static int parse_packet_kind(pn_str s, size_t *pos, pn_packet_sock *out) {
  uint64_t sk, proto;
  if (next_hex(s, pos, &sk) != 0) return -1;
  if (next_udec(s, pos, &out->refcnt) != 0) return -1;
  if (next_udec_int(s, pos, &out->type) != 0) return -1;
  /* proto is the ethertype in host order, a 16-bit value. */
  if (next_hex(s, pos, &proto) != 0 || proto > 0xFFFF) return -1;
  out->protocol = (unsigned)proto;
  return 0;
}

/* Fields iface, running, rmem, uid, inode. */
static int parse_packet_state(pn_str s, size_t *pos, pn_packet_sock *out) {
  pn_str f;
  if (!pn_next_field(s, pos, &f) || pn_parse_sdec(f, &out->ifindex) != 0)
    return -1;
  if (next_udec_int(s, pos, &out->running) != 0) return -1;
  if (next_udec(s, pos, &out->rmem) != 0) return -1;
  if (next_u32_as_i64(s, pos, &out->uid) != 0) return -1;
  return next_udec(s, pos, &out->inode);
}

int pn_parse_packet_line(const char *line, size_t len, pn_packet_sock *out) {
  pn_str s = pn_slice(line, len);
  size_t pos = 0;
  if (check_line(line, len) != 0) return -1;
  memset(out, 0, sizeof *out);
  if (parse_packet_kind(s, &pos, out) != 0) return -1;
  return parse_packet_state(s, &pos, out);
}

/* ---- netlink --------------------------------------------------------------- */

/* Fields sk, protocol, portid, groups. */
static int parse_netlink_ids(pn_str s, size_t *pos, pn_netlink_sock *out) {
  uint64_t sk;
  if (next_hex(s, pos, &sk) != 0) return -1;
  if (next_udec_int(s, pos, &out->protocol) != 0) return -1;
  /* Autobound portids are "negative" (e.g. -4106) printed with %u. */
  if (next_u32_as_i64(s, pos, &out->portid) != 0) return -1;
  return next_hex(s, pos, &out->groups);
}

/* Fields rmem, wmem, dump, locks, drops, inode. */
static int parse_netlink_counts(pn_str s, size_t *pos, pn_netlink_sock *out) {
  if (next_udec(s, pos, &out->rmem) != 0) return -1;
  if (next_udec(s, pos, &out->wmem) != 0) return -1;
  if (next_udec_int(s, pos, &out->dump) != 0) return -1;
  if (next_udec(s, pos, &out->locks) != 0) return -1;
  if (next_udec(s, pos, &out->drops) != 0) return -1;
  return next_udec(s, pos, &out->inode);
}

int pn_parse_netlink_line(const char *line, size_t len, pn_netlink_sock *out) {
  pn_str s = pn_slice(line, len);
  size_t pos = 0;
  if (check_line(line, len) != 0) return -1;
  memset(out, 0, sizeof *out);
  if (parse_netlink_ids(s, &pos, out) != 0) return -1;
  return parse_netlink_counts(s, &pos, out);
}
