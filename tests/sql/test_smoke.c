/*
 * test_smoke.c: the extension registers, reads the live /proc, and rejects
 * what it must reject.
 */
#include "pn_test.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void finds_itself(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM processes WHERE pid = %d", getpid()), 1);
  assert_int_equal(pn_int(db, "SELECT ppid FROM processes WHERE pid = %d", getpid()), getppid());
  pn_close(db);
}

/* cwd, rtd and txt as lsof shows them: path, type, inode, size. */
static void process_files_of_itself(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  char cwd[PATH_MAX], exe[PATH_MAX];
  struct stat cst, est;
  assert_non_null(getcwd(cwd, sizeof cwd));
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  assert_true(n > 0);
  exe[n] = 0;
  assert_int_equal(stat(cwd, &cst), 0);
  assert_int_equal(stat(exe, &est), 0);
  struct stat rst;
  assert_int_equal(stat("/", &rst), 0);
  char *want = sqlite3_mprintf("cwd|%s|dir|%lld|NULL\nrtd|/|dir|%lld|NULL\n"
                         "txt|%s|file|%lld|NULL\n",
                         cwd, (long long)cst.st_ino, (long long)rst.st_ino, exe,
                         (long long)est.st_ino);
  /* Under valgrind /proc/PID/exe is valgrind's tool, while readlink of
   * /proc/self/exe is answered by valgrind with the client's path. */
  if (getenv("PN_UNDER_VALGRIND"))
    assert_rows(db, "cwd\nrtd\ntxt\n", "SELECT kind FROM process_files WHERE pid = %d",
                getpid());
  else
    assert_rows(db, want, "SELECT kind, path, type, inode, error FROM process_files"
                          " WHERE pid = %d", getpid());
  if (!getenv("PN_UNDER_VALGRIND"))
    assert_int_equal(pn_int(db, "SELECT size FROM process_files WHERE pid = %d"
                                " AND kind = 'txt'", getpid()), est.st_size);
  sqlite3_free(want);
  pn_close(db);
}

/* fdinfo's flags of one of this process's descriptors (octal there). */
static long fdinfo_flags(int fd) {
  char path[64], line[128];
  long flags = -1;
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "flags:", 6) == 0) flags = strtol(line + 6, NULL, 8);
  fclose(f);
  return flags;
}

/* Link counts (fds, process_maps, process_files and the lsof view, none
 * for a socket there) and open flags (fds, looked up from the lsof view), of a file
 * this test links twice, opens and maps, and of a socket. */
