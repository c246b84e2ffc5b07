/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The insides of the XLSForm import, shared by its files.  intake-xlsform-read.c turns a workbook
 * (.xlsx, or pyxform's .csv and .md shapes) into sheets of rows of cells; the converter turns
 * those into the form document, in layers that each call only those below them:
 *
 *   intake-xlsform-table.c     the sheets as tables of named columns, and refusals that name
 *                              the sheet, the row and the column;
 *   intake-xlsform-settings.c  the settings sheet and the form's languages;
 *   intake-xlsform-choices.c   the choices sheet and the lists shipped beside the form;
 *   intake-xlsform-question.c  one survey row: its type, its columns, its default;
 *   intake-xlsform.c           groups and repeats, the scoring sheet, the document assembled
 *                              and checked by the form loader, and the public functions.
 *
 * Nothing outside core/ includes this.
 */
#pragma once

#include "intake-xlsform.h"
#include "intake-expr.h"

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

/* ---- The converter, from sheets to the form document ---- */

/* A column of a sheet, from its header cell. */
typedef struct
{
  unsigned int col;
  char *raw;      /* The header as written, for messages. */
  char *base;     /* "label", "type", …: lower case, aliases resolved. */
  char *language; /* The language part of "label::English (en)", or NULL. */
  char *code;     /* Its code, filled once languages are known. */
} Column;

/* A sheet read by its header row. */
typedef struct
{
  Sheet *sheet;
  const Row *header;
  GPtrArray *columns; /* Column */
} Table;

/* One conversion: the workbook, its tables, the languages and lists found so far. */
typedef struct
{
  Workbook *book;
  const char *base_dir;
  GError **error;
  Table survey, choices, settings, scoring;
  GPtrArray *languages; /* codes, in order */
  char *default_language;
  JsonObject *lists;     /* list_name → array of choices */
  GHashTable *file_lists; /* file name → list key already embedded */
  GHashTable *rows;      /* question name → row number, for the loader's refusals */
} Converter;

/* A survey row's type as read (intake-xlsform-question.c), walked by intake-xlsform.c. */
typedef enum
{
  ROW_QUESTION,
  ROW_BEGIN_GROUP,
  ROW_END_GROUP,
  ROW_BEGIN_REPEAT,
  ROW_END_REPEAT,
} RowKind;

typedef struct
{
  RowKind kind;
  char *type;      /* The document's type. */
  char *list;      /* select_one / select_multiple / rank: the list name. */
  char *file;      /* …_from_file: the file. */
  gboolean or_other;
  gboolean phone;  /* pyxform's "phone number": text of digits. */
} ParsedType;

/* The settings sheet's one row of values (intake-xlsform-settings.c). */
typedef struct
{
  const char *id;
  const char *title;
  const char *version;
  const char *default_language;
  const char *child_when; /* This project's own: when a question's child_label applies. */
  const Row *row;
  const Column *version_column, *language_column;
} Settings;

/* intake-xlsform-table.c */
void _intake_xlsform_table_clear (Table *table);
/* Sets the converter's error to "@where: message"; always FALSE, so that a refusal returns it. */
G_GNUC_PRINTF (4, 5)
gboolean _intake_xlsform_refuse (Converter *c, IntakeXlsformError code, const char *where,
                                 const char *format, ...);
/* "survey row 14, column relevant"; newly allocated. */
char *_intake_xlsform_where_cell (Converter *c, const Table *table, const Row *row,
                                  const Column *column);
/* The columns that hold a text per language ("label", "hint", …), as their base names. */
extern const char *const _intake_xlsform_translatable[];
gboolean _intake_xlsform_load_table (Converter *c, const char *name, gboolean required,
                                     Table *table);
const char *_intake_xlsform_cell_of (const Table *table, const Row *row, const char *base,
                                     const Column **out);
JsonObject *_intake_xlsform_texts_of (const Table *table, const Row *row, const char *base);
gboolean _intake_xlsform_yes_no (const char *value, gboolean *out);
gboolean _intake_xlsform_check_expression (Converter *c, const Table *table, const Row *row,
                                           const Column *column, const char *source,
                                           IntakeExprParseFlags flags);
JsonNode *_intake_xlsform_json_cell (Converter *c, const Table *table, const Row *row,
                                     const Column *column, const char *value,
                                     gboolean want_object);

/* intake-xlsform-settings.c */
gboolean _intake_xlsform_read_settings (Converter *c, Settings *s);
gboolean _intake_xlsform_resolve_languages (Converter *c, const char *setting,
                                            const Row *settings_row,
                                            const Column *settings_column);

/* intake-xlsform-choices.c */
gboolean _intake_xlsform_convert_choices (Converter *c);
gboolean _intake_xlsform_embed_file_list (Converter *c, const char *where, const char *file,
                                          char **key_out);

/* intake-xlsform-question.c */
void _intake_xlsform_parsed_type_clear (ParsedType *t);
gboolean _intake_xlsform_parse_row_type (Converter *c, const char *where, const char *written,
                                         ParsedType *out);
gboolean _intake_xlsform_convert_question (Converter *c, const Row *row, const ParsedType *type,
                                           JsonObject *q, JsonArray *siblings);

G_END_DECLS
