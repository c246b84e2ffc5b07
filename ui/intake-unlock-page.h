/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_UNLOCK_PAGE (intake_unlock_page_get_type ())
G_DECLARE_FINAL_TYPE (IntakeUnlockPage, intake_unlock_page, INTAKE, UNLOCK_PAGE, AdwBin)

void intake_unlock_page_set_store (IntakeUnlockPage *self, IntakeStore *store);
/* Back to the user tiles, the PIN wiped, the list of users read again. */
void intake_unlock_page_reset (IntakeUnlockPage *self);

const char *intake_unlock_page_get_user (IntakeUnlockPage *self);
/* Straight to @name's PIN pad. */
void intake_unlock_page_choose_user (IntakeUnlockPage *self, const char *name);
/* Whether a PIN is being checked now. */
gboolean intake_unlock_page_is_busy (IntakeUnlockPage *self);

G_END_DECLS
