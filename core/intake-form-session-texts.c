/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the window shows about a question now: its required and read-only flags when they are
 * expressions, and its label and hint in the session's language, child wording when it applies,
 * with ${name} filled in (inside the entry set by set_label_entry).  Apart because it only reads
 * the evaluation and the entry paths, above both.
 */
#include "intake-form-session-struct-private.h"

#include <string.h>

/* A flag that may be an expression (required, read_only): inside a repeat, or written as yes/no,
 * the fixed value; else the expression evaluated with the answers as they are now. */
static gboolean
flag_now (IntakeFormSession *self, const IntakeQuestion *q, gboolean fixed, IntakeExpr *expr)
{
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };

  if (expr == NULL || q->repeat != NULL)
    return fixed;
  return _intake_scope_evaluate_boolean (&scope, expr);
}

gboolean
intake_form_session_is_required (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL && flag_now (self, q, q->required, q->required_if);
}

gboolean
intake_form_session_is_read_only (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL && flag_now (self, q, q->read_only, q->read_only_if);
}

/* Whether the form's child wording applies now (its child_when holds). */
static gboolean
is_child (IntakeFormSession *self)
{
  IntakeExpr *when = _intake_form_get_child_when (self->form);
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };

  return when != NULL && _intake_scope_evaluate_boolean (&scope, when);
}

void
intake_form_session_set_label_entry (IntakeFormSession *self, const char *repeat,
                                     unsigned int entry)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_free (self->label_repeat);
  self->label_repeat = g_strdup (repeat);
  self->label_entry = entry;
}

/* ${name} in a text replaced by that question's value now: outside repeats the answer's, inside
 * the entry set by set_label_entry that entry's or an enclosing one's.  A name that is no such
 * question stays as written, so that a typo shows rather than vanishes. */
static char *
substitute (IntakeFormSession *self, const char *text)
{
  GString *out;
  const char *p;
  EntryPath path = { NULL, 0 };
  gboolean in_entry;

  if (text == NULL)
    return NULL;
  in_entry = self->label_repeat != NULL && strstr (text, "${") != NULL
             && _intake_entry_path_resolve (self, self->label_repeat, self->label_entry, &path);
  out = g_string_new (NULL);
  p = text;
  while (*p != '\0')
    {
      const char *open = strstr (p, "${");
      const char *close = open != NULL ? strchr (open + 2, '}') : NULL;
      g_autofree char *name = NULL;
      const IntakeQuestion *q;
      const Scope *own;

      if (open == NULL || close == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, open - p);
      name = g_strndup (open + 2, close - open - 2);
      q = intake_form_lookup_question (self->form, name);
      if (q != NULL && q->repeat == NULL)
        {
          g_autofree char *value = intake_value_dup_string (&self->values[q->index]);

          g_string_append (out, value);
        }
      else if (q != NULL && in_entry
               && (own = _intake_scope_of (_intake_entry_path_innermost (&path), q->repeat))
                    != NULL)
        {
          g_autofree char *value = intake_value_dup_string (&own->entry_values[q->index]);

          g_string_append (out, value);
        }
      else
        {
          g_string_append_len (out, open, close - open + 1);
        }
      p = close + 1;
    }
  if (in_entry)
    _intake_entry_path_clear (self, &path);
  return g_string_free (out, FALSE);
}

/* @adult's text in the session's language, or @child's while the child wording applies, with
 * ${name} filled in; NULL when the question has neither. */
static char *
dup_text (IntakeFormSession *self, IntakeText *adult, IntakeText *child)
{
  if (child != NULL && is_child (self))
    return substitute (self, _intake_text_get (self->form, child, self->language));
  return substitute (self, _intake_text_get (self->form, adult, self->language));
}

char *
intake_form_session_dup_label (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL ? dup_text (self, q->label, q->child_label) : NULL;
}

char *
intake_form_session_dup_label_in (IntakeFormSession *self, const char *repeat,
                                  unsigned int entry, const char *name)
{
  char *shown_repeat, *label;
  unsigned int shown_entry;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  /* The entry the window shows is put back: only this label reads @entry. */
  shown_repeat = self->label_repeat;
  shown_entry = self->label_entry;
  self->label_repeat = (char *) repeat;
  self->label_entry = entry;
  label = intake_form_session_dup_label (self, name);
  self->label_repeat = shown_repeat;
  self->label_entry = shown_entry;
  return label;
}

char *
intake_form_session_dup_hint (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL ? dup_text (self, q->hint, q->child_hint) : NULL;
}
