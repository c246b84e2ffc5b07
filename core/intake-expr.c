/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-expr-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (intake-expr-error-quark, intake_expr_error)

struct _IntakeExpr
{
  char *source;
  Node *root;
  gboolean uses_dot;
};

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                      */

void
intake_value_clear (IntakeValue *value)
{
  g_clear_pointer (&value->string, g_free);
  value->kind = INTAKE_VALUE_STRING;
  value->number = 0.0;
  value->boolean = FALSE;
}

void
intake_value_set_string (IntakeValue *value, const char *string)
{
  intake_value_take_string (value, g_strdup (string));
}

void
intake_value_take_string (IntakeValue *value, char *string)
{
  intake_value_clear (value);
  value->kind = INTAKE_VALUE_STRING;
  value->string = string;
}

void
intake_value_set_number (IntakeValue *value, double number)
{
  intake_value_clear (value);
  value->kind = INTAKE_VALUE_NUMBER;
  value->number = number;
}

void
intake_value_set_boolean (IntakeValue *value, gboolean boolean)
{
  intake_value_clear (value);
  value->kind = INTAKE_VALUE_BOOLEAN;
  value->boolean = !!boolean;
}

void
intake_value_copy (const IntakeValue *src, IntakeValue *dest)
{
  intake_value_clear (dest);
  dest->kind = src->kind;
  dest->number = src->number;
  dest->boolean = src->boolean;
  dest->string = g_strdup (src->string);
}

gboolean
intake_value_equal (const IntakeValue *a, const IntakeValue *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case INTAKE_VALUE_STRING:
      return g_strcmp0 (a->string != NULL ? a->string : "", b->string != NULL ? b->string : "")
             == 0;
    case INTAKE_VALUE_NUMBER:
      /* Two NaNs are the same value here: nothing downstream would change. */
      return a->number == b->number || (isnan (a->number) && isnan (b->number));
    case INTAKE_VALUE_BOOLEAN:
      return a->boolean == b->boolean;
    default:
      return FALSE;
    }
}

gboolean
intake_value_is_empty (const IntakeValue *value)
{
  return value->kind == INTAKE_VALUE_STRING && (value->string == NULL || *value->string == '\0');
}

gboolean
intake_value_to_boolean (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return value->string != NULL && *value->string != '\0';
    case INTAKE_VALUE_NUMBER:
      return value->number != 0.0 && !isnan (value->number);
    case INTAKE_VALUE_BOOLEAN:
      return value->boolean;
    default:
      return FALSE;
    }
}

/*
 * XPath's number(): optional whitespace, an optional minus, digits with at most one point.
 * Anything else, including "inf", hex and exponents that strtod would take, is NaN.  As in ODK
 * Collect, a comma is read as a decimal point (some keyboards offer no other), and a date or
 * date-time is its number of days since 1970-01-01.
 */
double
_intake_expr_string_to_number (const char *s)
{
  const char *p = s;
  const char *start;
  gboolean digits = FALSE;
  gboolean point = FALSE;
  char copy[64];
  size_t length;
  double days;

  if (s == NULL)
    return NAN;
  while (g_ascii_isspace (*p))
    p++;
  start = p;
  if (*p == '-')
    p++;
  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if ((*p == '.' || *p == ',') && !point)
        point = TRUE;
      else
        break;
    }
  if (!digits)
    return NAN;
  length = p - start;
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    {
      /* Only a date's shape gets this far: digits, then '-' at the fifth character. */
      if (start[0] != '-' && p - start == 4 && *p == '-' && _intake_date_parse (start, &days))
        return days;
      return NAN;
    }
  if (length >= sizeof copy)
    {
      g_autofree char *long_copy = g_strndup (start, length);

      g_strdelimit (long_copy, ",", '.');
      return g_ascii_strtod (long_copy, NULL);
    }
  memcpy (copy, start, length);
  copy[length] = '\0';
  g_strdelimit (copy, ",", '.');
  return g_ascii_strtod (copy, NULL);
}

double
intake_value_to_number (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return _intake_expr_string_to_number (value->string);
    case INTAKE_VALUE_NUMBER:
      return value->number;
    case INTAKE_VALUE_BOOLEAN:
      return value->boolean ? 1.0 : 0.0;
    default:
      return NAN;
    }
}

