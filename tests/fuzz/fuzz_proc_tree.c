/*
 * fuzz_proc_tree.c: SQL-level fuzzer. The input bytes drive mutations of a
 * copy of the fixture tree tests/fixtures/proc, interleaved with queries of
 * every table through a connection rooted there (procnet_root).
 *
 * For each input:
 *   1. the work tree is rebuilt from the fixture (so inputs are independent
 *      and a crash replays from its file alone);
 *   2. a fresh in-memory connection gets procnet_register and
 *      procnet_root(work), which must succeed on the pristine tree;
 *   3. the input is read as a stream of commands (see run_command): file
 *      mutations (truncate, flip bytes, insert NULs/newlines/bytes, delete,
 *      replace by a directory, a file or a symlink, dangling and looping
 *      links, new link text for fd/ns/exe/cwd/root, captured real-kernel
 *      files written where procnet reads them), queries, and queries left
 *      open half-way while the tree changes under them;
 *   4. every query is run once more on the final tree.
 *
 * Oracles: no crash and no sanitizer report (the extension is built with
 * ASan + UBSan); every statement ends in SQLITE_DONE or SQLITE_ERROR with a
 * non-empty message, nothing else; sqlite3_close succeeds (no statement
 * leaked); the number of open descriptors (/proc/self/fd) is the same before
 * and after the input. LeakSanitizer checks memory.
 *
 * Mutations never write outside the work tree: paths are checked component
 * by component (no symlink is followed while mutating), and every link the
 * fuzzer makes points into the work tree or nowhere, so procnet never opens
 * a real device or FIFO through one (which could block).
 *
 * Environment: FUZZ_FIXTURES overrides the fixtures directory compiled in
 * (FZ_FIXTURES); the work tree goes under FUZZ_TMPDIR, else /dev/shm, else
 * TMPDIR, else /tmp, and is removed at exit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "procnet.h"

#ifndef FZ_FIXTURES
#define FZ_FIXTURES "tests/fixtures"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                        \
  do {                                                                        \
    if (!(cond)) __builtin_trap();                                            \
  } while (0)

/* Reports a broken oracle with some context, then traps. */
#define FZ_FAIL(...)                                                          \
  do {                                                                        \
    fprintf(stderr, "fuzz_proc_tree: " __VA_ARGS__);                          \
    fputc('\n', stderr);                                                      \
    __builtin_trap();                                                         \
  } while (0)

/* ---- setup ---------------------------------------------------------------- */

static char g_src[PATH_MAX];  /* tests/fixtures/proc */
static char g_base[PATH_MAX]; /* mkdtemp'd */
static char g_work[PATH_MAX]; /* g_base/proc: the tree procnet reads */

/* Relative paths of every entry of the fixture tree (not following links). */
static char **g_paths;
static int g_check_restore;
static size_t g_npaths;

/* Files of tests/fixtures/captured: real kernel text to drop into the tree. */
typedef struct blob {
  char *data;
  size_t n;
} blob;
static blob g_captured[64];
static size_t g_ncaptured;

static void die(const char *what) {
  fprintf(stderr, "fuzz_proc_tree: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void add_path(const char *rel) {
  char **v = realloc(g_paths, (g_npaths + 1) * sizeof *v);
  if (!v) die("realloc");
  g_paths = v;
  g_paths[g_npaths] = strdup(rel);
  if (!g_paths[g_npaths]) die("strdup");
  g_npaths++;
}

/* Lists src/rel recursively into g_paths. */
static void list_tree(const char *src, const char *rel) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", src, rel);
  DIR *d = opendir(path);
  if (!d) die(path);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char child[PATH_MAX];
    struct stat st;
    snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
    add_path(child);
    snprintf(path, sizeof path, "%s/%s", src, child);
    if (lstat(path, &st) != 0) die(path);
    if (S_ISDIR(st.st_mode)) list_tree(src, child);
  }
  closedir(d);
}

