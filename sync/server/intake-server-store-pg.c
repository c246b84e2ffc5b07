/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-store.h"

#include "intake-json.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

/* The PostgreSQL backend, for programmes where several intake-server processes share one
 * database. Nothing here reads and then writes on the strength of what it read: uniqueness is
 * the database's (primary keys and ON CONFLICT DO NOTHING), and a row the decision depends on is
 * locked (SELECT … FOR UPDATE). Transactions run at READ COMMITTED; a deadlock or serialisation
 * failure, which two processes taking the same rows in another order could cause, is retried. */

typedef struct
{
  IntakeServerStore parent;
  PGconn *conn;
  gboolean in_transaction;
} IntakeServerStorePg;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

#define PG_MAX_PARAMS 12
#define PG_RETRIES 5
/* An arbitrary key for the advisory lock that keeps two processes from migrating at once. */
#define PG_MIGRATION_LOCK 720400401

static const char *const migrations[] = {
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL);"
  "CREATE TABLE devices ("
  "  name TEXT PRIMARY KEY,"
  "  device_id TEXT UNIQUE,"
  "  sign_pk BYTEA,"
  "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked', 'wipe')),"
  "  token_hash BYTEA NOT NULL UNIQUE,"
  "  token_expires BIGINT NOT NULL,"
  "  token_used BOOLEAN NOT NULL DEFAULT FALSE,"
  "  created BIGINT NOT NULL,"
  "  enrolled BIGINT,"
  "  last_seen BIGINT);"
  "CREATE TABLE submissions ("
  "  submission_id TEXT PRIMARY KEY,"
  "  device_id TEXT NOT NULL,"
  "  content_hash BYTEA NOT NULL,"
  "  sealed BYTEA NOT NULL,"
  "  signature BYTEA NOT NULL,"
  "  server_time TEXT NOT NULL,"
  "  receipt_signature BYTEA NOT NULL,"
  "  received BIGINT NOT NULL);"
  "CREATE TABLE forms ("
  "  form_id TEXT NOT NULL,"
  "  version BIGINT NOT NULL,"
  "  document TEXT NOT NULL,"
  "  signature BYTEA NOT NULL,"
  "  published BIGINT NOT NULL,"
  "  PRIMARY KEY (form_id, version));",
  /* 2: batch receipts (sync/PROTOCOL.md): the leaf's index and count and its audit path, with
   * the root's signature in receipt_signature. Older rows keep count 0: a single signature. */
  "ALTER TABLE submissions ADD COLUMN receipt_index BIGINT NOT NULL DEFAULT 0;"
  "ALTER TABLE submissions ADD COLUMN receipt_count BIGINT NOT NULL DEFAULT 0;"
  "ALTER TABLE submissions ADD COLUMN receipt_path BYTEA;",
  /* 3: submissions keyed on their device and id (sync/PROTOCOL.md). Keyed on the id alone, one
   * device could store anything under another's pending id and park that envelope for good
   * (409). The old key is found by its kind, not its name, which a restored or hand-made
   * database may not share. */
  "DO $$ DECLARE old_key TEXT; BEGIN"
  "  SELECT conname INTO old_key FROM pg_constraint"
  "    WHERE conrelid = 'submissions'::regclass AND contype = 'p';"
  "  IF old_key IS NOT NULL THEN"
  "    EXECUTE format ('ALTER TABLE submissions DROP CONSTRAINT %I', old_key);"
  "  END IF;"
  "END $$;"
  "ALTER TABLE submissions ADD PRIMARY KEY (device_id, submission_id);",
  /* 4: a wipe order's deadline and the device's confirmation of the wipe, after either of
   * which the device's key is refused. */
  ("ALTER TABLE devices ADD COLUMN wipe_deadline BIGINT;"
   "ALTER TABLE devices ADD COLUMN wipe_confirmed BIGINT;"),
};