char *
_intake_expr_number_to_string (double n)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (n))
    return g_strdup ("NaN");
  if (isinf (n))
    return g_strdup (n > 0 ? "Infinity" : "-Infinity");
  /* Whole numbers print without a point, as XPath prints them; 1e15 keeps them exact. */
  if (n == trunc (n) && fabs (n) < 1e15)
    return g_strdup_printf ("%.0f", n == 0.0 ? 0.0 : n);
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", n));
}

char *
intake_value_dup_string (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return g_strdup (value->string != NULL ? value->string : "");
    case INTAKE_VALUE_NUMBER:
      return _intake_expr_number_to_string (value->number);
    case INTAKE_VALUE_BOOLEAN:
      return g_strdup (value->boolean ? "true" : "false");
    default:
      return g_strdup ("");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Trees                                                                                       */

static void
node_free (Node *node)
{
  if (node == NULL)
    return;
  for (unsigned int i = 0; i < node->n_children; i++)
    node_free (node->children[i]);
  g_free (node->children);
  g_free (node->string);
  g_clear_pointer (&node->regex, g_regex_unref);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Node, node_free)

void
intake_expr_free (IntakeExpr *expr)
{
  if (expr == NULL)
    return;
  node_free (expr->root);
  g_free (expr->source);
  g_free (expr);
}

const char *
intake_expr_get_source (const IntakeExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);
  return expr->source;
}

static void
collect_references (const Node *node, GHashTable *names)
{
  if (node->kind == NODE_REF)
    g_hash_table_add (names, node->string);
  for (unsigned int i = 0; i < node->n_children; i++)
    collect_references (node->children[i], names);
}

void
intake_expr_collect_references (const IntakeExpr *expr, GHashTable *names)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (names != NULL);
  collect_references (expr->root, names);
}

