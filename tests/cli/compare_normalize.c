/*
 * compare_normalize.c: outputs as lines of words, and the exceptions: the
 * few documented places where procnet's output may differ from the real
 * tool's. Each one rewrites the tool's output (or procnet's) as narrowly
 * as it can, says why, and counts how often it applied. The "netlink"
 * ones go away when procnet reads sock_diag (the data exists only there);
 * the others are where the real tool is wrong or where two reads of a
 * running clock cannot agree.
 */
#include "compare.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- lines of words ------------------------------------------------------ */

void cmp_lines_parse(const char *text, cmp_lines *out) {
  out->words = NULL;
  out->tabbed = NULL;
  out->n = 0;
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char **w = calloc(len / 2 + 2, sizeof *w);
    int nw = 0;
    for (size_t i = 0; i < len;) {
      while (i < len && (p[i] == ' ' || p[i] == '\t')) i++;
      size_t s = i;
      while (i < len && p[i] != ' ' && p[i] != '\t') i++;
      if (i > s) w[nw++] = strndup(p + s, i - s);
    }
    out->words = realloc(out->words, (size_t)(out->n + 1) * sizeof *out->words);
    out->tabbed = realloc(out->tabbed, (size_t)(out->n + 1) * sizeof *out->tabbed);
    out->tabbed[out->n] = len && p[0] == '\t';
    out->words[out->n++] = w;
    p += len + (end != NULL);
  }
}

void cmp_lines_free(cmp_lines *l) {
  for (int i = 0; i < l->n; i++) {
    for (char **w = l->words[i]; *w; w++) free(*w);
    free(l->words[i]);
  }
  free(l->words);
  free(l->tabbed);
  l->n = 0;
}

static int nwords(char **w) {
  int n = 0;
  while (w[n]) n++;
  return n;
}

int cmp_lines_equal(const cmp_lines *a, const cmp_lines *b) {
  if (a->n != b->n) return 0;
  for (int i = 0; i < a->n; i++) {
    int n = nwords(a->words[i]);
    if (n != nwords(b->words[i])) return 0;
    for (int k = 0; k < n; k++)
      if (strcmp(a->words[i][k], b->words[i][k]) != 0) return 0;
  }
  return 1;
}

char *cmp_lines_text(const cmp_lines *l) {
  size_t cap = 64, len = 0;
  char *s = malloc(cap);
  s[0] = '\0';
  for (int i = 0; i < l->n; i++) {
    for (char **w = l->words[i]; ; w++) {
      const char *piece = *w ? *w : "";
      size_t need = len + strlen(piece) + 3;
      if (need > cap) s = realloc(s, cap = 2 * need);
      len += (size_t)sprintf(s + len, "%s%s", piece, *w ? (w[1] ? " " : "") : "\n");
      if (!*w) break;
    }
  }
  return s;
}

static void drop_line(cmp_lines *l, int i) {
  for (char **w = l->words[i]; *w; w++) free(*w);
  free(l->words[i]);
  memmove(&l->words[i], &l->words[i + 1], (size_t)(l->n - i - 1) * sizeof *l->words);
  memmove(&l->tabbed[i], &l->tabbed[i + 1], (size_t)(l->n - i - 1) * sizeof *l->tabbed);
  l->n--;
}

static void drop_word(char **w, int k) {
  free(w[k]);
  memmove(&w[k], &w[k + 1], (size_t)(nwords(w) - k) * sizeof *w);
}

static void set_word(char **w, int k, const char *text) {
  free(w[k]);
  w[k] = strdup(text);
}

/* ---- the exceptions -------------------------------------------------------- */

typedef struct exception_def {
  const char *name, *kind, *why;
  int applied;            /* lines rewritten */
} exception_def;

enum {
  EX_SOCK_DIAG_ROWS, EX_SUMMARY_TOTAL, EX_SS_MOVING, EX_UNIX_BLANK,
  EX_TIMER_MOMENT, EX_USAGE_TEXT, EX_LSOF_UNIX_BLANK, EX_LSOF_MEM_SIZE,
  EX_LSOF_OWN_ROWS, EX_LSOF_ENDS_C0, EX_COUNT
};

