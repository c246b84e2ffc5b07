/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The answer on the interview page, saved: read (inside an entry, from that entry), saved
 * through the session's queue as one top-level answer (inside an entry, the repeat's whole
 * list with that entry changed, up to the top-level repeat), "Saving…" until the commit and
 * "Saved" after it, the answer's problem, the progress, what is typed saved after a pause.
 * Apart from the page because it is the page's lowest layer: it shows no step, and every file
 * of the page saves through it (see intake-interview-page-private.h).
 */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-interview-page-private.h"
#include "intake-json.h"

/* Typing in a text or number answer is saved this long after the last key, and always before
 * leaving the question: one durable transaction per pause, not per key. */
#define TYPING_SAVE_DELAY_MS 800

void
_intake_interview_page_toast (IntakeInterviewPage *self, const char *message)
{
  /* By name: the signal's id is the class's, above this file (tests/layering). */
  g_signal_emit_by_name (self, "toast", message);
}

/* The answer to @name: a question's, or inside the entry shown, that entry's. */
JsonNode *
_intake_interview_page_answer_of (IntakeInterviewPage *self, const char *name)
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
JsonNode *
_intake_interview_page_entries_with (IntakeInterviewPage *self, const char *repeat, gint entry,
                                     const char *child, JsonNode *value, gint skip)
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
gboolean
_intake_interview_page_store_entries (IntakeInterviewPage *self, const char *repeat,
                                      JsonNode *list)
{
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  g_autoptr (JsonNode) outer = NULL;
  guint entry;

  if (!_intake_interview_parent_entry (repeat, &parent, &entry, &name))
    return store_answer (self, repeat, list);
  outer = _intake_interview_page_entries_with (self, parent, (gint) entry, name, list, -1);
  return _intake_interview_page_store_entries (self, parent, outer);
}

/* The path of the repeat whose list is shown now: the question itself at the top level, or
 * inside an entry, that entry's path with it ("household[2]/member"). */
char *
_intake_interview_page_list_path (IntakeInterviewPage *self)
{
  if (self->repeat_name == NULL)
    return g_strdup (self->current);
  return _intake_interview_entry_path (self->repeat_name, self->entry, self->current);
}

/* How wide a text is in a widget's own font (the label's bold, the screen's text size). */
static int
text_width (GtkWidget *widget, const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width = 0;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

void
_intake_interview_page_set_saved (IntakeInterviewPage *self, const char *text)
{
  /* One line as wide as the longer of its two words in the screen's language, measured in its
   * font, whichever shows: it never jumps as saves come and go (they are quick now, off the
   * main thread), and the word just set is never narrower than its width at 360 px, even before
   * the next layout (a count of characters is only an estimate, two pixels short in bold). */
  GtkWidget *label = GTK_WIDGET (self->saved_label);

  gtk_widget_set_size_request (label, MAX (text_width (label, _("Saving…")),
                                           text_width (label, _("Saved"))), -1);
  /* The label's text is its accessible name: "Saved" is what a screen reader says too. */
  gtk_label_set_label (self->saved_label, text);
  gtk_widget_set_visible (self->saved_icon, text != NULL && *text != '\0');
}

void
_intake_interview_page_show_problem (IntakeInterviewPage *self, const char *problem)
{
  if (self->view != NULL)
    intake_question_view_show_problem (self->view, problem);
}

void
_intake_interview_page_update_progress (IntakeInterviewPage *self)
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

void
_intake_interview_page_update_decline (IntakeInterviewPage *self)
{
  JsonNode *answer = self->current ? _intake_interview_page_answer_of (self, self->current) : NULL;
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
      _intake_interview_page_set_saved (self, _("Not saved"));
      _intake_interview_page_show_problem (self, error->message);
      _intake_interview_page_toast (self, error->message);
      return;
    }
  if (self->saves_in_flight == 0 && !self->save_failed)
    _intake_interview_page_set_saved (self, _("Saved"));
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
  _intake_interview_page_set_saved (self, _("Saving…"));
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  intake_session_set_answer_async (self->session, self->interview_id, name, value, NULL,
                                   answer_saved_cb, ref);
  return TRUE;
}

/* The problem with the answer on the page, in words: inside an entry, that child's; on a
 * repeat's list, the repeat's own or the first entry's, named by entry and question. */
char *
_intake_interview_page_dup_problem (IntakeInterviewPage *self, const char *name)
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
  list = self->repeat_name != NULL && g_strcmp0 (name, self->current) == 0
             ? _intake_interview_page_list_path (self)
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
gboolean
_intake_interview_page_save_answer (IntakeInterviewPage *self, JsonNode *value)
{
  g_autofree char *problem = NULL;
  JsonNode *old = _intake_interview_page_answer_of (self, self->current);
  gboolean cleared = value == NULL || JSON_NODE_HOLDS_NULL (value);

  if ((old == NULL && cleared) || (old != NULL && value != NULL && json_node_equal (old, value)))
    return TRUE;
  if (self->repeat_name != NULL)
    {
      g_autoptr (JsonNode) list = _intake_interview_page_entries_with (
          self, self->repeat_name, (gint) self->entry, self->current, value, -1);
      if (!_intake_interview_page_store_entries (self, self->repeat_name, list))
        return FALSE;
    }
  else if (!store_answer (self, self->current, value))
    return FALSE;
  problem = _intake_interview_page_dup_problem (self, self->current);
  _intake_interview_page_show_problem (self, cleared ? NULL : problem);
  _intake_interview_page_update_decline (self);
  _intake_interview_page_update_progress (self);
  return TRUE;
}

/* Saves what is typed in a number or text answer. FALSE (with the problem shown) when the
 * text is not a number. */
gboolean
_intake_interview_page_flush_typing (IntakeInterviewPage *self)
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
      _intake_interview_page_show_problem (self, error->message);
      _intake_interview_page_set_saved (self, _("Not saved"));
      return FALSE;
    }
  old = _intake_interview_page_answer_of (self, self->current);
  /* An empty answer over a "prefer not to say" keeps that answer. */
  if (node == NULL && old != NULL && intake_answer_is_declined (old))
    return TRUE;
  return _intake_interview_page_save_answer (self, node);
}

static gboolean
typing_timeout_cb (gpointer user_data)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE_UNCHECKED (user_data);

  self->typing_source = 0;
  _intake_interview_page_flush_typing (self);
  return G_SOURCE_REMOVE;
}

void
_intake_interview_page_typing_changed_cb (IntakeInterviewPage *self)
{
  if (self->building)
    return;
  _intake_interview_page_set_saved (self, "");
  g_clear_handle_id (&self->typing_source, g_source_remove);
  self->typing_source = g_timeout_add (TYPING_SAVE_DELAY_MS, typing_timeout_cb, self);
}

void
_intake_interview_page_choice_toggled_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = NULL;

  if (self->building || self->current == NULL)
    return;
  node = intake_question_view_dup_choice_answer (self->view);
  if (node != NULL)
    _intake_interview_page_save_answer (self, node);
}

void
_intake_interview_page_date_selected_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = NULL;

  if (self->building || self->view == NULL)
    return;
  node = intake_question_view_dup_date_answer (self->view);
  if (node != NULL)
    _intake_interview_page_save_answer (self, node);
}
