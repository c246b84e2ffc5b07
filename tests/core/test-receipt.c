/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server's batch receipts (sync/PROTOCOL.md): the Merkle tree against RFC 9162's recursive
 * definition, and every way a receipt can fail to be the server's receipt for one envelope. */
#include "intake-config.h"

#include "intake-receipt.h"

#include <string.h>

/* RFC 9162's MTH, written the recursive way, as a check on the level-by-level tree. */
static void
reference_root (const guint8 *leaves, guint n, guint8 out[INTAKE_HASH_BYTES])
{
  guint8 in[1 + 2 * INTAKE_HASH_BYTES];
  guint k = 1;

  if (n == 1)
    {
      memcpy (out, leaves, INTAKE_HASH_BYTES);
      return;
    }
  while (k * 2 < n)
    k *= 2;
  in[0] = 0x01;
  reference_root (leaves, k, in + 1);
  reference_root (leaves + k * INTAKE_HASH_BYTES, n - k, in + 1 + INTAKE_HASH_BYTES);
  crypto_generichash (out, INTAKE_HASH_BYTES, in, sizeof in, NULL, 0);
}

static void
test_tree_shape (void)
{
  guint8 leaves[130 * INTAKE_HASH_BYTES];

  randombytes_buf (leaves, sizeof leaves);
  for (guint n = 1; n <= 130; n++)
    {
      g_autoptr (IntakeReceiptTree) tree = intake_receipt_tree_new (leaves, n);
      guint8 expected[INTAKE_HASH_BYTES];

      reference_root (leaves, n, expected);
      g_assert_cmpmem (intake_receipt_tree_root (tree), INTAKE_HASH_BYTES, expected,
                       INTAKE_HASH_BYTES);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (GBytes) path = intake_receipt_tree_path (tree, i);
          gsize len;
          const guint8 *p = g_bytes_get_data (path, &len);
          guint8 root[INTAKE_HASH_BYTES];

          g_assert_true (intake_receipt_path_root (leaves + i * INTAKE_HASH_BYTES, i, n, p, len,
                                                   root));
          g_assert_cmpmem (root, sizeof root, expected, sizeof expected);
          /* The same path under another index never leads to the same root. (Under another
           * count it can: the signed message carries the count for that reason.) */
          if (n > 1)
            {
              guint8 other[INTAKE_HASH_BYTES];
              guint j = (i + 1) % n;

              if (intake_receipt_path_root (leaves + i * INTAKE_HASH_BYTES, j, n, p, len, other))
                g_assert_true (memcmp (other, expected, sizeof other) != 0);
            }
          /* A path one hash shorter or longer is refused outright. */
          if (len > 0)
            g_assert_false (intake_receipt_path_root (leaves + i * INTAKE_HASH_BYTES, i, n, p,
                                                      len - INTAKE_HASH_BYTES, root));
          {
            g_autofree guint8 *longer = g_malloc0 (len + INTAKE_HASH_BYTES);
            if (len > 0)
              memcpy (longer, p, len);
            g_assert_false (intake_receipt_path_root (leaves + i * INTAKE_HASH_BYTES, i, n,
                                                      longer, len + INTAKE_HASH_BYTES, root));
          }
        }
      g_assert_false (intake_receipt_path_root (leaves, n, n, NULL, 0, expected));
    }
  g_assert_false (intake_receipt_path_root (leaves, 0, 0, NULL, 0, leaves));
}

/* A batch as the server makes it: count envelopes, one tree, one signature by sk. */
typedef struct
{
  GPtrArray *ids;
  GPtrArray *hashes;
  GPtrArray *receipts; /* JsonObject */
} Batch;

