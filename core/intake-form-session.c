/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form session: its life cycle, answers set and checked, relevance, the visible steps and
 * navigation, values and problems.  Evaluation is in intake-form-session-eval.c; the repeat
 * entries as the window reads them, texts, JSON and defaults are in the files named for them,
 * each above this one.
 */
#include "intake-form-session-struct-private.h"

G_DEFINE_FINAL_TYPE (IntakeFormSession, intake_form_session, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------------ */
/* Life cycle                                                                                  */

static void
intake_form_session_finalize (GObject *object)
{
  IntakeFormSession *self = INTAKE_FORM_SESSION (object);

  for (unsigned int i = 0; i < self->n; i++)
    {
      intake_value_clear (&self->values[i]);
      g_ptr_array_unref (self->problems[i]);
    }
  g_free (self->values);
  g_free (self->problems);
  g_free (self->relevant);
  g_free (self->dirty_value);
  g_free (self->dirty_check);
  g_clear_pointer (&self->result, json_node_unref);
  g_clear_pointer (&self->answers, json_object_unref);
  g_free (self->language);
  g_free (self->today);
  g_free (self->now);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_free (self->label_repeat);
  g_clear_object (&self->form);

  G_OBJECT_CLASS (intake_form_session_parent_class)->finalize (object);
}

static void
intake_form_session_class_init (IntakeFormSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_form_session_finalize;
}

static void
intake_form_session_init (IntakeFormSession *self)
{
}

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) copy = NULL;

  if (object == NULL)
    return json_object_new ();
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  copy = json_node_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

IntakeFormSession *
intake_form_session_new (IntakeForm *form, JsonObject *answers, const char *language)
{
  IntakeFormSession *self;

  g_return_val_if_fail (INTAKE_IS_FORM (form), NULL);

  self = g_object_new (INTAKE_TYPE_FORM_SESSION, NULL);
  self->form = g_object_ref (form);
  self->n = intake_form_get_n_questions (form);
  self->relevant = g_new0 (gboolean, self->n);
  self->values = g_new0 (IntakeValue, self->n);
  self->dirty_value = g_new0 (gboolean, self->n);
  self->dirty_check = g_new0 (gboolean, self->n);
  self->problems = g_new0 (GPtrArray *, self->n);
  for (unsigned int i = 0; i < self->n; i++)
    self->problems[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_problem_free);
  intake_form_session_set_language (self, language);
  self->answers = copy_object (answers);
  _intake_form_session_update_all (self);
  return self;
}

IntakeForm *
intake_form_session_get_form (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  return self->form;
}

const char *
intake_form_session_get_language (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  return self->language;
}

void
intake_form_session_set_language (IntakeFormSession *self, const char *language)
{
  g_autofree char *previous = NULL;
  GPtrArray *order;

  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  previous = g_steal_pointer (&self->language);

  if (language != NULL && intake_form_has_language (self->form, language))
    self->language = g_strdup (language);
  else
    self->language = g_strdup (intake_form_get_default_language (self->form));
  g_clear_pointer (&self->result, json_node_unref);
  if (g_strcmp0 (previous, self->language) == 0)
    return;

  /* jr:choice-name() gives a label in the session's language: only those values change. */
  order = _intake_form_get_order (self->form);
  for (unsigned int i = 0; i < order->len; i++)
    {
      const IntakeQuestion *q = order->pdata[i];

      if ((q->calculation != NULL && intake_expr_uses_function (q->calculation, "jr:choice-name"))
          || (q->relevant != NULL && intake_expr_uses_function (q->relevant, "jr:choice-name")))
        _intake_form_session_mark_value_dirty (self, q);
    }
  _intake_form_session_update (self, 0);
}

void
intake_form_session_set_today (IntakeFormSession *self, const char *today)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_free (self->today);
  self->today = g_strdup (today);
  _intake_form_session_update_all (self);
}

void
intake_form_session_set_now (IntakeFormSession *self, const char *now)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_free (self->now);
  self->now = g_strdup (now);
  _intake_form_session_update_all (self);
}

