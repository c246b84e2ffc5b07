/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Users as rows of the data file: their names and roles, their key pairs wrapped under a key
 * derived from their PIN, and their copy of the review group key. Sits above the store, the
 * audit log and the trust MACs, and below the session (an unlocked user), which is the only
 * layer that holds a user's secret keys in the clear.
 */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-store-private.h"
#include "intake-trust-private.h"
#include "intake-users-private.h"

#include <string.h>

#define USER_INFO_COLUMNS "id, name, role, failed_unlocks, wrapped, created"

void
_intake_users_wrap_ad (const char *user_id, GString *ad)
{
  g_string_append (ad, "intake-user-v1");
  g_string_append_c (ad, '\0');
  g_string_append (ad, user_id);
}

gboolean
_intake_users_check_secret_policy (IntakeStore *store, const IntakeSecret *secret, GError **error)
{
  int min = intake_store_get_policy_int (store, INTAKE_POLICY_MIN_SECRET_LENGTH);
  glong chars;

  if (!g_utf8_validate ((const char *) secret->data, secret->len, NULL))
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           _("The PIN or passphrase is not valid text"));
      return FALSE;
    }
  chars = g_utf8_strlen ((const char *) secret->data, secret->len);
  if (chars < min)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   _("The PIN or passphrase is too short: at least %d characters are needed"), min);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_user_name (const char *name, GError **error)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64 || !g_utf8_validate (name, -1, NULL))
    goto bad;
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || (p == name && g_unichar_isspace (c)))
        goto bad;
    }
  return TRUE;
bad:
  g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
               _("'%s' is not a usable user name: use 1 to 64 visible characters"),
               name ? name : "");
  return FALSE;
}

/* Wrap secret keys under a key derived from the user's PIN, with a fresh salt, using the
 * device's calibrated Argon2id parameters; the parameters are stored with the wrap. Those
 * parameters are read from the data file, so they are used only once they verify under the trust
 * key: a file writer cannot lower the cost of the wraps made after their change. */
gboolean
_intake_users_write_wrap (IntakeStore *store,
            const IntakeSecret *trust_key,
            const char *user_id,
            const IntakeSecret *secret,
            const IntakeSecret *plain,
            GError **error)
{
  g_autoptr (IntakeSecret) kek = NULL;
  g_autoptr (GBytes) wrapped = NULL;
  g_autoptr (GString) ad = g_string_new (NULL);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 salt[INTAKE_KDF_SALT_BYTES];
  guint8 nonce[INTAKE_AEAD_NONCE_BYTES];

  if (!_intake_trust_check_device (store, trust_key, error))
    return FALSE;
  randombytes_buf (salt, sizeof salt);
  kek = intake_kdf_derive (secret, salt, &store->kdf, error);
  if (kek == NULL)
    return FALSE;
  _intake_users_wrap_ad (user_id, ad);
  wrapped = intake_aead_encrypt (kek, plain->data, plain->len, (const guint8 *) ad->str, ad->len,
                                 nonce);
  stmt = intake_db_prepare (store->db,
                            "UPDATE users SET salt = ?, kdf_ops = ?, kdf_mem = ?, kdf_alg = ?, "
                            "wrap_nonce = ?, wrapped = ?, failed_unlocks = 0 WHERE id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, salt, sizeof salt, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, store->kdf.opslimit);
  sqlite3_bind_int64 (stmt, 3, store->kdf.memlimit);
  sqlite3_bind_int (stmt, 4, store->kdf.alg);
  sqlite3_bind_blob (stmt, 5, nonce, sizeof nonce, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 6, g_bytes_get_data (wrapped, NULL), g_bytes_get_size (wrapped),
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, user_id, -1, SQLITE_STATIC);
  return intake_db_step_done (store->db, stmt, error);
}

static gboolean
grant_group (IntakeStore *store,
             const char *user_id,
             const guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES],
             const IntakeSecret *group_sk,
             GError **error)
{
  g_autoptr (GBytes) sealed = intake_seal (box_pk, group_sk->data, group_sk->len);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = intake_db_prepare (store->db,
                            "INSERT OR REPLACE INTO group_keys (user_id, sealed) VALUES (?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                     SQLITE_STATIC);
  return intake_db_step_done (store->db, stmt, error);
}

/* Fresh key pairs for a user, written with their wrap (which carries the trust key too) and, for
 * supervisors and admins, the review group key; the row is then bound under the trust key. Runs
 * inside the caller's transaction. */
gboolean
_intake_users_write_new_keys (IntakeStore *store,
                const IntakeSecret *trust_key,
                const char *user_id,
                IntakeRole role,
                IntakeSecret *group_sk,
                const IntakeSecret *secret,
                guint8 box_pk_out[INTAKE_BOX_PUBLIC_BYTES],
                GError **error)
{
  g_autoptr (IntakeSecret) plain = intake_secret_new (WRAPPED_PLAIN_BYTES);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];

  crypto_box_keypair (box_pk_out, plain->data);
  crypto_sign_keypair (sign_pk, plain->data + INTAKE_BOX_SECRET_BYTES);
  memcpy (plain->data + WRAPPED_TRUST_OFFSET, trust_key->data, INTAKE_TRUST_KEY_BYTES);
  stmt = intake_db_prepare (store->db, "UPDATE users SET box_pk = ?, sign_pk = ? WHERE id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, box_pk_out, INTAKE_BOX_PUBLIC_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, sign_pk, sizeof sign_pk, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, user_id, -1, SQLITE_STATIC);
  if (!intake_db_step_done (store->db, stmt, error)
      || !_intake_users_write_wrap (store, trust_key, user_id, secret, plain, error)
      || !_intake_trust_bind_user (store, trust_key, user_id, error))
    return FALSE;
  if (role != INTAKE_ROLE_WORKER)
    {
      if (group_sk == NULL)
        {
          g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                               _("Only a member of the review group can add a supervisor or "
                                 "admin"));
          return FALSE;
        }
      return grant_group (store, user_id, box_pk_out, group_sk, error);
    }
  return TRUE;
}

