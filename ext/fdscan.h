/*
 * fdscan.h: one process's descriptors: the listing of PID/fd and the link
 * of each one. Shared by the fds table's walk (table_fds.c) and the inode
 * index (fd_index.c), which runs it from several threads at once: nothing
 * here touches state beyond its arguments.
 */
#ifndef PROCNET_FDSCAN_H
#define PROCNET_FDSCAN_H

#include "parse.h"
#include "procfs.h"

/* Descriptor numbers of one process, ascending. */
typedef struct pn_fdnums {
  int *v;
  size_t n, cap;
} pn_fdnums;
void pn_fdnums_free(pn_fdnums *l);
/* Makes l the listing of fd alone (a lookup of one descriptor lists
 * nothing). 0, or -1 when out of memory. */
int pn_fdnums_one(pn_fdnums *l, int fd);

/* Lists piddir/fd into l. PN_OK, or the verdict of the listing (PN_FAIL
 * with *err ENOMEM when out of memory). */
pn_res pn_list_fds(const pn_fs *fs, int piddir, pn_fdnums *l, int *err);

/* Reads the link of descriptor fd of piddir into text and parses it; a link
 * that does not parse is kept whole as PN_FD_OTHER, named by its text
 * (parsed points into text). */
pn_res pn_read_fd_link(const pn_fs *fs, int piddir, int fd, pn_buf *text,
                       pn_fdlink *parsed, int *err);

/* Parses a link's text into parsed, keeping one that does not parse whole
 * as PN_FD_OTHER, named by its text (parsed points into text). */
void pn_parse_fd_link_text(const char *text, size_t n, pn_fdlink *parsed);

/* Writes "DIR/N" (DIR "fd" or "fdinfo") into out, which holds 32 bytes;
 * by hand, since it runs once per descriptor. Returns out. */
const char *pn_fd_rel(char out[32], const char *dir, int n);

/* The links of a large listing, read ahead by several threads (the fds
 * walk of a process holding thousands of descriptors) a window of
 * PN_FDLINKS_WINDOW descriptors at a time: each thread takes slices of
 * PN_FDLINKS_SLICE. */
#define PN_FDLINKS_SLICE 256
#define PN_FDLINKS_WINDOW 4096
typedef struct pn_fdlink_read {
  pn_res res;               /* of the readlink */
  int err;
  size_t at, n;             /* the text, in its slice's buffer */
} pn_fdlink_read;
typedef struct pn_fdlinks {
  pn_fdlink_read *v;        /* one per descriptor of the listing */
  pn_buf *texts;            /* one per slice */
  size_t n, nslices;
} pn_fdlinks;

/* Reads the link of every descriptor fds[0..n) in dir, with at most
 * `threads` threads. SQLITE_OK or SQLITE_NOMEM (out is then empty). Whether
 * a process's links may be read is decided for the process (ptrace's read
 * access to it): once a thread is refused one, the rest of its share are
 * refused for the same reason without asking. */
int pn_fdlinks_read(pn_fdlinks *out, const pn_fs *fs, int dir, const int *fds, size_t n,
                    int threads);
/* The text of entry i (res PN_OK), which stays valid until the next read. */
const char *pn_fdlinks_text(const pn_fdlinks *links, size_t i);
void pn_fdlinks_free(pn_fdlinks *links);

#endif
