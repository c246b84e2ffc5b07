/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "intake-ui-private.h"

/*
 * The interface language of this tablet (not the respondent's: that is the interview's form
 * language). gettext reads LANGUAGE at every look-up; glibc caches what it found, and its
 * documented way to drop that cache is to bump _nl_msg_cat_cntr. So switching is: LANGUAGE set,
 * the counter bumped, and every page built again from its template.
 *
 * setenv () is not safe while another thread reads the environment. _intake_ui_language_init ()
 * therefore runs once at start-up, before any thread (the application's option handling):
 * LANGUAGE then exists, and glibc's setenv () replaces an existing variable's value pointer in
 * place, keeping the old string, so a reader in another thread sees one value or the other.
 */

extern int _nl_msg_cat_cntr;

#define LANGUAGE_FILE "interface.ini"
#define LANGUAGE_GROUP "interface"
#define LANGUAGE_KEY "language"

static const struct
{
  const char *code;
  const char *name;
} languages[] = {
  /* Each named in itself: a person finds their own language without reading the current one. */
  { "en", "English" },
  { "id", "Bahasa Indonesia" },
};

gboolean
_intake_ui_language_is_known (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (languages[i].code, code) == 0)
      return TRUE;
  return FALSE;
}

const char *
_intake_ui_language_name (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (languages[i].code, code) == 0)
      return languages[i].name;
  return code;
}

/* The language the catalogs answer in now: the "Language:" line of our catalog's header, or
 * English when no catalog answers (the messages in the source are English). */
const char *
_intake_ui_language_current (void)
{
  const char *header = dgettext (GETTEXT_PACKAGE, "");
  const char *line = header != NULL ? strstr (header, "Language: ") : NULL;

  if (line != NULL)
    {
      line += strlen ("Language: ");
      for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
        {
          size_t n = strlen (languages[i].code);
          if (strncmp (line, languages[i].code, n) == 0
              && (line[n] == '\n' || line[n] == '_' || line[n] == '\0'))
            return languages[i].code;
        }
    }
  return "en";
}

void
_intake_ui_language_apply (const char *code)
{
  g_return_if_fail (_intake_ui_language_is_known (code));

  g_setenv ("LANGUAGE", code, TRUE);
  ++_nl_msg_cat_cntr;
}

static char *
language_file (const char *data_dir)
{
  return g_build_filename (data_dir, LANGUAGE_FILE, NULL);
}

/* The choice saved on this tablet, or NULL (none, unreadable, or not a language we have). */
char *
_intake_ui_language_load (const char *data_dir)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *path = language_file (data_dir);
  g_autofree char *code = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  code = g_key_file_get_string (file, LANGUAGE_GROUP, LANGUAGE_KEY, NULL);
  if (code == NULL || !_intake_ui_language_is_known (code))
    return NULL;
  return g_steal_pointer (&code);
}

/* Remembered per tablet, beside its store: one line naming a language, no answer. */
gboolean
_intake_ui_language_save (const char *data_dir, const char *code, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *path = language_file (data_dir);

  g_key_file_set_string (file, LANGUAGE_GROUP, LANGUAGE_KEY, code);
  return g_key_file_save_to_file (file, path, error);
}

/* Once, at start-up, before any thread runs (setlocale () and a new environment variable are not
 * safe beside other threads): the tablet's saved choice applied, and what a later switch needs
 * made ready. */
void
_intake_ui_language_init (const char *data_dir)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);
  g_autofree char *saved = _intake_ui_language_load (data_dir);

  /* In the "C" locale gettext ignores LANGUAGE; C.UTF-8 (built into glibc) honours it and is
   * otherwise the same. */
  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  if (saved != NULL)
    _intake_ui_language_apply (saved);
  else if (g_getenv ("LANGUAGE") == NULL)
    /* Empty is as good as unset to gettext, and makes a later switch replace a value rather than
     * grow the environment. */
    g_setenv ("LANGUAGE", "", TRUE);
}
