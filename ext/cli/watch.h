/*
 * watch.h: what the files of `procnet watch` share.
 *
 *   cmd_watch.c    the command line, the sources (SQL, or ss/lsof/netstat
 *                  run with their rows handed over instead of written) and
 *                  the loop
 *   watch_print.c  a row's bytes, and the added and removed rows of one run
 *                  written as a table, CSV or JSON lines
 */
#ifndef PROCNET_CLI_WATCH_H
#define PROCNET_CLI_WATCH_H

#include "cli.h"

#include <stddef.h>

/* ---- a row as bytes: what the diff compares and keeps ---------------------- */

typedef struct watch_buf {
  unsigned char *p;
  size_t n, cap;
  int oom;
} watch_buf;

void watch_buf_reset(watch_buf *b);
void watch_buf_free(watch_buf *b);
/* Appends column i of st's current row (its type and value). */
void watch_buf_column(watch_buf *b, sqlite3_stmt *st, int i);

/* ---- the output -------------------------------------------------------------
 * Each result set (a statement's rows: netstat has two, inet and unix) has
 * its columns; the rows one run added or removed are staged in an
 * in-memory database, then written together with the run's time. */

typedef struct watch_cols {
  int n;
  char **names;     /* CSV header, JSON keys */
  char **labels;    /* table header */
  cli_align *align;
  int *width;       /* table: the widest value printed so far, so that
                       the columns stay put from one run to the next */
} watch_cols;

typedef struct watch_out {
  sqlite3 *db;      /* the staging tables s0, s1, ...: one per set */
  cli_format format;
  int nsets;
  sqlite3_stmt **insert;  /* per set */
  int *staged;      /* per set: rows waiting */
  int last_set;     /* the set written last (-1: none), whose header
                       need not be repeated */
} watch_out;

/* 0, or -1 after printing the error. */
int watch_out_open(watch_out *out, cli_format format);
/* Adds set number out->nsets with these columns. */
int watch_out_add_set(watch_out *out, const watch_cols *cols);
/* Stages one row of set `set` (its bytes, as watch_buf_column made them). */
int watch_out_stage(watch_out *out, int set, int added, const unsigned char *row,
                    size_t rlen);
/* Writes the staged rows of set `set` (removals first, then additions,
 * each in the order the query gave them) with the time `now` (seconds
 * since the epoch), and clears them. 0, or -1 after printing. */
int watch_out_flush(watch_out *out, int set, watch_cols *cols, double now);
/* Flushes standard output: the run is written. 0, or -1 after printing. */
int watch_out_done(watch_out *out);
void watch_out_close(watch_out *out);

#endif
