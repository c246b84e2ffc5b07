/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-crypto.h"
#include "intake-receipt.h"
#include "intake-server-store.h"
#include "server-harness.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

/* The server black-box suite: the real intake-server, started on a loopback port, spoken to over
 * real HTTP with libcurl, its requests signed with libsodium as a tablet would. The same suite
 * runs against SQLite and against a throwaway PostgreSQL (INTAKE_TEST_BACKEND). */

typedef struct
{
  const char *bin;
  const char *backend;
  char *dir;
  char *db;
  char *key_file;
  IntakeTestPg *pg;
  IntakeTestServe *serve;
  const char *base;
  int device_counter;
} Suite;

static Suite suite;

typedef struct
{
  char *id;
  char *name;
  guint8 pk[crypto_sign_PUBLICKEYBYTES];
  guint8 sk[crypto_sign_SECRETKEYBYTES];
  guint8 org_pk[crypto_box_PUBLICKEYBYTES];
  guint8 server_pk[crypto_sign_PUBLICKEYBYTES];
} Device;

static void
device_free (Device *d)
{
  g_free (d->id);
  g_free (d->name);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Device, device_free)

typedef struct
{
  long status;
  char *body;
  JsonNode *json;
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->body);
  if (r->json != NULL)
    json_node_unref (r->json);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* Helpers. */

static char *
b64 (const guint8 *data, size_t len)
{
  size_t n = sodium_base64_encoded_len (len, sodium_base64_VARIANT_ORIGINAL);
  char *out = g_malloc (n);

  sodium_bin2base64 (out, n, data, len, sodium_base64_VARIANT_ORIGINAL);
  return out;
}

static GBytes *
unb64 (const char *text)
{
  size_t len = strlen (text);
  guint8 *bin = g_malloc (len + 1);
  size_t bin_len = 0;

  g_assert_cmpint (sodium_base642bin (bin, len + 1, text, len, NULL, &bin_len, NULL,
                                      sodium_base64_VARIANT_ORIGINAL), ==, 0);
  return g_bytes_new_take (bin, bin_len);
}

static char *
hex_hash (const void *data, size_t len)
{
  guint8 h[crypto_generichash_BYTES];
  char *hex = g_malloc (sizeof h * 2 + 1);

  crypto_generichash (h, sizeof h, data, len, NULL, 0);
  sodium_bin2hex (hex, sizeof h * 2 + 1, h, sizeof h);
  return hex;
}

static size_t
write_cb (char *ptr, size_t size, size_t nmemb, void *user_data)
{
  g_string_append_len (user_data, ptr, (gssize) (size * nmemb));
  return size * nmemb;
}

typedef struct
{
  const char *base;
  const char *cainfo;
  const char *device_id;
  const guint8 *sk;
  const char *sign_path;
  const char *content_encoding;
  gboolean no_signature;
} RequestOptions;

/* Sends one request; returns NULL when no HTTP answer came (connection or TLS failure). */
static Reply *
request_full (const RequestOptions *o, const char *method, const char *path, const void *body,
              size_t len)
{
  CURL *curl = curl_easy_init ();
  struct curl_slist *headers = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *url = g_strconcat (o->base != NULL ? o->base : suite.base, path, NULL);
  Reply *reply;
  CURLcode rc;

  headers = curl_slist_append (headers, "Content-Type: application/json");
  if (o->device_id != NULL)
    {
      g_autofree char *h = g_strdup_printf ("Intake-Device: %s", o->device_id);
      headers = curl_slist_append (headers, h);
    }
  if (o->sk != NULL && !o->no_signature)
    {
      g_autofree char *hex = hex_hash (body, body != NULL ? len : 0);
      g_autofree char *msg = g_strdup_printf ("intake-request-v1\n%s\n%s\n%s", method,
                                              o->sign_path != NULL ? o->sign_path : path, hex);
      guint8 sig[crypto_sign_BYTES];
      g_autofree char *sig_b64 = NULL;
      g_autofree char *h = NULL;

      crypto_sign_detached (sig, NULL, (const guint8 *) msg, strlen (msg), o->sk);
      sig_b64 = b64 (sig, sizeof sig);
      h = g_strdup_printf ("Intake-Signature: %s", sig_b64);
      headers = curl_slist_append (headers, h);
    }
  if (o->content_encoding != NULL)
    {
      g_autofree char *h = g_strdup_printf ("Content-Encoding: %s", o->content_encoding);
      headers = curl_slist_append (headers, h);
    }
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, out);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  if (o->cainfo != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, o->cainfo);
  if (g_strcmp0 (method, "POST") == 0)
    {
      curl_easy_setopt (curl, CURLOPT_POST, 1L);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) (body != NULL ? len : 0));
    }
  else if (g_strcmp0 (method, "GET") != 0)
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);

  rc = curl_easy_perform (curl);
  if (rc != CURLE_OK)
    {
      g_test_message ("%s %s: %s", method, url, curl_easy_strerror (rc));
      curl_slist_free_all (headers);
      curl_easy_cleanup (curl);
      return NULL;
    }
  reply = g_new0 (Reply, 1);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  reply->body = g_strdup (out->str);
  reply->json = json_from_string (out->str, NULL);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  return reply;
}

static Reply *
request (const Device *d, const char *method, const char *path, const char *body)
{
  RequestOptions o = { 0 };

  if (d != NULL)
    {
      o.device_id = d->id;
      o.sk = d->sk;
    }
  return request_full (&o, method, path, body, body != NULL ? strlen (body) : 0);
}

static JsonObject *
reply_object (Reply *r)
{
  g_assert_nonnull (r);
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

static void
assert_error (Reply *r, long status, const char *code)
{
  g_assert_nonnull (r);
  if (r->status != status)
    g_test_message ("body: %s", r->body);
  g_assert_cmpint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (reply_object (r), "error"), ==, code);
  g_assert_nonnull (json_object_get_string_member (reply_object (r), "reason"));
}

static char *
last_word (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *space = strrchr (copy, '\n');
  const char *s2 = strrchr (copy, ' ');

  if (s2 != NULL && (space == NULL || s2 > space))
    space = s2;
  return g_strdup (space != NULL ? space + 1 : copy);
}

static char *
add_device (const char *name, const char *expires_days)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (expires_days != NULL)
    status = intake_test_run (suite.bin, &out, &err, "--db", suite.db, "device", "add", name,
                              "--expires-days", expires_days, NULL);
  else
    status = intake_test_run (suite.bin, &out, &err, "--db", suite.db, "device", "add", name,
                              NULL);
  if (status != 0)
    g_test_message ("device add: %s", err);
  g_assert_cmpint (status, ==, 0);
  return last_word (out);
}

static char *
enroll_body (const char *token, const char *device_id, const guint8 *pk)
{
  g_autofree char *pk_b64 = b64 (pk, crypto_sign_PUBLICKEYBYTES);

  return g_strdup_printf ("{\"token\": \"%s\", \"device_id\": \"%s\", \"name\": \"tablet\", "
                          "\"sign_pk\": \"%s\"}",
                          token, device_id, pk_b64);
}

static Device *
device_new_keys (void)
{
  Device *d = g_new0 (Device, 1);

  d->id = intake_uuid_new ();
  crypto_sign_keypair (d->pk, d->sk);
  return d;
}

static void
copy_b64_member (JsonObject *obj, const char *name, guint8 *out, size_t len)
{
  g_autoptr (GBytes) bytes = unb64 (json_object_get_string_member (obj, name));

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, len);
  memcpy (out, g_bytes_get_data (bytes, NULL), len);
}

static Device *
enroll_new_device (void)
{
  g_autoptr (Device) d = device_new_keys ();
  g_autofree char *token = NULL;
  g_autofree char *body = NULL;
  g_autoptr (Reply) r = NULL;
  JsonObject *obj;

  d->name = g_strdup_printf ("tablet-%d", ++suite.device_counter);
  token = add_device (d->name, NULL);
  body = enroll_body (token, d->id, d->pk);
  r = request (NULL, "POST", "/v1/enroll", body);
  g_assert_nonnull (r);
  g_assert_cmpint (r->status, ==, 200);
  obj = reply_object (r);
  g_assert_cmpstr (json_object_get_string_member (obj, "device_id"), ==, d->id);
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, d->name);
  copy_b64_member (obj, "org_data_pk", d->org_pk, sizeof d->org_pk);
  copy_b64_member (obj, "server_sign_pk", d->server_pk, sizeof d->server_pk);
  return g_steal_pointer (&d);
}

static char *
plaintext_for (const Device *d, const char *submission_id, const char *answers_json)
{
  return g_strdup_printf ("{\"format\": \"intake-submission-v1\", \"submission_id\": \"%s\", "
                          "\"device_id\": \"%s\", \"sealed_at\": \"2026-01-01T00:00:00Z\", "
                          "\"interview\": {\"id\": \"iv-%s\", \"form_id\": \"screening\", "
                          "\"form_version\": 3, \"author\": \"worker\", \"void\": false, "
                          "\"created\": \"2026-01-01T00:00:00Z\", \"pseudonym\": \"P-1\", "
                          "\"answers\": %s, \"review_note\": null, \"void_reason\": null, "
                          "\"screening_result\": {\"level\": \"high\", \"urgent\": true, "
                          "\"reasons\": [\"r1\"]}}}",
                          submission_id, d->id, submission_id,
                          answers_json != NULL ? answers_json : "{}");
}

/* One envelope as a device would build it; *hash_out gets its content hash in base64. */
static char *
envelope_for (const Device *d, const char *submission_id, const char *plaintext, char **hash_out)
{
  g_autoptr (GBytes) sealed = intake_seal (d->org_pk, (const guint8 *) plaintext,
                                           strlen (plaintext));
  guint8 hash[crypto_generichash_BYTES];
  guint8 sig[crypto_sign_BYTES];
  g_autofree char *sealed_b64 = NULL;
  g_autofree char *hash_b64 = NULL;
  g_autofree char *sig_b64 = NULL;
  g_autofree char *msg = NULL;

  crypto_generichash (hash, sizeof hash, g_bytes_get_data (sealed, NULL),
                      g_bytes_get_size (sealed), NULL, 0);
  hash_b64 = b64 (hash, sizeof hash);
  msg = g_strdup_printf ("intake-envelope-v1\n%s\n%s", submission_id, hash_b64);
  crypto_sign_detached (sig, NULL, (const guint8 *) msg, strlen (msg), d->sk);
  sealed_b64 = b64 (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  sig_b64 = b64 (sig, sizeof sig);
  if (hash_out != NULL)
    *hash_out = g_strdup (hash_b64);
  return g_strdup_printf ("{\"submission_id\": \"%s\", \"sealed\": \"%s\", \"content_hash\": "
                          "\"%s\", \"signature\": \"%s\"}",
                          submission_id, sealed_b64, hash_b64, sig_b64);
}

static char *
batch_of (const char *const *envelopes, size_t n)
{
  g_autoptr (GString) s = g_string_new ("{\"envelopes\": [");

  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, envelopes[i]);
    }
  g_string_append (s, "]}");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JsonObject *
result_at (Reply *r, guint i)
{
  JsonArray *results;

  g_assert_nonnull (r);
  if (r->status != 200)
    g_test_message ("body: %s", r->body);
  g_assert_cmpint (r->status, ==, 200);
  results = json_object_get_array_member (reply_object (r), "results");
  g_assert_nonnull (results);
  g_assert_cmpuint (i, <, json_array_get_length (results));
  return json_array_get_object_element (results, i);
}

