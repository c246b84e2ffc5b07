/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-interview-places.h"
#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_INTERVIEW_PAGE (intake_interview_page_get_type ())
G_DECLARE_FINAL_TYPE (IntakeInterviewPage, intake_interview_page, INTAKE, INTERVIEW_PAGE, AdwBin)

/* A new interview (@interview_id NULL: choose the form and language first), or the draft
 * @interview_id resumed at its first unanswered question. */
IntakeInterviewPage *intake_interview_page_new (IntakeSession *session,
                                                IntakeInterviewPlaces *places,
                                                const char *interview_id,
                                                GError **error);

/* The draft @interview_id at @question (NULL: its summary), as the page was before the
 * interface language changed; @question no longer shown: its first unanswered question. */
IntakeInterviewPage *intake_interview_page_new_at (IntakeSession *session,
                                                   IntakeInterviewPlaces *places,
                                                   const char *interview_id,
                                                   const char *question,
                                                   GError **error);
/* Saves what is typed and tells where the page is: @interview_id NULL while the form or the
 * language is still being chosen, @question NULL on the summary. FALSE when what is typed
 * cannot be saved (the page shows why). */
gboolean intake_interview_page_save_place (IntakeInterviewPage *self, char **interview_id,
                                           char **question);

/* Queues what is typed and not yet saved; FALSE when it is not an answer (the page says why). */
gboolean intake_interview_page_save_typing (IntakeInterviewPage *self);
/* Whether answers are still on their way to the store. */
gboolean intake_interview_page_is_saving (IntakeInterviewPage *self);
/* What the window's header back button says on this page ("back-label"), or NULL. */
const char *intake_interview_page_get_back_label (IntakeInterviewPage *self);
/* The header's back button was pressed. */
void intake_interview_page_go_back (IntakeInterviewPage *self);

G_END_DECLS
