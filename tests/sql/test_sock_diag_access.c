/*
 * test_sock_diag_access.c: where sock_diag may go and what it is asked,
 * on the scene of diag_scene.h, as root:
 *  - the text files and sock_diag give the same rows;
 *  - one socket by inode is one request where the kernel can name it;
 *  - with procnet_netlink('self') and ('off'), and for a reader that is
 *    not root, the rows are the same and the sock_diag columns are NULL
 *    where netlink may not go, and no query fails;
 *  - namespaces no process is in are listed: one bind-mounted by ip netns
 *    add (always), one kept alive by a socket alone (with
 *    procnet_netns_scan('descriptors')); namespaces.net_name is the
 *    ip netns name;
 *  - after every test, every thread of this process is in the namespace
 *    it started in.
 */
#include "diag_scene.h"
#include "pn_test.h"
#include "procnet.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>

/* ---- the two sources agree -------------------------------------------------- */

/* The columns both sources have give the same rows through sock_diag (one
 * dump for tcp and tcp6) and through the text files. */
static void sources_agree(void **state) {
  (void)state;
  NEED_SCENE();
  static const char *const queries[] = {
      "SELECT family, local_address, local_port, remote_address, remote_port,"
      " state, tx_queue, rx_queue, timer, uid, inode, protocol, netns"
      " FROM %s WHERE netns IN (%lld, %lld) ORDER BY inode, local_port",
      "SELECT inode, path, type, state, flags, netns FROM %s"
      " WHERE netns IN (%lld, %lld) ORDER BY inode",
      "SELECT inode, type, protocol, ifindex, running, rx_queue, uid, netns FROM %s"
      " WHERE netns IN (%lld, %lld) ORDER BY inode"};
  static const char *const tables[][2] = {
      {"net_tcp", "net_udp"}, {"net_unix", NULL}, {"net_packet", NULL}};
  sqlite3 *db = pn_open(NULL);
  for (int q = 0; q < 3; q++)
    for (int t = 0; t < 2 && tables[q][t]; t++) {
      pn_exec(db, "SELECT procnet_netlink('all')");
      int64_t dumps = pn_stat(db, "netlink_dumps");
      char *diag = pn_rows(db, queries[q], tables[q][t], DS.netns[0], DS.netns[1]);
      assert_true(pn_stat(db, "netlink_dumps") > dumps);
      pn_exec(db, "SELECT procnet_netlink('off')");
      char *text = pn_rows(db, queries[q], tables[q][t], DS.netns[0], DS.netns[1]);
      if (strcmp(diag, text) != 0)
        fail_msg("%s: sock_diag\n%sthe text files\n%s", tables[q][t], diag, text);
      assert_true(strlen(diag) > 0);
      sqlite3_free(diag);
      sqlite3_free(text);
    }
  pn_close(db);
}

/* ---- one socket by inode ------------------------------------------------------ */

/* The dumps a read of every namespace's tcp and tcp6 base rows makes. */
static int64_t base_dumps(void) {
  sqlite3 *db = pn_open(NULL);
  pn_int(db, "SELECT count(backlog) FROM net_tcp");
  int64_t n = pn_stat(db, "netlink_dumps");
  pn_close(db);
  return n;
}

/* A lookup of one socket asks the kernel for that socket: a unix socket by
 * its inode (no dump), an IP socket's TCP internals for it alone (the
 * snapshots without them, one dump per namespace for tcp and tcp6); and
 * gives what the whole table gives for it. */
