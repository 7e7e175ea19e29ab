/*
 * graph.h: the host's service map of `procnet graph`, between the queries
 * that make it (cmd_graph.c) and the writers that print it (graph_out.c).
 *
 * Nodes are processes, and peers off this host (one node per address);
 * a process node carries its group (its container, else its systemd
 * unit) and its listeners. Edges join the processes (or addresses) of a
 * connection's two ends, one per kind, destination port and way, with
 * the number of connections.
 */
#ifndef PROCNET_GRAPH_H
#define PROCNET_GRAPH_H

#include <stdio.h>
#include <sqlite3.h>

typedef struct graph_node {
  sqlite3_int64 pid;        /* 0: a peer off this host */
  char *name;               /* the process name, or the peer's address */
  char *group;              /* "container web", "unit nginx.service", or NULL */
  char *listens;            /* "tcp 8080 (published 0.0.0.0:9090 dnat); udp
                               53", or NULL */
} graph_node;

typedef struct graph_edge {
  int from, to;             /* node indexes */
  char *label;              /* "tcp 8080", "unix", "pipe", "tcp 8080 via 10.0.0.1:80" */
  int count;                /* connections */
  int dashed;               /* through NAT, or off this host */
} graph_edge;

typedef struct graph {
  graph_node *nodes;
  int nnodes, ncap;
  graph_edge *edges;
  int nedges, ecap;
} graph;

void graph_free(graph *g);
/* The node of a process (pid > 0) or of an address (pid 0, name the
 * address), added when new: its index, or -1 when out of memory. */
int graph_node_of(graph *g, sqlite3_int64 pid, const char *name);
/* Adds an edge; 0, or -1 when out of memory. label is copied. */
int graph_add_edge(graph *g, int from, int to, const char *label, int count, int dashed);

/* Writers (graph_out.c). Return 0, or non-zero after printing the error. */
int graph_write_dot(const graph *g, FILE *out);
int graph_write_json(const graph *g, FILE *out);
/* Graphviz's dot -Tsvg on the DOT text, its output to out. */
int graph_write_svg(const graph *g, FILE *out);

#endif
