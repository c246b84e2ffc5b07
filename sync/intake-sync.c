/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-sync-i18n-private.h"

#include "intake-sync.h"


#include "intake-json.h"
#include "intake-receipt.h"

#include <curl/curl.h>
#include <string.h>
#include <zlib.h>

#define MAX_RESPONSE_BYTES (16 * 1024 * 1024)
/* Batches in flight at once, each on its own connection. */
#define SYNC_LANES 2

G_DEFINE_QUARK (intake-sync-error-quark, intake_sync_error)

void
intake_sync_options_init (IntakeSyncOptions *options)
{
  options->batch_count = 100;
  options->batch_bytes = 4 * 1024 * 1024;
  options->connect_timeout_ms = 15000;
  options->low_speed_time_s = 30;
  options->total_timeout_s = 300;
  options->gzip = TRUE;
  options->reuse_connection = TRUE;
  options->lanes = SYNC_LANES;
  options->serial = FALSE;
  /* Forms change rarely; asking every ten minutes saves a round trip on most passes. */
  options->forms_interval_s = 600;
}

void
intake_sync_report_clear (IntakeSyncReport *report)
{
  g_clear_pointer (&report->message, g_free);
}

typedef struct
{
  IntakeStore *store;
  IntakeEnrollment *enrollment;
  const IntakeSyncOptions *options;
  GCancellable *cancellable;
  char *base_url;
  const char *pinned_key;
  const char *ca_file;
  /* One handle per lane, each with its own kept-alive connection: while the server works on
   * one batch, others travel. curl is lanes[0]'s and serves the other requests too. */
  CURL *curl;
  CURL *lane_curl[SYNC_LANES];
} Client;

typedef struct
{
  long status;
  GByteArray *body;
  int retry_after_s;
  gboolean too_big;
} Response;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

static void
client_clear (Client *c)
{
  g_clear_pointer (&c->curl, curl_easy_cleanup);
  for (guint i = 1; i < SYNC_LANES; i++)
    g_clear_pointer (&c->lane_curl[i], curl_easy_cleanup);
  g_clear_pointer (&c->base_url, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Client, client_clear)

/* Plain http is for loopback only (tests, the demo): anywhere else answers and envelopes would
 * cross the network unauthenticated. */
static gboolean
check_url (const char *url, char **base_out, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;
  const char *host;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                   _("'%s' is not a server address (expected https://HOST[:PORT])"), url);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (host);
      if (g_ascii_strcasecmp (host, "localhost") != 0
          && (addr == NULL || !g_inet_address_get_is_loopback (addr)))
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE,
                       _("Refusing plain http to %s: use https (plain http is only for the "
                         "tablet itself, 127.0.0.1)"),
                       host);
          return FALSE;
        }
    }
  else if (g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                   _("'%s' is not an https address"), url);
      return FALSE;
    }
  *base_out = g_strdup (url);
  while (g_str_has_suffix (*base_out, "/"))
    (*base_out)[strlen (*base_out) - 1] = '\0';
  return TRUE;
}

static size_t
write_cb (char *data, size_t size, size_t nmemb, void *user_data)
{
  Response *r = user_data;
  size_t n = size * nmemb;

  if (r->body->len + n > MAX_RESPONSE_BYTES)
    {
      r->too_big = TRUE;
      return 0;
    }
  g_byte_array_append (r->body, (const guint8 *) data, n);
  return n;
}

static int
progress_cb (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
             curl_off_t ulnow)
{
  Client *c = user_data;
  return g_cancellable_is_cancelled (c->cancellable) ? 1 : 0;
}

static gboolean
client_init (Client *c,
             IntakeStore *store,
             const char *url,
             const IntakeSyncOptions *options,
             GCancellable *cancellable,
             GError **error)
{
  c->store = store;
  c->options = options;
  c->cancellable = cancellable;
  if (!check_url (url, &c->base_url, error))
    return FALSE;
  c->curl = curl_easy_init ();
  c->lane_curl[0] = c->curl;
  for (guint i = 1; i < SYNC_LANES; i++)
    c->lane_curl[i] = curl_easy_init ();
  if (c->curl == NULL || c->lane_curl[SYNC_LANES - 1] == NULL)
    {
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                           _("Could not start the network library"));
      return FALSE;
    }
  return TRUE;
}

/* A request body, gzipped. The bodies are mostly base64 of ciphertext, where deflate's string
 * matching finds almost nothing: Huffman coding alone keeps nearly all of the gain (about a
 * quarter of the bytes) at some two fifths of level 1's cost. */
static GBytes *
gzip_bytes (GBytes *plain)
{
  z_stream z = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (plain, &len);
  guint8 *out;
  uLong bound;

  if (len > G_MAXUINT32 / 2
      || deflateInit2 (&z, 1, Z_DEFLATED, 15 + 16 /* gzip */, 8, Z_HUFFMAN_ONLY) != Z_OK)
    return NULL;
  bound = deflateBound (&z, (uLong) len);
  out = g_malloc (bound);
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  z.next_out = out;
  z.avail_out = (uInt) bound;
  if (deflate (&z, Z_FINISH) != Z_STREAM_END)
    {
      deflateEnd (&z);
      g_free (out);
      return NULL;
    }
  len = z.total_out;
  deflateEnd (&z);
  return g_bytes_new_take (out, len);
}

