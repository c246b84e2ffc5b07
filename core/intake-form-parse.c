/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a form document: the helpers that read one member of the right shape and refuse
 * anything else by name, and the parser of questions, their choices, shared choice lists,
 * indicators and ranges.  Apart from intake-form.c because it is the loader, not the loaded form;
 * the scoring section, the dependency graph and the document's top level sit above it and use its
 * helpers, and it calls none of them (see intake-form-loader-private.h).
 */
#include "intake-form-loader-private.h"

#include <math.h>
#include <string.h>

/* Every refusal names the form and, where there is one, the question. */
G_GNUC_PRINTF (4, 5)
gboolean
_intake_loader_fail (IntakeFormLoader *loader, IntakeFormError code, const char *question,
                     const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;
  const char *id = loader->form->id != NULL ? loader->form->id : "(no id)";

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (question != NULL)
    g_set_error (loader->error, INTAKE_FORM_ERROR, code, "form '%s': %s '%s': %s", id,
                 loader->kind != NULL ? loader->kind : "question", question, message);
  else
    g_set_error (loader->error, INTAKE_FORM_ERROR, code, "form '%s': %s", id, message);
  return FALSE;
}

gboolean
_intake_loader_is_valid_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_' || *p == '-' || *p == '.'))
      return FALSE;
  return strlen (name) <= 128;
}

/* Choice names and codes may not hold spaces: select_multiple answers are joined by spaces. */
gboolean
_intake_loader_is_valid_code (const char *code)
{
  if (code == NULL || *code == '\0' || strlen (code) > 128)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* Members starting with "_" are comments and are ignored; any other unknown member is a typo. */
gboolean
_intake_loader_check_members (IntakeFormLoader *loader, JsonObject *object,
                              const char *const *allowed, const char *question, const char *what)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    {
      if (member[0] == '_' || g_strv_contains (allowed, member))
        continue;
      return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                  "unknown member '%s' in %s", member, what);
    }
  return TRUE;
}

gboolean
_intake_loader_get_string (IntakeFormLoader *loader, JsonObject *object, const char *member,
                           gboolean required, const char *question, const char **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                    "'%s' is missing", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "'%s' must be a string", member);
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_boolean (IntakeFormLoader *loader, JsonObject *object, const char *member, const char *question,
             gboolean *out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "'%s' must be true or false", member);
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_intake_loader_get_object (IntakeFormLoader *loader, JsonObject *object, const char *member,
                           gboolean required, const char *question, JsonObject **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                    "'%s' is missing", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "'%s' must be an object", member);
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
_intake_loader_get_array (IntakeFormLoader *loader, JsonObject *object, const char *member,
                          gboolean required, const char *question, JsonArray **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                    "'%s' is missing", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "'%s' must be an array", member);
  *out = json_node_get_array (node);
  return TRUE;
}

/*
 * Reads a per-language text.  Every language must be declared; every declared language must
 * be present unless the caller allowed incomplete translations, and even then the default
 * language must be.
 */
gboolean
_intake_loader_get_text (IntakeFormLoader *loader, JsonObject *object, const char *member,
                         gboolean required, const char *question, IntakeText **out)
{
  JsonObject *text = NULL;
  JsonObjectIter iter;
  const char *language;
  JsonNode *node;
  g_autoptr(GHashTable) result = NULL;
  const char *where = question;

  *out = NULL;
  if (!_intake_loader_get_object (loader, object, member, required, where, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;

  result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  json_object_iter_init (&iter, text);
  while (json_object_iter_next (&iter, &language, &node))
    {
      if (!g_strv_contains ((const char *const *) loader->form->languages, language))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE, where,
                                    "'%s' has text in '%s', which the form does not declare",
                                    member, language);
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, where,
                                    "'%s' in '%s' must be a string", member, language);
      if (*json_node_get_string (node) == '\0')
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MISSING_TRANSLATION, where,
                                    "'%s' in '%s' is empty", member, language);
      g_hash_table_insert (result, g_strdup (language), g_strdup (json_node_get_string (node)));
    }
  for (size_t i = 0; loader->form->languages[i] != NULL; i++)
    {
      const char *declared = loader->form->languages[i];
      gboolean needed = !(loader->flags & INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS)
                        || strcmp (declared, loader->form->default_language) == 0;

      if (needed && !g_hash_table_contains (result, declared))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MISSING_TRANSLATION, where,
                                    "'%s' has no text in '%s'", member, declared);
    }
  *out = g_steal_pointer (&result);
  return TRUE;
}

