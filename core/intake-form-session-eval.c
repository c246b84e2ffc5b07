/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form session's evaluation: scopes, what ${name} and node-sets read (top level, repeat
 * entries, nested entry paths), the checks of answers and repeat entries, and the update that
 * brings relevance, values and problems up to date.  Apart so that the session's life cycle and
 * its readers sit above it: this file calls only the answers layer, never back up.
 */
#include "intake-form-session-struct-private.h"

#include <math.h>
#include <string.h>

#define MAX_ENTRY_NESTING 4

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                  */

/* The scope of the entry of @repeat that @scope is in (itself or an enclosing one), or NULL. */
const Scope *
_intake_scope_of (const Scope *scope, const IntakeQuestion *repeat)
{
  for (const Scope *s = scope; s != NULL; s = s->outer)
    if (s->repeat == repeat && s->entry_values != NULL)
      return s;
  return NULL;
}

/*
 * The entries of @repeat as answered now, or NULL: a top-level repeat's from the answers
 * (@container NULL), an inner repeat's from the enclosing entry @container, and none while
 * the repeat is not relevant.
 */
static JsonArray *
entries_in (IntakeFormSession *self, const Scope *container, const IntakeQuestion *repeat)
{
  JsonObject *answers;
  JsonNode *answer;

  if (container == NULL)
    {
      if (repeat->repeat != NULL || !self->relevant[repeat->index])
        return NULL;
      answers = self->answers;
    }
  else
    {
      if (repeat->repeat != container->repeat || !container->entry_relevant[repeat->index])
        return NULL;
      answers = container->entry;
    }
  answer = answers != NULL ? json_object_get_member (answers, repeat->name) : NULL;
  if (answer == NULL || !JSON_NODE_HOLDS_ARRAY (answer))
    return NULL;
  return json_node_get_array (answer);
}

