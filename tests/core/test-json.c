/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The record writer must produce JSON that json-glib reads back to an equal tree; the bounded
 * entry point for untrusted JSON takes standard JSON only, within its limits, and says what it
 * refused and where. */
#include "intake-config.h"

#include "intake-json.h"

#include <glib/gstdio.h>
#include <string.h>

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

/* Standard documents: accepted, and the tree is the one json-glib builds from the same text. */
static void
test_untrusted_accepts_standard (void)
{
  static const char *const cases[] = {
    "{}",
    "[]",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "\"\"",
    " \t\r\n{ \"a\" : [ 1 , 2.5 , -3e-2 , 4E+10 , 0.0 , -0.5e1 ] } \n",
    "{\"a\":1,\"b\":-9223372036854775807,\"c\":9223372036854775807,\"e\":1e300,\"f\":2.0}",
    "{\"s\":\"quote \\\" backslash \\\\ slash \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20AC\"}",
    "{\"pair\":\"\\ud83d\\udea2\",\"raw\":\"🚢 ខ្មែរ — é\",\"max\":\"\xf4\x8f\xbf\xbf\"}",
    "{\"\":\"empty name\",\"dup\":1,\"dup\":2}",
    /* 64 levels, the default limit. */
    ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
    "\xef\xbb\xbf{\"bom\":true}",
    "{\"answers\":{\"age\":17,\"indicators\":[\"a\",\"b\"],\"declined\":{\"declined\":true}}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (JsonNode) node = intake_json_parse_untrusted (cases[i], -1, NULL, &error);

      if (node == NULL)
        g_error ("%s refused: %s", cases[i], error->message);
      g_assert_true (json_parser_load_from_data (parser, cases[i], -1, NULL));
      g_assert_true (json_node_equal (node, json_parser_get_root (parser)));
      /* With an explicit length too (no NUL needed after the text). */
      g_assert_true (intake_json_validate (cases[i], (gssize) strlen (cases[i]), NULL, NULL));
    }
}

typedef struct
{
  const char *text;
  IntakeJsonError code;
  const char *says; /* must appear in the message */
} Refusal;

/* Everything json-glib 1.6 reads that JSON does not have, and plain mistakes: each refused with
 * the construct named and its place. */
