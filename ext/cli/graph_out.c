/*
 * graph_out.c: `procnet graph`'s map (graph.h) as Graphviz DOT, as JSON,
 * and as SVG through Graphviz's own `dot -Tsvg`.
 *
 * DOT: a digraph laid out left to right; a cluster per group (container or
 * systemd unit); process nodes as boxes labelled name, pid and listeners;
 * peers off this host as ellipses; edges labelled "kind port" and the
 * count when above one, dashed through NAT or off this host. Every name is
 * quoted and escaped, so that any process name or path stays one label.
 */
#include "cli.h"
#include "graph.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- DOT -------------------------------------------------------------------------- */

/* n bytes of s inside a DOT double-quoted string: quotes and backslashes
 * escaped, a newline as DOT's \n, other control bytes dropped. */
static void dot_bytes(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"' || s[i] == '\\') fputc('\\', out);
    if (s[i] == '\n') fputs("\\n", out);
    else if ((unsigned char)s[i] >= 0x20) fputc(s[i], out);
  }
}

static void dot_text(FILE *out, const char *s) { dot_bytes(out, s, strlen(s)); }

static void node_id(FILE *out, const graph *g, int i) {
  if (g->nodes[i].pid) fprintf(out, "\"p%lld\"", (long long)g->nodes[i].pid);
  else fprintf(out, "\"a%d\"", i);
}

static void write_node(FILE *out, const graph *g, int i, const char *indent) {
  const graph_node *n = &g->nodes[i];
  fputs(indent, out);
  node_id(out, g, i);
  fputs(" [label=\"", out);
  dot_text(out, n->name);
  if (n->pid) fprintf(out, "\\n%lld", (long long)n->pid);
  if (n->listens) { /* one line each */
    const char *p = n->listens, *semi;
    fputs("\\nlistens ", out);
    for (; (semi = strstr(p, "; ")) != NULL; p = semi + 2) {
      dot_bytes(out, p, (size_t)(semi - p));
      fputs("\\n", out);
    }
    dot_text(out, p);
  }
  fputs(n->pid ? "\"];\n" : "\", shape=ellipse, style=dashed];\n", out);
}

/* The groups in order of first appearance, each as a cluster. */
static void write_clusters(FILE *out, const graph *g) {
  for (int i = 0; i < g->nnodes; i++) {
    const char *group = g->nodes[i].group;
    int first = group != NULL;
    for (int j = 0; first && j < i; j++)
      first = !(g->nodes[j].group && !strcmp(g->nodes[j].group, group));
    if (!first) continue;
    fprintf(out, "  subgraph \"cluster_%d\" {\n    label=\"", i);
    dot_text(out, group);
    fputs("\";\n    style=rounded;\n", out);
    for (int j = i; j < g->nnodes; j++)
      if (g->nodes[j].group && !strcmp(g->nodes[j].group, group)) write_node(out, g, j, "    ");
    fputs("  }\n", out);
  }
}

int graph_write_dot(const graph *g, FILE *out) {
  fputs("digraph procnet {\n"
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n"
        "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n",
        out);
  write_clusters(out, g);
  for (int i = 0; i < g->nnodes; i++)
    if (!g->nodes[i].group) write_node(out, g, i, "  ");
  for (int i = 0; i < g->nedges; i++) {
    const graph_edge *e = &g->edges[i];
    fputs("  ", out);
    node_id(out, g, e->from);
    fputs(" -> ", out);
    node_id(out, g, e->to);
    fputs(" [label=\"", out);
    dot_text(out, e->label);
    if (e->count > 1) fprintf(out, " x%d", e->count);
    fputs(e->dashed ? "\", style=dashed];\n" : "\"];\n", out);
  }
  fputs("}\n", out);
  return ferror(out) ? cli_error("error writing the graph") : 0;
}

/* ---- JSON ------------------------------------------------------------------------- */

static void json_text(FILE *out, const char *s) {
  if (!s) {
    fputs("null", out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

int graph_write_json(const graph *g, FILE *out) {
  fputs("{\"nodes\":[", out);
  for (int i = 0; i < g->nnodes; i++) {
    const graph_node *n = &g->nodes[i];
    fprintf(out, "%s\n{\"id\":", i ? "," : "");
    node_id(out, g, i);
    if (n->pid) fprintf(out, ",\"pid\":%lld", (long long)n->pid);
    else fputs(",\"pid\":null", out);
    fputs(",\"name\":", out);
    json_text(out, n->name);
    fputs(",\"group\":", out);
    json_text(out, n->group);
    fputs(",\"listens\":", out);
    json_text(out, n->listens);
    fputc('}', out);
  }
  fputs("\n],\"edges\":[", out);
  for (int i = 0; i < g->nedges; i++) {
    const graph_edge *e = &g->edges[i];
    fprintf(out, "%s\n{\"from\":", i ? "," : "");
    node_id(out, g, e->from);
    fputs(",\"to\":", out);
    node_id(out, g, e->to);
    fputs(",\"label\":", out);
    json_text(out, e->label);
    fprintf(out, ",\"count\":%d,\"dashed\":%s}", e->count, e->dashed ? "true" : "false");
  }
  fputs("\n]}\n", out);
  return ferror(out) ? cli_error("error writing the graph") : 0;
}

/* ---- SVG through Graphviz --------------------------------------------------------- */

/* Runs dot -Tsvg with the DOT text on its standard input and out as its
 * standard output. */
int graph_write_svg(const graph *g, FILE *out) {
  int in[2], status;
  pid_t pid;
  char *argv[] = {"dot", "-Tsvg", NULL};
  posix_spawn_file_actions_t fa;
  if (fflush(out) != 0 || pipe(in) != 0) return cli_error("cannot run dot: %s", strerror(errno));
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, fileno(out), 1);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  int err = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  if (err) {
    close(in[1]);
    return cli_error("--format svg needs Graphviz's dot (%s)", strerror(err));
  }
  FILE *to = fdopen(in[1], "w");
  void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* dot may stop reading */
  int rc = to ? graph_write_dot(g, to) : cli_error("cannot run dot: %s", strerror(errno));
  if (to) fclose(to);
  else close(in[1]);
  signal(SIGPIPE, old);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    rc = cli_error("dot failed (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return rc;
}
