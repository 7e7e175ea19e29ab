/*
 * sockrec.h: the socket record, the unit every socket table reads.
 *
 * A record is one socket, normalised: whichever source filled it (the
 * /proc/PID/net text files, or sock_diag over netlink), a field means the
 * same thing and is in the same units. Fields that only one source knows
 * are flagged in `has`; a table shows NULL where a record lacks them.
 *
 *   source  text files             sock_diag
 *   inet    everything but below   + backlog, v6only, bound device,
 *           + refcount, retrans-      cookie, cgroup, shutdown, and on
 *             mits, probes, drops     request TCP internals and memory
 *   unix    + refcount, address   + queues, backlog, peer, cookie, uid
 *   packet  + refcount            + cookie, send queue, drops, and on
 *                                    request rings, fanout, filter,
 *                                    version and memory
 *   netlink: text only
 *
 * Records live in snapshots (sockstore.h); the text of unix paths and
 * addresses lives in the snapshot's string pool, and the netlink extras
 * (pn_sockx) in the snapshot's extras array, both found through offsets so
 * that records can move when their array grows.
 */
#ifndef PROCNET_SOCKREC_H
#define PROCNET_SOCKREC_H

#include "parse_diag.h"
#include "prefault.h"
#include "procfs.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pn_sockfmt {
  PN_FMT_INET,
  PN_FMT_UNIX,
  PN_FMT_PACKET,
  PN_FMT_NETLINK
} pn_sockfmt;

/* A kind of socket: which /proc/net files hold it and how sock_diag names
 * it. */
typedef struct pn_sockkind {
  const char *name;         /* sockets.kind: "tcp", "udp", "unix", ... */
  pn_sockfmt fmt;
  const char *files[2];     /* under PID/net/: {"tcp", "tcp6"}; with
                               sock_diag, file 0 is AF_INET, 1 AF_INET6 */
  int has_drops;            /* inet files whose last field is drops */
  int ipproto;              /* inet: IPPROTO_*; -1: raw (the "port") */
  int diag;                 /* sock_diag can dump this kind */
} pn_sockkind;

extern const pn_sockkind pn_kind_tcp, pn_kind_udp, pn_kind_udplite,
    pn_kind_raw, pn_kind_icmp, pn_kind_unix, pn_kind_packet, pn_kind_netlink;

/* What a reader needs from a source: the fields that not every source
 * has (see the table above). */
#define PN_WANT_TEXT 0x1    /* fields of the text files only */
#define PN_WANT_DIAG 0x2    /* fields of sock_diag only */
#define PN_WANT_INFO 0x4    /* sock_diag extensions: TCP internals; a
                               packet socket's rings, fanout, filter */
#define PN_WANT_MEM 0x8     /* sock_diag extensions: socket memory */
#define PN_WANT_SNAP 0xf    /* all of them */

/* pn_sock.has: which optional fields a record holds. */
enum {
  PN_SK_UID = 1u << 0,      /* uid */
  PN_SK_TEXT = 1u << 1,     /* the text files' own fields: refcount, and
                               for inet retransmits and probes */
  PN_SK_DROPS = 1u << 2,    /* drops */
  PN_SK_DIAG = 1u << 3,     /* read through sock_diag: cookie, shutdown,
                               inet ifindex (bound device), packet
                               tx_queue */
  PN_SK_BACKLOG = 1u << 4,  /* backlog (listeners) */
  PN_SK_V6ONLY = 1u << 5,   /* v6only (IPv6 sockets) */
  PN_SK_CGROUP = 1u << 6,   /* cgroup_id */
  PN_SK_QUEUES = 1u << 7,   /* rx_queue, tx_queue (always for inet,
                               packet and netlink; unix from sock_diag) */
  PN_SK_PEER = 1u << 8,     /* peer (unix, from sock_diag; 0: none) */
  PN_SK_PATH = 1u << 9,     /* path (unix: bound) */
  PN_SK_ADDRESS = 1u << 10, /* address (unix: the kernel address, text) */
  PN_SK_REFCOUNT = 1u << 11, /* refcount */
  PN_SK_SHUTDOWN = 1u << 12, /* shutdown (sock_diag tells it of full
                               sockets, not of TIME_WAIT ones) */
  PN_SK_MARK = 1u << 13,    /* mark (sock_diag, with CAP_NET_ADMIN) */
  PN_SK_VFS = 1u << 14,     /* unix: vfs_inode, vfs_dev (bound to a path) */
  PN_SK_PENDING = 1u << 15  /* unix listener: pending (connections waiting) */
};