/* A batch receipt for exactly this id and hash: its path leads to a root that the server's key
 * signed. Returns the receipt. */
static JsonObject *
assert_receipt (const Device *d, JsonObject *result, const char *id, const char *hash)
{
  JsonObject *receipt;

  g_assert_cmpint (json_object_get_int_member (result, "status"), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (result, "submission_id"), ==, id);
  receipt = json_object_get_object_member (result, "receipt");
  g_assert_nonnull (receipt);
  g_assert_cmpstr (json_object_get_string_member (receipt, "submission_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (receipt, "content_hash"), ==, hash);
  g_assert_true (json_object_has_member (receipt, "path"));
  g_assert_true (json_object_has_member (receipt, "root_signature"));
  g_assert_false (json_object_has_member (receipt, "signature"));
  g_assert_true (intake_receipt_verify (receipt, id, hash, d->server_pk, NULL));
  return receipt;
}

static char *
receipt_text (JsonObject *result)
{
  return json_to_string (json_object_get_member (result, "receipt"), FALSE);
}

static void
assert_result_status (Reply *r, guint i, int status, const char *error)
{
  JsonObject *res = result_at (r, i);

  if (json_object_get_int_member (res, "status") != status)
    g_test_message ("result: %s", r->body);
  g_assert_cmpint (json_object_get_int_member (res, "status"), ==, status);
  if (error != NULL)
    {
      g_assert_cmpstr (json_object_get_string_member (res, "error"), ==, error);
      g_assert_nonnull (json_object_get_string_member (res, "reason"));
      g_assert_false (json_object_has_member (res, "receipt"));
    }
}

static Reply *
post_one (const Device *d, const char *envelope)
{
  g_autofree char *body = batch_of (&envelope, 1);

  return request (d, "POST", "/v1/submissions", body);
}

static GBytes *
gzip_bytes (const void *data, size_t len)
{
  g_autoptr (GConverter) c = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP,
                                                                  6));
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 buf[65536];
  size_t pos = 0;

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult res = g_converter_convert (c, (const guint8 *) data + pos, len - pos, buf,
                                                  sizeof buf, G_CONVERTER_INPUT_AT_END, &read,
                                                  &written, NULL);

      g_assert_cmpint (res, !=, G_CONVERTER_ERROR);
      pos += read;
      g_byte_array_append (out, buf, (guint) written);
      if (res == G_CONVERTER_FINISHED)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Tests. */

static void
test_health (void)
{
  g_autoptr (Reply) r = request (NULL, "GET", "/v1/health", NULL);

  g_assert_nonnull (r);
  g_assert_cmpint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (r), "status"), ==, "ok");
  g_assert_nonnull (json_object_get_string_member (reply_object (r), "server_time"));
}

static void
test_unknown_requests (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (Reply) r1 = request (NULL, "GET", "/v2/health", NULL);
  g_autoptr (Reply) r2 = request (NULL, "GET", "/", NULL);
  g_autoptr (Reply) r3 = request (NULL, "DELETE", "/v1/health", NULL);
  g_autoptr (Reply) r4 = request (NULL, "GET", "/v1/enroll", NULL);
  g_autoptr (Reply) r5 = request (d, "GET", "/v1/device?x=1", NULL);
  g_autoptr (Reply) r6 = request (d, "POST", "/v1/device", "{}");

  assert_error (r1, 404, "not_found");
  assert_error (r2, 404, "not_found");
  assert_error (r3, 405, "method_not_allowed");
  assert_error (r4, 405, "method_not_allowed");
  assert_error (r5, 400, "bad_request");
  assert_error (r6, 405, "method_not_allowed");
}

static void
test_enroll (void)
{
  g_autoptr (Device) d = device_new_keys ();
  g_autoptr (Device) other = device_new_keys ();
  g_autofree char *token = add_device ("enroll-good", NULL);
  g_autofree char *body = enroll_body (token, d->id, d->pk);
  g_autofree char *body_other = enroll_body (token, other->id, other->pk);
  g_autoptr (Reply) r = request (NULL, "POST", "/v1/enroll", body);
  g_autoptr (Reply) again = NULL;
  g_autoptr (Reply) reused = NULL;
  g_autoptr (Reply) dev = NULL;
  guint8 fingerprint[crypto_generichash_BYTES];
  g_autofree char *fp_text = NULL;
  JsonObject *obj;

  g_assert_nonnull (r);
  g_assert_cmpint (r->status, ==, 200);
  obj = reply_object (r);
  g_assert_cmpstr (json_object_get_string_member (obj, "device_id"), ==, d->id);
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, "enroll-good");
  g_assert_nonnull (json_object_get_string_member (obj, "server_time"));
  g_assert_cmpuint (g_bytes_get_size (unb64 (json_object_get_string_member (obj, "org_data_pk"))),
                    ==, 32);

  /* The token pins the server and the organisation: SECRET.SERVER.ORG, each fingerprint the
   * hash of the key the answer carries. */
  {
    const char *keys[] = { "server_sign_pk", "org_data_pk" };
    g_autoptr (GString) suffix = g_string_new (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_autoptr (GBytes) pk = unb64 (json_object_get_string_member (obj, keys[i]));
        char text[64];

        crypto_generichash (fingerprint, sizeof fingerprint, g_bytes_get_data (pk, NULL),
                            g_bytes_get_size (pk), NULL, 0);
        sodium_bin2base64 (text, sizeof text, fingerprint, 16,
                           sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        g_string_append_printf (suffix, ".%s", text);
      }
    fp_text = g_string_free (g_steal_pointer (&suffix), FALSE);
  }
  g_assert_true (g_str_has_suffix (token, fp_text));

  /* The same tablet asking again (its answer was lost) is the same enrollment. */
  again = request (NULL, "POST", "/v1/enroll", body);
  g_assert_cmpint (again->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (again), "device_id"), ==, d->id);

  /* Anyone else with the used token is refused. */
  reused = request (NULL, "POST", "/v1/enroll", body_other);
  assert_error (reused, 401, "bad_token");

  memcpy (d->sk + 0, d->sk, 0);
  dev = request (d, "GET", "/v1/device", NULL);
  g_assert_cmpint (dev->status, ==, 200);
}

static void
test_enroll_refused (void)
{
  g_autoptr (Device) d = device_new_keys ();
  g_autofree char *expired = add_device ("enroll-expired", "0");
  g_autofree char *fresh = add_device ("enroll-fresh", NULL);
  g_autofree char *body = NULL;
  g_autoptr (Reply) r = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *bad_token = NULL;
  g_autoptr (Device) first = enroll_new_device ();
  static const char *const malformed[] = {
    "", "garbage\x01\xff", "[]", "{}", "{\"token\": 5, \"device_id\": \"x\", \"sign_pk\": \"x\"}",
    ("{\"token\": \"abc\", \"device_id\": \"0b0e4c9e-2c4d-4f4e-9a51-1f0e2d3c4b5a\", "
     "\"sign_pk\": \"AAAA\"}"),
  };

  body = enroll_body (expired, d->id, d->pk);
  r = request (NULL, "POST", "/v1/enroll", body);
  assert_error (r, 401, "bad_token");
  g_clear_pointer (&r, reply_free);
  g_clear_pointer (&body, g_free);

  /* A well-formed token this server never issued. */
  fp = g_strdup (strchr (fresh, '.'));
  bad_token = g_strconcat ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", fp, NULL);
  body = enroll_body (bad_token, d->id, d->pk);
  r = request (NULL, "POST", "/v1/enroll", body);
  assert_error (r, 401, "bad_token");
  g_clear_pointer (&r, reply_free);
  g_clear_pointer (&body, g_free);

  /* A real token with another server's fingerprint. */
  g_clear_pointer (&bad_token, g_free);
  bad_token = g_strdup (fresh);
  strchr (bad_token, '.')[1] = strchr (bad_token, '.')[1] == 'A' ? 'B' : 'A';
  body = enroll_body (bad_token, d->id, d->pk);
  r = request (NULL, "POST", "/v1/enroll", body);
  assert_error (r, 401, "bad_token");
  g_clear_pointer (&r, reply_free);
  g_clear_pointer (&body, g_free);

  /* A good token for a device id that is already enrolled. */
  body = enroll_body (fresh, first->id, d->pk);
  r = request (NULL, "POST", "/v1/enroll", body);
  assert_error (r, 409, "device_exists");
  g_clear_pointer (&r, reply_free);
  g_clear_pointer (&body, g_free);

  for (size_t i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr (Reply) m = request (NULL, "POST", "/v1/enroll", malformed[i]);

      assert_error (m, 400, "bad_request");
    }

  /* The refused attempts did not use the fresh token up. */
  body = enroll_body (fresh, d->id, d->pk);
  r = request (NULL, "POST", "/v1/enroll", body);
  g_assert_cmpint (r->status, ==, 200);
}

static void
test_submission_receipts (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{\"q\": 1}");
  g_autofree char *hash = NULL;
  g_autofree char *env = envelope_for (d, id, plain, &hash);
  g_autofree char *plain2 = plaintext_for (d, id, "{\"q\": 2}");
  g_autofree char *hash2 = NULL;
  g_autofree char *env2 = envelope_for (d, id, plain2, &hash2);
  g_autoptr (Reply) r1 = post_one (d, env);
  g_autofree char *receipt1 = NULL;
  g_autoptr (Reply) r2 = NULL;
  g_autofree char *receipt2 = NULL;
  g_autoptr (Reply) conflict = NULL;
  g_autoptr (Reply) r3 = NULL;
  g_autofree char *receipt3 = NULL;

  assert_receipt (d, result_at (r1, 0), id, hash);
  receipt1 = receipt_text (result_at (r1, 0));

  /* Idempotent: the same envelope again gets the stored receipt, server_time and all. */
  g_usleep (1100 * 1000);
  r2 = post_one (d, env);
  assert_receipt (d, result_at (r2, 0), id, hash);
  receipt2 = receipt_text (result_at (r2, 0));
  g_assert_cmpstr (receipt1, ==, receipt2);

  /* The same id with other content is a conflict for that envelope; the stored one stays. */
  conflict = post_one (d, env2);
  assert_result_status (conflict, 0, 409, "conflict");
  r3 = post_one (d, env);
  receipt3 = receipt_text (result_at (r3, 0));
  g_assert_cmpstr (receipt1, ==, receipt3);
}

