/*
 * cmd_fuser.c: `procnet fuser [-vmusa46] [-n SPACE] NAME...`, as psmisc's
 * fuser prints:
 *   - the pids on standard output (" %5d" each), everything else on
 *     standard error: "NAME:" padded to 20 columns, the access letters
 *     (r c e m; an open file has none), -u's "(user)", a newline per name;
 *   - -v: a USER PID ACCESS COMMAND table on standard error (the pids
 *     still on standard output, flushed one by one so that a terminal
 *     shows the lines whole), with the kernel's mount of the name;
 *   - NAME: a file (its canonical path is printed), PORT/tcp, PORT/udp,
 *     [PORT][,[RHOST][,[RPORT]]]/tcp, or with -n tcp|udp|file the space of
 *     names without a suffix;
 *   - exit status 1 when no process matched (0 otherwise), 1 for a usage
 *     error as fuser; -k is refused: procnet never acts on processes.
 * Which processes match is fuser_match.c's SQL.
 */
#include "fuser.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define NAME_FIELD 20

typedef struct fuser_args {
  const cli_command *cmd;
  fuser_opts fo;
  fuser_name *names;
  int nnames;
} fuser_args;

static int set_space(fuser_args *a, const char *v) {
  if (!strcmp(v, "tcp")) a->fo.space = FUSER_TCP;
  else if (!strcmp(v, "udp")) a->fo.space = FUSER_UDP;
  else if (!strcmp(v, "file")) a->fo.space = FUSER_FILE;
  else return cli_usage_error(a->cmd, "Invalid namespace name");
  return CLI_OK;
}

static int add_name(fuser_args *a, const char *word) {
  fuser_name *v = realloc(a->names, (size_t)(a->nnames + 1) * sizeof *v);
  if (!v) return cli_error("out of memory");
  a->names = v;
  fuser_name *n = &v[a->nnames++];
  memset(n, 0, sizeof *n);
  n->given = word;
  n->space = a->fo.space;
  n->mounts = a->fo.mounts;
  return CLI_OK;
}

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *v) {
  fuser_args *a = ctx;
  (void)st;
  switch (code) {
  case CLI_OPERAND: return add_name(a, v);
  case 'n': return set_space(a, v);
  case 'v': a->fo.verbose = 1; break;
  case 'm': case 'c': a->fo.mounts = 1; break;
  case 'u': a->fo.user = 1; break;
  case 's': a->fo.silent = 1; break;
  case 'a': a->fo.all = 1; break;
  case '4': a->fo.ipv4_only = 1; break;
  case '6': a->fo.ipv6_only = 1; break;
  case 'k':
    return cli_usage_error(a->cmd, "-k is not supported: procnet never acts on processes"
                                   " (kill $(procnet fuser NAME 2>/dev/null) does)");
  default: break;
  }
  return CLI_OK;
}

/* ---- reading the names ------------------------------------------------------ */

/* A port or service name; 0 for none (empty). -1 when it does not resolve. */
static int resolve_port(const char *s, const char *proto) {
  if (!*s) return 0;
  char *end;
  long v = strtol(s, &end, 10);
  if (!*end && v >= 0 && v <= 65535) return (int)v;
  return cli_service_port(s, proto);
}

/* [PORT][,[RHOST][,[RPORT]]] */
static int parse_inet_name(fuser_name *n, const char *spec, const fuser_opts *fo) {
  const char *proto = n->space == FUSER_TCP ? "tcp" : "udp";
  char buf[100];
  snprintf(buf, sizeof buf, "%s", spec);
  char *rhost = strchr(buf, ','), *rport = NULL;
  if (rhost) {
    *rhost++ = '\0';
    if ((rport = strchr(rhost, ','))) *rport++ = '\0';
  }
  int lp = resolve_port(buf, proto);
  if (lp < 0) {
    fprintf(stderr, "Cannot resolve local port %s: Servname not supported for ai_socktype\n",
            buf);
    return 0;
  }
  n->local_port = lp;
  int rp = rport ? resolve_port(rport, proto) : 0;
  if (rp < 0) return 0;
  n->remote_port = rp;
  if (rhost && *rhost) {
    char **addrs = NULL;
    unsigned char bin[16];
    char text[INET6_ADDRSTRLEN];
    int af = strchr(rhost, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(af, rhost, bin) == 1 && inet_ntop(af, bin, text, sizeof text)) {
      n->remote_addr = strdup(text);
    } else if (cli_host_addresses(rhost, fo->ipv6_only ? 6 : fo->ipv4_only ? 4 : 0,
                                  &addrs) > 0) {
      n->remote_addr = strdup(addrs[0]);
    }
    cli_free_words(addrs);
    if (!n->remote_addr) return 0;
  }
  return 1;
}