static void
batch_free (Batch *b)
{
  g_ptr_array_unref (b->ids);
  g_ptr_array_unref (b->hashes);
  g_ptr_array_unref (b->receipts);
  g_free (b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

static Batch *
make_batch (guint count, const guint8 *sk)
{
  Batch *b = g_new0 (Batch, 1);
  g_autofree guint8 *leaves = g_malloc (count * INTAKE_HASH_BYTES);
  g_autoptr (IntakeReceiptTree) tree = NULL;
  g_autofree char *message = NULL;
  g_autofree char *sig_b64 = NULL;
  guint8 sig[INTAKE_SIGNATURE_BYTES];

  b->ids = g_ptr_array_new_with_free_func (g_free);
  b->hashes = g_ptr_array_new_with_free_func (g_free);
  b->receipts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; i < count; i++)
    {
      guint8 h[INTAKE_HASH_BYTES];

      randombytes_buf (h, sizeof h);
      g_ptr_array_add (b->ids, g_uuid_string_random ());
      g_ptr_array_add (b->hashes, g_base64_encode (h, sizeof h));
      intake_receipt_leaf_hash (b->ids->pdata[i], b->hashes->pdata[i], "2026-11-28T12:00:00Z",
                                leaves + i * INTAKE_HASH_BYTES);
    }
  tree = intake_receipt_tree_new (leaves, count);
  message = intake_receipt_batch_message (count, intake_receipt_tree_root (tree));
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), sk);
  sig_b64 = g_base64_encode (sig, sizeof sig);
  for (guint i = 0; i < count; i++)
    {
      JsonObject *r = json_object_new ();
      g_autoptr (GBytes) p = intake_receipt_tree_path (tree, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (p, &len);
      g_autofree char *path = g_base64_encode (data, len);

      json_object_set_string_member (r, "submission_id", b->ids->pdata[i]);
      json_object_set_string_member (r, "content_hash", b->hashes->pdata[i]);
      json_object_set_string_member (r, "server_time", "2026-11-28T12:00:00Z");
      json_object_set_int_member (r, "index", i);
      json_object_set_int_member (r, "count", count);
      json_object_set_string_member (r, "path", path);
      json_object_set_string_member (r, "root_signature", sig_b64);
      g_ptr_array_add (b->receipts, r);
    }
  return b;
}

/* A deep copy of a receipt, to tamper with (json_node_copy shares the object). */
static JsonObject *
copy_receipt (JsonObject *r)
{
  g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), r);
  g_autofree char *text = json_to_string (n, FALSE);
  g_autoptr (JsonNode) c = json_from_string (text, NULL);

  return json_object_ref (json_node_get_object (c));
}

static gboolean
verifies (Batch *b, guint i, JsonObject *receipt, const guint8 *pk)
{
  return intake_receipt_verify (receipt, b->ids->pdata[i], b->hashes->pdata[i], pk, NULL);
}

static guint8 pk[INTAKE_SIGN_PUBLIC_BYTES], sk[INTAKE_SIGN_SECRET_BYTES];
static guint8 other_pk[INTAKE_SIGN_PUBLIC_BYTES], other_sk[INTAKE_SIGN_SECRET_BYTES];

static void
test_good (void)
{
  static const guint counts[] = { 1, 2, 3, 7, 8, 9, 100 };

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_autoptr (Batch) b = make_batch (counts[c], sk);
      g_autoptr (GHashTable) cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);

      for (guint i = 0; i < counts[c]; i++)
        {
          g_assert_true (verifies (b, i, b->receipts->pdata[i], pk));
          g_assert_true (intake_receipt_verify (b->receipts->pdata[i], b->ids->pdata[i],
                                                b->hashes->pdata[i], pk, cache));
          /* Under another key, nothing verifies. */
          g_assert_false (verifies (b, i, b->receipts->pdata[i], other_pk));
        }
      /* The root's signature was checked once for the whole batch. */
      g_assert_cmpuint (g_hash_table_size (cache), ==, 1);
    }
}

/* A receipt's path, decoded, and a copy of the receipt with another path. */
static GBytes *
path_of (JsonObject *r)
{
  gsize len;
  guint8 *raw = g_base64_decode (json_object_get_string_member (r, "path"), &len);

  return g_bytes_new_take (raw, len);
}

