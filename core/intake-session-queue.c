/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-form.h"
#include "intake-store.h"
#include "intake-xlsform.h"

#include <string.h>

/*
 * One queue per session, hung on the session as object data under INTAKE_SESSION_QUEUE_KEY. The
 * session's own file knows the key, not this file's symbols: intake_session_lock () clears the
 * data, which frees the queue, which waits for the work still queued and then locks the worker
 * copy. So the queue sits above the session and the records, and nothing below calls up into it.
 *
 * A GThreadPool with at most one thread runs its items in the order they were pushed; the
 * worker's connection is opened in that thread the first time it is needed, so that opening the
 * data file (and reading its keys) is not main-thread work either.
 */

#define INTAKE_SESSION_QUEUE_KEY "intake-session-queue"

typedef struct
{
  GThreadPool *pool;
  char *data_dir;
  /* Used only in the pool's thread while the pool lives, then in the freeing thread. */
  IntakeSession *worker;
  gboolean attached;
} Queue;

typedef struct
{
  IntakeSessionWorkFunc func;
  gpointer data;
  GDestroyNotify data_free;
} Work;

static void
work_free (Work *work)
{
  if (work->data_free != NULL)
    work->data_free (work->data);
  g_free (work);
}

static void
queue_free (Queue *queue)
{
  /* FALSE, TRUE: every item already queued still runs (a save the person saw accepted is not
   * dropped), and this waits until the last one returned. */
  g_thread_pool_free (queue->pool, FALSE, TRUE);
  if (queue->worker != NULL)
    intake_session_lock (queue->worker);
  g_clear_object (&queue->worker);
  g_free (queue->data_dir);
  g_free (queue);
}

static gboolean
unref_in_context_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* The pool thread's reference to a task is dropped in the task's own context: if it were the
 * last one, the session could otherwise be finalized in the pool's thread, and its lock would
 * wait there for that very thread. */
static void
release_task (GTask *task)
{
  /* An idle source, never g_main_context_invoke (): that runs the function at once in this
   * thread whenever it can acquire the context, which is exactly the case to avoid. */
  g_autoptr (GSource) idle = g_idle_source_new ();

  g_source_set_callback (idle, unref_in_context_cb, task, NULL);
  g_source_attach (idle, g_task_get_context (task));
}

