/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loading and validating forms (each refusal names the form, the question and, for an
 * expression, the column) and the session: relevance, navigation, answer checks in both
 * languages, calculations, completeness, the export view, repeats, and incremental
 * re-evaluation agreeing with evaluation from scratch.
 */
#include "intake-form-session.h"

#include <string.h>

/* Test documents are written with ` for ", which keeps them readable in C. */
static char *
unquote (const char *text)
{
  char *copy = g_strdup (text);

  for (char *p = copy; *p != '\0'; p++)
    if (*p == '`')
      *p = '"';
  return copy;
}

#define L(s) "{`en`: `" s "`, `id`: `" s " (id)`}"
#define YESNO "[{`name`: `yes`, `label`: " L ("Yes") "}, {`name`: `no`, `label`: " L ("No") "}]"

static char *
form_with (const char *questions)
{
  g_autofree char *doc = g_strdup_printf (
    "{`id`: `t`, `version`: 1, `title`: " L ("T") ", `default_language`: `en`, "
    "`languages`: [`en`, `id`], `questions`: [%s]}", questions);

  return unquote (doc);
}

typedef struct
{
  const char *name;
  const char *questions; /* NULL: use document as the whole document. */
  const char *document;
  IntakeFormError code;
  const char *parts[3]; /* Each must appear in the message. */
} RefusalCase;

