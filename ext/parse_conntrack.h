/*
 * parse_conntrack.h: the kernel's connection tracking table (layer 1,
 * like parse.h and parse_diag.h): one line of /proc/PID/net/nf_conntrack,
 * or one message of a ctnetlink dump (NETLINK_NETFILTER, the reply to
 * IPCTNL_MSG_CT_GET), into the same struct.
 *
 * An entry is a flow as the namespace that tracks it saw it: the tuple of
 * its first packet (original: the initiator's source to the destination it
 * asked for) and the tuple the answers are expected on (reply). Where the
 * namespace translates addresses (DNAT of a published port, SNAT or
 * masquerade of a container's outgoing traffic) the reply tuple is not
 * the original one reversed: that difference is how procnet follows a
 * connection through NAT.
 *
 * The text line, as nf_conntrack_standalone.c prints it:
 *   ipv4     2 tcp      6 431999 ESTABLISHED src=10.77.2.2 dst=10.77.2.1
 *   sport=55228 dport=9090 src=10.77.1.2 dst=10.77.2.2 sport=8080
 *   dport=55228 [ASSURED] mark=0 zone=0 use=2
 * (one line): layer 3 name and number, layer 4 name and number, seconds
 * to expiry (absent when offloaded), the protocol's state (TCP, SCTP,
 * DCCP), the original tuple ([UNREPLIED] after it until the first answer),
 * the reply tuple, then flags and counters. IPv6 addresses are printed in
 * full (%pI6). Keys this parser does not know are skipped.
 *
 * Conventions as in parse.h: bytes and a length in, no NUL needed, 0 or -1
 * (malformed: no tuple, an address or port that does not read, an unknown
 * layer 3 family).
 */
#ifndef PROCNET_PARSE_CONNTRACK_H
#define PROCNET_PARSE_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct pn_ct_tuple {
  uint8_t src[16];          /* network order; IPv4 in the first 4 bytes, the
                               rest zero (as pn_inet_sock) */
  uint8_t dst[16];
  uint16_t sport, dport;    /* host order; 0 for protocols without ports */
} pn_ct_tuple;

/* pn_ct_entry.flags */
#define PN_CT_ASSURED 0x1   /* seen both ways long enough to be kept */
#define PN_CT_UNREPLIED 0x2 /* no answer seen yet */
#define PN_CT_OFFLOAD 0x4   /* handed to a flow table (no timeout) */

typedef struct pn_ct_entry {
  int family;               /* 4 or 6 */
  int proto;                /* IP protocol number (6 tcp, 17 udp, ...) */
  int state;                /* TCP only: the conntrack state, 0 NONE ..
                               9 SYN_SENT2 (pn_ct_tcp_state_name); -1 for
                               other protocols or when not given */
  int64_t timeout;          /* seconds to expiry, -1 when not given */
  pn_ct_tuple orig, reply;
  unsigned flags;           /* PN_CT_* */
  int has_mark;
  uint32_t mark;
  int has_zone;             /* always for ctnetlink, which leaves out the
                               default zone 0 */
  uint16_t zone;
} pn_ct_entry;

/* One line of nf_conntrack (without its '\n'). */
int pn_parse_conntrack_line(const char *line, size_t len, pn_ct_entry *out);

/* The payload of one ctnetlink message (after the netlink header: struct
 * nfgenmsg, then attributes). */
int pn_parse_ctnetlink(const void *payload, size_t len, pn_ct_entry *out);

/* The number of entries in a namespace's table, from its
 * /proc/PID/net/stat/nf_conntrack: a header line starting "entries", then
 * a line per CPU whose first field, in hex, is the namespace's count. 0, or
 * -1 when the text is not that. */
int pn_parse_conntrack_count(const char *buf, size_t len, uint64_t *entries);

/* The name conntrack gives a TCP state ("ESTABLISHED", "TIME_WAIT",
 * "SYN_SENT2", ...), or NULL for a number it does not know. */
const char *pn_ct_tcp_state_name(int state);

/* 1 when the tuples say the namespace translated the destination (DNAT:
 * the reply does not come from where the original went), or the source
 * (SNAT, masquerade: the reply does not go back to where it came from). */
int pn_ct_is_dnat(const pn_ct_entry *e);
int pn_ct_is_snat(const pn_ct_entry *e);

#endif