/* Parameters for one statement: text or binary values, with storage for formatted integers. */
typedef struct
{
  const char *values[PG_MAX_PARAMS];
  int lengths[PG_MAX_PARAMS];
  int formats[PG_MAX_PARAMS];
  char ints[PG_MAX_PARAMS][24];
  int n;
} Params;

static void
param_text (Params *p, const char *text)
{
  g_assert (p->n < PG_MAX_PARAMS);
  p->values[p->n] = text;
  p->lengths[p->n] = 0;
  p->formats[p->n] = 0;
  p->n++;
}

static void
param_bytes (Params *p, const void *data, size_t len)
{
  g_assert (p->n < PG_MAX_PARAMS);
  /* libpq sends a NULL pointer as SQL NULL, so an empty value needs a real address. */
  p->values[p->n] = len > 0 ? data : "";
  p->lengths[p->n] = (int) len;
  p->formats[p->n] = 1;
  p->n++;
}

static void
param_int (Params *p, gint64 value)
{
  g_assert (p->n < PG_MAX_PARAMS);
  g_snprintf (p->ints[p->n], sizeof p->ints[p->n], "%" G_GINT64_FORMAT, value);
  param_text (p, p->ints[p->n]);
}

static gboolean
result_is_retryable (PGresult *res)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;

  return g_strcmp0 (state, "40001") == 0 || g_strcmp0 (state, "40P01") == 0;
}

static gboolean
result_is_unique_violation (PGresult *res)
{
  return g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), "23505") == 0;
}

/* Runs one statement; on failure sets error and returns NULL (the result, for its SQLSTATE, in
 * *failed when the caller wants it). */
static PGresult *
run (IntakeServerStorePg *self, const char *sql, const Params *p, PGresult **failed,
     GError **error)
{
  PGresult *res;
  ExecStatusType status;

  /* A connection lost while idle (the database restarted) is made again before a new
   * transaction; within one, the failure is reported and the caller rolls back. */
  if (PQstatus (self->conn) == CONNECTION_BAD && !self->in_transaction)
    PQreset (self->conn);
  if (g_str_equal (sql, "BEGIN"))
    self->in_transaction = TRUE;
  else if (g_str_equal (sql, "COMMIT"))
    self->in_transaction = FALSE;
  if (p != NULL && p->n > 0)
    res = PQexecParams (self->conn, sql, p->n, NULL, p->values, p->lengths, p->formats, 0);
  else
    res = PQexec (self->conn, sql);
  status = PQresultStatus (res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;

  {
    g_autofree char *msg = g_strchomp (g_strdup (PQerrorMessage (self->conn)));

    g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_FAILED,
                 "PostgreSQL: %s", msg);
  }
  if (failed != NULL)
    *failed = res;
  else
    PQclear (res);
  return NULL;
}

static gboolean
run_simple (IntakeServerStorePg *self, const char *sql, GError **error)
{
  g_autoptr (PGresult) res = run (self, sql, NULL, NULL, error);

  return res != NULL;
}

static void
rollback (IntakeServerStorePg *self)
{
  self->in_transaction = FALSE;
  if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

static gboolean
copy_bytea (guint8 *out, size_t len, PGresult *res, int row, int col)
{
  size_t n = 0;
  unsigned char *raw;

  memset (out, 0, len);
  if (PQgetisnull (res, row, col))
    return FALSE;
  raw = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, row, col), &n);
  if (raw == NULL)
    return FALSE;
  if (n == len)
    memcpy (out, raw, len);
  PQfreemem (raw);
  return n == len;
}

static GBytes *
get_bytea (PGresult *res, int row, int col)
{
  size_t n = 0;
  unsigned char *raw = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, row, col), &n);
  GBytes *bytes;

  if (raw == NULL)
    return g_bytes_new (NULL, 0);
  bytes = g_bytes_new (raw, n);
  PQfreemem (raw);
  return bytes;
}

