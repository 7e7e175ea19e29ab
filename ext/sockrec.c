/*
 * sockrec.c: the kinds of socket, the names of their fields' values, and
 * the record set every source fills; see sockrec.h.
 */
#include "sockrec.h"

#include "prefault.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* ---- the kinds of socket ------------------------------------------------- */

const pn_sockkind pn_kind_tcp = {"tcp", PN_FMT_INET, {"tcp", "tcp6"}, 0,
                                 IPPROTO_TCP, 1};
const pn_sockkind pn_kind_udp = {"udp", PN_FMT_INET, {"udp", "udp6"}, 1,
                                 IPPROTO_UDP, 1};
const pn_sockkind pn_kind_udplite = {"udplite", PN_FMT_INET,
                                     {"udplite", "udplite6"}, 1,
                                     IPPROTO_UDPLITE, 1};
/* raw: sock_diag dumps them only where the kernel has raw_diag; procnet
 * tries and falls back to the text files. */
const pn_sockkind pn_kind_raw = {"raw", PN_FMT_INET, {"raw", "raw6"}, 1, -1, 1};
/* ping sockets: IPPROTO_ICMP for v4, IPPROTO_ICMPV6 for v6 (see
 * pn_sock_ipproto); sock_diag has no handler for them. */
const pn_sockkind pn_kind_icmp = {"icmp", PN_FMT_INET, {"icmp", "icmp6"}, 1,
                                  IPPROTO_ICMP, 0};
const pn_sockkind pn_kind_unix = {"unix", PN_FMT_UNIX, {"unix", NULL}, 0, 0, 1};
/* packet sockets: sock_diag (packet_diag) knows all the text says but the
 * refcount; netlink sockets: the text files have every field the tables
 * show. */
const pn_sockkind pn_kind_packet = {"packet", PN_FMT_PACKET, {"packet", NULL},
                                    0, 0, 1};
const pn_sockkind pn_kind_netlink = {"netlink", PN_FMT_NETLINK,
                                     {"netlink", NULL}, 0, 0, 0};

/* ---- names ----------------------------------------------------------------- */

static const char *unix_state_name(const pn_sock *s) {
  if (s->flags & PN_UNIX_LISTENING) return "LISTEN";
  switch (s->state) {
  case PN_UNIX_UNCONNECTED: return "UNCONNECTED";
  case PN_UNIX_CONNECTING: return "CONNECTING";
  case PN_UNIX_CONNECTED: return "CONNECTED";
  case PN_UNIX_DISCONNECTING: return "DISCONNECTING";
  default: return NULL;
  }
}

const char *pn_sock_state_name(const pn_sockkind *k, const pn_sock *s) {
  switch (k->fmt) {
  case PN_FMT_INET: return pn_tcp_state_name(s->state);
  case PN_FMT_UNIX: return unix_state_name(s);
  case PN_FMT_PACKET:
  case PN_FMT_NETLINK: break;
  }
  return NULL;
}

int pn_sock_ipproto(const pn_sockkind *k, const pn_sock *s) {
  if (k->ipproto < 0) return s->local_port; /* raw: the protocol */
  if (k == &pn_kind_icmp && s->family == 6) return IPPROTO_ICMPV6;
  return k->ipproto;
}

const char *pn_inet_family_name(int family) {
  return family == 6 ? "IPv6" : "IPv4";
}

const char *pn_unix_type_name(int type) {
  switch (type) {
  case 1: return "STREAM";
  case 2: return "DGRAM";
  case 5: return "SEQPACKET";
  default: return NULL;
  }
}

const char *pn_packet_type_name(int type) {
  return type == 3 ? "RAW" : type == 2 ? "DGRAM" : NULL;
}

const char *pn_timer_name(int timer) {
  static const char *const names[] = {"off", "on", "keepalive", "timewait",
                                      "probe"};
  return timer >= 0 && timer < 5 ? names[timer] : NULL;
}

/* ---- record sets ------------------------------------------------------------ */

/* What one set may hold, as procfs caps a file read whole: a hostile tree
 * (or a namespace with millions of sockets) must not exhaust memory, and
 * string offsets are 32-bit. */
#define PN_SET_STRINGS_MAX ((size_t)1 << 30)

pn_sock *pn_sockset_push(pn_sockset *set, const pn_sock *s) {
  if (pn_big_room(&set->vmem, set->n * sizeof *s, (set->n + 1) * sizeof *s) != 0)
    return NULL;
  set->v = set->vmem.p;
  set->v[set->n] = *s;
  return &set->v[set->n++];
}

int pn_sockset_string(pn_sockset *set, const char *p, size_t n, uint32_t *off) {
  size_t at = set->strings.n;
  if (n >= PN_SET_STRINGS_MAX - at || pn_buf_grow(&set->strings, n + 1) != 0)
    return -1;
  if (n) memcpy(set->strings.p + at, p, n);
  set->strings.p[at + n] = '\0'; /* a C string too, for debugging */
  set->strings.n = at + n + 1;
  *off = (uint32_t)at;
  return 0;
}

pn_sockx *pn_sockset_extras(pn_sockset *set, size_t i) {
  size_t size = sizeof *set->x;
  if (pn_big_room(&set->xmem, set->nx * size, (set->nx + 1) * size) != 0) return NULL;
  set->x = set->xmem.p;
  memset(&set->x[set->nx], 0, size);
  set->v[i].x = (uint32_t)++set->nx;
  return &set->x[set->nx - 1];
}

int pn_sockset_pin(pn_sockset *set, size_t max) {
  if (max > SIZE_MAX / sizeof *set->x) return -1;
  if (pn_big_pin(&set->vmem, set->n * sizeof *set->v, max * sizeof *set->v) != 0 ||
      pn_big_pin(&set->xmem, set->nx * sizeof *set->x, max * sizeof *set->x) != 0)
    return -1;
  set->v = set->vmem.p;
  set->x = set->xmem.p;
  return 0;
}

void pn_sockset_pop(pn_sockset *set) {
  if (!set->n) return;
  const pn_sock *s = &set->v[--set->n];
  if (s->x && s->x == set->nx) set->nx--;
}

void pn_sockset_clear(pn_sockset *set) {
  set->n = set->nx = 0;
  set->strings.n = 0;
}

void pn_sockset_trim(pn_sockset *set) {
  pn_big_trim(&set->vmem, set->n * sizeof *set->v);
  pn_big_trim(&set->xmem, set->nx * sizeof *set->x);
}

void pn_sockset_free(pn_sockset *set) {
  pn_big_free(&set->vmem);
  pn_big_free(&set->xmem);
  pn_buf_free(&set->strings);
  memset(set, 0, sizeof *set);
}
