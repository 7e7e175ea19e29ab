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
 *
 * A namespace may also live with no process in it, bind-mounted by
 * `ip netns add` under /run/netns or by a container runtime elsewhere.
 * When the root is the caller's own /proc, those mounts (nsfs mounts in
 * its mountinfo) are listed too: named after their /run/netns entry, and
 * kept open, since no PID/ns/net leads to them.
 */
#ifndef PROCNET_NETNS_H
#define PROCNET_NETNS_H

#include "procfs.h"

typedef struct pn_netns {
  uint64_t key;             /* the netns inode (known) or the net/ file inode */
  int known;                /* 1: key is the namespace inode (netns column) */
  int64_t *pids;            /* its processes, ascending: readers in order */
  int npids;
  char *name;               /* its `ip netns` name, or NULL */
  int fd;                   /* its mount, open, when no process is in it
                               (npids 0); else -1 */
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
/* Adds namespace inode, reached through fd (an open ns/net file, which the
 * list then owns), unless it is listed already (fd is then closed). 0, or
 * -1 when out of memory. */
int pn_nslist_add_fd(pn_nslist *l, uint64_t inode, int fd);

/* Adds the namespaces that only a descriptor keeps: an open ns/net file
 * (net:[N]), or a socket created in a namespace its holder has left (its
 * namespace asked of the kernel with SIOCGSKNS on a copy of the descriptor,
 * pidfd_getfd(2), which needs root). Reads every descriptor of every
 * process. Only for the caller's own /proc. 0, or -1 when out of memory. */
int pn_nslist_add_held(pn_nslist *l, const pn_fs *fs, pn_buf *scratch);

/* The namespace with the known inode, or NULL. */
const pn_netns *pn_nslist_find(const pn_nslist *l, uint64_t netns);

/* Drops every namespace of l but the one with the known inode netns. */
void pn_nslist_keep(pn_nslist *l, uint64_t netns);

/* Opens the ns/net file of a known namespace (for setns): through the
 * first of its processes still in it, else a copy of its mount. The
 * caller closes it; -1 when none is left or may be opened. */
int pn_netns_open(const pn_fs *fs, const pn_netns *ns);

/* The network namespaces mounted in the caller's mount namespace. */
typedef struct pn_nsmount {
  uint64_t inode;
  char *path;               /* the mount point */
  char *name;               /* the `ip netns` name (/run/netns/NAME), or NULL */
} pn_nsmount;
typedef struct pn_nsmounts {
  pn_nsmount *v;
  int n;
} pn_nsmounts;
/* Reads them from fs's self/mountinfo when fs is the caller's own /proc
 * (the mount points are paths of the caller's mount namespace); empty
 * otherwise. 0, or -1 when out of memory. */
int pn_nsmounts_read(const pn_fs *fs, pn_nsmounts *m, pn_buf *scratch);
/* The `ip netns` name of namespace inode, or NULL. */
const char *pn_nsmounts_name(const pn_nsmounts *m, uint64_t inode);
void pn_nsmounts_free(pn_nsmounts *m);

/* Identifies the namespace of one process: *known = 1 and the netns inode,
 * or *known = 0 and the inode of PID/net/<probe>. */
pn_res pn_netns_of_pid(const pn_fs *fs, int64_t pid, const char *probe,
                       uint64_t *key, int *known, pn_buf *scratch, int *err);

#endif
