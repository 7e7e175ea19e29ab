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
#include "sockfield.h"

#include <string.h>

/* ---- the fields ---------------------------------------------------------- */

/* What the function reads of the socket's record, in groups: what every
 * socket needs, then what each option needs. */
#define SS_ARGS_ROW(X)                                                            \
  X(KIND, PN_F_KIND) X(FAMILY, PN_F_FAMILY) X(INODE, PN_F_INODE)                  \
  X(STATE, PN_F_STATE) X(COOKIE, PN_F_COOKIE)
#define SS_ARGS_TIMERS(X)                                                         \
  X(TIMER, PN_F_TIMER) X(EXPIRES, PN_F_TIMER_EXPIRES) X(TRETRANS, PN_F_TIMER_RETRANS)
#define SS_ARGS_DETAILS(X)                                                        \
  X(UID, PN_F_UID) X(MARK, PN_F_MARK) X(CGROUP, PN_F_CGROUP_ID)                   \
  X(V6ONLY, PN_F_V6ONLY) X(SHUTDOWN, PN_F_SHUTDOWN) X(VFS_INODE, PN_F_VFS_INODE)  \
  X(VFS_MAJOR, PN_F_VFS_DEV_MAJOR) X(VFS_MINOR, PN_F_VFS_DEV_MINOR)               \
  X(PENDING, PN_F_PENDING)
#define SS_ARGS_MEMORY(X)                                                         \
  X(SKMEM_R, PN_F_SKMEM_R) X(SKMEM_RB, PN_F_SKMEM_RB)                             \
  X(SKMEM_T, PN_F_SKMEM_T) X(SKMEM_TB, PN_F_SKMEM_TB) X(SKMEM_F, PN_F_SKMEM_F)    \
  X(SKMEM_W, PN_F_SKMEM_W) X(SKMEM_O, PN_F_SKMEM_O) X(SKMEM_BL, PN_F_SKMEM_BL)    \
  X(SKMEM_D, PN_F_SKMEM_D)
#define SS_ARGS_INFO(X)                                                           \
  X(OPTIONS, PN_F_OPTIONS) X(CONG, PN_F_CONGESTION)                               \
  X(SND_WSCALE, PN_F_SND_WSCALE) X(RCV_WSCALE, PN_F_RCV_WSCALE)                   \
  X(RTO, PN_F_RTO_US) X(BACKOFF, PN_F_BACKOFF) X(RTT, PN_F_RTT_US)                \
  X(RTTVAR, PN_F_RTTVAR_US) X(ATO, PN_F_ATO_US) X(MSS, PN_F_SND_MSS)              \
  X(PMTU, PN_F_PMTU) X(RCV_MSS, PN_F_RCV_MSS) X(ADVMSS, PN_F_ADVMSS)              \
  X(CWND, PN_F_CWND) X(SSTHRESH, PN_F_SSTHRESH) X(BYTES_SENT, PN_F_BYTES_SENT)    \
  X(BYTES_RETRANS, PN_F_BYTES_RETRANS) X(BYTES_ACKED, PN_F_BYTES_ACKED)           \
  X(BYTES_RECEIVED, PN_F_BYTES_RECEIVED) X(SEGS_OUT, PN_F_SEGS_OUT)               \
  X(SEGS_IN, PN_F_SEGS_IN) X(DATA_SEGS_OUT, PN_F_DATA_SEGS_OUT)                   \
  X(DATA_SEGS_IN, PN_F_DATA_SEGS_IN) X(BBR_BW, PN_F_BBR_BW)                       \
  X(BBR_MRTT, PN_F_BBR_MIN_RTT_US) X(BBR_PGAIN, PN_F_BBR_PACING_GAIN)             \
  X(BBR_CGAIN, PN_F_BBR_CWND_GAIN) X(LASTSND, PN_F_LAST_SEND_MS)                  \
  X(LASTRCV, PN_F_LAST_RECV_MS) X(LASTACK, PN_F_LAST_ACK_MS)                      \
  X(PACING, PN_F_PACING_RATE) X(MAX_PACING, PN_F_MAX_PACING_RATE)                 \
  X(DELIVERY, PN_F_DELIVERY_RATE) X(DELIVERED, PN_F_DELIVERED)                    \
  X(DELIVERED_CE, PN_F_DELIVERED_CE) X(APP_LIMITED, PN_F_APP_LIMITED)             \
  X(BUSY, PN_F_BUSY_US) X(RWND_LIMITED, PN_F_RWND_LIMITED_US)                     \
  X(SNDBUF_LIMITED, PN_F_SNDBUF_LIMITED_US) X(UNACKED, PN_F_UNACKED)              \
  X(RETRANS, PN_F_RETRANS) X(TOTAL_RETRANS, PN_F_TOTAL_RETRANS)                   \
  X(LOST, PN_F_LOST) X(SACKED, PN_F_SACKED) X(DSACK_DUPS, PN_F_DSACK_DUPS)        \
  X(REORDERING, PN_F_REORDERING) X(REORD_SEEN, PN_F_REORD_SEEN)                   \
  X(RCV_RTT, PN_F_RCV_RTT_US) X(RCV_SPACE, PN_F_RCV_SPACE)                        \
  X(RCV_SSTHRESH, PN_F_RCV_SSTHRESH) X(NOTSENT, PN_F_NOTSENT_BYTES)               \
  X(MIN_RTT, PN_F_MIN_RTT_US) X(RCV_OOOPACK, PN_F_RCV_OOOPACK)                    \
  X(SND_WND, PN_F_SND_WND)

