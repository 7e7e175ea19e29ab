/*
 * parallel.c: see parallel.h.
 */
#include "parallel.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct loop {
  atomic_size_t next;
  size_t n;
  pn_item_fn *fn;
} loop;

typedef struct worker {
  loop *l;
  void *state;
} worker;

static void *run_worker(void *arg) {
  worker *w = arg;
  size_t i;
  while ((i = atomic_fetch_add(&w->l->next, 1)) < w->l->n) w->l->fn(w->state, i);
  return NULL;
}

int pn_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg) {
  sigset_t all, old;
  sigfillset(&all);
  int rc = pthread_sigmask(SIG_SETMASK, &all, &old);
  if (rc != 0) return rc;
  rc = pthread_create(thread, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

void pn_parallel_for(size_t n, int threads, pn_item_fn *fn, void *states,
                     size_t state_size) {
  loop l;
  worker w[PN_MAX_THREADS];
  pthread_t tid[PN_MAX_THREADS];
  int started = 0;
  atomic_init(&l.next, 0);
  l.n = n;
  l.fn = fn;
  if (threads > PN_MAX_THREADS) threads = PN_MAX_THREADS;
  if ((size_t)threads > n) threads = (int)n;
  for (int t = 0; t < (threads < 1 ? 1 : threads); t++) {
    w[t].l = &l;
    w[t].state = (char *)states + (size_t)t * state_size;
  }
  for (int t = 1; t < threads; t++) {
    if (pn_thread_start(&tid[t], run_worker, &w[t]) != 0) break;
    started = t;
  }
  run_worker(&w[0]);
  for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);
}

int pn_threads_allowed(sqlite3 *db) {
  (void)db;
  return sqlite3_threadsafe() != 0;
}

int pn_default_threads(sqlite3 *db) {
  cpu_set_t set;
  if (!pn_threads_allowed(db)) return 1;
  /* the CPUs this process may run on (taskset, cpusets), not all online */
  int cpus = sched_getaffinity(0, sizeof set, &set) == 0
                 ? CPU_COUNT(&set)
                 : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1) return 1;
  return cpus > PN_MAX_THREADS ? PN_MAX_THREADS : cpus;
}
