/*
 * fdahead.c: descriptor listings read ahead by a helper thread; see
 * fdahead.h.
 *
 * Items are a ring of PN_FDAHEAD_DEPTH: pids[i] goes to slot i % DEPTH.
 * `held` is the index the reader holds (every item below it is free), and
 * the helper fills item i only while i < held + DEPTH, so it never writes
 * the reader's slot. `ready` counts the items filled, in order.
 */
#include "fdahead.h"

#include "parallel.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <unistd.h>

struct pn_fdahead {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cond;      /* ready, held or stop changed */
  size_t ready, held;
  int stop;
  pn_fs fs;                 /* the root is shared; the counters are not */
  pn_counters cnt;
  int64_t *pids;
  size_t n;
  pn_fdahead_item items[PN_FDAHEAD_DEPTH];
};

/* Lists pid's descriptors and reads their links into it (the helper). */
static void read_item(pn_fdahead *a, pn_fdahead_item *it, int64_t pid) {
  int dir;
  it->nomem = 0;
  it->have_links = 0;
  it->fds.n = 0;
  it->res = pn_open_pid(&a->fs, pid, &dir, &it->err);
  if (it->res != PN_OK) {
    it->nomem = pn_is_nomem(it->res, it->err);
    return;
  }
  it->res = pn_list_fds(&a->fs, dir, &it->fds, &it->err);
  if (it->res != PN_OK) {
    it->nomem = pn_is_nomem(it->res, it->err);
  } else if (it->fds.n < PN_FDAHEAD_MAX_LINKS) {
    it->nomem = pn_fdlinks_read(&it->links, &a->fs, dir, it->fds.v, it->fds.n, 1) != SQLITE_OK;
    it->have_links = !it->nomem;
  }
  close(dir);
}

static void *run_helper(void *arg) {
  pn_fdahead *a = arg;
  for (size_t i = 0; i < a->n; i++) {
    pthread_mutex_lock(&a->mu);
    while (!a->stop && i >= a->held + PN_FDAHEAD_DEPTH) pthread_cond_wait(&a->cond, &a->mu);
    int stop = a->stop;
    pthread_mutex_unlock(&a->mu);
    if (stop) break;
    read_item(a, &a->items[i % PN_FDAHEAD_DEPTH], a->pids[i]);
    pthread_mutex_lock(&a->mu);
    a->ready = i + 1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mu);
  }
  return NULL;
}

static void free_items(pn_fdahead *a) {
  for (int i = 0; i < PN_FDAHEAD_DEPTH; i++) {
    pn_fdnums_free(&a->items[i].fds);
    pn_fdlinks_free(&a->items[i].links);
  }
}

int pn_fdahead_start(pn_fdahead **out, const pn_fs *fs, const int64_t *pids,
                     size_t n) {
  *out = NULL;
  pn_fdahead *a = sqlite3_malloc64(sizeof *a);
  if (!a) return SQLITE_NOMEM;
  memset(a, 0, sizeof *a);
  a->pids = sqlite3_malloc64(n * sizeof *pids + 1);
  if (!a->pids) {
    sqlite3_free(a);
    return SQLITE_NOMEM;
  }
  memcpy(a->pids, pids, n * sizeof *pids);
  a->n = n;
  a->fs = *fs;
  a->fs.cnt = &a->cnt;
  if (pthread_mutex_init(&a->mu, NULL) == 0) {
    if (pthread_cond_init(&a->cond, NULL) == 0) {
      if (pn_thread_start(&a->thread, run_helper, a) == 0) {
        *out = a;
        return SQLITE_OK;
      }
      pthread_cond_destroy(&a->cond);
    }
    pthread_mutex_destroy(&a->mu);
  }
  sqlite3_free(a->pids);
  sqlite3_free(a);
  return SQLITE_ERROR;
}

pn_fdahead_item *pn_fdahead_get(pn_fdahead *a, size_t i) {
  pthread_mutex_lock(&a->mu);
  if (i > a->held) {
    a->held = i;
    pthread_cond_broadcast(&a->cond);
  }
  while (a->ready <= i) pthread_cond_wait(&a->cond, &a->mu);
  pthread_mutex_unlock(&a->mu);
  return &a->items[i % PN_FDAHEAD_DEPTH];
}

void pn_fdahead_stop(pn_fdahead *a, pn_counters *cnt) {
  if (!a) return;
  pthread_mutex_lock(&a->mu);
  a->stop = 1;
  pthread_cond_broadcast(&a->cond);
  pthread_mutex_unlock(&a->mu);
  pthread_join(a->thread, NULL);
  pthread_cond_destroy(&a->cond);
  pthread_mutex_destroy(&a->mu);
  if (cnt) pn_counters_add(cnt, &a->cnt);
  free_items(a);
  sqlite3_free(a->pids);
  sqlite3_free(a);
}
