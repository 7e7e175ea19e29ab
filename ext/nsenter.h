/*
 * nsenter.h: doing something inside other network namespaces (layer 2,
 * beside procfs.h).
 *
 * A thread's network namespace is its own: setns(2) changes it for the
 * calling thread alone. What is made inside a namespace keeps it after
 * the thread leaves: a socket answers for the namespace it was created in,
 * and a /proc/thread-self/net/ file opened there shows that namespace's
 * sockets. So procnet enters namespaces from one short-lived helper
 * thread, which makes what is needed, goes back, and ends; the threads
 * that call into procnet never change namespace.
 */
#ifndef PROCNET_NSENTER_H
#define PROCNET_NSENTER_H

/* Called inside the namespace of nsfds[i]. */
typedef void pn_in_netns_fn(void *arg, int i);

/* Calls fn(arg, i) for every i < n whose nsfds[i] >= 0 (an open ns/net
 * file), inside that namespace, from one helper thread that starts with
 * every signal blocked and enters each in turn. errs[i] gets setns's errno
 * when namespace i may not be entered (fn is then not called for it), 0
 * otherwise. Returns 0, or the errno of a helper thread that could not
 * start (then no fn was called). */
int pn_in_netns(const int *nsfds, int n, pn_in_netns_fn *fn, void *arg, int *errs);

#endif
