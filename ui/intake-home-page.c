/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-home-page.h"
#include "intake-json.h"
#include "intake-outbox.h"

struct _IntakeHomePage
{
  AdwBin parent_instance;

  GtkLabel *greeting_label;
  GtkButton *new_button;
  GtkButton *review_button;
  GtkButton *admin_button;
  GtkLabel *outbox_label;
  GtkLabel *sync_label;
  GtkButton *sync_button;
  GtkLabel *returned_title;
  GtkListBox *returned_list;
  GtkLabel *drafts_title;
  GtkListBox *drafts_list;
  GtkLabel *done_title;
  GtkListBox *done_list;
  GtkLabel *empty_label;
};

G_DEFINE_FINAL_TYPE (IntakeHomePage, intake_home_page, ADW_TYPE_BIN)

enum
{
  SIGNAL_NEW_INTERVIEW,
  SIGNAL_OPEN_INTERVIEW,
  SIGNAL_REVIEW,
  SIGNAL_ADMIN,
  SIGNAL_SYNC_NOW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
new_clicked_cb (IntakeHomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_NEW_INTERVIEW], 0);
}

static void
review_clicked_cb (IntakeHomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_REVIEW], 0);
}

static void
admin_clicked_cb (IntakeHomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_ADMIN], 0);
}

static void
sync_clicked_cb (IntakeHomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_SYNC_NOW], 0);
}

void
intake_home_page_set_sync_status (IntakeHomePage *self, const char *text, gboolean can_sync)
{
  g_return_if_fail (INTAKE_IS_HOME_PAGE (self));

  gtk_label_set_label (self->sync_label, text ? text : "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), can_sync);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static const char *
state_words (IntakeInterview *iv)
{
  if (iv->is_void)
    return _("Void");
  switch (iv->state)
    {
    case INTAKE_STATE_DRAFT:
      return _("Not finished");
    case INTAKE_STATE_AWAITING_REVIEW:
      return _("Waiting for a supervisor");
    case INTAKE_STATE_QUEUED:
      return _("Waiting to send");
    case INTAKE_STATE_SENT:
      return _("Sent");
    case INTAKE_STATE_PURGED:
      return _("Sent and removed from the tablet");
    default:
      return "";
    }
}

static void
continue_clicked_cb (GtkButton *button, IntakeHomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_OPEN_INTERVIEW], 0,
                 g_object_get_data (G_OBJECT (button), "interview-id"));
}

static void
continue_row_cb (AdwActionRow *row, IntakeHomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_OPEN_INTERVIEW], 0,
                 g_object_get_data (G_OBJECT (row), "interview-id"));
}

