/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-trust-private.h"

#include <string.h>

#include "intake-store-private.h"

/* Every public value that decides who can read is authenticated by a MAC (HMAC-SHA-512-256,
 * libsodium's crypto_auth) under the trust key, which lives only inside users' PIN wraps. A file
 * writer can change a column, but cannot make the MAC that goes with the new value, so the
 * tablet notices before it encrypts anything to a key it did not choose itself.
 *
 * The message is a domain string, the subject and each field with its length in front, so that
 * no two different sets of fields give the same bytes. */

static void
put_field (GByteArray *msg, const void *data, gsize len)
{
  guint8 len_le[4];
  guint32 n = (guint32) len;

  len_le[0] = n & 0xff;
  len_le[1] = (n >> 8) & 0xff;
  len_le[2] = (n >> 16) & 0xff;
  len_le[3] = (n >> 24) & 0xff;
  g_byte_array_append (msg, len_le, sizeof len_le);
  if (len > 0)
    g_byte_array_append (msg, data, (guint) len);
}

static void
put_text (GByteArray *msg, const char *text)
{
  put_field (msg, text ? text : "", text ? strlen (text) : 0);
}

static void
put_int (GByteArray *msg, gint64 value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  put_text (msg, text);
}

static GByteArray *
message_new (const char *subject)
{
  GByteArray *msg = g_byte_array_new ();

  put_text (msg, "intake-trust-v1");
  put_text (msg, subject);
  return msg;
}

static gboolean
store_mac (IntakeStore *store,
           const IntakeSecret *trust_key,
           const char *subject,
           GByteArray *msg,
           GError **error)
{
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  guint8 mac[crypto_auth_BYTES];

  g_return_val_if_fail (trust_key != NULL && trust_key->len == INTAKE_TRUST_KEY_BYTES, FALSE);
  crypto_auth (mac, msg->data, msg->len, trust_key->data);
  stmt = intake_db_prepare_cached (_intake_store_get_db (store),
                                   "INSERT OR REPLACE INTO trust (subject, mac) VALUES (?, ?)",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, subject, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, mac, sizeof mac, SQLITE_TRANSIENT);
  return intake_db_step_done (_intake_store_get_db (store), stmt, error);
}

/* FALSE with @error set to @refusal (a whole sentence for a person) when the MAC is missing or
 * does not verify. */
static gboolean
check_mac (IntakeStore *store,
           const IntakeSecret *trust_key,
           const char *subject,
           GByteArray *msg,
           const char *refusal,
           GError **error)
{
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  if (trust_key == NULL)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED,
                           _("The tablet's keys cannot be checked while the session is locked"));
      return FALSE;
    }
  stmt = intake_db_prepare_cached (_intake_store_get_db (store),
                                   "SELECT mac FROM trust WHERE subject = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, subject, -1, SQLITE_STATIC);
  rc = intake_db_step (_intake_store_get_db (store), stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == crypto_auth_BYTES)
    ok = crypto_auth_verify (sqlite3_column_blob (stmt, 0), msg->data, msg->len,
                             trust_key->data)
         == 0;
  if (!ok)
    g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED, refusal);
  return ok;
}

static GByteArray *
device_message (IntakeStore *store)
{
  GByteArray *msg = message_new ("device");

  put_text (msg, store->device_id);
  put_field (msg, store->sign_pk, sizeof store->sign_pk);
  put_field (msg, store->group_pk, sizeof store->group_pk);
  put_int (msg, (gint64) store->kdf.opslimit);
  put_int (msg, (gint64) store->kdf.memlimit);
  put_int (msg, store->kdf.alg);
  return msg;
}

gboolean
_intake_trust_bind_device (IntakeStore *store, const IntakeSecret *trust_key, GError **error)
{
  g_autoptr (GByteArray) msg = device_message (store);

  return store_mac (store, trust_key, "device", msg, error);
}

gboolean
_intake_trust_check_device (IntakeStore *store, const IntakeSecret *trust_key, GError **error)
{
  g_autoptr (GByteArray) msg = device_message (store);

  return check_mac (store, trust_key, "device", msg,
                    _("The review group's key or the unlock cost in this tablet's data file do "
                      "not match what this tablet's users authenticated: the file may have been "
                      "altered"),
                    error);
}

