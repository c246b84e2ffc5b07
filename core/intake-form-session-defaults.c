/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the session fills in by itself (XLSForm's further columns, issue #12): metadata stamped
 * into the answers, dynamic defaults on first load and in a new repeat entry.  Apart because it
 * writes answers through the session's public setters, above the evaluation it reads.
 */
#include "intake-form-session-struct-private.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* XLSForm's further columns (issue #12)                                                       */

void
intake_form_session_set_metadata (IntakeFormSession *self, const char *kind, const char *value)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));
  g_return_if_fail (kind != NULL);

  if (self->metadata == NULL)
    self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (value != NULL)
    g_hash_table_insert (self->metadata, g_strdup (kind), g_strdup (value));
  else
    g_hash_table_remove (self->metadata, kind);
  _intake_form_session_update_all (self);
}

void
intake_form_session_stamp_metadata (IntakeFormSession *self, const char *now)
{
  g_autofree char *local_now = NULL;
  g_autofree char *today = NULL;

  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  if (now == NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_now_local ();

      local_now = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
      now = local_now;
    }
  today = self->today != NULL ? g_strdup (self->today) : g_strndup (now, 10);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      const char *value = NULL;
      JsonNode *stored;

      if (q->type != INTAKE_QUESTION_CALCULATE || q->calculation != NULL || q->repeat != NULL)
        continue;
      stored = json_object_get_member (self->answers, q->name);
      /* "end" moves with every save; the others are fixed the first time. */
      if (stored != NULL && !JSON_NODE_HOLDS_NULL (stored) && strcmp (q->kind, "end") != 0)
        continue;
      if (strcmp (q->kind, "start") == 0 || strcmp (q->kind, "end") == 0)
        value = now;
      else if (strcmp (q->kind, "today") == 0)
        value = today;
      else if (self->metadata != NULL)
        value = g_hash_table_lookup (self->metadata, q->kind);
      if (value != NULL)
        json_object_set_string_member (self->answers, q->name, value);
    }
  _intake_form_session_update_all (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Dynamic defaults (issue #12)                                                                */

/*
 * The answer a dynamic default's value gives @q, as JavaRosa stores a value set into a question
 * (IAnswerData.wrapData): none for an empty string or a number that is not one, a number cut
 * towards zero for an integer, dates as ODK writes them, a space-separated list for a
 * select_multiple.  None either when the value does not fit the question (a choice it does not
 * have, a number outside its range), so that only an answer the question can hold is stored.
 */
static JsonNode *
default_answer (const IntakeQuestion *q, const IntakeValue *value)
{
  g_autofree char *text = intake_value_dup_string (value);
  g_autofree char *blank = g_strstrip (g_strdup (text));
  g_autoptr(JsonNode) node = NULL;
  const char *problem;
  double number;

  if (*blank == '\0')
    return NULL;
  switch (q->type)
    {
    case INTAKE_QUESTION_INTEGER:
      number = intake_value_to_number (value);
      /* Beyond 2^53 a double no longer holds every whole number. */
      if (!isfinite (number) || fabs (number) >= 9007199254740992.0)
        return NULL;
      node = json_node_init_int (json_node_alloc (), (gint64) trunc (number));
      break;
    case INTAKE_QUESTION_DECIMAL:
      number = intake_value_to_number (value);
      if (!isfinite (number))
        return NULL;
      node = json_node_init_double (json_node_alloc (), number);
      break;
    case INTAKE_QUESTION_DATE:
      {
        g_autofree char *date = intake_value_dup_date_answer (value, "date");

        node = json_node_init_string (json_node_alloc (), date);
      }
      break;
    case INTAKE_QUESTION_SELECT_MULTIPLE:
      {
        g_auto(GStrv) names = g_strsplit_set (text, " \t\n", 0);
        JsonArray *array = json_array_new ();

        for (unsigned int i = 0; names[i] != NULL; i++)
          if (*names[i] != '\0')
            json_array_add_string_element (array, names[i]);
        node = json_node_init_array (json_node_alloc (), array);
        json_array_unref (array);
      }
      break;
    case INTAKE_QUESTION_TEXT:
    case INTAKE_QUESTION_SELECT_ONE:
    case INTAKE_QUESTION_NOTE:
    case INTAKE_QUESTION_CALCULATE:
    case INTAKE_QUESTION_GROUP:
    case INTAKE_QUESTION_REPEAT:
    default:
      node = json_node_init_string (json_node_alloc (), text);
      /* now() into a time or dateTime question: its time of day, or itself as ODK writes it. */
      if ((g_strcmp0 (q->kind, "time") == 0 || g_strcmp0 (q->kind, "dateTime") == 0)
          && !_intake_question_check_value (q, node, &problem))
        {
          g_autofree char *converted = intake_value_dup_date_answer (value, q->kind);

          json_node_set_string (node, converted);
        }
      break;
    }
  if (!_intake_question_check_value (q, node, &problem))
    return NULL;
  return g_steal_pointer (&node);
}

void
intake_form_session_apply_first_load_defaults (IntakeFormSession *self)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      g_autoptr(JsonNode) answer = NULL;
      JsonNode *given;

      if (q->dynamic_default == NULL || q->repeat != NULL)
        continue;
      /* An answer given as the interview is created (interview import) is kept. */
      given = json_object_get_member (self->answers, q->name);
      if (given != NULL && !JSON_NODE_HOLDS_NULL (given))
        continue;
      _intake_scope_evaluate (&scope, q->dynamic_default, &value);
      answer = default_answer (q, &value);
      if (answer != NULL)
        intake_form_session_set_answer (self, q->name, answer, NULL);
    }
}

