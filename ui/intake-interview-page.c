/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-interview-page.h"
#include "intake-interview-places.h"
#include "intake-interview-private.h"
#include "intake-interview-summary.h"
#include "intake-json.h"
#include "intake-question-view.h"
#include "intake-repeat-list.h"
#include "intake-ui-private.h"

/* Typing in a text or number answer is saved this long after the last key, and always before
 * leaving the question: one durable transaction per pause, not per key. */
#define TYPING_SAVE_DELAY_MS 800

struct _IntakeInterviewPage
{
  AdwBin parent_instance;

  GtkStack *step_stack;
  GtkLabel *choose_title;
  GtkBox *choose_box;
  GtkProgressBar *progress_bar;
  GtkLabel *saved_label;
  GtkWidget *saved_icon;
  GtkButton *language_button;
  GtkLabel *language_label;
  GtkScrolledWindow *question_scroll;
  double last_page_size; /* The question's visible height, to see it shrink. */
  guint scroll_idle;
  GtkBox *question_box;
  GtkBox *decline_bar;
  GtkButton *decline_template_button;
  GtkImage *decline_template_icon;
  GtkButton *back_button;
  GtkButton *next_button;
  GtkBox *summary_box;
  GtkWidget *summary_scroll;

  IntakeSession *session;
  char *interview_id;
  IntakeForm *form;
  IntakeFormSession *fs;
  char *language;
  /* A supervisor's note on a returned interview, shown on top of every page of it. */
  char *review_note;
  /* The question shown, or NULL on the choice and summary screens. */
  char *current;
  /* When the question shown is inside one entry of a repeat: the repeat and the entry (from
   * 0). NULL on every other page, the repeat's own list of entries included. */
  char *repeat_name;
  guint entry;

  IntakeInterviewPlaces *places;
  /* The question shown (NULL on the choice and summary screens) and its decline. */
  IntakeQuestionView *view;
  GtkWidget *decline_button;
  GtkWidget *decline_icon;
  /* The summary shown, or NULL. */
  IntakeInterviewSummary *summary;
  /* The open "Remove entry?" question, closed with the page. */
  GtkWindow *dialog;
  /* The control to focus once the page is on screen (a weak pointer). */
  GtkWidget *pending_focus;
  /* Answers queued for the store and not yet committed; whether one of them failed. */
  guint saves_in_flight;
  gboolean save_failed;
  gboolean completing;
  gboolean creating;
  /* The header's Back takes the focus once the page is on screen. */
  gboolean pending_back_focus;
  /* Enter is down: its auto-repeat must not answer and skip page after page. */
  gboolean enter_held;
  gboolean building;
  guint typing_source;
};

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

static void show_question (IntakeInterviewPage *self, const char *name);
static void show_step (IntakeInterviewPage *self, const char *repeat, guint entry,
                       const char *name);
static void show_summary (IntakeInterviewPage *self);

static void
remember_position (IntakeInterviewPage *self)
{
  if (self->interview_id != NULL && self->places != NULL)
    intake_interview_places_remember (self->places, self->interview_id, self->language,
                                      self->current, self->repeat_name, self->entry);
}

/* Gives @widget the keyboard focus now, or as soon as the page is on screen (a new page is
 * built before the window shows it). */
static void
take_focus (IntakeInterviewPage *self, GtkWidget *widget)
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

static void
toast (IntakeInterviewPage *self, const char *message)
{
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, message);
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

/* The answer to @name: a question's, or inside the entry shown, that entry's. */
static JsonNode *
answer_of (IntakeInterviewPage *self, const char *name)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *r = _intake_interview_repeat_of (q);
  JsonObject *entry;
  JsonNode *node;

  if (r == NULL)
    return _intake_interview_top_answer (self->fs, name);
  if (self->repeat_name == NULL
      || _intake_interview_path_repeat (self->form, self->repeat_name) != r)
    return NULL;
  entry = _intake_interview_entry_object (self->fs, self->repeat_name, self->entry);
  node = entry ? json_object_get_member (entry, name) : NULL;
  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

/* A new array of new entry objects (the session's own are never changed in place), with
 * member @child of entry @entry set to @value (NULL: removed), and entry @skip left out. */
