/*
 * prefault.h: the cost of memory first written, kept down for arrays that
 * grow to megabytes (socket records, the command's table of cells).
 *
 * A page faulted in when it is first written costs microseconds: 13 to
 * 17 us on the paravirtualized machine procnet's benchmarks run on, where
 * that was a large part of reading 10,000 sockets with their TCP
 * internals. Two remedies, the first far better where it is allowed:
 *
 *   - a transparent huge page (2 MB) costs about what two 4 KB pages do
 *     (measured: 6 MB written in 0.5 ms against 20 ms), but needs a
 *     mapping aligned on 2 MB that the kernel is told may use them, and
 *     an array that never moves off it: pn_big arrays, past a size,
 *     live in such a mapping of their own, reserved (not committed) far
 *     larger than they are, so that they grow in place;
 *   - one madvise(MADV_POPULATE_WRITE) over many pages costs about a tenth
 *     of their faults (the hypervisor's shadow page tables still take their
 *     share at the first write: 6 MB so written cost 25 ms against 38 ms
 *     faulted page by page): pn_prefault_ahead populates a step ahead of
 *     the writes, for where huge pages are refused (THP "never", or no
 *     huge page to be had) and for the arrays still small.
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

/* ---- arrays that may grow to megabytes --------------------------------------
 * Below PN_BIG_MAP_FROM bytes the memory comes from sqlite3_malloc (a
 * huge page would be mostly waste, and SQLite's allocator hooks see it);
 * from there on, from a mapping of its own on 2 MB boundaries, marked for
 * huge pages and reserved PN_BIG_RESERVE bytes or more (virtual space
 * only: pages come in as they are written). A zeroed pn_big is empty. */
#define PN_BIG_MAP_FROM ((size_t)256 << 10)
#define PN_BIG_RESERVE ((size_t)256 << 20)

typedef struct pn_big {
  void *p;
  size_t cap;               /* bytes usable at p */
  size_t ready;             /* bytes whose pages are in (pn_prefault_ahead) */
  size_t mapped;            /* bytes of p's own mapping; 0: sqlite3_malloc */
  int pinned;               /* never moves: growth past the mapping fails */
} pn_big;

/* Room for `need` bytes at b->p, keeping the `used` bytes there (which
 * move only while the array is small, or past a reservation); pages up to
 * `need` are brought in ahead. 0, or -1 when out of memory (b unchanged). */
int pn_big_room(pn_big *b, size_t used, size_t need);
void pn_big_free(pn_big *b);
/* The array has stopped growing at `used` bytes: the pages of its mapping
 * past them (up to a huge page's worth, brought in ahead or by the last
 * huge page) are given back, so that arrays done with do not each hold
 * an unused part of a 2 MB page. Nothing for a small array. */
void pn_big_trim(pn_big *b, size_t used);
/* Moves the `used` bytes of b into a mapping of its own of `size` bytes or
 * more, never to move again (what another thread reads while this one
 * writes: sockstream.h): 0, or -1 when no such mapping can be had (b
 * unchanged). */
int pn_big_pin(pn_big *b, size_t used, size_t size);

#endif
