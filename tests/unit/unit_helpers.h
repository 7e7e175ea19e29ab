/*
 * unit_helpers.h: helpers shared by the parser unit tests (tests/unit/).
 */
#ifndef PN_UNIT_HELPERS_H
#define PN_UNIT_HELPERS_H

#include <stddef.h>

#include "parse.h"
#include "parse_diag.h"

#include <stdint.h>

/* A malloc'd copy of exactly n bytes (no terminator): reading past it is an
 * error the sanitizers see. */
char *dup_exact(const char *s, size_t n);
/* Reads tests/fixtures/captured/NAME into a malloc'd block of its size. */
char *load_fixture(const char *name, size_t *len);
/* Asserts that the slice holds exactly `want`. */
void assert_slice(pn_str s, const char *want);

/* ---- captured netlink replies ------------------------------------------------
 * tests/fixtures/netlink/NAME.bin, a reply as the kernel sent it, and
 * NAME.txt, its scene as the capture program saw it (see NOTES there). */

/* Reads tests/fixtures/netlink/NAME (a malloc'd block of its size). */
char *load_nl_reply(const char *name, size_t *len);
/* The value of `key=` on the line of NAME.txt that starts with `label`,
 * into out (cap bytes); fails the test when there is none. */
void scene_text(const char *name, const char *label, const char *key,
                char *out, size_t cap);
/* The same, a decimal number. */
uint64_t scene_u64(const char *name, const char *label, const char *key);

/* A captured dump: its messages, checked to end in a clean DONE. */
#define DUMP_MAX_MSGS 32
typedef struct dump {
  char *buf;
  size_t len;
  size_t n;
  pn_nlmsg msg[DUMP_MAX_MSGS];
} dump;
/* Loads NAME.bin: SOCK_DIAG_BY_FAMILY messages, each flagged NLM_F_MULTI,
 * ending in a clean NLMSG_DONE that ends the file (d->buf: free it). */
void load_dump(const char *name, dump *d);

/* ---- netlink messages made up (hostile input) --------------------------------
 * A message or payload under construction. */
typedef struct msgbuf {
  uint8_t b[2048];
  size_t n;
} msgbuf;

/* Appends n bytes. */
void put(msgbuf *m, const void *p, size_t n);
/* Appends an attribute of type with n bytes of value, padded to 4 unless
 * pad is 0. */
void put_attr_raw(msgbuf *m, uint16_t type, const void *v, size_t n, int pad);
void put_attr(msgbuf *m, uint16_t type, const void *v, size_t n);

#endif