static JsonObject *
entry_object (JsonArray *entries, unsigned int e)
{
  JsonNode *node = json_array_get_element (entries, e);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/*
 * Node-set values of @q in every entry of @chain[depth] within @container, and below it down
 * to @chain[0] (the repeat @q is in, or @q itself): from the top level, sum(${age}) over
 * members inside households reads every member of every household, as JavaRosa resolves
 * /data/household/member/age; from inside one household, only that household's members.
 */
static void
collect_entries (IntakeFormSession *self, const Scope *container,
                 const IntakeQuestion *const *chain, unsigned int depth, const IntakeQuestion *q,
                 GArray *out)
{
  const IntakeQuestion *repeat = chain[depth];
  JsonArray *entries = entries_in (self, container, repeat);
  g_autofree IntakeValue *values = NULL;
  g_autofree gboolean *relevant = NULL;

  if (entries == NULL)
    return;
  if (depth == 0 && q == repeat)
    {
      for (unsigned int e = 0; e < json_array_get_length (entries); e++)
        {
          IntakeValue empty = INTAKE_VALUE_INIT;

          g_array_append_val (out, empty);
        }
      return;
    }
  values = g_new0 (IntakeValue, self->n);
  relevant = g_new0 (gboolean, self->n);
  relevant[repeat->index] = TRUE;
  for (unsigned int e = 0; e < json_array_get_length (entries); e++)
    {
      Scope entry_scope;

      _intake_form_session_evaluate_entry (self, container, repeat, entry_object (entries, e),
                                           e + 1, values, relevant, &entry_scope);
      if (depth == 0)
        {
          IntakeValue entry_value = INTAKE_VALUE_INIT;

          intake_value_copy (&values[q->index], &entry_value);
          g_array_append_val (out, entry_value);
        }
      else
        {
          collect_entries (self, &entry_scope, chain, depth - 1, q, out);
        }
    }
  for (unsigned int i = 0; i < self->n; i++)
    intake_value_clear (&values[i]);
}

/*
 * ${name} as a node-set (count, sum, join, indexed-repeat…): inside its own repeat entry the
 * entry's value; from outside, one value per entry of the repeat, each entry evaluated as it
 * stands; a repeat gives one (empty) node per entry; anything else its one value.
 */
static void
lookup_all_cb (const char *name, GArray *out, gpointer user_data)
{
  Scope *scope = user_data;
  IntakeFormSession *self = scope->self;
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *chain[INTAKE_FORM_MAX_REPEAT_DEPTH + 1];
  const Scope *container = NULL;
  const Scope *own;
  unsigned int depth = 0;
  IntakeValue value = INTAKE_VALUE_INIT;

  if (q == NULL)
    return;
  if (q->repeat != NULL && q->type != INTAKE_QUESTION_REPEAT
      && (own = _intake_scope_of (scope, q->repeat)) != NULL)
    {
      intake_value_copy (&own->entry_values[q->index], &value);
      g_array_append_val (out, value);
      return;
    }
  if (q->repeat == NULL && q->type != INTAKE_QUESTION_REPEAT)
    {
      intake_value_copy (&self->values[q->index], &value);
      g_array_append_val (out, value);
      return;
    }
  /* The repeats from @q's own up to the first whose container is the top level or an entry
   * being evaluated now. */
  chain[0] = q->type == INTAKE_QUESTION_REPEAT ? q : q->repeat;
  while (chain[depth]->repeat != NULL
         && (container = _intake_scope_of (scope, chain[depth]->repeat)) == NULL)
    {
      if (depth == INTAKE_FORM_MAX_REPEAT_DEPTH)
        return;
      chain[depth + 1] = chain[depth]->repeat;
      depth++;
    }
  if (self->entry_nesting >= MAX_ENTRY_NESTING)
    return;
  self->entry_nesting++;
  collect_entries (self, container, chain, depth, q, out);
  self->entry_nesting--;
}

/*
 * indexed-repeat(): ${name} in entry @index of its repeat.  From outside the repeat the entry
 * is evaluated as it stands; from inside the same repeat, an entry's answers are read as
 * given and its calculations are empty, so that entries reading each other cannot recurse.
 */
static void
lookup_entry_cb (const char *name, unsigned int index, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  IntakeFormSession *self = scope->self;
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const Scope *container = NULL;
  JsonArray *entries;
  JsonObject *entry;

  if (q == NULL || q->repeat == NULL)
    return;
  /* An inner repeat's entries are those of the enclosing entry being evaluated; from outside
   * it, with one index, there is no one list to count in. */
  if (q->repeat->repeat != NULL
      && (container = _intake_scope_of (scope, q->repeat->repeat)) == NULL)
    return;
  entries = entries_in (self, container, q->repeat);
  if (entries == NULL || index < 1 || index > json_array_get_length (entries))
    return;
  entry = entry_object (entries, index - 1);
  if (_intake_scope_of (scope, q->repeat) != NULL)
    {
      if (q->type != INTAKE_QUESTION_CALCULATE)
        _intake_answer_value (q, _intake_answer_in (entry, q), out);
      return;
    }
  if (self->entry_nesting >= MAX_ENTRY_NESTING)
    return;
  self->entry_nesting++;
  {
    g_autofree IntakeValue *values = g_new0 (IntakeValue, self->n);
    g_autofree gboolean *relevant = g_new0 (gboolean, self->n);

    relevant[q->repeat->index] = TRUE;
    _intake_form_session_evaluate_entry (self, container, q->repeat, entry, index, values,
                                         relevant, NULL);
    intake_value_copy (&values[q->index], out);
    for (unsigned int i = 0; i < self->n; i++)
      intake_value_clear (&values[i]);
  }
  self->entry_nesting--;
}

static EntryPath *entry_path_new (const Scope *base);


/*
 * indexed-repeat() with a repeat and an index per level (the ODK XForms spec's
 * indexed-repeat(//node, /path/to/repeat, //index1, /path/to/repeat/nested-repeat, //index2)):
 * each entry evaluated within the one before; the outermost repeat's entries are those of the
 * entry being evaluated that holds them (or the top level's).
 */
static void
lookup_entries_cb (const char *name, const char *const *repeats, const unsigned int *indexes,
                   unsigned int n_levels, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  IntakeFormSession *self = scope->self;
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *levels[3];
  const Scope *base = NULL;
  EntryPath *path;
  gboolean found = TRUE;

  if (q == NULL || n_levels == 0 || n_levels > G_N_ELEMENTS (levels))
    return;
  for (unsigned int k = 0; k < n_levels; k++)
    {
      levels[k] = intake_form_lookup_question (self->form, repeats[k]);
      if (levels[k] == NULL || levels[k]->type != INTAKE_QUESTION_REPEAT
          || (k > 0 && levels[k]->repeat != levels[k - 1]))
        return;
    }
  if (q->repeat != levels[n_levels - 1])
    return;
  if (levels[0]->repeat != NULL && (base = _intake_scope_of (scope, levels[0]->repeat)) == NULL)
    return;
  if (self->entry_nesting >= MAX_ENTRY_NESTING)
    return;
  self->entry_nesting++;
  path = entry_path_new (base);
  for (unsigned int k = 0; k < n_levels && found; k++)
    found = _intake_entry_path_push (self, path, levels[k], indexes[k] - 1);
  if (found)
    intake_value_copy (&_intake_entry_path_innermost (path)->entry_values[q->index], out);
  _intake_entry_path_clear (self, path);
  g_free (path);
  self->entry_nesting--;
}

/* jr:choice-name(): the choice's label in the session's language. */
static char *
choice_label_cb (const char *question, const char *choice, gpointer user_data)
{
  Scope *scope = user_data;
  const IntakeQuestion *q = intake_form_lookup_question (scope->self->form, question);

  if (q == NULL || q->choices == NULL)
    return NULL;
  for (unsigned int i = 0; i < q->choices->len; i++)
    {
      const IntakeChoice *c = q->choices->pdata[i];

      if (strcmp (c->name, choice) == 0)
        return g_strdup (_intake_text_get (scope->self->form, c->label, scope->self->language));
    }
  return NULL;
}
static void metadata_value (IntakeFormSession *self, const IntakeQuestion *q, IntakeValue *out);

static void
lookup_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  const IntakeQuestion *q;

  if (name == NULL)
    {
      if (scope->dot != NULL)
        intake_value_copy (scope->dot, out);
      return;
    }
  q = intake_form_lookup_question (scope->self->form, name);
  if (q == NULL)
    return;
  if (q->repeat != NULL)
    {
      const Scope *own = _intake_scope_of (scope, q->repeat);

      if (own != NULL)
        intake_value_copy (&own->entry_values[q->index], out);
      return;
    }
  intake_value_copy (&scope->self->values[q->index], out);
}

