/*
 * proc_cache.c: the connection's loaded processes, shared by cursors (see
 * proc_cache.h). Open addressing on pid over pointers to the rows.
 */
#include "proc_cache.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <time.h>

struct pn_proc_cache {
  int cursors;
  int64_t begun_ms;         /* when its first cursor opened (monotonic) */
  proc_row **slots;         /* NULL: free */
  size_t cap, n;
};

static int64_t now_ms(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) return 0;
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int pn_proc_cache_open(pn_ctx *ctx, pn_proc_cache **out) {
  int64_t now = now_ms();
  pn_proc_cache *c = ctx->proccache;
  if (!c || now - c->begun_ms >= PN_PROC_CACHE_SHARE_MS) {
    /* a cache begun long ago stays with its cursors, current no more */
    if (!(c = sqlite3_malloc(sizeof *c))) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    c->begun_ms = now;
    ctx->proccache = c;
  }
  c->cursors++;
  *out = c;
  return SQLITE_OK;
}

static void row_free(proc_row *r) {
  sqlite3_free(r->name);
  sqlite3_free(r->cmdline);
  sqlite3_free(r->argv0);
  sqlite3_free(r->exe);
  sqlite3_free(r->cwd);
  sqlite3_free(r->root);
  sqlite3_free(r);
}

void pn_proc_cache_close(pn_ctx *ctx, pn_proc_cache *cache) {
  if (--cache->cursors > 0) return;
  for (size_t i = 0; i < cache->cap; i++)
    if (cache->slots[i]) row_free(cache->slots[i]);
  sqlite3_free(cache->slots);
  if (ctx->proccache == cache) ctx->proccache = NULL;
  sqlite3_free(cache);
}

/* The slot of pid, or the free slot where it would go. */
static proc_row **slot_of(proc_row **slots, size_t cap, sqlite3_int64 pid) {
  size_t mask = cap - 1;
  for (size_t i = (size_t)((uint64_t)pid * 2654435761u) & mask;; i = (i + 1) & mask)
    if (!slots[i] || slots[i]->pid == pid) return &slots[i];
}

proc_row *pn_proc_cache_find(pn_proc_cache *cache, sqlite3_int64 pid) {
  return cache->cap ? *slot_of(cache->slots, cache->cap, pid) : NULL;
}

static int grow(pn_proc_cache *cache) {
  size_t cap = cache->cap ? cache->cap * 2 : 64;
  proc_row **slots = sqlite3_malloc64(cap * sizeof *slots);
  if (!slots) return SQLITE_NOMEM;
  memset(slots, 0, cap * sizeof *slots);
  for (size_t i = 0; i < cache->cap; i++)
    if (cache->slots[i]) *slot_of(slots, cap, cache->slots[i]->pid) = cache->slots[i];
  sqlite3_free(cache->slots);
  cache->slots = slots;
  cache->cap = cap;
  return SQLITE_OK;
}

proc_row *pn_proc_cache_add(pn_proc_cache *cache, sqlite3_int64 pid) {
  if ((cache->n + 1) * 2 > cache->cap && grow(cache) != SQLITE_OK) return NULL;
  proc_row *r = sqlite3_malloc(sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  r->pid = pid;
  *slot_of(cache->slots, cache->cap, pid) = r;
  cache->n++;
  return r;
}
