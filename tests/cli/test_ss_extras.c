/*
 * test_ss_extras.c: sock_diag's hidden record column (the row through
 * SQLite's pointer interface, sockcol.h) and procnet_ss_extras, which
 * reads it (ext/cli/ss_extras.c), on sockets of the test's own:
 *  - SQL sees the record as NULL;
 *  - every field read through the record is the column's value;
 *  - procnet_ss_extras refuses what is not a record, and prints nothing
 *    for a NULL one or a pointer of another type;
 *  - two cursors at once each hand over their own row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* the library's table list and fields, as the library itself reads them */
#define SQLITE_CORE 1
#include "netscan.h"
#include "sockcol.h"
#include "tables.h"

#include "procnet.h"
#include "ss.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A listener, and a connection to it: both ends. */
typedef struct scene {
  int fd[3];
  long long ino[3];
  char inodes[96];          /* "i1, i2, i3" */
} scene;

static long long inode_of(int fd) {
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  return (long long)st.st_ino;
}

static void scene_open(scene *s) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  s->fd[0] = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->fd[0] >= 0);
  assert_int_equal(bind(s->fd[0], (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(s->fd[0], 4), 0);
  assert_int_equal(getsockname(s->fd[0], (struct sockaddr *)&a, &len), 0);
  s->fd[1] = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->fd[1] >= 0);
  assert_int_equal(connect(s->fd[1], (struct sockaddr *)&a, sizeof a), 0);
  s->fd[2] = accept(s->fd[0], NULL, NULL);
  assert_true(s->fd[2] >= 0);
  for (int i = 0; i < 3; i++) s->ino[i] = inode_of(s->fd[i]);
  snprintf(s->inodes, sizeof s->inodes, "%lld, %lld, %lld", s->ino[0], s->ino[1], s->ino[2]);
}

static void scene_close(scene *s) {
  for (int i = 0; i < 3; i++) close(s->fd[i]);
}

/* field_value(record, FIELD): pn_sock_value's value, as SQL. */
static void fn_field_value(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const pn_sockrow *r = sqlite3_value_pointer(argv[0], PN_SOCKROW_POINTER);
  if (!r) return;
  pn_value v;
  if (pn_sock_value(r, (pn_field)sqlite3_value_int(argv[1]), &v) != SQLITE_OK) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  switch (v.type) {
  case SQLITE_INTEGER: sqlite3_result_int64(ctx, v.i); break;
  case SQLITE_FLOAT: sqlite3_result_double(ctx, v.d); break;
  case SQLITE_TEXT:
    sqlite3_result_text64(ctx, v.text, v.n, SQLITE_TRANSIENT, SQLITE_UTF8);
    break;
  default: break;
  }
  pn_value_clear(&v);
}

/* other_pointer(): a pointer of another type than a record. */
static void fn_other_pointer(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  static int thing;
  sqlite3_result_pointer(ctx, &thing, "not_a_sockrow", NULL);
}

static sqlite3 *open_db(void) {
  sqlite3 *db = NULL;
  char *err = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  if (procnet_register(db, &err) != SQLITE_OK) fail_msg("%s", err);
  assert_int_equal(cli_ss_extras_register(db), SQLITE_OK);
  assert_int_equal(sqlite3_create_function(db, "field_value", 2, SQLITE_UTF8, NULL,
                                           fn_field_value, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_create_function(db, "other_pointer", 0, SQLITE_UTF8, NULL,
                                           fn_other_pointer, NULL, NULL),
                   SQLITE_OK);
  return db;
}

/* The single integer sql gives (its first column of its first row). */
static long long one_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  if (sqlite3_step(st) != SQLITE_ROW) fail_msg("%s: no row (%s)", sql, sqlite3_errmsg(db));
  long long v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* The error message sql ends with, or NULL when it runs. */
static char *error_of(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK) return NULL;
  return err;
}

static void record_is_null_to_sql(void **state) {
  (void)state;
  scene s;
  scene_open(&s);
  sqlite3 *db = open_db();
  char q[512];
  snprintf(q, sizeof q,
           "SELECT count(*) * 10 + count(record) FROM sock_diag"
           " WHERE kind = 'tcp' AND inode IN (%s) AND typeof(record) = 'null'",
           s.inodes);
  assert_int_equal(one_int(db, q), 30);
  sqlite3_close(db);
  scene_close(&s);
}