gboolean
_intake_loader_parse_expression (IntakeFormLoader *loader, JsonObject *object, const char *member,
                                 IntakeExprParseFlags flags, const char *question, IntakeExpr **out)
{
  const char *source;
  g_autoptr(GError) local_error = NULL;

  *out = NULL;
  if (!_intake_loader_get_string (loader, object, member, FALSE, question, &source))
    return FALSE;
  if (source == NULL)
    return TRUE;
  *out = intake_expr_parse (source, flags, &local_error);
  if (*out == NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_EXPRESSION, question, "%s: %s", member,
                                local_error->message);
  return TRUE;
}

/* XLSForm's further types and the base type each is answered as (see intake-form-private.h). */
static const struct
{
  const char *kind;
  IntakeQuestionType base;
} kinds[] = {
  { "time", INTAKE_QUESTION_TEXT },
  { "dateTime", INTAKE_QUESTION_TEXT },
  { "geopoint", INTAKE_QUESTION_TEXT },
  { "range", INTAKE_QUESTION_DECIMAL },
  { "rank", INTAKE_QUESTION_SELECT_MULTIPLE },
  { "acknowledge", INTAKE_QUESTION_SELECT_ONE },
  { "start", INTAKE_QUESTION_CALCULATE },
  { "end", INTAKE_QUESTION_CALCULATE },
  { "today", INTAKE_QUESTION_CALCULATE },
  { "deviceid", INTAKE_QUESTION_CALCULATE },
  { "username", INTAKE_QUESTION_CALCULATE },
};

static gboolean
parse_type (const char *name, IntakeQuestionType *out, const char **kind)
{
  *kind = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS (_intake_question_type_names); i++)
    {
      if (strcmp (_intake_question_type_names[i], name) == 0)
        {
          *out = (IntakeQuestionType) i;
          return TRUE;
        }
    }
  for (size_t i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (strcmp (kinds[i].kind, name) == 0)
        {
          *out = kinds[i].base;
          *kind = kinds[i].kind;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
is_metadata (const IntakeQuestion *q)
{
  return q->kind != NULL && q->type == INTAKE_QUESTION_CALCULATE;
}

/* "required" and "read_only": true or false, or an expression evaluated by the session. */
static gboolean
get_flag_or_expression (IntakeFormLoader *loader, JsonObject *object, const char *member,
                        const char *question, gboolean *flag, IntakeExpr **expr)
{
  JsonNode *node = json_object_get_member (object, member);

  *expr = NULL;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *flag = FALSE;
      return _intake_loader_parse_expression (loader, object, member, INTAKE_EXPR_PARSE_DEFAULT,
                                              question, expr);
    }
  /* Checked here rather than by get_boolean (), which would say only "true or false". */
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node)
      && (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "'%s' must be true, false or an expression", member);
  return get_boolean (loader, object, member, question, flag);
}

/* A range's "parameters": {"start", "end", "step"}, numbers, step > 0 and end reachable. */
static gboolean
parse_range (IntakeFormLoader *loader, JsonObject *object, IntakeQuestion *q)
{
  static const char *const allowed[] = { "start", "end", "step", NULL };
  JsonObject *parameters;
  const char *names[] = { "start", "end", "step" };
  double *slots[] = { &q->range_start, &q->range_end, &q->range_step };

  if (!_intake_loader_get_object (loader, object, "parameters", TRUE, q->name, &parameters)
      || !_intake_loader_check_members (loader, parameters, allowed, q->name,
                                        "a range's parameters"))
    return FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (parameters, names[i]);
      GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                                : G_TYPE_INVALID;

      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                    "a range needs the number '%s' in its parameters", names[i]);
      *slots[i] = json_node_get_double (node);
      if (!isfinite (*slots[i]))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                    "'%s' is not finite", names[i]);
    }
  if (q->range_step <= 0 || q->range_start == q->range_end
      || (q->range_end - q->range_start) / q->range_step > 1e6
      || (q->range_end - q->range_start) / q->range_step < -1e6)
    return _intake_loader_fail (
        loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
        "a range needs start and end apart and a positive step that fits between them "
        "at most a million times");
  return TRUE;
}

