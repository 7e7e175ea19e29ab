/*
 * sockstore.h: what the socket tables of one connection have read.
 *
 * A snapshot is the records of one file of one kind (net/tcp6) in one
 * namespace, read once per statement for what its readers need (`want`),
 * from the source that can give it (sock_text.h, sock_diag.h). The store
 * is shared by every socket cursor of the connection that is open at the
 * same time (a statement, its subqueries, a view scanning two tables) and
 * dropped when the last one closes: one statement reads each file once,
 * however often a table is the inner loop of a join; the next statement
 * reads afresh, unless the connection holds the store (pn_sockstore_hold). Snapshots are found by key (a hash), never by a search.
 */
#ifndef PROCNET_SOCKSTORE_H
#define PROCNET_SOCKSTORE_H

#include "netns.h"
#include "sockrec.h"
#include "vtab_common.h"

/* The net/ file whose inode keys a namespace whose ns/net link cannot be
 * read (netns.h); the same for every table, since they share snapshots. */
#define PN_NS_PROBE "tcp"

typedef struct pn_snapkey {
  const pn_sockkind *kind;
  int file;                 /* index into kind->files */
  uint64_t key;             /* namespace key (see netns.h) */
  int known;                /* key is the netns inode */
  unsigned want;            /* PN_WANT_* (sockrec.h): a snapshot read for W
                               serves every reader whose want is a subset
                               of W */
} pn_snapkey;

/* Pairs (inode, record) sorted by inode: a snapshot's inode lookup. */
typedef struct pn_inode_ix {
  uint64_t inode;
  size_t rec;
} pn_inode_ix;

struct pn_fill;

typedef struct pn_snap {
  pn_snapkey k;
  pn_sockset set;
  pn_inode_ix *by_inode;    /* built on the first inode lookup */
  int read;                 /* set is filled, or being filled by a stream */
  int next;                 /* another snapshot of the same file, or -1 */
  struct pn_fill *fill;     /* while a stream fills set: how far it is
                               (sockstream.h); NULL once it is done */
  size_t *hash;             /* inode lookups in a streamed snapshot: open
                               addressing over the records indexed so
                               far, 1 + record, 0 empty */
  size_t nhash, hashed;     /* slots; records indexed */
} pn_snap;

typedef struct pn_sockstore pn_sockstore;

/* The connection's store: made by its first socket cursor, freed when the
 * last one lets go. NULL when out of memory. */
pn_sockstore *pn_sockstore_acquire(pn_ctx *ctx);
void pn_sockstore_release(pn_ctx *ctx, pn_sockstore *st);
/* Keeps (on) or lets go of (off) a reference of the connection's own to
 * its store (ctx->sockhold): while kept, what one statement read serves
 * the next ones too (procnet_hold_sockets()). SQLITE_OK or SQLITE_NOMEM. */
int pn_sockstore_hold(pn_ctx *ctx, int on);

/* The namespaces of every process under fs's root, listed once per store.
 * NULL when out of memory. */
const pn_nslist *pn_sockstore_namespaces(pn_sockstore *st, const pn_fs *fs,
                                         pn_buf *scratch);

/* What a cursor expects to ask of the snapshots of `kind`: the sock_diag
 * extensions of want (PN_WANT_INFO, PN_WANT_MEM; the rest is ignored).
 * SQLite opens every cursor of a statement before the first one reads, so
 * a cursor that will want more of a file than another reads first (the
 * TCP internals looked up by inode for each row of a scan of the same
 * sockets: `procnet ss -i`) says so when it opens, and the other's
 * snapshot is read with the extensions: one dump, not a plain one and
 * then another with them. Told again, it replaces what `who` expected of
 * the kind. SQLITE_OK or SQLITE_NOMEM. */
int pn_sockstore_expect(pn_sockstore *st, const void *who, const pn_sockkind *kind,
                        unsigned want);
/* Drops what `who` expected (its cursor closes). */
void pn_sockstore_forget(pn_sockstore *st, const void *who);

