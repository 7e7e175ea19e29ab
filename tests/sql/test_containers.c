/*
 * test_containers.c: the containers table on a fixture tree
 * (tests/fixtures/containers/proc: one process per cgroup layout; host/:
 * the state docker, containerd, cri-o and podman keep of them), and the
 * host root setting.
 *
 *   101 docker (systemd driver), named by config.v2.json
 *   102 containerd under Kubernetes: container, pod and namespace from
 *       the task's OCI annotations
 *   103 cri-o under Kubernetes, the same from its userdata config
 *   104 podman, named by containers.json
 *   105 Kubernetes with the cgroupfs driver (no runtime in the path):
 *       docker found by its state, names from the kubelet's labels
 *   106 lxc, 107 systemd-nspawn: known by the names in their paths
 *   108 a host service, 109 a docker id without state, 110 a pod without
 *       state (its name from the container's /etc/hostname), 111 a
 *       process whose cgroup cannot be read
 */
#include "pn_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
              c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static sqlite3 *open_fixture(void) {
  sqlite3 *db = pn_open(pn_fixture("containers/proc"));
  pn_exec(db, "SELECT procnet_host_root(%Q)", pn_fixture("containers/host"));
  return db;
}

static void every_layout(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  assert_rows(db,
              "101|docker|" ID("1") "|web|-|-|-|docker-" ID("1") ".scope\n"
              "102|containerd|" ID("2") "|nginx|0b2a4c5e-1a2b-4c3d-8e9f-001122334455"
              "|shop-7d4|shop|cri-containerd-" ID("2") ".scope\n"
              "103|cri-o|" ID("3") "|api|11111111-2222-3333-4444-555555555555|api-0|prod"
              "|crio-" ID("3") ".scope\n"
              "104|podman|" ID("4") "|db|-|-|-|libpod-" ID("4") ".scope\n"
              "105|docker|" ID("5") "|worker|66666666-7777-8888-9999-aaaaaaaaaaaa|batch-x|jobs|-\n"
              "106|lxc|build01|build01|-|-|-|cron.service\n"
              "107|systemd-nspawn|my-box|my-box|-|-|-|sshd.service\n"
              "108|-|-|-|-|-|-|nginx.service\n"
              "109|docker|" ID("9") "|-|-|-|-|docker-" ID("9") ".scope\n"
              "110|-|" ID("a") "|-|bbbbbbbb-cccc-dddd-eeee-ffffffffffff|cache-5f6|-|-\n"
              "111|-|-|-|-|-|-|-\n",
              "SELECT pid, coalesce(runtime, '-'), coalesce(container_id, '-'),"
              " coalesce(name, '-'), coalesce(pod_uid, '-'), coalesce(pod_name, '-'),"
              " coalesce(pod_namespace, '-'), coalesce(unit, '-')"
              " FROM containers ORDER BY pid");
  pn_close(db);
}

/* State that is missing or unreadable leaves the names NULL: no error. */
static void without_runtime_state(void **state) {
  (void)state;
  sqlite3 *db = pn_open(pn_fixture("containers/proc"));
  assert_rows(db, "/\n", "SELECT procnet_host_root()");
  assert_rows(db, "101|docker|-\n102|containerd|-\n105|-|-\n110|-|cache-5f6\n",
              "SELECT pid, coalesce(runtime, '-'), coalesce(name, pod_name, '-')"
              " FROM containers WHERE pid IN (101, 102, 105, 110) ORDER BY pid");
  pn_exec(db, "SELECT procnet_host_root(%Q)", pn_fixture("containers/proc"));
  assert_rows(db, "-\n", "SELECT coalesce(name, '-') FROM containers WHERE pid = 101");
  pn_close(db);
}

static void host_root_setting(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  char *err = pn_error(db, "SELECT procnet_host_root('/nonexistent/host')");
  assert_non_null(strstr(err, "/nonexistent/host"));
  sqlite3_free(err);
  err = pn_error(db, "SELECT procnet_host_root(NULL)");
  sqlite3_free(err);
  assert_rows(db, "/\n", "SELECT procnet_host_root()");
  pn_close(db);
  setenv("PROCNET_HOST_ROOT", pn_fixture("containers/host"), 1);
  db = pn_open(pn_fixture("containers/proc"));
  unsetenv("PROCNET_HOST_ROOT");
  assert_rows(db, "web\n", "SELECT name FROM containers WHERE pid = 101");
  pn_close(db);
}

/* `pid = ?` reads that process alone; as the inner loop of a join each
 * process is read once, however often it is asked for. */
static void reads_what_is_asked(void **state) {
  (void)state;
  sqlite3 *db = open_fixture();
  int64_t before = pn_stat(db, "files_read");
  assert_rows(db, "db\n", "SELECT name FROM containers WHERE pid = 104");
  assert_int_equal(pn_stat(db, "files_read") - before, 2); /* cgroup, containers.json */
  before = pn_stat(db, "files_read");
  assert_rows(db, "4\n",
              "WITH x(pid) AS (VALUES (108), (106), (108), (106))"
              " SELECT count(c.unit) FROM x JOIN containers c ON c.pid = x.pid");
  assert_int_equal(pn_stat(db, "files_read") - before, 2);
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_layout),
      cmocka_unit_test(without_runtime_state),
      cmocka_unit_test(host_root_setting),
      cmocka_unit_test(reads_what_is_asked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
