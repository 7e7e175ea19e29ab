/*
 * fuzz_fdinfo.c: pn_parse_fdinfo on the whole input (/proc/PID/fdinfo/N),
 * then pn_next_epoll_tfd over it.
 *
 * On success: each have_ flag is 0 or 1 and is set only when its key starts
 * a line of the input; epoll_tfds counts the lines that start with "tfd:",
 * and pn_next_epoll_tfd lists at most that many descriptors, moving
 * forward through the input, whether or not the parse succeeded.
 */
#include "fuzz_common.h"

/* The lines of buf that start with key. */
static size_t lines_starting(const char *buf, size_t len, const char *key) {
  size_t n = strlen(key), count = 0;
  for (size_t i = 0; i + n <= len; i++)
    if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, key, n) == 0) count++;
  return count;
}

/* 1 if some line of buf starts with key. */
static int line_starts(const char *buf, size_t len, const char *key) {
  size_t n = strlen(key);
  for (size_t i = 0; i + n <= len; i++)
    if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, key, n) == 0)
      return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_fdinfo fi;
  if (pn_parse_fdinfo(buf, size, &fi) == 0) {
    FZ_CHECK(size > 0);
    FZ_CHECK(fi.have_pos == 0 || fi.have_pos == 1);
    FZ_CHECK(fi.have_flags == 0 || fi.have_flags == 1);
    FZ_CHECK(fi.have_mnt_id == 0 || fi.have_mnt_id == 1);
    FZ_CHECK(fi.have_ino == 0 || fi.have_ino == 1);
    FZ_CHECK(!fi.have_pos || line_starts(buf, size, "pos:"));
    FZ_CHECK(!fi.have_flags || line_starts(buf, size, "flags:"));
    FZ_CHECK(!fi.have_mnt_id || line_starts(buf, size, "mnt_id:"));
    FZ_CHECK(!fi.have_ino || line_starts(buf, size, "ino:"));
    FZ_CHECK(fi.have_eventfd_id == 0 || fi.have_eventfd_id == 1);
    FZ_CHECK(fi.have_pid == 0 || fi.have_pid == 1);
    FZ_CHECK(!fi.have_eventfd_id || line_starts(buf, size, "eventfd-id:"));
    FZ_CHECK(!fi.have_pid || line_starts(buf, size, "Pid:"));
    FZ_CHECK(fi.epoll_tfds == lines_starting(buf, size, "tfd:"));
  }
  size_t pos = 0, before = 0, listed = 0;
  int64_t fd;
  while (pn_next_epoll_tfd(buf, size, &pos, &fd)) {
    FZ_CHECK(pos > before && pos <= size);
    before = pos;
    listed++;
  }
  FZ_CHECK(listed <= lines_starting(buf, size, "tfd:"));
  free(buf);
  return 0;
}
