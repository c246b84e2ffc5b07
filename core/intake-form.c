/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form object: what a loaded form holds, how it is freed, which answers fit a question
 * (shared with the session), and the getters the session, the scoring and the window read it
 * through.  Loading a document is apart, in intake-form-parse.c, intake-form-graph.c,
 * intake-form-scoring-section.c and intake-form-load.c (see intake-form-loader-private.h): this
 * file is the bottom of that stack and calls none of them.
 */
#include "intake-form-loader-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (intake-form-error-quark, intake_form_error)

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

const char *const _intake_question_type_names[] = {
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

void
_intake_choice_free (IntakeChoice *choice)
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

void
_intake_named_text_free (IntakeNamedText *named)
{
  g_free (named->id);
  g_clear_pointer (&named->label, g_hash_table_unref);
  g_free (named);
}

void
_intake_rule_free (IntakeRule *rule)
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
      json_builder_add_string_value (builder, _intake_question_type_names[q->type]);
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
  if ((size_t) type >= G_N_ELEMENTS (_intake_question_type_names))
    return NULL;
  return _intake_question_type_names[type];
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
  return question->kind != NULL ? question->kind : _intake_question_type_names[question->type];
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

static void
foreach_entry_computed (IntakeForm *form, JsonObject *entries_of, GArray *levels,
                        IntakeEntryComputedFunc func, gpointer user_data)
{
  JsonObjectIter it;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&it, entries_of);
  while (json_object_iter_next (&it, &name, &value))
    {
      const IntakeQuestion *q = intake_form_lookup_question (form, name);
      JsonArray *entries;

      if (q == NULL || q->type != INTAKE_QUESTION_REPEAT || !JSON_NODE_HOLDS_ARRAY (value))
        continue;
      entries = json_node_get_array (value);
      for (unsigned int e = 0; e < json_array_get_length (entries); e++)
        {
          JsonNode *entry = json_array_get_element (entries, e);
          IntakeEntryLevel level = { q, e };
          JsonObjectIter child_it;
          const char *child;
          JsonNode *child_value;

          if (!JSON_NODE_HOLDS_OBJECT (entry))
            continue;
          g_array_append_val (levels, level);
          json_object_iter_init (&child_it, json_node_get_object (entry));
          while (json_object_iter_next (&child_it, &child, &child_value))
            {
              const IntakeQuestion *c = intake_form_lookup_question (form, child);

              if (c == NULL || c->type != INTAKE_QUESTION_CALCULATE
                  || !JSON_NODE_HOLDS_VALUE (child_value)
                  || json_node_get_value_type (child_value) != G_TYPE_STRING)
                continue;
              func ((const IntakeEntryLevel *) (gpointer) levels->data, levels->len, c,
                    json_node_get_string (child_value), user_data);
            }
          foreach_entry_computed (form, json_node_get_object (entry), levels, func, user_data);
          g_array_set_size (levels, levels->len - 1);
        }
    }
}

void
intake_form_foreach_entry_computed (IntakeForm *form, JsonObject *answers,
                                    IntakeEntryComputedFunc func, gpointer user_data)
{
  g_autoptr (GArray) levels = g_array_new (FALSE, FALSE, sizeof (IntakeEntryLevel));

  g_return_if_fail (INTAKE_IS_FORM (form));
  g_return_if_fail (answers != NULL && func != NULL);
  foreach_entry_computed (form, answers, levels, func, user_data);
}
