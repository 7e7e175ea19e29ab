/*
 * test_fixture_net.c: the socket tables (net_tcp, net_udp, net_unix,
 * net_packet, net_netlink, sockets) over tests/fixtures/proc (described in
 * test_fixture.c), and the cost of reading several namespaces over
 * tests/fixtures/proc-ns3 (made by tests/fixtures/make-proc-ns3.sh).
 *
 * Namespace 1 (4026599001) is the host: pids 1 2 100 200 201 300. Namespace
 * 2 (4026599002) is a container: pid 400. The zombie 301 has none.
 */
#include "pn_test.h"

#include <string.h>

#define NS1 "4026599001"
#define NS2 "4026599002"

static sqlite3 *open_fixture(void) { return pn_open(pn_fixture("proc")); }

static const char TCP_COLS[] =
    "family, local_address, local_port, remote_address, remote_port, state,"
    " tx_queue, rx_queue, timer, timer_expires, uid, inode, refcount, drops,"
    " protocol, netns";

/* Every row of both namespaces, each once (by inode). The malformed
 * lines of namespace 1's tcp (a short line, a bad hex digit with inode 5099)
 * are skipped. */
static const char TCP_ROWS_NS1[] =
    "IPv4|127.0.0.1|40962|127.0.0.1|8080|TIME_WAIT|0|0|timewait|57.88|0|0|3|NULL|6|" NS1 "\n"
    "IPv4|127.0.0.1|8080|0.0.0.0|0|LISTEN|0|0|off|0.0|1000|5001|1|NULL|6|" NS1 "\n"
    "IPv4|0.0.0.0|80|0.0.0.0|0|LISTEN|0|0|off|0.0|0|5002|1|NULL|6|" NS1 "\n"
    "IPv4|127.0.0.1|8080|127.0.0.1|40960|ESTABLISHED|16|32|off|0.0|1000|5003|1|NULL|6|" NS1 "\n"
    "IPv4|127.0.0.1|40960|127.0.0.1|8080|ESTABLISHED|0|0|keepalive|60.0|1000|5004|1|NULL|6|" NS1 "\n"
    "IPv6|::1|8081|::|0|LISTEN|0|0|off|0.0|1000|5006|1|NULL|6|" NS1 "\n"
    "IPv6|::|80|::|0|LISTEN|0|0|off|0.0|0|5007|1|NULL|6|" NS1 "\n"
    "IPv6|::ffff:127.0.0.1|80|::ffff:127.0.0.1|45000|ESTABLISHED|0|0|off|0.0|33|5008|1|NULL|6|" NS1 "\n"
    "IPv4|127.0.0.1|45000|127.0.0.1|80|ESTABLISHED|0|0|off|0.0|1000|5009|1|NULL|6|" NS1 "\n"
    "IPv4|0.0.0.0|22|0.0.0.0|0|LISTEN|0|0|off|0.0|0|4294967302|1|NULL|6|" NS1 "\n";
static const char TCP_ROWS_NS2[] =
    "IPv4|127.0.0.1|8080|0.0.0.0|0|LISTEN|0|0|off|0.0|0|6001|1|NULL|6|" NS2 "\n";

static void net_tcp_rows(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  char *both = sqlite3_mprintf("%s%s", TCP_ROWS_NS1, TCP_ROWS_NS2);
  /* Without constraints: both namespaces, each once, although six
   * processes share namespace 1. */
  assert_rows(db, both, "SELECT %s FROM net_tcp ORDER BY netns, inode",
              TCP_COLS);
  sqlite3_free(both);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp"), 11);
  /* The 64-bit inode is found by an inode lookup too. */
  assert_rows(db, "0.0.0.0|22\n",
              "SELECT local_address, local_port FROM net_tcp WHERE inode = 4294967302");
  /* Two listeners on 127.0.0.1:8080, one per namespace. */
  assert_rows(db, "5001|" NS1 "\n6001|" NS2 "\n",
              "SELECT inode, netns FROM net_tcp WHERE local_port = 8080"
              " AND state = 'LISTEN' ORDER BY netns");
  pn_close(db);
}

/* Namespace 1's tcp has a short line and a line with a bad hex digit
 * (inode 5099) between good ones: both are skipped, without an error, and
 * the lines after them are read. */