static void
test_untrusted_refuses (void)
{
  static const Refusal cases[] = {
    { "['x']", INTAKE_JSON_ERROR_NOT_STANDARD, "a single-quoted string at line 1, column 2" },
    { "{'a': 1}", INTAKE_JSON_ERROR_NOT_STANDARD, "a single-quoted string" },
    { "[1, /* two */ 2]", INTAKE_JSON_ERROR_NOT_STANDARD, "a comment at line 1, column 5" },
    { "{\"a\": 1}\n// end\n", INTAKE_JSON_ERROR_NOT_STANDARD, "a comment at line 2, column 1" },
    { "{\n  \"a\": 1, /\"/\n}", INTAKE_JSON_ERROR_NOT_STANDARD, "a comment at line 2, column 11" },
    { "# comment\n{}", INTAKE_JSON_ERROR_NOT_STANDARD, "a '#' comment" },
    { "[0x1F]", INTAKE_JSON_ERROR_NOT_STANDARD, "a hexadecimal number" },
    { "[$1F]", INTAKE_JSON_ERROR_NOT_STANDARD, "hexadecimal number" },
    { "[0b101]", INTAKE_JSON_ERROR_NOT_STANDARD, "a binary number" },
    { "[017]", INTAKE_JSON_ERROR_NOT_STANDARD, "a leading zero" },
    { "[.5]", INTAKE_JSON_ERROR_NOT_STANDARD, "starts with '.'" },
    { "[-.5]", INTAKE_JSON_ERROR_NOT_STANDARD, "starts with '.'" },
    { "[+1]", INTAKE_JSON_ERROR_NOT_STANDARD, "'+' sign" },
    { "[1,]", INTAKE_JSON_ERROR_NOT_STANDARD, "a trailing comma at line 1, column 3" },
    { "{\"a\": 1 , }", INTAKE_JSON_ERROR_NOT_STANDARD, "a trailing comma" },
    { "{a: 1}", INTAKE_JSON_ERROR_NOT_STANDARD, "an unquoted member name \"a\"" },
    { "[True]", INTAKE_JSON_ERROR_NOT_STANDARD, "the bare word \"True\"" },
    { "[NaN, 1]", INTAKE_JSON_ERROR_NOT_STANDARD, "the bare word \"NaN\"" },
    { "[-Infinity]", INTAKE_JSON_ERROR_NOT_STANDARD, "the bare word \"Infinity\"" },
    { "[nullx]", INTAKE_JSON_ERROR_NOT_STANDARD, "the bare word \"nullx\"" },
    { "var x = {};", INTAKE_JSON_ERROR_NOT_STANDARD, "the bare word \"var\"" },
    { "[\"\\x41\"]", INTAKE_JSON_ERROR_NOT_STANDARD, "the escape \\x" },
    { "[\"\\101\"]", INTAKE_JSON_ERROR_NOT_STANDARD, "the escape \\1" },
    { "[\"\\'\"]", INTAKE_JSON_ERROR_NOT_STANDARD, "the escape \\'" },
    { "[\"a\tb\"]", INTAKE_JSON_ERROR_NOT_STANDARD, "control character U+0009 inside a string" },
    { "[\"line\nbreak\"]", INTAKE_JSON_ERROR_NOT_STANDARD, "control character U+000A" },
    { "{} {}", INTAKE_JSON_ERROR_SYNTAX, "more text after the JSON value at line 1, column 4" },
    { "[1 2]", INTAKE_JSON_ERROR_SYNTAX, "'2' where ',' or ']' is expected" },
    { "{\"a\" 1}", INTAKE_JSON_ERROR_SYNTAX, "where ':' is expected" },
    { "{\"a\":}", INTAKE_JSON_ERROR_SYNTAX, "'}' where a value is expected" },
    { "[", INTAKE_JSON_ERROR_SYNTAX, "the document ends where a value is expected" },
    { "[1", INTAKE_JSON_ERROR_SYNTAX, "the document ends inside an array" },
    { "{\"a\":1", INTAKE_JSON_ERROR_SYNTAX, "the document ends inside an object" },
    { "[\"open]", INTAKE_JSON_ERROR_SYNTAX, "a string that is not closed at line 1, column 2" },
    { "[1.]", INTAKE_JSON_ERROR_SYNTAX, "no digit after its '.'" },
    { "[1e]", INTAKE_JSON_ERROR_SYNTAX, "no digit in its exponent" },
    { "[-]", INTAKE_JSON_ERROR_SYNTAX, "a '-' without digits" },
    { "[\"\\u12\"]", INTAKE_JSON_ERROR_SYNTAX, "four hexadecimal digits" },
    { "[\f1]", INTAKE_JSON_ERROR_SYNTAX, "control character U+000C" },
    { "[\"\\u0000\"]", INTAKE_JSON_ERROR_ENCODING, "\\u0000 (NUL)" },
    { "[\"\\udc00\"]", INTAKE_JSON_ERROR_ENCODING, "a lone UTF-16 surrogate \\udc00" },
    { "[\"\\ud800x\"]", INTAKE_JSON_ERROR_ENCODING, "without its second half" },
    { "[\"\\ud800\\u0041\"]", INTAKE_JSON_ERROR_ENCODING, "without its second half" },
    { "[\"\xc3\"]", INTAKE_JSON_ERROR_ENCODING, "not UTF-8" },
    { "[\"\xc0\xaf\"]", INTAKE_JSON_ERROR_ENCODING, "not UTF-8" },          /* overlong */
    { "[\"\xed\xa0\x80\"]", INTAKE_JSON_ERROR_ENCODING, "not UTF-8" },      /* a surrogate */
    { "[\"\xf4\x90\x80\x80\"]", INTAKE_JSON_ERROR_ENCODING, "not UTF-8" },  /* past U+10FFFF */
    { "[\"\xff\"]", INTAKE_JSON_ERROR_ENCODING, "not UTF-8" },
    { "[\xc3\xa9]", INTAKE_JSON_ERROR_SYNTAX, "a character outside a string" },
    { "[9223372036854775808]", INTAKE_JSON_ERROR_RANGE, "does not fit in 64 bits" },
    { "[-9223372036854775808]", INTAKE_JSON_ERROR_RANGE, "does not fit in 64 bits" },
    { "[123456789012345678901234567890]", INTAKE_JSON_ERROR_RANGE, "64 bits" },
    { "", INTAKE_JSON_ERROR_EMPTY, "the document is empty" },
    { " \n\t ", INTAKE_JSON_ERROR_EMPTY, "the document is empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) node = intake_json_parse_untrusted (cases[i].text, -1, NULL, &error);
      g_autofree char *shown = g_strescape (cases[i].text, NULL);
      g_autofree char *message = NULL;

      if (node != NULL)
        g_error ("%s was accepted", shown);
      message = g_strescape (error->message, NULL);
      g_test_message ("%s: %s", shown, message);
      g_assert_error (error, INTAKE_JSON_ERROR, (int) cases[i].code);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", shown, message, cases[i].says);
    }
  {
    /* A NUL byte, given a length that covers it, outside a string and inside one. */
    static const char nul_outside[] = "[1,\0 2]";
    static const char nul_inside[] = "[\"a\0b\"]";
    g_autoptr (GError) e1 = NULL;
    g_autoptr (GError) e2 = NULL;

    g_assert_false (intake_json_validate (nul_outside, sizeof nul_outside - 1, NULL, &e1));
    g_assert_error (e1, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_ENCODING);
    g_assert_nonnull (strstr (e1->message, "a NUL byte"));
    g_assert_false (intake_json_validate (nul_inside, sizeof nul_inside - 1, NULL, &e2));
    g_assert_error (e2, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_ENCODING);
  }
}

static char *
nested (int depth, const char *open, const char *inner, const char *close)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, inner);
  for (int i = 0; i < depth; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

/* The depth limit: exactly the limit is taken, one more is not, for arrays and objects alike;
 * a caller's own limit applies. */
static void
test_untrusted_depth (void)
{
  g_autofree char *arrays_ok = nested (INTAKE_JSON_MAX_DEPTH, "[", "1", "]");
  g_autofree char *arrays_deep = nested (INTAKE_JSON_MAX_DEPTH + 1, "[", "1", "]");
  g_autofree char *objects_ok = nested (INTAKE_JSON_MAX_DEPTH, "{\"a\":", "{}", "}");
  g_autofree char *objects_deep = nested (INTAKE_JSON_MAX_DEPTH, "{\"a\":", "[{}]", "}");
  const IntakeJsonLimits three = { 0, 3 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  g_assert_true (intake_json_validate (arrays_ok, -1, NULL, NULL));
  g_assert_false (intake_json_validate (arrays_deep, -1, NULL, &error));
  g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_DEEP);
  g_assert_nonnull (strstr (error->message, "nested deeper than 64 levels at line 1, column 65"));
  g_clear_error (&error);
  /* 64 objects and the empty one inside: 65. */
  g_assert_false (intake_json_validate (objects_ok, -1, NULL, &error));
  g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  g_assert_false (intake_json_validate (objects_deep, -1, NULL, NULL));

  g_assert_true (intake_json_validate ("[[[1]]]", -1, &three, NULL));
  g_assert_false (intake_json_validate ("[[[[1]]]]", -1, &three, &error));
  g_assert_nonnull (strstr (error->message, "deeper than 3 levels"));
  g_clear_error (&error);
  node = intake_json_parse_untrusted ("{\"a\":{\"b\":[{}]}}", -1, &three, &error);
  g_assert_null (node);
  g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_DEEP);
}

