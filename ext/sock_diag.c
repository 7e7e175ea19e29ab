/*
 * sock_diag.c: sock_diag dumps into socket records; see sock_diag.h.
 */
#include "sock_diag.h"

#include "netlink.h"
#include "sort.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The kernel's TCP_LISTEN, the state whose queues mean something else. */
#define STATE_LISTEN 10

/* ---- requests ------------------------------------------------------------- */

#define EXT(x) (1u << ((x) - 1))

static uint8_t inet_extensions(unsigned want) {
  unsigned ext = 0;
  if (want & PN_WANT_INFO)
    ext |= EXT(INET_DIAG_INFO) | EXT(INET_DIAG_VEGASINFO) | EXT(INET_DIAG_CONG) |
           EXT(INET_DIAG_TOS) | EXT(INET_DIAG_TCLASS);
  if (want & PN_WANT_MEM) ext |= EXT(INET_DIAG_SKMEMINFO);
  return (uint8_t)ext;
}

typedef union request {
  struct {
    struct nlmsghdr h;
    struct inet_diag_req_v2 r;
  } inet;
  struct {
    struct nlmsghdr h;
    struct inet_diag_req r;
  } tcp_both;
  struct {
    struct nlmsghdr h;
    struct unix_diag_req r;
  } unx;
  struct {
    struct nlmsghdr h;
    struct packet_diag_req r;
  } pkt;
} request;

static void fill_header(struct nlmsghdr *h, size_t len) {
  h->nlmsg_len = (uint32_t)len;
  h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h->nlmsg_seq = 1;
}

/* A packet socket's interface, flags and memory are in every dump (the
 * text's fields: Recv-Q is its rmem); its rings, fanout and filter only
 * when asked for. */
static size_t make_packet_request(unsigned want, request *q) {
  fill_header(&q->pkt.h, sizeof q->pkt);
  q->pkt.r.sdiag_family = AF_PACKET;
  q->pkt.r.pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO;
  if (want & PN_WANT_INFO)
    q->pkt.r.pdiag_show |= PACKET_SHOW_RING_CFG | PACKET_SHOW_FANOUT | PACKET_SHOW_FILTER;
  return sizeof q->pkt;
}

/* The dump request for one file of a kind; its length. */
static size_t make_request(const pn_sockkind *k, int file, unsigned want,
                           request *q) {
  memset(q, 0, sizeof *q);
  if (k->fmt == PN_FMT_PACKET) return make_packet_request(want, q);
  if (k->fmt == PN_FMT_UNIX) {
    fill_header(&q->unx.h, sizeof q->unx);
    q->unx.r.sdiag_family = AF_UNIX;
    q->unx.r.udiag_states = ~0u;
    q->unx.r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN |
                          UDIAG_SHOW_UID | UDIAG_SHOW_VFS | UDIAG_SHOW_ICONS |
                          ((want & PN_WANT_MEM) ? UDIAG_SHOW_MEMINFO : 0);
    return sizeof q->unx;
  }
  fill_header(&q->inet.h, sizeof q->inet);
  q->inet.r.sdiag_family = file ? AF_INET6 : AF_INET;
  /* raw: the handler is IPPROTO_RAW's, and pad (sdiag_raw_protocol)
   * IPPROTO_RAW asks for raw sockets of every protocol */
  q->inet.r.sdiag_protocol = (uint8_t)(k->ipproto < 0 ? IPPROTO_RAW : k->ipproto);
  if (k->ipproto < 0) q->inet.r.pad = IPPROTO_RAW;
  q->inet.r.idiag_ext = inet_extensions(want);
  q->inet.r.idiag_states = ~0u;
  return sizeof q->inet;
}

/* TCP over both families in one dump: the first request inet_diag had
 * (TCPDIAG_GETSOCK), which the kernel answers with a walk of its tables
 * for either family at once. Every dump walks the whole connection hash
 * of the machine (a quarter of a million buckets: milliseconds, even for
 * a namespace of five sockets), so one walk instead of two matters when
 * there are many namespaces. */
