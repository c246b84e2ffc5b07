/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-form-private.h"
#include "intake-json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (intake-form-error-quark, intake_form_error)

struct _IntakeForm
{
  GObject parent_instance;

  char *id;
  gint64 version;
  IntakeText *title;
  char *default_language;
  GStrv languages;
  GPtrArray *questions; /* IntakeQuestion, owned, document order. */
  GPtrArray *order;     /* Borrowed, topological order. */
  GHashTable *by_name;  /* name → IntakeQuestion, borrowed. */
  IntakeScoring *scoring;
  IntakeExpr *child_when; /* Questions' child_label and child_hint apply while it holds. */
};

G_DEFINE_FINAL_TYPE (IntakeForm, intake_form, G_TYPE_OBJECT)

const char *const _intake_levels[] = {
  "likely_trafficking",
  "likely_forced_labour",
  "exploitation",
  "inconclusive",
  "insufficient_answers",
  "not_screened",
  "no_indicators",
  NULL,
};

static const char *const type_names[] = {
  [INTAKE_QUESTION_TEXT] = "text",
  [INTAKE_QUESTION_INTEGER] = "integer",
  [INTAKE_QUESTION_DECIMAL] = "decimal",
  [INTAKE_QUESTION_DATE] = "date",
  [INTAKE_QUESTION_SELECT_ONE] = "select_one",
  [INTAKE_QUESTION_SELECT_MULTIPLE] = "select_multiple",
  [INTAKE_QUESTION_NOTE] = "note",
  [INTAKE_QUESTION_CALCULATE] = "calculate",
  [INTAKE_QUESTION_GROUP] = "group",
  [INTAKE_QUESTION_REPEAT] = "repeat",
};

/* ------------------------------------------------------------------------------------------ */
/* Freeing                                                                                     */

static void
indicator_free (IntakeIndicator *indicator)
{
  if (indicator == NULL)
    return;
  g_free (indicator->id);
  g_free (indicator->dimension);
  g_clear_pointer (&indicator->present_when, intake_expr_free);
  g_strfreev (indicator->tags);
  g_free (indicator);
}

static void
choice_free (IntakeChoice *choice)
{
  g_free (choice->name);
  g_clear_pointer (&choice->label, g_hash_table_unref);
  indicator_free (choice->indicator);
  g_clear_pointer (&choice->filters, g_hash_table_unref);
  g_free (choice);
}

static void
question_free (IntakeQuestion *q)
{
  g_free (q->name);
  g_clear_pointer (&q->label, g_hash_table_unref);
  g_clear_pointer (&q->hint, g_hash_table_unref);
  g_clear_pointer (&q->child_label, g_hash_table_unref);
  g_clear_pointer (&q->child_hint, g_hash_table_unref);
  g_clear_pointer (&q->constraint_message, g_hash_table_unref);
  g_free (q->appearance);
  g_free (q->audience);
  g_free (q->htcds);
  g_clear_pointer (&q->relevant, intake_expr_free);
  g_clear_pointer (&q->constraint, intake_expr_free);
  g_clear_pointer (&q->calculation, intake_expr_free);
  g_free (q->kind);
  g_clear_pointer (&q->required_message, g_hash_table_unref);
  g_clear_pointer (&q->required_if, intake_expr_free);
  g_clear_pointer (&q->read_only_if, intake_expr_free);
  g_clear_pointer (&q->repeat_count, intake_expr_free);
  g_clear_pointer (&q->choice_filter, intake_expr_free);
  g_clear_pointer (&q->dynamic_default, intake_expr_free);
  g_clear_pointer (&q->default_value, json_node_unref);
  g_clear_pointer (&q->choices, g_ptr_array_unref);
  indicator_free (q->indicator);
  g_clear_pointer (&q->children, g_ptr_array_unref);
  g_clear_pointer (&q->value_dependents, g_ptr_array_unref);
  g_clear_pointer (&q->check_dependents, g_ptr_array_unref);
  g_free (q);
}

static void
named_text_free (IntakeNamedText *named)
{
  g_free (named->id);
  g_clear_pointer (&named->label, g_hash_table_unref);
  g_free (named);
}

static void
rule_free (IntakeRule *rule)
{
  g_free (rule->id);
  g_free (rule->level);
  g_clear_pointer (&rule->when, intake_expr_free);
  g_clear_pointer (&rule->label, g_hash_table_unref);
  g_strfreev (rule->referrals);
  g_free (rule);
}

static void
scoring_free (IntakeScoring *scoring)
{
  if (scoring == NULL)
    return;
  g_clear_pointer (&scoring->dimensions, g_ptr_array_unref);
  g_clear_pointer (&scoring->thresholds, g_array_unref);
  g_free (scoring->unsure_value);
  g_free (scoring->yes_value);
  g_free (scoring->no_value);
  g_clear_pointer (&scoring->rules, g_ptr_array_unref);
  g_clear_pointer (&scoring->urgent, g_ptr_array_unref);
  g_clear_pointer (&scoring->referrals, g_ptr_array_unref);
  g_clear_pointer (&scoring->levels, g_hash_table_unref);
  g_free (scoring->default_level);
  g_clear_pointer (&scoring->disclaimer, g_hash_table_unref);
  g_clear_pointer (&scoring->indicators, g_ptr_array_unref);
  g_free (scoring);
}

static void
intake_form_finalize (GObject *object)
{
  IntakeForm *self = INTAKE_FORM (object);

  g_free (self->id);
  g_clear_pointer (&self->title, g_hash_table_unref);
  g_free (self->default_language);
  g_strfreev (self->languages);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->questions, g_ptr_array_unref);
  g_clear_pointer (&self->scoring, scoring_free);
  g_clear_pointer (&self->child_when, intake_expr_free);

  G_OBJECT_CLASS (intake_form_parent_class)->finalize (object);
}

static void
intake_form_class_init (IntakeFormClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_form_finalize;
}

static void
intake_form_init (IntakeForm *self)
{
  self->questions = g_ptr_array_new_with_free_func ((GDestroyNotify) question_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                     */

typedef struct
{
  IntakeForm *form;
  IntakeFormLoadFlags flags;
  GError **error;
  /* What a name in a refusal is: a question, or in the scoring section a rule, a level… */
  const char *kind;
} Loader;

/* Every refusal names the form and, where there is one, the question. */
G_GNUC_PRINTF (4, 5)
static gboolean
fail (Loader *loader, IntakeFormError code, const char *question, const char *format, ...)
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

static gboolean
is_valid_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_' || *p == '-' || *p == '.'))
      return FALSE;
  return strlen (name) <= 128;
}

/* Choice names and codes may not hold spaces: select_multiple answers are joined by spaces. */
static gboolean
is_valid_code (const char *code)
{
  if (code == NULL || *code == '\0' || strlen (code) > 128)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* Members starting with "_" are comments and are ignored; any other unknown member is a typo. */
static gboolean
check_members (Loader *loader, JsonObject *object, const char *const *allowed,
               const char *question, const char *what)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    {
      if (member[0] == '_' || g_strv_contains (allowed, member))
        continue;
      return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "unknown member '%s' in %s",
                   member, what);
    }
  return TRUE;
}

