/*
 * options.c: a command's command line through glibc's getopt_long, as
 * util-linux parses its tools' options. The short-option string and the
 * long options are made from the command's table entry (commands.c) plus
 * the global options. getopt runs in "return in order" mode ("-" first in
 * the string): words that are not options come back as CLI_OPERAND where
 * they stand, so that lsof's `+d DIR` and ss's filter words keep their
 * place among the options, and `-i :80` can take the next word.
 *
 * What getopt does not know is done here:
 *  - an optional argument given as the next word (lsof -i :80), when the
 *    command's next_word_ok accepts that word;
 *  - lsof's +X options (+d DIR): a word "+X" whose CLI_PLUS('X') is in the
 *    table, with its argument attached (+dDIR) or the next word.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct getopt_spec {
  char *shortopts;
  struct option *longopts;
} getopt_spec;

static int is_letter_code(int code) { return code > 0 && code < 128; }

static void count_options(const cli_option *ops, size_t *nshort, size_t *nlong) {
  for (; ops->code; ops++) {
    if (is_letter_code(ops->code)) *nshort += 3;
    if (ops->long_name) (*nlong)++;
  }
}

static void add_options(getopt_spec *g, const cli_option *ops, size_t *s, size_t *l) {
  for (; ops->code; ops++) {
    if (is_letter_code(ops->code) && ops->code != CLI_OPERAND) {
      g->shortopts[(*s)++] = (char)ops->code;
      if (ops->arg == CLI_ARG_REQUIRED) g->shortopts[(*s)++] = ':';
      if (ops->arg == CLI_ARG_OPTIONAL) {
        g->shortopts[(*s)++] = ':';
        g->shortopts[(*s)++] = ':';
      }
    }
    if (ops->long_name) {
      struct option *lo = &g->longopts[(*l)++];
      lo->name = ops->long_name;
      lo->has_arg = ops->arg == CLI_ARG_REQUIRED   ? required_argument
                    : ops->arg == CLI_ARG_OPTIONAL ? optional_argument
                                                   : no_argument;
      lo->flag = NULL;
      lo->val = ops->code;
    }
  }
}

/* "-:" + the letters of cmd and the globals; their long options. */
static int build_spec(const cli_command *cmd, getopt_spec *g) {
  size_t nshort = 3, nlong = 1;
  count_options(cmd->options, &nshort, &nlong);
  count_options(cli_global_options, &nshort, &nlong);
  g->shortopts = calloc(nshort, 1);
  g->longopts = calloc(nlong, sizeof *g->longopts);
  if (!g->shortopts || !g->longopts) return -1;
  size_t s = 0, l = 0;
  g->shortopts[s++] = '-'; /* operands in order, as code 1 */
  g->shortopts[s++] = ':'; /* ':' for a missing argument */
  add_options(g, cmd->options, &s, &l);
  add_options(g, cli_global_options, &s, &l);
  return 0;
}

static void free_spec(getopt_spec *g) {
  free(g->shortopts);
  free(g->longopts);
}

/* How the user wrote the option, for messages: "--name" or "-c". */
static void option_word(const cli_option *op, const char *typed, char *buf, size_t n) {
  if (typed && !strncmp(typed, "--", 2) && op && op->long_name)
    snprintf(buf, n, "--%s", op->long_name);
  else if (op && is_letter_code(op->code))
    snprintf(buf, n, "-%c", op->code);
  else if (op && op->long_name)
    snprintf(buf, n, "--%s", op->long_name);
  else
    snprintf(buf, n, "%s", typed ? typed : "?");
}

static int missing_argument(const cli_command *cmd, int code, const char *typed) {
  const cli_option *op = cli_find_option(cmd, code);
  char w[64];
  option_word(op, typed, w, sizeof w);
  return cli_usage_error(cmd, "%s needs %s", w,
                         op && op->needs ? op->needs : "an argument");
}

static int unknown_option(const cli_command *cmd, int optopt_, const char *typed) {
  if (optopt_ > 0 && optopt_ < 128 && isprint(optopt_) &&
      !(typed && !strncmp(typed, "--", 2)))
    return cli_usage_error(cmd, "unknown option '-%c'", optopt_);
  return cli_usage_error(cmd, "unknown option '%s'", typed ? typed : "?");
}

/* A "+X" word: the command's CLI_PLUS('X') option, its argument attached
 * or the next word. Returns 1 when the word was one (*rc set), 0 if not. */
static int plus_option(const cli_command *cmd, int argc, char **argv,
                       const char *word, cli_on_arg on_arg, void *ctx,
                       const cli_parse_state *st, int *rc) {
  if (word[0] != '+' || !word[1]) return 0;
  const cli_option *op = cli_find_option(cmd, CLI_PLUS((unsigned char)word[1]));
  if (!op || op->code < CLI_PLUS(0)) {
    *rc = cli_usage_error(cmd, "unknown option '%s'", word);
    return 1;
  }
  const char *arg = NULL;
  if (op->arg != CLI_ARG_NONE && word[2]) {
    arg = word + 2;
  } else if (op->arg != CLI_ARG_NONE && optind < argc &&
             (op->arg == CLI_ARG_REQUIRED ||
              (cmd->next_word_ok && cmd->next_word_ok(op->code, argv[optind])))) {
    arg = argv[optind++];
  } else if (op->arg == CLI_ARG_REQUIRED) {
    *rc = missing_argument(cmd, op->code, word);
    return 1;
  } else if (word[2]) {
    *rc = cli_usage_error(cmd, "unknown option '%s'", word);
    return 1;
  }
  *rc = on_arg(ctx, st, op->code, arg);
  return 1;
}

