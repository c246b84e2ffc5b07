/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

/* What enrollment left on the tablet: where the server is and the keys that make its answers
 * trustworthy and its envelopes unreadable to anyone but the data manager. */
typedef struct
{
  char *server_url;
  char *device_name;
  guint8 org_data_pk[INTAKE_BOX_PUBLIC_BYTES];
  guint8 server_sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  char *pinned_key; /* CURLOPT_PINNEDPUBLICKEY form, "sha256//…", or NULL */
  char *ca_file;    /* a CA bundle to trust instead of the system's, or NULL */
  gint64 enrolled;
} IntakeEnrollment;

void intake_enrollment_free (IntakeEnrollment *enrollment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeEnrollment, intake_enrollment_free)

/* The enrollment as the data file holds it, for showing and for the sync engine's connection;
 * nothing is encrypted to its keys before they verify (below). */
IntakeEnrollment *intake_store_dup_enrollment (IntakeStore *store, GError **error);
/* The enrollment, only if its keys verify under the session's trust key: what sealing uses.
 * INTAKE_STORE_ERROR_UNTRUSTED, in words for an admin, when the file was altered. */
IntakeEnrollment *intake_session_dup_trusted_enrollment (IntakeSession *session, GError **error);
/* The organisation key's fingerprint as people compare it (intake-server init prints it). */
void intake_enrollment_get_org_fingerprint (const IntakeEnrollment *enrollment,
                                            char out[INTAKE_FINGERPRINT_TEXT_SIZE]);
gboolean intake_session_set_enrollment (IntakeSession *session,
                                        const IntakeEnrollment *enrollment,
                                        GError **error);

/* The device's own signature over a message, for requests and envelopes. */
void intake_store_sign (IntakeStore *store,
                        const guint8 *message,
                        size_t len,
                        guint8 signature[INTAKE_SIGNATURE_BYTES]);
void intake_store_get_device_public_key (IntakeStore *store, guint8 pk[INTAKE_SIGN_PUBLIC_BYTES]);

/* Seal every queued interview this session can read that has no envelope yet (after enrolling,
 * or after a queue built up before enrollment). Returns how many were sealed. */
int intake_session_seal_queued (IntakeSession *session, GError **error);

typedef struct
{
  char *submission_id;
  char *interview_id;
  GBytes *sealed;
  char *content_hash;
  char *signature;
} IntakeEnvelope;

void intake_envelope_free (IntakeEnvelope *envelope);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeEnvelope, intake_envelope_free)

/* A transaction around several outbox changes (one batch's receipts): one commit, one flush. */
gboolean intake_store_begin (IntakeStore *store, GError **error);
gboolean intake_store_commit (IntakeStore *store, GError **error);
void intake_store_rollback (IntakeStore *store);

/* The oldest pending envelopes, at most max_count and about max_bytes of sealed data (at least
 * one, whatever its size). */
GPtrArray *intake_store_outbox_pending (IntakeStore *store,
                                        guint max_count,
                                        gsize max_bytes,
                                        GError **error);
/* Where a reading of the outbox stopped: the next reading starts after it. */
typedef struct
{
  gint64 queued;
  gint64 rowid;
} IntakeOutboxCursor;

#define INTAKE_OUTBOX_CURSOR_START ((IntakeOutboxCursor){ G_MININT64, G_MININT64 })

/* The same, leaving out the envelopes whose submission ids are in except (those on their way)
 * and, with a cursor, those before it; the cursor is moved past what is returned. */
GPtrArray *intake_store_outbox_pending_except (IntakeStore *store,
                                               GHashTable *except,
                                               IntakeOutboxCursor *cursor,
                                               guint max_count,
                                               gsize max_bytes,
                                               GError **error);
/* In one transaction, for a batch: each verified receipt stored, each envelope and its interview
 * marked sent, and the local copies destroyed when the retention policy says so. */
gboolean intake_store_outbox_mark_sent (IntakeStore *store,
                                        GPtrArray *submission_ids,
                                        GPtrArray *receipts,
                                        GError **error);
gboolean intake_store_outbox_mark_attention (IntakeStore *store,
                                             const char *submission_id,
                                             const char *reason,
                                             GError **error);
gboolean intake_store_outbox_note_failure (IntakeStore *store,
                                           GPtrArray *envelopes,
                                           const char *reason,
                                           GError **error);

typedef struct
{
  int pending;
  int needs_attention;
  int sent;
  int unsealed; /* queued interviews waiting for enrollment (or a reader) to be sealed */
} IntakeOutboxCounts;

gboolean intake_store_outbox_counts (IntakeStore *store, IntakeOutboxCounts *counts, GError **error);
JsonNode *intake_store_outbox_attention_json (IntakeStore *store, GError **error);

/* Small persistent facts about syncing: last success, last problem, the device's status. */
char *intake_store_dup_sync_state (IntakeStore *store, const char *key);
gboolean intake_store_set_sync_state (IntakeStore *store,
                                      const char *key,
                                      const char *value,
                                      GError **error);

/* Purge the local copies of sent interviews older than the retention policy allows. */
gboolean intake_store_apply_retention (IntakeStore *store, GError **error);

G_END_DECLS
