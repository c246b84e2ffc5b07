/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the scoring (intake-scoring.c) reads from a session.  Internal to core/. */
#pragma once

#include "intake-form-private.h"
#include "intake-form-session.h"

G_BEGIN_DECLS

gboolean _intake_form_session_question_relevant (IntakeFormSession *self,
                                                 const IntakeQuestion *question);
/* The answer as it stands (the default when there is none), or NULL; borrowed. */
JsonNode *_intake_form_session_effective_answer (IntakeFormSession *self,
                                                 const IntakeQuestion *question);
/* Evaluates @expr over the session's current values, "." being @dot. */
void _intake_form_session_evaluate (IntakeFormSession *self, const IntakeExpr *expr,
                                    const IntakeValue *dot, IntakeExprCallFunc call,
                                    gpointer call_data, IntakeValue *out);
/* An answer as expressions see it; "prefer not to say" and wrong shapes are empty. */
void _intake_answer_to_value (JsonNode *answer, IntakeValue *out);

G_END_DECLS
