/*
 * prefault.c: pages brought in ahead of writes; see prefault.h.
 */
#include "prefault.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

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
