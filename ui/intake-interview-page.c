/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-interview-page.h"
#include "intake-json.h"
#include "intake-keypad.h"
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
  GtkBox *question_box;
  GtkBox *decline_bar;
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

  /* The current question's widgets that matter after it is built. */
  GtkWidget *problem_label;
  GtkWidget *decline_button;
  GtkWidget *decline_icon;
  GtkWidget *answer_area;
  GtkEntry *number_entry;
  GtkTextView *text_view;
  GtkCalendar *calendar;
  GPtrArray *choice_buttons;
  /* What takes the keyboard focus when the page is shown (the answer, or a safe button). */
  GtkWidget *answer_focus;
  GtkWidget *unmask_button;
  GtkWidget *complete_button;
  GtkWidget *summary_language;
  /* The open "Remove entry?" question, closed with the page. */
  GtkWindow *dialog;
  /* The control to focus once the page is on screen (a weak pointer). */
  GtkWidget *pending_focus;
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

static void show_question (IntakeInterviewPage *self, const char *name);
static void show_step (IntakeInterviewPage *self, const char *repeat, guint entry,
                       const char *name);
static void show_summary (IntakeInterviewPage *self);

/*
 * Where each interview was left in this window: its page and the respondent's language, so
 * that Pause and Continue come back to exactly that page. Question names and a language code
 * only, never an answer; kept in memory for the life of the window.
 */
typedef struct
{
  char *language;
  char *step; /* NULL: the summary. */
  char *repeat;
  guint entry;
} Position;

static GHashTable *positions;

static void
position_free (gpointer data)
{
  Position *pos = data;

  g_free (pos->language);
  g_free (pos->step);
  g_free (pos->repeat);
  g_free (pos);
}

static void
remember_position (IntakeInterviewPage *self)
{
  Position *pos;

  if (self->interview_id == NULL)
    return;
  if (positions == NULL)
    positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, position_free);
  pos = g_new0 (Position, 1);
  pos->language = g_strdup (self->language);
  pos->step = g_strdup (self->current);
  pos->repeat = g_strdup (self->repeat_name);
  pos->entry = self->entry;
  g_hash_table_replace (positions, g_strdup (self->interview_id), pos);
}

static const char *
language_name (const char *code)
{
  /* Each language named in itself: the respondent should recognise their own. */
  static const struct
  {
    const char *code;
    const char *name;
  } names[] = {
    { "en", "English" },        { "id", "Bahasa Indonesia" }, { "km", "ភាសាខ្មែរ" },
    { "my", "မြန်မာဘာသာ" },        { "th", "ภาษาไทย" },           { "vi", "Tiếng Việt" },
    { "tl", "Tagalog" },        { "jv", "Basa Jawa" },        { "su", "Basa Sunda" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].code, code))
      return names[i].name;
  return code;
}

/* Gives @widget the keyboard focus now, or as soon as the page is on screen (a new page is
 * built before the window shows it). */
static void
take_focus (IntakeInterviewPage *self, GtkWidget *widget)
{
  g_set_weak_pointer (&self->pending_focus, widget);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && gtk_widget_grab_focus (widget))
    g_clear_weak_pointer (&self->pending_focus);
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

static GtkWidget *
add_label (GtkBox *box, const char *text, const char *css_class)
{
  return _intake_box_add_label (box, text, css_class);
}

static GtkWidget *
make_button (const char *label, const char *css_class)
{
  GtkWidget *button = gtk_button_new_with_label (label);
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (button));

  gtk_label_set_wrap (GTK_LABEL (child), TRUE);
  gtk_widget_add_css_class (button, css_class);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

/* The repeat a question is inside, or NULL. */
static const IntakeQuestion *
repeat_of (const IntakeQuestion *q)
{
  for (const IntakeQuestion *p = q ? intake_question_get_parent (q) : NULL; p != NULL;
       p = intake_question_get_parent (p))
    if (intake_question_get_question_type (p) == INTAKE_QUESTION_REPEAT)
      return p;
  return NULL;
}

