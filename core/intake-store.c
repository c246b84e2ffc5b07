/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-json.h"
#include "intake-outbox.h"
#include "intake-audit-private.h"
#include "intake-store-private.h"
#include "intake-store-struct-private.h"
#include "intake-users-private.h"
#include "intake-trust-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_FINAL_TYPE (IntakeStore, intake_store, G_TYPE_OBJECT)

static const struct
{
  const char *key;
  const char *value;
  int min;
  int max;
} policy_defaults[] = {
  { INTAKE_POLICY_REVIEW_REQUIRED, "1", 0, 1 },
  { INTAKE_POLICY_MIN_SECRET_LENGTH, "6", 4, 128 },
  { INTAKE_POLICY_MAX_FAILED_UNLOCKS, "10", 0, 1000 },
  { INTAKE_POLICY_AUTO_LOCK_MINUTES, "5", 1, 240 },
  { INTAKE_POLICY_KEEP_SENT_DAYS, "0", 0, 3650 },
};

IntakeDb *
_intake_store_get_db (IntakeStore *store)
{
  return store->db;
}

const guint8 *
_intake_store_get_group_pk (IntakeStore *store)
{
  return store->group_pk;
}

const guint8 *
_intake_store_get_sign_pk (IntakeStore *store)
{
  return store->sign_pk;
}

const IntakeKdfParams *
_intake_store_get_kdf (IntakeStore *store)
{
  return &store->kdf;
}

gboolean
intake_store_batch_begin (IntakeStore *store, GError **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);

  return intake_db_begin (store->db, error);
}

gboolean
intake_store_batch_commit (IntakeStore *store, GError **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);

  if (intake_db_commit (store->db, error))
    return TRUE;
  intake_db_rollback (store->db);
  return FALSE;
}

static void
intake_store_finalize (GObject *object)
{
  IntakeStore *self = INTAKE_STORE (object);

  g_clear_pointer (&self->db, intake_db_close);
  g_clear_pointer (&self->sign_sk, intake_secret_free);
  g_clear_pointer (&self->notices, g_ptr_array_unref);
  g_clear_pointer (&self->forms, g_hash_table_unref);
  g_free (self->data_dir);
  g_free (self->db_path);
  g_free (self->device_id);
  G_OBJECT_CLASS (intake_store_parent_class)->finalize (object);
}

static void
intake_store_class_init (IntakeStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_store_finalize;
}

static void
intake_store_init (IntakeStore *self)
{
  self->notices = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->notices, NULL);
  self->forms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

void
_intake_store_add_notice (IntakeStore *self, char *notice)
{
  g_ptr_array_insert (self->notices, self->notices->len - 1, notice);
}

const char *const *
intake_store_get_notices (IntakeStore *store)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  return (const char *const *) store->notices->pdata;
}

char *
intake_store_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "intake", NULL);
}

gboolean
intake_store_exists (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, INTAKE_DB_FILE_NAME, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The data folder must be ours alone. Loose modes are tightened (and said so); a folder or
 * file owned by someone else is refused, since tightening would not make it private. */
static gboolean
check_private (IntakeStore *self, const char *path, mode_t wanted, GError **error)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return TRUE;
  if (S_ISLNK (st.st_mode))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS,
                   _("%s is a symbolic link; refusing to use it for private data"), path);
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS,
                   _("%s belongs to another user (uid %u); refusing to use it for private data"),
                   path, (unsigned) st.st_uid);
      return FALSE;
    }
  if ((st.st_mode & 07777) != wanted)
    {
      if (chmod (path, wanted) != 0)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS,
                       _("%s has loose permissions (%04o) that could not be repaired: %s"), path,
                       (unsigned) (st.st_mode & 07777), g_strerror (errno));
          return FALSE;
        }
      _intake_store_add_notice (self,
                                g_strdup_printf ("Permissions of %s were %04o; repaired to %04o",
                                                 path, (unsigned) (st.st_mode & 07777),
                                                 (unsigned) wanted));
    }
  return TRUE;
}