static gboolean
reads_all (const Node *node, const char *name)
{
  for (unsigned int i = 0; i < node->n_children; i++)
    {
      const Node *child = node->children[i];

      if (child->kind == NODE_REF && strcmp (child->string, name) == 0)
        {
          if (node->kind != NODE_CALL || !_intake_expr_function_reads_all (node->function, i))
            return FALSE;
        }
      else if (!reads_all (child, name))
        {
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
intake_expr_reads_all (const IntakeExpr *expr, const char *name)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (expr->root->kind == NODE_REF)
    return strcmp (expr->root->string, name) != 0;
  return reads_all (expr->root, name);
}

gboolean
intake_expr_uses_dot (const IntakeExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  return expr->uses_dot;
}

/* ------------------------------------------------------------------------------------------ */
/* Lexer and parser                                                                            */

typedef enum
{
  TOKEN_END,
  TOKEN_NUMBER,
  TOKEN_STRING,
  TOKEN_REF,
  TOKEN_DOT,
  TOKEN_NAME,
  TOKEN_LPAREN,
  TOKEN_RPAREN,
  TOKEN_COMMA,
  TOKEN_EQ,
  TOKEN_NE,
  TOKEN_LT,
  TOKEN_LE,
  TOKEN_GT,
  TOKEN_GE,
  TOKEN_PLUS,
  TOKEN_MINUS,
  TOKEN_STAR,
  TOKEN_SLASH,
  TOKEN_DOTDOT,
} TokenKind;

typedef struct
{
  TokenKind kind;
  size_t start;  /* Byte offset of the token in the source. */
  size_t length; /* Bytes. */
  char *text;    /* The unquoted string, the reference's name or the bare name. */
  double number;
} Token;

typedef struct
{
  const char *source;
  size_t pos;
  Token token;
  IntakeExprParseFlags flags;
  unsigned int nesting;
  gboolean uses_dot;
  GError **error;
} Parser;

static long
column_of (const Parser *parser, size_t offset)
{
  /* Columns count characters from 1; the source was checked to be UTF-8 before we began. */
  return g_utf8_pointer_to_offset (parser->source, parser->source + offset) + 1;
}

G_GNUC_PRINTF (4, 5)
static void
parse_fail (Parser *parser, IntakeExprError code, size_t offset, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  /* The first failure wins; it is the one nearest the real mistake. */
  if (parser->error == NULL || *parser->error != NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (parser->error, INTAKE_EXPR_ERROR, code, "column %ld: %s",
               column_of (parser, offset), message);
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.';
}

static gboolean
next_token (Parser *parser)
{
  const char *s = parser->source;
  size_t p = parser->pos;
  Token *t = &parser->token;

  g_clear_pointer (&t->text, g_free);
  while (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')
    p++;
  t->start = p;
  t->number = 0.0;

  if (s[p] == '\0')
    {
      t->kind = TOKEN_END;
    }
  else if (g_ascii_isdigit (s[p]) || (s[p] == '.' && g_ascii_isdigit (s[p + 1])))
    {
      size_t start = p;
      g_autofree char *digits = NULL;

      while (g_ascii_isdigit (s[p]))
        p++;
      if (s[p] == '.')
        {
          p++;
          while (g_ascii_isdigit (s[p]))
            p++;
        }
      digits = g_strndup (s + start, p - start);
      t->kind = TOKEN_NUMBER;
      t->number = g_ascii_strtod (digits, NULL);
    }
  else if (s[p] == '\'' || s[p] == '"')
    {
      char quote = s[p];
      const char *end = strchr (s + p + 1, quote);

      /* XPath strings have no escapes: a quote ends the literal; use the other kind inside. */
      if (end == NULL)
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p, "unterminated string");
          return FALSE;
        }
      t->kind = TOKEN_STRING;
      t->text = g_strndup (s + p + 1, end - (s + p + 1));
      p = end - s + 1;
    }
  else if (s[p] == '$')
    {
      size_t name_start;

      if (s[p + 1] != '{' || !is_name_start (s[p + 2]))
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p,
                      "expected a reference such as ${name}");
          return FALSE;
        }
      name_start = p + 2;
      p = name_start;
      while (is_name_char (s[p]))
        p++;
      if (s[p] != '}')
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p, "expected '}' to close the reference");
          return FALSE;
        }
      t->kind = TOKEN_REF;
      t->text = g_strndup (s + name_start, p - name_start);
      p++;
    }
  else if (is_name_start (s[p]))
    {
      size_t start = p;

      /* A prefixed name (jr:choice-name) is one name; "::" is an XPath axis, not supported. */
      while (is_name_char (s[p]) || (s[p] == ':' && is_name_start (s[p + 1])))
        p++;
      if (s[p] == ':' && s[p + 1] == ':')
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p, "XPath axes (::) are not supported");
          return FALSE;
        }
      t->kind = TOKEN_NAME;
      t->text = g_strndup (s + start, p - start);
    }
  else
    {
      switch (s[p])
        {
        case '.':
          t->kind = s[p + 1] == '.' ? TOKEN_DOTDOT : TOKEN_DOT;
          p += s[p + 1] == '.' ? 2 : 1;
          break;
        case '/':
          if (s[p + 1] == '/')
            {
              parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p, "'//' paths are not supported");
              return FALSE;
            }
          t->kind = TOKEN_SLASH;
          p++;
          break;
        case '|':
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p,
                      "'|' (a union of node-sets) is not supported");
          return FALSE;
        case '[':
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p,
                      "predicates ('[…]' after a path) are not supported");
          return FALSE;
        case '@':
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p, "attributes ('@') are not supported");
          return FALSE;
        case '(': t->kind = TOKEN_LPAREN; p++; break;
        case ')': t->kind = TOKEN_RPAREN; p++; break;
        case ',': t->kind = TOKEN_COMMA; p++; break;
        case '=': t->kind = TOKEN_EQ; p++; break;
        case '+': t->kind = TOKEN_PLUS; p++; break;
        case '-': t->kind = TOKEN_MINUS; p++; break;
        case '*': t->kind = TOKEN_STAR; p++; break;
        case '!':
          if (s[p + 1] != '=')
            {
              parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p,
                          "unexpected '!'; use != or not()");
              return FALSE;
            }
          t->kind = TOKEN_NE;
          p += 2;
          break;
        case '<':
          t->kind = s[p + 1] == '=' ? TOKEN_LE : TOKEN_LT;
          p += s[p + 1] == '=' ? 2 : 1;
          break;
        case '>':
          t->kind = s[p + 1] == '=' ? TOKEN_GE : TOKEN_GT;
          p += s[p + 1] == '=' ? 2 : 1;
          break;
        default:
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, p, "unexpected character");
          return FALSE;
        }
    }
  t->length = p - t->start;
  parser->pos = p;
  return TRUE;
}

