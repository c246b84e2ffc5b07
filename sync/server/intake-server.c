/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server.h"

#include "intake-server-request.h"

#include "intake-json.h"
#include "intake-receipt.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>

G_DEFINE_QUARK (intake-server-error-quark, intake_server_error)

#define THREAD_POOL_SIZE 4
#define CONNECTION_TIMEOUT_SECONDS 60
/* Connections at once, in all and from one address. A tablet holds at most three (two sending
 * lanes and one for its status); an office behind one address may hold a few dozen tablets.
 * A connection that sends nothing is closed after CONNECTION_TIMEOUT_SECONDS. */
#define CONNECTION_LIMIT 256
#define PER_IP_CONNECTION_LIMIT 32
#define RETRY_AFTER_SECONDS 5
#define LOG_FIELD_MAX 80

struct _IntakeServer
{
  GObject parent_instance;

  /* One database connection for all of libmicrohttpd's threads: a store is not thread-safe,
   * so every call holds store_lock. Parsing and signature checks happen outside it, which is
   * where the time goes; a batch's receipts are signed inside it (one signature per batch), for
   * exactly the rows that the transaction stores. */
  GMutex store_lock;
  IntakeServerStore *store;

  IntakeSecret *sign_sk;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  guint8 fingerprint[INTAKE_HASH_BYTES];
  guint8 org_pk[INTAKE_BOX_PUBLIC_BYTES];

  struct MHD_Daemon *daemon;
  unsigned int connection_limit;
  unsigned int per_ip_connection_limit;
  IntakeSecret *tls_key;
  char *tls_cert;
  guint16 port;
};

G_DEFINE_FINAL_TYPE (IntakeServer, intake_server, G_TYPE_OBJECT)

static void
intake_server_finalize (GObject *object)
{
  IntakeServer *self = INTAKE_SERVER (object);

  intake_server_stop (self);
  g_clear_pointer (&self->store, intake_server_store_close);
  g_clear_pointer (&self->sign_sk, intake_secret_free);
  g_mutex_clear (&self->store_lock);
  G_OBJECT_CLASS (intake_server_parent_class)->finalize (object);
}

static void
intake_server_class_init (IntakeServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_server_finalize;
}

static void
intake_server_init (IntakeServer *self)
{
  g_mutex_init (&self->store_lock);
  self->connection_limit = CONNECTION_LIMIT;
  self->per_ip_connection_limit = PER_IP_CONNECTION_LIMIT;
}

void
intake_server_set_connection_limits (IntakeServer *self, guint total, guint per_ip)
{
  g_return_if_fail (INTAKE_IS_SERVER (self));
  g_return_if_fail (self->daemon == NULL);
  g_return_if_fail (total >= INTAKE_SERVER_MIN_CONNECTIONS && per_ip >= 1 && per_ip <= total);

  self->connection_limit = total;
  self->per_ip_connection_limit = per_ip;
}

void
intake_server_response_free (IntakeServerResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->body);
  g_free (response->device_id);
  g_free (response->log_detail);
  g_free (response);
}

char *
intake_server_now_iso8601 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
load_key (IntakeServerStore *store, const char *key, guint8 *out, size_t len, GError **error)
{
  g_autoptr (GBytes) value = intake_server_store_meta_get (store, key, error);

  if (value == NULL)
    return FALSE;
  if (g_bytes_get_size (value) != len)
    {
      g_set_error (error, INTAKE_SERVER_ERROR, INTAKE_SERVER_ERROR_NOT_INITIALISED,
                   "the database's %s has the wrong size", key);
      return FALSE;
    }
  memcpy (out, g_bytes_get_data (value, NULL), len);
  sodium_memzero ((void *) g_bytes_get_data (value, NULL), len);
  return TRUE;
}

IntakeServer *
intake_server_new (IntakeServerStore *store, GError **error)
{
  g_autoptr (IntakeServer) self = g_object_new (INTAKE_TYPE_SERVER, NULL);

  self->store = store;
  self->sign_sk = intake_secret_new (INTAKE_SIGN_SECRET_BYTES);
  if (!load_key (store, INTAKE_SERVER_META_SIGN_SK, self->sign_sk->data, INTAKE_SIGN_SECRET_BYTES,
                 error) ||
      !load_key (store, INTAKE_SERVER_META_SIGN_PK, self->sign_pk, INTAKE_SIGN_PUBLIC_BYTES,
                 error) ||
      !load_key (store, INTAKE_SERVER_META_ORG_PK, self->org_pk, INTAKE_BOX_PUBLIC_BYTES, error))
    return NULL;
  crypto_generichash (self->fingerprint, sizeof self->fingerprint, self->sign_pk,
                      INTAKE_SIGN_PUBLIC_BYTES, NULL, 0);
  return g_steal_pointer (&self);
}

