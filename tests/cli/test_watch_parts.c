/*
 * test_watch_parts.c: the parts of `procnet watch` and `procnet record`
 * that need no SQLite nor /proc, alone:
 *   - the hash map and the row diff (ext/cli/keymap.c): what a run of rows
 *     adds and removes against the run before, copies of a row counted,
 *     removals in the order rows were first seen, keys apart from the rows
 *     they name;
 *   - the times of the command line (ext/cli/ticker.c): --interval and
 *     --duration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "ticker.h"

/* ---- the map ---------------------------------------------------------------- */

static int keep_even(void *arg, void *val) {
  int *removed = arg;
  intptr_t v = (intptr_t)val;
  if (v % 2 == 0) return 1;
  (*removed)++;
  return 0;
}

static void map_puts_gets_and_sweeps(void **state) {
  (void)state;
  cli_keymap m = CLI_KEYMAP_INIT;
  char key[32];
  for (intptr_t i = 1; i <= 5000; i++) {
    int n = snprintf(key, sizeof key, "key %ld", (long)i);
    assert_int_equal(cli_keymap_put(&m, key, (size_t)n, (void *)i), 0);
  }
  assert_int_equal(m.n, 5000);
  assert_ptr_equal(cli_keymap_get(&m, "key 4321", 8), (void *)(intptr_t)4321);
  assert_null(cli_keymap_get(&m, "key 4321 ", 9));
  assert_null(cli_keymap_get(&m, "key 0", 5));
  /* a key is its bytes: a NUL inside counts */
  assert_int_equal(cli_keymap_put(&m, "a\0b", 3, (void *)(intptr_t)7), 0);
  assert_int_equal(cli_keymap_put(&m, "a\0c", 3, (void *)(intptr_t)8), 0);
  assert_ptr_equal(cli_keymap_get(&m, "a\0b", 3), (void *)(intptr_t)7);
  assert_ptr_equal(cli_keymap_get(&m, "a\0c", 3), (void *)(intptr_t)8);
  /* put again replaces */
  assert_int_equal(cli_keymap_put(&m, "key 10", 6, (void *)(intptr_t)12), 0);
  assert_ptr_equal(cli_keymap_get(&m, "key 10", 6), (void *)(intptr_t)12);
  assert_int_equal(m.n, 5002);
  int removed = 0;
  cli_keymap_sweep(&m, keep_even, &removed);
  assert_int_equal(removed, 2500 + 1); /* the odd ones, "a\0b" among them */
  assert_int_equal(m.n, 2501);
  assert_null(cli_keymap_get(&m, "key 4321", 8));
  assert_ptr_equal(cli_keymap_get(&m, "key 4322", 8), (void *)(intptr_t)4322);
  cli_keymap_clear(&m, NULL);
  assert_int_equal(m.n, 0);
  assert_null(cli_keymap_get(&m, "key 4322", 8));
}

/* ---- the row diff ---------------------------------------------------------------- */

typedef struct seen {
  char text[256];
} seen;

static int note_gone(void *arg, const void *row, size_t n) {
  seen *s = arg;
  size_t len = strlen(s->text);
  snprintf(s->text + len, sizeof s->text - len, "%s%.*s", len ? " " : "", (int)n,
           (const char *)row);
  return 0;
}

/* Adds the words of `rows` (each its own key) and returns which were
 * additions, then ends the run: *gone gets the removals. */
static void run(cli_rowdiff *d, const char *rows, char *added, size_t cap, seen *gone) {
  char copy[256];
  snprintf(copy, sizeof copy, "%s", rows);
  added[0] = '\0';
  for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    int a = cli_rowdiff_add(d, w, strlen(w), w, strlen(w));
    assert_true(a >= 0);
    if (a) snprintf(added + strlen(added), cap - strlen(added), "%s%s", *added ? " " : "", w);
  }
  gone->text[0] = '\0';
  assert_int_equal(cli_rowdiff_end(d, note_gone, gone), 0);
}

