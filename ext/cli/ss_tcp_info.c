/*
 * ss_tcp_info.c: what `ss -i` prints of a TCP socket (ss's
 * tcp_stats_print), from the sock_diag columns of its tcp_info; see
 * ss_extras.h.
 */
#include "ss_extras.h"

#include <stdio.h>

/* Microseconds as ss's milliseconds (%g). */
static void put_ms(row *r, long long us) {
  char b[64];
  ssx_put(r, b, ss_fmt_milli(b, sizeof b, us));
}

/* A rate in bytes per second as ss's bits per second (%.0f), then "bps". */
static void put_bps(row *r, double bytes_per_s) {
  char b[64];
  ssx_put(r, b, ss_fmt_round(b, sizeof b, bytes_per_s * 8.0));
  ssx_put(r, "bps", 3);
}

static void out_g(row *r, const char *fmt, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, fmt, v);
  ssx_put_text(r, buf);
}

/* Microseconds as ss's milliseconds, when not 0. */
static void out_ms(row *r, const char *name, int a) {
  if (!num(r, a)) return;
  ssx_put_label(r, name);
  put_ms(r, num(r, a));
}

/* The options ts, sack, ecn, ecnseen, fastopen (ss shows them only with
 * -o or -e), the congestion control and the window scales. */
