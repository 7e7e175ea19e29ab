/*
 * record_socks.c: socket lifetimes for `procnet record`; see record.h.
 *
 * A socket is known by its namespace, kind and cookie (the kernel's 64-bit
 * id of a socket, never reused while the machine runs, and kept by a TCP
 * connection's TIME_WAIT remains, so that ESTABLISHED, FIN_WAIT2 and
 * TIME_WAIT are one lifetime); by its inode when the text files were read
 * (no cookie there); by its addresses when it has neither.
 *
 * Each sample reads the sockets table (TCP, UDP and unix; every namespace,
 * or the one of --netns): a socket not known yet starts a lifetime, one whose
 * state changed gets it appended, one not seen any more ends.
 *
 * Holders are looked up for new sockets only, through socket_holders,
 * which reads the descriptors of every process (with --netns, those of
 * the namespace's processes, through fds): on a host with 10,000
 * sockets that costs as much as the rest of a sample. So it runs at most
 * a twentieth of the time: after a lookup that took L, the next waits 19 L
 * (every sample on a small host); the new sockets wait for it in
 * temp.rec_new_inodes, and those that close before it get no holder.
 *
 * A destroy notification ends the lifetime of the socket with that cookie
 * at the time it was read, unless the socket is still there (TIME_WAIT);
 * one that arrives after a sample already found the socket gone moves its
 * end earlier when it can. A notification for a socket no sample saw
 * becomes a lifetime of its own, with no first_seen, unless it is the
 * closing of a socket whose TIME_WAIT remains are listed now: a socket
 * gets its cookie when first asked for one, so one that no dump saw went
 * into TIME_WAIT with none, and its notification names a new one. Those
 * are told by their addresses.
 */
#include "record.h"
#include "ticker.h"

#include "parse.h"

#include <stdlib.h>
#include <string.h>

/* TCP, UDP and unix sockets: raw and UDP-Lite ones are rare, and each kind
 * asked costs a dump per namespace that walks the kernel's whole table.
 * From `sockets`, not `sock_diag`: the columns asked are in both, and
 * sock_diag's netns is its 100th column, past the 64 SQLite tells apart in
 * colUsed, so it would ask the kernel for every TCP internal too. */
#define SOCKETS_OF                                                                   \
  "SELECT netns, kind, family, local_address, local_port, remote_address, remote_port," \
  " path, state, inode, uid, cookie FROM sockets"                                      \
  " WHERE kind IN ('tcp', 'udp', 'unix')"
static const char Q_SOCKETS[] = SOCKETS_OF;
static const char Q_SOCKETS_NS[] = SOCKETS_OF " AND netns = ?1";
enum { S_NETNS, S_KIND, S_FAMILY, S_LADDR, S_LPORT, S_RADDR, S_RPORT, S_PATH, S_STATE,
       S_INODE, S_UID, S_COOKIE };

static const char Q_HOLDERS[] =
    "SELECT t.id, h.pid FROM temp.rec_new_inodes t JOIN socket_holders h ON h.inode = t.inode";
/* --netns: the descriptors of that namespace's processes only */
static const char Q_HOLDERS_NS[] =
    "SELECT t.id, min(f.pid) FROM temp.rec_new_inodes t JOIN fds f ON f.inode = t.inode"
    " WHERE f.type = 'socket' AND f.pid IN (SELECT pid FROM processes WHERE netns = ?1)"
    " GROUP BY t.id";

typedef struct rec_sock {
  int64_t id;
  unsigned gen;            /* the last sample that saw it */
  unsigned ended_at;       /* the sample that ended it (kept one more, for a
                              notification read late) */
  int ended;               /* 1 by a sample, 2 by a notification */
  double gone;
  char state[16];
} rec_sock;

/* ---- identity -------------------------------------------------------------------- */

typedef struct sock_key {
  unsigned char b[512];
  size_t n;
} sock_key;

static void key_put(sock_key *k, const void *p, size_t n) {
  if (n > sizeof k->b - k->n) n = sizeof k->b - k->n;
  memcpy(k->b + k->n, p, n);
  k->n += n;
}

static void key_int(sock_key *k, char tag, int64_t v) {
  key_put(k, &tag, 1);
  key_put(k, &v, sizeof v);
}

static void key_text(sock_key *k, const unsigned char *s) {
  key_put(k, s ? (const char *)s : "", s ? strlen((const char *)s) + 1 : 1);
}