static void first_run_adds_every_row_then_only_changes(void **state) {
  (void)state;
  cli_rowdiff d = CLI_ROWDIFF_INIT;
  char added[256];
  seen gone;
  run(&d, "a b c", added, sizeof added, &gone);
  assert_string_equal(added, "a b c");
  assert_string_equal(gone.text, "");
  run(&d, "c b a", added, sizeof added, &gone);
  assert_string_equal(added, "");
  assert_string_equal(gone.text, "");
  run(&d, "d b", added, sizeof added, &gone);
  assert_string_equal(added, "d");
  assert_string_equal(gone.text, "a c"); /* in the order first seen */
  run(&d, "", added, sizeof added, &gone);
  assert_string_equal(gone.text, "b d");
  /* a row gone and back is added again */
  run(&d, "a", added, sizeof added, &gone);
  assert_string_equal(added, "a");
  cli_rowdiff_free(&d);
}

static void copies_of_a_row_are_counted(void **state) {
  (void)state;
  cli_rowdiff d = CLI_ROWDIFF_INIT;
  char added[256];
  seen gone;
  run(&d, "x x y", added, sizeof added, &gone);
  assert_string_equal(added, "x x y");
  run(&d, "x y y", added, sizeof added, &gone);
  assert_string_equal(added, "y");
  assert_string_equal(gone.text, "x");
  run(&d, "", added, sizeof added, &gone);
  assert_string_equal(gone.text, "x y y");
  cli_rowdiff_free(&d);
}

/* With a key, a row whose key stays is the same row; its removal shows
 * the values it had last. */
static void a_key_names_the_row(void **state) {
  (void)state;
  cli_rowdiff d = CLI_ROWDIFF_INIT;
  seen gone = {""};
  assert_int_equal(cli_rowdiff_add(&d, "k1", 2, "k1=old", 6), 1);
  assert_int_equal(cli_rowdiff_end(&d, note_gone, &gone), 0);
  assert_int_equal(cli_rowdiff_add(&d, "k1", 2, "k1=new", 6), 0);
  assert_int_equal(cli_rowdiff_end(&d, note_gone, &gone), 0);
  assert_string_equal(gone.text, "");
  assert_int_equal(cli_rowdiff_end(&d, note_gone, &gone), 0);
  assert_string_equal(gone.text, "k1=new");
  cli_rowdiff_free(&d);
}

/* ---- times on the command line ---------------------------------------------- */

static double seconds(const char *text, int units) {
  double d = -1;
  return cli_parse_seconds(text, units, &d) == 0 ? d : -1;
}

static void times_on_the_command_line(void **state) {
  (void)state;
  assert_true(seconds("0.5", 0) == 0.5);
  assert_true(seconds("30", 1) == 30);
  assert_true(seconds("30s", 1) == 30);
  assert_true(seconds("5m", 1) == 300);
  assert_true(seconds("1.5h", 1) == 5400);
  assert_true(seconds("1d", 1) == 86400);
  assert_true(seconds("5m", 0) == -1); /* an interval has no units */
  assert_true(seconds("5x", 1) == -1);
  assert_true(seconds("5ms", 1) == -1);
  assert_true(seconds("", 1) == -1);
  assert_true(seconds("0", 1) == -1);
  assert_true(seconds("-1", 1) == -1);
  assert_true(seconds("nan", 1) == -1);
  assert_true(seconds("inf", 1) == -1);
  double d = 0;
  assert_int_equal(cli_parse_interval("0.01", &d), 0);
  assert_true(d == 0.01);
  assert_int_equal(cli_parse_interval("0.009", &d), -1);
  assert_int_equal(cli_parse_interval("86401", &d), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(map_puts_gets_and_sweeps),
      cmocka_unit_test(first_run_adds_every_row_then_only_changes),
      cmocka_unit_test(copies_of_a_row_are_counted),
      cmocka_unit_test(a_key_names_the_row),
      cmocka_unit_test(times_on_the_command_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
