/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The answers of an interview as its widgets read them; see intake-interview-private.h. */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-interview-private.h"
#include "intake-ui-private.h"

const char *
_intake_interview_language_name (const char *code)
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

GtkWidget *
_intake_interview_button (const char *label, const char *css_class)
{
  GtkWidget *button = gtk_button_new_with_label (label);
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (button));

  gtk_label_set_wrap (GTK_LABEL (child), TRUE);
  gtk_widget_add_css_class (button, css_class);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

const IntakeQuestion *
_intake_interview_repeat_of (const IntakeQuestion *q)
{
  for (const IntakeQuestion *p = q ? intake_question_get_parent (q) : NULL; p != NULL;
       p = intake_question_get_parent (p))
    if (intake_question_get_question_type (p) == INTAKE_QUESTION_REPEAT)
      return p;
  return NULL;
}

JsonNode *
_intake_interview_top_answer (IntakeFormSession *fs, const char *name)
{
  JsonObject *answers = intake_form_session_get_answers (fs);
  JsonNode *node = answers ? json_object_get_member (answers, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

JsonArray *
_intake_interview_entries_of (IntakeFormSession *fs, const char *repeat)
{
  JsonNode *node = _intake_interview_top_answer (fs, repeat);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
_intake_interview_entry_object (IntakeFormSession *fs, const char *repeat, guint entry)
{
  JsonArray *entries = _intake_interview_entries_of (fs, repeat);
  JsonNode *node;

  if (entries == NULL || entry >= json_array_get_length (entries))
    return NULL;
  node = json_array_get_element (entries, entry);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

char *
_intake_interview_entry_problem_text (IntakeForm *form, const char *language, guint entry,
                                      const char *child, const char *message)
{
  const IntakeQuestion *q = intake_form_lookup_question (form, child);
  const char *label = q ? intake_question_get_label (q, language) : NULL;

  return g_strdup_printf (_("Entry %u, %s: %s"), entry + 1, label ? label : child, message);
}

gboolean
_intake_interview_parse_entry_path (const char *path, char **repeat, guint *entry, char **child)
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

char *
_intake_interview_entry_text (IntakeForm *form, IntakeFormSession *fs, const char *language,
                              const IntakeQuestion *repeat, guint entry)
{
  const char *name = intake_question_get_name (repeat);
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (fs, name, entry);
  JsonObject *o = _intake_interview_entry_object (fs, name, entry);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; steps != NULL && steps[i] != NULL; i++)
    {
      const IntakeQuestion *c = intake_form_lookup_question (form, steps[i]);
      JsonNode *a = o ? json_object_get_member (o, steps[i]) : NULL;
      g_autofree char *value = NULL;
      const char *label;

      if (c == NULL || !intake_question_is_answerable (c) || a == NULL
          || JSON_NODE_HOLDS_NULL (a))
        continue;
      label = intake_question_get_label (c, language);
      if (intake_question_get_sensitive (c) && !intake_answer_is_declined (a))
        value = g_strdup (_("hidden"));
      else
        value = _intake_answer_to_text (c, a, language);
      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "; " : "",
                              label ? label : steps[i], value);
    }
  if (text->len == 0)
    g_string_append (text, _("No answers yet"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
_intake_interview_repeat_text (IntakeForm *form, IntakeFormSession *fs, const char *language,
                               const IntakeQuestion *q, JsonNode *answer)
{
  JsonArray *arr;
  g_autoptr (GString) text = NULL;

  if (answer == NULL || !JSON_NODE_HOLDS_ARRAY (answer))
    return _intake_answer_to_text (q, answer, language);
  arr = json_node_get_array (answer);
  if (json_array_get_length (arr) == 0)
    return g_strdup (_("No entries"));
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      g_autofree char *line = _intake_interview_entry_text (form, fs, language, q, i);
      g_string_append_printf (text, "%s%u. %s", i > 0 ? "\n" : "", i + 1, line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
