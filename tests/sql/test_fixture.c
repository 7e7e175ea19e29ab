/*
 * test_fixture.c: `processes` and `fds` over the fake host in
 * tests/fixtures/proc, with the exact rows a user would check, and the
 * laziness rules (which files a query reads at all).
 *
 * The fake host (tests/fixtures/proc). Namespace inodes are made up
 * (40265990xx) so they never match the real host's. Every member of a
 * network namespace links PID/net to one directory (_netns1, _netns2), so
 * its files have one inode per namespace as in the kernel. git keeps no
 * empty directory: empty fd/ and fdinfo/ hold a ".keep" file, which every
 * listing skips (not a number). No link leads to an existing directory
 * (cwd and root of the host's processes read HOSTROOT, not "/"), so that
 * `grep -R` or `find -L` over the repository stays inside it.
 *
 *   stat     btime 1700000000        self -> 100        net -> self/net
 *   pid ppid name      ns  notes
 *   1   0    systemd   1   fds: /dev/null, netlink 5041, tcp 4294967302
 *                          (> 2^32, LISTEN 0.0.0.0:22), udp 5031, packet 5040
 *   2   0    kthreadd  1   kernel thread: empty cmdline, no exe, empty fd/
 *   100 1    "a) (b"   1   self; uids 1000..1003, gids 2000..2003; fds of
 *                          every kind (below)
 *   200 1    nginx     1   master: 5002 (0.0.0.0:80), 5007 ([::]:80)
 *   201 200  nginx     1   worker: the same 5002 and 5007 (fork), 5008
 *   300 100  curl      1   5004, 5009 (tcp clients), 5012 (unix), 5032 (udp)
 *   301 300  sh        -   zombie: stat, status, empty fd/, no net/, no ns/
 *   400 1    java      2   container: 6001 LISTEN 127.0.0.1:8080, unix 6002
 */
#include "pn_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS1 "4026599001"
#define NS2 "4026599002"
#define NPROC 8 /* process directories in the fixture */
/* The fake host's "/" as its cwd and root links show it: a path that does
 * not exist, so that no link leads out to the real file system. */
#define HOSTROOT "/var/lib/machines/fakehost"

static sqlite3 *open_fixture(void) { return pn_open(pn_fixture("proc")); }

static long clk_tck(void) { return sysconf(_SC_CLK_TCK); }
static long page_size(void) { return sysconf(_SC_PAGESIZE); }

/* ---- processes ------------------------------------------------------------ */

static const char PROC_COLS[] =
    "pid, ppid, name, state, uid, euid, suid, fsuid, gid, egid, sgid, fsgid,"
    " cmdline, exe, cwd, root, threads, rss, vsize, start_time, utime, stime,"
    " pgrp, session, tty_nr, nice, netns";

static void processes_every_column(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  long tck = clk_tck(), ps = page_size();
  /* The name runs to the LAST ')': "a) (b". start_time = btime +
   * starttime / CLK_TCK; rss = pages * page size; utime/stime in seconds. */
  assert_rows_fmt(db,
      sqlite3_mprintf(
          "100|1|a) (b|S|1000|1001|1002|1003|2000|2001|2002|2003|"
          "/usr/bin/python3 /srv/app/a) (b.py --port 8080|/usr/bin/python3.11|"
          "/srv/app|" HOSTROOT "|3|%lld|17108992|%lld|%!.15g|%!.15g|100|100|34816|-5|"
          NS1 "\n",
          3134LL * ps, 1700000000LL + 123456LL / tck, 250.0 / tck, 75.0 / tck),
      "SELECT %s FROM processes WHERE pid = 100", PROC_COLS);
  assert_rows_fmt(db,
      sqlite3_mprintf(
          "400|1|java|S|0|0|0|0|0|0|0|0|java -jar /app/server.jar|"
          "/usr/lib/jvm/java-17/bin/java|/app|/var/lib/containers/c1/merged|25|"
          "%lld|3000000000|%lld|%!.15g|%!.15g|400|400|0|0|" NS2 "\n",
          50000LL * ps, 1700000000LL + 50000LL / tck, 5000.0 / tck, 700.0 / tck),
      "SELECT %s FROM processes WHERE pid = 400", PROC_COLS);
  pn_close(db);
}

