/*
 * sockstream.c: snapshots filled by a helper thread while they are read;
 * see sockstream.h.
 *
 * Waiting: a reader that finds no new row counts itself in `waiting`,
 * looks at the rows again and sleeps on the condition; the helper stores
 * the rows first and then looks at `waiting`. Both are sequentially
 * consistent atomics, so one of the two always sees the other's store:
 * either the reader sees the rows or the helper sees the reader and wakes
 * it (under the mutex, which the reader holds until it sleeps).
 */
#include "sockstream.h"
#include "parallel.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <pthread.h>
#include <stdint.h>
#include <string.h>

struct pn_stream {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  atomic_int stop;
  atomic_int waiting;       /* readers asleep, or about to be */
  int started;              /* the helper runs (or ran): join it */
  pn_stream_fn *run;
  void *arg;
};

static void *run_helper(void *p) {
  pn_stream *s = p;
  s->run(s, s->arg);
  return NULL;
}

static int start_thread(pn_stream *s) {
  return pn_thread_start(&s->thread, run_helper, s) == 0 ? 0 : -1;
}

int pn_stream_new(pn_stream **out, pn_stream_fn *run, void *arg) {
  *out = NULL;
  pn_stream *s = sqlite3_malloc(sizeof *s);
  if (!s) return SQLITE_NOMEM;
  memset(s, 0, sizeof *s);
  s->run = run;
  s->arg = arg;
  atomic_init(&s->stop, 0);
  atomic_init(&s->waiting, 0);
  if (pthread_mutex_init(&s->mu, NULL) != 0) {
    sqlite3_free(s);
    return SQLITE_ERROR;
  }
  if (pthread_cond_init(&s->cond, NULL) != 0) {
    pthread_mutex_destroy(&s->mu);
    sqlite3_free(s);
    return SQLITE_ERROR;
  }
  *out = s;
  return SQLITE_OK;
}

int pn_stream_go(pn_stream *s) {
  if (start_thread(s) != 0) return -1;
  s->started = 1;
  return 0;
}

void pn_stream_end(pn_stream *s) {
  if (!s) return;
  atomic_store(&s->stop, 1);
  if (s->started) pthread_join(s->thread, NULL);
  pthread_cond_destroy(&s->cond);
  pthread_mutex_destroy(&s->mu);
  sqlite3_free(s);
}

int pn_stream_stopping(pn_stream *s) { return atomic_load(&s->stop); }

static void wake_readers(pn_stream *s) {
  if (!atomic_load(&s->waiting)) return;
  pthread_mutex_lock(&s->mu);
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mu);
}

void pn_fill_init(pn_fill *f, pn_stream *s) {
  f->stream = s;
  atomic_init(&f->rows, 0);
  atomic_init(&f->state, PN_FILL_FILLING);
  f->rc = SQLITE_OK;
  f->woken = 0;
}

/* A reader that caught up with the helper sleeps until this many more
 * records came (or the end): woken for each one, it would spend more on
 * waking than on the record. */
#define WAKE_EVERY 256

void pn_fill_publish(pn_fill *f, size_t rows) {
  atomic_store(&f->rows, rows);
  if (rows - f->woken < WAKE_EVERY && rows >= f->woken) return;
  f->woken = rows;
  wake_readers(f->stream);
}

void pn_fill_finish(pn_fill *f, int rc) {
  f->rc = rc;
  atomic_store(&f->state, rc == SQLITE_OK ? PN_FILL_DONE : PN_FILL_FAILED);
  wake_readers(f->stream);
}

/* 1 when the reader of record i (SIZE_MAX: the end) need not wait. */
static int settled(pn_fill *f, size_t i) {
  return (i != SIZE_MAX && i < atomic_load(&f->rows)) ||
         atomic_load(&f->state) != PN_FILL_FILLING;
}

static void wait_for(pn_fill *f, size_t i) {
  pn_stream *s = f->stream;
  if (settled(f, i)) return;
  pthread_mutex_lock(&s->mu);
  atomic_fetch_add(&s->waiting, 1);
  while (!settled(f, i)) pthread_cond_wait(&s->cond, &s->mu);
  atomic_fetch_sub(&s->waiting, 1);
  pthread_mutex_unlock(&s->mu);
}

int pn_fill_has(pn_fill *f, size_t i, int *rc) {
  wait_for(f, i);
  if (i < atomic_load(&f->rows)) return 1;
  if (atomic_load(&f->state) == PN_FILL_FAILED) {
    *rc = f->rc;
    return -1;
  }
  return 0;
}

int pn_fill_wait(pn_fill *f) {
  wait_for(f, SIZE_MAX);
  return atomic_load(&f->state) == PN_FILL_FAILED ? f->rc : SQLITE_OK;
}
