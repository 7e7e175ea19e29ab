/*
 * conn_gather.c: sockets, addresses and conntrack entries of every
 * namespace, for the pairing; see conn_gather.h.
 */
#include "conn_gather.h"

#include "conntrack.h"
#include "netaddrs.h"
#include "nslink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <linux/netlink.h>
#include <string.h>
#include <unistd.h>

/* ---- sockets ------------------------------------------------------------------------ */

/* The kernel's TCP states (as /proc/net/tcp's st). */
enum { ST_TIME_WAIT = 6, ST_CLOSE = 7, ST_LISTEN = 10 };

/* What part a socket record can play: a connected end, a server waiting
 * (a TCP listener, a UDP socket bound to a port and not connected), or
 * neither (TIME-WAIT and request sockets have no inode). */
static uint8_t role_of(const pn_sockkind *k, const pn_sock *s) {
  if (s->inode == 0) return PN_EP_OTHER;
  if (k == &pn_kind_tcp) {
    if (s->state == ST_LISTEN) return PN_EP_LISTENER;
    if (s->state == ST_TIME_WAIT || s->state == ST_CLOSE || s->remote_port == 0)
      return PN_EP_OTHER;
    return PN_EP_CONNECTED;
  }
  if (s->remote_port) return PN_EP_CONNECTED;
  return s->local_port ? PN_EP_LISTENER : PN_EP_OTHER;
}

static int add_socket(pn_conn_input *in, const pn_snap *snap, const pn_sock *s) {
  uint8_t role = role_of(snap->k.kind, s);
  if (role == PN_EP_OTHER) return SQLITE_OK;
  size_t cap = in->epcap;
  pn_endpoint *ev = pn_array_room(in->ep, in->nep, &cap, sizeof *ev, 256);
  if (!ev) return SQLITE_NOMEM;
  in->ep = ev;
  pn_ep_show *sv = pn_array_room(in->show, in->nep, &in->epcap, sizeof *sv, 256);
  if (!sv) return SQLITE_NOMEM;
  in->show = sv;
  pn_endpoint *e = &ev[in->nep];
  pn_ep_show *w = &sv[in->nep++];
  e->netns = snap->k.known ? snap->k.key : 0;
  e->inode = s->inode;
  e->kind = snap->k.kind == &pn_kind_tcp ? PN_EP_TCP : PN_EP_UDP;
  e->role = role;
  e->lport = s->local_port;
  e->rport = s->remote_port;
  pn_addr_as_v6(s->family, s->local_addr, e->local);
  pn_addr_as_v6(s->family, s->remote_addr, e->remote);
  w->state = pn_sock_state_name(snap->k.kind, s);
  w->family = s->family;
  memcpy(w->local, s->local_addr, 16);
  memcpy(w->remote, s->remote_addr, 16);
  w->known = snap->k.known;
  return SQLITE_OK;
}

/* Jobs for tcp, tcp6, udp and udp6 of every namespace: the fields both
 * sources have, so that each namespace is read the faster way. */
static int plan_sockets(pn_sockstore *st, const pn_nslist *l, pn_snapjob *jobs, int *n) {
  static const pn_sockkind *const kinds[] = {&pn_kind_tcp, &pn_kind_udp};
  *n = 0;
  for (int i = 0; i < l->n; i++)
    for (int k = 0; k < 2; k++)
      for (int f = 0; f < 2; f++) {
        const pn_netns *ns = &l->v[i];
        pn_snapkey key = {kinds[k], f, ns->key, ns->known, 0};
        int snap = pn_snap_of(st, &key, NULL);
        if (snap < 0) return SQLITE_NOMEM;
        jobs[(*n)++] = (pn_snapjob){snap, ns->pids, ns->npids, ns->fd};
      }
  return SQLITE_OK;
}

static int gather_sockets(pn_conn_input *in, pn_sockstore *st, const pn_fs *fs,
                          const pn_nslist *l, int threads) {
  int n, rc;
  pn_snapjob *jobs = sqlite3_malloc64((size_t)(l->n ? l->n : 1) * 4 * sizeof *jobs);
  if (!jobs) return SQLITE_NOMEM;
  rc = plan_sockets(st, l, jobs, &n);
  if (rc == SQLITE_OK) rc = pn_snaps_read(st, fs, threads, jobs, n);
  for (int j = 0; j < n && rc == SQLITE_OK; j++) {
    const pn_snap *snap = pn_snap_at(st, jobs[j].snap);
    for (size_t r = 0; r < snap->set.n && rc == SQLITE_OK; r++)
      rc = add_socket(in, snap, &snap->set.v[r]);
  }
  sqlite3_free(jobs);
  return rc;
}

/* ---- what netlink tells of each namespace ---------------------------------------------- */