IntakeServerStore *
intake_server_get_store (IntakeServer *self)
{
  return self->store;
}

/* Through the project's JSON writer (core/intake-json.h): json-glib's generator cost more than
 * a batch's store, and a batch's answer carries a receipt with its path for every envelope. */
static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  GString *out = g_string_sized_new (4096);

  intake_json_write (out, root);
  return g_string_free (out, FALSE);
}

static IntakeServerResponse *
response_new (int status, char *body)
{
  IntakeServerResponse *response = g_new0 (IntakeServerResponse, 1);

  response->status = status;
  response->body = body;
  return response;
}

static IntakeServerResponse *
error_response (int status, const char *code, const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  return response_new (status, builder_to_string (b));
}

static IntakeServerResponse *
request_error_response (const GError *error)
{
  if (g_error_matches (error, INTAKE_SERVER_REQUEST_ERROR, INTAKE_SERVER_REQUEST_ERROR_TOO_LARGE))
    return error_response (413, "too_large", error->message);
  if (g_error_matches (error, INTAKE_SERVER_REQUEST_ERROR,
                       INTAKE_SERVER_REQUEST_ERROR_UNAUTHENTICATED))
    return error_response (401, "unauthenticated", error->message);
  return error_response (400, "bad_request", error->message);
}

static IntakeServerResponse *
unavailable_response (const GError *error)
{
  IntakeServerResponse *response;

  /* The reason goes to the log; the device only learns to come back later. */
  g_printerr ("intake-server: storage error: %s\n", error->message);
  response = error_response (503, "unavailable", "the server's database is unavailable");
  response->retry_after = RETRY_AFTER_SECONDS;
  return response;
}

static IntakeServerResponse *
handle_health (IntakeServer *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *now = intake_server_now_iso8601 ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_set_member_name (b, "server_time");
  json_builder_add_string_value (b, now);
  json_builder_end_object (b);
  return response_new (200, builder_to_string (b));
}

static void
add_b64_member (JsonBuilder *b, const char *name, const guint8 *data, size_t len)
{
  g_autofree char *text = intake_server_b64_encode (data, len);

  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, text);
}

static IntakeServerResponse *
handle_enroll (IntakeServer *self, const IntakeServerRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerEnrollRequest) enroll = NULL;
  g_autoptr (IntakeServerDevice) device = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *now = NULL;
  guint8 token_hash[INTAKE_HASH_BYTES];
  IntakeServerResponse *response;

  enroll = intake_server_parse_enroll ((const char *) request->body, request->body_len, &error);
  if (enroll == NULL)
    return request_error_response (error);
  if (sodium_memcmp (enroll->token_fingerprint, self->fingerprint,
                     INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES) != 0)
    return error_response (401, "bad_token", "the token was made by another server");

  crypto_generichash (token_hash, sizeof token_hash, enroll->token_secret,
                      INTAKE_SERVER_TOKEN_SECRET_BYTES, NULL, 0);
  g_mutex_lock (&self->store_lock);
  device = intake_server_store_device_enroll (self->store, token_hash, enroll->device_id,
                                              enroll->sign_pk, g_get_real_time () / G_USEC_PER_SEC,
                                              &error);
  g_mutex_unlock (&self->store_lock);
  if (device == NULL)
    {
      if (g_error_matches (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_TOKEN))
        response = error_response (401, "bad_token", error->message);
      else if (g_error_matches (error, INTAKE_SERVER_STORE_ERROR,
                                INTAKE_SERVER_STORE_ERROR_DEVICE_EXISTS))
        response = error_response (409, "device_exists", error->message);
      else
        response = unavailable_response (error);
      response->device_id = g_strdup (enroll->device_id);
      return response;
    }

  now = intake_server_now_iso8601 ();
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device->device_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, device->name);
  add_b64_member (b, "org_data_pk", self->org_pk, INTAKE_BOX_PUBLIC_BYTES);
  add_b64_member (b, "server_sign_pk", self->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  json_builder_set_member_name (b, "server_time");
  json_builder_add_string_value (b, now);
  json_builder_end_object (b);
  response = response_new (200, builder_to_string (b));
  response->device_id = g_strdup (device->device_id);
  return response;
}

