/*
 * prefault.c: memory first written, made cheaper; see prefault.h.
 */
#include "prefault.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)

void pn_prefault_ahead(void *base, size_t used, size_t cap, size_t *ready) {
  if (used <= *ready) return;
  size_t end = *ready + PN_PREFAULT_STEP > used ? *ready + PN_PREFAULT_STEP : used;
  if (end > cap) end = cap;
  long page = sysconf(_SC_PAGESIZE);
  if (page > 0) {
    uintptr_t mask = (uintptr_t)page - 1;
    uintptr_t from = ((uintptr_t)base + *ready + mask) & ~mask;
    uintptr_t to = ((uintptr_t)base + end) & ~mask;
#ifdef MADV_POPULATE_WRITE
    /* a hint: refused, the pages fault in one by one (see prefault.h) */
    if (to > from) (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#endif
  }
  *ready = end;
}

/* A mapping of `size` bytes (a multiple of HUGE_PAGE) starting on a
 * HUGE_PAGE boundary, or NULL. The kernel places mappings on page
 * boundaries only: one HUGE_PAGE larger is asked for and the ends cut. */
static void *map_aligned(size_t size) {
  size_t span = size + HUGE_PAGE;
  char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return NULL;
  char *p = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  size_t head = (size_t)(p - raw), tail = span - head - size;
  if (head) (void)munmap(raw, head);
  if (tail) (void)munmap(p + size, tail);
#ifdef MADV_HUGEPAGE
  /* a hint: refused (THP "never"), the pages are the ordinary ones */
  (void)madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

/* The array moved to a mapping of its own of at least `need` bytes. */
static int big_map(pn_big *b, size_t used, size_t need) {
  size_t size = b->mapped ? b->mapped * 2 : PN_BIG_RESERVE;
  while (size < need) {
    if (size > SIZE_MAX / 4) return -1;
    size *= 2;
  }
  void *p = map_aligned(size);
  if (!p) return -1;
  if (used) memcpy(p, b->p, used);
  if (b->mapped)
    (void)munmap(b->p, b->mapped);
  else
    sqlite3_free(b->p);
  b->p = p;
  b->cap = b->mapped = size;
  b->ready = used;
  return 0;
}

/* The array, still small, grown by SQLite's allocator. */
static int big_realloc(pn_big *b, size_t need) {
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < need) cap *= 2;
  void *p = sqlite3_realloc64(b->p, cap);
  if (!p) return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

static int big_grow(pn_big *b, size_t used, size_t need) {
  if (b->pinned) return -1;
  if (!b->mapped && need <= PN_BIG_MAP_FROM) return big_realloc(b, need);
  if (big_map(b, used, need) == 0) return 0;
  /* a mapping refused (address space limits): SQLite's memory, as it
   * would be without huge pages */
  return b->mapped ? -1 : big_realloc(b, need);
}

int pn_big_room(pn_big *b, size_t used, size_t need) {
  if (need > SIZE_MAX / 4) return -1;
  if (need > b->cap && big_grow(b, used, need) != 0) return -1;
  pn_prefault_ahead(b->p, need, b->cap, &b->ready);
  return 0;
}

int pn_big_pin(pn_big *b, size_t used, size_t size) {
  if (b->cap < size && (b->pinned || big_map(b, used, size) != 0)) return -1;
  if (!b->mapped) return -1; /* a large sqlite3_malloc'd array: it could move */
  b->pinned = 1;
  return 0;
}

void pn_big_trim(pn_big *b, size_t used) {
  if (!b->mapped) return;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t from = (used + page - 1) / page * page;
  /* what may be in: the pages brought ahead, and the rest of the huge
   * page the last byte is on */
  size_t to = (used + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
  if (to < b->ready) to = b->ready;
  if (to > b->mapped) to = b->mapped;
  if (to <= from) return;
  /* refused, the pages stay: nothing is lost but memory */
  if (madvise((char *)b->p + from, to - from, MADV_DONTNEED) == 0 && b->ready > from)
    b->ready = from;
}

void pn_big_free(pn_big *b) {
  if (b->mapped)
    (void)munmap(b->p, b->mapped);
  else
    sqlite3_free(b->p);
  memset(b, 0, sizeof *b);
}
