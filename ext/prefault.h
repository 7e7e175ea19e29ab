/*
 * prefault.h: the pages of a growing array brought in ahead of its writes.
 *
 * A page faulted in when it is first written costs microseconds: 13 us on
 * the paravirtualized machine procnet's benchmarks run on, where that was
 * a large part of reading 10,000 sockets with their TCP internals. One
 * madvise(MADV_POPULATE_WRITE) over many pages costs about a tenth of that
 * a page in the guest (the hypervisor's shadow page tables still take
 * their share at the first write: measured, the write of 6 MB populated
 * so costs 25 ms against 38 ms faulted page by page). Arrays that grow to
 * megabytes (socket records, the command's table of cells) are populated
 * a step ahead of where they are written, so that no more than a step is
 * populated and left unused. (Transparent huge pages would do far better
 * there, but the arrays grow by realloc, which moves them off the 2 MB
 * boundaries they would need.)
 */
#ifndef PROCNET_PREFAULT_H
#define PROCNET_PREFAULT_H

#include <stddef.h>

/* How far ahead of the writes pages are brought in. */
#define PN_PREFAULT_STEP ((size_t)256 << 10)

/* Brings in the pages of array base up to `used` bytes and a step ahead
 * (not past cap bytes, its size); *ready: how many bytes are in, kept by
 * the caller (0 for a new array; still right after a realloc, which
 * keeps or copies what was there). Only whole pages of the array are
 * touched. A kernel without MADV_POPULATE_WRITE (before 5.14) refuses,
 * and the pages fault in as they are written, as they would anyway. */
void pn_prefault_ahead(void *base, size_t used, size_t cap, size_t *ready);

#endif
