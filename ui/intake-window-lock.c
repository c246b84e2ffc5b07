/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-admin-page.h"
#include "intake-home-page.h"
#include "intake-unlock-page.h"

#include "intake-window-private.h"

/* How often the idle clock is looked at. Activity only records a time stamp (cheap on every
 * pointer motion); this check decides whether the policy's idle time has passed. */
#define IDLE_CHECK_SECONDS 2

/* The idle time before locking: the store's policy, shortened (never lengthened) by
 * INTAKE_AUTO_LOCK_SECONDS so that tests need not wait minutes. 0 means never. */
static gint64
auto_lock_seconds (IntakeWindow *self)
{
  const char *env = g_getenv ("INTAKE_AUTO_LOCK_SECONDS");
  gint64 seconds = (gint64) intake_store_get_policy_int (self->store,
                                                         INTAKE_POLICY_AUTO_LOCK_MINUTES) * 60;

  if (env != NULL)
    {
      gint64 shorter = g_ascii_strtoll (env, NULL, 10);
      if (shorter > 0 && (seconds <= 0 || shorter < seconds))
        seconds = shorter;
    }
  return seconds;
}

void
_intake_window_note_activity (IntakeWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static gboolean
idle_check_cb (gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW_UNCHECKED (user_data);
  gint64 limit;

  if (self->session == NULL)
    {
      self->idle_source = 0;
      return G_SOURCE_REMOVE;
    }
  limit = auto_lock_seconds (self);
  if (limit > 0 && g_get_monotonic_time () - self->last_activity >= limit * G_USEC_PER_SEC)
    {
      self->idle_source = 0;
      _intake_window_lock (self);
      intake_window_add_toast (self, _("Locked after a time without use"));
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* "key-pressed" returns whether the key was handled: FALSE, or no widget would ever see it. */
static gboolean
activity_key_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                 GdkModifierType state, gpointer user_data)
{
  _intake_window_note_activity (INTAKE_WINDOW_UNCHECKED (user_data));
  return FALSE;
}

static void
activity_click_cb (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  _intake_window_note_activity (INTAKE_WINDOW_UNCHECKED (user_data));
}

static void
activity_motion_cb (GtkEventControllerMotion *controller, double x, double y, gpointer user_data)
{
  _intake_window_note_activity (INTAKE_WINDOW_UNCHECKED (user_data));
}

static void
activity_scroll_cb (GtkEventControllerScroll *controller, double dx, double dy,
                    gpointer user_data)
{
  _intake_window_note_activity (INTAKE_WINDOW_UNCHECKED (user_data));
}

void
_intake_window_lock (IntakeWindow *self)
{
  _intake_window_drop_content_page (self);
  intake_home_page_clear (self->home_page);
  _intake_window_dismiss_toasts (self);
  if (self->session != NULL)
    intake_session_lock (self->session);
  g_clear_object (&self->session);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_button), FALSE);
  adw_window_title_set_subtitle (self->window_title, "");
  intake_unlock_page_reset (self->unlock_page);
  _intake_stack_show (self->stack, "unlock");
}

/* Home, where an unlock lands, is shown from this file: the pages' file is above it. */
void
_intake_window_show_home (IntakeWindow *self)
{
  intake_home_page_refresh (self->home_page, self->session);
  if (self->sync != NULL)
    _intake_window_update_sync_status (self);
  _intake_stack_show (self->stack, "home");
}

