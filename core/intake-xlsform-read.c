/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import, first half: the workbook read into sheets of rows of cells.  An .xlsx is a zip
 * of XML parts: libgsf opens the zip, libxml2 parses each part, and every part is read with a
 * bound on its uncompressed size.  The .csv and .md shapes are pyxform's: a row whose first cell
 * is not empty names a sheet, the rows under it (first cell empty) are that sheet's rows.
 */

#include "intake-xlsform-private.h"

#include <gsf/gsf.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <string.h>

/* The converter's error domain lives in its lowest file: the reader raises it too. */
G_DEFINE_QUARK (intake-xlsform-error-quark, intake_xlsform_error)

/* ------------------------------------------------------------------------------------------ */
/* Sheets                                                                                      */

static void
row_free (Row *row)
{
  for (unsigned int i = 0; i < row->cells->len; i++)
    g_free (g_array_index (row->cells, Cell, i).text);
  g_array_unref (row->cells);
  g_free (row);
}

void
_intake_xlsform_sheet_free (Sheet *sheet)
{
  g_free (sheet->name);
  g_ptr_array_unref (sheet->rows);
  g_free (sheet->formula);
  g_free (sheet);
}

static Sheet *
sheet_new (const char *name)
{
  Sheet *sheet = g_new0 (Sheet, 1);

  sheet->name = g_strdup (name);
  sheet->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  return sheet;
}

static Row *
row_new (unsigned int number)
{
  Row *row = g_new0 (Row, 1);

  row->number = number;
  row->cells = g_array_new (FALSE, FALSE, sizeof (Cell));
  return row;
}

/* "A", …, "Z", "AA", … for a 0-based column. */
char *
_intake_xlsform_column_letters (unsigned int col)
{
  char buffer[8];
  int n = 0;
  char *out;

  col++;
  while (col > 0 && n < 7)
    {
      buffer[n++] = (char) ('A' + (col - 1) % 26);
      col = (col - 1) / 26;
    }
  out = g_malloc (n + 1);
  for (int i = 0; i < n; i++)
    out[i] = buffer[n - 1 - i];
  out[n] = '\0';
  return out;
}

/* Adds a cell, trimmed; empty cells are not kept.  Counts it against the workbook's limits. */
static gboolean
row_add (Workbook *book, Sheet *sheet, Row *row, unsigned int col, const char *text,
         GError **error)
{
  g_autofree char *copy = NULL;
  Cell cell;

  if (text == NULL)
    return TRUE;
  if (strlen (text) > INTAKE_XLSFORM_MAX_CELL_BYTES)
    {
      g_autofree char *letters = _intake_xlsform_column_letters (col);

      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                   "%s %s %u, cell %s%u: more than %d bytes in one cell", sheet->name,
                   book->row_word, row->number, letters, row->number,
                   INTAKE_XLSFORM_MAX_CELL_BYTES);
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "%s %s %u: the text is not UTF-8", sheet->name, book->row_word, row->number);
      return FALSE;
    }
  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    return TRUE;
  if (++book->n_cells > INTAKE_XLSFORM_MAX_CELLS)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                   "more than %d cells: this is not a form this system can take",
                   INTAKE_XLSFORM_MAX_CELLS);
      return FALSE;
    }
  cell.col = col;
  cell.text = g_steal_pointer (&copy);
  g_array_append_val (row->cells, cell);
  return TRUE;
}

