/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-outbox.h"

#include <string.h>

#include "intake-json.h"
#include "intake-store-private.h"
#include "intake-trust-private.h"

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
intake_store_sign (IntakeStore *store,
                   const guint8 *message,
                   size_t len,
                   guint8 signature[INTAKE_SIGNATURE_BYTES])
{
  crypto_sign_detached (signature, NULL, message, len, store->sign_sk->data);
}

void
intake_store_get_device_public_key (IntakeStore *store, guint8 pk[INTAKE_SIGN_PUBLIC_BYTES])
{
  memcpy (pk, store->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
}

IntakeEnrollment *
intake_store_dup_enrollment (IntakeStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (IntakeEnrollment) e = NULL;
  int rc;

  stmt = intake_db_prepare (store->db,
                            "SELECT server_url, device_name, org_data_pk, server_sign_pk, "
                            "pinned_key, ca_file, enrolled FROM enrollment WHERE id = 1",
                            error);
  if (stmt == NULL)
    return NULL;
  rc = intake_db_step (store->db, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_INITIALISED,
                           _("This tablet is not enrolled with a server; an admin connects it in "
                             "Administration, Server connection (or with 'intakectl enroll')"));
      return NULL;
    }
  e = g_new0 (IntakeEnrollment, 1);
  e->server_url = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  e->device_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  if (sqlite3_column_bytes (stmt, 2) != INTAKE_BOX_PUBLIC_BYTES
      || sqlite3_column_bytes (stmt, 3) != INTAKE_SIGN_PUBLIC_BYTES)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                           _("The enrollment keys in the data file are damaged"));
      return NULL;
    }
  memcpy (e->org_data_pk, sqlite3_column_blob (stmt, 2), INTAKE_BOX_PUBLIC_BYTES);
  memcpy (e->server_sign_pk, sqlite3_column_blob (stmt, 3), INTAKE_SIGN_PUBLIC_BYTES);
  e->pinned_key = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  e->ca_file = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  e->enrolled = sqlite3_column_int64 (stmt, 6);
  return g_steal_pointer (&e);
}

static gboolean
is_enrolled (IntakeStore *store)
{
  g_autoptr (IntakeCachedStmt) stmt = intake_db_prepare_cached (
      store->db, "SELECT 1 FROM enrollment WHERE id = 1", NULL);

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
intake_session_set_enrollment (IntakeSession *session,
                               const IntakeEnrollment *e,
                               GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!_intake_session_require_role (session, FALSE, FALSE, TRUE, "enroll the tablet", error))
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
      || !_intake_trust_bind_enrollment (store, session->trust_key, e, error)
      || !_intake_store_audit_in_tx (store, session->user_id, "enroll", store->device_id, error)
      || !intake_db_commit (store->db, error))
    goto fail;
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

/* Seal one queued interview into the outbox, inside the caller's transaction. The plaintext is
 * made, sealed to the organisation's data key and wiped; from then on the tablet cannot read the
 * envelope, so sending it needs no one to be logged in. */
gboolean
_intake_session_seal_in_tx (IntakeSession *session, IntakeInterview *iv, GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (IntakeEnrollment) e = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_s = g_date_time_format_iso8601 (now);
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *hash_b64 = NULL;
  g_autofree char *sig_b64 = NULL;
  g_autofree char *signed_text = NULL;
  guint8 hash[INTAKE_HASH_BYTES];
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  GString *plain;
  const char *submission_id;

  e = intake_session_dup_trusted_enrollment (session, error);
  if (e == NULL)
    return FALSE;
  submission_id = _intake_interview_get_submission_id (iv);
  g_assert (submission_id != NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "intake-submission-v1");
  json_builder_set_member_name (b, "submission_id");
  json_builder_add_string_value (b, submission_id);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, store->device_id);
  json_builder_set_member_name (b, "sealed_at");
  json_builder_add_string_value (b, now_s);
  json_builder_set_member_name (b, "interview");
  json_builder_add_value (b, _intake_interview_to_submission_json (session, iv));
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  plain = g_string_sized_new (16384);
  intake_json_write (plain, root);
  sealed = intake_seal (e->org_data_pk, (const guint8 *) plain->str, plain->len);
  sodium_memzero (plain->str, plain->allocated_len);
  g_string_free (plain, TRUE);

  crypto_generichash (hash, sizeof hash, g_bytes_get_data (sealed, NULL),
                      g_bytes_get_size (sealed), NULL, 0);
  hash_b64 = g_base64_encode (hash, sizeof hash);
  signed_text = g_strdup_printf ("intake-envelope-v1\n%s\n%s", submission_id, hash_b64);
  intake_store_sign (store, (const guint8 *) signed_text, strlen (signed_text), sig);
  sig_b64 = g_base64_encode (sig, sizeof sig);

  stmt = intake_db_prepare (store->db,
                            "INSERT INTO outbox (submission_id, interview_id, sealed, "
                            "content_hash, signature, state, queued) "
                            "VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, submission_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, iv->id, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, hash_b64, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, sig_b64, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, _intake_now_coarse ());
  return intake_db_step_done (store->db, stmt, error);
}