static void
queue_run (gpointer item, gpointer user_data)
{
  GTask *task = item;
  Queue *queue = user_data;
  Work *work = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      release_task (task);
      return;
    }
  if (!queue->attached)
    {
      g_autoptr (IntakeStore) store = intake_store_open (queue->data_dir, &error);

      if (store == NULL || !intake_session_attach_store (queue->worker, store, &error))
        {
          g_task_return_error (task, error);
          release_task (task);
          return;
        }
      queue->attached = TRUE;
    }
  if (work->func (queue->worker, work->data, g_task_get_cancellable (task), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  release_task (task);
}

/* The session's queue, made on first use; NULL with @error set when the session is locked. */
static Queue *
get_queue (IntakeSession *session, GError **error)
{
  Queue *queue = g_object_get_data (G_OBJECT (session), INTAKE_SESSION_QUEUE_KEY);
  IntakeSession *worker;

  if (queue != NULL)
    return queue;
  worker = intake_session_dup (session, error);
  if (worker == NULL)
    return NULL;
  queue = g_new0 (Queue, 1);
  queue->worker = worker;
  queue->data_dir = g_strdup (intake_store_get_data_dir (intake_session_get_store (session)));
  /* One thread at most, shared with GLib's other non-exclusive pools: the items run in order. */
  queue->pool = g_thread_pool_new (queue_run, queue, 1, FALSE, NULL);
  g_object_set_data_full (G_OBJECT (session), INTAKE_SESSION_QUEUE_KEY, queue,
                          (GDestroyNotify) queue_free);
  return queue;
}

static void
queue_work (IntakeSession *session,
            gpointer source_tag,
            IntakeSessionWorkFunc func,
            gpointer data,
            GDestroyNotify data_free,
            GCancellable *cancellable,
            GAsyncReadyCallback callback,
            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (session, cancellable, callback, user_data);
  Work *work = g_new0 (Work, 1);
  GError *error = NULL;
  Queue *queue;

  work->func = func;
  work->data = data;
  work->data_free = data_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);

  /* A locked session keeps nothing queued: the error is returned from an idle, as every result. */
  if (intake_session_is_locked (session))
    {
      g_task_return_new_error (task, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                               _("The session is locked; unlock again to continue"));
      return;
    }
  queue = get_queue (session, &error);
  if (queue == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The pool's item holds its own reference, dropped by release_task (). */
  g_thread_pool_push (queue->pool, g_object_ref (task), NULL);
}

static gboolean
finish_boolean (IntakeSession *session, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What a queued call needs, copied from the caller's arguments. */
typedef struct
{
  char *id;
  char *text;
  char *text2;
  int number;
  JsonNode *value;
  JsonObject *object;
  IntakeRole role;
  IntakeSecret *secret;
  /* Results. */
  char *result_id;
  int result_number;
  gboolean result_flag;
} Args;

static void
args_free (Args *args)
{
  g_free (args->id);
  g_free (args->text);
  g_free (args->text2);
  g_clear_pointer (&args->value, json_node_unref);
  g_clear_pointer (&args->object, json_object_unref);
  g_clear_pointer (&args->secret, intake_secret_free);
  g_free (args->result_id);
  g_free (args);
}

static Args *
get_args (GAsyncResult *result)
{
  Work *work = g_task_get_task_data (G_TASK (result));

  return work->data;
}

/* ---- Any work ---- */

void
intake_session_run_async (IntakeSession *session,
                          IntakeSessionWorkFunc func,
                          gpointer data,
                          GDestroyNotify data_free,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (func != NULL);

  queue_work (session, intake_session_run_async, func, data, data_free, cancellable, callback,
              user_data);
}

gboolean
intake_session_run_finish (IntakeSession *session, GAsyncResult *result, GError **error)
{
  return finish_boolean (session, result, intake_session_run_async, error);
}

/* ---- Answers and interviews ---- */

static gboolean
set_answer_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  Args *args = data;

  return intake_session_set_answer (session, args->id, args->text, args->value, error);
}

void
intake_session_set_answer_async (IntakeSession *session,
                                 const char *interview_id,
                                 const char *question,
                                 JsonNode *value,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (interview_id != NULL);

  args = g_new0 (Args, 1);
  args->id = g_strdup (interview_id);
  args->text = g_strdup (question);
  /* A deep copy: the caller's node may change, or be freed, while the save waits its turn. */
  args->value = value != NULL ? json_node_copy (value) : NULL;
  queue_work (session, intake_session_set_answer_async, set_answer_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

gboolean
intake_session_set_answer_finish (IntakeSession *session, GAsyncResult *result, GError **error)
{
  return finish_boolean (session, result, intake_session_set_answer_async, error);
}

static gboolean
create_interview_work (IntakeSession *session,
                       gpointer data,
                       GCancellable *cancellable,
                       GError **error)
{
  Args *args = data;

  args->result_id = intake_session_create_interview (session, args->text, args->number,
                                                     args->object, error);
  return args->result_id != NULL;
}

void
intake_session_create_interview_async (IntakeSession *session,
                                       const char *form_id,
                                       int form_version,
                                       JsonObject *answers,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (form_id != NULL);

  args = g_new0 (Args, 1);
  args->text = g_strdup (form_id);
  args->number = form_version;
  if (answers != NULL)
    {
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr (JsonNode) copy = NULL;

      json_node_set_object (node, answers);
      copy = json_node_copy (node);
      args->object = json_node_dup_object (copy);
    }
  queue_work (session, intake_session_create_interview_async, create_interview_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

char *
intake_session_create_interview_finish (IntakeSession *session,
                                        GAsyncResult *result,
                                        GError **error)
{
  if (!finish_boolean (session, result, intake_session_create_interview_async, error))
    return NULL;
  return g_strdup (get_args (result)->result_id);
}

/* ---- The lifecycle ---- */

static gboolean
complete_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  return intake_session_complete_interview (session, ((Args *) data)->id, error);
}

static gboolean
approve_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  return intake_session_approve_interview (session, ((Args *) data)->id, error);
}

static gboolean
return_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  Args *args = data;

  return intake_session_return_interview (session, args->id, args->text, error);
}

static gboolean
void_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  Args *args = data;

  return intake_session_void_interview (session, args->id, args->text, error);
}

static void
queue_interview_work (IntakeSession *session,
                      gpointer source_tag,
                      IntakeSessionWorkFunc func,
                      const char *interview_id,
                      const char *text,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (interview_id != NULL);

  args = g_new0 (Args, 1);
  args->id = g_strdup (interview_id);
  args->text = g_strdup (text);
  queue_work (session, source_tag, func, args, (GDestroyNotify) args_free, cancellable, callback,
              user_data);
}

void
intake_session_complete_interview_async (IntakeSession *session,
                                         const char *interview_id,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  queue_interview_work (session, intake_session_complete_interview_async, complete_work,
                        interview_id, NULL, cancellable, callback, user_data);
}

gboolean
intake_session_complete_interview_finish (IntakeSession *session,
                                          GAsyncResult *result,
                                          GError **error)
{
  return finish_boolean (session, result, intake_session_complete_interview_async, error);
}

void
intake_session_approve_interview_async (IntakeSession *session,
                                        const char *interview_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  queue_interview_work (session, intake_session_approve_interview_async, approve_work,
                        interview_id, NULL, cancellable, callback, user_data);
}

gboolean
intake_session_approve_interview_finish (IntakeSession *session,
                                         GAsyncResult *result,
                                         GError **error)
{
  return finish_boolean (session, result, intake_session_approve_interview_async, error);
}

void
intake_session_return_interview_async (IntakeSession *session,
                                       const char *interview_id,
                                       const char *note,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  queue_interview_work (session, intake_session_return_interview_async, return_work,
                        interview_id, note, cancellable, callback, user_data);
}

gboolean
intake_session_return_interview_finish (IntakeSession *session,
                                        GAsyncResult *result,
                                        GError **error)
{
  return finish_boolean (session, result, intake_session_return_interview_async, error);
}

void
intake_session_void_interview_async (IntakeSession *session,
                                     const char *interview_id,
                                     const char *reason,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  queue_interview_work (session, intake_session_void_interview_async, void_work, interview_id,
                        reason, cancellable, callback, user_data);
}

gboolean
intake_session_void_interview_finish (IntakeSession *session,
                                      GAsyncResult *result,
                                      GError **error)
{
  return finish_boolean (session, result, intake_session_void_interview_async, error);
}

/* ---- Administration ---- */

static gboolean
add_user_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  Args *args = data;
  gboolean ok = intake_session_add_user (session, args->text, args->role, args->secret, error);

  /* The secret goes now, in this thread, not whenever the result is freed. */
  g_clear_pointer (&args->secret, intake_secret_free);
  return ok;
}

