/*
 * record_db.c: the history database of `procnet record`; see record.h and
 * sql/history.sql (compiled in as history_sql.h).
 *
 * - One recorder per file: the file is flock'ed (LOCK_EX) for the whole
 *   run, through a descriptor of its own. flock and the POSIX locks SQLite
 *   takes do not interact on Linux; that descriptor is closed only after
 *   SQLite has closed the file, since closing any descriptor of a file
 *   drops the process's POSIX locks on it. A recorder killed with
 *   SIGKILL loses its flock with its descriptors: the file is free again.
 * - WAL mode with synchronous=NORMAL: a sample is one transaction; a
 *   process killed at any moment leaves the file consistent with every
 *   committed sample (the WAL is replayed by the next reader), and readers
 *   never block the recorder.
 * - Only a new or empty file, or one of ours (application_id 'pnh1', schema
 *   version 1), is written.
 * - The file holds plain tables and views; trusted_schema is off and
 *   defensive mode on, so that its schema cannot reach beyond it.
 */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "history_sql.h"

#define APP_ID 0x706e6831 /* "pnh1" */
#define SCHEMA_VERSION 1

static const char *const SQL[REC_NSTMTS] = {
    [REC_BEGIN] = "BEGIN IMMEDIATE",
    [REC_COMMIT] = "COMMIT",
    [REC_ROLLBACK] = "ROLLBACK",
    [REC_RUN_SAMPLED] = "UPDATE runs SET last_sample = ?2 WHERE id = ?1",
    [REC_RUN_ENDED] = "UPDATE runs SET ended = ?2 WHERE id = ?1",
    [REC_SAMPLE] = "INSERT INTO samples(run, time, took_ms, processes, namespaces, sockets,"
                   " tcp, udp, unix, listen, established, close_wait, time_wait,"
                   " opened, closed, destroyed, unseen, overflows)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [REC_PROC_NEW] = "INSERT INTO process_history(run, pid, start_time, ppid, name, cmdline,"
                     " uid, user, netns, container, first_seen)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [REC_PROC_EXEC] = "UPDATE process_history SET name = ?2, cmdline = ?3 WHERE id = ?1",
    [REC_PROC_GONE] = "UPDATE process_history SET last_seen = ?2, gone = ?3 WHERE id = ?1",
    [REC_NETNS_NEW] = "INSERT INTO netns_history(run, netns, container, first_seen, destroy,"
                      " destroy_error) VALUES (?, ?, ?, ?, ?, ?)",
    [REC_NETNS_GONE] = "UPDATE netns_history SET gone = ?2 WHERE id = ?1",
    [REC_SOCK_NEW] = "INSERT INTO socket_history(run, kind, family, netns, local_address,"
                     " local_port, remote_address, remote_port, path, inode, cookie, uid,"
                     " user, container, state, states, first_seen)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                     " ?15, ?15, ?16)",
    [REC_SOCK_HOLDER] = "UPDATE socket_history SET pid = ?2, command = ?3, process = ?4,"
                        " container = coalesce(?5, container) WHERE id = ?1",
    [REC_SOCK_STATE] = "UPDATE socket_history SET state = ?2, states = states || ' ' || ?2"
                       " WHERE id = ?1",
    [REC_STATE_NEW] = "INSERT INTO socket_states(socket, time, state) VALUES (?, ?, ?)",
    [REC_SOCK_GONE] = "UPDATE socket_history SET last_seen = ?2, gone = ?3, ended_by = 'sample'"
                      " WHERE id = ?1",
    /* a sample may have found it gone already: then the notification,
     * read after that sample, can only move the end earlier */
    [REC_SOCK_DESTROYED] = "UPDATE socket_history SET last_seen = coalesce(last_seen, ?2),"
                           " gone = min(coalesce(gone, ?3), ?3), ended_by = 'destroy',"
                           " bytes_sent = ?4, bytes_received = ?5 WHERE id = ?1",
    [REC_SOCK_UNSEEN] = "INSERT INTO socket_history(run, kind, family, netns, local_address,"
                        " local_port, remote_address, remote_port, cookie, container, state,"
                        " states, gone, ended_by, bytes_sent, bytes_received)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12,"
                        " 'destroy', ?13, ?14)",
};

/* ---- errors --------------------------------------------------------------------- */

/* SQLite does not always keep the errno of a failed write (an I/O error in
 * the WAL comes back with none), so the cause is also read off the file:
 * a size limit (ulimit -f) the file or its WAL is at, or no room left. */
