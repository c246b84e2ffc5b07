/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"
#include "intake-form.h"
#include "intake-outbox.h"
#include "intake-provisioning.h"
#include "intake-sync.h"

/* ---- Work in a thread: Argon2id and the network ---- */


/* What the page waits for: the work runs on the session's queue (intake-session-queue.h) or,
 * for a form file, reads the file first. Only a weak reference to the page: a lock destroys the
 * page (and every widget on it) at once, and the result then finds nobody to tell. */
typedef struct
{
  GWeakRef page;
  JobKind kind;
  char *name;
  /* The screen to show once the job is done: the screen that started it. */
  IntakeAdminScreenFunc then;
} Pending;

static Pending *
pending_new (IntakeAdminPage *self, JobKind kind, const char *name, const char *message,
             IntakeAdminScreenFunc then)
{
  Pending *pending = g_new0 (Pending, 1);

  g_weak_ref_init (&pending->page, self);
  pending->kind = kind;
  pending->name = g_strdup (name);
  pending->then = then;
  if (self->problem_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
  _intake_admin_set_busy (self, message);
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_weak_ref_clear (&pending->page);
  g_free (pending->name);
  g_free (pending);
}

/* The page the result is for, or NULL when it is gone or going (locked, or left). */
static IntakeAdminPage *
pending_page (Pending *pending, GError *error)
{
  IntakeAdminPage *self = g_weak_ref_get (&pending->page);

  if (self != NULL && (g_cancellable_is_cancelled (self->cancellable)
                       || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    g_clear_object (&self);
  return self;
}

/* One way out for every job: the problem in the store's or the server's words, or what was
 * done and the screen to go back to. Takes @pending. */
static void
job_done (Pending *pending, GError *error, const char *form_id, int form_version,
          gboolean form_known)
{
  g_autoptr (IntakeAdminPage) self = pending_page (pending, error);
  g_autofree char *done = NULL;

  if (self == NULL)
    {
      pending_free (pending);
      return;
    }
  _intake_admin_set_busy (self, NULL);
  if (error != NULL && pending->kind == JOB_IMPORT_FORM)
    {
      /* The store's words name the problem (the question, the file); ours say what it means. */
      done = g_strdup_printf (_("Nothing was installed. %s"), error->message);
      _intake_admin_show_problem (self, done);
    }
  else if (error != NULL)
    _intake_admin_show_problem (self, error->message);
  else
    switch (pending->kind)
      {
      case JOB_ADD_USER:
        done = g_strdup_printf (_("%s was added and can now unlock this tablet"), pending->name);
        _intake_admin_toast (self, done);
        pending->then (self);
        break;
      case JOB_SET_PIN:
        done = g_strdup_printf (_("%s has a new PIN"), pending->name);
        _intake_admin_toast (self, done);
        pending->then (self);
        break;
      case JOB_ENROLL:
      case JOB_ENROLL_FILE:
        _intake_admin_toast (self, _("This tablet is now connected to the server"));
        g_signal_emit_by_name (self, "enrolled");
        pending->then (self);
        break;
      case JOB_IMPORT_FORM:
      default:
        if (form_known)
          done = g_strdup_printf (_("Version %d of form %s was already installed; nothing "
                                    "changed"),
                                  form_version, form_id);
        else
          done = g_strdup_printf (_("Form %s version %d is installed"), form_id, form_version);
        _intake_admin_toast (self, done);
        pending->then (self);
        break;
      }
  pending_free (pending);
}

static void
user_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  intake_session_add_user_finish (INTAKE_SESSION (source), result, &error);
  job_done (user_data, error, NULL, 0, FALSE);
}

void
_intake_admin_add_user (IntakeAdminPage *self, const char *name, IntakeRole role,
                        IntakeSecret *secret, IntakeAdminScreenFunc then)
{
  Pending *pending = pending_new (self, JOB_ADD_USER, name,
                                  _("Adding the person and protecting their keys with the PIN…"),
                                  then);

  intake_session_add_user_async (self->session, name, role, secret, NULL, user_added_cb,
                                 pending);
  intake_secret_free (secret);
}

static void
pin_set_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  intake_session_change_secret_finish (INTAKE_SESSION (source), result, &error);
  job_done (user_data, error, NULL, 0, FALSE);
}

void
_intake_admin_set_pin (IntakeAdminPage *self, const char *name, IntakeSecret *secret,
                       IntakeAdminScreenFunc then)
{
  Pending *pending = pending_new (self, JOB_SET_PIN, name,
                                  _("Protecting the keys with the new PIN…"), then);

  intake_session_change_secret_async (self->session, name, secret, NULL, pin_set_cb, pending);
  intake_secret_free (secret);
}

static void
enrolled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *pending = user_data;
  g_autoptr (GError) error = NULL;

  if (pending->kind == JOB_ENROLL)
    intake_sync_enroll_finish (INTAKE_SESSION (source), result, &error);
  else
    intake_sync_enroll_file_finish (INTAKE_SESSION (source), result, &error);
  job_done (pending, error, NULL, 0, FALSE);
}

