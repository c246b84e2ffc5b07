/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "intake-interview-private.h"
#include "intake-repeat-list.h"

struct _IntakeRepeatList
{
  GtkBox parent_instance;

  GtkLabel *empty_label;
  GtkListBox *list;
  GtkButton *add_button;
  GtkLabel *add_label;

  guint n_entries;
  /* What the rows are built from, kept to build them again for another path. */
  IntakeForm *form;
  IntakeFormSession *fs;
  const IntakeQuestion *repeat;
  char *language;
  char *path; /* The repeat's path: its name, or inside an entry "household[2]/member". */
};

G_DEFINE_FINAL_TYPE (IntakeRepeatList, intake_repeat_list, GTK_TYPE_BOX)

enum
{
  SIGNAL_ADD_ENTRY,
  SIGNAL_CHANGE_ENTRY,
  SIGNAL_REMOVE_ENTRY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_clicked_cb (GtkButton *button, IntakeRepeatList *self)
{
  g_signal_emit (self, signals[SIGNAL_ADD_ENTRY], 0);
}

static void
change_clicked_cb (GtkButton *button, IntakeRepeatList *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGE_ENTRY], 0,
                 GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "entry")));
}

static void
remove_clicked_cb (GtkButton *button, IntakeRepeatList *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE_ENTRY], 0,
                 GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "entry")));
}

/* One entry's row: its answers in a line (with its first problem), Change and Remove. */
static GtkWidget *
make_row (IntakeRepeatList *self, IntakeForm *form, IntakeFormSession *fs, const char *name,
          const char *language, guint i)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  g_autofree char *title = g_strdup_printf (_("Entry %u"), i + 1);
  g_autofree char *text = _intake_interview_entry_text_at (form, fs, language, name, i);
  g_autofree char *escaped = NULL;
  g_autofree char *change = g_strdup_printf (_("Change entry %u"), i + 1);
  g_autofree char *remove = g_strdup_printf (_("Remove entry %u"), i + 1);
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (fs, name, i);
  gboolean wrong = FALSE;

  for (guint k = 0; steps != NULL && steps[k] != NULL && !wrong; k++)
    {
      g_autofree char *problem = intake_form_session_dup_entry_problem (fs, name, i, steps[k]);
      if (problem != NULL)
        {
          g_autofree char *with = g_strdup_printf ("%s — %s", text, problem);
          g_free (text);
          text = g_steal_pointer (&with);
          wrong = TRUE;
        }
    }
  escaped = g_markup_escape_text (text, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (wrong)
    gtk_widget_add_css_class (row, "error");

  button = _intake_interview_button (_("Change"), "big");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, change,
                                  -1);
  g_object_set_data (G_OBJECT (button), "entry", GUINT_TO_POINTER (i));
  g_signal_connect (button, "clicked", G_CALLBACK (change_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_add_css_class (button, "big");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, remove);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove,
                                  -1);
  g_object_set_data (G_OBJECT (button), "entry", GUINT_TO_POINTER (i));
  g_signal_connect (button, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

/* The rows of the entries at self->path, as answered now. */
static void
populate (IntakeRepeatList *self)
{
  JsonArray *entries;
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, row);
  entries = self->fs != NULL ? _intake_interview_entries_of (self->fs, self->path) : NULL;
  self->n_entries = entries ? json_array_get_length (entries) : 0;
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), self->n_entries == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list), self->n_entries > 0);
  for (guint i = 0; i < self->n_entries; i++)
    gtk_list_box_append (self->list,
                         make_row (self, self->form, self->fs, self->path, self->language, i));
  gtk_label_set_label (self->add_label, self->n_entries == 0 ? _("Add an entry")
                                                             : _("Add another entry"));
}

GtkWidget *
intake_repeat_list_new (IntakeForm *form, IntakeFormSession *fs, const IntakeQuestion *repeat,
                        const char *language)
{
  IntakeRepeatList *self;

  g_return_val_if_fail (INTAKE_IS_FORM (form), NULL);
  g_return_val_if_fail (repeat != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_REPEAT_LIST, NULL);
  self->form = g_object_ref (form);
  self->fs = fs != NULL ? g_object_ref (fs) : NULL;
  self->repeat = repeat;
  self->language = g_strdup (language);
  self->path = g_strdup (intake_question_get_name (repeat));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  intake_question_get_label (repeat, language), -1);
  populate (self);
  return GTK_WIDGET (self);
}

void
intake_repeat_list_set_path (IntakeRepeatList *self, const char *path)
{
  g_return_if_fail (INTAKE_IS_REPEAT_LIST (self));
  g_return_if_fail (path != NULL);

  g_free (self->path);
  self->path = g_strdup (path);
  populate (self);
}

guint
intake_repeat_list_get_n_entries (IntakeRepeatList *self)
{
  g_return_val_if_fail (INTAKE_IS_REPEAT_LIST (self), 0);

  return self->n_entries;
}

GtkWidget *
intake_repeat_list_get_add_button (IntakeRepeatList *self)
{
  g_return_val_if_fail (INTAKE_IS_REPEAT_LIST (self), NULL);

  return GTK_WIDGET (self->add_button);
}

static void
intake_repeat_list_dispose (GObject *object)
{
  IntakeRepeatList *self = INTAKE_REPEAT_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), INTAKE_TYPE_REPEAT_LIST);
  g_clear_object (&self->form);
  g_clear_object (&self->fs);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->path, g_free);
  G_OBJECT_CLASS (intake_repeat_list_parent_class)->dispose (object);
}

static void
intake_repeat_list_class_init (IntakeRepeatListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_repeat_list_dispose;

  signals[SIGNAL_ADD_ENTRY] = g_signal_new ("add-entry", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            0);
  signals[SIGNAL_CHANGE_ENTRY] = g_signal_new ("change-entry", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_REMOVE_ENTRY] = g_signal_new ("remove-entry", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-repeat-list.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeRepeatList, empty_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeRepeatList, list);
  gtk_widget_class_bind_template_child (widget_class, IntakeRepeatList, add_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeRepeatList, add_label);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
intake_repeat_list_init (IntakeRepeatList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