static gint64
get_int (PGresult *res, int row, int col)
{
  if (PQgetisnull (res, row, col))
    return 0;
  return g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

static void
ignore_notice_cb (void *user_data, const char *message)
{
}

static gboolean
migrate (IntakeServerStorePg *self, GError **error)
{
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };
  int version = 0;
  char lock_sql[64];

  if (!run_simple (self, "BEGIN", error))
    return FALSE;
  g_snprintf (lock_sql, sizeof lock_sql, "SELECT pg_advisory_xact_lock(%d)", PG_MIGRATION_LOCK);
  if (!run_simple (self, lock_sql, error) ||
      !run_simple (self, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                   error))
    goto fail;
  res = run (self, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, NULL, error);
  if (res == NULL)
    goto fail;
  version = (int) get_int (res, 0, 0);
  g_clear_pointer (&res, PQclear);
  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_TOO_NEW,
                   "the database has schema version %d; this intake-server knows up to %d",
                   version, (int) G_N_ELEMENTS (migrations));
      goto fail;
    }
  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    if (!run_simple (self, migrations[version], error))
      goto fail;
  if (!run_simple (self, "DELETE FROM schema_version", error))
    goto fail;
  param_int (&p, version);
  res = run (self, "INSERT INTO schema_version (version) VALUES ($1)", &p, NULL, error);
  if (res == NULL)
    goto fail;
  return run_simple (self, "COMMIT", error);

fail:
  rollback (self);
  return FALSE;
}

static void
pg_close (IntakeServerStore *store)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;

  PQfinish (self->conn);
  g_free (self);
}

static GBytes *
pg_meta_get (IntakeServerStore *store, const char *key, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, key);
  res = run (self, "SELECT value FROM meta WHERE key = $1", &p, NULL, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                   "the database has no %s (run intake-server init first)", key);
      return NULL;
    }
  return get_bytea (res, 0, 0);
}