static gboolean
get_string (Loader *loader, JsonObject *object, const char *member, gboolean required,
            const char *question, const char **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' is missing", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' must be a string", member);
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_boolean (Loader *loader, JsonObject *object, const char *member, const char *question,
             gboolean *out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' must be true or false",
                 member);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_object (Loader *loader, JsonObject *object, const char *member, gboolean required,
            const char *question, JsonObject **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' is missing", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' must be an object", member);
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
get_array (Loader *loader, JsonObject *object, const char *member, gboolean required,
           const char *question, JsonArray **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' is missing", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "'%s' must be an array", member);
  *out = json_node_get_array (node);
  return TRUE;
}

/*
 * Reads a per-language text.  Every language must be declared; every declared language must
 * be present unless the caller allowed incomplete translations, and even then the default
 * language must be.
 */
static gboolean
get_text (Loader *loader, JsonObject *object, const char *member, gboolean required,
          const char *question, IntakeText **out)
{
  JsonObject *text = NULL;
  JsonObjectIter iter;
  const char *language;
  JsonNode *node;
  g_autoptr(GHashTable) result = NULL;
  const char *where = question;

  *out = NULL;
  if (!get_object (loader, object, member, required, where, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;

  result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  json_object_iter_init (&iter, text);
  while (json_object_iter_next (&iter, &language, &node))
    {
      if (!g_strv_contains ((const char *const *) loader->form->languages, language))
        return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE, where,
                     "'%s' has text in '%s', which the form does not declare", member, language);
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, where, "'%s' in '%s' must be a string",
                     member, language);
      if (*json_node_get_string (node) == '\0')
        return fail (loader, INTAKE_FORM_ERROR_MISSING_TRANSLATION, where,
                     "'%s' in '%s' is empty", member, language);
      g_hash_table_insert (result, g_strdup (language), g_strdup (json_node_get_string (node)));
    }
  for (size_t i = 0; loader->form->languages[i] != NULL; i++)
    {
      const char *declared = loader->form->languages[i];
      gboolean needed = !(loader->flags & INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS)
                        || strcmp (declared, loader->form->default_language) == 0;

      if (needed && !g_hash_table_contains (result, declared))
        return fail (loader, INTAKE_FORM_ERROR_MISSING_TRANSLATION, where,
                     "'%s' has no text in '%s'", member, declared);
    }
  *out = g_steal_pointer (&result);
  return TRUE;
}

static gboolean
parse_expression (Loader *loader, JsonObject *object, const char *member,
                  IntakeExprParseFlags flags, const char *question, IntakeExpr **out)
{
  const char *source;
  g_autoptr(GError) local_error = NULL;

  *out = NULL;
  if (!get_string (loader, object, member, FALSE, question, &source))
    return FALSE;
  if (source == NULL)
    return TRUE;
  *out = intake_expr_parse (source, flags, &local_error);
  if (*out == NULL)
    return fail (loader, INTAKE_FORM_ERROR_EXPRESSION, question, "%s: %s", member,
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
  for (size_t i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      if (strcmp (type_names[i], name) == 0)
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
get_flag_or_expression (Loader *loader, JsonObject *object, const char *member,
                        const char *question, gboolean *flag, IntakeExpr **expr)
{
  JsonNode *node = json_object_get_member (object, member);

  *expr = NULL;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *flag = FALSE;
      return parse_expression (loader, object, member, INTAKE_EXPR_PARSE_DEFAULT, question, expr);
    }
  if (!get_boolean (loader, object, member, question, flag))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                 "'%s' must be true, false or an expression", member);
  return TRUE;
}

/* A range's "parameters": {"start", "end", "step"}, numbers, step > 0 and end reachable. */
static gboolean
parse_range (Loader *loader, JsonObject *object, IntakeQuestion *q)
{
  static const char *const allowed[] = { "start", "end", "step", NULL };
  JsonObject *parameters;
  const char *names[] = { "start", "end", "step" };
  double *slots[] = { &q->range_start, &q->range_end, &q->range_step };

  if (!get_object (loader, object, "parameters", TRUE, q->name, &parameters)
      || !check_members (loader, parameters, allowed, q->name, "a range's parameters"))
    return FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (parameters, names[i]);
      GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                                : G_TYPE_INVALID;

      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                     "a range needs the number '%s' in its parameters", names[i]);
      *slots[i] = json_node_get_double (node);
      if (!isfinite (*slots[i]))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name, "'%s' is not finite",
                     names[i]);
    }
  if (q->range_step <= 0 || q->range_start == q->range_end
      || (q->range_end - q->range_start) / q->range_step > 1e6
      || (q->range_end - q->range_start) / q->range_step < -1e6)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                 "a range needs start and end apart and a positive step that fits between them "
                 "at most a million times");
  return TRUE;
}

static gboolean
parse_indicator (Loader *loader, JsonObject *object, const char *question,
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
  if (!check_members (loader, object, allowed, question, "an indicator")
      || !get_string (loader, object, "id", TRUE, question, &id)
      || !get_string (loader, object, "dimension", TRUE, question, &dimension)
      || !get_string (loader, object, "strength", TRUE, question, &strength)
      || !get_array (loader, object, "tags", FALSE, question, &tag_array))
    return FALSE;
  if (scoring == NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                 "indicator '%s' but the form has no scoring section", id);
  if (_intake_scoring_lookup (scoring->dimensions, dimension) == NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                 "indicator '%s' names dimension '%s', which scoring does not declare", id,
                 dimension);
  if (!is_valid_code (id))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question, "indicator id '%s' is not valid",
                 id);
  for (unsigned int i = 0; tag_array != NULL && i < json_array_get_length (tag_array); i++)
    {
      JsonNode *tag = json_array_get_element (tag_array, i);

      if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING
          || !is_valid_code (json_node_get_string (tag)))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
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
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                 "indicator '%s': strength must be strong, medium or weak, not '%s'", id,
                 strength);
  if (!get_boolean (loader, object, "reverse", question, &indicator->reverse))
    return FALSE;
  if (!allow_condition && json_object_has_member (object, "present_when"))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, question,
                 "indicator '%s': a choice's indicator is present when it is chosen; "
                 "'present_when' belongs on a question's indicator", id);
  if (!parse_expression (loader, object, "present_when", INTAKE_EXPR_PARSE_ALLOW_DOT, question,
                         &indicator->present_when))
    return FALSE;
  return TRUE;
}

/*
 * A choice's further columns, which a choice_filter reads by bare name: "filters":
 * {"country": "ID"}.  Values are strings (a number is kept as its text), as the cells of
 * XLSForm's choices sheet are.
 */
static gboolean
parse_choice_filters (Loader *loader, JsonObject *choice_object, IntakeQuestion *q,
                      IntakeChoice *choice)
{
  JsonObject *filters;
  g_autoptr(GList) members = NULL;

  if (!get_object (loader, choice_object, "filters", FALSE, q->name, &filters))
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
      if (!is_valid_name (column) || strcmp (column, "name") == 0
          || strcmp (column, "label") == 0)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                     "choice '%s': '%s' cannot be a filter column", choice->name, column);
      if (type == G_TYPE_STRING)
        g_hash_table_insert (choice->filters, g_strdup (column),
                             g_strdup (json_node_get_string (value)));
      else if (type == G_TYPE_INT64)
        g_hash_table_insert (choice->filters, g_strdup (column),
                             g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value)));
      else
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                     "choice '%s': filter column '%s' is text", choice->name, column);
    }
  return TRUE;
}

/*
 * A choice_filter reads columns every choice may carry; a column no choice has is a typing
 * mistake that would silently hide every choice, so it is refused by name.
 */
static gboolean
check_choice_filter (Loader *loader, IntakeQuestion *q)
{
  g_autoptr(GHashTable) columns = NULL;
  g_autoptr(GList) list = NULL;

  if (q->choice_filter == NULL)
    return TRUE;
  if (q->choices == NULL || g_strcmp0 (q->kind, "acknowledge") == 0
      || g_strcmp0 (q->kind, "rank") == 0)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
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
        return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, q->name,
                     "choice_filter reads the column '%s', which no choice has",
                     (const char *) l->data);
    }
  return TRUE;
}

