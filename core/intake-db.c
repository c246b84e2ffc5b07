/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-db.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (intake-db-error-quark, intake_db_error)

/* How long a statement waits for another connection's lock before it reports "busy". */
#define BUSY_TIMEOUT_MS 10000

struct _IntakeDb
{
  sqlite3 *handle;
  char *path;
  int depth;
  int schema_version;
  GHashTable *cache;
  /* The open transaction destroyed something: its commit is followed by a forget. */
  gboolean destroying;
};

/* The schema, one migration per version. A store written by a newer program is refused rather
 * than guessed at. Columns hold only ids, states, coarse times and ciphertext: never a name, an
 * answer or a note (those live inside the encrypted content). */
static const char *const migrations[] = {
  /* 1 */
  "CREATE TABLE device ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  device_id TEXT NOT NULL,"
  "  sign_pk BLOB NOT NULL,"
  "  sign_sk BLOB NOT NULL,"
  "  group_pk BLOB NOT NULL,"
  "  kdf_ops INTEGER NOT NULL,"
  "  kdf_mem INTEGER NOT NULL,"
  "  kdf_alg INTEGER NOT NULL,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE users ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  role TEXT NOT NULL CHECK (role IN ('worker', 'supervisor', 'admin')),"
  "  box_pk BLOB NOT NULL,"
  "  sign_pk BLOB NOT NULL,"
  "  salt BLOB,"
  "  kdf_ops INTEGER,"
  "  kdf_mem INTEGER,"
  "  kdf_alg INTEGER,"
  "  wrap_nonce BLOB,"
  "  wrapped BLOB,"
  "  failed_unlocks INTEGER NOT NULL DEFAULT 0,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE group_keys ("
  "  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
  "  sealed BLOB NOT NULL);"
  "CREATE TABLE policies (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE forms ("
  "  id TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  document TEXT NOT NULL,"
  "  imported INTEGER NOT NULL,"
  "  PRIMARY KEY (id, version));"
  "CREATE TABLE interviews ("
  "  id TEXT PRIMARY KEY,"
  "  form_id TEXT NOT NULL,"
  "  form_version INTEGER NOT NULL,"
  "  author TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('draft', 'awaiting_review', 'queued', 'sent',"
  "                                       'purged')),"
  "  is_void INTEGER NOT NULL DEFAULT 0,"
  "  revision INTEGER NOT NULL,"
  "  nonce BLOB,"
  "  content BLOB,"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  FOREIGN KEY (form_id, form_version) REFERENCES forms (id, version));"
  "CREATE INDEX interviews_by_update ON interviews (updated);"
  "CREATE INDEX interviews_by_author ON interviews (author);"
  "CREATE TABLE record_keys ("
  "  record_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,"
  "  reader TEXT NOT NULL,"
  "  sealed BLOB NOT NULL,"
  "  PRIMARY KEY (record_id, reader));"
  "CREATE INDEX record_keys_by_reader ON record_keys (reader);"
  "CREATE TABLE audit ("
  "  seq INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  subject TEXT NOT NULL,"
  "  prev BLOB NOT NULL,"
  "  hash BLOB NOT NULL,"
  "  sig BLOB NOT NULL);",
  /* 2: sync. An interview's submission id is fixed when it is first queued; its envelope is
   * sealed as soon as the tablet is enrolled, and marked sent only with a verified receipt. */
  "ALTER TABLE interviews ADD COLUMN submission_id TEXT;"
  "CREATE UNIQUE INDEX interviews_by_submission ON interviews (submission_id);"
  "CREATE TABLE enrollment ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  server_url TEXT NOT NULL,"
  "  device_name TEXT NOT NULL,"
  "  org_data_pk BLOB NOT NULL,"
  "  server_sign_pk BLOB NOT NULL,"
  "  pinned_key TEXT,"
  "  ca_file TEXT,"
  "  enrolled INTEGER NOT NULL);"
  "CREATE TABLE outbox ("
  "  submission_id TEXT PRIMARY KEY,"
  "  interview_id TEXT NOT NULL UNIQUE,"
  "  sealed BLOB NOT NULL,"
  "  content_hash TEXT NOT NULL,"
  "  signature TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'needs_attention')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  receipt TEXT,"
  "  queued INTEGER NOT NULL,"
  "  sent INTEGER);"
  "CREATE INDEX outbox_by_state ON outbox (state, queued);"
  "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
  /* 3: home over many interviews. A user's drafts, their newest completed ones and the counts
   * come from indexes, not from a scan and sort of every row (the window shows home at once
   * after an unlock even with 10,000 interviews; tests/bench/bench-ui.py). */
  "DROP INDEX interviews_by_author;"
  "CREATE INDEX interviews_by_author_state ON interviews (author, state, updated);"
  "CREATE INDEX interviews_by_author_update ON interviews (author, updated);"
  "CREATE INDEX interviews_by_state ON interviews (state);",
  /* 4: trust. A MAC under the trust key (kept only inside users' PIN wraps) for every public
   * value that decides who can read: the device's review group key and unlock cost, the
   * enrollment's keys, each user's keys and role. A store upgraded from version 3 has none until
   * a user first unlocks it; that user's unlock makes the trust key and hands it to the other
   * users through trust_grants, each taken into that user's own wrap at their next unlock. */
  "CREATE TABLE trust (subject TEXT PRIMARY KEY, mac BLOB NOT NULL);"
  "CREATE TABLE trust_grants ("
  "  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
  "  sealed BLOB NOT NULL);",
};