const char *
_intake_xlsform_row_get (const Row *row, unsigned int col)
{
  for (unsigned int i = 0; i < row->cells->len; i++)
    if (g_array_index (row->cells, Cell, i).col == col)
      return g_array_index (row->cells, Cell, i).text;
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* .xlsx: libgsf for the zip, libxml2 for the parts                                            */

typedef struct
{
  GsfInfile *zip;
  gsize total;
} Xlsx;

/* Reads one part of the zip, bounded while reading.  NULL with no error: the part is absent. */
static GBytes *
xlsx_read_part (Xlsx *x, const char *path, GError **error)
{
  g_auto(GStrv) names = g_strsplit (path, "/", 0);
  GsfInput *child;
  GByteArray *buffer;
  gsf_off_t size;

  for (unsigned int i = 0; names[i] != NULL; i++)
    if (names[i][0] == '\0' || strcmp (names[i], "..") == 0)
      {
        g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                     "not an .xlsx workbook: a part is named '%s'", path);
        return NULL;
      }
  child = gsf_infile_child_by_aname (x->zip, (const char **) names);
  if (child == NULL)
    return NULL;
  size = gsf_input_size (child);
  if (size < 0 || size > INTAKE_XLSFORM_MAX_PART_BYTES
      || x->total + (gsize) size > INTAKE_XLSFORM_MAX_TOTAL_BYTES)
    {
      g_object_unref (child);
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                   "'%s' unpacks to more than %d MB: refused (a form is far smaller; this may be "
                   "a zip bomb)", path,
                   (size > INTAKE_XLSFORM_MAX_PART_BYTES ? INTAKE_XLSFORM_MAX_PART_BYTES
                                                         : INTAKE_XLSFORM_MAX_TOTAL_BYTES)
                     / (1024 * 1024));
      return NULL;
    }
  buffer = g_byte_array_new ();
  /* The zip's size field bounds what gsf inflates: a part cannot grow past it while read. */
  while (gsf_input_remaining (child) > 0)
    {
      gsf_off_t remaining = gsf_input_remaining (child);
      size_t chunk = remaining > 65536 ? 65536 : (size_t) remaining;
      const guint8 *data = gsf_input_read (child, chunk, NULL);

      if (data == NULL || buffer->len + chunk > INTAKE_XLSFORM_MAX_PART_BYTES)
        {
          g_byte_array_unref (buffer);
          g_object_unref (child);
          g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                       "not an .xlsx workbook: '%s' cannot be unpacked", path);
          return NULL;
        }
      g_byte_array_append (buffer, data, (guint) chunk);
    }
  g_object_unref (child);
  x->total += buffer->len;
  return g_byte_array_free_to_bytes (buffer);
}

/* Parses a part; no network, no DTD (a DTD has no place in a workbook, and refusing it keeps
 * entity expansion out). */
static xmlDoc *
xlsx_parse_part (Xlsx *x, const char *path, gboolean required, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  xmlDoc *doc;
  gsize length;
  const char *data;

  bytes = xlsx_read_part (x, path, &local_error);
  if (bytes == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (required)
        g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                     "not an .xlsx workbook: it has no '%s'", path);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &length);
  /* The workbook and its relationships are read whole (a tree): they are small in any real
   * workbook, and a tree of millions of tiny elements would cost far more than its bytes. */
  if (length > INTAKE_XLSFORM_MAX_INDEX_BYTES)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                   "'%s' is larger than %d MB: not a workbook this system reads", path,
                   INTAKE_XLSFORM_MAX_INDEX_BYTES / (1024 * 1024));
      return NULL;
    }
  doc = xmlReadMemory (data, (int) length, path, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL || doc->intSubset != NULL || xmlDocGetRootElement (doc) == NULL)
    {
      if (doc != NULL)
        xmlFreeDoc (doc);
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "not an .xlsx workbook: '%s' is not well-formed XML", path);
      return NULL;
    }
  return doc;
}

gboolean
_intake_xlsform_is_element (xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, name) == 0;
}

static char *
get_attr (xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

/* The r:id attribute, whatever prefix the relationships namespace has. */
static char *
get_rel_id (xmlNode *node)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    if (strcmp ((const char *) attr->name, "id") == 0 && attr->ns != NULL)
      {
        xmlChar *value = xmlNodeGetContent ((xmlNode *) attr);
        char *copy = g_strdup ((const char *) value);

        xmlFree (value);
        return copy;
      }
  return NULL;
}

