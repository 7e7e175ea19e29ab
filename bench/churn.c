/*
 * churn.c: connections that come and go, for the recording benchmark
 * (bench/record.sh): what `procnet record` has to follow on a host whose
 * sockets are not all idle.
 *
 * One process, loopback only: a listener on 127.0.0.1, and every tick
 * (1/RATE s) one new connection, both ends kept for a lifetime drawn
 * between 0 and LIFE ticks (so that most live a few samples and some close
 * between two), then closed, the client first, so its end passes through
 * TIME_WAIT as real clients' do; and every tenth tick a UDP datagram from a
 * socket closed at once (what a DNS lookup looks like). At most MAX
 * connections are open; it stops by itself after TIMEOUT seconds, and on
 * SIGINT or SIGTERM.
 *
 * Usage: churn [-r RATE] [-l LIFE] [-t TIMEOUT_S]
 *   -r  connections per second (default 20, at most 1000)
 *   -l  longest lifetime in ticks (default 100)
 *   -t  timeout in seconds (default and maximum 600)
 * Prints READY once listening.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX 4096

typedef struct conn {
  int client, server;
  long until;          /* the tick it closes at */
} conn;

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static long arg(const char *s, long lo, long hi, char opt) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < lo || v > hi) {
    fprintf(stderr, "churn: -%c: want an integer in [%ld, %ld]\n", opt, lo, hi);
    exit(2);
  }
  return v;
}

static int listener(struct sockaddr_in *a) {
  socklen_t len = sizeof *a;
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (l < 0 || bind(l, (struct sockaddr *)a, sizeof *a) != 0 || listen(l, 128) != 0 ||
      getsockname(l, (struct sockaddr *)a, &len) != 0) {
    perror("churn: listener");
    exit(1);
  }
  return l;
}

static void open_one(int l, const struct sockaddr_in *a, conn *c, long tick, long life) {
  c->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->client < 0 || connect(c->client, (const struct sockaddr *)a, sizeof *a) != 0) {
    perror("churn: connect");
    exit(1);
  }
  c->server = accept(l, NULL, NULL);
  if (c->server < 0) {
    perror("churn: accept");
    exit(1);
  }
  c->until = tick + (life ? random() % (life + 1) : 0);
}

static void datagram(const struct sockaddr_in *a) {
  int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (u >= 0 && sendto(u, "q", 1, 0, (const struct sockaddr *)a, sizeof *a) < 0) {
    /* nobody listens on UDP there: the datagram is lost, as intended */
  }
  if (u >= 0) close(u);
}

int main(int argc, char **argv) {
  long rate = 20, life = 100, timeout = 600;
  int opt;
  while ((opt = getopt(argc, argv, "r:l:t:")) != -1) {
    if (opt == 'r') rate = arg(optarg, 1, 1000, 'r');
    else if (opt == 'l') life = arg(optarg, 0, 100000, 'l');
    else if (opt == 't') timeout = arg(optarg, 1, 600, 't');
    else return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  struct sockaddr_in a;
  int l = listener(&a);
  static conn open[MAX];
  int n = 0;
  srandom(42);
  printf("READY\n");
  fflush(stdout);
  struct timespec tick_len = {0, 1000000000L / rate};
  for (long tick = 0; !stop && tick < timeout * rate; tick++) {
    for (int i = 0; i < n; i++) {
      if (open[i].until > tick) continue;
      close(open[i].client);
      close(open[i].server);
      open[i--] = open[--n];
    }
    if (n < MAX) open_one(l, &a, &open[n++], tick, life);
    if (tick % 10 == 0) datagram(&a);
    nanosleep(&tick_len, NULL);
  }
  return 0;
}
