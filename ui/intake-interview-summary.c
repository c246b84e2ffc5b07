/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "intake-interview-private.h"
#include "intake-interview-summary.h"
#include "intake-json.h"
#include "intake-ui-private.h"

struct _IntakeInterviewSummary
{
  GtkBox parent_instance;

  GtkButton *language_button;
  GtkLabel *language_label;
  GtkLabel *note_label;
  GtkBox *result_box;
  GtkBox *problems_box;
  GtkListBox *answers_list;
  GtkLabel *message_label;
  GtkButton *complete_button;

  IntakeForm *form;
  IntakeFormSession *fs;
  char *language;
  GtkWidget *first_problem;
};

G_DEFINE_FINAL_TYPE (IntakeInterviewSummary, intake_interview_summary, GTK_TYPE_BOX)

enum
{
  SIGNAL_JUMP,
  SIGNAL_COMPLETE,
  SIGNAL_SWITCH_LANGUAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
language_clicked_cb (GtkButton *button, IntakeInterviewSummary *self)
{
  g_signal_emit (self, signals[SIGNAL_SWITCH_LANGUAGE], 0);
}

static void
complete_clicked_cb (GtkButton *button, IntakeInterviewSummary *self)
{
  g_signal_emit (self, signals[SIGNAL_COMPLETE], 0);
}

static void
jump_cb (GtkButton *button, IntakeInterviewSummary *self)
{
  g_signal_emit (self, signals[SIGNAL_JUMP], 0, g_object_get_data (G_OBJECT (button), "question"),
                 g_object_get_data (G_OBJECT (button), "repeat"),
                 GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "entry")));
}

static GtkWidget *
add_label (GtkBox *box, const char *text, const char *css_class)
{
  return _intake_box_add_label (box, text, css_class);
}

static void
add_heading (GtkBox *box, const char *text)
{
  GtkWidget *label = add_label (box, text, "title-3");

  gtk_widget_set_margin_top (label, 12);
}

/* Shows the level in full, in place of the button that hid it. */
static void
level_show_cb (GtkButton *button, GtkWidget *level)
{
  gtk_widget_set_visible (level, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (button), FALSE);
  gtk_widget_grab_focus (level);
}