/* The snapshot for k: one already made whose want covers k's, or a new one
 * (made, not read), which reads what other cursors than `who` expect of
 * its kind too (a snapshot read through sock_diag alone, where the
 * extensions are a few attributes more of the same dump; never what `who`
 * itself expects: its own lookup of one socket keeps its plain dump). Its
 * index, or -1 when out of memory. Indexes and the pointers pn_snap_at
 * gives stay valid for the store's life. */
int pn_snap_of(pn_sockstore *st, const pn_snapkey *k, const void *who);
/* The snapshot for k if one is made already (read or not), else -1. */
int pn_snap_find(pn_sockstore *st, const pn_snapkey *k);
pn_snap *pn_snap_at(pn_sockstore *st, int i);

/* One snapshot to read and the processes to read it through (the first
 * one still there), or, for a namespace no process is in, its mount. */
typedef struct pn_snapjob {
  int snap;
  const int64_t *pids;
  int npids;
  int nsfd;                 /* an open ns/net file, or -1 (borrowed) */
} pn_snapjob;

/* Reads the snapshots of jobs that are not read yet (each once, however
 * often it is listed), shared out to `threads` threads, after any stream
 * filling one of them has ended. The reads are
 * counted in fs's counters. SQLITE_OK, or SQLITE_NOMEM (what failed is
 * left unread, to be tried again). */
int pn_snaps_read(pn_sockstore *st, const pn_fs *fs, int threads,
                  const pn_snapjob *jobs, int njobs);

/* As pn_snaps_read for a reader that sees records only through
 * pn_snap_has_row, pn_snap_find_one and pn_snap_find_inode: snapshots a
 * stream fills are left to it, and with `stream` set the first job's
 * snapshot (a TCP or UDP one read through sock_diag alone), and its
 * pair, may be filled by a helper thread while the caller reads it
 * (sockstream.h), the other jobs read after it there. */
int pn_snaps_read_ahead(pn_sockstore *st, const pn_fs *fs, int threads,
                        const pn_snapjob *jobs, int njobs, int stream);

/* Waits until a stream filling s (if one is) has ended: SQLITE_OK, or the
 * error the stream met. s's records may then be read as a whole. */
int pn_snap_complete(pn_snap *s);

/* Whether record i of s exists, waiting for a stream filling s: 1, 0 (s
 * has fewer records), or -1 with *rc the error the stream met. */
int pn_snap_has_row(pn_snap *s, size_t i, int *rc);

/* The record of s whose inode is `inode` (not 0: a socket the kernel
 * lists once), waiting for a stream filling s only as long as the record
 * has not come: *rec, or SIZE_MAX when s has none. SQLITE_OK, or the
 * error (SQLITE_NOMEM, the stream's). */
int pn_snap_find_one(pn_snap *s, uint64_t inode, size_t *rec);

/* The first position in s->by_inode whose inode is `inode` (or the
 * position where it would be: check it), building the index on the first
 * call (after a stream filling s has ended). SQLITE_OK, SQLITE_NOMEM, or
 * the stream's error. */
int pn_snap_find_inode(pn_snap *s, uint64_t inode, size_t *pos);

/* The name of interface `index` in the namespace of k (pids: its
 * processes) into out: its length, 0 when it cannot be known (a fixture
 * tree, netlink refused or switched off, no such interface), -1 when out
 * of memory. The namespace's interfaces are asked for once per store. */
int pn_sockstore_ifname(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k,
                        const int64_t *pids, int npids, int nsfd,
                        uint32_t index, char out[16]);

/* A NETLINK_SOCK_DIAG socket in the namespace of k (j: how to reach it)
 * for requests about one socket, or -1 when sock_diag may not be used
 * there for k's kind. The caller closes it. */
int pn_sockstore_diag_socket(pn_sockstore *st, const pn_fs *fs, const pn_snapkey *k,
                             const pn_snapjob *j);

#endif