static JsonNode *
entries_with (IntakeInterviewPage *self, const char *repeat, gint entry, const char *child,
              JsonNode *value, gint skip)
{
  JsonArray *old = _intake_interview_entries_of (self->fs, repeat);
  JsonArray *arr = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; old != NULL && i < json_array_get_length (old); i++)
    {
      JsonNode *element = json_array_get_element (old, i);
      JsonObject *copy = json_object_new ();

      if ((gint) i == skip)
        {
          json_object_unref (copy);
          continue;
        }
      if (JSON_NODE_HOLDS_OBJECT (element))
        {
          JsonObjectIter it;
          const char *member;
          JsonNode *v;

          json_object_iter_init (&it, json_node_get_object (element));
          while (json_object_iter_next (&it, &member, &v))
            json_object_set_member (copy, member, json_node_copy (v));
        }
      if ((gint) i == entry && child != NULL)
        {
          if (value == NULL || JSON_NODE_HOLDS_NULL (value))
            json_object_remove_member (copy, child);
          else
            json_object_set_member (copy, child, json_node_copy (value));
        }
      json_array_add_object_element (arr, copy);
    }
  json_node_take_array (node, arr);
  return node;
}

static gboolean store_answer (IntakeInterviewPage *self, const char *name, JsonNode *value);

/* Saves @list as the entries of the repeat at @repeat (a path): a top-level repeat's answer, or
 * for a repeat inside an entry, the enclosing repeats' lists with that entry's member changed,
 * up to the top-level one, which is what is stored. */
static gboolean
store_entries (IntakeInterviewPage *self, const char *repeat, JsonNode *list)
{
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  g_autoptr (JsonNode) outer = NULL;
  guint entry;

  if (!_intake_interview_parent_entry (repeat, &parent, &entry, &name))
    return store_answer (self, repeat, list);
  outer = entries_with (self, parent, (gint) entry, name, list, -1);
  return store_entries (self, parent, outer);
}

/* The path of the repeat whose list is shown now: the question itself at the top level, or
 * inside an entry, that entry's path with it ("household[2]/member"). */
static char *
list_path (IntakeInterviewPage *self)
{
  if (self->repeat_name == NULL)
    return g_strdup (self->current);
  return _intake_interview_entry_path (self->repeat_name, self->entry, self->current);
}

static void
set_saved (IntakeInterviewPage *self, const char *text)
{
  /* One line as wide as the longer of its two words in the screen's language, whichever shows:
   * it never jumps as saves come and go (they are quick now, off the main thread), and is
   * never narrower than its word at 360 px. */
  int chars = MAX (g_utf8_strlen (_("Saving…"), -1), g_utf8_strlen (_("Saved"), -1));

  gtk_label_set_width_chars (self->saved_label, chars);
  /* The label's text is its accessible name: "Saved" is what a screen reader says too. */
  gtk_label_set_label (self->saved_label, text);
  gtk_widget_set_visible (self->saved_icon, text != NULL && *text != '\0');
}

static void
show_problem (IntakeInterviewPage *self, const char *problem)
{
  if (self->view != NULL)
    intake_question_view_show_problem (self->view, problem);
}

static void
update_progress (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  guint n = g_strv_length (visible);
  guint at = 0;
  g_autofree char *text = NULL;
  /* Inside an entry, the (top-level) repeat is the step. */
  g_autofree char *step = self->repeat_name
                              ? g_strndup (self->repeat_name, strcspn (self->repeat_name, "["))
                              : g_strdup (self->current);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (visible[i], step) == 0)
      at = i + 1;
  /* The number of steps changes as answers show or hide questions: say where we are now. */
  text = g_strdup_printf (_("Question %u of %u"), at, n);
  gtk_progress_bar_set_fraction (self->progress_bar, n > 0 ? (double) at / n : 0);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
update_decline (IntakeInterviewPage *self)
{
  JsonNode *answer = self->current ? answer_of (self, self->current) : NULL;
  gboolean declined = answer != NULL && intake_answer_is_declined (answer);

  if (self->decline_button == NULL)
    return;
  /* Chosen, it is marked with a tick and a border, never in Next's colour: the eye would take
   * it for the way on. */
  if (declined)
    gtk_widget_add_css_class (self->decline_button, "chosen");
  else
    gtk_widget_remove_css_class (self->decline_button, "chosen");
  gtk_widget_set_visible (self->decline_icon, declined);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->decline_button),
                               GTK_ACCESSIBLE_STATE_PRESSED,
                               declined ? GTK_ACCESSIBLE_TRISTATE_TRUE
                                        : GTK_ACCESSIBLE_TRISTATE_FALSE,
                               -1);
}

