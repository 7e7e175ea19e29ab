/*
 * sockstore.c: snapshots of socket records, shared by a connection's
 * cursors; see sockstore.h.
 */
#include "sockstore_int.h"

#include "sockstream.h"

#include "ifaces.h"
#include "netlink.h"
#include "nsenter.h"
#include "parallel.h"
#include "sock_diag.h"
#include "sock_text.h"
#include "sort.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

pn_sockstore *pn_sockstore_acquire(pn_ctx *ctx) {
  pn_sockstore *st = ctx->sockstore;
  if (!st) {
    st = sqlite3_malloc(sizeof *st);
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    st->netlink = ctx->netlink;
    st->netns_held = ctx->netns_held;
    ctx->sockstore = st;
  }
  st->cursors++;
  return st;
}

void pn_sockstore_release(pn_ctx *ctx, pn_sockstore *st) {
  if (--st->cursors > 0) return;
  pn_store_stop(st); /* before the snapshots its helper may be filling */
  for (int i = 0; i < st->nsnaps; i++) {
    pn_sockset_free(&st->snaps[i]->set);
    sqlite3_free(st->snaps[i]->by_inode);
    sqlite3_free(st->snaps[i]->hash);
    sqlite3_free(st->snaps[i]);
  }
  sqlite3_free(st->snaps);
  sqlite3_free(st->slots);
  pn_nslist_free(&st->ns);
  for (size_t i = 0; i < st->nnsfiles; i++) {
    if (st->nsfiles[i].fd >= 0) close(st->nsfiles[i].fd);
    pn_ifaces_free(&st->nsfiles[i].ifaces);
  }
  sqlite3_free(st->nsfiles);
  sqlite3_free(st->expected);
  sqlite3_free(st);
  ctx->sockstore = NULL;
}

int pn_sockstore_hold(pn_ctx *ctx, int on) {
  if (on && !ctx->sockhold) {
    ctx->sockhold = pn_sockstore_acquire(ctx);
    if (!ctx->sockhold) return SQLITE_NOMEM;
  } else if (!on && ctx->sockhold) {
    pn_sockstore_release(ctx, ctx->sockhold);
    ctx->sockhold = NULL;
  }
  return SQLITE_OK;
}

const pn_nslist *pn_sockstore_namespaces(pn_sockstore *st, const pn_fs *fs,
                                         pn_buf *scratch) {
  if (!st->ns_built) {
    if (pn_nslist_build(&st->ns, fs, PN_NS_PROBE, scratch)) return NULL;
    if (st->netns_held && pn_nslist_add_held(&st->ns, fs, scratch) != 0) {
      pn_nslist_free(&st->ns);
      return NULL;
    }
    st->ns_built = 1;
  }
  return &st->ns;
}

/* ---- finding snapshots by key ---------------------------------------------- */

static uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static size_t hash_of(const pn_snapkey *k) {
  uint64_t h = mix(k->key * 31 + (uint64_t)k->known * 7 + (uint64_t)k->file);
  return (size_t)mix(h ^ (uint64_t)(uintptr_t)k->kind);
}

static int same_file(const pn_snapkey *a, const pn_snapkey *b) {
  return a->kind == b->kind && a->file == b->file && a->key == b->key &&
         a->known == b->known;
}

/* The slot of k's file: the one holding it, or the empty one to put it. */
static size_t slot_of(const pn_sockstore *st, const pn_snapkey *k) {
  size_t i = hash_of(k) & (st->nslots - 1);
  while (st->slots[i] && !same_file(&st->snaps[st->slots[i] - 1]->k, k))
    i = (i + 1) & (st->nslots - 1);
  return i;
}

/* Keeps the table at most half full. */
static int grow_slots(pn_sockstore *st) {
  if (st->nslots && (size_t)st->nsnaps < st->nslots / 2) return SQLITE_OK;
  size_t n = st->nslots ? st->nslots * 2 : 64;
  int *old = st->slots;
  size_t nold = st->nslots;
  st->slots = sqlite3_malloc64(n * sizeof *st->slots);
  if (!st->slots) {
    st->slots = old;
    return SQLITE_NOMEM;
  }
  memset(st->slots, 0, n * sizeof *st->slots);
  st->nslots = n;
  for (size_t i = 0; i < nold; i++)
    if (old[i]) st->slots[slot_of(st, &st->snaps[old[i] - 1]->k)] = old[i];
  sqlite3_free(old);
  return SQLITE_OK;
}