IntakeEnrollment *
intake_session_dup_trusted_enrollment (IntakeSession *session, GError **error)
{
  g_autoptr (IntakeEnrollment) e = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  e = intake_store_dup_enrollment (session->store, error);
  if (e == NULL)
    return NULL;
  if (!_intake_trust_check_enrollment (session->store, session->trust_key, e, &local_error))
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

void
intake_enrollment_get_org_fingerprint (const IntakeEnrollment *enrollment,
                                       char out[INTAKE_FINGERPRINT_TEXT_SIZE])
{
  intake_key_fingerprint_format (enrollment->org_data_pk, sizeof enrollment->org_data_pk, out);
}

gboolean
_intake_store_is_enrolled (IntakeStore *store)
{
  return is_enrolled (store);
}

int
intake_session_seal_queued (IntakeSession *session, GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int sealed = 0;
  int rc;

  if (!_intake_session_require_unlocked (session, error))
    return -1;
  if (!is_enrolled (store))
    return 0;
  stmt = intake_db_prepare (store->db,
                            "SELECT i.id FROM interviews i LEFT JOIN outbox o "
                            "ON o.interview_id = i.id WHERE i.state = 'queued' "
                            "AND o.submission_id IS NULL ORDER BY i.rowid",
                            error);
  if (stmt == NULL)
    return -1;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc < 0)
    return -1;
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      int r = _intake_session_seal_one (session, ids->pdata[i], &local_error);

      if (r < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      sealed += r;
    }
  return sealed;
}

gboolean
intake_store_begin (IntakeStore *store, GError **error)
{
  return intake_db_begin (store->db, error);
}

gboolean
intake_store_commit (IntakeStore *store, GError **error)
{
  return intake_db_commit (store->db, error);
}

void
intake_store_rollback (IntakeStore *store)
{
  intake_db_rollback (store->db);
}

GPtrArray *
intake_store_outbox_pending (IntakeStore *store, guint max_count, gsize max_bytes, GError **error)
{
  return intake_store_outbox_pending_except (store, NULL, NULL, max_count, max_bytes, error);
}

GPtrArray *
intake_store_outbox_pending_except (IntakeStore *store,
                                    GHashTable *except,
                                    IntakeOutboxCursor *cursor,
                                    guint max_count,
                                    gsize max_bytes,
                                    GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
      (GDestroyNotify) intake_envelope_free);
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  IntakeOutboxCursor start = INTAKE_OUTBOX_CURSOR_START;
  gsize bytes = 0;
  int rc = SQLITE_DONE;

  if (cursor != NULL)
    start = *cursor;
  /* In queue order from the cursor on (the state index gives that order); a row's content is
   * copied only when it is taken, so that a skipped one costs no copy. */
  stmt = intake_db_prepare_cached (store->db,
                                   "SELECT queued, rowid, submission_id, length (sealed), "
                                   "interview_id, sealed, content_hash, signature FROM outbox "
                                   "WHERE state = 'pending' AND (queued, rowid) > (?1, ?2) "
                                   "ORDER BY queued, rowid",
                                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start.queued);
  sqlite3_bind_int64 (stmt, 2, start.rowid);
  while (list->len < max_count && (rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 2);
      gsize size = (gsize) sqlite3_column_int64 (stmt, 3);
      IntakeEnvelope *env;

      if (except != NULL && g_hash_table_contains (except, id))
        continue;
      if (list->len > 0 && bytes + size > max_bytes)
        break;
      bytes += size;
      env = g_new0 (IntakeEnvelope, 1);
      env->submission_id = g_strdup (id);
      env->interview_id = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      env->sealed = g_bytes_new (sqlite3_column_blob (stmt, 5), sqlite3_column_bytes (stmt, 5));
      env->content_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      env->signature = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      g_ptr_array_add (list, env);
      if (cursor != NULL)
        {
          cursor->queued = sqlite3_column_int64 (stmt, 0);
          cursor->rowid = sqlite3_column_int64 (stmt, 1);
        }
    }
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

