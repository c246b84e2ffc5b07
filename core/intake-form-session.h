/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * IntakeFormSession: one interview's answers evaluated against one form version.  It answers
 * everything the window and intakectl ask: which questions are shown, what comes next, whether
 * an answer is valid and why not, what is calculated, whether the interview may be completed,
 * and the screening result.
 *
 * Answers are a JSON object, question name → value:
 *   text            "a string"
 *   integer         42
 *   decimal         4.5 (or 4)
 *   date            "2026-11-28"
 *   select_one      "choice_name"
 *   select_multiple ["choice_a", "choice_b"]
 *   repeat          [{"child": value, …}, …]   (one object per entry, keyed by child name;
 *                                               a repeat inside it is such an array too)
 *   any question    {"declined": true}         ("prefer not to say"; see below)
 *
 * "Prefer not to say" is the JSON object {"declined": true} in place of the answer.  It is an
 * answer: it satisfies `required`, and no constraint is applied to it.  In expressions and in
 * scoring it counts as missing (the empty string), never as "no".
 *
 * A question with no member in the answers object, or with null, is unanswered.  Answers of
 * questions that are not relevant now are kept untouched but count for nothing: not in
 * expressions, not in scoring, not in the export view.
 *
 * Re-evaluation is incremental: setting one answer recomputes only the relevance, calculations
 * and checks that depend on it, through the dependency graph the form built at load.
 *
 * Checking before completing an interview (the store's "complete" transition):
 *
 *   g_autoptr(IntakeFormSession) session = intake_form_session_new (form, answers, NULL);
 *   if (!intake_form_session_check_complete (session, &error))
 *     return refuse (error->message);  // "2 problems: age: This question needs an answer; …"
 *
 * The result for `interview show --json`:
 *
 *   g_autoptr(JsonNode) result = intake_form_session_dup_result_json (session);
 */
#pragma once

#include "intake-form.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_FORM_SESSION (intake_form_session_get_type ())
G_DECLARE_FINAL_TYPE (IntakeFormSession, intake_form_session, INTAKE, FORM_SESSION, GObject)

/* "Prefer not to say": a new {"declined": true}, and the test for it. */
JsonNode *intake_answer_new_declined (void);
gboolean intake_answer_is_declined (JsonNode *answer);

/*
 * Creates a session over a copy of @answers (NULL for a new interview).  @language is the
 * interview's language, or NULL for the form's default; messages and labels use it.
 */
IntakeFormSession *intake_form_session_new (IntakeForm *form, JsonObject *answers,
                                            const char *language);

IntakeForm *intake_form_session_get_form (IntakeFormSession *self);
const char *intake_form_session_get_language (IntakeFormSession *self);
/* Falls back to the form's default language when the form does not have @language. */
void intake_form_session_set_language (IntakeFormSession *self, const char *language);
/* Pins today() to "YYYY-MM-DD" (NULL: the local date).  Tests and golden files use it. */
void intake_form_session_set_today (IntakeFormSession *self, const char *today);
/* Pins now() to an ISO 8601 date-time (NULL: the clock), for tests. */
void intake_form_session_set_now (IntakeFormSession *self, const char *now);
/* Seeds random() and uuid() so that their values repeat, for tests. */
void intake_form_session_set_random_seed (IntakeFormSession *self, guint32 seed);

/* The answers as given, every question's, relevant or not. */
JsonObject *intake_form_session_get_answers (IntakeFormSession *self);
/* Replaces every answer (a copy of @answers) and re-evaluates the whole form. */
void intake_form_session_set_answers (IntakeFormSession *self, JsonObject *answers);

/*
 * Sets (or with @value NULL, clears) one answer and re-evaluates what depends on it.  The
 * answer is kept even when it is not valid, so the window can show it with its problem.  Fails
 * only for a name that is not a question taking an answer (groups, notes, calculations, the
 * children of a repeat, which are answered through the repeat's array).
 */
gboolean intake_form_session_set_answer (IntakeFormSession *self, const char *name,
                                         JsonNode *value, GError **error);

/*
 * Checks a candidate answer without storing it: its type, `required` (for an empty answer)
 * and the constraint.  On failure @error (INTAKE_FORM_ERROR_INVALID_ANSWER, _REQUIRED or
 * _CONSTRAINT) carries the message in the session's language, ready to show.
 */
gboolean intake_form_session_validate_answer (IntakeFormSession *self, const char *name,
                                              JsonNode *value, GError **error);

/* Whether the question (by name) is shown now: its relevance and its groups'. */
gboolean intake_form_session_is_relevant (IntakeFormSession *self, const char *name);
/*
 * The questions shown now, in order: every relevant question that takes an answer, every
 * relevant note, and each relevant repeat as one step (groups and calculations are not steps).
 */
GStrv intake_form_session_dup_visible (IntakeFormSession *self);
/* The step after / before @name (NULL: the first / last), or NULL at the end.  @name may be
 * a question that is hidden now; navigation continues from where it stands in the form. */
const char *intake_form_session_get_next (IntakeFormSession *self, const char *name);
const char *intake_form_session_get_previous (IntakeFormSession *self, const char *name);

/*
 * Inside one entry of a repeat (@entry counts from 0): the steps shown now, in form order
 * (relevant children that take an answer and relevant notes; relevance is evaluated within
 * that entry), and the problem with one child's answer there, in the session's language, or
 * NULL.  dup_entry_visible returns NULL when @repeat is not a repeat or has no such entry.
 * @repeat is a top-level repeat's name, or for a repeat inside an entry, the path of that
 * entry and its name: "household[2]/member" (entries counted from 1, as in problem paths).
 * A repeat inside an entry is one of that entry's steps; its answer is the entry's member.
 */
GStrv intake_form_session_dup_entry_visible (IntakeFormSession *self, const char *repeat,
                                             unsigned int entry);
char *intake_form_session_dup_entry_problem (IntakeFormSession *self, const char *repeat,
                                             unsigned int entry, const char *child);

/*
 * The names of @name's choices offered now, in form order: those its choice_filter keeps (all
 * of them without a filter).  NULL for a question without choices or one inside a repeat
 * (see below; its answers are checked against the filter entry by entry).  An answer that the
 * filter no longer offers is a problem ("choice_filter") until it is changed.
 */
GStrv intake_form_session_dup_visible_choices (IntakeFormSession *self, const char *name);
/* The same for the child @name of entry @entry (from 0) of @repeat, with that entry's values. */
GStrv intake_form_session_dup_entry_visible_choices (IntakeFormSession *self, const char *repeat,
                                                     unsigned int entry, const char *name);

/* The value expressions see for @name (a calculation's result), as a string; "" if none. */
char *intake_form_session_dup_value (IntakeFormSession *self, const char *name);

/* The current problem with @name's answer, in the session's language, or NULL. */
char *intake_form_session_dup_problem (IntakeFormSession *self, const char *name);
/*
 * Every problem now, in form order: [{"question": NAME, "code": "required" | "constraint" |
 * "invalid", "message": TEXT}, …].  Children of a repeat are named "repeat[N]/child", those of
 * a repeat inside an entry "household[2]/member[1]/age".
 */
JsonNode *intake_form_session_dup_problems_json (IntakeFormSession *self);
gboolean intake_form_session_is_complete (IntakeFormSession *self);
/* FALSE with INTAKE_FORM_ERROR_INCOMPLETE and a message listing every problem. */
gboolean intake_form_session_check_complete (IntakeFormSession *self, GError **error);

/*
 * The answers as they count: relevant questions only, calculations included (numbers as JSON
 * numbers), repeats with only their relevant children, "prefer not to say" kept as given.
 */
JsonObject *intake_form_session_dup_export_answers (IntakeFormSession *self);

/*
 * The screening result, or NULL for a form without scoring:
 * {"level", "level_label", "urgent", "urgent_reasons": [{"rule", "label", "answers"}],
 *  "rule", "rule_label", "reasons": [{"question", "answer", "indicator", "dimension",
 *  "strength"}], "dimensions": [{"id", "label", "met", "strong", "medium", "weak", "items",
 *  "missing", "insufficient"}], "follow_up": [names answered "unsure"],
 *  "referrals": [{"id", "label"}], "disclaimer"}.
 * Labels are in the session's language.
 */
JsonNode *intake_form_session_dup_result_json (IntakeFormSession *self);

/*
 * Everything the window shows, in one document: the form, every question with its labels,
 * answer, relevance and problem, the visible steps, the problems, completeness, the
 * calculations and the result.  A question with a choice_filter (outside repeats) also has
 * "offered_choices": the names its filter offers now, beside "choices", which lists them all.
 */
JsonNode *intake_form_session_dup_state_json (IntakeFormSession *self);

/*
 * Metadata questions (XLSForm's start, end, today, deviceid, username): what the session knows
 * of the device and the person (@kind is "deviceid" or "username"; "start", "end" and "today"
 * may be pinned too, as tests do), and the stamp that writes them into the answers so that they
 * are kept with the interview: start and today the first time, end every time.  @now is
 * "YYYY-MM-DDTHH:MM:SS" (NULL: the local time now).
 */
void intake_form_session_set_metadata (IntakeFormSession *self, const char *kind,
                                       const char *value);
void intake_form_session_stamp_metadata (IntakeFormSession *self, const char *now);

/*
 * Dynamic defaults: a question's `default` written as an expression (XLSForm's dynamic default,
 * which pyxform turns into an ODK setvalue on odk-instance-first-load and, inside a repeat, on
 * odk-new-repeat).  Each is evaluated once and its value becomes the question's answer, saved
 * like any other and free to be changed; nothing evaluates it again when what it read changes
 * (a calculation is what follows its inputs), nor when the interview is opened again.
 *
 * apply_first_load_defaults evaluates, in form order, the dynamic default of every question
 * outside repeats that has no answer yet, relevant now or not (ODK sets the value regardless),
 * each seeing the ones before it.  The store calls it once, as it creates the interview, after
 * stamping the metadata (so a default may read ${start} or ${deviceid}).
 *
 * add_entry appends an entry to the repeat @repeat (a top-level repeat's name, or a repeat inside
 * entries by its path, "boats[2]/crew") and evaluates, in form order, the dynamic defaults of its
 * children inside that entry and the entries that hold it: position(..) is the new entry's number, a sibling
 * reads the entry as it stands (defaults before it included), the earlier entries are there for
 * indexed-repeat() and count().  @entry (may be NULL) receives the new entry's index, from 0.
 * The window saves the repeat's new list as it saves any answer.  FALSE for a name that is not a
 * repeat taking an answer, or a path that names no entry.
 */
void intake_form_session_apply_first_load_defaults (IntakeFormSession *self);
gboolean intake_form_session_add_entry (IntakeFormSession *self, const char *repeat,
                                        unsigned int *entry, GError **error);

/* "required" and "read_only" as they hold now (either may be an expression). */
gboolean intake_form_session_is_required (IntakeFormSession *self, const char *name);
gboolean intake_form_session_is_read_only (IntakeFormSession *self, const char *name);

/* Label and hint in the session's language with each ${name} replaced by its value now; NULL
 * when the question has none.  Use these, not intake_question_get_label(), to show a question.
 * A question inside a repeat reads its entry's values (and the enclosing entries') once the
 * window has said which entry it shows: @repeat a path as dup_entry_visible takes
 * ("household[2]/member"), @entry from 0; NULL for none. */
void intake_form_session_set_label_entry (IntakeFormSession *self, const char *repeat,
                                          unsigned int entry);
char *intake_form_session_dup_label (IntakeFormSession *self, const char *name);
char *intake_form_session_dup_hint (IntakeFormSession *self, const char *name);
/* The label as dup_label gives it inside entry @entry of @repeat (NULL: at the top level),
 * whichever entry set_label_entry named: lists of answers (the summary) use it. */
char *intake_form_session_dup_label_in (IntakeFormSession *self, const char *repeat,
                                        unsigned int entry, const char *name);

G_END_DECLS
