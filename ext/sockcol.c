/*
 * sockcol.c: one record field as a column value; see sockcol.h.
 */
#include "sockcol.h"

#include "sockstore.h"
SQLITE_EXTENSION_INIT3

#include <unistd.h>

unsigned pn_field_want(pn_field f, const pn_sockkind *k) {
  if (!k->diag) return 0; /* text is all there is */
  switch (f) {
  case PN_F_REFCOUNT:
  case PN_F_RETRANSMITS:
  case PN_F_TIMEOUT:
  case PN_F_ADDRESS:
    return PN_WANT_TEXT;
  case PN_F_DROPS: /* sock_diag has drops only with the memory extension */
    return k->fmt == PN_FMT_INET ? PN_WANT_TEXT : 0;
  case PN_F_PEER_INODE:
    return PN_WANT_DIAG;
  case PN_F_RX_QUEUE:
  case PN_F_TX_QUEUE:
  case PN_F_UID:
    return k->fmt == PN_FMT_UNIX ? PN_WANT_DIAG : 0;
  default:
    return 0;
  }
}

static void result_static(sqlite3_context *ctx, const char *s) {
  if (s) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}

static void result_u64(sqlite3_context *ctx, uint64_t v) {
  sqlite3_result_int64(ctx, (sqlite3_int64)v);
}

