/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "intake-outbox.h"
#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_SYNC_ERROR (intake_sync_error_quark ())

typedef enum
{
  INTAKE_SYNC_ERROR_FAILED,
  INTAKE_SYNC_ERROR_NETWORK,      /* could not reach the server, or it failed: try later */
  INTAKE_SYNC_ERROR_UNAUTHORIZED, /* 401/403: revoked or not enrolled; needs a person */
  INTAKE_SYNC_ERROR_REFUSED,      /* the server refused the request for good */
  INTAKE_SYNC_ERROR_INSECURE,     /* plain http to a non-loopback address, bad pin, bad TLS */
  INTAKE_SYNC_ERROR_BAD_RESPONSE, /* garbage, or a signature that does not verify */
  INTAKE_SYNC_ERROR_CANCELLED,
} IntakeSyncError;

GQuark intake_sync_error_quark (void);

/* Limits and timeouts of one sync pass. Defaults from intake_sync_options_init (). */
typedef struct
{
  guint batch_count;         /* envelopes per request */
  gsize batch_bytes;         /* sealed bytes per request */
  long connect_timeout_ms;   /* to establish a connection */
  long low_speed_time_s;     /* abort when under 1 byte/s for this long */
  long total_timeout_s;      /* one request, at most */
  gboolean gzip;             /* compress request bodies */
  gboolean reuse_connection; /* one kept-alive connection for the whole pass */
  guint lanes;               /* requests on their way at once (1 to 2) */
  gboolean serial;           /* one batch at a time, in the caller's thread: read, sent, checked
                              * and stored before the next is read (a plain loop; lanes unused) */
  int forms_interval_s;      /* how often to ask for new forms; 0: every pass */
} IntakeSyncOptions;

void intake_sync_options_init (IntakeSyncOptions *options);

typedef enum
{
  INTAKE_SYNC_DONE,           /* the outbox is empty */
  INTAKE_SYNC_LATER,          /* work left for later: the network or the server failed */
  INTAKE_SYNC_NEEDS_ATTENTION,/* some envelopes were refused and parked for a person */
  INTAKE_SYNC_STOPPED,        /* revoked or not enrolled: syncing stops until a person acts */
  INTAKE_SYNC_WIPED,          /* the server ordered a wipe; it ran */
} IntakeSyncOutcome;

typedef struct
{
  IntakeSyncOutcome outcome;
  int sent;
  int pending;
  int needs_attention;
  int forms_added;
  /* For LATER: how long the server asked us to wait (Retry-After), in seconds, or -1. */
  int retry_after_s;
  char *message; /* what happened, in plain words */
} IntakeSyncReport;

void intake_sync_report_clear (IntakeSyncReport *report);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IntakeSyncReport, intake_sync_report_clear)

/* Enrolls this tablet with a server, using an admin's session and a one-time token, and seals
 * whatever was already queued. pinned_key is "sha256//BASE64" (CURLOPT_PINNEDPUBLICKEY), ca_file
 * a CA bundle to trust; either may be NULL. */
gboolean intake_sync_enroll (IntakeSession *admin,
                             const char *url,
                             const char *token,
                             const char *pinned_key,
                             const char *ca_file,
                             GError **error);

/* The same on the session's queue (intake-session-queue.h), for a window: the network and the
 * store work run in the queue's thread; the token is copied, and wiped there when done. */
void intake_sync_enroll_async (IntakeSession *admin,
                               const char *url,
                               const char *token,
                               const char *pinned_key,
                               const char *ca_file,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean intake_sync_enroll_finish (IntakeSession *admin, GAsyncResult *result, GError **error);

/* One pass: the device's status, new forms, then the outbox until it is empty or something
 * stops it. Runs in the calling thread; blocking. FALSE only when the store itself failed; the
 * outcome of the network is in the report. */
gboolean intake_sync_pass (IntakeStore *store,
                           const IntakeSyncOptions *options,
                           GCancellable *cancellable,
                           IntakeSyncReport *report,
                           GError **error);

G_END_DECLS
