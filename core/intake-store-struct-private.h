/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The store's instance struct: for intake-store.c and for intake-maintenance.c, which builds a
 * new store field by field. Every other file goes through the functions of
 * intake-store-private.h. */
#include "intake-store-private.h"

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

G_END_DECLS
