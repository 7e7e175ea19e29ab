/*
 * test_parse_diag_packet.c: packet_diag replies (pn_parse_packet_diag in
 * ext/parse_diag.c), what ss -0 -e -m -b prints of AF_PACKET sockets.
 *
 * tests/fixtures/netlink/packet.bin is a dump captured by capture.py there
 * (as root, in a fresh network namespace) with every PACKET_SHOW_ flag;
 * packet.txt lists the scene as the capture program made it:
 *   every  SOCK_RAW, ETH_P_ALL, bound to lo, holding what it saw of one
 *          UDP datagram sent after it was made
 *   ring   SOCK_DGRAM, an unused ethertype, bound to lo: TPACKET_V3 with
 *          a receive ring, a fanout group (lb), a reserve, a copy
 *          threshold, timestamps, auxdata and a promiscuous membership
 *          (PACKET_DIAG_MCLIST, which procnet does not read)
 *   tx     SOCK_RAW, protocol 0, unbound: TPACKET_V2 with a transmit ring,
 *          a classic BPF filter of two instructions, loss and vnet headers
 * The cuts of every message are in test_parse_diag.c with the other
 * replies'; the made-up messages here are what a kernel never sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "parse_diag.h"
#include "unit_helpers.h"

/* ---- the captured dump --------------------------------------------------- */

typedef struct packets {
  dump d;
  pn_packet_diag s[DUMP_MAX_MSGS];
} packets;

static void load_packets(packets *p) {
  load_dump("packet", &p->d);
  for (size_t k = 0; k < p->d.n; k++)
    assert_int_equal(pn_parse_packet_diag(p->d.msg[k].payload.p,
                                          p->d.msg[k].payload.n, &p->s[k]), 0);
}

/* The socket the scene calls `label`, found by its inode. */
static const pn_packet_diag *scene_socket(const packets *p, const char *label) {
  uint64_t inode = scene_u64("packet", label, "inode");
  const pn_packet_diag *found = NULL;
  for (size_t k = 0; k < p->d.n; k++) {
    if (p->s[k].inode != inode) continue;
    assert_null(found);
    found = &p->s[k];
  }
  if (!found) fail_msg("packet: no socket with the inode of %s", label);
  return found;
}

/* type, protocol, interface and running as the scene made them. */
static void assert_identity(const pn_packet_diag *s, const char *label) {
  assert_int_equal(s->type, scene_u64("packet", label, "type"));
  assert_int_equal(s->protocol, scene_u64("packet", label, "protocol"));
  assert_int_equal(s->has_info, 1);
  assert_int_equal(s->ifindex, scene_u64("packet", label, "ifindex"));
  assert_int_equal((s->flags & PDI_RUNNING) != 0,
                   scene_u64("packet", label, "running"));
  assert_int_equal(s->has_uid, 1);
  assert_int_equal(s->uid, scene_u64("packet", "owner", "uid"));
  assert_int_equal(s->n_skmem, PN_SKMEM_N);
  assert_true(s->cookie != 0);
}

static void assert_ring(const pn_packet_ring *r, const char *label,
                        const char *dir) {
  char key[32];
  static const char *const names[] = {"block_size", "block_nr", "frame_size",
                                      "frame_nr"};
  const uint32_t got[] = {r->block_size, r->block_nr, r->frame_size, r->frame_nr};
  for (size_t i = 0; i < 4; i++) {
    snprintf(key, sizeof key, "%s_%s", dir, names[i]);
    assert_int_equal(got[i], scene_u64("packet", label, key));
  }
}

static void test_packet_every_protocol(void **state) {
  packets p;
  (void)state;
  load_packets(&p);
  assert_int_equal(p.d.n, 3);
  const pn_packet_diag *s = scene_socket(&p, "every");
  assert_identity(s, "every");
  assert_int_equal(s->version, TPACKET_V1);
  assert_int_equal(s->flags, PDI_RUNNING);
  /* what it saw of the datagram waits to be read: Recv-Q */
  assert_true(s->skmem[SK_MEMINFO_RMEM_ALLOC] > 100);
  assert_true(s->skmem[SK_MEMINFO_RCVBUF] > s->skmem[SK_MEMINFO_RMEM_ALLOC]);
  assert_int_equal(s->skmem[SK_MEMINFO_WMEM_ALLOC], 0);
  assert_int_equal(s->has_rx_ring, 0);
  assert_int_equal(s->has_tx_ring, 0);
  assert_int_equal(s->has_fanout, 0);
  /* root sees filters: none attached is no attribute at all */
  assert_null(s->filter.p);
  free(p.d.buf);
}