void
intake_session_add_user_async (IntakeSession *session,
                               const char *name,
                               IntakeRole role,
                               const IntakeSecret *secret,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (secret != NULL);

  args = g_new0 (Args, 1);
  args->text = g_strdup (name);
  args->role = role;
  args->secret = intake_secret_new_from_data (secret->data, secret->len);
  queue_work (session, intake_session_add_user_async, add_user_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

gboolean
intake_session_add_user_finish (IntakeSession *session, GAsyncResult *result, GError **error)
{
  return finish_boolean (session, result, intake_session_add_user_async, error);
}

static gboolean
change_secret_work (IntakeSession *session,
                    gpointer data,
                    GCancellable *cancellable,
                    GError **error)
{
  Args *args = data;
  gboolean ok = intake_session_change_secret (session, args->text, args->secret, error);

  g_clear_pointer (&args->secret, intake_secret_free);
  return ok;
}

void
intake_session_change_secret_async (IntakeSession *session,
                                    const char *name,
                                    const IntakeSecret *new_secret,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (new_secret != NULL);

  args = g_new0 (Args, 1);
  args->text = g_strdup (name);
  args->secret = intake_secret_new_from_data (new_secret->data, new_secret->len);
  queue_work (session, intake_session_change_secret_async, change_secret_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

gboolean
intake_session_change_secret_finish (IntakeSession *session, GAsyncResult *result, GError **error)
{
  return finish_boolean (session, result, intake_session_change_secret_async, error);
}

static gboolean
remove_user_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  return intake_session_remove_user (session, ((Args *) data)->text, error);
}

void
intake_session_remove_user_async (IntakeSession *session,
                                  const char *name,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));

  args = g_new0 (Args, 1);
  args->text = g_strdup (name);
  queue_work (session, intake_session_remove_user_async, remove_user_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

gboolean
intake_session_remove_user_finish (IntakeSession *session, GAsyncResult *result, GError **error)
{
  return finish_boolean (session, result, intake_session_remove_user_async, error);
}

static gboolean
set_policy_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  Args *args = data;

  return intake_session_set_policy (session, args->text, args->text2, error);
}

void
intake_session_set_policy_async (IntakeSession *session,
                                 const char *key,
                                 const char *value,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));

  args = g_new0 (Args, 1);
  args->text = g_strdup (key);
  args->text2 = g_strdup (value);
  queue_work (session, intake_session_set_policy_async, set_policy_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

gboolean
intake_session_set_policy_finish (IntakeSession *session, GAsyncResult *result, GError **error)
{
  return finish_boolean (session, result, intake_session_set_policy_async, error);
}

static gboolean
import_form_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  Args *args = data;
  g_autoptr (IntakeForm) form = NULL;

  /* Only to tell "already installed" apart from "installed now"; the store validates again and
   * keeps an identical second import as it was. */
  form = intake_form_new_from_data (args->text, -1, INTAKE_FORM_LOAD_DEFAULT, NULL);
  if (form != NULL)
    {
      g_autofree char *known = intake_store_dup_form_document (
          intake_session_get_store (session), intake_form_get_id (form),
          (int) intake_form_get_version (form), NULL);

      args->result_flag = known != NULL;
    }
  return intake_session_import_form (session, args->text, &args->result_id, &args->result_number,
                                     error);
}

/* Reads a chosen form file for import_form_work (): a file chosen by mistake (a photo, a video)
 * is not read into memory at all. */
static gboolean
import_form_file_work (IntakeSession *session,
                       gpointer data,
                       GCancellable *cancellable,
                       GError **error)
{
  Args *args = data;
  g_autoptr (GFile) file = g_file_new_for_uri (args->text2);
  g_autoptr (GFileInfo) info = NULL;
  gsize len = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_size (info) > INTAKE_FORM_MAX_BYTES)
    {
      g_autofree char *size = g_format_size (g_file_info_get_size (info));
      g_autofree char *limit = g_format_size (INTAKE_FORM_MAX_BYTES);

      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   _("This file is too large to be a form (%s; a form is at most %s)."), size,
                   limit);
      return FALSE;
    }
  /* An XLSForm spreadsheet (.xlsx, pyxform's .csv or .md) is converted into the form document
   * here, in the worker, by the same call as `intakectl form import` (issue #12). */
  {
    g_autofree char *path = g_file_get_path (file);
    IntakeXlsformFormat format;
    g_autofree char *lower = path != NULL ? g_ascii_strdown (path, -1) : NULL;

    if (path != NULL
        && (intake_xlsform_sniff_file (path, &format) || g_str_has_suffix (lower, ".xls")))
      {
        args->text = intake_form_document_read_file (path, error);
        if (args->text == NULL)
          return FALSE;
        return import_form_work (session, data, cancellable, error);
      }
  }
  if (!g_file_load_contents (file, cancellable, &args->text, &len, NULL, error))
    return FALSE;
  if (strlen (args->text) != len)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           _("This is not a form file: it is not text."));
      return FALSE;
    }
  return import_form_work (session, data, cancellable, error);
}