static gboolean
parse_indicator (IntakeFormLoader *loader, JsonObject *object, const char *question,
                 gboolean allow_condition, IntakeIndicator **out)
{
  static const char *const allowed[] = {
    "id", "dimension", "strength", "reverse", "present_when", "tags", NULL,
  };
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  IntakeIndicator *indicator;
  const char *id, *dimension, *strength;
  JsonArray *tag_array;
  IntakeScoring *scoring = loader->form->scoring;

  *out = NULL;
  if (!_intake_loader_check_members (loader, object, allowed, question, "an indicator")
      || !_intake_loader_get_string (loader, object, "id", TRUE, question, &id)
      || !_intake_loader_get_string (loader, object, "dimension", TRUE, question, &dimension)
      || !_intake_loader_get_string (loader, object, "strength", TRUE, question, &strength)
      || !_intake_loader_get_array (loader, object, "tags", FALSE, question, &tag_array))
    return FALSE;
  if (scoring == NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "indicator '%s' but the form has no scoring section", id);
  if (_intake_scoring_lookup (scoring->dimensions, dimension) == NULL)
    return _intake_loader_fail (
        loader, INTAKE_FORM_ERROR_MALFORMED, question,
        "indicator '%s' names dimension '%s', which scoring does not declare", id, dimension);
  if (!_intake_loader_is_valid_code (id))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "indicator id '%s' is not valid", id);
  for (unsigned int i = 0; tag_array != NULL && i < json_array_get_length (tag_array); i++)
    {
      JsonNode *tag = json_array_get_element (tag_array, i);

      if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING
          || !_intake_loader_is_valid_code (json_node_get_string (tag)))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                    "indicator '%s': tags must be strings without spaces", id);
      g_ptr_array_add (tags, g_strdup (json_node_get_string (tag)));
    }
  g_ptr_array_add (tags, NULL);

  indicator = g_new0 (IntakeIndicator, 1);
  indicator->id = g_strdup (id);
  indicator->dimension = g_strdup (dimension);
  indicator->tags = (GStrv) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
  indicator->choice = -1;
  *out = indicator;

  if (strcmp (strength, "strong") == 0)
    indicator->strength = INTAKE_STRENGTH_STRONG;
  else if (strcmp (strength, "medium") == 0)
    indicator->strength = INTAKE_STRENGTH_MEDIUM;
  else if (strcmp (strength, "weak") == 0)
    indicator->strength = INTAKE_STRENGTH_WEAK;
  else
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                                "indicator '%s': strength must be strong, medium or weak, not '%s'",
                                id, strength);
  if (!get_boolean (loader, object, "reverse", question, &indicator->reverse))
    return FALSE;
  if (!allow_condition && json_object_has_member (object, "present_when"))
    return _intake_loader_fail (
        loader, INTAKE_FORM_ERROR_MALFORMED, question,
        "indicator '%s': a choice's indicator is present when it is chosen; "
        "'present_when' belongs on a question's indicator",
        id);
  if (!_intake_loader_parse_expression (loader, object, "present_when", INTAKE_EXPR_PARSE_ALLOW_DOT,
                                        question, &indicator->present_when))
    return FALSE;
  return TRUE;
}

/*
 * A choice's further columns, which a choice_filter reads by bare name: "filters":
 * {"country": "ID"}.  Values are strings (a number is kept as its text), as the cells of
 * XLSForm's choices sheet are.
 */