/* The protocol's hash of a request body or form document, in lower-case hex. */
static void
hash_hex (const void *data, gsize len, char hex[INTAKE_HASH_BYTES * 2 + 1])
{
  guint8 hash[INTAKE_HASH_BYTES];

  crypto_generichash (hash, sizeof hash, data, len, NULL, 0);
  sodium_bin2hex (hex, INTAKE_HASH_BYTES * 2 + 1, hash, sizeof hash);
}

static char *
request_signature (IntakeStore *store, const char *method, const char *path, GBytes *body)
{
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  char hex[INTAKE_HASH_BYTES * 2 + 1];
  g_autofree char *message = NULL;

  hash_hex (body ? g_bytes_get_data (body, NULL) : NULL, body ? g_bytes_get_size (body) : 0, hex);
  message = g_strdup_printf ("intake-request-v1\n%s\n%s\n%s", method, path, hex);
  intake_store_sign (store, (const guint8 *) message, strlen (message), sig);
  return g_base64_encode (sig, sizeof sig);
}

static gboolean
curl_failure (Client *c, CURLcode rc, const char *errbuf, GError **error)
{
  const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror (rc);

  if (rc == CURLE_ABORTED_BY_CALLBACK)
    g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_CANCELLED,
                         _("Sync was stopped"));
  else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH
           || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM
           || rc == CURLE_SSL_CONNECT_ERROR)
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE,
                 _("The server's identity could not be verified (%s); nothing was sent"), detail);
  else
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK,
                 _("Could not reach the server (%s)"), detail);
  return FALSE;
}

/* A request made ready to send: its body gzipped and signed, its headers set. Getting it ready
 * touches no connection, so it can happen while other requests are on their way. */
typedef struct
{
  char *method;
  char *url;
  GBytes *wire;
  struct curl_slist *headers;
} Prepared;

static void
prepared_clear (Prepared *p)
{
  g_clear_pointer (&p->method, g_free);
  g_clear_pointer (&p->url, g_free);
  g_clear_pointer (&p->wire, g_bytes_unref);
  g_clear_pointer (&p->headers, curl_slist_free_all);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Prepared, prepared_clear)

static void
request_prepare (Client *c,
                 const char *method,
                 const char *path,
                 GBytes *json_body,
                 gboolean sign,
                 Prepared *p)
{
  p->method = g_strdup (method);
  p->url = g_strconcat (c->base_url, path, NULL);
  if (json_body != NULL)
    {
      p->wire = c->options->gzip ? gzip_bytes (json_body) : NULL;
      if (p->wire != NULL)
        p->headers = curl_slist_append (p->headers, "Content-Encoding: gzip");
      else
        p->wire = g_bytes_ref (json_body);
      p->headers = curl_slist_append (p->headers, "Content-Type: application/json");
    }
  p->headers = curl_slist_append (p->headers, "Expect:");
  if (sign)
    {
      g_autofree char *sig = request_signature (c->store, method, path, p->wire);
      g_autofree char *dev = g_strdup_printf ("Intake-Device: %s",
                                              intake_store_get_device_id (c->store));
      g_autofree char *sig_h = g_strdup_printf ("Intake-Signature: %s", sig);
      p->headers = curl_slist_append (p->headers, dev);
      p->headers = curl_slist_append (p->headers, sig_h);
    }
}

/* One HTTP exchange on a handle's reused connection. Transport failures become GErrors; any
 * HTTP status is returned for the caller to judge. */
