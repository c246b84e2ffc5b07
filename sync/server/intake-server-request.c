/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-request.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "intake-json.h"

G_DEFINE_QUARK (intake-server-request-error-quark, intake_server_request_error)

/* json-glib's parser recurses once per nesting level and has no limit of its own, so a body of a
 * few megabytes of "[" would exhaust the stack. No protocol document nests deeper than a few
 * levels; the limit leaves room for forms and answers. */
#define MAX_JSON_DEPTH 64

static gboolean
bad_request (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_request (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, INTAKE_SERVER_REQUEST_ERROR,
                       INTAKE_SERVER_REQUEST_ERROR_BAD_REQUEST, msg);
  return FALSE;
}

GBytes *
intake_server_b64_decode (const char *text, size_t expected_len, GError **error)
{
  size_t text_len;
  gsize bin_len = 0;
  g_autofree guint8 *bin = NULL;

  if (text == NULL)
    {
      bad_request (error, "missing base64 value");
      return NULL;
    }
  text_len = strlen (text);
  bin = intake_base64_decode_strict (text, text_len, &bin_len);
  if (bin == NULL)
    {
      bad_request (error, "not standard base64 with padding");
      return NULL;
    }
  if (expected_len != 0 && bin_len != expected_len)
    {
      bad_request (error, "%zu bytes where %zu are expected", bin_len, expected_len);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&bin), bin_len);
}

static char *
b64_encode (const guint8 *data, size_t len, int variant)
{
  size_t out_len = sodium_base64_encoded_len (len, variant);
  char *out = g_malloc (out_len);

  sodium_bin2base64 (out, out_len, data, len, variant);
  return out;
}

char *
intake_server_b64_encode (const guint8 *data, size_t len)
{
  return b64_encode (data, len, sodium_base64_VARIANT_ORIGINAL);
}

