/*
 * test_graph.c: `procnet graph` on the scene of tests/common/scene.h (as
 * root): the DOT groups web and client in their containers' clusters,
 * shows web's listeners and how they are published, and has an edge for
 * each connection of the scene labelled with its kind and port; Graphviz
 * renders it, and the SVG holds those nodes and edges; JSON has the same.
 *
 * PN_GRAPH_EXAMPLE=PATH also writes the SVG to PATH: the README's picture
 * (doc/graph-example.svg) is made that way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_run.h"
#include "scene.h"

static pn_scene S;
static const char *self;
static char pids[256];

static int setup(void **state) {
  (void)state;
  if (cli_run_init("test_graph") != 0) return -1;
  pn_scene_build(&S, self);
  snprintf(pids, sizeof pids, "%d,%d,%d,%d,%d,%d,%d,%d", (int)S.pid[PN_SC_WEB],
           (int)S.pid[PN_SC_CLIENT], (int)S.pid[PN_SC_LSRV], (int)S.pid[PN_SC_LCLI],
           (int)S.pid[PN_SC_UPAR], (int)S.pid[PN_SC_UCHILD], (int)S.pid[PN_SC_PW],
           (int)S.pid[PN_SC_PR]);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  pn_scene_drop(&S);
  return 0;
}

#define NEED_SCENE() PN_NEED_SCENE(&S)

static run_res graph(const char *format) {
  return run_cli("--host-root", S.containers ? S.host_root : "/", "graph", "-p", pids,
                 "--format", format, NULL);
}

/* The edge "pFROM" -> "pTO" [label="LABEL"...] is in the text. */
static void assert_edge(const char *dot, pid_t from, pid_t to, const char *label) {
  char want[256];
  snprintf(want, sizeof want, "\"p%d\" -> \"p%d\" [label=\"%s", (int)from, (int)to, label);
  assert_contains(dot, want);
}

static void dot_of_the_scene(void **state) {
  (void)state;
  NEED_SCENE();
  run_res r = graph("dot");
  assert_int_equal(r.status, 0);
  const char *dot = r.out;
  assert_contains(dot, "digraph procnet {");
  char want[256];
  if (S.containers) {
    assert_contains(dot, "label=\"container web\"");
    assert_contains(dot, "label=\"container client\"");
    assert_contains(dot, "label=\"unit pn-test.service\"");
    /* web's node is inside web's cluster */
    snprintf(want, sizeof want, "label=\"container web\";\n    style=rounded;\n    \"p%d\"",
             (int)S.pid[PN_SC_WEB]);
    assert_contains(dot, want);
  }
  snprintf(want, sizeof want, "\"p%d\" [label=\"pn-web\\n%d\\nlistens tcp 8080 (published ",
           (int)S.pid[PN_SC_WEB], (int)S.pid[PN_SC_WEB]);
  assert_contains(dot, want);
  snprintf(want, sizeof want, "0.0.0.0:%d docker-proxy", S.proxy_port);
  assert_contains(dot, want);
  assert_contains(dot, "10.231.2.1:9090 dnat");
  assert_contains(dot, "\\ntcp 8081\\nudp 5353\"");
  assert_edge(dot, S.pid[PN_SC_CLIENT], S.pid[PN_SC_WEB], "tcp 8080\"]");
  assert_edge(dot, S.pid[PN_SC_CLIENT], S.pid[PN_SC_WEB],
              "tcp 8080 via 10.231.2.1:9090\", style=dashed");
  assert_edge(dot, S.pid[PN_SC_CLIENT], S.pid[PN_SC_WEB], "udp 5353\"]");
  snprintf(want, sizeof want, "tcp %d\"]", S.loop_port);
  assert_edge(dot, S.pid[PN_SC_LCLI], S.pid[PN_SC_LSRV], want);
  assert_edge(dot, S.pid[PN_SC_PW], S.pid[PN_SC_PR], "pipe\"]");
  if (!strstr(dot, "label=\"unix\"")) fail_msg("no unix edge in:\n%s", dot);
  run_free(&r);
}

static void svg_of_the_scene(void **state) {
  (void)state;
  NEED_SCENE();
  char *const which[] = {"sh", "-c", "command -v dot", NULL};
  run_res d = run_argv(NULL, which);
  int have_dot = d.status == 0;
  run_free(&d);
  if (!have_dot) skip();
  run_res r = graph("svg");
  assert_int_equal(r.status, 0);
  char want[256];
  assert_contains(r.out, "<svg");
  snprintf(want, sizeof want, "<title>p%d</title>", (int)S.pid[PN_SC_WEB]);
  assert_contains(r.out, want);
  snprintf(want, sizeof want, "<title>p%d&#45;&gt;p%d</title>", (int)S.pid[PN_SC_CLIENT],
           (int)S.pid[PN_SC_WEB]);
  assert_contains(r.out, want);
  snprintf(want, sizeof want, "<title>p%d&#45;&gt;p%d</title>", (int)S.pid[PN_SC_PW],
           (int)S.pid[PN_SC_PR]);
  assert_contains(r.out, want);
  assert_contains(r.out, ">pn&#45;web</text>");
  assert_contains(r.out, ">tcp 8080</text>");
  if (S.containers) assert_contains(r.out, ">container web</text>");
  const char *example = getenv("PN_GRAPH_EXAMPLE");
  if (example) {
    FILE *f = fopen(example, "w");
    assert_non_null(f);
    assert_int_equal(fputs(r.out, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
  }
  run_free(&r);
}

static void json_of_the_scene(void **state) {
  (void)state;
  NEED_SCENE();
  run_res r = graph("json");
  assert_int_equal(r.status, 0);
  char want[128];
  snprintf(want, sizeof want, "{\"id\":\"p%d\",\"pid\":%d,\"name\":\"pn-web\"",
           (int)S.pid[PN_SC_WEB], (int)S.pid[PN_SC_WEB]);
  assert_contains(r.out, want);
  snprintf(want, sizeof want, "{\"from\":\"p%d\",\"to\":\"p%d\",\"label\":\"pipe\",\"count\":1",
           (int)S.pid[PN_SC_PW], (int)S.pid[PN_SC_PR]);
  assert_contains(r.out, want);
  if (S.containers) assert_contains(r.out, "\"group\":\"container web\"");
  run_free(&r);
}

/* Pictures are graph's: other commands refuse them; graph refuses csv. */
static void formats_of_other_commands(void **state) {
  (void)state;
  run_res r = run_cli("ss", "--format", "dot", NULL);
  assert_int_equal(r.status, 255);
  assert_contains(r.err, "--format dot is for graph");
  run_free(&r);
  r = run_cli("--format", "svg", "netstat", NULL);
  assert_int_equal(r.status, 3);
  run_free(&r);
  r = run_cli("graph", "--format", "csv", NULL);
  assert_int_equal(r.status, 2);
  run_free(&r);
  r = run_cli("graph", "-p", "12x", NULL);
  assert_int_equal(r.status, 2);
  run_free(&r);
}

int main(int argc, char **argv) {
  pn_scene_proxy_main(argc, argv);
  self = argv[0];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dot_of_the_scene),
      cmocka_unit_test(svg_of_the_scene),
      cmocka_unit_test(json_of_the_scene),
      cmocka_unit_test(formats_of_other_commands),
  };
  return cmocka_run_group_tests_name("graph", tests, setup, teardown);
}
