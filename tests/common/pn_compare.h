/*
 * pn_compare.h: comparing a view with the real tool, row by row and column
 * by column (tests/sql/test_views.c, test_lsof.c).
 *
 * Both sides become tables of text rows with a key (the file or socket a
 * row is about, never its place in the output). compare() finds each of
 * the tool's rows in the view by key and compares every column; a column
 * that differs is passed to the test's classifier, which says whether the
 * difference is an accepted one (the tool is wrong, by design) or not.
 */
#ifndef PN_COMPARE_H
#define PN_COMPARE_H

#include "pn_test.h"

#define PC_MAXCOL 12

typedef struct pc_row {
  char *key;
  char *c[PC_MAXCOL]; /* NULL: the tool printed nothing there */
} pc_row;

typedef struct pc_table {
  pc_row *v;
  int n, cap, ncol;
} pc_table;

pc_row *pc_table_add(pc_table *t);
void pc_table_free(pc_table *t);
pc_row *pc_table_find(pc_table *t, const char *key);
/* s[0..n) without surrounding blanks and newlines, malloc'd; NULL if empty. */
char *pc_dup_or_null(const char *s, size_t n);
/* The same of line[from..to) (a fixed-width column), cut at len. */
char *pc_slice(const char *line, size_t len, size_t from, size_t to);
int pc_same(const char *a, const char *b);
const char *pc_show(const char *s);
char *pc_join3(const char *a, const char *b, const char *c);

/* The lines of a command's output (free with pc_free_lines). */
char **pc_run_lines(const char *cmd, int *n);
void pc_free_lines(char **lines, int n);

/* Adds the rows of a query; key(row) makes each row's key. */
void pc_view_rows(sqlite3 *db, pc_table *t, char *(*key)(const pc_row *),
                  const char *fmt, ...);

typedef enum { D_UNEXPECTED, D_TOOL_WRONG, D_PENDING, D_BY_DESIGN } pc_diff;
typedef pc_diff (*pc_classify_fn)(const pc_row *tool, const pc_row *view, int col);

typedef struct pc_stats {
  int compared, matched, tool_wrong, pending, by_design, unexpected;
  int only_tool, only_view;
} pc_stats;

/* Compares the tool's rows with the view's, prints the counts (and, with
 * PN_VIEWS_VERBOSE=1, every accepted difference) and returns them. */
pc_stats pc_compare(const char *title, const char *tool_name,
                    const char *const *cols, pc_table *tool, pc_table *view,
                    pc_classify_fn classify);
/* No unexpected difference, no row on one side only, at least min_rows. */
void pc_assert_clean(pc_stats s, int min_rows);

/* ---- lsof --------------------------------------------------------------------
 * Rows of lsof -n -P (with TID and TASKCMD when lsof prints them) and of
 * the lsof views, in these columns: */
enum {
  L_COMMAND, L_PID, L_TID, L_TASKCMD, L_USER, L_FD, L_TYPE, L_DEVICE, L_SIZE,
  L_NODE, L_NAME, L_NCOL
};
extern const char *const pc_lsof_cols[];
/* The columns of the lsof views in that order, for a SELECT. */
#define PC_LSOF_VIEW_COLS \
  "command, pid, tid, taskcmd, user, fd, type, device, size_off, node, name"
#define PC_LSOF_VIEW_COLS_NO_TASKS \
  "command, pid, NULL, NULL, user, fd, type, device, size_off, node, name"
/* pid|tid|fd, with the node for mapped files (there are many "mem"). */
char *pc_lsof_key(const pc_row *r);
/* Splits lsof's lines (the header first) into rows of t. */
void pc_parse_lsof(char **lines, int n, pc_table *t);

/* ---- the views ---------------------------------------------------------------- */
/* The text of sql/views.sql (free it). */
char *pc_views_sql(void);
/* A connection with procnet and the views of the file on disk. */
sqlite3 *pc_open_with_views(void);

#endif