void
intake_session_import_form_file_async (IntakeSession *session,
                                       GFile *file,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (G_IS_FILE (file));

  args = g_new0 (Args, 1);
  /* The URI, not the caller's GFile: the worker makes its own. */
  args->text2 = g_file_get_uri (file);
  queue_work (session, intake_session_import_form_async, import_form_file_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

void
intake_session_import_form_async (IntakeSession *session,
                                  const char *document,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  Args *args;

  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (document != NULL);

  args = g_new0 (Args, 1);
  args->text = g_strdup (document);
  queue_work (session, intake_session_import_form_async, import_form_work, args,
              (GDestroyNotify) args_free, cancellable, callback, user_data);
}

gboolean
intake_session_import_form_finish (IntakeSession *session,
                                   GAsyncResult *result,
                                   char **form_id_out,
                                   int *version_out,
                                   gboolean *already_installed_out,
                                   GError **error)
{
  Args *args;

  if (!finish_boolean (session, result, intake_session_import_form_async, error))
    return FALSE;
  args = get_args (result);
  if (form_id_out != NULL)
    *form_id_out = g_strdup (args->result_id);
  if (version_out != NULL)
    *version_out = args->result_number;
  if (already_installed_out != NULL)
    *already_installed_out = args->result_flag;
  return TRUE;
}

/* ---- The store ---- */

typedef struct
{
  char *data_dir;
  char *user_name;
  IntakeSecret *secret;
} UnlockArgs;

static void
unlock_args_free (UnlockArgs *args)
{
  g_free (args->data_dir);
  g_free (args->user_name);
  g_clear_pointer (&args->secret, intake_secret_free);
  g_free (args);
}

static void
unlock_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  IntakeStore *store = source;
  UnlockArgs *args = task_data;
  g_autoptr (IntakeStore) own = NULL;
  g_autoptr (IntakeSession) session = NULL;
  GError *error = NULL;

  /* Its own connection: the caller's store goes on being used in the caller's thread. */
  own = intake_store_open (args->data_dir, &error);
  if (own != NULL)
    session = intake_store_unlock (own, args->user_name, args->secret, &error);
  g_clear_pointer (&args->secret, intake_secret_free);
  if (session == NULL || !intake_session_attach_store (session, store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&session), g_object_unref);
}

void
intake_store_unlock_async (IntakeStore *store,
                           const char *user_name,
                           const IntakeSecret *secret,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  UnlockArgs *args;

  g_return_if_fail (INTAKE_IS_STORE (store));
  g_return_if_fail (user_name != NULL);
  g_return_if_fail (secret != NULL);

  args = g_new0 (UnlockArgs, 1);
  args->data_dir = g_strdup (intake_store_get_data_dir (store));
  args->user_name = g_strdup (user_name);
  args->secret = intake_secret_new_from_data (secret->data, secret->len);
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_store_unlock_async);
  g_task_set_task_data (task, args, (GDestroyNotify) unlock_args_free);
  /* Not cancelled half-way: an attempt once counted is finished, so that its count and its
   * audit entry tell the truth. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, unlock_thread);
}

IntakeSession *
intake_store_unlock_finish (IntakeStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == intake_store_unlock_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
wipe_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (intake_store_wipe (source, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
intake_store_wipe_async (IntakeStore *store,
                         const char *actor,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (INTAKE_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_store_wipe_async);
  g_task_set_task_data (task, g_strdup (actor), g_free);
  /* A wipe once started is never abandoned half-way. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, wipe_thread);
}

gboolean
intake_store_wipe_finish (IntakeStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