static exception_def exceptions[EX_COUNT] = {
    [EX_SOCK_DIAG_ROWS] = {"ss-sock-diag-rows", "the tools' own work",
                           "netlink sock_diag sockets (protocol 4): the kernel's holds the"
                           " answers to the tools' own dumps, and each tool lists its own"
                           " dump socket; dropped on both sides", 0},
    [EX_SUMMARY_TOTAL] = {"ss-summary-moving-counts", "the tools' own work, the machine",
                          "ss -s's Total (sockets: used) still counts the sockets of a tool"
                          " that has just exited until the kernel frees them (an RCU grace"
                          " period later), and its TCP total, closed and orphaned count every"
                          " namespace of the machine: those numbers are masked on both"
                          " sides", 0},
    [EX_SS_MOVING] = {"ss-moving-values", "two reads of a running clock",
                      "ss -o's timer expiry and ss -i's lastsnd:, lastrcv:, lastack: (time"
                      " since a socket's last packets) and busy: change between the two"
                      " runs: the numbers are masked on both sides", 0},
    [EX_UNIX_BLANK] = {"netstat-unix-path-blank", "the real tool is wrong",
                       "netstat cuts a unix socket's path at its first blank (sscanf %s);"
                       " procnet prints the path whole", 0},
    [EX_TIMER_MOMENT] = {"netstat-timer-moment", "two reads of a running clock",
                         "netstat -o prints a running timer to 1/100 s; the two runs read it"
                         " at different moments, so the seconds are masked", 0},
    [EX_USAGE_TEXT] = {"fuser-usage-text", "wording",
                       "on a usage error fuser prints its own usage text, procnet its message"
                       " and usage line; the exit status is still compared", 0},
    [EX_LSOF_UNIX_BLANK] = {"lsof-unix-path-blank", "the real tool is wrong",
                            "lsof cuts a unix socket's path at its first blank (it splits"
                            " /proc/net/unix on blanks), and where it matches names lists such"
                            " sockets by the stat of another path; procnet prints the path whole"
                            " and matches by the whole path", 0},
    [EX_LSOF_MEM_SIZE] = {"lsof-mem-size", "the real tool is wrong",
                          "SIZE/OFF of a mapped file (mem): lsof 4.95 stats it by its path"
                          " in its own mount namespace, so gives none for a process of"
                          " another one; procnet stats the mapping itself"
                          " (/proc/PID/map_files); dropped on both sides", 0},
    [EX_LSOF_OWN_ROWS] = {"lsof-own-rows", "the tools' own work",
                          "a line that selects no process lists the tool too (lsof and the"
                          " child it forks, or procnet): their rows are dropped on both"
                          " sides", 0},
    [EX_LSOF_ENDS_C0] = {"lsof-ends-command-c0", "the real tool is wrong",
                         "with +c 0 (whole command names) and +E or -E, lsof prints each"
                         " end's command empty (PID,,FDmode: it takes the 0 as a length);"
                         " procnet prints the name: dropped from procnet's ends", 0},
};

static void applied(int ex, int *seen) {
  if (!seen[ex]) exceptions[ex].applied++;
  seen[ex] = 1;
}

/* "PROTO:PORT" of a netlink socket, all digits: its protocol, or -1. */
static int netlink_protocol(const char *w) {
  const char *colon = strchr(w, ':');
  if (!colon || colon == w) return -1;
  for (const char *p = w; p < colon; p++)
    if (!isdigit((unsigned char)*p)) return -1;
  for (const char *p = colon + 1; *p; p++)
    if (!isdigit((unsigned char)*p) && *p != '-') return -1;
  return atoi(w);
}

static void drop_sock_diag_rows(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++) {
    for (int k = 0; l->words[i][k]; k++)
      if (netlink_protocol(l->words[i][k]) == 4) {
        drop_line(l, i--);
        applied(EX_SOCK_DIAG_ROWS, seen);
        break;
      }
  }
}

/* "Total: N" and "TCP: N (estab E, closed C, orphaned O, timewait T)":
 * N, C and O masked. */
static void mask_summary_total(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++) {
    char **w = l->words[i];
    if (w[0] && !strcmp(w[0], "Total:") && w[1] && !w[2]) {
      set_word(w, 1, "N");
      applied(EX_SUMMARY_TOTAL, seen);
    } else if (w[0] && !strcmp(w[0], "TCP:") && nwords(w) == 10 && !strcmp(w[4], "closed")) {
      set_word(w, 1, "N");
      set_word(w, 5, "C,");
      set_word(w, 7, "O,");
      applied(EX_SUMMARY_TOTAL, seen);
    }
  }
}

/* The words of ss -o and -i whose numbers move with time. */
static int moving_word(const char *w) {
  static const char *const keys[] = {"lastsnd:", "lastrcv:", "lastack:", "busy:"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!strncmp(w, keys[i], strlen(keys[i]))) return 1;
  return 0;
}

