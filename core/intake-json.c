/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-json.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (intake-json-error-quark, intake_json_error)

static void
write_string (GString *out, const char *str)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = str;

  g_string_append_c (out, '"');
  for (const char *p = str; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      /* Copy the plain run before this character in one go, then its escape. */
      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          {
            char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf], 0 };
            g_string_append (out, esc);
          }
          break;
        }
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

void
intake_json_write_string (GString *out, const char *str)
{
  write_string (out, str);
}

void
intake_json_write_member (GString *out, gboolean first, const char *name, const char *value)
{
  if (!first)
    g_string_append_c (out, ',');
  write_string (out, name);
  g_string_append_c (out, ':');
  write_string (out, value);
}

static void
write_value (GString *out, JsonNode *node)
{
  switch (json_node_get_value_type (node) == G_TYPE_STRING    ? 0
          : json_node_get_value_type (node) == G_TYPE_INT64   ? 1
          : json_node_get_value_type (node) == G_TYPE_DOUBLE  ? 2
          : json_node_get_value_type (node) == G_TYPE_BOOLEAN ? 3
                                                              : 4)
    {
    case 0:
      write_string (out, json_node_get_string (node) ? json_node_get_string (node) : "");
      break;
    case 1:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case 2:
      {
        double d = json_node_get_double (node);
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        if (!isfinite (d))
          {
            /* JSON has no infinities; json-glib would write text it cannot read back. */
            g_string_append (out, "null");
            break;
          }
        g_ascii_dtostr (buf, sizeof buf, d);
        g_string_append (out, buf);
        /* Keep a double a double when read back. */
        if (strpbrk (buf, ".eE") == NULL)
          g_string_append (out, ".0");
      }
      break;
    case 3:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    default:
      g_string_append (out, "null");
      break;
    }
}

