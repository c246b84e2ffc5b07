/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define INTAKE_TYPE_APPLICATION (intake_application_get_type ())
G_DECLARE_FINAL_TYPE (IntakeApplication, intake_application, INTAKE, APPLICATION, AdwApplication)

IntakeApplication *intake_application_new (void);
const char *intake_application_get_data_dir (IntakeApplication *self);

G_END_DECLS