static JsonObject *
with_path (JsonObject *r, const guint8 *path, gsize len)
{
  JsonObject *t = copy_receipt (r);
  g_autofree char *b64 = g_base64_encode (path, len);

  json_object_set_string_member (t, "path", b64);
  return t;
}

static void
test_tampered_path (void)
{
  g_autoptr (Batch) b = make_batch (9, sk);

  for (guint i = 0; i < 9; i++)
    {
      g_autoptr (GBytes) path = path_of (b->receipts->pdata[i]);
      gsize len;
      const guint8 *p = g_bytes_get_data (path, &len);
      g_autofree guint8 *work = g_malloc (len + 2 * INTAKE_HASH_BYTES);

      g_assert_cmpuint (len % INTAKE_HASH_BYTES, ==, 0);
      /* The path as it is verifies; any bit flipped does not. */
      {
        g_autoptr (JsonObject) t = with_path (b->receipts->pdata[i], p, len);
        g_assert_true (verifies (b, i, t, pk));
      }
      for (gsize k = 0; k < len; k += 5)
        {
          g_autoptr (JsonObject) t = NULL;

          memcpy (work, p, len);
          work[k] ^= 0x01;
          t = with_path (b->receipts->pdata[i], work, len);
          g_assert_false (verifies (b, i, t, pk));
        }
      /* Two siblings swapped, one dropped, one added. */
      if (len >= 2 * INTAKE_HASH_BYTES)
        {
          g_autoptr (JsonObject) t = NULL;

          memcpy (work, p + INTAKE_HASH_BYTES, INTAKE_HASH_BYTES);
          memcpy (work + INTAKE_HASH_BYTES, p, INTAKE_HASH_BYTES);
          memcpy (work + 2 * INTAKE_HASH_BYTES, p + 2 * INTAKE_HASH_BYTES,
                  len - 2 * INTAKE_HASH_BYTES);
          t = with_path (b->receipts->pdata[i], work, len);
          g_assert_false (verifies (b, i, t, pk));
        }
      {
        g_autoptr (JsonObject) t = with_path (b->receipts->pdata[i], p,
                                              len - INTAKE_HASH_BYTES);
        g_assert_false (verifies (b, i, t, pk));
      }
      {
        g_autoptr (JsonObject) t = NULL;

        memcpy (work, p, len);
        randombytes_buf (work + len, INTAKE_HASH_BYTES);
        t = with_path (b->receipts->pdata[i], work, len + INTAKE_HASH_BYTES);
        g_assert_false (verifies (b, i, t, pk));
      }
      /* Not a whole number of hashes, not base64, not a string. */
      {
        g_autoptr (JsonObject) t = with_path (b->receipts->pdata[i], p, len - 1);
        g_assert_false (verifies (b, i, t, pk));
      }
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
        g_autofree char *bad = g_strconcat ("!", json_object_get_string_member (t, "path") + 1,
                                            NULL);
        json_object_set_string_member (t, "path", bad);
        g_assert_false (verifies (b, i, t, pk));
      }
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
        json_object_set_int_member (t, "path", 7);
        g_assert_false (verifies (b, i, t, pk));
      }
    }
}

static void
test_wrong_index_and_count (void)
{
  g_autoptr (Batch) b = make_batch (7, sk);

  for (guint i = 0; i < 7; i++)
    {
      static const gint64 deltas[] = { -1, 1, 2, 7, -8 };

      for (guint d = 0; d < G_N_ELEMENTS (deltas); d++)
        {
          g_autoptr (JsonObject) idx = copy_receipt (b->receipts->pdata[i]);
          g_autoptr (JsonObject) cnt = copy_receipt (b->receipts->pdata[i]);

          json_object_set_int_member (idx, "index", (gint64) i + deltas[d]);
          g_assert_false (verifies (b, i, idx, pk));
          json_object_set_int_member (cnt, "count", 7 + deltas[d]);
          g_assert_false (verifies (b, i, cnt, pk));
        }
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
        json_object_set_string_member (t, "index", "0");
        g_assert_false (verifies (b, i, t, pk));
      }
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
        json_object_remove_member (t, "count");
        g_assert_false (verifies (b, i, t, pk));
      }
    }
}

