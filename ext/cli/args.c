/*
 * args.c: option clusters for the subcommands whose options are all flags
 * (ss, netstat): `-tanp` is `-t -a -n -p`, as in the real tools.
 */
#include "cli.h"

#include <string.h>

int cli_parse_flags(const char *cmd, int argc, char **argv, const char *letters,
                    const cli_long *longs, char seen[128]) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      if (i + 1 < argc)
        return cli_usage_error(cmd, "unexpected argument '%s' (filters: use procnet sql)",
                               argv[i + 1]);
      break;
    }
    if (a[0] != '-' || a[1] == '\0')
      return cli_usage_error(cmd, "unexpected argument '%s' (filters: use procnet sql)", a);
    if (a[1] == '-') {
      const cli_long *l = longs;
      while (l && l->name && strcmp(l->name, a + 2) != 0) l++;
      if (!l || !l->name) return cli_usage_error(cmd, "unknown option '%s'", a);
      seen[(unsigned char)l->letter] = 1;
      continue;
    }
    for (const char *p = a + 1; *p; p++) {
      unsigned char c = (unsigned char)*p;
      if (c >= 128) return cli_usage_error(cmd, "unknown option '%s'", a);
      if (!strchr(letters, c)) return cli_usage_error(cmd, "unknown option '-%c'", c);
      seen[c] = 1;
    }
  }
  return CLI_OK;
}
