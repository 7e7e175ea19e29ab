/*
 * test_connections.c: who talks to whom, on a host with two containers
 * built for real (tests/common/scene.h, as root): the connections view
 * must pair each connection with the right processes, containers and
 * namespaces, through every way the scene has:
 *   - pn-client (container "client") to pn-web (container "web") over
 *     the veth pairs, routed by the host namespace;
 *   - the same through the host's published port 9090 (nftables DNAT to
 *     web's 8080), with the conntrack entry's address;
 *   - pn-client's connected UDP socket to web's bound one;
 *   - pn-lcli to pn-lsrv over loopback;
 *   - pn-upar and pn-uchild, a unix socketpair split by a fork;
 *   - pn-pw writing into a pipe pn-pr reads.
 * exposure must say web's 8080 is published (by the docker-proxy of the
 * scene and by the DNAT), its 127.0.0.1 listener only on loopback and the
 * proxy's listener on the host; containers, conntrack and net_addresses
 * must give what the scene made; and the view must read each process's
 * descriptors once.
 */
#include "pn_test.h"
#include "scene.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pn_scene S;
static const char *self;

static int setup(void **state) {
  (void)state;
  pn_scene_build(&S, self);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  pn_scene_drop(&S);
  return 0;
}

#define NEED_SCENE() PN_NEED_SCENE(&S)

static sqlite3 *open_db(void) {
  sqlite3 *db = pn_open(NULL);
  if (S.containers) pn_exec(db, "SELECT procnet_host_root('%s')", S.host_root);
  pn_exec(db, "SELECT procnet_create_views()");
  return db;
}

/* The container a row should name: NULL ("-") when the scene could not
 * give the processes their cgroups. */
static const char *container(const char *name) { return S.containers ? name : "-"; }

/* ---- the pairs --------------------------------------------------------------------- */

static void tcp_across_containers(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  char want[512];
  snprintf(want, sizeof want,
           "nat|pn-client|%s|10.231.2.2|pn-web|%s|10.231.1.2|8080|dnat|10.231.2.1|9090|1|1\n"
           "routed|pn-client|%s|10.231.2.2|pn-web|%s|10.231.1.2|8080|-|-|-|1|1\n",
           container("client"), container("web"), container("client"), container("web"));
  assert_rows(db, want,
              "SELECT via, src_process, coalesce(src_container, '-'), src_address,"
              " dst_process, coalesce(dst_container, '-'), dst_address, dst_port,"
              " coalesce(nat, '-'), coalesce(nat_address, '-'), coalesce(nat_port, '-'),"
              " src_netns = %lld, dst_netns = %lld"
              " FROM connections WHERE kind = 'tcp' AND src_pid = %d AND dst_pid = %d"
              " ORDER BY via",
              S.netns[PN_SC_CLIENT_NS], S.netns[PN_SC_WEB_NS], (int)S.pid[PN_SC_CLIENT],
              (int)S.pid[PN_SC_WEB]);
  /* nothing else of the client's: no look-alike, no external end */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM connections WHERE %d IN (src_pid, dst_pid)"
                              " AND kind = 'tcp'", (int)S.pid[PN_SC_CLIENT]), 2);
  pn_close(db);
}

static void udp_to_a_bound_server(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  assert_rows(db, "udp-bound|pn-client|10.231.2.2|pn-web|10.231.1.2|5353\n",
              "SELECT via, src_process, src_address, dst_process, dst_address, dst_port"
              " FROM connections WHERE kind = 'udp' AND src_pid = %d AND dst_pid = %d",
              (int)S.pid[PN_SC_CLIENT], (int)S.pid[PN_SC_WEB]);
  pn_close(db);
}

static void loopback_pair(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  char want[256];
  snprintf(want, sizeof want, "tcp|netns|ESTABLISHED|pn-lcli|127.0.0.1|pn-lsrv|127.0.0.1|%d|1|1\n",
           S.loop_port);
  assert_rows(db, want,
              "SELECT kind, via, state, src_process, src_address, dst_process, dst_address,"
              " dst_port, src_netns = %lld, dst_netns = src_netns"
              " FROM connections WHERE src_pid = %d AND dst_pid = %d",
              S.netns_self, (int)S.pid[PN_SC_LCLI], (int)S.pid[PN_SC_LSRV]);
  pn_close(db);
}

static void unix_socketpair_across_a_fork(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  assert_rows(db, "unix|unix-peer|pn-uchild|pn-upar|CONNECTED\n",
              "SELECT kind, via, min(src_process, dst_process), max(src_process, dst_process),"
              " state FROM connections WHERE kind = 'unix'"
              " AND ((src_pid = %d AND dst_pid = %d) OR (src_pid = %d AND dst_pid = %d))",
              (int)S.pid[PN_SC_UPAR], (int)S.pid[PN_SC_UCHILD], (int)S.pid[PN_SC_UCHILD],
              (int)S.pid[PN_SC_UPAR]);
  pn_close(db);
}

