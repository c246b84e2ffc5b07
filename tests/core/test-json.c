/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The record writer must produce JSON that json-glib reads back to an equal tree. */
#include "intake-config.h"

#include "intake-json.h"

static void
check_round_trip (const char *text)
{
  g_autoptr (JsonParser) a = json_parser_new ();
  g_autoptr (JsonParser) b = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_true (json_parser_load_from_data (a, text, -1, &error));
  g_assert_no_error (error);
  intake_json_write (out, json_parser_get_root (a));
  if (!json_parser_load_from_data (b, out->str, -1, &error))
    g_error ("%s wrote %s, which does not parse: %s", text, out->str, error->message);
  if (!json_node_equal (json_parser_get_root (a), json_parser_get_root (b)))
    g_error ("%s wrote %s, which reads back differently", text, out->str);
}

static void
test_round_trip (void)
{
  static const char *const cases[] = {
    "{}",
    "[]",
    "null",
    "{\"a\":1,\"b\":-9223372036854775807,\"c\":1.5,\"d\":-0.0001,\"e\":1e300,\"f\":2.0}",
    "{\"t\":true,\"f\":false,\"n\":null}",
    "{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bell \\u0007 nul-ish "
    "\\u001f\"}",
    "{\"unicode\":\"Bahasa: perdagangan orang — ខ្មែរ မြန်မာ 🚢\"}",
    "{\"nested\":{\"list\":[1,[2,[3,{\"x\":\"y\"}]],\"z\"],\"empty\":{}}}",
    "{\"answers\":{\"age\":17,\"consent\":\"yes\",\"indicators\":[\"a\",\"b\"],"
    "\"declined\":{\"declined\":true}},\"pseudonym\":\"Azure Shore 53\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_round_trip (cases[i]);
}

static void
test_random_strings (void)
{
  /* Every byte value that can stand in valid UTF-8 text, in random strings. */
  for (int round = 0; round < 2000; round++)
    {
      g_autoptr (GString) s = g_string_new (NULL);
      g_autoptr (JsonNode) node = NULL;
      g_autoptr (GString) out = g_string_new (NULL);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      int len = g_test_rand_int_range (0, 40);

      for (int i = 0; i < len; i++)
        g_string_append_unichar (s, g_test_rand_bit () ? (gunichar) g_test_rand_int_range (1, 128)
                                                        : (gunichar) g_test_rand_int_range (
                                                              0x80, 0xd7ff));
      node = json_node_init_string (json_node_alloc (), s->str);
      intake_json_write (out, node);
      g_assert_true (json_parser_load_from_data (parser, out->str, -1, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (json_parser_get_root (parser)), ==, s->str);
    }
}

static void
test_non_finite (void)
{
  g_autoptr (JsonNode) node = json_node_init_double (json_node_alloc (), 1.0 / 0.0);
  g_autoptr (GString) out = g_string_new (NULL);

  intake_json_write (out, node);
  g_assert_cmpstr (out->str, ==, "null");
}

/* The pieces for text written straight out: members with awkward names and values read back
 * as written, in order. */
static void
test_members (void)
{
  static const char *const values[] = { "plain", "quote \" and \\ back", "nl \n tab \t \x01",
                                        "", "Bahasa — 🚢" };
  g_autoptr (GString) out = g_string_new ("{");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *o;
  GList *names;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *name = g_strdup_printf ("k%u \"%s\"", i, values[i]);
      intake_json_write_member (out, i == 0, name, values[i]);
    }
  g_string_append (out, ",\"s\":");
  intake_json_write_string (out, "last \"one\"");
  g_string_append_c (out, '}');
  if (!json_parser_load_from_data (parser, out->str, -1, &error))
    g_error ("%s does not parse: %s", out->str, error->message);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (values) + 1);
  names = json_object_get_members (o);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *name = g_strdup_printf ("k%u \"%s\"", i, values[i]);
      g_assert_cmpstr (g_list_nth_data (names, i), ==, name);
      g_assert_cmpstr (json_object_get_string_member (o, name), ==, values[i]);
    }
  g_list_free (names);
  g_assert_cmpstr (json_object_get_string_member (o, "s"), ==, "last \"one\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intake/core/json/round-trip", test_round_trip);
  g_test_add_func ("/intake/core/json/random-strings", test_random_strings);
  g_test_add_func ("/intake/core/json/non-finite", test_non_finite);
  g_test_add_func ("/intake/core/json/members", test_members);
  return g_test_run ();
}
