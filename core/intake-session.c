/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-audit-private.h"
#include "intake-session-private.h"
#include "intake-store-private.h"
#include "intake-users-private.h"
#include "intake-trust-private.h"

#include <string.h>

struct _IntakeSession
{
  GObject parent_instance;

  IntakeStore *store;
  char *user_id;
  char *user_name;
  IntakeRole role;
  guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];
  IntakeSecret *box_sk;
  IntakeSecret *sign_sk;
  /* The review group's secret key, for supervisors and admins only, and its public key as
   * derived from it (for opening; sealing checks the store's authenticated copy). */
  IntakeSecret *group_sk;
  guint8 group_pk[INTAKE_BOX_PUBLIC_BYTES];
  /* The tablet's trust key, from this user's wrap (intake-trust-private.h). */
  IntakeSecret *trust_key;
  /* Record keys opened during this session, so that an autosave does not redo the X25519
   * unwrap; dropped on lock. */
  GHashTable *record_keys;
  /* Interviews whose editing is already in the audit log for this session: the log says who
   * edited which interview in which session, not every keystroke. */
  GHashTable *edited;
  /* The decrypted content of the interview being edited, at the revision it was read, so that an
   * autosave does not decrypt and parse the whole record again. Dropped on lock, on any failed
   * save, and whenever the row's revision differs. */
  IntakeInterview *hot;
};

G_DEFINE_FINAL_TYPE (IntakeSession, intake_session, G_TYPE_OBJECT)


static void
intake_session_finalize (GObject *object)
{
  IntakeSession *self = INTAKE_SESSION (object);

  intake_session_lock (self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->record_keys, g_hash_table_unref);
  g_clear_pointer (&self->edited, g_hash_table_unref);
  g_free (self->user_id);
  g_free (self->user_name);
  G_OBJECT_CLASS (intake_session_parent_class)->finalize (object);
}

static void
intake_session_class_init (IntakeSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_session_finalize;
}

static void
intake_session_init (IntakeSession *self)
{
  self->record_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) intake_secret_free);
  self->edited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

IntakeStore *
intake_session_get_store (IntakeSession *session)
{
  return session->store;
}

const char *
intake_session_get_user_id (IntakeSession *session)
{
  return session->user_id;
}

const char *
intake_session_get_user_name (IntakeSession *session)
{
  return session->user_name;
}

IntakeRole
intake_session_get_role (IntakeSession *session)
{
  return session->role;
}

void
intake_session_lock (IntakeSession *session)
{
  /* Work queued on this session (intake-session-queue.c) finishes first: freeing the queue waits
   * for it and locks the worker's copy. The queue is found by name, not by symbol, so that this
   * file does not depend on the layer above it. */
  g_object_set_data (G_OBJECT (session), "intake-session-queue", NULL);
  g_clear_pointer (&session->box_sk, intake_secret_free);
  g_clear_pointer (&session->sign_sk, intake_secret_free);
  g_clear_pointer (&session->group_sk, intake_secret_free);
  g_clear_pointer (&session->trust_key, intake_secret_free);
  if (session->record_keys)
    g_hash_table_remove_all (session->record_keys);
  if (session->edited)
    g_hash_table_remove_all (session->edited);
  _intake_session_drop_hot (session);
}

void
_intake_session_drop_hot (IntakeSession *session)
{
  g_clear_pointer (&session->hot, intake_interview_free);
}

gboolean
intake_session_is_locked (IntakeSession *session)
{
  return session->box_sk == NULL;
}

const IntakeSecret *
_intake_session_get_trust_key (IntakeSession *session)
{
  return session->trust_key;
}

const guint8 *
_intake_session_get_box_pk (IntakeSession *session)
{
  return session->box_pk;
}

IntakeInterview *
_intake_session_steal_hot (IntakeSession *session, const char *interview_id)
{
  if (session->hot == NULL || g_strcmp0 (session->hot->id, interview_id) != 0)
    return NULL;
  return g_steal_pointer (&session->hot);
}

const IntakeInterview *
_intake_session_peek_hot (IntakeSession *session, const char *interview_id)
{
  if (session->hot == NULL || g_strcmp0 (session->hot->id, interview_id) != 0)
    return NULL;
  return session->hot;
}

void
_intake_session_set_hot (IntakeSession *session, IntakeInterview *iv)
{
  g_clear_pointer (&session->hot, intake_interview_free);
  session->hot = iv;
}