static gboolean
parse_choices (Loader *loader, JsonObject *object, JsonObject *lists, IntakeQuestion *q)
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
        return fail (loader, INTAKE_FORM_ERROR_NO_CHOICES, q->name,
                     "choices name the list '%s', which choice_lists does not have",
                     json_node_get_string (node));
      array = json_node_get_array (list);
      shared = TRUE;
    }
  else if (!get_array (loader, object, "choices", FALSE, q->name, &array))
    {
      return FALSE;
    }
  if (array == NULL || json_array_get_length (array) == 0)
    return fail (loader, INTAKE_FORM_ERROR_NO_CHOICES, q->name, "%s question without choices",
                 type_names[q->type]);

  q->choices = g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);
  for (unsigned int i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *choice_object;
      IntakeChoice *choice;
      JsonObject *indicator_object;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name, "choice %u is not an object",
                     i + 1);
      choice_object = json_node_get_object (element);
      if (!check_members (loader, choice_object, allowed, q->name, "a choice")
          || !get_string (loader, choice_object, "name", TRUE, q->name, &name))
        return FALSE;
      if (!is_valid_code (name))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                     "choice name '%s' is empty or holds spaces", name);
      if (!g_hash_table_add (seen, (gpointer) name))
        return fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, q->name,
                     "choice '%s' appears twice", name);
      choice = g_new0 (IntakeChoice, 1);
      choice->name = g_strdup (name);
      g_ptr_array_add (q->choices, choice);
      if (!get_text (loader, choice_object, "label", TRUE, q->name, &choice->label)
          || !get_object (loader, choice_object, "indicator", FALSE, q->name, &indicator_object)
          || !parse_choice_filters (loader, choice_object, q, choice))
        return FALSE;
      if (indicator_object != NULL)
        {
          if (shared)
            return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
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

static gboolean check_value (const IntakeQuestion *q, JsonNode *value, const char **problem);

static gboolean
parse_question (Loader *loader, JsonNode *node, IntakeQuestion *parent, JsonObject *lists,
                unsigned int position)
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
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                 "question %u%s%s%s is not an object", position + 1,
                 parent != NULL ? " of '" : "", parent != NULL ? parent->name : "",
                 parent != NULL ? "'" : "");
  object = json_node_get_object (node);
  if (!get_string (loader, object, "name", FALSE, NULL, &name))
    return FALSE;
  if (name == NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "question %u%s%s%s has no name",
                 position + 1, parent != NULL ? " of '" : "", parent != NULL ? parent->name : "",
                 parent != NULL ? "'" : "");
  if (!is_valid_name (name))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "a name starts with a letter or '_' and holds letters, digits, '_', '-', '.'");
  if (g_hash_table_contains (form->by_name, name))
    return fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, name, "the name is used twice");
  if (form->questions->len >= INTAKE_FORM_MAX_QUESTIONS)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "more than %d questions",
                 INTAKE_FORM_MAX_QUESTIONS);
  if (!check_members (loader, object, allowed, name, "a question")
      || !get_string (loader, object, "type", TRUE, name, &type))
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
    return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_TYPE, name, "unknown type '%s'", type);
  q->kind = g_strdup (kind);
  is_value = intake_question_is_answerable (q);

  if (!get_text (loader, object, "label", q->type != INTAKE_QUESTION_CALCULATE, name, &q->label)
      || !get_text (loader, object, "hint", FALSE, name, &q->hint)
      || !get_text (loader, object, "child_label", FALSE, name, &q->child_label)
      || !get_text (loader, object, "child_hint", FALSE, name, &q->child_hint)
      || !get_text (loader, object, "constraint_message", FALSE, name, &q->constraint_message)
      || !get_text (loader, object, "required_message", FALSE, name, &q->required_message)
      || !get_flag_or_expression (loader, object, "required", name, &q->required,
                                  &q->required_if)
      || !get_flag_or_expression (loader, object, "read_only", name, &q->read_only,
                                  &q->read_only_if)
      || !parse_expression (loader, object, "repeat_count", INTAKE_EXPR_PARSE_DEFAULT, name,
                            &q->repeat_count)
      || !parse_expression (loader, object, "choice_filter", INTAKE_EXPR_PARSE_CHOICE_FILTER,
                            name, &q->choice_filter)
      || !parse_expression (loader, object, "dynamic_default", INTAKE_EXPR_PARSE_DEFAULT, name,
                            &q->dynamic_default)
      || !get_boolean (loader, object, "sensitive", name, &q->sensitive)
      || !get_string (loader, object, "appearance", FALSE, name, &appearance)
      || !get_string (loader, object, "audience", FALSE, name, &audience)
      || !get_string (loader, object, "htcds", FALSE, name, &htcds)
      || !parse_expression (loader, object, "relevant", INTAKE_EXPR_PARSE_DEFAULT, name,
                            &q->relevant)
      || !parse_expression (loader, object, "constraint", INTAKE_EXPR_PARSE_ALLOW_DOT, name,
                            &q->constraint)
      || !parse_expression (loader, object, "calculation", INTAKE_EXPR_PARSE_DEFAULT, name,
                            &q->calculation))
    return FALSE;
  q->appearance = g_strdup (appearance);
  /* A closed list, so that a misspelt audience cannot silently read an instruction aloud. */
  if (audience != NULL && g_strcmp0 (audience, "respondent") != 0
      && g_strcmp0 (audience, "interviewer") != 0)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "'audience' is \"respondent\" or \"interviewer\"");
  q->audience = g_strdup (audience != NULL ? audience : "respondent");
  if (htcds != NULL && (*htcds == '\0' || strlen (htcds) > 64 || !is_valid_name (htcds)))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "'htcds' is a field name of up to 64 letters, digits, '_', '-', '.'");
  q->htcds = g_strdup (htcds);

  if (q->type == INTAKE_QUESTION_CALCULATE && !is_metadata (q) && q->calculation == NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "a calculate needs a 'calculation'");
  if ((q->type != INTAKE_QUESTION_CALCULATE || is_metadata (q)) && q->calculation != NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "only a calculate has a 'calculation'");
  if (q->required_message != NULL && !q->required && q->required_if == NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "'required_message' on a question that is not required");
  if (q->repeat_count != NULL && q->type != INTAKE_QUESTION_REPEAT)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "only a repeat has a 'repeat_count'");
  if (g_strcmp0 (q->kind, "range") == 0)
    {
      if (!parse_range (loader, object, q))
        return FALSE;
    }
  else if (json_object_has_member (object, "parameters"))
    {
      return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "only a range has 'parameters'");
    }
  if (!is_value && (q->required || q->required_if != NULL || q->constraint != NULL))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "a %s takes no answer, so it cannot be required or constrained",
                 type_names[q->type]);
  if (q->constraint_message != NULL && q->constraint == NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "'constraint_message' without a 'constraint'");

  if (g_strcmp0 (q->kind, "acknowledge") == 0)
    {
      /* ODK's trigger: one button, stored as "OK" when pressed. */
      IntakeChoice *ok = g_new0 (IntakeChoice, 1);

      if (json_object_has_member (object, "choices"))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "an acknowledge has no choices");
      ok->name = g_strdup ("OK");
      ok->label = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (unsigned int i = 0; form->languages[i] != NULL; i++)
        g_hash_table_insert (ok->label, g_strdup (form->languages[i]), g_strdup ("OK"));
      q->choices = g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);
      g_ptr_array_add (q->choices, ok);
    }
  else if (q->type == INTAKE_QUESTION_SELECT_ONE || q->type == INTAKE_QUESTION_SELECT_MULTIPLE)
    {
      if (!parse_choices (loader, object, lists, q))
        return FALSE;
    }
  else if (json_object_has_member (object, "choices"))
    {
      return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "a %s has no choices",
                   type_names[q->type]);
    }

  if (!check_choice_filter (loader, q)
      || !get_object (loader, object, "indicator", FALSE, name, &indicator_object))
    return FALSE;
  if (indicator_object != NULL)
    {
      if (!is_value || q->type == INTAKE_QUESTION_REPEAT)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                     "only a question with an answer carries an indicator");
      if (!parse_indicator (loader, indicator_object, name, TRUE, &q->indicator))
        return FALSE;
      q->indicator->question = q;
      if (q->indicator->present_when == NULL && q->type != INTAKE_QUESTION_SELECT_ONE)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                     "indicator '%s' needs 'present_when' on a %s question", q->indicator->id,
                     type_names[q->type]);
    }

  default_node = json_object_get_member (object, "default");
  if (default_node != NULL && !JSON_NODE_HOLDS_NULL (default_node))
    {
      const char *problem = NULL;

      if (!is_value || q->type == INTAKE_QUESTION_REPEAT)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "a %s has no default",
                     type_names[q->type]);
      if (!check_value (q, default_node, &problem))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "the default is not valid: %s",
                     problem);
      q->default_value = json_node_copy (default_node);
    }
  if (q->dynamic_default != NULL)
    {
      /* One default per question: a fixed one is shown while unanswered, an expression is
       * stored as the answer, and the two cannot both hold. */
      if (!is_value || q->type == INTAKE_QUESTION_REPEAT)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "a %s has no default",
                     type_names[q->type]);
      if (q->default_value != NULL)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                     "both 'default' and 'dynamic_default'; give one");
      /* An inner entry is added by the window through its enclosing entries; nothing evaluates
       * a default there yet, and a default left out silently would change the form. */
      if (q->repeat != NULL && q->repeat->repeat != NULL)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                     "a dynamic_default inside a repeat that is inside another repeat is not "
                     "supported yet; give the question a calculation, or move it to the outer "
                     "repeat");
    }

  if (q->type == INTAKE_QUESTION_GROUP || q->type == INTAKE_QUESTION_REPEAT)
    {
      JsonArray *children;

      if (!get_array (loader, object, "children", TRUE, name, &children))
        return FALSE;
      if (json_array_get_length (children) == 0)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "a %s without children",
                     type_names[q->type]);
      if (q->type == INTAKE_QUESTION_REPEAT)
        {
          /* A repeat may hold repeats (households → members), to a bounded depth. */
          unsigned int depth = 1;

          for (const IntakeQuestion *r = q->repeat; r != NULL; r = r->repeat)
            depth++;
          if (depth > INTAKE_FORM_MAX_REPEAT_DEPTH)
            return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                         "repeats nested more than %d deep", INTAKE_FORM_MAX_REPEAT_DEPTH);
        }
      q->children = g_ptr_array_new ();
      for (unsigned int i = 0; i < json_array_get_length (children); i++)
        if (!parse_question (loader, json_array_get_element (children, i), q, lists, i))
          return FALSE;
    }
  else if (json_object_has_member (object, "children"))
    {
      return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                   "only a group or repeat has children");
    }

  if (q->indicator != NULL && q->repeat != NULL)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                 "indicators inside a repeat are not scored; move the question out");
  if (q->choices != NULL && q->repeat != NULL)
    for (unsigned int i = 0; i < q->choices->len; i++)
      if (((IntakeChoice *) q->choices->pdata[i])->indicator != NULL)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name,
                     "indicators inside a repeat are not scored; move the question out");
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Scoring section                                                                             */

