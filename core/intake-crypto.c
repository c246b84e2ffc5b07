/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-crypto.h"
#include "intake-wipe-free.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

G_DEFINE_QUARK (intake-crypto-error-quark, intake_crypto_error)

IntakeSecret *
intake_secret_try_new (size_t len, GError **error)
{
  IntakeSecret *secret;
  void *data;

  /* sodium_malloc refuses a zero size on some platforms; keep one byte so that empty secrets
   * still behave like every other one. It fails when the process may lock no more memory or map
   * no more guard pages: a run-time condition, reported, not a crash. */
  data = sodium_malloc (MAX (len, 1));
  if (data == NULL)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_NO_MEMORY,
                   "Not enough protected memory for a key (%zu bytes); close other programs or "
                   "raise the locked-memory limit",
                   len);
      return NULL;
    }
  secret = g_new0 (IntakeSecret, 1);
  secret->data = data;
  secret->len = len;
  secret->guarded = TRUE;
  sodium_memzero (secret->data, MAX (len, 1));
  return secret;
}

IntakeSecret *
intake_secret_try_new_from_data (const void *data, size_t len, GError **error)
{
  IntakeSecret *secret = intake_secret_try_new (len, error);

  if (secret != NULL && len > 0)
    memcpy (secret->data, data, len);
  return secret;
}

IntakeSecret *
intake_secret_try_new_random (size_t len, GError **error)
{
  IntakeSecret *secret = intake_secret_try_new (len, error);

  if (secret != NULL)
    randombytes_buf (secret->data, len);
  return secret;
}

IntakeSecret *
intake_secret_new (size_t len)
{
  g_autoptr (GError) error = NULL;
  IntakeSecret *secret = intake_secret_try_new (len, &error);

  if (secret != NULL)
    return secret;
  /* A caller that cannot report an error (a PIN just typed into a widget) gets ordinary memory,
   * still wiped when freed, rather than a crash that would lose the person's work; the log says
   * so. The core itself uses the _try_ variants and refuses instead. */
  g_warning ("%s; using ordinary memory for it", error->message);
  return intake_secret_new_plaintext (len);
}

IntakeSecret *
intake_secret_new_plaintext (size_t len)
{
  IntakeSecret *secret = g_new0 (IntakeSecret, 1);

  secret->data = g_malloc0 (MAX (len, 1));
  secret->len = len;
  return secret;
}

IntakeSecret *
intake_secret_new_random (size_t len)
{
  IntakeSecret *secret = intake_secret_new (len);

  randombytes_buf (secret->data, len);
  return secret;
}

IntakeSecret *
intake_secret_new_from_data (const void *data, size_t len)
{
  IntakeSecret *secret = intake_secret_new (len);

  if (len > 0)
    memcpy (secret->data, data, len);
  return secret;
}

void
intake_secret_free (IntakeSecret *secret)
{
  if (secret == NULL)
    return;
  if (secret->guarded)
    sodium_free (secret->data);
  else
    {
      sodium_memzero (secret->data, MAX (secret->len, 1));
      g_free (secret->data);
    }
  g_free (secret);
}

void
intake_crypto_wipe_string (char *str)
{
  if (str != NULL)
    sodium_memzero (str, strlen (str));
}

void
intake_crypto_disable_core_dumps (void)
{
  struct rlimit none = { 0, 0 };

  /* A core dump would carry unwrapped keys and decrypted answers to disk. */
  setrlimit (RLIMIT_CORE, &none);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
}

gboolean
intake_crypto_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_FAILED,
                           "Could not initialise libsodium");
      return FALSE;
    }
  intake_crypto_disable_core_dumps ();
  /* Also what keeps intake-wipe-free.o, and with it the wiping free, in every program that
   * loads keys. */
  intake_wipe_free_init ();
  return TRUE;
}

void
intake_kdf_params_insecure_for_tests (IntakeKdfParams *params)
{
  params->opslimit = crypto_pwhash_OPSLIMIT_MIN;
  params->memlimit = crypto_pwhash_MEMLIMIT_MIN;
  params->alg = crypto_pwhash_ALG_ARGON2ID13;
}

gboolean
intake_kdf_params_check (const IntakeKdfParams *params, GError **error)
{
  if (params->alg != crypto_pwhash_ALG_ARGON2ID13 || params->opslimit < crypto_pwhash_OPSLIMIT_MIN
      || params->opslimit > crypto_pwhash_OPSLIMIT_MAX
      || params->memlimit < crypto_pwhash_MEMLIMIT_MIN
      || params->memlimit > (guint64) 4 * 1024 * 1024 * 1024)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_FAILED,
                   "Unsupported key derivation parameters (algorithm %d, %" G_GUINT64_FORMAT
                   " passes, %" G_GUINT64_FORMAT " bytes)",
                   params->alg, params->opslimit, params->memlimit);
      return FALSE;
    }
  return TRUE;
}

