/*
 * embed.c: procnet inside your own program. Link SQLite and
 * build/libprocnet.a (compiled with -DSQLITE_CORE), register the tables for
 * every connection with sqlite3_auto_extension, then query /proc with SQL.
 *
 *   cc -Iinclude -o embed examples/embed.c build/libprocnet.a -lsqlite3
 *   ./embed                      # who listens on which TCP port
 *   ./embed "SELECT count(*) FROM processes"
 */
#include <stdio.h>

#include <sqlite3.h>

#include "procnet.h"

static const char default_sql[] =
    "SELECT p.pid, p.name, t.local_address || ':' || t.local_port AS local, t.netns"
    " FROM net_tcp AS t JOIN fds AS f USING (inode) JOIN processes AS p USING (pid)"
    " WHERE t.state = 'LISTEN' ORDER BY p.pid, t.local_port";

int main(int argc, char **argv) {
  const char *sql = argc > 1 ? argv[1] : default_sql;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  /* Every connection opened from now on has procnet's tables. */
  if (sqlite3_auto_extension((void (*)(void))sqlite3_procnet_init) != SQLITE_OK) {
    fprintf(stderr, "embed: sqlite3_auto_extension failed\n");
    return 1;
  }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
    fprintf(stderr, "embed: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return 1;
  }
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "embed: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const unsigned char *v = sqlite3_column_text(st, i);
      printf("%s%s", i ? "|" : "", v ? (const char *)v : "NULL");
    }
    putchar('\n');
  }
  if (rc != SQLITE_DONE) fprintf(stderr, "embed: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc == SQLITE_DONE ? 0 : 1;
}
