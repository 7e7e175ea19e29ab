/*
 * ssfilter_host.c: the words of an ss filter that name things (iproute2's
 * parse_hostcond and parse_devcond are the reference for the facts), and
 * the condition an address names.
 *
 * HOST: [FAMILY:]ADDRESS[/LEN][:PORT], [V6ADDRESS][:PORT], *[:PORT], :PORT,
 * a name from /etc/hosts; with a unix family (-x, -f unix, unix:) a glob
 * pattern on the socket's path. PORT: a number (C notation, as strtol
 * reads it), a name from /etc/services (tcp or udp, as the shown tables
 * say), or `*` (any). An IPv4 address may have fewer than 4 parts (10 is
 * 10.0.0.0), as iproute2 reads it. DEVICE: a name in procnet's own
 * namespace or an index.
 */
#include "ss.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void ssf_free_host(ssf_host *h) {
  free(h->pattern);
  cli_free_words(h->addrs);
  memset(h, 0, sizeof *h);
}

/* strtol with base 0, the whole word, in int range: iproute2's get_integer. */
static int get_integer(const char *s, long *v) {
  char *end;
  errno = 0;
  long x = strtol(s, &end, 0);
  if (!*s || *end || errno || x < -2147483647 - 1 || x > 2147483647) return -1;
  *v = x;
  return 0;
}

/* A PORT word: a number, a service name (tcp, udp or both as ss's tables
 * say), `*` or empty (any). */
static int parse_port(const ssf_env *env, ssf_result *out, const char *s, long *port) {
  *port = -1;
  if (!*s || !strcmp(s, "*")) return 0;
  if (get_integer(s, port) == 0) return 0;
  int udp = env->udp ? cli_service_port(s, "udp") : -1;
  int tcp = env->tcp ? cli_service_port(s, "tcp") : -1;
  if (udp >= 0 && tcp >= 0 && udp != tcp) {
    ssf_fail(out, SSF_BAD, "ambiguous port \"%s\"", s);
    return -1;
  }
  *port = udp >= 0 ? udp : tcp;
  if (*port < 0) {
    ssf_fail(out, SSF_BAD, "\"%s\" does not look like a port", s);
    return -1;
  }
  return 0;
}

/* An IPv4 address as iproute2 reads one: 1 to 4 parts, each a number in
 * C notation up to 255 ("10" is 10.0.0.0). Writes the dotted quad. */
static int parse_v4(const char *s, char out[INET_ADDRSTRLEN]) {
  unsigned b[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 0);
    if (end == s || errno || n > 255 || *s == '-' || *s == '+') return -1;
    b[i] = (unsigned)n;
    if (!*end) break;
    if (i == 3 || *end != '.') return -1;
    s = end + 1;
  }
  snprintf(out, INET_ADDRSTRLEN, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return 0;
}

/* ADDRESS[/LEN] as a prefix procnet_addr_match reads, or NULL. family:
 * AF_INET, AF_INET6 or AF_UNSPEC (either). "any", "all" and "default"
 * match every address: *any set. */
static char *parse_prefix(const char *s, int family, int *any) {
  *any = 0;
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  char addr[INET6_ADDRSTRLEN + 1], text[INET6_ADDRSTRLEN + 8];
  if (n == 0 || n >= sizeof addr) return NULL;
  memcpy(addr, s, n);
  addr[n] = '\0';
  if (!slash && (!strcmp(addr, "any") || !strcmp(addr, "all") || !strcmp(addr, "default"))) {
    *any = 1;
    return NULL;
  }
  int v6 = strchr(addr, ':') != NULL;
  if ((v6 && family == AF_INET) || (!v6 && family == AF_INET6)) return NULL;
  if (v6) {
    unsigned char b[16];
    if (inet_pton(AF_INET6, addr, b) != 1) return NULL;
    snprintf(text, sizeof text, "%s", addr);
  } else if (parse_v4(addr, text) != 0) {
    return NULL;
  }
  if (slash) {
    long len;
    if (get_integer(slash + 1, &len) != 0 || len < 0 || len > (v6 ? 128 : 32)) return NULL;
    size_t k = strlen(text);
    snprintf(text + k, sizeof text - k, "/%ld", len);
  }
  return sqlite3_mprintf("%s", text);
}

