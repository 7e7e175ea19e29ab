/*
 * parse_unix.c: records of /proc/net/unix.
 *
 * The kernel prints (net/unix/af_unix.c, unix_seq_show):
 *   "%pK: %08X %08X %08X %04X %02X %5lu" then, for a bound socket, ' ' and
 *   the path byte by byte, then '\n'.
 * The path is not escaped: it keeps its spaces and may hold '\n', in which
 * case the record runs over several lines. Abstract names start with '@'
 * (their NUL bytes are printed as '@' too). The inode is right-aligned in
 * five columns, so it may be preceded by several spaces; the path is
 * preceded by exactly one.
 *
 * A line that starts like a record begins one; any other line continues the
 * path of the record before it (or is skipped when there is no such path:
 * the header, garbage, the tail of a skipped record).
 */
#include "parse_util.h"

#include <string.h>

/* End of the run of bytes satisfying pred that starts at i. */
static size_t run_end(pn_str s, size_t i, int (*pred)(char)) {
  while (i < s.n && pred(s.p[i])) i++;
  return i;
}

/* Reads the hex run at *i into v and moves *i past it. */
static int take_hex(pn_str s, size_t *i, uint64_t *v) {
  size_t end = run_end(s, *i, pn_is_hex_digit);
  if (pn_parse_hex(pn_slice(s.p + *i, end - *i), v) != 0) return -1;
  *i = end;
  return 0;
}

/* Requires one ' ' at *i and moves past it. */
static int take_space(pn_str s, size_t *i) {
  if (*i >= s.n || s.p[*i] != ' ') return -1;
  (*i)++;
  return 0;
}

/* "NUM: REF PROTO FLAGS" (NUM is the socket's kernel address, kept as
 * text). */
static int parse_unix_counts(pn_str s, size_t *i, pn_unix_sock *out) {
  uint64_t num;
  if (take_hex(s, i, &num) != 0) return -1;
  out->num = pn_slice(s.p, *i);
  if (*i >= s.n || s.p[*i] != ':') return -1;
  (*i)++;
  if (take_space(s, i) != 0 || take_hex(s, i, &out->refcount) != 0) return -1;
  if (take_space(s, i) != 0 || take_hex(s, i, &out->protocol) != 0) return -1;
  if (take_space(s, i) != 0 || take_hex(s, i, &out->flags) != 0) return -1;
  return 0;
}

/* " TYPE ST" followed by the blank-padded " INODE". */
static int parse_unix_kind(pn_str s, size_t *i, pn_unix_sock *out) {
  uint64_t type, state;
  size_t end;
  if (take_space(s, i) != 0 || take_hex(s, i, &type) != 0) return -1;
  if (take_space(s, i) != 0 || take_hex(s, i, &state) != 0) return -1;
  if (type > 0xFFFF || state > 0xFF) return -1;
  out->type = (int)type;
  out->state = (int)state;
  if (take_space(s, i) != 0) return -1;
  while (*i < s.n && s.p[*i] == ' ') (*i)++;
  end = run_end(s, *i, pn_is_dec_digit);
  if (pn_parse_udec(pn_slice(s.p + *i, end - *i), &out->inode) != 0) return -1;
  *i = end;
  return 0;
}

/* Parses the fixed columns of a record's first line. On success, the path
 * (if any) starts at line.p + *path_at and out->has_path tells whether the
 * socket is bound. Returns -1 for a line that does not start a record. */
static int parse_unix_head(pn_str line, pn_unix_sock *out, size_t *path_at) {
  size_t i = 0;
  memset(out, 0, sizeof *out);
  if (parse_unix_counts(line, &i, out) != 0) return -1;
  if (parse_unix_kind(line, &i, out) != 0) return -1;
  if (i == line.n) return 0;          /* unbound: no path */
  if (line.p[i] != ' ') return -1;    /* e.g. "1056x" */
  out->has_path = 1;
  *path_at = i + 1;
  return 0;
}

static int starts_a_record(pn_str line) {
  pn_unix_sock scratch;
  size_t path_at;
  return parse_unix_head(line, &scratch, &path_at) == 0;
}

/* Extends the path that starts in `first` over the following lines that do
 * not start a record. The buffer is contiguous, so the path stays one slice
 * with its '\n' bytes inside. Leaves *pos at the next record. */
static pn_str collect_path(const char *buf, size_t len, size_t *pos,
                           pn_str first, size_t path_at) {
  const char *start = first.p + path_at;
  const char *end = first.p + first.n;
  pn_str next;
  for (;;) {
    size_t before = *pos;
    if (!pn_next_line(buf, len, pos, &next)) break;
    if (starts_a_record(next)) {
      *pos = before;
      break;
    }
    end = next.p + next.n;
  }
  return pn_slice(start, (size_t)(end - start));
}

int pn_next_unix(const char *buf, size_t len, size_t *pos, pn_unix_sock *out) {
  pn_str line;
  size_t path_at = 0;
  while (pn_next_line(buf, len, pos, &line)) {
    if (parse_unix_head(line, out, &path_at) != 0) continue;
    if (!out->has_path) return 1;
    out->path = collect_path(buf, len, pos, line, path_at);
    /* The kernel prints NUL bytes of a name as '@', so a NUL here means the
     * text is damaged: skip the whole record. */
    if (!pn_has_nul(out->path)) return 1;
  }
  memset(out, 0, sizeof *out);
  return 0;
}
