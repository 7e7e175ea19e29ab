/*
 * fuzz_mountinfo.c: pn_parse_mountinfo_line on the whole input (one line
 * of /proc/PID/mountinfo), then pn_unescape_mount on its mount point and
 * on the whole input.
 *
 * On success: the ids are non-negative; root, mount point, type and
 * source are non-empty slices of the input, in that order, without
 * blanks. pn_unescape_mount writes at most cap bytes (into exact-size heap
 * blocks, whole and half, so ASan sees any overrun), returns the same
 * length whatever the cap, never more than its input, and keeps every
 * byte that is not part of an escape.
 */
#include "fuzz_common.h"

static void check_unescape(pn_str s) {
  size_t whole = pn_unescape_mount(s, NULL, 0);
  FZ_CHECK(whole <= s.n);
  char *out = malloc(whole ? whole : 1);
  if (!out) abort();
  FZ_CHECK(pn_unescape_mount(s, out, whole) == whole);
  if (memchr(s.p, '\\', s.n) == NULL) FZ_CHECK(whole == s.n && memcmp(out, s.p, s.n) == 0);
  char *half = malloc(whole / 2 ? whole / 2 : 1);
  if (!half) abort();
  FZ_CHECK(pn_unescape_mount(s, half, whole / 2) == whole);
  FZ_CHECK(memcmp(half, out, whole / 2) == 0);
  free(half);
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_mountinfo m;
  pn_str all = {buf, size};
  check_unescape(all);
  if (pn_parse_mountinfo_line(buf, size, &m) == 0) {
    FZ_CHECK(m.id >= 0 && m.parent >= 0);
    FZ_CHECK(fz_inside(m.root, buf, size) && m.root.n > 0 && fz_no_blank(m.root));
    FZ_CHECK(fz_inside(m.mount_point, buf, size) && m.mount_point.n > 0 &&
             fz_no_blank(m.mount_point));
    FZ_CHECK(fz_inside(m.fstype, buf, size) && m.fstype.n > 0 && fz_no_blank(m.fstype));
    FZ_CHECK(fz_inside(m.source, buf, size) && m.source.n > 0 && fz_no_blank(m.source));
    FZ_CHECK(m.root.p < m.mount_point.p && m.mount_point.p < m.fstype.p &&
             m.fstype.p < m.source.p);
    check_unescape(m.mount_point);
  }
  free(buf);
  return 0;
}