char *
intake_server_b64url_encode (const guint8 *data, size_t len)
{
  return b64_encode (data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

char *
intake_server_hex_hash (const guint8 *data, size_t len)
{
  guint8 hash[INTAKE_HASH_BYTES];
  char *hex = g_malloc (INTAKE_HASH_BYTES * 2 + 1);

  crypto_generichash (hash, sizeof hash, data, len, NULL, 0);
  sodium_bin2hex (hex, INTAKE_HASH_BYTES * 2 + 1, hash, sizeof hash);
  return hex;
}

GBytes *
intake_server_gunzip (const guint8 *data, size_t len, size_t max, GError **error)
{
  g_autoptr (GConverter) converter = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 buf[64 * 1024];
  size_t in_pos = 0;

  converter = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  for (;;)
    {
      gsize read = 0;
      gsize written = 0;
      g_autoptr (GError) local_error = NULL;
      GConverterResult result;

      result = g_converter_convert (converter, data + in_pos, len - in_pos, buf, sizeof buf,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &local_error);
      if (result == G_CONVERTER_ERROR)
        {
          bad_request (error, "the gzip body does not inflate: %s", local_error->message);
          return NULL;
        }
      in_pos += read;
      if (out->len + written > max)
        {
          g_set_error (error, INTAKE_SERVER_REQUEST_ERROR, INTAKE_SERVER_REQUEST_ERROR_TOO_LARGE,
                       "the body inflates to more than %zu bytes", max);
          return NULL;
        }
      g_byte_array_append (out, buf, (guint) written);
      if (result == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0)
        {
          bad_request (error, "the gzip body is truncated");
          return NULL;
        }
    }
  if (in_pos != len)
    {
      bad_request (error, "bytes follow the end of the gzip body");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

char *
intake_server_request_message (const char *method,
                               const char *path,
                               const guint8 *body,
                               size_t body_len)
{
  g_autofree char *hex = intake_server_hex_hash (body, body_len);

  return g_strconcat ("intake-request-v1\n", method, "\n", path, "\n", hex, NULL);
}

gboolean
intake_server_parse_signature (const char *header,
                               guint8 signature[INTAKE_SIGNATURE_BYTES],
                               GError **error)
{
  g_autoptr (GBytes) sig = NULL;
  g_autoptr (GError) local_error = NULL;

  if (header == NULL || *header == '\0')
    {
      g_set_error_literal (error, INTAKE_SERVER_REQUEST_ERROR,
                           INTAKE_SERVER_REQUEST_ERROR_UNAUTHENTICATED,
                           "the request has no Intake-Signature");
      return FALSE;
    }
  sig = intake_server_b64_decode (header, INTAKE_SIGNATURE_BYTES, &local_error);
  if (sig == NULL)
    {
      g_set_error (error, INTAKE_SERVER_REQUEST_ERROR, INTAKE_SERVER_REQUEST_ERROR_UNAUTHENTICATED,
                   "Intake-Signature: %s", local_error->message);
      return FALSE;
    }
  memcpy (signature, g_bytes_get_data (sig, NULL), INTAKE_SIGNATURE_BYTES);
  return TRUE;
}

gboolean
intake_server_verify_request (const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
                              const char *signature_header,
                              const char *method,
                              const char *path,
                              const guint8 *body,
                              size_t body_len,
                              GError **error)
{
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  g_autofree char *message = NULL;

  if (!intake_server_parse_signature (signature_header, signature, error))
    return FALSE;
  message = intake_server_request_message (method, path, body, body_len);
  if (crypto_sign_verify_detached (signature, (const guint8 *) message, strlen (message),
                                   sign_pk) != 0)
    {
      g_set_error_literal (error, INTAKE_SERVER_REQUEST_ERROR,
                           INTAKE_SERVER_REQUEST_ERROR_UNAUTHENTICATED,
                           "the request signature does not verify");
      return FALSE;
    }
  return TRUE;
}

/* Every body goes through the one bounded entry point (core/intake-json.h): strict JSON no
 * deeper than MAX_JSON_DEPTH, checked before json-glib sees it. The body's size was bounded by
 * the caller. */
static JsonNode *
parse_json (const char *body, size_t len, GError **error)
{
  const IntakeJsonLimits limits = { 0, MAX_JSON_DEPTH };
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  root = intake_json_parse_untrusted (body, (gssize) len, &limits, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_EMPTY))
        bad_request (error, "the body is empty");
      else
        bad_request (error, "the body is refused: %s", local_error->message);
    }
  return root;
}

/* The string member name of obj, or NULL (with a reason) when it is missing or not a string. */
static const char *
get_string (JsonObject *obj, const char *name, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    {
      bad_request (error, "\"%s\" is missing", name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      bad_request (error, "\"%s\" is not a string", name);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_b64 (JsonObject *obj, const char *name, guint8 *out, size_t len, GError **error)
{
  const char *text = get_string (obj, name, error);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;

  if (text == NULL)
    return FALSE;
  bytes = intake_server_b64_decode (text, len, &local_error);
  if (bytes == NULL)
    return bad_request (error, "\"%s\": %s", name, local_error->message);
  memcpy (out, g_bytes_get_data (bytes, NULL), len);
  return TRUE;
}

void
intake_server_enroll_request_free (IntakeServerEnrollRequest *request)
{
  if (request == NULL)
    return;
  sodium_memzero (request->token_secret, sizeof request->token_secret);
  g_free (request->device_id);
  g_free (request->name);
  g_free (request);
}

static GBytes *
b64url_decode (const char *text, size_t text_len, size_t expected_len)
{
  g_autofree guint8 *bin = g_malloc (text_len + 1);
  size_t bin_len = 0;
  const char *end = NULL;

  if (sodium_base642bin (bin, text_len + 1, text, text_len, NULL, &bin_len, &end,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text + text_len || bin_len != expected_len)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&bin), bin_len);
}

gboolean
intake_server_parse_token (const char *token,
                           guint8 secret[INTAKE_SERVER_TOKEN_SECRET_BYTES],
                           guint8 fingerprint[INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES],
                           GError **error)
{
  const char *dot = token != NULL ? strchr (token, '.') : NULL;
  const char *end = NULL;
  g_autoptr (GBytes) s = NULL;
  g_autoptr (GBytes) f = NULL;

  /* SECRET.SERVER.ORG; the organisation key's fingerprint is for the tablet to check, and the
   * older SECRET.SERVER is still read here (the tablet refuses it). */
  if (dot != NULL)
    {
      end = strchr (dot + 1, '.');
      if (end == NULL)
        end = dot + 1 + strlen (dot + 1);
      s = b64url_decode (token, (size_t) (dot - token), INTAKE_SERVER_TOKEN_SECRET_BYTES);
      f = b64url_decode (dot + 1, (size_t) (end - dot - 1),
                         INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES);
    }
  if (s == NULL || f == NULL)
    return bad_request (error, "the token is not of the form SECRET.SERVER.ORG");
  memcpy (secret, g_bytes_get_data (s, NULL), INTAKE_SERVER_TOKEN_SECRET_BYTES);
  memcpy (fingerprint, g_bytes_get_data (f, NULL), INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES);
  sodium_memzero ((void *) g_bytes_get_data (s, NULL), INTAKE_SERVER_TOKEN_SECRET_BYTES);
  return TRUE;
}

IntakeServerEnrollRequest *
intake_server_parse_enroll (const char *body, size_t len, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (body, len, error);
  g_autoptr (IntakeServerEnrollRequest) request = NULL;
  JsonObject *obj;
  const char *token;
  const char *device_id;
  const char *name = NULL;
  JsonNode *name_node;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_request (error, "the body is not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  request = g_new0 (IntakeServerEnrollRequest, 1);
  token = get_string (obj, "token", error);
  if (token == NULL ||
      !intake_server_parse_token (token, request->token_secret, request->token_fingerprint, error))
    return NULL;
  device_id = get_string (obj, "device_id", error);
  if (device_id == NULL)
    return NULL;
  if (!intake_uuid_is_valid (device_id))
    {
      bad_request (error, "\"device_id\" is not a UUID");
      return NULL;
    }
  /* The name is the tablet's own label; the server answers with the name the admin gave. */
  name_node = json_object_get_member (obj, "name");
  if (name_node != NULL && !JSON_NODE_HOLDS_NULL (name_node))
    {
      name = get_string (obj, "name", error);
      if (name == NULL)
        return NULL;
      if (strlen (name) > INTAKE_SERVER_MAX_NAME)
        {
          bad_request (error, "\"name\" is longer than %d bytes", INTAKE_SERVER_MAX_NAME);
          return NULL;
        }
    }
  if (!get_b64 (obj, "sign_pk", request->sign_pk, INTAKE_SIGN_PUBLIC_BYTES, error))
    return NULL;
  request->device_id = g_strdup (device_id);
  request->name = g_strdup (name);
  return g_steal_pointer (&request);
}

void
intake_server_envelope_free (IntakeServerEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->submission_id);
  g_free (envelope->reason);
  g_free (envelope->content_hash_b64);
  intake_server_submission_free (envelope->submission);
  g_free (envelope);
}

static gboolean
parse_envelope (JsonNode *node, IntakeServerEnvelope *env, const char *device_id, GError **error)
{
  g_autoptr (IntakeServerSubmission) sub = g_new0 (IntakeServerSubmission, 1);
  g_autoptr (GError) local_error = NULL;
  JsonObject *obj;
  const char *id;
  const char *sealed_b64;
  const char *hash_b64;
  guint8 hash[INTAKE_HASH_BYTES];

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_request (error, "the envelope is not a JSON object");
  obj = json_node_get_object (node);

  id = get_string (obj, "submission_id", error);
  if (id == NULL)
    return FALSE;
  env->submission_id = g_strdup (id);
  if (!intake_uuid_is_valid (id))
    return bad_request (error, "\"submission_id\" is not a UUID");

  sealed_b64 = get_string (obj, "sealed", error);
  if (sealed_b64 == NULL)
    return FALSE;
  sub->sealed = intake_server_b64_decode (sealed_b64, 0, &local_error);
  if (sub->sealed == NULL)
    return bad_request (error, "\"sealed\": %s", local_error->message);
  if (g_bytes_get_size (sub->sealed) <= INTAKE_SEAL_BYTES)
    return bad_request (error, "\"sealed\" is too short to be a sealed box");

  hash_b64 = get_string (obj, "content_hash", error);
  if (hash_b64 == NULL ||
      !get_b64 (obj, "content_hash", sub->content_hash, INTAKE_HASH_BYTES, error))
    return FALSE;
  crypto_generichash (hash, sizeof hash, g_bytes_get_data (sub->sealed, NULL),
                      g_bytes_get_size (sub->sealed), NULL, 0);
  if (sodium_memcmp (hash, sub->content_hash, INTAKE_HASH_BYTES) != 0)
    return bad_request (error, "\"content_hash\" is not the hash of \"sealed\"");

  if (!get_b64 (obj, "signature", sub->signature, INTAKE_SIGNATURE_BYTES, error))
    return FALSE;

  sub->submission_id = g_strdup (id);
  sub->device_id = g_strdup (device_id);
  env->content_hash_b64 = g_strdup (hash_b64);
  env->submission = g_steal_pointer (&sub);
  return TRUE;
}

GPtrArray *
intake_server_parse_submissions (const char *body,
                                 size_t len,
                                 const char *device_id,
                                 GError **error)
{
  g_autoptr (JsonNode) root = parse_json (body, len, error);
  g_autoptr (GPtrArray) envelopes = NULL;
  JsonNode *list_node;
  JsonArray *list;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_request (error, "the body is not a JSON object");
      return NULL;
    }
  list_node = json_object_get_member (json_node_get_object (root), "envelopes");
  if (list_node == NULL || !JSON_NODE_HOLDS_ARRAY (list_node))
    {
      bad_request (error, "\"envelopes\" is missing or not an array");
      return NULL;
    }
  list = json_node_get_array (list_node);
  if (json_array_get_length (list) > INTAKE_SERVER_MAX_ENVELOPES)
    {
      g_set_error (error, INTAKE_SERVER_REQUEST_ERROR, INTAKE_SERVER_REQUEST_ERROR_TOO_LARGE,
                   "a batch holds at most %d envelopes", INTAKE_SERVER_MAX_ENVELOPES);
      return NULL;
    }

  envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify) intake_server_envelope_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      IntakeServerEnvelope *env = g_new0 (IntakeServerEnvelope, 1);
      g_autoptr (GError) local_error = NULL;

      g_ptr_array_add (envelopes, env);
      if (parse_envelope (json_array_get_element (list, i), env, device_id, &local_error))
        env->status = 200;
      else
        {
          env->status = 400;
          env->reason = g_strdup (local_error->message);
        }
    }
  return g_steal_pointer (&envelopes);
}

char *
intake_server_envelope_message (const char *submission_id, const char *content_hash_b64)
{
  return g_strconcat ("intake-envelope-v1\n", submission_id, "\n", content_hash_b64, NULL);
}

char *
intake_server_receipt_message (const char *submission_id,
                               const char *content_hash_b64,
                               const char *server_time)
{
  return g_strconcat ("intake-receipt-v1\n", submission_id, "\n", content_hash_b64, "\n",
                      server_time, NULL);
}

char *
intake_server_form_message (const char *form_id, gint64 version, const char *document)
{
  g_autofree char *hex = intake_server_hex_hash ((const guint8 *) document, strlen (document));

  return g_strdup_printf ("intake-form-v1\n%s\n%" G_GINT64_FORMAT "\n%s", form_id, version, hex);
}

char *
intake_server_policies_message (const char *document)
{
  g_autofree char *hex = intake_server_hex_hash ((const guint8 *) document, strlen (document));

  return g_strconcat ("intake-policies-v1\n", hex, NULL);
}

static void
verify_one (IntakeServerEnvelope *env, const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES])
{
  g_autofree char *message = NULL;

  if (env->status != 200)
    return;
  message = intake_server_envelope_message (env->submission_id, env->content_hash_b64);
  if (crypto_sign_verify_detached (env->submission->signature, (const guint8 *) message,
                                   strlen (message), sign_pk) != 0)
    {
      env->status = 400;
      env->reason = g_strdup ("the envelope signature does not verify");
      g_clear_pointer (&env->submission, intake_server_submission_free);
    }
}