/* Resolves a relationship's target against the folder of the part that names it. */
static char *
resolve_target (const char *base_dir, const char *target)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  g_autofree char *joined = NULL;

  if (target[0] == '/')
    joined = g_strdup (target + 1);
  else
    joined = *base_dir != '\0' ? g_strconcat (base_dir, "/", target, NULL) : g_strdup (target);
  parts = g_strsplit (joined, "/", 0);
  for (unsigned int i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          if (out->len > 0)
            g_ptr_array_remove_index (out, out->len - 1);
          continue;
        }
      g_ptr_array_add (out, parts[i]);
    }
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("/", (char **) out->pdata);
}

/* Relationship id → target, from a .rels part. */
static GHashTable *
read_rels (Xlsx *x, const char *path, const char *base_dir, char **office_document,
           char **shared_strings, GError **error)
{
  g_autoptr(GHashTable) rels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) local_error = NULL;
  xmlDoc *doc = xlsx_parse_part (x, path, FALSE, &local_error);

  if (doc == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return g_steal_pointer (&rels);
    }
  for (xmlNode *node = xmlDocGetRootElement (doc)->children; node != NULL; node = node->next)
    {
      g_autofree char *id = NULL, *target = NULL, *type = NULL;

      if (!_intake_xlsform_is_element (node, "Relationship"))
        continue;
      id = get_attr (node, "Id");
      target = get_attr (node, "Target");
      type = get_attr (node, "Type");
      if (id == NULL || target == NULL)
        continue;
      if (type != NULL && office_document != NULL && *office_document == NULL
          && g_str_has_suffix (type, "/officeDocument"))
        *office_document = resolve_target (base_dir, target);
      if (type != NULL && shared_strings != NULL && *shared_strings == NULL
          && g_str_has_suffix (type, "/sharedStrings"))
        *shared_strings = resolve_target (base_dir, target);
      g_hash_table_insert (rels, g_steal_pointer (&id), resolve_target (base_dir, target));
    }
  xmlFreeDoc (doc);
  return g_steal_pointer (&rels);
}

/* "B14" → column 1; FALSE when it is not a cell reference. */
static gboolean
parse_cell_ref (const char *ref, unsigned int *col)
{
  unsigned int value = 0;
  const char *p = ref;

  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalpha (*p))
    {
      value = value * 26 + (unsigned int) (g_ascii_toupper (*p) - 'A' + 1);
      if (value > 16384) /* XFD, the last column a workbook has. */
        return FALSE;
      p++;
    }
  *col = value - 1;
  return TRUE;
}

/*
 * The shared strings and the sheets are read with libxml2's streaming reader, so that memory
 * follows the cells kept, not the size of the XML: a part of millions of empty elements costs
 * no more than reading it.
 */