static size_t make_tcp_both_request(unsigned want, request *q) {
  memset(q, 0, sizeof *q);
  fill_header(&q->tcp_both.h, sizeof q->tcp_both);
  q->tcp_both.h.nlmsg_type = TCPDIAG_GETSOCK;
  q->tcp_both.r.idiag_family = AF_INET;
  q->tcp_both.r.idiag_ext = inet_extensions(want);
  q->tcp_both.r.idiag_states = ~0u;
  return sizeof q->tcp_both;
}

/* ---- answers into records ----------------------------------------------------- */

/* The fields only sock_diag has, as a record holds them. */
static void inet_diag_fields(const pn_inet_diag *d, pn_sock *s) {
  s->cookie = d->cookie;
  s->ifindex = d->ifindex;
  s->timer_retrans = (uint8_t)d->retrans;
  s->has |= PN_SK_DIAG;
  if (d->state == STATE_LISTEN) {
    s->backlog = d->wqueue;
    s->has |= PN_SK_BACKLOG;
  }
  if (d->has_shutdown) {
    s->shutdown = d->shutdown;
    s->has |= PN_SK_SHUTDOWN;
  }
  if (d->has_mark) {
    s->mark = d->mark;
    s->has |= PN_SK_MARK;
  }
  if (d->has_v6only) {
    s->v6only = d->v6only;
    s->has |= PN_SK_V6ONLY;
  }
  if (d->has_cgroup_id) {
    s->cgroup_id = d->cgroup_id;
    s->has |= PN_SK_CGROUP;
  }
}

static void inet_record(const pn_inet_diag *d, pn_sock *s) {
  memset(s, 0, sizeof *s);
  s->family = (uint8_t)d->family;
  memcpy(s->local_addr, d->local_addr, 16);
  memcpy(s->remote_addr, d->remote_addr, 16);
  s->local_port = d->local_port;
  s->remote_port = d->remote_port;
  s->state = (uint8_t)d->state;
  s->rx_queue = d->rqueue;
  /* a listener's wqueue is its backlog; the text files show 0 there */
  s->tx_queue = d->state == STATE_LISTEN ? 0 : d->wqueue;
  s->timer = (uint8_t)d->timer;
  s->expires_ms = d->timer ? d->expires_ms : 0;
  s->uid = d->uid;
  s->inode = d->inode;
  s->has = PN_SK_UID | PN_SK_QUEUES;
  inet_diag_fields(d, s);
}

static void inet_extras(const pn_inet_diag *d, pn_sockx *x) {
  x->tcp_info_len = d->tcp_info_len;
  x->tcp_info = d->tcp_info;
  x->has_rcv_wnd = d->has_rcv_wnd;
  x->rcv_wnd = d->rcv_wnd;
  x->has_rehash = d->has_rehash;
  x->rehash = d->rehash;
  if (d->cong.p) {
    size_t n = d->cong.n < sizeof x->cong - 1 ? d->cong.n : sizeof x->cong - 1;
    memcpy(x->cong, d->cong.p, n);
    x->cong[n] = '\0';
  }
  x->n_skmem = d->n_skmem;
  memcpy(x->skmem, d->skmem, sizeof x->skmem);
  x->has_bbr = d->has_bbr;
  x->bbr_bw = d->bbr_bw;
  x->bbr_min_rtt = d->bbr_min_rtt;
  x->bbr_pacing_gain = d->bbr_pacing_gain;
  x->bbr_cwnd_gain = d->bbr_cwnd_gain;
  x->has_tos = d->has_tos;
  x->tos = d->tos;
  x->has_tclass = d->has_tclass;
  x->tclass = d->tclass;
}

/* The kernel's sk_state of a unix socket as /proc/net/unix tells it: St
 * and the listening flag. */
