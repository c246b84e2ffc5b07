/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interview page: its type and template, the step shown (a question, inside an entry or
 * not, or a repeat's list), the way from step to step (Next, Back, "Prefer not to say", the
 * respondent's language), the keyboard, and the summary with Complete. What it saves is
 * intake-interview-saving.c's, a repeat's entries intake-interview-entries.c's, how a page
 * starts (its constructors) intake-interview-start.c's; see intake-interview-page-private.h.
 */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-interview-page-private.h"
#include "intake-ui-private.h"

G_DEFINE_FINAL_TYPE (IntakeInterviewPage, intake_interview_page, ADW_TYPE_BIN)

enum
{
  SIGNAL_CLOSED,
  SIGNAL_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum
{
  PROP_0,
  PROP_BACK_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
remember_position (IntakeInterviewPage *self)
{
  if (self->interview_id != NULL && self->places != NULL)
    intake_interview_places_remember (self->places, self->interview_id, self->language,
                                      self->current, self->repeat_name, self->entry);
}

/* Gives @widget the keyboard focus now, or as soon as the page is on screen (a new page is
 * built before the window shows it). */
void
_intake_interview_page_take_focus (IntakeInterviewPage *self, GtkWidget *widget)
{
  self->pending_back_focus = FALSE;
  g_set_weak_pointer (&self->pending_focus, widget);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && gtk_widget_grab_focus (widget))
    g_clear_weak_pointer (&self->pending_focus);
}

/* The header's back button is the window's: it is focused through the window's action. */
static void
take_back_focus (IntakeInterviewPage *self)
{
  g_clear_weak_pointer (&self->pending_focus);
  self->pending_back_focus = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (!self->pending_back_focus)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.focus-back", NULL);
}

/* The summary has a way back (the window's header shows it); a question has its own Back. */
static void
notify_back (IntakeInterviewPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACK_LABEL]);
}

static void
intake_interview_page_map (GtkWidget *widget)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (widget);

  GTK_WIDGET_CLASS (intake_interview_page_parent_class)->map (widget);
  if (self->pending_focus != NULL)
    {
      gtk_widget_grab_focus (self->pending_focus);
      g_clear_weak_pointer (&self->pending_focus);
    }
  else if (self->pending_back_focus)
    {
      self->pending_back_focus = FALSE;
      gtk_widget_activate_action (widget, "win.focus-back", NULL);
    }
}

void
_intake_interview_page_clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static void go_next (IntakeInterviewPage *self);

static void
decline_clicked_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = intake_answer_new_declined ();

  /* The button is the page's, hidden where nothing can be declined (a note, a repeat with
   * entries, the summary); a click that still reaches it there (an accessibility tool acting on
   * what it read before the page changed) must not answer the page shown now. */
  if (self->decline_button == NULL || !gtk_widget_get_visible (self->decline_button))
    return;
  g_clear_handle_id (&self->typing_source, g_source_remove);
  if (!_intake_interview_page_save_answer (self, node))
    return;
  go_next (self);
}

static void next_clicked_cb (IntakeInterviewPage *self);

static void
reset_question_widgets (IntakeInterviewPage *self)
{
  g_clear_handle_id (&self->typing_source, g_source_remove);
  self->view = NULL;
  self->summary = NULL;
  self->decline_button = NULL;
  self->decline_icon = NULL;
  _intake_interview_page_clear_box (self->question_box);
  _intake_interview_page_clear_box (self->summary_box);
}

static void
update_language_button (IntakeInterviewPage *self)
{
  /* Named for what it changes: the respondent's questions, not the screens' language. */
  g_autofree char *text
      = g_strdup_printf (_("Respondent: %s"), _intake_interview_language_name (self->language));

  gtk_label_set_label (self->language_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->language_button),
                          g_strv_length ((GStrv) intake_form_get_languages (self->form)) > 1);
}

void
_intake_interview_page_show_question (IntakeInterviewPage *self, const char *name)
{
  _intake_interview_page_show_step (self, NULL, 0, name);
}

