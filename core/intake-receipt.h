/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "intake-crypto.h"

G_BEGIN_DECLS

/* The server's receipts (sync/PROTOCOL.md). A batch's accepted envelopes are the leaves of one
 * Merkle tree (the tree shape of RFC 9162, section 2.1: a lone last node moves up unchanged),
 * hashed with BLAKE2b-256 and domain-separated leaf (0x00) and node (0x01) hashes; the server
 * signs the root once. Each envelope's receipt carries its leaf fields, its index, the leaf count,
 * its audit path and the root's signature, so it is verifiable on its own. */

/* A batch holds at most 100 envelopes; 64 levels bound any tree these functions meet. */
#define INTAKE_RECEIPT_MAX_PATH 64

void intake_receipt_leaf_hash (const char *submission_id,
                               const char *content_hash_b64,
                               const char *server_time,
                               guint8 out[INTAKE_HASH_BYTES]);

/* The tree over n >= 1 leaf hashes (n * INTAKE_HASH_BYTES bytes). */
typedef struct _IntakeReceiptTree IntakeReceiptTree;

IntakeReceiptTree *intake_receipt_tree_new (const guint8 *leaves, guint n);
void intake_receipt_tree_free (IntakeReceiptTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReceiptTree, intake_receipt_tree_free)
const guint8 *intake_receipt_tree_root (IntakeReceiptTree *tree);
/* Leaf index's audit path, from the leaf's sibling up, as concatenated hashes. */
GBytes *intake_receipt_tree_path (IntakeReceiptTree *tree, guint index);

/* What the server signs for a batch: "intake-batch-receipt-v1\n" count "\n" hex(root). */
char *intake_receipt_batch_message (guint64 count, const guint8 root[INTAKE_HASH_BYTES]);

/* The root that leaf's audit path leads to, for a leaf at index in a tree of count leaves;
 * FALSE when the path cannot belong to such a leaf (index out of range, a path too short or too
 * long). */
gboolean intake_receipt_path_root (const guint8 leaf[INTAKE_HASH_BYTES],
                                   guint64 index,
                                   guint64 count,
                                   const guint8 *path,
                                   gsize path_len,
                                   guint8 root[INTAKE_HASH_BYTES]);

/* Whether receipt (the JSON object of a RESULT, not NULL) is the server's receipt for exactly this
 * submission id and content hash under server_pk: a batch receipt whose path leads to a root
 * the key signed, or a single-signature receipt ("intake-receipt-v1", stored by servers before
 * batch receipts). verified, when given, remembers the root signatures already checked (a set
 * of strings the function fills): a batch's receipts share one, so it is verified once. */
gboolean intake_receipt_verify (JsonObject *receipt,
                                const char *submission_id,
                                const char *content_hash_b64,
                                const guint8 server_pk[INTAKE_SIGN_PUBLIC_BYTES],
                                GHashTable *verified);

G_END_DECLS
