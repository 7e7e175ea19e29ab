/*
 * parse_util.h: bounded scanners shared by the parsers in ext/parse_*.c.
 *
 * Internal to layer 1. Every helper works on a pn_str (pointer + length) and
 * never reads outside it, because /proc buffers are not NUL-terminated and
 * the C library's strtoul/sscanf would run past their end.
 *
 * Number helpers take the WHOLE slice: it must be one or more digits and
 * nothing else (no sign unless stated, no spaces, no "0x"). They return 0 and
 * store the value, or -1 on an empty slice, a stray byte or an overflow.
 */
#ifndef PROCNET_PARSE_UTIL_H
#define PROCNET_PARSE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The helpers called once per byte or per field are inline: across files
 * the compiler cannot inline them, and calls were a third of a net/tcp
 * scan's user time. */

/* Builds a slice. */
static inline pn_str pn_slice(const char *p, size_t n) {
  pn_str s;
  s.p = p;
  s.n = n;
  return s;
}

/* 1 if s is exactly the NUL-terminated text lit. */
int pn_str_eq(pn_str s, const char *lit);

/* 1 if s begins with the NUL-terminated text lit. */
int pn_starts_with(pn_str s, const char *lit);

/* 1 if s holds a NUL byte (the kernel never prints one in the files we
 * parse, so a NUL means the input is not what it claims to be). */
int pn_has_nul(pn_str s);

/* 1 for the blanks that separate fields: space and tab. */
static inline int pn_is_blank(char c) { return c == ' ' || c == '\t'; }

/* Character classes (ASCII only, independent of the locale). */
static inline int pn_is_dec_digit(char c) { return c >= '0' && c <= '9'; }
static inline int pn_is_hex_digit(char c) {
  return pn_is_dec_digit(c) || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/* Drops the first n bytes of s (all of them if n > s.n). */
pn_str pn_skip(pn_str s, size_t n);

/* Drops leading / trailing blanks. */
pn_str pn_trim_left(pn_str s);
pn_str pn_trim_right(pn_str s);

/* Splits s at the first byte c: *before gets the text before it, *after the
 * text after it. Returns -1 (outputs untouched) when c does not occur. */
int pn_split_at(pn_str s, char c, pn_str *before, pn_str *after);

/* Field iterator over blank-separated text. *pos starts at 0. Skips blanks,
 * then returns 1 with the next run of non-blank bytes, or 0 when only blanks
 * remain. */
static inline int pn_next_field(pn_str s, size_t *pos, pn_str *field) {
  size_t i = *pos, start;
  while (i < s.n && pn_is_blank(s.p[i])) i++;
  if (i >= s.n) {
    *pos = s.n;
    return 0;
  }
  start = i;
  while (i < s.n && !pn_is_blank(s.p[i])) i++;
  *field = pn_slice(s.p + start, i - start);
  *pos = i;
  return 1;
}

/* Unsigned decimal, hexadecimal (either case) and octal numbers. */
int pn_parse_udec(pn_str s, uint64_t *v);
int pn_parse_hex(pn_str s, uint64_t *v);
int pn_parse_oct(pn_str s, uint64_t *v);

/* Decimal with an optional leading '-', range INT64_MIN..INT64_MAX. */
int pn_parse_sdec(pn_str s, int64_t *v);

/* The same with the range of a C int (for fields the structs hold as int). */
int pn_parse_udec_int(pn_str s, int *v);
int pn_parse_sdec_int(pn_str s, int *v);
int pn_parse_hex_int(pn_str s, int *v);

/* "[N]" filling all of s, N a decimal 64-bit number (the inode part of
 * "socket:[N]"). */
int pn_parse_bracketed_udec(pn_str s, uint64_t *v);

/* Each byte's value as a digit plus one, 0 for a byte that is no digit in
 * any base up to 16 (either case): a table, since the socket parsers look
 * up a hundred digits a line. */
extern const unsigned char pn_digit_plus1[256];

/* Hex of exactly `digits` characters (e.g. a %08X field) into a u32.
 * digits must be 1..8. Inline: addresses are a dozen of these a line. */
static inline int pn_parse_hex_fixed_u32(pn_str s, size_t digits, uint32_t *v) {
  uint32_t acc = 0;
  if (digits == 0 || digits > 8 || s.n != digits) return -1;
  for (size_t i = 0; i < digits; i++) {
    unsigned d = pn_digit_plus1[(unsigned char)s.p[i]];
    if (d == 0) return -1;
    acc = acc << 4 | (d - 1);
  }
  *v = acc;
  return 0;
}

#endif
