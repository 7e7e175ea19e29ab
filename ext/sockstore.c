/*
 * sockstore.c: snapshots of socket records, shared by a connection's
 * cursors; see sockstore.h.
 */
#include "sockstore.h"

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

/* What an open cursor expects to ask of the snapshots of a kind. */
typedef struct expectation {
  const void *who;
  const pn_sockkind *kind;
  unsigned want;            /* PN_WANT_INFO | PN_WANT_MEM */
} expectation;

/* A namespace this store has entered, or tried to. */
typedef struct nsfile {
  uint64_t key;
  int fd;                   /* its ns/net file; -1: refused, or no process
                               of it is left */
  int links;                /* 1: ifaces loaded, -1: they cannot be */
  pn_ifaces ifaces;
} nsfile;

struct pn_sockstore {
  int cursors;
  pn_nslist ns;
  int ns_built;
  pn_snap **snaps;          /* each made apart: a snapshot stays where it
                               is while cursors hold it and others are made */
  int nsnaps, cap;
  /* Open addressing over snapshot identities (kind, file, namespace):
   * slot holds 1 + the index of the first snapshot of that file, 0 when
   * empty; the others of the same file are chained through pn_snap.next. */
  int *slots;
  size_t nslots;
  /* sock_diag: whether and where it may be used */
  int netlink;              /* pn_netlink_mode, as it was at the start */
  int netns_held;           /* ctx->netns_held, as it was at the start */
  int probed;               /* root_is_proc and own_ns are known */
  int root_is_proc;         /* the root is a procfs: its namespaces are
                               real ones (not a fixture tree) */
  uint64_t own_ns;          /* the caller's network namespace */
  nsfile *nsfiles;          /* the namespaces entered, the caller's too */
  size_t nnsfiles, nscap;
  const pn_sockkind *no_diag[8]; /* kinds the kernel has no handler for */
  int nno_diag;
  expectation *expected;    /* what open cursors will ask for */
  size_t nexpected, expcap;
};

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
  for (int i = 0; i < st->nsnaps; i++) {
    pn_sockset_free(&st->snaps[i]->set);
    sqlite3_free(st->snaps[i]->by_inode);
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
static void probe_system(pn_sockstore *st, const pn_fs *fs) {
  struct statfs sf;
  struct stat sb;
  if (st->probed) return;
  st->probed = 1;
  st->root_is_proc = fstatfs(fs->rootfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
  st->own_ns = stat("/proc/thread-self/ns/net", &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

static int has_no_diag(const pn_sockstore *st, const pn_sockkind *k) {
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
static int diag_wanted(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k) {
  if (!k->kind->diag || has_no_diag(st, k->kind) ||
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

/* The ns/net fd to make sockets of namespace key in: OWN_NS for the
 * caller's own (no need to enter it), -1 when it cannot be entered. */
#define OWN_NS -2
static int nsfd_of(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                   const pn_snapjob *j, int *rc) {
  if (key == st->own_ns) return OWN_NS;
  nsfile *e = namespace_of(st, fs, key, j->pids, j->npids, j->nsfd);
  if (!e) *rc = SQLITE_NOMEM;
  return e ? e->fd : -1;
}

/* 1 when netlink may be used in namespace k (sockets of that kind aside). */
static int netlink_reaches(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                           int known) {
  probe_system(st, fs);
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

/* ---- reading ------------------------------------------------------------------ */

/* One snapshot to read, as the threads see it. */
typedef struct readjob {
  pn_snap *s;
  const pn_snapjob *j;
  int nsfd;                 /* OWN_NS, an ns/net fd, or -1: text only */
  int sock;                 /* the NETLINK_SOCK_DIAG socket, or -1 */
  int textfd;               /* the file, opened inside a namespace no
                               process is in, or -1 */
  pn_snap *pair;            /* tcp6, read by this job with tcp (one dump) */
  int skip;                 /* read by the job it is paired with */
  int no_handler;           /* the kernel has no sock_diag for the kind */
} readjob;

/* One thread's share of a read: its own view of the root, with its own
 * counters (added up after). */
typedef struct snap_reader {
  pn_fs fs;
  pn_counters cnt;
  readjob *jobs;
  int rc;
} snap_reader;

/* A dump the kernel may interrupt (its tables changed while it walked
 * them, or replies were dropped) is asked again, a few times. */
#define PN_DIAG_TRIES 3

static pn_res diag_with_retries(const pn_fs *fs, readjob *rj, int merge) {
  const pn_snapkey *k = &rj->s->k;
  pn_res r = PN_FAIL;
  int err = EAGAIN;
  for (int t = 0; t < PN_DIAG_TRIES && r != PN_OK && err == EAGAIN; t++) {
    if (fs->cnt) fs->cnt->netlink_dumps++;
    if (rj->pair)
      r = pn_diag_read_tcp(rj->sock, k->want, &rj->s->set, &rj->pair->set, &err);
    else if (merge)
      r = pn_diag_merge(rj->sock, k->kind, k->file, k->want, &rj->s->set, &err);
    else
      r = pn_diag_read(rj->sock, k->kind, k->file, k->want, &rj->s->set, &err);
  }
  if (r == PN_GONE) rj->no_handler = 1;
  if (r == PN_FAIL && err == ENOMEM) return PN_FAIL;
  return r == PN_OK ? PN_OK : PN_DENIED; /* anything else: the text will do */
}

static int read_text(const pn_fs *fs, readjob *rj) {
  int64_t via;
  const pn_snapkey *k = &rj->s->k;
  if (rj->textfd >= 0) return pn_text_read_fd(rj->textfd, k->kind, &rj->s->set);
  int rc = pn_text_read(fs, k->kind, k->file, rj->j->pids, rj->j->npids,
                        &rj->s->set, &via);
  if (rc == SQLITE_OK && rj->pair) /* its pair: the same namespace's tcp6 */
    rc = pn_text_read(fs, k->kind, 1, rj->j->pids, rj->j->npids, &rj->pair->set, &via);
  return rc;
}

/* Reads one snapshot from the sources its want asks for: sock_diag alone,
 * the text files alone, or the text files with sock_diag's fields added. */
static int read_one(const pn_fs *fs, readjob *rj) {
  pn_snap *s = rj->s;
  int rc = SQLITE_OK;
  if (rj->skip) return SQLITE_OK;
  if (rj->sock >= 0 && !(s->k.want & PN_WANT_TEXT)) {
    pn_res r = diag_with_retries(fs, rj, 0);
    if (r == PN_FAIL) rc = SQLITE_NOMEM;
    else if (r != PN_OK) rc = read_text(fs, rj);
  } else {
    rc = read_text(fs, rj);
    if (rc == SQLITE_OK && rj->sock >= 0 && diag_with_retries(fs, rj, 1) == PN_FAIL)
      rc = SQLITE_NOMEM;
  }
  s->read = rc == SQLITE_OK; /* after a failure the next scan tries again */
  if (!s->read) pn_sockset_clear(&s->set);
  if (rj->pair) {
    rj->pair->read = s->read;
    if (!s->read) pn_sockset_clear(&rj->pair->set);
  }
  return rc;
}

static void read_item(void *state, size_t item) {
  snap_reader *r = state;
  int rc = read_one(&r->fs, &r->jobs[item]);
  if (rc != SQLITE_OK) r->rc = rc;
}

/* The jobs whose snapshot is not read yet, each snapshot once. */
static int unread_jobs(pn_sockstore *st, const pn_snapjob *jobs, int n,
                       readjob *out) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    pn_snap *s = st->snaps[jobs[i].snap];
    if (s->read) continue;
    int dup = 0;
    for (int j = 0; j < k && !dup; j++) dup = out[j].s == s;
    if (!dup) out[k++] = (readjob){s, &jobs[i], -1, -1, -1, NULL, 0, 0};
  }
  return k;
}

/* The tcp job of file 1 that can be read with job a (file 0): the same
 * namespace and needs, both through sock_diag alone; -1 if none. */
static int tcp6_partner(pn_sockstore *st, const pn_fs *fs, readjob *rj, int n,
                        int a) {
  const pn_snapkey *k = &rj[a].s->k;
  if (k->kind != &pn_kind_tcp || k->file != 0 || (k->want & PN_WANT_TEXT) ||
      rj[a].j->npids == 0 || !diag_wanted(st, fs, k))
    return -1;
  for (int b = 0; b < n; b++) {
    const pn_snapkey *o = &rj[b].s->k;
    if (!rj[b].skip && o->kind == k->kind && o->file == 1 && o->key == k->key &&
        o->known == k->known && o->want == k->want)
      return b;
  }
  return -1;
}

/* tcp and tcp6 of a namespace in one dump (pn_diag_read_tcp). */
static void pair_tcp_jobs(pn_sockstore *st, const pn_fs *fs, readjob *rj, int n) {
  for (int a = 0; a < n; a++) {
    int b = tcp6_partner(st, fs, rj, n, a);
    if (b < 0) continue;
    rj[a].pair = rj[b].s;
    rj[b].skip = 1;
  }
}

/* Decides which jobs read sock_diag and opens their sockets, all the
 * foreign ones in one helper thread (netlink.h). */
static int open_diag_sockets(pn_sockstore *st, const pn_fs *fs, readjob *rj,
                             int n) {
  int rc = SQLITE_OK, m = 0;
  int *nsfds = sqlite3_malloc64((size_t)(n ? n : 1) * 3 * sizeof *nsfds);
  if (!nsfds) return SQLITE_NOMEM;
  int *fds = nsfds + n, *errs = fds + n;
  for (int i = 0; i < n && rc == SQLITE_OK; i++) {
    const pn_snapkey *k = &rj[i].s->k;
    if (rj[i].skip || !diag_wanted(st, fs, k)) continue;
    rj[i].nsfd = nsfd_of(st, fs, k->key, rj[i].j, &rc);
    if (rj[i].nsfd == -1) continue;
    nsfds[m++] = rj[i].nsfd == OWN_NS ? -1 : rj[i].nsfd;
  }
  if (rc == SQLITE_OK && m) {
    pn_netlink_open(nsfds, m, NETLINK_SOCK_DIAG, fds, errs);
    for (int i = 0, j = 0; i < n; i++)
      if (rj[i].nsfd != -1) rj[i].sock = fds[j++];
  }
  sqlite3_free(nsfds);
  return rc;
}

/* A namespace no process is in has no PID/net/: its files are opened
 * from inside it (/proc/thread-self/net/, the helper thread's own). */
static void open_text_here(void *arg, int i) {
  readjob *rj = &((readjob *)arg)[i];
  char path[64];
  const pn_snapkey *k = &rj->s->k;
  snprintf(path, sizeof path, "/proc/thread-self/net/%s", k->kind->files[k->file]);
  rj->textfd = open(path, O_RDONLY | O_CLOEXEC);
}

static int open_unlisted_files(pn_sockstore *st, const pn_fs *fs, readjob *rj,
                               int n) {
  int *nsfds = sqlite3_malloc64((size_t)(n ? n : 1) * 2 * sizeof *nsfds), any = 0;
  if (!nsfds) return SQLITE_NOMEM;
  int *errs = nsfds + n;
  probe_system(st, fs);
  for (int i = 0; i < n; i++) {
    /* entering a namespace is what 'self' and 'off' rule out */
    int unlisted = rj[i].j->npids == 0 && rj[i].j->nsfd >= 0 && st->root_is_proc &&
                   st->netlink == PN_NETLINK_ALL;
    nsfds[i] = unlisted ? rj[i].j->nsfd : -1;
    any |= unlisted;
  }
  if (any) pn_in_netns(nsfds, n, open_text_here, rj, errs);
  sqlite3_free(nsfds);
  return SQLITE_OK;
}

/* Closes the sockets and notes the kinds the kernel has no handler for. */
static void finish_jobs(pn_sockstore *st, readjob *rj, int n) {
  for (int i = 0; i < n; i++) {
    if (rj[i].sock >= 0) close(rj[i].sock);
    if (rj[i].textfd >= 0) close(rj[i].textfd);
    const pn_sockkind *k = rj[i].s->k.kind;
    if (rj[i].no_handler && !has_no_diag(st, k) &&
        st->nno_diag < (int)(sizeof st->no_diag / sizeof st->no_diag[0]))
      st->no_diag[st->nno_diag++] = k;
  }
}

int pn_snaps_read(pn_sockstore *st, const pn_fs *fs, int threads,
                  const pn_snapjob *jobs, int njobs) {
  readjob *todo = sqlite3_malloc64((size_t)(njobs ? njobs : 1) * sizeof *todo);
  if (!todo) return SQLITE_NOMEM;
  int n = unread_jobs(st, jobs, njobs, todo);
  pair_tcp_jobs(st, fs, todo, n);
  int rc = open_diag_sockets(st, fs, todo, n);
  if (rc == SQLITE_OK) rc = open_unlisted_files(st, fs, todo, n);
  snap_reader r[PN_MAX_THREADS];
  memset(r, 0, sizeof r);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    r[t].fs = *fs;
    r[t].fs.cnt = &r[t].cnt;
    r[t].jobs = todo;
  }
  if (rc == SQLITE_OK) pn_parallel_for((size_t)n, threads, read_item, r, sizeof *r);
  for (int t = 0; t < PN_MAX_THREADS; t++) {
    if (r[t].rc != SQLITE_OK) rc = r[t].rc;
    if (fs->cnt) pn_counters_add(fs->cnt, &r[t].cnt);
  }
  finish_jobs(st, todo, n);
  sqlite3_free(todo);
  return rc;
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

int pn_snap_find_inode(pn_snap *s, uint64_t inode, size_t *pos) {
  if (!s->by_inode && build_by_inode(s) != SQLITE_OK) return SQLITE_NOMEM;
  *pos = pn_lower_bound_u64(s->by_inode, s->set.n, sizeof *s->by_inode, inode);
  return SQLITE_OK;
}

/* ---- one socket --------------------------------------------------------------- */

int pn_sockstore_diag_socket(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k,
                             const pn_snapjob *j) {
  int rc = SQLITE_OK, fd, err;
  if (!k->kind->diag || has_no_diag(st, k->kind) ||
      !netlink_reaches(st, fs, k->key, k->known))
    return -1;
  int nsfd = nsfd_of(st, fs, k->key, j, &rc);
  if (nsfd == -1) return -1;
  if (nsfd == OWN_NS) nsfd = -1;
  pn_netlink_open(&nsfd, 1, NETLINK_SOCK_DIAG, &fd, &err);
  return fd;
}
