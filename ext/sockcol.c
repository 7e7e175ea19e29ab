/*
 * sockcol.c: one record field as a column value; see sockcol.h.
 */
#include "sockcol.h"

#include "sockstore.h"
SQLITE_EXTENSION_INIT3

#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

unsigned pn_field_want(pn_field f, const pn_sockkind *k) {
  int packet = k->fmt == PN_FMT_PACKET;
  if (!k->diag) return 0; /* text is all there is */
  if (f >= PN_F_SKMEM_R) return PN_WANT_MEM;
  /* the details of the other kind are none of this kind's: asking for
   * them would only make its dumps heavier */
  if (f >= PN_F_PACKET_VERSION) return packet ? PN_WANT_INFO : 0;
  if (f >= PN_F_CA_STATE) return packet ? 0 : PN_WANT_INFO;
  if (f == PN_F_INTERFACE && packet) return 0; /* both sources' ifindex */
  if (f >= PN_F_BACKLOG) return PN_WANT_DIAG;
  switch (f) {
  case PN_F_REFCOUNT:
  case PN_F_RETRANSMITS:
  case PN_F_TIMEOUT:
    return PN_WANT_TEXT;
  case PN_F_ADDRESS: /* a unix socket's; the other kinds have none to show */
    return k->fmt == PN_FMT_UNIX ? PN_WANT_TEXT : 0;
  case PN_F_DROPS: /* inet's sock_diag has drops only with the memory
                    * extension; packet_diag's memory is always there */
    return k->fmt == PN_FMT_INET ? PN_WANT_TEXT : packet ? PN_WANT_DIAG : 0;
  case PN_F_PEER_INODE:
    return PN_WANT_DIAG;
  case PN_F_IFINDEX: /* IP: the bound device */
    return k->fmt == PN_FMT_INET ? PN_WANT_DIAG : 0;
  case PN_F_TX_QUEUE: /* packet: not in the text */
    if (packet) return PN_WANT_DIAG;
    /* fall through */
  case PN_F_RX_QUEUE:
  case PN_F_UID:
    return k->fmt == PN_FMT_UNIX ? PN_WANT_DIAG : 0;
  default:
    return 0;
  }
}

static void result_static(sqlite3_context *ctx, const char *s) {
  if (s) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}

static void result_u64(sqlite3_context *ctx, uint64_t v) {
  sqlite3_result_int64(ctx, (sqlite3_int64)v);
}

