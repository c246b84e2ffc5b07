/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import: an organisation's existing ODK or Kobo spreadsheet (.xlsx, or the .csv and .md
 * shapes pyxform's own test forms use) converted into the project's JSON form document
 * (core/forms/README.md), then checked by the same loader as every other form.
 *
 * A spreadsheet that cannot be converted as it is, is refused with the sheet, the row and the
 * column (`survey row 14, column relevant: …`); nothing is silently dropped or changed.  What the
 * tablet does not support (media questions, loops, external selects, …) is refused by name.
 *
 *   g_autofree char *document = intake_form_document_read_file ("form.xlsx", &error);
 *   if (document == NULL)
 *     return fail (error->message);
 *   intake_session_import_form (session, document, &id, &version, &error);
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define INTAKE_XLSFORM_ERROR (intake_xlsform_error_quark ())

typedef enum
{
  INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET, /* Not a zip, not an .xlsx workbook, not CSV text. */
  INTAKE_XLSFORM_ERROR_TOO_LARGE,         /* A part, a sheet or the cells beyond our limits. */
  INTAKE_XLSFORM_ERROR_MISSING_SHEET,     /* No survey sheet, or a list the survey names. */
  INTAKE_XLSFORM_ERROR_FORMULA,           /* A cell holding a formula instead of a value. */
  INTAKE_XLSFORM_ERROR_UNSUPPORTED,       /* A type, column or setting the tablet does not have. */
  INTAKE_XLSFORM_ERROR_INVALID,           /* A cell that cannot be converted as it stands. */
} IntakeXlsformError;

GQuark intake_xlsform_error_quark (void);

typedef enum
{
  INTAKE_XLSFORM_FORMAT_XLSX,
  INTAKE_XLSFORM_FORMAT_CSV,
  INTAKE_XLSFORM_FORMAT_MARKDOWN,
} IntakeXlsformFormat;

/*
 * Limits that keep hostile spreadsheets cheap to refuse.  The uncompressed size of each part is
 * bounded while it is read (a zip's own size fields are not trusted), so a zip bomb costs at
 * most INTAKE_XLSFORM_MAX_PART_BYTES of memory; sheets and shared strings are then streamed, so
 * memory follows the cells kept.
 */
#define INTAKE_XLSFORM_MAX_FILE_BYTES (16 * 1024 * 1024)
#define INTAKE_XLSFORM_MAX_PART_BYTES (24 * 1024 * 1024)
#define INTAKE_XLSFORM_MAX_TOTAL_BYTES (48 * 1024 * 1024)
/* The workbook's index parts (workbook.xml and the relationships), read as a whole tree. */
#define INTAKE_XLSFORM_MAX_INDEX_BYTES (2 * 1024 * 1024)
#define INTAKE_XLSFORM_MAX_CELLS 100000
#define INTAKE_XLSFORM_MAX_CELL_BYTES 8192
#define INTAKE_XLSFORM_MAX_SHEETS 64

/*
 * Converts a spreadsheet held in memory.  @base_dir is where lists named by
 * select_one_from_file are read from (NULL: such lists are refused); @fallback_id names the form
 * when the settings sheet gives no form_id.  Returns the form document, already checked by
 * intake_form_new_from_node() with the default (strict) flags.
 */
JsonNode *intake_xlsform_convert (const char *data, gsize length, IntakeXlsformFormat format,
                                  const char *base_dir, const char *fallback_id, GError **error);

/* Converts a spreadsheet file; the format comes from the content (a zip) or the extension. */
JsonNode *intake_xlsform_convert_file (const char *path, GError **error);

/*
 * Whether @path is a spreadsheet this module reads (by its first bytes, then by its extension),
 * and which kind.  A JSON document is not.
 */
gboolean intake_xlsform_sniff_file (const char *path, IntakeXlsformFormat *format);

/*
 * The form document in @path as JSON text: a JSON form as it is, a spreadsheet converted.  The
 * one call both `intakectl form import` and the window's "Install a form from a file" use.
 */
char *intake_form_document_read_file (const char *path, GError **error);

G_END_DECLS
