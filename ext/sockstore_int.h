/*
 * sockstore_int.h: what the files of the socket store share and no one
 * else sees:
 *   sockstore.c  the store, its snapshots by key, what cursors expect,
 *                where sock_diag may be used, inode lookups
 *   sockread.c   reading snapshots: at once, shared out to threads, or
 *                streamed by a helper while they are read (sockstream.h)
 */
#ifndef PROCNET_SOCKSTORE_INT_H
#define PROCNET_SOCKSTORE_INT_H

#include "sockstore.h"
#include "ifaces.h"

/* What an open cursor expects to ask of the snapshots of a kind. */
typedef struct expectation {
  const void *who;
  const pn_sockkind *kind;
  unsigned want;            /* PN_WANT_INFO | PN_WANT_MEM */
} expectation;

/* A namespace this store has entered, or tried to. */
typedef struct nsfile {
  uint64_t key;
  int fd;                   /* its ns/net file; -1: refused, or no process
                               of it is left */
  int links;                /* 1: ifaces loaded, -1: they cannot be */
  pn_ifaces ifaces;
} nsfile;

typedef struct pn_stream_batch pn_stream_batch;

struct pn_sockstore {
  int cursors;
  pn_stream_batch *batch;   /* the snapshots a helper reads, or NULL */
  pn_nslist ns;
  int ns_built;
  pn_snap **snaps;          /* each made apart: a snapshot stays where it
                               is while cursors hold it and others are made */
  int nsnaps, cap;
  /* Open addressing over snapshot identities (kind, file, namespace):
   * slot holds 1 + the index of the first snapshot of that file, 0 when
   * empty; the others of the same file are chained through pn_snap.next. */
  int *slots;
  size_t nslots;
  /* sock_diag: whether and where it may be used */
  int netlink;              /* pn_netlink_mode, as it was at the start */
  int netns_held;           /* ctx->netns_held, as it was at the start */
  int probed;               /* root_is_proc and own_ns are known */
  int root_is_proc;         /* the root is a procfs: its namespaces are
                               real ones (not a fixture tree) */
  uint64_t own_ns;          /* the caller's network namespace */
  nsfile *nsfiles;          /* the namespaces entered, the caller's too */
  size_t nnsfiles, nscap;
  const pn_sockkind *no_diag[8]; /* kinds the kernel has no handler for */
  int nno_diag;
  expectation *expected;    /* what open cursors will ask for */
  size_t nexpected, expcap;
};

/* The caller's namespace and whether the root is a real procfs, once. */
void pn_store_probe(pn_sockstore *st, const pn_fs *fs);
int pn_store_has_no_diag(const pn_sockstore *st, const pn_sockkind *k);
/* 1 when snapshot k should be read through sock_diag. */
int pn_store_diag_wanted(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k);
/* The ns/net fd to make sockets of namespace key in: PN_OWN_NS for the
 * caller's own (no need to enter it), -1 when it cannot be entered (*rc
 * SQLITE_NOMEM when out of memory). */
#define PN_OWN_NS -2
int pn_store_nsfd(pn_sockstore *st, const pn_fs *fs, uint64_t key,
                  const pn_snapjob *j, int *rc);

/* Lets the helper of a streamed read finish, joins it and keeps what it
 * read (sockread.c): SQLITE_OK, or the error of a snapshot that failed.
 * No helper: SQLITE_OK. */
int pn_store_settle(pn_sockstore *st);
/* The same without waiting: the helper is asked to stop. */
void pn_store_stop(pn_sockstore *st);

#endif
