/*
 * fds_rows.c: the rows of the `fds` table, as its plans make them (see
 * table_fds.c): a walk lists each process's descriptors (and its
 * threads'), an index plan visits entries of the connection's inode index
 * (fd_share.h). Each row's link is read here; its other parts are read by
 * the columns that need them (fdrow.h).
 */
#include "fds_rows.h"
#include "parse.h"
SQLITE_EXTENSION_INIT3

#include <stdio.h>
#include <string.h>

/* The directory rows read their parts from: the current process's (opened
 * when a row needs it: index rows open it only for what their link does
 * not give), or the thread's being listed. 0: gone. */
int fds_ensure_dir(fds_cursor *c) {
  if (c->tw.task && !c->replaying) {
    c->env.dir = pn_taskwalk_dir(&c->tw, &c->pc.fs, c->pc.piddir) ? c->tw.dir : -1;
    return c->env.dir >= 0;
  }
  int ok = pn_cursor_open_piddir(&c->pc);
  c->env.dir = c->pc.piddir;
  return ok;
}

/* ---- listing one process's descriptors ------------------------------------ */

/* Reads the links of a listing of thousands of descriptors ahead, a window
 * at a time from `from` on, shared out to the connection's threads (a busy
 * server's sockets). */
static int read_ahead(fds_cursor *c, size_t from) {
  int threads = ((pn_vtab *)c->pc.base.pVtab)->ctx->threads;
  c->have_ahead = 0;
  if (!(c->idx & IDX_LINK) || threads < 2 || c->fds.n < 2 * PN_FDLINKS_SLICE ||
      from >= c->fds.n)
    return SQLITE_OK;
  size_t n = c->fds.n - from;
  if (n > PN_FDLINKS_WINDOW) n = PN_FDLINKS_WINDOW;
  int rc = pn_fdlinks_read(&c->ahead, &c->pc.fs, c->ahead_dir, c->fds.v + from, n, threads);
  c->have_ahead = rc == SQLITE_OK;
  c->ahead_from = from;
  return rc;
}

/* The listing of a lookup by descriptor (`fd = ?`): that descriptor
 * alone, without listing the directory; its link tells whether it exists
 * (next_listed_row). */
