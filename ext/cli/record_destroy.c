/*
 * record_destroy.c: the destroy notifications of `procnet record`; see
 * record.h and sock_destroy.h.
 *
 * One subscription per network namespace: the caller's own through a
 * netlink socket made here (no privilege needed), every other one through
 * a socket made inside it (nsenter.h: root). Namespaces found since the
 * last sample are subscribed at the next one, so a container's first
 * connections may be missed. A subscription pins its namespace, so it is
 * closed as soon as no process is seen in the namespace.
 *
 * Notifications are read whenever the recorder waits (the ticker watches
 * the sockets) and once more at the start of each sample, each stamped
 * with the time it was read: within the length of a sample of when the
 * socket closed.
 */
#include "record.h"
#include "ticker.h"

#include "parse.h"
#include "procfs.h"
#include "sock_destroy.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- subscribing --------------------------------------------------------------- */

/* The ns/net file of a namespace to enter (-1: the caller's own, entered
 * by nobody); *why when it cannot be had. */
static int ns_file(rec *r, const rec_net *n, const char **why) {
  int fd = -1, err = 0;
  if (n->netns == r->own_netns) return -1;
  pn_res res = pn_open_ns(r->fs, n->pid, "net", &fd, &err);
  if (res == PN_OK) return fd;
  *why = res == PN_DENIED ? "permission denied (entering a namespace needs root)"
                          : "its process is gone";
  return -2;
}

/* Whether this namespace is subscribed at all (--netns, procnet_netlink). */
static const char *not_asked(const rec *r, const rec_net *n) {
  if (r->destroy_mode == 0) return "procnet_netlink is off";
  if (r->destroy_mode == 1 && n->netns != r->own_netns) return "procnet_netlink is self";
  return NULL;
}

/* What pn_destroy_open is given and gives back, for the namespaces that
 * may be entered: the ns/net files, the sockets, the errors, and which of
 * the new namespaces each entry is. */
typedef struct opening {
  int *nsfds, *fds, *errs, *idx;
  int n;
} opening;

static int opening_alloc(opening *o, int n) {
  size_t k = (size_t)n + 1;
  o->n = 0;
  o->nsfds = calloc(k, sizeof *o->nsfds);
  o->fds = calloc(k, sizeof *o->fds);
  o->errs = calloc(k, sizeof *o->errs);
  o->idx = calloc(k, sizeof *o->idx);
  return o->nsfds && o->fds && o->errs && o->idx ? 0 : -1;
}

static void opening_free(opening *o) {
  for (int k = 0; k < o->n; k++)
    if (o->nsfds[k] >= 0) close(o->nsfds[k]);
  free(o->nsfds);
  free(o->fds);
  free(o->errs);
  free(o->idx);
}

static const char *refusal(int err) {
  return err == EPERM || err == EACCES ? "permission denied (entering a namespace needs root)"
                                       : "the kernel refused the subscription";
}

int rec_subscribe(rec *r, rec_net **news, int n, const char **why) {
  opening o;
  if (opening_alloc(&o, n) != 0) {
    opening_free(&o);
    return cli_error("out of memory");
  }
  for (int i = 0; i < n; i++) {
    news[i]->fd = -1;
    why[i] = not_asked(r, news[i]);
    int f = why[i] ? -2 : ns_file(r, news[i], &why[i]);
    if (f == -2) continue;
    o.nsfds[o.n] = f;
    o.idx[o.n++] = i;
  }
  if (o.n) pn_destroy_open(o.nsfds, o.n, o.fds, o.errs);
  for (int k = 0; k < o.n; k++) {
    news[o.idx[k]]->fd = o.fds[k];
    if (o.fds[k] < 0) why[o.idx[k]] = refusal(o.errs[k]);
  }
  opening_free(&o);
  return CLI_OK;
}

/* ---- the list the ticker watches ------------------------------------------------- */

typedef struct fd_list {
  rec *r;
  int n;
} fd_list;

