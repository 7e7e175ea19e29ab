/*
 * cmd_record.c: `procnet record --db FILE [-n SECONDS] [--duration TIME]`:
 * a sample every SECONDS (default 1) into the history database FILE, until
 * SIGINT or SIGTERM (status 0) or the end of TIME (a last sample falls at
 * TIME: 30 s at 1 s are 31 samples). See record.h for the parts.
 *
 * One sample, one transaction: the notifications waiting are read, then
 * the processes (and their namespaces, subscribed to as they appear), the
 * sockets, the notifications applied, the lifetimes that ended closed,
 * and the sample's counts written. Any failure to write (a full disk, a
 * file size limit, a read-only file) rolls the sample back and ends the
 * recorder with status 1 and one line saying why.
 *
 * --netns N|self records that namespace only: its processes, its sockets
 * and its notifications.
 */
#include "record.h"
#include "ticker.h"

#include "procfs.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

typedef struct record_args {
  const cli_command *cmd;
  const char *db;
  double interval, duration;
} record_args;

/* ---- the command line ------------------------------------------------------------- */

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  record_args *a = ctx;
  (void)st;
  switch (code) {
  case CLI_OPERAND: return cli_usage_error(a->cmd, "unexpected '%s'", v);
  case CLI_OPT_DB: a->db = v; return CLI_OK;
  case 'n':
    if (cli_parse_interval(v, &a->interval) != 0)
      return cli_usage_error(a->cmd, "bad interval '%s' (seconds, 0.01 to 86400)", v);
    return CLI_OK;
  case CLI_OPT_DURATION:
    if (cli_parse_seconds(v, 1, &a->duration) != 0)
      return cli_usage_error(a->cmd, "bad duration '%s' (30, 30s, 5m, 2h or 1d)", v);
    return CLI_OK;
  default: return CLI_OK;
  }
}

/* ---- statements on src ----------------------------------------------------------- */

int rec_src_error(rec *r) { return cli_error("record: %s", sqlite3_errmsg(r->src)); }