static void
test_submission_batch (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (GPtrArray) envs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = NULL;
  g_autoptr (Reply) r = NULL;
  g_autofree char *bad_sig = NULL;
  g_autofree char *bad_hash = NULL;

  for (int i = 0; i < 5; i++)
    {
      char *id = intake_uuid_new ();
      g_autofree char *plain = plaintext_for (d, id, "{\"n\": 1}");
      char *hash = NULL;

      g_ptr_array_add (envs, envelope_for (d, id, plain, &hash));
      g_ptr_array_add (ids, id);
      g_ptr_array_add (hashes, hash);
    }
  /* Envelope 1 gets another envelope's signature, envelope 3 another envelope's hash. */
  {
    g_autoptr (JsonNode) e1 = json_from_string (envs->pdata[1], NULL);
    g_autoptr (JsonNode) e0 = json_from_string (envs->pdata[0], NULL);
    g_autoptr (JsonNode) e3 = json_from_string (envs->pdata[3], NULL);

    json_object_set_string_member (json_node_get_object (e1), "signature",
                                   json_object_get_string_member (json_node_get_object (e0),
                                                                  "signature"));
    json_object_set_string_member (json_node_get_object (e3), "content_hash",
                                   json_object_get_string_member (json_node_get_object (e0),
                                                                  "content_hash"));
    bad_sig = json_to_string (e1, FALSE);
    bad_hash = json_to_string (e3, FALSE);
    g_free (envs->pdata[1]);
    envs->pdata[1] = g_strdup (bad_sig);
    g_free (envs->pdata[3]);
    envs->pdata[3] = g_strdup (bad_hash);
  }
  body = batch_of ((const char *const *) envs->pdata, envs->len);
  r = request (d, "POST", "/v1/submissions", body);
  assert_receipt (d, result_at (r, 0), ids->pdata[0], hashes->pdata[0]);
  assert_result_status (r, 1, 400, "invalid");
  assert_receipt (d, result_at (r, 2), ids->pdata[2], hashes->pdata[2]);
  assert_result_status (r, 3, 400, "invalid");
  assert_receipt (d, result_at (r, 4), ids->pdata[4], hashes->pdata[4]);
  /* One tree over the three stored envelopes, one signature for the batch (the backend may
   * order the leaves as it stores them). */
  for (guint i = 0, seen = 0; i < 5; i += 2)
    {
      JsonObject *receipt = json_object_get_object_member (result_at (r, i), "receipt");
      JsonObject *first = json_object_get_object_member (result_at (r, 0), "receipt");
      gint64 index = json_object_get_int_member (receipt, "index");

      g_assert_cmpint (json_object_get_int_member (receipt, "count"), ==, 3);
      g_assert_cmpint (index, >=, 0);
      g_assert_cmpint (index, <, 3);
      g_assert_false (seen & (1u << index));
      seen |= 1u << index;
      g_assert_cmpstr (json_object_get_string_member (receipt, "root_signature"), ==,
                       json_object_get_string_member (first, "root_signature"));
    }
}

/* A batch that mixes new envelopes with ones already stored and one that conflicts: the batch's
 * tree covers exactly what this request stored, and the others keep their stored receipts. */
static void
test_submission_receipts_cover_stored (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (GPtrArray) envs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *old_body = NULL;
  g_autofree char *body = NULL;
  g_autofree char *other_plain = NULL;
  g_autofree char *other_env = NULL;
  g_autofree char *old_receipt = NULL;
  g_autofree char *again_receipt = NULL;
  g_autoptr (Reply) first = NULL;
  g_autoptr (Reply) r = NULL;
  const char *batch[6];

  for (int i = 0; i < 4; i++)
    {
      char *id = intake_uuid_new ();
      g_autofree char *plain = plaintext_for (d, id, "{\"n\": 2}");
      char *hash = NULL;

      g_ptr_array_add (envs, envelope_for (d, id, plain, &hash));
      g_ptr_array_add (ids, id);
      g_ptr_array_add (hashes, hash);
    }
  /* Envelope 0 is stored first, alone; envelope 1's id is then sent with other content. */
  old_body = batch_of ((const char *const *) envs->pdata, 1);
  first = request (d, "POST", "/v1/submissions", old_body);
  assert_receipt (d, result_at (first, 0), ids->pdata[0], hashes->pdata[0]);
  old_receipt = receipt_text (result_at (first, 0));
  other_plain = plaintext_for (d, ids->pdata[1], "{\"n\": 3}");
  other_env = envelope_for (d, ids->pdata[1], other_plain, NULL);

  /* [stored 0, new 1, new 2, 1 again with other content, new 3, new 2 twice] */
  batch[0] = envs->pdata[0];
  batch[1] = envs->pdata[1];
  batch[2] = envs->pdata[2];
  batch[3] = other_env;
  batch[4] = envs->pdata[3];
  batch[5] = envs->pdata[2];
  body = batch_of (batch, 6);
  r = request (d, "POST", "/v1/submissions", body);
  assert_receipt (d, result_at (r, 0), ids->pdata[0], hashes->pdata[0]);
  again_receipt = receipt_text (result_at (r, 0));
  g_assert_cmpstr (again_receipt, ==, old_receipt);
  assert_result_status (r, 3, 409, "conflict");
  for (guint i = 1; i < 6; i++)
    {
      static const int which[6] = { 0, 1, 2, -1, 3, 2 };
      JsonObject *receipt;

      if (which[i] < 0)
        continue;
      receipt = assert_receipt (d, result_at (r, i), ids->pdata[which[i]],
                                hashes->pdata[which[i]]);
      /* Three envelopes were new: 1, 2 and 3. */
      g_assert_cmpint (json_object_get_int_member (receipt, "count"), ==, 3);
    }
}

/* Submission ids are the device's own: device B storing something under device A's pending id
 * does not block A's envelope, and the 409 for another hash under a stored id is per device. */
static void
test_submission_ids_per_device (void)
{
  g_autoptr (Device) a = enroll_new_device ();
  g_autoptr (Device) b = enroll_new_device ();
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain_a = plaintext_for (a, id, "{\"who\": \"a\"}");
  g_autofree char *plain_b = plaintext_for (b, id, "{\"who\": \"b\"}");
  g_autofree char *plain_b2 = plaintext_for (b, id, "{\"who\": \"b again\"}");
  g_autofree char *hash_a = NULL;
  g_autofree char *hash_b = NULL;
  g_autofree char *env_a = envelope_for (a, id, plain_a, &hash_a);
  g_autofree char *env_b = envelope_for (b, id, plain_b, &hash_b);
  g_autofree char *env_b2 = envelope_for (b, id, plain_b2, NULL);
  g_autoptr (Reply) rb = post_one (b, env_b);
  g_autoptr (Reply) ra = NULL;
  g_autoptr (Reply) ra_again = NULL;
  g_autoptr (Reply) rb_other = NULL;
  g_autofree char *receipt_a = NULL;
  g_autofree char *receipt_a_again = NULL;

  assert_receipt (b, result_at (rb, 0), id, hash_b);
  /* A's envelope under the same id is A's own: stored, with a receipt for A's hash. */
  ra = post_one (a, env_a);
  assert_receipt (a, result_at (ra, 0), id, hash_a);
  receipt_a = receipt_text (result_at (ra, 0));
  /* Idempotency stays per device: A's resend gets A's receipt back. */
  ra_again = post_one (a, env_a);
  receipt_a_again = receipt_text (result_at (ra_again, 0));
  g_assert_cmpstr (receipt_a, ==, receipt_a_again);
  /* And B's other content under B's stored id is still a conflict. */
  rb_other = post_one (b, env_b2);
  assert_result_status (rb_other, 0, 409, "conflict");
}

static void
test_submission_malformed_envelopes (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{}");
  g_autofree char *env = envelope_for (d, id, plain, NULL);
  g_autoptr (JsonNode) good = json_from_string (env, NULL);
  static const char *const fields[] = { "submission_id", "sealed", "content_hash", "signature" };
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = NULL;
  g_autoptr (Reply) r = NULL;
  g_autoptr (Reply) after = NULL;

  /* Each field missing, then each field of the wrong type, then each of the right type but
   * wrong shape. */
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr (JsonNode) copy = json_from_string (env, NULL);

      json_object_remove_member (json_node_get_object (copy), fields[i]);
      g_ptr_array_add (bad, json_to_string (copy, FALSE));
    }
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr (JsonNode) copy = json_from_string (env, NULL);

      json_object_set_int_member (json_node_get_object (copy), fields[i], 42);
      g_ptr_array_add (bad, json_to_string (copy, FALSE));
    }
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr (JsonNode) copy = json_from_string (env, NULL);

      json_object_set_string_member (json_node_get_object (copy), fields[i], "not*base64!");
      g_ptr_array_add (bad, json_to_string (copy, FALSE));
    }
  g_ptr_array_add (bad, g_strdup ("[]"));
  g_ptr_array_add (bad, g_strdup ("\"envelope\""));
  g_ptr_array_add (bad, g_strdup ("null"));
  body = batch_of ((const char *const *) bad->pdata, bad->len);
  r = request (d, "POST", "/v1/submissions", body);
  for (guint i = 0; i < bad->len; i++)
    assert_result_status (r, i, 400, "invalid");

  /* None of it was stored: the good envelope is new. */
  after = post_one (d, env);
  assert_receipt (d, result_at (after, 0), id, json_object_get_string_member (
                                                json_node_get_object (good), "content_hash"));
}

static void
test_submission_bad_bodies (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  static const char *const bodies[] = {
    "", "garbage", "\x89PNG\r\n\x1a\n\x00\x01", "[]", "{}", "{\"envelopes\": {}}",
    "{\"envelopes\": [", "\"x\"", "{\"envelopes\": null}",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      RequestOptions o = { .device_id = d->id, .sk = d->sk };
      size_t len = i == 2 ? 10 : strlen (bodies[i]);
      g_autoptr (Reply) r = request_full (&o, "POST", "/v1/submissions", bodies[i], len);

      assert_error (r, 400, "bad_request");
    }
  {
    /* Deep nesting would exhaust a recursive parser's stack. */
    g_autofree char *deep = g_strnfill (100000, '[');
    g_autoptr (Reply) r = request (d, "POST", "/v1/submissions", deep);

    assert_error (r, 400, "bad_request");
  }
}

/* The reason of a 400 answer names what is wrong. */
static void
assert_reason_mentions (Reply *r, const char *words)
{
  const char *reason;

  assert_error (r, 400, "bad_request");
  reason = json_object_get_string_member (reply_object (r), "reason");
  if (strstr (reason, words) == NULL)
    g_error ("the reason \"%s\" does not mention \"%s\"", reason, words);
}

/* json-glib reads more than JSON: 'single-quoted' strings, comments that run from a '/' to the
 * next '/', hexadecimal numbers. A nesting count that knows only "double-quoted" strings is
 * misled by a '"' inside either: every bracket after it looks like string content, while
 * json-glib recurses once per bracket until the stack runs out. About 3 KB of gzip hold three
 * million brackets; an enrollment (no gzip, no signature needed, at most 4 KiB) holds 3,000 in
 * plain text, far past the nesting limit. */
static void
test_nonstandard_json_attack (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  static const char *const decoys[] = { "'\"', ", "/\"/ " };
  static const char *const named[] = { "single-quoted", "comment" };
  size_t deep = 3 * 1024 * 1024;

  for (size_t i = 0; i < G_N_ELEMENTS (decoys); i++)
    {
      g_autoptr (GString) body = g_string_new ("{\"envelopes\": [");
      g_autoptr (GString) enroll = g_string_new ("[");
      g_autoptr (GBytes) gz = NULL;
      g_autoptr (Reply) r = NULL;
      g_autoptr (Reply) re = NULL;
      RequestOptions o = { .device_id = d->id, .sk = d->sk, .content_encoding = "gzip" };

      g_string_append (body, decoys[i]);
      for (size_t k = 0; k < deep; k++)
        g_string_append_c (body, '[');
      gz = gzip_bytes (body->str, body->len);
      g_assert_cmpuint (g_bytes_get_size (gz), <, 4 * 1024);
      r = request_full (&o, "POST", "/v1/submissions", g_bytes_get_data (gz, NULL),
                        g_bytes_get_size (gz));
      g_assert_nonnull (r);
      assert_reason_mentions (r, named[i]);

      g_string_append (enroll, decoys[i]);
      for (size_t k = 0; k < 3 * 1024; k++)
        g_string_append_c (enroll, '[');
      re = request (NULL, "POST", "/v1/enroll", enroll->str);
      g_assert_nonnull (re);
      assert_reason_mentions (re, named[i]);
    }
  {
    /* Plain deep nesting, within the size limits, is refused with the limit named. */
    g_autofree char *brackets = g_strnfill (3 * 1024, '[');
    g_autoptr (Reply) r = request (NULL, "POST", "/v1/enroll", brackets);

    assert_reason_mentions (r, "deeper than");
  }
  test_health ();
}