static int read_whole(const char *path, blob *b) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return -1;
  }
  b->n = (size_t)st.st_size;
  b->data = malloc(b->n ? b->n : 1);
  if (!b->data) die("malloc");
  size_t got = 0;
  while (got < b->n) {
    ssize_t r = read(fd, b->data + got, b->n - got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  b->n = got;
  close(fd);
  return 0;
}

static void load_captured(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) die(dir);
  struct dirent *e;
  char *names[64];
  size_t n = 0;
  while ((e = readdir(d)) != NULL && n < 64) {
    if (e->d_name[0] == '.' || strstr(e->d_name, ".py")) continue;
    names[n] = strdup(e->d_name);
    if (!names[n]) die("strdup");
    n++;
  }
  closedir(d);
  /* readdir order is the file system's: sort so that a command names the
   * same file on every machine. */
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j];
      names[j] = names[j - 1];
      names[j - 1] = t;
    }
  for (size_t i = 0; i < n; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (read_whole(path, &g_captured[g_ncaptured]) == 0) g_ncaptured++;
    free(names[i]);
  }
}

static void sort_paths(void) {
  for (size_t i = 1; i < g_npaths; i++)
    for (size_t j = i; j > 0 && strcmp(g_paths[j - 1], g_paths[j]) > 0; j--) {
      char *t = g_paths[j];
      g_paths[j] = g_paths[j - 1];
      g_paths[j - 1] = t;
    }
}

/* rm -rf of an absolute path (not following links). */
static void rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[PATH_MAX];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        rm_rf(child);
      }
      closedir(d);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

static void write_file(const char *path, const char *data, size_t n,
                       mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                mode);
  if (fd < 0) return;
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, data + done, n - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  close(fd);
}

/* cp -a of the fixture: directories, regular files and symlinks as is. */
static void copy_tree(const char *from, const char *to) {
  struct stat st;
  if (lstat(from, &st) != 0) die(from);
  if (S_ISDIR(st.st_mode)) {
    if (mkdir(to, st.st_mode & 07777) != 0 && errno != EEXIST) die(to);
    DIR *d = opendir(from);
    if (!d) die(from);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char a[PATH_MAX], b[PATH_MAX];
      snprintf(a, sizeof a, "%s/%s", from, e->d_name);
      snprintf(b, sizeof b, "%s/%s", to, e->d_name);
      copy_tree(a, b);
    }
    closedir(d);
  } else if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlink(from, target, sizeof target - 1);
    if (n < 0) die(from);
    target[n] = '\0';
    if (symlink(target, to) != 0) die(to);
  } else if (S_ISREG(st.st_mode)) {
    blob b;
    if (read_whole(from, &b) != 0) die(from);
    write_file(to, b.data, b.n, st.st_mode & 07777);
    free(b.data);
  }
}

