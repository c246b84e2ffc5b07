/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-interview-page.h"
#include "intake-json.h"
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
  GtkButton *language_button;
  GtkLabel *language_label;
  GtkScrolledWindow *question_scroll;
  GtkBox *question_box;
  GtkButton *back_button;
  GtkButton *next_button;
  GtkBox *summary_box;

  IntakeSession *session;
  char *interview_id;
  IntakeForm *form;
  IntakeFormSession *fs;
  char *language;
  /* A supervisor's note on a returned interview, shown on top of every page of it. */
  char *review_note;
  /* The question shown, or NULL on the choice and summary screens. */
  char *current;

  /* The current question's widgets that matter after it is built. */
  GtkWidget *problem_label;
  GtkWidget *decline_button;
  GtkWidget *answer_area;
  GtkEntry *number_entry;
  GtkTextView *text_view;
  GtkCalendar *calendar;
  GPtrArray *choice_buttons;
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
static void show_summary (IntakeInterviewPage *self);

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
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);
  return label;
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

static JsonNode *
answer_of (IntakeInterviewPage *self, const char *name)
{
  JsonObject *answers = intake_form_session_get_answers (self->fs);
  JsonNode *node = answers ? json_object_get_member (answers, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
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

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (visible[i], self->current) == 0)
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
  if (declined)
    gtk_widget_add_css_class (self->decline_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->decline_button, "suggested-action");
}

/* Saves one answer of the current question (@value NULL clears it). The screen says "Saved"
 * only after the store's transaction has returned. */
static gboolean
save_answer (IntakeInterviewPage *self, JsonNode *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) null_node = NULL;
  g_autofree char *problem = NULL;
  JsonNode *old = answer_of (self, self->current);

  if (value == NULL)
    value = null_node = json_node_new (JSON_NODE_NULL);
  if ((old == NULL && JSON_NODE_HOLDS_NULL (value))
      || (old != NULL && json_node_equal (old, value)))
    return TRUE;
  set_saved (self, _("Saving…"));
  if (!intake_session_set_answer (self->session, self->interview_id, self->current, value,
                                  &error))
    {
      set_saved (self, _("Not saved"));
      show_problem (self, error->message);
      toast (self, error->message);
      return FALSE;
    }
  intake_form_session_set_answer (self->fs, self->current,
                                  JSON_NODE_HOLDS_NULL (value) ? NULL : value, NULL);
  set_saved (self, _("Saved"));
  problem = intake_form_session_dup_problem (self->fs, self->current);
  show_problem (self, JSON_NODE_HOLDS_NULL (value) ? NULL : problem);
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
          char *end = NULL;
          double d;
          g_strdelimit (text, ",", '.');
          d = g_ascii_strtod (text, &end);
          if (end == text || *end != '\0')
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

static void
decline_clicked_cb (IntakeInterviewPage *self)
{
  g_autoptr (JsonNode) node = intake_answer_new_declined ();
  const char *next;

  g_clear_handle_id (&self->typing_source, g_source_remove);
  if (!save_answer (self, node))
    return;
  next = intake_form_session_get_next (self->fs, self->current);
  if (next != NULL)
    show_question (self, next);
  else
    show_summary (self);
}

static void
unmask_clicked_cb (GtkButton *button, IntakeInterviewPage *self)
{
  gboolean shown = gtk_widget_get_visible (self->answer_area);

  gtk_widget_set_visible (self->answer_area, !shown);
  gtk_button_set_label (button, shown ? _("Sensitive answer hidden: tap to show")
                                      : _("Hide the answer"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  shown ? _("Show the sensitive answer")
                                        : _("Hide the answer"), -1);
}

static void
numpad_clicked_cb (GtkButton *button, IntakeInterviewPage *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "key");
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
      g_autofree char *longer = g_strconcat (text, key, NULL);
      gtk_editable_set_text (editable, longer);
    }
  gtk_editable_set_position (editable, -1);
}

