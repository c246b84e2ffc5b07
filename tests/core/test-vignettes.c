/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The screening result on written cases: tests/core/data/vignettes.json holds short stories of
 * fishers, domestic workers, construction and plantation workers, scam-compound workers, sex
 * work, forced marriage, children, clear non-cases, partial answers and interviews that stopped,
 * each with its answers and the outcome the frameworks give (the level, the rule, the
 * dimensions met and the urgent rules).  Each runs through the bundled form exactly as the
 * store computes an interview's result (intake_form_session_new () with the interview's
 * answers, then intake_form_session_dup_result_json ()), so a change to the form or to the
 * engine that changes any of these outcomes fails here by name.
 */
#include "intake-form.h"
#include "intake-form-session.h"

#include <string.h>

/* The kinds of case the suite must cover (issue 11). */
static const char *const required_categories[] = {
  "fisher", "domestic", "construction", "scam", "sex", "marriage", "child", "non-case",
  "partial", "not-screened", "urgent", NULL,
};

static JsonParser *vignettes_parser;
static IntakeForm *bundled;

static JsonObject *
vignettes_root (void)
{
  return json_node_get_object (json_parser_get_root (vignettes_parser));
}

/* The answers of a base, with the bases it builds on applied first. */
static void
apply_base (JsonObject *answers, const char *name, unsigned int depth)
{
  JsonObject *bases = json_object_get_object_member (vignettes_root (), "bases");
  JsonObject *base = json_object_get_object_member (bases, name);
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  g_assert_nonnull (base);
  g_assert_cmpuint (depth, <, 8);
  if (json_object_has_member (base, "base"))
    apply_base (answers, json_object_get_string_member (base, "base"), depth + 1);
  json_object_iter_init (&iter, json_object_get_object_member (base, "answers"));
  while (json_object_iter_next (&iter, &member, &value))
    json_object_set_member (answers, member, json_node_copy (value));
}

/* Each member must name a question of the form: a misspelt name would silently do nothing. */
static void
apply_changes (JsonObject *answers, JsonObject *changes, const char *vignette)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  json_object_iter_init (&iter, changes);
  while (json_object_iter_next (&iter, &member, &value))
    {
      if (intake_form_lookup_question (bundled, member) == NULL)
        g_error ("vignette %s: '%s' is not a question of the bundled form", vignette, member);
      if (JSON_NODE_HOLDS_NULL (value))
        json_object_remove_member (answers, member);
      else
        json_object_set_member (answers, member, json_node_copy (value));
    }
}

static char *
join_ids (JsonArray *array, const char *member, gboolean only_met)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (unsigned int i = 0; array != NULL && i < json_array_get_length (array); i++)
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

static void
check_string (const char *vignette, const char *what, const char *actual, const char *expected)
{
  if (g_strcmp0 (actual, expected) != 0)
    {
      g_test_message ("%s: %s is %s, expected %s", vignette, what, actual ? actual : "(none)",
                      expected ? expected : "(none)");
      g_test_fail ();
    }
}

static void
test_vignette (gconstpointer data)
{
  JsonObject *vignette = (JsonObject *) data;
  const char *id = json_object_get_string_member (vignette, "id");
  JsonObject *expected = json_object_get_object_member (vignette, "expected");
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *result;
  g_autofree char *met = NULL;
  g_autofree char *urgent = NULL;
  g_autofree char *want_met = NULL;
  g_autofree char *want_urgent = NULL;
  gboolean want_complete;

  apply_base (answers, json_object_get_string_member (vignette, "base"), 0);
  apply_changes (answers, json_object_get_object_member (vignette, "answers"), id);
  session = intake_form_session_new (bundled, answers, NULL);
  node = intake_form_session_dup_result_json (session);
  result = json_node_get_object (node);

  check_string (id, "the level", json_object_get_string_member (result, "level"),
                json_object_get_string_member (expected, "level"));
  check_string (id, "the rule", json_object_get_string_member_with_default (result, "rule", NULL),
                json_object_get_string_member_with_default (expected, "rule", NULL));
  met = join_ids (json_object_get_array_member (result, "dimensions"), "id", TRUE);
  want_met = join_ids (json_object_get_array_member (expected, "met"), NULL, FALSE);
  check_string (id, "the dimensions met", met, want_met);
  urgent = join_ids (json_object_get_array_member (result, "urgent_reasons"), "rule", FALSE);
  want_urgent = join_ids (json_object_get_array_member (expected, "urgent"), NULL, FALSE);
  check_string (id, "the urgent rules", urgent, want_urgent);
  if (json_object_get_boolean_member (result, "urgent") != (*want_urgent != '\0'))
    {
      g_test_message ("%s: urgent is not set as its urgent rules say", id);
      g_test_fail ();
    }
  if (json_object_has_member (expected, "referrals"))
    {
      g_autofree char *referrals = join_ids (json_object_get_array_member (result, "referrals"),
                                             "id", FALSE);
      g_autofree char *want = join_ids (json_object_get_array_member (expected, "referrals"),
                                        NULL, FALSE);

      check_string (id, "the referrals", referrals, want);
    }
  if (json_object_has_member (expected, "follow_up"))
    {
      g_autofree char *follow_up = join_ids (json_object_get_array_member (result, "follow_up"),
                                             NULL, FALSE);
      g_autofree char *want = join_ids (json_object_get_array_member (expected, "follow_up"),
                                        NULL, FALSE);

      check_string (id, "the follow-up list", follow_up, want);
    }
  if (json_object_has_member (expected, "shown"))
    {
      JsonArray *shown = json_object_get_array_member (expected, "shown");

      for (unsigned int i = 0; i < json_array_get_length (shown); i++)
        if (!intake_form_session_is_relevant (session, json_array_get_string_element (shown, i)))
          {
            g_test_message ("%s: %s is not shown", id, json_array_get_string_element (shown, i));
            g_test_fail ();
          }
    }
  /* Every vignette answers the whole interview unless it says otherwise, which also proves that
   * the base answers every required question of the form. */
  want_complete = json_object_get_boolean_member_with_default (expected, "complete", TRUE);
  if (intake_form_session_is_complete (session) != want_complete)
    {
      g_autoptr(JsonNode) problems = intake_form_session_dup_problems_json (session);
      g_autofree char *text = json_to_string (problems, FALSE);

      g_test_message ("%s: complete is %d, expected %d; problems: %s", id,
                      intake_form_session_is_complete (session), want_complete, text);
      g_test_fail ();
    }
  /* Always called a screening result, never a legal determination. */
  g_assert_nonnull (strstr (json_object_get_string_member (result, "disclaimer"),
                            "not a legal determination"));
  if (g_test_failed ())
    {
      g_autofree char *text = json_to_string (node, TRUE);

      g_test_message ("%s: the result was\n%s", id, text);
    }
}

