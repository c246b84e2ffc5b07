/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * IntakeQuestionView builds a page for each question type of a small form
 * (question-view-form.json): the widgets each type needs, what it reads back as the answer, a
 * decimal typed with the Indonesian decimal comma, a masked sensitive answer, and an
 * interviewer's checklist item set apart from what is read aloud.
 */
#include "intake-config.h"

#include <adwaita.h>
#include <string.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-keypad.h"
#include "intake-question-view.h"
#include "intake-repeat-list.h"

typedef struct
{
  IntakeForm *form;
  IntakeFormSession *fs;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "question-view-form.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answers = json_object_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  f->form = intake_form_new_from_data (text, -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  /* One entry in the repeat, so its list has a row. */
  {
    JsonArray *entries = json_array_new ();
    JsonObject *entry = json_object_new ();
    json_object_set_int_member (entry, "child_age", 7);
    json_array_add_object_element (entries, entry);
    json_object_set_array_member (answers, "children", entries);
  }
  f->fs = intake_form_session_new (f->form, answers, "en");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->fs);
  g_clear_object (&f->form);
}

static IntakeQuestionView *
make_view (Fixture *f, const char *name, JsonNode *answer, const char *language)
{
  const IntakeQuestion *q = intake_form_lookup_question (f->form, name);
  GtkWidget *view;

  g_assert_nonnull (q);
  view = intake_question_view_new (f->form, f->fs, q, answer, language, NULL, NULL);
  return INTAKE_QUESTION_VIEW (g_object_ref_sink (view));
}

/* The first descendant of @widget of @type whose CSS classes include @css_class (or any). */
static GtkWidget *
find (GtkWidget *widget, GType type, const char *css_class)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type)
      && (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find (c, type, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count (GtkWidget *widget, GType type, const char *css_class)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type)
            && (css_class == NULL || gtk_widget_has_css_class (widget, css_class));

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n += count (c, type, css_class);
  return n;
}

static void
counter_cb (gpointer instance, guint *n)
{
  (*n)++;
}

static void
test_interviewer (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "private_check", NULL, "en");
  g_autoptr (IntakeQuestionView) spoken = make_view (f, "documents", NULL, "en");
  GtkWidget *tag = find (GTK_WIDGET (view), GTK_TYPE_LABEL, "interviewer-tag");

  /* The checklist item: tagged, its words not in the read-aloud type. */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (view), "interviewer"));
  g_assert_nonnull (tag);
  g_assert_true (gtk_widget_get_visible (tag));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (tag)), ==, "Interviewer");
  g_assert_nonnull (find (GTK_WIDGET (view), GTK_TYPE_LABEL, "interviewer-title"));
  g_assert_null (find (GTK_WIDGET (view), GTK_TYPE_LABEL, "question-title"));
  /* A question for the respondent: no tag shown, the large type. */
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (spoken), "interviewer"));
  g_assert_false (gtk_widget_get_visible (
      find (GTK_WIDGET (spoken), GTK_TYPE_LABEL, "interviewer-tag")));
  g_assert_nonnull (find (GTK_WIDGET (spoken), GTK_TYPE_LABEL, "question-title"));
}