static void
answer_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (IntakeInterviewPage) self = g_weak_ref_get (ref);
  g_autoptr (GError) error = NULL;
  gboolean ok = intake_session_set_answer_finish (INTAKE_SESSION (source), result, &error);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL)
    return;
  self->saves_in_flight--;
  if (!ok)
    {
      self->save_failed = TRUE;
      set_saved (self, _("Not saved"));
      show_problem (self, error->message);
      toast (self, error->message);
      return;
    }
  if (self->saves_in_flight == 0 && !self->save_failed)
    set_saved (self, _("Saved"));
}

/* Saves one top-level answer (@value NULL clears it): one durable transaction. The screen
 * says "Saved" only after the store's transaction has returned. */
static gboolean
store_answer (IntakeInterviewPage *self, const char *name, JsonNode *value)
{
  g_autoptr (JsonNode) null_node = NULL;
  GWeakRef *ref;

  if (value == NULL)
    value = null_node = json_node_new (JSON_NODE_NULL);
  /* The page goes on with the answer at once; the store's transaction runs on the session's
   * queue, after the answers given before it, and "Saved" waits for its commit. The page may
   * be gone by then: the callback holds it weakly. */
  intake_form_session_set_answer (self->fs, name, JSON_NODE_HOLDS_NULL (value) ? NULL : value,
                                  NULL);
  self->saves_in_flight++;
  self->save_failed = FALSE;
  set_saved (self, _("Saving…"));
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  intake_session_set_answer_async (self->session, self->interview_id, name, value, NULL,
                                   answer_saved_cb, ref);
  return TRUE;
}

/* The problem with the answer on the page, in words: inside an entry, that child's; on a
 * repeat's list, the repeat's own or the first entry's, named by entry and question. */
static char *
dup_problem (IntakeInterviewPage *self, const char *name)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  g_autoptr (JsonNode) problems = NULL;
  JsonArray *arr;

  g_autofree char *list = NULL;

  if (q == NULL)
    return NULL;
  if (_intake_interview_repeat_of (q) != NULL
      && (intake_question_get_question_type (q) != INTAKE_QUESTION_REPEAT
          || self->repeat_name == NULL))
    return self->repeat_name ? intake_form_session_dup_entry_problem (
                                   self->fs, self->repeat_name, self->entry, name)
                             : NULL;
  if (intake_question_get_question_type (q) != INTAKE_QUESTION_REPEAT)
    return intake_form_session_dup_problem (self->fs, name);
  /* A repeat's list (inside an entry too): its own problem, or its first entry's. */
  if (self->repeat_name != NULL && g_strcmp0 (name, self->current) == 0)
    {
      char *own = intake_form_session_dup_entry_problem (self->fs, self->repeat_name,
                                                         self->entry, name);
      if (own != NULL)
        return own;
    }
  list = self->repeat_name != NULL && g_strcmp0 (name, self->current) == 0 ? list_path (self)
                                                                           : g_strdup (name);
  problems = intake_form_session_dup_problems_json (self->fs);
  arr = json_node_get_array (problems);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *p = json_array_get_object_element (arr, i);
      const char *path = intake_json_get_string (p, "question");
      g_autofree char *repeat = NULL;
      g_autofree char *child = NULL;
      guint entry;

      if (g_strcmp0 (path, name) == 0)
        return g_strdup (intake_json_get_string (p, "message"));
      if (path != NULL && _intake_interview_parse_entry_path (path, &repeat, &entry, &child)
          && g_str_equal (repeat, list))
        return _intake_interview_entry_problem_text (self->form, self->language, entry, child,
                                                     intake_json_get_string (p, "message"));
    }
  return NULL;
}

/* Saves one answer of the question shown (@value NULL clears it); inside a repeat's entry,
 * the repeat's whole list with that entry changed. */
static gboolean
save_answer (IntakeInterviewPage *self, JsonNode *value)
{
  g_autofree char *problem = NULL;
  JsonNode *old = answer_of (self, self->current);
  gboolean cleared = value == NULL || JSON_NODE_HOLDS_NULL (value);

  if ((old == NULL && cleared) || (old != NULL && value != NULL && json_node_equal (old, value)))
    return TRUE;
  if (self->repeat_name != NULL)
    {
      g_autoptr (JsonNode) list = entries_with (self, self->repeat_name, (gint) self->entry,
                                                self->current, value, -1);
      if (!store_entries (self, self->repeat_name, list))
        return FALSE;
    }
  else if (!store_answer (self, self->current, value))
    return FALSE;
  problem = dup_problem (self, self->current);
  show_problem (self, cleared ? NULL : problem);
  update_decline (self);
  update_progress (self);
  return TRUE;
}

/* Saves what is typed in a number or text answer. FALSE (with the problem shown) when the
 * text is not a number. */
