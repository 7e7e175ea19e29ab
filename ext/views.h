/*
 * views.h: the views of sql/views.sql, compiled into the extension: all of
 * them, or one tool's (procnet_create_views()).
 */
#ifndef PROCNET_VIEWS_H
#define PROCNET_VIEWS_H

#include "sqlite3ext.h"

/* Creates the TEMP views of sql/views.sql (IF NOT EXISTS: again is
 * harmless): every one when family is NULL, else those of one tool: named
 * `family` or `family_*`, and their helpers `procnet_family_*` (for
 * 'lsof': lsof, lsof_tasks, lsof_i, lsof_u, lsof_endpoints and lsof_e; for
 * 'ss': ss and procnet_ss_sockets). A tool's views read no view of another
 * tool (tests/sql/test_views_extra.c checks it). *made: how many CREATE
 * statements ran. SQLITE_OK, or SQLite's error with *err set (sqlite3_free
 * it). */
int pn_create_views(sqlite3 *db, const char *family, int *made, char **err);

#endif