/* Shows question @name; with @repeat, inside entry @entry of that repeat. */
void
_intake_interview_page_show_step (IntakeInterviewPage *self, const char *repeat, guint entry,
                                  const char *name)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *rq = repeat ? _intake_interview_path_repeat (self->form, repeat) : NULL;
  g_autofree char *where = NULL;
  JsonNode *answer;
  GtkWidget *view, *focus;
  gboolean has_previous;
  gboolean declinable;

  g_return_if_fail (q != NULL);
  reset_question_widgets (self);
  /* @name and @repeat may be our own strings. */
  {
    char *new_current = g_strdup (name);
    char *new_repeat = g_strdup (repeat);
    g_free (self->current);
    g_free (self->repeat_name);
    self->current = new_current;
    self->repeat_name = new_repeat;
    self->entry = entry;
  }
  self->building = TRUE;

  if (rq != NULL)
    where = _intake_interview_entry_where (self->form, self->language, repeat, entry);
  answer = _intake_interview_page_answer_of (self, name);
  /* ${name} in the words of a question inside an entry reads that entry (and its household). */
  intake_form_session_set_label_entry (self->fs, repeat, entry);
  view = intake_question_view_new (self->form, self->fs, q, answer, self->language, where,
                                   self->review_note);
  self->view = INTAKE_QUESTION_VIEW (view);
  g_signal_connect_swapped (view, "typing",
                            G_CALLBACK (_intake_interview_page_typing_changed_cb), self);
  g_signal_connect_swapped (view, "choice-toggled",
                            G_CALLBACK (_intake_interview_page_choice_toggled_cb), self);
  g_signal_connect_swapped (view, "date-selected",
                            G_CALLBACK (_intake_interview_page_date_selected_cb), self);
  g_signal_connect_swapped (view, "activate", G_CALLBACK (next_clicked_cb), self);
  if (intake_question_view_get_repeat_list (self->view) != NULL)
    {
      GtkWidget *list = intake_question_view_get_repeat_list (self->view);

      /* A repeat inside the entry shown lists that entry's own entries. */
      if (self->repeat_name != NULL)
        {
          g_autofree char *path = _intake_interview_page_list_path (self);

          intake_repeat_list_set_path (INTAKE_REPEAT_LIST (list), path);
        }
      g_signal_connect_swapped (list, "add-entry", G_CALLBACK (_intake_interview_page_add_entry_cb),
                                self);
      g_signal_connect (list, "change-entry", G_CALLBACK (_intake_interview_page_entry_change_cb),
                        self);
      g_signal_connect (list, "remove-entry", G_CALLBACK (_intake_interview_page_entry_remove_cb),
                        self);
    }
  gtk_box_append (self->question_box, view);
  {
    g_autofree char *problem = answer ? _intake_interview_page_dup_problem (self, name) : NULL;
    _intake_interview_page_show_problem (self, problem);
  }

  /* A repeat with entries is not declined as a whole: that would delete them. */
  {
    g_autofree char *path = _intake_interview_page_list_path (self);
    JsonArray *entries = _intake_interview_entries_of (self->fs, path);

    declinable = intake_question_is_answerable (q)
                 && !(intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT
                      && entries != NULL && json_array_get_length (entries) > 0);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->decline_template_button), declinable);
  if (declinable)
    {
      self->decline_button = GTK_WIDGET (self->decline_template_button);
      self->decline_icon = GTK_WIDGET (self->decline_template_icon);
      _intake_interview_page_update_decline (self);
    }

  _intake_interview_page_set_saved (self, self->saves_in_flight > 0 ? _("Saving…")
                                          : answer                  ? _("Saved")
                                                                    : "");
  _intake_interview_page_update_progress (self);
  update_language_button (self);
  has_previous = repeat != NULL || intake_form_session_get_previous (self->fs, name) != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), has_previous);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->question_scroll), 0);
  _intake_stack_show (self->step_stack, "question");
  self->building = FALSE;
  remember_position (self);
  notify_back (self);

  /* The keyboard starts where the answer is given; on a masked answer, at the button that
   * shows it; on a note, at Next. */
  focus = intake_question_view_get_focus_widget (self->view);
  _intake_interview_page_take_focus (self, focus != NULL ? focus : GTK_WIDGET (self->next_button));
}