static gboolean
parse_named_list (Loader *loader, JsonObject *object, const char *member, const char *kind,
                  gboolean required, GPtrArray **out)
{
  static const char *const allowed[] = { "id", "label", NULL };
  JsonArray *array;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  *out = g_ptr_array_new_with_free_func ((GDestroyNotify) named_text_free);
  if (!get_array (loader, object, member, required, NULL, &array))
    return FALSE;
  for (unsigned int i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("scoring %s %u", member, i + 1);
      IntakeNamedText *named;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "%s is not an object", where);
      if (!check_members (loader, json_node_get_object (element), allowed, NULL, where)
          || !get_string (loader, json_node_get_object (element), "id", TRUE, NULL, &id))
        return FALSE;
      if (!is_valid_code (id) || !g_hash_table_add (seen, (gpointer) id))
        return fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, NULL,
                     "%s: id '%s' is empty, holds spaces or is used twice", where, id);
      named = g_new0 (IntakeNamedText, 1);
      named->id = g_strdup (id);
      g_ptr_array_add (*out, named);
      loader->kind = kind;
      if (!get_text (loader, json_node_get_object (element), "label", TRUE, id, &named->label))
        return FALSE;
      loader->kind = NULL;
    }
  return TRUE;
}

static gboolean
parse_scoring_head (Loader *loader, JsonObject *object)
{
  static const char *const allowed[] = {
    "dimensions", "thresholds", "missing_ratio", "missing_min", "unsure_value", "yes_value",
    "no_value", "levels", "default_level", "rules", "urgent", "referrals", "disclaimer", NULL,
  };
  IntakeScoring *scoring = g_new0 (IntakeScoring, 1);
  JsonArray *thresholds;
  JsonNode *ratio;
  JsonNode *min;
  const char *value;

  loader->form->scoring = scoring;
  scoring->thresholds = g_array_new (FALSE, TRUE, sizeof (IntakeThreshold));
  scoring->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  scoring->urgent = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  scoring->levels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_hash_table_unref);
  scoring->indicators = g_ptr_array_new ();
  scoring->missing_ratio = 0.5;
  scoring->missing_min = 1;

  if (!check_members (loader, object, allowed, NULL, "scoring")
      || !parse_named_list (loader, object, "dimensions", "dimension", TRUE,
                            &scoring->dimensions)
      || !parse_named_list (loader, object, "referrals", "referral", FALSE,
                            &scoring->referrals)
      || !get_array (loader, object, "thresholds", TRUE, NULL, &thresholds)
      || !get_text (loader, object, "disclaimer", TRUE, NULL, &scoring->disclaimer))
    return FALSE;

  for (unsigned int i = 0; i < json_array_get_length (thresholds); i++)
    {
      static const char *const names[] = { "strong", "medium", "weak", NULL };
      JsonNode *element = json_array_get_element (thresholds, i);
      IntakeThreshold threshold = { 0, 0, 0 };
      int *counts[] = { &threshold.strong, &threshold.medium, &threshold.weak };

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                     "scoring threshold %u must be an object of strong, medium and weak counts",
                     i + 1);
      if (!check_members (loader, json_node_get_object (element), names, NULL,
                          "a scoring threshold"))
        return FALSE;
      for (int k = 0; names[k] != NULL; k++)
        {
          JsonNode *count = json_object_get_member (json_node_get_object (element), names[k]);

          if (count == NULL)
            continue;
          if (!JSON_NODE_HOLDS_VALUE (count) || json_node_get_value_type (count) != G_TYPE_INT64
              || json_node_get_int (count) < 0 || json_node_get_int (count) > 100)
            return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                         "scoring threshold %u: '%s' must be a count from 0 to 100", i + 1,
                         names[k]);
          *counts[k] = (int) json_node_get_int (count);
        }
      if (threshold.strong + threshold.medium + threshold.weak == 0)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                     "scoring threshold %u would be met by nothing at all", i + 1);
      g_array_append_val (scoring->thresholds, threshold);
    }
  if (scoring->thresholds->len == 0)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "scoring has no thresholds");

  ratio = json_object_get_member (object, "missing_ratio");
  if (ratio != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (ratio)
          || (json_node_get_value_type (ratio) != G_TYPE_DOUBLE
              && json_node_get_value_type (ratio) != G_TYPE_INT64)
          || json_node_get_double (ratio) <= 0.0 || json_node_get_double (ratio) > 1.0)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                     "scoring missing_ratio must be a number above 0 and at most 1");
      scoring->missing_ratio = json_node_get_double (ratio);
    }
  min = json_object_get_member (object, "missing_min");
  if (min != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (min) || json_node_get_value_type (min) != G_TYPE_INT64
          || json_node_get_int (min) < 1 || json_node_get_int (min) > 100)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                     "scoring missing_min must be a whole number from 1 to 100");
      scoring->missing_min = (int) json_node_get_int (min);
    }

  if (!get_string (loader, object, "unsure_value", FALSE, NULL, &value))
    return FALSE;
  scoring->unsure_value = g_strdup (value != NULL ? value : "unsure");
  if (!get_string (loader, object, "yes_value", FALSE, NULL, &value))
    return FALSE;
  scoring->yes_value = g_strdup (value != NULL ? value : "yes");
  if (!get_string (loader, object, "no_value", FALSE, NULL, &value))
    return FALSE;
  scoring->no_value = g_strdup (value != NULL ? value : "no");
  if (!get_string (loader, object, "default_level", FALSE, NULL, &value))
    return FALSE;
  scoring->default_level = g_strdup (value != NULL ? value : "no_indicators");
  return TRUE;
}

static gboolean
check_level_label (Loader *loader, const char *level, const char *name)
{
  IntakeScoring *scoring = loader->form->scoring;

  if (!g_strv_contains (_intake_levels, level))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "unknown level '%s'", level);
  if (!g_hash_table_contains (scoring->levels, level))
    return fail (loader, INTAKE_FORM_ERROR_MISSING_TRANSLATION, name,
                 "level '%s' has no label in scoring levels", level);
  return TRUE;
}

static gboolean
check_references (Loader *loader, IntakeExpr *expr, const IntakeQuestion *reader,
                  const char *reader_name, const char *member);

static gboolean
parse_rules (Loader *loader, JsonObject *object, const char *member, gboolean urgent)
{
  static const char *const allowed[] = { "id", "level", "when", "label", "referrals", NULL };
  IntakeScoring *scoring = loader->form->scoring;
  GPtrArray *rules = urgent ? scoring->urgent : scoring->rules;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (!get_array (loader, object, member, !urgent, NULL, &array))
    return FALSE;
  for (unsigned int i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("scoring %s %u", member, i + 1);
      JsonObject *rule_object;
      JsonArray *referrals;
      IntakeRule *rule;
      const char *id, *level;
      g_autoptr(GPtrArray) referral_ids = g_ptr_array_new_with_free_func (g_free);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "%s is not an object", where);
      rule_object = json_node_get_object (element);
      if (!check_members (loader, rule_object, allowed, NULL, where)
          || !get_string (loader, rule_object, "id", TRUE, NULL, &id)
          || !get_string (loader, rule_object, "level", !urgent, NULL, &level)
          || !get_array (loader, rule_object, "referrals", FALSE, NULL, &referrals))
        return FALSE;
      if (!is_valid_code (id) || !g_hash_table_add (seen, (gpointer) id))
        return fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, NULL,
                     "%s: id '%s' is empty, holds spaces or is used twice", where, id);
      loader->kind = urgent ? "urgent rule" : "rule";
      if (urgent && level != NULL)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, id, "an urgent rule has no level");
      if (level != NULL && !check_level_label (loader, level, id))
        return FALSE;

      rule = g_new0 (IntakeRule, 1);
      rule->id = g_strdup (id);
      rule->level = g_strdup (level);
      g_ptr_array_add (rules, rule);
      if (!get_text (loader, rule_object, "label", TRUE, id, &rule->label)
          || !parse_expression (loader, rule_object, "when", INTAKE_EXPR_PARSE_SCORING, id,
                                &rule->when))
        return FALSE;
      if (rule->when == NULL)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, id, "'when' is missing");
      if (!check_references (loader, rule->when, NULL, id, "when"))
        return FALSE;
      for (unsigned int k = 0; referrals != NULL && k < json_array_get_length (referrals); k++)
        {
          JsonNode *ref = json_array_get_element (referrals, k);

          if (!JSON_NODE_HOLDS_VALUE (ref) || json_node_get_value_type (ref) != G_TYPE_STRING
              || _intake_scoring_lookup (scoring->referrals, json_node_get_string (ref)) == NULL)
            return fail (loader, INTAKE_FORM_ERROR_MALFORMED, id,
                         "referral %u is not one of scoring referrals", k + 1);
          g_ptr_array_add (referral_ids, g_strdup (json_node_get_string (ref)));
        }
      g_ptr_array_add (referral_ids, NULL);
      rule->referrals = (GStrv) g_ptr_array_free (g_steal_pointer (&referral_ids), FALSE);
      loader->kind = NULL;
    }
  return TRUE;
}