typedef struct pn_sock {
  uint64_t inode;           /* 0: TIME_WAIT, SYN_RECV, an embryo */
  uint64_t rx_queue;        /* bytes to read; a listener: connections
                               waiting to be accepted */
  uint64_t tx_queue;        /* bytes not yet sent (0 for a listener) */
  uint64_t cookie;
  uint64_t cgroup_id;
  uint32_t uid;
  uint32_t refcount;
  uint32_t drops;
  uint32_t expires_ms;      /* inet: when the timer fires, from now */
  uint32_t retransmits;     /* inet, text: the retransmit count */
  uint32_t probes;          /* inet, text: unanswered probes ("timeout") */
  uint32_t backlog;         /* a listener's maximum accept queue */
  uint32_t peer;            /* unix: the peer's inode */
  uint32_t ifindex;         /* inet: bound device; packet: interface */
  uint32_t protocol;        /* inet: IPPROTO_*; packet: ethertype;
                               netlink: netlink family; unix: 0 */
  uint32_t flags;           /* unix: Flags (0x10000 listening);
                               netlink: groups */
  uint32_t portid;          /* netlink */
  uint32_t path_off, path_len; /* unix path, in the snapshot's strings */
  uint32_t addr_off, addr_len; /* unix address (Num), the same */
  uint32_t pend_off, pend_len; /* unix listener: the inodes of the
                               connections waiting, blank-separated, the
                               same */
  uint32_t mark;            /* SO_MARK */
  uint32_t vfs_inode;       /* unix: the inode of the bound file */
  uint32_t vfs_dev;         /* and its device, major << 20 | minor */
  uint32_t x;               /* 1 + index of the extras, 0: none */
  uint32_t has;             /* PN_SK_* */
  uint16_t local_port;
  uint16_t remote_port;
  uint8_t local_addr[16];   /* network order, IPv4 in the first 4 bytes */
  uint8_t remote_addr[16];
  uint8_t family;           /* inet: 4 or 6; 0 for the other kinds */
  uint8_t state;            /* inet: TCP_* (1 ESTABLISHED .. 11 CLOSING);
                               unix: St as the text prints it (1
                               UNCONNECTED .. 4 DISCONNECTING) */
  uint8_t type;             /* unix, packet: SOCK_STREAM, SOCK_DGRAM, ... */
  uint8_t timer;            /* inet: 0 none, 1 retransmit, 2 keepalive,
                               3 TIME_WAIT, 4 zero window probe */
  uint8_t shutdown;         /* bit 0 no more receives, bit 1 no more sends */
  uint8_t v6only;
  uint8_t running;          /* packet: running; netlink: a dump running */
  uint8_t timer_retrans;    /* sock_diag: what ss -o shows last in its
                               timer: retransmits, or the probes sent by a
                               keepalive or zero window timer */
} pn_sock;

/* What packet_diag tells of a packet socket on request. */
typedef struct pn_packetx {
  int has_info;
  uint32_t version, reserve, copy_thresh, tstamp, flags; /* PDI_* flags */
  int has_rx_ring, has_tx_ring;
  pn_packet_ring rx_ring, tx_ring;
  int has_fanout;
  uint32_t fanout;          /* id | type << 16 */
  int has_filter;           /* an empty one: not ours to see */
  uint32_t filter_off, filter_len; /* its struct sock_filter bytes, in
                               the snapshot's strings */
} pn_packetx;

/* What sock_diag tells on request (extensions), kept apart from the
 * records: only queries that ask for it pay for its memory. The socket
 * memory is every kind's; the rest is an IP socket's or a packet
 * socket's, never both (the record's kind says which). */
