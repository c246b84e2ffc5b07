/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

/* Seal every queued interview this session can read that has no envelope yet (after enrolling,
 * or after a queue built up before enrollment). Returns how many were sealed. */
int intake_outbox_seal_queued (IntakeSession *session, GError **error);

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

/* The oldest pending envelopes, at most max_count and about max_bytes of sealed data (at least
 * one, whatever its size). */
GPtrArray *intake_outbox_pending (IntakeStore *store,
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
GPtrArray *intake_outbox_pending_except (IntakeStore *store,
                                               GHashTable *except,
                                               IntakeOutboxCursor *cursor,
                                               guint max_count,
                                               gsize max_bytes,
                                               GError **error);
/* In one transaction, for a batch: each verified receipt stored, each envelope and its interview
 * marked sent, and the local copies destroyed when the retention policy says so. */
gboolean intake_outbox_mark_sent (IntakeStore *store,
                                        GPtrArray *submission_ids,
                                        GPtrArray *receipts,
                                        GError **error);
gboolean intake_outbox_mark_attention (IntakeStore *store,
                                             const char *submission_id,
                                             const char *reason,
                                             GError **error);
gboolean intake_outbox_note_failure (IntakeStore *store,
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

gboolean intake_outbox_counts (IntakeStore *store, IntakeOutboxCounts *counts, GError **error);
JsonNode *intake_outbox_attention_json (IntakeStore *store, GError **error);

/* Purge the local copies of sent interviews older than the retention policy allows. */
gboolean intake_outbox_apply_retention (IntakeStore *store, GError **error);

G_END_DECLS
