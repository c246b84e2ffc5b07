/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import (core/intake-xlsform.c): what converts and into what, what is refused and with
 * which sheet, row and column, hostile workbooks, and real public XLSForms imported and walked to
 * completion.
 */
#include "intake-form-session.h"
#include "intake-xlsform.h"
#include "xlsx-writer.h"

#include <glib/gstdio.h>
#include <string.h>

/* ---- Helpers ---- */

static JsonNode *
convert_tables (const char *const *sheets, GError **error)
{
  g_autoptr(GBytes) bytes = test_xlsx_from_tables (sheets);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  return intake_xlsform_convert (data, length, INTAKE_XLSFORM_FORMAT_XLSX, NULL, "test_form",
                                 error);
}

static void
assert_refused (const char *const *sheets, IntakeXlsformError code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = convert_tables (sheets, &error);

  g_assert_null (node);
  g_assert_nonnull (error);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error->message);
  g_assert_error (error, INTAKE_XLSFORM_ERROR, (int) code);
}

static JsonObject *
question_at (JsonNode *doc, unsigned int index)
{
  JsonArray *questions = json_object_get_array_member (json_node_get_object (doc), "questions");

  return json_array_get_object_element (questions, index);
}

static const char *const small_survey =
  "type|name|label::English (en)|label::Bahasa (id)|hint::English (en)|hint::Bahasa (id)|required|"
  "relevant|constraint|constraint_message::English (en)|constraint_message::Bahasa (id)\n"
  "integer|age|Age|Umur|Years|Tahun|yes||. < 120|Too old|Terlalu tua\n"
  "select_one yn|works|Do you work?|Apakah bekerja?|||true|${age} >= 10|||\n"
  "begin group|job|Job|Pekerjaan|||||||\n"
  "text|employer|Employer|Majikan|||no|||\n"
  "end group||||||||||\n"
  "begin repeat|kids|Children|Anak|||||||\n"
  "integer|kid_age|Age|Umur|||yes||||\n"
  "end repeat||||||||||";

static const char *const small_choices =
  "list_name|name|label::English (en)|label::Bahasa (id)\n"
  "yn|yes|Yes|Ya\n"
  "yn|no|No|Tidak";

static const char *const small_settings =
  "form_title|form_id|version|default_language\n"
  "Small|small_form|3|English (en)";

/* ---- What converts ---- */

static void
test_small_form (void)
{
  const char *const sheets[] = { "survey", small_survey, "choices", small_choices, "settings",
                                 small_settings, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = convert_tables (sheets, &error);
  g_autoptr(IntakeForm) form = NULL;
  JsonObject *root, *age, *works, *job, *kids;

  g_assert_no_error (error);
  root = json_node_get_object (doc);
  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, "small_form");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (root, "default_language"), ==, "en");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "languages")),
                    ==, 2);
  age = question_at (doc, 0);
  g_assert_cmpstr (json_object_get_string_member (age, "type"), ==, "integer");
  g_assert_true (json_object_get_boolean_member (age, "required"));
  g_assert_cmpstr (json_object_get_string_member (age, "constraint"), ==, ". < 120");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (age, "label"),
                                                  "id"), ==, "Umur");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     age, "constraint_message"), "en"), ==, "Too old");
  works = question_at (doc, 1);
  g_assert_cmpstr (json_object_get_string_member (works, "choices"), ==, "yn");
  g_assert_cmpstr (json_object_get_string_member (works, "relevant"), ==, "${age} >= 10");
  job = question_at (doc, 2);
  g_assert_cmpstr (json_object_get_string_member (job, "type"), ==, "group");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (job, "children")), ==, 1);
  kids = question_at (doc, 3);
  g_assert_cmpstr (json_object_get_string_member (kids, "type"), ==, "repeat");

  form = intake_form_new_from_node (doc, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_form_get_n_questions (form), ==, 6);
}

/*
 * choice_filter, which this converter used to refuse: a cascading select in pyxform's markdown
 * shape (bare names read the choices sheet's further columns, kept as each choice's
 * "filters"), converted, loaded and walked; a city of another state is refused.
 */
static void
test_choice_filter (void)
{
  static const char md[] =
    "| survey |\n"
    "|  | type              | name  | label | choice_filter                   |\n"
    "|  | select_one states | state | State |                                 |\n"
    "|  | select_one cities | city  | City  | state=${state}                  |\n"
    "|  | select_multiple cities | seen | Seen | state=${state} and name != ${city} |\n"
    "| choices |\n"
    "|  | list_name | name       | label      | state      |\n"
    "|  | states    | texas      | Texas      |            |\n"
    "|  | states    | washington | Washington |            |\n"
    "|  | cities    | dallas     | Dallas     | texas      |\n"
    "|  | cities    | austin     | Austin     | texas      |\n"
    "|  | cities    | houston    | Houston    | texas      |\n"
    "|  | cities    | seattle    | Seattle    | washington |\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = intake_xlsform_convert (md, strlen (md),
                                                    INTAKE_XLSFORM_FORMAT_MARKDOWN, NULL,
                                                    "test_form", &error);
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) state = json_from_string ("\"texas\"", NULL);
  g_autoptr(JsonNode) houston = json_from_string ("\"houston\"", NULL);
  g_autoptr(JsonNode) seattle = json_from_string ("\"seattle\"", NULL);
  g_autoptr(JsonNode) seen = json_from_string ("[\"dallas\", \"austin\"]", NULL);
  g_autoptr(JsonNode) seen_bad = json_from_string ("[\"dallas\", \"houston\"]", NULL);
  g_auto(GStrv) offered = NULL;
  JsonObject *lists, *dallas, *texas;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 1), "choice_filter"), ==,
                   "state=${state}");
  lists = json_object_get_object_member (json_node_get_object (doc), "choice_lists");
  dallas = json_array_get_object_element (json_object_get_array_member (lists, "cities"), 0);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (dallas, "filters"), "state"), ==, "texas");
  /* An empty cell is no column. */
  texas = json_array_get_object_element (json_object_get_array_member (lists, "states"), 0);
  g_assert_false (json_object_has_member (texas, "filters"));

  form = intake_form_new_from_node (doc, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  session = intake_form_session_new (form, NULL, NULL);
  g_assert_true (intake_form_session_set_answer (session, "state", state, &error));
  offered = intake_form_session_dup_visible_choices (session, "city");
  g_assert_cmpuint (g_strv_length (offered), ==, 3);
  g_assert_cmpstr (offered[2], ==, "houston");
  g_assert_false (intake_form_session_validate_answer (session, "city", seattle, &error));
  g_assert_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INVALID_ANSWER);
  g_clear_error (&error);
  g_assert_true (intake_form_session_set_answer (session, "city", houston, &error));
  g_clear_pointer (&offered, g_strfreev);
  offered = intake_form_session_dup_visible_choices (session, "seen");
  g_assert_cmpuint (g_strv_length (offered), ==, 2);
  g_assert_false (intake_form_session_validate_answer (session, "seen", seen_bad, &error));
  g_clear_error (&error);
  g_assert_true (intake_form_session_set_answer (session, "seen", seen, &error));
  g_assert_true (intake_form_session_check_complete (session, &error));
  g_assert_no_error (error);
}

