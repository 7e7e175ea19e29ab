/*
 * func_inet.h: SQL functions over the text addresses the socket tables
 * give (127.0.0.1, ::1, ::ffff:10.0.0.1).
 */
#ifndef PROCNET_FUNC_INET_H
#define PROCNET_FUNC_INET_H

#include "sqlite3ext.h"

/* Registers procnet_addr_match(address, prefix) on db. */
int pn_register_inet_functions(sqlite3 *db);

#endif