static gboolean
parse_choice_filters (IntakeFormLoader *loader, JsonObject *choice_object, IntakeQuestion *q,
                      IntakeChoice *choice)
{
  JsonObject *filters;
  g_autoptr(GList) members = NULL;

  if (!_intake_loader_get_object (loader, choice_object, "filters", FALSE, q->name, &filters))
    return FALSE;
  if (filters == NULL)
    return TRUE;
  choice->filters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (filters);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *column = l->data;
      JsonNode *value = json_object_get_member (filters, column);
      GType type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_NONE;

      /* "name" is the choice's own name, which a filter reads as well. */
      if (!_intake_loader_is_valid_name (column) || strcmp (column, "name") == 0
          || strcmp (column, "label") == 0)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                    "choice '%s': '%s' cannot be a filter column", choice->name,
                                    column);
      if (type == G_TYPE_STRING)
        g_hash_table_insert (choice->filters, g_strdup (column),
                             g_strdup (json_node_get_string (value)));
      else if (type == G_TYPE_INT64)
        g_hash_table_insert (choice->filters, g_strdup (column),
                             g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value)));
      else
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                    "choice '%s': filter column '%s' is text", choice->name,
                                    column);
    }
  return TRUE;
}

/*
 * A choice_filter reads columns every choice may carry; a column no choice has is a typing
 * mistake that would silently hide every choice, so it is refused by name.
 */
static gboolean
check_choice_filter (IntakeFormLoader *loader, IntakeQuestion *q)
{
  g_autoptr(GHashTable) columns = NULL;
  g_autoptr(GList) list = NULL;

  if (q->choice_filter == NULL)
    return TRUE;
  if (q->choices == NULL || g_strcmp0 (q->kind, "acknowledge") == 0
      || g_strcmp0 (q->kind, "rank") == 0)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                "only a select_one or select_multiple has a 'choice_filter'");
  columns = g_hash_table_new (g_str_hash, g_str_equal);
  intake_expr_collect_choice_columns (q->choice_filter, columns);
  list = g_list_sort (g_hash_table_get_keys (columns), (GCompareFunc) strcmp);
  for (GList *l = list; l != NULL; l = l->next)
    {
      gboolean found = strcmp (l->data, "name") == 0;

      for (unsigned int i = 0; !found && i < q->choices->len; i++)
        {
          IntakeChoice *choice = q->choices->pdata[i];

          found = choice->filters != NULL && g_hash_table_contains (choice->filters, l->data);
        }
      if (!found)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, q->name,
                                    "choice_filter reads the column '%s', which no choice has",
                                    (const char *) l->data);
    }
  return TRUE;
}

static gboolean
parse_choices (IntakeFormLoader *loader, JsonObject *object, JsonObject *lists, IntakeQuestion *q)
{
  static const char *const allowed[] = { "name", "label", "indicator", "filters", NULL };
  JsonNode *node = json_object_get_member (object, "choices");
  JsonArray *array = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean shared = FALSE;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      /* A name of one of the form's choice_lists, as XLSForm's list_name. */
      JsonNode *list = lists != NULL ? json_object_get_member (lists, json_node_get_string (node))
                                     : NULL;

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_NO_CHOICES, q->name,
                                    "choices name the list '%s', which choice_lists does not have",
                                    json_node_get_string (node));
      array = json_node_get_array (list);
      shared = TRUE;
    }
  else if (!_intake_loader_get_array (loader, object, "choices", FALSE, q->name, &array))
    {
      return FALSE;
    }
  if (array == NULL || json_array_get_length (array) == 0)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_NO_CHOICES, q->name,
                                "%s question without choices",
                                _intake_question_type_names[q->type]);

  q->choices = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_choice_free);
  for (unsigned int i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *choice_object;
      IntakeChoice *choice;
      JsonObject *indicator_object;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                    "choice %u is not an object", i + 1);
      choice_object = json_node_get_object (element);
      if (!_intake_loader_check_members (loader, choice_object, allowed, q->name, "a choice")
          || !_intake_loader_get_string (loader, choice_object, "name", TRUE, q->name, &name))
        return FALSE;
      if (!_intake_loader_is_valid_code (name))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                                    "choice name '%s' is empty or holds spaces", name);
      if (!g_hash_table_add (seen, (gpointer) name))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, q->name,
                                    "choice '%s' appears twice", name);
      choice = g_new0 (IntakeChoice, 1);
      choice->name = g_strdup (name);
      g_ptr_array_add (q->choices, choice);
      if (!_intake_loader_get_text (loader, choice_object, "label", TRUE, q->name, &choice->label)
          || !_intake_loader_get_object (loader, choice_object, "indicator", FALSE, q->name,
                                         &indicator_object)
          || !parse_choice_filters (loader, choice_object, q, choice))
        return FALSE;
      if (indicator_object != NULL)
        {
          if (shared)
            return _intake_loader_fail (
                loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                "a shared choice list cannot carry indicators; tag the question or "
                "give it its own choices");
          if (!parse_indicator (loader, indicator_object, q->name, FALSE, &choice->indicator))
            return FALSE;
          choice->indicator->question = q;
          choice->indicator->choice = (int) i;
        }
    }
  return TRUE;
}

