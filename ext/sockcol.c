/*
 * sockcol.c: one record field as a value, and as a column's; see
 * sockcol.h. The fields of sock_diag's extensions are sockcol_ext.c's.
 */
#include "sockcol.h"

#include "sockstore.h"
SQLITE_EXTENSION_INIT3

#include <stddef.h>
#include <string.h>

unsigned pn_field_want(pn_field f, const pn_sockkind *k) {
  int packet = k->fmt == PN_FMT_PACKET;
  if (!k->diag) return 0; /* text is all there is */
  if (f == PN_F_RECORD) return PN_WANT_DIAG | PN_WANT_INFO | PN_WANT_MEM;
  if (f >= PN_F_SKMEM_R) return PN_WANT_MEM;
  /* the details of the other kind are none of this kind's: asking for
   * them would only make its dumps heavier */
  if (f >= PN_F_PACKET_VERSION) return packet ? PN_WANT_INFO : 0;
  if (f >= PN_F_CA_STATE) return packet ? 0 : PN_WANT_INFO;
  if (f == PN_F_INTERFACE && packet) return 0; /* both sources' ifindex */
  if (f >= PN_F_BACKLOG) return PN_WANT_DIAG;
  switch (f) {
  case PN_F_REFCOUNT:
  case PN_F_RETRANSMITS:
  case PN_F_TIMEOUT:
    return PN_WANT_TEXT;
  case PN_F_ADDRESS: /* a unix socket's; the other kinds have none to show */
    return k->fmt == PN_FMT_UNIX ? PN_WANT_TEXT : 0;
  case PN_F_DROPS: /* inet's sock_diag has drops only with the memory
                    * extension; packet_diag's memory is always there */
    return k->fmt == PN_FMT_INET ? PN_WANT_TEXT : packet ? PN_WANT_DIAG : 0;
  case PN_F_PEER_INODE:
    return PN_WANT_DIAG;
  case PN_F_IFINDEX: /* IP: the bound device */
    return k->fmt == PN_FMT_INET ? PN_WANT_DIAG : 0;
  case PN_F_TX_QUEUE: /* packet: not in the text */
    if (packet) return PN_WANT_DIAG;
    /* fall through */
  case PN_F_RX_QUEUE:
  case PN_F_UID:
    return k->fmt == PN_FMT_UNIX ? PN_WANT_DIAG : 0;
  default:
    return 0;
  }
}

/* ---- values ------------------------------------------------------------------ */

void pn_value_clear(pn_value *v) {
  if (v->type == SQLITE_TEXT && v->life == PN_TEXT_OWNED) sqlite3_free((char *)v->text);
  v->type = SQLITE_NULL;
}

const char *pn_value_cstr(pn_value *v) {
  if (v->terminated) return v->text;
  char *copy = sqlite3_malloc64(v->n + 1);
  if (!copy) return NULL;
  memcpy(copy, v->text, v->n);
  copy[v->n] = '\0';
  pn_value_clear(v);
  pn_value_text(v, copy, v->n, PN_TEXT_OWNED, 1);
  return copy;
}

static void value_double(pn_value *v, double d) {
  v->type = SQLITE_FLOAT;
  v->d = d;
}

static void value_addr(pn_value *v, int family, const uint8_t *a) {
  _Static_assert(sizeof v->buf > 46, "room for an IPv6 address");
  size_t n = pn_format_addr(family, a, v->buf);
  pn_value_buf(v, n < 46 ? n : 45);
}

