/*
 * nsenter.c: a helper thread that enters network namespaces; see
 * nsenter.h.
 */
#include "nsenter.h"
#include "parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

typedef struct visit {
  const int *nsfds;
  int n;
  pn_in_netns_fn *fn;
  void *arg;
  int *errs;
} visit;

/* The helper thread: enters each namespace in turn and goes back to
 * where it started. It ends right after, so even a failed return (which
 * only a vanished /proc could cause) leaves no thread behind in another
 * namespace. The thread-self link is the one to save: /proc/self/ns/net
 * would be the thread-group leader's. */
static void *visit_all(void *arg) {
  visit *v = arg;
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < v->n; i++) {
    v->errs[i] = 0;
    if (v->nsfds[i] < 0) continue;
    if (setns(v->nsfds[i], CLONE_NEWNET) != 0) {
      v->errs[i] = errno;
      continue;
    }
    v->fn(v->arg, i);
  }
  if (home >= 0) {
    if (setns(home, CLONE_NEWNET) != 0) { /* ends next; nothing runs here */ }
    close(home);
  }
  return NULL;
}

int pn_in_netns(const int *nsfds, int n, pn_in_netns_fn *fn, void *arg, int *errs) {
  visit v = {nsfds, n, fn, arg, errs};
  pthread_t tid;
  int rc = pn_thread_start(&tid, visit_all, &v);
  if (rc != 0) return rc;
  pthread_join(tid, NULL);
  return 0;
}
