/*
 * output.c: writes the rows of a statement as a table (aligned like lsof,
 * ss and netstat: column widths from the data, one space between columns,
 * the last column not padded), as CSV (a header row, RFC 4180 quoting, LF
 * line ends) or as JSON (an array of objects keyed by column name).
 *
 * Tables escape control characters (a newline in a unix socket path prints
 * as \n, as lsof does) so that one row stays one line; CSV and JSON keep the
 * value whole.
 */
#include "cli.h"

#include "prefault.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- table ---------------------------------------------------------------- */

/* Every cell of the table, kept until the widths are known: their texts
 * one after another in one growing array (megabytes for ss -i, brought in
 * ahead of the writes: prefault.h), read back in the same order. No index
 * of where each starts: at lsof's 20,000 rows of a process that was as
 * much memory again as the text. */
typedef struct cell_buf {
  char *text;        /* the cells, row by row, each NUL-terminated (in mem) */
  size_t len;
  size_t n;          /* cells */
  pn_big mem;
} cell_buf;

/* The cell after the one at s. */
static const char *next_cell(const char *s) { return s + strlen(s) + 1; }

/* A cell kept as this byte alone is the same as the one above it (its
 * column's, a row before): lsof's COMMAND, PID, USER, TYPE and SIZE/OFF
 * repeat row after row, a fifth of the table's text. Kept cells hold no
 * other control byte (escape_to). */
#define SAME_AS_ABOVE '\x01'

/* A cell's text as read back in order: *above, the column's last text,
 * for a mark; else the cell, which becomes *above. */
static const char *cell_text(const char *cell, const char **above) {
  if (cell[0] == SAME_AS_ABOVE) return *above;
  return *above = cell;
}

/* A "\n\t" that starts ss's continuation line (kept in CLI_ATTACHED). */
static int is_continuation(const unsigned char *s, int n, int i, int keep) {
  return keep && s[i] == '\n' && i + 1 < n && s[i + 1] == '\t';
}

/* Eight bytes at a time: the cells are most of the table's bytes (ss -i's
 * hundreds a row), and a byte at a time was a sixth of what it cost. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t word_at(const void *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

/* Whether a byte of w is a control byte (below 0x20, or 0x7f): never
 * false when one is, rarely true when none is (a borrow), which only
 * sends the word the slow way. */
static int word_has_control(uint64_t w) {
  uint64_t del = w ^ (0x7f * ONES);
  return (((w - 0x20 * ONES) & ~w) | ((del - ONES) & ~del)) & HIGHS ? 1 : 0;
}

/* The length of the value as one line (escape_to); *plain: nothing in it
 * to escape. */
static size_t escaped_len(const unsigned char *s, int n, int keep, int *plain) {
  size_t out = 0;
  *plain = 1;
  for (int i = 0; i < n;) {
    if (i + 8 <= n && !word_has_control(word_at(s + i))) {
      out += 8;
      i += 8;
    } else if (s[i] >= 0x20 && s[i] != 0x7f) {
      out++;
      i++;
    } else if (is_continuation(s, n, i, keep)) {
      out += 2;
      i += 2;
    } else {
      out += 4;
      *plain = 0;
      i++;
    }
  }
  return out;
}

/* The value as one line into p (at most escaped_len bytes and a NUL):
 * control bytes become \n, \t, \r or \xHH, except ss's continuation
 * breaks when keep is set. Returns its length. */
static size_t escape_to(char *p, const unsigned char *s, int n, int keep, int plain) {
  if (plain) { /* nothing to escape: most cells */
    memcpy(p, s, (size_t)n);
    p[n] = '\0';
    return (size_t)n;
  }
  char *start = p;
  for (int i = 0; i < n; i++) {
    unsigned char c = s[i];
    if (is_continuation(s, n, i, keep)) {
      *p++ = '\n';
      *p++ = '\t';
      i++;
    } else if (c == '\n') p += sprintf(p, "\\n");
    else if (c == '\t') p += sprintf(p, "\\t");
    else if (c == '\r') p += sprintf(p, "\\r");
    else if (c < 0x20 || c == 0x7f) p += sprintf(p, "\\x%02x", c);
    else *p++ = (char)c;
  }
  *p = '\0';
  return (size_t)(p - start);
}

/* Room for `more` bytes of text; 0, or -1. */
static int cell_room(cell_buf *b, size_t more) {
  if (more > SIZE_MAX / 4 - b->len || pn_big_room(&b->mem, b->len, b->len + more) != 0)
    return -1;
  b->text = b->mem.p;
  return 0;
}

