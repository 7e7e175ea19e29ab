/*
 * views.c: the compiled-in views, all or one tool's; see views.h.
 *
 * A command that prints one tool's listing makes that tool's views only:
 * SQLite parses each CREATE VIEW whole, and all of sql/views.sql was a
 * fifth of the instructions of `procnet lsof -i :PORT`. The file is cut
 * into statements here, and a statement is parsed only when it makes a
 * view that is wanted.
 */
#include "views.h"
SQLITE_EXTENSION_INIT3

#include <string.h>

#include "views_sql.h"

/* Past a quoted run starting at p ('...', "...", `...` or [...]), the
 * quote doubled inside it. */
static const char *skip_quoted(const char *p) {
  char close = *p == '[' ? ']' : *p;
  for (p++; *p; p++) {
    if (*p != close) continue;
    if (close != ']' && p[1] == close) { /* doubled: the quote itself */
      p++;
      continue;
    }
    return p + 1;
  }
  return p;
}

/* Past a comment starting at p (-- to the end of the line, or slash-star
 * to star-slash), or p itself when none starts there. */
static const char *skip_comment(const char *p) {
  if (p[0] == '-' && p[1] == '-') {
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
  }
  if (p[0] == '/' && p[1] == '*') {
    const char *end = strstr(p + 2, "*/");
    return end ? end + 2 : p + strlen(p);
  }
  return p;
}

/* The end of the statement starting at p: past its ';', or the end of the
 * text. */
static const char *statement_end(const char *p) {
  while (*p) {
    const char *q = skip_comment(p);
    if (q != p) p = q;
    else if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') p = skip_quoted(p);
    else if (*p++ == ';') break;
  }
  return p;
}

/* p past blanks and comments. */
static const char *skip_blank(const char *p, const char *end) {
  for (;;) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    const char *q = p < end ? skip_comment(p) : p;
    if (q == p) return p;
    p = q;
  }
}

/* Whether the name at [p, end) is `family` or starts with `family_`. */
static int of_family(const char *p, const char *end, const char *family) {
  size_t n = strlen(family);
  if ((size_t)(end - p) <= n || sqlite3_strnicmp(p, family, (int)n) != 0) return 0;
  char after = p[n];
  return after == '_' || after == ' ' || after == '(' || after == '\n';
}

/* Whether the statement [p, end) makes a view of `family`: one named
 * FAMILY or FAMILY_*, or a helper of theirs, procnet_FAMILY_* (every
 * statement is wanted when family is NULL). */
static int wanted(const char *p, const char *end, const char *family) {
  static const char CREATE[] = "CREATE TEMP VIEW IF NOT EXISTS ";
  static const char HELPER[] = "procnet_";
  if (!family) return 1;
  p = skip_blank(p, end);
  if ((size_t)(end - p) < sizeof CREATE ||
      sqlite3_strnicmp(p, CREATE, (int)(sizeof CREATE - 1)) != 0)
    return 0;
  p += sizeof CREATE - 1;
  if ((size_t)(end - p) > sizeof HELPER - 1 &&
      sqlite3_strnicmp(p, HELPER, (int)(sizeof HELPER - 1)) == 0 &&
      of_family(p + sizeof HELPER - 1, end, family))
    return 1;
  return of_family(p, end, family);
}

int pn_create_views(sqlite3 *db, const char *family, int *made, char **err) {
  *made = 0;
  *err = NULL;
  for (const char *p = procnet_views_sql; *p;) {
    const char *end = statement_end(p);
    if (skip_blank(p, end) < end && wanted(p, end, family)) {
      sqlite3_stmt *st = NULL;
      int rc = sqlite3_prepare_v2(db, p, (int)(end - p), &st, NULL);
      int ran = rc == SQLITE_OK && st;
      if (ran) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
        sqlite3_finalize(st);
      }
      if (rc != SQLITE_OK) {
        *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
        return rc;
      }
      *made += ran;
    }
    p = end;
  }
  return SQLITE_OK;
}
