/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "intake-location.h"
#include "intake-question-kinds.h"
#include "intake-ui-private.h"

/*
 * XLSForm's further types, each with a control made for it: a time with two steppers, a
 * dateTime with the calendar and the time, a range on a scale, a rank as rows that move up and
 * down, and a position from the tablet's location service or typed by hand. Each reads back the answer in the shape the engine's
 * check accepts (core/forms/README.md); every target is at least 48 px.
 */
struct _IntakeKindControls
{
  char *kind;
  char *language;
  GCallback changed;
  GCallback activate;
  gpointer user_data;
  /* Set while building, so that setting the saved answer is not a change. */
  gboolean building;
  /* Nothing is answered until the person touches a control or an answer was saved: an
   * untouched 00:00 or a scale at its start is not an answer. */
  gboolean touched;

  GtkSpinButton *hour;
  GtkSpinButton *minute;
  GtkCalendar *calendar;

  GtkRange *scale;
  GtkLabel *range_value;
  double start, end, step;

  GtkListBox *rank_list;
  const IntakeQuestion *question;

  GtkEditable *latitude;
  GtkEditable *longitude;
  GtkWidget *locate;
  GtkLabel *location_status;
  GCancellable *locating;
  /* The altitude and accuracy of the position shown, while it is the service's (or a saved
   * one's) and nobody has typed over it; NAN otherwise. */
  double altitude, accuracy;
};

/* How long a person waits for a first position before typing it instead. */
#define LOCATION_TIMEOUT_SECONDS 30

gboolean
_intake_kind_is_shown_here (const IntakeQuestion *question)
{
  const char *kind = intake_question_get_kind (question);

  return g_strcmp0 (kind, "time") == 0 || g_strcmp0 (kind, "dateTime") == 0
         || g_strcmp0 (kind, "range") == 0 || g_strcmp0 (kind, "rank") == 0
         || g_strcmp0 (kind, "geopoint") == 0;
}

static void
changed (IntakeKindControls *c)
{
  if (c->building)
    return;
  c->touched = TRUE;
  ((void (*) (gpointer)) c->changed) (c->user_data);
}

/* A button a finger can hit: 48 px each way at least. */
static GtkWidget *
small_button (const char *label, const char *accessible)
{
  GtkWidget *b = gtk_button_new_with_label (label);

  gtk_widget_set_size_request (b, 48, 48);
  gtk_widget_add_css_class (b, "stepper");
  gtk_accessible_update_property (GTK_ACCESSIBLE (b), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  return b;
}

static GtkSpinButton *
add_spin (IntakeKindControls *c, GtkBox *row, int high, const char *accessible)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, high, 1);

  gtk_spin_button_set_wrap (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (spin), GTK_ORIENTATION_VERTICAL);
  gtk_widget_add_css_class (spin, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  /* Its own + and − buttons, for a finger: GTK draws them smaller. */
  for (GtkWidget *child = gtk_widget_get_first_child (spin); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child))
      gtk_widget_set_size_request (child, 48, 48);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (changed), c);
  gtk_box_append (row, spin);
  return GTK_SPIN_BUTTON (spin);
}

static void
use_cb (IntakeKindControls *c)
{
  changed (c);
}

/* "HH:MM…" at @text: the hour and minute into the steppers. */
static void
set_time (IntakeKindControls *c, const char *text)
{
  if (text == NULL || strlen (text) < 5 || text[2] != ':')
    return;
  gtk_spin_button_set_value (c->hour, atoi (text));
  gtk_spin_button_set_value (c->minute, atoi (text + 3));
}