static void processes_kernel_thread_and_zombie(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* Kernel thread: empty cmdline (not NULL), no exe. */
  assert_rows(db, "2|kthreadd|S|''|NULL|" HOSTROOT "|" HOSTROOT "|" NS1 "\n",
              "SELECT pid, name, state, quote(cmdline), exe, cwd, root, netns"
              " FROM processes WHERE pid = 2");
  /* Zombie: listed, state Z, its status still read, no links, no netns. */
  assert_rows(db, "301|300|sh|Z|''|NULL|NULL|NULL|1000|0|0|NULL\n",
              "SELECT pid, ppid, name, state, quote(cmdline), exe, cwd, root,"
              " uid, rss, vsize, netns FROM processes WHERE pid = 301");
  /* nginx rewrote its argv: one string, trailing NULs dropped. */
  assert_rows(db,
              "200|nginx: master process /usr/sbin/nginx\n"
              "201|nginx: worker process\n",
              "SELECT pid, cmdline FROM processes WHERE pid IN (200, 201)"
              " ORDER BY pid");
  pn_close(db);
}

static void processes_full_scan(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db,
              "1|0|systemd|S\n"
              "2|0|kthreadd|S\n"
              "100|1|a) (b|S\n"
              "200|1|nginx|S\n"
              "201|200|nginx|S\n"
              "300|100|curl|S\n"
              "301|300|sh|Z\n"
              "400|1|java|S\n",
              "SELECT pid, ppid, name, state FROM processes ORDER BY pid");
  assert_rows(db, NS1 "|6\n" NS2 "|1\n",
              "SELECT netns, count(*) FROM processes WHERE netns IS NOT NULL"
              " GROUP BY netns ORDER BY netns");
  assert_rows(db, "100\n", "SELECT pid FROM processes WHERE name = 'a) (b'");
  /* pid values that are not integers match nothing; '100' is 100. */
  assert_rows(db, "100\n", "SELECT pid FROM processes WHERE pid = '100'");
  assert_rows(db, "", "SELECT pid FROM processes WHERE pid = 'abc'");
  assert_rows(db, "", "SELECT pid FROM processes WHERE pid = 999");
  pn_close(db);
}

/* ORDER BY pid must sort. Listing a directory gives its entries in the
 * file system's order, which for anything but procfs (this fixture, a copied
 * tree) is not pid order, so the table must not tell SQLite that its scans
 * come out sorted (orderByConsumed). */
static void processes_order_by_pid(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db, "1\n2\n100\n200\n201\n300\n301\n400\n",
              "SELECT pid FROM processes ORDER BY pid");
  pn_close(db);
}

/* ---- laziness --------------------------------------------------------------- */

static void processes_reads_only_what_is_used(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int64_t f0 = pn_stat(db, "files_read");
  int64_t l0 = pn_stat(db, "links_read");
  assert_rows(db,
              "1|systemd\n2|kthreadd\n100|a) (b\n200|nginx\n201|nginx\n"
              "300|curl\n301|sh\n400|java\n",
              "SELECT pid, name FROM processes ORDER BY pid");
  /* One file per process (stat): no status, no cmdline, no links. */
  assert_int_equal(pn_stat(db, "files_read") - f0, NPROC);
  assert_int_equal(pn_stat(db, "links_read") - l0, 0);

  /* uid needs status and only status. */
  f0 = pn_stat(db, "files_read");
  assert_rows(db, "100|1000\n", "SELECT pid, uid FROM processes WHERE pid = 100");
  assert_int_equal(pn_stat(db, "files_read") - f0, 1);

  /* pid = X alone opens X's directory and reads no file at all, and the
   * root is not listed. */
  f0 = pn_stat(db, "files_read");
  int64_t d0 = pn_stat(db, "dirs_listed");
  assert_rows(db, "100\n", "SELECT pid FROM processes WHERE pid = 100");
  assert_int_equal(pn_stat(db, "files_read") - f0, 0);
  assert_int_equal(pn_stat(db, "dirs_listed") - d0, 0);

  /* name of one process: its stat, nothing else. */
  f0 = pn_stat(db, "files_read");
  d0 = pn_stat(db, "dirs_listed");
  assert_rows(db, "a) (b\n", "SELECT name FROM processes WHERE pid = 100");
  assert_int_equal(pn_stat(db, "files_read") - f0, 1);
  assert_int_equal(pn_stat(db, "dirs_listed") - d0, 0);

  /* start_time needs the root's stat (btime) once, plus one stat each. */
  f0 = pn_stat(db, "files_read");
  assert_int_equal(pn_int(db, "SELECT count(start_time) FROM processes"), NPROC);
  assert_int_equal(pn_stat(db, "files_read") - f0, NPROC + 1);
  pn_close(db);
}