static void result_addr(sqlite3_context *ctx, int family, const uint8_t *a) {
  char text[46];
  size_t n = pn_format_addr(family, a, text);
  text[n < sizeof text ? n : sizeof text - 1] = '\0';
  /* -1: terminated (see result_options) */
  sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

/* A string of the record's set (a unix path or address). */
static void result_string(const pn_sockrow *r, sqlite3_context *ctx,
                          uint32_t off, uint32_t len) {
  pn_result_text(ctx, pn_sockset_text(r->set, off), len);
}

static const char *family_name(const pn_sockrow *r) {
  switch (r->kind->fmt) {
  case PN_FMT_INET: return pn_inet_family_name(r->s->family);
  case PN_FMT_UNIX: return "UNIX";
  case PN_FMT_PACKET: return "PACKET";
  case PN_FMT_NETLINK: return "NETLINK";
  }
  return NULL;
}

static const char *type_name(const pn_sockrow *r) {
  switch (r->kind->fmt) {
  case PN_FMT_UNIX: return pn_unix_type_name(r->s->type);
  case PN_FMT_PACKET: return pn_packet_type_name(r->s->type);
  case PN_FMT_INET:
  case PN_FMT_NETLINK: break;
  }
  return NULL;
}

static void result_protocol(const pn_sockrow *r, sqlite3_context *ctx) {
  if (r->kind->fmt == PN_FMT_INET)
    sqlite3_result_int(ctx, pn_sock_ipproto(r->kind, r->s));
  else
    result_u64(ctx, r->s->protocol); /* unix: always 0 */
}

/* rx_queue and tx_queue: IP, netlink and (from sock_diag) unix sockets
 * have both; a packet socket its receive memory, and its send memory
 * when read through sock_diag. */
static void result_queue(const pn_sockrow *r, sqlite3_context *ctx, int rx) {
  if (!(r->s->has & PN_SK_QUEUES)) return;
  if (r->kind->fmt == PN_FMT_PACKET && !rx && !(r->s->has & PN_SK_DIAG)) return;
  result_u64(ctx, rx ? r->s->rx_queue : r->s->tx_queue);
}

static void result_port(const pn_sockrow *r, sqlite3_context *ctx, int local) {
  if (r->kind->fmt == PN_FMT_INET)
    sqlite3_result_int(ctx, local ? r->s->local_port : r->s->remote_port);
  else if (r->kind->fmt == PN_FMT_NETLINK && local)
    result_u64(ctx, r->s->portid);
}

static void result_inet_addr(const pn_sockrow *r, sqlite3_context *ctx,
                             int local) {
  if (r->kind->fmt != PN_FMT_INET) return;
  result_addr(ctx, r->s->family, local ? r->s->local_addr : r->s->remote_addr);
}

/* The fields of the text files' timer columns (IP sockets only). */
static void result_timer(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  if (r->kind->fmt != PN_FMT_INET) return;
  switch (f) {
  case PN_F_TIMER: result_static(ctx, pn_timer_name(s->timer)); break;
  case PN_F_TIMER_EXPIRES: sqlite3_result_double(ctx, (double)s->expires_ms / 1000.0); break;
  case PN_F_RETRANSMITS:
    if (s->has & PN_SK_TEXT) result_u64(ctx, s->retransmits);
    break;
  case PN_F_TIMEOUT:
    if (s->has & PN_SK_TEXT) result_u64(ctx, s->probes);
    break;
  default: break;
  }
}

static void result_unix(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  if (r->kind->fmt != PN_FMT_UNIX) return;
  switch (f) {
  case PN_F_PATH:
    if (s->has & PN_SK_PATH) result_string(r, ctx, s->path_off, s->path_len);
    break;
  case PN_F_ADDRESS:
    if (s->has & PN_SK_ADDRESS) result_string(r, ctx, s->addr_off, s->addr_len);
    break;
  case PN_F_FLAGS: result_u64(ctx, s->flags); break;
  case PN_F_PEER_INODE:
    if ((s->has & PN_SK_PEER) && s->peer) result_u64(ctx, s->peer);
    break;
  default: break;
  }
}

/* packet and netlink fields. */
static void result_link(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  pn_sockfmt fmt = r->kind->fmt;
  switch (f) {
  case PN_F_IFINDEX:
    if (fmt == PN_FMT_PACKET || ((s->has & PN_SK_DIAG) && s->ifindex))
      result_u64(ctx, s->ifindex);
    break;
  case PN_F_RUNNING:
    if (fmt == PN_FMT_PACKET) sqlite3_result_int(ctx, s->running);
    break;
  case PN_F_DUMP:
    if (fmt == PN_FMT_NETLINK) sqlite3_result_int(ctx, s->running);
    break;
  case PN_F_PORTID:
    if (fmt == PN_FMT_NETLINK) result_u64(ctx, s->portid);
    break;
  case PN_F_GROUPS:
    if (fmt == PN_FMT_NETLINK) result_u64(ctx, s->flags);
    break;
  default: break;
  }
}

/* ---- sock_diag fields ------------------------------------------------------ */

static void result_interface(const pn_sockrow *r, sqlite3_context *ctx) {
  char name[16];
  const pn_sock *s = r->s;
  int bound = r->kind->fmt == PN_FMT_PACKET || (s->has & PN_SK_DIAG);
  if (!bound || !s->ifindex) return;
  int n = pn_sockrow_ifname(r, s->ifindex, name);
  if (n > 0) sqlite3_result_text(ctx, name, n, SQLITE_TRANSIENT);
}

static void result_diag(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  int diag = (s->has & PN_SK_DIAG) != 0;
  switch (f) {
  case PN_F_BACKLOG:
    if (s->has & PN_SK_BACKLOG) result_u64(ctx, s->backlog);
    break;
  case PN_F_V6ONLY:
    if (s->has & PN_SK_V6ONLY) sqlite3_result_int(ctx, s->v6only);
    break;
  case PN_F_INTERFACE: result_interface(r, ctx); break;
  case PN_F_COOKIE:
    if (diag) result_u64(ctx, s->cookie);
    break;
  case PN_F_CGROUP_ID:
    if (s->has & PN_SK_CGROUP) result_u64(ctx, s->cgroup_id);
    break;
  case PN_F_SHUTDOWN:
    if (s->has & PN_SK_SHUTDOWN) sqlite3_result_int(ctx, s->shutdown);
    break;
  case PN_F_MARK:
    if (s->has & PN_SK_MARK) result_u64(ctx, s->mark);
    break;
  case PN_F_VFS_INODE:
    if (s->has & PN_SK_VFS) result_u64(ctx, s->vfs_inode);
    break;
  case PN_F_VFS_DEV_MAJOR:
    if (s->has & PN_SK_VFS) result_u64(ctx, s->vfs_dev >> 20);
    break;
  case PN_F_VFS_DEV_MINOR:
    if (s->has & PN_SK_VFS) result_u64(ctx, s->vfs_dev & 0xfffff);
    break;
  case PN_F_PENDING:
    if (s->has & PN_SK_PENDING) result_string(r, ctx, s->pend_off, s->pend_len);
    break;
  case PN_F_TIMER_RETRANS:
    if (diag && r->kind->fmt == PN_FMT_INET) sqlite3_result_int(ctx, s->timer_retrans);
    break;
  default: break;
  }
}

/* tcp_info's plain number fields: where each is and how wide, by field
 * (a lookup per column of every row: no search). */
typedef struct tcpi_field {
  unsigned char size;       /* 1, 4 or 8; 0: not a plain number */
  unsigned short off;
} tcpi_field;

#define TCPI(field, member)                                                   \
  [field - PN_F_CA_STATE] = {sizeof(((struct tcp_info *)0)->member),          \
                             offsetof(struct tcp_info, member)}
static const tcpi_field TCPI_FIELDS[PN_F_SKMEM_R - PN_F_CA_STATE] = {
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

/* The place of field f in tcp_info, or NULL when it is no plain number
 * there. */
static const tcpi_field *tcpi_number(pn_field f) {
  if (f < PN_F_CA_STATE || f >= PN_F_SKMEM_R) return NULL;
  const tcpi_field *t = &TCPI_FIELDS[f - PN_F_CA_STATE];
  return t->size ? t : NULL;
}

/* One number of tcp_info, when the kernel sent that far. */
static void result_tcpi_number(const pn_sockx *x, sqlite3_context *ctx,
                               const tcpi_field *t) {
  if (x->tcp_info_len < (size_t)t->off + t->size) return;
  const unsigned char *p = (const unsigned char *)&x->tcp_info + t->off;
  uint64_t v = 0;
  if (t->size == 1) {
    v = *p;
  } else if (t->size == 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    v = w;
  } else {
    memcpy(&v, p, 8);
  }
  result_u64(ctx, v);
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
static void result_options(const pn_sockx *x, sqlite3_context *ctx) {
  static const struct {
    unsigned bit;
    const char *name;
  } opts[] = {{TCPI_OPT_TIMESTAMPS, "ts"}, {TCPI_OPT_SACK, "sack"},
              {TCPI_OPT_ECN, "ecn"}, {TCPI_OPT_ECN_SEEN, "ecnseen"},
              {TCPI_OPT_SYN_DATA, "fastopen"}};
  char text[64]; /* the longest: "ts sack ecn ecnseen fastopen wscale:15,15" */
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
  text[n] = '\0';
  /* -1: SQLite then knows the text is terminated, and need not copy it
   * again when a function reads it as a C string */
  if (n) sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

/* The fields of tcp_info kept outside the number table: bit fields and
 * what came past this build's struct. */
static void result_tcpi_other(const pn_sockx *x, sqlite3_context *ctx, pn_field f) {
  const struct tcp_info *t = &x->tcp_info;
  int wscale = (t->tcpi_options & TCPI_OPT_WSCALE) != 0;
  switch (f) {
  case PN_F_OPTIONS: result_options(x, ctx); break;
  case PN_F_SND_WSCALE:
    if (wscale) sqlite3_result_int(ctx, t->tcpi_snd_wscale);
    break;
  case PN_F_RCV_WSCALE:
    if (wscale) sqlite3_result_int(ctx, t->tcpi_rcv_wscale);
    break;
  case PN_F_APP_LIMITED:
    sqlite3_result_int(ctx, t->tcpi_delivery_rate_app_limited);
    break;
  case PN_F_RCV_WND:
    if (x->has_rcv_wnd) result_u64(ctx, x->rcv_wnd);
    break;
  case PN_F_REHASH:
    if (x->has_rehash) result_u64(ctx, x->rehash);
    break;
  default: break;
  }
}

/* ---- packet sockets' details ----------------------------------------------- */

/* "running auxdata origdev vnethdr loss": PDI_* as ss -e names them;
 * '' for none. */
static void result_packet_flags(const pn_packetx *p, sqlite3_context *ctx) {
  static const char *const names[] = {"running", "auxdata", "origdev", "vnethdr",
                                      "loss"}; /* bit 0 up */
  char text[48];
  size_t n = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (p->flags & (1u << i)) n = add_word(text, n, names[i]);
  sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

/* The fanout type as ss prints it: its names, else the number in hex. */
static void result_fanout_type(const pn_packetx *p, sqlite3_context *ctx) {
  static const char *const names[] = {"hash", "lb", "cpu", "roll", "random", "qm"};
  unsigned type = p->fanout >> 16;
  char hex[8];
  if (type < sizeof names / sizeof names[0]) {
    result_static(ctx, names[type]);
    return;
  }
  snprintf(hex, sizeof hex, "0x%x", type & 0xffff);
  sqlite3_result_text(ctx, hex, -1, SQLITE_TRANSIENT);
}

/* "0x28 0 0 12, 0x15 0 1 2048, ...": each instruction as ss -b prints it
 * (code, jt, jf, k); '' when the kernel would not tell (no
 * CAP_NET_ADMIN). */
static void result_filter(const pn_sockrow *r, const pn_packetx *p,
                          sqlite3_context *ctx) {
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
    sqlite3_result_error_nomem(ctx);
    return;
  }
  /* no instruction: the text is NULL */
  sqlite3_result_text(ctx, text ? text : "", n, text ? sqlite3_free : SQLITE_STATIC);
}

/* One field of a ring: the rings' columns follow packet_diag_ring's
 * fields, all u32, rx's then tx's. */
static void result_ring(const pn_packetx *p, sqlite3_context *ctx, pn_field f) {
  enum { FIELDS = PN_F_TX_RING_BLOCK_SIZE - PN_F_RX_RING_BLOCK_SIZE };
  uint32_t v[FIELDS];
  int i = (int)(f - PN_F_RX_RING_BLOCK_SIZE), tx = i >= FIELDS;
  _Static_assert(sizeof(pn_packet_ring) == sizeof v, "a ring is its columns");
  if (!(tx ? p->has_tx_ring : p->has_rx_ring)) return;
  memcpy(v, tx ? &p->tx_ring : &p->rx_ring, sizeof v);
  result_u64(ctx, v[i % FIELDS]);
}

static void result_packet(const pn_sockrow *r, const pn_sockx *x,
                          sqlite3_context *ctx, pn_field f) {
  const pn_packetx *p = &x->pk;
  if (f >= PN_F_RX_RING_BLOCK_SIZE && f <= PN_F_TX_RING_FEATURES) {
    result_ring(p, ctx, f);
    return;
  }
  /* PACKET_DIAG_INFO's numbers, in the columns' order */
  static const size_t info_at[] = {
      offsetof(pn_packetx, version), offsetof(pn_packetx, reserve),
      offsetof(pn_packetx, copy_thresh), offsetof(pn_packetx, tstamp)};
  if (f <= PN_F_PACKET_TSTAMP) {
    uint32_t v;
    memcpy(&v, (const char *)p + info_at[f - PN_F_PACKET_VERSION], sizeof v);
    if (p->has_info) result_u64(ctx, v);
    return;
  }
  switch (f) {
  case PN_F_PACKET_FLAGS:
    if (p->has_info) result_packet_flags(p, ctx);
    break;
  case PN_F_FANOUT_ID:
    if (p->has_fanout) result_u64(ctx, p->fanout & 0xffff);
    break;
  case PN_F_FANOUT_TYPE:
    if (p->has_fanout) result_fanout_type(p, ctx);
    break;
  case PN_F_BPF_FILTER:
    if (p->has_filter) result_filter(r, p, ctx);
    break;
  default: break;
  }
}

/* The socket memory, every kind's. */
static void result_skmem(const pn_sockx *x, sqlite3_context *ctx, pn_field f) {
  int i = (int)(f - PN_F_SKMEM_R);
  if (i < x->n_skmem) result_u64(ctx, x->skmem[i]);
}

static void result_info(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sockx *x = pn_sockset_x(r->set, r->s);
  if (!x) return;
  if (f >= PN_F_SKMEM_R) {
    result_skmem(x, ctx, f);
    return;
  }
  /* the extras hold an IP socket's details or a packet socket's */
  int packet_field = f >= PN_F_PACKET_VERSION;
  if (packet_field != (r->kind->fmt == PN_FMT_PACKET)) return;
  if (packet_field) {
    result_packet(r, x, ctx, f);
    return;
  }
  const tcpi_field *t = tcpi_number(f);
  if (t) { /* most of the columns, first */
    if (x->tcp_info_len >= 8) result_tcpi_number(x, ctx, t);
    return;
  }
  switch (f) {
  case PN_F_CONGESTION:
    if (x->cong[0]) sqlite3_result_text(ctx, x->cong, -1, SQLITE_TRANSIENT);
    return;
  case PN_F_BBR_BW:
    if (x->has_bbr) result_u64(ctx, x->bbr_bw);
    return;
  case PN_F_BBR_MIN_RTT_US:
    if (x->has_bbr) result_u64(ctx, x->bbr_min_rtt);
    return;
  case PN_F_BBR_PACING_GAIN:
    if (x->has_bbr) result_u64(ctx, x->bbr_pacing_gain);
    return;
  case PN_F_BBR_CWND_GAIN:
    if (x->has_bbr) result_u64(ctx, x->bbr_cwnd_gain);
    return;
  case PN_F_TOS:
    if (x->has_tos) sqlite3_result_int(ctx, x->tos);
    return;
  case PN_F_TCLASS:
    if (x->has_tclass) sqlite3_result_int(ctx, x->tclass);
    return;
  default: break;
  }
  /* tcp_info's first 8 bytes are in every version of it */
  if (x->tcp_info_len >= 8) result_tcpi_other(x, ctx, f);
}

int pn_sock_field(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  if (f >= PN_F_CA_STATE) { /* sock_diag's extensions: most of its columns */
    result_info(r, ctx, f);
    return SQLITE_OK;
  }
  switch (f) {
  case PN_F_KIND: result_static(ctx, r->kind->name); break;
  case PN_F_FAMILY: result_static(ctx, family_name(r)); break;
  case PN_F_INODE: result_u64(ctx, s->inode); break;
  case PN_F_STATE: result_static(ctx, pn_sock_state_name(r->kind, s)); break;
  case PN_F_TYPE: result_static(ctx, type_name(r)); break;
  case PN_F_PROTOCOL: result_protocol(r, ctx); break;
  case PN_F_UID:
    if (s->has & PN_SK_UID) result_u64(ctx, s->uid);
    break;
  case PN_F_RX_QUEUE: result_queue(r, ctx, 1); break;
  case PN_F_TX_QUEUE: result_queue(r, ctx, 0); break;
  case PN_F_REFCOUNT:
    if (s->has & PN_SK_REFCOUNT) result_u64(ctx, s->refcount);
    break;
  case PN_F_DROPS:
    if (s->has & PN_SK_DROPS) result_u64(ctx, s->drops);
    break;
  case PN_F_LOCAL_ADDRESS: result_inet_addr(r, ctx, 1); break;
  case PN_F_REMOTE_ADDRESS: result_inet_addr(r, ctx, 0); break;
  case PN_F_LOCAL_PORT: result_port(r, ctx, 1); break;
  case PN_F_REMOTE_PORT: result_port(r, ctx, 0); break;
  case PN_F_TIMER:
  case PN_F_TIMER_EXPIRES:
  case PN_F_RETRANSMITS:
  case PN_F_TIMEOUT: result_timer(r, ctx, f); break;
  case PN_F_PATH:
  case PN_F_ADDRESS:
  case PN_F_FLAGS:
  case PN_F_PEER_INODE: result_unix(r, ctx, f); break;
  case PN_F_IFINDEX:
  case PN_F_RUNNING:
  case PN_F_DUMP:
  case PN_F_PORTID:
  case PN_F_GROUPS: result_link(r, ctx, f); break;
  case PN_F_NS_PID:
  case PN_F_NETNS: break; /* the module's */
  default: result_diag(r, ctx, f); break;
  }
  return SQLITE_OK;
}