/* A choice filter's bare name: "name" is the choice's name, anything else one of its filters. */
static void
choice_column_cb (const char *column, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  const char *value = NULL;

  if (scope->choice == NULL)
    return;
  if (strcmp (column, "name") == 0)
    value = scope->choice->name;
  else if (scope->choice->filters != NULL)
    value = g_hash_table_lookup (scope->choice->filters, column);
  if (value != NULL)
    intake_value_set_string (out, value);
}

/* The expression context carries the scope; scoring functions get their own data back. */
static void
call_cb (const char *function, const IntakeValue *args, unsigned int n_args, IntakeValue *out,
         gpointer user_data)
{
  Scope *scope = user_data;

  if (scope->call != NULL)
    scope->call (function, args, n_args, out, scope->call_data);
}

void
_intake_scope_evaluate (Scope *scope, const IntakeExpr *expr, IntakeValue *out)
{
  IntakeExprContext context = { lookup_cb, call_cb, scope, scope->self->today };

  context.lookup_all = lookup_all_cb;
  context.choice_label = choice_label_cb;
  context.lookup_entry = lookup_entry_cb;
  context.lookup_entries = lookup_entries_cb;
  context.now = scope->self->now;
  context.rand = scope->self->rand;
  context.position = scope->position;
  context.choice_column = choice_column_cb;
  intake_expr_evaluate (expr, &context, out);
}

/*
 * A calculation's value.  Its own value so far is "." (once() keeps it), and a result that is
 * not a number stores empty, as ODK Collect stores it, never "NaN".
 */
static void
scope_evaluate_calculation (Scope *scope, const IntakeQuestion *q, IntakeValue *previous,
                            IntakeValue *out)
{
  Scope calculation_scope = *scope;

  calculation_scope.dot = previous;
  _intake_scope_evaluate (&calculation_scope, q->calculation, out);
  if (out->kind == INTAKE_VALUE_NUMBER && isnan (out->number))
    intake_value_set_string (out, "");
}