static gboolean
request_perform (Client *c, CURL *h, const Prepared *p, Response *r, GError **error)
{
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode rc;

  if (g_cancellable_set_error_if_cancelled (c->cancellable, error))
    return FALSE;
  r->body = g_byte_array_new ();
  r->retry_after_s = -1;
  r->status = 0;
  r->too_big = FALSE;

  curl_easy_reset (h);
  curl_easy_setopt (h, CURLOPT_URL, p->url);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (c->ca_file)
    curl_easy_setopt (h, CURLOPT_CAINFO, c->ca_file);
  if (c->pinned_key)
    curl_easy_setopt (h, CURLOPT_PINNEDPUBLICKEY, c->pinned_key);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT_MS, c->options->connect_timeout_ms);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, c->options->low_speed_time_s);
  curl_easy_setopt (h, CURLOPT_TIMEOUT, c->options->total_timeout_s);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, p->headers);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, r);
  curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (h, CURLOPT_XFERINFODATA, c);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "field-intake/" PACKAGE_VERSION);
  if (!c->options->reuse_connection)
    {
      curl_easy_setopt (h, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt (h, CURLOPT_FORBID_REUSE, 1L);
    }
  if (g_str_equal (p->method, "POST"))
    {
      curl_easy_setopt (h, CURLOPT_POST, 1L);
      curl_easy_setopt (h, CURLOPT_POSTFIELDS, p->wire ? g_bytes_get_data (p->wire, NULL) : "");
      curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE,
                        (curl_off_t) (p->wire ? g_bytes_get_size (p->wire) : 0));
    }
  rc = curl_easy_perform (h);
  /* The handle keeps pointers to the headers and the error buffer until its next reset. */
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, NULL);
  if (rc != CURLE_OK)
    {
      if (r->too_big)
        {
          g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
                               _("The server's answer was far too large"));
          return FALSE;
        }
      return curl_failure (c, rc, errbuf, error);
    }
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &r->status);
  {
    /* libcurl reads Retry-After in both its forms (seconds, or an HTTP date). */
    curl_off_t retry = 0;
    if (curl_easy_getinfo (h, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
      r->retry_after_s = (int) MIN (retry, (curl_off_t) 24 * 3600);
  }
  return TRUE;
}

static gboolean
client_request (Client *c,
                const char *method,
                const char *path,
                GBytes *json_body,
                gboolean sign,
                Response *r,
                GError **error)
{
  g_auto (Prepared) p = { 0 };

  request_prepare (c, method, path, json_body, sign, &p);
  return request_perform (c, c->curl, &p, r, error);
}

/* Every answer of the server, through the one bounded entry point (core/intake-json.h): a
 * compromised server or anyone on the path must not be able to crash the tablet with a deep or
 * non-standard document. The body's size is bounded by MAX_RESPONSE_BYTES as it arrives. */
static JsonObject *
response_object (Response *r, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = intake_json_parse_untrusted ((const char *) r->body->data,
                                                           (gssize) r->body->len, NULL,
                                                           &local_error);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
                   _("The server's answer (HTTP %ld) was not what the protocol says (%s); trying "
                     "again later"),
                   r->status, root == NULL ? local_error->message : _("not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* A reason for a person, from the server's {"error", "reason"}, or the status alone. */
static char *
response_reason (Response *r)
{
  g_autoptr (JsonObject) o = response_object (r, NULL);
  const char *reason = o ? intake_json_get_string (o, "reason") : NULL;

  if (reason)
    return g_strdup_printf ("%s (HTTP %ld)", reason, r->status);
  return g_strdup_printf (_("the server answered HTTP %ld"), r->status);
}

static gboolean
decode_key (JsonObject *o, const char *member, guint8 *out, gsize len)
{
  const char *b64 = intake_json_get_string (o, member);
  g_autofree guint8 *raw = NULL;
  gsize raw_len = 0;

  if (b64 == NULL)
    return FALSE;
  raw = g_base64_decode (b64, &raw_len);
  if (raw_len != len)
    return FALSE;
  memcpy (out, raw, len);
  return TRUE;
}

static guint8 *
base64url_decode (const char *text, gsize *len)
{
  g_autofree char *std = g_strdup (text);
  GString *padded;

  g_strdelimit (std, "-", '+');
  g_strdelimit (std, "_", '/');
  padded = g_string_new (std);
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  {
    guint8 *out = g_base64_decode (padded->str, len);
    g_string_free (padded, TRUE);
    return out;
  }
}

gboolean
intake_sync_enroll (IntakeSession *admin,
                    const char *url,
                    const char *token,
                    const char *pinned_key,
                    const char *ca_file,
                    GError **error)
{
  IntakeStore *store = intake_session_get_store (admin);
  g_auto (Client) c = { 0 };
  g_auto (Response) r = { 0 };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pk_b64 = NULL;
  g_autofree guint8 *fingerprint = NULL;
  g_autofree guint8 *org_fingerprint = NULL;
  g_auto (GStrv) parts = NULL;
  IntakeEnrollment e = { 0 };
  IntakeSyncOptions options;
  guint8 pk[INTAKE_SIGN_PUBLIC_BYTES];
  guint8 hash[INTAKE_FINGERPRINT_BYTES];
  gsize fp_len = 0;
  gsize org_fp_len = 0;

  if (intake_session_get_role (admin) != INTAKE_ROLE_ADMIN)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                           "Only an admin may enroll the tablet");
      return FALSE;
    }
  /* SECRET.SERVER.ORG: the token pins both the server's receipt-signing key and the
   * organisation's data key, so that a server that is not the one the admin set up (or one that
   * was taken over and hands out a key of its own) cannot enroll the tablet. */
  parts = g_strsplit (token, ".", 0);
  if (g_strv_length (parts) == 2)
    {
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                           "That enrollment token was made by an older intake-server and does not "
                           "pin the organisation's key; make a new one with 'intake-server device "
                           "add'");
      return FALSE;
    }
  if (g_strv_length (parts) != 3 || *parts[0] == '\0'
      || (fingerprint = base64url_decode (parts[1], &fp_len)) == NULL
      || fp_len != INTAKE_FINGERPRINT_BYTES
      || (org_fingerprint = base64url_decode (parts[2], &org_fp_len)) == NULL
      || org_fp_len != INTAKE_FINGERPRINT_BYTES)
    {
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                           "That is not an enrollment token (expected SECRET.SERVER.ORG, as "
                           "'intake-server device add' prints it)");
      return FALSE;
    }

  intake_sync_options_init (&options);
  options.gzip = FALSE;
  if (!client_init (&c, store, url, &options, NULL, error))
    return FALSE;
  c.pinned_key = pinned_key;
  c.ca_file = ca_file;

  intake_store_get_device_public_key (store, pk);
  pk_b64 = g_base64_encode (pk, sizeof pk);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, intake_store_get_device_id (store));
  json_builder_set_member_name (b, "sign_pk");
  json_builder_add_string_value (b, pk_b64);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  text = json_to_string (body, FALSE);
  bytes = g_bytes_new (text, strlen (text));
  if (!client_request (&c, "POST", "/v1/enroll", bytes, FALSE, &r, error))
    return FALSE;
  if (r.status != 200)
    {
      g_autofree char *why = response_reason (&r);
      g_set_error (error, INTAKE_SYNC_ERROR,
                   r.status == 401 || r.status == 403 ? INTAKE_SYNC_ERROR_UNAUTHORIZED
                                                      : INTAKE_SYNC_ERROR_REFUSED,
                   "Enrollment refused: %s", why);
      return FALSE;
    }
  answer = response_object (&r, error);
  if (answer == NULL)
    return FALSE;
  if (!decode_key (answer, "org_data_pk", e.org_data_pk, sizeof e.org_data_pk)
      || !decode_key (answer, "server_sign_pk", e.server_sign_pk, sizeof e.server_sign_pk))
    {
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
                           "The server's enrollment answer lacks its keys");
      return FALSE;
    }
  /* The token carries the server key's fingerprint: an answer from anyone else is refused. */
  intake_key_fingerprint (e.server_sign_pk, sizeof e.server_sign_pk, hash);
  if (sodium_memcmp (hash, fingerprint, sizeof hash) != 0)
    {
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE,
                           "The server that answered is not the one that issued this token; "
                           "nothing was stored");
      return FALSE;
    }
  /* And the organisation key's: a server that hands out any other key is refused. */
  intake_key_fingerprint (e.org_data_pk, sizeof e.org_data_pk, hash);
  if (sodium_memcmp (hash, org_fingerprint, sizeof hash) != 0)
    {
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE,
                           "The server answered with an organisation key other than the one this "
                           "token pins: nothing was stored. Interviews sealed to that key could "
                           "be read by whoever holds it; tell the organisation's data manager");
      return FALSE;
    }
  e.server_url = c.base_url;
  e.device_name = (char *) intake_json_get_string (answer, "name");
  e.pinned_key = (char *) pinned_key;
  e.ca_file = (char *) ca_file;
  if (!intake_session_set_enrollment (admin, &e, error))
    return FALSE;
  return intake_outbox_seal_queued (admin, error) >= 0;
}