/* A string of the record's set (a unix path or address). */
static void value_string(const pn_sockrow *r, pn_value *v, uint32_t off, uint32_t len) {
  pn_value_text(v, pn_sockset_text(r->set, off), len, PN_TEXT_ROW, 0);
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

static void value_protocol(const pn_sockrow *r, pn_value *v) {
  if (r->kind->fmt == PN_FMT_INET)
    pn_value_int(v, pn_sock_ipproto(r->kind, r->s));
  else
    pn_value_u64(v, r->s->protocol); /* unix: always 0 */
}

/* rx_queue and tx_queue: IP, netlink and (from sock_diag) unix sockets
 * have both; a packet socket its receive memory, and its send memory
 * when read through sock_diag. */
static void value_queue(const pn_sockrow *r, pn_value *v, int rx) {
  if (!(r->s->has & PN_SK_QUEUES)) return;
  if (r->kind->fmt == PN_FMT_PACKET && !rx && !(r->s->has & PN_SK_DIAG)) return;
  pn_value_u64(v, rx ? r->s->rx_queue : r->s->tx_queue);
}

static void value_port(const pn_sockrow *r, pn_value *v, int local) {
  if (r->kind->fmt == PN_FMT_INET)
    pn_value_int(v, local ? r->s->local_port : r->s->remote_port);
  else if (r->kind->fmt == PN_FMT_NETLINK && local)
    pn_value_u64(v, r->s->portid);
}

static void value_inet_addr(const pn_sockrow *r, pn_value *v,
                             int local) {
  if (r->kind->fmt != PN_FMT_INET) return;
  value_addr(v, r->s->family, local ? r->s->local_addr : r->s->remote_addr);
}

/* The fields of the text files' timer columns (IP sockets only). */
static void value_timer(const pn_sockrow *r, pn_value *v, pn_field f) {
  const pn_sock *s = r->s;
  if (r->kind->fmt != PN_FMT_INET) return;
  switch (f) {
  case PN_F_TIMER: pn_value_static(v, pn_timer_name(s->timer)); break;
  case PN_F_TIMER_EXPIRES: value_double(v, (double)s->expires_ms / 1000.0); break;
  case PN_F_RETRANSMITS:
    if (s->has & PN_SK_TEXT) pn_value_u64(v, s->retransmits);
    break;
  case PN_F_TIMEOUT:
    if (s->has & PN_SK_TEXT) pn_value_u64(v, s->probes);
    break;
  default: break;
  }
}

static void value_unix(const pn_sockrow *r, pn_value *v, pn_field f) {
  const pn_sock *s = r->s;
  if (r->kind->fmt != PN_FMT_UNIX) return;
  switch (f) {
  case PN_F_PATH:
    if (s->has & PN_SK_PATH) value_string(r, v, s->path_off, s->path_len);
    break;
  case PN_F_ADDRESS:
    if (s->has & PN_SK_ADDRESS) value_string(r, v, s->addr_off, s->addr_len);
    break;
  case PN_F_FLAGS: pn_value_u64(v, s->flags); break;
  case PN_F_PEER_INODE:
    if ((s->has & PN_SK_PEER) && s->peer) pn_value_u64(v, s->peer);
    break;
  default: break;
  }
}

/* packet and netlink fields. */
static void value_link(const pn_sockrow *r, pn_value *v, pn_field f) {
  const pn_sock *s = r->s;
  pn_sockfmt fmt = r->kind->fmt;
  switch (f) {
  case PN_F_IFINDEX:
    if (fmt == PN_FMT_PACKET || ((s->has & PN_SK_DIAG) && s->ifindex))
      pn_value_u64(v, s->ifindex);
    break;
  case PN_F_RUNNING:
    if (fmt == PN_FMT_PACKET) pn_value_int(v, s->running);
    break;
  case PN_F_DUMP:
    if (fmt == PN_FMT_NETLINK) pn_value_int(v, s->running);
    break;
  case PN_F_PORTID:
    if (fmt == PN_FMT_NETLINK) pn_value_u64(v, s->portid);
    break;
  case PN_F_GROUPS:
    if (fmt == PN_FMT_NETLINK) pn_value_u64(v, s->flags);
    break;
  default: break;
  }
}

/* ---- sock_diag fields ------------------------------------------------------ */

static void value_interface(const pn_sockrow *r, pn_value *v) {
  const pn_sock *s = r->s;
  int bound = r->kind->fmt == PN_FMT_PACKET || (s->has & PN_SK_DIAG);
  if (!bound || !s->ifindex) return;
  int n = pn_sockrow_ifname(r, s->ifindex, v->buf);
  if (n > 0) pn_value_buf(v, (size_t)n);
}

static void value_diag(const pn_sockrow *r, pn_value *v, pn_field f) {
  const pn_sock *s = r->s;
  int diag = (s->has & PN_SK_DIAG) != 0;
  switch (f) {
  case PN_F_BACKLOG:
    if (s->has & PN_SK_BACKLOG) pn_value_u64(v, s->backlog);
    break;
  case PN_F_V6ONLY:
    if (s->has & PN_SK_V6ONLY) pn_value_int(v, s->v6only);
    break;
  case PN_F_INTERFACE: value_interface(r, v); break;
  case PN_F_COOKIE:
    if (diag) pn_value_u64(v, s->cookie);
    break;
  case PN_F_CGROUP_ID:
    if (s->has & PN_SK_CGROUP) pn_value_u64(v, s->cgroup_id);
    break;
  case PN_F_SHUTDOWN:
    if (s->has & PN_SK_SHUTDOWN) pn_value_int(v, s->shutdown);
    break;
  case PN_F_MARK:
    if (s->has & PN_SK_MARK) pn_value_u64(v, s->mark);
    break;
  case PN_F_VFS_INODE:
    if (s->has & PN_SK_VFS) pn_value_u64(v, s->vfs_inode);
    break;
  case PN_F_VFS_DEV_MAJOR:
    if (s->has & PN_SK_VFS) pn_value_u64(v, s->vfs_dev >> 20);
    break;
  case PN_F_VFS_DEV_MINOR:
    if (s->has & PN_SK_VFS) pn_value_u64(v, s->vfs_dev & 0xfffff);
    break;
  case PN_F_PENDING:
    if (s->has & PN_SK_PENDING) value_string(r, v, s->pend_off, s->pend_len);
    break;
  case PN_F_TIMER_RETRANS:
    if (diag && r->kind->fmt == PN_FMT_INET) pn_value_int(v, s->timer_retrans);
    break;
  default: break;
  }
}

int pn_sock_value(const pn_sockrow *r, pn_field f, pn_value *v) {
  const pn_sock *s = r->s;
  v->type = SQLITE_NULL;
  if (f >= PN_F_CA_STATE) /* sock_diag's extensions: most of its columns */
    return pn_sockx_value(r, f, v);
  switch (f) {
  case PN_F_KIND: pn_value_static(v, r->kind->name); break;
  case PN_F_FAMILY: pn_value_static(v, family_name(r)); break;
  case PN_F_INODE: pn_value_u64(v, s->inode); break;
  case PN_F_STATE: pn_value_static(v, pn_sock_state_name(r->kind, s)); break;
  case PN_F_TYPE: pn_value_static(v, type_name(r)); break;
  case PN_F_PROTOCOL: value_protocol(r, v); break;
  case PN_F_UID:
    if (s->has & PN_SK_UID) pn_value_u64(v, s->uid);
    break;
  case PN_F_RX_QUEUE: value_queue(r, v, 1); break;
  case PN_F_TX_QUEUE: value_queue(r, v, 0); break;
  case PN_F_REFCOUNT:
    if (s->has & PN_SK_REFCOUNT) pn_value_u64(v, s->refcount);
    break;
  case PN_F_DROPS:
    if (s->has & PN_SK_DROPS) pn_value_u64(v, s->drops);
    break;
  case PN_F_LOCAL_ADDRESS: value_inet_addr(r, v, 1); break;
  case PN_F_REMOTE_ADDRESS: value_inet_addr(r, v, 0); break;
  case PN_F_LOCAL_PORT: value_port(r, v, 1); break;
  case PN_F_REMOTE_PORT: value_port(r, v, 0); break;
  case PN_F_TIMER:
  case PN_F_TIMER_EXPIRES:
  case PN_F_RETRANSMITS:
  case PN_F_TIMEOUT: value_timer(r, v, f); break;
  case PN_F_PATH:
  case PN_F_ADDRESS:
  case PN_F_FLAGS:
  case PN_F_PEER_INODE: value_unix(r, v, f); break;
  case PN_F_IFINDEX:
  case PN_F_RUNNING:
  case PN_F_DUMP:
  case PN_F_PORTID:
  case PN_F_GROUPS: value_link(r, v, f); break;
  case PN_F_NS_PID:
  case PN_F_NETNS:
  case PN_F_RECORD: break; /* the module's, and a pointer */
  default: value_diag(r, v, f); break;
  }
  return SQLITE_OK;
}

/* -1 for a terminated text: SQLite then knows it is, and need not copy it
 * again when a function reads it as a C string. */
static void result_text(sqlite3_context *ctx, pn_value *v) {
  void (*del)(void *) = v->life == PN_TEXT_STATIC ? SQLITE_STATIC
                        : v->life == PN_TEXT_OWNED ? sqlite3_free
                                                   : SQLITE_TRANSIENT;
  if (v->life == PN_TEXT_OWNED) v->type = SQLITE_NULL; /* SQLite's now */
  if (v->terminated)
    sqlite3_result_text(ctx, v->text, -1, del);
  else
    sqlite3_result_text64(ctx, v->text, v->n, del, SQLITE_UTF8);
}

static void result_value(sqlite3_context *ctx, pn_value *v) {
  switch (v->type) {
  case SQLITE_INTEGER: sqlite3_result_int64(ctx, v->i); break;
  case SQLITE_FLOAT: sqlite3_result_double(ctx, v->d); break;
  case SQLITE_TEXT: result_text(ctx, v); break;
  default: break;
  }
}

int pn_sock_field(const pn_sockrow *r, sqlite3_context *ctx, pn_field f) {
  if (f == PN_F_RECORD) {
    /* the cursor's row, good until the cursor moves (sockcol.h) */
    sqlite3_result_pointer(ctx, (void *)r, PN_SOCKROW_POINTER, NULL);
    return SQLITE_OK;
  }
  pn_value v;
  int rc = pn_sock_value(r, f, &v);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_nomem(ctx);
    return rc;
  }
  result_value(ctx, &v);
  pn_value_clear(&v);
  return SQLITE_OK;
}
