/*
 * test_parse_diag.c: netlink replies (ext/parse_diag.c): sock_diag inet and
 * unix dumps, rtnetlink links and addresses, and the message and attribute
 * walkers under them.
 *
 * The captured replies are tests/fixtures/netlink/NAME.bin, made by
 * capture.py there in a fresh network namespace on this kernel (6.18, whose
 * tcp_info is longer than this build's). NAME.txt beside each lists the
 * scene's sockets as the capture program saw them through getsockname and
 * fstat: inodes, ports, backlogs, peers. The tests read both, so a new
 * capture needs no edit here:
 *   inet_tcp4  a listener with backlog 77 and one connection not yet
 *              accepted, an established pair with 3000 unread bytes, a
 *              listener bound to "lo" (SO_BINDTODEVICE)
 *   inet_tcp6  a v6only listener on [::], a dual-stack one on [::]
 *   inet_udp4  a receiver holding an unread 100-byte datagram, its sender
 *   unix       a socketpair (50 unread bytes), a named listener with an
 *              accepted client and a pending one, an abstract name
 *              "\0pn-capture\0nul"
 *   packet     cut like the others here (its own tests are in
 *              test_parse_diag_packet.c)
 *   rtm_link, rtm_addr   lo, 127.0.0.1/8 and ::1/128
 *   error_einval         the kernel's NLMSG_ERROR for a cut request
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "parse_diag.h"
#include "unit_helpers.h"

/* ---- the captured files -------------------------------------------------- */

/* rtnetlink answers RTM_NEWLINK / RTM_NEWADDR, not SOCK_DIAG_BY_FAMILY. */
static void load_rtnl_dump(const char *name, uint16_t type, dump *d) {
  char file[64];
  size_t pos = 0;
  int err = -1;
  snprintf(file, sizeof file, "%s.bin", name);
  d->buf = load_nl_reply(file, &d->len);
  d->n = 0;
  while (pn_nl_next(d->buf, d->len, &pos, &d->msg[d->n], &err) == PN_NL_MSG) {
    assert_int_equal(d->msg[d->n].type, type);
    assert_true(++d->n < DUMP_MAX_MSGS);
  }
  assert_int_equal(d->msg[d->n].type, NLMSG_DONE);
  assert_int_equal(err, 0);
  assert_int_equal(pos, d->len);
}

/* The inet socket of dump d (of NAME) whose inode is that of `label` in
 * the scene; fails unless exactly one message has it. Its slices point
 * into d. */
static pn_inet_diag find_inet(const dump *d, const char *name,
                              const char *label) {
  uint64_t inode = scene_u64(name, label, "inode");
  pn_inet_diag found, s;
  size_t hits = 0;
  memset(&found, 0, sizeof found);
  for (size_t k = 0; k < d->n; k++) {
    assert_int_equal(pn_parse_inet_diag(d->msg[k].payload.p,
                                        d->msg[k].payload.n, &s), 0);
    if (s.inode == inode) {
      found = s;
      hits++;
    }
  }
  if (hits != 1) fail_msg("%s: %zu sockets with inode %llu (%s)", name, hits,
                          (unsigned long long)inode, label);
  return found;
}

/* The same for the unix dump. */
static pn_unix_diag find_unix(const dump *d, const char *label) {
  uint64_t inode = scene_u64("unix", label, "inode");
  pn_unix_diag found, u;
  size_t hits = 0;
  memset(&found, 0, sizeof found);
  for (size_t k = 0; k < d->n; k++) {
    assert_int_equal(pn_parse_unix_diag(d->msg[k].payload.p,
                                        d->msg[k].payload.n, &u), 0);
    if (u.inode == inode) {
      found = u;
      hits++;
    }
  }
  if (hits != 1) fail_msg("unix: %zu sockets with inode %llu (%s)", hits,
                          (unsigned long long)inode, label);
  return found;
}

static void assert_endpoint(const pn_inet_diag *s, int remote,
                            const char *addr, unsigned port) {
  char text[46];
  pn_format_addr(s->family, remote ? s->remote_addr : s->local_addr, text);
  assert_string_equal(text, addr);
  assert_int_equal(remote ? s->remote_port : s->local_port, port);
}

/* The local end is addr and the port the scene gave `label` in NAME. */
static void assert_local(const pn_inet_diag *s, const char *name,
                         const char *label, const char *addr) {
  assert_endpoint(s, 0, addr, (unsigned)scene_u64(name, label, "port"));
}

/* ---- captured: tcp ------------------------------------------------------- */

static void test_tcp_listener_backlog(void **state) {
  dump d;
  (void)state;
  load_dump("inet_tcp4", &d);
  pn_inet_diag s = find_inet(&d, "inet_tcp4", "listener");
  assert_int_equal(s.family, 4);
  assert_int_equal(s.state, 10);
  assert_local(&s, "inet_tcp4", "listener", "127.0.0.1");
  assert_endpoint(&s, 1, "0.0.0.0", 0);
  assert_int_equal(s.wqueue, scene_u64("inet_tcp4", "listener", "backlog"));
  assert_int_equal(s.wqueue, 77);
  assert_int_equal(s.rqueue, scene_u64("inet_tcp4", "listener", "pending"));
  assert_int_equal(s.uid, scene_u64("inet_tcp4", "owner", "uid"));
  assert_int_equal(s.ifindex, 0);
  assert_int_equal(s.timer, 0);
  assert_int_equal(s.has_v6only, 0); /* IPv6 sockets only */
  assert_true(s.tcp_info_len > 0);
  assert_int_equal(s.tcp_info.tcpi_state, 10);
  assert_int_equal(s.has_bbr, 0);    /* congestion info: connections only */
  free(d.buf);
}

static void test_tcp_unread_bytes(void **state) {
  dump d;
  (void)state;
  load_dump("inet_tcp4", &d);
  pn_inet_diag srv = find_inet(&d, "inet_tcp4", "server");
  pn_inet_diag cli = find_inet(&d, "inet_tcp4", "client");
  uint64_t unread = scene_u64("inet_tcp4", "server", "unread");
  assert_int_equal(srv.state, 1);
  assert_int_equal(srv.rqueue, unread);
  assert_int_equal(srv.rqueue, 3000);
  assert_int_equal(srv.wqueue, 0);
  assert_int_equal(cli.rqueue, 0);
  assert_int_equal(cli.wqueue, 0); /* all acknowledged on loopback */
  assert_endpoint(&srv, 1, "127.0.0.1",
                  (unsigned)scene_u64("inet_tcp4", "client", "port"));
  assert_endpoint(&cli, 1, "127.0.0.1",
                  (unsigned)scene_u64("inet_tcp4", "listener", "port"));
  /* MEMINFO and SKMEMINFO both count the queued skb's truesize */
  assert_int_equal(srv.has_meminfo, 1);
  assert_true(srv.meminfo[0] >= unread);
  assert_int_equal(srv.n_skmem, PN_SKMEM_N);
  assert_int_equal(srv.skmem[SK_MEMINFO_RMEM_ALLOC], srv.meminfo[0]);
  assert_true(srv.skmem[SK_MEMINFO_RCVBUF] >= srv.skmem[SK_MEMINFO_RMEM_ALLOC]);
  assert_true(srv.skmem[SK_MEMINFO_SNDBUF] > 0);
  assert_int_equal(srv.skmem[SK_MEMINFO_DROPS], 0);
  assert_int_equal(cli.skmem[SK_MEMINFO_RMEM_ALLOC], 0);
  free(d.buf);
}