static void
test_choices (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) given = json_from_string ("\"no\"", NULL);
  g_autoptr (IntakeQuestionView) one = make_view (f, "private_check", given, "en");
  g_autoptr (IntakeQuestionView) many = make_view (f, "documents", NULL, "en");
  g_autoptr (JsonNode) answer = NULL;
  GtkWidget *focus;
  GtkWidget *first;
  guint toggled = 0;

  g_assert_cmpuint (count (GTK_WIDGET (one), GTK_TYPE_TOGGLE_BUTTON, "choice"), ==, 2);
  /* The keyboard starts on the answer given. */
  focus = intake_question_view_get_focus_widget (one);
  g_assert_true (intake_question_view_is_choice (one, focus));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (focus)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (focus)), ==, "No");
  answer = intake_question_view_dup_choice_answer (one);
  g_assert_cmpstr (json_node_get_string (answer), ==, "no");
  g_clear_pointer (&answer, json_node_unref);

  /* Choosing "Yes" says so once, and the answer read back is "yes". */
  g_signal_connect (one, "choice-toggled", G_CALLBACK (counter_cb), &toggled);
  first = find (GTK_WIDGET (one), GTK_TYPE_TOGGLE_BUTTON, "choice");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (first), TRUE);
  g_assert_cmpuint (toggled, ==, 1);
  answer = intake_question_view_dup_choice_answer (one);
  g_assert_cmpstr (json_node_get_string (answer), ==, "yes");
  g_clear_pointer (&answer, json_node_unref);

  /* Several choices: an array of those chosen. */
  g_assert_cmpuint (count (GTK_WIDGET (many), GTK_TYPE_TOGGLE_BUTTON, "choice"), ==, 3);
  gtk_toggle_button_set_active (
      GTK_TOGGLE_BUTTON (find (GTK_WIDGET (many), GTK_TYPE_TOGGLE_BUTTON, "choice")), TRUE);
  answer = intake_question_view_dup_choice_answer (many);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (answer));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (answer)), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (answer), 0), ==,
                   "passport");
  g_assert_false (intake_question_view_has_typing (many));
}

static void
press (IntakeKeypad *keypad, const char *key)
{
  g_signal_emit_by_name (intake_keypad_get_key (keypad, key), "clicked");
}

static void
test_integer (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "age", NULL, "en");
  IntakeKeypad *keypad = INTAKE_KEYPAD (intake_question_view_get_keypad (view));
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;
  guint typing = 0;

  g_assert_true (intake_question_view_has_typing (view));
  g_assert_cmpint (intake_keypad_get_mode (keypad), ==, INTAKE_KEYPAD_INTEGER);
  g_assert_null (intake_keypad_get_key (keypad, "decimal"));
  g_assert_true (intake_question_view_get_focus_widget (view)
                 == GTK_WIDGET (intake_question_view_get_number_entry (view)));
  g_signal_connect (view, "typing", G_CALLBACK (counter_cb), &typing);
  press (keypad, "2");
  press (keypad, "5");
  press (keypad, "7");
  press (keypad, "erase");
  /* Each key is typing (GtkEditable says so once or twice a change). */
  g_assert_cmpuint (typing, >=, 4);
  g_assert_cmpstr (gtk_editable_get_text (intake_question_view_get_number_entry (view)), ==, "25");
  g_assert_true (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (answer), ==, 25);
  g_clear_pointer (&answer, json_node_unref);

  /* Not a whole number: refused, in words. */
  gtk_editable_set_text (intake_question_view_get_number_entry (view), "2.5");
  g_assert_false (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_null (answer);
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* Empty: no answer. */
  gtk_editable_set_text (intake_question_view_get_number_entry (view), "");
  g_assert_true (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_null (answer);
}

static void
test_decimal_comma (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "debt_months", NULL, "id");
  g_autoptr (IntakeQuestionView) english = make_view (f, "debt_months", NULL, "en");
  IntakeKeypad *keypad = INTAKE_KEYPAD (intake_question_view_get_keypad (view));
  GtkWidget *key = intake_keypad_get_key (keypad, "decimal");
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (JsonNode) saved = json_node_new (JSON_NODE_VALUE);
  g_autoptr (IntakeQuestionView) again = NULL;
  g_autoptr (GError) error = NULL;

  /* In Indonesian the decimal key reads ",", and "1,5" is 1.5. */
  g_assert_nonnull (key);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (key)), ==, ",");
  press (keypad, "1");
  press (keypad, "decimal");
  press (keypad, "5");
  g_assert_cmpstr (gtk_editable_get_text (intake_question_view_get_number_entry (view)), ==,
                   "1,5");
  g_assert_true (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (answer), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_node_get_double (answer), ==, 1.5);
  g_clear_pointer (&answer, json_node_unref);
  /* intake_decimal_parse refuses what is ambiguous. */
  gtk_editable_set_text (intake_question_view_get_number_entry (view), "1.000,5");
  g_assert_false (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_clear_error (&error);

  /* In English the key reads "."; a saved 1.5 comes back as "1,5" in Indonesian. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (intake_keypad_get_key (
                       INTAKE_KEYPAD (intake_question_view_get_keypad (english)), "decimal"))),
                   ==, ".");
  json_node_set_double (saved, 1.5);
  again = make_view (f, "debt_months", saved, "id");
  g_assert_cmpstr (gtk_editable_get_text (intake_question_view_get_number_entry (again)), ==,
                   "1,5");
}

static void
test_text_masked (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) given = json_from_string ("\"Boss\"", NULL);
  g_autoptr (IntakeQuestionView) view = make_view (f, "employer", given, "en");
  GtkWidget *focus = intake_question_view_get_focus_widget (view);
  GtkWidget *text = find (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW, NULL);
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;

  /* Sensitive: the answer is hidden behind a button, where the keyboard starts. */
  g_assert_nonnull (text);
  g_assert_true (GTK_IS_BUTTON (focus));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (gtk_widget_get_parent (text))));
  g_signal_emit_by_name (focus, "clicked");
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (gtk_widget_get_parent (text))));
  g_assert_true (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_cmpstr (json_node_get_string (answer), ==, "Boss");
}

