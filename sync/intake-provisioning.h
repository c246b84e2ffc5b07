/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-sync.h"

G_BEGIN_DECLS

/* A provisioning file: what `intake-server device add NAME --url URL --out FILE` writes, and all
 * a tablet needs to enroll (sync/PROTOCOL.md, "Provisioning file"):
 *
 *   {"format": "intake-provisioning-v1", "url": "https://…", "token": "SECRET.SERVER.ORG",
 *    "pin_sha256": "BASE64" (optional), "ca": "-----BEGIN CERTIFICATE-----…" (optional),
 *    "server_sign_pk": "BASE64" (with either of the next two),
 *    "policies": {"document": "{…}", "signature": "BASE64"} (optional),
 *    "forms": [{"id": …, "version": N, "document": "{…}", "signature": "BASE64"}] (optional)}
 *
 * The policies and forms are signed by the server's key, whose fingerprint the token pins; all of
 * it is checked when the file is read, before anything is enrolled or applied.
 */
#define INTAKE_PROVISIONING_FORMAT "intake-provisioning-v1"
/* A file without forms is well under a few KiB (a CA bundle at most); with forms, a few of them
 * at most (a form is at most INTAKE_FORM_MAX_BYTES, 4 MiB). Anything larger is not one. */
#define INTAKE_PROVISIONING_MAX_BYTES (16 * 1024 * 1024)

/* A form the file carries, its signature verified. */
typedef struct
{
  char *id;
  gint64 version;
  char *document;
} IntakeProvisionedForm;

/* A policy the file carries, its value as the store keeps it. */
typedef struct
{
  char *key;
  char *value;
} IntakeProvisionedPolicy;

typedef struct
{
  char *url;
  char *token;         /* the one-time enrollment token: wiped when freed */
  char *pinned_key;    /* "sha256//BASE64", or NULL */
  char *ca_pem;        /* a CA certificate (PEM) to trust for this server, or NULL */
  GPtrArray *policies; /* IntakeProvisionedPolicy, verified; NULL when the file has none */
  GPtrArray *forms;    /* IntakeProvisionedForm, verified; NULL when the file has none */
} IntakeProvisioning;

void intake_provisioning_free (IntakeProvisioning *provisioning);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeProvisioning, intake_provisioning_free)

/* Reads and checks a provisioning file; a bad one is refused with what is wrong and where. */
IntakeProvisioning *intake_provisioning_load (const char *path, GError **error);
IntakeProvisioning *intake_provisioning_parse (const char *data,
                                               gssize len,
                                               const char *what,
                                               GError **error);

/* Enrolls through intake_sync_enroll () with what the file holds. A CA certificate is saved
 * beside the tablet's data (server-ca-HASH.pem, 0600), since every later sync needs it too. Then
 * the file's policies are set and its forms imported, each audited as an admin's own would be;
 * a form this tablet already holds with other content refuses the file before enrolling. */
gboolean intake_sync_enroll_provisioning (IntakeSession *admin,
                                          const IntakeProvisioning *provisioning,
                                          GError **error);

/* Loads the provisioning file at @path and enrolls with it, on the session's queue
 * (intake-session-queue.h): reading the file, the network and the store work all run there. */
void intake_sync_enroll_file_async (IntakeSession *admin,
                                    const char *path,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean intake_sync_enroll_file_finish (IntakeSession *admin,
                                         GAsyncResult *result,
                                         GError **error);

G_END_DECLS
