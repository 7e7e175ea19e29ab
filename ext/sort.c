/*
 * sort.c: the radix sort of sort.h.
 */
#include "sort.h"

static uint64_t key_at(const unsigned char *base, size_t i, size_t size) {
  uint64_t k;
  memcpy(&k, base + i * size, sizeof k);
  return k;
}

/* One stable pass on byte `shift / 8` of the keys, from src into dst;
 * 0 (nothing moved) when every key has the same byte there. */
static int radix_pass(const unsigned char *src, unsigned char *dst, size_t n,
                      size_t size, unsigned shift) {
  size_t count[256] = {0};
  for (size_t i = 0; i < n; i++) count[(key_at(src, i, size) >> shift) & 0xff]++;
  for (int b = 0; b < 256; b++)
    if (count[b] == n) return 0;
  size_t at = 0;
  for (int b = 0; b < 256; b++) {
    size_t c = count[b];
    count[b] = at;
    at += c;
  }
  for (size_t i = 0; i < n; i++) {
    const unsigned char *e = src + i * size;
    unsigned char *to = dst + count[(key_at(src, i, size) >> shift) & 0xff]++ * size;
    if (size == 16) memcpy(to, e, 16); /* the indexes' (inode, position) */
    else memcpy(to, e, size);
  }
  return 1;
}

void pn_sort_by_key64(void *base, void *tmp, size_t n, size_t size) {
  if (n < 2) return;
  uint64_t any = 0;
  for (size_t i = 0; i < n; i++) any |= key_at(base, i, size);
  unsigned char *src = base, *dst = tmp;
  for (unsigned shift = 0; shift < 64 && (any >> shift) != 0; shift += 8) {
    if (!radix_pass(src, dst, n, size, shift)) continue;
    unsigned char *t = src;
    src = dst;
    dst = t;
  }
  if (src != base) memcpy(base, src, n * size);
}
