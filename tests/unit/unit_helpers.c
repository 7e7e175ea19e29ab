/*
 * unit_helpers.c: what the parser unit tests share: exact-size copies (so
 * ASan and valgrind catch a read of buf[len]), the captured fixtures (the
 * netlink replies with their scenes too), and slice comparison.
 */
#include "unit_helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>

char *dup_exact(const char *s, size_t n) {
  char *p = malloc(n ? n : 1);
  assert_non_null(p);
  if (n) memcpy(p, s, n);
  return p;
}

/* Reads tests/fixtures/captured/NAME, located from this source file. */
char *load_fixture(const char *name, size_t *len) {
  char path[1024];
  const char *slash = strrchr(__FILE__, '/');
  int dir_len = slash ? (int)(slash - __FILE__) : 1;
  FILE *f;
  char *buf;
  long size;
  snprintf(path, sizeof path, "%.*s/../fixtures/captured/%s", dir_len,
           slash ? __FILE__ : ".", name);
  f = fopen(path, "rb");
  if (f == NULL) fail_msg("missing fixture %s", path);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  buf = malloc((size_t)size);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  *len = (size_t)size;
  return buf;
}

void assert_slice(pn_str s, const char *want) {
  assert_int_equal(s.n, strlen(want));
  if (s.n) assert_memory_equal(s.p, want, s.n);
}

/* ---- captured netlink replies (tests/fixtures/netlink/) ------------------ */

/* load_fixture reads under tests/fixtures/captured/. */
char *load_nl_reply(const char *name, size_t *len) {
  char rel[128];
  snprintf(rel, sizeof rel, "../netlink/%s", name);
  return load_fixture(rel, len);
}

/* The value of `key=` on the line of NAME.txt that starts with `label`. */
void scene_text(const char *name, const char *label, const char *key,
                char *out, size_t cap) {
  char file[64], want[64];
  size_t len, pos = 0, klen;
  char *text;
  pn_str line;
  snprintf(file, sizeof file, "%s.txt", name);
  snprintf(want, sizeof want, " %s=", key);
  klen = strlen(want);
  text = load_nl_reply(file, &len);
  while (pn_next_line(text, len, &pos, &line)) {
    size_t ll = strlen(label), i;
    if (line.n <= ll || memcmp(line.p, label, ll) != 0 || line.p[ll] != ' ')
      continue;
    for (i = ll; i + klen <= line.n; i++) {
      if (memcmp(line.p + i, want, klen) != 0) continue;
      size_t start = i + klen, end = start;
      while (end < line.n && line.p[end] != ' ') end++;
      assert_true(end - start < cap);
      memcpy(out, line.p + start, end - start);
      out[end - start] = '\0';
      free(text);
      return;
    }
  }
  free(text);
  fail_msg("%s.txt: no %s for %s", name, key, label);
}

uint64_t scene_u64(const char *name, const char *label,
                          const char *key) {
  char text[256], *end;
  unsigned long long v;
  scene_text(name, label, key, text, sizeof text);
  v = strtoull(text, &end, 10);
  assert_true(end != text && *end == '\0');
  return v;
}

void load_dump(const char *name, dump *d) {
  char file[64];
  size_t pos = 0;
  int err = -1;
  pn_nl_step step;
  snprintf(file, sizeof file, "%s.bin", name);
  d->buf = load_nl_reply(file, &d->len);
  d->n = 0;
  while ((step = pn_nl_next(d->buf, d->len, &pos, &d->msg[d->n], &err)) ==
         PN_NL_MSG) {
    assert_int_equal(d->msg[d->n].type, SOCK_DIAG_BY_FAMILY);
    assert_true(d->msg[d->n].flags & NLM_F_MULTI);
    assert_true(++d->n < DUMP_MAX_MSGS);
  }
  assert_int_equal(step, PN_NL_DONE);
  assert_int_equal(err, 0);
  assert_int_equal(pn_nl_next(d->buf, d->len, &pos, &d->msg[d->n], &err),
                   PN_NL_END);
  assert_int_equal(pos, d->len);
}

/* ---- netlink messages made up ------------------------------------------- */

void put(msgbuf *m, const void *p, size_t n) {
  assert_true(m->n + n <= sizeof m->b);
  memcpy(m->b + m->n, p, n);
  m->n += n;
}

void put_attr_raw(msgbuf *m, uint16_t type, const void *v, size_t n, int pad) {
  struct nlattr h;
  static const uint8_t zeros[4];
  h.nla_len = (uint16_t)(sizeof h + n);
  h.nla_type = type;
  put(m, &h, sizeof h);
  if (n) put(m, v, n);
  if (pad) put(m, zeros, (4 - n % 4) % 4);
}

void put_attr(msgbuf *m, uint16_t type, const void *v, size_t n) {
  put_attr_raw(m, type, v, n, 1);
}
