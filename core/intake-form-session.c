/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-form-session-private.h"
#include "intake-scoring-private.h"

#include <math.h>
#include <string.h>

typedef enum
{
  PROBLEM_NONE,
  PROBLEM_REQUIRED,
  PROBLEM_CONSTRAINT,
  PROBLEM_INVALID,
} ProblemKind;

/*
 * A problem remembers what went wrong, not the words: the words are rendered in whatever
 * language the session has when they are asked for, so switching language re-evaluates nothing.
 */
typedef struct
{
  char *path; /* The question's name, or "repeat[N]/child". */
  const IntakeQuestion *question;
  ProblemKind kind;
  const char *key; /* For PROBLEM_INVALID: which built-in message. */
} Problem;

struct _IntakeFormSession
{
  GObject parent_instance;

  IntakeForm *form;
  JsonObject *answers;
  char *language;
  char *today;
  char *now;  /* now() pinned by tests, or NULL for the clock. */
  GRand *rand; /* random() and uuid() seeded by tests, or NULL for GLib's generator. */
  char *label_repeat;        /* The entry labels are shown in (a repeat path), or NULL. */
  unsigned int label_entry;

  unsigned int n;
  gboolean *relevant;     /* By question index: shown now (with its groups). */
  IntakeValue *values;    /* By question index: what ${name} reads; empty when not relevant. */
  gboolean *dirty_value;  /* Relevance or value must be recomputed. */
  gboolean *dirty_check;  /* Required, type and constraint must be rechecked. */
  GPtrArray **problems;   /* By question index: Problem list (a repeat may hold several). */
  GHashTable *metadata;   /* "deviceid", "username", "start", … → value, for metadata types. */
  JsonNode *result;       /* Cached screening result, NULL when stale. */
  /*
   * How many repeat entries are being evaluated for a node-set or indexed-repeat() right now.
   * Each entry is evaluated whole, so two repeats reading each other could recurse without
   * end; past a few levels the entries read as empty instead.
   */
  unsigned int entry_nesting;
};

#define MAX_ENTRY_NESTING 4

G_DEFINE_FINAL_TYPE (IntakeFormSession, intake_form_session, G_TYPE_OBJECT)

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

static void
problem_free (Problem *problem)
{
  g_free (problem->path);
  g_free (problem);
}

static void
add_problem (GPtrArray *problems, const char *path, const IntakeQuestion *q, ProblemKind kind,
             const char *key)
{
  Problem *problem = g_new0 (Problem, 1);

  problem->path = g_strdup (path);
  problem->question = q;
  problem->kind = kind;
  problem->key = key;
  g_ptr_array_add (problems, problem);
}

static const char *
problem_code (const Problem *problem)
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

static const char *
problem_message (IntakeFormSession *self, const Problem *problem)
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

static IntakeFormError
problem_error_code (const Problem *problem)
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

static JsonNode *
answer_in (JsonObject *answers, const IntakeQuestion *q)
{
  JsonNode *node = answers != NULL ? json_object_get_member (answers, q->name) : NULL;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return node;
  /* A question never answered shows its default; clearing an answer to null does too. */
  return q->default_value;
}

static gboolean
answer_is_empty (JsonNode *answer)
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
static void
answer_value (const IntakeQuestion *q, JsonNode *answer, IntakeValue *out)
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

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                  */

typedef struct _Scope Scope;
struct _Scope
{
  IntakeFormSession *self;
  const IntakeValue *dot;
  const IntakeQuestion *repeat; /* Evaluating inside one entry of this repeat, or NULL. */
  IntakeValue *entry_values;    /* That entry's values, by question index. */
  IntakeExprCallFunc call;
  gpointer call_data;
  unsigned int position;        /* The entry's 1-based number, for position(..); 0 outside. */
  const IntakeChoice *choice;   /* The choice a choice_filter is deciding on, or NULL. */
  /*
   * Nested repeats: the scope of the entry that holds this one (NULL: the top level), this
   * entry's answers, and its children's relevance, by question index.  ${x} reads the nearest
   * entry that has x: this one, then the enclosing entry, then the top level, as ODK does.
   */
  const Scope *outer;
  JsonObject *entry;
  gboolean *entry_relevant;
};

static void evaluate_entry (IntakeFormSession *self, const Scope *outer,
                            const IntakeQuestion *repeat, JsonObject *entry,
                            unsigned int position, IntakeValue *values, gboolean *relevant,
                            Scope *out_scope);

/* The scope of the entry of @repeat that @scope is in (itself or an enclosing one), or NULL. */
static const Scope *
scope_of (const Scope *scope, const IntakeQuestion *repeat)
{
  for (const Scope *s = scope; s != NULL; s = s->outer)
    if (s->repeat == repeat && s->entry_values != NULL)
      return s;
  return NULL;
}

/*
 * The entries of @repeat as answered now, or NULL: a top-level repeat's from the answers
 * (@container NULL), an inner repeat's from the enclosing entry @container, and none while
 * the repeat is not relevant.
 */
static JsonArray *
entries_in (IntakeFormSession *self, const Scope *container, const IntakeQuestion *repeat)
{
  JsonObject *answers;
  JsonNode *answer;

  if (container == NULL)
    {
      if (repeat->repeat != NULL || !self->relevant[repeat->index])
        return NULL;
      answers = self->answers;
    }
  else
    {
      if (repeat->repeat != container->repeat || !container->entry_relevant[repeat->index])
        return NULL;
      answers = container->entry;
    }
  answer = answers != NULL ? json_object_get_member (answers, repeat->name) : NULL;
  if (answer == NULL || !JSON_NODE_HOLDS_ARRAY (answer))
    return NULL;
  return json_node_get_array (answer);
}

