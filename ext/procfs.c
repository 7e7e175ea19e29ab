/*
 * procfs.c: reading files, links and directories of a /proc tree through
 * openat(2) on a root fd, with errno classified in one place (pn_classify).
 */
#include "procfs.h"

#include "parse.h"
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* /proc files report size 0, so reads grow the buffer; start at one page and
 * double. The cap keeps a hostile tree from exhausting memory. */
#define PN_READ_CHUNK 4096
#define PN_FILE_MAX ((size_t)1 << 30)

pn_res pn_classify(int err) {
  switch (err) {
  case 0: return PN_OK;
  case ENOENT:
  case ESRCH:
  case ENOTDIR: /* a pid dir replaced by something else: gone for us */
    return PN_GONE;
  case EACCES:
  case EPERM:
    return PN_DENIED;
  default:
    return PN_FAIL;
  }
}

const char *pn_res_text(pn_res r, int err) {
  switch (r) {
  case PN_OK: return "ok";
  case PN_GONE: return "no such process";
  case PN_DENIED: return "permission denied";
  case PN_FAIL: break;
  }
  return err == ENOMEM ? "out of memory" : strerror(err);
}

void pn_counters_add(pn_counters *to, const pn_counters *from) {
  to->files_read += from->files_read;
  to->net_files_read += from->net_files_read;
  to->dirs_listed += from->dirs_listed;
  to->fd_dirs_listed += from->fd_dirs_listed;
  to->links_read += from->links_read;
  to->netlink_dumps += from->netlink_dumps;
  to->netlink_requests += from->netlink_requests;
}

