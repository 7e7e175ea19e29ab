/*
 * lsof_fields.c: `lsof -F` output, for other programs (lsof(8), OUTPUT FOR
 * OTHER PROGRAMS). Each field is its letter and its value, ended by a
 * newline, or by a NUL with -F0 (then each process set and each file set
 * also ends with a newline). A process set (p, then K M g R c u L as
 * selected) opens each process and each of its tasks (K, its TID, and M,
 * its TASKCMD whole, only there); a file set per file follows, its fields
 * in lsof's order: f a l t G d|D s|o i k P n T. -F alone (or -F0) selects
 * every field. p is always written, f only when selected (lsof 4.95).
 *
 * From the lsof view's columns: f is the descriptor without its mode, a
 * the mode letter (a blank for cwd, txt...), l a blank (locks are not
 * read), d the DEVICE text of sockets, D the file's device number as
 * lsof prints dev_t (0x...), s or o the SIZE/OFF column (offsets are
 * 0t... or 0x...), i or P the NODE column (an inode or a protocol), n the
 * NAME without the TCP or unix state, T that state (ST=) and the socket
 * queues (QR= QS=, from the sockets table), G a descriptor's open flags
 * (fds.flags, each row joined to its descriptor) as lsof prints them with
 * -F, in hex and followed by ";0x0" (lsof's second list, the per-process
 * file flags, which Linux does not have), k the link count (the view's
 * nlink: lsof gives none for sockets). Each of the last two is read only
 * when selected: flags cost a read of the descriptor's fdinfo.
 */
#include "lsof.h"

#include <string.h>
#include <sys/sysmacros.h>

static const char LETTERS[] = "acCdDfFgGikKlLmMnNopPrRsStTuzZ0123456789";
/* What -F alone selects, of what procnet can write. */
static const char ALL[] = "pKMgRcuLfaltGdDsoikPnT";

enum { C_PID, C_TID, C_TASKCMD, C_PGID, C_PPID, C_CMD, C_UID, C_USER, C_FD, C_FDNUM, C_TYPE,
       C_DEVICE, C_DEV_MAJOR, C_DEV_MINOR, C_SIZE_OFF, C_NODE, C_NAME, C_KIND, C_QUEUES,
       C_NLINK, C_FLAGS };

int lsof_fields_valid(const char *letters) {
  for (const char *p = letters; *p; p++)
    if (!strchr(LETTERS, *p)) return 0;
  return 1;
}

/* The selection: which letters, and the terminator. */
typedef struct fields {
  char on[128];
  int term;
} fields;

static void read_letters(const char *letters, fields *f) {
  memset(f, 0, sizeof *f);
  int any = 0;
  for (const char *p = letters; *p; p++)
    if (*p != '0') {
      f->on[(unsigned char)*p] = 1;
      any = 1;
    }
  for (const char *p = ALL; !any && *p; p++) f->on[(unsigned char)*p] = 1;
  f->on['p'] = 1;
  f->term = strchr(letters, '0') ? '\0' : '\n';
}

void lsof_fields_select(sqlite3_str *sql, const char *letters, int tasks, const char *name) {
  fields f;
  read_letters(letters, &f);
  sqlite3_str_appendf(sql, "SELECT l.pid, %s,", tasks ? "l.tid, l.taskcmd" : "NULL, NULL");
  sqlite3_str_appendall(sql,
                        " l.pgid, l.ppid, l.command, l.uid, l.user, l.fd, l.fdnum,"
                        " l.type, l.device, l.dev_major, l.dev_minor, l.size_off, l.node, ");
  sqlite3_str_appendf(sql, "%s, l.kind, ", name);
  /* The socket queues only when T asks for them: a lookup per socket. */
  sqlite3_str_appendall(sql, f.on['T'] ? "(SELECT s.rx_queue || ',' || s.tx_queue FROM sockets s"
                                         " WHERE s.inode = l.inode AND s.kind = l.kind"
                                         " AND l.kind IN ('tcp', 'udp', 'udplite') LIMIT 1)"
                                       : "NULL");
  sqlite3_str_appendall(sql, f.on['k'] ? ", l.nlink" : ", NULL");
  sqlite3_str_appendall(sql, f.on['G'] ? ", x.flags" : ", NULL");
}