static int
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return INTAKE_DB_ERROR_BUSY;
    case SQLITE_FULL:
      return INTAKE_DB_ERROR_FULL;
    case SQLITE_CORRUPT:
      return INTAKE_DB_ERROR_CORRUPT;
    case SQLITE_NOTADB:
      return INTAKE_DB_ERROR_NOT_A_STORE;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return INTAKE_DB_ERROR_IO;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return INTAKE_DB_ERROR_READ_ONLY;
    case SQLITE_CONSTRAINT:
      return INTAKE_DB_ERROR_CONSTRAINT;
    default:
      return INTAKE_DB_ERROR_FAILED;
    }
}

void
intake_db_set_error (IntakeDb *db, int rc, GError **error, const char *doing)
{
  const char *detail = db && db->handle ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc);
  const char *path = db ? db->path : "";
  int code = error_code_for (rc);

  /* The action and SQLite's own words are English: they go to the debug log for an
   * administrator, never into the translated sentence a worker reads (a sentence spliced from
   * two languages reads as broken). */
  g_debug ("%s: could not %s: %s (SQLite %d)", path, doing, detail, rc);

  /* Turn SQLite's codes into whole sentences a person can act on. */
  switch (code)
    {
    case INTAKE_DB_ERROR_FULL:
      g_set_error (error, INTAKE_DB_ERROR, code,
                   _("The disk is full: nothing was changed in %s; free some space and try "
                     "again"),
                   path);
      break;
    case INTAKE_DB_ERROR_CORRUPT:
      g_set_error (error, INTAKE_DB_ERROR, code,
                   _("The data file %s is damaged; do not delete it: keep a copy of the data "
                     "folder and ask an administrator"),
                   path);
      break;
    case INTAKE_DB_ERROR_NOT_A_STORE:
      g_set_error (error, INTAKE_DB_ERROR, code, _("%s is not a Field Intake data file"), path);
      break;
    case INTAKE_DB_ERROR_BUSY:
      g_set_error (error, INTAKE_DB_ERROR, code,
                   _("The data file %s is busy in another program; try again"), path);
      break;
    case INTAKE_DB_ERROR_READ_ONLY:
      g_set_error (error, INTAKE_DB_ERROR, code,
                   _("The data file %s cannot be written; ask an administrator"), path);
      break;
    default:
      g_set_error (error, INTAKE_DB_ERROR, code,
                   _("The data file %s could not be used; try again, and if it happens again, "
                     "ask an administrator"),
                   path);
      break;
    }
}

