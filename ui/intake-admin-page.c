/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page.h"
#include "intake-form.h"
#include "intake-json.h"
#include "intake-outbox.h"
#include "intake-provisioning.h"
#include "intake-sync.h"
#include "intake-ui-private.h"

/*
 * An admin's screens, one decision each: a menu, then users (add, a new PIN, remove), the
 * tablet's rules (policies), the server connection (typed, or from a provisioning file), the
 * installed forms, the activity log (audit) and Wipe. Each screen is built when shown and
 * destroyed when left; the window creates this page per visit and destroys it on lock.
 *
 * Key derivations (a new user's PIN, a new PIN) and enrollment (network) run in a worker thread
 * with its own copy of the session on its own connection to the store: the window's thread never
 * waits for Argon2id or the server, and locking never frees keys the worker is using. A job
 * started before a lock still completes (it was asked for); its result is not shown.
 */
struct _IntakeAdminPage
{
  AdwBin parent_instance;

  GtkScrolledWindow *scroll;
  GtkBox *busy_box;
  GtkSpinner *spinner;
  GtkLabel *busy_label;
  GtkBox *content_box;

  IntakeSession *session;
  GCancellable *cancellable;
  gboolean busy;
  GtkFileChooserNative *chooser;

  /* The widgets of the screen shown, owned by content_box. */
  GtkLabel *problem_label;
  GtkEditable *name_entry;
  GtkEditable *pin_entry;
  GtkEditable *pin_again_entry;
  GtkEditable *url_entry;
  GtkEditable *token_entry;
  GtkEditable *confirm_entry;
  GtkWidget *role_buttons[3];
  GtkWidget *wipe_button;
  GtkLabel *value_label;
  GtkLabel *value_words;
  GtkWidget *on_button;
  /* What the screen is about: a user's name or a policy's key. */
  char *subject;
  int policy_value;
};

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

static void show_menu (IntakeAdminPage *self);
static void show_users (IntakeAdminPage *self);
static void show_policies (IntakeAdminPage *self);
static void show_enroll (IntakeAdminPage *self);
static void show_forms (IntakeAdminPage *self);

/* ---- Building screens ---- */

static void
toast (IntakeAdminPage *self, const char *message)
{
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, message);
}

static void
clear_content (IntakeAdminPage *self)
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

static GtkWidget *
add_label (IntakeAdminPage *self, const char *text, const char *css_class)
{
  return _intake_box_add_label (self->content_box, text, css_class);
}

static GtkWidget *
add_button (IntakeAdminPage *self, const char *label, const char *accessible,
            const char *css_class, GCallback callback)
{
  GtkWidget *button = _intake_big_button (label, accessible, css_class);

  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
  return button;
}

/* A large choice: a title and, below it, what it means in plain words. */
static GtkWidget *
make_choice (const char *title, const char *description, const char *accessible)
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

static GtkWidget *
add_choice (IntakeAdminPage *self, const char *title, const char *description,
            const char *accessible, GCallback callback)
{
  GtkWidget *button = make_choice (title, description, accessible);

  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
  return button;
}

static void
add_back (IntakeAdminPage *self, const char *label, GCallback callback)
{
  GtkWidget *button = _intake_big_button (label, NULL, "flat");

  /* A short label on one line; the button is as wide as it needs. */
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), FALSE);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
}

/* Where a refusal or failure is said, in the words the store or the server gave. */
static void
add_problem (IntakeAdminPage *self)
{
  self->problem_label = GTK_LABEL (add_label (self, "", "problem"));
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
}

static void
show_problem (IntakeAdminPage *self, const char *text)
{
  if (self->problem_label == NULL)
    {
      toast (self, text);
      return;
    }
  gtk_label_set_label (self->problem_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
}

static GtkEditable *
add_entry (IntakeAdminPage *self, const char *accessible, const char *placeholder,
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
  add_label (self, accessible, "heading");
  gtk_box_append (self->content_box, entry);
  return GTK_EDITABLE (entry);
}

/* Two buttons side by side: the decision and the way back. */
static GtkWidget *
add_decision (IntakeAdminPage *self, GtkWidget *cancel, GtkWidget *act)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_box_set_homogeneous (GTK_BOX (row), TRUE);
  gtk_box_append (GTK_BOX (row), cancel);
  gtk_box_append (GTK_BOX (row), act);
  gtk_box_append (self->content_box, row);
  return row;
}

static const char *
role_words (IntakeRole role)
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

typedef enum
{
  JOB_ADD_USER,
  JOB_SET_PIN,
  JOB_ENROLL,
  JOB_ENROLL_FILE,
  JOB_IMPORT_FORM,
} JobKind;

typedef struct
{
  JobKind kind;
  char *data_dir;
  IntakeSession *session; /* a copy for the worker, on its own connection */
  char *name;
  IntakeRole role;
  IntakeSecret *secret;
  char *url;
  char *token;
  char *file;
  /* What JOB_IMPORT_FORM installed, and whether that exact version was there already. */
  char *form_id;
  int form_version;
  gboolean form_known;
} Job;

static void
job_free (Job *job)
{
  if (job->session != NULL)
    intake_session_lock (job->session);
  g_clear_object (&job->session);
  g_free (job->data_dir);
  g_free (job->name);
  g_clear_pointer (&job->secret, intake_secret_free);
  g_free (job->url);
  if (job->token != NULL)
    intake_crypto_wipe_string (job->token);
  g_free (job->token);
  g_free (job->file);
  g_free (job->form_id);
  g_free (job);
}

/* Whether @store already holds version @version of form @form_id. */
static gboolean
form_installed (IntakeStore *store, const char *form_id, int version)
{
  g_autoptr (JsonNode) forms = intake_store_list_forms_json (store, NULL);
  JsonArray *arr;

  if (forms == NULL)
    return FALSE;
  arr = json_node_get_array (forms);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *f = json_array_get_object_element (arr, i);

      if (g_strcmp0 (intake_json_get_string (f, "id"), form_id) == 0
          && intake_json_get_int (f, "version", 0) == version)
        return TRUE;
    }
  return FALSE;
}

