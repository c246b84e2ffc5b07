/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-form-session.h"
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

/* An answer as the person sees it: choice labels, numbers, dates, "Prefer not to say". */
char *
_intake_answer_to_text (const IntakeQuestion *q, JsonNode *node, const char *language)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup (_("No answer"));
  if (intake_answer_is_declined (node))
    return g_strdup (_("Prefer not to say"));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      for (unsigned int i = 0; q && i < intake_question_get_n_choices (q); i++)
        if (g_strcmp0 (intake_question_get_choice_name (q, i), s) == 0)
          return g_strdup (intake_question_get_choice_label (q, i, language));
      return g_strdup (s);
    }
  if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0
      && JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (node), 0)))
    {
      /* A repeat's entries: counted here, never dumped (an entry may hold sensitive answers;
       * the interview's summary lists them with those masked). */
      guint n = json_array_get_length (json_node_get_array (node));
      return g_strdup_printf (ngettext ("%u entry", "%u entries", n), n);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *arr = json_node_get_array (node);
      g_autoptr (GString) text = g_string_new (NULL);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          g_autofree char *one = _intake_answer_to_text (q, json_array_get_element (arr, i),
                                                         language);
          if (i > 0)
            g_string_append (text, ", ");
          g_string_append (text, one);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  /* A decimal as the respondent's language writes it: "1,5" in Indonesian. */
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return intake_decimal_format (json_node_get_double (node), language);
  return json_to_string (node, FALSE);
}


static void
adaptive_row_map_cb (GtkWidget *row)
{
  GtkRoot *root = gtk_widget_get_root (row);
  gboolean narrow = root != NULL && gtk_widget_has_css_class (GTK_WIDGET (root), "narrow");

  gtk_orientable_set_orientation (GTK_ORIENTABLE (row), narrow ? GTK_ORIENTATION_VERTICAL
                                                               : GTK_ORIENTATION_HORIZONTAL);
}

/* A row of buttons that becomes a column on a narrow window: the window turns every such box
 * when its width crosses the line, and a box built later takes the window's state when shown. */
void
_intake_make_adaptive_row (GtkBox *box)
{
  g_return_if_fail (GTK_IS_BOX (box));

  gtk_widget_add_css_class (GTK_WIDGET (box), "adaptive-row");
  g_signal_connect (box, "map", G_CALLBACK (adaptive_row_map_cb), NULL);
}

/* A wrapping, left-aligned label appended to @box, with an optional style class. */
GtkWidget *
_intake_box_add_label (GtkBox *box, const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);
  return label;
}

/* A banner: an icon, then words that wrap (the urgent flag, in the error colours). The label is
 * returned, named for assistive technology by its words. */
GtkWidget *
_intake_box_add_banner (GtkBox *box, const char *icon_name, const char *text,
                        const char *css_class)
{
  GtkWidget *banner = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *label;

  gtk_widget_add_css_class (banner, css_class);
  gtk_widget_add_css_class (banner, "banner");
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (banner), icon);
  label = _intake_box_add_label (GTK_BOX (banner), text, NULL);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  gtk_box_append (box, banner);
  return label;
}

/* A large button whose words wrap, named for assistive technology by @accessible (or by its
 * label), with an optional style class. */
GtkWidget *
_intake_big_button (const char *label, const char *accessible, const char *css_class)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_add_css_class (button, "big");
  if (css_class != NULL)
    gtk_widget_add_css_class (button, css_class);
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible ? accessible : label, -1);
  return button;
}
