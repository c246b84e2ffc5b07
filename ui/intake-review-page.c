/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-form-session.h"
#include "intake-json.h"
#include "intake-review-page.h"
#include "intake-ui-private.h"

/*
 * A supervisor's review: the queue of completed interviews (urgent first), then one interview
 * read-only with its screening result and answers, and Approve, Return with a note, Void with a
 * reason. The window creates this page for each visit and destroys it on leaving or locking, so
 * no decrypted content outlives it.
 */
struct _IntakeReviewPage
{
  AdwBin parent_instance;

  GtkScrolledWindow *scroll;
  GtkBox *content_box;

  IntakeSession *session;
  char *interview_id;
  /* A decision waits for the store: its kind (a Decision). */
  gboolean busy;
  int deciding;
  GtkEditable *note_entry;
  GtkLabel *message_label;
};

G_DEFINE_FINAL_TYPE (IntakeReviewPage, intake_review_page, ADW_TYPE_BIN)

enum
{
  SIGNAL_CLOSED,
  SIGNAL_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum
{
  PROP_0,
  PROP_BACK_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean show_queue (IntakeReviewPage *self, GError **error);

static void
clear_content (IntakeReviewPage *self)
{
  GtkWidget *child;

  self->note_entry = NULL;
  self->message_label = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content_box))) != NULL)
    gtk_box_remove (self->content_box, child);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroll), 0);
}

static GtkWidget *
add_label (IntakeReviewPage *self, const char *text, const char *css_class)
{
  return _intake_box_add_label (self->content_box, text, css_class);
}

static const char *
pseudonym_of (IntakeInterview *iv)
{
  const char *p = NULL;
  JsonObject *answers = iv->content ? intake_json_get_object (iv->content, "answers") : NULL;

  if (answers != NULL)
    p = intake_json_get_string (answers, "pseudonym");
  if ((p == NULL || *p == '\0') && iv->content != NULL)
    p = intake_json_get_string (iv->content, "pseudonym");
  return p && *p ? p : _("Interview");
}

static gboolean
is_urgent (IntakeInterview *iv)
{
  return iv->result != NULL && JSON_NODE_HOLDS_OBJECT (iv->result)
         && json_object_get_boolean_member_with_default (json_node_get_object (iv->result),
                                                         "urgent", FALSE);
}

static void
back_home_cb (GtkButton *button, IntakeReviewPage *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
back_to_queue_cb (GtkButton *button, IntakeReviewPage *self)
{
  g_autoptr (GError) error = NULL;

  if (!show_queue (self, &error))
    g_signal_emit (self, signals[SIGNAL_TOAST], 0, error->message);
}

typedef enum
{
  DECISION_APPROVE,
  DECISION_RETURN,
  DECISION_VOID,
} Decision;

/* A decision's result, back from the session's queue: the page is held until then. */
static void
decided_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeReviewPage) self = user_data;
  IntakeSession *session = INTAKE_SESSION (source);
  g_autoptr (GError) error = NULL;
  Decision decision = self->deciding;
  gboolean ok;
  const char *done;

  self->busy = FALSE;
  switch (decision)
    {
    case DECISION_APPROVE:
      ok = intake_session_approve_interview_finish (session, result, &error);
      done = _("Approved: it is sealed for the server and waits to be sent");
      break;
    case DECISION_RETURN:
      ok = intake_session_return_interview_finish (session, result, &error);
      done = _("Returned to the worker with your note");
      break;
    case DECISION_VOID:
    default:
      ok = intake_session_void_interview_finish (session, result, &error);
      done = _("Voided");
      break;
    }
  /* The page was closed (a lock) while the store worked: nothing left to show. */
  if (self->session == NULL)
    return;
  if (!ok)
    {
      if (self->message_label != NULL)
        {
          gtk_label_set_label (self->message_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
        }
      return;
    }
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, done);
  back_to_queue_cb (NULL, self);
}

/* Each decision is one transaction (the state, the seal, the audit) on the session's queue,
 * off the window's thread. */