static void
build_time (IntakeKindControls *c, GtkBox *area, const char *saved, const char *label,
            GtkWidget **focus)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *colon = gtk_label_new (":");
  g_autofree char *hour_name = g_strdup_printf (_("Hour: %s"), label);
  g_autofree char *minute_name = g_strdup_printf (_("Minute: %s"), label);

  gtk_widget_set_halign (row, GTK_ALIGN_START);
  gtk_widget_add_css_class (colon, "title-1");
  c->hour = add_spin (c, GTK_BOX (row), 23, hour_name);
  gtk_box_append (GTK_BOX (row), colon);
  c->minute = add_spin (c, GTK_BOX (row), 59, minute_name);
  gtk_box_append (area, row);
  set_time (c, saved);
  if (*focus == NULL)
    *focus = GTK_WIDGET (c->hour);
}

static void
build_date_time (IntakeKindControls *c, GtkBox *area, const char *saved, const char *label,
                 GtkWidget **focus)
{
  GtkWidget *calendar = gtk_calendar_new ();

  if (saved != NULL && strlen (saved) >= 16)
    {
      g_autofree char *date = g_strndup (saved, 10);
      g_autofree char *iso = g_strdup_printf ("%sT12:00:00Z", date);
      g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

      if (dt != NULL)
        gtk_calendar_select_day (GTK_CALENDAR (calendar), dt);
    }
  gtk_widget_set_halign (calendar, GTK_ALIGN_START);
  gtk_widget_add_css_class (calendar, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (calendar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  g_signal_connect_swapped (calendar, "day-selected", G_CALLBACK (changed), c);
  c->calendar = GTK_CALENDAR (calendar);
  *focus = calendar;
  gtk_box_append (area, calendar);
  build_time (c, area, saved != NULL && strlen (saved) >= 16 ? saved + 11 : NULL, label, focus);
}

static guint
range_digits (double step)
{
  guint digits = 0;

  while (digits < 6 && fabs (step * pow (10, digits) - round (step * pow (10, digits))) > 1e-9)
    digits++;
  return digits;
}

static void
show_range_value (IntakeKindControls *c)
{
  g_autofree char *number = NULL;
  g_autofree char *text = NULL;

  if (!c->touched)
    {
      gtk_label_set_label (c->range_value, _("Not answered yet"));
      return;
    }
  number = intake_decimal_format (gtk_range_get_value (c->scale), c->language);
  text = g_strdup_printf (_("Chosen: %s"), number);
  gtk_label_set_label (c->range_value, text);
}

/* The scale's value moved to the nearest step from the start (a drag lands between them). */
static void
range_changed_cb (IntakeKindControls *c)
{
  double v = gtk_range_get_value (c->scale);
  double snapped = c->start + round ((v - c->start) / c->step) * c->step;

  if (fabs (snapped - v) > 1e-9)
    {
      gtk_range_set_value (c->scale, snapped);
      return;
    }
  changed (c);
  show_range_value (c);
}

static void
range_step (IntakeKindControls *c, double direction)
{
  double v = gtk_range_get_value (c->scale);

  /* The first press on an untouched scale answers what it shows. */
  if (!c->touched)
    {
      c->touched = TRUE;
      changed (c);
      show_range_value (c);
      return;
    }
  gtk_range_set_value (c->scale, v + direction * c->step);
}

static void
range_down_cb (IntakeKindControls *c)
{
  range_step (c, -1);
}

static void
range_up_cb (IntakeKindControls *c)
{
  range_step (c, 1);
}

static void
build_range (IntakeKindControls *c, const IntakeQuestion *q, GtkBox *area, JsonNode *answer,
             const char *label, GtkWidget **focus)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  double low, high;
  GtkWidget *scale, *down, *up, *value;
  guint digits;

  intake_question_get_range (q, &c->start, &c->end, &c->step);
  low = MIN (c->start, c->end);
  high = MAX (c->start, c->end);
  digits = range_digits (c->step);
  scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, low, high, c->step);
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  gtk_scale_set_digits (GTK_SCALE (scale), (int) digits);
  gtk_range_set_round_digits (GTK_RANGE (scale), (int) digits);
  gtk_range_set_increments (GTK_RANGE (scale), c->step, c->step);
  gtk_range_set_inverted (GTK_RANGE (scale), c->start > c->end);
  /* A mark at each step while they are far enough apart to read; else at both ends. */
  if ((high - low) / c->step <= 20)
    for (double v = low; v <= high + c->step / 1e6; v += c->step)
      {
        g_autofree char *text = intake_decimal_format (v, c->language);
        gtk_scale_add_mark (GTK_SCALE (scale), v, GTK_POS_BOTTOM, text);
      }
  else
    {
      g_autofree char *low_text = intake_decimal_format (low, c->language);
      g_autofree char *high_text = intake_decimal_format (high, c->language);
      gtk_scale_add_mark (GTK_SCALE (scale), low, GTK_POS_BOTTOM, low_text);
      gtk_scale_add_mark (GTK_SCALE (scale), high, GTK_POS_BOTTOM, high_text);
    }
  gtk_widget_set_hexpand (scale, TRUE);
  gtk_widget_set_size_request (scale, -1, 48);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_range_set_value (GTK_RANGE (scale), c->start);
  c->scale = GTK_RANGE (scale);
  if (answer != NULL && JSON_NODE_HOLDS_VALUE (answer)
      && (json_node_get_value_type (answer) == G_TYPE_DOUBLE
          || json_node_get_value_type (answer) == G_TYPE_INT64))
    {
      gtk_range_set_value (GTK_RANGE (scale), json_node_get_double (answer));
      c->touched = TRUE;
    }
  g_signal_connect_swapped (scale, "value-changed", G_CALLBACK (range_changed_cb), c);

  down = small_button ("−", _("Less"));
  up = small_button ("+", _("More"));
  g_signal_connect_swapped (down, "clicked", G_CALLBACK (range_down_cb), c);
  g_signal_connect_swapped (up, "clicked", G_CALLBACK (range_up_cb), c);
  gtk_widget_set_valign (down, GTK_ALIGN_START);
  gtk_widget_set_valign (up, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (row), down);
  gtk_box_append (GTK_BOX (row), scale);
  gtk_box_append (GTK_BOX (row), up);
  gtk_box_append (area, row);

  value = gtk_label_new (NULL);
  gtk_widget_set_halign (value, GTK_ALIGN_START);
  gtk_widget_add_css_class (value, "title-2");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  value, NULL, -1);
  c->range_value = GTK_LABEL (value);
  show_range_value (c);
  gtk_box_append (area, value);
  *focus = scale;
}

