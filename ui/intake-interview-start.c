/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How an interview page starts, and its two constructors: a new interview (the form chosen,
 * its titles hidden until asked for, then the respondent's language; the interview created on
 * the session's queue), or a draft opened again where this window left it, else at its first
 * question without an answer. Apart from the page because it is done once, before any step is
 * shown; on top of the page's files (see intake-interview-page-private.h), it shows the first
 * step through the page's own functions.
 */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-interview-page-private.h"
#include "intake-json.h"
#include "intake-ui-private.h"

/* Starting: choose the form, then the language. */

static void resume (IntakeInterviewPage *self);

static void
interview_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeInterviewPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeInterview) iv = NULL;

  self->interview_id = intake_session_create_interview_finish (INTAKE_SESSION (source), result,
                                                               &error);
  /* Locked meanwhile: the page is gone from the window. */
  if (self->session == NULL)
    return;
  if (self->interview_id == NULL
      || !(iv = intake_session_open_interview (self->session, self->interview_id, &error)))
    {
      _intake_interview_page_toast (self, error->message);
      /* By name: the signal's id is the class's, in intake-interview-page.c. */
      g_signal_emit_by_name (self, "closed");
      return;
    }
  self->fs = intake_form_session_new (self->form, intake_json_get_object (iv->content, "answers"),
                                      self->language);
  resume (self);
}

static void
language_chosen_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_autoptr (JsonObject) answers = json_object_new ();
  const IntakeQuestion *lq;

  if (self->creating)
    return;
  g_free (self->language);
  self->language = g_strdup (g_object_get_data (G_OBJECT (button), "language"));
  /* The bundled form asks which language the interview is in; the choice just made answers it
   * (the worker can still change it). */
  lq = intake_form_lookup_question (self->form, "interview_language");
  if (lq != NULL)
    for (unsigned int i = 0; i < intake_question_get_n_choices (lq); i++)
      if (g_strcmp0 (intake_question_get_choice_name (lq, i), self->language) == 0)
        json_object_set_string_member (answers, "interview_language", self->language);
  /* The new interview is one transaction on the session's queue. */
  self->creating = TRUE;
  intake_session_create_interview_async (self->session, intake_form_get_id (self->form),
                                         (int) intake_form_get_version (self->form), answers,
                                         NULL, interview_created_cb, g_object_ref (self));
}

static void
show_language_choice (IntakeInterviewPage *self)
{
  const char *const *languages = intake_form_get_languages (self->form);
  GtkWidget *first = NULL;

  _intake_interview_page_clear_box (self->choose_box);
  gtk_label_set_label (self->choose_title, _("Which language does the person speak?"));
  for (guint i = 0; languages[i] != NULL; i++)
    {
      GtkWidget *button
          = _intake_interview_button (_intake_interview_language_name (languages[i]), "tile");
      g_object_set_data_full (G_OBJECT (button), "language", g_strdup (languages[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (language_chosen_cb), self);
      gtk_box_append (self->choose_box, button);
      if (i == 0)
        first = button;
    }
  _intake_stack_show (self->step_stack, "choose");
  if (first != NULL)
    _intake_interview_page_take_focus (self, first);
}

static IntakeForm *
load_form (IntakeInterviewPage *self, const char *form_id, int version, GError **error)
{
  g_autofree char *doc = intake_store_dup_form_document (intake_session_get_store (self->session),
                                                         form_id, version, error);

  if (doc == NULL)
    return NULL;
  return intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS,
                                    error);
}

static void
form_chosen_cb (GtkButton *button, IntakeInterviewPage *self)
{
  g_set_object (&self->form, g_object_get_data (G_OBJECT (button), "form"));
  show_language_choice (self);
}

/* The tiles say each form's title too, and the button that showed them goes. */
static void
show_form_titles_cb (IntakeInterviewPage *self, GtkButton *show)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->choose_box)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      const char *titled = g_object_get_data (G_OBJECT (c), "titled");

      if (titled == NULL)
        continue;
      gtk_button_set_label (GTK_BUTTON (c), titled);
      gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (c))), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (c), GTK_ACCESSIBLE_PROPERTY_LABEL, titled,
                                      -1);
    }
  gtk_widget_set_visible (GTK_WIDGET (show), FALSE);
}

/* The forms installed, the latest version of each. */
static gboolean
show_form_choice (IntakeInterviewPage *self, GError **error)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (JsonNode) forms = intake_store_list_forms_json (store, error);
  g_autoptr (GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *arr;

  if (forms == NULL)
    return FALSE;
  arr = json_node_get_array (forms);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      const char *id = intake_json_get_string (json_array_get_object_element (arr, i), "id");
      IntakeForm *form;

      if (id == NULL || g_hash_table_contains (seen, id))
        continue;
      g_hash_table_add (seen, (gpointer) id);
      form = load_form (self, id, intake_store_get_latest_form_version (store, id), NULL);
      if (form != NULL)
        g_ptr_array_add (loaded, form);
    }
  if (loaded->len == 0)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND,
                           _("No form is installed on this tablet yet: an administrator adds "
                             "one in Administration, Forms."));
      return FALSE;
    }
  if (loaded->len == 1)
    {
      /* Nothing to choose: straight to the language. */
      g_set_object (&self->form, loaded->pdata[0]);
      show_language_choice (self);
      return TRUE;
    }
  _intake_interview_page_clear_box (self->choose_box);
  gtk_label_set_label (self->choose_title, _("Which form?"));
  /* A form's title ("Trafficking screening") tells a bystander what the talk is about: the
   * tiles are numbered, and the titles show only after a tap on "Show the titles". */
  for (guint i = 0; i < loaded->len; i++)
    {
      IntakeForm *form = loaded->pdata[i];
      g_autofree char *neutral = g_strdup_printf (_("Form %u · version %u"), i + 1,
                                                  (guint) intake_form_get_version (form));
      GtkWidget *button = _intake_interview_button (neutral, "tile");
      g_object_set_data_full (G_OBJECT (button), "form", g_object_ref (form), g_object_unref);
      g_object_set_data_full (G_OBJECT (button), "titled",
                              g_strdup_printf ("%s\n%s", neutral,
                                               intake_form_get_title (form, NULL)),
                              g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (form_chosen_cb), self);
      gtk_box_append (self->choose_box, button);
      if (i == 0)
        _intake_interview_page_take_focus (self, button);
    }
  {
    GtkWidget *show = _intake_interview_button (_("Show the titles"), "big");
    gtk_widget_add_css_class (show, "flat");
    gtk_widget_set_halign (show, GTK_ALIGN_START);
    g_signal_connect_swapped (show, "clicked", G_CALLBACK (show_form_titles_cb), self);
    gtk_box_append (self->choose_box, show);
  }
  _intake_stack_show (self->step_stack, "choose");
  return TRUE;
}

