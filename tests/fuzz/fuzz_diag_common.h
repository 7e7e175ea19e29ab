/*
 * fuzz_diag_common.h: what the netlink reply harnesses (fuzz_diag_inet.c,
 * fuzz_diag_unix.c, fuzz_rtnl.c) share: the input walked as one datagram
 * with pn_nl_next, whose invariants are checked here, and slices of bytes.
 */
#ifndef PROCNET_FUZZ_DIAG_COMMON_H
#define PROCNET_FUZZ_DIAG_COMMON_H

#include "fuzz_common.h"
#include "parse_diag.h"

#include <linux/netlink.h>

static inline pn_str fz_str_of(pn_bytes b) {
  pn_str s;
  s.p = (const char *)b.p;
  s.n = b.n;
  return s;
}

/* 1 if b lies inside buf[0..len) (NULL only when empty). */
static inline int fz_bytes_inside(pn_bytes b, const char *buf, size_t len) {
  return fz_inside(fz_str_of(b), buf, len);
}

/* Checks one message payload (or any bytes read as one). */
typedef void (*fz_payload_fn)(const uint8_t *p, size_t n);

/* Walks buf as a datagram to its end or its first bad header, handing
 * every data message to fn. Each step moves forward by at least a header,
 * its payload lies between the header and the next message, DONE and
 * ERROR carry a non-negative errno and nothing else does; BAD and END
 * leave the position alone, END only at the end of the input. */
static inline void fz_walk_datagram(const char *buf, size_t size,
                                    fz_payload_fn fn) {
  size_t pos = 0, prev = 0;
  pn_nlmsg m;
  int err;
  for (;;) {
    pn_nl_step st = pn_nl_next(buf, size, &pos, &m, &err);
    FZ_CHECK(err >= 0);
    if (st == PN_NL_END || st == PN_NL_BAD) {
      FZ_CHECK(pos == prev && err == 0);
      FZ_CHECK(st == PN_NL_BAD || pos == size);
      return;
    }
    FZ_CHECK(pos > prev && pos <= size && pos - prev >= 16);
    FZ_CHECK(m.payload.p == (const uint8_t *)buf + prev + 16);
    FZ_CHECK(prev + 16 + m.payload.n <= pos);
    FZ_CHECK(pos - (prev + 16 + m.payload.n) < 4);
    if (st == PN_NL_DONE) {
      FZ_CHECK(m.type == NLMSG_DONE);
    } else if (st == PN_NL_ERROR) {
      FZ_CHECK(m.type == NLMSG_ERROR && m.payload.n >= 4);
    } else {
      FZ_CHECK(st == PN_NL_MSG && err == 0);
      FZ_CHECK(m.type != NLMSG_DONE && m.type != NLMSG_ERROR);
      fn(m.payload.p, m.payload.n);
    }
    prev = pos;
  }
}

/* A harness's run: the input copied to an exact-size heap block, walked as
 * a datagram with fn on each data message, then given to fn whole (so
 * that attribute parsing is reached without a valid message header).
 * Returns the copy for further checks; the caller frees it. */
static inline char *fz_check_input(const uint8_t *data, size_t size,
                                   fz_payload_fn fn) {
  char *buf = fz_copy(data, size);
  fz_walk_datagram(buf, size, fn);
  fn((const uint8_t *)buf, size);
  return buf;
}

/* Every attribute of a payload after its fixed header of hdr bytes, with
 * the walker's invariants; returns what the last call returned (0 at the
 * end, -1 for a broken attribute). */
static inline int fz_walk_attrs(const uint8_t *p, size_t n, size_t hdr,
                                void (*fn)(const pn_nlattr *a, void *ctx),
                                void *ctx) {
  size_t pos = 0, prev = 0;
  pn_nlattr a;
  int rc;
  if (n < hdr) return -1;
  while ((rc = pn_nlattr_next(p + hdr, n - hdr, &pos, &a)) == 1) {
    FZ_CHECK(pos > prev && pos <= n - hdr);
    FZ_CHECK(a.value.p == p + hdr + prev + 4);
    FZ_CHECK((a.type & (NLA_F_NESTED | NLA_F_NET_BYTEORDER)) == 0);
    fn(&a, ctx);
    prev = pos;
  }
  FZ_CHECK(rc == 0 || rc == -1);
  return rc;
}

#endif