static const char *
choice_label (const IntakeQuestion *q, const char *name, const char *language)
{
  for (unsigned int i = 0; i < intake_question_get_n_choices (q); i++)
    if (g_strcmp0 (intake_question_get_choice_name (q, i), name) == 0)
      {
        const char *label = intake_question_get_choice_label (q, i, language);
        return label != NULL ? label : name;
      }
  return name;
}

static void rank_refresh (IntakeKindControls *c);

static void
rank_move (GtkButton *button, IntakeKindControls *c, int direction)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  int index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  int to = index + direction;

  if (to < 0 || gtk_list_box_get_row_at_index (c->rank_list, to) == NULL)
    return;
  g_object_ref (row);
  gtk_list_box_remove (c->rank_list, row);
  gtk_list_box_insert (c->rank_list, row, to);
  g_object_unref (row);
  rank_refresh (c);
  /* The keyboard stays on the same button, which moved with its row. */
  gtk_widget_grab_focus (GTK_WIDGET (button));
  changed (c);
}

static void
rank_up_cb (GtkButton *button, IntakeKindControls *c)
{
  rank_move (button, c, -1);
}

static void
rank_down_cb (GtkButton *button, IntakeKindControls *c)
{
  rank_move (button, c, 1);
}

/* Numbers and names as the rows stand now; the first cannot go up, the last not down. */
static void
rank_refresh (IntakeKindControls *c)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (c->rank_list, i)) != NULL; i++)
    {
      const char *text = g_object_get_data (G_OBJECT (row), "label");
      GtkWidget *number = g_object_get_data (G_OBJECT (row), "number");
      GtkWidget *up = g_object_get_data (G_OBJECT (row), "up");
      GtkWidget *down = g_object_get_data (G_OBJECT (row), "down");
      g_autofree char *position = g_strdup_printf ("%d", i + 1);
      g_autofree char *up_name = g_strdup_printf (_("Move up: %s"), text);
      g_autofree char *down_name = g_strdup_printf (_("Move down: %s"), text);

      gtk_label_set_label (GTK_LABEL (number), position);
      gtk_widget_set_sensitive (up, i > 0);
      gtk_widget_set_sensitive (down, gtk_list_box_get_row_at_index (c->rank_list, i + 1)
                                          != NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (up), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      up_name, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      down_name, -1);
    }
}

