/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_HOME_PAGE (intake_home_page_get_type ())
G_DECLARE_FINAL_TYPE (IntakeHomePage, intake_home_page, INTAKE, HOME_PAGE, AdwBin)

/* Reads the unlocked user's interviews again and shows them. */
void intake_home_page_refresh (IntakeHomePage *self, IntakeSession *session);
/* The sync engine's state in plain words; @can_sync: whether "Sync now" can do anything. */
void intake_home_page_set_sync_status (IntakeHomePage *self, const char *text, gboolean can_sync);
/* Forgets everything shown (on lock). */
void intake_home_page_clear (IntakeHomePage *self);

G_END_DECLS