static void
show_result (IntakeInterviewSummary *self, JsonObject *r)
{
  GtkBox *box = self->result_box;
  JsonArray *urgent = intake_json_get_array (r, "urgent_reasons");
  JsonArray *reasons = intake_json_get_array (r, "reasons");
  JsonArray *referrals = intake_json_get_array (r, "referrals");
  GtkWidget *label, *level, *show;

  gtk_widget_set_visible (GTK_WIDGET (box), TRUE);
  /* The urgent flag overrides everything else and comes first, as a banner with an icon: what
   * to do now, in the form's plain words. */
  if (json_object_get_boolean_member_with_default (r, "urgent", FALSE))
    {
      g_autoptr (GString) text = g_string_new (_("Urgent: act now"));

      for (guint i = 0; urgent && i < json_array_get_length (urgent); i++)
        {
          JsonNode *u = json_array_get_element (urgent, i);
          if (JSON_NODE_HOLDS_OBJECT (u)
              && intake_json_get_string (json_node_get_object (u), "label"))
            g_string_append_printf (text, "\n%s",
                                    intake_json_get_string (json_node_get_object (u), "label"));
        }
      _intake_box_add_banner (box, "dialog-warning-symbolic", text->str, "urgent");
    }
  /* Over a shoulder in a port, the level is not for every eye: it shows after a tap. */
  add_label (box, _("Screening result"), "title-2");
  {
    g_autofree char *text = g_strdup (intake_json_get_string (r, "level_label")
                                          ? intake_json_get_string (r, "level_label")
                                          : "");
    level = add_label (box, text, "title-3");
    gtk_widget_set_focusable (level, TRUE);
    gtk_accessible_update_property (GTK_ACCESSIBLE (level), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
    gtk_widget_set_visible (level, FALSE);
  }
  show = _intake_interview_button (_("Show the result"), "big");
  gtk_widget_set_halign (show, GTK_ALIGN_START);
  g_signal_connect (show, "clicked", G_CALLBACK (level_show_cb), level);
  gtk_box_append (box, show);
  /* The rule's own words name the framework's dimensions: they are for the supervisor's
   * review, not for the worker; the reasons below say why in plain words. */
  if (reasons && json_array_get_length (reasons) > 0)
    {
      add_heading (box, _("Why"));
      for (guint i = 0; i < json_array_get_length (reasons); i++)
        {
          JsonNode *node = json_array_get_element (reasons, i);
          JsonObject *o;
          const IntakeQuestion *q;
          g_autofree char *answer = NULL;
          g_autofree char *line = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          o = json_node_get_object (node);
          q = intake_form_lookup_question (self->form, intake_json_get_string (o, "question"));
          if (q == NULL)
            continue;
          answer = _intake_answer_to_text (q, json_object_get_member (o, "answer"),
                                           self->language);
          line = g_strdup_printf ("• %s — %s", intake_question_get_label (q, self->language),
                                  answer);
          add_label (box, line, NULL);
        }
    }
  if (referrals && json_array_get_length (referrals) > 0)
    {
      add_heading (box, _("Recommended referrals"));
      for (guint i = 0; i < json_array_get_length (referrals); i++)
        {
          JsonNode *node = json_array_get_element (referrals, i);
          g_autofree char *line = NULL;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          line = g_strdup_printf ("• %s",
                                  intake_json_get_string (json_node_get_object (node), "label"));
          add_label (box, line, NULL);
        }
    }
  if (intake_json_get_string (r, "disclaimer"))
    {
      label = add_label (box, intake_json_get_string (r, "disclaimer"), "dim-label");
      gtk_widget_set_margin_top (label, 12);
    }
}

static void
show_problems (IntakeInterviewSummary *self, JsonArray *parr)
{
  GtkBox *box = self->problems_box;

  gtk_widget_set_visible (GTK_WIDGET (box), TRUE);
  for (guint i = 0; i < json_array_get_length (parr); i++)
    {
      JsonObject *p = json_array_get_object_element (parr, i);
      const char *name = intake_json_get_string (p, "question");
      const IntakeQuestion *q = intake_form_lookup_question (self->form, name);
      g_autofree char *text = NULL;
      g_autofree char *repeat = NULL;
      g_autofree char *child = NULL;
      guint entry = 0;
      GtkWidget *button;

      /* A question inside a repeat's entry: "Children with you: Entry 2, Age: …". */
      if (q == NULL && name != NULL
          && _intake_interview_parse_entry_path (name, &repeat, &entry, &child)
          && (q = intake_form_lookup_question (self->form, child)) != NULL)
        {
          const IntakeQuestion *rq = _intake_interview_path_repeat (self->form, repeat);
          g_autofree char *inner = _intake_interview_entry_problem_text (
              self->form, self->language, entry, child, intake_json_get_string (p, "message"));
          g_autofree char *outer_path = NULL;
          g_autofree char *outer_name = NULL;
          g_autofree char *outer = NULL;
          guint outer_entry;

          /* Inside an inner repeat, the entry that holds it is named first. */
          if (_intake_interview_parent_entry (repeat, &outer_path, &outer_entry, &outer_name))
            outer = _intake_interview_entry_where (self->form, self->language, outer_path,
                                                   outer_entry);
          text = g_strdup_printf ("%s%s%s: %s", outer ? outer : "", outer ? " › " : "",
                                  rq ? intake_question_get_label (rq, self->language) : repeat,
                                  inner);
          name = child;
        }
      else
        text = g_strdup_printf ("%s: %s",
                                q && intake_question_get_label (q, self->language)
                                    ? intake_question_get_label (q, self->language)
                                    : name,
                                intake_json_get_string (p, "message"));
      if (q == NULL)
        {
          add_label (box, text, "problem");
          continue;
        }
      button = _intake_interview_button (text, "big");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "problem");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
      g_object_set_data_full (G_OBJECT (button), "question", g_strdup (name), g_free);
      if (repeat != NULL)
        {
          g_object_set_data_full (G_OBJECT (button), "repeat", g_steal_pointer (&repeat),
                                  g_free);
          g_object_set_data (G_OBJECT (button), "entry", GUINT_TO_POINTER (entry));
        }
      g_signal_connect (button, "clicked", G_CALLBACK (jump_cb), self);
      gtk_box_append (box, button);
      if (self->first_problem == NULL)
        self->first_problem = button;
    }
}

/* Every question shown now with its answer, each one tap away; sensitive answers stay masked
 * here (the question itself unmasks them). */