void pn_buf_free(pn_buf *b) {
  sqlite3_free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

static int buf_reserve(pn_buf *b, size_t want) {
  if (want <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : PN_READ_CHUNK;
  while (cap < want) cap *= 2;
  char *p = sqlite3_realloc64(b->p, cap);
  if (!p) return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

int pn_buf_set(pn_buf *b, const char *p, size_t n) {
  if (buf_reserve(b, n ? n : 1)) return -1;
  memcpy(b->p, p, n);
  b->n = n;
  return 0;
}

int pn_buf_grow(pn_buf *b, size_t more) {
  if (b->n > SIZE_MAX - more) return -1;
  return buf_reserve(b, b->n + more);
}

void *pn_array_room(void *v, size_t n, size_t *cap, size_t size, size_t first) {
  if (n < *cap) return v;
  size_t ncap = *cap ? *cap * 2 : first;
  if (ncap > SIZE_MAX / size) return NULL;
  void *nv = sqlite3_realloc64(v, (sqlite3_uint64)ncap * size);
  if (nv) *cap = ncap;
  return nv;
}

char *pn_buf_strdup(const pn_buf *b) {
  char *s = sqlite3_malloc64(b->n + 1);
  if (!s) return NULL;
  if (b->n) memcpy(s, b->p, b->n);
  s[b->n] = 0;
  return s;
}

static int base_fd(const pn_fs *fs, int dir) { return dir < 0 ? fs->rootfd : dir; }

static int looks_like_proc(int fd) {
  struct stat st;
  if (fstatat(fd, "net", &st, 0) == 0 && S_ISDIR(st.st_mode)) return 1;
  int dup_fd = dup(fd);
  if (dup_fd < 0) return 0;
  DIR *d = fdopendir(dup_fd);
  if (!d) {
    close(dup_fd);
    return 0;
  }
  int64_t pid;
  int found = pn_next_numeric(d, &pid);
  closedir(d);
  return found;
}

static int open_root(pn_fs *fs, const char *root, const char *what,
                     pn_counters *cnt, char **err) {
  fs->cnt = cnt;
  fs->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fs->rootfd >= 0) return 0;
  *err = sqlite3_mprintf("procnet: cannot open %s '%s': %s", what, root,
                         strerror(errno));
  return -1;
}

int pn_fs_open_dir(pn_fs *fs, const char *dir, char **err) {
  return open_root(fs, dir, "host root", NULL, err);
}

int pn_fs_open(pn_fs *fs, const char *root, pn_counters *cnt, char **err) {
  if (open_root(fs, root, "proc root", cnt, err) != 0) return -1;
  if (!looks_like_proc(fs->rootfd)) {
    *err = sqlite3_mprintf(
        "procnet: '%s' is not a proc tree (no process directories, no net/)",
        root);
    pn_fs_close(fs);
    return -1;
  }
  return 0;
}

int pn_fs_is_own_proc(const pn_fs *fs) {
  struct stat a, b;
  return fstat(fs->rootfd, &a) == 0 && stat("/proc", &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void pn_fs_close(pn_fs *fs) {
  if (fs->rootfd >= 0) close(fs->rootfd);
  fs->rootfd = -1;
}

/* Reads fd to its end after what b holds. */
static pn_res read_to_end(int fd, pn_buf *b, int *err) {
  for (;;) {
    if (b->cap - b->n < PN_READ_CHUNK / 2 || !b->p) {
      if (b->n >= PN_FILE_MAX || buf_reserve(b, b->n + PN_READ_CHUNK)) {
        *err = ENOMEM;
        return PN_FAIL;
      }
    }
    ssize_t got = read(fd, b->p + b->n, b->cap - b->n);
    if (got == 0) return PN_OK;
    if (got < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return pn_classify(errno);
    }
    b->n += (size_t)got;
  }
}

pn_res pn_open_file(const pn_fs *fs, int dir, const char *rel, int *fd,
                    int *err) {
  *err = 0;
  *fd = openat(base_fd(fs, dir), rel, O_RDONLY | O_CLOEXEC);
  if (*fd < 0) {
    *err = errno;
    return pn_classify(errno);
  }
  if (fs->cnt) {
    fs->cnt->files_read++;
    if (strstr(rel, "net/")) fs->cnt->net_files_read++;
  }
  return PN_OK;
}

pn_res pn_read_more(int fd, pn_buf *b, size_t want, int *eof, int *err) {
  *eof = 0;
  *err = 0;
  if (b->n >= PN_FILE_MAX || buf_reserve(b, b->n + want)) {
    *err = ENOMEM;
    return PN_FAIL;
  }
  for (;;) {
    ssize_t got = read(fd, b->p + b->n, want);
    if (got >= 0) {
      b->n += (size_t)got;
      *eof = got == 0;
      return PN_OK;
    }
    if (errno != EINTR) {
      *err = errno;
      return pn_classify(errno);
    }
  }
}

#define PN_LINES_PIECE 65536
pn_res pn_read_lines(int fd, pn_line_fn *take, void *arg, int *rc, int *err) {
  int eof = 0;
  pn_buf piece = {0};
  pn_res r = PN_OK;
  *rc = 0;
  while (!eof && *rc == 0) {
    r = pn_read_more(fd, &piece, PN_LINES_PIECE, &eof, err);
    if (r != PN_OK) break;
    size_t start = 0;
    const char *nl;
    while (*rc == 0 && (nl = memchr(piece.p + start, '\n', piece.n - start))) {
      size_t end = (size_t)(nl - piece.p);
      *rc = take(arg, piece.p + start, end - start);
      start = end + 1;
    }
    if (eof && start < piece.n && *rc == 0) /* no final newline */
      *rc = take(arg, piece.p + start, piece.n - start);
    memmove(piece.p, piece.p + start, piece.n - start);
    piece.n -= start;
  }
  pn_buf_free(&piece);
  return r;
}

pn_res pn_read_file(const pn_fs *fs, int dir, const char *rel, pn_buf *b,
                    int *err) {
  b->n = 0;
  return pn_append_file(fs, dir, rel, b, err);
}

pn_res pn_append_file(const pn_fs *fs, int dir, const char *rel, pn_buf *b,
                      int *err) {
  size_t before = b->n;
  int fd;
  pn_res r = pn_open_file(fs, dir, rel, &fd, err);
  if (r != PN_OK) return r;
  r = read_to_end(fd, b, err);
  close(fd);
  if (r != PN_OK) b->n = before;
  return r;
}

pn_res pn_read_link(const pn_fs *fs, int dir, const char *rel, pn_buf *b,
                    int *err) {
  *err = 0;
  b->n = 0;
  if (buf_reserve(b, 256)) {
    *err = ENOMEM;
    return PN_FAIL;
  }
  if (fs->cnt) fs->cnt->links_read++;
  for (;;) {
    ssize_t got = readlinkat(base_fd(fs, dir), rel, b->p, b->cap);
    if (got < 0) {
      *err = errno;
      return pn_classify(errno);
    }
    if ((size_t)got < b->cap) {
      b->n = (size_t)got;
      return PN_OK;
    }
    /* Possibly truncated: grow and retry (PATH_MAX is not a real limit for
     * link text in /proc, e.g. long socket paths of deleted files). */
    if (b->cap >= PN_FILE_MAX || buf_reserve(b, b->cap * 2)) {
      *err = ENOMEM;
      return PN_FAIL;
    }
  }
}

static pn_res stat_with(const pn_fs *fs, int dir, const char *rel,
                        struct stat *st, int flags, int *err) {
  *err = 0;
  if (fstatat(base_fd(fs, dir), rel, st, flags) == 0) return PN_OK;
  *err = errno;
  return pn_classify(errno);
}

pn_res pn_stat_at(const pn_fs *fs, int dir, const char *rel, struct stat *st,
                  int *err) {
  return stat_with(fs, dir, rel, st, 0, err);
}

pn_res pn_lstat_at(const pn_fs *fs, int dir, const char *rel, struct stat *st,
                   int *err) {
  return stat_with(fs, dir, rel, st, AT_SYMLINK_NOFOLLOW, err);
}

pn_res pn_getxattr_at(const pn_fs *fs, int dir, const char *rel,
                      const char *name, char *out, size_t cap, size_t *len,
                      int *err) {
  /* The C library has no getxattrat: the path goes through the reader's
   * /proc/self/fd/DIR, which names the directory whatever the root is. */
  char path[64];
  *err = 0;
  *len = 0;
  if (snprintf(path, sizeof path, "/proc/self/fd/%d/%s", base_fd(fs, dir), rel) >=
      (int)sizeof path) {
    *err = ENAMETOOLONG;
    return PN_FAIL;
  }
  ssize_t n = getxattr(path, name, out, cap);
  if (n < 0) {
    *err = errno;
    return pn_classify(errno);
  }
  *len = (size_t)n;
  return PN_OK;
}

pn_res pn_open_pid(const pn_fs *fs, int64_t pid, int *fd, int *err) {
  char name[24];
  *err = 0;
  snprintf(name, sizeof name, "%lld", (long long)pid);
  *fd = openat(fs->rootfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*fd >= 0) return PN_OK;
  *err = errno;
  return pn_classify(errno);
}

pn_res pn_open_subdir(const pn_fs *fs, int dir, const char *rel, int *fd,
                      int *err) {
  *err = 0;
  *fd = openat(base_fd(fs, dir), rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*fd >= 0) return PN_OK;
  *err = errno;
  return pn_classify(errno);
}

pn_res pn_open_dir(const pn_fs *fs, int dir, const char *rel, void **dirp,
                   int *err) {
  *err = 0;
  *dirp = NULL;
  int fd = openat(base_fd(fs, dir), rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return pn_classify(errno);
  }
  DIR *d = fdopendir(fd);
  if (!d) {
    *err = errno;
    close(fd);
    return pn_classify(*err);
  }
  if (fs->cnt) {
    fs->cnt->dirs_listed++;
    if (strcmp(rel, "fd") == 0) fs->cnt->fd_dirs_listed++;
  }
  *dirp = d;
  return PN_OK;
}

static int parse_pid_name(const char *s, int64_t *num) {
  int64_t v = 0;
  if (!*s) return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return 0;
    v = v * 10 + (*s - '0');
  }
  *num = v;
  return 1;
}

int pn_next_numeric(void *dirp, int64_t *num) {
  struct dirent *e;
  /* readdir's errors (the directory vanished under us: ENOENT) end the
   * listing like its end does; the rows already produced stay valid. */
  while ((e = readdir((DIR *)dirp)) != NULL) {
    if (parse_pid_name(e->d_name, num)) return 1;
  }
  return 0;
}

void pn_close_dir(void *dirp) {
  if (dirp) closedir((DIR *)dirp);
}

pn_res pn_open_ns(const pn_fs *fs, int64_t pid, const char *kind, int *fd,
                  int *err) {
  char rel[48];
  *err = 0;
  snprintf(rel, sizeof rel, "%lld/ns/%s", (long long)pid, kind);
  *fd = openat(fs->rootfd, rel, O_RDONLY | O_CLOEXEC);
  if (*fd >= 0) return PN_OK;
  *err = errno;
  return pn_classify(errno);
}

pn_res pn_read_ns(const pn_fs *fs, int piddir, const char *kind,
                  uint64_t *inode, pn_buf *scratch, int *err) {
  char rel[32];
  snprintf(rel, sizeof rel, "ns/%s", kind);
  pn_res r = pn_read_link(fs, piddir, rel, scratch, err);
  if (r != PN_OK) return r;
  if (pn_parse_bracket_inode(scratch->p, scratch->n, kind, inode) != 0) {
    *err = EINVAL;
    return PN_FAIL;
  }
  return PN_OK;
}