static xmlTextReaderPtr
xlsx_open_reader (Xlsx *x, const char *path, gboolean required, GBytes **bytes, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize length;
  const char *data;

  *bytes = xlsx_read_part (x, path, &local_error);
  if (*bytes == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (required)
        g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                     "not an .xlsx workbook: it has no '%s'", path);
      return NULL;
    }
  data = g_bytes_get_data (*bytes, &length);
  return xmlReaderForMemory (data, (int) length, path, NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Steps the reader; FALSE at the end (*ok TRUE) or on malformed XML or a DTD (*ok FALSE). */
static gboolean
reader_next (xmlTextReaderPtr reader, gboolean *ok)
{
  int status = xmlTextReaderRead (reader);

  *ok = status >= 0;
  if (status == 1 && xmlTextReaderNodeType (reader) == XML_READER_TYPE_DOCUMENT_TYPE)
    {
      *ok = FALSE;
      return FALSE;
    }
  return status == 1;
}

static gboolean
reader_is (xmlTextReaderPtr reader, int type, const char *name)
{
  const xmlChar *local = xmlTextReaderConstLocalName (reader);

  return xmlTextReaderNodeType (reader) == type && local != NULL
         && strcmp ((const char *) local, name) == 0;
}

static gboolean
reader_is_text (xmlTextReaderPtr reader)
{
  int type = xmlTextReaderNodeType (reader);

  return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA
         || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE
         || type == XML_READER_TYPE_WHITESPACE;
}

/* Appends text, up to just past what a cell may hold (row_add refuses longer). */
static void
append_bounded (GString *out, const xmlChar *text)
{
  if (text != NULL && out->len <= INTAKE_XLSFORM_MAX_CELL_BYTES)
    g_string_append (out, (const char *) text);
}

static char *
reader_attr (xmlTextReaderPtr reader, const char *name)
{
  xmlChar *value = xmlTextReaderGetAttribute (reader, (const xmlChar *) name);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

static GPtrArray *
read_shared_strings (Xlsx *x, const char *path, GError **error)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  xmlTextReaderPtr reader;
  gboolean in_si = FALSE, in_t = FALSE, ok = TRUE;
  int in_rph = 0;

  if (path == NULL)
    return g_steal_pointer (&strings);
  reader = xlsx_open_reader (x, path, FALSE, &bytes, error);
  if (reader == NULL)
    return bytes == NULL && error != NULL && *error != NULL ? NULL : g_steal_pointer (&strings);
  while (reader_next (reader, &ok))
    {
      gboolean empty = xmlTextReaderIsEmptyElement (reader) == 1;

      if (reader_is (reader, XML_READER_TYPE_ELEMENT, "si"))
        {
          g_string_truncate (text, 0);
          in_si = !empty;
          if (empty)
            g_ptr_array_add (strings, g_strdup (""));
        }
      else if (reader_is (reader, XML_READER_TYPE_END_ELEMENT, "si") && in_si)
        {
          g_ptr_array_add (strings, g_strdup (text->str));
          in_si = FALSE;
        }
      /* Phonetic runs (<rPh>) are a reading aid, not the text. */
      else if (reader_is (reader, XML_READER_TYPE_ELEMENT, "rPh") && !empty)
        in_rph++;
      else if (reader_is (reader, XML_READER_TYPE_END_ELEMENT, "rPh") && in_rph > 0)
        in_rph--;
      else if (reader_is (reader, XML_READER_TYPE_ELEMENT, "t"))
        in_t = in_si && in_rph == 0 && !empty;
      else if (reader_is (reader, XML_READER_TYPE_END_ELEMENT, "t"))
        in_t = FALSE;
      else if (in_t && reader_is_text (reader))
        append_bounded (text, xmlTextReaderConstValue (reader));
    }
  xmlFreeTextReader (reader);
  if (!ok)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "not an .xlsx workbook: '%s' is not well-formed XML", path);
      return NULL;
    }
  return g_steal_pointer (&strings);
}

typedef struct
{
  Row *row;
  unsigned int next_row;
  unsigned int col, next_col;
  char *type;
  gboolean in_v, in_f, in_is, in_t, has_formula;
  int in_rph;
  GString *v, *f, *t;
} SheetReader;

