/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the interview's widgets share (intake-interview-answers.c): the answers as the form
 * session holds them, read for one repeat's entries, and put in words. The page's files
 * (intake-interview-page.c, -saving.c, -entries.c, -start.c), its question view, repeat list and
 * summary include this header; nothing outside ui/ does.
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "intake-form-session.h"
#include "intake-form.h"

G_BEGIN_DECLS

/* The repeat @q is inside, or NULL. */
const IntakeQuestion *_intake_interview_repeat_of (const IntakeQuestion *q);
/* The top-level answer to @name, or NULL (a JSON null counts as none). */
JsonNode *_intake_interview_top_answer (IntakeFormSession *fs, const char *name);
/*
 * A repeat is named by its path: a top-level repeat by its name ("household"), a repeat inside
 * an entry by that entry's path and its name ("household[2]/member", entries counted from 1 as
 * in problem paths).  The entries of a repeat as answered (NULL when it has none or was
 * declined).
 */
JsonArray *_intake_interview_entries_of (IntakeFormSession *fs, const char *repeat);
/* The repeat question a path ends in ("member" for "household[2]/member"), or NULL. */
const IntakeQuestion *_intake_interview_path_repeat (IntakeForm *form, const char *repeat);
/* "Boats — entry 2": the entry named for people; inside an inner repeat, each level, outermost
 * first ("Boats — entry 2 › People on this boat — entry 1"), so that no two entries read alike. */
char *_intake_interview_entry_where (IntakeForm *form, const char *language, const char *repeat,
                                     guint entry);
/* "household[2]/member" for @child "member" of entry 1 (from 0) of "household". */
char *_intake_interview_entry_path (const char *repeat, guint entry, const char *child);
/* For an inner repeat's path, the entry that holds it: "household", 1, "member"; FALSE for a
 * top-level repeat. */
gboolean _intake_interview_parent_entry (const char *repeat, char **parent, guint *entry,
                                         char **name);
JsonObject *_intake_interview_entry_object (IntakeFormSession *fs, const char *repeat,
                                            guint entry);
/* One entry in a line: "Relation: son; Age: 10", sensitive answers hidden. */
char *_intake_interview_entry_text (IntakeForm *form, IntakeFormSession *fs,
                                    const char *language, const IntakeQuestion *repeat,
                                    guint entry);
/* The same for the entries of a repeat named by its path. */
char *_intake_interview_entry_text_at (IntakeForm *form, IntakeFormSession *fs,
                                       const char *language, const char *repeat, guint entry);
/* A repeat's answer in words, one line per entry. */
char *_intake_interview_repeat_text (IntakeForm *form, IntakeFormSession *fs,
                                     const char *language, const IntakeQuestion *q,
                                     JsonNode *answer);
/* "Entry 2, First name: This question needs an answer." */
char *_intake_interview_entry_problem_text (IntakeForm *form, const char *language, guint entry,
                                            const char *child, const char *message);
/* Splits "repeat[N]/child" into its parts (@entry from 0); the repeat may be a path itself
 * ("household[2]/member[1]/age": "household[2]/member", 0, "age"). */
gboolean _intake_interview_parse_entry_path (const char *path, char **repeat, guint *entry,
                                             char **child);
/* A language named in itself ("Bahasa Indonesia"), or @code. */
const char *_intake_interview_language_name (const char *code);
/* A button whose words wrap, named by them for assistive technology. */
GtkWidget *_intake_interview_button (const char *label, const char *css_class);

G_END_DECLS
