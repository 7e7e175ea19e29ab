/*
 * test_sockindex.c: the radix sort (sort.c) and the inode index over
 * several socket sets (sockindex.c): the lookups an lsof listing makes for
 * each descriptor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sockindex.h"
#include "sort.h"

typedef struct elem {
  uint64_t key;
  uint64_t seq; /* the place before the sort */
} elem;

static uint64_t next_random(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Keys drawn from `mask` (few distinct ones: many ties), sorted, against
 * the order a comparison would give (key, then the place before). */
static void check_sort(size_t n, uint64_t mask, uint64_t seed) {
  elem *v = malloc((n ? n : 1) * sizeof *v), *tmp = malloc((n ? n : 1) * sizeof *tmp);
  assert_non_null(v);
  assert_non_null(tmp);
  for (size_t i = 0; i < n; i++) v[i] = (elem){next_random(&seed) & mask, i};
  pn_sort_by_key64(v, tmp, n, sizeof *v);
  for (size_t i = 1; i < n; i++) {
    assert_true(v[i - 1].key <= v[i].key);
    if (v[i - 1].key == v[i].key) assert_true(v[i - 1].seq < v[i].seq);
  }
  free(v);
  free(tmp);
}

static void test_sort_orders_and_keeps_ties(void **state) {
  (void)state;
  check_sort(0, ~0ull, 1);
  check_sort(1, ~0ull, 2);
  check_sort(2, 1, 3);
  check_sort(5000, 0xff, 4);                 /* one byte: one pass */
  check_sort(5000, 0x1ffffff, 5);            /* inode numbers */
  check_sort(5000, 0xff00000000ff0000ull, 6); /* bytes skipped between */
  check_sort(5000, ~0ull, 7);                /* every byte */
  check_sort(5000, 0, 8);                    /* all equal: nothing moves */
}

/* A set of records with these inodes. */
static pn_sockset *set_of(const uint64_t *inodes, size_t n) {
  pn_sockset *s = calloc(1, sizeof *s);
  assert_non_null(s);
  s->v = calloc(n ? n : 1, sizeof *s->v);
  assert_non_null(s->v);
  for (size_t i = 0; i < n; i++) s->v[i].inode = inodes[i];
  s->n = n;
  return s;
}

static void free_set(pn_sockset *s) {
  if (!s) return;
  free(s->v);
  free(s);
}

static void test_index_finds_every_record(void **state) {
  (void)state;
  /* tcp and tcp6 of two namespaces, one of them empty, and a NULL set;
   * TIME-WAIT sockets have inode 0 */
  const uint64_t a[] = {500, 0, 120, 77};
  const uint64_t b[] = {121, 0};
  const uint64_t d[] = {9000, 120};
  pn_sockset *sets[] = {set_of(a, 4), set_of(b, 2), NULL, set_of(NULL, 0), set_of(d, 2)};
  pn_sockindex ix = {0};
  assert_int_equal(pn_sockindex_build(&ix, (const pn_sockset *const *)sets, 5), 0);
  assert_int_equal(ix.n, 8);

  size_t at = pn_sockindex_find(&ix, 77);
  assert_true(at < ix.n);
  assert_int_equal(ix.v[at].part, 0);
  assert_int_equal(ix.v[at].rec, 3);
  assert_true(at + 1 == ix.n || ix.v[at + 1].inode != 77);

  /* an inode in two sets: both, in the order of the sets */
  at = pn_sockindex_find(&ix, 120);
  assert_int_equal(ix.v[at].part, 0);
  assert_int_equal(ix.v[at].rec, 2);
  assert_int_equal(ix.v[at + 1].inode, 120);
  assert_int_equal(ix.v[at + 1].part, 4);
  assert_int_equal(ix.v[at + 1].rec, 1);

  at = pn_sockindex_find(&ix, 0);
  assert_int_equal(ix.v[at].part, 0);
  assert_int_equal(ix.v[at + 1].part, 1);

  assert_int_equal(pn_sockindex_find(&ix, 9000), ix.n - 1);
  assert_int_equal(pn_sockindex_find(&ix, 122), ix.n); /* between two */
  assert_int_equal(pn_sockindex_find(&ix, 1), ix.n);
  assert_int_equal(pn_sockindex_find(&ix, UINT64_MAX), ix.n);

  /* built again: replaced, not added to */
  assert_int_equal(pn_sockindex_build(&ix, (const pn_sockset *const *)sets, 1), 0);
  assert_int_equal(ix.n, 4);
  assert_int_equal(pn_sockindex_find(&ix, 9000), ix.n);
  pn_sockindex_free(&ix);
  assert_null(ix.v);
  for (size_t i = 0; i < 5; i++) free_set(sets[i]);
}

static void test_index_of_nothing(void **state) {
  (void)state;
  pn_sockindex ix = {0};
  assert_int_equal(pn_sockindex_build(&ix, NULL, 0), 0);
  assert_int_equal(ix.n, 0);
  assert_int_equal(pn_sockindex_find(&ix, 5), 0);
  pn_sockindex_free(&ix);
  pn_sockindex_free(&ix); /* twice: harmless */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sort_orders_and_keeps_ties),
      cmocka_unit_test(test_index_finds_every_record),
      cmocka_unit_test(test_index_of_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