/* Reads the form file and installs it through the same call as `intakectl form import`. The
 * store keeps an identical second import as it was (and says so here); a changed form under a
 * version already installed is refused by the store, which names the form and version. */
static gboolean
import_form_file (Job *job, IntakeStore *store, GError **error)
{
  g_autoptr (IntakeForm) form = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (job->file);
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *doc = NULL;
  gsize len = 0;

  /* A file chosen by mistake (a photo, a video) is not read into memory at all. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                            error);
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
  if (!g_file_load_contents (file, NULL, &doc, &len, NULL, error))
    return FALSE;
  if (strlen (doc) != len)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           _("This is not a form file: it is not text."));
      return FALSE;
    }
  /* Only to tell "already installed" apart from "installed now"; the store validates again. */
  form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT, NULL);
  if (form != NULL)
    job->form_known = form_installed (store, intake_form_get_id (form),
                                      (int) intake_form_get_version (form));
  return intake_session_import_form (job->session, doc, &job->form_id, &job->form_version,
                                     error);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeProvisioning) provisioning = NULL;
  GError *error = NULL;
  gboolean ok = FALSE;

  store = intake_store_open (job->data_dir, &error);
  if (store != NULL && intake_session_attach_store (job->session, store, &error))
    switch (job->kind)
      {
      case JOB_ADD_USER:
        ok = intake_session_add_user (job->session, job->name, job->role, job->secret, &error);
        break;
      case JOB_SET_PIN:
        ok = intake_session_change_secret (job->session, job->name, job->secret, &error);
        break;
      case JOB_ENROLL:
        ok = intake_sync_enroll (job->session, job->url, job->token, NULL, NULL, &error);
        break;
      case JOB_ENROLL_FILE:
        provisioning = intake_provisioning_load (job->file, &error);
        ok = provisioning != NULL
             && intake_sync_enroll_provisioning (job->session, provisioning, &error);
        break;
      case JOB_IMPORT_FORM:
        ok = import_form_file (job, store, &error);
        break;
      default:
        g_assert_not_reached ();
      }
  /* The copy's keys and the secret go now, in this thread, not whenever the task is freed. */
  intake_session_lock (job->session);
  g_clear_object (&job->session);
  g_clear_pointer (&job->secret, intake_secret_free);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
job_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *page_ref = user_data;
  g_autoptr (IntakeAdminPage) self = g_weak_ref_get (page_ref);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *done = NULL;

  g_weak_ref_clear (page_ref);
  g_free (page_ref);
  /* Locked (or left) meanwhile: the page is gone, or going, and shows nothing more. */
  if ((!g_task_propagate_boolean (G_TASK (result), &error)
       && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      || self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  set_busy (self, NULL);
  if (error != NULL && job->kind == JOB_IMPORT_FORM)
    {
      /* The store's words name the problem (the question, the file); ours say what it means. */
      done = g_strdup_printf (_("Nothing was installed. %s"), error->message);
      show_problem (self, done);
      return;
    }
  if (error != NULL)
    {
      show_problem (self, error->message);
      return;
    }
  switch (job->kind)
    {
    case JOB_ADD_USER:
      done = g_strdup_printf (_("%s was added and can now unlock this tablet"), job->name);
      toast (self, done);
      show_users (self);
      break;
    case JOB_SET_PIN:
      done = g_strdup_printf (_("%s has a new PIN"), job->name);
      toast (self, done);
      show_users (self);
      break;
    case JOB_ENROLL:
    case JOB_ENROLL_FILE:
      toast (self, _("This tablet is now connected to the server"));
      g_signal_emit (self, signals[SIGNAL_ENROLLED], 0);
      show_enroll (self);
      break;
    case JOB_IMPORT_FORM:
      if (job->form_known)
        done = g_strdup_printf (_("Version %d of form %s was already installed; nothing changed"),
                                job->form_version, job->form_id);
      else
        done = g_strdup_printf (_("Form %s version %d is installed"), job->form_id,
                                job->form_version);
      toast (self, done);
      show_forms (self);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Takes @job; the busy card says @message while it runs. */
static void
start_job (IntakeAdminPage *self, Job *job, const char *message)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  GWeakRef *page_ref;

  job->data_dir = g_strdup (intake_store_get_data_dir (intake_session_get_store (self->session)));
  job->session = intake_session_dup (self->session, &error);
  if (job->session == NULL)
    {
      job_free (job);
      show_problem (self, error->message);
      return;
    }
  if (self->problem_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
  set_busy (self, message);
  /* The task holds only a weak reference to the page: a lock destroys the page (and every
   * widget on it) at once, and the worker's result then finds nobody to tell. */
  page_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (page_ref, self);
  task = g_task_new (NULL, self->cancellable, job_done_cb, page_ref);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

/* ---- PINs ---- */

/* The new PIN from the two entries, when they match; the entries are cleared either way. */
static IntakeSecret *
take_new_pin (IntakeAdminPage *self)
{
  const char *pin = gtk_editable_get_text (self->pin_entry);
  const char *again = gtk_editable_get_text (self->pin_again_entry);
  size_t len = strlen (pin);
  IntakeSecret *secret = NULL;

  if (len == 0)
    show_problem (self, _("Type the new PIN first."));
  else if (len != strlen (again) || sodium_memcmp (pin, again, len) != 0)
    show_problem (self, _("The two PINs are not the same. Type them again."));
  else
    secret = intake_secret_new_from_data (pin, len);
  gtk_editable_set_text (self->pin_entry, "");
  gtk_editable_set_text (self->pin_again_entry, "");
  return secret;
}

static void
add_pin_entries (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  int min = intake_store_get_policy_int (store, INTAKE_POLICY_MIN_SECRET_LENGTH);
  g_autofree char *hint = g_strdup_printf (
      ngettext ("At least %d digit or letter. Tell it to the person in private.",
                "At least %d digits or letters. Tell it to the person in private.", min),
      min);

  self->pin_entry = add_entry (self, _("New PIN"), NULL, TRUE);
  self->pin_again_entry = add_entry (self, _("The same PIN again"), NULL, TRUE);
  add_label (self, hint, "dim-label");
}

/* ---- Users ---- */

static void
add_user_clicked_cb (IntakeAdminPage *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (self->name_entry)));
  IntakeSecret *secret;
  Job *job;
  int role = -1;

  if (self->busy)
    return;
  for (int i = 0; i < 3; i++)
    if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->role_buttons[i])))
      role = i;
  if (*name == '\0')
    {
      show_problem (self, _("Type the person’s name first."));
      return;
    }
  if (role < 0)
    {
      show_problem (self, _("Choose what the person does: worker, supervisor or administrator."));
      return;
    }
  secret = take_new_pin (self);
  if (secret == NULL)
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_ADD_USER;
  job->name = g_steal_pointer (&name);
  job->role = (IntakeRole) role;
  job->secret = secret;
  start_job (self, job, _("Adding the person and protecting their keys with the PIN…"));
}