static JsonObject *
entry_object (JsonArray *entries, unsigned int e)
{
  JsonNode *node = json_array_get_element (entries, e);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/*
 * Node-set values of @q in every entry of @chain[depth] within @container, and below it down
 * to @chain[0] (the repeat @q is in, or @q itself): from the top level, sum(${age}) over
 * members inside households reads every member of every household, as JavaRosa resolves
 * /data/household/member/age; from inside one household, only that household's members.
 */
static void
collect_entries (IntakeFormSession *self, const Scope *container,
                 const IntakeQuestion *const *chain, unsigned int depth, const IntakeQuestion *q,
                 GArray *out)
{
  const IntakeQuestion *repeat = chain[depth];
  JsonArray *entries = entries_in (self, container, repeat);
  g_autofree IntakeValue *values = NULL;
  g_autofree gboolean *relevant = NULL;

  if (entries == NULL)
    return;
  if (depth == 0 && q == repeat)
    {
      for (unsigned int e = 0; e < json_array_get_length (entries); e++)
        {
          IntakeValue empty = INTAKE_VALUE_INIT;

          g_array_append_val (out, empty);
        }
      return;
    }
  values = g_new0 (IntakeValue, self->n);
  relevant = g_new0 (gboolean, self->n);
  relevant[repeat->index] = TRUE;
  for (unsigned int e = 0; e < json_array_get_length (entries); e++)
    {
      Scope entry_scope;

      evaluate_entry (self, container, repeat, entry_object (entries, e), e + 1, values,
                      relevant, &entry_scope);
      if (depth == 0)
        {
          IntakeValue entry_value = INTAKE_VALUE_INIT;

          intake_value_copy (&values[q->index], &entry_value);
          g_array_append_val (out, entry_value);
        }
      else
        {
          collect_entries (self, &entry_scope, chain, depth - 1, q, out);
        }
    }
  for (unsigned int i = 0; i < self->n; i++)
    intake_value_clear (&values[i]);
}

/*
 * ${name} as a node-set (count, sum, join, indexed-repeat…): inside its own repeat entry the
 * entry's value; from outside, one value per entry of the repeat, each entry evaluated as it
 * stands; a repeat gives one (empty) node per entry; anything else its one value.
 */
static void
lookup_all_cb (const char *name, GArray *out, gpointer user_data)
{
  Scope *scope = user_data;
  IntakeFormSession *self = scope->self;
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *chain[INTAKE_FORM_MAX_REPEAT_DEPTH + 1];
  const Scope *container = NULL;
  const Scope *own;
  unsigned int depth = 0;
  IntakeValue value = INTAKE_VALUE_INIT;

  if (q == NULL)
    return;
  if (q->repeat != NULL && q->type != INTAKE_QUESTION_REPEAT
      && (own = scope_of (scope, q->repeat)) != NULL)
    {
      intake_value_copy (&own->entry_values[q->index], &value);
      g_array_append_val (out, value);
      return;
    }
  if (q->repeat == NULL && q->type != INTAKE_QUESTION_REPEAT)
    {
      intake_value_copy (&self->values[q->index], &value);
      g_array_append_val (out, value);
      return;
    }
  /* The repeats from @q's own up to the first whose container is the top level or an entry
   * being evaluated now. */
  chain[0] = q->type == INTAKE_QUESTION_REPEAT ? q : q->repeat;
  while (chain[depth]->repeat != NULL
         && (container = scope_of (scope, chain[depth]->repeat)) == NULL)
    {
      if (depth == INTAKE_FORM_MAX_REPEAT_DEPTH)
        return;
      chain[depth + 1] = chain[depth]->repeat;
      depth++;
    }
  if (self->entry_nesting >= MAX_ENTRY_NESTING)
    return;
  self->entry_nesting++;
  collect_entries (self, container, chain, depth, q, out);
  self->entry_nesting--;
}

/*
 * indexed-repeat(): ${name} in entry @index of its repeat.  From outside the repeat the entry
 * is evaluated as it stands; from inside the same repeat, an entry's answers are read as
 * given and its calculations are empty, so that entries reading each other cannot recurse.
 */
static void
lookup_entry_cb (const char *name, unsigned int index, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  IntakeFormSession *self = scope->self;
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const Scope *container = NULL;
  JsonArray *entries;
  JsonObject *entry;

  if (q == NULL || q->repeat == NULL)
    return;
  /* An inner repeat's entries are those of the enclosing entry being evaluated; from outside
   * it, with one index, there is no one list to count in. */
  if (q->repeat->repeat != NULL && (container = scope_of (scope, q->repeat->repeat)) == NULL)
    return;
  entries = entries_in (self, container, q->repeat);
  if (entries == NULL || index < 1 || index > json_array_get_length (entries))
    return;
  entry = entry_object (entries, index - 1);
  if (scope_of (scope, q->repeat) != NULL)
    {
      if (q->type != INTAKE_QUESTION_CALCULATE)
        answer_value (q, answer_in (entry, q), out);
      return;
    }
  if (self->entry_nesting >= MAX_ENTRY_NESTING)
    return;
  self->entry_nesting++;
  {
    g_autofree IntakeValue *values = g_new0 (IntakeValue, self->n);
    g_autofree gboolean *relevant = g_new0 (gboolean, self->n);

    relevant[q->repeat->index] = TRUE;
    evaluate_entry (self, container, q->repeat, entry, index, values, relevant, NULL);
    intake_value_copy (&values[q->index], out);
    for (unsigned int i = 0; i < self->n; i++)
      intake_value_clear (&values[i]);
  }
  self->entry_nesting--;
}

typedef struct _EntryPath EntryPath;
static gboolean entry_path_push (IntakeFormSession *self, EntryPath *path,
                                 const IntakeQuestion *repeat, unsigned int index);
static void entry_path_clear (IntakeFormSession *self, EntryPath *path);
static EntryPath *entry_path_new (const Scope *base);
static const Scope *entry_path_innermost (EntryPath *path);

/*
 * indexed-repeat() with a repeat and an index per level (the ODK XForms spec's
 * indexed-repeat(//node, /path/to/repeat, //index1, /path/to/repeat/nested-repeat, //index2)):
 * each entry evaluated within the one before; the outermost repeat's entries are those of the
 * entry being evaluated that holds them (or the top level's).
 */
static void
lookup_entries_cb (const char *name, const char *const *repeats, const unsigned int *indexes,
                   unsigned int n_levels, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  IntakeFormSession *self = scope->self;
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
  const IntakeQuestion *levels[3];
  const Scope *base = NULL;
  EntryPath *path;
  gboolean found = TRUE;

  if (q == NULL || n_levels == 0 || n_levels > G_N_ELEMENTS (levels))
    return;
  for (unsigned int k = 0; k < n_levels; k++)
    {
      levels[k] = intake_form_lookup_question (self->form, repeats[k]);
      if (levels[k] == NULL || levels[k]->type != INTAKE_QUESTION_REPEAT
          || (k > 0 && levels[k]->repeat != levels[k - 1]))
        return;
    }
  if (q->repeat != levels[n_levels - 1])
    return;
  if (levels[0]->repeat != NULL && (base = scope_of (scope, levels[0]->repeat)) == NULL)
    return;
  if (self->entry_nesting >= MAX_ENTRY_NESTING)
    return;
  self->entry_nesting++;
  path = entry_path_new (base);
  for (unsigned int k = 0; k < n_levels && found; k++)
    found = entry_path_push (self, path, levels[k], indexes[k] - 1);
  if (found)
    intake_value_copy (&entry_path_innermost (path)->entry_values[q->index], out);
  entry_path_clear (self, path);
  g_free (path);
  self->entry_nesting--;
}

/* jr:choice-name(): the choice's label in the session's language. */
static char *
choice_label_cb (const char *question, const char *choice, gpointer user_data)
{
  Scope *scope = user_data;
  const IntakeQuestion *q = intake_form_lookup_question (scope->self->form, question);

  if (q == NULL || q->choices == NULL)
    return NULL;
  for (unsigned int i = 0; i < q->choices->len; i++)
    {
      const IntakeChoice *c = q->choices->pdata[i];

      if (strcmp (c->name, choice) == 0)
        return g_strdup (_intake_text_get (scope->self->form, c->label, scope->self->language));
    }
  return NULL;
}
static void metadata_value (IntakeFormSession *self, const IntakeQuestion *q, IntakeValue *out);

static void
lookup_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  const IntakeQuestion *q;

  if (name == NULL)
    {
      if (scope->dot != NULL)
        intake_value_copy (scope->dot, out);
      return;
    }
  q = intake_form_lookup_question (scope->self->form, name);
  if (q == NULL)
    return;
  if (q->repeat != NULL)
    {
      const Scope *own = scope_of (scope, q->repeat);

      if (own != NULL)
        intake_value_copy (&own->entry_values[q->index], out);
      return;
    }
  intake_value_copy (&scope->self->values[q->index], out);
}

/* A choice filter's bare name: "name" is the choice's name, anything else one of its filters. */
static void
choice_column_cb (const char *column, IntakeValue *out, gpointer user_data)
{
  Scope *scope = user_data;
  const char *value = NULL;

  if (scope->choice == NULL)
    return;
  if (strcmp (column, "name") == 0)
    value = scope->choice->name;
  else if (scope->choice->filters != NULL)
    value = g_hash_table_lookup (scope->choice->filters, column);
  if (value != NULL)
    intake_value_set_string (out, value);
}

/* The expression context carries the scope; scoring functions get their own data back. */
static void
call_cb (const char *function, const IntakeValue *args, unsigned int n_args, IntakeValue *out,
         gpointer user_data)
{
  Scope *scope = user_data;

  if (scope->call != NULL)
    scope->call (function, args, n_args, out, scope->call_data);
}

static void
scope_evaluate (Scope *scope, const IntakeExpr *expr, IntakeValue *out)
{
  IntakeExprContext context = { lookup_cb, call_cb, scope, scope->self->today };

  context.lookup_all = lookup_all_cb;
  context.choice_label = choice_label_cb;
  context.lookup_entry = lookup_entry_cb;
  context.lookup_entries = lookup_entries_cb;
  context.now = scope->self->now;
  context.rand = scope->self->rand;
  context.position = scope->position;
  context.choice_column = choice_column_cb;
  intake_expr_evaluate (expr, &context, out);
}

/*
 * A calculation's value.  Its own value so far is "." (once() keeps it), and a result that is
 * not a number stores empty, as ODK Collect stores it, never "NaN".
 */
static void
scope_evaluate_calculation (Scope *scope, const IntakeQuestion *q, IntakeValue *previous,
                            IntakeValue *out)
{
  Scope calculation_scope = *scope;

  calculation_scope.dot = previous;
  scope_evaluate (&calculation_scope, q->calculation, out);
  if (out->kind == INTAKE_VALUE_NUMBER && isnan (out->number))
    intake_value_set_string (out, "");
}

static gboolean
scope_evaluate_boolean (Scope *scope, const IntakeExpr *expr)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  scope_evaluate (scope, expr, &value);
  return intake_value_to_boolean (&value);
}

/* Whether @choice passes @q's choice_filter in @scope (every choice does without a filter). */
static gboolean
choice_passes (Scope *scope, const IntakeQuestion *q, const IntakeChoice *choice)
{
  Scope choice_scope = *scope;

  if (q->choice_filter == NULL)
    return TRUE;
  choice_scope.choice = choice;
  return scope_evaluate_boolean (&choice_scope, q->choice_filter);
}