static int add_owned(pn_conn_input *in, uint64_t netns, const pn_netaddrs *a) {
  for (size_t i = 0; i < a->n; i++) {
    pn_owned *v = pn_array_room(in->owned, in->nowned, &in->ocap, sizeof *v, 16);
    if (!v) return SQLITE_NOMEM;
    in->owned = v;
    v[in->nowned].netns = netns;
    pn_addr_as_v6(a->v[i].family, a->v[i].addr, v[in->nowned++].addr);
  }
  return SQLITE_OK;
}

static void nat_tuple(const pn_ct_entry *e, const pn_ct_tuple *t, uint8_t *src,
                      uint16_t *sport, uint8_t *dst, uint16_t *dport) {
  pn_addr_as_v6(e->family, t->src, src);
  pn_addr_as_v6(e->family, t->dst, dst);
  *sport = t->sport;
  *dport = t->dport;
}

/* The entries of a namespace that translate a TCP or UDP flow. */
static int add_nat(pn_conn_input *in, uint64_t netns, const pn_ctset *s) {
  for (size_t i = 0; i < s->n; i++) {
    const pn_ct_entry *e = &s->v[i];
    int dnat = pn_ct_is_dnat(e);
    if ((e->proto != 6 && e->proto != 17) || (!dnat && !pn_ct_is_snat(e))) continue;
    pn_nat *v = pn_array_room(in->nat, in->nnat, &in->ncap, sizeof *v, 16);
    if (!v) return SQLITE_NOMEM;
    in->nat = v;
    pn_nat *n = &v[in->nnat++];
    n->netns = netns;
    n->kind = e->proto == 6 ? PN_EP_TCP : PN_EP_UDP;
    n->dnat = (uint8_t)dnat;
    nat_tuple(e, &e->orig, n->osrc, &n->osport, n->odst, &n->odport);
    nat_tuple(e, &e->reply, n->rsrc, &n->rsport, n->rdst, &n->rdport);
  }
  return SQLITE_OK;
}

static int gather_owned(pn_conn_input *in, const pn_fs *fs, const pn_nslist *l,
                        const int *links) {
  pn_netaddrs a = {0};
  int rc = SQLITE_OK, err;
  for (int i = 0; i < l->n && rc == SQLITE_OK; i++) {
    if (links[i] < 0 || !l->v[i].known) continue;
    if (fs->cnt) fs->cnt->netlink_dumps++;
    pn_res r = pn_netaddrs_load(links[i], &a, &err);
    if (pn_is_nomem(r, err)) rc = SQLITE_NOMEM;
    else if (r == PN_OK) rc = add_owned(in, l->v[i].key, &a);
  }
  pn_netaddrs_free(&a);
  return rc;
}

static int gather_nat(pn_conn_input *in, const pn_fs *fs, const pn_nslist *l,
                      const int *links) {
  pn_ctset s = {0};
  int rc = SQLITE_OK, err;
  for (int i = 0; i < l->n && rc == SQLITE_OK; i++) {
    pn_res r = pn_conntrack_read(fs, &l->v[i], links[i], &s, &err);
    if (pn_is_nomem(r, err)) rc = SQLITE_NOMEM;
    else if (r == PN_OK) rc = add_nat(in, l->v[i].known ? l->v[i].key : 0, &s);
  }
  pn_ctset_free(&s);
  return rc;
}

/* Addresses, then conntrack, each through its own netlink sockets. */
static int gather_netlink(pn_conn_input *in, const pn_fs *fs, const pn_nslist *l, int mode) {
  int *links = sqlite3_malloc64((size_t)(l->n ? l->n : 1) * sizeof *links);
  if (!links) return SQLITE_NOMEM;
  int rc = pn_nslist_netlink(l, fs, mode, NETLINK_ROUTE, links) ? SQLITE_NOMEM : SQLITE_OK;
  if (rc == SQLITE_OK) rc = gather_owned(in, fs, l, links);
  for (int i = 0; i < l->n; i++)
    if (links[i] >= 0) close(links[i]);
  if (rc == SQLITE_OK)
    rc = pn_nslist_netlink(l, fs, mode, NETLINK_NETFILTER, links) ? SQLITE_NOMEM : SQLITE_OK;
  if (rc == SQLITE_OK) rc = gather_nat(in, fs, l, links);
  for (int i = 0; i < l->n; i++)
    if (links[i] >= 0) close(links[i]);
  sqlite3_free(links);
  return rc;
}

int pn_conn_gather(pn_conn_input *in, pn_sockstore *st, const pn_fs *fs,
                   pn_buf *scratch, int threads, int mode) {
  in->nep = in->nowned = in->nnat = 0;
  const pn_nslist *l = pn_sockstore_namespaces(st, fs, scratch);
  if (!l) return SQLITE_NOMEM;
  int rc = gather_sockets(in, st, fs, l, threads);
  return rc == SQLITE_OK ? gather_netlink(in, fs, l, mode) : rc;
}

void pn_conn_input_free(pn_conn_input *in) {
  sqlite3_free(in->ep);
  sqlite3_free(in->show);
  sqlite3_free(in->owned);
  sqlite3_free(in->nat);
  memset(in, 0, sizeof *in);
}