void
intake_json_write (GString *out, JsonNode *node)
{
  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter it;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&it, json_node_get_object (node));
        while (json_object_iter_next_ordered (&it, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            write_string (out, name);
            g_string_append_c (out, ':');
            intake_json_write (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *arr = json_node_get_array (node);
        guint n = json_array_get_length (arr);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            intake_json_write (out, json_array_get_element (arr, i));
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      write_value (out, node);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

static JsonNode *
value_member (JsonObject *object, const char *name, GType type)
{
  JsonNode *n = object ? json_object_get_member (object, name) : NULL;

  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == type ? n : NULL;
}

const char *
intake_json_get_string (JsonObject *object, const char *name)
{
  JsonNode *n = value_member (object, name, G_TYPE_STRING);
  return n ? json_node_get_string (n) : NULL;
}

gint64
intake_json_get_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *n = value_member (object, name, G_TYPE_INT64);
  return n ? json_node_get_int (n) : fallback;
}

JsonObject *
intake_json_get_object (JsonObject *object, const char *name)
{
  JsonNode *n = object ? json_object_get_member (object, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

JsonArray *
intake_json_get_array (JsonObject *object, const char *name)
{
  JsonNode *n = object ? json_object_get_member (object, name) : NULL;
  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* The validator (see intake-json.h). One pass over the text with an explicit stack of the open
 * containers: nothing recurses and nothing is built, so its cost is that of reading the bytes,
 * and the tree json-glib builds afterwards is never deeper than the limit. Where the text is
 * not JSON the message names the construct and where it is, so that a person fixing a file, or
 * reading a server's refusal, knows what to change. */

typedef struct
{
  const char *text; /* after a byte order mark */
  const char *end;
  GError **error;
} Validator;

/* The line and column (in characters) of a position, for messages: only on the error path. */
static void
locate (const Validator *v, const char *at, unsigned *line, unsigned *column)
{
  *line = 1;
  *column = 1;
  for (const char *q = v->text; q < at; q++)
    {
      if (*q == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((unsigned char) *q & 0xc0) != 0x80)
        (*column)++;
    }
}

static gboolean fail (const Validator *v, const char *at, IntakeJsonError code, const char *format,
                      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (const Validator *v, const char *at, IntakeJsonError code, const char *format, ...)
{
  g_autofree char *what = NULL;
  unsigned line, column;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  locate (v, at, &line, &column);
  g_set_error (v->error, INTAKE_JSON_ERROR, code, "%s%s at line %u, column %u",
               code == INTAKE_JSON_ERROR_NOT_STANDARD ? "not standard JSON: "
               : code == INTAKE_JSON_ERROR_SYNTAX     ? "not JSON: "
                                                      : "",
               what, line, column);
  return FALSE;
}

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline const char *
skip_space (const char *p, const char *end)
{
  while (p < end && is_space (*p))
    p++;
  return p;
}

static inline gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$';
}

/* What stands at @at where @expected should: a construct JSON does not have is named as such
 * (these are what json-glib would have read), anything else is a syntax error. */
static gboolean
fail_unexpected (const Validator *v, const char *at, const char *expected)
{
  unsigned char c;

  if (at == v->end)
    return fail (v, at, INTAKE_JSON_ERROR_SYNTAX, "the document ends where %s is expected",
                 expected);
  c = (unsigned char) *at;
  if (c == '\'')
    return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "a single-quoted string");
  if (c == '/')
    return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "a comment");
  if (c == '#')
    return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "a '#' comment");
  if (c == '\0')
    return fail (v, at, INTAKE_JSON_ERROR_ENCODING, "a NUL byte");
  if (c == '$')
    return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "a '$' hexadecimal number");
  if (c == '+')
    return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "a number with a '+' sign");
  if (c == '.')
    return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "a number that starts with '.'");
  if (g_ascii_isalpha (c) || c == '_')
    {
      const char *e = at;

      while (e < v->end && is_word_char (*e) && e - at < 24)
        e++;
      return fail (v, at, INTAKE_JSON_ERROR_NOT_STANDARD, "%s \"%.*s%s\" where %s is expected",
                   g_str_equal (expected, "a member name") ? "an unquoted member name"
                                                           : "the bare word",
                   (int) (e - at), at, e < v->end && is_word_char (*e) ? "…" : "", expected);
    }
  if (c >= 0x80)
    return fail (v, at, INTAKE_JSON_ERROR_SYNTAX, "a character outside a string where %s is "
                 "expected", expected);
  if (c < 0x20 || c == 0x7f)
    return fail (v, at, INTAKE_JSON_ERROR_SYNTAX, "the control character U+%04X where %s is "
                 "expected", c, expected);
  return fail (v, at, INTAKE_JSON_ERROR_SYNTAX, "'%c' where %s is expected", c, expected);
}

/* The length of the UTF-8 sequence at @p (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF), or 0 when it is not one. */
static gsize
utf8_sequence (const unsigned char *p, const unsigned char *end)
{
  unsigned char lo = 0x80, hi = 0xbf;
  gsize n;

  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    {
      n = 3;
      if (p[0] == 0xe0)
        lo = 0xa0;
      else if (p[0] == 0xed)
        hi = 0x9f;
    }
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    {
      n = 4;
      if (p[0] == 0xf0)
        lo = 0x90;
      else if (p[0] == 0xf4)
        hi = 0x8f;
    }
  else
    return 0;
  if ((gsize) (end - p) < n || p[1] < lo || p[1] > hi)
    return 0;
  for (gsize i = 2; i < n; i++)
    if ((p[i] & 0xc0) != 0x80)
      return 0;
  return n;
}

/* Four hexadecimal digits at @p as a UTF-16 code unit, or -1. */
static int
hex4 (const char *p, const char *end)
{
  int unit = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return -1;
      unit = unit * 16 + d;
    }
  return unit;
}

