/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ODK conformance (issue 12): tests/core/data/odk-conformance.json holds expressions with the
 * result ODK Collect gives, each citing where that expectation comes from (the ODK XForms spec,
 * or a JavaRosa or pyxform test file), and small forms whose relevance, constraints, repeats
 * and calculations must behave as in ODK Collect.  One test per case, so a failure names it.
 *
 * The context every expression sees is in the file's "context": answers by name (an array is
 * the values of a question inside a repeat, one per entry), today's date, the clock and the
 * random seed, so that every case is deterministic.
 */
#include "intake-expr.h"
#include "intake-form-session.h"

#include <math.h>
#include <string.h>

static JsonParser *parser;
static JsonObject *context_object;

typedef struct
{
  JsonObject *answers; /* The case's own answers, or NULL. */
  JsonNode *dot;
  JsonObject *choice; /* A choice filter's choice, its columns by name, or NULL. */
} CaseContext;

static JsonNode *
find_answer (const CaseContext *cc, const char *name)
{
  JsonObject *global = json_object_get_object_member (context_object, "answers");

  if (cc->answers != NULL && json_object_has_member (cc->answers, name))
    return json_object_get_member (cc->answers, name);
  if (json_object_has_member (global, name))
    return json_object_get_member (global, name);
  return NULL;
}

static void
node_to_value (JsonNode *node, IntakeValue *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      intake_value_set_string (out, json_node_get_string (node));
      break;
    case G_TYPE_INT64:
      intake_value_set_number (out, (double) json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      intake_value_set_number (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      intake_value_set_boolean (out, json_node_get_boolean (node));
      break;
    default:
      break;
    }
}

static void
lookup_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  const CaseContext *cc = user_data;
  JsonNode *node = name != NULL ? find_answer (cc, name) : cc->dot;

  /* A question inside a repeat, read as one value, is its first entry's, as XPath reads a
   * node-set as a string. */
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      node = json_array_get_length (array) > 0 ? json_array_get_element (array, 0) : NULL;
    }
  node_to_value (node, out);
}

static void
choice_column_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  const CaseContext *cc = user_data;

  if (cc->choice != NULL && json_object_has_member (cc->choice, name))
    node_to_value (json_object_get_member (cc->choice, name), out);
}

static void
lookup_all_cb (const char *name, GArray *values, gpointer user_data)
{
  const CaseContext *cc = user_data;
  JsonNode *node = find_answer (cc, name);

  if (node == NULL)
    return;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (unsigned int i = 0; i < json_array_get_length (array); i++)
        {
          IntakeValue value = INTAKE_VALUE_INIT;

          node_to_value (json_array_get_element (array, i), &value);
          g_array_append_val (values, value);
        }
    }
  else
    {
      IntakeValue value = INTAKE_VALUE_INIT;

      node_to_value (node, &value);
      g_array_append_val (values, value);
    }
}

static void
check_value (const char *source, const IntakeValue *value, JsonNode *expected)
{
  g_autofree char *text = intake_value_dup_string (value);

  if (JSON_NODE_HOLDS_OBJECT (expected))
    {
      const char *pattern = json_object_get_string_member (json_node_get_object (expected),
                                                           "matches");

      if (!g_regex_match_simple (pattern, text, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT))
        g_test_fail_printf ("%s: got '%s', which does not match %s", source, text, pattern);
      return;
    }
  switch (json_node_get_value_type (expected))
    {
    case G_TYPE_BOOLEAN:
      g_assert_cmpstr (text, ==, json_node_get_boolean (expected) ? "true" : "false");
      break;
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      {
        double want = json_node_get_double (expected);
        double got = intake_value_to_number (value);

        if (!(fabs (got - want) <= 1e-9 * MAX (1.0, fabs (want))))
          g_test_fail_printf ("%s: got '%s', expected %.17g", source, text, want);
        break;
      }
    case G_TYPE_STRING:
    default:
      g_assert_cmpstr (text, ==, json_node_get_string (expected));
      break;
    }
}

