/*
 * test_compare.c: what people type into ss, netstat, fuser (and lsof)
 * prints the same through procnet. Each line of tests/cli/compare.table
 * is a command line; it runs through the real tool and through
 * `procnet --netns self`, at the same moment, on a workload of the test's
 * own (compare_world.c), and the two must agree:
 *   - the exit status;
 *   - standard output, line by line, after runs of blanks are collapsed;
 *   - for fuser (which prints its pids on standard output and the rest on
 *     standard error) standard error too;
 * except for the documented exceptions (compare_normalize.c), whose
 * counts close the run.
 *
 * "The same moment": the real tool runs before and after procnet, and the
 * three must agree. When they do not (a timer ticked, a TIME-WAIT ended,
 * another namespace changed a kernel-wide count), the three run again, a
 * bounded number of times; only a difference every time fails.
 *
 * Everything happens in a new network, pid and mount namespace with its
 * own /proc (as root; otherwise the test is skipped): the tools see the
 * workload and nothing else of the machine.
 *
 * Table lines: words separated by blanks, '...' quoting a word with
 * blanks; {DIR} (the workload's directory), {PID}, {PID2}, {PID3} (its
 * processes)
 * and {PORTID} (its netlink socket) are replaced. The first word names the
 * tool. Each line is a test of its own in the summary.
 *
 * Run from the repository root (tests/tools/run_tests.sh does); CLI_B is
 * the build directory, given by mk/cli.mk. COMPARE_FILTER, when set, runs
 * only the lines whose test name ("LINENO: TEXT") matches it (cmocka's
 * wildcards: `COMPARE_FILTER='1[89]?: lsof*'`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "compare.h"
#define TABLE "tests/cli/compare.table"
#define ATTEMPTS 6

static cmp_world world;

typedef struct table_line {
  int lineno;
  char *text;             /* as written, for messages */
  char **argv;            /* words with placeholders replaced */
  int argc;
} table_line;

/* ---- reading the table ------------------------------------------------------ */

/* The word with {DIR}, {PID}, {PID2}, {PID3}, {PORTID} replaced
 * (malloc'd). */
static char *expand(const char *w) {
  char pid[16], pid2[16], pid3[16], portid[16];
  snprintf(pid, sizeof pid, "%d", (int)world.pid);
  snprintf(pid2, sizeof pid2, "%d", (int)world.pid2);
  snprintf(pid3, sizeof pid3, "%d", (int)world.pid3);
  snprintf(portid, sizeof portid, "%u", world.portid);
  const char *keys[] = {"{DIR}", "{PID2}", "{PID3}", "{PID}", "{PORTID}"};
  const char *vals[] = {world.dir, pid2, pid3, pid, portid};
  char *out = malloc(strlen(w) * 4 + 64), *o = out;
  while (*w) {
    size_t k = 0;
    while (k < 5 && strncmp(w, keys[k], strlen(keys[k])) != 0) k++;
    if (k < 5) {
      o += sprintf(o, "%s", vals[k]);
      w += strlen(keys[k]);
    } else {
      *o++ = *w++;
    }
  }
  *o = '\0';
  return out;
}

/* Splits a line into words; '...' quotes. */
static void split_line(const char *s, table_line *l) {
  char word[1024];
  l->argv = calloc(strlen(s) + 1, sizeof *l->argv);
  l->argc = 0;
  while (*s) {
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) break;
    size_t n = 0;
    while (*s && *s != ' ' && *s != '\t' && n < sizeof word - 1) {
      if (*s == '\'') {
        for (s++; *s && *s != '\'' && n < sizeof word - 1; s++) word[n++] = *s;
        if (*s == '\'') s++;
      } else {
        word[n++] = *s++;
      }
    }
    word[n] = '\0';
    l->argv[l->argc++] = expand(word);
  }
}

static table_line *read_table(int *n) {
  FILE *in = fopen(TABLE, "r");
  table_line *lines = NULL;
  char buf[1024];
  int lineno = 0;
  *n = 0;
  while (in && fgets(buf, sizeof buf, in)) {
    lineno++;
    buf[strcspn(buf, "\n")] = '\0';
    const char *p = buf + strspn(buf, " \t");
    if (!*p || *p == '#') continue;
    lines = realloc(lines, (size_t)(*n + 1) * sizeof *lines);
    table_line *l = &lines[(*n)++];
    l->lineno = lineno;
    l->text = strdup(p);
    split_line(p, l);
  }
  if (in) fclose(in);
  return lines;
}

/* ---- running --------------------------------------------------------------- */

/* One side's run, as lines of words, exceptions applied. */
typedef struct side_result {
  int status;
  cmp_lines out, err;
} side_result;

static side_result run_side(const table_line *l, cmp_side side) {
  char *argv[64];
  int n = 0;
  if (side == CMP_PROCNET) {
    argv[n++] = procnet_path;
    argv[n++] = "--netns";
    argv[n++] = "self";
  }
  for (int i = 0; i < l->argc && n < 63; i++) argv[n++] = l->argv[i];
  argv[n] = NULL;
  run_res r = run_argv(NULL, argv);
  side_result s;
  s.status = r.status;
  char *out = cmp_nul_fields_apart(r.out);
  cmp_lines_parse(out, &s.out);
  free(out);
  cmp_lines_parse(r.err, &s.err);
  cmp_normalize(l->argv, side, &s.out);
  run_free(&r);
  return s;
}