/* An escape at @p (the backslash); returns what follows it, or NULL. */
static const char *
scan_escape (const Validator *v, const char *p)
{
  int unit;

  if (v->end - p < 2)
    {
      fail (v, p, INTAKE_JSON_ERROR_SYNTAX, "the document ends inside a string");
      return NULL;
    }
  switch (p[1])
    {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return p + 2;
    case 'u':
      break;
    default:
      if (g_ascii_isprint (p[1]))
        fail (v, p, INTAKE_JSON_ERROR_NOT_STANDARD, "the escape \\%c in a string", p[1]);
      else
        fail (v, p, INTAKE_JSON_ERROR_NOT_STANDARD, "an escape JSON does not have in a string");
      return NULL;
    }
  unit = hex4 (p + 2, v->end);
  if (unit < 0)
    {
      fail (v, p, INTAKE_JSON_ERROR_SYNTAX, "a \\u escape without four hexadecimal digits");
      return NULL;
    }
  /* json-glib would cut the string short at a NUL and write a lone surrogate as bytes that are
   * not UTF-8, so neither is taken. */
  if (unit == 0)
    {
      fail (v, p, INTAKE_JSON_ERROR_ENCODING, "\\u0000 (NUL) in a string");
      return NULL;
    }
  if (unit >= 0xdc00 && unit <= 0xdfff)
    {
      fail (v, p, INTAKE_JSON_ERROR_ENCODING, "a lone UTF-16 surrogate \\u%04x", (unsigned) unit);
      return NULL;
    }
  if (unit >= 0xd800 && unit <= 0xdbff)
    {
      int low = v->end - p >= 8 && p[6] == '\\' && p[7] == 'u' ? hex4 (p + 8, v->end) : -1;

      if (low < 0xdc00 || low > 0xdfff)
        {
          fail (v, p, INTAKE_JSON_ERROR_ENCODING,
                "a UTF-16 surrogate \\u%04x without its second half", (unsigned) unit);
          return NULL;
        }
      return p + 12;
    }
  return p + 6;
}

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)

/* The high bit of each byte of the result is set where @w has a zero byte (and possibly above
 * one, which only costs a false alarm). */
static inline guint64
has_zero_byte (guint64 w)
{
  return (w - ONES) & ~w;
}

/* A string at @p (its opening quote); returns what follows it, or NULL. This is where the
 * bytes of a large document are: the plain run is one tight loop. */
static const char *
scan_string (const Validator *v, const char *p)
{
  const char *open = p;
  const char *end = v->end;

  p++;
  for (;;)
    {
      unsigned char c = 0;
      gsize n;

      /* Eight bytes at a time while none of them can end the plain run: none at or above
       * 0x80, below 0x20, a quote or a backslash (the usual bit tricks; a false alarm only
       * hands over to the byte loop). Base64 payloads are most of a large document. */
      while (end - p >= 8)
        {
          guint64 w;

          memcpy (&w, p, sizeof w);
          if (((w | (w - ONES * 0x20) | has_zero_byte (w ^ (ONES * '"'))
                | has_zero_byte (w ^ (ONES * '\\')))
               & (ONES * 0x80))
              != 0)
            break;
          p += 8;
        }
      while (p < end && (c = (unsigned char) *p) >= 0x20 && c < 0x80 && c != '"' && c != '\\')
        p++;
      if (p == end)
        {
          fail (v, open, INTAKE_JSON_ERROR_SYNTAX, "a string that is not closed");
          return NULL;
        }
      if (c == '"')
        return p + 1;
      if (c == '\\')
        {
          p = scan_escape (v, p);
          if (p == NULL)
            return NULL;
          continue;
        }
      if (c == '\0')
        {
          fail (v, p, INTAKE_JSON_ERROR_ENCODING, "a NUL byte");
          return NULL;
        }
      if (c < 0x20)
        {
          fail (v, p, INTAKE_JSON_ERROR_NOT_STANDARD,
                "the control character U+%04X inside a string (write it as \\u%04x)", c, c);
          return NULL;
        }
      n = utf8_sequence ((const unsigned char *) p, (const unsigned char *) end);
      if (n == 0)
        {
          fail (v, p, INTAKE_JSON_ERROR_ENCODING, "bytes that are not UTF-8 text");
          return NULL;
        }
      p += n;
    }
}

