/*
 * parse_passwd.c: one line of /etc/passwd (see parse.h). Used to print user
 * names the way lsof does without NSS, which a static binary in a bare
 * container does not have.
 */
#include "parse.h"
#include "parse_util.h"

int pn_parse_passwd_line(const char *line, size_t len, pn_passwd *out) {
  pn_str rest = pn_slice(line, len), field[7];
  if (len == 0 || line[0] == '#' || pn_has_nul(rest)) return -1;
  for (int i = 0; i < 6; i++)
    if (pn_split_at(rest, ':', &field[i], &rest) != 0) return -1;
  field[6] = rest;
  uint64_t uid, gid;
  if (field[0].n == 0 || pn_parse_udec(field[2], &uid) != 0 ||
      pn_parse_udec(field[3], &gid) != 0 || uid > INT64_MAX || gid > INT64_MAX)
    return -1;
  out->name = field[0];
  out->uid = (int64_t)uid;
  out->gid = (int64_t)gid;
  out->home = field[5];
  out->shell = field[6];
  return 0;
}
