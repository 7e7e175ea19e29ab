/*
 * netaddrs.c: a namespace's addresses from an RTM_GETADDR dump; see
 * netaddrs.h.
 */
#include "netaddrs.h"

#include "netlink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static int take_addr(void *arg, const pn_nlmsg *m) {
  pn_netaddrs *l = arg;
  pn_ifaddr a;
  if (m->type != RTM_NEWADDR) return 0;
  if (pn_parse_ifaddr(m->payload.p, m->payload.n, &a) != 0 || !a.has_addr) return 0;
  pn_netaddr *v = pn_array_room(l->v, l->n, &l->cap, sizeof *v, 8);
  if (!v) return ENOMEM;
  l->v = v;
  pn_netaddr *e = &v[l->n++];
  e->index = (uint32_t)a.index;
  e->family = a.family;
  e->prefixlen = a.prefixlen;
  e->scope = a.scope;
  memcpy(e->addr, a.addr, sizeof e->addr);
  return 0;
}

pn_res pn_netaddrs_load(int fd, pn_netaddrs *l, int *err) {
  l->n = 0;
  pn_res r = pn_rtnl_dump(fd, RTM_GETADDR, sizeof(struct ifaddrmsg), take_addr, l, err);
  if (r != PN_OK) l->n = 0;
  return r;
}

void pn_netaddrs_free(pn_netaddrs *l) {
  sqlite3_free(l->v);
  memset(l, 0, sizeof *l);
}