static void link_counts_and_flags_of_itself(void **state) {
  (void)state;
  char dir[] = "/tmp/pn-nlink-XXXXXX", file[64], twin[64];
  assert_non_null(mkdtemp(dir));
  snprintf(file, sizeof file, "%s/file", dir);
  snprintf(twin, sizeof twin, "%s/twin", dir);
  int fd = open(file, O_RDWR | O_CREAT | O_APPEND, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "x", 1), 1);
  assert_int_equal(link(file, twin), 0);
  void *map = mmap(NULL, 1, PROT_READ, MAP_SHARED, fd, 0);
  assert_true(map != MAP_FAILED);
  int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(sock >= 0);
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_create_views()");
  int pid = getpid();
  assert_rows_fmt(db, sqlite3_mprintf("2|%ld\n", fdinfo_flags(fd)),
                    "SELECT nlink, flags FROM fds WHERE pid = %d AND fd = %d", pid, fd);
  assert_rows(db, "2\n", "SELECT DISTINCT file_nlink FROM process_maps WHERE pid = %d"
                         " AND path = '%q'", pid, file);
  /* the flags as procnet lsof -F G looks them up */
  assert_rows_fmt(db, sqlite3_mprintf("2|%ld\nNULL|%ld\n", fdinfo_flags(fd), fdinfo_flags(sock)),
                    "SELECT l.nlink, (SELECT x.flags FROM fds x WHERE x.pid = l.pid"
                    " AND x.fd = l.fdnum) FROM lsof l"
                    " WHERE l.pid = %d AND l.fdnum IN (%d, %d) ORDER BY l.fdnum", pid, fd, sock);
  assert_rows(db, "1\n", "SELECT nlink FROM fds WHERE pid = %d AND fd = %d", pid, sock);
  assert_rows(db, "mem|2\n", "SELECT fd, nlink FROM lsof WHERE pid = %d"
                             " AND path = '%q' AND fdnum IS NULL", pid, file);
  struct stat st;
  assert_int_equal(stat(".", &st), 0);
  assert_int_equal(pn_int(db, "SELECT nlink FROM process_files WHERE pid = %d AND kind = 'cwd'",
                          pid), st.st_nlink);
  pn_close(db);
  close(sock);
  munmap(map, 1);
  close(fd);
  assert_int_equal(unlink(twin), 0);
  assert_int_equal(unlink(file), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* Links process_files reads for `WHERE pid = self AND <kinds>`, and the
 * kinds it returns. */
static int64_t links_for(sqlite3 *db, const char *kinds, char **rows) {
  int64_t n0 = pn_stat(db, "links_read");
  *rows = pn_rows(db, "SELECT kind FROM process_files WHERE pid = %d AND %s",
                  (int)getpid(), kinds);
  return pn_stat(db, "links_read") - n0;
}

/* `kind = ?` reads only that link (lsof's view asks for cwd, rtd and txt
 * one at a time), IN lists and several tests combine, and names compare
 * exactly unless the query says otherwise. */
static void process_files_reads_only_the_kind_asked(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  static const struct {
    const char *where, *rows;
    int links;
  } cases[] = {
      {"kind = 'txt'", "txt\n", 1},
      {"kind IN ('rtd', 'cwd')", "cwd\nrtd\n", 2},
      {"kind IN ('rtd', 'cwd') AND kind IN ('cwd', 'txt')", "cwd\n", 1},
      {"kind = 'nope'", "", 0},
      {"kind = NULL", "", 0},
      {"kind = 'TXT'", "", 0},
      {"kind = 'TXT' COLLATE NOCASE", "txt\n", 3},
      {"kind || '' = 'txt'", "txt\n", 3},
      {"kind = 'txt' || char(0)", "", 0},
      {"kind IN (SELECT 'TXT' COLLATE NOCASE)", "txt\n", 1},
      {"kind IN ('TXT', 'txt ')", "", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *rows;
    int64_t links = links_for(db, cases[i].where, &rows);
    if (links != cases[i].links || strcmp(rows, cases[i].rows) != 0)
      fail_msg("%s: %lld links, rows <%s>; want %d, <%s>", cases[i].where,
               (long long)links, rows, cases[i].links, cases[i].rows);
    sqlite3_free(rows);
  }
  pn_close(db);
}

/* users by uid, compared as SQLite compares an INTEGER column */
static void users_by_uid(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, "root\n", "SELECT name FROM users WHERE uid = 0");
  assert_rows(db, "root\n", "SELECT name FROM users WHERE uid = 0.0");
  assert_rows(db, "", "SELECT name FROM users WHERE uid = 0.5 OR uid = 'x'");
  pn_close(db);
}

static void tables_are_read_only(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  const char *tables[] = {"processes", "fds", "net_tcp", "net_unix", "sockets",
                          "process_files", "process_maps", "namespaces", "users",
                          "socket_holders"};
  for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
    char *err = pn_error(db, "DELETE FROM %s", tables[i]);
    assert_non_null(strstr(err, "may not be modified"));
    sqlite3_free(err);
  }
  pn_close(db);
}

static void bad_root_names_the_path(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  char *err = pn_error(db, "SELECT procnet_root('/nonexistent/proc')");
  assert_non_null(strstr(err, "/nonexistent/proc"));
  sqlite3_free(err);
  err = pn_error(db, "SELECT procnet_root('/etc')");
  assert_non_null(strstr(err, "'/etc' is not a proc tree"));
  sqlite3_free(err);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(finds_itself),
      cmocka_unit_test(process_files_of_itself),
      cmocka_unit_test(process_files_reads_only_the_kind_asked),
      cmocka_unit_test(link_counts_and_flags_of_itself),
      cmocka_unit_test(users_by_uid),
      cmocka_unit_test(tables_are_read_only),
      cmocka_unit_test(bad_root_names_the_path),
  };
  return cmocka_run_group_tests_name("smoke", tests, NULL, NULL);
}
