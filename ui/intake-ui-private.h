/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void _intake_stack_show (GtkStack *stack, const char *name);
void _intake_stack_show_child (GtkStack *stack, GtkWidget *child);

G_END_DECLS