static void
show_add_user (IntakeAdminPage *self)
{
  static const IntakeRole roles[] = { INTAKE_ROLE_WORKER, INTAKE_ROLE_SUPERVISOR,
                                      INTAKE_ROLE_ADMIN };
  GtkWidget *box, *cancel, *act;

  clear_content (self);
  add_back (self, _("Back to users"), G_CALLBACK (show_users));
  add_label (self, _("Add a person"), "title-1");
  add_problem (self);
  self->name_entry = add_entry (self, _("Name"), _("The name shown on the unlock screen"),
                                FALSE);
  add_label (self, _("What does this person do?"), "heading");
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  for (int i = 0; i < 3; i++)
    {
      const char *what = roles[i] == INTAKE_ROLE_WORKER
                             ? _("Takes interviews and sees only their own.")
                         : roles[i] == INTAKE_ROLE_SUPERVISOR
                             ? _("Checks completed interviews and approves them for sending.")
                             : _("Manages this tablet: people, rules, the server connection.");
      GtkWidget *b = gtk_toggle_button_new ();
      GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *t = gtk_label_new (role_words (roles[i]));
      GtkWidget *d = gtk_label_new (what);

      gtk_label_set_xalign (GTK_LABEL (t), 0);
      gtk_widget_add_css_class (t, "choice-title");
      gtk_label_set_xalign (GTK_LABEL (d), 0);
      gtk_label_set_wrap (GTK_LABEL (d), TRUE);
      gtk_box_append (GTK_BOX (inner), t);
      gtk_box_append (GTK_BOX (inner), d);
      gtk_button_set_child (GTK_BUTTON (b), inner);
      gtk_widget_add_css_class (b, "choice");
      gtk_widget_add_css_class (b, "admin-choice");
      gtk_accessible_update_property (GTK_ACCESSIBLE (b), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      role_words (roles[i]), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      what, -1);
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (b),
                                     GTK_TOGGLE_BUTTON (self->role_buttons[0]));
      self->role_buttons[i] = b;
      gtk_box_append (GTK_BOX (box), b);
    }
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->role_buttons[0]), TRUE);
  gtk_box_append (self->content_box, box);
  add_pin_entries (self);
  cancel = _intake_big_button (_("Cancel"), NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (show_users), self);
  act = _intake_big_button (_("Add this person"), NULL, "suggested-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (add_user_clicked_cb), self);
  add_decision (self, cancel, act);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
set_pin_clicked_cb (IntakeAdminPage *self)
{
  IntakeSecret *secret;
  Job *job;

  if (self->busy)
    return;
  secret = take_new_pin (self);
  if (secret == NULL)
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_SET_PIN;
  job->name = g_strdup (self->subject);
  job->secret = secret;
  start_job (self, job, _("Protecting the keys with the new PIN…"));
}

static void
show_set_pin (IntakeAdminPage *self)
{
  gboolean me = g_strcmp0 (self->subject, intake_session_get_user_name (self->session)) == 0;
  g_autofree char *title = me ? g_strdup (_("Change my PIN"))
                              : g_strdup_printf (_("A new PIN for %s"), self->subject);
  g_autofree char *what = NULL;
  g_autofree char *act_name = NULL;
  GtkWidget *cancel, *act;

  clear_content (self);
  add_back (self, _("Back to users"), G_CALLBACK (show_users));
  add_label (self, title, "title-1");
  if (me)
    add_label (self, _("Your keys stay the same; only the PIN that opens them changes."), NULL);
  else
    {
      what = g_strdup_printf (_("%s gets new keys, opened by this PIN, and can unlock again at "
                                "once. The old PIN stops working. Their interviews stay "
                                "readable."),
                              self->subject);
      add_label (self, what, NULL);
    }
  add_problem (self);
  add_pin_entries (self);
  cancel = _intake_big_button (_("Cancel"), NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (show_users), self);
  act_name = me ? g_strdup (_("Save my new PIN"))
                : g_strdup_printf (_("Save the new PIN for %s"), self->subject);
  act = _intake_big_button (_("Save the new PIN"), act_name, "suggested-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (set_pin_clicked_cb), self);
  add_decision (self, cancel, act);
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

static void
remove_clicked_cb (IntakeAdminPage *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *done = NULL;

  if (self->busy)
    return;
  /* One short transaction, no key derivation: done here. */
  if (!intake_session_remove_user (self->session, self->subject, &error))
    {
      show_problem (self, error->message);
      return;
    }
  done = g_strdup_printf (_("%s was removed from this tablet"), self->subject);
  toast (self, done);
  show_users (self);
}

static void
show_remove (IntakeAdminPage *self)
{
  g_autofree char *title = g_strdup_printf (_("Remove %s?"), self->subject);
  g_autofree char *what = g_strdup_printf (
      _("%s will no longer be able to unlock this tablet: their keys are destroyed. The "
        "interviews they took stay on the tablet, readable by supervisors, and are still sent."),
      self->subject);
  g_autofree char *keep = g_strdup_printf (_("Keep %s"), self->subject);
  g_autofree char *remove = g_strdup_printf (_("Remove %s"), self->subject);
  GtkWidget *cancel, *act;

  clear_content (self);
  add_back (self, _("Back to users"), G_CALLBACK (show_users));
  add_label (self, title, "title-1");
  add_label (self, what, NULL);
  add_problem (self);
  cancel = _intake_big_button (keep, NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (show_users), self);
  act = _intake_big_button (remove, NULL, "destructive-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (remove_clicked_cb), self);
  add_decision (self, cancel, act);
}

static void
user_chosen_cb (GtkButton *button, IntakeAdminPage *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "user-name");
  const char *what = g_object_get_data (G_OBJECT (button), "what");

  g_free (self->subject);
  self->subject = g_strdup (name);
  if (g_strcmp0 (what, "pin") == 0)
    show_set_pin (self);
  else
    show_remove (self);
}

static void
show_users (IntakeAdminPage *self)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) error = NULL;
  IntakeStore *store = intake_session_get_store (self->session);

  clear_content (self);
  add_back (self, _("Back to administration"), G_CALLBACK (show_menu));
  add_label (self, _("Users"), "title-1");
  add_label (self, _("The people who can unlock this tablet, each with their own PIN."),
             "dim-label");
  add_problem (self);
  add_button (self, _("Add a person"), NULL, "suggested-action", G_CALLBACK (show_add_user));
  users = intake_store_list_users (store, &error);
  if (users == NULL)
    {
      show_problem (self, error->message);
      return;
    }
  for (guint i = 0; i < users->len; i++)
    {
      IntakeUserInfo *u = users->pdata[i];
      gboolean me = g_strcmp0 (u->name, intake_session_get_user_name (self->session)) == 0;
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *name = gtk_label_new (u->name);
      g_autofree char *state = NULL;
      g_autofree char *pin_name = NULL;
      g_autofree char *remove_name = NULL;
      GtkWidget *b, *s;

      if (u->locked_out)
        state = g_strdup_printf (_("%s · locked out after too many wrong PINs: give a new PIN"),
                                 role_words (u->role));
      else if (me)
        state = g_strdup_printf (_("%s · that is you"), role_words (u->role));
      else
        state = g_strdup (role_words (u->role));
      gtk_widget_add_css_class (card, "card");
      gtk_widget_add_css_class (card, "user-card");
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_widget_add_css_class (name, "title-3");
      gtk_box_append (GTK_BOX (card), name);
      s = gtk_label_new (state);
      gtk_label_set_xalign (GTK_LABEL (s), 0);
      gtk_label_set_wrap (GTK_LABEL (s), TRUE);
      gtk_widget_add_css_class (s, u->locked_out ? "problem" : "dim-label");
      gtk_box_append (GTK_BOX (card), s);

      gtk_box_set_homogeneous (GTK_BOX (buttons), TRUE);
      pin_name = me ? g_strdup (_("Change my PIN"))
                    : g_strdup_printf (_("New PIN for %s"), u->name);
      b = _intake_big_button (me ? _("Change my PIN") : _("New PIN"), pin_name, NULL);
      g_object_set_data_full (G_OBJECT (b), "user-name", g_strdup (u->name), g_free);
      g_object_set_data (G_OBJECT (b), "what", (gpointer) "pin");
      g_signal_connect (b, "clicked", G_CALLBACK (user_chosen_cb), self);
      gtk_box_append (GTK_BOX (buttons), b);
      if (!me)
        {
          remove_name = g_strdup_printf (_("Remove %s"), u->name);
          b = _intake_big_button (_("Remove"), remove_name, NULL);
          g_object_set_data_full (G_OBJECT (b), "user-name", g_strdup (u->name), g_free);
          g_object_set_data (G_OBJECT (b), "what", (gpointer) "remove");
          g_signal_connect (b, "clicked", G_CALLBACK (user_chosen_cb), self);
          gtk_box_append (GTK_BOX (buttons), b);
        }
      gtk_box_append (GTK_BOX (card), buttons);
      gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      u->name, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state, -1);
      gtk_box_append (self->content_box, card);
    }
}

