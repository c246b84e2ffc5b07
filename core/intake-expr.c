/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-expr.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (intake-expr-error-quark, intake_expr_error)

typedef enum
{
  NODE_NUMBER,
  NODE_STRING,
  NODE_REF,
  NODE_DOT,
  NODE_NEGATE,
  NODE_BINARY,
  NODE_CALL,
} NodeKind;

typedef enum
{
  OP_OR,
  OP_AND,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_MOD,
} Operator;

typedef enum
{
  FN_IF,
  FN_SELECTED,
  FN_COUNT_SELECTED,
  FN_STRING_LENGTH,
  FN_TODAY,
  FN_INT,
  FN_COALESCE,
  FN_REGEX,
  FN_NOT,
  FN_TRUE,
  FN_FALSE,
  FN_CONCAT,
  FN_NUMBER,
  FN_STRING,
  FN_SCORING,
} FunctionId;

typedef struct
{
  const char *name;
  FunctionId id;
  unsigned int min_args;
  unsigned int max_args;
  gboolean scoring_only;
} FunctionInfo;

/* Variadic functions stop at 16 arguments, which no real form needs. */
static const FunctionInfo functions[] = {
  { "if", FN_IF, 3, 3, FALSE },
  { "selected", FN_SELECTED, 2, 2, FALSE },
  { "count-selected", FN_COUNT_SELECTED, 1, 1, FALSE },
  { "string-length", FN_STRING_LENGTH, 1, 1, FALSE },
  { "today", FN_TODAY, 0, 0, FALSE },
  { "int", FN_INT, 1, 1, FALSE },
  { "coalesce", FN_COALESCE, 2, 16, FALSE },
  { "regex", FN_REGEX, 2, 2, FALSE },
  { "not", FN_NOT, 1, 1, FALSE },
  { "true", FN_TRUE, 0, 0, FALSE },
  { "false", FN_FALSE, 0, 0, FALSE },
  { "concat", FN_CONCAT, 1, 16, FALSE },
  { "number", FN_NUMBER, 1, 1, FALSE },
  { "string", FN_STRING, 1, 1, FALSE },
  { "dimension", FN_SCORING, 1, 1, TRUE },
  { "insufficient", FN_SCORING, 0, 1, TRUE },
  { "indicators", FN_SCORING, 0, 1, TRUE },
};

typedef struct _Node Node;

struct _Node
{
  NodeKind kind;
  Operator op;
  const FunctionInfo *function;
  double number;
  char *string; /* A literal, a referenced name. */
  GRegex *regex; /* regex() with a literal pattern, compiled once at parse time. */
  Node **children;
  unsigned int n_children;
  unsigned int depth;
};

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
 * Anything else, including "inf", hex and exponents that strtod would take, is NaN.
 */
static double
string_to_number (const char *s)
{
  const char *p = s;
  const char *start;
  gboolean digits = FALSE;
  gboolean point = FALSE;
  g_autofree char *copy = NULL;

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
      else if (*p == '.' && !point)
        point = TRUE;
      else
        break;
    }
  if (!digits)
    return NAN;
  copy = g_strndup (start, p - start);
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return NAN;
  return g_ascii_strtod (copy, NULL);
}

double
intake_value_to_number (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return string_to_number (value->string);
    case INTAKE_VALUE_NUMBER:
      return value->number;
    case INTAKE_VALUE_BOOLEAN:
      return value->boolean ? 1.0 : 0.0;
    default:
      return NAN;
    }
}

static char *
number_to_string (double n)
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
      return number_to_string (value->number);
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

      while (is_name_char (s[p]))
        p++;
      t->kind = TOKEN_NAME;
      t->text = g_strndup (s + start, p - start);
    }
  else
    {
      switch (s[p])
        {
        case '.': t->kind = TOKEN_DOT; p++; break;
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

static const FunctionInfo *
lookup_function (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (functions); i++)
    if (strcmp (functions[i].name, name) == 0)
      return &functions[i];
  return NULL;
}

static gboolean
check_regex_pattern (Parser *parser, Node *call, size_t offset)
{
  Node *pattern = call->children[1];
  g_autoptr(GError) local_error = NULL;

  if (pattern->kind != NODE_STRING)
    return TRUE;
  if (strlen (pattern->string) > INTAKE_EXPR_MAX_REGEX_PATTERN)
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_REGEX, offset,
                  "regex() pattern longer than %d bytes", INTAKE_EXPR_MAX_REGEX_PATTERN);
      return FALSE;
    }
  call->regex = g_regex_new (pattern->string, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT,
                             &local_error);
  if (call->regex == NULL)
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_REGEX, offset, "regex() pattern does not compile: %s",
                  local_error->message);
      return FALSE;
    }
  return TRUE;
}

