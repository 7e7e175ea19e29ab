/*
 * test_cli_install.c: what is around the command.
 *
 *   - bash completion: `procnet --complete` and the installed script;
 *   - Debian's python3 loads build/procnet.so; examples/embed.c runs;
 *   - `make install` into a temporary DESTDIR, with and without PREFIX.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli_run.h"
#include "procnet.h"

/* ---- bash completion ------------------------------------------------------ */

/* The candidates `procnet --complete -- WORDS...` offers, one a line. */
static char *candidates(const char *const *words) {
  char *argv[16];
  int n = 0;
  argv[n++] = procnet_path;
  argv[n++] = "--complete";
  argv[n++] = "--";
  for (; *words && n < 15; words++) argv[n++] = (char *)*words;
  argv[n] = NULL;
  run_res r = run_argv(NULL, argv);
  if (r.status != 0) fail_msg("--complete: status %d: %s", r.status, r.err);
  free(r.err);
  return r.out;
}

static void completes_from_the_table(void **state) {
  (void)state;
  static const struct {
    const char *words[6];
    const char *want;   /* the whole output, or what it contains */
    int contains;
  } cases[] = {
      {{"", NULL}, "lsof\nss\nnetstat\nfuser\nsql\nwatch\nrecord\ngraph\n", 0},
      {{"record", "--d", NULL}, "--db\n--duration\n", 0},
      {{"record", "--db", "", NULL}, "@file\n", 0},
      {{"ss", "--t", NULL}, "--tcp\n", 0},
      {{"ss", "-", NULL}, "-t\n--tcp\n-u\n--udp\n", 1},
      {{"ss", "-", NULL}, "\n-N\n--net\n", 1},
      {{"ss", "-", NULL}, "\n--format\n", 1},
      /* an option's argument */
      {{"ss", "-f", "", NULL}, "inet\ninet6\nunix\nlink\nnetlink\n", 0},
      {{"ss", "-tf", "in", NULL}, "inet\ninet6\n", 0},
      {{"--format", "", NULL}, "table\ncsv\njson\ndot\nsvg\n", 0},
      {{"netstat", "--format", "=", "j", NULL}, "json\n", 0}, /* bash splits --format=j */
      {{"--root", "", NULL}, "@dir\n", 0},
      /* lsof's + options, and +d's directory */
      {{"lsof", "+", NULL}, "+c\n+d\n+D\n+E\n+L\n+w\n", 0},
      {{"lsof", "-", NULL}, "\n-E\n", 1},
      {{"lsof", "+d", "", NULL}, "@dir\n", 0},
      /* operands: file names for fuser and lsof, ss's filter words */
      {{"fuser", "-v", "", NULL}, "@file\n", 0},
      /* lsof's -K takes i as its next word, or the word is a name */
      {{"lsof", "-K", "", NULL}, "i\n@file\n", 0},
      {{"lsof", "-aK", "i", NULL}, "i\n@file\n", 0},
      {{"lsof", "-K", "i", "", NULL}, "@file\n", 0},
      {{"ss", "-t", "s", NULL}, "state\nsrc\nsport\n", 0},
      {{"ss", "state", "list", NULL}, "listening\n", 0},
      {{"nosuchcommand", "", NULL}, "", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *c = candidates(cases[i].words);
    if (cases[i].contains ? !strstr(c, cases[i].want) : strcmp(c, cases[i].want) != 0)
      fail_msg("case %zu: %s \"%s\", got:\n%s", i, cases[i].contains ? "expected" : "not",
               cases[i].want, c);
    free(c);
  }
}

/* The installed script, in bash, completes through the command. */
static void bash_completion_script(void **state) {
  (void)state;
  if (access("/bin/bash", X_OK) != 0) skip();
  char script[3 * PATH_MAX + 640];
  snprintf(script, sizeof script,
           "source ext/cli/procnet.bash-completion || exit 3\n"
           "complete -p procnet >/dev/null || exit 4\n"
           "COMP_WORDS=(%s netstat --ti); COMP_CWORD=2; _procnet\n"
           "printf '%%s\\n' \"${COMPREPLY[@]}\"\n"
           "COMP_WORDS=(%s fuser tests/cli/compare.tab); COMP_CWORD=2; _procnet\n"
           "printf '%%s\\n' \"${COMPREPLY[@]}\"\n"
           "COMP_WORDS=(%s lsof -K tests/cli/compare.tab); COMP_CWORD=3; _procnet\n"
           "printf '%%s\\n' \"${COMPREPLY[@]}\"\n",
           procnet_path, procnet_path, procnet_path);
  char *argv[] = {"/bin/bash", "-c", script, NULL};
  run_res r = run_argv(NULL, argv);
  if (r.status != 0) fail_msg("bash: status %d: %s", r.status, r.err);
  assert_string_equal(r.out, "--timers\ntests/cli/compare.table\ntests/cli/compare.table\n");
  run_free(&r);
}

/* ---- embedding ------------------------------------------------------------ */

static void python_loads_the_extension(void **state) {
  (void)state;
  if (access("/usr/bin/python3", X_OK) != 0) skip();
  char *argv[] = {"/usr/bin/python3", "tests/cli/load_ext.py", CLI_B "/procnet.so", NULL};
  run_res r = run_argv(NULL, argv);
  if (r.status != 0 || strcmp(r.out, "ok\n") != 0)
    fail_msg("status %d\n%s%s", r.status, r.out, r.err);
  run_free(&r);
}

/* This process's command name (its file name, cut to 15 characters). */
static void self_comm(char *buf, size_t n) {
  FILE *f = fopen("/proc/self/comm", "r");
  if (!f || !fgets(buf, (int)n, f)) fail_msg("cannot read /proc/self/comm");
  fclose(f);
  buf[strcspn(buf, "\n")] = '\0';
}

static void c_example_embeds(void **state) {
  (void)state;
  int port, ls = listen_tcp4(&port);
  assert_true(ls >= 0);
  char *argv[] = {CLI_B "/examples/embed", NULL, NULL};
  run_res r = run_argv(NULL, argv);
  assert_int_equal(r.status, 0);
  char want[64];
  char comm[32], line[40];
  self_comm(comm, sizeof comm);
  snprintf(want, sizeof want, "%d|%s|127.0.0.1:%d|", (int)getpid(), comm, port);
  assert_contains(r.out, want);
  run_free(&r);
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT name FROM processes WHERE pid = %d", (int)getpid());
  argv[1] = sql;
  r = run_argv(NULL, argv);
  assert_int_equal(r.status, 0);
  snprintf(line, sizeof line, "%s\n", comm);
  assert_string_equal(r.out, line);
  run_free(&r);
  argv[1] = "SELECT nope";
  r = run_argv(NULL, argv);
  assert_int_equal(r.status, 1);
  assert_contains(r.err, "no such column: nope");
  run_free(&r);
  close(ls);
}

/* ---- make install --------------------------------------------------------- */

static void expect_file(const char *root, const char *rel, mode_t mode) {
  char path[2 * PATH_MAX];
  struct stat st;
  snprintf(path, sizeof path, "%s%s", root, rel);
  if (stat(path, &st) != 0) fail_msg("not installed: %s", path);
  if ((st.st_mode & 0777) != mode) fail_msg("%s: mode %o, not %o", path, st.st_mode & 0777, mode);
}

static void make_install(const char *destdir, const char *prefix) {
  char dd[PATH_MAX + 16], b[PATH_MAX + 8], pf[PATH_MAX + 16];
  snprintf(dd, sizeof dd, "DESTDIR=%s", destdir);
  snprintf(b, sizeof b, "B=%s", CLI_B);
  snprintf(pf, sizeof pf, "PREFIX=%s", prefix ? prefix : "");
  /* A make of its own: not the jobserver of the make running the tests. */
  char *argv[] = {"/usr/bin/env", "-u", "MAKEFLAGS", "-u", "MFLAGS", "-u", "MAKELEVEL",
                  "make", "-s", "--no-print-directory", b, dd,
                  prefix ? pf : "install", prefix ? "install" : NULL, NULL};
  run_res r = run_argv(NULL, argv);
  if (r.status != 0) fail_msg("make install: %d\n%s%s", r.status, r.out, r.err);
  run_free(&r);
}

static char destdir[] = "/tmp/pn-destdir-XXXXXX";

/* Removes the DESTDIR whether the test passed or not. */
static int remove_destdir(void **state) {
  (void)state;
  char *argv[] = {"/bin/rm", "-rf", destdir, NULL};
  run_res r = run_argv(NULL, argv);
  run_free(&r);
  return 0;
}

static void installs_into_destdir(void **state) {
  (void)state;
  assert_non_null(mkdtemp(destdir));
  char root[2 * PATH_MAX];
  const char *prefixes[] = {NULL, "/opt/pn"};
  for (int i = 0; i < 2; i++) {
    make_install(destdir, prefixes[i]);
    snprintf(root, sizeof root, "%s%s", destdir, prefixes[i] ? prefixes[i] : "/usr/local");
    expect_file(root, "/bin/procnet", 0755);
    expect_file(root, "/lib/procnet.so", 0755);
    expect_file(root, "/lib/libprocnet.a", 0644);
    expect_file(root, "/include/procnet.h", 0644);
    expect_file(root, "/share/procnet/views.sql", 0644);
    expect_file(root, "/share/man/man1/procnet.1", 0644);
    expect_file(root, "/share/bash-completion/completions/procnet", 0644);
    /* The installed command runs. */
    char exe[2 * PATH_MAX + 16];
    snprintf(exe, sizeof exe, "%s/bin/procnet", root);
    char *argv[] = {exe, "--version", NULL};
    run_res r = run_argv(NULL, argv);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, PROCNET_VERSION);
    run_free(&r);
  }
}

int main(void) {
  if (cli_run_init("test_cli_install") != 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(completes_from_the_table),
      cmocka_unit_test(bash_completion_script),
      cmocka_unit_test(python_loads_the_extension),
      cmocka_unit_test(c_example_embeds),
      cmocka_unit_test_teardown(installs_into_destdir, remove_destdir),
  };
  return cmocka_run_group_tests_name("cli_install", tests, NULL, NULL);
}