static gboolean
token_is_word (const Parser *parser, const char *word)
{
  return parser->token.kind == TOKEN_NAME && strcmp (parser->token.text, word) == 0;
}

static Node *
node_new (NodeKind kind, unsigned int n_children)
{
  Node *node = g_new0 (Node, 1);

  node->kind = kind;
  node->n_children = n_children;
  if (n_children > 0)
    node->children = g_new0 (Node *, n_children);
  node->depth = 1;
  return node;
}

/* Deep trees are refused so that evaluating and freeing them cannot exhaust the stack. */
static gboolean
node_set_depth (Parser *parser, Node *node, size_t offset)
{
  unsigned int depth = 0;

  for (unsigned int i = 0; i < node->n_children; i++)
    depth = MAX (depth, node->children[i]->depth);
  node->depth = depth + 1;
  if (node->depth > INTAKE_EXPR_MAX_DEPTH)
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_TOO_COMPLEX, offset,
                  "expression nested more than %d levels deep", INTAKE_EXPR_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static Node *parse_or (Parser *parser);

static Node *
make_binary (Parser *parser, Operator op, Node *left, Node *right, size_t offset)
{
  Node *node = node_new (NODE_BINARY, 2);

  node->op = op;
  node->children[0] = left;
  node->children[1] = right;
  if (!node_set_depth (parser, node, offset))
    {
      node_free (node);
      return NULL;
    }
  return node;
}

/*
 * The rest of a relative path, after its first step ("." "..", "current()") is consumed: each
 * further step is '/' and a name or "..".  A path ending in a name reads that question; one
 * ending in ".." is the parent node, which only position() uses.
 */
static Node *
parse_path_rest (Parser *parser, Node *first)
{
  g_autoptr(Node) node = first;

  while (parser->token.kind == TOKEN_SLASH)
    {
      if (!next_token (parser))
        return NULL;
      if (parser->token.kind == TOKEN_DOTDOT)
        {
          g_clear_pointer (&node, node_free);
          node = node_new (NODE_PARENT, 0);
        }
      else if (parser->token.kind == TOKEN_NAME
               && parser->source[parser->pos] != '(')
        {
          g_clear_pointer (&node, node_free);
          node = node_new (NODE_REF, 0);
          node->string = g_strdup (parser->token.text);
        }
      else
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, parser->token.start,
                      "expected a question's name or '..' after '/'");
          return NULL;
        }
      if (!next_token (parser))
        return NULL;
    }
  return g_steal_pointer (&node);
}

/* current(): the question the expression belongs to ("." by another name), or a path from it. */
static Node *
parse_current (Parser *parser)
{
  size_t offset = parser->token.start;

  if (!next_token (parser) || !next_token (parser)) /* The name and the '('. */
    return NULL;
  if (parser->token.kind != TOKEN_RPAREN)
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_ARITY, offset, "current() takes no arguments");
      return NULL;
    }
  if (!next_token (parser))
    return NULL;
  return parse_path_rest (parser, node_new (NODE_DOT, 0));
}

/* An absolute path, /data/group/name: the question called by its last step. */
static Node *
parse_absolute_path (Parser *parser)
{
  g_autofree char *last = NULL;

  while (parser->token.kind == TOKEN_SLASH)
    {
      size_t offset = parser->token.start;

      if (!next_token (parser))
        return NULL;
      if (parser->token.kind != TOKEN_NAME)
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, offset,
                      "expected a question's name after '/'");
          return NULL;
        }
      if (parser->source[parser->pos] == '(')
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, parser->token.start,
                      "'%s()' in a path is not supported", parser->token.text);
          return NULL;
        }
      g_free (last);
      last = g_strdup (parser->token.text);
      if (!next_token (parser))
        return NULL;
    }
  {
    Node *node = node_new (NODE_REF, 0);

    node->string = g_steal_pointer (&last);
    return node;
  }
}

