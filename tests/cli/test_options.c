/*
 * test_options.c: the option parser every command uses (ext/cli/options.c,
 * getopt_long over a command's table entry). A command of the test's own
 * has the forms lsof needs: a required argument attached or in the next
 * word (-p42, -p 42), an optional one attached or, when the command
 * accepts the next word, that word (-i:80, -i :80), long options, +X
 * options with an argument (+d DIR), operands in their place, `--`; and
 * the global options. The test checks what the command is told, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"

static int next_word_ok(int code, const char *w) { return code == 'i' && w[0] == ':'; }

static const cli_option test_options_table[] = {
    {'p', "pid", CLI_ARG_REQUIRED, "PID", "a process id", NULL, "processes"},
    {'i', "inet", CLI_ARG_OPTIONAL, "ADDR", NULL, NULL, "internet files"},
    {'a', "and", CLI_ARG_NONE, NULL, NULL, NULL, "and"},
    {'n', NULL, CLI_ARG_NONE, NULL, NULL, NULL, "numeric"},
    {CLI_PLUS('d'), NULL, CLI_ARG_REQUIRED, "DIR", "a directory", "@dir", "+d DIR"},
    {CLI_PLUS('E'), NULL, CLI_ARG_NONE, NULL, NULL, NULL, "+E"},
    {0, NULL, CLI_ARG_NONE, NULL, NULL, NULL, NULL},
};

static const cli_command test_cmd = {
    "fake", NULL, test_options_table, "[-p PID] [-i[ADDR]] [+d DIR] [NAME...]",
    "a command of the test's own", NULL, 7, 1, next_word_ok};

/* What the command was told, as text: "p=42 a i=:80 name +d=/tmp". */
typedef struct told {
  char text[512];
} told;

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *arg) {
  told *t = ctx;
  char item[128];
  if (code == CLI_OPERAND)
    snprintf(item, sizeof item, "%s%s", st->dashdash ? "--" : "", arg);
  else if (CLI_IS_PLUS(code))
    snprintf(item, sizeof item, "+%c%s%s", code - CLI_PLUS(0), arg ? "=" : "", arg ? arg : "");
  else
    snprintf(item, sizeof item, "%c%s%s", code, arg ? "=" : "", arg ? arg : "");
  size_t n = strlen(t->text);
  snprintf(t->text + n, sizeof t->text - n, "%s%s", n ? " " : "", item);
  return CLI_OK;
}

/* Parses the words (after the command's name); returns the status. The
 * words stay until the next call (o->root points into them). */
static int parse(const char *words, told *t, cli_opts *o) {
  static char copy[512];
  char *argv[32];
  int argc = 0;
  snprintf(copy, sizeof copy, "fake %s", words);
  for (char *save = NULL, *w = strtok_r(copy, " ", &save); w && argc < 31;
       w = strtok_r(NULL, " ", &save))
    argv[argc++] = w;
  argv[argc] = NULL;
  memset(t, 0, sizeof *t);
  *o = (cli_opts){.format = CLI_TABLE, .ns = CLI_NS_ALL, .picture = CLI_NO_PICTURE};
  return cli_parse(&test_cmd, o, argc, argv, on_arg, t);
}

static void expect(const char *words, const char *want) {
  told t;
  cli_opts o;
  int rc = parse(words, &t, &o);
  if (rc != CLI_OK || strcmp(t.text, want) != 0)
    fail_msg("'%s': status %d, told \"%s\", not \"%s\"", words, rc, t.text, want);
}

static void arguments_attached_or_next(void **state) {
  (void)state;
  expect("-p42", "p=42");
  expect("-p 42", "p=42");
  expect("--pid 42", "p=42");
  expect("--pid=42", "p=42");
  expect("-ap42", "a p=42");
  expect("-anp 42", "a n p=42");
  expect("-p -a", "p=-a"); /* a required argument takes the next word, whatever it is */
}

static void optional_argument(void **state) {
  (void)state;
  expect("-i:80", "i=:80");
  expect("-i :80", "i=:80");      /* the command accepts the next word */
  expect("-i file", "i file");    /* it does not: an operand */
  expect("-i", "i");
  expect("-ni :80", "n i=:80");
  expect("--inet=:80", "i=:80");
  expect("--inet :80", "i=:80");
}

static void plus_options_and_operands_in_place(void **state) {
  (void)state;
  expect("+d /tmp", "+d=/tmp");
  expect("+d/tmp", "+d=/tmp");
  expect("+E", "+E");
  expect("one -a two +d /x three", "one a two +d=/x three");
  expect("-- -p +d x", "---p --+d --x");
  expect("a -- b", "a --b");
}

static void global_options_anywhere(void **state) {
  (void)state;
  told t;
  cli_opts o;
  assert_int_equal(parse("-a --format csv x --root /r --netns self", &t, &o), CLI_OK);
  assert_string_equal(t.text, "a x");
  assert_int_equal(o.format, CLI_CSV);
  assert_string_equal(o.root, "/r");
  assert_int_equal(o.ns, CLI_NS_SELF);
  assert_int_equal(parse("--netns=net:[4026531840]", &t, &o), CLI_OK);
  assert_int_equal(o.ns, CLI_NS_INODE);
  assert_int_equal(o.ns_inode, 4026531840LL);
  assert_int_equal(parse("--format=json --netns 12", &t, &o), CLI_OK);
  assert_int_equal(o.format, CLI_JSON);
  assert_int_equal(o.ns_inode, 12);
}

/* Usage errors: the command's own status (7 here), the message on stderr. */
static void usage_errors_use_the_commands_status(void **state) {
  (void)state;
  static const char *const bad[] = {
      "-z", "--bogus", "-p", "--pid", "+d", "+x", "+dx +q", "--format xml",
      "--netns nope", "--netns 0", "--root",
  };
  int saved = dup(2), null = open("/dev/null", O_WRONLY);
  assert_true(saved >= 0 && null >= 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    told t;
    cli_opts o;
    dup2(null, 2); /* the messages are test_cli's business */
    int rc = parse(bad[i], &t, &o);
    dup2(saved, 2);
    if (rc != 7) fail_msg("'%s': status %d, not 7", bad[i], rc);
  }
  close(null);
  close(saved);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arguments_attached_or_next),
      cmocka_unit_test(optional_argument),
      cmocka_unit_test(plus_options_and_operands_in_place),
      cmocka_unit_test(global_options_anywhere),
      cmocka_unit_test(usage_errors_use_the_commands_status),
  };
  return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
