/*
 * test_fixture_security.c: errors a user sees, read-only tables, and a
 * hostile database file whose views and triggers try to read processes.
 * Uses tests/fixtures/proc (see test_fixture.c).
 */
#include "pn_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procnet.h"

static sqlite3 *open_fixture(void) { return pn_open(pn_fixture("proc")); }

#define assert_contains(haystack, needle)                                     \
  do {                                                                        \
    const char *h_ = (haystack);                                              \
    if (!h_ || !strstr(h_, (needle))) {                                       \
      print_error("expected \"%s\" in: %s\n", (needle), h_ ? h_ : "(null)");  \
      fail();                                                                 \
    }                                                                         \
  } while (0)

static void bad_root_names_the_path(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  char *fixture = sqlite3_mprintf("%s", pn_fixture("proc"));
  char *err = pn_error(db, "SELECT procnet_root('/nonexistent')");
  assert_contains(err, "'/nonexistent'");
  sqlite3_free(err);
  /* A directory that is no proc tree (no pid directory, no net/). */
  err = pn_error(db, "SELECT procnet_root(%Q)", pn_fixture("captured"));
  assert_contains(err, "is not a proc tree");
  assert_contains(err, "captured");
  sqlite3_free(err);
  /* A failed call keeps the root in force. */
  assert_rows(db, "a) (b\n", "SELECT name FROM processes WHERE pid = 100");
  char *want = sqlite3_mprintf("%s\n", fixture);
  assert_rows(db, want, "SELECT procnet_root()");
  sqlite3_free(want);
  sqlite3_free(fixture);
  pn_close(db);
}

static void tables_are_read_only(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  static const char *const tables[] = {
      "processes", "fds", "net_tcp", "net_udp", "net_udplite", "net_raw",
      "net_icmp", "net_unix", "net_packet", "net_netlink", "sockets", "socket_holders"};
  static const char *const writes[] = {
      "INSERT INTO %s DEFAULT VALUES", "UPDATE %s SET inode = 1",
      "DELETE FROM %s"};
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
    for (size_t w = 0; w < sizeof writes / sizeof *writes; w++) {
      /* processes has no inode column: update its pid. */
      const char *wr = (w == 1 && strcmp(tables[t], "processes") == 0)
                           ? "UPDATE %s SET pid = 1"
                           : writes[w];
      char *sql = sqlite3_mprintf(wr, tables[t]);
      char *err = pn_error(db, "%s", sql);
      char *want = sqlite3_mprintf("table %s may not be modified", tables[t]);
      assert_contains(err, want);
      sqlite3_free(want);
      sqlite3_free(err);
      sqlite3_free(sql);
    }
  }
  /* Nothing changed. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM processes"), 8);
  pn_close(db);
}

/* ---- a hostile database file ------------------------------------------------ */

/* The database file, made in setup and removed in teardown (which runs
 * even when the test fails). */
static char db_path[] = "/tmp/procnet-hostile-XXXXXX";

static int make_db_file(void **state) {
  (void)state;
  strcpy(db_path, "/tmp/procnet-hostile-XXXXXX");
  int fd = mkstemp(db_path);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

static int remove_db_file(void **state) {
  (void)state;
  return unlink(db_path);
}

static sqlite3 *open_with_procnet(const char *path) {
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK) fail_msg("open %s", path);
  if (procnet_register(db, &err) != SQLITE_OK) fail_msg("register: %s", err);
  return db;
}

static void hostile_schema_cannot_read_processes(void **state) {
  (void)state;
  const char *path = db_path;

  /* Someone builds a database whose schema reads processes. */
  sqlite3 *maker = open_with_procnet(path);
  pn_exec(maker,
          "CREATE TABLE notes(x);"
          "CREATE TABLE loot(pid, cmdline);"
          "CREATE VIEW v_procs AS SELECT pid, cmdline FROM processes;"
          "CREATE VIEW v_sockets AS SELECT inode FROM net_tcp;"
          "CREATE VIEW v_root AS SELECT procnet_root('/') AS r;"
          "CREATE TRIGGER steal AFTER INSERT ON notes BEGIN"
          "  INSERT INTO loot SELECT pid, cmdline FROM processes;"
          " END;");
  pn_close(maker);

  /* A user opens it with procnet registered. */
  sqlite3 *db = open_with_procnet(path);
  pn_exec(db, "SELECT procnet_root(%Q)", pn_fixture("proc"));
  char *err = pn_error(db, "SELECT * FROM v_procs");
  assert_contains(err, "unsafe use of virtual table \"processes\"");
  sqlite3_free(err);
  err = pn_error(db, "SELECT * FROM v_sockets");
  assert_contains(err, "unsafe use of virtual table \"net_tcp\"");
  sqlite3_free(err);
  err = pn_error(db, "SELECT * FROM v_root");
  assert_contains(err, "unsafe use of procnet_root()");
  sqlite3_free(err);
  err = pn_error(db, "INSERT INTO notes VALUES (1)");
  assert_contains(err, "unsafe use of virtual table \"processes\"");
  sqlite3_free(err);
  /* Nothing was copied, the root is unchanged, and the same queries typed
   * by the user work. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM loot"), 0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM notes"), 0);
  char *want = sqlite3_mprintf("%s\n", pn_fixture("proc"));
  assert_rows(db, want, "SELECT procnet_root()");
  sqlite3_free(want);
  assert_rows(db, "100|/usr/bin/python3 /srv/app/a) (b.py --port 8080\n",
              "SELECT pid, cmdline FROM processes WHERE pid = 100");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM (SELECT inode FROM net_tcp)"), 11);
  /* A TEMP view is the user's own and may read the tables. */
  pn_exec(db, "CREATE TEMP VIEW mine AS SELECT pid, cmdline FROM processes");
  assert_rows(db, "100|/usr/bin/python3 /srv/app/a) (b.py --port 8080\n",
              "SELECT * FROM mine WHERE pid = 100");
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_root_names_the_path),
      cmocka_unit_test(tables_are_read_only),
      cmocka_unit_test_setup_teardown(hostile_schema_cannot_read_processes,
                                      make_db_file, remove_db_file),
  };
  return cmocka_run_group_tests_name("fixture_security", tests, NULL, NULL);
}
