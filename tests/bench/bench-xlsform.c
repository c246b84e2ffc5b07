/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Importing a 500-question XLSForm (.xlsx: unzip, parse the sheets, convert, check with the form
 * loader) against importing the equivalent JSON form document (parse, check), measured side by
 * side in one run: machines here are noisy, so only the ratio compares between runs.  Prints,
 * as its last line:
 *
 *   bench: xlsform-import ratio=R (median_xlsx_us=… median_json_us=… questions=500 bytes=…)
 *
 * and before it, the imported form re-evaluated after one answer changes, against evaluating
 * all its answers from scratch (as bench-form does for a JSON form; target ≤ 1 ms):
 *
 *   bench: xlsform-reeval ratio=R (median_incremental_us=… median_full_us=… questions=500)
 *
 * Nothing is asserted on time.
 */
#include "intake-form-session.h"
#include "intake-xlsform.h"
#include "xlsx-writer.h"

#include <stdlib.h>
#include <time.h>

#define N_QUESTIONS 500
#define ROUNDS 31

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
 * A survey shaped like real ones, in two languages: groups of ten (the group row included),
 * shown depending on an earlier answer, integers with constraints, calculations, notes and
 * selects from a shared list.
 */
static char *
generate_survey (void)
{
  GString *s = g_string_new ("type|name|label::English (en)|label::Bahasa Indonesia (id)|"
                             "hint::English (en)|hint::Bahasa Indonesia (id)|required|relevant|"
                             "constraint|calculation");
  int count = 0;

  for (int group = 0; count < N_QUESTIONS; group++)
    {
      int first = count;

      if (group > 0)
        g_string_append_printf (s, "\nbegin group|g%d|Part %d|Bagian %d||||${q%d} != 99||",
                                group, group, group, first - 5);
      else
        g_string_append_printf (s, "\nbegin group|g%d|Part %d|Bagian %d||||||", group, group,
                                group);
      count++;
      for (int k = 0; k < 9 && count < N_QUESTIONS; k++, count++)
        {
          int i = count;

          if (k == 4)
            g_string_append_printf (s, "\ncalculate|q%d|||||||| ${q%d} + ${q%d} * 2", i, i - 1,
                                    i - 2);
          else if (k == 7)
            g_string_append_printf (s, "\nnote|q%d|Note %d|Catatan %d||||${q%d} > 10||", i, i,
                                    i, i - 3);
          else if (k == 8)
            g_string_append_printf (s, "\nselect_one yn|q%d|Yes or no %d?|Ya atau tidak %d?|||yes|"
                                    "${q%d} < 1000||", i, i, i, i - 4);
          else
            g_string_append_printf (s, "\ninteger|q%d|How many %d?|Berapa %d?|A number|Angka|yes|"
                                    "|. >= 0 and . < 100000|", i, i, i);
        }
      if (count <= N_QUESTIONS)
        g_string_append (s, "\nend group|||||||||");
    }
  return g_string_free (s, FALSE);
}

int
main (int argc, char *argv[])
{
  g_autofree char *survey = generate_survey ();
  const char *const sheets[] = {
    "survey", survey,
    "choices", "list_name|name|label::English (en)|label::Bahasa Indonesia (id)\n"
               "yn|yes|Yes|Ya\nyn|no|No|Tidak",
    "settings", "form_id|version|default_language\nbench|1|English (en)",
    NULL,
  };
  g_autoptr(GBytes) xlsx = test_xlsx_from_tables (sheets);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autofree char *json = NULL;
  g_autofree double *xlsx_us = g_new0 (double, ROUNDS);
  g_autofree double *json_us = g_new0 (double, ROUNDS);
  gsize length;
  const char *data = g_bytes_get_data (xlsx, &length);
  double x, j;

  document = intake_xlsform_convert (data, length, INTAKE_XLSFORM_FORMAT_XLSX, NULL, "bench",
                                     &error);
  if (document == NULL)
    {
      g_printerr ("bench-xlsform: generated workbook refused: %s\n", error->message);
      return 1;
    }
  json = json_to_string (document, FALSE);
  form = intake_form_new_from_data (json, -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert (form != NULL);
  g_assert (intake_form_get_n_questions (form) == N_QUESTIONS);

  /* Alternate the two, so that a noisy neighbour slows both alike. */
  for (int round = 0; round < ROUNDS; round++)
    {
      double start = now_us ();
      g_autoptr(JsonNode) converted = intake_xlsform_convert (data, length,
                                                              INTAKE_XLSFORM_FORMAT_XLSX, NULL,
                                                              "bench", NULL);
      g_autoptr(IntakeForm) loaded = NULL;

      g_assert (converted != NULL);
      xlsx_us[round] = now_us () - start;
      start = now_us ();
      loaded = intake_form_new_from_data (json, -1, INTAKE_FORM_LOAD_DEFAULT, NULL);
      g_assert (loaded != NULL);
      json_us[round] = now_us () - start;
    }
  /* One answer changes in the imported form: a random integer question, to a new value. */
  {
    g_autoptr(JsonObject) answers = json_object_new ();
    g_autoptr(IntakeFormSession) session = NULL;
    g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
    g_autofree double *incremental = g_new0 (double, ROUNDS * 10);
    g_autofree double *full = g_new0 (double, ROUNDS * 10);
    GRand *rand = g_rand_new_with_seed (500);
    double inc_us, full_us;

    for (unsigned int i = 0; i < intake_form_get_n_questions (form); i++)
      {
        const IntakeQuestion *q = intake_form_get_question (form, i);

        if (intake_question_get_question_type (q) == INTAKE_QUESTION_INTEGER)
          json_object_set_int_member (answers, intake_question_get_name (q), i);
        else if (intake_question_get_question_type (q) == INTAKE_QUESTION_SELECT_ONE)
          json_object_set_string_member (answers, intake_question_get_name (q), "yes");
      }
    session = intake_form_session_new (form, answers, NULL);
    for (int round = 0; round < ROUNDS * 10; round++)
      {
        const IntakeQuestion *q;
        double start;

        do
          q = intake_form_get_question (form, g_rand_int_range (rand, 0, N_QUESTIONS));
        while (intake_question_get_question_type (q) != INTAKE_QUESTION_INTEGER);
        json_node_set_int (value, g_rand_int_range (rand, 0, 2000));
        start = now_us ();
        intake_form_session_set_answer (session, intake_question_get_name (q), value, NULL);
        incremental[round] = now_us () - start;
        start = now_us ();
        intake_form_session_set_answers (session, intake_form_session_get_answers (session));
        full[round] = now_us () - start;
      }
    g_rand_free (rand);
    inc_us = median (incremental, ROUNDS * 10);
    full_us = median (full, ROUNDS * 10);
    g_print ("bench: xlsform-reeval ratio=%.4f (median_incremental_us=%.1f median_full_us=%.1f "
             "questions=%d)\n", inc_us / full_us, inc_us, full_us, N_QUESTIONS);
  }

  x = median (xlsx_us, ROUNDS);
  j = median (json_us, ROUNDS);
  g_print ("bench: xlsform-import ratio=%.2f (median_xlsx_us=%.0f median_json_us=%.0f "
           "questions=%d bytes=%" G_GSIZE_FORMAT ")\n", x / j, x, j, N_QUESTIONS, length);
  return 0;
}