static const RefusalCase refusals[] = {
  { "malformed-json", NULL, "{`id`: `t`,", INTAKE_FORM_ERROR_MALFORMED,
    { "not JSON", "line 1, column 12", NULL } },
  /* What json-glib alone would have read: a form is standard JSON or it is refused. */
  { "comment", NULL, "{/* a form */ `id`: `t`}", INTAKE_FORM_ERROR_MALFORMED,
    { "not standard JSON", "a comment", "column 2" } },
  { "single-quoted", NULL, "{`id`: 't'}", INTAKE_FORM_ERROR_MALFORMED,
    { "not standard JSON", "a single-quoted string", NULL } },
  { "not-an-object", NULL, "[1, 2]", INTAKE_FORM_ERROR_MALFORMED, { "not a JSON object", NULL } },
  { "deep-nesting", NULL,
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    INTAKE_FORM_ERROR_MALFORMED, { "nested deeper than 64 levels", NULL } },
  { "version-zero", NULL,
    "{`id`: `t`, `version`: 0, `title`: " L ("T") ", `default_language`: `en`, `languages`: "
    "[`en`, `id`], `questions`: []}",
    INTAKE_FORM_ERROR_MALFORMED, { "form 't'", "'version'", NULL } },
  { "default-language-undeclared", NULL,
    "{`id`: `t`, `version`: 1, `title`: " L ("T") ", `default_language`: `fr`, `languages`: "
    "[`en`, `id`], `questions`: []}",
    INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE, { "form 't'", "'fr'", NULL } },
  { "unknown-type", "{`type`: `txt`, `name`: `a`, `label`: " L ("A") "}",
    NULL, INTAKE_FORM_ERROR_UNKNOWN_TYPE, { "form 't': question 'a'", "unknown type 'txt'" } },
  { "duplicate-name",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") "},"
    "{`type`: `group`, `name`: `g`, `label`: " L ("G") ", `children`: ["
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") "}]}",
    NULL, INTAKE_FORM_ERROR_DUPLICATE_NAME, { "form 't': question 'a'", "twice" } },
  { "missing-reference",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `relevant`: `${b} = 'x'`}", NULL,
    INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, { "form 't': question 'a'", "relevant", "${b}" } },
  { "reference-to-group",
    "{`type`: `group`, `name`: `g`, `label`: " L ("G") ", `children`: ["
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") "}]},"
    "{`type`: `text`, `name`: `b`, `label`: " L ("B") ", `relevant`: `${g} = 'x'`}",
    NULL, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, { "question 'b'", "${g}", "no value" } },
  { "reference-into-repeat",
    "{`type`: `repeat`, `name`: `r`, `label`: " L ("R") ", `children`: ["
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") "}]},"
    "{`type`: `text`, `name`: `b`, `label`: " L ("B") ", `relevant`: `${a} = 'x'`}",
    NULL, INTAKE_FORM_ERROR_UNKNOWN_REFERENCE, { "question 'b'", "inside the repeat 'r'" } },
  { "calculation-cycle",
    "{`type`: `calculate`, `name`: `a`, `calculation`: `${c} + 1`},"
    "{`type`: `calculate`, `name`: `b`, `calculation`: `${a} + 1`},"
    "{`type`: `calculate`, `name`: `c`, `calculation`: `${b} + 1`}",
    NULL, INTAKE_FORM_ERROR_CYCLE, { "form 't': question '", "cycle", "->" } },
  { "relevance-cycle",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `relevant`: `${b} = ''`},"
    "{`type`: `text`, `name`: `b`, `label`: " L ("B") ", `relevant`: `${a} = ''`}",
    NULL, INTAKE_FORM_ERROR_CYCLE, { "form 't': question '", "cycle", NULL } },
  { "self-relevance",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `relevant`: `${a} = ''`}",
    NULL, INTAKE_FORM_ERROR_CYCLE, { "question 'a'", "depends on itself" } },
  { "select-without-choices", "{`type`: `select_one`, `name`: `a`, `label`: " L ("A") "}",
    NULL, INTAKE_FORM_ERROR_NO_CHOICES, { "form 't': question 'a'", "without choices" } },
  { "select-empty-choices",
    "{`type`: `select_multiple`, `name`: `a`, `label`: " L ("A") ", `choices`: []}",
    NULL, INTAKE_FORM_ERROR_NO_CHOICES, { "question 'a'", NULL } },
  { "unknown-choice-list",
    "{`type`: `select_one`, `name`: `a`, `label`: " L ("A") ", `choices`: `nope`}",
    NULL, INTAKE_FORM_ERROR_NO_CHOICES, { "question 'a'", "'nope'" } },
  { "duplicate-choice",
    "{`type`: `select_one`, `name`: `a`, `label`: " L ("A") ", `choices`: ["
    "{`name`: `x`, `label`: " L ("X") "}, {`name`: `x`, `label`: " L ("X") "}]}",
    NULL, INTAKE_FORM_ERROR_DUPLICATE_NAME, { "question 'a'", "choice 'x'" } },
  { "undeclared-language",
    "{`type`: `text`, `name`: `a`, `label`: {`en`: `A`, `id`: `A`, `fr`: `A`}}", NULL,
    INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE, { "form 't': question 'a'", "'fr'" } },
  { "missing-translation", "{`type`: `text`, `name`: `a`, `label`: {`en`: `A`}}", NULL,
    INTAKE_FORM_ERROR_MISSING_TRANSLATION, { "form 't': question 'a'", "no text in 'id'" } },
  { "missing-choice-translation",
    "{`type`: `select_one`, `name`: `a`, `label`: " L ("A") ", `choices`: ["
    "{`name`: `x`, `label`: {`en`: `X`}}]}",
    NULL, INTAKE_FORM_ERROR_MISSING_TRANSLATION, { "question 'a'", "'id'" } },
  { "missing-label", "{`type`: `text`, `name`: `a`}", NULL, INTAKE_FORM_ERROR_MALFORMED,
    { "question 'a'", "'label' is missing" } },
  { "relevant-syntax",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `relevant`: `1 +`}", NULL,
    INTAKE_FORM_ERROR_EXPRESSION, { "form 't': question 'a'", "relevant: column 4" } },
  { "constraint-syntax",
    "{`type`: `integer`, `name`: `a`, `label`: " L ("A") ", `constraint`: `. > (1`}", NULL,
    INTAKE_FORM_ERROR_EXPRESSION, { "question 'a'", "constraint: column 7", "expected ')'" } },
  { "calculation-unknown-function",
    "{`type`: `calculate`, `name`: `a`, `calculation`: `  summe(1)`}", NULL,
    INTAKE_FORM_ERROR_EXPRESSION, { "question 'a'", "calculation: column 3", "'summe'" } },
  /* ODK functions the tablet does not have are refused by name (issue 12). */
  { "calculation-unsupported-function",
    "{`type`: `calculate`, `name`: `a`, `calculation`: `pulldata('f', 'c', 'k', 'v')`}", NULL,
    INTAKE_FORM_ERROR_EXPRESSION, { "question 'a'", "'pulldata'", "not supported" } },
  { "dot-outside-constraint",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `relevant`: `. = 1`}", NULL,
    INTAKE_FORM_ERROR_EXPRESSION, { "question 'a'", "relevant: column 1" } },
  { "unknown-member",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `relevent`: `1`}", NULL,
    INTAKE_FORM_ERROR_MALFORMED, { "question 'a'", "'relevent'" } },
  { "unknown-audience",
    "{`type`: `note`, `name`: `a`, `label`: " L ("A") ", `audience`: `everyone`}", NULL,
    INTAKE_FORM_ERROR_MALFORMED, { "question 'a'", "'audience'" } },
  { "bad-htcds",
    "{`type`: `text`, `name`: `a`, `label`: " L ("A") ", `htcds`: `two words`}", NULL,
    INTAKE_FORM_ERROR_MALFORMED, { "question 'a'", "'htcds'" } },
  { "calculate-without-calculation", "{`type`: `calculate`, `name`: `a`}", NULL,
    INTAKE_FORM_ERROR_MALFORMED, { "question 'a'", "calculation" } },
  { "bad-default",
    "{`type`: `integer`, `name`: `a`, `label`: " L ("A") ", `default`: `ten`}", NULL,
    INTAKE_FORM_ERROR_MALFORMED, { "question 'a'", "default" } },
  { "bad-name", "{`type`: `text`, `name`: `1a`, `label`: " L ("A") "}", NULL,
    INTAKE_FORM_ERROR_MALFORMED, { "question '1a'", NULL } },
  { "indicator-without-scoring",
    "{`type`: `select_one`, `name`: `a`, `label`: " L ("A") ", `choices`: " YESNO ", "
    "`indicator`: {`id`: `i`, `dimension`: `D1`, `strength`: `strong`}}",
    NULL, INTAKE_FORM_ERROR_MALFORMED, { "question 'a'", "no scoring" } },
};

