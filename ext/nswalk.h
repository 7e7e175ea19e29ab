/*
 * nswalk.h: the walk of a table that reads one thing per network
 * namespace (its conntrack table, its addresses): which namespaces (all
 * of them, or the one of `netns = ?`) and a netlink socket in each that
 * netlink may reach (nslink.h), made for all at the start, by one helper
 * thread.
 */
#ifndef PROCNET_NSWALK_H
#define PROCNET_NSWALK_H

#include "netns.h"

typedef struct pn_nswalk {
  pn_nslist ns;
  int *links;               /* a netlink socket per namespace, or -1 */
  int at;                   /* the namespace the walk is at; -1 before */
} pn_nswalk;

/* Starts a walk over the namespaces of every process under fs (only:
 * that namespace alone; 0: all), with a socket of netlink `protocol` in
 * each that mode (pn_netlink_mode) lets netlink reach. Whatever an earlier
 * walk held is let go. SQLITE_OK or SQLITE_NOMEM. */
int pn_nswalk_start(pn_nswalk *w, const pn_fs *fs, pn_buf *scratch, int mode,
                    int protocol, uint64_t only);
/* Moves to the next namespace: 1, or 0 at the end. */
int pn_nswalk_next(pn_nswalk *w);
/* The namespace the walk is at, and its socket (-1: none). */
const pn_netns *pn_nswalk_ns(const pn_nswalk *w);
int pn_nswalk_link(const pn_nswalk *w);
void pn_nswalk_end(pn_nswalk *w);

#endif
