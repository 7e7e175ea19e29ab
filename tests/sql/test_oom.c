/*
 * test_oom.c: out of memory at every allocation.
 *
 * An allocator installed with SQLITE_CONFIG_MALLOC fails the k-th allocation
 * (and every later one, as a real exhausted heap does). For every k, a fresh
 * connection registers procnet and runs a full join over the fixture tree.
 * Each run must end with the right answer or SQLITE_NOMEM, never a crash,
 * and with every byte given back (the allocator's own count).
 */
#include "pn_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procnet.h"

/* ---- the failing allocator --------------------------------------------- */

typedef struct oom_state {
  sqlite3_mem_methods real;
  long long countdown;      /* allocations left before failing; <0: never */
  long long outstanding;    /* live allocations */
} oom_state;
static oom_state oom; /* test-only global: SQLite's allocator hooks take none */

static void *oom_malloc(int n) {
  if (oom.countdown == 0) return NULL;
  if (oom.countdown > 0) oom.countdown--;
  void *p = oom.real.xMalloc(n);
  if (p) oom.outstanding++;
  return p;
}

static void oom_free(void *p) {
  if (p) oom.outstanding--;
  oom.real.xFree(p);
}

static void *oom_realloc(void *p, int n) {
  if (!p) return oom_malloc(n);
  if (oom.countdown == 0) return NULL;
  if (oom.countdown > 0) oom.countdown--;
  return oom.real.xRealloc(p, n);
}

static int oom_size(void *p) { return oom.real.xSize(p); }
static int oom_roundup(int n) { return oom.real.xRoundup(n); }
static int oom_init(void *a) { return oom.real.xInit(a); }
static void oom_shutdown(void *a) { oom.real.xShutdown(a); }

static int install_allocator(void **state) {
  (void)state;
  sqlite3_mem_methods m;
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &oom.real) != SQLITE_OK) return -1;
  m = oom.real;
  m.xMalloc = oom_malloc;
  m.xFree = oom_free;
  m.xRealloc = oom_realloc;
  m.xSize = oom_size;
  m.xRoundup = oom_roundup;
  m.xInit = oom_init;
  m.xShutdown = oom_shutdown;
  oom.countdown = -1;
  /* No lookaside: every allocation goes through the hooks. */
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) return -1;
  if (sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0) != SQLITE_OK) return -1;
  return sqlite3_initialize() == SQLITE_OK ? 0 : -1;
}

/* ---- one run ------------------------------------------------------------- */

static const char JOIN_SQL[] =
    "SELECT p.pid, p.name, p.cmdline, f.fd, f.type, t.local_address,"
    " t.local_port, t.state, t.netns"
    " FROM net_tcp t JOIN fds f USING (inode) JOIN processes p USING (pid)"
    " ORDER BY 1, 4";
static const char UNIX_SQL[] =
    "SELECT f.pid, f.fd, u.path, u.state FROM fds f JOIN net_unix u USING (inode)"
    " ORDER BY 1, 2";

/* Name constraints: an IN list taken whole, a second constraint, a pid
 * list before them in argv. */
static const char KINDS_SQL[] =
    "SELECT s.kind, s.inode, f.kind FROM sockets s, process_files f"
    " WHERE s.ns_pid IN (100, 400) AND s.kind IN ('tcp', 'unix') AND s.kind <> 'udp'"
    " AND s.kind = 'tcp' AND f.pid IN (100, 200) AND f.kind IN ('cwd', 'txt')"
    " AND f.kind = 'txt' ORDER BY 1, 2, 3";

/* Holders looked up per socket while a stat-tier lookup runs alongside. */
static const char HOLDERS_SQL[] =
    "SELECT t.inode, sh.holders, sh.pid, sh.fd,"
    " (SELECT count(*) FROM fds f WHERE f.inode = 3)"
    " FROM net_tcp t LEFT JOIN socket_holders sh ON sh.inode = t.inode ORDER BY 1";

/* What the lsof views read of each process and thread of the fixture tree
 * (300 has a thread with files of its own and a zombie one): directories,
 * maps with their stats, locks, the descriptors' fdinfo names and
 * protocols, and lsof's socket names. */
static const char LSOF_SQL[] =
    "SELECT f.pid, f.tid, f.taskcmd, f.kind, f.path, f.type, f.lock FROM process_files f"
    " WHERE f.tasks = 1"
    " UNION ALL SELECT m.pid, m.tid, m.taskcmd, m.first_mapping, m.exe, m.file_type,"
    " m.file_size || m.file_error || m.lock FROM process_maps m WHERE m.tasks = 1"
    " UNION ALL SELECT d.pid, d.tid, d.taskcmd, d.fd, d.type,"
    " d.mode || d.lock || d.eventfd_id || d.pidfd_pid || d.epoll_fds, d.sock_protocol"
    " FROM fds d WHERE d.tasks = 1"
    " UNION ALL SELECT inode, procnet_lsof_type('dir'),"
    " procnet_lsof_inet_name(kind, family, local_address, local_port, remote_address,"
    " remote_port, state), procnet_lsof_raw_name(family, local_address, local_port,"
    " remote_address, remote_port, state), 0, 0, 0 FROM sockets"
    " WHERE kind IN ('tcp', 'raw')";