sqlite3 *
intake_db_get_handle (IntakeDb *db)
{
  return db->handle;
}

const char *
intake_db_get_path (IntakeDb *db)
{
  return db->path;
}

int
intake_db_get_schema_version (IntakeDb *db)
{
  return db->schema_version;
}

gboolean
intake_db_exec (IntakeDb *db, const char *sql, GError **error)
{
  int rc = sqlite3_exec (db->handle, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      intake_db_set_error (db, rc, error, "update the data file");
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_db_exec_text (IntakeDb *db,
                     const char *sql,
                     const char *arg1,
                     const char *arg2,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = intake_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (arg1 != NULL)
    sqlite3_bind_text (stmt, 1, arg1, -1, SQLITE_STATIC);
  if (arg2 != NULL)
    sqlite3_bind_text (stmt, 2, arg2, -1, SQLITE_STATIC);
  return intake_db_step_done (db, stmt, error);
}

sqlite3_stmt *
intake_db_prepare (IntakeDb *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db->handle, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      intake_db_set_error (db, rc, error, "read the data file");
      return NULL;
    }
  return stmt;
}

int
intake_db_step (IntakeDb *db, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      intake_db_set_error (db, rc, error, sqlite3_stmt_readonly (stmt) ? "read the data file"
                                                                     : "save");
      return -1;
    }
  return rc;
}

gboolean
intake_db_step_done (IntakeDb *db, sqlite3_stmt *stmt, GError **error)
{
  return intake_db_step (db, stmt, error) >= 0;
}

IntakeCachedStmt *
intake_db_prepare_cached (IntakeDb *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (db->cache, sql);
  int rc;

  if (stmt != NULL)
    return stmt;
  rc = sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      intake_db_set_error (db, rc, error, "read the data file");
      return NULL;
    }
  g_hash_table_insert (db->cache, g_strdup (sql), stmt);
  return stmt;
}

