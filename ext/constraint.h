/*
 * constraint.h: the constraints a table claims in xBestIndex and the values
 * it takes from them in xFilter (layer 3 helpers): `col = ?` and
 * `col IN (...)` on pids, inodes and names, with SQLite's notion of an
 * equal integer.
 */
#ifndef PROCNET_CONSTRAINT_H
#define PROCNET_CONSTRAINT_H

#include <stdint.h>

#include "sqlite3ext.h"

/* ---- xBestIndex ----------------------------------------------------------
 * Finds a usable `col = ?` (which is also how `col IN (...)` arrives) and
 * claims it as the next argv slot. With allow_in, an IN list is taken all at
 * once (sqlite3_vtab_in) so that xFilter runs once for the whole list.
 * Returns 1 when claimed; 0 for col < 0 (a table without the column).
 * *n_in, if given, is bumped for an IN list. */
int pn_claim_eq(sqlite3_index_info *info, int col, int *argc, int allow_in,
                int *n_in);

/* For tables walked process by process: claims `col = ?` / `col IN (...)`
 * on the pid column and sets the costs of walking one process, a list, or
 * all of them (rows_per_process rows each). Returns PN_IDX_PID (and
 * PN_IDX_PID_LIST) bits for idxNum, or 0. */
#define PN_IDX_PID 0x1
int pn_plan_pid(sqlite3_index_info *info, int col, double rows_per_process);

/* A column of a few fixed names (sockets.kind, process_files.kind): claims
 * every `col = ?` and `col IN (...)` on it (a view's own test plus one
 * pushed into it, say), IN lists taken whole, as the next argv slots; at
 * most PN_NAME_ARGS of them. `col = ?` only under the column's own BINARY
 * collation, matched exactly (SQLite does not check it again); an IN list
 * matched loosely (ignoring case and trailing blanks: a superset of what
 * BINARY, NOCASE and RTRIM match, since its values may carry their own
 * collation) and checked again by SQLite. Returns `flag` when any was
 * claimed, plus PN_IDX_NAME_LIST << j when the j-th is an IN list. */
#define PN_NAME_ARGS 8
#define PN_IDX_NAME_LIST 0x100
int pn_claim_names(sqlite3_index_info *info, int col, int *argc, int flag);

/* xFilter's side of pn_claim_names: the names[] (bit i for names[i]) that
 * every name argument, argv[first] to argv[argc - 1], allows. Only text can
 * equal a name. SQLITE_OK, SQLITE_NOMEM, or an error of the IN list. */
int pn_names_wanted(const char *const *names, int n, int idxNum, int argc,
                    sqlite3_value **argv, int first, unsigned *mask);

/* Whether a scan's own order satisfies the query's ORDER BY, so that the
 * table may set orderByConsumed: every ORDER BY term ascending and, in
 * turn, one of cols[] (the table's order: pid, then what orders rows within
 * a process; -1 is the rowid), in that order. A column of `constant` (bit i
 * for cols[i], a column that holds one value in every row of this plan)
 * may be left out of the ORDER BY. 0 without an ORDER BY. */
int pn_order_consumed(const sqlite3_index_info *info, const int *cols, int n,
                      unsigned constant);

/* ---- xFilter: the values of a claimed constraint ---------------------------
 * pn_value_int64: the integer a value equals as SQLite compares it with an
 * INTEGER column: an integer, a whole real (5002.0) or text that reads as
 * one ('5002'). 0 for anything else (NULL, 'abc', 1.5, a blob), which
 * equals no row. */
int pn_value_int64(sqlite3_value *v, sqlite3_int64 *out);

/* pn_i64list: a sorted list without duplicates; values that are not integers (NULL,
 * 'abc', 1.5) can match no row and are dropped. */
/* The idxNum bit every table sets when its pid argument is an IN list taken
 * all at once (pn_claim_eq counted it in *n_in). */
#define PN_IDX_PID_LIST 0x40000000

typedef struct pn_i64list {
  int64_t *v;
  int n;
  int cap;
} pn_i64list;
int pn_i64list_from_arg(pn_i64list *l, sqlite3_value *arg, int is_list);
int pn_i64list_push(pn_i64list *l, int64_t x);
/* Sorts the values pushed and drops repeats (pushing keeps no order). */
void pn_i64list_sort_unique(pn_i64list *l);
void pn_i64list_free(pn_i64list *l);
int pn_i64list_has(const pn_i64list *l, sqlite3_int64 x);

#endif
