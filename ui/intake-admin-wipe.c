/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Administration, Wipe: destroys every key and the data files, after a typed confirmation. */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"
#include "intake-json.h"
#include "intake-outbox.h"


/* ---- Wipe ---- */

static gboolean
confirmed (IntakeAdminPage *self)
{
  g_autofree char *typed = g_utf8_strup (gtk_editable_get_text (self->confirm_entry), -1);
  /* Translators: the word an administrator types to confirm a wipe, in capitals. */
  g_autofree char *word = g_utf8_strup (_("WIPE"), -1);

  return g_str_equal (g_strstrip (typed), word);
}

static void
confirm_changed_cb (IntakeAdminPage *self)
{
  if (self->wipe_button != NULL)
    gtk_widget_set_sensitive (self->wipe_button, confirmed (self));
}

static void
wipe_clicked_cb (IntakeAdminPage *self)
{
  if (self->busy || !confirmed (self))
    return;
  g_signal_emit_by_name (self, "wipe");
}

void
_intake_admin_show_wipe (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);
  g_autoptr (JsonNode) status = intake_store_dup_status_json (store, NULL);
  g_autofree char *ask = g_strdup_printf (_("To confirm, type the word %s below."), _("WIPE"));
  int unsent = 0;
  GtkWidget *cancel;

  if (status != NULL)
    {
      JsonObject *counts = intake_json_get_object (json_node_get_object (status), "interviews");
      if (counts != NULL)
        unsent = (int) (intake_json_get_int (counts, "draft", 0)
                        + intake_json_get_int (counts, "awaiting_review", 0)
                        + intake_json_get_int (counts, "queued", 0));
    }
  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to administration"), G_CALLBACK (_intake_admin_show_menu));
  _intake_admin_add_label (self, _("Wipe this tablet"), "title-1");
  _intake_admin_add_label (
      self,
      _("This destroys every interview, every person’s keys and the tablet’s own "
        "key, for good. Nobody can undo it. Do it when the tablet is about to be "
        "lost or taken, or before it is given away."),
      "title-4");
  if (unsent > 0)
    {
      g_autofree char *lost = g_strdup_printf (
          ngettext ("%d interview has not reached the server yet and will be lost.",
                    "%d interviews have not reached the server yet and will be lost.", unsent),
          unsent);
      _intake_admin_add_label (self, lost, "urgent");
    }
  _intake_admin_add_problem (self);
  _intake_admin_add_label (self, ask, "heading");
  self->confirm_entry = _intake_admin_add_entry (self, _("Confirmation word"), NULL, FALSE);
  g_signal_connect_swapped (self->confirm_entry, "changed", G_CALLBACK (confirm_changed_cb),
                            self);
  cancel = _intake_big_button (_("Cancel"), _("Do not wipe"), NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (_intake_admin_show_menu), self);
  self->wipe_button = _intake_big_button (_("Wipe everything now"), NULL, "destructive-action");
  gtk_widget_set_sensitive (self->wipe_button, FALSE);
  g_signal_connect_swapped (self->wipe_button, "clicked", G_CALLBACK (wipe_clicked_cb), self);
  _intake_admin_add_decision (self, cancel, self->wipe_button);
}
