/*
 * fuzz_common.h: helpers shared by the libFuzzer harnesses of the layer-1
 * parsers (tests/fuzz/fuzz_*.c).
 *
 * Every harness copies the input into a heap block of exactly its size, so
 * that AddressSanitizer reports any read of buf[len] (the parsers get bytes
 * that are not NUL-terminated). Invariants are checked with FZ_CHECK, which
 * traps: libFuzzer then saves the input as a crash.
 */
#ifndef PROCNET_FUZZ_COMMON_H
#define PROCNET_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Traps when cond is false. The trap is a crash for libFuzzer, so the input
 * is saved and the line shows up in the stack trace. */
#define FZ_CHECK(cond)                                                        \
  do {                                                                        \
    if (!(cond)) __builtin_trap();                                            \
  } while (0)

/* A heap copy of the input of exactly `size` bytes. For size 0, ASan's
 * malloc(0) still returns a unique pointer, and reading through it is
 * reported, so even an empty input checks that nothing is read. */
static inline char *fz_copy(const uint8_t *data, size_t size) {
  char *p = malloc(size);
  if (!p && size) abort();
  if (size) memcpy(p, data, size);
  return p;
}

/* 1 if the slice s lies entirely inside buf[0..len). An empty slice may
 * point at buf + len (one past the end) or be NULL. */
static inline int fz_inside(pn_str s, const char *buf, size_t len) {
  if (s.n == 0) return s.p == NULL || (s.p >= buf && s.p <= buf + len);
  if (s.p == NULL) return 0;
  if (s.p < buf || s.p > buf + len) return 0;
  return s.n <= (size_t)(buf + len - s.p);
}

/* Touches every byte of a slice, so that ASan checks it really is readable
 * memory (fz_inside proves it is inside the input; this proves the input
 * is still alive). The result is used so the loop is not optimised away. */
static inline unsigned fz_touch(pn_str s) {
  unsigned h = 0;
  for (size_t i = 0; i < s.n; i++) h = h * 31u + (unsigned char)s.p[i];
  return h;
}

/* 1 if the slice holds no blank (space or tab). */
static inline int fz_no_blank(pn_str s) {
  for (size_t i = 0; i < s.n; i++)
    if (s.p[i] == ' ' || s.p[i] == '\t') return 0;
  return 1;
}

/* Keeps a value alive without letting the compiler drop the computation. */
static inline void fz_sink(unsigned v) {
  __asm__ volatile("" : : "r"(v) : "memory");
}

#endif