/* ---- Policies: the tablet's rules ---- */

typedef struct
{
  const char *key;
  /* Values offered by Less and More: a few sensible steps, not every number. */
  const int *steps;
  guint n_steps;
} PolicyInfo;

static const int lock_steps[] = { 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240 };
static const int failed_steps[] = { 0, 3, 5, 10, 15, 20, 30, 50, 100 };
static const int keep_steps[] = { 0, 1, 2, 3, 7, 14, 30, 60, 90, 180, 365 };
static const int length_steps[] = { 4, 5, 6, 7, 8, 10, 12, 16, 20 };

static const PolicyInfo policies[] = {
  { INTAKE_POLICY_AUTO_LOCK_MINUTES, lock_steps, G_N_ELEMENTS (lock_steps) },
  { INTAKE_POLICY_REVIEW_REQUIRED, NULL, 0 },
  { INTAKE_POLICY_MAX_FAILED_UNLOCKS, failed_steps, G_N_ELEMENTS (failed_steps) },
  { INTAKE_POLICY_KEEP_SENT_DAYS, keep_steps, G_N_ELEMENTS (keep_steps) },
  { INTAKE_POLICY_MIN_SECRET_LENGTH, length_steps, G_N_ELEMENTS (length_steps) },
};

static const PolicyInfo *
policy_info (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (policies); i++)
    if (g_strcmp0 (policies[i].key, key) == 0)
      return &policies[i];
  return NULL;
}

