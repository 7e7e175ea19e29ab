/*
 * ss_extras.h: what the files of procnet_ss_extras() share:
 *   ss_extras.c    the function, its arguments, the writers of its text,
 *                  -o, -e and -m
 *   ss_tcp_info.c  -i: a TCP socket's internals
 *   ss_packet.c    -e and -b: a packet socket's details and filter
 * The arguments are named by the A_ enum, made from the groups below; a
 * file reads them through has(), num(), unum(), text() and is(), and
 * writes through the ssx_ writers, which append to the row's text.
 */
#ifndef PROCNET_CLI_SS_EXTRAS_H
#define PROCNET_CLI_SS_EXTRAS_H

#include "ss.h"

#include <string.h>

/* ---- the arguments ------------------------------------------------------- */

/* In groups: what every socket needs, then what each option needs; the
 * call passes NULL for the groups of options not given (each column read
 * is a call into the sock_diag table). */
#define SS_ARGS_ROW(X)                                                        \
  X(KIND, "ss.kind") X(FAMILY, "ss.family") X(INODE, "ss.inode")              \
  X(STATE, "ss.state") X(COOKIE, "d.cookie")
#define SS_ARGS_TIMERS(X)                                                     \
  X(TIMER, "d.timer") X(EXPIRES, "d.timer_expires") X(TRETRANS, "d.timer_retrans")
#define SS_ARGS_DETAILS(X)                                                    \
  X(UID, "d.uid") X(MARK, "d.mark") X(CGROUP, "d.cgroup_id")                  \
  X(V6ONLY, "d.v6only") X(SHUTDOWN, "d.shutdown") X(VFS_INODE, "d.vfs_inode") \
  X(VFS_MAJOR, "d.vfs_dev_major") X(VFS_MINOR, "d.vfs_dev_minor")             \
  X(PENDING, "d.pending")
#define SS_ARGS_MEMORY(X)                                                     \
  X(SKMEM_R, "d.skmem_r") X(SKMEM_RB, "d.skmem_rb")                           \
  X(SKMEM_T, "d.skmem_t") X(SKMEM_TB, "d.skmem_tb") X(SKMEM_F, "d.skmem_f")   \
  X(SKMEM_W, "d.skmem_w") X(SKMEM_O, "d.skmem_o") X(SKMEM_BL, "d.skmem_bl")   \
  X(SKMEM_D, "d.skmem_d")
#define SS_ARGS_INFO(X)                                                       \
  X(OPTIONS, "d.options") X(CONG, "d.congestion")                             \
  X(SND_WSCALE, "d.snd_wscale") X(RCV_WSCALE, "d.rcv_wscale")                 \
  X(RTO, "d.rto_us") X(BACKOFF, "d.backoff") X(RTT, "d.rtt_us")               \
  X(RTTVAR, "d.rttvar_us") X(ATO, "d.ato_us") X(MSS, "d.snd_mss")             \
  X(PMTU, "d.pmtu") X(RCV_MSS, "d.rcv_mss") X(ADVMSS, "d.advmss")             \
  X(CWND, "d.cwnd") X(SSTHRESH, "d.ssthresh") X(BYTES_SENT, "d.bytes_sent")   \
  X(BYTES_RETRANS, "d.bytes_retrans") X(BYTES_ACKED, "d.bytes_acked")         \
  X(BYTES_RECEIVED, "d.bytes_received") X(SEGS_OUT, "d.segs_out")             \
  X(SEGS_IN, "d.segs_in") X(DATA_SEGS_OUT, "d.data_segs_out")                 \
  X(DATA_SEGS_IN, "d.data_segs_in") X(BBR_BW, "d.bbr_bw")                     \
  X(BBR_MRTT, "d.bbr_min_rtt_us") X(BBR_PGAIN, "d.bbr_pacing_gain")           \
  X(BBR_CGAIN, "d.bbr_cwnd_gain") X(LASTSND, "d.last_send_ms")                \
  X(LASTRCV, "d.last_recv_ms") X(LASTACK, "d.last_ack_ms")                    \
  X(PACING, "d.pacing_rate") X(MAX_PACING, "d.max_pacing_rate")               \
  X(DELIVERY, "d.delivery_rate") X(DELIVERED, "d.delivered")                  \
  X(DELIVERED_CE, "d.delivered_ce") X(APP_LIMITED, "d.app_limited")           \
  X(BUSY, "d.busy_us") X(RWND_LIMITED, "d.rwnd_limited_us")                   \
  X(SNDBUF_LIMITED, "d.sndbuf_limited_us") X(UNACKED, "d.unacked")            \
  X(RETRANS, "d.retrans") X(TOTAL_RETRANS, "d.total_retrans")                 \
  X(LOST, "d.lost") X(SACKED, "d.sacked") X(DSACK_DUPS, "d.dsack_dups")       \
  X(REORDERING, "d.reordering") X(REORD_SEEN, "d.reord_seen")                 \
  X(RCV_RTT, "d.rcv_rtt_us") X(RCV_SPACE, "d.rcv_space")                      \
  X(RCV_SSTHRESH, "d.rcv_ssthresh") X(NOTSENT, "d.notsent_bytes")             \
  X(MIN_RTT, "d.min_rtt_us") X(RCV_OOOPACK, "d.rcv_ooopack")                  \
  X(SND_WND, "d.snd_wnd")

