/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-ui-private.h"

/*
 * Shows one page of a stack and hides the others outright. GtkStack only unmaps the pages it
 * does not show, and GTK 4.8's AT-SPI bridge still reports unmapped widgets as visible: a screen
 * reader (and a test) would find the unlock screen's keys behind the interview. Hidden pages are
 * reported as not visible. Our stacks therefore switch without a transition.
 */
void
_intake_stack_show_child (GtkStack *stack, GtkWidget *child)
{
  g_return_if_fail (GTK_IS_STACK (stack));
  g_return_if_fail (gtk_widget_get_parent (child) == GTK_WIDGET (stack));

  gtk_widget_set_visible (child, TRUE);
  gtk_stack_set_visible_child (stack, child);
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (stack)); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (w != child)
      gtk_widget_set_visible (w, FALSE);
}

void
_intake_stack_show (GtkStack *stack, const char *name)
{
  GtkWidget *child = gtk_stack_get_child_by_name (stack, name);

  g_return_if_fail (child != NULL);
  _intake_stack_show_child (stack, child);
}