static void unix_state(int sk_state, pn_sock *s) {
  switch (sk_state) {
  case STATE_LISTEN:
    s->state = PN_UNIX_UNCONNECTED;
    s->flags = PN_UNIX_LISTENING;
    break;
  case 1: s->state = PN_UNIX_CONNECTED; break;   /* TCP_ESTABLISHED */
  case 2: s->state = PN_UNIX_CONNECTING; break;  /* TCP_SYN_SENT */
  default: s->state = PN_UNIX_UNCONNECTED; break; /* TCP_CLOSE */
  }
}

static void unix_diag_fields(const pn_unix_diag *d, pn_sock *s) {
  s->cookie = d->cookie;
  s->has |= PN_SK_DIAG | PN_SK_PEER;
  s->peer = d->has_peer ? d->peer : 0;
  if (d->has_rqlen) {
    s->rx_queue = d->rqueue;
    if (d->state == STATE_LISTEN) {
      s->tx_queue = 0;
      s->backlog = d->wqueue;
      s->has |= PN_SK_BACKLOG;
    } else {
      s->tx_queue = d->wqueue;
    }
    s->has |= PN_SK_QUEUES;
  }
  if (d->has_uid) {
    s->uid = d->uid;
    s->has |= PN_SK_UID;
  }
  if (d->has_shutdown) {
    s->shutdown = d->shutdown;
    s->has |= PN_SK_SHUTDOWN;
  }
  if (d->has_vfs) {
    s->vfs_inode = d->vfs_inode;
    s->vfs_dev = d->vfs_dev;
    s->has |= PN_SK_VFS;
  }
}

/* A listener's waiting connections, as the text of their inodes. */
static int unix_pending(const pn_unix_diag *d, pn_sockset *set, pn_sock *s) {
  char text[12 * 64];
  size_t n = 0;
  if (!d->icons.p) return 0;
  for (size_t i = 0; i + 4 <= d->icons.n && n + 12 < sizeof text; i += 4) {
    uint32_t ino;
    memcpy(&ino, d->icons.p + i, sizeof ino);
    n += (size_t)snprintf(text + n, sizeof text - n, "%s%u", n ? " " : "", ino);
  }
  if (pn_sockset_string(set, text, n, &s->pend_off) != 0) return ENOMEM;
  s->pend_len = (uint32_t)n;
  s->has |= PN_SK_PENDING;
  return 0;
}

static int unix_record(const pn_unix_diag *d, pn_sockset *set, pn_sock *s) {
  memset(s, 0, sizeof *s);
  s->type = (uint8_t)d->type;
  s->inode = d->inode;
  unix_state(d->state, s);
  unix_diag_fields(d, s);
  if (unix_pending(d, set, s) != 0) return ENOMEM;
  if (d->name.p) {
    char path[128];
    size_t n = pn_unix_diag_path(d->name, path, sizeof path);
    if (n > sizeof path) n = sizeof path;
    if (pn_sockset_string(set, path, n, &s->path_off) != 0) return ENOMEM;
    s->path_len = (uint32_t)n;
    s->has |= PN_SK_PATH;
  }
  return 0;
}

static void unix_extras(const pn_unix_diag *d, pn_sockx *x) {
  x->n_skmem = d->n_skmem;
  memcpy(x->skmem, d->skmem, sizeof x->skmem);
}

/* The fields of a packet socket only sock_diag has: the cookie, the send
 * queue (wmem) and drops, from its memory. */
static void packet_diag_fields(const pn_packet_diag *d, pn_sock *s) {
  s->cookie = d->cookie;
  s->has |= PN_SK_DIAG;
  if (d->n_skmem > SK_MEMINFO_WMEM_ALLOC) s->tx_queue = d->skmem[SK_MEMINFO_WMEM_ALLOC];
  if (d->n_skmem > SK_MEMINFO_DROPS) {
    s->drops = d->skmem[SK_MEMINFO_DROPS];
    s->has |= PN_SK_DROPS;
  }
}