#define NEAR (64 * 1024)

static int at_size_limit(const char *path) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
  const char *suffix[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
    struct stat st;
    char *f = sqlite3_mprintf("%s%s", path, suffix[i]);
    int near = f && stat(f, &st) == 0 && (rlim_t)st.st_size + NEAR > rl.rlim_cur;
    sqlite3_free(f);
    if (near) return 1;
  }
  return 0;
}

static int disk_full(const char *path) {
  struct statvfs v;
  return statvfs(path, &v) == 0 && (uint64_t)v.f_bavail * v.f_frsize < NEAR;
}

static const char *cause(const rec_db *d, int rc) {
  int e = d->db ? sqlite3_system_errno(d->db) : 0;
  if (e == EFBIG || at_size_limit(d->path)) return "the file size limit is reached";
  if ((rc & 0xff) == SQLITE_FULL || e == ENOSPC || disk_full(d->path)) return "the disk is full";
  if ((rc & 0xff) == SQLITE_READONLY || e == EROFS || e == EACCES) return "the file is read-only";
  return NULL;
}

int rec_db_error(const rec_db *d, int rc, const char *doing) {
  const char *why = cause(d, rc);
  const char *msg = d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc);
  if (why)
    return cli_error("record: cannot write %s while %s: %s (%s); the file keeps every"
                     " sample before this one",
                     d->path, doing, why, msg);
  return cli_error("record: %s while %s: %s", d->path, doing, msg);
}

/* ---- one recorder per file ------------------------------------------------------------ */

/* The pid of the run still going on in the file, or 0. */
static int64_t running_pid(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int64_t pid = 0;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT pid FROM runs WHERE ended IS NULL ORDER BY id DESC LIMIT 1",
                         -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    pid = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return pid;
}

static int take_lock(rec_db *d) {
  d->lockfd = open(d->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (d->lockfd < 0)
    return cli_error("record: cannot write %s: %s", d->path, strerror(errno));
  if (flock(d->lockfd, LOCK_EX | LOCK_NB) == 0) return CLI_OK;
  if (errno != EWOULDBLOCK) return cli_error("record: cannot lock %s: %s", d->path, strerror(errno));
  int64_t pid = running_pid(d->path);
  if (pid)
    return cli_error("record: %s is being recorded by another procnet record (pid %lld);"
                     " one recorder per file",
                     d->path, (long long)pid);
  return cli_error("record: %s is being recorded by another procnet record;"
                   " one recorder per file", d->path);
}

/* ---- the schema ------------------------------------------------------------------------- */

static int64_t pragma_int(sqlite3 *db, const char *sql, int *rc) {
  sqlite3_stmt *st = NULL;
  int64_t v = 0;
  *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (*rc == SQLITE_OK && (*rc = sqlite3_step(st)) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
    *rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return v;
}

static int create_schema(rec_db *d) {
  char *sql = sqlite3_mprintf("BEGIN IMMEDIATE; PRAGMA application_id = %d;"
                              " PRAGMA user_version = %d; %s COMMIT;",
                              APP_ID, SCHEMA_VERSION, history_sql);
  int rc = sql ? sqlite3_exec(d->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_OK) return CLI_OK;
  int e = rec_db_error(d, rc, "creating the schema");
  sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  return e;
}

/* A new file gets the schema; an existing one must be ours. */
static int check_schema(rec_db *d) {
  int rc;
  int64_t objects = pragma_int(d->db, "SELECT count(*) FROM sqlite_schema", &rc);
  if ((rc & 0xff) == SQLITE_NOTADB)
    return cli_error("record: %s is not an SQLite database", d->path);
  if (rc != SQLITE_OK) return rec_db_error(d, rc, "reading the schema");
  int64_t app = pragma_int(d->db, "PRAGMA application_id", &rc);
  int64_t version = rc == SQLITE_OK ? pragma_int(d->db, "PRAGMA user_version", &rc) : 0;
  if (rc != SQLITE_OK) return rec_db_error(d, rc, "reading the schema");
  if (objects == 0 && app == 0) return create_schema(d);
  if (app != APP_ID)
    return cli_error("record: %s is a database of something else, not a procnet history"
                     " (application_id %lld)", d->path, (long long)app);
  if (version != SCHEMA_VERSION)
    return cli_error("record: %s has history schema %lld; this procnet writes %d",
                     d->path, (long long)version, SCHEMA_VERSION);
  return CLI_OK;
}

/* ---- opening ---------------------------------------------------------------------------- */

static int configure(rec_db *d) {
  int off = 0, on = 1;
  if (sqlite3_db_config(d->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, NULL) != SQLITE_OK ||
      sqlite3_db_config(d->db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL) != SQLITE_OK ||
      sqlite3_busy_timeout(d->db, 10000) != SQLITE_OK)
    return cli_error("record: %s: %s", d->path, sqlite3_errmsg(d->db));
  if (sqlite3_db_readonly(d->db, "main") == 1)
    return cli_error("record: cannot write %s: the file is read-only", d->path);
  return CLI_OK;
}

/* Once the file is known to be ours. */
static int use_wal(rec_db *d) {
  int rc = sqlite3_exec(d->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                               " PRAGMA journal_size_limit = 4194304;", NULL, NULL, NULL);
  return rc == SQLITE_OK ? CLI_OK : rec_db_error(d, rc, "opening it");
}

static int start_run(rec_db *d, const rec_run_info *info) {
  struct utsname u;
  const char *host = uname(&u) == 0 ? u.nodename : NULL;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(d->db,
                              "INSERT INTO runs(started, interval, pid, host, version, root,"
                              " netns, destroy) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, 1, info->started);
  if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, 2, info->interval);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)getpid());
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 4, host, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 5, info->version, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 6, info->root, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && info->netns) rc = sqlite3_bind_int64(st, 7, info->netns);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 8, info->destroy, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return rec_db_error(d, rc, "starting the run");
  d->run = sqlite3_last_insert_rowid(d->db);
  return CLI_OK;
}