/* A cell's value from what its <c> held, added to the row; a formula is remembered instead. */
static gboolean
finish_cell (SheetReader *sr, Workbook *book, Sheet *sheet, GPtrArray *sst, GError **error)
{
  const char *name = sheet->name;
  unsigned int number = sr->row->number;
  g_autoptr(GString) text = g_string_new (NULL);

  if (sr->has_formula)
    {
      if (sheet->formula == NULL)
        {
          g_autofree char *valid = g_utf8_make_valid (sr->f->str, -1);

          /* Enough of the formula to recognise it. */
          sheet->formula = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), 80));
          sheet->formula_row = number;
          sheet->formula_col = sr->col;
        }
      return TRUE;
    }
  if (g_strcmp0 (sr->type, "inlineStr") == 0)
    g_string_append (text, sr->t->str);
  else if (g_strcmp0 (sr->type, "s") == 0 && sr->v->len > 0)
    {
      guint64 index = 0;

      if (!g_ascii_string_to_unsigned (g_strstrip (sr->v->str), 10, 0, G_MAXUINT, &index, NULL)
          || index >= sst->len)
        {
          g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                       "%s row %u: a cell names a shared string that is not there", name,
                       number);
          return FALSE;
        }
      g_string_append (text, sst->pdata[index]);
    }
  else if (g_strcmp0 (sr->type, "b") == 0 && sr->v->len > 0)
    g_string_append (text, strcmp (g_strstrip (sr->v->str), "1") == 0 ? "true" : "false");
  else if (g_strcmp0 (sr->type, "e") == 0)
    {
      g_autofree char *letters = _intake_xlsform_column_letters (sr->col);
      g_autofree char *shown = g_utf8_make_valid (sr->v->str, MIN (sr->v->len, 40));

      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_INVALID,
                   "%s row %u, cell %s%u: the cell holds an error value (%s)", name, number,
                   letters, number, shown);
      return FALSE;
    }
  else
    g_string_append (text, sr->v->str);
  return row_add (book, sheet, sr->row, sr->col, text->str, error);
}

