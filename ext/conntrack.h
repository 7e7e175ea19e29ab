/*
 * conntrack.h: the connection tracking table of one network namespace
 * (layer 2/3: a source of records, as sock_text.h and sock_diag.h are for
 * sockets), from either place the kernel shows it:
 *  - ctnetlink (NETLINK_NETFILTER, IPCTNL_MSG_CT_GET dump) through a
 *    socket made in the namespace (nslink.h): needs CAP_NET_ADMIN there,
 *    and the nf_conntrack_netlink module;
 *  - the text file PID/net/nf_conntrack, read through one of the
 *    namespace's processes: any reader who may see them, but only where
 *    the kernel was built with it (CONFIG_NF_CONNTRACK_PROCFS; many
 *    distributions leave it out).
 * A namespace where nothing uses conntrack has an empty table, either way.
 */
#ifndef PROCNET_CONNTRACK_H
#define PROCNET_CONNTRACK_H

#include "netns.h"
#include "parse_conntrack.h"
#include "procfs.h"

typedef struct pn_ctset {
  pn_ct_entry *v;
  size_t n, cap;
} pn_ctset;

/* Dumps fd's namespace into s (emptied first). PN_OK, or the failure as
 * pn_netlink_dump reports it (s is then empty). An interrupted dump is
 * asked again, a few times. */
pn_res pn_conntrack_dump(int fd, pn_ctset *s, int *err);

/* Reads PID/net/nf_conntrack through the first of pids still there into
 * s (emptied first). PN_OK; PN_GONE when no process is left or the file
 * does not exist; else the verdict of the read. */
pn_res pn_conntrack_text(const pn_fs *fs, const int64_t *pids, int npids,
                         pn_ctset *s, int *err);

/* The table of namespace ns into s: through link (a NETLINK_NETFILTER
 * socket made in it, nslink.h) when there is one, else, or when the dump
 * is refused, the text file. A namespace whose count says it tracks
 * nothing (net/stat/nf_conntrack, read through one of its processes) is
 * empty without a dump: every dump walks the kernel's whole table. PN_OK,
 * else the verdict of the last source tried (s is then empty). */
pn_res pn_conntrack_read(const pn_fs *fs, const pn_netns *ns, int link,
                         pn_ctset *s, int *err);

void pn_ctset_free(pn_ctset *s);

#endif
