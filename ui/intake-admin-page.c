/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-admin-page-private.h"
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


gboolean
intake_admin_page_is_busy (IntakeAdminPage *self)
{
  g_return_val_if_fail (INTAKE_IS_ADMIN_PAGE (self), FALSE);
  return self->busy;
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
  self->show_menu = show_menu;
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
