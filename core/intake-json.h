/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Compact JSON text for a node, appended to out. json-glib still parses everything we read; this
 * only writes, on the autosave path, where json-glib's generator cost as much as the rest of a
 * save put together. The output is RFC 8259 JSON that json-glib parses back to an equal tree
 * (tests/core/test-json.c checks that, also on fuzzed trees). */
void intake_json_write (GString *out, JsonNode *node);

/* The same writer's pieces, for a large document written straight out rather than built as a
 * tree first (a batch of envelopes, a batch's receipts): a JSON string for @str, and a
 * member "name":"value" (a comma first unless @first). */
void intake_json_write_string (GString *out, const char *str);
void intake_json_write_member (GString *out, gboolean first, const char *name, const char *value);

/* TRUE when JSON text nests no deeper than @max_depth arrays and objects (strings skipped).
 * json-glib recurses per level: callers check untrusted text with this before parsing it. */
gboolean intake_json_nesting_within (const char *text, gsize length, int max_depth);

/* Members of untrusted JSON (files, the network): the value when it has the expected type, the
 * fallback otherwise, and never a critical warning for an object where a string was expected. */
const char *intake_json_get_string (JsonObject *object, const char *name);
gint64 intake_json_get_int (JsonObject *object, const char *name, gint64 fallback);
JsonObject *intake_json_get_object (JsonObject *object, const char *name);
JsonArray *intake_json_get_array (JsonObject *object, const char *name);

G_END_DECLS