static void
test_refusal (gconstpointer data)
{
  const RefusalCase *c = data;
  g_autofree char *doc = c->questions != NULL ? form_with (c->questions) : unquote (c->document);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT,
                                                          &error);

  g_assert_null (form);
  g_assert_error (error, INTAKE_FORM_ERROR, (int) c->code);
  for (size_t i = 0; i < G_N_ELEMENTS (c->parts) && c->parts[i] != NULL; i++)
    if (strstr (error->message, c->parts[i]) == NULL)
      g_error ("%s: message '%s' lacks '%s'", c->name, error->message, c->parts[i]);
}

/* Refusals inside the scoring section name the rule (or the question) and the column. */
/* The audience and the HTCDS tag are passed through; the audience defaults to the respondent. */
static void
test_audience_and_htcds (void)
{
  g_autofree char *doc = form_with (
    "{`type`: `note`, `name`: `check`, `label`: " L ("Check") ", `audience`: `interviewer`}, "
    "{`type`: `text`, `name`: `who`, `label`: " L ("Who") ", `htcds`: `nationality`}");
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT,
                                                          &error);

  g_assert_no_error (error);
  g_assert_cmpstr (intake_question_get_audience (intake_form_lookup_question (form, "check")), ==,
                   "interviewer");
  g_assert_null (intake_question_get_htcds (intake_form_lookup_question (form, "check")));
  g_assert_cmpstr (intake_question_get_audience (intake_form_lookup_question (form, "who")), ==,
                   "respondent");
  g_assert_cmpstr (intake_question_get_htcds (intake_form_lookup_question (form, "who")), ==,
                   "nationality");
}

/* Child wording (issue #11): while the form's child_when holds, a question's child_label and
 * child_hint are shown (and put in the state JSON) instead of its label and hint; a child_label
 * without child_when is refused. */
static void
test_child_wording (void)
{
  g_autofree char *questions = g_strdup (
    "{`type`: `integer`, `name`: `age`, `label`: " L ("Age") "}, "
    "{`type`: `calculate`, `name`: `is_child`, `calculation`: `if(${age} != '' and ${age} < 18, 'yes', 'no')`}, "
    "{`type`: `text`, `name`: `pay`, `label`: " L ("Were you paid less than agreed?") ", "
    "`hint`: " L ("Any amount.") ", `child_label`: " L ("Did they pay you less than they said?") ", "
    "`child_hint`: " L ("Say yes or no.") "}");
  g_autofree char *body = form_with (questions);
  g_autofree char *doc = NULL;
  g_autofree char *unchilded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) fifteen = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) thirty = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *label = NULL, *hint = NULL, *adult_label = NULL, *adult_hint = NULL;
  g_autofree char *state_text = NULL;

  /* The form-level member, put before the questions. */
  doc = g_strdup_printf ("{\"child_when\": \"${is_child} = 'yes'\", %s", body + 1);
  form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  session = intake_form_session_new (form, NULL, "id");
  json_node_set_int (fifteen, 15);
  json_node_set_int (thirty, 30);

  adult_label = intake_form_session_dup_label (session, "pay");
  adult_hint = intake_form_session_dup_hint (session, "pay");
  g_assert_cmpstr (adult_label, ==, "Were you paid less than agreed? (id)");
  g_assert_cmpstr (adult_hint, ==, "Any amount. (id)");

  g_assert_true (intake_form_session_set_answer (session, "age", fifteen, &error));
  g_assert_no_error (error);
  label = intake_form_session_dup_label (session, "pay");
  hint = intake_form_session_dup_hint (session, "pay");
  g_assert_cmpstr (label, ==, "Did they pay you less than they said? (id)");
  g_assert_cmpstr (hint, ==, "Say yes or no. (id)");
  state = intake_form_session_dup_state_json (session);
  state_text = json_to_string (state, FALSE);
  g_assert_nonnull (strstr (state_text, "Did they pay you less than they said? (id)"));
  g_assert_null (strstr (state_text, "Were you paid less than agreed?"));

  g_assert_true (intake_form_session_set_answer (session, "age", thirty, &error));
  g_clear_pointer (&label, g_free);
  label = intake_form_session_dup_label (session, "pay");
  g_assert_cmpstr (label, ==, "Were you paid less than agreed? (id)");

  /* Without the form's child_when the child's words could never show: refused, by name. */
  g_clear_object (&form);
  form = intake_form_new_from_data (body, -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_null (form);
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "child_when"));
  g_clear_error (&error);

  /* child_when must name questions that exist. */
  unchilded = g_strdup_printf ("{\"child_when\": \"${nobody} = 'yes'\", %s", body + 1);
  form = intake_form_new_from_data (unchilded, -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_null (form);
  g_assert_nonnull (error);
}