/* A new object with @src's members (json_node_copy () shares objects, it does not copy them). */
static JsonObject *
new_object_from (JsonObject *src)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, src);
  while (json_object_iter_next (&iter, &name, &value))
    json_object_set_member (copy, name, json_node_copy (value));
  return copy;
}

/*
 * Sets @repeat's entries to those it has now with @entry (copied) in place of the last one, or
 * with @append after them.  Entries are new objects each time: the window borrows the old ones.
 */
static void
set_last_entry (IntakeFormSession *self, const IntakeQuestion *repeat, JsonObject *entry,
                gboolean append)
{
  JsonNode *old = json_object_get_member (self->answers, repeat->name);
  JsonArray *old_entries = old != NULL && JSON_NODE_HOLDS_ARRAY (old) ? json_node_get_array (old)
                                                                       : NULL;
  unsigned int keep = old_entries == NULL ? 0
                      : json_array_get_length (old_entries) - (append ? 0 : 1);
  JsonArray *entries = json_array_new ();
  g_autoptr(JsonNode) node = NULL;

  for (unsigned int i = 0; i < keep; i++)
    json_array_add_element (entries, json_node_copy (json_array_get_element (old_entries, i)));
  json_array_add_object_element (entries, new_object_from (entry));
  node = json_node_init_array (json_node_alloc (), entries);
  json_array_unref (entries);
  intake_form_session_set_answer (self, repeat->name, node, NULL);
}

/*
 * A repeat path inside entries ("boats[1]/crew") as its repeats' names and the 0-based entries
 * that hold the next one; FALSE when it is not one.
 */
static gboolean
parse_entry_path (const char *path, GStrv *names, unsigned int *entries, unsigned int *depth)
{
  g_auto(GStrv) steps = g_strsplit (path, "/", INTAKE_FORM_MAX_REPEAT_DEPTH + 1);
  unsigned int n = g_strv_length (steps);

  if (n < 2 || n > INTAKE_FORM_MAX_REPEAT_DEPTH)
    return FALSE;
  *names = g_new0 (char *, n + 1);
  for (unsigned int i = 0; i < n; i++)
    {
      const char *open = strchr (steps[i], '[');
      char *end = NULL;
      guint64 number;

      if (i + 1 == n)
        {
          if (open != NULL)
            break;
          (*names)[i] = g_strdup (steps[i]);
          *depth = n;
          return TRUE;
        }
      if (open == NULL)
        break;
      number = g_ascii_strtoull (open + 1, &end, 10);
      if (end == NULL || strcmp (end, "]") != 0 || number < 1 || number > G_MAXUINT)
        break;
      (*names)[i] = g_strndup (steps[i], open - steps[i]);
      entries[i] = (unsigned int) number - 1;
    }
  g_clear_pointer (names, g_strfreev);
  return FALSE;
}

