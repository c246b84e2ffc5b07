/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "intake-form-session.h"
#include "intake-form.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_INTERVIEW_SUMMARY (intake_interview_summary_get_type ())
G_DECLARE_FINAL_TYPE (IntakeInterviewSummary, intake_interview_summary, INTAKE,
                      INTERVIEW_SUMMARY, GtkBox)

/*
 * The end of an interview: the screening result (urgent first; the level only after a tap),
 * what is still to answer, every answer one tap from its question, and Complete. It emits
 * "jump" (question, repeat or NULL, entry) for a tap on a problem or an answer, "complete" and
 * "switch-language"; the page does the work.
 */
GtkWidget *intake_interview_summary_new (IntakeForm *form, IntakeFormSession *fs,
                                         const char *language, const char *review_note);
/* Why Complete did not complete, shown above it. */
void intake_interview_summary_show_error (IntakeInterviewSummary *self, const char *message);
GtkWidget *intake_interview_summary_get_complete_button (IntakeInterviewSummary *self);
/* The respondent's language button (NULL with a form in one language). */
GtkWidget *intake_interview_summary_get_language_button (IntakeInterviewSummary *self);
/* The first thing still to answer (NULL when there is none). */
GtkWidget *intake_interview_summary_get_first_problem (IntakeInterviewSummary *self);

G_END_DECLS
