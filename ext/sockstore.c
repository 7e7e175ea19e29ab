/*
 * sockstore.c: snapshots of socket records, shared by a connection's
 * cursors; see sockstore.h.
 */
#include "sockstore.h"

#include "parallel.h"
#include "sock_diag.h"
#include "sock_text.h"
#include "sort.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <sys/stat.h>

struct pn_sockstore {
  int cursors;
  pn_nslist ns;
  int ns_built;
  pn_snap *snaps;
  int nsnaps, cap;
  /* Open addressing over snapshot identities (kind, file, namespace):
   * slot holds 1 + the index of the first snapshot of that file, 0 when
   * empty; the others of the same file are chained through pn_snap.next. */
  int *slots;
  size_t nslots;
  pn_peer_map peers;        /* unix peers of the caller's namespace */
  int peers_loaded;
};

pn_sockstore *pn_sockstore_acquire(pn_ctx *ctx) {
  pn_sockstore *st = ctx->sockstore;
  if (!st) {
    st = sqlite3_malloc(sizeof *st);
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    ctx->sockstore = st;
  }
  st->cursors++;
  return st;
}

void pn_sockstore_release(pn_ctx *ctx, pn_sockstore *st) {
  if (--st->cursors > 0) return;
  for (int i = 0; i < st->nsnaps; i++) {
    pn_sockset_free(&st->snaps[i].set);
    sqlite3_free(st->snaps[i].by_inode);
  }
  sqlite3_free(st->snaps);
  sqlite3_free(st->slots);
  pn_nslist_free(&st->ns);
  pn_peer_map_free(&st->peers);
  sqlite3_free(st);
  ctx->sockstore = NULL;
}

const pn_nslist *pn_sockstore_namespaces(pn_sockstore *st, const pn_fs *fs,
                                         pn_buf *scratch) {
  if (!st->ns_built) {
    if (pn_nslist_build(&st->ns, fs, PN_NS_PROBE, scratch)) return NULL;
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
  while (st->slots[i] && !same_file(&st->snaps[st->slots[i] - 1].k, k))
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
    if (old[i]) st->slots[slot_of(st, &st->snaps[old[i] - 1].k)] = old[i];
  sqlite3_free(old);
  return SQLITE_OK;
}

static int new_snap(pn_sockstore *st, const pn_snapkey *k, int next) {
  size_t cap = (size_t)st->cap;
  pn_snap *v = pn_array_room(st->snaps, (size_t)st->nsnaps, &cap, sizeof *v, 32);
  if (!v) return -1;
  st->snaps = v;
  st->cap = (int)cap;
  pn_snap *s = &st->snaps[st->nsnaps];
  memset(s, 0, sizeof *s);
  s->k = *k;
  s->next = next;
  return st->nsnaps++;
}

int pn_snap_of(pn_sockstore *st, const pn_snapkey *k) {
  if (grow_slots(st) != SQLITE_OK) return -1;
  size_t slot = slot_of(st, k);
  int first = st->slots[slot] - 1;
  for (int i = first; i >= 0; i = st->snaps[i].next)
    if ((k->want & ~st->snaps[i].k.want & PN_WANT_SNAP) == 0) return i;
  int i = new_snap(st, k, first);
  if (i >= 0) st->slots[slot] = i + 1;
  return i;
}

pn_snap *pn_snap_at(pn_sockstore *st, int i) { return &st->snaps[i]; }

/* ---- reading ------------------------------------------------------------------ */

/* One thread's share of a read: its own view of the root, with its own
 * counters (added up after). */
typedef struct snap_reader {
  pn_fs fs;
  pn_counters cnt;
  pn_sockstore *st;
  const pn_snapjob *jobs;
  int rc;
} snap_reader;

static int read_one(const pn_fs *fs, pn_snap *s, const pn_snapjob *j) {
  int64_t via;
  int rc = pn_text_read(fs, s->k.kind, s->k.file, j->pids, j->npids, &s->set, &via);
  s->read = rc == SQLITE_OK; /* after a failure the next scan tries again */
  return rc;
}

static void read_item(void *state, size_t item) {
  snap_reader *r = state;
  const pn_snapjob *j = &r->jobs[item];
  int rc = read_one(&r->fs, &r->st->snaps[j->snap], j);
  if (rc != SQLITE_OK) r->rc = rc;
}

/* The jobs whose snapshot is not read yet, each snapshot once. */
static int unread_jobs(const pn_sockstore *st, const pn_snapjob *jobs, int n,
                       pn_snapjob *out) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (st->snaps[jobs[i].snap].read) continue;
    int dup = 0;
    for (int j = 0; j < k && !dup; j++) dup = out[j].snap == jobs[i].snap;
    if (!dup) out[k++] = jobs[i];
  }
  return k;
}

int pn_snaps_read(pn_sockstore *st, const pn_fs *fs, int threads,
                  const pn_snapjob *jobs, int njobs) {
  pn_snapjob *todo = sqlite3_malloc64((size_t)(njobs ? njobs : 1) * sizeof *todo);
  if (!todo) return SQLITE_NOMEM;
  int n = unread_jobs(st, jobs, njobs, todo), rc = SQLITE_OK;
  snap_reader r[PN_MAX_THREADS];
  memset(r, 0, sizeof r);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    r[t].fs = *fs;
    r[t].fs.cnt = &r[t].cnt;
    r[t].st = st;
    r[t].jobs = todo;
  }
  pn_parallel_for((size_t)n, threads, read_item, r, sizeof *r);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    if (r[t].rc != SQLITE_OK) rc = r[t].rc;
    if (fs->cnt) pn_counters_add(fs->cnt, &r[t].cnt);
  }
  sqlite3_free(todo);
  return rc;
}

/* ---- inode lookups ------------------------------------------------------------ */

static int cmp_inode_ix(const void *a, const void *b) {
  const pn_inode_ix *x = a, *y = b;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return (x->rec > y->rec) - (x->rec < y->rec);
}

static int build_by_inode(pn_snap *s) {
  size_t n = s->set.n;
  s->by_inode = sqlite3_malloc64((n ? n : 1) * sizeof *s->by_inode);
  if (!s->by_inode) return SQLITE_NOMEM;
  for (size_t i = 0; i < n; i++) {
    s->by_inode[i].inode = s->set.v[i].inode;
    s->by_inode[i].rec = i;
  }
  pn_sort(s->by_inode, n, sizeof *s->by_inode, cmp_inode_ix);
  return SQLITE_OK;
}

int pn_snap_find_inode(pn_snap *s, uint64_t inode, size_t *pos) {
  if (!s->by_inode && build_by_inode(s) != SQLITE_OK) return SQLITE_NOMEM;
  *pos = pn_lower_bound_u64(s->by_inode, s->set.n, sizeof *s->by_inode, inode);
  return SQLITE_OK;
}

/* ---- unix peers ------------------------------------------------------------------ */

/* Our own namespace's inode, from the real /proc (sock_diag answers for the
 * namespace of the socket it is asked through, which is ours). */
static uint64_t own_netns(void) {
  struct stat sb;
  return stat("/proc/self/ns/net", &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

uint64_t pn_sockstore_unix_peer(pn_sockstore *st, const pn_snapkey *k,
                                uint64_t inode) {
  if (!st->peers_loaded) {
    st->peers_loaded = 1;
    st->peers.self_netns = own_netns();
    if (st->peers.self_netns) pn_unix_peers_load(&st->peers);
  }
  if (!k->known || k->key != st->peers.self_netns) return 0;
  return pn_peer_map_get(&st->peers, inode);
}