static int gather_fd(void *arg, void *val) {
  fd_list *l = arg;
  rec_net *n = val;
  if (n->fd < 0) return 1;
  l->r->fds[l->n] = n->fd;
  l->r->fd_nets[l->n++] = n->netns;
  return 1;
}

int rec_list_fds(rec *r) {
  size_t cap = r->nets.n + 1;
  int *fds = realloc(r->fds, cap * sizeof *fds);
  if (fds) r->fds = fds;
  int64_t *nets = fds ? realloc(r->fd_nets, cap * sizeof *nets) : NULL;
  if (nets) r->fd_nets = nets;
  if (!fds || !nets) return cli_error("out of memory");
  fd_list l = {r, 0};
  cli_keymap_sweep(&r->nets, gather_fd, &l);
  r->nfds = l.n;
  return CLI_OK;
}

/* ---- notifications ------------------------------------------------------------------ */

typedef struct taking {
  rec *r;
  int64_t netns;
  double time;
} taking;

static const char *kind_of(const pn_inet_diag *d) {
  if (!d->has_protocol) return NULL;
  return d->protocol == IPPROTO_TCP ? "tcp" : d->protocol == IPPROTO_UDP ? "udp" : NULL;
}

static int push_event(rec_events *e, const rec_event *ev) {
  if (e->n == e->cap) {
    size_t cap = e->cap ? 2 * e->cap : 64;
    rec_event *v = realloc(e->v, cap * sizeof *v);
    if (!v) return ENOMEM;
    e->v = v;
    e->cap = cap;
  }
  e->v[e->n++] = *ev;
  return 0;
}

/* One notification. A socket never bound nor connected (both ports 0:
 * made and closed unused) says nothing and is left out. */
static int take_event(void *arg, const pn_inet_diag *d) {
  taking *t = arg;
  rec_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind_of(d);
  if (!ev.kind || (d->local_port == 0 && d->remote_port == 0)) return 0;
  ev.time = t->time;
  ev.netns = t->netns;
  ev.family = d->family;
  ev.state = d->state;
  pn_format_addr(d->family, d->local_addr, ev.local);
  pn_format_addr(d->family, d->remote_addr, ev.remote);
  ev.local_port = d->local_port;
  ev.remote_port = d->remote_port;
  ev.cookie = d->cookie;
  if (PN_TCPI_HAS(d, tcpi_bytes_received)) {
    ev.has_bytes = 1;
    ev.bytes_sent = PN_TCPI_HAS(d, tcpi_bytes_sent) ? d->tcp_info.tcpi_bytes_sent
                                                    : d->tcp_info.tcpi_bytes_acked;
    ev.bytes_received = d->tcp_info.tcpi_bytes_received;
  }
  return push_event(&t->r->events, &ev);
}

static int read_fd(rec *r, int fd, int64_t netns) {
  taking t = {r, netns, cli_now()};
  int err = 0;
  if (pn_destroy_read(fd, take_event, &t, &r->c.overflows, &err) == PN_OK) return CLI_OK;
  if (err == ENOMEM) return cli_error("out of memory");
  return cli_error("record: reading destroy notifications: %s", strerror(err));
}

int rec_read_events(rec *r, int i) { return read_fd(r, r->fds[i], r->fd_nets[i]); }

int rec_read_all_events(rec *r) {
  for (int i = 0; i < r->nfds; i++)
    if (rec_read_events(r, i) != CLI_OK) return CLI_ERR;
  return CLI_OK;
}

int rec_unsubscribe(rec *r, rec_net *n) {
  if (n->fd < 0) return CLI_OK;
  int rc = read_fd(r, n->fd, n->netns);
  close(n->fd);
  n->fd = -1;
  return rc;
}

void rec_events_free(rec *r) {
  free(r->events.v);
  memset(&r->events, 0, sizeof r->events);
  free(r->fds);
  free(r->fd_nets);
  r->fds = NULL;
  r->fd_nets = NULL;
  r->nfds = 0;
}
