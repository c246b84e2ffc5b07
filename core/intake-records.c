/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-i18n-private.h"

#include "intake-json.h"
#include "intake-audit-private.h"
#include "intake-records-private.h"
#include "intake-session-private.h"
#include "intake-store-private.h"
#include "intake-trust-private.h"
#include "intake-form-session.h"

#include <string.h>

#define RECORD_KIND "interview"


/* The associated data binds a blob to its row, its revision, its kind, its form version, its
 * state and whether it is void: a blob copied to another interview, an older revision put back,
 * or a row whose state, void flag or form version was changed in the file, fails to open. Only
 * the sync engine changes a state without a user's record key (queued to sent, once a receipt is
 * stored), so a sent row's blob is bound to "queued". */
static GString *
record_ad (const char *record_id,
           gint64 revision,
           const char *form_id,
           int form_version,
           IntakeState state,
           gboolean is_void)
{
  GString *ad = g_string_new ("intake-record-v2");

  if (state == INTAKE_STATE_SENT)
    state = INTAKE_STATE_QUEUED;
  g_string_append_c (ad, '\0');
  g_string_append (ad, record_id);
  g_string_append_c (ad, '\0');
  g_string_append_printf (ad, "%" G_GINT64_FORMAT, revision);
  g_string_append_c (ad, '\0');
  g_string_append (ad, RECORD_KIND);
  g_string_append_c (ad, '\0');
  g_string_append (ad, form_id);
  g_string_append_c (ad, '\0');
  g_string_append_printf (ad, "%d", form_version);
  g_string_append_c (ad, '\0');
  g_string_append (ad, intake_state_to_string (state));
  g_string_append_c (ad, '\0');
  g_string_append (ad, is_void ? "void" : "valid");
  return ad;
}

/* Version 1 bound only the id, the revision and the kind. A blob written by a version that used
 * it still opens until its next save rewrites it under version 2; verify counts such records. A
 * version 2 blob never opens under version 1's associated data, so this is no way around it. */
static GString *
record_ad_v1 (const char *record_id, gint64 revision)
{
  GString *ad = g_string_new ("intake-record-v1");

  g_string_append_c (ad, '\0');
  g_string_append (ad, record_id);
  g_string_append_c (ad, '\0');
  g_string_append_printf (ad, "%" G_GINT64_FORMAT, revision);
  g_string_append_c (ad, '\0');
  g_string_append (ad, RECORD_KIND);
  return ad;
}

gboolean
_intake_records_decrypt (const IntakeSecret *key,
                        const IntakeInterview *iv,
                        const void *nonce,
                        size_t nonce_len,
                        const void *content,
                        size_t content_len,
                        JsonObject **object_out,
                        gboolean *legacy_out,
                        GError **error)
{
  g_autoptr (GString) ad = record_ad (iv->id, iv->revision, iv->form_id, iv->form_version,
                                      iv->state, iv->is_void);
  g_autoptr (IntakeSecret) plain = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;

  if (legacy_out)
    *legacy_out = FALSE;
  plain = intake_aead_decrypt_content (key, content, content_len, nonce, nonce_len,
                                       (const guint8 *) ad->str, ad->len, &local_error);
  if (plain == NULL)
    {
      g_autoptr (GString) ad_v1 = record_ad_v1 (iv->id, iv->revision);

      plain = intake_aead_decrypt_content (key, content, content_len, nonce, nonce_len,
                                           (const guint8 *) ad_v1->str, ad_v1->len, NULL);
      if (plain != NULL && legacy_out)
        *legacy_out = TRUE;
    }
  if (plain == NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                   _("Interview %s cannot be opened: its content failed its integrity check "
                     "(altered, damaged or moved from another record)"),
                   iv->id);
      return FALSE;
    }
  /* Authenticated, but written by whoever held the key: the same bounded parse as any text
   * from outside. */
  root = intake_json_parse_untrusted ((const char *) plain->data, (gssize) plain->len, NULL,
                                      &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("Interview %s: %s", iv->id, local_error ? local_error->message : "not an object");
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                   _("Interview %s cannot be opened: its content is not a valid record"), iv->id);
      return FALSE;
    }
  *object_out = json_object_ref (json_node_get_object (root));
  return TRUE;
}