static void
unlocked_cb (IntakeWindow *self, IntakeSession *session)
{
  g_set_object (&self->session, session);
  adw_window_title_set_subtitle (self->window_title, intake_session_get_user_name (session));
  gtk_widget_set_visible (GTK_WIDGET (self->lock_button), TRUE);
  _intake_window_note_activity (self);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->idle_source = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_check_cb, self);
  _intake_window_trace (self, "unlocked");
  _intake_window_show_home (self);
  if (self->trace)
    {
      self->trace_home_pending = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
_intake_window_build_unlock_page (IntakeWindow *self)
{
  GtkWidget *page = g_object_new (INTAKE_TYPE_UNLOCK_PAGE, NULL);

  g_signal_connect_swapped (page, "unlocked", G_CALLBACK (unlocked_cb), self);
  self->unlock_page = INTAKE_UNLOCK_PAGE (page);
  gtk_stack_add_named (self->stack, page, "unlock");
  gtk_widget_set_visible (page, FALSE);
  if (self->store != NULL)
    intake_unlock_page_set_store (self->unlock_page, self->store);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection, const char *sender, const char *path,
                      const char *interface, const char *signal, GVariant *parameters,
                      gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW_UNCHECKED (user_data);
  gboolean sleeping = FALSE;

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    g_variant_get (parameters, "(b)", &sleeping);
  if (sleeping && self->session != NULL)
    _intake_window_lock (self);
}

static void
system_bus_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  IntakeWindow *self;

  /* No system bus (a test session, a container): no suspend to watch. */
  if (bus == NULL)
    return;
  self = INTAKE_WINDOW_UNCHECKED (user_data);
  self->system_bus = bus;
  self->sleep_subscription = g_dbus_connection_signal_subscribe (
      bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager", "PrepareForSleep",
      "/org/freedesktop/login1", NULL, G_DBUS_SIGNAL_FLAGS_NONE, prepare_for_sleep_cb, self, NULL);
}

static void
show_wiped (IntakeWindow *self)
{
  g_autofree char *text = g_strdup_printf (
      _("Every interview, every person’s keys and the tablet’s own key were destroyed, and the "
        "data files were overwritten and deleted.\n\nTo use this tablet again, an administrator "
        "sets it up from the start, from a terminal:\n\nintakectl --data-dir %s init --admin "
        "NAME"),
      self->data_dir);

  adw_status_page_set_icon_name (self->missing_page, "user-trash-symbolic");
  adw_status_page_set_title (self->missing_page, _("This tablet has been wiped"));
  adw_status_page_set_description (self->missing_page, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->missing_page),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  _intake_stack_show (self->stack, "missing");
}

static void
wipe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!intake_store_wipe_finish (INTAKE_STORE (source), result, &error))
    {
      g_autofree char *why = g_strdup_printf (_("The wipe did not finish: %s"), error->message);
      adw_status_page_set_icon_name (self->missing_page, "dialog-error-symbolic");
      _intake_window_show_missing (self, why);
      return;
    }
  show_wiped (self);
}

void
_intake_window_admin_wipe_cb (GtkWidget *page, IntakeWindow *self)
{
  g_autoptr (IntakeStore) store = NULL;
  g_autofree char *actor = NULL;

  if (self->session == NULL || self->store == NULL)
    return;
  actor = g_strdup (intake_session_get_user_id (self->session));
  /* Everyone is locked out first: the session's keys go, the pages with them. Then nothing in
   * this thread touches the store again: the engine stops and the window's connection closes. */
  _intake_window_lock (self);
  _intake_window_sync_stop (self);
  intake_unlock_page_set_store (self->unlock_page, NULL);
  store = g_steal_pointer (&self->store);

  adw_status_page_set_icon_name (self->missing_page, "user-trash-symbolic");
  adw_status_page_set_title (self->missing_page, _("Wiping this tablet…"));
  adw_status_page_set_description (self->missing_page,
                                   _("Destroying the keys, then overwriting the data files. "
                                     "Keep the tablet switched on."));
  _intake_stack_show (self->stack, "missing");

  /* The store is given up to the wipe, which overwrites the files in a thread on its own
   * connection; the window keeps no reference to it. */
  intake_store_wipe_async (store, actor, NULL, wipe_done_cb, g_object_ref (self));
}

void
_intake_window_lock_init (IntakeWindow *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (
      GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

  self->cancellable = g_cancellable_new ();
  /* The callback only runs while the window lives: dispose cancels the request first. */
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);

  /* Every touch, key and pointer move counts as use; capture phase, so that widgets that handle
   * the event themselves still reset the idle clock. */
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (activity_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (activity_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (activity_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (activity_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

void
_intake_window_lock_dispose (IntakeWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  /* The session's keys go with the window; nothing is written to the store here. */
  if (self->session != NULL)
    intake_session_lock (self->session);
  g_clear_object (&self->session);
}
