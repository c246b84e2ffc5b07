/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "intake-application.h"
#include "intake-crypto.h"

int
main (int argc, char **argv)
{
  g_autoptr (IntakeApplication) app = NULL;
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  /* INTAKE_LOCALEDIR: the build tree's translations, for running and testing uninstalled. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("INTAKE_LOCALEDIR") ? g_getenv ("INTAKE_LOCALEDIR")
                                                                 : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before any thread: libsodium, no core dumps, and libcurl's global state. */
  if (!intake_crypto_init (&error))
    {
      g_printerr ("intake: %s\n", error->message);
      return 1;
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);

  app = intake_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
