/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "intake-crypto.h"

G_BEGIN_DECLS

#define INTAKE_STORE_ERROR (intake_store_error_quark ())

typedef enum
{
  INTAKE_STORE_ERROR_FAILED,
  INTAKE_STORE_ERROR_NOT_INITIALISED,
  INTAKE_STORE_ERROR_EXISTS,
  INTAKE_STORE_ERROR_PERMISSIONS,
  INTAKE_STORE_ERROR_NOT_FOUND,
  INTAKE_STORE_ERROR_DENIED,
  INTAKE_STORE_ERROR_WRONG_SECRET,
  INTAKE_STORE_ERROR_LOCKED_OUT,
  INTAKE_STORE_ERROR_INVALID,
  INTAKE_STORE_ERROR_STATE,
  INTAKE_STORE_ERROR_TAMPERED,
  INTAKE_STORE_ERROR_CONFLICT,
  /* A public key or setting that decides who can read does not verify under the tablet's trust
   * key: nothing was encrypted to it. */
  INTAKE_STORE_ERROR_UNTRUSTED,
} IntakeStoreError;

GQuark intake_store_error_quark (void);

typedef enum
{
  INTAKE_ROLE_WORKER,
  INTAKE_ROLE_SUPERVISOR,
  INTAKE_ROLE_ADMIN,
} IntakeRole;

const char *intake_role_to_string (IntakeRole role);
gboolean intake_role_from_string (const char *str, IntakeRole *role);

#define INTAKE_DB_FILE_NAME "intake.db"

/* Policies, with their defaults. */
#define INTAKE_POLICY_REVIEW_REQUIRED "review_required"
#define INTAKE_POLICY_MIN_SECRET_LENGTH "min_secret_length"
#define INTAKE_POLICY_MAX_FAILED_UNLOCKS "max_failed_unlocks"
#define INTAKE_POLICY_AUTO_LOCK_MINUTES "auto_lock_minutes"
#define INTAKE_POLICY_KEEP_SENT_DAYS "keep_sent_days"

#define INTAKE_TYPE_STORE (intake_store_get_type ())
G_DECLARE_FINAL_TYPE (IntakeStore, intake_store, INTAKE, STORE, GObject)

#define INTAKE_TYPE_SESSION (intake_session_get_type ())
G_DECLARE_FINAL_TYPE (IntakeSession, intake_session, INTAKE, SESSION, GObject)

char *intake_store_default_data_dir (void);

IntakeStore *intake_store_create (const char *data_dir,
                                  const char *admin_name,
                                  const IntakeSecret *admin_secret,
                                  const IntakeKdfParams *kdf,
                                  GError **error);
IntakeStore *intake_store_open (const char *data_dir, GError **error);
gboolean intake_store_exists (const char *data_dir);

const char *intake_store_get_data_dir (IntakeStore *store);
const char *intake_store_get_device_id (IntakeStore *store);
const char *const *intake_store_get_notices (IntakeStore *store);
void intake_store_get_kdf_params (IntakeStore *store, IntakeKdfParams *params);

/* A bulk load (benchmarks, tools that create many records at once): what runs between the two
 * calls is one transaction, with one flush at the end. Nothing else may use the store from
 * another thread meanwhile. */
gboolean intake_store_batch_begin (IntakeStore *store, GError **error);
gboolean intake_store_batch_commit (IntakeStore *store, GError **error);

/* Policies. */
int intake_store_get_policy_int (IntakeStore *store, const char *key);
JsonNode *intake_store_dup_policies_json (IntakeStore *store);
gboolean intake_session_set_policy (IntakeSession *session,
                                    const char *key,
                                    const char *value,
                                    GError **error);
/* The value policy @key is kept as ("1", "30"), or NULL with an error saying what the key takes:
 * the check `policy set` makes, for the server and a provisioning file to make it too. @value is
 * a JSON scalar: a string as `policy set` takes it, an integer, or a boolean. */
char *intake_policy_normalise (const char *key, JsonNode *value, GError **error);

/* Users. */
typedef struct
{
  char *id;
  char *name;
  IntakeRole role;
  int failed_unlocks;
  gboolean locked_out;
  gint64 created;
} IntakeUserInfo;

void intake_user_info_free (IntakeUserInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeUserInfo, intake_user_info_free)

GPtrArray *intake_store_list_users (IntakeStore *store, GError **error);
IntakeUserInfo *intake_store_find_user (IntakeStore *store, const char *name, GError **error);

IntakeSession *intake_store_unlock (IntakeStore *store,
                                    const char *user_name,
                                    const IntakeSecret *secret,
                                    GError **error);
IntakeStore *intake_session_get_store (IntakeSession *session);
const char *intake_session_get_user_id (IntakeSession *session);
const char *intake_session_get_user_name (IntakeSession *session);
IntakeRole intake_session_get_role (IntakeSession *session);
void intake_session_lock (IntakeSession *session);
gboolean intake_session_is_locked (IntakeSession *session);
/* For work in another thread: a copy of an unlocked session with its keys in new guarded memory,
 * still bound to the same store until intake_session_attach_store () moves it to another
 * connection of the same tablet (a store that thread opened itself). Each thread then has its own
 * SQLite connection, and locking one session never frees keys the other is using. */
IntakeSession *intake_session_dup (IntakeSession *session, GError **error);
gboolean intake_session_attach_store (IntakeSession *session, IntakeStore *store, GError **error);

