/*
 * sockcol_ext.c: the fields of sock_diag's extensions as values (the TCP
 * internals of tcp_info, the congestion control, a packet socket's
 * details and filter, the socket memory); see sockcol.h.
 */
#include "sockcol.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* tcp_info's plain number fields: where each is and how wide, by field
 * (a lookup per column of every row: no search). */

#define TCPI(field, member)                                                   \
  [field - PN_F_CA_STATE] = {sizeof(((struct tcp_info *)0)->member),          \
                             offsetof(struct tcp_info, member)}
static const pn_tcpi_place TCPI_FIELDS[PN_F_SKMEM_R - PN_F_CA_STATE] = {
    TCPI(PN_F_CA_STATE, tcpi_ca_state),
    TCPI(PN_F_TCPI_RETRANSMITS, tcpi_retransmits),
    TCPI(PN_F_PROBES, tcpi_probes),
    TCPI(PN_F_BACKOFF, tcpi_backoff),
    TCPI(PN_F_RTO_US, tcpi_rto),
    TCPI(PN_F_ATO_US, tcpi_ato),
    TCPI(PN_F_SND_MSS, tcpi_snd_mss),
    TCPI(PN_F_RCV_MSS, tcpi_rcv_mss),
    TCPI(PN_F_UNACKED, tcpi_unacked),
    TCPI(PN_F_SACKED, tcpi_sacked),
    TCPI(PN_F_LOST, tcpi_lost),
    TCPI(PN_F_RETRANS, tcpi_retrans),
    TCPI(PN_F_LAST_SEND_MS, tcpi_last_data_sent),
    TCPI(PN_F_LAST_RECV_MS, tcpi_last_data_recv),
    TCPI(PN_F_LAST_ACK_MS, tcpi_last_ack_recv),
    TCPI(PN_F_PMTU, tcpi_pmtu),
    TCPI(PN_F_RCV_SSTHRESH, tcpi_rcv_ssthresh),
    TCPI(PN_F_RTT_US, tcpi_rtt),
    TCPI(PN_F_RTTVAR_US, tcpi_rttvar),
    TCPI(PN_F_SSTHRESH, tcpi_snd_ssthresh),
    TCPI(PN_F_CWND, tcpi_snd_cwnd),
    TCPI(PN_F_ADVMSS, tcpi_advmss),
    TCPI(PN_F_REORDERING, tcpi_reordering),
    TCPI(PN_F_RCV_RTT_US, tcpi_rcv_rtt),
    TCPI(PN_F_RCV_SPACE, tcpi_rcv_space),
    TCPI(PN_F_TOTAL_RETRANS, tcpi_total_retrans),
    TCPI(PN_F_PACING_RATE, tcpi_pacing_rate),
    TCPI(PN_F_MAX_PACING_RATE, tcpi_max_pacing_rate),
    TCPI(PN_F_BYTES_ACKED, tcpi_bytes_acked),
    TCPI(PN_F_BYTES_RECEIVED, tcpi_bytes_received),
    TCPI(PN_F_SEGS_OUT, tcpi_segs_out),
    TCPI(PN_F_SEGS_IN, tcpi_segs_in),
    TCPI(PN_F_NOTSENT_BYTES, tcpi_notsent_bytes),
    TCPI(PN_F_MIN_RTT_US, tcpi_min_rtt),
    TCPI(PN_F_DATA_SEGS_IN, tcpi_data_segs_in),
    TCPI(PN_F_DATA_SEGS_OUT, tcpi_data_segs_out),
    TCPI(PN_F_DELIVERY_RATE, tcpi_delivery_rate),
    TCPI(PN_F_BUSY_US, tcpi_busy_time),
    TCPI(PN_F_RWND_LIMITED_US, tcpi_rwnd_limited),
    TCPI(PN_F_SNDBUF_LIMITED_US, tcpi_sndbuf_limited),
    TCPI(PN_F_DELIVERED, tcpi_delivered),
    TCPI(PN_F_DELIVERED_CE, tcpi_delivered_ce),
    TCPI(PN_F_BYTES_SENT, tcpi_bytes_sent),
    TCPI(PN_F_BYTES_RETRANS, tcpi_bytes_retrans),
    TCPI(PN_F_DSACK_DUPS, tcpi_dsack_dups),
    TCPI(PN_F_REORD_SEEN, tcpi_reord_seen),
    TCPI(PN_F_RCV_OOOPACK, tcpi_rcv_ooopack),
    TCPI(PN_F_SND_WND, tcpi_snd_wnd),
};