/* A batch's body, written straight out: a tree of a hundred envelopes cost more to build than
 * the text itself. */
static GBytes *
batch_body (GPtrArray *batch)
{
  GString *out;
  gsize bytes = 0;

  for (guint i = 0; i < batch->len; i++)
    bytes += g_bytes_get_size (((IntakeEnvelope *) batch->pdata[i])->sealed);
  out = g_string_sized_new (bytes * 4 / 3 + batch->len * 256 + 64);
  g_string_append (out, "{\"envelopes\":[");
  for (guint i = 0; i < batch->len; i++)
    {
      IntakeEnvelope *env = batch->pdata[i];
      g_autofree char *sealed = g_base64_encode (g_bytes_get_data (env->sealed, NULL),
                                                 g_bytes_get_size (env->sealed));
      g_string_append (out, i ? ",{" : "{");
      intake_json_write_member (out, TRUE, "submission_id", env->submission_id);
      intake_json_write_member (out, FALSE, "sealed", sealed);
      intake_json_write_member (out, FALSE, "content_hash", env->content_hash);
      intake_json_write_member (out, FALSE, "signature", env->signature);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
  return g_string_free_to_bytes (out);
}

static gint64
now_to_the_minute (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  return now - now % 60;
}

static void
set_later (IntakeSyncReport *report, int retry_after_s, const char *message)
{
  /* A stop that needs a person outranks a failure that will pass. */
  if (report->outcome == INTAKE_SYNC_STOPPED)
    return;
  report->outcome = INTAKE_SYNC_LATER;
  report->retry_after_s = retry_after_s;
  g_free (report->message);
  report->message = g_strdup (message);
}

static void
set_stopped (IntakeStore *store, IntakeSyncReport *report, Response *r)
{
  g_autofree char *why = response_reason (r);
  g_autoptr (JsonObject) o = response_object (r, NULL);
  gboolean wiped = r->status == 403 && o != NULL
                   && g_strcmp0 (intake_json_get_string (o, "error"), "wiped") == 0;

  report->outcome = INTAKE_SYNC_STOPPED;
  g_free (report->message);
  report->message = g_strdup_printf (_("Device revoked or not enrolled: %s; syncing has stopped "
                                       "until an admin acts"),
                                     why);
  intake_store_set_sync_state (store, "device_status",
                               wiped              ? "wiped"
                               : r->status == 403 ? "revoked"
                                                  : "unauthenticated",
                               NULL);
}

/* The server refuses this device's key because its wipe was confirmed or its deadline passed:
 * the tablet is then wiped too (a wipe cut short after its confirmation, or a tablet that comes
 * back after the deadline), since nothing it holds can be sent any more. */
static gboolean
refused_as_wiped (IntakeStore *store, IntakeSyncReport *report)
{
  g_autofree char *status = NULL;

  if (report->outcome != INTAKE_SYNC_STOPPED)
    return FALSE;
  status = intake_store_dup_sync_state (store, "device_status");
  return g_strcmp0 (status, "wiped") == 0;
}

static gboolean
pull_forms (Client *c, IntakeSyncReport *report)
{
  g_auto (Response) r = { 0 };
  g_autoptr (JsonObject) o = NULL;
  JsonArray *forms;

  if (!client_request (c, "GET", "/v1/forms", NULL, TRUE, &r, NULL) || r.status != 200
      || (o = response_object (&r, NULL)) == NULL)
    return FALSE;
  forms = intake_json_get_array (o, "forms");
  for (guint i = 0; forms && i < json_array_get_length (forms); i++)
    {
      JsonNode *node = json_array_get_element (forms, i);
      JsonObject *f = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = f ? intake_json_get_string (f, "id") : NULL;
      gint64 version = f ? intake_json_get_int (f, "version", 0) : 0;
      const char *doc = f ? intake_json_get_string (f, "document") : NULL;
      const char *sig_b64 = f ? intake_json_get_string (f, "signature")
                              : NULL;
      g_autofree guint8 *sig = NULL;
      g_autofree char *message = NULL;
      char hex[INTAKE_HASH_BYTES * 2 + 1];
      gsize sig_len = 0;

      if (id == NULL || doc == NULL || sig_b64 == NULL || version <= 0
          || intake_store_get_latest_form_version (c->store, id) >= version)
        continue;
      hash_hex (doc, strlen (doc), hex);
      message = g_strdup_printf ("intake-form-v1\n%s\n%" G_GINT64_FORMAT "\n%s", id, version,
                                 hex);
      sig = g_base64_decode (sig_b64, &sig_len);
      if (sig_len != INTAKE_SIGNATURE_BYTES
          || crypto_sign_verify_detached (sig, (const guint8 *) message, strlen (message),
                                          c->enrollment->server_sign_pk)
                 != 0)
        {
          g_warning ("Form %s version %" G_GINT64_FORMAT
                     " from the server has no valid signature; ignored",
                     id, version);
          continue;
        }
      if (intake_store_import_verified_form (c->store, doc, NULL))
        report->forms_added++;
    }
  return TRUE;
}

typedef enum
{
  VERDICT_UNTRUSTED, /* no valid receipt for exactly this envelope: keep it, try later */
  VERDICT_SENT,      /* a receipt that verifies under the server's key */
  VERDICT_REFUSED,   /* 400 or 409 for this envelope: parked for a person */
} Verdict;

typedef struct
{
  Client *client;
  IntakeEnrollment *enrollment;
  GPtrArray *batch; /* borrowed envelopes */
  GBytes *body;
  Prepared request;
  Response r;
  gboolean ok;
  GError *error;
  /* Filled in the lane for a 200 answer: per envelope, its verdict and the receipt's text or
   * the refusal's reason. */
  gboolean answered;
  Verdict *verdicts;
  char **texts;
} Lane;

/* What the server said of each envelope of a batch: receipts are checked against the envelope's
 * id and hash and the server's signing key. */
static gboolean
judge_results (Lane *lane)
{
  g_autoptr (JsonObject) o = response_object (&lane->r, NULL);
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  /* The batch's root signatures already verified: a batch's receipts share one. */
  g_autoptr (GHashTable) verified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *results = intake_json_get_array (o, "results");

  if (results == NULL)
    return FALSE;
  for (guint k = 0; k < json_array_get_length (results); k++)
    {
      JsonNode *n = json_array_get_element (results, k);
      const char *id = JSON_NODE_HOLDS_OBJECT (n)
                           ? intake_json_get_string (json_node_get_object (n), "submission_id")
                           : NULL;
      if (id != NULL)
        g_hash_table_insert (by_id, (gpointer) id, json_node_get_object (n));
    }
  lane->verdicts = g_new0 (Verdict, lane->batch->len);
  lane->texts = g_new0 (char *, lane->batch->len + 1);
  for (guint i = 0; i < lane->batch->len; i++)
    {
      IntakeEnvelope *env = lane->batch->pdata[i];
      JsonObject *result = g_hash_table_lookup (by_id, env->submission_id);
      gint64 status = intake_json_get_int (result, "status", 0);
      JsonObject *receipt = intake_json_get_object (result, "receipt");

      if (result == NULL)
        continue;
      if (status == 200 && receipt != NULL
          && intake_receipt_verify (receipt, env->submission_id, env->content_hash,
                                    lane->enrollment->server_sign_pk, verified))
        {
          g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), receipt);
          GString *text = g_string_sized_new (1024);

          intake_json_write (text, node);
          lane->verdicts[i] = VERDICT_SENT;
          lane->texts[i] = g_string_free (text, FALSE);
        }
      else if (status == 400 || status == 409)
        {
          const char *reason = intake_json_get_string (result, "reason");
          lane->verdicts[i] = VERDICT_REFUSED;
          lane->texts[i] = g_strdup_printf (
              "%s (%s)", reason ? reason : _("refused by the server"),
              status == 409 ? _("a different interview was already sent with this id")
                            : _("the server found the envelope invalid"));
        }
    }
  return TRUE;
}