static void cleanup(void) {
  if (g_base[0]) rm_rf(g_base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *fixtures = getenv("FUZZ_FIXTURES");
  if (!fixtures || !*fixtures) fixtures = FZ_FIXTURES;
  snprintf(g_src, sizeof g_src, "%s/proc", fixtures);
  char captured[PATH_MAX];
  snprintf(captured, sizeof captured, "%s/captured", fixtures);
  /* The tree is rebuilt for every input: on tmpfs (/dev/shm) that costs
   * little, on a disk file system it dominates. */
  const char *tmp = getenv("FUZZ_TMPDIR");
  if (!tmp || !*tmp) tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
  if (!tmp) tmp = getenv("TMPDIR");
  snprintf(g_base, sizeof g_base, "%s/pnfuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(g_base)) die("mkdtemp");
  atexit(cleanup);
  snprintf(g_work, sizeof g_work, "%s/proc", g_base);
  copy_tree(g_src, g_work);
  const char *check = getenv("FUZZ_CHECK_RESTORE");
  g_check_restore = check && *check == '1';
  list_tree(g_src, "");
  sort_paths();
  load_captured(captured);
  if (g_npaths == 0 || g_ncaptured == 0) {
    fprintf(stderr, "fuzz_proc_tree: empty fixtures under %s\n", fixtures);
    exit(2);
  }
  return 0;
}

/* ---- the input as a command stream ----------------------------------------- */

typedef struct reader {
  const uint8_t *p;
  size_t n, i;
} reader;

static int more(const reader *r) { return r->i < r->n; }
static unsigned u8(reader *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static unsigned u16(reader *r) {
  unsigned hi = u8(r);
  return hi << 8 | u8(r);
}

/* ---- paths ------------------------------------------------------------------ */

static const char *const PIDS[] = {"1",   "2",   "100", "200", "201",
                                   "300", "301", "400", "999", "self"};
/* Files procnet reads under a pid directory, the fixture's and the ones it
 * lacks (maps, cgroup, a passwd for users.root_pid). */
static const char *const NAMES[] = {
    "stat",      "status",    "cmdline",   "maps",     "cgroup",
    "root/etc/passwd",        "fd/7",      "fdinfo/7", "fd/1000000",
    "fdinfo/1000000",         "fd/x",      "net/tcp",  "net/tcp6",
    "net/udp",   "net/udp6",  "net/udplite", "net/udplite6", "net/raw",
    "net/raw6",  "net/icmp",  "net/icmp6", "net/unix", "net/packet",
    "net/netlink", "ns/net",  "ns/mnt",    "ns/pid",   "ns/user",
    "ns/uts",    "ns/ipc",    "ns/cgroup", "ns/time",  "exe",
    "cwd",       "root"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Picks a path relative to the work tree: mostly an entry of the fixture,
 * sometimes a file procnet would read under some pid directory. */
static void pick_path(reader *r, char rel[PATH_MAX]) {
  unsigned t = u16(r);
  if (t % 4 != 0) {
    snprintf(rel, PATH_MAX, "%s", g_paths[(t / 4) % g_npaths]);
    return;
  }
  unsigned pid = u8(r), name = u8(r);
  snprintf(rel, PATH_MAX, "%s/%s", PIDS[pid % COUNT(PIDS)],
           NAMES[name % COUNT(NAMES)]);
}

static void abs_path(const char *rel, char out[PATH_MAX]) {
  snprintf(out, PATH_MAX, "%s/%s", g_work, rel);
}

/* The paths an input changed, in order, so that the work tree can be put
 * back by restoring just those (rebuilding the whole tree for every input
 * would cost more than the queries). */
static char (*g_touched)[PATH_MAX];
static size_t g_ntouched, g_captouched;

static void touch(const char *rel) {
  if (g_ntouched == g_captouched) {
    size_t cap = g_captouched ? 2 * g_captouched : 64;
    char (*v)[PATH_MAX] = realloc(g_touched, cap * sizeof *v);
    if (!v) die("realloc");
    g_touched = v;
    g_captouched = cap;
  }
  snprintf(g_touched[g_ntouched++], PATH_MAX, "%s", rel);
}

/* 1 if every directory above rel inside the work tree is a real directory,
 * so that working on rel cannot follow a link out of the tree. */
static int parents_are_dirs_in(const char *root, const char *rel) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  size_t base = strlen(root) + 1;
  for (char *s = path + base; (s = strchr(s, '/')) != NULL; s++) {
    struct stat st;
    *s = '\0';
    int ok = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
    *s = '/';
    if (!ok) return 0;
  }
  return 1;
}

static int parents_are_dirs(const char *rel) {
  return parents_are_dirs_in(g_work, rel);
}

/* Makes every directory above rel a real directory (replacing a link or a
 * file in the way), so that rel can be created inside the work tree. */
static void make_parents(const char *rel) {
  char path[PATH_MAX];
  abs_path(rel, path);
  size_t base = strlen(g_work) + 1;
  for (char *s = path + base; (s = strchr(s, '/')) != NULL; s++) {
    struct stat st;
    *s = '\0';
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
      touch(path + base);
      rm_rf(path);
      mkdir(path, 0755);
    }
    *s = '/';
  }
}

/* Reads a regular file of the work tree (rel's parents checked). */
static int load(const char *rel, blob *b) {
  char path[PATH_MAX];
  struct stat st;
  if (!parents_are_dirs(rel)) return -1;
  abs_path(rel, path);
  if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return read_whole(path, b);
}

static void store(const char *rel, const char *data, size_t n) {
  char path[PATH_MAX];
  make_parents(rel);
  abs_path(rel, path);
  struct stat st;
  touch(rel);
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) rm_rf(path);
  write_file(path, data, n, 0644);
}

/* Replaces rel (whatever it is) by a symlink with the given text. */
static void relink(const char *rel, const char *text) {
  char path[PATH_MAX];
  make_parents(rel);
  abs_path(rel, path);
  touch(rel);
  rm_rf(path);
  (void)symlink(text, path); /* a failure leaves rel deleted: also fine */
}

/* ---- mutations of one file's bytes ------------------------------------------ */

enum { EDIT_TRUNCATE, EDIT_FLIP, EDIT_NUL, EDIT_NL, EDIT_BYTES, EDIT_DUP,
       EDIT_APPEND_CAPTURED, EDIT_COUNT };

static void edit_file(reader *r, const char *rel, unsigned how) {
  blob b;
  if (load(rel, &b) != 0) return;
  size_t cap = b.n + 512;
  char *out = malloc(cap);
  if (!out) die("malloc");
  size_t n = b.n;
  if (n) memcpy(out, b.data, n);
  size_t at = n ? u16(r) % (n + 1) : 0;
  switch (how) {
  case EDIT_TRUNCATE:
    n = at;
    break;
  case EDIT_FLIP: {
    unsigned k = 1 + u8(r) % 8;
    for (unsigned i = 0; i < k && n; i++) {
      size_t pos = u16(r) % n;
      unsigned x = u8(r);
      out[pos] ^= (char)(x ? x : 0x20);
    }
    break;
  }
  case EDIT_NUL:
  case EDIT_NL:
  case EDIT_BYTES: {
    char ins[256];
    size_t k = 1;
    if (how == EDIT_NUL) ins[0] = '\0';
    else if (how == EDIT_NL) ins[0] = '\n';
    else {
      k = u8(r) % 64 + 1;
      for (size_t i = 0; i < k; i++) ins[i] = (char)u8(r);
    }
    memmove(out + at + k, out + at, n - at);
    memcpy(out + at, ins, k);
    n += k;
    break;
  }
  case EDIT_DUP: {
    /* Repeats a stretch of the file (duplicate lines, records). */
    size_t len = n - at < 256 ? n - at : 256;
    memcpy(out + n, out + at, len);
    n += len;
    break;
  }
  case EDIT_APPEND_CAPTURED: {
    const blob *c = &g_captured[u8(r) % g_ncaptured];
    char *grown = realloc(out, n + c->n + 1);
    if (!grown) die("realloc");
    out = grown;
    memcpy(out + n, c->data, c->n);
    n += c->n;
    break;
  }
  }
  store(rel, out, n);
  free(out);
  free(b.data);
}

/* Text for a link procnet reads with readlink (fd/N, ns/X, exe, cwd, root):
 * a kernel-like prefix and bytes of the input. Absolute texts are moved
 * under the work tree and ".." is defused, so that following the link (fds
 * stats it, users reads root/etc/passwd through it) stays inside the tree. */
static void link_text(reader *r, char out[PATH_MAX]) {
  static const char *const prefixes[] = {
      "socket:[", "pipe:[", "net:[", "pidfd:[", "anon_inode:", "anon_inode:[",
      "mqueue:[", "/",      "",      "/tmp/x (deleted)"};
  char text[PATH_MAX / 2];
  size_t n = (size_t)snprintf(text, sizeof text, "%s",
                              prefixes[u8(r) % COUNT(prefixes)]);
  size_t k = u8(r) % 48;
  for (size_t i = 0; i < k && n + 2 < sizeof text; i++) {
    char c = (char)u8(r);
    if (c == '\0') break;
    text[n++] = c;
  }
  if (u8(r) & 1) text[n++] = ']';
  text[n] = '\0';
  if (n == 0) snprintf(text, sizeof text, "x");
  for (char *s = text; (s = strstr(s, "..")) != NULL;) s[0] = s[1] = '_';
  if (text[0] == '/') snprintf(out, PATH_MAX, "%s%s", g_work, text);
  else snprintf(out, PATH_MAX, "%s", text);
}

/* 1 for entries procnet only readlinks (and stats), never reads through
 * except root/etc/passwd: fd/N, ns/X, exe, cwd, root. */
static int is_readlink_entry(const char *rel) {
  const char *last = strrchr(rel, '/');
  last = last ? last + 1 : rel;
  if (!strcmp(last, "exe") || !strcmp(last, "cwd") || !strcmp(last, "root"))
    return 1;
  return strstr(rel, "/fd/") != NULL || strstr(rel, "/ns/") != NULL;
}

/* ---- queries ------------------------------------------------------------------ */

/* Every table, whole, then the joins a user writes: run on the final tree
 * of every input. */
static const char *const FINAL_QUERIES[] = {
    "SELECT * FROM processes",
    "SELECT * FROM fds",
    "SELECT * FROM net_tcp",
    "SELECT * FROM net_udp",
    "SELECT * FROM net_udplite",
    "SELECT * FROM net_raw",
    "SELECT * FROM net_icmp",
    "SELECT * FROM net_unix",
    "SELECT * FROM net_packet",
    "SELECT * FROM net_netlink",
    "SELECT ns_pid, * FROM sockets",
    "SELECT * FROM namespaces",
    "SELECT * FROM process_maps",
    "SELECT * FROM process_files",
    "SELECT * FROM socket_holders",
    "SELECT root_pid, * FROM users WHERE root_pid IN (100, 400)",
    ("SELECT p.pid, p.name, f.fd, t.state, t.local_port, t.netns"
     " FROM processes p JOIN fds f USING (pid) JOIN net_tcp t USING (inode)"),
    "SELECT u.path, f.pid, f.fd FROM net_unix u JOIN fds f USING (inode)",
    "SELECT procnet_netns(), procnet_stats(), procnet_root()",
};

/* What the commands may run between mutations: the above, and the
 * constrained forms (pid lists, ns_pid, netns, uid) the planners answer
 * differently. */
static const char *const QUERIES[] = {
    ("SELECT pid, ppid, name, state, uid, netns FROM processes WHERE pid IN "
     "(1, 2, 100, 301, 400, 999)"),
    "SELECT * FROM processes WHERE pid = 100",
    "SELECT * FROM fds WHERE pid = 100",
    "SELECT pid, fd, type, inode FROM fds WHERE inode IN (5001, 5002, 7001)",
    "SELECT * FROM net_tcp WHERE ns_pid = 400",
    "SELECT * FROM net_unix WHERE netns = 4026599002",
    "SELECT * FROM net_tcp WHERE netns = procnet_netns()",
    "SELECT * FROM namespaces WHERE pid = 400",
    "SELECT * FROM process_maps WHERE pid IN (100, 400)",
    "SELECT kind, path, type, inode FROM process_files WHERE pid IN (2, 400)",
    "SELECT * FROM users WHERE root_pid = 400 AND uid = 0",
    "SELECT s.kind, count(*) FROM sockets s GROUP BY s.kind",
    "SELECT * FROM socket_holders WHERE inode IN (5001, 5002, 7001)",
    "SELECT * FROM sockets WHERE kind IN ('tcp', 'unix') AND kind <> 'udp'",
    "SELECT * FROM process_files WHERE pid = 100 AND kind = 'txt'",
    "SELECT * FROM fds WHERE tasks = 1",
    "SELECT * FROM process_maps WHERE tasks = 1 AND pid IN (100, 400)",
    "SELECT * FROM process_files WHERE tasks = 1",
    ("SELECT p.name, f.fd FROM fds f JOIN processes p USING (pid)"
     " WHERE f.inode IN (SELECT inode FROM sockets)"),
    /* The views of sql/views.sql ("VIEW " = create them first). */
    "VIEW SELECT * FROM lsof",
    "VIEW SELECT * FROM lsof_tasks WHERE pid IN (100, 400)",
    "VIEW SELECT * FROM ss",
    "VIEW SELECT * FROM netstat",
    "VIEW SELECT * FROM listening",
    "VIEW SELECT * FROM procnet_socket_holders",
};
#define NQUERIES (COUNT(FINAL_QUERIES) + COUNT(QUERIES))

static const char *query_text(unsigned q) {
  q %= NQUERIES;
  return q < COUNT(FINAL_QUERIES) ? FINAL_QUERIES[q]
                                  : QUERIES[q - COUNT(FINAL_QUERIES)];
}

static void check_done(sqlite3 *db, int rc, const char *sql) {
  if (rc == SQLITE_DONE || rc == SQLITE_OK) return;
  if (rc != SQLITE_ERROR)
    FZ_FAIL("'%s' returned %d (%s): %s", sql, rc, sqlite3_errstr(rc),
            sqlite3_errmsg(db));
  const char *msg = sqlite3_errmsg(db);
  if (!msg || !*msg) FZ_FAIL("'%s' failed without a message", sql);
}

static unsigned g_sink;

/* Steps st until done or `limit` rows (0: no limit), reading every column.
 * Returns the last sqlite3_step code. */
static int step_rows(sqlite3_stmt *st, unsigned limit) {
  int rc;
  unsigned rows = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int cols = sqlite3_column_count(st);
    for (int i = 0; i < cols; i++) {
      int type = sqlite3_column_type(st, i);
      if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
        const unsigned char *t = sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        FZ_CHECK(n >= 0 && (n == 0 || t != NULL));
        for (int k = 0; k < n; k++) g_sink = g_sink * 31u + t[k];
      } else if (type == SQLITE_INTEGER) {
        g_sink ^= (unsigned)sqlite3_column_int64(st, i);
      } else if (type == SQLITE_FLOAT) {
        g_sink ^= (unsigned)sqlite3_column_double(st, i);
      }
    }
    if (limit && ++rows >= limit) break;
  }
  return rc;
}

