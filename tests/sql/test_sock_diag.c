/*
 * test_sock_diag.c: what sock_diag gives, in every network namespace,
 * checked against ss run inside each namespace (ip netns exec), as root,
 * on the scene of diag_scene.h:
 *  - the ss view of each namespace equals `ip netns exec NS ss -tanp` and
 *    `ss -xap` in every column (backlog as Send-Q, %lo, [::], unix peers);
 *  - sock_diag equals the tokens of `ip netns exec NS ss -tanpieom` for
 *    each socket: ino, sk (cookie), v6only, skmem, options, congestion and
 *    every tcp_info field that does not move while the sockets are idle
 *    (rtt and the times since the last packet are only checked present);
 *    and those of `ss -0anpemb` for the packet socket: its device named in
 *    its namespace, version, flags, ring, fanout, filter and skmem;
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

/* ---- the ss view against ss in the namespace -------------------------------- */

/* Collapses runs of blanks and sorts the lines, skipping the header. */
static char *normalized(char *text, int skip_header) {
  char *lines[256];
  int n = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < 256;
       l = strtok_r(NULL, "\n", &save)) {
    if (skip_header-- > 0) continue;
    char *w = l;
    for (char *r = l; *r; r++) {
      int blank = *r == ' ' || *r == '\t';
      if (blank && (w == l || w[-1] == ' ')) continue;
      *w++ = blank ? ' ' : *r;
    }
    while (w > l && w[-1] == ' ') w--;
    *w = '\0';
    lines[n++] = l;
  }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
      char *t = lines[j];
      lines[j] = lines[j - 1];
      lines[j - 1] = t;
    }
  size_t len = 1;
  for (int i = 0; i < n; i++) len += strlen(lines[i]) + 1;
  char *out = malloc(len);
  assert_non_null(out);
  out[0] = '\0';
  for (int i = 0; i < n; i++) {
    strcat(out, lines[i]);
    strcat(out, "\n");
  }
  return out;
}

static char *view_text(sqlite3 *db, const char *cols, const char *where, long long ns) {
  char *rows = pn_rows(db, "SELECT %s FROM ss WHERE netns = %lld AND %s", cols, ns, where);
  for (char *p = rows; *p; p++)
    if (*p == '|') *p = ' ';
  char *out = normalized(rows, 0);
  sqlite3_free(rows);
  return out;
}

/* The ss view's rows (cols, where) of scene i's namespace are what
 * `ss OPTS` prints inside it; the view's text, to free. */
static char *view_is_ss(sqlite3 *db, int i, const char *opts, const char *cols,
                        const char *where) {
  char *raw = pn_ds_output_of("ip netns exec %s ss %s", DS.name[i], opts);
  char *tool = normalized(raw, 1);
  char *view = view_text(db, cols, where, DS.netns[i]);
  if (strcmp(tool, view) != 0)
    fail_msg("ss %s differs\nss:\n%sprocnet:\n%s", opts, tool, view);
  free(raw);
  free(tool);
  return view;
}

static void ss_view_equals_ss_in_each_namespace(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_create_views()");
  for (int i = 0; i < NSCENES; i++) {
    char *view = view_is_ss(db, i, "-tanp", "state, recv_q, send_q, local, peer, process",
                            "netid = 'tcp'");
    /* what this test is about: the backlog, the bound device, [::] */
    assert_non_null(strstr(view, "LISTEN 0 77 127.0.0.1:7001 0.0.0.0:*"));
    assert_non_null(strstr(view, "0.0.0.0%lo:7003"));
    assert_non_null(strstr(view, "[::]:7002 [::]:*"));
    assert_non_null(strstr(view, "ESTAB 1000 0 127.0.0.1:7001"));
    free(view);
    free(view_is_ss(db, i, "-xap", "netid, state, recv_q, send_q, local, peer, process",
                    "netid IN ('u_str', 'u_dgr', 'u_seq')"));
    view = view_is_ss(db, i, "-uanp", "state, recv_q, send_q, local, peer, process",
                      "netid = 'udp'");
    /* the unread datagram counts (its buffer's size, as the kernel tells) */
    assert_non_null(strstr(view, " 0 127.0.0.1:7004 0.0.0.0:*"));
    assert_null(strstr(view, "UNCONN 0 0 127.0.0.1:7004"));
    free(view);
  }
  pn_close(db);
}

/* ---- sock_diag against ss -tanpieom ------------------------------------------ */

/* The value of `key:` among the blank-separated tokens of text (NULL). */
static const char *token(const char *text, const char *key, char *out, size_t cap) {
  size_t k = strlen(key);
  for (const char *p = text; (p = strstr(p, key)) != NULL; p += k) {
    if (p != text && !strchr(" \t(,", p[-1])) continue;
    const char *v = p + k;
    size_t n = strcspn(v, " \t\n)");
    if (n >= cap) n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    return out;
  }
  return NULL;
}