static int has_plus_options(const cli_command *cmd) {
  for (const cli_option *op = cmd->options; op->code; op++)
    if (CLI_IS_PLUS(op->code)) return 1;
  return 0;
}

/* One code getopt returned. */
static int dispatch(const cli_command *cmd, cli_opts *o, int argc, char **argv,
                    int code, const char *arg, cli_on_arg on_arg, void *ctx) {
  cli_parse_state st = {0, argv[optind - 1 < argc ? optind - 1 : argc - 1]};
  int rc = CLI_OK;
  switch (code) {
  case CLI_OPERAND:
    st.word = arg;
    if (has_plus_options(cmd) && plus_option(cmd, argc, argv, arg, on_arg, ctx, &st, &rc))
      return rc;
    return on_arg(ctx, &st, CLI_OPERAND, arg);
  case ':':
    return missing_argument(cmd, optopt, argv[optind - 1]);
  case '?':
    return unknown_option(cmd, optopt, argv[optind - 1]);
  case CLI_OPT_HELP:
    cli_print_help(stdout, cmd);
    return CLI_DONE;
  case CLI_OPT_VERSION:
    rc = cli_print_version(o);
    return rc == CLI_OK ? CLI_DONE : rc;
  case CLI_OPT_ROOT:
  case CLI_OPT_HOST_ROOT:
  case CLI_OPT_FORMAT:
  case CLI_OPT_NETNS:
    if (code == CLI_OPT_NETNS && !cmd->global_netns)
      return cli_usage_error(cmd, "--netns does not apply to %s; filter with"
                                  " WHERE netns = procnet_netns() or = N", cmd->name);
    return cli_set_global(o, code, arg, cmd->name, cmd->usage_status);
  default: {
    const cli_option *op = cli_find_option(cmd, code);
    if (op && op->arg == CLI_ARG_OPTIONAL && !arg && optind < argc &&
        cmd->next_word_ok && cmd->next_word_ok(code, argv[optind]))
      arg = argv[optind++];
    return on_arg(ctx, &st, code, arg);
  }
  }
}

int cli_parse(const cli_command *cmd, cli_opts *o, int argc, char **argv,
              cli_on_arg on_arg, void *ctx) {
  getopt_spec g = {NULL, NULL};
  if (build_spec(cmd, &g) != 0) {
    free_spec(&g);
    return cli_error("out of memory");
  }
  int rc = CLI_OK, code;
  optind = 0; /* glibc: start afresh (main parsed the global options first) */
  opterr = 0; /* the messages are ours */
  while (rc == CLI_OK && (code = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1)
    rc = dispatch(cmd, o, argc, argv, code, optarg, on_arg, ctx);
  /* After `--`: operands only. */
  for (int i = optind; rc == CLI_OK && i < argc; i++) {
    cli_parse_state st = {1, argv[i]};
    rc = on_arg(ctx, &st, CLI_OPERAND, argv[i]);
  }
  free_spec(&g);
  return rc;
}

/* ---- the global options --------------------------------------------------- */

static int parse_format(const char *v, cli_format *f) {
  if (!strcmp(v, "table")) *f = CLI_TABLE;
  else if (!strcmp(v, "csv")) *f = CLI_CSV;
  else if (!strcmp(v, "json")) *f = CLI_JSON;
  else return -1;
  return 0;
}

/* all | self | N | net:[N] */
static int parse_netns(const char *v, cli_opts *o) {
  if (!strcmp(v, "all")) {
    o->ns = CLI_NS_ALL;
    return 0;
  }
  if (!strcmp(v, "self")) {
    o->ns = CLI_NS_SELF;
    return 0;
  }
  const char *p = v;
  size_t n = strlen(v);
  if (!strncmp(v, "net:[", 5) && n > 6 && v[n - 1] == ']') p = v + 5;
  if (*p < '0' || *p > '9') return -1;
  errno = 0;
  char *end;
  unsigned long long x = strtoull(p, &end, 10);
  if (errno || x == 0 || x > INT64_MAX) return -1;
  if (!(*end == '\0' || (p != v && *end == ']' && end[1] == '\0'))) return -1;
  o->ns = CLI_NS_INODE;
  o->ns_inode = (sqlite3_int64)x;
  return 0;
}

int cli_set_global(cli_opts *o, int code, const char *arg, const char *cmd,
                   int status) {
  const cli_command *c = cmd ? cli_find_command(cmd) : NULL;
  switch (code) {
  case CLI_OPT_ROOT:
    if (!arg || !*arg) return cli_usage_status(c, status, "--root needs a directory");
    o->root = arg;
    return CLI_OK;
  case CLI_OPT_HOST_ROOT:
    if (!arg || !*arg) return cli_usage_status(c, status, "--host-root needs a directory");
    o->host_root = arg;
    return CLI_OK;
  case CLI_OPT_FORMAT:
    o->picture = !strcmp(arg, "dot") ? CLI_DOT : !strcmp(arg, "svg") ? CLI_SVG : CLI_NO_PICTURE;
    if (o->picture != CLI_NO_PICTURE) {
      o->format = CLI_TABLE;
      if (c && c->run != cli_cmd_graph)
        return cli_usage_status(c, status, "--format %s is for graph", arg);
      return CLI_OK;
    }
    if (parse_format(arg, &o->format) != 0)
      return cli_usage_status(c, status, "unknown format '%s' (table, csv or json)", arg);
    return CLI_OK;
  case CLI_OPT_NETNS:
    if (parse_netns(arg, o) != 0)
      return cli_usage_status(c, status, "bad --netns '%s' (a namespace inode, all or self)",
                              arg);
    return CLI_OK;
  default:
    return CLI_OK;
  }
}
