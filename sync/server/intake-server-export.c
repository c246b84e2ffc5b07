/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-export.h"

#include "intake-json.h"
#include "intake-server-request.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The secret key file is not JSON on purpose: it is read straight into guarded memory, where a
 * JSON parser would leave copies of the key in ordinary heap strings. */
#define KEY_FILE_HEADER \
  "# Field Intake organisation data key (intake-org-secret-key-v1).\n" \
  "# Whoever holds this file can read every interview. Keep it offline with the data manager.\n"
#define KEY_FILE_PUBLIC "public_key: "
#define KEY_FILE_SECRET "secret_key: "

IntakeSecret *
intake_server_secret_key_file_new (const guint8 public_key[INTAKE_BOX_PUBLIC_BYTES],
                                   const guint8 secret_key[INTAKE_BOX_SECRET_BYTES])
{
  size_t pk_len = sodium_base64_encoded_len (INTAKE_BOX_PUBLIC_BYTES,
                                             sodium_base64_VARIANT_ORIGINAL);
  size_t sk_len = sodium_base64_encoded_len (INTAKE_BOX_SECRET_BYTES,
                                             sodium_base64_VARIANT_ORIGINAL);
  size_t total = strlen (KEY_FILE_HEADER) + strlen (KEY_FILE_PUBLIC) + pk_len +
                 strlen (KEY_FILE_SECRET) + sk_len + 2;
  g_autoptr (IntakeSecret) text = intake_secret_new (total);
  char *p = (char *) text->data;

  /* Each encoded length counts its terminating NUL, which becomes the line's newline. */
  memcpy (p, KEY_FILE_HEADER, strlen (KEY_FILE_HEADER));
  p += strlen (KEY_FILE_HEADER);
  memcpy (p, KEY_FILE_PUBLIC, strlen (KEY_FILE_PUBLIC));
  p += strlen (KEY_FILE_PUBLIC);
  sodium_bin2base64 (p, pk_len, public_key, INTAKE_BOX_PUBLIC_BYTES,
                     sodium_base64_VARIANT_ORIGINAL);
  p += pk_len - 1;
  *p++ = '\n';
  memcpy (p, KEY_FILE_SECRET, strlen (KEY_FILE_SECRET));
  p += strlen (KEY_FILE_SECRET);
  sodium_bin2base64 (p, sk_len, secret_key, INTAKE_BOX_SECRET_BYTES,
                     sodium_base64_VARIANT_ORIGINAL);
  p += sk_len - 1;
  *p++ = '\n';
  text->len = (size_t) (p - (char *) text->data);
  return g_steal_pointer (&text);
}

static gboolean
find_key_line (const IntakeSecret *file, const char *label, guint8 *out, size_t len)
{
  const char *start = (const char *) file->data;
  const char *end = start + file->len;

  for (const char *line = start; line < end;)
    {
      const char *eol = memchr (line, '\n', (size_t) (end - line));
      size_t line_len = eol != NULL ? (size_t) (eol - line) : (size_t) (end - line);
      size_t label_len = strlen (label);
      size_t bin_len = 0;
      const char *b64_end = NULL;

      if (line_len > label_len && memcmp (line, label, label_len) == 0)
        return sodium_base642bin (out, len, line + label_len, line_len - label_len, " \r",
                                  &bin_len, &b64_end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
               bin_len == len;
      line += line_len + 1;
    }
  return FALSE;
}

static IntakeSecret *
read_secret_key (const char *path, guint8 public_key[INTAKE_BOX_PUBLIC_BYTES], GError **error)
{
  g_autofree char *contents = NULL;
  size_t len = 0;
  g_autoptr (IntakeSecret) file = NULL;
  g_autoptr (IntakeSecret) key = intake_secret_new (INTAKE_BOX_SECRET_BYTES);
  guint8 derived[INTAKE_BOX_PUBLIC_BYTES];

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  file = intake_secret_new_from_data (contents, len);
  sodium_memzero (contents, len);
  if (!find_key_line (file, KEY_FILE_PUBLIC, public_key, INTAKE_BOX_PUBLIC_BYTES) ||
      !find_key_line (file, KEY_FILE_SECRET, key->data, INTAKE_BOX_SECRET_BYTES))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is not an organisation key file written by intake-server init", path);
      return NULL;
    }
  crypto_scalarmult_base (derived, key->data);
  if (sodium_memcmp (derived, public_key, INTAKE_BOX_PUBLIC_BYTES) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is damaged: its secret key does not match its public key", path);
      return NULL;
    }
  return g_steal_pointer (&key);
}