static void test_packet_rx_ring_and_fanout(void **state) {
  packets p;
  (void)state;
  load_packets(&p);
  const pn_packet_diag *s = scene_socket(&p, "ring");
  assert_identity(s, "ring");
  assert_int_equal(s->version, scene_u64("packet", "ring", "version"));
  assert_int_equal(s->version, TPACKET_V3);
  assert_int_equal(s->reserve, scene_u64("packet", "ring", "reserve"));
  assert_int_equal(s->copy_thresh, scene_u64("packet", "ring", "copy_thresh"));
  assert_int_equal(s->tstamp, scene_u64("packet", "ring", "tstamp"));
  assert_int_equal(s->flags, PDI_RUNNING | PDI_AUXDATA);
  assert_int_equal(s->has_rx_ring, 1);
  assert_ring(&s->rx_ring, "ring", "rx");
  /* only TPACKET_V3 rings retire blocks */
  assert_int_equal(s->rx_ring.retire_tmo, scene_u64("packet", "ring", "rx_retire_tmo"));
  assert_int_equal(s->rx_ring.sizeof_priv, 0);
  assert_int_equal(s->has_tx_ring, 0);
  assert_int_equal(s->has_fanout, 1);
  assert_int_equal(s->fanout & 0xffff, scene_u64("packet", "ring", "fanout_id"));
  assert_int_equal(s->fanout >> 16, scene_u64("packet", "ring", "fanout_type"));
  assert_int_equal(s->fanout >> 16, PACKET_FANOUT_LB);
  assert_int_equal(s->skmem[SK_MEMINFO_RMEM_ALLOC], 0);
  assert_null(s->filter.p);
  free(p.d.buf);
}

static void test_packet_tx_ring_and_filter(void **state) {
  packets p;
  struct sock_filter insn[2];
  (void)state;
  load_packets(&p);
  const pn_packet_diag *s = scene_socket(&p, "tx");
  assert_identity(s, "tx");
  assert_int_equal(s->version, TPACKET_V2);
  assert_int_equal(s->flags, PDI_LOSS | PDI_VNETHDR);
  assert_int_equal(s->has_rx_ring, 0);
  assert_int_equal(s->has_tx_ring, 1);
  assert_ring(&s->tx_ring, "tx", "tx");
  assert_int_equal(s->tx_ring.retire_tmo, 0);
  assert_int_equal(s->has_fanout, 0);
  /* the program as attached: ld len; ret #65535 */
  assert_int_equal(s->filter.n, scene_u64("packet", "tx", "filter_len") * sizeof insn[0]);
  assert_int_equal(s->filter.n, sizeof insn);
  memcpy(insn, s->filter.p, sizeof insn);
  assert_int_equal(insn[0].code, BPF_LD | BPF_W | BPF_LEN);
  assert_int_equal(insn[0].k, 0);
  assert_int_equal(insn[1].code, BPF_RET | BPF_K);
  assert_int_equal(insn[1].k, 0xffff);
  /* the filter's memory is the socket's option memory */
  assert_true(s->skmem[SK_MEMINFO_OPTMEM] > 0);
  free(p.d.buf);
}

/* ---- made up --------------------------------------------------------------- */

static void put_packet_head(msgbuf *m, int family) {
  struct packet_diag_msg h;
  memset(&h, 0, sizeof h);
  h.pdiag_family = (uint8_t)family;
  h.pdiag_type = SOCK_DGRAM;
  h.pdiag_num = 0x0800;
  h.pdiag_ino = 4242;
  h.pdiag_cookie[0] = 0x11223344;
  h.pdiag_cookie[1] = 0x55667788;
  put(m, &h, sizeof h);
}

static void test_packet_made_up_identity(void **state) {
  msgbuf m = {{0}, 0};
  pn_packet_diag d;
  (void)state;
  put_packet_head(&m, AF_PACKET);
  assert_int_equal(pn_parse_packet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.type, SOCK_DGRAM);
  assert_int_equal(d.protocol, 0x0800);
  assert_int_equal(d.inode, 4242);
  assert_int_equal(d.cookie, 0x5566778811223344ULL);
  /* nothing was sent: nothing is claimed */
  assert_int_equal(d.has_info, 0);
  assert_int_equal(d.has_uid, 0);
  assert_int_equal(d.n_skmem, 0);
  assert_null(d.filter.p);
  /* another family's message, a short header, no buffer */
  msgbuf other = {{0}, 0};
  put_packet_head(&other, AF_UNIX);
  assert_int_equal(pn_parse_packet_diag(other.b, other.n, &d), -1);
  assert_int_equal(pn_parse_packet_diag(m.b, sizeof(struct packet_diag_msg) - 1, &d), -1);
  assert_int_equal(pn_parse_packet_diag(NULL, 0, &d), -1);
}

