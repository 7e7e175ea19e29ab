/*
 * cmd_graph.c: `procnet graph`: the host's service map (graph.h) from the
 * connections and exposure views and the containers table, printed by
 * graph_out.c as Graphviz DOT (the default), JSON or SVG.
 *
 * Edges: the connections grouped by their two ends' processes (a peer off
 * this host by its address), kind, destination port and way (the
 * published address of a connection through NAT), with their count.
 * Connections whose end is a socket no process holds (a kernel socket,
 * another user's process read without privileges) are left out. Every
 * process that listens is a node, with its listeners and how each is
 * published; processes are grouped by container, else by systemd unit.
 */
#include "cli.h"
#include "graph.h"

#include <stdlib.h>
#include <string.h>

/* ---- the graph ------------------------------------------------------------------- */

void graph_free(graph *g) {
  for (int i = 0; i < g->nnodes; i++) {
    sqlite3_free(g->nodes[i].name);
    sqlite3_free(g->nodes[i].group);
    sqlite3_free(g->nodes[i].listens);
  }
  for (int i = 0; i < g->nedges; i++) sqlite3_free(g->edges[i].label);
  sqlite3_free(g->nodes);
  sqlite3_free(g->edges);
  memset(g, 0, sizeof *g);
}

int graph_node_of(graph *g, sqlite3_int64 pid, const char *name) {
  for (int i = 0; i < g->nnodes; i++)
    if (pid ? g->nodes[i].pid == pid : !g->nodes[i].pid && !strcmp(g->nodes[i].name, name))
      return i;
  if (g->nnodes == g->ncap) {
    int cap = g->ncap ? g->ncap * 2 : 32;
    graph_node *v = sqlite3_realloc64(g->nodes, (sqlite3_uint64)cap * sizeof *v);
    if (!v) return -1;
    g->nodes = v;
    g->ncap = cap;
  }
  graph_node *n = &g->nodes[g->nnodes];
  memset(n, 0, sizeof *n);
  n->pid = pid;
  n->name = sqlite3_mprintf("%s", name ? name : "?");
  if (!n->name) return -1;
  return g->nnodes++;
}

int graph_add_edge(graph *g, int from, int to, const char *label, int count, int dashed) {
  if (g->nedges == g->ecap) {
    int cap = g->ecap ? g->ecap * 2 : 64;
    graph_edge *v = sqlite3_realloc64(g->edges, (sqlite3_uint64)cap * sizeof *v);
    if (!v) return -1;
    g->edges = v;
    g->ecap = cap;
  }
  graph_edge *e = &g->edges[g->nedges];
  e->from = from;
  e->to = to;
  e->count = count;
  e->dashed = dashed;
  e->label = sqlite3_mprintf("%s", label);
  if (!e->label) return -1;
  g->nedges++;
  return 0;
}

/* ---- reading it -------------------------------------------------------------------- */

static const char EDGES_SQL[] =
    "SELECT coalesce(src_pid, 0), coalesce(src_process, src_address),"
    " coalesce(dst_pid, 0), coalesce(dst_process, dst_address),"
    " kind || CASE WHEN kind IN ('tcp', 'udp') THEN ' ' || dst_port ELSE '' END"
    " || coalesce(' via ' || nat_address || ':' || nat_port, ''),"
    " via IN ('nat', 'external') OR nat IS NOT NULL, count(*)"
    " FROM connections"
    " WHERE (src_pid IS NOT NULL OR via = 'external')"
    " AND (dst_pid IS NOT NULL OR via = 'external')"
    " AND (?1 IS NULL OR instr(?1, ',' || src_pid || ',') OR instr(?1, ',' || dst_pid || ','))"
    " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 3, 5";

static const char *text_of(sqlite3_stmt *st, int col) {
  const char *t = (const char *)sqlite3_column_text(st, col);
  return t ? t : "?";
}

/* A statement of the map, with the processes -p asks for (",1,2,": each
 * between commas) as ?1, or NULL for all. */