static void key_head(sock_key *k, int64_t netns, const char *kind) {
  k->n = 0;
  key_int(k, 'n', netns);
  key_text(k, (const unsigned char *)kind);
}

static void key_of_row(sqlite3_stmt *st, sock_key *k) {
  key_head(k, sqlite3_column_int64(st, S_NETNS), (const char *)sqlite3_column_text(st, S_KIND));
  if (sqlite3_column_type(st, S_COOKIE) == SQLITE_INTEGER) {
    key_int(k, 'c', sqlite3_column_int64(st, S_COOKIE));
  } else if (sqlite3_column_int64(st, S_INODE) != 0) {
    key_int(k, 'i', sqlite3_column_int64(st, S_INODE));
  } else {
    key_text(k, sqlite3_column_text(st, S_LADDR));
    key_int(k, 'p', sqlite3_column_int64(st, S_LPORT));
    key_text(k, sqlite3_column_text(st, S_RADDR));
    key_int(k, 'p', sqlite3_column_int64(st, S_RPORT));
    key_text(k, sqlite3_column_text(st, S_PATH));
  }
}

static void key_of_event(const rec_event *e, sock_key *k) {
  key_head(k, e->netns, e->kind);
  key_int(k, 'c', (int64_t)e->cookie);
}

/* The addresses of a TCP socket, for the TIME_WAIT ones. */
static void key_tuple(sock_key *k, int64_t netns, const char *laddr, int64_t lport,
                      const char *raddr, int64_t rport) {
  key_head(k, netns, "tcp");
  key_text(k, (const unsigned char *)laddr);
  key_int(k, 'p', lport);
  key_text(k, (const unsigned char *)raddr);
  key_int(k, 'p', rport);
}

static int note_time_wait(rec *r, sqlite3_stmt *st) {
  sock_key k;
  key_tuple(&k, sqlite3_column_int64(st, S_NETNS), (const char *)sqlite3_column_text(st, S_LADDR),
            sqlite3_column_int64(st, S_LPORT), (const char *)sqlite3_column_text(st, S_RADDR),
            sqlite3_column_int64(st, S_RPORT));
  return cli_keymap_put(&r->time_wait, k.b, k.n, r) == 0 ? CLI_OK : cli_error("out of memory");
}

static int in_time_wait(rec *r, const rec_event *e) {
  sock_key k;
  if (strcmp(e->kind, "tcp")) return 0;
  key_tuple(&k, e->netns, e->local, e->local_port, e->remote, e->remote_port);
  return cli_keymap_get(&r->time_wait, k.b, k.n) != NULL;
}

/* ---- counts ---------------------------------------------------------------------- */

static void count(rec *r, const char *kind, const char *state) {
  rec_counts *c = &r->c;
  c->sockets++;
  if (!strcmp(kind, "tcp")) {
    c->tcp++;
    c->listen += !strcmp(state, "LISTEN");
    c->established += !strcmp(state, "ESTABLISHED");
    c->close_wait += !strcmp(state, "CLOSE_WAIT");
    c->time_wait += !strcmp(state, "TIME_WAIT");
  } else if (!strcmp(kind, "udp")) {
    c->udp++;
  } else if (!strcmp(kind, "unix")) {
    c->unx++;
  }
}

/* ---- one sample's sockets ------------------------------------------------------------ */

static void set_state(rec_sock *s, const char *state) {
  snprintf(s->state, sizeof s->state, "%s", state);
}

static int new_state(rec *r, rec_sock *s, const char *state) {
  set_state(s, state);
  return rec_wrote(r, rec_db_run(&r->out, REC_STATE_NEW, "IRT", s->id, r->now, state),
                   "adding a socket state");
}

