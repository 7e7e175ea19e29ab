/*
 * parse_diag.c: netlink replies of sock_diag (inet_diag, unix_diag,
 * packet_diag) and
 * rtnetlink (links, addresses); see parse_diag.h.
 *
 * A datagram is messages back to back, each a struct nlmsghdr whose
 * nlmsg_len counts the header and the payload, padded to 4 bytes before the
 * next one. A payload is a fixed struct followed by attributes: a 4-byte
 * header (length including itself, type) and a value, each padded to 4.
 * The kernel pads every attribute it writes, but nothing obliges a sender
 * to pad the last one, so an end that falls inside the padding is an end.
 *
 * The buffer comes from recv() and may sit at any address, so fixed
 * headers are copied into local structs and values are read with memcpy.
 */
#include "parse_diag.h"

#include <arpa/inet.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>

/* Netlink pads messages and attributes to 4 bytes. Computed in size_t, so
 * a length near UINT32_MAX cannot wrap. */
static size_t align4(size_t n) { return (n + 3) & ~(size_t)3; }

/* Where the next message or attribute starts: `step` bytes (padded) after
 * `at`, or the end when the padding is missing. */
static size_t advance(size_t at, size_t step, size_t len) {
  step = align4(step);
  return step > len - at ? len : at + step;
}

static pn_bytes bytes_of(const uint8_t *p, size_t n) {
  pn_bytes b;
  b.p = p;
  b.n = n;
  return b;
}

/* A socket's cookie as sock_diag_save_cookie writes it: low word first. */
static uint64_t cookie_of(const uint32_t c[2]) {
  return (uint64_t)c[1] << 32 | c[0];
}

/* ---- messages ------------------------------------------------------------ */

/* The errno a DONE or ERROR carries: the kernel sends it negated. The
 * magnitude of any non-zero value is kept (a positive value is no kernel's,
 * but it is still not a success); INT_MIN has no positive int. */
static int errno_of(int32_t v) {
  if (v == INT32_MIN) return INT_MAX;
  return v < 0 ? -v : v;
}

/* The error int at the start of a DONE or ERROR payload. Returns -1 when
 * the payload is cut inside it; a DONE may carry no int at all. */
static int read_error_int(pn_bytes payload, int optional, int *errcode) {
  int32_t v;
  if (payload.n == 0 && optional) return 0;
  if (payload.n < sizeof v) return -1;
  memcpy(&v, payload.p, sizeof v);
  *errcode = errno_of(v);
  return 0;
}

static void fill_message(const struct nlmsghdr *h, const uint8_t *start,
                         pn_nlmsg *m) {
  m->type = h->nlmsg_type;
  m->flags = h->nlmsg_flags;
  m->seq = h->nlmsg_seq;
  m->portid = h->nlmsg_pid;
  m->payload = bytes_of(start + sizeof *h, h->nlmsg_len - sizeof *h);
}

pn_nl_step pn_nl_next(const void *buf, size_t len, size_t *pos, pn_nlmsg *m,
                      int *errcode) {
  const uint8_t *b = buf;
  size_t at = *pos;
  struct nlmsghdr h;
  int err = 0;
  memset(m, 0, sizeof *m);
  if (errcode) *errcode = 0;
  if (b == NULL || at >= len) return PN_NL_END;
  if (len - at < sizeof h) return PN_NL_BAD;
  memcpy(&h, b + at, sizeof h);
  if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - at) return PN_NL_BAD;
  fill_message(&h, b + at, m);
  if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) {
    if (read_error_int(m->payload, h.nlmsg_type == NLMSG_DONE, &err) != 0) {
      memset(m, 0, sizeof *m);
      return PN_NL_BAD;
    }
    if (errcode) *errcode = err;
  }
  *pos = advance(at, h.nlmsg_len, len);
  if (h.nlmsg_type == NLMSG_DONE) return PN_NL_DONE;
  if (h.nlmsg_type == NLMSG_ERROR) return PN_NL_ERROR;
  return PN_NL_MSG;
}

/* ---- attributes ---------------------------------------------------------- */

int pn_nlattr_next(const void *buf, size_t len, size_t *pos, pn_nlattr *a) {
  const uint8_t *b = buf;
  size_t at = *pos;
  struct nlattr h;
  memset(a, 0, sizeof *a);
  if (b == NULL || at >= len) return 0;
  if (len - at < sizeof h) return -1;
  memcpy(&h, b + at, sizeof h);
  if (h.nla_len < sizeof h || h.nla_len > len - at) return -1;
  a->type = h.nla_type & NLA_TYPE_MASK;
  a->value = bytes_of(b + at + sizeof h, h.nla_len - sizeof h);
  *pos = advance(at, h.nla_len, len);
  return 1;
}