/* What ss -i prints for the client that sent 3000 bytes. */
static void test_tcp_info(void **state) {
  dump d;
  char cong[32];
  (void)state;
  load_dump("inet_tcp4", &d);
  pn_inet_diag cli = find_inet(&d, "inet_tcp4", "client");
  pn_inet_diag srv = find_inet(&d, "inet_tcp4", "server");
  const struct tcp_info *ti = &cli.tcp_info;
  /* this kernel sends more than this build's struct: copied in part */
  assert_int_equal(cli.tcp_info_len, sizeof(struct tcp_info));
  assert_true(PN_TCPI_HAS(&cli, tcpi_snd_wnd));
  assert_int_equal(ti->tcpi_state, 1);
  assert_true(ti->tcpi_rtt > 0 && ti->tcpi_rtt < 1000000);    /* us */
  assert_true(ti->tcpi_snd_cwnd >= 1 && ti->tcpi_snd_cwnd < 10000);
  assert_true(ti->tcpi_snd_mss >= 536 && ti->tcpi_snd_mss <= 65535);
  assert_true(ti->tcpi_rto >= 200000);                        /* TCP_RTO_MIN */
  assert_true(ti->tcpi_bytes_acked >= 3000 && ti->tcpi_bytes_acked <= 3001);
  assert_true(srv.tcp_info.tcpi_bytes_received >= 3000 &&
              srv.tcp_info.tcpi_bytes_received <= 3001);
  assert_true(ti->tcpi_snd_wnd > 0);
  /* the fields past this build's struct (Linux 6.2) */
  assert_int_equal(cli.has_rcv_wnd, 1);
  assert_true(cli.rcv_wnd > 0);
  assert_int_equal(cli.has_rehash, 1);
  assert_int_equal(cli.rehash, 0);
  scene_text("inet_tcp4", "tcp", "cong", cong, sizeof cong);
  assert_slice(cli.cong, cong);
  if (strcmp(cong, "bbr") == 0) {
    assert_int_equal(cli.has_bbr, 1);
    assert_true(cli.bbr_pacing_gain > 0 && cli.bbr_cwnd_gain > 0);
    assert_true(cli.bbr_min_rtt > 0);
  }
  assert_int_equal(cli.has_shutdown, 1);
  assert_int_equal(cli.shutdown, 0);
  free(d.buf);
}

/* Identity that ss -e prints and what only root sees. */
static void test_tcp_cookie_mark_cgroup(void **state) {
  dump d;
  (void)state;
  load_dump("inet_tcp4", &d);
  pn_inet_diag cli = find_inet(&d, "inet_tcp4", "client");
  pn_inet_diag srv = find_inet(&d, "inet_tcp4", "server");
  assert_true(cli.cookie != 0 && cli.cookie != UINT64_MAX);
  assert_true(cli.cookie != srv.cookie);
  assert_int_equal(cli.has_mark, 1); /* captured as root */
  assert_int_equal(cli.mark, 0);
  assert_int_equal(cli.has_cgroup_id, 1);
  assert_true(cli.cgroup_id != 0);
  assert_int_equal(cli.has_tos, 0);  /* not asked for */
  assert_int_equal(cli.has_protocol, 0); /* raw sockets only */
  free(d.buf);
}

/* The connection still in the accept queue: a full socket without a file,
 * so inode 0, listed by its ports. */
static void test_tcp_not_yet_accepted(void **state) {
  dump d;
  unsigned lport = (unsigned)scene_u64("inet_tcp4", "listener", "port");
  unsigned pport = (unsigned)scene_u64("inet_tcp4", "pending", "port");
  size_t hits = 0;
  (void)state;
  load_dump("inet_tcp4", &d);
  for (size_t k = 0; k < d.n; k++) {
    pn_inet_diag s;
    assert_int_equal(pn_parse_inet_diag(d.msg[k].payload.p,
                                        d.msg[k].payload.n, &s), 0);
    if (s.local_port != lport || s.remote_port != pport) continue;
    assert_int_equal(s.inode, 0);
    assert_int_equal(s.state, 1);
    hits++;
  }
  assert_int_equal(hits, 1);
  free(d.buf);
}

static void test_bound_to_device(void **state) {
  dump d, links;
  pn_ifinfo lo;
  (void)state;
  memset(&lo, 0, sizeof lo);
  load_dump("inet_tcp4", &d);
  pn_inet_diag dev = find_inet(&d, "inet_tcp4", "bound");
  assert_int_equal(dev.ifindex, scene_u64("inet_tcp4", "bound", "ifindex"));
  assert_int_equal(dev.ifindex, scene_u64("inet_tcp4", "lo", "ifindex"));
  assert_int_equal(dev.wqueue, scene_u64("inet_tcp4", "bound", "backlog"));
  /* the same index as the link dump's "lo" */
  load_rtnl_dump("rtm_link", RTM_NEWLINK, &links);
  for (size_t k = 0; k < links.n; k++) {
    pn_ifinfo l;
    assert_int_equal(pn_parse_ifinfo(links.msg[k].payload.p,
                                     links.msg[k].payload.n, &l), 0);
    if (l.name.n == 2 && memcmp(l.name.p, "lo", 2) == 0) lo = l;
  }
  assert_int_equal(lo.index, (int)dev.ifindex);
  free(links.buf);
  free(d.buf);
}

static void test_tcp6_v6only(void **state) {
  dump d;
  (void)state;
  load_dump("inet_tcp6", &d);
  pn_inet_diag only = find_inet(&d, "inet_tcp6", "v6only");
  pn_inet_diag dual = find_inet(&d, "inet_tcp6", "dual");
  assert_int_equal(only.family, 6);
  assert_local(&only, "inet_tcp6", "v6only", "::");
  assert_endpoint(&only, 1, "::", 0);
  assert_int_equal(only.has_v6only, 1);
  assert_int_equal(only.v6only, scene_u64("inet_tcp6", "v6only", "v6only"));
  assert_int_equal(only.v6only, 1);
  assert_int_equal(only.wqueue, 10);
  assert_local(&dual, "inet_tcp6", "dual", "::");
  assert_int_equal(dual.has_v6only, 1);
  assert_int_equal(dual.v6only, 0);
  assert_int_equal(dual.wqueue, scene_u64("inet_tcp6", "dual", "backlog"));
  free(d.buf);
}

static void test_udp(void **state) {
  dump d;
  (void)state;
  load_dump("inet_udp4", &d);
  pn_inet_diag rcv = find_inet(&d, "inet_udp4", "receiver");
  pn_inet_diag snd = find_inet(&d, "inet_udp4", "sender");
  assert_int_equal(rcv.state, 7);
  assert_local(&rcv, "inet_udp4", "receiver", "127.0.0.1");
  /* the datagram's truesize, at least its 100 bytes */
  assert_true(rcv.rqueue >= scene_u64("inet_udp4", "receiver", "unread_bytes"));
  assert_int_equal(rcv.skmem[SK_MEMINFO_RMEM_ALLOC], rcv.rqueue);
  assert_int_equal(snd.state, 1);
  assert_endpoint(&snd, 1, "127.0.0.1", rcv.local_port);
  assert_int_equal(snd.rqueue, 0);
  /* UDP has no tcp_info and no congestion control */
  assert_int_equal(rcv.tcp_info_len, 0);
  assert_null(rcv.cong.p);
  assert_int_equal(rcv.has_rcv_wnd, 0);
  assert_int_equal(rcv.n_skmem, PN_SKMEM_N);
  free(d.buf);
}

