/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "intake-window-private.h"

/* Below this width (in pixels) the window is "narrow": a phone-sized or portrait window. Rows
 * that sit side by side on a tablet stack, big buttons pad less, Lock shows its icon only. */
#define NARROW_WIDTH 560

G_DEFINE_FINAL_TYPE (IntakeWindow, intake_window, ADW_TYPE_APPLICATION_WINDOW)

/*
 * The first home after the window opens costs GTK far more than the next ones: every widget of
 * the page is styled for the first time against libadwaita's style sheet. So once the unlock
 * screen is painted, home is made visible for one frame behind it (its stack shows only the
 * unlock page, so nothing of it is drawn or mapped; it is empty then), which styles and lays it
 * out in its real place; the frame after, it is hidden again.
 */
static void
frame_painted_cb (GdkFrameClock *clock, IntakeWindow *self)
{
  if (!self->first_frame_done)
    {
      self->first_frame_done = TRUE;
      _intake_window_trace (self, "first-frame");
      if (self->session == NULL && self->store != NULL)
        {
          self->warming_home = TRUE;
          gtk_widget_set_visible (GTK_WIDGET (self->home_page), TRUE);
        }
      return;
    }
  if (self->warming_home)
    {
      self->warming_home = FALSE;
      if (self->session == NULL)
        gtk_widget_set_visible (GTK_WIDGET (self->home_page), FALSE);
    }
  if (self->trace_home_pending)
    {
      self->trace_home_pending = FALSE;
      _intake_window_trace (self, "home");
    }
}

static void
realize_cb (GtkWidget *widget, IntakeWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock != NULL && self->after_paint_handler == 0)
    self->after_paint_handler = g_signal_connect_object (clock, "after-paint",
                                                         G_CALLBACK (frame_painted_cb), self,
                                                         0);
}

static gboolean
narrow_changed_cb (gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);

  self->narrow_source = 0;
  _intake_window_apply_narrow (self);
  return G_SOURCE_REMOVE;
}

/* The width is known here, whether the window was resized, maximized or made fullscreen. What
 * changes with it changes sizes, so it waits for the allocation to finish. */
static void
intake_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  IntakeWindow *self = INTAKE_WINDOW (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (intake_window_parent_class)->size_allocate (widget, width, height, baseline);
  if (narrow != self->narrow)
    {
      self->narrow = narrow;
      if (self->narrow_source == 0)
        self->narrow_source = g_idle_add (narrow_changed_cb, self);
    }
}

/* The public lock keeps its type check here, with the type, over the lock file's own. */
void
intake_window_lock (IntakeWindow *self)
{
  g_return_if_fail (INTAKE_IS_WINDOW (self));
  _intake_window_lock (self);
}

static void
intake_window_dispose (GObject *object)
{
  IntakeWindow *self = INTAKE_WINDOW (object);

  _intake_window_lock_dispose (self);
  g_clear_handle_id (&self->narrow_source, g_source_remove);
  g_clear_handle_id (&self->cut_source, g_source_remove);
  g_clear_pointer (&self->cut_seen, g_hash_table_unref);
  g_clear_pointer (&self->cut_last, g_hash_table_unref);
  g_clear_pointer (&self->cut_now, g_hash_table_unref);
  g_clear_pointer (&self->cut_report, g_free);
  _intake_window_sync_stop (self);
  _intake_window_free_toasts (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_WINDOW);
  G_OBJECT_CLASS (intake_window_parent_class)->dispose (object);
}

static void
intake_window_finalize (GObject *object)
{
  IntakeWindow *self = INTAKE_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->places);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->missing_why, g_free);
  G_OBJECT_CLASS (intake_window_parent_class)->finalize (object);
}

/* Closed with an interview open: what was typed in the last moment is queued and the lock
 * waits for the queue, here and not in dispose, which writes nothing. */
static gboolean
intake_window_close_request (GtkWindow *window)
{
  IntakeWindow *self = INTAKE_WINDOW (window);

  if (self->session != NULL)
    intake_window_lock (self);
  return GTK_WINDOW_CLASS (intake_window_parent_class)->close_request (window);
}

static void
intake_window_class_init (IntakeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_window_dispose;
  object_class->finalize = intake_window_finalize;
  widget_class->size_allocate = intake_window_size_allocate;
  GTK_WINDOW_CLASS (klass)->close_request = intake_window_close_request;

  g_type_ensure (INTAKE_TYPE_UNLOCK_PAGE);
  g_type_ensure (INTAKE_TYPE_HOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, lock_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, missing_page);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, lock_content);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, language_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, language_popover);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, language_heading);
  gtk_widget_class_bind_template_child (widget_class, IntakeWindow, screen_language_label);

  _intake_window_class_actions_init (klass);
}