static gboolean
parse_scoring_tail (Loader *loader, JsonObject *object)
{
  IntakeScoring *scoring = loader->form->scoring;
  JsonObject *levels;
  JsonObjectIter iter;
  const char *level;
  JsonNode *node;

  if (!get_object (loader, object, "levels", TRUE, NULL, &levels))
    return FALSE;
  json_object_iter_init (&iter, levels);
  while (json_object_iter_next (&iter, &level, &node))
    {
      IntakeText *text;

      loader->kind = "level";
      if (!g_strv_contains (_intake_levels, level))
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, level, "unknown level");
      if (!get_text (loader, levels, level, TRUE, level, &text))
        return FALSE;
      g_hash_table_insert (scoring->levels, g_strdup (level), text);
    }
  loader->kind = "scoring";
  if (!check_level_label (loader, scoring->default_level, "default_level"))
    return FALSE;
  loader->kind = NULL;
  if (!parse_rules (loader, object, "rules", FALSE)
      || !parse_rules (loader, object, "urgent", TRUE))
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* References and the dependency graph                                                         */

/* Whether @repeat is @inner or holds it (at any depth). */
static gboolean
repeat_holds (const IntakeQuestion *repeat, const IntakeQuestion *inner)
{
  for (const IntakeQuestion *r = inner; r != NULL; r = r->repeat)
    if (r == repeat)
      return TRUE;
  return FALSE;
}

/*
 * A question may read any question with a value outside repeats, and the questions of its own
 * repeat instance and of the entries that hold it (a member reads its household's answers).
 * It may read into a repeat from outside only as a node-set (sum(${x}), count(${x}),
 * indexed-repeat(${x}, ${r}, 2)…), and never a group or note.
 */
static gboolean
check_references (Loader *loader, IntakeExpr *expr, const IntakeQuestion *reader,
                  const char *reader_name, const char *member)
{
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GList) list = NULL;

  if (expr == NULL)
    return TRUE;
  names = g_hash_table_new (g_str_hash, g_str_equal);
  intake_expr_collect_references (expr, names);
  list = g_list_sort (g_hash_table_get_keys (names), (GCompareFunc) strcmp);
  for (GList *l = list; l != NULL; l = l->next)
    {
      const IntakeQuestion *target = g_hash_table_lookup (loader->form->by_name, l->data);
      const IntakeQuestion *reader_repeat = reader != NULL ? reader->repeat : NULL;

      if (target == NULL)
        return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, reader_name,
                     "%s refers to ${%s}, which is not a question of this form", member,
                     (const char *) l->data);
      if (target->type == INTAKE_QUESTION_GROUP || target->type == INTAKE_QUESTION_NOTE)
        return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, reader_name,
                     "%s refers to ${%s}, a %s, which has no value", member, target->name,
                     type_names[target->type]);
      /* Node-set functions (sum, count, join, indexed-repeat…) may read every entry. */
      if (target->repeat != NULL && !repeat_holds (target->repeat, reader_repeat)
          && !intake_expr_reads_all (expr, target->name))
        return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, reader_name,
                     "%s refers to ${%s}, which is inside the repeat '%s'", member, target->name,
                     target->repeat->name);
    }
  return TRUE;
}

static void
add_unique (GPtrArray *array, gpointer item)
{
  if (!g_ptr_array_find (array, item, NULL))
    g_ptr_array_add (array, item);
}

/* The top-level repeat that holds @q, or @q itself outside repeats. */
static IntakeQuestion *
outermost (IntakeQuestion *q)
{
  while (q->repeat != NULL)
    q = q->repeat;
  return q;
}

static gboolean
build_graph (Loader *loader)
{
  IntakeForm *form = loader->form;
  unsigned int n = form->questions->len;
  g_autofree unsigned int *indegree = g_new0 (unsigned int, n);
  g_autoptr(GPtrArray) successors = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GQueue) ready = g_queue_new ();

  for (unsigned int i = 0; i < n; i++)
    g_ptr_array_add (successors, g_ptr_array_new ());

  for (unsigned int i = 0; i < n; i++)
    {
      IntakeQuestion *q = form->questions->pdata[i];
      IntakeExpr *value_exprs[] = { q->relevant, q->calculation };
      g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) check_names = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer key;

      if (!check_references (loader, q->relevant, q, q->name, "relevant")
          || !check_references (loader, q->calculation, q, q->name, "calculation")
          || !check_references (loader, q->constraint, q, q->name, "constraint")
          || !check_references (loader, q->required_if, q, q->name, "required")
          || !check_references (loader, q->read_only_if, q, q->name, "read_only")
          || !check_references (loader, q->repeat_count, q, q->name, "repeat_count")
          || !check_references (loader, q->choice_filter, q, q->name, "choice_filter")
          || !check_references (loader, q->dynamic_default, q, q->name, "dynamic_default"))
        return FALSE;
      if (q->indicator != NULL
          && !check_references (loader, q->indicator->present_when, NULL, q->name,
                                "present_when"))
        return FALSE;

      for (size_t k = 0; k < G_N_ELEMENTS (value_exprs); k++)
        if (value_exprs[k] != NULL)
          intake_expr_collect_references (value_exprs[k], names);
      if (q->parent != NULL)
        g_hash_table_add (names, q->parent->name);

      g_hash_table_iter_init (&iter, names);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          IntakeQuestion *source = g_hash_table_lookup (form->by_name, key);

          if (source == q)
            return fail (loader, INTAKE_FORM_ERROR_CYCLE, q->name,
                         "cycle among calculations and relevance: %s depends on itself",
                         q->name);
          g_ptr_array_add (successors->pdata[source->index], q);
          indegree[q->index]++;
          /*
           * A repeat's children are evaluated with each entry when the repeat is checked, so
           * what they read from outside makes the repeat's check stale, not its value.
           */
          if (outermost (source) == outermost (q))
            continue;
          if (q->repeat != NULL)
            add_unique (outermost (source)->check_dependents, outermost (q));
          else if (source->repeat != NULL)
            add_unique (outermost (source)->value_dependents, q); /* Reads the entries. */
          else
            add_unique (source->value_dependents, q);
        }

      if (q->constraint != NULL)
        intake_expr_collect_references (q->constraint, check_names);
      /* Whether an answer is required, and how many entries a repeat needs, are checks too. */
      if (q->required_if != NULL)
        intake_expr_collect_references (q->required_if, check_names);
      if (q->repeat_count != NULL)
        intake_expr_collect_references (q->repeat_count, check_names);
      /* An answer that a changed filter no longer offers must be flagged again. */
      if (q->choice_filter != NULL)
        intake_expr_collect_references (q->choice_filter, check_names);
      g_hash_table_iter_init (&iter, check_names);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          IntakeQuestion *source = g_hash_table_lookup (form->by_name, key);

          if (outermost (source) != outermost (q))
            add_unique (outermost (source)->check_dependents, outermost (q));
        }
    }

  /* Kahn's algorithm: whatever is never ready sits on a cycle or downstream of one. */
  form->order = g_ptr_array_new ();
  for (unsigned int i = 0; i < n; i++)
    if (indegree[i] == 0)
      g_queue_push_tail (ready, form->questions->pdata[i]);
  while (!g_queue_is_empty (ready))
    {
      IntakeQuestion *q = g_queue_pop_head (ready);
      GPtrArray *next = successors->pdata[q->index];

      q->order = form->order->len;
      g_ptr_array_add (form->order, q);
      for (unsigned int k = 0; k < next->len; k++)
        {
          IntakeQuestion *s = next->pdata[k];

          if (--indegree[s->index] == 0)
            g_queue_push_tail (ready, s);
        }
    }
  if (form->order->len < n)
    {
      g_autofree gboolean *on_path = g_new0 (gboolean, n);
      g_autoptr(GString) path = g_string_new (NULL);
      IntakeQuestion *q = NULL;
      IntakeQuestion *start;

      /* Walk backwards through unfinished predecessors until a question repeats: a cycle. */
      for (unsigned int i = 0; i < n && q == NULL; i++)
        if (indegree[i] > 0)
          q = form->questions->pdata[i];
      while (q != NULL && !on_path[q->index])
        {
          IntakeQuestion *previous = NULL;

          on_path[q->index] = TRUE;
          for (unsigned int i = 0; i < n && previous == NULL; i++)
            if (indegree[i] > 0 && g_ptr_array_find (successors->pdata[i], q, NULL))
              previous = form->questions->pdata[i];
          q = previous;
        }
      start = q;
      if (start == NULL)
        return fail (loader, INTAKE_FORM_ERROR_CYCLE, NULL, "cycle among calculations");
      /* Print it forwards: start, then each successor on the cycle, back to start. */
      g_string_append (path, start->name);
      q = start;
      do
        {
          GPtrArray *next = successors->pdata[q->index];
          IntakeQuestion *found = NULL;

          for (unsigned int k = 0; k < next->len && found == NULL; k++)
            {
              IntakeQuestion *s = next->pdata[k];

              if (on_path[s->index] && indegree[s->index] > 0)
                found = s;
            }
          if (found == NULL)
            break;
          g_string_append_printf (path, " -> %s", found->name);
          q = found;
        }
      while (q != start && path->len < 1024);
      return fail (loader, INTAKE_FORM_ERROR_CYCLE, start->name,
                   "cycle among calculations and relevance: %s", path->str);
    }
  return TRUE;
}