static int new_snap(pn_sockstore *st, const pn_snapkey *k, int next) {
  size_t cap = (size_t)st->cap;
  pn_snap **v = pn_array_room(st->snaps, (size_t)st->nsnaps, &cap, sizeof *v, 32);
  if (!v) return -1;
  st->snaps = v;
  st->cap = (int)cap;
  pn_snap *s = sqlite3_malloc(sizeof *s);
  if (!s) return -1;
  memset(s, 0, sizeof *s);
  s->k = *k;
  s->next = next;
  st->snaps[st->nsnaps] = s;
  return st->nsnaps++;
}

int pn_snap_find(pn_sockstore *st, const pn_snapkey *k) {
  if (!st->nslots) return -1;
  size_t slot = slot_of(st, k);
  for (int i = st->slots[slot] - 1; i >= 0; i = st->snaps[i]->next)
    if ((k->want & ~st->snaps[i]->k.want & PN_WANT_SNAP) == 0) return i;
  return -1;
}

/* ---- what open cursors expect ------------------------------------------------ */

int pn_sockstore_expect(pn_sockstore *st, const void *who, const pn_sockkind *kind,
                        unsigned want) {
  want &= PN_WANT_INFO | PN_WANT_MEM;
  for (size_t i = 0; i < st->nexpected; i++) {
    expectation *e = &st->expected[i];
    if (e->who == who && e->kind == kind) {
      e->want = want;
      return SQLITE_OK;
    }
  }
  if (!want) return SQLITE_OK;
  expectation *v = pn_array_room(st->expected, st->nexpected, &st->expcap, sizeof *v, 8);
  if (!v) return SQLITE_NOMEM;
  st->expected = v;
  v[st->nexpected++] = (expectation){who, kind, want};
  return SQLITE_OK;
}

void pn_sockstore_forget(pn_sockstore *st, const void *who) {
  size_t keep = 0;
  for (size_t i = 0; i < st->nexpected; i++)
    if (st->expected[i].who != who) st->expected[keep++] = st->expected[i];
  st->nexpected = keep;
}

/* What cursors other than `who` expect of kind. */
static unsigned expected_by_others(const pn_sockstore *st, const pn_sockkind *kind,
                                   const void *who) {
  unsigned want = 0;
  for (size_t i = 0; i < st->nexpected; i++)
    if (st->expected[i].kind == kind && st->expected[i].who != who)
      want |= st->expected[i].want;
  return want;
}

int pn_snap_of(pn_sockstore *st, const pn_snapkey *k, const void *who) {
  if (grow_slots(st) != SQLITE_OK) return -1;
  size_t slot = slot_of(st, k);
  int first = st->slots[slot] - 1;
  for (int i = first; i >= 0; i = st->snaps[i]->next)
    if ((k->want & ~st->snaps[i]->k.want & PN_WANT_SNAP) == 0) return i;
  pn_snapkey wide = *k;
  /* the text files have no extensions to add: a snapshot that needs them
   * is not widened */
  if (!(k->want & PN_WANT_TEXT)) wide.want |= expected_by_others(st, k->kind, who);
  int i = new_snap(st, &wide, first);
  if (i >= 0) st->slots[slot] = i + 1;
  return i;
}

pn_snap *pn_snap_at(pn_sockstore *st, int i) { return st->snaps[i]; }

/* ---- where sock_diag may be used ------------------------------------------- */

