/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scoring rule, branch by branch, on a small form (tests/core/data/scoring-form.json) whose
 * rules mirror the bundled form's: Delphi thresholds, the trafficking, child, forced-labour,
 * exploitation, inconclusive and insufficient rules, urgent flags, "unsure", "prefer not to
 * say" and hidden answers.
 */
#include "intake-form-session.h"

#include <string.h>

/* Everything answered, nothing present: reverse-coded items (a2, e2) say "yes". */
#define BASELINE                                                                              \
  "age=30 danger=no a1=no a2=yes a3=no b1=no c1=no d1=8 d2=no d3=no d4=no d5=no d6=no "       \
  "e1=no e2=yes e3=no gate=no control=none f1=no"

typedef struct
{
  const char *name;
  const char *changes; /* key=value; "declined"; a+b for several choices; -key to remove. */
  const char *level;
  const char *rule;    /* NULL: no rule met. */
  gboolean urgent;
  const char *met;     /* Dimensions met, comma-separated. */
  const char *follow_up;
} Case;

static const Case cases[] = {
  { "none", "", "no_indicators", NULL, FALSE, "", "" },
  { "trafficking", "a1=yes a3=yes d1=16 d2=yes e1=yes e2=no", "likely_trafficking", "trafficking",
    FALSE, "D1,D4,D5", "" },
  { "trafficking-d6-reverse", "a1=yes a2=no d3=yes d4=yes d5=yes control=locked+watched",
    "likely_trafficking", "trafficking", FALSE, "D1,D4,D6", "" },
  { "child-d4-alone", "age=15 d1=16 d6=yes", "likely_trafficking", "child", TRUE, "D4", "" },
  { "adult-d4-alone", "age=30 d1=16 d6=yes", "exploitation", "exploitation", FALSE, "D4", "" },
  { "child-without-d4-strong-is-urgent", "age=12 b1=yes", "inconclusive", "inconclusive", TRUE,
    "", "" },
  { "forced-labour", "a1=yes e3=yes", "likely_forced_labour", "forced", FALSE, "", "" },
  { "exploitation-3-medium", "d2=yes d3=yes d4=yes", "exploitation", "exploitation", FALSE, "D4",
    "" },
  { "exploitation-2-medium-1-weak", "d3=yes d4=yes d5=yes", "exploitation", "exploitation", FALSE,
    "D4", "" },
  { "threshold-2-medium-not-met", "d3=yes d4=yes", "inconclusive", "inconclusive", FALSE, "", "" },
  { "threshold-1-strong-1-weak", "a1=yes a3=yes", "inconclusive", "inconclusive", FALSE, "D1",
    "" },
  { "threshold-1-strong-not-met", "a1=yes", "inconclusive", "inconclusive", FALSE, "", "" },
  { "threshold-2-strong", "e1=yes e2=no", "likely_forced_labour", "forced", FALSE, "D5", "" },
  { "inconclusive-strong", "b1=yes", "inconclusive", "inconclusive", FALSE, "", "" },
  { "inconclusive-2-medium", "c1=yes f1=yes", "inconclusive", "inconclusive", FALSE, "", "" },
  { "one-medium-is-nothing", "c1=yes", "no_indicators", NULL, FALSE, "", "" },
  { "insufficient-declined", "a1=declined a2=declined", "insufficient_answers", "insufficient",
    FALSE, "", "" },
  /* a2 is reverse-coded: were "prefer not to say" read as "no", it would be present. */
  { "declined-is-not-no", "a1=declined a2=declined a3=declined", "insufficient_answers",
    "insufficient", FALSE, "", "" },
  { "insufficient-unanswered", "-a1 -a2", "insufficient_answers", "insufficient", FALSE, "", "" },
  { "one-of-three-missing-is-enough", "-a1", "no_indicators", NULL, FALSE, "", "" },
  { "unsure-counts-for-nothing", "a1=unsure b1=unsure d1=16", "inconclusive", "inconclusive",
    FALSE, "", "a1,b1" },
  { "hidden-answer-excluded", "gate=no e4=yes e1=yes", "inconclusive", "inconclusive", FALSE, "",
    "" },
  { "shown-answer-counts", "gate=yes e4=yes e1=yes", "inconclusive", "inconclusive", FALSE, "D5",
    "" },
  { "urgent-overrides", "danger=yes", "no_indicators", NULL, TRUE, "", "" },
  { "choice-indicator-one", "control=locked", "inconclusive", "inconclusive", FALSE, "", "" },
  { "present-when-boundary", "d1=14 d6=yes", "inconclusive", "inconclusive", FALSE, "", "" },
  { "present-when-over", "d1=15 d6=yes", "exploitation", "exploitation", FALSE, "D4", "" },
};

