/*
 * procfs.h: access to a /proc tree (layer 2).
 *
 * Everything is relative to a root directory fd (default "/proc"; tests use
 * fixture trees, a container may use "/host/proc"), opened with openat(2).
 * This is the one place that turns errno into a verdict:
 *
 *   PN_OK      the read worked
 *   PN_GONE    ENOENT, ESRCH: the process (or the file) is not there; skip
 *   PN_DENIED  EACCES, EPERM: not allowed; skip but report it where a table
 *              has a place for that (fds.error)
 *   PN_FAIL    anything else (ENOMEM, EIO, ...): an error for the query
 *
 * Memory comes from sqlite3_malloc so that an application's allocator (and
 * the out-of-memory tests) see every byte.
 */
#ifndef PROCNET_PROCFS_H
#define PROCNET_PROCFS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef enum pn_res { PN_OK = 0, PN_GONE, PN_DENIED, PN_FAIL } pn_res;

/* What a connection has read, for tests and for users who want to know what
 * a query cost (SELECT procnet_stats()). Owned by the connection's context. */
typedef struct pn_counters {
  int64_t files_read;       /* whole files read (stat, status, net/tcp, ...) */
  int64_t net_files_read;   /* of those, files under PID/net/ */
  int64_t dirs_listed;      /* directory listings (root, PID/fd, ...) */
  int64_t fd_dirs_listed;   /* of those, PID/fd listings */
  int64_t links_read;       /* readlink calls */
  int64_t netlink_dumps;    /* sock_diag dumps (socket files not read) */
  int64_t netlink_requests; /* sock_diag requests for one socket */
} pn_counters;

/* Adds what `from` counted to `to` (a helper thread's reads). */
void pn_counters_add(pn_counters *to, const pn_counters *from);

/* A growing buffer owned by a cursor and reused for every read. */
typedef struct pn_buf {
  char *p;
  size_t n;                 /* bytes of content */
  size_t cap;
} pn_buf;
void pn_buf_free(pn_buf *b);
/* Replaces the content with n bytes of p; 0, or -1 when out of memory. */
int pn_buf_set(pn_buf *b, const char *p, size_t n);
/* Makes room for `more` bytes after the content; 0, or -1. */
int pn_buf_grow(pn_buf *b, size_t more);
/* Copies the content into a fresh NUL-terminated sqlite3_malloc'd string. */
char *pn_buf_strdup(const pn_buf *b);

/* Room for one more element in a growing sqlite3_malloc'd array holding n
 * elements of `size` bytes (capacity *cap): v as it is when there is room,
 * else v reallocated to twice its capacity (`first` when empty) and *cap
 * updated. NULL when out of memory; v is then unchanged and still owned by
 * the caller. */
void *pn_array_room(void *v, size_t n, size_t *cap, size_t size, size_t first);

/* One open /proc root. */
typedef struct pn_fs {
  int rootfd;
  pn_counters *cnt;         /* may be NULL */
} pn_fs;

pn_res pn_classify(int err);
/* 1 when a read failed for want of memory: the one failure a table turns
 * into SQLITE_NOMEM instead of skipping the process or file. */
static inline int pn_is_nomem(pn_res r, int err) {
  return r == PN_FAIL && err == ENOMEM;
}
/* A short lowercase text for a verdict and errno, e.g. "permission denied". */
const char *pn_res_text(pn_res r, int err);

/* Opens root (must be a directory that looks like a proc tree: it has a
 * numeric entry or a "net" directory). On failure returns -1 and sets *err
 * to a sqlite3_malloc'd message naming the path. */
int pn_fs_open(pn_fs *fs, const char *root, pn_counters *cnt, char **err);
void pn_fs_close(pn_fs *fs);
/* Opens any directory as the root of reads (the host root that container
 * runtimes' state files are read under), not checked to be a proc tree,
 * with no counters. 0, or -1 and *err as pn_fs_open. */
