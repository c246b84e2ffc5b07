/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sodium.h>

G_BEGIN_DECLS

#define INTAKE_CRYPTO_ERROR (intake_crypto_error_quark ())

typedef enum
{
  INTAKE_CRYPTO_ERROR_FAILED,
  INTAKE_CRYPTO_ERROR_NO_MEMORY,
  INTAKE_CRYPTO_ERROR_WRONG_SECRET,
  INTAKE_CRYPTO_ERROR_TAMPERED,
} IntakeCryptoError;

GQuark intake_crypto_error_quark (void);

/* Sizes, named once so that every buffer in the project agrees. */
#define INTAKE_RECORD_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define INTAKE_AEAD_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define INTAKE_AEAD_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define INTAKE_BOX_PUBLIC_BYTES crypto_box_PUBLICKEYBYTES
#define INTAKE_BOX_SECRET_BYTES crypto_box_SECRETKEYBYTES
#define INTAKE_SEAL_BYTES crypto_box_SEALBYTES
#define INTAKE_SIGN_PUBLIC_BYTES crypto_sign_PUBLICKEYBYTES
#define INTAKE_SIGN_SECRET_BYTES crypto_sign_SECRETKEYBYTES
#define INTAKE_SIGNATURE_BYTES crypto_sign_BYTES
#define INTAKE_KDF_SALT_BYTES crypto_pwhash_SALTBYTES
#define INTAKE_HASH_BYTES crypto_generichash_BYTES

/* Secret bytes live in sodium_malloc memory: guarded pages, never swapped, wiped on free. */
typedef struct
{
  guint8 *data;
  size_t len;
  /* Keys are in guarded sodium_malloc pages; decrypted content, which can be large and is
   * made on every save, is in ordinary memory that is wiped before it is freed. */
  gboolean guarded;
} IntakeSecret;

/* Guarded memory, or NULL with INTAKE_CRYPTO_ERROR_NO_MEMORY when none is left. */
IntakeSecret *intake_secret_try_new (size_t len, GError **error);
IntakeSecret *intake_secret_try_new_random (size_t len, GError **error);
IntakeSecret *intake_secret_try_new_from_data (const void *data, size_t len, GError **error);
/* The same for a caller that cannot report an error: never fails, falling back (with a warning
 * in the log) to ordinary memory that is still wiped when freed. */
IntakeSecret *intake_secret_new (size_t len);
IntakeSecret *intake_secret_new_plaintext (size_t len);
IntakeSecret *intake_secret_new_random (size_t len);
IntakeSecret *intake_secret_new_from_data (const void *data, size_t len);
void intake_secret_free (IntakeSecret *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSecret, intake_secret_free)

gboolean intake_crypto_init (GError **error);

/* Standard base64 with padding, strictly: a length that is a multiple of four, only the
 * alphabet, '=' only as the last one or two characters, and unused bits zero (what libsodium's
 * decoder accepts, at a fraction of its cost: its constant time is for secrets, and this is for
 * public data such as ciphertext, hashes and signatures). NULL for anything else. */
guint8 *intake_base64_decode_strict (const char *text, gsize len, gsize *out_len);
void intake_crypto_disable_core_dumps (void);
void intake_crypto_wipe_string (char *str);

/* Argon2id parameters, stored beside every wrap so that a later change of defaults still opens
 * older stores. */
typedef struct
{
  guint64 opslimit;
  guint64 memlimit;
  int alg;
} IntakeKdfParams;

void intake_kdf_params_insecure_for_tests (IntakeKdfParams *params);
gboolean intake_kdf_params_check (const IntakeKdfParams *params, GError **error);
gboolean intake_kdf_calibrate (double target_seconds,
                               guint64 min_memlimit,
                               IntakeKdfParams *params,
                               double *seconds_out,
                               GError **error);
IntakeSecret *intake_kdf_derive (const IntakeSecret *pin,
                                 const guint8 salt[INTAKE_KDF_SALT_BYTES],
                                 const IntakeKdfParams *params,
                                 GError **error);

/* XChaCha20-Poly1305 with a random nonce; the nonce travels beside the ciphertext. */
GBytes *intake_aead_encrypt (const IntakeSecret *key,
                             const guint8 *plain,
                             size_t plain_len,
                             const guint8 *ad,
                             size_t ad_len,
                             guint8 nonce_out[INTAKE_AEAD_NONCE_BYTES]);
IntakeSecret *intake_aead_decrypt_content (const IntakeSecret *key,
                                           const guint8 *cipher,
                                           size_t cipher_len,
                                           const guint8 *nonce,
                                           size_t nonce_len,
                                           const guint8 *ad,
                                           size_t ad_len,
                                           GError **error);
IntakeSecret *intake_aead_decrypt (const IntakeSecret *key,
                                   const guint8 *cipher,
                                   size_t cipher_len,
                                   const guint8 *nonce,
                                   size_t nonce_len,
                                   const guint8 *ad,
                                   size_t ad_len,
                                   GError **error);

/* Sealed boxes: anonymous encryption to a reader's X25519 public key. */
GBytes *intake_seal (const guint8 public_key[INTAKE_BOX_PUBLIC_BYTES],
                     const guint8 *plain,
                     size_t plain_len);
IntakeSecret *intake_seal_open (const guint8 public_key[INTAKE_BOX_PUBLIC_BYTES],
                                const guint8 secret_key[INTAKE_BOX_SECRET_BYTES],
                                const guint8 *cipher,
                                size_t cipher_len,
                                GError **error);

/* A public key's fingerprint: the first 16 bytes of its BLAKE2b-256 hash. Enrollment tokens carry
 * it (base64url); people compare it as 8 groups of 4 hex digits ("3f2a 9c01 …", 39 characters and
 * a NUL in @out). */
#define INTAKE_FINGERPRINT_BYTES 16
#define INTAKE_FINGERPRINT_TEXT_SIZE 40
void intake_key_fingerprint (const guint8 *public_key,
                             size_t len,
                             guint8 out[INTAKE_FINGERPRINT_BYTES]);
void intake_key_fingerprint_format (const guint8 *public_key,
                                    size_t len,
                                    char out[INTAKE_FINGERPRINT_TEXT_SIZE]);

char *intake_uuid_new (void);
gboolean intake_uuid_is_valid (const char *str);

G_END_DECLS