IntakeSecret *
intake_kdf_derive (const IntakeSecret *pin,
                   const guint8 salt[INTAKE_KDF_SALT_BYTES],
                   const IntakeKdfParams *params,
                   GError **error)
{
  g_autoptr (IntakeSecret) key = NULL;

  if (!intake_kdf_params_check (params, error))
    return NULL;
  key = intake_secret_try_new (INTAKE_RECORD_KEY_BYTES, error);
  if (key == NULL)
    return NULL;
  if (crypto_pwhash (key->data, key->len, (const char *) pin->data, pin->len, salt,
                     params->opslimit, (size_t) params->memlimit, params->alg)
      != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_NO_MEMORY,
                   "Not enough memory to unlock (Argon2id needs %" G_GUINT64_FORMAT " MiB)",
                   params->memlimit / (1024 * 1024));
      return NULL;
    }
  return g_steal_pointer (&key);
}

static double
time_kdf (const IntakeKdfParams *params, gboolean *ok)
{
  guint8 out[32];
  guint8 salt[INTAKE_KDF_SALT_BYTES] = { 0 };
  gint64 start = g_get_monotonic_time ();

  *ok = crypto_pwhash (out, sizeof out, "calibration", 11, salt, params->opslimit,
                       (size_t) params->memlimit, params->alg)
        == 0;
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The faster of two runs: the first touch of a large buffer costs page faults that later unlocks
 * on a warm device mostly do not pay. */
static double
time_kdf_best (const IntakeKdfParams *params, gboolean *ok)
{
  double a = time_kdf (params, ok);
  double b;

  if (!*ok)
    return a;
  b = time_kdf (params, ok);
  return MIN (a, b);
}

/* Pick Argon2id parameters so that one unlock on this device takes about target_seconds (and
 * between half and one and a half times that), never below min_memlimit bytes. Memory is raised
 * first, up to 256 MiB, since memory is what makes guessing costly on GPUs; then passes. Measured
 * once per device, at init. */
gboolean
intake_kdf_calibrate (double target_seconds,
                      guint64 min_memlimit,
                      IntakeKdfParams *params,
                      double *seconds_out,
                      GError **error)
{
  const guint64 max_memlimit = 256 * 1024 * 1024;
  IntakeKdfParams p = { 2, MAX (min_memlimit, crypto_pwhash_MEMLIMIT_MIN),
                        crypto_pwhash_ALG_ARGON2ID13 };
  gboolean ok;
  double t = time_kdf_best (&p, &ok);

  if (!ok)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_NO_MEMORY,
                   "Not enough memory for Argon2id at %" G_GUINT64_FORMAT " MiB",
                   p.memlimit / (1024 * 1024));
      return FALSE;
    }
  while (t < target_seconds / 2 && p.memlimit * 2 <= max_memlimit)
    {
      p.memlimit *= 2;
      t = time_kdf_best (&p, &ok);
      if (!ok)
        {
          p.memlimit /= 2;
          t = time_kdf_best (&p, &ok);
          break;
        }
    }
  if (t < target_seconds * 0.75)
    {
      p.opslimit = MAX (2, (guint64) (target_seconds / (t / p.opslimit) + 0.5));
      t = time_kdf_best (&p, &ok);
    }
  /* Correct an estimate that missed the window, one pass at a time. */
  for (int i = 0; i < 8 && t < target_seconds * 0.7 && p.opslimit < 64; i++)
    {
      p.opslimit++;
      t = time_kdf_best (&p, &ok);
    }
  for (int i = 0; i < 8 && t > target_seconds * 1.4 && p.opslimit > 2; i++)
    {
      p.opslimit--;
      t = time_kdf_best (&p, &ok);
    }
  *params = p;
  if (seconds_out)
    *seconds_out = t;
  return TRUE;
}

GBytes *
intake_aead_encrypt (const IntakeSecret *key,
                     const guint8 *plain,
                     size_t plain_len,
                     const guint8 *ad,
                     size_t ad_len,
                     guint8 nonce_out[INTAKE_AEAD_NONCE_BYTES])
{
  guint8 *cipher = g_malloc (plain_len + INTAKE_AEAD_TAG_BYTES);
  unsigned long long cipher_len = 0;

  g_return_val_if_fail (key->len == INTAKE_RECORD_KEY_BYTES, NULL);
  randombytes_buf (nonce_out, INTAKE_AEAD_NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (cipher, &cipher_len, plain, plain_len, ad, ad_len,
                                              NULL, nonce_out, key->data);
  return g_bytes_new_take (cipher, (size_t) cipher_len);
}

static IntakeSecret *
aead_decrypt (const IntakeSecret *key,
              const guint8 *cipher,
              size_t cipher_len,
              const guint8 *nonce,
              size_t nonce_len,
              const guint8 *ad,
              size_t ad_len,
              gboolean guarded,
              GError **error)
{
  g_autoptr (IntakeSecret) plain = NULL;
  unsigned long long plain_len = 0;

  if (key->len != INTAKE_RECORD_KEY_BYTES || nonce_len != INTAKE_AEAD_NONCE_BYTES
      || cipher_len < INTAKE_AEAD_TAG_BYTES)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED,
                           "encrypted data is truncated or has a wrong-sized nonce");
      return NULL;
    }
  plain = guarded ? intake_secret_try_new (cipher_len - INTAKE_AEAD_TAG_BYTES, error)
                  : intake_secret_new_plaintext (cipher_len - INTAKE_AEAD_TAG_BYTES);
  if (plain == NULL)
    return NULL;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain->data, &plain_len, NULL, cipher,
                                                  cipher_len, ad, ad_len, nonce, key->data)
      != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED,
                           "encrypted data failed its integrity check (altered, moved or "
                           "opened with the wrong key)");
      return NULL;
    }
  plain->len = (size_t) plain_len;
  return g_steal_pointer (&plain);
}

