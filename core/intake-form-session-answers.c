/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form session's vocabulary: what an answer reads as (declined, empty, its value for
 * expressions) and what a problem says.  Apart from the evaluation because everything else in the
 * session uses it and it uses nothing of the session but its language: it is the bottom layer.
 */
#include "intake-form-session-struct-private.h"

#include <string.h>

/* Built-in messages, in every language we ship; anything else falls back to English. */
static const struct
{
  const char *key;
  const char *en;
  const char *id;
} messages[] = {
  { "required", "This question needs an answer.", "Pertanyaan ini perlu dijawab." },
  { "constraint", "This answer is not allowed here.", "Jawaban ini tidak dapat diterima di sini." },
  { "text", "Enter text.", "Masukkan teks." },
  { "integer", "Enter a whole number.", "Masukkan bilangan bulat." },
  { "decimal", "Enter a number.", "Masukkan angka." },
  { "date", "Enter a date as year-month-day, for example 2026-01-31.",
    "Masukkan tanggal dengan format tahun-bulan-tanggal, misalnya 2026-01-31." },
  { "select_one", "Choose one of the options.", "Pilih salah satu pilihan." },
  { "select_multiple", "Choose from the options given.", "Pilih dari pilihan yang tersedia." },
  { "repeat", "Each entry must be a set of answers.",
    "Setiap entri harus berupa satu set jawaban." },
  { "not_answerable", "This item takes no answer.", "Bagian ini tidak perlu dijawab." },
  { "time", "Enter a time as hours:minutes, for example 14:30.",
    "Masukkan waktu dengan format jam:menit, misalnya 14:30." },
  { "dateTime", "Enter a date and time, for example 2026-01-31T14:30.",
    "Masukkan tanggal dan waktu, misalnya 2026-01-31T14:30." },
  { "geopoint", "Enter latitude and longitude in degrees, for example -6.2 106.8.",
    "Masukkan lintang dan bujur dalam derajat, misalnya -6,2 106,8." },
  { "range", "Choose a value within the range shown.",
    "Pilih nilai dalam rentang yang ditampilkan." },
  { "rank", "Put every option in order.", "Urutkan semua pilihan." },
  { "choice_filter", "This option is not among the options offered now; choose again.",
    "Pilihan ini tidak termasuk pilihan yang tersedia sekarang; pilih lagi." },
  { "repeat_count", "The number of entries does not match what this section needs.",
    "Jumlah entri tidak sesuai dengan yang dibutuhkan bagian ini." },
};

static const char *
builtin_message (const char *key, const char *language)
{
  for (size_t i = 0; i < G_N_ELEMENTS (messages); i++)
    if (strcmp (messages[i].key, key) == 0)
      return g_strcmp0 (language, "id") == 0 ? messages[i].id : messages[i].en;
  return key;
}

void
_intake_problem_free (Problem *problem)
{
  g_free (problem->path);
  g_free (problem);
}

void
_intake_problem_add (GPtrArray *problems, const char *path, const IntakeQuestion *q,
                     ProblemKind kind, const char *key)
{
  Problem *problem = g_new0 (Problem, 1);

  problem->path = g_strdup (path);
  problem->question = q;
  problem->kind = kind;
  problem->key = key;
  g_ptr_array_add (problems, problem);
}

const char *
_intake_problem_code (const Problem *problem)
{
  switch (problem->kind)
    {
    case PROBLEM_REQUIRED: return "required";
    case PROBLEM_CONSTRAINT: return "constraint";
    case PROBLEM_INVALID: return "invalid";
    case PROBLEM_NONE:
    default: return "none";
    }
}

const char *
_intake_problem_message (IntakeFormSession *self, const Problem *problem)
{
  const char *text;

  switch (problem->kind)
    {
    case PROBLEM_REQUIRED:
      text = intake_question_get_required_message (problem->question, self->language);
      return text != NULL ? text : builtin_message ("required", self->language);
    case PROBLEM_CONSTRAINT:
      text = intake_question_get_constraint_message (problem->question, self->language);
      return text != NULL ? text : builtin_message ("constraint", self->language);
    case PROBLEM_INVALID:
      return builtin_message (problem->key, self->language);
    case PROBLEM_NONE:
    default:
      return "";
    }
}