gboolean
_intake_loader_parse_question (IntakeFormLoader *loader, JsonNode *node, IntakeQuestion *parent,
                               JsonObject *lists, unsigned int position)
{
  static const char *const allowed[] = {
    "type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
    "calculation", "choices", "default", "read_only", "appearance", "sensitive", "indicator",
    "children", "audience", "htcds", "required_message", "parameters", "repeat_count",
    "child_label", "child_hint", "choice_filter", "dynamic_default", NULL,
  };
  IntakeForm *form = loader->form;
  const char *kind = NULL;
  JsonObject *object;
  IntakeQuestion *q;
  const char *type, *name, *appearance, *audience, *htcds;
  JsonObject *indicator_object;
  JsonNode *default_node;
  gboolean is_value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "question %u%s%s%s is not an object", position + 1,
                                parent != NULL ? " of '" : "", parent != NULL ? parent->name : "",
                                parent != NULL ? "'" : "");
  object = json_node_get_object (node);
  if (!_intake_loader_get_string (loader, object, "name", FALSE, NULL, &name))
    return FALSE;
  if (name == NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "question %u%s%s%s has no name", position + 1,
                                parent != NULL ? " of '" : "", parent != NULL ? parent->name : "",
                                parent != NULL ? "'" : "");
  if (!_intake_loader_is_valid_name (name))
    return _intake_loader_fail (
        loader, INTAKE_FORM_ERROR_MALFORMED, name,
        "a name starts with a letter or '_' and holds letters, digits, '_', '-', '.'");
  if (g_hash_table_contains (form->by_name, name))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, name,
                                "the name is used twice");
  if (form->questions->len >= INTAKE_FORM_MAX_QUESTIONS)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "more than %d questions",
                                INTAKE_FORM_MAX_QUESTIONS);
  if (!_intake_loader_check_members (loader, object, allowed, name, "a question")
      || !_intake_loader_get_string (loader, object, "type", TRUE, name, &type))
    return FALSE;

  q = g_new0 (IntakeQuestion, 1);
  q->name = g_strdup (name);
  q->fallback_language = form->default_language;
  q->index = form->questions->len;
  q->parent = parent;
  q->repeat = parent == NULL ? NULL
              : parent->type == INTAKE_QUESTION_REPEAT ? parent
                                                       : parent->repeat;
  q->value_dependents = g_ptr_array_new ();
  q->check_dependents = g_ptr_array_new ();
  g_ptr_array_add (form->questions, q);
  g_hash_table_insert (form->by_name, q->name, q);
  if (parent != NULL)
    g_ptr_array_add (parent->children, q);

  if (!parse_type (type, &q->type, &kind))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_TYPE, name, "unknown type '%s'",
                                type);
  q->kind = g_strdup (kind);
  is_value = intake_question_is_answerable (q);

  if (!_intake_loader_get_text (loader, object, "label", q->type != INTAKE_QUESTION_CALCULATE, name,
                                &q->label)
      || !_intake_loader_get_text (loader, object, "hint", FALSE, name, &q->hint)
      || !_intake_loader_get_text (loader, object, "child_label", FALSE, name, &q->child_label)
      || !_intake_loader_get_text (loader, object, "child_hint", FALSE, name, &q->child_hint)
      || !_intake_loader_get_text (loader, object, "constraint_message", FALSE, name,
                                   &q->constraint_message)
      || !_intake_loader_get_text (loader, object, "required_message", FALSE, name,
                                   &q->required_message)
      || !get_flag_or_expression (loader, object, "required", name, &q->required,
                                  &q->required_if)
      || !get_flag_or_expression (loader, object, "read_only", name, &q->read_only,
                                  &q->read_only_if)
      || !_intake_loader_parse_expression (loader, object, "repeat_count",
                                           INTAKE_EXPR_PARSE_DEFAULT, name, &q->repeat_count)
      || !_intake_loader_parse_expression (loader, object, "choice_filter",
                                           INTAKE_EXPR_PARSE_CHOICE_FILTER, name, &q->choice_filter)
      || !_intake_loader_parse_expression (loader, object, "dynamic_default",
                                           INTAKE_EXPR_PARSE_DEFAULT, name, &q->dynamic_default)
      || !get_boolean (loader, object, "sensitive", name, &q->sensitive)
      || !_intake_loader_get_string (loader, object, "appearance", FALSE, name, &appearance)
      || !_intake_loader_get_string (loader, object, "audience", FALSE, name, &audience)
      || !_intake_loader_get_string (loader, object, "htcds", FALSE, name, &htcds)
      || !_intake_loader_parse_expression (loader, object, "relevant", INTAKE_EXPR_PARSE_DEFAULT,
                                           name, &q->relevant)
      || !_intake_loader_parse_expression (loader, object, "constraint",
                                           INTAKE_EXPR_PARSE_ALLOW_DOT, name, &q->constraint)
      || !_intake_loader_parse_expression (loader, object, "calculation", INTAKE_EXPR_PARSE_DEFAULT,
                                           name, &q->calculation))
    return FALSE;
  q->appearance = g_strdup (appearance);
  /* A closed list, so that a misspelt audience cannot silently read an instruction aloud. */
  if (audience != NULL && g_strcmp0 (audience, "respondent") != 0
      && g_strcmp0 (audience, "interviewer") != 0)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "'audience' is \"respondent\" or \"interviewer\"");
  q->audience = g_strdup (audience != NULL ? audience : "respondent");
  if (htcds != NULL
      && (*htcds == '\0' || strlen (htcds) > 64 || !_intake_loader_is_valid_name (htcds)))
    return _intake_loader_fail (
        loader, INTAKE_FORM_ERROR_MALFORMED, name,
        "'htcds' is a field name of up to 64 letters, digits, '_', '-', '.'");
  q->htcds = g_strdup (htcds);

  if (q->type == INTAKE_QUESTION_CALCULATE && !is_metadata (q) && q->calculation == NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "a calculate needs a 'calculation'");
  if ((q->type != INTAKE_QUESTION_CALCULATE || is_metadata (q)) && q->calculation != NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "only a calculate has a 'calculation'");
  if (q->required_message != NULL && !q->required && q->required_if == NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "'required_message' on a question that is not required");
  if (q->repeat_count != NULL && q->type != INTAKE_QUESTION_REPEAT)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "only a repeat has a 'repeat_count'");
  if (g_strcmp0 (q->kind, "range") == 0)
    {
      if (!parse_range (loader, object, q))
        return FALSE;
    }
  else if (json_object_has_member (object, "parameters"))
    {
      return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                  "only a range has 'parameters'");
    }
  if (!is_value && (q->required || q->required_if != NULL || q->constraint != NULL))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "a %s takes no answer, so it cannot be required or constrained",
                                _intake_question_type_names[q->type]);
  if (q->constraint_message != NULL && q->constraint == NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "'constraint_message' without a 'constraint'");

  if (g_strcmp0 (q->kind, "acknowledge") == 0)
    {
      /* ODK's trigger: one button, stored as "OK" when pressed. */
      IntakeChoice *ok = g_new0 (IntakeChoice, 1);

      if (json_object_has_member (object, "choices"))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "an acknowledge has no choices");
      ok->name = g_strdup ("OK");
      ok->label = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (unsigned int i = 0; form->languages[i] != NULL; i++)
        g_hash_table_insert (ok->label, g_strdup (form->languages[i]), g_strdup ("OK"));
      q->choices = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_choice_free);
      g_ptr_array_add (q->choices, ok);
    }
  else if (q->type == INTAKE_QUESTION_SELECT_ONE || q->type == INTAKE_QUESTION_SELECT_MULTIPLE)
    {
      if (!parse_choices (loader, object, lists, q))
        return FALSE;
    }
  else if (json_object_has_member (object, "choices"))
    {
      return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "a %s has no choices",
                                  _intake_question_type_names[q->type]);
    }

  if (!check_choice_filter (loader, q)
      || !_intake_loader_get_object (loader, object, "indicator", FALSE, name, &indicator_object))
    return FALSE;
  if (indicator_object != NULL)
    {
      if (!is_value || q->type == INTAKE_QUESTION_REPEAT)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "only a question with an answer carries an indicator");
      if (!parse_indicator (loader, indicator_object, name, TRUE, &q->indicator))
        return FALSE;
      q->indicator->question = q;
      if (q->indicator->present_when == NULL && q->type != INTAKE_QUESTION_SELECT_ONE)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "indicator '%s' needs 'present_when' on a %s question",
                                    q->indicator->id, _intake_question_type_names[q->type]);
    }

  default_node = json_object_get_member (object, "default");
  if (default_node != NULL && !JSON_NODE_HOLDS_NULL (default_node))
    {
      const char *problem = NULL;

      if (!is_value || q->type == INTAKE_QUESTION_REPEAT)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "a %s has no default", _intake_question_type_names[q->type]);
      if (!_intake_question_check_value (q, default_node, &problem))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "the default is not valid: %s", problem);
      q->default_value = json_node_copy (default_node);
    }
  if (q->dynamic_default != NULL)
    {
      /* One default per question: a fixed one is shown while unanswered, an expression is
       * stored as the answer, and the two cannot both hold. */
      if (!is_value || q->type == INTAKE_QUESTION_REPEAT)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "a %s has no default", _intake_question_type_names[q->type]);
      if (q->default_value != NULL)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "both 'default' and 'dynamic_default'; give one");
    }

  if (q->type == INTAKE_QUESTION_GROUP || q->type == INTAKE_QUESTION_REPEAT)
    {
      JsonArray *children;

      if (!_intake_loader_get_array (loader, object, "children", TRUE, name, &children))
        return FALSE;
      if (json_array_get_length (children) == 0)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                    "a %s without children", _intake_question_type_names[q->type]);
      if (q->type == INTAKE_QUESTION_REPEAT)
        {
          /* A repeat may hold repeats (households → members), to a bounded depth. */
          unsigned int depth = 1;

          for (const IntakeQuestion *r = q->repeat; r != NULL; r = r->repeat)
            depth++;
          if (depth > INTAKE_FORM_MAX_REPEAT_DEPTH)
            return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                        "repeats nested more than %d deep",
                                        INTAKE_FORM_MAX_REPEAT_DEPTH);
        }
      q->children = g_ptr_array_new ();
      for (unsigned int i = 0; i < json_array_get_length (children); i++)
        if (!_intake_loader_parse_question (loader, json_array_get_element (children, i), q, lists,
                                            i))
          return FALSE;
    }
  else if (json_object_has_member (object, "children"))
    {
      return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                  "only a group or repeat has children");
    }

  if (q->indicator != NULL && q->repeat != NULL)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                                "indicators inside a repeat are not scored; move the question out");
  if (q->choices != NULL && q->repeat != NULL)
    for (unsigned int i = 0; i < q->choices->len; i++)
      if (((IntakeChoice *) q->choices->pdata[i])->indicator != NULL)
        return _intake_loader_fail (
            loader, INTAKE_FORM_ERROR_MALFORMED, name,
            "indicators inside a repeat are not scored; move the question out");
  return TRUE;
}

