/*
 * complete.c: `procnet --complete -- WORD...`, what bash completion
 * offers for the last WORD (procnet.bash-completion calls it with the
 * words typed so far), from the command table: command names, options
 * (lsof's +c, +d, +E... after a "+"), an option's arguments, ss's filter
 * words. "@file" or "@dir" asks the
 * shell to complete names itself.
 */
#include "cli.h"

#include <dirent.h>
#include <string.h>

/* Prints the words of list (blank-separated) that start with cur. */
static void offer_words(const char *list, const char *cur) {
  size_t n = strlen(cur);
  const char *p = list;
  while (*p) {
    size_t len = strcspn(p, " ");
    if (len >= n && !strncmp(p, cur, n)) printf("%.*s\n", (int)len, p);
    p += len;
    p += strspn(p, " ");
  }
}

static void offer(const char *word, const char *cur) {
  if (!strncmp(word, cur, strlen(cur))) printf("%s\n", word);
}

/* `ip netns` names: the entries of /run/netns. */
static void offer_netns(const char *cur) {
  DIR *d = opendir("/run/netns");
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.') offer(e->d_name, cur);
  if (d) closedir(d);
}

static void offer_argument(const cli_option *op, const char *cur) {
  if (!op->complete) return;
  if (!strcmp(op->complete, "@netns")) offer_netns(cur);
  else if (op->complete[0] == '@') printf("%s\n", op->complete);
  else offer_words(op->complete, cur);
}

static void offer_options(const cli_option *ops, const char *cur) {
  char w[64];
  for (; ops->code; ops++) {
    if (ops->code > 0 && ops->code < 128) {
      snprintf(w, sizeof w, "-%c", ops->code);
      offer(w, cur);
    }
    if (ops->code > CLI_PLUS(0) && ops->code < CLI_PLUS(128)) { /* lsof's +d, +E... */
      snprintf(w, sizeof w, "+%c", ops->code - CLI_PLUS(0));
      offer(w, cur);
    }
    if (ops->long_name) {
      snprintf(w, sizeof w, "--%s", ops->long_name);
      offer(w, cur);
    }
  }
}

/* The option a word names when it takes its argument from the next word:
 * "--name" or "-xyz" ending with such a letter. */
static const cli_option *takes_next_word(const cli_command *cmd, const char *w) {
  if (w[0] == '+' && w[1] && !w[2]) { /* "+d DIR" */
    const cli_option *op = cli_find_option(cmd, CLI_PLUS((unsigned char)w[1]));
    return op && op->arg == CLI_ARG_REQUIRED ? op : NULL;
  }
  if (w[0] != '-' || !w[1]) return NULL;
  if (w[1] == '-') {
    for (const cli_option *op = cmd ? cmd->options : cli_global_options; op && op->code; op++)
      if (op->long_name && !strcmp(op->long_name, w + 2) && op->arg == CLI_ARG_REQUIRED)
        return op;
    for (const cli_option *op = cli_global_options; op->code; op++)
      if (op->long_name && !strcmp(op->long_name, w + 2) && op->arg == CLI_ARG_REQUIRED)
        return op;
    return NULL;
  }
  for (const char *p = w + 1; *p; p++) {
    const cli_option *op = cli_find_option(cmd, (unsigned char)*p);
    if (op && op->arg != CLI_ARG_NONE) return op->arg == CLI_ARG_REQUIRED && !p[1] ? op : NULL;
  }
  return NULL;
}

/* The option with an optional argument a word ends with ("-K", "-aK"),
 * when cmd takes such an argument from the next word (lsof -K i): NULL
 * otherwise. */
static const cli_option *may_take_next_word(const cli_command *cmd, const char *w) {
  if (!cmd || !cmd->next_word_ok || w[0] != '-' || !w[1] || w[1] == '-') return NULL;
  const cli_option *op = cli_find_option(cmd, (unsigned char)w[strlen(w) - 1]);
  return op && op->arg == CLI_ARG_OPTIONAL ? op : NULL;
}

static const char SS_WORDS[] = "state exclude src dst sport dport dev and or not ( )";
static const char SS_STATES[] =
    "all connected synchronized bucket big established syn-sent syn-recv fin-wait-1"
    " fin-wait-2 time-wait closed close-wait last-ack listening closing";

static void offer_operands(const cli_command *cmd, const char *prev, const char *cur) {
  if (!cmd->operands) return;
  if (!strcmp(cmd->operands, "@ssfilter")) {
    if (prev && (!strcmp(prev, "state") || !strcmp(prev, "exclude")))
      offer_words(SS_STATES, cur);
    else
      offer_words(SS_WORDS, cur);
    return;
  }
  printf("%s\n", cmd->operands);
}

int cli_complete(int argc, char **argv) {
  if (argc > 0 && !strcmp(argv[0], "--")) argc--, argv++;
  const char *cur = argc ? argv[argc - 1] : "";
  const cli_command *cmd = NULL;
  const cli_option *pending = NULL; /* the option the next word belongs to */
  const cli_option *maybe = NULL;   /* the option the next word may belong to */
  const char *prev = NULL;
  for (int i = 0; i < argc - 1; i++) {
    const char *w = argv[i];
    maybe = NULL;
    if (pending) {
      pending = !strcmp(w, "=") ? pending : NULL; /* bash splits --opt=VALUE */
    } else if ((w[0] == '-' || w[0] == '+') && w[1]) {
      pending = takes_next_word(cmd, w);
      maybe = pending ? NULL : may_take_next_word(cmd, w);
    } else if (!cmd) {
      cmd = cli_find_command(w);
      if (!cmd) return CLI_OK; /* an unknown command: nothing to offer */
    }
    prev = w;
  }
  if (pending) offer_argument(pending, cur);
  else if (!cmd && cur[0] == '-') offer_options(cli_global_options, cur);
  else if (!cmd)
    for (const cli_command *c = cli_commands; c->name; c++) offer(c->name, cur);
  else if (cur[0] == '-' || cur[0] == '+') {
    offer_options(cmd->options, cur);
    offer_options(cli_global_options, cur);
  } else {
    /* an optional argument, or an operand: both (lsof -K i, lsof -K FILE) */
    if (maybe && maybe->complete && maybe->complete[0] != '@') offer_words(maybe->complete, cur);
    offer_operands(cmd, prev, cur);
  }
  return CLI_OK;
}