static void side_free(side_result *s) {
  cmp_lines_free(&s->out);
  cmp_lines_free(&s->err);
}

/* fuser's messages are output; ss's and netstat's are not compared. */
static int compares_stderr(const char *tool) { return !strcmp(tool, "fuser"); }

/* real is the real tool's run (its usage text is not procnet's). */
static int sides_equal(const table_line *l, const side_result *real, const side_result *b) {
  int usage = real->status != 0 && cmp_usage_error(l->argv[0], &real->err);
  return real->status == b->status && cmp_lines_equal(&real->out, &b->out) &&
         (usage || !compares_stderr(l->argv[0]) || cmp_lines_equal(&real->err, &b->err));
}

/* The first line where a and b differ (-1 when none). */
static int first_difference(const cmp_lines *a, const cmp_lines *b) {
  for (int i = 0; i < a->n || i < b->n; i++) {
    if (i >= a->n || i >= b->n) return i;
    cmp_lines x = {&a->words[i], &a->tabbed[i], 1}, y = {&b->words[i], &b->tabbed[i], 1};
    if (!cmp_lines_equal(&x, &y)) return i;
  }
  return -1;
}

static void print_side(const char *who, const side_result *s, int with_err) {
  char *o = cmp_lines_text(&s->out), *e = cmp_lines_text(&s->err);
  fprintf(stderr, "--- %s (status %d):\n%s", who, s->status, o);
  if (with_err) fprintf(stderr, "--- %s, standard error:\n%s", who, e);
  free(o);
  free(e);
}

/* Both outputs, whole (cmocka's messages are cut short). */
static void report_difference(const table_line *l, const side_result *real,
                              const side_result *pn) {
  int with_err = compares_stderr(l->argv[0]);
  fprintf(stderr, "%s:%d: %s: procnet differs (first at line %d of standard output)\n",
          TABLE, l->lineno, l->text, first_difference(&real->out, &pn->out) + 1);
  print_side(l->argv[0], real, with_err);
  print_side("procnet", pn, with_err);
}

static void compare_line(void **state) {
  const table_line *l = *state;
  int stable = 0;
  for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
    side_result before = run_side(l, CMP_REAL), pn = run_side(l, CMP_PROCNET),
                after = run_side(l, CMP_REAL);
    stable = sides_equal(l, &before, &after);
    int equal = sides_equal(l, &before, &pn), last = attempt == ATTEMPTS - 1;
    if (stable && !equal && last) report_difference(l, &before, &pn);
    side_free(&before);
    side_free(&pn);
    side_free(&after);
    /* A difference may be the machine moving under one run (another
     * namespace's sockets in a kernel-wide count): only the same
     * difference every time fails. */
    if (stable && equal) return;
  }
  if (stable) fail();
  fail_msg("%s:%d: %s: the real tool's output changed between every two runs", TABLE,
           l->lineno, l->text);
}

/* ---- the world ----------------------------------------------------------------- */

static int run_table(void) {
  int n;
  table_line *lines = read_table(&n);
  if (!n) {
    fprintf(stderr, "test_compare: no lines in %s (run from the repository root)\n", TABLE);
    return 1;
  }
  struct CMUnitTest *tests = calloc((size_t)n, sizeof *tests);
  for (int i = 0; i < n; i++) {
    char *name = malloc(strlen(lines[i].text) + 32);
    sprintf(name, "%d: %s", lines[i].lineno, lines[i].text);
    tests[i] = (struct CMUnitTest){name, compare_line, NULL, NULL, &lines[i]};
  }
  const char *filter = getenv("COMPARE_FILTER");
  if (filter && *filter) cmocka_set_test_filter(filter);
  int rc = _cmocka_run_group_tests("compare", tests, (size_t)n, NULL, NULL);
  cmp_report_exceptions();
  printf("compare: %d command lines compared\n", n);
  for (int i = 0; i < n; i++) {
    free((char *)tests[i].name);
    for (int k = 0; k < lines[i].argc; k++) free(lines[i].argv[k]);
    free(lines[i].argv);
    free(lines[i].text);
  }
  free(tests);
  free(lines);
  return rc;
}

/* Pid 1 of the new pid namespace: its /proc, the workload, the table. */
static int world_main(void) {
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
    fprintf(stderr, "test_compare: mount /proc: %s\n", strerror(errno));
    return 1;
  }
  if (cmp_world_start(&world) != 0) {
    fprintf(stderr, "test_compare: the workload failed: %s\n", strerror(errno));
    cmp_world_stop(&world);
    return 1;
  }
  int rc = run_table();
  cmp_world_stop(&world);
  fflush(NULL); /* the caller _exits */
  return rc;
}

static void needs_root(void **state) {
  (void)state;
  skip();
}

int main(void) {
  if (cli_run_init("test_compare") != 0) return 1;
  if (geteuid() != 0) {
    const struct CMUnitTest skipped[] = {cmocka_unit_test(needs_root)};
    return cmocka_run_group_tests_name("compare (needs root)", skipped, NULL, NULL);
  }
  setenv("LC_ALL", "C", 1);
  fflush(NULL);
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
      fprintf(stderr, "test_compare: unshare: %s\n", strerror(errno));
      _exit(1);
    }
    fflush(NULL);
    pid_t g = fork();
    if (g == 0) _exit(world_main());
    int st;
    waitpid(g, &st, 0);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
  }
  int st;
  waitpid(c, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}
