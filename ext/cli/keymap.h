/*
 * keymap.h: a hash map from byte strings to pointers, and a multiset diff
 * of rows built on it: what `procnet watch` and `procnet record` keep from
 * one run of their query to the next. No SQLite, no I/O: tests/cli/
 * test_watch_parts.c tests them alone.
 */
#ifndef PROCNET_CLI_KEYMAP_H
#define PROCNET_CLI_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

/* ---- the map ---------------------------------------------------------------
 * Keys are copied in; values belong to the caller. */
typedef struct cli_keyent cli_keyent;
typedef struct cli_keymap {
  cli_keyent **slots;
  size_t nslots;    /* a power of two, or 0 before the first put */
  size_t n;         /* entries */
} cli_keymap;

#define CLI_KEYMAP_INIT {NULL, 0, 0}

/* The value of key, or NULL. */
void *cli_keymap_get(const cli_keymap *m, const void *key, size_t klen);
/* Sets the value of key (added, or replaced). 0, or -1 when out of memory
 * (the map is unchanged). */
int cli_keymap_put(cli_keymap *m, const void *key, size_t klen, void *val);
/* Calls visit(arg, val) for every entry, in no particular order; the
 * entries for which it returns 0 are removed (visit frees what it must). */
void cli_keymap_sweep(cli_keymap *m, int (*visit)(void *arg, void *val), void *arg);
/* Removes every entry, handing each value to free_val (may be NULL). */
void cli_keymap_clear(cli_keymap *m, void (*free_val)(void *val));

/* ---- a multiset diff of rows ------------------------------------------------
 * The rows of one run of a query, compared with the previous run's: a row
 * is its key (the bytes of the key columns) and its text (the bytes of the
 * whole row, kept to print it once it has gone). A key seen k times in the
 * previous run and j times in this one gives j - k additions or k - j
 * removals, so identical rows are counted, not merged. */
typedef struct cli_rowdiff {
  cli_keymap map;
  uint64_t seq;     /* order of first sight, for the removals */
} cli_rowdiff;

#define CLI_ROWDIFF_INIT {CLI_KEYMAP_INIT, 0}

/* One row of the run going on. Returns 1 when it is an addition (its key
 * has now been seen more times than in the previous run), 0 when not, -1
 * when out of memory. The row's text is kept (the latest one for its key). */
int cli_rowdiff_add(cli_rowdiff *d, const void *key, size_t klen,
                    const void *row, size_t rlen);

/* Called once for every copy of a row that the previous run had and this
 * one has not; returns 0, or -1 to stop. */
typedef int cli_rowdiff_gone_fn(void *arg, const void *row, size_t rlen);

/* Ends the run: hands the removed rows to gone, in the order their keys
 * were first seen, and makes this run the previous one. 0, or -1 (out of
 * memory, or gone stopped; the run is then ended all the same). */
int cli_rowdiff_end(cli_rowdiff *d, cli_rowdiff_gone_fn *gone, void *arg);

void cli_rowdiff_free(cli_rowdiff *d);

#endif