static gboolean
choice_name_passes (Scope *scope, const IntakeQuestion *q, const char *name)
{
  for (unsigned int i = 0; i < q->choices->len; i++)
    {
      const IntakeChoice *choice = q->choices->pdata[i];

      if (strcmp (choice->name, name) == 0)
        return choice_passes (scope, q, choice);
    }
  return FALSE;
}

/*
 * Whether every chosen name of a (well-shaped) select answer is still offered by the filter.
 * JavaRosa drops a selection that its filter no longer offers (ItemsetBinding.getChoices); we
 * never change an answer behind the interviewer's back, so it is refused until changed.
 */
static gboolean
answer_passes_filter (Scope *scope, const IntakeQuestion *q, JsonNode *answer)
{
  if (q->choice_filter == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (answer) && json_node_get_value_type (answer) == G_TYPE_STRING)
    return choice_name_passes (scope, q, json_node_get_string (answer));
  if (JSON_NODE_HOLDS_ARRAY (answer))
    {
      JsonArray *array = json_node_get_array (answer);

      for (unsigned int i = 0; i < json_array_get_length (array); i++)
        {
          const char *name = json_array_get_string_element (array, i);

          if (name == NULL || !choice_name_passes (scope, q, name))
            return FALSE;
        }
    }
  return TRUE;
}

/* Required, shape and constraint of one answer; returns the kind of problem, if any. */
static ProblemKind
check_answer (Scope *scope, const IntakeQuestion *q, JsonNode *answer, const char **key)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
  Scope constraint_scope;

  *key = NULL;
  if (intake_answer_is_declined (answer))
    return PROBLEM_NONE;
  if (answer_is_empty (answer))
    return q->required || (q->required_if != NULL && scope_evaluate_boolean (scope, q->required_if))
             ? PROBLEM_REQUIRED
             : PROBLEM_NONE;
  if (!_intake_question_check_value (q, answer, key))
    return PROBLEM_INVALID;
  if (!answer_passes_filter (scope, q, answer))
    {
      *key = "choice_filter";
      return PROBLEM_INVALID;
    }
  if (q->type == INTAKE_QUESTION_REPEAT || q->constraint == NULL)
    return PROBLEM_NONE;
  _intake_answer_to_value (answer, &value);
  constraint_scope = *scope;
  constraint_scope.dot = &value;
  return scope_evaluate_boolean (&constraint_scope, q->constraint) ? PROBLEM_NONE
                                                                    : PROBLEM_CONSTRAINT;
}

/* One entry of a repeat: its children's relevance and values, in dependency order.  @outer is
 * the enclosing entry's scope for an inner repeat (NULL at the top level); @out_scope, when
 * given, receives this entry's scope, for evaluating inside it. */
static void
evaluate_entry (IntakeFormSession *self, const Scope *outer, const IntakeQuestion *repeat,
                JsonObject *entry, unsigned int position, IntakeValue *values,
                gboolean *relevant, Scope *out_scope)
{
  GPtrArray *order = _intake_form_get_order (self->form);
  Scope scope = { self, NULL, repeat, values, NULL, NULL, position, NULL, outer, entry, relevant };

  for (unsigned int i = 0; i < order->len; i++)
    {
      const IntakeQuestion *q = order->pdata[i];

      if (q->repeat != repeat)
        continue;
      relevant[q->index] = relevant[q->parent->index]
                           && (q->relevant == NULL || scope_evaluate_boolean (&scope,
                                                                              q->relevant));
      if (!relevant[q->index])
        {
          intake_value_clear (&values[q->index]);
        }
      else if (q->type == INTAKE_QUESTION_CALCULATE && q->calculation == NULL)
        {
          metadata_value (self, q, &values[q->index]);
        }
      else if (q->type == INTAKE_QUESTION_CALCULATE)
        {
          g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

          scope_evaluate_calculation (&scope, q, NULL, &value);
          intake_value_copy (&value, &values[q->index]);
        }
      else
        {
          answer_value (q, answer_in (entry, q), &values[q->index]);
        }
    }
  if (out_scope != NULL)
    *out_scope = scope;
}

static void check_repeat_count (Scope *scope, const IntakeQuestion *q, JsonNode *answer,
                                const char *path, GPtrArray *problems);

/*
 * Evaluates every entry of a repeat: the children's relevance and calculations in dependency
 * order, then their checks, and those of the repeats inside each entry the same way.  Called
 * whenever the top-level repeat's check is stale; entries are few.  @prefix names the
 * enclosing entry in problem paths ("household[2]/"; "" at the top level).
 */