/* The decimal comma is read and written for Indonesian; nothing ambiguous is guessed at. */
static void
test_decimal_comma (void)
{
  static const char *const refused[] = { "", "  ", ",", "-", "1,5,0", "1.000,5", "1 000",
                                         "1e5", "inf", "nan", "0x10", "1,5x", NULL };
  double d = -1;
  g_autofree char *id = intake_decimal_format (1.5, "id");
  g_autofree char *en = intake_decimal_format (1.5, "en");
  g_autofree char *whole = intake_decimal_format (12, "id");

  g_assert_true (intake_decimal_parse ("1,5", &d));
  g_assert_cmpfloat (d, ==, 1.5);
  g_assert_true (intake_decimal_parse (" 1.5 ", &d));
  g_assert_cmpfloat (d, ==, 1.5);
  g_assert_true (intake_decimal_parse ("-0,25", &d));
  g_assert_cmpfloat (d, ==, -0.25);
  g_assert_true (intake_decimal_parse ("3", &d));
  g_assert_cmpfloat (d, ==, 3);
  for (size_t i = 0; refused[i] != NULL; i++)
    {
      d = 7;
      g_assert_false (intake_decimal_parse (refused[i], &d));
      g_assert_cmpfloat (d, ==, 7);
    }
  g_assert_cmpstr (id, ==, "1,5");
  g_assert_cmpstr (en, ==, "1.5");
  g_assert_cmpstr (whole, ==, "12");
}

static void
test_scoring_refusals (void)
{
  static const struct
  {
    const char *indicator;
    const char *rule_when;
    const char *level;
    IntakeFormError code;
    const char *part;
  } cases[] = {
    { "`D1`", "dimension('D1')", "inconclusive", 0, NULL },
    { "`D9`", "dimension('D1')", "inconclusive", INTAKE_FORM_ERROR_MALFORMED,
      "question 'a': indicator 'i' names dimension 'D9'" },
    { "`D1`", "dimension('D1') and", "inconclusive", INTAKE_FORM_ERROR_EXPRESSION,
      "form 't': rule 'r': when: column 20" },
    { "`D1`", "${b} = 'yes'", "inconclusive", INTAKE_FORM_ERROR_UNKNOWN_REFERENCE,
      "rule 'r': when refers to ${b}" },
    { "`D1`", "dimension('D1')", "guilty", INTAKE_FORM_ERROR_MALFORMED,
      "rule 'r': unknown level 'guilty'" },
    { "`D1`", "dimension('D1')", "exploitation", INTAKE_FORM_ERROR_MISSING_TRANSLATION,
      "level 'exploitation' has no label" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *questions = g_strdup_printf (
        "{`type`: `select_one`, `name`: `a`, `label`: " L ("A") ", `choices`: " YESNO ", "
        "`indicator`: {`id`: `i`, `dimension`: %s, `strength`: `strong`}}",
        cases[i].indicator);
      g_autofree char *raw = g_strdup_printf (
        "{`id`: `t`, `version`: 1, `title`: " L ("T") ", `default_language`: `en`, "
        "`languages`: [`en`, `id`], `questions`: [%s], `scoring`: {"
        "`dimensions`: [{`id`: `D1`, `label`: " L ("D1") "}], `thresholds`: [{`strong`: 1}], "
        "`levels`: {`inconclusive`: " L ("I") ", `no_indicators`: " L ("N") "}, "
        "`rules`: [{`id`: `r`, `level`: `%s`, `when`: `%s`, `label`: " L ("R") "}], "
        "`disclaimer`: " L ("Not a legal determination.") "}}",
        questions, cases[i].level, cases[i].rule_when);
      g_autofree char *doc = unquote (raw);
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeForm) form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT,
                                                              &error);

      if (cases[i].part == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (form);
          continue;
        }
      g_assert_null (form);
      g_assert_error (error, INTAKE_FORM_ERROR, (int) cases[i].code);
      if (strstr (error->message, cases[i].part) == NULL)
        g_error ("case %zu: message '%s' lacks '%s'", i, error->message, cases[i].part);
    }
}

static void
test_incomplete_translations_allowed (void)
{
  g_autofree char *doc = form_with ("{`type`: `text`, `name`: `a`, `label`: {`en`: `A`}}");
  g_autofree char *doc_no_default = form_with ("{`type`: `text`, `name`: `a`, "
                                               "`label`: {`id`: `A`}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = intake_form_new_from_data (
    doc, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS, &error);
  g_autoptr(IntakeForm) refused = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (form);
  /* A missing language falls back to the default one. */
  g_assert_cmpstr (intake_question_get_label (intake_form_lookup_question (form, "a"), "id"), ==,
                   "A");
  /* The default language is never optional. */
  refused = intake_form_new_from_data (doc_no_default, -1,
                                       INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS, &error);
  g_assert_null (refused);
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MISSING_TRANSLATION);
}

/* ------------------------------------------------------------------------------------------ */