/* Serialise and encrypt content for a revision. The serialised plaintext is wiped before it is
 * freed. */
static GBytes *
record_encrypt (const IntakeSecret *key,
                const IntakeInterview *iv,
                gint64 revision,
                IntakeState state,
                gboolean is_void,
                JsonObject *content,
                guint8 nonce[INTAKE_AEAD_NONCE_BYTES])
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (GString) ad = record_ad (iv->id, revision, iv->form_id, iv->form_version, state,
                                      is_void);
  /* Sized generously up front so that the plaintext is not copied around by reallocations. */
  GString *plain = g_string_sized_new (8192);
  GBytes *cipher;

  json_node_set_object (node, content);
  intake_json_write (plain, node);
  cipher = intake_aead_encrypt (key, (const guint8 *) plain->str, plain->len,
                                (const guint8 *) ad->str, ad->len, nonce);
  sodium_memzero (plain->str, plain->allocated_len);
  g_string_free (plain, TRUE);
  return cipher;
}

static char *
make_pseudonym (void)
{
  /* Short, pronounceable in English and Indonesian, and meaningless about the person. */
  static const char *const first[] = {
    "Amber", "Azure", "Coral", "Cedar", "Dawn",  "Delta", "Ember", "Fern",  "Flint", "Frost",
    "Hazel", "Indigo", "Iris", "Jade",  "Juniper", "Lotus", "Maple", "Mist", "Nova",  "Ocean",
    "Olive", "Pearl", "Pine", "Rain",  "River", "Sage",  "Sand",  "Sky",   "Stone", "Tide",
  };
  static const char *const second[] = {
    "Bay",   "Brook", "Cape", "Cove",  "Dune",  "Field", "Gate",  "Glen",  "Hill",  "Isle",
    "Lake",  "Leaf",  "Moon", "Peak",  "Reef",  "Ridge", "Shore", "Spring", "Star", "Vale",
  };
  return g_strdup_printf ("%s %s %02u", first[randombytes_uniform (G_N_ELEMENTS (first))],
                          second[randombytes_uniform (G_N_ELEMENTS (second))],
                          randombytes_uniform (100));
}

static gboolean
insert_record_key (IntakeStore *store,
                   const char *record_id,
                   const char *reader,
                   const guint8 pk[INTAKE_BOX_PUBLIC_BYTES],
                   IntakeSecret *key,
                   GError **error)
{
  g_autoptr (GBytes) sealed = intake_seal (pk, key->data, key->len);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = intake_db_prepare (_intake_store_get_db (store),
                            "INSERT INTO record_keys (record_id, reader, sealed) VALUES (?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, reader, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                     SQLITE_STATIC);
  return intake_db_step_done (_intake_store_get_db (store), stmt, error);
}

/* An answer must belong to a question of the interview's form that takes one: not a group, a
 * note or a calculation, and not a child of a repeat (those are answered through the repeat's
 * array of entries). */
static gboolean
check_answer_name (IntakeForm *form, const char *name, GError **error)
{
  const IntakeQuestion *q = intake_form_lookup_question (form, name);
  const IntakeQuestion *up;

  if (q == NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "Form %s version %" G_GINT64_FORMAT " has no question '%s'",
                   intake_form_get_id (form), intake_form_get_version (form), name);
      return FALSE;
    }
  for (up = intake_question_get_parent (q); up; up = intake_question_get_parent (up))
    if (intake_question_get_question_type (up) == INTAKE_QUESTION_REPEAT)
      {
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                     "'%s' is inside the repeat '%s': answer it as part of that repeat's entries",
                     name, intake_question_get_name (up));
        return FALSE;
      }
  if (!intake_question_is_answerable (q)
      && intake_question_get_question_type (q) != INTAKE_QUESTION_REPEAT)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "'%s' is a %s and takes no answer", name,
                   intake_question_type_to_string (intake_question_get_question_type (q)));
      return FALSE;
    }
  return TRUE;
}