/* The same form as pyxform's .csv and .md shapes gives the same document as the workbook. */
static void
test_text_shapes (void)
{
  static const char csv[] =
    "survey,,,,\n"
    ",type,name,label::English (en),relevant\n"
    ",integer,age,\"Age, in years\",\n"
    ",select_one yn,works,\"Do you \"\"work\"\"?\",${age} >= 10\n"
    "choices,,,,\n"
    ",list_name,name,label::English (en),\n"
    ",yn,yes,Yes,\n"
    ",yn,no,No,\n";
  static const char md[] =
    "| survey |\n"
    "|  | type          | name  | label::English (en) | relevant     |\n"
    "|  | integer       | age   | Age, in years       |              |\n"
    "|  | select_one yn | works | Do you \"work\"?      | ${age} >= 10 |\n"
    "| choices |\n"
    "|  | list_name | name | label::English (en) |\n"
    "|  | yn        | yes  | Yes                 |\n"
    "|  | yn        | no   | No                  |\n";
  const char *const sheets[] = {
    "survey",
    "type|name|label::English (en)|relevant\n"
    "integer|age|Age, in years|\n"
    "select_one yn|works|Do you \"work\"?|${age} >= 10",
    "choices", "list_name|name|label::English (en)\nyn|yes|Yes\nyn|no|No", NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) from_xlsx = convert_tables (sheets, &error);
  g_autoptr(JsonNode) from_csv = NULL;
  g_autoptr(JsonNode) from_md = NULL;

  g_assert_no_error (error);
  from_csv = intake_xlsform_convert (csv, strlen (csv), INTAKE_XLSFORM_FORMAT_CSV, NULL,
                                     "test_form", &error);
  g_assert_no_error (error);
  from_md = intake_xlsform_convert (md, strlen (md), INTAKE_XLSFORM_FORMAT_MARKDOWN, NULL,
                                    "test_form", &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (from_xlsx, from_csv));
  g_assert_true (json_node_equal (from_xlsx, from_md));
}

/* XLSForm's other types and columns arrive as the document's; "or_other" as pyxform makes it. */
static void
test_types_and_columns (void)
{
  const char *const sheets[] = {
    "survey",
    "type|name|label|required|required_message|read_only|default|parameters|appearance\n"
    "start|started||||||||\n"
    "deviceid|device||||||||\n"
    "time|at|What time?||||||\n"
    "dateTime|when|When?||||||\n"
    "range|score|Score?||||5|start=0 end=10 step=1|\n"
    "rank fruit|ranked|Rank them||||||\n"
    "acknowledge|ok|Press OK||||||\n"
    "geopoint|where|Where?|yes|Say where||||\n"
    "hidden|secret|||||42||\n"
    "select_multiple fruit or_other|likes|Likes?|${score} > 3|||apple pear||minimal\n"
    "phone number|phone|Phone?||||||\n"
    "text|shown|Hello ${at}|||${score} > 8|||",
    "choices", "list_name|name|label\nfruit|apple|Apple\nfruit|pear|Pear", NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = convert_tables (sheets, &error);
  JsonObject *q;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 0), "type"), ==, "start");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 1), "type"), ==, "deviceid");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 2), "type"), ==, "time");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 3), "type"), ==, "dateTime");
  q = question_at (doc, 4);
  g_assert_cmpstr (json_object_get_string_member (q, "type"), ==, "range");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (q,
                                                                                   "parameters"),
                                                    "end"), ==, 10);
  g_assert_cmpfloat (json_object_get_double_member (q, "default"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 5), "type"), ==, "rank");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 6), "type"), ==,
                   "acknowledge");
  q = question_at (doc, 7);
  g_assert_cmpstr (json_object_get_string_member (q, "type"), ==, "geopoint");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     q, "required_message"), "en"), ==, "Say where");
  q = question_at (doc, 8);
  g_assert_cmpstr (json_object_get_string_member (q, "type"), ==, "calculate");
  g_assert_cmpstr (json_object_get_string_member (q, "calculation"), ==, "'42'");
  q = question_at (doc, 9);
  g_assert_cmpstr (json_object_get_string_member (q, "required"), ==, "${score} > 3");
  g_assert_cmpstr (json_object_get_string_member (q, "choices"), ==, "fruit:or_other");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (q, "default")), ==, 2);
  q = question_at (doc, 10);
  g_assert_cmpstr (json_object_get_string_member (q, "name"), ==, "likes_other");
  g_assert_cmpstr (json_object_get_string_member (q, "relevant"), ==,
                   "selected(${likes}, 'other')");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 11), "constraint"), ==,
                   "regex(., '^[0-9]*$')");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 12), "read_only"), ==,
                   "${score} > 8");
}