static gboolean
read_sheet (Xlsx *x, Workbook *book, const char *name, const char *path, GPtrArray *sst,
            GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  xmlTextReaderPtr reader = xlsx_open_reader (x, path, TRUE, &bytes, error);
  SheetReader sr = { NULL, 1, 0, 0, NULL, FALSE, FALSE, FALSE, FALSE, FALSE, 0,
                     g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
  Sheet *sheet;
  gboolean ok = TRUE, well_formed = TRUE, in_cell = FALSE;

  if (reader == NULL)
    {
      g_string_free (sr.v, TRUE);
      g_string_free (sr.f, TRUE);
      g_string_free (sr.t, TRUE);
      return FALSE;
    }
  sheet = sheet_new (name);
  g_ptr_array_add (book->sheets, sheet);
  while (ok && reader_next (reader, &well_formed))
    {
      gboolean empty = xmlTextReaderIsEmptyElement (reader) == 1;

      if (reader_is (reader, XML_READER_TYPE_ELEMENT, "row"))
        {
          g_autofree char *r = reader_attr (reader, "r");
          unsigned int number = sr.next_row;

          if (r != NULL)
            {
              guint64 parsed = 0;

              if (!g_ascii_string_to_unsigned (r, 10, 1, 1048576, &parsed, NULL))
                {
                  g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                               "%s: a row is numbered '%s'", name, r);
                  ok = FALSE;
                  break;
                }
              number = (unsigned int) parsed;
            }
          sr.next_row = number + 1;
          sr.next_col = 0;
          sr.row = row_new (number);
          g_ptr_array_add (sheet->rows, sr.row);
          if (empty)
            sr.row = NULL;
        }
      else if (reader_is (reader, XML_READER_TYPE_END_ELEMENT, "row"))
        {
          sr.row = NULL;
        }
      else if (reader_is (reader, XML_READER_TYPE_ELEMENT, "c") && sr.row != NULL)
        {
          g_autofree char *ref = reader_attr (reader, "r");

          sr.col = sr.next_col;
          if (ref != NULL && !parse_cell_ref (ref, &sr.col))
            {
              g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                           "%s row %u: a cell is named '%s'", name, sr.row->number, ref);
              ok = FALSE;
              break;
            }
          sr.next_col = sr.col + 1;
          g_free (sr.type);
          sr.type = reader_attr (reader, "t");
          sr.has_formula = sr.in_v = sr.in_f = sr.in_is = sr.in_t = FALSE;
          sr.in_rph = 0;
          g_string_truncate (sr.v, 0);
          g_string_truncate (sr.f, 0);
          g_string_truncate (sr.t, 0);
          in_cell = !empty;
          if (empty)
            ok = finish_cell (&sr, book, sheet, sst, error);
        }
      else if (reader_is (reader, XML_READER_TYPE_END_ELEMENT, "c") && in_cell)
        {
          in_cell = FALSE;
          ok = finish_cell (&sr, book, sheet, sst, error);
        }
      else if (!in_cell)
        {
          continue;
        }
      else if (xmlTextReaderNodeType (reader) == XML_READER_TYPE_ELEMENT)
        {
          const char *local = (const char *) xmlTextReaderConstLocalName (reader);

          if (strcmp (local, "f") == 0)
            sr.has_formula = TRUE, sr.in_f = !empty;
          else if (strcmp (local, "v") == 0)
            sr.in_v = !empty;
          else if (strcmp (local, "is") == 0)
            sr.in_is = !empty;
          else if (strcmp (local, "rPh") == 0 && !empty)
            sr.in_rph++;
          else if (strcmp (local, "t") == 0)
            sr.in_t = sr.in_is && sr.in_rph == 0 && !empty;
        }
      else if (xmlTextReaderNodeType (reader) == XML_READER_TYPE_END_ELEMENT)
        {
          const char *local = (const char *) xmlTextReaderConstLocalName (reader);

          if (strcmp (local, "f") == 0)
            sr.in_f = FALSE;
          else if (strcmp (local, "v") == 0)
            sr.in_v = FALSE;
          else if (strcmp (local, "is") == 0)
            sr.in_is = FALSE;
          else if (strcmp (local, "rPh") == 0 && sr.in_rph > 0)
            sr.in_rph--;
          else if (strcmp (local, "t") == 0)
            sr.in_t = FALSE;
        }
      else if (reader_is_text (reader))
        {
          const xmlChar *value = xmlTextReaderConstValue (reader);

          if (sr.in_f)
            append_bounded (sr.f, value);
          else if (sr.in_v)
            append_bounded (sr.v, value);
          else if (sr.in_t)
            append_bounded (sr.t, value);
        }
    }
  if (ok && !well_formed)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "not an .xlsx workbook: '%s' is not well-formed XML", path);
      ok = FALSE;
    }
  xmlFreeTextReader (reader);
  g_free (sr.type);
  g_string_free (sr.v, TRUE);
  g_string_free (sr.f, TRUE);
  g_string_free (sr.t, TRUE);
  return ok;
}

