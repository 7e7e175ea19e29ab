/*
 * lsof_names.c: the files named on lsof's command line, as lsof finds
 * them (lsof(8), "names"; +d, +D):
 *   - a file is matched by device and inode, whatever path a process
 *     opened it by;
 *   - a directory is the directory itself (a cwd, an open descriptor),
 *     unless it is a mount point: then every file on that file system;
 *   - a unix socket's path also names the sockets bound there (found by
 *     the path the sockets table holds, the name as given or resolved);
 *   - +d DIR: DIR and each entry in it; +D DIR: the whole tree; neither
 *     follows symbolic links nor enters another file system.
 * Each named file (ids 1, 2, ... in the temp table lsof_names) is a search
 * item: lsof exits 1 when one of them is open nowhere. The same file named
 * twice is one item.
 */
#include "lsof.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

const char lsof_name_file_expr[] =
    "(SELECT n.name_id FROM temp.lsof_names n WHERE n.inode = l.inode"
    " AND ((n.kind = 'file' AND n.dev_major = l.dev_major AND n.dev_minor = l.dev_minor)"
    " OR (n.kind = 'sock' AND l.ftype = 'socket')) LIMIT 1)";

const char lsof_name_fs_expr[] =
    "(SELECT n.name_id FROM temp.lsof_names n WHERE n.kind = 'fs'"
    " AND n.dev_major = l.dev_major AND n.dev_minor = l.dev_minor LIMIT 1)";

static const char SCHEMA[] =
    "CREATE TEMP TABLE IF NOT EXISTS lsof_names(name_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL, dev_major INTEGER, dev_minor INTEGER, inode INTEGER);"
    "CREATE INDEX IF NOT EXISTS temp.lsof_names_inode ON lsof_names(inode);"
    "CREATE INDEX IF NOT EXISTS temp.lsof_names_dev ON lsof_names(kind, dev_major, dev_minor)";

/* The statements names are entered with. */
typedef struct namer {
  lsof_sel *s;
  sqlite3 *db;
  sqlite3_stmt *find, *insert, *sockets;
} namer;