/* "timer:(keepalive,119min,0)" -> "timer:(keepalive,*,0)"; "lastsnd:1234"
 * -> "lastsnd:*". */
static void mask_moving(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++)
    for (char **w = l->words[i]; *w; w++) {
      char *t = *w;
      if (!strncmp(t, "timer:(", 7)) {
        char *a = strchr(t, ','), *b = a ? strchr(a + 1, ',') : NULL;
        if (!b) continue;
        memmove(a + 2, b, strlen(b) + 1);
        a[1] = '*';
      } else if (moving_word(t)) {
        char *colon = strchr(t, ':');
        colon[1] = '*';
        colon[2] = '\0';
      } else {
        continue;
      }
      applied(EX_SS_MOVING, seen);
    }
}

/* procnet's unix paths, cut where netstat cuts them. */
static void cut_unix_paths(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++) {
    char **w = l->words[i];
    if (!w[0] || strcmp(w[0], "unix") != 0) continue;
    for (int k = 1; w[k]; k++)
      if ((w[k][0] == '/' || w[k][0] == '@') && w[k + 1]) {
        while (w[k + 1]) drop_word(w, k + 1);
        applied(EX_UNIX_BLANK, seen);
        break;
      }
  }
}

/* "keepalive (7186.54/0/0)" -> "keepalive (T/0/0)"; "off (0.00/...)" stays. */
static void mask_timers(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++)
    for (int k = 1; l->words[i][k]; k++) {
      char *w = l->words[i][k], *slash = strchr(w, '/');
      if (w[0] != '(' || !slash || !strcmp(l->words[i][k - 1], "off")) continue;
      size_t rest = strlen(slash);
      memmove(w + 2, slash, rest + 1);
      w[1] = 'T';
      applied(EX_TIMER_MOMENT, seen);
    }
}

/* ---- lsof --------------------------------------------------------------------- */

static int path_word(const char *w) {
  return w[0] == '/' || w[0] == '@' || (w[0] == 'n' && (w[1] == '/' || w[1] == '@'));
}

/* Whether a command line names files (a path, +d, +D). */
static int names_files(char *const *argv) {
  for (int i = 1; argv[i]; i++)
    if (argv[i][0] == '/' || !strcmp(argv[i], "+d") || !strcmp(argv[i], "+D")) return 1;
  return 0;
}

/* Where lsof matches names, it also lists sockets bound at a path with a
 * blank: it reads such a path as the part before the blank, which does
 * not exist, and matches with the stat of the line before it. Those rows
 * (a unix socket at a path that does not exist) are dropped. */
static void drop_lsof_stale_unix(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++) {
    char **w = l->words[i];
    int unix_row = 0, t = 0;
    for (int k = 0; w[k]; k++) unix_row |= !strcmp(w[k], "unix");
    while (w[t] && strncmp(w[t], "type=", 5) != 0) t++;
    struct stat st;
    if (!unix_row || !w[t] || t == 0 || w[t - 1][0] != '/' || stat(w[t - 1], &st) == 0)
      continue;
    drop_line(l, i--);
    applied(EX_LSOF_UNIX_BLANK, seen);
  }
}

/* procnet's unix paths, cut where lsof cuts them: the words between the
 * path's first and "type=". */
static void cut_lsof_unix_paths(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++) {
    char **w = l->words[i];
    int t = 0;
    while (w[t] && strncmp(w[t], "type=", 5) != 0) t++;
    if (!w[t]) continue;
    int k = t - 1;
    while (k >= 0 && !path_word(w[k])) k--;
    if (k < 0 || k == t - 1) continue;
    while (t-- > k + 1) drop_word(w, k + 1);
    applied(EX_LSOF_UNIX_BLANK, seen);
  }
}

static int all_digits(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s)) return 0;
  return 1;
}

/* A field line of -F output: one word, its letter first (with -F0 its
 * NUL shows as "^@" after it). */
static int field_line(char **w, char letter) {
  return w[0] && w[0][0] == letter && (!w[1] || (!strcmp(w[1], "^@") && !w[2]));
}

/* The SIZE of mapped files: in the table (FD mem or DEL, TYPE, DEVICE
 * a,b, SIZE, NODE) and in -F (s in a mem or DEL file set). Only a row
 * that has one is touched: where lsof printed none this does nothing. */
