/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An interview's way through review: complete, approve, return, void. Each is one transaction
 * that changes the record's state (intake-records.c), seals it when it reaches the queue
 * (intake-outbox.c) and writes the audit entry, so that no interview is ever left half-way.
 */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-audit-private.h"
#include "intake-json.h"
#include "intake-outbox-private.h"
#include "intake-records-private.h"
#include "intake-session-private.h"
#include "intake-outbox.h"
#include "intake-store-private.h"

/* The form engine decides whether an interview is complete: every required answer given, every
 * constraint met, every answer of the right kind. The message lists what is wrong. */
static gboolean
check_complete (IntakeStore *store, IntakeInterview *iv, GError **error)
{
  IntakeForm *form = _intake_store_get_form (store, iv->form_id, iv->form_version, error);
  g_autoptr (IntakeFormSession) fs = NULL;
  g_autoptr (GError) local_error = NULL;

  if (form == NULL)
    return FALSE;
  fs = intake_form_session_new (form, intake_json_get_object (iv->content, "answers"), NULL);
  if (!intake_form_session_check_complete (fs, &local_error))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   _("Interview %s cannot be completed yet: %s"), iv->id, local_error->message);
      return FALSE;
    }
  return TRUE;
}

typedef enum
{
  TRANSITION_COMPLETE,
  TRANSITION_APPROVE,
  TRANSITION_RETURN,
  TRANSITION_VOID,
} Transition;

/* Whether a note or reason says nothing. Checked in place: a copy of the text would be one more
 * plaintext buffer to wipe. */
static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gboolean
transition (IntakeSession *session,
            const char *interview_id,
            Transition what,
            const char *text,
            GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (IntakeInterview) iv = NULL;
  const char *action = NULL;
  const char *new_state = NULL;
  gboolean ok_state = FALSE;
  gboolean is_void = FALSE;
  g_autoptr (GError) seal_error = NULL;

  if (what != TRANSITION_COMPLETE
      && !_intake_session_require_role (session, INTAKE_ROLE_FLAG_SUPERVISOR, "review interviews", error))
    return FALSE;
  if ((what == TRANSITION_RETURN || what == TRANSITION_VOID)
      && is_blank (text))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   what == TRANSITION_RETURN
                       ? _("Returning an interview needs a note for its author")
                       : _("Voiding an interview needs a reason"));
      return FALSE;
    }
  if (!intake_db_begin (store->db, error))
    return FALSE;
  iv = _intake_records_load (session, interview_id, error);
  if (iv == NULL)
    goto fail;
  is_void = iv->is_void;
  switch (what)
    {
    case TRANSITION_COMPLETE:
      action = "complete";
      ok_state = iv->state == INTAKE_STATE_DRAFT;
      new_state = intake_store_get_policy_int (store, INTAKE_POLICY_REVIEW_REQUIRED)
                      ? "awaiting_review"
                      : "queued";
      if (g_strcmp0 (iv->author_id, intake_session_get_user_id (session)) != 0
          && intake_session_get_role (session) != INTAKE_ROLE_SUPERVISOR)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                       _("%s may not complete interview %s: only its author or a supervisor may"),
                       intake_session_get_user_name (session), interview_id);
          goto fail;
        }
      if (ok_state && !check_complete (store, iv, error))
        goto fail;
      break;
    case TRANSITION_APPROVE:
      action = "approve";
      ok_state = iv->state == INTAKE_STATE_AWAITING_REVIEW;
      new_state = "queued";
      break;
    case TRANSITION_RETURN:
      action = "return";
      ok_state = iv->state == INTAKE_STATE_AWAITING_REVIEW;
      new_state = "draft";
      break;
    case TRANSITION_VOID:
      action = "void";
      ok_state = iv->state == INTAKE_STATE_AWAITING_REVIEW || iv->state == INTAKE_STATE_DRAFT;
      new_state = "queued";
      is_void = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok_state)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE,
                   "Interview %s is %s; it cannot be %s now", interview_id,
                   intake_state_to_string (iv->state),
                   what == TRANSITION_COMPLETE  ? "completed"
                   : what == TRANSITION_APPROVE ? "approved"
                   : what == TRANSITION_RETURN  ? "returned"
                                                : "voided");
      goto fail;
    }
  if (text != NULL)
    {
      g_autoptr (JsonObject) note = json_object_new ();
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *when = g_date_time_format_iso8601 (now);

      json_object_set_string_member (note, "text", text);
      json_object_set_string_member (note, "by", intake_session_get_user_name (session));
      json_object_set_string_member (note, "at", when);
      json_object_set_object_member (iv->content,
                                     what == TRANSITION_RETURN ? "review_note" : "void_reason",
                                     g_steal_pointer (&note));
    }
  if (!_intake_records_write_content (session, iv, new_state, is_void, error)
      || !_intake_store_audit_in_tx (store, intake_session_get_user_id (session), action, interview_id, error))
    goto fail;
  /* Reaching the queue fixes the submission id; an enrolled tablet seals the envelope in the
   * same transaction, so a queued interview is never left half-way. An organisation key that
   * does not verify seals nothing: the interview is still queued (sealed once an admin has
   * enrolled the tablet again), and the caller is told why it was not sealed. */
  if (g_str_equal (new_state, "queued"))
    {
      if (!_intake_records_assign_submission_id (session, iv, error))
        goto fail;
      if (_intake_store_is_enrolled (store)
          && !_intake_outbox_seal_in_tx (session, iv, &seal_error))
        {
          if (!g_error_matches (seal_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED))
            {
              g_propagate_error (error, g_steal_pointer (&seal_error));
              goto fail;
            }
        }
    }
  if (!intake_db_commit (store->db, error))
    goto fail;
  if (seal_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&seal_error));
      return FALSE;
    }
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

gboolean
intake_session_complete_interview (IntakeSession *session,
                                   const char *interview_id,
                                   GError **error)
{
  return transition (session, interview_id, TRANSITION_COMPLETE, NULL, error);
}

gboolean
intake_session_approve_interview (IntakeSession *session,
                                  const char *interview_id,
                                  GError **error)
{
  return transition (session, interview_id, TRANSITION_APPROVE, NULL, error);
}

gboolean
intake_session_return_interview (IntakeSession *session,
                                 const char *interview_id,
                                 const char *note,
                                 GError **error)
{
  return transition (session, interview_id, TRANSITION_RETURN, note, error);
}

gboolean
intake_session_void_interview (IntakeSession *session,
                               const char *interview_id,
                               const char *reason,
                               GError **error)
{
  return transition (session, interview_id, TRANSITION_VOID, reason, error);
}