static int prepare_all(rec_db *d) {
  for (int i = 0; i < REC_NSTMTS; i++)
    if (sqlite3_prepare_v3(d->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL) !=
        SQLITE_OK)
      return cli_error("record: %s: %s", d->path, sqlite3_errmsg(d->db));
  return CLI_OK;
}

int rec_db_open(rec_db *d, const char *path, const rec_run_info *info) {
  memset(d, 0, sizeof *d);
  d->path = path;
  d->lockfd = -1;
  int rc = take_lock(d);
  if (rc != CLI_OK) return rc;
  if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    return cli_error("record: cannot open %s: %s", path,
                     d->db ? sqlite3_errmsg(d->db) : "out of memory");
  rc = configure(d);
  if (rc == CLI_OK) rc = check_schema(d);
  if (rc == CLI_OK) rc = use_wal(d);
  if (rc == CLI_OK) rc = start_run(d, info);
  if (rc == CLI_OK) rc = prepare_all(d);
  return rc;
}

/* ---- writing ------------------------------------------------------------------------------ */

static int bind_one(sqlite3_stmt *st, int k, char type, va_list *ap) {
  switch (type) {
  case 'I': return sqlite3_bind_int64(st, k, va_arg(*ap, int64_t));
  case 'R': return sqlite3_bind_double(st, k, va_arg(*ap, double));
  case 'V': return sqlite3_bind_value(st, k, va_arg(*ap, const sqlite3_value *));
  case 'T': {
    const char *s = va_arg(*ap, const char *);
    return s ? sqlite3_bind_text(st, k, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, k);
  }
  default: return sqlite3_bind_null(st, k);
  }
}

int rec_db_run(rec_db *d, rec_stmt which, const char *fmt, ...) {
  sqlite3_stmt *st = d->st[which];
  va_list ap;
  int rc = SQLITE_OK;
  va_start(ap, fmt);
  for (int k = 0; rc == SQLITE_OK && fmt[k]; k++) rc = bind_one(st, k + 1, fmt[k], &ap);
  va_end(ap);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc;
}

int64_t rec_db_last_id(const rec_db *d) { return sqlite3_last_insert_rowid(d->db); }

void rec_db_close(rec_db *d, double ended) {
  if (ended > 0 && d->run && d->st[REC_RUN_ENDED] &&
      rec_db_run(d, REC_RUN_ENDED, "IR", d->run, ended) != SQLITE_DONE)
    rec_db_error(d, sqlite3_errcode(d->db), "marking the run ended");
  for (int i = 0; i < REC_NSTMTS; i++) sqlite3_finalize(d->st[i]);
  sqlite3_close(d->db);
  if (d->lockfd >= 0) close(d->lockfd); /* after SQLite's: see the top */
  memset(d, 0, sizeof *d);
  d->lockfd = -1;
}