/* ---- captured: unix ------------------------------------------------------ */

static void test_unix_pairs(void **state) {
  dump d;
  (void)state;
  load_dump("unix", &d);
  pn_unix_diag a = find_unix(&d, "pair_a"), b = find_unix(&d, "pair_b");
  pn_unix_diag cli = find_unix(&d, "client");
  pn_unix_diag acc = find_unix(&d, "accepted");
  assert_int_equal(a.has_peer, 1);
  assert_int_equal(a.peer, b.inode);
  assert_int_equal(b.peer, a.inode);
  assert_int_equal(a.peer, scene_u64("unix", "pair_a", "peer"));
  assert_int_equal(cli.peer, acc.inode);
  assert_int_equal(acc.peer, cli.inode);
  assert_int_equal(a.type, SOCK_STREAM);
  assert_int_equal(a.state, 1);
  assert_int_equal(b.has_rqlen, 1);
  assert_int_equal(b.rqueue, scene_u64("unix", "pair_b", "unread"));
  assert_int_equal(a.rqueue, 0);
  assert_null(a.name.p);            /* unbound */
  assert_int_equal(a.has_vfs, 0);
  assert_int_equal(a.has_uid, 1);
  assert_int_equal(a.uid, scene_u64("unix", "owner", "uid"));
  assert_int_equal(a.n_skmem, PN_SKMEM_N);
  assert_int_equal(a.has_shutdown, 1);
  free(d.buf);
}

/* The name of a unix socket of d as text, NUL-terminated. */
static void name_text(const pn_unix_diag *u, char *out, size_t cap) {
  assert_non_null(u->name.p);
  size_t n = pn_unix_diag_path(u->name, out, cap - 1);
  assert_true(n < cap);
  out[n] = '\0';
}

static void test_unix_listener(void **state) {
  dump d;
  char path[256], want[256];
  uint32_t ino;
  (void)state;
  load_dump("unix", &d);
  pn_unix_diag l = find_unix(&d, "listener");
  pn_unix_diag acc = find_unix(&d, "accepted");
  pn_unix_diag cli = find_unix(&d, "client");
  assert_int_equal(l.state, 10);
  assert_int_equal(l.rqueue, scene_u64("unix", "listener", "pending"));
  assert_int_equal(l.wqueue, scene_u64("unix", "listener", "backlog"));
  assert_int_equal(l.has_vfs, 1);
  assert_int_equal(l.vfs_inode, scene_u64("unix", "listener", "vfs_inode"));
  scene_text("unix", "listener", "path", want, sizeof want);
  name_text(&l, path, sizeof path);
  assert_string_equal(path, want);
  assert_int_equal(l.name.n, strlen(want) + 1); /* the kernel keeps the NUL */
  /* an accepted socket carries the listener's name; its client none */
  name_text(&acc, path, sizeof path);
  assert_string_equal(path, want);
  assert_null(cli.name.p);
  /* ICONS: the inode of the client whose connection waits */
  assert_int_equal(l.icons.n, 4);
  memcpy(&ino, l.icons.p, 4);
  assert_int_equal(ino, scene_u64("unix", "listener", "icons"));
  assert_int_equal(ino, scene_u64("unix", "pending", "inode"));
  assert_null(acc.icons.p);         /* listeners only */
  free(d.buf);
}

/* The pending client's peer is the embryo on the listener's side, which
 * has no file and so inode 0. */
static void test_unix_pending_client(void **state) {
  dump d;
  (void)state;
  load_dump("unix", &d);
  pn_unix_diag p = find_unix(&d, "pending");
  assert_int_equal(p.has_peer, 1);
  assert_int_equal(p.peer, 0);
  assert_int_equal(p.state, 1);
  free(d.buf);
}

static void test_unix_abstract(void **state) {
  dump d;
  char text[256], want[256];
  (void)state;
  load_dump("unix", &d);
  pn_unix_diag u = find_unix(&d, "abstract");
  assert_int_equal(u.type, SOCK_DGRAM);
  assert_int_equal(u.state, 7);
  assert_int_equal(u.has_peer, 0);
  assert_int_equal(u.has_vfs, 0);
  name_text(&u, text, sizeof text);
  scene_text("unix", "abstract", "name", want, sizeof want);
  assert_string_equal(text, want);
  assert_string_equal(text, "@pn-capture@nul");
  assert_int_equal(u.name.n, scene_u64("unix", "abstract", "name_bytes"));
  free(d.buf);
}

/* ---- captured: rtnetlink ------------------------------------------------- */

static void test_link_lo(void **state) {
  dump d;
  int found = 0;
  (void)state;
  load_rtnl_dump("rtm_link", RTM_NEWLINK, &d);
  for (size_t k = 0; k < d.n; k++) {
    pn_ifinfo l;
    assert_int_equal(pn_parse_ifinfo(d.msg[k].payload.p, d.msg[k].payload.n,
                                     &l), 0);
    assert_non_null(l.name.p);
    if (l.name.n != 2 || memcmp(l.name.p, "lo", 2) != 0) continue;
    assert_int_equal(l.index, scene_u64("rtm_link", "lo", "ifindex"));
    assert_true(l.flags & IFF_LOOPBACK);
    assert_true(l.flags & IFF_UP);
    found++;
  }
  assert_int_equal(found, 1);
  free(d.buf);
}

static void test_addresses_of_lo(void **state) {
  dump d;
  char text[46], want4[46], want6[46];
  int seen4 = 0, seen6 = 0;
  int lo = (int)scene_u64("rtm_addr", "lo", "ifindex");
  (void)state;
  scene_text("rtm_addr", "addr4", "text", want4, sizeof want4);
  scene_text("rtm_addr", "addr6", "text", want6, sizeof want6);
  load_rtnl_dump("rtm_addr", RTM_NEWADDR, &d);
  for (size_t k = 0; k < d.n; k++) {
    pn_ifaddr a;
    assert_int_equal(pn_parse_ifaddr(d.msg[k].payload.p, d.msg[k].payload.n,
                                     &a), 0);
    if (a.index != lo) continue;
    assert_int_equal(a.has_addr, 1);
    assert_int_equal(a.scope, RT_SCOPE_HOST);
    pn_format_addr(a.family, a.addr, text);
    if (a.family == 4) {
      assert_string_equal(text, want4);
      assert_int_equal(a.prefixlen,
                       scene_u64("rtm_addr", "addr4", "prefixlen"));
      assert_int_equal(a.prefixlen, 8);
      seen4++;
    } else {
      assert_int_equal(a.family, 6);
      assert_string_equal(text, want6);
      assert_int_equal(a.prefixlen, 128);
      seen6++;
    }
  }
  assert_int_equal(seen4, 1);
  assert_int_equal(seen6, 1);
  free(d.buf);
}

static void test_captured_error(void **state) {
  size_t len, pos = 0;
  char *buf = load_nl_reply("error_einval.bin", &len);
  pn_nlmsg m;
  int err = -1;
  (void)state;
  assert_int_equal(pn_nl_next(buf, len, &pos, &m, &err), PN_NL_ERROR);
  assert_int_equal(err, EINVAL);
  assert_int_equal(err, scene_u64("error_einval", "error", "errno"));
  assert_int_equal(m.type, NLMSG_ERROR);
  assert_true(m.payload.n >= sizeof(struct nlmsgerr));
  assert_int_equal(pn_nl_next(buf, len, &pos, &m, &err), PN_NL_END);
  assert_int_equal(err, 0);
  free(buf);
}