static gboolean
flush_typing (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *old;

  g_clear_handle_id (&self->typing_source, g_source_remove);
  g_clear_handle_id (&self->scroll_idle, g_source_remove);
  if (self->current == NULL || self->building || self->view == NULL
      || !intake_question_view_has_typing (self->view))
    return TRUE;
  if (!intake_question_view_dup_typed_answer (self->view, &node, &error))
    {
      show_problem (self, error->message);
      set_saved (self, _("Not saved"));
      return FALSE;
    }
  old = answer_of (self, self->current);
  /* An empty answer over a "prefer not to say" keeps that answer. */
  if (node == NULL && old != NULL && intake_answer_is_declined (old))
    return TRUE;
  return save_answer (self, node);
}

static gboolean
typing_timeout_cb (gpointer user_data)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (user_data);

  self->typing_source = 0;
  flush_typing (self);
  return G_SOURCE_REMOVE;
}

static void
typing_changed_cb (IntakeInterviewPage *self)
{
  if (self->building)
    return;
  set_saved (self, "");
  g_clear_handle_id (&self->typing_source, g_source_remove);
  self->typing_source = g_timeout_add (TYPING_SAVE_DELAY_MS, typing_timeout_cb, self);
}

static void
choice_toggled_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = NULL;

  if (self->building || self->current == NULL)
    return;
  node = intake_question_view_dup_choice_answer (self->view);
  if (node != NULL)
    save_answer (self, node);
}

static void
date_selected_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = NULL;

  if (self->building || self->view == NULL)
    return;
  node = intake_question_view_dup_date_answer (self->view);
  if (node != NULL)
    save_answer (self, node);
}

static void go_next (IntakeInterviewPage *self);

static void
decline_clicked_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = intake_answer_new_declined ();

  g_clear_handle_id (&self->typing_source, g_source_remove);
  if (!save_answer (self, node))
    return;
  go_next (self);
}

static void next_clicked_cb (IntakeInterviewPage *self);

static void open_entry (IntakeInterviewPage *self, const char *repeat, guint entry);

static void show_list (IntakeInterviewPage *self, const char *repeat);

static void
entry_change_cb (IntakeRepeatList *list, guint entry, IntakeInterviewPage *self)
{
  g_autofree char *repeat = list_path (self);

  open_entry (self, repeat, entry);
}

/* The form session adds the entry with its dynamic defaults evaluated (ODK's odk-new-repeat);
 * the new list is then saved as any answer is. */
static void
add_entry_cb (IntakeInterviewPage *self)
{
  g_autofree char *repeat = list_path (self);
  g_autoptr (JsonNode) list = NULL;
  guint n;

  /* A top-level repeat's entry is made by the form session, which evaluates its dynamic
   * defaults; an entry inside an entry is added here through the entries that hold it (the
   * form loader refuses a dynamic default there). */
  if (strchr (repeat, '/') == NULL)
    {
      if (!intake_form_session_add_entry (self->fs, repeat, &n, NULL))
        return;
      list = entries_with (self, repeat, -1, NULL, NULL, -1);
    }
  else
    {
      list = entries_with (self, repeat, -1, NULL, NULL, -1);
      json_array_add_object_element (json_node_get_array (list), json_object_new ());
      n = json_array_get_length (json_node_get_array (list)) - 1;
    }
  if (!store_entries (self, repeat, list))
    return;
  open_entry (self, repeat, n);
}

static void
remove_response_cb (AdwMessageDialog *dialog, const char *response, IntakeInterviewPage *self)
{
  guint entry = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "entry"));
  g_autofree char *repeat = g_strdup (g_object_get_data (G_OBJECT (dialog), "repeat"));
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *shown = list_path (self);

  self->dialog = NULL;
  if (g_strcmp0 (response, "remove") != 0 || g_strcmp0 (repeat, shown) != 0)
    return;
  list = entries_with (self, repeat, -1, NULL, NULL, (gint) entry);
  if (!store_entries (self, repeat, list))
    return;
  toast (self, _("Entry removed"));
  show_list (self, repeat);
}

