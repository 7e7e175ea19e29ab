/*
 * pn_test.h: helpers for the SQL-level cmocka tests (tests/sql/).
 *
 * Every helper fails the current test (cmocka's fail_msg) on an SQL error,
 * so a test body reads as the queries and the values a user would check.
 */
#ifndef PN_TEST_H
#define PN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

/* Opens an in-memory database with procnet registered. root: a /proc tree
 * (NULL keeps the default /proc). */
sqlite3 *pn_open(const char *root);
void pn_close(sqlite3 *db);

/* Absolute path of tests/fixtures/<name>, in a static buffer that the next
 * call overwrites. Tests run from the repository root. */
const char *pn_fixture(const char *name);

/* Runs a query and returns all rows as text: columns joined by '|', rows
 * ended by '\n', NULL printed as "NULL". sqlite3_free the result. */
char *pn_rows(sqlite3 *db, const char *fmt, ...);
/* The first column of the first row as an integer (fails if no row). */
int64_t pn_int(sqlite3 *db, const char *fmt, ...);
/* Runs statements, failing the test on error. */
void pn_exec(sqlite3 *db, const char *fmt, ...);
/* Runs a statement expected to fail; returns the error message
 * (sqlite3_free it). Fails the test if the statement succeeds. */
char *pn_error(sqlite3 *db, const char *fmt, ...);
/* sql's EXPLAIN QUERY PLAN, one detail per line (sqlite3_free it). */
char *pn_plan(sqlite3 *db, const char *sql);
/* A counter of procnet_stats() (files_read, fd_dirs_listed, ...). */
int64_t pn_stat(sqlite3 *db, const char *name);

/* For a forked workload child (no cmocka there): v, or exits with 2 after
 * saying which call failed when v < 0. */
int pn_must(int v, const char *what);

/* 1 when a forked test child exited with 0. Under valgrind (check-valgrind
 * sets PN_UNDER_VALGRIND) a child that _exit()s also counts with 99,
 * valgrind's --error-exitcode: memory inherited from the parent and never
 * freed by the child is reported as lost, which is not a leak of procnet. */
int pn_child_ok(int status);

/* Retry loops that wait for the kernel (a TCP state to settle, a process to
 * finish its exec) or for a quiet moment on a busy machine, bounded by time
 * rather than by a count of tries, since CI may run under valgrind on a
 * loaded machine:
 *   pn_retry r = pn_retry_for(10000, 25);
 *   while (!ok && pn_retry_again(&r)) ...
 * The first call returns 1 at once; later ones sleep pause_ms first and
 * return 0 once total_ms have passed since pn_retry_for. */
typedef struct pn_retry {
  int64_t deadline_ms, pause_ms;
  int tries;
} pn_retry;
pn_retry pn_retry_for(int total_ms, int pause_ms);
int pn_retry_again(pn_retry *r);

/* Asserts that the rows of the query equal `expected` exactly. */
#define assert_rows(db, expected, ...)                                        \
  do {                                                                        \
    char *got_ = pn_rows((db), __VA_ARGS__);                                  \
    if (strcmp(got_, (expected)) != 0) {                                      \
      print_error("query: %s\nexpected:\n%s\ngot:\n%s\n", #__VA_ARGS__,       \
                  (expected), got_);                                          \
      sqlite3_free(got_);                                                     \
      fail();                                                                 \
    }                                                                         \
    sqlite3_free(got_);                                                       \
  } while (0)

/* Asserts rows against an expected text built with sqlite3_mprintf, which
 * it frees. */
#define assert_rows_fmt(db, expected_owned, ...)                              \
  do {                                                                        \
    char *exp_ = (expected_owned);                                            \
    assert_rows((db), exp_, __VA_ARGS__);                                     \
    sqlite3_free(exp_);                                                       \
  } while (0)

#endif
