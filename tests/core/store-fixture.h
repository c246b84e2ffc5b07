/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the store's unit tests (test-db.c, test-session.c, test-records.c, test-outbox.c) share: a
 * store made in a fresh folder with an admin, a supervisor and two workers, and helpers that read
 * and alter its file directly. Split out of test-store.c (issue #14). */
#pragma once

#include "intake-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intake-db.h"
#include "intake-outbox.h"
#include "intake-store.h"

#define ADMIN_PIN "admin-pin-0001"
#define SUP_PIN "sup-pin-0002"
#define W1_PIN "w1-pin-0003"
#define W2_PIN "w2-pin-0004"
#define FORM_ID "household"
#define FORM_DOC form_document ()
typedef struct
{
  char *tmp;
  char *data_dir;
  char *db_path;
  IntakeStore *store;
  IntakeSession *admin;
} Fixture;
/* Checks the GError first, so that a failure prints its message. */
#define ASSERT_OK(expr)                                                                          \
  G_STMT_START                                                                                   \
  {                                                                                              \
    gboolean ok_ = (expr);                                                                       \
    g_assert_no_error (error);                                                                   \
    g_assert_true (ok_);                                                                         \
  }                                                                                              \
  G_STMT_END

const char *form_document (void);
IntakeSecret *pin (const char *text);
const char *pin_of (const char *user);
void rm_rf (const char *path);
IntakeSession *unlock_as (IntakeStore *store, const char *user);
void add_user (IntakeSession *admin, const char *name, IntakeRole role);
void fixture_setup (Fixture *f, gconstpointer data);
void fixture_close (Fixture *f);
void fixture_reopen (Fixture *f);
void fixture_teardown (Fixture *f, gconstpointer data);
char *new_interview (IntakeSession *session, const char *name_answer);
void
set_string_answer (IntakeSession *session, const char *id, const char *question, const char *v);
IntakeInterview *open_ok (IntakeSession *session, const char *id);
const char *answer_of (IntakeInterview *iv, const char *question);
IntakeState state_of (IntakeSession *session, const char *id);
sqlite3 *raw_open (Fixture *f);
void raw_flip_byte (Fixture *f, const char *table, const char *column, const char *key_column,
               const char *key);
void raw_exec (Fixture *f, const char *sql, const char *arg1, const char *arg2);
gboolean strv_has_substring (GPtrArray *problems, const char *needle);
GPtrArray *audit_actions_for (IntakeSession *session, const char *subject);
void assert_audit_has_no (IntakeSession *session, const char *text);
void raw_collect_blobs (Fixture *f, const char *sql, const char *arg, GPtrArray *out);
char *data_file_holding (Fixture *f, GPtrArray *secrets);
IntakeStore *second_connection (Fixture *f);
void assert_forgotten (Fixture *f, GPtrArray *secrets);
