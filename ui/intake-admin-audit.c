/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Administration, Activity: the newest entries of the audit log, in words. */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"
#include "intake-json.h"


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

void
_intake_admin_show_audit (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) entries = intake_session_list_audit_json (self->session, &error);
  g_autoptr (GPtrArray) users = intake_store_list_users (store, NULL);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *list;
  JsonArray *arr;
  guint n, shown = 0;

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to administration"), G_CALLBACK (_intake_admin_show_menu));
  _intake_admin_add_label (self, _("Activity log"), "title-1");
  _intake_admin_add_label (
      self,
      _("Who did what on this tablet, and when, newest first. It never holds what "
        "was said in an interview. Each entry is chained to the one before and "
        "signed, so that a change to the log shows."),
      "dim-label");
  _intake_admin_add_problem (self);
  if (entries == NULL)
    {
      _intake_admin_show_problem (self, error->message);
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
      _intake_admin_add_label (self, more, "dim-label");
    }
}