IntakeFormError
_intake_problem_error_code (const Problem *problem)
{
  switch (problem->kind)
    {
    case PROBLEM_REQUIRED: return INTAKE_FORM_ERROR_REQUIRED;
    case PROBLEM_CONSTRAINT: return INTAKE_FORM_ERROR_CONSTRAINT;
    case PROBLEM_INVALID:
    case PROBLEM_NONE:
    default: return INTAKE_FORM_ERROR_INVALID_ANSWER;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Answers                                                                                     */

JsonNode *
intake_answer_new_declined (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_boolean_member (object, "declined", TRUE);
  json_node_set_object (node, object);
  return node;
}

gboolean
intake_answer_is_declined (JsonNode *answer)
{
  JsonObject *object;
  JsonNode *declined;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return FALSE;
  object = json_node_get_object (answer);
  declined = json_object_get_member (object, "declined");
  return json_object_get_size (object) == 1 && declined != NULL && JSON_NODE_HOLDS_VALUE (declined)
         && json_node_get_value_type (declined) == G_TYPE_BOOLEAN
         && json_node_get_boolean (declined);
}

void
_intake_answer_to_value (JsonNode *answer, IntakeValue *out)
{
  intake_value_clear (out);
  if (answer == NULL)
    return;
  if (JSON_NODE_HOLDS_VALUE (answer))
    {
      switch (json_node_get_value_type (answer))
        {
        case G_TYPE_STRING:
          intake_value_set_string (out, json_node_get_string (answer));
          break;
        case G_TYPE_INT64:
          intake_value_set_number (out, (double) json_node_get_int (answer));
          break;
        case G_TYPE_DOUBLE:
          intake_value_set_number (out, json_node_get_double (answer));
          break;
        case G_TYPE_BOOLEAN:
          intake_value_set_boolean (out, json_node_get_boolean (answer));
          break;
        default:
          break;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (answer))
    {
      /* A select_multiple reads as its choices joined by spaces, as in XLSForm. */
      JsonArray *array = json_node_get_array (answer);
      GString *joined = g_string_new (NULL);

      for (unsigned int i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element)
              || json_node_get_value_type (element) != G_TYPE_STRING)
            continue;
          if (joined->len > 0)
            g_string_append_c (joined, ' ');
          g_string_append (joined, json_node_get_string (element));
        }
      intake_value_take_string (out, g_string_free (joined, FALSE));
    }
}

JsonNode *
_intake_answer_in (JsonObject *answers, const IntakeQuestion *q)
{
  JsonNode *node = answers != NULL ? json_object_get_member (answers, q->name) : NULL;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return node;
  /* A question never answered shows its default; clearing an answer to null does too. */
  return q->default_value;
}

gboolean
_intake_answer_is_empty (JsonNode *answer)
{
  if (answer == NULL || JSON_NODE_HOLDS_NULL (answer))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (answer) && json_node_get_value_type (answer) == G_TYPE_STRING)
    return *json_node_get_string (answer) == '\0';
  if (JSON_NODE_HOLDS_ARRAY (answer))
    return json_array_get_length (json_node_get_array (answer)) == 0;
  return FALSE;
}

/* The value an answer gives expressions: empty when declined or of the wrong shape. */
void
_intake_answer_value (const IntakeQuestion *q, JsonNode *answer, IntakeValue *out)
{
  const char *problem;

  intake_value_clear (out);
  if (answer == NULL || intake_answer_is_declined (answer))
    return;
  if (q->type == INTAKE_QUESTION_REPEAT)
    {
      /* Outside the repeat, ${repeat} is its number of entries. */
      if (JSON_NODE_HOLDS_ARRAY (answer))
        intake_value_set_number (out, json_array_get_length (json_node_get_array (answer)));
      return;
    }
  if (!_intake_question_check_value (q, answer, &problem))
    return;
  _intake_answer_to_value (answer, out);
}