sqlite3_stmt *rec_src_prepare(rec *r, const char *sql, int64_t bind) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->src, sql, -1, &st, NULL) != SQLITE_OK ||
      (bind && sqlite3_bind_int64(st, 1, bind) != SQLITE_OK)) {
    rec_src_error(r);
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

int rec_src_exec(rec *r, const char *sql) {
  return sqlite3_exec(r->src, sql, NULL, NULL, NULL) == SQLITE_OK ? CLI_OK : rec_src_error(r);
}

int rec_wrote(rec *r, int rc, const char *doing) {
  return rc == SQLITE_DONE ? CLI_OK : rec_db_error(&r->out, rc, doing);
}

/* One text or integer from src: the first column of sql's first row. */
static char *src_text(rec *r, const char *sql) {
  sqlite3_stmt *st = rec_src_prepare(r, sql, 0);
  char *v = NULL;
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    v = strdup((const char *)sqlite3_column_text(st, 0));
  if (st && !v) rec_src_error(r);
  sqlite3_finalize(st);
  return v;
}

/* ---- setting up ------------------------------------------------------------------- */

typedef struct setup {
  char *root, *version, *netlink;
  pn_fs fs;
} setup;

static int open_src(rec *r, setup *s) {
  char *err = NULL;
  r->src = cli_db_open(r->o, 1);
  if (!r->src) return CLI_ERR;
  if (rec_src_exec(r, "CREATE TEMP TABLE rec_new_pids(pid INTEGER PRIMARY KEY);"
                      " CREATE TEMP TABLE rec_new_inodes(inode INTEGER, id INTEGER)") != CLI_OK)
    return CLI_ERR;
  s->root = src_text(r, "SELECT procnet_root()");
  s->version = s->root ? src_text(r, "SELECT procnet_version()") : NULL;
  s->netlink = s->version ? src_text(r, "SELECT procnet_netlink()") : NULL;
  if (!s->netlink) return CLI_ERR;
  r->destroy_mode = !strcmp(s->netlink, "off") ? 0 : !strcmp(s->netlink, "self") ? 1 : 2;
  sqlite3_int64 own = 0;
  if (cli_netns_inode(r->src, &(cli_opts){.format = CLI_TABLE, .ns = CLI_NS_SELF}, &own) != CLI_OK)
    return CLI_ERR;
  r->own_netns = own;
  if (r->o->ns != CLI_NS_ALL && cli_netns_inode(r->src, r->o, &own) != CLI_OK) return CLI_ERR;
  r->only_netns = r->o->ns != CLI_NS_ALL ? own : 0;
  if (pn_fs_open(&s->fs, s->root, NULL, &err) == 0) {
    r->fs = &s->fs;
    return CLI_OK;
  }
  cli_error("record: %s", err ? err : "out of memory");
  sqlite3_free(err);
  return CLI_ERR;
}

static void close_setup(setup *s) {
  if (s->fs.rootfd >= 0) pn_fs_close(&s->fs);
  free(s->root);
  free(s->version);
  free(s->netlink);
}

/* ---- a sample --------------------------------------------------------------------- */

static int write_sample(rec *r, double t0) {
  const rec_counts *c = &r->c;
  double took = round((cli_monotonic() - t0) * 10000) / 10; /* ms, to 0.1 */
  int rc = rec_db_run(&r->out, REC_SAMPLE, "IRRIIIIIIIIIIIIIII", r->out.run, r->now, took,
                      c->processes, c->namespaces, c->sockets, c->tcp, c->udp, c->unx,
                      c->listen, c->established, c->close_wait, c->time_wait, c->opened,
                      c->closed, c->destroyed, c->unseen, c->overflows);
  if (rec_wrote(r, rc, "adding the sample") != CLI_OK) return CLI_ERR;
  return rec_wrote(r, rec_db_run(&r->out, REC_RUN_SAMPLED, "IR", r->out.run, r->now),
                   "adding the sample");
}

static int sample_steps(rec *r, double t0) {
  int rc = rec_wrote(r, rec_db_run(&r->out, REC_BEGIN, ""), "starting a sample");
  if (rc == CLI_OK) rc = rec_scan_processes(r);
  if (rc == CLI_OK) rc = rec_scan_namespaces(r);
  if (rc == CLI_OK) rc = rec_scan_sockets(r);
  if (rc == CLI_OK) rc = rec_apply_events(r);
  if (rc == CLI_OK) rc = rec_end_sockets(r);
  if (rc == CLI_OK) rc = write_sample(r, t0);
  if (rc == CLI_OK) rc = rec_wrote(r, rec_db_run(&r->out, REC_COMMIT, ""), "committing a sample");
  return rc;
}

static int sample(rec *r) {
  double t0 = cli_monotonic();
  int64_t overflows = r->c.overflows; /* counted while waiting */
  memset(&r->c, 0, sizeof r->c);
  r->c.overflows = overflows;
  r->gen++;
  r->prev = r->now;
  r->now = cli_now();
  r->users_read = 0;
  int rc = rec_read_all_events(r);
  if (rc == CLI_OK) rc = sample_steps(r, t0);
  /* what a failed sample wrote is undone; the error is already said */
  if (rc != CLI_OK && !sqlite3_get_autocommit(r->out.db))
    (void)rec_db_run(&r->out, REC_ROLLBACK, "");
  r->c.overflows = 0;
  return rc;
}

/* ---- the loop --------------------------------------------------------------------- */

static int on_ready(void *arg, int i) { return rec_read_events(arg, i) == CLI_OK ? 0 : -1; }

/* Samples until a signal, the end of the duration or a failure. *clean: it
 * stopped as asked. */
static int loop(rec *r, const record_args *a, int *clean) {
  cli_ticker t;
  if (cli_ticker_start(&t, a->interval) != 0)
    return cli_error("record: cannot take SIGINT and SIGTERM: %s", strerror(errno));
  int rc = CLI_OK;
  for (;;) {
    int tick = cli_ticker_wait(&t, r->fds, r->nfds, on_ready, r);
    if (tick == 0) break;
    rc = tick < 0 ? cli_error("record: %s", strerror(errno)) : sample(r);
    if (rc != CLI_OK) break;
    if (a->duration > 0 && (double)t.next * a->interval > a->duration + 1e-6) break;
  }
  cli_ticker_stop(&t);
  *clean = rc == CLI_OK;
  return rc;
}

static void rec_free(rec *r) {
  rec_socks_free(r);
  rec_procs_free(r);
  rec_events_free(r);
  if (r->src) cli_db_close(r->src);
}

int cli_cmd_record(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  record_args a = {cmd, NULL, 1, 0};
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  if (rc != CLI_OK) return rc;
  if (!a.db) return cli_usage_error(cmd, "--db FILE is needed: the database to write");
  /* past a file size limit, write() must fail (EFBIG) rather than the
   * process be killed, so that the sample is rolled back and said */
  if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
    return cli_error("record: cannot ignore SIGXFSZ: %s", strerror(errno));
  rec r;
  setup s;
  memset(&r, 0, sizeof r);
  memset(&s, 0, sizeof s);
  r.o = o;
  r.out.lockfd = -1;
  s.fs.rootfd = -1;
  rc = open_src(&r, &s);
  rec_run_info info = {cli_now(), a.interval, s.root, s.version, s.netlink, r.only_netns};
  if (rc == CLI_OK) rc = rec_db_open(&r.out, a.db, &info);
  int clean = 0;
  if (rc == CLI_OK) rc = loop(&r, &a, &clean);
  rec_db_close(&r.out, clean ? cli_now() : 0);
  rec_free(&r);
  close_setup(&s);
  return rc;
}