/* The sealed record says which device made it; the server knows which device sent it (the
 * request and the envelope were signed with that device's key, checked again above). Any
 * enrolled device can seal whatever it likes to the organisation's key, so a record naming
 * another device (or none) is a forgery by the device that sent it, or a device whose key was
 * copied: it is refused and named, never handed to the data manager as the other device's. The
 * author inside is a tablet user's id, which only that tablet knows; the device is what the
 * server can vouch for. */
static gboolean
check_sender (JsonObject *obj, const IntakeServerSubmission *sub, GError **error)
{
  JsonNode *format = json_object_get_member (obj, "format");
  JsonNode *device = json_object_get_member (obj, "device_id");
  const char *inner;

  if (format == NULL || !JSON_NODE_HOLDS_VALUE (format) ||
      json_node_get_value_type (format) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (format), "intake-submission-v1") != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its content is not an intake-submission-v1 record");
      return FALSE;
    }
  if (device == NULL || !JSON_NODE_HOLDS_VALUE (device) ||
      json_node_get_value_type (device) != G_TYPE_STRING)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its content names no device");
      return FALSE;
    }
  inner = json_node_get_string (device);
  if (g_strcmp0 (inner, sub->device_id) != 0)
    {
      g_autofree char *safe = g_strescape (inner, NULL);

      if (strlen (safe) > 80)
        safe[80] = '\0';
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "its content says it comes from device %s, but device %s sent and signed it",
                   safe, sub->device_id);
      return FALSE;
    }
  return TRUE;
}

/* Opens and checks one envelope; returns its PLAINTEXT object. */
static JsonObject *
open_envelope (IntakeServerSubmission *sub,
               IntakeServerDevice *device,
               const guint8 *org_pk,
               const IntakeSecret *org_sk,
               GError **error)
{
  guint8 hash[INTAKE_HASH_BYTES];
  g_autofree char *hash_b64 = NULL;
  g_autofree char *message = NULL;
  g_autoptr (IntakeSecret) plain = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonObject *obj;

  crypto_generichash (hash, sizeof hash, g_bytes_get_data (sub->sealed, NULL),
                      g_bytes_get_size (sub->sealed), NULL, 0);
  if (sodium_memcmp (hash, sub->content_hash, INTAKE_HASH_BYTES) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its content does not match its content hash");
      return NULL;
    }
  if (device == NULL || !device->has_sign_pk)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its device is not known to this server");
      return NULL;
    }
  hash_b64 = intake_server_b64_encode (sub->content_hash, INTAKE_HASH_BYTES);
  message = intake_server_envelope_message (sub->submission_id, hash_b64);
  if (crypto_sign_verify_detached (sub->signature, (const guint8 *) message, strlen (message),
                                   device->sign_pk) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its device signature does not verify");
      return NULL;
    }
  plain = intake_seal_open (org_pk, org_sk->data, g_bytes_get_data (sub->sealed, NULL),
                            g_bytes_get_size (sub->sealed), error);
  if (plain == NULL)
    return NULL;
  /* A device that sealed it may still be hostile: its content is untrusted text. */
  root = intake_json_parse_untrusted ((const char *) plain->data, (gssize) plain->len, NULL,
                                      &local_error);
  if (root == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "its content is refused: %s",
                   local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its content is not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "submission_id", NULL),
                 sub->submission_id) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "its content names another submission id");
      return NULL;
    }
  if (!check_sender (obj, sub, error))
    return NULL;
  return json_object_ref (obj);
}

/* Whether text is a plain decimal number (an optional sign, digits, an optional fraction and
 * exponent), as the export writes numbers: a spreadsheet reads it as a number, never as a
 * formula, so it is left as it is even when it starts with a minus sign. */
static gboolean
is_plain_number (const char *text)
{
  const char *p = text;

  if (*p == '-' || *p == '+')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '-' || *p == '+')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

/* A cell that a spreadsheet program would take for a formula (one starting with = + - @, a tab
 * or a carriage return: OWASP's CSV injection list) gets a single quote in front, which those
 * programs show as text and do not run. An answer is whatever a device sent: a formula in it
 * must not run on the data manager's computer (=HYPERLINK can send cells elsewhere). */
static gboolean
csv_needs_neutralising (const char *value)
{
  return strchr ("=+-@\t\r", value[0]) != NULL && value[0] != '\0' && !is_plain_number (value);
}