static int parse_file_name(fuser_name *n) {
  char real[PATH_MAX];
  struct stat st;
  n->display = strdup(realpath(n->spec, real) ? real : n->spec);
  if (!n->display) return -1;
  if (stat(n->display, &st) != 0) {
    if (errno == ENOENT)
      fprintf(stderr, "Specified filename %s does not exist.\n", n->display);
    else
      fprintf(stderr, "Cannot stat %s: %s\n", n->display, strerror(errno));
    return 0;
  }
  /* -m on a block device: the file system on it. */
  dev_t dev = n->mounts && S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
  n->dev_major = major(dev);
  n->dev_minor = minor(dev);
  n->inode = (long long)st.st_ino;
  return 1;
}

/* Splits NAME/tcp, NAME/udp, NAME/file, reads the name. */
static int parse_name(fuser_args *a, fuser_name *n) {
  static const struct {
    const char *suffix;
    fuser_space space;
  } spaces[] = {{"tcp", FUSER_TCP}, {"udp", FUSER_UDP}, {"file", FUSER_FILE}};
  const char *slash = strchr(n->given, '/');
  size_t len = strlen(n->given);
  for (size_t i = 0; slash && slash != n->given && i < 3; i++)
    if (!strcmp(slash + 1, spaces[i].suffix)) {
      n->space = spaces[i].space;
      len = (size_t)(slash - n->given);
    }
  if (n->mounts && n->space != FUSER_FILE)
    return cli_usage_error(a->cmd, "You can only use files with mountpoint options");
  if (!(n->spec = strndup(n->given, len))) return cli_error("out of memory");
  if (n->space == FUSER_FILE) {
    int r = parse_file_name(n);
    if (r < 0) return cli_error("out of memory");
    n->usable = r;
    return CLI_OK;
  }
  size_t size = len + 5;
  if (!(n->display = malloc(size))) return cli_error("out of memory");
  snprintf(n->display, size, "%s/%s", n->spec, n->space == FUSER_TCP ? "tcp" : "udp");
  n->usable = parse_inet_name(n, n->spec, &a->fo);
  return CLI_OK;
}

/* ---- output ------------------------------------------------------------------ */

/* A process using a name: a row of fuser_query, or the kernel's mount. */
typedef struct fuser_proc {
  long long pid;          /* 0: the kernel (a mount) */
  int f, fw, r, c, e, m;
  const char *user, *command;
} fuser_proc;

typedef struct printer {
  const fuser_opts *fo;
  int header_done, have_match;
} printer;

/* fuser prints a command with its unprintable bytes as \ooo. */
static void print_command(const char *s) {
  for (; s && *s; s++) {
    if (isprint((unsigned char)*s)) fputc(*s, stderr);
    else fprintf(stderr, "\\%03o", (unsigned char)*s);
  }
}

static void print_proc(printer *pr, const fuser_proc *p, int *len, int first) {
  const fuser_opts *fo = pr->fo;
  if (*len > NAME_FIELD && fo->verbose) {
    fputc('\n', stderr);
    *len = 0;
  }
  if (fo->verbose || first)
    while ((*len)++ < NAME_FIELD) fputc(' ', stderr);
  if (fo->verbose) fprintf(stderr, " %-8s ", p->user ? p->user : "(unknown)");
  if (p->pid) printf(" %5lld", p->pid);
  else printf("kernel");
  fflush(stdout);
  if (fo->verbose && !p->pid) {
    fputs(" mount ", stderr);
  } else if (fo->verbose) {
    fprintf(stderr, " %c%c%c%c%c ", p->f ? (p->fw ? 'F' : 'f') : '.', p->r ? 'r' : '.',
            p->c ? 'c' : '.', p->e ? 'e' : '.', p->m && !p->e ? 'm' : '.');
  } else {
    if (p->r) fputc('r', stderr);
    if (p->c) fputc('c', stderr);
    if (p->e) fputc('e', stderr);
    else if (p->m) fputc('m', stderr);
  }
  if (fo->user) {
    if (p->user) fprintf(stderr, "(%s)", p->user);
    else fprintf(stderr, " %-8s ", "(unknown)");
  }
  if (fo->verbose) {
    print_command(p->command ? p->command : "???");
    fputc('\n', stderr);
  }
  *len = 0;
}

/* The name's line(s): a heading once, "NAME:", then each process. */
static void print_name(printer *pr, const fuser_name *n, const fuser_proc *procs, int np) {
  const fuser_opts *fo = pr->fo;
  int normal = 0;
  for (int i = 0; i < np; i++) normal += procs[i].pid != 0;
  if (fo->silent) {
    pr->have_match |= normal > 0;
    return;
  }
  int has = fo->verbose ? np > 0 : normal > 0, len = 0;
  if (has || fo->all) {
    if (!pr->header_done && fo->verbose) {
      fprintf(stderr, "%*s USER        PID ACCESS COMMAND\n", NAME_FIELD, "");
      pr->header_done = 1;
    }
    fprintf(stderr, "%s:", n->display);
    len = (int)strlen(n->display) + 1;
  }
  for (int i = 0, first = 1; i < np; i++) {
    if (!fo->verbose && !procs[i].pid) continue;
    pr->have_match = 1;
    print_proc(pr, &procs[i], &len, first);
    first = 0;
  }
  if (fo->verbose ? (np == 0 && fo->all) : (has || fo->all)) fputc('\n', stderr);
}

