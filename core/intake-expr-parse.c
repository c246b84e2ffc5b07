/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The expression parser: a hand-written lexer and recursive-descent parser for the grammar in
 * intake-expr.h, bounded in length and depth, that says where parsing failed as a column.
 */
#include "intake-expr-private.h"

#include <string.h>

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
      _intake_expr_node_free (node);
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
          g_clear_pointer (&node, _intake_expr_node_free);
          node = node_new (NODE_PARENT, 0);
        }
      else if (parser->token.kind == TOKEN_NAME
               && parser->source[parser->pos] != '(')
        {
          g_clear_pointer (&node, _intake_expr_node_free);
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
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _intake_expr_node_free);
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
          _intake_expr_node_free (node);
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
          g_clear_pointer (&root, _intake_expr_node_free);
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