static Node *
parse_call (Parser *parser)
{
  size_t offset = parser->token.start;
  const FunctionInfo *info = lookup_function (parser->token.text);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  g_autoptr(Node) node = NULL;

  if (info == NULL || (info->scoring_only && !(parser->flags & INTAKE_EXPR_PARSE_SCORING)))
    {
      parse_fail (parser, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION, offset, "unknown function '%s'",
                  parser->token.text);
      return NULL;
    }
  if (!next_token (parser)) /* The name. */
    return NULL;
  if (!next_token (parser)) /* The '('. */
    return NULL;
  if (parser->token.kind != TOKEN_RPAREN)
    {
      for (;;)
        {
          Node *arg;

          if (args->len >= 16)
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
                          "expected ',' or ')' in the arguments of %s()", info->name);
              return NULL;
            }
          break;
        }
    }
  if (!next_token (parser)) /* The ')'. */
    return NULL;

  if (args->len < info->min_args || args->len > info->max_args)
    {
      if (info->min_args == info->max_args)
        parse_fail (parser, INTAKE_EXPR_ERROR_ARITY, offset, "%s() takes %u argument%s, not %u",
                    info->name, info->min_args, info->min_args == 1 ? "" : "s", args->len);
      else
        parse_fail (parser, INTAKE_EXPR_ERROR_ARITY, offset,
                    "%s() takes %u to %u arguments, not %u", info->name, info->min_args,
                    info->max_args, args->len);
      return NULL;
    }

  node = node_new (NODE_CALL, args->len);
  node->function = info;
  node->string = g_strdup (info->name);
  for (unsigned int i = 0; i < node->n_children; i++)
    node->children[i] = g_ptr_array_steal_index (args, 0);
  if (!node_set_depth (parser, node, offset))
    return NULL;
  if (info->id == FN_REGEX && !check_regex_pattern (parser, node, offset))
    return NULL;
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
      if (!(parser->flags & INTAKE_EXPR_PARSE_ALLOW_DOT))
        {
          parse_fail (parser, INTAKE_EXPR_ERROR_SYNTAX, t->start,
                      "'.' (this answer) is only allowed in a constraint");
          return NULL;
        }
      parser->uses_dot = TRUE;
      node = node_new (NODE_DOT, 0);
      break;
    case TOKEN_NAME:
      {
        const char *rest = parser->source + parser->pos;

        while (*rest == ' ' || *rest == '\t')
          rest++;
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

static gboolean
is_date_string (const IntakeValue *v)
{
  const char *s = v->string;

  if (v->kind != INTAKE_VALUE_STRING || s == NULL || strlen (s) != 10)
    return FALSE;
  for (int i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (s[i]))
        {
          return FALSE;
        }
    }
  return TRUE;
}

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
          equal = intake_value_to_number (a) == intake_value_to_number (b);
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
      int order;

      /* Dates are compared as dates (XLSForm forms compare them), everything else as numbers. */
      if (is_date_string (a) && is_date_string (b))
        {
          order = strcmp (a->string, b->string);
        }
      else
        {
          double x = intake_value_to_number (a);
          double y = intake_value_to_number (b);

          if (isnan (x) || isnan (y))
            return FALSE;
          order = x < y ? -1 : x > y ? 1 : 0;
        }
      switch (op)
        {
        case OP_LT: return order < 0;
        case OP_LE: return order <= 0;
        case OP_GT: return order > 0;
        case OP_GE: return order >= 0;
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

static void evaluate_node (const Node *node, const IntakeExprContext *context, IntakeValue *out);

static gboolean
evaluate_boolean (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  evaluate_node (node, context, &value);
  return intake_value_to_boolean (&value);
}

static double
evaluate_number (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  evaluate_node (node, context, &value);
  return intake_value_to_number (&value);
}

static char *
evaluate_string (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  evaluate_node (node, context, &value);
  return intake_value_dup_string (&value);
}

static long
utf8_length (const char *s)
{
  /* Answers come from JSON and literals were validated, but a stray byte must not overrun. */
  if (!g_utf8_validate (s, -1, NULL))
    return (long) strlen (s);
  return g_utf8_strlen (s, -1);
}

static gboolean
regex_matches (const Node *node, const IntakeExprContext *context)
{
  g_autofree char *subject = evaluate_string (node->children[0], context);
  g_autoptr(GRegex) dynamic = NULL;
  g_autoptr(GError) local_error = NULL;
  GRegex *regex = node->regex;
  gboolean matched;

  /*
   * PCRE2 backtracks; a hostile pattern on a long subject could take very long.  Patterns are
   * bounded in length, subjects too, and PCRE2's own match limit (which GLib leaves at its
   * default) turns the remaining cases into an error, which counts as no match.
   */
  if (strlen (subject) > INTAKE_EXPR_MAX_REGEX_SUBJECT || !g_utf8_validate (subject, -1, NULL))
    return FALSE;
  if (regex == NULL)
    {
      g_autofree char *pattern = evaluate_string (node->children[1], context);

      if (strlen (pattern) > INTAKE_EXPR_MAX_REGEX_PATTERN)
        return FALSE;
      dynamic = g_regex_new (pattern, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, NULL);
      if (dynamic == NULL)
        return FALSE;
      regex = dynamic;
    }
  matched = g_regex_match_full (regex, subject, -1, 0, G_REGEX_MATCH_DEFAULT, NULL, &local_error);
  return matched && local_error == NULL;
}

static void
today_string (const IntakeExprContext *context, IntakeValue *out)
{
  g_autoptr(GDateTime) now = NULL;

  if (context->today != NULL)
    {
      intake_value_set_string (out, context->today);
      return;
    }
  now = g_date_time_new_now_local ();
  intake_value_take_string (out, g_date_time_format (now, "%Y-%m-%d"));
}

static gboolean
list_contains (const char *list, const char *item)
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

static double
count_list (const char *list)
{
  g_auto(GStrv) parts = g_strsplit_set (list, " ", -1);
  double n = 0;

  for (size_t i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      n++;
  return n;
}

static void
evaluate_call (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  switch (node->function->id)
    {
    case FN_IF:
      evaluate_node (node->children[evaluate_boolean (node->children[0], context) ? 1 : 2],
                     context, out);
      break;
    case FN_SELECTED:
      {
        g_autofree char *list = evaluate_string (node->children[0], context);
        g_autofree char *item = evaluate_string (node->children[1], context);

        g_strstrip (item);
        intake_value_set_boolean (out, list_contains (list, item));
        break;
      }
    case FN_COUNT_SELECTED:
      {
        g_autofree char *list = evaluate_string (node->children[0], context);

        intake_value_set_number (out, count_list (list));
        break;
      }
    case FN_STRING_LENGTH:
      {
        g_autofree char *s = evaluate_string (node->children[0], context);

        intake_value_set_number (out, (double) utf8_length (s));
        break;
      }
    case FN_TODAY:
      today_string (context, out);
      break;
    case FN_INT:
      /* trunc() keeps NaN and infinities as they are; a cast to an integer would be undefined. */
      intake_value_set_number (out, trunc (evaluate_number (node->children[0], context)));
      break;
    case FN_COALESCE:
      for (unsigned int i = 0; i < node->n_children; i++)
        {
          evaluate_node (node->children[i], context, out);
          if (!intake_value_is_empty (out))
            return;
        }
      intake_value_set_string (out, "");
      break;
    case FN_REGEX:
      intake_value_set_boolean (out, regex_matches (node, context));
      break;
    case FN_NOT:
      intake_value_set_boolean (out, !evaluate_boolean (node->children[0], context));
      break;
    case FN_TRUE:
      intake_value_set_boolean (out, TRUE);
      break;
    case FN_FALSE:
      intake_value_set_boolean (out, FALSE);
      break;
    case FN_CONCAT:
      {
        GString *s = g_string_new (NULL);

        for (unsigned int i = 0; i < node->n_children; i++)
          {
            g_autofree char *part = evaluate_string (node->children[i], context);

            g_string_append (s, part);
          }
        intake_value_take_string (out, g_string_free (s, FALSE));
        break;
      }
    case FN_NUMBER:
      intake_value_set_number (out, evaluate_number (node->children[0], context));
      break;
    case FN_STRING:
      intake_value_take_string (out, evaluate_string (node->children[0], context));
      break;
    case FN_SCORING:
      {
        IntakeValue args[1] = { INTAKE_VALUE_INIT };

        intake_value_clear (out);
        for (unsigned int i = 0; i < node->n_children && i < G_N_ELEMENTS (args); i++)
          evaluate_node (node->children[i], context, &args[i]);
        if (context->call != NULL)
          context->call (node->function->name, args, node->n_children, out, context->user_data);
        for (unsigned int i = 0; i < G_N_ELEMENTS (args); i++)
          intake_value_clear (&args[i]);
        break;
      }
    default:
      intake_value_clear (out);
      break;
    }
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

static void
evaluate_node (const Node *node, const IntakeExprContext *context, IntakeValue *out)
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
    case NODE_NEGATE:
      intake_value_set_number (out, -evaluate_number (node->children[0], context));
      break;
    case NODE_CALL:
      evaluate_call (node, context, out);
      break;
    case NODE_BINARY:
      switch (node->op)
        {
        case OP_OR:
          intake_value_set_boolean (out, evaluate_boolean (node->children[0], context)
                                           || evaluate_boolean (node->children[1], context));
          break;
        case OP_AND:
          intake_value_set_boolean (out, evaluate_boolean (node->children[0], context)
                                           && evaluate_boolean (node->children[1], context));
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

            evaluate_node (node->children[0], context, &a);
            evaluate_node (node->children[1], context, &b);
            intake_value_set_boolean (out, compare_values (node->op, &a, &b));
            break;
          }
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
          {
            double x = evaluate_number (node->children[0], context);
            double y = evaluate_number (node->children[1], context);
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

  evaluate_node (expr->root, context, out);
}

gboolean
intake_expr_evaluate_boolean (const IntakeExpr *expr, const IntakeExprContext *context)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  return evaluate_boolean (expr->root, context);
}