static void pipe_between_two_processes(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  assert_rows(db, "pipe|pipe|pn-pw|pn-pr|1\n",
              "SELECT kind, via, src_process, dst_process, src_inode = dst_inode"
              " FROM connections WHERE kind = 'pipe' AND src_pid = %d AND dst_pid = %d",
              (int)S.pid[PN_SC_PW], (int)S.pid[PN_SC_PR]);
  /* the reader is never the source of the pipe (under valgrind, each
   * process also holds a copy of valgrind's own output, which it may not
   * close: that pipe is not the scene's) */
  assert_int_equal(pn_int(db, "SELECT count(*) FROM connections WHERE src_pid = %d"
                              " AND src_inode IN (SELECT src_inode FROM connections"
                              " WHERE kind = 'pipe' AND src_pid = %d AND dst_pid = %d)",
                          (int)S.pid[PN_SC_PR], (int)S.pid[PN_SC_PW], (int)S.pid[PN_SC_PR]),
                   0);
  pn_close(db);
}

/* ---- listeners ----------------------------------------------------------------------- */

static void exposure_of_listeners(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  char want[256];
  snprintf(want, sizeof want,
           "published|10.231.2.1|9090|dnat|%s\npublished|0.0.0.0|%d|docker-proxy|%s\n",
           container("web"), S.proxy_port, container("web"));
  assert_rows(db, want,
              "SELECT exposure, public_address, public_port, via, coalesce(container, '-')"
              " FROM exposure WHERE pid = %d AND port = 8080 ORDER BY via",
              (int)S.pid[PN_SC_WEB]);
  assert_rows(db, "loopback|127.0.0.1\n",
              "SELECT exposure, address FROM exposure WHERE pid = %d AND port = 8081",
              (int)S.pid[PN_SC_WEB]);
  assert_rows(db, "namespace|udp\n",
              "SELECT exposure, proto FROM exposure WHERE pid = %d AND port = 5353",
              (int)S.pid[PN_SC_WEB]);
  /* the proxy listens in the test's namespace: the host's when it is pid 1's */
  int host = pn_int(db, "SELECT count(*) FROM processes WHERE pid = 1 AND netns = %lld",
                    S.netns_self) == 1;
  snprintf(want, sizeof want, "%s|docker-proxy\n", host ? "host" : "namespace");
  assert_rows(db, want, "SELECT exposure, process FROM exposure WHERE pid = %d AND port = %d",
              (int)S.pid[PN_SC_PROXY], S.proxy_port);
  pn_close(db);
}

/* ---- the tables under the views --------------------------------------------------------- */

static void containers_of_the_processes(void **state) {
  (void)state;
  NEED_SCENE();
  if (!S.containers) skip();
  sqlite3 *db = open_db();
  char want[512];
  snprintf(want, sizeof want, "docker|%s|web|-\n-|-|-|pn-test.service\npodman|%s|client|-\n",
           S.web_id, S.client_id);
  assert_rows(db, want,
              "SELECT coalesce(runtime, '-'), coalesce(container_id, '-'), coalesce(name, '-'),"
              " CASE WHEN runtime IS NULL THEN unit ELSE '-' END"
              " FROM containers WHERE pid IN (%d, %d, %d) ORDER BY pid = %d, pid = %d",
              (int)S.pid[PN_SC_WEB], (int)S.pid[PN_SC_CLIENT], (int)S.pid[PN_SC_LSRV],
              (int)S.pid[PN_SC_CLIENT], (int)S.pid[PN_SC_LSRV]);
  /* without the runtime's state: the id, no name, never an error */
  pn_exec(db, "SELECT procnet_host_root('/')");
  assert_rows(db, "docker|-\n", "SELECT runtime, coalesce(name, '-') FROM containers WHERE pid = %d",
              (int)S.pid[PN_SC_WEB]);
  pn_close(db);
}

/* What a command prints (sqlite3_free it). */
static char *output_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *output_of(const char *fmt, ...) {
  char cmd[512], chunk[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  if (!p) fail_msg("popen %s", cmd);
  sqlite3_str *out = sqlite3_str_new(NULL);
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) sqlite3_str_append(out, chunk, (int)n);
  pclose(p);
  char *s = sqlite3_str_finish(out);
  return s ? s : sqlite3_mprintf("");
}

/* The published port's entry, from ctnetlink and, with netlink off, from
 * the text file through pn-sleeper: the same row, and the tuples
 * `conntrack -L` prints in that namespace. */
