/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-store.h"

/* The plain records the store hands out, apart from the store itself so that the request parsers
 * (and their fuzz target) need no database code. */

/* The store's error domain lives here, below the store and its two back ends, which all raise
 * it: the back ends then depend on nothing that depends on them. */
G_DEFINE_QUARK (intake-server-store-error-quark, intake_server_store_error)

static const char *const status_names[] = {
  [INTAKE_SERVER_DEVICE_ACTIVE] = "active",
  [INTAKE_SERVER_DEVICE_REVOKED] = "revoked",
  [INTAKE_SERVER_DEVICE_WIPE] = "wipe",
};

const char *
intake_server_device_status_to_string (IntakeServerDeviceStatus status)
{
  if ((size_t) status < G_N_ELEMENTS (status_names))
    return status_names[status];
  return "unknown";
}

gboolean
intake_server_device_status_from_string (const char *str, IntakeServerDeviceStatus *status)
{
  for (size_t i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (str, status_names[i]) == 0)
      {
        *status = (IntakeServerDeviceStatus) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
intake_server_device_is_wiped (const IntakeServerDevice *device, gint64 now)
{
  if (device->status != INTAKE_SERVER_DEVICE_WIPE)
    return FALSE;
  return device->wipe_confirmed > 0 || (device->wipe_deadline > 0 && now >= device->wipe_deadline);
}

const char *
intake_server_device_describe_status (const IntakeServerDevice *device, gint64 now)
{
  if (intake_server_device_is_wiped (device, now))
    return "wiped";
  return intake_server_device_status_to_string (device->status);
}

void
intake_server_device_free (IntakeServerDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->device_id);
  g_free (device);
}

void
intake_server_submission_free (IntakeServerSubmission *submission)
{
  if (submission == NULL)
    return;
  g_free (submission->submission_id);
  g_free (submission->device_id);
  g_clear_pointer (&submission->sealed, g_bytes_unref);
  g_free (submission->server_time);
  g_clear_pointer (&submission->receipt_path, g_bytes_unref);
  g_free (submission);
}

void
intake_server_form_free (IntakeServerForm *form)
{
  if (form == NULL)
    return;
  g_free (form->form_id);
  g_free (form->document);
  g_free (form);
}
