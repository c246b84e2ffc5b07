/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the form parser and validator, and a session over whatever loads.  Any
 * input must load or be refused with an error; a form that loads must evaluate.
 */
#include "intake-form-session.h"

#include "fuzz-glib.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

FUZZ_DEFINE_INITIALIZE (NULL)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) declined = intake_answer_new_declined ();
  g_autoptr(JsonNode) yes = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) number = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonObject) export = NULL;

  form = intake_form_new_from_data ((const char *) data, (gssize) size,
                                    INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS, &error);
  if (form == NULL)
    {
      g_assert (error != NULL && error->domain == INTAKE_FORM_ERROR);
      return 0;
    }

  /* Answer every question three ways and read everything back after each. */
  json_node_set_string (yes, "yes");
  json_node_set_int (number, 20);
  session = intake_form_session_new (form, NULL, "id");
  intake_form_session_set_today (session, "2026-11-28");
  /* Dynamic defaults: first load, then two entries added to each repeat. */
  intake_form_session_apply_first_load_defaults (session);
  for (unsigned int i = 0; i < intake_form_get_n_questions (form) && i < 200; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);

      if (intake_question_get_question_type (q) != INTAKE_QUESTION_REPEAT)
        continue;
      for (int k = 0; k < 2; k++)
        (void) intake_form_session_add_entry (session, intake_question_get_name (q), NULL, NULL);
    }
  for (unsigned int i = 0; i < intake_form_get_n_questions (form) && i < 200; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);
      const char *name = intake_question_get_name (q);
      JsonNode *values[] = { yes, number, declined };

      for (size_t k = 0; k < G_N_ELEMENTS (values); k++)
        {
          g_autoptr(GError) local_error = NULL;

          if (intake_form_session_set_answer (session, name, values[k], &local_error))
            (void) intake_form_session_validate_answer (session, name, values[k], NULL);
        }
      (void) intake_form_session_get_next (session, name);
      (void) intake_form_session_get_previous (session, name);
    }
  state = intake_form_session_dup_state_json (session);
  export = intake_form_session_dup_export_answers (session);
  (void) intake_form_session_check_complete (session, NULL);
  return 0;
}
