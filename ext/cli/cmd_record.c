#include "cli.h"
int cli_cmd_record(cli_opts *o, const cli_command *cmd, int argc, char **argv) {
  (void)o; (void)cmd; (void)argc; (void)argv;
  return cli_error("not yet");
}