static gboolean
pg_meta_insert (IntakeServerStore *store,
                const char *const *keys,
                GBytes *const *values,
                size_t n,
                GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;

  if (!run_simple (self, "BEGIN", error))
    return FALSE;
  for (size_t i = 0; i < n; i++)
    {
      g_autoptr (PGresult) res = NULL;
      g_autoptr (PGresult) failed = NULL;
      Params p = { 0 };
      size_t len;
      const void *data = g_bytes_get_data (values[i], &len);

      param_text (&p, keys[i]);
      param_bytes (&p, data, len);
      res = run (self, "INSERT INTO meta (key, value) VALUES ($1, $2)", &p, &failed, error);
      if (res == NULL)
        {
          if (result_is_unique_violation (failed))
            {
              g_clear_error (error);
              g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_EXISTS,
                           "the server is already initialised (%s exists)", keys[i]);
            }
          rollback (self);
          return FALSE;
        }
    }
  if (!run_simple (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_device_add (IntakeServerStore *store,
               const char *name,
               const guint8 token_hash[INTAKE_HASH_BYTES],
               gint64 token_expires,
               gint64 now,
               GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  g_autoptr (PGresult) failed = NULL;
  Params p = { 0 };

  param_text (&p, name);
  param_bytes (&p, token_hash, INTAKE_HASH_BYTES);
  param_int (&p, token_expires);
  param_int (&p, now);
  res = run (self,
             "INSERT INTO devices (name, token_hash, token_expires, created) "
             "VALUES ($1, $2, $3, $4)",
             &p, &failed, error);
  if (res == NULL && result_is_unique_violation (failed))
    {
      g_clear_error (error);
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_EXISTS,
                   "a device named \"%s\" already exists", name);
    }
  return res != NULL;
}

#define DEVICE_COLUMNS                                                                            \
  "name, device_id, sign_pk, status, token_expires, token_used, created, enrolled, last_seen, "    \
  "wipe_deadline, wipe_confirmed"

static IntakeServerDevice *
device_from_row (PGresult *res, int row)
{
  IntakeServerDevice *device = g_new0 (IntakeServerDevice, 1);

  device->name = g_strdup (PQgetvalue (res, row, 0));
  device->device_id = PQgetisnull (res, row, 1) ? NULL : g_strdup (PQgetvalue (res, row, 1));
  device->has_sign_pk = copy_bytea (device->sign_pk, INTAKE_SIGN_PUBLIC_BYTES, res, row, 2);
  if (!intake_server_device_status_from_string (PQgetvalue (res, row, 3), &device->status))
    device->status = INTAKE_SERVER_DEVICE_REVOKED;
  device->token_expires = get_int (res, row, 4);
  device->token_used = g_strcmp0 (PQgetvalue (res, row, 5), "t") == 0;
  device->created = get_int (res, row, 6);
  device->enrolled = get_int (res, row, 7);
  device->last_seen = get_int (res, row, 8);
  device->wipe_deadline = get_int (res, row, 9);
  device->wipe_confirmed = get_int (res, row, 10);
  return device;
}

static IntakeServerDevice *
pg_device_enroll (IntakeServerStore *store,
                  const guint8 token_hash[INTAKE_HASH_BYTES],
                  const char *device_id,
                  const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
                  gint64 now,
                  GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  g_autoptr (PGresult) failed = NULL;
  g_autoptr (IntakeServerDevice) device = NULL;
  Params p = { 0 };

  if (!run_simple (self, "BEGIN", error))
    return NULL;
  /* FOR UPDATE: two tablets racing with one token queue here, and the second sees it used. */
  param_bytes (&p, token_hash, INTAKE_HASH_BYTES);
  res = run (self, "SELECT " DEVICE_COLUMNS " FROM devices WHERE token_hash = $1 FOR UPDATE",
             &p, NULL, error);
  if (res == NULL)
    goto fail;
  if (PQntuples (res) == 1)
    device = device_from_row (res, 0);
  g_clear_pointer (&res, PQclear);

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

  p.n = 0;
  param_text (&p, device_id);
  param_bytes (&p, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  param_int (&p, now);
  param_text (&p, device->name);
  res = run (self,
             "UPDATE devices SET device_id = $1, sign_pk = $2, token_used = TRUE, enrolled = $3, "
             "last_seen = $3 WHERE name = $4 AND NOT token_used",
             &p, &failed, error);
  if (res == NULL)
    {
      if (result_is_unique_violation (failed))
        {
          g_clear_error (error);
          g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_DEVICE_EXISTS,
                       "a device with id %s is already enrolled", device_id);
        }
      goto fail;
    }
  if (!run_simple (self, "COMMIT", error))
    goto fail;
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
pg_device_lookup (IntakeServerStore *store, const char *device_id, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, device_id);
  res = run (self, "SELECT " DEVICE_COLUMNS " FROM devices WHERE device_id = $1", &p, NULL, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                   "no device has id %s", device_id);
      return NULL;
    }
  return device_from_row (res, 0);
}

static gboolean
pg_device_touch (IntakeServerStore *store, const char *device_id, gint64 now, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  /* Only a change of more than a minute is written, so that a busy device does not turn every
   * read into a durable write. */
  param_int (&p, now);
  param_text (&p, device_id);
  res = run (self,
             "UPDATE devices SET last_seen = $1 WHERE device_id = $2 "
             "AND (last_seen IS NULL OR last_seen < $1::bigint - 60)",
             &p, NULL, error);
  return res != NULL;
}

static GPtrArray *
pg_device_list (IntakeServerStore *store, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  GPtrArray *list;

  res = run (self, "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY name", NULL, NULL, error);
  if (res == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) intake_server_device_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, device_from_row (res, i));
  return list;
}

