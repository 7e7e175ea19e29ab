/*
 * sock_destroy.h: sock_diag's destroy notifications (layer 2, beside
 * netlink.h).
 *
 * When a TCP or UDP socket is freed, the kernel sends one message to the
 * netlink sockets of the socket's own network namespace that joined the
 * groups SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY and their
 * INET6 twins (Linux 4.10 and later; any user may join). So a connection
 * that opens and closes between two polls is still seen. The message is
 * an inet_diag_msg read by pn_parse_inet_diag: family, state, addresses,
 * ports, bound device, the socket's cookie, INET_DIAG_PROTOCOL and, for
 * TCP, INET_DIAG_INFO (tcp_info: bytes sent and received, ...).
 *
 * What it does not say: the kernel leaves uid and inode 0 and sends no
 * cgroup, since the socket is gone by then, and with it what tied it to a
 * process. A connection aborted by its own side (SO_LINGER 0: a reset)
 * has its source address and remote port cleared by then. Sockets of
 * other kinds (raw, UDP-Lite, unix) have no destroy groups.
 */
#ifndef PROCNET_SOCK_DESTROY_H
#define PROCNET_SOCK_DESTROY_H

#include "parse_diag.h"
#include "procfs.h"

/* Opens one subscribed netlink socket per namespace, as pn_netlink_open
 * does (nsfds[i] < 0: the caller's own namespace): each has joined the
 * four groups, does not block, and has a receive buffer as large as the
 * system allows (4 MiB asked), since notifications come in bursts. fds[i]
 * gets the socket or -1, errs[i] the errno of a failure. */
void pn_destroy_open(const int *nsfds, int n, int *fds, int *errs);

/* Called for each notification; returns 0 to go on, or an errno to stop. */
typedef int pn_destroy_fn(void *arg, const pn_inet_diag *d);

/* Reads every notification waiting on fd (a socket of pn_destroy_open)
 * and hands each to fn; a message that does not parse is skipped. When
 * the kernel dropped notifications because the receive buffer was full,
 * *overflows grows by one. PN_OK, or PN_FAIL with *err (fn's errno, or
 * recv's). */
pn_res pn_destroy_read(int fd, pn_destroy_fn *fn, void *arg, int64_t *overflows,
                       int *err);

#endif