static void
test_other_key (void)
{
  g_autoptr (Batch) b = make_batch (5, sk);
  g_autoptr (Batch) forged = make_batch (5, other_sk);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
      g_autoptr (GHashTable) cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
      guint8 sig[INTAKE_SIGNATURE_BYTES];
      g_autofree char *sig_b64 = NULL;

      /* A whole batch signed by another key, however well formed. */
      g_assert_false (verifies (forged, i, forged->receipts->pdata[i], pk));
      /* The right root, signed by another key. */
      {
        g_autoptr (GBytes) path = path_of (t);
        guint8 leaf[INTAKE_HASH_BYTES], root[INTAKE_HASH_BYTES];
        g_autofree char *message = NULL;
        gsize len;
        const guint8 *raw = g_bytes_get_data (path, &len);

        intake_receipt_leaf_hash (b->ids->pdata[i], b->hashes->pdata[i], "2026-11-28T12:00:00Z",
                                  leaf);
        g_assert_true (intake_receipt_path_root (leaf, i, 5, raw, len, root));
        message = intake_receipt_batch_message (5, root);
        crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), other_sk);
        sig_b64 = g_base64_encode (sig, sizeof sig);
        json_object_set_string_member (t, "root_signature", sig_b64);
      }
      g_assert_false (verifies (b, i, t, pk));
      /* A good receipt of the batch cached first does not let the forged signature through. */
      g_assert_true (intake_receipt_verify (b->receipts->pdata[(i + 1) % 5],
                                            b->ids->pdata[(i + 1) % 5],
                                            b->hashes->pdata[(i + 1) % 5], pk, cache));
      g_assert_false (intake_receipt_verify (t, b->ids->pdata[i], b->hashes->pdata[i], pk,
                                             cache));
    }
}

static void
test_other_content (void)
{
  g_autoptr (Batch) b = make_batch (6, sk);
  g_autoptr (Batch) b2 = make_batch (6, sk);

  for (guint i = 0; i < 6; i++)
    {
      guint j = (i + 1) % 6;

      /* Another envelope's receipt, as it is. */
      g_assert_false (verifies (b, i, b->receipts->pdata[j], pk));
      /* Another envelope's receipt relabelled with this id and hash: its leaf no longer leads
       * to the signed root. */
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[j]);
        json_object_set_string_member (t, "submission_id", b->ids->pdata[i]);
        json_object_set_string_member (t, "content_hash", b->hashes->pdata[i]);
        json_object_set_int_member (t, "index", i);
        g_assert_false (verifies (b, i, t, pk));
      }
      /* This envelope's receipt with its hash (or time) changed. */
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
        json_object_set_string_member (t, "content_hash", b->hashes->pdata[j]);
        g_assert_false (intake_receipt_verify (t, b->ids->pdata[i], b->hashes->pdata[j], pk,
                                               NULL));
        json_object_set_string_member (t, "content_hash", b->hashes->pdata[i]);
        json_object_set_string_member (t, "server_time", "2026-11-28T12:00:01Z");
        g_assert_false (verifies (b, i, t, pk));
      }
      /* A path to another batch's root, with that root's valid signature. */
      {
        g_autoptr (JsonObject) t = copy_receipt (b->receipts->pdata[i]);
        JsonObject *o = b2->receipts->pdata[i];
        json_object_set_string_member (t, "path", json_object_get_string_member (o, "path"));
        json_object_set_string_member (t, "root_signature",
                                       json_object_get_string_member (o, "root_signature"));
        g_assert_false (verifies (b, i, t, pk));
      }
    }
}

