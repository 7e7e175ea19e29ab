/*
 * parse_stat.c: /proc/PID/stat.
 *
 * "PID (COMM) STATE PPID PGRP SESSION TTY_NR TPGID FLAGS MINFLT CMINFLT
 *  MAJFLT CMAJFLT UTIME STIME CUTIME CSTIME PRIORITY NICE NUM_THREADS
 *  ITREALVALUE STARTTIME VSIZE RSS ..."
 *
 * COMM is whatever the process wrote to its name (prctl or /proc/PID/comm):
 * it may hold spaces, ')' and newlines, so it runs from the first '(' to the
 * LAST ')'. Every field after it is a plain number, which is why splitting
 * there is safe. Fields after RSS are not needed and not checked, so that
 * columns added by future kernels do not break parsing.
 */
#include "parse_util.h"

#include <stddef.h>
#include <string.h>

/* How one field after the command name is read and where it is stored. */
enum stat_kind {
  STAT_STATE,   /* one letter */
  STAT_I64,     /* signed decimal, stored */
  STAT_U64,     /* unsigned decimal, stored */
  STAT_CHECK_I, /* signed decimal, checked but not stored */
  STAT_CHECK_U  /* unsigned decimal, checked but not stored */
};

struct stat_field {
  enum stat_kind kind;
  size_t offset; /* into pn_stat; unused for the CHECK kinds */
};

#define STORE(kind, member) { kind, offsetof(pn_stat, member) }
#define CHECK(kind) { kind, 0 }

static int is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Reads one field into out according to f. */
static int store_stat_field(const struct stat_field *f, pn_str text,
                            pn_stat *out) {
  char *base = (char *)out;
  int64_t i;
  uint64_t u;
  switch (f->kind) {
  case STAT_STATE:
    if (text.n != 1 || !is_ascii_letter(text.p[0])) return -1;
    out->state = text.p[0];
    return 0;
  case STAT_I64:
    if (pn_parse_sdec(text, &i) != 0) return -1;
    memcpy(base + f->offset, &i, sizeof i);
    return 0;
  case STAT_U64:
    if (pn_parse_udec(text, &u) != 0) return -1;
    memcpy(base + f->offset, &u, sizeof u);
    return 0;
  case STAT_CHECK_I:
    return pn_parse_sdec(text, &i);
  case STAT_CHECK_U:
    return pn_parse_udec(text, &u);
  }
  return -1;
}

/* Parses "PID " (everything before the first '('). */
static int parse_stat_pid(pn_str head, int64_t *pid) {
  uint64_t u;
  if (head.n < 2 || head.p[head.n - 1] != ' ') return -1;
  if (pn_parse_udec(pn_slice(head.p, head.n - 1), &u) != 0) return -1;
  if (u > (uint64_t)INT64_MAX) return -1;
  *pid = (int64_t)u;
  return 0;
}

/* Offset of the last ')' in s, or s.n when there is none. */
static size_t last_close_paren(pn_str s) {
  size_t i = s.n;
  while (i > 0) {
    i--;
    if (s.p[i] == ')') return i;
  }
  return s.n;
}

/* Parses the fields after the command name: " S 1 2 ...". */
static int parse_stat_tail(pn_str tail, pn_stat *out) {
  /* The fields from STATE to RSS, in file order (proc(5)). */
  static const struct stat_field stat_fields[] = {
    STORE(STAT_STATE, state),
    STORE(STAT_I64, ppid),
    STORE(STAT_I64, pgrp),
    STORE(STAT_I64, session),
    STORE(STAT_I64, tty_nr),
    CHECK(STAT_CHECK_I),          /* tpgid: -1 without a terminal */
    CHECK(STAT_CHECK_U),          /* flags */
    CHECK(STAT_CHECK_U),          /* minflt */
    CHECK(STAT_CHECK_U),          /* cminflt */
    CHECK(STAT_CHECK_U),          /* majflt */
    CHECK(STAT_CHECK_U),          /* cmajflt */
    STORE(STAT_U64, utime),
    STORE(STAT_U64, stime),
    CHECK(STAT_CHECK_I),          /* cutime: clock_t, signed */
    CHECK(STAT_CHECK_I),          /* cstime */
    STORE(STAT_I64, priority),    /* negative for real-time tasks */
    STORE(STAT_I64, nice),
    STORE(STAT_I64, num_threads),
    CHECK(STAT_CHECK_I),          /* itrealvalue: always 0 since 2.6.17 */
    STORE(STAT_U64, starttime),
    STORE(STAT_U64, vsize),
    STORE(STAT_I64, rss),
  };
  size_t pos = 0, k;
  pn_str field;
  /* The file ends with one '\n'; the fields themselves are blank-separated. */
  if (tail.n > 0 && tail.p[tail.n - 1] == '\n') tail.n--;
  if (tail.n == 0 || tail.p[0] != ' ') return -1;
  for (k = 0; k < sizeof stat_fields / sizeof stat_fields[0]; k++) {
    if (!pn_next_field(tail, &pos, &field)) return -1;
    if (store_stat_field(&stat_fields[k], field, out) != 0) return -1;
  }
  return 0;
}

int pn_parse_stat(const char *buf, size_t len, pn_stat *out) {
  pn_str all = pn_slice(buf, len);
  const char *open;
  size_t open_at, close_at;
  if (buf == NULL || len == 0 || pn_has_nul(all)) return -1;
  memset(out, 0, sizeof *out);
  open = memchr(buf, '(', len);
  if (open == NULL) return -1;
  open_at = (size_t)(open - buf);
  close_at = last_close_paren(all);
  if (close_at == len || close_at < open_at) return -1;
  if (parse_stat_pid(pn_slice(buf, open_at), &out->pid) != 0) return -1;
  out->comm = pn_slice(open + 1, close_at - open_at - 1);
  return parse_stat_tail(pn_skip(all, close_at + 1), out);
}