static const char *session_form =
  "{`type`: `select_one`, `name`: `works`, `label`: " L ("Do you work?") ", `required`: true,"
  " `choices`: " YESNO "},"
  "{`type`: `group`, `name`: `job`, `label`: " L ("Job") ", `relevant`: `${works} = 'yes'`,"
  " `children`: ["
  "  {`type`: `integer`, `name`: `hours`, `label`: " L ("Hours") ", `required`: true,"
  "   `constraint`: `. >= 0 and . <= 24`, `constraint_message`: " L ("0 to 24") "},"
  "  {`type`: `integer`, `name`: `days`, `label`: " L ("Days") ", `default`: 5},"
  "  {`type`: `calculate`, `name`: `weekly`, `calculation`: `${hours} * ${days}`},"
  "  {`type`: `note`, `name`: `long_week`, `label`: " L ("Long") ", `relevant`: `${weekly} > 60`}"
  "]},"
  "{`type`: `date`, `name`: `since`, `label`: " L ("Since") ","
  " `constraint`: `. <= today()`, `constraint_message`: " L ("Not in the future") "},"
  "{`type`: `select_multiple`, `name`: `needs`, `label`: " L ("Needs") ","
  " `choices`: [{`name`: `food`, `label`: " L ("Food") "}, {`name`: `water`, `label`: "
  L ("Water") "}]},"
  "{`type`: `text`, `name`: `which_water`, `label`: " L ("Which") ", `relevant`: "
  "`selected(${needs}, 'water')`, `required`: true},"
  "{`type`: `repeat`, `name`: `family`, `label`: " L ("Family") ", `children`: ["
  "  {`type`: `text`, `name`: `relation`, `label`: " L ("Relation") ", `required`: true},"
  "  {`type`: `integer`, `name`: `member_age`, `label`: " L ("Age") ","
  "   `constraint`: `. < 120`},"
  "  {`type`: `text`, `name`: `school`, `label`: " L ("School") ", `relevant`: "
  "`${member_age} < 18 and ${works} = 'yes'`}"
  "]}";

static IntakeForm *
load_session_form (void)
{
  g_autofree char *doc = form_with (session_form);
  g_autoptr(GError) error = NULL;
  IntakeForm *form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT, &error);

  g_assert_no_error (error);
  return form;
}

