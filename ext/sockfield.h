/*
 * sockfield.h: the fields of a socket record (sockcol.h) and their values
 * as C reads them. What code outside the tables may include (the procnet
 * command's functions): no sqlite3ext.h, no netscan internals.
 */
#ifndef PROCNET_SOCKFIELD_H
#define PROCNET_SOCKFIELD_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pn_sockrow pn_sockrow;

typedef enum pn_field {
  /* answered by the module (netscan.c) */
  PN_F_NS_PID,              /* the hidden ns_pid */
  PN_F_NETNS,
  /* the row itself, for C functions that read it (below) */
  PN_F_RECORD,
  /* every kind */
  PN_F_KIND,                /* tcp, udp, ..., unix, packet, netlink */
  PN_F_FAMILY,              /* IPv4, IPv6, UNIX, PACKET, NETLINK */
  PN_F_INODE,
  PN_F_STATE,
  PN_F_TYPE,                /* unix STREAM...; packet RAW, DGRAM */
  PN_F_PROTOCOL,            /* IPPROTO_*, ethertype, netlink family, 0 */
  PN_F_UID,
  PN_F_RX_QUEUE,
  PN_F_TX_QUEUE,
  PN_F_REFCOUNT,
  PN_F_DROPS,
  /* IP sockets */
  PN_F_LOCAL_ADDRESS,
  PN_F_LOCAL_PORT,          /* netlink: the port id */
  PN_F_REMOTE_ADDRESS,
  PN_F_REMOTE_PORT,
  PN_F_TIMER,
  PN_F_TIMER_EXPIRES,       /* seconds */
  PN_F_RETRANSMITS,
  PN_F_TIMEOUT,             /* unanswered probes, as the text names it */
  /* unix sockets */
  PN_F_PATH,
  PN_F_PEER_INODE,
  PN_F_FLAGS,
  PN_F_ADDRESS,             /* the kernel address, as text */
  /* packet and netlink sockets */
  PN_F_IFINDEX,             /* packet: its interface; IP: bound device */
  PN_F_RUNNING,
  PN_F_PORTID,
  PN_F_GROUPS,
  PN_F_DUMP,
  /* sock_diag */
  PN_F_BACKLOG,             /* a listener's maximum accept queue */
  PN_F_V6ONLY,
  PN_F_INTERFACE,           /* IP: the bound device; packet: its
                               interface; the name in the socket's own
                               namespace (rtnetlink) */
  PN_F_COOKIE,
  PN_F_CGROUP_ID,
  PN_F_SHUTDOWN,            /* 0..3: bit 0 no more receives, bit 1 sends */
  PN_F_TIMER_RETRANS,       /* what ss -o shows last in timer:(...) */
  PN_F_MARK,                /* SO_MARK (seen with CAP_NET_ADMIN) */
  PN_F_VFS_INODE,           /* unix: the bound file's inode */
  PN_F_VFS_DEV_MAJOR,       /* and its device */
  PN_F_VFS_DEV_MINOR,
  PN_F_PENDING,             /* unix listener: inodes of the connections
                               waiting to be accepted, blank-separated */
  /* sock_diag on request (PN_WANT_INFO): TCP internals, from tcp_info,
   * and the congestion control */
  PN_F_CA_STATE,
  PN_F_TCPI_RETRANSMITS,
  PN_F_PROBES,
  PN_F_BACKOFF,
  PN_F_OPTIONS,             /* "ts sack ecn ecnseen fastopen wscale:7,7" */
  PN_F_SND_WSCALE,
  PN_F_RCV_WSCALE,
  PN_F_APP_LIMITED,
  PN_F_RTO_US,
  PN_F_ATO_US,
  PN_F_SND_MSS,
  PN_F_RCV_MSS,
  PN_F_UNACKED,
  PN_F_SACKED,
  PN_F_LOST,
  PN_F_RETRANS,
  PN_F_LAST_SEND_MS,
  PN_F_LAST_RECV_MS,
  PN_F_LAST_ACK_MS,
  PN_F_PMTU,
  PN_F_RCV_SSTHRESH,
  PN_F_RTT_US,
  PN_F_RTTVAR_US,
  PN_F_SSTHRESH,
  PN_F_CWND,
  PN_F_ADVMSS,
  PN_F_REORDERING,
  PN_F_RCV_RTT_US,
  PN_F_RCV_SPACE,
  PN_F_TOTAL_RETRANS,
  PN_F_PACING_RATE,
  PN_F_MAX_PACING_RATE,
  PN_F_BYTES_ACKED,
  PN_F_BYTES_RECEIVED,
  PN_F_SEGS_OUT,
  PN_F_SEGS_IN,
  PN_F_NOTSENT_BYTES,
  PN_F_MIN_RTT_US,
  PN_F_DATA_SEGS_IN,
  PN_F_DATA_SEGS_OUT,
  PN_F_DELIVERY_RATE,
  PN_F_BUSY_US,
  PN_F_RWND_LIMITED_US,
  PN_F_SNDBUF_LIMITED_US,
  PN_F_DELIVERED,
  PN_F_DELIVERED_CE,
  PN_F_BYTES_SENT,
  PN_F_BYTES_RETRANS,
  PN_F_DSACK_DUPS,
  PN_F_REORD_SEEN,
  PN_F_RCV_OOOPACK,
  PN_F_SND_WND,
  PN_F_RCV_WND,
  PN_F_REHASH,
  PN_F_CONGESTION,
  PN_F_BBR_BW,
  PN_F_BBR_MIN_RTT_US,
  PN_F_BBR_PACING_GAIN,
  PN_F_BBR_CWND_GAIN,
  PN_F_TOS,
  PN_F_TCLASS,
  /* sock_diag on request (PN_WANT_INFO) for packet sockets: what ss -e
   * and -b print of them */
  PN_F_PACKET_VERSION,      /* TPACKET_V1 0, V2 1, V3 2 */
  PN_F_PACKET_RESERVE,
  PN_F_PACKET_COPY_THRESH,
  PN_F_PACKET_TSTAMP,
  PN_F_PACKET_FLAGS,        /* "running auxdata origdev vnethdr loss" */
  PN_F_RX_RING_BLOCK_SIZE,  /* the rings: struct packet_diag_ring's */
  PN_F_RX_RING_BLOCK_NR,    /* fields in order, rx then tx (sockcol.c */
  PN_F_RX_RING_FRAME_SIZE,  /* counts on it) */
  PN_F_RX_RING_FRAME_NR,
  PN_F_RX_RING_RETIRE_TMO_MS,
  PN_F_RX_RING_SIZEOF_PRIV,
  PN_F_RX_RING_FEATURES,
  PN_F_TX_RING_BLOCK_SIZE,
  PN_F_TX_RING_BLOCK_NR,
  PN_F_TX_RING_FRAME_SIZE,
  PN_F_TX_RING_FRAME_NR,
  PN_F_TX_RING_RETIRE_TMO_MS,
  PN_F_TX_RING_SIZEOF_PRIV,
  PN_F_TX_RING_FEATURES,
  PN_F_FANOUT_ID,
  PN_F_FANOUT_TYPE,         /* as ss names it: hash, lb, cpu, roll, ... */
  PN_F_BPF_FILTER,          /* the classic BPF program, as ss -b prints
                               its instructions */
  /* sock_diag on request (PN_WANT_MEM): socket memory, ss -m's skmem */
  PN_F_SKMEM_R,
  PN_F_SKMEM_RB,
  PN_F_SKMEM_T,
  PN_F_SKMEM_TB,
  PN_F_SKMEM_F,
  PN_F_SKMEM_W,
  PN_F_SKMEM_O,
  PN_F_SKMEM_BL,
  PN_F_SKMEM_D
} pn_field;