typedef void (*attr_fn)(const pn_nlattr *a, void *out);

/* Hands every attribute of attrs to fn. 0, or -1 for a broken one. */
static int walk_attrs(pn_bytes attrs, attr_fn fn, void *out) {
  size_t pos = 0;
  pn_nlattr a;
  int rc;
  while ((rc = pn_nlattr_next(attrs.p, attrs.n, &pos, &a)) == 1) fn(&a, out);
  return rc;
}

/* Copies the fixed struct at the start of a payload into hdr and sets
 * *attrs to what follows it. -1 when the payload is too short. */
static int take_header(const void *payload, size_t len, void *hdr,
                       size_t hdr_len, pn_bytes *attrs) {
  size_t start = align4(hdr_len);
  if (payload == NULL || len < hdr_len) return -1;
  memcpy(hdr, payload, hdr_len);
  if (start > len) start = len;
  *attrs = bytes_of((const uint8_t *)payload + start, len - start);
  return 0;
}

/* take_header for a sock_diag answer whose family (its first byte) must
 * be af. */
static int take_family_header(const void *payload, size_t len, void *hdr,
                              size_t hdr_len, int af, pn_bytes *attrs) {
  if (take_header(payload, len, hdr, hdr_len, attrs) != 0) return -1;
  return *(const uint8_t *)hdr == af ? 0 : -1;
}

/* ---- attribute values ------------------------------------------------------
 * Each reader leaves its output alone (has_ flag 0) when the value is
 * shorter than its type and reads the known prefix of a longer one. */

/* Copies a fixed struct of n bytes out of v; 0 when v is shorter. */
static int read_struct(pn_bytes v, void *out, size_t n) {
  if (v.n < n) return 0;
  memcpy(out, v.p, n);
  return 1;
}

static void take_u8(pn_bytes v, int *has, uint8_t *out) {
  if (v.n < 1) return;
  *out = v.p[0];
  *has = 1;
}

static int read_u32_at(pn_bytes v, size_t at, uint32_t *out) {
  if (v.n < at || v.n - at < sizeof *out) return 0;
  memcpy(out, v.p + at, sizeof *out);
  return 1;
}

static void take_u32(pn_bytes v, int *has, uint32_t *out) {
  if (read_u32_at(v, 0, out)) *has = 1;
}

static void take_u64(pn_bytes v, int *has, uint64_t *out) {
  if (read_struct(v, out, sizeof *out)) *has = 1;
}

/* A NUL-terminated string value, as a slice without the NUL (or all of
 * the value when it holds none). */
static pn_str string_of(pn_bytes v) {
  const uint8_t *nul = v.n ? memchr(v.p, '\0', v.n) : NULL;
  pn_str s;
  s.p = (const char *)v.p;
  s.n = nul ? (size_t)(nul - v.p) : v.n;
  return s;
}

/* sock_diag_put_meminfo: SK_MEMINFO_VARS u32s, fewer on older kernels,
 * maybe more on newer ones. Returns how many were kept. */
static int take_skmem(pn_bytes v, uint32_t skmem[PN_SKMEM_N]) {
  size_t n = v.n / sizeof(uint32_t);
  if (n > PN_SKMEM_N) n = PN_SKMEM_N;
  memset(skmem, 0, PN_SKMEM_N * sizeof(uint32_t));
  if (n) memcpy(skmem, v.p, n * sizeof(uint32_t));
  return (int)n;
}

/* ---- inet_diag ----------------------------------------------------------- */

/* Linux 6.2 appended tcpi_rcv_wnd and tcpi_rehash after tcpi_snd_wnd; the
 * uapi struct only grows at its end, so their offsets are fixed. */
#define TCPI_RCV_WND_AT (offsetof(struct tcp_info, tcpi_snd_wnd) + 4)
#define TCPI_REHASH_AT (TCPI_RCV_WND_AT + 4)

static void take_tcp_info(pn_bytes v, pn_inet_diag *d) {
  size_t n = v.n < sizeof d->tcp_info ? v.n : sizeof d->tcp_info;
  memset(&d->tcp_info, 0, sizeof d->tcp_info);
  if (n) memcpy(&d->tcp_info, v.p, n);
  d->tcp_info_len = n;
  d->has_rcv_wnd = read_u32_at(v, TCPI_RCV_WND_AT, &d->rcv_wnd);
  d->has_rehash = read_u32_at(v, TCPI_REHASH_AT, &d->rehash);
}