static JsonNode *
parse_json (const char *text)
{
  g_autofree char *json = unquote (text);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
set (IntakeFormSession *session, const char *name, const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = json != NULL ? parse_json (json) : NULL;

  g_assert_true (intake_form_session_set_answer (session, name, value, &error));
  g_assert_no_error (error);
}

static char *
visible (IntakeFormSession *session)
{
  g_auto(GStrv) names = intake_form_session_dup_visible (session);

  return g_strjoinv (",", names);
}

static void
assert_value (IntakeFormSession *session, const char *name, const char *expected)
{
  g_autofree char *value = intake_form_session_dup_value (session, name);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_problem (IntakeFormSession *session, const char *name, const char *expected)
{
  g_autofree char *problem = intake_form_session_dup_problem (session, name);

  g_assert_cmpstr (problem, ==, expected);
}

static void
test_relevance_and_navigation (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  g_autofree char *v1 = NULL, *v2 = NULL, *v3 = NULL;

  v1 = visible (session);
  g_assert_cmpstr (v1, ==, "works,since,needs,family");
  g_assert_cmpstr (intake_form_session_get_next (session, NULL), ==, "works");
  g_assert_cmpstr (intake_form_session_get_next (session, "works"), ==, "since");

  set (session, "works", "`yes`");
  v2 = visible (session);
  g_assert_cmpstr (v2, ==, "works,hours,days,since,needs,family");
  g_assert_cmpstr (intake_form_session_get_next (session, "works"), ==, "hours");
  g_assert_cmpstr (intake_form_session_get_previous (session, "since"), ==, "days");
  g_assert_cmpstr (intake_form_session_get_previous (session, "works"), ==, NULL);
  g_assert_cmpstr (intake_form_session_get_previous (session, NULL), ==, "family");
  g_assert_cmpstr (intake_form_session_get_next (session, "family"), ==, NULL);

  /* A calculation from an answer and a default, and a note that depends on it. */
  set (session, "hours", "14");
  assert_value (session, "weekly", "70");
  g_assert_true (intake_form_session_is_relevant (session, "long_week"));
  set (session, "days", "4");
  g_assert_false (intake_form_session_is_relevant (session, "long_week"));

  set (session, "needs", "[`food`, `water`]");
  g_assert_true (intake_form_session_is_relevant (session, "which_water"));

  /* Hiding a group hides its children; navigation from a hidden question still works. */
  set (session, "works", "`no`");
  v3 = visible (session);
  g_assert_cmpstr (v3, ==, "works,since,needs,which_water,family");
  g_assert_cmpstr (intake_form_session_get_next (session, "hours"), ==, "since");
  assert_value (session, "weekly", "");
}

static void
test_answer_checks (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, "id");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) text = parse_json ("`ten`");
  g_autoptr(JsonNode) big = parse_json ("30");
  g_autoptr(JsonNode) ok = parse_json ("8");
  g_autoptr(JsonNode) declined = intake_answer_new_declined ();
  g_autoptr(JsonNode) future = parse_json ("`2027-01-01`");
  g_autoptr(JsonNode) bad_date = parse_json ("`2026-02-30`");
  g_autoptr(JsonNode) bad_choice = parse_json ("[`food`, `fire`]");

  set (session, "works", "`yes`");
  intake_form_session_set_today (session, "2026-11-28");

  /* Messages come in the interview's language. */
  g_assert_false (intake_form_session_validate_answer (session, "hours", text, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INVALID_ANSWER);
  g_assert_cmpstr (error->message, ==, "Masukkan bilangan bulat.");
  g_clear_error (&error);
  g_assert_false (intake_form_session_validate_answer (session, "hours", big, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "0 to 24 (id)");
  g_clear_error (&error);
  g_assert_false (intake_form_session_validate_answer (session, "hours", NULL, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_REQUIRED);
  g_clear_error (&error);
  g_assert_true (intake_form_session_validate_answer (session, "hours", ok, &error));
  g_assert_no_error (error);
  /* "Prefer not to say" is an answer: it satisfies required and skips the constraint. */
  g_assert_true (intake_form_session_validate_answer (session, "hours", declined, &error));
  g_assert_no_error (error);
  g_assert_false (intake_form_session_validate_answer (session, "since", future, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (intake_form_session_validate_answer (session, "since", bad_date, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INVALID_ANSWER);
  g_clear_error (&error);
  g_assert_false (intake_form_session_validate_answer (session, "needs", bad_choice, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INVALID_ANSWER);
  g_clear_error (&error);

  /* Stored answers keep their problem until fixed; the language can change at any time. */
  set (session, "hours", "30");
  assert_problem (session, "hours", "0 to 24 (id)");
  intake_form_session_set_language (session, "en");
  assert_problem (session, "hours", "0 to 24");
  set (session, "hours", "{`declined`: true}");
  assert_problem (session, "hours", NULL);
  assert_value (session, "hours", "");
  /* A calculation that is not a number stores empty, as in ODK Collect (issue 12). */
  assert_value (session, "weekly", "");
}

static void
test_set_answer_refusals (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  g_autoptr(JsonNode) value = parse_json ("1");
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_form_session_set_answer (session, "nope", value, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_UNKNOWN_QUESTION);
  g_clear_error (&error);
  g_assert_false (intake_form_session_set_answer (session, "weekly", value, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
  g_clear_error (&error);
  g_assert_false (intake_form_session_set_answer (session, "job", value, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
  g_clear_error (&error);
  g_assert_false (intake_form_session_set_answer (session, "member_age", value, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE);
}

static void
test_completeness (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) problems = NULL;
  JsonArray *array;

  g_assert_false (intake_form_session_check_complete (session, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INCOMPLETE);
  g_assert_cmpstr (error->message, ==, "1 problem: works: This question needs an answer.");
  g_clear_error (&error);

  set (session, "works", "`yes`");
  set (session, "hours", "25");
  set (session, "needs", "[`water`]");
  set (session, "family", "[{`relation`: `son`, `member_age`: 10}, {`member_age`: 200}]");
  problems = intake_form_session_dup_problems_json (session);
  array = json_node_get_array (problems);
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "question"), ==, "hours");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "code"), ==, "constraint");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1),
                                                  "question"), ==, "which_water");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2),
                                                  "question"), ==, "family[2]/relation");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 3),
                                                  "question"), ==, "family[2]/member_age");
  g_assert_false (intake_form_session_check_complete (session, &error));
  g_assert_nonnull (strstr (error->message, "4 problems: hours: 0 to 24; which_water: "));
  g_clear_error (&error);

  set (session, "hours", "{`declined`: true}");
  set (session, "which_water", "`river`");
  set (session, "family", "[{`relation`: `son`, `member_age`: 10}]");
  g_assert_true (intake_form_session_check_complete (session, &error));
  g_assert_no_error (error);

  /* Hiding a question with a problem removes the problem, not the answer. */
  set (session, "hours", "99");
  g_assert_false (intake_form_session_is_complete (session));
  set (session, "works", "`no`");
  g_assert_true (intake_form_session_is_complete (session));
  g_assert_true (json_object_has_member (intake_form_session_get_answers (session), "hours"));
}

/*
 * Two repeats whose calculations read each other's entries as node-sets (no cycle between
 * questions, so the form loads): evaluating one entry evaluates the other repeat's entries,
 * which read back.  The session bounds that nesting instead of recursing without end.
 */
