/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <string.h>

#include "intake-crypto.h"

static void
test_aead_binds_associated_data (void)
{
  g_autoptr (IntakeSecret) key = intake_secret_new_random (INTAKE_RECORD_KEY_BYTES);
  g_autoptr (IntakeSecret) other = intake_secret_new_random (INTAKE_RECORD_KEY_BYTES);
  g_autoptr (IntakeSecret) plain = NULL;
  g_autoptr (GBytes) cipher = NULL;
  g_autoptr (GError) error = NULL;
  guint8 nonce[INTAKE_AEAD_NONCE_BYTES];
  const char *msg = "answer";
  const guint8 *c;
  gsize clen;
  g_autofree guint8 *flipped = NULL;

  cipher = intake_aead_encrypt (key, (const guint8 *) msg, strlen (msg), (const guint8 *) "ad1", 3,
                                nonce);
  c = g_bytes_get_data (cipher, &clen);
  plain = intake_aead_decrypt (key, c, clen, nonce, sizeof nonce, (const guint8 *) "ad1", 3,
                               &error);
  g_assert_no_error (error);
  g_assert_cmpmem (plain->data, plain->len, msg, strlen (msg));

  /* Other associated data, another key, a changed byte, a short nonce: all refused. */
  g_assert_null (intake_aead_decrypt (key, c, clen, nonce, sizeof nonce, (const guint8 *) "ad2", 3,
                                      &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED);
  g_clear_error (&error);
  g_assert_null (intake_aead_decrypt_content (other, c, clen, nonce, sizeof nonce,
                                              (const guint8 *) "ad1", 3, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED);
  g_clear_error (&error);
  flipped = g_memdup2 (c, clen);
  flipped[0] ^= 1;
  g_assert_null (intake_aead_decrypt (key, flipped, clen, nonce, sizeof nonce,
                                      (const guint8 *) "ad1", 3, &error));
  g_clear_error (&error);
  g_assert_null (intake_aead_decrypt (key, c, clen, nonce, 12, (const guint8 *) "ad1", 3, &error));
  g_clear_error (&error);
  g_assert_null (intake_aead_decrypt (key, c, 3, nonce, sizeof nonce, (const guint8 *) "ad1", 3,
                                      &error));
}

static void
test_seal_only_opens_for_reader (void)
{
  guint8 pk[INTAKE_BOX_PUBLIC_BYTES], pk2[INTAKE_BOX_PUBLIC_BYTES];
  g_autoptr (IntakeSecret) sk = intake_secret_new (INTAKE_BOX_SECRET_BYTES);
  g_autoptr (IntakeSecret) sk2 = intake_secret_new (INTAKE_BOX_SECRET_BYTES);
  g_autoptr (IntakeSecret) opened = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data;

  crypto_box_keypair (pk, sk->data);
  crypto_box_keypair (pk2, sk2->data);
  sealed = intake_seal (pk, (const guint8 *) "record key", 10);
  data = g_bytes_get_data (sealed, &len);
  opened = intake_seal_open (pk, sk->data, data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (opened->data, opened->len, "record key", 10);
  g_assert_null (intake_seal_open (pk2, sk2->data, data, len, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED);
}

static void
test_kdf (void)
{
  g_autoptr (IntakeSecret) pin = intake_secret_new_from_data ("123456", 6);
  g_autoptr (IntakeSecret) pin2 = intake_secret_new_from_data ("123457", 6);
  g_autoptr (IntakeSecret) a = NULL;
  g_autoptr (IntakeSecret) b = NULL;
  g_autoptr (IntakeSecret) c = NULL;
  g_autoptr (GError) error = NULL;
  guint8 salt[INTAKE_KDF_SALT_BYTES] = { 1 };
  IntakeKdfParams p;
  IntakeKdfParams bad = { 0, 0, 0 };

  intake_kdf_params_insecure_for_tests (&p);
  a = intake_kdf_derive (pin, salt, &p, &error);
  b = intake_kdf_derive (pin, salt, &p, &error);
  c = intake_kdf_derive (pin2, salt, &p, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a->data, a->len, b->data, b->len);
  g_assert_true (sodium_memcmp (a->data, c->data, a->len) != 0);
  g_assert_null (intake_kdf_derive (pin, salt, &bad, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_FAILED);
}

static void
test_calibration_floor (void)
{
  g_autoptr (GError) error = NULL;
  IntakeKdfParams p;
  double seconds = 0;

  /* Whatever the machine's speed, the memory floor holds and the parameters are usable. */
  g_assert_true (intake_kdf_calibrate (0.7, 64 * 1024 * 1024, &p, &seconds, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (p.memlimit, >=, 64 * 1024 * 1024);
  g_assert_cmpuint (p.opslimit, >=, 2);
  g_assert_true (intake_kdf_params_check (&p, NULL));
}

static void
test_uuid (void)
{
  g_autofree char *a = intake_uuid_new ();
  g_autofree char *b = intake_uuid_new ();

  g_assert_true (intake_uuid_is_valid (a));
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpint (a[14], ==, '4');
  g_assert_false (intake_uuid_is_valid ("not-a-uuid"));
}

/* Protected memory that cannot be had is an error to report, not a crash (issue #14): a size that
 * libsodium refuses before mapping anything stands in for an exhausted locked-memory limit. */
static void
test_secret_out_of_memory (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) small = NULL;
  IntakeSecret *huge = intake_secret_try_new (G_MAXSIZE - 16, &error);

  g_assert_null (huge);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_NO_MEMORY);
  g_clear_error (&error);
  g_assert_null (intake_secret_try_new_from_data ("x", G_MAXSIZE - 16, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_NO_MEMORY);
  g_clear_error (&error);
  small = intake_secret_try_new_random (32, &error);
  g_assert_no_error (error);
  g_assert_true (small->guarded);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (NULL))
    return 1;
  g_test_add_func ("/intake/core/crypto/aead-binds-associated-data",
                   test_aead_binds_associated_data);
  g_test_add_func ("/intake/core/crypto/seal-only-opens-for-reader",
                   test_seal_only_opens_for_reader);
  g_test_add_func ("/intake/core/crypto/kdf", test_kdf);
  g_test_add_func ("/intake/core/crypto/secret-out-of-memory", test_secret_out_of_memory);
  g_test_add_func ("/intake/core/crypto/calibration-floor", test_calibration_floor);
  g_test_add_func ("/intake/core/crypto/uuid", test_uuid);
  return g_test_run ();
}
