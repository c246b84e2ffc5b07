/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "intake-admin-page.h"
#include "intake-home-page.h"
#include "intake-interview-page.h"
#include "intake-outbox.h"
#include "intake-review-page.h"
#include "intake-crypto.h"
#include "intake-store.h"
#include "intake-sync-engine.h"
#include "intake-unlock-page.h"
#include "intake-window.h"
#include "intake-ui-private.h"

/* Below this width (in pixels) the window is "narrow": a phone-sized or portrait window. Rows
 * that sit side by side on a tablet stack, big buttons pad less, Lock shows its icon only. */
#define NARROW_WIDTH 560

/* How often the idle clock is looked at. Activity only records a time stamp (cheap on every
 * pointer motion); this check decides whether the policy's idle time has passed. */
#define IDLE_CHECK_SECONDS 2

struct _IntakeWindow
{
  AdwApplicationWindow parent_instance;

  AdwHeaderBar *header_bar;
  AdwWindowTitle *window_title;
  GtkButton *lock_button;
  AdwButtonContent *lock_content;
  GtkMenuButton *language_button;
  GtkPopover *language_popover;
  GtkLabel *language_heading;
  GtkLabel *screen_language_label;
  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwStatusPage *missing_page;
  /* Built in code, not by the window's template: a change of interface language builds them
   * again from their own templates. */
  IntakeUnlockPage *unlock_page;
  IntakeHomePage *home_page;

  char *data_dir;
  /* Why the store cannot be opened (NULL: there is none), to say it again in another language. */
  char *missing_why;
  IntakeStore *store;
  IntakeSession *session;
  /* Runs for as long as the window, whoever is unlocked: envelopes are sealed already. */
  IntakeSyncEngine *sync;
  /* The interview being taken, if any: created per interview, destroyed on leaving or locking so
   * that no answer stays in the widget tree. */
  GtkWidget *interview_page;

  /* Toasts on screen, dismissed on lock: what they say belongs to the user who was there. */
  GPtrArray *toasts;

  gint64 last_activity;
  guint idle_source;

  /* Frames: the first one, the warm-up of home, and for INTAKE_TRACE (benchmarks, the demo's
   * check) those worth a time stamp. */
  gboolean first_frame_done;
  gboolean warming_home;
  gboolean trace;
  gboolean trace_home_pending;
  gulong after_paint_handler;
  gboolean narrow;
  guint narrow_source;
  /* INTAKE_DEBUG_CUT_REPORT: where the words cut off on screen are written, for the UI test. */
  char *cut_report;
  GHashTable *cut_seen;
  GHashTable *cut_last;
  GHashTable *cut_now;
  guint cut_source;

  /* logind's PrepareForSleep on the system bus: lock before the tablet suspends. */
  GCancellable *cancellable;
  GDBusConnection *system_bus;
  guint sleep_subscription;
};

G_DEFINE_FINAL_TYPE (IntakeWindow, intake_window, ADW_TYPE_APPLICATION_WINDOW)

static void
toast_dismissed_cb (AdwToast *toast, IntakeWindow *self)
{
  g_ptr_array_remove (self->toasts, toast);
}

static void dismiss_toasts (IntakeWindow *self);