static gboolean
pg_device_set_status (IntakeServerStore *store,
                      const char *name,
                      IntakeServerDeviceStatus status,
                      GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, intake_server_device_status_to_string (status));
  param_text (&p, name);
  res = run (self, "UPDATE devices SET status = $1 WHERE name = $2", &p, NULL, error);
  if (res == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (res), "0") == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                   "no device is named \"%s\"", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_device_order_wipe (IntakeServerStore *store, const char *name, gint64 deadline, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  if (deadline > 0)
    param_int (&p, deadline);
  else
    param_text (&p, NULL);
  param_text (&p, name);
  res = run (self, "UPDATE devices SET status = 'wipe', wipe_deadline = $1 WHERE name = $2", &p,
             NULL, error);
  if (res == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (res), "0") == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
                   "no device is named \"%s\"", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_device_confirm_wipe (IntakeServerStore *store,
                        const char *device_id,
                        gint64 now,
                        GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  /* One statement, conditional on the order: a device whose order was withdrawn meanwhile
   * (revoked) is not marked. */
  param_int (&p, now);
  param_text (&p, device_id);
  res = run (self,
             "UPDATE devices SET wipe_confirmed = coalesce (wipe_confirmed, $1) "
             "WHERE device_id = $2 AND status = 'wipe'",
             &p, NULL, error);
  if (res == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (res), "0") == 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT,
                   "device %s was not ordered to wipe", device_id);
      return FALSE;
    }
  return TRUE;
}

static int
compare_by_id (gconstpointer a, gconstpointer b)
{
  const IntakeServerSubmission *x = *(IntakeServerSubmission *const *) a;
  const IntakeServerSubmission *y = *(IntakeServerSubmission *const *) b;

  int by_device = strcmp (x->device_id, y->device_id);

  return by_device != 0 ? by_device : strcmp (x->submission_id, y->submission_id);
}

/* The stored receipt of a row read by SELECT … server_time, receipt_signature, receipt_index,
 * receipt_count, receipt_path (from column col on). */
static void
read_receipt (IntakeServerSubmission *sub, PGresult *res, int row, int col)
{
  g_free (sub->server_time);
  sub->server_time = g_strdup (PQgetvalue (res, row, col));
  copy_bytea (sub->receipt_signature, INTAKE_SIGNATURE_BYTES, res, row, col + 1);
  sub->receipt_index = get_int (res, row, col + 2);
  sub->receipt_count = get_int (res, row, col + 3);
  g_clear_pointer (&sub->receipt_path, g_bytes_unref);
  if (!PQgetisnull (res, row, col + 4))
    sub->receipt_path = get_bytea (res, row, col + 4);
}

/* Whether the row stored under sub's id has its content (SAME, with the stored receipt) or other
 * content (CONFLICT), from row `row` of res (columns as in STORED_COLUMNS). */
#define STORED_COLUMNS                                                                            \
  "submission_id, content_hash, server_time, receipt_signature, receipt_index, receipt_count, "   \
  "receipt_path, device_id"
#define STORED_DEVICE_COLUMN 7

/* What a submission is keyed on: its device and its id. */
static char *
submission_key (const char *device_id, const char *submission_id)
{
  return g_strconcat (device_id, "\n", submission_id, NULL);
}

/* The stored rows of res, by submission_key, each as its row number plus one. */
static GHashTable *
stored_rows (PGresult *res)
{
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int r = 0; r < PQntuples (res); r++)
    g_hash_table_insert (rows,
                         submission_key (PQgetvalue (res, r, STORED_DEVICE_COLUMN),
                                         PQgetvalue (res, r, 0)),
                         GINT_TO_POINTER (r + 1));
  return rows;
}

static int
stored_row (GHashTable *rows, const IntakeServerSubmission *sub)
{
  g_autofree char *key = submission_key (sub->device_id, sub->submission_id);

  return GPOINTER_TO_INT (g_hash_table_lookup (rows, key));
}

static void
compare_stored (IntakeServerSubmission *sub, PGresult *res, int row)
{
  guint8 stored_hash[INTAKE_HASH_BYTES];

  copy_bytea (stored_hash, INTAKE_HASH_BYTES, res, row, 1);
  if (memcmp (stored_hash, sub->content_hash, INTAKE_HASH_BYTES) == 0)
    {
      sub->result = INTAKE_SERVER_PUT_SAME;
      read_receipt (sub, res, row, 2);
    }
  else
    sub->result = INTAKE_SERVER_PUT_CONFLICT;
}