static void
test_date_repeat_note (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) given = json_from_string ("\"2026-03-14\"", NULL);
  g_autoptr (IntakeQuestionView) date = make_view (f, "arrived", given, "en");
  g_autoptr (IntakeQuestionView) repeat = make_view (f, "children", NULL, "en");
  g_autoptr (IntakeQuestionView) note = make_view (f, "thanks", NULL, "en");
  g_autoptr (JsonNode) answer = intake_question_view_dup_date_answer (date);
  GtkWidget *list;

  g_assert_nonnull (intake_question_view_get_calendar (date));
  g_assert_cmpstr (json_node_get_string (answer), ==, "2026-03-14");

  list = intake_question_view_get_repeat_list (repeat);
  g_assert_nonnull (list);
  g_assert_cmpuint (intake_repeat_list_get_n_entries (INTAKE_REPEAT_LIST (list)), ==, 1);
  g_assert_true (intake_question_view_get_focus_widget (repeat)
                 == intake_repeat_list_get_add_button (INTAKE_REPEAT_LIST (list)));
  g_assert_cmpuint (count (list, ADW_TYPE_ACTION_ROW, NULL), ==, 1);

  /* A note: words only, Next takes the keyboard. */
  g_assert_null (intake_question_view_get_focus_widget (note));
  g_assert_false (intake_question_view_has_typing (note));
  g_assert_null (intake_question_view_dup_date_answer (note));
}

/* The engine takes @answer for @name: its check passes, and once set there is no problem. */
static void
assert_engine_accepts (Fixture *f, const char *name, JsonNode *answer)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *problem = NULL;

  g_assert_nonnull (answer);
  g_assert_true (intake_form_session_validate_answer (f->fs, name, answer, &error));
  g_assert_no_error (error);
  g_assert_true (intake_form_session_set_answer (f->fs, name, answer, &error));
  g_assert_no_error (error);
  problem = intake_form_session_dup_problem (f->fs, name);
  g_assert_null (problem);
}

static JsonNode *
typed (IntakeQuestionView *view)
{
  JsonNode *answer = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_no_error (error);
  return answer;
}

/* A finger's target: asked for at least 48 px each way. */
static void
assert_finger_sized (GtkWidget *widget)
{
  int width, height;

  gtk_widget_get_size_request (widget, &width, &height);
  g_assert_cmpint (width, >=, 48);
  g_assert_cmpint (height, >=, 48);
}

/* The @n-th (from 0) descendant of @widget of @type with @css_class (or any). */
static GtkWidget *
nth (GtkWidget *widget, GType type, const char *css_class, guint *n)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type)
      && (css_class == NULL || gtk_widget_has_css_class (widget, css_class)) && (*n)-- == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = nth (c, type, css_class, n);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_nth (GtkWidget *widget, GType type, const char *css_class, guint n)
{
  return nth (widget, type, css_class, &n);
}