void
_intake_admin_enroll (IntakeAdminPage *self, const char *url, char *token,
                      IntakeAdminScreenFunc then)
{
  Pending *pending = pending_new (self, JOB_ENROLL, NULL, _("Connecting to the server…"), then);

  /* The queue copies the code and wipes its copy; this one goes now. */
  intake_sync_enroll_async (self->session, url, token, NULL, NULL, NULL, enrolled_cb, pending);
  intake_crypto_wipe_string (token);
  g_free (token);
}

void
_intake_admin_enroll_file (IntakeAdminPage *self, const char *path, IntakeAdminScreenFunc then)
{
  Pending *pending = pending_new (self, JOB_ENROLL_FILE, NULL,
                                  _("Reading the provisioning file and connecting to the "
                                    "server…"), then);

  intake_sync_enroll_file_async (self->session, path, NULL, enrolled_cb, pending);
}

static void
form_imported_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *form_id = NULL;
  int version = 0;
  gboolean known = FALSE;

  intake_session_import_form_finish (INTAKE_SESSION (source), result, &form_id, &version, &known,
                                     &error);
  job_done (user_data, error, form_id, version, known);
}

static void
form_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *pending = user_data;
  g_autoptr (IntakeAdminPage) self = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *doc = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &doc, &len, NULL, &error))
    {
      job_done (pending, error, NULL, 0, FALSE);
      return;
    }
  if (strlen (doc) != len)
    {
      g_set_error_literal (&error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           _("This is not a form file: it is not text."));
      job_done (pending, error, NULL, 0, FALSE);
      return;
    }
  self = pending_page (pending, NULL);
  if (self == NULL)
    {
      pending_free (pending);
      return;
    }
  /* The store validates the form and installs it through the same call as `intakectl form
   * import`, on the session's queue. */
  intake_session_import_form_async (self->session, doc, NULL, form_imported_cb, pending);
}

static void
form_measured_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *pending = user_data;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (info != NULL && g_file_info_get_size (info) > INTAKE_FORM_MAX_BYTES)
    {
      g_autofree char *size = g_format_size (g_file_info_get_size (info));
      g_autofree char *limit = g_format_size (INTAKE_FORM_MAX_BYTES);

      g_set_error (&error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   _("This file is too large to be a form (%s; a form is at most %s)."), size,
                   limit);
    }
  if (error != NULL)
    {
      job_done (pending, error, NULL, 0, FALSE);
      return;
    }
  g_file_load_contents_async (G_FILE (source), NULL, form_loaded_cb, pending);
}

void
_intake_admin_import_form (IntakeAdminPage *self, const char *path, IntakeAdminScreenFunc then)
{
  Pending *pending = pending_new (self, JOB_IMPORT_FORM, NULL,
                                  _("Reading and checking the form…"), then);
  g_autoptr (GFile) file = g_file_new_for_path (path);

  /* A file chosen by mistake (a photo, a video) is not read into memory at all. */
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, NULL, form_measured_cb, pending);
}