gboolean
_intake_store_prepare_data_dir (IntakeStore *self, gboolean create, GError **error)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  if (create && g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS,
                   _("Could not create the data folder %s: %s"), self->data_dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!check_private (self, self->data_dir, 0700, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (self->db_path, suffixes[i], NULL);
      if (!check_private (self, path, 0600, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_blob (sqlite3_stmt *stmt, int col, guint8 *out, size_t len)
{
  if (sqlite3_column_bytes (stmt, col) != (int) len)
    return FALSE;
  memcpy (out, sqlite3_column_blob (stmt, col), len);
  return TRUE;
}

static gboolean
load_device (IntakeStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = intake_db_prepare (self->db,
                            "SELECT device_id, sign_pk, sign_sk, group_pk, kdf_ops, kdf_mem, "
                            "kdf_alg FROM device WHERE id = 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  switch (intake_db_step (self->db, stmt, error))
    {
    case SQLITE_ROW:
      break;
    case SQLITE_DONE:
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_INITIALISED,
                   _("%s has no device keys: it was never initialised or it was wiped; run "
                     "'intakectl init'"),
                   self->db_path);
      return FALSE;
    default:
      return FALSE;
    }
  self->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  self->sign_sk = intake_secret_try_new (INTAKE_SIGN_SECRET_BYTES, error);
  if (self->sign_sk == NULL)
    return FALSE;
  if (!read_blob (stmt, 1, self->sign_pk, sizeof self->sign_pk)
      || !read_blob (stmt, 2, self->sign_sk->data, self->sign_sk->len)
      || !read_blob (stmt, 3, self->group_pk, sizeof self->group_pk))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                   _("The device keys in %s are damaged or were destroyed"), self->db_path);
      return FALSE;
    }
  self->kdf.opslimit = sqlite3_column_int64 (stmt, 4);
  self->kdf.memlimit = sqlite3_column_int64 (stmt, 5);
  self->kdf.alg = sqlite3_column_int (stmt, 6);
  return TRUE;
}

IntakeStore *
intake_store_open (const char *data_dir, GError **error)
{
  g_autoptr (IntakeStore) self = g_object_new (INTAKE_TYPE_STORE, NULL);

  g_return_val_if_fail (data_dir != NULL, NULL);
  self->data_dir = g_strdup (data_dir);
  self->db_path = g_build_filename (data_dir, INTAKE_DB_FILE_NAME, NULL);
  if (!g_file_test (self->db_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_INITIALISED,
                   _("No Field Intake data in %s; set this tablet up with 'intakectl init'"),
                   data_dir);
      return NULL;
    }
  if (!_intake_store_prepare_data_dir (self, FALSE, error))
    return NULL;
  self->db = intake_db_open (self->db_path, FALSE, error);
  if (self->db == NULL || !load_device (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
intake_store_get_data_dir (IntakeStore *store)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  return store->data_dir;
}

const char *
intake_store_get_device_id (IntakeStore *store)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  return store->device_id;
}

void
intake_store_get_kdf_params (IntakeStore *store, IntakeKdfParams *params)
{
  g_return_if_fail (INTAKE_IS_STORE (store));

  *params = store->kdf;
}

/* ---- Policies ---- */

int
intake_store_get_policy_int (IntakeStore *store, const char *key)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *fallback = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (policy_defaults); i++)
    if (g_str_equal (policy_defaults[i].key, key))
      fallback = policy_defaults[i].value;
  g_return_val_if_fail (fallback != NULL, 0);

  stmt = intake_db_prepare (store->db, "SELECT value FROM policies WHERE key = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        return (int) g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10);
    }
  return (int) g_ascii_strtoll (fallback, NULL, 10);
}

JsonNode *
intake_store_dup_policies_json (IntakeStore *store)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (policy_defaults); i++)
    {
      int v = intake_store_get_policy_int (store, policy_defaults[i].key);
      json_builder_set_member_name (b, policy_defaults[i].key);
      if (policy_defaults[i].max == 1 && policy_defaults[i].min == 0)
        json_builder_add_boolean_value (b, v != 0);
      else
        json_builder_add_int_value (b, v);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The value of policy @key as the data file keeps it, or NULL when @value is not one it takes. */
char *
_intake_store_normalise_policy (const char *key, const char *value, GError **error)
{
  gint64 v;
  char *end = NULL;
  int idx = -1;

  for (guint i = 0; i < G_N_ELEMENTS (policy_defaults); i++)
    if (g_str_equal (policy_defaults[i].key, key))
      idx = i;
  if (idx < 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "Unknown policy '%s'; known policies: review_required, min_secret_length, "
                   "max_failed_unlocks, auto_lock_minutes, keep_sent_days",
                   key);
      return NULL;
    }
  if (policy_defaults[idx].min == 0 && policy_defaults[idx].max == 1)
    {
      if (g_ascii_strcasecmp (value, "true") == 0 || g_ascii_strcasecmp (value, "on") == 0
          || g_strcmp0 (value, "1") == 0 || g_ascii_strcasecmp (value, "yes") == 0)
        v = 1;
      else if (g_ascii_strcasecmp (value, "false") == 0 || g_ascii_strcasecmp (value, "off") == 0
               || g_strcmp0 (value, "0") == 0 || g_ascii_strcasecmp (value, "no") == 0)
        v = 0;
      else
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                       "Policy %s takes true or false, not '%s'", key, value);
          return NULL;
        }
    }
  else
    {
      v = g_ascii_strtoll (value, &end, 10);
      if (end == value || *end != '\0' || v < policy_defaults[idx].min
          || v > policy_defaults[idx].max)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                       "Policy %s takes a whole number from %d to %d, not '%s'", key,
                       policy_defaults[idx].min, policy_defaults[idx].max, value);
          return NULL;
        }
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