/* As /proc/net/packet tells it: its Rmem is the receive memory, its
 * running flag PDI_RUNNING. */
static void packet_record(const pn_packet_diag *d, pn_sock *s) {
  memset(s, 0, sizeof *s);
  s->type = (uint8_t)d->type;
  s->protocol = d->protocol;
  s->inode = d->inode;
  s->ifindex = d->ifindex;
  s->running = (d->flags & PDI_RUNNING) != 0;
  if (d->n_skmem > SK_MEMINFO_RMEM_ALLOC) {
    s->rx_queue = d->skmem[SK_MEMINFO_RMEM_ALLOC];
    s->has |= PN_SK_QUEUES;
  }
  if (d->has_uid) {
    s->uid = d->uid;
    s->has |= PN_SK_UID;
  }
  packet_diag_fields(d, s);
}

/* The details; the filter's instructions go to the set's strings. */
static int packet_extras(const pn_packet_diag *d, pn_sockset *set, pn_sockx *x) {
  pn_packetx *p = &x->pk;
  x->n_skmem = d->n_skmem;
  memcpy(x->skmem, d->skmem, sizeof x->skmem);
  p->has_info = d->has_info;
  p->version = d->version;
  p->reserve = d->reserve;
  p->copy_thresh = d->copy_thresh;
  p->tstamp = d->tstamp;
  p->flags = d->flags;
  p->has_rx_ring = d->has_rx_ring;
  p->rx_ring = d->rx_ring;
  p->has_tx_ring = d->has_tx_ring;
  p->tx_ring = d->tx_ring;
  p->has_fanout = d->has_fanout;
  p->fanout = d->fanout;
  if (!d->filter.p) return 0;
  if (pn_sockset_string(set, (const char *)d->filter.p, d->filter.n, &p->filter_off) != 0)
    return ENOMEM;
  p->filter_len = (uint32_t)d->filter.n;
  p->has_filter = 1;
  return 0;
}

/* ---- reading a dump ------------------------------------------------------------ */

/* Pairs (inode, record) of the text records, for a merge. */
typedef struct by_inode {
  uint64_t inode;
  size_t rec;
} by_inode;

typedef struct reader {
  const pn_sockkind *k;
  unsigned want;
  pn_sockset *set;
  pn_sockset *set6;         /* both families at once: the IPv6 records */
  by_inode *ix;             /* a merge: the records to add fields to */
  size_t nix;
  const pn_diag_hook *hook; /* or NULL */
} reader;

/* The record to add to: a new one (a read), or the text record of the
 * same inode (a merge: SIZE_MAX when there is none). */
static size_t merge_target(const reader *r, uint64_t inode) {
  if (!inode) return SIZE_MAX; /* TIME_WAIT, requests: not told apart */
  size_t i = pn_lower_bound_u64(r->ix, r->nix, sizeof *r->ix, inode);
  return i < r->nix && r->ix[i].inode == inode ? r->ix[i].rec : SIZE_MAX;
}

static int wants_extras(unsigned want) {
  return (want & (PN_WANT_INFO | PN_WANT_MEM)) != 0;
}

static int take_inet(reader *r, const pn_nlmsg *m) {
  pn_inet_diag d;
  if (pn_parse_inet_diag(m->payload.p, m->payload.n, &d) != 0) return 0;
  pn_sockset *set = r->set6 && d.family == 6 ? r->set6 : r->set;
  size_t i;
  if (r->ix) {
    if ((i = merge_target(r, d.inode)) == SIZE_MAX) return 0;
    inet_diag_fields(&d, &set->v[i]);
  } else {
    pn_sock s;
    inet_record(&d, &s);
    if (!pn_sockset_push(set, &s)) return ENOMEM;
    i = set->n - 1;
  }
  if (wants_extras(r->want)) {
    pn_sockx *x = pn_sockset_extras(set, i);
    if (!x) return ENOMEM;
    inet_extras(&d, x);
  }
  return 0;
}