/* A statement left open half-way while the tree changes. */
typedef struct pending {
  sqlite3_stmt *st;
  const char *sql;
} pending;

static void finish(sqlite3 *db, pending *p) {
  if (!p->st) return;
  int rc = step_rows(p->st, 0);
  check_done(db, rc, p->sql);
  sqlite3_finalize(p->st);
  p->st = NULL;
}

/* procnet_create_views(), once per connection. */
static int g_views_made;

static void make_views(sqlite3 *db) {
  if (g_views_made) return;
  g_views_made = 1;
  sqlite3_stmt *st = NULL;
  const char *sql = "SELECT procnet_create_views()";
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = step_rows(st, 0);
  check_done(db, rc, sql);
  sqlite3_finalize(st);
}

/* Runs query q; with limit > 0, stops after that many rows and leaves the
 * statement in *p (finishing the previous one first). */
static void run_query(sqlite3 *db, unsigned q, unsigned limit, pending *p) {
  const char *sql = query_text(q);
  sqlite3_stmt *st = NULL;
  if (strncmp(sql, "VIEW ", 5) == 0) {
    finish(db, p); /* DDL next to an open statement could be refused */
    make_views(db);
    sql += 5;
  }
  if (limit) finish(db, p);
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) {
    check_done(db, rc, sql);
    return;
  }
  rc = step_rows(st, limit);
  if (limit && rc == SQLITE_ROW) {
    p->st = st;
    p->sql = sql;
    return;
  }
  check_done(db, rc, sql);
  sqlite3_finalize(st);
}

