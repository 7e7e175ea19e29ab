/*
 * parse_locks.c: lines of /proc/locks (see parse.h for the format).
 *
 * The kernel prints each lock with "%lld:%s " then the class, mode and type
 * padded to fixed widths, "%d %02x:%02x:%lu " for the pid and the file, and
 * the range "%lld EOF" or "%lld %lld" (fs/locks.c, lock_get_status). A
 * waiter is printed under the lock it waits for, its id followed by "->".
 */
#include "parse_util.h"

#include <limits.h>
#include <string.h>

/* "READ", "WRITE" or "UNLCK" as 'R', 'W', 'U'. */
static int parse_lock_type(pn_str s, int *type) {
  if (pn_str_eq(s, "READ")) *type = 'R';
  else if (pn_str_eq(s, "WRITE")) *type = 'W';
  else if (pn_str_eq(s, "UNLCK")) *type = 'U';
  else return -1;
  return 0;
}

/* "MAJ:MIN:INODE", MAJ and MIN hex. */
static int parse_lock_file(pn_str s, pn_lock_line *out) {
  pn_str maj, rest, min, ino;
  uint64_t a, b;
  if (pn_split_at(s, ':', &maj, &rest) != 0 || pn_split_at(rest, ':', &min, &ino) != 0)
    return -1;
  if (pn_parse_hex(maj, &a) != 0 || pn_parse_hex(min, &b) != 0 || a > UINT_MAX ||
      b > UINT_MAX)
    return -1;
  out->dev_major = (unsigned)a;
  out->dev_minor = (unsigned)b;
  return pn_parse_udec(ino, &out->inode);
}

/* START and END. */
static int parse_lock_range(pn_str start, pn_str end, pn_lock_line *out) {
  if (pn_parse_udec(start, &out->start) != 0) return -1;
  if (pn_str_eq(end, "EOF")) {
    out->to_eof = 1;
    return 0;
  }
  return pn_parse_udec(end, &out->end);
}

int pn_parse_lock_line(const char *line, size_t len, pn_lock_line *out) {
  pn_str s = pn_slice(line, len), id, arrow, f[8];
  size_t pos = 0, at;
  int64_t n;
  if (line == NULL || len == 0 || pn_has_nul(s)) return -1;
  memset(out, 0, sizeof *out);
  if (!pn_next_field(s, &pos, &id) || id.n < 2 || id.p[id.n - 1] != ':' ||
      pn_parse_sdec(pn_slice(id.p, id.n - 1), &n) != 0)
    return -1;
  at = pos;
  if (pn_next_field(s, &at, &arrow) && pn_str_eq(arrow, "->")) {
    out->waiting = 1;
    pos = at;
  }
  /* CLASS MODE TYPE PID FILE START END, and nothing after */
  for (int i = 0; i < 7; i++)
    if (!pn_next_field(s, &pos, &f[i])) return -1;
  if (pn_next_field(s, &pos, &f[7])) return -1;
  out->lock_class = f[0];
  if (parse_lock_type(f[2], &out->type) != 0) return -1;
  if (pn_parse_sdec(f[3], &out->pid) != 0) return -1;
  if (parse_lock_file(f[4], out) != 0) return -1;
  return parse_lock_range(f[5], f[6], out);
}
