/*
 * lsof_names.h: SQL functions that print a socket's NAME as lsof does,
 * for the lsof views (see lsof_names.c).
 */
#ifndef PROCNET_LSOF_NAMES_H
#define PROCNET_LSOF_NAMES_H

#include "sqlite3ext.h"

/* Registers procnet_lsof_inet_name(), procnet_lsof_raw_name() and
 * procnet_lsof_type(). */
int pn_register_lsof_names(sqlite3 *db);

#endif
