/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * IntakeQuestionView builds a page for each question type of a small form
 * (question-view-form.json): the widgets each type needs, what it reads back as the answer, a
 * decimal typed with the Indonesian decimal comma, a masked sensitive answer, and an
 * interviewer's checklist item set apart from what is read aloud.
 */
#include "intake-config.h"

#include <adwaita.h>

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
#undef ADD
  return g_test_run ();
}