int pn_fs_open_dir(pn_fs *fs, const char *dir, char **err);
/* 1 when fs's root is the caller's own /proc (not a fixture tree, not
 * another pid namespace's /host/proc): its pids are the caller's, its
 * self/ is the caller. */
int pn_fs_is_own_proc(const pn_fs *fs);

/* Reads the whole file dir/rel (dir = -1 means the root) into b. */
pn_res pn_read_file(const pn_fs *fs, int dir, const char *rel, pn_buf *b,
                    int *err);
/* The same, appended to what b holds (kept as it was if the read fails):
 * a snapshot of several files is read in place, without a copy. */
pn_res pn_append_file(const pn_fs *fs, int dir, const char *rel, pn_buf *b,
                      int *err);
/* A file read a piece at a time, for files too big to want whole (net/tcp
 * of a busy host): pn_open_file, then pn_read_more until *eof. */
pn_res pn_open_file(const pn_fs *fs, int dir, const char *rel, int *fd,
                    int *err);
/* Appends up to `want` more bytes of fd to b; sets *eof at the end. */
pn_res pn_read_more(int fd, pn_buf *b, size_t want, int *eof, int *err);

/* Reads fd to its end a piece at a time and hands each line (without its
 * '\n'; a last line without one too) to take, which returns 0 to go on
 * or an SQLite code to stop with (*rc gets it). The memory held is a
 * piece and a line, not the file. */
typedef int pn_line_fn(void *arg, const char *line, size_t len);
pn_res pn_read_lines(int fd, pn_line_fn *take, void *arg, int *rc, int *err);

/* Reads the link dir/rel into b (no NUL terminator counted in b->n). */
pn_res pn_read_link(const pn_fs *fs, int dir, const char *rel, pn_buf *b,
                    int *err);
/* stat(2) of dir/rel, following links (the descriptor's target for fd/N). */
pn_res pn_stat_at(const pn_fs *fs, int dir, const char *rel, struct stat *st,
                  int *err);
/* The extended attribute `name` of dir/rel, links followed (a socket's
 * "system.sockprotoname" through PID/fd/N): at most cap bytes into out,
 * its length in *len. */
pn_res pn_getxattr_at(const pn_fs *fs, int dir, const char *rel,
                      const char *name, char *out, size_t cap, size_t *len,
                      int *err);
/* lstat(2) of dir/rel: for fd/N, the link itself, whose permission bits
 * are the descriptor's open mode (S_IRUSR read, S_IWUSR write). */
pn_res pn_lstat_at(const pn_fs *fs, int dir, const char *rel, struct stat *st,
                   int *err);
/* Opens the directory of one process ("PID") as an O_PATH fd. */
pn_res pn_open_pid(const pn_fs *fs, int64_t pid, int *fd, int *err);
/* Opens the directory dir/rel (a task's "task/TID") as an O_PATH fd. */
pn_res pn_open_subdir(const pn_fs *fs, int dir, const char *rel, int *fd,
                      int *err);
/* Opens dir/rel for listing. The caller owns the DIR*. */
pn_res pn_open_dir(const pn_fs *fs, int dir, const char *rel, void **dirp,
                   int *err);
/* Next numeric entry of an open directory; returns 1 with *num, 0 at end.
 * Non-numeric names (".", "self", "net", ...) are skipped. */
int pn_next_numeric(void *dirp, int64_t *num);
void pn_close_dir(void *dirp);

/* Opens the namespace file PID/ns/<kind> (for setns(2)); the caller owns
 * *fd. */
pn_res pn_open_ns(const pn_fs *fs, int64_t pid, const char *kind, int *fd,
                  int *err);

/* Reads "net:[N]"-style namespace links: PID/ns/<kind>. */
pn_res pn_read_ns(const pn_fs *fs, int piddir, const char *kind,
                  uint64_t *inode, pn_buf *scratch, int *err);

#endif
