/*
 * locks.h: /proc/locks as lsof reports it: the lock a process holds on a
 * file (device and inode) as one character after the descriptor's mode,
 * R or W for a read or write lock on the whole file, r or w on part of it.
 * Read once, by the first row that asks, for the statement.
 */
#ifndef PROCNET_LOCKS_H
#define PROCNET_LOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "procfs.h"

typedef struct pn_lock_ref {
  int64_t pid;
  unsigned dev_major, dev_minor;
  uint64_t inode;
  size_t line;              /* its place in the file */
  char type;                /* R W r w */
} pn_lock_ref;

typedef struct pn_locks {
  int loaded;
  pn_lock_ref *v;           /* sorted by pid, device, inode, then line */
  size_t n, cap;
} pn_locks;

/* Reads <root>/locks once (later calls do nothing). An unreadable file
 * holds no locks. SQLITE_OK or SQLITE_NOMEM. */
int pn_locks_load(pn_locks *l, const pn_fs *fs, pn_buf *scratch);

/* The lock character of pid on the file, or 0 for none. Where lsof would
 * see several kinds of lock, the one it reports: it keeps each kind's first
 * line and takes the latest of those. */
char pn_locks_find(const pn_locks *l, int64_t pid, unsigned dev_major,
                   unsigned dev_minor, uint64_t inode);

void pn_locks_free(pn_locks *l);

#endif
