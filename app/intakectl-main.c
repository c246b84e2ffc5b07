/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <locale.h>

#include "intake-ctl.h"

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  return intake_ctl_run (argc, argv);
}