static void
test_expression (gconstpointer data)
{
  JsonObject *c = (JsonObject *) data;
  const char *source = json_object_get_string_member (c, "expr");
  JsonNode *expected = json_object_get_member (c, "expected");
  JsonObject *refused = JSON_NODE_HOLDS_OBJECT (expected) ? json_node_get_object (expected) : NULL;
  CaseContext cc = { NULL, NULL, NULL };
  IntakeExprParseFlags flags = INTAKE_EXPR_PARSE_ALLOW_DOT;
  IntakeExprContext context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (
    (guint32) json_object_get_int_member (context_object, "seed"));
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  g_test_message ("%s  (source: %s)", source, json_object_get_string_member (c, "source"));
  if (json_object_has_member (c, "answers"))
    cc.answers = json_object_get_object_member (c, "answers");
  if (json_object_has_member (c, "dot"))
    cc.dot = json_object_get_member (c, "dot");
  if (json_object_has_member (c, "choice"))
    {
      cc.choice = json_object_get_object_member (c, "choice");
      flags |= INTAKE_EXPR_PARSE_CHOICE_FILTER;
    }

  expr = intake_expr_parse (source, flags, &error);
  if (refused != NULL && json_object_has_member (refused, "refused"))
    {
      const char *word = json_object_get_string_member (refused, "refused");

      g_assert_null (expr);
      g_assert_nonnull (error);
      if (error != NULL)
        g_assert_nonnull (strstr (error->message, word));
      return;
    }
  g_assert_no_error (error);
  if (expr == NULL)
    return;

  context.lookup = lookup_cb;
  context.lookup_all = lookup_all_cb;
  context.user_data = &cc;
  context.today = json_object_get_string_member (context_object, "today");
  context.now = json_object_get_string_member (context_object, "now");
  context.rand = rand;
  context.choice_column = choice_column_cb;
  intake_expr_evaluate (expr, &context, &value);
  check_value (source, &value, expected);
}

/* ------------------------------------------------------------------------------------------ */
/* Forms                                                                                       */

static IntakeForm *
form_for (JsonObject *c, GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) document = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "conformance");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "title");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "en");
  json_builder_add_string_value (builder, "Conformance");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "Kesesuaian");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "default_language");
  json_builder_add_string_value (builder, "en");
  json_builder_set_member_name (builder, "languages");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "en");
  json_builder_add_string_value (builder, "id");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "questions");
  json_builder_add_value (builder, json_node_copy (json_object_get_member (c, "questions")));
  json_builder_end_object (builder);
  document = json_builder_get_root (builder);
  return intake_form_new_from_node (document, INTAKE_FORM_LOAD_DEFAULT, error);
}

static void
run_check (IntakeFormSession *session, JsonObject *check)
{
  JsonNode *expected = json_object_get_member (check, "expected");

  if (json_object_has_member (check, "set"))
    {
      JsonArray *set = json_object_get_array_member (check, "set");
      g_autoptr(GError) error = NULL;

      intake_form_session_set_answer (session, json_array_get_string_element (set, 0),
                                      json_array_get_element (set, 1), &error);
      g_assert_no_error (error);
    }
  else if (json_object_has_member (check, "language"))
    {
      intake_form_session_set_language (session,
                                        json_object_get_string_member (check, "language"));
    }
  else if (json_object_has_member (check, "relevant"))
    {
      const char *name = json_object_get_string_member (check, "relevant");

      g_assert_cmpint (intake_form_session_is_relevant (session, name), ==,
                       json_node_get_boolean (expected));
    }
  else if (json_object_has_member (check, "value"))
    {
      g_autofree char *value = intake_form_session_dup_value (
        session, json_object_get_string_member (check, "value"));

      g_assert_cmpstr (value, ==, json_node_get_string (expected));
    }
  else if (json_object_has_member (check, "problem"))
    {
      const char *name = json_object_get_string_member (check, "problem");
      g_autoptr(JsonNode) problems = intake_form_session_dup_problems_json (session);
      JsonArray *list = json_node_get_array (problems);
      const char *code = NULL;

      for (unsigned int i = 0; i < json_array_get_length (list); i++)
        {
          JsonObject *p = json_array_get_object_element (list, i);

          if (strcmp (json_object_get_string_member (p, "question"), name) == 0)
            code = json_object_get_string_member (p, "code");
        }
      g_assert_cmpstr (code, ==, JSON_NODE_HOLDS_NULL (expected) ? NULL
                                                                 : json_node_get_string (expected));
    }
  else if (json_object_has_member (check, "export"))
    {
      /* [repeat, entry, (inner repeat, inner entry, …) name], entries counted from 0. */
      JsonArray *where = json_object_get_array_member (check, "export");
      unsigned int n = json_array_get_length (where);
      g_autoptr(JsonObject) exported = intake_form_session_dup_export_answers (session);
      JsonObject *entry = exported;
      JsonNode *node;
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      g_autofree char *text = NULL;

      for (unsigned int k = 0; k + 2 < n; k += 2)
        {
          JsonArray *entries = json_object_get_array_member (
            entry, json_array_get_string_element (where, k));

          entry = json_array_get_object_element (
            entries, (unsigned int) json_array_get_int_element (where, k + 1));
        }
      node = json_object_get_member (entry, json_array_get_string_element (where, n - 1));

      g_assert_nonnull (node);
      if (node == NULL)
        return;
      node_to_value (node, &value);
      text = intake_value_dup_string (&value);
      g_assert_cmpstr (text, ==, json_node_get_string (expected));
    }
  else if (json_object_has_member (check, "entry_visible"))
    {
      JsonArray *where = json_object_get_array_member (check, "entry_visible");
      JsonArray *want = json_node_get_array (expected);
      g_auto(GStrv) visible = intake_form_session_dup_entry_visible (
        session, json_array_get_string_element (where, 0),
        (unsigned int) json_array_get_int_element (where, 1));

      g_assert_nonnull (visible);
      if (visible == NULL)
        return;
      g_assert_cmpuint (g_strv_length (visible), ==, json_array_get_length (want));
      for (unsigned int i = 0; i < json_array_get_length (want); i++)
        g_assert_cmpstr (visible[i], ==, json_array_get_string_element (want, i));
    }
  else if (json_object_has_member (check, "first_load"))
    {
      intake_form_session_apply_first_load_defaults (session);
    }
  else if (json_object_has_member (check, "add_entry"))
    {
      g_autoptr(GError) error = NULL;

      intake_form_session_add_entry (session, json_object_get_string_member (check, "add_entry"),
                                     NULL, &error);
      g_assert_no_error (error);
    }
  else if (json_object_has_member (check, "answer")
           || json_object_has_member (check, "entry_answer"))
    {
      /* A stored answer (a dynamic default's value), compared as JSON; null: none. */
      JsonObject *answers = intake_form_session_get_answers (session);
      const char *name;
      JsonNode *node;

      if (json_object_has_member (check, "entry_answer"))
        {
          JsonArray *where = json_object_get_array_member (check, "entry_answer");
          JsonArray *entries = json_object_get_array_member (
            answers, json_array_get_string_element (where, 0));

          g_assert_nonnull (entries);
          if (entries == NULL)
            return;
          answers = json_array_get_object_element (
            entries, (unsigned int) json_array_get_int_element (where, 1));
          name = json_array_get_string_element (where, 2);
        }
      else
        {
          name = json_object_get_string_member (check, "answer");
        }
      node = json_object_get_member (answers, name);
      if (JSON_NODE_HOLDS_NULL (expected))
        g_assert_null (node);
      else
        g_assert_true (node != NULL && json_node_equal (node, expected));
    }
  else
    {
      g_assert_not_reached ();
    }
}