/* A socket no lifetime holds: its row, its first state, its entry. */
static int new_socket(rec *r, sqlite3_stmt *st, const sock_key *k, sqlite3_stmt *queue) {
  const char *state = (const char *)sqlite3_column_text(st, S_STATE);
  rec_net *net = rec_net_of(r, sqlite3_column_int64(st, S_NETNS));
  const char *user = sqlite3_column_type(st, S_UID) == SQLITE_NULL
                         ? NULL : rec_user_name(r, sqlite3_column_int64(st, S_UID));
  rec_sock *s = calloc(1, sizeof *s);
  if (!s) return cli_error("out of memory");
  rec_sock *old = cli_keymap_get(&r->socks, k->b, k->n);
  if (cli_keymap_put(&r->socks, k->b, k->n, s) != 0) {
    free(s);
    return cli_error("out of memory");
  }
  free(old); /* an ended lifetime whose identity came back */
  s->gen = r->gen;
  int rc = rec_db_run(&r->out, REC_SOCK_NEW, "IVVVVVVVVVVVTTVR", r->out.run,
                      sqlite3_column_value(st, S_KIND), sqlite3_column_value(st, S_FAMILY),
                      sqlite3_column_value(st, S_NETNS), sqlite3_column_value(st, S_LADDR),
                      sqlite3_column_value(st, S_LPORT), sqlite3_column_value(st, S_RADDR),
                      sqlite3_column_value(st, S_RPORT), sqlite3_column_value(st, S_PATH),
                      sqlite3_column_value(st, S_INODE), sqlite3_column_value(st, S_COOKIE),
                      sqlite3_column_value(st, S_UID), user, net ? net->container : NULL,
                      sqlite3_column_value(st, S_STATE), r->now);
  s->id = rec_db_last_id(&r->out);
  r->c.opened++;
  if (rec_wrote(r, rc, "adding a socket") != CLI_OK || new_state(r, s, state ? state : "")
      != CLI_OK)
    return CLI_ERR;
  if (sqlite3_column_int64(st, S_INODE) == 0) return CLI_OK;
  rc = sqlite3_bind_int64(queue, 1, sqlite3_column_int64(st, S_INODE)) == SQLITE_OK &&
               sqlite3_bind_int64(queue, 2, s->id) == SQLITE_OK &&
               sqlite3_step(queue) == SQLITE_DONE
           ? CLI_OK : rec_src_error(r);
  sqlite3_reset(queue);
  r->holders_wanted++;
  return rc;
}

static int see_socket(rec *r, sqlite3_stmt *st, sqlite3_stmt *queue) {
  const char *kind = (const char *)sqlite3_column_text(st, S_KIND);
  const char *state = (const char *)sqlite3_column_text(st, S_STATE);
  sock_key k;
  count(r, kind ? kind : "", state ? state : "");
  if (state && !strcmp(state, "TIME_WAIT") && note_time_wait(r, st) != CLI_OK) return CLI_ERR;
  key_of_row(st, &k);
  rec_sock *s = cli_keymap_get(&r->socks, k.b, k.n);
  if (!s || s->ended) return new_socket(r, st, &k, queue);
  if (s->gen == r->gen) return CLI_OK; /* listed twice */
  s->gen = r->gen;
  if (!state || !strcmp(s->state, state)) return CLI_OK;
  int rc = rec_db_run(&r->out, REC_SOCK_STATE, "IT", s->id, state);
  return rec_wrote(r, rc, "changing a socket's state") == CLI_OK ? new_state(r, s, state) : CLI_ERR;
}

/* The holders of the sockets new in this sample. A holder outside the
 * processes recorded (--netns) gets its pid alone. */
static int add_holder(rec *r, int64_t id, int64_t pid) {
  rec_proc *p = cli_keymap_get(&r->procs, &pid, sizeof pid);
  int rc = p ? rec_db_run(&r->out, REC_SOCK_HOLDER, "IITIT", id, pid, p->name, p->id,
                          p->container)
             : rec_db_run(&r->out, REC_SOCK_HOLDER, "IINNN", id, pid);
  return rec_wrote(r, rc, "adding a socket's holder");
}

#define HOLDERS_SHARE 0.05 /* of the time, at most */

