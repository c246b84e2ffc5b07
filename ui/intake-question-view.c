/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-crypto.h"
#include "intake-interview-private.h"
#include "intake-keypad.h"
#include "intake-question-kinds.h"
#include "intake-question-view.h"
#include "intake-repeat-list.h"
#include "intake-ui-private.h"

struct _IntakeQuestionView
{
  GtkBox parent_instance;

  GtkLabel *note_label;
  GtkLabel *context_label;
  GtkLabel *audience_tag;
  GtkLabel *title_label;
  GtkLabel *hint_label;
  GtkButton *unmask_button;
  GtkLabel *unmask_label;
  GtkLabel *problem_label;
  GtkBox *answer_area;

  const IntakeQuestion *question;
  char *language;
  /* The answer's widgets, as the type of the question has them. */
  GtkEditable *number_entry;
  GtkWidget *keypad;
  GtkTextView *text_view;
  GtkCalendar *calendar;
  GtkWidget *repeat_list;
  GPtrArray *choice_buttons;
  /* The single choice chosen last: while a group switches, two may be active at once. */
  GtkToggleButton *chosen;
  GtkWidget *answer_focus;
  /* A time, dateTime, range, rank or geopoint: controls of its own. */
  IntakeKindControls *kind;
  gboolean masked;
};

G_DEFINE_FINAL_TYPE (IntakeQuestionView, intake_question_view, GTK_TYPE_BOX)

enum
{
  SIGNAL_TYPING,
  SIGNAL_CHOICE_TOGGLED,
  SIGNAL_DATE_SELECTED,
  SIGNAL_ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
typing_cb (IntakeQuestionView *self)
{
  g_signal_emit (self, signals[SIGNAL_TYPING], 0);
}

static void
activate_cb (IntakeQuestionView *self)
{
  g_signal_emit (self, signals[SIGNAL_ACTIVATE], 0);
}

static void
choice_toggled_cb (GtkToggleButton *button, IntakeQuestionView *self)
{
  /* A single choice turned off by another being chosen: that one's toggle says it. */
  if (intake_question_get_question_type (self->question) == INTAKE_QUESTION_SELECT_ONE
      && !gtk_toggle_button_get_active (button))
    return;
  self->chosen = button;
  g_signal_emit (self, signals[SIGNAL_CHOICE_TOGGLED], 0);
}

/* A rank is saved at once, like a choice; the other kinds after a pause, like typing. */
static void
kind_changed_cb (IntakeQuestionView *self)
{
  if (_intake_kind_controls_is_typed (self->kind))
    g_signal_emit (self, signals[SIGNAL_TYPING], 0);
  else
    g_signal_emit (self, signals[SIGNAL_CHOICE_TOGGLED], 0);
}

static void
date_selected_cb (IntakeQuestionView *self)
{
  g_signal_emit (self, signals[SIGNAL_DATE_SELECTED], 0);
}

static void
unmask_clicked_cb (GtkButton *button, IntakeQuestionView *self)
{
  gboolean shown = gtk_widget_get_visible (GTK_WIDGET (self->answer_area));

  gtk_widget_set_visible (GTK_WIDGET (self->answer_area), !shown);
  /* Shown by keyboard: straight on to the answer. */
  if (!shown && self->answer_focus != NULL && gtk_widget_has_focus (GTK_WIDGET (button)))
    gtk_widget_grab_focus (self->answer_focus);
  gtk_label_set_label (self->unmask_label, shown ? _("Sensitive answer hidden: tap to show")
                                                 : _("Hide the answer"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  shown ? _("Show the sensitive answer") : _("Hide the answer"),
                                  -1);
}

/* The decimal key types what @language writes: "," in Indonesian. */
static const char *
decimal_separator (const char *language)
{
  g_autofree char *half = intake_decimal_format (0.5, language);

  return strchr (half, ',') != NULL ? "," : ".";
}

static void
keypad_pressed_cb (IntakeKeypad *keypad, const char *key, IntakeQuestionView *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (self->number_entry));

  if (g_str_equal (key, "erase"))
    {
      size_t len = strlen (text);
      if (len > 0)
        text[len - 1] = '\0';
      gtk_editable_set_text (self->number_entry, text);
    }
  else
    {
      const char *typed = g_str_equal (key, "decimal")
                              ? intake_keypad_get_decimal_separator (keypad)
                              : key;
      g_autofree char *longer = g_strconcat (text, typed, NULL);
      gtk_editable_set_text (self->number_entry, longer);
    }
  gtk_editable_set_position (self->number_entry, -1);
}

static void
add_hint_label (GtkBox *area, const char *text)
{
  _intake_box_add_label (area, text, "dim-label");
}

static void
build_choices (IntakeQuestionView *self, JsonNode *answer)
{
  const IntakeQuestion *q = self->question;
  IntakeQuestionType type = intake_question_get_question_type (q);
  GtkToggleButton *group = NULL;

  for (unsigned int i = 0; i < intake_question_get_n_choices (q); i++)
    {
      const char *choice = intake_question_get_choice_name (q, i);
      const char *text = intake_question_get_choice_label (q, i, self->language);
      GtkWidget *button = gtk_toggle_button_new_with_label (text ? text : choice);
      gboolean active = FALSE;

      gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), TRUE);
      gtk_widget_add_css_class (button, "choice");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      text ? text : choice, -1);
      /* An acknowledge: its one choice ("OK") names what is acknowledged. */
      if (g_strcmp0 (intake_question_get_kind (q), "acknowledge") == 0)
        {
          const char *title = intake_question_get_label (q, self->language);
          g_autofree char *name = g_strdup_printf (_("%s: %s"), text ? text : choice,
                                                   title ? title : intake_question_get_name (q));
          gtk_widget_add_css_class (button, "acknowledge");
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
        }
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
      if (self->answer_focus == NULL
          || (active && self->choice_buttons->len > 0
              && !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->answer_focus))))
        self->answer_focus = button;
      g_signal_connect (button, "toggled", G_CALLBACK (choice_toggled_cb), self);
      g_ptr_array_add (self->choice_buttons, button);
      gtk_box_append (self->answer_area, button);
    }
  if (type == INTAKE_QUESTION_SELECT_MULTIPLE)
    add_hint_label (self->answer_area, _("Choose every answer that applies."));
}

