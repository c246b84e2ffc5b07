/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-outbox.h"
#include "intake-store.h"

G_BEGIN_DECLS

/* The tablet's trust key: 32 random bytes made when the store is created and kept only inside
 * every user's PIN-wrapped key bundle. Whoever can write the data file but knows no PIN does not
 * have it, so a MAC under it authenticates the public values that decide who can read: the review
 * group's public key and the unlock cost (the "device" subject), the organisation's data key and
 * the server's keys (the "enrollment" subject) and each user's keys and role. */
#define INTAKE_TRUST_KEY_BYTES crypto_auth_KEYBYTES

gboolean _intake_trust_bind_device (IntakeStore *store,
                                    const IntakeSecret *trust_key,
                                    GError **error);
gboolean _intake_trust_check_device (IntakeStore *store,
                                     const IntakeSecret *trust_key,
                                     GError **error);
gboolean _intake_trust_bind_user (IntakeStore *store,
                                  const IntakeSecret *trust_key,
                                  const char *user_id,
                                  GError **error);
gboolean _intake_trust_check_user (IntakeStore *store,
                                   const IntakeSecret *trust_key,
                                   const char *user_id,
                                   GError **error);
gboolean _intake_trust_forget_user (IntakeStore *store, const char *user_id, GError **error);
gboolean _intake_trust_bind_enrollment (IntakeStore *store,
                                        const IntakeSecret *trust_key,
                                        const IntakeEnrollment *enrollment,
                                        GError **error);
gboolean _intake_trust_check_enrollment (IntakeStore *store,
                                         const IntakeSecret *trust_key,
                                         const IntakeEnrollment *enrollment,
                                         GError **error);
/* TRUE when the store holds any trust record: stores made before trust keys existed have none
 * until a user first unlocks them with this version. */
gboolean _intake_trust_is_established (IntakeStore *store);

G_END_DECLS