/* Adds to @out the questions @expr reads as one value (not only inside count(), sum(),
 * indexed-repeat()…, which read a repeat's other entries). */
static void
single_reads (IntakeForm *form, IntakeExpr *expr, GPtrArray *out)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) list = NULL;

  if (expr == NULL)
    return;
  intake_expr_collect_references (expr, names);
  list = g_list_sort (g_hash_table_get_keys (names), (GCompareFunc) strcmp);
  for (GList *l = list; l != NULL; l = l->next)
    if (!intake_expr_reads_all (expr, l->data))
      g_ptr_array_add (out, g_hash_table_lookup (form->by_name, l->data));
}

/*
 * A dynamic default is evaluated once, before its question has an answer: one that reads its
 * own answer, through calculations or other dynamic defaults, can only ever read it empty, which
 * is a mistake in the form, so it is refused with the path it reads along.  build_graph () has
 * already refused cycles among calculations, so any cycle found here passes through a default;
 * one depth-first walk over what each calculation and default reads finds it.
 */
static gboolean
check_default_cycles (Loader *loader)
{
  IntakeForm *form = loader->form;
  unsigned int n = form->questions->len;
  g_autoptr(GPtrArray) reads = NULL;
  g_autofree guint8 *state = g_new0 (guint8, n); /* 0: not seen, 1: on the path, 2: done. */
  g_autofree unsigned int *next = g_new0 (unsigned int, n);
  g_autoptr(GPtrArray) path = g_ptr_array_new ();

  reads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (unsigned int i = 0; i < n; i++)
    {
      IntakeQuestion *q = form->questions->pdata[i];
      GPtrArray *out = g_ptr_array_new ();

      single_reads (form, q->calculation, out);
      single_reads (form, q->dynamic_default, out);
      g_ptr_array_add (reads, out);
    }
  for (unsigned int i = 0; i < n; i++)
    {
      if (state[i] != 0)
        continue;
      state[i] = 1;
      g_ptr_array_add (path, form->questions->pdata[i]);
      while (path->len > 0)
        {
          IntakeQuestion *q = path->pdata[path->len - 1];
          GPtrArray *out = reads->pdata[q->index];
          IntakeQuestion *s;

          if (next[q->index] == out->len)
            {
              state[q->index] = 2;
              g_ptr_array_set_size (path, path->len - 1);
              continue;
            }
          s = out->pdata[next[q->index]++];
          if (state[s->index] == 0)
            {
              state[s->index] = 1;
              g_ptr_array_add (path, s);
            }
          else if (state[s->index] == 1)
            {
              g_autoptr(GString) text = g_string_new (NULL);
              unsigned int first = 0, length, from;

              /* The cycle is the path from @s on; it is told from one of its defaults. */
              while (path->pdata[first] != s)
                first++;
              length = path->len - first;
              from = first;
              while (((IntakeQuestion *) path->pdata[from])->dynamic_default == NULL
                     && from + 1 < path->len)
                from++;
              for (unsigned int k = 0; k <= length; k++)
                {
                  IntakeQuestion *step = path->pdata[first + (from - first + k) % length];

                  g_string_append_printf (text, "%s%s", k > 0 ? " -> " : "", step->name);
                }
              return fail (loader, INTAKE_FORM_ERROR_CYCLE,
                           ((IntakeQuestion *) path->pdata[from])->name,
                           "the dynamic_default reads its own answer, which is always empty "
                           "when it is evaluated: %s", text->str);
            }
        }
    }
  return TRUE;
}

static gboolean
load_document (Loader *loader, JsonNode *document)
{
  static const char *const allowed[] = {
    "id", "version", "title", "default_language", "languages", "questions", "choice_lists",
    "scoring", "child_when", NULL,
  };
  IntakeForm *form = loader->form;
  JsonObject *root, *lists, *scoring;
  JsonArray *languages, *questions;
  JsonNode *version;
  const char *id, *default_language;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  if (document == NULL || !JSON_NODE_HOLDS_OBJECT (document))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "the document is not a JSON object");
  root = json_node_get_object (document);
  if (!get_string (loader, root, "id", TRUE, NULL, &id))
    return FALSE;
  if (!is_valid_name (id))
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "the id '%s' is not a valid name", id);
  form->id = g_strdup (id);
  if (!check_members (loader, root, allowed, NULL, "the form"))
    return FALSE;

  version = json_object_get_member (root, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) < 1)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                 "'version' must be a positive whole number");
  form->version = json_node_get_int (version);

  if (!get_array (loader, root, "languages", TRUE, NULL, &languages)
      || !get_string (loader, root, "default_language", TRUE, NULL, &default_language))
    return FALSE;
  for (unsigned int i = 0; i < json_array_get_length (languages); i++)
    {
      JsonNode *code = json_array_get_element (languages, i);

      if (!JSON_NODE_HOLDS_VALUE (code) || json_node_get_value_type (code) != G_TYPE_STRING
          || !is_valid_code (json_node_get_string (code))
          || strlen (json_node_get_string (code)) > 35)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                     "languages must be language codes such as \"en\"");
      for (unsigned int k = 0; k < codes->len; k++)
        if (strcmp (codes->pdata[k], json_node_get_string (code)) == 0)
          return fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, NULL,
                       "language '%s' is listed twice", json_node_get_string (code));
      g_ptr_array_add (codes, g_strdup (json_node_get_string (code)));
    }
  if (codes->len == 0)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "'languages' is empty");
  g_ptr_array_add (codes, NULL);
  form->languages = (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
  if (!g_strv_contains ((const char *const *) form->languages, default_language))
    return fail (loader, INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE, NULL,
                 "default_language '%s' is not in languages", default_language);
  form->default_language = g_strdup (default_language);

  if (!get_text (loader, root, "title", TRUE, NULL, &form->title)
      || !get_object (loader, root, "choice_lists", FALSE, NULL, &lists)
      || !get_object (loader, root, "scoring", FALSE, NULL, &scoring)
      || !get_array (loader, root, "questions", TRUE, NULL, &questions))
    return FALSE;
  if (scoring != NULL && !parse_scoring_head (loader, scoring))
    return FALSE;
  if (json_array_get_length (questions) == 0)
    return fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "the form has no questions");
  for (unsigned int i = 0; i < json_array_get_length (questions); i++)
    if (!parse_question (loader, json_array_get_element (questions, i), NULL, lists, i))
      return FALSE;
  if (scoring != NULL && !parse_scoring_tail (loader, scoring))
    return FALSE;
  if (!build_graph (loader) || !check_default_cycles (loader))
    return FALSE;
  /* Child wording (issue #11): the form says when the respondent is a child; a question's
   * child_label and child_hint are then shown instead of its label and hint. */
  if (!parse_expression (loader, root, "child_when", INTAKE_EXPR_PARSE_DEFAULT, NULL,
                         &form->child_when)
      || !check_references (loader, form->child_when, NULL, "the form", "child_when"))
    return FALSE;
  for (unsigned int i = 0; form->child_when == NULL && i < form->questions->len; i++)
    {
      IntakeQuestion *q = form->questions->pdata[i];

      if (q->child_label != NULL || q->child_hint != NULL)
        return fail (loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
                     "child_label and child_hint need the form's child_when (when the "
                     "respondent is a child)");
    }

  if (form->scoring != NULL)
    {
      for (unsigned int i = 0; i < form->questions->len; i++)
        {
          IntakeQuestion *q = form->questions->pdata[i];

          if (q->indicator != NULL)
            g_ptr_array_add (form->scoring->indicators, q->indicator);
          for (unsigned int k = 0; q->choices != NULL && k < q->choices->len; k++)
            {
              IntakeChoice *choice = q->choices->pdata[k];

              if (choice->indicator != NULL)
                g_ptr_array_add (form->scoring->indicators, choice->indicator);
            }
        }
    }
  return TRUE;
}

IntakeForm *
intake_form_new_from_node (JsonNode *document, IntakeFormLoadFlags flags, GError **error)
{
  g_autoptr(IntakeForm) form = g_object_new (INTAKE_TYPE_FORM, NULL);
  Loader loader = { form, flags, error };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!load_document (&loader, document))
    return NULL;
  return g_steal_pointer (&form);
}