gboolean intake_session_add_user (IntakeSession *session,
                                  const char *name,
                                  IntakeRole role,
                                  const IntakeSecret *secret,
                                  GError **error);
gboolean intake_session_change_secret (IntakeSession *session,
                                       const char *name,
                                       const IntakeSecret *new_secret,
                                       GError **error);
gboolean intake_session_remove_user (IntakeSession *session, const char *name, GError **error);

/* Forms (their meaning is the form engine's; the store keeps every version). */
gboolean intake_session_import_form (IntakeSession *session,
                                     const char *document,
                                     char **form_id_out,
                                     int *version_out,
                                     GError **error);
/* A form whose server signature the sync engine has verified. */
gboolean intake_store_import_verified_form (IntakeStore *store,
                                           const char *document,
                                           GError **error);
JsonNode *intake_store_list_forms_json (IntakeStore *store, GError **error);
char *intake_store_dup_form_document (IntakeStore *store,
                                      const char *form_id,
                                      int version,
                                      GError **error);
int intake_store_get_latest_form_version (IntakeStore *store, const char *form_id);

/* Interviews. */
typedef enum
{
  INTAKE_STATE_DRAFT,
  INTAKE_STATE_AWAITING_REVIEW,
  INTAKE_STATE_QUEUED,
  INTAKE_STATE_SENT,
  INTAKE_STATE_PURGED,
} IntakeState;

const char *intake_state_to_string (IntakeState state);
gboolean intake_state_from_string (const char *str, IntakeState *state);

typedef struct
{
  char *id;
  char *form_id;
  int form_version;
  char *author_id;
  char *author_name;
  IntakeState state;
  gboolean is_void;
  gint64 revision;
  gint64 created;
  gint64 updated;
  /* Fixed when the interview is first queued; NULL before. */
  char *submission_id;
  /* Decrypted content, or NULL when this reader may not open it. */
  JsonObject *content;
  /* The screening result, when opened with intake_session_open_interview and the form scores. */
  JsonNode *result;
} IntakeInterview;

void intake_interview_free (IntakeInterview *interview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeInterview, intake_interview_free)

JsonNode *intake_interview_to_json (IntakeInterview *interview, gboolean with_content);

char *intake_session_create_interview (IntakeSession *session,
                                       const char *form_id,
                                       int form_version,
                                       JsonObject *answers,
                                       GError **error);
gboolean intake_session_set_answer (IntakeSession *session,
                                    const char *interview_id,
                                    const char *question,
                                    JsonNode *value,
                                    GError **error);
IntakeInterview *intake_session_open_interview (IntakeSession *session,
                                                const char *interview_id,
                                                GError **error);

typedef enum
{
  INTAKE_LIST_ALL = 0,
  INTAKE_LIST_REVIEW_QUEUE = 1,
  /* The user's own drafts (returned ones among them), whatever the user's role. */
  INTAKE_LIST_MY_DRAFTS = 2,
  /* The user's own interviews past the draft state. */
  INTAKE_LIST_MY_DONE = 3,
} IntakeListFilter;

GPtrArray *intake_session_list_interviews (IntakeSession *session,
                                           IntakeListFilter filter,
                                           int limit,
                                           gboolean with_summary,
                                           GError **error);
/* How many interviews intake_session_list_interviews() would list with no limit, without
 * opening any of them. -1 on error. */
gint64 intake_session_count_interviews (IntakeSession *session,
                                        IntakeListFilter filter,
                                        GError **error);

gboolean intake_session_complete_interview (IntakeSession *session,
                                            const char *interview_id,
                                            GError **error);
gboolean intake_session_approve_interview (IntakeSession *session,
                                           const char *interview_id,
                                           GError **error);
gboolean intake_session_return_interview (IntakeSession *session,
                                          const char *interview_id,
                                          const char *note,
                                          GError **error);
gboolean intake_session_void_interview (IntakeSession *session,
                                        const char *interview_id,
                                        const char *reason,
                                        GError **error);
gboolean intake_session_record_export (IntakeSession *session, guint count, GError **error);

/* Audit. */
gboolean intake_store_audit (IntakeStore *store,
                             const char *actor,
                             const char *action,
                             const char *subject,
                             GError **error);
JsonNode *intake_session_list_audit_json (IntakeSession *session, GError **error);

/* Verify: integrity of the file, the audit chain, and every record the caller can open.
 * Returns TRUE when nothing is wrong; problems are appended to problems_out either way. */
gboolean intake_store_verify (IntakeStore *store,
                              IntakeSession *session,
                              GPtrArray *problems_out,
                              guint *records_checked_out,
                              GError **error);

JsonNode *intake_store_dup_status_json (IntakeStore *store, GError **error);

/* Wipe: destroys every wrapped key and the device keys, then the data files. */
gboolean intake_store_wipe (IntakeStore *store, const char *actor, GError **error);

/* ---- Enrollment and the device key (intake-store.c; the trusted reading is the admin's) ---- */

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

/* Small persistent facts about syncing: last success, last problem, the device's status. */
char *intake_store_dup_sync_state (IntakeStore *store, const char *key);
gboolean intake_store_set_sync_state (IntakeStore *store,
                                      const char *key,
                                      const char *value,
                                      GError **error);

G_END_DECLS

#include "intake-session-queue.h"
