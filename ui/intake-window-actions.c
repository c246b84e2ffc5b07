/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page.h"
#include "intake-crypto.h"
#include "intake-home-page.h"
#include "intake-interview-page.h"
#include "intake-review-page.h"
#include "intake-unlock-page.h"

#include "intake-window-private.h"

static void
lock_activated_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  _intake_window_lock (INTAKE_WINDOW_UNCHECKED (widget));
}

/* Work for the session's queue that does nothing: its callback runs once everything queued
 * before it (answers, a completion) has committed, in order. */
static gboolean
nothing_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

typedef void (*AfterQueueFunc) (IntakeWindow *self, IntakeSession *session, gpointer data);

typedef struct
{
  IntakeWindow *self;
  AfterQueueFunc func;
  gpointer data;
  GDestroyNotify data_free;
} AfterQueue;

static void
after_queue_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AfterQueue *after = user_data;
  IntakeSession *session = INTAKE_SESSION (source);

  intake_session_run_finish (session, result, NULL);
  after->func (after->self, session, after->data);
  if (after->data_free != NULL)
    after->data_free (after->data);
  g_object_unref (after->self);
  g_free (after);
}

static void
after_queue (IntakeWindow *self, AfterQueueFunc func, gpointer data, GDestroyNotify data_free)
{
  AfterQueue *after = g_new0 (AfterQueue, 1);

  after->self = g_object_ref (self);
  after->func = func;
  after->data = data;
  after->data_free = data_free;
  intake_session_run_async (self->session, nothing_work, NULL, NULL, NULL, after_queue_cb,
                            after);
}

static void
refresh_home_cb (IntakeWindow *self, IntakeSession *session, gpointer data)
{
  if (self->session == session && self->interview_page == NULL)
    intake_home_page_refresh (self->home_page, self->session);
}

static void
interview_closed_cb (GtkWidget *page, IntakeWindow *self)
{
  /* Asked before the page goes (dropping it destroys it). */
  gboolean saving = INTAKE_IS_INTERVIEW_PAGE (page)
                    && intake_interview_page_is_saving (INTAKE_INTERVIEW_PAGE (page));

  _intake_window_drop_content_page (self);
  if (self->session != NULL)
    {
      _intake_window_show_home (self);
      /* An answer typed in the last moment may still be on its way to the store: home is
       * read again once the session's queue has passed it. */
      if (saving)
        after_queue (self, refresh_home_cb, NULL, NULL);
    }
  _intake_window_send_if_waiting (self);
}

static void
interview_toast_cb (GtkWidget *page, const char *message, IntakeWindow *self)
{
  intake_window_add_toast (self, message);
  _intake_window_send_if_waiting (self);
}

/* An interview, the review or Administration in the window's one content slot (dropped on
 * lock): its closing and its toasts handled, shown. */
static void
show_content_page (IntakeWindow *self, GtkWidget *page, const char *name)
{
  g_signal_connect (page, "closed", G_CALLBACK (interview_closed_cb), self);
  g_signal_connect (page, "toast", G_CALLBACK (interview_toast_cb), self);
  self->interview_page = page;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (page), "back-label") != NULL)
    {
      g_signal_connect (page, "notify::back-label", G_CALLBACK (_intake_window_back_label_cb),
                        self);
      _intake_window_back_label_cb (G_OBJECT (page), NULL, self);
    }
  gtk_stack_add_named (self->stack, page, name);
  _intake_stack_show_child (self->stack, page);
}

static void
start_interview (IntakeWindow *self, const char *interview_id)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *page;

  _intake_window_drop_content_page (self);
  page = GTK_WIDGET (intake_interview_page_new (self->session, self->places, interview_id,
                                                  &error));
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

  _intake_window_drop_content_page (self);
  page = GTK_WIDGET (intake_review_page_new (self->session, &error));
  if (page == NULL)
    {
      intake_window_add_toast (self, error->message);
      return;
    }
  show_content_page (self, page, "review");
}

static void
admin_cb (IntakeWindow *self)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *page;

  _intake_window_drop_content_page (self);
  page = GTK_WIDGET (intake_admin_page_new (self->session, &error));
  if (page == NULL)
    {
      intake_window_add_toast (self, error->message);
      return;
    }
  g_signal_connect (page, "enrolled", G_CALLBACK (_intake_window_admin_enrolled_cb), self);
  g_signal_connect (page, "wipe", G_CALLBACK (_intake_window_admin_wipe_cb), self);
  show_content_page (self, page, "admin");
}