static int has_word(const char *text, const char *word) {
  size_t k = strlen(word);
  for (const char *p = text; (p = strstr(p, word)) != NULL; p += k)
    if ((p == text || p[-1] == ' ' || p[-1] == '\t') &&
        (p[k] == ' ' || p[k] == '\n' || p[k] == '\0'))
      return 1;
  return 0;
}

/* The record of ss -tanpieom for inode `ino`: its line and the tab-led
 * lines after it. NULL when ss did not list it. */
static char *ss_record(const char *out, long long ino) {
  char key[40];
  snprintf(key, sizeof key, "ino:%lld ", ino);
  const char *p = strstr(out, key);
  if (!p) return NULL;
  while (p > out && p[-1] != '\n') p--;
  const char *end = strchr(p, '\n');
  while (end && end[1] == '\t') end = strchr(end + 1, '\n');
  size_t n = end ? (size_t)(end - p) : strlen(p);
  char *r = malloc(n + 1);
  assert_non_null(r);
  memcpy(r, p, n);
  r[n] = '\0';
  return r;
}

/* ss's number for key (its %g of a field in microseconds, ms or bytes)
 * and procnet's column, scaled to ss's unit, must be equal. */
static void check_number(const char *rec, const char *key, sqlite3 *db,
                         long long ino, const char *column, double scale) {
  char v[64];
  char *got = pn_rows(db, "SELECT %s FROM sock_diag WHERE inode = %lld", column, ino);
  if (!token(rec, key, v, sizeof v)) {
    /* ss leaves out zeros and unset values: procnet must say 0 or NULL */
    if (strcmp(got, "0\n") != 0 && strcmp(got, "NULL\n") != 0)
      fail_msg("ino %lld: ss has no %s, procnet %s = %s", ino, key, column, got);
  } else {
    double want = strtod(v, NULL), have = strtod(got, NULL) / scale;
    if (have < want - 0.0005 || have > want + 0.0005)
      fail_msg("ino %lld: ss %s%s, procnet %s = %s", ino, key, v, column, got);
  }
  sqlite3_free(got);
}

static void check_skmem(const char *rec, sqlite3 *db, long long ino) {
  char want[128];
  if (!token(rec, "skmem:(", want, sizeof want)) fail_msg("ino %lld: no skmem", ino);
  char *got = pn_rows(db, "SELECT printf('r%%d,rb%%d,t%%d,tb%%d,f%%d,w%%d,o%%d,bl%%d,d%%d',"
                          " skmem_r, skmem_rb, skmem_t, skmem_tb, skmem_f, skmem_w,"
                          " skmem_o, skmem_bl, skmem_d) FROM sock_diag WHERE inode = %lld",
                      ino);
  got[strcspn(got, "\n")] = '\0';
  if (strcmp(got, want) != 0) fail_msg("ino %lld: skmem ss (%s) procnet (%s)", ino, want, got);
  sqlite3_free(got);
}

/* -e: sk is the cookie in hex; uid is shown when not 0 */
static void check_owner(const char *rec, sqlite3 *db, long long ino) {
  char v[64];
  char *cookie = pn_rows(db, "SELECT printf('%%x', cookie) FROM sock_diag WHERE inode = %lld", ino);
  cookie[strcspn(cookie, "\n")] = '\0';
  if (!token(rec, "sk:", v, sizeof v) || strcmp(v, cookie) != 0)
    fail_msg("ino %lld: sk:%s, cookie %s", ino, token(rec, "sk:", v, sizeof v) ? v : "-", cookie);
  sqlite3_free(cookie);
  check_number(rec, "uid:", db, ino, "uid", 1);
}

/* The fields of one socket that ss -e and -i print and that do not move
 * while it is idle. */