gboolean
_intake_scope_evaluate_boolean (Scope *scope, const IntakeExpr *expr)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_scope_evaluate (scope, expr, &value);
  return intake_value_to_boolean (&value);
}

/* Whether @choice passes @q's choice_filter in @scope (every choice does without a filter). */
gboolean
_intake_scope_choice_passes (Scope *scope, const IntakeQuestion *q, const IntakeChoice *choice)
{
  Scope choice_scope = *scope;

  if (q->choice_filter == NULL)
    return TRUE;
  choice_scope.choice = choice;
  return _intake_scope_evaluate_boolean (&choice_scope, q->choice_filter);
}

static gboolean
choice_name_passes (Scope *scope, const IntakeQuestion *q, const char *name)
{
  for (unsigned int i = 0; i < q->choices->len; i++)
    {
      const IntakeChoice *choice = q->choices->pdata[i];

      if (strcmp (choice->name, name) == 0)
        return _intake_scope_choice_passes (scope, q, choice);
    }
  return FALSE;
}

/*
 * Whether every chosen name of a (well-shaped) select answer is still offered by the filter.
 * JavaRosa drops a selection that its filter no longer offers (ItemsetBinding.getChoices); we
 * never change an answer behind the interviewer's back, so it is refused until changed.
 */
static gboolean
answer_passes_filter (Scope *scope, const IntakeQuestion *q, JsonNode *answer)
{
  if (q->choice_filter == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (answer) && json_node_get_value_type (answer) == G_TYPE_STRING)
    return choice_name_passes (scope, q, json_node_get_string (answer));
  if (JSON_NODE_HOLDS_ARRAY (answer))
    {
      JsonArray *array = json_node_get_array (answer);

      for (unsigned int i = 0; i < json_array_get_length (array); i++)
        {
          const char *name = json_array_get_string_element (array, i);

          if (name == NULL || !choice_name_passes (scope, q, name))
            return FALSE;
        }
    }
  return TRUE;
}

/* Required, shape and constraint of one answer; returns the kind of problem, if any. */
ProblemKind
_intake_scope_check_answer (Scope *scope, const IntakeQuestion *q, JsonNode *answer,
                            const char **key)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
  Scope constraint_scope;

  *key = NULL;
  if (intake_answer_is_declined (answer))
    return PROBLEM_NONE;
  if (_intake_answer_is_empty (answer))
    return q->required || (q->required_if != NULL
                           && _intake_scope_evaluate_boolean (scope, q->required_if))
             ? PROBLEM_REQUIRED
             : PROBLEM_NONE;
  if (!_intake_question_check_value (q, answer, key))
    return PROBLEM_INVALID;
  if (!answer_passes_filter (scope, q, answer))
    {
      *key = "choice_filter";
      return PROBLEM_INVALID;
    }
  if (q->type == INTAKE_QUESTION_REPEAT || q->constraint == NULL)
    return PROBLEM_NONE;
  _intake_answer_to_value (answer, &value);
  constraint_scope = *scope;
  constraint_scope.dot = &value;
  return _intake_scope_evaluate_boolean (&constraint_scope, q->constraint) ? PROBLEM_NONE
                                                                    : PROBLEM_CONSTRAINT;
}

/* One entry of a repeat: its children's relevance and values, in dependency order.  @outer is
 * the enclosing entry's scope for an inner repeat (NULL at the top level); @out_scope, when
 * given, receives this entry's scope, for evaluating inside it. */
void
_intake_form_session_evaluate_entry (IntakeFormSession *self, const Scope *outer,
                                     const IntakeQuestion *repeat, JsonObject *entry,
                                     unsigned int position, IntakeValue *values,
                                     gboolean *relevant, Scope *out_scope)
{
  GPtrArray *order = _intake_form_get_order (self->form);
  Scope scope = { self, NULL, repeat, values, NULL, NULL, position, NULL, outer, entry, relevant };

  for (unsigned int i = 0; i < order->len; i++)
    {
      const IntakeQuestion *q = order->pdata[i];

      if (q->repeat != repeat)
        continue;
      relevant[q->index] = relevant[q->parent->index]
                           && (q->relevant == NULL
                               || _intake_scope_evaluate_boolean (&scope, q->relevant));
      if (!relevant[q->index])
        {
          intake_value_clear (&values[q->index]);
        }
      else if (q->type == INTAKE_QUESTION_CALCULATE && q->calculation == NULL)
        {
          metadata_value (self, q, &values[q->index]);
        }
      else if (q->type == INTAKE_QUESTION_CALCULATE)
        {
          g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

          scope_evaluate_calculation (&scope, q, NULL, &value);
          intake_value_copy (&value, &values[q->index]);
        }
      else
        {
          _intake_answer_value (q, _intake_answer_in (entry, q), &values[q->index]);
        }
    }
  if (out_scope != NULL)
    *out_scope = scope;
}