static void take_meminfo(pn_bytes v, pn_inet_diag *d) {
  struct inet_diag_meminfo mi;
  if (!read_struct(v, &mi, sizeof mi)) return;
  d->meminfo[0] = mi.idiag_rmem;
  d->meminfo[1] = mi.idiag_wmem;
  d->meminfo[2] = mi.idiag_fmem;
  d->meminfo[3] = mi.idiag_tmem;
  d->has_meminfo = 1;
}

static void take_vegas(pn_bytes v, pn_inet_diag *d) {
  struct tcpvegas_info vi;
  if (!read_struct(v, &vi, sizeof vi)) return;
  d->vegas_enabled = vi.tcpv_enabled;
  d->vegas_rttcnt = vi.tcpv_rttcnt;
  d->vegas_rtt = vi.tcpv_rtt;
  d->vegas_minrtt = vi.tcpv_minrtt;
  d->has_vegas = 1;
}

static void take_dctcp(pn_bytes v, pn_inet_diag *d) {
  struct tcp_dctcp_info di;
  if (!read_struct(v, &di, sizeof di)) return;
  d->dctcp_enabled = di.dctcp_enabled;
  d->dctcp_ce_state = di.dctcp_ce_state;
  d->dctcp_alpha = di.dctcp_alpha;
  d->dctcp_ab_ecn = di.dctcp_ab_ecn;
  d->dctcp_ab_tot = di.dctcp_ab_tot;
  d->has_dctcp = 1;
}

static void take_bbr(pn_bytes v, pn_inet_diag *d) {
  struct tcp_bbr_info bi;
  if (!read_struct(v, &bi, sizeof bi)) return;
  d->bbr_bw = (uint64_t)bi.bbr_bw_hi << 32 | bi.bbr_bw_lo;
  d->bbr_min_rtt = bi.bbr_min_rtt;
  d->bbr_pacing_gain = bi.bbr_pacing_gain;
  d->bbr_cwnd_gain = bi.bbr_cwnd_gain;
  d->has_bbr = 1;
}

/* The attributes inet_sk_diag_fill and inet_diag_msg_attrs_fill write.
 * PAD, MD5SIG, ULP_INFO, SK_BPF_STORAGES and SOCKOPT are not kept. */
static void inet_attr(const pn_nlattr *a, void *out) {
  pn_inet_diag *d = out;
  pn_bytes v = a->value;
  switch (a->type) {
  case INET_DIAG_MEMINFO: take_meminfo(v, d); break;
  case INET_DIAG_INFO: take_tcp_info(v, d); break;
  case INET_DIAG_VEGASINFO: take_vegas(v, d); break;
  case INET_DIAG_CONG: d->cong = string_of(v); break;
  case INET_DIAG_TOS: take_u8(v, &d->has_tos, &d->tos); break;
  case INET_DIAG_TCLASS: take_u8(v, &d->has_tclass, &d->tclass); break;
  case INET_DIAG_SKMEMINFO: d->n_skmem = take_skmem(v, d->skmem); break;
  case INET_DIAG_SHUTDOWN: take_u8(v, &d->has_shutdown, &d->shutdown); break;
  case INET_DIAG_DCTCPINFO: take_dctcp(v, d); break;
  case INET_DIAG_PROTOCOL: take_u8(v, &d->has_protocol, &d->protocol); break;
  case INET_DIAG_SKV6ONLY: take_u8(v, &d->has_v6only, &d->v6only); break;
  case INET_DIAG_MARK: take_u32(v, &d->has_mark, &d->mark); break;
  case INET_DIAG_BBRINFO: take_bbr(v, d); break;
  case INET_DIAG_CLASS_ID: take_u32(v, &d->has_class_id, &d->class_id); break;
  case INET_DIAG_CGROUP_ID:
    take_u64(v, &d->has_cgroup_id, &d->cgroup_id);
    break;
  default: break;
  }
}

static int family_number(unsigned af) {
  if (af == AF_INET) return 4;
  if (af == AF_INET6) return 6;
  return -1;
}

/* Bytes of an address of the family (family_number's), 0 for none. */
static size_t addr_bytes(int family) {
  return family == 4 ? 4 : family == 6 ? 16 : 0;
}

/* The kernel fills all 16 bytes for IPv6 and zeroes 4..15 for IPv4; only
 * the bytes of the family are taken, so that an IPv4 address always ends
 * in zeros. An unknown family has no address. */
static void copy_addr(int family, const void *src, uint8_t out[16]) {
  memcpy(out, src, addr_bytes(family));
}