static void
test_submission_limits (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (GString) many = g_string_new ("{\"envelopes\": [");
  g_autoptr (Reply) r1 = NULL;
  g_autoptr (Reply) r2 = NULL;
  g_autoptr (Reply) r3 = NULL;
  g_autoptr (Reply) health = NULL;
  g_autofree char *huge = NULL;
  size_t huge_len = 9 * 1024 * 1024;

  for (int i = 0; i < 101; i++)
    g_string_append (many, i == 0 ? "{}" : ", {}");
  g_string_append (many, "]}");
  r1 = request (d, "POST", "/v1/submissions", many->str);
  assert_error (r1, 413, "too_large");

  huge = g_malloc (huge_len + 1);
  memset (huge, ' ', huge_len);
  huge[huge_len] = '\0';
  memcpy (huge, "{\"envelopes\": []}", 17);
  r2 = request (d, "POST", "/v1/submissions", huge);
  assert_error (r2, 413, "too_large");

  /* Oversized enrollment bodies are refused too. */
  huge[70 * 1024] = '\0';
  r3 = request (NULL, "POST", "/v1/enroll", huge);
  assert_error (r3, 413, "too_large");

  health = request (NULL, "GET", "/v1/health", NULL);
  g_assert_cmpint (health->status, ==, 200);
}

static void
test_submission_gzip (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{\"gz\": \"yes\"}");
  g_autofree char *hash = NULL;
  g_autofree char *env = envelope_for (d, id, plain, &hash);
  g_autofree char *body = batch_of ((const char *const *) &env, 1);
  g_autoptr (GBytes) gz = gzip_bytes (body, strlen (body));
  RequestOptions o = { .device_id = d->id, .sk = d->sk, .content_encoding = "gzip" };
  g_autoptr (Reply) r = request_full (&o, "POST", "/v1/submissions", g_bytes_get_data (gz, NULL),
                                      g_bytes_get_size (gz));
  g_autofree char *zeros = NULL;
  g_autoptr (GBytes) bomb = NULL;
  g_autoptr (Reply) rb = NULL;
  g_autoptr (Reply) rg = NULL;
  g_autoptr (Reply) rt = NULL;
  size_t zeros_len = 40 * 1024 * 1024;

  assert_receipt (d, result_at (r, 0), id, hash);

  /* 40 MiB of spaces compress to about 40 KiB: refused once inflating passes 16 MiB. */
  zeros = g_malloc (zeros_len);
  memset (zeros, ' ', zeros_len);
  memcpy (zeros, "{\"envelopes\": []}", 17);
  bomb = gzip_bytes (zeros, zeros_len);
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 1024 * 1024);
  rb = request_full (&o, "POST", "/v1/submissions", g_bytes_get_data (bomb, NULL),
                     g_bytes_get_size (bomb));
  assert_error (rb, 413, "too_large");

  /* Garbage labelled gzip, and a truncated gzip stream. */
  rg = request_full (&o, "POST", "/v1/submissions", "not gzip at all", 15);
  assert_error (rg, 400, "bad_request");
  rt = request_full (&o, "POST", "/v1/submissions", g_bytes_get_data (gz, NULL),
                     g_bytes_get_size (gz) / 2);
  assert_error (rt, 400, "bad_request");
}

/* Bytes that are not HTTP at all, straight onto the socket: libmicrohttpd answers or hangs up,
 * and the server goes on serving. */
static void
test_not_http (void)
{
  static const char *const garbage[] = {
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
    "GET\r\n\r\n",
    "POST /v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "POST /v1/submissions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "\r\n\r\n\r\n",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr (GSocketClient) client = g_socket_client_new ();
      g_autoptr (GSocketConnection) conn = NULL;
      g_autoptr (GError) error = NULL;
      char buf[4096];
      gsize n = 0;

      g_socket_client_set_timeout (client, 10);
      conn = g_socket_client_connect_to_host (client, "127.0.0.1", suite.serve->port, NULL,
                                              &error);
      g_assert_no_error (error);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                 garbage[i], strlen (garbage[i]), NULL, NULL, NULL);
      g_socket_shutdown (g_socket_connection_get_socket (conn), FALSE, TRUE, NULL);
      /* Whatever comes back (an error status or nothing) is read to the end. */
      while (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf,
                                      sizeof buf, &n, NULL, NULL) && n == sizeof buf)
        ;
      if (n >= 12 && g_str_has_prefix (buf, "HTTP/1."))
        g_assert_cmpint (buf[9], ==, '4');
    }
  test_health ();
}

/* Sends text on a new connection to port and reads what comes back until the server answers
 * and hangs up, or 20 seconds pass; the answer's first line, or NULL when none came. */
static char *
raw_exchange (guint16 port, const char *head, gsize body_bytes)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) answer = g_string_new (NULL);
  g_autofree char *body = g_malloc (body_bytes + 1);
  GSocket *socket;
  char buf[4096];

  g_socket_client_set_timeout (client, 20);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (conn);
  memset (body, '[', body_bytes);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                            head, strlen (head), NULL, NULL, NULL));
  /* Part of the body only: a server that waits for the rest never answers. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), body,
                             body_bytes, NULL, NULL, NULL);
  for (;;)
    {
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_string_append_len (answer, buf, n);
      if (strstr (answer->str, "\r\n\r\n") != NULL)
        break;
    }
  if (answer->len == 0)
    return NULL;
  return g_strndup (answer->str, strcspn (answer->str, "\r\n"));
}

static char *
signed_head (const char *device_id, const char *length_header)
{
  guint8 sig[crypto_sign_BYTES];
  g_autofree char *sig_b64 = NULL;

  randombytes_buf (sig, sizeof sig);
  sig_b64 = b64 (sig, sizeof sig);
  return g_strdup_printf ("POST /v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\n%s\r\n%s%s%s"
                          "Intake-Signature: %s\r\n\r\n",
                          length_header, device_id != NULL ? "Intake-Device: " : "",
                          device_id != NULL ? device_id : "", device_id != NULL ? "\r\n" : "",
                          sig_b64);
}

/* A big body is not read before the request's device is known and may send: an unknown or
 * revoked device, or a request without a device id or signature, is answered at once, with
 * only part of its declared body sent. */
static void
test_body_after_authentication (void)
{
  g_autoptr (Device) revoked = enroll_new_device ();
  g_autofree char *unknown = intake_uuid_new ();
  const char *big = "Content-Length: 6291456";
  const char *chunked = "Transfer-Encoding: chunked";
  g_autofree char *h_unknown = signed_head (unknown, big);
  g_autofree char *h_no_device = signed_head (NULL, big);
  g_autofree char *h_revoked = signed_head (revoked->id, big);
  g_autofree char *h_chunked = signed_head (unknown, chunked);
  g_autofree char *h_no_sig = g_strdup_printf ("POST /v1/submissions HTTP/1.1\r\nHost: x\r\n"
                                               "%s\r\nIntake-Device: %s\r\n\r\n",
                                               big, revoked->id);
  g_autofree char *h_enroll = g_strdup ("POST /v1/enroll HTTP/1.1\r\nHost: x\r\n"
                                        "Content-Type: application/json\r\n"
                                        "Content-Length: 65536\r\n\r\n");
  struct
  {
    const char *head;
    const char *status;
  } cases[] = {
    { h_unknown, "401" }, { h_no_device, "401" }, { h_no_sig, "401" },
    { h_revoked, "403" }, { h_chunked, "401" },   { h_enroll, "413" },
  };

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "revoke",
                                    revoked->name, NULL), ==, 0);
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *line = raw_exchange (suite.serve->port, cases[i].head,
                                            i == 4 ? 0 : 1024);

      g_test_message ("case %zu: %s", i, line != NULL ? line : "(no answer)");
      g_assert_nonnull (line);
      g_assert_true (g_str_has_prefix (line, "HTTP/1.1 "));
      g_assert_true (g_str_has_prefix (line + strlen ("HTTP/1.1 "), cases[i].status));
    }

  /* An enrollment is small: a few KiB, well under what the old 64 KiB allowed, is refused. */
  {
    g_autoptr (GString) body = g_string_new ("{\"token\": \"x.y\", \"name\": \"");

    while (body->len < 8 * 1024)
      g_string_append_c (body, 'n');
    g_string_append (body, "\"}");
    {
      g_autoptr (Reply) r = request (NULL, "POST", "/v1/enroll", body->str);

      assert_error (r, 413, "too_large");
    }
  }
  test_health ();
}

/* serve takes connection limits; one address cannot hold more than its share. */
static void
test_connection_limits (void)
{
  const char *args[] = { "--max-connections-per-ip", "2", "--max-connections", "64", NULL };
  const char *bad[][3] = {
    { "--max-connections-per-ip", "0", NULL },
    { "--max-connections", "2", NULL },
    { "--max-connections-per-ip", "300", NULL },
  };
  g_autoptr (GError) error = NULL;
  IntakeTestServe *limited;
  GSocketConnection *held[2];
  g_autofree char *line = NULL;

  limited = intake_test_serve_start_full (suite.bin, suite.db, "127.0.0.1:0", NULL, NULL, args,
                                          &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (GSocketClient) client = g_socket_client_new ();

      held[i] = g_socket_client_connect_to_host (client, "127.0.0.1", limited->port, NULL,
                                                 &error);
      g_assert_no_error (error);
    }
  /* The third connection from this address is closed without an answer. */
  line = raw_exchange (limited->port, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0);
  g_assert_null (line);
  for (int i = 0; i < 2; i++)
    {
      g_io_stream_close (G_IO_STREAM (held[i]), NULL, NULL);
      g_object_unref (held[i]);
    }
  /* Once they are gone, the address is served again (the server notices the closed ones). */
  for (int attempt = 0; line == NULL && attempt < 100; attempt++)
    {
      line = raw_exchange (limited->port, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0);
      if (line == NULL)
        g_usleep (100 * 1000);
    }
  g_assert_cmpstr (line, ==, "HTTP/1.1 200 OK");
  g_assert_cmpint (intake_test_serve_stop (limited), ==, 0);

  /* Refused as a usage mistake (2) before the database is opened; an empty sqlite: path, which
   * would fail (1), keeps a wrongly accepted limit from starting a server that never ends. */
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", "sqlite:", "serve",
                                      "--listen", "127.0.0.1:0", bad[i][0], bad[i][1], NULL),
                     ==, 2);
}

static void
test_authentication (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (Device) stranger = device_new_keys ();
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{}");
  g_autofree char *env = envelope_for (d, id, plain, NULL);
  g_autofree char *body = batch_of ((const char *const *) &env, 1);
  g_autoptr (Reply) unknown = request (stranger, "GET", "/v1/device", NULL);
  g_autoptr (Reply) unknown_post = request (stranger, "POST", "/v1/submissions", body);
  RequestOptions unsigned_o = { .device_id = d->id, .sk = d->sk, .no_signature = TRUE };
  g_autoptr (Reply) unsigned_r = request_full (&unsigned_o, "POST", "/v1/submissions", body,
                                               strlen (body));
  RequestOptions no_device = { .sk = d->sk };
  g_autoptr (Reply) no_device_r = request_full (&no_device, "GET", "/v1/device", NULL, 0);
  RequestOptions other_path = { .device_id = d->id, .sk = d->sk, .sign_path = "/v1/forms" };
  g_autoptr (Reply) other_path_r = request_full (&other_path, "GET", "/v1/device", NULL, 0);
  RequestOptions wrong_key = { .device_id = d->id, .sk = stranger->sk };
  g_autoptr (Reply) wrong_key_r = request_full (&wrong_key, "POST", "/v1/submissions", body,
                                                strlen (body));
  g_autoptr (Reply) good = NULL;

  assert_error (unknown, 401, "unauthenticated");
  assert_error (unknown_post, 401, "unauthenticated");
  assert_error (unsigned_r, 401, "unauthenticated");
  assert_error (no_device_r, 401, "unauthenticated");
  assert_error (other_path_r, 401, "unauthenticated");
  assert_error (wrong_key_r, 401, "unauthenticated");

  /* Nothing from the refused requests was stored. */
  good = request (d, "POST", "/v1/submissions", body);
  g_assert_cmpint (json_object_get_int_member (result_at (good, 0), "status"), ==, 200);
}

