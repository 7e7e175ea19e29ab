/*
 * fuzz_fdlink.c: pn_parse_fdlink and pn_parse_bracket_inode on the whole
 * input (the text readlink(2) returns for /proc/PID/fd/N and ns/X).
 *
 * On success: the kind is one of the enum; name and path are slices of the
 * input; a PATH starts with '/' and is the input less " (deleted)" exactly
 * when deleted is set; SOCKET, PIPE and NET have an inode, and it is the one
 * pn_parse_bracket_inode finds for the same prefix.
 */
#include "fuzz_common.h"

static const char DELETED[] = " (deleted)";
static const char ANON[] = "anon_inode:";

static void check_bracket(const char *buf, size_t size, const char *prefix) {
  uint64_t ino = 0;
  if (pn_parse_bracket_inode(buf, size, prefix, &ino) != 0) return;
  /* "prefix[:][N]": at least "[0]" after the prefix, ending in ']'. */
  FZ_CHECK(size >= strlen(prefix) + 3);
  FZ_CHECK(memcmp(buf, prefix, strlen(prefix)) == 0);
  FZ_CHECK(buf[size - 1] == ']');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_copy(data, size);
  pn_fdlink l;
  if (pn_parse_fdlink(buf, size, &l) == 0) {
    FZ_CHECK(size > 0);
    FZ_CHECK(memchr(buf, '\0', size) == NULL);
    FZ_CHECK(l.kind >= PN_FD_PATH && l.kind <= PN_FD_OTHER);
    FZ_CHECK(l.has_inode == 0 || l.has_inode == 1);
    FZ_CHECK(l.deleted == 0 || l.deleted == 1);
    FZ_CHECK(fz_inside(l.name, buf, size));
    FZ_CHECK(fz_inside(l.path, buf, size));
    fz_sink(fz_touch(l.name) ^ fz_touch(l.path));
    uint64_t ino = 0;
    switch (l.kind) {
    case PN_FD_PATH:
      FZ_CHECK(buf[0] == '/' && l.path.p == buf);
      if (l.deleted) {
        size_t sn = sizeof DELETED - 1;
        FZ_CHECK(l.path.n + sn == size && l.path.n > 0);
        FZ_CHECK(memcmp(buf + l.path.n, DELETED, sn) == 0);
      } else {
        FZ_CHECK(l.path.n == size);
      }
      FZ_CHECK(!l.has_inode && l.name.n == 0);
      break;
    case PN_FD_SOCKET:
      FZ_CHECK(l.has_inode);
      FZ_CHECK(pn_parse_bracket_inode(buf, size, "socket", &ino) == 0);
      FZ_CHECK(ino == l.inode);
      break;
    case PN_FD_PIPE:
      FZ_CHECK(l.has_inode);
      FZ_CHECK(pn_parse_bracket_inode(buf, size, "pipe:", &ino) == 0);
      FZ_CHECK(ino == l.inode);
      break;
    case PN_FD_NET:
      FZ_CHECK(l.has_inode);
      FZ_CHECK(pn_parse_bracket_inode(buf, size, "net", &ino) == 0);
      FZ_CHECK(ino == l.inode);
      break;
    case PN_FD_PIDFD:
      if (!l.has_inode) {
        FZ_CHECK(size == strlen(ANON) + 7);
        FZ_CHECK(memcmp(buf, "anon_inode:[pidfd]", size) == 0);
      }
      break;
    case PN_FD_ANON:
      FZ_CHECK(size > strlen(ANON) && memcmp(buf, ANON, strlen(ANON)) == 0);
      FZ_CHECK(l.name.p == buf + strlen(ANON));
      FZ_CHECK(l.name.n == size - strlen(ANON));
      break;
    case PN_FD_OTHER:
      FZ_CHECK(l.name.p == buf);
      break;
    }
  }
  /* The namespace-link form, with and without the colon in the prefix. */
  check_bracket(buf, size, "net");
  check_bracket(buf, size, "net:");
  check_bracket(buf, size, "socket");
  check_bracket(buf, size, "");
  free(buf);
  return 0;
}
