/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the pad is for: a PIN (Erase on the left, OK on the right), a whole number or a
 * decimal (the decimal key on the left when it has one, Erase on the right). */
typedef enum
{
  INTAKE_KEYPAD_PIN,
  INTAKE_KEYPAD_INTEGER,
  INTAKE_KEYPAD_DECIMAL,
} IntakeKeypadMode;

#define INTAKE_TYPE_KEYPAD (intake_keypad_get_type ())
G_DECLARE_FINAL_TYPE (IntakeKeypad, intake_keypad, INTAKE, KEYPAD, GtkWidget)

GtkWidget *intake_keypad_new (IntakeKeypadMode mode);
void intake_keypad_set_mode (IntakeKeypad *self, IntakeKeypadMode mode);
IntakeKeypadMode intake_keypad_get_mode (IntakeKeypad *self);
/* The decimal key's text: "." or "," (Indonesian). */
void intake_keypad_set_decimal_separator (IntakeKeypad *self, const char *separator);
const char *intake_keypad_get_decimal_separator (IntakeKeypad *self);
/* The key that, activated, emits "pressed" with @key ("0"…"9", "erase", "ok", "decimal"):
 * for tests and for the keyboard. NULL when this mode has no such key. */
GtkWidget *intake_keypad_get_key (IntakeKeypad *self, const char *key);

G_END_DECLS