static void
decide (IntakeReviewPage *self, Decision decision)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (self->note_entry)));

  if (self->busy)
    return;
  if (decision != DECISION_APPROVE && *text == '\0')
    {
      gtk_label_set_label (self->message_label,
                           decision == DECISION_RETURN
                               ? _("Write a note for the worker first: what to look at again.")
                               : _("Write the reason for voiding first."));
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
      return;
    }
  self->busy = TRUE;
  self->deciding = decision;
  switch (decision)
    {
    case DECISION_APPROVE:
      intake_session_approve_interview_async (self->session, self->interview_id, NULL,
                                              decided_cb, g_object_ref (self));
      break;
    case DECISION_RETURN:
      intake_session_return_interview_async (self->session, self->interview_id, text, NULL,
                                             decided_cb, g_object_ref (self));
      break;
    case DECISION_VOID:
    default:
      intake_session_void_interview_async (self->session, self->interview_id, text, NULL,
                                           decided_cb, g_object_ref (self));
      break;
    }
  /* The queue copied the note. */
  intake_crypto_wipe_string (text);
}

static void
approve_cb (GtkButton *button, IntakeReviewPage *self)
{
  decide (self, DECISION_APPROVE);
}

static void
return_cb (GtkButton *button, IntakeReviewPage *self)
{
  decide (self, DECISION_RETURN);
}

static void
void_cb (GtkButton *button, IntakeReviewPage *self)
{
  decide (self, DECISION_VOID);
}

static void
show_result (IntakeReviewPage *self, JsonObject *r)
{
  JsonArray *referrals = intake_json_get_array (r, "referrals");
  JsonArray *urgent = intake_json_get_array (r, "urgent_reasons");
  g_autofree char *level = NULL;

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
      _intake_box_add_banner (self->content_box, "dialog-warning-symbolic", text->str, "urgent");
    }
  level = g_strdup_printf (_("Screening result: %s"),
                           intake_json_get_string (r, "level_label")
                               ? intake_json_get_string (r, "level_label")
                               : "");
  add_label (self, level, "title-3");
  if (intake_json_get_string (r, "rule_label"))
    add_label (self, intake_json_get_string (r, "rule_label"), NULL);
  /* The framework's dimensions are the supervisor's to weigh; the worker's summary gives the
   * reasons in plain words only. */
  {
    JsonArray *dimensions = intake_json_get_array (r, "dimensions");

    for (guint i = 0; dimensions && i < json_array_get_length (dimensions); i++)
      {
        JsonNode *node = json_array_get_element (dimensions, i);
        JsonObject *d;
        g_autofree char *line = NULL;

        if (!JSON_NODE_HOLDS_OBJECT (node))
          continue;
        d = json_node_get_object (node);
        if (!json_object_get_boolean_member_with_default (d, "met", FALSE))
          continue;
        line = g_strdup_printf (_("Dimension met: %s"),
                                intake_json_get_string (d, "label")
                                    ? intake_json_get_string (d, "label")
                                    : intake_json_get_string (d, "id"));
        add_label (self, line, NULL);
      }
  }
  for (guint i = 0; referrals && i < json_array_get_length (referrals); i++)
    {
      JsonNode *node = json_array_get_element (referrals, i);
      g_autofree char *line = NULL;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      line = g_strdup_printf (_("Refer: %s"),
                              intake_json_get_string (json_node_get_object (node), "label"));
      add_label (self, line, NULL);
    }
  if (intake_json_get_string (r, "disclaimer"))
    add_label (self, intake_json_get_string (r, "disclaimer"), "dim-label");
}