/*
 * @container's repeat @names[level] rebuilt: inside entry @entries[level] the next repeat
 * rebuilt the same way, and at the innermost repeat @entry (copied) appended or in place of the
 * last entry.  Every object on the way is new: the window borrows the old ones.  NULL when an
 * entry on the way is missing.
 */
static JsonNode *
rebuild_entries (JsonObject *container, char **names, const unsigned int *entries,
                 unsigned int depth, unsigned int level, JsonObject *entry, gboolean append)
{
  JsonNode *old = container != NULL ? json_object_get_member (container, names[level]) : NULL;
  JsonArray *old_entries = old != NULL && JSON_NODE_HOLDS_ARRAY (old) ? json_node_get_array (old)
                                                                       : NULL;
  unsigned int n = old_entries != NULL ? json_array_get_length (old_entries) : 0;
  g_autoptr(JsonArray) rebuilt = json_array_new ();

  if (level + 1 == depth)
    {
      unsigned int keep = append || n == 0 ? n : n - 1;

      for (unsigned int i = 0; i < keep; i++)
        json_array_add_element (rebuilt, json_node_copy (json_array_get_element (old_entries, i)));
      json_array_add_object_element (rebuilt, new_object_from (entry));
      return json_node_init_array (json_node_alloc (), rebuilt);
    }
  if (entries[level] >= n
      || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (old_entries, entries[level])))
    return NULL;
  for (unsigned int i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (old_entries, i);
      JsonObject *holder;
      JsonNode *inner;

      if (i != entries[level])
        {
          json_array_add_element (rebuilt, json_node_copy (element));
          continue;
        }
      inner = rebuild_entries (json_node_get_object (element), names, entries, depth, level + 1,
                               entry, append);
      if (inner == NULL)
        return NULL;
      holder = new_object_from (json_node_get_object (element));
      json_object_set_member (holder, names[level + 1], inner);
      json_array_add_object_element (rebuilt, holder);
    }
  return json_node_init_array (json_node_alloc (), rebuilt);
}

/* The innermost repeat's entries as the answers hold them now, or NULL. */
static JsonArray *
inner_entries (IntakeFormSession *self, char **names, const unsigned int *entries,
               unsigned int depth)
{
  JsonObject *container = self->answers;

  for (unsigned int level = 0; level < depth; level++)
    {
      JsonNode *node = container != NULL ? json_object_get_member (container, names[level])
                                         : NULL;
      JsonArray *list = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node)
                                                                      : NULL;
      JsonNode *element;

      if (list == NULL || level + 1 == depth)
        return list;
      if (entries[level] >= json_array_get_length (list))
        return NULL;
      element = json_array_get_element (list, entries[level]);
      container = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
    }
  return NULL;
}

/*
 * add_entry for a repeat inside entries ("boats[1]/crew"): the entry is added through the
 * entries that hold it, then each dynamic default is evaluated in the entry as it stands,
 * within its enclosing entries (as odk-new-repeat runs there), and set before the next.
 */