static Node *
parse_call (Parser *parser)
{
  size_t offset = parser->token.start;
  const FunctionInfo *info = _intake_expr_lookup_function (
    parser->token.text, (parser->flags & INTAKE_EXPR_PARSE_SCORING) != 0);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  g_autoptr(Node) node = NULL;
  g_autoptr(GError) check_error = NULL;
  const char *name;
  unsigned int min_args, max_args;

  if (strcmp (parser->token.text, "current") == 0)
    return parse_current (parser);
  if (info == NULL && _intake_expr_function_is_unsupported (parser->token.text))
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION, offset,
                  "the function '%s' is not supported on the tablet", parser->token.text);
      return NULL;
    }
  if (info == NULL)
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION, offset, "unknown function '%s'",
                  parser->token.text);
      return NULL;
    }
  name = _intake_expr_function_name (info);
  _intake_expr_function_arity (info, &min_args, &max_args);
  if (!next_token (parser)) /* The name. */
    return NULL;
  if (!next_token (parser)) /* The '('. */
    return NULL;
  if (parser->token.kind != TOKEN_RPAREN)
    {
      for (;;)
        {
          Node *arg;

          if (args->len >= INTAKE_EXPR_MAX_ARGS)
            {
              parse_fail (parser, INTAKE_EXPR_ERROR_ARITY, parser->token.start,
                          "too many arguments");
              return NULL;
            }
          arg = parse_or (parser);
          if (arg == NULL)
            return NULL;
          g_ptr_array_add (args, arg);
          if (parser->token.kind == TOKEN_COMMA)
            {
              if (!next_token (parser))
                return NULL;
              continue;
            }
          if (parser->token.kind != TOKEN_RPAREN)
            {
              parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, parser->token.start,
                          "expected ',' or ')' in the arguments of %s()", name);
              return NULL;
            }
          break;
        }
    }
  if (!next_token (parser)) /* The ')'. */
    return NULL;

  if (args->len < min_args || args->len > max_args)
    {
      if (min_args == max_args)
        parse_fail (parser, INTAKE_EXPR_ERROR_ARITY, offset, "%s() takes %u argument%s, not %u",
                    name, min_args, min_args == 1 ? "" : "s", args->len);
      else
        parse_fail (parser, INTAKE_EXPR_ERROR_ARITY, offset,
                    "%s() takes %u to %u arguments, not %u", name, min_args, max_args, args->len);
      return NULL;
    }

  node = node_new (NODE_CALL, args->len);
  node->function = info;
  node->string = g_strdup (name);
  for (unsigned int i = 0; i < node->n_children; i++)
    node->children[i] = g_ptr_array_steal_index (args, 0);
  if (!node_set_depth (parser, node, offset))
    return NULL;
  if (!_intake_expr_function_check (node, &check_error))
    {
      parse_fail (parser, (IntakeExprError) check_error->code, offset, "%s",
                  check_error->message);
      return NULL;
    }
  return g_steal_pointer (&node);
}

static Node *
parse_primary (Parser *parser)
{
  Token *t = &parser->token;
  g_autoptr(Node) node = NULL;

  switch (t->kind)
    {
    case TOKEN_NUMBER:
      node = node_new (NODE_NUMBER, 0);
      node->number = t->number;
      break;
    case TOKEN_STRING:
      node = node_new (NODE_STRING, 0);
      node->string = g_strdup (t->text);
      break;
    case TOKEN_REF:
      node = node_new (NODE_REF, 0);
      node->string = g_strdup (t->text);
      break;
    case TOKEN_DOT:
      /* "./name" is a path from the question, which may be written anywhere. */
      if (parser->source[parser->pos] == '/')
        {
          if (!next_token (parser))
            return NULL;
          return parse_path_rest (parser, node_new (NODE_DOT, 0));
        }
      if (!(parser->flags & INTAKE_EXPR_PARSE_ALLOW_DOT))
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, t->start,
                      "'.' (this answer) is only allowed in a constraint");
          return NULL;
        }
      parser->uses_dot = TRUE;
      if (!next_token (parser))
        return NULL;
      return parse_path_rest (parser, node_new (NODE_DOT, 0));
    case TOKEN_DOTDOT:
      if (!next_token (parser))
        return NULL;
      return parse_path_rest (parser, node_new (NODE_PARENT, 0));
    case TOKEN_SLASH:
      return parse_absolute_path (parser);
    case TOKEN_NAME:
      {
        const char *rest = parser->source + parser->pos;

        while (*rest == ' ' || *rest == '\t')
          rest++;
        if (*rest != '(' && (parser->flags & INTAKE_EXPR_PARSE_CHOICE_FILTER))
          {
            node = node_new (NODE_CHOICE_COLUMN, 0);
            node->string = g_strdup (t->text);
            break;
          }
        if (*rest != '(')
          {
            parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, t->start,
                        "unexpected name '%s'; write a reference as ${%s}", t->text, t->text);
            return NULL;
          }
        return parse_call (parser);
      }
    case TOKEN_LPAREN:
      if (!next_token (parser))
        return NULL;
      node = parse_or (parser);
      if (node == NULL)
        return NULL;
      if (t->kind != TOKEN_RPAREN)
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, t->start, "expected ')'");
          return NULL;
        }
      break;
    case TOKEN_END:
      parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, t->start, "unexpected end of expression");
      return NULL;
    case TOKEN_RPAREN:
    case TOKEN_COMMA:
    case TOKEN_EQ:
    case TOKEN_NE:
    case TOKEN_LT:
    case TOKEN_LE:
    case TOKEN_GT:
    case TOKEN_GE:
    case TOKEN_PLUS:
    case TOKEN_MINUS:
    case TOKEN_STAR:
    default:
      parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, t->start, "expected a value, found '%.*s'",
                  (int) t->length, parser->source + t->start);
      return NULL;
    }
  if (!next_token (parser))
    return NULL;
  return g_steal_pointer (&node);
}