const pn_tcpi_place *pn_tcpi_place_of(pn_field f) {
  if (f < PN_F_CA_STATE || f >= PN_F_SKMEM_R) return NULL;
  const pn_tcpi_place *t = &TCPI_FIELDS[f - PN_F_CA_STATE];
  return t->size ? t : NULL;
}

/* One number of tcp_info, when the kernel sent that far. */
static void value_tcpi_number(const pn_sockx *x, pn_value *v,
                              const pn_tcpi_place *t) {
  if (x->tcp_info_len < (size_t)t->off + t->size) return;
  pn_value_u64(v, pn_tcpi_read((const unsigned char *)&x->tcp_info, t));
}

const unsigned char *pn_sock_tcp_info(const pn_sockrow *r, size_t *len) {
  const pn_sockx *x = pn_sockset_x(r->set, r->s);
  /* as pn_sockx_value: a packet socket's extras are no tcp_info, and
   * its first 8 bytes are in every version of it */
  if (!x || r->kind->fmt == PN_FMT_PACKET || x->tcp_info_len < 8) return NULL;
  *len = x->tcp_info_len;
  return (const unsigned char *)&x->tcp_info;
}

/* Appends word to text[n], after a blank unless first; the new length. */
static size_t add_word(char *text, size_t n, const char *word) {
  size_t k = strlen(word);
  if (n) text[n++] = ' ';
  memcpy(text + n, word, k);
  return n + k;
}

/* Appends a window scale (4 bits: 0 to 15); the new length. */
static size_t add_wscale(char *text, size_t n, unsigned v) {
  if (v >= 10) text[n++] = (char)('0' + v / 10);
  text[n++] = (char)('0' + v % 10);
  return n;
}

/* "ts sack ecn ecnseen fastopen wscale:7,7": the options as ss -i names
 * them; NULL for none (a listener). Written by hand: a column of every
 * row, where snprintf was most of what it cost. */
static void value_options(const pn_sockx *x, pn_value *v) {
  static const struct {
    unsigned bit;
    const char *name;
  } opts[] = {{TCPI_OPT_TIMESTAMPS, "ts"}, {TCPI_OPT_SACK, "sack"},
              {TCPI_OPT_ECN, "ecn"}, {TCPI_OPT_ECN_SEEN, "ecnseen"},
              {TCPI_OPT_SYN_DATA, "fastopen"}};
  char *text = v->buf; /* the longest: "ts sack ecn ecnseen fastopen wscale:15,15" */
  size_t n = 0;
  unsigned o = x->tcp_info.tcpi_options;
  for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
    if (o & opts[i].bit) n = add_word(text, n, opts[i].name);
  if (o & TCPI_OPT_WSCALE) {
    n = add_word(text, n, "wscale:");
    n = add_wscale(text, n, x->tcp_info.tcpi_snd_wscale);
    text[n++] = ',';
    n = add_wscale(text, n, x->tcp_info.tcpi_rcv_wscale);
  }
  if (n) pn_value_buf(v, n);
}

/* The fields of tcp_info kept outside the number table: bit fields and
 * what came past this build's struct. */