/* From the question shown to the next: within an entry, its next question, and after its
 * last, back to the repeat's list; otherwise the form's next step or the summary. */
static void
go_next (IntakeInterviewPage *self)
{
  const char *next;

  if (self->repeat_name != NULL)
    {
      g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, self->repeat_name,
                                                                    self->entry);
      g_autofree char *repeat = g_strdup (self->repeat_name);

      for (guint i = 0; steps != NULL && steps[i] != NULL; i++)
        if (g_str_equal (steps[i], self->current) && steps[i + 1] != NULL)
          {
            _intake_interview_page_show_step (self, repeat, self->entry, steps[i + 1]);
            return;
          }
      _intake_interview_page_show_list (self, repeat);
      return;
    }
  next = intake_form_session_get_next (self->fs, self->current);
  if (next != NULL)
    _intake_interview_page_show_question (self, next);
  else
    _intake_interview_page_show_summary (self);
}

static void
next_clicked_cb (IntakeInterviewPage *self)
{
  const IntakeQuestion *q;

  if (self->current == NULL || !_intake_interview_page_flush_typing (self))
    return;
  q = intake_form_lookup_question (self->form, self->current);
  if (intake_question_is_answerable (q))
    {
      g_autofree char *problem = NULL;

      /* A repeat left with no entry: "none" is its answer (saved, so that resuming goes on
       * past it). */
      if (intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT
          && _intake_interview_page_answer_of (self, self->current) == NULL
          && !intake_question_get_required (q))
        {
          g_autoptr (JsonNode) none
              = _intake_interview_page_entries_with (self, self->current, -1, NULL, NULL, -1);
          if (!_intake_interview_page_save_answer (self, none))
            return;
        }
      problem = _intake_interview_page_dup_problem (self, self->current);
      if (problem != NULL)
        {
          /* A required question left empty: say so here; "Prefer not to say" is the way on. */
          _intake_interview_page_show_problem (self, problem);
          return;
        }
    }
  go_next (self);
}

static void
back_clicked_cb (IntakeInterviewPage *self)
{
  const char *previous;

  if (self->current == NULL || !_intake_interview_page_flush_typing (self))
    return;
  if (self->repeat_name != NULL)
    {
      g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, self->repeat_name,
                                                                    self->entry);
      g_autofree char *repeat = g_strdup (self->repeat_name);

      for (guint i = 1; steps != NULL && steps[i] != NULL; i++)
        if (g_str_equal (steps[i], self->current))
          {
            _intake_interview_page_show_step (self, repeat, self->entry, steps[i - 1]);
            return;
          }
      _intake_interview_page_show_list (self, repeat);
      return;
    }
  previous = intake_form_session_get_previous (self->fs, self->current);
  if (previous != NULL)
    _intake_interview_page_show_question (self, previous);
}

static void
close_clicked_cb (IntakeInterviewPage *self)
{
  if (!_intake_interview_page_flush_typing (self))
    return;
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
language_clicked_cb (IntakeInterviewPage *self)
{
  const char *const *languages = intake_form_get_languages (self->form);
  guint n = g_strv_length ((GStrv) languages);
  guint at = 0;

  if (n < 2 || !_intake_interview_page_flush_typing (self))
    return;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (languages[i], self->language) == 0)
      at = i;
  g_free (self->language);
  self->language = g_strdup (languages[(at + 1) % n]);
  intake_form_session_set_language (self->fs, self->language);
  if (self->current != NULL)
    {
      g_autofree char *current = g_strdup (self->current);
      g_autofree char *repeat = g_strdup (self->repeat_name);
      _intake_interview_page_show_step (self, repeat, self->entry, current);
      /* Switched from the keyboard: stay on the switch. */
      gtk_widget_grab_focus (GTK_WIDGET (self->language_button));
    }
  else
    {
      GtkWidget *button;

      _intake_interview_page_show_summary (self);
      button = intake_interview_summary_get_language_button (self->summary);
      if (button != NULL)
        gtk_widget_grab_focus (button);
    }
}

