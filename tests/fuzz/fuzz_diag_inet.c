/*
 * fuzz_diag_inet.c: pn_parse_inet_diag on every data message of the input
 * walked as a datagram (fz_walk_datagram), and on the whole input as one
 * payload.
 *
 * On success: the payload holds the fixed inet_diag_msg; family is 4, 6 or
 * -1, an IPv4 address leaves bytes 4..15 zero and an unknown family none
 * at all; n_skmem <= 9 with zeros after it; tcp_info_len <= sizeof(struct
 * tcp_info) with zeros after it; rcv_wnd and rehash only with a whole
 * tcp_info up to snd_wnd; cong is a slice of the payload without NUL (or
 * NULL and empty); has_ flags are 0 or 1. The attribute walk done here
 * independently (pn_nlattr_next) agrees on success or failure and on the
 * last SKV6ONLY, MARK, CONG and SKMEMINFO. A copy at an odd address
 * parses the same.
 */
#include "fuzz_diag_common.h"

#include <linux/inet_diag.h>

/* What the last of a few attribute types said, seen by the harness. */
typedef struct shadow {
  int v6only;       /* -1: none */
  int64_t mark;     /* -1: none */
  int has_cong;
  size_t cong_n;
  int n_skmem;
} shadow;

static void shadow_attr(const pn_nlattr *a, void *ctx) {
  shadow *s = ctx;
  if (a->type == INET_DIAG_SKV6ONLY && a->value.n >= 1) {
    s->v6only = a->value.p[0];
  } else if (a->type == INET_DIAG_MARK && a->value.n >= 4) {
    uint32_t v;
    memcpy(&v, a->value.p, 4);
    s->mark = v;
  } else if (a->type == INET_DIAG_CONG) {
    const uint8_t *nul = a->value.n ? memchr(a->value.p, 0, a->value.n) : 0;
    s->has_cong = 1;
    s->cong_n = nul ? (size_t)(nul - a->value.p) : a->value.n;
  } else if (a->type == INET_DIAG_SKMEMINFO) {
    size_t n = a->value.n / 4;
    s->n_skmem = n > PN_SKMEM_N ? PN_SKMEM_N : (int)n;
  }
}

static int is_flag(int v) { return v == 0 || v == 1; }

static void check_flags(const pn_inet_diag *d) {
  FZ_CHECK(is_flag(d->has_shutdown) && is_flag(d->has_v6only));
  FZ_CHECK(is_flag(d->has_tos) && is_flag(d->has_tclass));
  FZ_CHECK(is_flag(d->has_mark) && is_flag(d->has_class_id));
  FZ_CHECK(is_flag(d->has_cgroup_id) && is_flag(d->has_protocol));
  FZ_CHECK(is_flag(d->has_meminfo) && is_flag(d->has_bbr));
  FZ_CHECK(is_flag(d->has_vegas) && is_flag(d->has_dctcp));
  FZ_CHECK(is_flag(d->has_rcv_wnd) && is_flag(d->has_rehash));
}

static int all_zero(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i]) return 0;
  return 1;
}

static void check_addresses(const pn_inet_diag *d) {
  FZ_CHECK(d->family == 4 || d->family == 6 || d->family == -1);
  if (d->family == 4) {
    FZ_CHECK(all_zero(d->local_addr + 4, 12));
    FZ_CHECK(all_zero(d->remote_addr + 4, 12));
  } else if (d->family == -1) {
    FZ_CHECK(all_zero(d->local_addr, 16) && all_zero(d->remote_addr, 16));
  }
}

static void check_sizes(const pn_inet_diag *d) {
  FZ_CHECK(d->n_skmem >= 0 && d->n_skmem <= PN_SKMEM_N);
  FZ_CHECK(all_zero(d->skmem + d->n_skmem,
                    (PN_SKMEM_N - (size_t)d->n_skmem) * sizeof(uint32_t)));
  FZ_CHECK(d->tcp_info_len <= sizeof(struct tcp_info));
  FZ_CHECK(all_zero((const uint8_t *)&d->tcp_info + d->tcp_info_len,
                    sizeof(struct tcp_info) - d->tcp_info_len));
  FZ_CHECK(!d->has_rcv_wnd || PN_TCPI_HAS(d, tcpi_snd_wnd));
  FZ_CHECK(!d->has_rehash || d->has_rcv_wnd);
}

/* The same payload at an odd address gives the same struct (cong points
 * into the copy, so only its length is compared). */
static void check_unaligned(const uint8_t *p, size_t n, const pn_inet_diag *d) {
  uint8_t *odd = malloc(n + 1);
  pn_inet_diag e;
  if (!odd) abort();
  if (n) memcpy(odd + 1, p, n);
  FZ_CHECK(pn_parse_inet_diag(odd + 1, n, &e) == 0);
  FZ_CHECK(memcmp(&e, d, offsetof(pn_inet_diag, cong)) == 0);
  FZ_CHECK(e.cong.n == d->cong.n);
  size_t after = offsetof(pn_inet_diag, cong) + sizeof(pn_str);
  FZ_CHECK(memcmp((const char *)&e + after, (const char *)d + after,
                  sizeof e - after) == 0);
  free(odd);
}

static void check_payload(const uint8_t *p, size_t n) {
  pn_inet_diag d;
  shadow s = {-1, -1, 0, 0, 0};
  int rc = pn_parse_inet_diag(p, n, &d);
  int walk = fz_walk_attrs(p, n, sizeof(struct inet_diag_msg), shadow_attr, &s);
  FZ_CHECK(rc == walk);
  if (rc != 0) return;
  check_flags(&d);
  check_addresses(&d);
  check_sizes(&d);
  FZ_CHECK(d.has_v6only == (s.v6only >= 0));
  FZ_CHECK(!d.has_v6only || d.v6only == s.v6only);
  FZ_CHECK(d.has_mark == (s.mark >= 0));
  FZ_CHECK(!d.has_mark || d.mark == s.mark);
  FZ_CHECK(d.n_skmem == s.n_skmem);
  FZ_CHECK((d.cong.p != NULL) == s.has_cong && d.cong.n == s.cong_n);
  if (d.cong.p) {
    FZ_CHECK(fz_inside(d.cong, (const char *)p, n));
    FZ_CHECK(d.cong.n == 0 || memchr(d.cong.p, 0, d.cong.n) == NULL);
    fz_sink(fz_touch(d.cong));
  } else {
    FZ_CHECK(d.cong.n == 0);
  }
  check_unaligned(p, n, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  free(fz_check_input(data, size, check_payload));
  return 0;
}
