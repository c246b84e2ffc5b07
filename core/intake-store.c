/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-json.h"
#include "intake-outbox.h"
#include "intake-store-private.h"
#include "intake-trust-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (intake-store-error-quark, intake_store_error)

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

IntakeDb *
_intake_store_get_db (IntakeStore *store)
{
  return store->db;
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

static void
add_notice (IntakeStore *self, char *notice)
{
  g_ptr_array_insert (self->notices, self->notices->len - 1, notice);
}

const char *const *
intake_store_get_notices (IntakeStore *store)
{
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
      add_notice (self, g_strdup_printf ("Permissions of %s were %04o; repaired to %04o", path,
                                         (unsigned) (st.st_mode & 07777), (unsigned) wanted));
    }
  return TRUE;
}

static gboolean
prepare_data_dir (IntakeStore *self, gboolean create, GError **error)
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
  self->sign_sk = intake_secret_new (INTAKE_SIGN_SECRET_BYTES);
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
  if (!prepare_data_dir (self, FALSE, error))
    return NULL;
  self->db = intake_db_open (self->db_path, FALSE, error);
  if (self->db == NULL || !load_device (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
intake_store_get_data_dir (IntakeStore *store)
{
  return store->data_dir;
}

const char *
intake_store_get_device_id (IntakeStore *store)
{
  return store->device_id;
}

void
intake_store_get_kdf_params (IntakeStore *store, IntakeKdfParams *params)
{
  *params = store->kdf;
}

/* Creating a store: the device keys, the review group key, the default policies and the first
 * admin, in one transaction. If anything fails the half-made file is removed so that init can
 * simply be run again. */
static void
remove_db_files (const char *db_path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);
      g_unlink (path);
    }
}

/* A data file that holds no device, no user and no interview is what an init cut short by a
 * power loss leaves behind (older versions wrote in place); replacing it loses nothing. A file
 * that is not an SQLite database at all is left alone: it may be something else. */
static gboolean
is_leftover_of_init (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean empty = FALSE;
  struct stat st;

  if (stat (db_path, &st) == 0 && st.st_size == 0)
    return TRUE;
  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db,
                             "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'device') = 0"
                             " OR ((SELECT count(*) FROM device) = 0"
                             " AND (SELECT count(*) FROM users) = 0"
                             " AND (SELECT count(*) FROM interviews) = 0)",
                             -1, &stmt, NULL)
             == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    empty = sqlite3_column_int (stmt, 0) != 0;
  else if (stmt == NULL && db != NULL
           && sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL)
                  == SQLITE_OK
           && sqlite3_step (stmt) == SQLITE_ROW)
    empty = sqlite3_column_int (stmt, 0) == 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return empty;
}

/* Creating a store: the device keys, the review group key, the default policies and the first
 * admin, in one transaction, in a file of its own that is renamed into place only once complete.
 * A power loss at any moment leaves either no store or a whole one, and init can simply run
 * again. */
