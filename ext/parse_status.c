/*
 * parse_status.c: the Uid: and Gid: lines of /proc/PID/status.
 *
 * "Uid:\t0\t0\t0\t0" holds the real, effective, saved and filesystem ids.
 * The kernel separates them with tabs; blanks of either kind are accepted.
 * Other lines are not looked at, so their content cannot make parsing fail.
 */
#include "parse_util.h"

#include <string.h>

/* Parses the four ids after "Uid:" / "Gid:". Ids are 32-bit in the kernel
 * (from_kuid_munged), so a larger number is not an id. Nothing but blanks
 * may follow the fourth. */
static int parse_four_ids(pn_str rest, int64_t ids[4]) {
  size_t pos = 0;
  pn_str field;
  uint64_t v;
  int k;
  for (k = 0; k < 4; k++) {
    if (!pn_next_field(rest, &pos, &field)) return -1;
    if (pn_parse_udec(field, &v) != 0 || v > UINT32_MAX) return -1;
    ids[k] = (int64_t)v;
  }
  return pn_next_field(rest, &pos, &field) ? -1 : 0;
}

/* If line is "KEY ids", parses it into ids and sets *have. Returns -1 only
 * for a KEY line whose ids are malformed. */
static int parse_id_line(pn_str line, const char *key, int64_t ids[4],
                         int *have) {
  if (!pn_starts_with(line, key)) return 0;
  if (parse_four_ids(pn_skip(line, strlen(key)), ids) != 0) return -1;
  *have = 1;
  return 0;
}

int pn_parse_status(const char *buf, size_t len, pn_status *out) {
  size_t pos = 0;
  pn_str line;
  if (buf == NULL || len == 0) return -1;
  memset(out, 0, sizeof *out);
  while (pn_next_line(buf, len, &pos, &line)) {
    if (parse_id_line(line, "Uid:", out->uid, &out->have_uid) != 0) return -1;
    if (parse_id_line(line, "Gid:", out->gid, &out->have_gid) != 0) return -1;
  }
  return 0;
}
