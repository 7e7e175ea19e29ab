/*
 * fuzz_diag_packet.c: pn_parse_packet_diag on every data message of the
 * input walked as a datagram (fz_walk_datagram), and on the whole input
 * as one payload.
 *
 * On success: the payload holds a packet_diag_msg of family AF_PACKET,
 * and the independent attribute walk agrees on success or failure; the
 * identity is the header's (type a byte, protocol 16 bits); has_ flags
 * are 0 or 1 and what they do not claim is zero; n_skmem <= 9 with zeros
 * after; the filter is a slice of the payload holding whole 8-byte
 * instructions, empty when absent, and found only when an attribute was.
 */
#include "fuzz_diag_common.h"

#include <linux/packet_diag.h>
#include <sys/socket.h>

/* How many attributes, and whether one was a filter. */
typedef struct seen {
  size_t attrs, filters;
} seen;

static void count_attr(const pn_nlattr *a, void *ctx) {
  seen *s = ctx;
  s->attrs++;
  if (a->type == PACKET_DIAG_FILTER) s->filters++;
}

static int is_flag(int v) { return v == 0 || v == 1; }

static int all_zero(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i]) return 0;
  return 1;
}

static void check_claims(const pn_packet_diag *d) {
  FZ_CHECK(is_flag(d->has_info) && is_flag(d->has_uid) && is_flag(d->has_fanout));
  FZ_CHECK(is_flag(d->has_rx_ring) && is_flag(d->has_tx_ring));
  if (!d->has_info)
    FZ_CHECK(!d->ifindex && !d->version && !d->reserve && !d->copy_thresh &&
             !d->tstamp && !d->flags);
  if (!d->has_uid) FZ_CHECK(d->uid == 0);
  if (!d->has_fanout) FZ_CHECK(d->fanout == 0);
  if (!d->has_rx_ring) FZ_CHECK(all_zero(&d->rx_ring, sizeof d->rx_ring));
  if (!d->has_tx_ring) FZ_CHECK(all_zero(&d->tx_ring, sizeof d->tx_ring));
  FZ_CHECK(d->n_skmem >= 0 && d->n_skmem <= PN_SKMEM_N);
  FZ_CHECK(all_zero(d->skmem + d->n_skmem,
                    (size_t)(PN_SKMEM_N - d->n_skmem) * sizeof d->skmem[0]));
}

static void check_payload(const uint8_t *p, size_t n) {
  pn_packet_diag d;
  seen s = {0, 0};
  int rc = pn_parse_packet_diag(p, n, &d);
  int walk = fz_walk_attrs(p, n, sizeof(struct packet_diag_msg), count_attr, &s);
  if (n >= sizeof(struct packet_diag_msg) && p[0] == AF_PACKET)
    FZ_CHECK(rc == walk);
  else
    FZ_CHECK(rc == -1);
  if (rc != 0) return;
  FZ_CHECK(d.type >= 0 && d.type <= 255 && d.protocol <= 0xffff);
  check_claims(&d);
  FZ_CHECK(d.filter.n % 8 == 0);
  FZ_CHECK(fz_bytes_inside(d.filter, (const char *)p, n));
  if (d.filter.p) {
    FZ_CHECK(s.filters > 0);
    fz_sink(fz_touch(fz_str_of(d.filter)));
  } else {
    FZ_CHECK(d.filter.n == 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  free(fz_check_input(data, size, check_payload));
  return 0;
}
