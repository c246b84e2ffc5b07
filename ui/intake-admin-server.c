/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Administration, Server connection (typed, or from a provisioning file) and Forms. */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"
#include "intake-json.h"
#include "intake-provisioning.h"


/* ---- The server connection ---- */

static void
connect_clicked_cb (IntakeAdminPage *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (self->url_entry)));
  char *token;

  if (self->busy)
    return;
  if (*url == '\0')
    {
      _intake_admin_show_problem (
          self, _("Type the server’s address first (it starts with https://)."));
      return;
    }
  token = g_strstrip (g_strdup (gtk_editable_get_text (self->token_entry)));
  gtk_editable_set_text (self->token_entry, "");
  if (*token == '\0')
    {
      g_free (token);
      _intake_admin_show_problem (
          self, _("Type the enrollment code the server’s administrator gave you."));
      return;
    }
  _intake_admin_enroll (self, url, token, _intake_admin_show_enroll);
}

/* The provisioning file and a form file are both chosen here; the chooser's "job-kind" says
 * which job the chosen file starts. */
static void
chooser_response_cb (GtkNativeDialog *dialog, int response, IntakeAdminPage *self)
{
  g_autoptr (GFile) file = NULL;
  JobKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "job-kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
  if (file == NULL || self->busy)
    return;
  if (g_file_peek_path (file) == NULL)
    {
      _intake_admin_show_problem (self, _("That file is not on this tablet; copy it here first."));
      return;
    }
  if (kind == JOB_IMPORT_FORM)
    _intake_admin_import_form (self, g_file_peek_path (file),
                               _intake_admin_show_forms);
  else
    _intake_admin_enroll_file (self, g_file_peek_path (file),
                               _intake_admin_show_enroll);
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
  /* A form may also be an XLSForm spreadsheet (issue #12), converted in the worker. */
  if (kind == JOB_IMPORT_FORM)
    {
      gtk_file_filter_add_suffix (filter, "xlsx");
      gtk_file_filter_add_suffix (filter, "csv");
      gtk_file_filter_add_suffix (filter, "md");
    }
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

void
_intake_admin_show_enroll (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (IntakeEnrollment) e = intake_store_dup_enrollment (store, NULL);
  g_autofree char *state = NULL;

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to administration"), G_CALLBACK (_intake_admin_show_menu));
  _intake_admin_add_label (self, _("Server connection"), "title-1");
  if (e != NULL)
    {
      g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (e->enrolled);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");
      state = g_strdup_printf (_("Connected to %s as “%s” since %s. Completed interviews are "
                                 "sent there, sealed so that only the data manager can read "
                                 "them."),
                               e->server_url, e->device_name ? e->device_name : "", date);
      _intake_admin_add_label (self, state, "title-4");
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
        _intake_admin_add_label (self, fp_text, NULL);
        trusted = intake_session_dup_trusted_enrollment (self->session, &trust_error);
        if (trusted == NULL)
          _intake_admin_add_label (self, trust_error->message, "error");
      }
      _intake_admin_add_label (
          self, _("To move this tablet to another server, connect again below."), "dim-label");
    }
  else
    _intake_admin_add_label (
        self,
        _("This tablet is not connected to a server yet. Interviews wait on the "
          "tablet, safely encrypted, until it is."),
        "title-4");
  _intake_admin_add_problem (self);
  _intake_admin_add_choice (self, _("Use a provisioning file"),
              _("A small file from the server’s administrator, for example on a USB stick."),
              NULL, G_CALLBACK (choose_file_cb));
  _intake_admin_add_label (self, _("Or type what the server’s administrator gave you:"),
                           "heading");
  self->url_entry = _intake_admin_add_entry (self, _("Server address"), "https://", FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->url_entry), GTK_INPUT_PURPOSE_URL);
  self->token_entry = _intake_admin_add_entry (self, _("Enrollment code"), NULL, TRUE);
  _intake_admin_add_button (self, _("Connect"), _("Connect to the server"), "suggested-action",
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

void
_intake_admin_show_forms (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) forms = intake_store_list_forms_json (store, &error);
  GtkWidget *list;
  JsonArray *arr;

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to administration"), G_CALLBACK (_intake_admin_show_menu));
  _intake_admin_add_label (self, _("Forms"), "title-1");
  _intake_admin_add_label (
      self,
      _("The interview forms installed on this tablet. New versions arrive from "
        "the server by themselves; every version is kept, and an interview stays "
        "on the version it started with."),
      "dim-label");
  _intake_admin_add_problem (self);
  _intake_admin_add_choice (self, _("Install a form from a file…"),
              _("A form file (.json, or an XLSForm spreadsheet .xlsx) from the server’s "
                "administrator, for example on a USB stick. It is checked before anything is "
                "installed."),
              _("Install a form from a file"), G_CALLBACK (choose_form_file_cb));
  if (forms == NULL)
    {
      _intake_admin_show_problem (self, error->message);
      return;
    }
  arr = json_node_get_array (forms);
  if (json_array_get_length (arr) == 0)
    {
      _intake_admin_add_label (self, _("No form is installed yet."), "title-4");
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