/* A packet socket's details (-e), its rings' fields in the same order
 * for rx and tx, and its filter (-b). */
#define SS_ARGS_PACKET(X)                                                     \
  X(PK_VERSION, "d.packet_version") X(PK_COPY_THRESH, "d.packet_copy_thresh") \
  X(PK_FLAGS, "d.packet_flags") X(RX_BLOCK_SIZE, "d.rx_ring_block_size")      \
  X(RX_BLOCK_NR, "d.rx_ring_block_nr") X(RX_FRAME_SIZE, "d.rx_ring_frame_size") \
  X(RX_FRAME_NR, "d.rx_ring_frame_nr") X(RX_TMO, "d.rx_ring_retire_tmo_ms")    \
  X(RX_FEATURES, "d.rx_ring_features") X(TX_BLOCK_SIZE, "d.tx_ring_block_size") \
  X(TX_BLOCK_NR, "d.tx_ring_block_nr") X(TX_FRAME_SIZE, "d.tx_ring_frame_size") \
  X(TX_FRAME_NR, "d.tx_ring_frame_nr") X(TX_TMO, "d.tx_ring_retire_tmo_ms")    \
  X(TX_FEATURES, "d.tx_ring_features") X(FANOUT_ID, "d.fanout_id")            \
  X(FANOUT_TYPE, "d.fanout_type")
#define SS_ARGS_BPF(X) X(BPF, "d.bpf_filter")

#define AS_ENUM(name, col) A_##name,
enum {
  A_FLAGS,
  SS_ARGS_ROW(AS_ENUM) SS_ARGS_TIMERS(AS_ENUM) SS_ARGS_DETAILS(AS_ENUM)
  SS_ARGS_MEMORY(AS_ENUM) SS_ARGS_INFO(AS_ENUM) SS_ARGS_PACKET(AS_ENUM)
  SS_ARGS_BPF(AS_ENUM) A_COUNT
};

/* ---- reading the arguments -------------------------------------------- */

/* The text being made, on the heap from the start: the function's result
 * is handed to SQLite as it is, not copied (a socket's -i text is a few
 * hundred bytes). */
typedef struct text_out {
  char *p;
  size_t n, cap;
  int oom;
} text_out;

struct cg_map;
typedef struct row {
  sqlite3_value **v;
  text_out out;
  struct cg_map *cg;        /* cgroup paths, walked on first need */
} row;

static inline int has(const row *r, int a) { return sqlite3_value_type(r->v[a]) != SQLITE_NULL; }
static inline sqlite3_int64 num(const row *r, int a) { return sqlite3_value_int64(r->v[a]); }
static inline unsigned long long unum(const row *r, int a) {
  return (unsigned long long)sqlite3_value_int64(r->v[a]);
}
static inline const char *text(const row *r, int a) {
  const unsigned char *t = sqlite3_value_text(r->v[a]);
  return t ? (const char *)t : "";
}
static inline int is(const row *r, int a, const char *word) { return !strcmp(text(r, a), word); }

/* ---- writing (ss_extras.c) ------------------------------------------------
 * Numbers go through ss_number.c (printf's text, mostly without printf:
 * it was most of what -i cost); SQLite's printf does not promise C's %g. */

void ssx_put(row *r, const char *s, size_t n);
void ssx_put_text(row *r, const char *s);
/* SQLite's printf, for what is rare enough not to matter. */
void ssx_putf(row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ssx_put_u64(row *r, unsigned long long v);
/* " name:" */
void ssx_put_label(row *r, const char *name);
/* A value printed as "name:N" when it is not 0, as ss does. */
void ssx_out_nonzero(row *r, const char *name, int a);

/* ---- ss_packet.c ---------------------------------------------------------- */

/* ss's packet_show_sock: what -e prints of a packet socket after ino and
 * sk (its version, copy threshold and flags, its rings, its fanout
 * group), and what -b prints (its classic BPF filter), each after ss's
 * line break. */
void ssx_packet_details(row *r, unsigned flags);
void ssx_packet_filter(row *r, unsigned flags);

/* ---- ss_tcp_info.c -------------------------------------------------------- */

/* ss's tcp_stats_print, in its order: what -i prints of a TCP socket
 * (nothing for one without tcp_info, a TIME-WAIT socket). */
void ssx_tcp_info(row *r, unsigned flags);

#endif