void
intake_window_add_toast (IntakeWindow *self, const char *message)
{
  AdwToast *toast;

  /* The newest message replaces the one on screen rather than waiting behind it: libadwaita
   * 1.2.2 crashed (in the hide animation of a toast) when a toast was added while another was
   * still shown. */
  dismiss_toasts (self);
  toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  g_ptr_array_add (self->toasts, g_object_ref (toast));
  g_signal_connect (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
dismiss_toasts (IntakeWindow *self)
{
  g_autoptr (GPtrArray) toasts = g_steal_pointer (&self->toasts);

  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < toasts->len; i++)
    {
      g_signal_handlers_disconnect_by_func (toasts->pdata[i], toast_dismissed_cb, self);
      adw_toast_dismiss (toasts->pdata[i]);
    }
}

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

static void
note_activity (IntakeWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static gboolean
idle_check_cb (gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);
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
      intake_window_lock (self);
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
  note_activity (INTAKE_WINDOW (user_data));
  return FALSE;
}

static void
activity_click_cb (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  note_activity (INTAKE_WINDOW (user_data));
}

static void
activity_motion_cb (GtkEventControllerMotion *controller, double x, double y, gpointer user_data)
{
  note_activity (INTAKE_WINDOW (user_data));
}

static void
activity_scroll_cb (GtkEventControllerScroll *controller, double dx, double dy,
                    gpointer user_data)
{
  note_activity (INTAKE_WINDOW (user_data));
}

/*
 * Timing for the benchmarks and the demo's check, hidden from users: with INTAKE_TRACE set, one
 * line "intake-trace: EVENT MONOTONIC_US CPU_US" on standard output when the window's first
 * frame is painted ("first-frame"), when an unlock's session arrives ("unlocked") and when the
 * next frame after it, home with its lists filled, is painted ("home"); CPU_US is the main
 * thread's CPU time. INTAKE_TRACE=exit-after-first-frame or exit-after-home also quits there.
 * Nothing of the user's goes into these lines.
 */
static void
trace (IntakeWindow *self, const char *event)
{
  const char *mode = g_getenv ("INTAKE_TRACE");
  g_autofree char *exit_event = NULL;
  struct timespec cpu = { 0 };

  if (!self->trace)
    return;
  /* The main thread's CPU time too: on a busy machine it says what the wall clock cannot. */
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
  g_print ("intake-trace: %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", event,
           g_get_monotonic_time (), (gint64) cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000);
  exit_event = g_strconcat ("exit-after-", event, NULL);
  if (g_strcmp0 (mode, exit_event) == 0)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      if (app != NULL)
        g_application_quit (G_APPLICATION (app));
    }
}

/*
 * The first home after the window opens costs GTK far more than the next ones: every widget of
 * the page is styled for the first time against libadwaita's style sheet. So once the unlock
 * screen is painted, home is made visible for one frame behind it (its stack shows only the
 * unlock page, so nothing of it is drawn or mapped; it is empty then), which styles and lays it
 * out in its real place; the frame after, it is hidden again.
 */
static void
frame_painted_cb (GdkFrameClock *clock, IntakeWindow *self)
{
  if (!self->first_frame_done)
    {
      self->first_frame_done = TRUE;
      trace (self, "first-frame");
      if (self->session == NULL && self->store != NULL)
        {
          self->warming_home = TRUE;
          gtk_widget_set_visible (GTK_WIDGET (self->home_page), TRUE);
        }
      return;
    }
  if (self->warming_home)
    {
      self->warming_home = FALSE;
      if (self->session == NULL)
        gtk_widget_set_visible (GTK_WIDGET (self->home_page), FALSE);
    }
  if (self->trace_home_pending)
    {
      self->trace_home_pending = FALSE;
      trace (self, "home");
    }
}

static void
realize_cb (GtkWidget *widget, IntakeWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock != NULL && self->after_paint_handler == 0)
    self->after_paint_handler = g_signal_connect_object (clock, "after-paint",
                                                         G_CALLBACK (frame_painted_cb), self,
                                                         0);
}

static void show_missing (IntakeWindow *self, const char *why);

static void
update_sync_status (IntakeWindow *self)
{
  const IntakeSyncReport *report = intake_sync_engine_get_last_report (self->sync);
  IntakeSyncState state = intake_sync_engine_get_state (self->sync);
  g_autofree char *last = intake_store_dup_sync_state (self->store, "last_success");
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;
  const char *words;

  if (last != NULL)
    {
      g_autoptr (GDateTime) utc = g_date_time_new_from_iso8601 (last, NULL);
      g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
      when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;
    }
  switch (state)
    {
    case INTAKE_SYNC_STATE_SYNCING:
      words = _("Sending…");
      break;
    case INTAKE_SYNC_STATE_WAITING:
      words = _("Could not reach the server; trying again later.");
      break;
    case INTAKE_SYNC_STATE_OFFLINE:
      words = _("Offline: interviews wait on the tablet, safely encrypted.");
      break;
    case INTAKE_SYNC_STATE_STOPPED:
      /* Beside "Nothing waits to be sent" too, this must still be true: it speaks of what is
       * done on the tablet from now on. */
      words = _("Sending is paused until an administrator has checked this tablet; interviews "
                "stay safely on it meanwhile.");
      break;
    case INTAKE_SYNC_STATE_IDLE:
    default:
      words = _("Online.");
      break;
    }
  /* The engine's own message says what happened (in English for now); when sending has
   * stopped it may name a command to run, which is an administrator's business: a worker reads
   * what it means for the interviews. */
  if (state == INTAKE_SYNC_STATE_STOPPED
      && (self->session == NULL || intake_session_get_role (self->session) != INTAKE_ROLE_ADMIN))
    {
      g_autoptr (IntakeEnrollment) enrollment = intake_store_dup_enrollment (self->store, NULL);

      if (enrollment == NULL)
        words = _("This tablet is not enrolled with a server yet: interviews stay safely on it "
                  "until an administrator connects it.");
      text = g_strdup (words);
    }
  else if (report->message != NULL && state != INTAKE_SYNC_STATE_SYNCING)
    text = g_strdup_printf ("%s %s", words, report->message);
  else
    text = g_strdup (words);
  if (when != NULL)
    {
      g_autofree char *with = g_strdup_printf (_("%s\nLast sent: %s"), text, when);
      g_free (text);
      text = g_steal_pointer (&with);
    }
  intake_home_page_set_sync_status (self->home_page, text,
                                    state != INTAKE_SYNC_STATE_SYNCING);
}

