/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interview page's parts, one concern a file over this header, as GNOME Text Editor splits
 * its window, in layers whose calls run one way (tests/layering), lowest first:
 * intake-interview-saving.c (the answer on the page saved through the session's queue, a
 * repeat's whole list when it is inside an entry; "Saving…" and "Saved", its problem, the
 * progress; what is typed), intake-interview-entries.c (a repeat's entries opened, added and
 * removed, and its list shown again), intake-interview-page.c (the type and its template, the
 * step shown and the way from step to step, the keyboard, the summary) and
 * intake-interview-start.c (the constructors: a new interview's form and language chosen, a
 * draft opened where it was left) on top. The entries, below the page, show a step through the
 * pointer the page sets (show_step). The answers as every interview widget reads them are
 * intake-interview-private.h's.
 */
#pragma once

#include <adwaita.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-interview-page.h"
#include "intake-interview-places.h"
#include "intake-interview-private.h"
#include "intake-interview-summary.h"
#include "intake-question-view.h"
#include "intake-repeat-list.h"

G_BEGIN_DECLS

/* The page's files below intake-interview-page.c cast without the type check: the checked cast
 * calls intake_interview_page_get_type (), which is defined with the class. */
#define INTAKE_INTERVIEW_PAGE_UNCHECKED(p) ((IntakeInterviewPage *) (p))

struct _IntakeInterviewPage
{
  AdwBin parent_instance;

  GtkStack *step_stack;
  GtkLabel *choose_title;
  GtkBox *choose_box;
  GtkProgressBar *progress_bar;
  GtkLabel *saved_label;
  GtkWidget *saved_icon;
  GtkButton *language_button;
  GtkLabel *language_label;
  GtkScrolledWindow *question_scroll;
  double last_page_size; /* The question's visible height, to see it shrink. */
  guint scroll_idle;
  GtkBox *question_box;
  GtkBox *decline_bar;
  GtkButton *decline_template_button;
  GtkImage *decline_template_icon;
  GtkButton *back_button;
  GtkButton *next_button;
  GtkBox *summary_box;
  GtkWidget *summary_scroll;

  IntakeSession *session;
  char *interview_id;
  IntakeForm *form;
  IntakeFormSession *fs;
  char *language;
  /* A supervisor's note on a returned interview, shown on top of every page of it. */
  char *review_note;
  /* The question shown, or NULL on the choice and summary screens. */
  char *current;
  /* When the question shown is inside one entry of a repeat: the repeat and the entry (from
   * 0). NULL on every other page, the repeat's own list of entries included. */
  char *repeat_name;
  guint entry;

  IntakeInterviewPlaces *places;
  /* The question shown (NULL on the choice and summary screens) and its decline. */
  IntakeQuestionView *view;
  GtkWidget *decline_button;
  GtkWidget *decline_icon;
  /* The summary shown, or NULL. */
  IntakeInterviewSummary *summary;
  /* The open "Remove entry?" question, closed with the page. */
  GtkWindow *dialog;
  /* The control to focus once the page is on screen (a weak pointer). */
  GtkWidget *pending_focus;
  /* Answers queued for the store and not yet committed; whether one of them failed. */
  guint saves_in_flight;
  gboolean save_failed;
  gboolean completing;
  gboolean creating;
  /* The header's Back takes the focus once the page is on screen. */
  gboolean pending_back_focus;
  /* Enter is down: its auto-repeat must not answer and skip page after page. */
  gboolean enter_held;
  gboolean building;
  guint typing_source;
  /* Shows a step: set by the page (intake-interview-page.c), which alone shows one, for the
   * entries below it (tests/layering). */
  void (*show_step) (IntakeInterviewPage *self, const char *repeat, guint entry, const char *name);
};

/* intake-interview-saving.c */
void _intake_interview_page_toast (IntakeInterviewPage *self, const char *message);
JsonNode *_intake_interview_page_answer_of (IntakeInterviewPage *self, const char *name);
JsonNode *_intake_interview_page_entries_with (IntakeInterviewPage *self, const char *repeat,
                                               gint entry, const char *child, JsonNode *value,
                                               gint skip);
gboolean _intake_interview_page_store_entries (IntakeInterviewPage *self, const char *repeat,
                                               JsonNode *list);
char *_intake_interview_page_list_path (IntakeInterviewPage *self);
void _intake_interview_page_set_saved (IntakeInterviewPage *self, const char *text);
void _intake_interview_page_show_problem (IntakeInterviewPage *self, const char *problem);
void _intake_interview_page_update_progress (IntakeInterviewPage *self);
void _intake_interview_page_update_decline (IntakeInterviewPage *self);
char *_intake_interview_page_dup_problem (IntakeInterviewPage *self, const char *name);
gboolean _intake_interview_page_save_answer (IntakeInterviewPage *self, JsonNode *value);
gboolean _intake_interview_page_flush_typing (IntakeInterviewPage *self);
void _intake_interview_page_typing_changed_cb (IntakeInterviewPage *self);
void _intake_interview_page_choice_toggled_cb (IntakeInterviewPage *self);
void _intake_interview_page_date_selected_cb (IntakeInterviewPage *self);

/* intake-interview-entries.c */
void _intake_interview_page_show_list (IntakeInterviewPage *self, const char *repeat);
void _intake_interview_page_entry_change_cb (IntakeRepeatList *list, guint entry,
                                             IntakeInterviewPage *self);
void _intake_interview_page_add_entry_cb (IntakeInterviewPage *self);
void _intake_interview_page_entry_remove_cb (IntakeRepeatList *list, guint entry,
                                             IntakeInterviewPage *self);

/* intake-interview-page.c */
void _intake_interview_page_take_focus (IntakeInterviewPage *self, GtkWidget *widget);
void _intake_interview_page_clear_box (GtkBox *box);
void _intake_interview_page_show_question (IntakeInterviewPage *self, const char *name);
void _intake_interview_page_show_step (IntakeInterviewPage *self, const char *repeat,
                                       guint entry, const char *name);
void _intake_interview_page_show_summary (IntakeInterviewPage *self);

G_END_DECLS
