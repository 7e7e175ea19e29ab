/*
 * etcfiles.c: /etc/services and /etc/hosts, read directly. The static
 * procnet has no NSS (getservbyname, gethostbyname), and in a container
 * these two files are what those functions would read anyway.
 */
#include "cli.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_FIELDS 16

/* Calls fn with the blank-separated fields of each line (comments cut) of
 * path until it returns nonzero; returns that, or 0. */
static int each_line(const char *path, int (*fn)(char **f, int n, void *ctx), void *ctx) {
  FILE *in = fopen(path, "r");
  if (!in) return 0;
  char line[1024];
  int rc = 0;
  while (!rc && fgets(line, sizeof line, in)) {
    char *hash = strchr(line, '#'), *save = NULL, *f[MAX_FIELDS];
    if (hash) *hash = '\0';
    int n = 0;
    for (char *t = strtok_r(line, " \t\r\n", &save); t && n < MAX_FIELDS;
         t = strtok_r(NULL, " \t\r\n", &save))
      f[n++] = t;
    if (n) rc = fn(f, n, ctx);
  }
  fclose(in);
  return rc;
}

typedef struct service_query {
  const char *name, *proto;
  int port;
} service_query;

/* "name port/proto aliases..." */
static int service_line(char **f, int n, void *ctx) {
  service_query *q = ctx;
  char *slash = n >= 2 ? strchr(f[1], '/') : NULL;
  if (!slash || strcmp(slash + 1, q->proto) != 0) return 0;
  int named = !strcmp(f[0], q->name);
  for (int i = 2; i < n && !named; i++) named = !strcmp(f[i], q->name);
  if (!named) return 0;
  char *end;
  long port = strtol(f[1], &end, 10);
  if (end != slash || port < 0 || port > 65535) return 0;
  q->port = (int)port;
  return 1;
}

int cli_service_port(const char *name, const char *proto) {
  service_query q = {name, proto, -1};
  each_line("/etc/services", service_line, &q);
  return q.port;
}

typedef struct host_query {
  const char *name;
  int family;       /* 4, 6 or 0 */
  char **addrs;
  int n, failed;
} host_query;

/* "address name aliases..." */
static int host_line(char **f, int n, void *ctx) {
  host_query *q = ctx;
  int named = 0;
  for (int i = 1; i < n && !named; i++) named = !strcmp(f[i], q->name);
  if (!named) return 0;
  unsigned char bin[16];
  char text[INET6_ADDRSTRLEN];
  int af = strchr(f[0], ':') ? AF_INET6 : AF_INET;
  if ((q->family == 4 && af != AF_INET) || (q->family == 6 && af != AF_INET6)) return 0;
  if (inet_pton(af, f[0], bin) != 1 || !inet_ntop(af, bin, text, sizeof text)) return 0;
  for (int i = 0; i < q->n; i++)
    if (!strcmp(q->addrs[i], text)) return 0;
  if (cli_push_word(&q->addrs, &q->n, text) != 0) {
    q->failed = 1;
    return 1;
  }
  return 0;
}

int cli_host_addresses(const char *name, int family, char ***addrs) {
  host_query q = {name, family, NULL, 0, 0};
  each_line("/etc/hosts", host_line, &q);
  if (q.failed) {
    cli_free_words(q.addrs);
    *addrs = NULL;
    return -1;
  }
  *addrs = q.addrs;
  return q.n;
}

int cli_push_word(char ***words, int *n, const char *w) {
  char **v = realloc(*words, (size_t)(*n + 2) * sizeof *v);
  if (!v) return -1;
  *words = v;
  if (!(v[*n] = strdup(w))) return -1;
  v[++*n] = NULL;
  return 0;
}

void cli_free_words(char **words) {
  for (char **w = words; w && *w; w++) free(*w);
  free(words);
}