static void
sync_state_cb (IntakeSyncEngine *sync, GParamSpec *pspec, IntakeWindow *self)
{
  update_sync_status (self);
}

static void
sync_pass_finished_cb (IntakeSyncEngine *sync, IntakeWindow *self)
{
  const IntakeSyncReport *report = intake_sync_engine_get_last_report (sync);

  if (report->outcome == INTAKE_SYNC_WIPED)
    {
      /* The server ordered this tablet wiped, and the engine did it: nothing is left to open. */
      intake_window_lock (self);
      intake_sync_engine_stop (self->sync);
      g_clear_object (&self->store);
      show_missing (self, report->message);
      return;
    }
  update_sync_status (self);
  /* What was sent changes what home shows. */
  if (self->session != NULL && self->interview_page == NULL)
    intake_home_page_refresh (self->home_page, self->session);
}

static void
sync_now_cb (IntakeWindow *self)
{
  if (self->sync != NULL)
    intake_sync_engine_sync_now (self->sync);
}

static void
show_home (IntakeWindow *self)
{
  intake_home_page_refresh (self->home_page, self->session);
  if (self->sync != NULL)
    update_sync_status (self);
  _intake_stack_show (self->stack, "home");
}

static void
drop_interview_page (IntakeWindow *self)
{
  if (self->interview_page == NULL)
    return;
  /* The stack holds the only reference: removing it destroys every answer widget. */
  gtk_stack_remove (self->stack, self->interview_page);
  self->interview_page = NULL;
}

void
intake_window_lock (IntakeWindow *self)
{
  g_return_if_fail (INTAKE_IS_WINDOW (self));

  drop_interview_page (self);
  intake_home_page_clear (self->home_page);
  dismiss_toasts (self);
  if (self->session != NULL)
    intake_session_lock (self->session);
  g_clear_object (&self->session);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_button), FALSE);
  adw_window_title_set_subtitle (self->window_title, "");
  intake_unlock_page_reset (self->unlock_page);
  _intake_stack_show (self->stack, "unlock");
}

static void
lock_activated_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  intake_window_lock (INTAKE_WINDOW (widget));
}

static void
unlocked_cb (IntakeWindow *self, IntakeSession *session)
{
  g_set_object (&self->session, session);
  adw_window_title_set_subtitle (self->window_title, intake_session_get_user_name (session));
  gtk_widget_set_visible (GTK_WIDGET (self->lock_button), TRUE);
  note_activity (self);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->idle_source = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_check_cb, self);
  trace (self, "unlocked");
  show_home (self);
  if (self->trace)
    {
      self->trace_home_pending = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* After a step that may have queued an interview (an approval, a completion with no review
 * required): send now rather than at the engine's next look, when something waits. */
static void
send_if_waiting (IntakeWindow *self)
{
  IntakeOutboxCounts counts;

  if (self->sync != NULL && self->store != NULL
      && intake_outbox_counts (self->store, &counts, NULL)
      && counts.pending + counts.unsealed > 0)
    intake_sync_engine_sync_now (self->sync);
}

static void
interview_closed_cb (GtkWidget *page, IntakeWindow *self)
{
  drop_interview_page (self);
  if (self->session != NULL)
    show_home (self);
  send_if_waiting (self);
}

static void
interview_toast_cb (GtkWidget *page, const char *message, IntakeWindow *self)
{
  intake_window_add_toast (self, message);
  send_if_waiting (self);
}

/* An interview, the review or Administration in the window's one content slot (dropped on
 * lock): its closing and its toasts handled, shown. */
static void
show_content_page (IntakeWindow *self, GtkWidget *page, const char *name)
{
  g_signal_connect (page, "closed", G_CALLBACK (interview_closed_cb), self);
  g_signal_connect (page, "toast", G_CALLBACK (interview_toast_cb), self);
  self->interview_page = page;
  gtk_stack_add_named (self->stack, page, name);
  _intake_stack_show_child (self->stack, page);
}

static void
start_interview (IntakeWindow *self, const char *interview_id)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *page;

  drop_interview_page (self);
  page = GTK_WIDGET (intake_interview_page_new (self->session, interview_id, &error));
  if (page == NULL)
    {
      intake_window_add_toast (self, error->message);
      return;
    }
  show_content_page (self, page, "interview");
}

