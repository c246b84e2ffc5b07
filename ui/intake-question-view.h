/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "intake-form-session.h"
#include "intake-form.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_QUESTION_VIEW (intake_question_view_get_type ())
G_DECLARE_FINAL_TYPE (IntakeQuestionView, intake_question_view, INTAKE, QUESTION_VIEW, GtkBox)

/*
 * One question as a page shows it: the supervisor's note, the entry it belongs to (@context),
 * its words (an instruction for the interviewer looks unlike what is read aloud), its hint, a
 * sensitive answer masked until a tap, the problem with the answer, and the answer's widgets
 * for its type (@answer as saved, or NULL). The view saves nothing: it says what was chosen
 * ("choice-toggled", "date-selected"), that something is being typed ("typing"), and that Enter
 * was pressed in a number ("activate"); the page reads the answer from it and saves.
 */
GtkWidget *intake_question_view_new (IntakeForm *form, IntakeFormSession *fs,
                                     const IntakeQuestion *question, JsonNode *answer,
                                     const char *language, const char *context,
                                     const char *review_note);

const IntakeQuestion *intake_question_view_get_question (IntakeQuestionView *self);
void intake_question_view_show_problem (IntakeQuestionView *self, const char *problem);
/* Where the keyboard starts: the button that shows a masked answer, the answer, or NULL (a
 * note). */
GtkWidget *intake_question_view_get_focus_widget (IntakeQuestionView *self);
/* Whether the answer is typed (a number or a text), to be read by dup_typed_answer. */
gboolean intake_question_view_has_typing (IntakeQuestionView *self);
/* What is typed: *@answer NULL when nothing is. FALSE, with the problem in words, when it is
 * not a number. */
gboolean intake_question_view_dup_typed_answer (IntakeQuestionView *self, JsonNode **answer,
                                                GError **error);
/* The choices now chosen: one choice's name, or the array of them. */
JsonNode *intake_question_view_dup_choice_answer (IntakeQuestionView *self);
/* The day chosen, "YYYY-MM-DD"; NULL when the question is not a date. */
JsonNode *intake_question_view_dup_date_answer (IntakeQuestionView *self);
/* Whether @widget is one of the choices, and the calendar (NULL when there is none). */
gboolean intake_question_view_is_choice (IntakeQuestionView *self, GtkWidget *widget);
GtkCalendar *intake_question_view_get_calendar (IntakeQuestionView *self);
/* The repeat's list of entries on a repeat's page, or NULL. */
GtkWidget *intake_question_view_get_repeat_list (IntakeQuestionView *self);
/* The number pad of a number question, or NULL. */
GtkWidget *intake_question_view_get_keypad (IntakeQuestionView *self);
GtkEditable *intake_question_view_get_number_entry (IntakeQuestionView *self);

G_END_DECLS