static void
lane_free (Lane *lane)
{
  g_clear_pointer (&lane->batch, g_ptr_array_unref);
  g_clear_pointer (&lane->body, g_bytes_unref);
  prepared_clear (&lane->request);
  response_clear (&lane->r);
  g_clear_error (&lane->error);
  g_clear_pointer (&lane->verdicts, g_free);
  g_clear_pointer (&lane->texts, g_strfreev);
  g_free (lane);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lane, lane_free)

/* The sending side of a pass. The pass's own thread keeps the store: it fetches batches and
 * stores receipts. A small pool does a batch's work that needs neither store nor connection:
 * first its request is made ready (body, gzip, signature), later its answer is read and its
 * receipts checked (only the device key is read, to sign). SYNC_LANES threads, each with its
 * own kept-alive connection, only send: a connection's next request leaves as soon as its last
 * answer is in, so the server is not kept waiting while this side builds, checks or stores. */
static Lane stop_lanes;

typedef struct
{
  GAsyncQueue *todo; /* ready to send */
  GAsyncQueue *done; /* answered and checked, for the pass's thread */
} LaneQueues;

static void
lane_build (Lane *lane)
{
  lane->body = batch_body (lane->batch);
  request_prepare (lane->client, "POST", "/v1/submissions", lane->body, TRUE, &lane->request);
}