/* Each descriptor's socket looked up by inode (the index of every
 * namespace's records) with lsof's names, the sockets held for the next
 * statement and let go when the connection closes. */
static const char LOOKUP_SQL[] =
    "SELECT procnet_hold_sockets(1), f.pid, f.fd, s.kind, s.address,"
    " procnet_lsof_sock_type(s.kind, s.family), procnet_lsof_netlink_name(s.protocol),"
    " procnet_lsof_ethertype(s.protocol)"
    " FROM fds f LEFT JOIN sockets s ON s.inode = f.inode ORDER BY 2, 3";

/* A thread of this process that shares its descriptors: its rows are the
 * process's, saved and given again. */
static const char SELF_TASKS_SQL[] =
    "SELECT fd, tid IS NULL, type, mode, lock FROM fds WHERE pid = %d AND tasks = 1"
    " AND (fd < 3 OR type <> 'other')";

/* Runs sql on a fresh connection; returns the SQLite result code and the
 * rows (malloc'd, not through SQLite) in *out on success. */
static int run_once(const char *root, const char *sql, char **out) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char *err = NULL;
  int rc = sqlite3_open(":memory:", &db);
  if (rc == SQLITE_OK) rc = procnet_register(db, &err);
  sqlite3_free(err);
  if (rc == SQLITE_OK) {
    char *set = sqlite3_mprintf("SELECT procnet_root(%Q)", root);
    rc = set ? sqlite3_exec(db, set, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(set);
  }
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  size_t len = 0;
  char *text = NULL;
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    rc = SQLITE_OK;
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const char *v = (const char *)sqlite3_column_text(st, i);
      if (!v && sqlite3_column_type(st, i) != SQLITE_NULL) {
        rc = SQLITE_NOMEM;
        break;
      }
      size_t n = v ? strlen(v) : 4;
      char *grown = realloc(text, len + n + 2);
      assert_non_null(grown);
      text = grown;
      memcpy(text + len, v ? v : "NULL", n);
      len += n;
      text[len++] = '|';
      text[len] = 0;
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc == SQLITE_OK) *out = text ? text : strdup("");
  else free(text);
  return rc;
}

static void every_allocation_fails_cleanly_in(const char *root, const char *sql) {
  char *expected = NULL;
  oom.countdown = -1;
  assert_int_equal(run_once(root, sql, &expected), SQLITE_OK);
  assert_true(strlen(expected) > 0);
  int k, nomem = 0;
  for (k = 0;; k++) {
    char *got = NULL;
    oom.outstanding = 0;
    oom.countdown = k;
    int rc = run_once(root, sql, &got);
    oom.countdown = -1;
    if (oom.outstanding != 0)
      fail_msg("k=%d: %lld allocations leaked", k, oom.outstanding);
    if (rc == SQLITE_OK) {
      assert_string_equal(got, expected);
      free(got);
      break;
    }
    if (rc != SQLITE_NOMEM) fail_msg("k=%d: rc=%d, not SQLITE_NOMEM", k, rc);
    nomem++;
  }
  print_message("  %d failure points, all SQLITE_NOMEM, no leak; ok at k=%d\n",
                nomem, k);
  assert_true(nomem > 50); /* the test did reach procnet's own allocations */
  free(expected);
}

static void every_allocation_fails_cleanly(const char *sql) {
  every_allocation_fails_cleanly_in(pn_fixture("proc"), sql);
}

static void oom_in_tcp_join(void **state) {
  (void)state;
  every_allocation_fails_cleanly(JOIN_SQL);
}

static void oom_in_unix_join(void **state) {
  (void)state;
  every_allocation_fails_cleanly(UNIX_SQL);
}

static void oom_in_holder_lookups(void **state) {
  (void)state;
  every_allocation_fails_cleanly(HOLDERS_SQL);
}

static void oom_in_name_constraints(void **state) {
  (void)state;
  every_allocation_fails_cleanly(KINDS_SQL);
}

static void oom_in_lsof_tasks(void **state) {
  (void)state;
  every_allocation_fails_cleanly(LSOF_SQL);
}

static void oom_in_socket_lookups(void **state) {
  (void)state;
  every_allocation_fails_cleanly(LOOKUP_SQL);
}

static void *sleep_forever(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

static void oom_in_shared_thread_rows(void **state) {
  (void)state;
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, sleep_forever, NULL), 0);
  char sql[256];
  snprintf(sql, sizeof sql, SELF_TASKS_SQL, (int)getpid());
  every_allocation_fails_cleanly_in("/proc", sql);
  pthread_cancel(t);
  pthread_join(t, NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(oom_in_tcp_join),
      cmocka_unit_test(oom_in_unix_join),
      cmocka_unit_test(oom_in_name_constraints),
      cmocka_unit_test(oom_in_holder_lookups),
      cmocka_unit_test(oom_in_lsof_tasks),
      cmocka_unit_test(oom_in_socket_lookups),
      cmocka_unit_test(oom_in_shared_thread_rows),
  };
  return cmocka_run_group_tests_name("oom", tests, install_allocator, NULL);
}
