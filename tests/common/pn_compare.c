/*
 * pn_compare.c: a view against the real tool, row by row and column by
 * column; see pn_compare.h.
 */
#include "pn_compare.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rows ------------------------------------------------------------------ */

char *pc_dup_or_null(const char *s, size_t n) {
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n')) n--;
  while (n > 0 && *s == ' ') s++, n--;
  if (n == 0) return NULL;
  char *d = malloc(n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

pc_row *pc_table_add(pc_table *t) {
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 64;
    t->v = realloc(t->v, (size_t)t->cap * sizeof *t->v);
  }
  pc_row *r = &t->v[t->n++];
  memset(r, 0, sizeof *r);
  return r;
}

void pc_table_free(pc_table *t) {
  for (int i = 0; i < t->n; i++) {
    free(t->v[i].key);
    for (int j = 0; j < PC_MAXCOL; j++) free(t->v[i].c[j]);
  }
  free(t->v);
  memset(t, 0, sizeof *t);
}

pc_row *pc_table_find(pc_table *t, const char *key) {
  for (int i = 0; i < t->n; i++)
    if (strcmp(t->v[i].key, key) == 0) return &t->v[i];
  return NULL;
}

int pc_same(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

const char *pc_show(const char *s) { return s ? s : "(nothing)"; }

/* Reads the lines of a command's output. */
char **pc_run_lines(const char *cmd, int *n) {
  FILE *f = popen(cmd, "r");
  if (!f) fail_msg("popen %s", cmd);
  char **lines = NULL, *line = NULL;
  size_t cap = 0;
  *n = 0;
  while (getline(&line, &cap, f) > 0) {
    lines = realloc(lines, (size_t)(*n + 1) * sizeof *lines);
    lines[(*n)++] = strdup(line);
  }
  free(line);
  pclose(f);
  return lines;
}

void pc_free_lines(char **lines, int n) {
  for (int i = 0; i < n; i++) free(lines[i]);
  free(lines);
}

/* Adds the rows of a query on the views; key(row) makes each row's key. */
void pc_view_rows(sqlite3 *db, pc_table *t, char *(*key)(const pc_row *),
                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare: %s\n  in: %s", sqlite3_errmsg(db), sql);
  t->ncol = sqlite3_column_count(st);
  while (sqlite3_step(st) == SQLITE_ROW) {
    pc_row *r = pc_table_add(t);
    for (int i = 0; i < t->ncol && i < PC_MAXCOL; i++) {
      const char *s = (const char *)sqlite3_column_text(st, i);
      r->c[i] = s ? strdup(s) : NULL;
    }
    r->key = key(r);
  }
  if (sqlite3_finalize(st) != SQLITE_OK)
    fail_msg("step: %s\n  in: %s", sqlite3_errmsg(db), sql);
  sqlite3_free(sql);
}

char *pc_join3(const char *a, const char *b, const char *c) {
  char *s;
  if (asprintf(&s, "%s|%s|%s", pc_show(a), pc_show(b), pc_show(c)) < 0) abort();
  return s;
}

/* ---- comparing ------------------------------------------------------------- */

static const char *const diff_names[] = {"unexpected", "the tool is wrong",
                                         "the tables lack it", "by design"};

/* Under valgrind (make check-valgrind) the forked workload processes also
 * hold valgrind's own descriptors, at the top of the fd range (19988 and
 * up with this machine's limit; lsof prints them as '*' and three digits).
 * They are not the workload's: rows keyed "PID|FD..." (lsof's) with such
 * an FD are left out on both sides. */
static int pc_valgrind_row(const pc_row *r) {
  if (!getenv("PN_UNDER_VALGRIND") || !r->key) return 0;
  const char *fd = strchr(r->key, '|');
  return fd && (fd[1] == '*' || atoi(fd + 1) >= 10000);
}

pc_stats pc_compare(const char *title, const char *tool_name,
                     const char *const *cols, pc_table *tool, pc_table *view,
                     pc_classify_fn classify) {
  pc_stats s = {0};
  for (int i = 0; i < tool->n; i++) {
    const pc_row *t = &tool->v[i];
    if (pc_valgrind_row(t)) continue;
    const pc_row *v = pc_table_find(view, t->key);
    if (!v) {
      print_error("%s: row %s is in %s, not in the view\n", title, t->key, tool_name);
      s.only_tool++;
      continue;
    }
    s.compared++;
    int kinds[4] = {0};
    for (int c = 0; c < tool->ncol; c++) {
      if (pc_same(t->c[c], v->c[c])) continue;
      pc_diff d = classify(t, v, c);
      kinds[d]++;
      if (d == D_UNEXPECTED)
        print_error("%s: row %s, column %s: %s prints '%s', the view has '%s'\n",
                    title, t->key, cols[c], tool_name, pc_show(t->c[c]), pc_show(v->c[c]));
      else if (getenv("PN_VIEWS_VERBOSE"))
        print_message("%s: row %s, column %s (%s): %s prints '%s', the view has '%s'\n",
                      title, t->key, cols[c], diff_names[d], tool_name,
                      pc_show(t->c[c]), pc_show(v->c[c]));
    }
    if (kinds[D_UNEXPECTED]) s.unexpected++;
    else if (!kinds[D_TOOL_WRONG] && !kinds[D_PENDING] && !kinds[D_BY_DESIGN]) s.matched++;
    else {
      s.tool_wrong += kinds[D_TOOL_WRONG] > 0;
      s.pending += kinds[D_PENDING] > 0;
      s.by_design += kinds[D_BY_DESIGN] > 0;
    }
  }
  for (int i = 0; i < view->n; i++)
    if (!pc_valgrind_row(&view->v[i]) && !pc_table_find(tool, view->v[i].key)) {
      print_error("%s: row %s is in the view, not in %s\n", title, view->v[i].key, tool_name);
      s.only_view++;
    }
  print_message("%-9s %3d rows compared with %s, %3d matched in every column; "
                "the others differ only where %s is wrong: %d, where the tables "
                "lack data: %d, by design: %d; unexpected: %d; only in %s: %d, "
                "only in the view: %d\n",
                title, s.compared, tool_name, s.matched, tool_name, s.tool_wrong,
                s.pending, s.by_design, s.unexpected, tool_name, s.only_tool,
                s.only_view);
  return s;
}

void pc_assert_clean(pc_stats s, int min_rows) {
  assert_int_equal(s.unexpected, 0);
  assert_int_equal(s.only_tool, 0);
  assert_int_equal(s.only_view, 0);
  assert_true(s.compared >= min_rows);
}


/* ---- lsof -------------------------------------------------------------------- */

const char *const pc_lsof_cols[] = {"COMMAND", "PID",    "TID",      "TASKCMD",
                                    "USER",    "FD",     "TYPE",     "DEVICE",
                                    "SIZE/OFF", "NODE",  "NAME"};

/* "PID|FD|NODE" (PID "PID/TID" on a thread's row), FD without its mode and
 * lock letters, NODE only for mapped files (a process has many "mem"). */
char *pc_lsof_key(const pc_row *r) {
  const char *fd = pc_show(r->c[L_FD]);
  char num[32], who[64];
  size_t n = strspn(fd, "0123456789");
  if (n > 0 && n < sizeof num) {
    memcpy(num, fd, n);
    num[n] = 0;
    fd = num;
  } else if (strncmp(fd, "mem", 3) == 0 || strncmp(fd, "DEL", 3) == 0 ||
             strncmp(fd, "cwd", 3) == 0 || strncmp(fd, "rtd", 3) == 0 ||
             strncmp(fd, "txt", 3) == 0) {
    snprintf(num, sizeof num, "%.3s", fd); /* "mem-W": a lock */
    fd = num;
  }
  int mapped = strcmp(fd, "mem") == 0 || strcmp(fd, "DEL") == 0;
  snprintf(who, sizeof who, "%s%s%s", pc_show(r->c[L_PID]), r->c[L_TID] ? "/" : "",
           r->c[L_TID] ? r->c[L_TID] : "");
  return pc_join3(who, fd, mapped ? r->c[L_NODE] : "");
}

/* Where a header word ends, or 0 when the header has none. */
static size_t header_end(const char *h, const char *word, int required) {
  const char *p = strstr(h, word);
  if (!p) {
    if (required) fail_msg("lsof header without %s: %s", word, h);
    return 0;
  }
  return (size_t)(p - h) + strlen(word);
}

char *pc_slice(const char *line, size_t len, size_t from, size_t to) {
  if (from >= len) return NULL;
  if (to > len) to = len;
  return pc_dup_or_null(line + from, to - from);
}

/* The blank-separated words of s, at most max, into w (pointers into s). */
static int words(char *s, char **w, int max) {
  int n = 0;
  for (char *save = NULL, *t = strtok_r(s, " ", &save); t && n < max;
       t = strtok_r(NULL, " ", &save))
    w[n++] = t;
  return n;
}

/* TASKCMD (after a TID), USER and FD, from between PID (or TID) and the
 * end of FD: words, since none of them holds a blank (lsof escapes them). */
static void parse_user_fd(pc_row *r, char *text) {
  char *w[4];
  int n = text ? words(text, w, 4) : 0, at = 0;
  if (r->c[L_TID] && at < n) r->c[L_TASKCMD] = strdup(w[at++]);
  if (at < n) r->c[L_USER] = strdup(w[at++]);
  if (at < n) r->c[L_FD] = strdup(w[at++]);
}

/* Splits lsof's columns by the header's positions: COMMAND, TASKCMD and
 * USER are left-aligned, PID, TID, FD..NODE right-aligned to their titles
 * (FD has the mode and lock characters after it), NAME starts under its
 * title. Trailing blanks of NAME (lsof prints one after UDP names) are
 * dropped. */
void pc_parse_lsof(char **lines, int n, pc_table *t) {
  t->ncol = L_NCOL;
  if (n == 0) return;
  const char *h = lines[0];
  size_t pid_end = header_end(h, "PID", 1), tid_end = header_end(h, " TID", 0),
         fd_end = header_end(h, " FD", 1) + 2, type_end = header_end(h, "TYPE", 1),
         dev_end = header_end(h, "DEVICE", 1), size_end = header_end(h, "SIZE/OFF", 1),
         node_end = header_end(h, "NODE", 1), name_at = header_end(h, "NAME", 1) - 4;
  for (int i = 1; i < n; i++) {
    const char *l = lines[i];
    size_t len = strlen(l);
    pc_row *r = pc_table_add(t);
    /* COMMAND PID */
    char *cp = pc_slice(l, len, 0, pid_end);
    char *sp = strrchr(cp, ' ');
    r->c[L_PID] = strdup(sp ? sp + 1 : cp);
    if (sp) r->c[L_COMMAND] = pc_dup_or_null(cp, (size_t)(sp - cp));
    free(cp);
    /* TID, then TASKCMD USER FD */
    if (tid_end) r->c[L_TID] = pc_slice(l, len, pid_end, tid_end);
    char *uf = pc_slice(l, len, tid_end ? tid_end : pid_end, fd_end);
    parse_user_fd(r, uf);
    free(uf);
    r->c[L_TYPE] = pc_slice(l, len, fd_end, type_end);
    r->c[L_DEVICE] = pc_slice(l, len, type_end, dev_end);
    r->c[L_SIZE] = pc_slice(l, len, dev_end, size_end);
    r->c[L_NODE] = pc_slice(l, len, size_end, node_end);
    r->c[L_NAME] = pc_slice(l, len, name_at, len);
    r->key = pc_lsof_key(r);
  }
}

/* ---- the views ---------------------------------------------------------------- */

/* The text of sql/views.sql (free it). */
char *pc_views_sql(void) {
  FILE *f = fopen("sql/views.sql", "r");
  if (!f) fail_msg("sql/views.sql: %s (run from the repository root)", strerror(errno));
  char *sql = NULL;
  size_t cap = 0;
  if (getdelim(&sql, &cap, 0, f) <= 0) fail_msg("sql/views.sql is empty");
  fclose(f);
  return sql;
}

sqlite3 *pc_open_with_views(void) {
  sqlite3 *db = pn_open(NULL);
  char *sql = pc_views_sql();
  pn_exec(db, "%s", sql);
  free(sql);
  return db;
}

