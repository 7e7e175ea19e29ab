/*
 * netns.h: finding the network namespaces visible through a /proc tree.
 *
 * /proc/PID/net/ is the namespace of PID, so reading every namespace means
 * reading each one once, through one of its processes. A namespace is known
 * by the inode in /proc/PID/ns/net ("net:[N]"). Without privileges that link
 * is unreadable for other users' processes, while their net/ files are not:
 * such a namespace is keyed instead by the inode of its /proc/PID/net/<file>
 * entry, which the kernel allocates once per namespace (procfs gives every
 * namespace its own net/ entries). The same namespace seen both ways is
 * merged, so no socket is listed twice.
 */
#ifndef PROCNET_NETNS_H
#define PROCNET_NETNS_H

#include "procfs.h"

typedef struct pn_netns {
  uint64_t key;             /* the netns inode (known) or the net/ file inode */
  int known;                /* 1: key is the namespace inode (netns column) */
  int64_t *pids;            /* its processes, ascending: readers in order */
  int npids;
} pn_netns;

typedef struct pn_nslist {
  pn_netns *v;
  int n;
} pn_nslist;

/* Lists the namespaces of every process under fs's root. probe is the net/
 * file used to key namespaces whose ns/net link is unreadable (e.g. "tcp").
 * Returns 0, or -1 when out of memory. */
int pn_nslist_build(pn_nslist *l, const pn_fs *fs, const char *probe,
                    pn_buf *scratch);
void pn_nslist_free(pn_nslist *l);
/* The namespace with the known inode, or NULL. */
const pn_netns *pn_nslist_find(const pn_nslist *l, uint64_t netns);

/* Identifies the namespace of one process: *known = 1 and the netns inode,
 * or *known = 0 and the inode of PID/net/<probe>. */
pn_res pn_netns_of_pid(const pn_fs *fs, int64_t pid, const char *probe,
                       uint64_t *key, int *known, pn_buf *scratch, int *err);

#endif