static void
test_repeats_reading_each_other (void)
{
  g_autofree char *doc = form_with (
    "{`type`: `repeat`, `name`: `r1`, `label`: " L ("R1") ", `children`: ["
    "  {`type`: `text`, `name`: `a`, `label`: " L ("A") "},"
    "  {`type`: `calculate`, `name`: `n_b`, `calculation`: `count-non-empty(${b})`}]},"
    "{`type`: `repeat`, `name`: `r2`, `label`: " L ("R2") ", `children`: ["
    "  {`type`: `text`, `name`: `b`, `label`: " L ("B") "},"
    "  {`type`: `calculate`, `name`: `sum_n`, `calculation`: `sum(${n_b})`}]},"
    "{`type`: `calculate`, `name`: `total`, `calculation`: `sum(${sum_n})`}");
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT,
                                                          &error);
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonObject) exported = NULL;

  g_assert_no_error (error);
  session = intake_form_session_new (form, NULL, NULL);
  set (session, "r1", "[{`a`: `x`}, {`a`: `y`}]");
  set (session, "r2", "[{`b`: `p`}, {`b`: `q`}, {`b`: ``}]");
  /* Each r1 entry counts the two answered b; each r2 entry sums both r1 entries: 4. */
  assert_value (session, "total", "12");
  exported = intake_form_session_dup_export_answers (session);
  g_assert_nonnull (exported);
}

/* The window walks one repeat entry at a time: its steps with relevance inside that entry,
 * and each child's problem there. */
static void
test_repeat_entries (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  g_auto(GStrv) none = NULL;
  g_auto(GStrv) first = NULL;
  g_auto(GStrv) second = NULL;
  g_auto(GStrv) third = NULL;
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
  g_autofree char *j1 = NULL, *j2 = NULL, *j3 = NULL;

  /* No entry yet; not a repeat. */
  none = intake_form_session_dup_entry_visible (session, "family", 0);
  g_assert_null (none);
  g_assert_null (intake_form_session_dup_entry_visible (session, "works", 0));

  set (session, "works", "`yes`");
  set (session, "family", "[{`relation`: `son`, `member_age`: 10}, {`member_age`: 200}, {}]");
  first = intake_form_session_dup_entry_visible (session, "family", 0);
  second = intake_form_session_dup_entry_visible (session, "family", 1);
  j1 = g_strjoinv (",", first);
  j2 = g_strjoinv (",", second);
  g_assert_cmpstr (j1, ==, "relation,member_age,school");
  g_assert_cmpstr (j2, ==, "relation,member_age");
  g_assert_null (intake_form_session_dup_entry_visible (session, "family", 3));

  p1 = intake_form_session_dup_entry_problem (session, "family", 0, "relation");
  p2 = intake_form_session_dup_entry_problem (session, "family", 1, "relation");
  p3 = intake_form_session_dup_entry_problem (session, "family", 1, "member_age");
  p4 = intake_form_session_dup_entry_problem (session, "family", 2, "relation");
  g_assert_null (p1);
  g_assert_cmpstr (p2, ==, "This question needs an answer.");
  g_assert_cmpstr (p3, ==, "This answer is not allowed here.");
  g_assert_cmpstr (p4, ==, "This question needs an answer.");

  /* Relevance inside an entry follows answers outside it too. */
  set (session, "works", "`no`");
  third = intake_form_session_dup_entry_visible (session, "family", 0);
  j3 = g_strjoinv (",", third);
  g_assert_cmpstr (j3, ==, "relation,member_age");
}

static void
test_export_view (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  g_autoptr(JsonObject) export = NULL;
  g_autoptr(JsonObject) export2 = NULL;
  JsonArray *family;

  set (session, "works", "`yes`");
  set (session, "hours", "10");
  set (session, "needs", "[`water`]");
  set (session, "which_water", "{`declined`: true}");
  set (session, "family", "[{`relation`: `son`, `member_age`: 10, `school`: `SD 1`}]");
  export = intake_form_session_dup_export_answers (session);
  g_assert_cmpint (json_object_get_int_member (export, "hours"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (export, "days"), ==, 5); /* The default. */
  g_assert_cmpint (json_object_get_int_member (export, "weekly"), ==, 50);
  g_assert_true (intake_answer_is_declined (json_object_get_member (export, "which_water")));
  family = json_object_get_array_member (export, "family");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (family, 0),
                                                  "school"), ==, "SD 1");

  /* Not working: the job group and the child's school are hidden, so they do not count. */
  set (session, "works", "`no`");
  export2 = intake_form_session_dup_export_answers (session);
  g_assert_false (json_object_has_member (export2, "hours"));
  g_assert_false (json_object_has_member (export2, "weekly"));
  family = json_object_get_array_member (export2, "family");
  g_assert_false (json_object_has_member (json_array_get_object_element (family, 0), "school"));
  g_assert_true (json_object_has_member (json_array_get_object_element (family, 0), "relation"));
}

static void
test_state_json (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, "id");
  g_autoptr(JsonNode) state = intake_form_session_dup_state_json (session);
  JsonObject *root = json_node_get_object (state);
  JsonObject *first = json_array_get_object_element (json_object_get_array_member (root,
                                                                                   "questions"),
                                                     0);

  g_assert_cmpstr (json_object_get_string_member (root, "form_id"), ==, "t");
  g_assert_cmpstr (json_object_get_string_member (root, "language"), ==, "id");
  g_assert_cmpstr (json_object_get_string_member (first, "label"), ==, "Do you work? (id)");
  g_assert_false (json_object_get_boolean_member (root, "complete"));
  /* This form has no scoring, so no result. */
  g_assert_true (json_node_is_null (json_object_get_member (root, "result")));
}