/* Whether @q is one of XLSForm's metadata questions (start, end, today, deviceid, username). */
static gboolean
is_metadata_question (const IntakeQuestion *q)
{
  static const char *const kinds[] = { "start", "end", "today", "deviceid", "username", NULL };
  const char *kind = intake_question_get_kind (q);

  return intake_question_get_question_type (q) == INTAKE_QUESTION_CALCULATE && kind != NULL
         && g_strv_contains (kinds, kind) && intake_question_get_parent (q) == NULL;
}

/* Whether @q's default is an expression evaluated when the interview is created: outside
 * repeats (those inside are evaluated as the window adds an entry). */
static gboolean
is_first_load_default (const IntakeQuestion *q)
{
  const IntakeQuestion *up;

  if (intake_question_get_dynamic_default (q) == NULL)
    return FALSE;
  for (up = intake_question_get_parent (q); up; up = intake_question_get_parent (up))
    if (intake_question_get_question_type (up) == INTAKE_QUESTION_REPEAT)
      return FALSE;
  return TRUE;
}

/*
 * XLSForm's metadata questions are kept with the answers where they are saved: the form engine
 * stamps them (start and today the first time, end at every save) with this tablet's id and the
 * interviewer's name.  With @first_load (the interview being created), the dynamic defaults are
 * evaluated too, once, after the metadata so that they may read it (ODK's odk-instance-first-load
 * comes after its preloads), and their values are stored with the first revision like any
 * answer.  Only a form that has such a question pays for the form session this needs; only
 * those members are copied back, so nothing else in @answers changes.  No audit entry is
 * written for it (XLSForm's audit stays off).
 */
static void
stamp_metadata (IntakeSession *session, IntakeForm *form, JsonObject *answers,
                gboolean first_load)
{
  g_autoptr (IntakeFormSession) engine = NULL;
  JsonObject *stamped;
  unsigned int n = intake_form_get_n_questions (form);
  gboolean any = FALSE;

  for (unsigned int i = 0; i < n && !any; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);

      any = is_metadata_question (q) || (first_load && is_first_load_default (q));
    }
  if (!any)
    return;
  engine = intake_form_session_new (form, answers, NULL);
  intake_form_session_set_metadata (engine, "deviceid",
                                    intake_store_get_device_id (
                                      intake_session_get_store (session)));
  intake_form_session_set_metadata (engine, "username", intake_session_get_user_name (session));
  intake_form_session_stamp_metadata (engine, NULL);
  if (first_load)
    intake_form_session_apply_first_load_defaults (engine);
  stamped = intake_form_session_get_answers (engine);
  for (unsigned int i = 0; i < n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);
      const char *name = intake_question_get_name (q);
      JsonNode *value;

      if ((is_metadata_question (q) || (first_load && is_first_load_default (q)))
          && (value = json_object_get_member (stamped, name)) != NULL)
        json_object_set_member (answers, name, json_node_copy (value));
    }
}

static gboolean
check_question_name (const char *question, GError **error)
{
  if (question == NULL || *question == '\0' || strlen (question) > 128
      || !g_utf8_validate (question, -1, NULL))
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           "A question name must be 1 to 128 characters of text");
      return FALSE;
    }
  return TRUE;
}

