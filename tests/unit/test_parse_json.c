/*
 * test_parse_json.c: string values out of runtime state files
 * (ext/parse_json.c): docker's config.v2.json, an OCI config.json's
 * annotations, podman's containers.json, as the runtimes write them (cut
 * to the members that matter and a few around them), then escapes, odd
 * spacing, cuts and nesting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse_json.h"
#include "unit_helpers.h"

static const char DOCKER[] =
    "{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Pid\":4242,"
    "\"Health\":null},\"ID\":\"3f4a5b\",\"Created\":\"2024-01-02T03:04:05Z\","
    "\"Path\":\"nginx\",\"Args\":[\"-g\",\"daemon off;\"],\"Config\":{"
    "\"Hostname\":\"3f4a5b\",\"Env\":[\"A=1\"],\"Cmd\":null,\"Labels\":{"
    "\"io.kubernetes.pod.name\":\"web-7d4\",\"io.kubernetes.pod.namespace\":"
    "\"shop\",\"maintainer\":\"x\"}},\"Image\":\"sha256:abc\","
    "\"MountPoints\":{\"/data\":{\"Name\":\"vol\",\"Source\":\"/v\"}},"
    "\"Name\":\"/web\",\"RestartCount\":0,\"HostnamePath\":\"/h\"}";

static const char OCI[] =
    "{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {\"args\": [\"/pause\"]},\n"
    "  \"hostname\": \"web-7d4\",\n  \"annotations\": {\n"
    "    \"io.kubernetes.cri.container-name\": \"nginx\",\n"
    "    \"io.kubernetes.cri.sandbox-name\": \"web-7d4\",\n"
    "    \"io.kubernetes.cri.sandbox-namespace\": \"shop\"\n  }\n}\n";

static const char PODMAN[] =
    "[{\"id\":\"aaaa\",\"names\":[\"db\"],\"image\":\"i1\",\"metadata\":"
    "\"{\\\"image-name\\\":\\\"x\\\",\\\"name\\\":\\\"db\\\"}\"},"
    "{\"names\":[\"web\",\"alias\"],\"id\":\"bbbb\",\"flags\":{\"MountLabel\":\"\"}},"
    "{\"id\":\"cccc\",\"names\":\"single\"}]";

static int get(const char *doc, const char *const *path, int n, char *out, size_t cap) {
  size_t len = strlen(doc);
  char *copy = dup_exact(doc, len);
  int r = pn_json_string(copy, len, path, n, out, cap);
  free(copy);
  return r;
}

static int lookup(const char *doc, const char *key, const char *value,
                  const char *want, char *out, size_t cap) {
  size_t len = strlen(doc);
  char *copy = dup_exact(doc, len);
  int r = pn_json_array_lookup(copy, len, key, value, want, out, cap);
  free(copy);
  return r;
}

static void test_docker(void **state) {
  (void)state;
  char out[64];
  static const char *const name[] = {"Name"};
  static const char *const pod[] = {"Config", "Labels", "io.kubernetes.pod.name"};
  static const char *const ns[] = {"Config", "Labels", "io.kubernetes.pod.namespace"};
  static const char *const running[] = {"State", "Running"};
  static const char *const nope[] = {"Config", "Nope"};
  /* the top-level Name, not the volume's */
  assert_int_equal(get(DOCKER, name, 1, out, sizeof out), 4);
  assert_string_equal(out, "/web");
  assert_int_equal(get(DOCKER, pod, 3, out, sizeof out), 7);
  assert_string_equal(out, "web-7d4");
  assert_int_equal(get(DOCKER, ns, 3, out, sizeof out), 4);
  assert_string_equal(out, "shop");
  assert_int_equal(get(DOCKER, running, 2, out, sizeof out), -1); /* not a string */
  assert_int_equal(get(DOCKER, nope, 2, out, sizeof out), -1);
  /* too small: refused, not cut */
  assert_int_equal(get(DOCKER, name, 1, out, 4), -1);
  assert_int_equal(get(DOCKER, name, 1, out, 5), 4);
}

static void test_oci(void **state) {
  (void)state;
  char out[64];
  static const char *const sandbox[] = {"annotations", "io.kubernetes.cri.sandbox-name"};
  static const char *const host[] = {"hostname"};
  assert_int_equal(get(OCI, sandbox, 2, out, sizeof out), 7);
  assert_string_equal(out, "web-7d4");
  assert_int_equal(get(OCI, host, 1, out, sizeof out), 7);
}

