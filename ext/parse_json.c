/*
 * parse_json.c: one string out of a JSON document; see parse_json.h.
 */
#include "parse_json.h"

#include "parse_util.h"

#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 64
#define KEY_MAX 256

typedef struct jcur {
  const char *p;
  size_t n, i;
  int depth;
} jcur;

static int peek(jcur *c) {
  while (c->i < c->n && (c->p[c->i] == ' ' || c->p[c->i] == '\t' ||
                         c->p[c->i] == '\n' || c->p[c->i] == '\r'))
    c->i++;
  return c->i < c->n ? (unsigned char)c->p[c->i] : -1;
}

static int expect(jcur *c, int ch) {
  if (peek(c) != ch) return -1;
  c->i++;
  return 0;
}

/* The byte after a value: ',' or the closing one, taken; -1 at the end. */
static int take_separator(jcur *c) {
  int ch = peek(c);
  if (ch >= 0) c->i++;
  return ch;
}

/* ---- strings ------------------------------------------------------------------ */

/* Where a string's text goes: up to cap - 1 bytes of out (out may be NULL
 * to skip); len counts every byte, kept or not. */
typedef struct sink {
  char *out;
  size_t cap, len;
  int nul;                  /* a NUL byte was in the text */
} sink;

static void put(sink *s, unsigned char b) {
  if (b == 0) s->nul = 1;
  if (s->out && s->len + 1 < s->cap) s->out[s->len] = (char)b;
  s->len++;
}