static void
check_repeat_entries_full (IntakeFormSession *self, const Scope *outer,
                           const IntakeQuestion *repeat, const char *prefix, JsonArray *entries,
                           GPtrArray *problems, JsonArray *export)
{
  GPtrArray *order = _intake_form_get_order (self->form);
  g_autofree IntakeValue *values = g_new0 (IntakeValue, self->n);
  g_autofree gboolean *relevant = g_new0 (gboolean, self->n);

  relevant[repeat->index] = TRUE;
  for (unsigned int e = 0; e < json_array_get_length (entries); e++)
    {
      JsonObject *entry = entry_object (entries, e);
      Scope scope;
      g_autoptr(JsonObject) exported = export != NULL ? json_object_new () : NULL;
      g_autofree char *entry_path = g_strdup_printf ("%s%s[%u]/", prefix, repeat->name, e + 1);

      evaluate_entry (self, outer, repeat, entry, e + 1, values, relevant, &scope);
      for (unsigned int i = 0; i < order->len; i++)
        {
          const IntakeQuestion *q = order->pdata[i];
          g_autofree char *path = NULL;
          JsonNode *answer;
          const char *key;
          ProblemKind kind = PROBLEM_NONE;

          if (q->repeat != repeat || !relevant[q->index])
            continue;
          if (exported != NULL && q->type == INTAKE_QUESTION_CALCULATE)
            {
              g_autofree char *text = intake_value_dup_string (&values[q->index]);

              json_object_set_string_member (exported, q->name, text);
            }
          if (!intake_question_is_answerable (q))
            continue;
          answer = answer_in (entry, q);
          path = g_strconcat (entry_path, q->name, NULL);
          if (problems != NULL && (kind = check_answer (&scope, q, answer, &key)) != PROBLEM_NONE)
            add_problem (problems, path, q, kind, key);
          if (q->type == INTAKE_QUESTION_REPEAT)
            {
              /* A repeat inside this entry: its entries are checked (and exported) within it. */
              g_autoptr(JsonArray) inner = export != NULL ? json_array_new () : NULL;

              if (kind == PROBLEM_NONE && answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
                check_repeat_entries_full (self, &scope, q, entry_path,
                                           json_node_get_array (answer), problems, inner);
              if (problems != NULL)
                check_repeat_count (&scope, q, answer, path, problems);
              if (exported != NULL && answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
                {
                  json_object_set_array_member (exported, q->name, g_steal_pointer (&inner));
                  continue;
                }
            }
          if (exported != NULL && answer != NULL)
            json_object_set_member (exported, q->name, json_node_copy (answer));
        }
      if (export != NULL)
        json_array_add_object_element (export, g_steal_pointer (&exported));
    }
  for (unsigned int i = 0; i < self->n; i++)
    intake_value_clear (&values[i]);
}

static void
check_repeat_entries (IntakeFormSession *self, const IntakeQuestion *repeat, JsonArray *entries,
                      GPtrArray *problems, JsonArray *export)
{
  check_repeat_entries_full (self, NULL, repeat, "", entries, problems, export);
}

/* A repeat_count that does not match the entries is a problem; an unknown count (not yet
 * answered) asks for nothing yet.  Inside an entry, the count is that entry's (@scope). */
static void
check_repeat_count (Scope *scope, const IntakeQuestion *q, JsonNode *answer, const char *path,
                    GPtrArray *problems)
{
  g_auto(IntakeValue) count = INTAKE_VALUE_INIT;
  unsigned int entries;
  double wanted;

  if (q->repeat_count == NULL || intake_answer_is_declined (answer))
    return;
  entries = answer != NULL && JSON_NODE_HOLDS_ARRAY (answer)
              ? json_array_get_length (json_node_get_array (answer))
              : 0;
  scope_evaluate (scope, q->repeat_count, &count);
  wanted = intake_value_to_number (&count);
  if (!intake_value_is_empty (&count) && isfinite (wanted) && wanted >= 0
      && (double) entries != floor (wanted))
    add_problem (problems, path, q, PROBLEM_INVALID, "repeat_count");
}

static void
recheck (IntakeFormSession *self, const IntakeQuestion *q)
{
  GPtrArray *problems = self->problems[q->index];
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
  JsonNode *answer;
  const char *key;
  ProblemKind kind;

  g_ptr_array_set_size (problems, 0);
  if (!self->relevant[q->index] || !intake_question_is_answerable (q))
    return;
  answer = answer_in (self->answers, q);
  kind = check_answer (&scope, q, answer, &key);
  if (kind != PROBLEM_NONE)
    add_problem (problems, q->name, q, kind, key);
  else if (q->type == INTAKE_QUESTION_REPEAT && answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
    check_repeat_entries (self, q, json_node_get_array (answer), problems, NULL);
  check_repeat_count (&scope, q, answer, q->name, problems);
}

/* The value of a metadata question: as stored with the answers once stamped, else as the
 * session knows it now. */
static void
metadata_value (IntakeFormSession *self, const IntakeQuestion *q, IntakeValue *out)
{
  JsonNode *stored = self->answers != NULL ? json_object_get_member (self->answers, q->name)
                                           : NULL;
  const char *known;

  if (stored != NULL && JSON_NODE_HOLDS_VALUE (stored)
      && json_node_get_value_type (stored) == G_TYPE_STRING)
    {
      intake_value_set_string (out, json_node_get_string (stored));
      return;
    }
  known = self->metadata != NULL ? g_hash_table_lookup (self->metadata, q->kind) : NULL;
  if (known != NULL)
    intake_value_set_string (out, known);
  else if (strcmp (q->kind, "today") == 0 && self->today != NULL)
    intake_value_set_string (out, self->today);
  else
    intake_value_clear (out);
}

static void
mark_value_dirty (IntakeFormSession *self, const IntakeQuestion *q)
{
  self->dirty_value[q->index] = TRUE;
}

/*
 * Brings relevance, values and checks up to date.  Only questions marked dirty are
 * recomputed, and a question marks its dependents only when its own relevance or value really
 * changed, so one answer costs what depends on it.  The form's order puts every question after
 * what it reads, so one pass from @start settles everything.
 */
static void
update (IntakeFormSession *self, unsigned int start)
{
  GPtrArray *order = _intake_form_get_order (self->form);
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
  g_autoptr(GPtrArray) to_check = g_ptr_array_new ();

  for (unsigned int i = start; i < order->len; i++)
    {
      const IntakeQuestion *q = order->pdata[i];
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      gboolean relevant;

      if (!self->dirty_value[q->index])
        continue;
      self->dirty_value[q->index] = FALSE;
      if (q->repeat != NULL)
        continue;

      relevant = (q->parent == NULL || self->relevant[q->parent->index])
                 && (q->relevant == NULL || scope_evaluate_boolean (&scope, q->relevant));
      if (relevant && q->type == INTAKE_QUESTION_CALCULATE && q->calculation == NULL)
        metadata_value (self, q, &value);
      else if (relevant && q->type == INTAKE_QUESTION_CALCULATE)
        scope_evaluate_calculation (&scope, q, &self->values[q->index], &value);
      else if (relevant)
        answer_value (q, answer_in (self->answers, q), &value);

      if (!self->dirty_check[q->index])
        {
          self->dirty_check[q->index] = TRUE;
          g_ptr_array_add (to_check, (gpointer) q);
        }
      if (relevant == self->relevant[q->index]
          && intake_value_equal (&value, &self->values[q->index]))
        continue;
      self->relevant[q->index] = relevant;
      intake_value_copy (&value, &self->values[q->index]);
      g_clear_pointer (&self->result, json_node_unref);
      for (unsigned int k = 0; k < q->value_dependents->len; k++)
        mark_value_dirty (self, q->value_dependents->pdata[k]);
      for (unsigned int k = 0; k < q->check_dependents->len; k++)
        {
          const IntakeQuestion *d = q->check_dependents->pdata[k];

          if (!self->dirty_check[d->index])
            {
              self->dirty_check[d->index] = TRUE;
              g_ptr_array_add (to_check, (gpointer) d);
            }
        }
    }

  for (unsigned int i = 0; i < to_check->len; i++)
    {
      const IntakeQuestion *q = to_check->pdata[i];

      self->dirty_check[q->index] = FALSE;
      recheck (self, q);
    }
}

static void
update_all (IntakeFormSession *self)
{
  for (unsigned int i = 0; i < self->n; i++)
    {
      self->dirty_value[i] = TRUE;
      self->relevant[i] = FALSE;
      intake_value_clear (&self->values[i]);
    }
  g_clear_pointer (&self->result, json_node_unref);
  update (self, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Life cycle                                                                                  */

static void
intake_form_session_finalize (GObject *object)
{
  IntakeFormSession *self = INTAKE_FORM_SESSION (object);

  for (unsigned int i = 0; i < self->n; i++)
    {
      intake_value_clear (&self->values[i]);
      g_ptr_array_unref (self->problems[i]);
    }
  g_free (self->values);
  g_free (self->problems);
  g_free (self->relevant);
  g_free (self->dirty_value);
  g_free (self->dirty_check);
  g_clear_pointer (&self->result, json_node_unref);
  g_clear_pointer (&self->answers, json_object_unref);
  g_free (self->language);
  g_free (self->today);
  g_free (self->now);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_free (self->label_repeat);
  g_clear_object (&self->form);

  G_OBJECT_CLASS (intake_form_session_parent_class)->finalize (object);
}

static void
intake_form_session_class_init (IntakeFormSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_form_session_finalize;
}

static void
intake_form_session_init (IntakeFormSession *self)
{
}

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) copy = NULL;

  if (object == NULL)
    return json_object_new ();
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  copy = json_node_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

IntakeFormSession *
intake_form_session_new (IntakeForm *form, JsonObject *answers, const char *language)
{
  IntakeFormSession *self;

  g_return_val_if_fail (INTAKE_IS_FORM (form), NULL);

  self = g_object_new (INTAKE_TYPE_FORM_SESSION, NULL);
  self->form = g_object_ref (form);
  self->n = intake_form_get_n_questions (form);
  self->relevant = g_new0 (gboolean, self->n);
  self->values = g_new0 (IntakeValue, self->n);
  self->dirty_value = g_new0 (gboolean, self->n);
  self->dirty_check = g_new0 (gboolean, self->n);
  self->problems = g_new0 (GPtrArray *, self->n);
  for (unsigned int i = 0; i < self->n; i++)
    self->problems[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  intake_form_session_set_language (self, language);
  self->answers = copy_object (answers);
  update_all (self);
  return self;
}

IntakeForm *
intake_form_session_get_form (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  return self->form;
}

const char *
intake_form_session_get_language (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  return self->language;
}

void
intake_form_session_set_language (IntakeFormSession *self, const char *language)
{
  g_autofree char *previous = NULL;
  GPtrArray *order;

  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  previous = g_steal_pointer (&self->language);

  if (language != NULL && intake_form_has_language (self->form, language))
    self->language = g_strdup (language);
  else
    self->language = g_strdup (intake_form_get_default_language (self->form));
  g_clear_pointer (&self->result, json_node_unref);
  if (g_strcmp0 (previous, self->language) == 0)
    return;

  /* jr:choice-name() gives a label in the session's language: only those values change. */
  order = _intake_form_get_order (self->form);
  for (unsigned int i = 0; i < order->len; i++)
    {
      const IntakeQuestion *q = order->pdata[i];

      if ((q->calculation != NULL && intake_expr_uses_function (q->calculation, "jr:choice-name"))
          || (q->relevant != NULL && intake_expr_uses_function (q->relevant, "jr:choice-name")))
        mark_value_dirty (self, q);
    }
  update (self, 0);
}

void
intake_form_session_set_today (IntakeFormSession *self, const char *today)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_free (self->today);
  self->today = g_strdup (today);
  update_all (self);
}

void
intake_form_session_set_now (IntakeFormSession *self, const char *now)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_free (self->now);
  self->now = g_strdup (now);
  update_all (self);
}

void
intake_form_session_set_random_seed (IntakeFormSession *self, guint32 seed)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_clear_pointer (&self->rand, g_rand_free);
  self->rand = g_rand_new_with_seed (seed);
  update_all (self);
}

JsonObject *
intake_form_session_get_answers (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  return self->answers;
}

void
intake_form_session_set_answers (IntakeFormSession *self, JsonObject *answers)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_clear_pointer (&self->answers, json_object_unref);
  self->answers = copy_object (answers);
  update_all (self);
}

static const IntakeQuestion *
lookup_answerable (IntakeFormSession *self, const char *name, GError **error)
{
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);

  if (q == NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_UNKNOWN_QUESTION,
                   "form '%s' has no question '%s'", intake_form_get_id (self->form), name);
      return NULL;
    }
  if (!intake_question_is_answerable (q))
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "question '%s' is a %s and takes no answer", name,
                   intake_question_type_to_string (q->type));
      return NULL;
    }
  if (q->repeat != NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "question '%s' is inside the repeat '%s'; answer the repeat as a whole", name,
                   q->repeat->name);
      return NULL;
    }
  return q;
}