IntakeStore *
intake_store_create (const char *data_dir,
                     const char *admin_name,
                     const IntakeSecret *admin_secret,
                     const IntakeKdfParams *kdf,
                     GError **error)
{
  g_autoptr (IntakeStore) self = g_object_new (INTAKE_TYPE_STORE, NULL);
  g_autoptr (IntakeSecret) group_sk = intake_secret_new (INTAKE_BOX_SECRET_BYTES);
  g_autoptr (IntakeSecret) trust_key = intake_secret_new_random (INTAKE_TRUST_KEY_BYTES);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *admin_id = NULL;
  g_autofree char *tmp_path = NULL;
  int fd;

  self->data_dir = g_strdup (data_dir);
  self->db_path = g_build_filename (data_dir, INTAKE_DB_FILE_NAME, NULL);
  tmp_path = g_strconcat (self->db_path, ".init", NULL);
  if (intake_store_exists (data_dir))
    {
      if (!is_leftover_of_init (self->db_path))
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_EXISTS,
                       "%s already holds Field Intake data; refusing to overwrite it", data_dir);
          return NULL;
        }
      add_notice (self, g_strdup_printf ("Replaced %s, left empty by an interrupted set-up",
                                         self->db_path));
      remove_db_files (self->db_path);
    }
  if (!prepare_data_dir (self, TRUE, error))
    return NULL;

  if (kdf != NULL)
    {
      if (!intake_kdf_params_check (kdf, error))
        return NULL;
      self->kdf = *kdf;
    }
  else if (!intake_kdf_calibrate (0.7, 64 * 1024 * 1024, &self->kdf, NULL, error))
    return NULL;

  /* Create the file ourselves so that it is private from its first byte. */
  remove_db_files (tmp_path);
  fd = g_open (tmp_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS,
                   "Could not create %s: %s", tmp_path, g_strerror (errno));
      return NULL;
    }
  close (fd);

  self->db = intake_db_open (tmp_path, TRUE, error);
  if (self->db == NULL)
    goto fail;

  self->device_id = intake_uuid_new ();
  self->sign_sk = intake_secret_new (INTAKE_SIGN_SECRET_BYTES);
  crypto_sign_keypair (self->sign_pk, self->sign_sk->data);
  crypto_box_keypair (self->group_pk, group_sk->data);

  if (!intake_db_begin (self->db, error))
    goto fail;
  stmt = intake_db_prepare (self->db,
                            "INSERT INTO device (id, device_id, sign_pk, sign_sk, group_pk, "
                            "kdf_ops, kdf_mem, kdf_alg, created) "
                            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto fail_tx;
  sqlite3_bind_text (stmt, 1, self->device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, self->sign_pk, sizeof self->sign_pk, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, self->sign_sk->data, self->sign_sk->len, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, self->group_pk, sizeof self->group_pk, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, self->kdf.opslimit);
  sqlite3_bind_int64 (stmt, 6, self->kdf.memlimit);
  sqlite3_bind_int (stmt, 7, self->kdf.alg);
  sqlite3_bind_int64 (stmt, 8, _intake_now_coarse ());
  if (!intake_db_step_done (self->db, stmt, error))
    goto fail_tx;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = intake_db_prepare (self->db, "INSERT INTO policies (key, value) VALUES (?, ?)", error);
  if (stmt == NULL)
    goto fail_tx;
  for (guint i = 0; i < G_N_ELEMENTS (policy_defaults); i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, policy_defaults[i].key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, policy_defaults[i].value, -1, SQLITE_STATIC);
      if (!intake_db_step_done (self->db, stmt, error))
        goto fail_tx;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!_intake_store_audit_in_tx (self, "", "init", self->device_id, error)
      || !_intake_trust_bind_device (self, trust_key, error)
      || !_intake_store_insert_user (self, trust_key, group_sk, admin_name, INTAKE_ROLE_ADMIN,
                                     admin_secret, &admin_id, error)
      || !_intake_store_audit_in_tx (self, admin_id, "user-add", admin_id, error)
      || !intake_db_commit (self->db, error))
    goto fail_tx;

  /* Fold the WAL into the file and close it, so that the one file renamed holds everything. */
  if (!intake_db_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", error))
    goto fail;
  g_clear_pointer (&self->db, intake_db_close);
  if (g_rename (tmp_path, self->db_path) != 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS,
                   "Could not move %s into place: %s", tmp_path, g_strerror (errno));
      goto fail;
    }
  {
    g_autofree char *wal = g_strconcat (tmp_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (tmp_path, "-shm", NULL);
    int dir_fd = g_open (data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    g_unlink (wal);
    g_unlink (shm);
    if (dir_fd >= 0)
      {
        fsync (dir_fd);
        close (dir_fd);
      }
  }
  self->db = intake_db_open (self->db_path, FALSE, error);
  if (self->db == NULL)
    return NULL;
  return g_steal_pointer (&self);

fail_tx:
  intake_db_rollback (self->db);
fail:
  g_clear_pointer (&self->db, intake_db_close);
  remove_db_files (tmp_path);
  return NULL;
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

gboolean
intake_session_set_policy (IntakeSession *session,
                           const char *key,
                           const char *value,
                           GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *normalised = NULL;
  g_autofree char *subject = NULL;
  gint64 v;
  char *end = NULL;
  int idx = -1;

  if (!_intake_session_require_role (session, FALSE, FALSE, TRUE, "change policies", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (policy_defaults); i++)
    if (g_str_equal (policy_defaults[i].key, key))
      idx = i;
  if (idx < 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "Unknown policy '%s'; known policies: review_required, min_secret_length, "
                   "max_failed_unlocks, auto_lock_minutes, keep_sent_days",
                   key);
      return FALSE;
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
          return FALSE;
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
          return FALSE;
        }
    }
  normalised = g_strdup_printf ("%" G_GINT64_FORMAT, v);
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
      || !_intake_store_audit_in_tx (store, session->user_id, "policy-set", subject, error)
      || !intake_db_commit (store->db, error))
    goto fail;
  return TRUE;
fail:
  intake_db_rollback (store->db);
  return FALSE;
}