/* A number at @p ('-' or a digit); returns what follows it, or NULL. */
static const char *
scan_number (const Validator *v, const char *p)
{
  const char *start = p;
  const char *end = v->end;
  const char *digits;
  gboolean integer = TRUE;
  gsize n;

  if (*p == '-')
    p++;
  digits = p;
  if (p == end || !g_ascii_isdigit (*p))
    {
      if (p < end && (*p == '.' || g_ascii_isalpha (*p)))
        fail_unexpected (v, p, "a number");
      else
        fail (v, start, INTAKE_JSON_ERROR_SYNTAX, "a '-' without digits");
      return NULL;
    }
  if (*p == '0')
    {
      p++;
      if (p < end && (*p == 'x' || *p == 'X'))
        {
          fail (v, start, INTAKE_JSON_ERROR_NOT_STANDARD, "a hexadecimal number");
          return NULL;
        }
      if (p < end && (*p == 'b' || *p == 'B'))
        {
          fail (v, start, INTAKE_JSON_ERROR_NOT_STANDARD, "a binary number");
          return NULL;
        }
      if (p < end && g_ascii_isdigit (*p))
        {
          fail (v, start, INTAKE_JSON_ERROR_NOT_STANDARD,
                "a number with a leading zero (an octal number)");
          return NULL;
        }
    }
  else
    while (p < end && g_ascii_isdigit (*p))
      p++;
  n = (gsize) (p - digits);
  if (p < end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (p == end || !g_ascii_isdigit (*p))
        {
          fail (v, start, INTAKE_JSON_ERROR_SYNTAX, "a number with no digit after its '.'");
          return NULL;
        }
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !g_ascii_isdigit (*p))
        {
          fail (v, start, INTAKE_JSON_ERROR_SYNTAX, "a number with no digit in its exponent");
          return NULL;
        }
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  /* json-glib reads integers as 64-bit and silently wraps larger ones into other numbers. */
  if (integer && (n > 19 || (n == 19 && memcmp (digits, "9223372036854775807", 19) > 0)))
    {
      fail (v, start, INTAKE_JSON_ERROR_RANGE, "an integer that does not fit in 64 bits");
      return NULL;
    }
  return p;
}

gboolean
intake_json_validate (const char *text,
                      gssize length,
                      const IntakeJsonLimits *limits,
                      GError **error)
{
  /* For each open container: TRUE for an object, FALSE for an array. */
  gboolean in_object[INTAKE_JSON_DEPTH_CEILING];
  int max_depth = limits != NULL && limits->max_depth > 0 ? limits->max_depth
                                                          : INTAKE_JSON_MAX_DEPTH;
  int depth = 0;
  gsize len;
  Validator v;
  const char *p;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (max_depth <= INTAKE_JSON_DEPTH_CEILING, FALSE);

  len = length < 0 ? strlen (text) : (gsize) length;
  if (limits != NULL && limits->max_bytes > 0 && len > limits->max_bytes)
    {
      g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE,
                   "the document is larger than %" G_GSIZE_FORMAT " bytes", limits->max_bytes);
      return FALSE;
    }
  if (len == 0)
    {
      g_set_error_literal (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_EMPTY,
                           "the document is empty");
      return FALSE;
    }
  v.text = text;
  v.end = text + len;
  v.error = error;
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    v.text += 3;
  p = skip_space (v.text, v.end);
  if (p == v.end)
    {
      g_set_error_literal (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_EMPTY,
                           "the document is empty");
      return FALSE;
    }

value:
  /* p is at a value's first byte (or the end). */
  if (p == v.end)
    return fail_unexpected (&v, p, "a value");
  switch (*p)
    {
    case '{':
    case '[':
      if (depth == max_depth)
        return fail (&v, p, INTAKE_JSON_ERROR_TOO_DEEP, "arrays and objects nested deeper than %d "
                     "levels", max_depth);
      in_object[depth++] = *p == '{';
      p = skip_space (p + 1, v.end);
      if (p < v.end && *p == (in_object[depth - 1] ? '}' : ']'))
        {
          depth--;
          p++;
          goto after_value;
        }
      if (in_object[depth - 1])
        goto member;
      goto value;
    case '"':
      p = scan_string (&v, p);
      break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      p = scan_number (&v, p);
      break;
    case 't':
    case 'f':
    case 'n':
      {
        const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
        gsize n = strlen (word);

        if ((gsize) (v.end - p) < n || memcmp (p, word, n) != 0
            || ((gsize) (v.end - p) > n && is_word_char (p[n])))
          return fail_unexpected (&v, p, "a value");
        p += n;
      }
      break;
    default:
      return fail_unexpected (&v, p, "a value");
    }
  if (p == NULL)
    return FALSE;