char *
intake_session_create_interview (IntakeSession *session,
                                 const char *form_id,
                                 int form_version,
                                 JsonObject *answers,
                                 GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (IntakeSecret) key = NULL;
  g_autoptr (JsonObject) content = json_object_new ();
  g_autoptr (GBytes) cipher = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *id = NULL;
  g_autofree char *pseudonym = NULL;
  IntakeForm *form;
  guint8 nonce[INTAKE_AEAD_NONCE_BYTES];
  gint64 now = _intake_now_coarse ();

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  if (form_version <= 0)
    form_version = intake_store_get_latest_form_version (store, form_id);
  form = _intake_store_get_form (store, form_id, form_version, error);
  if (form == NULL)
    return NULL;
  if (answers != NULL)
    {
      GList *names = json_object_get_members (answers);
      for (GList *l = names; l; l = l->next)
        if (!check_question_name (l->data, error) || !check_answer_name (form, l->data, error))
          {
            g_list_free (names);
            return NULL;
          }
      g_list_free (names);
    }

  id = intake_uuid_new ();
  key = intake_secret_try_new_random (INTAKE_RECORD_KEY_BYTES, error);
  if (key == NULL)
    return NULL;
  /* A form may ask for the pseudonym itself (the bundled one does): the interviewer's choice
   * wins, and otherwise the generated one fills that answer, so that there is one pseudonym. */
  {
    JsonObject *copy = json_object_new ();
    const IntakeQuestion *q = intake_form_lookup_question (form, "pseudonym");
    const char *given = answers ? intake_json_get_string (answers, "pseudonym") : NULL;

    if (answers)
      {
        JsonObjectIter it;
        const char *name;
        JsonNode *value;
        json_object_iter_init (&it, answers);
        while (json_object_iter_next (&it, &name, &value))
          json_object_set_member (copy, name, json_node_copy (value));
      }
    pseudonym = given && *given ? g_strdup (given) : make_pseudonym ();
    if (q != NULL && intake_question_get_question_type (q) == INTAKE_QUESTION_TEXT
        && !json_object_has_member (copy, "pseudonym"))
      json_object_set_string_member (copy, "pseudonym", pseudonym);
    stamp_metadata (session, form, copy, TRUE);
    json_object_set_object_member (content, "answers", copy);
  }
  json_object_set_string_member (content, "pseudonym", pseudonym);
  {
    const IntakeInterview bound = { .id = id, .form_id = (char *) form_id,
                                    .form_version = form_version };
    cipher = record_encrypt (key, &bound, 1, INTAKE_STATE_DRAFT, FALSE, content, nonce);
  }

  /* The record key is sealed to the review group: only to the group's key as this tablet's
   * users authenticated it (intake-trust.c). */
  if (!_intake_trust_check_device (store, _intake_session_get_trust_key (session), error))
    return NULL;
  if (!intake_db_begin (_intake_store_get_db (store), error))
    return NULL;
  stmt = intake_db_prepare (_intake_store_get_db (store),
                            "INSERT INTO interviews (id, form_id, form_version, author, state, "
                            "revision, nonce, content, created, updated) "
                            "VALUES (?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, form_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, form_version);
  sqlite3_bind_text (stmt, 4, intake_session_get_user_id (session), -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, nonce, sizeof nonce, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 6, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher),
                     SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_int64 (stmt, 8, now);
  if (!intake_db_step_done (_intake_store_get_db (store), stmt, error)
      || !insert_record_key (store, id, intake_session_get_user_id (session),
                             _intake_session_get_box_pk (session), key, error)
      || !insert_record_key (store, id, INTAKE_GROUP_READER, _intake_store_get_group_pk (store),
                             key, error)
      || !_intake_store_audit_in_tx (store, intake_session_get_user_id (session), "create", id,
                                     error)
      || !intake_db_commit (_intake_store_get_db (store), error))
    goto fail;
  _intake_session_cache_record_key (session, id, g_steal_pointer (&key));
  return g_steal_pointer (&id);
fail:
  intake_db_rollback (_intake_store_get_db (store));
  return NULL;
}

static IntakeInterview *
interview_from_row (sqlite3_stmt *stmt)
{
  IntakeInterview *iv = g_new0 (IntakeInterview, 1);

  iv->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  iv->form_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  iv->form_version = sqlite3_column_int (stmt, 2);
  iv->author_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  intake_state_from_string ((const char *) sqlite3_column_text (stmt, 4), &iv->state);
  iv->is_void = sqlite3_column_int (stmt, 5);
  iv->revision = sqlite3_column_int64 (stmt, 6);
  iv->created = sqlite3_column_int64 (stmt, 9);
  iv->updated = sqlite3_column_int64 (stmt, 10);
  if (sqlite3_column_type (stmt, 11) != SQLITE_NULL)
    iv->author_name = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  if (sqlite3_column_type (stmt, 12) != SQLITE_NULL)
    iv->submission_id = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
  return iv;
}

#define INTERVIEW_COLUMNS                                                                        \
  "i.id, i.form_id, i.form_version, i.author, i.state, i.is_void, i.revision, i.nonce, "         \
  "i.content, i.created, i.updated, u.name, i.submission_id"
#define INTERVIEW_FROM " FROM interviews i LEFT JOIN users u ON u.id = i.author "

static gboolean
may_read (IntakeSession *session, const char *author)
{
  return intake_session_get_role (session) != INTAKE_ROLE_WORKER
         || g_strcmp0 (author, intake_session_get_user_id (session)) == 0;
}

/* Load one interview row with its decrypted content, inside or outside a transaction. */
IntakeInterview *
_intake_records_load (IntakeSession *session, const char *interview_id, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  g_autoptr (IntakeInterview) iv = NULL;
  const IntakeSecret *key = NULL;
  g_autoptr (GError) local_error = NULL;
  int rc;

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  stmt = intake_db_prepare_cached (_intake_store_get_db (store),
                                   "SELECT " INTERVIEW_COLUMNS INTERVIEW_FROM "WHERE i.id = ?",
                                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, interview_id, -1, SQLITE_STATIC);
  rc = intake_db_step (_intake_store_get_db (store), stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                   _("There is no interview %s on this tablet"), interview_id);
      return NULL;
    }
  iv = interview_from_row (stmt);
  if (!may_read (session, iv->author_id))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                   _("%s may not read interview %s: a worker reads only their own interviews"),
                   intake_session_get_user_name (session), interview_id);
      return NULL;
    }
  if (sqlite3_column_type (stmt, 8) == SQLITE_NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE,
                   "Interview %s is %s; its content is no longer on this tablet", interview_id,
                   intake_state_to_string (iv->state));
      return NULL;
    }
  key = _intake_session_open_record_key (session, interview_id, &local_error);
  if (key == NULL
      || !_intake_records_decrypt (key, iv, sqlite3_column_blob (stmt, 7),
                                  sqlite3_column_bytes (stmt, 7), sqlite3_column_blob (stmt, 8),
                                  sqlite3_column_bytes (stmt, 8), &iv->content, NULL,
                                  &local_error))
    {
      /* Each refusal below is a whole sentence that names the interview: none is spliced into
       * another, so that each translates whole. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&iv);
}

/* Write new content at revision + 1, only if the row is still at the revision we read. */
gboolean
_intake_records_write_content (IntakeSession *session, IntakeInterview *iv, const char *new_state,
               gboolean is_void, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  const IntakeSecret *key = NULL;
  g_autoptr (GBytes) cipher = NULL;
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  guint8 nonce[INTAKE_AEAD_NONCE_BYTES];
  gint64 now = _intake_now_coarse ();
  IntakeState bound_state;

  key = _intake_session_open_record_key (session, iv->id, error);
  if (key == NULL)
    return FALSE;
  if (!intake_state_from_string (new_state, &bound_state))
    g_return_val_if_reached (FALSE);
  cipher = record_encrypt (key, iv, iv->revision + 1, bound_state, is_void, iv->content, nonce);
  /* The time column is indexed; leaving it alone when the minute has not changed spares the
   * index a write on most saves. */
  stmt = intake_db_prepare_cached (_intake_store_get_db (store),
                                   now == iv->updated
                                       ? "UPDATE interviews SET revision = revision + 1, "
                                         "nonce = ?1, content = ?2, state = ?4, is_void = ?5 "
                                         "WHERE id = ?6 AND revision = ?7"
                                       : "UPDATE interviews SET revision = revision + 1, "
                                         "nonce = ?1, content = ?2, updated = ?3, state = ?4, "
                                         "is_void = ?5 WHERE id = ?6 AND revision = ?7",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, nonce, sizeof nonce, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher),
                     SQLITE_STATIC);
  if (now != iv->updated)
    sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, new_state, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, is_void);
  sqlite3_bind_text (stmt, 6, iv->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, iv->revision);
  if (!intake_db_step_done (_intake_store_get_db (store), stmt, error))
    return FALSE;
  if (sqlite3_changes (intake_db_get_handle (_intake_store_get_db (store))) != 1)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CONFLICT,
                   _("Interview %s was changed by another program at the same moment; try again"),
                   iv->id);
      return FALSE;
    }
  iv->revision++;
  iv->updated = now;
  iv->state = bound_state;
  iv->is_void = is_void;
  return TRUE;
}

