/*
 * keymap.c: a chained hash map on byte strings, and the row diff made of
 * it; see keymap.h.
 */
#include "keymap.h"

#include <stdlib.h>
#include <string.h>

struct cli_keyent {
  cli_keyent *next;
  uint64_t hash;
  void *val;
  size_t klen;
  unsigned char key[];
};

/* FNV-1a: keys are short (a few fields), so a simple hash is enough. */
static uint64_t hash_of(const void *key, size_t n) {
  const unsigned char *p = key;
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3u;
  return h;
}

static cli_keyent **slot_of(const cli_keymap *m, uint64_t h) {
  return &m->slots[h & (m->nslots - 1)];
}

static cli_keyent *find(const cli_keymap *m, const void *key, size_t klen, uint64_t h) {
  if (!m->nslots) return NULL;
  for (cli_keyent *e = *slot_of(m, h); e; e = e->next)
    if (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen)) return e;
  return NULL;
}

void *cli_keymap_get(const cli_keymap *m, const void *key, size_t klen) {
  cli_keyent *e = find(m, key, klen, hash_of(key, klen));
  return e ? e->val : NULL;
}

/* Doubles the slots once there are as many entries as slots. */
static int grow(cli_keymap *m) {
  size_t n = m->nslots ? 2 * m->nslots : 64;
  cli_keyent **s = calloc(n, sizeof *s);
  if (!s) return -1;
  for (size_t i = 0; i < m->nslots; i++) {
    for (cli_keyent *e = m->slots[i], *next; e; e = next) {
      next = e->next;
      e->next = s[e->hash & (n - 1)];
      s[e->hash & (n - 1)] = e;
    }
  }
  free(m->slots);
  m->slots = s;
  m->nslots = n;
  return 0;
}

int cli_keymap_put(cli_keymap *m, const void *key, size_t klen, void *val) {
  uint64_t h = hash_of(key, klen);
  cli_keyent *e = find(m, key, klen, h);
  if (e) {
    e->val = val;
    return 0;
  }
  if (m->n >= m->nslots && grow(m) != 0) return -1;
  e = malloc(sizeof *e + klen);
  if (!e) return -1;
  e->hash = h;
  e->val = val;
  e->klen = klen;
  memcpy(e->key, key, klen);
  e->next = *slot_of(m, h);
  *slot_of(m, h) = e;
  m->n++;
  return 0;
}

void cli_keymap_sweep(cli_keymap *m, int (*visit)(void *arg, void *val), void *arg) {
  for (size_t i = 0; i < m->nslots; i++) {
    cli_keyent **link = &m->slots[i];
    while (*link) {
      cli_keyent *e = *link;
      if (visit(arg, e->val)) {
        link = &e->next;
        continue;
      }
      *link = e->next;
      free(e);
      m->n--;
    }
  }
}

static int drop(void *free_val, void *val) {
  if (free_val) (*(void (**)(void *))free_val)(val);
  return 0;
}

void cli_keymap_clear(cli_keymap *m, void (*free_val)(void *val)) {
  cli_keymap_sweep(m, drop, free_val ? (void *)&free_val : NULL);
  free(m->slots);
  m->slots = NULL;
  m->nslots = m->n = 0;
}

/* ---- the row diff ------------------------------------------------------------ */

typedef struct rd_entry {
  uint32_t prev, now;  /* copies in the previous run, in this one */
  uint64_t seq;
  size_t rlen;
  unsigned char *row;
} rd_entry;

static int keep_row(rd_entry *e, const void *row, size_t rlen) {
  if (e->row && e->rlen == rlen && !memcmp(e->row, row, rlen)) return 0;
  unsigned char *copy = malloc(rlen ? rlen : 1);
  if (!copy) return -1;
  memcpy(copy, row, rlen);
  free(e->row);
  e->row = copy;
  e->rlen = rlen;
  return 0;
}

int cli_rowdiff_add(cli_rowdiff *d, const void *key, size_t klen,
                    const void *row, size_t rlen) {
  rd_entry *e = cli_keymap_get(&d->map, key, klen);
  if (!e) {
    e = calloc(1, sizeof *e);
    if (!e || keep_row(e, row, rlen) != 0 || cli_keymap_put(&d->map, key, klen, e) != 0) {
      if (e) free(e->row);
      free(e);
      return -1;
    }
    e->seq = d->seq++;
  } else if (keep_row(e, row, rlen) != 0) {
    return -1;
  }
  e->now++;
  return e->now > e->prev;
}

/* The entries that lost copies, gathered to be reported in order. */
typedef struct rd_losses {
  rd_entry **v;
  size_t n, cap;
  int oom;
} rd_losses;

static int gather_loss(void *arg, void *val) {
  rd_losses *l = arg;
  rd_entry *e = val;
  if (e->now >= e->prev || l->oom) return 1;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    rd_entry **v = realloc(l->v, cap * sizeof *v);
    if (!v) {
      l->oom = 1;
      return 1;
    }
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = e;
  return 1;
}

static int by_seq(const void *a, const void *b) {
  uint64_t x = (*(rd_entry *const *)a)->seq, y = (*(rd_entry *const *)b)->seq;
  return x < y ? -1 : x > y;
}

/* This run becomes the previous one; keys no longer seen are dropped. */
static int next_run(void *arg, void *val) {
  rd_entry *e = val;
  (void)arg;
  e->prev = e->now;
  e->now = 0;
  if (e->prev) return 1;
  free(e->row);
  free(e);
  return 0;
}

int cli_rowdiff_end(cli_rowdiff *d, cli_rowdiff_gone_fn *gone, void *arg) {
  rd_losses l = {NULL, 0, 0, 0};
  int rc = 0;
  cli_keymap_sweep(&d->map, gather_loss, &l);
  if (l.oom) rc = -1;
  if (rc == 0 && l.n) qsort(l.v, l.n, sizeof *l.v, by_seq);
  for (size_t i = 0; rc == 0 && i < l.n; i++)
    for (uint32_t k = l.v[i]->now; rc == 0 && k < l.v[i]->prev; k++)
      rc = gone(arg, l.v[i]->row, l.v[i]->rlen);
  free(l.v);
  cli_keymap_sweep(&d->map, next_run, NULL);
  return rc;
}

static void free_entry(void *val) {
  rd_entry *e = val;
  free(e->row);
  free(e);
}

void cli_rowdiff_free(cli_rowdiff *d) {
  cli_keymap_clear(&d->map, free_entry);
  d->seq = 0;
}