static void test_podman(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(lookup(PODMAN, "id", "bbbb", "names", out, sizeof out), 3);
  assert_string_equal(out, "web");
  assert_int_equal(lookup(PODMAN, "id", "aaaa", "names", out, sizeof out), 2);
  assert_string_equal(out, "db");
  assert_int_equal(lookup(PODMAN, "id", "cccc", "names", out, sizeof out), 6);
  assert_string_equal(out, "single");
  assert_int_equal(lookup(PODMAN, "id", "dddd", "names", out, sizeof out), -1);
  assert_int_equal(lookup(PODMAN, "id", "aaaa", "image", out, sizeof out), 2);
  assert_int_equal(lookup("[]", "id", "a", "names", out, sizeof out), -1);
  assert_int_equal(lookup("{}", "id", "a", "names", out, sizeof out), -1);
  assert_int_equal(lookup("[1, \"x\", {\"id\":\"a\",\"names\":[]}]", "id", "a",
                          "names", out, sizeof out), -1);
}

static void test_escapes(void **state) {
  (void)state;
  char out[64];
  static const char *const k[] = {"k"};
  assert_int_equal(get("{\"k\":\"a\\\"b\\\\c\\/d\\n\"}", k, 1, out, sizeof out), 8);
  assert_string_equal(out, "a\"b\\c/d\n");
  assert_int_equal(get("{\"k\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}", k, 1, out, sizeof out), 9);
  assert_string_equal(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  /* a lone surrogate is U+FFFD; a NUL is refused */
  assert_int_equal(get("{\"k\":\"\\ud83dx\"}", k, 1, out, sizeof out), 4);
  assert_string_equal(out, "\xef\xbf\xbdx");
  assert_int_equal(get("{\"k\":\"a\\u0000b\"}", k, 1, out, sizeof out), -1);
  /* an escaped member name */
  assert_int_equal(get("{\"\\u006b\":\"v\"}", k, 1, out, sizeof out), 1);
  /* spacing, and the first of two members */
  assert_int_equal(get(" \r\n{ \"x\" : [ 1 , { } , [ ] , -2.5e3 ] ,\t\"k\" : \"v\" ,"
                       " \"k\" : \"w\" } ", k, 1, out, sizeof out), 1);
  assert_string_equal(out, "v");
}

static void test_malformed(void **state) {
  (void)state;
  char out[64];
  static const char *const k[] = {"k"};
  static const char *const bad[] = {
      "", "[", "{", "{\"k\"", "{\"k\":", "{\"k\":\"v", "{\"k\":v}", "{k:\"v\"}",
      "{\"a\":1 \"k\":\"v\"}", "{\"a\":,\"k\":\"v\"}", "{\"a\":[1,\"k\":\"v\"}",
      "{\"k\":\"a\\qb\"}", "{\"k\":\"a\\u12\"}", "{\"k\":\"a\tb\"}", "\"k\"",
      "{\"a\":\"\\", "{\"a\":{\"b\":[}}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (get(bad[i], k, 1, out, sizeof out) != -1) fail_msg("accepted: %s", bad[i]);
  assert_int_equal(pn_json_string(NULL, 0, k, 1, out, sizeof out), -1);
  assert_int_equal(get("{\"k\":\"v\"}", k, 1, out, 0), -1);
}

/* Nesting past the limit is refused, not recursed into. */
static void test_deep(void **state) {
  (void)state;
  char out[8];
  static const char *const k[] = {"k"};
  char doc[2000];
  size_t n = 0;
  n += (size_t)sprintf(doc + n, "{\"a\":");
  for (int i = 0; i < 500; i++) doc[n++] = '[';
  for (int i = 0; i < 500; i++) doc[n++] = ']';
  n += (size_t)sprintf(doc + n, ",\"k\":\"v\"}");
  assert_int_equal(get(doc, k, 1, out, sizeof out), -1);
  n = 0;
  n += (size_t)sprintf(doc + n, "{\"a\":");
  for (int i = 0; i < 60; i++) doc[n++] = '[';
  for (int i = 0; i < 60; i++) doc[n++] = ']';
  n += (size_t)sprintf(doc + n, ",\"k\":\"v\"}");
  assert_int_equal(get(doc, k, 1, out, sizeof out), 1);
}

/* Every cut of a document: found only once the whole value is in. */
static void test_every_prefix(void **state) {
  (void)state;
  static const char *const pod[] = {"Config", "Labels", "io.kubernetes.pod.name"};
  size_t n = sizeof DOCKER - 1;
  size_t end = strstr(DOCKER, "web-7d4\"") - DOCKER + 8;
  for (size_t cut = 0; cut <= n; cut++) {
    char out[64];
    char *copy = dup_exact(DOCKER, cut);
    int r = pn_json_string(copy, cut, pod, 3, out, sizeof out);
    free(copy);
    assert_int_equal(r, cut >= end ? 7 : -1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_docker),       cmocka_unit_test(test_oci),
      cmocka_unit_test(test_podman),       cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_malformed),    cmocka_unit_test(test_deep),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