/* The cursors of one statement share what they loaded: joined three times,
 * each process's stat is read once, and a cursor that wants more reads
 * only that (status); the next statement reads afresh, even while an
 * earlier one is left open. */
static void processes_joined_read_once(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  const char *sql =
      "SELECT a.pid, a.name, b.ppid, c.uid FROM processes a"
      " CROSS JOIN processes b ON b.pid = a.pid"
      " CROSS JOIN processes c ON c.pid = a.pid WHERE a.pid IN (100, 200)";
  for (int round = 0; round < 2; round++) {
    int64_t f0 = pn_stat(db, "files_read");
    assert_rows(db, "100|a) (b|1|1000\n200|nginx|1|0\n", sql);
    assert_int_equal(pn_stat(db, "files_read") - f0, 2 * 2);
  }
  /* A statement left open does not answer for one begun later: only
   * cursors opened together share. */
  sqlite3_stmt *left;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT pid, state FROM processes", -1, &left, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(left), SQLITE_ROW);
  usleep(250 * 1000); /* past PN_PROC_CACHE_SHARE_MS (proc_cache.h) */
  int64_t f0 = pn_stat(db, "files_read");
  assert_rows(db, "S\n", "SELECT state FROM processes WHERE pid = 1");
  assert_int_equal(pn_stat(db, "files_read") - f0, 1);
  sqlite3_finalize(left);
  pn_close(db);
}

static void fds_pid_list_lists_only_those(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int64_t fd0 = pn_stat(db, "fd_dirs_listed");
  int64_t d0 = pn_stat(db, "dirs_listed");
  assert_rows(db, "200|0\n200|6\n200|7\n400|0\n400|5\n400|6\n",
              "SELECT pid, fd FROM fds WHERE pid IN (200, 400) ORDER BY pid, fd");
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - fd0, 2);
  assert_int_equal(pn_stat(db, "dirs_listed") - d0, 2); /* not the root */

  /* pid and fd only: no readlink, no fdinfo. */
  int64_t l0 = pn_stat(db, "links_read"), f0 = pn_stat(db, "files_read");
  assert_int_equal(pn_int(db, "SELECT count(fd) FROM fds WHERE pid = 100"), 14);
  assert_int_equal(pn_stat(db, "links_read") - l0, 0);
  assert_int_equal(pn_stat(db, "files_read") - f0, 0);
  pn_close(db);
}

/* ---- fds ------------------------------------------------------------------------ */

