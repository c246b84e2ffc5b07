/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the expression parser and evaluator.  Any input must parse or fail with
 * an error, and evaluate against a fixed set of answers without crashing, leaking or hanging.
 */
#include "intake-expr.h"

#include "fuzz-glib.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

FUZZ_DEFINE_INITIALIZE (NULL)

static void
lookup_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  if (name == NULL)
    intake_value_set_string (out, "food water");
  else if (strcmp (name, "age") == 0)
    intake_value_set_number (out, 16);
  else if (strcmp (name, "hours") == 0)
    intake_value_set_string (out, "18");
  else if (strcmp (name, "flag") == 0)
    intake_value_set_boolean (out, TRUE);
  else if (strcmp (name, "name") == 0)
    intake_value_set_string (out, "Siti Rahayu");
  /* Any other name is an unanswered question: the empty string. */
}

/* Node-sets: ${member} has three entries, anything else is its one value. */
static void
lookup_all_cb (const char *name, GArray *values, gpointer user_data)
{
  unsigned int n = strcmp (name, "member") == 0 ? 3 : 1;

  for (unsigned int i = 0; i < n; i++)
    {
      IntakeValue value = INTAKE_VALUE_INIT;

      if (i == 1)
        intake_value_set_string (&value, "");
      else
        lookup_cb (name, &value, user_data);
      g_array_append_val (values, value);
    }
}

static void
lookup_entry_cb (const char *name, unsigned int index, IntakeValue *out, gpointer user_data)
{
  if (index == 2)
    lookup_cb (name, out, user_data);
}

static char *
choice_label_cb (const char *question, const char *choice, gpointer user_data)
{
  return strcmp (choice, "yes") == 0 ? g_strdup ("Yes") : NULL;
}

static void
choice_column_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  if (strcmp (name, "name") == 0)
    intake_value_set_string (out, "water");
}

static void
call_cb (const char *function, const IntakeValue *args, unsigned int n_args, IntakeValue *out,
         gpointer user_data)
{
  if (strcmp (function, "indicators") == 0)
    intake_value_set_number (out, n_args);
  else
    intake_value_set_boolean (out, n_args > 0 && intake_value_to_boolean (&args[0]));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = NULL;
  g_autoptr(GHashTable) names = NULL;
  IntakeExprContext context = { lookup_cb, call_cb, NULL, "2026-11-28" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
  g_autofree char *string = NULL;

  /* The first byte picks the parse flags, the rest is the expression. */
  if (size < 1)
    return 0;
  /* Every input sees the same clock, random numbers and repeat entry: runs are repeatable. */
  context.lookup_all = lookup_all_cb;
  context.choice_label = choice_label_cb;
  /* Every other input also takes indexed-repeat() through lookup_entry. */
  context.lookup_entry = size % 2 == 0 ? lookup_entry_cb : NULL;
  context.choice_column = choice_column_cb;
  context.now = "2026-11-28T10:20:30.000+07:00";
  context.rand = rand;
  context.position = 2;
  text = g_strndup ((const char *) data + 1, size - 1);
  expr = intake_expr_parse (text, (IntakeExprParseFlags) (data[0] & 7), &error);
  if (expr == NULL)
    {
      g_assert (error != NULL && strstr (error->message, "column ") == error->message);
      return 0;
    }
  names = g_hash_table_new (g_str_hash, g_str_equal);
  intake_expr_collect_references (expr, names);
  (void) intake_expr_reads_all (expr, "member");
  (void) intake_expr_uses_function (expr, "jr:choice-name");
  intake_expr_evaluate (expr, &context, &value);
  string = intake_value_dup_string (&value);
  (void) intake_value_to_number (&value);
  (void) intake_expr_evaluate_boolean (expr, &context);
  return 0;
}
