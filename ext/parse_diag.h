/*
 * parse_diag.h: pure parsers of netlink replies (layer 1, like parse.h).
 *
 * The kernel answers sock_diag requests (NETLINK_SOCK_DIAG: inet_diag for
 * TCP, UDP, UDP-Lite and raw sockets, unix_diag for unix sockets,
 * packet_diag for AF_PACKET sockets) and
 * rtnetlink requests (NETLINK_ROUTE: links and addresses of a namespace)
 * with datagrams of netlink messages, each a fixed header followed by
 * attributes (type, length, value). Everything here takes the bytes of one
 * datagram or one message and fills plain structs: no I/O, no allocation,
 * no SQLite, no state between calls, so that every function can be unit
 * tested on captured replies and fuzzed on its own.
 *
 * Conventions, as in parse.h:
 *  - Input is bytes and a length; nothing is read past buf[len - 1], and
 *    nothing assumes the buffer is aligned (values are copied out with
 *    memcpy, never read through a cast pointer).
 *  - Slices (pn_str, pn_bytes) point into the caller's buffer.
 *  - Parsers return 0, or -1 when the message is malformed (too short for
 *    its fixed header, an attribute that runs past the end); on -1 the
 *    output holds no meaningful data. An attribute of an unknown type is
 *    skipped; a known attribute shorter than its type needs is ignored
 *    (its has_ flag stays 0); a longer one is read for the part that is
 *    known (newer kernels append fields: tcp_info grows).
 */
#ifndef PROCNET_PARSE_DIAG_H
#define PROCNET_PARSE_DIAG_H

#include "parse.h"

#include <linux/tcp.h> /* struct tcp_info, as this build knows it */

/* Bytes (not text) of the caller's buffer. */
typedef struct pn_bytes {
  const uint8_t *p;
  size_t n;
} pn_bytes;

/* ---- netlink messages ------------------------------------------------------
 * One message of a datagram. */
typedef struct pn_nlmsg {
  uint16_t type;            /* nlmsg_type */
  uint16_t flags;           /* nlmsg_flags: NLM_F_MULTI, NLM_F_DUMP_INTR */
  uint32_t seq;
  uint32_t portid;
  pn_bytes payload;         /* after the header, nlmsg_len - 16 bytes */
} pn_nlmsg;

typedef enum pn_nl_step {
  PN_NL_END = 0,            /* no more messages in this datagram */
  PN_NL_MSG,                /* *m is a message (any type but DONE/ERROR) */
  PN_NL_DONE,               /* NLMSG_DONE: the dump is complete; *errcode
                               is the dump's error (positive errno) or 0 */
  PN_NL_ERROR,              /* NLMSG_ERROR: *errcode is the positive errno
                               (0: an acknowledgement, not an error) */
  PN_NL_BAD                 /* a header whose length is below 16 or runs
                               past the datagram, or a DONE or ERROR cut
                               inside its error int: stop reading it */
} pn_nl_step;

/* Steps through the messages of one datagram; *pos starts at 0 and moves
 * past each message (its length rounded up to 4, as the kernel pads). */
pn_nl_step pn_nl_next(const void *buf, size_t len, size_t *pos, pn_nlmsg *m,
                      int *errcode);

/* ---- attributes ------------------------------------------------------------
 * One attribute (struct rtattr / struct nlattr: the two share a layout).
 * The type has the nested and byte-order bits cleared. */
typedef struct pn_nlattr {
  uint16_t type;
  pn_bytes value;
} pn_nlattr;

/* Steps through attributes in buf[0..len); *pos starts at 0. Returns 1 with
 * *a, 0 at the end, -1 when an attribute's length is below 4 or runs past
 * len (the rest cannot be trusted). */
int pn_nlattr_next(const void *buf, size_t len, size_t *pos, pn_nlattr *a);

/* ---- inet_diag: one TCP, UDP, UDP-Lite or raw socket -----------------------
 * The payload of a SOCK_DIAG_BY_FAMILY answer to an inet_diag_req_v2. */
