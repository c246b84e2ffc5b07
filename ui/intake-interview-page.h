/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_INTERVIEW_PAGE (intake_interview_page_get_type ())
G_DECLARE_FINAL_TYPE (IntakeInterviewPage, intake_interview_page, INTAKE, INTERVIEW_PAGE, AdwBin)

/* A new interview (@interview_id NULL: choose the form and language first), or the draft
 * @interview_id resumed at its first unanswered question. */
IntakeInterviewPage *intake_interview_page_new (IntakeSession *session,
                                                const char *interview_id,
                                                GError **error);

G_END_DECLS