/* Every label shown whose words do not all fit: ellipsized, or given less width than the
 * longest word needs. A layout can only tell this from inside the process; the UI test reads
 * the file (one line a label, once each) while it walks the screens at 360 px. */
static void
report_cut_labels (IntakeWindow *self, GtkWidget *widget, FILE *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      GtkLabel *label = GTK_LABEL (widget);
      const char *text = gtk_label_get_text (label);
      GtkStyleContext *style = gtk_widget_get_style_context (widget);
      GtkBorder margin, border, padding;
      int minimum = 0;
      const char *why = NULL;

      /* The measure counts the label's CSS box; its width is the content alone. */
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      gtk_style_context_get_margin (style, &margin);
      gtk_style_context_get_border (style, &border);
      gtk_style_context_get_padding (style, &padding);
      minimum -= margin.left + margin.right + border.left + border.right + padding.left
                 + padding.right;
      /* Width 0: mapped, not yet laid out (a page just shown); the next look sees it. */
      if (gtk_widget_get_width (widget) <= 0)
        ;
      else if (gtk_label_get_ellipsize (label) != PANGO_ELLIPSIZE_NONE
               && pango_layout_is_ellipsized (gtk_label_get_layout (label)))
        why = "ellipsized";
      else if (gtk_widget_get_width (widget) < minimum)
        why = "narrower than its longest word";
      /* Reported when two looks in a row find it cut: a page in the middle of being laid out
       * (a language switch, a transition) is not what the person sees. */
      if (why != NULL && text != NULL && *text != '\0')
        {
          char *key = g_strdup_printf ("%s\t%s", why, text);

          if (g_hash_table_contains (self->cut_last, key)
              && !g_hash_table_contains (self->cut_seen, key))
            {
              fprintf (out, "%s\t%d<%d\n", key, gtk_widget_get_width (widget), minimum);
              g_hash_table_add (self->cut_seen, g_strdup (key));
            }
          g_hash_table_add (self->cut_now, key);
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    report_cut_labels (self, c, out);
}

static gboolean
cut_report_cb (gpointer user_data)
{
  IntakeWindow *self = INTAKE_WINDOW (user_data);
  FILE *out = fopen (self->cut_report, "a");

  if (out == NULL)
    return G_SOURCE_CONTINUE;
  report_cut_labels (self, GTK_WIDGET (self), out);
  fclose (out);
  g_hash_table_remove_all (self->cut_last);
  {
    GHashTable *swap = self->cut_last;
    self->cut_last = self->cut_now;
    self->cut_now = swap;
  }
  return G_SOURCE_CONTINUE;
}

static void
intake_window_init (IntakeWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->trace = g_getenv ("INTAKE_TRACE") != NULL;
  if (g_getenv ("INTAKE_DEBUG_CUT_REPORT") != NULL)
    {
      self->cut_report = g_strdup (g_getenv ("INTAKE_DEBUG_CUT_REPORT"));
      self->cut_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->cut_last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->cut_now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->cut_source = g_timeout_add (300, cut_report_cb, self);
    }
  g_signal_connect_after (self, "realize", G_CALLBACK (realize_cb), self);
  _intake_window_actions_init (self);
  _intake_window_build_unlock_page (self);
  _intake_window_build_home_page (self);
  /* The screens' language is named from the start; apply_narrow () renames it when the width
   * changes. */
  {
    g_autofree char *text = g_strdup_printf (
        _("Screen: %s"), _intake_ui_language_name (_intake_ui_language_current ()));
    gtk_label_set_label (self->screen_language_label, text);
  }
  self->places = intake_interview_places_new ();
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  _intake_window_lock_init (self);
}

/* INTAKE_WINDOW_SIZE=WIDTHxHEIGHT: the window's first size, for trying (and testing) narrow
 * and portrait layouts. */
static void
window_size_from_env (IntakeWindow *self)
{
  const char *env = g_getenv ("INTAKE_WINDOW_SIZE");
  int width, height;

  if (env != NULL && sscanf (env, "%dx%d", &width, &height) == 2 && width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
}

IntakeWindow *
intake_window_new (IntakeApplication *app, const char *data_dir)
{
  IntakeWindow *self = g_object_new (INTAKE_TYPE_WINDOW, "application", app, NULL);
  g_autoptr (GError) error = NULL;

  self->data_dir = g_strdup (data_dir);
  window_size_from_env (self);
  if (!intake_store_exists (data_dir))
    {
      _intake_window_show_missing (self, NULL);
      return self;
    }
  self->store = intake_store_open (data_dir, &error);
  if (self->store == NULL)
    {
      _intake_window_show_missing (self, error->message);
      return self;
    }
  intake_unlock_page_set_store (self->unlock_page, self->store);
  _intake_stack_show (self->stack, "unlock");

  _intake_window_sync_start (self);
  return self;
}