static void net_tcp_skips_malformed_lines(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db, "0\n5001\n5002\n5003\n5004\n5009\n4294967302\n",
              "SELECT inode FROM net_tcp WHERE netns = " NS1 " AND family = 'IPv4'"
              " ORDER BY inode");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE inode = 5099"), 0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM sockets WHERE inode = 5099"), 0);
  pn_close(db);
}

static void net_tcp_by_namespace(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* netns = N: only N. */
  assert_rows(db, TCP_ROWS_NS2, "SELECT %s FROM net_tcp WHERE netns = " NS2, TCP_COLS);
  assert_rows(db, TCP_ROWS_NS1,
              "SELECT %s FROM net_tcp WHERE netns = " NS1 " ORDER BY inode",
              TCP_COLS);
  assert_rows(db, "", "SELECT * FROM net_tcp WHERE netns = 12345");
  /* procnet_netns() is the namespace of root/self (pid 100). */
  assert_int_equal(pn_int(db, "SELECT procnet_netns()"), 4026599001LL);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE netns = procnet_netns()"), 10);
  /* ns_pid = X: X's namespace only, reported with X. */
  assert_rows(db, "6001|" NS2 "|400\n",
              "SELECT inode, netns, ns_pid FROM net_tcp WHERE ns_pid = 400");
  assert_rows(db, "10|" NS1 "|100\n",
              "SELECT count(*), netns, ns_pid FROM net_tcp WHERE ns_pid = 100");
  /* The zombie has no namespace to read; a missing pid neither. */
  assert_rows(db, "", "SELECT * FROM net_tcp WHERE ns_pid = 301");
  assert_rows(db, "", "SELECT * FROM net_tcp WHERE ns_pid = 999");
  /* A list: one reading per pid, each reported with its pid. */
  assert_rows(db, "201|10\n400|1\n",
              "SELECT ns_pid, count(*) FROM net_tcp WHERE ns_pid IN (400, 201, 301)"
              " GROUP BY ns_pid ORDER BY ns_pid");
  /* Without ns_pid = X the hidden column is NULL. */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE ns_pid IS NULL"), 11);
  /* Both constraints: the namespace of X, if it is N. */
  assert_rows(db, "", "SELECT * FROM net_tcp WHERE ns_pid = 400 AND netns = " NS1);
  assert_rows(db, "6001\n",
              "SELECT inode FROM net_tcp WHERE ns_pid = 400 AND netns = " NS2);
  pn_close(db);
}

static void net_tcp_reads_each_namespace_once(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int64_t n0 = pn_stat(db, "net_files_read"), f0 = pn_stat(db, "files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp"), 11);
  /* tcp and tcp6 of two namespaces, and nothing else. */
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 4);
  assert_int_equal(pn_stat(db, "files_read") - f0, 4);
  n0 = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE ns_pid = 400"), 1);
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 2);
  n0 = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE netns = " NS2), 1);
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 2);
  /* compared as SQLite compares an INTEGER column */
  n0 = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE netns = " NS2 ".0"), 1);
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 2);
  /* A LIMIT keeps the scan file by file: the first row, the first file. */
  n0 = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM (SELECT * FROM net_tcp LIMIT 1)"), 1);
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 1);
  pn_close(db);
}

static void net_udp_rows(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db,
              "IPv4|0.0.0.0|68|0.0.0.0|0|CLOSE|0|0|0|5031|2|0|17|" NS1 "\n"
              "IPv4|127.0.0.1|54321|127.0.0.1|53|ESTABLISHED|0|832|1000|5032|2|3|17|" NS1 "\n",
              "SELECT family, local_address, local_port, remote_address,"
              " remote_port, state, tx_queue, rx_queue, uid, inode, refcount,"
              " drops, protocol, netns FROM net_udp ORDER BY inode");
  /* Header-only files give no rows and no error. */
  assert_rows(db, "0|0|0\n",
              "SELECT (SELECT count(*) FROM net_raw), (SELECT count(*) FROM net_icmp),"
              " (SELECT count(*) FROM net_udplite)");
  pn_close(db);
}