static const char *
policy_title (const char *key)
{
  if (g_str_equal (key, INTAKE_POLICY_AUTO_LOCK_MINUTES))
    return _("Lock when not in use");
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    return _("Supervisor review");
  if (g_str_equal (key, INTAKE_POLICY_MAX_FAILED_UNLOCKS))
    return _("Wrong PINs allowed");
  if (g_str_equal (key, INTAKE_POLICY_KEEP_SENT_DAYS))
    return _("Keep sent interviews");
  return _("Shortest PIN");
}

static const char *
policy_question (const char *key)
{
  if (g_str_equal (key, INTAKE_POLICY_AUTO_LOCK_MINUTES))
    return _("After how long without a touch should the tablet lock itself?");
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    return _("Must a supervisor check each completed interview before it is sent?");
  if (g_str_equal (key, INTAKE_POLICY_MAX_FAILED_UNLOCKS))
    return _("How many wrong PINs in a row before that person’s keys are destroyed? Their "
             "interviews stay safe; an administrator then gives them a new PIN.");
  if (g_str_equal (key, INTAKE_POLICY_KEEP_SENT_DAYS))
    return _("How long should the tablet keep its own copy of an interview after the server "
             "has confirmed it?");
  return _("How many digits or letters must a new PIN have at least? Longer PINs are harder "
           "to guess if the tablet is stolen.");
}

/* The value in words, as the person will see it. */
static char *
policy_words (const char *key, int value)
{
  if (g_str_equal (key, INTAKE_POLICY_AUTO_LOCK_MINUTES))
    return g_strdup_printf (ngettext ("After %d minute", "After %d minutes", value), value);
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    return g_strdup (value ? _("On: a supervisor checks every interview")
                           : _("Off: completed interviews are sent without a check"));
  if (g_str_equal (key, INTAKE_POLICY_MAX_FAILED_UNLOCKS))
    return value == 0 ? g_strdup (_("No limit (not safe if a tablet is lost)"))
                      : g_strdup_printf (ngettext ("%d wrong PIN", "%d wrong PINs", value),
                                         value);
  if (g_str_equal (key, INTAKE_POLICY_KEEP_SENT_DAYS))
    return value == 0 ? g_strdup (_("Removed as soon as the server confirms"))
                      : g_strdup_printf (ngettext ("Kept %d day", "Kept %d days", value), value);
  return g_strdup_printf (ngettext ("At least %d character", "At least %d characters", value),
                          value);
}

static void
update_policy_value (IntakeAdminPage *self)
{
  g_autofree char *words = policy_words (self->subject, self->policy_value);
  g_autofree char *number = g_strdup_printf ("%d", self->policy_value);

  if (self->value_label != NULL)
    {
      gtk_label_set_label (self->value_label, number);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->value_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, words, -1);
    }
  if (self->value_words != NULL)
    gtk_label_set_label (self->value_words, words);
}

static void
policy_step (IntakeAdminPage *self, int direction)
{
  const PolicyInfo *info = policy_info (self->subject);

  if (info == NULL || info->steps == NULL)
    return;
  if (direction > 0)
    {
      for (guint i = 0; i < info->n_steps; i++)
        if (info->steps[i] > self->policy_value)
          {
            self->policy_value = info->steps[i];
            break;
          }
    }
  else
    {
      for (guint i = info->n_steps; i > 0; i--)
        if (info->steps[i - 1] < self->policy_value)
          {
            self->policy_value = info->steps[i - 1];
            break;
          }
    }
  update_policy_value (self);
}

static void
less_clicked_cb (IntakeAdminPage *self)
{
  policy_step (self, -1);
}

static void
more_clicked_cb (IntakeAdminPage *self)
{
  policy_step (self, 1);
}

static void
on_off_toggled_cb (GtkToggleButton *button, IntakeAdminPage *self)
{
  if (self->on_button == NULL)
    return;
  self->policy_value = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->on_button)) ? 1 : 0;
  update_policy_value (self);
}

static void
save_policy_clicked_cb (IntakeAdminPage *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *words = NULL;
  g_autofree char *done = NULL;

  if (g_str_equal (self->subject, INTAKE_POLICY_REVIEW_REQUIRED))
    value = g_strdup (self->policy_value ? "true" : "false");
  else
    value = g_strdup_printf ("%d", self->policy_value);
  /* One short audited transaction: done here. */
  if (!intake_session_set_policy (self->session, self->subject, value, &error))
    {
      show_problem (self, error->message);
      return;
    }
  words = policy_words (self->subject, self->policy_value);
  done = g_strdup_printf (_("Saved: %s — %s"), policy_title (self->subject), words);
  toast (self, done);
  show_policies (self);
}

static GtkWidget *
make_on_off (const char *title, const char *accessible)
{
  GtkWidget *b = gtk_toggle_button_new_with_label (title);

  gtk_widget_add_css_class (b, "choice");
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (b))), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (b), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  return b;
}