static void
new_interview_cb (IntakeWindow *self)
{
  start_interview (self, NULL);
}

static void
open_interview_cb (IntakeWindow *self, const char *interview_id)
{
  start_interview (self, interview_id);
}

static void
review_cb (IntakeWindow *self)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *page;

  drop_interview_page (self);
  page = GTK_WIDGET (intake_review_page_new (self->session, &error));
  if (page == NULL)
    {
      intake_window_add_toast (self, error->message);
      return;
    }
  show_content_page (self, page, "review");
}

static void
admin_enrolled_cb (GtkWidget *page, IntakeWindow *self)
{
  /* Send what waited for the enrollment now, not at the next timer. */
  if (self->sync != NULL)
    intake_sync_engine_sync_now (self->sync);
}

typedef struct
{
  char *data_dir;
  char *actor;
} WipeData;

static void
wipe_data_free (WipeData *data)
{
  g_free (data->data_dir);
  g_free (data->actor);
  g_free (data);
}

static void
wipe_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  WipeData *data = task_data;
  g_autoptr (IntakeStore) store = NULL;
  GError *error = NULL;

  /* Its own connection: the window's was closed before. Overwriting the files is disk work. */
  store = intake_store_open (data->data_dir, &error);
  if (store == NULL || !intake_store_wipe (store, data->actor, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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
  IntakeWindow *self = INTAKE_WINDOW (source);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *why = g_strdup_printf (_("The wipe did not finish: %s"), error->message);
      adw_status_page_set_icon_name (self->missing_page, "dialog-error-symbolic");
      show_missing (self, why);
      return;
    }
  show_wiped (self);
}

static void
admin_wipe_cb (GtkWidget *page, IntakeWindow *self)
{
  g_autoptr (GTask) task = NULL;
  WipeData *data;

  if (self->session == NULL || self->store == NULL)
    return;
  data = g_new0 (WipeData, 1);
  data->data_dir = g_strdup (self->data_dir);
  data->actor = g_strdup (intake_session_get_user_id (self->session));
  /* Everyone is locked out first: the session's keys go, the pages with them. Then nothing in
   * this thread touches the store again: the engine stops and the window's connection closes. */
  intake_window_lock (self);
  if (self->sync != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync, self);
      intake_sync_engine_stop (self->sync);
      g_clear_object (&self->sync);
    }
  intake_unlock_page_set_store (self->unlock_page, NULL);
  g_clear_object (&self->store);

  adw_status_page_set_icon_name (self->missing_page, "user-trash-symbolic");
  adw_status_page_set_title (self->missing_page, _("Wiping this tablet…"));
  adw_status_page_set_description (self->missing_page,
                                   _("Destroying the keys, then overwriting the data files. "
                                     "Keep the tablet switched on."));
  _intake_stack_show (self->stack, "missing");

  task = g_task_new (self, NULL, wipe_done_cb, NULL);
  g_task_set_source_tag (task, admin_wipe_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) wipe_data_free);
  g_task_run_in_thread (task, wipe_thread);
}

static void
admin_cb (IntakeWindow *self)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *page;

  drop_interview_page (self);
  page = GTK_WIDGET (intake_admin_page_new (self->session, &error));
  if (page == NULL)
    {
      intake_window_add_toast (self, error->message);
      return;
    }
  g_signal_connect (page, "enrolled", G_CALLBACK (admin_enrolled_cb), self);
  g_signal_connect (page, "wipe", G_CALLBACK (admin_wipe_cb), self);
  show_content_page (self, page, "admin");
}