static void set_root(sqlite3 *db, int must_work) {
  char *sql = sqlite3_mprintf("SELECT procnet_root(%Q)", g_work);
  if (!sql) abort();
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = step_rows(st, 0);
  if (must_work && rc != SQLITE_DONE)
    FZ_FAIL("procnet_root on the pristine tree: %s", sqlite3_errmsg(db));
  check_done(db, rc, "SELECT procnet_root(...)");
  sqlite3_finalize(st);
  sqlite3_free(sql);
}

/* ---- commands --------------------------------------------------------------- */

enum {
  CMD_EDIT,        /* change the bytes of a regular file (EDIT_*) */
  CMD_DELETE,      /* rm -rf */
  CMD_TO_DIR,      /* replace by an empty directory */
  CMD_TO_FILE,     /* replace by a captured file (a dir becomes a file) */
  CMD_DANGLE,      /* replace by a link to nowhere */
  CMD_LINK_TREE,   /* replace by a link to another entry (loops included) */
  CMD_LINK_TEXT,   /* new text for a readlink entry */
  CMD_EMPTY,       /* replace by an empty file */
  CMD_QUERY,       /* run one query to the end */
  CMD_QUERY_OPEN,  /* run one query a few rows and leave it open */
  CMD_FINISH,      /* finish the open query */
  CMD_ROOT,        /* procnet_root(work) again (may now fail) */
  CMD_COUNT
};