/* The autosave write: new content at revision + 1, only if the row is still the draft at the
 * revision we hold. Returns 1 when written, 0 when the row moved on (another program changed it),
 * -1 on error. */
static int
write_answer (IntakeSession *session, IntakeInterview *iv, GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  const IntakeSecret *key = NULL;
  g_autoptr (GBytes) cipher = NULL;
  g_autoptr (IntakeCachedStmt) stmt = NULL;
  guint8 nonce[INTAKE_AEAD_NONCE_BYTES];
  gint64 now = _intake_now_coarse ();

  key = _intake_session_open_record_key (session, iv->id, error);
  if (key == NULL)
    return -1;
  cipher = record_encrypt (key, iv, iv->revision + 1, INTAKE_STATE_DRAFT, iv->is_void,
                           iv->content, nonce);
  stmt = intake_db_prepare_cached (_intake_store_get_db (store),
                                   now == iv->updated
                                       ? "UPDATE interviews SET revision = ?1, nonce = ?2, "
                                         "content = ?3 WHERE id = ?5 AND revision = ?6 "
                                         "AND state = 'draft'"
                                       : "UPDATE interviews SET revision = ?1, nonce = ?2, "
                                         "content = ?3, updated = ?4 WHERE id = ?5 "
                                         "AND revision = ?6 AND state = 'draft'",
                                   error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, iv->revision + 1);
  sqlite3_bind_blob (stmt, 2, nonce, sizeof nonce, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher),
                     SQLITE_STATIC);
  if (now != iv->updated)
    sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_text (stmt, 5, iv->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, iv->revision);
  if (!intake_db_step_done (_intake_store_get_db (store), stmt, error))
    return -1;
  if (sqlite3_changes (intake_db_get_handle (_intake_store_get_db (store))) != 1)
    return 0;
  iv->revision++;
  iv->updated = now;
  return 1;
}

