/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* An unlocked user (intake-session.c), for the layers above it. The instance struct is private
 * to intake-session.c; the layers above reach the session through these functions. */
#include "intake-store.h"

G_BEGIN_DECLS

/* The reader name under which the review group's copy of a record key is kept. */
#define INTAKE_GROUP_READER "group"

/* Who may do something, as flags of IntakeRole. */
typedef enum
{
  INTAKE_ROLE_FLAG_WORKER = 1 << INTAKE_ROLE_WORKER,
  INTAKE_ROLE_FLAG_SUPERVISOR = 1 << INTAKE_ROLE_SUPERVISOR,
  INTAKE_ROLE_FLAG_ADMIN = 1 << INTAKE_ROLE_ADMIN,
} IntakeRoleFlags;

/* INTAKE_STORE_ERROR_DENIED, saying the session's user may not be @doing, unless the user's role
 * is among @allowed and the session is unlocked. */
gboolean _intake_session_require_role (IntakeSession *session,
                                       IntakeRoleFlags allowed,
                                       const char *doing,
                                       GError **error);
gboolean _intake_session_require_unlocked (IntakeSession *session, GError **error);
const IntakeSecret *_intake_session_get_trust_key (IntakeSession *session);
const guint8 *_intake_session_get_box_pk (IntakeSession *session);
IntakeSecret *_intake_session_dup_wrap_plain (IntakeSession *session);

/* The record key of @record_id as this session may open it (its own copy, or the group's). */
const IntakeSecret *_intake_session_open_record_key (IntakeSession *session,
                                                     const char *record_id,
                                                     GError **error);
void _intake_session_cache_record_key (IntakeSession *session,
                                       const char *record_id,
                                       IntakeSecret *key);

/* The decrypted interview this session saved last ("hot"), for the next autosave. */
const IntakeInterview *_intake_session_peek_hot (IntakeSession *session, const char *interview_id);
IntakeInterview *_intake_session_steal_hot (IntakeSession *session, const char *interview_id);
void _intake_session_set_hot (IntakeSession *session, IntakeInterview *iv);
void _intake_session_drop_hot (IntakeSession *session);
/* Whether this session's editing of @interview_id is in the audit log already. */
gboolean _intake_session_has_edited (IntakeSession *session, const char *interview_id);
gboolean _intake_session_note_edit (IntakeSession *session, const char *interview_id);

G_END_DECLS
