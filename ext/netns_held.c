/*
 * netns_held.c: network namespaces that only a descriptor keeps alive;
 * see pn_nslist_add_held in netns.h.
 *
 * A socket belongs to the namespace it was created in, whatever its
 * holder does afterwards (enter another namespace and come back, pass the
 * descriptor over a unix socket), and a namespace lives as long as one of
 * its sockets or an open net:[N] file does. No process is in such a
 * namespace, so no PID/ns/net leads to it. The descriptor does: an open
 * ns file can be opened again through PID/fd/N, and a socket's namespace
 * is asked of the kernel with SIOCGSKNS on a copy of the descriptor
 * (pidfd_getfd), as util-linux's lsfd does.
 */
#include "netns.h"

#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The namespace of socket descriptor fdnum of the process pidfd refers
 * to, as an open ns file; -1 when it cannot be had. */
static int socket_namespace(int pidfd, int64_t fdnum) {
  int copy = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fdnum, 0);
  if (copy < 0) return -1;
  int ns = ioctl(copy, SIOCGSKNS);
  close(copy);
  return ns;
}

static uint64_t inode_of_fd(int fd) {
  struct stat sb;
  return fstat(fd, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

/* Adds the namespace ns (an open ns file) if it is new; closes it if not. */
static int add_namespace(pn_nslist *l, int ns) {
  uint64_t inode = inode_of_fd(ns);
  if (!inode || pn_nslist_find(l, inode)) {
    close(ns);
    return 0;
  }
  return pn_nslist_add_fd(l, inode, ns);
}

/* One descriptor of process pid: a socket or a namespace file. */
static int take_descriptor(pn_nslist *l, const pn_fs *fs, int64_t pid,
                           int *pidfd, int64_t fdnum, pn_buf *scratch) {
  char rel[64];
  int err;
  uint64_t inode;
  snprintf(rel, sizeof rel, "%lld/fd/%lld", (long long)pid, (long long)fdnum);
  pn_res r = pn_read_link(fs, -1, rel, scratch, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? -1 : 0;
  if (pn_parse_bracket_inode(scratch->p, scratch->n, "net", &inode) == 0) {
    if (pn_nslist_find(l, inode)) return 0;
    int ns = openat(fs->rootfd, rel, O_RDONLY | O_CLOEXEC);
    return ns < 0 ? 0 : add_namespace(l, ns);
  }
  if (pn_parse_bracket_inode(scratch->p, scratch->n, "socket", &inode) != 0) return 0;
  if (*pidfd == -1) *pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (*pidfd < 0) {
    *pidfd = -2; /* gone, or not ours: once per process */
    return 0;
  }
  int ns = socket_namespace(*pidfd, fdnum);
  return ns < 0 ? 0 : add_namespace(l, ns);
}

static int take_process(pn_nslist *l, const pn_fs *fs, int64_t pid,
                        pn_buf *scratch) {
  char rel[32];
  void *dir;
  int err, pidfd = -1, rc = 0;
  int64_t fdnum;
  snprintf(rel, sizeof rel, "%lld/fd", (long long)pid);
  pn_res r = pn_open_dir(fs, -1, rel, &dir, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? -1 : 0;
  while (rc == 0 && pn_next_numeric(dir, &fdnum))
    rc = take_descriptor(l, fs, pid, &pidfd, fdnum, scratch);
  pn_close_dir(dir);
  if (pidfd >= 0) close(pidfd);
  return rc;
}

int pn_nslist_add_held(pn_nslist *l, const pn_fs *fs, pn_buf *scratch) {
  void *dir;
  int err, rc = 0;
  int64_t pid;
  if (!pn_fs_is_own_proc(fs)) return 0;
  if (pn_open_dir(fs, -1, ".", &dir, &err) != PN_OK) return 0;
  while (rc == 0 && pn_next_numeric(dir, &pid)) rc = take_process(l, fs, pid, scratch);
  pn_close_dir(dir);
  return rc;
}