/* Removing loses the entry's answers: asked first. */
static void
entry_remove_cb (IntakeRepeatList *list, guint entry, IntakeInterviewPage *self)
{
  g_autofree char *heading = g_strdup_printf (_("Remove entry %u?"), entry + 1);
  GtkWidget *dialog;

  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("Its answers are deleted from this interview."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("Cancel"), "remove",
                                    _("Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", GUINT_TO_POINTER (entry));
  g_object_set_data_full (G_OBJECT (dialog), "repeat", list_path (self), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  self->dialog = GTK_WINDOW (dialog);
  /* The release of the key that opened the dialog goes to the dialog. */
  self->enter_held = FALSE;
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reset_question_widgets (IntakeInterviewPage *self)
{
  g_clear_handle_id (&self->typing_source, g_source_remove);
  self->view = NULL;
  self->summary = NULL;
  self->decline_button = NULL;
  self->decline_icon = NULL;
  clear_box (self->question_box);
  clear_box (self->summary_box);
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

static void
show_question (IntakeInterviewPage *self, const char *name)
{
  show_step (self, NULL, 0, name);
}

/* Shows the list of the repeat at @repeat (a path): a top-level repeat's page, or inside the
 * entry that holds it, the step that is that repeat. */
static void
show_list (IntakeInterviewPage *self, const char *repeat)
{
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  guint entry;

  if (_intake_interview_parent_entry (repeat, &parent, &entry, &name))
    show_step (self, parent, entry, name);
  else
    show_question (self, repeat);
}

/* Shows question @name; with @repeat, inside entry @entry of that repeat. */
static void
show_step (IntakeInterviewPage *self, const char *repeat, guint entry, const char *name)
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
  answer = answer_of (self, name);
  /* ${name} in the words of a question inside an entry reads that entry (and its household). */
  intake_form_session_set_label_entry (self->fs, repeat, entry);
  view = intake_question_view_new (self->form, self->fs, q, answer, self->language, where,
                                   self->review_note);
  self->view = INTAKE_QUESTION_VIEW (view);
  g_signal_connect_swapped (view, "typing", G_CALLBACK (typing_changed_cb), self);
  g_signal_connect_swapped (view, "choice-toggled", G_CALLBACK (choice_toggled_cb), self);
  g_signal_connect_swapped (view, "date-selected", G_CALLBACK (date_selected_cb), self);
  g_signal_connect_swapped (view, "activate", G_CALLBACK (next_clicked_cb), self);
  if (intake_question_view_get_repeat_list (self->view) != NULL)
    {
      GtkWidget *list = intake_question_view_get_repeat_list (self->view);

      /* A repeat inside the entry shown lists that entry's own entries. */
      if (self->repeat_name != NULL)
        {
          g_autofree char *path = list_path (self);

          intake_repeat_list_set_path (INTAKE_REPEAT_LIST (list), path);
        }
      g_signal_connect_swapped (list, "add-entry", G_CALLBACK (add_entry_cb), self);
      g_signal_connect (list, "change-entry", G_CALLBACK (entry_change_cb), self);
      g_signal_connect (list, "remove-entry", G_CALLBACK (entry_remove_cb), self);
    }
  gtk_box_append (self->question_box, view);
  {
    g_autofree char *problem = answer ? dup_problem (self, name) : NULL;
    show_problem (self, problem);
  }

  /* A repeat with entries is not declined as a whole: that would delete them. */
  {
    g_autofree char *path = list_path (self);
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
      update_decline (self);
    }

  set_saved (self, self->saves_in_flight > 0 ? _("Saving…") : answer ? _("Saved") : "");
  update_progress (self);
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
  take_focus (self, focus != NULL ? focus : GTK_WIDGET (self->next_button));
}

/* The first step of an entry (its list when it has none). */
static void
open_entry (IntakeInterviewPage *self, const char *repeat, guint entry)
{
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, repeat, entry);

  if (steps != NULL && steps[0] != NULL)
    show_step (self, repeat, entry, steps[0]);
  else
    show_list (self, repeat);
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
            show_step (self, repeat, self->entry, steps[i + 1]);
            return;
          }
      show_list (self, repeat);
      return;
    }
  next = intake_form_session_get_next (self->fs, self->current);
  if (next != NULL)
    show_question (self, next);
  else
    show_summary (self);
}

static void
next_clicked_cb (IntakeInterviewPage *self)
{
  const IntakeQuestion *q;

  if (self->current == NULL || !flush_typing (self))
    return;
  q = intake_form_lookup_question (self->form, self->current);
  if (intake_question_is_answerable (q))
    {
      g_autofree char *problem = NULL;

      /* A repeat left with no entry: "none" is its answer (saved, so that resuming goes on
       * past it). */
      if (intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT
          && answer_of (self, self->current) == NULL && !intake_question_get_required (q))
        {
          g_autoptr (JsonNode) none = entries_with (self, self->current, -1, NULL, NULL, -1);
          if (!save_answer (self, none))
            return;
        }
      problem = dup_problem (self, self->current);
      if (problem != NULL)
        {
          /* A required question left empty: say so here; "Prefer not to say" is the way on. */
          show_problem (self, problem);
          return;
        }
    }
  go_next (self);
}

