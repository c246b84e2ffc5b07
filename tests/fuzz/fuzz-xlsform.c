/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the XLSForm converter (core/intake-xlsform.c).  A zip is read as .xlsx, text
 * starting with '|' as pyxform's Markdown shape, anything else as its CSV shape.  Any input must
 * convert or be refused with an error of the converter's domain; what converts must load and
 * evaluate.
 */
#include "intake-form-session.h"
#include "intake-xlsform.h"

#include "fuzz-glib.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/*
 * libgsf itself warns ("Unable to get child[…]", with no log domain) when a zip member's local
 * header is corrupt, then returns NULL, which the converter refuses.  That warning is libgsf's
 * report of the damaged input, not a bug here: it is let pass; every other warning aborts
 * (fuzz-glib.h).
 */
/*
 * libgsf 1.14.50 also hands g_date_time_unref () the NULL that GLib gives for a member whose
 * DOS date is impossible (month 15, say), and GLib reports it as a critical of its own domain;
 * it is harmless (the call returns at once) and the input is then read or refused as any other
 * (the seed bad-zip-date.xlsx is such a file).  That one critical is not fatal either.
 */
static gboolean
tolerate_cb (const char *domain, GLogLevelFlags level, const char *message)
{
  if (domain == NULL && (level & G_LOG_LEVEL_WARNING) != 0
      && g_str_has_prefix (message, "Unable to get child"))
    return TRUE;
  if (g_strcmp0 (domain, "GLib") == 0 && (level & G_LOG_LEVEL_CRITICAL) != 0
      && strstr (message, "g_date_time_unref") != NULL)
    return TRUE;
  return FALSE;
}

FUZZ_DEFINE_INITIALIZE (tolerate_cb)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) state = NULL;
  IntakeXlsformFormat format = INTAKE_XLSFORM_FORMAT_CSV;

  if (size >= 2 && data[0] == 'P' && data[1] == 'K')
    format = INTAKE_XLSFORM_FORMAT_XLSX;
  else if (size >= 1 && data[0] == '|')
    format = INTAKE_XLSFORM_FORMAT_MARKDOWN;
  document = intake_xlsform_convert ((const char *) data, size, format, NULL, "fuzz", &error);
  if (document == NULL)
    {
      g_assert (error != NULL && error->domain == INTAKE_XLSFORM_ERROR);
      return 0;
    }
  g_assert (error == NULL);
  /* The converter checked it with the loader: it must load again. */
  form = intake_form_new_from_node (document, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert (form != NULL);
  session = intake_form_session_new (form, NULL, NULL);
  intake_form_session_set_today (session, "2026-11-28");
  intake_form_session_stamp_metadata (session, "2026-11-28T10:00:00");
  for (unsigned int i = 0; i < intake_form_get_n_questions (form) && i < 200; i++)
    {
      g_autofree char *label = intake_form_session_dup_label (
        session, intake_question_get_name (intake_form_get_question (form, i)));

      g_assert (label != NULL || intake_question_get_label (intake_form_get_question (form, i),
                                                            NULL) == NULL);
    }
  state = intake_form_session_dup_state_json (session);
  g_assert (state != NULL);
  return 0;
}