static Node *
parse_unary (Parser *parser)
{
  Node *result;

  /* Every path to deeper recursion passes here, so this is where nesting is bounded. */
  if (++parser->nesting > INTAKE_EXPR_MAX_DEPTH)
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_TOO_COMPLEX, parser->token.start,
                  "expression nested more than %d levels deep", INTAKE_EXPR_MAX_DEPTH);
      return NULL;
    }
  if (parser->token.kind == TOKEN_MINUS)
    {
      size_t offset = parser->token.start;
      g_autoptr(Node) operand = NULL;
      Node *node;

      if (!next_token (parser))
        return NULL;
      operand = parse_unary (parser);
      if (operand == NULL)
        return NULL;
      node = node_new (NODE_NEGATE, 1);
      node->children[0] = g_steal_pointer (&operand);
      if (!node_set_depth (parser, node, offset))
        {
          node_free (node);
          return NULL;
        }
      result = node;
    }
  else
    {
      result = parse_primary (parser);
    }
  parser->nesting--;
  return result;
}

typedef struct
{
  TokenKind token;
  const char *word;
  Operator op;
} OperatorToken;

/* One precedence level: operands from @next, joined left to right by the operators listed. */
static Node *
parse_level (Parser *parser, Node *(*next) (Parser *), const OperatorToken *ops, size_t n_ops)
{
  g_autoptr(Node) left = next (parser);

  if (left == NULL)
    return NULL;
  for (;;)
    {
      const OperatorToken *found = NULL;
      size_t offset = parser->token.start;
      Node *right;

      for (size_t i = 0; i < n_ops && found == NULL; i++)
        {
          if (ops[i].word != NULL ? token_is_word (parser, ops[i].word)
                                  : parser->token.kind == ops[i].token)
            found = &ops[i];
        }
      if (found == NULL)
        return g_steal_pointer (&left);
      if (!next_token (parser))
        return NULL;
      right = next (parser);
      if (right == NULL)
        return NULL;
      left = make_binary (parser, found->op, g_steal_pointer (&left), right, offset);
      if (left == NULL)
        return NULL;
    }
}

static Node *
parse_mul (Parser *parser)
{
  static const OperatorToken ops[] = {
    { TOKEN_STAR, NULL, OP_MUL },
    { TOKEN_NAME, "div", OP_DIV },
    { TOKEN_NAME, "mod", OP_MOD },
  };
  return parse_level (parser, parse_unary, ops, G_N_ELEMENTS (ops));
}

static Node *
parse_add (Parser *parser)
{
  static const OperatorToken ops[] = {
    { TOKEN_PLUS, NULL, OP_ADD },
    { TOKEN_MINUS, NULL, OP_SUB },
  };
  return parse_level (parser, parse_mul, ops, G_N_ELEMENTS (ops));
}

static Node *
parse_rel (Parser *parser)
{
  static const OperatorToken ops[] = {
    { TOKEN_LT, NULL, OP_LT },
    { TOKEN_LE, NULL, OP_LE },
    { TOKEN_GT, NULL, OP_GT },
    { TOKEN_GE, NULL, OP_GE },
  };
  return parse_level (parser, parse_add, ops, G_N_ELEMENTS (ops));
}