static void one_socket_by_inode(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  long long tcp = pn_int(db, "SELECT inode FROM net_tcp WHERE netns = %lld AND state ="
                             " 'ESTABLISHED' AND local_port = %d", DS.netns[0], PORT_BACKLOG);
  long long unx = pn_int(db, "SELECT inode FROM net_unix WHERE netns = %lld AND peer_inode"
                             " IS NOT NULL LIMIT 1", DS.netns[1]);
  int64_t before = base_dumps();
  char *whole = pn_rows(db, "SELECT kind, snd_mss, advmss, rcv_space, skmem_rb, netns"
                            " FROM sock_diag WHERE kind = 'tcp' AND inode = %lld"
                            " AND inode IN (SELECT inode FROM sock_diag)", tcp);
  pn_close(db);

  db = pn_open(NULL);
  char *one = pn_rows(db, "SELECT kind, snd_mss, advmss, rcv_space, skmem_rb, netns"
                          " FROM sock_diag WHERE kind = 'tcp' AND inode = %lld", tcp);
  assert_string_equal(one, whole);
  assert_true(strstr(one, "tcp|") == one);
  assert_int_equal(pn_stat(db, "netlink_requests"), 1);
  /* tcp and tcp6 of each namespace in one dump, without the extensions: as
   * many dumps as a base read of the table makes (measured either side, as
   * other programs may add or remove namespaces meanwhile) */
  int64_t dumps = pn_stat(db, "netlink_dumps");
  int64_t after = base_dumps();
  assert_true(dumps >= 1);
  assert_true(dumps <= (before > after ? before : after));
  pn_close(db);

  db = pn_open(NULL);
  char expect[64];
  snprintf(expect, sizeof expect, "%lld|%lld\n", unx, DS.netns[1]);
  assert_rows(db, expect, "SELECT inode, netns FROM net_unix WHERE inode = %lld", unx);
  /* every namespace is asked (one request each), none dumped; counted in a
   * fresh connection below, kept to the scene's namespace, as other
   * programs may make and remove namespaces meanwhile */
  pn_close(db);
  db = pn_open(NULL);
  long long peer = pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld"
                              " AND netns = %lld", unx, DS.netns[1]);
  assert_true(peer > 0);
  /* its peer points back */
  assert_int_equal(pn_int(db, "SELECT peer_inode FROM net_unix WHERE inode = %lld"
                              " AND netns = %lld", peer, DS.netns[1]), unx);
  /* two lookups, one request each, no dump */
  assert_int_equal(pn_stat(db, "netlink_dumps"), 0);
  assert_int_equal(pn_stat(db, "netlink_requests"), 2);
  pn_close(db);
  sqlite3_free(whole);
  sqlite3_free(one);
}

/* ---- where netlink may not go ---------------------------------------------- */

/* Counts as one line: the scene's tcp rows, and how many have a backlog
 * and a cookie; its packet sockets, and how many have a cookie and a
 * version. */
static char *scene_counts(sqlite3 *db) {
  return pn_rows(db, "SELECT count(*), count(backlog), count(cookie),"
                     " (SELECT count(*) || '|' || count(cookie) || '|' || count(packet_version)"
                     "  FROM sock_diag WHERE kind = 'packet' AND netns IN (%lld, %lld))"
                     " FROM sockets"
                     " WHERE kind = 'tcp' AND local_port = %d AND netns IN (%lld, %lld)",
                 DS.netns[0], DS.netns[1], PORT_BACKLOG, DS.netns[0], DS.netns[1]);
}

static void netlink_switch_keeps_rows(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, "all\n", "SELECT procnet_netlink()");
  char *all = scene_counts(db);
  /* listener and accepted end, twice; a packet socket in each */
  assert_string_equal(all, "4|2|4|2|2|2\n");
  assert_rows(db, "self\n", "SELECT procnet_netlink('self')");
  char *self = scene_counts(db);
  assert_string_equal(self, "4|0|0|2|0|0\n");
  /* the caller's namespace still has them */
  assert_int_equal(pn_int(db, "SELECT count(*) = count(cookie) FROM sockets"
                              " WHERE kind = 'tcp' AND netns = procnet_netns()"), 1);
  assert_rows(db, "off\n", "SELECT procnet_netlink('off')");
  char *off = scene_counts(db);
  assert_string_equal(off, "4|0|0|2|0|0\n");
  assert_int_equal(pn_int(db, "SELECT count(cookie) FROM sockets"), 0);
  char *err = pn_error(db, "SELECT procnet_netlink('sometimes')");
  assert_non_null(strstr(err, "'all', 'self' or 'off'"));
  sqlite3_free(err);
  sqlite3_free(all);
  sqlite3_free(self);
  sqlite3_free(off);
  pn_close(db);
}