gboolean
_intake_session_note_edit (IntakeSession *session, const char *interview_id)
{
  return g_hash_table_add (session->edited, g_strdup (interview_id));
}

gboolean
_intake_session_has_edited (IntakeSession *session, const char *interview_id)
{
  return g_hash_table_contains (session->edited, interview_id);
}

IntakeSession *
intake_session_dup (IntakeSession *session, GError **error)
{
  IntakeSession *copy;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  copy = g_object_new (INTAKE_TYPE_SESSION, NULL);
  copy->store = g_object_ref (session->store);
  copy->user_id = g_strdup (session->user_id);
  copy->user_name = g_strdup (session->user_name);
  copy->role = session->role;
  memcpy (copy->box_pk, session->box_pk, sizeof copy->box_pk);
  copy->box_sk = intake_secret_new_from_data (session->box_sk->data, session->box_sk->len);
  copy->sign_sk = intake_secret_new_from_data (session->sign_sk->data, session->sign_sk->len);
  if (session->group_sk != NULL)
    copy->group_sk = intake_secret_new_from_data (session->group_sk->data,
                                                  session->group_sk->len);
  memcpy (copy->group_pk, session->group_pk, sizeof copy->group_pk);
  copy->trust_key = intake_secret_new_from_data (session->trust_key->data,
                                                 session->trust_key->len);
  return copy;
}

gboolean
intake_session_attach_store (IntakeSession *session, IntakeStore *store, GError **error)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (session), FALSE);
  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);

  /* Another tablet's store would accept the keys' ids but not open anything: refuse it. */
  if (g_strcmp0 (intake_store_get_device_id (store),
                 intake_store_get_device_id (session->store))
      != 0)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           "That data file belongs to another tablet");
      return FALSE;
    }
  /* Cached content and keys belong to reads made through the other connection. */
  _intake_session_drop_hot (session);
  g_set_object (&session->store, store);
  return TRUE;
}

gboolean
_intake_session_require_unlocked (IntakeSession *session, GError **error)
{
  if (intake_session_is_locked (session))
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                           _("The session is locked; unlock again to continue"));
      return FALSE;
    }
  return TRUE;
}

gboolean
_intake_session_require_role (IntakeSession *session,
                              IntakeRoleFlags allowed,
                              const char *doing,
                              GError **error)
{
  gboolean ok;

  if (!_intake_session_require_unlocked (session, error))
    return FALSE;
  ok = (allowed & (1 << session->role)) != 0;
  if (!ok)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                 "%s is a %s and may not %s", session->user_name,
                 intake_role_to_string (session->role), doing);
  return ok;
}

/* The bundle a user's wrap holds, made from an unlocked session's keys. */
IntakeSecret *
_intake_session_dup_wrap_plain (IntakeSession *session)
{
  IntakeSecret *plain = intake_secret_new (WRAPPED_PLAIN_BYTES);

  memcpy (plain->data, session->box_sk->data, INTAKE_BOX_SECRET_BYTES);
  memcpy (plain->data + INTAKE_BOX_SECRET_BYTES, session->sign_sk->data,
          INTAKE_SIGN_SECRET_BYTES);
  memcpy (plain->data + WRAPPED_TRUST_OFFSET, session->trust_key->data, INTAKE_TRUST_KEY_BYTES);
  return plain;
}


static gboolean
public_key_matches (const IntakeSecret *box_sk, const guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES])
{
  guint8 derived[INTAKE_BOX_PUBLIC_BYTES];

  crypto_scalarmult_base (derived, box_sk->data);
  return sodium_memcmp (derived, box_pk, sizeof derived) == 0;
}

static gboolean
load_group_key (IntakeSession *session, GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = intake_db_prepare (store->db, "SELECT sealed FROM group_keys WHERE user_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, session->user_id, -1, SQLITE_STATIC);
  rc = intake_db_step (store->db, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      g_autoptr (GError) local_error = NULL;
      session->group_sk = intake_seal_open (session->box_pk, session->box_sk->data,
                                            sqlite3_column_blob (stmt, 0),
                                            sqlite3_column_bytes (stmt, 0), &local_error);
      if (session->group_sk == NULL)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                       "The review group key of '%s' does not open: %s", session->user_name,
                       local_error->message);
          return FALSE;
        }
      /* Anyone can seal a key pair of their own to a user's public key: the copy is the
       * group's only if it matches the group's public key as the trust key authenticates it.
       * When the public key itself was changed in the file, the copy may well be the real one:
       * the user can still read, nothing new is sealed to the group (the check before every
       * seal refuses), and verify names the change. */
      if (session->group_sk->len != INTAKE_BOX_SECRET_BYTES
          || (!public_key_matches (session->group_sk, store->group_pk)
              && _intake_trust_check_device (store, session->trust_key, NULL)))
        {
          g_clear_pointer (&session->group_sk, intake_secret_free);
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                       _("The review group key of '%s' is not this tablet's review group key: "
                         "the data file may have been altered"),
                       session->user_name);
          return FALSE;
        }
      crypto_scalarmult_base (session->group_pk, session->group_sk->data);
    }
  return TRUE;
}

