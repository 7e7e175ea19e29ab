/*
 * fdrow.h: one descriptor as the fds table shows it, each part read when a
 * column first needs it: the link (always: it decides that the row
 * exists), stat, the link's own lstat (the open mode), fdinfo (position,
 * flags, and what lsof names anonymous files by), the socket's protocol
 * name and the lock. And saved copies of a process's rows, listed again for
 * each thread that shares its descriptor table instead of read again.
 */
#ifndef PROCNET_FDROW_H
#define PROCNET_FDROW_H

#include <sys/stat.h>
#include <sys/types.h>

#include "locks.h"
#include "parse.h"
#include "procfs.h"
#include "sqlite3ext.h"

/* Parts of a row, loaded once each (pn_fdrow.done). */
#define FDROW_STAT 0x1
#define FDROW_MODE 0x2
#define FDROW_FDINFO 0x4
#define FDROW_PROTO 0x8
#define FDROW_LOCK 0x10

typedef struct pn_fdrow {
  int fd;                   /* -1: the error row of an unreadable process */
  const char *error;        /* why the link could not be read (static) */
  pn_buf link;              /* the link's text */
  pn_fdlink parsed;         /* slices of link */
  int have_link;
  int link_pending;         /* an index row: its text is made on demand */
  unsigned done;            /* FDROW_* parts loaded */
  int have_stat;
  struct stat st;
  char mode;                /* 'r', 'w', 'u', ' ' (neither), 0 unknown */
  pn_fdinfo info;           /* zero when fdinfo could not be read */
  pn_buf epoll;             /* the epoll set's watched descriptors, "3,4" */
  char proto[32];           /* the socket's protocol name, "" unknown */
  char lock;                /* lsof's lock character, 0 none */
} pn_fdrow;

/* Where rows are read from, and what every row of a cursor shares. */
typedef struct pn_fdenv {
  const pn_fs *fs;
  int dir;                  /* the process's (or thread's) directory, -1:
                               none open (the row's parts stay unread) */
  sqlite3_int64 pid;        /* the process, whose locks a row shows */
  pn_buf scratch;           /* fdinfo's text */
  pn_locks locks;
  /* the device of sockfs and of pipefs (pn_fdrow_pseudo) */
  int pseudo_known[2];
  dev_t pseudo_dev[2];
} pn_fdenv;

void pn_fdenv_free(pn_fdenv *e);

void pn_fdrow_reset(pn_fdrow *r, int fd);
void pn_fdrow_free(pn_fdrow *r);

/* Reads the link of r->fd; *exists is 0 when the descriptor was closed
 * since the listing (no row). A link we may not read still makes a row,
 * without link columns and with r->error set, as lsof prints
 * "(readlink: Permission denied)". SQLITE_OK or SQLITE_NOMEM. */
int pn_fdrow_read_link(pn_fdrow *r, const pn_fdenv *e, int *exists);
/* The row of a link known to be refused (error: why, as r->error of
 * another row of the same listing), without asking. */
int pn_fdrow_deny(pn_fdrow *r, const char *error, int *exists);
/* The same from a link read ahead (pn_fdlinks): its verdict and text. */
int pn_fdrow_take_link(pn_fdrow *r, pn_res res, int err, const char *text, size_t n,
                       int *exists);

/* Sockets and pipes: 0 (socket) or 1 (pipe), -1 for other descriptors.
 * What every socket (pipe) has in common needs no read (see fdrow.c). */
int pn_fdrow_pseudo(const pn_fdrow *r);

void pn_fdrow_load_stat(pn_fdrow *r, const pn_fdenv *e);
/* The file's link count into *n: 1 when told, 0 when it cannot be. */
int pn_fdrow_nlink(pn_fdrow *r, const pn_fdenv *e, sqlite3_int64 *n);
/* The open mode, from the link's permission bits (lr-x, l-wx, lrwx). */
char pn_fdrow_mode(pn_fdrow *r, const pn_fdenv *e);
/* The device of the file (a socket's or pipe's: its filesystem's). 0
 * when it cannot be told. */
int pn_fdrow_dev(pn_fdrow *r, pn_fdenv *e, dev_t *dev);
/* Reads fdinfo, and the epoll set's descriptors when it is one. */
int pn_fdrow_load_fdinfo(pn_fdrow *r, pn_fdenv *e);
/* 1 when r->fd has an entry in the fd directory, for a lookup of a
 * descriptor whose link or fdinfo may not be read: where they are refused
 * (ptrace), the directory may still be searched, as it may be listed;
 * where it may not be searched, a listing is refused too and would give
 * the error row alone (fd NULL), which is not the descriptor looked up. */
int pn_fdrow_listed(const pn_fdrow *r, const pn_fdenv *e);
/* Whether r->fd is there, for a lookup that reads no link: its fdinfo is
 * read (and kept for the columns, which want it most); where that is
 * refused, the descriptor's entry is looked at. SQLITE_OK or
 * SQLITE_NOMEM. */
int pn_fdrow_probe(pn_fdrow *r, pn_fdenv *e, int *exists);
/* The socket's protocol name ("TCP", "UDPv6", ...), "" when not a socket
 * or not told. */
const char *pn_fdrow_proto(pn_fdrow *r, const pn_fdenv *e);
/* The lock character of the process on the file, 0 for none. SQLITE_OK
 * or SQLITE_NOMEM. */
int pn_fdrow_lock(pn_fdrow *r, pn_fdenv *e, char *lock);

/* Saved rows: a process's, for the threads that share its table. */
typedef struct pn_fdrows {
  struct saved_fdrow *v;
  size_t n, cap;
  pn_buf pool;              /* the rows' texts */
} pn_fdrows;

void pn_fdrows_clear(pn_fdrows *s);
void pn_fdrows_free(pn_fdrows *s);
/* Appends a copy of r. SQLITE_OK or SQLITE_NOMEM. */
int pn_fdrows_save(pn_fdrows *s, const pn_fdrow *r);
/* Makes r a copy of saved row i. SQLITE_OK or SQLITE_NOMEM. */
int pn_fdrows_restore(const pn_fdrows *s, size_t i, pn_fdrow *r);

#endif
