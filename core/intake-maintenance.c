/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store as a whole: creating it, verifying it (the file, the audit chain, the trust MACs and
 * every record the caller can open), its status, and the wipe. The top of the store's layers:
 * it may call every one of them, and none of them calls it.
 */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-audit-private.h"
#include "intake-outbox.h"
#include "intake-records-private.h"
#include "intake-session-private.h"
#include "intake-store-private.h"
#include "intake-trust-private.h"
#include "intake-users-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
      _intake_store_add_notice (self, g_strdup_printf ("Replaced %s, left empty by an interrupted set-up",
                                         self->db_path));
      remove_db_files (self->db_path);
    }
  if (!_intake_store_prepare_data_dir (self, TRUE, error))
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

  if (!_intake_store_insert_default_policies (self, error))
    goto fail_tx;
  if (!_intake_store_audit_in_tx (self, "", "init", self->device_id, error)
      || !_intake_trust_bind_device (self, trust_key, error)
      || !_intake_users_insert (self, trust_key, group_sk, admin_name, INTAKE_ROLE_ADMIN,
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

/* Every authenticated value the session's trust key can check, and every PIN wrap made below the
 * tablet's (authenticated) unlock cost. */
static gboolean
verify_trust (IntakeStore *store, IntakeSession *session, GPtrArray *problems, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (IntakeEnrollment) enrollment = NULL;
  gboolean device_ok;
  int rc;

  if (_intake_session_get_trust_key (session) == NULL)
    return TRUE;
  {
    g_autoptr (GError) local_error = NULL;
    device_ok = _intake_trust_check_device (store, _intake_session_get_trust_key (session), &local_error);
    if (!device_ok)
      _intake_audit_add_problem (problems, g_strdup_printf ("device: %s", local_error->message));
  }
  enrollment = intake_store_dup_enrollment (store, NULL);
  if (enrollment != NULL)
    {
      g_autoptr (GError) local_error = NULL;
      if (!_intake_trust_check_enrollment (store, _intake_session_get_trust_key (session), enrollment, &local_error))
        _intake_audit_add_problem (problems, g_strdup_printf ("enrollment: %s", local_error->message));
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

      if (!_intake_trust_check_user (store, _intake_session_get_trust_key (session), id, &local_error))
        _intake_audit_add_problem (problems, g_strdup_printf ("user %s: %s", name, local_error->message));
      /* A wrap below the calibrated cost can only have been made while that cost was lowered;
       * the cost itself is trusted only when the device's values verified. */
      if (device_ok && sqlite3_column_int (stmt, 4)
          && ((guint64) sqlite3_column_int64 (stmt, 2) < store->kdf.opslimit
              || (guint64) sqlite3_column_int64 (stmt, 3) < store->kdf.memlimit))
        _intake_audit_add_problem (problems,
                     g_strdup_printf (_("user %s: their PIN wrap uses a lower unlock cost "
                                        "(%" G_GINT64_FORMAT " passes, %" G_GINT64_FORMAT
                                        " KiB) than this tablet's (%" G_GUINT64_FORMAT
                                        " passes, %" G_GUINT64_FORMAT " KiB): set a new PIN"),
                                      name, (gint64) sqlite3_column_int64 (stmt, 2),
                                      (gint64) sqlite3_column_int64 (stmt, 3) / 1024,
                                      store->kdf.opslimit,
                                      store->kdf.memlimit / 1024));
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

  if (!_intake_audit_verify (store, problems, error))
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
          if (!_intake_records_decrypt (key, &bound, sqlite3_column_blob (stmt, 2),
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
