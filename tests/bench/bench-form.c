/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Re-evaluating a 300-question form after one answer changes, against evaluating the same
 * answers from scratch, measured side by side in one run (machines here are noisy, so only the
 * ratio is comparable between runs).  Prints, as its last line:
 *
 *   bench: form-reeval ratio=R (median_incremental_us=… median_full_us=… questions=300)
 *
 * Target: median incremental ≤ 1 ms.  Nothing is asserted on time.
 *
 * Before it, a line "bench: form-reeval-odk …" measures the same form written with ODK's
 * function library (issue 12): round(), pow(), coalesce(), if(), regex(), format-date(),
 * string-length(concat()), and one summary reading a repeat as a node-set with sum().
 */
#include "intake-form-session.h"

#include <stdlib.h>
#include <time.h>

#define N_QUESTIONS 300
#define ROUNDS 301

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (double *values, size_t n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

/*
 * A form shaped like real ones: answered questions in groups of ten, each group shown
 * depending on an earlier answer, calculations over nearby answers, constraints, a few
 * select questions and notes.  Exactly N_QUESTIONS items, groups included.
 */
static char *
generate_form (gboolean odk)
{
  GString *s = g_string_new ("{\"id\": \"bench\", \"version\": 1, \"title\": {\"en\": \"B\"}, "
                             "\"default_language\": \"en\", \"languages\": [\"en\"], "
                             "\"questions\": [");
  int count = 0;
  int group = 0;

  while (count < N_QUESTIONS)
    {
      int first = count;

      if (group > 0)
        g_string_append (s, ",");
      g_string_append_printf (s, "{\"type\": \"group\", \"name\": \"g%d\", \"label\": {\"en\": "
                              "\"G\"}, ", group);
      if (group > 0)
        g_string_append_printf (s, "\"relevant\": \"${q%d} != 99\", ", first - 5);
      g_string_append (s, "\"children\": [");
      count++;
      for (int k = 0; k < 9 && count < N_QUESTIONS; k++, count++)
        {
          int i = count;

          if (k > 0)
            g_string_append (s, ",");
          if (k == 4 && odk)
            g_string_append_printf (s, "{\"type\": \"calculate\", \"name\": \"q%d\", "
                                    "\"calculation\": \"round(pow(coalesce(${q%d}, 0), 2) div 3, "
                                    "1) + if(${q%d} > 50, int(${q%d} div 7), 0)\"}", i, i - 1,
                                    i - 2, i - 2);
          else if (k == 4)
            g_string_append_printf (s, "{\"type\": \"calculate\", \"name\": \"q%d\", "
                                    "\"calculation\": \"${q%d} + ${q%d} * 2\"}", i, i - 1, i - 2);
          else if (k == 7 && odk)
            g_string_append_printf (s, "{\"type\": \"note\", \"name\": \"q%d\", \"label\": "
                                    "{\"en\": \"N\"}, \"relevant\": \"regex(string(${q%d}), "
                                    "'[0-9]+') and string-length(concat(${q%d}, '-', "
                                    "format-date(date(${q%d}), '%%Y'))) > 6\"}", i, i - 3, i - 3,
                                    i - 3);
          else if (k == 7)
            g_string_append_printf (s, "{\"type\": \"note\", \"name\": \"q%d\", \"label\": "
                                    "{\"en\": \"N\"}, \"relevant\": \"${q%d} > 10\"}", i, i - 3);
          else if (k == 8)
            g_string_append_printf (s, "{\"type\": \"select_one\", \"name\": \"q%d\", \"label\": "
                                    "{\"en\": \"S\"}, \"required\": true, \"choices\": ["
                                    "{\"name\": \"yes\", \"label\": {\"en\": \"Y\"}},"
                                    "{\"name\": \"no\", \"label\": {\"en\": \"N\"}}], "
                                    "\"relevant\": \"${q%d} < 1000 or selected(${q%d}, 'x')\"}",
                                    i, i - 4, i - 2);
          else
            g_string_append_printf (s, "{\"type\": \"integer\", \"name\": \"q%d\", \"label\": "
                                    "{\"en\": \"I\"}, \"required\": true, \"constraint\": "
                                    "\". >= 0 and . < 100000\"}", i);
        }
      g_string_append (s, "]}");
      group++;
    }
  if (odk)
    g_string_append (s, ",{\"type\": \"repeat\", \"name\": \"r\", \"label\": {\"en\": \"R\"}, "
                        "\"children\": [{\"type\": \"integer\", \"name\": \"r_n\", "
                        "\"label\": {\"en\": \"N\"}}]},"
                        "{\"type\": \"calculate\", \"name\": \"r_total\", "
                        "\"calculation\": \"sum(${r_n}) + count(${r}) + ${q1}\"}");
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

/* Median microseconds of one answer's re-evaluation, and of evaluating from scratch. */
static gboolean
measure (gboolean odk, double *inc_us, double *full_us, unsigned int *n_questions)
{
  g_autofree char *doc = generate_form (odk);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT,
                                                          &error);
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autoptr(IntakeFormSession) session = NULL;
  g_autofree double *incremental = g_new0 (double, ROUNDS);
  g_autofree double *full = g_new0 (double, ROUNDS);
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  GRand *rand = g_rand_new_with_seed (300);

  if (form == NULL)
    {
      g_printerr ("bench-form: generated form refused: %s\n", error->message);
      g_rand_free (rand);
      return FALSE;
    }
  *n_questions = intake_form_get_n_questions (form);
  g_assert (odk || *n_questions == N_QUESTIONS);
  for (unsigned int i = 0; i < intake_form_get_n_questions (form); i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);

      if (intake_question_get_question_type (q) == INTAKE_QUESTION_INTEGER)
        json_object_set_int_member (answers, intake_question_get_name (q), i);
      else if (intake_question_get_question_type (q) == INTAKE_QUESTION_SELECT_ONE)
        json_object_set_string_member (answers, intake_question_get_name (q), "yes");
    }
  if (odk)
    {
      g_autoptr(JsonNode) entries = json_from_string ("[{\"r_n\": 1}, {\"r_n\": 2}, {\"r_n\": 3}]",
                                                      NULL);

      json_object_set_member (answers, "r", g_steal_pointer (&entries));
    }
  session = intake_form_session_new (form, answers, NULL);

  for (int round = 0; round < ROUNDS; round++)
    {
      const IntakeQuestion *q;
      double start;

      /* One answer changes: a random integer question, to a new value. */
      do
        q = intake_form_get_question (form, g_rand_int_range (rand, 0, N_QUESTIONS));
      while (intake_question_get_question_type (q) != INTAKE_QUESTION_INTEGER);
      json_node_set_int (value, g_rand_int_range (rand, 0, 2000));

      start = now_us ();
      intake_form_session_set_answer (session, intake_question_get_name (q), value, NULL);
      incremental[round] = now_us () - start;

      /* The baseline: the same answers, every question re-evaluated from scratch. */
      start = now_us ();
      intake_form_session_set_answers (session, intake_form_session_get_answers (session));
      full[round] = now_us () - start;
    }
  g_rand_free (rand);

  *inc_us = median (incremental, ROUNDS);
  *full_us = median (full, ROUNDS);
  return TRUE;
}

int
main (int argc, char *argv[])
{
  double inc_us, full_us;
  unsigned int n;

  if (!measure (TRUE, &inc_us, &full_us, &n))
    return 1;
  g_print ("bench: form-reeval-odk ratio=%.4f (median_incremental_us=%.1f median_full_us=%.1f "
           "questions=%u)\n", inc_us / full_us, inc_us, full_us, n);
  if (!measure (FALSE, &inc_us, &full_us, &n))
    return 1;
  g_print ("bench: form-reeval ratio=%.4f (median_incremental_us=%.1f median_full_us=%.1f "
           "questions=%u)\n", inc_us / full_us, inc_us, full_us, n);
  return 0;
}