static gboolean
is_enter (guint keyval)
{
  return keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter;
}

/*
 * Enter is Next where that is safe: on a choice it chooses it (if it is not chosen yet) and
 * goes on; on a calendar it takes the chosen day and goes on; in a number it goes on (the
 * entry's own activate). Space still only chooses, and in a text box Enter is a new line.
 * Held down, Enter acts once: its auto-repeat would otherwise answer page after page.
 */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, IntakeInterviewPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  const IntakeQuestion *q;
  GtkCalendar *calendar;

  if (!is_enter (keyval))
    return FALSE;
  if (self->enter_held)
    return TRUE;
  self->enter_held = TRUE;
  /* Ctrl+Enter: Next (Complete on the summary), before a text box takes it for a new line. */
  if ((state & GDK_CONTROL_MASK) != 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "interview.next", NULL);
      return TRUE;
    }
  if ((state & (GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0 || self->current == NULL || focus == NULL
      || self->view == NULL)
    return FALSE;
  q = intake_form_lookup_question (self->form, self->current);
  if (GTK_IS_TOGGLE_BUTTON (focus) && intake_question_view_is_choice (self->view, focus))
    {
      if (intake_question_get_question_type (q) == INTAKE_QUESTION_SELECT_ONE
          && !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (focus)))
        {
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (focus), TRUE);
          if (_intake_interview_page_answer_of (self, self->current) == NULL)
            return TRUE; /* Not saved: the page says why. */
        }
      next_clicked_cb (self);
      return TRUE;
    }
  calendar = intake_question_view_get_calendar (self->view);
  if (calendar != NULL
      && (focus == GTK_WIDGET (calendar) || gtk_widget_is_ancestor (focus, GTK_WIDGET (calendar))))
    {
      _intake_interview_page_date_selected_cb (self);
      next_clicked_cb (self);
      return TRUE;
    }
  return FALSE;
}

static void
key_released_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                 GdkModifierType state, IntakeInterviewPage *self)
{
  if (is_enter (keyval))
    self->enter_held = FALSE;
}

static void
next_action_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (widget);

  if (self->current != NULL)
    next_clicked_cb (self);
  else
    gtk_widget_activate_action (widget, "interview.complete", NULL);
}

/* Ctrl+Enter on the summary: Complete, deliberately (a plain Enter never completes). */
static void
complete_action_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (widget);

  GtkWidget *complete = self->summary != NULL
                            ? intake_interview_summary_get_complete_button (self->summary)
                            : NULL;

  if (self->current == NULL && complete != NULL && gtk_widget_get_mapped (complete))
    gtk_widget_activate (complete);
}

static void
back_action_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (widget);

  if (self->current != NULL)
    back_clicked_cb (self);
}

/* Summary. */

static void
summary_jump_cb (IntakeInterviewSummary *summary, const char *question, const char *repeat,
                 guint entry, IntakeInterviewPage *self)
{
  /* The summary goes with the page it is on: the names are copied first. */
  g_autofree char *q = g_strdup (question);
  g_autofree char *r = g_strdup (repeat);

  if (r != NULL)
    _intake_interview_page_show_step (self, r, entry, q);
  else
    _intake_interview_page_show_question (self, q);
}

/* Back from the summary: to the last question shown now. */
static void
summary_back (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  guint n = g_strv_length (visible);

  if (n > 0)
    _intake_interview_page_show_question (self, visible[n - 1]);
}

static void
completed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeInterviewPage) self = user_data;
  g_autoptr (GError) error = NULL;

  self->completing = FALSE;
  if (!intake_session_complete_interview_finish (INTAKE_SESSION (source), result, &error))
    {
      if (self->session == NULL)
        return;
      if (self->summary != NULL)
        intake_interview_summary_show_error (self->summary, error->message);
      _intake_interview_page_toast (self, _("Not completed: see the message above the button"));
      return;
    }
  if (self->session == NULL)
    return;
  _intake_interview_page_toast (self, _("Interview completed and saved"));
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

/* One transaction on the session's queue (after the answers before it) that completes, seals
 * and audits; the page waits for it with the summary on screen. */