gboolean
intake_form_session_set_answer (IntakeFormSession *self, const char *name, JsonNode *value,
                                GError **error)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = lookup_answerable (self, name, error);
  if (q == NULL)
    return FALSE;
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    json_object_remove_member (self->answers, name);
  else
    json_object_set_member (self->answers, name, json_node_copy (value));

  /* Scoring reads raw answers (declined, unsure), so any change can change the result. */
  g_clear_pointer (&self->result, json_node_unref);
  mark_value_dirty (self, q);
  /*
   * What reads a repeat's entries from outside (sum(), count(), indexed-repeat()…) depends on
   * their content, not only on their number, which is all the repeat's own value says.
   */
  if (q->type == INTAKE_QUESTION_REPEAT)
    for (unsigned int k = 0; k < q->value_dependents->len; k++)
      mark_value_dirty (self, q->value_dependents->pdata[k]);
  update (self, q->order);
  return TRUE;
}

gboolean
intake_form_session_validate_answer (IntakeFormSession *self, const char *name, JsonNode *value,
                                     GError **error)
{
  const IntakeQuestion *q;
  Scope scope = { NULL, NULL, NULL, NULL, NULL, NULL };
  g_autoptr(GPtrArray) problems = NULL;
  Problem problem = { NULL, NULL, PROBLEM_NONE, NULL };

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = lookup_answerable (self, name, error);
  if (q == NULL)
    return FALSE;
  scope.self = self;
  problem.question = q;
  problem.kind = check_answer (&scope, q, value, &problem.key);
  if (problem.kind == PROBLEM_NONE && q->type == INTAKE_QUESTION_REPEAT && value != NULL
      && JSON_NODE_HOLDS_ARRAY (value))
    {
      problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
      check_repeat_entries (self, q, json_node_get_array (value), problems, NULL);
      if (problems->len > 0)
        {
          Problem *first = problems->pdata[0];

          g_set_error (error, INTAKE_FORM_ERROR, problem_error_code (first), "%s: %s",
                       first->path, problem_message (self, first));
          return FALSE;
        }
    }
  if (problem.kind != PROBLEM_NONE)
    {
      g_set_error_literal (error, INTAKE_FORM_ERROR, problem_error_code (&problem),
                           problem_message (self, &problem));
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_form_session_is_relevant (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL)
    return FALSE;
  /* Inside a repeat, relevance is per entry; here we can only say whether the repeat shows. */
  while (q->repeat != NULL)
    q = q->repeat;
  return self->relevant[q->index];
}

static gboolean
is_step (IntakeFormSession *self, const IntakeQuestion *q)
{
  if (q->repeat != NULL || !self->relevant[q->index])
    return FALSE;
  /* Metadata is stored with the answers but asked of nobody. */
  if (q->type == INTAKE_QUESTION_CALCULATE)
    return FALSE;
  return intake_question_is_answerable (q) || q->type == INTAKE_QUESTION_NOTE;
}

GStrv
intake_form_session_dup_visible (IntakeFormSession *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);

      if (is_step (self, q))
        g_strv_builder_add (builder, q->name);
    }
  return g_strv_builder_end (builder);
}

const char *
intake_form_session_get_next (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *from = NULL;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  if (name != NULL && (from = intake_form_lookup_question (self->form, name)) == NULL)
    return NULL;
  /* Steps inside a repeat are the window's business; navigation moves past the repeat. */
  if (from != NULL && from->repeat != NULL)
    from = from->repeat;
  for (unsigned int i = from != NULL ? from->index + 1 : 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);

      if (is_step (self, q))
        return q->name;
    }
  return NULL;
}

const char *
intake_form_session_get_previous (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *from = NULL;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  if (name != NULL && (from = intake_form_lookup_question (self->form, name)) == NULL)
    return NULL;
  if (from != NULL && from->repeat != NULL)
    from = from->repeat;
  for (unsigned int i = from != NULL ? from->index : self->n; i > 0; i--)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i - 1);

      if (is_step (self, q))
        return q->name;
    }
  return NULL;
}

char *
intake_form_session_dup_value (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->repeat != NULL)
    return g_strdup ("");
  return intake_value_dup_string (&self->values[q->index]);
}

char *
intake_form_session_dup_problem (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;
  GPtrArray *problems;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->repeat != NULL)
    return NULL;
  problems = self->problems[q->index];
  if (problems->len == 0)
    return NULL;
  if (q->type == INTAKE_QUESTION_REPEAT && problems->len > 0
      && ((Problem *) problems->pdata[0])->question != q)
    return g_strdup_printf ("%s: %s", ((Problem *) problems->pdata[0])->path,
                            problem_message (self, problems->pdata[0]));
  return g_strdup (problem_message (self, problems->pdata[0]));
}

GStrv
intake_form_session_dup_visible_choices (IntakeFormSession *self, const char *name)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->choices == NULL || q->repeat != NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (unsigned int i = 0; i < q->choices->len; i++)
    {
      const IntakeChoice *choice = q->choices->pdata[i];

      if (choice_passes (&scope, q, choice))
        g_strv_builder_add (builder, choice->name);
    }
  return g_strv_builder_end (builder);
}

/*
 * One entry of a repeat, evaluated with the entries that hold it: @path names the repeat, at
 * the top level by its name ("household"), inside entries by theirs ("household[2]/member",
 * 1-based as problem paths are), and @entry is from 0.
 */
struct _EntryPath
{
  const Scope *base; /* The entry the first repeat is in, or NULL: the top level. */
  unsigned int depth;
  Scope scopes[INTAKE_FORM_MAX_REPEAT_DEPTH];
  IntakeValue *values[INTAKE_FORM_MAX_REPEAT_DEPTH];
  gboolean *relevant[INTAKE_FORM_MAX_REPEAT_DEPTH];
};

static EntryPath *
entry_path_new (const Scope *base)
{
  EntryPath *path = g_new0 (EntryPath, 1);

  path->base = base;
  return path;
}

static const Scope *
entry_path_innermost (EntryPath *path)
{
  return &path->scopes[path->depth - 1];
}

static void
entry_path_clear (IntakeFormSession *self, EntryPath *path)
{
  for (unsigned int d = 0; d < path->depth; d++)
    {
      for (unsigned int i = 0; i < self->n; i++)
        intake_value_clear (&path->values[d][i]);
      g_free (path->values[d]);
      g_free (path->relevant[d]);
    }
  path->depth = 0;
}

/* Evaluates entry @index (from 0) of @repeat within the innermost entry of @path so far. */
static gboolean
entry_path_push (IntakeFormSession *self, EntryPath *path, const IntakeQuestion *repeat,
                 unsigned int index)
{
  const Scope *container = path->depth > 0 ? &path->scopes[path->depth - 1] : path->base;
  JsonArray *entries;
  unsigned int d = path->depth;

  if (repeat == NULL || repeat->type != INTAKE_QUESTION_REPEAT
      || d == INTAKE_FORM_MAX_REPEAT_DEPTH
      || (entries = entries_in (self, container, repeat)) == NULL
      || index >= json_array_get_length (entries))
    return FALSE;
  path->values[d] = g_new0 (IntakeValue, self->n);
  path->relevant[d] = g_new0 (gboolean, self->n);
  path->relevant[d][repeat->index] = TRUE;
  path->depth++;
  evaluate_entry (self, container, repeat, entry_object (entries, index), index + 1,
                  path->values[d], path->relevant[d], &path->scopes[d]);
  return TRUE;
}

