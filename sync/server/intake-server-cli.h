/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The whole intake-server command line; main () only calls this. Returns the exit status. */
int intake_server_cli_main (int argc, char **argv);

G_END_DECLS