#define PN_SKMEM_N 9        /* SK_MEMINFO_RMEM_ALLOC .. SK_MEMINFO_DROPS */
typedef struct pn_inet_diag {
  int family;               /* 4 or 6 (AF_INET / AF_INET6), else -1 */
  int state;                /* TCP_ESTABLISHED .. TCP_NEW_SYN_RECV (kernel
                               numbers, as /proc/net/tcp's st) */
  int timer;                /* 0 none, 1 retransmit, 2 keepalive,
                               3 TIME_WAIT, 4 zero window probe */
  int retrans;
  uint16_t local_port;      /* host order */
  uint16_t remote_port;
  uint8_t local_addr[16];   /* network order; IPv4 in the first 4 bytes,
                               the rest zero (as pn_inet_sock) */
  uint8_t remote_addr[16];
  uint32_t ifindex;         /* bound device (SO_BINDTODEVICE), 0: none */
  uint64_t cookie;          /* the socket's cookie (ss -e "sk:") */
  uint32_t expires_ms;      /* when the timer fires */
  uint32_t rqueue;          /* listener: connections waiting to be
                               accepted; else bytes to read */
  uint32_t wqueue;          /* listener: the backlog; else bytes unsent */
  uint32_t uid;
  uint64_t inode;

  /* Attributes; has_ says which arrived. */
  int has_shutdown;
  uint8_t shutdown;         /* bit 0: no more receives, bit 1: sends */
  int has_v6only;
  uint8_t v6only;           /* INET_DIAG_SKV6ONLY (IPv6 sockets only) */
  int has_tos;
  uint8_t tos;
  int has_tclass;
  uint8_t tclass;
  int has_mark;
  uint32_t mark;            /* needs CAP_NET_ADMIN */
  int has_class_id;
  uint32_t class_id;
  int has_cgroup_id;
  uint64_t cgroup_id;       /* cgroup v2 id of the socket */
  int has_protocol;
  uint8_t protocol;         /* INET_DIAG_PROTOCOL (raw: the IP protocol) */
  int n_skmem;              /* entries of skmem the kernel sent (<= 9) */
  uint32_t skmem[PN_SKMEM_N]; /* INET_DIAG_SKMEMINFO, SK_MEMINFO_* order */
  int has_meminfo;
  uint32_t meminfo[4];      /* INET_DIAG_MEMINFO: rmem, wmem, fmem, tmem */
  size_t tcp_info_len;      /* bytes of INET_DIAG_INFO copied (0: none):
                               a field exists when it ends within this */
  struct tcp_info tcp_info; /* zero beyond tcp_info_len */
  /* Fields Linux 6.2 appended to tcp_info after tcpi_snd_wnd, which this
   * build's struct may end before; ss -i prints them. */
  int has_rcv_wnd;
  uint32_t rcv_wnd;         /* tcpi_rcv_wnd: "rcv_wnd:" */
  int has_rehash;
  uint32_t rehash;          /* tcpi_rehash: "rehash:" */
  pn_str cong;              /* INET_DIAG_CONG without its NUL ("cubic"),
                               p NULL when absent */
  int has_bbr;              /* INET_DIAG_BBRINFO */
  uint64_t bbr_bw;          /* bytes per second */
  uint32_t bbr_min_rtt;     /* us */
  uint32_t bbr_pacing_gain; /* << 8 */
  uint32_t bbr_cwnd_gain;   /* << 8 */
  int has_vegas;            /* INET_DIAG_VEGASINFO (vegas, and the fields
                               ss prints for it) */
  uint32_t vegas_enabled, vegas_rttcnt, vegas_rtt, vegas_minrtt;
  int has_dctcp;            /* INET_DIAG_DCTCPINFO */
  uint16_t dctcp_enabled, dctcp_ce_state;
  uint32_t dctcp_alpha, dctcp_ab_ecn, dctcp_ab_tot;
} pn_inet_diag;
int pn_parse_inet_diag(const void *payload, size_t len, pn_inet_diag *out);

/* 1 when the tcp_info that arrived holds the whole of `field`, e.g.
 * PN_TCPI_HAS(d, tcpi_delivery_rate). */
#define PN_TCPI_HAS(d, field)                                                \
  ((d)->tcp_info_len >= offsetof(struct tcp_info, field) +                   \
                            sizeof((d)->tcp_info.field))

