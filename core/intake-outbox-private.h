/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The outbox (intake-outbox.c), for the lifecycle above it. */
#include "intake-outbox.h"

G_BEGIN_DECLS

/* Seals @iv (a queued interview this session can read) into an envelope for the organisation,
 * inside the caller's transaction. INTAKE_STORE_ERROR_UNTRUSTED when the enrollment's keys do
 * not verify: nothing is encrypted to them. */
gboolean _intake_outbox_seal_in_tx (IntakeSession *session, IntakeInterview *iv, GError **error);

G_END_DECLS