static JsonNode *
top_answer (IntakeInterviewPage *self, const char *name)
{
  JsonObject *answers = intake_form_session_get_answers (self->fs);
  JsonNode *node = answers ? json_object_get_member (answers, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

/* The entries of a repeat as answered (NULL when it has none or was declined). */
static JsonArray *
entries_of (IntakeInterviewPage *self, const char *repeat)
{
  JsonNode *node = top_answer (self, repeat);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
entry_object (IntakeInterviewPage *self, const char *repeat, guint entry)
{
  JsonArray *entries = entries_of (self, repeat);
  JsonNode *node;

  if (entries == NULL || entry >= json_array_get_length (entries))
    return NULL;
  node = json_array_get_element (entries, entry);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The answer to @name: a question's, or inside the entry shown, that entry's. */
static JsonNode *
answer_of (IntakeInterviewPage *self, const char *name)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *r = repeat_of (q);
  JsonObject *entry;
  JsonNode *node;

  if (r == NULL)
    return top_answer (self, name);
  if (self->repeat_name == NULL
      || !g_str_equal (intake_question_get_name (r), self->repeat_name))
    return NULL;
  entry = entry_object (self, self->repeat_name, self->entry);
  node = entry ? json_object_get_member (entry, name) : NULL;
  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

/* A new array of new entry objects (the session's own are never changed in place), with
 * member @child of entry @entry set to @value (NULL: removed), and entry @skip left out. */
static JsonNode *
entries_with (IntakeInterviewPage *self, const char *repeat, gint entry, const char *child,
              JsonNode *value, gint skip)
{
  JsonArray *old = entries_of (self, repeat);
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

static char *
answer_to_text (IntakeInterviewPage *self, const IntakeQuestion *q, JsonNode *node)
{
  return _intake_answer_to_text (q, node, self->language);
}

static void
set_saved (IntakeInterviewPage *self, const char *text)
{
  /* The label's text is its accessible name: "Saved" is what a screen reader says too. */
  gtk_label_set_label (self->saved_label, text);
  gtk_widget_set_visible (self->saved_icon, text != NULL && *text != '\0');
}

static void
show_problem (IntakeInterviewPage *self, const char *problem)
{
  if (self->problem_label == NULL)
    return;
  gtk_label_set_label (GTK_LABEL (self->problem_label), problem ? problem : "");
  gtk_widget_set_visible (self->problem_label, problem != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->problem_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  problem ? problem : "", -1);
}

static void
update_progress (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  guint n = g_strv_length (visible);
  guint at = 0;
  g_autofree char *text = NULL;
  /* Inside an entry, the repeat is the step. */
  const char *step = self->repeat_name ? self->repeat_name : self->current;

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

/* Saves one top-level answer (@value NULL clears it): one durable transaction. The screen
 * says "Saved" only after the store's transaction has returned. */
static gboolean
store_answer (IntakeInterviewPage *self, const char *name, JsonNode *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) null_node = NULL;

  if (value == NULL)
    value = null_node = json_node_new (JSON_NODE_NULL);
  set_saved (self, _("Saving…"));
  if (!intake_session_set_answer (self->session, self->interview_id, name, value, &error))
    {
      set_saved (self, _("Not saved"));
      show_problem (self, error->message);
      toast (self, error->message);
      return FALSE;
    }
  intake_form_session_set_answer (self->fs, name, JSON_NODE_HOLDS_NULL (value) ? NULL : value,
                                  NULL);
  set_saved (self, _("Saved"));
  return TRUE;
}

/* "Entry 2, First name: This question needs an answer." */
static char *
entry_problem_text (IntakeInterviewPage *self, guint entry, const char *child,
                    const char *message)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, child);
  const char *label = q ? intake_question_get_label (q, self->language) : NULL;

  return g_strdup_printf (_("Entry %u, %s: %s"), entry + 1, label ? label : child, message);
}

/* Splits "repeat[N]/child" into its parts (@entry from 0). */
static gboolean
parse_entry_path (const char *path, char **repeat, guint *entry, char **child)
{
  const char *open = strchr (path, '[');
  const char *close = open ? strstr (open, "]/") : NULL;
  guint64 n;
  g_autofree char *number = NULL;

  if (close == NULL)
    return FALSE;
  number = g_strndup (open + 1, close - open - 1);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT, &n, NULL))
    return FALSE;
  *repeat = g_strndup (path, open - path);
  *entry = (guint) n - 1;
  *child = g_strdup (close + 2);
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

  if (q == NULL)
    return NULL;
  if (repeat_of (q) != NULL)
    return self->repeat_name ? intake_form_session_dup_entry_problem (
                                   self->fs, self->repeat_name, self->entry, name)
                             : NULL;
  if (intake_question_get_question_type (q) != INTAKE_QUESTION_REPEAT)
    return intake_form_session_dup_problem (self->fs, name);
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
      if (path != NULL && parse_entry_path (path, &repeat, &entry, &child)
          && g_str_equal (repeat, name))
        return entry_problem_text (self, entry, child, intake_json_get_string (p, "message"));
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
      if (!store_answer (self, self->repeat_name, list))
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
  g_clear_handle_id (&self->typing_source, g_source_remove);
  if (self->current == NULL || self->building)
    return TRUE;
  if (self->number_entry != NULL)
    {
      const IntakeQuestion *q = intake_form_lookup_question (self->form, self->current);
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (
          GTK_EDITABLE (self->number_entry))));
      g_autoptr (JsonNode) node = NULL;
      JsonNode *old = answer_of (self, self->current);

      if (*text == '\0')
        {
          /* An empty entry over a "prefer not to say" keeps that answer. */
          if (old != NULL && intake_answer_is_declined (old))
            return TRUE;
          return save_answer (self, NULL);
        }
      node = json_node_new (JSON_NODE_VALUE);
      if (intake_question_get_question_type (q) == INTAKE_QUESTION_INTEGER)
        {
          gint64 n;
          if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &n, NULL))
            {
              show_problem (self, _("Please enter a whole number, like 25."));
              set_saved (self, _("Not saved"));
              return FALSE;
            }
          json_node_set_int (node, n);
        }
      else
        {
          double d;
          /* "1,5" and "1.5" both; "1.000,5", "1,5,0" and exponents are refused. */
          if (!intake_decimal_parse (text, &d))
            {
              show_problem (self, _("Please enter a number, like 4.5."));
              set_saved (self, _("Not saved"));
              return FALSE;
            }
          json_node_set_double (node, d);
        }
      return save_answer (self, node);
    }
  if (self->text_view != NULL)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
      GtkTextIter start, end;
      g_autofree char *text = NULL;
      g_autoptr (JsonNode) node = NULL;
      JsonNode *old = answer_of (self, self->current);

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (*text == '\0' && old != NULL && intake_answer_is_declined (old))
        return TRUE;
      if (*text == '\0')
        return save_answer (self, NULL);
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, text);
      intake_crypto_wipe_string (text);
      return save_answer (self, node);
    }
  return TRUE;
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
choice_toggled_cb (GtkToggleButton *button, IntakeInterviewPage *self)
{
  const IntakeQuestion *q;
  g_autoptr (JsonNode) node = NULL;

  if (self->building || self->current == NULL)
    return;
  q = intake_form_lookup_question (self->form, self->current);
  if (intake_question_get_question_type (q) == INTAKE_QUESTION_SELECT_ONE)
    {
      if (!gtk_toggle_button_get_active (button))
        return;
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, g_object_get_data (G_OBJECT (button), "choice"));
    }
  else
    {
      g_autoptr (JsonArray) arr = json_array_new ();
      for (guint i = 0; i < self->choice_buttons->len; i++)
        {
          GtkToggleButton *b = self->choice_buttons->pdata[i];
          if (gtk_toggle_button_get_active (b))
            json_array_add_string_element (arr, g_object_get_data (G_OBJECT (b), "choice"));
        }
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (node, arr);
    }
  save_answer (self, node);
}

static void
date_selected_cb (IntakeInterviewPage *self)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

  if (self->building || self->calendar == NULL)
    return;
  dt = gtk_calendar_get_date (self->calendar);
  text = g_date_time_format (dt, "%Y-%m-%d");
  json_node_set_string (node, text);
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