static void
rank_add_row (IntakeKindControls *c, const char *name)
{
  const char *text = choice_label (c->question, name, c->language);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *number = gtk_label_new (NULL);
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *up = small_button ("↑", text);
  GtkWidget *down = small_button ("↓", text);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_add_css_class (number, "title-3");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "title-4");
  g_signal_connect (up, "clicked", G_CALLBACK (rank_up_cb), c);
  g_signal_connect (down, "clicked", G_CALLBACK (rank_down_cb), c);
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), up);
  gtk_box_append (GTK_BOX (box), down);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* The row itself is not a stop for the keyboard: its buttons are. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  g_object_set_data_full (G_OBJECT (row), "choice", g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (row), "label", g_strdup (text), g_free);
  g_object_set_data (G_OBJECT (row), "number", number);
  g_object_set_data (G_OBJECT (row), "up", up);
  g_object_set_data (G_OBJECT (row), "down", down);
  gtk_list_box_append (c->rank_list, row);
}

static void
build_rank (IntakeKindControls *c, const IntakeQuestion *q, GtkBox *area, JsonNode *answer,
            const char *label, GtkWidget **focus)
{
  GtkWidget *list = gtk_list_box_new ();
  g_autoptr (GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *use;

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  c->rank_list = GTK_LIST_BOX (list);
  c->question = q;
  /* The saved order first, then any choice it does not list, in the form's order. */
  if (answer != NULL && JSON_NODE_HOLDS_ARRAY (answer))
    {
      JsonArray *arr = json_node_get_array (answer);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          const char *name = json_array_get_string_element (arr, i);
          if (name != NULL && g_hash_table_add (placed, (gpointer) name))
            rank_add_row (c, name);
        }
      c->touched = json_array_get_length (arr) > 0;
    }
  for (unsigned int i = 0; i < intake_question_get_n_choices (q); i++)
    if (!g_hash_table_contains (placed, intake_question_get_choice_name (q, i)))
      rank_add_row (c, intake_question_get_choice_name (q, i));
  rank_refresh (c);
  gtk_box_append (area, list);
  _intake_box_add_label (area, _("First is most important. Move each option with its arrows."),
                         "dim-label");
  use = _intake_big_button (_("Keep this order"), NULL, NULL);
  gtk_widget_set_halign (use, GTK_ALIGN_START);
  g_signal_connect_swapped (use, "clicked", G_CALLBACK (use_cb), c);
  gtk_box_append (area, use);
  {
    GtkListBoxRow *first = gtk_list_box_get_row_at_index (c->rank_list, 0);
    *focus = first != NULL ? g_object_get_data (G_OBJECT (first), "down") : use;
  }
}

static void
coordinate_activate_cb (IntakeKindControls *c)
{
  ((void (*) (gpointer)) c->activate) (c->user_data);
}

/* A coordinate typed by hand is not the service's: its altitude and accuracy no longer hold. */
static void
coordinate_changed_cb (IntakeKindControls *c)
{
  if (c->building)
    return;
  c->altitude = NAN;
  c->accuracy = NAN;
  changed (c);
}