/* ---- unix_diag: one unix socket -------------------------------------------- */
typedef struct pn_unix_diag {
  int type;                 /* SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5 */
  int state;                /* the socket's sk_state: TCP_ESTABLISHED 1,
                               TCP_SYN_SENT 2, TCP_CLOSE 7, TCP_LISTEN 10 */
  uint64_t inode;
  uint64_t cookie;
  pn_bytes name;            /* UNIX_DIAG_NAME: sun_path as bound, p NULL
                               when unbound; abstract names start with a
                               NUL byte; see pn_unix_diag_path */
  int has_vfs;              /* UNIX_DIAG_VFS: the bound file */
  uint32_t vfs_inode, vfs_dev;
  int has_peer;
  uint32_t peer;            /* UNIX_DIAG_PEER: the peer's inode */
  int has_rqlen;            /* UNIX_DIAG_RQLEN */
  uint32_t rqueue;          /* listener: connections waiting; else bytes */
  uint32_t wqueue;          /* listener: the backlog; else bytes unsent */
  pn_bytes icons;           /* UNIX_DIAG_ICONS: u32 inodes of connections
                               waiting on a listener, p NULL when absent */
  int n_skmem;
  uint32_t skmem[PN_SKMEM_N]; /* UNIX_DIAG_MEMINFO */
  int has_shutdown;
  uint8_t shutdown;
  int has_uid;
  uint32_t uid;             /* UNIX_DIAG_UID */
} pn_unix_diag;
/* A message whose family is not AF_UNIX is malformed (-1). */
int pn_parse_unix_diag(const void *payload, size_t len, pn_unix_diag *out);

/* The name of a unix socket as /proc/net/unix prints it: a path without
 * its trailing NUL; an abstract name as '@' followed by its bytes, each NUL
 * among them printed as '@'. Writes at most cap bytes to out (no NUL
 * added) and returns the length of the whole text, which may exceed cap
 * (sun_path holds at most 108 bytes, so 108 is always enough). */
size_t pn_unix_diag_path(pn_bytes name, char *out, size_t cap);

/* ---- packet_diag: one AF_PACKET socket --------------------------------------
 * The payload of a SOCK_DIAG_BY_FAMILY answer to a packet_diag_req. */
typedef struct pn_packet_ring { /* struct packet_diag_ring */
  uint32_t block_size, block_nr, frame_size, frame_nr;
  uint32_t retire_tmo;      /* ms (TPACKET_V3; 0 before) */
  uint32_t sizeof_priv, features;
} pn_packet_ring;

typedef struct pn_packet_diag {
  int type;                 /* SOCK_RAW 3, SOCK_DGRAM 2 */
  unsigned protocol;        /* the ethertype in host order, as
                               /proc/net/packet prints it (3: ETH_P_ALL) */
  uint64_t inode;
  uint64_t cookie;
  int has_info;             /* PACKET_DIAG_INFO */
  uint32_t ifindex;         /* the bound interface, 0: every one */
  uint32_t version;         /* PACKET_VERSION: TPACKET_V1 0, V2 1, V3 2 */
  uint32_t reserve;         /* PACKET_RESERVE */
  uint32_t copy_thresh;     /* PACKET_COPY_THRESH */
  uint32_t tstamp;          /* PACKET_TIMESTAMP */
  uint32_t flags;           /* PDI_RUNNING, AUXDATA, ORIGDEV, VNETHDR, LOSS */
  int has_uid;
  uint32_t uid;             /* PACKET_DIAG_UID */
  int n_skmem;
  uint32_t skmem[PN_SKMEM_N]; /* PACKET_DIAG_MEMINFO */
  int has_rx_ring, has_tx_ring; /* sent only for a ring set up */
  pn_packet_ring rx_ring, tx_ring;
  int has_fanout;
  uint32_t fanout;          /* the group's id | its type << 16 */
  pn_bytes filter;          /* PACKET_DIAG_FILTER: the classic BPF program
                               (struct sock_filter, 8 bytes each: whole
                               ones only), p NULL when absent; empty (n 0)
                               is what a reader without CAP_NET_ADMIN gets
                               for every socket */
} pn_packet_diag;
/* A message whose family is not AF_PACKET is malformed (-1). */
int pn_parse_packet_diag(const void *payload, size_t len, pn_packet_diag *out);

/* ---- rtnetlink: links and addresses of a namespace ------------------------- */
typedef struct pn_ifinfo {
  int index;
  unsigned flags;           /* IFF_UP, IFF_LOOPBACK, ... */
  pn_str name;              /* IFLA_IFNAME without its NUL, p NULL when
                               absent */
} pn_ifinfo;
/* The payload of an RTM_NEWLINK message (struct ifinfomsg + attributes). */
int pn_parse_ifinfo(const void *payload, size_t len, pn_ifinfo *out);

typedef struct pn_ifaddr {
  int family;               /* 4 or 6, else -1 */
  int prefixlen;
  int index;                /* the interface */
  int scope;
  int has_addr;
  uint8_t addr[16];         /* IFA_LOCAL, else IFA_ADDRESS; network order,
                               IPv4 in the first 4 bytes */
} pn_ifaddr;
/* The payload of an RTM_NEWADDR message (struct ifaddrmsg + attributes). */
int pn_parse_ifaddr(const void *payload, size_t len, pn_ifaddr *out);

#endif