/* ---- hostile input: every cut of every captured message ------------------ */

/* Where each attribute of a payload starts and where its value ends
 * (unpadded), from the fixed header of hdr bytes on. */
static size_t attr_spans(const pn_bytes *p, size_t hdr, size_t *start,
                         size_t *end, size_t max) {
  size_t pos = hdr, n = 0;
  while (pos + 4 <= p->n) {
    uint16_t alen;
    memcpy(&alen, p->p + pos, 2);
    assert_true(n < max);
    start[n] = pos;
    end[n] = pos + alen;
    n++;
    pos += (alen + 3u) & ~3u;
  }
  return n;
}

typedef int (*parse_fn)(const void *payload, size_t len, void *out);

static int parse_inet(const void *p, size_t n, void *o) {
  return pn_parse_inet_diag(p, n, o);
}
static int parse_unix(const void *p, size_t n, void *o) {
  return pn_parse_unix_diag(p, n, o);
}
static int parse_packet(const void *p, size_t n, void *o) {
  return pn_parse_packet_diag(p, n, o);
}
static int parse_link(const void *p, size_t n, void *o) {
  return pn_parse_ifinfo(p, n, o);
}
static int parse_addr(const void *p, size_t n, void *o) {
  return pn_parse_ifaddr(p, n, o);
}

/* A cut is well-formed when it leaves the fixed header whole and falls
 * between attributes (the padding of the last one may be missing). Each
 * cut is parsed from an exact-size copy, so a read past it is an ASan
 * report; a well-formed cut keeps the identity the whole message has. */
static void cut_every_length(const pn_nlmsg *m, size_t hdr, parse_fn parse,
                             size_t out_size, size_t id_size) {
  size_t start[64], end[64];
  size_t n = attr_spans(&m->payload, hdr, start, end, 64);
  void *whole = malloc(out_size), *part = malloc(out_size);
  assert_non_null(whole);
  assert_non_null(part);
  assert_int_equal(parse(m->payload.p, m->payload.n, whole), 0);
  for (size_t cut = 0; cut <= m->payload.n; cut++) {
    char *copy = dup_exact((const char *)m->payload.p, cut);
    int valid = cut >= hdr;
    for (size_t k = 0; k < n; k++)
      if (cut > start[k] && cut < end[k]) valid = 0;
    int rc = parse(copy, cut, part);
    if (rc != (valid ? 0 : -1))
      fail_msg("cut at %zu of %zu: rc %d", cut, m->payload.n, rc);
    if (valid) assert_memory_equal(part, whole, id_size);
    free(copy);
  }
  free(whole);
  free(part);
}

static void cut_dump(const char *name, int rtnl_type, size_t hdr,
                     parse_fn parse, size_t out_size, size_t id_size) {
  dump d;
  if (rtnl_type) load_rtnl_dump(name, (uint16_t)rtnl_type, &d);
  else load_dump(name, &d);
  for (size_t k = 0; k < d.n; k++)
    cut_every_length(&d.msg[k], hdr, parse, out_size, id_size);
  free(d.buf);
}

static void test_every_cut_of_every_message(void **state) {
  (void)state;
  /* the identity: every field before the first attribute's */
  cut_dump("inet_tcp4", 0, sizeof(struct inet_diag_msg), parse_inet,
           sizeof(pn_inet_diag), offsetof(pn_inet_diag, has_shutdown));
  cut_dump("inet_tcp6", 0, sizeof(struct inet_diag_msg), parse_inet,
           sizeof(pn_inet_diag), offsetof(pn_inet_diag, has_shutdown));
  cut_dump("inet_udp4", 0, sizeof(struct inet_diag_msg), parse_inet,
           sizeof(pn_inet_diag), offsetof(pn_inet_diag, has_shutdown));
  cut_dump("unix", 0, sizeof(struct unix_diag_msg), parse_unix,
           sizeof(pn_unix_diag), offsetof(pn_unix_diag, name));
  cut_dump("packet", 0, sizeof(struct packet_diag_msg), parse_packet,
           sizeof(pn_packet_diag), offsetof(pn_packet_diag, has_info));
  cut_dump("rtm_link", RTM_NEWLINK, sizeof(struct ifinfomsg), parse_link,
           sizeof(pn_ifinfo), offsetof(pn_ifinfo, name));
  cut_dump("rtm_addr", RTM_NEWADDR, sizeof(struct ifaddrmsg), parse_addr,
           sizeof(pn_ifaddr), offsetof(pn_ifaddr, has_addr));
}

/* Every cut of a whole captured datagram: the messages wholly before the
 * cut come out, then END exactly at a message boundary, else BAD. */
static void test_every_cut_of_a_datagram(void **state) {
  static const char *const files[] = {"inet_tcp4.bin", "unix.bin", "packet.bin",
                                      "rtm_addr.bin", "error_einval.bin"};
  (void)state;
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    size_t len;
    char *buf = load_nl_reply(files[f], &len);
    for (size_t cut = 0; cut <= len; cut++) {
      char *copy = dup_exact(buf, cut);
      size_t pos = 0, last = 0;
      pn_nlmsg m;
      int err;
      pn_nl_step step;
      while ((step = pn_nl_next(copy, cut, &pos, &m, &err)) != PN_NL_END &&
             step != PN_NL_BAD) {
        assert_true(pos > last && pos <= cut);
        last = pos;
      }
      /* the walk stops where the cut is, or at the message it splits */
      if (step == PN_NL_END) assert_int_equal(last, cut);
      else assert_true(last < cut);
      free(copy);
    }
    free(buf);
  }
}

/* ---- hostile input: synthetic messages ----------------------------------- */

static void put_nlmsg(msgbuf *m, uint32_t len, uint16_t type, uint16_t flags,
                      const void *payload, size_t n) {
  struct nlmsghdr h = {len, type, flags, 7, 4242};
  put(m, &h, sizeof h);
  if (n) put(m, payload, n);
}

static void put_inet_head(msgbuf *m, int af) {
  struct inet_diag_msg d;
  memset(&d, 0, sizeof d);
  d.idiag_family = (uint8_t)af;
  d.idiag_state = 1;
  d.id.idiag_sport = htons(8080);
  d.id.idiag_dport = htons(40000);
  d.id.idiag_src[0] = htonl(0x7f000001);
  d.id.idiag_dst[0] = htonl(0x0a000002);
  d.id.idiag_src[1] = 0xdeadbeef; /* junk an IPv4 reading must not copy */
  d.id.idiag_cookie[0] = 0x11223344;
  d.id.idiag_cookie[1] = 0x55667788;
  d.idiag_inode = 4242;
  put(m, &d, sizeof d);
}

static void test_nlmsg_error_and_ack(void **state) {
  msgbuf m = {{0}, 0};
  struct nlmsgerr e;
  size_t pos = 0;
  pn_nlmsg msg;
  int err = -1;
  (void)state;
  memset(&e, 0, sizeof e);
  e.error = -EPERM;
  put_nlmsg(&m, 16 + sizeof e, NLMSG_ERROR, 0, &e, sizeof e);
  e.error = 0;
  put_nlmsg(&m, 16 + sizeof e, NLMSG_ERROR, 0, &e, sizeof e);
  e.error = INT_MIN;
  put_nlmsg(&m, 16 + sizeof e, NLMSG_ERROR, 0, &e, sizeof e);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_ERROR);
  assert_int_equal(err, EPERM);
  assert_int_equal(msg.seq, 7);
  assert_int_equal(msg.portid, 4242);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_ERROR);
  assert_int_equal(err, 0); /* an acknowledgement */
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_ERROR);
  assert_int_equal(err, INT_MAX);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_END);
  /* an ERROR cut inside its int */
  m.n = 0;
  pos = 0;
  put_nlmsg(&m, 18, NLMSG_ERROR, 0, &e, 2);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_BAD);
  assert_int_equal(pos, 0);
  /* errcode may be NULL */
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, NULL), PN_NL_BAD);
}

