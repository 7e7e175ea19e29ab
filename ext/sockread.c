/*
 * sockread.c: reading the store's snapshots; see sockstore.h and
 * sockstore_int.h.
 */
#include "sockstore_int.h"

#include "netlink.h"
#include "nsenter.h"
#include "parallel.h"
#include "sock_diag.h"
#include "sock_text.h"
#include "sockstream.h"
#include "sort.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- reading ------------------------------------------------------------------ */

/* One snapshot to read, as the threads see it. */
typedef struct readjob {
  pn_snap *s;
  const pn_snapjob *j;
  int nsfd;                 /* PN_OWN_NS, an ns/net fd, or -1: text only */
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
static int read_snapshot(const pn_fs *fs, readjob *rj) {
  pn_snap *s = rj->s;
  int rc = SQLITE_OK;
  if (rj->sock >= 0 && !(s->k.want & PN_WANT_TEXT)) {
    pn_res r = diag_with_retries(fs, rj, 0);
    if (r == PN_FAIL) rc = SQLITE_NOMEM;
    else if (r != PN_OK) rc = read_text(fs, rj);
  } else {
    rc = read_text(fs, rj);
    if (rc == SQLITE_OK && rj->sock >= 0 && diag_with_retries(fs, rj, 1) == PN_FAIL)
      rc = SQLITE_NOMEM;
  }
  return rc;
}

static int read_one(const pn_fs *fs, readjob *rj) {
  if (rj->skip) return SQLITE_OK;
  pn_snap *s = rj->s;
  int rc = read_snapshot(fs, rj);
  s->read = rc == SQLITE_OK; /* after a failure the next scan tries again */
  if (!s->read) pn_sockset_clear(&s->set);
  pn_sockset_trim(&s->set);
  if (rj->pair) {
    rj->pair->read = s->read;
    if (!s->read) pn_sockset_clear(&rj->pair->set);
    pn_sockset_trim(&rj->pair->set);
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
      rj[a].j->npids == 0 || !pn_store_diag_wanted(st, fs, k))
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
    if (rj[i].skip || !pn_store_diag_wanted(st, fs, k)) continue;
    rj[i].nsfd = pn_store_nsfd(st, fs, k->key, rj[i].j, &rc);
    if (rj[i].nsfd == -1) continue;
    nsfds[m++] = rj[i].nsfd == PN_OWN_NS ? -1 : rj[i].nsfd;
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
  pn_store_probe(st, fs);
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
    if (rj[i].no_handler && !pn_store_has_no_diag(st, k) &&
        st->nno_diag < (int)(sizeof st->no_diag / sizeof st->no_diag[0]))
      st->no_diag[st->nno_diag++] = k;
  }
}

/* The jobs of a read, their sockets and files opened; *n how many. NULL
 * when out of memory (*rc). */
static readjob *prepare_jobs(pn_sockstore *st, const pn_fs *fs, const pn_snapjob *jobs,
                             int njobs, int *n, int *rc) {
  readjob *todo = sqlite3_malloc64((size_t)(njobs ? njobs : 1) * sizeof *todo);
  *rc = todo ? SQLITE_OK : SQLITE_NOMEM;
  *n = 0;
  if (!todo) return NULL;
  *n = unread_jobs(st, jobs, njobs, todo);
  pair_tcp_jobs(st, fs, todo, *n);
  *rc = open_diag_sockets(st, fs, todo, *n);
  if (*rc == SQLITE_OK) *rc = open_unlisted_files(st, fs, todo, *n);
  return todo;
}

/* Reads the prepared jobs (rc: how preparing them went), shared out to
 * threads, and lets them go. */
