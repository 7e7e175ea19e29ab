/*
 * netaddrs.h: the addresses of one network namespace's interfaces, from
 * rtnetlink (RTM_GETADDR), asked through a NETLINK_ROUTE socket made in
 * that namespace (nslink.h), as `ip -n NS addr` shows them. Which
 * namespace owns an address is what tells a real peer in another
 * namespace from a look-alike (connections), and /proc has no file for
 * IPv4 addresses.
 */
#ifndef PROCNET_NETADDRS_H
#define PROCNET_NETADDRS_H

#include "procfs.h"

typedef struct pn_netaddr {
  uint32_t index;           /* the interface */
  int family;               /* 4 or 6 */
  int prefixlen;
  int scope;                /* RT_SCOPE_*: 0 global, 253 link, 254 host */
  uint8_t addr[16];         /* network order, IPv4 in the first 4 bytes */
} pn_netaddr;

typedef struct pn_netaddrs {
  pn_netaddr *v;            /* as the kernel listed them */
  size_t n, cap;
} pn_netaddrs;

/* Dumps the addresses of fd's namespace into l (emptied first). PN_OK, or
 * the failure as pn_netlink_dump reports it (l is then empty). */
pn_res pn_netaddrs_load(int fd, pn_netaddrs *l, int *err);
void pn_netaddrs_free(pn_netaddrs *l);

#endif
