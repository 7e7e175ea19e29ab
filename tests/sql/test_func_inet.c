/*
 * test_func_inet.c: procnet_addr_match(address, prefix), the prefix test
 * behind `procnet ss src 10.0.0.0/8`.
 */
#include "pn_test.h"

#include <string.h>

/* One call, as SQL text: the result (1, 0 or NULL) as the query prints it. */
static char *match(sqlite3 *db, const char *address, const char *prefix) {
  return pn_rows(db, "SELECT procnet_addr_match(%Q, %Q)", address, prefix);
}

typedef struct match_case {
  const char *address, *prefix, *want;
} match_case;

static void prefixes_as_the_kernel_matches_them(void **state) {
  (void)state;
  static const match_case cases[] = {
      /* IPv4: whole addresses and prefixes, at and off byte boundaries */
      {"127.0.0.1", "127.0.0.1", "1\n"},
      {"127.0.0.1", "127.0.0.2", "0\n"},
      {"10.1.2.3", "10.0.0.0/8", "1\n"},
      {"11.1.2.3", "10.0.0.0/8", "0\n"},
      {"10.1.2.3", "10.0.0.0/7", "1\n"},
      {"11.1.2.3", "10.0.0.0/7", "1\n"},
      {"12.1.2.3", "10.0.0.0/7", "0\n"},
      {"192.168.1.77", "192.168.1.64/26", "1\n"},
      {"192.168.1.128", "192.168.1.64/26", "0\n"},
      {"8.8.8.8", "0.0.0.0/0", "1\n"},
      {"0.0.0.0", "0.0.0.0", "1\n"},
      /* v4-mapped IPv6 addresses match IPv4 prefixes ... */
      {"::ffff:10.1.2.3", "10.0.0.0/8", "1\n"},
      {"::ffff:127.0.0.1", "127.0.0.1", "1\n"},
      {"::ffff:11.1.2.3", "10.0.0.0/8", "0\n"},
      /* ... and IPv6 prefixes as IPv6 */
      {"::ffff:127.0.0.1", "::ffff:127.0.0.1", "1\n"},
      {"::ffff:127.0.0.1", "[::ffff:0.0.0.0]/96", "1\n"},
      /* other IPv6 addresses never match an IPv4 prefix, even /0 */
      {"::1", "0.0.0.0/0", "0\n"},
      {"::", "0.0.0.0", "0\n"},
      /* IPv6 */
      {"::1", "::1", "1\n"},
      {"::1", "[::1]", "1\n"},
      {"::2", "::1", "0\n"},
      {"fe80::1:2", "fe80::/10", "1\n"},
      {"febf::1", "fe80::/10", "1\n"},
      {"fec0::1", "fe80::/10", "0\n"},
      {"2001:db8::5", "::/0", "1\n"},
      /* an IPv6 prefix never matches an IPv4 address */
      {"10.1.2.3", "::/0", "0\n"},
      {"0.0.0.0", "::", "0\n"},
      /* what is not an address (a unix path, '*') matches nothing */
      {"/run/app.sock", "0.0.0.0/0", "0\n"},
      {"*", "::/0", "0\n"},
      {"", "0.0.0.0/0", "0\n"},
  };
  sqlite3 *db = pn_open(NULL);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = match(db, cases[i].address, cases[i].prefix);
    if (strcmp(got, cases[i].want) != 0)
      fail_msg("procnet_addr_match('%s', '%s') = %s, not %s", cases[i].address,
               cases[i].prefix, got, cases[i].want);
    sqlite3_free(got);
  }
  pn_close(db);
}

static void null_in_null_out(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, "NULL|NULL\n",
              "SELECT procnet_addr_match(NULL, '10.0.0.0/8'),"
              " procnet_addr_match('10.0.0.1', NULL)");
  /* Two-valued where the caller needs it (NOT of a filter). */
  assert_rows(db, "0\n", "SELECT procnet_addr_match(NULL, '::/0') IS 1");
  pn_close(db);
}

static void bad_prefixes_are_errors(void **state) {
  (void)state;
  static const char *const bad[] = {
      "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
      "10.0.0", "[10.0.0.1]", "[::1", "localhost", "", "1.2.3.4/0008",
  };
  sqlite3 *db = pn_open(NULL);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *err = pn_error(db, "SELECT procnet_addr_match('10.0.0.1', %Q)", bad[i]);
    if (!strstr(err, "is not an address"))
      fail_msg("prefix '%s': %s", bad[i], err);
    sqlite3_free(err);
  }
  pn_close(db);
}

/* DIRECTONLY: a view stored in a database file may not call it. */
static void not_from_a_schema_object(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "CREATE VIEW v AS SELECT procnet_addr_match('10.0.0.1', '10.0.0.0/8') AS m");
  char *err = pn_error(db, "SELECT m FROM v");
  assert_non_null(strstr(err, "unsafe use of procnet_addr_match"));
  sqlite3_free(err);
  /* A TEMP view is the user's own, as for the tables. */
  pn_exec(db, "CREATE TEMP VIEW t AS SELECT procnet_addr_match('10.0.0.1', '10.0.0.0/8') AS m");
  assert_rows(db, "1\n", "SELECT m FROM t");
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(prefixes_as_the_kernel_matches_them),
      cmocka_unit_test(null_in_null_out),
      cmocka_unit_test(bad_prefixes_are_errors),
      cmocka_unit_test(not_from_a_schema_object),
  };
  return cmocka_run_group_tests_name("func_inet", tests, NULL, NULL);
}