void
_intake_window_build_home_page (IntakeWindow *self)
{
  GtkWidget *page = g_object_new (INTAKE_TYPE_HOME_PAGE, NULL);

  g_signal_connect_swapped (page, "new-interview", G_CALLBACK (new_interview_cb), self);
  g_signal_connect_swapped (page, "open-interview", G_CALLBACK (open_interview_cb), self);
  g_signal_connect_swapped (page, "review", G_CALLBACK (review_cb), self);
  g_signal_connect_swapped (page, "admin", G_CALLBACK (admin_cb), self);
  g_signal_connect_swapped (page, "sync-now", G_CALLBACK (_intake_window_sync_now_cb), self);
  self->home_page = INTAKE_HOME_PAGE (page);
  gtk_stack_add_named (self->stack, page, "home");
  gtk_widget_set_visible (page, FALSE);
  _intake_window_orient_rows (page, self->narrow);
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

  _intake_window_drop_content_page (self);
  gtk_stack_remove (self->stack, GTK_WIDGET (self->unlock_page));
  gtk_stack_remove (self->stack, GTK_WIDGET (self->home_page));
  _intake_window_build_unlock_page (self);
  _intake_window_build_home_page (self);
  _intake_window_retranslate (self);

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
          GtkWidget *page = GTK_WIDGET (intake_interview_page_new_at (
              self->session, self->places, interview_id, question, &error));
          if (page == NULL)
            {
              intake_window_add_toast (self, error->message);
              _intake_window_show_home (self);
              return;
            }
          show_content_page (self, page, "interview");
        }
      else
        start_interview (self, NULL);
      /* Home is behind the interview: filled for when the person comes back. */
      intake_home_page_refresh (self->home_page, self->session);
      if (self->sync != NULL)
        _intake_window_update_sync_status (self);
      return;
    }
  _intake_window_show_home (self);
}

typedef struct
{
  GSimpleAction *action;
  GVariant *value;
  char *interview_id;
  char *question;
} LanguageChange;

static void
language_change_free (gpointer data)
{
  LanguageChange *change = data;

  g_object_unref (change->action);
  g_variant_unref (change->value);
  g_free (change->interview_id);
  g_free (change->question);
  g_free (change);
}

static void
apply_ui_language (IntakeWindow *self, GSimpleAction *action, GVariant *value,
                   gboolean had_interview, const char *interview_id, const char *question)
{
  const char *code = g_variant_get_string (value, NULL);
  g_autoptr (GError) error = NULL;

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

/* The interview's page is built again from the store: once what was typed is committed. */
static void
interview_saved_cb (IntakeWindow *self, IntakeSession *session, gpointer data)
{
  LanguageChange *change = data;
  gboolean still = self->session == session && self->interview_page != NULL
                   && INTAKE_IS_INTERVIEW_PAGE (self->interview_page);

  apply_ui_language (self, change->action, change->value, still,
                     still ? change->interview_id : NULL, change->question);
}

static void
ui_language_change_cb (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW_UNCHECKED (user_data);
  const char *code = g_variant_get_string (value, NULL);
  g_autofree char *interview_id = NULL;
  g_autofree char *question = NULL;

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
      LanguageChange *change;

      /* What was typed is queued before the page goes; a number that is not one stays on the
       * page with its problem shown, and the language waits. */
      if (!intake_interview_page_save_place (INTAKE_INTERVIEW_PAGE (self->interview_page),
                                             &interview_id, &question))
        {
          intake_window_add_toast (self, _("Correct the answer first"));
          return;
        }
      /* Nothing on its way to the store: the page is built again from it at once. */
      if (!intake_interview_page_is_saving (INTAKE_INTERVIEW_PAGE (self->interview_page)))
        {
          apply_ui_language (self, action, value, TRUE, interview_id, question);
          return;
        }
      change = g_new0 (LanguageChange, 1);
      change->action = g_object_ref (action);
      change->value = g_variant_ref_sink (value);
      change->interview_id = g_steal_pointer (&interview_id);
      change->question = g_steal_pointer (&question);
      after_queue (self, interview_saved_cb, change, language_change_free);
      return;
    }
  apply_ui_language (self, action, value, FALSE, NULL, NULL);
}

void
_intake_window_actions_init (IntakeWindow *self)
{
  static const GActionEntry actions[] = {
    { .name = "ui-language", .parameter_type = "s", .state = "'en'",
      .change_state = ui_language_change_cb },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_simple_action_set_state (
      G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "ui-language")),
      g_variant_new_string (_intake_ui_language_current ()));
}

static void
back_activated_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeWindow *self = INTAKE_WINDOW_UNCHECKED (widget);

  if (self->interview_page == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->back_button)))
    return;
  if (INTAKE_IS_INTERVIEW_PAGE (self->interview_page))
    intake_interview_page_go_back (INTAKE_INTERVIEW_PAGE (self->interview_page));
  else if (INTAKE_IS_REVIEW_PAGE (self->interview_page))
    intake_review_page_go_back (INTAKE_REVIEW_PAGE (self->interview_page));
}

/* Ctrl+Enter is the interview's Next (Complete on the summary) wherever the focus is: on the
 * summary it starts on the header's back button, outside the page and its own bindings. */
static void
content_next_activated_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeWindow *self = INTAKE_WINDOW_UNCHECKED (widget);

  if (self->interview_page != NULL && INTAKE_IS_INTERVIEW_PAGE (self->interview_page))
    gtk_widget_activate_action (self->interview_page, "interview.next", NULL);
}

/* A page opening with its way back as the first thing to reach (the summary) asks for it. */
static void
focus_back_activated_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeWindow *self = INTAKE_WINDOW_UNCHECKED (widget);

  if (gtk_widget_get_visible (GTK_WIDGET (self->back_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

void
_intake_window_class_actions_init (IntakeWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_activated_cb);
  gtk_widget_class_install_action (widget_class, "win.focus-back", NULL,
                                   focus_back_activated_cb);
  gtk_widget_class_install_action (widget_class, "win.content-next", NULL,
                                   content_next_activated_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.content-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.content-next", NULL);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_activated_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock",
                                       NULL);
}