static void
show_policy (IntakeAdminPage *self)
{
  const char *key = self->subject;
  IntakeStore *store = intake_session_get_store (self->session);
  GtkWidget *cancel, *act;
  g_autofree char *save_name = g_strdup_printf (_("Save %s"), policy_title (key));

  self->policy_value = intake_store_get_policy_int (store, key);
  clear_content (self);
  add_back (self, _("Back to the rules"), G_CALLBACK (show_policies));
  add_label (self, policy_title (key), "title-1");
  add_label (self, policy_question (key), "title-4");
  add_problem (self);
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    {
      GtkWidget *on = make_on_off (_("On: a supervisor checks every interview"),
                                   _("Review on"));
      GtkWidget *off = make_on_off (_("Off: completed interviews are sent without a check"),
                                    _("Review off"));

      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (off), GTK_TOGGLE_BUTTON (on));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->policy_value ? on : off), TRUE);
      self->on_button = on;
      g_signal_connect (on, "toggled", G_CALLBACK (on_off_toggled_cb), self);
      gtk_box_append (self->content_box, on);
      gtk_box_append (self->content_box, off);
    }
  else
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *less = _intake_big_button ("−", _("Less"), NULL);
      GtkWidget *more = _intake_big_button ("+", _("More"), NULL);
      GtkWidget *value = gtk_label_new ("");

      gtk_widget_add_css_class (less, "numkey");
      gtk_widget_add_css_class (more, "numkey");
      gtk_widget_add_css_class (value, "value-big");
      gtk_widget_set_hexpand (value, TRUE);
      g_signal_connect_swapped (less, "clicked", G_CALLBACK (less_clicked_cb), self);
      g_signal_connect_swapped (more, "clicked", G_CALLBACK (more_clicked_cb), self);
      gtk_box_append (GTK_BOX (row), less);
      gtk_box_append (GTK_BOX (row), value);
      gtk_box_append (GTK_BOX (row), more);
      gtk_box_append (self->content_box, row);
      self->value_label = GTK_LABEL (value);
      self->value_words = GTK_LABEL (add_label (self, "", "title-3"));
      gtk_label_set_xalign (self->value_words, 0.5);
    }
  update_policy_value (self);
  cancel = _intake_big_button (_("Cancel"), NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (show_policies), self);
  act = _intake_big_button (_("Save"), save_name, "suggested-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (save_policy_clicked_cb), self);
  add_decision (self, cancel, act);
}

static void
policy_chosen_cb (GtkButton *button, IntakeAdminPage *self)
{
  g_free (self->subject);
  self->subject = g_strdup (g_object_get_data (G_OBJECT (button), "policy"));
  show_policy (self);
}

static void
show_policies (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);

  clear_content (self);
  add_back (self, _("Back to administration"), G_CALLBACK (show_menu));
  add_label (self, _("Tablet rules"), "title-1");
  add_label (self, _("They apply to everyone who uses this tablet. Tap one to change it."),
             "dim-label");
  for (guint i = 0; i < G_N_ELEMENTS (policies); i++)
    {
      const char *key = policies[i].key;
      g_autofree char *words = policy_words (key, intake_store_get_policy_int (store, key));
      GtkWidget *b = make_choice (policy_title (key), words, NULL);

      g_object_set_data (G_OBJECT (b), "policy", (gpointer) key);
      g_signal_connect (b, "clicked", G_CALLBACK (policy_chosen_cb), self);
      gtk_box_append (self->content_box, b);
    }
}

/* ---- The server connection ---- */

static void
connect_clicked_cb (IntakeAdminPage *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (self->url_entry)));
  char *token;
  Job *job;

  if (self->busy)
    return;
  if (*url == '\0')
    {
      show_problem (self, _("Type the server’s address first (it starts with https://)."));
      return;
    }
  token = g_strstrip (g_strdup (gtk_editable_get_text (self->token_entry)));
  gtk_editable_set_text (self->token_entry, "");
  if (*token == '\0')
    {
      g_free (token);
      show_problem (self, _("Type the enrollment code the server’s administrator gave you."));
      return;
    }
  job = g_new0 (Job, 1);
  job->kind = JOB_ENROLL;
  job->url = g_steal_pointer (&url);
  job->token = token;
  start_job (self, job, _("Connecting to the server…"));
}

/* The provisioning file and a form file are both chosen here; the chooser's "job-kind" says
 * which job the chosen file starts. */
static void
chooser_response_cb (GtkNativeDialog *dialog, int response, IntakeAdminPage *self)
{
  g_autoptr (GFile) file = NULL;
  JobKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "job-kind"));
  Job *job;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
  if (file == NULL || self->busy)
    return;
  if (g_file_peek_path (file) == NULL)
    {
      show_problem (self, _("That file is not on this tablet; copy it here first."));
      return;
    }
  job = g_new0 (Job, 1);
  job->kind = kind;
  job->file = g_file_get_path (file);
  if (kind == JOB_IMPORT_FORM)
    start_job (self, job, _("Reading and checking the form…"));
  else
    start_job (self, job, _("Reading the provisioning file and connecting to the server…"));
}

static void
open_chooser (IntakeAdminPage *self, JobKind kind, const char *title, const char *accept,
              const char *filter_name)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->busy || self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (title,
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, accept, _("Cancel"));
  g_object_set_data (G_OBJECT (self->chooser), "job-kind", GINT_TO_POINTER (kind));
  gtk_file_filter_set_name (filter, filter_name);
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
choose_file_cb (IntakeAdminPage *self)
{
  open_chooser (self, JOB_ENROLL_FILE, _("Choose the provisioning file"), _("Connect"),
                _("Provisioning files"));
}

