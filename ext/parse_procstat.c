/*
 * parse_procstat.c: /proc/stat, the system's (not a process's: that is
 * parse_stat.c).
 *
 * Only the boot time is read: fs/proc/stat.c prints it as "btime %llu", the
 * seconds since the epoch. The value becomes a start time by adding a
 * process's seconds since boot, so anything above INT64_MAX is refused
 * rather than wrapped into a negative time.
 */
#include "parse_util.h"

/* Parses the fields after "btime": one unsigned decimal, nothing else. */
static int parse_btime_value(pn_str line, size_t pos, int64_t *out) {
  pn_str num, extra;
  uint64_t v;
  if (!pn_next_field(line, &pos, &num)) return -1;
  if (pn_next_field(line, &pos, &extra)) return -1;
  if (pn_parse_udec(num, &v) != 0 || v > (uint64_t)INT64_MAX) return -1;
  *out = (int64_t)v;
  return 0;
}

int pn_parse_btime(const char *buf, size_t len, int64_t *out) {
  size_t pos = 0;
  pn_str line;
  while (pn_next_line(buf, len, &pos, &line)) {
    size_t at = 0;
    pn_str key;
    if (!pn_next_field(line, &at, &key) || !pn_str_eq(key, "btime")) continue;
    return parse_btime_value(line, at, out);
  }
  return -1;
}
