/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-home-page.h"
#include "intake-outbox.h"

#include "intake-window-private.h"

void
_intake_window_update_sync_status (IntakeWindow *self)
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
  _intake_window_update_sync_status (self);
}

static void
sync_pass_finished_cb (IntakeSyncEngine *sync, IntakeWindow *self)
{
  const IntakeSyncReport *report = intake_sync_engine_get_last_report (sync);

  if (report->outcome == INTAKE_SYNC_WIPED)
    {
      /* The server ordered this tablet wiped, and the engine did it: nothing is left to open. */
      /* Through the window's action: locking is a layer above the sync's (tests/layering). */
      gtk_widget_activate_action (GTK_WIDGET (self), "win.lock", NULL);
      intake_sync_engine_stop (self->sync);
      g_clear_object (&self->store);
      _intake_window_show_missing (self, report->message);
      return;
    }
  _intake_window_update_sync_status (self);
  /* What was sent changes what home shows. */
  if (self->session != NULL && self->interview_page == NULL)
    intake_home_page_refresh (self->home_page, self->session);
}

void
_intake_window_sync_now_cb (IntakeWindow *self)
{
  if (self->sync != NULL)
    intake_sync_engine_sync_now (self->sync);
}

/* After a step that may have queued an interview (an approval, a completion with no review
 * required): send now rather than at the engine's next look, when something waits. */
void
_intake_window_send_if_waiting (IntakeWindow *self)
{
  IntakeOutboxCounts counts;

  if (self->sync != NULL && self->store != NULL
      && intake_outbox_counts (self->store, &counts, NULL)
      && counts.pending + counts.unsealed > 0)
    intake_sync_engine_sync_now (self->sync);
}

void
_intake_window_admin_enrolled_cb (GtkWidget *page, IntakeWindow *self)
{
  /* Send what waited for the enrollment now, not at the next timer. */
  if (self->sync != NULL)
    intake_sync_engine_sync_now (self->sync);
}

void
_intake_window_sync_start (IntakeWindow *self)
{
  self->sync = intake_sync_engine_new (self->data_dir, NULL);
  g_signal_connect (self->sync, "notify::state", G_CALLBACK (sync_state_cb), self);
  g_signal_connect (self->sync, "pass-finished", G_CALLBACK (sync_pass_finished_cb), self);
  intake_sync_engine_start (self->sync);
}

void
_intake_window_sync_stop (IntakeWindow *self)
{
  if (self->sync == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->sync, self);
  intake_sync_engine_stop (self->sync);
  g_clear_object (&self->sync);
}
