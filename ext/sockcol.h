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
  PN_F_DUMP
} pn_field;

/* What field f needs from the source of a record of kind k: PN_WANT_*
 * (sockstore.h), 0 when every source has it. */
unsigned pn_field_want(pn_field f, const pn_sockkind *k);

/* Sets the result to field f of the row (NULL when it has none). Not for
 * PN_F_NS_PID and PN_F_NETNS. */
int pn_sock_field(const pn_sockrow *r, sqlite3_context *ctx, pn_field f);

#endif