static void
show_missing (IntakeWindow *self, const char *why)
{
  g_autofree char *text = NULL;

  if (why != self->missing_why)
    {
      g_free (self->missing_why);
      self->missing_why = g_strdup (why);
    }
  adw_status_page_set_title (self->missing_page, _("This tablet is not set up yet"));
  if (why != NULL)
    {
      adw_status_page_set_title (self->missing_page, _("The tablet's data cannot be opened"));
      text = g_strdup_printf (_("%s\n\nData folder: %s"), why, self->data_dir);
    }
  else
    text = g_strdup_printf (_("There is no Field Intake data in %s.\n\nAn administrator sets the "
                              "tablet up once, from a terminal:\n\n"
                              "intakectl --data-dir %s init --admin NAME\n\n"
                              "then adds the workers (intakectl user add NAME --role worker) and "
                              "the forms (intakectl form import FILE), and starts Field Intake "
                              "again."),
                            self->data_dir, self->data_dir);
  adw_status_page_set_description (self->missing_page, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->missing_page),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  _intake_stack_show (self->stack, "missing");
}

/* Every box marked "adaptive-row" below @widget: a row on a wide window, a column on a narrow
 * one. */
static void
orient_rows (GtkWidget *widget, gboolean narrow)
{
  if (GTK_IS_BOX (widget) && gtk_widget_has_css_class (widget, "adaptive-row"))
    gtk_orientable_set_orientation (GTK_ORIENTABLE (widget), narrow ? GTK_ORIENTATION_VERTICAL
                                                                    : GTK_ORIENTATION_HORIZONTAL);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    orient_rows (child, narrow);
}

static void
apply_narrow (IntakeWindow *self)
{
  if (self->narrow)
    gtk_widget_add_css_class (GTK_WIDGET (self), "narrow");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "narrow");
  /* The header's title keeps room for the user's name: Lock is its icon (and its name for a
   * screen reader) alone, and only Close stays of the window buttons, as on a phone. */
  adw_header_bar_set_decoration_layout (self->header_bar, self->narrow ? ":close" : NULL);
  adw_button_content_set_label (self->lock_content, self->narrow ? "" : _("Lock"));
  /* On a phone-sized window the user's name is the title: the program's name would be cut. */
  adw_window_title_set_title (self->window_title, self->narrow ? "" : _("Field Intake"));
  /* The screens' language, named for what it changes; in a narrow window by the last word of
   * its name ("Bahasa Indonesia": "Indonesia"), so that the title keeps its room. */
  {
    const char *name = _intake_ui_language_name (_intake_ui_language_current ());
    const char *last = strrchr (name, ' ');
    g_autofree char *text = g_strdup_printf (_("Screen: %s"),
                                             self->narrow && last != NULL ? last + 1 : name);
    gtk_label_set_label (self->screen_language_label, text);
  }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->lock_button), _("Lock"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lock_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lock"), -1);
  orient_rows (GTK_WIDGET (self), self->narrow);
}

static gboolean
narrow_changed_cb (gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);

  self->narrow_source = 0;
  apply_narrow (self);
  return G_SOURCE_REMOVE;
}

/* The width is known here, whether the window was resized, maximized or made fullscreen. What
 * changes with it changes sizes, so it waits for the allocation to finish. */
static void
intake_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  IntakeWindow *self = INTAKE_WINDOW (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (intake_window_parent_class)->size_allocate (widget, width, height, baseline);
  if (narrow != self->narrow)
    {
      self->narrow = narrow;
      if (self->narrow_source == 0)
        self->narrow_source = g_idle_add (narrow_changed_cb, self);
    }
}

static void
build_unlock_page (IntakeWindow *self)
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
build_home_page (IntakeWindow *self)
{
  GtkWidget *page = g_object_new (INTAKE_TYPE_HOME_PAGE, NULL);

  g_signal_connect_swapped (page, "new-interview", G_CALLBACK (new_interview_cb), self);
  g_signal_connect_swapped (page, "open-interview", G_CALLBACK (open_interview_cb), self);
  g_signal_connect_swapped (page, "review", G_CALLBACK (review_cb), self);
  g_signal_connect_swapped (page, "admin", G_CALLBACK (admin_cb), self);
  g_signal_connect_swapped (page, "sync-now", G_CALLBACK (sync_now_cb), self);
  self->home_page = INTAKE_HOME_PAGE (page);
  gtk_stack_add_named (self->stack, page, "home");
  gtk_widget_set_visible (page, FALSE);
  orient_rows (page, self->narrow);
}

