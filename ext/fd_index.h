/*
 * fd_index.h: which descriptors hold which inode, for every process: the
 * index behind `fds WHERE inode = ?`, the fds socket scan and
 * socket_holders.
 *
 * Built in one pass over every process (list PID/fd, read each link). The
 * links of sockets, pipes and namespaces carry their inode ("socket:[N]");
 * files and anon inodes need a stat, which is done once, for the first
 * lookup that may want them (the "stat tier", kept in an array of its own).
 *
 * The pass is mostly system time in separate directories, so it is shared
 * out (parallel.h): the caller and helper threads take processes from one
 * counter, each filling its own arrays, merged and sorted at the end. On
 * two cores this takes a 10,000-socket `ss` view from 1.0 to 0.87 of the
 * time of ss itself.
 */
#ifndef PROCNET_FD_INDEX_H
#define PROCNET_FD_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "procfs.h"
#include "sqlite3ext.h"

typedef struct pn_fd_ref {
  uint64_t inode;
  sqlite3_int64 pid;
  int fd;
  int kind;                 /* pn_fd_kind; "kind:[inode]" is its link */
} pn_fd_ref;

typedef struct pn_fd_index {
  int built;
  int stat_tier_done;       /* files and anon inodes added */
  pn_fd_ref *v;             /* sorted by inode, then pid and fd descending */
  size_t n, cap;
  pn_fd_ref *pending;       /* descriptors whose inode needs a stat */
  size_t pn, pcap;
  /* The stat tier, sorted like v. Kept apart so that v never changes once
   * built: open scans (the fds socket scan, socket_holders) hold positions
   * in it while another cursor's lookup may add the tier. */
  pn_fd_ref *files;
  size_t fn, fcap;
} pn_fd_index;

/* The entries of one inode: a run of v, then a run of files. */
typedef struct pn_fd_span {
  const pn_fd_ref *v;
  size_t n;
} pn_fd_span;

/* Builds ix from every process under fs's root with at most `threads`
 * threads (the caller's included; <= 1: the caller alone). SQLITE_OK, or
 * SQLITE_NOMEM / SQLITE_IOERR (the root cannot be listed). */
int pn_fd_index_build(pn_fd_index *ix, const pn_fs *fs, int threads);

/* Stats the pending descriptors and merges them in (once). */
int pn_fd_index_add_stat_tier(pn_fd_index *ix, const pn_fs *fs);

/* The first position of v whose inode is >= inode. */
size_t pn_fd_index_lower_bound(const pn_fd_index *ix, uint64_t inode);

/* The descriptors of inode: out[0] in v, out[1] in the stat tier (empty
 * until it is added). */
void pn_fd_index_find(const pn_fd_index *ix, uint64_t inode, pn_fd_span out[2]);

void pn_fd_index_free(pn_fd_index *ix);

#endif
