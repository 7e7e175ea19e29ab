/*
 * netlink.c: netlink sockets in a namespace and dumps through them; see
 * netlink.h.
 */
#include "netlink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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
  const int *nsfds;
  int n, protocol;
  int *fds, *errs;
} opener;

/* The helper thread: enters each namespace in turn, makes its socket
 * there, and goes back to where it started. It ends right after, so even
 * a failed return (which only a vanished /proc could cause) leaves no
 * thread behind in another namespace. The thread-self link is the one to
 * save: /proc/self/ns/net would be the thread-group leader's. */
static void *open_foreign(void *arg) {
  opener *o = arg;
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < o->n; i++) {
    if (o->nsfds[i] < 0) continue;
    if (setns(o->nsfds[i], CLONE_NEWNET) != 0) {
      o->errs[i] = errno;
      continue;
    }
    o->fds[i] = open_socket(o->protocol, &o->errs[i]);
  }
  if (home >= 0) {
    if (setns(home, CLONE_NEWNET) != 0) { /* ends next; nothing runs here */ }
    close(home);
  }
  return NULL;
}

/* Runs open_foreign in a helper thread that starts with every signal
 * blocked (the host's signals are for its own threads). 0, or an errno. */
static int run_opener(opener *o) {
  sigset_t all, old;
  pthread_t tid;
  sigfillset(&all);
  int rc = pthread_sigmask(SIG_SETMASK, &all, &old);
  if (rc != 0) return rc;
  rc = pthread_create(&tid, NULL, open_foreign, o);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) return rc;
  pthread_join(tid, NULL);
  return 0;
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
  opener o = {nsfds, n, protocol, fds, errs};
  int rc = run_opener(&o);
  for (int i = 0; rc != 0 && i < n; i++)
    if (nsfds[i] >= 0) errs[i] = rc;
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