/* The window's own words, which its template set once. */
static void
retranslate_window (IntakeWindow *self)
{
  const char *title = _("Field Intake");

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  apply_narrow (self);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->language_button), _("Language of the screens"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Language of the screens"),
                                  -1);
  gtk_label_set_label (self->language_heading, _("Language of the screens"));
  if (self->store == NULL)
    show_missing (self, self->missing_why);
}

/*
 * Every page built again from its template in the language now in force, each back where the
 * person was: the unlock page at the same user (the digits are typed again), home refreshed, an
 * interview at the same question or its summary (what was typed is saved first, by the
 * caller: answers come back from the store), the review at the same interview with the note
 * typed for it (a note is not saved until a decision, so it is the one thing carried over).
 */
static void
rebuild_pages (IntakeWindow *self, gboolean had_interview, const char *interview_id,
               const char *question)
{
  g_autofree char *shown = g_strdup (gtk_stack_get_visible_child_name (self->stack));
  g_autofree char *user = NULL;
  g_autofree char *review_id = NULL;
  g_autofree char *review_note = NULL;
  gboolean had_review = self->interview_page != NULL
                        && INTAKE_IS_REVIEW_PAGE (self->interview_page);
  gboolean had_admin = self->interview_page != NULL
                       && INTAKE_IS_ADMIN_PAGE (self->interview_page);

  if (had_review)
    intake_review_page_dup_place (INTAKE_REVIEW_PAGE (self->interview_page), &review_id,
                                  &review_note);

  if (intake_unlock_page_get_user (self->unlock_page) != NULL)
    user = g_strdup (intake_unlock_page_get_user (self->unlock_page));

  drop_interview_page (self);
  gtk_stack_remove (self->stack, GTK_WIDGET (self->unlock_page));
  gtk_stack_remove (self->stack, GTK_WIDGET (self->home_page));
  build_unlock_page (self);
  build_home_page (self);
  retranslate_window (self);

  if (g_strcmp0 (shown, "unlock") == 0)
    {
      if (user != NULL)
        intake_unlock_page_choose_user (self->unlock_page, user);
      _intake_stack_show (self->stack, "unlock");
      return;
    }
  if (self->session == NULL)
    return;
  if (had_admin)
    {
      /* Administration comes back at its menu; nothing there is half done (a job running
       * keeps the language from changing, below). */
      admin_cb (self);
      return;
    }
  if (had_review)
    {
      review_cb (self);
      if (review_id != NULL && self->interview_page != NULL)
        intake_review_page_open (INTAKE_REVIEW_PAGE (self->interview_page), review_id,
                                 review_note);
      if (review_note != NULL)
        intake_crypto_wipe_string (review_note);
      return;
    }
  if (had_interview)
    {
      if (interview_id != NULL)
        {
          g_autoptr (GError) error = NULL;
          GtkWidget *page = GTK_WIDGET (intake_interview_page_new_at (self->session, interview_id,
                                                                      question, &error));
          if (page == NULL)
            {
              intake_window_add_toast (self, error->message);
              show_home (self);
              return;
            }
          show_content_page (self, page, "interview");
        }
      else
        start_interview (self, NULL);
      /* Home is behind the interview: filled for when the person comes back. */
      intake_home_page_refresh (self->home_page, self->session);
      if (self->sync != NULL)
        update_sync_status (self);
      return;
    }
  show_home (self);
}

