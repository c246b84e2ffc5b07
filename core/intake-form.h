/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * IntakeForm: one version of a form, parsed from its JSON document and validated.  Immutable
 * once loaded, so it can be shared by any number of sessions.  The format is described in
 * core/forms/README.md.
 *
 * Typical use on import (intakectl form import):
 *
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(IntakeForm) form = intake_form_new_from_data (bytes, length,
 *                                                           INTAKE_FORM_LOAD_DEFAULT, &error);
 *   if (form == NULL)
 *     return fail (error->message);   // names the form id, the question and the column
 *   store (intake_form_get_id (form), intake_form_get_version (form), bytes);
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define INTAKE_FORM_ERROR (intake_form_error_quark ())

typedef enum
{
  /* Refusals of a form document. */
  INTAKE_FORM_ERROR_MALFORMED,           /* Not JSON, or a member of the wrong shape. */
  INTAKE_FORM_ERROR_UNKNOWN_TYPE,        /* A question type we do not know. */
  INTAKE_FORM_ERROR_DUPLICATE_NAME,      /* Two questions (or choices of one list) share a name. */
  INTAKE_FORM_ERROR_UNKNOWN_REFERENCE,   /* ${name} names no question we can read there. */
  INTAKE_FORM_ERROR_CYCLE,               /* Calculations or relevance depend on themselves. */
  INTAKE_FORM_ERROR_NO_CHOICES,          /* A select question without choices. */
  INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE,    /* Text in a language the form does not declare. */
  INTAKE_FORM_ERROR_MISSING_TRANSLATION, /* A declared language without its text. */
  INTAKE_FORM_ERROR_EXPRESSION,          /* An expression that does not parse. */
  /* Problems with answers, from IntakeFormSession. */
  INTAKE_FORM_ERROR_UNKNOWN_QUESTION,
  INTAKE_FORM_ERROR_NOT_ANSWERABLE,      /* Groups, notes and calculations take no answer. */
  INTAKE_FORM_ERROR_INVALID_ANSWER,      /* The wrong type of value for the question. */
  INTAKE_FORM_ERROR_REQUIRED,
  INTAKE_FORM_ERROR_CONSTRAINT,
  INTAKE_FORM_ERROR_INCOMPLETE,          /* Completion refused; the message lists every problem. */
} IntakeFormError;

GQuark intake_form_error_quark (void);

typedef enum
{
  INTAKE_FORM_LOAD_DEFAULT = 0,
  /*
   * Accept a form where some declared language lacks some text (the default language must
   * still be complete).  Without this flag every text must exist in every declared language,
   * which is what the bundled form and published forms are held to.
   */
  INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS = 1 << 0,
} IntakeFormLoadFlags;

typedef enum
{
  INTAKE_QUESTION_TEXT,
  INTAKE_QUESTION_INTEGER,
  INTAKE_QUESTION_DECIMAL,
  INTAKE_QUESTION_DATE,
  INTAKE_QUESTION_SELECT_ONE,
  INTAKE_QUESTION_SELECT_MULTIPLE,
  INTAKE_QUESTION_NOTE,
  INTAKE_QUESTION_CALCULATE,
  INTAKE_QUESTION_GROUP,
  INTAKE_QUESTION_REPEAT,
} IntakeQuestionType;

/* Limits that keep hostile documents cheap to refuse. */
#define INTAKE_FORM_MAX_BYTES (4 * 1024 * 1024)
#define INTAKE_FORM_MAX_NESTING 64
#define INTAKE_FORM_MAX_QUESTIONS 5000
/* Repeats inside repeats: how deep (a top-level repeat is depth 1). */
#define INTAKE_FORM_MAX_REPEAT_DEPTH 8

/* A question, owned by its form: valid for as long as the form lives. */
typedef struct _IntakeQuestion IntakeQuestion;

#define INTAKE_TYPE_FORM (intake_form_get_type ())
G_DECLARE_FINAL_TYPE (IntakeForm, intake_form, INTAKE, FORM, GObject)

IntakeForm *intake_form_new_from_data (const char *data, gssize length, IntakeFormLoadFlags flags,
                                       GError **error);
IntakeForm *intake_form_new_from_file (const char *path, IntakeFormLoadFlags flags,
                                       GError **error);
IntakeForm *intake_form_new_from_node (JsonNode *document, IntakeFormLoadFlags flags,
                                       GError **error);

const char *intake_form_get_id (IntakeForm *self);
gint64 intake_form_get_version (IntakeForm *self);
const char *intake_form_get_default_language (IntakeForm *self);
/* The declared language codes, in the order the document lists them.  NULL-terminated. */
const char *const *intake_form_get_languages (IntakeForm *self);
gboolean intake_form_has_language (IntakeForm *self, const char *language);
/* Text in @language, falling back to the default language; never NULL for the title. */
const char *intake_form_get_title (IntakeForm *self, const char *language);
/* Whether the form has scoring rules (a screening result). */
gboolean intake_form_has_scoring (IntakeForm *self);