static void value_tcpi_other(const pn_sockx *x, pn_value *v, pn_field f) {
  const struct tcp_info *t = &x->tcp_info;
  int wscale = (t->tcpi_options & TCPI_OPT_WSCALE) != 0;
  switch (f) {
  case PN_F_OPTIONS: value_options(x, v); break;
  case PN_F_SND_WSCALE:
    if (wscale) pn_value_int(v, t->tcpi_snd_wscale);
    break;
  case PN_F_RCV_WSCALE:
    if (wscale) pn_value_int(v, t->tcpi_rcv_wscale);
    break;
  case PN_F_APP_LIMITED:
    pn_value_int(v, t->tcpi_delivery_rate_app_limited);
    break;
  case PN_F_RCV_WND:
    if (x->has_rcv_wnd) pn_value_u64(v, x->rcv_wnd);
    break;
  case PN_F_REHASH:
    if (x->has_rehash) pn_value_u64(v, x->rehash);
    break;
  default: break;
  }
}

/* ---- packet sockets' details ----------------------------------------------- */

/* "running auxdata origdev vnethdr loss": PDI_* as ss -e names them;
 * '' for none. */
static void value_packet_flags(const pn_packetx *p, pn_value *v) {
  static const char *const names[] = {"running", "auxdata", "origdev", "vnethdr",
                                      "loss"}; /* bit 0 up */
  size_t n = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (p->flags & (1u << i)) n = add_word(v->buf, n, names[i]);
  pn_value_buf(v, n);
}

/* The fanout type as ss prints it: its names, else the number in hex. */
static void value_fanout_type(const pn_packetx *p, pn_value *v) {
  static const char *const names[] = {"hash", "lb", "cpu", "roll", "random", "qm"};
  unsigned type = p->fanout >> 16;
  if (type < sizeof names / sizeof names[0]) {
    pn_value_static(v, names[type]);
    return;
  }
  int n = snprintf(v->buf, sizeof v->buf, "0x%x", type & 0xffff);
  pn_value_buf(v, n > 0 ? (size_t)n : 0);
}

/* "0x28 0 0 12, 0x15 0 1 2048, ...": each instruction as ss -b prints it
 * (code, jt, jf, k); '' when the kernel would not tell (no
 * CAP_NET_ADMIN). */
static int value_filter(const pn_sockrow *r, const pn_packetx *p, pn_value *v) {
  const char *bytes = pn_sockset_text(r->set, p->filter_off);
  sqlite3_str *s = sqlite3_str_new(NULL);
  for (uint32_t at = 0; at + sizeof(struct sock_filter) <= p->filter_len;
       at += sizeof(struct sock_filter)) {
    struct sock_filter insn;
    memcpy(&insn, bytes + at, sizeof insn);
    sqlite3_str_appendf(s, "%s0x%02x %u %u %u", at ? ", " : "", insn.code, insn.jt,
                        insn.jf, insn.k);
  }
  int n = sqlite3_str_length(s), err = sqlite3_str_errcode(s);
  char *text = sqlite3_str_finish(s);
  if (err != SQLITE_OK) {
    sqlite3_free(text);
    return SQLITE_NOMEM;
  }
  /* no instruction: the text is NULL */
  if (text)
    pn_value_text(v, text, (size_t)n, PN_TEXT_OWNED, 1);
  else
    pn_value_static(v, "");
  return SQLITE_OK;
}

/* One field of a ring: the rings' columns follow packet_diag_ring's
 * fields, all u32, rx's then tx's. */
static void value_ring(const pn_packetx *p, pn_value *v, pn_field f) {
  enum { FIELDS = PN_F_TX_RING_BLOCK_SIZE - PN_F_RX_RING_BLOCK_SIZE };
  uint32_t w[FIELDS];
  int i = (int)(f - PN_F_RX_RING_BLOCK_SIZE), tx = i >= FIELDS;
  _Static_assert(sizeof(pn_packet_ring) == sizeof w, "a ring is its columns");
  if (!(tx ? p->has_tx_ring : p->has_rx_ring)) return;
  memcpy(w, tx ? &p->tx_ring : &p->rx_ring, sizeof w);
  pn_value_u64(v, w[i % FIELDS]);
}