/* A list shipped beside the form is embedded, so that form and list are one unit. */
static void
test_from_file (void)
{
  const char *const sheets[] = {
    "survey",
    "type|name|label|choice_filter\n"
    "select_one_from_file places.csv|place|Where?|\n"
    "select_multiple_from_file towns.xml|towns|Which towns?|near = ${place}",
    NULL,
  };
  g_autoptr(GBytes) bytes = test_xlsx_from_tables (sheets);
  g_autofree char *path = test_xlsx_write_temp (bytes, "lists.xlsx");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *csv = g_build_filename (dir, "places.csv", NULL);
  g_autofree char *xml = g_build_filename (dir, "towns.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(IntakeForm) form = NULL;
  const IntakeQuestion *q;

  /* Without the lists beside it, the form is refused and the missing list named. */
  doc = intake_xlsform_convert_file (path, &error);
  g_assert_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_MISSING_SHEET);
  g_assert_nonnull (strstr (error->message, "places.csv"));
  g_clear_error (&error);

  /* Further columns and elements are kept for a choice_filter, as on the choices sheet. */
  g_assert_true (g_file_set_contents (csv, "name,label,zone\nport,Port,coast\n"
                                      "\"farm\",\"Farm, inland\",\n", -1, NULL));
  g_assert_true (g_file_set_contents (xml, "<root><item><name>a</name><label>Town A</label>"
                                      "<near>port</near></item><item><name>b</name>"
                                      "<label>Town B</label><near>farm</near></item>"
                                      "</root>", -1, NULL));
  doc = intake_xlsform_convert_file (path, &error);
  g_assert_no_error (error);
  form = intake_form_new_from_node (doc, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  q = intake_form_lookup_question (form, "place");
  g_assert_cmpuint (intake_question_get_n_choices (q), ==, 2);
  g_assert_cmpstr (intake_question_get_choice_label (q, 1, "en"), ==, "Farm, inland");
  q = intake_form_lookup_question (form, "towns");
  g_assert_cmpstr (intake_question_get_choice_name (q, 1), ==, "b");
  g_assert_cmpstr (intake_question_get_choice_label (q, 0, "en"), ==, "Town A");
  {
    JsonObject *lists = json_object_get_object_member (json_node_get_object (doc),
                                                       "choice_lists");
    GList *keys = json_object_get_members (lists);
    g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
    g_autoptr(JsonNode) farm = json_from_string ("\"farm\"", NULL);
    g_auto(GStrv) offered = NULL;
    gboolean zone_seen = FALSE;

    for (GList *l = keys; l != NULL; l = l->next)
      {
        JsonObject *first = json_array_get_object_element (
          json_object_get_array_member (lists, l->data), 0);
        JsonObject *filters = json_object_has_member (first, "filters")
                                ? json_object_get_object_member (first, "filters")
                                : NULL;

        if (filters != NULL && json_object_has_member (filters, "zone"))
          zone_seen = g_str_equal (json_object_get_string_member (filters, "zone"), "coast");
      }
    g_list_free (keys);
    g_assert_true (zone_seen);
    g_assert_true (intake_form_session_set_answer (session, "place", farm, &error));
    offered = intake_form_session_dup_visible_choices (session, "towns");
    g_assert_cmpuint (g_strv_length (offered), ==, 1);
    g_assert_cmpstr (offered[0], ==, "b");
  }
  test_xlsx_remove_temp (path);
}

/* ---- Refusals, each with the sheet, the row and the column ---- */

static void
test_refuse_cells (void)
{
  const char *const bad_expression[] = {
    "survey", "type|name|label|relevant\ntext|a|A|\ntext|b|B|${a} = = 2", NULL };
  const char *const media[] = { "survey", "type|name|label\ntext|a|A\nimage|photo|Photo", NULL };
  const char *const unknown[] = { "survey", "type|name|label\nfoo bar|a|A", NULL };
  const char *const loop[] = {
    "survey", "type|name|label\nbegin loop over x|l|L\ntext|a|A\nend loop||", NULL };
  const char *const column[] = { "survey", "type|name|label|colour\ntext|a|A|red", NULL };
  const char *const guidance[] = { "survey", "type|name|label|guidance_hint\ntext|a|A|Ask twice",
                                   NULL };
  const char *const no_code[] = { "survey", "type|name|label::Klingon\ntext|a|A", NULL };
  const char *const unended[] = { "survey", "type|name|label\nbegin group|g|G\ntext|a|A", NULL };
  const char *const unbegun[] = { "survey", "type|name|label\ntext|a|A\nend repeat||", NULL };
  const char *const twice[] = { "survey", "type|name|label\ntext|a|A\ninteger|a|B", NULL };
  /* choice_filter converts now (test_choice_filter); what is still refused is a mistake. */
  const char *const filter_column[] = {
    "survey", "type|name|label|choice_filter\nselect_one l|a|A|region = 'x'",
    "choices", "list_name|name|label|country\nl|x|X|ID", NULL };
  const char *const filter_on_text[] = {
    "survey", "type|name|label|choice_filter\ntext|a|A|name != 'x'", NULL };
  const char *const public_key[] = {
    "survey", "type|name|label\ntext|a|A", "settings", "form_id|public_key\nf|MIIB", NULL };
  const char *const version[] = {
    "survey", "type|name|label\ntext|a|A", "settings", "form_id|version\nf|1.2", NULL };
  const char *const no_label[] = { "survey", "type|name|label\ntext|a|A\ninteger|b|", NULL };

  const char *const group_required[] = {
    "survey", "type|name|label|required\nbegin group|g|G|yes\ntext|a|A|\nend group||", NULL };
  const char *const count_on_text[] = {
    "survey", "type|name|label|repeat_count\ntext|a|A|3", NULL };

  assert_refused (group_required, INTAKE_XLSFORM_ERROR_UNSUPPORTED,
                  "survey row 2, column required: a group takes no required here");
  assert_refused (count_on_text, INTAKE_XLSFORM_ERROR_INVALID,
                  "survey row 2, column repeat_count: only a repeat has a repeat_count");
  assert_refused (bad_expression, INTAKE_XLSFORM_ERROR_INVALID, "survey row 3, column relevant: ");
  assert_refused (media, INTAKE_XLSFORM_ERROR_UNSUPPORTED, "survey row 3, column type: 'image'");
  assert_refused (unknown, INTAKE_XLSFORM_ERROR_UNSUPPORTED,
                  "survey row 2, column type: the type 'foo bar' is not supported");
  assert_refused (loop, INTAKE_XLSFORM_ERROR_UNSUPPORTED, "survey row 2, column type: loops");
  assert_refused (column, INTAKE_XLSFORM_ERROR_UNSUPPORTED, "survey row 2, column colour: ");
  assert_refused (guidance, INTAKE_XLSFORM_ERROR_UNSUPPORTED,
                  "survey row 2, column guidance_hint: ");
  assert_refused (no_code, INTAKE_XLSFORM_ERROR_INVALID, "survey row 1, column label::Klingon: ");
  assert_refused (unended, INTAKE_XLSFORM_ERROR_INVALID,
                  "survey row 2: the group 'g' is never ended");
  assert_refused (unbegun, INTAKE_XLSFORM_ERROR_INVALID, "survey row 3, column type: 'end repeat'");
  assert_refused (twice, INTAKE_XLSFORM_ERROR_INVALID,
                  "survey row 3, column name: the name 'a' is already used on row 2");
  assert_refused (filter_column, INTAKE_XLSFORM_ERROR_INVALID,
                  "survey row 2: form 'test_form': question 'a': choice_filter reads the column "
                  "'region', which no choice has");
  assert_refused (filter_on_text, INTAKE_XLSFORM_ERROR_INVALID,
                  "survey row 2, column choice_filter: only a select_one or select_multiple");
  assert_refused (public_key, INTAKE_XLSFORM_ERROR_UNSUPPORTED,
                  "settings row 2, column public_key: ");
  assert_refused (version, INTAKE_XLSFORM_ERROR_INVALID, "settings row 2, column version: '1.2'");
  /* The loader's own refusals are given the question's row. */
  assert_refused (no_label, INTAKE_XLSFORM_ERROR_INVALID, "survey row 3: form 'test_form': "
                                                         "question 'b': 'label' is missing");
}

static void
test_refuse_missing_sheets (void)
{
  const char *const no_survey[] = { "choices", "list_name|name|label\nl|a|A", NULL };
  const char *const no_list[] = { "survey", "type|name|label\nselect_one colours|c|Colour",
                                  NULL };
  const char *const empty[] = { "survey", "", NULL };

  assert_refused (no_survey, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "no 'survey' sheet");
  assert_refused (no_list, INTAKE_XLSFORM_ERROR_MISSING_SHEET,
                  "survey row 2, column type: the list 'colours' is not on the choices sheet");
  assert_refused (empty, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "survey: the sheet is empty");
}

static void
test_refuse_formulas (void)
{
  /* A formula where a value belongs, and two cells that refer to each other in a circle. */
  const char *const formula[] = { "survey", "type|name|label\ntext|a|=CONCAT(\"A\", \"B\")",
                                  NULL };
  const char *const circular[] = { "survey", "type|name|label\ntext|a|=C3\ntext|b|=C2", NULL };

  assert_refused (formula, INTAKE_XLSFORM_ERROR_FORMULA,
                  "survey row 2, column label (cell C2): the cell holds a formula "
                  "(=CONCAT(\"A\", \"B\"))");
  assert_refused (circular, INTAKE_XLSFORM_ERROR_FORMULA,
                  "survey row 2, column label (cell C2): the cell holds a formula (=C3)");
}

static void
convert_bytes_expect (GBytes *bytes, IntakeXlsformError code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autoptr(JsonNode) doc = intake_xlsform_convert (data, length, INTAKE_XLSFORM_FORMAT_XLSX,
                                                    NULL, "test_form", &error);

  g_assert_null (doc);
  if (error == NULL || strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error != NULL ? error->message : "(none)");
  g_assert_error (error, INTAKE_XLSFORM_ERROR, (int) code);
}

static void
test_refuse_hostile (void)
{
  static const char not_zip[] = "type,name,label\ntext,a,A\n";
  g_autoptr(GBytes) text = g_bytes_new_static (not_zip, sizeof not_zip - 1);
  /* A sheet of 64 MB that packs into well under 1 MB. */
  g_autoptr(GBytes) bomb = test_xlsx_large (64 * 1024 * 1024, 0);
  /* 100 MB of cells. */
  g_autoptr(GBytes) cells_100mb = test_xlsx_large (0, 100 * 1024 * 1024 / 36);
  /* Few bytes, too many cells. */
  g_autoptr(GBytes) many = test_xlsx_large (0, INTAKE_XLSFORM_MAX_CELLS + 1);
  const char *const dtd_parts[] = {
    "_rels/.rels", "<Relationships/>",
    "xl/workbook.xml",
    "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
    "<workbook>&b;</workbook>",
    NULL,
  };
  g_autoptr(GBytes) dtd = test_xlsx_from_parts (dtd_parts);
  const char *const no_book_parts[] = { "word/document.xml", "<document/>", NULL };
  g_autoptr(GBytes) no_book = test_xlsx_from_parts (no_book_parts);

  g_autofree char *big_index = g_strnfill (3 * 1024 * 1024, ' ');
  const char *const big_index_parts[] = { "xl/workbook.xml", big_index, NULL };
  g_autoptr(GBytes) big_book = test_xlsx_from_parts (big_index_parts);

  g_assert_cmpuint (g_bytes_get_size (bomb), <, 1024 * 1024);
  convert_bytes_expect (big_book, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                        "'xl/workbook.xml' is larger than 2 MB");
  convert_bytes_expect (text, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET, "not a zip archive");
  convert_bytes_expect (bomb, INTAKE_XLSFORM_ERROR_TOO_LARGE, "unpacks to more than 24 MB");
  convert_bytes_expect (cells_100mb, INTAKE_XLSFORM_ERROR_TOO_LARGE, "unpacks to more than");
  convert_bytes_expect (many, INTAKE_XLSFORM_ERROR_TOO_LARGE, "more than 100000 cells");
  convert_bytes_expect (dtd, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET, "not well-formed XML");
  convert_bytes_expect (no_book, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                        "it has no 'xl/workbook.xml'");
}

/* The one call intakectl and the window use: JSON as it is, a spreadsheet converted. */
static void
test_read_file (void)
{
  const char *const sheets[] = { "survey", "type|name|label\ntext|a|A", NULL };
  g_autoptr(GBytes) bytes = test_xlsx_from_tables (sheets);
  g_autofree char *path = test_xlsx_write_temp (bytes, "My form.xlsx");
  g_autofree char *renamed = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *json_path = g_build_filename (dir, "form.json", NULL);
  g_autofree char *xls_path = g_build_filename (dir, "old.xls", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *doc = NULL, *json = NULL;

  /* pyxform names a form without form_id after its file; a space is no part of a name. */
  doc = intake_form_document_read_file (path, &error);
  g_assert_null (doc);
  g_assert_nonnull (strstr (error->message, "My form"));
  g_clear_error (&error);

  renamed = g_build_filename (dir, "my_form.bin", NULL);
  g_assert_cmpint (g_rename (path, renamed), ==, 0);
  /* Sniffed as a zip, whatever the extension. */
  doc = intake_form_document_read_file (renamed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (doc, "\"id\" : \"my_form\""));

  g_assert_true (g_file_set_contents (json_path, "{\"id\": 1}", -1, NULL));
  json = intake_form_document_read_file (json_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json, ==, "{\"id\": 1}");

  g_assert_true (g_file_set_contents (xls_path, "\xd0\xcf\x11\xe0", 4, NULL));
  g_clear_pointer (&json, g_free);
  json = intake_form_document_read_file (xls_path, &error);
  g_assert_null (json);
  g_assert_nonnull (strstr (error->message, "save the workbook as .xlsx"));
  test_xlsx_remove_temp (renamed);
}

/* ---- Real public forms, imported and walked to completion ---- */

/* A valid answer for @q, trying plausible values until the session takes one. */
static JsonNode *
answer_for (IntakeFormSession *session, const IntakeQuestion *q, gboolean check)
{
  const char *kind = intake_question_get_kind (q);
  const char *const texts[] = { "Ada", "12345", NULL };
  g_autoptr(GPtrArray) tries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  if (strcmp (kind, "time") == 0)
    g_ptr_array_add (tries, json_node_init_string (json_node_alloc (), "14:30"));
  else if (strcmp (kind, "dateTime") == 0)
    g_ptr_array_add (tries, json_node_init_string (json_node_alloc (), "2026-11-28T14:30"));
  else if (strcmp (kind, "geopoint") == 0)
    g_ptr_array_add (tries, json_node_init_string (json_node_alloc (), "-6.2 106.8"));
  else if (strcmp (kind, "rank") == 0)
    {
      JsonArray *all = json_array_new ();

      for (unsigned int i = intake_question_get_n_choices (q); i > 0; i--)
        json_array_add_string_element (all, intake_question_get_choice_name (q, i - 1));
      g_ptr_array_add (tries, json_node_init_array (json_node_alloc (), all));
      json_array_unref (all);
    }
  else
    switch (intake_question_get_question_type (q))
      {
      case INTAKE_QUESTION_TEXT:
        for (unsigned int i = 0; texts[i] != NULL; i++)
          g_ptr_array_add (tries, json_node_init_string (json_node_alloc (), texts[i]));
        break;
      case INTAKE_QUESTION_INTEGER:
      case INTAKE_QUESTION_DECIMAL:
        for (int i = 0; i <= 100; i += 1)
          g_ptr_array_add (tries, json_node_init_int (json_node_alloc (), i * 7 % 101));
        break;
      case INTAKE_QUESTION_DATE:
        g_ptr_array_add (tries, json_node_init_string (json_node_alloc (), "2026-11-28"));
        break;
      case INTAKE_QUESTION_SELECT_ONE:
        for (unsigned int i = 0; i < intake_question_get_n_choices (q); i++)
          g_ptr_array_add (tries, json_node_init_string (json_node_alloc (),
                                                         intake_question_get_choice_name (q, i)));
        break;
      case INTAKE_QUESTION_SELECT_MULTIPLE:
        for (unsigned int i = 0; i < intake_question_get_n_choices (q); i++)
          {
            JsonArray *one = json_array_new ();

            json_array_add_string_element (one, intake_question_get_choice_name (q, i));
            g_ptr_array_add (tries, json_node_init_array (json_node_alloc (), one));
            json_array_unref (one);
          }
        break;
      case INTAKE_QUESTION_REPEAT:
      case INTAKE_QUESTION_NOTE:
      case INTAKE_QUESTION_CALCULATE:
      case INTAKE_QUESTION_GROUP:
      default:
        return NULL;
      }
  for (unsigned int i = 0; i < tries->len; i++)
    if (!check || intake_form_session_validate_answer (session, intake_question_get_name (q),
                                                        tries->pdata[i], NULL))
      return json_node_ref (tries->pdata[i]);
  g_error ("no answer fits question '%s'", intake_question_get_name (q));
  return NULL;
}

/* A repeat's answer with one entry, its direct children answered, a repeat inside it with one
 * entry of its own. */
static JsonNode *
one_entry (IntakeFormSession *session, IntakeForm *form, const IntakeQuestion *repeat)
{
  JsonArray *entries = json_array_new ();
  JsonObject *entry = json_object_new ();
  JsonNode *value;

  for (unsigned int k = 0; k < intake_form_get_n_questions (form); k++)
    {
      const IntakeQuestion *child = intake_form_get_question (form, k);
      JsonNode *child_value;

      if (intake_question_get_parent (child) != repeat)
        continue;
      if (intake_question_get_question_type (child) == INTAKE_QUESTION_REPEAT)
        child_value = one_entry (session, form, child);
      else
        child_value = answer_for (session, child, FALSE);
      if (child_value != NULL)
        json_object_set_member (entry, intake_question_get_name (child), child_value);
    }
  json_array_add_object_element (entries, entry);
  value = json_node_init_array (json_node_alloc (), entries);
  json_array_unref (entries);
  return value;
}

/* Answers every question on the way, as an interviewer would, and completes the interview. */
static unsigned int
walk (IntakeForm *form)
{
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  unsigned int answered = 0;

  intake_form_session_set_today (session, "2026-11-28");
  intake_form_session_set_metadata (session, "deviceid", "tablet-1");
  intake_form_session_set_metadata (session, "username", "worker");
  for (unsigned int round = 0; round < 4; round++)
    {
      g_auto(GStrv) visible = intake_form_session_dup_visible (session);

      for (unsigned int i = 0; visible[i] != NULL; i++)
        {
          const IntakeQuestion *q = intake_form_lookup_question (form, visible[i]);
          JsonObject *answers = intake_form_session_get_answers (session);
          g_autoptr(JsonNode) value = NULL;
          g_autoptr(GError) error = NULL;

          if (!intake_question_is_answerable (q) || json_object_has_member (answers, visible[i]))
            continue;
          if (intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT)
            value = one_entry (session, form, q);
          else
            {
              value = answer_for (session, q, TRUE);
            }
          intake_form_session_set_answer (session, visible[i], value, &error);
          g_assert_no_error (error);
          answered++;
        }
    }
  intake_form_session_stamp_metadata (session, "2026-11-28T15:00:00");
  if (!intake_form_session_is_complete (session))
    {
      g_autoptr(JsonNode) problems = intake_form_session_dup_problems_json (session);
      g_autofree char *text = json_to_string (problems, FALSE);

      g_error ("%s is not complete: %s", intake_form_get_id (form), text);
    }
  return answered;
}

static IntakeForm *
import_public (const char *name, unsigned int n_questions)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "data", "xlsform", name,
                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = intake_xlsform_convert_file (path, &error);
  IntakeForm *form;

  g_assert_no_error (error);
  form = intake_form_new_from_node (doc, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_form_get_n_questions (form), ==, n_questions);
  return form;
}

static void
test_public_forms (void)
{
  static const struct
  {
    const char *file;
    unsigned int questions;
    unsigned int answered;
  } forms[] = {
    { "text_and_integer.xlsx", 2, 2 },
    { "text_and_integer.csv", 2, 2 },
    { "yes_or_no_question.xlsx", 1, 1 },
    { "group.xlsx", 4, 3 },
    { "group.md", 4, 3 },
    { "specify_other.xlsx", 2, 1 },
    { "specify_other.md", 2, 1 },
    { "extra_columns.xlsx", 1, 1 },
    { "repeat_relative_reference.md", 34, 4 },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(IntakeForm) form = import_public (forms[i].file, forms[i].questions);

      g_test_message ("%s", forms[i].file);
      g_assert_cmpuint (walk (form), ==, forms[i].answered);
    }
}

/* Relevance followed: "Other" opens the question that asks which. */
static void
test_public_or_other (void)
{
  g_autoptr(IntakeForm) form = import_public ("specify_other.xlsx", 2);
  g_autoptr(IntakeFormSession) session = intake_form_session_new (form, NULL, NULL);
  g_autoptr(JsonNode) other = json_node_init_string (json_node_alloc (), "other");
  g_autoptr(JsonNode) text = json_node_init_string (json_node_alloc (), "Non-binary");
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_form_session_is_relevant (session, "sex_other"));
  intake_form_session_set_answer (session, "sex", other, &error);
  g_assert_no_error (error);
  g_assert_true (intake_form_session_is_relevant (session, "sex_other"));
  intake_form_session_set_answer (session, "sex_other", text, &error);
  g_assert_no_error (error);
  g_assert_true (intake_form_session_is_complete (session));
}