IntakeForm *
intake_form_new_from_data (const char *data, gssize length, IntakeFormLoadFlags flags,
                           GError **error)
{
  const IntakeJsonLimits limits = { INTAKE_FORM_MAX_BYTES, INTAKE_FORM_MAX_NESTING };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Forms come from files and from the server: strict JSON within the form's limits only. */
  root = intake_json_parse_untrusted (data, length, &limits, &local_error);
  if (root == NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MALFORMED, "form: %s",
                   local_error->message);
      return NULL;
    }
  return intake_form_new_from_node (root, flags, error);
}

IntakeForm *
intake_form_new_from_file (const char *path, IntakeFormLoadFlags flags, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = intake_json_read_file (path, INTAKE_FORM_MAX_BYTES, &length, &local_error);
  if (contents == NULL)
    {
      if (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE))
        g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MALFORMED,
                     "form: the document is larger than %d bytes", INTAKE_FORM_MAX_BYTES);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return intake_form_new_from_data (contents, (gssize) length, flags, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Answer types (shared with the session through check_value)                                  */

static gboolean
is_valid_date (const char *s)
{
  int y, m, d;

  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);
  return y >= 1 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

/* "HH:MM" or "HH:MM:SS", optionally with fractions of a second. */
static gboolean
is_valid_time (const char *s)
{
  size_t n = s != NULL ? strlen (s) : 0;

  if (n < 5 || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]) || s[2] != ':'
      || !g_ascii_isdigit (s[3]) || !g_ascii_isdigit (s[4]) || atoi (s) > 23 || atoi (s + 3) > 59)
    return FALSE;
  if (n == 5)
    return TRUE;
  if (n < 8 || s[5] != ':' || !g_ascii_isdigit (s[6]) || !g_ascii_isdigit (s[7])
      || atoi (s + 6) > 59)
    return FALSE;
  if (n == 8)
    return TRUE;
  if (s[8] != '.' || n == 9 || n > 12)
    return FALSE;
  for (size_t i = 9; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* "YYYY-MM-DDTHH:MM[:SS[.sss]]", optionally with "Z" or "+HH:MM" as ODK writes it. */
static gboolean
is_valid_date_time (const char *s)
{
  g_autofree char *date = NULL, *time = NULL;
  size_t n;

  if (s == NULL || strlen (s) < 16 || s[10] != 'T' || strlen (s) > 40)
    return FALSE;
  date = g_strndup (s, 10);
  time = g_strdup (s + 11);
  n = strlen (time);
  if (n > 0 && time[n - 1] == 'Z')
    time[--n] = '\0';
  else if (n > 6 && (time[n - 6] == '+' || time[n - 6] == '-') && time[n - 3] == ':'
           && g_ascii_isdigit (time[n - 5]) && g_ascii_isdigit (time[n - 4])
           && g_ascii_isdigit (time[n - 2]) && g_ascii_isdigit (time[n - 1]))
    time[n - 6] = '\0';
  return is_valid_date (date) && is_valid_time (time);
}

/* "lat lon" or "lat lon alt acc": degrees within the globe, metres, accuracy not negative.  A
 * position typed by hand has no altitude or accuracy; one from a location service has both. */
static gboolean
is_valid_geopoint (const char *s)
{
  g_auto(GStrv) parts = s != NULL ? g_strsplit (s, " ", 0) : NULL;
  double numbers[4];
  guint n;

  if (parts == NULL)
    return FALSE;
  n = g_strv_length (parts);
  if (n != 2 && n != 4)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      char *end = NULL;

      if (*parts[i] == '\0')
        return FALSE;
      numbers[i] = g_ascii_strtod (parts[i], &end);
      if (*end != '\0' || !isfinite (numbers[i]))
        return FALSE;
    }
  return numbers[0] >= -90 && numbers[0] <= 90 && numbers[1] >= -180 && numbers[1] <= 180
         && (n == 2 || numbers[3] >= 0);
}

/* Within start and end, on a step from start (to a millionth of a step, for decimals). */
static gboolean
is_valid_range_value (const IntakeQuestion *q, double value)
{
  double low = MIN (q->range_start, q->range_end), high = MAX (q->range_start, q->range_end);
  double steps = (value - q->range_start) / q->range_step;

  return value >= low && value <= high && fabs (steps - round (steps)) < 1e-6;
}

static gboolean
has_choice (const IntakeQuestion *q, const char *name)
{
  for (unsigned int i = 0; q->choices != NULL && i < q->choices->len; i++)
    if (strcmp (((IntakeChoice *) q->choices->pdata[i])->name, name) == 0)
      return TRUE;
  return FALSE;
}

/*
 * Whether @value has the right shape for @q.  On failure @problem is a key of the built-in
 * messages (see intake-form-session.c), which come in every language we ship.
 */
static gboolean
check_value (const IntakeQuestion *q, JsonNode *value, const char **problem)
{
  GType type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;

  switch (q->type)
    {
    case INTAKE_QUESTION_TEXT:
      if (g_strcmp0 (q->kind, "time") == 0)
        {
          *problem = "time";
          return type == G_TYPE_STRING && is_valid_time (json_node_get_string (value));
        }
      if (g_strcmp0 (q->kind, "dateTime") == 0)
        {
          *problem = "dateTime";
          return type == G_TYPE_STRING && is_valid_date_time (json_node_get_string (value));
        }
      if (g_strcmp0 (q->kind, "geopoint") == 0)
        {
          *problem = "geopoint";
          return type == G_TYPE_STRING && is_valid_geopoint (json_node_get_string (value));
        }
      *problem = "text";
      return type == G_TYPE_STRING;
    case INTAKE_QUESTION_INTEGER:
      *problem = "integer";
      return type == G_TYPE_INT64;
    case INTAKE_QUESTION_DECIMAL:
      *problem = "decimal";
      if (!(type == G_TYPE_INT64
            || (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (value)))))
        return FALSE;
      if (g_strcmp0 (q->kind, "range") == 0)
        {
          *problem = "range";
          return is_valid_range_value (q, json_node_get_double (value));
        }
      return TRUE;
    case INTAKE_QUESTION_DATE:
      *problem = "date";
      return type == G_TYPE_STRING && is_valid_date (json_node_get_string (value));
    case INTAKE_QUESTION_SELECT_ONE:
      *problem = "select_one";
      return type == G_TYPE_STRING && has_choice (q, json_node_get_string (value));
    case INTAKE_QUESTION_SELECT_MULTIPLE:
      {
        JsonArray *array;
        g_autoptr(GHashTable) seen = NULL;

        *problem = "select_multiple";
        if (!JSON_NODE_HOLDS_ARRAY (value))
          return FALSE;
        array = json_node_get_array (value);
        seen = g_hash_table_new (g_str_hash, g_str_equal);
        for (unsigned int i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *element = json_array_get_element (array, i);
            const char *name;

            if (!JSON_NODE_HOLDS_VALUE (element)
                || json_node_get_value_type (element) != G_TYPE_STRING)
              return FALSE;
            name = json_node_get_string (element);
            if (!has_choice (q, name) || !g_hash_table_add (seen, (gpointer) name))
              return FALSE;
          }
        /* A rank orders every choice. */
        if (g_strcmp0 (q->kind, "rank") == 0 && json_array_get_length (array) != q->choices->len)
          {
            *problem = "rank";
            return FALSE;
          }
        return TRUE;
      }
    case INTAKE_QUESTION_REPEAT:
      {
        JsonArray *array;

        *problem = "repeat";
        if (!JSON_NODE_HOLDS_ARRAY (value))
          return FALSE;
        array = json_node_get_array (value);
        for (unsigned int i = 0; i < json_array_get_length (array); i++)
          if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case INTAKE_QUESTION_CALCULATE:
      /* Metadata (start, deviceid, …) is kept with the answers as a string. */
      *problem = "not_answerable";
      return q->kind != NULL && type == G_TYPE_STRING;
    case INTAKE_QUESTION_NOTE:
    case INTAKE_QUESTION_GROUP:
    default:
      *problem = "not_answerable";
      return FALSE;
    }
}

gboolean
_intake_question_check_value (const IntakeQuestion *q, JsonNode *value, const char **problem)
{
  return check_value (q, value, problem);
}

/* ------------------------------------------------------------------------------------------ */
/* Accessors                                                                                   */

const char *
_intake_text_get (IntakeForm *form, IntakeText *text, const char *language)
{
  const char *found = NULL;

  if (text == NULL)
    return NULL;
  if (language != NULL)
    found = g_hash_table_lookup (text, language);
  if (found == NULL)
    found = g_hash_table_lookup (text, form->default_language);
  return found;
}

const IntakeNamedText *
_intake_scoring_lookup (GPtrArray *named, const char *id)
{
  for (unsigned int i = 0; named != NULL && i < named->len; i++)
    if (strcmp (((IntakeNamedText *) named->pdata[i])->id, id) == 0)
      return named->pdata[i];
  return NULL;
}

