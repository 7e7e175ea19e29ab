/*
 * fuzz_status.c: pn_parse_status on the whole input (/proc/PID/status).
 *
 * On success: the have_ flags are 0 or 1; ids are 32-bit (0..UINT32_MAX);
 * a flag is set only if its key occurs in the input.
 */
#include "fuzz_common.h"

static int has_text(const char *buf, size_t len, const char *lit) {
  size_t n = strlen(lit);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(buf + i, lit, n) == 0) return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_status st;
  if (pn_parse_status(buf, size, &st) == 0) {
    FZ_CHECK(st.have_uid == 0 || st.have_uid == 1);
    FZ_CHECK(st.have_gid == 0 || st.have_gid == 1);
    FZ_CHECK(!st.have_uid || has_text(buf, size, "Uid:"));
    FZ_CHECK(!st.have_gid || has_text(buf, size, "Gid:"));
    for (int k = 0; k < 4; k++) {
      if (st.have_uid) FZ_CHECK(st.uid[k] >= 0 && st.uid[k] <= UINT32_MAX);
      if (st.have_gid) FZ_CHECK(st.gid[k] >= 0 && st.gid[k] <= UINT32_MAX);
    }
  }
  free(buf);
  return 0;
}