gboolean
_intake_xlsform_read_xlsx (const char *data, gsize length, Workbook *book, GError **error)
{
  static const char *const wanted[] = { "survey", "choices", "settings", "scoring", NULL };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) root_rels = NULL, rels = NULL;
  g_autoptr(GPtrArray) sst = NULL;
  g_autofree char *workbook_path = NULL, *sst_path = NULL, *workbook_dir = NULL;
  g_autofree char *workbook_rels = NULL;
  GsfInput *input;
  Xlsx x = { NULL, 0 };
  xmlDoc *doc = NULL;
  gboolean ok = FALSE;

  if (length > INTAKE_XLSFORM_MAX_FILE_BYTES)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                   "the file is larger than %d MB", INTAKE_XLSFORM_MAX_FILE_BYTES / (1024 * 1024));
      return FALSE;
    }
  input = gsf_input_memory_new ((const guint8 *) data, (gsf_off_t) length, FALSE);
  x.zip = gsf_infile_zip_new (input, &local_error);
  g_object_unref (input);
  if (x.zip == NULL)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "not an .xlsx workbook: the file is not a zip archive");
      return FALSE;
    }

  root_rels = read_rels (&x, "_rels/.rels", "", &workbook_path, NULL, error);
  if (root_rels == NULL)
    goto out;
  if (workbook_path == NULL)
    workbook_path = g_strdup ("xl/workbook.xml");
  workbook_dir = g_path_get_dirname (workbook_path);
  if (strcmp (workbook_dir, ".") == 0)
    {
      g_free (workbook_dir);
      workbook_dir = g_strdup ("");
    }
  workbook_rels = *workbook_dir != '\0'
                    ? g_strdup_printf ("%s/_rels/%s.rels", workbook_dir,
                                       workbook_path + strlen (workbook_dir) + 1)
                    : g_strdup_printf ("_rels/%s.rels", workbook_path);
  doc = xlsx_parse_part (&x, workbook_path, TRUE, error);
  if (doc == NULL)
    goto out;
  rels = read_rels (&x, workbook_rels, workbook_dir, NULL, &sst_path, error);
  if (rels == NULL)
    goto out;
  sst = read_shared_strings (&x, sst_path, error);
  if (sst == NULL)
    goto out;

  book->row_word = "row";
  for (xmlNode *sheets = xmlDocGetRootElement (doc)->children; sheets != NULL;
       sheets = sheets->next)
    {
      unsigned int n = 0;

      if (!_intake_xlsform_is_element (sheets, "sheets"))
        continue;
      for (xmlNode *node = sheets->children; node != NULL; node = node->next)
        {
          g_autofree char *name = NULL, *id = NULL, *folded = NULL;
          const char *target;

          if (!_intake_xlsform_is_element (node, "sheet"))
            continue;
          if (++n > INTAKE_XLSFORM_MAX_SHEETS)
            {
              g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                           "more than %d sheets", INTAKE_XLSFORM_MAX_SHEETS);
              goto out;
            }
          name = get_attr (node, "name");
          id = get_rel_id (node);
          if (name == NULL || id == NULL)
            continue;
          /* Only the sheets an XLSForm is made of are read; a sheet of notes is not. */
          folded = g_utf8_strdown (g_strstrip (name), -1);
          if (!g_strv_contains (wanted, folded))
            continue;
          target = g_hash_table_lookup (rels, id);
          if (target == NULL)
            {
              g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                           "not an .xlsx workbook: the sheet '%s' has no part", name);
              goto out;
            }
          if (!read_sheet (&x, book, folded, target, sst, error))
            goto out;
        }
    }
  ok = TRUE;

out:
  if (doc != NULL)
    xmlFreeDoc (doc);
  g_object_unref (x.zip);
  return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* .csv and .md in pyxform's shapes                                                            */

/* Splits CSV text (RFC 4180: commas, double quotes, "" inside quotes, CRLF or LF) into records.
 * CSV has no library in our stack; this is the whole grammar. */
GPtrArray *
_intake_xlsform_split_csv (const char *text, gsize length, GArray *line_numbers)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *record = NULL;
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE, in_record = FALSE;
  unsigned int line = 1, record_line = 1;
  gsize i = 0;

  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  for (; i <= length; i++)
    {
      char c = i < length ? text[i] : '\n';
      gboolean at_end = i == length;

      if (!in_record)
        {
          if (at_end)
            break;
          record = g_ptr_array_new_with_free_func (g_free);
          in_record = TRUE;
          record_line = line;
        }
      if (quoted && !at_end)
        {
          if (c == '"' && i + 1 < length && text[i + 1] == '"')
            {
              g_string_append_c (field, '"');
              i++;
            }
          else if (c == '"')
            {
              quoted = FALSE;
            }
          else
            {
              if (c == '\n')
                line++;
              g_string_append_c (field, c);
            }
          continue;
        }
      if (c == '"' && field->len == 0)
        {
          quoted = TRUE;
        }
      else if (c == ',')
        {
          g_ptr_array_add (record, g_strdup (field->str));
          g_string_truncate (field, 0);
        }
      else if (c == '\r' && i + 1 < length && text[i + 1] == '\n')
        {
          continue;
        }
      else if (c == '\n' || c == '\r')
        {
          g_ptr_array_add (record, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (records, record);
          g_array_append_val (line_numbers, record_line);
          in_record = FALSE;
          quoted = FALSE;
          line++;
        }
      else
        {
          g_string_append_c (field, c);
        }
    }
  g_string_free (field, TRUE);
  return records;
}