const char *
_intake_strength_to_string (IntakeStrength strength)
{
  switch (strength)
    {
    case INTAKE_STRENGTH_STRONG: return "strong";
    case INTAKE_STRENGTH_MEDIUM: return "medium";
    case INTAKE_STRENGTH_WEAK: return "weak";
    default: return "unknown";
    }
}

GPtrArray *
_intake_form_get_questions (IntakeForm *self)
{
  return self->questions;
}

GPtrArray *
_intake_form_get_order (IntakeForm *self)
{
  return self->order;
}

IntakeScoring *
_intake_form_get_scoring (IntakeForm *self)
{
  return self->scoring;
}

const char *
intake_form_get_id (IntakeForm *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);
  return self->id;
}

gint64
intake_form_get_version (IntakeForm *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), 0);
  return self->version;
}

const char *
intake_form_get_default_language (IntakeForm *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);
  return self->default_language;
}

const char *const *
intake_form_get_languages (IntakeForm *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);
  return (const char *const *) self->languages;
}

gboolean
intake_form_has_language (IntakeForm *self, const char *language)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), FALSE);
  return language != NULL && g_strv_contains ((const char *const *) self->languages, language);
}

const char *
intake_form_get_title (IntakeForm *self, const char *language)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);
  return _intake_text_get (self, self->title, language);
}

IntakeExpr *
_intake_form_get_child_when (IntakeForm *form)
{
  return form->child_when;
}

gboolean
intake_form_has_scoring (IntakeForm *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), FALSE);
  return self->scoring != NULL;
}

JsonNode *
intake_form_dup_summary_json (IntakeForm *self, const char *language)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, self->version);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, intake_form_get_title (self, language));
  json_builder_set_member_name (builder, "default_language");
  json_builder_add_string_value (builder, self->default_language);
  json_builder_set_member_name (builder, "languages");
  json_builder_begin_array (builder);
  for (size_t i = 0; self->languages[i] != NULL; i++)
    json_builder_add_string_value (builder, self->languages[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "scoring");
  json_builder_add_boolean_value (builder, self->scoring != NULL);
  json_builder_set_member_name (builder, "questions");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < self->questions->len; i++)
    {
      const IntakeQuestion *q = self->questions->pdata[i];
      const char *label = intake_question_get_label (q, language);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, q->name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, type_names[q->type]);
      if (q->parent != NULL)
        {
          json_builder_set_member_name (builder, "parent");
          json_builder_add_string_value (builder, q->parent->name);
        }
      if (label != NULL)
        {
          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, label);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

unsigned int
intake_form_get_n_questions (IntakeForm *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), 0);
  return self->questions->len;
}

const IntakeQuestion *
intake_form_get_question (IntakeForm *self, unsigned int index)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);
  g_return_val_if_fail (index < self->questions->len, NULL);
  return self->questions->pdata[index];
}

const IntakeQuestion *
intake_form_lookup_question (IntakeForm *self, const char *name)
{
  g_return_val_if_fail (INTAKE_IS_FORM (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->by_name, name);
}

const char *
intake_question_type_to_string (IntakeQuestionType type)
{
  if ((size_t) type >= G_N_ELEMENTS (type_names))
    return NULL;
  return type_names[type];
}

const char *
intake_question_get_name (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->name;
}

IntakeQuestionType
intake_question_get_question_type (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, INTAKE_QUESTION_TEXT);
  return question->type;
}

const IntakeQuestion *
intake_question_get_parent (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->parent;
}

/* Text in @language, else in the form's default language, which the loader made sure exists. */
static const char *
text_any (const IntakeQuestion *question, IntakeText *text, const char *language)
{
  const char *found;

  if (text == NULL)
    return NULL;
  found = language != NULL ? g_hash_table_lookup (text, language) : NULL;
  if (found == NULL)
    found = g_hash_table_lookup (text, question->fallback_language);
  return found;
}

const char *
intake_question_get_label (const IntakeQuestion *question, const char *language)
{
  g_return_val_if_fail (question != NULL, NULL);
  return text_any (question, question->label, language);
}

const char *
intake_question_get_hint (const IntakeQuestion *question, const char *language)
{
  g_return_val_if_fail (question != NULL, NULL);
  return text_any (question, question->hint, language);
}

const char *
intake_question_get_constraint_message (const IntakeQuestion *question, const char *language)
{
  g_return_val_if_fail (question != NULL, NULL);
  return text_any (question, question->constraint_message, language);
}

gboolean
intake_question_get_required (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, FALSE);
  return question->required;
}

gboolean
intake_question_get_read_only (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, FALSE);
  return question->read_only;
}

gboolean
intake_question_get_sensitive (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, FALSE);
  return question->sensitive;
}

const char *
intake_question_get_kind (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->kind != NULL ? question->kind : type_names[question->type];
}

const char *
intake_question_get_required_message (const IntakeQuestion *question, const char *language)
{
  g_return_val_if_fail (question != NULL, NULL);
  return text_any (question, question->required_message, language);
}

gboolean
intake_question_get_range (const IntakeQuestion *question, double *start, double *end,
                           double *step)
{
  g_return_val_if_fail (question != NULL, FALSE);
  if (g_strcmp0 (question->kind, "range") != 0)
    return FALSE;
  *start = question->range_start;
  *end = question->range_end;
  *step = question->range_step;
  return TRUE;
}

const char *
intake_question_get_appearance (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->appearance;
}

gboolean
intake_decimal_parse (const char *text, double *out)
{
  g_autofree char *copy = NULL;
  gboolean digits = FALSE, separator = FALSE;
  const char *p;
  char *end = NULL;
  double d;

  g_return_val_if_fail (out != NULL, FALSE);
  if (text == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (text));
  /* Only an optional sign, digits and at most one separator: anything else (a second
   * separator, a thousands group, "1e5", "inf") is refused rather than guessed at. */
  p = copy;
  if (*p == '-' || *p == '+')
    p++;
  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if ((*p == '.' || *p == ',') && !separator)
        separator = TRUE;
      else
        return FALSE;
    }
  if (!digits)
    return FALSE;
  g_strdelimit (copy, ",", '.');
  d = g_ascii_strtod (copy, &end);
  if (end == copy || *end != '\0' || !isfinite (d))
    return FALSE;
  *out = d;
  return TRUE;
}

/* The languages that write a decimal comma.  The bundled languages are English and Bahasa
 * Indonesia; the others planned (SCREENING.md) are listed so that adding one needs no code. */
static gboolean
writes_decimal_comma (const char *language)
{
  static const char *const comma[] = { "id", "vi", "km", "my", NULL };
  g_autofree char *base = NULL;

  if (language == NULL)
    return FALSE;
  base = g_strndup (language, strcspn (language, "-_"));
  return g_strv_contains (comma, base);
}

char *
intake_decimal_format (double value, const char *language)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (writes_decimal_comma (language))
    g_strdelimit (buf, ".", ',');
  return g_strdup (buf);
}

const char *
intake_question_get_audience (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->audience;
}

const char *
intake_question_get_htcds (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->htcds;
}

JsonNode *
intake_question_get_default (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->default_value;
}

const char *
intake_question_get_dynamic_default (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, NULL);
  return question->dynamic_default != NULL ? intake_expr_get_source (question->dynamic_default)
                                           : NULL;
}

unsigned int
intake_question_get_n_choices (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, 0);
  return question->choices != NULL ? question->choices->len : 0;
}

const char *
intake_question_get_choice_name (const IntakeQuestion *question, unsigned int index)
{
  g_return_val_if_fail (question != NULL, NULL);
  g_return_val_if_fail (question->choices != NULL && index < question->choices->len, NULL);
  return ((IntakeChoice *) question->choices->pdata[index])->name;
}

const char *
intake_question_get_choice_label (const IntakeQuestion *question, unsigned int index,
                                  const char *language)
{
  g_return_val_if_fail (question != NULL, NULL);
  g_return_val_if_fail (question->choices != NULL && index < question->choices->len, NULL);
  return text_any (question, ((IntakeChoice *) question->choices->pdata[index])->label, language);
}

gboolean
intake_question_is_answerable (const IntakeQuestion *question)
{
  g_return_val_if_fail (question != NULL, FALSE);
  switch (question->type)
    {
    case INTAKE_QUESTION_TEXT:
    case INTAKE_QUESTION_INTEGER:
    case INTAKE_QUESTION_DECIMAL:
    case INTAKE_QUESTION_DATE:
    case INTAKE_QUESTION_SELECT_ONE:
    case INTAKE_QUESTION_SELECT_MULTIPLE:
    case INTAKE_QUESTION_REPEAT:
      return TRUE;
    case INTAKE_QUESTION_CALCULATE:
      /* Metadata takes its value from the device, stored with the answers. */
      return question->kind != NULL;
    case INTAKE_QUESTION_NOTE:
    case INTAKE_QUESTION_GROUP:
    default:
      return FALSE;
    }
}