static void
csv_field (GString *row, const char *value)
{
  g_autofree char *neutral = NULL;

  if (row->len > 0 && row->str[row->len - 1] != '\n')
    g_string_append_c (row, ',');
  if (value == NULL)
    return;
  if (csv_needs_neutralising (value))
    value = neutral = g_strconcat ("'", value, NULL);
  if (strpbrk (value, ",\"\r\n") != NULL || (value[0] == ' ') ||
      (*value != '\0' && value[strlen (value) - 1] == ' '))
    {
      g_string_append_c (row, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (row, '"');
          g_string_append_c (row, *p);
        }
      g_string_append_c (row, '"');
    }
  else
    g_string_append (row, value);
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr (GString) joined = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *item = node_to_text (json_array_get_element (array, i));

          if (i > 0)
            g_string_append_c (joined, ';');
          g_string_append (joined, item != NULL ? item : "");
        }
      return g_string_free (g_steal_pointer (&joined), FALSE);
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_to_string (node, FALSE);
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
      }
    default:
      return json_to_string (node, FALSE);
    }
}

static char *
member_text (JsonObject *obj, const char *name)
{
  if (obj == NULL || !json_object_has_member (obj, name))
    return NULL;
  return node_to_text (json_object_get_member (obj, name));
}

static JsonObject *
member_object (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static const char *const csv_fixed[] = {
  "submission_id", "device", "interview_id", "form_id", "form_version",
  "void", "created", "screening_level", "urgent",
};

/* One walk over the stored envelopes: each is opened and handed on at once, so that an export
 * of any size holds one interview in memory (the CSV's answer columns need a first walk that
 * keeps only their names). */
typedef enum
{
  WALK_CSV_COLUMNS,
  WALK_CSV_ROWS,
  WALK_JSON,
} WalkMode;

typedef struct
{
  WalkMode mode;
  GHashTable *devices_by_id;
  const guint8 *org_pk;
  const IntakeSecret *org_sk;
  GOutputStream *out;
  guint *failed;
  gboolean report;
  guint written;
  GHashTable *names;
  GPtrArray *columns;
} Walk;

static gboolean
write_csv_header (Walk *walk, GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);

  g_ptr_array_sort (walk->columns, compare_strings);
  for (size_t i = 0; i < G_N_ELEMENTS (csv_fixed); i++)
    csv_field (line, csv_fixed[i]);
  for (guint i = 0; i < walk->columns->len; i++)
    {
      g_autofree char *name = g_strconcat ("answer.",
                                           (char *) g_ptr_array_index (walk->columns, i), NULL);
      csv_field (line, name);
    }
  g_string_append (line, "\r\n");
  return g_output_stream_write_all (walk->out, line->str, line->len, NULL, NULL, error);
}

static gboolean
write_csv_row (Walk *walk, JsonObject *row, GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  JsonObject *received = member_object (row, "received");
  JsonObject *interview = member_object (row, "interview");
  JsonObject *answers = member_object (interview, "answers");
  JsonNode *screening = interview != NULL
                          ? json_object_get_member (interview, "screening_result")
                          : NULL;
  JsonObject *screening_obj = screening != NULL && JSON_NODE_HOLDS_OBJECT (screening)
                                ? json_node_get_object (screening)
                                : NULL;
  char *values[G_N_ELEMENTS (csv_fixed)] = {
    member_text (row, "submission_id"),
    member_text (received, "device"),
    member_text (interview, "id"),
    member_text (interview, "form_id"),
    member_text (interview, "form_version"),
    member_text (interview, "void"),
    member_text (interview, "created"),
    screening_obj != NULL ? member_text (screening_obj, "level")
                          : (screening != NULL ? node_to_text (screening) : NULL),
    member_text (screening_obj, "urgent"),
  };

  for (size_t j = 0; j < G_N_ELEMENTS (csv_fixed); j++)
    {
      csv_field (line, values[j] != NULL ? values[j] : "");
      g_free (values[j]);
    }
  for (guint j = 0; j < walk->columns->len; j++)
    {
      g_autofree char *value = member_text (answers, g_ptr_array_index (walk->columns, j));

      csv_field (line, value != NULL ? value : "");
    }
  g_string_append (line, "\r\n");
  return g_output_stream_write_all (walk->out, line->str, line->len, NULL, NULL, error);
}

static gboolean
write_json_row (Walk *walk, JsonObject *row, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  gsize len = 0;

  json_node_set_object (node, row);
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  return g_output_stream_write_all (walk->out, walk->written > 0 ? ",\n" : "[\n",
                                    2, NULL, NULL, error)
         && g_output_stream_write_all (walk->out, text, len, NULL, NULL, error);
}

