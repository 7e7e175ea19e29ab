/*
 * func_lsof.h: SQL functions that print a socket's TYPE, NODE and NAME and
 * a file's TYPE as lsof does, for the lsof views (see func_lsof.c).
 */
#ifndef PROCNET_FUNC_LSOF_H
#define PROCNET_FUNC_LSOF_H

#include "sqlite3ext.h"

/* Registers procnet_lsof_inet_name(), procnet_lsof_raw_name(),
 * procnet_lsof_type(), procnet_lsof_sock_type(), procnet_lsof_ethertype()
 * and procnet_lsof_netlink_name(). */
int pn_register_lsof_functions(sqlite3 *db);

#endif
