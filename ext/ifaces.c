/*
 * ifaces.c: a namespace's interface names from an RTM_GETLINK dump; see
 * ifaces.h.
 */
#include "ifaces.h"

#include "netlink.h"
#include "sort.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static int take_link(void *arg, const pn_nlmsg *m) {
  pn_ifaces *l = arg;
  pn_ifinfo info;
  if (m->type != RTM_NEWLINK) return 0;
  if (pn_parse_ifinfo(m->payload.p, m->payload.n, &info) != 0 || !info.name.p ||
      info.index <= 0)
    return 0;
  pn_ifname *v = pn_array_room(l->v, l->n, &l->cap, sizeof *v, 16);
  if (!v) return ENOMEM;
  l->v = v;
  pn_ifname *e = &v[l->n++];
  size_t n = info.name.n < sizeof e->name - 1 ? info.name.n : sizeof e->name - 1;
  e->index = (uint32_t)info.index;
  memcpy(e->name, info.name.p, n);
  e->name[n] = '\0';
  return 0;
}

static int cmp_index(const void *a, const void *b) {
  const pn_ifname *x = a, *y = b;
  return (x->index > y->index) - (x->index < y->index);
}

pn_res pn_ifaces_load(int fd, pn_ifaces *l, int *err) {
  l->n = 0;
  pn_res r = pn_rtnl_dump(fd, RTM_GETLINK, sizeof(struct ifinfomsg), take_link, l, err);
  if (r != PN_OK) l->n = 0;
  pn_sort(l->v, l->n, sizeof *l->v, cmp_index);
  return r;
}

const char *pn_ifaces_name(const pn_ifaces *l, uint32_t index) {
  pn_ifname key;
  key.index = index;
  const pn_ifname *e =
      l->n ? bsearch(&key, l->v, l->n, sizeof *l->v, cmp_index) : NULL;
  return e ? e->name : NULL;
}

void pn_ifaces_free(pn_ifaces *l) {
  sqlite3_free(l->v);
  memset(l, 0, sizeof *l);
}