typedef struct pn_sockx {
  int n_skmem;
  uint32_t skmem[PN_SKMEM_N];
  union {
    struct { /* IP sockets */
      size_t tcp_info_len;  /* bytes of tcp_info that arrived (0: none) */
      struct tcp_info tcp_info;
      int has_rcv_wnd;      /* tcp_info fields past this build's struct */
      uint32_t rcv_wnd;
      int has_rehash;
      uint32_t rehash;
      char cong[16];        /* congestion control, "" when unknown */
      int has_bbr;
      uint64_t bbr_bw;
      uint32_t bbr_min_rtt, bbr_pacing_gain, bbr_cwnd_gain;
      int has_tos;
      uint8_t tos;
      int has_tclass;
      uint8_t tclass;
    };
    pn_packetx pk;          /* packet sockets */
  };
} pn_sockx;

/* The state of a record as its table shows it: the kernel's names for inet
 * (ESTABLISHED, LISTEN, CLOSE for an unconnected UDP socket, ...), and
 * LISTEN, UNCONNECTED, CONNECTING, CONNECTED, DISCONNECTING for unix. NULL
 * when unknown or for kinds without states. */
const char *pn_sock_state_name(const pn_sockkind *k, const pn_sock *s);
/* The protocol number of an inet record (IPPROTO_*, the raw "port"). */
int pn_sock_ipproto(const pn_sockkind *k, const pn_sock *s);
/* "IPv4"/"IPv6". */
const char *pn_inet_family_name(int family);
/* STREAM, DGRAM, SEQPACKET; NULL for others. */
const char *pn_unix_type_name(int type);
/* RAW, DGRAM; NULL for others. */
const char *pn_packet_type_name(int type);
/* off, on, keepalive, timewait, probe (netstat -o's names); NULL. */
const char *pn_timer_name(int timer);

/* ---- a set of records ------------------------------------------------------
 * What a source fills: the records of one file of one kind in one
 * namespace, their strings and their extras. Memory from sqlite3_malloc. */
typedef struct pn_sockset {
  pn_sock *v;               /* the records, in vmem */
  size_t n;
  pn_buf strings;           /* unix paths and addresses, packet filters */
  pn_sockx *x;              /* the extras, in xmem */
  size_t nx;
  pn_big vmem, xmem;        /* megabytes at 10,000 sockets (prefault.h) */
} pn_sockset;

/* Appends a copy of *s; returns it, or NULL when out of memory. */
pn_sock *pn_sockset_push(pn_sockset *set, const pn_sock *s);
/* Copies n bytes into the strings; *off gets where. 0, or -1. */
int pn_sockset_string(pn_sockset *set, const char *p, size_t n, uint32_t *off);
/* The text of a string of the set. */
static inline const char *pn_sockset_text(const pn_sockset *set, uint32_t off) {
  return set->strings.p + off;
}
/* Zeroed extras for record i (set->v[i].x refers to them); NULL when out of
 * memory. */
pn_sockx *pn_sockset_extras(pn_sockset *set, size_t i);
/* The extras of record s, or NULL. */
static inline const pn_sockx *pn_sockset_x(const pn_sockset *set,
                                           const pn_sock *s) {
  return s->x ? &set->x[s->x - 1] : NULL;
}
/* Makes the records and extras of the set stay where they are from now
 * on, room reserved (not committed) for `max` of each; growing past it
 * fails. For a set read while it is filled (sockstream.h). 0, or -1 (the
 * set unchanged but for what was pinned). */
int pn_sockset_pin(pn_sockset *set, size_t max);
/* Drops the last record, and its extras when they are the last ones. */
void pn_sockset_pop(pn_sockset *set);
/* Empties the set, keeping its memory. */
void pn_sockset_clear(pn_sockset *set);
/* The set is complete: the memory of its arrays past its records is given
 * back (pn_big_trim). */
void pn_sockset_trim(pn_sockset *set);
void pn_sockset_free(pn_sockset *set);

/* unix St values (socket states, as /proc/net/unix prints them). */
#define PN_UNIX_UNCONNECTED 1
#define PN_UNIX_CONNECTING 2
#define PN_UNIX_CONNECTED 3
#define PN_UNIX_DISCONNECTING 4

#endif