after_value:
  p = skip_space (p, v.end);
  if (depth == 0)
    {
      if (p == v.end)
        return TRUE;
      if (*p == '/' || *p == '#' || *p == '\0')
        return fail_unexpected (&v, p, "the end of the document");
      return fail (&v, p, INTAKE_JSON_ERROR_SYNTAX, "more text after the JSON value");
    }
  if (p == v.end)
    return fail (&v, p, INTAKE_JSON_ERROR_SYNTAX, "the document ends inside an %s",
                 in_object[depth - 1] ? "object" : "array");
  if (*p == ',')
    {
      const char *comma = p;

      p = skip_space (p + 1, v.end);
      if (p < v.end && *p == (in_object[depth - 1] ? '}' : ']'))
        return fail (&v, comma, INTAKE_JSON_ERROR_NOT_STANDARD, "a trailing comma");
      if (in_object[depth - 1])
        goto member;
      goto value;
    }
  if (*p == (in_object[depth - 1] ? '}' : ']'))
    {
      depth--;
      p++;
      goto after_value;
    }
  return fail_unexpected (&v, p, in_object[depth - 1] ? "',' or '}'" : "',' or ']'");

member:
  /* p is at a member name's first byte (or the end). */
  if (p == v.end || *p != '"')
    return fail_unexpected (&v, p, "a member name");
  p = scan_string (&v, p);
  if (p == NULL)
    return FALSE;
  p = skip_space (p, v.end);
  if (p == v.end || *p != ':')
    return fail_unexpected (&v, p, "':'");
  p = skip_space (p + 1, v.end);
  goto value;
}

JsonNode *
intake_json_parse_untrusted (const char *text,
                             gssize length,
                             const IntakeJsonLimits *limits,
                             GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;
  gsize len;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (text) : (gsize) length;
  if (!intake_json_validate (text, (gssize) len, limits, error))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local_error))
    {
      /* Strict JSON that json-glib refuses would be a gap in the validator (the fuzz target
       * looks for one); still an error, never a crash. */
      g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_SYNTAX,
                   "not JSON that json-glib reads: %s", local_error->message);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL)
    g_set_error_literal (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_EMPTY,
                         "the document is empty");
  return root;
}

char *
intake_json_read_file (const char *path, gsize max_bytes, gsize *length, GError **error)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GByteArray) buf = NULL;
  guint8 chunk[64 * 1024];

  g_return_val_if_fail (path != NULL, NULL);

  if (max_bytes == 0)
    {
      char *contents = NULL;

      if (!g_file_get_contents (path, &contents, length, error))
        return NULL;
      return contents;
    }
  /* Read in chunks, so that a huge file (or a device that never ends) is refused once past
   * the limit rather than read whole first. */
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return NULL;
  buf = g_byte_array_new ();
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), chunk, sizeof chunk, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (buf->len + (gsize) n > max_bytes)
        {
          g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE,
                       "%s is larger than %" G_GSIZE_FORMAT " bytes", path, max_bytes);
          return NULL;
        }
      g_byte_array_append (buf, chunk, (guint) n);
    }
  if (length != NULL)
    *length = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
}

JsonNode *
intake_json_load_file_untrusted (const char *path, const IntakeJsonLimits *limits, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  JsonNode *root;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = intake_json_read_file (path, limits != NULL ? limits->max_bytes : 0, &len, error);
  if (contents == NULL)
    return NULL;
  root = intake_json_parse_untrusted (contents, (gssize) len, limits, error);
  if (root == NULL)
    g_prefix_error (error, "%s: ", path);
  return root;
}
