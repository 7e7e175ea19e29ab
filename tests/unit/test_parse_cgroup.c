/*
 * test_parse_cgroup.c: the container id in /proc/PID/cgroup, and the
 * runtime, pod and systemd unit beside it (ext/parse_cgroup.c).
 *
 * tests/fixtures/captured/cgroup_self is this machine's own file: cgroup v1
 * lines plus "0::/", with "4:memory:/process_api/<32 hex>", which names no
 * container runtime.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "parse_cgroup.h"
#include "unit_helpers.h"

#define ID1 "3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566abcd"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Runs pn_container_id on an exact-size copy of n bytes of text; checks the
 * result is NUL-terminated and returns it in out. */
static size_t container_id_n(const char *text, size_t n, char out[65]) {
  char *b = dup_exact(text, n);
  size_t got;
  memset(out, 'Z', 65);
  got = pn_container_id(b, n, out);
  free(b);
  assert_true(got == 0 || got == 64);
  assert_int_equal(strlen(out), got);
  return got;
}

static void assert_id(const char *text, const char *want) {
  char out[65];
  size_t got = container_id_n(text, strlen(text), out);
  if (want == NULL) {
    if (got != 0) fail_msg("found %s in: %s", out, text);
  } else {
    if (got != 64) fail_msg("no id in: %s", text);
    assert_string_equal(out, want);
  }
}

static void test_captured_host(void **state) {
  size_t len;
  char *buf = load_fixture("cgroup_self", &len), out[65];
  (void)state;
  assert_int_equal(container_id_n(buf, len, out), 0);
  assert_string_equal(out, "");
  free(buf);
}

static void test_runtimes(void **state) {
  (void)state;
  assert_id("12:memory:/docker/" ID1 "\n", ID1);
  assert_id("0::/system.slice/docker-" ID1 ".scope\n", ID1);
  assert_id("0::/kubepods.slice/kubepods-besteffort.slice/"
            "kubepods-besteffort-pod0b2a4c5e_1a2b_4c3d_8e9f_001122334455.slice/"
            "cri-containerd-" ID1 ".scope\n",
            ID1);
  assert_id("0::/user.slice/user-1000.slice/user@1000.service/user.slice/"
            "libpod-" ID1 ".scope\n",
            ID1);
  assert_id("0::/libpod_parent/libpod-" ID1 "\n", ID1);
  assert_id("0::/kubepods.slice/kubepods-burstable.slice/"
            "kubepods-burstable-pod1.slice/crio-" ID1 ".scope\n",
            ID1);
  assert_id("11:cpu,cpuacct:/kubepods/besteffort/"
            "pod0b2a4c5e-1a2b-4c3d-8e9f-001122334455/" ID1 "\n",
            ID1);
  assert_id("1:name=systemd:/docker/" ID1 "/init.scope\n", ID1);
  /* upper-case hex is still hex */
  assert_id("0::/docker/" "ABCDEF0123456789ABCDEF0123456789"
            "ABCDEF0123456789ABCDEF0123456789",
            "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789");
}

static void test_last_component_wins(void **state) {
  (void)state;
  /* docker in docker */
  assert_id("0::/docker/" ID1 "/docker/" ID2 "\n", ID2);
  /* across lines, the last line that names one */
  assert_id("2:cpu:/docker/" ID1 "\n1:name=systemd:/docker/" ID2 "\n0::/\n",
            ID2);
  assert_id("0::/system.slice/docker-" ID2 ".scope/kubepods/x/" ID1, ID1);
}

static void test_not_containers(void **state) {
  (void)state;
  assert_id("0::/\n", NULL);
  assert_id("4:memory:/process_api/8f07015eb0daf602826af791ec112bd3\n", NULL);
  assert_id("0::/actions_job/" ID1 "\n", NULL);             /* no runtime */
  assert_id("0::/" ID1 "\n", NULL);
  assert_id("0::/docker/" ID1 "0\n", NULL);                 /* 65 digits */
  assert_id("0::/docker/" "0123456789abcdef0123456789abcdef"
            "0123456789abcdef0123456789abcde\n", NULL);     /* 63 digits */
  assert_id("0::/docker/" "0123456789abcdef0123456789abcdef"
            "0123456789abcdef0123456789abcdeg\n", NULL);    /* not hex */
  assert_id("0::/docker-" ID1 ".scopex\n", NULL);
  assert_id("0::/docker-" ID1 ".slice\n", NULL);
  assert_id("0::/notdocker/" ID1 "\n", NULL);
  assert_id("0::/docker/x/" ID1 "\n", NULL);
  assert_id("0::/system.slice/crio-conmon-" ID1 ".scope\n", NULL);
  assert_id("0::/libpod-conmon-" ID1 ".scope\n", NULL);
  assert_id("0::/mydocker-" ID1 ".scope\n", NULL);
  assert_id("0::/system.slice/foo-" ID1 ".scope\n", NULL);  /* other unit */
  assert_id("/docker/" ID1 "\n", NULL);                     /* no "N:ctl:" */
  assert_id("0:/docker/" ID1 "\n", NULL);
  assert_id("", NULL);
  assert_id("\n\n", NULL);
}