static void
lane_judge (Lane *lane)
{
  if (lane->ok && lane->r.status == 200)
    lane->answered = judge_results (lane);
}

static void
batch_work (gpointer data, gpointer user_data)
{
  Lane *lane = data;
  LaneQueues *q = user_data;

  if (lane->request.url == NULL)
    {
      lane_build (lane);
      g_async_queue_push (q->todo, lane);
      return;
    }
  lane_judge (lane);
  g_async_queue_push (q->done, lane);
}

typedef struct
{
  Client *client;
  CURL *handle;
  GAsyncQueue *todo;
  GThreadPool *work;
} LaneWorker;

static gpointer
lane_worker (gpointer data)
{
  LaneWorker *w = data;

  for (;;)
    {
      Lane *lane = g_async_queue_pop (w->todo);
      if (lane == &stop_lanes)
        break;
      lane->ok = request_perform (w->client, w->handle, &lane->request, &lane->r, &lane->error);
      g_thread_pool_push (w->work, lane, NULL);
    }
  return NULL;
}

/* The next batch: the oldest pending envelopes not already on their way. */
static Lane *
next_batch (IntakeStore *store,
            GHashTable *in_flight,
            IntakeOutboxCursor *cursor,
            guint batch_count,
            gsize batch_bytes,
            GError **error)
{
  g_autoptr (Lane) lane = g_new0 (Lane, 1);

  lane->batch = intake_outbox_pending_except (store, in_flight, cursor, batch_count,
                                                    batch_bytes, error);
  if (lane->batch == NULL)
    return NULL;
  return g_steal_pointer (&lane);
}

typedef enum
{
  BATCH_NEXT,
  BATCH_STOP,
  BATCH_FAILED,
} BatchOutcome;

/* What one batch's answer means: receipts stored, refusals parked, or a reason to stop the pass
 * and try again later. */
static BatchOutcome
handle_batch (IntakeStore *store,
              Lane *lane,
              guint *batch_count,
              IntakeOutboxCursor *cursor,
              IntakeSyncReport *report,
              GError **error)
{
  GPtrArray *batch = lane->batch;
  Response *r = &lane->r;
  g_autoptr (GPtrArray) sent_ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) receipts = g_ptr_array_new ();
  gboolean untrusted = FALSE;

  if (!lane->ok)
    {
      intake_outbox_note_failure (store, batch, lane->error->message, NULL);
      set_later (report, -1, lane->error->message);
      return BATCH_STOP;
    }
  if (r->status == 401 || r->status == 403)
    {
      set_stopped (store, report, r);
      return BATCH_STOP;
    }
  if (r->status == 413 && batch->len > 1)
    {
      /* Smaller batches, then, for the rest of this pass; the queue read again from its start,
       * so that this batch's envelopes go too. */
      *batch_count = MAX (1, batch->len / 2);
      *cursor = INTAKE_OUTBOX_CURSOR_START;
      return BATCH_NEXT;
    }
  if (r->status == 408 || r->status == 429 || r->status >= 500)
    {
      g_autofree char *why = response_reason (r);
      intake_outbox_note_failure (store, batch, why, NULL);
      set_later (report, r->retry_after_s, why);
      return BATCH_STOP;
    }
  if (r->status != 200)
    {
      /* A permanent refusal of the request as a whole: park what it carried, with the server's
       * reason, for a person. Nothing is dropped. */
      g_autofree char *why = response_reason (r);
      for (guint i = 0; i < batch->len; i++)
        if (!intake_outbox_mark_attention (
                store, ((IntakeEnvelope *) batch->pdata[i])->submission_id, why, error))
          return BATCH_FAILED;
      return BATCH_NEXT;
    }
  if (!lane->answered)
    {
      intake_outbox_note_failure (store, batch, "garbled answer", NULL);
      set_later (report, -1,
                 _("The server's answer (HTTP 200) was not what the protocol says; trying again "
                   "later"));
      return BATCH_STOP;
    }
  for (guint i = 0; i < batch->len; i++)
    {
      IntakeEnvelope *env = batch->pdata[i];

      switch (lane->verdicts[i])
        {
        case VERDICT_SENT:
          g_ptr_array_add (sent_ids, env->submission_id);
          g_ptr_array_add (receipts, lane->texts[i]);
          break;
        case VERDICT_REFUSED:
          if (!intake_outbox_mark_attention (store, env->submission_id, lane->texts[i],
                                                   error))
            return BATCH_FAILED;
          break;
        case VERDICT_UNTRUSTED:
        default:
          untrusted = TRUE;
          break;
        }
    }
  /* Every receipt of the batch is stored in one transaction: one flush for the batch. */
  if (!intake_outbox_mark_sent (store, sent_ids, receipts, error))
    return BATCH_FAILED;
  report->sent += sent_ids->len;
  if (untrusted)
    {
      intake_outbox_note_failure (store, batch, "answer without a valid receipt", NULL);
      set_later (report, -1,
                 _("The server's answer did not carry valid receipts for everything sent; "
                   "trying again later"));
      return BATCH_STOP;
    }
  return BATCH_NEXT;
}

