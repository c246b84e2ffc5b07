/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-outbox.h"

#include <string.h>

#include "intake-json.h"
#include "intake-audit-private.h"
#include "intake-outbox-private.h"
#include "intake-records-private.h"
#include "intake-session-private.h"
#include "intake-store-private.h"
#include "intake-trust-private.h"

/* Seal one queued interview into the outbox, inside the caller's transaction. The plaintext is
 * made, sealed to the organisation's data key and wiped; from then on the tablet cannot read the
 * envelope, so sending it needs no one to be logged in. */
gboolean
_intake_outbox_seal_in_tx (IntakeSession *session, IntakeInterview *iv, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
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
  submission_id = iv->submission_id;
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
  json_builder_add_value (b, _intake_records_to_submission_json (session, iv));
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

static int
seal_one (IntakeSession *session, const char *interview_id, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!intake_db_begin (store->db, error))
    return -1;
  iv = _intake_records_load (session, interview_id, &local_error);
  if (iv == NULL)
    {
      intake_db_rollback (store->db);
      /* What this user may not read waits for someone who may. */
      if (g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED))
        return 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  if (iv->state != INTAKE_STATE_QUEUED || !_intake_records_assign_submission_id (session, iv, error)
      || !_intake_outbox_seal_in_tx (session, iv, error)
      || !_intake_store_audit_in_tx (store, intake_session_get_user_id (session), "seal", interview_id, error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return iv->state != INTAKE_STATE_QUEUED ? 0 : -1;
    }
  return 1;
}

int
intake_outbox_seal_queued (IntakeSession *session, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int sealed = 0;
  int rc;

  if (!_intake_session_require_unlocked (session, error))
    return -1;
  if (!_intake_store_is_enrolled (store))
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
      int r = seal_one (session, ids->pdata[i], &local_error);

      if (r < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      sealed += r;
    }
  return sealed;
}

GPtrArray *
intake_outbox_pending (IntakeStore *store, guint max_count, gsize max_bytes, GError **error)
{
  return intake_outbox_pending_except (store, NULL, NULL, max_count, max_bytes, error);
}

GPtrArray *
intake_outbox_pending_except (IntakeStore *store,
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
intake_outbox_mark_sent (IntakeStore *store,
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
intake_outbox_apply_retention (IntakeStore *store, GError **error)
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
intake_outbox_mark_attention (IntakeStore *store,
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
intake_outbox_note_failure (IntakeStore *store,
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
intake_outbox_counts (IntakeStore *store, IntakeOutboxCounts *counts, GError **error)
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
intake_outbox_attention_json (IntakeStore *store, GError **error)
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

