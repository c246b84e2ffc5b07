/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <locale.h>

#include "intake-ctl.h"

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* intakectl speaks English whatever the locale: scripts read what it prints, and its own
   * text is not translated. The core's messages, translated for the tablet window, therefore
   * stay in English here too rather than mixing two languages in one line. */
  setlocale (LC_MESSAGES, "C");
  return intake_ctl_run (argc, argv);
}