static int list_wanted_fd(fds_cursor *c, int dir) {
  c->list_res = PN_OK;
  c->ahead_dir = dir;
  return pn_fdnums_one(&c->fds, c->want_fd) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

/* Forgets the listing the cursor holds, before it takes another. */
static void forget_listing(fds_cursor *c) {
  c->fdat = 0;
  c->fds.n = 0;
  c->listed_pid = -1;
  c->have_ahead = 0;
  c->links_denied = NULL;
}

/* Lists the descriptors of dir (the process pid's directory, or a thread's)
 * into c->fds unless it already holds pid's. Sets c->list_res: PN_GONE
 * skips it, PN_DENIED gives the error row. */
static int list_dir(fds_cursor *c, int dir, sqlite3_int64 memo_pid) {
  int err;
  c->fdat = 0;
  if (memo_pid >= 0 && c->listed_pid == memo_pid) return SQLITE_OK; /* memo */
  forget_listing(c);
  if (c->idx & IDX_FD) return list_wanted_fd(c, dir);
  pn_res r = pn_list_fds(&c->pc.fs, dir, &c->fds, &err);
  c->list_res = r;
  c->list_err = err;
  if (r != PN_OK) return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  c->listed_pid = memo_pid;
  c->ahead_dir = dir;
  return read_ahead(c, 0);
}

int fds_start_read_ahead(fds_cursor *c) {
  const pn_i64list *l = c->pc.src.list;
  /* a thread pays for itself over a walk of a few processes at least (an
   * inner loop with a short pid list does without) */
  if (!(c->idx & IDX_LINK) || (c->idx & (IDX_INODE | IDX_FD)) || !l ||
      l->n < PN_FDAHEAD_DEPTH ||
      ((pn_vtab *)c->pc.base.pVtab)->ctx->threads < 2)
    return SQLITE_OK;
  int rc = pn_fdahead_start(&c->pre, &c->pc.fs, l->v, (size_t)l->n);
  return rc == SQLITE_NOMEM ? rc : SQLITE_OK; /* no thread: read here */
}

void fds_stop_read_ahead(fds_cursor *c) {
  pn_fdahead_stop(c->pre, c->pc.fs.cnt);
  c->pre = NULL;
}

/* The listing of the walk's current process from the helper (the item of
 * the pid the walk just took, pids being taken in the helper's order): its
 * buffers become the cursor's, and the cursor's go back to the helper. A
 * listing the helper left unread (a big one) is read here, a window at a
 * time by the connection's threads. */
static int take_listing_ahead(fds_cursor *c, sqlite3_int64 pid) {
  pn_fdahead_item *it = pn_fdahead_get(c->pre, (size_t)c->pc.src.at - 1);
  forget_listing(c);
  if (it->nomem) return SQLITE_NOMEM;
  c->list_res = it->res;
  c->list_err = it->err;
  if (it->res != PN_OK) return SQLITE_OK;
  pn_fdnums fds = c->fds;
  c->fds = it->fds;
  it->fds = fds;
  c->listed_pid = pid;
  c->ahead_dir = c->pc.piddir;
  if (!it->have_links) return read_ahead(c, 0);
  pn_fdlinks links = c->ahead;
  c->ahead = it->links;
  it->links = links;
  c->ahead_from = 0;
  c->have_ahead = 1;
  return SQLITE_OK;
}

/* Opens PID's directory and lists its descriptors; with task rows, lists
 * its threads too (the process's rows are saved for those that share). */
static int list_process(fds_cursor *c, sqlite3_int64 pid) {
  int err;
  pn_taskwalk_reset(&c->tw);
  c->replaying = c->saving = 0;
  pn_res r = pn_cursor_enter_pid(&c->pc, pid, &err);
  c->env.dir = c->pc.piddir;
  c->env.pid = pid;
  c->fdat = c->fds.n;
  if (r != PN_OK) {
    c->list_res = r == PN_DENIED ? PN_DENIED : PN_GONE;
    c->list_err = err;
    c->listed_pid = -1;
    return pn_is_nomem(r, err) ? SQLITE_NOMEM : SQLITE_OK;
  }
  int rc = c->pre ? take_listing_ahead(c, pid) : list_dir(c, c->pc.piddir, pid);
  if (rc == SQLITE_OK && c->tw.on)
    rc = pn_taskwalk_start(&c->tw, &c->pc.fs, c->pc.piddir, pid, &c->env.scratch);
  pn_fdrows_clear(&c->saved);
  c->saving = pn_taskwalk_has_threads(&c->tw);
  return rc;
}

/* Moves to the next thread of the process: its rows are the saved ones if
 * it shares the process's descriptor table, else its own listing. 0 when
 * there is none left. */
static int next_thread(fds_cursor *c, int *rc) {
  *rc = SQLITE_OK;
  c->saving = 0;
  if (!pn_taskwalk_next(&c->tw)) return 0;
  c->replaying = pn_taskwalk_shares(&c->tw, &c->pc.fs, c->pc.pid, PN_SHARE_FILES);
  c->replay_at = 0;
  c->env.dir = c->pc.piddir;
  if (c->replaying) return 1;
  if (!pn_taskwalk_dir(&c->tw, &c->pc.fs, c->pc.piddir)) {
    c->list_res = PN_GONE;
    c->fdat = c->fds.n = 0;
    return 1;
  }
  c->env.dir = c->tw.dir;
  *rc = list_dir(c, c->tw.dir, -1);
  return 1;
}

/* ---- the current row -------------------------------------------------------- */

static void row_reset(fds_cursor *c, int fd) { pn_fdrow_reset(&c->row, fd); }

/* Saves the row just left, when the process's rows are being saved. */
static int save_left_row(fds_cursor *c) {
  if (!c->row_pending_save) return SQLITE_OK;
  c->row_pending_save = 0;
  return pn_fdrows_save(&c->saved, &c->row);
}

/* Reads the link of the current row (the walk's row `at` of the listing,
 * or -1), from the links read ahead when there are. */
static int read_row_link(fds_cursor *c, size_t at, int *exists) {
  if (c->have_ahead && at != (size_t)-1 && at >= c->ahead_from + c->ahead.n) {
    int rc = read_ahead(c, at); /* the next window */
    if (rc != SQLITE_OK) return rc;
  }
  if (c->have_ahead && at != (size_t)-1 && at >= c->ahead_from &&
      at - c->ahead_from < c->ahead.n) {
    size_t i = at - c->ahead_from;
    const pn_fdlink_read *a = &c->ahead.v[i];
    return pn_fdrow_take_link(&c->row, a->res, a->err, pn_fdlinks_text(&c->ahead, i),
                              a->n, exists);
  }
  /* Whether a process's links may be read is decided for the process
   * (ptrace's read access to its task), never link by link: once one is
   * denied, the others of the listing are denied without asking. A thread
   * whose descriptor table cannot be compared with its process's (kcmp is
   * denied too) is listed whole: without this, a link refused per
   * descriptor per thread (18 threads of 282 descriptors: 5,000 calls). */
  if (c->links_denied) return pn_fdrow_deny(&c->row, c->links_denied, exists);
  int rc = pn_fdrow_read_link(&c->row, &c->env, exists);
  c->links_denied = c->row.error;
  return rc;
}

/* ---- walking: pid plan and full scan ------------------------------------ */

/* 1 when the current row has the wanted inode (pid and inode plan). */
static int row_has_inode(fds_cursor *c) {
  const pn_fdrow *r = &c->row;
  if (!r->have_link) return 0; /* no link, no inode to match */
  if (r->parsed.has_inode) return r->parsed.inode == c->want_inode;
  if (r->parsed.kind != PN_FD_PATH && r->parsed.kind != PN_FD_ANON) return 0;
  pn_fdrow_load_stat(&c->row, &c->env);
  return r->have_stat && (uint64_t)r->st.st_ino == c->want_inode;
}

/* The next row of the listing being walked (the process's or a thread's):
 * 1 with it, 0 at the listing's end. */
static int next_listed_row(fds_cursor *c, int *rc) {
  *rc = SQLITE_OK;
  if (c->replaying) {
    if (c->replay_at >= c->saved.n) return 0;
    *rc = pn_fdrows_restore(&c->saved, c->replay_at++, &c->row);
    return 1;
  }
  while (c->fdat < c->fds.n) {
    row_reset(c, c->fds.v[c->fdat++]);
    int exists;
    if (!(c->idx & IDX_LINK)) {
      if (!(c->idx & IDX_FD)) return 1; /* listed: there */
      if ((*rc = pn_fdrow_probe(&c->row, &c->env, &exists)) != SQLITE_OK || exists) return 1;
      continue;
    }
    if ((*rc = read_row_link(c, c->fdat - 1, &exists)) != SQLITE_OK) return 1;
    if (!exists) continue;
    if ((c->idx & IDX_FD) && c->row.error && !pn_fdrow_listed(&c->row, &c->env)) continue;
    if (!(c->idx & IDX_INODE) || row_has_inode(c)) return 1;
  }
  return 0;
}

/* The error row of a listing that may not be read (lsof's NOFD), once. */
static int denied_row(fds_cursor *c) {
  if (c->list_res != PN_DENIED || (c->idx & IDX_INODE)) return 0;
  c->list_res = PN_GONE; /* given */
  row_reset(c, -1);
  c->row.error = pn_res_text(PN_DENIED, c->list_err);
  return 1;
}

/* Moves to the next row of the walk over processes (and their threads). */
int fds_next_walk_row(fds_cursor *c) {
  int rc = save_left_row(c);
  if (rc != SQLITE_OK) return rc;
  for (;;) {
    if (c->pc.pid >= 0 && (next_listed_row(c, &rc) || denied_row(c))) {
      c->row_pending_save = c->saving;
      return rc;
    }
    if (rc != SQLITE_OK) return rc;
    if (c->pc.pid >= 0 && next_thread(c, &rc)) continue;
    if (rc != SQLITE_OK) return rc;
    sqlite3_int64 pid;
    if (!pn_pidsrc_next(&c->pc.src, &pid)) {
      c->pc.eof = 1;
      return SQLITE_OK;
    }
    if ((rc = list_process(c, pid)) != SQLITE_OK) return rc;
  }
}

/* ---- the inode index -------------------------------------------------------- */

static const char *const REF_PREFIX[] = {
    [PN_FD_SOCKET] = "socket", [PN_FD_PIPE] = "pipe", [PN_FD_NET] = "net",
    [PN_FD_PIDFD] = "pidfd"};

/* The link of an indexed socket, pipe or namespace descriptor is
 * "kind:[inode]": the row is made from the index without reading it again
 * (the index is this statement's snapshot, as ss's and lsof's are theirs),
 * and the text only if `target` is asked for. 0 for other kinds. */
static int link_from_ref(fds_cursor *c, const pn_fd_ref *ref) {
  if (ref->kind < 0 || ref->kind > PN_FD_PIDFD || !REF_PREFIX[ref->kind]) return 0;
  pn_fdrow *r = &c->row;
  memset(&r->parsed, 0, sizeof r->parsed);
  r->parsed.kind = (pn_fd_kind)ref->kind;
  r->parsed.has_inode = 1;
  r->parsed.inode = ref->inode;
  r->have_link = r->link_pending = 1;
  return 1;
}

/* Makes the text of a link taken from the index. */
int fds_make_pending_link(fds_cursor *c) {
  char text[48];
  pn_fdrow *r = &c->row;
  int n = snprintf(text, sizeof text, "%s:[%llu]", REF_PREFIX[r->parsed.kind],
                   (unsigned long long)r->parsed.inode);
  if (n < 0 || pn_buf_set(&r->link, text, (size_t)n) != 0) return SQLITE_NOMEM;
  r->link_pending = 0;
  return SQLITE_OK;
}

/* The next entry of the two spans, merged in the index's own order (pid,
 * then fd, descending), or NULL after the last. */
static const pn_fd_ref *next_ref(fds_cursor *c) {
  int from = -1;
  for (int i = 0; i < 2; i++) {
    if (c->ref_at[i] >= c->spans[i].n) continue;
    const pn_fd_ref *r = &c->spans[i].v[c->ref_at[i]];
    if (from < 0) {
      from = i;
      continue;
    }
    const pn_fd_ref *best = &c->spans[from].v[c->ref_at[from]];
    if (r->pid > best->pid || (r->pid == best->pid && r->fd > best->fd)) from = i;
  }
  return from < 0 ? NULL : &c->spans[from].v[c->ref_at[from]++];
}

/* Moves to the next descriptor of the index that this call wants: those
 * with the wanted inode, or every socket (socket scan). Links not made from
 * the index are read again, and a descriptor closed or reused since the
 * index was built is skipped. */
int fds_next_index_row(fds_cursor *c) {
  const pn_fd_ref *next;
  while ((next = next_ref(c)) != NULL) {
    pn_fd_ref ref = *next;
    int rc, exists;
    if (c->socket_scan && ref.kind != PN_FD_SOCKET) continue;
    if (c->pid_filter && !pn_i64list_has(c->pid_filter, ref.pid)) continue;
    if (ref.pid != c->pc.pid) {
      pn_cursor_close_piddir(&c->pc);
      c->pc.pid = ref.pid;
      c->env.pid = ref.pid;
      c->env.dir = -1;
    }
    row_reset(c, ref.fd);
    if (link_from_ref(c, &ref)) return SQLITE_OK;
    if (!fds_ensure_dir(c)) continue;
    if ((rc = read_row_link(c, (size_t)-1, &exists)) != SQLITE_OK) return rc;
    if (!exists || !c->row.have_link) continue;
    if (row_has_inode(c)) return SQLITE_OK;
  }
  c->pc.eof = 1;
  return SQLITE_OK;
}

int fds_start_socket_scan(fds_cursor *c) {
  int rc;
  if ((rc = pn_fd_share_build(c->sh, &c->pc)) != SQLITE_OK) return rc;
  pn_fd_span all = {c->sh->index.v, c->sh->index.n}, none = {NULL, 0};
  c->spans[0] = all;
  c->spans[1] = none;
  c->ref_at[0] = c->ref_at[1] = 0;
  return fds_next_index_row(c);
}

int fds_start_index_lookup(fds_cursor *c) {
  int rc;
  pn_fd_span none = {NULL, 0};
  c->spans[0] = c->spans[1] = none;
  c->ref_at[0] = c->ref_at[1] = 0;
  if ((rc = pn_fd_share_build(c->sh, &c->pc)) != SQLITE_OK) return rc;
  if (!(c->idx & IDX_SOCKETS_ONLY) && !c->sh->index.stat_tier_done &&
      (rc = pn_fd_index_add_stat_tier(&c->sh->index, &c->pc.fs)) != SQLITE_OK)
    return rc;
  pn_fd_index_find(&c->sh->index, c->want_inode, c->spans);
  return fds_next_index_row(c);
}
