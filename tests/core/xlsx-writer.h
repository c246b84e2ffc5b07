/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Builds .xlsx workbooks for the tests and the benchmark, through libgsf's own zip writer: a
 * small valid XLSForm from text, or any parts at all, for the hostile cases.
 */
#pragma once

#include <glib.h>

/*
 * A workbook whose sheets are given as text: rows separated by '\n', cells by '|'.  Cells are
 * written as inline strings; a cell "=F" is written as a formula F (with no cached value).
 * @sheets is NULL-terminated pairs of (name, text).
 */
GBytes *test_xlsx_from_tables (const char *const *sheets);

/* A zip of the given parts: NULL-terminated pairs of (path, content). */
GBytes *test_xlsx_from_parts (const char *const *parts);

/*
 * A workbook with a survey sheet whose part is @filler_bytes of whitespace inside <sheetData>
 * followed by @n_cells one-letter cells: written in pieces, so that the zip stays small.
 */
GBytes *test_xlsx_large (gsize filler_bytes, gsize n_cells);

/* Writes @bytes to a new file @name in a fresh temporary folder; returns its path. */
char *test_xlsx_write_temp (GBytes *bytes, const char *name);

/* Removes the folder test_xlsx_write_temp() made, with what is in it. */
void test_xlsx_remove_temp (const char *path);