static void
back_clicked_cb (IntakeInterviewPage *self)
{
  const char *previous;

  if (self->current == NULL || !flush_typing (self))
    return;
  if (self->repeat_name != NULL)
    {
      g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, self->repeat_name,
                                                                    self->entry);
      g_autofree char *repeat = g_strdup (self->repeat_name);

      for (guint i = 1; steps != NULL && steps[i] != NULL; i++)
        if (g_str_equal (steps[i], self->current))
          {
            show_step (self, repeat, self->entry, steps[i - 1]);
            return;
          }
      show_list (self, repeat);
      return;
    }
  previous = intake_form_session_get_previous (self->fs, self->current);
  if (previous != NULL)
    show_question (self, previous);
}

static void
close_clicked_cb (IntakeInterviewPage *self)
{
  if (!flush_typing (self))
    return;
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
language_clicked_cb (IntakeInterviewPage *self)
{
  const char *const *languages = intake_form_get_languages (self->form);
  guint n = g_strv_length ((GStrv) languages);
  guint at = 0;

  if (n < 2 || !flush_typing (self))
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
      show_step (self, repeat, self->entry, current);
      /* Switched from the keyboard: stay on the switch. */
      gtk_widget_grab_focus (GTK_WIDGET (self->language_button));
    }
  else
    {
      GtkWidget *button;

      show_summary (self);
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
          if (answer_of (self, self->current) == NULL)
            return TRUE; /* Not saved: the page says why. */
        }
      next_clicked_cb (self);
      return TRUE;
    }
  calendar = intake_question_view_get_calendar (self->view);
  if (calendar != NULL
      && (focus == GTK_WIDGET (calendar) || gtk_widget_is_ancestor (focus, GTK_WIDGET (calendar))))
    {
      date_selected_cb (self);
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
    show_step (self, r, entry, q);
  else
    show_question (self, q);
}

/* Back from the summary: to the last question shown now. */
static void
summary_back (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  guint n = g_strv_length (visible);

  if (n > 0)
    show_question (self, visible[n - 1]);
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
      toast (self, _("Not completed: see the message above the button"));
      return;
    }
  if (self->session == NULL)
    return;
  toast (self, _("Interview completed and saved"));
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

static void
show_summary (IntakeInterviewPage *self)
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
    take_focus (self, first_problem);
  else
    take_back_focus (self);
}

/* Starting: choose the form, then the language. */

static void resume (IntakeInterviewPage *self);

static void
interview_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeInterviewPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeInterview) iv = NULL;

  self->interview_id = intake_session_create_interview_finish (INTAKE_SESSION (source), result,
                                                               &error);
  /* Locked meanwhile: the page is gone from the window. */
  if (self->session == NULL)
    return;
  if (self->interview_id == NULL
      || !(iv = intake_session_open_interview (self->session, self->interview_id, &error)))
    {
      toast (self, error->message);
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
      return;
    }
  self->fs = intake_form_session_new (self->form, intake_json_get_object (iv->content, "answers"),
                                      self->language);
  resume (self);
}

static void
language_chosen_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_autoptr (JsonObject) answers = json_object_new ();
  const IntakeQuestion *lq;

  if (self->creating)
    return;
  g_free (self->language);
  self->language = g_strdup (g_object_get_data (G_OBJECT (button), "language"));
  /* The bundled form asks which language the interview is in; the choice just made answers it
   * (the worker can still change it). */
  lq = intake_form_lookup_question (self->form, "interview_language");
  if (lq != NULL)
    for (unsigned int i = 0; i < intake_question_get_n_choices (lq); i++)
      if (g_strcmp0 (intake_question_get_choice_name (lq, i), self->language) == 0)
        json_object_set_string_member (answers, "interview_language", self->language);
  /* The new interview is one transaction on the session's queue. */
  self->creating = TRUE;
  intake_session_create_interview_async (self->session, intake_form_get_id (self->form),
                                         (int) intake_form_get_version (self->form), answers,
                                         NULL, interview_created_cb, g_object_ref (self));
}