/* Known attributes shorter than their type are ignored, unknown ones and
 * flag bits skipped, a filter cut to whole instructions; the rest of the
 * message still counts. */
static void test_packet_attrs_short_and_unknown(void **state) {
  msgbuf m = {{0}, 0};
  uint8_t junk[40];
  uint32_t fanout = 9 | 3u << 16, uid = 1000;
  pn_packet_diag d;
  (void)state;
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i + 1);
  put_packet_head(&m, AF_PACKET);
  put_attr(&m, PACKET_DIAG_INFO, junk, sizeof(struct packet_diag_info) - 1);
  put_attr(&m, PACKET_DIAG_RX_RING, junk, sizeof(struct packet_diag_ring) - 1);
  put_attr(&m, PACKET_DIAG_TX_RING, junk, 0);
  put_attr(&m, PACKET_DIAG_UID, junk, 3);
  put_attr(&m, 200, junk, 8);
  put_attr(&m, PACKET_DIAG_MCLIST | NLA_F_NESTED, junk, 40);
  put_attr(&m, PACKET_DIAG_FANOUT | NLA_F_NET_BYTEORDER, &fanout, 4);
  put_attr(&m, PACKET_DIAG_FILTER, junk, 12);
  put_attr(&m, PACKET_DIAG_MEMINFO, junk, 10); /* two whole u32 */
  put_attr(&m, PACKET_DIAG_UID, &uid, 4);
  assert_int_equal(pn_parse_packet_diag(m.b, m.n, &d), 0);
  assert_int_equal(d.has_info, 0);
  assert_int_equal(d.has_rx_ring, 0);
  assert_int_equal(d.has_tx_ring, 0);
  assert_int_equal(d.has_fanout, 1);
  assert_int_equal(d.fanout, fanout);
  assert_int_equal(d.filter.n, 8);
  assert_memory_equal(d.filter.p, junk, 8);
  assert_int_equal(d.n_skmem, 2);
  assert_int_equal(d.skmem[2], 0);
  assert_int_equal(d.has_uid, 1);
  assert_int_equal(d.uid, 1000);
}

/* A reader without CAP_NET_ADMIN gets an empty filter attribute for every
 * socket: present, with no instruction. */
static void test_packet_empty_filter(void **state) {
  msgbuf m = {{0}, 0};
  pn_packet_diag d;
  (void)state;
  put_packet_head(&m, AF_PACKET);
  put_attr(&m, PACKET_DIAG_FILTER, NULL, 0);
  assert_int_equal(pn_parse_packet_diag(m.b, m.n, &d), 0);
  assert_non_null(d.filter.p);
  assert_int_equal(d.filter.n, 0);
}

/* An attribute whose length runs past the message makes it malformed;
 * so does one shorter than its own header. */
static void test_packet_broken_attrs(void **state) {
  msgbuf m = {{0}, 0};
  uint32_t v = 5;
  pn_packet_diag d;
  (void)state;
  put_packet_head(&m, AF_PACKET);
  put_attr(&m, PACKET_DIAG_UID, &v, 4);
  size_t whole = m.n;
  put_attr(&m, PACKET_DIAG_FANOUT, &v, 4);
  char *cut = dup_exact((const char *)m.b, m.n - 2);
  assert_int_equal(pn_parse_packet_diag(cut, m.n - 2, &d), -1);
  free(cut);
  struct nlattr bad = {2, PACKET_DIAG_FANOUT};
  m.n = whole;
  put(&m, &bad, sizeof bad);
  assert_int_equal(pn_parse_packet_diag(m.b, m.n, &d), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_packet_every_protocol),
      cmocka_unit_test(test_packet_rx_ring_and_fanout),
      cmocka_unit_test(test_packet_tx_ring_and_filter),
      cmocka_unit_test(test_packet_made_up_identity),
      cmocka_unit_test(test_packet_attrs_short_and_unknown),
      cmocka_unit_test(test_packet_empty_filter),
      cmocka_unit_test(test_packet_broken_attrs),
  };
  return cmocka_run_group_tests_name("parse_diag_packet", tests, NULL, NULL);
}
