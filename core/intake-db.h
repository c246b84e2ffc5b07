/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define INTAKE_DB_ERROR (intake_db_error_quark ())

typedef enum
{
  INTAKE_DB_ERROR_FAILED,
  INTAKE_DB_ERROR_BUSY,
  INTAKE_DB_ERROR_FULL,
  INTAKE_DB_ERROR_CORRUPT,
  INTAKE_DB_ERROR_NOT_A_STORE,
  INTAKE_DB_ERROR_IO,
  INTAKE_DB_ERROR_READ_ONLY,
  INTAKE_DB_ERROR_TOO_NEW,
  INTAKE_DB_ERROR_CONSTRAINT,
} IntakeDbError;

GQuark intake_db_error_quark (void);

typedef struct _IntakeDb IntakeDb;

IntakeDb *intake_db_open (const char *path, gboolean create, GError **error);
void intake_db_close (IntakeDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeDb, intake_db_close)

sqlite3 *intake_db_get_handle (IntakeDb *db);
const char *intake_db_get_path (IntakeDb *db);
int intake_db_get_schema_version (IntakeDb *db);

gboolean intake_db_exec (IntakeDb *db, const char *sql, GError **error);
/* One statement with up to two text parameters (?1, ?2; either may be NULL). */
gboolean intake_db_exec_text (IntakeDb *db,
                              const char *sql,
                              const char *arg1,
                              const char *arg2,
                              GError **error);
sqlite3_stmt *intake_db_prepare (IntakeDb *db, const char *sql, GError **error);
gboolean intake_db_step_done (IntakeDb *db, sqlite3_stmt *stmt, GError **error);

/* Statements on hot paths (autosave, audit) are prepared once per connection and kept. The
 * caller borrows one and must release it (reset) when done, which the autoptr type does. */
typedef sqlite3_stmt IntakeCachedStmt;
IntakeCachedStmt *intake_db_prepare_cached (IntakeDb *db, const char *sql, GError **error);
void intake_db_release (IntakeCachedStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeCachedStmt, intake_db_release)
int intake_db_step (IntakeDb *db, sqlite3_stmt *stmt, GError **error);
void intake_db_set_error (IntakeDb *db, int rc, GError **error, const char *doing);

/* Transactions nest: the outermost is BEGIN IMMEDIATE (so that two processes never deadlock
 * upgrading a read lock), inner ones are savepoints. */
gboolean intake_db_begin (IntakeDb *db, GError **error);
gboolean intake_db_commit (IntakeDb *db, GError **error);
void intake_db_rollback (IntakeDb *db);

/* Destroying data (a purge, a user's removal, a lockout) marks its transaction; once the
 * outermost commit succeeds, the commit forgets: no file of the store keeps an older copy of
 * the destroyed bytes. If another connection keeps the forgetting from finishing, the commit
 * returns FALSE with INTAKE_DB_ERROR_BUSY although the change itself is saved. */
void intake_db_mark_destroying (IntakeDb *db);
/* Checkpoints the WAL into the data file and truncates it to nothing, waiting for readers of
 * older snapshots; outside any transaction. */
gboolean intake_db_forget (IntakeDb *db, GError **error);
/* For a wipe: checkpoints, then overwrites the WAL with zeros in place, never truncating it
 * first; afterwards the connection is only good for closing. */
gboolean intake_db_scrub_wal (IntakeDb *db, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
