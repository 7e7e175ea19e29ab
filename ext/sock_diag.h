/*
 * sock_diag.h: unix socket peers from netlink sock_diag (UNIX_DIAG_PEER).
 *
 * No /proc file says which unix socket is connected to which; the kernel
 * tells it only through a NETLINK_SOCK_DIAG dump, and only for the
 * namespace of the asking socket: the caller's own. This is how `ss -x`
 * fills its Peer column.
 */
#ifndef PROCNET_SOCK_DIAG_H
#define PROCNET_SOCK_DIAG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pn_peer {
  uint64_t inode;
  uint64_t peer;
} pn_peer;

typedef struct pn_peer_map {
  uint64_t self_netns;      /* the namespace the map describes */
  pn_peer *v;               /* sorted by inode */
  size_t n, cap;
} pn_peer_map;

/* Dumps every unix socket of the caller's namespace with its peer. Returns
 * 0, or -1 when netlink is unavailable or refused (the map is then empty:
 * peers are unknown, which is not an error for a query). */
int pn_unix_peers_load(pn_peer_map *m);
uint64_t pn_peer_map_get(const pn_peer_map *m, uint64_t inode);
void pn_peer_map_free(pn_peer_map *m);

#endif
