/*
 * pairing.h: which TCP and UDP sockets are the two ends of one connection
 * (the algorithm of inet_connections; no I/O, no SQLite, no allocation:
 * the caller hands in the sockets, conntrack entries and interface
 * addresses of every namespace, and room for the answer).
 *
 * A connection's two sockets see the same four-tuple reversed. Where they
 * are is what makes the match safe:
 *   1. in one namespace: the reversed tuple there (loopback, or the
 *      namespace's own addresses);
 *   2. in two namespaces (containers joined by veth pairs or a bridge):
 *      the reversed tuple in another namespace, taken only when each
 *      socket's local address belongs to an interface of its own
 *      namespace, and never for a loopback address (every namespace has
 *      its own 127.0.0.1);
 *   3. through NAT: a conntrack entry whose original tuple is the client's
 *      and whose reply tuple is the server's (or a UDP server bound to the
 *      reply's source), each socket in the translating namespace or owning
 *      its address;
 *   4. a connected UDP socket and the unconnected one bound to where it
 *      sends (a UDP server): in its own namespace, or in the namespace
 *      that owns the destination address;
 *   5. otherwise the other end is not on this host.
 * Exactly two sockets must meet at a tuple: three or more (connected UDP
 * sockets sharing a port with SO_REUSEPORT) are not paired with each other.
 * The client of a pair is the socket no listener of its namespace took
 * (its port and address, or a wildcard), else the lower inode.
 *
 * Addresses are compared as IPv6: an IPv4 one as ::ffff:a.b.c.d, so a
 * v4-mapped socket meets its IPv4 peer.
 */
#ifndef PROCNET_PAIRING_H
#define PROCNET_PAIRING_H

#include <stddef.h>
#include <stdint.h>

#include "parse_conntrack.h"

enum { PN_EP_TCP = 1, PN_EP_UDP = 2 };

/* pn_endpoint.role */
enum {
  PN_EP_OTHER = 0,          /* not an end: TIME-WAIT, unconnected, inode 0 */
  PN_EP_CONNECTED,          /* a connected socket */
  PN_EP_LISTENER            /* a TCP listener, or a UDP socket bound to a
                               port and not connected */
};

typedef struct pn_endpoint {
  uint64_t netns;           /* 0: unknown */
  uint64_t inode;
  uint8_t kind;             /* PN_EP_TCP, PN_EP_UDP */
  uint8_t role;             /* PN_EP_* */
  uint16_t lport, rport;
  uint8_t local[16];        /* as IPv6 (IPv4 v4-mapped), network order */
  uint8_t remote[16];
} pn_endpoint;

/* An address of an interface of a namespace, as IPv6 like the above. */
typedef struct pn_owned {
  uint64_t netns;
  uint8_t addr[16];
} pn_owned;

/* A conntrack entry of a namespace that translates (pn_ct_is_dnat or
 * pn_ct_is_snat), addresses as IPv6 like the above. */
typedef struct pn_nat {
  uint64_t netns;
  uint8_t kind;             /* PN_EP_TCP, PN_EP_UDP */
  uint8_t dnat;             /* else SNAT */
  uint8_t osrc[16], odst[16], rsrc[16], rdst[16];
  uint16_t osport, odport, rsport, rdport;
} pn_nat;

enum {
  PN_VIA_NETNS = 1,         /* one namespace */
  PN_VIA_ROUTED,            /* two namespaces, addresses owned */
  PN_VIA_NAT,               /* through a conntrack entry */
  PN_VIA_UDP_BOUND,         /* a connected UDP socket and its server */
  PN_VIA_EXTERNAL           /* the other end is not on this host */
};

/* One connection: src opened it (a client), dst took it. An end off this
 * host is -1: its address is what the other end's socket (or the
 * conntrack entry) says. */
typedef struct pn_pair {
  int32_t src, dst;         /* indexes into the endpoints, or -1 */
  int32_t nat;              /* index into the NAT entries, or -1 */
  uint8_t via;              /* PN_VIA_* */
} pn_pair;

typedef struct pn_pairing {
  const pn_endpoint *ep;
  size_t nep;
  pn_owned *owned;          /* sorted in place */
  size_t nowned;
  pn_nat *nat;              /* sorted in place */
  size_t nnat;
} pn_pairing;

/* Room for the scratch indexes of pn_pair_endpoints. */
#define PN_PAIRING_SCRATCH(nep, nnat) (3 * (nep) + (nnat))

/* Pairs the connected endpoints of p. out has room for p->nep rows (there
 * are never more: each row holds a connected endpoint no other row
 * holds); scratch for PN_PAIRING_SCRATCH indexes. Returns the number of
 * rows, pairs first. owned and nat are sorted in place (out's nat indexes
 * refer to the new order); the endpoints stay as they are. */
size_t pn_pair_endpoints(pn_pairing *p, pn_pair *out, uint32_t *scratch);

/* Writes addr (4 or 16 bytes of a family, network order) as IPv6 into
 * out: IPv4 as ::ffff:a.b.c.d. */
void pn_addr_as_v6(int family, const uint8_t *addr, uint8_t out[16]);

#endif
