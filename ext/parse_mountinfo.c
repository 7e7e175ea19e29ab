/*
 * parse_mountinfo.c: one line of /proc/PID/mountinfo (see parse.h).
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
 *
 * The optional fields (shared:N, master:N, ...) run up to a lone "-";
 * the three fields after it are the filesystem type, the source and the
 * superblock options. procnet reads it to find namespaces bind-mounted
 * under /run/netns (ip netns add), which no process may be in.
 */
#include "parse_util.h"

static int is_octal(char c) { return c >= '0' && c <= '7'; }


int pn_parse_mountinfo_line(const char *line, size_t len, pn_mountinfo *out) {
  pn_str s = pn_slice(line, len), f[6];
  size_t pos = 0;
  uint64_t v;
  for (int i = 0; i < 6; i++)
    if (!pn_next_field(s, &pos, &f[i])) return -1;
  if (pn_parse_udec(f[0], &v) != 0 || v > INT64_MAX) return -1;
  out->id = (int64_t)v;
  if (pn_parse_udec(f[1], &v) != 0 || v > INT64_MAX) return -1;
  out->parent = (int64_t)v;
  out->root = f[3];
  out->mount_point = f[4];
  pn_str opt;
  do { /* the optional fields, up to the separator */
    if (!pn_next_field(s, &pos, &opt)) return -1;
  } while (!pn_str_eq(opt, "-"));
  if (!pn_next_field(s, &pos, &out->fstype)) return -1;
  if (!pn_next_field(s, &pos, &out->source)) return -1;
  return 0;
}

size_t pn_unescape_mount(pn_str s, char *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < s.n; i++) {
    char c = s.p[i];
    /* the kernel escapes one byte as \NNN: the first digit is 0 to 3 */
    if (c == '\\' && s.n - i >= 4 && s.p[i + 1] >= '0' && s.p[i + 1] <= '3' &&
        is_octal(s.p[i + 2]) && is_octal(s.p[i + 3])) {
      c = (char)((s.p[i + 1] - '0') << 6 | (s.p[i + 2] - '0') << 3 | (s.p[i + 3] - '0'));
      i += 3;
    }
    if (n < cap) out[n] = c;
    n++;
  }
  return n;
}