/* The enrolled device a request names, or NULL with *response set. */
static IntakeServerDevice *
find_device (IntakeServer *self, const char *device_id, IntakeServerResponse **response)
{
  g_autoptr (IntakeServerDevice) device = NULL;
  g_autoptr (GError) error = NULL;

  if (device_id == NULL || *device_id == '\0')
    {
      *response = error_response (401, "unauthenticated", "the request has no Intake-Device");
      return NULL;
    }
  g_mutex_lock (&self->store_lock);
  device = intake_server_store_device_lookup (self->store, device_id, &error);
  g_mutex_unlock (&self->store_lock);
  if (device == NULL)
    {
      if (g_error_matches (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND))
        *response = error_response (401, "unauthenticated", "unknown device");
      else
        *response = unavailable_response (error);
      return NULL;
    }
  if (!device->has_sign_pk)
    {
      *response = error_response (401, "unauthenticated", "the device has no key");
      return NULL;
    }
  return g_steal_pointer (&device);
}

/* The answer to a device that may no longer send (revoked, or wiped), or NULL. */
static IntakeServerResponse *
refusal (const IntakeServerDevice *device)
{
  if (device->status == INTAKE_SERVER_DEVICE_REVOKED)
    return error_response (403, "revoked", "this device has been revoked");
  /* A device told to wipe has no key left once it has wiped: whoever still signs with it holds
   * a copy. It is refused once the device confirmed the wipe or the admin's deadline passed. */
  if (intake_server_device_is_wiped (device, g_get_real_time () / G_USEC_PER_SEC))
    return error_response (403, "wiped",
                           device->wipe_confirmed > 0
                             ? "this device confirmed that it wiped itself; its key is no "
                               "longer accepted"
                             : "this device was ordered to wipe itself and its deadline has "
                               "passed; its key is no longer accepted");
  return NULL;
}

/* Before the body of a request to an authenticated endpoint is read: the request names a
 * device that exists and may send, and carries a signature header of the right form. The
 * signature itself covers the body's hash, so it is checked once the body is in; until then
 * nobody who cannot name such a device gets more than a few KiB read (see access_cb). */
static IntakeServerResponse *
check_before_body (IntakeServer *self, const char *device_id, const char *signature)
{
  g_autoptr (IntakeServerDevice) device = NULL;
  g_autoptr (GError) error = NULL;
  IntakeServerResponse *response = NULL;
  guint8 sig[INTAKE_SIGNATURE_BYTES];

  device = find_device (self, device_id, &response);
  if (device == NULL)
    return response;
  if (!intake_server_parse_signature (signature, sig, &error))
    return error_response (401, "unauthenticated", error->message);
  return refusal (device);
}

/* Finds the device a request claims to come from and checks its signature. Returns NULL with
 * *response set when the request may not go on. */
static IntakeServerDevice *
authenticate (IntakeServer *self,
              const IntakeServerRequest *request,
              IntakeServerResponse **response)
{
  g_autoptr (IntakeServerDevice) device = NULL;
  g_autoptr (GError) error = NULL;

  device = find_device (self, request->device_id, response);
  if (device == NULL)
    return NULL;
  if (!intake_server_verify_request (device->sign_pk, request->signature, request->method,
                                     request->path, request->body, request->body_len, &error))
    {
      *response = error_response (401, "unauthenticated", error->message);
      return NULL;
    }
  *response = refusal (device);
  if (*response != NULL)
    return NULL;
  /* Last-seen is kept to the minute: writing it on every request would cost a durable commit
   * (a disk flush) per request, while a tablet sends many in a minute when it drains. */
  if (g_get_real_time () / G_USEC_PER_SEC - device->last_seen >= 60)
    {
      g_mutex_lock (&self->store_lock);
      if (!intake_server_store_device_touch (self->store, device->device_id,
                                             g_get_real_time () / G_USEC_PER_SEC, &error))
        {
          /* Last-seen is bookkeeping; a failure to write it must not refuse the device. */
          g_printerr ("intake-server: could not record last-seen: %s\n", error->message);
        }
      g_mutex_unlock (&self->store_lock);
    }
  return g_steal_pointer (&device);
}

static IntakeServerResponse *
handle_device (IntakeServer *self, IntakeServerDevice *device)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *now = intake_server_now_iso8601 ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device->device_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, device->name);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, intake_server_device_status_to_string (device->status));
  json_builder_set_member_name (b, "server_time");
  json_builder_add_string_value (b, now);
  json_builder_end_object (b);
  return response_new (200, builder_to_string (b));
}

