/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The bundled screening form: it loads under the strictest rules, every text it shows exists
 * in English and Bahasa Indonesia, and it evaluates a set of realistic interviews exactly as
 * the golden files in tests/core/golden/ say.  A golden file may name an earlier version of the
 * form kept in tests/core/data ("form"): interviews stay pinned to the version they started on,
 * so the engine must go on loading and scoring every published version exactly as before.
 */
#include "intake-form-private.h"
#include "intake-form-session.h"

#include <string.h>

static IntakeForm *
load_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  IntakeForm *form = intake_form_new_from_file (path, INTAKE_FORM_LOAD_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static IntakeForm *
load_bundled (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "core", "forms",
                                                 "trafficking-screening.json", NULL);

  return load_path (path);
}

/* The bundled form's earlier versions, as published: tests/core/data/NAME. */
static IntakeForm *
load_earlier (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "data", name, NULL);

  return load_path (path);
}

static void
assert_both (IntakeText *text, const char *what, const char *name)
{
  const char *languages[] = { "en", "id" };

  if (text == NULL)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      const char *s = g_hash_table_lookup (text, languages[i]);

      if (s == NULL || *s == '\0' || !g_utf8_validate (s, -1, NULL))
        g_error ("%s of %s has no %s text", what, name, languages[i]);
    }
  g_assert_cmpuint (g_hash_table_size (text), ==, 2);
}

static void
test_loads (void)
{
  g_autoptr(IntakeForm) form = load_bundled ();
  const char *const *languages = intake_form_get_languages (form);

  g_assert_cmpstr (intake_form_get_id (form), ==, "trafficking-screening");
  g_assert_cmpint (intake_form_get_version (form), ==, 2);
  g_assert_cmpstr (intake_form_get_default_language (form), ==, "en");
  g_assert_cmpuint (g_strv_length ((GStrv) languages), ==, 2);
  g_assert_true (intake_form_has_language (form, "id"));
  g_assert_true (intake_form_has_scoring (form));
  /* About 36 items following SCREENING.md, with the groups, notes and calculations around them. */
  g_assert_cmpuint (_intake_form_get_scoring (form)->indicators->len, >=, 25);
  g_assert_cmpuint (intake_form_get_n_questions (form), >=, 36);
}

static void
test_summary (void)
{
  g_autoptr(IntakeForm) form = load_bundled ();
  g_autoptr(JsonNode) summary = intake_form_dup_summary_json (form, "id");
  JsonObject *root = json_node_get_object (summary);

  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, "trafficking-screening");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (root, "title"), ==,
                   "Skrining perdagangan orang dan kerja paksa");
  g_assert_true (json_object_get_boolean_member (root, "scoring"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "questions")), ==,
                    intake_form_get_n_questions (form));
}

static void
test_translations_complete (void)
{
  g_autoptr(IntakeForm) form = load_bundled ();
  IntakeScoring *scoring = _intake_form_get_scoring (form);
  GHashTableIter iter;
  gpointer key, value;

  for (unsigned int i = 0; i < intake_form_get_n_questions (form); i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);

      if (q->type != INTAKE_QUESTION_CALCULATE)
        g_assert_nonnull (q->label);
      assert_both (q->label, "label", q->name);
      assert_both (q->hint, "hint", q->name);
      assert_both (q->constraint_message, "constraint_message", q->name);
      if (q->constraint != NULL)
        g_assert_nonnull (q->constraint_message);
      for (unsigned int k = 0; q->choices != NULL && k < q->choices->len; k++)
        assert_both (((IntakeChoice *) q->choices->pdata[k])->label, "choice", q->name);
    }
  for (unsigned int i = 0; i < scoring->dimensions->len; i++)
    assert_both (((IntakeNamedText *) scoring->dimensions->pdata[i])->label, "dimension", "");
  for (unsigned int i = 0; i < scoring->referrals->len; i++)
    assert_both (((IntakeNamedText *) scoring->referrals->pdata[i])->label, "referral", "");
  for (unsigned int i = 0; i < scoring->rules->len; i++)
    assert_both (((IntakeRule *) scoring->rules->pdata[i])->label, "rule",
                 ((IntakeRule *) scoring->rules->pdata[i])->id);
  for (unsigned int i = 0; i < scoring->urgent->len; i++)
    assert_both (((IntakeRule *) scoring->urgent->pdata[i])->label, "urgent rule",
                 ((IntakeRule *) scoring->urgent->pdata[i])->id);
  g_hash_table_iter_init (&iter, scoring->levels);
  while (g_hash_table_iter_next (&iter, &key, &value))
    assert_both (value, "level", key);
  for (size_t i = 0; _intake_levels[i] != NULL; i++)
    g_assert_true (g_hash_table_contains (scoring->levels, _intake_levels[i]));
  assert_both (scoring->disclaimer, "disclaimer", "scoring");
  /* The result must always say it is a screening result, in both languages. */
  g_assert_nonnull (strstr (g_hash_table_lookup (scoring->disclaimer, "en"),
                            "not a legal determination"));
  g_assert_nonnull (strstr (g_hash_table_lookup (scoring->disclaimer, "id"),
                            "bukan keputusan hukum"));
}