static void check_socket(const char *rec, sqlite3 *db, long long ino) {
  char v[64];
  check_owner(rec, db, ino);
  assert_int_equal(pn_int(db, "SELECT coalesce(v6only, 0) FROM sock_diag WHERE inode = %lld", ino),
                   token(rec, "v6only:", v, sizeof v) ? atoi(v) : 0);
  check_skmem(rec, db, ino);
  /* -i */
  char *cong = pn_rows(db, "SELECT congestion FROM sock_diag WHERE inode = %lld", ino);
  cong[strcspn(cong, "\n")] = '\0';
  if (!has_word(rec, cong)) fail_msg("ino %lld: congestion %s not in %s", ino, cong, rec);
  sqlite3_free(cong);
  assert_int_equal(pn_int(db, "SELECT instr(coalesce(options, ''), 'ts') > 0 FROM sock_diag"
                              " WHERE inode = %lld", ino), has_word(rec, "ts"));
  assert_int_equal(pn_int(db, "SELECT instr(coalesce(options, ''), 'sack') > 0 FROM sock_diag"
                              " WHERE inode = %lld", ino), has_word(rec, "sack"));
  if (token(rec, "wscale:", v, sizeof v)) {
    char *w = pn_rows(db, "SELECT snd_wscale || ',' || rcv_wscale FROM sock_diag WHERE inode = %lld", ino);
    w[strcspn(w, "\n")] = '\0';
    if (strcmp(w, v) != 0) fail_msg("ino %lld: wscale %s, procnet %s", ino, v, w);
    sqlite3_free(w);
  }
  check_number(rec, "rto:", db, ino, "rto_us", 1000);
  check_number(rec, "ato:", db, ino, "ato_us", 1000);
  check_number(rec, "mss:", db, ino, "snd_mss", 1);
  check_number(rec, "pmtu:", db, ino, "pmtu", 1);
  check_number(rec, "rcvmss:", db, ino, "rcv_mss", 1);
  check_number(rec, "advmss:", db, ino, "advmss", 1);
  check_number(rec, "cwnd:", db, ino, "cwnd", 1);
  check_number(rec, "bytes_sent:", db, ino, "bytes_sent", 1);
  check_number(rec, "bytes_acked:", db, ino, "bytes_acked", 1);
  check_number(rec, "bytes_received:", db, ino, "bytes_received", 1);
  check_number(rec, "segs_out:", db, ino, "segs_out", 1);
  check_number(rec, "segs_in:", db, ino, "segs_in", 1);
  check_number(rec, "data_segs_out:", db, ino, "data_segs_out", 1);
  check_number(rec, "data_segs_in:", db, ino, "data_segs_in", 1);
  check_number(rec, "delivered:", db, ino, "delivered", 1);
  check_number(rec, "rcv_space:", db, ino, "rcv_space", 1);
  check_number(rec, "rcv_ssthresh:", db, ino, "rcv_ssthresh", 1);
  check_number(rec, "snd_wnd:", db, ino, "snd_wnd", 1);
  assert_int_equal(pn_int(db, "SELECT coalesce(app_limited, 0) FROM sock_diag WHERE inode = %lld", ino),
                   has_word(rec, "app_limited"));
  /* moving: only present, and in ss's ballpark */
  if (token(rec, "rtt:", v, sizeof v))
    assert_true(pn_int(db, "SELECT rtt_us > 0 FROM sock_diag WHERE inode = %lld", ino));
  /* -o: the keepalive timer of the client */
  if (token(rec, "timer:(", v, sizeof v)) {
    char *t = pn_rows(db, "SELECT timer FROM sock_diag WHERE inode = %lld", ino);
    t[strcspn(t, "\n")] = '\0';
    if (strncmp(v, t, strlen(t)) != 0) fail_msg("ino %lld: timer:(%s, procnet %s", ino, v, t);
    sqlite3_free(t);
  }
}

static void sock_diag_equals_ss_tanpieom(void **state) {
  (void)state;
  NEED_SCENE();
  for (int i = 0; i < NSCENES; i++) {
    char *out = pn_ds_output_of("ip netns exec %s ss -tanpieom 2>/dev/null", DS.name[i]);
    sqlite3 *db = pn_open(NULL);
    char *inodes = pn_rows(db, "SELECT inode FROM sock_diag WHERE netns = %lld"
                               " AND kind = 'tcp' AND inode <> 0", DS.netns[i]);
    int n = 0;
    for (char *save = NULL, *l = strtok_r(inodes, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save), n++) {
      long long ino = atoll(l);
      char *rec = ss_record(out, ino);
      if (!rec) fail_msg("ss did not list ino %lld:\n%s", ino, out);
      check_socket(rec, db, ino);
      free(rec);
    }
    assert_int_equal(n, 5); /* three listeners, the two ends */
    /* the scene's values */
    assert_int_equal(pn_int(db, "SELECT backlog FROM sock_diag WHERE netns = %lld"
                                " AND local_port = %d AND state = 'LISTEN'",
                            DS.netns[i], PORT_BACKLOG), 77);
    assert_int_equal(pn_int(db, "SELECT rx_queue FROM sock_diag WHERE netns = %lld"
                                " AND local_port = %d AND state = 'ESTABLISHED'",
                            DS.netns[i], PORT_BACKLOG), UNREAD);
    assert_rows(db, "lo|1\n", "SELECT interface, ifindex FROM sock_diag"
                " WHERE netns = %lld AND local_port = %d", DS.netns[i], PORT_BOUND);
    assert_rows(db, "keepalive\n", "SELECT timer FROM sock_diag WHERE netns = %lld"
                " AND remote_port = %d", DS.netns[i], PORT_BACKLOG);
    sqlite3_free(inodes);
    pn_close(db);
    free(out);
  }
}

/* ---- packet sockets against ss -0anpemb --------------------------------------- */

