/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-cli.h"

int
main (int argc, char **argv)
{
  return intake_server_cli_main (argc, argv);
}
