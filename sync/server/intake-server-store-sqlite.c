/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-store.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* The embedded backend: one SQLite file. Several processes may open it (the tests do), so every
 * write transaction is BEGIN IMMEDIATE, which takes the write lock up front instead of
 * upgrading a read lock and deadlocking with another writer; the busy timeout makes the second
 * writer wait instead of failing. */

typedef struct
{
  IntakeServerStore parent;
  sqlite3 *db;
} IntakeServerStoreSqlite;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define SQLITE_BUSY_TIMEOUT_MS 30000

/* Migrations, applied in order; schema_version holds how many have run. Never edit one that has
 * shipped: add another. */
static const char *const migrations[] = {
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
  "CREATE TABLE devices ("
  "  name TEXT PRIMARY KEY,"
  "  device_id TEXT UNIQUE,"
  "  sign_pk BLOB,"
  "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked', 'wipe')),"
  "  token_hash BLOB NOT NULL UNIQUE,"
  "  token_expires INTEGER NOT NULL,"
  "  token_used INTEGER NOT NULL DEFAULT 0,"
  "  created INTEGER NOT NULL,"
  "  enrolled INTEGER,"
  "  last_seen INTEGER);"
  "CREATE TABLE submissions ("
  "  submission_id TEXT PRIMARY KEY,"
  "  device_id TEXT NOT NULL,"
  "  content_hash BLOB NOT NULL,"
  "  sealed BLOB NOT NULL,"
  "  signature BLOB NOT NULL,"
  "  server_time TEXT NOT NULL,"
  "  receipt_signature BLOB NOT NULL,"
  "  received INTEGER NOT NULL);"
  "CREATE TABLE forms ("
  "  form_id TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  document TEXT NOT NULL,"
  "  signature BLOB NOT NULL,"
  "  published INTEGER NOT NULL,"
  "  PRIMARY KEY (form_id, version));",
  /* 2: batch receipts (sync/PROTOCOL.md): the leaf's index and count and its audit path, with
   * the root's signature in receipt_signature. Older rows keep count 0: a single signature. */
  "ALTER TABLE submissions ADD COLUMN receipt_index INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE submissions ADD COLUMN receipt_count INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE submissions ADD COLUMN receipt_path BLOB;",
  /* 3: submissions keyed on their device and id (sync/PROTOCOL.md). Keyed on the id alone, one
   * device could store anything under another's pending id and park that envelope for good
   * (409). SQLite cannot change a primary key in place: the table is made again, rows kept. */
  "CREATE TABLE submissions_by_device ("
  "  submission_id TEXT NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  content_hash BLOB NOT NULL,"
  "  sealed BLOB NOT NULL,"
  "  signature BLOB NOT NULL,"
  "  server_time TEXT NOT NULL,"
  "  receipt_signature BLOB NOT NULL,"
  "  received INTEGER NOT NULL,"
  "  receipt_index INTEGER NOT NULL DEFAULT 0,"
  "  receipt_count INTEGER NOT NULL DEFAULT 0,"
  "  receipt_path BLOB,"
  "  PRIMARY KEY (device_id, submission_id));"
  "INSERT INTO submissions_by_device (submission_id, device_id, content_hash, sealed, signature,"
  "  server_time, receipt_signature, received, receipt_index, receipt_count, receipt_path)"
  "  SELECT submission_id, device_id, content_hash, sealed, signature, server_time,"
  "  receipt_signature, received, receipt_index, receipt_count, receipt_path FROM submissions;"
  "DROP TABLE submissions;"
  "ALTER TABLE submissions_by_device RENAME TO submissions;",
  /* 4: a wipe order's deadline and the device's confirmation of the wipe, after either of
   * which the device's key is refused. */
  ("ALTER TABLE devices ADD COLUMN wipe_deadline INTEGER;"
   "ALTER TABLE devices ADD COLUMN wipe_confirmed INTEGER;"),
};