static void
build_numpad (IntakeInterviewPage *self, GtkBox *area, gboolean decimal)
{
  static const char *const keys[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *button;

  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_row_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_widget_set_halign (grid, GTK_ALIGN_START);
  for (int i = 0; i < 10; i++)
    {
      const char *key = i < 9 ? keys[i] : "0";
      g_autofree char *name = g_strdup_printf (_("Digit %s"), key);
      button = make_button (key, "numkey");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      name, -1);
      gtk_widget_set_focus_on_click (button, FALSE);
      g_object_set_data (G_OBJECT (button), "key", (gpointer) key);
      g_signal_connect (button, "clicked", G_CALLBACK (numpad_clicked_cb), self);
      gtk_grid_attach (GTK_GRID (grid), button, i < 9 ? i % 3 : 1, i < 9 ? i / 3 : 3, 1, 1);
    }
  if (decimal)
    {
      button = make_button (".", "numkey");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Decimal point"), -1);
      g_object_set_data (G_OBJECT (button), "key", (gpointer) ".");
      g_signal_connect (button, "clicked", G_CALLBACK (numpad_clicked_cb), self);
      gtk_grid_attach (GTK_GRID (grid), button, 0, 3, 1, 1);
    }
  button = make_button ("⌫", "numkey");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Erase"), -1);
  g_object_set_data (G_OBJECT (button), "key", (gpointer) "erase");
  g_signal_connect (button, "clicked", G_CALLBACK (numpad_clicked_cb), self);
  gtk_grid_attach (GTK_GRID (grid), button, 2, 3, 1, 1);
  gtk_box_append (area, grid);
}

static void next_clicked_cb (IntakeInterviewPage *self);

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
          text = json_to_string (answer, FALSE);
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
        gtk_box_append (area, entry);
        build_numpad (self, area, type == INTAKE_QUESTION_DECIMAL);
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
        gtk_accessible_update_property (GTK_ACCESSIBLE (calendar),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        label ? label : _("Date"), -1);
        g_signal_connect_swapped (calendar, "day-selected", G_CALLBACK (date_selected_cb), self);
        g_signal_connect_swapped (use, "clicked", G_CALLBACK (date_selected_cb), self);
        gtk_widget_set_halign (use, GTK_ALIGN_START);
        self->calendar = GTK_CALENDAR (calendar);
        gtk_box_append (area, calendar);
        gtk_box_append (area, use);
        break;
      }
    case INTAKE_QUESTION_REPEAT:
      add_label (area, _("This kind of question (a list of entries) cannot be answered in this "
                         "version of the app yet."), "dim-label");
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
  self->answer_area = NULL;
  self->number_entry = NULL;
  self->text_view = NULL;
  self->calendar = NULL;
  g_ptr_array_set_size (self->choice_buttons, 0);
  clear_box (self->question_box);
}

static void
update_language_button (IntakeInterviewPage *self)
{
  g_autofree char *accessible = g_strdup_printf (_("Language: %s"),
                                                 language_name (self->language));

  gtk_label_set_label (self->language_label, language_name (self->language));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
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
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const char *hint;
  JsonNode *answer;
  GtkWidget *area;
  gboolean answerable;

  g_return_if_fail (q != NULL);
  reset_question_widgets (self);
  g_free (self->current);
  self->current = g_strdup (name);
  self->building = TRUE;

  add_review_note (self, self->question_box);
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
    }
  gtk_box_append (self->question_box, area);

  self->problem_label = add_label (self->question_box, "", "problem");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->problem_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Problem with the answer"),
                                  -1);
  answer = answer_of (self, name);
  {
    g_autofree char *problem = answer ? intake_form_session_dup_problem (self->fs, name) : NULL;
    show_problem (self, problem);
  }

  if (answerable)
    {
      self->decline_button = make_button (_("Prefer not to say"), "big");
      gtk_widget_set_margin_top (self->decline_button, 12);
      g_signal_connect_swapped (self->decline_button, "clicked",
                                G_CALLBACK (decline_clicked_cb), self);
      gtk_box_append (self->question_box, self->decline_button);
      update_decline (self);
    }

  set_saved (self, answer ? _("Saved") : "");
  update_progress (self);
  update_language_button (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button),
                            intake_form_session_get_previous (self->fs, name) != NULL);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->question_scroll), 0);
  _intake_stack_show (self->step_stack, "question");
  self->building = FALSE;

  if (self->number_entry != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->number_entry));
  else if (self->text_view != NULL && gtk_widget_get_visible (area))
    gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
next_clicked_cb (IntakeInterviewPage *self)
{
  const IntakeQuestion *q;
  const char *next;

  if (self->current == NULL || !flush_typing (self))
    return;
  q = intake_form_lookup_question (self->form, self->current);
  if (intake_question_is_answerable (q))
    {
      g_autofree char *problem = intake_form_session_dup_problem (self->fs, self->current);
      if (problem != NULL)
        {
          /* A required question left empty: say so here; "Prefer not to say" is the way on. */
          show_problem (self, problem);
          return;
        }
    }
  next = intake_form_session_get_next (self->fs, self->current);
  if (next != NULL)
    show_question (self, next);
  else
    show_summary (self);
}