int lsof_fields_want_flags(const char *letters) {
  fields f;
  read_letters(letters, &f);
  return f.on['G'];
}

/* G: each row's descriptor looked up in fds by pid (a thread's own for its
 * task rows) and number. The listing becomes a subquery with LIMIT -1:
 * SQLite keeps a subquery's order in a join only then, and its conditions
 * stay inside, where they reach the tables. One fds cursor serves every
 * row, keeping a process's directory open from one to the next. */
void lsof_fields_join(sqlite3_str *sql, int tasks) {
  sqlite3_str_appendf(sql, " LIMIT -1) AS l LEFT JOIN fds AS x ON x.pid = %s AND x.fd = l.fdnum",
                      tasks ? "coalesce(l.tid, l.pid)" : "l.pid");
}

/* ---- writing ------------------------------------------------------------------- */

static const char *text(sqlite3_stmt *st, int col) {
  const unsigned char *t = sqlite3_column_text(st, col);
  return t ? (const char *)t : "";
}

static void field(const fields *f, char letter, const char *value, FILE *out) {
  if (!f->on[(unsigned char)letter]) return;
  fprintf(out, "%c%s%c", letter, value, f->term);
}

static void process_set(const fields *f, sqlite3_stmt *st, FILE *out) {
  field(f, 'p', text(st, C_PID), out);
  if (sqlite3_column_type(st, C_TID) != SQLITE_NULL) {
    field(f, 'K', text(st, C_TID), out);
    field(f, 'M', text(st, C_TASKCMD), out);
  }
  field(f, 'g', text(st, C_PGID), out);
  field(f, 'R', text(st, C_PPID), out);
  field(f, 'c', text(st, C_CMD), out);
  field(f, 'u', text(st, C_UID), out);
  /* L only when the uid has a login name (USER is then not the number). */
  if (strcmp(text(st, C_USER), text(st, C_UID)) != 0) field(f, 'L', text(st, C_USER), out);
  if (f->term == '\0') fputc('\n', out);
}

/* The mode letter after the descriptor number, or a blank. */
static char access_mode(sqlite3_stmt *st) {
  const char *fd = text(st, C_FD);
  size_t n = strlen(fd);
  int numbered = sqlite3_column_type(st, C_FDNUM) != SQLITE_NULL;
  return numbered && n && strchr("rwu", fd[n - 1]) ? fd[n - 1] : ' ';
}

/* NODE is a protocol (P) for Internet and packet sockets, even one that
 * is a number (a packet socket's unnamed ethertype), else an inode (i). */
static int node_is_protocol(sqlite3_stmt *st) {
  const char *type = text(st, C_TYPE);
  return !strcmp(type, "IPv4") || !strcmp(type, "IPv6") || !strcmp(type, "pack");
}

/* d (a socket's DEVICE text) or D (major,minor as lsof prints a dev_t). */
static void device_field(const fields *f, sqlite3_stmt *st, FILE *out) {
  const char *device = text(st, C_DEVICE);
  if (!*device) return;
  if (!strchr(device, ',')) {
    field(f, 'd', device, out);
    return;
  }
  if (sqlite3_column_type(st, C_DEV_MAJOR) == SQLITE_NULL) return;
  char hex[32];
  snprintf(hex, sizeof hex, "0x%llx",
           (unsigned long long)makedev((unsigned)sqlite3_column_int64(st, C_DEV_MAJOR),
                                       (unsigned)sqlite3_column_int64(st, C_DEV_MINOR)));
  field(f, 'D', hex, out);
}