static void result_addr(sqlite3_context *ctx, int family, const uint8_t *a) {
  char text[46];
  size_t n = pn_format_addr(family, a, text);
  sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

/* A string of the record's set (a unix path or address). */
static void result_string(const pn_sockrow *r, sqlite3_context *ctx,
                          uint32_t off, uint32_t len) {
  pn_result_text(ctx, pn_sockset_text(r->set, off), len);
}

static const char *family_name(const pn_sockrow *r) {
  switch (r->kind->fmt) {
  case PN_FMT_INET: return pn_inet_family_name(r->s->family);
  case PN_FMT_UNIX: return "UNIX";
  case PN_FMT_PACKET: return "PACKET";
  case PN_FMT_NETLINK: return "NETLINK";
  }
  return NULL;
}

static const char *type_name(const pn_sockrow *r) {
  switch (r->kind->fmt) {
  case PN_FMT_UNIX: return pn_unix_type_name(r->s->type);
  case PN_FMT_PACKET: return pn_packet_type_name(r->s->type);
  case PN_FMT_INET:
  case PN_FMT_NETLINK: break;
  }
  return NULL;
}

static void result_protocol(const pn_sockrow *r, sqlite3_context *ctx) {
  if (r->kind->fmt == PN_FMT_INET)
    sqlite3_result_int(ctx, pn_sock_ipproto(r->kind, r->s));
  else
    result_u64(ctx, r->s->protocol); /* unix: always 0 */
}

/* rx_queue and tx_queue: IP, netlink and (from sock_diag) unix sockets
 * have both; a packet socket only its receive memory. */
static void result_queue(const pn_sockrow *r, sqlite3_context *ctx, int rx) {
  if (!(r->s->has & PN_SK_QUEUES)) return;
  if (r->kind->fmt == PN_FMT_PACKET && !rx) return;
  result_u64(ctx, rx ? r->s->rx_queue : r->s->tx_queue);
}

static void result_port(const pn_sockrow *r, sqlite3_context *ctx, int local) {
  if (r->kind->fmt == PN_FMT_INET)
    sqlite3_result_int(ctx, local ? r->s->local_port : r->s->remote_port);
  else if (r->kind->fmt == PN_FMT_NETLINK && local)
    result_u64(ctx, r->s->portid);
}

static void result_inet_addr(const pn_sockrow *r, sqlite3_context *ctx,
                             int local) {
  if (r->kind->fmt != PN_FMT_INET) return;
  result_addr(ctx, r->s->family, local ? r->s->local_addr : r->s->remote_addr);
}

/* The fields of the text files' timer columns (IP sockets only). */
static void result_timer(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  if (r->kind->fmt != PN_FMT_INET) return;
  switch (f) {
  case PN_F_TIMER: result_static(ctx, pn_timer_name(s->timer)); break;
  case PN_F_TIMER_EXPIRES: sqlite3_result_double(ctx, (double)s->expires_ms / 1000.0); break;
  case PN_F_RETRANSMITS:
    if (s->has & PN_SK_TEXT) result_u64(ctx, s->retransmits);
    break;
  case PN_F_TIMEOUT:
    if (s->has & PN_SK_TEXT) result_u64(ctx, s->probes);
    break;
  default: break;
  }
}

static void result_unix(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  if (r->kind->fmt != PN_FMT_UNIX) return;
  switch (f) {
  case PN_F_PATH:
    if (s->has & PN_SK_PATH) result_string(r, ctx, s->path_off, s->path_len);
    break;
  case PN_F_ADDRESS:
    if (s->has & PN_SK_ADDRESS) result_string(r, ctx, s->addr_off, s->addr_len);
    break;
  case PN_F_FLAGS: result_u64(ctx, s->flags); break;
  case PN_F_PEER_INODE:
    if ((s->has & PN_SK_PEER) && s->peer) result_u64(ctx, s->peer);
    break;
  default: break;
  }
}

/* packet and netlink fields. */
static void result_link(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  pn_sockfmt fmt = r->kind->fmt;
  switch (f) {
  case PN_F_IFINDEX:
    if (fmt == PN_FMT_PACKET) result_u64(ctx, s->ifindex);
    break;
  case PN_F_RUNNING:
    if (fmt == PN_FMT_PACKET) sqlite3_result_int(ctx, s->running);
    break;
  case PN_F_DUMP:
    if (fmt == PN_FMT_NETLINK) sqlite3_result_int(ctx, s->running);
    break;
  case PN_F_PORTID:
    if (fmt == PN_FMT_NETLINK) result_u64(ctx, s->portid);
    break;
  case PN_F_GROUPS:
    if (fmt == PN_FMT_NETLINK) result_u64(ctx, s->flags);
    break;
  default: break;
  }
}

int pn_sock_field(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  const pn_sock *s = r->s;
  switch (f) {
  case PN_F_KIND: result_static(ctx, r->kind->name); break;
  case PN_F_FAMILY: result_static(ctx, family_name(r)); break;
  case PN_F_INODE: result_u64(ctx, s->inode); break;
  case PN_F_STATE: result_static(ctx, pn_sock_state_name(r->kind, s)); break;
  case PN_F_TYPE: result_static(ctx, type_name(r)); break;
  case PN_F_PROTOCOL: result_protocol(r, ctx); break;
  case PN_F_UID:
    if (s->has & PN_SK_UID) result_u64(ctx, s->uid);
    break;
  case PN_F_RX_QUEUE: result_queue(r, ctx, 1); break;
  case PN_F_TX_QUEUE: result_queue(r, ctx, 0); break;
  case PN_F_REFCOUNT:
    if (s->has & PN_SK_REFCOUNT) result_u64(ctx, s->refcount);
    break;
  case PN_F_DROPS:
    if (s->has & PN_SK_DROPS) result_u64(ctx, s->drops);
    break;
  case PN_F_LOCAL_ADDRESS: result_inet_addr(r, ctx, 1); break;
  case PN_F_REMOTE_ADDRESS: result_inet_addr(r, ctx, 0); break;
  case PN_F_LOCAL_PORT: result_port(r, ctx, 1); break;
  case PN_F_REMOTE_PORT: result_port(r, ctx, 0); break;
  case PN_F_TIMER:
  case PN_F_TIMER_EXPIRES:
  case PN_F_RETRANSMITS:
  case PN_F_TIMEOUT: result_timer(r, ctx, f); break;
  case PN_F_PATH:
  case PN_F_ADDRESS:
  case PN_F_FLAGS:
  case PN_F_PEER_INODE: result_unix(r, ctx, f); break;
  case PN_F_IFINDEX:
  case PN_F_RUNNING:
  case PN_F_DUMP:
  case PN_F_PORTID:
  case PN_F_GROUPS: result_link(r, ctx, f); break;
  case PN_F_NS_PID:
  case PN_F_NETNS: break; /* the module's */
  }
  return SQLITE_OK;
}
