/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The number pad: the unlock page's PIN pad and the number questions' pad are this one widget.
 * It holds no digits itself (a PIN must stay in the unlock page's sodium_malloc memory): each
 * key only emits "pressed" with its name, and the page decides what the key does.
 */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-keypad.h"

struct _IntakeKeypad
{
  GtkWidget parent_instance;

  GtkWidget *digit_keys[10];
  GtkWidget *erase_key;
  GtkWidget *decimal_key;
  GtkWidget *ok_key;

  IntakeKeypadMode mode;
  char *decimal_separator;
};

G_DEFINE_FINAL_TYPE (IntakeKeypad, intake_keypad, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_PRESSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
digit_clicked_cb (GtkButton *button, IntakeKeypad *self)
{
  g_signal_emit (self, signals[SIGNAL_PRESSED], 0, gtk_button_get_label (button));
}

static void
erase_clicked_cb (GtkButton *button, IntakeKeypad *self)
{
  g_signal_emit (self, signals[SIGNAL_PRESSED], 0, "erase");
}

static void
decimal_clicked_cb (GtkButton *button, IntakeKeypad *self)
{
  g_signal_emit (self, signals[SIGNAL_PRESSED], 0, "decimal");
}

static void
ok_clicked_cb (GtkButton *button, IntakeKeypad *self)
{
  g_signal_emit (self, signals[SIGNAL_PRESSED], 0, "ok");
}

static void
place (IntakeKeypad *self, GtkWidget *key, int column)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  GtkLayoutChild *child = gtk_layout_manager_get_layout_child (layout, key);

  gtk_grid_layout_child_set_column (GTK_GRID_LAYOUT_CHILD (child), column);
}

static void
set_key_class (IntakeKeypad *self, const char *css_class, const char *old_class)
{
  for (GtkWidget *key = gtk_widget_get_first_child (GTK_WIDGET (self)); key != NULL;
       key = gtk_widget_get_next_sibling (key))
    {
      gtk_widget_remove_css_class (key, old_class);
      gtk_widget_add_css_class (key, css_class);
    }
}

void
intake_keypad_set_mode (IntakeKeypad *self, IntakeKeypadMode mode)
{
  GtkGridLayout *layout;
  gboolean pin = mode == INTAKE_KEYPAD_PIN;

  g_return_if_fail (INTAKE_IS_KEYPAD (self));

  self->mode = mode;
  layout = GTK_GRID_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self)));
  /* The PIN pad fills the unlock column with its larger keys; a number's pad sits under its
   * entry, at the start. */
  gtk_grid_layout_set_row_spacing (layout, pin ? 10 : 8);
  gtk_grid_layout_set_column_spacing (layout, pin ? 10 : 8);
  gtk_widget_set_halign (GTK_WIDGET (self), pin ? GTK_ALIGN_FILL : GTK_ALIGN_START);
  set_key_class (self, pin ? "key" : "numkey", pin ? "numkey" : "key");
  /* A PIN: Erase left of 0, OK right of it. A number: the decimal key left, Erase right. */
  place (self, self->erase_key, pin ? 0 : 2);
  gtk_widget_set_visible (self->ok_key, pin);
  gtk_widget_set_visible (self->decimal_key, mode == INTAKE_KEYPAD_DECIMAL);
  if (pin)
    gtk_button_set_icon_name (GTK_BUTTON (self->erase_key), "edit-clear-symbolic");
  else
    gtk_button_set_label (GTK_BUTTON (self->erase_key), "⌫");
}

IntakeKeypadMode
intake_keypad_get_mode (IntakeKeypad *self)
{
  g_return_val_if_fail (INTAKE_IS_KEYPAD (self), INTAKE_KEYPAD_PIN);

  return self->mode;
}

void
intake_keypad_set_decimal_separator (IntakeKeypad *self, const char *separator)
{
  g_return_if_fail (INTAKE_IS_KEYPAD (self));
  g_return_if_fail (separator != NULL);

  g_free (self->decimal_separator);
  self->decimal_separator = g_strdup (separator);
  gtk_button_set_label (GTK_BUTTON (self->decimal_key), separator);
  /* Named for what it types, so a screen reader says "comma" where the key shows ",". */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->decimal_key),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  g_str_equal (separator, ",") ? _("Decimal comma")
                                                               : _("Decimal point"),
                                  -1);
}

const char *
intake_keypad_get_decimal_separator (IntakeKeypad *self)
{
  g_return_val_if_fail (INTAKE_IS_KEYPAD (self), NULL);

  return self->decimal_separator;
}

GtkWidget *
intake_keypad_get_key (IntakeKeypad *self, const char *key)
{
  g_return_val_if_fail (INTAKE_IS_KEYPAD (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (key[0] >= '0' && key[0] <= '9' && key[1] == '\0')
    return self->digit_keys[key[0] - '0'];
  if (g_str_equal (key, "erase"))
    return self->erase_key;
  if (g_str_equal (key, "ok"))
    return self->mode == INTAKE_KEYPAD_PIN ? self->ok_key : NULL;
  if (g_str_equal (key, "decimal"))
    return self->mode == INTAKE_KEYPAD_DECIMAL ? self->decimal_key : NULL;
  return NULL;
}

static void
intake_keypad_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), INTAKE_TYPE_KEYPAD);
  G_OBJECT_CLASS (intake_keypad_parent_class)->dispose (object);
}

static void
intake_keypad_finalize (GObject *object)
{
  IntakeKeypad *self = INTAKE_KEYPAD (object);

  g_free (self->decimal_separator);
  G_OBJECT_CLASS (intake_keypad_parent_class)->finalize (object);
}

static void
intake_keypad_class_init (IntakeKeypadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_keypad_dispose;
  object_class->finalize = intake_keypad_finalize;

  /* "0"…"9", "erase", "ok" or "decimal". */
  signals[SIGNAL_PRESSED] = g_signal_new ("pressed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                          1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-keypad.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child_full (widget_class, "erase_key", FALSE,
                                             G_STRUCT_OFFSET (IntakeKeypad, erase_key));
  gtk_widget_class_bind_template_child_full (widget_class, "decimal_key", FALSE,
                                             G_STRUCT_OFFSET (IntakeKeypad, decimal_key));
  gtk_widget_class_bind_template_child_full (widget_class, "ok_key", FALSE,
                                             G_STRUCT_OFFSET (IntakeKeypad, ok_key));
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("key_%d", i);
      gtk_widget_class_bind_template_child_full (widget_class, id, FALSE,
                                                 G_STRUCT_OFFSET (IntakeKeypad, digit_keys)
                                                     + i * sizeof (gpointer));
    }
  gtk_widget_class_bind_template_callback (widget_class, digit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, erase_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, decimal_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, ok_clicked_cb);
}

static void
intake_keypad_init (IntakeKeypad *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *digit = g_strdup_printf ("%d", i);
      g_autofree char *name = g_strdup_printf (_("Digit %s"), digit);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->digit_keys[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->erase_key),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Erase"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->ok_key), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("OK"), -1);
  intake_keypad_set_decimal_separator (self, ".");
  intake_keypad_set_mode (self, INTAKE_KEYPAD_PIN);
}

GtkWidget *
intake_keypad_new (IntakeKeypadMode mode)
{
  IntakeKeypad *self = g_object_new (INTAKE_TYPE_KEYPAD, NULL);

  intake_keypad_set_mode (self, mode);
  return GTK_WIDGET (self);
}
