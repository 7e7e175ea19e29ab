/*
 * fuzz_diag_unix.c: pn_parse_unix_diag on every data message of the input
 * walked as a datagram (fz_walk_datagram), and on the whole input as one
 * payload; pn_unix_diag_path on every name found.
 *
 * On success: the payload holds a unix_diag_msg of family AF_UNIX; name
 * and icons are slices of the payload (NULL and empty when absent), icons
 * a whole number of u32; n_skmem <= 9; has_ flags are 0 or 1; the
 * independent attribute walk agrees on success or failure. The name's text
 * is measured with cap 0, then written into a heap block of exactly that
 * size (ASan sees any overrun) and into one of half of it (same length
 * returned, same prefix); byte i of the text is byte i of the name with
 * NUL shown as '@' (an abstract name's leading NUL included), and the text
 * is as long as the name, or one byte shorter for a path ending in NUL.
 */
#include "fuzz_diag_common.h"

#include <linux/unix_diag.h>
#include <sys/socket.h>

static void count_attr(const pn_nlattr *a, void *ctx) {
  (void)a;
  (*(size_t *)ctx)++;
}

static size_t expected_text_len(pn_bytes name) {
  if (name.n == 0) return 0;
  if (name.p[0] == 0) return name.n;
  return name.n - (name.p[name.n - 1] == 0);
}

static void check_name(pn_bytes name) {
  size_t n = pn_unix_diag_path(name, NULL, 0);
  char *text = malloc(n ? n : 1), *half = malloc(n / 2 ? n / 2 : 1);
  if (!text || !half) abort();
  FZ_CHECK(n == expected_text_len(name));
  FZ_CHECK(pn_unix_diag_path(name, text, n) == n);
  /* byte i of the text is byte i of the name, a NUL shown as '@' */
  for (size_t i = 0; i < n; i++)
    FZ_CHECK(text[i] == (name.p[i] ? (char)name.p[i] : '@'));
  FZ_CHECK(pn_unix_diag_path(name, half, n / 2) == n);
  FZ_CHECK(n / 2 == 0 || memcmp(half, text, n / 2) == 0);
  free(half);
  free(text);
}

static int is_flag(int v) { return v == 0 || v == 1; }

static void check_payload(const uint8_t *p, size_t n) {
  pn_unix_diag u;
  size_t attrs = 0;
  int rc = pn_parse_unix_diag(p, n, &u);
  int walk = fz_walk_attrs(p, n, sizeof(struct unix_diag_msg), count_attr,
                           &attrs);
  if (n >= sizeof(struct unix_diag_msg) && p[0] == AF_UNIX)
    FZ_CHECK(rc == walk);
  else
    FZ_CHECK(rc == -1);
  if (rc != 0) return;
  FZ_CHECK(is_flag(u.has_vfs) && is_flag(u.has_peer) && is_flag(u.has_rqlen));
  FZ_CHECK(is_flag(u.has_shutdown) && is_flag(u.has_uid));
  FZ_CHECK(u.n_skmem >= 0 && u.n_skmem <= PN_SKMEM_N);
  FZ_CHECK(u.type >= 0 && u.type <= 255 && u.state >= 0 && u.state <= 255);
  FZ_CHECK(u.icons.n % 4 == 0);
  FZ_CHECK(fz_bytes_inside(u.icons, (const char *)p, n));
  FZ_CHECK(u.icons.p != NULL || u.icons.n == 0);
  FZ_CHECK(fz_bytes_inside(u.name, (const char *)p, n));
  if (u.name.p) {
    FZ_CHECK(attrs > 0);
    fz_sink(fz_touch(fz_str_of(u.name)));
    check_name(u.name);
  } else {
    FZ_CHECK(u.name.n == 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fz_check_input(data, size, check_payload);
  /* The input itself as a name, of any bytes. */
  pn_bytes whole = {(const uint8_t *)buf, size};
  if (size) check_name(whole);
  free(buf);
  return 0;
}