/* The device says it is wiping itself as ordered: from now on its key is refused. It signs
 * this before its keys go; the answer does not matter to it, as it wipes either way. */
static IntakeServerResponse *
handle_device_wiped (IntakeServer *self, IntakeServerDevice *device)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *now = NULL;
  gboolean ok;

  g_mutex_lock (&self->store_lock);
  ok = intake_server_store_device_confirm_wipe (self->store, device->device_id,
                                                g_get_real_time () / G_USEC_PER_SEC, &error);
  g_mutex_unlock (&self->store_lock);
  if (!ok)
    {
      if (g_error_matches (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT))
        return error_response (409, "not_ordered", "this device was not ordered to wipe");
      return unavailable_response (error);
    }
  b = json_builder_new ();
  now = intake_server_now_iso8601 ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device->device_id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "wiped");
  json_builder_set_member_name (b, "server_time");
  json_builder_add_string_value (b, now);
  json_builder_end_object (b);
  return response_new (200, builder_to_string (b));
}

static IntakeServerResponse *
handle_forms (IntakeServer *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) forms = NULL;
  g_autoptr (GError) error = NULL;
  IntakeServerResponse *response;

  g_mutex_lock (&self->store_lock);
  forms = intake_server_store_forms_list (self->store, &error);
  g_mutex_unlock (&self->store_lock);
  if (forms == NULL)
    return unavailable_response (error);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "forms");
  json_builder_begin_array (b);
  for (guint i = 0; i < forms->len; i++)
    {
      IntakeServerForm *form = g_ptr_array_index (forms, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, form->form_id);
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, form->version);
      json_builder_set_member_name (b, "document");
      json_builder_add_string_value (b, form->document);
      add_b64_member (b, "signature", form->signature, INTAKE_SIGNATURE_BYTES);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  response = response_new (200, builder_to_string (b));
  response->log_detail = g_strdup_printf ("forms=%u", forms->len);
  return response;
}

/* The batch's receipts, inside the transaction that stores exactly these submissions: one tree
 * over their leaves, one signature over its root, and each its own path. */
static void
seal_receipts (GPtrArray *fresh, gpointer user_data)
{
  IntakeServer *self = user_data;
  g_autoptr (IntakeReceiptTree) tree = NULL;
  g_autofree guint8 *leaves = g_malloc (fresh->len * INTAKE_HASH_BYTES);
  g_autofree char *message = NULL;
  guint8 sig[INTAKE_SIGNATURE_BYTES];

  for (guint i = 0; i < fresh->len; i++)
    memcpy (leaves + i * INTAKE_HASH_BYTES,
            ((IntakeServerSubmission *) fresh->pdata[i])->receipt_leaf, INTAKE_HASH_BYTES);
  tree = intake_receipt_tree_new (leaves, fresh->len);
  message = intake_receipt_batch_message (fresh->len, intake_receipt_tree_root (tree));
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message),
                        self->sign_sk->data);
  for (guint i = 0; i < fresh->len; i++)
    {
      IntakeServerSubmission *sub = fresh->pdata[i];

      memcpy (sub->receipt_signature, sig, sizeof sig);
      sub->receipt_index = i;
      sub->receipt_count = fresh->len;
      g_clear_pointer (&sub->receipt_path, g_bytes_unref);
      sub->receipt_path = intake_receipt_tree_path (tree, i);
    }
}

static void
write_b64_member (GString *out, const char *name, const guint8 *data, size_t len)
{
  g_autofree char *text = intake_server_b64_encode (data, len);

  intake_json_write_member (out, FALSE, name, text);
}

/* A receipt's proof: a batch receipt's index, count, path and root signature, or the single
 * signature of a receipt stored before batch receipts. */
static void
write_receipt_proof (GString *out, const IntakeServerSubmission *sub)
{
  gsize len = 0;
  const guint8 *path = (const guint8 *) "";

  if (sub->receipt_count == 0)
    {
      write_b64_member (out, "signature", sub->receipt_signature, INTAKE_SIGNATURE_BYTES);
      return;
    }
  g_string_append_printf (out, ",\"index\":%d,\"count\":%d", (int) sub->receipt_index,
                          (int) sub->receipt_count);
  if (sub->receipt_path != NULL)
    path = g_bytes_get_data (sub->receipt_path, &len);
  write_b64_member (out, "path", path, len);
  write_b64_member (out, "root_signature", sub->receipt_signature, INTAKE_SIGNATURE_BYTES);
}

