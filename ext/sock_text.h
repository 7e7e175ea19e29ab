/*
 * sock_text.h: the text source of socket records: /proc/PID/net/<file>.
 *
 * Works on any /proc tree (the fixture trees of the tests, /host/proc) and
 * for any reader: another user's /proc/PID/net files are readable. It is
 * the source wherever sock_diag is not used, and for the fields only the
 * text files have (see sockrec.h).
 */
#ifndef PROCNET_SOCK_TEXT_H
#define PROCNET_SOCK_TEXT_H

#include "sockrec.h"

/* Reads file `file` of kind k (net/tcp6 for tcp's file 1) through the
 * first of pids that is still there, appending its records to set (empty
 * when no process is). *via gets the pid read through (-1: none). Returns
 * SQLITE_OK or SQLITE_NOMEM; a file read in part is not kept. */
int pn_text_read(const pn_fs *fs, const pn_sockkind *k, int file,
                 const int64_t *pids, int npids, pn_sockset *set,
                 int64_t *via);

/* The same from a file already open (a namespace's net/ file opened
 * inside it, nsenter.h, for a namespace no process is in). */
int pn_text_read_fd(int fd, const pn_sockkind *k, pn_sockset *set);

#endif
