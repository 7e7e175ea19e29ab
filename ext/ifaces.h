/*
 * ifaces.h: the network interfaces of one namespace, from rtnetlink
 * (RTM_GETLINK), asked through a NETLINK_ROUTE socket made in that
 * namespace (netlink.h).
 *
 * Interface indexes and names belong to a namespace: index 2 is eth0 in
 * one container and a veth in another, and /sys/class/net shows only the
 * reader's own. A socket's bound device and a packet socket's interface
 * are named from their own namespace's list.
 */
#ifndef PROCNET_IFACES_H
#define PROCNET_IFACES_H

#include "procfs.h"

typedef struct pn_ifname {
  uint32_t index;
  char name[16];            /* IFNAMSIZ, NUL-terminated */
} pn_ifname;

typedef struct pn_ifaces {
  pn_ifname *v;             /* sorted by index */
  size_t n, cap;
} pn_ifaces;

/* Dumps the links of fd's namespace into l. PN_OK, or the failure as
 * pn_netlink_dump reports it (l is then empty). */
pn_res pn_ifaces_load(int fd, pn_ifaces *l, int *err);
/* The name of interface `index`, or NULL. */
const char *pn_ifaces_name(const pn_ifaces *l, uint32_t index);
void pn_ifaces_free(pn_ifaces *l);

#endif