/*
 * The incremental engine must agree with a fresh evaluation after every change.  Random
 * sequences of answers, with a fixed seed per run for reproducibility.
 */
static void
test_incremental_matches_full (void)
{
  g_autoptr(IntakeForm) form = load_session_form ();
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  static const struct
  {
    const char *name;
    const char *values[4];
  } choices[] = {
    { "works", { "`yes`", "`no`", "{`declined`: true}", NULL } },
    { "hours", { "8", "16", "30", "`x`" } },
    { "days", { "1", "7", NULL, "{`declined`: true}" } },
    { "since", { "`2020-01-01`", "`2030-01-01`", NULL, "`bad`" } },
    { "needs", { "[`water`]", "[]", "[`food`]", NULL } },
    { "which_water", { "`well`", "``", NULL, "{`declined`: true}" } },
    { "family", { "[{`member_age`: 5}]", "[]", "[{`relation`: `x`, `member_age`: 300}]", NULL } },
  };
  GRand *rand = g_rand_new_with_seed (20261128);

  intake_form_session_set_today (session, "2026-11-28");
  for (int step = 0; step < 400; step++)
    {
      unsigned int q = g_rand_int_range (rand, 0, G_N_ELEMENTS (choices));
      unsigned int v = g_rand_int_range (rand, 0, 4);
      g_autoptr(IntakeFormSession) fresh = NULL;
      g_autoptr(JsonNode) a = NULL;
      g_autoptr(JsonNode) b = NULL;
      g_autofree char *sa = NULL;
      g_autofree char *sb = NULL;

      set (session, choices[q].name, choices[q].values[v]);
      fresh = intake_form_session_new (form, intake_form_session_get_answers (session), NULL);
      intake_form_session_set_today (fresh, "2026-11-28");
      a = intake_form_session_dup_state_json (session);
      b = intake_form_session_dup_state_json (fresh);
      sa = json_to_string (a, FALSE);
      sb = json_to_string (b, FALSE);
      g_assert_cmpstr (sa, ==, sb);
    }
  g_rand_free (rand);
}

/* The example in core/forms/README.md must stay a valid, working form. */
static void
test_readme_example (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "core", "forms", "README.md",
                                                 NULL);
  g_autofree char *readme = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) answers = NULL;
  g_autoptr(JsonNode) result = NULL;
  const char *start, *end;

  g_file_get_contents (path, &readme, NULL, &error);
  g_assert_no_error (error);
  start = strstr (readme, "```json\n");
  g_assert_nonnull (start);
  start += strlen ("```json\n");
  end = strstr (start, "\n```");
  g_assert_nonnull (end);
  form = intake_form_new_from_data (start, end - start, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_form_get_id (form), ==, "shelter-intake");

  answers = parse_json ("{`age`: 15, `hours`: 16, `free_to_leave`: `no`, "
                        "`control`: [`documents`], `children_with_you`: [{`child_age`: 3}]}");
  session = intake_form_session_new (form, json_node_get_object (answers), "id");
  result = intake_form_session_dup_result_json (session);
  /* D4 has one strong item, short of its threshold; involuntary work under menace holds. */
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "level"), ==,
                   "likely_forced_labour");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (result), "urgent"));
  g_assert_true (intake_form_session_is_complete (session));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/intake/core/form/refuse/%s", refusals[i].name);

      g_test_add_data_func (path, &refusals[i], test_refusal);
    }
  g_test_add_func ("/intake/core/form/refuse/scoring", test_scoring_refusals);
  g_test_add_func ("/intake/core/form/audience-and-htcds", test_audience_and_htcds);
  g_test_add_func ("/intake/core/form/decimal-comma", test_decimal_comma);
  g_test_add_func ("/intake/core/form/child-wording", test_child_wording);
  g_test_add_func ("/intake/core/form/incomplete-translations-allowed",
                   test_incomplete_translations_allowed);
  g_test_add_func ("/intake/core/form/session/relevance-and-navigation",
                   test_relevance_and_navigation);
  g_test_add_func ("/intake/core/form/session/answer-checks", test_answer_checks);
  g_test_add_func ("/intake/core/form/session/set-answer-refusals", test_set_answer_refusals);
  g_test_add_func ("/intake/core/form/session/completeness", test_completeness);
  g_test_add_func ("/intake/core/form/session/repeat-entries", test_repeat_entries);
  g_test_add_func ("/intake/core/form/session/repeats-reading-each-other",
                   test_repeats_reading_each_other);
  g_test_add_func ("/intake/core/form/session/export-view", test_export_view);
  g_test_add_func ("/intake/core/form/session/state-json", test_state_json);
  g_test_add_func ("/intake/core/form/session/incremental-matches-full",
                   test_incremental_matches_full);
  g_test_add_func ("/intake/core/form/readme-example", test_readme_example);
  return g_test_run ();
}
