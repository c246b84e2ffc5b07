/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-json.h"

#include <math.h>
#include <string.h>

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

gboolean
intake_json_nesting_within (const char *text, gsize length, int max_depth)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth--;
    }
  return TRUE;
}
