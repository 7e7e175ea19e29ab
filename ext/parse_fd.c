/*
 * parse_fd.c: /proc/PID/fd/N link targets and /proc/PID/fdinfo/N.
 *
 * A link target is what readlink(2) returns for the descriptor:
 *   "/path" or "/path (deleted)"        a file, directory, device, memfd, ...
 *   "socket:[N]" "pipe:[N]" "net:[N]"   pseudo files named by inode
 *   "pidfd:[N]"                         pidfs (6.9+); older kernels give
 *   "anon_inode:[pidfd]"                ... this, which has no inode number
 *   "anon_inode:[eventfd]" "anon_inode:inotify" ...  anonymous inodes
 *   "mqueue:[N]", "xyz:[N]", "xyz"      anything else: PN_FD_OTHER
 */
#include "parse_util.h"

#include <string.h>

/* An absolute path, maybe with the " (deleted)" the kernel appends to the
 * name of an unlinked file. A file really named "x (deleted)" looks the
 * same; readlink cannot tell them apart either. */
static int parse_path_target(pn_str s, pn_fdlink *out) {
  static const char suffix[] = " (deleted)";
  size_t sn = sizeof suffix - 1;
  out->kind = PN_FD_PATH;
  if (s.n > sn && memcmp(s.p + s.n - sn, suffix, sn) == 0) {
    s.n -= sn;
    out->deleted = 1;
  }
  out->path = s;
  return 0;
}

/* "anon_inode:NAME": NAME is "[eventfd]", "inotify", "[pidfd]", ... */
static int parse_anon_target(pn_str name, pn_fdlink *out) {
  if (name.n == 0) return -1;
  out->kind = pn_str_eq(name, "[pidfd]") ? PN_FD_PIDFD : PN_FD_ANON;
  out->name = name;
  return 0;
}

/* Maps the part before ':' to a kind that requires "[N]" after it, or
 * returns PN_FD_OTHER. */
static pn_fd_kind kind_of_prefix(pn_str prefix) {
  if (pn_str_eq(prefix, "socket")) return PN_FD_SOCKET;
  if (pn_str_eq(prefix, "pipe")) return PN_FD_PIPE;
  if (pn_str_eq(prefix, "net")) return PN_FD_NET;
  if (pn_str_eq(prefix, "pidfd")) return PN_FD_PIDFD;
  return PN_FD_OTHER;
}

/* "kind:[N]" for the kinds we know, "xyz:[N]" or any other text for
 * PN_FD_OTHER. A known kind without a valid "[N]" is malformed; an unknown
 * one simply has no inode. */
static int parse_typed_target(pn_str s, pn_fdlink *out) {
  pn_str prefix, rest;
  if (pn_split_at(s, ':', &prefix, &rest) != 0) {
    out->kind = PN_FD_OTHER;
    out->name = s;
    return 0;
  }
  out->kind = kind_of_prefix(prefix);
  out->has_inode = pn_parse_bracketed_udec(rest, &out->inode) == 0;
  if (out->kind == PN_FD_OTHER) {
    out->name = prefix;
    return 0;
  }
  return out->has_inode ? 0 : -1;
}

int pn_parse_fdlink(const char *buf, size_t len, pn_fdlink *out) {
  pn_str s = pn_slice(buf, len);
  if (buf == NULL || len == 0 || pn_has_nul(s)) return -1;
  memset(out, 0, sizeof *out);
  if (s.p[0] == '/') return parse_path_target(s, out);
  if (pn_starts_with(s, "anon_inode:"))
    return parse_anon_target(pn_skip(s, strlen("anon_inode:")), out);
  return parse_typed_target(s, out);
}

/* ---- fdinfo -------------------------------------------------------------- */

/* If line is "KEY:\tVALUE", returns 1 with the value (blanks trimmed). */
static int fdinfo_value(pn_str line, const char *key, pn_str *value) {
  if (!pn_starts_with(line, key)) return 0;
  *value = pn_trim_right(pn_trim_left(pn_skip(line, strlen(key))));
  return 1;
}

/* The number that starts a "tfd:" line's value ("3 events: 19 ..."). */
static int parse_tfd(pn_str value, int64_t *fd) {
  size_t at = 0;
  pn_str first;
  return pn_next_field(value, &at, &first) ? pn_parse_sdec(first, fd) : -1;
}

/* Parses one fdinfo line; lines other than those we know are ignored
 * (eventfd-count:, inotify wd:, ...). A "tfd:" line is counted, its number
 * read by pn_next_epoll_tfd. */
static int parse_fdinfo_line(pn_str line, pn_fdinfo *out) {
  pn_str v;
  if (fdinfo_value(line, "tfd:", &v)) {
    out->epoll_tfds++;
    return 0;
  }
  if (fdinfo_value(line, "eventfd-id:", &v)) {
    out->have_eventfd_id = 1;
    return pn_parse_sdec(v, &out->eventfd_id);
  }
  if (fdinfo_value(line, "tty-index:", &v)) {
    out->have_tty_index = 1;
    return pn_parse_sdec(v, &out->tty_index);
  }
  if (fdinfo_value(line, "Pid:", &v)) {
    out->have_pid = 1;
    return pn_parse_sdec(v, &out->pid);
  }
  if (fdinfo_value(line, "pos:", &v)) {
    out->have_pos = 1;
    return pn_parse_sdec(v, &out->pos); /* loff_t, printed with %lli */
  }
  if (fdinfo_value(line, "flags:", &v)) {
    out->have_flags = 1;
    return pn_parse_oct(v, &out->flags); /* printed as 0%o */
  }
  if (fdinfo_value(line, "mnt_id:", &v)) {
    out->have_mnt_id = 1;
    return pn_parse_sdec(v, &out->mnt_id);
  }
  if (fdinfo_value(line, "ino:", &v)) {
    out->have_ino = 1;
    return pn_parse_udec(v, &out->ino);
  }
  return 0;
}

int pn_parse_fdinfo(const char *buf, size_t len, pn_fdinfo *out) {
  size_t pos = 0;
  pn_str line;
  if (buf == NULL || len == 0) return -1;
  memset(out, 0, sizeof *out);
  while (pn_next_line(buf, len, &pos, &line))
    if (parse_fdinfo_line(line, out) != 0) return -1;
  return 0;
}

int pn_next_epoll_tfd(const char *buf, size_t len, size_t *pos, int64_t *fd) {
  pn_str line, v;
  if (buf == NULL) return 0;
  while (pn_next_line(buf, len, pos, &line))
    if (fdinfo_value(line, "tfd:", &v) && parse_tfd(v, fd) == 0) return 1;
  return 0;
}