static GtkEditable *
add_coordinate (IntakeKindControls *c, GtkBox *area, const char *title, const char *value)
{
  GtkWidget *entry = gtk_entry_new ();

  _intake_box_add_label (area, title, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), value != NULL ? value : "");
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 14);
  gtk_widget_set_halign (entry, GTK_ALIGN_START);
  gtk_widget_add_css_class (entry, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (coordinate_changed_cb), c);
  /* Enter goes on, as in a number. */
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (coordinate_activate_cb), c);
  gtk_box_append (area, entry);
  return GTK_EDITABLE (entry);
}

/* "accurate to about 12 m", in the language's decimals. */
static void
show_accuracy (IntakeKindControls *c, gboolean saved)
{
  /* GeoClue says 0 for its best fixes: "about 1 m" reads better than "about 0 m". */
  g_autofree char *metres = intake_decimal_format (MAX (round (c->accuracy), 1), c->language);
  g_autofree char *text = NULL;

  if (saved)
    /* TRANSLATORS: %s is a number of metres. */
    text = g_strdup_printf (_("Position saved, accurate to about %s m."), metres);
  else
    /* TRANSLATORS: %s is a number of metres. */
    text = g_strdup_printf (_("Position found, accurate to about %s m."), metres);
  gtk_label_set_text (c->location_status, text);
}

static void
located_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  IntakeLocationFix fix;
  g_autoptr (GError) error = NULL;
  IntakeKindControls *c;
  g_autofree char *lat = NULL, *lon = NULL;

  if (!intake_location_find_finish (result, &fix, &error))
    {
      g_autofree char *text = NULL;

      /* Cancelled: the page is gone, and @user_data with it. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      c = user_data;
      g_clear_object (&c->locating);
      gtk_widget_set_sensitive (c->locate, TRUE);
      /* TRANSLATORS: %s is why there is no position, a whole sentence. */
      text = g_strdup_printf (_("%s Type the position below, or try again."), error->message);
      gtk_label_set_text (c->location_status, text);
      return;
    }
  c = user_data;
  g_clear_object (&c->locating);
  gtk_widget_set_sensitive (c->locate, TRUE);
  lat = intake_decimal_format (fix.latitude, c->language);
  lon = intake_decimal_format (fix.longitude, c->language);
  c->building = TRUE;
  gtk_editable_set_text (c->latitude, lat);
  gtk_editable_set_text (c->longitude, lon);
  c->building = FALSE;
  c->altitude = fix.altitude;
  c->accuracy = fix.accuracy;
  show_accuracy (c, FALSE);
  changed (c);
}

static void
locate_cb (IntakeKindControls *c)
{
  if (c->locating != NULL)
    return;
  c->locating = g_cancellable_new ();
  gtk_widget_set_sensitive (c->locate, FALSE);
  gtk_label_set_text (c->location_status, _("Looking for this tablet's position…"));
  intake_location_find_async (LOCATION_TIMEOUT_SECONDS, c->locating, located_cb, c);
}

