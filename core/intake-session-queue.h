/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Store work a window waits for, off its thread: `_async`/`_finish` pairs on the core's objects.
 *
 * Each unlocked session has one queue. The work queued on it runs in a worker thread, one item
 * at a time and in the order it was queued, on a copy of the session (intake_session_dup ())
 * attached to the worker's own connection to the same data file: the main thread's connection
 * and its statement cache are never used from two threads, and the answers of an interview are
 * written in the order they were given. Each callback runs in the thread-default main context of
 * the call, after the work's transaction committed (or failed), and the callbacks come in the
 * order of the calls.
 *
 * intake_session_lock () waits for whatever is queued to finish, then wipes the keys of both the
 * session and its worker copy. Work queued on a locked session fails with
 * INTAKE_STORE_ERROR_DENIED. The _async functions are called from the thread that owns the
 * session (the window's); their arguments are copied, so the caller may free them at once.
 */

G_BEGIN_DECLS

/* Work for intake_session_run_async (): runs in the worker thread with the worker's copy of the
 * session, and says by its return value whether it succeeded. */
typedef gboolean (*IntakeSessionWorkFunc) (IntakeSession *session,
                                           gpointer data,
                                           GCancellable *cancellable,
                                           GError **error);

/* Any work on the session's queue, for layers above the core (the sync engine's enrollment);
 * @data_free runs in the calling thread's context when the result is freed. */
void intake_session_run_async (IntakeSession *session,
                               IntakeSessionWorkFunc func,
                               gpointer data,
                               GDestroyNotify data_free,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean intake_session_run_finish (IntakeSession *session, GAsyncResult *result, GError **error);

/* Saving an answer: the result comes after the commit returned. */
void intake_session_set_answer_async (IntakeSession *session,
                                      const char *interview_id,
                                      const char *question,
                                      JsonNode *value,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean intake_session_set_answer_finish (IntakeSession *session,
                                           GAsyncResult *result,
                                           GError **error);

/* A new interview; the finish returns its id. */
void intake_session_create_interview_async (IntakeSession *session,
                                            const char *form_id,
                                            int form_version,
                                            JsonObject *answers,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
char *intake_session_create_interview_finish (IntakeSession *session,
                                              GAsyncResult *result,
                                              GError **error);

/* The lifecycle: each one transaction that changes the state, seals and audits. */
void intake_session_complete_interview_async (IntakeSession *session,
                                              const char *interview_id,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
gboolean intake_session_complete_interview_finish (IntakeSession *session,
                                                   GAsyncResult *result,
                                                   GError **error);
void intake_session_approve_interview_async (IntakeSession *session,
                                             const char *interview_id,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
gboolean intake_session_approve_interview_finish (IntakeSession *session,
                                                  GAsyncResult *result,
                                                  GError **error);
void intake_session_return_interview_async (IntakeSession *session,
                                            const char *interview_id,
                                            const char *note,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean intake_session_return_interview_finish (IntakeSession *session,
                                                 GAsyncResult *result,
                                                 GError **error);
void intake_session_void_interview_async (IntakeSession *session,
                                          const char *interview_id,
                                          const char *reason,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
gboolean intake_session_void_interview_finish (IntakeSession *session,
                                               GAsyncResult *result,
                                               GError **error);

/* Administration. */
void intake_session_add_user_async (IntakeSession *session,
                                    const char *name,
                                    IntakeRole role,
                                    const IntakeSecret *secret,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean intake_session_add_user_finish (IntakeSession *session,
                                         GAsyncResult *result,
                                         GError **error);
void intake_session_change_secret_async (IntakeSession *session,
                                         const char *name,
                                         const IntakeSecret *new_secret,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean intake_session_change_secret_finish (IntakeSession *session,
                                              GAsyncResult *result,
                                              GError **error);
void intake_session_remove_user_async (IntakeSession *session,
                                       const char *name,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean intake_session_remove_user_finish (IntakeSession *session,
                                            GAsyncResult *result,
                                            GError **error);
void intake_session_set_policy_async (IntakeSession *session,
                                      const char *key,
                                      const char *value,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean intake_session_set_policy_finish (IntakeSession *session,
                                           GAsyncResult *result,
                                           GError **error);
/* Installs the form document (the text of a form file); the finish says which form and version,
 * and whether that exact version was installed before (then nothing changed). */
void intake_session_import_form_async (IntakeSession *session,
                                       const char *document,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean intake_session_import_form_finish (IntakeSession *session,
                                            GAsyncResult *result,
                                            char **form_id_out,
                                            int *version_out,
                                            gboolean *already_installed_out,
                                            GError **error);

/* Unlocking: Argon2id takes most of a second and hundreds of MiB on purpose. The attempt runs in
 * a thread on its own connection; the session it returns is bound to @store. */
void intake_store_unlock_async (IntakeStore *store,
                                const char *user_name,
                                const IntakeSecret *secret,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
IntakeSession *intake_store_unlock_finish (IntakeStore *store,
                                           GAsyncResult *result,
                                           GError **error);

/* The wipe, in a thread on @store's own connection: the caller gives the store up (uses it for
 * nothing more, and may drop its reference at once); the task keeps it until the end. */
void intake_store_wipe_async (IntakeStore *store,
                              const char *actor,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean intake_store_wipe_finish (IntakeStore *store, GAsyncResult *result, GError **error);

G_END_DECLS