/*
 * A description for `intakectl form show --json`: {"id", "version", "title", "default_language",
 * "languages", "scoring": bool, "questions": [{"name", "type", "parent"?, "label"}]}, with
 * texts in @language (NULL: the default).
 */
JsonNode *intake_form_dup_summary_json (IntakeForm *self, const char *language);

/* Every question (groups, repeats and their children included) in document order. */
unsigned int intake_form_get_n_questions (IntakeForm *self);
const IntakeQuestion *intake_form_get_question (IntakeForm *self, unsigned int index);
const IntakeQuestion *intake_form_lookup_question (IntakeForm *self, const char *name);

const char *intake_question_get_name (const IntakeQuestion *question);
IntakeQuestionType intake_question_get_question_type (const IntakeQuestion *question);
/* "text", "select_one", …: the form's own word for the type. */
const char *intake_question_type_to_string (IntakeQuestionType type);
/* The enclosing group or repeat, or NULL at the top level. */
const IntakeQuestion *intake_question_get_parent (const IntakeQuestion *question);
/* Label, hint and constraint message in @language, falling back to the default; may be NULL. */
const char *intake_question_get_label (const IntakeQuestion *question, const char *language);
const char *intake_question_get_hint (const IntakeQuestion *question, const char *language);
const char *intake_question_get_constraint_message (const IntakeQuestion *question,
                                                    const char *language);
gboolean intake_question_get_required (const IntakeQuestion *question);
gboolean intake_question_get_read_only (const IntakeQuestion *question);
gboolean intake_question_get_sensitive (const IntakeQuestion *question);
const char *intake_question_get_appearance (const IntakeQuestion *question);
/*
 * The form's own word for the question's type: the base type's ("text", "select_one", …), or
 * one of XLSForm's further types, each answered as a base type the window already shows:
 *   "time" (text "HH:MM[:SS]"), "dateTime" (text "YYYY-MM-DDTHH:MM[:SS]"), "geopoint" (text
 *   "lat lon" typed by hand, or "lat lon alt acc" from a location service), "range" (a decimal
 *   within intake_question_get_range()), "rank" (a select_multiple listing every choice, first
 *   ranked first), "acknowledge" (a select_one of the one choice "OK"), and the metadata
 *   "start", "end", "today", "deviceid", "username" (a calculate the session fills in).
 */
const char *intake_question_get_kind (const IntakeQuestion *question);
/* The text shown when a required question has no answer, or NULL for the built-in one. */
const char *intake_question_get_required_message (const IntakeQuestion *question,
                                                  const char *language);
/* A range's parameters; FALSE for any other question. */
gboolean intake_question_get_range (const IntakeQuestion *question, double *start, double *end,
                                    double *step);
/* A decimal answer typed by a person: "1.5" and "1,5" (the decimal comma of Bahasa Indonesia
 * and many other languages) both read as 1.5.  No thousands separators, no exponent, no
 * infinities.  FALSE, and *out untouched, when @text is not such a number. */
gboolean intake_decimal_parse (const char *text, double *out);
/* @value written as @language writes decimals: "1,5" in Indonesian, "1.5" in English; a newly
 * allocated string. */
char *intake_decimal_format (double value, const char *language);
/* Who the text is for: "respondent" (read aloud or shown to the person, the default) or
 * "interviewer" (an instruction or checklist item, never read aloud). */
const char *intake_question_get_audience (const IntakeQuestion *question);
/* The IOM Human Trafficking Case Data Standard field the answer maps to, or NULL. */
const char *intake_question_get_htcds (const IntakeQuestion *question);
/* The default answer, or NULL. */
JsonNode *intake_question_get_default (const IntakeQuestion *question);
/* The default written as an expression (ODK's dynamic default), or NULL: evaluated once and
 * stored as the answer (see intake_form_session_apply_first_load_defaults ()). */
const char *intake_question_get_dynamic_default (const IntakeQuestion *question);
unsigned int intake_question_get_n_choices (const IntakeQuestion *question);
const char *intake_question_get_choice_name (const IntakeQuestion *question, unsigned int index);
const char *intake_question_get_choice_label (const IntakeQuestion *question, unsigned int index,
                                              const char *language);
/* Whether the question takes an answer from the person (not a group, note or calculation). */
gboolean intake_question_is_answerable (const IntakeQuestion *question);

/*
 * The calculations inside repeat entries (inner entries too) of @answers, a session's export
 * (intake_form_session_dup_export_answers: only what is relevant, calculations included), in
 * the export's order: @func gets the entries that hold each one, outermost first (@levels[i] is
 * the repeat and the 0-based entry), the calculate question and its value. Used to show
 * computed values by their entries (intakectl, the review screen).
 */
typedef struct
{
  const IntakeQuestion *repeat;
  unsigned int entry;
} IntakeEntryLevel;

typedef void (*IntakeEntryComputedFunc) (const IntakeEntryLevel *levels, unsigned int n_levels,
                                         const IntakeQuestion *question, const char *value,
                                         gpointer user_data);
void intake_form_foreach_entry_computed (IntakeForm *form, JsonObject *answers,
                                         IntakeEntryComputedFunc func, gpointer user_data);

G_END_DECLS