static void
test_sensitive_identifying_details (void)
{
  g_autoptr(IntakeForm) form = load_bundled ();
  const char *names[] = { "full_name", "document_number", "phone" };

  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const IntakeQuestion *q = intake_form_lookup_question (form, names[i]);

      g_assert_nonnull (q);
      g_assert_true (intake_question_get_sensitive (q));
      g_assert_false (intake_question_get_required (q));
    }
}

/*
 * Version 1 as published stays loadable beside version 2: the store keeps every version it
 * imported, and interviews started on version 1 are scored by it (the golden files marked
 * "form" check its results did not move).
 */
static void
test_earlier_version (void)
{
  g_autoptr(IntakeForm) v1 = load_earlier ("trafficking-screening-v1.json");
  g_autoptr(IntakeForm) v2 = load_bundled ();

  g_assert_cmpstr (intake_form_get_id (v1), ==, intake_form_get_id (v2));
  g_assert_cmpint (intake_form_get_version (v1), ==, 1);
  g_assert_cmpint (intake_form_get_version (v2), >, intake_form_get_version (v1));
  /* Version 1 has no not_screened level and needs none: an additive engine change. */
  g_assert_false (g_hash_table_contains (_intake_form_get_scoring (v1)->levels, "not_screened"));
  g_assert_true (g_hash_table_contains (_intake_form_get_scoring (v2)->levels, "not_screened"));
}

/* packaging/demo-interview.json, which the demo and the tour import, follows the bundled form. */
static void
test_demo_interview (void)
{
  g_autoptr(IntakeForm) form = load_bundled ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "packaging",
                                                 "demo-interview.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) result = NULL;
  JsonObject *doc, *answers;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  doc = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (doc, "form_id"), ==, intake_form_get_id (form));
  g_assert_cmpint (json_object_get_int_member (doc, "form_version"), ==,
                   intake_form_get_version (form));
  answers = json_object_get_object_member (doc, "answers");
  json_object_iter_init (&iter, answers);
  while (json_object_iter_next (&iter, &name, &value))
    if (intake_form_lookup_question (form, name) == NULL)
      g_error ("demo-interview.json answers '%s', which the bundled form does not ask", name);
  /* The store fills the pseudonym in when the interview is created, as it does on import. */
  json_object_set_string_member (answers, "pseudonym", "Demo");
  session = intake_form_session_new (form, answers, NULL);
  g_assert_true (intake_form_session_is_complete (session));
  result = intake_form_session_dup_result_json (session);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "level"), ==,
                   "likely_trafficking");
}

/* Golden files: each tests/core/golden/NAME.json holds {"form"?, "language", "today", "answers",
 * "expected": {"result", "complete", "visible_count"}}; the result must match exactly. */