static void test_nlmsg_done(void **state) {
  msgbuf m = {{0}, 0};
  int32_t v;
  size_t pos = 0;
  pn_nlmsg msg;
  int err = -1;
  (void)state;
  v = 0;
  put_nlmsg(&m, 20, NLMSG_DONE, NLM_F_MULTI, &v, 4);
  v = -ENOBUFS;
  put_nlmsg(&m, 20, NLMSG_DONE, NLM_F_MULTI, &v, 4);
  put_nlmsg(&m, 16, NLMSG_DONE, NLM_F_MULTI, NULL, 0); /* no int */
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_DONE);
  assert_int_equal(err, 0);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_DONE);
  assert_int_equal(err, ENOBUFS);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_DONE);
  assert_int_equal(err, 0);
  assert_int_equal(msg.payload.n, 0);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_END);
  assert_int_equal(pos, m.n);
  /* a DONE whose int is cut: 1 to 3 of its bytes */
  for (uint32_t len = 17; len <= 19; len++) {
    m.n = 0;
    pos = 0;
    v = -EINTR;
    put_nlmsg(&m, len, NLMSG_DONE, NLM_F_MULTI, &v, len - 16);
    char *copy = dup_exact((const char *)m.b, m.n);
    assert_int_equal(pn_nl_next(copy, m.n, &pos, &msg, &err), PN_NL_BAD);
    assert_int_equal(err, 0);
    assert_int_equal(pos, 0);
    assert_null(msg.payload.p); /* nothing of a message that is not one */
    free(copy);
  }
}

static void test_nlmsg_bad_headers(void **state) {
  msgbuf m = {{0}, 0};
  uint8_t body[8] = {0};
  size_t pos = 0;
  pn_nlmsg msg;
  int err;
  (void)state;
  for (uint32_t len = 0; len < 16; len++) {
    m.n = 0;
    pos = 0;
    put_nlmsg(&m, len, SOCK_DIAG_BY_FAMILY, 0, body, sizeof body);
    assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_BAD);
    assert_int_equal(pos, 0);
  }
  /* one byte past the datagram */
  m.n = 0;
  put_nlmsg(&m, 16 + sizeof body + 1, SOCK_DIAG_BY_FAMILY, 0, body,
            sizeof body);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_BAD);
  m.n = 0;
  put_nlmsg(&m, UINT32_MAX, SOCK_DIAG_BY_FAMILY, 0, body, sizeof body);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_BAD);
  /* a whole message followed by a header cut short */
  m.n = 0;
  put_nlmsg(&m, 16 + sizeof body, SOCK_DIAG_BY_FAMILY, 0, body, sizeof body);
  put(&m, body, 5);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_MSG);
  assert_int_equal(msg.payload.n, sizeof body);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_BAD);
  assert_int_equal(pos, 16 + sizeof body);
  /* nothing at all */
  pos = 0;
  assert_int_equal(pn_nl_next(m.b, 0, &pos, &msg, &err), PN_NL_END);
  assert_int_equal(pn_nl_next(NULL, 0, &pos, &msg, &err), PN_NL_END);
}

/* A message length that is not a multiple of 4: the next one starts at
 * the padded offset; a last one whose padding is missing still counts. */
static void test_nlmsg_padding(void **state) {
  msgbuf m = {{0}, 0};
  uint8_t body[5] = {1, 2, 3, 4, 5}, pad[3] = {0};
  size_t pos = 0;
  pn_nlmsg msg;
  int err;
  (void)state;
  put_nlmsg(&m, 21, RTM_NEWLINK, 0, body, 5);
  put(&m, pad, 3);
  put_nlmsg(&m, 21, RTM_NEWADDR, 0, body, 5);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_MSG);
  assert_int_equal(msg.type, RTM_NEWLINK);
  assert_int_equal(pos, 24);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_MSG);
  assert_int_equal(msg.type, RTM_NEWADDR);
  assert_int_equal(msg.payload.n, 5);
  assert_int_equal(msg.payload.p[4], 5);
  assert_int_equal(pos, m.n);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_END);
}

/* NLM_F_DUMP_INTR (the dump saw a change while running) reaches the caller
 * on data messages and on DONE. */
static void test_dump_intr_flag(void **state) {
  msgbuf m = {{0}, 0}, p = {{0}, 0};
  int32_t zero = 0;
  size_t pos = 0;
  pn_nlmsg msg;
  int err;
  (void)state;
  put_inet_head(&p, AF_INET);
  put_nlmsg(&m, (uint32_t)(16 + p.n), SOCK_DIAG_BY_FAMILY,
            NLM_F_MULTI | NLM_F_DUMP_INTR, p.b, p.n);
  put_nlmsg(&m, 20, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, &zero, 4);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_MSG);
  assert_true(msg.flags & NLM_F_DUMP_INTR);
  assert_true(msg.flags & NLM_F_MULTI);
  assert_int_equal(pn_nl_next(m.b, m.n, &pos, &msg, &err), PN_NL_DONE);
  assert_true(msg.flags & NLM_F_DUMP_INTR);
  assert_int_equal(err, 0);
}

static void test_inet_synthetic_identity(void **state) {
  msgbuf m = {{0}, 0};
  pn_inet_diag d;
  char text[46];
  (void)state;
  put_inet_head(&m, AF_INET);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.family, 4);
  assert_int_equal(d.local_port, 8080);
  assert_int_equal(d.remote_port, 40000);
  pn_format_addr(4, d.local_addr, text);
  assert_string_equal(text, "127.0.0.1");
  pn_format_addr(4, d.remote_addr, text);
  assert_string_equal(text, "10.0.0.2");
  for (int i = 4; i < 16; i++) assert_int_equal(d.local_addr[i], 0);
  assert_true(d.cookie == 0x5566778811223344ull);
  assert_int_equal(d.inode, 4242);
  assert_null(d.cong.p);
  assert_int_equal(d.tcp_info_len, 0);
  /* an unknown family: kept as -1, no address */
  m.n = 0;
  put_inet_head(&m, AF_UNIX);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.family, -1);
  for (int i = 0; i < 16; i++) assert_int_equal(d.local_addr[i], 0);
  /* too short for the fixed header */
  assert_int_equal(pn_parse_inet_diag(m.b, sizeof(struct inet_diag_msg) - 1,
                                      &d), -1);
  assert_int_equal(pn_parse_inet_diag(NULL, 0, &d), -1);
}