static void
apply_answer (IntakeSession *session, IntakeInterview *iv, const char *question, JsonNode *value)
{
  JsonObject *answers = json_object_get_object_member (iv->content, "answers");
  IntakeForm *form = _intake_store_get_form (intake_session_get_store (session), iv->form_id,
                                             iv->form_version, NULL);

  if (answers == NULL)
    {
      answers = json_object_new ();
      json_object_set_object_member (iv->content, "answers", answers);
    }
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    json_object_remove_member (answers, question);
  else
    json_object_set_member (answers, question, json_node_copy (value));
  if (form != NULL)
    stamp_metadata (session, form, answers, FALSE);
}

gboolean
intake_session_set_answer (IntakeSession *session,
                           const char *interview_id,
                           const char *question,
                           JsonNode *value,
                           GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (IntakeInterview) iv = NULL;
  const IntakeInterview *hot;
  gboolean first_edit;
  int written = 0;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), FALSE);

  if (!check_question_name (question, error) || !_intake_session_require_unlocked (session, error))
    return FALSE;
  hot = _intake_session_peek_hot (session, interview_id);
  if (hot != NULL)
    {
      IntakeForm *form = _intake_store_get_form (store, hot->form_id, hot->form_version, error);
      if (form == NULL || !check_answer_name (form, question, error))
        return FALSE;
    }
  /* Read, change and write inside one immediate transaction, so that two programs saving
   * answers to the same interview never lose one another's answer. */
  if (!intake_db_begin (_intake_store_get_db (store), error))
    return FALSE;

  /* The interview this session saved last is held decrypted: the write below is conditional on
   * the row being unchanged since, so nothing else needs reading. */
  iv = _intake_session_steal_hot (session, interview_id);
  if (iv != NULL)
    {
      apply_answer (session, iv, question, value);
      written = write_answer (session, iv, error);
      if (written < 0)
        goto fail;
      if (written == 0)
        g_clear_pointer (&iv, intake_interview_free);
    }
  _intake_session_drop_hot (session);

  if (iv == NULL)
    {
      iv = _intake_records_load (session, interview_id, error);
      if (iv == NULL)
        goto fail;
      if (iv->state != INTAKE_STATE_DRAFT)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE,
                       _("Interview %s is %s and can no longer be changed"), interview_id,
                       intake_state_to_string (iv->state));
          goto fail;
        }
      if (g_strcmp0 (iv->author_id, intake_session_get_user_id (session)) != 0
          && intake_session_get_role (session) != INTAKE_ROLE_SUPERVISOR)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                       _("%s may not change interview %s: only its author or a supervisor may"),
                       intake_session_get_user_name (session), interview_id);
          goto fail;
        }
      {
        IntakeForm *form = _intake_store_get_form (store, iv->form_id, iv->form_version, error);
        if (form == NULL || !check_answer_name (form, question, error))
          goto fail;
      }
      apply_answer (session, iv, question, value);
      written = write_answer (session, iv, error);
      if (written < 0)
        goto fail;
      if (written == 0)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CONFLICT,
                       _("Interview %s was changed by another program at the same moment; try "
                         "again"),
                       interview_id);
          goto fail;
        }
    }

  first_edit = !_intake_session_has_edited (session, interview_id);
  if ((first_edit
       && !_intake_store_audit_in_tx (store, intake_session_get_user_id (session), "edit",
                                      interview_id, error))
      || !intake_db_commit (_intake_store_get_db (store), error))
    goto fail;
  if (first_edit)
    _intake_session_note_edit (session, interview_id);
  _intake_session_set_hot (session, g_steal_pointer (&iv));
  return TRUE;