/* A user's row as it decides who reads: id, name, role and both public keys. NULL with @error
 * when there is no such user. */
static GByteArray *
user_message (IntakeStore *store, const char *user_id, char **name_out, GError **error)
{
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  g_autoptr (GByteArray) msg = NULL;
  int rc;

  stmt = intake_db_prepare_cached (_intake_store_get_db (store),
                                   "SELECT name, role, box_pk, sign_pk FROM users WHERE id = ?",
                                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_STATIC);
  rc = intake_db_step (_intake_store_get_db (store), stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                   _("There is no user %s on this tablet"), user_id);
      return NULL;
    }
  msg = message_new ("user");
  put_text (msg, user_id);
  put_text (msg, (const char *) sqlite3_column_text (stmt, 0));
  put_text (msg, (const char *) sqlite3_column_text (stmt, 1));
  put_field (msg, sqlite3_column_blob (stmt, 2), (gsize) sqlite3_column_bytes (stmt, 2));
  put_field (msg, sqlite3_column_blob (stmt, 3), (gsize) sqlite3_column_bytes (stmt, 3));
  if (name_out)
    *name_out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return g_steal_pointer (&msg);
}

static char *
user_subject (const char *user_id)
{
  return g_strconcat ("user:", user_id, NULL);
}

gboolean
_intake_trust_bind_user (IntakeStore *store,
                         const IntakeSecret *trust_key,
                         const char *user_id,
                         GError **error)
{
  g_autoptr (GByteArray) msg = user_message (store, user_id, NULL, error);
  g_autofree char *subject = user_subject (user_id);

  return msg != NULL && store_mac (store, trust_key, subject, msg, error);
}

gboolean
_intake_trust_check_user (IntakeStore *store,
                          const IntakeSecret *trust_key,
                          const char *user_id,
                          GError **error)
{
  g_autofree char *name = NULL;
  g_autoptr (GByteArray) msg = user_message (store, user_id, &name, error);
  g_autofree char *subject = user_subject (user_id);
  g_autofree char *refusal = NULL;

  if (msg == NULL)
    return FALSE;
  refusal = g_strdup_printf (_("The keys or role of user '%s' in this tablet's data file do not "
                               "match what this tablet's users authenticated: the file may have "
                               "been altered"),
                             name);
  return check_mac (store, trust_key, subject, msg, refusal, error);
}

gboolean
_intake_trust_forget_user (IntakeStore *store, const char *user_id, GError **error)
{
  g_autofree char *subject = user_subject (user_id);

  return intake_db_exec_text (_intake_store_get_db (store), "DELETE FROM trust WHERE subject = ?",
                              subject, NULL, error);
}

static GByteArray *
enrollment_message (const IntakeEnrollment *e)
{
  GByteArray *msg = message_new ("enrollment");

  put_text (msg, e->server_url);
  put_text (msg, e->device_name);
  put_field (msg, e->org_data_pk, sizeof e->org_data_pk);
  put_field (msg, e->server_sign_pk, sizeof e->server_sign_pk);
  put_text (msg, e->pinned_key);
  put_text (msg, e->ca_file);
  return msg;
}

gboolean
_intake_trust_bind_enrollment (IntakeStore *store,
                               const IntakeSecret *trust_key,
                               const IntakeEnrollment *enrollment,
                               GError **error)
{
  g_autoptr (GByteArray) msg = enrollment_message (enrollment);

  return store_mac (store, trust_key, "enrollment", msg, error);
}

gboolean
_intake_trust_check_enrollment (IntakeStore *store,
                                const IntakeSecret *trust_key,
                                const IntakeEnrollment *enrollment,
                                GError **error)
{
  g_autoptr (GByteArray) msg = enrollment_message (enrollment);

  return check_mac (store, trust_key, "enrollment", msg,
                    _("The organisation's data key and the server's keys in this tablet's data "
                      "file do not match what this tablet's users authenticated: the file may "
                      "have been altered"),
                    error);
}

gboolean
_intake_trust_is_established (IntakeStore *store)
{
  g_autoptr (IntakeCachedStmt) stmt = intake_db_prepare_cached (
      _intake_store_get_db (store), "SELECT 1 FROM trust WHERE subject = 'device'", NULL);

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
}