static void
summary_complete_cb (IntakeInterviewPage *self)
{
  if (self->completing)
    return;
  self->completing = TRUE;
  intake_session_complete_interview_async (self->session, self->interview_id, NULL,
                                           completed_cb, g_object_ref (self));
}

void
_intake_interview_page_show_summary (IntakeInterviewPage *self)
{
  GtkWidget *summary, *first_problem;

  reset_question_widgets (self);
  g_clear_pointer (&self->current, g_free);
  g_clear_pointer (&self->repeat_name, g_free);
  summary = intake_interview_summary_new (self->form, self->fs, self->language,
                                          self->review_note);
  self->summary = INTAKE_INTERVIEW_SUMMARY (summary);
  g_signal_connect (summary, "jump", G_CALLBACK (summary_jump_cb), self);
  g_signal_connect_swapped (summary, "complete", G_CALLBACK (summary_complete_cb), self);
  g_signal_connect_swapped (summary, "switch-language", G_CALLBACK (language_clicked_cb), self);
  gtk_box_append (self->summary_box, summary);

  gtk_adjustment_set_value (
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->summary_scroll)), 0);
  _intake_stack_show (self->step_stack, "summary");
  remember_position (self);
  notify_back (self);
  /* The keyboard starts at the top (the result stays in view), on the first thing still to
   * answer if there is one, or on the header's Back; Complete is never where Enter lands by
   * itself (Ctrl+Enter). */
  first_problem = intake_interview_summary_get_first_problem (self->summary);
  if (first_problem != NULL)
    _intake_interview_page_take_focus (self, first_problem);
  else
    take_back_focus (self);
}

static void
intake_interview_page_dispose (GObject *object)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (object);

  /* Nothing is written from here: the window saves what was typed before it drops the page
   * (intake_interview_page_save_typing ()), on lock too. */
  g_clear_handle_id (&self->typing_source, g_source_remove);
  if (self->dialog != NULL)
    gtk_window_destroy (g_steal_pointer (&self->dialog));
  self->view = NULL;
  self->summary = NULL;
  self->decline_button = NULL;
  self->decline_icon = NULL;
  g_clear_weak_pointer (&self->pending_focus);
  /* The bin's child is the template's root: let go of it before the template does. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_INTERVIEW_PAGE);
  g_clear_object (&self->fs);
  g_clear_object (&self->form);
  g_clear_object (&self->session);
  g_clear_object (&self->places);
  G_OBJECT_CLASS (intake_interview_page_parent_class)->dispose (object);
}

static void
intake_interview_page_finalize (GObject *object)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (object);

  g_clear_pointer (&self->interview_id, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->review_note, g_free);
  g_clear_pointer (&self->current, g_free);
  g_clear_pointer (&self->repeat_name, g_free);
  G_OBJECT_CLASS (intake_interview_page_parent_class)->finalize (object);
}

const char *
intake_interview_page_get_back_label (IntakeInterviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PAGE (self), NULL);

  /* On the summary only: the questions have their own Back beside Next. */
  if (self->summary != NULL && self->current == NULL)
    return _("Back to the questions");
  return NULL;
}

void
intake_interview_page_go_back (IntakeInterviewPage *self)
{
  g_return_if_fail (INTAKE_IS_INTERVIEW_PAGE (self));

  if (self->summary != NULL && self->current == NULL)
    summary_back (self);
}

