/*
 * conn_gather.h: what the pairing of connections (pairing.h) is made from,
 * read from the kernel for every namespace in one go (layer 3, beside the
 * socket snapshots it shares): the TCP and UDP sockets (sockstore.h), each
 * namespace's interface addresses (netaddrs.h) and the conntrack entries
 * that translate (conntrack.h).
 */
#ifndef PROCNET_CONN_GATHER_H
#define PROCNET_CONN_GATHER_H

#include "pairing.h"
#include "sockstore.h"

/* What a row shows of an endpoint: the socket as the socket tables do. */
typedef struct pn_ep_show {
  const char *state;        /* pn_sock_state_name: static text, or NULL */
  uint8_t family;           /* 4 or 6 */
  uint8_t local[16];        /* as the socket record holds them */
  uint8_t remote[16];
  int known;                /* netns is the namespace inode */
} pn_ep_show;

typedef struct pn_conn_input {
  pn_endpoint *ep;
  pn_ep_show *show;         /* ep[i]'s */
  size_t nep, epcap;
  pn_owned *owned;
  size_t nowned, ocap;
  pn_nat *nat;
  size_t nnat, ncap;
} pn_conn_input;

/* Reads everything of every namespace under fs into in (emptied first):
 * sockets through st (shared with the cursors open beside it), the rest
 * through netlink as mode (pn_netlink_mode) allows, conntrack from the
 * text files where netlink may not be used. SQLITE_OK or SQLITE_NOMEM. */
int pn_conn_gather(pn_conn_input *in, pn_sockstore *st, const pn_fs *fs,
                   pn_buf *scratch, int threads, int mode);
void pn_conn_input_free(pn_conn_input *in);

#endif