static void net_unix_rows(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* Paths whole: the space, the newline, the '@' of an abstract name; NULL
   * when unbound; an accepted socket shows its listener's path. Peers are
   * NULL: sock_diag answers only for the reader's own namespace, which is
   * not one of the fixture's. */
  assert_rows(db,
              "5010|/run/app server.sock|STREAM|LISTEN|2|65536|0|NULL|" NS1 "\n"
              "5011|@app-abstract|DGRAM|UNCONNECTED|2|0|0|NULL|" NS1 "\n"
              "5012|NULL|STREAM|CONNECTED|3|0|0|NULL|" NS1 "\n"
              "5013|/tmp/bad\nname.sock|STREAM|LISTEN|2|65536|0|NULL|" NS1 "\n"
              "5014|/run/app server.sock|STREAM|CONNECTED|3|0|0|NULL|" NS1 "\n"
              "5015|/run/seq.sock|SEQPACKET|UNCONNECTED|2|0|0|NULL|" NS1 "\n"
              "6002|/tmp/.java_pid1|STREAM|LISTEN|2|65536|0|NULL|" NS2 "\n",
              "SELECT inode, path, type, state, refcount, flags, protocol,"
              " peer_inode, netns FROM net_unix ORDER BY inode");
  assert_rows(db, "5013\n",
              "SELECT inode FROM net_unix WHERE path = '/tmp/bad' || char(10) || 'name.sock'");
  assert_rows(db, "5012\n", "SELECT inode FROM net_unix WHERE path IS NULL");
  assert_rows(db, "6002|400\n",
              "SELECT inode, ns_pid FROM net_unix WHERE ns_pid = 400");
  assert_rows(db, "/run/app server.sock\n", "SELECT path FROM net_unix WHERE inode = 5014");
  pn_close(db);
}

static void net_packet_and_netlink_rows(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db, "5040|RAW|3|2|1|0|0|3|" NS1 "\n",
              "SELECT inode, type, protocol, ifindex, running, rx_queue, uid,"
              " refcount, netns FROM net_packet");
  assert_rows(db,
              "6|0|0|0|0|0|0|2|0|" NS1 "\n"
              "5041|0|1|17|0|0|0|2|0|" NS1 "\n"
              "16|0|0|0|0|0|0|2|0|" NS2 "\n",
              "SELECT inode, protocol, portid, groups, rx_queue, tx_queue, dump,"
              " locks, drops, netns FROM net_netlink ORDER BY netns, inode");
  assert_rows(db, "16\n", "SELECT inode FROM net_netlink WHERE netns = " NS2);
  pn_close(db);
}

static void sockets_rows(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db,
              "netlink|NETLINK|0|NULL|0|NULL|NULL|NULL|NULL|NULL|6|" NS1 "\n"
              "netlink|NETLINK|0|NULL|0|NULL|NULL|NULL|NULL|NULL|16|" NS2 "\n"
              "tcp|IPv4|6|127.0.0.1|8080|0.0.0.0|0|NULL|NULL|LISTEN|5001|" NS1 "\n"
              "tcp|IPv4|6|0.0.0.0|80|0.0.0.0|0|NULL|NULL|LISTEN|5002|" NS1 "\n"
              "tcp|IPv4|6|127.0.0.1|8080|127.0.0.1|40960|NULL|NULL|ESTABLISHED|5003|" NS1 "\n"
              "tcp|IPv4|6|127.0.0.1|40960|127.0.0.1|8080|NULL|NULL|ESTABLISHED|5004|" NS1 "\n"
              "tcp|IPv6|6|::1|8081|::|0|NULL|NULL|LISTEN|5006|" NS1 "\n"
              "tcp|IPv6|6|::|80|::|0|NULL|NULL|LISTEN|5007|" NS1 "\n"
              "tcp|IPv6|6|::ffff:127.0.0.1|80|::ffff:127.0.0.1|45000|NULL|NULL|ESTABLISHED|5008|" NS1 "\n"
              "tcp|IPv4|6|127.0.0.1|45000|127.0.0.1|80|NULL|NULL|ESTABLISHED|5009|" NS1 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|/run/app server.sock|STREAM|LISTEN|5010|" NS1 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|@app-abstract|DGRAM|UNCONNECTED|5011|" NS1 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|NULL|STREAM|CONNECTED|5012|" NS1 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|/tmp/bad\nname.sock|STREAM|LISTEN|5013|" NS1 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|/run/app server.sock|STREAM|CONNECTED|5014|" NS1 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|/run/seq.sock|SEQPACKET|UNCONNECTED|5015|" NS1 "\n"
              "udp|IPv4|17|0.0.0.0|68|0.0.0.0|0|NULL|NULL|CLOSE|5031|" NS1 "\n"
              "udp|IPv4|17|127.0.0.1|54321|127.0.0.1|53|NULL|NULL|ESTABLISHED|5032|" NS1 "\n"
              "packet|PACKET|3|NULL|NULL|NULL|NULL|NULL|RAW|NULL|5040|" NS1 "\n"
              "netlink|NETLINK|0|NULL|1|NULL|NULL|NULL|NULL|NULL|5041|" NS1 "\n"
              "tcp|IPv4|6|127.0.0.1|8080|0.0.0.0|0|NULL|NULL|LISTEN|6001|" NS2 "\n"
              "unix|UNIX|0|NULL|NULL|NULL|NULL|/tmp/.java_pid1|STREAM|LISTEN|6002|" NS2 "\n"
              "tcp|IPv4|6|0.0.0.0|22|0.0.0.0|0|NULL|NULL|LISTEN|4294967302|" NS1 "\n",
              "SELECT kind, family, protocol, local_address, local_port,"
              " remote_address, remote_port, path, type, state, inode, netns"
              " FROM sockets WHERE inode <> 0 ORDER BY inode, netns");
  assert_rows(db, "netlink|3\npacket|1\ntcp|11\nudp|2\nunix|7\n",
              "SELECT kind, count(*) FROM sockets GROUP BY kind ORDER BY kind");
  assert_rows(db, "tcp|6001\nunix|6002\nnetlink|16\n",
              "SELECT kind, inode FROM sockets WHERE ns_pid = 400");
  pn_close(db);
}