static IntakeServerResponse *
handle_submissions (IntakeServer *self,
                    const IntakeServerRequest *request,
                    IntakeServerDevice *device)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) inflated = NULL;
  g_autoptr (GPtrArray) envelopes = NULL;
  g_autoptr (GPtrArray) valid = g_ptr_array_new ();
  GString *out;
  g_autofree char *server_time = intake_server_now_iso8601 ();
  const char *body = (const char *) request->body;
  size_t body_len = request->body_len;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int stored = 0, duplicate = 0, conflict = 0, invalid = 0;
  IntakeServerResponse *response;
  gboolean ok;

  if (body_len > INTAKE_SERVER_MAX_BODY)
    return error_response (413, "too_large", "a batch is at most 8 MiB as sent");
  if (request->content_encoding != NULL &&
      g_ascii_strcasecmp (request->content_encoding, "identity") != 0)
    {
      if (g_ascii_strcasecmp (request->content_encoding, "gzip") != 0)
        return error_response (400, "bad_request", "the only Content-Encoding taken is gzip");
      inflated = intake_server_gunzip (request->body, request->body_len,
                                       INTAKE_SERVER_MAX_UNPACKED, &error);
      if (inflated == NULL)
        return request_error_response (error);
      body = g_bytes_get_data (inflated, &body_len);
    }

  envelopes = intake_server_parse_submissions (body, body_len, device->device_id, &error);
  if (envelopes == NULL)
    return request_error_response (error);
  intake_server_verify_envelopes (envelopes, device->sign_pk);

  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeServerEnvelope *env = g_ptr_array_index (envelopes, i);
      IntakeServerSubmission *sub = env->submission;

      if (env->status != 200)
        continue;
      sub->server_time = g_strdup (server_time);
      sub->received = now;
      intake_receipt_leaf_hash (sub->submission_id, env->content_hash_b64, server_time,
                                sub->receipt_leaf);
      g_ptr_array_add (valid, sub);
    }

  g_mutex_lock (&self->store_lock);
  ok = valid->len == 0 || intake_server_store_submissions_put (self->store, valid, seal_receipts,
                                                               self, &error);
  g_mutex_unlock (&self->store_lock);
  if (!ok)
    return unavailable_response (error);

  /* The answer written straight out: a tree of a batch's receipts cost more to build than the
   * text itself. */
  out = g_string_sized_new (256 + envelopes->len * 768);
  g_string_append (out, "{\"results\":[");
  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeServerEnvelope *env = g_ptr_array_index (envelopes, i);
      IntakeServerSubmission *sub = env->submission;

      g_string_append (out, i ? ",{\"submission_id\":" : "{\"submission_id\":");
      if (env->submission_id != NULL)
        intake_json_write_string (out, env->submission_id);
      else
        g_string_append (out, "null");
      if (env->status != 200)
        {
          invalid++;
          g_string_append (out, ",\"status\":400");
          intake_json_write_member (out, FALSE, "error", "invalid");
          intake_json_write_member (out, FALSE, "reason",
                                    env->reason ? env->reason : "the envelope is invalid");
        }
      else if (sub->result == INTAKE_SERVER_PUT_CONFLICT)
        {
          conflict++;
          g_string_append (out, ",\"status\":409");
          intake_json_write_member (out, FALSE, "error", "conflict");
          intake_json_write_member (out, FALSE, "reason",
                                    "this submission id is stored with other content; the "
                                    "stored envelope is kept");
        }
      else
        {
          if (sub->result == INTAKE_SERVER_PUT_NEW)
            stored++;
          else
            duplicate++;
          g_string_append (out, ",\"status\":200,\"receipt\":{");
          intake_json_write_member (out, TRUE, "submission_id", sub->submission_id);
          intake_json_write_member (out, FALSE, "content_hash", env->content_hash_b64);
          intake_json_write_member (out, FALSE, "server_time", sub->server_time);
          write_receipt_proof (out, sub);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");

  response = response_new (200, g_string_free (out, FALSE));
  response->log_detail = g_strdup_printf ("envelopes=%u stored=%d duplicate=%d conflict=%d "
                                          "invalid=%d",
                                          envelopes->len, stored, duplicate, conflict, invalid);
  return response;
}