fail:
  intake_db_rollback (_intake_store_get_db (store));
  return FALSE;
}

IntakeInterview *
intake_session_open_interview (IntakeSession *session, const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterview) iv = _intake_records_load (session, interview_id, error);
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (iv == NULL)
    return NULL;
  if (!intake_store_audit (intake_session_get_store (session), intake_session_get_user_id (session),
                           "view", interview_id, error))
    return NULL;
  /* A form that no longer loads must not hide the answers: the result is simply left out. */
  if (!_intake_store_evaluate (intake_session_get_store (session), iv, &iv->result, NULL,
                               &local_error))
    g_debug ("No screening result for %s: %s", interview_id, local_error->message);
  return g_steal_pointer (&iv);
}

/* The WHERE clause of a listing; ?1 is the session's user id. */
static void
append_list_filter (GString *sql, IntakeSession *session, IntakeListFilter filter)
{
  g_string_append (sql, " WHERE 1");
  if (intake_session_get_role (session) == INTAKE_ROLE_WORKER || filter == INTAKE_LIST_MY_DRAFTS
      || filter == INTAKE_LIST_MY_DONE)
    g_string_append (sql, " AND i.author = ?1");
  switch (filter)
    {
    case INTAKE_LIST_REVIEW_QUEUE:
      g_string_append (sql, " AND i.state = 'awaiting_review'");
      break;
    case INTAKE_LIST_MY_DRAFTS:
      g_string_append (sql, " AND i.state = 'draft'");
      break;
    case INTAKE_LIST_MY_DONE:
      g_string_append (sql, " AND i.state <> 'draft'");
      break;
    case INTAKE_LIST_ALL:
    default:
      break;
    }
}