/* Keeps the value as one line, or a mark when it is the text at offset
 * *above (its column's last, SIZE_MAX: none), else notes it there; 0, or
 * -1 when out of memory. */
static int push_cell(cell_buf *b, const unsigned char *s, int n, int keep, size_t *above) {
  int plain;
  size_t len = escaped_len(s, n, keep, &plain);
  if (cell_room(b, len + 1) != 0) return -1;
  /* the cells follow one another: each takes what it wrote, not what
   * was reserved for it */
  char *at = b->text + b->len;
  size_t w = escape_to(at, s, n, keep, plain);
  if (w > 1 && *above != SIZE_MAX && strcmp(b->text + *above, at) == 0) {
    at[0] = SAME_AS_ABOVE;
    at[1] = '\0';
    w = 1;
  } else {
    *above = b->len;
  }
  b->len += w + 1;
  b->n++;
  return 0;
}

/* Display width: UTF-8 code points (continuation bytes, 10xxxxxx, do not
 * count). */
static size_t width_of(const char *s, size_t n) {
  size_t w = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x = word_at(s + i);
    w += 8 - (size_t)__builtin_popcountll(x & ~(x << 1) & HIGHS);
  }
  for (; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
  return w;
}

/* Display width and length in bytes of the NUL-terminated s. */
static size_t width_len(const char *s, size_t *len) {
  *len = strlen(s);
  return width_of(s, *len);
}

/* The table's lines, written as they are made into a buffer of their own
 * (stdio's, a call per piece, cost as much as making them). Blanks are
 * held back until text follows them, so that a line ends without any:
 * neither padding nor a value's own trailing blanks. */
typedef struct line_out {
  FILE *out;
  size_t blanks;     /* held back */
  size_t n;          /* bytes in buf */
  char buf[16384];
} line_out;

static void flush_lines(line_out *l) {
  fwrite_unlocked(l->buf, 1, l->n, l->out);
  l->n = 0;
}

/* Room for n more bytes, when they fit the buffer at all. */
static int buf_room(line_out *l, size_t n) {
  if (n > sizeof l->buf - l->n) flush_lines(l);
  return n <= sizeof l->buf;
}

static void pad(line_out *l, size_t n) { l->blanks += n; }

static void put_text(line_out *l, const char *s, size_t n) {
  size_t end = n;
  while (end && s[end - 1] == ' ') end--;
  if (end) {
    while (l->blanks) {
      size_t k = l->blanks < sizeof l->buf ? l->blanks : sizeof l->buf;
      buf_room(l, k);
      memset(l->buf + l->n, ' ', k);
      l->n += k;
      l->blanks -= k;
    }
    if (buf_room(l, end)) {
      memcpy(l->buf + l->n, s, end);
      l->n += end;
    } else {
      fwrite_unlocked(s, 1, end, l->out);
    }
  }
  l->blanks += n - end;
}

static void end_line(line_out *l) {
  l->blanks = 0;
  buf_room(l, 1);
  l->buf[l->n++] = '\n';
}

/* lsof prints the FD number right-aligned with the mode letter after it;
 * "cwd", "txt" or a bare number get a blank where the letter would be. */
static int fd_needs_blank(const char *s) {
  size_t n = strlen(s);
  return n == 0 || s[0] < '0' || s[0] > '9' || (s[n - 1] >= '0' && s[n - 1] <= '9');
}

/* Where ss splits "addr:port" / "path inode": the last ':' or ' '. */
static size_t split_at(const char *s) {
  const char *c = strrchr(s, ':'), *b = strrchr(s, ' ');
  const char *p = c > b ? c : b;
  return p ? (size_t)(p - s) : strlen(s);
}

typedef struct col_fmt {
  const char *label;
  cli_align align;
  size_t w;          /* whole width (CLI_ADDRPORT: address part) */
  size_t pw;         /* CLI_ADDRPORT: port part */
  int numeric;       /* generic columns: every value a number; -1 while
                        no value but NULL was seen */
  int omitted;       /* left out of the table (cli_table_style) */
  size_t kept;       /* offset of the column's last text kept (push_cell) */
  const char *above; /* its last text read back (cell_text) */
} col_fmt;

static void measure(col_fmt *f, const char *s) {
  if (f->align == CLI_ATTACHED) return; /* printed as it is, never padded */
  if (f->align == CLI_ADDRPORT) {
    size_t k = split_at(s), n = strlen(s);
    size_t aw = width_of(s, k), pw = k < n ? width_of(s + k + 1, n - k - 1) : 0;
    if (aw > f->w) f->w = aw;
    if (pw > f->pw) f->pw = pw;
    return;
  }
  size_t n, w = width_len(s, &n) + (f->align == CLI_FD && fd_needs_blank(s));
  if (w > f->w) f->w = w;
}