static void out_tcp_flags(row *r, unsigned show) {
  const char *o = text(r, A_OPTIONS);
  static const char *const flags[] = {"ts", "sack", "ecn", "ecnseen", "fastopen"};
  for (size_t i = 0; (show & SS_X_TIMERS) && i < sizeof flags / sizeof flags[0]; i++) {
    size_t n = strlen(flags[i]);
    for (const char *p = o; (p = strstr(p, flags[i])) != NULL; p += n)
      if ((p == o || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
        ssx_putf(r, " %s", flags[i]);
        break;
      }
  }
  if (*text(r, A_CONG)) {
    ssx_put(r, " ", 1);
    ssx_put_text(r, text(r, A_CONG));
  }
  if (has(r, A_SND_WSCALE)) {
    ssx_put_text(r, " wscale:");
    ssx_put_u64(r, unum(r, A_SND_WSCALE));
    ssx_put(r, ",", 1);
    ssx_put_u64(r, unum(r, A_RCV_WSCALE));
  }
}

static void out_tcp_timing(row *r) {
  sqlite3_int64 rto = num(r, A_RTO);
  if (rto && rto != 3000000) out_ms(r, "rto", A_RTO);
  ssx_out_nonzero(r, "backoff", A_BACKOFF);
  if (num(r, A_RTT)) {
    ssx_put_text(r, " rtt:");
    put_ms(r, num(r, A_RTT));
    ssx_put(r, "/", 1);
    put_ms(r, num(r, A_RTTVAR));
  }
  out_ms(r, "ato", A_ATO);
  ssx_out_nonzero(r, "mss", A_MSS);
  ssx_out_nonzero(r, "pmtu", A_PMTU);
  ssx_out_nonzero(r, "rcvmss", A_RCV_MSS);
  ssx_out_nonzero(r, "advmss", A_ADVMSS);
  ssx_out_nonzero(r, "cwnd", A_CWND);
  if (num(r, A_SSTHRESH) && num(r, A_SSTHRESH) < 0xFFFF) ssx_out_nonzero(r, "ssthresh", A_SSTHRESH);
}

static void out_tcp_counts(row *r) {
  ssx_out_nonzero(r, "bytes_sent", A_BYTES_SENT);
  ssx_out_nonzero(r, "bytes_retrans", A_BYTES_RETRANS);
  ssx_out_nonzero(r, "bytes_acked", A_BYTES_ACKED);
  ssx_out_nonzero(r, "bytes_received", A_BYTES_RECEIVED);
  ssx_out_nonzero(r, "segs_out", A_SEGS_OUT);
  ssx_out_nonzero(r, "segs_in", A_SEGS_IN);
  ssx_out_nonzero(r, "data_segs_out", A_DATA_SEGS_OUT);
  ssx_out_nonzero(r, "data_segs_in", A_DATA_SEGS_IN);
}

static void out_bbr(row *r) {
  if (!has(r, A_BBR_BW)) return;
  static const struct {
    const char *label;
    int a;
  } gains[] = {{",pacing_gain:", A_BBR_PGAIN}, {",cwnd_gain:", A_BBR_CGAIN}};
  char b[64];
  ssx_put_text(r, " bbr:(bw:");
  put_bps(r, (double)num(r, A_BBR_BW));
  ssx_put_text(r, ",mrtt:");
  put_ms(r, num(r, A_BBR_MRTT));
  for (size_t i = 0; i < sizeof gains / sizeof gains[0]; i++) {
    if (!num(r, gains[i].a)) continue;
    ssx_put_text(r, gains[i].label);
    ssx_put(r, b, ss_fmt_256ths(b, sizeof b, num(r, gains[i].a)));
  }
  ssx_put(r, ")", 1);
}

/* send, the last packets, pacing and delivery rates. */
static void out_tcp_rates(row *r) {
  double rtt = (double)num(r, A_RTT);
  if (rtt > 0 && num(r, A_MSS) && num(r, A_CWND)) {
    char b[64];
    ssx_put_text(r, " send ");
    ssx_put(r, b, ss_fmt_round(b, sizeof b,
                           (double)num(r, A_CWND) * (double)num(r, A_MSS) * 8000000.0 / rtt));
    ssx_put(r, "bps", 3);
  }
  ssx_out_nonzero(r, "lastsnd", A_LASTSND);
  ssx_out_nonzero(r, "lastrcv", A_LASTRCV);
  ssx_out_nonzero(r, "lastack", A_LASTACK);
  unsigned long long pacing = unum(r, A_PACING), max = unum(r, A_MAX_PACING);
  if (pacing && pacing != ~0ULL) {
    ssx_put_text(r, " pacing_rate ");
    put_bps(r, (double)pacing);
    if (max && max != ~0ULL) {
      ssx_put(r, "/", 1);
      put_bps(r, (double)max);
    }
  }
  if (num(r, A_DELIVERY)) {
    ssx_put_text(r, " delivery_rate ");
    put_bps(r, (double)num(r, A_DELIVERY));
  }
  ssx_out_nonzero(r, "delivered", A_DELIVERED);
  ssx_out_nonzero(r, "delivered_ce", A_DELIVERED_CE);
  if (num(r, A_APP_LIMITED)) ssx_put_text(r, " app_limited");
}

static void out_tcp_busy(row *r) {
  unsigned long long busy = unum(r, A_BUSY);
  if (!busy) return;
  ssx_putf(r, " busy:%llums", busy / 1000);
  static const struct {
    const char *name;
    int a;
  } limits[] = {{"rwnd_limited", A_RWND_LIMITED}, {"sndbuf_limited", A_SNDBUF_LIMITED}};
  for (size_t i = 0; i < 2; i++) {
    unsigned long long v = unum(r, limits[i].a);
    if (!v) continue;
    ssx_putf(r, " %s:%llums", limits[i].name, v / 1000);
    out_g(r, "(%.1f%%)", 100.0 * (double)v / (double)busy);
  }
}

static void out_tcp_losses(row *r) {
  ssx_out_nonzero(r, "unacked", A_UNACKED);
  if (num(r, A_RETRANS) || num(r, A_TOTAL_RETRANS)) {
    ssx_put_text(r, " retrans:");
    ssx_put_u64(r, unum(r, A_RETRANS));
    ssx_put(r, "/", 1);
    ssx_put_u64(r, unum(r, A_TOTAL_RETRANS));
  }
  ssx_out_nonzero(r, "lost", A_LOST);
  if (!is(r, A_STATE, "LISTEN")) ssx_out_nonzero(r, "sacked", A_SACKED);
  ssx_out_nonzero(r, "dsack_dups", A_DSACK_DUPS);
  if (num(r, A_REORDERING) != 3) ssx_putf(r, " reordering:%lld", num(r, A_REORDERING));
  ssx_out_nonzero(r, "reord_seen", A_REORD_SEEN);
  out_ms(r, "rcv_rtt", A_RCV_RTT);
  ssx_out_nonzero(r, "rcv_space", A_RCV_SPACE);
  ssx_out_nonzero(r, "rcv_ssthresh", A_RCV_SSTHRESH);
  ssx_out_nonzero(r, "notsent", A_NOTSENT);
  sqlite3_int64 min_rtt = num(r, A_MIN_RTT);
  if (min_rtt && min_rtt != 0xFFFFFFFF) out_ms(r, "minrtt", A_MIN_RTT);
  ssx_out_nonzero(r, "rcv_ooopack", A_RCV_OOOPACK);
  ssx_out_nonzero(r, "snd_wnd", A_SND_WND);
}

void ssx_tcp_info(row *r, unsigned flags) {
  if (!has(r, A_CWND)) return; /* no tcp_info: a TIME-WAIT socket */
  out_tcp_flags(r, flags);
  out_tcp_timing(r);
  out_tcp_counts(r);
  out_bbr(r);
  out_tcp_rates(r);
  out_tcp_busy(r);
  out_tcp_losses(r);
}