/* The first visible question without an answer, or the summary when every one has one. */
static void
resume (IntakeInterviewPage *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);

  for (guint i = 0; visible[i] != NULL; i++)
    {
      const IntakeQuestion *q = intake_form_lookup_question (self->form, visible[i]);
      if (q != NULL && intake_question_get_question_type (q) != INTAKE_QUESTION_NOTE
          && _intake_interview_page_answer_of (self, visible[i]) == NULL)
        {
          _intake_interview_page_show_question (self, visible[i]);
          return;
        }
    }
  _intake_interview_page_show_summary (self);
}

/* Back to the page this window last showed of the interview, if it is still shown now. */
static gboolean
resume_at (IntakeInterviewPage *self, const char *at_step, const char *at_repeat, guint entry)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);
  g_auto (GStrv) steps = NULL;
  g_autofree char *step = g_strdup (at_step);
  g_autofree char *repeat = g_strdup (at_repeat);

  if (step == NULL)
    {
      _intake_interview_page_show_summary (self);
      return TRUE;
    }
  {
    /* Inside an entry, its top-level repeat is the step shown now. */
    g_autofree char *top = repeat ? g_strndup (repeat, strcspn (repeat, "[")) : NULL;

    if (!g_strv_contains ((const char *const *) visible, top ? top : step))
      return FALSE;
  }
  if (repeat == NULL)
    {
      _intake_interview_page_show_question (self, step);
      return TRUE;
    }
  steps = intake_form_session_dup_entry_visible (self->fs, repeat, entry);
  if (steps == NULL || !g_strv_contains ((const char *const *) steps, step))
    return FALSE;
  _intake_interview_page_show_step (self, repeat, entry, step);
  return TRUE;
}

static gboolean
open_draft (IntakeInterviewPage *self, const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterview) iv = intake_session_open_interview (self->session, interview_id,
                                                                  error);
  JsonObject *answers;
  const char *language;
  const char *at_language = NULL, *at_step = NULL, *at_repeat = NULL;
  guint at_entry = 0;
  gboolean known;

  if (iv == NULL)
    return FALSE;
  if (iv->state != INTAKE_STATE_DRAFT)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE,
                           _("This interview is completed and can no longer be changed here."));
      return FALSE;
    }
  self->form = load_form (self, iv->form_id, iv->form_version, error);
  if (self->form == NULL)
    return FALSE;
  self->interview_id = g_strdup (interview_id);
  answers = intake_json_get_object (iv->content, "answers");
  {
    JsonObject *note = intake_json_get_object (iv->content, "review_note");
    self->review_note = g_strdup (note ? intake_json_get_string (note, "text") : NULL);
  }
  known = self->places != NULL
          && intake_interview_places_lookup (self->places, interview_id, &at_language, &at_step,
                                             &at_repeat, &at_entry);
  language = answers ? intake_json_get_string (answers, "interview_language") : NULL;
  if (known && intake_form_has_language (self->form, at_language))
    language = at_language;
  self->language = g_strdup (language && intake_form_has_language (self->form, language)
                                 ? language
                                 : intake_form_get_default_language (self->form));
  self->fs = intake_form_session_new (self->form, answers, self->language);
  if (!known || !resume_at (self, at_step, at_repeat, at_entry))
    resume (self);
  return TRUE;
}

IntakeInterviewPage *
intake_interview_page_new (IntakeSession *session, IntakeInterviewPlaces *places,
                           const char *interview_id, GError **error)
{
  g_autoptr (IntakeInterviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PLACES (places), NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_INTERVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
  self->places = g_object_ref (places);
  if (interview_id != NULL ? !open_draft (self, interview_id, error)
                           : !show_form_choice (self, error))
    return NULL;
  /* Hand over a floating reference, as gtk_*_new does, so the stack takes ownership. */
  g_object_force_floating (G_OBJECT (self));
  return g_steal_pointer (&self);
}

IntakeInterviewPage *
intake_interview_page_new_at (IntakeSession *session, IntakeInterviewPlaces *places,
                              const char *interview_id, const char *question, GError **error)
{
  g_autoptr (IntakeInterviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PLACES (places), NULL);
  g_return_val_if_fail (interview_id != NULL, NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_INTERVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
  self->places = g_object_ref (places);
  if (!open_draft (self, interview_id, error))
    return NULL;
  if (question == NULL)
    _intake_interview_page_show_summary (self);
  else if (intake_form_lookup_question (self->form, question) != NULL
           && intake_form_session_is_relevant (self->fs, question))
    _intake_interview_page_show_question (self, question);
  g_object_force_floating (G_OBJECT (self));
  return g_steal_pointer (&self);
}