static void
build_number (IntakeQuestionView *self, JsonNode *answer, const char *label)
{
  gboolean integer = intake_question_get_question_type (self->question)
                     == INTAKE_QUESTION_INTEGER;
  GtkWidget *entry = gtk_entry_new ();
  g_autofree char *text = NULL;

  /* A decimal as the respondent's language writes it: "1,5" in Indonesian. */
  if (answer && JSON_NODE_HOLDS_VALUE (answer) && !intake_answer_is_declined (answer))
    text = json_node_get_value_type (answer) == G_TYPE_DOUBLE
               ? intake_decimal_format (json_node_get_double (answer), self->language)
               : json_to_string (answer, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (entry), text ? text : "");
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), integer ? GTK_INPUT_PURPOSE_DIGITS
                                                          : GTK_INPUT_PURPOSE_NUMBER);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
  gtk_widget_set_halign (entry, GTK_ALIGN_START);
  gtk_widget_add_css_class (entry, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label ? label : _("Answer"), -1);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (typing_cb), self);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (activate_cb), self);
  self->number_entry = GTK_EDITABLE (entry);
  self->answer_focus = entry;
  gtk_box_append (self->answer_area, entry);

  self->keypad = intake_keypad_new (integer ? INTAKE_KEYPAD_INTEGER : INTAKE_KEYPAD_DECIMAL);
  intake_keypad_set_decimal_separator (INTAKE_KEYPAD (self->keypad),
                                       decimal_separator (self->language));
  g_signal_connect (self->keypad, "pressed", G_CALLBACK (keypad_pressed_cb), self);
  gtk_box_append (self->answer_area, self->keypad);

  /* The problem in view, right under the number (not above a keypad's height of keys). */
  g_object_ref (self->problem_label);
  gtk_box_remove (GTK_BOX (self), GTK_WIDGET (self->problem_label));
  gtk_box_insert_child_after (self->answer_area, GTK_WIDGET (self->problem_label), entry);
  g_object_unref (self->problem_label);
}

static void
build_text (IntakeQuestionView *self, JsonNode *answer, const char *label)
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
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (typing_cb), self);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  self->text_view = GTK_TEXT_VIEW (view);
  self->answer_focus = view;
  gtk_box_append (self->answer_area, frame);
}

