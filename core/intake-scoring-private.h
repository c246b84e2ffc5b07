/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * The scoring (intake-scoring.c) sits below the form session: it reads a session's answers
 * through this table of functions, which the session fills in (intake-form-session.c), so that
 * neither file's symbols point back at the other. Internal to the form engine.
 */
#include "intake-form-private.h"

G_BEGIN_DECLS

typedef struct
{
  IntakeForm *form;
  const char *language;
  gpointer data;
  /* Whether @question is relevant now. */
  gboolean (*relevant) (gpointer data, const IntakeQuestion *question);
  /* The answer as it stands (the default when there is none), or NULL; borrowed. */
  JsonNode *(*answer) (gpointer data, const IntakeQuestion *question);
  /* Evaluates @expr over the current values, "." being @dot. */
  void (*evaluate) (gpointer data,
                    const IntakeExpr *expr,
                    const IntakeValue *dot,
                    IntakeExprCallFunc call,
                    gpointer call_data,
                    IntakeValue *out);
  /* Whether @answer is "prefer not to say". */
  gboolean (*is_declined) (JsonNode *answer);
  /* An answer as expressions see it. */
  void (*to_value) (JsonNode *answer, IntakeValue *out);
} IntakeScoringSource;

/* Computes the screening result; see intake_form_session_dup_result_json (). */
JsonNode *_intake_scoring_evaluate (const IntakeScoringSource *source);

G_END_DECLS