static void
build_geopoint (IntakeKindControls *c, GtkBox *area, const char *saved, GtkWidget **focus)
{
  g_auto (GStrv) parts = saved != NULL ? g_strsplit (saved, " ", 0) : NULL;
  g_autofree char *lat = NULL, *lon = NULL;
  GtkWidget *status;

  c->altitude = NAN;
  c->accuracy = NAN;
  /* Shown as the language writes decimals ("-6,2" in Indonesian). */
  if (parts != NULL && g_strv_length (parts) >= 2)
    {
      lat = intake_decimal_format (g_ascii_strtod (parts[0], NULL), c->language);
      lon = intake_decimal_format (g_ascii_strtod (parts[1], NULL), c->language);
    }
  if (parts != NULL && g_strv_length (parts) >= 4)
    {
      c->altitude = g_ascii_strtod (parts[2], NULL);
      c->accuracy = g_ascii_strtod (parts[3], NULL);
    }
  c->locate = _intake_big_button (_("Use this tablet's location"), NULL, NULL);
  gtk_widget_set_halign (c->locate, GTK_ALIGN_START);
  g_signal_connect_swapped (c->locate, "clicked", G_CALLBACK (locate_cb), c);
  gtk_box_append (area, c->locate);
  status = _intake_box_add_label (area, _("Or type the position from a map or a GPS."),
                                  "dim-label");
  c->location_status = GTK_LABEL (status);
  gtk_label_set_wrap (c->location_status, TRUE);
  c->latitude = add_coordinate (c, area, _("Latitude (−90 to 90)"), lat);
  c->longitude = add_coordinate (c, area, _("Longitude (−180 to 180)"), lon);
  if (!isnan (c->accuracy))
    show_accuracy (c, TRUE);
  *focus = c->locate;
}

IntakeKindControls *
_intake_kind_controls_new (const IntakeQuestion *question, JsonNode *answer,
                           const char *language, const char *label, GtkBox *area,
                           GCallback changed_cb, GCallback activate_cb, gpointer user_data,
                           GtkWidget **focus)
{
  IntakeKindControls *c = g_new0 (IntakeKindControls, 1);
  const char *saved = answer != NULL && JSON_NODE_HOLDS_VALUE (answer)
                              && json_node_get_value_type (answer) == G_TYPE_STRING
                          ? json_node_get_string (answer)
                          : NULL;

  c->kind = g_strdup (intake_question_get_kind (question));
  c->language = g_strdup (language);
  c->changed = changed_cb;
  c->activate = activate_cb;
  c->user_data = user_data;
  c->building = TRUE;
  label = label != NULL ? label : _("Answer");
  *focus = NULL;
  if (g_str_equal (c->kind, "time"))
    build_time (c, area, saved, label, focus);
  else if (g_str_equal (c->kind, "dateTime"))
    build_date_time (c, area, saved, label, focus);
  else if (g_str_equal (c->kind, "range"))
    build_range (c, question, area, answer, label, focus);
  else if (g_str_equal (c->kind, "rank"))
    build_rank (c, question, area, answer, label, focus);
  else if (g_str_equal (c->kind, "geopoint"))
    build_geopoint (c, area, saved, focus);
  if (saved != NULL)
    c->touched = TRUE;
  /* The time's steppers start at 00:00; the one Use button answers what they show. */
  if (c->hour != NULL)
    {
      GtkWidget *use = _intake_big_button (_("Use this time"), NULL, NULL);
      gtk_widget_set_halign (use, GTK_ALIGN_START);
      g_signal_connect_swapped (use, "clicked", G_CALLBACK (use_cb), c);
      gtk_box_append (area, use);
    }
  c->building = FALSE;
  return c;
}

gboolean
_intake_kind_controls_is_typed (IntakeKindControls *c)
{
  return c->rank_list == NULL;
}

static gboolean
read_coordinate (GtkEditable *entry, double limit, double *out, GError **error)
{
  if (!intake_decimal_parse (gtk_editable_get_text (entry), out) || fabs (*out) > limit)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   limit == 90 ? _("Latitude is a number from −90 to 90, like -6.2.")
                               : _("Longitude is a number from −180 to 180, like 106.8."));
      return FALSE;
    }
  return TRUE;
}