static void
build_date (IntakeQuestionView *self, JsonNode *answer, const char *label)
{
  GtkWidget *calendar = gtk_calendar_new ();
  GtkWidget *use = _intake_interview_button (_("Use this date"), "big");

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
  gtk_accessible_update_property (GTK_ACCESSIBLE (calendar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label ? label : _("Date"), -1);
  g_signal_connect_swapped (calendar, "day-selected", G_CALLBACK (date_selected_cb), self);
  g_signal_connect_swapped (use, "clicked", G_CALLBACK (date_selected_cb), self);
  gtk_widget_set_halign (use, GTK_ALIGN_START);
  self->calendar = GTK_CALENDAR (calendar);
  self->answer_focus = calendar;
  gtk_box_append (self->answer_area, calendar);
  add_hint_label (self->answer_area,
                  _("Keyboard: arrows move through the days, Space chooses, Enter goes on."));
  gtk_box_append (self->answer_area, use);
}

GtkWidget *
intake_question_view_new (IntakeForm *form, IntakeFormSession *fs,
                          const IntakeQuestion *question, JsonNode *answer,
                          const char *language, const char *context, const char *review_note)
{
  IntakeQuestionView *self;
  const char *label;
  const char *hint;
  /* The session's words: ${name} filled in, and a child's wording while the form says the
   * respondent is a child (issue #11). */
  g_autofree char *session_label = NULL;
  g_autofree char *session_hint = NULL;
  gboolean interviewer;

  g_return_val_if_fail (INTAKE_IS_FORM (form), NULL);
  g_return_val_if_fail (question != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_QUESTION_VIEW, NULL);
  self->question = question;
  self->language = g_strdup (language);
  if (fs != NULL)
    {
      session_label = intake_form_session_dup_label (fs, intake_question_get_name (question));
      session_hint = intake_form_session_dup_hint (fs, intake_question_get_name (question));
    }
  label = session_label != NULL ? session_label : intake_question_get_label (question, language);

  if (review_note != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Supervisor’s note: %s"), review_note);
      gtk_label_set_label (self->note_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
    }
  if (context != NULL)
    {
      gtk_label_set_label (self->context_label, context);
      gtk_widget_set_visible (GTK_WIDGET (self->context_label), TRUE);
    }
  /* What the interviewer does or checks is not read aloud: it is tagged, and set in the text's
   * own size on another background, not in the large type of a question. */
  interviewer = g_strcmp0 (intake_question_get_audience (question), "interviewer") == 0;
  gtk_widget_set_visible (GTK_WIDGET (self->audience_tag), interviewer);
  if (interviewer)
    gtk_widget_add_css_class (GTK_WIDGET (self), "interviewer");
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label),
                            interviewer ? "interviewer-title" : "question-title");
  gtk_label_set_label (self->title_label, label ? label : intake_question_get_name (question));
  hint = fs != NULL ? session_hint : intake_question_get_hint (question, language);
  if (hint != NULL)
    {
      gtk_label_set_label (self->hint_label, hint);
      gtk_widget_set_visible (GTK_WIDGET (self->hint_label), TRUE);
    }

  if (_intake_kind_is_shown_here (question))
    self->kind = _intake_kind_controls_new (question, answer, language, label, self->answer_area,
                                            G_CALLBACK (kind_changed_cb),
                                            G_CALLBACK (activate_cb), self,
                                            &self->answer_focus);
  else
    switch (intake_question_get_question_type (question))
      {
      case INTAKE_QUESTION_SELECT_ONE:
      case INTAKE_QUESTION_SELECT_MULTIPLE:
        build_choices (self, answer);
        break;
      case INTAKE_QUESTION_INTEGER:
      case INTAKE_QUESTION_DECIMAL:
        build_number (self, answer, label);
        break;
      case INTAKE_QUESTION_TEXT:
        build_text (self, answer, label);
        break;
      case INTAKE_QUESTION_DATE:
        build_date (self, answer, label);
        break;
      case INTAKE_QUESTION_REPEAT:
        self->repeat_list = intake_repeat_list_new (form, fs, question, language);
        self->answer_focus = intake_repeat_list_get_add_button (
            INTAKE_REPEAT_LIST (self->repeat_list));
        gtk_box_append (self->answer_area, self->repeat_list);
        break;
      case INTAKE_QUESTION_NOTE:
      case INTAKE_QUESTION_CALCULATE:
      case INTAKE_QUESTION_GROUP:
      default:
        break;
      }
  if (intake_question_is_answerable (question) && intake_question_get_sensitive (question))
    {
      self->masked = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->unmask_button), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->answer_area), FALSE);
    }
  return GTK_WIDGET (self);
}

const IntakeQuestion *
intake_question_view_get_question (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->question;
}

void
intake_question_view_show_problem (IntakeQuestionView *self, const char *problem)
{
  g_return_if_fail (INTAKE_IS_QUESTION_VIEW (self));

  gtk_label_set_label (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->problem_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, problem ? problem : "", -1);
}

GtkWidget *
intake_question_view_get_focus_widget (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->masked ? GTK_WIDGET (self->unmask_button) : self->answer_focus;
}

gboolean
intake_question_view_has_typing (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), FALSE);

  return self->number_entry != NULL || self->text_view != NULL
         || (self->kind != NULL && _intake_kind_controls_is_typed (self->kind));
}