static void
unmask_clicked_cb (GtkButton *button, IntakeInterviewPage *self)
{
  gboolean shown = gtk_widget_get_visible (self->answer_area);

  gtk_widget_set_visible (self->answer_area, !shown);
  /* Shown by keyboard: straight on to the answer. */
  if (!shown && self->answer_focus != NULL && gtk_widget_has_focus (GTK_WIDGET (button)))
    gtk_widget_grab_focus (self->answer_focus);
  gtk_button_set_label (button, shown ? _("Sensitive answer hidden: tap to show")
                                      : _("Hide the answer"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  shown ? _("Show the sensitive answer")
                                        : _("Hide the answer"), -1);
}

/* The decimal key types what @language writes: "," in Indonesian. */
static const char *
decimal_separator (const char *language)
{
  g_autofree char *half = intake_decimal_format (0.5, language);

  return strchr (half, ',') != NULL ? "," : ".";
}

static void
keypad_pressed_cb (IntakeKeypad *keypad, const char *key, IntakeInterviewPage *self)
{
  GtkEditable *editable = GTK_EDITABLE (self->number_entry);
  g_autofree char *text = g_strdup (gtk_editable_get_text (editable));

  if (g_str_equal (key, "erase"))
    {
      size_t len = strlen (text);
      if (len > 0)
        text[len - 1] = '\0';
      gtk_editable_set_text (editable, text);
    }
  else
    {
      const char *typed = g_str_equal (key, "decimal")
                              ? intake_keypad_get_decimal_separator (keypad)
                              : key;
      g_autofree char *longer = g_strconcat (text, typed, NULL);
      gtk_editable_set_text (editable, longer);
    }
  gtk_editable_set_position (editable, -1);
}

static void next_clicked_cb (IntakeInterviewPage *self);

/* One entry in a line: "Relation: son; Age: 10", sensitive answers hidden. */
static char *
entry_text (IntakeInterviewPage *self, const IntakeQuestion *repeat, guint entry)
{
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (
      self->fs, intake_question_get_name (repeat), entry);
  JsonObject *o = entry_object (self, intake_question_get_name (repeat), entry);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; steps != NULL && steps[i] != NULL; i++)
    {
      const IntakeQuestion *c = intake_form_lookup_question (self->form, steps[i]);
      JsonNode *a = o ? json_object_get_member (o, steps[i]) : NULL;
      g_autofree char *value = NULL;
      const char *label;

      if (c == NULL || !intake_question_is_answerable (c) || a == NULL
          || JSON_NODE_HOLDS_NULL (a))
        continue;
      label = intake_question_get_label (c, self->language);
      if (intake_question_get_sensitive (c) && !intake_answer_is_declined (a))
        value = g_strdup (_("hidden"));
      else
        value = _intake_answer_to_text (c, a, self->language);
      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "",
                              label ? label : steps[i], value);
    }
  if (text->len == 0)
    g_string_append (text, _("No answers yet"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A repeat's answer in words, one line per entry. */
static char *
repeat_text (IntakeInterviewPage *self, const IntakeQuestion *q, JsonNode *answer)
{
  JsonArray *arr;
  g_autoptr (GString) text = NULL;

  if (answer == NULL || !JSON_NODE_HOLDS_ARRAY (answer))
    return _intake_answer_to_text (q, answer, self->language);
  arr = json_node_get_array (answer);
  if (json_array_get_length (arr) == 0)
    return g_strdup (_("No entries"));
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      g_autofree char *line = entry_text (self, q, i);
      g_string_append_printf (text, "%s%u. %s", i > 0 ? "\n" : "", i + 1, line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void open_entry (IntakeInterviewPage *self, const char *repeat, guint entry);

static void
entry_change_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_autofree char *repeat = g_strdup (self->current);

  open_entry (self, repeat, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "entry")));
}

static void
add_entry_cb (IntakeInterviewPage *self)
{
  g_autofree char *repeat = g_strdup (self->current);
  g_autoptr (JsonNode) list = entries_with (self, repeat, -1, NULL, NULL, -1);
  guint n;

  json_array_add_object_element (json_node_get_array (list), json_object_new ());
  n = json_array_get_length (json_node_get_array (list));
  if (!store_answer (self, repeat, list))
    return;
  open_entry (self, repeat, n - 1);
}

static void
remove_response_cb (AdwMessageDialog *dialog, const char *response, IntakeInterviewPage *self)
{
  guint entry = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "entry"));
  g_autofree char *repeat = g_strdup (g_object_get_data (G_OBJECT (dialog), "repeat"));
  g_autoptr (JsonNode) list = NULL;

  self->dialog = NULL;
  if (g_strcmp0 (response, "remove") != 0 || g_strcmp0 (repeat, self->current) != 0)
    return;
  list = entries_with (self, repeat, -1, NULL, NULL, (gint) entry);
  if (!store_answer (self, repeat, list))
    return;
  toast (self, _("Entry removed"));
  show_question (self, repeat);
}

