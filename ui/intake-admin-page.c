/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"
#include "intake-form.h"
#include "intake-json.h"
#include "intake-outbox.h"
#include "intake-provisioning.h"
#include "intake-sync.h"
#include "intake-ui-private.h"


G_DEFINE_FINAL_TYPE (IntakeAdminPage, intake_admin_page, ADW_TYPE_BIN)

enum
{
  SIGNAL_CLOSED,
  SIGNAL_TOAST,
  SIGNAL_ENROLLED,
  SIGNAL_WIPE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


/* ---- Building screens ---- */

void
_intake_admin_toast (IntakeAdminPage *self, const char *message)
{
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, message);
}

void
_intake_admin_clear_content (IntakeAdminPage *self)
{
  GtkWidget *child;

  self->problem_label = NULL;
  self->name_entry = self->pin_entry = self->pin_again_entry = NULL;
  self->url_entry = self->token_entry = self->confirm_entry = NULL;
  memset (self->role_buttons, 0, sizeof self->role_buttons);
  self->wipe_button = NULL;
  self->value_label = self->value_words = NULL;
  self->on_button = NULL;
  /* Entries lose their text (GtkPasswordEntry's is in GTK's secure memory) as they go. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content_box))) != NULL)
    gtk_box_remove (self->content_box, child);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroll), 0);
}

GtkWidget *
_intake_admin_add_label (IntakeAdminPage *self, const char *text, const char *css_class)
{
  return _intake_box_add_label (self->content_box, text, css_class);
}

GtkWidget *
_intake_admin_add_button (IntakeAdminPage *self, const char *label, const char *accessible,
                          const char *css_class, GCallback callback)
{
  GtkWidget *button = _intake_big_button (label, accessible, css_class);

  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
  return button;
}

/* A large choice: a title and, below it, what it means in plain words. */
GtkWidget *
_intake_admin_make_choice (const char *title, const char *description, const char *accessible)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *t = gtk_label_new (title);

  gtk_label_set_wrap (GTK_LABEL (t), TRUE);
  gtk_label_set_xalign (GTK_LABEL (t), 0);
  gtk_widget_add_css_class (t, "choice-title");
  gtk_box_append (GTK_BOX (box), t);
  if (description != NULL)
    {
      GtkWidget *d = gtk_label_new (description);
      gtk_label_set_wrap (GTK_LABEL (d), TRUE);
      gtk_label_set_xalign (GTK_LABEL (d), 0);
      gtk_widget_add_css_class (d, "dim-label");
      gtk_box_append (GTK_BOX (box), d);
    }
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "admin-choice");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible ? accessible : title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description ? description : "", -1);
  return button;
}

GtkWidget *
_intake_admin_add_choice (IntakeAdminPage *self, const char *title, const char *description,
                          const char *accessible, GCallback callback)
{
  GtkWidget *button = _intake_admin_make_choice (title, description, accessible);

  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
  return button;
}

void
_intake_admin_add_back (IntakeAdminPage *self, const char *label, GCallback callback)
{
  GtkWidget *button = _intake_big_button (label, NULL, "flat");

  /* A short label on one line; the button is as wide as it needs. */
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), FALSE);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
}

/* Where a refusal or failure is said, in the words the store or the server gave. */
void
_intake_admin_add_problem (IntakeAdminPage *self)
{
  self->problem_label = GTK_LABEL (_intake_admin_add_label (self, "", "problem"));
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
}