static sqlite3_stmt *prepare_for(sqlite3 *db, const char *sql, const char *pids) {
  sqlite3_stmt *st = cli_prepare(db, sql, NULL);
  if (st && sqlite3_bind_text(st, 1, pids, -1, SQLITE_STATIC) != SQLITE_OK) {
    cli_error("%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

static int read_edges(sqlite3 *db, graph *g, const char *pids) {
  sqlite3_stmt *st = prepare_for(db, EDGES_SQL, pids);
  int rc = st ? SQLITE_OK : SQLITE_ERROR;
  while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int from = graph_node_of(g, sqlite3_column_int64(st, 0), text_of(st, 1));
    int to = graph_node_of(g, sqlite3_column_int64(st, 2), text_of(st, 3));
    if (from < 0 || to < 0 ||
        graph_add_edge(g, from, to, text_of(st, 4), sqlite3_column_int(st, 6),
                       sqlite3_column_int(st, 5)) != 0) {
      rc = SQLITE_NOMEM;
      break;
    }
  }
  if (st && rc != SQLITE_DONE) cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? CLI_OK : CLI_ERR;
}

/* Each listener once, with the ways it is published. */
static const char LISTENERS_SQL[] =
    "SELECT pid, process, proto || ' ' || port || coalesce(' (published '"
    " || group_concat(public_address || ':' || public_port || ' ' || via, ', ') || ')', '')"
    " FROM exposure WHERE pid IS NOT NULL AND (?1 IS NULL OR instr(?1, ',' || pid || ','))"
    " GROUP BY pid, process, proto, port ORDER BY pid, proto, port";

/* Appends "; text" (or text) to *s. */
static int append(char **s, const char *text) {
  char *n = *s ? sqlite3_mprintf("%s; %s", *s, text) : sqlite3_mprintf("%s", text);
  if (!n) return -1;
  sqlite3_free(*s);
  *s = n;
  return 0;
}

static int read_listeners(sqlite3 *db, graph *g, const char *pids) {
  sqlite3_stmt *st = prepare_for(db, LISTENERS_SQL, pids);
  int rc = st ? SQLITE_OK : SQLITE_ERROR;
  while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int n = graph_node_of(g, sqlite3_column_int64(st, 0), text_of(st, 1));
    if (n < 0 || append(&g->nodes[n].listens, text_of(st, 2)) != 0) {
      rc = SQLITE_NOMEM;
      break;
    }
  }
  if (st && rc != SQLITE_DONE) cli_error("%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? CLI_OK : CLI_ERR;
}

/* The group of each process node: its container, else its unit. */
static int read_groups(sqlite3 *db, graph *g) {
  cli_query q = {0};
  sqlite3_int64 *pids = malloc(((size_t)g->nnodes + 1) * sizeof *pids);
  int n = 0, rc = CLI_OK;
  if (!pids) return cli_error("out of memory");
  for (int i = 0; i < g->nnodes; i++)
    if (g->nodes[i].pid > 0) pids[n++] = g->nodes[i].pid;
  if (n) cli_q_and_in_ints(&q, "pid", pids, n);
  free(pids);
  if (!n) return CLI_OK;
  sqlite3_str *sql = sqlite3_str_new(db);
  sqlite3_str_appendf(sql, "SELECT pid, CASE WHEN container_id IS NOT NULL THEN 'container ' ||"
                           " coalesce(name, substr(container_id, 1, 12)) ELSE 'unit ' || unit END"
                           " FROM containers WHERE %s", cli_q_text_of(&q));
  char *text = sqlite3_str_finish(sql);
  sqlite3_stmt *st = text && !q.oom ? cli_prepare(db, text, &q) : NULL;
  int step = st ? SQLITE_OK : SQLITE_ERROR;
  while (st && (step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *group = (const char *)sqlite3_column_text(st, 1);
    int k = group ? graph_node_of(g, sqlite3_column_int64(st, 0), "?") : -1;
    if (k >= 0 && !(g->nodes[k].group = sqlite3_mprintf("%s", group))) step = SQLITE_NOMEM;
    if (step == SQLITE_NOMEM) break;
  }
  if (step != SQLITE_DONE) rc = cli_error("%s", st ? sqlite3_errmsg(db) : "out of memory");
  sqlite3_finalize(st);
  sqlite3_free(text);
  cli_q_free(&q);
  return rc;
}

/* -p PID[,PID...]: the pids as ",1,2," (each between commas). */
typedef struct graph_args {
  sqlite3_str *pids;
  int n;
} graph_args;

static int take_pids(graph_args *a, const char *arg) {
  const char *p = arg;
  while (*p) {
    char *end;
    long long pid = strtoll(p, &end, 10);
    if (end == p || pid <= 0 || (*end && *end != ','))
      return cli_usage_error(cli_find_command("graph"), "-p needs process ids: '%s'", arg);
    sqlite3_str_appendf(a->pids, "%s%lld,", a->n++ ? "" : ",", pid);
    p = *end ? end + 1 : end;
  }
  return CLI_OK;
}

static int on_arg(void *ctx, const cli_parse_state *st, int code, const char *arg) {
  (void)st;
  if (code == 'p') return take_pids(ctx, arg);
  return cli_usage_error(cli_find_command("graph"), "unexpected argument '%s'", arg);
}

int cli_cmd_graph(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  graph_args a = {sqlite3_str_new(NULL), 0};
  int rc = cli_parse(cmd, o, argc, argv, on_arg, &a);
  char *pids = sqlite3_str_finish(a.pids);
  if (rc == CLI_OK && a.n && !pids) rc = cli_error("out of memory");
  if (rc == CLI_OK && o->format == CLI_CSV)
    rc = cli_usage_error(cmd, "graph prints dot, json or svg");
  sqlite3 *db = rc == CLI_OK ? cli_db_open(o, 1) : NULL;
  if (rc == CLI_OK && !db) rc = CLI_ERR;
  graph g = {0};
  if (rc == CLI_OK) rc = read_edges(db, &g, pids);
  if (rc == CLI_OK) rc = read_listeners(db, &g, pids);
  if (rc == CLI_OK) rc = read_groups(db, &g);
  if (db) cli_db_close(db);
  if (rc == CLI_OK) {
    int w = o->format == CLI_JSON   ? graph_write_json(&g, stdout)
            : o->picture == CLI_SVG ? graph_write_svg(&g, stdout)
                                    : graph_write_dot(&g, stdout);
    rc = w == 0 ? CLI_OK : CLI_ERR;
  }
  graph_free(&g);
  sqlite3_free(pids);
  return rc;
}
