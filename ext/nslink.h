/*
 * nslink.h: a netlink socket in each network namespace of a list, for the
 * tables that ask the kernel about a namespace as a whole (its addresses,
 * its conntrack table). The rules are sock_diag's (netlink.h): the
 * caller's own namespace always (no thread changes namespace for it),
 * others only in mode 'all', only when the root is the machine's own
 * procfs (a fixture tree's namespaces are not the kernel's) and the
 * namespace's inode is known; the foreign sockets are made by one helper
 * thread (nsenter.h). A namespace that cannot be entered (no
 * CAP_SYS_ADMIN) gets no socket, and its table reads whatever else it has.
 */
#ifndef PROCNET_NSLINK_H
#define PROCNET_NSLINK_H

#include "netns.h"

/* Opens a socket of `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER) for
 * each namespace of l that mode (pn_netlink_mode) lets netlink reach:
 * fds[i] for l->v[i], -1 where there is none. The caller closes them.
 * 0, or -1 when out of memory (every fds[i] is then -1). */
int pn_nslist_netlink(const pn_nslist *l, const pn_fs *fs, int mode,
                      int protocol, int *fds);

#endif
