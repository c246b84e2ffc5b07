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
  GtkLabel *done_more_label;
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
row_activated_cb (GtkListBox *list, GtkListBoxRow *row, IntakeHomePage *self)
{
  const char *id = g_object_get_data (G_OBJECT (row), "interview-id");

  if (id != NULL)
    g_signal_emit (self, signals[SIGNAL_OPEN_INTERVIEW], 0, id);
}

static GtkWidget *
make_label (const char *text, const char *css_class, gboolean wrap)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* One line, cut with an ellipsis: a wrapping label is laid out many times over to find its
   * height, and home must appear at once after the unlock even with many rows. Only a
   * supervisor's note wraps: it must be read whole. */
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
    }
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* One interview on home: its pseudonym, its state and when it was last saved, a returned one's
 * note, and Continue for a draft. A plain list row with two or three labels, not an
 * AdwActionRow, whose wrapping title and subtitle cost several milliseconds each to lay out. */
static GtkWidget *
make_row (IntakeHomePage *self, IntakeInterview *iv, const char *note, gboolean can_open)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autoptr (GDateTime) updated = g_date_time_new_from_unix_local (iv->updated);
  g_autofree char *when = g_date_time_format (updated, "%Y-%m-%d %H:%M");
  JsonObject *answers = iv->content ? intake_json_get_object (iv->content, "answers") : NULL;
  /* The pseudonym as last answered, when the form asks for one; else the one made at creation. */
  const char *pseudonym = answers ? intake_json_get_string (answers, "pseudonym") : NULL;
  g_autofree char *subtitle = NULL;
  const char *title;

  if (pseudonym == NULL || *pseudonym == '\0')
    pseudonym = iv->content ? intake_json_get_string (iv->content, "pseudonym") : NULL;
  title = pseudonym && *pseudonym ? pseudonym : _("Interview");
  subtitle = g_strdup_printf (_("%s · last saved %s"), state_words (iv), when);

  gtk_widget_add_css_class (row, "interview-row");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_size_request (box, -1, 64);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (texts), make_label (title, NULL, FALSE));
  if (note != NULL)
    {
      g_autofree char *with_note = g_strdup_printf (_("Supervisor’s note: %s"), note);
      gtk_box_append (GTK_BOX (texts), make_label (with_note, NULL, TRUE));
    }
  /* The state and time wrap: cut at 360 px, the time (or the state) would be lost. */
  gtk_box_append (GTK_BOX (texts), make_label (subtitle, "dim-label", TRUE));
  gtk_box_append (GTK_BOX (box), texts);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), can_open);
  /* The title names the row; what state it is in is its description. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state_words (iv), -1);
  if (can_open)
    {
      GtkWidget *button = gtk_button_new_with_label (_("Continue"));
      g_autofree char *name = g_strdup_printf (_("Continue %s"), title);

      /* A large button as well as the row: rows cannot be activated through AT-SPI in 4.8. */
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "big");
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      name, -1);
      g_object_set_data_full (G_OBJECT (button), "interview-id", g_strdup (iv->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (continue_clicked_cb), self);
      gtk_box_append (GTK_BOX (box), button);
      /* The row opens it too. */
      g_object_set_data_full (G_OBJECT (row), "interview-id", g_strdup (iv->id), g_free);
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
  gtk_widget_set_visible (GTK_WIDGET (self->done_more_label), FALSE);
  gtk_label_set_label (self->greeting_label, "");
  gtk_label_set_label (self->outbox_label, "");
}

/* Home lists every draft (each is work to finish) but only the newest completed interviews: a
 * tablet may hold thousands, and home must open at once after the unlock. */
#define HOME_DONE_SHOWN 10

void
intake_home_page_refresh (IntakeHomePage *self, IntakeSession *session)
{
  g_autoptr (GPtrArray) drafts = NULL;
  g_autoptr (GPtrArray) done = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = NULL;
  IntakeOutboxCounts counts = { 0 };
  int n_returned = 0, n_drafts = 0, n_review = 0;
  gint64 n_done = 0;
  gboolean supervisor;

  g_return_if_fail (INTAKE_IS_HOME_PAGE (self));
  g_return_if_fail (INTAKE_IS_SESSION (session));

  intake_home_page_clear (self);
  greeting = g_strdup_printf (_("Hello, %s"), intake_session_get_user_name (session));
  gtk_label_set_label (self->greeting_label, greeting);
  supervisor = intake_session_get_role (session) == INTAKE_ROLE_SUPERVISOR;

  /* Supervisors may read everyone's interviews; home shows the user's own. */
  drafts = intake_session_list_interviews (session, INTAKE_LIST_MY_DRAFTS, 0, TRUE, &error);
  if (drafts != NULL)
    done = intake_session_list_interviews (session, INTAKE_LIST_MY_DONE, HOME_DONE_SHOWN, TRUE,
                                           &error);
  if (done != NULL)
    n_done = intake_session_count_interviews (session, INTAKE_LIST_MY_DONE, &error);
  if (done != NULL && n_done >= 0 && supervisor)
    n_review = (int) intake_session_count_interviews (session, INTAKE_LIST_REVIEW_QUEUE, &error);
  if (drafts == NULL || done == NULL || n_done < 0 || n_review < 0)
    {
      gtk_label_set_label (self->outbox_label, error->message);
      return;
    }
  for (guint i = 0; i < drafts->len; i++)
    {
      IntakeInterview *iv = drafts->pdata[i];
      JsonObject *note = iv->content ? intake_json_get_object (iv->content, "review_note") : NULL;

      if (note != NULL)
        {
          gtk_list_box_append (self->returned_list,
                               make_row (self, iv, intake_json_get_string (note, "text"), TRUE));
          n_returned++;
        }
      else
        {
          gtk_list_box_append (self->drafts_list, make_row (self, iv, NULL, TRUE));
          n_drafts++;
        }
    }
  for (guint i = 0; i < done->len; i++)
    gtk_list_box_append (self->done_list, make_row (self, done->pdata[i], NULL, FALSE));
  if (n_done > (gint64) done->len)
    {
      int total = (int) MIN (n_done, G_MAXINT);
      g_autofree char *more = g_strdup_printf (
          ngettext ("The newest %u of %d completed interview are shown.",
                    "The newest %u of %d completed interviews are shown.", total),
          done->len, total);
      gtk_label_set_label (self->done_more_label, more);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->done_more_label), n_done > (gint64) done->len);
  gtk_widget_set_visible (GTK_WIDGET (self->returned_title), n_returned > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->returned_list), n_returned > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->drafts_title), n_drafts > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->drafts_list), n_drafts > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->done_title), n_done > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->done_list), n_done > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), drafts->len == 0 && n_done == 0);

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

  if (intake_outbox_counts (intake_session_get_store (session), &counts, NULL))
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
  gtk_widget_class_bind_template_child (widget_class, IntakeHomePage, done_more_label);
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
  g_signal_connect (self->returned_list, "row-activated", G_CALLBACK (row_activated_cb), self);
  g_signal_connect (self->drafts_list, "row-activated", G_CALLBACK (row_activated_cb), self);
}