static void run_command(reader *r, sqlite3 *db, pending *p) {
  unsigned cmd = u8(r) % (CMD_COUNT + 4);
  char rel[PATH_MAX], path[PATH_MAX], text[PATH_MAX];
  /* Edits are the most useful: they get the spare values. */
  if (cmd >= CMD_COUNT) cmd = CMD_EDIT;
  switch (cmd) {
  case CMD_EDIT: {
    unsigned how = u8(r) % EDIT_COUNT;
    pick_path(r, rel);
    edit_file(r, rel, how);
    break;
  }
  case CMD_DELETE:
    pick_path(r, rel);
    if (!parents_are_dirs(rel)) break;
    abs_path(rel, path);
    touch(rel);
    rm_rf(path);
    break;
  case CMD_TO_DIR:
    pick_path(r, rel);
    make_parents(rel);
    abs_path(rel, path);
    touch(rel);
    rm_rf(path);
    mkdir(path, 0755);
    break;
  case CMD_TO_FILE: {
    const blob *c = &g_captured[u8(r) % g_ncaptured];
    pick_path(r, rel);
    make_parents(rel);
    abs_path(rel, path);
    touch(rel);
    rm_rf(path);
    store(rel, c->data, c->n);
    break;
  }
  case CMD_DANGLE:
    pick_path(r, rel);
    snprintf(text, sizeof text, "%s/nonexistent/%u", g_work, u8(r));
    relink(rel, text);
    break;
  case CMD_LINK_TREE: {
    char other[PATH_MAX];
    pick_path(r, rel);
    pick_path(r, other);
    if (u8(r) % 4 == 0) snprintf(other, sizeof other, "%s", rel); /* loop */
    abs_path(other, text);
    relink(rel, text);
    break;
  }
  case CMD_LINK_TEXT:
    pick_path(r, rel);
    if (!is_readlink_entry(rel)) break;
    link_text(r, text);
    relink(rel, text);
    break;
  case CMD_EMPTY:
    pick_path(r, rel);
    store(rel, "", 0);
    break;
  case CMD_QUERY:
    run_query(db, u8(r), 0, p);
    break;
  case CMD_QUERY_OPEN:
    run_query(db, u8(r), 1 + u8(r) % 8, p);
    break;
  case CMD_FINISH:
    finish(db, p);
    break;
  case CMD_ROOT:
    set_root(db, 0);
    break;
  }
}

