/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The audit log: who did what to which record, one row per event, each row hashed with the one
 * before it so that a removed or changed row breaks the chain. Above the store (its connection)
 * and below everything that records an event.
 */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-audit-private.h"
#include "intake-store-private.h"

#include <string.h>

/* Each entry hashes the previous entry's hash with its own fields, and the device key signs
 * that hash: removing, reordering or editing an entry breaks the chain. The fields are ids and
 * action names only. */
static void
audit_hash (const guint8 prev[INTAKE_HASH_BYTES],
            gint64 seq,
            gint64 at,
            const char *actor,
            const char *action,
            const char *subject,
            guint8 out[INTAKE_HASH_BYTES])
{
  crypto_generichash_state st;
  guint8 num[8];

  crypto_generichash_init (&st, (const guint8 *) "intake-audit-v1", 15, INTAKE_HASH_BYTES);
  crypto_generichash_update (&st, prev, INTAKE_HASH_BYTES);
  for (int i = 0; i < 8; i++)
    num[i] = (guint8) ((guint64) seq >> (8 * i));
  crypto_generichash_update (&st, num, sizeof num);
  for (int i = 0; i < 8; i++)
    num[i] = (guint8) ((guint64) at >> (8 * i));
  crypto_generichash_update (&st, num, sizeof num);
  crypto_generichash_update (&st, (const guint8 *) actor, strlen (actor) + 1);
  crypto_generichash_update (&st, (const guint8 *) action, strlen (action) + 1);
  crypto_generichash_update (&st, (const guint8 *) subject, strlen (subject) + 1);
  crypto_generichash_final (&st, out, INTAKE_HASH_BYTES);
}

gboolean
_intake_store_audit_in_tx (IntakeStore *store,
                           const char *actor,
                           const char *action,
                           const char *subject,
                           GError **error)
{
  g_autoptr (IntakeCachedStmt) last = NULL;
  g_autoptr (IntakeCachedStmt) ins = NULL;
  guint8 prev[INTAKE_HASH_BYTES] = { 0 };
  guint8 hash[INTAKE_HASH_BYTES];
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  gint64 seq = 1;
  gint64 at = _intake_now_coarse ();
  int rc;

  last = intake_db_prepare_cached (store->db,
                                   "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", error);
  if (last == NULL)
    return FALSE;
  rc = intake_db_step (store->db, last, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      seq = sqlite3_column_int64 (last, 0) + 1;
      if (sqlite3_column_bytes (last, 1) == INTAKE_HASH_BYTES)
        memcpy (prev, sqlite3_column_blob (last, 1), INTAKE_HASH_BYTES);
    }
  audit_hash (prev, seq, at, actor, action, subject, hash);
  crypto_sign_detached (sig, NULL, hash, sizeof hash, store->sign_sk->data);

  ins = intake_db_prepare_cached (store->db,
                                  "INSERT INTO audit (seq, at, actor, action, subject, prev, "
                                  "hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                  error);
  if (ins == NULL)
    return FALSE;
  sqlite3_bind_int64 (ins, 1, seq);
  sqlite3_bind_int64 (ins, 2, at);
  sqlite3_bind_text (ins, 3, actor, -1, SQLITE_STATIC);
  sqlite3_bind_text (ins, 4, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (ins, 5, subject, -1, SQLITE_STATIC);
  sqlite3_bind_blob (ins, 6, prev, sizeof prev, SQLITE_STATIC);
  sqlite3_bind_blob (ins, 7, hash, sizeof hash, SQLITE_STATIC);
  sqlite3_bind_blob (ins, 8, sig, sizeof sig, SQLITE_STATIC);
  return intake_db_step_done (store->db, ins, error);
}

gboolean
intake_store_audit (IntakeStore *store,
                    const char *actor,
                    const char *action,
                    const char *subject,
                    GError **error)
{
  if (!intake_db_begin (store->db, error))
    return FALSE;
  if (!_intake_store_audit_in_tx (store, actor ? actor : "", action, subject ? subject : "",
                                  error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  return TRUE;
}

void
_intake_audit_add_problem (GPtrArray *problems, char *problem)
{
  if (problems)
    g_ptr_array_add (problems, problem);
  else
    g_free (problem);
}

gboolean
_intake_audit_verify (IntakeStore *store, GPtrArray *problems, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 prev[INTAKE_HASH_BYTES] = { 0 };
  gint64 expected_seq = 1;
  int rc;

  stmt = intake_db_prepare (store->db,
                            "SELECT seq, at, actor, action, subject, prev, hash, sig FROM audit "
                            "ORDER BY seq",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      guint8 hash[INTAKE_HASH_BYTES];
      const char *actor = (const char *) sqlite3_column_text (stmt, 2);
      const char *action = (const char *) sqlite3_column_text (stmt, 3);
      const char *subject = (const char *) sqlite3_column_text (stmt, 4);

      if (seq != expected_seq)
        {
          _intake_audit_add_problem (problems, g_strdup_printf ("audit log: entries %" G_GINT64_FORMAT
                                                  " to %" G_GINT64_FORMAT " are missing",
                                                  expected_seq, seq - 1));
        }
      expected_seq = seq + 1;
      audit_hash (prev, seq, sqlite3_column_int64 (stmt, 1), actor ? actor : "",
                  action ? action : "", subject ? subject : "", hash);
      if (sqlite3_column_bytes (stmt, 5) != INTAKE_HASH_BYTES
          || sodium_memcmp (sqlite3_column_blob (stmt, 5), prev, INTAKE_HASH_BYTES) != 0
          || sqlite3_column_bytes (stmt, 6) != INTAKE_HASH_BYTES
          || sodium_memcmp (sqlite3_column_blob (stmt, 6), hash, INTAKE_HASH_BYTES) != 0)
        {
          _intake_audit_add_problem (problems, g_strdup_printf ("audit log: entry %" G_GINT64_FORMAT
                                                  " was altered or does not follow the entry "
                                                  "before it",
                                                  seq));
        }
      else if (sqlite3_column_bytes (stmt, 7) != INTAKE_SIGNATURE_BYTES
               || crypto_sign_verify_detached (sqlite3_column_blob (stmt, 7), hash, sizeof hash,
                                               store->sign_pk)
                      != 0)
        {
          _intake_audit_add_problem (problems, g_strdup_printf ("audit log: entry %" G_GINT64_FORMAT
                                                  " has an invalid device signature",
                                                  seq));
        }
      /* Continue the chain from what the entry claims, so that one bad entry is reported once
       * rather than breaking every later one. */
      if (sqlite3_column_bytes (stmt, 6) == INTAKE_HASH_BYTES)
        memcpy (prev, sqlite3_column_blob (stmt, 6), INTAKE_HASH_BYTES);
    }
  if (rc < 0)
    return FALSE;
  if (expected_seq == 1)
    {
      _intake_audit_add_problem (problems, g_strdup ("audit log: it is empty"));
    }
  /* Problems go to the list; FALSE is only for a failure to read the log at all. */
  return TRUE;
}