static void
test_device_status (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (Device) r = enroll_new_device ();
  g_autoptr (Reply) active = request (d, "GET", "/v1/device", NULL);
  g_autoptr (Reply) wiped = NULL;
  g_autoptr (Reply) revoked = NULL;
  g_autoptr (Reply) revoked_post = NULL;
  g_autoptr (Reply) wipe_post = NULL;
  g_autofree char *out = NULL;
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{}");
  g_autofree char *env = envelope_for (d, id, plain, NULL);
  g_autofree char *id2 = intake_uuid_new ();
  g_autofree char *plain2 = plaintext_for (r, id2, "{}");
  g_autofree char *env2 = envelope_for (r, id2, plain2, NULL);
  JsonObject *obj;

  g_assert_cmpint (active->status, ==, 200);
  obj = reply_object (active);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (obj, "device_id"), ==, d->id);
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, d->name);
  g_assert_nonnull (json_object_get_string_member (obj, "server_time"));

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "wipe",
                                    d->name, NULL), ==, 0);
  wiped = request (d, "GET", "/v1/device", NULL);
  g_assert_cmpint (wiped->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (wiped), "status"), ==, "wipe");
  /* A device told to wipe still sends what it has first. */
  wipe_post = post_one (d, env);
  g_assert_cmpint (json_object_get_int_member (result_at (wipe_post, 0), "status"), ==, 200);

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "revoke",
                                    r->name, NULL), ==, 0);
  revoked = request (r, "GET", "/v1/device", NULL);
  assert_error (revoked, 403, "revoked");
  revoked_post = post_one (r, env2);
  assert_error (revoked_post, 403, "revoked");

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "revoke",
                                    "no-such-device", NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, &out, NULL, "--db", suite.db, "device", "list",
                                    "--json", NULL), ==, 0);
  {
    g_autoptr (JsonNode) list = json_from_string (out, NULL);
    gboolean saw_wipe = FALSE, saw_revoked = FALSE;

    g_assert_nonnull (list);
    for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
      {
        JsonObject *dev = json_array_get_object_element (json_node_get_array (list), i);

        if (g_strcmp0 (json_object_get_string_member (dev, "name"), d->name) == 0)
          saw_wipe = g_strcmp0 (json_object_get_string_member (dev, "status"), "wipe") == 0;
        if (g_strcmp0 (json_object_get_string_member (dev, "name"), r->name) == 0)
          saw_revoked = g_strcmp0 (json_object_get_string_member (dev, "status"), "revoked") == 0;
      }
    g_assert_true (saw_wipe);
    g_assert_true (saw_revoked);
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (intake_test_run (suite.bin, &out, NULL, "--db", suite.db, "device", "list",
                                    NULL), ==, 0);
  g_assert_nonnull (strstr (out, d->name));
}

static const char *
listed_status (const char *name)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonNode) list = NULL;
  static char status[16];

  g_assert_cmpint (intake_test_run (suite.bin, &out, NULL, "--db", suite.db, "device", "list",
                                    "--json", NULL), ==, 0);
  list = json_from_string (out, NULL);
  g_assert_nonnull (list);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonObject *dev = json_array_get_object_element (json_node_get_array (list), i);

      if (g_strcmp0 (json_object_get_string_member (dev, "name"), name) == 0)
        {
          g_strlcpy (status, json_object_get_string_member (dev, "status"), sizeof status);
          return status;
        }
    }
  g_assert_not_reached ();
}

/* Every authenticated endpoint refuses the device with 403 `wiped`. */
static void
assert_wiped (const Device *d)
{
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{}");
  g_autofree char *env = envelope_for (d, id, plain, NULL);
  g_autoptr (Reply) device = request (d, "GET", "/v1/device", NULL);
  g_autoptr (Reply) forms = request (d, "GET", "/v1/forms", NULL);
  g_autoptr (Reply) post = post_one (d, env);
  g_autoptr (Reply) confirm = request (d, "POST", "/v1/device/wiped", "{}");

  assert_error (device, 403, "wiped");
  assert_error (forms, 403, "wiped");
  assert_error (post, 403, "wiped");
  assert_error (confirm, 403, "wiped");
  g_assert_cmpstr (listed_status (d->name), ==, "wiped");
}

/* A tablet told to wipe says so (POST /v1/device/wiped, signed) as it wipes: from then on its
 * key, which someone may have copied, is refused. */
static void
test_device_wipe_confirmed (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (Device) other = enroll_new_device ();
  g_autofree char *id = intake_uuid_new ();
  g_autofree char *plain = plaintext_for (d, id, "{}");
  g_autofree char *env = envelope_for (d, id, plain, NULL);
  g_autoptr (Reply) not_ordered = request (other, "POST", "/v1/device/wiped", "{}");
  g_autoptr (Reply) still = NULL;
  g_autoptr (Reply) ordered = NULL;
  g_autoptr (Reply) sent = NULL;
  g_autoptr (Reply) confirmed = NULL;
  g_autoptr (Reply) unsigned_confirm = NULL;
  RequestOptions unsigned_o = { .device_id = NULL, .sk = NULL };

  /* Only a device ordered to wipe can confirm it; the others stay as they are. */
  assert_error (not_ordered, 409, "not_ordered");
  still = request (other, "GET", "/v1/device", NULL);
  g_assert_cmpint (still->status, ==, 200);
  g_assert_cmpstr (listed_status (other->name), ==, "active");

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "wipe",
                                    d->name, NULL), ==, 0);
  ordered = request (d, "GET", "/v1/device", NULL);
  g_assert_cmpint (ordered->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (ordered), "status"), ==, "wipe");
  sent = post_one (d, env);
  g_assert_cmpint (json_object_get_int_member (result_at (sent, 0), "status"), ==, 200);
  g_assert_cmpstr (listed_status (d->name), ==, "wipe");

  /* Nobody else can confirm it for the device. */
  unsigned_o.device_id = d->id;
  unsigned_o.sk = other->sk;
  unsigned_confirm = request_full (&unsigned_o, "POST", "/v1/device/wiped", "{}", 2);
  assert_error (unsigned_confirm, 401, "unauthenticated");
  g_assert_cmpstr (listed_status (d->name), ==, "wipe");

  confirmed = request (d, "POST", "/v1/device/wiped", "{}");
  g_assert_nonnull (confirmed);
  if (confirmed->status != 200)
    g_test_message ("body: %s", confirmed->body);
  g_assert_cmpint (confirmed->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (confirmed), "status"), ==,
                   "wiped");
  assert_wiped (d);
}

/* A wipe with a deadline: the device is refused once the deadline passes, confirmed or not. */
static void
test_device_wipe_deadline (void)
{
  g_autoptr (Device) late = enroll_new_device ();
  g_autoptr (Device) early = enroll_new_device ();
  g_autoptr (Reply) r = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "wipe",
                                    late->name, "--deadline", "7d", NULL), ==, 0);
  r = request (late, "GET", "/v1/device", NULL);
  g_assert_cmpint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (r), "status"), ==, "wipe");
  g_assert_cmpint (intake_test_run (suite.bin, &out, NULL, "--db", suite.db, "device", "list",
                                    "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"wipe_deadline\""));

  /* A deadline of 0 has passed at once. */
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "wipe",
                                    early->name, "--deadline", "0", NULL), ==, 0);
  assert_wiped (early);

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "wipe",
                                    late->name, "--deadline", "soon", NULL), ==, 2);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "revoke",
                                    late->name, "--deadline", "1h", NULL), ==, 2);
}

static char *
write_temp (const char *name, const char *contents)
{
  char *path = g_build_filename (suite.dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_forms (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  const char *doc = "{\"id\": \"screening-test\", \"version\": 2, \"title\": {\"en\": \"S\"}, "
                    "\"questions\": [{\"id\": \"age\", \"type\": \"integer\"}]}";
  const char *other = "{\"id\": \"screening-test\", \"version\": 2, \"title\": \"changed\"}";
  g_autofree char *path = write_temp ("form.json", doc);
  g_autofree char *other_path = write_temp ("form-other.json", other);
  g_autofree char *bad1 = write_temp ("bad1.json", "{\"version\": 1}");
  g_autofree char *bad2 = write_temp ("bad2.json", "{\"id\": \"x\", \"version\": 0}");
  g_autofree char *bad3 = write_temp ("bad3.json", "[1, 2]");
  g_autofree char *bad4 = write_temp ("bad4.json", "{\"id\": \"x\", \"version\": \"1\"}");
  g_autofree char *bad5 = write_temp ("bad5.json", "{\"id\": 7, \"version\": 1}");
  g_autofree char *bad6 = write_temp ("bad6.json", "{\"id\": \"x\", \"version\": 1.5}");
  /* What json-glib alone would read, but a tablet must not be sent: refused at publishing. */
  g_autofree char *bad7 = write_temp ("bad7.json", "{\"id\": \"x\", /* v */ \"version\": 1}");
  g_autofree char *err7 = NULL;
  g_autoptr (Reply) r = NULL;
  JsonArray *forms;
  gboolean found = FALSE;

  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    path, NULL), ==, 0);
  /* Publishing the same document again is harmless; another document under that version is not. */
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    path, NULL), ==, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    other_path, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    bad1, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    bad2, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    bad3, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    bad4, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    bad5, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "form", "publish",
                                    bad6, NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err7, "--db", suite.db, "form", "publish",
                                    bad7, NULL), !=, 0);
  g_assert_nonnull (strstr (err7, "not standard JSON: a comment at line 1, column 13"));

  r = request (d, "GET", "/v1/forms", NULL);
  g_assert_cmpint (r->status, ==, 200);
  forms = json_object_get_array_member (reply_object (r), "forms");
  for (guint i = 0; i < json_array_get_length (forms); i++)
    {
      JsonObject *f = json_array_get_object_element (forms, i);
      const char *document = json_object_get_string_member (f, "document");
      g_autofree char *hex = NULL;
      g_autofree char *msg = NULL;
      g_autoptr (GBytes) sig = NULL;

      if (g_strcmp0 (json_object_get_string_member (f, "id"), "screening-test") != 0)
        continue;
      g_assert_false (found);
      found = TRUE;
      g_assert_cmpint (json_object_get_int_member (f, "version"), ==, 2);
      g_assert_cmpstr (document, ==, doc);
      hex = hex_hash (document, strlen (document));
      msg = g_strdup_printf ("intake-form-v1\nscreening-test\n2\n%s", hex);
      sig = unb64 (json_object_get_string_member (f, "signature"));
      g_assert_cmpint (crypto_sign_verify_detached (g_bytes_get_data (sig, NULL),
                                                    (const guint8 *) msg, strlen (msg),
                                                    d->server_pk), ==, 0);
    }
  g_assert_true (found);
}

