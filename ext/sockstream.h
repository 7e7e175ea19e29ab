/*
 * sockstream.h: snapshots filled by a helper thread while the statement
 * reads them.
 *
 * Reading 10,000 TCP connections with their internals, the kernel's dump
 * is about a third of the time and turning the records into rows the
 * rest; done one after the other, the time is their sum. A stream runs
 * the reads on a helper thread and lets the readers (cursors, all on the
 * statement's thread) take each record as soon as it is complete: the
 * time becomes about the larger of the two.
 *
 * The rules that make that safe:
 *   - records never move while a stream fills them: their arrays are
 *     mapped whole before it starts (pn_big, prefault.h), and a set that
 *     would outgrow its mapping fails (ENOMEM) instead of moving;
 *   - a record is visible (pn_fill.rows) only once it and its extras are
 *     written; the writer never changes it after;
 *   - a snapshot is either filling (its rows grow), done, or failed; the
 *     readers wait on the stream for more rows or for the end;
 *   - the helper stops at the stream's end (pn_stream_end), which the last
 *     cursor's close reaches through the store: it is asked to stop,
 *     gives up within one netlink reply and is joined. It enters no
 *     namespace (its sockets are opened before) and changes nothing a
 *     reader sees but the records past `rows`.
 */
#ifndef PROCNET_SOCKSTREAM_H
#define PROCNET_SOCKSTREAM_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct pn_stream pn_stream;

/* One snapshot's progress, as its readers see it. */
enum { PN_FILL_FILLING, PN_FILL_DONE, PN_FILL_FAILED };
typedef struct pn_fill {
  pn_stream *stream;        /* the stream filling it */
  atomic_size_t rows;       /* records complete and visible */
  atomic_int state;         /* PN_FILL_* */
  int rc;                   /* the SQLite code of a failure (written
                               before state) */
  size_t woken;             /* the helper's: rows when it last woke the
                               readers */
} pn_fill;

/* The helper's work: fills the snapshots it was given, publishing their
 * rows as they come, and finishes each. */
typedef void pn_stream_fn(pn_stream *s, void *arg);

/* A stream that will run run(s, arg) on a helper thread (pn_stream_go),
 * so that fills of it can be made before: SQLITE_OK, SQLITE_NOMEM or
 * SQLITE_ERROR. */
int pn_stream_new(pn_stream **out, pn_stream_fn *run, void *arg);
/* Starts the helper: 0, or -1 when no thread could be started (the
 * caller reads on its own thread instead). */
int pn_stream_go(pn_stream *s);
/* Asks the helper to stop, joins it and frees the stream; NULL is fine. */
void pn_stream_end(pn_stream *s);

/* ---- the helper ------------------------------------------------------------- */

/* A fill of s, at no rows yet. */
void pn_fill_init(pn_fill *f, pn_stream *s);
/* Records up to `rows` of f are complete. */
void pn_fill_publish(pn_fill *f, size_t rows);
/* f is complete (rc SQLITE_OK) or failed (rc the error). */
void pn_fill_finish(pn_fill *f, int rc);
/* 1 once the stream is asked to stop: the helper gives up its work. */
int pn_stream_stopping(pn_stream *s);

/* ---- the readers -------------------------------------------------------------- */

/* Whether record i of f exists, waiting until it is published or f ends:
 * 1 yes, 0 no (f ended before it), or -1 when f failed (*rc its code). */
int pn_fill_has(pn_fill *f, size_t i, int *rc);
/* Waits until f ends: SQLITE_OK, or its failure. */
int pn_fill_wait(pn_fill *f);
/* The rows of f visible now (without waiting). */
static inline size_t pn_fill_rows(pn_fill *f) { return atomic_load(&f->rows); }

#endif