static void put_utf8(sink *s, uint32_t cp) {
  if (cp < 0x80) {
    put(s, (unsigned char)cp);
  } else if (cp < 0x800) {
    put(s, (unsigned char)(0xC0 | cp >> 6));
    put(s, (unsigned char)(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    put(s, (unsigned char)(0xE0 | cp >> 12));
    put(s, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
    put(s, (unsigned char)(0x80 | (cp & 0x3F)));
  } else {
    put(s, (unsigned char)(0xF0 | cp >> 18));
    put(s, (unsigned char)(0x80 | (cp >> 12 & 0x3F)));
    put(s, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
    put(s, (unsigned char)(0x80 | (cp & 0x3F)));
  }
}

/* The 4 hex digits after "\u" at c->i; -1 when they are not there. */
static long hex4(jcur *c) {
  uint64_t v;
  if (c->n - c->i < 4 || pn_parse_hex(pn_slice(c->p + c->i, 4), &v) != 0) return -1;
  c->i += 4;
  return (long)v;
}

/* The code point of "\uXXXX" (c->i after the 'u'), a surrogate pair read
 * whole; a lone surrogate is U+FFFD. */
static long unicode_escape(jcur *c) {
  long hi = hex4(c);
  if (hi < 0xD800 || hi > 0xDBFF) return hi >= 0xDC00 && hi <= 0xDFFF ? 0xFFFD : hi;
  if (c->n - c->i < 6 || c->p[c->i] != '\\' || c->p[c->i + 1] != 'u') return 0xFFFD;
  size_t back = c->i;
  c->i += 2;
  long lo = hex4(c);
  if (lo < 0xDC00 || lo > 0xDFFF) {
    c->i = back; /* not a pair: the next escape is read on its own */
    return lo < 0 ? -1 : 0xFFFD;
  }
  return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

static int escape(jcur *c, sink *s) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  if (c->i >= c->n) return -1;
  char e = c->p[c->i++];
  const char *k = e ? strchr(from, e) : NULL;
  if (k) {
    put(s, (unsigned char)to[k - from]);
    return 0;
  }
  if (e != 'u') return -1;
  long cp = unicode_escape(c);
  if (cp < 0) return -1;
  put_utf8(s, (uint32_t)cp);
  return 0;
}

/* The string at c->i (its opening quote), into s. 0, or -1 malformed. */
static int read_string(jcur *c, sink *s) {
  if (expect(c, '"') != 0) return -1;
  while (c->i < c->n) {
    unsigned char b = (unsigned char)c->p[c->i++];
    if (b == '"') {
      if (s->out && s->cap) s->out[s->len < s->cap ? s->len : s->cap - 1] = '\0';
      return 0;
    }
    if (b < 0x20) return -1;
    if (b != '\\') put(s, b);
    else if (escape(c, s) != 0) return -1;
  }
  return -1;
}

/* A string compared with a name (escapes undone). 1 equal, 0 not, -1. */
static int string_is(jcur *c, const char *name) {
  char key[KEY_MAX];
  sink s = {key, sizeof key, 0, 0};
  if (read_string(c, &s) != 0) return -1;
  return !s.nul && s.len < sizeof key && strcmp(key, name) == 0;
}

/* ---- skipping values ------------------------------------------------------------ */

static int skip_value(jcur *c);

/* The members or elements of an object ('{') or array ('['), each handed
 * to skip_value (after the member's name and ':'). */
static int skip_container(jcur *c, int open) {
  int close = open == '{' ? '}' : ']';
  if (++c->depth > MAX_DEPTH) return -1;
  c->i++;
  if (peek(c) == close) {
    c->i++;
    c->depth--;
    return 0;
  }
  for (;;) {
    sink none = {NULL, 0, 0, 0};
    if (open == '{' && (read_string(c, &none) != 0 || expect(c, ':') != 0)) return -1;
    if (skip_value(c) != 0) return -1;
    int ch = take_separator(c);
    if (ch == close) break;
    if (ch != ',') return -1;
  }
  c->depth--;
  return 0;
}

static int is_scalar_byte(char b) {
  return pn_is_dec_digit(b) || (b >= 'a' && b <= 'z') || b == '-' || b == '+' ||
         b == '.' || b == 'E';
}

static int skip_value(jcur *c) {
  int ch = peek(c);
  if (ch == '"') {
    sink none = {NULL, 0, 0, 0};
    return read_string(c, &none);
  }
  if (ch == '{' || ch == '[') return skip_container(c, ch);
  size_t start = c->i;
  while (c->i < c->n && is_scalar_byte(c->p[c->i])) c->i++;
  return c->i > start ? 0 : -1;
}

/* ---- finding members ------------------------------------------------------------ */

/* c at an object: moves c to the value of its first member `name` and
 * returns 1; 0 when it has none (c after the object); -1 malformed. */
static int find_member(jcur *c, const char *name) {
  if (expect(c, '{') != 0) return -1;
  if (peek(c) == '}') {
    c->i++;
    return 0;
  }
  for (;;) {
    int is = string_is(c, name);
    if (is < 0 || expect(c, ':') != 0) return -1;
    if (is) {
      peek(c);
      return 1;
    }
    if (skip_value(c) != 0) return -1;
    int ch = take_separator(c);
    if (ch == '}') return 0;
    if (ch != ',') return -1;
  }
}

/* The string value at c (or the first string of an array) into out. */
static int copy_value(jcur *c, char *out, size_t cap, int array_ok) {
  if (array_ok && peek(c) == '[') {
    c->i++;
    if (peek(c) != '"') return -1;
  }
  sink s = {out, cap, 0, 0};
  if (peek(c) != '"' || cap == 0 || read_string(c, &s) != 0) return -1;
  if (s.nul || s.len >= cap || s.len > INT32_MAX) return -1;
  return (int)s.len;
}

int pn_json_string(const char *buf, size_t len, const char *const *path,
                   int n, char *out, size_t cap) {
  jcur c = {buf, buf ? len : 0, 0, 0};
  for (int k = 0; k < n; k++)
    if (find_member(&c, path[k]) != 1) return -1;
  return copy_value(&c, out, cap, 0);
}

/* One element of the array: an object whose `key` is `value`? If so, *at
 * is where its `want` member's value starts (0 when it has none). */
static int element_matches(jcur *c, const char *key, const char *value,
                           const char *want, size_t *at) {
  int match = 0;
  *at = 0;
  if (peek(c) != '{') return skip_value(c) == 0 ? 0 : -1;
  if (++c->depth > MAX_DEPTH) return -1;
  c->i++;
  if (peek(c) == '}') {
    c->i++;
    c->depth--;
    return 0;
  }
  for (;;) {
    char name[KEY_MAX];
    sink s = {name, sizeof name, 0, 0};
    if (read_string(c, &s) != 0 || expect(c, ':') != 0) return -1;
    int known = !s.nul && s.len < sizeof name;
    if (known && !strcmp(name, want) && !*at) {
      peek(c);
      *at = c->i;
    }
    if (known && !strcmp(name, key) && peek(c) == '"') {
      int is = string_is(c, value);
      if (is < 0) return -1;
      match |= is;
    } else if (skip_value(c) != 0) {
      return -1;
    }
    int ch = take_separator(c);
    if (ch == '}') break;
    if (ch != ',') return -1;
  }
  c->depth--;
  return match;
}

int pn_json_array_lookup(const char *buf, size_t len, const char *key,
                         const char *value, const char *want, char *out,
                         size_t cap) {
  jcur c = {buf, buf ? len : 0, 0, 0};
  if (expect(&c, '[') != 0) return -1;
  if (peek(&c) == ']') return -1;
  for (;;) {
    size_t at;
    int m = element_matches(&c, key, value, want, &at);
    if (m < 0) return -1;
    if (m && at) {
      c.i = at;
      return copy_value(&c, out, cap, 1);
    }
    if (take_separator(&c) != ',') return -1;
  }
}
