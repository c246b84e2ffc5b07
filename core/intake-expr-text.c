/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Text helpers of the function library (intake-expr-functions.c): ODK's string functions on
 * UTF-8 characters, select_multiple lists, digest() and base64-decode(), and the random values
 * of random() and uuid(), drawn from the context's generator so that tests repeat.
 */
#include "intake-expr-private.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

char *
_intake_expr_normalize_space (const char *s)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* JavaRosa's substr(): 0-based start, exclusive end, negative positions count from the end. */
char *
_intake_expr_substr (const char *s, double start, double end)
{
  long length = g_utf8_strlen (s, -1);
  long from = isnan (start) ? 0 : (long) CLAMP (trunc (start), -length - 1, length + 1);
  long to = isnan (end) ? 0 : (long) CLAMP (trunc (end), -length - 1, length + 1);

  if (from < 0)
    from = MAX (0, length + from);
  if (to < 0)
    to = MAX (0, length + to);
  to = MIN (to, length);
  if (from >= to)
    return g_strdup ("");
  return g_utf8_substring (s, from, to);
}

char *
_intake_expr_translate (const char *s, const char *from, const char *to)
{
  GString *out = g_string_new (NULL);
  long to_length = g_utf8_strlen (to, -1);

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *found = g_utf8_strchr (from, -1, c);

      if (found == NULL)
        g_string_append_unichar (out, c);
      else
        {
          long index = g_utf8_pointer_to_offset (from, found);

          /* Mapped past the end of the replacements: XPath deletes the character. */
          if (index < to_length)
            g_string_append_unichar (out, g_utf8_get_char (g_utf8_offset_to_pointer (to, index)));
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
_intake_expr_list_contains (const char *list, const char *item)
{
  g_auto(GStrv) parts = NULL;

  if (item == NULL || *item == '\0')
    return FALSE;
  parts = g_strsplit_set (list, " ", -1);
  for (size_t i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], item) == 0)
      return TRUE;
  return FALSE;
}

/* The non-empty items of a select_multiple answer, in order. */
GPtrArray *
_intake_expr_list_items (const char *list)
{
  g_auto(GStrv) parts = g_strsplit_set (list, " ", -1);
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);

  for (size_t i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (items, g_strdup (parts[i]));
  return items;
}

/* The name in jr:choice-name()'s second argument: "${q}", "/data/q" or "q". */
char *
_intake_expr_question_name_of (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *slash;

  if (g_str_has_prefix (copy, "${") && g_str_has_suffix (copy, "}"))
    return g_strndup (copy + 2, strlen (copy) - 3);
  slash = strrchr (copy, '/');
  return g_strdup (slash != NULL ? slash + 1 : copy);
}

char *
_intake_expr_digest (const char *data, const char *algorithm, const char *encoding)
{
  guint8 buffer[crypto_hash_sha512_BYTES];
  size_t length = 0;
  GChecksumType type;
  gboolean use_checksum = TRUE;

  /* SHA-2 through libsodium, as every other hash here; MD5, SHA-1 and SHA-384 through GLib. */
  if (g_ascii_strcasecmp (algorithm, "SHA-256") == 0)
    {
      crypto_hash_sha256 (buffer, (const guint8 *) data, strlen (data));
      length = crypto_hash_sha256_BYTES;
      use_checksum = FALSE;
    }
  else if (g_ascii_strcasecmp (algorithm, "SHA-512") == 0)
    {
      crypto_hash_sha512 (buffer, (const guint8 *) data, strlen (data));
      length = crypto_hash_sha512_BYTES;
      use_checksum = FALSE;
    }
  else if (g_ascii_strcasecmp (algorithm, "MD5") == 0)
    type = G_CHECKSUM_MD5;
  else if (g_ascii_strcasecmp (algorithm, "SHA-1") == 0)
    type = G_CHECKSUM_SHA1;
  else if (g_ascii_strcasecmp (algorithm, "SHA-384") == 0)
    type = G_CHECKSUM_SHA384;
  else
    return g_strdup ("");

  if (use_checksum)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (type);
      gsize size = sizeof buffer;

      g_checksum_update (checksum, (const guchar *) data, (gssize) strlen (data));
      g_checksum_get_digest (checksum, buffer, &size);
      length = size;
    }
  if (g_ascii_strcasecmp (encoding, "hex") == 0)
    {
      GString *hex = g_string_new (NULL);

      for (size_t i = 0; i < length; i++)
        g_string_append_printf (hex, "%02x", buffer[i]);
      return g_string_free (hex, FALSE);
    }
  if (g_ascii_strcasecmp (encoding, "base64") == 0)
    return g_base64_encode (buffer, length);
  return g_strdup ("");
}

char *
_intake_expr_base64_decode (const char *text)
{
  gsize length = 0;
  g_autofree guchar *bytes = NULL;

  /* GLib's decoder skips what is not base64; the result must still be text. */
  bytes = g_base64_decode (text, &length);
  if (bytes == NULL || memchr (bytes, '\0', length) != NULL)
    return g_strdup ("");
  return g_utf8_make_valid ((const char *) bytes, (gssize) length);
}

double
_intake_expr_random_double (const IntakeExprContext *context)
{
  return context->rand != NULL ? g_rand_double (context->rand) : g_random_double ();
}

static guint32
random_int (const IntakeExprContext *context)
{
  return context->rand != NULL ? g_rand_int (context->rand) : g_random_int ();
}

/* A version 4 UUID (uuid()), or @length random letters and digits (uuid(n)). */
char *
_intake_expr_random_uuid (const IntakeExprContext *context, double length)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  GString *out = g_string_new (NULL);

  if (isnan (length))
    {
      guint8 bytes[16];

      for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8) (random_int (context) & 0xff);
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      for (size_t i = 0; i < sizeof bytes; i++)
        {
          if (i == 4 || i == 6 || i == 8 || i == 10)
            g_string_append_c (out, '-');
          g_string_append_printf (out, "%02x", bytes[i]);
        }
      return g_string_free (out, FALSE);
    }
  for (long i = 0; i < (long) CLAMP (length, 0, 1024); i++)
    g_string_append_c (out, alphabet[random_int (context) % (sizeof alphabet - 1)]);
  return g_string_free (out, FALSE);
}