static gboolean
add_inner_entry (IntakeFormSession *self, const char *path, unsigned int *entry, GError **error)
{
  g_auto(GStrv) names = NULL;
  unsigned int entries[INTAKE_FORM_MAX_REPEAT_DEPTH] = { 0 };
  unsigned int depth = 0, position = 0;
  const IntakeQuestion *rq = NULL;
  g_autoptr(JsonObject) fresh = json_object_new ();
  JsonNode *node;

  if (parse_entry_path (path, &names, entries, &depth))
    rq = intake_form_lookup_question (self->form, names[depth - 1]);
  if (rq == NULL || rq->type != INTAKE_QUESTION_REPEAT || rq->repeat == NULL
      || g_strcmp0 (rq->repeat->name, names[depth - 2]) != 0)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "'%s' is not a repeat inside an entry", path);
      return FALSE;
    }
  node = rebuild_entries (self->answers, names, entries, depth, 0, fresh, TRUE);
  if (node == NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "'%s' names an entry that does not exist", path);
      return FALSE;
    }
  intake_form_session_set_answer (self, names[0], node, NULL);
  json_node_unref (node);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      g_autoptr(JsonNode) answer = NULL;
      EntryPath resolved;
      JsonObject *next;

      if (q->repeat != rq || q->dynamic_default == NULL)
        continue;
      /* The new entry is the last one; read again each time, as the defaults set change it. */
      {
        JsonArray *inner = inner_entries (self, names, entries, depth);

        position = inner != NULL ? json_array_get_length (inner) : 0;
      }
      if (position == 0 || !_intake_entry_path_resolve (self, path, position - 1, &resolved))
        break;
      _intake_scope_evaluate (&resolved.scopes[resolved.depth - 1], q->dynamic_default, &value);
      _intake_entry_path_clear (self, &resolved);
      answer = default_answer (q, &value);
      if (answer == NULL)
        continue;
      next = new_object_from (fresh);
      json_object_set_member (next, q->name, g_steal_pointer (&answer));
      json_object_unref (fresh);
      fresh = next;
      node = rebuild_entries (self->answers, names, entries, depth, 0, fresh, FALSE);
      intake_form_session_set_answer (self, names[0], node, NULL);
      json_node_unref (node);
    }
  if (entry != NULL)
    {
      JsonArray *inner = inner_entries (self, names, entries, depth);

      *entry = inner != NULL && json_array_get_length (inner) > 0
                 ? json_array_get_length (inner) - 1
                 : 0;
    }
  return TRUE;
}

gboolean
intake_form_session_add_entry (IntakeFormSession *self, const char *repeat, unsigned int *entry,
                               GError **error)
{
  const IntakeQuestion *rq;
  g_autoptr(JsonObject) fresh = json_object_new ();
  JsonArray *entries;
  unsigned int position;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (repeat != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strchr (repeat, '/') != NULL)
    return add_inner_entry (self, repeat, entry, error);
  rq = _intake_form_session_lookup_answerable (self, repeat, error);
  if (rq == NULL)
    return FALSE;
  if (rq->type != INTAKE_QUESTION_REPEAT)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "question '%s' is a %s, not a repeat", repeat,
                   intake_question_type_to_string (rq->type));
      return FALSE;
    }
  /* The entry exists before its defaults are evaluated, as ODK adds it before odk-new-repeat:
   * count() sees it, and position(..) is its number. */
  set_last_entry (self, rq, fresh, TRUE);
  entries = json_node_get_array (json_object_get_member (self->answers, rq->name));
  position = json_array_get_length (entries);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      g_autofree IntakeValue *values = NULL;
      g_autofree gboolean *relevant = NULL;
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      g_autoptr(JsonNode) answer = NULL;
      JsonObject *next;

      if (q->repeat != rq || q->dynamic_default == NULL)
        continue;
      values = g_new0 (IntakeValue, self->n);
      relevant = g_new0 (gboolean, self->n);
      relevant[rq->index] = TRUE;
      {
        Scope scope;

        _intake_form_session_evaluate_entry (self, NULL, rq, fresh, position, values, relevant,
                                             &scope);
        _intake_scope_evaluate (&scope, q->dynamic_default, &value);
      }
      for (unsigned int k = 0; k < self->n; k++)
        intake_value_clear (&values[k]);
      answer = default_answer (q, &value);
      if (answer == NULL)
        continue;
      next = new_object_from (fresh);
      json_object_set_member (next, q->name, g_steal_pointer (&answer));
      json_object_unref (fresh);
      fresh = next;
      set_last_entry (self, rq, fresh, FALSE);
    }
  if (entry != NULL)
    *entry = position - 1;
  return TRUE;
}
