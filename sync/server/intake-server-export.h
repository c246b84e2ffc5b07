/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "intake-server-store.h"

G_BEGIN_DECLS

typedef enum
{
  INTAKE_SERVER_EXPORT_JSON,
  INTAKE_SERVER_EXPORT_CSV,
} IntakeServerExportFormat;

/* Writes every stored interview, decrypted with the organisation's secret key file, to out.
 * Envelopes that cannot be opened or verified, or whose record names another device than the
 * one that sent it, are left out, named on standard error and counted in *failed; the others
 * are still written. */
gboolean intake_server_export (IntakeServerStore *store,
                               const char *secret_key_file,
                               IntakeServerExportFormat format,
                               GOutputStream *out,
                               guint *failed,
                               GError **error);

/* The text of the secret key file that init writes, in guarded memory. */
IntakeSecret *intake_server_secret_key_file_new (const guint8 public_key[INTAKE_BOX_PUBLIC_BYTES],
                                                 const guint8 secret_key[INTAKE_BOX_SECRET_BYTES]);

G_END_DECLS
