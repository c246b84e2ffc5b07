/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The window's parts, one concern a file, as GNOME Text Editor splits its window, in layers whose
 * calls run one way (tests/layering), lowest first: intake-window-util.c (toasts, the trace, the
 * missing store's screen, adaptive rows, the window's own words, dropping the page shown),
 * intake-window-sync.c (the sync engine and what home says of it), intake-window-lock.c (unlock,
 * lock, home, the idle clock, suspend, the wipe), intake-window-actions.c (which page shows, the
 * window's actions, the interface language) and intake-window.c (the type and its template,
 * frames, the cut-off report) on top. A lower file that must reach a higher one activates one of
 * the window's actions ("win.lock").
 */
#pragma once

#include <adwaita.h>

#include "intake-home-page.h"
#include "intake-interview-places.h"
#include "intake-store.h"
#include "intake-sync-engine.h"
#include "intake-unlock-page.h"
#include "intake-window.h"
#include "intake-ui-private.h"

G_BEGIN_DECLS

/* The window's files below intake-window.c cast without the type check: the checked cast calls
 * intake_window_get_type (), which is defined with the class on top. */
#define INTAKE_WINDOW_UNCHECKED(p) ((IntakeWindow *) (p))

struct _IntakeWindow
{
  AdwApplicationWindow parent_instance;

  AdwHeaderBar *header_bar;
  AdwWindowTitle *window_title;
  GtkButton *back_button;
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
  /* Where each interview was left, for Pause and Continue. */
  IntakeInterviewPlaces *places;

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

/* intake-window-util.c */
void _intake_window_dismiss_toasts (IntakeWindow *self);
void _intake_window_free_toasts (IntakeWindow *self);
void _intake_window_trace (IntakeWindow *self, const char *event);
void _intake_window_show_missing (IntakeWindow *self, const char *why);
void _intake_window_orient_rows (GtkWidget *widget, gboolean narrow);
void _intake_window_apply_narrow (IntakeWindow *self);
void _intake_window_retranslate (IntakeWindow *self);
void _intake_window_back_label_cb (GObject *page, GParamSpec *pspec, IntakeWindow *self);
void _intake_window_drop_content_page (IntakeWindow *self);

/* intake-window-sync.c */
void _intake_window_sync_start (IntakeWindow *self);
void _intake_window_sync_stop (IntakeWindow *self);
void _intake_window_update_sync_status (IntakeWindow *self);
void _intake_window_sync_now_cb (IntakeWindow *self);
void _intake_window_send_if_waiting (IntakeWindow *self);
void _intake_window_admin_enrolled_cb (GtkWidget *page, IntakeWindow *self);

/* intake-window-lock.c */
void _intake_window_lock_init (IntakeWindow *self);
void _intake_window_lock_dispose (IntakeWindow *self);
/* intake_window_lock () without its type check. */
void _intake_window_lock (IntakeWindow *self);
void _intake_window_note_activity (IntakeWindow *self);
void _intake_window_build_unlock_page (IntakeWindow *self);
void _intake_window_admin_wipe_cb (GtkWidget *page, IntakeWindow *self);
void _intake_window_show_home (IntakeWindow *self);

/* intake-window-actions.c */
void _intake_window_class_actions_init (IntakeWindowClass *klass);
void _intake_window_actions_init (IntakeWindow *self);
void _intake_window_build_home_page (IntakeWindow *self);

G_END_DECLS
