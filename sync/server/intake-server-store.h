/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "intake-crypto.h"

G_BEGIN_DECLS

#define INTAKE_SERVER_STORE_ERROR (intake_server_store_error_quark ())

typedef enum
{
  INTAKE_SERVER_STORE_ERROR_FAILED,
  INTAKE_SERVER_STORE_ERROR_BAD_URL,
  INTAKE_SERVER_STORE_ERROR_NOT_FOUND,
  INTAKE_SERVER_STORE_ERROR_EXISTS,
  INTAKE_SERVER_STORE_ERROR_BAD_TOKEN,
  INTAKE_SERVER_STORE_ERROR_DEVICE_EXISTS,
  INTAKE_SERVER_STORE_ERROR_CONFLICT,
  INTAKE_SERVER_STORE_ERROR_TOO_NEW,
} IntakeServerStoreError;

GQuark intake_server_store_error_quark (void);

typedef enum
{
  INTAKE_SERVER_DEVICE_ACTIVE,
  INTAKE_SERVER_DEVICE_REVOKED,
  INTAKE_SERVER_DEVICE_WIPE,
} IntakeServerDeviceStatus;

const char *intake_server_device_status_to_string (IntakeServerDeviceStatus status);
gboolean intake_server_device_status_from_string (const char *str,
                                                  IntakeServerDeviceStatus *status);

/* A device as the server knows it. Before enrollment device_id is NULL and has_sign_pk FALSE. */
typedef struct
{
  char *name;
  char *device_id;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  gboolean has_sign_pk;
  IntakeServerDeviceStatus status;
  gint64 token_expires;
  gboolean token_used;
  gint64 created;
  gint64 enrolled;
  gint64 last_seen;
  /* A wipe order's deadline and the time the device confirmed the wipe (0: none). */
  gint64 wipe_deadline;
  gint64 wipe_confirmed;
} IntakeServerDevice;

void intake_server_device_free (IntakeServerDevice *device);
/* Whether a device told to wipe has confirmed it, or its deadline has passed by now: its key is
 * then refused everywhere. */
gboolean intake_server_device_is_wiped (const IntakeServerDevice *device, gint64 now);
/* The status a person is shown: "wiped" for a device that intake_server_device_is_wiped. */
const char *intake_server_device_describe_status (const IntakeServerDevice *device, gint64 now);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerDevice, intake_server_device_free)

typedef enum
{
  INTAKE_SERVER_PUT_NEW,
  INTAKE_SERVER_PUT_SAME,
  INTAKE_SERVER_PUT_CONFLICT,
} IntakeServerPutResult;

/* One envelope with its receipt, keyed on its device and its submission id together: each
 * device's ids are its own. For submissions_put the caller fills every field but
 * `result` and, when it passes a seal function, the receipt's proof; on return `result` says
 * what happened and, for NEW and SAME, server_time and the receipt_* fields hold the receipt
 * that is stored (which for SAME is the older one).
 *
 * A receipt is either a batch receipt (receipt_count >= 1: the leaf's index among count leaves,
 * its audit path and the signature of the batch's root) or, for rows stored before batch
 * receipts, a single signature over the one receipt (receipt_count 0, no path). */
typedef struct
{
  char *submission_id;
  char *device_id;
  GBytes *sealed;
  guint8 content_hash[INTAKE_HASH_BYTES];
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  char *server_time;
  guint8 receipt_signature[INTAKE_SIGNATURE_BYTES];
  gint64 receipt_index;
  gint64 receipt_count;
  GBytes *receipt_path;
  gint64 received;
  IntakeServerPutResult result;
  /* Not stored: the receipt's leaf hash, which a seal function puts in the batch's tree. */
  guint8 receipt_leaf[INTAKE_HASH_BYTES];
} IntakeServerSubmission;

/* Called by submissions_put inside its transaction with the submissions it is about to store
 * as new (at least one), so that receipts are made for exactly what is stored: it fills their
 * receipt_signature, receipt_index, receipt_count and receipt_path. */
typedef void (*IntakeServerSealFunc) (GPtrArray *fresh, gpointer user_data);

void intake_server_submission_free (IntakeServerSubmission *submission);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerSubmission, intake_server_submission_free)

typedef gboolean (*IntakeServerSubmissionFunc) (IntakeServerSubmission *submission,
                                                gpointer user_data,
                                                GError **error);

typedef struct
{
  char *form_id;
  gint64 version;
  char *document;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  gint64 published;
} IntakeServerForm;

void intake_server_form_free (IntakeServerForm *form);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerForm, intake_server_form_free)

typedef struct _IntakeServerStore IntakeServerStore;

/* The storage interface. Each backend fills one of these; callers use the intake_server_store_*
 * wrappers below. Every operation is one transaction of its own, and every backend is safe for
 * several processes sharing one database: uniqueness is left to the database's constraints, never
 * to a read followed by a write. A store is not thread-safe; the HTTP server serialises calls. */