/* The stored rows for these submissions, in one round trip (their devices and ids as a JSON
 * array of [device_id, submission_id] pairs). At
 * READ COMMITTED each statement takes a new snapshot, so this sees rows that other processes
 * committed a moment ago. */
static PGresult *
select_stored (IntakeServerStorePg *self, GPtrArray *subs, PGresult **failed, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) ids = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  Params p = { 0 };

  json_builder_begin_array (b);
  for (guint i = 0; i < subs->len; i++)
    {
      IntakeServerSubmission *sub = subs->pdata[i];

      json_builder_begin_array (b);
      json_builder_add_string_value (b, sub->device_id);
      json_builder_add_string_value (b, sub->submission_id);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  ids = json_builder_get_root (b);
  intake_json_write (text, ids);
  param_text (&p, text->str);
  return run (self,
              "SELECT " STORED_COLUMNS " FROM submissions WHERE (device_id, submission_id) IN "
              "(SELECT e->>0, e->>1 FROM json_array_elements ($1::json) AS e)",
              &p, failed, error);
}

/* What is stored already is read first; the receipts are made for the rest, which is then
 * inserted with them. Another process may store one of those ids between the read and the
 * insert: ON CONFLICT then waits for its transaction and does nothing, and *raced asks for the
 * whole attempt to be made again (the receipts would otherwise cover a row this one did not
 * store). */
static gboolean
put_once (IntakeServerStorePg *self,
          GPtrArray *sorted,
          IntakeServerSealFunc seal,
          gpointer seal_data,
          PGresult **failed,
          gboolean *raced,
          GError **error)
{
  g_autoptr (GPtrArray) fresh = g_ptr_array_new ();
  g_autoptr (GPtrArray) repeats = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) unique = g_ptr_array_new ();
  g_autoptr (GHashTable) rows = NULL;
  g_autoptr (PGresult) stored = NULL;

  if (!run_simple (self, "BEGIN", error))
    return FALSE;
  for (guint i = 0; i < sorted->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (sorted, i);

      if (!g_hash_table_add (seen, submission_key (sub->device_id, sub->submission_id)))
        g_ptr_array_add (repeats, sub);
      else
        g_ptr_array_add (unique, sub);
    }
  stored = select_stored (self, unique, failed, error);
  if (stored == NULL)
    return FALSE;
  rows = stored_rows (stored);
  for (guint i = 0; i < unique->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (unique, i);
      int row = stored_row (rows, sub);

      if (row > 0)
        compare_stored (sub, stored, row - 1);
      else
        {
          sub->result = INTAKE_SERVER_PUT_NEW;
          g_ptr_array_add (fresh, sub);
        }
    }
  if (seal != NULL && fresh->len > 0)
    seal (fresh, seal_data);
  for (guint i = 0; i < fresh->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (fresh, i);
      g_autoptr (PGresult) res = NULL;
      Params p = { 0 };
      size_t sealed_len;
      const void *sealed = g_bytes_get_data (sub->sealed, &sealed_len);

      param_text (&p, sub->submission_id);
      param_text (&p, sub->device_id);
      param_bytes (&p, sub->content_hash, INTAKE_HASH_BYTES);
      param_bytes (&p, sealed, sealed_len);
      param_bytes (&p, sub->signature, INTAKE_SIGNATURE_BYTES);
      param_text (&p, sub->server_time);
      param_bytes (&p, sub->receipt_signature, INTAKE_SIGNATURE_BYTES);
      param_int (&p, sub->receipt_index);
      param_int (&p, sub->receipt_count);
      if (sub->receipt_path != NULL)
        {
          size_t path_len;
          const void *path = g_bytes_get_data (sub->receipt_path, &path_len);
          param_bytes (&p, path, path_len);
        }
      else
        param_text (&p, NULL);
      param_int (&p, sub->received);
      res = run (self,
                 "INSERT INTO submissions (submission_id, device_id, content_hash, sealed, "
                 "signature, server_time, receipt_signature, receipt_index, receipt_count, "
                 "receipt_path, received) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                 "ON CONFLICT (device_id, submission_id) DO NOTHING",
                 &p, failed, error);
      if (res == NULL)
        return FALSE;
      if (g_strcmp0 (PQcmdTuples (res), "1") != 0)
        {
          *raced = TRUE;
          g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_FAILED,
                       "submission %s was stored by another process meanwhile",
                       sub->submission_id);
          return FALSE;
        }
    }
  /* An id sent twice in one batch: the later copy is answered as a resend of what is stored. */
  if (repeats->len > 0)
    {
      g_autoptr (PGresult) again = select_stored (self, repeats, failed, error);
      g_autoptr (GHashTable) again_rows = NULL;

      if (again == NULL)
        return FALSE;
      again_rows = stored_rows (again);
      for (guint i = 0; i < repeats->len; i++)
        {
          IntakeServerSubmission *sub = g_ptr_array_index (repeats, i);
          int row = stored_row (again_rows, sub);

          if (row > 0)
            compare_stored (sub, again, row - 1);
          else
            sub->result = INTAKE_SERVER_PUT_CONFLICT;
        }
    }
  return run_simple (self, "COMMIT", error);
}

