/*
 * runner.c: times commands for `make bench` (issue 5).
 *
 * Each contender is run RUNS times, interleaved (A B C A B C ...), after
 * WARMUP untimed rounds. A run is fork + execvp + wait4: wall time is
 * CLOCK_MONOTONIC around it, peak RSS is the child's ru_maxrss (kB), CPU is
 * its user + system time. stdin, stdout and stderr of the child are
 * /dev/null (stderr goes to DIR/LABEL.err with -E DIR).
 *
 * Note on ru_maxrss: exec keeps the high-water mark of the forked image, so
 * no child can report less than this runner's own peak RSS, which is
 * printed as `floor_kb` (about 1 MB: negligible against the contenders).
 *
 * Usage:
 *   runner [-r RUNS] [-w WARMUP] [-T TIMEOUT_S] [-l LOG] [-E DIR] \
 *          -- LABEL CMD [ARG...] [--- LABEL CMD [ARG...]]...
 *
 * Output on stdout, one line per contender, tab-separated:
 *   label runs failures wall_med_ms wall_min_ms wall_max_ms cpu_med_ms
 *   rss_med_kb rss_max_kb
 * With -l LOG, every run is appended to LOG:
 *   label round wall_ms cpu_ms rss_kb status
 * Exit status: 0, or 1 if any run failed (non-zero exit, signal, timeout).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONTENDERS 16
#define MAX_RUNS 1000

typedef struct contender {
  const char *label;
  char **argv;
  double wall[MAX_RUNS], cpu[MAX_RUNS];
  long rss[MAX_RUNS];
  int n, failures;
} contender;

static contender cs[MAX_CONTENDERS];
static int ncs;
static volatile sig_atomic_t alarmed;
static volatile sig_atomic_t stop;
static pid_t running = -1;

static void on_alarm(int sig) {
  (void)sig;
  alarmed = 1;
}

static void on_stop(int sig) {
  (void)sig;
  stop = 1;
  if (running > 0) kill(running, SIGKILL);
}

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_sec(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static double median_d(const double *v, int n) {
  double t[MAX_RUNS];
  if (n == 0) return 0;
  memcpy(t, v, (size_t)n * sizeof *t);
  qsort(t, (size_t)n, sizeof *t, cmp_double);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static long median_l(const long *v, int n) {
  long t[MAX_RUNS];
  if (n == 0) return 0;
  memcpy(t, v, (size_t)n * sizeof *t);
  qsort(t, (size_t)n, sizeof *t, cmp_long);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* One run. Returns 0 when the child exited with status 0. */
static int run_once(const contender *c, const char *errdir, unsigned timeout,
                    double *wall, double *cpu, long *rss, char *status,
                    size_t status_len) {
  char errpath[4096];
  if (errdir)
    snprintf(errpath, sizeof errpath, "%s/%s.err", errdir, c->label);
  double t0 = mono();
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(status, status_len, "fork:%s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    int out = open("/dev/null", O_WRONLY);
    int err = errdir ? open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644)
                     : open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execvp(c->argv[0], c->argv);
    _exit(127);
  }
  running = pid;
  alarmed = 0;
  alarm(timeout);
  int st = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  for (;;) {
    pid_t w = wait4(pid, &st, 0, &ru);
    if (w == pid) break;
    if (w < 0 && errno == EINTR) {
      if (alarmed || stop) kill(pid, SIGKILL);
      continue;
    }
    snprintf(status, status_len, "wait4:%s", strerror(errno));
    return -1;
  }
  alarm(0);
  running = -1;
  *wall = mono() - t0;
  *cpu = tv_sec(ru.ru_utime) + tv_sec(ru.ru_stime);
  *rss = ru.ru_maxrss;
  if (alarmed) {
    snprintf(status, status_len, "timeout");
    return -1;
  }
  if (WIFSIGNALED(st)) {
    snprintf(status, status_len, "signal%d", WTERMSIG(st));
    return -1;
  }
  snprintf(status, status_len, "exit%d", WEXITSTATUS(st));
  return WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: runner [-r RUNS] [-w WARMUP] [-T TIMEOUT_S] [-l LOG] [-E DIR]\n"
          "              -- LABEL CMD [ARG...] [--- LABEL CMD [ARG...]]...\n");
  exit(2);
}

int main(int argc, char **argv) {
  int runs = 5, warmup = 1, opt;
  unsigned timeout = 120;
  const char *logpath = NULL, *errdir = NULL;
  while ((opt = getopt(argc, argv, "+r:w:T:l:E:")) != -1) {
    switch (opt) {
    case 'r': runs = atoi(optarg); break;
    case 'w': warmup = atoi(optarg); break;
    case 'T': timeout = (unsigned)atoi(optarg); break;
    case 'l': logpath = optarg; break;
    case 'E': errdir = optarg; break;
    default: usage();
    }
  }
  if (runs < 1 || runs > MAX_RUNS || warmup < 0 || timeout < 1) usage();
  /* getopt stops at "--" and skips it. */
  for (int i = optind; i < argc;) {
    if (ncs == MAX_CONTENDERS) usage();
    int j = i;
    while (j < argc && strcmp(argv[j], "---") != 0) j++;
    if (j - i < 2) usage(); /* LABEL and CMD at least */
    cs[ncs].label = argv[i];
    cs[ncs].argv = &argv[i + 1];
    argv[j < argc ? j : argc] = NULL; /* argv[argc] is NULL already */
    ncs++;
    i = j + 1;
  }
  if (ncs == 0) usage();

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
  sigaction(SIGALRM, &sa, NULL);
  sa.sa_handler = on_stop;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  FILE *log = logpath ? fopen(logpath, "a") : NULL;
  if (logpath && !log) {
    fprintf(stderr, "runner: %s: %s\n", logpath, strerror(errno));
    return 2;
  }
  int failed = 0;
  for (int round = -warmup; round < runs && !stop; round++) {
    for (int k = 0; k < ncs && !stop; k++) {
      contender *c = &cs[k];
      double wall = 0, cpu = 0;
      long rss = 0;
      char status[64];
      int rc = run_once(c, errdir, timeout, &wall, &cpu, &rss, status,
                        sizeof status);
      if (log)
        fprintf(log, "%s\t%d\t%.3f\t%.3f\t%ld\t%s\n", c->label, round,
                wall * 1e3, cpu * 1e3, rss, status);
      if (round < 0) continue; /* warm-up */
      if (rc != 0) {
        c->failures++;
        failed = 1;
        fprintf(stderr, "runner: %s: run %d: %s\n", c->label, round, status);
      }
      c->wall[c->n] = wall;
      c->cpu[c->n] = cpu;
      c->rss[c->n] = rss;
      c->n++;
    }
  }
  if (log) {
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    fprintf(log, "# runner floor_kb=%ld\n", self.ru_maxrss);
    fclose(log);
  }
  if (stop) return 130;
  for (int k = 0; k < ncs; k++) {
    contender *c = &cs[k];
    double mn = c->wall[0], mx = c->wall[0];
    long rmax = 0;
    for (int i = 0; i < c->n; i++) {
      if (c->wall[i] < mn) mn = c->wall[i];
      if (c->wall[i] > mx) mx = c->wall[i];
      if (c->rss[i] > rmax) rmax = c->rss[i];
    }
    printf("%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%ld\n", c->label, c->n,
           c->failures, median_d(c->wall, c->n) * 1e3, mn * 1e3, mx * 1e3,
           median_d(c->cpu, c->n) * 1e3, median_l(c->rss, c->n), rmax);
  }
  return failed;
}
