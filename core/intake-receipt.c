/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-receipt.h"

#include "intake-json.h"

#include <string.h>

#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01
#define LEAF_LABEL "intake-receipt-leaf-v1\n"

struct _IntakeReceiptTree
{
  /* Every level from the leaves (level 0) up to the root, each a run of hashes. */
  GPtrArray *levels; /* GByteArray */
};

void
intake_receipt_leaf_hash (const char *submission_id,
                          const char *content_hash_b64,
                          const char *server_time,
                          guint8 out[INTAKE_HASH_BYTES])
{
  static const guint8 prefix = LEAF_PREFIX;
  crypto_generichash_state st;

  crypto_generichash_init (&st, NULL, 0, INTAKE_HASH_BYTES);
  crypto_generichash_update (&st, &prefix, 1);
  crypto_generichash_update (&st, (const guint8 *) LEAF_LABEL, strlen (LEAF_LABEL));
  crypto_generichash_update (&st, (const guint8 *) submission_id, strlen (submission_id));
  crypto_generichash_update (&st, (const guint8 *) "\n", 1);
  crypto_generichash_update (&st, (const guint8 *) content_hash_b64, strlen (content_hash_b64));
  crypto_generichash_update (&st, (const guint8 *) "\n", 1);
  crypto_generichash_update (&st, (const guint8 *) server_time, strlen (server_time));
  crypto_generichash_final (&st, out, INTAKE_HASH_BYTES);
}

static void
node_hash (const guint8 *left, const guint8 *right, guint8 out[INTAKE_HASH_BYTES])
{
  guint8 in[1 + 2 * INTAKE_HASH_BYTES];

  in[0] = NODE_PREFIX;
  memcpy (in + 1, left, INTAKE_HASH_BYTES);
  memcpy (in + 1 + INTAKE_HASH_BYTES, right, INTAKE_HASH_BYTES);
  crypto_generichash (out, INTAKE_HASH_BYTES, in, sizeof in, NULL, 0);
}

IntakeReceiptTree *
intake_receipt_tree_new (const guint8 *leaves, guint n)
{
  IntakeReceiptTree *tree = g_new0 (IntakeReceiptTree, 1);
  GByteArray *level;

  g_return_val_if_fail (n >= 1, NULL);
  tree->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  level = g_byte_array_sized_new (n * INTAKE_HASH_BYTES);
  g_byte_array_append (level, leaves, n * INTAKE_HASH_BYTES);
  g_ptr_array_add (tree->levels, level);
  while (level->len > INTAKE_HASH_BYTES)
    {
      guint count = level->len / INTAKE_HASH_BYTES;
      GByteArray *up = g_byte_array_sized_new ((count + 1) / 2 * INTAKE_HASH_BYTES);

      for (guint i = 0; i + 1 < count; i += 2)
        {
          guint8 h[INTAKE_HASH_BYTES];
          node_hash (level->data + i * INTAKE_HASH_BYTES,
                     level->data + (i + 1) * INTAKE_HASH_BYTES, h);
          g_byte_array_append (up, h, sizeof h);
        }
      /* A lone last node moves up unchanged: the tree of RFC 9162, never a duplicated leaf. */
      if (count % 2 == 1)
        g_byte_array_append (up, level->data + (count - 1) * INTAKE_HASH_BYTES,
                             INTAKE_HASH_BYTES);
      g_ptr_array_add (tree->levels, up);
      level = up;
    }
  return tree;
}

void
intake_receipt_tree_free (IntakeReceiptTree *tree)
{
  if (tree == NULL)
    return;
  g_ptr_array_unref (tree->levels);
  g_free (tree);
}

const guint8 *
intake_receipt_tree_root (IntakeReceiptTree *tree)
{
  GByteArray *top = tree->levels->pdata[tree->levels->len - 1];

  return top->data;
}

GBytes *
intake_receipt_tree_path (IntakeReceiptTree *tree, guint index)
{
  GByteArray *path = g_byte_array_new ();

  for (guint l = 0; l + 1 < tree->levels->len; l++)
    {
      GByteArray *level = tree->levels->pdata[l];
      guint count = level->len / INTAKE_HASH_BYTES;
      guint sibling = index ^ 1;

      if (sibling < count)
        g_byte_array_append (path, level->data + sibling * INTAKE_HASH_BYTES, INTAKE_HASH_BYTES);
      index /= 2;
    }
  return g_byte_array_free_to_bytes (path);
}

char *
intake_receipt_batch_message (guint64 count, const guint8 root[INTAKE_HASH_BYTES])
{
  char hex[INTAKE_HASH_BYTES * 2 + 1];

  sodium_bin2hex (hex, sizeof hex, root, INTAKE_HASH_BYTES);
  return g_strdup_printf ("intake-batch-receipt-v1\n%" G_GUINT64_FORMAT "\n%s", count, hex);
}