static void
test_golden (gconstpointer data)
{
  const char *file = data;
  g_autoptr(IntakeForm) form = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "golden", file, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *expected = NULL;
  JsonObject *golden, *expect;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  golden = json_node_get_object (json_parser_get_root (parser));
  expect = json_object_get_object_member (golden, "expected");
  if (json_object_has_member (golden, "form"))
    form = load_earlier (json_object_get_string_member (golden, "form"));
  else
    form = load_bundled ();
  session = intake_form_session_new (form, json_object_get_object_member (golden, "answers"),
                                     json_object_get_string_member (golden, "language"));
  intake_form_session_set_today (session, "2026-11-28");
  result = intake_form_session_dup_result_json (session);
  actual = json_to_string (result, TRUE);
  expected = json_to_string (json_object_get_member (expect, "result"), TRUE);
  /* Regenerating is a deliberate act: every changed golden file is then read in review. */
  if (g_getenv ("INTAKE_UPDATE_GOLDEN") != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *source_path = g_build_filename (g_getenv ("INTAKE_UPDATE_GOLDEN"), file,
                                                       NULL);

      json_object_set_member (expect, "result", json_node_copy (result));
      json_object_set_boolean_member (expect, "complete",
                                      intake_form_session_is_complete (session));
      json_generator_set_root (generator, json_parser_get_root (parser));
      json_generator_set_pretty (generator, TRUE);
      json_generator_to_file (generator, source_path, &error);
      g_assert_no_error (error);
      return;
    }
  if (g_strcmp0 (actual, expected) != 0)
    {
      g_test_message ("%s: result differs; actual:\n%s", file, actual);
      g_test_fail ();
    }
  if (intake_form_session_is_complete (session)
      != json_object_get_boolean_member (expect, "complete"))
    {
      g_autoptr(JsonNode) problems = intake_form_session_dup_problems_json (session);
      g_autofree char *text = json_to_string (problems, FALSE);

      g_test_message ("%s: completeness differs; problems: %s", file, text);
      g_test_fail ();
    }
}

/* A child is asked in a child's words: in Bahasa Indonesia with "kamu", never "Anda" (issue
 * #11); an adult keeps the adult wording. */
static void
test_child_wording (void)
{
  g_autoptr(IntakeForm) form = load_bundled ();
  g_autoptr(JsonObject) child = json_object_new ();
  g_autoptr(JsonObject) adult = json_object_new ();
  g_autoptr(IntakeFormSession) child_session = NULL;
  g_autoptr(IntakeFormSession) adult_session = NULL;
  const char *names[] = { "sexual_exploitation", "debt_bondage", "free_to_leave", "threats" };

  /* Past the privacy check and consent, which every scored question depends on. */
  for (JsonObject **o = (JsonObject *[]) { child, adult, NULL }; *o != NULL; o++)
    {
      json_object_set_string_member (*o, "private_setting", "yes");
      json_object_set_string_member (*o, "interpreter", "none");
      json_object_set_string_member (*o, "consent", "full");
    }
  json_object_set_int_member (child, "age", 15);
  json_object_set_int_member (adult, "age", 30);
  child_session = intake_form_session_new (form, child, "id");
  adult_session = intake_form_session_new (form, adult, "id");
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *for_child = intake_form_session_dup_label (child_session, names[i]);
      g_autofree char *for_adult = intake_form_session_dup_label (adult_session, names[i]);

      g_test_message ("%s: child '%s', adult '%s'", names[i], for_child, for_adult);
      /* "kamu", or its suffix "-mu" (menyakitimu, keluargamu). */
      g_assert_true (strstr (for_child, "kamu") != NULL || strstr (for_child, "mu ") != NULL
                     || g_str_has_suffix (for_child, "mu?"));
      g_assert_null (strstr (for_child, "Anda"));
      g_assert_cmpstr (for_child, !=, for_adult);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *golden_dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intake/core/bundled-form/loads", test_loads);
  g_test_add_func ("/intake/core/bundled-form/summary", test_summary);
  g_test_add_func ("/intake/core/bundled-form/translations-complete", test_translations_complete);
  g_test_add_func ("/intake/core/bundled-form/sensitive-identifying-details",
                   test_sensitive_identifying_details);
  g_test_add_func ("/intake/core/bundled-form/earlier-version", test_earlier_version);
  g_test_add_func ("/intake/core/bundled-form/demo-interview", test_demo_interview);
  g_test_add_func ("/intake/core/bundled-form/child-wording", test_child_wording);

  golden_dir = g_test_build_filename (G_TEST_DIST, "core", "golden", NULL);
  dir = g_dir_open (golden_dir, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".json"))
      g_ptr_array_add (files, g_strdup (entry));
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  for (unsigned int i = 0; i < files->len; i++)
    {
      g_autofree char *test_path = NULL;
      g_autofree char *stem = g_strndup (files->pdata[i], strlen (files->pdata[i]) - 5);

      test_path = g_strdup_printf ("/intake/core/bundled-form/golden/%s", stem);
      g_test_add_data_func (test_path, files->pdata[i], test_golden);
    }
  return g_test_run ();
}