static void test_nul_bytes(void **state) {
  static const char text[] = "0::/docker/" ID1 "\0\n"
                             "0::/docker/0123456789abcdef0123456789abcdef"
                             "0123456789abcdef\0""123456789abcdef\n";
  char out[65];
  (void)state;
  assert_int_equal(container_id_n(text, sizeof text - 1, out), 0);
  out[0] = 'x';
  assert_int_equal(pn_container_id(NULL, 0, out), 0);
  assert_int_equal(out[0], '\0');
}

/* Cuts of a docker line: the id appears only when all 64 digits are in. */
static void test_every_prefix(void **state) {
  static const char text[] = "0::/system.slice/docker-" ID1 ".scope\n";
  size_t n = sizeof text - 1, id_end = strlen("0::/system.slice/docker-") + 64;
  size_t cut;
  (void)state;
  for (cut = 0; cut <= n; cut++) {
    char out[65];
    size_t got = container_id_n(text, cut, out);
    /* "docker-<id>" without ".scope" is accepted (podman's cgroupfs form is
     * handled the same way), so the id shows up at exactly 64 digits. */
    if (cut == id_end || cut == n || cut == n - 1) {
      assert_int_equal(got, 64);
      assert_string_equal(out, ID1);
    } else {
      assert_int_equal(got, 0);
    }
  }
}

/* ---- runtime, name, pod and unit (pn_parse_container) ----------------------- */

static void parse_n(const char *text, pn_container *c) {
  size_t n = strlen(text);
  char *b = dup_exact(text, n);
  assert_int_equal(pn_parse_container(b, n, c), 0);
  /* the unit is a slice of the input: compare it while b lives */
  static char unit[256];
  assert_true(c->unit.n < sizeof unit);
  if (c->unit.p) memcpy(unit, c->unit.p, c->unit.n);
  unit[c->unit.n] = '\0';
  c->unit.p = c->unit.p ? unit : NULL;
  free(b);
}

static void assert_container(const char *text, const char *runtime,
                             const char *id, const char *pod, const char *unit) {
  pn_container c;
  parse_n(text, &c);
  if (runtime == NULL) assert_null(c.runtime);
  else if (c.runtime == NULL || strcmp(c.runtime, runtime) != 0)
    fail_msg("runtime %s, want %s, in: %s", c.runtime ? c.runtime : "NULL",
             runtime, text);
  assert_string_equal(c.id, id ? id : "");
  assert_string_equal(c.pod_uid, pod ? pod : "");
  if (unit == NULL) assert_null(c.unit.p);
  else assert_string_equal(c.unit.p, unit);
}

#define UID "0b2a4c5e-1a2b-4c3d-8e9f-001122334455"
#define UID_ "0b2a4c5e_1a2b_4c3d_8e9f_001122334455"