static void inet_identity(const struct inet_diag_msg *m, pn_inet_diag *d) {
  d->family = family_number(m->idiag_family);
  d->state = m->idiag_state;
  d->timer = m->idiag_timer;
  d->retrans = m->idiag_retrans;
  d->local_port = ntohs(m->id.idiag_sport);
  d->remote_port = ntohs(m->id.idiag_dport);
  copy_addr(d->family, m->id.idiag_src, d->local_addr);
  copy_addr(d->family, m->id.idiag_dst, d->remote_addr);
  d->ifindex = m->id.idiag_if;
  d->cookie = cookie_of(m->id.idiag_cookie);
  d->expires_ms = m->idiag_expires;
  d->rqueue = m->idiag_rqueue;
  d->wqueue = m->idiag_wqueue;
  d->uid = m->idiag_uid;
  d->inode = m->idiag_inode;
}

int pn_parse_inet_diag(const void *payload, size_t len, pn_inet_diag *out) {
  struct inet_diag_msg m;
  pn_bytes attrs;
  memset(out, 0, sizeof *out);
  if (take_header(payload, len, &m, sizeof m, &attrs) != 0) return -1;
  inet_identity(&m, out);
  return walk_attrs(attrs, inet_attr, out);
}

/* ---- unix_diag ----------------------------------------------------------- */

static void take_vfs(pn_bytes v, pn_unix_diag *u) {
  struct unix_diag_vfs vfs;
  if (!read_struct(v, &vfs, sizeof vfs)) return;
  u->vfs_inode = vfs.udiag_vfs_ino;
  u->vfs_dev = vfs.udiag_vfs_dev;
  u->has_vfs = 1;
}

static void take_rqlen(pn_bytes v, pn_unix_diag *u) {
  struct unix_diag_rqlen rq;
  if (!read_struct(v, &rq, sizeof rq)) return;
  u->rqueue = rq.udiag_rqueue;
  u->wqueue = rq.udiag_wqueue;
  u->has_rqlen = 1;
}

/* The attributes sk_diag_fill (net/unix/diag.c) writes. */
static void unix_attr(const pn_nlattr *a, void *out) {
  pn_unix_diag *u = out;
  pn_bytes v = a->value;
  switch (a->type) {
  case UNIX_DIAG_NAME: u->name = v; break;
  case UNIX_DIAG_VFS: take_vfs(v, u); break;
  case UNIX_DIAG_PEER: take_u32(v, &u->has_peer, &u->peer); break;
  case UNIX_DIAG_ICONS:
    u->icons = bytes_of(v.p, v.n - v.n % sizeof(uint32_t));
    break;
  case UNIX_DIAG_RQLEN: take_rqlen(v, u); break;
  case UNIX_DIAG_MEMINFO: u->n_skmem = take_skmem(v, u->skmem); break;
  case UNIX_DIAG_SHUTDOWN: take_u8(v, &u->has_shutdown, &u->shutdown); break;
  case UNIX_DIAG_UID: take_u32(v, &u->has_uid, &u->uid); break;
  default: break;
  }
}

int pn_parse_unix_diag(const void *payload, size_t len, pn_unix_diag *out) {
  struct unix_diag_msg m;
  pn_bytes attrs;
  memset(out, 0, sizeof *out);
  if (take_family_header(payload, len, &m, sizeof m, AF_UNIX, &attrs) != 0) return -1;
  out->type = m.udiag_type;
  out->state = m.udiag_state;
  out->inode = m.udiag_ino;
  out->cookie = cookie_of(m.udiag_cookie);
  return walk_attrs(attrs, unix_attr, out);
}

static void put_at(char *out, size_t cap, size_t at, char c) {
  if (at < cap) out[at] = c;
}

/* As unix_seq_show prints the name: a path drops its last byte (the NUL
 * unix_mkname_bsd stored), an abstract name prints its leading NUL as '@';
 * any other NUL prints as '@' too. */
size_t pn_unix_diag_path(pn_bytes name, char *out, size_t cap) {
  size_t n = name.n, i = 0, w = 0;
  if (name.p == NULL || n == 0) return 0;
  if (name.p[0] == '\0') {
    put_at(out, cap, w++, '@');
    i = 1;
  } else if (name.p[n - 1] == '\0') {
    n--;
  }
  for (; i < n; i++) put_at(out, cap, w++, name.p[i] ? (char)name.p[i] : '@');
  return w;
}

/* ---- packet_diag --------------------------------------------------------- */

static void take_pinfo(pn_bytes v, pn_packet_diag *d) {
  struct packet_diag_info pi;
  if (!read_struct(v, &pi, sizeof pi)) return;
  d->ifindex = pi.pdi_index;
  d->version = pi.pdi_version;
  d->reserve = pi.pdi_reserve;
  d->copy_thresh = pi.pdi_copy_thresh;
  d->tstamp = pi.pdi_tstamp;
  d->flags = pi.pdi_flags;
  d->has_info = 1;
}