static void
intake_interview_page_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACK_LABEL:
      g_value_set_string (value, intake_interview_page_get_back_label (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_interview_page_class_init (IntakeInterviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = intake_interview_page_get_property;
  /* What the header's back button says, or NULL when the page shows none there. */
  properties[PROP_BACK_LABEL] = g_param_spec_string ("back-label", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_type_ensure (INTAKE_TYPE_QUESTION_VIEW);
  g_type_ensure (INTAKE_TYPE_INTERVIEW_SUMMARY);

  object_class->dispose = intake_interview_page_dispose;
  object_class->finalize = intake_interview_page_finalize;
  widget_class->map = intake_interview_page_map;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-interview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, step_stack);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, choose_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, choose_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, saved_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, saved_icon);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, language_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, language_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, question_scroll);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, question_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, decline_bar);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage,
                                        decline_template_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage,
                                        decline_template_icon);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, next_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, summary_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, summary_scroll);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, language_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, decline_clicked_cb);

  /* The whole interview works from a keyboard too: Tab among the answers, Space to choose,
   * Alt+Right / Alt+Left (or Ctrl+Enter) for Next and Back. */
  gtk_widget_class_install_action (widget_class, "interview.next", NULL, next_action_cb);
  gtk_widget_class_install_action (widget_class, "interview.back", NULL, back_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK,
                                       "interview.next", NULL);
  gtk_widget_class_install_action (widget_class, "interview.complete", NULL,
                                   complete_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "interview.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "interview.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "interview.back", NULL);
}

/* When the page gets shorter (in the kiosk, the on-screen keyboard rising takes the lower half
 * of the screen), the focused field would stay where it was, below the new edge, hidden:
 * scroll the question so that it is in view again. GtkViewport only scrolls on a change of
 * focus. The adjustment says "changed" while the viewport is being allocated, which then sets
 * the value again: the scroll waits for an idle moment. */
static gboolean
scroll_focus_into_view (gpointer data)
{
  g_autoptr (IntakeInterviewPage) self = g_weak_ref_get (data);
  GtkRoot *root = self != NULL ? gtk_widget_get_root (GTK_WIDGET (self)) : NULL;
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *child = self != NULL ? gtk_scrolled_window_get_child (self->question_scroll) : NULL;
  GtkWidget *content = child != NULL && GTK_IS_VIEWPORT (child)
                           ? gtk_viewport_get_child (GTK_VIEWPORT (child))
                           : child;
  graphene_rect_t bounds;

  if (self != NULL)
    self->scroll_idle = 0;
  if (focus == NULL || content == NULL || !gtk_widget_is_ancestor (focus, content)
      || !gtk_widget_compute_bounds (focus, content, &bounds))
    return G_SOURCE_REMOVE;
  gtk_adjustment_clamp_page (gtk_scrolled_window_get_vadjustment (self->question_scroll),
                             bounds.origin.y, bounds.origin.y + bounds.size.height);
  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
question_page_size_cb (GtkAdjustment *adjustment, IntakeInterviewPage *self)
{
  double page = gtk_adjustment_get_page_size (adjustment);
  GWeakRef *ref;

  /* Only when it got shorter: a longer page hides nothing. */
  if (page >= self->last_page_size || self->scroll_idle != 0)
    {
      self->last_page_size = page;
      return;
    }
  self->last_page_size = page;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  self->scroll_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, scroll_focus_into_view, ref,
                                       weak_ref_free);
}

static void
intake_interview_page_init (IntakeInterviewPage *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->show_step = _intake_interview_page_show_step;
  /* Before the focused control sees the key: Enter means Next on a choice. */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect (keys, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->question_scroll),
                           "changed", G_CALLBACK (question_page_size_cb), self, 0);
}

/* Where the page is, so that the window can build it again (the interface language changed):
 * what was typed is saved first. FALSE when it cannot be (the page shows why). */
gboolean
intake_interview_page_save_place (IntakeInterviewPage *self, char **interview_id,
                                  char **question)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PAGE (self), FALSE);

  if (!_intake_interview_page_flush_typing (self))
    return FALSE;
  *interview_id = g_strdup (self->interview_id);
  *question = g_strdup (self->current);
  return TRUE;
}

/* What was typed and not yet saved goes to the store's queue now (before the window drops the
 * page or locks). FALSE when it is not a number (the page shows why). */
gboolean
intake_interview_page_save_typing (IntakeInterviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PAGE (self), FALSE);

  if (self->typing_source == 0)
    return TRUE;
  return _intake_interview_page_flush_typing (self);
}

/* Whether answers are still on their way to the store (queued, not yet committed). */
gboolean
intake_interview_page_is_saving (IntakeInterviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PAGE (self), FALSE);

  return self->saves_in_flight > 0;
}
