/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * References and the dependency graph: what each expression may read (repeats read from
 * outside only as node-sets), the graph that tells the session what to recompute when an answer
 * changes, the topological order of evaluation, and the refusal of cycles among calculations,
 * relevance and dynamic defaults, named along their path.  Apart because it runs on the whole
 * form once every question is parsed, and the scoring section's rules are checked through it.
 */
#include "intake-form-loader-private.h"

#include <string.h>

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
gboolean
_intake_loader_check_references (IntakeFormLoader *loader, IntakeExpr *expr,
                                 const IntakeQuestion *reader, const char *reader_name,
                                 const char *member)
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
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, reader_name,
                                    "%s refers to ${%s}, which is not a question of this form",
                                    member, (const char *) l->data);
      if (target->type == INTAKE_QUESTION_GROUP || target->type == INTAKE_QUESTION_NOTE)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, reader_name,
                                    "%s refers to ${%s}, a %s, which has no value", member,
                                    target->name, _intake_question_type_names[target->type]);
      /* Node-set functions (sum, count, join, indexed-repeat…) may read every entry. */
      if (target->repeat != NULL && !repeat_holds (target->repeat, reader_repeat)
          && !intake_expr_reads_all (expr, target->name))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, reader_name,
                                    "%s refers to ${%s}, which is inside the repeat '%s'", member,
                                    target->name, target->repeat->name);
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

gboolean
_intake_loader_build_graph (IntakeFormLoader *loader)
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

      if (!_intake_loader_check_references (loader, q->relevant, q, q->name, "relevant")
          || !_intake_loader_check_references (loader, q->calculation, q, q->name, "calculation")
          || !_intake_loader_check_references (loader, q->constraint, q, q->name, "constraint")
          || !_intake_loader_check_references (loader, q->required_if, q, q->name, "required")
          || !_intake_loader_check_references (loader, q->read_only_if, q, q->name, "read_only")
          || !_intake_loader_check_references (loader, q->repeat_count, q, q->name, "repeat_count")
          || !_intake_loader_check_references (loader, q->choice_filter, q, q->name,
                                               "choice_filter")
          || !_intake_loader_check_references (loader, q->dynamic_default, q, q->name,
                                               "dynamic_default"))
        return FALSE;
      if (q->indicator != NULL
          && !_intake_loader_check_references (loader, q->indicator->present_when, NULL, q->name,
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
            return _intake_loader_fail (
                loader, INTAKE_FORM_ERROR_CYCLE, q->name,
                "cycle among calculations and relevance: %s depends on itself", q->name);
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
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_CYCLE, NULL,
                                    "cycle among calculations");
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
      return _intake_loader_fail (loader, INTAKE_FORM_ERROR_CYCLE, start->name,
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
 * is a mistake in the form, so it is refused with the path it reads along.
 * _intake_loader_build_graph () has already refused cycles among calculations, so any cycle found
 * here passes through a default; one depth-first walk over what each calculation and default reads
 * finds it.
 */
gboolean
_intake_loader_check_default_cycles (IntakeFormLoader *loader)
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
              return _intake_loader_fail (
                  loader, INTAKE_FORM_ERROR_CYCLE, ((IntakeQuestion *) path->pdata[from])->name,
                  "the dynamic_default reads its own answer, which is always empty "
                  "when it is evaluated: %s",
                  text->str);
            }
        }
    }
  return TRUE;
}
