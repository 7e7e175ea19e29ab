/*
 * netns.c: grouping processes by network namespace; see netns.h.
 */
#include "sort.h"
#include "netns.h"
#include "parse.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct member {
  uint64_t key;
  int known;
  int64_t pid;
} member;

static pn_res probe_inode(const pn_fs *fs, int dir, const char *probe,
                          uint64_t *ino, int *err) {
  char rel[64];
  struct stat st;
  snprintf(rel, sizeof rel, "net/%s", probe);
  pn_res r = pn_stat_at(fs, dir, rel, &st, err);
  if (r == PN_OK) *ino = (uint64_t)st.st_ino;
  return r;
}

pn_res pn_netns_of_pid(const pn_fs *fs, int64_t pid, const char *probe,
                       uint64_t *key, int *known, pn_buf *scratch, int *err) {
  int dir;
  pn_res r = pn_open_pid(fs, pid, &dir, err);
  if (r != PN_OK) return r;
  r = pn_read_ns(fs, dir, "net", key, scratch, err);
  *known = r == PN_OK;
  if (r == PN_DENIED || (r == PN_FAIL && *err != ENOMEM))
    r = probe_inode(fs, dir, probe, key, err);
  close(dir);
  return r;
}

static int cmp_member(const void *a, const void *b) {
  const member *x = a, *y = b;
  if (x->known != y->known) return y->known - x->known; /* known first */
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

static int collect_members(const pn_fs *fs, const char *probe, pn_buf *scratch,
                           member **out, size_t *n_out) {
  void *dir;
  int err;
  member *v = NULL;
  size_t n = 0, cap = 0;
  *out = NULL;
  *n_out = 0;
  if (pn_open_dir(fs, -1, ".", &dir, &err) != PN_OK) return 0;
  int64_t pid;
  while (pn_next_numeric(dir, &pid)) {
    member m = {0, 0, pid};
    pn_res r = pn_netns_of_pid(fs, pid, probe, &m.key, &m.known, scratch, &err);
    if (pn_is_nomem(r, err)) goto nomem;
    if (r != PN_OK) continue; /* gone, or a zombie: no namespace to read */
    member *nv = pn_array_room(v, n, &cap, sizeof *nv, 256);
    if (!nv) goto nomem;
    v = nv;
    v[n++] = m;
  }
  pn_close_dir(dir);
  pn_sort(v, n, sizeof *v, cmp_member);
  *out = v;
  *n_out = n;
  return 0;
nomem:
  pn_close_dir(dir);
  sqlite3_free(v);
  return -1;
}

/* The net/<probe> inode of a known namespace, read through its first
 * process that is still there; 0 if none is. */
static uint64_t probe_of_known(const pn_fs *fs, const pn_netns *ns,
                               const char *probe) {
  for (int i = 0; i < ns->npids; i++) {
    int dir, err;
    uint64_t ino = 0;
    if (pn_open_pid(fs, ns->pids[i], &dir, &err) != PN_OK) continue;
    pn_res r = probe_inode(fs, dir, probe, &ino, &err);
    close(dir);
    if (r == PN_OK) return ino;
  }
  return 0;
}

static int already_known(const pn_fs *fs, const pn_nslist *l, int n_known,
                         uint64_t probe_ino, const char *probe,
                         uint64_t *probes) {
  for (int i = 0; i < n_known; i++) {
    if (probes[i] == 0) probes[i] = probe_of_known(fs, &l->v[i], probe);
    if (probes[i] == probe_ino) return 1;
  }
  return 0;
}

static int append_group(pn_nslist *l, const member *m, size_t count) {
  pn_netns *nv = sqlite3_realloc64(l->v, (size_t)(l->n + 1) * sizeof *nv);
  if (!nv) return -1;
  l->v = nv;
  pn_netns *ns = &l->v[l->n];
  memset(ns, 0, sizeof *ns);
  ns->key = m->key;
  ns->known = m->known;
  ns->fd = -1;
  ns->npids = (int)count;
  ns->pids = sqlite3_malloc64((count ? count : 1) * sizeof *ns->pids);
  if (!ns->pids) return -1;
  for (size_t i = 0; i < count; i++) ns->pids[i] = m[i].pid;
  l->n++;
  return 0;
}

static pn_netns *find_known(pn_nslist *l, uint64_t inode) {
  for (int j = 0; j < l->n; j++)
    if (l->v[j].known && l->v[j].key == inode) return &l->v[j];
  return NULL;
}

int pn_nslist_add_fd(pn_nslist *l, uint64_t inode, int fd) {
  member m = {inode, 1, 0};
  if (find_known(l, inode) || append_group(l, &m, 0) != 0) {
    close(fd);
    return find_known(l, inode) ? 0 : -1;
  }
  l->v[l->n - 1].fd = fd;
  return 0;
}

/* Names the listed namespaces that are mounted, and adds those no process
 * is in, with their mount open. */
static int add_mounted(pn_nslist *l, const pn_nsmounts *mounts) {
  for (int i = 0; i < mounts->n; i++) {
    const pn_nsmount *mt = &mounts->v[i];
    pn_netns *ns = find_known(l, mt->inode);
    if (!ns) {
      int fd = open(mt->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue; /* unmounted since, or not ours to open */
      if (pn_nslist_add_fd(l, mt->inode, fd) != 0) return -1;
      ns = &l->v[l->n - 1];
    }
    if (mt->name && !ns->name && !(ns->name = sqlite3_mprintf("%s", mt->name)))
      return -1;
  }
  return 0;
}

int pn_nslist_build(pn_nslist *l, const pn_fs *fs, const char *probe,
                    pn_buf *scratch) {
  member *m;
  size_t n;
  memset(l, 0, sizeof *l);
  if (collect_members(fs, probe, scratch, &m, &n) != 0) return -1;
  int n_known = 0, rc = 0;
  uint64_t *probes = NULL;
  for (size_t i = 0; i < n && rc == 0;) {
    size_t j = i;
    while (j < n && m[j].known == m[i].known && m[j].key == m[i].key) j++;
    if (m[i].known) {
      rc = append_group(l, &m[i], j - i);
      n_known = l->n;
    } else {
      if (!probes && n_known) {
        probes = sqlite3_malloc64((size_t)n_known * sizeof *probes);
        if (!probes) rc = -1;
        else memset(probes, 0, (size_t)n_known * sizeof *probes);
      }
      if (rc == 0 && !already_known(fs, l, n_known, m[i].key, probe, probes))
        rc = append_group(l, &m[i], j - i);
    }
    i = j;
  }
  sqlite3_free(probes);
  sqlite3_free(m);
  pn_nsmounts mounts;
  if (rc == 0) rc = pn_nsmounts_read(fs, &mounts, scratch);
  if (rc == 0) {
    rc = add_mounted(l, &mounts);
    pn_nsmounts_free(&mounts);
  }
  if (rc != 0) pn_nslist_free(l);
  return rc;
}

static void netns_free(pn_netns *ns) {
  sqlite3_free(ns->pids);
  sqlite3_free(ns->name);
  if (ns->fd >= 0) close(ns->fd);
}

void pn_nslist_free(pn_nslist *l) {
  for (int i = 0; i < l->n; i++) netns_free(&l->v[i]);
  sqlite3_free(l->v);
  memset(l, 0, sizeof *l);
}

void pn_nslist_keep(pn_nslist *l, uint64_t netns) {
  int kept = 0;
  for (int i = 0; i < l->n; i++) {
    if (l->v[i].known && l->v[i].key == netns && !kept) l->v[kept++] = l->v[i];
    else netns_free(&l->v[i]);
  }
  l->n = kept;
}

const pn_netns *pn_nslist_find(const pn_nslist *l, uint64_t netns) {
  for (int i = 0; i < l->n; i++)
    if (l->v[i].known && l->v[i].key == netns) return &l->v[i];
  return NULL;
}

int pn_netns_open(const pn_fs *fs, const pn_netns *ns) {
  for (int i = 0; i < ns->npids; i++) {
    struct stat sb;
    int fd, err;
    if (pn_open_ns(fs, ns->pids[i], "net", &fd, &err) != PN_OK)
      continue; /* gone, or not ours to enter */
    if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_ino == ns->key) return fd;
    close(fd); /* the process moved on: try the next */
  }
  return ns->fd >= 0 ? fcntl(ns->fd, F_DUPFD_CLOEXEC, 0) : -1;
}

/* ---- mounted namespaces ----------------------------------------------------- */

/* The name `ip netns` gives a mount point: NAME of /run/netns/NAME. */
static const char *netns_name(const char *path) {
  static const char *const dirs[] = {"/run/netns/", "/var/run/netns/"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    size_t n = strlen(dirs[i]);
    if (!strncmp(path, dirs[i], n) && path[n] && !strchr(path + n, '/'))
      return path + n;
  }
  return NULL;
}

static int add_mount(pn_nsmounts *m, uint64_t inode, const char *path) {
  for (int i = 0; i < m->n; i++) /* a namespace mounted twice: once */
    if (m->v[i].inode == inode) {
      const char *name = netns_name(path);
      if (name && !m->v[i].name && !(m->v[i].name = sqlite3_mprintf("%s", name)))
        return -1;
      return 0;
    }
  pn_nsmount *v = sqlite3_realloc64(m->v, (size_t)(m->n + 1) * sizeof *v);
  if (!v) return -1;
  m->v = v;
  pn_nsmount *e = &v[m->n];
  const char *name = netns_name(path);
  e->inode = inode;
  e->path = sqlite3_mprintf("%s", path);
  e->name = name ? sqlite3_mprintf("%s", name) : NULL;
  m->n++; /* freed by pn_nsmounts_free even when a copy failed */
  return e->path && (!name || e->name) ? 0 : -1;
}

/* One line of mountinfo: a mount of a network namespace is added. */
static int take_mount_line(pn_nsmounts *m, pn_str line) {
  pn_mountinfo mi;
  uint64_t inode;
  char path[4096];
  if (pn_parse_mountinfo_line(line.p, line.n, &mi) != 0) return 0;
  if (mi.fstype.n != 4 || memcmp(mi.fstype.p, "nsfs", 4) != 0) return 0;
  if (pn_parse_bracket_inode(mi.root.p, mi.root.n, "net", &inode) != 0) return 0;
  size_t n = pn_unescape_mount(mi.mount_point, path, sizeof path - 1);
  if (n >= sizeof path || memchr(path, '\0', n)) return 0;
  path[n] = '\0';
  return add_mount(m, inode, path);
}

int pn_nsmounts_read(const pn_fs *fs, pn_nsmounts *m, pn_buf *scratch) {
  int err;
  memset(m, 0, sizeof *m);
  /* mount points are paths of the caller's own mount namespace */
  if (!pn_fs_is_own_proc(fs)) return 0;
  pn_res r = pn_read_file(fs, -1, "self/mountinfo", scratch, &err);
  if (r != PN_OK) return pn_is_nomem(r, err) ? -1 : 0;
  size_t pos = 0;
  pn_str line;
  while (pn_next_line(scratch->p, scratch->n, &pos, &line))
    if (take_mount_line(m, line) != 0) {
      pn_nsmounts_free(m);
      return -1;
    }
  return 0;
}

const char *pn_nsmounts_name(const pn_nsmounts *m, uint64_t inode) {
  for (int i = 0; i < m->n; i++)
    if (m->v[i].inode == inode) return m->v[i].name;
  return NULL;
}

void pn_nsmounts_free(pn_nsmounts *m) {
  for (int i = 0; i < m->n; i++) {
    sqlite3_free(m->v[i].path);
    sqlite3_free(m->v[i].name);
  }
  sqlite3_free(m->v);
  memset(m, 0, sizeof *m);
}
