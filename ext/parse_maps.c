/*
 * parse_maps.c: lines of /proc/PID/maps.
 *
 *   "start-end perms offset major:minor inode" then, when the mapping has a
 *   name, blank padding and the name.
 * start, end, offset, major and minor are hex, inode is decimal. The name is
 * kept raw: a path (with its spaces and a " (deleted)" suffix), "[heap]",
 * "[stack]", "[anon:NAME]", ... The kernel escapes '\n' in paths as "\012",
 * so a mapping is always one line. A nameless mapping's line ends with the
 * blank after the inode.
 */
#include "parse_util.h"

#include <limits.h>
#include <string.h>

/* Parses "A<sep>B" with both halves hex. */
static int parse_hex_range(pn_str s, char sep, uint64_t *a, uint64_t *b) {
  pn_str left, right;
  if (pn_split_at(s, sep, &left, &right) != 0) return -1;
  if (pn_parse_hex(left, a) != 0) return -1;
  return pn_parse_hex(right, b);
}

/* Copies "rwxp"-style permissions, checking each column's letter. */
static int parse_perms(pn_str s, char perms[5]) {
  static const char allowed[4][3] = {"r-", "w-", "x-", "ps"};
  size_t k;
  if (s.n != 4) return -1;
  for (k = 0; k < 4; k++) {
    if (s.p[k] != allowed[k][0] && s.p[k] != allowed[k][1]) return -1;
    perms[k] = s.p[k];
  }
  perms[4] = '\0';
  return 0;
}

/* Parses "major:minor" (hex). */
static int parse_dev(pn_str s, unsigned *major, unsigned *minor) {
  uint64_t ma, mi;
  if (parse_hex_range(s, ':', &ma, &mi) != 0) return -1;
  if (ma > UINT_MAX || mi > UINT_MAX) return -1;
  *major = (unsigned)ma;
  *minor = (unsigned)mi;
  return 0;
}

/* The five fixed columns. */
static int parse_map_columns(pn_str s, size_t *pos, pn_map *out) {
  pn_str f;
  if (!pn_next_field(s, pos, &f) ||
      parse_hex_range(f, '-', &out->start, &out->end) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f) || parse_perms(f, out->perms) != 0) return -1;
  if (!pn_next_field(s, pos, &f) || pn_parse_hex(f, &out->offset) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f) ||
      parse_dev(f, &out->dev_major, &out->dev_minor) != 0)
    return -1;
  if (!pn_next_field(s, pos, &f) || pn_parse_udec(f, &out->inode) != 0)
    return -1;
  return 0;
}

int pn_parse_maps_line(const char *line, size_t len, pn_map *out) {
  pn_str s = pn_slice(line, len);
  size_t pos = 0;
  if (line == NULL || len == 0 || pn_has_nul(s)) return -1;
  memset(out, 0, sizeof *out);
  if (parse_map_columns(s, &pos, out) != 0) return -1;
  /* The name is everything after the padding, trailing blanks included
   * (they belong to the file name). A nameless mapping gets an empty slice
   * that still points into the line. */
  out->path = pn_trim_left(pn_skip(s, pos));
  return 0;
}
