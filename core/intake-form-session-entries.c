/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One entry of a repeat as the window reads it: a repeat path ("household[2]/member") resolved
 * to its entries, and that entry's steps, offered choices and problems.  Apart from the
 * session's top-level readers because nested entry paths are a concern of their own; the
 * texts (${name} inside an entry) use the path resolution here.
 */
#include "intake-form-session-struct-private.h"

#include <string.h>

gboolean
_intake_entry_path_resolve (IntakeFormSession *self, const char *repeat, unsigned int entry,
                            EntryPath *path)
{
  g_auto(GStrv) steps = g_strsplit (repeat, "/", INTAKE_FORM_MAX_REPEAT_DEPTH + 1);
  unsigned int n = g_strv_length (steps);

  path->base = NULL;
  path->depth = 0;
  for (unsigned int i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;
      guint64 number = entry + 1;
      const char *open = strchr (steps[i], '[');

      if (i + 1 < n)
        {
          char *end = NULL;

          if (open == NULL)
            break;
          number = g_ascii_strtoull (open + 1, &end, 10);
          if (end == NULL || strcmp (end, "]") != 0 || number < 1 || number > G_MAXUINT)
            break;
          name = g_strndup (steps[i], open - steps[i]);
        }
      else if (open != NULL)
        {
          break;
        }
      else
        {
          name = g_strdup (steps[i]);
        }
      if (!_intake_entry_path_push (self, path, intake_form_lookup_question (self->form, name),
                                    (unsigned int) number - 1))
        break;
      if (i + 1 == n)
        return TRUE;
    }
  _intake_entry_path_clear (self, path);
  return FALSE;
}

GStrv
intake_form_session_dup_entry_visible (IntakeFormSession *self, const char *repeat,
                                       unsigned int entry)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  EntryPath path;
  const Scope *scope;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (repeat != NULL, NULL);

  if (!_intake_entry_path_resolve (self, repeat, entry, &path))
    return NULL;
  scope = &path.scopes[path.depth - 1];
  builder = g_strv_builder_new ();
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);

      if (q->repeat == scope->repeat && scope->entry_relevant[q->index]
          && (intake_question_is_answerable (q) || q->type == INTAKE_QUESTION_NOTE))
        g_strv_builder_add (builder, q->name);
    }
  _intake_entry_path_clear (self, &path);
  return g_strv_builder_end (builder);
}

GStrv
intake_form_session_dup_entry_visible_choices (IntakeFormSession *self, const char *repeat,
                                               unsigned int entry, const char *name)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const IntakeQuestion *q;
  EntryPath path;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (repeat != NULL && name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->choices == NULL || !_intake_entry_path_resolve (self, repeat, entry, &path))
    return NULL;
  /* The entry's own values, as its checks see them (check_repeat_entries_full). */
  if (q->repeat == path.scopes[path.depth - 1].repeat)
    {
      builder = g_strv_builder_new ();
      for (unsigned int i = 0; i < q->choices->len; i++)
        {
          const IntakeChoice *choice = q->choices->pdata[i];

          if (_intake_scope_choice_passes (&path.scopes[path.depth - 1], q, choice))
            g_strv_builder_add (builder, choice->name);
        }
    }
  _intake_entry_path_clear (self, &path);
  return builder != NULL ? g_strv_builder_end (builder) : NULL;
}

/* The top-level repeat that a repeat path ("household[2]/member") starts with, or NULL. */
static const IntakeQuestion *
path_top_repeat (IntakeFormSession *self, const char *repeat)
{
  g_autofree char *name = g_strndup (repeat, strcspn (repeat, "[/"));
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);

  return q != NULL && q->type == INTAKE_QUESTION_REPEAT && q->repeat == NULL ? q : NULL;
}

char *
intake_form_session_dup_entry_problem (IntakeFormSession *self, const char *repeat,
                                       unsigned int entry, const char *child)
{
  g_autofree char *path = NULL;
  const IntakeQuestion *r;
  GPtrArray *problems;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (repeat != NULL && child != NULL, NULL);

  r = path_top_repeat (self, repeat);
  if (r == NULL)
    return NULL;
  path = g_strdup_printf ("%s[%u]/%s", repeat, entry + 1, child);
  problems = self->problems[r->index];
  for (unsigned int k = 0; k < problems->len; k++)
    {
      Problem *problem = problems->pdata[k];

      if (g_strcmp0 (problem->path, path) == 0)
        return g_strdup (_intake_problem_message (self, problem));
    }
  return NULL;
}
