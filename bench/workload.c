/*
 * workload.c: the socket workload of `make bench` (issue 5).
 *
 * Starts P worker processes that each hold loopback TCP connections, both
 * ends (the client socket and the accepted one) plus their own listeners,
 * IPv4 and IPv6, and a few unix sockets; optionally also I idle processes
 * (sleeping children, for the "many processes" measures). Once every socket
 * exists it prints one line `READY ...` on stdout and, with -r FILE, writes
 * FILE (atomically: a temporary file renamed): the READY line, then the pid
 * of every worker, one per line.
 *
 * Bounded and safe to leave running:
 *  - only loopback: listeners on 127.0.0.1 / ::1, clients bound to sources
 *    127.2.0.1 ... (IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect
 *    time per 4-tuple, so the ~28k ephemeral ports of one source address
 *    are not a limit); every listener has its own port;
 *  - bounded counts (see the limits below) and a hard timeout (-t, at most
 *    600 s): the parent exits by itself after it;
 *  - SIGINT, SIGTERM, the timeout, or an unexpected child death: the parent
 *    kills every child (SIGKILL), reaps them, removes the ready file and
 *    exits. Children die with the parent (PR_SET_PDEATHSIG) and have their
 *    own alarm as a backstop. Sockets have SO_LINGER 0, so closing them
 *    leaves no TIME_WAIT behind to pollute the next measure;
 *  - RLIMIT_NOFILE is raised in each worker to what it needs, checked
 *    against /proc/sys/fs/nr_open first.
 *
 * Usage: workload [-p PROCS] [-s TCP_SOCKETS] [-6 PCT_IPV6] [-u UNIX_PAIRS]
 *                 [-i IDLE] [-T THREADS] [-t TIMEOUT_S] [-r READY_FILE]
 *                 [-n NETNS_PREFIX]
 *   -s  TCP sockets in total over all workers, listeners included (each
 *       connection is two sockets); default 10000
 *   -p  worker processes (default 20; 0 with -i: idle processes only)
 *   -6  percentage of connections over IPv6 (default 50)
 *   -u  unix socketpairs per worker (default 16), plus one abstract listener
 *   -i  idle processes (default 0)
 *   -T  threads of each idle process, its main thread included (default
 *       1): lsof lists every file again for each further thread
 *   -t  hard timeout in seconds (default and maximum 600)
 *   -n  worker i makes its sockets in the network namespace mounted at
 *       NETNS_PREFIX<i> (e.g. /run/netns/pnbench, made by ip netns add
 *       pnbench0 ...), with its loopback brought up: one namespace per
 *       worker, as containers are
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 2000
#define MAX_SOCKETS 250000L
#define MAX_IDLE 5000
#define MAX_UNIX 10000
#define MAX_THREADS 64
#define MAX_TIMEOUT 600
/* Connections per listener (same source and destination address and port
 * for IPv6: the 4-tuple differs only by the client port). */
#define CONNS_PER_LISTENER 20000

static const char *prog = "workload";

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", prog);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static long parse_num(const char *s, long lo, long hi, char opt) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < lo || v > hi)
    die("-%c: want an integer in [%ld, %ld], got '%s'", opt, lo, hi, s);
  return v;
}

/* ---- worker ------------------------------------------------------------- */

typedef struct plan {
  long conns4, conns6;   /* connections of one worker */
  long unix_pairs;
  int index;             /* worker number, chooses source addresses */
  const char *netns_prefix; /* -n, or NULL */
} plan;

/* Enters the namespace NETNS_PREFIX<index> and brings its loopback up. */
static int enter_netns(const plan *p) {
  char path[4096];
  snprintf(path, sizeof path, "%s%d", p->netns_prefix, p->index);
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) return -1;
  close(ns);
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  int rc = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ? -1 : 0;
  ifr.ifr_flags |= IFF_UP;
  if (rc == 0) rc = ioctl(s, SIOCSIFFLAGS, &ifr);
  if (s >= 0) close(s);
  return rc;
}