/* ---- Users (listing; changes are in intake-session.c) ---- */

void
intake_user_info_free (IntakeUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->name);
  g_free (info);
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

#define USER_INFO_COLUMNS "id, name, role, failed_unlocks, wrapped, created"

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
_intake_user_name_for_id (IntakeStore *store, const char *user_id)
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

/* ---- Forms ---- */

/* Store a form version; the same document again is a no-op, a different one under an existing
 * id and version is refused. actor is the importing user's id, or "" for the server. */
static gboolean
import_form (IntakeStore *store,
             const char *actor,
             const char *document,
             char **form_id_out,
             int *version_out,
             GError **error)
{
  g_autoptr (IntakeForm) form = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *subject = NULL;
  const char *form_id;
  gint64 version;
  int rc;

  /* The form engine validates the whole document: types, names, references, expressions,
   * cycles, choices and every translation. A bad form never reaches the store. */
  form = intake_form_new_from_data (document, -1, INTAKE_FORM_LOAD_DEFAULT, &local_error);
  if (form == NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "The form was refused: %s", local_error->message);
      return FALSE;
    }
  form_id = intake_form_get_id (form);
  version = intake_form_get_version (form);
  if (strlen (form_id) > 128 || version > G_MAXINT)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "Form %s: the id or the version is too long", form_id);
      return FALSE;
    }

  if (!intake_db_begin (store->db, error))
    return FALSE;
  stmt = intake_db_prepare (store->db, "SELECT document FROM forms WHERE id = ? AND version = ?",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, version);
  rc = intake_db_step (store->db, stmt, error);
  if (rc < 0)
    goto fail;
  if (rc == SQLITE_ROW)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), document) != 0)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CONFLICT,
                       "Form %s version %d is already installed with different content; give "
                       "the changed form a new version",
                       form_id, (int) version);
          goto fail;
        }
    }
  else
    {
      g_clear_pointer (&stmt, sqlite3_finalize);
      stmt = intake_db_prepare (store->db,
                                "INSERT INTO forms (id, version, document, imported) "
                                "VALUES (?, ?, ?, ?)",
                                error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, form_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, version);
      sqlite3_bind_text (stmt, 3, document, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, _intake_now_coarse ());
      subject = g_strdup_printf ("%s@%d", form_id, (int) version);
      if (!intake_db_step_done (store->db, stmt, error)
          || !_intake_store_audit_in_tx (store, actor, "form-import", subject, error))
        goto fail;
    }
  if (!intake_db_commit (store->db, error))
    goto fail;
  if (form_id_out)
    *form_id_out = g_strdup (form_id);
  if (version_out)
    *version_out = (int) version;
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
  if (!_intake_session_require_role (session, FALSE, FALSE, TRUE, "import forms", error))
    return FALSE;
  return import_form (session->store, session->user_id, document, form_id_out, version_out,
                      error);
}

gboolean
intake_store_import_verified_form (IntakeStore *store, const char *document, GError **error)
{
  return import_form (store, "", document, NULL, NULL, error);
}

