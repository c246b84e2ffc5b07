/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Encrypted interview records (intake-records.c), for the outbox, the lifecycle and the
 * maintenance layers above them. Records change state here but never seal: the lifecycle does. */
#include "intake-store.h"

G_BEGIN_DECLS

/* Opens a record's blob as bound to @iv's row (id, revision, form version, state, void flag);
 * @legacy_out says it was written under the older binding of id and revision only. */
gboolean _intake_records_decrypt (const IntakeSecret *key,
                                  const IntakeInterview *iv,
                                  const void *nonce,
                                  size_t nonce_len,
                                  const void *content,
                                  size_t content_len,
                                  JsonObject **object_out,
                                  gboolean *legacy_out,
                                  GError **error);
/* The interview @interview_id as this session may read it, inside the caller's transaction. */
IntakeInterview *_intake_records_load (IntakeSession *session,
                                       const char *interview_id,
                                       GError **error);
/* Writes @iv's content (encrypted again, revision raised) with @new_state and @is_void. */
gboolean _intake_records_write_content (IntakeSession *session,
                                        IntakeInterview *iv,
                                        const char *new_state,
                                        gboolean is_void,
                                        GError **error);
/* Fixes the interview's submission id when it first reaches the queue. */
gboolean _intake_records_assign_submission_id (IntakeSession *session,
                                               IntakeInterview *iv,
                                               GError **error);
/* What headquarters receives of an interview: the answers as they count and the result. */
JsonNode *_intake_records_to_submission_json (IntakeSession *session, IntakeInterview *iv);

G_END_DECLS