/* Stores made before trust keys existed: the first user to unlock one makes the trust key,
 * binds what the file holds at that moment (trust on first use, audited) and leaves a copy sealed
 * to every other user; each of them takes theirs into their own wrap at their next unlock. A
 * sealed copy is not authenticated (anyone can seal to a public key), so until every user has
 * unlocked once, someone who writes the data file in between can still hand that user a key of
 * their own; the README says so. Runs inside the unlock's transaction; @secret rewraps this
 * user's keys with the trust key in. */
static gboolean
adopt_legacy_trust (IntakeSession *session, const IntakeSecret *secret, GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (IntakeSecret) plain = NULL;
  int rc;

  if (!_intake_trust_is_established (store))
    {
      g_autoptr (IntakeEnrollment) enrollment = NULL;
      g_autoptr (GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) other_pks = g_ptr_array_new_with_free_func (g_free);

      session->trust_key = intake_secret_new_random (INTAKE_TRUST_KEY_BYTES);
      if (!_intake_trust_bind_device (store, session->trust_key, error))
        return FALSE;
      stmt = intake_db_prepare (store->db, "SELECT id, box_pk, wrapped IS NOT NULL FROM users",
                                error);
      if (stmt == NULL)
        return FALSE;
      while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          if (g_strcmp0 (id, session->user_id) == 0 || !sqlite3_column_int (stmt, 2)
              || sqlite3_column_bytes (stmt, 1) != INTAKE_BOX_PUBLIC_BYTES)
            continue;
          g_ptr_array_add (others, g_strdup (id));
          g_ptr_array_add (other_pks, g_memdup2 (sqlite3_column_blob (stmt, 1),
                                                 INTAKE_BOX_PUBLIC_BYTES));
        }
      if (rc < 0)
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);
      for (guint i = 0; i < others->len; i++)
        {
          g_autoptr (GBytes) sealed = intake_seal (other_pks->pdata[i], session->trust_key->data,
                                                   session->trust_key->len);
          stmt = intake_db_prepare (store->db,
                                    "INSERT OR REPLACE INTO trust_grants (user_id, sealed) "
                                    "VALUES (?, ?)",
                                    error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, others->pdata[i], -1, SQLITE_STATIC);
          sqlite3_bind_blob (stmt, 2, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                             SQLITE_STATIC);
          if (!intake_db_step_done (store->db, stmt, error)
              || !_intake_trust_bind_user (store, session->trust_key, others->pdata[i], error))
            return FALSE;
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
      if (!_intake_trust_bind_user (store, session->trust_key, session->user_id, error))
        return FALSE;
      enrollment = intake_store_dup_enrollment (store, NULL);
      if (enrollment != NULL
          && !_intake_trust_bind_enrollment (store, session->trust_key, enrollment, error))
        return FALSE;
      if (!_intake_store_audit_in_tx (store, session->user_id, "trust-establish",
                                      store->device_id, error))
        return FALSE;
    }
  else
    {
      stmt = intake_db_prepare (store->db, "SELECT sealed FROM trust_grants WHERE user_id = ?",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, session->user_id, -1, SQLITE_STATIC);
      rc = intake_db_step (store->db, stmt, error);
      if (rc < 0)
        return FALSE;
      if (rc == SQLITE_ROW)
        session->trust_key = intake_seal_open (session->box_pk, session->box_sk->data,
                                               sqlite3_column_blob (stmt, 0),
                                               sqlite3_column_bytes (stmt, 0), NULL);
      if (session->trust_key == NULL || session->trust_key->len != INTAKE_TRUST_KEY_BYTES)
        {
          g_clear_pointer (&session->trust_key, intake_secret_free);
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED,
                       _("The keys of '%s' were made by an older version and this tablet's "
                         "trust key was not left for them: an admin must set a new PIN for "
                         "this user"),
                       session->user_name);
          return FALSE;
        }
      if (!intake_db_exec_text (store->db, "DELETE FROM trust_grants WHERE user_id = ?",
                                session->user_id, NULL, error))
        return FALSE;
    }
  plain = _intake_session_dup_wrap_plain (session);
  return _intake_users_write_wrap (store, session->trust_key, session->user_id, secret, plain, error);
}