/* ---- the kernel's mounts (-v) ---------------------------------------------------
 * fuser lists the first mount whose mount point is the name (a file) or on
 * its file system (-m), as a "kernel" process. */

static char *mount_of(const fuser_name *n) {
  return cli_mount_point(n->dev_major, n->dev_minor, n->inode, n->mounts);
}

static const char *root_name(sqlite3 *db, char **buf) {
  sqlite3_stmt *st = cli_prepare(db, "SELECT name FROM users WHERE uid = 0 LIMIT 1", NULL);
  *buf = NULL;
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    *buf = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return *buf;
}

/* ---- the command ------------------------------------------------------------------ */

/* Reads the processes of one name and prints them. */
static int show_name(sqlite3 *db, const cli_opts *o, printer *pr, const fuser_name *n) {
  fuser_proc *procs = NULL;
  int np = 0, rc = CLI_OK;
  sqlite3_stmt *st = NULL;
  char *mount = NULL, *root = NULL;
  if (n->usable && n->space == FUSER_FILE && pr->fo->verbose && (mount = mount_of(n))) {
    procs = calloc(1, sizeof *procs);
    if (!procs) rc = cli_error("out of memory");
    else procs[np++] = (fuser_proc){0, 0, 0, 0, 0, 0, 0, root_name(db, &root), mount};
  }
  if (rc == CLI_OK && n->usable) rc = fuser_query(db, o, n, pr->fo, &st);
  int step;
  while (rc == CLI_OK && st && (step = sqlite3_step(st)) == SQLITE_ROW) {
    fuser_proc *v = realloc(procs, (size_t)(np + 1) * sizeof *v);
    if (!v) {
      rc = cli_error("out of memory");
      break;
    }
    procs = v;
    fuser_proc *p = &procs[np++];
    p->pid = sqlite3_column_int64(st, 0);
    int *acc[] = {&p->f, &p->fw, &p->r, &p->c, &p->e, &p->m};
    for (int i = 0; i < 6; i++) *acc[i] = sqlite3_column_int(st, i + 1);
    p->user = sqlite3_column_text(st, 7) ? strdup((const char *)sqlite3_column_text(st, 7)) : NULL;
    p->command = sqlite3_column_text(st, 8) ? strdup((const char *)sqlite3_column_text(st, 8)) : NULL;
  }
  if (rc == CLI_OK && st && step != SQLITE_DONE) rc = cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  if (rc == CLI_OK) print_name(pr, n, procs, np);
  for (int i = mount ? 1 : 0; i < np; i++) {
    free((char *)procs[i].user);
    free((char *)procs[i].command);
  }
  free(procs);
  free(mount);
  sqlite3_free(root);
  return rc;
}

static int check_usage(fuser_args *a) {
  if (!a->nnames) return cli_usage_error(a->cmd, "No process specification given");
  if (a->fo.ipv4_only && a->fo.ipv6_only)
    return cli_usage_error(a->cmd, "You cannot search for only IPv4 and only IPv6"
                                   " sockets at the same time");
  if (a->fo.silent && a->fo.all)
    return cli_usage_error(a->cmd, "all option cannot be used with silent option.");
  if (a->fo.silent) a->fo.verbose = a->fo.user = 0;
  return CLI_OK;
}

static void free_names(fuser_args *a) {
  for (int i = 0; i < a->nnames; i++) {
    free(a->names[i].spec);
    free(a->names[i].display);
    free(a->names[i].remote_addr);
  }
  free(a->names);
}

int cli_cmd_fuser(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  fuser_args a;
  memset(&a, 0, sizeof a);
  a.cmd = cmd;
  a.fo.self_pid = getpid();
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  for (int i = 0; rc == CLI_OK && i < a.nnames; i++) rc = parse_name(&a, &a.names[i]);
  if (rc == CLI_OK) rc = check_usage(&a);
  sqlite3 *db = rc == CLI_OK ? cli_db_open(o, CLI_DB_ROOT) : NULL;
  if (rc == CLI_OK && !db) rc = CLI_ERR;
  printer pr = {&a.fo, 0, 0};
  for (int i = 0; rc == CLI_OK && i < a.nnames; i++) rc = show_name(db, o, &pr, &a.names[i]);
  if (db) cli_db_close(db);
  free_names(&a);
  if (rc == CLI_OK && !pr.have_match) rc = CLI_NONE;
  return rc;
}