static void
show_enroll (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (IntakeEnrollment) e = intake_store_dup_enrollment (store, NULL);
  g_autofree char *state = NULL;

  clear_content (self);
  add_back (self, _("Back to administration"), G_CALLBACK (show_menu));
  add_label (self, _("Server connection"), "title-1");
  if (e != NULL)
    {
      g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (e->enrolled);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");
      state = g_strdup_printf (_("Connected to %s as “%s” since %s. Completed interviews are "
                                 "sent there, sealed so that only the data manager can read "
                                 "them."),
                               e->server_url, e->device_name ? e->device_name : "", date);
      add_label (self, state, "title-4");
      {
        g_autoptr (IntakeEnrollment) trusted = NULL;
        g_autoptr (GError) trust_error = NULL;
        g_autofree char *fp_text = NULL;
        char fingerprint[INTAKE_FINGERPRINT_TEXT_SIZE];

        /* The fingerprint is what an admin compares with the server's set-up; whether the
         * stored keys are still the ones enrolled is checked with this admin's trust key. */
        intake_enrollment_get_org_fingerprint (e, fingerprint);
        fp_text = g_strdup_printf (_("Organisation key fingerprint: %s. It must match the one "
                                     "shown when the server was set up."),
                                   fingerprint);
        add_label (self, fp_text, NULL);
        trusted = intake_session_dup_trusted_enrollment (self->session, &trust_error);
        if (trusted == NULL)
          add_label (self, trust_error->message, "error");
      }
      add_label (self, _("To move this tablet to another server, connect again below."),
                 "dim-label");
    }
  else
    add_label (self, _("This tablet is not connected to a server yet. Interviews wait on the "
                       "tablet, safely encrypted, until it is."),
               "title-4");
  add_problem (self);
  add_choice (self, _("Use a provisioning file"),
              _("A small file from the server’s administrator, for example on a USB stick."),
              NULL, G_CALLBACK (choose_file_cb));
  add_label (self, _("Or type what the server’s administrator gave you:"), "heading");
  self->url_entry = add_entry (self, _("Server address"), "https://", FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->url_entry), GTK_INPUT_PURPOSE_URL);
  self->token_entry = add_entry (self, _("Enrollment code"), NULL, TRUE);
  add_button (self, _("Connect"), _("Connect to the server"), "suggested-action",
              G_CALLBACK (connect_clicked_cb));
}

/* ---- Forms ---- */

static void
choose_form_file_cb (IntakeAdminPage *self)
{
  open_chooser (self, JOB_IMPORT_FORM, _("Choose the form file"), _("Install"), _("Form files"));
}

/* A form's title as the list shows it: in the interface's language when the form has it, else
 * in English, else in the first language it has (a title is {"en": …, "id": …} or a string). */
static const char *
form_title (JsonObject *form)
{
  JsonNode *node = json_object_get_member (form, "title");
  JsonObject *texts;
  const char *t;
  GList *langs;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node))
    return intake_json_get_string (form, "title");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  texts = json_node_get_object (node);
  if ((t = intake_json_get_string (texts, _intake_ui_language_current ())) != NULL
      || (t = intake_json_get_string (texts, "en")) != NULL)
    return t;
  langs = json_object_get_members (texts);
  t = langs != NULL ? intake_json_get_string (texts, langs->data) : NULL;
  g_list_free (langs);
  return t;
}

static void
show_forms (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) forms = intake_store_list_forms_json (store, &error);
  GtkWidget *list;
  JsonArray *arr;

  clear_content (self);
  add_back (self, _("Back to administration"), G_CALLBACK (show_menu));
  add_label (self, _("Forms"), "title-1");
  add_label (self, _("The interview forms installed on this tablet. New versions arrive from "
                     "the server by themselves; every version is kept, and an interview stays "
                     "on the version it started with."),
             "dim-label");
  add_problem (self);
  add_choice (self, _("Install a form from a file…"),
              _("A form file (.json) from the server’s administrator, for example on a USB "
                "stick. It is checked before anything is installed."),
              _("Install a form from a file"), G_CALLBACK (choose_form_file_cb));
  if (forms == NULL)
    {
      show_problem (self, error->message);
      return;
    }
  arr = json_node_get_array (forms);
  if (json_array_get_length (arr) == 0)
    {
      add_label (self, _("No form is installed yet."), "title-4");
      return;
    }
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Installed forms"), -1);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *f = json_array_get_object_element (arr, i);
      const char *title = form_title (f);
      const char *imported = intake_json_get_string (f, "imported");
      g_autofree char *escaped = g_markup_escape_text (title ? title
                                                             : intake_json_get_string (f, "id"),
                                                       -1);
      g_autofree char *subtitle = g_strdup_printf (
          _("Version %d · installed %s · %s"), (int) intake_json_get_int (f, "version", 0),
          imported ? imported : "", intake_json_get_string (f, "id"));
      g_autofree char *escaped_sub = g_markup_escape_text (subtitle, -1);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_sub);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_box_append (self->content_box, list);
}

/* ---- The activity log ---- */

/* The newest entries shown; the whole log is in `intakectl audit`. */
#define AUDIT_SHOWN 200

