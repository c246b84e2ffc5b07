/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Compact JSON text for a node, appended to out. json-glib still parses everything we read; this
 * only writes, on the autosave path, where json-glib's generator cost as much as the rest of a
 * save put together. The output is RFC 8259 JSON that json-glib parses back to an equal tree
 * (tests/core/test-json.c checks that, also on fuzzed trees). */
void intake_json_write (GString *out, JsonNode *node);

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