static void take_ring(pn_bytes v, int *has, pn_packet_ring *out) {
  struct packet_diag_ring r;
  if (!read_struct(v, &r, sizeof r)) return;
  out->block_size = r.pdr_block_size;
  out->block_nr = r.pdr_block_nr;
  out->frame_size = r.pdr_frame_size;
  out->frame_nr = r.pdr_frame_nr;
  out->retire_tmo = r.pdr_retire_tmo;
  out->sizeof_priv = r.pdr_sizeof_priv;
  out->features = r.pdr_features;
  *has = 1;
}

/* The attributes sk_diag_fill (net/packet/diag.c) writes. MCLIST is not
 * kept. */
static void packet_attr(const pn_nlattr *a, void *out) {
  pn_packet_diag *d = out;
  pn_bytes v = a->value;
  switch (a->type) {
  case PACKET_DIAG_INFO: take_pinfo(v, d); break;
  case PACKET_DIAG_RX_RING: take_ring(v, &d->has_rx_ring, &d->rx_ring); break;
  case PACKET_DIAG_TX_RING: take_ring(v, &d->has_tx_ring, &d->tx_ring); break;
  case PACKET_DIAG_FANOUT: take_u32(v, &d->has_fanout, &d->fanout); break;
  case PACKET_DIAG_UID: take_u32(v, &d->has_uid, &d->uid); break;
  case PACKET_DIAG_MEMINFO: d->n_skmem = take_skmem(v, d->skmem); break;
  case PACKET_DIAG_FILTER: /* whole instructions of 8 bytes */
    d->filter = bytes_of(v.p, v.n - v.n % 8);
    break;
  default: break;
  }
}

int pn_parse_packet_diag(const void *payload, size_t len, pn_packet_diag *out) {
  struct packet_diag_msg m;
  pn_bytes attrs;
  memset(out, 0, sizeof *out);
  if (take_family_header(payload, len, &m, sizeof m, AF_PACKET, &attrs) != 0) return -1;
  out->type = m.pdiag_type;
  out->protocol = m.pdiag_num;
  out->inode = m.pdiag_ino;
  out->cookie = cookie_of(m.pdiag_cookie);
  return walk_attrs(attrs, packet_attr, out);
}

/* ---- rtnetlink ----------------------------------------------------------- */

static void link_attr(const pn_nlattr *a, void *out) {
  pn_ifinfo *l = out;
  if (a->type == IFLA_IFNAME) l->name = string_of(a->value);
}

int pn_parse_ifinfo(const void *payload, size_t len, pn_ifinfo *out) {
  struct ifinfomsg m;
  pn_bytes attrs;
  memset(out, 0, sizeof *out);
  if (take_header(payload, len, &m, sizeof m, &attrs) != 0) return -1;
  out->index = m.ifi_index;
  out->flags = m.ifi_flags;
  return walk_attrs(attrs, link_attr, out);
}

/* IFA_LOCAL is the address of the interface; IFA_ADDRESS is the same for
 * most links but the peer's on a point-to-point one, so it only counts
 * when no IFA_LOCAL came. */
typedef struct addr_walk {
  pn_ifaddr *out;
  int from_local;
} addr_walk;

static void addr_attr(const pn_nlattr *a, void *ctx) {
  addr_walk *w = ctx;
  size_t need = addr_bytes(w->out->family);
  if (a->type != IFA_LOCAL && a->type != IFA_ADDRESS) return;
  if (need == 0 || a->value.n < need) return;
  if (a->type == IFA_ADDRESS && w->from_local) return;
  memcpy(w->out->addr, a->value.p, need);
  w->out->has_addr = 1;
  if (a->type == IFA_LOCAL) w->from_local = 1;
}

int pn_parse_ifaddr(const void *payload, size_t len, pn_ifaddr *out) {
  struct ifaddrmsg m;
  pn_bytes attrs;
  addr_walk w;
  memset(out, 0, sizeof *out);
  if (take_header(payload, len, &m, sizeof m, &attrs) != 0) return -1;
  if (m.ifa_index > INT_MAX) return -1;
  out->family = family_number(m.ifa_family);
  out->prefixlen = m.ifa_prefixlen;
  out->index = (int)m.ifa_index;
  out->scope = m.ifa_scope;
  w.out = out;
  w.from_local = 0;
  return walk_attrs(attrs, addr_attr, &w);
}