void
intake_form_session_set_random_seed (IntakeFormSession *self, guint32 seed)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_clear_pointer (&self->rand, g_rand_free);
  self->rand = g_rand_new_with_seed (seed);
  _intake_form_session_update_all (self);
}

JsonObject *
intake_form_session_get_answers (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  return self->answers;
}

void
intake_form_session_set_answers (IntakeFormSession *self, JsonObject *answers)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_clear_pointer (&self->answers, json_object_unref);
  self->answers = copy_object (answers);
  _intake_form_session_update_all (self);
}

const IntakeQuestion *
_intake_form_session_lookup_answerable (IntakeFormSession *self, const char *name, GError **error)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);

  if (q == NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_UNKNOWN_QUESTION,
                   "form '%s' has no question '%s'", intake_form_get_id (self->form), name);
      return NULL;
    }
  if (!intake_question_is_answerable (q))
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "question '%s' is a %s and takes no answer", name,
                   intake_question_type_to_string (q->type));
      return NULL;
    }
  if (q->repeat != NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "question '%s' is inside the repeat '%s'; answer the repeat as a whole", name,
                   q->repeat->name);
      return NULL;
    }
  return q;
}

gboolean
intake_form_session_set_answer (IntakeFormSession *self, const char *name, JsonNode *value,
                                GError **error)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = _intake_form_session_lookup_answerable (self, name, error);
  if (q == NULL)
    return FALSE;
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    json_object_remove_member (self->answers, name);
  else
    json_object_set_member (self->answers, name, json_node_copy (value));

  /* Scoring reads raw answers (declined, unsure), so any change can change the result. */
  g_clear_pointer (&self->result, json_node_unref);
  _intake_form_session_mark_value_dirty (self, q);
  /*
   * What reads a repeat's entries from outside (sum(), count(), indexed-repeat()…) depends on
   * their content, not only on their number, which is all the repeat's own value says.
   */
  if (q->type == INTAKE_QUESTION_REPEAT)
    for (unsigned int k = 0; k < q->value_dependents->len; k++)
      _intake_form_session_mark_value_dirty (self, q->value_dependents->pdata[k]);
  _intake_form_session_update (self, q->order);
  return TRUE;
}

gboolean
intake_form_session_validate_answer (IntakeFormSession *self, const char *name, JsonNode *value,
                                     GError **error)
{
  const IntakeQuestion *q;
  Scope scope = { NULL, NULL, NULL, NULL, NULL, NULL };
  g_autoptr(GPtrArray) problems = NULL;
  Problem problem = { NULL, NULL, PROBLEM_NONE, NULL };

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = _intake_form_session_lookup_answerable (self, name, error);
  if (q == NULL)
    return FALSE;
  scope.self = self;
  problem.question = q;
  problem.kind = _intake_scope_check_answer (&scope, q, value, &problem.key);
  if (problem.kind == PROBLEM_NONE && q->type == INTAKE_QUESTION_REPEAT && value != NULL
      && JSON_NODE_HOLDS_ARRAY (value))
    {
      problems = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_problem_free);
      _intake_form_session_check_repeat_entries (self, q, json_node_get_array (value), problems,
                                                 NULL);
      if (problems->len > 0)
        {
          Problem *first = problems->pdata[0];

          g_set_error (error, INTAKE_FORM_ERROR, _intake_problem_error_code (first), "%s: %s",
                       first->path, _intake_problem_message (self, first));
          return FALSE;
        }
    }
  if (problem.kind != PROBLEM_NONE)
    {
      g_set_error_literal (error, INTAKE_FORM_ERROR, _intake_problem_error_code (&problem),
                           _intake_problem_message (self, &problem));
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_form_session_is_relevant (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL)
    return FALSE;
  /* Inside a repeat, relevance is per entry; here we can only say whether the repeat shows. */
  while (q->repeat != NULL)
    q = q->repeat;
  return self->relevant[q->index];
}