/* Attribute types carry two flag bits that are not part of the type. */
static void test_attr_flags_and_unknown(void **state) {
  msgbuf m = {{0}, 0};
  uint32_t mark = 0x2a, unknown = 7;
  uint8_t shut = 3;
  pn_inet_diag d;
  (void)state;
  put_inet_head(&m, AF_INET6);
  put_attr(&m, 200, &unknown, 4);
  put_attr(&m, INET_DIAG_MARK | NLA_F_NET_BYTEORDER, &mark, 4);
  put_attr(&m, INET_DIAG_ULP_INFO | NLA_F_NESTED, &unknown, 4);
  put_attr(&m, INET_DIAG_SHUTDOWN, &shut, 1);
  put_attr(&m, INET_DIAG_CONG, "dctcp", 6);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.has_mark, 1);
  assert_int_equal(d.mark, 0x2a);
  assert_int_equal(d.has_shutdown, 1);
  assert_int_equal(d.shutdown, 3);
  assert_slice(d.cong, "dctcp");
  /* the walker reports the cleared type */
  size_t pos = 0;
  pn_nlattr a;
  const uint8_t *attrs = m.b + sizeof(struct inet_diag_msg);
  size_t alen = m.n - sizeof(struct inet_diag_msg);
  assert_int_equal(pn_nlattr_next(attrs, alen, &pos, &a), 1);
  assert_int_equal(a.type, 200);
  assert_int_equal(pn_nlattr_next(attrs, alen, &pos, &a), 1);
  assert_int_equal(a.type, INET_DIAG_MARK);
  assert_int_equal(pn_nlattr_next(attrs, alen, &pos, &a), 1);
  assert_int_equal(a.type, INET_DIAG_ULP_INFO);
  assert_int_equal(a.value.n, 4);
}

/* A known attribute shorter than its type is ignored; the rest of the
 * message still counts. */
static void test_known_attr_too_short(void **state) {
  msgbuf m = {{0}, 0};
  uint8_t junk[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  uint8_t shut = 1;
  uint32_t second;
  pn_inet_diag d;
  (void)state;
  put_inet_head(&m, AF_INET);
  put_attr(&m, INET_DIAG_MARK, junk, 3);
  put_attr(&m, INET_DIAG_MEMINFO, junk, 12);
  put_attr(&m, INET_DIAG_CGROUP_ID, junk, 7);
  put_attr(&m, INET_DIAG_VEGASINFO, junk, 12);
  put_attr(&m, INET_DIAG_BBRINFO, junk, 12);
  put_attr(&m, INET_DIAG_DCTCPINFO, junk, 12);
  put_attr(&m, INET_DIAG_SKV6ONLY, junk, 0);
  put_attr(&m, INET_DIAG_SKMEMINFO, junk, 10); /* two whole u32 */
  memcpy(&second, junk + 4, 4);
  put_attr(&m, INET_DIAG_SHUTDOWN, &shut, 1);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.has_mark, 0);
  assert_int_equal(d.has_meminfo, 0);
  assert_int_equal(d.has_cgroup_id, 0);
  assert_int_equal(d.has_vegas, 0);
  assert_int_equal(d.has_bbr, 0);
  assert_int_equal(d.has_dctcp, 0);
  assert_int_equal(d.has_v6only, 0);
  assert_int_equal(d.n_skmem, 2);
  assert_int_equal(d.skmem[1], second);
  assert_int_equal(d.skmem[2], 0);
  assert_int_equal(d.has_shutdown, 1);
}

static void test_cc_info_attrs(void **state) {
  msgbuf m = {{0}, 0};
  struct tcp_bbr_info bbr = {0x89abcdef, 0x1, 500, 739, 512};
  struct tcp_dctcp_info dc = {1, 0, 1024, 10, 20};
  struct tcpvegas_info vg = {1, 2, 3, 4};
  uint32_t skmem[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  pn_inet_diag d;
  (void)state;
  put_inet_head(&m, AF_INET);
  put_attr(&m, INET_DIAG_BBRINFO, &bbr, sizeof bbr);
  put_attr(&m, INET_DIAG_DCTCPINFO, &dc, sizeof dc);
  put_attr(&m, INET_DIAG_VEGASINFO, &vg, sizeof vg);
  put_attr(&m, INET_DIAG_SKMEMINFO, skmem, sizeof skmem); /* a newer kernel */
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.has_bbr, 1);
  assert_true(d.bbr_bw == 0x189abcdefull);
  assert_int_equal(d.bbr_min_rtt, 500);
  assert_int_equal(d.bbr_pacing_gain, 739);
  assert_int_equal(d.bbr_cwnd_gain, 512);
  assert_int_equal(d.has_dctcp, 1);
  assert_int_equal(d.dctcp_alpha, 1024);
  assert_int_equal(d.dctcp_ab_tot, 20);
  assert_int_equal(d.has_vegas, 1);
  assert_int_equal(d.vegas_minrtt, 4);
  assert_int_equal(d.n_skmem, PN_SKMEM_N);
  assert_int_equal(d.skmem[SK_MEMINFO_DROPS], 9);
}

/* INET_DIAG_INFO longer than this build's struct tcp_info is copied in
 * part (and the two fields ss knows past it are read); a shorter one
 * leaves the fields it does not reach at zero. */
static void test_tcp_info_lengths(void **state) {
  static uint8_t info[sizeof(struct tcp_info) + 48];
  size_t snd_wnd_at = offsetof(struct tcp_info, tcpi_snd_wnd);
  uint32_t rcv_wnd = 65536, rehash = 3;
  msgbuf m = {{0}, 0};
  pn_inet_diag d;
  (void)state;
  for (size_t i = 0; i < sizeof info; i++) info[i] = (uint8_t)(i * 7 + 1);
  memcpy(info + snd_wnd_at + 4, &rcv_wnd, 4);
  memcpy(info + snd_wnd_at + 8, &rehash, 4);
  put_inet_head(&m, AF_INET);
  put_attr(&m, INET_DIAG_INFO, info, sizeof info);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.tcp_info_len, sizeof(struct tcp_info));
  assert_memory_equal(&d.tcp_info, info, sizeof(struct tcp_info));
  assert_int_equal(d.has_rcv_wnd, 1);
  assert_int_equal(d.rcv_wnd, 65536);
  assert_int_equal(d.has_rehash, 1);
  assert_int_equal(d.rehash, 3);
  /* the 6.1 length: snd_wnd is the last field */
  m.n = 0;
  put_inet_head(&m, AF_INET);
  put_attr(&m, INET_DIAG_INFO, info, snd_wnd_at + 4);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_true(PN_TCPI_HAS(&d, tcpi_snd_wnd));
  assert_int_equal(d.has_rcv_wnd, 0);
  assert_int_equal(d.has_rehash, 0);
  /* an old kernel's: up to tcpi_total_retrans */
  size_t old = offsetof(struct tcp_info, tcpi_pacing_rate);
  m.n = 0;
  put_inet_head(&m, AF_INET);
  put_attr(&m, INET_DIAG_INFO, info, old);
  assert_int_equal(pn_parse_inet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.tcp_info_len, old);
  assert_true(PN_TCPI_HAS(&d, tcpi_rtt));
  assert_false(PN_TCPI_HAS(&d, tcpi_pacing_rate));
  assert_true(d.tcp_info.tcpi_pacing_rate == 0);
  assert_int_equal(d.tcp_info.tcpi_snd_wnd, 0);
}

/* The padding after the last attribute may be missing; an attribute that
 * runs past the message, or a header cut short, is malformed. */
