/*
 * cli_run.h: running build/procnet (and other programs) from the command's
 * tests, and what they share: a listener in the test's own process.
 */
#ifndef PN_CLI_RUN_H
#define PN_CLI_RUN_H

#include <limits.h>
#include <stdarg.h>

#ifndef CLI_B
#define CLI_B "build"
#endif

extern char procnet_path[PATH_MAX]; /* absolute path of CLI_B/procnet */

/* Finds CLI_B/procnet; 0, or -1 after saying so (run from the repository
 * root, as tests/tools/run_tests.sh does). */
int cli_run_init(const char *test);

typedef struct run_res {
  char *out, *err;
  int status; /* exit code, or 128 + signal */
} run_res;

void run_free(run_res *r);
/* All of fd from its start, as text: NUL bytes become "^@". */
char *slurp_fd(int fd);
/* A temporary file, already unlinked. */
int tmp_fd(void);
/* Runs argv (argv[0] a path, or a name looked up in PATH) with `input`
 * on stdin (NULL: /dev/null).
 * Usable in forked children: no cmocka calls. */
run_res run_argv(const char *input, char *const argv[]);
/* Runs build/procnet with the NULL-terminated arguments. */
run_res run_cli(const char *first, ...);
run_res run_cli_in(const char *input, const char *first, ...);
int count_lines(const char *s);

#define assert_contains(hay, needle)                                          \
  do {                                                                        \
    if (!strstr((hay), (needle)))                                             \
      fail_msg("expected \"%s\" in:\n%s", (needle), (hay));                   \
  } while (0)

/* A TCP listener on 127.0.0.1 (the port into *port), and a connection to
 * it; -1 on failure. */
int listen_tcp4(int *port);
int connect_tcp4(int port);

/* Brings the loopback device of this network namespace up. 0 or -1. */
int lo_up(void);

#endif