/* The caller's namespace and whether the root is a real procfs, once. */
void pn_store_probe(pn_sockstore *st, const pn_fs *fs) {
  struct statfs sf;
  struct stat sb;
  if (st->probed) return;
  st->probed = 1;
  st->root_is_proc = fstatfs(fs->rootfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
  st->own_ns = stat("/proc/thread-self/ns/net", &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

int pn_store_has_no_diag(const pn_sockstore *st, const pn_sockkind *k) {
  for (int i = 0; i < st->nno_diag; i++)
    if (st->no_diag[i] == k) return 1;
  return 0;
}

/* 1 when the snapshot should be read through sock_diag: the kind has it,
 * the namespace is a real one that netlink may reach, and the snapshot
 * needs sock_diag's fields or (being faster) has no need of the text's
 * alone. */
static int netlink_reaches(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                           int known);
int pn_store_diag_wanted(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k) {
  if (!k->kind->diag || pn_store_has_no_diag(st, k->kind) ||
      !netlink_reaches(st, fs, k->key, k->known))
    return 0;
  return (k->want & ~PN_WANT_TEXT) || !(k->want & PN_WANT_TEXT);
}

/* Opens the ns/net file of one of pids that is still in namespace key. */
static int open_nsfile(const pn_fs *fs, uint64_t key, const int64_t *pids,
                       int npids) {
  for (int i = 0; i < npids; i++) {
    struct stat sb;
    int fd, err;
    if (pn_open_ns(fs, pids[i], "net", &fd, &err) != PN_OK)
      continue; /* gone, or not ours to enter */
    if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_ino == key) return fd;
    close(fd); /* the process moved on: try the next */
  }
  return -1;
}

/* The store's entry for namespace key, made (and its ns/net file opened,
 * unless it is the caller's own) on first use; NULL when out of memory. */
static nsfile *namespace_of(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                            const int64_t *pids, int npids, int nsfd) {
  for (size_t i = 0; i < st->nnsfiles; i++)
    if (st->nsfiles[i].key == key) return &st->nsfiles[i];
  nsfile *v = pn_array_room(st->nsfiles, st->nnsfiles, &st->nscap, sizeof *v, 8);
  if (!v) return NULL;
  st->nsfiles = v;
  nsfile *e = &v[st->nnsfiles++];
  memset(e, 0, sizeof *e);
  e->key = key;
  if (key != st->own_ns) {
    e->fd = open_nsfile(fs, key, pids, npids);
    if (e->fd < 0 && nsfd >= 0) e->fd = fcntl(nsfd, F_DUPFD_CLOEXEC, 0);
  } else {
    e->fd = -1;
  }
  return e;
}

int pn_store_nsfd(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                   const pn_snapjob *j, int *rc) {
  if (key == st->own_ns) return PN_OWN_NS;
  nsfile *e = namespace_of(st, fs, key, j->pids, j->npids, j->nsfd);
  if (!e) *rc = SQLITE_NOMEM;
  return e ? e->fd : -1;
}

/* 1 when netlink may be used in namespace k (sockets of that kind aside). */
static int netlink_reaches(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                           int known) {
  pn_store_probe(st, fs);
  if (!st->root_is_proc || !known || st->netlink == PN_NETLINK_OFF) return 0;
  return st->netlink == PN_NETLINK_ALL || key == st->own_ns;
}

static void load_links(pn_sockstore *st, const pn_fs *fs, nsfile *e) {
  int nsfd = e->key == st->own_ns ? -1 : e->fd, fd, err;
  e->links = -1;
  if (nsfd == -1 && e->key != st->own_ns) return;
  pn_netlink_open(&nsfd, 1, NETLINK_ROUTE, &fd, &err);
  if (fd < 0) return;
  if (fs->cnt) fs->cnt->netlink_dumps++;
  if (pn_ifaces_load(fd, &e->ifaces, &err) == PN_OK) e->links = 1;
  close(fd);
}

int pn_sockstore_ifname(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k,
                        const int64_t *pids, int npids, int nsfd,
                        uint32_t index, char out[16]) {
  if (!netlink_reaches(st, fs, k->key, k->known)) return 0;
  nsfile *e = namespace_of(st, fs, k->key, pids, npids, nsfd);
  if (!e) return -1;
  if (!e->links) load_links(st, fs, e);
  const char *name = e->links > 0 ? pn_ifaces_name(&e->ifaces, index) : NULL;
  if (!name) return 0;
  size_t n = strlen(name);
  memcpy(out, name, n + 1);
  return (int)n;
}

/* ---- inode lookups ------------------------------------------------------------ */

static int build_by_inode(pn_snap *s) {
  size_t n = s->set.n;
  s->by_inode = sqlite3_malloc64((n ? n : 1) * sizeof *s->by_inode);
  pn_inode_ix *tmp = sqlite3_malloc64((n ? n : 1) * sizeof *tmp);
  if (!s->by_inode || !tmp) {
    sqlite3_free(tmp);
    sqlite3_free(s->by_inode);
    s->by_inode = NULL;
    return SQLITE_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    s->by_inode[i].inode = s->set.v[i].inode;
    s->by_inode[i].rec = i;
  }
  pn_sort_by_key64(s->by_inode, tmp, n, sizeof *s->by_inode);
  sqlite3_free(tmp);
  return SQLITE_OK;
}

int pn_snap_complete(pn_snap *s) { return s->fill ? pn_fill_wait(s->fill) : SQLITE_OK; }

int pn_snap_find_inode(pn_snap *s, uint64_t inode, size_t *pos) {
  int rc = pn_snap_complete(s);
  if (rc != SQLITE_OK) return rc;
  if (!s->by_inode && build_by_inode(s) != SQLITE_OK) return SQLITE_NOMEM;
  *pos = pn_lower_bound_u64(s->by_inode, s->set.n, sizeof *s->by_inode, inode);
  return SQLITE_OK;
}

int pn_snap_has_row(pn_snap *s, size_t i, int *rc) {
  if (!s->fill) return i < s->set.n;
  return pn_fill_has(s->fill, i, rc);
}

/* The slot of inode in s->hash: its record's, or the empty one. */
static size_t hash_slot(const pn_snap *s, uint64_t inode) {
  size_t i = (size_t)((inode * 0x9E3779B97F4A7C15ULL) >> 20) & (s->nhash - 1);
  while (s->hash[i] && s->set.v[s->hash[i] - 1].inode != inode)
    i = (i + 1) & (s->nhash - 1);
  return i;
}

/* Room for n records at most half full; the records indexed again. */
static int grow_hash(pn_snap *s, size_t n) {
  if (n < s->nhash / 2) return SQLITE_OK;
  size_t slots = s->nhash ? s->nhash : 1024;
  while (n >= slots / 2) slots *= 2;
  size_t *h = sqlite3_malloc64(slots * sizeof *h);
  if (!h) return SQLITE_NOMEM;
  memset(h, 0, slots * sizeof *h);
  sqlite3_free(s->hash);
  s->hash = h;
  s->nhash = slots;
  s->hashed = 0;
  return SQLITE_OK;
}

/* Indexes the records up to n (inode 0 is no socket's own: left out; the
 * first record of an inode is kept). */
static int hash_upto(pn_snap *s, size_t n) {
  if (grow_hash(s, n) != SQLITE_OK) return SQLITE_NOMEM;
  for (; s->hashed < n; s->hashed++) {
    uint64_t inode = s->set.v[s->hashed].inode;
    if (!inode) continue;
    size_t at = hash_slot(s, inode);
    if (!s->hash[at]) s->hash[at] = s->hashed + 1;
  }
  return SQLITE_OK;
}

int pn_snap_find_one(pn_snap *s, uint64_t inode, size_t *rec) {
  int rc = SQLITE_OK;
  *rec = SIZE_MAX;
  for (;;) {
    size_t n = s->fill ? pn_fill_rows(s->fill) : s->set.n;
    if ((rc = hash_upto(s, n)) != SQLITE_OK) return rc;
    size_t at = hash_slot(s, inode);
    if (s->hash[at]) {
      *rec = s->hash[at] - 1;
      return SQLITE_OK;
    }
    /* not among the records so far: wait for the next, or the end */
    int more = s->fill ? pn_snap_has_row(s, n, &rc) : 0;
    if (more <= 0) return more < 0 ? rc : SQLITE_OK;
  }
}

/* ---- one socket --------------------------------------------------------------- */

int pn_sockstore_diag_socket(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k,
                             const pn_snapjob *j) {
  int rc = SQLITE_OK, fd, err;
  if (!k->kind->diag || pn_store_has_no_diag(st, k->kind) ||
      !netlink_reaches(st, fs, k->key, k->known))
    return -1;
  int nsfd = pn_store_nsfd(st, fs, k->key, j, &rc);
  if (nsfd == -1) return -1;
  if (nsfd == PN_OWN_NS) nsfd = -1;
  pn_netlink_open(&nsfd, 1, NETLINK_SOCK_DIAG, &fd, &err);
  return fd;
}