gboolean
intake_question_view_dup_typed_answer (IntakeQuestionView *self, JsonNode **answer,
                                       GError **error)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  *answer = NULL;
  if (self->kind != NULL)
    return !_intake_kind_controls_is_typed (self->kind)
           || _intake_kind_controls_dup_answer (self->kind, answer, error);
  if (self->number_entry != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (self->number_entry)));
      g_autoptr (JsonNode) node = NULL;

      if (*text == '\0')
        return TRUE;
      node = json_node_new (JSON_NODE_VALUE);
      if (intake_question_get_question_type (self->question) == INTAKE_QUESTION_INTEGER)
        {
          gint64 n;
          if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &n, NULL))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   _("Please enter a whole number, like 25."));
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
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   _("Please enter a number, like 4.5."));
              return FALSE;
            }
          json_node_set_double (node, d);
        }
      *answer = g_steal_pointer (&node);
      return TRUE;
    }
  if (self->text_view != NULL)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (*text != '\0')
        {
          *answer = json_node_new (JSON_NODE_VALUE);
          json_node_set_string (*answer, text);
        }
      intake_crypto_wipe_string (text);
    }
  return TRUE;
}

JsonNode *
intake_question_view_dup_choice_answer (IntakeQuestionView *self)
{
  JsonNode *node;

  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  if (self->kind != NULL)
    {
      node = NULL;
      if (!_intake_kind_controls_is_typed (self->kind))
        _intake_kind_controls_dup_answer (self->kind, &node, NULL);
      return node;
    }
  if (intake_question_get_question_type (self->question) == INTAKE_QUESTION_SELECT_ONE)
    {
      GtkToggleButton *b = self->chosen;

      for (guint i = 0; b == NULL && i < self->choice_buttons->len; i++)
        if (gtk_toggle_button_get_active (self->choice_buttons->pdata[i]))
          b = self->choice_buttons->pdata[i];
      if (b == NULL || !gtk_toggle_button_get_active (b))
        return NULL;
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, g_object_get_data (G_OBJECT (b), "choice"));
      return node;
    }
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
    return node;
  }
}

JsonNode *
intake_question_view_dup_date_answer (IntakeQuestionView *self)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;

  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  if (self->calendar == NULL)
    return NULL;
  dt = gtk_calendar_get_date (self->calendar);
  text = g_date_time_format (dt, "%Y-%m-%d");
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

gboolean
intake_question_view_is_choice (IntakeQuestionView *self, GtkWidget *widget)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), FALSE);

  return widget != NULL && g_ptr_array_find (self->choice_buttons, widget, NULL);
}

GtkCalendar *
intake_question_view_get_calendar (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->calendar;
}

GtkWidget *
intake_question_view_get_repeat_list (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->repeat_list;
}

GtkWidget *
intake_question_view_get_keypad (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->keypad;
}

GtkEditable *
intake_question_view_get_number_entry (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->number_entry;
}

static void
intake_question_view_dispose (GObject *object)
{
  IntakeQuestionView *self = INTAKE_QUESTION_VIEW (object);

  self->number_entry = NULL;
  self->keypad = NULL;
  self->text_view = NULL;
  self->calendar = NULL;
  self->repeat_list = NULL;
  self->answer_focus = NULL;
  self->chosen = NULL;
  if (self->choice_buttons != NULL)
    g_ptr_array_set_size (self->choice_buttons, 0);
  gtk_widget_dispose_template (GTK_WIDGET (object), INTAKE_TYPE_QUESTION_VIEW);
  G_OBJECT_CLASS (intake_question_view_parent_class)->dispose (object);
}

static void
intake_question_view_finalize (GObject *object)
{
  IntakeQuestionView *self = INTAKE_QUESTION_VIEW (object);

  g_free (self->language);
  g_clear_pointer (&self->kind, _intake_kind_controls_free);
  g_clear_pointer (&self->choice_buttons, g_ptr_array_unref);
  G_OBJECT_CLASS (intake_question_view_parent_class)->finalize (object);
}

static void
intake_question_view_class_init (IntakeQuestionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_question_view_dispose;
  object_class->finalize = intake_question_view_finalize;

  signals[SIGNAL_TYPING] = g_signal_new ("typing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHOICE_TOGGLED] = g_signal_new ("choice-toggled", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 0);
  signals[SIGNAL_DATE_SELECTED] = g_signal_new ("date-selected", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[SIGNAL_ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-question-view.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, note_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, context_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, audience_tag);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, title_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, hint_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, unmask_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, unmask_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, problem_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeQuestionView, answer_area);
  gtk_widget_class_bind_template_callback (widget_class, unmask_clicked_cb);
}

static void
intake_question_view_init (IntakeQuestionView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->choice_buttons = g_ptr_array_new ();
}
