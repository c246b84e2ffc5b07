/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "xlsx-writer.h"

#include <glib/gstdio.h>
#include <gsf/gsf.h>
#include <string.h>

#define MAIN_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG_REL_NS "http://schemas.openxmlformats.org/package/2006/relationships"

typedef struct
{
  GsfOutput *sink;
  GsfOutfile *zip;
  GHashTable *dirs;  /* "xl/worksheets" → GsfOutfile, owned */
  GPtrArray *order;  /* dir paths in creation order, closed in reverse */
} Writer;

static void
writer_init (Writer *w)
{
  w->sink = gsf_output_memory_new ();
  w->zip = gsf_outfile_zip_new (w->sink, NULL);
  g_assert (w->zip != NULL);
  w->dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  w->order = g_ptr_array_new_with_free_func (g_free);
}

static GsfOutfile *
writer_dir (Writer *w, const char *dir)
{
  GsfOutfile *parent, *out;
  g_autofree char *up = NULL;
  const char *slash;

  if (*dir == '\0')
    return w->zip;
  out = g_hash_table_lookup (w->dirs, dir);
  if (out != NULL)
    return out;
  slash = strrchr (dir, '/');
  up = slash != NULL ? g_strndup (dir, slash - dir) : g_strdup ("");
  parent = writer_dir (w, up);
  out = GSF_OUTFILE (gsf_outfile_new_child (parent, slash != NULL ? slash + 1 : dir, TRUE));
  g_hash_table_insert (w->dirs, g_strdup (dir), out);
  g_ptr_array_add (w->order, g_strdup (dir));
  return out;
}

/* Opens the part @path for writing. */
static GsfOutput *
writer_part (Writer *w, const char *path)
{
  const char *slash = strrchr (path, '/');
  g_autofree char *dir = slash != NULL ? g_strndup (path, slash - path) : g_strdup ("");
  GsfOutfile *parent = writer_dir (w, dir);

  return gsf_outfile_new_child_full (parent, slash != NULL ? slash + 1 : path, FALSE,
                                     "compression-level", GSF_ZIP_DEFLATED, NULL);
}

static GBytes *
writer_finish (Writer *w)
{
  GBytes *bytes;

  for (unsigned int i = w->order->len; i > 0; i--)
    gsf_output_close (g_hash_table_lookup (w->dirs, w->order->pdata[i - 1]));
  gsf_output_close (GSF_OUTPUT (w->zip));
  gsf_output_close (w->sink);
  bytes = g_bytes_new (gsf_output_memory_get_bytes (GSF_OUTPUT_MEMORY (w->sink)),
                       (gsize) gsf_output_size (w->sink));
  g_hash_table_unref (w->dirs);
  g_ptr_array_unref (w->order);
  g_object_unref (w->zip);
  g_object_unref (w->sink);
  return bytes;
}

static void
write_part (Writer *w, const char *path, const char *content)
{
  GsfOutput *out = writer_part (w, path);

  gsf_output_write (out, strlen (content), (const guint8 *) content);
  gsf_output_close (out);
  g_object_unref (out);
}

GBytes *
test_xlsx_from_parts (const char *const *parts)
{
  Writer w;

  writer_init (&w);
  for (unsigned int i = 0; parts[i] != NULL; i += 2)
    write_part (&w, parts[i], parts[i + 1]);
  return writer_finish (&w);
}