static int value_packet(const pn_sockrow *r, const pn_sockx *x, pn_value *v,
                        pn_field f) {
  const pn_packetx *p = &x->pk;
  if (f >= PN_F_RX_RING_BLOCK_SIZE && f <= PN_F_TX_RING_FEATURES) {
    value_ring(p, v, f);
    return SQLITE_OK;
  }
  /* PACKET_DIAG_INFO's numbers, in the columns' order */
  static const size_t info_at[] = {
      offsetof(pn_packetx, version), offsetof(pn_packetx, reserve),
      offsetof(pn_packetx, copy_thresh), offsetof(pn_packetx, tstamp)};
  if (f <= PN_F_PACKET_TSTAMP) {
    uint32_t w;
    memcpy(&w, (const char *)p + info_at[f - PN_F_PACKET_VERSION], sizeof w);
    if (p->has_info) pn_value_u64(v, w);
    return SQLITE_OK;
  }
  switch (f) {
  case PN_F_PACKET_FLAGS:
    if (p->has_info) value_packet_flags(p, v);
    break;
  case PN_F_FANOUT_ID:
    if (p->has_fanout) pn_value_u64(v, p->fanout & 0xffff);
    break;
  case PN_F_FANOUT_TYPE:
    if (p->has_fanout) value_fanout_type(p, v);
    break;
  case PN_F_BPF_FILTER:
    if (p->has_filter) return value_filter(r, p, v);
    break;
  default: break;
  }
  return SQLITE_OK;
}

/* The socket memory, every kind's. */
static void value_skmem(const pn_sockx *x, pn_value *v, pn_field f) {
  int i = (int)(f - PN_F_SKMEM_R);
  if (i < x->n_skmem) pn_value_u64(v, x->skmem[i]);
}

/* An IP socket's extensions but the plain numbers of tcp_info. */
static void value_inet_other(const pn_sockx *x, pn_value *v, pn_field f) {
  switch (f) {
  case PN_F_CONGESTION:
    if (x->cong[0]) pn_value_text(v, x->cong, strlen(x->cong), PN_TEXT_ROW, 1);
    return;
  case PN_F_BBR_BW:
    if (x->has_bbr) pn_value_u64(v, x->bbr_bw);
    return;
  case PN_F_BBR_MIN_RTT_US:
    if (x->has_bbr) pn_value_u64(v, x->bbr_min_rtt);
    return;
  case PN_F_BBR_PACING_GAIN:
    if (x->has_bbr) pn_value_u64(v, x->bbr_pacing_gain);
    return;
  case PN_F_BBR_CWND_GAIN:
    if (x->has_bbr) pn_value_u64(v, x->bbr_cwnd_gain);
    return;
  case PN_F_TOS:
    if (x->has_tos) pn_value_int(v, x->tos);
    return;
  case PN_F_TCLASS:
    if (x->has_tclass) pn_value_int(v, x->tclass);
    return;
  default: break;
  }
  /* tcp_info's first 8 bytes are in every version of it */
  if (x->tcp_info_len >= 8) value_tcpi_other(x, v, f);
}

int pn_sockx_value(const pn_sockrow *r, pn_field f, pn_value *v) {
  const pn_sockx *x = pn_sockset_x(r->set, r->s);
  if (!x) return SQLITE_OK;
  if (f >= PN_F_SKMEM_R) {
    value_skmem(x, v, f);
    return SQLITE_OK;
  }
  /* the extras hold an IP socket's details or a packet socket's */
  int packet_field = f >= PN_F_PACKET_VERSION;
  if (packet_field != (r->kind->fmt == PN_FMT_PACKET)) return SQLITE_OK;
  if (packet_field) return value_packet(r, x, v, f);
  const pn_tcpi_place *t = pn_tcpi_place_of(f);
  if (t) { /* most of the columns, first */
    if (x->tcp_info_len >= 8) value_tcpi_number(x, v, t);
    return SQLITE_OK;
  }
  value_inet_other(x, v, f);
  return SQLITE_OK;
}
