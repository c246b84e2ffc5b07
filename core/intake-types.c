/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The lowest layer of the store: the words every other file uses (roles, states, the store's
 * error domain) and the plain structs handed out by the layers above, with their free and JSON
 * functions. Nothing here touches the database or a key.
 */
#include "intake-config.h"

#include "intake-outbox.h"
#include "intake-store-private.h"

G_DEFINE_QUARK (intake-store-error-quark, intake_store_error)

static const char *const state_names[] = {
  [INTAKE_STATE_DRAFT] = "draft",
  [INTAKE_STATE_AWAITING_REVIEW] = "awaiting_review",
  [INTAKE_STATE_QUEUED] = "queued",
  [INTAKE_STATE_SENT] = "sent",
  [INTAKE_STATE_PURGED] = "purged",
};

const char *
intake_role_to_string (IntakeRole role)
{
  switch (role)
    {
    case INTAKE_ROLE_WORKER:
      return "worker";
    case INTAKE_ROLE_SUPERVISOR:
      return "supervisor";
    case INTAKE_ROLE_ADMIN:
      return "admin";
    default:
      g_assert_not_reached ();
    }
}

gboolean
intake_role_from_string (const char *str, IntakeRole *role)
{
  if (g_strcmp0 (str, "worker") == 0)
    *role = INTAKE_ROLE_WORKER;
  else if (g_strcmp0 (str, "supervisor") == 0)
    *role = INTAKE_ROLE_SUPERVISOR;
  else if (g_strcmp0 (str, "admin") == 0)
    *role = INTAKE_ROLE_ADMIN;
  else
    return FALSE;
  return TRUE;
}

gint64
_intake_now_coarse (void)
{
  /* Times in columns are kept to the minute: enough to sort and to audit, without recording
   * the rhythm of an interview answer by answer. */
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  return now - now % 60;
}

void
intake_user_info_free (IntakeUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->name);
  g_free (info);
}

const char *
intake_state_to_string (IntakeState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

gboolean
intake_state_from_string (const char *str, IntakeState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (str, state_names[i]) == 0)
      {
        *state = (IntakeState) i;
        return TRUE;
      }
  return FALSE;
}

void
intake_interview_free (IntakeInterview *interview)
{
  if (interview == NULL)
    return;
  g_free (interview->id);
  g_free (interview->form_id);
  g_free (interview->author_id);
  g_free (interview->author_name);
  g_free (interview->submission_id);
  g_clear_pointer (&interview->content, json_object_unref);
  g_clear_pointer (&interview->result, json_node_unref);
  g_free (interview);
}

JsonNode *
intake_interview_to_json (IntakeInterview *iv, gboolean with_content)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (iv->created);
  g_autoptr (GDateTime) updated = g_date_time_new_from_unix_utc (iv->updated);
  g_autofree char *created_s = g_date_time_format_iso8601 (created);
  g_autofree char *updated_s = g_date_time_format_iso8601 (updated);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, iv->id);
  json_builder_set_member_name (b, "form_id");
  json_builder_add_string_value (b, iv->form_id);
  json_builder_set_member_name (b, "form_version");
  json_builder_add_int_value (b, iv->form_version);
  json_builder_set_member_name (b, "author");
  json_builder_add_string_value (b, iv->author_name ? iv->author_name : iv->author_id);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, intake_state_to_string (iv->state));
  json_builder_set_member_name (b, "void");
  json_builder_add_boolean_value (b, iv->is_void);
  json_builder_set_member_name (b, "revision");
  json_builder_add_int_value (b, iv->revision);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created_s);
  json_builder_set_member_name (b, "updated");
  json_builder_add_string_value (b, updated_s);
  if (iv->content != NULL)
    {
      JsonObjectIter it;
      const char *name;
      JsonNode *value;

      /* Without content (a listing) only the pseudonym is shown, and whether a supervisor
       * left a note: the note itself is free text like any answer, for show and export only. */
      json_object_iter_init (&it, iv->content);
      while (json_object_iter_next (&it, &name, &value))
        {
          if (!with_content && g_strcmp0 (name, "pseudonym") != 0)
            continue;
          json_builder_set_member_name (b, name);
          json_builder_add_value (b, json_node_copy (value));
        }
      if (!with_content)
        {
          json_builder_set_member_name (b, "has_review_note");
          json_builder_add_boolean_value (b, json_object_has_member (iv->content, "review_note"));
        }
    }
  if (with_content && iv->result != NULL)
    {
      json_builder_set_member_name (b, "screening_result");
      json_builder_add_value (b, json_node_copy (iv->result));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
intake_enrollment_free (IntakeEnrollment *enrollment)
{
  if (enrollment == NULL)
    return;
  g_free (enrollment->server_url);
  g_free (enrollment->device_name);
  g_free (enrollment->pinned_key);
  g_free (enrollment->ca_file);
  g_free (enrollment);
}

void
intake_envelope_free (IntakeEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->submission_id);
  g_free (envelope->interview_id);
  g_clear_pointer (&envelope->sealed, g_bytes_unref);
  g_free (envelope->content_hash);
  g_free (envelope->signature);
  g_free (envelope);
}

void
intake_enrollment_get_org_fingerprint (const IntakeEnrollment *enrollment,
                                       char out[INTAKE_FINGERPRINT_TEXT_SIZE])
{
  intake_key_fingerprint_format (enrollment->org_data_pk, sizeof enrollment->org_data_pk, out);
}
