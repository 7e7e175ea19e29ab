/*
 * db.c: the command's connection. An in-memory database with procnet linked
 * in (SQLITE_CORE), so the executable needs nothing but /proc.
 */
#include "cli.h"

#include <string.h>

#include "procnet.h"

static int exec1(sqlite3 *db, const char *sql, const char *bind) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK && bind)
    rc = sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

sqlite3 *cli_db_open(const cli_opts *o, int setup) {
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      NULL) != SQLITE_OK) {
    cli_error("cannot open a database: %s", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return NULL;
  }
  if (procnet_register(db, &err) != SQLITE_OK) {
    cli_error("%s", err ? err : "cannot register the procnet tables");
    sqlite3_free(err);
    sqlite3_close(db);
    return NULL;
  }
  /* Sorting spills to temporary files otherwise; an empty root has no /tmp. */
  if (exec1(db, "PRAGMA temp_store = MEMORY", NULL) != SQLITE_OK) goto fail;
  if (setup == CLI_DB_BARE) return db;
  if (o->root && exec1(db, "SELECT procnet_root(?)", o->root) != SQLITE_OK) goto fail;
  if (o->host_root && exec1(db, "SELECT procnet_host_root(?)", o->host_root) != SQLITE_OK)
    goto fail;
  if (setup == CLI_DB_VIEWS && cli_db_views(db, NULL) != CLI_OK) {
    sqlite3_close(db);
    return NULL;
  }
  return db;
fail:
  cli_error("%s", sqlite3_errmsg(db));
  sqlite3_close(db);
  return NULL;
}

int cli_db_views(sqlite3 *db, const char *tool) {
  int rc = tool ? exec1(db, "SELECT procnet_create_views(?)", tool)
                : exec1(db, "SELECT procnet_create_views()", NULL);
  return rc == SQLITE_OK ? CLI_OK : cli_error("%s", sqlite3_errmsg(db));
}

int cli_hold_sockets(sqlite3 *db, int on) {
  if (exec1(db, on ? "SELECT procnet_hold_sockets(1)" : "SELECT procnet_hold_sockets(0)",
            NULL) == SQLITE_OK)
    return CLI_OK;
  return cli_error("%s", sqlite3_errmsg(db));
}

void cli_db_close(sqlite3 *db) { sqlite3_close(db); }

int cli_netns_inode(sqlite3 *db, const cli_opts *o, sqlite3_int64 *ino) {
  if (o->ns == CLI_NS_INODE) {
    *ino = o->ns_inode;
    return CLI_OK;
  }
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, "SELECT procnet_netns()", -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
    *ino = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return CLI_OK;
  }
  if (rc == SQLITE_ROW)
    cli_error("--netns self: this process's network namespace cannot be read"
              " (self/ns/net under the proc root)");
  else
    cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return CLI_ERR;
}

int cli_view_exists(sqlite3 *db, const char *view) {
  sqlite3_stmt *st = NULL;
  int found = 0;
  if (sqlite3_prepare_v2(db,
                         "SELECT 1 FROM temp.sqlite_schema"
                         " WHERE type = 'view' AND name = ?",
                         -1, &st, NULL) == SQLITE_OK &&
      sqlite3_bind_text(st, 1, view, -1, SQLITE_STATIC) == SQLITE_OK)
    found = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return found;
}


char *cli_proc_root(sqlite3 *db) {
  sqlite3_stmt *st = cli_prepare(db, "SELECT procnet_root()", NULL);
  char *root = NULL;
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    root = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
  if (st && !root) cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return root;
}