JsonNode *
intake_store_list_forms_json (IntakeStore *store, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

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

JsonNode *
intake_session_list_audit_json (IntakeSession *session, GError **error)
{
  IntakeStore *store = session->store;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (!_intake_session_require_role (session, FALSE, TRUE, TRUE, "read the audit log", error))
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

static void
add_problem (GPtrArray *problems, char *problem)
{
  if (problems)
    g_ptr_array_add (problems, problem);
  else
    g_free (problem);
}

static gboolean
verify_audit (IntakeStore *store, GPtrArray *problems, GError **error)
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
          add_problem (problems, g_strdup_printf ("audit log: entries %" G_GINT64_FORMAT
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
          add_problem (problems, g_strdup_printf ("audit log: entry %" G_GINT64_FORMAT
                                                  " was altered or does not follow the entry "
                                                  "before it",
                                                  seq));
        }
      else if (sqlite3_column_bytes (stmt, 7) != INTAKE_SIGNATURE_BYTES
               || crypto_sign_verify_detached (sqlite3_column_blob (stmt, 7), hash, sizeof hash,
                                               store->sign_pk)
                      != 0)
        {
          add_problem (problems, g_strdup_printf ("audit log: entry %" G_GINT64_FORMAT
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
      add_problem (problems, g_strdup ("audit log: it is empty"));
    }
  /* Problems go to the list; FALSE is only for a failure to read the log at all. */
  return TRUE;
}

/* Every authenticated value the session's trust key can check, and every PIN wrap made below the
 * tablet's (authenticated) unlock cost. */
static gboolean
verify_trust (IntakeStore *store, IntakeSession *session, GPtrArray *problems, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (IntakeEnrollment) enrollment = NULL;
  gboolean device_ok;
  int rc;

  if (session->trust_key == NULL)
    return TRUE;
  {
    g_autoptr (GError) local_error = NULL;
    device_ok = _intake_trust_check_device (store, session->trust_key, &local_error);
    if (!device_ok)
      add_problem (problems, g_strdup_printf ("device: %s", local_error->message));
  }
  enrollment = intake_store_dup_enrollment (store, NULL);
  if (enrollment != NULL)
    {
      g_autoptr (GError) local_error = NULL;
      if (!_intake_trust_check_enrollment (store, session->trust_key, enrollment, &local_error))
        add_problem (problems, g_strdup_printf ("enrollment: %s", local_error->message));
    }
  stmt = intake_db_prepare (store->db,
                            "SELECT id, name, kdf_ops, kdf_mem, wrapped IS NOT NULL FROM users "
                            "ORDER BY name",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      g_autoptr (GError) local_error = NULL;

      if (!_intake_trust_check_user (store, session->trust_key, id, &local_error))
        add_problem (problems, g_strdup_printf ("user %s: %s", name, local_error->message));
      /* A wrap below the calibrated cost can only have been made while that cost was lowered;
       * the cost itself is trusted only when the device's values verified. */
      if (device_ok && sqlite3_column_int (stmt, 4)
          && ((guint64) sqlite3_column_int64 (stmt, 2) < store->kdf.opslimit
              || (guint64) sqlite3_column_int64 (stmt, 3) < store->kdf.memlimit))
        add_problem (problems,
                     /* Plain %u (passes and KiB fit in 32 bits): gettext's tools cannot read
                      * a message built with G_GINT64_FORMAT, so it would never be translated. */
                     g_strdup_printf (_("user %s: their PIN wrap uses a lower unlock cost "
                                        "(%u passes, %u KiB) than this tablet's (%u passes, "
                                        "%u KiB): set a new PIN"),
                                      name, (guint) MIN (sqlite3_column_int64 (stmt, 2), G_MAXUINT),
                                      (guint) MIN (sqlite3_column_int64 (stmt, 3) / 1024,
                                                   G_MAXUINT),
                                      (guint) MIN (store->kdf.opslimit, G_MAXUINT),
                                      (guint) MIN (store->kdf.memlimit / 1024, G_MAXUINT)));
    }
  return rc >= 0;
}

gboolean
intake_store_verify (IntakeStore *store,
                     IntakeSession *session,
                     GPtrArray *problems_out,
                     guint *records_checked_out,
                     GError **error)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint checked = 0;
  int rc;

  stmt = intake_db_prepare (store->db, "PRAGMA integrity_check", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);
      if (g_strcmp0 (line, "ok") != 0)
        g_ptr_array_add (problems, g_strdup_printf ("data file: %s", line));
    }
  if (rc < 0)
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = intake_db_prepare (store->db, "PRAGMA foreign_key_check", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (problems, g_strdup_printf ("data file: a row of %s refers to a missing %s",
                                                sqlite3_column_text (stmt, 0),
                                                sqlite3_column_text (stmt, 2)));
  if (rc < 0)
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!verify_audit (store, problems, error))
    return FALSE;

  if (session != NULL)
    {
      if (!verify_trust (store, session, problems, error))
        return FALSE;
      stmt = intake_db_prepare (store->db,
                                "SELECT id, revision, nonce, content, form_id, form_version, "
                                "state, is_void FROM interviews "
                                "WHERE content IS NOT NULL ORDER BY rowid",
                                error);
      if (stmt == NULL)
        return FALSE;
      while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          g_autoptr (GError) local_error = NULL;
          const IntakeSecret *key = NULL;
          g_autoptr (JsonObject) content = NULL;
          IntakeInterview bound = {
            .id = (char *) id,
            .revision = sqlite3_column_int64 (stmt, 1),
            .form_id = (char *) sqlite3_column_text (stmt, 4),
            .form_version = sqlite3_column_int (stmt, 5),
            .is_void = sqlite3_column_int (stmt, 7),
          };

          if (!intake_state_from_string ((const char *) sqlite3_column_text (stmt, 6),
                                         &bound.state))
            {
              g_ptr_array_add (problems, g_strdup_printf ("interview %s: its state is not one "
                                                          "this version knows", id));
              continue;
            }
          key = _intake_session_open_record_key (session, id, &local_error);
          if (key == NULL)
            {
              if (g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED))
                continue;
              g_ptr_array_add (problems, g_strdup_printf ("interview %s: %s", id,
                                                          local_error->message));
              continue;
            }
          if (!_intake_record_decrypt (key, &bound, sqlite3_column_blob (stmt, 2),
                                       sqlite3_column_bytes (stmt, 2),
                                       sqlite3_column_blob (stmt, 3),
                                       sqlite3_column_bytes (stmt, 3), &content, NULL,
                                       &local_error))
            {
              g_ptr_array_add (problems, g_strdup_printf ("interview %s: %s", id,
                                                          local_error->message));
              continue;
            }
          checked++;
        }
      if (rc < 0)
        return FALSE;
    }

  if (records_checked_out)
    *records_checked_out = checked;
  if (problems_out)
    for (guint i = 0; i < problems->len; i++)
      g_ptr_array_add (problems_out, g_strdup (problems->pdata[i]));
  return problems->len == 0;
}