static JsonObject *
find_exported (JsonArray *list, const char *id)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);

      if (g_strcmp0 (json_object_get_string_member (o, "submission_id"), id) == 0)
        return o;
    }
  return NULL;
}

/* Splits RFC 4180 CSV into rows of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          p++;
          while (*p != '\0')
            {
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
        }
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          p++;
        }
      else if (*p == '\r' && p[1] == '\n')
        {
          g_ptr_array_add (row, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          g_ptr_array_add (rows, row);
          row = g_ptr_array_new_with_free_func (g_free);
          p += 2;
        }
      else
        g_string_append_c (field, *p++);
    }
  g_string_free (field, TRUE);
  g_assert_cmpuint (row->len, ==, 0);
  g_ptr_array_unref (row);
  return rows;
}

static int
column_of (GPtrArray *header, const char *name)
{
  for (guint i = 0; i < header->len; i++)
    if (g_strcmp0 (header->pdata[i], name) == 0)
      return (int) i;
  return -1;
}

static void
test_export (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  const char *answers[] = {
    "{\"age\": 17, \"consent\": [\"medical\", \"legal\"], \"note\": \"said \\\"no\\\", twice\"}",
    "{\"age\": 30, \"note\": \"line one\\nline two\", \"weight\": 61.5, \"paid\": false}",
    "{\"consent\": []}",
  };
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) envs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = NULL;
  g_autoptr (Reply) r = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *csv = NULL;
  g_autoptr (JsonNode) exported = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GPtrArray *header;
  int status;

  for (size_t i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      char *id = intake_uuid_new ();
      g_autofree char *plain = plaintext_for (d, id, answers[i]);

      g_ptr_array_add (ids, id);
      g_ptr_array_add (envs, envelope_for (d, id, plain, NULL));
    }
  body = batch_of ((const char *const *) envs->pdata, envs->len);
  r = request (d, "POST", "/v1/submissions", body);
  for (guint i = 0; i < envs->len; i++)
    g_assert_cmpint (json_object_get_int_member (result_at (r, i), "status"), ==, 200);

  status = intake_test_run (suite.bin, &out, &err, "--db", suite.db, "export", "--secret-key",
                            suite.key_file, NULL);
  if (status != 0)
    g_test_message ("export: %s", err);
  g_assert_cmpint (status, ==, 0);
  exported = json_from_string (out, NULL);
  g_assert_nonnull (exported);
  for (size_t i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      JsonObject *o = find_exported (json_node_get_array (exported), ids->pdata[i]);
      g_autoptr (JsonNode) expected = json_from_string (answers[i], NULL);
      JsonObject *received;
      JsonObject *interview;

      g_assert_nonnull (o);
      g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "intake-submission-v1");
      g_assert_cmpstr (json_object_get_string_member (o, "device_id"), ==, d->id);
      interview = json_object_get_object_member (o, "interview");
      g_assert_true (json_node_equal (json_object_get_member (interview, "answers"), expected));
      received = json_object_get_object_member (o, "received");
      g_assert_cmpstr (json_object_get_string_member (received, "device"), ==, d->name);
      g_assert_cmpstr (json_object_get_string_member (received, "device_id"), ==, d->id);
      g_assert_nonnull (json_object_get_string_member (received, "server_time"));
    }

  g_clear_pointer (&err, g_free);
  status = intake_test_run (suite.bin, &csv, &err, "--db", suite.db, "export", "--format", "csv",
                            "--secret-key", suite.key_file, NULL);
  g_assert_cmpint (status, ==, 0);
  rows = parse_csv (csv);
  header = rows->pdata[0];
  g_assert_cmpstr (header->pdata[0], ==, "submission_id");
  g_assert_cmpstr (header->pdata[1], ==, "device");
  g_assert_cmpstr (header->pdata[2], ==, "interview_id");
  g_assert_cmpstr (header->pdata[7], ==, "screening_level");
  g_assert_cmpstr (header->pdata[8], ==, "urgent");
  for (guint i = 1; i < rows->len; i++)
    {
      GPtrArray *row = rows->pdata[i];

      g_assert_cmpuint (row->len, ==, header->len);
      if (g_strcmp0 (row->pdata[0], ids->pdata[0]) == 0)
        {
          g_assert_cmpstr (row->pdata[1], ==, d->name);
          g_assert_cmpstr (row->pdata[7], ==, "high");
          g_assert_cmpstr (row->pdata[8], ==, "true");
          g_assert_cmpstr (row->pdata[column_of (header, "answer.age")], ==, "17");
          g_assert_cmpstr (row->pdata[column_of (header, "answer.consent")], ==, "medical;legal");
          g_assert_cmpstr (row->pdata[column_of (header, "answer.note")], ==,
                           "said \"no\", twice");
          g_assert_cmpstr (row->pdata[column_of (header, "answer.weight")], ==, "");
        }
      else if (g_strcmp0 (row->pdata[0], ids->pdata[1]) == 0)
        {
          g_assert_cmpstr (row->pdata[column_of (header, "answer.note")], ==,
                           "line one\nline two");
          g_assert_cmpstr (row->pdata[column_of (header, "answer.weight")], ==, "61.5");
          g_assert_cmpstr (row->pdata[column_of (header, "answer.paid")], ==, "false");
        }
    }
  g_ptr_array_set_free_func (rows, (GDestroyNotify) g_ptr_array_unref);

  /* A key from another init is refused as a whole. */
  {
    g_autofree char *other_dir = g_build_filename (suite.dir, "other", NULL);
    g_autofree char *other_db = NULL;
    g_autofree char *other_key = g_build_filename (other_dir, "org.key", NULL);

    g_mkdir (other_dir, 0700);
    other_db = g_strdup_printf ("sqlite:%s/other.db", other_dir);
    g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", other_db, "init",
                                      "--secret-key-out", other_key, NULL), ==, 0);
    g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "export",
                                      "--secret-key", other_key, NULL), !=, 0);
  }
}

/* Answers that a spreadsheet program would run as formulas (OWASP's CSV injection) come out
 * of the CSV export with a single quote in front; plain numbers, negative ones too, stay. */
static void
test_export_csv_formulas (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autofree char *id = intake_uuid_new ();
  const char *answers = "{\"link\": \"=HYPERLINK(\\\"http://evil.example/\\\",\\\"open\\\")\", "
                        "\"plus\": \"+1+2\", \"minus\": \"-2+3\", \"at\": \"@SUM(A1:A9)\", "
                        "\"tab\": \"\\t=1\", \"cr\": \"\\r=1\", \"negative\": -5, "
                        "\"fraction\": \"-1.5\", \"plain\": \"a = b\"}";
  g_autofree char *plain = plaintext_for (d, id, answers);
  g_autofree char *env = envelope_for (d, id, plain, NULL);
  g_autoptr (Reply) r = post_one (d, env);
  g_autofree char *csv = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GPtrArray *header;
  GPtrArray *row = NULL;
  static const struct
  {
    const char *column;
    const char *expected;
  } cells[] = {
    { "answer.link", "'=HYPERLINK(\"http://evil.example/\",\"open\")" },
    { "answer.plus", "'+1+2" },
    { "answer.minus", "'-2+3" },
    { "answer.at", "'@SUM(A1:A9)" },
    { "answer.tab", "'\t=1" },
    { "answer.cr", "'\r=1" },
    { "answer.negative", "-5" },
    { "answer.fraction", "-1.5" },
    { "answer.plain", "a = b" },
  };

  g_assert_cmpint (json_object_get_int_member (result_at (r, 0), "status"), ==, 200);
  g_assert_cmpint (intake_test_run (suite.bin, &csv, NULL, "--db", suite.db, "export",
                                    "--format", "csv", "--secret-key", suite.key_file, NULL),
                   ==, 0);
  rows = parse_csv (csv);
  header = rows->pdata[0];
  for (guint i = 1; i < rows->len; i++)
    if (g_strcmp0 (((GPtrArray *) rows->pdata[i])->pdata[0], id) == 0)
      row = rows->pdata[i];
  g_assert_nonnull (row);
  for (size_t i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      int col = column_of (header, cells[i].column);

      g_assert_cmpint (col, >=, 0);
      g_assert_cmpstr (row->pdata[col], ==, cells[i].expected);
    }
}

static IntakeServerSubmission *
stored_submission (const Device *d, const guint8 *seal_to, gboolean good_signature)
{
  IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);
  g_autofree char *plain = NULL;
  g_autofree char *hash_b64 = NULL;
  g_autofree char *msg = NULL;

  sub->submission_id = intake_uuid_new ();
  sub->device_id = g_strdup (d->id);
  plain = plaintext_for (d, sub->submission_id, "{\"a\": 1}");
  sub->sealed = intake_seal (seal_to, (const guint8 *) plain, strlen (plain));
  crypto_generichash (sub->content_hash, sizeof sub->content_hash,
                      g_bytes_get_data (sub->sealed, NULL), g_bytes_get_size (sub->sealed), NULL,
                      0);
  hash_b64 = b64 (sub->content_hash, sizeof sub->content_hash);
  msg = g_strdup_printf ("intake-envelope-v1\n%s\n%s", sub->submission_id, hash_b64);
  crypto_sign_detached (sub->signature, NULL, (const guint8 *) msg, strlen (msg), d->sk);
  if (!good_signature)
    sub->signature[0] ^= 1;
  sub->server_time = g_strdup ("2026-01-01T00:00:00Z");
  sub->received = 1;
  return sub;
}

/* Envelopes that got into the database without the server's checks (a restored backup, a hand
 * edit) are named by export, which still writes the others and then fails. */
static void
test_export_names_bad_envelopes (void)
{
  g_autofree char *dir = g_build_filename (suite.dir, "tampered", NULL);
  g_autofree char *db = NULL;
  g_autofree char *key = g_build_filename (dir, "org.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (GBytes) org_pk = NULL;
  g_autoptr (Device) d = device_new_keys ();
  g_autoptr (IntakeServerDevice) enrolled = NULL;
  g_autoptr (GPtrArray) subs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  guint8 token_hash[crypto_generichash_BYTES];
  guint8 stranger_pk[crypto_box_PUBLICKEYBYTES], stranger_sk[crypto_box_SECRETKEYBYTES];
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  IntakeServerSubmission *good, *bad_sig, *other_key;

  g_mkdir (dir, 0700);
  db = g_strdup_printf ("sqlite:%s/tampered.db", dir);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", db, "init",
                                    "--secret-key-out", key, NULL), ==, 0);
  store = intake_server_store_open (db, &error);
  g_assert_no_error (error);
  org_pk = intake_server_store_meta_get (store, "org_data_pk", &error);
  g_assert_no_error (error);
  randombytes_buf (token_hash, sizeof token_hash);
  g_assert_true (intake_server_store_device_add (store, "t", token_hash, G_MAXINT64 / 2, 0,
                                                 &error));
  enrolled = intake_server_store_device_enroll (store, token_hash, d->id, d->pk, 1, &error);
  g_assert_no_error (error);
  crypto_box_keypair (stranger_pk, stranger_sk);

  good = stored_submission (d, g_bytes_get_data (org_pk, NULL), TRUE);
  bad_sig = stored_submission (d, g_bytes_get_data (org_pk, NULL), FALSE);
  other_key = stored_submission (d, stranger_pk, TRUE);
  g_ptr_array_add (subs, good);
  g_ptr_array_add (subs, bad_sig);
  g_ptr_array_add (subs, other_key);
  g_assert_true (intake_server_store_submissions_put (store, subs, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (intake_test_run (suite.bin, &out, &err, "--db", db, "export", "--secret-key",
                                    key, NULL), !=, 0);
  g_assert_nonnull (strstr (out, good->submission_id));
  g_assert_null (strstr (err, good->submission_id));
  g_assert_nonnull (strstr (err, bad_sig->submission_id));
  g_assert_nonnull (strstr (err, other_key->submission_id));
  g_assert_null (strstr (out, bad_sig->submission_id));
}

/* A device's envelope holding this plaintext, sealed to seal_to and signed by the device, as
 * the server stores it. */
static IntakeServerSubmission *
sealed_submission (const Device *d, const guint8 *seal_to, const char *submission_id,
                   const GString *plain)
{
  IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);
  g_autofree char *hash_b64 = NULL;
  g_autofree char *msg = NULL;

  sub->submission_id = g_strdup (submission_id);
  sub->device_id = g_strdup (d->id);
  sub->sealed = intake_seal (seal_to, (const guint8 *) plain->str, plain->len);
  crypto_generichash (sub->content_hash, sizeof sub->content_hash,
                      g_bytes_get_data (sub->sealed, NULL), g_bytes_get_size (sub->sealed), NULL,
                      0);
  hash_b64 = b64 (sub->content_hash, sizeof sub->content_hash);
  msg = g_strdup_printf ("intake-envelope-v1\n%s\n%s", sub->submission_id, hash_b64);
  crypto_sign_detached (sub->signature, NULL, (const guint8 *) msg, strlen (msg), d->sk);
  sub->server_time = g_strdup ("2026-01-01T00:00:00Z");
  sub->received = 1;
  return sub;
}

