/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parsed form, shared by the form and its loader (intake-form.c and the files named in
 * intake-form-loader-private.h), the session (intake-form-session.c) and the scoring
 * (intake-scoring.c).  Nothing outside core/ includes this.
 */
#pragma once

#include "intake-expr.h"
#include "intake-form.h"

G_BEGIN_DECLS

typedef enum
{
  INTAKE_STRENGTH_STRONG,
  INTAKE_STRENGTH_MEDIUM,
  INTAKE_STRENGTH_WEAK,
} IntakeStrength;

/* Translations: language code → text. */
typedef GHashTable IntakeText;

typedef struct
{
  char *id;
  char *dimension;
  IntakeStrength strength;
  gboolean reverse;
  IntakeExpr *present_when; /* Evaluated with "." as the answer; NULL for the default rule. */
  GStrv tags;
  /* Where it sits: the question, and the choice index or -1 for the question itself. */
  const IntakeQuestion *question;
  int choice;
} IntakeIndicator;

typedef struct
{
  char *name;
  IntakeText *label;
  IntakeIndicator *indicator;
  /* Further columns a choice_filter reads ("country" → "ID"), or NULL: see "filters". */
  GHashTable *filters;
} IntakeChoice;

struct _IntakeQuestion
{
  IntakeQuestionType type;
  char *name;
  unsigned int index;
  const char *fallback_language; /* The form's default language, owned by the form. */
  IntakeText *label;
  IntakeText *hint;
  /* The same words for a child (the form's child_when holds), or NULL: the adult's. */
  IntakeText *child_label;
  IntakeText *child_hint;
  IntakeText *constraint_message;
  gboolean required;
  gboolean read_only;
  gboolean sensitive;
  char *appearance;
  char *audience; /* "respondent" (the default) or "interviewer". */
  char *htcds;    /* The IOM HTCDS field this question maps to, or NULL. */
  IntakeExpr *relevant;
  IntakeExpr *constraint;
  IntakeExpr *calculation;
  JsonNode *default_value;
  GPtrArray *choices; /* IntakeChoice, owned. */
  IntakeIndicator *indicator;
  IntakeQuestion *parent;
  GPtrArray *children;  /* IntakeQuestion, borrowed from the form's list. */
  IntakeQuestion *repeat; /* The repeat this question is inside, or NULL. */

  /*
   * XLSForm's further types ride on the base type the window already shows (issue #12):
   * "time", "dateTime" and "geopoint" are text of a checked shape, "range" a decimal within its
   * parameters, "rank" a select_multiple that orders every choice, "acknowledge" a select_one
   * of the one choice "OK", and the metadata types (start, end, today, deviceid, username) a
   * calculate whose value the session fills in.  NULL for the base types themselves.
   */
  char *kind;
  IntakeText *required_message;
  IntakeExpr *required_if;  /* "required" as an expression; required is then FALSE. */
  IntakeExpr *read_only_if; /* "read_only" as an expression. */
  IntakeExpr *repeat_count; /* A repeat's number of entries, as an expression. */
  /* XLSForm's choice_filter: which choices are offered now (bare names: choice columns). */
  IntakeExpr *choice_filter;
  double range_start, range_end, range_step;
  /*
   * XLSForm's `default` written as an expression (ODK's dynamic default): evaluated once, when
   * the interview is created or, inside a repeat, when an entry is added, and stored as the
   * answer (see intake_form_session_apply_first_load_defaults ()).  NULL when there is none.
   */
  IntakeExpr *dynamic_default;

  /*
   * The dependency graph, built at load.  value_dependents: questions whose relevance or
   * calculation must be recomputed when this one's value or relevance changes (repeats stand
   * in for their children).  check_dependents: questions whose constraint reads this one.
   */
  GPtrArray *value_dependents;
  GPtrArray *check_dependents;
  unsigned int order; /* Position in the form's topological order. */
};

typedef struct
{
  int strong;
  int medium;
  int weak;
} IntakeThreshold;

typedef struct
{
  char *id;
  char *level; /* NULL for an urgent rule. */
  IntakeExpr *when;
  IntakeText *label;
  GStrv referrals;
} IntakeRule;

typedef struct
{
  char *id;
  IntakeText *label;
} IntakeNamedText;

typedef struct
{
  GPtrArray *dimensions; /* IntakeNamedText */
  GArray *thresholds;    /* IntakeThreshold */
  double missing_ratio;
  int missing_min;       /* At least this many missing, as well as the ratio, to be insufficient. */
  char *unsure_value;
  char *yes_value;
  char *no_value;
  GPtrArray *rules;      /* IntakeRule */
  GPtrArray *urgent;     /* IntakeRule */
  GPtrArray *referrals;  /* IntakeNamedText */
  GHashTable *levels;    /* level → IntakeText */
  char *default_level;
  IntakeText *disclaimer;
  GPtrArray *indicators; /* IntakeIndicator, borrowed, in document order. */
} IntakeScoring;

/* The levels a rule may produce; the window and the store may rely on this list. */
extern const char *const _intake_levels[];

GPtrArray *_intake_form_get_questions (IntakeForm *self);
/* Questions ordered so that each comes after everything its value depends on. */
GPtrArray *_intake_form_get_order (IntakeForm *self);
IntakeScoring *_intake_form_get_scoring (IntakeForm *self);
const char *_intake_text_get (IntakeForm *form, IntakeText *text, const char *language);
/* When the child wording applies (the form's "child_when"), or NULL. */
IntakeExpr *_intake_form_get_child_when (IntakeForm *form);
const IntakeNamedText *_intake_scoring_lookup (GPtrArray *named, const char *id);
/*
 * Whether @value has the right shape for @q.  On failure @problem is the key of a built-in
 * message: "text", "integer", "decimal", "date", "select_one", "select_multiple", "repeat".
 */
gboolean _intake_question_check_value (const IntakeQuestion *q, JsonNode *value,
                                       const char **problem);
const char *_intake_strength_to_string (IntakeStrength strength);

G_END_DECLS
