/*
 * netlink.c: netlink sockets in a namespace and dumps through them; see
 * netlink.h.
 */
#include "netlink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include "nsenter.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int pn_netlink_mode_of(const char *text) {
  if (!strcmp(text, "off")) return PN_NETLINK_OFF;
  if (!strcmp(text, "self")) return PN_NETLINK_SELF;
  if (!strcmp(text, "all")) return PN_NETLINK_ALL;
  return -1;
}

const char *pn_netlink_mode_name(pn_netlink_mode m) {
  switch (m) {
  case PN_NETLINK_OFF: return "off";
  case PN_NETLINK_SELF: return "self";
  case PN_NETLINK_ALL: break;
  }
  return "all";
}

/* ---- sockets in a namespace -------------------------------------------------- */

static int open_socket(int protocol, int *err) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  *err = fd < 0 ? errno : 0;
  return fd;
}

typedef struct opener {
  int protocol;
  int *fds, *errs;
} opener;

static void open_here(void *arg, int i) {
  opener *o = arg;
  o->fds[i] = open_socket(o->protocol, &o->errs[i]);
}

void pn_netlink_open(const int *nsfds, int n, int protocol, int *fds,
                     int *errs) {
  int foreign = 0;
  for (int i = 0; i < n; i++) {
    fds[i] = -1;
    errs[i] = 0;
    if (nsfds[i] < 0) fds[i] = open_socket(protocol, &errs[i]);
    else foreign++;
  }
  if (!foreign) return;
  /* the foreign ones, from one helper thread; the errors of setns land in
   * their own array, so that the own sockets' entries stay as they are */
  int *setns_errs = sqlite3_malloc64((size_t)n * sizeof *setns_errs);
  opener o = {protocol, fds, errs};
  int rc = setns_errs ? pn_in_netns(nsfds, n, open_here, &o, setns_errs) : ENOMEM;
  for (int i = 0; i < n; i++) {
    if (nsfds[i] < 0) continue;
    if (rc) errs[i] = rc;
    else if (setns_errs[i]) errs[i] = setns_errs[i];
  }
  sqlite3_free(setns_errs);
}

/* ---- dumps --------------------------------------------------------------------- */

static int send_request(int fd, const void *req, size_t len, int *err) {
  struct sockaddr_nl to;
  memset(&to, 0, sizeof to);
  to.nl_family = AF_NETLINK;
  for (;;) {
    ssize_t n = sendto(fd, req, len, 0, (struct sockaddr *)&to, sizeof to);
    if (n == (ssize_t)len) return 0;
    if (n < 0 && errno == EINTR) continue;
    *err = n < 0 ? errno : EIO;
    return -1;
  }
}

/* One datagram of the reply into buf; its length, or -1 with *err.
 * MSG_TRUNC tells a datagram larger than buf, which the kernel never
 * sends to a reader that offers 64 KiB; it is an error, not a cut row. */
static ssize_t receive(int fd, void *buf, size_t cap, int *err) {
  for (;;) {
    struct iovec iov = {buf, cap};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = recvmsg(fd, &mh, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = errno == ENOBUFS ? EAGAIN : errno; /* replies were dropped */
      return -1;
    }
    if (n == 0 || (mh.msg_flags & MSG_TRUNC)) {
      *err = EIO;
      return -1;
    }
    return n;
  }
}

typedef enum { GO_ON, DONE, FAILED } walk_end;

/* Hands the messages of one datagram to take. An interrupted dump (the
 * kernel's tables changed while it walked them) is read to its end and
 * reported as EAGAIN, so that the caller can ask again. */
static walk_end take_datagram(const void *buf, size_t n, pn_nl_take_fn *take,
                              void *arg, int *intr, int *err) {
  size_t pos = 0;
  pn_nlmsg m;
  int code = 0;
  for (;;) {
    switch (pn_nl_next(buf, n, &pos, &m, &code)) {
    case PN_NL_END: return GO_ON;
    case PN_NL_BAD: *err = EIO; return FAILED;
    case PN_NL_ERROR:
      if (code == 0) return DONE; /* the acknowledgement of one request */
      *err = code;
      return FAILED;
    case PN_NL_DONE:
      if (code) {
        *err = code;
        return FAILED;
      }
      return DONE;
    case PN_NL_MSG:
      if (m.flags & NLM_F_DUMP_INTR) *intr = 1;
      if ((*err = take(arg, &m)) != 0) return FAILED;
      break;
    }
  }
}

static pn_res classify(int err) {
  if (err == EAGAIN || err == EIO) return PN_FAIL;
  return pn_classify(err);
}

#define PN_NL_BUF 65536

pn_res pn_netlink_dump(int fd, const void *req, size_t len, pn_nl_take_fn *take,
                       void *arg, int *err) {
  if (len < sizeof(struct nlmsghdr)) {
    *err = EINVAL;
    return PN_FAIL;
  }
  int intr = 0;
  *err = 0;
  if (send_request(fd, req, len, err) != 0) return classify(*err);
  /* long-aligned, as the headers the parsers copy out are */
  long *buf = sqlite3_malloc(PN_NL_BUF);
  if (!buf) {
    *err = ENOMEM;
    return PN_FAIL;
  }
  walk_end end = GO_ON;
  while (end == GO_ON) {
    ssize_t n = receive(fd, buf, PN_NL_BUF, err);
    end = n < 0 ? FAILED
                : take_datagram(buf, (size_t)n, take, arg, &intr, err);
  }
  sqlite3_free(buf);
  if (end == DONE && intr) *err = EAGAIN;
  return *err ? classify(*err) : PN_OK;
}

pn_res pn_rtnl_dump(int fd, int type, size_t header_len, pn_nl_take_fn *take, void *arg,
                    int *err) {
  union {
    struct nlmsghdr h;
    unsigned char bytes[NLMSG_HDRLEN + 64];
  } req;
  if (header_len > sizeof req.bytes - NLMSG_HDRLEN) {
    *err = EINVAL;
    return PN_FAIL;
  }
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + header_len);
  req.h.nlmsg_type = (uint16_t)type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  return pn_netlink_dump(fd, &req, req.h.nlmsg_len, take, arg, err);
}