/* Every field of sock_diag, read through the record, against its column,
 * for the three sockets. */
static void fields_equal_columns(void **state) {
  (void)state;
  scene s;
  scene_open(&s);
  sqlite3 *db = open_db();
  sqlite3_stmt *names;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_xinfo('sock_diag')"
                                          " ORDER BY cid",
                                      -1, &names, NULL),
                   SQLITE_OK);
  int checked = 0;
  for (int col = 0; sqlite3_step(names) == SQLITE_ROW; col++) {
    assert_true(col < pn_table_sock_diag.ncols);
    pn_field f = (pn_field)pn_table_sock_diag.fields[col];
    if (f == PN_F_NS_PID || f == PN_F_NETNS || f == PN_F_RECORD) continue;
    char q[512];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM sock_diag WHERE inode IN (%s)"
             " AND field_value(record, %d) IS \"%s\"",
             s.inodes, (int)f, (const char *)sqlite3_column_text(names, 0));
    if (one_int(db, q) != 3) fail_msg("field %d (%s) differs", (int)f, sqlite3_column_text(names, 0));
    checked++;
  }
  sqlite3_finalize(names);
  assert_true(checked > 100);
  sqlite3_close(db);
  scene_close(&s);
}

static void extras_refuse_other_values(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char *err = error_of(db, "SELECT procnet_ss_extras(2, 'x')");
  assert_non_null(err);
  assert_non_null(strstr(err, "record column"));
  sqlite3_free(err);
  err = error_of(db, "SELECT procnet_ss_extras(2, 42)");
  assert_non_null(err);
  sqlite3_free(err);
  err = error_of(db, "SELECT procnet_ss_extras('e', NULL)");
  assert_non_null(err);
  assert_non_null(strstr(err, "FLAGS"));
  sqlite3_free(err);
  /* nothing to print: no sock_diag row, or no record */
  assert_int_equal(one_int(db, "SELECT procnet_ss_extras(15, NULL) = ''"), 1);
  assert_int_equal(one_int(db, "SELECT procnet_ss_extras(15, other_pointer()) = ''"), 1);
  sqlite3_close(db);
}

/* Two cursors of sock_diag at once, each handing over its own row: -e
 * prints the socket's inode. */
static void two_cursors_their_own_rows(void **state) {
  (void)state;
  scene s;
  scene_open(&s);
  sqlite3 *db = open_db();
  char q[1024];
  snprintf(q, sizeof q,
           "SELECT count(*) FROM sock_diag AS a JOIN sock_diag AS b"
           " ON b.kind = a.kind AND b.inode <> a.inode"
           " WHERE a.kind = 'tcp' AND a.inode IN (%s) AND b.inode IN (%s)"
           " AND instr(procnet_ss_extras(%d, a.record), ' ino:' || a.inode || ' ') > 0"
           " AND instr(procnet_ss_extras(%d, b.record), ' ino:' || b.inode || ' ') > 0",
           s.inodes, s.inodes, SS_X_DETAILS, SS_X_DETAILS);
  assert_int_equal(one_int(db, q), 6);
  /* and an IP socket's internals, through either */
  snprintf(q, sizeof q,
           "SELECT count(*) FROM sock_diag AS a JOIN sock_diag AS b"
           " ON b.kind = a.kind AND b.inode = a.inode"
           " WHERE a.kind = 'tcp' AND a.inode IN (%s)"
           " AND procnet_ss_extras(%d, a.record) = procnet_ss_extras(%d, b.record)"
           " AND procnet_ss_extras(%d, a.record) LIKE '%%cwnd:%%'",
           s.inodes, SS_X_INFO | SS_X_ONELINE, SS_X_INFO | SS_X_ONELINE,
           SS_X_INFO | SS_X_ONELINE);
  assert_int_equal(one_int(db, q), 3);
  sqlite3_close(db);
  scene_close(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(record_is_null_to_sql),
      cmocka_unit_test(fields_equal_columns),
      cmocka_unit_test(extras_refuse_other_values),
      cmocka_unit_test(two_cursors_their_own_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