static int namer_open(namer *n, lsof_sel *s, sqlite3 *db) {
  memset(n, 0, sizeof *n);
  n->s = s;
  n->db = db;
  s->names = 1;
  if (sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
    return cli_error("%s", sqlite3_errmsg(db));
  n->find = cli_prepare(db,
                        "SELECT name_id FROM temp.lsof_names WHERE kind = ?1"
                        " AND dev_major = ?2 AND dev_minor = ?3 AND inode IS ?4",
                        NULL);
  n->insert = cli_prepare(db, "INSERT INTO temp.lsof_names VALUES (?, ?, ?, ?, ?)", NULL);
  n->sockets = cli_prepare(db,
                           "INSERT INTO temp.lsof_names SELECT ?1, 'sock', NULL, NULL, inode"
                           " FROM sockets WHERE kind = 'unix' AND path IN (?2, ?3)",
                           NULL);
  return n->find && n->insert && n->sockets ? CLI_OK : CLI_ERR;
}

static void namer_close(namer *n) {
  sqlite3_finalize(n->find);
  sqlite3_finalize(n->insert);
  sqlite3_finalize(n->sockets);
}

/* Steps a statement once; CLI_OK, or the error printed. */
static int run_once(namer *n, sqlite3_stmt *st, int *row) {
  int step = sqlite3_step(st);
  if (row) *row = step == SQLITE_ROW;
  int ok = step == SQLITE_ROW || step == SQLITE_DONE;
  sqlite3_reset(st);
  return ok ? CLI_OK : cli_error("%s", sqlite3_errmsg(n->db));
}

/* Enters one file ("file": device and inode; "fs": the device) unless it
 * is there already; *id: its id, *fresh: 1 when new. */
static int enter(namer *n, const char *kind, const struct stat *st, sqlite3_int64 *id,
                 int *fresh) {
  int is_fs = !strcmp(kind, "fs"), found = 0;
  sqlite3_bind_text(n->find, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(n->find, 2, major(st->st_dev));
  sqlite3_bind_int64(n->find, 3, minor(st->st_dev));
  if (is_fs) sqlite3_bind_null(n->find, 4);
  else sqlite3_bind_int64(n->find, 4, (sqlite3_int64)st->st_ino);
  if (sqlite3_step(n->find) == SQLITE_ROW) {
    *id = sqlite3_column_int64(n->find, 0);
    found = 1;
  }
  sqlite3_reset(n->find);
  *fresh = !found;
  if (found) return CLI_OK;
  *id = ++n->s->nnames;
  sqlite3_bind_int64(n->insert, 1, *id);
  sqlite3_bind_text(n->insert, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(n->insert, 3, major(st->st_dev));
  sqlite3_bind_int64(n->insert, 4, minor(st->st_dev));
  if (is_fs) sqlite3_bind_null(n->insert, 5);
  else sqlite3_bind_int64(n->insert, 5, (sqlite3_int64)st->st_ino);
  return run_once(n, n->insert, NULL);
}

/* A file at path (st: its stat); a socket file also names the unix
 * sockets bound at that path. */
static int enter_file(namer *n, const char *path, const struct stat *st) {
  sqlite3_int64 id;
  int fresh, rc = enter(n, "file", st, &id, &fresh);
  if (rc != CLI_OK || !fresh || !S_ISSOCK(st->st_mode)) return rc;
  char real[PATH_MAX];
  sqlite3_bind_int64(n->sockets, 1, id);
  sqlite3_bind_text(n->sockets, 2, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(n->sockets, 3, realpath(path, real) ? real : path, -1, SQLITE_TRANSIENT);
  return run_once(n, n->sockets, NULL);
}

static void cannot_read(lsof_sel *s, const char *name) {
  cli_error("lsof: status error on %s: %s", name, strerror(errno));
  s->name_errors++;
}

int lsof_names_add(lsof_sel *s, sqlite3 *db, const char *name) {
  namer n;
  int rc = namer_open(&n, s, db);
  struct stat st;
  if (rc == CLI_OK && stat(name, &st) != 0) {
    cannot_read(s, name);
  } else if (rc == CLI_OK) {
    char *mount = S_ISDIR(st.st_mode) ? cli_mount_point(major(st.st_dev), minor(st.st_dev),
                                                        (long long)st.st_ino, 0)
                                      : NULL;
    sqlite3_int64 id;
    int fresh;
    rc = mount ? enter(&n, "fs", &st, &id, &fresh) : enter_file(&n, name, &st);
    free(mount);
  }
  namer_close(&n);
  return rc;
}

/* The entries of dir (on device dev), and their trees when whole. */
static int walk(namer *n, const char *dir, dev_t dev, int whole) {
  DIR *d = opendir(dir);
  if (!d) return CLI_OK; /* lsof passes over what it may not read */
  int rc = CLI_OK;
  struct dirent *e;
  while (rc == CLI_OK && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != dev)
      continue; /* gone, or a mount point: another file system */
    char *path = sqlite3_mprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                                 e->d_name);
    if (!path) rc = cli_error("out of memory");
    if (rc == CLI_OK) rc = enter_file(n, path, &st);
    if (rc == CLI_OK && whole && S_ISDIR(st.st_mode)) rc = walk(n, path, dev, whole);
    sqlite3_free(path);
  }
  closedir(d);
  return rc;
}

int lsof_names_add_dir(lsof_sel *s, sqlite3 *db, const char *dir, int whole_tree) {
  namer n;
  int rc = namer_open(&n, s, db);
  struct stat st;
  if (rc == CLI_OK && stat(dir, &st) != 0) {
    cannot_read(s, dir);
  } else if (rc == CLI_OK && !S_ISDIR(st.st_mode)) {
    cli_error("lsof: WARNING: not a directory: %s", dir);
    s->name_errors++;
  } else if (rc == CLI_OK) {
    /* Many names: one transaction for their rows. */
    rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? CLI_OK
                                                                 : cli_error("%s", sqlite3_errmsg(db));
    if (rc == CLI_OK) rc = enter_file(&n, dir, &st);
    if (rc == CLI_OK) rc = walk(&n, dir, st.st_dev, whole_tree);
    if (sqlite3_exec(db, rc == CLI_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK &&
        rc == CLI_OK)
      rc = cli_error("%s", sqlite3_errmsg(db));
  }
  namer_close(&n);
  return rc;
}
