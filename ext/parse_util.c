/*
 * parse_util.c: bounded scanners shared by the /proc parsers, plus the two
 * small public parsers that are nothing but such scanning (pn_next_line and
 * pn_parse_bracket_inode).
 *
 * Nothing here may read past the slice it is given: the buffers come straight
 * from read(2) and are not NUL-terminated.
 */
#include "parse_util.h"

#include <limits.h>
#include <string.h>

int pn_str_eq(pn_str s, const char *lit) {
  size_t n = strlen(lit);
  return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

int pn_starts_with(pn_str s, const char *lit) {
  size_t n = strlen(lit);
  return s.n >= n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

int pn_has_nul(pn_str s) {
  return s.n > 0 && memchr(s.p, '\0', s.n) != NULL;
}

pn_str pn_skip(pn_str s, size_t n) {
  if (n > s.n) n = s.n;
  return pn_slice(s.p + n, s.n - n);
}

pn_str pn_trim_left(pn_str s) {
  size_t i = 0;
  while (i < s.n && pn_is_blank(s.p[i])) i++;
  return pn_skip(s, i);
}

pn_str pn_trim_right(pn_str s) {
  while (s.n > 0 && pn_is_blank(s.p[s.n - 1])) s.n--;
  return s;
}

int pn_split_at(pn_str s, char c, pn_str *before, pn_str *after) {
  const char *hit = s.n ? memchr(s.p, c, s.n) : NULL;
  size_t at;
  if (hit == NULL) return -1;
  at = (size_t)(hit - s.p);
  *before = pn_slice(s.p, at);
  *after = pn_slice(hit + 1, s.n - at - 1);
  return 0;
}

const unsigned char pn_digit_plus1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16};

/* Value of one digit in the given base, or -1 when c is not such a digit. */
static inline int digit_value(char c, unsigned base) {
  unsigned d = pn_digit_plus1[(unsigned char)c];
  return d == 0 || d > base ? -1 : (int)d - 1;
}

/* The common loop of the unsigned parsers: every byte must be a digit of
 * base and the value must fit in 64 bits. Numbers short enough that they
 * cannot overflow (nearly all of them) skip the bound check; the bound is
 * worked out once per call, not divided out per digit. Inline, so that
 * each wrapper gets a loop with its base as a constant. */
static inline int parse_unsigned(pn_str s, unsigned base, uint64_t *v) {
  const size_t safe_digits = base == 16 ? 15 : base == 10 ? 19 : 21;
  uint64_t acc = 0;
  size_t i;
  if (s.n == 0) return -1;
  if (s.n <= safe_digits) {
    for (i = 0; i < s.n; i++) {
      int d = digit_value(s.p[i], base);
      if (d < 0) return -1;
      acc = acc * base + (uint64_t)d;
    }
    *v = acc;
    return 0;
  }
  const uint64_t max_acc = UINT64_MAX / base;
  const unsigned max_last = (unsigned)(UINT64_MAX % base);
  for (i = 0; i < s.n; i++) {
    int d = digit_value(s.p[i], base);
    if (d < 0) return -1;
    if (acc >= max_acc && (acc > max_acc || (unsigned)d > max_last)) return -1;
    acc = acc * base + (uint64_t)d;
  }
  *v = acc;
  return 0;
}

int pn_parse_udec(pn_str s, uint64_t *v) { return parse_unsigned(s, 10, v); }
int pn_parse_hex(pn_str s, uint64_t *v) { return parse_unsigned(s, 16, v); }
int pn_parse_oct(pn_str s, uint64_t *v) { return parse_unsigned(s, 8, v); }

int pn_parse_sdec(pn_str s, int64_t *v) {
  uint64_t mag;
  int negative = s.n > 0 && s.p[0] == '-';
  if (parse_unsigned(pn_skip(s, negative ? 1 : 0), 10, &mag) != 0) return -1;
  if (!negative) {
    if (mag > (uint64_t)INT64_MAX) return -1;
    *v = (int64_t)mag;
    return 0;
  }
  /* |INT64_MIN| is one more than INT64_MAX; negate without overflowing. */
  if (mag > (uint64_t)INT64_MAX + 1) return -1;
  *v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
  return 0;
}

int pn_parse_udec_int(pn_str s, int *v) {
  uint64_t u;
  if (pn_parse_udec(s, &u) != 0 || u > (uint64_t)INT_MAX) return -1;
  *v = (int)u;
  return 0;
}

int pn_parse_sdec_int(pn_str s, int *v) {
  int64_t x;
  if (pn_parse_sdec(s, &x) != 0 || x < INT_MIN || x > INT_MAX) return -1;
  *v = (int)x;
  return 0;
}

int pn_parse_hex_int(pn_str s, int *v) {
  uint64_t u;
  if (pn_parse_hex(s, &u) != 0 || u > (uint64_t)INT_MAX) return -1;
  *v = (int)u;
  return 0;
}


/* ---- public: lines ------------------------------------------------------- */

int pn_next_line(const char *buf, size_t len, size_t *pos, pn_str *line) {
  const char *nl;
  size_t start = *pos;
  if (buf == NULL || start >= len) return 0;
  nl = memchr(buf + start, '\n', len - start);
  if (nl == NULL) {
    *line = pn_slice(buf + start, len - start);
    *pos = len;
  } else {
    *line = pn_slice(buf + start, (size_t)(nl - (buf + start)));
    *pos = (size_t)(nl - buf) + 1;
  }
  return 1;
}

/* ---- public: "prefix:[N]" ------------------------------------------------ */

int pn_parse_bracketed_udec(pn_str s, uint64_t *v) {
  if (s.n < 3 || s.p[0] != '[' || s.p[s.n - 1] != ']') return -1;
  return pn_parse_udec(pn_slice(s.p + 1, s.n - 2), v);
}

int pn_parse_bracket_inode(const char *buf, size_t len, const char *prefix,
                           uint64_t *inode) {
  pn_str s = pn_slice(buf, len), rest;
  size_t plen;
  if (buf == NULL || prefix == NULL) return -1;
  plen = strlen(prefix);
  if (!pn_starts_with(s, prefix)) return -1;
  rest = pn_skip(s, plen);
  /* Accept the prefix with or without its colon ("net" or "net:"), since
   * both spellings read naturally at the call site. */
  if (plen == 0 || prefix[plen - 1] != ':') {
    if (rest.n == 0 || rest.p[0] != ':') return -1;
    rest = pn_skip(rest, 1);
  }
  return pn_parse_bracketed_udec(rest, inode);
}