gboolean
_intake_users_insert (IntakeStore *store,
                           const IntakeSecret *trust_key,
                           IntakeSecret *group_sk,
                           const char *name,
                           IntakeRole role,
                           const IntakeSecret *secret,
                           char **id_out,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *id = intake_uuid_new ();
  guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];
  int rc;

  if (!check_user_name (name, error) || !_intake_users_check_secret_policy (store, secret, error))
    return FALSE;
  stmt = intake_db_prepare (store->db,
                            "INSERT INTO users (id, name, role, box_pk, sign_pk, created) "
                            "VALUES (?, ?, ?, x'', x'', ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, intake_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, _intake_now_coarse ());
  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_EXISTS,
                   _("There is already a user named '%s'"), name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      intake_db_set_error (store->db, rc, error, "add the user");
      return FALSE;
    }
  if (!_intake_users_write_new_keys (store, trust_key, id, role, group_sk, secret, box_pk, error))
    return FALSE;
  if (id_out)
    *id_out = g_steal_pointer (&id);
  return TRUE;
}

void
_intake_users_row_clear (UserRow *row)
{
  g_free (row->id);
  g_clear_pointer (&row->nonce, g_bytes_unref);
  g_clear_pointer (&row->wrapped, g_bytes_unref);
}

gboolean
_intake_users_read_row (IntakeStore *store, const char *name, UserRow *row, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = intake_db_prepare (store->db,
                            "SELECT id, role, box_pk, salt, kdf_ops, kdf_mem, kdf_alg, "
                            "wrap_nonce, wrapped, failed_unlocks FROM users WHERE name = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = intake_db_step (store->db, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                   _("There is no user named '%s' on this tablet"), name);
      return FALSE;
    }
  row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  intake_role_from_string ((const char *) sqlite3_column_text (stmt, 1), &row->role);
  row->failed = sqlite3_column_int (stmt, 9);
  if (sqlite3_column_type (stmt, 8) == SQLITE_NULL)
    return TRUE;
  if (sqlite3_column_bytes (stmt, 2) != INTAKE_BOX_PUBLIC_BYTES
      || sqlite3_column_bytes (stmt, 3) != INTAKE_KDF_SALT_BYTES)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                   _("The keys of user '%s' are damaged"), name);
      return FALSE;
    }
  memcpy (row->box_pk, sqlite3_column_blob (stmt, 2), INTAKE_BOX_PUBLIC_BYTES);
  memcpy (row->salt, sqlite3_column_blob (stmt, 3), INTAKE_KDF_SALT_BYTES);
  row->kdf.opslimit = sqlite3_column_int64 (stmt, 4);
  row->kdf.memlimit = sqlite3_column_int64 (stmt, 5);
  row->kdf.alg = sqlite3_column_int (stmt, 6);
  row->nonce = g_bytes_new (sqlite3_column_blob (stmt, 7), sqlite3_column_bytes (stmt, 7));
  row->wrapped = g_bytes_new (sqlite3_column_blob (stmt, 8), sqlite3_column_bytes (stmt, 8));
  return TRUE;
}

/* Destroying a user's wrapped keys: their wrap, their copy of the review group key and their
 * copies of record keys. Records stay readable by the review group. */
gboolean
_intake_users_destroy_keys (IntakeStore *store, const char *user_id, GError **error)
{
  intake_db_mark_destroying (store->db);
  return intake_db_exec_text (store->db,
                              "UPDATE users SET wrapped = NULL, wrap_nonce = NULL, salt = NULL "
                              "WHERE id = ?",
                              user_id, NULL, error)
         && intake_db_exec_text (store->db, "DELETE FROM group_keys WHERE user_id = ?", user_id,
                                 NULL, error)
         && intake_db_exec_text (store->db, "DELETE FROM record_keys WHERE reader = ?", user_id,
                                 NULL, error);
}

static IntakeUserInfo *
user_info_from_row (sqlite3_stmt *stmt)
{
  IntakeUserInfo *info = g_new0 (IntakeUserInfo, 1);

  info->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  intake_role_from_string ((const char *) sqlite3_column_text (stmt, 2), &info->role);
  info->failed_unlocks = sqlite3_column_int (stmt, 3);
  info->locked_out = sqlite3_column_type (stmt, 4) == SQLITE_NULL;
  info->created = sqlite3_column_int64 (stmt, 5);
  return info;
}

GPtrArray *
intake_store_list_users (IntakeStore *store, GError **error)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func (
      (GDestroyNotify) intake_user_info_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = intake_db_prepare (store->db, "SELECT " USER_INFO_COLUMNS " FROM users ORDER BY name",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (users, user_info_from_row (stmt));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&users);
}

IntakeUserInfo *
intake_store_find_user (IntakeStore *store, const char *name, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = intake_db_prepare (store->db, "SELECT " USER_INFO_COLUMNS " FROM users WHERE name = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = intake_db_step (store->db, stmt, error);
  if (rc == SQLITE_ROW)
    return user_info_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                 _("There is no user named '%s' on this tablet"), name);
  return NULL;
}

char *
_intake_users_name_for_id (IntakeStore *store, const char *user_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = intake_db_prepare (store->db, "SELECT name FROM users WHERE id = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return NULL;
}
