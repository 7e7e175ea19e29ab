/*
 * ticker.h: the clock of `procnet watch` and `procnet record`.
 *
 * Tick k falls at start + k * interval on CLOCK_MONOTONIC, so a late run
 * never moves the ticks after it (no drift); ticks missed while a run took
 * longer than the interval are skipped, not caught up.
 *
 * SIGINT and SIGTERM end the loop: they are blocked and read from a
 * signalfd, so there is no handler and no flag; one that arrives during a
 * run is seen at the next wait. Helper threads (the extension's) start with
 * every signal blocked, so the signals stay pending for the signalfd.
 *
 * While waiting, other descriptors (record's netlink subscriptions) can be
 * watched: their callback runs as soon as one is readable.
 */
#ifndef PROCNET_CLI_TICKER_H
#define PROCNET_CLI_TICKER_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

typedef struct cli_ticker {
  int sigfd;
  sigset_t old_mask;
  struct timespec start;   /* CLOCK_MONOTONIC of tick 0 */
  double interval;         /* seconds */
  uint64_t next;           /* the next tick's number */
  int signal;              /* the signal that ended the loop, or 0 */
} cli_ticker;

/* Blocks SIGINT and SIGTERM and starts the clock: tick 0 is now. 0, or -1
 * with errno. */
int cli_ticker_start(cli_ticker *t, double interval);

/* Called with the index of each of the watched descriptors that became
 * readable; returns 0, or -1 to stop waiting with an error. */
typedef int cli_ticker_ready_fn(void *arg, int i);

/* Waits for the next tick (tick 0 at once), watching fds[0..nfds) (-1
 * entries are skipped) meanwhile. Returns 1 at the tick, 0 when SIGINT or
 * SIGTERM arrived (t->signal says which), -1 on an error (errno set, or
 * ready's failure). */
int cli_ticker_wait(cli_ticker *t, const int *fds, int nfds,
                    cli_ticker_ready_fn *ready, void *arg);

/* Closes the signalfd and restores the signal mask. */
void cli_ticker_stop(cli_ticker *t);

/* The wall-clock time now, in seconds since the epoch. */
double cli_now(void);
/* CLOCK_MONOTONIC now, in seconds: for durations. */
double cli_monotonic(void);

/* A time given on the command line, in seconds: a number ("0.5"), or with
 * units a number and s, m, h or d ("30s", "5m", "2h", "1d"). 0 and *out,
 * or -1 when the text is not one or not above 0. */
int cli_parse_seconds(const char *text, int units, double *out);
/* An interval: seconds from 0.01 to 86400. 0, or -1. */
int cli_parse_interval(const char *text, double *out);

#endif