static gboolean
is_step (IntakeFormSession *self, const IntakeQuestion *q)
{
  if (q->repeat != NULL || !self->relevant[q->index])
    return FALSE;
  /* Metadata is stored with the answers but asked of nobody. */
  if (q->type == INTAKE_QUESTION_CALCULATE)
    return FALSE;
  return intake_question_is_answerable (q) || q->type == INTAKE_QUESTION_NOTE;
}

GStrv
intake_form_session_dup_visible (IntakeFormSession *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);

      if (is_step (self, q))
        g_strv_builder_add (builder, q->name);
    }
  return g_strv_builder_end (builder);
}

const char *
intake_form_session_get_next (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *from = NULL;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  if (name != NULL && (from = intake_form_lookup_question (self->form, name)) == NULL)
    return NULL;
  /* Steps inside a repeat are the window's business; navigation moves past the repeat. */
  if (from != NULL && from->repeat != NULL)
    from = from->repeat;
  for (unsigned int i = from != NULL ? from->index + 1 : 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);

      if (is_step (self, q))
        return q->name;
    }
  return NULL;
}

const char *
intake_form_session_get_previous (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *from = NULL;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  if (name != NULL && (from = intake_form_lookup_question (self->form, name)) == NULL)
    return NULL;
  if (from != NULL && from->repeat != NULL)
    from = from->repeat;
  for (unsigned int i = from != NULL ? from->index : self->n; i > 0; i--)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i - 1);

      if (is_step (self, q))
        return q->name;
    }
  return NULL;
}

char *
intake_form_session_dup_value (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->repeat != NULL)
    return g_strdup ("");
  return intake_value_dup_string (&self->values[q->index]);
}

char *
intake_form_session_dup_problem (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;
  GPtrArray *problems;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->repeat != NULL)
    return NULL;
  problems = self->problems[q->index];
  if (problems->len == 0)
    return NULL;
  if (q->type == INTAKE_QUESTION_REPEAT && problems->len > 0
      && ((Problem *) problems->pdata[0])->question != q)
    return g_strdup_printf ("%s: %s", ((Problem *) problems->pdata[0])->path,
                            _intake_problem_message (self, problems->pdata[0]));
  return g_strdup (_intake_problem_message (self, problems->pdata[0]));
}

GStrv
intake_form_session_dup_visible_choices (IntakeFormSession *self, const char *name)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->choices == NULL || q->repeat != NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (unsigned int i = 0; i < q->choices->len; i++)
    {
      const IntakeChoice *choice = q->choices->pdata[i];

      if (_intake_scope_choice_passes (&scope, q, choice))
        g_strv_builder_add (builder, choice->name);
    }
  return g_strv_builder_end (builder);
}

JsonNode *
intake_form_session_dup_problems_json (IntakeFormSession *self)
{
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  for (unsigned int i = 0; i < self->n; i++)
    {
      GPtrArray *problems = self->problems[i];

      for (unsigned int k = 0; k < problems->len; k++)
        {
          Problem *problem = problems->pdata[k];
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "question", problem->path);
          json_object_set_string_member (object, "code", _intake_problem_code (problem));
          json_object_set_string_member (object, "message",
                                         _intake_problem_message (self, problem));
          json_array_add_object_element (array, object);
        }
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

gboolean
intake_form_session_is_complete (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);

  for (unsigned int i = 0; i < self->n; i++)
    if (self->problems[i]->len > 0)
      return FALSE;
  return TRUE;
}

gboolean
intake_form_session_check_complete (IntakeFormSession *self, GError **error)
{
  g_autoptr(GString) message = NULL;
  unsigned int count = 0;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  message = g_string_new (NULL);
  for (unsigned int i = 0; i < self->n; i++)
    {
      GPtrArray *problems = self->problems[i];

      for (unsigned int k = 0; k < problems->len; k++)
        {
          Problem *problem = problems->pdata[k];

          g_string_append_printf (message, "%s%s: %s", count > 0 ? "; " : "", problem->path,
                                  _intake_problem_message (self, problem));
          count++;
        }
    }
  if (count == 0)
    return TRUE;
  g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INCOMPLETE, "%u problem%s: %s", count,
               count == 1 ? "" : "s", message->str);
  return FALSE;
}
