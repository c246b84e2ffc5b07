/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* User rows and key wraps (intake-users.c), for the session and the maintenance layers. */
#include "intake-store-private.h"

G_BEGIN_DECLS

/* A user's two secret keys are wrapped together: X25519 (reading) then Ed25519 (signing), then
 * the tablet's trust key. Wraps made before trust keys existed hold only the two secret keys. */
#define WRAPPED_LEGACY_BYTES (INTAKE_BOX_SECRET_BYTES + INTAKE_SIGN_SECRET_BYTES)
#define WRAPPED_PLAIN_BYTES (WRAPPED_LEGACY_BYTES + INTAKE_TRUST_KEY_BYTES)
#define WRAPPED_TRUST_OFFSET WRAPPED_LEGACY_BYTES

typedef struct
{
  char *id;
  IntakeRole role;
  guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];
  guint8 salt[INTAKE_KDF_SALT_BYTES];
  IntakeKdfParams kdf;
  GBytes *nonce;
  GBytes *wrapped;
  int failed;
} UserRow;

void _intake_users_row_clear (UserRow *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UserRow, _intake_users_row_clear)

/* The associated data that binds a wrap to its user. */
void _intake_users_wrap_ad (const char *user_id, GString *ad);
gboolean _intake_users_check_secret_policy (IntakeStore *store,
                                            const IntakeSecret *secret,
                                            GError **error);
gboolean _intake_users_write_wrap (IntakeStore *store,
                                   const IntakeSecret *trust_key,
                                   const char *user_id,
                                   const IntakeSecret *secret,
                                   const IntakeSecret *plain,
                                   GError **error);
gboolean _intake_users_write_new_keys (IntakeStore *store,
                                       const IntakeSecret *trust_key,
                                       const char *user_id,
                                       IntakeRole role,
                                       IntakeSecret *group_sk,
                                       const IntakeSecret *secret,
                                       guint8 box_pk_out[INTAKE_BOX_PUBLIC_BYTES],
                                       GError **error);
/* A new user row with fresh keys wrapped under @secret, inside the caller's transaction. */
gboolean _intake_users_insert (IntakeStore *store,
                               const IntakeSecret *trust_key,
                               IntakeSecret *group_sk,
                               const char *name,
                               IntakeRole role,
                               const IntakeSecret *secret,
                               char **id_out,
                               GError **error);
gboolean _intake_users_read_row (IntakeStore *store,
                                 const char *name,
                                 UserRow *row,
                                 GError **error);
gboolean _intake_users_destroy_keys (IntakeStore *store, const char *user_id, GError **error);
char *_intake_users_name_for_id (IntakeStore *store, const char *user_id);

G_END_DECLS