static void
test_form (gconstpointer data)
{
  JsonObject *c = (JsonObject *) data;
  JsonArray *checks = json_object_get_array_member (c, "checks");
  JsonObject *first = json_array_get_object_element (checks, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;

  g_test_message ("source: %s", json_object_get_string_member (c, "source"));
  form = form_for (c, &error);
  if (json_object_has_member (first, "refused"))
    {
      g_assert_null (form);
      g_assert_nonnull (error);
      if (error != NULL)
        g_assert_nonnull (strstr (error->message,
                                  json_object_get_string_member (first, "refused")));
      return;
    }
  g_assert_no_error (error);
  if (form == NULL)
    return;
  session = intake_form_session_new (form, json_object_get_object_member (c, "answers"), NULL);
  intake_form_session_set_today (session, json_object_get_string_member (context_object, "today"));
  intake_form_session_set_now (session, json_object_get_string_member (context_object, "now"));
  intake_form_session_set_random_seed (
    session, (guint32) json_object_get_int_member (context_object, "seed"));
  for (unsigned int i = 0; i < json_array_get_length (checks); i++)
    run_check (session, json_array_get_object_element (checks, i));
}

int
main (int argc, char *argv[])
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *cases;
  JsonArray *forms;
  int status;

  /* Dates with a time of day are read in the device's time zone, as ODK Collect reads them. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  path = g_test_build_filename (G_TEST_DIST, "core", "data", "odk-conformance.json", NULL);
  parser = json_parser_new ();
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  context_object = json_object_get_object_member (root, "context");
  /* Every failed comparison is reported and the case marked failed; the others still run. */
  g_test_set_nonfatal_assertions ();

  cases = json_object_get_array_member (root, "cases");
  for (unsigned int i = 0; i < json_array_get_length (cases); i++)
    {
      g_autofree char *test_path = g_strdup_printf ("/intake/core/odk/expr/%03u", i + 1);

      g_test_add_data_func (test_path, json_array_get_object_element (cases, i), test_expression);
    }
  forms = json_object_get_array_member (root, "forms");
  for (unsigned int i = 0; i < json_array_get_length (forms); i++)
    {
      JsonObject *f = json_array_get_object_element (forms, i);
      g_autofree char *test_path = g_strdup_printf ("/intake/core/odk/form/%s",
                                                    json_object_get_string_member (f, "name"));

      g_test_add_data_func (test_path, f, test_form);
    }
  status = g_test_run ();
  g_object_unref (parser);
  return status;
}
