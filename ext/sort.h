/*
 * sort.h: qsort that accepts an empty array. qsort(NULL, 0, ...) is
 * undefined behaviour (UBSan reports it), and empty arrays are normal here:
 * a process with no descriptors, a namespace with no sockets.
 */
#ifndef PROCNET_SORT_H
#define PROCNET_SORT_H

#include <stdlib.h>

static inline void pn_sort(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *)) {
  if (n > 1) qsort(base, n, size, cmp);
}

#endif