static void linger0(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

/* A listener on 127.0.0.1 or ::1, kernel-chosen port. Fills *addr. */
static int make_listener(int family, struct sockaddr_storage *addr,
                         socklen_t *len) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  memset(addr, 0, sizeof *addr);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)addr;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
    int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    *len = sizeof *a;
  }
  if (bind(fd, (struct sockaddr *)addr, *len) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, (struct sockaddr *)addr, len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* One connection to the listener lfd at addr: connect (completes at once on
 * loopback), then accept. IPv4 clients bind a source address of 127.2/16
 * chosen from (worker, k) first. Returns 0 or -1 with errno. */
static int connect_one(int lfd, int family, const struct sockaddr_storage *addr,
                       socklen_t len, const plan *p, long k) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  linger0(fd);
  if (family == AF_INET) {
    int one = 1;
    struct sockaddr_in src;
    long n = (long)p->index * 97 + k; /* spreads sources over 127.2.0.0/16 */
    memset(&src, 0, sizeof src);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr =
        htonl((127u << 24) | (2u << 16) | (uint32_t)(n % 65000 + 1));
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) goto fail;
  }
  if (connect(fd, (const struct sockaddr *)addr, len) != 0) goto fail;
  int afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (afd < 0) goto fail;
  linger0(afd);
  return 0; /* both descriptors stay open for the life of the worker */
fail:;
  int e = errno;
  close(fd);
  errno = e;
  return -1;
}

static int make_conns(int family, long n, const plan *p, long *made) {
  long per = CONNS_PER_LISTENER;
  for (long done = 0; done < n;) {
    struct sockaddr_storage addr;
    socklen_t len;
    int lfd = make_listener(family, &addr, &len);
    if (lfd < 0) return -1;
    (*made)++; /* the listener is a TCP socket too */
    for (long k = 0; k < per && done < n; k++, done++) {
      if (connect_one(lfd, family, &addr, len, p, done) != 0) return -1;
      *made += 2;
    }
  }
  return 0;
}

static int make_unix(const plan *p, long *made) {
  int sv[2];
  for (long i = 0; i < p->unix_pairs; i++) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    *made += 2;
  }
  /* One bound listener with an abstract name: nothing to clean up on disk. */
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1,
                   "procnet-bench-%d", (int)getpid());
  if (bind(fd, (struct sockaddr *)&a,
           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0 ||
      listen(fd, 8) != 0)
    return -1;
  (*made)++;
  return 0;
}

static void child_common(pid_t parent, unsigned timeout) {
  sigset_t none;
  sigemptyset(&none);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGALRM, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1); /* the parent died before prctl */
  alarm(timeout + 15);                /* backstop: the parent's is first */
}

/* The worker: builds its sockets, reports on the pipe, then sleeps. */
static void worker(const plan *p, int report_fd, long nofile) {
  char msg[160];
  long tcp = 0, unx = 0;
  struct rlimit rl = {(rlim_t)nofile, (rlim_t)nofile};
  struct rlimit cur;
  getrlimit(RLIMIT_NOFILE, &cur);
  if (cur.rlim_cur < rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    snprintf(msg, sizeof msg, "ERR setrlimit(NOFILE, %ld): %s\n", nofile,
             strerror(errno));
    goto report;
  }
  if (p->netns_prefix && enter_netns(p) != 0) {
    snprintf(msg, sizeof msg, "ERR netns %s%d: %s\n", p->netns_prefix, p->index,
             strerror(errno));
    goto report;
  }
  if (make_conns(AF_INET, p->conns4, p, &tcp) != 0 ||
      make_conns(AF_INET6, p->conns6, p, &tcp) != 0) {
    snprintf(msg, sizeof msg, "ERR tcp after %ld sockets: %s\n", tcp,
             strerror(errno));
    goto report;
  }
  if (make_unix(p, &unx) != 0) {
    snprintf(msg, sizeof msg, "ERR unix: %s\n", strerror(errno));
    goto report;
  }
  snprintf(msg, sizeof msg, "OK %ld %ld\n", tcp, unx);
report:
  if (write(report_fd, msg, strlen(msg)) < 0) _exit(1);
  close(report_fd);
  for (;;) pause();
}

/* ---- idle processes --------------------------------------------------- */

