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

/* A repeat path ("household" or "household[2]/member", see intake-interview-private.h) read
 * step by step from the answers: each "name[N]" is entry N of that repeat, the last name the
 * repeat whose entries are wanted. */
JsonArray *
_intake_interview_entries_of (IntakeFormSession *fs, const char *repeat)
{
  g_auto (GStrv) steps = g_strsplit (repeat, "/", -1);
  JsonObject *at = intake_form_session_get_answers (fs);

  for (guint i = 0; steps[i] != NULL && at != NULL; i++)
    {
      char *open = strchr (steps[i], '[');
      JsonNode *node;
      JsonArray *entries;
      guint64 n = 0;

      if ((open == NULL) != (steps[i + 1] == NULL))
        return NULL;
      if (open != NULL)
        {
          g_autofree char *number = g_strndup (open + 1, strcspn (open + 1, "]"));

          if (!g_str_has_suffix (open, "]")
              || !g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT, &n, NULL))
            return NULL;
          *open = '\0';
        }
      node = json_object_get_member (at, steps[i]);
      if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        return NULL;
      entries = json_node_get_array (node);
      if (open == NULL)
        return entries;
      if (n > json_array_get_length (entries)
          || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (entries, (guint) n - 1)))
        return NULL;
      at = json_array_get_object_element (entries, (guint) n - 1);
    }
  return NULL;
}

const IntakeQuestion *
_intake_interview_path_repeat (IntakeForm *form, const char *repeat)
{
  const char *last = strrchr (repeat, '/');

  return intake_form_lookup_question (form, last != NULL ? last + 1 : repeat);
}

char *
_intake_interview_entry_where (IntakeForm *form, const char *language, const char *repeat,
                               guint entry)
{
  const IntakeQuestion *rq = _intake_interview_path_repeat (form, repeat);
  const char *label = rq != NULL ? intake_question_get_label (rq, language) : NULL;
  g_autofree char *here = g_strdup_printf (_("%s — entry %u"), label != NULL ? label : repeat,
                                           entry + 1);
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  g_autofree char *outer = NULL;
  guint parent_entry;

  if (!_intake_interview_parent_entry (repeat, &parent, &parent_entry, &name))
    return g_steal_pointer (&here);
  outer = _intake_interview_entry_where (form, language, parent, parent_entry);
  return g_strdup_printf ("%s › %s", outer, here);
}

char *
_intake_interview_entry_path (const char *repeat, guint entry, const char *child)
{
  return g_strdup_printf ("%s[%u]/%s", repeat, entry + 1, child);
}

gboolean
_intake_interview_parent_entry (const char *repeat, char **parent, guint *entry, char **name)
{
  g_autofree char *child = NULL;

  if (strchr (repeat, '/') == NULL)
    return FALSE;
  if (!_intake_interview_parse_entry_path (repeat, parent, entry, &child))
    return FALSE;
  *name = g_steal_pointer (&child);
  return TRUE;
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
  /* The child is after the last "]/": "household[2]/member[1]/age" is entry 0 of
   * "household[2]/member", child "age". */
  const char *slash = strrchr (path, '/');
  const char *open = NULL;
  guint64 n;
  g_autofree char *number = NULL;

  if (slash == NULL || slash == path || slash[-1] != ']' || slash[1] == '\0')
    return FALSE;
  for (const char *p = slash - 1; p > path && open == NULL; p--)
    if (*p == '[')
      open = p;
  if (open == NULL)
    return FALSE;
  number = g_strndup (open + 1, slash - 1 - open - 1);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT, &n, NULL))
    return FALSE;
  *repeat = g_strndup (path, open - path);
  *entry = (guint) n - 1;
  *child = g_strdup (slash + 1);
  return TRUE;
}

char *
_intake_interview_entry_text (IntakeForm *form, IntakeFormSession *fs, const char *language,
                              const IntakeQuestion *repeat, guint entry)
{
  return _intake_interview_entry_text_at (form, fs, language, intake_question_get_name (repeat),
                                          entry);
}

char *
_intake_interview_entry_text_at (IntakeForm *form, IntakeFormSession *fs, const char *language,
                                 const char *name, guint entry)
{
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (fs, name, entry);
  JsonObject *o = _intake_interview_entry_object (fs, name, entry);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; steps != NULL && steps[i] != NULL; i++)
    {
      const IntakeQuestion *c = intake_form_lookup_question (form, steps[i]);
      JsonNode *a = o ? json_object_get_member (o, steps[i]) : NULL;
      g_autofree char *value = NULL;
      g_autofree char *label = NULL;

      if (c == NULL || !intake_question_is_answerable (c) || a == NULL
          || JSON_NODE_HOLDS_NULL (a))
        continue;
      /* ${x} in the label reads this entry, as on the question's own page. */
      label = intake_form_session_dup_label_in (fs, name, entry, steps[i]);
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