IntakeServerResponse *
intake_server_handle (IntakeServer *self, const IntakeServerRequest *request)
{
  g_autoptr (IntakeServerDevice) device = NULL;
  IntakeServerResponse *response = NULL;
  const char *path = request->path;
  gboolean is_get = g_strcmp0 (request->method, "GET") == 0;
  gboolean is_post = g_strcmp0 (request->method, "POST") == 0;
  gboolean wants_post;

  g_return_val_if_fail (INTAKE_IS_SERVER (self), NULL);

  if (g_strcmp0 (path, "/v1/health") == 0 || g_strcmp0 (path, "/v1/device") == 0 ||
      g_strcmp0 (path, "/v1/forms") == 0)
    wants_post = FALSE;
  else if (g_strcmp0 (path, "/v1/enroll") == 0 || g_strcmp0 (path, "/v1/submissions") == 0 ||
           g_strcmp0 (path, "/v1/device/wiped") == 0)
    wants_post = TRUE;
  else
    return error_response (404, "not_found", "no such endpoint in protocol v1");
  if ((wants_post && !is_post) || (!wants_post && !is_get))
    return error_response (405, "method_not_allowed",
                           wants_post ? "this endpoint takes POST" : "this endpoint takes GET");
  if (request->has_query)
    return error_response (400, "bad_request", "v1 endpoints take no query string");

  if (g_strcmp0 (path, "/v1/health") == 0)
    return handle_health (self);
  if (g_strcmp0 (path, "/v1/enroll") == 0)
    {
      if (request->body_len > INTAKE_SERVER_MAX_SMALL_BODY)
        return error_response (413, "too_large", "an enrollment is at most 4 KiB");
      return handle_enroll (self, request);
    }

  device = authenticate (self, request, &response);
  if (device == NULL)
    {
      response->device_id = g_strdup (request->device_id);
      return response;
    }
  if (g_strcmp0 (path, "/v1/submissions") == 0)
    response = handle_submissions (self, request, device);
  else if (g_strcmp0 (path, "/v1/device") == 0)
    response = handle_device (self, device);
  else if (g_strcmp0 (path, "/v1/device/wiped") == 0)
    response = handle_device_wiped (self, device);
  else
    response = handle_forms (self);
  response->device_id = g_strdup (device->device_id);
  return response;
}

/* The HTTP layer. */

typedef struct
{
  GByteArray *body;
  size_t limit;
  size_t received;
  gboolean too_large;
} Upload;

static void
upload_free (Upload *upload)
{
  if (upload->body != NULL)
    g_byte_array_unref (upload->body);
  g_free (upload);
}