gboolean
intake_sync_pass (IntakeStore *store,
                  const IntakeSyncOptions *options,
                  GCancellable *cancellable,
                  IntakeSyncReport *report,
                  GError **error)
{
  g_autoptr (IntakeEnrollment) e = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (Client) c = { 0 };
  IntakeSyncOptions defaults;
  IntakeOutboxCounts counts;
  gboolean wipe_ordered = FALSE;
  guint batch_count;

  memset (report, 0, sizeof *report);
  report->retry_after_s = -1;
  if (options == NULL)
    {
      intake_sync_options_init (&defaults);
      options = &defaults;
    }
  batch_count = options->batch_count;

  e = intake_store_dup_enrollment (store, &local_error);
  if (e == NULL)
    {
      if (!g_error_matches (local_error, INTAKE_STORE_ERROR,
                            INTAKE_STORE_ERROR_NOT_INITIALISED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      report->outcome = INTAKE_SYNC_STOPPED;
      report->message = g_strdup (local_error->message);
      return TRUE;
    }
  if (!client_init (&c, store, e->server_url, options, cancellable, &local_error))
    {
      report->outcome = INTAKE_SYNC_STOPPED;
      report->message = g_strdup (local_error->message);
      return TRUE;
    }
  c.enrollment = e;
  c.pinned_key = e->pinned_key;
  c.ca_file = e->ca_file;

  {
    g_autoptr (GHashTable) in_flight = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr (GAsyncQueue) todo = g_async_queue_new ();
    g_autoptr (GAsyncQueue) done = g_async_queue_new ();
    LaneQueues queues = { todo, done };
    LaneWorker workers[SYNC_LANES];
    GThread *threads[SYNC_LANES];
    GThreadPool *work;
    g_autoptr (GError) fatal = NULL;
    IntakeOutboxCursor cursor = INTAKE_OUTBOX_CURSOR_START;
    guint outstanding = 0;
    gboolean stop = FALSE;
    /* A serial pass sends from this thread: no lanes. */
    guint lanes = options->serial ? 0 : CLAMP (options->lanes, 1, SYNC_LANES);

    /* Two threads: building one batch's request while checking another's answer. */
    work = g_thread_pool_new (batch_work, &queues, 2, FALSE, NULL);
    for (guint i = 0; i < lanes; i++)
      {
        workers[i] = (LaneWorker){ &c, c.lane_curl[i], todo, work };
        threads[i] = g_thread_new ("intake-sync-lane", lane_worker, &workers[i]);
      }
    for (;;)
      {
        g_autoptr (Lane) answered = NULL;
        BatchOutcome out;

        /* Enough batches on their way that each connection has its next request ready, and
         * one more being built or checked (one at a time in a serial pass). */
        while (!stop && outstanding < 2 * lanes + 1)
          {
            Lane *lane = next_batch (store, in_flight, &cursor, batch_count,
                                     options->batch_bytes, &fatal);
            if (lane == NULL)
              {
                stop = TRUE;
                break;
              }
            if (lane->batch->len == 0)
              {
                lane_free (lane);
                break;
              }
            for (guint i = 0; i < lane->batch->len; i++)
              g_hash_table_add (in_flight,
                                ((IntakeEnvelope *) lane->batch->pdata[i])->submission_id);
            lane->client = &c;
            lane->enrollment = e;
            if (options->serial)
              {
                lane_build (lane);
                lane->ok = request_perform (&c, c.curl, &lane->request, &lane->r, &lane->error);
                lane_judge (lane);
                g_async_queue_push (done, lane);
              }
            else
              g_thread_pool_push (work, lane, NULL);
            outstanding++;
          }
        if (outstanding == 0)
          break;
        answered = g_async_queue_pop (done);
        outstanding--;
        out = fatal ? BATCH_STOP
                    : handle_batch (store, answered, &batch_count, &cursor, report, &fatal);
        for (guint i = 0; i < answered->batch->len; i++)
          g_hash_table_remove (in_flight,
                               ((IntakeEnvelope *) answered->batch->pdata[i])->submission_id);
        if (out != BATCH_NEXT)
          stop = TRUE;
      }
    for (guint i = 0; i < lanes; i++)
      g_async_queue_push (todo, &stop_lanes);
    for (guint i = 0; i < lanes; i++)
      g_thread_join (threads[i]);
    /* Every batch came back: the pool has nothing left to do. */
    g_thread_pool_free (work, FALSE, TRUE);
    if (fatal != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&fatal));
        return FALSE;
      }
  }

  /* Then the device's standing (a revoked tablet was already refused above: its submissions
   * get 403) and a wipe order, which runs after what could be sent was sent; then new forms.
   * Sending first means that a fault on the network hits the submissions it would hit anyway,
   * and that nothing waits behind a status check. */
  if (report->outcome == INTAKE_SYNC_DONE)
    {
      g_auto (Response) r = { 0 };
      g_autoptr (JsonObject) o = NULL;

      if (!client_request (&c, "GET", "/v1/device", NULL, TRUE, &r, &local_error))
        {
          set_later (report, -1, local_error->message);
          goto counts;
        }
      if (r.status == 401 || r.status == 403)
        {
          set_stopped (store, report, &r);
          goto counts;
        }
      if (r.status != 200 || (o = response_object (&r, NULL)) == NULL)
        {
          g_autofree char *why = response_reason (&r);
          set_later (report, r.retry_after_s, why);
          goto counts;
        }
      wipe_ordered = g_strcmp0 (intake_json_get_string (o, "status"), "wipe") == 0;
      intake_store_set_sync_state (store, "device_status", wipe_ordered ? "wipe" : "active", NULL);
    }

  if (report->outcome == INTAKE_SYNC_DONE)
    {
      /* New forms, now and then. */
      g_autofree char *last = intake_store_dup_sync_state (store, "forms_checked");
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      gint64 then = last ? g_ascii_strtoll (last, NULL, 10) : 0;

      if (options->forms_interval_s <= 0 || last == NULL || now - then >= options->forms_interval_s
          || now < then)
        {
          if (pull_forms (&c, report))
            {
              g_autofree char *stamp = g_strdup_printf ("%" G_GINT64_FORMAT, now);
              intake_store_set_sync_state (store, "forms_checked", stamp, NULL);
            }
        }
    }

  if (wipe_ordered && report->outcome != INTAKE_SYNC_STOPPED)
    {
      /* Told to wipe: what could be sent has been; now the keys and the data go. First the
       * server hears that this device is wiping (signed, while the key still exists), so that
       * it refuses the key from then on, should someone have copied it. Its answer does not
       * matter: the tablet wipes either way, and a confirmation that is lost leaves the admin's
       * deadline, if any, to refuse the key. */
      {
        g_auto (Response) confirm = { 0 };
        g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);

        client_request (&c, "POST", "/v1/device/wiped", body, TRUE, &confirm, NULL);
      }
      if (!intake_store_wipe (store, "", error))
        return FALSE;
      report->outcome = INTAKE_SYNC_WIPED;
      g_free (report->message);
      report->message = g_strdup (_("The server ordered this tablet wiped; it was wiped"));
      return TRUE;
    }

