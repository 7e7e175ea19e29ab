/*
 * test_old_sqlite.c: loaded into a SQLite older than 3.38.0, the extension
 * refuses with a message naming the version it needs.
 *
 * The loadable build reaches SQLite only through the sqlite3_api_routines
 * table handed to its entry point, so the test dlopen()s build/procnet.so
 * and hands it a table whose libversion_number() answers 3.37.2. Nothing
 * else in the table is filled but what the refusal itself uses (mprintf),
 * so the test also proves nothing is registered before the check.
 */
#include "pn_test.h"

#include <dlfcn.h>

/* The real function, taken before sqlite3ext.h turns the name into a call
 * through an api table. */
static char *(*const real_mprintf)(const char *, ...) = sqlite3_mprintf;
static void (*const real_free)(void *) = sqlite3_free;

#include <sqlite3ext.h>
#include <stdlib.h>
#include <string.h>

static int old_version_number(void) { return 3037002; }
static const char *old_version(void) { return "3.37.2"; }

typedef int (*init_fn)(sqlite3 *, char **, const sqlite3_api_routines *);

static void refuses_old_sqlite(void **state) {
  (void)state;
  const char *so = getenv("PN_SO") ? getenv("PN_SO") : "build/procnet.so";
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!h) fail_msg("dlopen %s: %s", so, dlerror());
  init_fn init = (init_fn)dlsym(h, "sqlite3_procnet_init");
  assert_non_null(init);
  sqlite3_api_routines api;
  memset(&api, 0, sizeof api);
  api.libversion_number = old_version_number;
  api.libversion = old_version;
  api.mprintf = real_mprintf;
  char *err = NULL;
  assert_int_equal(init(NULL, &err, &api), SQLITE_ERROR);
  assert_non_null(err);
  assert_string_equal(err, "procnet needs SQLite 3.38.0 or newer; this is 3.37.2");
  real_free(err);
  dlclose(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(refuses_old_sqlite),
  };
  return cmocka_run_group_tests_name("old_sqlite", tests, NULL, NULL);
}