/* RFC 9162, section 2.1.3.2, without the final comparison: the caller signs or checks the root. */
gboolean
intake_receipt_path_root (const guint8 leaf[INTAKE_HASH_BYTES],
                          guint64 index,
                          guint64 count,
                          const guint8 *path,
                          gsize path_len,
                          guint8 root[INTAKE_HASH_BYTES])
{
  guint64 fn = index, sn = count - 1;
  guint8 r[INTAKE_HASH_BYTES];

  if (count == 0 || index >= count || path_len % INTAKE_HASH_BYTES != 0
      || path_len / INTAKE_HASH_BYTES > INTAKE_RECEIPT_MAX_PATH)
    return FALSE;
  memcpy (r, leaf, INTAKE_HASH_BYTES);
  for (gsize off = 0; off < path_len; off += INTAKE_HASH_BYTES)
    {
      const guint8 *p = path + off;

      if (sn == 0)
        return FALSE;
      if ((fn & 1) == 1 || fn == sn)
        {
          node_hash (p, r, r);
          while ((fn & 1) == 0 && fn != 0)
            {
              fn >>= 1;
              sn >>= 1;
            }
        }
      else
        node_hash (r, p, r);
      fn >>= 1;
      sn >>= 1;
    }
  if (sn != 0)
    return FALSE;
  memcpy (root, r, INTAKE_HASH_BYTES);
  return TRUE;
}

static gboolean
decode_exact (const char *b64, guint8 *out, gsize len)
{
  g_autofree guint8 *raw = NULL;
  gsize got = 0;

  if (b64 == NULL || strlen (b64) != 4 * ((len + 2) / 3)
      || (raw = intake_base64_decode_strict (b64, strlen (b64), &got)) == NULL || got != len)
    return FALSE;
  memcpy (out, raw, len);
  return TRUE;
}

static gboolean
verify_single (JsonObject *receipt,
               const char *id,
               const char *hash,
               const char *when,
               const guint8 server_pk[INTAKE_SIGN_PUBLIC_BYTES])
{
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  g_autofree char *message = NULL;

  if (!decode_exact (intake_json_get_string (receipt, "signature"), sig, sizeof sig))
    return FALSE;
  message = g_strdup_printf ("intake-receipt-v1\n%s\n%s\n%s", id, hash, when);
  return crypto_sign_verify_detached (sig, (const guint8 *) message, strlen (message), server_pk)
         == 0;
}

gboolean
intake_receipt_verify (JsonObject *receipt,
                       const char *submission_id,
                       const char *content_hash_b64,
                       const guint8 server_pk[INTAKE_SIGN_PUBLIC_BYTES],
                       GHashTable *verified)
{
  const char *id = intake_json_get_string (receipt, "submission_id");
  const char *hash = intake_json_get_string (receipt, "content_hash");
  const char *when = intake_json_get_string (receipt, "server_time");
  const char *sig_b64 = intake_json_get_string (receipt, "root_signature");
  const char *path_b64 = intake_json_get_string (receipt, "path");
  JsonNode *index_node = json_object_get_member (receipt, "index");
  JsonNode *count_node = json_object_get_member (receipt, "count");
  g_autofree guint8 *path = NULL;
  guint8 leaf[INTAKE_HASH_BYTES], root[INTAKE_HASH_BYTES];
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  g_autofree char *message = NULL;
  g_autofree char *key = NULL;
  gint64 index, count;
  gsize path_len = 0;

  if (id == NULL || hash == NULL || when == NULL || strcmp (id, submission_id) != 0
      || strcmp (hash, content_hash_b64) != 0)
    return FALSE;
  if (sig_b64 == NULL && !json_object_has_member (receipt, "path") && index_node == NULL
      && count_node == NULL)
    return verify_single (receipt, id, hash, when, server_pk);

  if (sig_b64 == NULL || path_b64 == NULL || index_node == NULL || count_node == NULL
      || json_node_get_value_type (index_node) != G_TYPE_INT64
      || json_node_get_value_type (count_node) != G_TYPE_INT64)
    return FALSE;
  index = json_node_get_int (index_node);
  count = json_node_get_int (count_node);
  if (count < 1 || index < 0 || index >= count || !decode_exact (sig_b64, sig, sizeof sig)
      || strlen (path_b64) > 4 * ((INTAKE_RECEIPT_MAX_PATH * INTAKE_HASH_BYTES + 2) / 3)
      || (path = intake_base64_decode_strict (path_b64, strlen (path_b64), &path_len)) == NULL
      || path_len % INTAKE_HASH_BYTES != 0)
    return FALSE;
  intake_receipt_leaf_hash (id, hash, when, leaf);
  if (!intake_receipt_path_root (leaf, (guint64) index, (guint64) count, path, path_len, root))
    return FALSE;
  message = intake_receipt_batch_message ((guint64) count, root);
  /* Only a signature that verified is remembered, with the exact message and signature. */
  key = g_strconcat (message, "\n", sig_b64, NULL);
  if (verified != NULL && g_hash_table_contains (verified, key))
    return TRUE;
  if (crypto_sign_verify_detached (sig, (const guint8 *) message, strlen (message), server_pk)
      != 0)
    return FALSE;
  if (verified != NULL)
    g_hash_table_add (verified, g_steal_pointer (&key));
  return TRUE;
}
