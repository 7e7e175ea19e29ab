/*
 * sockcol.h: the columns of the socket tables, as fields of a record.
 *
 * Every socket table is a list of fields (its schema's columns in order);
 * a field means the same in every table that has it, and one function
 * gives its value for any kind of socket. A field a kind does not have is
 * NULL (addresses of a unix socket, a path of a TCP one), as is a field
 * its source did not give (sockrec.h).
 */
#ifndef PROCNET_SOCKCOL_H
#define PROCNET_SOCKCOL_H

#include "netscan.h"
#include "sockfield.h"

#include <string.h>

/* What field f needs from the source of a record of kind k: PN_WANT_*
 * (sockstore.h), 0 when every source has it. */
unsigned pn_field_want(pn_field f, const pn_sockkind *k);

/* Sets the result to field f of the row (NULL when it has none). Not for
 * PN_F_NS_PID and PN_F_NETNS. SQLITE_OK or SQLITE_NOMEM. */
int pn_sock_field(const pn_sockrow *r, sqlite3_context *ctx, pn_field f);

/* The name of interface `ifindex` in the row's namespace into out, or 0
 * when it cannot be known (netscan.c asks the store, sockstore.h). */
int pn_sockrow_ifname(const pn_sockrow *r, uint32_t ifindex, char out[16]);

/* ---- between sockcol.c and sockcol_ext.c ------------------------------------ */

/* The fields of sock_diag's extensions (f >= PN_F_CA_STATE): TCP
 * internals, a packet socket's details, the socket memory. */
int pn_sockx_value(const pn_sockrow *r, pn_field f, pn_value *v);
/* Setters of a value (v->type is SQLITE_NULL before); inline: a value is
 * set for every column of every row. */
static inline void pn_value_int(pn_value *v, sqlite3_int64 n) {
  v->type = SQLITE_INTEGER;
  v->i = n;
}
static inline void pn_value_u64(pn_value *v, uint64_t n) { pn_value_int(v, (sqlite3_int64)n); }
static inline void pn_value_text(pn_value *v, const char *s, size_t n, int life,
                                 int terminated) {
  v->type = SQLITE_TEXT;
  v->text = s;
  v->n = n;
  v->life = (unsigned char)life;
  v->terminated = (unsigned char)terminated;
}
/* NULL: stays NULL. */
static inline void pn_value_static(pn_value *v, const char *s) {
  if (s) pn_value_text(v, s, strlen(s), PN_TEXT_STATIC, 1);
}
/* The first n bytes of v->buf, terminated here. */
static inline void pn_value_buf(pn_value *v, size_t n) {
  v->buf[n] = '\0';
  pn_value_text(v, v->buf, n, PN_TEXT_ROW, 1);
}

#endif