/* NAME of a TCP or unix socket ends with " (STATE)": n without it, the
 * state for T. */
static void name_and_state(sqlite3_stmt *st, char *name, size_t cap, const char **state) {
  const char *kind = text(st, C_KIND);
  snprintf(name, cap, "%s", text(st, C_NAME));
  *state = NULL;
  size_t n = strlen(name);
  char *open = strrchr(name, '(');
  if ((strcmp(kind, "tcp") && strcmp(kind, "unix")) || !n || name[n - 1] != ')' || !open ||
      open == name || open[-1] != ' ')
    return;
  name[n - 1] = '\0';
  open[-1] = '\0';
  *state = open + 1;
}

static void tcp_info(const fields *f, sqlite3_stmt *st, const char *state, FILE *out) {
  char buf[64];
  if (state) {
    snprintf(buf, sizeof buf, "ST=%s", state);
    field(f, 'T', buf, out);
  }
  const char *queues = text(st, C_QUEUES), *comma = strchr(queues, ',');
  if (!comma) return;
  snprintf(buf, sizeof buf, "QR=%.*s", (int)(comma - queues), queues);
  field(f, 'T', buf, out);
  snprintf(buf, sizeof buf, "QS=%s", comma + 1);
  field(f, 'T', buf, out);
}

/* G: the open flags as lsof -F prints them, hex, then its second list. */
static void flags_field(const fields *f, sqlite3_stmt *st, FILE *out) {
  if (sqlite3_column_type(st, C_FLAGS) == SQLITE_NULL) return;
  char hex[40];
  snprintf(hex, sizeof hex, "0x%llx;0x0", (unsigned long long)sqlite3_column_int64(st, C_FLAGS));
  field(f, 'G', hex, out);
}

static void file_set(const fields *f, sqlite3_stmt *st, FILE *out) {
  const char *fd = sqlite3_column_type(st, C_FDNUM) != SQLITE_NULL ? text(st, C_FDNUM)
                                                                   : text(st, C_FD);
  char mode[2] = {access_mode(st), '\0'};
  field(f, 'f', fd, out);
  field(f, 'a', mode, out);
  field(f, 'l', " ", out);
  if (*text(st, C_TYPE)) field(f, 't', text(st, C_TYPE), out);
  flags_field(f, st, out);
  device_field(f, st, out);
  const char *so = text(st, C_SIZE_OFF);
  if (*so) field(f, !strncmp(so, "0t", 2) || !strncmp(so, "0x", 2) ? 'o' : 's', so, out);
  const char *node = text(st, C_NODE);
  int inode = !node_is_protocol(st);
  if (*node && inode) field(f, 'i', node, out);
  if (sqlite3_column_type(st, C_NLINK) != SQLITE_NULL) field(f, 'k', text(st, C_NLINK), out);
  if (*node && !inode) field(f, 'P', node, out);
  char name[8192];
  const char *state;
  name_and_state(st, name, sizeof name, &state);
  if (sqlite3_column_type(st, C_NAME) != SQLITE_NULL) field(f, 'n', name, out);
  tcp_info(f, st, state, out);
  if (f->term == '\0') fputc('\n', out);
}

int lsof_fields_write(sqlite3_stmt *st, const char *letters, const cli_row_hooks *hooks,
                      FILE *out) {
  fields f;
  read_letters(letters, &f);
  /* A process set opens each run of rows of one process or one task
   * (tid 0: the process's own rows). */
  sqlite3_int64 pid = -1, tid = -1;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (hooks && hooks->on_row) hooks->on_row(hooks->ctx, st);
    if (sqlite3_column_int64(st, C_PID) != pid || sqlite3_column_int64(st, C_TID) != tid) {
      pid = sqlite3_column_int64(st, C_PID);
      tid = sqlite3_column_int64(st, C_TID);
      process_set(&f, st, out);
    }
    file_set(&f, st, out);
  }
  return rc;
}