static void
back_clicked_cb (IntakeInterviewPage *self)
{
  const char *previous;

  if (self->current == NULL || !flush_typing (self))
    return;
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
      show_question (self, current);
    }
  else
    show_summary (self);
}

static void
next_action_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  IntakeInterviewPage *self = INTAKE_INTERVIEW_PAGE (widget);

  if (self->current != NULL)
    next_clicked_cb (self);
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

static void
show_result (IntakeInterviewPage *self, JsonObject *r)
{
  JsonArray *urgent = intake_json_get_array (r, "urgent_reasons");
  JsonArray *reasons = intake_json_get_array (r, "reasons");
  JsonArray *referrals = intake_json_get_array (r, "referrals");
  g_autofree char *level = NULL;
  GtkWidget *label;

  /* The urgent flag overrides everything else and comes first. */
  if (json_object_get_boolean_member_with_default (r, "urgent", FALSE))
    {
      g_autoptr (GString) text = g_string_new (_("URGENT"));
      for (guint i = 0; urgent && i < json_array_get_length (urgent); i++)
        {
          JsonNode *u = json_array_get_element (urgent, i);
          if (JSON_NODE_HOLDS_OBJECT (u) && intake_json_get_string (json_node_get_object (u),
                                                                    "label"))
            g_string_append_printf (text, "\n%s",
                                    intake_json_get_string (json_node_get_object (u), "label"));
        }
      label = add_label (self->summary_box, text->str, "urgent");
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      text->str, -1);
    }
  level = g_strdup_printf (_("Screening result: %s"),
                           intake_json_get_string (r, "level_label")
                               ? intake_json_get_string (r, "level_label")
                               : "");
  label = add_label (self->summary_box, level, "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, level,
                                  -1);
  if (intake_json_get_string (r, "rule_label"))
    add_label (self->summary_box, intake_json_get_string (r, "rule_label"), NULL);

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
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
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
  GtkWidget *button, *message, *row;

  reset_question_widgets (self);
  g_clear_pointer (&self->current, g_free);
  clear_box (self->summary_box);

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
          g_signal_connect (button, "clicked", G_CALLBACK (problem_jump_cb), self);
          gtk_box_append (self->summary_box, button);
        }
    }

  add_all_answers (self);

  message = add_label (self->summary_box, "", "problem");
  gtk_widget_set_visible (message, FALSE);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_set_homogeneous (GTK_BOX (row), TRUE);
  gtk_widget_set_margin_top (row, 12);
  button = make_button (_("Back to the questions"), "big");
  g_signal_connect (button, "clicked", G_CALLBACK (summary_back_cb), self);
  gtk_box_append (GTK_BOX (row), button);
  button = make_button (_("Complete"), "big");
  gtk_widget_add_css_class (button, "suggested-action");
  g_object_set_data (G_OBJECT (button), "message", message);
  g_signal_connect (button, "clicked", G_CALLBACK (complete_cb), self);
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (self->summary_box, row);

  _intake_stack_show (self->step_stack, "summary");
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

  clear_box (self->choose_box);
  gtk_label_set_label (self->choose_title, _("Which language does the person speak?"));
  for (guint i = 0; languages[i] != NULL; i++)
    {
      GtkWidget *button = make_button (language_name (languages[i]), "tile");
      g_object_set_data_full (G_OBJECT (button), "language", g_strdup (languages[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (language_chosen_cb), self);
      gtk_box_append (self->choose_box, button);
    }
  _intake_stack_show (self->step_stack, "choose");
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
                             "one (intakectl form import FILE)."));
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

static gboolean
open_draft (IntakeInterviewPage *self, const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterview) iv = intake_session_open_interview (self->session, interview_id,
                                                                  error);
  JsonObject *answers;
  const char *language;

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
  language = answers ? intake_json_get_string (answers, "interview_language") : NULL;
  self->language = g_strdup (language && intake_form_has_language (self->form, language)
                                 ? language
                                 : intake_form_get_default_language (self->form));
  self->fs = intake_form_session_new (self->form, answers, self->language);
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
  self->problem_label = NULL;
  self->decline_button = NULL;
  self->answer_area = NULL;
  self->number_entry = NULL;
  self->text_view = NULL;
  self->calendar = NULL;
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
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, language_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, language_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, question_scroll);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, question_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, next_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewPage, summary_box);
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
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "interview.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "interview.back", NULL);
}

static void
intake_interview_page_init (IntakeInterviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->choice_buttons = g_ptr_array_new ();
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