static const char *
audit_words (const char *action)
{
  static const struct
  {
    const char *action;
    const char *words;
  } table[] = {
    { "init", N_("Tablet set up") },
    { "unlock", N_("Unlocked") },
    { "unlock-failed", N_("Wrong PIN") },
    { "lockout", N_("Locked out after too many wrong PINs") },
    { "user-add", N_("Person added") },
    { "user-passwd", N_("PIN changed") },
    { "user-remove", N_("Person removed") },
    { "policy-set", N_("Rule changed") },
    { "form-import", N_("Form installed") },
    { "create", N_("Interview started") },
    { "view", N_("Interview opened") },
    { "edit", N_("Interview edited") },
    { "complete", N_("Interview completed") },
    { "approve", N_("Interview approved") },
    { "return", N_("Interview returned to its author") },
    { "void", N_("Interview voided") },
    { "export", N_("Interviews exported") },
    { "enroll", N_("Connected to a server") },
    { "seal", N_("Interview sealed for sending") },
    { "sent", N_("Interview received by the server") },
    { "sync-refused", N_("Interview refused by the server") },
    { "wipe", N_("Tablet wiped") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_strcmp0 (table[i].action, action) == 0)
      return _(table[i].words);
  return action;
}

static void
show_audit (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) entries = intake_session_list_audit_json (self->session, &error);
  g_autoptr (GPtrArray) users = intake_store_list_users (store, NULL);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *list;
  JsonArray *arr;
  guint n, shown = 0;

  clear_content (self);
  add_back (self, _("Back to administration"), G_CALLBACK (show_menu));
  add_label (self, _("Activity log"), "title-1");
  add_label (self, _("Who did what on this tablet, and when, newest first. It never holds what "
                     "was said in an interview. Each entry is chained to the one before and "
                     "signed, so that a change to the log shows."),
             "dim-label");
  add_problem (self);
  if (entries == NULL)
    {
      show_problem (self, error->message);
      return;
    }
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      IntakeUserInfo *u = users->pdata[i];
      g_hash_table_insert (names, u->id, u->name);
    }
  arr = json_node_get_array (entries);
  n = json_array_get_length (arr);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Activity log"), -1);
  for (guint i = n; i > 0 && shown < AUDIT_SHOWN; i--, shown++)
    {
      JsonObject *e = json_array_get_object_element (arr, i - 1);
      const char *who = intake_json_get_string (e, "actor_name");
      const char *action = intake_json_get_string (e, "action");
      const char *subject = intake_json_get_string (e, "subject");
      const char *about = subject ? g_hash_table_lookup (names, subject) : NULL;
      const char *at = intake_json_get_string (e, "at");
      g_autoptr (GDateTime) utc = at ? g_date_time_new_from_iso8601 (at, NULL) : NULL;
      g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
      g_autofree char *when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      /* A user's name where the subject is a user; ids of interviews mean nothing here. */
      if (about != NULL && g_strcmp0 (about, who) != 0)
        title = g_markup_printf_escaped ("%s: %s", audit_words (action), about);
      else
        title = g_markup_escape_text (audit_words (action), -1);
      subtitle = g_markup_printf_escaped (_("%s · by %s"), when ? when : "",
                                          who ? who : _("the tablet itself"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_box_append (self->content_box, list);
  if (n > AUDIT_SHOWN)
    {
      g_autofree char *more = g_strdup_printf (
          _("The %d newest of %u entries are shown; “intakectl audit” lists them all."),
          AUDIT_SHOWN, n);
      add_label (self, more, "dim-label");
    }
}

/* ---- Wipe ---- */

static gboolean
confirmed (IntakeAdminPage *self)
{
  g_autofree char *typed = g_utf8_strup (gtk_editable_get_text (self->confirm_entry), -1);
  /* Translators: the word an administrator types to confirm a wipe, in capitals. */
  g_autofree char *word = g_utf8_strup (_("WIPE"), -1);

  return g_str_equal (g_strstrip (typed), word);
}

static void
confirm_changed_cb (IntakeAdminPage *self)
{
  if (self->wipe_button != NULL)
    gtk_widget_set_sensitive (self->wipe_button, confirmed (self));
}

static void
wipe_clicked_cb (IntakeAdminPage *self)
{
  if (self->busy || !confirmed (self))
    return;
  g_signal_emit (self, signals[SIGNAL_WIPE], 0);
}

static void
show_wipe (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (JsonNode) status = intake_store_dup_status_json (store, NULL);
  g_autofree char *ask = g_strdup_printf (_("To confirm, type the word %s below."), _("WIPE"));
  int unsent = 0;
  GtkWidget *cancel;

  if (status != NULL)
    {
      JsonObject *counts = intake_json_get_object (json_node_get_object (status), "interviews");
      if (counts != NULL)
        unsent = (int) (intake_json_get_int (counts, "draft", 0)
                        + intake_json_get_int (counts, "awaiting_review", 0)
                        + intake_json_get_int (counts, "queued", 0));
    }
  clear_content (self);
  add_back (self, _("Back to administration"), G_CALLBACK (show_menu));
  add_label (self, _("Wipe this tablet"), "title-1");
  add_label (self, _("This destroys every interview, every person’s keys and the tablet’s own "
                     "key, for good. Nobody can undo it. Do it when the tablet is about to be "
                     "lost or taken, or before it is given away."),
             "title-4");
  if (unsent > 0)
    {
      g_autofree char *lost = g_strdup_printf (
          ngettext ("%d interview has not reached the server yet and will be lost.",
                    "%d interviews have not reached the server yet and will be lost.", unsent),
          unsent);
      add_label (self, lost, "urgent");
    }
  add_problem (self);
  add_label (self, ask, "heading");
  self->confirm_entry = add_entry (self, _("Confirmation word"), NULL, FALSE);
  g_signal_connect_swapped (self->confirm_entry, "changed", G_CALLBACK (confirm_changed_cb),
                            self);
  cancel = _intake_big_button (_("Cancel"), _("Do not wipe"), NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (show_menu), self);
  self->wipe_button = _intake_big_button (_("Wipe everything now"), NULL, "destructive-action");
  gtk_widget_set_sensitive (self->wipe_button, FALSE);
  g_signal_connect_swapped (self->wipe_button, "clicked", G_CALLBACK (wipe_clicked_cb), self);
  add_decision (self, cancel, self->wipe_button);
}

/* ---- The menu ---- */

static void
back_home_cb (IntakeAdminPage *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
show_menu (IntakeAdminPage *self)
{
  GtkWidget *wipe;

  clear_content (self);
  add_back (self, _("Back to home"), G_CALLBACK (back_home_cb));
  add_label (self, _("Administration"), "title-1");
  add_choice (self, _("Users"), _("Add a person, give a new PIN, remove someone."), NULL,
              G_CALLBACK (show_users));
  add_choice (self, _("Tablet rules"),
              _("When it locks, supervisor review, wrong PINs allowed, how long to keep sent "
                "interviews."),
              NULL, G_CALLBACK (show_policies));
  add_choice (self, _("Server connection"),
              _("Connect this tablet to the organisation’s server."), NULL,
              G_CALLBACK (show_enroll));
  add_choice (self, _("Forms"), _("The interview forms on this tablet."), NULL,
              G_CALLBACK (show_forms));
  add_choice (self, _("Activity log"), _("Who did what on this tablet, and when."), NULL,
              G_CALLBACK (show_audit));
  wipe = add_choice (self, _("Wipe this tablet"),
                     _("Destroy everything on it, for good."), NULL, G_CALLBACK (show_wipe));
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
    clear_content (self);
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
  show_menu (self);
  return self;
}
