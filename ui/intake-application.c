/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-application.h"
#include "intake-location.h"
#include "intake-store.h"
#include "intake-ui-private.h"
#include "intake-window.h"

struct _IntakeApplication
{
  AdwApplication parent_instance;

  char *data_dir;
  gboolean kiosk;
};

G_DEFINE_FINAL_TYPE (IntakeApplication, intake_application, ADW_TYPE_APPLICATION)

static int
intake_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  IntakeApplication *self = INTAKE_APPLICATION (app);
  const char *dir = NULL;

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &dir) && dir != NULL && *dir != '\0')
    {
      g_free (self->data_dir);
      self->data_dir = g_canonicalize_filename (dir, NULL);
    }
  if (self->data_dir == NULL)
    self->data_dir = intake_store_default_data_dir ();
  self->kiosk = g_variant_dict_contains (options, "kiosk");
  /* The interface language this tablet was left in. Here, before any thread is started (the
   * session bus's comes with registration, after this): see intake-language.c. */
  _intake_ui_language_init (self->data_dir);
  /* Carry on with the default handling (activation). */
  return -1;
}

/* In kiosk mode nobody closes the window: the tablet is this app and nothing else. */
static gboolean
kiosk_close_request_cb (GtkWindow *window, gpointer user_data)
{
  return TRUE;
}

static void
kiosk_active_cb (GtkWindow *window, GParamSpec *pspec, gpointer user_data)
{
  if (!gtk_window_is_active (window))
    return;
  gtk_im_context_focus_out (GTK_IM_CONTEXT (user_data));
  g_signal_handlers_disconnect_by_func (window, kiosk_active_cb, user_data);
}

/* `intake --kiosk` (field-intake-kiosk, under cage): fullscreen, with no close, minimise or
 * maximise buttons and no quit. An admin leaves through the device (intake(1), "Kiosk"). */
static void
enter_kiosk_mode (IntakeApplication *self, GtkWindow *window)
{
  GAction *quit = g_action_map_lookup_action (G_ACTION_MAP (self), "quit");

  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "", NULL);
  gtk_window_set_deletable (window, FALSE);
  g_signal_connect (window, "close-request", G_CALLBACK (kiosk_close_request_cb), NULL);
  if (quit != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (quit), FALSE);
  gtk_window_fullscreen (window);
  /* The input method (and with it the on-screen keyboard) follows a text field's focus through
   * the compositor's text-input protocol, which tells only a text input that existed when the
   * window took the keyboard: sway 1.7 does not tell one made later. An input method context
   * focused now, before the window is shown, makes the text input at once; it lets go of the
   * focus as soon as the window has the keyboard, so that no keyboard rises for nothing. */
  {
    GtkIMContext *im = gtk_im_multicontext_new ();

    gtk_im_context_set_client_widget (im, GTK_WIDGET (window));
    gtk_im_context_focus_in (im);
    g_object_set_data_full (G_OBJECT (window), "intake-kiosk-im", im, g_object_unref);
    g_signal_connect (window, "notify::is-active", G_CALLBACK (kiosk_active_cb), im);
  }
}

static void
location_agent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* Not fatal: a geopoint can still be typed, and the page says why there is no position. */
  if (!intake_location_agent_register_finish (result, &error))
    g_message ("No location agent: %s", error->message);
}

static void
intake_application_activate (GApplication *app)
{
  IntakeApplication *self = INTAKE_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (intake_window_new (self, self->data_dir));
      if (self->kiosk)
        {
          enter_kiosk_mode (self, window);
          /* No desktop shell asks the person about the location here: this window answers
           * GeoClue for itself (intake-location.h). */
          intake_location_agent_register_async (NULL, location_agent_cb, NULL);
        }
    }
  gtk_window_present (window);
}

static void
intake_application_startup (GApplication *app)
{
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (intake_application_parent_class)->startup (app);
  gtk_css_provider_load_from_resource (css, "/org/fieldintake/Intake/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
quit_activated_cb (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
intake_application_finalize (GObject *object)
{
  IntakeApplication *self = INTAKE_APPLICATION (object);

  g_clear_pointer (&self->data_dir, g_free);
  G_OBJECT_CLASS (intake_application_parent_class)->finalize (object);
}

static void
intake_application_class_init (IntakeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = intake_application_finalize;
  app_class->handle_local_options = intake_application_handle_local_options;
  app_class->activate = intake_application_activate;
  app_class->startup = intake_application_startup;
}

static void
intake_application_init (IntakeApplication *self)
{
  static const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The tablet's data folder (default: ~/.local/share/intake)"), N_("DIR") },
    { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Fill the screen, with no window buttons and no way to close (a kiosk tablet)"), NULL },
    { NULL },
  };
  static const GActionEntry actions[] = {
    { .name = "quit", .activate = quit_activated_cb },
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

IntakeApplication *
intake_application_new (void)
{
  /* Not unique: each data folder is its own tablet, and tests start several in one session. */
  return g_object_new (INTAKE_TYPE_APPLICATION,
                       "application-id", "org.fieldintake.Intake",
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

const char *
intake_application_get_data_dir (IntakeApplication *self)
{
  g_return_val_if_fail (INTAKE_IS_APPLICATION (self), NULL);
  return self->data_dir;
}