static void fds_every_kind_of_link(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  struct stat null_st;
  assert_int_equal(stat("/dev/null", &null_st), 0);
  /* /dev/null is resolved on this host (a real absolute path): its inode
   * comes from stat. The deleted file does not exist here, so stat fails:
   * type 'unknown', inode NULL, but path and deleted come from the link.
   * Anonymous inodes: no inode in the link text, no stat either. The mode
   * of a fixture is 'u' (symlinks are lrwxrwxrwx). */
  assert_rows_fmt(db,
      sqlite3_mprintf(
          "0|/dev/null|char|%lld|/dev/null|0|u|0|32768|5|1|3|NULL|NULL\n"
          "1|pipe:[7001]|pipe|7001|NULL|NULL|u|0|1|14|NULL|NULL|NULL|NULL\n"
          "2|pipe:[7001]|pipe|7001|NULL|NULL|u|0|1|14|NULL|NULL|NULL|NULL\n"
          "3|socket:[5001]|socket|5001|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "4|socket:[5003]|socket|5003|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "5|anon_inode:[eventfd]|anon_inode|NULL|NULL|NULL|u|0|526338|15|NULL|NULL|NULL|NULL\n"
          "6|anon_inode:inotify|anon_inode|NULL|NULL|NULL|u|0|526336|15|NULL|NULL|NULL|NULL\n"
          "7|/tmp/app cache (deleted)|unknown|NULL|/tmp/app cache|1|u|4096|32770|26|NULL|NULL|NULL|NULL\n"
          "8|socket:[5010]|socket|5010|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "9|socket:[5011]|socket|5011|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "10|socket:[5013]|socket|5013|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "11|socket:[5014]|socket|5014|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "12|socket:[5006]|socket|5006|NULL|NULL|u|0|524290|8|NULL|NULL|NULL|NULL\n"
          "14|net:[" NS2 "]|net|" NS2 "|NULL|NULL|u|0|32768|4|NULL|NULL|NULL|NULL\n",
          (long long)null_st.st_ino),
      "SELECT fd, target, type, inode, path, deleted, mode, pos, flags, mnt_id,"
      " rdev_major, rdev_minor, size, error FROM fds WHERE pid = 100 ORDER BY fd");
  assert_rows(db, "201|8|anon_inode:[eventpoll]|anon_inode\n",
              "SELECT pid, fd, target, type FROM fds WHERE pid = 201 AND fd = 8");
  /* A process without descriptors (kernel thread, zombie) has no rows. */
  assert_rows(db, "", "SELECT * FROM fds WHERE pid IN (2, 301)");
  pn_close(db);
}

/* The link count: a stat's, and 1 for sockets and pipes without one (the
 * fixture's pipe links lead nowhere); none where the stat fails. */
static void fds_nlink(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  struct stat null_st;
  assert_int_equal(stat("/dev/null", &null_st), 0);
  assert_rows_fmt(db, sqlite3_mprintf("0|%lld\n1|1\n3|1\n5|NULL\n7|NULL\n14|NULL\n",
                                      (long long)null_st.st_nlink),
                  "SELECT fd, nlink FROM fds WHERE pid = 100 AND fd IN (0, 1, 3, 5, 7, 14)"
                  " ORDER BY fd");
  pn_close(db);
}

/* pid and fd: that descriptor alone, its link read (or its fdinfo), no
 * directory listed; one that is not there has no row. */