/* At least 40 cases, every kind the issue names, each with its story and its source. */
static void
test_coverage (void)
{
  JsonArray *vignettes = json_object_get_array_member (vignettes_root (), "vignettes");
  g_autoptr(GHashTable) categories = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (json_array_get_length (vignettes), >=, 40);
  for (unsigned int i = 0; i < json_array_get_length (vignettes); i++)
    {
      JsonObject *v = json_array_get_object_element (vignettes, i);

      g_assert_true (g_hash_table_add (ids, (gpointer) json_object_get_string_member (v, "id")));
      g_hash_table_add (categories, (gpointer) json_object_get_string_member (v, "category"));
      g_assert_cmpuint (strlen (json_object_get_string_member (v, "story")), >, 20);
      g_assert_cmpuint (strlen (json_object_get_string_member (v, "source")), >, 5);
    }
  for (size_t i = 0; required_categories[i] != NULL; i++)
    if (!g_hash_table_contains (categories, required_categories[i]))
      g_error ("no vignette of category %s", required_categories[i]);
}

/*
 * Referral order: formal identification often goes through the police, which is never the first
 * step for a person who may be undocumented; a safe place comes before it in every result.
 */
static void
test_safe_referral_first (void)
{
  JsonArray *vignettes = json_object_get_array_member (vignettes_root (), "vignettes");

  for (unsigned int i = 0; i < json_array_get_length (vignettes); i++)
    {
      JsonObject *v = json_array_get_object_element (vignettes, i);
      g_autoptr(JsonObject) answers = json_object_new ();
      g_autoptr(IntakeFormSession) session = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *referrals = NULL;

      apply_base (answers, json_object_get_string_member (v, "base"), 0);
      apply_changes (answers, json_object_get_object_member (v, "answers"),
                     json_object_get_string_member (v, "id"));
      session = intake_form_session_new (bundled, answers, NULL);
      node = intake_form_session_dup_result_json (session);
      referrals = join_ids (json_object_get_array_member (json_node_get_object (node),
                                                          "referrals"), "id", FALSE);
      if (strstr (referrals, "formal_identification") != NULL)
        g_assert_true (g_str_has_prefix (referrals, "emergency_safety")
                       || g_str_has_prefix (referrals, "health_care")
                       || g_str_has_prefix (referrals, "child_protection")
                       || g_str_has_prefix (referrals, "shelter"));
      g_assert_null (strstr (referrals, "police"));
    }
}

int
main (int argc, char *argv[])
{
  g_autofree char *path = NULL;
  g_autofree char *form_path = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *vignettes;
  int status;

  g_test_init (&argc, &argv, NULL);
  path = g_test_build_filename (G_TEST_DIST, "core", "data", "vignettes.json", NULL);
  form_path = g_test_build_filename (G_TEST_DIST, "..", "core", "forms",
                                     "trafficking-screening.json", NULL);
  vignettes_parser = json_parser_new ();
  json_parser_load_from_file (vignettes_parser, path, &error);
  g_assert_no_error (error);
  bundled = intake_form_new_from_file (form_path, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);

  g_test_add_func ("/intake/core/vignettes/coverage", test_coverage);
  g_test_add_func ("/intake/core/vignettes/safe-referral-first", test_safe_referral_first);
  vignettes = json_object_get_array_member (vignettes_root (), "vignettes");
  for (unsigned int i = 0; i < json_array_get_length (vignettes); i++)
    {
      JsonObject *v = json_array_get_object_element (vignettes, i);
      g_autofree char *test_path = g_strdup_printf ("/intake/core/vignettes/%s/%s",
                                                    json_object_get_string_member (v, "category"),
                                                    json_object_get_string_member (v, "id"));

      g_test_add_data_func (test_path, v, test_vignette);
    }
  status = g_test_run ();
  g_object_unref (bundled);
  g_object_unref (vignettes_parser);
  return status;
}