static int add_holders(rec *r) {
  double t0 = cli_monotonic();
  if (!r->holders_wanted || t0 < r->holders_next) return CLI_OK;
  sqlite3_stmt *st = rec_src_prepare(r, r->only_netns ? Q_HOLDERS_NS : Q_HOLDERS,
                                     r->only_netns);
  int rc = st ? CLI_OK : CLI_ERR, step = SQLITE_DONE;
  while (rc == CLI_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = add_holder(r, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
  if (rc == CLI_OK && step != SQLITE_DONE) rc = rec_src_error(r);
  sqlite3_finalize(st);
  if (rc == CLI_OK) rc = rec_src_exec(r, "DELETE FROM temp.rec_new_inodes");
  r->holders_wanted = 0;
  double took = cli_monotonic() - t0;
  r->holders_next = t0 + took / HOLDERS_SHARE;
  return rc;
}

int rec_scan_sockets(rec *r) {
  cli_keymap_clear(&r->time_wait, NULL);
  sqlite3_stmt *st = rec_src_prepare(r, r->only_netns ? Q_SOCKETS_NS : Q_SOCKETS, r->only_netns);
  sqlite3_stmt *queue = st ? rec_src_prepare(r, "INSERT INTO temp.rec_new_inodes VALUES (?1, ?2)",
                                             0)
                           : NULL;
  int rc = queue ? CLI_OK : CLI_ERR, step = SQLITE_DONE;
  while (rc == CLI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) rc = see_socket(r, st, queue);
  if (rc == CLI_OK && step != SQLITE_DONE) rc = rec_src_error(r);
  sqlite3_finalize(st);
  sqlite3_finalize(queue);
  return rc == CLI_OK ? add_holders(r) : rc;
}

/* ---- notifications ------------------------------------------------------------------ */

/* A notification for a socket no sample saw: a lifetime of its own. */
static int unseen_socket(rec *r, const rec_event *e) {
  rec_net *net = rec_net_of(r, e->netns);
  const char *state = pn_tcp_state_name(e->state);
  int rc = e->has_bytes
      ? rec_db_run(&r->out, REC_SOCK_UNSEEN, "ITTITITIITTRII", r->out.run, e->kind,
                   e->family == 6 ? "IPv6" : "IPv4", e->netns, e->local,
                   (int64_t)e->local_port, e->remote, (int64_t)e->remote_port,
                   (int64_t)e->cookie, net ? net->container : NULL, state, e->time,
                   (int64_t)e->bytes_sent, (int64_t)e->bytes_received)
      : rec_db_run(&r->out, REC_SOCK_UNSEEN, "ITTITITIITTRNN", r->out.run, e->kind,
                   e->family == 6 ? "IPv6" : "IPv4", e->netns, e->local,
                   (int64_t)e->local_port, e->remote, (int64_t)e->remote_port,
                   (int64_t)e->cookie, net ? net->container : NULL, state, e->time);
  r->c.unseen++;
  return rec_wrote(r, rc, "adding a closed socket");
}

/* The end of a known lifetime, as the kernel told it. */
static int destroyed_socket(rec *r, rec_sock *s, const rec_event *e) {
  int rc = e->has_bytes
      ? rec_db_run(&r->out, REC_SOCK_DESTROYED, "IRRII", s->id, r->prev, e->time,
                   (int64_t)e->bytes_sent, (int64_t)e->bytes_received)
      : rec_db_run(&r->out, REC_SOCK_DESTROYED, "IRRNN", s->id, r->prev, e->time);
  if (!s->ended) r->c.closed++;
  if (!s->ended) s->ended_at = r->gen;
  s->ended = 2;
  return rec_wrote(r, rc, "ending a socket");
}

static int apply_event(rec *r, const rec_event *e) {
  sock_key k;
  key_of_event(e, &k);
  rec_sock *s = cli_keymap_get(&r->socks, k.b, k.n);
  r->c.destroyed++;
  if (!s) return in_time_wait(r, e) ? CLI_OK : unseen_socket(r, e);
  /* still listed (its TIME_WAIT remains), or told already */
  if ((s->gen == r->gen && !s->ended) || s->ended == 2) return CLI_OK;
  return destroyed_socket(r, s, e);
}

int rec_apply_events(rec *r) {
  int rc = CLI_OK;
  for (size_t i = 0; rc == CLI_OK && i < r->events.n; i++) rc = apply_event(r, &r->events.v[i]);
  r->events.n = 0;
  return rc;
}

/* ---- lifetimes that ended --------------------------------------------------------------- */

static int sweep_socket(void *arg, void *val) {
  rec *r = arg;
  rec_sock *s = val;
  if (s->ended) {
    if (s->ended_at == r->gen) return 1;
    free(s);
    return 0;
  }
  if (s->gen == r->gen) return 1;
  if (!r->sweep_failed &&
      rec_wrote(r, rec_db_run(&r->out, REC_SOCK_GONE, "IRR", s->id, r->prev, r->now),
                "ending a socket") != CLI_OK)
    r->sweep_failed = 1;
  s->ended = 1;
  s->ended_at = r->gen;
  s->gone = r->now;
  r->c.closed++;
  return 1;
}

int rec_end_sockets(rec *r) {
  cli_keymap_sweep(&r->socks, sweep_socket, r);
  return r->sweep_failed ? CLI_ERR : CLI_OK;
}

void rec_socks_free(rec *r) {
  cli_keymap_clear(&r->socks, free);
  cli_keymap_clear(&r->time_wait, NULL);
}