static gboolean
pg_submissions_put (IntakeServerStore *store,
                    GPtrArray *submissions,
                    IntakeServerSealFunc seal,
                    gpointer seal_data,
                    GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  /* A borrowed view: g_ptr_array_copy would take over the caller's free function too. */
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (submissions->len);

  for (guint i = 0; i < submissions->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (submissions, i));
  /* Taking rows in one global order keeps two batches that share ids from deadlocking. */
  g_ptr_array_sort (sorted, compare_by_id);
  for (int attempt = 0;; attempt++)
    {
      g_autoptr (PGresult) failed = NULL;
      g_autoptr (GError) local_error = NULL;
      gboolean raced = FALSE;

      if (put_once (self, sorted, seal, seal_data, &failed, &raced, &local_error))
        return TRUE;
      rollback (self);
      if (attempt + 1 >= PG_RETRIES || !(raced || result_is_retryable (failed)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
}

/* Rows come through a cursor, a batch at a time, so that an export of any size holds one batch
 * in memory; the read-only transaction gives the whole walk one snapshot. */
#define PG_FETCH_ROWS 256

static gboolean
pg_submissions_foreach (IntakeServerStore *store,
                        IntakeServerSubmissionFunc func,
                        gpointer user_data,
                        GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  int n;

  if (!run_simple (self, "BEGIN", error))
    return FALSE;
  if (!run_simple (self, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", error)
      || !run_simple (self,
                      "DECLARE intake_submissions NO SCROLL CURSOR FOR "
                      "SELECT submission_id, device_id, content_hash, sealed, signature, "
                      "received, server_time, receipt_signature, receipt_index, receipt_count, "
                      "receipt_path FROM submissions ORDER BY received, device_id, submission_id",
                      error))
    goto fail;
  do
    {
      g_autoptr (PGresult) res = run (self,
                                      "FETCH " G_STRINGIFY (PG_FETCH_ROWS)
                                      " FROM intake_submissions",
                                      NULL, NULL, error);

      if (res == NULL)
        goto fail;
      n = PQntuples (res);
      for (int i = 0; i < n; i++)
        {
          IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);

          sub->submission_id = g_strdup (PQgetvalue (res, i, 0));
          sub->device_id = g_strdup (PQgetvalue (res, i, 1));
          copy_bytea (sub->content_hash, INTAKE_HASH_BYTES, res, i, 2);
          sub->sealed = get_bytea (res, i, 3);
          copy_bytea (sub->signature, INTAKE_SIGNATURE_BYTES, res, i, 4);
          sub->received = get_int (res, i, 5);
          read_receipt (sub, res, i, 6);
          if (!func (sub, user_data, error))
            goto fail;
        }
    }
  while (n == PG_FETCH_ROWS);
  return run_simple (self, "COMMIT", error);
fail:
  rollback (self);
  return FALSE;
}

static gboolean
pg_form_put (IntakeServerStore *store, const IntakeServerForm *form, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  Params p = { 0 };

  param_text (&p, form->form_id);
  param_int (&p, form->version);
  param_text (&p, form->document);
  param_bytes (&p, form->signature, INTAKE_SIGNATURE_BYTES);
  param_int (&p, form->published);
  res = run (self,
             "INSERT INTO forms (form_id, version, document, signature, published) "
             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (form_id, version) DO NOTHING",
             &p, NULL, error);
  if (res == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (res), "1") == 0)
    return TRUE;
  g_clear_pointer (&res, PQclear);

  p.n = 0;
  param_text (&p, form->form_id);
  param_int (&p, form->version);
  res = run (self, "SELECT document FROM forms WHERE form_id = $1 AND version = $2", &p, NULL,
             error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) != 1 || g_strcmp0 (PQgetvalue (res, 0, 0), form->document) != 0)
    {
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT,
                   "form %s version %" G_GINT64_FORMAT " is already published with a different "
                   "document; publish it as a new version",
                   form->form_id, form->version);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
pg_forms_list (IntakeServerStore *store, GError **error)
{
  IntakeServerStorePg *self = (IntakeServerStorePg *) store;
  g_autoptr (PGresult) res = NULL;
  GPtrArray *list;

  res = run (self,
             "SELECT form_id, version, document, signature, published FROM forms "
             "ORDER BY form_id, version",
             NULL, NULL, error);
  if (res == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) intake_server_form_free);
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeServerForm *form = g_new0 (IntakeServerForm, 1);

      form->form_id = g_strdup (PQgetvalue (res, i, 0));
      form->version = get_int (res, i, 1);
      form->document = g_strdup (PQgetvalue (res, i, 2));
      copy_bytea (form->signature, INTAKE_SIGNATURE_BYTES, res, i, 3);
      form->published = get_int (res, i, 4);
      g_ptr_array_add (list, form);
    }
  return list;
}

