/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-store.h"

#include <string.h>

IntakeServerStore *
intake_server_store_open (const char *url, GError **error)
{
  g_return_val_if_fail (url != NULL, NULL);

  if (g_str_has_prefix (url, "sqlite:"))
    {
      const char *path = url + strlen ("sqlite:");

      if (*path == '\0')
        {
          g_set_error_literal (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_URL,
                               "sqlite: needs a file path, as in sqlite:intake-server.db");
          return NULL;
        }
      return _intake_server_store_sqlite_open (path, error);
    }
  if (g_str_has_prefix (url, "postgresql://") || g_str_has_prefix (url, "postgres://"))
    return _intake_server_store_pg_open (url, error);

  g_set_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_URL,
               "unknown database URL \"%s\": use sqlite:PATH or postgresql://...", url);
  return NULL;
}

void
intake_server_store_close (IntakeServerStore *store)
{
  if (store != NULL)
    store->klass->close (store);
}

const char *
intake_server_store_get_backend (IntakeServerStore *store)
{
  return store->klass->name;
}

GBytes *
intake_server_store_meta_get (IntakeServerStore *store, const char *key, GError **error)
{
  return store->klass->meta_get (store, key, error);
}

gboolean
intake_server_store_meta_insert (IntakeServerStore *store,
                                 const char *const *keys,
                                 GBytes *const *values,
                                 size_t n,
                                 GError **error)
{
  return store->klass->meta_insert (store, keys, values, n, error);
}

gboolean
intake_server_store_device_add (IntakeServerStore *store,
                                const char *name,
                                const guint8 token_hash[INTAKE_HASH_BYTES],
                                gint64 token_expires,
                                gint64 now,
                                GError **error)
{
  return store->klass->device_add (store, name, token_hash, token_expires, now, error);
}

IntakeServerDevice *
intake_server_store_device_enroll (IntakeServerStore *store,
                                   const guint8 token_hash[INTAKE_HASH_BYTES],
                                   const char *device_id,
                                   const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
                                   gint64 now,
                                   GError **error)
{
  return store->klass->device_enroll (store, token_hash, device_id, sign_pk, now, error);
}

IntakeServerDevice *
intake_server_store_device_lookup (IntakeServerStore *store, const char *device_id, GError **error)
{
  return store->klass->device_lookup (store, device_id, error);
}

gboolean
intake_server_store_device_touch (IntakeServerStore *store,
                                  const char *device_id,
                                  gint64 now,
                                  GError **error)
{
  return store->klass->device_touch (store, device_id, now, error);
}

GPtrArray *
intake_server_store_device_list (IntakeServerStore *store, GError **error)
{
  return store->klass->device_list (store, error);
}

gboolean
intake_server_store_device_set_status (IntakeServerStore *store,
                                       const char *name,
                                       IntakeServerDeviceStatus status,
                                       GError **error)
{
  return store->klass->device_set_status (store, name, status, error);
}

gboolean
intake_server_store_device_order_wipe (IntakeServerStore *store,
                                       const char *name,
                                       gint64 deadline,
                                       GError **error)
{
  return store->klass->device_order_wipe (store, name, deadline, error);
}

gboolean
intake_server_store_device_confirm_wipe (IntakeServerStore *store,
                                         const char *device_id,
                                         gint64 now,
                                         GError **error)
{
  return store->klass->device_confirm_wipe (store, device_id, now, error);
}

gboolean
intake_server_store_submissions_put (IntakeServerStore *store,
                                     GPtrArray *submissions,
                                     IntakeServerSealFunc seal,
                                     gpointer seal_data,
                                     GError **error)
{
  return store->klass->submissions_put (store, submissions, seal, seal_data, error);
}

GPtrArray *
intake_server_store_submissions_list (IntakeServerStore *store, GError **error)
{
  return store->klass->submissions_list (store, error);
}

gboolean
intake_server_store_form_put (IntakeServerStore *store,
                              const IntakeServerForm *form,
                              GError **error)
{
  return store->klass->form_put (store, form, error);
}

GPtrArray *
intake_server_store_forms_list (IntakeServerStore *store, GError **error)
{
  return store->klass->forms_list (store, error);
}
