/*
 * history_util.h: what the tests of `procnet watch` and `procnet record`
 * share: build/procnet running in the background (its standard output
 * read as it comes), and the history database read back.
 */
#ifndef PN_HISTORY_UTIL_H
#define PN_HISTORY_UTIL_H

#include <sqlite3.h>
#include <sys/types.h>

typedef struct bg_run {
  pid_t pid;
  int out;            /* the read end of its standard output (a pipe) */
  int err;            /* its standard error (a temporary file) */
  char *text;         /* what it printed so far (bg_read) */
  size_t n, cap;
} bg_run;

/* Starts build/procnet with the NULL-terminated arguments. To run it under
 * another program (prlimit, setpriv), that program's words come first and
 * the word "--procnet--" stands where procnet goes. */
bg_run bg_start(const char *first, ...);
/* Reads what it printed until done(text, arg) says 1 or 20 s have passed;
 * returns done's last answer. */
int bg_read(bg_run *b, int (*done)(const char *text, void *arg), void *arg);
/* Sends sig (0: none), waits for the end and reads the rest; returns the
 * exit status (128 + signal when killed). */
int bg_stop(bg_run *b, int sig);
/* Its standard error (malloc'd). */
char *bg_err(bg_run *b);
void bg_free(bg_run *b);

/* Lines of text that start with prefix. */
int lines_starting(const char *text, const char *prefix);

/* The history database, opened read-only (NULL if it cannot be). */
sqlite3 *history_open(const char *path);
/* Waits (20 s at most) until the history at path has n samples or more;
 * returns how many it has. */
long wait_samples(const char *path, long n);

/* A temporary path for a database, removed with its -wal and -shm by
 * history_remove. */
void history_path(char *buf, size_t n, const char *name);
void history_remove(const char *path);

#endif