static void
show_language_choice (IntakeInterviewPage *self)
{
  const char *const *languages = intake_form_get_languages (self->form);
  GtkWidget *first = NULL;

  clear_box (self->choose_box);
  gtk_label_set_label (self->choose_title, _("Which language does the person speak?"));
  for (guint i = 0; languages[i] != NULL; i++)
    {
      GtkWidget *button
          = _intake_interview_button (_intake_interview_language_name (languages[i]), "tile");
      g_object_set_data_full (G_OBJECT (button), "language", g_strdup (languages[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (language_chosen_cb), self);
      gtk_box_append (self->choose_box, button);
      if (i == 0)
        first = button;
    }
  _intake_stack_show (self->step_stack, "choose");
  if (first != NULL)
    take_focus (self, first);
}

static IntakeForm *
load_form (IntakeInterviewPage *self, const char *form_id, int version, GError **error)
{
  g_autofree char *doc = intake_store_dup_form_document (intake_session_get_store (self->session),
                                                         form_id, version, error);

  if (doc == NULL)
    return NULL;
  return intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS,
                                    error);
}

static void
form_chosen_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_set_object (&self->form, g_object_get_data (G_OBJECT (button), "form"));
  show_language_choice (self);
}

/* The tiles say each form's title too, and the button that showed them goes. */
static void
show_form_titles_cb (IntakeInterviewPage *self, GtkButton *show)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->choose_box)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      const char *titled = g_object_get_data (G_OBJECT (c), "titled");

      if (titled == NULL)
        continue;
      gtk_button_set_label (GTK_BUTTON (c), titled);
      gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (c))), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (c), GTK_ACCESSIBLE_PROPERTY_LABEL, titled,
                                      -1);
    }
  gtk_widget_set_visible (GTK_WIDGET (show), FALSE);
}

/* The forms installed, the latest version of each. */
static gboolean
show_form_choice (IntakeInterviewPage *self, GError **error)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (JsonNode) forms = intake_store_list_forms_json (store, error);
  g_autoptr (GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *arr;

  if (forms == NULL)
    return FALSE;
  arr = json_node_get_array (forms);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      const char *id = intake_json_get_string (json_array_get_object_element (arr, i), "id");
      IntakeForm *form;

      if (id == NULL || g_hash_table_contains (seen, id))
        continue;
      g_hash_table_add (seen, (gpointer) id);
      form = load_form (self, id, intake_store_get_latest_form_version (store, id), NULL);
      if (form != NULL)
        g_ptr_array_add (loaded, form);
    }
  if (loaded->len == 0)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                           _("No form is installed on this tablet yet: an administrator adds "
                             "one in Administration, Forms."));
      return FALSE;
    }
  if (loaded->len == 1)
    {
      /* Nothing to choose: straight to the language. */
      g_set_object (&self->form, loaded->pdata[0]);
      show_language_choice (self);
      return TRUE;
    }
  clear_box (self->choose_box);
  gtk_label_set_label (self->choose_title, _("Which form?"));
  /* A form's title ("Trafficking screening") tells a bystander what the talk is about: the
   * tiles are numbered, and the titles show only after a tap on "Show the titles". */
  for (guint i = 0; i < loaded->len; i++)
    {
      IntakeForm *form = loaded->pdata[i];
      g_autofree char *neutral = g_strdup_printf (_("Form %u · version %u"), i + 1,
                                                  (guint) intake_form_get_version (form));
      GtkWidget *button = _intake_interview_button (neutral, "tile");
      g_object_set_data_full (G_OBJECT (button), "form", g_object_ref (form), g_object_unref);
      g_object_set_data_full (G_OBJECT (button), "titled",
                              g_strdup_printf ("%s\n%s", neutral,
                                               intake_form_get_title (form, NULL)),
                              g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (form_chosen_cb), self);
      gtk_box_append (self->choose_box, button);
      if (i == 0)
        take_focus (self, button);
    }
  {
    GtkWidget *show = _intake_interview_button (_("Show the titles"), "big");
    gtk_widget_add_css_class (show, "flat");
    gtk_widget_set_halign (show, GTK_ALIGN_START);
    g_signal_connect_swapped (show, "clicked", G_CALLBACK (show_form_titles_cb), self);
    gtk_box_append (self->choose_box, show);
  }
  _intake_stack_show (self->step_stack, "choose");
  return TRUE;
}

/* The first visible question without an answer, or the summary when every one has one. */
static void
resume (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);

  for (guint i = 0; visible[i] != NULL; i++)
    {
      const IntakeQuestion *q = intake_form_lookup_question (self->form, visible[i]);
      if (q != NULL && intake_question_get_question_type (q) != INTAKE_QUESTION_NOTE
          && answer_of (self, visible[i]) == NULL)
        {
          show_question (self, visible[i]);
          return;
        }
    }
  show_summary (self);
}