/* ---- Wipe ---- */

static void
shred_file (const char *path)
{
  int fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  struct stat st;

  if (fd < 0)
    return;
  /* Overwrite in place before unlinking: on flash this is best effort (the README says so), but
   * it leaves nothing for a casual look at the free blocks. The keys were already destroyed
   * inside the database, which is what makes the data unreadable. */
  if (fstat (fd, &st) == 0)
    {
      static const guint8 zeros[65536];
      off_t left = st.st_size;
      while (left > 0)
        {
          ssize_t n = write (fd, zeros, MIN ((off_t) sizeof zeros, left));
          if (n <= 0)
            break;
          left -= n;
        }
      fsync (fd);
    }
  close (fd);
  g_unlink (path);
}

gboolean
intake_store_wipe (IntakeStore *store, const char *actor, GError **error)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };
  g_autoptr (IntakeEnrollment) enrollment = intake_store_dup_enrollment (store, NULL);
  g_autofree char *ca_file = NULL;

  /* A CA certificate that enrollment saved in the data folder (from a provisioning file) names
   * the organisation's server: it goes with the rest. One kept elsewhere is not ours to delete. */
  if (enrollment != NULL && enrollment->ca_file != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (enrollment->ca_file);
      g_autofree char *canonical_dir = g_canonicalize_filename (dir, NULL);
      g_autofree char *data_dir = g_canonicalize_filename (store->data_dir, NULL);
      if (g_strcmp0 (canonical_dir, data_dir) == 0)
        ca_file = g_strdup (enrollment->ca_file);
    }

  /* First destroy every key in one durable transaction: from its commit on, no record can be
   * opened, whatever happens to the rest of the wipe. */
  if (!intake_db_begin (store->db, error))
    return FALSE;
  if (!_intake_store_audit_in_tx (store, actor ? actor : "", "wipe", store->device_id, error)
      || !intake_db_exec (store->db,
                          "UPDATE users SET wrapped = NULL, wrap_nonce = NULL, salt = NULL;"
                          "DELETE FROM group_keys;"
                          "DELETE FROM record_keys;"
                          "DELETE FROM device;"
                          "UPDATE interviews SET content = NULL, nonce = NULL;",
                          error)
      || !intake_db_commit (store->db, error))
    {
      intake_db_rollback (store->db);
      return FALSE;
    }
  intake_db_exec (store->db, "DELETE FROM interviews; DELETE FROM audit; DELETE FROM users;",
                  NULL);
  /* The WAL is overwritten where it lies before SQLite may truncate or delete it (a truncated
   * file's old blocks keep the keys). A failure here is not the wipe's: the data file is
   * overwritten below whatever happened, and the keys are already destroyed inside it. */
  intake_db_scrub_wal (store->db, NULL);
  g_clear_pointer (&store->db, intake_db_close);
  g_clear_pointer (&store->sign_sk, intake_secret_free);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (store->db_path, suffixes[i], NULL);
      shred_file (path);
    }
  if (ca_file != NULL)
    shred_file (ca_file);
  return TRUE;
}