/* A reader that is not root: its own namespace through netlink, the
 * scene's only through the text files (it may not enter them, nor read
 * their processes' ns/net links). */
static void unprivileged_reader(void **state) {
  (void)state;
  NEED_SCENE();
  int host = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(host, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(host, 33), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(host, (struct sockaddr *)&a, &len), 0);
  int port = ntohs(a.sin_port);
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t kid = fork();
  assert_true(kid >= 0);
  if (kid == 0) {
    close(p[0]);
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
      _exit(2);
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) _exit(3);
    char *err = NULL;
    if (procnet_register(db, &err) != SQLITE_OK) _exit(4);
    char buf[512];
    sqlite3_stmt *st;
    snprintf(buf, sizeof buf,
             "SELECT (SELECT backlog FROM sockets WHERE kind = 'tcp' AND local_port = %d"
             "        AND netns = procnet_netns()),"
             "       (SELECT count(*) || ',' || count(backlog) FROM sockets"
             "        WHERE kind = 'tcp' AND local_port = %d AND state = 'LISTEN'"
             "        AND ns_pid IN (%d, %d)),"
             "       (SELECT count(*) FROM sock_diag) > 0",
             port, PORT_BACKLOG, (int)DS.pid[0], (int)DS.pid[1]);
    if (sqlite3_prepare_v2(db, buf, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
      _exit(5);
    dprintf(p[1], "%s|%s|%s", (const char *)sqlite3_column_text(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    sqlite3_close(db);
    _exit(0);
  }
  close(p[1]);
  char out[128] = {0};
  ssize_t n = read(p[0], out, sizeof out - 1);
  close(p[0]);
  int status;
  waitpid(kid, &status, 0);
  close(host);
  assert_true(pn_child_ok(status));
  assert_true(n > 0);
  /* own namespace: the backlog; the scene's two listeners: rows, no
   * backlog; sock_diag answered */
  assert_string_equal(out, "33|2,0|1");
}

/* ---- namespaces no process is in ----------------------------------------- */

#define PORT_MOUNTED 7011
#define PORT_STRAY 7012

/* Leaves this process's namespace for `into` (a mount, or a new one when
 * NULL), listens on port there, comes back, and reports the port's
 * namespace inode (SIOCGSKNS) and the listener's fd on fd `rep`. */
static void listen_elsewhere(const char *into, int port, int rep) {
  int home = pn_ds_must(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), "home");
  if (into) {
    int ns = pn_ds_must(open(into, O_RDONLY | O_CLOEXEC), "open netns");
    pn_ds_must(setns(ns, CLONE_NEWNET), "setns");
  } else {
    pn_ds_must(unshare(CLONE_NEWNET), "unshare");
  }
  pn_ds_bring_lo_up();
  int l = pn_ds_tcp_listener(AF_INET, port, 5, NULL, 0);
  pn_ds_must(setns(home, CLONE_NEWNET), "setns home");
  int ns = pn_ds_must(ioctl(l, SIOCGSKNS), "SIOCGSKNS");
  struct stat sb;
  pn_ds_must(fstat(ns, &sb), "fstat");
  dprintf(rep, "%lld %d", (long long)sb.st_ino, l);
  for (;;) pause();
}

static pid_t start_elsewhere(const char *into, int port, long long *ns, int *fd) {
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t kid = fork();
  assert_true(kid >= 0);
  if (kid == 0) {
    close(p[0]);
    listen_elsewhere(into, port, p[1]);
  }
  close(p[1]);
  char msg[64] = {0};
  assert_true(read(p[0], msg, sizeof msg - 1) > 0);
  close(p[0]);
  assert_int_equal(sscanf(msg, "%lld %d", ns, fd), 2);
  return kid;
}

static void unlisted_namespaces(void **state) {
  (void)state;
  NEED_SCENE();
  char name[64], path[128];
  snprintf(name, sizeof name, "pn_sd_%d_m", (int)getpid());
  snprintf(path, sizeof path, "/run/netns/%s", name);
  assert_int_equal(pn_ds_run("ip netns add %s", name), 0);
  long long mounted, stray;
  int mfd, sfd;
  pid_t a = start_elsewhere(path, PORT_MOUNTED, &mounted, &mfd);
  pid_t b = start_elsewhere(NULL, PORT_STRAY, &stray, &sfd);
  assert_int_equal(mounted, pn_ds_inode_of(path));
  sqlite3 *db = pn_open(NULL);
  /* the mounted one: its sockets, with their holder in another namespace;
   * its netlink sockets (no sock_diag for them) read from inside it */
  char expect[128];
  snprintf(expect, sizeof expect, "%lld|%d|%d\n", mounted, (int)a, mfd);
  assert_rows(db, expect, "SELECT t.netns, f.pid, f.fd FROM net_tcp t JOIN fds f"
              " USING (inode) WHERE t.local_port = %d AND t.state = 'LISTEN'",
              PORT_MOUNTED);
  assert_true(pn_int(db, "SELECT count(*) FROM net_netlink WHERE netns = %lld", mounted) > 0);
  /* the stray one: found through the descriptor, on request */
  assert_rows(db, "processes\n", "SELECT procnet_netns_scan()");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE local_port = %d",
                          PORT_STRAY), 0);
  assert_rows(db, "descriptors\n", "SELECT procnet_netns_scan('descriptors')");
  snprintf(expect, sizeof expect, "%lld|%d|%d\n", stray, (int)b, sfd);
  assert_rows(db, expect, "SELECT t.netns, f.pid, f.fd FROM net_tcp t JOIN fds f"
              " USING (inode) WHERE t.local_port = %d AND t.state = 'LISTEN'",
              PORT_STRAY);
  /* with netlink 'self' no thread may enter them: not listed, no error */
  pn_exec(db, "SELECT procnet_netlink('self')");
  assert_int_equal(pn_int(db, "SELECT count(*) FROM net_tcp WHERE local_port IN (%d, %d)",
                          PORT_MOUNTED, PORT_STRAY), 0);
  pn_close(db);
  kill(a, SIGKILL);
  kill(b, SIGKILL);
  waitpid(a, NULL, 0);
  waitpid(b, NULL, 0);
  pn_ds_run("ip netns del %s", name);
}

static void net_name_is_the_ip_netns_name(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  for (int i = 0; i < NSCENES; i++) {
    char expect[96];
    snprintf(expect, sizeof expect, "%s|%lld\n", DS.name[i], DS.netns[i]);
    assert_rows(db, expect, "SELECT net_name, net FROM namespaces WHERE pid = %d",
                (int)DS.pid[i]);
  }
  assert_rows(db, "NULL\n", "SELECT net_name FROM namespaces WHERE pid = %d", (int)getpid());
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(sources_agree, pn_ds_threads_home),
      cmocka_unit_test_teardown(one_socket_by_inode, pn_ds_threads_home),
      cmocka_unit_test_teardown(netlink_switch_keeps_rows, pn_ds_threads_home),
      cmocka_unit_test_teardown(unprivileged_reader, pn_ds_threads_home),
      cmocka_unit_test_teardown(unlisted_namespaces, pn_ds_threads_home),
      cmocka_unit_test_teardown(net_name_is_the_ip_netns_name, pn_ds_threads_home),
  };
  return cmocka_run_group_tests_name("sock_diag_access", tests, pn_ds_setup, pn_ds_teardown);
}
