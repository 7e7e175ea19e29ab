/*
 * conntrack.c: a namespace's conntrack table through ctnetlink or its
 * text file; see conntrack.h.
 */
#include "conntrack.h"

#include "netlink.h"

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3

#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int push(pn_ctset *s, const pn_ct_entry *e) {
  pn_ct_entry *v = pn_array_room(s->v, s->n, &s->cap, sizeof *v, 64);
  if (!v) return -1;
  s->v = v;
  s->v[s->n++] = *e;
  return 0;
}

void pn_ctset_free(pn_ctset *s) {
  sqlite3_free(s->v);
  memset(s, 0, sizeof *s);
}

/* ---- ctnetlink ----------------------------------------------------------------- */

#define CT_NEW ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)

static int take_message(void *arg, const pn_nlmsg *m) {
  pn_ct_entry e;
  if (m->type != CT_NEW) return 0;
  if (pn_parse_ctnetlink(m->payload.p, m->payload.n, &e) != 0) return 0;
  return push(arg, &e) == 0 ? 0 : ENOMEM;
}

#define PN_CT_TRIES 3

pn_res pn_conntrack_dump(int fd, pn_ctset *s, int *err) {
  struct {
    struct nlmsghdr h;
    struct nfgenmsg g;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.g.nfgen_family = AF_UNSPEC;
  req.g.version = NFNETLINK_V0;
  pn_res r = PN_FAIL;
  *err = EAGAIN;
  for (int t = 0; t < PN_CT_TRIES && r != PN_OK && *err == EAGAIN; t++) {
    s->n = 0;
    r = pn_netlink_dump(fd, &req, sizeof req, take_message, s, err);
  }
  if (r != PN_OK) s->n = 0;
  return r;
}

/* ---- the text file ---------------------------------------------------------------- */

static int take_line(void *arg, const char *line, size_t len) {
  pn_ct_entry e;
  if (pn_parse_conntrack_line(line, len, &e) != 0) return 0;
  return push(arg, &e) == 0 ? 0 : SQLITE_NOMEM;
}

/* The file through one process; PN_GONE when the process is not there
 * (try another), *absent when it is but the file is not (no other will
 * have it: the kernel has no such file). */
static pn_res read_via(const pn_fs *fs, int64_t pid, pn_ctset *s, int *absent,
                       int *err) {
  int dir, fd, rc, e2;
  struct stat st;
  pn_res r = pn_open_pid(fs, pid, &dir, err);
  if (r != PN_OK) return r;
  r = pn_open_file(fs, dir, "net/nf_conntrack", &fd, err);
  *absent = r == PN_GONE && pn_stat_at(fs, dir, "net/dev", &st, &e2) == PN_OK;
  close(dir);
  if (r != PN_OK) return r;
  s->n = 0;
  r = pn_read_lines(fd, take_line, s, &rc, err);
  close(fd);
  if (r == PN_OK && rc != 0) {
    *err = ENOMEM;
    r = PN_FAIL;
  }
  return r;
}

pn_res pn_conntrack_text(const pn_fs *fs, const int64_t *pids, int npids,
                         pn_ctset *s, int *err) {
  pn_res r = PN_GONE;
  int absent = 0;
  *err = ENOENT;
  s->n = 0;
  /* a process that is gone, or a zombie (no net/), passes to the next */
  for (int i = 0; i < npids && r == PN_GONE && !absent; i++)
    r = read_via(fs, pids[i], s, &absent, err);
  if (r != PN_OK) s->n = 0;
  return r;
}

/* ---- either ----------------------------------------------------------------------- */

/* 1 when the count of ns's table, read through its first process still
 * there, is 0; -1 when out of memory. */
static int is_empty(const pn_fs *fs, const pn_netns *ns, int *err) {
  pn_buf text = {0};
  uint64_t entries = 1;
  pn_res r = PN_GONE;
  for (int i = 0; i < ns->npids && r == PN_GONE; i++) {
    int dir;
    if ((r = pn_open_pid(fs, ns->pids[i], &dir, err)) != PN_OK) continue;
    r = pn_read_file(fs, dir, "net/stat/nf_conntrack", &text, err);
    close(dir);
    if (r == PN_GONE) break; /* the kernel has no such file */
  }
  if (r == PN_OK && pn_parse_conntrack_count(text.p, text.n, &entries) != 0) entries = 1;
  pn_buf_free(&text);
  return pn_is_nomem(r, *err) ? -1 : entries == 0;
}

pn_res pn_conntrack_read(const pn_fs *fs, const pn_netns *ns, int link,
                         pn_ctset *s, int *err) {
  pn_res r = PN_GONE;
  s->n = 0;
  *err = 0;
  int empty = is_empty(fs, ns, err);
  if (empty) return empty < 0 ? PN_FAIL : PN_OK;
  if (link >= 0) {
    if (fs->cnt) fs->cnt->netlink_dumps++;
    r = pn_conntrack_dump(link, s, err);
  }
  if (r != PN_OK && !pn_is_nomem(r, *err))
    r = pn_conntrack_text(fs, ns->pids, ns->npids, s, err);
  if (r != PN_OK) s->n = 0;
  return r;
}