JsonNode *
intake_store_dup_status_json (IntakeStore *store, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, store->device_id);
  json_builder_set_member_name (b, "data_dir");
  json_builder_add_string_value (b, store->data_dir);
  json_builder_set_member_name (b, "schema_version");
  json_builder_add_int_value (b, intake_db_get_schema_version (store->db));
  json_builder_set_member_name (b, "unlock_cost");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "argon2id_passes");
  json_builder_add_int_value (b, (gint64) store->kdf.opslimit);
  json_builder_set_member_name (b, "argon2id_mib");
  json_builder_add_double_value (b, store->kdf.memlimit / (1024.0 * 1024.0));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "interviews");
  json_builder_begin_object (b);
  for (int s = INTAKE_STATE_DRAFT; s <= INTAKE_STATE_PURGED; s++)
    {
      json_builder_set_member_name (b, intake_state_to_string (s));
      json_builder_add_int_value (b, 0);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "users");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "policies");
  json_builder_add_value (b, intake_store_dup_policies_json (store));
  json_builder_end_object (b);

  {
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    JsonObject *obj = json_node_get_object (root);
    JsonObject *counts = json_object_get_object_member (obj, "interviews");

    stmt = intake_db_prepare (store->db,
                              "SELECT state, count(*) FROM interviews GROUP BY state", error);
    if (stmt == NULL)
      return NULL;
    while ((rc = intake_db_step (store->db, stmt, error)) == SQLITE_ROW)
      json_object_set_int_member (counts, (const char *) sqlite3_column_text (stmt, 0),
                                  sqlite3_column_int64 (stmt, 1));
    if (rc < 0)
      return NULL;
    g_clear_pointer (&stmt, sqlite3_finalize);
    stmt = intake_db_prepare (store->db, "SELECT count(*) FROM users", error);
    if (stmt == NULL || intake_db_step (store->db, stmt, error) != SQLITE_ROW)
      return NULL;
    json_object_set_int_member (obj, "users", sqlite3_column_int64 (stmt, 0));
    return g_steal_pointer (&root);
  }
}