static IntakeForm *
load_form (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "data",
                                                 "scoring-form.json", NULL);
  g_autoptr(GError) error = NULL;
  IntakeForm *form = intake_form_new_from_file (path, INTAKE_FORM_LOAD_DEFAULT, &error);

  g_assert_no_error (error);
  return form;
}

static void
apply (JsonObject *answers, const char *changes)
{
  g_auto(GStrv) parts = g_strsplit (changes, " ", -1);

  for (size_t i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      g_autofree char *key = NULL;
      const char *value;

      if (*parts[i] == '\0')
        continue;
      if (parts[i][0] == '-')
        {
          json_object_remove_member (answers, parts[i] + 1);
          continue;
        }
      g_assert_nonnull (eq);
      key = g_strndup (parts[i], eq - parts[i]);
      value = eq + 1;
      if (strcmp (value, "declined") == 0)
        json_object_set_member (answers, key, intake_answer_new_declined ());
      else if (g_ascii_isdigit (*value))
        json_object_set_int_member (answers, key, g_ascii_strtoll (value, NULL, 10));
      else if (strcmp (key, "control") == 0)
        {
          g_auto(GStrv) choices = g_strsplit (value, "+", -1);
          JsonArray *array = json_array_new ();

          for (size_t k = 0; choices[k] != NULL; k++)
            json_array_add_string_element (array, choices[k]);
          json_object_set_array_member (answers, key, array);
        }
      else
        json_object_set_string_member (answers, key, value);
    }
}

static char *
joined (JsonArray *array, const char *member, gboolean only_met)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (unsigned int i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *text;

      if (member != NULL)
        {
          JsonObject *object = json_node_get_object (element);

          if (only_met && !json_object_get_boolean_member (object, "met"))
            continue;
          text = json_object_get_string_member (object, member);
        }
      else
        {
          text = json_node_get_string (element);
        }
      g_string_append_printf (s, "%s%s", s->len > 0 ? "," : "", text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JsonObject *
score (IntakeForm *form, const char *changes, const char *language, JsonNode **keep)
{
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autoptr(IntakeFormSession) session = NULL;

  apply (answers, BASELINE);
  apply (answers, changes);
  session = intake_form_session_new (form, answers, language);
  *keep = intake_form_session_dup_result_json (session);
  return json_node_get_object (*keep);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(IntakeForm) form = load_form ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *result = score (form, c->changes, NULL, &node);
  g_autofree char *met = joined (json_object_get_array_member (result, "dimensions"), "id", TRUE);
  g_autofree char *follow_up = joined (json_object_get_array_member (result, "follow_up"), NULL,
                                       FALSE);

  g_assert_cmpstr (json_object_get_string_member (result, "level"), ==, c->level);
  g_assert_cmpstr (json_object_get_string_member_with_default (result, "rule", NULL), ==,
                   c->rule);
  g_assert_cmpint (json_object_get_boolean_member (result, "urgent"), ==, c->urgent);
  g_assert_cmpstr (met, ==, c->met);
  g_assert_cmpstr (follow_up, ==, c->follow_up);
  g_assert_nonnull (strstr (json_object_get_string_member (result, "disclaimer"),
                            "not a legal determination"));
}

static JsonObject *
dimension (JsonObject *result, const char *id)
{
  JsonArray *dimensions = json_object_get_array_member (result, "dimensions");

  for (unsigned int i = 0; i < json_array_get_length (dimensions); i++)
    {
      JsonObject *d = json_array_get_object_element (dimensions, i);

      if (strcmp (json_object_get_string_member (d, "id"), id) == 0)
        return d;
    }
  g_assert_not_reached ();
}

static void
test_declined_counts_as_missing (void)
{
  g_autoptr(IntakeForm) form = load_form ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *result = score (form, "a1=declined a2=declined", NULL, &node);
  JsonObject *d1 = dimension (result, "D1");

  g_assert_cmpint (json_object_get_int_member (d1, "items"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (d1, "missing"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (d1, "medium"), ==, 0);
  g_assert_true (json_object_get_boolean_member (d1, "insufficient"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "reasons")), ==,
                    0);
}

static void
test_hidden_excluded (void)
{
  g_autoptr(IntakeForm) form = load_form ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *result = score (form, "gate=no e4=yes e1=yes", NULL, &node);
  JsonObject *d5 = dimension (result, "D5");
  JsonArray *reasons = json_object_get_array_member (result, "reasons");

  /* e4 is hidden: not an item, not missing, not a reason. */
  g_assert_cmpint (json_object_get_int_member (d5, "items"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (d5, "missing"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (d5, "strong"), ==, 1);
  g_assert_cmpuint (json_array_get_length (reasons), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (reasons, 0),
                                                  "question"), ==, "e1");
}

static void
test_reasons_and_referrals (void)
{
  g_autoptr(IntakeForm) form = load_form ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *result = score (form, "age=15 d1=16 d6=yes danger=yes", "id", &node);
  JsonArray *reasons = json_object_get_array_member (result, "reasons");
  JsonObject *first = json_array_get_object_element (reasons, 0);
  g_autofree char *referrals = joined (json_object_get_array_member (result, "referrals"), "id",
                                       FALSE);
  g_autofree char *urgent = joined (json_object_get_array_member (result, "urgent_reasons"),
                                    "rule", FALSE);

  g_assert_cmpstr (json_object_get_string_member (first, "question"), ==, "d1");
  g_assert_cmpint (json_object_get_int_member (first, "answer"), ==, 16);
  g_assert_cmpstr (json_object_get_string_member (first, "indicator"), ==, "d1");
  g_assert_cmpstr (json_object_get_string_member (first, "dimension"), ==, "D4");
  g_assert_cmpstr (json_object_get_string_member (first, "strength"), ==, "strong");
  /* Referrals in the order the form lists them, from the urgent rules and the level's rule. */
  g_assert_cmpstr (referrals, ==, "safety,child,identify");
  g_assert_cmpstr (urgent, ==, "danger,child_strong");
  /* Labels follow the interview's language. */
  g_assert_cmpstr (json_object_get_string_member (result, "level_label"), ==,
                   "likely_trafficking (id)");
  g_assert_cmpstr (json_object_get_string_member (result, "rule_label"), ==, "child (id)");
}

static void
test_result_updates_incrementally (void)
{
  g_autoptr(IntakeForm) form = load_form ();
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);

  apply (answers, BASELINE);
  session = intake_form_session_new (form, answers, NULL);
  first = intake_form_session_dup_result_json (session);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (first), "level"), ==,
                   "no_indicators");
  json_node_set_string (value, "yes");
  g_assert_true (intake_form_session_set_answer (session, "b1", value, NULL));
  second = intake_form_session_dup_result_json (session);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second), "level"), ==,
                   "inconclusive");
}