static void test_attr_walker_edges(void **state) {
  msgbuf m = {{0}, 0};
  uint8_t v6only = 1, junk[4] = {0};
  pn_inet_diag d;
  pn_nlattr a;
  size_t pos;
  (void)state;
  put_inet_head(&m, AF_INET6);
  put_attr_raw(&m, INET_DIAG_SKV6ONLY, &v6only, 1, 0);
  assert_int_equal(m.n % 4, 1);
  char *copy = dup_exact((const char *)m.b, m.n);
  assert_int_equal(pn_parse_inet_diag(copy, m.n, &d), 0);
  assert_int_equal(d.has_v6only, 1);
  assert_int_equal(d.v6only, 1);
  free(copy);
  /* nla_len below 4: cannot step over it */
  struct nlattr bad = {2, INET_DIAG_MARK};
  m.n = 0;
  put(&m, &bad, sizeof bad);
  pos = 0;
  assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), -1);
  bad.nla_len = 0;
  m.n = 0;
  put(&m, &bad, sizeof bad);
  pos = 0;
  assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), -1);
  /* nla_len past the end */
  bad.nla_len = 9;
  m.n = 0;
  put(&m, &bad, sizeof bad);
  put(&m, junk, 4);
  pos = 0;
  assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), -1);
  /* 1 to 3 bytes where a header should be */
  for (size_t tail = 1; tail < 4; tail++) {
    m.n = 0;
    put_attr(&m, INET_DIAG_MARK, junk, 4);
    put(&m, junk, tail);
    pos = 0;
    assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), 1);
    assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), -1);
  }
  /* an attribute of length 4: an empty value */
  m.n = 0;
  put_attr(&m, INET_DIAG_CONG, NULL, 0);
  pos = 0;
  assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), 1);
  assert_int_equal(a.value.n, 0);
  assert_int_equal(pn_nlattr_next(m.b, m.n, &pos, &a), 0);
  assert_int_equal(pn_nlattr_next(NULL, 0, &pos, &a), 0);
}

/* Every captured file read from an odd address gives the same results. */
static void test_unaligned_buffers(void **state) {
  static const char *const files[] = {"inet_tcp4.bin", "inet_tcp6.bin",
                                      "inet_udp4.bin", "unix.bin",
                                      "rtm_link.bin", "rtm_addr.bin"};
  (void)state;
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    size_t len, pa = 0, pb = 0;
    char *buf = load_nl_reply(files[f], &len);
    char *odd = malloc(len + 1);
    pn_nlmsg ma, mb;
    int ea, eb, k = 0;
    pn_nl_step sa, sb;
    assert_non_null(odd);
    memcpy(odd + 1, buf, len);
    do {
      sa = pn_nl_next(buf, len, &pa, &ma, &ea);
      sb = pn_nl_next(odd + 1, len, &pb, &mb, &eb);
      assert_int_equal(sa, sb);
      assert_int_equal(pa, pb);
      if (sa != PN_NL_MSG) continue;
      assert_true(mb.payload.p == ma.payload.p + (odd + 1 - buf));
      union {
        pn_inet_diag i;
        pn_unix_diag u;
        pn_ifinfo l;
        pn_ifaddr a;
      } x, y;
      memset(&x, 0, sizeof x);
      memset(&y, 0, sizeof y);
      if (f < 3) {
        assert_int_equal(
            pn_parse_inet_diag(ma.payload.p, ma.payload.n, &x.i), 0);
        assert_int_equal(
            pn_parse_inet_diag(mb.payload.p, mb.payload.n, &y.i), 0);
        assert_memory_equal(&x.i, &y.i, offsetof(pn_inet_diag, cong));
        assert_int_equal(x.i.cong.n, y.i.cong.n);
      } else if (f == 3) {
        assert_int_equal(
            pn_parse_unix_diag(ma.payload.p, ma.payload.n, &x.u), 0);
        assert_int_equal(
            pn_parse_unix_diag(mb.payload.p, mb.payload.n, &y.u), 0);
        assert_int_equal(x.u.inode, y.u.inode);
        assert_int_equal(x.u.peer, y.u.peer);
        assert_int_equal(x.u.rqueue, y.u.rqueue);
        assert_memory_equal(x.u.skmem, y.u.skmem, sizeof x.u.skmem);
        assert_int_equal(x.u.name.n, y.u.name.n);
      } else if (f == 4) {
        assert_int_equal(pn_parse_ifinfo(ma.payload.p, ma.payload.n, &x.l), 0);
        assert_int_equal(pn_parse_ifinfo(mb.payload.p, mb.payload.n, &y.l), 0);
        assert_int_equal(x.l.index, y.l.index);
        assert_int_equal(x.l.name.n, y.l.name.n);
      } else {
        assert_int_equal(pn_parse_ifaddr(ma.payload.p, ma.payload.n, &x.a), 0);
        assert_int_equal(pn_parse_ifaddr(mb.payload.p, mb.payload.n, &y.a), 0);
        assert_memory_equal(&x.a, &y.a, sizeof x.a);
      }
      k++;
    } while (sa == PN_NL_MSG);
    assert_int_equal(sa, PN_NL_DONE);
    assert_true(k > 0);
    free(odd);
    free(buf);
  }
}

/* ---- unix names ---------------------------------------------------------- */

static size_t path_of(const char *bytes, size_t n, char *out, size_t cap) {
  pn_bytes name = {(const uint8_t *)bytes, n};
  return pn_unix_diag_path(name, out, cap);
}

static void test_unix_path_text(void **state) {
  char out[128];
  size_t n;
  (void)state;
  n = path_of("/run/x.sock", 12, out, sizeof out); /* with its NUL */
  assert_int_equal(n, 11);
  assert_memory_equal(out, "/run/x.sock", 11);
  n = path_of("/run/y", 6, out, sizeof out);        /* no NUL: all of it */
  assert_int_equal(n, 6);
  assert_memory_equal(out, "/run/y", 6);
  n = path_of("\0a\0b", 4, out, sizeof out);
  assert_int_equal(n, 4);
  assert_memory_equal(out, "@a@b", 4);
  n = path_of("\0", 1, out, sizeof out);            /* abstract, empty */
  assert_int_equal(n, 1);
  assert_memory_equal(out, "@", 1);
  n = path_of("\0\0\0", 3, out, sizeof out);
  assert_memory_equal(out, "@@@", 3);
  assert_int_equal(n, 3);
  /* a zero-length name (bound, nothing in it) and an absent one */
  assert_int_equal(path_of("", 0, out, sizeof out), 0);
  assert_int_equal(path_of(NULL, 0, out, sizeof out), 0);
}

/* sun_path holds 108 bytes: an abstract name of 108 and a path of 108
 * (the kernel then stores 109, with the NUL) both print as 108. */
static void test_unix_path_108(void **state) {
  char name[109], *out = malloc(108);
  (void)state;
  assert_non_null(out);
  name[0] = '\0';
  memset(name + 1, 'a', 107);
  assert_int_equal(path_of(name, 108, out, 108), 108);
  assert_int_equal(out[0], '@');
  assert_int_equal(out[107], 'a');
  memset(name, 'p', 108);
  name[0] = '/';
  name[108] = '\0';
  assert_int_equal(path_of(name, 109, out, 108), 108);
  assert_memory_equal(out, name, 108);
  free(out);
}

/* A cap below the text: the whole length comes back, cap bytes written. */
static void test_unix_path_cap(void **state) {
  char out[8];
  (void)state;
  memset(out, '#', sizeof out);
  assert_int_equal(path_of("\0abcdefgh", 9, out, 4), 9);
  assert_memory_equal(out, "@abc####", 8);
  assert_int_equal(path_of("/tmp/long.sock", 15, NULL, 0), 14);
}