static void
show_all_answers (IntakeInterviewSummary *self)
{
  g_auto (GStrv) visible = intake_form_session_dup_visible (self->fs);

  for (guint i = 0; visible[i] != NULL; i++)
    {
      const IntakeQuestion *q = intake_form_lookup_question (self->form, visible[i]);
      JsonNode *answer = _intake_interview_top_answer (self->fs, visible[i]);
      g_autofree char *problem = NULL;
      g_autofree char *text = NULL;
      g_autofree char *title = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *name = NULL;
      g_autofree char *label = NULL;
      GtkWidget *row, *button;

      if (q == NULL || !intake_question_is_answerable (q))
        continue;
      problem = intake_form_session_dup_problem (self->fs, visible[i]);
      if (answer != NULL && intake_question_get_sensitive (q)
          && !intake_answer_is_declined (answer))
        text = g_strdup (_("Sensitive answer hidden"));
      else if (intake_question_get_question_type (q) == INTAKE_QUESTION_REPEAT)
        text = _intake_interview_repeat_text (self->form, self->fs, self->language, q, answer);
      else
        text = _intake_answer_to_text (q, answer, self->language);
      if (problem != NULL)
        {
          g_autofree char *with = g_strdup_printf ("%s — %s", text, problem);
          g_free (text);
          text = g_steal_pointer (&with);
        }
      row = adw_action_row_new ();
      /* The words its page shows: ${x} filled in, a child's wording when it applies. */
      label = intake_form_session_dup_label_in (self->fs, NULL, 0, visible[i]);
      if (label == NULL)
        label = g_strdup (visible[i]);
      title = g_markup_escape_text (label, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      escaped = g_markup_escape_text (text, -1);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      /* No limit on lines: a long question cut after three lines at 360 px loses its end. */
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      if (problem != NULL || answer == NULL)
        gtk_widget_add_css_class (row, "error");
      button = _intake_interview_button (_("Change"), "big");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      name = g_strdup_printf (_("Change: %s"), label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      name, -1);
      g_object_set_data_full (G_OBJECT (button), "question", g_strdup (visible[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (jump_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->answers_list, row);
    }
}

GtkWidget *
intake_interview_summary_new (IntakeForm *form, IntakeFormSession *fs, const char *language,
                              const char *review_note)
{
  IntakeInterviewSummary *self;
  g_autoptr (JsonNode) result = NULL;
  g_autoptr (JsonNode) problems = NULL;

  g_return_val_if_fail (INTAKE_IS_FORM (form), NULL);
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (fs), NULL);

  self = g_object_new (INTAKE_TYPE_INTERVIEW_SUMMARY, NULL);
  self->form = g_object_ref (form);
  self->fs = g_object_ref (fs);
  self->language = g_strdup (language);

  if (g_strv_length ((GStrv) intake_form_get_languages (form)) > 1)
    {
      g_autofree char *text = g_strdup_printf (_("Respondent: %s"),
                                               _intake_interview_language_name (language));
      gtk_label_set_label (self->language_label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      gtk_widget_set_visible (GTK_WIDGET (self->language_button), TRUE);
    }
  if (review_note != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Supervisor’s note: %s"), review_note);
      gtk_label_set_label (self->note_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
    }
  result = intake_form_session_dup_result_json (fs);
  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    show_result (self, json_node_get_object (result));
  problems = intake_form_session_dup_problems_json (fs);
  if (problems != NULL && JSON_NODE_HOLDS_ARRAY (problems)
      && json_array_get_length (json_node_get_array (problems)) > 0)
    show_problems (self, json_node_get_array (problems));
  show_all_answers (self);
  return GTK_WIDGET (self);
}

void
intake_interview_summary_show_error (IntakeInterviewSummary *self, const char *message)
{
  g_return_if_fail (INTAKE_IS_INTERVIEW_SUMMARY (self));

  gtk_label_set_label (self->message_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
}

GtkWidget *
intake_interview_summary_get_complete_button (IntakeInterviewSummary *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_SUMMARY (self), NULL);

  return GTK_WIDGET (self->complete_button);
}

GtkWidget *
intake_interview_summary_get_language_button (IntakeInterviewSummary *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_SUMMARY (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->language_button))
             ? GTK_WIDGET (self->language_button)
             : NULL;
}

GtkWidget *
intake_interview_summary_get_first_problem (IntakeInterviewSummary *self)
{
  g_return_val_if_fail (INTAKE_IS_INTERVIEW_SUMMARY (self), NULL);

  return self->first_problem;
}

static void
intake_interview_summary_dispose (GObject *object)
{
  IntakeInterviewSummary *self = INTAKE_INTERVIEW_SUMMARY (object);

  self->first_problem = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (object), INTAKE_TYPE_INTERVIEW_SUMMARY);
  g_clear_object (&self->fs);
  g_clear_object (&self->form);
  G_OBJECT_CLASS (intake_interview_summary_parent_class)->dispose (object);
}

static void
intake_interview_summary_finalize (GObject *object)
{
  IntakeInterviewSummary *self = INTAKE_INTERVIEW_SUMMARY (object);

  g_free (self->language);
  G_OBJECT_CLASS (intake_interview_summary_parent_class)->finalize (object);
}

static void
intake_interview_summary_class_init (IntakeInterviewSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_interview_summary_dispose;
  object_class->finalize = intake_interview_summary_finalize;

  signals[SIGNAL_JUMP] = g_signal_new ("jump", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                       G_TYPE_STRING, G_TYPE_UINT);
  signals[SIGNAL_COMPLETE] = g_signal_new ("complete", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);
  signals[SIGNAL_SWITCH_LANGUAGE] = g_signal_new ("switch-language", G_TYPE_FROM_CLASS (klass),
                                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/org/fieldintake/Intake/intake-interview-summary.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, language_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, language_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, note_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, result_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, problems_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, answers_list);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, message_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeInterviewSummary, complete_button);
  gtk_widget_class_bind_template_callback (widget_class, language_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, complete_clicked_cb);
}

static void
intake_interview_summary_init (IntakeInterviewSummary *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