static Node *
parse_eq (Parser *parser)
{
  static const OperatorToken ops[] = {
    { TOKEN_EQ, NULL, OP_EQ },
    { TOKEN_NE, NULL, OP_NE },
  };
  return parse_level (parser, parse_rel, ops, G_N_ELEMENTS (ops));
}

static Node *
parse_and (Parser *parser)
{
  static const OperatorToken ops[] = { { TOKEN_NAME, "and", OP_AND } };
  return parse_level (parser, parse_eq, ops, G_N_ELEMENTS (ops));
}

static Node *
parse_or (Parser *parser)
{
  static const OperatorToken ops[] = { { TOKEN_NAME, "or", OP_OR } };
  return parse_level (parser, parse_and, ops, G_N_ELEMENTS (ops));
}

IntakeExpr *
intake_expr_parse (const char *source, IntakeExprParseFlags flags, GError **error)
{
  Parser parser = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Node) root = NULL;
  IntakeExpr *expr;
  size_t length;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  length = strlen (source);
  if (length > INTAKE_EXPR_MAX_LENGTH)
    {
      g_set_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_TOO_COMPLEX,
                   "column 1: expression longer than %d bytes", INTAKE_EXPR_MAX_LENGTH);
      return NULL;
    }
  if (!g_utf8_validate (source, length, NULL))
    {
      g_set_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_SYNTAX,
                   "column 1: expression is not valid UTF-8");
      return NULL;
    }

  parser.source = source;
  parser.flags = flags;
  parser.error = &local_error;
  if (next_token (&parser))
    {
      root = parse_or (&parser);
      if (root != NULL && parser.token.kind != TOKEN_END)
        {
          parse_fail (&parser, INTAKE_EXPR_ERROR_SYNTAX, parser.token.start,
                      "unexpected '%.*s' after the end of the expression",
                      (int) parser.token.length, source + parser.token.start);
          g_clear_pointer (&root, node_free);
        }
    }
  g_clear_pointer (&parser.token.text, g_free);

  if (root == NULL)
    {
      /* Every path that returns NULL has set an error; this keeps the contract if one forgot. */
      if (local_error == NULL)
        g_set_error (&local_error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_SYNTAX,
                     "column 1: malformed expression");
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  expr = g_new0 (IntakeExpr, 1);
  expr->source = g_strdup (source);
  expr->root = g_steal_pointer (&root);
  expr->uses_dot = parser.uses_dot;
  return expr;
}

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                  */

/* ODK Collect's tolerance: numbers this close are equal (JavaRosa's XPathEqExpr). */
#define EQUAL_TOLERANCE 1e-12

static gboolean
compare_values (Operator op, const IntakeValue *a, const IntakeValue *b)
{
  if (op == OP_EQ || op == OP_NE)
    {
      gboolean equal;

      if (a->kind == INTAKE_VALUE_BOOLEAN || b->kind == INTAKE_VALUE_BOOLEAN)
        {
          equal = intake_value_to_boolean (a) == intake_value_to_boolean (b);
        }
      else if (a->kind == INTAKE_VALUE_NUMBER || b->kind == INTAKE_VALUE_NUMBER)
        {
          double x = intake_value_to_number (a);
          double y = intake_value_to_number (b);

          equal = x == y || fabs (x - y) < EQUAL_TOLERANCE;
        }
      else
        {
          equal = g_strcmp0 (a->string != NULL ? a->string : "",
                             b->string != NULL ? b->string : "") == 0;
        }
      return op == OP_EQ ? equal : !equal;
    }
  else
    {
      /* Dates are numbers of days here, so they compare as dates; everything else as numbers. */
      double x = intake_value_to_number (a);
      double y = intake_value_to_number (b);

      if (isnan (x) || isnan (y))
        return FALSE;
      switch (op)
        {
        case OP_LT: return x < y;
        case OP_LE: return x <= y;
        case OP_GT: return x > y;
        case OP_GE: return x >= y;
        case OP_OR:
        case OP_AND:
        case OP_EQ:
        case OP_NE:
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
        default:
          return FALSE;
        }
    }
}

gboolean
_intake_expr_evaluate_boolean (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_expr_evaluate_node (node, context, &value);
  return intake_value_to_boolean (&value);
}