static gboolean
set_error (IntakeServerStoreSqlite *self, int rc, GError **error, const char *doing)
{
  int code = INTAKE_SERVER_STORE_ERROR_FAILED;

  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    code = INTAKE_SERVER_STORE_ERROR_EXISTS;
  g_set_error (error, INTAKE_SERVER_STORE_ERROR, code, "SQLite: %s: %s", doing,
               self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec (IntakeServerStoreSqlite *self, const char *sql, GError **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_error (self, rc, error, sql);
  return TRUE;
}

static sqlite3_stmt *
prepare (IntakeServerStoreSqlite *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_error (self, rc, error, "preparing a statement");
      return NULL;
    }
  return stmt;
}

static gboolean
begin (IntakeServerStoreSqlite *self, GError **error)
{
  return exec (self, "BEGIN IMMEDIATE", error);
}

static gboolean
commit (IntakeServerStoreSqlite *self, GError **error)
{
  if (!exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (IntakeServerStoreSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
step_done (IntakeServerStoreSqlite *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return set_error (self, rc, error, "writing");
  return TRUE;
}

static void
copy_blob (guint8 *out, size_t len, sqlite3_stmt *stmt, int col)
{
  const void *blob = sqlite3_column_blob (stmt, col);

  memset (out, 0, len);
  if (blob != NULL && (size_t) sqlite3_column_bytes (stmt, col) == len)
    memcpy (out, blob, len);
}

static gboolean
migrate (IntakeServerStoreSqlite *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int version = 0;

  if (!begin (self, error))
    return FALSE;
  if (!exec (self, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", error))
    goto fail;
  stmt = prepare (self, "SELECT max(version) FROM schema_version", error);
  if (stmt == NULL)
    goto fail;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_TOO_NEW,
                   "the database has schema version %d; this intake-server knows up to %d",
                   version, (int) G_N_ELEMENTS (migrations));
      goto fail;
    }
  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    if (!exec (self, migrations[version], error))
      goto fail;
  if (!exec (self, "DELETE FROM schema_version", error))
    goto fail;
  stmt = prepare (self, "INSERT INTO schema_version (version) VALUES (?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int (stmt, 1, version);
  if (!step_done (self, stmt, error))
    goto fail;
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

static void
sqlite_close (IntakeServerStore *store)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;

  sqlite3_close_v2 (self->db);
  g_free (self);
}

static GBytes *
sqlite_meta_get (IntakeServerStore *store, const char *key, GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = prepare (self, "SELECT value FROM meta WHERE key = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  if (rc == SQLITE_DONE)
    g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                 "the database has no %s (run intake-server init first)", key);
  else
    set_error (self, rc, error, "reading server settings");
  return NULL;
}

static gboolean
sqlite_meta_insert (IntakeServerStore *store,
                    const char *const *keys,
                    GBytes *const *values,
                    size_t n,
                    GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!begin (self, error))
    return FALSE;
  stmt = prepare (self, "INSERT INTO meta (key, value) VALUES (?, ?)", error);
  if (stmt == NULL)
    goto fail;
  for (size_t i = 0; i < n; i++)
    {
      size_t len;
      const void *data = g_bytes_get_data (values[i], &len);
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, keys[i], -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 2, data, (int) len, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        {
          g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_EXISTS,
                       "the server is already initialised (%s exists)", keys[i]);
          goto fail;
        }
      if (rc != SQLITE_DONE)
        {
          set_error (self, rc, error, "saving server settings");
          goto fail;
        }
    }
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

static gboolean
sqlite_device_add (IntakeServerStore *store,
                   const char *name,
                   const guint8 token_hash[INTAKE_HASH_BYTES],
                   gint64 token_expires,
                   gint64 now,
                   GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self,
                  "INSERT INTO devices (name, token_hash, token_expires, created) "
                  "VALUES (?, ?, ?, ?)",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, token_hash, INTAKE_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, token_expires);
  sqlite3_bind_int64 (stmt, 4, now);
  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_EXISTS,
                   "a device named \"%s\" already exists", name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_error (self, rc, error, "adding a device");
  return TRUE;
}

#define DEVICE_COLUMNS                                                                            \
  "name, device_id, sign_pk, status, token_expires, token_used, created, enrolled, last_seen, "    \
  "wipe_deadline, wipe_confirmed"

static IntakeServerDevice *
device_from_row (sqlite3_stmt *stmt)
{
  IntakeServerDevice *device = g_new0 (IntakeServerDevice, 1);

  device->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  device->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  device->has_sign_pk = sqlite3_column_bytes (stmt, 2) == INTAKE_SIGN_PUBLIC_BYTES;
  copy_blob (device->sign_pk, INTAKE_SIGN_PUBLIC_BYTES, stmt, 2);
  if (!intake_server_device_status_from_string ((const char *) sqlite3_column_text (stmt, 3),
                                                &device->status))
    device->status = INTAKE_SERVER_DEVICE_REVOKED;
  device->token_expires = sqlite3_column_int64 (stmt, 4);
  device->token_used = sqlite3_column_int (stmt, 5) != 0;
  device->created = sqlite3_column_int64 (stmt, 6);
  device->enrolled = sqlite3_column_int64 (stmt, 7);
  device->last_seen = sqlite3_column_int64 (stmt, 8);
  device->wipe_deadline = sqlite3_column_int64 (stmt, 9);
  device->wipe_confirmed = sqlite3_column_int64 (stmt, 10);
  return device;
}

static IntakeServerDevice *
sqlite_device_enroll (IntakeServerStore *store,
                      const guint8 token_hash[INTAKE_HASH_BYTES],
                      const char *device_id,
                      const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
                      gint64 now,
                      GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (IntakeServerDevice) device = NULL;
  int rc;

  if (!begin (self, error))
    return NULL;
  stmt = prepare (self, "SELECT " DEVICE_COLUMNS " FROM devices WHERE token_hash = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_blob (stmt, 1, token_hash, INTAKE_HASH_BYTES, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    device = device_from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      set_error (self, rc, error, "looking up a token");
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (device != NULL && device->token_used)
    {
      /* A tablet that lost the answer to its enrollment may ask again with the same id and key:
       * that is the same enrollment, not a second use of the token. */
      if (g_strcmp0 (device->device_id, device_id) == 0 && device->has_sign_pk &&
          memcmp (device->sign_pk, sign_pk, INTAKE_SIGN_PUBLIC_BYTES) == 0)
        {
          rollback (self);
          return g_steal_pointer (&device);
        }
      g_clear_pointer (&device, intake_server_device_free);
    }
  if (device == NULL || device->token_expires <= now)
    {
      g_set_error_literal (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_TOKEN,
                           "the enrollment token is unknown, used or expired");
      goto fail;
    }

  stmt = prepare (self,
                  "UPDATE devices SET device_id = ?, sign_pk = ?, token_used = 1, enrolled = ?, "
                  "last_seen = ? WHERE name = ? AND token_used = 0",
                  error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, sign_pk, INTAKE_SIGN_PUBLIC_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_text (stmt, 5, device->name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_DEVICE_EXISTS,
                   "a device with id %s is already enrolled", device_id);
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      set_error (self, rc, error, "enrolling a device");
      goto fail;
    }
  if (!commit (self, error))
    return NULL;
  g_free (device->device_id);
  device->device_id = g_strdup (device_id);
  memcpy (device->sign_pk, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  device->has_sign_pk = TRUE;
  device->token_used = TRUE;
  device->enrolled = device->last_seen = now;
  return g_steal_pointer (&device);

fail:
  rollback (self);
  return NULL;
}

static IntakeServerDevice *
sqlite_device_lookup (IntakeServerStore *store, const char *device_id, GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "SELECT " DEVICE_COLUMNS " FROM devices WHERE device_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return device_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                 "no device has id %s", device_id);
  else
    set_error (self, rc, error, "looking up a device");
  return NULL;
}

static gboolean
sqlite_device_touch (IntakeServerStore *store, const char *device_id, gint64 now, GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* Only a change of more than a minute is written, so that a busy device does not turn every
   * read into a durable write. */
  stmt = prepare (self,
                  "UPDATE devices SET last_seen = ?1 WHERE device_id = ?2 "
                  "AND (last_seen IS NULL OR last_seen < ?1 - 60)",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

static GPtrArray *
sqlite_device_list (IntakeServerStore *store, GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_device_free);
  int rc;

  stmt = prepare (self, "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, device_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_error (self, rc, error, "listing devices");
      return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
sqlite_device_set_status (IntakeServerStore *store,
                          const char *name,
                          IntakeServerDeviceStatus status,
                          GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "UPDATE devices SET status = ? WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, intake_server_device_status_to_string (status), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                   "no device is named \"%s\"", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_device_order_wipe (IntakeServerStore *store,
                          const char *name,
                          gint64 deadline,
                          GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "UPDATE devices SET status = 'wipe', wipe_deadline = ? WHERE name = ?",
                  error);
  if (stmt == NULL)
    return FALSE;
  if (deadline > 0)
    sqlite3_bind_int64 (stmt, 1, deadline);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                   "no device is named \"%s\"", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_device_confirm_wipe (IntakeServerStore *store,
                            const char *device_id,
                            gint64 now,
                            GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* One statement, conditional on the order: a device whose order was withdrawn meanwhile
   * (revoked) is not marked. */
  stmt = prepare (self,
                  "UPDATE devices SET wipe_confirmed = coalesce (wipe_confirmed, ?) "
                  "WHERE device_id = ? AND status = 'wipe'",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT,
                   "device %s was not ordered to wipe", device_id);
      return FALSE;
    }
  return TRUE;
}

/* The stored receipt of a row read by SELECT content_hash, server_time, receipt_signature,
 * receipt_index, receipt_count, receipt_path (from column col on). */
static void
read_receipt (IntakeServerSubmission *sub, sqlite3_stmt *stmt, int col)
{
  g_free (sub->server_time);
  sub->server_time = g_strdup ((const char *) sqlite3_column_text (stmt, col));
  copy_blob (sub->receipt_signature, INTAKE_SIGNATURE_BYTES, stmt, col + 1);
  sub->receipt_index = sqlite3_column_int64 (stmt, col + 2);
  sub->receipt_count = sqlite3_column_int64 (stmt, col + 3);
  g_clear_pointer (&sub->receipt_path, g_bytes_unref);
  if (sqlite3_column_type (stmt, col + 4) != SQLITE_NULL)
    sub->receipt_path = g_bytes_new (sqlite3_column_blob (stmt, col + 4),
                                     sqlite3_column_bytes (stmt, col + 4));
}

/* A submission whose device and id are stored already: the same content gets the stored receipt
 * back. */
static void
compare_stored (IntakeServerSubmission *sub, sqlite3_stmt *select)
{
  if (sqlite3_column_bytes (select, 0) == INTAKE_HASH_BYTES &&
      memcmp (sqlite3_column_blob (select, 0), sub->content_hash, INTAKE_HASH_BYTES) == 0)
    {
      sub->result = INTAKE_SERVER_PUT_SAME;
      read_receipt (sub, select, 1);
    }
  else
    sub->result = INTAKE_SERVER_PUT_CONFLICT;
}

/* What is stored already is read first (the write lock is held from BEGIN IMMEDIATE, so nobody
 * stores anything meanwhile); the receipts are then made for exactly the new rows, and the new
 * rows inserted with them. */
static gboolean
sqlite_submissions_put (IntakeServerStore *store,
                        GPtrArray *submissions,
                        IntakeServerSealFunc seal,
                        gpointer seal_data,
                        GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autoptr (sqlite3_stmt) select = NULL;
  g_autoptr (GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr (GPtrArray) repeats = g_ptr_array_new ();
  g_autoptr (GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!begin (self, error))
    return FALSE;
  insert = prepare (self,
                    "INSERT INTO submissions (submission_id, device_id, content_hash, sealed, "
                    "signature, server_time, receipt_signature, receipt_index, receipt_count, "
                    "receipt_path, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    error);
  select = prepare (self,
                    "SELECT content_hash, server_time, receipt_signature, receipt_index, "
                    "receipt_count, receipt_path FROM submissions "
                    "WHERE device_id = ? AND submission_id = ?",
                    error);
  if (insert == NULL || select == NULL)
    goto fail;

  for (guint i = 0; i < submissions->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (submissions, i);
      int rc;

      if (!g_hash_table_add (by_id, g_strconcat (sub->device_id, "\n", sub->submission_id,
                                                 NULL)))
        {
          g_ptr_array_add (repeats, sub);
          continue;
        }
      sqlite3_reset (select);
      sqlite3_bind_text (select, 1, sub->device_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (select, 2, sub->submission_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (select);
      if (rc == SQLITE_DONE)
        {
          sub->result = INTAKE_SERVER_PUT_NEW;
          g_ptr_array_add (fresh, sub);
          continue;
        }
      if (rc != SQLITE_ROW)
        {
          set_error (self, rc, error, "reading a stored submission");
          goto fail;
        }
      compare_stored (sub, select);
    }
  sqlite3_reset (select);

  if (seal != NULL && fresh->len > 0)
    seal (fresh, seal_data);
  for (guint i = 0; i < fresh->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (fresh, i);
      size_t sealed_len;
      const void *sealed = g_bytes_get_data (sub->sealed, &sealed_len);
      size_t path_len = 0;
      const void *path = sub->receipt_path ? g_bytes_get_data (sub->receipt_path, &path_len)
                                           : NULL;

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, sub->submission_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 2, sub->device_id, -1, SQLITE_STATIC);
      sqlite3_bind_blob (insert, 3, sub->content_hash, INTAKE_HASH_BYTES, SQLITE_STATIC);
      sqlite3_bind_blob (insert, 4, sealed, (int) sealed_len, SQLITE_STATIC);
      sqlite3_bind_blob (insert, 5, sub->signature, INTAKE_SIGNATURE_BYTES, SQLITE_STATIC);
      sqlite3_bind_text (insert, 6, sub->server_time, -1, SQLITE_STATIC);
      sqlite3_bind_blob (insert, 7, sub->receipt_signature, INTAKE_SIGNATURE_BYTES, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 8, sub->receipt_index);
      sqlite3_bind_int64 (insert, 9, sub->receipt_count);
      if (sub->receipt_path != NULL)
        sqlite3_bind_blob (insert, 10, path_len > 0 ? path : "", (int) path_len, SQLITE_STATIC);
      else
        sqlite3_bind_null (insert, 10);
      sqlite3_bind_int64 (insert, 11, sub->received);
      if (!step_done (self, insert, error))
        goto fail;
    }
  /* An id sent twice in one batch: the later copy is answered as a resend of what is stored
   * now. */
  for (guint i = 0; i < repeats->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (repeats, i);
      int rc;

      sqlite3_reset (select);
      sqlite3_bind_text (select, 1, sub->device_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (select, 2, sub->submission_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (select);
      if (rc != SQLITE_ROW)
        {
          set_error (self, rc, error, "reading a stored submission");
          goto fail;
        }
      compare_stored (sub, select);
    }
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&select, sqlite3_finalize);
  return commit (self, error);

fail:
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&select, sqlite3_finalize);
  rollback (self);
  return FALSE;
}

static gboolean
sqlite_submissions_foreach (IntakeServerStore *store,
                            IntakeServerSubmissionFunc func,
                            gpointer user_data,
                            GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self,
                  "SELECT submission_id, device_id, content_hash, sealed, signature, received, "
                  "server_time, receipt_signature, receipt_index, receipt_count, receipt_path "
                  "FROM submissions ORDER BY received, device_id, submission_id",
                  error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);

      sub->submission_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sub->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      copy_blob (sub->content_hash, INTAKE_HASH_BYTES, stmt, 2);
      sub->sealed = g_bytes_new (sqlite3_column_blob (stmt, 3), sqlite3_column_bytes (stmt, 3));
      copy_blob (sub->signature, INTAKE_SIGNATURE_BYTES, stmt, 4);
      sub->received = sqlite3_column_int64 (stmt, 5);
      read_receipt (sub, stmt, 6);
      if (!func (sub, user_data, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      set_error (self, rc, error, "listing submissions");
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_form_put (IntakeServerStore *store, const IntakeServerForm *form, GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean same;
  int rc;

  if (!begin (self, error))
    return FALSE;
  stmt = prepare (self,
                  "INSERT INTO forms (form_id, version, document, signature, published) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (form_id, version) DO NOTHING",
                  error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, form->form_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, form->version);
  sqlite3_bind_text (stmt, 3, form->document, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, form->signature, INTAKE_SIGNATURE_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, form->published);
  if (!step_done (self, stmt, error))
    goto fail;
  if (sqlite3_changes (self->db) == 1)
    {
      g_clear_pointer (&stmt, sqlite3_finalize);
      return commit (self, error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  stmt = prepare (self, "SELECT document FROM forms WHERE form_id = ? AND version = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, form->form_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, form->version);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_error (self, rc, error, "reading a form");
      goto fail;
    }
  same = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), form->document) == 0;
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self);
  if (!same)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT,
                   "form %s version %" G_GINT64_FORMAT " is already published with a different "
                   "document; publish it as a new version",
                   form->form_id, form->version);
      return FALSE;
    }
  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self);
  return FALSE;
}

static GPtrArray *
sqlite_forms_list (IntakeServerStore *store, GError **error)
{
  IntakeServerStoreSqlite *self = (IntakeServerStoreSqlite *) store;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_form_free);
  int rc;

  stmt = prepare (self,
                  "SELECT form_id, version, document, signature, published FROM forms "
                  "ORDER BY form_id, version",
                  error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IntakeServerForm *form = g_new0 (IntakeServerForm, 1);

      form->form_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      form->version = sqlite3_column_int64 (stmt, 1);
      form->document = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      copy_blob (form->signature, INTAKE_SIGNATURE_BYTES, stmt, 3);
      form->published = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (list, form);
    }
  if (rc != SQLITE_DONE)
    {
      set_error (self, rc, error, "listing forms");
      return NULL;
    }
  return g_steal_pointer (&list);
}

static const IntakeServerStoreClass sqlite_class = {
  .name = "sqlite",
  .close = sqlite_close,
  .meta_get = sqlite_meta_get,
  .meta_insert = sqlite_meta_insert,
  .device_add = sqlite_device_add,
  .device_enroll = sqlite_device_enroll,
  .device_lookup = sqlite_device_lookup,
  .device_touch = sqlite_device_touch,
  .device_list = sqlite_device_list,
  .device_set_status = sqlite_device_set_status,
  .device_order_wipe = sqlite_device_order_wipe,
  .device_confirm_wipe = sqlite_device_confirm_wipe,
  .submissions_put = sqlite_submissions_put,
  .submissions_foreach = sqlite_submissions_foreach,
  .form_put = sqlite_form_put,
  .forms_list = sqlite_forms_list,
};

IntakeServerStore *
_intake_server_store_sqlite_open (const char *path, GError **error)
{
  g_autofree IntakeServerStoreSqlite *self = g_new0 (IntakeServerStoreSqlite, 1);
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
  int rc;

  self->parent.klass = &sqlite_class;
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_FAILED,
                   "cannot open the database %s: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      sqlite3_close_v2 (self->db);
      return NULL;
    }
  /* The database holds the server's signing key: a new file is for its owner only (SQLite
   * gives the -wal and -shm files the same mode). */
  if (!existed)
    g_chmod (path, 0600);
  sqlite3_busy_timeout (self->db, SQLITE_BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (self->db, 1);

  /* WAL lets export and device list read while serve writes; synchronous=FULL makes a commit
   * durable before the receipt that promises it leaves the server. */
  if (!exec (self, "PRAGMA journal_mode=WAL", error) ||
      !exec (self, "PRAGMA synchronous=FULL", error) ||
      !exec (self, "PRAGMA foreign_keys=ON", error) ||
      !migrate (self, error))
    {
      sqlite3_close_v2 (self->db);
      return NULL;
    }
  return (IntakeServerStore *) g_steal_pointer (&self);
}
