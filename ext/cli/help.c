/*
 * help.c: usage lines and --help, made from the command table, so that
 * what --help says and what the parser accepts cannot drift apart.
 */
#include "cli.h"

#include <string.h>

void cli_print_usage_line(FILE *out, const cli_command *cmd) {
  if (!cmd) {
    fprintf(out, "%s\n", cli_usage_general);
    return;
  }
  fprintf(out, "usage: procnet %s %s  (procnet %s --help)\n", cmd->name, cmd->synopsis,
          cmd->name);
}

/* Each line of text, indented. */
static void indented(FILE *out, const char *text, int indent) {
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    fprintf(out, "%*s%.*s\n", indent, "", (int)n, p);
    p += n + (nl != NULL);
  }
}

static void option_line(FILE *out, const cli_option *op) {
  char names[64];
  int letter = op->code > 0 && op->code < 128;
  const char *arg = op->arg_name ? op->arg_name : "";
  const char *sep = !op->arg_name ? "" : op->arg == CLI_ARG_OPTIONAL ? "" : " ";
  if (letter && op->long_name)
    snprintf(names, sizeof names, "-%c, --%s%s%s", op->code, op->long_name,
             *arg ? (op->arg == CLI_ARG_OPTIONAL ? "[=" : "=") : "", arg);
  else if (letter)
    snprintf(names, sizeof names, "-%c%s%s", op->code, sep, arg);
  else if (CLI_IS_PLUS(op->code))
    snprintf(names, sizeof names, "+%c%s%s", op->code - CLI_PLUS(0), sep, arg);
  else
    snprintf(names, sizeof names, "    --%s%s%s", op->long_name, *arg ? " " : "", arg);
  if (letter && op->long_name && *arg && op->arg == CLI_ARG_OPTIONAL)
    strncat(names, "]", sizeof names - strlen(names) - 1);
  fprintf(out, "  %-24s %s\n", names, op->help ? op->help : "");
}

static void global_options_help(FILE *out) {
  fputs("Options, for every command (before or after it):\n", out);
  for (const cli_option *op = cli_global_options; op->code; op++) option_line(out, op);
}

static void command_help(FILE *out, const cli_command *cmd) {
  cli_print_usage_line(out, cmd);
  fputc('\n', out);
  indented(out, cmd->summary, 0);
  fputc('\n', out);
  for (const cli_option *op = cmd->options; op->code; op++) option_line(out, op);
  fputc('\n', out);
  global_options_help(out);
}

static const char general_intro[] =
    "procnet: which process holds which connection, from /proc alone.\n"
    "lsof, ss, netstat and fuser look-alikes, and SQL over every table.\n"
    "\n"
    "usage: procnet [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n";

static const char general_notes[] =
    "\n"
    "Unlike ss, netstat and fuser, every command sees every network\n"
    "namespace (--netns all) unless told otherwise. Addresses and ports\n"
    "are always numeric (-n, -P are accepted). User names come from\n"
    "/etc/passwd, without NSS; a uid without a name prints as its number.\n"
    "\n"
    "Exit status: 0 success, 1 SQL or run-time error (and fuser: nothing\n"
    "matched), bad usage as the real tool: ss 255, netstat 3, fuser 1;\n"
    "procnet, lsof and sql 2. `man procnet` has the details.\n";

void cli_print_help(FILE *out, const cli_command *cmd) {
  if (cmd) {
    command_help(out, cmd);
    return;
  }
  fputs(general_intro, out);
  for (const cli_command *c = cli_commands; c->name; c++) {
    fprintf(out, "  %s %s\n", c->name, c->synopsis);
    indented(out, c->summary, 6);
  }
  fputc('\n', out);
  global_options_help(out);
  fputs(general_notes, out);
}
