/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form loader's internals, shared by the files that make an IntakeForm out of a document.
 * They are one loader split by concern, each file calling only those listed before it, so that
 * their objects never depend on each other in a circle (tests/layering):
 *
 *   intake-form.c                  the form object, its freeing, answer types and getters;
 *   intake-form-parse.c            the loader's reading helpers and the question/choice parser;
 *   intake-form-graph.c            references, the dependency graph and its cycle checks;
 *   intake-form-scoring-section.c  the loader of the form's scoring section;
 *   intake-form-load.c             the document's top level and the public constructors.
 *
 * The session and the scoring read a loaded form through intake-form-private.h only; nothing
 * outside these five files includes this.
 */
#pragma once

#include "intake-form-private.h"

G_BEGIN_DECLS

struct _IntakeForm
{
  GObject parent_instance;

  char *id;
  gint64 version;
  IntakeText *title;
  char *default_language;
  GStrv languages;
  GPtrArray *questions; /* IntakeQuestion, owned, document order. */
  GPtrArray *order;     /* Borrowed, topological order. */
  GHashTable *by_name;  /* name → IntakeQuestion, borrowed. */
  IntakeScoring *scoring;
  IntakeExpr *child_when; /* Questions' child_label and child_hint apply while it holds. */
};

/* The base types' names in documents, indexed by IntakeQuestionType. */
extern const char *const _intake_question_type_names[INTAKE_QUESTION_REPEAT + 1];

void _intake_choice_free (IntakeChoice *choice);
void _intake_named_text_free (IntakeNamedText *named);
void _intake_rule_free (IntakeRule *rule);

typedef struct
{
  IntakeForm *form;
  IntakeFormLoadFlags flags;
  GError **error;
  /* What a name in a refusal is: a question, or in the scoring section a rule, a level… */
  const char *kind;
} IntakeFormLoader;

/* intake-form-parse.c: reading members of the document, each refusal through one place. */
G_GNUC_PRINTF (4, 5)
gboolean _intake_loader_fail (IntakeFormLoader *loader, IntakeFormError code, const char *question,
                              const char *format, ...);
gboolean _intake_loader_is_valid_name (const char *name);
gboolean _intake_loader_is_valid_code (const char *code);
gboolean _intake_loader_check_members (IntakeFormLoader *loader, JsonObject *object,
                                       const char *const *allowed, const char *question,
                                       const char *what);
gboolean _intake_loader_get_string (IntakeFormLoader *loader, JsonObject *object,
                                    const char *member, gboolean required, const char *question,
                                    const char **out);
gboolean _intake_loader_get_object (IntakeFormLoader *loader, JsonObject *object,
                                    const char *member, gboolean required, const char *question,
                                    JsonObject **out);
gboolean _intake_loader_get_array (IntakeFormLoader *loader, JsonObject *object,
                                   const char *member, gboolean required, const char *question,
                                   JsonArray **out);
gboolean _intake_loader_get_text (IntakeFormLoader *loader, JsonObject *object, const char *member,
                                  gboolean required, const char *question, IntakeText **out);
gboolean _intake_loader_parse_expression (IntakeFormLoader *loader, JsonObject *object,
                                          const char *member, IntakeExprParseFlags flags,
                                          const char *question, IntakeExpr **out);
/* Parses one question and, for a group or repeat, its children. */
gboolean _intake_loader_parse_question (IntakeFormLoader *loader, JsonNode *node,
                                        IntakeQuestion *parent, JsonObject *lists,
                                        unsigned int position);

/* intake-form-graph.c: what expressions may read, and the order questions are evaluated in. */
gboolean _intake_loader_check_references (IntakeFormLoader *loader, IntakeExpr *expr,
                                          const IntakeQuestion *reader, const char *reader_name,
                                          const char *member);
gboolean _intake_loader_build_graph (IntakeFormLoader *loader);
gboolean _intake_loader_check_default_cycles (IntakeFormLoader *loader);

/*
 * intake-form-scoring-section.c: the head (dimensions, thresholds, values) is read before the
 * questions, whose indicators name its dimensions; the tail (levels and rules) after them, since
 * rules read the questions.
 */
gboolean _intake_loader_parse_scoring_head (IntakeFormLoader *loader, JsonObject *object);
gboolean _intake_loader_parse_scoring_tail (IntakeFormLoader *loader, JsonObject *object);

G_END_DECLS