static gboolean
export_one (IntakeServerSubmission *sub_owned, gpointer user_data, GError **error)
{
  Walk *walk = user_data;
  g_autoptr (IntakeServerSubmission) sub = sub_owned;
  IntakeServerDevice *device = g_hash_table_lookup (walk->devices_by_id, sub->device_id);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonObject) plain = NULL;
  g_autofree char *hash_b64 = NULL;
  JsonObject *received;
  gboolean ok = TRUE;

  plain = open_envelope (sub, device, walk->org_pk, walk->org_sk, &local_error);
  if (plain == NULL)
    {
      /* Each is named once, on the first walk. */
      if (walk->report)
        {
          g_printerr ("intake-server: export: left out submission %s from device %s: %s\n",
                      sub->submission_id, sub->device_id, local_error->message);
          (*walk->failed)++;
        }
      return TRUE;
    }
  hash_b64 = intake_server_b64_encode (sub->content_hash, INTAKE_HASH_BYTES);
  received = json_object_new ();
  json_object_set_string_member (received, "submission_id", sub->submission_id);
  json_object_set_string_member (received, "device_id", sub->device_id);
  json_object_set_string_member (received, "device", device->name);
  json_object_set_string_member (received, "content_hash", hash_b64);
  json_object_set_string_member (received, "server_time", sub->server_time);
  json_object_set_object_member (plain, "received", received);

  switch (walk->mode)
    {
    case WALK_CSV_COLUMNS:
      {
        JsonObject *answers = member_object (member_object (plain, "interview"), "answers");
        GList *members = answers != NULL ? json_object_get_members (answers) : NULL;

        for (GList *l = members; l != NULL; l = l->next)
          if (!g_hash_table_contains (walk->names, l->data))
            {
              char *name = g_strdup (l->data);

              g_hash_table_add (walk->names, name);
              g_ptr_array_add (walk->columns, name);
            }
        g_list_free (members);
      }
      break;
    case WALK_CSV_ROWS:
      ok = write_csv_row (walk, plain, error);
      break;
    case WALK_JSON:
      ok = write_json_row (walk, plain, error);
      break;
    default:
      g_assert_not_reached ();
    }
  walk->written++;
  return ok;
}

gboolean
intake_server_export (IntakeServerStore *store,
                      const char *secret_key_file,
                      IntakeServerExportFormat format,
                      GOutputStream *out,
                      guint *failed,
                      GError **error)
{
  guint8 org_pk[INTAKE_BOX_PUBLIC_BYTES];
  g_autoptr (IntakeSecret) org_sk = NULL;
  g_autoptr (GBytes) stored_pk = NULL;
  g_autoptr (GPtrArray) devices = NULL;
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) columns = g_ptr_array_new ();
  Walk walk = { 0 };

  *failed = 0;
  org_sk = read_secret_key (secret_key_file, org_pk, error);
  if (org_sk == NULL)
    return FALSE;
  stored_pk = intake_server_store_meta_get (store, "org_data_pk", error);
  if (stored_pk == NULL)
    return FALSE;
  if (g_bytes_get_size (stored_pk) != INTAKE_BOX_PUBLIC_BYTES ||
      memcmp (g_bytes_get_data (stored_pk, NULL), org_pk, INTAKE_BOX_PUBLIC_BYTES) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is the key of another server: this database's envelopes are sealed to a "
                   "different organisation key",
                   secret_key_file);
      return FALSE;
    }
  devices = intake_server_store_device_list (store, error);
  if (devices == NULL)
    return FALSE;
  for (guint i = 0; i < devices->len; i++)
    {
      IntakeServerDevice *device = g_ptr_array_index (devices, i);

      if (device->device_id != NULL)
        g_hash_table_insert (by_id, device->device_id, device);
    }

  walk.devices_by_id = by_id;
  walk.org_pk = org_pk;
  walk.org_sk = org_sk;
  walk.out = out;
  walk.failed = failed;
  walk.report = TRUE;
  walk.names = names;
  walk.columns = columns;

  if (format == INTAKE_SERVER_EXPORT_CSV)
    {
      walk.mode = WALK_CSV_COLUMNS;
      if (!intake_server_store_submissions_foreach (store, export_one, &walk, error)
          || !write_csv_header (&walk, error))
        return FALSE;
      walk.mode = WALK_CSV_ROWS;
      walk.report = FALSE;
      walk.written = 0;
      return intake_server_store_submissions_foreach (store, export_one, &walk, error);
    }

  walk.mode = WALK_JSON;
  if (!intake_server_store_submissions_foreach (store, export_one, &walk, error))
    return FALSE;
  if (walk.written == 0)
    return g_output_stream_write_all (out, "[]\n", 3, NULL, NULL, error);
  return g_output_stream_write_all (out, "\n]\n", 3, NULL, NULL, error);
}
