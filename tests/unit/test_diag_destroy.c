/*
 * test_diag_destroy.c: sock_diag's destroy notifications, as procnet
 * record reads them (ext/sock_destroy.c hands each message to
 * pn_parse_inet_diag). tests/fixtures/netlink/inet_destroy.bin holds the
 * notifications of a scene captured on this kernel by capture_destroy.py
 * there: a TCP connection that carried 1000 bytes and closed (both ends),
 * a connected UDP socket, an unconnected one on ::1. inet_destroy.txt
 * lists their ports as the capture program knew them.
 *
 * What the tests pin down is what the kernel tells and what it does not:
 * addresses, ports, state, cookie, protocol and, for TCP, tcp_info; never
 * a uid, an inode or a cgroup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/sock_diag.h>

#include "parse_diag.h"
#include "unit_helpers.h"

#define MAX_MSGS 16

typedef struct capture {
  pn_inet_diag d[MAX_MSGS];
  int n;
  int server_port, client_port, udp4_port, udp6_port;
} capture;

/* The port= of the line of inet_destroy.txt that starts with label. */
static int port_of(const char *text, const char *label) {
  char want[32];
  int port = -1;
  snprintf(want, sizeof want, "\n%s port=", label);
  const char *p = strstr(text, want);
  if (p) sscanf(p + strlen(want), "%d", &port);
  return port;
}

static void load(capture *c) {
  size_t len, tlen, pos = 0;
  char *bin = load_fixture("../netlink/inet_destroy.bin", &len);
  char *txt = load_fixture("../netlink/inet_destroy.txt", &tlen);
  char *text = calloc(1, tlen + 2);
  assert_non_null(text);
  text[0] = '\n';
  memcpy(text + 1, txt, tlen);
  c->server_port = port_of(text, "server");
  c->client_port = port_of(text, "client");
  c->udp4_port = port_of(text, "udp4");
  c->udp6_port = port_of(text, "udp6");
  c->n = 0;
  pn_nlmsg m;
  pn_nl_step step;
  while ((step = pn_nl_next(bin, len, &pos, &m, NULL)) == PN_NL_MSG) {
    assert_int_equal(m.type, SOCK_DIAG_BY_FAMILY);
    assert_true(c->n < MAX_MSGS);
    assert_int_equal(pn_parse_inet_diag(m.payload.p, m.payload.n, &c->d[c->n]), 0);
    c->n++;
  }
  assert_int_equal(step, PN_NL_END); /* notifications end with no DONE */
  free(text);
  free(txt);
  free(bin);
}

static const pn_inet_diag *by_local_port(const capture *c, int port) {
  for (int i = 0; i < c->n; i++)
    if (c->d[i].local_port == port) return &c->d[i];
  fail_msg("no notification for local port %d", port);
  return NULL;
}

static void addr_is(int family, const uint8_t *a, const char *text) {
  char got[INET6_ADDRSTRLEN];
  assert_non_null(inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, got, sizeof got));
  assert_string_equal(got, text);
}

/* What no notification carries: the socket is gone with its owner. */
static void tells_no_owner(const pn_inet_diag *d) {
  assert_int_equal(d->uid, 0);
  assert_int_equal(d->inode, 0);
  assert_int_equal(d->has_cgroup_id, 0);
  assert_true(d->cookie != 0);
  assert_int_equal(d->has_protocol, 1);
}

static void one_notification_per_socket(void **state) {
  (void)state;
  capture c;
  load(&c);
  assert_int_equal(c.n, 4);
}

static void tcp_ends_carry_addresses_and_tcp_info(void **state) {
  (void)state;
  capture c;
  load(&c);
  const pn_inet_diag *srv = by_local_port(&c, c.server_port);
  const pn_inet_diag *cli = by_local_port(&c, c.client_port);
  for (int i = 0; i < 2; i++) {
    const pn_inet_diag *d = i ? cli : srv;
    tells_no_owner(d);
    assert_int_equal(d->protocol, IPPROTO_TCP);
    assert_int_equal(d->family, 4);
    assert_int_equal(d->state, 7); /* TCP_CLOSE: freed */
    addr_is(4, d->local_addr, "127.0.0.1");
    addr_is(4, d->remote_addr, "127.0.0.1");
    assert_true(PN_TCPI_HAS(d, tcpi_bytes_received));
  }
  assert_int_equal(srv->remote_port, c.client_port);
  assert_int_equal(cli->remote_port, c.server_port);
  /* the 1000 bytes, and the kernel counts the FIN (and, acked, the SYN)
   * as bytes too */
  assert_in_range(srv->tcp_info.tcpi_bytes_received, 1000, 1002);
  assert_in_range(cli->tcp_info.tcpi_bytes_acked, 1000, 1002);
  assert_true(srv->cookie != cli->cookie);
}

static void udp_sockets_carry_no_tcp_info(void **state) {
  (void)state;
  capture c;
  load(&c);
  const pn_inet_diag *u4 = by_local_port(&c, c.udp4_port);
  const pn_inet_diag *u6 = by_local_port(&c, c.udp6_port);
  tells_no_owner(u4);
  tells_no_owner(u6);
  assert_int_equal(u4->protocol, IPPROTO_UDP);
  assert_int_equal(u4->state, 1); /* connected */
  assert_int_equal(u4->remote_port, c.server_port);
  assert_int_equal(u4->tcp_info_len, 0);
  assert_int_equal(u6->family, 6);
  assert_int_equal(u6->state, 7); /* unconnected */
  addr_is(6, u6->local_addr, "::1");
  assert_int_equal(u6->remote_port, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_notification_per_socket),
      cmocka_unit_test(tcp_ends_carry_addresses_and_tcp_info),
      cmocka_unit_test(udp_sockets_carry_no_tcp_info),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