/* Removing loses the entry's answers: asked first. */
static void
entry_remove_cb (GtkButton *button, IntakeInterviewPage *self)
{
  guint entry = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "entry"));
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
  g_object_set_data_full (G_OBJECT (dialog), "repeat", g_strdup (self->current), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  self->dialog = GTK_WINDOW (dialog);
  /* The release of the key that opened the dialog goes to the dialog. */
  self->enter_held = FALSE;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A repeat's page: its entries, each one tap from its answers or its removal, and Add. */
static void
build_repeat_list (IntakeInterviewPage *self, const IntakeQuestion *q, GtkBox *area)
{
  const char *name = intake_question_get_name (q);
  JsonArray *entries = entries_of (self, name);
  guint n = entries ? json_array_get_length (entries) : 0;
  GtkWidget *add;

  if (n == 0)
    add_label (area, _("No entries yet."), "dim-label");
  else
    {
      GtkWidget *list = gtk_list_box_new ();

      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      intake_question_get_label (q, self->language), -1);
      for (guint i = 0; i < n; i++)
        {
          GtkWidget *row = adw_action_row_new ();
          GtkWidget *button;
          g_autofree char *title = g_strdup_printf (_("Entry %u"), i + 1);
          g_autofree char *text = entry_text (self, q, i);
          g_autofree char *escaped = NULL;
          g_autofree char *change = g_strdup_printf (_("Change entry %u"), i + 1);
          g_autofree char *remove = g_strdup_printf (_("Remove entry %u"), i + 1);
          g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, name, i);
          gboolean wrong = FALSE;

          for (guint k = 0; steps != NULL && steps[k] != NULL && !wrong; k++)
            {
              g_autofree char *problem = intake_form_session_dup_entry_problem (self->fs, name,
                                                                                i, steps[k]);
              if (problem != NULL)
                {
                  g_autofree char *with = g_strdup_printf ("%s — %s", text, problem);
                  g_free (text);
                  text = g_steal_pointer (&with);
                  wrong = TRUE;
                }
            }
          escaped = g_markup_escape_text (text, -1);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
          if (wrong)
            gtk_widget_add_css_class (row, "error");

          button = make_button (_("Change"), "big");
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, change, -1);
          g_object_set_data (G_OBJECT (button), "entry", GUINT_TO_POINTER (i));
          g_signal_connect (button, "clicked", G_CALLBACK (entry_change_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

          button = gtk_button_new_from_icon_name ("user-trash-symbolic");
          gtk_widget_add_css_class (button, "big");
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, remove);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
          g_object_set_data (G_OBJECT (button), "entry", GUINT_TO_POINTER (i));
          g_signal_connect (button, "clicked", G_CALLBACK (entry_remove_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
          gtk_list_box_append (GTK_LIST_BOX (list), row);
        }
      gtk_box_append (area, list);
    }
  add = make_button (n == 0 ? _("Add an entry") : _("Add another entry"), "big");
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Add an entry"), -1);
  g_signal_connect_swapped (add, "clicked", G_CALLBACK (add_entry_cb), self);
  gtk_box_append (area, add);
  self->answer_focus = add;
}

static void
build_answer (IntakeInterviewPage *self, const IntakeQuestion *q, GtkBox *area)
{
  JsonNode *answer = answer_of (self, intake_question_get_name (q));
  const char *label = intake_question_get_label (q, self->language);
  IntakeQuestionType type = intake_question_get_question_type (q);

  switch (type)
    {
    case INTAKE_QUESTION_SELECT_ONE:
    case INTAKE_QUESTION_SELECT_MULTIPLE:
      {
        GtkToggleButton *group = NULL;
        for (unsigned int i = 0; i < intake_question_get_n_choices (q); i++)
          {
            const char *choice = intake_question_get_choice_name (q, i);
            const char *text = intake_question_get_choice_label (q, i, self->language);
            GtkWidget *button = gtk_toggle_button_new_with_label (text ? text : choice);
            gboolean active = FALSE;

            gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), TRUE);
            gtk_widget_add_css_class (button, "choice");
            gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                            GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : choice,
                                            -1);
            g_object_set_data_full (G_OBJECT (button), "choice", g_strdup (choice), g_free);
            if (type == INTAKE_QUESTION_SELECT_ONE)
              {
                if (group != NULL)
                  gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
                else
                  group = GTK_TOGGLE_BUTTON (button);
                active = answer && JSON_NODE_HOLDS_VALUE (answer)
                         && json_node_get_value_type (answer) == G_TYPE_STRING
                         && g_strcmp0 (json_node_get_string (answer), choice) == 0;
              }
            else if (answer && JSON_NODE_HOLDS_ARRAY (answer))
              {
                JsonArray *arr = json_node_get_array (answer);
                for (guint j = 0; j < json_array_get_length (arr); j++)
                  if (g_strcmp0 (json_array_get_string_element (arr, j), choice) == 0)
                    active = TRUE;
              }
            gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), active);
            /* The keyboard starts on the answer given, or on the first choice. */
            if (self->answer_focus == NULL || (active && self->choice_buttons->len > 0
                                               && !gtk_toggle_button_get_active (
                                                   GTK_TOGGLE_BUTTON (self->answer_focus))))
              self->answer_focus = button;
            g_signal_connect (button, "toggled", G_CALLBACK (choice_toggled_cb), self);
            g_ptr_array_add (self->choice_buttons, button);
            gtk_box_append (area, button);
          }
        if (type == INTAKE_QUESTION_SELECT_MULTIPLE)
          add_label (area, _("Choose every answer that applies."), "dim-label");
        break;
      }
    case INTAKE_QUESTION_INTEGER:
    case INTAKE_QUESTION_DECIMAL:
      {
        GtkWidget *entry = gtk_entry_new ();
        g_autofree char *text = NULL;

        if (answer && JSON_NODE_HOLDS_VALUE (answer) && !intake_answer_is_declined (answer))
          text = json_node_get_value_type (answer) == G_TYPE_DOUBLE
                     ? intake_decimal_format (json_node_get_double (answer), self->language)
                     : json_to_string (answer, FALSE);
        gtk_editable_set_text (GTK_EDITABLE (entry), text ? text : "");
        gtk_entry_set_input_purpose (GTK_ENTRY (entry), type == INTAKE_QUESTION_INTEGER
                                                            ? GTK_INPUT_PURPOSE_DIGITS
                                                            : GTK_INPUT_PURPOSE_NUMBER);
        gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
        gtk_widget_set_halign (entry, GTK_ALIGN_START);
        gtk_widget_add_css_class (entry, "big");
        gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        label ? label : _("Answer"), -1);
        g_signal_connect_swapped (entry, "changed", G_CALLBACK (typing_changed_cb), self);
        g_signal_connect_swapped (entry, "activate", G_CALLBACK (next_clicked_cb), self);
        self->number_entry = GTK_ENTRY (entry);
        self->answer_focus = entry;
        gtk_box_append (area, entry);
        {
          GtkWidget *keypad = intake_keypad_new (type == INTAKE_QUESTION_DECIMAL
                                                     ? INTAKE_KEYPAD_DECIMAL
                                                     : INTAKE_KEYPAD_INTEGER);
          intake_keypad_set_decimal_separator (INTAKE_KEYPAD (keypad),
                                               decimal_separator (self->language));
          g_signal_connect (keypad, "pressed", G_CALLBACK (keypad_pressed_cb), self);
          gtk_box_append (area, keypad);
        }
        break;
      }
    case INTAKE_QUESTION_TEXT:
      {
        GtkWidget *frame = gtk_frame_new (NULL);
        GtkWidget *view = gtk_text_view_new ();
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

        if (answer && JSON_NODE_HOLDS_VALUE (answer)
            && json_node_get_value_type (answer) == G_TYPE_STRING)
          gtk_text_buffer_set_text (buffer, json_node_get_string (answer), -1);
        gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
        gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
        gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
        gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
        gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
        gtk_widget_add_css_class (view, "big");
        gtk_widget_set_size_request (view, -1, 140);
        gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        label ? label : _("Answer"), -1);
        g_signal_connect_swapped (buffer, "changed", G_CALLBACK (typing_changed_cb), self);
        gtk_frame_set_child (GTK_FRAME (frame), view);
        self->text_view = GTK_TEXT_VIEW (view);
        self->answer_focus = view;
        gtk_box_append (area, frame);
        break;
      }
    case INTAKE_QUESTION_DATE:
      {
        GtkWidget *calendar = gtk_calendar_new ();
        GtkWidget *use = make_button (_("Use this date"), "big");

        if (answer && JSON_NODE_HOLDS_VALUE (answer)
            && json_node_get_value_type (answer) == G_TYPE_STRING)
          {
            g_autofree char *iso = g_strdup_printf ("%sT12:00:00Z", json_node_get_string (answer));
            g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);
            if (dt != NULL)
              gtk_calendar_select_day (GTK_CALENDAR (calendar), dt);
          }
        gtk_widget_set_halign (calendar, GTK_ALIGN_START);
        gtk_widget_add_css_class (calendar, "big");
        gtk_accessible_update_property (GTK_ACCESSIBLE (calendar),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        label ? label : _("Date"), -1);
        g_signal_connect_swapped (calendar, "day-selected", G_CALLBACK (date_selected_cb), self);
        g_signal_connect_swapped (use, "clicked", G_CALLBACK (date_selected_cb), self);
        gtk_widget_set_halign (use, GTK_ALIGN_START);
        self->calendar = GTK_CALENDAR (calendar);
        self->answer_focus = calendar;
        gtk_box_append (area, calendar);
        add_label (area, _("Keyboard: arrows move through the days, Space chooses, Enter "
                           "goes on."),
                   "dim-label");
        gtk_box_append (area, use);
        break;
      }
    case INTAKE_QUESTION_REPEAT:
      build_repeat_list (self, q, area);
      break;
    case INTAKE_QUESTION_NOTE:
    case INTAKE_QUESTION_CALCULATE:
    case INTAKE_QUESTION_GROUP:
    default:
      break;
    }
}