/* A batch's signature checks, shared out: the request's own thread and helpers from one pool take
 * chunks until none are left. Each Ed25519 check costs some 50 µs, a batch's several ms; with
 * the checks on every core, one connection's batch no longer waits on one core. */
#define VERIFY_CHUNK 8
#define VERIFY_MIN_PARALLEL (2 * VERIFY_CHUNK)

typedef struct
{
  gint refs;
  GPtrArray *envelopes;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  gint next;
  guint done;
  GMutex lock;
  GCond cond;
} VerifyJob;

static void
verify_job_unref (VerifyJob *job)
{
  if (!g_atomic_int_dec_and_test (&job->refs))
    return;
  g_ptr_array_unref (job->envelopes);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_free (job);
}

static void
verify_chunks (VerifyJob *job)
{
  for (;;)
    {
      guint start = (guint) g_atomic_int_add (&job->next, VERIFY_CHUNK);
      guint end;

      if (start >= job->envelopes->len)
        return;
      end = MIN (start + VERIFY_CHUNK, job->envelopes->len);
      for (guint i = start; i < end; i++)
        verify_one (g_ptr_array_index (job->envelopes, i), job->sign_pk);
      g_mutex_lock (&job->lock);
      job->done += end - start;
      if (job->done == job->envelopes->len)
        g_cond_signal (&job->cond);
      g_mutex_unlock (&job->lock);
    }
}

