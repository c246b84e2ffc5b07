/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "intake-form-session.h"
#include "intake-form.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REPEAT_LIST (intake_repeat_list_get_type ())
G_DECLARE_FINAL_TYPE (IntakeRepeatList, intake_repeat_list, INTAKE, REPEAT_LIST, GtkBox)

/* A repeat's page: its entries as answered in @fs, each one tap from its answers ("change-entry")
 * or its removal ("remove-entry"), and Add ("add-entry"). The list does not change the answers:
 * the page saves, then builds a new list. */
GtkWidget *intake_repeat_list_new (IntakeForm *form, IntakeFormSession *fs,
                                   const IntakeQuestion *repeat, const char *language);
/* Lists the entries of the repeat inside one entry instead: @path as "household[2]/member". */
void intake_repeat_list_set_path (IntakeRepeatList *self, const char *path);
guint intake_repeat_list_get_n_entries (IntakeRepeatList *self);
/* Add: where the keyboard starts on this page. */
GtkWidget *intake_repeat_list_get_add_button (IntakeRepeatList *self);

G_END_DECLS
