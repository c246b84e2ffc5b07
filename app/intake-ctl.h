/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs one intakectl command line and returns the process exit status. */
int intake_ctl_run (int argc, char **argv);

G_END_DECLS