/* Destroy the local copy of sent interviews: their content and every wrapped record key. */
static gboolean
purge_sent (IntakeStore *store, const char *where_sql, const char *arg, GError **error)
{
  g_autofree char *keys = g_strdup_printf ("DELETE FROM record_keys WHERE record_id IN "
                                           "(SELECT id FROM interviews WHERE %s)",
                                           where_sql);
  g_autofree char *rows = g_strdup_printf ("UPDATE interviews SET content = NULL, nonce = NULL, "
                                           "state = 'purged' WHERE %s",
                                           where_sql);

  intake_db_mark_destroying (store->db);
  return intake_db_exec_text (store->db, keys, arg, NULL, error)
         && intake_db_exec_text (store->db, rows, arg, NULL, error);
}

gboolean
intake_store_outbox_mark_sent (IntakeStore *store,
                               GPtrArray *submission_ids,
                               GPtrArray *receipts,
                               GError **error)
{
  gboolean purge = intake_store_get_policy_int (store, INTAKE_POLICY_KEEP_SENT_DAYS) == 0;
  g_autoptr (GString) subject = g_string_new (NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) marked_ids = NULL;
  g_autoptr (GString) marked_json = g_string_new (NULL);
  g_autoptr (IntakeCachedStmt) follow = NULL;
  g_autoptr (IntakeCachedStmt) keys = NULL;
  g_autoptr (IntakeCachedStmt) which = NULL;
  gint64 now = _intake_now_coarse ();
  guint marked = 0;
  int rc;

  g_return_val_if_fail (submission_ids->len == receipts->len, FALSE);
  if (submission_ids->len == 0)
    return TRUE;
  if (!intake_db_begin (store->db, error))
    return FALSE;
  /* Each receipt on its envelope's row; the interviews that follow them, below, in one statement
   * per table for the whole batch. */
  json_builder_begin_array (b);
  for (guint i = 0; i < submission_ids->len; i++)
    {
      g_autoptr (IntakeCachedStmt) mark = NULL;

      mark = intake_db_prepare_cached (store->db,
                                       "UPDATE outbox SET state = 'sent', receipt = ?1, sent = ?2, sealed = X'' "
                                       "WHERE submission_id = ?3 AND state != 'sent'",
                                       error);
      if (mark == NULL)
        goto fail;
      sqlite3_bind_text (mark, 1, receipts->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (mark, 2, now);
      sqlite3_bind_text (mark, 3, submission_ids->pdata[i], -1, SQLITE_STATIC);
      if (!intake_db_step_done (store->db, mark, error))
        goto fail;
      if (sqlite3_changes (intake_db_get_handle (store->db)) == 1)
        {
          json_builder_add_string_value (b, submission_ids->pdata[i]);
          marked++;
        }
    }
  json_builder_end_array (b);
  if (marked == 0)
    {
      if (!intake_db_commit (store->db, error))
        goto fail;
      return TRUE;
    }
  marked_ids = json_builder_get_root (b);
  intake_json_write (marked_json, marked_ids);

  /* The receipts are stored: the local copies follow the retention policy, by default
   * destroyed now, content and every wrapped key. (Cached statements: a batch may be one
   * envelope.) */
  follow = intake_db_prepare_cached (store->db,
                                     purge ? "UPDATE interviews SET state = 'purged', "
                                             "content = NULL, nonce = NULL WHERE id IN (SELECT "
                                             "interview_id FROM outbox WHERE submission_id IN "
                                             "(SELECT value FROM json_each (?1)))"
                                           : "UPDATE interviews SET state = 'sent' WHERE id IN "
                                             "(SELECT interview_id FROM outbox WHERE "
                                             "submission_id IN (SELECT value FROM json_each (?1)))",
                                     error);
  if (follow == NULL)
    goto fail;
  sqlite3_bind_text (follow, 1, marked_json->str, -1, SQLITE_STATIC);
  if (!intake_db_step_done (store->db, follow, error))
    goto fail;
  g_clear_pointer (&follow, intake_db_release);
  if (purge)
    {
      intake_db_mark_destroying (store->db);
      keys = intake_db_prepare_cached (store->db,
                                       "DELETE FROM record_keys WHERE record_id IN (SELECT "
                                       "interview_id FROM outbox WHERE submission_id IN (SELECT "
                                       "value FROM json_each (?1)))",
                                       error);
      if (keys == NULL)
        goto fail;
      sqlite3_bind_text (keys, 1, marked_json->str, -1, SQLITE_STATIC);
      if (!intake_db_step_done (store->db, keys, error))
        goto fail;
      g_clear_pointer (&keys, intake_db_release);
    }

  /* One audit entry for the batch, naming every interview it carried, in the batch's order. */
  which = intake_db_prepare_cached (store->db,
                                    "SELECT o.interview_id FROM json_each(?1) AS j "
                                    "JOIN outbox AS o ON o.submission_id = j.value ORDER BY j.key",
                                    error);
  if (which == NULL)
    goto fail;
  sqlite3_bind_text (which, 1, marked_json->str, -1, SQLITE_STATIC);
  while ((rc = intake_db_step (store->db, which, error)) == SQLITE_ROW)
    g_string_append_printf (subject, "%s%s", subject->len ? "," : "",
                            (const char *) sqlite3_column_text (which, 0));
  g_clear_pointer (&which, intake_db_release);
  if (rc < 0
      || !_intake_store_audit_in_tx (store, "", "sent", subject->str, error)
      || !intake_db_commit (store->db, error))
    goto fail;
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

gboolean
intake_store_apply_retention (IntakeStore *store, GError **error)
{
  int days = intake_store_get_policy_int (store, INTAKE_POLICY_KEEP_SENT_DAYS);
  g_autofree char *cutoff = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             _intake_now_coarse () - (gint64) days * 86400);

  if (!intake_db_begin (store->db, error))
    return FALSE;
  /* Driven by the interviews still kept (their state index), each looking up its own outbox
   * row: a pass costs what is kept, not every envelope ever sent (14 ms against 0.05 ms over
   * 20,000 sent, 100 kept). */
  if (!purge_sent (store,
                   "state = 'sent' AND EXISTS (SELECT 1 FROM outbox WHERE "
                   "outbox.interview_id = interviews.id AND outbox.state = 'sent' "
                   "AND outbox.sent <= CAST(?1 AS INTEGER))",
                   cutoff, error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_store_outbox_mark_attention (IntakeStore *store,
                                    const char *submission_id,
                                    const char *reason,
                                    GError **error)
{
  if (!intake_db_begin (store->db, error))
    return FALSE;
  if (!intake_db_exec_text (store->db,
                            "UPDATE outbox SET state = 'needs_attention', last_error = ?2, "
                            "attempts = attempts + 1 "
                            "WHERE submission_id = ?1 AND state = 'pending'",
                            submission_id, reason, error)
      || !_intake_store_audit_in_tx (store, "", "sync-refused", submission_id, error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_store_outbox_note_failure (IntakeStore *store,
                                  GPtrArray *envelopes,
                                  const char *reason,
                                  GError **error)
{
  if (!intake_db_begin (store->db, error))
    return FALSE;
  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeEnvelope *env = envelopes->pdata[i];
      if (!intake_db_exec_text (store->db,
                                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 "
                                "WHERE submission_id = ?1 AND state = 'pending'",
                                env->submission_id, reason, error))
        {
          intake_db_rollback (store->db);
          return FALSE;
        }
    }
  return intake_db_commit (store->db, error);
}

gboolean
intake_store_outbox_counts (IntakeStore *store, IntakeOutboxCounts *counts, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  memset (counts, 0, sizeof *counts);
  stmt = intake_db_prepare (store->db, "SELECT state, count(*) FROM outbox GROUP BY state",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 0);
      int n = sqlite3_column_int (stmt, 1);
      if (g_strcmp0 (state, "pending") == 0)
        counts->pending = n;
      else if (g_strcmp0 (state, "needs_attention") == 0)
        counts->needs_attention = n;
      else if (g_strcmp0 (state, "sent") == 0)
        counts->sent = n;
    }
  if (rc < 0)
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);
  stmt = intake_db_prepare (store->db,
                            "SELECT count(*) FROM interviews i LEFT JOIN outbox o "
                            "ON o.interview_id = i.id WHERE i.state = 'queued' "
                            "AND o.submission_id IS NULL",
                            error);
  if (stmt == NULL || intake_db_step (store->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  counts->unsealed = sqlite3_column_int (stmt, 0);
  return TRUE;
}

JsonNode *
intake_store_outbox_attention_json (IntakeStore *store, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = intake_db_prepare (store->db,
                            "SELECT submission_id, interview_id, last_error, attempts FROM outbox "
                            "WHERE state = 'needs_attention' ORDER BY queued",
                            error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "submission_id");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (b, "interview_id");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 1));
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 2));
      json_builder_set_member_name (b, "attempts");
      json_builder_add_int_value (b, sqlite3_column_int (stmt, 3));
      json_builder_end_object (b);
    }
  if (rc < 0)
    return NULL;
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

char *
intake_store_dup_sync_state (IntakeStore *store, const char *key)
{
  g_autoptr (sqlite3_stmt) stmt = intake_db_prepare (
      store->db, "SELECT value FROM sync_state WHERE key = ?", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return NULL;
}

gboolean
intake_store_set_sync_state (IntakeStore *store,
                             const char *key,
                             const char *value,
                             GError **error)
{
  if (!intake_db_begin (store->db, error))
    return FALSE;
  if (!(value ? intake_db_exec_text (store->db,
                                     "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
                                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                     key, value, error)
              : intake_db_exec_text (store->db, "DELETE FROM sync_state WHERE key = ?1", key, NULL,
                                     error))
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  return TRUE;
}