void
_intake_admin_show_problem (IntakeAdminPage *self, const char *text)
{
  if (self->problem_label == NULL)
    {
      _intake_admin_toast (self, text);
      return;
    }
  gtk_label_set_label (self->problem_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
}

GtkEditable *
_intake_admin_add_entry (IntakeAdminPage *self, const char *accessible, const char *placeholder,
                         gboolean secret)
{
  GtkWidget *entry;

  if (secret)
    {
      entry = gtk_password_entry_new ();
      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
      if (placeholder != NULL)
        g_object_set (entry, "placeholder-text", placeholder, NULL);
    }
  else
    {
      entry = gtk_entry_new ();
      if (placeholder != NULL)
        gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
    }
  gtk_widget_add_css_class (entry, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  _intake_admin_add_label (self, accessible, "heading");
  gtk_box_append (self->content_box, entry);
  return GTK_EDITABLE (entry);
}

/* Two buttons side by side: the decision and the way back. */
GtkWidget *
_intake_admin_add_decision (IntakeAdminPage *self, GtkWidget *cancel, GtkWidget *act)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_box_set_homogeneous (GTK_BOX (row), TRUE);
  gtk_box_append (GTK_BOX (row), cancel);
  gtk_box_append (GTK_BOX (row), act);
  gtk_box_append (self->content_box, row);
  return row;
}

const char *
_intake_admin_role_words (IntakeRole role)
{
  switch (role)
    {
    case INTAKE_ROLE_WORKER:
      return _("Worker");
    case INTAKE_ROLE_SUPERVISOR:
      return _("Supervisor");
    case INTAKE_ROLE_ADMIN:
      return _("Administrator");
    default:
      return "";
    }
}

gboolean
intake_admin_page_is_busy (IntakeAdminPage *self)
{
  g_return_val_if_fail (INTAKE_IS_ADMIN_PAGE (self), FALSE);
  return self->busy;
}

static void
set_busy (IntakeAdminPage *self, const char *message)
{
  self->busy = message != NULL;
  /* The focus leaves an entry before it turns insensitive (GTK 4.8 warns otherwise). */
  if (self->busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->busy_box));
  gtk_label_set_label (self->busy_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->busy_box), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->content_box), !self->busy);
}

/* ---- Work in a thread: Argon2id and the network ---- */


/* What the page waits for: the work runs on the session's queue (intake-session-queue.h) or,
 * for a form file, reads the file first. Only a weak reference to the page: a lock destroys the
 * page (and every widget on it) at once, and the result then finds nobody to tell. */
typedef struct
{
  GWeakRef page;
  JobKind kind;
  char *name;
} Pending;