static void check_repeat_count (Scope *scope, const IntakeQuestion *q, JsonNode *answer,
                                const char *path, GPtrArray *problems);

/*
 * Evaluates every entry of a repeat: the children's relevance and calculations in dependency
 * order, then their checks, and those of the repeats inside each entry the same way.  Called
 * whenever the top-level repeat's check is stale; entries are few.  @prefix names the
 * enclosing entry in problem paths ("household[2]/"; "" at the top level).
 */
static void
check_repeat_entries_full (IntakeFormSession *self, const Scope *outer,
                           const IntakeQuestion *repeat, const char *prefix, JsonArray *entries,
                           GPtrArray *problems, JsonArray *export)
{
  GPtrArray *order = _intake_form_get_order (self->form);
  g_autofree IntakeValue *values = g_new0 (IntakeValue, self->n);
  g_autofree gboolean *relevant = g_new0 (gboolean, self->n);

  relevant[repeat->index] = TRUE;
  for (unsigned int e = 0; e < json_array_get_length (entries); e++)
    {
      JsonObject *entry = entry_object (entries, e);
      Scope scope;
      g_autoptr(JsonObject) exported = export != NULL ? json_object_new () : NULL;
      g_autofree char *entry_path = g_strdup_printf ("%s%s[%u]/", prefix, repeat->name, e + 1);

      _intake_form_session_evaluate_entry (self, outer, repeat, entry, e + 1, values, relevant,
                                           &scope);
      for (unsigned int i = 0; i < order->len; i++)
        {
          const IntakeQuestion *q = order->pdata[i];
          g_autofree char *path = NULL;
          JsonNode *answer;
          const char *key;
          ProblemKind kind = PROBLEM_NONE;

          if (q->repeat != repeat || !relevant[q->index])
            continue;
          if (exported != NULL && q->type == INTAKE_QUESTION_CALCULATE)
            {
              g_autofree char *text = intake_value_dup_string (&values[q->index]);

              json_object_set_string_member (exported, q->name, text);
            }
          if (!intake_question_is_answerable (q))
            continue;
          answer = _intake_answer_in (entry, q);
          path = g_strconcat (entry_path, q->name, NULL);
          if (problems != NULL
              && (kind = _intake_scope_check_answer (&scope, q, answer, &key)) != PROBLEM_NONE)
            _intake_problem_add (problems, path, q, kind, key);
          if (q->type == INTAKE_QUESTION_REPEAT)
            {
              /* A repeat inside this entry: its entries are checked (and exported) within it. */
              g_autoptr(JsonArray) inner = export != NULL ? json_array_new () : NULL;

              if (kind == PROBLEM_NONE && answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
                check_repeat_entries_full (self, &scope, q, entry_path,
                                           json_node_get_array (answer), problems, inner);
              if (problems != NULL)
                check_repeat_count (&scope, q, answer, path, problems);
              if (exported != NULL && answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
                {
                  json_object_set_array_member (exported, q->name, g_steal_pointer (&inner));
                  continue;
                }
            }
          if (exported != NULL && answer != NULL)
            json_object_set_member (exported, q->name, json_node_copy (answer));
        }
      if (export != NULL)
        json_array_add_object_element (export, g_steal_pointer (&exported));
    }
  for (unsigned int i = 0; i < self->n; i++)
    intake_value_clear (&values[i]);
}

void
_intake_form_session_check_repeat_entries (IntakeFormSession *self, const IntakeQuestion *repeat,
                                           JsonArray *entries, GPtrArray *problems,
                                           JsonArray *export)
{
  check_repeat_entries_full (self, NULL, repeat, "", entries, problems, export);
}

/* A repeat_count that does not match the entries is a problem; an unknown count (not yet
 * answered) asks for nothing yet.  Inside an entry, the count is that entry's (@scope). */
static void
check_repeat_count (Scope *scope, const IntakeQuestion *q, JsonNode *answer, const char *path,
                    GPtrArray *problems)
{
  g_auto(IntakeValue) count = INTAKE_VALUE_INIT;
  unsigned int entries;
  double wanted;

  if (q->repeat_count == NULL || intake_answer_is_declined (answer))
    return;
  entries = answer != NULL && JSON_NODE_HOLDS_ARRAY (answer)
              ? json_array_get_length (json_node_get_array (answer))
              : 0;
  _intake_scope_evaluate (scope, q->repeat_count, &count);
  wanted = intake_value_to_number (&count);
  if (!intake_value_is_empty (&count) && isfinite (wanted) && wanted >= 0
      && (double) entries != floor (wanted))
    _intake_problem_add (problems, path, q, PROBLEM_INVALID, "repeat_count");
}

static void
recheck (IntakeFormSession *self, const IntakeQuestion *q)
{
  GPtrArray *problems = self->problems[q->index];
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
  JsonNode *answer;
  const char *key;
  ProblemKind kind;

  g_ptr_array_set_size (problems, 0);
  if (!self->relevant[q->index] || !intake_question_is_answerable (q))
    return;
  answer = _intake_answer_in (self->answers, q);
  kind = _intake_scope_check_answer (&scope, q, answer, &key);
  if (kind != PROBLEM_NONE)
    _intake_problem_add (problems, q->name, q, kind, key);
  else if (q->type == INTAKE_QUESTION_REPEAT && answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
    _intake_form_session_check_repeat_entries (self, q, json_node_get_array (answer), problems,
                                               NULL);
  check_repeat_count (&scope, q, answer, q->name, problems);
}

/* The value of a metadata question: as stored with the answers once stamped, else as the
 * session knows it now. */
static void
metadata_value (IntakeFormSession *self, const IntakeQuestion *q, IntakeValue *out)
{
  JsonNode *stored = self->answers != NULL ? json_object_get_member (self->answers, q->name)
                                           : NULL;
  const char *known;

  if (stored != NULL && JSON_NODE_HOLDS_VALUE (stored)
      && json_node_get_value_type (stored) == G_TYPE_STRING)
    {
      intake_value_set_string (out, json_node_get_string (stored));
      return;
    }
  known = self->metadata != NULL ? g_hash_table_lookup (self->metadata, q->kind) : NULL;
  if (known != NULL)
    intake_value_set_string (out, known);
  else if (strcmp (q->kind, "today") == 0 && self->today != NULL)
    intake_value_set_string (out, self->today);
  else
    intake_value_clear (out);
}

void
_intake_form_session_mark_value_dirty (IntakeFormSession *self, const IntakeQuestion *q)
{
  self->dirty_value[q->index] = TRUE;
}

/*
 * Brings relevance, values and checks up to date.  Only questions marked dirty are
 * recomputed, and a question marks its dependents only when its own relevance or value really
 * changed, so one answer costs what depends on it.  The form's order puts every question after
 * what it reads, so one pass from @start settles everything.
 */
void
_intake_form_session_update (IntakeFormSession *self, unsigned int start)
{
  GPtrArray *order = _intake_form_get_order (self->form);
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
  g_autoptr(GPtrArray) to_check = g_ptr_array_new ();

  for (unsigned int i = start; i < order->len; i++)
    {
      const IntakeQuestion *q = order->pdata[i];
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      gboolean relevant;

      if (!self->dirty_value[q->index])
        continue;
      self->dirty_value[q->index] = FALSE;
      if (q->repeat != NULL)
        continue;

      relevant = (q->parent == NULL || self->relevant[q->parent->index])
                 && (q->relevant == NULL || _intake_scope_evaluate_boolean (&scope, q->relevant));
      if (relevant && q->type == INTAKE_QUESTION_CALCULATE && q->calculation == NULL)
        metadata_value (self, q, &value);
      else if (relevant && q->type == INTAKE_QUESTION_CALCULATE)
        scope_evaluate_calculation (&scope, q, &self->values[q->index], &value);
      else if (relevant)
        _intake_answer_value (q, _intake_answer_in (self->answers, q), &value);

      if (!self->dirty_check[q->index])
        {
          self->dirty_check[q->index] = TRUE;
          g_ptr_array_add (to_check, (gpointer) q);
        }
      if (relevant == self->relevant[q->index]
          && intake_value_equal (&value, &self->values[q->index]))
        continue;
      self->relevant[q->index] = relevant;
      intake_value_copy (&value, &self->values[q->index]);
      g_clear_pointer (&self->result, json_node_unref);
      for (unsigned int k = 0; k < q->value_dependents->len; k++)
        _intake_form_session_mark_value_dirty (self, q->value_dependents->pdata[k]);
      for (unsigned int k = 0; k < q->check_dependents->len; k++)
        {
          const IntakeQuestion *d = q->check_dependents->pdata[k];

          if (!self->dirty_check[d->index])
            {
              self->dirty_check[d->index] = TRUE;
              g_ptr_array_add (to_check, (gpointer) d);
            }
        }
    }

  for (unsigned int i = 0; i < to_check->len; i++)
    {
      const IntakeQuestion *q = to_check->pdata[i];

      self->dirty_check[q->index] = FALSE;
      recheck (self, q);
    }
}

void
_intake_form_session_update_all (IntakeFormSession *self)
{
  for (unsigned int i = 0; i < self->n; i++)
    {
      self->dirty_value[i] = TRUE;
      self->relevant[i] = FALSE;
      intake_value_clear (&self->values[i]);
    }
  g_clear_pointer (&self->result, json_node_unref);
  _intake_form_session_update (self, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Entry paths                                                                                 */

static EntryPath *
entry_path_new (const Scope *base)
{
  EntryPath *path = g_new0 (EntryPath, 1);

  path->base = base;
  return path;
}

const Scope *
_intake_entry_path_innermost (EntryPath *path)
{
  return &path->scopes[path->depth - 1];
}

void
_intake_entry_path_clear (IntakeFormSession *self, EntryPath *path)
{
  for (unsigned int d = 0; d < path->depth; d++)
    {
      for (unsigned int i = 0; i < self->n; i++)
        intake_value_clear (&path->values[d][i]);
      g_free (path->values[d]);
      g_free (path->relevant[d]);
    }
  path->depth = 0;
}

/* Evaluates entry @index (from 0) of @repeat within the innermost entry of @path so far. */
gboolean
_intake_entry_path_push (IntakeFormSession *self, EntryPath *path, const IntakeQuestion *repeat,
                         unsigned int index)
{
  const Scope *container = path->depth > 0 ? &path->scopes[path->depth - 1] : path->base;
  JsonArray *entries;
  unsigned int d = path->depth;

  if (repeat == NULL || repeat->type != INTAKE_QUESTION_REPEAT
      || d == INTAKE_FORM_MAX_REPEAT_DEPTH
      || (entries = entries_in (self, container, repeat)) == NULL
      || index >= json_array_get_length (entries))
    return FALSE;
  path->values[d] = g_new0 (IntakeValue, self->n);
  path->relevant[d] = g_new0 (gboolean, self->n);
  path->relevant[d][repeat->index] = TRUE;
  path->depth++;
  _intake_form_session_evaluate_entry (self, container, repeat, entry_object (entries, index),
                                       index + 1, path->values[d], path->relevant[d],
                                       &path->scopes[d]);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* For the scoring                                                                             */

gboolean
_intake_form_session_question_relevant (IntakeFormSession *self, const IntakeQuestion *question)
{
  return question->repeat == NULL && self->relevant[question->index];
}

JsonNode *
_intake_form_session_effective_answer (IntakeFormSession *self, const IntakeQuestion *question)
{
  return _intake_answer_in (self->answers, question);
}

void
_intake_form_session_evaluate (IntakeFormSession *self, const IntakeExpr *expr,
                               const IntakeValue *dot, IntakeExprCallFunc call,
                               gpointer call_data, IntakeValue *out)
{
  Scope scope = { self, dot, NULL, NULL, call, call_data };

  _intake_scope_evaluate (&scope, expr, out);
}
