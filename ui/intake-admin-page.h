/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_ADMIN_PAGE (intake_admin_page_get_type ())
G_DECLARE_FINAL_TYPE (IntakeAdminPage, intake_admin_page, INTAKE, ADMIN_PAGE, AdwBin)

/* The administration screens of an admin's session: users, the tablet's rules, the server
 * connection, forms, the activity log and Wipe. NULL with @error for anyone but an admin. */
IntakeAdminPage *intake_admin_page_new (IntakeSession *session, GError **error);
/* TRUE while a key derivation, an enrollment or a wipe runs for the page. */
gboolean intake_admin_page_is_busy (IntakeAdminPage *self);

G_END_DECLS
