/*
 * sock_diag.h: the sock_diag source of socket records (NETLINK_SOCK_DIAG).
 *
 * What ss reads: TCP, UDP, UDP-Lite and (where the kernel has raw_diag)
 * raw sockets through inet_diag, unix sockets through unix_diag, packet
 * sockets through packet_diag, for the namespace of the netlink socket
 * asked (netlink.h makes one in any namespace). Besides what the text
 * files say, it knows a listener's backlog, IPV6_V6ONLY, the bound
 * device, the socket cookie and cgroup, unix peers and queues, a packet
 * socket's send queue and drops, and on request the TCP internals, a
 * packet socket's rings, fanout and filter (PN_WANT_INFO) and the socket
 * memory (PN_WANT_MEM). It does not list unix connections not yet
 * accepted (embryos, inode 0), which net/unix lists, and it knows no
 * packet socket's refcount.
 */
#ifndef PROCNET_SOCK_DIAG_H
#define PROCNET_SOCK_DIAG_H

#include "sockrec.h"

/* Dumps file `file` of kind k (for inet kinds, file 0 is AF_INET and 1
 * AF_INET6) through the NETLINK_SOCK_DIAG socket fd, appending a record
 * per socket to set, with the extensions `want` asks for (PN_WANT_INFO,
 * PN_WANT_MEM). On failure the set is left empty: PN_GONE when the kernel
 * has no handler for the kind, else as pn_netlink_dump reports (EAGAIN:
 * the dump may be asked again). */
pn_res pn_diag_read(int fd, const pn_sockkind *k, int file, unsigned want,
                    pn_sockset *set, int *err);

/* The same dump, adding the fields only sock_diag has to the records
 * already in set (read from the text files), matched by inode. Records
 * sock_diag does not know keep their text fields alone. */
pn_res pn_diag_merge(int fd, const pn_sockkind *k, int file, unsigned want,
                     pn_sockset *set, int *err);

/* TCP of both families in one dump (the kernel walks its tables once for
 * the two): the IPv4 records into set4, the IPv6 ones into set6. As
 * pn_diag_read otherwise. */
pn_res pn_diag_read_tcp(int fd, unsigned want, pn_sockset *set4,
                        pn_sockset *set6, int *err);

/* Told after every record a dump adds (with its extras): nonzero stops
 * the dump, with that error. What reads the records while the dump runs
 * (sockstream.h) publishes them here. */
typedef struct pn_diag_hook {
  int (*added)(void *arg, pn_sockset *set);
  void *arg;
} pn_diag_hook;

/* The dump of pn_diag_read (set6 NULL) or pn_diag_read_tcp (set6 the IPv6
 * records), appending to what the sets hold and telling hook after each
 * record. A failure leaves the records read so far: they may have been
 * read already. */
pn_res pn_diag_stream(int fd, const pn_sockkind *k, int file, unsigned want,
                      pn_sockset *set, pn_sockset *set6, const pn_diag_hook *hook,
                      int *err);

/* One unix socket by inode (the kernel can name it): its record, or none
 * when the namespace has no such socket, into set. */
pn_res pn_diag_read_unix_one(int fd, uint64_t inode, unsigned want,
                             pn_sockset *set, int *err);

/* The extensions `want` asks for (PN_WANT_INFO, PN_WANT_MEM) of record i
 * of set, an IP socket read through sock_diag, asked of the kernel for
 * that one socket (by its addresses, ports, device and cookie). A socket
 * gone since (or one the kernel cannot find so) is no error: the record
 * keeps no extras (its x stays 0). */
pn_res pn_diag_add_extras(int fd, const pn_sockkind *k, size_t i, unsigned want,
                          pn_sockset *set, int *err);

#endif