/* The address part of an inet HOST: a prefix or a name in /etc/hosts. */
static int parse_inet_address(ssf_result *out, const char *s, int family, ssf_host *h) {
  int any;
  char *prefix = parse_prefix(s, family, &any);
  if (any) return 0;
  if (prefix) {
    int rc = cli_push_word(&h->addrs, &h->naddrs, prefix);
    sqlite3_free(prefix);
    if (rc != 0) ssf_fail(out, SSF_NOMEM, "out of memory");
    return rc;
  }
  char **names = NULL;
  int n = cli_host_addresses(s, family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0, &names);
  if (n < 0) {
    ssf_fail(out, SSF_NOMEM, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    if (cli_push_word(&h->addrs, &h->naddrs, names[i]) != 0) {
      cli_free_words(names);
      ssf_fail(out, SSF_NOMEM, "out of memory");
      return -1;
    }
  }
  cli_free_words(names);
  if (!n) {
    ssf_fail(out, SSF_BAD, "an inet prefix is expected rather than \"%s\"", s);
    return -1;
  }
  return 0;
}

/* [ADDRESS][:PORT], [V6ADDRESS][:PORT], *[:PORT]; is_port: the word is a
 * port alone (after sport/dport). */
static int parse_inet_host(const ssf_env *env, ssf_result *out, char *s, int is_port,
                           int family, ssf_host *h) {
  char *port = NULL;
  if (s[0] == '[') {
    s++;
    if (!(port = strchr(s, ']'))) {
      ssf_fail(out, SSF_BAD, "an inet prefix is expected rather than \"%s\"", s - 1);
      return -1;
    }
    *port++ = '\0';
  } else if (s[0] == '*') {
    port = s + 1;
  } else {
    char *slash = strchr(s, '/');
    port = strrchr(slash ? slash : s, ':');
  }
  if (is_port) port = s;
  if (port && *port) {
    if (*port == ':') *port++ = '\0';
    if (*port && *port != '*' && parse_port(env, out, port, &h->port) != 0) return -1;
  }
  if (!is_port && *s && *s != '*') return parse_inet_address(out, s, family, h);
  return 0;
}

/* A port-only HOST of a packet or netlink family: `link:*:PORT`, ... */
static int parse_link_host(ssf_result *out, char *s, int is_port, int family, ssf_host *h) {
  char *port = is_port ? s : strchr(s, ':');
  if (port && *port == ':') *port++ = '\0';
  if (port && *port && strcmp(port, "*") != 0) {
    if (family == AF_NETLINK && !strcmp(port, "kernel")) h->port = 0;
    else if (family == AF_PACKET && if_nametoindex(port)) h->port = if_nametoindex(port);
    else if (get_integer(port, &h->port) != 0) {
      ssf_fail(out, SSF_BAD, "\"%s\" does not look like a port", port);
      return -1;
    }
  }
  if (!is_port && *s && strcmp(s, "*") != 0) {
    ssf_fail(out, SSF_BAD, "%s protocols in addresses are not supported: use procnet sql",
         family == AF_NETLINK ? "netlink" : "link");
    return -1;
  }
  return 0;
}

/* A family prefix: the family, and s moved past it; AF_UNSPEC if none. */
static int family_prefix(char **s) {
  static const struct {
    const char *prefix;
    int af;
  } prefixes[] = {{"unix:", AF_UNIX},     {"link:", AF_PACKET}, {"netlink:", AF_NETLINK},
                  {"inet:", AF_INET},     {"inet6:", AF_INET6}, {"vsock:", AF_VSOCK}};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i].prefix);
    if (!strncmp(*s, prefixes[i].prefix, n)) {
      *s += n;
      return prefixes[i].af;
    }
  }
  return AF_UNSPEC;
}

int ssf_read_host(const char *word, int is_port, ssf_env *env, ssf_result *out,
                  ssf_host *h) {
  memset(h, 0, sizeof *h);
  h->port = -1;
  char *copy = strdup(word), *s = copy;
  if (!copy) {
    ssf_fail(out, SSF_NOMEM, "out of memory");
    return -1;
  }
  int family = family_prefix(&s);
  if (family != AF_UNSPEC) {
    out->family_reset = 1;
    out->family = family;
    env->family = family;
  } else {
    family = env->family;
  }
  int rc;
  if (family == AF_UNIX) {
    h->unix_pattern = 1;
    rc = (h->pattern = strdup(s)) ? 0 : -1;
    if (rc) ssf_fail(out, SSF_NOMEM, "out of memory");
  } else if (family == AF_PACKET || family == AF_NETLINK) {
    rc = parse_link_host(out, s, is_port, family, h);
  } else if (family == AF_VSOCK) {
    ssf_fail(out, SSF_BAD, "vsock addresses are not supported");
    rc = -1;
  } else {
    rc = parse_inet_host(env, out, s, is_port, family, h);
  }
  free(copy);
  if (rc != 0) ssf_free_host(h);
  return rc;
}

cli_query ssf_host_condition(const ssf_host *h, int local) {
  cli_query f = {0};
  const char *port_col = local ? "local_port" : "remote_port";
  const char *addr_col = local ? "local_address" : "remote_address";
  if (h->unix_pattern) {
    /* ss compares the peer's name as empty: only "" and "*" match it. */
    cli_q_append(&f, local ? "kind = 'unix' AND lower(coalesce(local_address, ''))"
                          " GLOB lower(?)"
                        : "kind = 'unix' AND '' GLOB lower(?)");
    cli_q_text(&f, h->pattern);
    return f;
  }
  /* A port alone is a plain equality: the socket scan can take it. */
  if (h->port != -1) {
    cli_q_append(&f, "%s = ?", port_col);
    cli_q_int(&f, h->port);
  }
  for (int i = 0; i < h->naddrs; i++) {
    cli_q_append(&f, "%sprocnet_addr_match(%s, ?) IS 1",
                 i ? " OR " : h->port != -1 ? " AND (" : "(", addr_col);
    cli_q_text(&f, h->addrs[i]);
  }
  if (h->naddrs) cli_q_append(&f, ")");
  if (!f.where) cli_q_append(&f, "1"); /* any address, any port */
  return f;
}

unsigned long ssf_read_device(const char *word, ssf_result *out) {
  unsigned long index = if_nametoindex(word);
  if (index) return index;
  char *end;
  errno = 0;
  index = strtoul(word, &end, 0);
  if (end == word || *end || errno || index > 0xffffffffUL || *word == '-') {
    ssf_fail(out, SSF_BAD, "cannot parse device \"%s\"", word);
    return 0;
  }
  return index;
}

ssf_status ssf_fail(ssf_result *out, ssf_status st, const char *fmt, ...) {
  if (out->error) return st; /* the first error is the one told */
  va_list ap;
  va_start(ap, fmt);
  out->error = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return out->error ? st : SSF_NOMEM;
}
