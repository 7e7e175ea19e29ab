/*
 * constraint.c: claiming constraints in xBestIndex and taking their values
 * in xFilter; see constraint.h.
 */
#include "constraint.h"

#include "sort.h"
SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

/* ---- xBestIndex ----------------------------------------------------------- */

int pn_claim_eq(sqlite3_index_info *info, int col, int *argc, int allow_in,
                int *n_in) {
  if (col < 0) return 0; /* -1 is the rowid, not "no such column" */
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (!c->usable || c->iColumn != col || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
      continue;
    info->aConstraintUsage[i].argvIndex = ++*argc;
    info->aConstraintUsage[i].omit = 1;
    if (allow_in && sqlite3_vtab_in(info, i, 1) && n_in) ++*n_in;
    return 1;
  }
  return 0;
}

int pn_plan_pid(sqlite3_index_info *info, int col, double rows_per_process) {
  int argc = 0, n_in = 0;
  if (!pn_claim_eq(info, col, &argc, 1, &n_in)) {
    info->estimatedCost = 20.0 * rows_per_process * 1000;
    info->estimatedRows = (sqlite3_int64)(rows_per_process * 1000);
    return 0;
  }
  int n = n_in ? 10 : 1;
  info->estimatedCost = 2.0 * rows_per_process * n;
  info->estimatedRows = (sqlite3_int64)(rows_per_process * n);
  return PN_IDX_PID | (n_in ? PN_IDX_PID_LIST : 0);
}

int pn_claim_names(sqlite3_index_info *info, int col, int *argc, int flag) {
  int bits = 0, n = 0;
  for (int i = 0; i < info->nConstraint && n < PN_NAME_ARGS; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if (!c->usable || c->iColumn != col || c->op != SQLITE_INDEX_CONSTRAINT_EQ ||
        sqlite3_stricmp(sqlite3_vtab_collation(info, i), "BINARY") != 0)
      continue;
    info->aConstraintUsage[i].argvIndex = ++*argc;
    /* An IN list is matched loosely and SQLite checks each row again: the
     * values of `IN (SELECT x COLLATE NOCASE ...)` compare under their own
     * collation, which sqlite3_vtab_collation() does not report. */
    int list = sqlite3_vtab_in(info, i, 1);
    info->aConstraintUsage[i].omit = !list;
    bits |= flag | (list ? PN_IDX_NAME_LIST << n : 0);
    n++;
  }
  return bits;
}

/* ---- xFilter values ------------------------------------------------------- */

/* s[0..len) equals name, or (loose) does so ignoring ASCII case and
 * trailing blanks: what BINARY, NOCASE and RTRIM each call equal. */
static int name_equal(const char *s, size_t len, const char *name, int loose) {
  size_t n = strlen(name);
  if (loose)
    while (len > n && s[len - 1] == ' ') len--;
  if (len != n) return 0;
  return loose ? sqlite3_strnicmp(s, name, (int)n) == 0 : memcmp(s, name, n) == 0;
}

/* Adds to *mask the bit of the name v equals. Only text can equal a name. */
static int add_name_bit(const char *const *names, int n, sqlite3_value *v, int loose,
                        unsigned *mask) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) return SQLITE_OK;
  const char *s = (const char *)sqlite3_value_text(v);
  if (!s) return SQLITE_NOMEM;
  size_t len = (size_t)sqlite3_value_bytes(v); /* an embedded NUL is part of it */
  for (int i = 0; i < n; i++)
    if (name_equal(s, len, names[i], loose)) *mask |= 1u << i;
  return SQLITE_OK;
}

static int names_of_arg(const char *const *names, int n, sqlite3_value *v,
                        int is_list, unsigned *mask) {
  *mask = 0;
  if (!is_list) return add_name_bit(names, n, v, 0, mask);
  sqlite3_value *x;
  int rc;
  for (rc = sqlite3_vtab_in_first(v, &x); rc == SQLITE_OK && x;
       rc = sqlite3_vtab_in_next(v, &x))
    if ((rc = add_name_bit(names, n, x, 1, mask)) != SQLITE_OK) return rc;
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int pn_names_wanted(const char *const *names, int n, int idxNum, int argc,
                    sqlite3_value **argv, int first, unsigned *mask) {
  *mask = ~0u;
  for (int j = 0; first + j < argc; j++) {
    unsigned m;
    int rc = names_of_arg(names, n, argv[first + j],
                          (idxNum & (PN_IDX_NAME_LIST << j)) != 0, &m);
    if (rc != SQLITE_OK) return rc;
    *mask &= m;
  }
  return SQLITE_OK;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

int pn_i64list_push(pn_i64list *l, int64_t x) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 8;
    int64_t *v = sqlite3_realloc64(l->v, (sqlite3_uint64)cap * sizeof *v);
    if (!v) return SQLITE_NOMEM;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = x;
  return SQLITE_OK;
}

/* Applies INTEGER affinity the way a real INTEGER column would: '42' and
 * 42.0 match 42; 'abc', NULL and 1.5 match nothing. */
int pn_value_int64(sqlite3_value *v, sqlite3_int64 *out) {
  int t = sqlite3_value_numeric_type(v);
  if (t == SQLITE_INTEGER) {
    *out = sqlite3_value_int64(v);
    return 1;
  }
  if (t == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v);
    /* [-2^63, 2^63): the doubles that convert to an int64 */
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
        d == (double)(sqlite3_int64)d) {
      *out = (sqlite3_int64)d;
      return 1;
    }
  }
  return 0;
}

static int list_add_value(pn_i64list *l, sqlite3_value *v) {
  sqlite3_int64 x;
  return pn_value_int64(v, &x) ? pn_i64list_push(l, x) : SQLITE_OK;
}

void pn_i64list_sort_unique(pn_i64list *l) {
  if (l->n < 2) return;
  pn_sort(l->v, (size_t)l->n, sizeof *l->v, cmp_i64);
  int w = 1;
  for (int r = 1; r < l->n; r++)
    if (l->v[r] != l->v[w - 1]) l->v[w++] = l->v[r];
  l->n = w;
}

int pn_i64list_from_arg(pn_i64list *l, sqlite3_value *arg, int is_list) {
  l->n = 0;
  if (!is_list) return list_add_value(l, arg);
  sqlite3_value *v = NULL;
  int rc = sqlite3_vtab_in_first(arg, &v);
  for (; rc == SQLITE_OK && v; rc = sqlite3_vtab_in_next(arg, &v)) {
    int prc = list_add_value(l, v);
    if (prc != SQLITE_OK) return prc;
  }
  if (rc != SQLITE_OK && rc != SQLITE_DONE) return rc;
  pn_i64list_sort_unique(l);
  return SQLITE_OK;
}

void pn_i64list_free(pn_i64list *l) {
  sqlite3_free(l->v);
  memset(l, 0, sizeof *l);
}

int pn_i64list_has(const pn_i64list *l, sqlite3_int64 x) {
  int64_t key = x;
  return l->n && bsearch(&key, l->v, (size_t)l->n, sizeof *l->v, cmp_i64);
}


int pn_order_consumed(const sqlite3_index_info *info, const int *cols, int n,
                      unsigned constant) {
  int at = 0;
  if (info->nOrderBy <= 0) return 0;
  for (int i = 0; i < info->nOrderBy; i++) {
    const struct sqlite3_index_orderby *o = &info->aOrderBy[i];
    if (o->desc) return 0;
    while (at < n && cols[at] != o->iColumn && (constant & (1u << at))) at++;
    if (at >= n || cols[at] != o->iColumn) return 0;
    at++;
  }
  return 1;
}