gboolean
_intake_kind_controls_dup_answer (IntakeKindControls *c, JsonNode **answer, GError **error)
{
  *answer = NULL;
  /* Digits typed into a stepper count even before it loses the keyboard (quietly: the page
   * is reading the answer already). */
  if (c->hour != NULL)
    {
      double hour = gtk_spin_button_get_value (c->hour);
      double minute = gtk_spin_button_get_value (c->minute);

      c->building = TRUE;
      gtk_spin_button_update (c->hour);
      gtk_spin_button_update (c->minute);
      c->building = FALSE;
      if (hour != gtk_spin_button_get_value (c->hour)
          || minute != gtk_spin_button_get_value (c->minute))
        c->touched = TRUE;
    }
  if (!c->touched)
    return TRUE;
  if (c->latitude != NULL)
    {
      g_autofree char *lat_text = g_strstrip (g_strdup (gtk_editable_get_text (c->latitude)));
      g_autofree char *lon_text = g_strstrip (g_strdup (gtk_editable_get_text (c->longitude)));
      char lat_buf[G_ASCII_DTOSTR_BUF_SIZE], lon_buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *text = NULL;
      double lat, lon;

      if (*lat_text == '\0' && *lon_text == '\0')
        return TRUE;
      if (!read_coordinate (c->latitude, 90, &lat, error)
          || !read_coordinate (c->longitude, 180, &lon, error))
        return FALSE;
      /* Fifteen digits: what was typed, not %.17g's binary tail ("-6.2000000000000002"). */
      text = g_strdup_printf ("%s %s", g_ascii_formatd (lat_buf, sizeof lat_buf, "%.15g", lat),
                              g_ascii_formatd (lon_buf, sizeof lon_buf, "%.15g", lon));
      /* From the service, ODK's four numbers: an unknown altitude is 0, as ODK writes it. */
      if (!isnan (c->accuracy))
        {
          char alt_buf[G_ASCII_DTOSTR_BUF_SIZE], acc_buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_autofree char *position = g_steal_pointer (&text);

          text = g_strdup_printf (
              "%s %s %s", position,
              g_ascii_formatd (alt_buf, sizeof alt_buf, "%.1f",
                               isnan (c->altitude) ? 0.0 : c->altitude),
              g_ascii_formatd (acc_buf, sizeof acc_buf, "%.1f", c->accuracy));
        }
      *answer = json_node_init_string (json_node_alloc (), text);
      return TRUE;
    }
  if (c->scale != NULL)
    {
      *answer = json_node_init_double (json_node_alloc (), gtk_range_get_value (c->scale));
      return TRUE;
    }
  if (c->rank_list != NULL)
    {
      g_autoptr (JsonArray) arr = json_array_new ();
      GtkListBoxRow *row;

      for (int i = 0; (row = gtk_list_box_get_row_at_index (c->rank_list, i)) != NULL; i++)
        json_array_add_string_element (arr, g_object_get_data (G_OBJECT (row), "choice"));
      *answer = json_node_init_array (json_node_alloc (), arr);
      return TRUE;
    }
  if (c->hour != NULL)
    {
      g_autofree char *time = NULL;
      g_autofree char *text = NULL;

      time = g_strdup_printf ("%02d:%02d", gtk_spin_button_get_value_as_int (c->hour),
                              gtk_spin_button_get_value_as_int (c->minute));

      if (c->calendar != NULL)
        {
          g_autoptr (GDateTime) dt = gtk_calendar_get_date (c->calendar);
          g_autofree char *date = g_date_time_format (dt, "%Y-%m-%d");
          text = g_strdup_printf ("%sT%s", date, time);
        }
      *answer = json_node_init_string (json_node_alloc (), text != NULL ? text : time);
    }
  return TRUE;
}

GtkRange *
_intake_kind_controls_get_scale (IntakeKindControls *c)
{
  return c->scale;
}

GtkListBox *
_intake_kind_controls_get_rank_list (IntakeKindControls *c)
{
  return c->rank_list;
}

void
_intake_kind_controls_free (IntakeKindControls *c)
{
  if (c == NULL)
    return;
  /* A position still being looked for has nowhere to go. */
  if (c->locating != NULL)
    g_cancellable_cancel (c->locating);
  g_clear_object (&c->locating);
  g_free (c->kind);
  g_free (c->language);
  g_free (c);
}