/* ---- a field's value -------------------------------------------------------
 * The same value xColumn gives SQLite, for C code that reads a row
 * through its record (PN_F_RECORD): no SQLite value is made. */

enum {
  PN_TEXT_STATIC,           /* text lives as long as the program */
  PN_TEXT_ROW,              /* while the cursor stays on the row, or in
                               the value's own buf */
  PN_TEXT_OWNED             /* sqlite3_malloc'd, the value's to free */
};

typedef struct pn_value {
  int type;                 /* SQLITE_NULL, _INTEGER, _FLOAT or _TEXT */
  sqlite3_int64 i;
  double d;
  const char *text;         /* n bytes */
  size_t n;
  unsigned char life;       /* PN_TEXT_* */
  unsigned char terminated; /* text[n] is a NUL (all but the set's
                               strings: unix paths, pending inodes) */
  char buf[64];             /* short texts made for the value */
} pn_value;

/* Field f of the row into *v (SQLITE_NULL when it has none; always for
 * PN_F_NS_PID, PN_F_NETNS and PN_F_RECORD, which are the module's).
 * SQLITE_OK, or SQLITE_NOMEM (v is NULL then). pn_value_clear after. */
int pn_sock_value(const pn_sockrow *r, pn_field f, pn_value *v);
/* Frees what v owns; v is NULL after. */
void pn_value_clear(pn_value *v);
/* v's text terminated (a text of the set's strings is copied to do it);
 * NULL when out of memory. Only for SQLITE_TEXT values. */
