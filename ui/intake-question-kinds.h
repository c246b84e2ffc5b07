/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "intake-form.h"

G_BEGIN_DECLS

/*
 * The controls of XLSForm's further types (time, dateTime, range, rank, geopoint), for the
 * question view (intake-question-kinds.c). They live as long as the view's widgets; @changed_cb
 * (called with @user_data) says the person changed the answer, @activate_cb that Enter was
 * pressed in a position's entry.
 */
typedef struct _IntakeKindControls IntakeKindControls;

/* Whether @question's kind has controls of its own here (acknowledge is a single choice). */
gboolean _intake_kind_is_shown_here (const IntakeQuestion *question);
IntakeKindControls *_intake_kind_controls_new (const IntakeQuestion *question, JsonNode *answer,
                                               const char *language, const char *label,
                                               GtkBox *area, GCallback changed_cb,
                                               GCallback activate_cb, gpointer user_data,
                                               GtkWidget **focus);
/* TRUE for a typed answer (saved after a pause, read on Next), FALSE for a rank (saved at once
 * like a choice). */
gboolean _intake_kind_controls_is_typed (IntakeKindControls *c);
/* The answer in the engine's shape, NULL (and TRUE) while nothing is answered; FALSE with a
 * message for a position that is not one. */
gboolean _intake_kind_controls_dup_answer (IntakeKindControls *c, JsonNode **answer,
                                           GError **error);
GtkRange *_intake_kind_controls_get_scale (IntakeKindControls *c);
GtkListBox *_intake_kind_controls_get_rank_list (IntakeKindControls *c);
void _intake_kind_controls_free (IntakeKindControls *c);

G_END_DECLS