/*
 * pyxform's repeats with relative references: a question in the repeat inside section3 reads
 * its own entry (J reads I), its section3 entry (K reads F) and a group there (L reads G), as
 * pyxform writes them (../I, ../../F, ../../sectionb/G).
 */
static void
test_public_nested_repeat (void)
{
  g_autoptr(IntakeForm) form = import_public ("repeat_relative_reference.md", 34);
  g_autoptr(JsonNode) answers = json_from_string (
    "{\"Z\": \"mango\", \"section3\": ["
    " {\"F\": \"oat\", \"G\": \"rye\", \"sectionc\": [{\"I\": \"oat\"}, {\"I\": \"rye\"}]},"
    " {\"F\": \"rye\", \"G\": \"oat\", \"sectionc\": [{\"I\": \"rye\"}]}]}", NULL);
  g_autoptr(IntakeFormSession) session = intake_form_session_new (
    form, json_node_get_object (answers), NULL);
  GStrv steps;

  g_assert_cmpint (intake_question_get_question_type (intake_form_lookup_question (form,
                                                                                   "sectionc")),
                   ==, INTAKE_QUESTION_REPEAT);
  steps = intake_form_session_dup_entry_visible (session, "section3[1]/sectionc", 0);
  g_assert_true (g_strv_contains ((const char *const *) steps, "J"));
  g_assert_true (g_strv_contains ((const char *const *) steps, "K"));
  g_assert_false (g_strv_contains ((const char *const *) steps, "L"));
  g_strfreev (steps);
  steps = intake_form_session_dup_entry_visible (session, "section3[1]/sectionc", 1);
  g_assert_false (g_strv_contains ((const char *const *) steps, "J"));
  g_assert_true (g_strv_contains ((const char *const *) steps, "K"));
  g_strfreev (steps);
  steps = intake_form_session_dup_entry_visible (session, "section3[2]/sectionc", 0);
  g_assert_false (g_strv_contains ((const char *const *) steps, "K"));
  g_assert_true (g_strv_contains ((const char *const *) steps, "L"));
  g_strfreev (steps);
  g_assert_true (intake_form_session_is_complete (session));
}

