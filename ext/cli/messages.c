/*
 * messages.c: how procnet says what went wrong: "procnet: [CMD: ]MSG" on
 * standard error, with the usage line after a usage error, and the
 * version line.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

int cli_usage_status(const cli_command *cmd, int status, const char *fmt, ...) {
  va_list ap;
  fputs("procnet: ", stderr);
  if (cmd) fprintf(stderr, "%s: ", cmd->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  cli_print_usage_line(stderr, cmd);
  return status;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  int rc = cli_usage_status(cmd, cmd ? cmd->usage_status : CLI_USAGE, "%s",
                            msg ? msg : "out of memory");
  sqlite3_free(msg);
  return rc;
}

int cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  const char *m = msg ? msg : "out of memory";
  /* The extension's own messages already say who speaks. */
  if (!strncmp(m, "procnet: ", 9)) m += 9;
  fprintf(stderr, "procnet: %s\n", m);
  sqlite3_free(msg);
  return CLI_ERR;
}

int cli_print_version(const cli_opts *o) {
  sqlite3 *db = cli_db_open(o, 0);
  if (!db) return CLI_ERR;
  sqlite3_stmt *st = cli_prepare(db, "SELECT procnet_version(), sqlite_version()", NULL);
  int rc = CLI_ERR;
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    printf("procnet %s (SQLite %s)\n", sqlite3_column_text(st, 0),
           sqlite3_column_text(st, 1));
    rc = CLI_OK;
  } else if (st) {
    rc = cli_error("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  cli_db_close(db);
  return rc;
}