/* The form with its scoring section changed by @edit (a JSON member and its value). */
static IntakeForm *
load_form_with (const char *member, JsonNode *value, GError **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "data",
                                                 "scoring-form.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  JsonObject *scoring;

  json_parser_load_from_file (parser, path, error);
  g_assert_no_error (*error);
  scoring = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                           "scoring");
  json_object_set_member (scoring, member, value);
  text = json_to_string (json_parser_get_root (parser), FALSE);
  return intake_form_new_from_data (text, -1, INTAKE_FORM_LOAD_DEFAULT, error);
}

/*
 * The sufficiency rule: a dimension is insufficient when at least missing_ratio of its
 * relevant items and at least missing_min of them are missing.  c1 is D3's only item here: with
 * the default (1) its "prefer not to say" leaves D3 insufficient; with 2 it does not, and a
 * second declined item in the same dimension would be needed.
 */
static void
test_missing_min (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) plain = load_form ();
  g_autoptr(IntakeForm) two = load_form_with ("missing_min", json_node_init_int (
                                                json_node_alloc (), 2), &error);
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(JsonNode) c = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (score (plain, "c1=declined", NULL, &a),
                                                  "level"), ==, "insufficient_answers");
  g_assert_false (json_object_get_boolean_member (
    dimension (score (two, "c1=declined", NULL, &b), "D3"), "insufficient"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (b), "level"), ==,
                   "no_indicators");
  /* Two of D1's three items: both the share and the count are reached. */
  g_assert_true (json_object_get_boolean_member (
    dimension (score (two, "a1=declined a3=declined", NULL, &c), "D1"), "insufficient"));
}

static void
test_missing_min_refused (void)
{
  const int bad[] = { 0, -1, 101 };

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeForm) form = load_form_with ("missing_min", json_node_init_int (
                                                     json_node_alloc (), bad[i]), &error);

      g_assert_null (form);
      g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MALFORMED);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/intake/core/scoring/rule/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/intake/core/scoring/declined-counts-as-missing",
                   test_declined_counts_as_missing);
  g_test_add_func ("/intake/core/scoring/hidden-answers-excluded", test_hidden_excluded);
  g_test_add_func ("/intake/core/scoring/reasons-and-referrals", test_reasons_and_referrals);
  g_test_add_func ("/intake/core/scoring/result-updates", test_result_updates_incrementally);
  g_test_add_func ("/intake/core/scoring/missing-min", test_missing_min);
  g_test_add_func ("/intake/core/scoring/missing-min-refused", test_missing_min_refused);
  return g_test_run ();
}