/* An enrolled device is not trusted with the data manager's tool: content it sealed that is
 * not standard JSON, or nests two million levels deep behind a comment, is named by export
 * (which writes the others and then fails) instead of crashing it. */
static void
test_export_refuses_hostile_content (void)
{
  g_autofree char *dir = g_build_filename (suite.dir, "hostile", NULL);
  g_autofree char *db = NULL;
  g_autofree char *key = g_build_filename (dir, "org.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (GBytes) org_pk = NULL;
  g_autoptr (Device) d = device_new_keys ();
  g_autoptr (IntakeServerDevice) enrolled = NULL;
  g_autoptr (GPtrArray) subs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autofree char *good_id = intake_uuid_new ();
  g_autofree char *quoted_id = intake_uuid_new ();
  g_autofree char *deep_id = intake_uuid_new ();
  g_autofree char *good_plain = plaintext_for (d, good_id, "{\"a\": 1}");
  g_autoptr (GString) good = g_string_new (good_plain);
  g_autoptr (GString) quoted = g_string_new (NULL);
  g_autoptr (GString) deep = g_string_new (NULL);
  guint8 token_hash[crypto_generichash_BYTES];
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_mkdir (dir, 0700);
  db = g_strdup_printf ("sqlite:%s/hostile.db", dir);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", db, "init",
                                    "--secret-key-out", key, NULL), ==, 0);
  store = intake_server_store_open (db, &error);
  g_assert_no_error (error);
  org_pk = intake_server_store_meta_get (store, "org_data_pk", &error);
  g_assert_no_error (error);
  randombytes_buf (token_hash, sizeof token_hash);
  g_assert_true (intake_server_store_device_add (store, "t", token_hash, G_MAXINT64 / 2, 0,
                                                 &error));
  enrolled = intake_server_store_device_enroll (store, token_hash, d->id, d->pk, 1, &error);
  g_assert_no_error (error);

  g_string_printf (quoted, "{'submission_id': '%s'}", quoted_id);
  g_string_printf (deep, "{\"submission_id\": \"%s\", \"a\": [/\"/ ", deep_id);
  for (int i = 0; i < 2 * 1024 * 1024; i++)
    g_string_append_c (deep, '[');
  g_ptr_array_add (subs, sealed_submission (d, g_bytes_get_data (org_pk, NULL), good_id, good));
  g_ptr_array_add (subs, sealed_submission (d, g_bytes_get_data (org_pk, NULL), quoted_id,
                                            quoted));
  g_ptr_array_add (subs, sealed_submission (d, g_bytes_get_data (org_pk, NULL), deep_id, deep));
  g_assert_true (intake_server_store_submissions_put (store, subs, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (intake_test_run (suite.bin, &out, &err, "--db", db, "export", "--secret-key",
                                    key, NULL), ==, 1);
  g_assert_nonnull (strstr (out, good_id));
  g_assert_null (strstr (out, quoted_id));
  g_assert_null (strstr (out, deep_id));
  g_assert_nonnull (strstr (err, quoted_id));
  g_assert_nonnull (strstr (err, deep_id));
  g_assert_nonnull (strstr (err, "a single-quoted string"));
  g_assert_nonnull (strstr (err, "a comment"));
}

/* A database of its own for one test, on the suite's backend, initialised with its key file. */
static char *
fresh_database (const char *name, char **key_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (suite.dir, name, NULL);
  char *db;

  g_mkdir (dir, 0700);
  if (suite.pg != NULL)
    {
      db = intake_test_pg_create_database (suite.pg, name, &error);
      g_assert_no_error (error);
    }
  else
    db = g_strdup_printf ("sqlite:%s/%s.db", dir, name);
  *key_out = g_build_filename (dir, "org.key", NULL);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", db, "init",
                                    "--secret-key-out", *key_out, NULL), ==, 0);
  return db;
}

static void
store_enroll (IntakeServerStore *store, const Device *d)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerDevice) enrolled = NULL;
  guint8 token_hash[crypto_generichash_BYTES];

  randombytes_buf (token_hash, sizeof token_hash);
  g_assert_true (intake_server_store_device_add (store, d->name, token_hash, G_MAXINT64 / 2, 0,
                                                 &error));
  g_assert_no_error (error);
  enrolled = intake_server_store_device_enroll (store, token_hash, d->id, d->pk, 1, &error);
  g_assert_no_error (error);
}

/* An enrolled device (B) may seal anything: here a record that says it comes from device A,
 * signed and sent by B. The server stored it as B's; export refuses to hand it over as A's,
 * names it, and still writes the good records. */
static void
test_export_refuses_other_device (void)
{
  g_autofree char *key = NULL;
  g_autofree char *db = fresh_database ("forged", &key);
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = intake_server_store_open (db, &error);
  g_autoptr (GBytes) org_pk = NULL;
  g_autoptr (Device) a = device_new_keys ();
  g_autoptr (Device) b = device_new_keys ();
  g_autoptr (GPtrArray) subs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  IntakeServerSubmission *good, *forged, *no_device;

  g_assert_no_error (error);
  a->name = g_strdup ("a");
  b->name = g_strdup ("b");
  store_enroll (store, a);
  store_enroll (store, b);
  org_pk = intake_server_store_meta_get (store, "org_data_pk", &error);
  g_assert_no_error (error);

  good = stored_submission (b, g_bytes_get_data (org_pk, NULL), TRUE);
  forged = stored_submission (b, g_bytes_get_data (org_pk, NULL), TRUE);
  no_device = stored_submission (b, g_bytes_get_data (org_pk, NULL), TRUE);
  {
    /* Sealed again with a plaintext that names device A (or no device), signed by B. */
    g_autofree char *plain = plaintext_for (a, forged->submission_id, "{\"a\": 1}");
    g_autofree char *plain2 = g_strdup_printf ("{\"format\": \"intake-submission-v1\", "
                                               "\"submission_id\": \"%s\", \"interview\": {}}",
                                               no_device->submission_id);
    IntakeServerSubmission *fix[] = { forged, no_device };
    const char *plains[] = { plain, plain2 };

    for (int i = 0; i < 2; i++)
      {
        g_autofree char *hash_b64 = NULL;
        g_autofree char *msg = NULL;

        g_bytes_unref (fix[i]->sealed);
        fix[i]->sealed = intake_seal (g_bytes_get_data (org_pk, NULL),
                                      (const guint8 *) plains[i], strlen (plains[i]));
        crypto_generichash (fix[i]->content_hash, sizeof fix[i]->content_hash,
                            g_bytes_get_data (fix[i]->sealed, NULL),
                            g_bytes_get_size (fix[i]->sealed), NULL, 0);
        hash_b64 = b64 (fix[i]->content_hash, sizeof fix[i]->content_hash);
        msg = g_strdup_printf ("intake-envelope-v1\n%s\n%s", fix[i]->submission_id, hash_b64);
        crypto_sign_detached (fix[i]->signature, NULL, (const guint8 *) msg, strlen (msg),
                              b->sk);
      }
  }
  g_ptr_array_add (subs, good);
  g_ptr_array_add (subs, forged);
  g_ptr_array_add (subs, no_device);
  g_assert_true (intake_server_store_submissions_put (store, subs, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (intake_test_run (suite.bin, &out, &err, "--db", db, "export", "--secret-key",
                                    key, NULL), ==, 1);
  g_test_message ("export said: %s", err);
  g_assert_nonnull (strstr (out, good->submission_id));
  g_assert_null (strstr (out, forged->submission_id));
  g_assert_null (strstr (out, no_device->submission_id));
  g_assert_nonnull (strstr (err, forged->submission_id));
  g_assert_nonnull (strstr (err, a->id));
  g_assert_nonnull (strstr (err, no_device->submission_id));
  g_assert_null (strstr (err, good->submission_id));

  /* The CSV export refuses the same envelopes. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (intake_test_run (suite.bin, &out, NULL, "--db", db, "export", "--format",
                                    "csv", "--secret-key", key, NULL), ==, 1);
  g_assert_nonnull (strstr (out, good->submission_id));
  g_assert_null (strstr (out, forged->submission_id));
}

static void
test_init_refusals (void)
{
  g_autofree char *again = g_build_filename (suite.dir, "again.key", NULL);
  g_autofree char *err = NULL;
  g_autofree char *fresh_db = g_strdup_printf ("sqlite:%s/fresh.db", suite.dir);
  GStatBuf st;

  /* A second init of the same database is refused and leaves no key file behind. */
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "init",
                                    "--secret-key-out", again, NULL), !=, 0);
  g_assert_false (g_file_test (again, G_FILE_TEST_EXISTS));
  /* An existing key file is never overwritten. */
  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err, "--db", fresh_db, "init",
                                    "--secret-key-out", suite.key_file, NULL), !=, 0);
  g_assert_cmpint (g_stat (suite.key_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "bogus", NULL), !=, 0);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", "mysql://x", "device", "list",
                                    NULL), !=, 0);
}

/* device add --url --out: the provisioning file a tablet enrolls from (its use against this
 * server is in tests/sync and tests/ui). */