static void
test_time (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "started_work", NULL, "en");
  g_autoptr (JsonNode) given = json_from_string ("\"09:30\"", NULL);
  g_autoptr (IntakeQuestionView) again = make_view (f, "started_work", given, "en");
  GtkWidget *hour = find_nth (GTK_WIDGET (view), GTK_TYPE_SPIN_BUTTON, NULL, 0);
  GtkWidget *minute = find_nth (GTK_WIDGET (view), GTK_TYPE_SPIN_BUTTON, NULL, 1);
  g_autoptr (JsonNode) answer = NULL;
  guint typing = 0;

  g_assert_nonnull (hour);
  g_assert_nonnull (minute);
  g_assert_null (find (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW, NULL));
  g_assert_true (intake_question_view_get_focus_widget (view) == hour);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (hour), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Hour: When does work start?");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (minute), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Minute: When does work start?");
  /* The steppers' own buttons are a finger's size. */
  for (GtkWidget *c = gtk_widget_get_first_child (hour); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_BUTTON (c))
      assert_finger_sized (c);
  /* Untouched, 00:00 is not an answer. */
  g_assert_true (intake_question_view_has_typing (view));
  g_assert_null (typed (view));

  g_signal_connect (view, "typing", G_CALLBACK (counter_cb), &typing);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (hour), 14);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (minute), 5);
  g_assert_cmpuint (typing, ==, 2);
  answer = typed (view);
  g_assert_cmpstr (json_node_get_string (answer), ==, "14:05");
  assert_engine_accepts (f, "started_work", answer);

  g_clear_pointer (&answer, json_node_unref);
  /* Digits typed, the keyboard still in the stepper: they count. */
  gtk_editable_set_text (GTK_EDITABLE (minute), "45");
  answer = typed (view);
  g_assert_cmpstr (json_node_get_string (answer), ==, "14:45");

  /* A saved time comes back in the steppers, and reads back the same. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                       find_nth (GTK_WIDGET (again), GTK_TYPE_SPIN_BUTTON, NULL, 0))), ==, 9);
  g_clear_pointer (&answer, json_node_unref);
  answer = typed (again);
  g_assert_cmpstr (json_node_get_string (answer), ==, "09:30");
}

static void
test_date_time (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "last_paid", NULL, "en");
  GtkWidget *calendar = find (GTK_WIDGET (view), GTK_TYPE_CALENDAR, NULL);
  GtkWidget *hour = find_nth (GTK_WIDGET (view), GTK_TYPE_SPIN_BUTTON, NULL, 0);
  g_autoptr (GDateTime) day = g_date_time_new_utc (2026, 3, 14, 12, 0, 0);
  g_autoptr (JsonNode) answer = NULL;

  g_assert_nonnull (calendar);
  g_assert_nonnull (hour);
  /* Not the date question's calendar: the page must not save a bare date here. */
  g_assert_null (intake_question_view_get_calendar (view));
  g_assert_true (intake_question_view_get_focus_widget (view) == calendar);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (calendar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "When were you last paid?");
  g_assert_null (typed (view));
  gtk_calendar_select_day (GTK_CALENDAR (calendar), day);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (hour), 8);
  answer = typed (view);
  g_assert_cmpstr (json_node_get_string (answer), ==, "2026-03-14T08:00");
  assert_engine_accepts (f, "last_paid", answer);
}