static void *sleep_forever(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

/* An idle process: threads - 1 threads besides the main one, all asleep.
 * It reports like a worker with no sockets once they exist. */
static void idle_process(long threads, int report_fd) {
  for (long t = 1; t < threads; t++) {
    pthread_t th;
    if (pthread_create(&th, NULL, sleep_forever, NULL) != 0) _exit(1);
  }
  if (write(report_fd, "OK 0 0\n", 7) != 7) _exit(1);
  close(report_fd);
  for (;;) pause();
}

/* ---- parent ----------------------------------------------------------- */

static pid_t *kids;
static int nkids;
static const char *ready_file;
static char ready_tmp[4096];

static void cleanup(void) {
  for (int i = 0; i < nkids; i++)
    if (kids[i] > 0) kill(kids[i], SIGKILL);
  for (int i = 0; i < nkids; i++)
    if (kids[i] > 0) waitpid(kids[i], NULL, 0);
  nkids = 0;
  if (ready_file) unlink(ready_file);
  if (ready_tmp[0]) unlink(ready_tmp);
}

static long read_long_file(const char *path) {
  FILE *f = fopen(path, "r");
  long v = -1;
  if (f) {
    if (fscanf(f, "%ld", &v) != 1) v = -1;
    fclose(f);
  }
  return v;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for a signal among those blocked in set, up to timeout seconds.
 * Returns the signal, or 0 on timeout. */
static int wait_signal(const sigset_t *set, double timeout) {
  if (timeout < 0) timeout = 0;
  struct timespec ts = {(time_t)timeout,
                        (long)((timeout - (double)(time_t)timeout) * 1e9)};
  int s = sigtimedwait(set, NULL, &ts);
  return s < 0 ? 0 : s;
}

static void usage(void) {
  fprintf(stderr,
          "usage: %s [-p PROCS] [-s TCP_SOCKETS] [-6 PCT_IPV6] [-u UNIX_PAIRS]\n"
          "          [-i IDLE_PROCS] [-T THREADS] [-t TIMEOUT_S]"
          " [-r READY_FILE] [-n NETNS_PREFIX]\n",
          prog);
  exit(2);
}

int main(int argc, char **argv) {
  long procs = 20, sockets = 10000, pct6 = 50, unix_pairs = 16, idle = 0;
  long threads = 1;
  long timeout = MAX_TIMEOUT;
  const char *netns_prefix = NULL;
  int opt;
  while ((opt = getopt(argc, argv, "p:s:6:u:i:T:t:r:n:h")) != -1) {
    switch (opt) {
    case 'p': procs = parse_num(optarg, 0, MAX_PROCS, 'p'); break;
    case 's': sockets = parse_num(optarg, 0, MAX_SOCKETS, 's'); break;
    case '6': pct6 = parse_num(optarg, 0, 100, '6'); break;
    case 'u': unix_pairs = parse_num(optarg, 0, MAX_UNIX, 'u'); break;
    case 'i': idle = parse_num(optarg, 0, MAX_IDLE, 'i'); break;
    case 'T': threads = parse_num(optarg, 1, MAX_THREADS, 'T'); break;
    case 't': timeout = parse_num(optarg, 1, MAX_TIMEOUT, 't'); break;
    case 'r': ready_file = optarg; break;
    case 'n': netns_prefix = optarg; break;
    default: usage();
    }
  }
  if (optind != argc) usage();
  if (procs == 0 && idle == 0) die("nothing to do (-p 0 and -i 0)");

  /* Per worker: L listeners + 2 sockets per connection = sockets / procs. */
  long per_proc = procs ? sockets / procs : 0;
  long conns = 0, conns4 = 0, conns6 = 0;
  if (procs) {
    conns = per_proc / 2;
    /* Remove one connection per listener needed until it fits. */
    for (;;) {
      conns6 = conns * pct6 / 100;
      conns4 = conns - conns6;
      long lis = (conns4 + CONNS_PER_LISTENER - 1) / CONNS_PER_LISTENER +
                 (conns6 + CONNS_PER_LISTENER - 1) / CONNS_PER_LISTENER;
      if (conns == 0 || 2 * conns + lis <= per_proc) break;
      conns--;
    }
  }
  long nofile = 2 * conns + 2 * unix_pairs + 64 + 8;
  long nr_open = read_long_file("/proc/sys/fs/nr_open");
  if (nr_open > 0 && nofile > nr_open)
    die("a worker needs %ld descriptors, above /proc/sys/fs/nr_open = %ld; "
        "use more processes (-p)", nofile, nr_open);
  long file_max = read_long_file("/proc/sys/fs/file-max");
  if (file_max > 0 && procs * nofile > file_max)
    die("%ld descriptors in all, above /proc/sys/fs/file-max = %ld",
        procs * nofile, file_max);

  /* Signals are taken synchronously (sigtimedwait); children unblock them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  double deadline = now() + (double)timeout;
  atexit(cleanup);

  kids = calloc((size_t)(procs + idle) + 1, sizeof *kids);
  if (!kids) die("out of memory");
  int rep[2];
  if (pipe2(rep, O_CLOEXEC) != 0) die("pipe: %s", strerror(errno));
  pid_t self = getpid();
  for (long i = 0; i < procs; i++) {
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
      child_common(self, (unsigned)timeout);
      close(rep[0]);
      plan p = {conns4, conns6, unix_pairs, (int)i, netns_prefix};
      worker(&p, rep[1], nofile);
    }
    kids[nkids++] = pid;
  }
  for (long i = 0; i < idle; i++) {
    pid_t pid = fork();
    if (pid < 0) die("fork (idle %ld): %s", i, strerror(errno));
    if (pid == 0) {
      child_common(self, (unsigned)timeout);
      close(rep[0]);
      idle_process(threads, rep[1]);
    }
    kids[nkids++] = pid;
  }
  close(rep[1]);

  /* Collect one report line per child ("OK tcp unix" or "ERR ..."), each
   * written in one write() of less than PIPE_BUF bytes, so lines never
   * interleave. Signals are polled between reads: SIGINT/SIGTERM or the
   * deadline also stop the setup. */
  long tcp = 0, unx = 0, reports = 0;
  char buf[16384];
  size_t have = 0;
  while (reports < procs + idle) {
    struct timespec zero = {0, 0};
    int s = sigtimedwait(&set, NULL, &zero);
    if (s == SIGCHLD) die("a worker died before reporting (%ld of %ld did)",
                          reports, procs + idle);
    if (s > 0) die("interrupted while building the sockets");
    if (now() > deadline) die("timeout while building the sockets");
    struct pollfd pfd = {rep[0], POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    ssize_t got = read(rep[0], buf + have, sizeof buf - 1 - have);
    if (got <= 0) die("a worker died before reporting (%ld of %ld did)",
                      reports, procs + idle);
    have += (size_t)got;
    buf[have] = 0;
    char *nl;
    while ((nl = strchr(buf, '\n')) != NULL) {
      *nl = 0;
      long t, u;
      if (sscanf(buf, "OK %ld %ld", &t, &u) != 2) die("worker: %s", buf);
      tcp += t;
      unx += u;
      reports++;
      have -= (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, have + 1);
    }
  }
  close(rep[0]);

  char line[256];
  snprintf(line, sizeof line,
           "READY pid=%d workers=%ld idle=%ld tcp_sockets=%ld unix_sockets=%ld "
           "conns_per_worker=%ld timeout=%ld\n",
           (int)self, procs, idle, tcp, unx, conns, timeout);
  if (ready_file) {
    snprintf(ready_tmp, sizeof ready_tmp, "%s.tmp.%d", ready_file, (int)self);
    FILE *f = fopen(ready_tmp, "w");
    if (!f) die("%s: %s", ready_tmp, strerror(errno));
    fputs(line, f);
    for (long i = 0; i < procs; i++) fprintf(f, "%d\n", (int)kids[i]);
    if (fclose(f) != 0 || rename(ready_tmp, ready_file) != 0)
      die("%s: %s", ready_file, strerror(errno));
    ready_tmp[0] = 0;
  }
  fputs(line, stdout);
  fflush(stdout);

  int code = 0;
  for (;;) {
    int s = wait_signal(&set, deadline - now());
    if (s == 0) {
      fprintf(stderr, "%s: timeout (%ld s): cleaning up\n", prog, timeout);
      code = 3;
      break;
    }
    if (s == SIGCHLD) {
      int st;
      pid_t pid = waitpid(-1, &st, WNOHANG);
      if (pid <= 0) continue;
      for (int i = 0; i < nkids; i++)
        if (kids[i] == pid) kids[i] = -1;
      fprintf(stderr, "%s: child %d ended unexpectedly: cleaning up\n", prog,
              (int)pid);
      code = 4;
      break;
    }
    break; /* SIGINT, SIGTERM, SIGHUP */
  }
  cleanup();
  return code;
}