const char *pn_value_cstr(pn_value *v);

/* ---- tcp_info's numbers, for a reader of many of them -----------------------
 * pn_sock_value gives them too; this way a row's are read without a call
 * per field (procnet ss -i reads 45 of them a socket). */

/* Where a plain number of tcp_info is, and how wide (1, 4 or 8 bytes). */
typedef struct pn_tcpi_place {
  unsigned char size;
  unsigned short off;
} pn_tcpi_place;

/* The place of field f in tcp_info, or NULL when f is no plain number
 * there. */
const pn_tcpi_place *pn_tcpi_place_of(pn_field f);
/* The row's tcp_info (*len: the bytes of it the kernel sent), or NULL
 * when it has none: then every tcp_info field of the row is NULL, else
 * the one at place p is there when *len >= p->off + p->size. */
const unsigned char *pn_sock_tcp_info(const pn_sockrow *r, size_t *len);

static inline sqlite3_uint64 pn_tcpi_read(const unsigned char *info, const pn_tcpi_place *p) {
  const unsigned char *at = info + p->off;
  if (p->size == 1) return *at;
  if (p->size == 4) {
    uint32_t w;
    memcpy(&w, at, 4);
    return w;
  }
  sqlite3_uint64 w;
  memcpy(&w, at, 8);
  return w;
}

/* ---- the row as a column ----------------------------------------------------
 * PN_F_RECORD's value is the row (const pn_sockrow *) through SQLite's
 * pointer-passing interface, of type PN_SOCKROW_POINTER: only C code that
 * names that type can read it (sqlite3_value_pointer), SQL sees NULL.
 * The pointer is good while the cursor stays on the row: until its next
 * xNext, xFilter or xClose. The record and its set live longer (the
 * store's snapshots stay where they are while any cursor of the
 * connection is open, sockstore.h; records of a snapshot a stream fills
 * never move, sockstream.h), but the row's place in the cursor is reused.
 * So read it only in the function call that is passed it: a pointer value
 * is never stored (a sorter or a temporary table keeps NULL). Its column
 * asks for all that sock_diag can tell of the kind (PN_WANT_DIAG, _INFO
 * and _MEM), since its reader may read any of it; the text files' own
 * fields (refcount, the text's retransmits and timeout) are NULL in it
 * unless another column of the query asks for them. */
#define PN_SOCKROW_POINTER "procnet_sockrow"

#endif
