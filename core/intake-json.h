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

/* Untrusted JSON: everything that comes from outside the process (request bodies, the server's
 * answers, forms, provisioning files, files given to the command-line tools, decrypted content).
 *
 * json-glib 1.6 reads more than JSON: 'single-quoted' strings, comments from a '/' to the next
 * '/', hexadecimal, octal and binary numbers, "var x = …;", unknown escapes, raw control
 * characters, several values one after another. Its parser also recurses once per level of
 * nesting with no limit of its own, so a few megabytes of brackets exhaust the stack. The entry
 * point below first checks, in one pass that neither recurses nor builds anything, that the
 * text is strict RFC 8259 JSON within the limits, and only then lets json-glib build the tree.
 * Nothing else in the programs hands outside text to json-glib. */

#define INTAKE_JSON_ERROR (intake_json_error_quark ())

typedef enum
{
  INTAKE_JSON_ERROR_EMPTY,        /* nothing but white space */
  INTAKE_JSON_ERROR_TOO_LARGE,    /* more bytes than the limit */
  INTAKE_JSON_ERROR_TOO_DEEP,     /* arrays and objects nested deeper than the limit */
  INTAKE_JSON_ERROR_NOT_STANDARD, /* an extension of json-glib or JavaScript: comments, single
                                   * quotes, bare words, hexadecimal numbers, trailing commas… */
  INTAKE_JSON_ERROR_ENCODING,     /* not UTF-8, a NUL byte, a lone surrogate */
  INTAKE_JSON_ERROR_SYNTAX,       /* malformed: a missing comma, an unclosed string… */
  INTAKE_JSON_ERROR_RANGE,        /* an integer that does not fit in 64 bits */
} IntakeJsonError;

GQuark intake_json_error_quark (void);

/* The default depth: no document of ours nests deeper than a few levels; this leaves room for
 * forms and answers. json-glib is safe far deeper (it is the megabytes that are not). */
#define INTAKE_JSON_MAX_DEPTH 64
/* The deepest limit a caller may ask for. */
#define INTAKE_JSON_DEPTH_CEILING 1024

typedef struct
{
  gsize max_bytes; /* 0: no limit of its own (the caller bounded the text already) */
  int max_depth;   /* arrays and objects inside one another; 0: INTAKE_JSON_MAX_DEPTH */
} IntakeJsonLimits;

/* TRUE when @text (@length bytes, or up to its NUL when -1) is one strict RFC 8259 JSON value
 * within @limits (NULL: the defaults): standard literals, numbers and strings with standard
 * escapes only, valid UTF-8, no NUL, integers within 64 bits. Otherwise FALSE with an
 * INTAKE_JSON_ERROR whose message names the problem and where it is ("not standard JSON: a
 * comment at line 3, column 5"). A leading UTF-8 byte order mark is ignored, as RFC 8259
 * allows. */
gboolean intake_json_validate (const char *text,
                               gssize length,
                               const IntakeJsonLimits *limits,
                               GError **error);

/* The one way to parse untrusted JSON: intake_json_validate, then json-glib. Returns the root
 * (never NULL on success; an object, an array or a value as the text says). */
JsonNode *intake_json_parse_untrusted (const char *text,
                                       gssize length,
                                       const IntakeJsonLimits *limits,
                                       GError **error);

/* Reads a file of at most @max_bytes (0: no limit), refusing a larger one before reading it
 * whole. The contents are NUL-terminated; *length (optional) gets their size. */
char *intake_json_read_file (const char *path, gsize max_bytes, gsize *length, GError **error);

/* intake_json_read_file with @limits' max_bytes, then intake_json_parse_untrusted. Errors name
 * the file. */
JsonNode *intake_json_load_file_untrusted (const char *path,
                                           const IntakeJsonLimits *limits,
                                           GError **error);

/* Members of untrusted JSON (files, the network): the value when it has the expected type, the
 * fallback otherwise, and never a critical warning for an object where a string was expected. */
const char *intake_json_get_string (JsonObject *object, const char *name);
gint64 intake_json_get_int (JsonObject *object, const char *name, gint64 fallback);
JsonObject *intake_json_get_object (JsonObject *object, const char *name);
JsonArray *intake_json_get_array (JsonObject *object, const char *name);

G_END_DECLS
