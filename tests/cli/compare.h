/*
 * compare.h: the parts of test_compare (procnet against the real ss,
 * netstat, fuser and lsof) shared between its files:
 *   test_compare.c       the table of command lines, running both sides
 *   compare_world.c      the workload, in namespaces of the test's own
 *   compare_normalize.c  outputs as lines of words, and the documented
 *                        exceptions
 */
#ifndef PN_COMPARE_H
#define PN_COMPARE_H

#include <sys/types.h>

/* The fixed ports of the workload: its network namespace is its own, so
 * nothing else can hold them. */
#define CMP_TCP4 41001      /* 127.0.0.1, listening */
#define CMP_TCP6 41002      /* [::], dual stack, listening */
#define CMP_TCP6ONLY 41003  /* [::], IPv6 only, listening */
#define CMP_UDP4 41004      /* 0.0.0.0 */
#define CMP_UDP4C 41005     /* 127.0.0.1, connected to CMP_UDP4 */
#define CMP_UDP6 41006      /* [::1] */
#define CMP_TCP_ENDS 41007  /* 127.0.0.1, listening: C's connection to A */
#define CMP_UDP_ENDS 41008  /* 127.0.0.1, A's, connected to C's (41009) */
#define CMP_BACKLOG 7       /* every listener's */
/* The name of process A's thread: longer than lsof's 9 characters of
 * TASKCMD, shorter than the kernel's 15. */
#define CMP_THREAD_NAME "cmp-worker-one"

typedef struct cmp_world {
  char dir[64];           /* /tmp/pn-cmp-XXXXXX: files, unix sockets, mnt/ */
  pid_t pid;              /* the process holding almost everything */
  pid_t pid2;             /* its child: the TCP4 listener too, cwd in mnt/ */
  pid_t pid3;             /* its child: the other ends of A's pipe, pty... */
  unsigned portid;        /* its netlink socket's port id */
} cmp_world;

/* Builds the workload in the current namespaces (the caller is pid 1 of a
 * new pid namespace with its own /proc and network). 0 or -1. */
int cmp_world_start(cmp_world *w);
void cmp_world_stop(cmp_world *w);

/* ---- outputs -------------------------------------------------------------- */

/* Output as lines of words (runs of blanks collapsed). */
typedef struct cmp_lines {
  char ***words;          /* words[i]: NULL-terminated */
  int *tabbed;            /* the line began with a tab (ss's second lines) */
  int n;
} cmp_lines;

void cmp_lines_parse(const char *text, cmp_lines *out);
void cmp_lines_free(cmp_lines *l);
int cmp_lines_equal(const cmp_lines *a, const cmp_lines *b);
/* The lines as text again, for messages (malloc'd). */
char *cmp_lines_text(const cmp_lines *l);

/* Which side an output comes from. */
typedef enum { CMP_REAL, CMP_PROCNET } cmp_side;

/* lsof -F0's fields (their NUL shown as "^@" by slurp_fd) one a line, so
 * that they compare field by field; the newline that ends each set
 * becomes an empty line. malloc'd. */
char *cmp_nul_fields_apart(const char *text);

/* Applies the documented exceptions for the command line argv (argv[0]
 * the tool) to one side's stdout. */
void cmp_normalize(char *const *argv, cmp_side side, cmp_lines *l);
/* Whether the real tool's standard error is its usage text (then only the
 * exit status of the two sides is compared); counted as an exception. */
int cmp_usage_error(const char *tool, const cmp_lines *err);
/* Prints how often each exception applied (the test's closing report). */
void cmp_report_exceptions(void);

#endif