static int read_prepared(pn_sockstore *st, const pn_fs *fs, int threads, readjob *todo,
                         int n, int rc) {
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


/* 1 when one of the jobs' snapshots is a helper's to fill. */
static int any_streamed(const pn_sockstore *st, const pn_snapjob *jobs, int njobs) {
  for (int i = 0; i < njobs; i++)
    if (st->snaps[jobs[i].snap]->fill) return 1;
  return 0;
}

int pn_snaps_read(pn_sockstore *st, const pn_fs *fs, int threads,
                  const pn_snapjob *jobs, int njobs) {
  int n, rc = any_streamed(st, jobs, njobs) ? pn_store_settle(st) : SQLITE_OK;
  if (rc != SQLITE_OK) return rc;
  readjob *todo = prepare_jobs(st, fs, jobs, njobs, &n, &rc);
  return todo ? read_prepared(st, fs, threads, todo, n, rc) : rc;
}

/* ---- streamed reads -------------------------------------------------------------
 * The first job of a read ahead is filled by a helper thread while the
 * statement reads it (sockstream.h); the helper reads the other jobs after
 * it, each visible once done. What the batch holds lives until the stream
 * is settled (every job done, the helper joined) or stopped.
 *
 * A dump the kernel interrupts (NLM_F_DUMP_INTR, or replies dropped) is
 * asked again, up to PN_DIAG_TRIES times in all, as at once; but records
 * of the first try may have been read already, so a retry adds only the
 * sockets not yet seen (by cookie, which names one socket for its life):
 * the snapshot is the union of the tries, each socket once. */

/* Room reserved for a streamed set's records (not committed: pages come
 * as records do). More sockets than that in one namespace fail the read. */
#define PN_STREAM_MAX ((size_t)16 << 20)

struct pn_stream_batch {
  pn_stream *stream;
  pn_fs fs;                 /* the helper's: its own root fd and counters */
  pn_counters cnt, *into;   /* added to `into` when settled */
  pn_snapjob *jobs;         /* the caller's jobs, copied */
  readjob *todo;
  int n;
  pn_fill *fills;           /* todo[i]'s at 2i, its pair's at 2i + 1 */
  uint64_t *seen;           /* cookies of the first job's records before
                               a retry, sorted */
  size_t nseen;
};

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Notes the cookies the first job's sets hold, before a retry. */
static int note_seen(pn_stream_batch *b, const readjob *rj) {
  const pn_sockset *set = &rj->s->set, *set6 = rj->pair ? &rj->pair->set : NULL;
  size_t n = set->n + (set6 ? set6->n : 0);
  uint64_t *v = sqlite3_realloc64(b->seen, (n ? n : 1) * sizeof *v);
  if (!v) return -1;
  b->seen = v;
  b->nseen = 0;
  for (size_t i = 0; i < set->n; i++) v[b->nseen++] = set->v[i].cookie;
  for (size_t i = 0; set6 && i < set6->n; i++) v[b->nseen++] = set6->v[i].cookie;
  pn_sort(v, b->nseen, sizeof *v, cmp_u64);
  return 0;
}

static int was_seen(const pn_stream_batch *b, uint64_t cookie) {
  size_t i = pn_lower_bound_u64(b->seen, b->nseen, sizeof *b->seen, cookie);
  return i < b->nseen && b->seen[i] == cookie;
}

/* After each record of the first job's dump: a socket an earlier try
 * gave already is dropped, the others published. */
static int on_added(void *arg, pn_sockset *set) {
  pn_stream_batch *b = arg;
  readjob *rj = &b->todo[0];
  if (pn_stream_stopping(b->stream)) return ECANCELED;
  pn_fill *f = set == &rj->s->set ? &b->fills[0] : &b->fills[1];
  if (b->nseen && set->n > pn_fill_rows(f) && was_seen(b, set->v[set->n - 1].cookie))
    pn_sockset_pop(set);
  pn_fill_publish(f, set->n);
  return 0;
}

static int any_published(const pn_stream_batch *b) {
  return pn_fill_rows(&b->fills[0]) || pn_fill_rows(&b->fills[1]);
}

/* The first job's dump, tried again while the kernel interrupts it. */
static pn_res stream_dump(pn_stream_batch *b, readjob *rj, int *err) {
  const pn_snapkey *k = &rj->s->k;
  pn_diag_hook hook = {on_added, b};
  pn_res r = PN_FAIL;
  *err = EAGAIN;
  for (int t = 0; t < PN_DIAG_TRIES && r != PN_OK && *err == EAGAIN; t++) {
    if (t && note_seen(b, rj) != 0) {
      *err = ENOMEM;
      return PN_FAIL;
    }
    b->cnt.netlink_dumps++;
    r = pn_diag_stream(rj->sock, k->kind, k->file, k->want, &rj->s->set,
                       rj->pair ? &rj->pair->set : NULL, &hook, err);
  }
  return r;
}

/* The first job: its records published as the dump gives them. A dump
 * refused before any record came is read as at once (the text files);
 * one that failed after can no longer be: the error stands. */
static int stream_first(pn_stream_batch *b, readjob *rj) {
  int err;
  pn_res r = stream_dump(b, rj, &err);
  if (r == PN_OK || (err == EAGAIN && any_published(b))) return SQLITE_OK;
  if (any_published(b) || err == ECANCELED)
    return err == ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
  if (r == PN_GONE) rj->no_handler = 1;
  pn_sockset_clear(&rj->s->set);
  if (rj->pair) pn_sockset_clear(&rj->pair->set);
  if (r == PN_FAIL && err == ENOMEM) return SQLITE_NOMEM;
  return read_text(&b->fs, rj);
}

static void finish_job(pn_stream_batch *b, int i, int rc) {
  readjob *rj = &b->todo[i];
  pn_fill *f = &b->fills[2 * i];
  /* (not trimmed, unlike read_one's sets: the statement's thread reads
   * these meanwhile, and giving pages back from under it costs the
   * other CPU a TLB flush and the huge page a split, 9 ms at 10,000
   * sockets) */
  if (rc == SQLITE_OK) pn_fill_publish(f, rj->s->set.n);
  pn_fill_finish(f, rc);
  if (!rj->pair) return;
  if (rc == SQLITE_OK) pn_fill_publish(f + 1, rj->pair->set.n);
  pn_fill_finish(f + 1, rc);
}

/* The helper: the first job streamed, the others read after it. */
static void run_batch(pn_stream *s, void *arg) {
  pn_stream_batch *b = arg;
  (void)s;
  for (int i = 0; i < b->n; i++) {
    readjob *rj = &b->todo[i];
    if (rj->skip) continue; /* its pair's job finishes it */
    int rc = pn_stream_stopping(b->stream) ? SQLITE_INTERRUPT
             : i == 0                      ? stream_first(b, rj)
                                           : read_snapshot(&b->fs, rj);
    finish_job(b, i, rc);
  }
}

/* 1 when the first job may be streamed: a TCP or UDP snapshot (records
 * without strings) read through sock_diag alone. */
static int streamable(const readjob *rj) {
  const pn_snapkey *k = &rj->s->k;
  return rj->sock >= 0 && !rj->skip && k->kind->fmt == PN_FMT_INET &&
         !(k->want & PN_WANT_TEXT);
}

static void free_batch(pn_stream_batch *b) {
  if (b->fs.rootfd >= 0) close(b->fs.rootfd);
  sqlite3_free(b->seen);
  sqlite3_free(b->fills);
  sqlite3_free(b->todo);
  sqlite3_free(b->jobs);
  sqlite3_free(b);
}

/* The batch of jobs, copied, with the helper's own root fd. NULL when out
 * of memory or out of descriptors. */
static pn_stream_batch *new_batch(const pn_fs *fs, const pn_snapjob *jobs, int njobs) {
  pn_stream_batch *b = sqlite3_malloc(sizeof *b);
  if (!b) return NULL;
  memset(b, 0, sizeof *b);
  b->fs.rootfd = fcntl(fs->rootfd, F_DUPFD_CLOEXEC, 0);
  b->fs.cnt = &b->cnt;
  b->into = fs->cnt;
  b->jobs = sqlite3_malloc64((size_t)njobs * sizeof *jobs);
  if (b->fs.rootfd < 0 || !b->jobs) {
    free_batch(b);
    return NULL;
  }
  memcpy(b->jobs, jobs, (size_t)njobs * sizeof *jobs);
  return b;
}

/* Gives the snapshots of the batch their fills and pins the first job's
 * sets; 0, or -1 (nothing to stream: the caller reads at once). */
static int arm_batch(pn_stream_batch *b, pn_stream *s) {
  readjob *first = &b->todo[0];
  if (pn_sockset_pin(&first->s->set, PN_STREAM_MAX) != 0 ||
      (first->pair && pn_sockset_pin(&first->pair->set, PN_STREAM_MAX) != 0))
    return -1;
  b->fills = sqlite3_malloc64((size_t)b->n * 2 * sizeof *b->fills);
  if (!b->fills) return -1;
  b->stream = s;
  for (int i = 0; i < b->n; i++) {
    readjob *rj = &b->todo[i];
    pn_fill_init(&b->fills[2 * i], s);
    pn_fill_init(&b->fills[2 * i + 1], s);
    /* fills no snapshot has are done from the start */
    if (rj->skip) pn_fill_finish(&b->fills[2 * i], SQLITE_OK);
    if (rj->skip || !rj->pair) pn_fill_finish(&b->fills[2 * i + 1], SQLITE_OK);
    if (rj->skip) continue;
    rj->s->fill = &b->fills[2 * i];
    rj->s->read = 1;
    if (rj->pair) {
      rj->pair->fill = &b->fills[2 * i + 1];
      rj->pair->read = 1;
    }
  }
  return 0;
}

/* Undoes arm_batch when the helper could not start. */
static void disarm_batch(pn_stream_batch *b) {
  for (int i = 0; b->fills && i < b->n; i++) {
    readjob *rj = &b->todo[i];
    rj->s->fill = NULL;
    rj->s->read = 0;
    if (rj->pair) {
      rj->pair->fill = NULL;
      rj->pair->read = 0;
    }
  }
}

/* Streams the prepared jobs of b: SQLITE_OK, or SQLITE_DONE when they
 * cannot be (b unchanged), or the error. */
static int stream_batch(pn_sockstore *st, pn_stream_batch *b) {
  pn_stream *s = NULL;
  if (!b->n || !streamable(&b->todo[0])) return SQLITE_DONE;
  int rc = pn_stream_new(&s, run_batch, b);
  if (rc == SQLITE_NOMEM) return rc;
  if (rc == SQLITE_OK && arm_batch(b, s) == 0 && pn_stream_go(s) == 0) {
    st->batch = b;
    return SQLITE_OK;
  }
  disarm_batch(b);
  pn_stream_end(s);
  return SQLITE_DONE;
}

/* 1 when the first job is one a stream may read: see streamable(). */
static int worth_streaming(pn_sockstore *st, const pn_fs *fs, int threads,
                           const pn_snapjob *jobs, int njobs) {
  if (threads < 2 || njobs < 1 || st->batch) return 0;
  const pn_snap *s = st->snaps[jobs[0].snap];
  return !s->read && s->k.kind->fmt == PN_FMT_INET && !(s->k.want & PN_WANT_TEXT) &&
         pn_store_diag_wanted(st, fs, &s->k);
}

int pn_snaps_read_ahead(pn_sockstore *st, const pn_fs *fs, int threads,
                        const pn_snapjob *jobs, int njobs, int stream) {
  int rc;
  if (!stream || !worth_streaming(st, fs, threads, jobs, njobs)) {
    /* snapshots a stream fills are its own to finish: not waited for */
    readjob *todo = prepare_jobs(st, fs, jobs, njobs, &njobs, &rc);
    return todo ? read_prepared(st, fs, threads, todo, njobs, rc) : rc;
  }
  pn_stream_batch *b = new_batch(fs, jobs, njobs);
  if (!b) return SQLITE_NOMEM;
  b->todo = prepare_jobs(st, fs, b->jobs, njobs, &b->n, &rc);
  if (rc == SQLITE_OK && (rc = stream_batch(st, b)) == SQLITE_OK) return SQLITE_OK;
  /* not streamed: read as at once, from the same jobs */
  if (b->todo) rc = read_prepared(st, fs, threads, b->todo, b->n, rc == SQLITE_DONE ? SQLITE_OK : rc);
  b->todo = NULL;
  free_batch(b);
  return rc;
}

/* Waits until the helper is done with every job (stop: asks it to give
 * up), joins it, and keeps what it read: a snapshot that failed is read
 * again by the next scan. */
static int end_batch(pn_sockstore *st, int stop) {
  pn_stream_batch *b = st->batch;
  int rc = SQLITE_OK;
  if (!b) return SQLITE_OK;
  for (int i = 0; !stop && i < 2 * b->n; i++) {
    int r = pn_fill_wait(&b->fills[i]);
    if (r != SQLITE_OK) rc = r;
  }
  pn_stream_end(b->stream);
  for (int i = 0; i < b->n; i++) {
    readjob *rj = &b->todo[i];
    pn_snap *snaps[2] = {rj->skip ? NULL : rj->s, rj->skip ? NULL : rj->pair};
    for (int k = 0; k < 2; k++) {
      if (!snaps[k]) continue;
      if (atomic_load(&snaps[k]->fill->state) != PN_FILL_DONE) {
        snaps[k]->read = 0;
        pn_sockset_clear(&snaps[k]->set);
        sqlite3_free(snaps[k]->hash);
        snaps[k]->hash = NULL;
        snaps[k]->nhash = snaps[k]->hashed = 0;
      }
      snaps[k]->fill = NULL;
    }
  }
  if (b->into) pn_counters_add(b->into, &b->cnt);
  finish_jobs(st, b->todo, b->n);
  free_batch(b);
  st->batch = NULL;
  return rc;
}

int pn_store_settle(pn_sockstore *st) { return end_batch(st, 0); }
void pn_store_stop(pn_sockstore *st) { (void)end_batch(st, 1); }