static GtkWidget *
make_row (IntakeHomePage *self, IntakeInterview *iv, const char *note, gboolean can_open)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr (GDateTime) updated = g_date_time_new_from_unix_local (iv->updated);
  g_autofree char *when = g_date_time_format (updated, "%Y-%m-%d %H:%M");
  JsonObject *answers = iv->content ? intake_json_get_object (iv->content, "answers") : NULL;
  /* The pseudonym as last answered, when the form asks for one; else the one made at creation. */
  const char *pseudonym = answers ? intake_json_get_string (answers, "pseudonym") : NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (pseudonym == NULL || *pseudonym == '\0')
    pseudonym = iv->content ? intake_json_get_string (iv->content, "pseudonym") : NULL;
  title = g_markup_escape_text (pseudonym && *pseudonym ? pseudonym : _("Interview"), -1);
  if (note != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (note, -1);
      subtitle = g_strdup_printf (_("Supervisor’s note: %s\n%s · last saved %s"), escaped,
                                  state_words (iv), when);
    }
  else
    subtitle = g_strdup_printf (_("%s · last saved %s"), state_words (iv), when);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  gtk_widget_set_size_request (row, -1, 64);
  /* The title names the row; what state it is in is its description. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  state_words (iv), -1);
  if (can_open)
    {
      GtkWidget *button = gtk_button_new_with_label (_("Continue"));
      g_autofree char *name = g_strdup_printf (_("Continue %s"), pseudonym && *pseudonym
                                                                     ? pseudonym
                                                                     : _("Interview"));

      /* A large button as well as the row: rows cannot be activated through AT-SPI in 4.8. */
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "big");
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      name, -1);
      g_object_set_data_full (G_OBJECT (button), "interview-id", g_strdup (iv->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (continue_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      /* The row opens it too (not through set_activatable_widget, which would make the row
       * name the button and GTK 4.8 say the name twice). */
      g_object_set_data_full (G_OBJECT (row), "interview-id", g_strdup (iv->id), g_free);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_signal_connect (row, "activated", G_CALLBACK (continue_row_cb), self);
    }
  return row;
}

void
intake_home_page_clear (IntakeHomePage *self)
{
  g_return_if_fail (INTAKE_IS_HOME_PAGE (self));

  clear_list (self->returned_list);
  clear_list (self->drafts_list);
  clear_list (self->done_list);
  gtk_label_set_label (self->greeting_label, "");
  gtk_label_set_label (self->outbox_label, "");
}

void
intake_home_page_refresh (IntakeHomePage *self, IntakeSession *session)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = NULL;
  IntakeOutboxCounts counts = { 0 };
  int n_returned = 0, n_drafts = 0, n_done = 0, n_review = 0, n_mine_waiting = 0;
  gboolean supervisor;

  g_return_if_fail (INTAKE_IS_HOME_PAGE (self));
  g_return_if_fail (INTAKE_IS_SESSION (session));

  intake_home_page_clear (self);
  greeting = g_strdup_printf (_("Hello, %s"), intake_session_get_user_name (session));
  gtk_label_set_label (self->greeting_label, greeting);
  supervisor = intake_session_get_role (session) == INTAKE_ROLE_SUPERVISOR;

  list = intake_session_list_interviews (session, INTAKE_LIST_ALL, 0, TRUE, &error);
  if (list == NULL)
    {
      gtk_label_set_label (self->outbox_label, error->message);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      IntakeInterview *iv = list->pdata[i];
      gboolean mine = g_strcmp0 (iv->author_id, intake_session_get_user_id (session)) == 0;
      JsonObject *note = iv->content ? intake_json_get_object (iv->content, "review_note") : NULL;

      if (iv->state == INTAKE_STATE_AWAITING_REVIEW)
        n_review++;
      /* Supervisors see everyone's interviews in the store; home shows their own. */
      if (!mine)
        continue;
      if (iv->state == INTAKE_STATE_DRAFT && note != NULL)
        {
          gtk_list_box_append (self->returned_list,
                               make_row (self, iv, intake_json_get_string (note, "text"), TRUE));
          n_returned++;
        }
      else if (iv->state == INTAKE_STATE_DRAFT)
        {
          gtk_list_box_append (self->drafts_list, make_row (self, iv, NULL, TRUE));
          n_drafts++;
        }
      else
        {
          if (iv->state == INTAKE_STATE_AWAITING_REVIEW || iv->state == INTAKE_STATE_QUEUED)
            n_mine_waiting++;
          gtk_list_box_append (self->done_list, make_row (self, iv, NULL, FALSE));
          n_done++;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->returned_title), n_returned > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->returned_list), n_returned > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->drafts_title), n_drafts > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->drafts_list), n_drafts > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->done_title), n_done > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->done_list), n_done > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), list->len == 0);

  gtk_widget_set_visible (GTK_WIDGET (self->review_button), supervisor);
  gtk_widget_set_visible (GTK_WIDGET (self->admin_button),
                          intake_session_get_role (session) == INTAKE_ROLE_ADMIN);
  if (supervisor)
    {
      g_autofree char *label = g_strdup_printf (
          ngettext ("Review: %d interview waits", "Review: %d interviews wait", n_review),
          n_review);
      gtk_button_set_label (self->review_button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->review_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Review"),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, label, -1);
    }

  if (intake_store_outbox_counts (intake_session_get_store (session), &counts, NULL))
    {
      int waiting = counts.pending + counts.unsealed;
      g_autofree char *text = NULL;

      if (waiting == 0 && counts.needs_attention == 0)
        text = g_strdup (_("Nothing waits to be sent."));
      else if (counts.needs_attention > 0)
        text = g_strdup_printf (ngettext ("%d interview waits to be sent; %d needs an admin.",
                                          "%d interviews wait to be sent; %d need an admin.",
                                          waiting),
                                waiting, counts.needs_attention);
      else
        text = g_strdup_printf (ngettext ("%d interview waits to be sent.",
                                          "%d interviews wait to be sent.", waiting),
                                waiting);
      gtk_label_set_label (self->outbox_label, text);
    }
}

static void
intake_home_page_dispose (GObject *object)
{
  /* The bin's child is the template's root: let go of it before the template does. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), INTAKE_TYPE_HOME_PAGE);
  G_OBJECT_CLASS (intake_home_page_parent_class)->dispose (object);
}

/* Shown (after unlock, after an interview): the keyboard starts on New interview, unless the
 * focus is already somewhere on this page. */
static void
intake_home_page_map (GtkWidget *widget)
{
  IntakeHomePage *self = INTAKE_HOME_PAGE (widget);
  GtkRoot *root;
  GtkWidget *focus;

  GTK_WIDGET_CLASS (intake_home_page_parent_class)->map (widget);
  root = gtk_widget_get_root (widget);
  focus = root ? gtk_root_get_focus (root) : NULL;
  if (focus == NULL || !gtk_widget_is_ancestor (focus, widget))
    gtk_widget_grab_focus (GTK_WIDGET (self->new_button));
}

static void
intake_home_page_class_init (IntakeHomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_home_page_dispose;
  widget_class->map = intake_home_page_map;

  signals[SIGNAL_NEW_INTERVIEW] = g_signal_new ("new-interview", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[SIGNAL_OPEN_INTERVIEW] = g_signal_new ("open-interview", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SYNC_NOW] = g_signal_new ("sync-now", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);
  signals[SIGNAL_REVIEW] = g_signal_new ("review", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ADMIN] = g_signal_new ("admin", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-home-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, greeting_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, new_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, review_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, admin_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, outbox_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, sync_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, returned_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, returned_list);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, drafts_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, drafts_list);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, done_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, done_list);
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, empty_label);
  gtk_widget_class_bind_template_callback (widget_class, new_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, review_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, admin_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
}

static void
intake_home_page_init (IntakeHomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
