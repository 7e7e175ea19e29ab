/*
 * func_inet.c: procnet_addr_match(address, prefix).
 *
 *   procnet_addr_match('10.1.2.3', '10.0.0.0/8')        -> 1
 *   procnet_addr_match('::ffff:10.1.2.3', '10.0.0.0/8') -> 1
 *   procnet_addr_match('::1', '::1')                     -> 1
 *   procnet_addr_match('::1', '0.0.0.0/0')               -> 0
 *   procnet_addr_match(NULL, '10.0.0.0/8')               -> NULL
 *
 * address is a socket table's address text; prefix is an IPv4 or IPv6
 * address (IPv6 optionally in brackets) with an optional /LENGTH (the whole
 * address without it). The rule is the kernel's for inet_diag filters,
 * which is what `ss src`/`dst` apply: an IPv4 prefix matches IPv4
 * addresses and the IPv4 part of v4-mapped IPv6 ones (::ffff:a.b.c.d); an
 * IPv6 prefix matches IPv6 addresses only. An address that is not one
 * (a unix path) matches nothing; a prefix that is not one is an error.
 *
 * Deterministic, so SQLite may evaluate it once per distinct argument
 * pair; DIRECTONLY like every procnet function (see procnet.c), which is
 * fine for its use: the WHERE clauses the procnet command writes.
 */
#include "func_inet.h"
SQLITE_EXTENSION_INIT3

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct pn_ipaddr {
  int v6;            /* 0: IPv4, 1: IPv6 */
  uint8_t b[16];     /* network order: 4 or 16 bytes */
} pn_ipaddr;

/* Parses an address without a length; brackets allowed around IPv6. */
static int parse_addr(const char *s, size_t n, int brackets, pn_ipaddr *a) {
  char buf[INET6_ADDRSTRLEN + 2];
  if (brackets && n >= 2 && s[0] == '[' && s[n - 1] == ']') {
    s++;
    n -= 2;
    if (!memchr(s, ':', n)) return -1; /* [1.2.3.4] is not an address */
  }
  if (n == 0 || n >= sizeof buf) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  a->v6 = strchr(buf, ':') != NULL;
  return inet_pton(a->v6 ? AF_INET6 : AF_INET, buf, a->b) == 1 ? 0 : -1;
}

/* "ADDR" or "ADDR/LEN": the address and the length in bits. */
static int parse_prefix(const char *s, pn_ipaddr *a, int *bits) {
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (parse_addr(s, n, 1, a) != 0) return -1;
  int max = a->v6 ? 128 : 32;
  if (!slash) {
    *bits = max;
    return 0;
  }
  const char *p = slash + 1;
  if (*p < '0' || *p > '9' || strlen(p) > 3) return -1;
  char *end;
  long v = strtol(p, &end, 10);
  if (*end || v > max) return -1;
  *bits = (int)v;
  return 0;
}

/* The first `bits` bits of x and y are equal. */
static int bits_equal(const uint8_t *x, const uint8_t *y, int bits) {
  int whole = bits / 8, rest = bits % 8;
  if (memcmp(x, y, (size_t)whole) != 0) return 0;
  if (!rest) return 1;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (x[whole] & mask) == (y[whole] & mask);
}

static int is_v4_mapped(const pn_ipaddr *a) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return a->v6 && memcmp(a->b, prefix, sizeof prefix) == 0;
}

static int addr_matches(const pn_ipaddr *a, const pn_ipaddr *p, int bits) {
  if (!p->v6) {
    if (!a->v6) return bits_equal(a->b, p->b, bits);
    return is_v4_mapped(a) && bits_equal(a->b + 12, p->b, bits);
  }
  return a->v6 && bits_equal(a->b, p->b, bits);
}

static void fn_addr_match(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
      sqlite3_value_type(argv[1]) == SQLITE_NULL)
    return; /* NULL */
  const char *addr = (const char *)sqlite3_value_text(argv[0]);
  const char *prefix = (const char *)sqlite3_value_text(argv[1]);
  if (!addr || !prefix) {
    sqlite3_result_error_nomem(c);
    return;
  }
  pn_ipaddr p, a;
  int bits;
  if (parse_prefix(prefix, &p, &bits) != 0) {
    char *msg = sqlite3_mprintf("procnet_addr_match: '%s' is not an address"
                                " or ADDRESS/LENGTH", prefix);
    if (!msg) {
      sqlite3_result_error_nomem(c);
      return;
    }
    sqlite3_result_error(c, msg, -1);
    sqlite3_free(msg);
    return;
  }
  int ok = parse_addr(addr, strlen(addr), 0, &a) == 0 && addr_matches(&a, &p, bits);
  sqlite3_result_int(c, ok);
}

int pn_register_inet_functions(sqlite3 *db) {
  return sqlite3_create_function_v2(
      db, "procnet_addr_match", 2,
      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
      fn_addr_match, NULL, NULL, NULL);
}