static void
verify_helper (gpointer data, gpointer user_data)
{
  VerifyJob *job = data;

  verify_chunks (job);
  verify_job_unref (job);
}

static guint
verify_helpers (void)
{
  guint cores = g_get_num_processors ();

  return cores > 1 ? MIN (cores - 1, 16) : 0;
}

/* Asked only on a machine with more than one core. */
static GThreadPool *
verify_pool (void)
{
  static GThreadPool *pool = NULL;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (verify_helper, NULL, (gint) verify_helpers (),
                                                 FALSE, NULL));
  return pool;
}

void
intake_server_verify_envelopes (GPtrArray *envelopes,
                                const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES])
{
  guint helpers = verify_helpers ();
  VerifyJob *job;

  if (envelopes->len < VERIFY_MIN_PARALLEL || helpers == 0)
    {
      for (guint i = 0; i < envelopes->len; i++)
        verify_one (g_ptr_array_index (envelopes, i), sign_pk);
      return;
    }
  job = g_new0 (VerifyJob, 1);
  job->refs = 1;
  job->envelopes = g_ptr_array_ref (envelopes);
  memcpy (job->sign_pk, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  helpers = MIN (helpers, envelopes->len / VERIFY_CHUNK - 1);
  for (guint i = 0; i < helpers; i++)
    {
      g_atomic_int_inc (&job->refs);
      g_thread_pool_push (verify_pool (), job, NULL);
    }
  verify_chunks (job);
  /* Helpers that start late find nothing left and only drop their reference. */
  g_mutex_lock (&job->lock);
  while (job->done < envelopes->len)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);
  verify_job_unref (job);
}
