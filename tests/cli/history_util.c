/*
 * history_util.c: background procnet runs and history files for the tests
 * of watch and record; see history_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "history_util.h"
#include "pn_test.h"

bg_run bg_start(const char *first, ...) {
  char *argv[64];
  int n = 0, pre = 0;
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a && n < 62; a = va_arg(ap, const char *)) {
    if (!strcmp(a, "--procnet--")) {
      argv[n++] = procnet_path;
      pre = 1;
    } else {
      argv[n++] = (char *)a;
    }
  }
  va_end(ap);
  if (!pre) { /* procnet first */
    memmove(argv + 1, argv, (size_t)n * sizeof *argv);
    argv[0] = procnet_path;
    n++;
  }
  argv[n] = NULL;
  int p[2];
  bg_run b;
  memset(&b, 0, sizeof b);
  b.err = tmp_fd();
  if (pipe2(p, O_CLOEXEC) != 0) abort();
  fflush(NULL);
  b.pid = fork();
  if (b.pid < 0) abort();
  if (b.pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(p[1], 1);
    dup2(b.err, 2);
    execvp(argv[0], argv);
    dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(p[1]);
  b.out = p[0];
  return b;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends what is there to read within wait_ms; 0 at the end of output. */
static int read_some(bg_run *b, int wait_ms) {
  struct pollfd p = {b->out, POLLIN, 0};
  if (b->out < 0 || poll(&p, 1, wait_ms) <= 0) return b->out >= 0;
  if (b->cap - b->n < 4097) {
    b->cap = b->cap ? 2 * b->cap + 4097 : 8192;
    if (!(b->text = realloc(b->text, b->cap))) abort();
  }
  ssize_t k = read(b->out, b->text + b->n, 4096);
  if (k <= 0) {
    close(b->out);
    b->out = -1;
    return 0;
  }
  b->n += (size_t)k;
  b->text[b->n] = '\0';
  return 1;
}

int bg_read(bg_run *b, int (*done)(const char *text, void *arg), void *arg) {
  int64_t end = now_ms() + 20000;
  while (!done(b->text ? b->text : "", arg) && now_ms() < end)
    if (!read_some(b, 100)) return done(b->text ? b->text : "", arg);
  return done(b->text ? b->text : "", arg);
}

int bg_stop(bg_run *b, int sig) {
  int st;
  if (sig) kill(b->pid, sig);
  while (read_some(b, 100)) {
  }
  while (waitpid(b->pid, &st, 0) < 0 && errno == EINTR) {
  }
  b->pid = 0;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char *bg_err(bg_run *b) { return slurp_fd(b->err); }

void bg_free(bg_run *b) {
  if (b->pid > 0) bg_stop(b, SIGKILL);
  if (b->out >= 0) close(b->out);
  close(b->err);
  free(b->text);
  memset(b, 0, sizeof *b);
}

int lines_starting(const char *text, const char *prefix) {
  int n = 0;
  size_t k = strlen(prefix);
  for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
    n += !strncmp(l, prefix, k);
  return n;
}

sqlite3 *history_open(const char *path) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    return db;
  }
  sqlite3_close(db);
  return NULL;
}

long wait_samples(const char *path, long n) {
  long have = 0;
  pn_retry r = pn_retry_for(20000, 20);
  while (have < n && pn_retry_again(&r)) {
    sqlite3 *db = history_open(path);
    sqlite3_stmt *st = NULL;
    if (db && sqlite3_prepare_v2(db, "SELECT count(*) FROM samples", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      have = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  return have;
}

void history_path(char *buf, size_t n, const char *name) {
  snprintf(buf, n, "/tmp/pn-history-%d-%s.db", (int)getpid(), name);
  history_remove(buf);
}

void history_remove(const char *path) {
  char f[512];
  unlink(path);
  snprintf(f, sizeof f, "%s-wal", path);
  unlink(f);
  snprintf(f, sizeof f, "%s-shm", path);
  unlink(f);
}