/* A packet socket's details (-e), its rings' fields in the same order
 * for rx and tx, and its filter (-b). */
#define SS_ARGS_PACKET(X)                                                         \
  X(PK_VERSION, PN_F_PACKET_VERSION) X(PK_COPY_THRESH, PN_F_PACKET_COPY_THRESH)   \
  X(PK_FLAGS, PN_F_PACKET_FLAGS) X(RX_BLOCK_SIZE, PN_F_RX_RING_BLOCK_SIZE)        \
  X(RX_BLOCK_NR, PN_F_RX_RING_BLOCK_NR) X(RX_FRAME_SIZE, PN_F_RX_RING_FRAME_SIZE) \
  X(RX_FRAME_NR, PN_F_RX_RING_FRAME_NR) X(RX_TMO, PN_F_RX_RING_RETIRE_TMO_MS)     \
  X(RX_FEATURES, PN_F_RX_RING_FEATURES) X(TX_BLOCK_SIZE, PN_F_TX_RING_BLOCK_SIZE) \
  X(TX_BLOCK_NR, PN_F_TX_RING_BLOCK_NR) X(TX_FRAME_SIZE, PN_F_TX_RING_FRAME_SIZE) \
  X(TX_FRAME_NR, PN_F_TX_RING_FRAME_NR) X(TX_TMO, PN_F_TX_RING_RETIRE_TMO_MS)     \
  X(TX_FEATURES, PN_F_TX_RING_FEATURES) X(FANOUT_ID, PN_F_FANOUT_ID)              \
  X(FANOUT_TYPE, PN_F_FANOUT_TYPE)
#define SS_ARGS_BPF(X) X(BPF, PN_F_BPF_FILTER)

#define AS_ENUM(name, field) A_##name,
enum {
  SS_ARGS_ROW(AS_ENUM) SS_ARGS_TIMERS(AS_ENUM) SS_ARGS_DETAILS(AS_ENUM)
  SS_ARGS_MEMORY(AS_ENUM) SS_ARGS_INFO(AS_ENUM) SS_ARGS_PACKET(AS_ENUM)
  SS_ARGS_BPF(AS_ENUM) A_COUNT
};

/* ---- reading the fields -------------------------------------------------- */

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
  const pn_sockrow *rec;    /* the socket's sock_diag row (sockcol.h) */
  const unsigned char *tcpi; /* its tcp_info, or NULL (pn_sock_tcp_info) */
  size_t tcpi_len;
  const pn_tcpi_place *const *places; /* where each field is in it */
  pn_value v[A_COUNT];      /* each field, read on first use */
  unsigned char got[A_COUNT];
  int owned;                /* some value owns its text (to free) */
  text_out out;
  struct cg_map *cg;        /* cgroup paths, walked on first need */
} row;

/* Field a of the row: read once, then kept for the row's other uses (a
 * text stays where it is until the row is done). */
pn_value *ssx_read_field(row *r, int a);
static inline pn_value *ssx_field(row *r, int a) {
  return r->got[a] ? &r->v[a] : ssx_read_field(r, a);
}

static inline int has(row *r, int a) { return ssx_field(r, a)->type != SQLITE_NULL; }
static inline sqlite3_int64 num(row *r, int a) {
  const pn_value *v = ssx_field(r, a);
  return v->type == SQLITE_INTEGER ? v->i : v->type == SQLITE_FLOAT ? (sqlite3_int64)v->d : 0;
}
static inline unsigned long long unum(row *r, int a) { return (unsigned long long)num(r, a); }
static inline double dnum(row *r, int a) {
  const pn_value *v = ssx_field(r, a);
  return v->type == SQLITE_FLOAT ? v->d : v->type == SQLITE_INTEGER ? (double)v->i : 0.0;
}
/* A text field as a C string, "" for NULL (and when out of memory, which
 * the row's text then tells). */
const char *ssx_text(row *r, int a);
static inline const char *text(row *r, int a) { return ssx_text(r, a); }
static inline int is(row *r, int a, const char *word) { return !strcmp(text(r, a), word); }

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
