/*
 * nscursor.h: the cursor of a table that reads its rows one network
 * namespace at a time (conntrack, net_addresses): the namespace walk of
 * nswalk.h, the rows of the namespace it is at, and the `netns = ?`
 * constraint such a table takes. The table's own cursor starts with a
 * pn_nscursor and gives the function that reads one namespace.
 */
#ifndef PROCNET_NSCURSOR_H
#define PROCNET_NSCURSOR_H

#include "cursor.h"
#include "nswalk.h"

typedef struct pn_nscursor pn_nscursor;
/* Reads the rows of the namespace c->walk is at (its socket:
 * pn_nswalk_link, -1 where netlink may not reach it) and says how many.
 * SQLITE_OK (a namespace that cannot be read has no rows) or SQLITE_NOMEM. */
typedef int (*pn_nscursor_load)(pn_nscursor *c, size_t *nrows);

struct pn_nscursor {
  pn_cursor pc;
  pn_nswalk walk;
  pn_nscursor_load load;
  size_t row, nrows;        /* the current row among the namespace's */
  sqlite3_int64 rowid;
};

/* xBestIndex: `netns = ?` on column col_netns, PN_NSCURSOR_NETNS in
 * idxNum, argv[0]; rows_each and cost_each are one namespace's rows and
 * the cost of reading them. */
#define PN_NSCURSOR_NETNS 0x1
int pn_nscursor_best_index(sqlite3_index_info *info, int col_netns, double rows_each,
                           double cost_each);
/* xOpen: `size` zeroed bytes of a struct that starts with a pn_nscursor. */
int pn_nscursor_open(sqlite3_vtab *tab, size_t size, pn_nscursor_load load,
                     sqlite3_vtab_cursor **out);
/* Ends the walk and frees the cursor: the table frees its rows first. */
void pn_nscursor_free(pn_nscursor *c);
/* xFilter: a walk of every namespace, or of the one of idxNum's
 * constraint, with a socket of netlink `protocol` in each. */
int pn_nscursor_filter(pn_nscursor *c, int idxNum, sqlite3_value **argv, int protocol);
int pn_nscursor_next(sqlite3_vtab_cursor *cur);
int pn_nscursor_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid);
/* The namespace of the current row, as the netns column gives it. */
void pn_nscursor_result_netns(const pn_nscursor *c, sqlite3_context *ctx);

#endif
