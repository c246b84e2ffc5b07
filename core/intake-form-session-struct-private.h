/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The form session's instance struct, and the types and functions its files share: for
 * intake-form-session*.c only.  The files sit in layers, each calling only those below it:
 * answers (vocabulary), eval (evaluation and entry paths), the session itself (life cycle,
 * answers, steps, problems), then entries, texts, defaults and json. */
#include "intake-form-session-private.h"

G_BEGIN_DECLS

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

typedef struct _EntryPath EntryPath;

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

/* intake-form-session-answers.c */
void _intake_problem_free (Problem *problem);
void _intake_problem_add (GPtrArray *problems, const char *path, const IntakeQuestion *q,
                          ProblemKind kind, const char *key);
const char *_intake_problem_code (const Problem *problem);
const char *_intake_problem_message (IntakeFormSession *self, const Problem *problem);
IntakeFormError _intake_problem_error_code (const Problem *problem);
JsonNode *_intake_answer_in (JsonObject *answers, const IntakeQuestion *q);
gboolean _intake_answer_is_empty (JsonNode *answer);
void _intake_answer_value (const IntakeQuestion *q, JsonNode *answer, IntakeValue *out);

/* intake-form-session-eval.c */
const Scope *_intake_scope_of (const Scope *scope, const IntakeQuestion *repeat);
void _intake_scope_evaluate (Scope *scope, const IntakeExpr *expr, IntakeValue *out);
gboolean _intake_scope_evaluate_boolean (Scope *scope, const IntakeExpr *expr);
gboolean _intake_scope_choice_passes (Scope *scope, const IntakeQuestion *q,
                                      const IntakeChoice *choice);
ProblemKind _intake_scope_check_answer (Scope *scope, const IntakeQuestion *q, JsonNode *answer,
                                        const char **key);
void _intake_form_session_evaluate_entry (IntakeFormSession *self, const Scope *outer,
                                          const IntakeQuestion *repeat, JsonObject *entry,
                                          unsigned int position, IntakeValue *values,
                                          gboolean *relevant, Scope *out_scope);
void _intake_form_session_check_repeat_entries (IntakeFormSession *self,
                                                const IntakeQuestion *repeat, JsonArray *entries,
                                                GPtrArray *problems, JsonArray *export);
void _intake_form_session_mark_value_dirty (IntakeFormSession *self, const IntakeQuestion *q);
void _intake_form_session_update (IntakeFormSession *self, unsigned int start);
void _intake_form_session_update_all (IntakeFormSession *self);
const Scope *_intake_entry_path_innermost (EntryPath *path);
void _intake_entry_path_clear (IntakeFormSession *self, EntryPath *path);
gboolean _intake_entry_path_push (IntakeFormSession *self, EntryPath *path,
                                  const IntakeQuestion *repeat, unsigned int index);

/* intake-form-session.c */
const IntakeQuestion *_intake_form_session_lookup_answerable (IntakeFormSession *self,
                                                             const char *name, GError **error);

/* intake-form-session-entries.c */
gboolean _intake_entry_path_resolve (IntakeFormSession *self, const char *repeat,
                                     unsigned int entry, EntryPath *path);

G_END_DECLS
