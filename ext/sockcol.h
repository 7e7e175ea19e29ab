/*
 * sockcol.h: the columns of the socket tables, as fields of a record.
 *
 * Every socket table is a list of fields (its schema's columns in order);
 * a field means the same in every table that has it, and one function
 * gives its value for any kind of socket. A field a kind does not have is
 * NULL (addresses of a unix socket, a path of a TCP one), as is a field
 * its source did not give (sockrec.h).
 */
#ifndef PROCNET_SOCKCOL_H
#define PROCNET_SOCKCOL_H

#include "netscan.h"

typedef enum pn_field {
  /* answered by the module (netscan.c) */
  PN_F_NS_PID,              /* the hidden ns_pid */
  PN_F_NETNS,
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

/* What field f needs from the source of a record of kind k: PN_WANT_*
 * (sockstore.h), 0 when every source has it. */
unsigned pn_field_want(pn_field f, const pn_sockkind *k);

/* Sets the result to field f of the row (NULL when it has none). Not for
 * PN_F_NS_PID and PN_F_NETNS. */
int pn_sock_field(const pn_sockrow *r, sqlite3_context *ctx, pn_field f);

/* The name of interface `ifindex` in the row's namespace into out, or 0
 * when it cannot be known (netscan.c asks the store, sockstore.h). */
int pn_sockrow_ifname(const pn_sockrow *r, uint32_t ifindex, char out[16]);

#endif
