/*
 * ss_summary.c: `ss -s`, from the files ss reads: net/sockstat,
 * net/sockstat6 and net/snmp (Tcp CurrEstab) of each namespace. Most
 * counters are per namespace and add up over namespaces (--netns all);
 * TCP's alloc, orphan and mem are the kernel's totals, taken once.
 */
#include "ss.h"

#include <stdlib.h>
#include <string.h>

typedef struct summary {
  long socks, tcp4, tcp6, tws, udp4, udp6, raw4, raw6, frag4, frag6, estab;
  long tcp_alloc, orphans; /* kernel-wide */
} summary;

/* "KEY: name N name N ...": the value after `name` on the line of key. */
static long field(const char *line, const char *name) {
  const char *p = strstr(line, name);
  size_t n = strlen(name);
  while (p && !(p > line && p[-1] == ' ' && p[n] == ' ')) p = strstr(p + 1, name);
  return p ? strtol(p + n + 1, NULL, 10) : 0;
}

/* One namespace's sockstat lines (sockstat and sockstat6 share a form). */
static void sockstat_line(const char *line, summary *s, int first) {
  if (!strncmp(line, "sockets: ", 9)) s->socks += field(line, "used");
  else if (!strncmp(line, "TCP: ", 5)) {
    s->tcp4 += field(line, "inuse");
    s->tws += field(line, "tw");
    if (first) {
      s->tcp_alloc = field(line, "alloc");
      s->orphans = field(line, "orphan");
    }
  } else if (!strncmp(line, "TCP6: ", 6)) s->tcp6 += field(line, "inuse");
  else if (!strncmp(line, "UDP: ", 5)) s->udp4 += field(line, "inuse");
  else if (!strncmp(line, "UDP6: ", 6)) s->udp6 += field(line, "inuse");
  else if (!strncmp(line, "RAW: ", 5)) s->raw4 += field(line, "inuse");
  else if (!strncmp(line, "RAW6: ", 6)) s->raw6 += field(line, "inuse");
  else if (!strncmp(line, "FRAG: ", 6)) s->frag4 += field(line, "inuse");
  else if (!strncmp(line, "FRAG6: ", 7)) s->frag6 += field(line, "inuse");
}

static int read_sockstat(const char *path, summary *s, int first) {
  FILE *in = fopen(path, "r");
  if (!in) return -1;
  char line[512];
  while (fgets(line, sizeof line, in)) {
    line[strcspn(line, "\n")] = ' '; /* field() wants a blank after a value */
    sockstat_line(line, s, first);
  }
  fclose(in);
  return 0;
}

/* Tcp's CurrEstab: a "Tcp:" line of names, then one of values. */
static long curr_estab(const char *path) {
  FILE *in = fopen(path, "r");
  if (!in) return 0;
  char names[2048], values[2048];
  long v = 0;
  while (fgets(names, sizeof names, in)) {
    if (strncmp(names, "Tcp: ", 5) != 0 || !fgets(values, sizeof values, in)) continue;
    char *sn = NULL, *sv = NULL;
    char *n = strtok_r(names, " \n", &sn), *x = strtok_r(values, " \n", &sv);
    while (n && x && strcmp(n, "CurrEstab") != 0) {
      n = strtok_r(NULL, " \n", &sn);
      x = strtok_r(NULL, " \n", &sv);
    }
    if (n && x) v = strtol(x, NULL, 10);
    break;
  }
  fclose(in);
  return v;
}

/* Adds the namespace whose net directory is dir ("ROOT/net", "ROOT/PID/net"). */
static int add_namespace(const char *dir, summary *s, int first) {
  char *p4 = sqlite3_mprintf("%s/sockstat", dir), *p6 = sqlite3_mprintf("%s/sockstat6", dir),
       *snmp = sqlite3_mprintf("%s/snmp", dir);
  int rc = -1;
  if (p4 && p6 && snmp && read_sockstat(p4, s, first) == 0) {
    read_sockstat(p6, s, 0); /* no IPv6: no file */
    s->estab += curr_estab(snmp);
    rc = 0;
  }
  sqlite3_free(p4);
  sqlite3_free(p6);
  sqlite3_free(snmp);
  return rc;
}

/* One process of each selected namespace, through which it is read. */
static int add_selected(sqlite3 *db, const cli_opts *o, const char *root, summary *s) {
  if (o->ns == CLI_NS_SELF) {
    char *dir = sqlite3_mprintf("%s/net", root);
    int rc = dir ? add_namespace(dir, s, 1) : -1;
    sqlite3_free(dir);
    return rc == 0 ? CLI_OK : cli_error("cannot read %s/net/sockstat", root);
  }
  cli_query q = {0};
  const char *sql = "SELECT min(pid) FROM processes WHERE netns IS NOT NULL GROUP BY netns";
  if (o->ns == CLI_NS_INODE) {
    sql = "SELECT min(pid) FROM processes WHERE netns = ?";
    cli_q_int(&q, o->ns_inode);
  }
  sqlite3_stmt *st = cli_prepare(db, sql, &q);
  cli_q_free(&q);
  if (!st) return CLI_ERR;
  int rc, first = 1;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (sqlite3_column_type(st, 0) == SQLITE_NULL) continue;
    char *dir = sqlite3_mprintf("%s/%lld/net", root, sqlite3_column_int64(st, 0));
    if (dir && add_namespace(dir, s, first) == 0) first = 0;
    sqlite3_free(dir);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? CLI_OK : cli_error("%s", sqlite3_errmsg(db));
}

static void print_summary(const summary *s) {
  printf("Total: %ld\n", s->socks);
  printf("TCP:   %ld (estab %ld, closed %ld, orphaned %ld, timewait %ld)\n",
         s->tcp_alloc + s->tws, s->estab, s->tcp_alloc - (s->tcp4 + s->tcp6 - s->tws),
         s->orphans, s->tws);
  printf("\n");
  printf("Transport Total     IP        IPv6\n");
  printf("RAW\t  %-9ld %-9ld %-9ld\n", s->raw4 + s->raw6, s->raw4, s->raw6);
  printf("UDP\t  %-9ld %-9ld %-9ld\n", s->udp4 + s->udp6, s->udp4, s->udp6);
  printf("TCP\t  %-9ld %-9ld %-9ld\n", s->tcp4 + s->tcp6, s->tcp4, s->tcp6);
  printf("INET\t  %-9ld %-9ld %-9ld\n", s->raw4 + s->udp4 + s->tcp4 + s->raw6 + s->udp6 + s->tcp6,
         s->raw4 + s->udp4 + s->tcp4, s->raw6 + s->udp6 + s->tcp6);
  printf("FRAG\t  %-9ld %-9ld %-9ld\n", s->frag4 + s->frag6, s->frag4, s->frag6);
  printf("\n");
}

int ss_print_summary(sqlite3 *db, const cli_opts *o) {
  char *root = cli_proc_root(db);
  if (!root) return CLI_ERR;
  summary s;
  memset(&s, 0, sizeof s);
  int rc = add_selected(db, o, root, &s);
  sqlite3_free(root);
  if (rc == CLI_OK) print_summary(&s);
  return rc;
}