GPtrArray *
intake_session_list_interviews (IntakeSession *session,
                                IntakeListFilter filter,
                                int limit,
                                gboolean with_summary,
                                GError **error)
{
  IntakeStore *store = intake_session_get_store (session);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
      (GDestroyNotify) intake_interview_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GString) sql = g_string_new ("SELECT " INTERVIEW_COLUMNS INTERVIEW_FROM);
  int rc;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  if (!_intake_session_require_unlocked (session, error))
    return NULL;
  append_list_filter (sql, session, filter);
  g_string_append (sql, " ORDER BY i.updated DESC, i.rowid DESC LIMIT ?2");
  stmt = intake_db_prepare (_intake_store_get_db (store), sql->str, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, intake_session_get_user_id (session), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, limit > 0 ? limit : -1);
  while ((rc = intake_db_step (_intake_store_get_db (store), stmt, error)) == SQLITE_ROW)
    {
      IntakeInterview *iv = interview_from_row (stmt);
      g_ptr_array_add (list, iv);
      if (with_summary && sqlite3_column_type (stmt, 8) != SQLITE_NULL)
        {
          const IntakeSecret *key = _intake_session_open_record_key (session, iv->id, NULL);
          /* A record that does not open is listed without its summary; verify names it. */
          if (key)
            _intake_records_decrypt (key, iv, sqlite3_column_blob (stmt, 7),
                                    sqlite3_column_bytes (stmt, 7), sqlite3_column_blob (stmt, 8),
                                    sqlite3_column_bytes (stmt, 8), &iv->content, NULL, NULL);
        }
    }
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

gint64
intake_session_count_interviews (IntakeSession *session, IntakeListFilter filter, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GString) sql = g_string_new ("SELECT count(*) FROM interviews i");
  gint64 count;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), -1);

  if (!_intake_session_require_unlocked (session, error))
    return -1;
  append_list_filter (sql, session, filter);
  stmt = intake_db_prepare (_intake_store_get_db (intake_session_get_store (session)), sql->str,
                            error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, intake_session_get_user_id (session), -1, SQLITE_STATIC);
  if (intake_db_step (_intake_store_get_db (intake_session_get_store (session)), stmt, error)
      != SQLITE_ROW)
    return -1;
  count = sqlite3_column_int64 (stmt, 0);
  return count;
}

gboolean
_intake_records_assign_submission_id (IntakeSession *session, IntakeInterview *iv, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (iv->submission_id != NULL)
    return TRUE;
  iv->submission_id = intake_uuid_new ();
  stmt = intake_db_prepare (_intake_store_get_db (intake_session_get_store (session)),
                            "UPDATE interviews SET submission_id = ? WHERE id = ? "
                            "AND submission_id IS NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, iv->submission_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, iv->id, -1, SQLITE_STATIC);
  return intake_db_step_done (_intake_store_get_db (intake_session_get_store (session)), stmt,
                              error);
}

JsonNode *
_intake_records_to_submission_json (IntakeSession *session, IntakeInterview *iv)
{
  JsonNode *node;
  JsonObject *o;
  JsonNode *result = NULL;
  JsonObject *counted = NULL;

  /* Headquarters receives the answers as they count (hidden ones left out, as XLSForm exports
   * do) and the screening result computed on the tablet. */
  if (_intake_store_evaluate (intake_session_get_store (session), iv, &result, &counted, NULL))
    {
      g_clear_pointer (&iv->result, json_node_unref);
      iv->result = result;
    }
  node = intake_interview_to_json (iv, TRUE);
  o = json_node_get_object (node);
  if (counted != NULL)
    json_object_set_object_member (o, "answers", counted);

  /* Local bookkeeping has no meaning at headquarters. */
  json_object_remove_member (o, "state");
  json_object_remove_member (o, "revision");
  json_object_remove_member (o, "updated");
  json_object_remove_member (o, "has_review_note");
  return node;
}

gboolean
intake_session_record_export (IntakeSession *session, guint count, GError **error)
{
  g_autofree char *subject = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), FALSE);

  subject = g_strdup_printf ("%u interviews", count);
  return intake_store_audit (intake_session_get_store (session),
                             intake_session_get_user_id (session), "export", subject, error);
}