static gboolean
entry_path_resolve (IntakeFormSession *self, const char *repeat, unsigned int entry,
                    EntryPath *path)
{
  g_auto(GStrv) steps = g_strsplit (repeat, "/", INTAKE_FORM_MAX_REPEAT_DEPTH + 1);
  unsigned int n = g_strv_length (steps);

  path->base = NULL;
  path->depth = 0;
  for (unsigned int i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;
      guint64 number = entry + 1;
      const char *open = strchr (steps[i], '[');

      if (i + 1 < n)
        {
          char *end = NULL;

          if (open == NULL)
            break;
          number = g_ascii_strtoull (open + 1, &end, 10);
          if (end == NULL || strcmp (end, "]") != 0 || number < 1 || number > G_MAXUINT)
            break;
          name = g_strndup (steps[i], open - steps[i]);
        }
      else if (open != NULL)
        {
          break;
        }
      else
        {
          name = g_strdup (steps[i]);
        }
      if (!entry_path_push (self, path, intake_form_lookup_question (self->form, name),
                            (unsigned int) number - 1))
        break;
      if (i + 1 == n)
        return TRUE;
    }
  entry_path_clear (self, path);
  return FALSE;
}

GStrv
intake_form_session_dup_entry_visible (IntakeFormSession *self, const char *repeat,
                                       unsigned int entry)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  EntryPath path;
  const Scope *scope;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (repeat != NULL, NULL);

  if (!entry_path_resolve (self, repeat, entry, &path))
    return NULL;
  scope = &path.scopes[path.depth - 1];
  builder = g_strv_builder_new ();
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);

      if (q->repeat == scope->repeat && scope->entry_relevant[q->index]
          && (intake_question_is_answerable (q) || q->type == INTAKE_QUESTION_NOTE))
        g_strv_builder_add (builder, q->name);
    }
  entry_path_clear (self, &path);
  return g_strv_builder_end (builder);
}

GStrv
intake_form_session_dup_entry_visible_choices (IntakeFormSession *self, const char *repeat,
                                               unsigned int entry, const char *name)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const IntakeQuestion *q;
  EntryPath path;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (repeat != NULL && name != NULL, NULL);

  q = intake_form_lookup_question (self->form, name);
  if (q == NULL || q->choices == NULL || !entry_path_resolve (self, repeat, entry, &path))
    return NULL;
  /* The entry's own values, as its checks see them (check_repeat_entries_full). */
  if (q->repeat == path.scopes[path.depth - 1].repeat)
    {
      builder = g_strv_builder_new ();
      for (unsigned int i = 0; i < q->choices->len; i++)
        {
          const IntakeChoice *choice = q->choices->pdata[i];

          if (choice_passes (&path.scopes[path.depth - 1], q, choice))
            g_strv_builder_add (builder, choice->name);
        }
    }
  entry_path_clear (self, &path);
  return builder != NULL ? g_strv_builder_end (builder) : NULL;
}

/* The top-level repeat that a repeat path ("household[2]/member") starts with, or NULL. */
static const IntakeQuestion *
path_top_repeat (IntakeFormSession *self, const char *repeat)
{
  g_autofree char *name = g_strndup (repeat, strcspn (repeat, "[/"));
  const IntakeQuestion *q = intake_form_lookup_question (self->form, name);

  return q != NULL && q->type == INTAKE_QUESTION_REPEAT && q->repeat == NULL ? q : NULL;
}

char *
intake_form_session_dup_entry_problem (IntakeFormSession *self, const char *repeat,
                                       unsigned int entry, const char *child)
{
  g_autofree char *path = NULL;
  const IntakeQuestion *r;
  GPtrArray *problems;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  g_return_val_if_fail (repeat != NULL && child != NULL, NULL);

  r = path_top_repeat (self, repeat);
  if (r == NULL)
    return NULL;
  path = g_strdup_printf ("%s[%u]/%s", repeat, entry + 1, child);
  problems = self->problems[r->index];
  for (unsigned int k = 0; k < problems->len; k++)
    {
      Problem *problem = problems->pdata[k];

      if (g_strcmp0 (problem->path, path) == 0)
        return g_strdup (problem_message (self, problem));
    }
  return NULL;
}

JsonNode *
intake_form_session_dup_problems_json (IntakeFormSession *self)
{
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  for (unsigned int i = 0; i < self->n; i++)
    {
      GPtrArray *problems = self->problems[i];

      for (unsigned int k = 0; k < problems->len; k++)
        {
          Problem *problem = problems->pdata[k];
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "question", problem->path);
          json_object_set_string_member (object, "code", problem_code (problem));
          json_object_set_string_member (object, "message", problem_message (self, problem));
          json_array_add_object_element (array, object);
        }
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

gboolean
intake_form_session_is_complete (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);

  for (unsigned int i = 0; i < self->n; i++)
    if (self->problems[i]->len > 0)
      return FALSE;
  return TRUE;
}

gboolean
intake_form_session_check_complete (IntakeFormSession *self, GError **error)
{
  g_autoptr(GString) message = NULL;
  unsigned int count = 0;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  message = g_string_new (NULL);
  for (unsigned int i = 0; i < self->n; i++)
    {
      GPtrArray *problems = self->problems[i];

      for (unsigned int k = 0; k < problems->len; k++)
        {
          Problem *problem = problems->pdata[k];

          g_string_append_printf (message, "%s%s: %s", count > 0 ? "; " : "", problem->path,
                                  problem_message (self, problem));
          count++;
        }
    }
  if (count == 0)
    return TRUE;
  g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INCOMPLETE, "%u problem%s: %s", count,
               count == 1 ? "" : "s", message->str);
  return FALSE;
}

static JsonNode *
value_to_json (const IntakeValue *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  switch (value->kind)
    {
    case INTAKE_VALUE_NUMBER:
      if (isfinite (value->number))
        {
          if (value->number == trunc (value->number) && fabs (value->number) < 1e15)
            json_node_set_int (node, (gint64) value->number);
          else
            json_node_set_double (node, value->number);
          break;
        }
      json_node_set_string (node, "NaN");
      break;
    case INTAKE_VALUE_BOOLEAN:
      json_node_set_boolean (node, value->boolean);
      break;
    case INTAKE_VALUE_STRING:
    default:
      json_node_set_string (node, value->string != NULL ? value->string : "");
      break;
    }
  return node;
}

JsonObject *
intake_form_session_dup_export_answers (IntakeFormSession *self)
{
  JsonObject *export;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  export = json_object_new ();
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      JsonNode *answer;

      if (q->repeat != NULL || !self->relevant[q->index])
        continue;
      if (q->type == INTAKE_QUESTION_CALCULATE)
        {
          json_object_set_member (export, q->name, value_to_json (&self->values[q->index]));
          continue;
        }
      if (!intake_question_is_answerable (q))
        continue;
      answer = answer_in (self->answers, q);
      if (answer == NULL)
        continue;
      if (q->type == INTAKE_QUESTION_REPEAT && JSON_NODE_HOLDS_ARRAY (answer))
        {
          g_autoptr(JsonArray) entries = json_array_new ();

          check_repeat_entries (self, q, json_node_get_array (answer), NULL, entries);
          json_object_set_array_member (export, q->name, g_steal_pointer (&entries));
          continue;
        }
      json_object_set_member (export, q->name, json_node_copy (answer));
    }
  return export;
}

static gboolean
scoring_relevant_cb (gpointer data, const IntakeQuestion *question)
{
  return _intake_form_session_question_relevant (data, question);
}

static JsonNode *
scoring_answer_cb (gpointer data, const IntakeQuestion *question)
{
  return _intake_form_session_effective_answer (data, question);
}

static void
scoring_evaluate_cb (gpointer data,
                     const IntakeExpr *expr,
                     const IntakeValue *dot,
                     IntakeExprCallFunc call,
                     gpointer call_data,
                     IntakeValue *out)
{
  _intake_form_session_evaluate (data, expr, dot, call, call_data, out);
}

JsonNode *
intake_form_session_dup_result_json (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  if (!intake_form_has_scoring (self->form))
    return NULL;
  if (self->result == NULL)
    {
      IntakeScoringSource source = {
        .form = self->form,
        .language = intake_form_session_get_language (self),
        .data = self,
        .relevant = scoring_relevant_cb,
        .answer = scoring_answer_cb,
        .evaluate = scoring_evaluate_cb,
        .is_declined = intake_answer_is_declined,
        .to_value = _intake_answer_to_value,
      };

      self->result = _intake_scoring_evaluate (&source);
    }
  return json_node_copy (self->result);
}

