/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Dynamic defaults (issue #12): a `default` written as an expression, as ODK Collect runs it
 * (pyxform's setvalue on odk-instance-first-load, and odk-new-repeat inside a repeat).  The form
 * loader's checks; evaluation when the interview is created and when a repeat entry is added;
 * the value stored as an answer, changeable, and never evaluated again (after edits, after the
 * store is reopened, after the program is killed); static defaults as they were.
 */
#include "store-fixture.h"

#include "intake-form-session.h"

#include <signal.h>

#define LABEL "\"label\": {\"en\": \"Q\"}"

static IntakeForm *
load_form (const char *questions, GError **error)
{
  g_autofree char *doc = g_strdup_printf (
    "{\"id\": \"dd\", \"version\": 1, \"title\": {\"en\": \"Defaults\"}, "
    "\"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": [%s]}",
    questions);

  return intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT, error);
}

static IntakeForm *
load_ok (const char *questions)
{
  g_autoptr(GError) error = NULL;
  IntakeForm *form = load_form (questions, &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static void
assert_refused (const char *questions, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = load_form (questions, &error);

  g_assert_null (form);
  g_assert_nonnull (error);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error->message);
}

static void
set (IntakeFormSession *s, const char *name, const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json != NULL ? json_from_string (json, &error) : NULL;

  g_assert_no_error (error);
  g_assert_true (intake_form_session_set_answer (s, name, node, &error));
  g_assert_no_error (error);
}

/* The answer @name holds (in @entry of @repeat when @repeat is given), as JSON, or NULL. */
static char *
answer_json (IntakeFormSession *s, const char *repeat, int entry, const char *name)
{
  JsonObject *answers = intake_form_session_get_answers (s);
  JsonNode *node;

  if (repeat != NULL)
    {
      JsonArray *entries = json_object_get_array_member (answers, repeat);

      g_assert_nonnull (entries);
      g_assert_cmpuint ((guint) entry, <, json_array_get_length (entries));
      answers = json_array_get_object_element (entries, (guint) entry);
    }
  node = json_object_get_member (answers, name);
  return node != NULL ? json_to_string (node, FALSE) : NULL;
}

#define ASSERT_ANSWER(s, repeat, entry, name, expected)                                          \
  G_STMT_START                                                                                   \
  {                                                                                              \
    g_autofree char *got_ = answer_json ((s), (repeat), (entry), (name));                        \
    g_assert_cmpstr (got_, ==, (expected));                                                      \
  }                                                                                              \
  G_STMT_END

/* ---- The loader ---- */

static void
test_load (void)
{
  g_autoptr(IntakeForm) form = load_ok (
    "{\"type\": \"text\", \"name\": \"a\", " LABEL "},"
    "{\"type\": \"text\", \"name\": \"b\", " LABEL ", \"dynamic_default\": \"concat(${a}, 'x')\"}");

  g_assert_cmpstr (intake_question_get_dynamic_default (intake_form_lookup_question (form, "b")),
                   ==, "concat(${a}, 'x')");
  g_assert_null (intake_question_get_dynamic_default (intake_form_lookup_question (form, "a")));

  /* Checked as every expression is: names, syntax, functions the tablet does not have. */
  assert_refused ("{\"type\": \"text\", \"name\": \"b\", " LABEL
                  ", \"dynamic_default\": \"${nobody} + 1\"}",
                  "dynamic_default refers to ${nobody}, which is not a question of this form");
  assert_refused ("{\"type\": \"text\", \"name\": \"b\", " LABEL ", \"dynamic_default\": \"1 +\"}",
                  "dynamic_default: ");
  assert_refused ("{\"type\": \"text\", \"name\": \"b\", " LABEL
                  ", \"dynamic_default\": \"pulldata('a', 'b', 'c', 'd')\"}",
                  "pulldata");
  /* One default per question, and only on a question that takes an answer. */
  assert_refused ("{\"type\": \"integer\", \"name\": \"b\", " LABEL
                  ", \"default\": 3, \"dynamic_default\": \"1 + 2\"}",
                  "both 'default' and 'dynamic_default'");
  assert_refused ("{\"type\": \"note\", \"name\": \"b\", " LABEL ", \"dynamic_default\": \"1\"}",
                  "a note has no default");

  assert_refused ("{\"type\": \"calculate\", \"name\": \"b\", \"calculation\": \"1\", "
                  "\"dynamic_default\": \"2\"}",
                  "a calculate has no default");
  /* A default that reads its own answer only ever reads it empty. */
  assert_refused ("{\"type\": \"integer\", \"name\": \"b\", " LABEL
                  ", \"dynamic_default\": \"${b} + 1\"}",
                  "reads its own answer, which is always empty when it is evaluated: b -> b");
  assert_refused ("{\"type\": \"integer\", \"name\": \"b\", " LABEL
                  ", \"dynamic_default\": \"${c}\"},"
                  "{\"type\": \"calculate\", \"name\": \"c\", \"calculation\": \"${b} * 2\"}",
                  "b -> c -> b");
  /* Told from the default, wherever the walk met the cycle. */
  assert_refused ("{\"type\": \"calculate\", \"name\": \"c\", \"calculation\": \"${b} * 2\"},"
                  "{\"type\": \"integer\", \"name\": \"b\", " LABEL
                  ", \"dynamic_default\": \"${c} + 1\"}",
                  "b -> c -> b");
  assert_refused ("{\"type\": \"integer\", \"name\": \"b\", " LABEL
                  ", \"dynamic_default\": \"${d}\"},"
                  "{\"type\": \"integer\", \"name\": \"d\", " LABEL
                  ", \"dynamic_default\": \"${b}\"}",
                  "b -> d -> b");
  /* Reading the same question in the entries before is not circular (ODK's "previous entry"). */
  g_clear_object (&form);
  form = load_ok ("{\"type\": \"repeat\", \"name\": \"r\", " LABEL ", \"children\": ["
                  "{\"type\": \"integer\", \"name\": \"q\", " LABEL ", \"dynamic_default\": "
                  "\"indexed-repeat(${q}, ${r}, position(..) - 1)\"}]}");
}

/* ---- First load ---- */

static const char *const first_load_form =
  "{\"type\": \"text\", \"name\": \"name\", " LABEL "},"
  "{\"type\": \"text\", \"name\": \"greeting\", " LABEL
  ", \"dynamic_default\": \"concat('Hello ', ${name})\"},"
  "{\"type\": \"text\", \"name\": \"louder\", " LABEL
  ", \"dynamic_default\": \"concat(${greeting}, '!')\"},"
  "{\"type\": \"date\", \"name\": \"visit\", " LABEL ", \"dynamic_default\": \"today()\"},"
  "{\"type\": \"date\", \"name\": \"follow_up\", " LABEL ", \"dynamic_default\": \"today() + 7\"},"
  "{\"type\": \"time\", \"name\": \"at\", " LABEL ", \"dynamic_default\": \"now()\"},"
  "{\"type\": \"dateTime\", \"name\": \"stamp\", " LABEL ", \"dynamic_default\": \"now()\"},"
  "{\"type\": \"integer\", \"name\": \"whole\", " LABEL ", \"dynamic_default\": \"7 div 2\"},"
  "{\"type\": \"decimal\", \"name\": \"half\", " LABEL ", \"dynamic_default\": \"7 div 2\"},"
  "{\"type\": \"select_multiple\", \"name\": \"needs\", " LABEL
  ", \"choices\": [{\"name\": \"food\", " LABEL "}, {\"name\": \"water\", " LABEL "}],"
  " \"dynamic_default\": \"concat('food', ' ', 'water')\"},"
  "{\"type\": \"select_one\", \"name\": \"unknown_choice\", " LABEL
  ", \"choices\": [{\"name\": \"yes\", " LABEL "}], \"dynamic_default\": \"'maybe'\"},"
  "{\"type\": \"integer\", \"name\": \"not_a_number\", " LABEL
  ", \"dynamic_default\": \"concat('a', 'b')\"},"
  "{\"type\": \"text\", \"name\": \"hidden_now\", " LABEL
  ", \"relevant\": \"${name} = 'nobody'\", \"dynamic_default\": \"'set anyway'\"},"
  "{\"type\": \"text\", \"name\": \"given\", " LABEL ", \"dynamic_default\": \"'default'\"},"
  "{\"type\": \"integer\", \"name\": \"fixed\", " LABEL ", \"default\": 5},"
  "{\"type\": \"integer\", \"name\": \"read\", " LABEL ", \"read_only\": true, "
  "\"dynamic_default\": \"${fixed} * 10\"}";

static IntakeFormSession *
first_load_session (IntakeForm *form)
{
  g_autoptr(JsonObject) given = json_object_new ();
  IntakeFormSession *s;

  json_object_set_string_member (given, "name", "Siti");
  json_object_set_string_member (given, "given", "typed in");
  s = intake_form_session_new (form, given, NULL);
  intake_form_session_set_today (s, "2026-11-28");
  intake_form_session_set_now (s, "2026-11-28T10:20:30.000Z");
  intake_form_session_apply_first_load_defaults (s);
  return s;
}

static void
test_first_load (void)
{
  g_autoptr(IntakeForm) form = load_ok (first_load_form);
  g_autoptr(IntakeFormSession) s = first_load_session (form);
  g_autofree char *shown = NULL;
  g_autofree char *hidden = NULL;

  ASSERT_ANSWER (s, NULL, 0, "greeting", "\"Hello Siti\"");
  /* In form order: a default reads the ones before it. */
  ASSERT_ANSWER (s, NULL, 0, "louder", "\"Hello Siti!\"");
  /* Dates are days in arithmetic, and stored as dates. */
  ASSERT_ANSWER (s, NULL, 0, "visit", "\"2026-11-28\"");
  ASSERT_ANSWER (s, NULL, 0, "follow_up", "\"2026-12-05\"");
  ASSERT_ANSWER (s, NULL, 0, "at", "\"10:20:30.000\"");
  ASSERT_ANSWER (s, NULL, 0, "stamp", "\"2026-11-28T10:20:30.000+00:00\"");
  /* JavaRosa's IAnswerData.wrapData: an integer is cut towards zero. */
  ASSERT_ANSWER (s, NULL, 0, "whole", "3");
  ASSERT_ANSWER (s, NULL, 0, "half", "3.5");
  ASSERT_ANSWER (s, NULL, 0, "needs", "[\"food\",\"water\"]");
  /* A value the question cannot hold is not stored. */
  ASSERT_ANSWER (s, NULL, 0, "unknown_choice", NULL);
  ASSERT_ANSWER (s, NULL, 0, "not_a_number", NULL);
  /* Set even though not relevant now (as ODK does); it counts only once relevant. */
  ASSERT_ANSWER (s, NULL, 0, "hidden_now", "\"set anyway\"");
  hidden = intake_form_session_dup_value (s, "hidden_now");
  g_assert_cmpstr (hidden, ==, "");
  /* An answer given as the interview is created is kept. */
  ASSERT_ANSWER (s, NULL, 0, "given", "\"typed in\"");
  /* A static default stays what it was: shown while unanswered, never stored... */
  ASSERT_ANSWER (s, NULL, 0, "fixed", NULL);
  shown = intake_form_session_dup_value (s, "fixed");
  g_assert_cmpstr (shown, ==, "5");
  /* ...and read by a dynamic default as its value; read_only does not stop a default. */
  ASSERT_ANSWER (s, NULL, 0, "read", "50");

  /* An answer like any other: changed, cleared, and never evaluated again. */
  set (s, "name", "\"Budi\"");
  ASSERT_ANSWER (s, NULL, 0, "greeting", "\"Hello Siti\"");
  set (s, "greeting", "\"Selamat pagi\"");
  ASSERT_ANSWER (s, NULL, 0, "greeting", "\"Selamat pagi\"");
  ASSERT_ANSWER (s, NULL, 0, "louder", "\"Hello Siti!\"");
  set (s, "louder", NULL);
  set (s, "name", "\"Ayu\"");
  ASSERT_ANSWER (s, NULL, 0, "louder", NULL);
  set (s, "fixed", "9");
  ASSERT_ANSWER (s, NULL, 0, "read", "50");

  /* A session over the saved answers (the interview reopened) evaluates nothing. */
  {
    g_autoptr(IntakeFormSession) again = intake_form_session_new (
      form, intake_form_session_get_answers (s), NULL);

    intake_form_session_set_today (again, "2027-01-01");
    ASSERT_ANSWER (again, NULL, 0, "visit", "\"2026-11-28\"");
    ASSERT_ANSWER (again, NULL, 0, "louder", NULL);
  }
}

/* ---- New repeat entries ---- */

static const char *const repeat_form =
  "{\"type\": \"integer\", \"name\": \"member_count\", " LABEL "},"
  "{\"type\": \"repeat\", \"name\": \"members\", " LABEL ", \"children\": ["
  "  {\"type\": \"integer\", \"name\": \"number\", " LABEL
  ", \"dynamic_default\": \"position(..)\"},"
  "  {\"type\": \"text\", \"name\": \"title\", " LABEL
  ", \"dynamic_default\": \"concat('Member ', ${number}, ' of ', ${member_count})\"},"
  "  {\"type\": \"integer\", \"name\": \"age\", " LABEL "},"
  "  {\"type\": \"integer\", \"name\": \"same_age\", " LABEL ", \"dynamic_default\": \"${age}\"},"
  "  {\"type\": \"integer\", \"name\": \"previous_age\", " LABEL
  ", \"dynamic_default\": \"indexed-repeat(${age}, ${members}, position(..) - 1)\"},"
  "  {\"type\": \"integer\", \"name\": \"next_id\", " LABEL
  ", \"dynamic_default\": \"${member_count} + 1\"},"
  "  {\"type\": \"integer\", \"name\": \"so_far\", " LABEL
  ", \"dynamic_default\": \"count(${members})\"},"
  "  {\"type\": \"select_one\", \"name\": \"role\", " LABEL
  ", \"relevant\": \"${age} > 200\", \"choices\": [{\"name\": \"head\", " LABEL "},"
  " {\"name\": \"other\", " LABEL "}],"
  " \"dynamic_default\": \"if(position(..) = 1, 'head', 'other')\"}"
  "]},"
  "{\"type\": \"integer\", \"name\": \"after\", " LABEL
  ", \"dynamic_default\": \"count(${members})\"}";

/* Sets child @name of entry @entry to @json, as the window saves an answer inside an entry. */
static void
set_in_entry (IntakeFormSession *s, unsigned int entry, const char *name, const char *json)
{
  JsonArray *old = json_object_get_array_member (intake_form_session_get_answers (s), "members");
  g_autoptr(JsonArray) entries = json_array_new ();
  g_autoptr(JsonNode) list = json_node_new (JSON_NODE_ARRAY);

  for (unsigned int i = 0; i < json_array_get_length (old); i++)
    {
      JsonObject *from = json_array_get_object_element (old, i);
      JsonObject *copy = json_object_new ();
      GList *names = json_object_get_members (from);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (copy, l->data,
                                json_node_copy (json_object_get_member (from, l->data)));
      g_list_free (names);
      if (i == entry)
        json_object_set_member (copy, name, json_from_string (json, NULL));
      json_array_add_object_element (entries, copy);
    }
  json_node_set_array (list, entries);
  g_assert_true (intake_form_session_set_answer (s, "members", list, NULL));
}

static void
test_new_repeat (void)
{
  g_autoptr(IntakeForm) form = load_ok (repeat_form);
  g_autoptr(IntakeFormSession) s = intake_form_session_new (form, NULL, NULL);
  g_autoptr(GError) error = NULL;
  unsigned int entry = 99;

  /* First load touches no entry: there is none yet (and count() reads none). */
  intake_form_session_apply_first_load_defaults (s);
  ASSERT_ANSWER (s, NULL, 0, "members", NULL);
  ASSERT_ANSWER (s, NULL, 0, "after", "0");
  set (s, "member_count", "4");

  g_assert_true (intake_form_session_add_entry (s, "members", &entry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (entry, ==, 0);
  /* position(..) is the new entry's number; siblings read the entry as it stands, defaults
   * before them included; the top level is read as it is now. */
  ASSERT_ANSWER (s, "members", 0, "number", "1");
  ASSERT_ANSWER (s, "members", 0, "title", "\"Member 1 of 4\"");
  ASSERT_ANSWER (s, "members", 0, "same_age", NULL);
  ASSERT_ANSWER (s, "members", 0, "previous_age", NULL);
  ASSERT_ANSWER (s, "members", 0, "next_id", "5");
  /* The entry exists before its defaults are evaluated. */
  ASSERT_ANSWER (s, "members", 0, "so_far", "1");
  /* Not relevant (age is not over 200) and set all the same. */
  ASSERT_ANSWER (s, "members", 0, "role", "\"head\"");
  set_in_entry (s, 0, "age", "34");

  g_assert_true (intake_form_session_add_entry (s, "members", &entry, &error));
  g_assert_cmpuint (entry, ==, 1);
  ASSERT_ANSWER (s, "members", 1, "number", "2");
  ASSERT_ANSWER (s, "members", 1, "previous_age", "34");
  ASSERT_ANSWER (s, "members", 1, "so_far", "2");
  ASSERT_ANSWER (s, "members", 1, "role", "\"other\"");
  /* The entry before is left as it was. */
  ASSERT_ANSWER (s, "members", 0, "number", "1");
  ASSERT_ANSWER (s, "members", 0, "so_far", "1");
  /* The top-level default was evaluated once, at first load, before any entry. */
  ASSERT_ANSWER (s, NULL, 0, "after", "0");

  /* Never evaluated again: not when what they read changes, not when edited. */
  set (s, "member_count", "9");
  set_in_entry (s, 0, "age", "40");
  set_in_entry (s, 1, "number", "7");
  ASSERT_ANSWER (s, "members", 0, "title", "\"Member 1 of 4\"");
  ASSERT_ANSWER (s, "members", 1, "next_id", "5");
  ASSERT_ANSWER (s, "members", 1, "previous_age", "34");
  ASSERT_ANSWER (s, "members", 1, "title", "\"Member 2 of 4\"");
  ASSERT_ANSWER (s, "members", 1, "number", "7");

  /* Only a repeat takes an entry. */
  g_assert_false (intake_form_session_add_entry (s, "member_count", NULL, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
}

/* Inside a repeat that is inside a repeat (boats → crew): evaluated in the new inner entry,
 * within the boat that holds it, as odk-new-repeat runs there. */
static void
test_nested_repeat (void)
{
  g_autoptr(IntakeForm) form = load_ok (
    "{\"type\": \"repeat\", \"name\": \"boats\", " LABEL ", \"children\": ["
    "{\"type\": \"text\", \"name\": \"boat_name\", " LABEL "},"
    "{\"type\": \"repeat\", \"name\": \"crew\", " LABEL ", \"children\": ["
    "{\"type\": \"integer\", \"name\": \"number\", " LABEL
    ", \"dynamic_default\": \"position(..)\"},"
    "{\"type\": \"text\", \"name\": \"tag\", " LABEL
    ", \"dynamic_default\": \"concat(${boat_name}, '-', ${number}, '/', count(${crew}))\"}]}]}");
  g_autoptr(IntakeFormSession) s = intake_form_session_new (form, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) boats = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *text = NULL;
  unsigned int entry = 99;

  g_assert_true (intake_form_session_add_entry (s, "boats", &entry, &error));
  g_assert_no_error (error);
  set (s, "boats", "[{\"boat_name\": \"Sinar\"}, {\"boat_name\": \"Bahari\"}]");
  g_assert_true (intake_form_session_add_entry (s, "boats[2]/crew", &entry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (entry, ==, 0);
  g_assert_true (intake_form_session_add_entry (s, "boats[2]/crew", &entry, &error));
  g_assert_cmpuint (entry, ==, 1);
  g_assert_true (intake_form_session_add_entry (s, "boats[1]/crew", &entry, &error));
  g_assert_cmpuint (entry, ==, 0);
  /* position(..) within its boat; a default reads the one set before it, the boat's name and
   * the count of its own boat's crew, the new entry included. */
  boats = json_node_ref (json_object_get_member (intake_form_session_get_answers (s), "boats"));
  expected = json_from_string ("[{\"boat_name\":\"Sinar\",\"crew\":[{\"number\":1,\"tag\":\"Sinar-1/1\"}]},"
                   "{\"boat_name\":\"Bahari\",\"crew\":[{\"number\":1,\"tag\":\"Bahari-1/1\"},"
                   "{\"number\":2,\"tag\":\"Bahari-2/2\"}]}]", NULL);
  text = json_to_string (boats, FALSE);
  if (!json_node_equal (boats, expected))
    g_error ("boats: %s", text);
  /* A path that names no entry, or no repeat inside one, adds nothing. */
  g_assert_false (intake_form_session_add_entry (s, "boats[3]/crew", NULL, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
  g_clear_error (&error);
  g_assert_false (intake_form_session_add_entry (s, "boats[1]/boat_name", NULL, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
}

/* ---- Through the store ---- */

static const char *const store_form =
  "{\"id\": \"dd\", \"version\": 1, \"title\": {\"en\": \"Defaults\"}, "
  "\"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["
  "{\"type\": \"deviceid\", \"name\": \"device\"},"
  "{\"type\": \"text\", \"name\": \"name\", " LABEL "},"
  "{\"type\": \"text\", \"name\": \"greeting\", " LABEL
  ", \"dynamic_default\": \"concat('Hello ', ${name})\"},"
  "{\"type\": \"text\", \"name\": \"token\", " LABEL ", \"dynamic_default\": \"uuid()\"},"
  "{\"type\": \"text\", \"name\": \"where\", " LABEL ", \"dynamic_default\": \"${device}\"}]}";

static char *
create_dd_interview (IntakeSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answers = json_object_new ();
  char *id;

  json_object_set_string_member (answers, "name", "Ayu Lestari");
  id = intake_session_create_interview (session, "dd", 1, answers, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static void
test_store (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *id = NULL;
  g_autofree char *token = NULL;
  g_autofree char *holder = NULL;

  ASSERT_OK (intake_session_import_form (f->admin, store_form, NULL, NULL, &error));
  id = create_dd_interview (w1);
  {
    g_autoptr(IntakeInterview) iv = open_ok (w1, id);

    g_assert_cmpstr (answer_of (iv, "greeting"), ==, "Hello Ayu Lestari");
    /* Evaluated after the metadata is stamped, so it reads this tablet's id. */
    g_assert_cmpstr (answer_of (iv, "where"), ==, intake_store_get_device_id (f->store));
    token = g_strdup (answer_of (iv, "token"));
    g_assert_nonnull (token);
    g_assert_true (g_uuid_string_is_valid (token));
  }
  /* Stored like every answer: inside the interview's encrypted content, nowhere in clear. */
  g_ptr_array_add (secrets, g_bytes_new_static ("Hello Ayu", 9));
  g_ptr_array_add (secrets, g_bytes_new (token, strlen (token)));
  holder = data_file_holding (f, secrets);
  g_assert_null (holder);

  /* Answers change, the stored defaults do not; nor when the store is opened again. */
  set_string_answer (w1, id, "name", "Budi");
  g_clear_object (&w1);
  fixture_reopen (f);
  w1 = unlock_as (f->store, "w1");
  {
    g_autoptr(IntakeInterview) iv = open_ok (w1, id);

    g_assert_cmpstr (answer_of (iv, "name"), ==, "Budi");
    g_assert_cmpstr (answer_of (iv, "greeting"), ==, "Hello Ayu Lestari");
    g_assert_cmpstr (answer_of (iv, "token"), ==, token);
  }
}

/* The child half of test_killed: creates the interview, writes down its id and token, and
 * kills itself before anything can close the store cleanly. */
static void
killed_child (void)
{
  const char *data_dir = g_getenv ("INTAKE_TEST_DD_DATA_DIR");
  const char *out = g_getenv ("INTAKE_TEST_DD_OUT");
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeStore) store = data_dir != NULL ? intake_store_open (data_dir, &error) : NULL;
  g_autoptr(IntakeSession) w1 = NULL;
  g_autoptr(IntakeInterview) iv = NULL;
  g_autofree char *id = NULL;
  g_autofree char *line = NULL;

  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /intake/core/dynamic-default/store/killed");
      return;
    }
  g_assert_no_error (error);
  w1 = unlock_as (store, "w1");
  id = create_dd_interview (w1);
  iv = open_ok (w1, id);
  line = g_strdup_printf ("%s %s", id, answer_of (iv, "token"));
  g_assert_true (g_file_set_contents (out, line, -1, &error));
  raise (SIGKILL);
}

static void
test_killed (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (f->tmp, "child.txt", NULL);
  g_autofree char *line = NULL;
  g_auto(GStrv) parts = NULL;

  ASSERT_OK (intake_session_import_form (f->admin, store_form, NULL, NULL, &error));
  /* SQLite connections are not carried over a fork: the child opens its own. */
  fixture_close (f);
  g_setenv ("INTAKE_TEST_DD_DATA_DIR", f->data_dir, TRUE);
  g_setenv ("INTAKE_TEST_DD_OUT", out, TRUE);
  g_test_trap_subprocess ("/intake/core/dynamic-default/store/killed-child", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_assert_false (g_test_trap_has_passed ());
  g_assert_true (g_file_get_contents (out, &line, NULL, &error));
  parts = g_strsplit (line, " ", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);

  fixture_reopen (f);
  {
    g_autoptr(IntakeSession) w1 = unlock_as (f->store, "w1");
    g_autoptr(IntakeInterview) iv = open_ok (w1, parts[0]);
    g_autoptr(IntakeForm) form = intake_form_new_from_data (store_form, -1,
                                                           INTAKE_FORM_LOAD_DEFAULT, &error);
    g_autoptr(IntakeFormSession) fs = NULL;
    g_autofree char *value = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (answer_of (iv, "token"), ==, parts[1]);
    /* What the window does on reopening: a form session over the stored answers. */
    fs = intake_form_session_new (form, json_object_get_object_member (iv->content, "answers"),
                                  NULL);
    value = intake_form_session_dup_value (fs, "token");
    g_assert_cmpstr (value, ==, parts[1]);
  }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);
  g_test_add_func ("/intake/core/dynamic-default/load", test_load);
  g_test_add_func ("/intake/core/dynamic-default/first-load", test_first_load);
  g_test_add_func ("/intake/core/dynamic-default/new-repeat", test_new_repeat);
  g_test_add_func ("/intake/core/dynamic-default/nested-repeat", test_nested_repeat);
  g_test_add ("/intake/core/dynamic-default/store/create-and-reopen", Fixture, NULL,
              fixture_setup, test_store, fixture_teardown);
  g_test_add_func ("/intake/core/dynamic-default/store/killed-child", killed_child);
  g_test_add ("/intake/core/dynamic-default/store/killed", Fixture, NULL, fixture_setup,
              test_killed, fixture_teardown);
  return g_test_run ();
}