/* What got past the old nesting count: a '"' inside a single-quoted string or a comment made it
 * take every bracket after it for string content, while json-glib recursed once per bracket.
 * Millions of them are refused at the first construct JSON does not have, without recursion. */
static void
test_untrusted_old_bypasses (void)
{
  static const char *const decoys[] = { "['\"', ", "[/\"/ ", "[/*\"*/ " };
  gsize deep = 3 * 1024 * 1024;

  for (guint i = 0; i < G_N_ELEMENTS (decoys); i++)
    {
      g_autoptr (GString) s = g_string_new (decoys[i]);
      g_autoptr (GError) error = NULL;

      for (gsize k = 0; k < deep; k++)
        g_string_append_c (s, '[');
      g_assert_null (intake_json_parse_untrusted (s->str, (gssize) s->len, NULL, &error));
      g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_NOT_STANDARD);
    }
  {
    /* Closing brackets hidden in a comment lowered the old count below zero. */
    g_autofree char *closers = g_strnfill (100000, ']');
    g_autofree char *openers = g_strnfill (100000, '[');
    g_autofree char *text = g_strconcat ("[/", closers, "/ ", openers, NULL);
    g_autoptr (GError) error = NULL;

    g_assert_false (intake_json_validate (text, -1, NULL, &error));
    g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_NOT_STANDARD);
  }
  {
    /* Plain brackets: refused at the limit, long before the end. */
    g_autofree char *brackets = g_strnfill (deep, '[');
    g_autoptr (GError) error = NULL;

    g_assert_false (intake_json_validate (brackets, -1, NULL, &error));
    g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_DEEP);
  }
}