static void
reset_question_widgets (IntakeInterviewPage *self)
{
  g_clear_handle_id (&self->typing_source, g_source_remove);
  self->problem_label = NULL;
  self->decline_button = NULL;
  self->decline_icon = NULL;
  self->answer_area = NULL;
  self->number_entry = NULL;
  self->text_view = NULL;
  self->calendar = NULL;
  self->answer_focus = NULL;
  self->unmask_button = NULL;
  self->complete_button = NULL;
  g_ptr_array_set_size (self->choice_buttons, 0);
  clear_box (self->question_box);
  clear_box (self->decline_bar);
}

static void
update_language_button (IntakeInterviewPage *self)
{
  /* Named for what it changes: the respondent's questions, not the screens' language. */
  g_autofree char *text = g_strdup_printf (_("Respondent: %s"), language_name (self->language));

  gtk_label_set_label (self->language_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->language_button),
                          g_strv_length ((GStrv) intake_form_get_languages (self->form)) > 1);
}

static void
add_review_note (IntakeInterviewPage *self, GtkBox *box)
{
  g_autofree char *text = NULL;

  if (self->review_note == NULL)
    return;
  text = g_strdup_printf (_("Supervisor’s note: %s"), self->review_note);
  add_label (box, text, "note-box");
}

static void
show_question (IntakeInterviewPage *self, const char *name)
{
  show_step (self, NULL, 0, name);
}

/* Shows question @name; with @repeat, inside entry @entry of that repeat. */
static void
show_step (IntakeInterviewPage *self, const char *repeat, guint entry, const char *name)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *rq = repeat ? intake_form_lookup_question (self->form, repeat) : NULL;
  const char *hint;
  JsonNode *answer;
  GtkWidget *area;
  gboolean answerable;
  gboolean masked = FALSE;
  gboolean has_previous;

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

  add_review_note (self, self->question_box);
  if (rq != NULL)
    {
      g_autofree char *where = g_strdup_printf (_("%s — entry %u"),
                                                intake_question_get_label (rq, self->language),
                                                entry + 1);
      add_label (self->question_box, where, "entry-context");
    }
  add_label (self->question_box, intake_question_get_label (q, self->language)
                                     ? intake_question_get_label (q, self->language)
                                     : name,
             "question-title");
  hint = intake_question_get_hint (q, self->language);
  if (hint != NULL)
    add_label (self->question_box, hint, "question-hint");

  answerable = intake_question_is_answerable (q);
  area = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  self->answer_area = area;
  build_answer (self, q, GTK_BOX (area));
  if (answerable && intake_question_get_sensitive (q))
    {
      GtkWidget *unmask = make_button (_("Sensitive answer hidden: tap to show"), "big");
      gtk_accessible_update_property (GTK_ACCESSIBLE (unmask), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Show the sensitive answer"), -1);
      g_signal_connect (unmask, "clicked", G_CALLBACK (unmask_clicked_cb), self);
      gtk_widget_set_visible (area, FALSE);
      gtk_box_append (self->question_box, unmask);
      self->unmask_button = unmask;
      masked = TRUE;
    }
  /* The validation message in view: right under a number, above any other answer (a long
   * list of choices would push it out of sight). */
  if (self->number_entry != NULL)
    {
      self->problem_label = add_label (GTK_BOX (area), "", "problem");
      gtk_box_reorder_child_after (GTK_BOX (area), self->problem_label,
                                   GTK_WIDGET (self->number_entry));
    }
  else
    self->problem_label = add_label (self->question_box, "", "problem");
  gtk_box_append (self->question_box, area);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->problem_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Problem with the answer"),
                                  -1);
  answer = answer_of (self, name);
  {
    g_autofree char *problem = answer ? dup_problem (self, name) : NULL;
    show_problem (self, problem);
  }

  /* A repeat with entries is not declined as a whole: that would delete them. */
  if (answerable
      && !(intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT
           && entries_of (self, name) != NULL
           && json_array_get_length (entries_of (self, name)) > 0))
    {
      GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *label = gtk_label_new (_("Prefer not to say"));

      self->decline_button = gtk_button_new ();
      gtk_widget_add_css_class (self->decline_button, "big");
      gtk_widget_add_css_class (self->decline_button, "decline");
      self->decline_icon = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_set_halign (content, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (content), self->decline_icon);
      gtk_box_append (GTK_BOX (content), label);
      gtk_button_set_child (GTK_BUTTON (self->decline_button), content);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->decline_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Prefer not to say"), -1);
      g_signal_connect_swapped (self->decline_button, "clicked",
                                G_CALLBACK (decline_clicked_cb), self);
      gtk_box_append (self->decline_bar, self->decline_button);
      update_decline (self);
    }

  set_saved (self, answer ? _("Saved") : "");
  update_progress (self);
  update_language_button (self);
  has_previous = repeat != NULL
                 || intake_form_session_get_previous (self->fs, name) != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), has_previous);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->question_scroll), 0);
  _intake_stack_show (self->step_stack, "question");
  self->building = FALSE;
  remember_position (self);

  /* The keyboard starts where the answer is given; on a masked answer, at the button that
   * shows it; on a note, at Next. */
  if (masked)
    take_focus (self, self->unmask_button);
  else if (self->answer_focus != NULL)
    take_focus (self, self->answer_focus);
  else
    take_focus (self, GTK_WIDGET (self->next_button));
}