static void test_container_runtimes(void **state) {
  (void)state;
  assert_container("0::/system.slice/docker-" ID1 ".scope\n", "docker", ID1,
                   NULL, "docker-" ID1 ".scope");
  assert_container("12:memory:/docker/" ID1 "\n1:name=systemd:/docker/" ID1 "\n",
                   "docker", ID1, NULL, NULL);
  assert_container("0::/kubepods.slice/kubepods-besteffort.slice/"
                   "kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID1
                   ".scope\n",
                   "containerd", ID1, UID, "cri-containerd-" ID1 ".scope");
  assert_container("0::/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID2
                   ".scope\n",
                   "cri-o", ID2, UID, "crio-" ID2 ".scope");
  assert_container("11:cpu,cpuacct:/kubepods/besteffort/pod" UID "/" ID1 "\n",
                   NULL, ID1, UID, NULL);
  assert_container("4:memory:/kubepods.slice/kubepods-burstable.slice/"
                   "kubepods-burstable-pod" UID_ ".slice:cri-containerd:" ID2 "\n",
                   "containerd", ID2, UID, NULL);
  assert_container("0::/system.slice/nerdctl-" ID1 ".scope\n", "containerd", ID1,
                   NULL, "nerdctl-" ID1 ".scope");
  assert_container("0::/user.slice/user-1000.slice/user@1000.service/user.slice/"
                   "libpod-" ID1 ".scope/container\n",
                   "podman", ID1, NULL, "libpod-" ID1 ".scope");
  assert_container("0::/lxc.payload.web/system.slice/nginx.service\n", "lxc",
                   "web", NULL, "nginx.service");
  assert_container("3:memory:/lxc/db-1/init.scope\n1:name=systemd:/lxc/db-1\n",
                   "lxc", "db-1", NULL, NULL);
  assert_container("0::/machine.slice/systemd-nspawn@my\\x2dbox.service/payload/"
                   "system.slice/sshd.service\n",
                   "systemd-nspawn", "my-box", NULL, "sshd.service");
  assert_container("0::/machine.slice/machine-web\\x2d2.scope/payload\n",
                   "systemd-nspawn", "web-2", NULL, "machine-web\\x2d2.scope");
}

static void test_container_units(void **state) {
  (void)state;
  /* host processes: a unit and no container */
  assert_container("0::/system.slice/nginx.service\n", NULL, NULL, NULL,
                   "nginx.service");
  assert_container("0::/init.scope\n", NULL, NULL, NULL, "init.scope");
  assert_container("0::/user.slice/user-1000.slice/session-3.scope\n", NULL, NULL,
                   NULL, "session-3.scope");
  assert_container("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
                   "app-gnome-firefox-1234.scope\n",
                   NULL, NULL, NULL, "app-gnome-firefox-1234.scope");
  /* cgroup v1: the name=systemd line, never a controller's; v2 wins */
  assert_container("5:cpu:/system.slice/cron.service\n"
                   "1:name=systemd:/system.slice/ssh.service\n",
                   NULL, NULL, NULL, "ssh.service");
  assert_container("1:name=systemd:/system.slice/ssh.service\n"
                   "0::/system.slice/sshd.service\n",
                   NULL, NULL, NULL, "sshd.service");
  assert_container("5:cpu:/system.slice/cron.service\n", NULL, NULL, NULL, NULL);
  assert_container("0::/\n", NULL, NULL, NULL, NULL);
  assert_container("0::/system.slice/x.servicex\n", NULL, NULL, NULL, NULL);
}

static void test_container_not(void **state) {
  (void)state;
  assert_container("0::/lxc.monitor.web\n", NULL, NULL, NULL, NULL);
  assert_container("0::/lxc.payload.\n", NULL, NULL, NULL, NULL);
  assert_container("0::/machine.slice/machine-.scope\n", NULL, NULL, NULL,
                   "machine-.scope");
  assert_container("0::/system.slice/crio-conmon-" ID1 ".scope\n", NULL, NULL,
                   NULL, "crio-conmon-" ID1 ".scope");
  assert_container("4:memory:/a:crio:" ID1 "x\n", NULL, NULL, NULL, NULL);
  assert_container("4:memory:/a:runc:" ID1 "\n", NULL, NULL, NULL, NULL);
  /* a pod uid only beside a container under kubepods */
  assert_container("0::/kubepods/besteffort/pod" UID "\n", NULL, NULL, NULL, NULL);
  assert_container("0::/system.slice/pod" UID "/docker-" ID1 ".scope\n", "docker",
                   ID1, NULL, "docker-" ID1 ".scope");
  /* a name too long for the id buffer is no container */
  char lxc[400] = "0::/lxc.payload.";
  memset(lxc + strlen(lxc), 'n', 200);
  assert_container(lxc, NULL, NULL, NULL, NULL);
  pn_container c;
  assert_int_equal(pn_parse_container(NULL, 0, &c), -1);
  assert_int_equal(pn_parse_container("0::/\0", 5, &c), -1);
  assert_int_equal(pn_parse_container("", 0, &c), 0);
  assert_string_equal(c.id, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_captured_host),
    cmocka_unit_test(test_runtimes),
    cmocka_unit_test(test_last_component_wins),
    cmocka_unit_test(test_not_containers),
    cmocka_unit_test(test_nul_bytes),
    cmocka_unit_test(test_every_prefix),
    cmocka_unit_test(test_container_runtimes),
    cmocka_unit_test(test_container_units),
    cmocka_unit_test(test_container_not),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
