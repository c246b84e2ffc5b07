/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Between the two halves of the XLSForm import: intake-xlsform-read.c turns a workbook (.xlsx,
 * or pyxform's .csv and .md shapes) into sheets of rows of cells; intake-xlsform.c turns those
 * into the form document.  Nothing outside core/ includes this.
 */
#pragma once

#include "intake-xlsform.h"

#include <libxml/tree.h>

G_BEGIN_DECLS

typedef struct
{
  unsigned int col; /* 0-based */
  char *text;       /* Trimmed, never empty. */
} Cell;

typedef struct
{
  unsigned int number; /* The row number a person sees (xlsx) or the line of the file. */
  GArray *cells;       /* Cell, sparse, in column order. */
} Row;

typedef struct
{
  char *name;
  GPtrArray *rows; /* Row */
  /* The first formula cell met, reported once the header row is known. */
  unsigned int formula_row;
  unsigned int formula_col;
  char *formula;
} Sheet;

typedef struct
{
  GPtrArray *sheets; /* Sheet */
  const char *row_word; /* "row" for a workbook, "line" for a text file. */
  gsize n_cells;
  gsize n_bytes;
} Workbook;

void _intake_xlsform_sheet_free (Sheet *sheet);
/* The text of column @col in @row, or NULL when the cell is empty. */
const char *_intake_xlsform_row_get (const Row *row, unsigned int col);
/* "A", …, "Z", "AA", … for a 0-based column; newly allocated. */
char *_intake_xlsform_column_letters (unsigned int col);
/* CSV text split into records (GPtrArray of strings), with the line each begins on. */
GPtrArray *_intake_xlsform_split_csv (const char *text, gsize length, GArray *line_numbers);
gboolean _intake_xlsform_is_element (xmlNode *node, const char *name);

/* Fill @book with the survey, choices, settings and scoring sheets. */
gboolean _intake_xlsform_read_xlsx (const char *data, gsize length, Workbook *book,
                                    GError **error);
gboolean _intake_xlsform_read_text (const char *data, gsize length, IntakeXlsformFormat format,
                                    Workbook *book, GError **error);

G_END_DECLS
