/*
 * ss_number.c: numbers as ss prints them. ss uses C's printf ("%llu",
 * "%g", "%.0f"); printf is a large share of what `procnet ss -i` costs
 * (a dozen numbers a socket, the floating ones through glibc's
 * multiple-precision code). These give printf's exact text for the values
 * ss's fields take, and call snprintf for the rest.
 */
#include "ss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Two digits a division: -i writes forty numbers a socket. */
static const char PAIRS[] = "00010203040506070809101112131415161718192021222324"
                            "25262728293031323334353637383940414243444546474849"
                            "50515253545556575859606162636465666768697071727374"
                            "75767778798081828384858687888990919293949596979899";

size_t ss_fmt_u64(char *out, unsigned long long v) {
  char tmp[SS_U64_LEN];
  char *p = tmp + sizeof tmp;
  while (v >= 100) {
    p -= 2;
    memcpy(p, PAIRS + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10) {
    p -= 2;
    memcpy(p, PAIRS + 2 * v, 2);
  } else {
    *--p = (char)('0' + v);
  }
  size_t n = (size_t)(tmp + sizeof tmp - p);
  memcpy(out, p, n);
  out[n] = '\0';
  return n;
}

/* snprintf's text into out (size bytes), its length as written. */
static size_t fallback(char *out, size_t size, const char *fmt, double v) {
  int n = snprintf(out, size, fmt, v);
  if (n < 0) {
    out[0] = '\0';
    return 0;
  }
  return (size_t)n < size ? (size_t)n : size - 1;
}

/* Below a million thousandths, v / 1000 has at most six significant
 * digits: the double nearest to it rounds back to that decimal at %g's
 * six digits, and its exponent (-3 to 2) is one %g writes without 'e'. So
 * the text is the integer part, then the thousandths without trailing
 * zeros. */
size_t ss_fmt_milli(char *out, size_t size, long long v) {
  if (v < 0 || v >= 1000000 || size < 12)
    return fallback(out, size, "%g", (double)v / 1000.0);
  size_t n = ss_fmt_u64(out, (unsigned long long)v / 1000);
  unsigned frac = (unsigned)(v % 1000);
  if (frac) {
    out[n++] = '.';
    out[n++] = (char)('0' + frac / 100);
    out[n++] = (char)('0' + frac / 10 % 10);
    out[n++] = (char)('0' + frac % 10);
    while (out[n - 1] == '0') n--;
    out[n] = '\0';
  }
  return n;
}

/* %.0f rounds the exact value of v to the nearest integer, a tie to the
 * even one (the default rounding mode). Below 2^53 the fraction v -
 * floor(v) is exact, so the comparison with one half is too; from 2^53 on
 * every double is an integer. */
size_t ss_fmt_round(char *out, size_t size, double v) {
  const double two53 = 9007199254740992.0, two64 = 18446744073709551616.0;
  if (!(v >= 0 && v < two64) || signbit(v) || size < SS_U64_LEN)
    return fallback(out, size, "%.0f", v);
  unsigned long long whole = (unsigned long long)v;
  if (v < two53) {
    double frac = v - (double)whole;
    if (frac > 0.5 || (frac == 0.5 && (whole & 1))) whole++;
  }
  return ss_fmt_u64(out, whole);
}

/* A whole number of 256ths below a million is an integer %g prints as it
 * is; any other takes printf's own rounding. */
size_t ss_fmt_256ths(char *out, size_t size, long long v) {
  if (v < 0 || v % 256 || v / 256 >= 1000000 || size < SS_U64_LEN)
    return fallback(out, size, "%g", (double)v / 256.0);
  return ss_fmt_u64(out, (unsigned long long)(v / 256));
}