double
_intake_expr_evaluate_number (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_expr_evaluate_node (node, context, &value);
  return intake_value_to_number (&value);
}

char *
_intake_expr_evaluate_string (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_expr_evaluate_node (node, context, &value);
  return intake_value_dup_string (&value);
}

GArray *
_intake_expr_evaluate_all (const Node *node, const IntakeExprContext *context)
{
  GArray *values = g_array_new (FALSE, TRUE, sizeof (IntakeValue));

  g_array_set_clear_func (values, (GDestroyNotify) intake_value_clear);
  if (node->kind == NODE_REF && context->lookup_all != NULL)
    {
      context->lookup_all (node->string, values, context->user_data);
    }
  else
    {
      IntakeValue value = INTAKE_VALUE_INIT;

      _intake_expr_evaluate_node (node, context, &value);
      g_array_append_val (values, value);
    }
  return values;
}

/* XPath's x div 0 is an infinity or NaN; spelled out so no sanitizer sees a division by zero. */
static double
divide (double x, double y)
{
  if (y == 0.0)
    {
      if (isnan (x) || x == 0.0)
        return NAN;
      return (x > 0) == !signbit (y) ? INFINITY : -INFINITY;
    }
  return x / y;
}

void
_intake_expr_evaluate_node (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  switch (node->kind)
    {
    case NODE_NUMBER:
      intake_value_set_number (out, node->number);
      break;
    case NODE_STRING:
      intake_value_set_string (out, node->string);
      break;
    case NODE_REF:
    case NODE_DOT:
      intake_value_clear (out);
      if (context->lookup != NULL)
        context->lookup (node->kind == NODE_REF ? node->string : NULL, out, context->user_data);
      break;
    case NODE_PARENT:
      intake_value_clear (out);
      break;
    case NODE_CHOICE_COLUMN:
      intake_value_clear (out);
      if (context->choice_column != NULL)
        context->choice_column (node->string, out, context->user_data);
      break;
    case NODE_NEGATE:
      intake_value_set_number (out, -_intake_expr_evaluate_number (node->children[0],
                                                                    context));
      break;
    case NODE_CALL:
      _intake_expr_evaluate_call (node, context, out);
      break;
    case NODE_BINARY:
      switch (node->op)
        {
        case OP_OR:
          intake_value_set_boolean (
            out, _intake_expr_evaluate_boolean (node->children[0], context)
                   || _intake_expr_evaluate_boolean (node->children[1], context));
          break;
        case OP_AND:
          intake_value_set_boolean (
            out, _intake_expr_evaluate_boolean (node->children[0], context)
                   && _intake_expr_evaluate_boolean (node->children[1], context));
          break;
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
          {
            g_auto(IntakeValue) a = INTAKE_VALUE_INIT;
            g_auto(IntakeValue) b = INTAKE_VALUE_INIT;

            _intake_expr_evaluate_node (node->children[0], context, &a);
            _intake_expr_evaluate_node (node->children[1], context, &b);
            intake_value_set_boolean (out, compare_values (node->op, &a, &b));
            break;
          }
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
          {
            double x = _intake_expr_evaluate_number (node->children[0], context);
            double y = _intake_expr_evaluate_number (node->children[1], context);
            double r;

            switch (node->op)
              {
              case OP_ADD: r = x + y; break;
              case OP_SUB: r = x - y; break;
              case OP_MUL: r = x * y; break;
              case OP_DIV: r = divide (x, y); break;
              case OP_MOD: r = fmod (x, y); break;
              case OP_OR:
              case OP_AND:
              case OP_EQ:
              case OP_NE:
              case OP_LT:
              case OP_LE:
              case OP_GT:
              case OP_GE:
              default: r = NAN; break;
              }
            intake_value_set_number (out, r);
            break;
          }
        default:
          intake_value_clear (out);
          break;
        }
      break;
    default:
      intake_value_clear (out);
      break;
    }
}

void
intake_expr_evaluate (const IntakeExpr *expr, const IntakeExprContext *context, IntakeValue *out)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (out != NULL);

  _intake_expr_evaluate_node (expr->root, context, out);
}

gboolean
intake_expr_evaluate_boolean (const IntakeExpr *expr, const IntakeExprContext *context)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  return _intake_expr_evaluate_boolean (expr->root, context);
}