static void put_cell(line_out *out, const col_fmt *f, const char *s, int last) {
  size_t n, w;
  if (f->align == CLI_ATTACHED) { /* never padded: no width to know */
    put_text(out, s, strlen(s));
    return;
  }
  w = width_len(s, &n);
  switch (f->align) {
  case CLI_ADDRPORT: {
    size_t k = split_at(s);
    size_t aw = width_of(s, k);
    pad(out, f->w - aw);
    put_text(out, s, k);
    put_text(out, k < n ? s + k : " ", 1);
    const char *port = k < n ? s + k + 1 : "";
    size_t pn, pw = width_len(port, &pn);
    put_text(out, port, pn);
    if (!last) pad(out, f->pw - pw);
    break;
  }
  case CLI_FD: {
    int blank = fd_needs_blank(s);
    pad(out, f->w - w - (size_t)blank);
    put_text(out, s, n);
    if (blank && !last) pad(out, 1);
    break;
  }
  case CLI_RIGHT:
    pad(out, f->w - w);
    put_text(out, s, n);
    break;
  case CLI_LEFT:
    put_text(out, s, n);
    if (!last) pad(out, f->w - w);
    break;
  case CLI_ATTACHED: break;
  }
}

/* The columns shown: the statement's, less the hidden trailing ones. */
static int shown_columns(sqlite3_stmt *st, const cli_row_hooks *h) {
  int n = sqlite3_column_count(st) - (h ? h->hidden : 0);
  return n > 0 ? n : 0;
}

static void row_seen(const cli_row_hooks *h, sqlite3_stmt *st) {
  if (h && h->on_row) h->on_row(h->ctx, st);
}

static int write_table(sqlite3_stmt *st, const cli_col *cols,
                       const cli_table_style *style, const cli_row_hooks *h,
                       FILE *out) {
  int ncols = shown_columns(st, h), rc;
  int header = !(style && style->no_header);
  col_fmt *f = calloc((size_t)ncols, sizeof *f);
  cell_buf b = {NULL, 0, 0, {NULL, 0, 0, 0, 0}};
  if (!f) return SQLITE_NOMEM;
  for (int i = 0; i < ncols; i++) {
    f[i].label = cols ? cols[i].label : sqlite3_column_name(st, i);
    f[i].align = cols ? cols[i].align : CLI_LEFT;
    f[i].w = cols ? (size_t)cols[i].min_width : 0;
    f[i].numeric = -1; /* unknown until a value is seen */
    f[i].kept = SIZE_MAX;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    row_seen(h, st);
    for (int i = 0; i < ncols; i++) {
      int t = sqlite3_column_type(st, i);
      const unsigned char *s = sqlite3_column_text(st, i);
      int n = sqlite3_column_bytes(st, i);
      if (push_cell(&b, s ? s : (const unsigned char *)"", s ? n : 0,
                    f[i].align == CLI_ATTACHED, &f[i].kept) != 0) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      if (t != SQLITE_NULL)
        f[i].numeric = (f[i].numeric != 0) &&
                       (t == SQLITE_INTEGER || t == SQLITE_FLOAT);
    }
  }
  if (rc != SQLITE_DONE) goto done;
  if (h && h->header_if_rows && !b.n) header = 0;

  /* Widths: the header's, then the data's. A column left out (NULL in
   * every row: numeric never learnt) is neither measured nor written. */
  int first = -1, last = -1;
  for (int i = 0; i < ncols; i++) {
    f[i].omitted = style && i < 32 && (style->omit_if_null >> i & 1u) && f[i].numeric == -1;
    if (f[i].omitted) continue;
    if (first < 0) first = i;
    last = i;
    if (!cols && f[i].numeric == 1) f[i].align = CLI_RIGHT;
    if (header) measure(&f[i], f[i].label ? f[i].label : "");
  }
  const char *cell = b.text;
  for (size_t k = 0; k < b.n; k++, cell = next_cell(cell))
    if (cell[0] != SAME_AS_ABOVE) measure(&f[k % (size_t)ncols], cell);

  line_out *line = malloc(sizeof *line);
  if (!line) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  line->out = out;
  line->blanks = line->n = 0;
  size_t from = header ? 0 : (size_t)ncols;
  cell = b.text;
  for (size_t k = from; k < b.n + (size_t)ncols; k++) {
    int i = (int)(k % (size_t)ncols);
    const char *v = k < (size_t)ncols ? (f[i].label ? f[i].label : "")
                                      : cell_text(cell, &f[i].above);
    if (k >= (size_t)ncols) cell = next_cell(cell);
    if (!f[i].omitted) {
      if (i != first && f[i].align != CLI_ATTACHED) pad(line, 1);
      put_cell(line, &f[i], v, i == last);
    }
    if (i == ncols - 1) end_line(line);
  }
  flush_lines(line);
  free(line);
done:
  pn_big_free(&b.mem);
  free(f);
  return rc;
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_field(FILE *out, const char *s, size_t n) {
  if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
      !memchr(s, '\r', n)) {
    fwrite(s, 1, n, out);
    return;
  }
  fputc('"', out);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') fputc('"', out);
    fputc(s[i], out);
  }
  fputc('"', out);
}