JsonNode *
intake_form_session_dup_state_json (IntakeFormSession *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_auto(GStrv) visible = NULL;
  JsonNode *result;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "form_id");
  json_builder_add_string_value (builder, intake_form_get_id (self->form));
  json_builder_set_member_name (builder, "form_version");
  json_builder_add_int_value (builder, intake_form_get_version (self->form));
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, self->language);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, intake_form_get_title (self->form, self->language));

  json_builder_set_member_name (builder, "questions");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      const char *hint = intake_question_get_hint (q, self->language);
      JsonNode *answer = q->repeat == NULL ? answer_in (self->answers, q) : NULL;
      g_autofree char *problem = intake_form_session_dup_problem (self, q->name);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, q->name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, intake_question_type_to_string (q->type));
      if (q->kind != NULL)
        {
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, q->kind);
        }
      if (q->parent != NULL)
        {
          json_builder_set_member_name (builder, "parent");
          json_builder_add_string_value (builder, q->parent->name);
        }
      if (q->label != NULL)
        {
          g_autofree char *label = intake_form_session_dup_label (self, q->name);

          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, label);
        }
      if (hint != NULL || q->child_hint != NULL)
        {
          g_autofree char *shown = intake_form_session_dup_hint (self, q->name);

          if (shown != NULL)
            {
              json_builder_set_member_name (builder, "hint");
              json_builder_add_string_value (builder, shown);
            }
        }
      json_builder_set_member_name (builder, "relevant");
      json_builder_add_boolean_value (builder, intake_form_session_is_relevant (self, q->name));
      json_builder_set_member_name (builder, "required");
      json_builder_add_boolean_value (builder, intake_form_session_is_required (self, q->name));
      json_builder_set_member_name (builder, "read_only");
      json_builder_add_boolean_value (builder, intake_form_session_is_read_only (self, q->name));
      json_builder_set_member_name (builder, "sensitive");
      json_builder_add_boolean_value (builder, q->sensitive);
      if (q->appearance != NULL)
        {
          json_builder_set_member_name (builder, "appearance");
          json_builder_add_string_value (builder, q->appearance);
        }
      json_builder_set_member_name (builder, "audience");
      json_builder_add_string_value (builder, q->audience);
      if (q->htcds != NULL)
        {
          json_builder_set_member_name (builder, "htcds");
          json_builder_add_string_value (builder, q->htcds);
        }
      if (q->choices != NULL)
        {
          json_builder_set_member_name (builder, "choices");
          json_builder_begin_array (builder);
          for (unsigned int k = 0; k < q->choices->len; k++)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, intake_question_get_choice_name (q, k));
              json_builder_set_member_name (builder, "label");
              json_builder_add_string_value (builder,
                                             intake_question_get_choice_label (q, k,
                                                                               self->language));
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
        }
      if (q->choice_filter != NULL && q->repeat == NULL)
        {
          g_auto(GStrv) offered = intake_form_session_dup_visible_choices (self, q->name);

          /* "choices" lists them all; these are the ones the filter offers now, in order. */
          json_builder_set_member_name (builder, "offered_choices");
          json_builder_begin_array (builder);
          for (size_t k = 0; offered[k] != NULL; k++)
            json_builder_add_string_value (builder, offered[k]);
          json_builder_end_array (builder);
        }
      if (answer != NULL)
        {
          json_builder_set_member_name (builder, "answer");
          json_builder_add_value (builder, json_node_copy (answer));
          json_builder_set_member_name (builder, "declined");
          json_builder_add_boolean_value (builder, intake_answer_is_declined (answer));
        }
      if (q->type == INTAKE_QUESTION_CALCULATE && q->repeat == NULL)
        {
          json_builder_set_member_name (builder, "value");
          json_builder_add_value (builder, value_to_json (&self->values[q->index]));
        }
      if (problem != NULL)
        {
          json_builder_set_member_name (builder, "problem");
          json_builder_add_string_value (builder, problem);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  visible = intake_form_session_dup_visible (self);
  json_builder_set_member_name (builder, "visible");
  json_builder_begin_array (builder);
  for (size_t i = 0; visible[i] != NULL; i++)
    json_builder_add_string_value (builder, visible[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "problems");
  json_builder_add_value (builder, intake_form_session_dup_problems_json (self));
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, intake_form_session_is_complete (self));
  json_builder_set_member_name (builder, "result");
  result = intake_form_session_dup_result_json (self);
  if (result != NULL)
    json_builder_add_value (builder, result);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ------------------------------------------------------------------------------------------ */
/* XLSForm's further columns (issue #12)                                                       */

void
intake_form_session_set_metadata (IntakeFormSession *self, const char *kind, const char *value)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));
  g_return_if_fail (kind != NULL);

  if (self->metadata == NULL)
    self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (value != NULL)
    g_hash_table_insert (self->metadata, g_strdup (kind), g_strdup (value));
  else
    g_hash_table_remove (self->metadata, kind);
  update_all (self);
}

void
intake_form_session_stamp_metadata (IntakeFormSession *self, const char *now)
{
  g_autofree char *local_now = NULL;
  g_autofree char *today = NULL;

  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  if (now == NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_now_local ();

      local_now = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
      now = local_now;
    }
  today = self->today != NULL ? g_strdup (self->today) : g_strndup (now, 10);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      const char *value = NULL;
      JsonNode *stored;

      if (q->type != INTAKE_QUESTION_CALCULATE || q->calculation != NULL || q->repeat != NULL)
        continue;
      stored = json_object_get_member (self->answers, q->name);
      /* "end" moves with every save; the others are fixed the first time. */
      if (stored != NULL && !JSON_NODE_HOLDS_NULL (stored) && strcmp (q->kind, "end") != 0)
        continue;
      if (strcmp (q->kind, "start") == 0 || strcmp (q->kind, "end") == 0)
        value = now;
      else if (strcmp (q->kind, "today") == 0)
        value = today;
      else if (self->metadata != NULL)
        value = g_hash_table_lookup (self->metadata, q->kind);
      if (value != NULL)
        json_object_set_string_member (self->answers, q->name, value);
    }
  update_all (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Dynamic defaults (issue #12)                                                                */

/*
 * The answer a dynamic default's value gives @q, as JavaRosa stores a value set into a question
 * (IAnswerData.wrapData): none for an empty string or a number that is not one, a number cut
 * towards zero for an integer, dates as ODK writes them, a space-separated list for a
 * select_multiple.  None either when the value does not fit the question (a choice it does not
 * have, a number outside its range), so that only an answer the question can hold is stored.
 */
static JsonNode *
default_answer (const IntakeQuestion *q, const IntakeValue *value)
{
  g_autofree char *text = intake_value_dup_string (value);
  g_autofree char *blank = g_strstrip (g_strdup (text));
  g_autoptr(JsonNode) node = NULL;
  const char *problem;
  double number;

  if (*blank == '\0')
    return NULL;
  switch (q->type)
    {
    case INTAKE_QUESTION_INTEGER:
      number = intake_value_to_number (value);
      /* Beyond 2^53 a double no longer holds every whole number. */
      if (!isfinite (number) || fabs (number) >= 9007199254740992.0)
        return NULL;
      node = json_node_init_int (json_node_alloc (), (gint64) trunc (number));
      break;
    case INTAKE_QUESTION_DECIMAL:
      number = intake_value_to_number (value);
      if (!isfinite (number))
        return NULL;
      node = json_node_init_double (json_node_alloc (), number);
      break;
    case INTAKE_QUESTION_DATE:
      {
        g_autofree char *date = intake_value_dup_date_answer (value, "date");

        node = json_node_init_string (json_node_alloc (), date);
      }
      break;
    case INTAKE_QUESTION_SELECT_MULTIPLE:
      {
        g_auto(GStrv) names = g_strsplit_set (text, " \t\n", 0);
        JsonArray *array = json_array_new ();

        for (unsigned int i = 0; names[i] != NULL; i++)
          if (*names[i] != '\0')
            json_array_add_string_element (array, names[i]);
        node = json_node_init_array (json_node_alloc (), array);
        json_array_unref (array);
      }
      break;
    case INTAKE_QUESTION_TEXT:
    case INTAKE_QUESTION_SELECT_ONE:
    case INTAKE_QUESTION_NOTE:
    case INTAKE_QUESTION_CALCULATE:
    case INTAKE_QUESTION_GROUP:
    case INTAKE_QUESTION_REPEAT:
    default:
      node = json_node_init_string (json_node_alloc (), text);
      /* now() into a time or dateTime question: its time of day, or itself as ODK writes it. */
      if ((g_strcmp0 (q->kind, "time") == 0 || g_strcmp0 (q->kind, "dateTime") == 0)
          && !_intake_question_check_value (q, node, &problem))
        {
          g_autofree char *converted = intake_value_dup_date_answer (value, q->kind);

          json_node_set_string (node, converted);
        }
      break;
    }
  if (!_intake_question_check_value (q, node, &problem))
    return NULL;
  return g_steal_pointer (&node);
}

void
intake_form_session_apply_first_load_defaults (IntakeFormSession *self)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      Scope scope = { self, NULL, NULL, NULL, NULL, NULL };
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      g_autoptr(JsonNode) answer = NULL;
      JsonNode *given;

      if (q->dynamic_default == NULL || q->repeat != NULL)
        continue;
      /* An answer given as the interview is created (interview import) is kept. */
      given = json_object_get_member (self->answers, q->name);
      if (given != NULL && !JSON_NODE_HOLDS_NULL (given))
        continue;
      scope_evaluate (&scope, q->dynamic_default, &value);
      answer = default_answer (q, &value);
      if (answer != NULL)
        intake_form_session_set_answer (self, q->name, answer, NULL);
    }
}