static void drop_mem_sizes(cmp_lines *l, int *seen) {
  int in_mem = 0;
  for (int i = 0; i < l->n; i++) {
    char **w = l->words[i];
    if (field_line(w, 'f') || field_line(w, 'p')) {
      in_mem = field_line(w, 'f') && (!strncmp(w[0], "fmem", 4) || !strncmp(w[0], "fDEL", 4));
      continue;
    }
    if (in_mem && field_line(w, 's')) {
      drop_line(l, i--);
      applied(EX_LSOF_MEM_SIZE, seen);
      continue;
    }
    for (int k = 0; w[k] && w[k + 1] && w[k + 2] && w[k + 3] && w[k + 4]; k++)
      if ((!strcmp(w[k], "mem") || !strcmp(w[k], "DEL")) && strchr(w[k + 2], ',') &&
          all_digits(w[k + 3]) && all_digits(w[k + 4])) {
        drop_word(w, k + 3);
        applied(EX_LSOF_MEM_SIZE, seen);
        break;
      }
  }
}

/* Table rows of the tools themselves: COMMAND lsof or procnet, then a
 * pid. */
static void drop_tool_rows(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++) {
    char **w = l->words[i];
    if (w[0] && w[1] && (!strcmp(w[0], "lsof") || !strcmp(w[0], "procnet")) &&
        all_digits(w[1])) {
      drop_line(l, i--);
      applied(EX_LSOF_OWN_ROWS, seen);
    }
  }
}

/* Whether the command line has +c 0 (or +c0) and +E or -E. */
static int ends_whole_commands(char *const *argv) {
  int c0 = 0, ends = 0;
  for (int i = 1; argv[i]; i++) {
    c0 |= !strcmp(argv[i], "+c0") || (!strcmp(argv[i], "+c") && argv[i + 1] &&
                                      !strcmp(argv[i + 1], "0"));
    ends |= !strcmp(argv[i], "+E") || !strcmp(argv[i], "-E");
  }
  return c0 && ends;
}

/* An end in NAME, PID,cmd,FDmode: its command dropped (PID,,FDmode). */
static void drop_end_commands(cmp_lines *l, int *seen) {
  for (int i = 0; i < l->n; i++)
    for (char **w = l->words[i]; *w; w++) {
      char *c1 = strchr(*w, ','), *c2 = c1 ? strrchr(*w, ',') : NULL;
      size_t pid = strspn(*w, "0123456789");
      if (!c1 || c2 == c1 || pid == 0 || *w + pid != c1 || c2 == c1 + 1 ||
          !isdigit((unsigned char)c2[1]) || !strchr("rwu", (*w)[strlen(*w) - 1]))
        continue;
      memmove(c1 + 1, c2, strlen(c2) + 1);
      applied(EX_LSOF_ENDS_C0, seen);
    }
}

char *cmp_nul_fields_apart(const char *text) {
  size_t n = 0;
  for (const char *p = text; (p = strstr(p, "^@")); p += 2) n++;
  char *out = malloc(strlen(text) + n + 1), *o = out;
  for (const char *p = text; *p;) {
    if (!strncmp(p, "^@", 2)) {
      o += sprintf(o, "^@\n");
      p += 2;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

void cmp_normalize(char *const *argv, cmp_side side, cmp_lines *l) {
  int seen[EX_COUNT] = {0};
  const char *tool = argv[0];
  if (!strcmp(tool, "ss")) {
    drop_sock_diag_rows(l, seen);
    mask_summary_total(l, seen);
    mask_moving(l, seen);
  } else if (!strcmp(tool, "netstat")) {
    if (side == CMP_PROCNET) cut_unix_paths(l, seen);
    mask_timers(l, seen);
  } else if (!strcmp(tool, "lsof")) {
    if (side == CMP_PROCNET) cut_lsof_unix_paths(l, seen);
    if (side == CMP_PROCNET && ends_whole_commands(argv)) drop_end_commands(l, seen);
    drop_mem_sizes(l, seen);
    drop_tool_rows(l, seen);
    if (side == CMP_REAL && names_files(argv)) drop_lsof_stale_unix(l, seen);
  }
}

int cmp_usage_error(const char *tool, const cmp_lines *err) {
  if (strcmp(tool, "fuser") != 0) return 0;
  for (int i = 0; i < err->n; i++)
    if (err->words[i][0] && !strcmp(err->words[i][0], "Usage:")) {
      exceptions[EX_USAGE_TEXT].applied++;
      return 1;
    }
  return 0;
}

void cmp_report_exceptions(void) {
  printf("compare: documented exceptions (how many outputs each rewrote, of all runs):\n");
  for (int i = 0; i < EX_COUNT; i++)
    printf("  %-24s %5d  [%s] %s\n", exceptions[i].name, exceptions[i].applied,
           exceptions[i].kind, exceptions[i].why);
}