static void fds_lookup_by_fd(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int64_t fd0 = pn_stat(db, "fd_dirs_listed"), l0 = pn_stat(db, "links_read");
  assert_rows(db, "100|7|/tmp/app cache (deleted)|32770\n",
              "SELECT pid, fd, target, flags FROM fds WHERE pid = 100 AND fd = 7");
  assert_int_equal(pn_stat(db, "fd_dirs_listed") - fd0, 0);
  assert_int_equal(pn_stat(db, "links_read") - l0, 1);
  assert_rows(db, "", "SELECT fd FROM fds WHERE pid = 100 AND fd = 13");
  assert_rows(db, "", "SELECT fd FROM fds WHERE pid = 2 AND fd = 0");
  assert_rows(db, "", "SELECT fd FROM fds WHERE pid = 100 AND fd = -1");
  assert_rows(db, "", "SELECT fd FROM fds WHERE pid = 100 AND fd = 'x'");
  assert_rows(db, "", "SELECT fd FROM fds WHERE pid = 100 AND fd = 4294967296");
  assert_rows(db, "100|2\n", "SELECT pid, fd FROM fds WHERE pid = 100 AND fd = '2'");
  assert_rows(db, "100|0\n100|6\n200|0\n200|6\n",
              "SELECT pid, fd FROM fds WHERE pid IN (100, 200, 301) AND fd IN (0, 6)"
              " ORDER BY pid, fd");
  assert_rows(db, "0|32768\n5|526338\n",
              "SELECT fdnum, (SELECT x.flags FROM fds x WHERE x.pid = f.pid AND x.fd = f.fdnum)"
              " FROM (SELECT 100 AS pid, 0 AS fdnum UNION ALL SELECT 100, 5) AS f");
  /* Only fdinfo's columns (procnet lsof -F G joins each row so): fdinfo
   * alone tells whether the descriptor is there, no link is read. */
  l0 = pn_stat(db, "links_read");
  assert_rows(db, "0|32768\n5|526338\n13|NULL\n0|NULL\n",
              "SELECT l.fdnum, x.flags FROM (SELECT 100 AS pid, 0 AS fdnum UNION ALL"
              " SELECT 100, 5 UNION ALL SELECT 100, 13 UNION ALL SELECT 2, 0) AS l"
              " LEFT JOIN fds x ON x.pid = l.pid AND x.fd = l.fdnum");
  assert_rows(db, "", "SELECT flags FROM fds WHERE pid = 100 AND fd = 13");
  assert_int_equal(pn_stat(db, "links_read") - l0, 0);
  /* No column read at all: the link alone says it is there, no fdinfo. */
  int64_t f0 = pn_stat(db, "files_read");
  l0 = pn_stat(db, "links_read");
  assert_rows(db, "0\n", "SELECT fd FROM fds WHERE pid = 100 AND fd = 0");
  assert_int_equal(pn_stat(db, "files_read") - f0, 0);
  assert_int_equal(pn_stat(db, "links_read") - l0, 1);
  pn_close(db);
}

static void fds_by_inode(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  /* A socket shared after fork shows both holders. */
  assert_rows(db, "200|6|socket\n201|6|socket\n",
              "SELECT pid, fd, type FROM fds WHERE inode = 5002 ORDER BY pid");
  assert_rows(db, "100|1\n100|2\n300|0\n",
              "SELECT pid, fd FROM fds WHERE inode = 7001 ORDER BY pid, fd");
  assert_rows(db, "1|4|socket:[4294967302]\n",
              "SELECT pid, fd, target FROM fds WHERE inode = 4294967302");
  /* A file's inode is found by stat (every holder of /dev/null). */
  struct stat null_st;
  assert_int_equal(stat("/dev/null", &null_st), 0);
  assert_rows(db, "1|0\n100|0\n200|0\n400|0\n",
              "SELECT pid, fd FROM fds WHERE inode = %lld ORDER BY pid",
              (long long)null_st.st_ino);
  assert_rows(db, "", "SELECT pid, fd FROM fds WHERE inode = 0");
  assert_rows(db, "", "SELECT pid, fd FROM fds WHERE inode = 'x'");
  /* pid and inode together. */
  assert_rows(db, "201|7\n", "SELECT pid, fd FROM fds WHERE pid = 201 AND inode = 5007");
  /* Every holder listed once in a full scan too. */
  assert_rows(db, "5002|2\n5007|2\n7001|3\n",
              "SELECT inode, count(*) FROM fds WHERE type IN ('socket', 'pipe')"
              " GROUP BY inode HAVING count(*) > 1 ORDER BY inode");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM fds"), 34);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(processes_every_column),
      cmocka_unit_test(processes_kernel_thread_and_zombie),
      cmocka_unit_test(processes_full_scan),
      cmocka_unit_test(processes_order_by_pid),
      cmocka_unit_test(processes_reads_only_what_is_used),
      cmocka_unit_test(processes_joined_read_once),
      cmocka_unit_test(fds_pid_list_lists_only_those),
      cmocka_unit_test(fds_every_kind_of_link),
      cmocka_unit_test(fds_by_inode),
      cmocka_unit_test(fds_nlink),
      cmocka_unit_test(fds_lookup_by_fd),
  };
  return cmocka_run_group_tests_name("fixture", tests, NULL, NULL);
}