void
intake_db_release (IntakeCachedStmt *stmt)
{
  if (stmt == NULL)
    return;
  /* Resetting ends the statement's read of the database, so that no snapshot is held open. */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static gboolean
exec_cached (IntakeDb *db, const char *sql, const char *doing, GError **error)
{
  g_autoptr (IntakeCachedStmt) stmt = intake_db_prepare_cached (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      intake_db_set_error (db, rc, error, doing);
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_db_begin (IntakeDb *db, GError **error)
{
  if (db->depth == 0)
    {
      if (!exec_cached (db, "BEGIN IMMEDIATE", "start a transaction", error))
        return FALSE;
    }
  else if (!intake_db_exec (db, "SAVEPOINT nested", error))
    return FALSE;
  db->depth++;
  return TRUE;
}

gboolean
intake_db_commit (IntakeDb *db, GError **error)
{
  g_return_val_if_fail (db->depth > 0, FALSE);
  if (db->depth > 1)
    {
      if (!intake_db_exec (db, "RELEASE nested", error))
        return FALSE;
      db->depth--;
      return TRUE;
    }
  if (!exec_cached (db, "COMMIT", "save", error))
    {
      /* A failed COMMIT (disk full, I/O error) may leave the transaction open: roll it back so
       * that the store is exactly as it was before. */
      if (!sqlite3_get_autocommit (db->handle))
        sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
      db->depth = 0;
      return FALSE;
    }
  db->depth = 0;
  if (db->destroying)
    {
      db->destroying = FALSE;
      return intake_db_forget (db, error);
    }
  return TRUE;
}

void
intake_db_mark_destroying (IntakeDb *db)
{
  g_return_if_fail (db->depth > 0);
  db->destroying = TRUE;
}

/* Why a checkpoint, and which one. secure_delete zeroes what a transaction frees, but in WAL
 * mode the transaction writes new page images to the WAL; the older images of the same pages
 * (holding what was just destroyed) stay in earlier WAL frames, and SQLite only drops the WAL
 * file when the last connection closes, which never happens while the window and its sync engine
 * each hold one. PRAGMA wal_checkpoint(TRUNCATE) copies every frame into the data file (the
 * zeroed images last), waits through the busy handler until no reader still uses an older
 * snapshot (FULL, then RESTART semantics), and truncates the WAL to zero bytes before it returns.
 * Its single row says whether it got that far: busy = 1 means a reader or writer kept it from
 * finishing, and the old frames are still there. */
static gboolean
checkpoint_truncate (IntakeDb *db, gboolean *busy, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = intake_db_prepare (db, "PRAGMA wal_checkpoint(TRUNCATE)",
                                                     error);

  if (stmt == NULL || intake_db_step (db, stmt, error) != SQLITE_ROW)
    return FALSE;
  *busy = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

#define FORGET_ATTEMPTS 3

gboolean
intake_db_forget (IntakeDb *db, GError **error)
{
  g_return_val_if_fail (db->depth == 0, FALSE);

  /* Each attempt already waits up to the busy timeout; a few more cover a reader that keeps
   * starting short transactions (the sync engine between two batches). */
  for (int attempt = 0; attempt < FORGET_ATTEMPTS; attempt++)
    {
      gboolean busy = TRUE;

      if (!checkpoint_truncate (db, &busy, error))
        return FALSE;
      if (!busy)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  g_set_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_BUSY,
               _("The change was saved, but an older copy of what it destroyed is still in %s-wal "
                 "because another program keeps reading the data file; close the other Field "
                 "Intake programs: the copy is removed the next time the data file is opened"),
               db->path);
  return FALSE;
}

/* For a store about to be deleted (a wipe): truncating or deleting the WAL, as SQLite does on a
 * TRUNCATE checkpoint or when its last connection closes, would free its blocks with the old
 * frames still in them. So every frame is first copied into the data file (FULL: waits for
 * readers of older snapshots), then the WAL is overwritten where it lies, zeros over its whole
 * length, and flushed, before anything shortens it. After this the connection must only be
 * closed: the WAL no longer holds the frames its index names. */
gboolean
intake_db_scrub_wal (IntakeDb *db, GError **error)
{
  static const guint8 zeros[65536];
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *wal = g_strconcat (db->path, "-wal", NULL);
  gboolean busy;
  struct stat st;
  off_t left;
  int fd;

  g_return_val_if_fail (db->depth == 0, FALSE);
  stmt = intake_db_prepare (db, "PRAGMA wal_checkpoint(FULL)", error);
  if (stmt == NULL || intake_db_step (db, stmt, error) != SQLITE_ROW)
    return FALSE;
  busy = sqlite3_column_int (stmt, 0) != 0;
  g_clear_pointer (&stmt, sqlite3_finalize);

  fd = g_open (wal, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_IO, _("Could not overwrite %s: %s"),
                   wal, g_strerror (errno));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    st.st_size = 0;
  for (left = st.st_size; left > 0;)
    {
      ssize_t n = write (fd, zeros, MIN ((off_t) sizeof zeros, left));
      if (n <= 0)
        break;
      left -= n;
    }
  if (left > 0 || fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_IO, _("Could not overwrite %s: %s"),
                   wal, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  if (busy)
    {
      /* Frames that another connection kept from the data file are now zeros: that file may
       * still hold older pages, which the caller's overwrite of the data file removes. */
      g_set_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_BUSY,
                   _("The data file %s is in use by another program; its journal was overwritten, "
                     "but not every page reached the data file first"),
                   db->path);
      return FALSE;
    }
  return TRUE;
}

void
intake_db_rollback (IntakeDb *db)
{
  if (db->depth == 0)
    return;
  if (db->depth > 1)
    {
      sqlite3_exec (db->handle, "ROLLBACK TO nested; RELEASE nested", NULL, NULL, NULL);
      db->depth--;
      return;
    }
  if (!sqlite3_get_autocommit (db->handle))
    sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
  db->depth = 0;
  db->destroying = FALSE;
}

static gboolean
migrate (IntakeDb *db, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int version;

  stmt = intake_db_prepare (db, "PRAGMA user_version", error);
  if (stmt == NULL || intake_db_step (db, stmt, error) != SQLITE_ROW)
    return FALSE;
  version = sqlite3_column_int (stmt, 0);
  /* A statement still stepping would keep DROP (in a migration) from running. */
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_TOO_NEW,
                   _("%s was written by a newer Field Intake (schema %d, this program knows %d); "
                     "upgrade this program"),
                   db->path, version, (int) G_N_ELEMENTS (migrations));
      return FALSE;
    }
  while (version < (int) G_N_ELEMENTS (migrations))
    {
      g_autofree char *bump = NULL;

      if (!intake_db_begin (db, error))
        return FALSE;
      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!intake_db_exec (db, migrations[version], error) || !intake_db_exec (db, bump, error)
          || !intake_db_commit (db, error))
        {
          intake_db_rollback (db);
          return FALSE;
        }
      version++;
    }
  db->schema_version = version;
  return TRUE;
}

/* A power loss between a destroying commit and its checkpoint leaves the old frames in the WAL
 * (and a crash of the only program leaves the WAL as it was): the first open afterwards finishes
 * the job. Opening must not wait on the others, though: with a zero busy timeout a checkpoint
 * that another connection holds up returns at once, and that connection, or the next destroying
 * commit, checkpoints in its turn. Its cost is paid once per open, never on a save. */
static void
forget_leftovers (IntakeDb *db)
{
  gboolean busy = FALSE;

  sqlite3_busy_timeout (db->handle, 0);
  checkpoint_truncate (db, &busy, NULL);
  sqlite3_busy_timeout (db->handle, BUSY_TIMEOUT_MS);
}

IntakeDb *
intake_db_open (const char *path, gboolean create, GError **error)
{
  g_autoptr (IntakeDb) db = g_new0 (IntakeDb, 1);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc;

  db->path = g_strdup (path);
  db->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) sqlite3_finalize);
  rc = sqlite3_open_v2 (path, &db->handle, flags, NULL);
  if (rc != SQLITE_OK)
    {
      intake_db_set_error (db, rc, error, "open the data file");
      return NULL;
    }
  sqlite3_extended_result_codes (db->handle, 1);
  sqlite3_busy_timeout (db->handle, BUSY_TIMEOUT_MS);

  /* Durability and hygiene, each for a reason:
   * - WAL lets a reader (the sync worker, the window) run beside a writer;
   * - synchronous=FULL fsyncs the WAL on every commit, so a save the screen shows survives power
   *   loss, not only a crash;
   * - secure_delete overwrites freed pages, so destroyed keys do not linger in the file;
   * - temp_store=MEMORY keeps sorter and temporary tables off the disk;
   * - foreign_keys keeps record keys from outliving their records.
   * The first statement also proves the file is an SQLite database. */
  if (!intake_db_exec (db, "PRAGMA journal_mode = WAL", error)
      || !intake_db_exec (db, "PRAGMA synchronous = FULL", error)
      || !intake_db_exec (db, "PRAGMA secure_delete = ON", error)
      || !intake_db_exec (db, "PRAGMA temp_store = MEMORY", error)
      || !intake_db_exec (db, "PRAGMA foreign_keys = ON", error)
      || !intake_db_exec (db, "PRAGMA trusted_schema = OFF", error))
    return NULL;
  if (!migrate (db, error))
    return NULL;
  forget_leftovers (db);
  return g_steal_pointer (&db);
}

void
intake_db_close (IntakeDb *db)
{
  if (db == NULL)
    return;
  g_clear_pointer (&db->cache, g_hash_table_unref);
  if (db->handle)
    sqlite3_close_v2 (db->handle);
  g_free (db->path);
  g_free (db);
}
