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

/* A horizontal box that turns vertical on a narrow window (under 560 px). */
void _intake_make_adaptive_row (GtkBox *box);

/* The interface language (intake-language.c): English or Bahasa Indonesia, switched without a
 * restart and remembered per tablet in its data folder. */
gboolean _intake_ui_language_is_known (const char *code);
const char *_intake_ui_language_name (const char *code);
const char *_intake_ui_language_current (void);
void _intake_ui_language_init (const char *data_dir);
void _intake_ui_language_apply (const char *code);
char *_intake_ui_language_load (const char *data_dir);
gboolean _intake_ui_language_save (const char *data_dir, const char *code, GError **error);

GtkWidget *_intake_box_add_label (GtkBox *box, const char *text, const char *css_class);
GtkWidget *_intake_box_add_banner (GtkBox *box, const char *icon_name, const char *text,
                                   const char *css_class);
GtkWidget *_intake_big_button (const char *label, const char *accessible, const char *css_class);

G_END_DECLS
