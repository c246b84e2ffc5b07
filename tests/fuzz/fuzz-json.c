/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the bounded entry point for untrusted JSON (core/intake-json.h). Any input
 * is accepted or refused with an INTAKE_JSON_ERROR, never a crash or a recursion. The property
 * that makes the validator worth having: whatever it accepts, json-glib parses without an error
 * into a tree no deeper than the limit (put the other way round, whatever json-glib would fail
 * on, the validator refused first). What our writer makes of that tree is accepted again.
 */
#include "intake-json.h"

#include "fuzz-glib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

FUZZ_DEFINE_INITIALIZE (NULL)

static int
depth_of (JsonNode *node)
{
  int deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        deepest = MAX (deepest, depth_of (json_array_get_element (array, i)));
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter it;
      JsonNode *member;

      json_object_iter_init (&it, json_node_get_object (node));
      while (json_object_iter_next (&it, NULL, &member))
        deepest = MAX (deepest, depth_of (member));
      return deepest + 1;
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* A small limit as well as the default, so that the limit's edge is reached often. */
  const IntakeJsonLimits limits = { 0, size > 0 && (data[0] & 1) ? 4 : INTAKE_JSON_MAX_DEPTH };
  const char *text = (const char *) data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonNode) again = NULL;
  g_autoptr (GString) written = NULL;
  JsonNode *root;

  if (!intake_json_validate (text, (gssize) size, &limits, &error))
    {
      g_assert (error != NULL && error->domain == INTAKE_JSON_ERROR);
      g_assert (intake_json_parse_untrusted (text, (gssize) size, &limits, NULL) == NULL);
      return 0;
    }
  g_assert (error == NULL);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, size > 0 ? text : "", (gssize) size, &parse_error))
    {
      fprintf (stderr, "accepted, but json-glib refuses it: %s\n", parse_error->message);
      abort ();
    }
  root = json_parser_get_root (parser);
  g_assert (root != NULL);
  g_assert (depth_of (root) <= limits.max_depth);

  node = intake_json_parse_untrusted (text, (gssize) size, &limits, &error);
  g_assert (node != NULL && error == NULL);
  g_assert (json_node_equal (node, root));

  written = g_string_new (NULL);
  intake_json_write (written, node);
  again = intake_json_parse_untrusted (written->str, (gssize) written->len, &limits, &error);
  if (again == NULL)
    {
      fprintf (stderr, "the writer's own output is refused: %s\n", error->message);
      abort ();
    }
  return 0;
}