static const IntakeServerStoreClass pg_class = {
  .name = "postgresql",
  .close = pg_close,
  .meta_get = pg_meta_get,
  .meta_insert = pg_meta_insert,
  .device_add = pg_device_add,
  .device_enroll = pg_device_enroll,
  .device_lookup = pg_device_lookup,
  .device_touch = pg_device_touch,
  .device_list = pg_device_list,
  .device_set_status = pg_device_set_status,
  .device_order_wipe = pg_device_order_wipe,
  .device_confirm_wipe = pg_device_confirm_wipe,
  .submissions_put = pg_submissions_put,
  .submissions_foreach = pg_submissions_foreach,
  .form_put = pg_form_put,
  .forms_list = pg_forms_list,
};

IntakeServerStore *
_intake_server_store_pg_open (const char *conninfo, GError **error)
{
  g_autofree IntakeServerStorePg *self = g_new0 (IntakeServerStorePg, 1);

  self->parent.klass = &pg_class;
  self->conn = PQconnectdb (conninfo);
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strdup (PQerrorMessage (self->conn));

      /* The URL may hold a password, so the message names the server, not the URL. */
      g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_FAILED,
                   "cannot connect to PostgreSQL: %s", g_strchomp (msg));
      PQfinish (self->conn);
      return NULL;
    }
  /* Notices (CREATE TABLE IF NOT EXISTS says "already exists") are not for the log. */
  PQsetNoticeProcessor (self->conn, ignore_notice_cb, NULL);
  if (!run_simple (self, "SET client_min_messages = warning", error) || !migrate (self, error))
    {
      PQfinish (self->conn);
      return NULL;
    }
  return (IntakeServerStore *) g_steal_pointer (&self);
}
