/*
 * nswalk.c: the walk over namespaces of a per-namespace table; see
 * nswalk.h.
 */
#include "nswalk.h"

#include "nslink.h"
#include "sockstore.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <string.h>
#include <unistd.h>

void pn_nswalk_end(pn_nswalk *w) {
  for (int i = 0; w->links && i < w->ns.n; i++)
    if (w->links[i] >= 0) close(w->links[i]);
  sqlite3_free(w->links);
  pn_nslist_free(&w->ns);
  memset(w, 0, sizeof *w);
  w->at = -1;
}

int pn_nswalk_start(pn_nswalk *w, const pn_fs *fs, pn_buf *scratch, int mode,
                    int protocol, uint64_t only) {
  pn_nswalk_end(w);
  if (pn_nslist_build(&w->ns, fs, PN_NS_PROBE, scratch) != 0) return SQLITE_NOMEM;
  if (only) pn_nslist_keep(&w->ns, only);
  w->links = sqlite3_malloc64((size_t)(w->ns.n ? w->ns.n : 1) * sizeof *w->links);
  if (!w->links || pn_nslist_netlink(&w->ns, fs, mode, protocol, w->links) != 0) {
    sqlite3_free(w->links);
    w->links = NULL;
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

int pn_nswalk_next(pn_nswalk *w) {
  if (w->at < w->ns.n) w->at++;
  return w->at < w->ns.n;
}

const pn_netns *pn_nswalk_ns(const pn_nswalk *w) { return &w->ns.v[w->at]; }

int pn_nswalk_link(const pn_nswalk *w) { return w->links[w->at]; }
