/*
 * test_parse_fd.c: /proc/PID/fd/N link targets and /proc/PID/fdinfo/N
 * (ext/parse_fd.c).
 *
 * tests/fixtures/captured/fdlinks holds "label<TAB>readlink text" for one
 * descriptor of each kind opened by capture.py on this kernel, and
 * fdinfo_<label> the matching fdinfo file.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "unit_helpers.h"

/* ---- link targets -------------------------------------------------------- */

/* The readlink text captured for label, as an exact-size heap copy. */
static char *captured_link(const char *label, size_t *n) {
  size_t len, pos = 0, want = strlen(label);
  pn_str line;
  char *all = load_fixture("fdlinks", &len), *out = NULL;
  while (out == NULL && pn_next_line(all, len, &pos, &line)) {
    if (line.n > want && memcmp(line.p, label, want) == 0 &&
        line.p[want] == '\t') {
      *n = line.n - want - 1;
      out = dup_exact(line.p + want + 1, *n);
    }
  }
  free(all);
  if (out == NULL) fail_msg("no link %s in fdlinks", label);
  return out;
}

/* Parses the captured link of label into *l; returns the buffer to free. */
static char *parse_captured(const char *label, pn_fdlink *l) {
  size_t n = 0;
  char *b = captured_link(label, &n);
  assert_int_equal(pn_parse_fdlink(b, n, l), 0);
  return b;
}

static void test_captured_paths(void **state) {
  pn_fdlink l;
  char *b;
  (void)state;
  b = parse_captured("devnull", &l);
  assert_int_equal(l.kind, PN_FD_PATH);
  assert_slice(l.path, "/dev/null");
  assert_int_equal(l.deleted, 0);
  assert_int_equal(l.has_inode, 0);
  free(b);
  b = parse_captured("dir", &l);
  assert_int_equal(l.kind, PN_FD_PATH);
  assert_slice(l.path, "/tmp/procnet capture");
  free(b);
  b = parse_captured("deleted", &l);
  assert_int_equal(l.kind, PN_FD_PATH);
  assert_slice(l.path, "/tmp/procnet capture/deleted file.txt");
  assert_int_equal(l.deleted, 1);
  free(b);
  /* a memfd is a path, and always "deleted" */
  b = parse_captured("memfd", &l);
  assert_int_equal(l.kind, PN_FD_PATH);
  assert_slice(l.path, "/memfd:procnet memfd");
  assert_int_equal(l.deleted, 1);
  free(b);
}

static void test_captured_inode_kinds(void **state) {
  pn_fdlink l;
  char *b;
  (void)state;
  b = parse_captured("socket", &l);
  assert_int_equal(l.kind, PN_FD_SOCKET);
  assert_int_equal(l.has_inode, 1);
  assert_int_equal(l.inode, 8658);
  free(b);
  b = parse_captured("pipe_r", &l);
  assert_int_equal(l.kind, PN_FD_PIPE);
  assert_int_equal(l.inode, 8657);
  free(b);
  b = parse_captured("pipe_w", &l);
  assert_int_equal(l.kind, PN_FD_PIPE);
  assert_int_equal(l.inode, 8657);
  free(b);
  b = parse_captured("netns", &l);
  assert_int_equal(l.kind, PN_FD_NET);
  assert_int_equal(l.has_inode, 1);
  assert_int_equal(l.inode, 4026531833u);
  free(b);
}

static void test_captured_anon_inodes(void **state) {
  static const struct {
    const char *label, *name;
  } cases[] = {
    {"eventfd", "[eventfd]"},     {"eventpoll", "[eventpoll]"},
    {"signalfd", "[signalfd]"},   {"timerfd", "[timerfd]"},
    {"inotify", "inotify"},
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    pn_fdlink l;
    char *b = parse_captured(cases[k].label, &l);
    assert_int_equal(l.kind, PN_FD_ANON);
    assert_slice(l.name, cases[k].name);
    assert_int_equal(l.has_inode, 0);
    free(b);
  }
}

/* Even on 6.18 (pidfs), readlink of a pidfd says "anon_inode:[pidfd]". */
static void test_captured_pidfd(void **state) {
  pn_fdlink l;
  char *b = parse_captured("pidfd", &l);
  (void)state;
  assert_int_equal(l.kind, PN_FD_PIDFD);
  assert_int_equal(l.has_inode, 0);
  free(b);
}