/* The size limit, for text and for files (a file past the limit is not read whole). */
static void
test_untrusted_size (void)
{
  const IntakeJsonLimits small = { 16, 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("intake-json-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "doc.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (intake_json_validate ("{\"a\": \"0123456\"}", -1, &small, NULL));
  g_assert_false (intake_json_validate ("{\"a\": \"01234567\"}", -1, &small, &error));
  g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "larger than 16 bytes"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"a\": [1, 2]}", -1, NULL));
  node = intake_json_load_file_untrusted (path, &small, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_clear_pointer (&node, json_node_unref);
  contents = intake_json_read_file (path, 13, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 13);
  g_assert_cmpstr (contents, ==, "{\"a\": [1, 2]}");
  g_assert_null (intake_json_read_file (path, 12, NULL, &error));
  g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"a\": 'b'}", -1, NULL));
  node = intake_json_load_file_untrusted (path, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_NOT_STANDARD);
  /* The message names the file. */
  g_assert_true (g_str_has_prefix (error->message, path));
  g_clear_error (&error);
  g_assert_null (intake_json_load_file_untrusted (missing, &small, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
}

/* The writer's output is standard JSON: whatever it writes, the validator takes. */
static void
test_untrusted_takes_written (void)
{
  for (int round = 0; round < 500; round++)
    {
      g_autoptr (GString) s = g_string_new (NULL);
      g_autoptr (JsonNode) node = NULL;
      g_autoptr (GString) out = g_string_new ("[");
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) back = NULL;
      int len = g_test_rand_int_range (0, 40);

      for (int i = 0; i < len; i++)
        g_string_append_unichar (s, g_test_rand_bit () ? (gunichar) g_test_rand_int_range (1, 128)
                                                        : (gunichar) g_test_rand_int_range (
                                                              0x80, 0x10ffff));
      if (!g_utf8_validate (s->str, -1, NULL))
        continue; /* a surrogate was drawn */
      node = json_node_init_string (json_node_alloc (), s->str);
      intake_json_write (out, node);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT ",%g,true,null]",
                              (gint64) g_test_rand_int () * g_test_rand_int (),
                              g_test_rand_double_range (-1e300, 1e300));
      back = intake_json_parse_untrusted (out->str, (gssize) out->len, NULL, &error);
      if (back == NULL)
        g_error ("%s refused: %s", out->str, error->message);
      g_assert_cmpstr (json_array_get_string_element (json_node_get_array (back), 0), ==,
                       s->str);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intake/core/json/round-trip", test_round_trip);
  g_test_add_func ("/intake/core/json/random-strings", test_random_strings);
  g_test_add_func ("/intake/core/json/non-finite", test_non_finite);
  g_test_add_func ("/intake/core/json/members", test_members);
  g_test_add_func ("/intake/core/json/untrusted/accepts-standard",
                   test_untrusted_accepts_standard);
  g_test_add_func ("/intake/core/json/untrusted/refuses", test_untrusted_refuses);
  g_test_add_func ("/intake/core/json/untrusted/depth", test_untrusted_depth);
  g_test_add_func ("/intake/core/json/untrusted/old-bypasses", test_untrusted_old_bypasses);
  g_test_add_func ("/intake/core/json/untrusted/size", test_untrusted_size);
  g_test_add_func ("/intake/core/json/untrusted/takes-written", test_untrusted_takes_written);
  return g_test_run ();
}