static int take_unix(reader *r, const pn_nlmsg *m) {
  pn_unix_diag d;
  if (pn_parse_unix_diag(m->payload.p, m->payload.n, &d) != 0) return 0;
  size_t i;
  if (r->ix) {
    if ((i = merge_target(r, d.inode)) == SIZE_MAX) return 0;
    unix_diag_fields(&d, &r->set->v[i]);
  } else {
    pn_sock s;
    int rc = unix_record(&d, r->set, &s);
    if (rc != 0) return rc;
    if (!pn_sockset_push(r->set, &s)) return ENOMEM;
    i = r->set->n - 1;
  }
  if (r->want & PN_WANT_MEM) {
    pn_sockx *x = pn_sockset_extras(r->set, i);
    if (!x) return ENOMEM;
    unix_extras(&d, x);
  }
  return 0;
}

static int take_packet(reader *r, const pn_nlmsg *m) {
  pn_packet_diag d;
  if (pn_parse_packet_diag(m->payload.p, m->payload.n, &d) != 0) return 0;
  size_t i;
  if (r->ix) {
    if ((i = merge_target(r, d.inode)) == SIZE_MAX) return 0;
    packet_diag_fields(&d, &r->set->v[i]);
  } else {
    pn_sock s;
    packet_record(&d, &s);
    if (!pn_sockset_push(r->set, &s)) return ENOMEM;
    i = r->set->n - 1;
  }
  if (!wants_extras(r->want)) return 0;
  pn_sockx *x = pn_sockset_extras(r->set, i);
  return x ? packet_extras(&d, r->set, x) : ENOMEM;
}

static int take_one(reader *r, const pn_nlmsg *m) {
  switch (r->k->fmt) {
  case PN_FMT_UNIX: return take_unix(r, m);
  case PN_FMT_PACKET: return take_packet(r, m);
  default: return take_inet(r, m);
  }
}

/* The set a record of message m went to (the hook is told which). */
static pn_sockset *set_of(const reader *r, const pn_nlmsg *m) {
  if (!r->set6 || m->payload.n < 1) return r->set;
  return m->payload.p[0] == AF_INET6 ? r->set6 : r->set;
}

static int take_message(void *arg, const pn_nlmsg *m) {
  reader *r = arg;
  if (m->type != SOCK_DIAG_BY_FAMILY && m->type != TCPDIAG_GETSOCK) return 0;
  int rc = take_one(r, m);
  if (rc == 0 && r->hook) rc = r->hook->added(r->hook->arg, set_of(r, m));
  return rc;
}

static pn_res run_dump(int fd, reader *r, int file, int *err) {
  request q;
  size_t len = make_request(r->k, file, r->want, &q);
  return pn_netlink_dump(fd, &q, len, take_message, r, err);
}

pn_res pn_diag_read(int fd, const pn_sockkind *k, int file, unsigned want,
                    pn_sockset *set, int *err) {
  reader r = {k, want, set, NULL, NULL, 0, NULL};
  pn_sockset_clear(set);
  pn_res res = run_dump(fd, &r, file, err);
  if (res != PN_OK) pn_sockset_clear(set);
  return res;
}

static int cmp_by_inode(const void *a, const void *b) {
  const by_inode *x = a, *y = b;
  return (x->inode > y->inode) - (x->inode < y->inode);
}

pn_res pn_diag_merge(int fd, const pn_sockkind *k, int file, unsigned want,
                     pn_sockset *set, int *err) {
  by_inode *ix = sqlite3_malloc64((set->n ? set->n : 1) * sizeof *ix);
  if (!ix) {
    *err = ENOMEM;
    return PN_FAIL;
  }
  for (size_t i = 0; i < set->n; i++) ix[i] = (by_inode){set->v[i].inode, i};
  pn_sort(ix, set->n, sizeof *ix, cmp_by_inode);
  reader r = {k, want, set, NULL, ix, set->n, NULL};
  pn_res res = run_dump(fd, &r, file, err);
  sqlite3_free(ix);
  return res;
}