/* Puts back every path the input changed, last change first, so that a
 * path changed again after its parent was replaced ends up as the fixture
 * has it. A path under a parent that is no real directory (in the work tree
 * or the fixture) is skipped: restoring that parent covers it. */
static void restore_tree(void) {
  while (g_ntouched > 0) {
    const char *rel = g_touched[--g_ntouched];
    char from[PATH_MAX], to[PATH_MAX];
    struct stat st;
    if (!parents_are_dirs_in(g_work, rel)) continue;
    abs_path(rel, to);
    rm_rf(to);
    if (!parents_are_dirs_in(g_src, rel)) continue;
    snprintf(from, sizeof from, "%s/%s", g_src, rel);
    if (lstat(from, &st) == 0) copy_tree(from, to);
  }
}

/* 1 if the trees a and b hold the same entries, file contents and link
 * texts (FUZZ_CHECK_RESTORE=1 checks restore_tree after every input). */
static int same_tree(const char *a, const char *b) {
  struct stat sa, sb;
  if (lstat(a, &sa) != 0 || lstat(b, &sb) != 0) return 0;
  if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) return 0;
  if (S_ISLNK(sa.st_mode)) {
    char ta[PATH_MAX], tb[PATH_MAX];
    ssize_t na = readlink(a, ta, sizeof ta), nb = readlink(b, tb, sizeof tb);
    return na == nb && na >= 0 && memcmp(ta, tb, (size_t)na) == 0;
  }
  if (S_ISREG(sa.st_mode)) {
    blob x, y;
    if (read_whole(a, &x) != 0) return 0;
    if (read_whole(b, &y) != 0) {
      free(x.data);
      return 0;
    }
    int same = x.n == y.n && (x.n == 0 || memcmp(x.data, y.data, x.n) == 0);
    free(x.data);
    free(y.data);
    return same;
  }
  if (!S_ISDIR(sa.st_mode)) return 0;
  /* Same names on both sides: each child of a exists in b and vice versa. */
  for (int side = 0; side < 2; side++) {
    const char *p = side ? b : a, *q = side ? a : b;
    DIR *d = opendir(p);
    if (!d) return 0;
    struct dirent *e;
    int same = 1;
    while (same && (e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char cp[PATH_MAX], cq[PATH_MAX];
      snprintf(cp, sizeof cp, "%s/%s", p, e->d_name);
      snprintf(cq, sizeof cq, "%s/%s", q, e->d_name);
      if (side) {
        struct stat st;
        same = lstat(cq, &st) == 0;
      } else {
        same = same_tree(cp, cq);
      }
    }
    closedir(d);
    if (!same) return 0;
  }
  return 1;
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) die("/proc/self/fd");
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

#define MAX_COMMANDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r = {data, size, 0};

  int fds_before = count_fds();
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("sqlite3_open");
  g_views_made = 0;
  if (procnet_register(db, &err) != SQLITE_OK)
    FZ_FAIL("procnet_register: %s", err ? err : "?");
  set_root(db, 1);

  pending p = {NULL, NULL};
  for (int k = 0; k < MAX_COMMANDS && more(&r); k++) run_command(&r, db, &p);
  finish(db, &p);
  for (unsigned q = 0; q < COUNT(FINAL_QUERIES); q++) run_query(db, q, 0, &p);

  if (sqlite3_close(db) != SQLITE_OK)
    FZ_FAIL("sqlite3_close: %s (a statement leaked)", sqlite3_errmsg(db));
  int fds_after = count_fds();
  if (fds_after != fds_before)
    FZ_FAIL("descriptor leak: %d open before, %d after", fds_before,
            fds_after);
  restore_tree();
  if (g_check_restore && !same_tree(g_src, g_work)) {
    fprintf(stderr, "fuzz_proc_tree: restore_tree left the tree changed\n");
    abort();
  }
  return 0;
}