/* Reads of `sockets` WHERE ... against the count of net/ files it read. */
static int64_t files_for(sqlite3 *db, const char *where, int64_t *rows) {
  int64_t n0 = pn_stat(db, "net_files_read");
  *rows = pn_int(db, "SELECT count(*) FROM sockets WHERE %s", where);
  return pn_stat(db, "net_files_read") - n0;
}

/* `kind = ?` and `kind IN (...)` read only those kinds' files (2 namespaces
 * here: tcp is tcp + tcp6 in each, unix one file in each), give the rows
 * the unconstrained scan gives, and AND together. */
static void sockets_kind_reads_only_its_files(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  static const struct {
    const char *where;
    int files, rows;
  } cases[] = {
      {"kind = 'tcp'", 4, 11},
      {"kind IN ('tcp', 'unix')", 6, 18},
      {"kind IN ('tcp', 'unix') AND kind IN ('unix', 'udp')", 2, 7},
      {"kind = 'tcp' AND kind = 'udp'", 0, 0},
      {"kind IN (SELECT 'udp' UNION SELECT 'nope')", 4, 2},
      /* what only text can equal: nothing is read, nothing matches */
      {"kind = NULL OR kind = 6 OR kind = x'746370'", 0, 0},
      /* names are matched as the column compares them: exactly, unless
       * the query says otherwise (then every file is read and SQLite
       * compares) */
      {"kind = 'TCP'", 0, 0},
      {"kind = 'TCP' COLLATE NOCASE", 26, 11},
      {"kind = 'tcp' || char(0) || 'x'", 0, 0},
      /* an IN list's values may carry their own collation: read loosely,
       * checked by SQLite */
      {"kind IN (SELECT 'TCP' COLLATE NOCASE)", 4, 11},
      {"kind IN (SELECT 'tcp  ' COLLATE RTRIM)", 4, 11},
      {"kind IN ('TCP', 'tcp ')", 4, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int64_t rows, files = files_for(db, cases[i].where, &rows);
    if (files != cases[i].files || rows != cases[i].rows)
      fail_msg("%s: %lld files, %lld rows; want %d, %d", cases[i].where, (long long)files,
               (long long)rows, cases[i].files, cases[i].rows);
  }
  /* the same rows as the unconstrained scan filtered by SQLite */
  char *pushed = pn_rows(db, "SELECT kind, inode, netns FROM sockets"
                             " WHERE kind IN ('udp', 'unix')");
  char *filtered = pn_rows(db, "SELECT kind, inode, netns FROM sockets"
                               " WHERE kind || '' IN ('udp', 'unix')");
  assert_string_equal(pushed, filtered);
  sqlite3_free(pushed);
  sqlite3_free(filtered);
  pn_close(db);
}

/* Three namespaces of ten processes each: a count reads each namespace's
 * tcp and tcp6 once, not once per process, and nothing else. */
static void three_namespaces_read_once(void **state) {
  (void)state;
  sqlite3 *db = pn_open(pn_fixture("proc-ns3"));
  int64_t n0 = pn_stat(db, "net_files_read"), f0 = pn_stat(db, "files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp"), 3);
  assert_int_equal(pn_stat(db, "net_files_read") - n0, 6);
  assert_int_equal(pn_stat(db, "files_read") - f0, 6);
  assert_rows(db,
              "127.0.0.1|8081|7001|4026599101\n"
              "127.0.0.1|8082|7002|4026599102\n"
              "127.0.0.1|8083|7003|4026599103\n",
              "SELECT local_address, local_port, inode, netns FROM net_tcp"
              " ORDER BY netns");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM processes"), 30);
  pn_close(db);
}

