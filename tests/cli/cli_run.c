/*
 * cli_run.c: running build/procnet from the command's tests (cli_run.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"

char procnet_path[PATH_MAX];

int cli_run_init(const char *test) {
  if (realpath(CLI_B "/procnet", procnet_path)) return 0;
  fprintf(stderr, "%s: %s/procnet not found (run from the repository root)\n", test, CLI_B);
  return -1;
}

void run_free(run_res *r) {
  free(r->out);
  free(r->err);
}

char *slurp_fd(int fd) {
  size_t n = 0, cap = 4096;
  char *s = malloc(cap);
  if (!s) abort();
  lseek(fd, 0, SEEK_SET);
  for (;;) {
    if (n + 1 >= cap && !(s = realloc(s, cap *= 2))) abort();
    ssize_t k = read(fd, s + n, cap - n - 1);
    if (k <= 0) break;
    n += (size_t)k;
  }
  s[n] = '\0';
  /* lsof -F0 ends fields with NUL: shown as "^@" so that the text stays
   * whole (and its terminators can be compared). */
  size_t nul = 0;
  for (size_t i = 0; i < n; i++) nul += s[i] == '\0';
  if (!nul) return s;
  char *t = malloc(n + nul + 1), *o = t;
  if (!t) abort();
  for (size_t i = 0; i < n; i++) {
    if (s[i]) {
      *o++ = s[i];
    } else {
      *o++ = '^';
      *o++ = '@';
    }
  }
  *o = '\0';
  free(s);
  return t;
}

int tmp_fd(void) {
  char name[] = "/tmp/pn-cli-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) abort();
  unlink(name);
  return fd;
}

/* Runs argv (argv[0] a path) with `input` on stdin (NULL: /dev/null).
 * Usable in forked children: no cmocka calls. */
run_res run_argv(const char *input, char *const argv[]) {
  int in = tmp_fd(), out = tmp_fd(), err = tmp_fd();
  if (input && write(in, input, strlen(input)) != (ssize_t)strlen(input)) abort();
  lseek(in, 0, SEEK_SET);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    if (!input) {
      close(in);
      in = open("/dev/null", O_RDONLY);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execvp(argv[0], argv);
    dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  run_res r = {slurp_fd(out), slurp_fd(err),
               WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)};
  close(in);
  close(out);
  close(err);
  return r;
}

/* Runs build/procnet with the NULL-terminated arguments. */
static run_res run_cli_v(const char *input, const char *first, va_list ap) {
  char *argv[64];
  int n = 0;
  argv[n++] = procnet_path;
  for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
    argv[n++] = (char *)a;
  argv[n] = NULL;
  return run_argv(input, argv);
}

run_res run_cli(const char *first, ...) {
  va_list ap;
  va_start(ap, first);
  run_res r = run_cli_v(NULL, first, ap);
  va_end(ap);
  return r;
}

run_res run_cli_in(const char *input, const char *first, ...) {
  va_list ap;
  va_start(ap, first);
  run_res r = run_cli_v(input, first, ap);
  va_end(ap);
  return r;
}

int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}


/* The tests' sockets are close-on-exec: a procnet run would otherwise hold
 * them too and be listed as one of their holders. */
int listen_tcp4(int *port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0)
    return -1;
  *port = ntohs(a.sin_port);
  return s;
}

int connect_tcp4(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  return s;
}

int lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  int rc = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ? -1 : 0;
  ifr.ifr_flags |= IFF_UP;
  if (rc == 0) rc = ioctl(s, SIOCSIFFLAGS, &ifr);
  if (s >= 0) close(s);
  return rc;
}