IntakeSession *
intake_store_unlock (IntakeStore *store,
                     const char *user_name,
                     const IntakeSecret *secret,
                     GError **error)
{
  g_auto (UserRow) row = { 0 };
  g_autoptr (IntakeSecret) kek = NULL;
  g_autoptr (IntakeSecret) plain = NULL;
  g_autoptr (GString) ad = g_string_new (NULL);
  g_autoptr (IntakeSession) session = NULL;
  int max_failed;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  /* Count the attempt durably before trying it, so that killing the program while Argon2id runs
   * cannot be used to guess without limit. A success resets the count. The row is read and the
   * count raised in one IMMEDIATE transaction: attempts made at the same time from other
   * connections each see the count of those before them, so no more guesses than the policy
   * allows are ever tried against a wrap, and the attempt that reaches the limit destroys it. */
  if (!intake_db_begin (store->db, error))
    return NULL;
  if (!_intake_users_read_row (store, user_name, &row, error))
    goto fail_count;
  max_failed = intake_store_get_policy_int (store, INTAKE_POLICY_MAX_FAILED_UNLOCKS);
  if (row.wrapped != NULL && max_failed > 0 && row.failed >= max_failed)
    {
      /* The limit was reached by an attempt stopped before it could destroy the keys: destroy
       * them now and try nothing. */
      if (!_intake_store_audit_in_tx (store, row.id, "lockout", row.id, error)
          || !_intake_users_destroy_keys (store, row.id, error) || !intake_db_commit (store->db, error))
        goto fail_count;
      g_clear_pointer (&row.wrapped, g_bytes_unref);
    }
  if (row.wrapped == NULL)
    {
      intake_db_rollback (store->db);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_LOCKED_OUT,
                   _("The keys of '%s' were destroyed after too many wrong PINs; an admin must "
                     "set a new PIN (intakectl user passwd %s)"),
                   user_name, user_name);
      return NULL;
    }
  if (!intake_db_exec_text (store->db,
                            "UPDATE users SET failed_unlocks = failed_unlocks + 1 WHERE id = ?",
                   row.id, NULL, error)
      || !intake_db_commit (store->db, error))
    goto fail_count;
  row.failed++;

  kek = intake_kdf_derive (secret, row.salt, &row.kdf, error);
  if (kek == NULL)
    return NULL;
  _intake_users_wrap_ad (row.id, ad);
  plain = intake_aead_decrypt (kek, g_bytes_get_data (row.wrapped, NULL),
                               g_bytes_get_size (row.wrapped),
                               g_bytes_get_data (row.nonce, NULL), g_bytes_get_size (row.nonce),
                               (const guint8 *) ad->str, ad->len, NULL);
  if (plain == NULL || (plain->len != WRAPPED_PLAIN_BYTES && plain->len != WRAPPED_LEGACY_BYTES))
    {
      gboolean destroy;

      destroy = max_failed > 0 && row.failed >= max_failed;
      if (!intake_db_begin (store->db, error))
        return NULL;
      if (!_intake_store_audit_in_tx (store, row.id, destroy ? "lockout" : "unlock-failed", row.id,
                                      error)
          || (destroy && !_intake_users_destroy_keys (store, row.id, error))
          || !intake_db_commit (store->db, error))
        {
          intake_db_rollback (store->db);
          return NULL;
        }
      if (destroy)
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_LOCKED_OUT,
                     _("Wrong PIN for '%s'. That was the last attempt: this user's keys were "
                       "destroyed; an admin must set a new PIN"),
                     user_name);
      else if (max_failed > 0)
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET,
                     dngettext (GETTEXT_PACKAGE,
                                "Wrong PIN for '%s': %d attempt left before this user's keys are "
                                "destroyed",
                                "Wrong PIN for '%s': %d attempts left before this user's keys are "
                                "destroyed",
                                (unsigned long) (max_failed - row.failed)),
                     user_name, max_failed - row.failed);
      else
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET,
                     _("Wrong PIN for '%s'"), user_name);
      return NULL;
    }

  session = g_object_new (INTAKE_TYPE_SESSION, NULL);
  session->store = g_object_ref (store);
  session->user_id = g_strdup (row.id);
  session->user_name = g_strdup (user_name);
  session->role = row.role;
  session->box_sk = intake_secret_new_from_data (plain->data, INTAKE_BOX_SECRET_BYTES);
  session->sign_sk = intake_secret_new_from_data (plain->data + INTAKE_BOX_SECRET_BYTES,
                                                  INTAKE_SIGN_SECRET_BYTES);
  /* The user's own public key comes from their secret key, never from the file's column: new
   * record keys are sealed to it. */
  crypto_scalarmult_base (session->box_pk, session->box_sk->data);
  if (plain->len == WRAPPED_PLAIN_BYTES)
    session->trust_key = intake_secret_new_from_data (plain->data + WRAPPED_TRUST_OFFSET,
                                                      INTAKE_TRUST_KEY_BYTES);

  if (!intake_db_begin (store->db, error))
    return NULL;
  /* The row that says who this user is and what they may do must be the one the trust key
   * bound: a role raised or a public key swapped in the file is refused here. */
  if ((session->trust_key == NULL && !adopt_legacy_trust (session, secret, error))
      || !_intake_trust_check_user (store, session->trust_key, row.id, error)
      || !load_group_key (session, error))
    {
      intake_db_rollback (store->db);
      return NULL;
    }
  if (!intake_db_exec_text (store->db, "UPDATE users SET failed_unlocks = 0 WHERE id = ?",
                            row.id, NULL, error)
      || !_intake_store_audit_in_tx (store, row.id, "unlock", row.id, error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return NULL;
    }
  return g_steal_pointer (&session);

fail_count:
  intake_db_rollback (store->db);
  return NULL;
}