typedef struct
{
  const char *name;
  void (*close) (IntakeServerStore *store);
  GBytes *(*meta_get) (IntakeServerStore *store, const char *key, GError **error);
  gboolean (*meta_insert) (IntakeServerStore *store,
                           const char *const *keys,
                           GBytes *const *values,
                           size_t n,
                           GError **error);
  gboolean (*device_add) (IntakeServerStore *store,
                          const char *name,
                          const guint8 token_hash[INTAKE_HASH_BYTES],
                          gint64 token_expires,
                          gint64 now,
                          GError **error);
  IntakeServerDevice *(*device_enroll) (IntakeServerStore *store,
                                        const guint8 token_hash[INTAKE_HASH_BYTES],
                                        const char *device_id,
                                        const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
                                        gint64 now,
                                        GError **error);
  IntakeServerDevice *(*device_lookup) (IntakeServerStore *store,
                                        const char *device_id,
                                        GError **error);
  gboolean (*device_touch) (IntakeServerStore *store,
                            const char *device_id,
                            gint64 now,
                            GError **error);
  GPtrArray *(*device_list) (IntakeServerStore *store, GError **error);
  gboolean (*device_set_status) (IntakeServerStore *store,
                                 const char *name,
                                 IntakeServerDeviceStatus status,
                                 GError **error);
  /* Orders the device named name to wipe (deadline 0: none); a confirmation already given
   * stays. */
  gboolean (*device_order_wipe) (IntakeServerStore *store,
                                 const char *name,
                                 gint64 deadline,
                                 GError **error);
  /* Records that the device ordered to wipe confirmed it (the first time counts); CONFLICT when
   * the device was not ordered to wipe. */
  gboolean (*device_confirm_wipe) (IntakeServerStore *store,
                                   const char *device_id,
                                   gint64 now,
                                   GError **error);
  gboolean (*submissions_put) (IntakeServerStore *store,
                               GPtrArray *submissions,
                               IntakeServerSealFunc seal,
                               gpointer seal_data,
                               GError **error);
  gboolean (*submissions_foreach) (IntakeServerStore *store,
                                   IntakeServerSubmissionFunc func,
                                   gpointer user_data,
                                   GError **error);
  gboolean (*form_put) (IntakeServerStore *store, const IntakeServerForm *form, GError **error);
  GPtrArray *(*forms_list) (IntakeServerStore *store, GError **error);
} IntakeServerStoreClass;

struct _IntakeServerStore
{
  const IntakeServerStoreClass *klass;
};

/* Opens (creating and migrating when needed) the database named by url: `sqlite:PATH` or a
 * `postgresql://` / `postgres://` connection URI. */
IntakeServerStore *intake_server_store_open (const char *url, GError **error);
void intake_server_store_close (IntakeServerStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerStore, intake_server_store_close)

const char *intake_server_store_get_backend (IntakeServerStore *store);
GBytes *intake_server_store_meta_get (IntakeServerStore *store, const char *key, GError **error);
gboolean intake_server_store_meta_insert (IntakeServerStore *store,
                                          const char *const *keys,
                                          GBytes *const *values,
                                          size_t n,
                                          GError **error);
gboolean intake_server_store_device_add (IntakeServerStore *store,
                                         const char *name,
                                         const guint8 token_hash[INTAKE_HASH_BYTES],
                                         gint64 token_expires,
                                         gint64 now,
                                         GError **error);
IntakeServerDevice *intake_server_store_device_enroll (
  IntakeServerStore *store,
  const guint8 token_hash[INTAKE_HASH_BYTES],
  const char *device_id,
  const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
  gint64 now,
  GError **error);
IntakeServerDevice *intake_server_store_device_lookup (IntakeServerStore *store,
                                                       const char *device_id,
                                                       GError **error);
gboolean intake_server_store_device_touch (IntakeServerStore *store,
                                           const char *device_id,
                                           gint64 now,
                                           GError **error);
GPtrArray *intake_server_store_device_list (IntakeServerStore *store, GError **error);
gboolean intake_server_store_device_set_status (IntakeServerStore *store,
                                                const char *name,
                                                IntakeServerDeviceStatus status,
                                                GError **error);
gboolean intake_server_store_device_order_wipe (IntakeServerStore *store,
                                                const char *name,
                                                gint64 deadline,
                                                GError **error);
gboolean intake_server_store_device_confirm_wipe (IntakeServerStore *store,
                                                  const char *device_id,
                                                  gint64 now,
                                                  GError **error);
gboolean intake_server_store_submissions_put (IntakeServerStore *store,
                                              GPtrArray *submissions,
                                              IntakeServerSealFunc seal,
                                              gpointer seal_data,
                                              GError **error);
GPtrArray *intake_server_store_submissions_list (IntakeServerStore *store, GError **error);
/* Calls func on each stored submission in the order of submissions_list, one row in memory at
 * a time (for export, whatever the number); func may keep the submission (it owns it) and
 * stops the walk by returning FALSE with an error. */
gboolean intake_server_store_submissions_foreach (IntakeServerStore *store,
                                                  IntakeServerSubmissionFunc func,
                                                  gpointer user_data,
                                                  GError **error);
gboolean intake_server_store_form_put (IntakeServerStore *store,
                                       const IntakeServerForm *form,
                                       GError **error);
GPtrArray *intake_server_store_forms_list (IntakeServerStore *store, GError **error);

/* Backends, for intake_server_store_open and for the tests. */
IntakeServerStore *_intake_server_store_sqlite_open (const char *path, GError **error);
IntakeServerStore *_intake_server_store_pg_open (const char *conninfo, GError **error);

G_END_DECLS
