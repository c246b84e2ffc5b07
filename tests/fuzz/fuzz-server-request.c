/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-request.h"

#include <stdint.h>
#include <string.h>

/* libFuzzer target for everything the server parses from a device before it touches the
 * database: the submissions body (and each envelope in it), the enrollment body and token, the
 * Intake-Signature header, and gzip bodies. The first byte picks the parser, the rest is its
 * input. */

#define FUZZ_UNPACKED_MAX (1024 * 1024)

static guint8 device_pk[INTAKE_SIGN_PUBLIC_BYTES];

static void
fuzz_submissions (const char *body, size_t len)
{
  g_autoptr (GPtrArray) envelopes = intake_server_parse_submissions (body, len, "fuzz", NULL);

  if (envelopes != NULL)
    intake_server_verify_envelopes (envelopes, device_pk);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

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
      memset (device_pk, 0x42, sizeof device_pk);
      initialised = TRUE;
    }
  if (size < 1)
    return 0;

  switch (data[0] % 5)
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