/* A lookup by inode after inode (the inner loop of a join, past the first
 * few, which may ask the kernel for one socket) goes through one index of
 * every namespace's records: the same rows as SQLite's own equality test
 * on a scan, each namespace's files read once, and a unix socket's kernel
 * address (lsof's DEVICE) there too. */
static void sockets_inode_lookups_match_a_scan(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  static const char WANTED[] =
      "WITH w(inode) AS (VALUES (5010), (5001), (6001), (4294967302), (5040), (5041),"
      " (16), (6002), (5003), (0), (77), (5010))";
  char *looked_up = pn_rows(db,
                            "%s SELECT w.inode, s.kind, s.local_port, s.path, s.address, s.netns"
                            " FROM w CROSS JOIN sockets s ON s.inode = w.inode",
                            WANTED);
  char *scanned = pn_rows(db,
                          "%s SELECT w.inode, s.kind, s.local_port, s.path, s.address, s.netns"
                          " FROM w CROSS JOIN sockets s ON s.inode + 0 = w.inode",
                          WANTED);
  assert_string_equal(looked_up, scanned);
  /* 0 is the TIME-WAIT socket's; 77 is no socket's */
  assert_non_null(strstr(looked_up, "5010|unix|NULL|/run/app server.sock|"));
  assert_null(strstr(looked_up, "\n77|"));
  sqlite3_free(looked_up);
  sqlite3_free(scanned);
  int64_t n0 = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "%s SELECT count(*) FROM w CROSS JOIN sockets s"
                              " ON s.inode = w.inode", WANTED),
                   11);
  /* 13 files a namespace at most, each read once: not once per lookup */
  assert_true(pn_stat(db, "net_files_read") - n0 <= 26);
  pn_close(db);
}

/* procnet_hold_sockets(1): the next statements answer from what the first
 * read; procnet_hold_sockets(0) lets it go, and the next one reads again. */
static void held_sockets_are_read_once(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_int_equal(pn_int(db, "SELECT procnet_hold_sockets()"), 0);
  assert_int_equal(pn_int(db, "SELECT procnet_hold_sockets(1)"), 1);
  int64_t n0 = pn_stat(db, "net_files_read");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp"), 11);
  int64_t n1 = pn_stat(db, "net_files_read");
  assert_true(n1 > n0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM sockets WHERE kind = 'tcp'"), 11);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE inode = 5001"), 1);
  assert_int_equal(pn_stat(db, "net_files_read"), n1);
  assert_int_equal(pn_int(db, "SELECT procnet_hold_sockets(0)"), 0);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp"), 11);
  assert_true(pn_stat(db, "net_files_read") > n1);
  static const char *const BAD[] = {"SELECT procnet_hold_sockets(2)",
                                     "SELECT procnet_hold_sockets('yes')"};
  for (size_t i = 0; i < 2; i++) {
    char *e = pn_error(db, "%s", BAD[i]);
    assert_non_null(strstr(e, "want 1 or 0"));
    sqlite3_free(e);
  }
  /* held when the connection closes: let go with it (valgrind, ASan) */
  assert_int_equal(pn_int(db, "SELECT procnet_hold_sockets(1)"), 1);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_unix"), 7);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(net_tcp_rows),
      cmocka_unit_test(net_tcp_skips_malformed_lines),
      cmocka_unit_test(net_tcp_by_namespace),
      cmocka_unit_test(net_tcp_reads_each_namespace_once),
      cmocka_unit_test(net_udp_rows),
      cmocka_unit_test(net_unix_rows),
      cmocka_unit_test(net_packet_and_netlink_rows),
      cmocka_unit_test(sockets_rows),
      cmocka_unit_test(sockets_kind_reads_only_its_files),
      cmocka_unit_test(three_namespaces_read_once),
      cmocka_unit_test(sockets_inode_lookups_match_a_scan),
      cmocka_unit_test(held_sockets_are_read_once),
  };
  return cmocka_run_group_tests_name("fixture_net", tests, NULL, NULL);
}
