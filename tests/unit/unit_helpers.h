/*
 * unit_helpers.h: helpers shared by the parser unit tests (tests/unit/).
 */
#ifndef PN_UNIT_HELPERS_H
#define PN_UNIT_HELPERS_H

#include <stddef.h>

#include "parse.h"

/* A malloc'd copy of exactly n bytes (no terminator): reading past it is an
 * error the sanitizers see. */
char *dup_exact(const char *s, size_t n);
/* Reads tests/fixtures/captured/NAME into a malloc'd block of its size. */
char *load_fixture(const char *name, size_t *len);
/* Asserts that the slice holds exactly `want`. */
void assert_slice(pn_str s, const char *want);

#endif
