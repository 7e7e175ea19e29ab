/*
 * procnet.h: register procnet's tables and functions on a connection.
 *
 * Loadable use needs no header: `.load build/procnet` in the sqlite3 shell,
 * or sqlite3_load_extension(db, "build/procnet", NULL, &err).
 *
 * Static use: link build/libprocnet.a (built with -DSQLITE_CORE) and either
 *   procnet_register(db);                       // one connection
 *   sqlite3_auto_extension((void (*)(void))sqlite3_procnet_init);  // all
 */
#ifndef PROCNET_H
#define PROCNET_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROCNET_VERSION "0.1.0"

/* Registers every table and function on db. Returns SQLITE_OK or an error
 * code; *err (if err is not NULL) then holds a sqlite3_malloc'd message. */
int procnet_register(sqlite3 *db, char **err);

/* The extension entry point (also usable with sqlite3_auto_extension). */
int sqlite3_procnet_init(sqlite3 *db, char **err,
                         const struct sqlite3_api_routines *api);

#ifdef __cplusplus
}
#endif
#endif