static void
ui_language_change_cb (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);
  const char *code = g_variant_get_string (value, NULL);
  g_autofree char *interview_id = NULL;
  g_autofree char *question = NULL;
  g_autoptr (GError) error = NULL;
  gboolean had_interview = FALSE;

  gtk_popover_popdown (self->language_popover);
  if (!_intake_ui_language_is_known (code) || strcmp (code, _intake_ui_language_current ()) == 0)
    return;
  /* A PIN being checked finishes in the page that asked. */
  if (intake_unlock_page_is_busy (self->unlock_page))
    return;
  /* So does a new PIN, an enrollment or a wipe in Administration. */
  if (self->interview_page != NULL && INTAKE_IS_ADMIN_PAGE (self->interview_page)
      && intake_admin_page_is_busy (INTAKE_ADMIN_PAGE (self->interview_page)))
    {
      intake_window_add_toast (self, _("Wait until this is done"));
      return;
    }
  if (self->interview_page != NULL && INTAKE_IS_INTERVIEW_PAGE (self->interview_page))
    {
      /* What was typed is saved before the page goes; a number that is not one stays on the
       * page with its problem shown, and the language waits. */
      if (!intake_interview_page_save_place (INTAKE_INTERVIEW_PAGE (self->interview_page),
                                             &interview_id, &question))
        {
          intake_window_add_toast (self, _("Correct the answer first"));
          return;
        }
      had_interview = TRUE;
    }

  _intake_ui_language_apply (code);
  g_simple_action_set_state (action, value);
  if (self->data_dir != NULL && g_file_test (self->data_dir, G_FILE_TEST_IS_DIR)
      && !_intake_ui_language_save (self->data_dir, code, &error))
    g_warning ("The interface language is not remembered: %s", error->message);
  rebuild_pages (self, had_interview, interview_id, question);
  /* The sync engine's last words were said in the old language: a pass says them again. */
  if (self->sync != NULL)
    intake_sync_engine_sync_now (self->sync);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection, const char *sender, const char *path,
                      const char *interface, const char *signal, GVariant *parameters,
                      gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);
  gboolean sleeping = FALSE;

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    g_variant_get (parameters, "(b)", &sleeping);
  if (sleeping && self->session != NULL)
    intake_window_lock (self);
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
  self = INTAKE_WINDOW (user_data);
  self->system_bus = bus;
  self->sleep_subscription = g_dbus_connection_signal_subscribe (
      bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager", "PrepareForSleep",
      "/org/freedesktop/login1", NULL, G_DBUS_SIGNAL_FLAGS_NONE, prepare_for_sleep_cb, self, NULL);
}

static void
intake_window_dispose (GObject *object)
{
  IntakeWindow *self = INTAKE_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->narrow_source, g_source_remove);
  g_clear_handle_id (&self->cut_source, g_source_remove);
  g_clear_pointer (&self->cut_seen, g_hash_table_unref);
  g_clear_pointer (&self->cut_last, g_hash_table_unref);
  g_clear_pointer (&self->cut_now, g_hash_table_unref);
  g_clear_pointer (&self->cut_report, g_free);
  if (self->session != NULL)
    intake_session_lock (self->session);
  g_clear_object (&self->session);
  if (self->sync != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync, self);
      intake_sync_engine_stop (self->sync);
      g_clear_object (&self->sync);
    }
  if (self->toasts != NULL)
    for (guint i = 0; i < self->toasts->len; i++)
      g_signal_handlers_disconnect_by_func (self->toasts->pdata[i], toast_dismissed_cb, self);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_WINDOW);
  G_OBJECT_CLASS (intake_window_parent_class)->dispose (object);
}

static void
intake_window_finalize (GObject *object)
{
  IntakeWindow *self = INTAKE_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->missing_why, g_free);
  G_OBJECT_CLASS (intake_window_parent_class)->finalize (object);
}

static void
intake_window_class_init (IntakeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_window_dispose;
  object_class->finalize = intake_window_finalize;
  widget_class->size_allocate = intake_window_size_allocate;

  g_type_ensure (INTAKE_TYPE_UNLOCK_PAGE);
  g_type_ensure (INTAKE_TYPE_HOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, lock_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, missing_page);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, lock_content);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, language_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, language_popover);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, language_heading);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, screen_language_label);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_activated_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock",
                                       NULL);
}

/* Every label shown whose words do not all fit: ellipsized, or given less width than the
 * longest word needs. A layout can only tell this from inside the process; the UI test reads
 * the file (one line a label, once each) while it walks the screens at 360 px. */