/* Receipts stored before batch receipts: one signature over the one receipt. */
static void
test_single_signature (void)
{
  g_autoptr (JsonObject) r = json_object_new ();
  g_autofree char *message = NULL;
  g_autofree char *sig_b64 = NULL;
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  const char *id = "0b3c7a50-8d1e-4f7a-9c3e-5a1d2e3f4a5b";
  const char *hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

  message = g_strdup_printf ("intake-receipt-v1\n%s\n%s\n%s", id, hash, "2026-01-01T00:00:00Z");
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), sk);
  sig_b64 = g_base64_encode (sig, sizeof sig);
  json_object_set_string_member (r, "submission_id", id);
  json_object_set_string_member (r, "content_hash", hash);
  json_object_set_string_member (r, "server_time", "2026-01-01T00:00:00Z");
  json_object_set_string_member (r, "signature", sig_b64);
  g_assert_true (intake_receipt_verify (r, id, hash, pk, NULL));
  g_assert_false (intake_receipt_verify (r, id, hash, other_pk, NULL));
  g_assert_false (intake_receipt_verify (r, "0b3c7a50-8d1e-4f7a-9c3e-5a1d2e3f4a5c", hash, pk,
                                         NULL));
  /* Half a batch receipt is not read as a single one. */
  json_object_set_int_member (r, "count", 1);
  g_assert_false (intake_receipt_verify (r, id, hash, pk, NULL));
}

/* The strict decoder takes exactly what libsodium's (padded, original alphabet) takes. */
static void
test_base64_strict (void)
{
  static const char *const cases[] = {
    "", "AA==", "AB==", "AAA=", "AAE=", "AAAA", "A===", "AA=A", "====", "AAA", "AAAAA",
    "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmF", "Zm9v YmE=", "Zm9v\nYmE=", "Zm9v-_E=",
    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases) + 2000; k++)
    {
      char text[64];
      guint8 ours_buf[64], sodium_buf[64];
      g_autofree guint8 *ours = NULL;
      gsize ours_len = 0, sodium_len = 0;
      const char *end = NULL;
      gboolean sodium_ok;
      gsize len;

      if (k < G_N_ELEMENTS (cases))
        g_strlcpy (text, cases[k], sizeof text);
      else
        {
          /* Random strings over the alphabet, '=', and a few strangers. */
          static const char pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789+/====-_ .";
          guint n = randombytes_uniform (13);
          for (guint i = 0; i < n; i++)
            text[i] = pool[randombytes_uniform (sizeof pool - 1)];
          text[n] = '\0';
        }
      len = strlen (text);
      sodium_ok = sodium_base642bin (sodium_buf, sizeof sodium_buf, text, len, NULL, &sodium_len,
                                     &end, sodium_base64_VARIANT_ORIGINAL)
                      == 0
                  && end == text + len;
      ours = intake_base64_decode_strict (text, len, &ours_len);
      if ((ours != NULL) != sodium_ok)
        g_error ("'%s': ours %s, libsodium's %s", text, ours ? "takes it" : "refuses it",
                 sodium_ok ? "takes it" : "refuses it");
      if (ours != NULL)
        {
          memcpy (ours_buf, ours, ours_len);
          g_assert_cmpmem (ours_buf, ours_len, sodium_buf, sodium_len);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (NULL))
    return 1;
  crypto_sign_keypair (pk, sk);
  crypto_sign_keypair (other_pk, other_sk);
  g_test_add_func ("/receipt/tree-shape", test_tree_shape);
  g_test_add_func ("/receipt/good", test_good);
  g_test_add_func ("/receipt/tampered-path", test_tampered_path);
  g_test_add_func ("/receipt/wrong-index-and-count", test_wrong_index_and_count);
  g_test_add_func ("/receipt/root-signed-by-another-key", test_other_key);
  g_test_add_func ("/receipt/other-content", test_other_content);
  g_test_add_func ("/receipt/single-signature", test_single_signature);
  g_test_add_func ("/receipt/base64-strict", test_base64_strict);
  return g_test_run ();
}