static Pending *
pending_new (IntakeAdminPage *self, JobKind kind, const char *name, const char *message)
{
  Pending *pending = g_new0 (Pending, 1);

  g_weak_ref_init (&pending->page, self);
  pending->kind = kind;
  pending->name = g_strdup (name);
  if (self->problem_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
  set_busy (self, message);
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
  set_busy (self, NULL);
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
        _intake_admin_show_users (self);
        break;
      case JOB_SET_PIN:
        done = g_strdup_printf (_("%s has a new PIN"), pending->name);
        _intake_admin_toast (self, done);
        _intake_admin_show_users (self);
        break;
      case JOB_ENROLL:
      case JOB_ENROLL_FILE:
        _intake_admin_toast (self, _("This tablet is now connected to the server"));
        g_signal_emit (self, signals[SIGNAL_ENROLLED], 0);
        _intake_admin_show_enroll (self);
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
        _intake_admin_show_forms (self);
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
                        IntakeSecret *secret)
{
  Pending *pending = pending_new (self, JOB_ADD_USER, name,
                                  _("Adding the person and protecting their keys with the PIN…"));

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
_intake_admin_set_pin (IntakeAdminPage *self, const char *name, IntakeSecret *secret)
{
  Pending *pending = pending_new (self, JOB_SET_PIN, name,
                                  _("Protecting the keys with the new PIN…"));

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
_intake_admin_enroll (IntakeAdminPage *self, const char *url, char *token)
{
  Pending *pending = pending_new (self, JOB_ENROLL, NULL, _("Connecting to the server…"));

  /* The queue copies the code and wipes its copy; this one goes now. */
  intake_sync_enroll_async (self->session, url, token, NULL, NULL, NULL, enrolled_cb, pending);
  intake_crypto_wipe_string (token);
  g_free (token);
}

void
_intake_admin_enroll_file (IntakeAdminPage *self, const char *path)
{
  Pending *pending = pending_new (self, JOB_ENROLL_FILE, NULL,
                                  _("Reading the provisioning file and connecting to the "
                                    "server…"));

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
_intake_admin_import_form (IntakeAdminPage *self, const char *path)
{
  Pending *pending = pending_new (self, JOB_IMPORT_FORM, NULL,
                                  _("Reading and checking the form…"));
  g_autoptr (GFile) file = g_file_new_for_path (path);

  /* A file chosen by mistake (a photo, a video) is not read into memory at all. */
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, NULL, form_measured_cb, pending);
}

/* ---- The menu ---- */

static void
back_home_cb (IntakeAdminPage *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

void
_intake_admin_show_menu (IntakeAdminPage *self)
{
  GtkWidget *wipe;

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to home"), G_CALLBACK (back_home_cb));
  _intake_admin_add_label (self, _("Administration"), "title-1");
  _intake_admin_add_choice (self, _("Users"), _("Add a person, give a new PIN, remove someone."),
                            NULL, G_CALLBACK (_intake_admin_show_users));
  _intake_admin_add_choice (self, _("Tablet rules"),
              _("When it locks, supervisor review, wrong PINs allowed, how long to keep sent "
                "interviews."),
              NULL, G_CALLBACK (_intake_admin_show_policies));
  _intake_admin_add_choice (self, _("Server connection"),
              _("Connect this tablet to the organisation’s server."), NULL,
              G_CALLBACK (_intake_admin_show_enroll));
  _intake_admin_add_choice (self, _("Forms"), _("The interview forms on this tablet."), NULL,
              G_CALLBACK (_intake_admin_show_forms));
  _intake_admin_add_choice (self, _("Activity log"), _("Who did what on this tablet, and when."),
                            NULL, G_CALLBACK (_intake_admin_show_audit));
  wipe = _intake_admin_add_choice (self, _("Wipe this tablet"),
                                   _("Destroy everything on it, for good."), NULL,
                                   G_CALLBACK (_intake_admin_show_wipe));
  gtk_widget_add_css_class (wipe, "destructive-action");
}

/* ---- The object ---- */

static void
intake_admin_page_dispose (GObject *object)
{
  IntakeAdminPage *self = INTAKE_ADMIN_PAGE (object);

  /* A job still running finishes its work, but reports to no one. */
  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->content_box != NULL)
    _intake_admin_clear_content (self);
  /* The bin's child is the template's root: let go of it before the template does. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_ADMIN_PAGE);
  self->content_box = NULL;
  g_clear_object (&self->session);
  G_OBJECT_CLASS (intake_admin_page_parent_class)->dispose (object);
}

static void
intake_admin_page_finalize (GObject *object)
{
  IntakeAdminPage *self = INTAKE_ADMIN_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->subject, g_free);
  G_OBJECT_CLASS (intake_admin_page_parent_class)->finalize (object);
}

static void
intake_admin_page_class_init (IntakeAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_admin_page_dispose;
  object_class->finalize = intake_admin_page_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ENROLLED] = g_signal_new ("enrolled", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);
  signals[SIGNAL_WIPE] = g_signal_new ("wipe", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-admin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeAdminPage, scroll);
  gtk_widget_class_bind_template_child (widget_class, IntakeAdminPage, busy_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeAdminPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, IntakeAdminPage, busy_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeAdminPage, content_box);
}

static void
intake_admin_page_init (IntakeAdminPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_focusable (GTK_WIDGET (self->busy_box), TRUE);
}

IntakeAdminPage *
intake_admin_page_new (IntakeSession *session, GError **error)
{
  IntakeAdminPage *self;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (intake_session_get_role (session) != INTAKE_ROLE_ADMIN)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                   _("%s is not an administrator"), intake_session_get_user_name (session));
      return NULL;
    }
  self = g_object_new (INTAKE_TYPE_ADMIN_PAGE, NULL);
  self->session = g_object_ref (session);
  _intake_admin_show_menu (self);
  return self;
}
