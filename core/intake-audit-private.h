/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The audit log (intake-audit.c), for the layers above it. */
#include "intake-store.h"

G_BEGIN_DECLS

/* One entry, inside the caller's transaction. */
gboolean _intake_store_audit_in_tx (IntakeStore *store,
                                    const char *actor,
                                    const char *action,
                                    const char *subject,
                                    GError **error);
/* Checks the hash chain; each break is appended to @problems (freed when NULL). */
gboolean _intake_audit_verify (IntakeStore *store, GPtrArray *problems, GError **error);
void _intake_audit_add_problem (GPtrArray *problems, char *problem);

G_END_DECLS