char *
intake_policy_normalise (const char *key, JsonNode *value, GError **error)
{
  g_autofree char *text = NULL;
  GType type;

  g_return_val_if_fail (key != NULL && value != NULL, NULL);

  type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;
  if (type == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (value));
  else if (type == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
  else if (type == G_TYPE_BOOLEAN)
    text = g_strdup (json_node_get_boolean (value) ? "true" : "false");
  else
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "Policy %s takes text, a whole number or true/false, not %s", key,
                   JSON_NODE_HOLDS_OBJECT (value)  ? "an object"
                   : JSON_NODE_HOLDS_ARRAY (value) ? "a list"
                   : JSON_NODE_HOLDS_NULL (value)  ? "null"
                                                   : "a fraction");
      return NULL;
    }
  return _intake_store_normalise_policy (key, text, error);
}

/* The default policies of a new store, inside the caller's transaction. */
gboolean
_intake_store_insert_default_policies (IntakeStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = intake_db_prepare (store->db, "INSERT INTO policies (key, value) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (policy_defaults); i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, policy_defaults[i].key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, policy_defaults[i].value, -1, SQLITE_STATIC);
      if (!intake_db_step_done (store->db, stmt, error))
        return FALSE;
    }
  return TRUE;
}


/* ---- Forms ---- */

JsonNode *
intake_store_list_forms_json (IntakeStore *store, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  stmt = intake_db_prepare (store->db,
                            "SELECT id, version, imported, document FROM forms "
                            "ORDER BY id, version",
                            error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      const IntakeJsonLimits limits = { INTAKE_FORM_MAX_BYTES, INTAKE_FORM_MAX_NESTING };
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 2));
      g_autofree char *when = g_date_time_format_iso8601 (dt);
      /* The data file is outside the process too: a form written into it behind our back is
       * read with the same bounds as one imported. */
      const char *document = (const char *) sqlite3_column_text (stmt, 3);
      g_autoptr (JsonNode) root = document != NULL ? intake_json_parse_untrusted (document, -1,
                                                                                  &limits, NULL)
                                                   : NULL;
      JsonNode *title = NULL;

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        title = json_object_get_member (json_node_get_object (root), "title");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, sqlite3_column_int (stmt, 1));
      json_builder_set_member_name (b, "imported");
      json_builder_add_string_value (b, when);
      if (title)
        {
          json_builder_set_member_name (b, "title");
          json_builder_add_value (b, json_node_copy (title));
        }
      json_builder_end_object (b);
    }
  if (rc < 0)
    return NULL;
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

