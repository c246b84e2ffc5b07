/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-request.h"
#include "intake-server.h"

#include "fuzz-glib.h"

#include <stdint.h>
#include <string.h>

/* libFuzzer target for everything the server parses from a device: the submissions body (and
 * each envelope in it), the enrollment body and token, the Intake-Signature header, gzip bodies,
 * and the whole request handler over an in-memory SQLite store, with requests correctly signed
 * by an enrolled device so that the fuzzer gets past authentication. The first byte picks the
 * parser, the rest is its input. */

#define FUZZ_UNPACKED_MAX (1024 * 1024)

static guint8 device_pk[INTAKE_SIGN_PUBLIC_BYTES];
static guint8 device_sk[INTAKE_SIGN_SECRET_BYTES];
static IntakeServer *server;
#define DEVICE_ID "0b0e4c9e-2c4d-4f4e-9a51-1f0e2d3c4b5a"

/* A server on an in-memory database, initialised, with one enrolled device. */
static IntakeServer *
make_server (void)
{
  g_autoptr (GError) error = NULL;
  IntakeServerStore *store = intake_server_store_open ("sqlite::memory:", &error);
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES], sign_sk[INTAKE_SIGN_SECRET_BYTES];
  guint8 org_pk[INTAKE_BOX_PUBLIC_BYTES], org_sk[INTAKE_BOX_SECRET_BYTES];
  guint8 token_hash[INTAKE_HASH_BYTES] = { 7 };
  g_autoptr (GBytes) v0 = NULL, v1 = NULL, v2 = NULL;
  const char *keys[] = { INTAKE_SERVER_META_SIGN_SK, INTAKE_SERVER_META_SIGN_PK,
                         INTAKE_SERVER_META_ORG_PK };
  GBytes *values[3];
  IntakeServerDevice *device;

  g_assert_no_error (error);
  crypto_sign_keypair (sign_pk, sign_sk);
  crypto_box_keypair (org_pk, org_sk);
  v0 = g_bytes_new (sign_sk, sizeof sign_sk);
  v1 = g_bytes_new (sign_pk, sizeof sign_pk);
  v2 = g_bytes_new (org_pk, sizeof org_pk);
  values[0] = v0;
  values[1] = v1;
  values[2] = v2;
  g_assert_true (intake_server_store_meta_insert (store, keys, values, 3, &error));
  g_assert_true (intake_server_store_device_add (store, "fuzz", token_hash, G_MAXINT64 / 2, 0,
                                                 &error));
  device = intake_server_store_device_enroll (store, token_hash, DEVICE_ID, device_pk, 1, &error);
  g_assert_no_error (error);
  intake_server_device_free (device);
  return intake_server_new (store, &error);
}

static void
fuzz_handler (const guint8 *data, size_t len)
{
  static const char *const paths[] = {
    "/v1/submissions", "/v1/enroll", "/v1/device", "/v1/device/wiped", "/v1/forms",
    "/v1/health", "/v2/x",
  };
  IntakeServerRequest request = { 0 };
  IntakeServerResponse *response;
  g_autofree char *message = NULL;
  g_autofree char *signature = NULL;
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  guint8 flags;

  if (len < 1)
    return;
  flags = data[0];
  request.method = flags & 0x80 ? "GET" : "POST";
  request.path = paths[(flags & 0x0f) % G_N_ELEMENTS (paths)];
  request.has_query = (flags & 0x10) != 0;
  request.content_encoding = flags & 0x20 ? "gzip" : NULL;
  request.device_id = flags & 0x40 ? "someone-else" : DEVICE_ID;
  request.body = data + 1;
  request.body_len = len - 1;
  message = intake_server_request_message (request.method, request.path, request.body,
                                           request.body_len);
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), device_sk);
  signature = intake_server_b64_encode (sig, sizeof sig);
  request.signature = signature;
  response = intake_server_handle (server, &request);
  g_assert (response != NULL && response->status >= 200 && response->status < 600);
  intake_server_response_free (response);
}

static void
fuzz_submissions (const char *body, size_t len)
{
  g_autoptr (GPtrArray) envelopes = intake_server_parse_submissions (body, len, "fuzz", NULL);

  if (envelopes != NULL)
    intake_server_verify_envelopes (envelopes, device_pk);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

FUZZ_DEFINE_INITIALIZE (NULL)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialised;
  const char *text = (const char *) data + 1;
  size_t len = size - 1;

  if (!initialised)
    {
      if (sodium_init () < 0)
        return 0;
      crypto_sign_keypair (device_pk, device_sk);
      server = make_server ();
      initialised = TRUE;
    }
  if (size < 1)
    return 0;

  switch (data[0] % 6)
    {
    case 0:
      fuzz_submissions (text, len);
      break;
    case 1:
      intake_server_enroll_request_free (intake_server_parse_enroll (text, len, NULL));
      break;
    case 2:
      {
        g_autofree char *header = g_strndup (text, len);

        intake_server_verify_request (device_pk, header, "POST", "/v1/submissions",
                                      (const guint8 *) text, len, NULL);
      }
      break;
    case 3:
      {
        g_autoptr (GBytes) inflated = intake_server_gunzip ((const guint8 *) text, len,
                                                            FUZZ_UNPACKED_MAX, NULL);

        if (inflated != NULL)
          fuzz_submissions (g_bytes_get_data (inflated, NULL), g_bytes_get_size (inflated));
      }
      break;
    case 5:
      fuzz_handler ((const guint8 *) text, len);
      break;
    default:
      {
        g_autofree char *token = g_strndup (text, len);
        guint8 secret[INTAKE_SERVER_TOKEN_SECRET_BYTES];
        guint8 fingerprint[INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES];

        intake_server_parse_token (token, secret, fingerprint, NULL);
      }
      break;
    }
  return 0;
}