static int write_csv(sqlite3_stmt *st, const cli_col *cols,
                     const cli_table_style *style, const cli_row_hooks *hooks,
                     FILE *out) {
  int ncols = shown_columns(st, hooks), rc;
  for (int i = 0; !(style && style->no_header) && i < ncols; i++) {
    const char *h = cols ? cols[i].name : sqlite3_column_name(st, i);
    if (i) fputc(',', out);
    csv_field(out, h ? h : "", h ? strlen(h) : 0);
    if (i == ncols - 1) fputc('\n', out);
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    row_seen(hooks, st);
    for (int i = 0; i < ncols; i++) {
      if (i) fputc(',', out);
      const char *s = (const char *)sqlite3_column_text(st, i);
      if (s) csv_field(out, s, (size_t)sqlite3_column_bytes(st, i));
    }
    fputc('\n', out);
  }
  return rc;
}

/* ---- JSON ----------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_string(FILE *out, const unsigned char *s, size_t n) {
  fputc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      fputc('\\', out);
      fputc(c, out);
      i++;
    } else if (c < 0x20) {
      if (c == '\n') fputs("\\n", out);
      else if (c == '\t') fputs("\\t", out);
      else if (c == '\r') fputs("\\r", out);
      else fprintf(out, "\\u%04x", c);
      i++;
    } else {
      size_t len = utf8_len(s + i, n - i);
      if (len == 0) {
        fputs("\\ufffd", out);
        i++;
      } else {
        fwrite(s + i, 1, len, out);
        i += len;
      }
    }
  }
  fputc('"', out);
}

void cli_json_string(FILE *out, const char *s, size_t n) {
  json_string(out, (const unsigned char *)s, n);
}

void cli_json_column(FILE *out, sqlite3_stmt *st, int i) {
  switch (sqlite3_column_type(st, i)) {
  case SQLITE_NULL:
    fputs("null", out);
    break;
  case SQLITE_INTEGER:
    fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i));
    break;
  case SQLITE_FLOAT: {
    /* SQLite's own shortest text ("1.5", "1.0e+20") is valid JSON. */
    double d = sqlite3_column_double(st, i);
    const char *t = (const char *)sqlite3_column_text(st, i);
    fputs(t && isfinite(d) ? t : "null", out);
    break;
  }
  default: {
    const unsigned char *s = sqlite3_column_text(st, i);
    json_string(out, s ? s : (const unsigned char *)"",
                s ? (size_t)sqlite3_column_bytes(st, i) : 0);
  }
  }
}

static int write_json(sqlite3_stmt *st, const cli_col *cols, const cli_row_hooks *h,
                      FILE *out) {
  int ncols = shown_columns(st, h), rc;
  size_t nrows = 0;
  fputc('[', out);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    row_seen(h, st);
    fputs(nrows++ ? ",\n{" : "\n{", out);
    for (int i = 0; i < ncols; i++) {
      const char *k = cols ? cols[i].name : sqlite3_column_name(st, i);
      if (i) fputc(',', out);
      json_string(out, (const unsigned char *)(k ? k : ""), k ? strlen(k) : 0);
      fputc(':', out);
      cli_json_column(out, st, i);
    }
    fputc('}', out);
  }
  fputs(nrows ? "\n]\n" : "]\n", out);
  return rc;
}

int cli_write_rows_hooked(sqlite3_stmt *st, const cli_col *cols, cli_format fmt,
                          const cli_table_style *style, const cli_row_hooks *hooks,
                          FILE *out) {
  switch (fmt) {
  case CLI_CSV: return write_csv(st, cols, style, hooks, out);
  case CLI_JSON: return write_json(st, cols, hooks, out);
  case CLI_TABLE: break;
  }
  return write_table(st, cols, style, hooks, out);
}

int cli_write_rows(sqlite3_stmt *st, const cli_col *cols, cli_format fmt,
                   const cli_table_style *style, FILE *out) {
  return cli_write_rows_hooked(st, cols, fmt, style, NULL, out);
}