gboolean
intake_session_add_user (IntakeSession *session,
                         const char *name,
                         IntakeRole role,
                         const IntakeSecret *secret,
                         GError **error)
{
  IntakeStore *store = session->store;
  g_autofree char *id = NULL;

  if (!_intake_session_require_role (session, INTAKE_ROLE_FLAG_ADMIN, "add users", error))
    return FALSE;
  if (!intake_db_begin (store->db, error))
    return FALSE;
  if (!_intake_users_insert (store, session->trust_key, session->group_sk, name, role,
                                  secret, &id, error)
      || !_intake_store_audit_in_tx (store, session->user_id, "user-add", id, error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  return TRUE;
}

/* After an admin gives a user new keys, the user's own interviews are granted to the new key,
 * from the review group's copy of each record key. */
static gboolean
regrant_records (IntakeSession *session,
                 const char *user_id,
                 const guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES],
                 GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (sqlite3_stmt) sel = NULL;
  g_autoptr (sqlite3_stmt) ins = NULL;
  int rc;

  sel = intake_db_prepare (store->db,
                           "SELECT i.id, k.sealed FROM interviews i JOIN record_keys k "
                           "ON k.record_id = i.id AND k.reader = 'group' WHERE i.author = ?",
                           error);
  ins = intake_db_prepare (store->db,
                           "INSERT OR REPLACE INTO record_keys (record_id, reader, sealed) "
                           "VALUES (?, ?, ?)",
                           error);
  if (sel == NULL || ins == NULL)
    return FALSE;
  sqlite3_bind_text (sel, 1, user_id, -1, SQLITE_STATIC);
  while ((rc = intake_db_step (store->db, sel, error)) == SQLITE_ROW)
    {
      g_autoptr (IntakeSecret) key = NULL;
      g_autoptr (GBytes) sealed = NULL;

      key = intake_seal_open (session->group_pk, session->group_sk->data,
                              sqlite3_column_blob (sel, 1), sqlite3_column_bytes (sel, 1), NULL);
      if (key == NULL)
        continue; /* verify reports it; it must not block the reset. */
      sealed = intake_seal (box_pk, key->data, key->len);
      sqlite3_reset (ins);
      sqlite3_bind_text (ins, 1, (const char *) sqlite3_column_text (sel, 0), -1,
                         SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 2, user_id, -1, SQLITE_STATIC);
      sqlite3_bind_blob (ins, 3, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                         SQLITE_STATIC);
      if (!intake_db_step_done (store->db, ins, error))
        return FALSE;
    }
  return rc >= 0;
}

gboolean
intake_session_change_secret (IntakeSession *session,
                              const char *name,
                              const IntakeSecret *new_secret,
                              GError **error)
{
  IntakeStore *store = session->store;
  g_auto (UserRow) row = { 0 };
  gboolean self_change = g_strcmp0 (name, session->user_name) == 0;

  if (!_intake_session_require_unlocked (session, error))
    return FALSE;
  if (!self_change
      && !_intake_session_require_role (session, INTAKE_ROLE_FLAG_ADMIN,
                                        "set another user's PIN", error))
    return FALSE;
  if (!_intake_users_check_secret_policy (store, new_secret, error) || !intake_db_begin (store->db, error))
    return FALSE;
  if (!_intake_users_read_row (store, name, &row, error))
    goto fail;
  /* The old wrap opens with the old PIN, which may be why it changes: it must not survive. */
  intake_db_mark_destroying (store->db);
  if (self_change)
    {
      /* The same keys under a new PIN. */
      g_autoptr (IntakeSecret) plain = _intake_session_dup_wrap_plain (session);
      if (!_intake_users_write_wrap (store, session->trust_key, row.id, new_secret, plain, error))
        goto fail;
    }
  else
    {
      /* An admin cannot open another user's keys, so the user gets new ones; what they could
       * read before is granted again from the review group. */
      guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];
      if (!intake_db_exec_text (store->db, "DELETE FROM record_keys WHERE reader = ?", row.id,
                                NULL, error)
          || !_intake_users_write_new_keys (store, session->trust_key, row.id, row.role, session->group_sk,
                              new_secret, box_pk, error)
          || !regrant_records (session, row.id, box_pk, error))
        goto fail;
    }
  if (!_intake_store_audit_in_tx (store, session->user_id, "user-passwd", row.id, error)
      || !intake_db_commit (store->db, error))
    goto fail;
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

gboolean
intake_session_remove_user (IntakeSession *session, const char *name, GError **error)
{
  IntakeStore *store = session->store;
  g_auto (UserRow) row = { 0 };

  if (!_intake_session_require_role (session, INTAKE_ROLE_FLAG_ADMIN, "remove users", error))
    return FALSE;
  if (g_strcmp0 (name, session->user_name) == 0)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           _("You cannot remove yourself; another admin must do it"));
      return FALSE;
    }
  if (!intake_db_begin (store->db, error))
    return FALSE;
  if (!_intake_users_read_row (store, name, &row, error) || !_intake_users_destroy_keys (store, row.id, error)
      || !intake_db_exec_text (store->db, "DELETE FROM users WHERE id = ?", row.id, NULL,
                               error)
      || !_intake_trust_forget_user (store, row.id, error)
      || !_intake_store_audit_in_tx (store, session->user_id, "user-remove", row.id, error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  return TRUE;
}

/* The key of one record, from this user's own copy or the review group's. The key stays owned by
 * the session's cache and is valid until the next call. */
#define RECORD_KEY_CACHE_SIZE 256

void
_intake_session_cache_record_key (IntakeSession *session, const char *record_id, IntakeSecret *key)
{
  /* A bounded cache: a long listing must not pin thousands of guarded pages. */
  if (g_hash_table_size (session->record_keys) >= RECORD_KEY_CACHE_SIZE)
    g_hash_table_remove_all (session->record_keys);
  g_hash_table_insert (session->record_keys, g_strdup (record_id), key);
}

const IntakeSecret *
_intake_session_open_record_key (IntakeSession *session, const char *record_id, GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  IntakeSecret *key;
  gboolean any = FALSE;
  int rc;

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  key = g_hash_table_lookup (session->record_keys, record_id);
  if (key)
    return key;

  stmt = intake_db_prepare_cached (store->db,
                                   "SELECT reader, sealed FROM record_keys WHERE record_id = ? "
                                   "AND reader IN (?, 'group') ORDER BY reader = 'group'",
                                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, session->user_id, -1, SQLITE_STATIC);
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      gboolean group = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0),
                                  INTAKE_GROUP_READER)
                       == 0;

      if (group && session->group_sk == NULL)
        continue;
      any = TRUE;
      key = intake_seal_open (group ? session->group_pk : session->box_pk,
                              group ? session->group_sk->data : session->box_sk->data,
                              sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1), NULL);
      if (key != NULL && key->len == INTAKE_RECORD_KEY_BYTES)
        {
          _intake_session_cache_record_key (session, record_id, key);
          return key;
        }
      intake_secret_free (key);
    }
  if (rc < 0)
    return NULL;
  if (any)
    g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                         "its wrapped key does not open (altered or damaged)");
  else
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                 "%s may not read interview %s", session->user_name, record_id);
  return NULL;
}
