/*
 * nslink.c: netlink sockets in every listed namespace; see nslink.h.
 */
#include "nslink.h"

#include "netlink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static int root_is_procfs(const pn_fs *fs) {
  struct statfs sf;
  return fstatfs(fs->rootfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static uint64_t own_netns(void) {
  struct stat sb;
  return stat("/proc/thread-self/ns/net", &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

/* The ns/net fd to make namespace ns's socket in: OWN for the caller's,
 * an open file for another it may enter, -1 for none. */
#define OWN -2
static int where(const pn_netns *ns, const pn_fs *fs, int mode, uint64_t own) {
  if (!ns->known || mode == PN_NETLINK_OFF) return -1;
  if (ns->key == own) return OWN;
  if (mode != PN_NETLINK_ALL) return -1;
  return pn_netns_open(fs, ns);
}

int pn_nslist_netlink(const pn_nslist *l, const pn_fs *fs, int mode,
                      int protocol, int *fds) {
  int n = l->n, m = 0;
  for (int i = 0; i < n; i++) fds[i] = -1;
  if (!n || !root_is_procfs(fs)) return 0;
  int *at = sqlite3_malloc64((size_t)n * 4 * sizeof *at);
  if (!at) return -1;
  int *nsfds = at + n, *got = nsfds + n, *errs = got + n;
  uint64_t own = own_netns();
  for (int i = 0; i < n; i++) {
    int fd = where(&l->v[i], fs, mode, own);
    at[i] = fd == -1 ? -1 : m;
    if (fd != -1) nsfds[m++] = fd == OWN ? -1 : fd;
  }
  if (m) pn_netlink_open(nsfds, m, protocol, got, errs);
  for (int i = 0; i < n; i++)
    if (at[i] >= 0) fds[i] = got[at[i]];
  for (int j = 0; j < m; j++)
    if (nsfds[j] >= 0) close(nsfds[j]);
  sqlite3_free(at);
  return 0;
}