/* A repeat inside a repeat converts, its repeat_count reading the outer entry. */
static void
test_nested_repeat (void)
{
  const char *const sheets[] = {
    "survey",
    "type|name|label|repeat_count|constraint|calculation\n"
    "begin repeat|boat|Boat|||\n"
    "text|boat_name|Boat name|||\n"
    "integer|crew_size|Crew|||\n"
    "begin repeat|crew|Crew member|${crew_size}||\n"
    "integer|crew_age|Age||. < ${crew_size} * 100|\n"
    "end repeat||||\n"
    "end repeat||||\n"
    "calculate|crew_total||||count(${crew})\n",
    NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) session = NULL;
  g_autoptr(JsonNode) answers = NULL;
  g_autoptr(JsonNode) problems = NULL;
  g_autofree char *text = NULL;
  JsonObject *boat, *crew;

  doc = convert_tables (sheets, &error);
  g_assert_no_error (error);
  boat = question_at (doc, 0);
  g_assert_cmpstr (json_object_get_string_member (boat, "type"), ==, "repeat");
  crew = json_array_get_object_element (json_object_get_array_member (boat, "children"), 2);
  g_assert_cmpstr (json_object_get_string_member (crew, "type"), ==, "repeat");
  g_assert_cmpstr (json_object_get_string_member (crew, "repeat_count"), ==, "${crew_size}");
  form = intake_form_new_from_node (doc, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  answers = json_from_string (
    "{\"boat\": [{\"boat_name\": \"Sri\", \"crew_size\": 2,"
    " \"crew\": [{\"crew_age\": 30}, {\"crew_age\": 250}]},"
    " {\"boat_name\": \"Ayu\", \"crew_size\": 1, \"crew\": []}]}", NULL);
  session = intake_form_session_new (form, json_node_get_object (answers), NULL);
  text = intake_form_session_dup_value (session, "crew_total");
  g_assert_cmpstr (text, ==, "2");
  problems = intake_form_session_dup_problems_json (session);
  g_clear_pointer (&text, g_free);
  text = json_to_string (problems, FALSE);
  g_assert_nonnull (strstr (text, "\"boat[1]/crew[2]/crew_age\""));
  g_assert_nonnull (strstr (text, "\"boat[2]/crew\""));
}

/* Real forms that use what the tablet does not have are refused by name. */
static void
test_public_refused (void)
{
  static const struct
  {
    const char *file;
    const char *fragment;
  } forms[] = {
    { "loop.md", "survey line 4, column type: loops ('begin loop over toilet_type')" },
    { "case_insensitivity.md", "survey line 4, column TYPE: the type 'select_one_external c1'" },
    { "include.xlsx", "survey row 3, column type: the type 'include'" },
    { "flat_xlsform_test.xlsx", "survey row 22, column required (cell K22): the cell holds a "
                                "formula (=TRUE())" },
    { "choice_filter_test.xlsx", "settings row 2, column allow_choice_duplicates" },
    { "widgets.csv", "column add_none_option" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "data", "xlsform",
                                                     forms[i].file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) doc = intake_xlsform_convert_file (path, &error);

      g_assert_null (doc);
      if (strstr (error->message, forms[i].fragment) == NULL)
        g_error ("%s: expected \"%s\" in \"%s\"", forms[i].file, forms[i].fragment,
                 error->message);
    }
}

/* ---- The bundled form, kept as an XLSForm ---- */

/* Comments ("_about") dropped and every choice list written into the questions that use it: the
 * document as the engine reads it, whichever way its lists were shared. */
static JsonNode *
normalise (JsonNode *node, JsonObject *lists)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObject *out = json_object_new ();
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &member, &value))
        {
          if (member[0] == '_' || strcmp (member, "choice_lists") == 0)
            continue;
          if (strcmp (member, "choices") == 0 && JSON_NODE_HOLDS_VALUE (value))
            value = json_object_get_member (lists, json_node_get_string (value));
          json_object_set_member (out, member, normalise (value, lists));
        }
      return json_node_init_object (json_node_alloc (), out);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *out = json_array_new ();

      for (unsigned int i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (out, normalise (json_array_get_element (array, i), lists));
      return json_node_init_array (json_node_alloc (), out);
    }
  return json_node_copy (node);
}