static void
report_cut_labels (IntakeWindow *self, GtkWidget *widget, FILE *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      GtkLabel *label = GTK_LABEL (widget);
      const char *text = gtk_label_get_text (label);
      GtkStyleContext *style = gtk_widget_get_style_context (widget);
      GtkBorder margin, border, padding;
      int minimum = 0;
      const char *why = NULL;

      /* The measure counts the label's CSS box; its width is the content alone. */
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      gtk_style_context_get_margin (style, &margin);
      gtk_style_context_get_border (style, &border);
      gtk_style_context_get_padding (style, &padding);
      minimum -= margin.left + margin.right + border.left + border.right + padding.left
                 + padding.right;
      /* Width 0: mapped, not yet laid out (a page just shown); the next look sees it. */
      if (gtk_widget_get_width (widget) <= 0)
        ;
      else if (gtk_label_get_ellipsize (label) != PANGO_ELLIPSIZE_NONE
               && pango_layout_is_ellipsized (gtk_label_get_layout (label)))
        why = "ellipsized";
      else if (gtk_widget_get_width (widget) < minimum)
        why = "narrower than its longest word";
      /* Reported when two looks in a row find it cut: a page in the middle of being laid out
       * (a language switch, a transition) is not what the person sees. */
      if (why != NULL && text != NULL && *text != '\0')
        {
          char *key = g_strdup_printf ("%s\t%s", why, text);

          if (g_hash_table_contains (self->cut_last, key)
              && !g_hash_table_contains (self->cut_seen, key))
            {
              fprintf (out, "%s\t%d<%d\n", key, gtk_widget_get_width (widget), minimum);
              g_hash_table_add (self->cut_seen, g_strdup (key));
            }
          g_hash_table_add (self->cut_now, key);
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    report_cut_labels (self, c, out);
}

static gboolean
cut_report_cb (gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);
  FILE *out = fopen (self->cut_report, "a");

  if (out == NULL)
    return G_SOURCE_CONTINUE;
  report_cut_labels (self, GTK_WIDGET (self), out);
  fclose (out);
  g_hash_table_remove_all (self->cut_last);
  {
    GHashTable *swap = self->cut_last;
    self->cut_last = self->cut_now;
    self->cut_now = swap;
  }
  return G_SOURCE_CONTINUE;
}

static void
intake_window_init (IntakeWindow *self)
{
  static const GActionEntry actions[] = {
    { .name = "ui-language", .parameter_type = "s", .state = "'en'",
      .change_state = ui_language_change_cb },
  };
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (
      GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->trace = g_getenv ("INTAKE_TRACE") != NULL;
  if (g_getenv ("INTAKE_DEBUG_CUT_REPORT") != NULL)
    {
      self->cut_report = g_strdup (g_getenv ("INTAKE_DEBUG_CUT_REPORT"));
      self->cut_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->cut_last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->cut_now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->cut_source = g_timeout_add (300, cut_report_cb, self);
    }
  g_signal_connect_after (self, "realize", G_CALLBACK (realize_cb), self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_simple_action_set_state (
      G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "ui-language")),
      g_variant_new_string (_intake_ui_language_current ()));
  build_unlock_page (self);
  build_home_page (self);
  /* The screens' language is named from the start; apply_narrow () renames it when the width
   * changes. */
  {
    g_autofree char *text = g_strdup_printf (
        _("Screen: %s"), _intake_ui_language_name (_intake_ui_language_current ()));
    gtk_label_set_label (self->screen_language_label, text);
  }
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
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

/* INTAKE_WINDOW_SIZE=WIDTHxHEIGHT: the window's first size, for trying (and testing) narrow
 * and portrait layouts. */
static void
window_size_from_env (IntakeWindow *self)
{
  const char *env = g_getenv ("INTAKE_WINDOW_SIZE");
  int width, height;

  if (env != NULL && sscanf (env, "%dx%d", &width, &height) == 2 && width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
}

IntakeWindow *
intake_window_new (IntakeApplication *app, const char *data_dir)
{
  IntakeWindow *self = g_object_new (INTAKE_TYPE_WINDOW, "application", app, NULL);
  g_autoptr (GError) error = NULL;

  self->data_dir = g_strdup (data_dir);
  window_size_from_env (self);
  if (!intake_store_exists (data_dir))
    {
      show_missing (self, NULL);
      return self;
    }
  self->store = intake_store_open (data_dir, &error);
  if (self->store == NULL)
    {
      show_missing (self, error->message);
      return self;
    }
  intake_unlock_page_set_store (self->unlock_page, self->store);
  _intake_stack_show (self->stack, "unlock");

  self->sync = intake_sync_engine_new (data_dir, NULL);
  g_signal_connect (self->sync, "notify::state", G_CALLBACK (sync_state_cb), self);
  g_signal_connect (self->sync, "pass-finished", G_CALLBACK (sync_pass_finished_cb), self);
  intake_sync_engine_start (self->sync);
  return self;
}