/* The first step of an entry (its list when it has none). */
static void
open_entry (IntakeInterviewPage *self, const char *repeat, guint entry)
{
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, repeat, entry);

  if (steps != NULL && steps[0] != NULL)
    show_step (self, repeat, entry, steps[0]);
  else
    show_question (self, repeat);
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
      show_question (self, repeat);
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
      show_question (self, repeat);
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
      show_summary (self);
      if (self->summary_language != NULL)
        gtk_widget_grab_focus (self->summary_language);
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
  if ((state & (GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0 || self->current == NULL || focus == NULL)
    return FALSE;
  q = intake_form_lookup_question (self->form, self->current);
  if (GTK_IS_TOGGLE_BUTTON (focus) && g_ptr_array_find (self->choice_buttons, focus, NULL))
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
  if (self->calendar != NULL
      && (focus == GTK_WIDGET (self->calendar)
          || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->calendar))))
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

  if (self->current == NULL && self->complete_button != NULL
      && gtk_widget_get_mapped (self->complete_button))
    gtk_widget_activate (self->complete_button);
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
problem_jump_cb (GtkButton *button, IntakeInterviewPage *self)
{
  const char *repeat = g_object_get_data (G_OBJECT (button), "repeat");

  if (repeat != NULL)
    show_step (self, repeat, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "entry")),
               g_object_get_data (G_OBJECT (button), "question"));
  else
    show_question (self, g_object_get_data (G_OBJECT (button), "question"));
}

static void
summary_back_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  guint n = g_strv_length (visible);

  if (n > 0)
    show_question (self, visible[n - 1]);
}

static void
complete_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *message = g_object_get_data (G_OBJECT (button), "message");

  if (!intake_session_complete_interview (self->session, self->interview_id, &error))
    {
      gtk_label_set_label (GTK_LABEL (message), error->message);
      gtk_widget_set_visible (message, TRUE);
      toast (self, _("Not completed: see the message above the button"));
      return;
    }
  toast (self, _("Interview completed and saved"));
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
add_heading (GtkBox *box, const char *text)
{
  GtkWidget *label = add_label (box, text, "title-3");

  gtk_widget_set_margin_top (label, 12);
}

/* Shows the level in full, in place of the button that hid it. */
static void
level_show_cb (GtkButton *button, GtkWidget *level)
{
  gtk_widget_set_visible (level, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (button), FALSE);
  gtk_widget_grab_focus (level);
}