static JsonNode *
normalise_document (JsonNode *document)
{
  JsonObject *root = json_node_get_object (document);
  g_autoptr(JsonObject) none = json_object_new ();
  JsonObject *lists = json_object_has_member (root, "choice_lists")
                        ? json_object_get_object_member (root, "choice_lists")
                        : none;

  return normalise (document, lists);
}

/* core/forms/trafficking-screening.xlsx, made by core/forms/xlsform-from-json.py, imports as the
 * JSON form: the same questions, texts in both languages, indicators and scoring. */
static void
test_bundled_form (void)
{
  g_autofree char *xlsx = g_test_build_filename (G_TEST_DIST, "..", "core", "forms",
                                                 "trafficking-screening.xlsx", NULL);
  g_autofree char *json = g_test_build_filename (G_TEST_DIST, "..", "core", "forms",
                                                 "trafficking-screening.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) converted = intake_xlsform_convert_file (xlsx, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(IntakeForm) form = NULL;

  g_assert_no_error (error);
  json_parser_load_from_file (parser, json, &error);
  g_assert_no_error (error);
  a = normalise_document (json_parser_get_root (parser));
  b = normalise_document (converted);
  if (!json_node_equal (a, b))
    {
      g_autofree char *left = json_to_string (a, TRUE), *right = json_to_string (b, TRUE);
      g_autofree char *left_path = g_build_filename (g_get_tmp_dir (), "bundled-json.json", NULL);
      g_autofree char *right_path = g_build_filename (g_get_tmp_dir (), "bundled-xlsx.json",
                                                      NULL);

      g_file_set_contents (left_path, left, -1, NULL);
      g_file_set_contents (right_path, right, -1, NULL);
      g_error ("the .xlsx differs from the .json (compare %s and %s); after changing the JSON, "
               "run core/forms/xlsform-from-json.py", left_path, right_path);
    }
  form = intake_form_new_from_node (converted, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (intake_form_has_scoring (form));
}

/*
 * A default that reads answers or calls a function converts to a dynamic default, told from a
 * value as pyxform tells it (its tests/test_dynamic_default.py cases), and behaves as ODK's
 * setvalue does once the form is loaded: first load, and each new repeat entry.
 */
static void
test_dynamic_defaults (void)
{
  const char *const sheets[] = {
    "survey",
    "type|name|label|default\n"
    "text|name|Name|\n"
    "text|greeting|Greeting|concat('Hello ', ${name})\n"
    "date|visit|Visit|today()\n"
    "date|fixed_day|Day|2022-03-14\n"
    "integer|sum|Sum|7 - 4\n"
    "text|dashed|Dashed|f-4\n"
    "text|dollar|Dollar|not_func$\n"
    "text|link|Link|(https://my-site.com)\n"
    "integer|member_count|Members|\n"
    "begin repeat|members|Members|\n"
    "integer|number|Number|position(..)\n"
    "integer|next_id|Next|${member_count} + 1\n"
    "end repeat|||",
    NULL,
  };
  const char *const on_calculate[] = {
    "survey", "type|name|label|calculation|default\ncalculate|c||1|random()", NULL };
  const char *const on_hidden[] = {
    "survey", "type|name|label|default\ntext|a|A|\nhidden|h||${a}", NULL };
  const char *const not_parsed[] = {
    "survey", "type|name|label|default\ntext|a|A|\ninteger|b|B|${a} + + 1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = convert_tables (sheets, &error);
  g_autoptr(IntakeForm) form = NULL;
  g_autoptr(IntakeFormSession) s = NULL;
  g_autoptr(JsonObject) given = json_object_new ();
  JsonObject *members;
  JsonObject *answers;
  JsonObject *entry;
  unsigned int n = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 1), "dynamic_default"), ==,
                   "concat('Hello ', ${name})");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 2), "dynamic_default"), ==,
                   "today()");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 3), "default"), ==,
                   "2022-03-14");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 4), "dynamic_default"), ==,
                   "7 - 4");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 5), "default"), ==, "f-4");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 6), "default"), ==,
                   "not_func$");
  g_assert_cmpstr (json_object_get_string_member (question_at (doc, 7), "default"), ==,
                   "(https://my-site.com)");
  members = question_at (doc, 9);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (members,
                                                                                  "children"), 1),
                     "dynamic_default"),
                   ==, "${member_count} + 1");

  form = intake_form_new_from_node (doc, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  json_object_set_string_member (given, "name", "Siti");
  s = intake_form_session_new (form, given, NULL);
  intake_form_session_set_today (s, "2026-11-28");
  intake_form_session_apply_first_load_defaults (s);
  answers = intake_form_session_get_answers (s);
  g_assert_cmpstr (json_object_get_string_member (answers, "greeting"), ==, "Hello Siti");
  g_assert_cmpstr (json_object_get_string_member (answers, "visit"), ==, "2026-11-28");
  g_assert_cmpint (json_object_get_int_member (answers, "sum"), ==, 3);
  g_assert_false (json_object_has_member (answers, "fixed_day"));
  {
    g_autoptr(JsonNode) four = json_from_string ("4", NULL);

    g_assert_true (intake_form_session_set_answer (s, "member_count", four, NULL));
  }
  g_assert_true (intake_form_session_add_entry (s, "members", &n, &error));
  g_assert_true (intake_form_session_add_entry (s, "members", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  entry = json_array_get_object_element (
    json_object_get_array_member (intake_form_session_get_answers (s), "members"), 1);
  g_assert_cmpint (json_object_get_int_member (entry, "number"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (entry, "next_id"), ==, 5);

  assert_refused (on_calculate, INTAKE_XLSFORM_ERROR_UNSUPPORTED,
                  "survey row 2, column default: a default on a calculate");
  assert_refused (on_hidden, INTAKE_XLSFORM_ERROR_UNSUPPORTED,
                  "survey row 3, column default: a default that is an expression on a hidden");
  assert_refused (not_parsed, INTAKE_XLSFORM_ERROR_INVALID, "survey row 3, column default: ");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intake/core/xlsform/small-form", test_small_form);
  g_test_add_func ("/intake/core/xlsform/text-shapes", test_text_shapes);
  g_test_add_func ("/intake/core/xlsform/choice-filter", test_choice_filter);
  g_test_add_func ("/intake/core/xlsform/types-and-columns", test_types_and_columns);
  g_test_add_func ("/intake/core/xlsform/from-file", test_from_file);
  g_test_add_func ("/intake/core/xlsform/refuse/cells", test_refuse_cells);
  g_test_add_func ("/intake/core/xlsform/refuse/missing-sheets", test_refuse_missing_sheets);
  g_test_add_func ("/intake/core/xlsform/refuse/formulas", test_refuse_formulas);
  g_test_add_func ("/intake/core/xlsform/refuse/hostile", test_refuse_hostile);
  g_test_add_func ("/intake/core/xlsform/read-file", test_read_file);
  g_test_add_func ("/intake/core/xlsform/public/walk", test_public_forms);
  g_test_add_func ("/intake/core/xlsform/public/or-other", test_public_or_other);
  g_test_add_func ("/intake/core/xlsform/public/refused", test_public_refused);
  g_test_add_func ("/intake/core/xlsform/public/nested-repeat", test_public_nested_repeat);
  g_test_add_func ("/intake/core/xlsform/nested-repeat", test_nested_repeat);
  g_test_add_func ("/intake/core/xlsform/bundled-form", test_bundled_form);
  g_test_add_func ("/intake/core/xlsform/dynamic-defaults", test_dynamic_defaults);
  return g_test_run ();
}
