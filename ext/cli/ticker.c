/*
 * ticker.c: ticks without drift, and SIGINT/SIGTERM through a signalfd;
 * see ticker.h.
 */
#include "ticker.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int64_t ns_of(const struct timespec *ts) {
  return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ns_of(&ts);
}

double cli_monotonic(void) { return (double)mono_ns() / 1e9; }

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cli_ticker_start(cli_ticker *t, double interval) {
  sigset_t set;
  memset(t, 0, sizeof *t);
  t->sigfd = -1;
  t->interval = interval;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &set, &t->old_mask) != 0) return -1;
  t->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (t->sigfd < 0) {
    int e = errno;
    sigprocmask(SIG_SETMASK, &t->old_mask, NULL);
    errno = e;
    return -1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t->start);
  return 0;
}

static int64_t tick_ns(const cli_ticker *t, uint64_t k) {
  return ns_of(&t->start) + (int64_t)llround((double)k * t->interval * 1e9);
}

/* The pending SIGINT or SIGTERM, if any: 1 and t->signal set, 0 if none,
 * -1 on an error. */
static int take_signal(cli_ticker *t) {
  struct signalfd_siginfo si;
  ssize_t n = read(t->sigfd, &si, sizeof si);
  if (n == (ssize_t)sizeof si) {
    t->signal = (int)si.ssi_signo;
    return 1;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  if (n >= 0) errno = EIO;
  return -1;
}

/* Polls the signalfd and the watched descriptors for at most wait_ns.
 * 1: a signal ended the loop; 0: go on; -1: an error. */
static int poll_once(cli_ticker *t, const int *fds, int nfds,
                     cli_ticker_ready_fn *ready, void *arg, int64_t wait_ns) {
  struct pollfd stack[16], *p = nfds + 1 <= 16 ? stack : calloc((size_t)nfds + 1, sizeof *p);
  if (!p) return -1;
  p[0] = (struct pollfd){t->sigfd, POLLIN, 0};
  for (int i = 0; i < nfds; i++) p[i + 1] = (struct pollfd){fds[i], POLLIN, 0};
  struct timespec ts = {(time_t)(wait_ns / 1000000000), (long)(wait_ns % 1000000000)};
  int n = ppoll(p, (nfds_t)nfds + 1, &ts, NULL), rc = 0;
  if (n < 0 && errno != EINTR) rc = -1;
  if (n > 0 && (p[0].revents & POLLIN)) rc = take_signal(t);
  for (int i = 0; rc == 0 && n > 0 && i < nfds; i++)
    if (fds[i] >= 0 && (p[i + 1].revents & (POLLIN | POLLERR)))
      rc = ready(arg, i) == 0 ? 0 : -1;
  if (p != stack) free(p);
  return rc;
}

int cli_ticker_wait(cli_ticker *t, const int *fds, int nfds,
                    cli_ticker_ready_fn *ready, void *arg) {
  for (;;) {
    int64_t now = mono_ns(), due = tick_ns(t, t->next);
    int rc = poll_once(t, fds, nfds, ready, arg, due > now ? due - now : 0);
    if (rc != 0) return rc > 0 ? 0 : -1;
    now = mono_ns();
    if (now < due) continue;
    /* the latest tick that has come: those missed are skipped */
    uint64_t k = (uint64_t)((double)(now - ns_of(&t->start)) / (t->interval * 1e9));
    t->next = (k >= t->next ? k : t->next) + 1;
    return 1;
  }
}

int cli_parse_seconds(const char *text, int units, double *out) {
  static const struct {
    char unit;
    double seconds;
  } unit_of[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  char *end;
  errno = 0;
  double d = strtod(text, &end), unit = 1;
  for (size_t i = 0; units && *end && !end[1] && i < sizeof unit_of / sizeof unit_of[0]; i++)
    if (*end == unit_of[i].unit) {
      unit = unit_of[i].seconds;
      end++;
    }
  if (errno || end == text || *end || !isfinite(d) || d <= 0) return -1;
  *out = d * unit;
  return 0;
}

int cli_parse_interval(const char *text, double *out) {
  double d;
  if (cli_parse_seconds(text, 0, &d) != 0 || d < 0.01 || d > 86400) return -1;
  *out = d;
  return 0;
}

void cli_ticker_stop(cli_ticker *t) {
  if (t->sigfd >= 0) close(t->sigfd);
  t->sigfd = -1;
  sigprocmask(SIG_SETMASK, &t->old_mask, NULL);
}