static void test_unix_synthetic(void **state) {
  msgbuf m = {{0}, 0};
  struct unix_diag_msg h = {AF_UNIX, SOCK_SEQPACKET, 10, 0, 77, {5, 6}};
  struct unix_diag_rqlen rq = {2, 128};
  uint32_t icons[3] = {101, 102, 103};
  pn_unix_diag u;
  (void)state;
  put(&m, &h, sizeof h);
  put_attr(&m, UNIX_DIAG_RQLEN, &rq, sizeof rq);
  put_attr(&m, UNIX_DIAG_ICONS, icons, 10); /* two whole, one cut */
  put_attr(&m, UNIX_DIAG_VFS, icons, 4);    /* too short: ignored */
  put_attr(&m, UNIX_DIAG_NAME, NULL, 0);
  assert_int_equal(pn_parse_unix_diag(m.b, m.n, &u), 0);
  assert_int_equal(u.type, SOCK_SEQPACKET);
  assert_int_equal(u.state, 10);
  assert_int_equal(u.inode, 77);
  assert_true(u.cookie == (6ull << 32 | 5));
  assert_int_equal(u.rqueue, 2);
  assert_int_equal(u.wqueue, 128);
  assert_int_equal(u.icons.n, 8);
  assert_int_equal(u.has_vfs, 0);
  assert_non_null(u.name.p);                /* bound, empty name */
  assert_int_equal(u.name.n, 0);
  /* another family is not a unix_diag answer */
  m.b[0] = AF_INET;
  assert_int_equal(pn_parse_unix_diag(m.b, m.n, &u), -1);
}

/* ---- rtnetlink synthetic ------------------------------------------------- */

static void put_ifaddr_head(msgbuf *m, int af, uint32_t index) {
  struct ifaddrmsg h = {(uint8_t)af, 32, 0, RT_SCOPE_UNIVERSE, index};
  put(m, &h, sizeof h);
}

/* On a point-to-point link IFA_ADDRESS is the peer: IFA_LOCAL wins in
 * either order. */
static void test_ifaddr_local_wins(void **state) {
  msgbuf m = {{0}, 0};
  uint8_t local[4] = {10, 0, 0, 1}, peer[4] = {10, 0, 0, 2};
  pn_ifaddr a;
  char text[46];
  (void)state;
  put_ifaddr_head(&m, AF_INET, 3);
  put_attr(&m, IFA_ADDRESS, peer, 4);
  put_attr(&m, IFA_LOCAL, local, 4);
  assert_int_equal(pn_parse_ifaddr(m.b, m.n, &a), 0);
  pn_format_addr(a.family, a.addr, text);
  assert_string_equal(text, "10.0.0.1");
  m.n = 0;
  put_ifaddr_head(&m, AF_INET, 3);
  put_attr(&m, IFA_LOCAL, local, 4);
  put_attr(&m, IFA_ADDRESS, peer, 4);
  assert_int_equal(pn_parse_ifaddr(m.b, m.n, &a), 0);
  pn_format_addr(a.family, a.addr, text);
  assert_string_equal(text, "10.0.0.1");
  assert_int_equal(a.index, 3);
  assert_int_equal(a.prefixlen, 32);
  /* an address too short for its family is ignored */
  m.n = 0;
  put_ifaddr_head(&m, AF_INET6, 3);
  put_attr(&m, IFA_ADDRESS, local, 4);
  assert_int_equal(pn_parse_ifaddr(m.b, m.n, &a), 0);
  assert_int_equal(a.family, 6);
  assert_int_equal(a.has_addr, 0);
  /* an unknown family has no address length */
  m.n = 0;
  put_ifaddr_head(&m, AF_PACKET, 3);
  put_attr(&m, IFA_ADDRESS, local, 4);
  assert_int_equal(pn_parse_ifaddr(m.b, m.n, &a), 0);
  assert_int_equal(a.family, -1);
  assert_int_equal(a.has_addr, 0);
  /* an index no int holds */
  m.n = 0;
  put_ifaddr_head(&m, AF_INET, 0x80000000u);
  assert_int_equal(pn_parse_ifaddr(m.b, m.n, &a), -1);
}

static void test_ifinfo_synthetic(void **state) {
  msgbuf m = {{0}, 0};
  struct ifinfomsg h = {AF_UNSPEC, 0, 772, 9, IFF_UP | IFF_RUNNING, 0};
  uint32_t mtu = 1500;
  pn_ifinfo l;
  (void)state;
  put(&m, &h, sizeof h);
  put_attr(&m, IFLA_MTU, &mtu, 4);
  put_attr(&m, IFLA_LINKINFO | NLA_F_NESTED, &mtu, 4);
  put_attr(&m, IFLA_IFNAME, "veth0", 6);
  assert_int_equal(pn_parse_ifinfo(m.b, m.n, &l), 0);
  assert_int_equal(l.index, 9);
  assert_int_equal(l.flags, IFF_UP | IFF_RUNNING);
  assert_slice(l.name, "veth0");
  m.n = 0;
  put(&m, &h, sizeof h);
  assert_int_equal(pn_parse_ifinfo(m.b, m.n, &l), 0);
  assert_null(l.name.p);
  assert_int_equal(pn_parse_ifinfo(m.b, sizeof h - 1, &l), -1);
  /* a name without its NUL is taken whole */
  put_attr(&m, IFLA_IFNAME, "eth1", 4);
  assert_int_equal(pn_parse_ifinfo(m.b, m.n, &l), 0);
  assert_slice(l.name, "eth1");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tcp_listener_backlog),
    cmocka_unit_test(test_tcp_unread_bytes),
    cmocka_unit_test(test_tcp_info),
    cmocka_unit_test(test_tcp_cookie_mark_cgroup),
    cmocka_unit_test(test_tcp_not_yet_accepted),
    cmocka_unit_test(test_bound_to_device),
    cmocka_unit_test(test_tcp6_v6only),
    cmocka_unit_test(test_udp),
    cmocka_unit_test(test_unix_pairs),
    cmocka_unit_test(test_unix_listener),
    cmocka_unit_test(test_unix_pending_client),
    cmocka_unit_test(test_unix_abstract),
    cmocka_unit_test(test_link_lo),
    cmocka_unit_test(test_addresses_of_lo),
    cmocka_unit_test(test_captured_error),
    cmocka_unit_test(test_every_cut_of_every_message),
    cmocka_unit_test(test_every_cut_of_a_datagram),
    cmocka_unit_test(test_nlmsg_error_and_ack),
    cmocka_unit_test(test_nlmsg_done),
    cmocka_unit_test(test_nlmsg_bad_headers),
    cmocka_unit_test(test_nlmsg_padding),
    cmocka_unit_test(test_dump_intr_flag),
    cmocka_unit_test(test_inet_synthetic_identity),
    cmocka_unit_test(test_attr_flags_and_unknown),
    cmocka_unit_test(test_known_attr_too_short),
    cmocka_unit_test(test_cc_info_attrs),
    cmocka_unit_test(test_tcp_info_lengths),
    cmocka_unit_test(test_attr_walker_edges),
    cmocka_unit_test(test_unaligned_buffers),
    cmocka_unit_test(test_unix_path_text),
    cmocka_unit_test(test_unix_path_108),
    cmocka_unit_test(test_unix_path_cap),
    cmocka_unit_test(test_unix_synthetic),
    cmocka_unit_test(test_ifaddr_local_wins),
    cmocka_unit_test(test_ifinfo_synthetic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
