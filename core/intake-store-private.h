/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-db.h"
#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-store.h"

G_BEGIN_DECLS

struct _IntakeStore
{
  GObject parent_instance;

  char *data_dir;
  char *db_path;
  IntakeDb *db;
  char *device_id;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  IntakeSecret *sign_sk;
  guint8 group_pk[INTAKE_BOX_PUBLIC_BYTES];
  IntakeKdfParams kdf;
  GPtrArray *notices;
  /* Parsed forms by "id@version"; a stored version never changes. */
  GHashTable *forms;
};

struct _IntakeSession
{
  GObject parent_instance;

  IntakeStore *store;
  char *user_id;
  char *user_name;
  IntakeRole role;
  guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];
  IntakeSecret *box_sk;
  IntakeSecret *sign_sk;
  /* The review group's secret key, for supervisors and admins only, and its public key as
   * derived from it (for opening; sealing checks the store's authenticated copy). */
  IntakeSecret *group_sk;
  guint8 group_pk[INTAKE_BOX_PUBLIC_BYTES];
  /* The tablet's trust key, from this user's wrap (intake-trust-private.h). */
  IntakeSecret *trust_key;
  /* Record keys opened during this session, so that an autosave does not redo the X25519
   * unwrap; dropped on lock. */
  GHashTable *record_keys;
  /* Interviews whose editing is already in the audit log for this session: the log says who
   * edited which interview in which session, not every keystroke. */
  GHashTable *edited;
  /* The decrypted content of the interview being edited, at the revision it was read, so that an
   * autosave does not decrypt and parse the whole record again. Dropped on lock, on any failed
   * save, and whenever the row's revision differs. */
  IntakeInterview *hot;
};

#define INTAKE_GROUP_READER "group"

gint64 _intake_now_coarse (void);
IntakeDb *_intake_store_get_db (IntakeStore *store);
gboolean _intake_session_require_role (IntakeSession *session,
                                       gboolean allow_worker,
                                       gboolean allow_supervisor,
                                       gboolean allow_admin,
                                       const char *doing,
                                       GError **error);
gboolean _intake_session_require_unlocked (IntakeSession *session, GError **error);
gboolean _intake_store_audit_in_tx (IntakeStore *store,
                                    const char *actor,
                                    const char *action,
                                    const char *subject,
                                    GError **error);
const IntakeSecret *_intake_session_open_record_key (IntakeSession *session,
                                                     const char *record_id,
                                                     GError **error);
void _intake_session_drop_hot (IntakeSession *session);
void _intake_session_cache_record_key (IntakeSession *session,
                                       const char *record_id,
                                       IntakeSecret *key);
/* Opens a record's blob as bound to @iv's row (id, revision, form version, state, void flag);
 * @legacy_out says it was written under the older binding of id and revision only. */
gboolean _intake_record_decrypt (const IntakeSecret *key,
                                 const IntakeInterview *iv,
                                 const void *nonce,
                                 size_t nonce_len,
                                 const void *content,
                                 size_t content_len,
                                 JsonObject **object_out,
                                 gboolean *legacy_out,
                                 GError **error);
char *_intake_user_name_for_id (IntakeStore *store, const char *user_id);
/* A new user row with fresh keys wrapped under @secret, inside the caller's transaction. */
gboolean _intake_store_insert_user (IntakeStore *store,
                                    const IntakeSecret *trust_key,
                                    IntakeSecret *group_sk,
                                    const char *name,
                                    IntakeRole role,
                                    const IntakeSecret *secret,
                                    char **id_out,
                                    GError **error);

IntakeForm *_intake_store_get_form (IntakeStore *store,
                                    const char *form_id,
                                    int version,
                                    GError **error);
/* The form engine's view of an interview: the screening result (NULL when the form scores
 * nothing) and the answers as they count (hidden ones left out). */
gboolean _intake_store_evaluate (IntakeStore *store,
                                 IntakeInterview *iv,
                                 JsonNode **result_out,
                                 JsonObject **export_answers_out,
                                 GError **error);

/* Sync: sealing queued interviews into the outbox (intake-outbox.c). */
gboolean _intake_store_is_enrolled (IntakeStore *store);
gboolean _intake_session_seal_in_tx (IntakeSession *session, IntakeInterview *iv, GError **error);
int _intake_session_seal_one (IntakeSession *session, const char *interview_id, GError **error);
const char *_intake_interview_get_submission_id (IntakeInterview *iv);
JsonNode *_intake_interview_to_submission_json (IntakeSession *session, IntakeInterview *iv);

G_END_DECLS
