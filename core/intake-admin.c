/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What an administrator does through an unlocked session besides managing users (which the
 * session's file does, since it needs the session's keys): policies, form imports and reading the
 * audit log. Each checks the role, then works in the store's layers below.
 */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-audit-private.h"
#include "intake-session-private.h"
#include "intake-trust-private.h"
#include "intake-store-private.h"
#include "intake-users-private.h"
gboolean
intake_session_set_policy (IntakeSession *session,
                           const char *key,
                           const char *value,
                           GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *normalised = NULL;
  g_autofree char *subject = NULL;

  if (!_intake_session_require_role (session, INTAKE_ROLE_FLAG_ADMIN, "change policies", error))
    return FALSE;
  normalised = _intake_store_normalise_policy (key, value, error);
  if (normalised == NULL)
    return FALSE;
  if (!intake_db_begin (store->db, error))
    return FALSE;
  stmt = intake_db_prepare (store->db,
                            "INSERT INTO policies (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, normalised, -1, SQLITE_STATIC);
  subject = g_strdup_printf ("%s=%s", key, normalised);
  if (!intake_db_step_done (store->db, stmt, error)
      || !_intake_store_audit_in_tx (store, intake_session_get_user_id (session), "policy-set", subject, error)
      || !intake_db_commit (store->db, error))
    goto fail;
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

gboolean
intake_session_import_form (IntakeSession *session,
                            const char *document,
                            char **form_id_out,
                            int *version_out,
                            GError **error)
{
  if (!_intake_session_require_role (session, INTAKE_ROLE_FLAG_ADMIN, "import forms", error))
    return FALSE;
  return _intake_store_import_form (intake_session_get_store (session), intake_session_get_user_id (session), document, form_id_out, version_out,
                      error);
}

JsonNode *
intake_session_list_audit_json (IntakeSession *session, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (!_intake_session_require_role (session, INTAKE_ROLE_FLAG_SUPERVISOR | INTAKE_ROLE_FLAG_ADMIN, "read the audit log", error))
    return NULL;
  stmt = intake_db_prepare (store->db,
                            "SELECT a.seq, a.at, a.actor, u.name, a.action, a.subject "
                            "FROM audit a LEFT JOIN users u ON u.id = a.actor ORDER BY a.seq",
                            error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 1));
      g_autofree char *when = g_date_time_format_iso8601 (dt);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 0));
      json_builder_set_member_name (b, "at");
      json_builder_add_string_value (b, when);
      json_builder_set_member_name (b, "actor");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 2));
      json_builder_set_member_name (b, "actor_name");
      if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 3));
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 4));
      json_builder_set_member_name (b, "subject");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 5));
      json_builder_end_object (b);
    }
  if (rc < 0)
    return NULL;
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

gboolean
intake_session_set_enrollment (IntakeSession *session,
                               const IntakeEnrollment *e,
                               GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!_intake_session_require_role (session, INTAKE_ROLE_FLAG_ADMIN, "enroll the tablet", error))
    return FALSE;
  if (!intake_db_begin (store->db, error))
    return FALSE;
  stmt = intake_db_prepare (store->db,
                            "INSERT OR REPLACE INTO enrollment (id, server_url, device_name, "
                            "org_data_pk, server_sign_pk, pinned_key, ca_file, enrolled) "
                            "VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, e->server_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, e->device_name ? e->device_name : "", -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, e->org_data_pk, INTAKE_BOX_PUBLIC_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, e->server_sign_pk, INTAKE_SIGN_PUBLIC_BYTES, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, e->pinned_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, e->ca_file, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, _intake_now_coarse ());
  if (!intake_db_step_done (store->db, stmt, error)
      || !_intake_trust_bind_enrollment (store, _intake_session_get_trust_key (session), e, error)
      || !_intake_store_audit_in_tx (store, intake_session_get_user_id (session), "enroll", store->device_id, error)
      || !intake_db_commit (store->db, error))
    goto fail;
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

IntakeEnrollment *
intake_session_dup_trusted_enrollment (IntakeSession *session, GError **error)
{
  g_autoptr (IntakeEnrollment) e = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  e = intake_store_dup_enrollment (intake_session_get_store (session), error);
  if (e == NULL)
    return NULL;
  if (!_intake_trust_check_enrollment (intake_session_get_store (session), _intake_session_get_trust_key (session), e, &local_error))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED,
                   _("Nothing was sealed: the organisation's key in this tablet's data file does "
                     "not match the one the admin enrolled (the file may have been altered). "
                     "The interview stays queued on this tablet; an admin must check it with "
                     "'intakectl verify' and enroll it again"));
      return NULL;
    }
  return g_steal_pointer (&e);
}