pn_res pn_diag_read_tcp(int fd, unsigned want, pn_sockset *set4,
                        pn_sockset *set6, int *err) {
  reader r = {&pn_kind_tcp, want, set4, set6, NULL, 0, NULL};
  request q;
  size_t len = make_tcp_both_request(want, &q);
  pn_sockset_clear(set4);
  pn_sockset_clear(set6);
  pn_res res = pn_netlink_dump(fd, &q, len, take_message, &r, err);
  if (res != PN_OK) {
    pn_sockset_clear(set4);
    pn_sockset_clear(set6);
  }
  return res;
}

pn_res pn_diag_stream(int fd, const pn_sockkind *k, int file, unsigned want,
                      pn_sockset *set, pn_sockset *set6, const pn_diag_hook *hook,
                      int *err) {
  reader r = {k, want, set, set6, NULL, 0, hook};
  request q;
  size_t len = set6 ? make_tcp_both_request(want, &q) : make_request(k, file, want, &q);
  return pn_netlink_dump(fd, &q, len, take_message, &r, err);
}

/* ---- one socket ------------------------------------------------------------------ */

/* A request for one object: answered by that object (or an error) and the
 * acknowledgement. */
static void make_exact(struct nlmsghdr *h) {
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
}

/* The outcome of a request for one socket: not found is an empty answer,
 * not an error. */
static pn_res exact_outcome(pn_res res, int *err) {
  if (res == PN_GONE) { /* ENOENT: no such socket here */
    *err = 0;
    return PN_OK;
  }
  return res;
}

pn_res pn_diag_read_unix_one(int fd, uint64_t inode, unsigned want,
                             pn_sockset *set, int *err) {
  reader r = {&pn_kind_unix, want, set, NULL, NULL, 0, NULL};
  request q;
  size_t len = make_request(&pn_kind_unix, 0, want, &q);
  make_exact(&q.unx.h);
  q.unx.r.udiag_ino = (uint32_t)inode;
  q.unx.r.udiag_cookie[0] = q.unx.r.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
  pn_sockset_clear(set);
  if (inode > UINT32_MAX) return PN_OK; /* unix inodes are 32-bit */
  pn_res res = exact_outcome(pn_netlink_dump(fd, &q, len, take_message, &r, err), err);
  if (res != PN_OK) pn_sockset_clear(set);
  return res;
}

pn_res pn_diag_add_extras(int fd, const pn_sockkind *k, size_t i, unsigned want,
                          pn_sockset *set, int *err) {
  const pn_sock *s = &set->v[i];
  request q;
  size_t len = make_request(k, s->family == 6, want, &q);
  make_exact(&q.inet.h);
  struct inet_diag_sockid *id = &q.inet.r.id;
  /* TCP's lookup takes src as the socket's own end; UDP's (udp_dump_one)
   * passes src as the source of an arriving packet: the remote end */
  int swap = k->ipproto == IPPROTO_UDP || k->ipproto == IPPROTO_UDPLITE;
  id->idiag_sport = htons(swap ? s->remote_port : s->local_port);
  id->idiag_dport = htons(swap ? s->local_port : s->remote_port);
  memcpy(id->idiag_src, swap ? s->remote_addr : s->local_addr, sizeof id->idiag_src);
  memcpy(id->idiag_dst, swap ? s->local_addr : s->remote_addr, sizeof id->idiag_dst);
  id->idiag_if = s->ifindex;
  id->idiag_cookie[0] = (uint32_t)s->cookie;
  id->idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
  /* the answer is merged into record i alone */
  by_inode one = {s->inode, i};
  reader r = {k, want, set, NULL, &one, 1, NULL};
  return exact_outcome(pn_netlink_dump(fd, &q, len, take_message, &r, err), err);
}