char *
intake_store_dup_form_document (IntakeStore *store,
                                const char *form_id,
                                int version,
                                GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

  if (version <= 0)
    version = intake_store_get_latest_form_version (store, form_id);
  stmt = intake_db_prepare (store->db, "SELECT document FROM forms WHERE id = ? AND version = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, version);
  rc = intake_db_step (store->db, stmt, error);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc == SQLITE_DONE)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                 _("Form %s version %d is not installed on this tablet"), form_id, version);
  return NULL;
}

int
intake_store_get_latest_form_version (IntakeStore *store, const char *form_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (INTAKE_IS_STORE (store), -1);

  stmt = intake_db_prepare (store->db, "SELECT max(version) FROM forms WHERE id = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int (stmt, 0);
  return 0;
}

IntakeForm *
_intake_store_get_form (IntakeStore *store, const char *form_id, int version, GError **error)
{
  g_autofree char *key = g_strdup_printf ("%s@%d", form_id, version);
  g_autofree char *document = NULL;
  IntakeForm *form = g_hash_table_lookup (store->forms, key);

  if (form != NULL)
    return form;
  document = intake_store_dup_form_document (store, form_id, version, error);
  if (document == NULL)
    return NULL;
  form = intake_form_new_from_data (document, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS,
                                    error);
  if (form == NULL)
    return NULL;
  g_hash_table_insert (store->forms, g_steal_pointer (&key), form);
  return form;
}

gboolean
_intake_store_evaluate (IntakeStore *store,
                        IntakeInterview *iv,
                        JsonNode **result_out,
                        JsonObject **export_answers_out,
                        GError **error)
{
  IntakeForm *form = _intake_store_get_form (store, iv->form_id, iv->form_version, error);
  g_autoptr (IntakeFormSession) fs = NULL;
  JsonObject *answers;

  if (form == NULL)
    return FALSE;
  answers = iv->content ? intake_json_get_object (iv->content, "answers") : NULL;
  fs = intake_form_session_new (form, answers, NULL);
  if (result_out)
    *result_out = intake_form_session_dup_result_json (fs);
  if (export_answers_out)
    *export_answers_out = intake_form_session_dup_export_answers (fs);
  return TRUE;
}

/* ---- Audit ---- */

/* ---- Wipe ---- */


void
intake_store_sign (IntakeStore *store,
                   const guint8 *message,
                   size_t len,
                   guint8 signature[INTAKE_SIGNATURE_BYTES])
{
  g_return_if_fail (INTAKE_IS_STORE (store));

  crypto_sign_detached (signature, NULL, message, len, store->sign_sk->data);
}

void
intake_store_get_device_public_key (IntakeStore *store, guint8 pk[INTAKE_SIGN_PUBLIC_BYTES])
{
  g_return_if_fail (INTAKE_IS_STORE (store));

  memcpy (pk, store->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
}

IntakeEnrollment *
intake_store_dup_enrollment (IntakeStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (IntakeEnrollment) e = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

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
_intake_store_is_enrolled (IntakeStore *store)
{
  return is_enrolled (store);
}

char *
intake_store_dup_sync_state (IntakeStore *store, const char *key)
{
  g_autoptr (sqlite3_stmt) stmt = intake_db_prepare (
      store->db, "SELECT value FROM sync_state WHERE key = ?", NULL);

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);

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
  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);

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
