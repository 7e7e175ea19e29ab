/*
 * ends_scene.h: descriptors whose other ends are in another process, for
 * lsof's +E and -E (the lsof_endpoints view, `procnet lsof +E`), used by
 * tests/sql/test_lsof_endpoints.c and tests/cli/test_compare.c.
 *
 * pn_ends_start, called by a process A, gives A and a child it forks (B)
 * the two ends of: a pipe (A writes, B reads), a pty (A the master, B the
 * slave), an eventfd, a unix socketpair, a unix stream connection to A's
 * listener at DIR/ends.sock and a TCP one to A's listener on
 * 127.0.0.1:TCP_PORT (both accepted by A), and UDP sockets on 127.0.0.1
 * connected to each other (A's on UDP_PORT, B's on UDP_PORT + 1). A also
 * connects once to its own listener without accepting: a connection
 * waiting to be accepted, which lsof names as the listener's end. B keeps
 * nothing else (every other descriptor from 3 on is closed) and pauses.
 */
#ifndef PN_ENDS_SCENE_H
#define PN_ENDS_SCENE_H

#include <sys/types.h>

/* 0, B's pid in *b; or -1. The listeners' backlog is backlog. */
int pn_ends_start(const char *dir, int tcp_port, int udp_port, int backlog, pid_t *b);

/* Closes every descriptor from 3 on but the n of keep. */
void pn_close_all_but(const int *keep, int n);

#endif
