/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Compact JSON text for a node, appended to out. json-glib still parses everything we read; this
 * only writes, on the autosave path, where json-glib's generator cost as much as the rest of a
 * save put together. The output is RFC 8259 JSON that json-glib parses back to an equal tree
 * (tests/core/test-json.c checks that, also on fuzzed trees). */
void intake_json_write (GString *out, JsonNode *node);

G_END_DECLS