static void
test_device_add_provisioning (void)
{
  g_autofree char *path = g_build_filename (suite.dir, "tablet-p.json", NULL);
  g_autofree char *pem_path = g_build_filename (suite.dir, "not-a-cert.pem", NULL);
  g_autofree char *other = g_build_filename (suite.dir, "tablet-q.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *o;
  GStatBuf st;

  g_assert_cmpint (intake_test_run (suite.bin, &out, &err, "--db", suite.db, "device", "add",
                                    "tablet-p", "--url", "https://intake.example.org:8443",
                                    "--out", path, "--pin-sha256",
                                    "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL),
                   ==, 0);
  /* The token is in the file, not on the terminal. */
  g_assert_nonnull (strstr (out, path));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "intake-provisioning-v1");
  g_assert_cmpstr (json_object_get_string_member (o, "url"), ==,
                   "https://intake.example.org:8443");
  g_assert_nonnull (strchr (json_object_get_string_member (o, "token"), '.'));
  g_assert_null (strstr (out, json_object_get_string_member (o, "token")));
  g_assert_cmpstr (json_object_get_string_member (o, "pin_sha256"), ==,
                   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  g_assert_false (json_object_has_member (o, "ca"));

  /* A provisioning file is never overwritten. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err, "--db", suite.db, "device", "add",
                                    "tablet-p2", "--url", "https://intake.example.org", "--out",
                                    path, NULL),
                   !=, 0);
  g_assert_nonnull (strstr (err, "never overwritten"));
  g_assert_true (g_file_get_contents (path, &again, NULL, &error));
  g_assert_cmpstr (again, ==, text);

  /* --url and --out go together; the address is a web address; --ca must hold a certificate. */
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "add",
                                    "tablet-q", "--url", "https://intake.example.org", NULL),
                   ==, 2);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "add",
                                    "tablet-q", "--out", other, NULL),
                   ==, 2);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, NULL, "--db", suite.db, "device", "add",
                                    "tablet-q", "--url", "intake.example.org", "--out", other,
                                    NULL),
                   ==, 2);
  g_assert_true (g_file_set_contents (pem_path, "hello\n", -1, &error));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err, "--db", suite.db, "device", "add",
                                    "tablet-q", "--url", "https://intake.example.org", "--out",
                                    other, "--ca", pem_path, NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "no PEM certificate"));
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
}

static void
test_tls (void)
{
  g_autofree char *cert = g_build_filename (suite.dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (suite.dir, "key.pem", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  IntakeTestServe *tls;
  int status = 0;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", cert, NULL,
  };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  tls = intake_test_serve_start (suite.bin, suite.db, "127.0.0.1:0", cert, key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (tls->base_url, "https://127.0.0.1:"));
  {
    RequestOptions trusting = { .base = tls->base_url, .cainfo = cert };
    RequestOptions default_ca = { .base = tls->base_url };
    g_autofree char *plain_url = g_strdup_printf ("http://127.0.0.1:%u", (unsigned) tls->port);
    RequestOptions plain = { .base = plain_url };
    g_autoptr (Reply) ok = request_full (&trusting, "GET", "/v1/health", NULL, 0);
    g_autoptr (Reply) untrusted = request_full (&default_ca, "GET", "/v1/health", NULL, 0);
    g_autoptr (Reply) plain_r = request_full (&plain, "GET", "/v1/health", NULL, 0);

    g_assert_nonnull (ok);
    g_assert_cmpint (ok->status, ==, 200);
    /* Without the certificate as trust anchor the client refuses the server. */
    g_assert_null (untrusted);
    /* Plain HTTP to the TLS port gets no answer a client could take for the API's. */
    g_assert_true (plain_r == NULL || plain_r->status >= 400);
  }
  g_assert_cmpint (intake_test_serve_stop (tls), ==, 0);

  /* Plain HTTP anywhere but loopback is refused before anything listens. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err, "--db", suite.db, "serve", "--listen",
                                    "0.0.0.0:0", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "loopback"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err, "--db", suite.db, "serve", "--listen",
                                    "192.0.2.1:8443", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "loopback"));
}

typedef struct
{
  const char *base;
  const Device *device;
  const char *body;
  Reply *reply;
} Poster;

static gpointer
poster_thread (gpointer data)
{
  Poster *p = data;
  RequestOptions o = { .base = p->base, .device_id = p->device->id, .sk = p->device->sk };

  p->reply = request_full (&o, "POST", "/v1/submissions", p->body, strlen (p->body));
  return NULL;
}

static void
test_two_servers (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (GError) error = NULL;
  IntakeTestServe *second = intake_test_serve_start (suite.bin, suite.db, "127.0.0.1:0", NULL,
                                                     NULL, &error);
  g_autoptr (GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *out = NULL;
  g_autoptr (JsonNode) exported = NULL;
  JsonArray *list;
  guint seen = 0;
  const int batches = 4, per_batch = 50;

  g_assert_no_error (error);
  for (int b = 0; b < batches; b++)
    {
      g_autoptr (GPtrArray) envs = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *body = NULL;
      Poster p1 = { suite.base, d, NULL, NULL };
      Poster p2 = { second->base_url, d, NULL, NULL };
      GThread *t1, *t2;

      for (int i = 0; i < per_batch; i++)
        {
          char *id = intake_uuid_new ();
          g_autofree char *plain = plaintext_for (d, id, "{\"race\": true}");

          g_ptr_array_add (envs, envelope_for (d, id, plain, NULL));
          g_hash_table_add (sent, id);
        }
      body = batch_of ((const char *const *) envs->pdata, envs->len);
      p1.body = p2.body = body;
      t1 = g_thread_new ("post-1", poster_thread, &p1);
      t2 = g_thread_new ("post-2", poster_thread, &p2);
      g_thread_join (t1);
      g_thread_join (t2);
      for (int i = 0; i < per_batch; i++)
        {
          g_autofree char *a = receipt_text (result_at (p1.reply, (guint) i));
          g_autofree char *c = receipt_text (result_at (p2.reply, (guint) i));

          g_assert_cmpint (json_object_get_int_member (result_at (p1.reply, (guint) i),
                                                       "status"), ==, 200);
          g_assert_cmpstr (a, ==, c);
        }
      reply_free (p1.reply);
      reply_free (p2.reply);
    }
  g_assert_cmpint (intake_test_serve_stop (second), ==, 0);

  g_assert_cmpint (intake_test_run (suite.bin, &out, NULL, "--db", suite.db, "export",
                                    "--secret-key", suite.key_file, NULL), ==, 0);
  exported = json_from_string (out, NULL);
  list = json_node_get_array (exported);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (list, i),
                                                      "submission_id");

      if (g_hash_table_contains (sent, id))
        seen++;
    }
  /* Exactly one row per id: as many matches as ids sent, no more. */
  g_assert_cmpuint (seen, ==, (guint) (batches * per_batch));
}

/* PostgreSQL restarting under a running server: requests meanwhile get 503 with Retry-After,
 * and the server connects again by itself. */
static void
test_database_restart (void)
{
  g_autoptr (Device) d = enroll_new_device ();
  g_autoptr (GError) error = NULL;
  gboolean answered = FALSE;

  g_assert_true (intake_test_pg_restart (suite.pg, &error));
  g_assert_no_error (error);
  for (int attempt = 0; attempt < 5 && !answered; attempt++)
    {
      g_autoptr (Reply) r = request (d, "GET", "/v1/device", NULL);

      g_assert_nonnull (r);
      if (r->status == 200)
        answered = TRUE;
      else
        assert_error (r, 503, "unavailable");
    }
  g_assert_true (answered);
}

static void
suite_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;

  suite.dir = g_dir_make_tmp ("intake-server-test-XXXXXX", &error);
  g_assert_no_error (error);
  intake_test_remove_on_exit (suite.dir);
  suite.key_file = g_build_filename (suite.dir, "org.key", NULL);
  if (g_strcmp0 (suite.backend, "postgresql") == 0)
    {
      suite.pg = intake_test_pg_start (FALSE, &error);
      g_assert_no_error (error);
      suite.db = intake_test_pg_create_database (suite.pg, "intake_test", &error);
      g_assert_no_error (error);
    }
  else
    suite.db = g_strdup_printf ("sqlite:%s/server.db", suite.dir);

  g_assert_cmpint (intake_test_run (suite.bin, NULL, &err, "--db", suite.db, "init",
                                    "--secret-key-out", suite.key_file, NULL), ==, 0);
  g_assert_nonnull (strstr (err, "offline"));
  suite.serve = intake_test_serve_start (suite.bin, suite.db, "127.0.0.1:0", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (suite.serve->base_url, "http://127.0.0.1:"));
  suite.base = suite.serve->base_url;
}

static void
suite_teardown (void)
{
  g_autofree char *rm = NULL;

  g_assert_cmpint (intake_test_serve_stop (suite.serve), ==, 0);
  intake_test_pg_stop (suite.pg);
  rm = g_strdup_printf ("rm -rf '%s'", suite.dir);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  g_free (suite.dir);
  g_free (suite.db);
  g_free (suite.key_file);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);
  curl_global_init (CURL_GLOBAL_ALL);

  suite.bin = g_getenv ("INTAKE_SERVER");
  suite.backend = g_getenv ("INTAKE_TEST_BACKEND");
  if (suite.backend == NULL)
    suite.backend = "sqlite";
  g_assert_nonnull (suite.bin);

  if (g_strcmp0 (suite.backend, "postgresql") == 0 && geteuid () != 0)
    {
      /* PostgreSQL refuses to run as root, so the harness switches to its user, which only root
       * may do. CI runs as root and so never skips. */
      g_test_skip ("the PostgreSQL tests start a cluster as user postgres, which needs root");
      return g_test_run ();
    }

  g_test_add_func ("/intake/server/health", test_health);
  g_test_add_func ("/intake/server/unknown-requests", test_unknown_requests);
  g_test_add_func ("/intake/server/enroll", test_enroll);
  g_test_add_func ("/intake/server/enroll-refused", test_enroll_refused);
  g_test_add_func ("/intake/server/submissions/receipts", test_submission_receipts);
  g_test_add_func ("/intake/server/submissions/receipts-cover-stored",
                   test_submission_receipts_cover_stored);
  g_test_add_func ("/intake/server/submissions/batch", test_submission_batch);
  g_test_add_func ("/intake/server/submissions/ids-per-device", test_submission_ids_per_device);
  g_test_add_func ("/intake/server/submissions/malformed-envelopes",
                   test_submission_malformed_envelopes);
  g_test_add_func ("/intake/server/submissions/bad-bodies", test_submission_bad_bodies);
  g_test_add_func ("/intake/server/submissions/limits", test_submission_limits);
  g_test_add_func ("/intake/server/nonstandard-json-attack", test_nonstandard_json_attack);
  g_test_add_func ("/intake/server/submissions/gzip", test_submission_gzip);
  g_test_add_func ("/intake/server/not-http", test_not_http);
  g_test_add_func ("/intake/server/authentication", test_authentication);
  g_test_add_func ("/intake/server/body-after-authentication", test_body_after_authentication);
  g_test_add_func ("/intake/server/connection-limits", test_connection_limits);
  g_test_add_func ("/intake/server/device-status", test_device_status);
  g_test_add_func ("/intake/server/device-wipe-confirmed", test_device_wipe_confirmed);
  g_test_add_func ("/intake/server/device-wipe-deadline", test_device_wipe_deadline);
  g_test_add_func ("/intake/server/forms", test_forms);
  g_test_add_func ("/intake/server/export", test_export);
  g_test_add_func ("/intake/server/export-names-bad-envelopes", test_export_names_bad_envelopes);
  g_test_add_func ("/intake/server/export-refuses-hostile-content",
                   test_export_refuses_hostile_content);
  g_test_add_func ("/intake/server/export-csv-formulas", test_export_csv_formulas);
  g_test_add_func ("/intake/server/export-refuses-other-device",
                   test_export_refuses_other_device);
  g_test_add_func ("/intake/server/init-refusals", test_init_refusals);
  g_test_add_func ("/intake/server/device-add-provisioning", test_device_add_provisioning);
  g_test_add_func ("/intake/server/tls", test_tls);
  g_test_add_func ("/intake/server/two-servers", test_two_servers);
  if (g_strcmp0 (suite.backend, "postgresql") == 0)
    g_test_add_func ("/intake/server/database-restart", test_database_restart);

  suite_setup ();
  ret = g_test_run ();
  suite_teardown ();
  curl_global_cleanup ();
  return ret;
}