/* Back to the page this window last showed of the interview, if it is still shown now. */
static gboolean
resume_at (IntakeInterviewPage *self, const char *at_step, const char *at_repeat, guint entry)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  g_auto (GStrv) steps = NULL;
  g_autofree char *step = g_strdup (at_step);
  g_autofree char *repeat = g_strdup (at_repeat);

  if (step == NULL)
    {
      show_summary (self);
      return TRUE;
    }
  {
    /* Inside an entry, its top-level repeat is the step shown now. */
    g_autofree char *top = repeat ? g_strndup (repeat, strcspn (repeat, "[")) : NULL;

    if (!g_strv_contains ((const char *const *) visible, top ? top : step))
      return FALSE;
  }
  if (repeat == NULL)
    {
      show_question (self, step);
      return TRUE;
    }
  steps = intake_form_session_dup_entry_visible (self->fs, repeat, entry);
  if (steps == NULL || !g_strv_contains ((const char *const *) steps, step))
    return FALSE;
  show_step (self, repeat, entry, step);
  return TRUE;
}

static gboolean
open_draft (IntakeInterviewPage *self, const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterview) iv = intake_session_open_interview (self->session, interview_id,
                                                                  error);
  JsonObject *answers;
  const char *language;
  const char *at_language = NULL, *at_step = NULL, *at_repeat = NULL;
  guint at_entry = 0;
  gboolean known;

  if (iv == NULL)
    return FALSE;
  if (iv->state != INTAKE_STATE_DRAFT)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE,
                           _("This interview is completed and can no longer be changed here."));
      return FALSE;
    }
  self->form = load_form (self, iv->form_id, iv->form_version, error);
  if (self->form == NULL)
    return FALSE;
  self->interview_id = g_strdup (interview_id);
  answers = intake_json_get_object (iv->content, "answers");
  {
    JsonObject *note = intake_json_get_object (iv->content, "review_note");
    self->review_note = g_strdup (note ? intake_json_get_string (note, "text") : NULL);
  }
  known = self->places != NULL
          && intake_interview_places_lookup (self->places, interview_id, &at_language, &at_step,
                                             &at_repeat, &at_entry);
  language = answers ? intake_json_get_string (answers, "interview_language") : NULL;
  if (known && intake_form_has_language (self->form, at_language))
    language = at_language;
  self->language = g_strdup (language && intake_form_has_language (self->form, language)
                                 ? language
                                 : intake_form_get_default_language (self->form));
  self->fs = intake_form_session_new (self->form, answers, self->language);
  if (!known || !resume_at (self, at_step, at_repeat, at_entry))
    resume (self);
  return TRUE;
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
  /* Before the focused control sees the key: Enter means Next on a choice. */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect (keys, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->question_scroll),
                           "changed", G_CALLBACK (question_page_size_cb), self, 0);
}

IntakeInterviewPage *
intake_interview_page_new (IntakeSession *session, IntakeInterviewPlaces *places,
                           const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PLACES (places), NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_INTERVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
  self->places = g_object_ref (places);
  if (interview_id != NULL ? !open_draft (self, interview_id, error)
                           : !show_form_choice (self, error))
    return NULL;
  /* Hand over a floating reference, as gtk_*_new does, so the stack takes ownership. */
  g_object_force_floating (G_OBJECT (self));
  return g_steal_pointer (&self);
}

/* Where the page is, so that the window can build it again (the interface language changed):
 * what was typed is saved first. FALSE when it cannot be (the page shows why). */
gboolean
intake_interview_page_save_place (IntakeInterviewPage *self, char **interview_id,
                                  char **question)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PAGE (self), FALSE);

  if (!flush_typing (self))
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
  return flush_typing (self);
}

/* Whether answers are still on their way to the store (queued, not yet committed). */
gboolean
intake_interview_page_is_saving (IntakeInterviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PAGE (self), FALSE);

  return self->saves_in_flight > 0;
}

IntakeInterviewPage *
intake_interview_page_new_at (IntakeSession *session, IntakeInterviewPlaces *places,
                              const char *interview_id, const char *question, GError **error)
{
  g_autoptr (IntakeInterviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PLACES (places), NULL);
  g_return_val_if_fail (interview_id != NULL, NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_INTERVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
  self->places = g_object_ref (places);
  if (!open_draft (self, interview_id, error))
    return NULL;
  if (question == NULL)
    show_summary (self);
  else if (intake_form_lookup_question (self->form, question) != NULL
           && intake_form_session_is_relevant (self->fs, question))
    show_question (self, question);
  g_object_force_floating (G_OBJECT (self));
  return g_steal_pointer (&self);
}