static void
test_range (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "hours_rest", NULL, "en");
  g_autoptr (JsonNode) saved = json_node_init_double (json_node_alloc (), 1.5);
  g_autoptr (IntakeQuestionView) indonesian = make_view (f, "hours_rest", saved, "id");
  GtkWidget *scale = find (GTK_WIDGET (view), GTK_TYPE_SCALE, NULL);
  GtkWidget *less = find_nth (GTK_WIDGET (view), GTK_TYPE_BUTTON, "stepper", 0);
  GtkWidget *more = find_nth (GTK_WIDGET (view), GTK_TYPE_BUTTON, "stepper", 1);
  g_autoptr (JsonNode) answer = NULL;

  g_assert_nonnull (scale);
  g_assert_true (intake_question_view_get_focus_widget (view) == scale);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Hours of rest a day");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "More");
  assert_finger_sized (less);
  assert_finger_sized (more);
  /* Untouched: no answer; the first + answers the start, the next moves one step. */
  g_assert_null (typed (view));
  g_signal_emit_by_name (more, "clicked");
  answer = typed (view);
  g_assert_cmpfloat (json_node_get_double (answer), ==, 0);
  g_clear_pointer (&answer, json_node_unref);
  g_signal_emit_by_name (more, "clicked");
  answer = typed (view);
  g_assert_cmpfloat (json_node_get_double (answer), ==, 0.5);
  assert_engine_accepts (f, "hours_rest", answer);
  g_clear_pointer (&answer, json_node_unref);
  /* A drag between steps lands on the nearest; the end is the end. */
  gtk_range_set_value (GTK_RANGE (scale), 1.3);
  answer = typed (view);
  g_assert_cmpfloat (json_node_get_double (answer), ==, 1.5);
  assert_engine_accepts (f, "hours_rest", answer);
  g_clear_pointer (&answer, json_node_unref);
  g_signal_emit_by_name (more, "clicked");
  g_signal_emit_by_name (more, "clicked");
  answer = typed (view);
  g_assert_cmpfloat (json_node_get_double (answer), ==, 2);
  g_signal_emit_by_name (less, "clicked");
  g_clear_pointer (&answer, json_node_unref);
  answer = typed (view);
  g_assert_cmpfloat (json_node_get_double (answer), ==, 1.5);
  /* The value as text, in the language's decimals. */
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (
                                find (GTK_WIDGET (indonesian), GTK_TYPE_LABEL, "title-2"))),
                            "1,5"));
}

static void
test_rank (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "needs", NULL, "en");
  GtkWidget *list = find (GTK_WIDGET (view), GTK_TYPE_LIST_BOX, NULL);
  GtkWidget *first_down;
  g_autoptr (JsonNode) answer = NULL;
  JsonArray *order;
  guint toggled = 0;

  g_assert_nonnull (list);
  g_assert_false (intake_question_view_has_typing (view));
  g_assert_cmpuint (count (list, GTK_TYPE_LIST_BOX_ROW, NULL), ==, 3);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "What do you need most?");
  /* Up and down on each row (the second stepper of the view is the first row's Down). */
  g_assert_cmpuint (count (list, GTK_TYPE_BUTTON, "stepper"), ==, 6);
  first_down = find_nth (list, GTK_TYPE_BUTTON, "stepper", 1);
  assert_finger_sized (first_down);
  g_assert_true (intake_question_view_get_focus_widget (view) == first_down);
  g_assert_false (gtk_widget_get_sensitive (find_nth (list, GTK_TYPE_BUTTON, "stepper", 0)));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (first_down),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Move down: Shelter");
  /* Not answered until the order is touched. */
  g_assert_null (intake_question_view_dup_choice_answer (view));

  g_signal_connect (view, "choice-toggled", G_CALLBACK (counter_cb), &toggled);
  g_signal_emit_by_name (first_down, "clicked");
  g_assert_cmpuint (toggled, ==, 1);
  answer = intake_question_view_dup_choice_answer (view);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (answer));
  order = json_node_get_array (answer);
  g_assert_cmpuint (json_array_get_length (order), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (order, 0), ==, "money");
  g_assert_cmpstr (json_array_get_string_element (order, 1), ==, "shelter");
  g_assert_cmpstr (json_array_get_string_element (order, 2), ==, "home");
  assert_engine_accepts (f, "needs", answer);
  /* The button moved with its row, and says so. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (first_down),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Move down: Shelter");
  g_assert_true (gtk_widget_get_sensitive (find_nth (list, GTK_TYPE_BUTTON, "stepper", 2)));

  /* A saved order comes back as it was. */
  {
    g_autoptr (IntakeQuestionView) again = make_view (f, "needs", answer, "en");
    g_autoptr (JsonNode) back = intake_question_view_dup_choice_answer (again);
    g_assert_true (json_node_equal (back, answer));
  }
}