static void
add_computed_row (GtkWidget **list, const char *label, const char *value)
{
  g_autofree char *title = g_markup_escape_text (label, -1);
  g_autofree char *subtitle = g_markup_escape_text (*value != '\0' ? value : _("(empty)"), -1);
  GtkWidget *row;

  if (*list == NULL)
    {
      *list = gtk_list_box_new ();
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (*list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (*list, "boxed-list");
      gtk_accessible_update_property (GTK_ACCESSIBLE (*list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Computed"), -1);
    }
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_append (GTK_LIST_BOX (*list), row);
}

/* The rows of calculations being built, and the session whose answers fill their words. */
typedef struct
{
  GtkWidget *list;
  IntakeFormSession *fs;
} ComputedRows;

/* The path of levels[n - 1]'s repeat through the entries that hold it ("boats[2]/crew"), as
 * intake_form_session_dup_label_in () takes it. */
static char *
level_path (const IntakeEntryLevel *levels, unsigned int n)
{
  GString *path = g_string_new (NULL);

  for (unsigned int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_printf (path, "[%u]/", levels[i - 1].entry + 1);
      g_string_append (path, intake_question_get_name (levels[i].repeat));
    }
  return g_string_free (path, FALSE);
}

/* A label as its page words it, inside the entry levels[n - 1] (at the top level for n 0). */
static char *
dup_label_at (IntakeFormSession *fs, const IntakeEntryLevel *levels, unsigned int n,
              const IntakeQuestion *q)
{
  g_autofree char *path = n > 0 ? level_path (levels, n) : NULL;
  char *label = intake_form_session_dup_label_in (fs, path, n > 0 ? levels[n - 1].entry : 0,
                                                  intake_question_get_name (q));

  return label != NULL ? label : g_strdup (intake_question_get_name (q));
}

/* A calculation inside repeat entries (inner entries too), named by its entries: "Boats — entry
 * 1 › Crew — entry 2 › Tag", each ${x} in them read in its entry. */
static void
add_entry_computed (const IntakeEntryLevel *levels, unsigned int n_levels,
                    const IntakeQuestion *question, const char *value, gpointer user_data)
{
  ComputedRows *rows = user_data;
  g_autoptr (GString) title = g_string_new (NULL);
  g_autofree char *label = NULL;

  for (unsigned int i = 0; i < n_levels; i++)
    {
      g_autofree char *repeat_label = dup_label_at (rows->fs, levels, i, levels[i].repeat);

      g_string_append_printf (title, _("%s — entry %u"), repeat_label, levels[i].entry + 1);
      g_string_append (title, " › ");
    }
  label = dup_label_at (rows->fs, levels, n_levels, question);
  g_string_append (title, label);
  add_computed_row (&rows->list, title->str, value);
}

/* What the form computes from the answers (its calculations and metadata, those relevant now,
 * at the top level and inside repeat entries), as `intakectl interview show` lists them under
 * "Computed:". */
static void
show_computed (IntakeReviewPage *self, IntakeForm *form, IntakeFormSession *fs)
{
  ComputedRows rows = { NULL, fs };
  g_autoptr (JsonObject) exported = NULL;

  for (unsigned int i = 0; i < intake_form_get_n_questions (form); i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);
      const char *name = intake_question_get_name (q);
      g_autofree char *label = NULL;
      g_autofree char *value = NULL;

      if (intake_question_get_question_type (q) != INTAKE_QUESTION_CALCULATE
          || intake_question_get_parent (q) != NULL || !intake_form_session_is_relevant (fs, name))
        continue;
      label = intake_form_session_dup_label_in (fs, NULL, 0, name);
      value = intake_form_session_dup_value (fs, name);
      add_computed_row (&rows.list, label != NULL ? label : name, value);
    }
  exported = intake_form_session_dup_export_answers (fs);
  intake_form_foreach_entry_computed (form, exported, add_entry_computed, &rows);
  if (rows.list == NULL)
    return;
  add_label (self, _("Computed"), "title-3");
  gtk_box_append (self->content_box, rows.list);
}

static void
show_answers (IntakeReviewPage *self, IntakeInterview *iv)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autofree char *doc = intake_store_dup_form_document (store, iv->form_id, iv->form_version,
                                                         NULL);
  g_autoptr (IntakeForm) form = NULL;
  g_autoptr (IntakeFormSession) fs = NULL;
  g_auto (GStrv) visible = NULL;
  GtkWidget *list;

  form = doc ? intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS,
                                          NULL)
             : NULL;
  if (form == NULL)
    return;
  fs = intake_form_session_new (form, intake_json_get_object (iv->content, "answers"), NULL);
  visible = intake_form_session_dup_visible (fs);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Answers"), -1);
  for (guint i = 0; visible[i] != NULL; i++)
    {
      const IntakeQuestion *q = intake_form_lookup_question (form, visible[i]);
      JsonObject *answers = intake_form_session_get_answers (fs);
      JsonNode *answer = answers ? json_object_get_member (answers, visible[i]) : NULL;
      g_autofree char *text = NULL;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *label = NULL;
      GtkWidget *row;

      if (q == NULL || !intake_question_is_answerable (q))
        continue;
      if (answer != NULL && intake_question_get_sensitive (q)
          && !intake_answer_is_declined (answer))
        text = g_strdup (_("Sensitive answer hidden"));
      else
        text = _intake_answer_to_text (q, answer, NULL);
      row = adw_action_row_new ();
      /* ${x} filled in, as the worker's page showed the question. */
      label = intake_form_session_dup_label_in (fs, NULL, 0, visible[i]);
      title = g_markup_escape_text (label != NULL ? label : visible[i], -1);
      subtitle = g_markup_escape_text (text, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  add_label (self, _("Answers"), "title-3");
  gtk_box_append (self->content_box, list);
  show_computed (self, form, fs);
}

static void
open_interview (IntakeReviewPage *self, const char *interview_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeInterview) iv = NULL;
  g_autofree char *title = NULL;
  g_autofree char *by = NULL;
  GtkWidget *entry, *row, *b;

  g_free (self->interview_id);
  self->interview_id = g_strdup (interview_id);
  iv = intake_session_open_interview (self->session, self->interview_id, &error);
  if (iv == NULL || iv->content == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_TOAST], 0,
                     error ? error->message : _("This interview cannot be opened"));
      return;
    }
  clear_content (self);

  title = g_strdup_printf (_("Review: %s"), pseudonym_of (iv));
  add_label (self, title, "title-1");
  by = g_strdup_printf (_("Interviewed by %s"), iv->author_name ? iv->author_name : "");
  add_label (self, by, "dim-label");
  if (iv->result != NULL && JSON_NODE_HOLDS_OBJECT (iv->result))
    show_result (self, json_node_get_object (iv->result));
  show_answers (self, iv);

  add_label (self, _("Your decision"), "title-3");
  /* Above the entry, not its placeholder: a placeholder is cut at 360 px and goes as soon as
   * one letter is typed. */
  add_label (self, _("A note for the worker, or the reason for voiding"), NULL);
  entry = gtk_entry_new ();
  gtk_widget_add_css_class (entry, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Note or reason"), -1);
  gtk_box_append (self->content_box, entry);
  self->note_entry = GTK_EDITABLE (entry);
  self->message_label = GTK_LABEL (add_label (self, "", "problem"));
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_set_homogeneous (GTK_BOX (row), TRUE);
  _intake_make_adaptive_row (GTK_BOX (row));
  b = _intake_big_button (_("Return"), _("Return with the note"), NULL);
  g_signal_connect (b, "clicked", G_CALLBACK (return_cb), self);
  gtk_box_append (GTK_BOX (row), b);
  b = _intake_big_button (_("Void"), _("Void with the reason"), "destructive-action");
  g_signal_connect (b, "clicked", G_CALLBACK (void_cb), self);
  gtk_box_append (GTK_BOX (row), b);
  b = _intake_big_button (_("Approve"), NULL, "suggested-action");
  g_signal_connect (b, "clicked", G_CALLBACK (approve_cb), self);
  gtk_box_append (GTK_BOX (row), b);
  gtk_box_append (self->content_box, row);
  /* Back to the queue is the window's header button. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACK_LABEL]);
}

static void
open_cb (GtkButton *button, IntakeReviewPage *self)
{
  open_interview (self, g_object_get_data (G_OBJECT (button), "interview-id"));
}

static int
urgent_first (gconstpointer a, gconstpointer b)
{
  IntakeInterview *x = *(IntakeInterview **) a;
  IntakeInterview *y = *(IntakeInterview **) b;

  return (int) is_urgent (y) - (int) is_urgent (x);
}

static gboolean
show_queue (IntakeReviewPage *self, GError **error)
{
  g_autoptr (GPtrArray) list = NULL;
  GtkWidget *box, *b;

  list = intake_session_list_interviews (self->session, INTAKE_LIST_REVIEW_QUEUE, 0, TRUE, error);
  if (list == NULL)
    return FALSE;
  /* The listing has no screening result: open each one for it (the queue is short). */
  for (guint i = 0; i < list->len; i++)
    {
      IntakeInterview *iv = list->pdata[i];
      IntakeInterview *full = intake_session_open_interview (self->session, iv->id, NULL);
      if (full != NULL)
        {
          list->pdata[i] = full;
          intake_interview_free (iv);
        }
    }
  g_ptr_array_sort (list, urgent_first);

  clear_content (self);
  g_clear_pointer (&self->interview_id, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACK_LABEL]);
  b = _intake_big_button (_("Back to home"), NULL, "flat");
  gtk_widget_set_halign (b, GTK_ALIGN_START);
  g_signal_connect (b, "clicked", G_CALLBACK (back_home_cb), self);
  gtk_box_append (self->content_box, b);
  add_label (self, _("Waiting for review"), "title-1");
  if (list->len == 0)
    {
      add_label (self, _("Nothing waits for review."), "dim-label");
      return TRUE;
    }
  box = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (box), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (box, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Waiting for review"), -1);
  for (guint i = 0; i < list->len; i++)
    {
      IntakeInterview *iv = list->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autoptr (GDateTime) updated = g_date_time_new_from_unix_local (iv->updated);
      g_autofree char *when = g_date_time_format (updated, "%Y-%m-%d %H:%M");
      g_autofree char *title = g_markup_escape_text (pseudonym_of (iv), -1);
      g_autofree char *subtitle = NULL;
      g_autofree char *open = g_strdup_printf (_("Open %s"), pseudonym_of (iv));
      GtkWidget *button = _intake_big_button (_("Open"), open, "suggested-action");

      subtitle = g_strdup_printf (_("%s%s · completed %s"), is_urgent (iv) ? _("Urgent · ") : "",
                                  iv->author_name ? iv->author_name : "", when);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (is_urgent (iv))
        gtk_widget_add_css_class (row, "error");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "interview-id", g_strdup (iv->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (open_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (GTK_LIST_BOX (box), row);
    }
  gtk_box_append (self->content_box, box);
  return TRUE;
}

static void
intake_review_page_dispose (GObject *object)
{
  IntakeReviewPage *self = INTAKE_REVIEW_PAGE (object);

  self->note_entry = NULL;
  self->message_label = NULL;
  /* The bin's child is the template's root: let go of it before the template does. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_REVIEW_PAGE);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (intake_review_page_parent_class)->dispose (object);
}

static void
intake_review_page_finalize (GObject *object)
{
  IntakeReviewPage *self = INTAKE_REVIEW_PAGE (object);

  g_clear_pointer (&self->interview_id, g_free);
  G_OBJECT_CLASS (intake_review_page_parent_class)->finalize (object);
}

const char *
intake_review_page_get_back_label (IntakeReviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_PAGE (self), NULL);

  return self->interview_id != NULL ? _("Back to the queue") : NULL;
}

void
intake_review_page_go_back (IntakeReviewPage *self)
{
  g_return_if_fail (INTAKE_IS_REVIEW_PAGE (self));

  if (self->interview_id != NULL)
    back_to_queue_cb (NULL, self);
}

static void
intake_review_page_get_property (GObject *object, guint prop_id, GValue *value,
                                 GParamSpec *pspec)
{
  IntakeReviewPage *self = INTAKE_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACK_LABEL:
      g_value_set_string (value, intake_review_page_get_back_label (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_page_class_init (IntakeReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = intake_review_page_get_property;
  /* What the header's back button says (on an interview: back to the queue), or NULL. */
  properties[PROP_BACK_LABEL] = g_param_spec_string ("back-label", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  object_class->dispose = intake_review_page_dispose;
  object_class->finalize = intake_review_page_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewPage, scroll);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewPage, content_box);
}

static void
intake_review_page_init (IntakeReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

IntakeReviewPage *
intake_review_page_new (IntakeSession *session, GError **error)
{
  g_autoptr (IntakeReviewPage) self = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  self = g_object_ref_sink (g_object_new (INTAKE_TYPE_REVIEW_PAGE, NULL));
  self->session = g_object_ref (session);
  if (!show_queue (self, error))
    return NULL;
  g_object_force_floating (G_OBJECT (self));
  return g_steal_pointer (&self);
}

/* Where the page is, for building it again in another interface language: the interview open
 * (NULL on the queue) and the note typed for it, which is not saved anywhere until a decision. */
void
intake_review_page_dup_place (IntakeReviewPage *self, char **interview_id, char **note)
{
  g_return_if_fail (INTAKE_IS_REVIEW_PAGE (self));

  *interview_id = self->note_entry != NULL ? g_strdup (self->interview_id) : NULL;
  *note = self->note_entry != NULL ? g_strdup (gtk_editable_get_text (self->note_entry)) : NULL;
}

void
intake_review_page_open (IntakeReviewPage *self, const char *interview_id, const char *note)
{
  g_return_if_fail (INTAKE_IS_REVIEW_PAGE (self));
  g_return_if_fail (interview_id != NULL);

  open_interview (self, interview_id);
  if (self->note_entry != NULL && note != NULL)
    gtk_editable_set_text (self->note_entry, note);
}
