/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-application.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_WINDOW (intake_window_get_type ())
G_DECLARE_FINAL_TYPE (IntakeWindow, intake_window, INTAKE, WINDOW, AdwApplicationWindow)

IntakeWindow *intake_window_new (IntakeApplication *app, const char *data_dir);
void intake_window_lock (IntakeWindow *self);
void intake_window_add_toast (IntakeWindow *self, const char *message);

G_END_DECLS