static void
show_result (IntakeInterviewPage *self, JsonObject *r)
{
  JsonArray *urgent = intake_json_get_array (r, "urgent_reasons");
  JsonArray *reasons = intake_json_get_array (r, "reasons");
  JsonArray *referrals = intake_json_get_array (r, "referrals");
  GtkWidget *label, *level, *show;

  /* The urgent flag overrides everything else and comes first, as a banner with an icon: what
   * to do now, in the form's plain words. */
  if (json_object_get_boolean_member_with_default (r, "urgent", FALSE))
    {
      g_autoptr (GString) text = g_string_new (_("Urgent: act now"));

      for (guint i = 0; urgent && i < json_array_get_length (urgent); i++)
        {
          JsonNode *u = json_array_get_element (urgent, i);
          if (JSON_NODE_HOLDS_OBJECT (u) && intake_json_get_string (json_node_get_object (u),
                                                                    "label"))
            g_string_append_printf (text, "\n%s",
                                    intake_json_get_string (json_node_get_object (u), "label"));
        }
      _intake_box_add_banner (self->summary_box, "dialog-warning-symbolic", text->str, "urgent");
    }
  /* Over a shoulder in a port, the level is not for every eye: it shows after a tap. */
  add_label (self->summary_box, _("Screening result"), "title-2");
  {
    g_autofree char *text = g_strdup (intake_json_get_string (r, "level_label")
                                          ? intake_json_get_string (r, "level_label")
                                          : "");
    level = add_label (self->summary_box, text, "title-3");
    gtk_widget_set_focusable (level, TRUE);
    gtk_accessible_update_property (GTK_ACCESSIBLE (level), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
    gtk_widget_set_visible (level, FALSE);
  }
  show = make_button (_("Show the result"), "big");
  gtk_widget_set_halign (show, GTK_ALIGN_START);
  g_signal_connect (show, "clicked", G_CALLBACK (level_show_cb), level);
  gtk_box_append (self->summary_box, show);
  /* The rule's own words name the framework's dimensions: they are for the supervisor's
   * review, not for the worker; the reasons below say why in plain words. */

  if (reasons && json_array_get_length (reasons) > 0)
    {
      add_heading (self->summary_box, _("Why"));
      for (guint i = 0; i < json_array_get_length (reasons); i++)
        {
          JsonNode *node = json_array_get_element (reasons, i);
          JsonObject *o;
          const IntakeQuestion *q;
          g_autofree char *answer = NULL;
          g_autofree char *line = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          o = json_node_get_object (node);
          q = intake_form_lookup_question (self->form, intake_json_get_string (o, "question"));
          if (q == NULL)
            continue;
          answer = answer_to_text (self, q, json_object_get_member (o, "answer"));
          line = g_strdup_printf ("• %s — %s", intake_question_get_label (q, self->language),
                                  answer);
          add_label (self->summary_box, line, NULL);
        }
    }
  if (referrals && json_array_get_length (referrals) > 0)
    {
      add_heading (self->summary_box, _("Recommended referrals"));
      for (guint i = 0; i < json_array_get_length (referrals); i++)
        {
          JsonNode *node = json_array_get_element (referrals, i);
          g_autofree char *line = NULL;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          line = g_strdup_printf ("• %s",
                                  intake_json_get_string (json_node_get_object (node), "label"));
          add_label (self->summary_box, line, NULL);
        }
    }
  if (intake_json_get_string (r, "disclaimer"))
    {
      label = add_label (self->summary_box, intake_json_get_string (r, "disclaimer"),
                         "dim-label");
      gtk_widget_set_margin_top (label, 12);
    }
}

/* Every question shown now with its answer, each one tap away; sensitive answers stay masked
 * here (the question itself unmasks them). */
static void
add_all_answers (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  GtkWidget *list = gtk_list_box_new ();

  add_heading (self->summary_box, _("All answers"));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("All answers"), -1);
  for (guint i = 0; visible[i] != NULL; i++)
    {
      const IntakeQuestion *q = intake_form_lookup_question (self->form, visible[i]);
      JsonNode *answer = answer_of (self, visible[i]);
      g_autofree char *problem = NULL;
      g_autofree char *text = NULL;
      g_autofree char *title = NULL;
      const char *label;
      GtkWidget *row, *button;

      if (q == NULL || !intake_question_is_answerable (q))
        continue;
      problem = intake_form_session_dup_problem (self->fs, visible[i]);
      if (answer != NULL && intake_question_get_sensitive (q)
          && !intake_answer_is_declined (answer))
        text = g_strdup (_("Sensitive answer hidden"));
      else if (intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT)
        text = repeat_text (self, q, answer);
      else
        text = answer_to_text (self, q, answer);
      if (problem != NULL)
        {
          g_autofree char *with = g_strdup_printf ("%s — %s", text, problem);
          g_free (text);
          text = g_steal_pointer (&with);
        }
      row = adw_action_row_new ();
      label = intake_question_get_label (q, self->language) ? intake_question_get_label (
                                                                  q, self->language)
                                                            : visible[i];
      title = g_markup_escape_text (label, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      {
        g_autofree char *escaped = g_markup_escape_text (text, -1);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      }
      /* No limit on lines: a long question cut after three lines at 360 px loses its end. */
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      if (problem != NULL || answer == NULL)
        gtk_widget_add_css_class (row, "error");
      button = make_button (_("Change"), "big");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      {
        g_autofree char *name = g_strdup_printf (_("Change: %s"), label);
        gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        name, -1);
      }
      g_object_set_data_full (G_OBJECT (button), "question", g_strdup (visible[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (problem_jump_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_box_append (self->summary_box, list);
}

static void
show_summary (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) result = intake_form_session_dup_result_json (self->fs);
  g_autoptr (JsonNode) problems = intake_form_session_dup_problems_json (self->fs);
  JsonArray *parr = problems && JSON_NODE_HOLDS_ARRAY (problems) ? json_node_get_array (problems)
                                                                 : NULL;
  GtkWidget *button, *message, *row, *back;
  GtkWidget *first_problem = NULL;

  reset_question_widgets (self);
  g_clear_pointer (&self->current, g_free);
  g_clear_pointer (&self->repeat_name, g_free);
  self->summary_language = NULL;
  clear_box (self->summary_box);

  /* On top: back to the questions, and the respondent's language, switchable here too. */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  back = _intake_back_button (_("Back to the questions"));
  gtk_widget_set_hexpand (back, TRUE);
  gtk_widget_set_halign (back, GTK_ALIGN_START);
  g_signal_connect (back, "clicked", G_CALLBACK (summary_back_cb), self);
  gtk_box_append (GTK_BOX (row), back);
  if (g_strv_length ((GStrv) intake_form_get_languages (self->form)) > 1)
    {
      g_autofree char *accessible = g_strdup_printf (_("Respondent: %s"),
                                                     language_name (self->language));
      self->summary_language = make_button (accessible, "big");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->summary_language),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      g_signal_connect_swapped (self->summary_language, "clicked",
                                G_CALLBACK (language_clicked_cb), self);
      gtk_box_append (GTK_BOX (row), self->summary_language);
    }
  gtk_box_append (self->summary_box, row);

  add_label (self->summary_box, _("Summary"), "title-1");
  add_review_note (self, self->summary_box);
  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    show_result (self, json_node_get_object (result));

  if (parr != NULL && json_array_get_length (parr) > 0)
    {
      add_heading (self->summary_box, _("Still to answer before completing"));
      for (guint i = 0; i < json_array_get_length (parr); i++)
        {
          JsonObject *p = json_array_get_object_element (parr, i);
          const char *name = intake_json_get_string (p, "question");
          const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
          g_autofree char *text = NULL;
          g_autofree char *repeat = NULL;
          g_autofree char *child = NULL;
          guint entry = 0;

          /* A question inside a repeat's entry: "Children with you: Entry 2, Age: …". */
          if (q == NULL && name != NULL && parse_entry_path (name, &repeat, &entry, &child)
              && (q = intake_form_lookup_question (self->form, child)) != NULL)
            {
              const IntakeQuestion *rq = intake_form_lookup_question (self->form, repeat);
              g_autofree char *inner = entry_problem_text (self, entry, child,
                                                           intake_json_get_string (p, "message"));
              text = g_strdup_printf ("%s: %s",
                                      rq ? intake_question_get_label (rq, self->language)
                                         : repeat,
                                      inner);
              name = child;
            }
          else
            text = g_strdup_printf ("%s: %s",
                                    q && intake_question_get_label (q, self->language)
                                        ? intake_question_get_label (q, self->language)
                                        : name,
                                    intake_json_get_string (p, "message"));
          if (q == NULL)
            {
              add_label (self->summary_box, text, "problem");
              continue;
            }
          button = make_button (text, "big");
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_add_css_class (button, "problem");
          gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
          g_object_set_data_full (G_OBJECT (button), "question", g_strdup (name), g_free);
          if (repeat != NULL)
            {
              g_object_set_data_full (G_OBJECT (button), "repeat", g_steal_pointer (&repeat),
                                      g_free);
              g_object_set_data (G_OBJECT (button), "entry", GUINT_TO_POINTER (entry));
            }
          g_signal_connect (button, "clicked", G_CALLBACK (problem_jump_cb), self);
          gtk_box_append (self->summary_box, button);
          if (first_problem == NULL)
            first_problem = button;
        }
    }

  add_all_answers (self);

  message = add_label (self->summary_box, "", "problem");
  gtk_widget_set_visible (message, FALSE);

  button = make_button (_("Complete"), "big");
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_margin_top (button, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Ctrl+Enter"), -1);
  g_object_set_data (G_OBJECT (button), "message", message);
  g_signal_connect (button, "clicked", G_CALLBACK (complete_cb), self);
  gtk_box_append (self->summary_box, button);
  self->complete_button = button;

  gtk_adjustment_set_value (
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->summary_scroll)), 0);
  _intake_stack_show (self->step_stack, "summary");
  remember_position (self);
  /* The keyboard starts at the top (the result stays in view), on the first thing still to
   * answer if there is one; Complete is never where Enter lands by itself (Ctrl+Enter). */
  take_focus (self, first_problem ? first_problem : back);
}

/* Starting: choose the form, then the language. */

static void resume (IntakeInterviewPage *self);

static void
language_chosen_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answers = json_object_new ();
  g_autoptr (IntakeInterview) iv = NULL;
  const IntakeQuestion *lq;

  g_free (self->language);
  self->language = g_strdup (g_object_get_data (G_OBJECT (button), "language"));
  /* The bundled form asks which language the interview is in; the choice just made answers it
   * (the worker can still change it). */
  lq = intake_form_lookup_question (self->form, "interview_language");
  if (lq != NULL)
    for (unsigned int i = 0; i < intake_question_get_n_choices (lq); i++)
      if (g_strcmp0 (intake_question_get_choice_name (lq, i), self->language) == 0)
        json_object_set_string_member (answers, "interview_language", self->language);

  self->interview_id = intake_session_create_interview (self->session,
                                                        intake_form_get_id (self->form),
                                                        (int) intake_form_get_version (self->form),
                                                        answers, &error);
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
show_language_choice (IntakeInterviewPage *self)
{
  const char *const *languages = intake_form_get_languages (self->form);
  GtkWidget *first = NULL;

  clear_box (self->choose_box);
  gtk_label_set_label (self->choose_title, _("Which language does the person speak?"));
  for (guint i = 0; languages[i] != NULL; i++)
    {
      GtkWidget *button = make_button (language_name (languages[i]), "tile");
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
  for (guint i = 0; i < loaded->len; i++)
    {
      IntakeForm *form = loaded->pdata[i];
      GtkWidget *button = make_button (intake_form_get_title (form, NULL), "tile");
      g_object_set_data_full (G_OBJECT (button), "form", g_object_ref (form), g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (form_chosen_cb), self);
      gtk_box_append (self->choose_box, button);
      if (i == 0)
        take_focus (self, button);
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
resume_at (IntakeInterviewPage *self, Position *pos)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  g_auto (GStrv) steps = NULL;
  g_autofree char *step = g_strdup (pos->step);
  g_autofree char *repeat = g_strdup (pos->repeat);

  if (step == NULL)
    {
      show_summary (self);
      return TRUE;
    }
  if (!g_strv_contains ((const char *const *) visible, repeat ? repeat : step))
    return FALSE;
  if (repeat == NULL)
    {
      show_question (self, step);
      return TRUE;
    }
  steps = intake_form_session_dup_entry_visible (self->fs, repeat, pos->entry);
  if (steps == NULL || !g_strv_contains ((const char *const *) steps, step))
    return FALSE;
  show_step (self, repeat, pos->entry, step);
  return TRUE;
}

static gboolean
open_draft (IntakeInterviewPage *self, const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterview) iv = intake_session_open_interview (self->session, interview_id,
                                                                  error);
  JsonObject *answers;
  const char *language;
  Position *pos;

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
  pos = positions ? g_hash_table_lookup (positions, interview_id) : NULL;
  language = answers ? intake_json_get_string (answers, "interview_language") : NULL;
  if (pos != NULL && intake_form_has_language (self->form, pos->language))
    language = pos->language;
  self->language = g_strdup (language && intake_form_has_language (self->form, language)
                                 ? language
                                 : intake_form_get_default_language (self->form));
  self->fs = intake_form_session_new (self->form, answers, self->language);
  if (pos == NULL || !resume_at (self, pos))
    resume (self);
  return TRUE;
}

static void
intake_interview_page_dispose (GObject *object)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (object);

  /* Whatever was typed in the last moment is saved before the widgets go (on lock too: the
   * window drops this page before it locks the session). */
  if (self->session != NULL && self->fs != NULL && self->typing_source != 0
      && !intake_session_is_locked (self->session))
    flush_typing (self);
  g_clear_handle_id (&self->typing_source, g_source_remove);
  if (self->dialog != NULL)
    gtk_window_destroy (g_steal_pointer (&self->dialog));
  self->problem_label = NULL;
  self->decline_button = NULL;
  self->decline_icon = NULL;
  self->answer_area = NULL;
  self->number_entry = NULL;
  self->text_view = NULL;
  self->calendar = NULL;
  self->answer_focus = NULL;
  self->unmask_button = NULL;
  self->complete_button = NULL;
  self->summary_language = NULL;
  g_clear_weak_pointer (&self->pending_focus);
  /* The bin's child is the template's root: let go of it before the template does. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_INTERVIEW_PAGE);
  g_clear_object (&self->fs);
  g_clear_object (&self->form);
  g_clear_object (&self->session);
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
  g_clear_pointer (&self->choice_buttons, g_ptr_array_unref);
  G_OBJECT_CLASS (intake_interview_page_parent_class)->finalize (object);
}

static void
intake_interview_page_class_init (IntakeInterviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

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
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, next_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, summary_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, summary_scroll);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, language_clicked_cb);

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

static void
intake_interview_page_init (IntakeInterviewPage *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->choice_buttons = g_ptr_array_new ();
  /* Before the focused control sees the key: Enter means Next on a choice. */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect (keys, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

IntakeInterviewPage *
intake_interview_page_new (IntakeSession *session, const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_INTERVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
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

IntakeInterviewPage *
intake_interview_page_new_at (IntakeSession *session, const char *interview_id,
                              const char *question, GError **error)
{
  g_autoptr (IntakeInterviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);
  g_return_val_if_fail (interview_id != NULL, NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_INTERVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
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