/* Markdown tables as pyxform's test forms write them: | sheet | then |  | cell | cell |. */
static GPtrArray *
split_markdown (const char *text, gsize length, GArray *line_numbers)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autofree char *copy = g_strndup (text, length);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", 0);

  for (unsigned int i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_auto(GStrv) parts = NULL;
      GPtrArray *record;
      unsigned int n, number = i + 1;

      if (line[0] != '|')
        continue;
      parts = g_strsplit (line + 1, "|", 0);
      n = g_strv_length (parts);
      /* The closing pipe leaves one empty piece at the end. */
      if (n > 0 && *g_strstrip (parts[n - 1]) == '\0' && g_str_has_suffix (line, "|"))
        n--;
      /* A separator row (|---|---|) is layout, not content. */
      if (n > 0 && strspn (line, "|-: ") == strlen (line))
        continue;
      record = g_ptr_array_new_with_free_func (g_free);
      for (unsigned int k = 0; k < n; k++)
        g_ptr_array_add (record, g_strdup (g_strstrip (parts[k])));
      g_ptr_array_add (records, record);
      g_array_append_val (line_numbers, number);
    }
  return records;
}

gboolean
_intake_xlsform_read_text (const char *data, gsize length, IntakeXlsformFormat format,
                           Workbook *book, GError **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (unsigned int));
  g_autoptr(GPtrArray) records = NULL;
  Sheet *sheet = NULL;

  if (length > INTAKE_XLSFORM_MAX_FILE_BYTES)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                   "the file is larger than %d MB", INTAKE_XLSFORM_MAX_FILE_BYTES / (1024 * 1024));
      return FALSE;
    }
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "not an XLSForm %s file: it is not UTF-8 text",
                   format == INTAKE_XLSFORM_FORMAT_CSV ? "CSV" : "Markdown");
      return FALSE;
    }
  book->row_word = "line";
  records = format == INTAKE_XLSFORM_FORMAT_CSV ? _intake_xlsform_split_csv (data, length, lines)
                                                : split_markdown (data, length, lines);
  for (unsigned int i = 0; i < records->len; i++)
    {
      GPtrArray *record = records->pdata[i];
      unsigned int number = g_array_index (lines, unsigned int, i);
      const char *first = record->len > 0 ? g_strstrip ((char *) record->pdata[0]) : "";
      Row *row;

      if (*first != '\0')
        {
          g_autofree char *folded = g_utf8_strdown (first, -1);

          if (book->sheets->len >= INTAKE_XLSFORM_MAX_SHEETS)
            {
              g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_TOO_LARGE,
                           "more than %d sheets", INTAKE_XLSFORM_MAX_SHEETS);
              return FALSE;
            }
          sheet = sheet_new (folded);
          g_ptr_array_add (book->sheets, sheet);
          continue;
        }
      if (sheet == NULL)
        {
          gboolean empty = TRUE;

          for (unsigned int k = 0; k < record->len; k++)
            if (*g_strstrip ((char *) record->pdata[k]) != '\0')
              empty = FALSE;
          if (empty)
            continue;
          g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                       "line %u: a row before any sheet name (the first column names the sheet: "
                       "survey, choices, settings)", number);
          return FALSE;
        }
      row = row_new (number);
      g_ptr_array_add (sheet->rows, row);
      for (unsigned int k = 1; k < record->len; k++)
        if (!row_add (book, sheet, row, k - 1, record->pdata[k], error))
          return FALSE;
    }
  return TRUE;
}

