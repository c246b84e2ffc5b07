/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * IntakeKeypad, the one pad of the unlock page and the number questions: which keys each mode
 * has, where Erase sits, what each key emits, and the decimal key's text.
 */
#include "intake-config.h"

#include <adwaita.h>

#include "intake-keypad.h"

static void
pressed_cb (IntakeKeypad *keypad, const char *key, GString *log)
{
  g_string_append_printf (log, "%s%s", log->len > 0 ? " " : "", key);
}

/* A tap: "clicked", as the button emits it (its "activate" waits for an animation). */
static void
press (GtkWidget *key)
{
  g_assert_true (gtk_widget_get_visible (key));
  g_signal_emit_by_name (key, "clicked");
}

static int
column_of (IntakeKeypad *keypad, GtkWidget *key)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (keypad));

  return gtk_grid_layout_child_get_column (
      GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, key)));
}

static void
test_pin (void)
{
  GtkWidget *keypad = g_object_ref_sink (intake_keypad_new (INTAKE_KEYPAD_PIN));
  IntakeKeypad *pad = INTAKE_KEYPAD (keypad);
  g_autoptr (GString) log = g_string_new (NULL);

  g_signal_connect (keypad, "pressed", G_CALLBACK (pressed_cb), log);
  g_assert_nonnull (intake_keypad_get_key (pad, "ok"));
  g_assert_null (intake_keypad_get_key (pad, "decimal"));
  g_assert_true (gtk_widget_get_visible (intake_keypad_get_key (pad, "ok")));
  /* Erase left of 0, OK right of it, as the unlock page always had them. */
  g_assert_cmpint (column_of (pad, intake_keypad_get_key (pad, "erase")), ==, 0);
  g_assert_cmpint (column_of (pad, intake_keypad_get_key (pad, "0")), ==, 1);
  g_assert_cmpint (column_of (pad, intake_keypad_get_key (pad, "ok")), ==, 2);
  g_assert_true (gtk_widget_has_css_class (intake_keypad_get_key (pad, "5"), "key"));

  press (intake_keypad_get_key (pad, "1"));
  press (intake_keypad_get_key (pad, "9"));
  press (intake_keypad_get_key (pad, "0"));
  press (intake_keypad_get_key (pad, "erase"));
  press (intake_keypad_get_key (pad, "ok"));
  g_assert_cmpstr (log->str, ==, "1 9 0 erase ok");
  g_object_unref (keypad);
}

static void
test_number (void)
{
  GtkWidget *keypad = g_object_ref_sink (intake_keypad_new (INTAKE_KEYPAD_INTEGER));
  IntakeKeypad *pad = INTAKE_KEYPAD (keypad);
  g_autoptr (GString) log = g_string_new (NULL);

  g_signal_connect (keypad, "pressed", G_CALLBACK (pressed_cb), log);
  /* A whole number: no OK (Next goes on) and no decimal key; Erase right of 0. */
  g_assert_null (intake_keypad_get_key (pad, "ok"));
  g_assert_null (intake_keypad_get_key (pad, "decimal"));
  g_assert_cmpint (column_of (pad, intake_keypad_get_key (pad, "erase")), ==, 2);
  g_assert_true (gtk_widget_has_css_class (intake_keypad_get_key (pad, "5"), "numkey"));
  g_assert_false (gtk_widget_has_css_class (intake_keypad_get_key (pad, "5"), "key"));

  intake_keypad_set_mode (pad, INTAKE_KEYPAD_DECIMAL);
  g_assert_nonnull (intake_keypad_get_key (pad, "decimal"));
  g_assert_true (gtk_widget_get_visible (intake_keypad_get_key (pad, "decimal")));
  g_assert_cmpint (column_of (pad, intake_keypad_get_key (pad, "decimal")), ==, 0);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (intake_keypad_get_key (pad, "decimal"))),
                   ==, ".");
  /* Indonesian writes a decimal comma: the key shows what it types. */
  intake_keypad_set_decimal_separator (pad, ",");
  g_assert_cmpstr (intake_keypad_get_decimal_separator (pad), ==, ",");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (intake_keypad_get_key (pad, "decimal"))),
                   ==, ",");

  press (intake_keypad_get_key (pad, "1"));
  press (intake_keypad_get_key (pad, "decimal"));
  press (intake_keypad_get_key (pad, "5"));
  press (intake_keypad_get_key (pad, "erase"));
  g_assert_cmpstr (log->str, ==, "1 decimal 5 erase");

  /* Back to a PIN pad: the keys move back and the decimal key goes. */
  intake_keypad_set_mode (pad, INTAKE_KEYPAD_PIN);
  g_assert_null (intake_keypad_get_key (pad, "decimal"));
  g_assert_false (gtk_widget_get_visible (
      gtk_widget_get_next_sibling (intake_keypad_get_key (pad, "erase"))));
  g_assert_cmpint (column_of (pad, intake_keypad_get_key (pad, "erase")), ==, 0);
  g_object_unref (keypad);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/intake/ui/keypad/pin", test_pin);
  g_test_add_func ("/intake/ui/keypad/number", test_number);
  return g_test_run ();
}
