/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-db.h"
#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-store.h"

G_BEGIN_DECLS

struct _IntakeStore
{
  GObject parent_instance;

  char *data_dir;
  char *db_path;
  IntakeDb *db;
  char *device_id;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  IntakeSecret *sign_sk;
  guint8 group_pk[INTAKE_BOX_PUBLIC_BYTES];
  IntakeKdfParams kdf;
  GPtrArray *notices;
  /* Parsed forms by "id@version"; a stored version never changes. */
  GHashTable *forms;
};

/* Times in columns, to the minute (intake-types.c). */
gint64 _intake_now_coarse (void);
IntakeDb *_intake_store_get_db (IntakeStore *store);

IntakeForm *_intake_store_get_form (IntakeStore *store,
                                    const char *form_id,
                                    int version,
                                    GError **error);
/* The form engine's view of an interview: the screening result (NULL when the form scores
 * nothing) and the answers as they count (hidden ones left out). */
gboolean _intake_store_evaluate (IntakeStore *store,
                                 IntakeInterview *iv,
                                 JsonNode **result_out,
                                 JsonObject **export_answers_out,
                                 GError **error);

/* Helpers of the store's own layer, for the maintenance file (intake-maintenance.c). */
void _intake_store_add_notice (IntakeStore *self, char *notice);
gboolean _intake_store_prepare_data_dir (IntakeStore *self, gboolean create, GError **error);
gboolean _intake_store_insert_default_policies (IntakeStore *store, GError **error);
/* The value of policy @key as the data file keeps it, or NULL when @value is not one it takes. */
char *_intake_store_normalise_policy (const char *key, const char *value, GError **error);
/* Installs a form document (validated by the form engine), audited as @actor's. */
gboolean _intake_store_import_form (IntakeStore *store,
                                    const char *actor,
                                    const char *document,
                                    char **form_id_out,
                                    int *version_out,
                                    GError **error);
/* Whether the tablet is enrolled (an enrollment row exists; its keys are checked when used). */
gboolean _intake_store_is_enrolled (IntakeStore *store);

G_END_DECLS