/* The text of `expr` over the socket's sock_diag row is in ss's record. */
static void assert_in_record(const char *rec, sqlite3 *db, const char *expr, long long ino) {
  char *want = pn_rows(db, "SELECT %s FROM sock_diag WHERE inode = %lld", expr, ino);
  want[strcspn(want, "\n")] = '\0';
  if (!*want || !strstr(rec, want)) fail_msg("ino %lld: \"%s\" not in\n%s", ino, want, rec);
  sqlite3_free(want);
}

/* ss -e's details and ring, -b's filter, -m's memory. */
static void check_packet(const char *rec, sqlite3 *db, long long ino) {
  static const struct {
    const char *key, *column;
  } numbers[] = {{"ver:", "packet_version"}, {"cpy_thresh:", "packet_copy_thresh"},
                 {"blk_size:", "rx_ring_block_size"}, {"blk_nr:", "rx_ring_block_nr"},
                 {"frm_size:", "rx_ring_frame_size"}, {"frm_nr:", "rx_ring_frame_nr"},
                 {"tmo:", "rx_ring_retire_tmo_ms"}, {"id:", "fanout_id"}};
  check_owner(rec, db, ino);
  check_skmem(rec, db, ino);
  for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
    check_number(rec, numbers[k].key, db, ino, numbers[k].column, 1);
  assert_in_record(rec, db, "printf('flags( %s )', packet_flags)", ino);
  assert_in_record(rec, db, "printf('type:%s)', fanout_type)", ino);
  assert_in_record(rec, db, "printf('bpf filter (2):  %s,', bpf_filter)", ino);
}

/* The packet socket of each namespace: the ss view's row is ss -0anp's,
 * its device named as in its own namespace, and sock_diag's columns are
 * what ss -0anpemb prints of it. */
static void packet_sockets_equal_ss_0anpemb(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  pn_exec(db, "SELECT procnet_create_views()");
  for (int i = 0; i < NSCENES; i++) {
    char *view = view_is_ss(db, i, "-0anp", "netid, state, recv_q, send_q, local, peer, process",
                            "kind = 'packet'");
    char want[64];
    snprintf(want, sizeof want, "p_dgr UNCONN 0 0 [%d]:%s * users:", PACKET_PROTO,
             DS.ifname[i]);
    assert_non_null(strstr(view, want));
    free(view);
    long long ino = pn_int(db, "SELECT inode FROM sock_diag WHERE kind = 'packet'"
                               " AND netns = %lld", DS.netns[i]);
    char *out = pn_ds_output_of("ip netns exec %s ss -0anpemb", DS.name[i]);
    char *rec = ss_record(out, ino);
    if (!rec) fail_msg("ss did not list ino %lld:\n%s", ino, out);
    check_packet(rec, db, ino);
    /* the scene's values */
    snprintf(want, sizeof want, "%s|2|%d|lb|0x80 0 0 0, 0x06 0 0 65535\n", DS.ifname[i],
             FANOUT_ID(i));
    assert_rows(db, want, "SELECT interface, packet_version, fanout_id, fanout_type,"
                " bpf_filter FROM sock_diag WHERE inode = %lld", ino);
    free(rec);
    free(out);
  }
  pn_close(db);
}

/* The unix sockets: peers pair up in each namespace, and the listener's
 * queues are ss's. */
static void unix_peers_and_queues_in_each_namespace(void **state) {
  (void)state;
  NEED_SCENE();
  sqlite3 *db = pn_open(NULL);
  for (int i = 0; i < NSCENES; i++) {
    /* every connected socket's peer is a socket of the same namespace
     * whose peer is it */
    assert_int_equal(pn_int(db, "SELECT count(*) FROM net_unix a JOIN net_unix b"
                                " ON b.inode = a.peer_inode AND b.peer_inode = a.inode"
                                " WHERE a.netns = %lld AND b.netns = %lld",
                            DS.netns[i], DS.netns[i]), 4);
    assert_rows(db, "LISTEN|0|0|3\n", "SELECT state, rx_queue, tx_queue, backlog"
                " FROM net_unix WHERE netns = %lld AND path LIKE '%%.sock'"
                " AND state = 'LISTEN'", DS.netns[i]);
  }
  pn_close(db);
}


int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(ss_view_equals_ss_in_each_namespace, pn_ds_threads_home),
      cmocka_unit_test_teardown(sock_diag_equals_ss_tanpieom, pn_ds_threads_home),
      cmocka_unit_test_teardown(packet_sockets_equal_ss_0anpemb, pn_ds_threads_home),
      cmocka_unit_test_teardown(unix_peers_and_queues_in_each_namespace, pn_ds_threads_home),
  };
  return cmocka_run_group_tests_name("sock_diag", tests, pn_ds_setup, pn_ds_teardown);
}
