/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Administration, Users: add a user, a new PIN, remove. */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"


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
    _intake_admin_show_problem (self, _("Type the new PIN first."));
  else if (len != strlen (again) || sodium_memcmp (pin, again, len) != 0)
    _intake_admin_show_problem (self, _("The two PINs are not the same. Type them again."));
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

  self->pin_entry = _intake_admin_add_entry (self, _("New PIN"), NULL, TRUE);
  self->pin_again_entry = _intake_admin_add_entry (self, _("The same PIN again"), NULL, TRUE);
  _intake_admin_add_label (self, hint, "dim-label");
}

/* ---- Users ---- */

static void
add_user_clicked_cb (IntakeAdminPage *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (self->name_entry)));
  IntakeSecret *secret;
  int role = -1;

  if (self->busy)
    return;
  for (int i = 0; i < 3; i++)
    if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->role_buttons[i])))
      role = i;
  if (*name == '\0')
    {
      _intake_admin_show_problem (self, _("Type the person’s name first."));
      return;
    }
  if (role < 0)
    {
      _intake_admin_show_problem (
          self, _("Choose what the person does: worker, supervisor or administrator."));
      return;
    }
  secret = take_new_pin (self);
  if (secret == NULL)
    return;
  _intake_admin_add_user (self, name, (IntakeRole) role, secret,
                          _intake_admin_show_users);
}

static void
show_add_user (IntakeAdminPage *self)
{
  static const IntakeRole roles[] = { INTAKE_ROLE_WORKER, INTAKE_ROLE_SUPERVISOR,
                                      INTAKE_ROLE_ADMIN };
  GtkWidget *box, *cancel, *act;

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to users"), G_CALLBACK (_intake_admin_show_users));
  _intake_admin_add_label (self, _("Add a person"), "title-1");
  _intake_admin_add_problem (self);
  self->name_entry = _intake_admin_add_entry (self, _("Name"),
                                              _("The name shown on the unlock screen"), FALSE);
  _intake_admin_add_label (self, _("What does this person do?"), "heading");
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
      GtkWidget *t = gtk_label_new (_intake_admin_role_words (roles[i]));
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
                                      _intake_admin_role_words (roles[i]),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, what, -1);
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
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (_intake_admin_show_users), self);
  act = _intake_big_button (_("Add this person"), NULL, "suggested-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (add_user_clicked_cb), self);
  _intake_admin_add_decision (self, cancel, act);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
set_pin_clicked_cb (IntakeAdminPage *self)
{
  IntakeSecret *secret;

  if (self->busy)
    return;
  secret = take_new_pin (self);
  if (secret == NULL)
    return;
  _intake_admin_set_pin (self, self->subject, secret, _intake_admin_show_users);
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

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to users"), G_CALLBACK (_intake_admin_show_users));
  _intake_admin_add_label (self, title, "title-1");
  if (me)
    _intake_admin_add_label (
        self, _("Your keys stay the same; only the PIN that opens them changes."), NULL);
  else
    {
      what = g_strdup_printf (_("%s gets new keys, opened by this PIN, and can unlock again at "
                                "once. The old PIN stops working. Their interviews stay "
                                "readable."),
                              self->subject);
      _intake_admin_add_label (self, what, NULL);
    }
  _intake_admin_add_problem (self);
  add_pin_entries (self);
  cancel = _intake_big_button (_("Cancel"), NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (_intake_admin_show_users), self);
  act_name = me ? g_strdup (_("Save my new PIN"))
                : g_strdup_printf (_("Save the new PIN for %s"), self->subject);
  act = _intake_big_button (_("Save the new PIN"), act_name, "suggested-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (set_pin_clicked_cb), self);
  _intake_admin_add_decision (self, cancel, act);
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

static void
removed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeAdminPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *done = NULL;

  if (!intake_session_remove_user_finish (INTAKE_SESSION (source), result, &error))
    {
      if (self->session != NULL)
        _intake_admin_show_problem (self, error->message);
      return;
    }
  /* Locked meanwhile: the page is empty and shows nothing more. */
  if (self->session == NULL || self->subject == NULL)
    return;
  done = g_strdup_printf (_("%s was removed from this tablet"), self->subject);
  _intake_admin_toast (self, done);
  _intake_admin_show_users (self);
}

static void
remove_clicked_cb (IntakeAdminPage *self)
{
  if (self->busy)
    return;
  /* One short transaction, no key derivation, on the session's queue. */
  intake_session_remove_user_async (self->session, self->subject, NULL, removed_cb,
                                    g_object_ref (self));
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

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to users"), G_CALLBACK (_intake_admin_show_users));
  _intake_admin_add_label (self, title, "title-1");
  _intake_admin_add_label (self, what, NULL);
  _intake_admin_add_problem (self);
  cancel = _intake_big_button (keep, NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (_intake_admin_show_users), self);
  act = _intake_big_button (remove, NULL, "destructive-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (remove_clicked_cb), self);
  _intake_admin_add_decision (self, cancel, act);
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

void
_intake_admin_show_users (IntakeAdminPage *self)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) error = NULL;
  IntakeStore *store = intake_session_get_store (self->session);

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to administration"), G_CALLBACK (_intake_admin_show_menu));
  _intake_admin_add_label (self, _("Users"), "title-1");
  _intake_admin_add_label (
      self, _("The people who can unlock this tablet, each with their own PIN."), "dim-label");
  _intake_admin_add_problem (self);
  _intake_admin_add_button (self, _("Add a person"), NULL, "suggested-action",
                            G_CALLBACK (show_add_user));
  users = intake_store_list_users (store, &error);
  if (users == NULL)
    {
      _intake_admin_show_problem (self, error->message);
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
                                 _intake_admin_role_words (u->role));
      else if (me)
        state = g_strdup_printf (_("%s · that is you"), _intake_admin_role_words (u->role));
      else
        state = g_strdup (_intake_admin_role_words (u->role));
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
