/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "intake-form.h"

G_BEGIN_DECLS

void _intake_stack_show (GtkStack *stack, const char *name);
void _intake_stack_show_child (GtkStack *stack, GtkWidget *child);
/* An answer as the person sees it: choice labels in @language, numbers, dates, "Prefer not to
 * say", "No answer". */
char *_intake_answer_to_text (const IntakeQuestion *q, JsonNode *node, const char *language);

G_END_DECLS
