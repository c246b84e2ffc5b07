/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Repeats inside repeats (issue #12): households, each with its members.  An entry's answer
 * holds the inner repeat as an array of entry objects; ${x} inside an inner entry reads the
 * nearest entry that has x (its own, then its household's, then the top level); node-sets over
 * an inner repeat read that household's entries from inside it and every household's from the
 * top level; problems name both levels; the window's entry functions take "household[2]/member"
 * for an inner repeat.
 */
#include "intake-form-session.h"

#include <string.h>

#define LABEL "\"label\": {\"en\": \"Q\"}"

/*
 * household: name, size, and members (as many as size says), each with a name, an age (at
 * most 120), a job asked of adults, and calculations that read their own entry and their
 * household's; per household the count and the oldest; over all households the count and sum.
 */
static const char households[] =
  "{\"type\": \"repeat\", \"name\": \"household\", " LABEL ", \"children\": ["
  " {\"type\": \"text\", \"name\": \"hh_name\", " LABEL "},"
  " {\"type\": \"integer\", \"name\": \"size\", " LABEL "},"
  " {\"type\": \"repeat\", \"name\": \"member\", " LABEL ", \"repeat_count\": \"${size}\","
  "  \"children\": ["
  "  {\"type\": \"text\", \"name\": \"m_name\", " LABEL ", \"required\": true},"
  "  {\"type\": \"integer\", \"name\": \"m_age\", " LABEL ", \"constraint\": \". <= 120\"},"
  "  {\"type\": \"text\", \"name\": \"job\", " LABEL ", \"relevant\": \"${m_age} >= 18\"},"
  "  {\"type\": \"text\", \"name\": \"head_note\", " LABEL ","
  "   \"relevant\": \"${hh_name} = 'Tan'\"},"
  "  {\"type\": \"calculate\", \"name\": \"tag\","
  "   \"calculation\": \"concat(${hh_name}, '/', ${m_name}, '/', position(..))\"}]},"
  " {\"type\": \"calculate\", \"name\": \"n_here\", \"calculation\": \"count(${member})\"},"
  " {\"type\": \"calculate\", \"name\": \"oldest\", \"calculation\": \"max(${m_age})\"},"
  " {\"type\": \"calculate\", \"name\": \"first_name\","
  "  \"calculation\": \"indexed-repeat(${m_name}, ${member}, 1)\"}]},"
  "{\"type\": \"calculate\", \"name\": \"n_all\", \"calculation\": \"count(${member})\"},"
  "{\"type\": \"calculate\", \"name\": \"age_sum\", \"calculation\": \"sum(${m_age})\"},"
  "{\"type\": \"calculate\", \"name\": \"n_households\","
  " \"calculation\": \"count(${household})\"}";

static const char answers_json[] =
  "{\"household\": ["
  " {\"hh_name\": \"Tan\", \"size\": 2, \"member\": ["
  "   {\"m_name\": \"Ana\", \"m_age\": 40, \"job\": \"fisher\"},"
  "   {\"m_name\": \"Bo\", \"m_age\": 9}]},"
  " {\"hh_name\": \"Lim\", \"size\": 1, \"member\": ["
  "   {\"m_name\": \"Cy\", \"m_age\": 70, \"job\": \"none\"}]}]}";

static IntakeForm *
load (const char *questions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doc = g_strdup_printf (
    "{\"id\": \"nested\", \"version\": 1, \"title\": {\"en\": \"Nested\"},"
    " \"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": [%s]}", questions);
  IntakeForm *form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT, &error);

  g_assert_no_error (error);
  return form;
}

static char *
load_error (const char *questions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doc = g_strdup_printf (
    "{\"id\": \"nested\", \"version\": 1, \"title\": {\"en\": \"Nested\"},"
    " \"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": [%s]}", questions);
  g_autoptr(IntakeForm) form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT,
                                                          &error);

  g_assert_null (form);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

static IntakeFormSession *
session_with (IntakeForm *form, const char *json)
{
  g_autoptr(JsonNode) answers = json_from_string (json, NULL);

  g_assert_nonnull (answers);
  return intake_form_session_new (form, json_node_get_object (answers), NULL);
}

static void
set (IntakeFormSession *session, const char *name, const char *json)
{
  g_autoptr(JsonNode) value = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;

  intake_form_session_set_answer (session, name, value, &error);
  g_assert_no_error (error);
}

static void
assert_value (IntakeFormSession *session, const char *name, const char *expected)
{
  g_autofree char *value = intake_form_session_dup_value (session, name);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_strv (GStrv got, const char *const *want)
{
  g_autofree char *joined_got = got != NULL ? g_strjoinv (",", got) : g_strdup ("(null)");
  g_autofree char *joined_want = g_strjoinv (",", (GStrv) want);

  g_assert_cmpstr (joined_got, ==, joined_want);
}

/* The problems now, "path=code" joined by commas. */
static char *
problems_of (IntakeFormSession *session)
{
  g_autoptr(JsonNode) problems = intake_form_session_dup_problems_json (session);
  JsonArray *list = json_node_get_array (problems);
  g_autoptr(GString) out = g_string_new (NULL);

  for (unsigned int i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *p = json_array_get_object_element (list, i);

      g_string_append_printf (out, "%s%s=%s", i > 0 ? "," : "",
                              json_object_get_string_member (p, "question"),
                              json_object_get_string_member (p, "code"));
    }
  return g_strdup (out->str);
}

/* An exported inner entry's member as a string, @path being "household", 1, "member", 0. */
static char *
exported (IntakeFormSession *session, unsigned int outer, unsigned int inner, const char *name)
{
  g_autoptr(JsonObject) export = intake_form_session_dup_export_answers (session);
  JsonObject *household = json_array_get_object_element (
    json_object_get_array_member (export, "household"), outer);
  JsonArray *members = json_object_get_array_member (household, "member");
  JsonNode *node;

  if (inner >= json_array_get_length (members))
    return NULL;
  node = json_object_get_member (json_array_get_object_element (members, inner), name);
  if (node == NULL)
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

static void
test_load (void)
{
  g_autoptr(IntakeForm) form = load (households);
  const IntakeQuestion *member = intake_form_lookup_question (form, "member");
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *message = NULL;

  g_assert_nonnull (member);
  g_assert_cmpint (intake_question_get_question_type (member), ==, INTAKE_QUESTION_REPEAT);

  /* Deeper than the limit is refused by name, not silently cut. */
  for (int i = 0; i <= INTAKE_FORM_MAX_REPEAT_DEPTH; i++)
    g_string_append_printf (deep, "{\"type\": \"repeat\", \"name\": \"r%d\", " LABEL
                            ", \"children\": [", i);
  g_string_append (deep, "{\"type\": \"text\", \"name\": \"t\", " LABEL "}");
  for (int i = 0; i <= INTAKE_FORM_MAX_REPEAT_DEPTH; i++)
    g_string_append (deep, "]}");
  message = load_error (deep->str);
  g_assert_nonnull (strstr (message, "repeats nested more than 8 deep"));
  g_clear_pointer (&message, g_free);

  /* A member's answer read from outside its household, not as a node-set, is refused. */
  message = load_error (
    "{\"type\": \"repeat\", \"name\": \"h\", " LABEL ", \"children\": ["
    " {\"type\": \"repeat\", \"name\": \"m\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"a\", " LABEL "}]}]},"
    "{\"type\": \"calculate\", \"name\": \"c\", \"calculation\": \"${a}\"}");
  g_assert_nonnull (strstr (message, "refers to ${a}, which is inside the repeat 'm'"));
  g_clear_pointer (&message, g_free);
  /* A household's answer read by another household's sibling repeat is refused too. */
  message = load_error (
    "{\"type\": \"repeat\", \"name\": \"h\", " LABEL ", \"children\": ["
    " {\"type\": \"repeat\", \"name\": \"m\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"a\", " LABEL "}]},"
    " {\"type\": \"repeat\", \"name\": \"k\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"b\", " LABEL ", \"relevant\": \"${a} = 'x'\"}]}]}");
  g_assert_nonnull (strstr (message, "refers to ${a}, which is inside the repeat 'm'"));
  g_clear_pointer (&message, g_free);
  /* indexed-repeat() takes a repeat and an index for each level, each repeat named. */
  message = load_error (
    "{\"type\": \"repeat\", \"name\": \"h\", " LABEL ", \"children\": ["
    " {\"type\": \"repeat\", \"name\": \"m\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"a\", " LABEL "}]}]},"
    "{\"type\": \"calculate\", \"name\": \"c\","
    " \"calculation\": \"indexed-repeat(${a}, ${h}, 1, ${m})\"}");
  g_assert_nonnull (strstr (message, "a repeat and an index for each level (3, 5 or 7"));
  g_clear_pointer (&message, g_free);
  message = load_error (
    "{\"type\": \"repeat\", \"name\": \"h\", " LABEL ", \"children\": ["
    " {\"type\": \"repeat\", \"name\": \"m\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"a\", " LABEL "}]}]},"
    "{\"type\": \"calculate\", \"name\": \"c\","
    " \"calculation\": \"indexed-repeat(${a}, ${h}, 1, 'm', 1)\"}");
  g_assert_nonnull (strstr (message, "names the question and each repeat as ${name}"));
}

static void
test_evaluate (void)
{
  g_autoptr(IntakeForm) form = load (households);
  g_autoptr(IntakeFormSession) s = session_with (form, answers_json);
  g_autofree char *problems = problems_of (s);
  g_autofree char *text = NULL;

  g_assert_cmpstr (problems, ==, "");
  g_assert_true (intake_form_session_is_complete (s));
  /* From the top level, node-sets over members read every household's. */
  assert_value (s, "n_all", "3");
  assert_value (s, "age_sum", "119");
  assert_value (s, "n_households", "2");

  /* Inside a household, that household's members only; indexed-repeat() counts there too. */
  text = exported (s, 0, 0, "tag");
  g_assert_cmpstr (text, ==, "Tan/Ana/1");
  g_clear_pointer (&text, g_free);
  text = exported (s, 0, 1, "tag");
  g_assert_cmpstr (text, ==, "Tan/Bo/2");
  g_clear_pointer (&text, g_free);
  text = exported (s, 1, 0, "tag");
  g_assert_cmpstr (text, ==, "Lim/Cy/1");
  g_clear_pointer (&text, g_free);
  {
    g_autoptr(JsonObject) export = intake_form_session_dup_export_answers (s);
    JsonArray *list = json_object_get_array_member (export, "household");
    JsonObject *tan = json_array_get_object_element (list, 0);
    JsonObject *lim = json_array_get_object_element (list, 1);

    g_assert_cmpstr (json_object_get_string_member (tan, "n_here"), ==, "2");
    g_assert_cmpstr (json_object_get_string_member (lim, "n_here"), ==, "1");
    g_assert_cmpstr (json_object_get_string_member (tan, "oldest"), ==, "40");
    g_assert_cmpstr (json_object_get_string_member (lim, "oldest"), ==, "70");
    g_assert_cmpstr (json_object_get_string_member (tan, "first_name"), ==, "Ana");
    g_assert_cmpstr (json_object_get_string_member (lim, "first_name"), ==, "Cy");
  }
  /* Relevance within the inner entry: the job is asked of adults, the note of the Tans. */
  text = exported (s, 0, 1, "job");
  g_assert_null (text);
  text = exported (s, 0, 0, "job");
  g_assert_cmpstr (text, ==, "fisher");
  g_clear_pointer (&text, g_free);

  /* Editing a member (through the household's answer) updates what reads every member. */
  set (s, "household",
       "[{\"hh_name\": \"Tan\", \"size\": 2, \"member\": ["
       "  {\"m_name\": \"Ana\", \"m_age\": 41, \"job\": \"fisher\"},"
       "  {\"m_name\": \"Bo\", \"m_age\": 9}]}]");
  assert_value (s, "n_all", "2");
  assert_value (s, "age_sum", "50");
}

static void
test_problems (void)
{
  g_autoptr(IntakeForm) form = load (households);
  g_autoptr(IntakeFormSession) s = session_with (
    form,
    "{\"household\": ["
    " {\"hh_name\": \"Tan\", \"size\": 1, \"member\": [{\"m_name\": \"Ana\", \"m_age\": 40}]},"
    " {\"hh_name\": \"Lim\", \"size\": 3, \"member\": ["
    "   {\"m_age\": 130}, {\"m_name\": \"Cy\", \"m_age\": \"old\"}]}]}");
  g_autofree char *problems = problems_of (s);
  g_autofree char *problem = NULL;
  g_autoptr(GError) error = NULL;

  /* Both levels named; the inner repeat_count reads its own household's size. */
  g_assert_cmpstr (problems, ==,
                   "household[2]/member[1]/m_name=required,"
                   "household[2]/member[1]/m_age=constraint,"
                   "household[2]/member[2]/m_age=invalid,"
                   "household[2]/member=invalid");
  problem = intake_form_session_dup_entry_problem (s, "household[2]/member", 0, "m_age");
  g_assert_cmpstr (problem, ==, "This answer is not allowed here.");
  g_clear_pointer (&problem, g_free);
  problem = intake_form_session_dup_entry_problem (s, "household", 1, "member");
  g_assert_cmpstr (problem, ==, "The number of entries does not match what this section needs.");
  g_clear_pointer (&problem, g_free);
  g_assert_null (intake_form_session_dup_entry_problem (s, "household[1]/member", 0, "m_age"));
  problem = intake_form_session_dup_problem (s, "household");
  g_assert_cmpstr (problem, ==, "household[2]/member[1]/m_name: This question needs an answer.");
  g_assert_false (intake_form_session_check_complete (s, &error));
  g_assert_nonnull (strstr (error->message, "household[2]/member[1]/m_age: "));
}

static void
test_entry_functions (void)
{
  g_autoptr(IntakeForm) form = load (households);
  g_autoptr(IntakeFormSession) s = session_with (form, answers_json);
  GStrv steps;

  /* The outer entry lists the inner repeat as one of its steps. */
  steps = intake_form_session_dup_entry_visible (s, "household", 0);
  assert_strv (steps, (const char *[]) { "hh_name", "size", "member", NULL });
  g_strfreev (steps);
  /* An inner entry, named by its household: relevance reads the member and the household. */
  steps = intake_form_session_dup_entry_visible (s, "household[1]/member", 0);
  assert_strv (steps, (const char *[]) { "m_name", "m_age", "job", "head_note", NULL });
  g_strfreev (steps);
  steps = intake_form_session_dup_entry_visible (s, "household[1]/member", 1);
  assert_strv (steps, (const char *[]) { "m_name", "m_age", "head_note", NULL });
  g_strfreev (steps);
  steps = intake_form_session_dup_entry_visible (s, "household[2]/member", 0);
  assert_strv (steps, (const char *[]) { "m_name", "m_age", "job", NULL });
  g_strfreev (steps);
  /* Entries that do not exist, and paths that are not entries, give NULL. */
  g_assert_null (intake_form_session_dup_entry_visible (s, "household[2]/member", 1));
  g_assert_null (intake_form_session_dup_entry_visible (s, "household[3]/member", 0));
  g_assert_null (intake_form_session_dup_entry_visible (s, "household[0]/member", 0));
  g_assert_null (intake_form_session_dup_entry_visible (s, "household/member", 0));
  g_assert_null (intake_form_session_dup_entry_visible (s, "member", 0));
  g_assert_null (intake_form_session_dup_entry_visible (s, "household[1]/hh_name", 0));
  g_assert_null (intake_form_session_dup_entry_visible (s, "household[1x]/member", 0));
  /* A member's answer is the household's to set. */
  {
    g_autoptr(JsonNode) value = json_from_string ("\"Di\"", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_false (intake_form_session_set_answer (s, "m_name", value, &error));
    g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
  }
  g_assert_true (intake_form_session_is_relevant (s, "m_name"));
}

/* ${name} in a label inside an entry reads that entry, then the entry that holds it, once the
 * window has said which entry it shows. */
static void
test_labels (void)
{
  g_autoptr(IntakeForm) form = load (
    "{\"type\": \"text\", \"name\": \"village\", " LABEL "},"
    "{\"type\": \"repeat\", \"name\": \"household\", " LABEL ", \"children\": ["
    " {\"type\": \"text\", \"name\": \"hh_name\", " LABEL "},"
    " {\"type\": \"repeat\", \"name\": \"member\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"m_name\", " LABEL "},"
    "  {\"type\": \"integer\", \"name\": \"m_age\","
    "   \"label\": {\"en\": \"Age of ${m_name} of the ${hh_name}s in ${village}?\"},"
    "   \"hint\": {\"en\": \"${nobody} ${m_age}\"}}]}]}");
  g_autoptr(IntakeFormSession) s = session_with (
    form, "{\"village\": \"Bitung\", \"household\": ["
          " {\"hh_name\": \"Tan\", \"member\": [{\"m_name\": \"Ana\"}, {\"m_name\": \"Bo\"}]},"
          " {\"hh_name\": \"Lim\", \"member\": [{\"m_name\": \"Cy\"}]}]}");
  g_autofree char *label = intake_form_session_dup_label (s, "m_age");

  /* No entry said: the names inside repeats stay as written. */
  g_assert_cmpstr (label, ==, "Age of ${m_name} of the ${hh_name}s in Bitung?");
  g_clear_pointer (&label, g_free);
  intake_form_session_set_label_entry (s, "household[1]/member", 1);
  label = intake_form_session_dup_label (s, "m_age");
  g_assert_cmpstr (label, ==, "Age of Bo of the Tans in Bitung?");
  g_clear_pointer (&label, g_free);
  label = intake_form_session_dup_hint (s, "m_age");
  g_assert_cmpstr (label, ==, "${nobody} ");
  g_clear_pointer (&label, g_free);
  intake_form_session_set_label_entry (s, "household[2]/member", 0);
  label = intake_form_session_dup_label (s, "m_age");
  g_assert_cmpstr (label, ==, "Age of Cy of the Lims in Bitung?");
  g_clear_pointer (&label, g_free);
  /* An entry that does not exist: as with none. */
  intake_form_session_set_label_entry (s, "household[2]/member", 5);
  label = intake_form_session_dup_label (s, "m_age");
  g_assert_cmpstr (label, ==, "Age of ${m_name} of the ${hh_name}s in Bitung?");
  g_clear_pointer (&label, g_free);
  intake_form_session_set_label_entry (s, NULL, 0);
  label = intake_form_session_dup_label (s, "m_age");
  g_assert_cmpstr (label, ==, "Age of ${m_name} of the ${hh_name}s in Bitung?");
}

/* Choices inside an inner entry are filtered with that entry's values and its household's. */
static void
test_inner_choice_filter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = intake_form_new_from_data (
    "{\"id\": \"nested\", \"version\": 1, \"title\": {\"en\": \"Nested\"},"
    " \"default_language\": \"en\", \"languages\": [\"en\"],"
    " \"choice_lists\": {\"places\": ["
    "  {\"name\": \"ID\", \"label\": {\"en\": \"Indonesia\"}},"
    "  {\"name\": \"MY\", \"label\": {\"en\": \"Malaysia\"}}],"
    " \"ports\": ["
    "  {\"name\": \"bitung\", \"label\": {\"en\": \"Bitung\"}, \"filters\": {\"country\": \"ID\"}},"
    "  {\"name\": \"ambon\", \"label\": {\"en\": \"Ambon\"}, \"filters\": {\"country\": \"ID\"}},"
    "  {\"name\": \"klang\", \"label\": {\"en\": \"Klang\"}, \"filters\": {\"country\": \"MY\"}}]},"
    " \"questions\": ["
    "{\"type\": \"repeat\", \"name\": \"boat\", " LABEL ", \"children\": ["
    " {\"type\": \"select_one\", \"name\": \"flag\", " LABEL ", \"choices\": \"places\"},"
    " {\"type\": \"repeat\", \"name\": \"crew\", " LABEL ", \"children\": ["
    "  {\"type\": \"select_one\", \"name\": \"port\", " LABEL ", \"choices\": \"ports\","
    "   \"choice_filter\": \"country = ${flag}\"}]}]}]}",
    -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_autoptr(IntakeFormSession) s = NULL;
  GStrv choices;

  g_assert_no_error (error);
  s = session_with (form, "{\"boat\": [{\"flag\": \"MY\", \"crew\": [{\"port\": \"klang\"}]},"
                          " {\"flag\": \"ID\", \"crew\": [{}, {\"port\": \"klang\"}]}]}");
  choices = intake_form_session_dup_entry_visible_choices (s, "boat[1]/crew", 0, "port");
  assert_strv (choices, (const char *[]) { "klang", NULL });
  g_strfreev (choices);
  choices = intake_form_session_dup_entry_visible_choices (s, "boat[2]/crew", 1, "port");
  assert_strv (choices, (const char *[]) { "bitung", "ambon", NULL });
  g_strfreev (choices);
  /* Not a child of that inner repeat: NULL, as for the top-level entries. */
  g_assert_null (intake_form_session_dup_entry_visible_choices (s, "boat", 0, "port"));
  {
    g_autofree char *problem = intake_form_session_dup_entry_problem (s, "boat[2]/crew", 1,
                                                                      "port");

    g_assert_cmpstr (problem, ==,
                     "This option is not among the options offered now; choose again.");
  }
}

/* Three levels (a repeat in a repeat in a repeat) evaluate the same way. */
static void
test_three_levels (void)
{
  g_autoptr(IntakeForm) form = load (
    "{\"type\": \"repeat\", \"name\": \"a\", " LABEL ", \"children\": ["
    " {\"type\": \"text\", \"name\": \"an\", " LABEL "},"
    " {\"type\": \"repeat\", \"name\": \"b\", " LABEL ", \"children\": ["
    "  {\"type\": \"text\", \"name\": \"bn\", " LABEL "},"
    "  {\"type\": \"repeat\", \"name\": \"c\", " LABEL ", \"children\": ["
    "   {\"type\": \"integer\", \"name\": \"x\", " LABEL "},"
    "   {\"type\": \"text\", \"name\": \"y\", " LABEL ", \"relevant\": \"${an} = 'yes'\"},"
    "   {\"type\": \"calculate\", \"name\": \"where\","
    "    \"calculation\": \"concat(${an}, ${bn}, position(..))\"}]},"
    "  {\"type\": \"calculate\", \"name\": \"b_sum\", \"calculation\": \"sum(${x})\"}]},"
    " {\"type\": \"calculate\", \"name\": \"a_sum\", \"calculation\": \"sum(${x})\"}]},"
    "{\"type\": \"calculate\", \"name\": \"total\", \"calculation\": \"sum(${x})\"},"
    "{\"type\": \"calculate\", \"name\": \"n_c\", \"calculation\": \"count(${c})\"}");
  g_autoptr(IntakeFormSession) s = session_with (
    form,
    "{\"a\": [{\"an\": \"yes\", \"b\": [{\"bn\": \"p\", \"c\": [{\"x\": 1}, {\"x\": 2}]},"
    "                                {\"bn\": \"q\", \"c\": [{\"x\": 4}]}]},"
    "        {\"an\": \"no\", \"b\": [{\"bn\": \"r\", \"c\": [{\"x\": 8}]}]}]}");
  g_autoptr(JsonObject) export = intake_form_session_dup_export_answers (s);
  JsonObject *a1 = json_array_get_object_element (json_object_get_array_member (export, "a"), 0);
  JsonObject *b2 = json_array_get_object_element (json_object_get_array_member (a1, "b"), 1);
  JsonObject *c1 = json_array_get_object_element (json_object_get_array_member (b2, "c"), 0);
  GStrv steps;

  assert_value (s, "total", "15");
  assert_value (s, "n_c", "4");
  g_assert_cmpstr (json_object_get_string_member (a1, "a_sum"), ==, "7");
  g_assert_cmpstr (json_object_get_string_member (b2, "b_sum"), ==, "4");
  g_assert_cmpstr (json_object_get_string_member (c1, "where"), ==, "yesq1");
  /* y is asked where the outermost entry's an is 'yes'. */
  steps = intake_form_session_dup_entry_visible (s, "a[2]/b[1]/c", 0);
  assert_strv (steps, (const char *[]) { "x", NULL });
  g_strfreev (steps);
  steps = intake_form_session_dup_entry_visible (s, "a[1]/b[1]/c", 1);
  assert_strv (steps, (const char *[]) { "x", "y", NULL });
  g_strfreev (steps);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intake/core/nested-repeats/load", test_load);
  g_test_add_func ("/intake/core/nested-repeats/evaluate", test_evaluate);
  g_test_add_func ("/intake/core/nested-repeats/problems", test_problems);
  g_test_add_func ("/intake/core/nested-repeats/entry-functions", test_entry_functions);
  g_test_add_func ("/intake/core/nested-repeats/inner-choice-filter", test_inner_choice_filter);
  g_test_add_func ("/intake/core/nested-repeats/labels", test_labels);
  g_test_add_func ("/intake/core/nested-repeats/three-levels", test_three_levels);
  return g_test_run ();
}