/* A new object with @src's members (json_node_copy () shares objects, it does not copy them). */
static JsonObject *
new_object_from (JsonObject *src)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, src);
  while (json_object_iter_next (&iter, &name, &value))
    json_object_set_member (copy, name, json_node_copy (value));
  return copy;
}

/*
 * Sets @repeat's entries to those it has now with @entry (copied) in place of the last one, or
 * with @append after them.  Entries are new objects each time: the window borrows the old ones.
 */
static void
set_last_entry (IntakeFormSession *self, const IntakeQuestion *repeat, JsonObject *entry,
                gboolean append)
{
  JsonNode *old = json_object_get_member (self->answers, repeat->name);
  JsonArray *old_entries = old != NULL && JSON_NODE_HOLDS_ARRAY (old) ? json_node_get_array (old)
                                                                       : NULL;
  unsigned int keep = old_entries == NULL ? 0
                      : json_array_get_length (old_entries) - (append ? 0 : 1);
  JsonArray *entries = json_array_new ();
  g_autoptr(JsonNode) node = NULL;

  for (unsigned int i = 0; i < keep; i++)
    json_array_add_element (entries, json_node_copy (json_array_get_element (old_entries, i)));
  json_array_add_object_element (entries, new_object_from (entry));
  node = json_node_init_array (json_node_alloc (), entries);
  json_array_unref (entries);
  intake_form_session_set_answer (self, repeat->name, node, NULL);
}

gboolean
intake_form_session_add_entry (IntakeFormSession *self, const char *repeat, unsigned int *entry,
                               GError **error)
{
  const IntakeQuestion *rq;
  g_autoptr(JsonObject) fresh = json_object_new ();
  JsonArray *entries;
  unsigned int position;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  g_return_val_if_fail (repeat != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rq = lookup_answerable (self, repeat, error);
  if (rq == NULL)
    return FALSE;
  if (rq->type != INTAKE_QUESTION_REPEAT)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE,
                   "question '%s' is a %s, not a repeat", repeat,
                   intake_question_type_to_string (rq->type));
      return FALSE;
    }
  /* The entry exists before its defaults are evaluated, as ODK adds it before odk-new-repeat:
   * count() sees it, and position(..) is its number. */
  set_last_entry (self, rq, fresh, TRUE);
  entries = json_node_get_array (json_object_get_member (self->answers, rq->name));
  position = json_array_get_length (entries);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      g_autofree IntakeValue *values = NULL;
      g_autofree gboolean *relevant = NULL;
      g_auto(IntakeValue) value = INTAKE_VALUE_INIT;
      g_autoptr(JsonNode) answer = NULL;
      JsonObject *next;

      if (q->repeat != rq || q->dynamic_default == NULL)
        continue;
      values = g_new0 (IntakeValue, self->n);
      relevant = g_new0 (gboolean, self->n);
      relevant[rq->index] = TRUE;
      {
        Scope scope;

        evaluate_entry (self, NULL, rq, fresh, position, values, relevant, &scope);
        scope_evaluate (&scope, q->dynamic_default, &value);
      }
      for (unsigned int k = 0; k < self->n; k++)
        intake_value_clear (&values[k]);
      answer = default_answer (q, &value);
      if (answer == NULL)
        continue;
      next = new_object_from (fresh);
      json_object_set_member (next, q->name, g_steal_pointer (&answer));
      json_object_unref (fresh);
      fresh = next;
      set_last_entry (self, rq, fresh, FALSE);
    }
  if (entry != NULL)
    *entry = position - 1;
  return TRUE;
}

/* A flag that may be an expression (required, read_only): inside a repeat, or written as yes/no,
 * the fixed value; else the expression evaluated with the answers as they are now. */
static gboolean
flag_now (IntakeFormSession *self, const IntakeQuestion *q, gboolean fixed, IntakeExpr *expr)
{
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };

  if (expr == NULL || q->repeat != NULL)
    return fixed;
  return scope_evaluate_boolean (&scope, expr);
}

gboolean
intake_form_session_is_required (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL && flag_now (self, q, q->required, q->required_if);
}

gboolean
intake_form_session_is_read_only (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), FALSE);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL && flag_now (self, q, q->read_only, q->read_only_if);
}

/* Whether the form's child wording applies now (its child_when holds). */
static gboolean
is_child (IntakeFormSession *self)
{
  IntakeExpr *when = _intake_form_get_child_when (self->form);
  Scope scope = { self, NULL, NULL, NULL, NULL, NULL };

  return when != NULL && scope_evaluate_boolean (&scope, when);
}

void
intake_form_session_set_label_entry (IntakeFormSession *self, const char *repeat,
                                     unsigned int entry)
{
  g_return_if_fail (INTAKE_IS_FORM_SESSION (self));

  g_free (self->label_repeat);
  self->label_repeat = g_strdup (repeat);
  self->label_entry = entry;
}

/* ${name} in a text replaced by that question's value now: outside repeats the answer's, inside
 * the entry set by set_label_entry that entry's or an enclosing one's.  A name that is no such
 * question stays as written, so that a typo shows rather than vanishes. */
static char *
substitute (IntakeFormSession *self, const char *text)
{
  GString *out;
  const char *p;
  EntryPath path = { NULL, 0 };
  gboolean in_entry;

  if (text == NULL)
    return NULL;
  in_entry = self->label_repeat != NULL && strstr (text, "${") != NULL
             && entry_path_resolve (self, self->label_repeat, self->label_entry, &path);
  out = g_string_new (NULL);
  p = text;
  while (*p != '\0')
    {
      const char *open = strstr (p, "${");
      const char *close = open != NULL ? strchr (open + 2, '}') : NULL;
      g_autofree char *name = NULL;
      const IntakeQuestion *q;
      const Scope *own;

      if (open == NULL || close == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, open - p);
      name = g_strndup (open + 2, close - open - 2);
      q = intake_form_lookup_question (self->form, name);
      if (q != NULL && q->repeat == NULL)
        {
          g_autofree char *value = intake_value_dup_string (&self->values[q->index]);

          g_string_append (out, value);
        }
      else if (q != NULL && in_entry
               && (own = scope_of (entry_path_innermost (&path), q->repeat)) != NULL)
        {
          g_autofree char *value = intake_value_dup_string (&own->entry_values[q->index]);

          g_string_append (out, value);
        }
      else
        {
          g_string_append_len (out, open, close - open + 1);
        }
      p = close + 1;
    }
  if (in_entry)
    entry_path_clear (self, &path);
  return g_string_free (out, FALSE);
}

/* @adult's text in the session's language, or @child's while the child wording applies, with
 * ${name} filled in; NULL when the question has neither. */
static char *
dup_text (IntakeFormSession *self, IntakeText *adult, IntakeText *child)
{
  if (child != NULL && is_child (self))
    return substitute (self, _intake_text_get (self->form, child, self->language));
  return substitute (self, _intake_text_get (self->form, adult, self->language));
}

char *
intake_form_session_dup_label (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL ? dup_text (self, q->label, q->child_label) : NULL;
}

char *
intake_form_session_dup_hint (IntakeFormSession *self, const char *name)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);
  q = intake_form_lookup_question (self->form, name);
  return q != NULL ? dup_text (self, q->hint, q->child_hint) : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* For the scoring                                                                             */

gboolean
_intake_form_session_question_relevant (IntakeFormSession *self, const IntakeQuestion *question)
{
  return question->repeat == NULL && self->relevant[question->index];
}

JsonNode *
_intake_form_session_effective_answer (IntakeFormSession *self, const IntakeQuestion *question)
{
  return answer_in (self->answers, question);
}

void
_intake_form_session_evaluate (IntakeFormSession *self, const IntakeExpr *expr,
                               const IntakeValue *dot, IntakeExprCallFunc call,
                               gpointer call_data, IntakeValue *out)
{
  Scope scope = { self, dot, NULL, NULL, call, call_data };

  scope_evaluate (&scope, expr, out);
}