counts:
  if (refused_as_wiped (store, report))
    {
      if (!intake_store_wipe (store, "", error))
        return FALSE;
      report->outcome = INTAKE_SYNC_WIPED;
      g_free (report->message);
      report->message = g_strdup (_("The server refuses this tablet's key because it was ordered "
                                    "wiped; it was wiped"));
      return TRUE;
    }
  if (!intake_outbox_counts (store, &counts, error))
    return FALSE;
  report->pending = counts.pending;
  report->needs_attention = counts.needs_attention;
  if (report->outcome == INTAKE_SYNC_DONE)
    {
      /* To the minute, like every time the data file keeps in the clear. */
      g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (now_to_the_minute ());
      g_autofree char *now_s = g_date_time_format_iso8601 (now);

      intake_store_set_sync_state (store, "last_success", now_s, NULL);
      intake_store_set_sync_state (store, "last_error", NULL, NULL);
      intake_outbox_apply_retention (store, NULL);
      if (counts.pending > 0)
        report->outcome = INTAKE_SYNC_LATER;
      else if (counts.needs_attention > 0)
        report->outcome = INTAKE_SYNC_NEEDS_ATTENTION;
      if (report->message == NULL)
        report->message = g_strdup_printf (_("%d sent, %d waiting, %d need attention"),
                                           report->sent, counts.pending,
                                           counts.needs_attention);
    }
  else if (report->message)
    intake_store_set_sync_state (store, "last_error", report->message, NULL);
  return TRUE;
}

typedef struct
{
  char *url;
  char *token;
  char *pinned_key;
  char *ca_file;
} EnrollArgs;

static void
enroll_args_free (EnrollArgs *args)
{
  g_free (args->url);
  if (args->token != NULL)
    intake_crypto_wipe_string (args->token);
  g_free (args->token);
  g_free (args->pinned_key);
  g_free (args->ca_file);
  g_free (args);
}

static gboolean
enroll_work (IntakeSession *admin, gpointer data, GCancellable *cancellable, GError **error)
{
  EnrollArgs *args = data;
  gboolean ok;

  ok = intake_sync_enroll (admin, args->url, args->token, args->pinned_key, args->ca_file, error);
  /* The one-time token goes now, in this thread, not whenever the result is freed. */
  intake_crypto_wipe_string (args->token);
  g_clear_pointer (&args->token, g_free);
  return ok;
}

void
intake_sync_enroll_async (IntakeSession *admin,
                          const char *url,
                          const char *token,
                          const char *pinned_key,
                          const char *ca_file,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  EnrollArgs *args;

  g_return_if_fail (INTAKE_IS_SESSION (admin));

  args = g_new0 (EnrollArgs, 1);
  args->url = g_strdup (url);
  args->token = g_strdup (token);
  args->pinned_key = g_strdup (pinned_key);
  args->ca_file = g_strdup (ca_file);
  intake_session_run_async (admin, enroll_work, args, (GDestroyNotify) enroll_args_free,
                            cancellable, callback, user_data);
}

gboolean
intake_sync_enroll_finish (IntakeSession *admin, GAsyncResult *result, GError **error)
{
  return intake_session_run_finish (admin, result, error);
}