static void conntrack_both_sources(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  const char *want = "tcp|ESTABLISHED|10.231.2.2|10.231.2.1|9090|10.231.1.2|8080|1|0\n";
  const char *q = "SELECT protocol, state, orig_src, orig_dst, orig_dport, reply_src,"
                  " reply_sport, dnat, snat FROM conntrack WHERE netns = %lld AND orig_dport = 9090";
  assert_rows(db, want, q, S.netns[PN_SC_HOST_NS]);
  int sport = (int)pn_int(db, "SELECT orig_sport FROM conntrack WHERE netns = %lld"
                              " AND orig_dport = 9090", S.netns[PN_SC_HOST_NS]);
  pn_exec(db, "SELECT procnet_netlink('off')");
  assert_rows(db, want, q, S.netns[PN_SC_HOST_NS]);
  pn_close(db);
  char *listed = output_of("command -v conntrack >/dev/null && ip netns exec %s conntrack -L"
                           " -p tcp 2>/dev/null", S.ns[PN_SC_HOST_NS]);
  if (*listed) {
    char tuples[256];
    snprintf(tuples, sizeof tuples,
             "src=10.231.2.2 dst=10.231.2.1 sport=%d dport=9090 src=10.231.1.2"
             " dst=10.231.2.2 sport=8080 dport=%d", sport, sport);
    if (!strstr(listed, tuples)) fail_msg("conntrack -L has no \"%s\":\n%s", tuples, listed);
  }
  sqlite3_free(listed);
}

static void addresses_of_each_namespace(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  assert_rows(db, "eth0|10.231.1.2|24|global\nlo|127.0.0.1|8|host\n",
              "SELECT interface, address, prefixlen, scope FROM net_addresses"
              " WHERE netns = %lld AND family = 'IPv4' ORDER BY address",
              S.netns[PN_SC_WEB_NS]);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_addresses WHERE netns = %lld"
                              " AND interface = '%s' AND address = '10.231.1.1'",
                          S.netns[PN_SC_HOST_NS], S.veth[0]), 1);
  pn_close(db);
}

/* ---- cost and degraded sources ---------------------------------------------------------- */

/* Each process's descriptors are listed once (the index the pipes and
 * holders share), and the pairing is one scan. */
static void descriptors_read_once(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  int64_t before = pn_stat(db, "fd_dirs_listed");
  int64_t rows = pn_int(db, "SELECT count(*) FROM connections");
  int64_t listed = pn_stat(db, "fd_dirs_listed") - before;
  int64_t procs = pn_int(db, "SELECT count(*) FROM processes");
  assert_true(rows >= 6);
  if (listed > procs + 5) fail_msg("%lld fd listings for %lld processes", (long long)listed,
                                   (long long)procs);
  char *plan = pn_plan(db, "SELECT * FROM connections");
  assert_non_null(strstr(plan, "SCAN inet_connections"));
  assert_null(strstr(plan, "SCAN hs VIRTUAL TABLE INDEX 0"));
  sqlite3_free(plan);
  pn_close(db);
}

/* Without netlink: no unix peers, no addresses to prove a peer in another
 * namespace; the loopback pair and the pipe are still there, and nothing
 * fails. */
static void without_netlink(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = open_db();
  pn_exec(db, "SELECT procnet_netlink('off')");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM connections WHERE src_pid = %d"
                              " AND dst_pid = %d AND via = 'netns'",
                          (int)S.pid[PN_SC_LCLI], (int)S.pid[PN_SC_LSRV]), 1);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM connections WHERE src_pid = %d"
                              " AND dst_pid = %d AND via = 'pipe'",
                          (int)S.pid[PN_SC_PW], (int)S.pid[PN_SC_PR]), 1);
  assert_int_equal(pn_int(db, "SELECT count(*) FROM connections WHERE via = 'routed'"
                              " AND src_pid = %d", (int)S.pid[PN_SC_CLIENT]), 0);
  pn_close(db);
}

int main(int argc, char **argv) {
  pn_scene_proxy_main(argc, argv);
  self = argv[0];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tcp_across_containers),
      cmocka_unit_test(udp_to_a_bound_server),
      cmocka_unit_test(loopback_pair),
      cmocka_unit_test(unix_socketpair_across_a_fork),
      cmocka_unit_test(pipe_between_two_processes),
      cmocka_unit_test(exposure_of_listeners),
      cmocka_unit_test(containers_of_the_processes),
      cmocka_unit_test(conntrack_both_sources),
      cmocka_unit_test(addresses_of_each_namespace),
      cmocka_unit_test(descriptors_read_once),
      cmocka_unit_test(without_netlink),
  };
  return cmocka_run_group_tests_name("connections", tests, setup, teardown);
}
