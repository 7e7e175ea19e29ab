/*
 * parallel.h: a loop over independent items shared out to a few threads.
 *
 * Reading /proc is mostly system time spent in separate files (one
 * process's fd directory, one net file), so on a machine with two or more
 * CPUs the big reads of a statement are shared out: the fds index build
 * (fd_index.c) and the socket files a scan needs (netscan.c). The calling
 * thread works too; helpers are started for the loop and joined before it
 * returns. The few helpers that outlive a call (a dump streamed while it is
 * read, descriptor listings read ahead) are joined when their cursor
 * closes.
 */
#ifndef PROCNET_PARALLEL_H
#define PROCNET_PARALLEL_H

#include <pthread.h>
#include <stddef.h>

#define PN_MAX_THREADS 4

/* Called for one item with the state of the thread that took it. */
typedef void pn_item_fn(void *state, size_t item);

/* Calls fn(state_t, i) once for every i < n. Up to `threads` threads take
 * items from one counter (this one and threads - 1 helpers, fewer when
 * there are fewer items or a helper cannot start); thread t passes
 * states + t * state_size. Items are done in no set order. */
void pn_parallel_for(size_t n, int threads, pn_item_fn *fn, void *states,
                     size_t state_size);

/* Starts a thread running fn(arg) with every signal blocked: the host's
 * signals go to its own threads, never to one it does not know about.
 * 0, or the error of pthread_sigmask or pthread_create. */
int pn_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

/* 1 when helpers may call SQLite's allocator: SQLite is built with threads.
 * Its multi-thread and serialized modes keep the allocator's mutex (the
 * sqlite3 shell runs multi-thread: sqlite3_db_mutex() is NULL there, so
 * that cannot be the test). An application that switches SQLite to
 * single-thread mode (SQLITE_CONFIG_SINGLETHREAD) has no such mutex and no
 * way for us to see it: it must say procnet_threads(1) or
 * PROCNET_THREADS=1 (doc/tables.md, "Configuration and functions"). */
struct sqlite3;
int pn_threads_allowed(struct sqlite3 *db);

/* The default number of threads for db: the CPUs this process may run on,
 * at most PN_MAX_THREADS; 1 when pn_threads_allowed says no. */
int pn_default_threads(struct sqlite3 *db);

#endif