static enum MHD_Result
queue_response (struct MHD_Connection *connection,
                const char *method,
                const char *path,
                IntakeServerResponse *response)
{
  struct MHD_Response *mhd;
  enum MHD_Result ret;
  /* The path and the claimed device id come from the client: escaped and cut short, so that
   * nobody can write a line of their own into the log. */
  g_autofree char *safe_method = g_strescape (method, NULL);
  g_autofree char *safe_path = g_strescape (path, NULL);
  g_autofree char *safe_device = g_strescape (response->device_id != NULL ? response->device_id
                                                                          : "-",
                                              NULL);

  if (strlen (safe_method) > LOG_FIELD_MAX)
    safe_method[LOG_FIELD_MAX] = '\0';
  if (strlen (safe_path) > LOG_FIELD_MAX)
    safe_path[LOG_FIELD_MAX] = '\0';
  if (strlen (safe_device) > LOG_FIELD_MAX)
    safe_device[LOG_FIELD_MAX] = '\0';
  /* One line per request, with ids and counts: never a body, a token or a header value. */
  g_printerr ("intake-server: method=%s path=%s status=%d device=%s%s%s\n", safe_method, safe_path,
              response->status, safe_device, response->log_detail != NULL ? " " : "",
              response->log_detail != NULL ? response->log_detail : "");
  mhd = MHD_create_response_from_buffer (strlen (response->body), response->body,
                                         MHD_RESPMEM_MUST_COPY);
  if (mhd == NULL)
    return MHD_NO;
  MHD_add_response_header (mhd, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  if (response->retry_after > 0)
    {
      char value[16];

      g_snprintf (value, sizeof value, "%d", response->retry_after);
      MHD_add_response_header (mhd, MHD_HTTP_HEADER_RETRY_AFTER, value);
    }
  ret = MHD_queue_response (connection, (unsigned int) response->status, mhd);
  MHD_destroy_response (mhd);
  return ret;
}

static gboolean
is_authenticated_path (const char *path)
{
  return g_strcmp0 (path, "/v1/submissions") == 0 || g_strcmp0 (path, "/v1/device") == 0 ||
         g_strcmp0 (path, "/v1/forms") == 0 || g_strcmp0 (path, "/v1/device/wiped") == 0;
}

/* Whether a Content-Type header names JSON: "application/json", in any case, with or without
 * parameters such as "; charset=utf-8". */
static gboolean
is_json_media_type (const char *value)
{
  g_autofree char *type = NULL;
  const char *semicolon;

  if (value == NULL)
    return FALSE;
  semicolon = strchr (value, ';');
  type = semicolon != NULL ? g_strndup (value, (gsize) (semicolon - value)) : g_strdup (value);
  g_strstrip (type);
  return g_ascii_strcasecmp (type, "application/json") == 0;
}

static enum MHD_Result
access_cb (void *cls,
           struct MHD_Connection *connection,
           const char *url,
           const char *method,
           const char *version,
           const char *upload_data,
           size_t *upload_data_size,
           void **con_cls)
{
  IntakeServer *self = cls;
  Upload *upload = *con_cls;
  g_autoptr (IntakeServerResponse) response = NULL;
  IntakeServerRequest request = { 0 };

  if (upload == NULL)
    {
      const char *length = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                        MHD_HTTP_HEADER_CONTENT_LENGTH);

      upload = g_new0 (Upload, 1);
      upload->body = g_byte_array_new ();
      upload->limit = INTAKE_SERVER_MAX_SMALL_BODY;
      *con_cls = upload;
      /* An authenticated endpoint's request must name a device that may send before any of its
       * body is read; only then may a batch be large. Anything else (an enrollment, which no
       * device has signed yet, or a path that does not exist) is held to a few KiB. */
      if (is_authenticated_path (url))
        {
          response = check_before_body (
            self, MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "Intake-Device"),
            MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "Intake-Signature"));
          if (response != NULL)
            {
              g_free (response->device_id);
              response->device_id = g_strdup (
                MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "Intake-Device"));
              return queue_response (connection, method, url, response);
            }
          if (g_strcmp0 (url, "/v1/submissions") == 0)
            upload->limit = INTAKE_SERVER_MAX_BODY;
        }
      /* Every body this protocol takes is JSON; anything else (a form post, plain text) is
       * refused before it is read, with a status that says so. */
      if (g_strcmp0 (method, "POST") == 0
          && (g_strcmp0 (url, "/v1/enroll") == 0 || g_strcmp0 (url, "/v1/submissions") == 0
              || g_strcmp0 (url, "/v1/device/wiped") == 0)
          && !is_json_media_type (MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                               MHD_HTTP_HEADER_CONTENT_TYPE)))
        {
          response = error_response (415, "unsupported_media_type",
                                     "the body must be JSON, sent as Content-Type: "
                                     "application/json");
          return queue_response (connection, method, url, response);
        }
      /* A declared length over the limit is refused before a byte of it is read; libmicrohttpd
       * then closes the connection instead of reading the rest. */
      if (length != NULL && g_ascii_strtoull (length, NULL, 10) > upload->limit)
        {
          response = error_response (413, "too_large", "the body is over the size limit");
          return queue_response (connection, method, url, response);
        }
      return MHD_YES;
    }

  if (*upload_data_size > 0)
    {
      upload->received += *upload_data_size;
      if (upload->received > upload->limit)
        {
          /* A chunked body declares no length: drop what came so far and, past four times the
           * limit, the connection too. */
          upload->too_large = TRUE;
          g_byte_array_set_size (upload->body, 0);
          if (upload->received > 4 * (size_t) upload->limit)
            return MHD_NO;
        }
      else
        g_byte_array_append (upload->body, (const guint8 *) upload_data,
                             (guint) *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }

  if (upload->too_large)
    response = error_response (413, "too_large", "the body is over the size limit");
  else
    {
      request.method = method;
      request.path = url;
      request.has_query = MHD_get_connection_values (connection, MHD_GET_ARGUMENT_KIND, NULL,
                                                     NULL) > 0;
      request.device_id = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                       "Intake-Device");
      request.signature = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                       "Intake-Signature");
      request.content_encoding = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                              MHD_HTTP_HEADER_CONTENT_ENCODING);
      request.body = upload->body->data;
      request.body_len = upload->body->len;
      response = intake_server_handle (self, &request);
    }
  return queue_response (connection, method, url, response);
}

static void
completed_cb (void *cls,
              struct MHD_Connection *connection,
              void **con_cls,
              enum MHD_RequestTerminationCode toe)
{
  if (*con_cls != NULL)
    upload_free (*con_cls);
  *con_cls = NULL;
}

