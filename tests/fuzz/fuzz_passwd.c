/*
 * fuzz_passwd.c: pn_parse_passwd_line on the whole input (one line of
 * /etc/passwd).
 *
 * On success: not a comment, no NUL; name, home and shell are slices of the
 * input, name is non-empty and holds no ':', the shell runs to the end of
 * the input; uid and gid are non-negative.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_passwd pw;
  if (pn_parse_passwd_line(buf, size, &pw) == 0) {
    FZ_CHECK(size > 0 && buf[0] != '#');
    FZ_CHECK(memchr(buf, '\0', size) == NULL);
    FZ_CHECK(fz_inside(pw.name, buf, size));
    FZ_CHECK(fz_inside(pw.home, buf, size));
    FZ_CHECK(fz_inside(pw.shell, buf, size));
    FZ_CHECK(pw.name.p == buf && pw.name.n > 0);
    FZ_CHECK(memchr(pw.name.p, ':', pw.name.n) == NULL);
    FZ_CHECK(pw.home.n == 0 || memchr(pw.home.p, ':', pw.home.n) == NULL);
    FZ_CHECK(pw.shell.p + pw.shell.n == buf + size);
    FZ_CHECK(pw.uid >= 0 && pw.gid >= 0);
    fz_sink(fz_touch(pw.name) ^ fz_touch(pw.home) ^ fz_touch(pw.shell));
  }
  free(buf);
  return 0;
}