static char *
column_letters (unsigned int col)
{
  char buffer[8];
  int n = 0;
  g_autoptr(GString) out = g_string_new (NULL);

  col++;
  while (col > 0)
    {
      buffer[n++] = (char) ('A' + (col - 1) % 26);
      col = (col - 1) / 26;
    }
  while (n > 0)
    g_string_append_c (out, buffer[--n]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
sheet_xml (const char *text)
{
  g_auto(GStrv) rows = g_strsplit (text, "\n", 0);
  GString *xml = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                               "<worksheet xmlns=\"" MAIN_NS "\"><sheetData>");

  for (unsigned int r = 0; rows[r] != NULL; r++)
    {
      g_auto(GStrv) cells = g_strsplit (rows[r], "|", 0);

      g_string_append_printf (xml, "<row r=\"%u\">", r + 1);
      for (unsigned int c = 0; cells[c] != NULL; c++)
        {
          g_autofree char *ref = column_letters (c);
          g_autofree char *escaped = NULL;

          if (*cells[c] == '\0')
            continue;
          if (cells[c][0] == '=')
            {
              escaped = g_markup_escape_text (cells[c] + 1, -1);
              g_string_append_printf (xml, "<c r=\"%s%u\"><f>%s</f></c>", ref, r + 1, escaped);
              continue;
            }
          escaped = g_markup_escape_text (cells[c], -1);
          g_string_append_printf (xml, "<c r=\"%s%u\" t=\"inlineStr\"><is><t>%s</t></is></c>",
                                  ref, r + 1, escaped);
        }
      g_string_append (xml, "</row>");
    }
  g_string_append (xml, "</sheetData></worksheet>");
  return g_string_free (xml, FALSE);
}

static void
write_workbook (Writer *w, const char *const *names, unsigned int n)
{
  g_autoptr(GString) book = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook xmlns=\"" MAIN_NS "\" xmlns:r=\"" REL_NS
    "\"><sheets>");
  g_autoptr(GString) rels = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"" PKG_REL_NS "\">");

  for (unsigned int i = 0; i < n; i++)
    {
      g_string_append_printf (book, "<sheet name=\"%s\" sheetId=\"%u\" r:id=\"rId%u\"/>",
                              names[i], i + 1, i + 1);
      g_string_append_printf (rels,
                              "<Relationship Id=\"rId%u\" Type=\"" REL_NS "/worksheet\" "
                              "Target=\"worksheets/sheet%u.xml\"/>", i + 1, i + 1);
    }
  g_string_append (book, "</sheets></workbook>");
  g_string_append (rels, "</Relationships>");
  write_part (w, "[Content_Types].xml",
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://schemas."
              "openxmlformats.org/package/2006/content-types\"/>");
  write_part (w, "_rels/.rels",
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"" PKG_REL_NS
              "\"><Relationship Id=\"rId1\" Type=\"" REL_NS "/officeDocument\" "
              "Target=\"xl/workbook.xml\"/></Relationships>");
  write_part (w, "xl/workbook.xml", book->str);
  write_part (w, "xl/_rels/workbook.xml.rels", rels->str);
}

GBytes *
test_xlsx_from_tables (const char *const *sheets)
{
  Writer w;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  writer_init (&w);
  for (unsigned int i = 0; sheets[i] != NULL; i += 2)
    {
      g_autofree char *path = g_strdup_printf ("xl/worksheets/sheet%u.xml", i / 2 + 1);
      g_autofree char *xml = sheet_xml (sheets[i + 1]);

      g_ptr_array_add (names, (gpointer) sheets[i]);
      write_part (&w, path, xml);
    }
  write_workbook (&w, (const char *const *) names->pdata, names->len);
  return writer_finish (&w);
}

GBytes *
test_xlsx_large (gsize filler_bytes, gsize n_cells)
{
  static const char *const names[] = { "survey" };
  Writer w;
  GsfOutput *out;
  char spaces[65536];
  const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\"" MAIN_NS
                     "\"><sheetData>";
  const char *cell = "<c t=\"inlineStr\"><is><t>x</t></is></c>";

  writer_init (&w);
  out = writer_part (&w, "xl/worksheets/sheet1.xml");
  gsf_output_write (out, strlen (head), (const guint8 *) head);
  memset (spaces, ' ', sizeof spaces);
  for (gsize written = 0; written < filler_bytes; written += sizeof spaces)
    gsf_output_write (out, MIN (sizeof spaces, filler_bytes - written), (const guint8 *) spaces);
  gsf_output_write (out, 5, (const guint8 *) "<row>");
  for (gsize i = 0; i < n_cells; i++)
    gsf_output_write (out, strlen (cell), (const guint8 *) cell);
  gsf_output_write (out, 30, (const guint8 *) "</row></sheetData></worksheet>");
  gsf_output_close (out);
  g_object_unref (out);
  write_workbook (&w, names, 1);
  return writer_finish (&w);
}

char *
test_xlsx_write_temp (GBytes *bytes, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("xlsform-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                       &error);
  g_assert_no_error (error);
  return path;
}

void
test_xlsx_remove_temp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);

      g_remove (file);
    }
  g_rmdir (dir);
}