static gboolean
resolve_listen_address (const char *host, guint16 port, GSocketAddress **out, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;

  if (g_strcmp0 (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, INTAKE_SERVER_ERROR, INTAKE_SERVER_ERROR_LISTEN,
                   "cannot listen on \"%s\": give an IP address (or localhost)", host);
      return FALSE;
    }
  *out = g_inet_socket_address_new (address, port);
  return TRUE;
}

gboolean
intake_server_start (IntakeServer *self,
                     const char *host,
                     guint16 port,
                     const char *tls_cert_file,
                     const char *tls_key_file,
                     GError **error)
{
  g_autoptr (GSocketAddress) address = NULL;
  struct sockaddr_storage native;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  gboolean tls = tls_cert_file != NULL || tls_key_file != NULL;
  const union MHD_DaemonInfo *info;

  g_return_val_if_fail (INTAKE_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->daemon == NULL, FALSE);

  if (!resolve_listen_address (host, port, &address, error))
    return FALSE;
  if (!tls && !g_inet_address_get_is_loopback (
                g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address))))
    {
      g_set_error (error, INTAKE_SERVER_ERROR, INTAKE_SERVER_ERROR_INSECURE,
                   "refusing plain HTTP on %s, which is not a loopback address: give "
                   "--tls-cert and --tls-key", host);
      return FALSE;
    }
  if (tls)
    {
      g_autofree char *key = NULL;
      size_t key_len = 0;

      if (tls_cert_file == NULL || tls_key_file == NULL)
        {
          g_set_error_literal (error, INTAKE_SERVER_ERROR, INTAKE_SERVER_ERROR_TLS,
                               "TLS needs both --tls-cert and --tls-key");
          return FALSE;
        }
      if (!MHD_is_feature_supported (MHD_FEATURE_TLS))
        {
          g_set_error_literal (error, INTAKE_SERVER_ERROR, INTAKE_SERVER_ERROR_TLS,
                               "this libmicrohttpd was built without TLS");
          return FALSE;
        }
      if (!g_file_get_contents (tls_cert_file, &self->tls_cert, NULL, error) ||
          !g_file_get_contents (tls_key_file, &key, &key_len, error))
        return FALSE;
      self->tls_key = intake_secret_new_from_data (key, key_len + 1);
      sodium_memzero (key, key_len);
      flags |= MHD_USE_TLS;
    }
  if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    flags |= MHD_USE_IPv6;
  if (!g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;

  if (tls)
    self->daemon = MHD_start_daemon (flags, port, NULL, NULL, access_cb, self,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &native,
                                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) THREAD_POOL_SIZE,
                                     MHD_OPTION_CONNECTION_TIMEOUT,
                                     (unsigned int) CONNECTION_TIMEOUT_SECONDS,
                                     MHD_OPTION_CONNECTION_LIMIT, self->connection_limit,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                     self->per_ip_connection_limit,
                                     MHD_OPTION_NOTIFY_COMPLETED, completed_cb, self,
                                     MHD_OPTION_HTTPS_MEM_CERT, self->tls_cert,
                                     MHD_OPTION_HTTPS_MEM_KEY, (const char *) self->tls_key->data,
                                     MHD_OPTION_END);
  else
    self->daemon = MHD_start_daemon (flags, port, NULL, NULL, access_cb, self,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &native,
                                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) THREAD_POOL_SIZE,
                                     MHD_OPTION_CONNECTION_TIMEOUT,
                                     (unsigned int) CONNECTION_TIMEOUT_SECONDS,
                                     MHD_OPTION_CONNECTION_LIMIT, self->connection_limit,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                     self->per_ip_connection_limit,
                                     MHD_OPTION_NOTIFY_COMPLETED, completed_cb, self,
                                     MHD_OPTION_END);
  if (self->daemon == NULL)
    {
      g_set_error (error, INTAKE_SERVER_ERROR, INTAKE_SERVER_ERROR_LISTEN,
                   "cannot listen on %s port %u%s", host, (unsigned int) port,
                   tls ? " (or the TLS certificate and key do not load)" : "");
      return FALSE;
    }
  info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
  self->port = info != NULL ? info->port : port;
  return TRUE;
}

guint16
intake_server_get_port (IntakeServer *self)
{
  return self->port;
}

void
intake_server_stop (IntakeServer *self)
{
  if (self->daemon != NULL)
    MHD_stop_daemon (self->daemon);
  self->daemon = NULL;
  g_clear_pointer (&self->tls_key, intake_secret_free);
  g_clear_pointer (&self->tls_cert, g_free);
}
