/*
 * tables.h: every table procnet registers, for procnet.c.
 */
#ifndef PROCNET_TABLES_H
#define PROCNET_TABLES_H

#include "sqlite3ext.h"

/* Per-process tables: a module and a descriptor holding the schema. */
const sqlite3_module *pn_processes_module(void);
const sqlite3_module *pn_fds_module(void);
const sqlite3_module *pn_namespaces_module(void);
const sqlite3_module *pn_process_maps_module(void);
const sqlite3_module *pn_users_module(void);
const sqlite3_module *pn_process_files_module(void);
const sqlite3_module *pn_socket_holders_module(void);
extern const char *const pn_processes_schema, *const pn_fds_schema,
    *const pn_namespaces_schema, *const pn_process_maps_schema,
    *const pn_users_schema, *const pn_process_files_schema,
    *const pn_socket_holders_schema;

/* Who talks to whom: containers, pipe ends, and per-namespace tables of
 * the kernel's (conntrack, interface addresses). */
const sqlite3_module *pn_containers_module(void);
const sqlite3_module *pn_pipes_module(void);
const sqlite3_module *pn_conntrack_module(void);
const sqlite3_module *pn_net_addresses_module(void);
const sqlite3_module *pn_inet_connections_module(void);
extern const char *const pn_containers_schema, *const pn_pipes_schema,
    *const pn_conntrack_schema, *const pn_net_addresses_schema,
    *const pn_inet_connections_schema;

/* Socket tables: pn_net_module with one of these as the descriptor. */
struct pn_nettable;
extern const struct pn_nettable pn_table_net_tcp, pn_table_net_udp,
    pn_table_net_udplite, pn_table_net_raw, pn_table_net_icmp,
    pn_table_net_unix, pn_table_net_packet, pn_table_net_netlink,
    pn_table_sockets, pn_table_sock_diag;

#endif