IntakeSecret *
intake_aead_decrypt (const IntakeSecret *key,
                     const guint8 *cipher,
                     size_t cipher_len,
                     const guint8 *nonce,
                     size_t nonce_len,
                     const guint8 *ad,
                     size_t ad_len,
                     GError **error)
{
  return aead_decrypt (key, cipher, cipher_len, nonce, nonce_len, ad, ad_len, TRUE, error);
}

IntakeSecret *
intake_aead_decrypt_content (const IntakeSecret *key,
                             const guint8 *cipher,
                             size_t cipher_len,
                             const guint8 *nonce,
                             size_t nonce_len,
                             const guint8 *ad,
                             size_t ad_len,
                             GError **error)
{
  return aead_decrypt (key, cipher, cipher_len, nonce, nonce_len, ad, ad_len, FALSE, error);
}

GBytes *
intake_seal (const guint8 public_key[INTAKE_BOX_PUBLIC_BYTES],
             const guint8 *plain,
             size_t plain_len)
{
  guint8 *cipher = g_malloc (plain_len + INTAKE_SEAL_BYTES);

  crypto_box_seal (cipher, plain, plain_len, public_key);
  return g_bytes_new_take (cipher, plain_len + INTAKE_SEAL_BYTES);
}

IntakeSecret *
intake_seal_open (const guint8 public_key[INTAKE_BOX_PUBLIC_BYTES],
                  const guint8 secret_key[INTAKE_BOX_SECRET_BYTES],
                  const guint8 *cipher,
                  size_t cipher_len,
                  GError **error)
{
  g_autoptr (IntakeSecret) plain = NULL;

  if (cipher_len < INTAKE_SEAL_BYTES)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED,
                           "wrapped key is truncated");
      return NULL;
    }
  plain = intake_secret_try_new (cipher_len - INTAKE_SEAL_BYTES, error);
  if (plain == NULL)
    return NULL;
  if (crypto_box_seal_open (plain->data, cipher, cipher_len, public_key, secret_key) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TAMPERED,
                           "wrapped key does not open (altered or not meant for this reader)");
      return NULL;
    }
  return g_steal_pointer (&plain);
}

char *
intake_uuid_new (void)
{
  guint8 b[16];

  randombytes_buf (b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
  b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
                          b[11], b[12], b[13], b[14], b[15]);
}

gboolean
intake_uuid_is_valid (const char *str)
{
  return str != NULL && g_uuid_string_is_valid (str);
}

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

guint8 *
intake_base64_decode_strict (const char *text, gsize len, gsize *out_len)
{
  gsize pad = 0;
  gint state = 0;
  guint save = 0;
  guint8 *out;

  if (len % 4 != 0)
    return NULL;
  if (len > 0 && text[len - 1] == '=')
    pad++;
  if (len > 1 && text[len - 2] == '=')
    pad++;
  for (gsize i = 0; i < len - pad; i++)
    if (base64_value (text[i]) < 0)
      return NULL;
  if (pad > 0)
    {
      int last = base64_value (text[len - pad - 1]);
      if ((pad == 1 && (last & 0x3) != 0) || (pad == 2 && (last & 0xf) != 0))
        return NULL;
    }
  /* Checked: GLib's decoder, which would skip what is not base64, meets only base64. */
  out = g_malloc (len / 4 * 3 + 3);
  *out_len = g_base64_decode_step (text, len, out, &state, &save);
  return out;
}

void
intake_key_fingerprint (const guint8 *public_key, size_t len, guint8 out[INTAKE_FINGERPRINT_BYTES])
{
  guint8 hash[INTAKE_HASH_BYTES];

  crypto_generichash (hash, sizeof hash, public_key, len, NULL, 0);
  memcpy (out, hash, INTAKE_FINGERPRINT_BYTES);
}

void
intake_key_fingerprint_format (const guint8 *public_key,
                               size_t len,
                               char out[INTAKE_FINGERPRINT_TEXT_SIZE])
{
  static const char hex[] = "0123456789abcdef";
  guint8 fp[INTAKE_FINGERPRINT_BYTES];
  char *p = out;

  intake_key_fingerprint (public_key, len, fp);
  for (guint i = 0; i < INTAKE_FINGERPRINT_BYTES; i++)
    {
      if (i > 0 && i % 2 == 0)
        *p++ = ' ';
      *p++ = hex[fp[i] >> 4];
      *p++ = hex[fp[i] & 0xf];
    }
  *p = '\0';
}
