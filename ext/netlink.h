/*
 * netlink.h: netlink sockets in any network namespace, and dumps through
 * them (layer 2, beside procfs.h).
 *
 * A netlink socket answers for the network namespace it was created in,
 * so a socket for another namespace is made inside it, by nsenter.h's
 * helper thread; the socket then serves any thread.
 *
 * Errors are classified as procfs.h does: PN_DENIED when the kernel
 * refuses (no CAP_SYS_ADMIN for setns, a seccomp policy, EPERM from the
 * dump), PN_GONE when what was asked for does not exist (a kind without a
 * sock_diag handler: ENOENT), PN_FAIL otherwise (*err says why: ENOMEM,
 * and EAGAIN for a dump that must be retried because the kernel's tables
 * changed under it or its replies were dropped).
 */
#ifndef PROCNET_NETLINK_H
#define PROCNET_NETLINK_H

#include "parse_diag.h"
#include "procfs.h"

/* How far procnet may use netlink (PROCNET_NETLINK, procnet_netlink()). */
typedef enum pn_netlink_mode {
  PN_NETLINK_OFF = 0,       /* never: text files only */
  PN_NETLINK_SELF,          /* the caller's own namespace only: no thread
                               ever changes namespace */
  PN_NETLINK_ALL            /* every namespace procnet may enter */
} pn_netlink_mode;

/* "off", "self", "all" <-> the mode; -1 for another text. */
int pn_netlink_mode_of(const char *text);
const char *pn_netlink_mode_name(pn_netlink_mode m);

/* Opens n netlink sockets of `protocol` (NETLINK_SOCK_DIAG,
 * NETLINK_ROUTE): socket i in the caller's own namespace when nsfds[i] < 0,
 * else in the namespace nsfds[i] (an open ns/net file) names. All the
 * foreign ones are made by one helper thread. fds[i] gets the socket
 * (close-on-exec) or -1, and errs[i] the errno of a failure. */
void pn_netlink_open(const int *nsfds, int n, int protocol, int *fds,
                     int *errs);

/* Called for each message of a dump's reply; returns 0 to go on, or an
 * errno (ENOMEM) to stop the dump with that error. */
typedef int pn_nl_take_fn(void *arg, const pn_nlmsg *m);

/* Sends `req` (one complete netlink message: a dump, NLM_F_DUMP, or a
 * request for one object, which must set NLM_F_ACK) on fd and hands each
 * message of the reply to take, until NLMSG_DONE (a dump) or the
 * acknowledgement (one object). PN_OK when the whole reply arrived; see
 * above for the errors. */
pn_res pn_netlink_dump(int fd, const void *req, size_t len, pn_nl_take_fn *take,
                       void *arg, int *err);
/* An rtnetlink dump of every family: `type` (RTM_GETADDR, RTM_GETLINK)
 * with a zeroed header of `header_len` bytes after the netlink one (the
 * ifaddrmsg or ifinfomsg, whose first byte, the family, is AF_UNSPEC). */
pn_res pn_rtnl_dump(int fd, int type, size_t header_len, pn_nl_take_fn *take, void *arg,
                    int *err);

#endif