static void
test_acknowledge (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "consent_read", NULL, "en");
  GtkWidget *ok = find (GTK_WIDGET (view), GTK_TYPE_TOGGLE_BUTTON, "acknowledge");
  g_autoptr (JsonNode) answer = NULL;

  g_assert_nonnull (ok);
  g_assert_cmpuint (count (GTK_WIDGET (view), GTK_TYPE_TOGGLE_BUTTON, "choice"), ==, 1);
  g_assert_true (intake_question_view_get_focus_widget (view) == ok);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (ok), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "OK: I have read the consent aloud");
  g_assert_null (intake_question_view_dup_choice_answer (view));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (ok), TRUE);
  answer = intake_question_view_dup_choice_answer (view);
  g_assert_cmpstr (json_node_get_string (answer), ==, "OK");
  assert_engine_accepts (f, "consent_read", answer);
}

static void
test_geopoint (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeQuestionView) view = make_view (f, "met_at", NULL, "id");
  GtkWidget *lat = find_nth (GTK_WIDGET (view), GTK_TYPE_ENTRY, "big", 0);
  GtkWidget *lon = find_nth (GTK_WIDGET (view), GTK_TYPE_ENTRY, "big", 1);
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) saved = json_from_string ("\"-6.2 106.8 12 5\"", NULL);
  g_autoptr (IntakeQuestionView) again = NULL;
  guint activated = 0;

  g_assert_nonnull (lat);
  g_assert_nonnull (lon);
  /* The location button first (test-location.c), then the entries for a position typed. */
  g_assert_true (GTK_IS_BUTTON (intake_question_view_get_focus_widget (view)));
  g_assert_true (intake_question_view_has_typing (view));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lat), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Latitude (−90 to 90)");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Longitude (−180 to 180)");
  g_assert_null (typed (view));
  /* The decimal comma, as Indonesian writes it. */
  gtk_editable_set_text (GTK_EDITABLE (lat), "-6,2");
  gtk_editable_set_text (GTK_EDITABLE (lon), "106,8");
  answer = typed (view);
  g_assert_cmpstr (json_node_get_string (answer), ==, "-6.2 106.8");
  assert_engine_accepts (f, "met_at", answer);
  /* Enter in either entry goes on, as in a number. */
  g_signal_connect (view, "activate", G_CALLBACK (counter_cb), &activated);
  g_signal_emit_by_name (lon, "activate");
  g_assert_cmpuint (activated, ==, 1);
  g_clear_pointer (&answer, json_node_unref);
  /* Off the globe, or half a position: refused in words. */
  gtk_editable_set_text (GTK_EDITABLE (lat), "91");
  g_assert_false (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_assert_null (answer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  gtk_editable_set_text (GTK_EDITABLE (lat), "-6.2");
  gtk_editable_set_text (GTK_EDITABLE (lon), "");
  g_assert_false (intake_question_view_dup_typed_answer (view, &answer, &error));
  g_clear_error (&error);
  /* A saved position comes back in the language's decimals. */
  again = make_view (f, "met_at", saved, "id");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (
                       find_nth (GTK_WIDGET (again), GTK_TYPE_ENTRY, "big", 0))), ==, "-6,2");
}

/* Metadata and hidden calculations are never a page: the page flow leaves them out. */
static void
test_hidden_skipped (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (f->fs);

  g_assert_true (g_strv_contains ((const char *const *) visible, "met_at"));
  g_assert_true (g_strv_contains ((const char *const *) visible, "needs"));
  g_assert_false (g_strv_contains ((const char *const *) visible, "started"));
  g_assert_false (g_strv_contains ((const char *const *) visible, "rest_minutes"));
  for (guint i = 0; visible[i] != NULL; i++)
    g_assert_cmpstr (intake_form_session_get_next (f->fs, visible[i]), !=, "started");
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
#define ADD(path, func) \
  g_test_add ("/intake/ui/question-view/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)
  ADD ("interviewer", test_interviewer);
  ADD ("choices", test_choices);
  ADD ("integer", test_integer);
  ADD ("decimal-comma", test_decimal_comma);
  ADD ("text-masked", test_text_masked);
  ADD ("date-repeat-note", test_date_repeat_note);
  ADD ("time", test_time);
  ADD ("date-time", test_date_time);
  ADD ("range", test_range);
  ADD ("rank", test_rank);
  ADD ("acknowledge", test_acknowledge);
  ADD ("geopoint", test_geopoint);
  ADD ("hidden-skipped", test_hidden_skipped);
#undef ADD
  return g_test_run ();
}
