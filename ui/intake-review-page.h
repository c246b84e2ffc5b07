/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_PAGE (intake_review_page_get_type ())
G_DECLARE_FINAL_TYPE (IntakeReviewPage, intake_review_page, INTAKE, REVIEW_PAGE, AdwBin)

/* The review queue of a supervisor's session: NULL with @error when it cannot be read. */
IntakeReviewPage *intake_review_page_new (IntakeSession *session, GError **error);

/* The interview open (NULL: the queue is shown) and the note typed for it. */
void intake_review_page_dup_place (IntakeReviewPage *self, char **interview_id, char **note);
/* Opens @interview_id, with @note (may be NULL) in its note entry. */
void intake_review_page_open (IntakeReviewPage *self, const char *interview_id,
                              const char *note);

/* What the window's header back button says on this page ("back-label"), or NULL. */
const char *intake_review_page_get_back_label (IntakeReviewPage *self);
/* The header's back button was pressed: back to the queue. */
void intake_review_page_go_back (IntakeReviewPage *self);

G_END_DECLS