static int parse_link_n(const char *text, size_t n, pn_fdlink *l,
                        char **keep) {
  *keep = dup_exact(text, n);
  return pn_parse_fdlink(*keep, n, l);
}
#define PARSE_LINK(lit, l, keep) parse_link_n((lit), sizeof(lit) - 1, (l), (keep))

static void test_synthetic_kinds(void **state) {
  pn_fdlink l;
  char *b;
  (void)state;
  assert_int_equal(PARSE_LINK("pidfd:[3762]", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_PIDFD);
  assert_int_equal(l.has_inode, 1);
  assert_int_equal(l.inode, 3762);
  free(b);
  assert_int_equal(PARSE_LINK("socket:[18446744073709551615]", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_SOCKET);
  assert_true(l.inode == UINT64_MAX);
  free(b);
  assert_int_equal(PARSE_LINK("mqueue:[77]", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_OTHER);
  assert_slice(l.name, "mqueue");
  assert_int_equal(l.has_inode, 1);
  assert_int_equal(l.inode, 77);
  free(b);
  assert_int_equal(PARSE_LINK("xyz", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_OTHER);
  assert_slice(l.name, "xyz");
  assert_int_equal(l.has_inode, 0);
  free(b);
  assert_int_equal(PARSE_LINK("foo:bar", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_OTHER);
  assert_slice(l.name, "foo");
  assert_int_equal(l.has_inode, 0);
  free(b);
  assert_int_equal(PARSE_LINK("anon_inode:bpf-map", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_ANON);
  assert_slice(l.name, "bpf-map");
  free(b);
}

static void test_synthetic_paths(void **state) {
  pn_fdlink l;
  char *b;
  (void)state;
  assert_int_equal(PARSE_LINK("/", &l, &b), 0);
  assert_slice(l.path, "/");
  free(b);
  /* only one suffix is the kernel's; the rest is the file's name */
  assert_int_equal(PARSE_LINK("/x (deleted) (deleted)", &l, &b), 0);
  assert_slice(l.path, "/x (deleted)");
  assert_int_equal(l.deleted, 1);
  free(b);
  assert_int_equal(PARSE_LINK("/x(deleted)", &l, &b), 0);
  assert_slice(l.path, "/x(deleted)");
  assert_int_equal(l.deleted, 0);
  free(b);
  assert_int_equal(PARSE_LINK("/a\nb c", &l, &b), 0);
  assert_slice(l.path, "/a\nb c");
  free(b);
  /* a path that looks like a pseudo file is still a path */
  assert_int_equal(PARSE_LINK("/socket:[5]", &l, &b), 0);
  assert_int_equal(l.kind, PN_FD_PATH);
  free(b);
}

static void test_long_path(void **state) {
  size_t n = 10000 + strlen(" (deleted)"), k;
  char *b = malloc(n);
  pn_fdlink l;
  (void)state;
  assert_non_null(b);
  b[0] = '/';
  for (k = 1; k < 10000; k++) b[k] = (char)('a' + k % 26);
  memcpy(b + 10000, " (deleted)", strlen(" (deleted)"));
  assert_int_equal(pn_parse_fdlink(b, n, &l), 0);
  assert_int_equal(l.kind, PN_FD_PATH);
  assert_ptr_equal(l.path.p, b);
  assert_int_equal(l.path.n, 10000);
  assert_int_equal(l.deleted, 1);
  assert_int_equal(pn_parse_fdlink(b, 10000, &l), 0);
  assert_int_equal(l.path.n, 10000);
  assert_int_equal(l.deleted, 0);
  free(b);
}

static void test_link_rejects(void **state) {
  static const char *const bad[] = {
    "",
    "socket:[18446744073709551616]",
    "socket:[]",
    "socket:[12",
    "socket:12",
    "socket:[1]x",
    "socket:[-1]",
    "socket:[0x1]",
    "pipe:",
    "net:[abc]",
    "pidfd:[]",
    "anon_inode:",
  };
  size_t k;
  (void)state;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pn_fdlink l;
    char *b;
    if (parse_link_n(bad[k], strlen(bad[k]), &l, &b) != -1)
      fail_msg("accepted: %s", bad[k]);
    free(b);
  }
}

static void test_link_nul_bytes(void **state) {
  pn_fdlink l;
  char *b;
  (void)state;
  assert_int_equal(PARSE_LINK("/tmp/a\0b", &l, &b), -1);
  free(b);
  assert_int_equal(PARSE_LINK("socket:[1\0]", &l, &b), -1);
  free(b);
  assert_int_equal(PARSE_LINK("\0", &l, &b), -1);
  free(b);
  assert_int_equal(pn_parse_fdlink(NULL, 0, &l), -1);
}

/* Every prefix of "socket:[8658]" but the whole is malformed or OTHER. */
static void test_link_every_prefix(void **state) {
  static const char text[] = "socket:[8658]";
  size_t n = sizeof text - 1, cut;
  (void)state;
  for (cut = 0; cut <= n; cut++) {
    pn_fdlink l;
    char *b;
    int rc = parse_link_n(text, cut, &l, &b);
    if (cut == n) {
      assert_int_equal(rc, 0);
      assert_int_equal(l.kind, PN_FD_SOCKET);
      assert_int_equal(l.inode, 8658);
    } else if (cut == 0 || cut >= strlen("socket:")) {
      assert_int_equal(rc, -1);
    } else {
      assert_int_equal(rc, 0);
      assert_int_equal(l.kind, PN_FD_OTHER); /* "sock" is just a name */
    }
    free(b);
  }
}

/* ---- fdinfo -------------------------------------------------------------- */

static void parse_fdinfo_fixture(const char *name, pn_fdinfo *fi) {
  size_t len;
  char *buf = load_fixture(name, &len);
  assert_int_equal(pn_parse_fdinfo(buf, len, fi), 0);
  assert_int_equal(fi->have_pos, 1);
  assert_int_equal(fi->have_flags, 1);
  assert_int_equal(fi->have_mnt_id, 1);
  assert_int_equal(fi->have_ino, 1);
  free(buf);
}

static void test_fdinfo_captured_file(void **state) {
  pn_fdinfo fi;
  (void)state;
  parse_fdinfo_fixture("fdinfo_deleted", &fi);
  assert_int_equal(fi.pos, 6);
  /* O_RDWR | O_APPEND | O_LARGEFILE | O_CLOEXEC, printed in octal */
  assert_int_equal(fi.flags, 02102002);
  assert_true(fi.flags & O_CLOEXEC);
  assert_true(fi.flags & O_APPEND);
  assert_int_equal(fi.flags & O_ACCMODE, O_RDWR);
  assert_int_equal(fi.mnt_id, 26);
  assert_int_equal(fi.ino, 10952962);
}

static void test_fdinfo_captured_kinds(void **state) {
  pn_fdinfo fi;
  (void)state;
  parse_fdinfo_fixture("fdinfo_socket", &fi);
  assert_int_equal(fi.ino, 8658);
  assert_int_equal(fi.flags, 02000002);
  assert_int_equal(fi.mnt_id, 10);
  parse_fdinfo_fixture("fdinfo_pipe_w", &fi);
  assert_int_equal(fi.flags & O_ACCMODE, O_WRONLY);
  assert_int_equal(fi.ino, 8657);
  parse_fdinfo_fixture("fdinfo_netns", &fi);
  assert_int_equal(fi.ino, 4026531833u);
  assert_int_equal(fi.mnt_id, 3);
  parse_fdinfo_fixture("fdinfo_memfd", &fi);
  assert_int_equal(fi.mnt_id, 0);
  assert_int_equal(fi.ino, 24);
  /* the pidfs inode shows up here although the link has none */
  parse_fdinfo_fixture("fdinfo_pidfd", &fi);
  assert_int_equal(fi.ino, 3762);
  assert_int_equal(fi.mnt_id, 4);
}

/* Type-specific lines are ignored, including the epoll "tfd:" line that
 * holds " pos:0 ino:40e" (hex!) in its middle and "settime flags: 00". */
static void test_fdinfo_captured_extra_lines(void **state) {
  static const char *const names[] = {"fdinfo_eventfd", "fdinfo_eventpoll",
                                      "fdinfo_inotify", "fdinfo_timerfd",
                                      "fdinfo_signalfd"};
  size_t k;
  (void)state;
  for (k = 0; k < sizeof names / sizeof names[0]; k++) {
    pn_fdinfo fi;
    parse_fdinfo_fixture(names[k], &fi);
    assert_int_equal(fi.pos, 0);
    assert_int_equal(fi.ino, 1038);
    assert_int_equal(fi.mnt_id, 17);
  }
  {
    pn_fdinfo fi;
    parse_fdinfo_fixture("fdinfo_timerfd", &fi);
    assert_int_equal(fi.flags, 02);
    parse_fdinfo_fixture("fdinfo_inotify", &fi);
    assert_int_equal(fi.flags, 0);
  }
}

/* What lsof names anonymous files by: an eventfd's id, a pidfd's process,
 * an epoll set's watched descriptors. */
static void test_fdinfo_captured_lsof_names(void **state) {
  pn_fdinfo fi;
  size_t len, pos = 0;
  int64_t fd;
  (void)state;
  parse_fdinfo_fixture("fdinfo_eventfd", &fi);
  assert_int_equal(fi.have_eventfd_id, 1);
  assert_int_equal(fi.eventfd_id, 1);
  assert_int_equal(fi.have_pid + (int)fi.epoll_tfds, 0);
  parse_fdinfo_fixture("fdinfo_pidfd", &fi);
  assert_int_equal(fi.have_pid, 1);
  assert_int_equal(fi.pid, 3761); /* NSpid: is not Pid: */
  assert_int_equal(fi.have_eventfd_id, 0);
  /* a pty master: the number of its slave, /dev/pts/0 */
  parse_fdinfo_fixture("fdinfo_ptmx", &fi);
  assert_int_equal(fi.have_tty_index, 1);
  assert_int_equal(fi.tty_index, 0);
  assert_int_equal(fi.have_eventfd_id + fi.have_pid, 0);
  char *buf = load_fixture("fdinfo_eventpoll", &len);
  assert_int_equal(pn_parse_fdinfo(buf, len, &fi), 0);
  assert_int_equal(fi.epoll_tfds, 1);
  assert_int_equal(pn_next_epoll_tfd(buf, len, &pos, &fd), 1);
  assert_int_equal(fd, 33);
  assert_int_equal(pn_next_epoll_tfd(buf, len, &pos, &fd), 0);
  free(buf);
}

static int parse_fdinfo_n(const char *text, size_t n, pn_fdinfo *fi) {
  char *b = dup_exact(text, n);
  int rc = pn_parse_fdinfo(b, n, fi);
  free(b);
  return rc;
}
#define PARSE_FDINFO(lit, fi) parse_fdinfo_n((lit), sizeof(lit) - 1, (fi))

static void test_fdinfo_synthetic(void **state) {
  pn_fdinfo fi;
  (void)state;
  assert_int_equal(PARSE_FDINFO("pos:  -1  \nflags:0100000\nmnt_id:\t-5\n"
                                "ino:\t18446744073709551615",
                                &fi), 0);
  assert_int_equal(fi.pos, -1);
  assert_int_equal(fi.flags, 0100000);
  assert_int_equal(fi.mnt_id, -5);
  assert_true(fi.ino == UINT64_MAX);
  assert_int_equal(PARSE_FDINFO("eventfd-count: 3\n", &fi), 0);
  assert_int_equal(fi.have_pos + fi.have_flags + fi.have_mnt_id + fi.have_ino,
                   0);
  assert_int_equal(PARSE_FDINFO("flags:\t02\n", &fi), 0);
  assert_int_equal(fi.have_flags, 1);
  assert_int_equal(fi.have_pos, 0);
  assert_int_equal(fi.have_ino, 0);
  /* the widest octal number that fits 64 bits */
  assert_int_equal(PARSE_FDINFO("flags:\t01777777777777777777777\n", &fi), 0);
  assert_true(fi.flags == UINT64_MAX);
}

/* Open flags as this kernel prints them: O_PATH | O_CLOEXEC (captured
 * from a socket's file opened by path, which lsof shows as G0x280000), and
 * O_RDONLY alone (inotify: 0, which lsof still prints). */
static void test_fdinfo_captured_flags(void **state) {
  pn_fdinfo fi;
  (void)state;
  parse_fdinfo_fixture("fdinfo_opath", &fi);
  assert_int_equal(fi.have_flags, 1);
  assert_int_equal(fi.flags, 0x280000);
  assert_int_equal(PARSE_FDINFO("pos:\t0\nflags:\t00\nmnt_id:\t16\nino:\t26\n"
                                "inotify wd:1 ino:2 sdev:fe00001 mask:fff ignored_mask:0\n",
                                &fi), 0);
  assert_int_equal(fi.have_flags, 1);
  assert_int_equal(fi.flags, 0);
}

/* Several watched descriptors, in the kernel's order; a tfd line whose
 * number does not read is counted but not listed. */
static void test_fdinfo_epoll_lines(void **state) {
  static const char text[] = "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t1038\n"
                             "tfd:        9 events:       19 data: 9  pos:0 ino:1a sdev:10\n"
                             "tfd:        4 events:       19 data: 4\n"
                             "tfd:       x events:       19\n"
                             "tfd:       12";
  size_t n = sizeof text - 1, pos = 0;
  char *b = dup_exact(text, n);
  pn_fdinfo fi;
  int64_t fd, got[4];
  int k = 0;
  (void)state;
  assert_int_equal(pn_parse_fdinfo(b, n, &fi), 0);
  assert_int_equal(fi.epoll_tfds, 4);
  while (k < 4 && pn_next_epoll_tfd(b, n, &pos, &fd)) got[k++] = fd;
  assert_int_equal(k, 3);
  assert_int_equal(got[0], 9);
  assert_int_equal(got[1], 4);
  assert_int_equal(got[2], 12);
  pos = 0;
  assert_int_equal(pn_next_epoll_tfd(NULL, 0, &pos, &fd), 0);
  assert_int_equal(pn_next_epoll_tfd(b, 0, &pos, &fd), 0);
  free(b);
  /* a pidfd whose process has been reaped */
  assert_int_equal(PARSE_FDINFO("pos:\t0\nPid:\t-1\nNSpid:\t-1\n", &fi), 0);
  assert_int_equal(fi.have_pid, 1);
  assert_int_equal(fi.pid, -1);
}

static void test_fdinfo_rejects(void **state) {
  pn_fdinfo fi;
  (void)state;
  assert_int_equal(PARSE_FDINFO("", &fi), -1);
  assert_int_equal(pn_parse_fdinfo(NULL, 0, &fi), -1);
  assert_int_equal(PARSE_FDINFO("flags:\t08\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("flags:\t\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("flags:\t02000000000000000000000\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("flags:\t-1\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("flags:\t0x10\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("flags:\t02 1\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("pos:\t99999999999999999999\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("ino:\t18446744073709551616\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("ino:\t-1\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("ino:\t1 2\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("mnt_id:\tx\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("pos:\t1\0\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("eventfd-id: x\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("eventfd-id:\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("tty-index: -\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("Pid:\t12 13\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("Pid:\t99999999999999999999\n", &fi), -1);
  assert_int_equal(PARSE_FDINFO("pos:\t0\nflags:\t02\nino:\t1\0", &fi), -1);
}

/* Cuts of a captured fdinfo never crash; a cut inside "flags:\t02102002"
 * gives a shorter octal number but never a wrong pos. */
static void test_fdinfo_every_prefix(void **state) {
  size_t len, cut;
  char *buf = load_fixture("fdinfo_deleted", &len);
  (void)state;
  for (cut = 0; cut <= len; cut++) {
    pn_fdinfo fi;
    int rc = parse_fdinfo_n(buf, cut, &fi);
    if (cut == 0) assert_int_equal(rc, -1);
    if (rc == 0 && fi.have_flags) assert_int_equal(fi.pos, 6);
    if (rc == 0 && fi.have_ino) assert_int_equal(fi.mnt_id, 26);
  }
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_captured_paths),
    cmocka_unit_test(test_captured_inode_kinds),
    cmocka_unit_test(test_captured_anon_inodes),
    cmocka_unit_test(test_captured_pidfd),
    cmocka_unit_test(test_synthetic_kinds),
    cmocka_unit_test(test_synthetic_paths),
    cmocka_unit_test(test_long_path),
    cmocka_unit_test(test_link_rejects),
    cmocka_unit_test(test_link_nul_bytes),
    cmocka_unit_test(test_link_every_prefix),
    cmocka_unit_test(test_fdinfo_captured_file),
    cmocka_unit_test(test_fdinfo_captured_kinds),
    cmocka_unit_test(test_fdinfo_captured_extra_lines),
    cmocka_unit_test(test_fdinfo_captured_lsof_names),
    cmocka_unit_test(test_fdinfo_synthetic),
    cmocka_unit_test(test_fdinfo_captured_flags),
    cmocka_unit_test(test_fdinfo_epoll_lines),
    cmocka_unit_test(test_fdinfo_rejects),
    cmocka_unit_test(test_fdinfo_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
