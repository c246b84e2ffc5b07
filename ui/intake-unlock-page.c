/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>

#include "intake-keypad.h"
#include "intake-unlock-page.h"
#include "intake-ui-private.h"

/* The longest PIN the pad takes. Passphrases (longer, with letters) come with a later entry. */
#define PIN_MAX_DIGITS 32

struct _IntakeUnlockPage
{
  AdwBin parent_instance;

  GtkStack *mode_stack;
  GtkLabel *users_message;
  GtkFlowBox *users_box;
  GtkLabel *user_label;
  GtkLabel *dots_label;
  GtkLabel *message_label;
  GtkBox *busy_box;
  GtkSpinner *spinner;
  IntakeKeypad *keypad;
  GtkButton *change_user_button;
  GtkPasswordEntry *passphrase_entry;
  GtkButton *passphrase_button;
  GtkButton *mode_button;

  IntakeStore *store;
  char *user_name;
  /* The digits typed so far, in sodium_malloc memory: never in a GtkEntry buffer, a GString or
   * a log. Wiped after each attempt. */
  IntakeSecret *pin;
  size_t pin_len;
  gboolean busy;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (IntakeUnlockPage, intake_unlock_page, ADW_TYPE_BIN)

enum
{
  SIGNAL_UNLOCKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_pin (IntakeUnlockPage *self)
{
  sodium_memzero (self->pin->data, self->pin->len);
  self->pin_len = 0;
}

static void
update_dots (IntakeUnlockPage *self)
{
  g_autoptr (GString) dots = g_string_new (NULL);
  g_autofree char *described = NULL;

  for (size_t i = 0; i < self->pin_len; i++)
    g_string_append (dots, "●");
  gtk_label_set_label (self->dots_label, self->pin_len > 0 ? dots->str : " ");
  described = g_strdup_printf (ngettext ("%d digit entered", "%d digits entered",
                                         (unsigned long) self->pin_len),
                               (int) self->pin_len);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->dots_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, described, -1);
}

static void
show_message (IntakeUnlockPage *self, const char *message)
{
  gtk_label_set_label (self->message_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
set_busy (IntakeUnlockPage *self, gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->busy_box), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->change_user_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_entry), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_button), !busy);
}

static void
unlock_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (IntakeUnlockPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) session = intake_store_unlock_finish (INTAKE_STORE (source), result,
                                                                  &error);

  set_busy (self, FALSE);
  update_dots (self);
  if (session == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_message (self, error->message);
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_LOCKED_OUT))
        {
          gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), FALSE);
          gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_entry), FALSE);
          gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_button), FALSE);
          gtk_widget_set_sensitive (GTK_WIDGET (self->mode_button), FALSE);
        }
      return;
    }
  show_message (self, NULL);
  g_signal_emit (self, signals[SIGNAL_UNLOCKED], 0, session);
}

/* Argon2id takes most of a second and hundreds of MiB on purpose: the attempt runs in a thread
 * on its own connection to the store (intake_store_unlock_async ()), never on the main loop or
 * on the window's connection. Takes @secret. */
static void
start_unlock (IntakeUnlockPage *self, IntakeSecret *secret)
{
  show_message (self, NULL);
  set_busy (self, TRUE);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  intake_store_unlock_async (self->store, self->user_name, secret, self->cancellable,
                             unlock_done_cb, g_object_ref (self));
  intake_secret_free (secret);
}

static void
submit (IntakeUnlockPage *self)
{
  IntakeSecret *secret;

  if (self->busy || self->pin_len == 0 || self->user_name == NULL || self->store == NULL)
    return;
  secret = intake_secret_new_from_data (self->pin->data, self->pin_len);
  wipe_pin (self);
  start_unlock (self, secret);
}

static void
wipe_passphrase (IntakeUnlockPage *self)
{
  /* GtkPasswordEntry keeps its text in GTK's non-pageable secure memory, wiped when freed. */
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_entry), "");
}

static void
passphrase_activate_cb (IntakeUnlockPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_entry));
  IntakeSecret *secret;

  if (self->busy || text == NULL || *text == '\0' || self->user_name == NULL
      || self->store == NULL)
    return;
  secret = intake_secret_new_from_data (text, strlen (text));
  wipe_passphrase (self);
  /* Move the focus off the entry before it turns insensitive, or GTK 4.8 warns that its text
   * never received a focus-out. */
  gtk_widget_grab_focus (GTK_WIDGET (self));
  start_unlock (self, secret);
}

static void
set_passphrase_mode (IntakeUnlockPage *self, gboolean passphrase)
{
  wipe_pin (self);
  update_dots (self);
  wipe_passphrase (self);
  gtk_widget_set_visible (GTK_WIDGET (self->keypad), !passphrase);
  gtk_widget_set_visible (GTK_WIDGET (self->dots_label), !passphrase);
  gtk_widget_set_visible (GTK_WIDGET (self->passphrase_entry), passphrase);
  gtk_widget_set_visible (GTK_WIDGET (self->passphrase_button), passphrase);
  gtk_button_set_label (self->mode_button, passphrase ? _("Use the PIN pad instead")
                                                      : _("Use a passphrase instead"));
  if (passphrase)
    gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
mode_clicked_cb (IntakeUnlockPage *self)
{
  set_passphrase_mode (self, !gtk_widget_get_visible (GTK_WIDGET (self->passphrase_entry)));
}

static void
add_digit (IntakeUnlockPage *self, char digit)
{
  if (self->busy || self->pin_len >= PIN_MAX_DIGITS)
    return;
  self->pin->data[self->pin_len++] = (guint8) digit;
  show_message (self, NULL);
  update_dots (self);
}

static void
erase_digit (IntakeUnlockPage *self)
{
  if (self->busy || self->pin_len == 0)
    return;
  self->pin->data[--self->pin_len] = 0;
  update_dots (self);
}

static void
keypad_pressed_cb (IntakeKeypad *keypad, const char *key, IntakeUnlockPage *self)
{
  if (g_str_equal (key, "erase"))
    erase_digit (self);
  else if (g_str_equal (key, "ok"))
    submit (self);
  else if (key[0] >= '0' && key[0] <= '9')
    add_digit (self, key[0]);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, IntakeUnlockPage *self)
{
  guint32 c = gdk_keyval_to_unicode (keyval);

  if (!g_str_equal (gtk_stack_get_visible_child_name (self->mode_stack), "pin")
      || gtk_widget_get_visible (GTK_WIDGET (self->passphrase_entry)))
    return FALSE;
  if (c >= '0' && c <= '9')
    {
      add_digit (self, (char) c);
      return TRUE;
    }
  switch (keyval)
    {
    case GDK_KEY_BackSpace:
    case GDK_KEY_Delete:
      erase_digit (self);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      submit (self);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
choose_user (IntakeUnlockPage *self, const char *name)
{
  g_autofree char *title = g_strdup_printf (_("PIN for %s"), name);

  g_free (self->user_name);
  self->user_name = g_strdup (name);
  wipe_pin (self);
  update_dots (self);
  show_message (self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_entry), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_button), TRUE);
  gtk_label_set_label (self->user_label, title);
  _intake_stack_show (self->mode_stack, "pin");
  set_passphrase_mode (self, FALSE);
}

static void
user_tile_clicked_cb (GtkButton *button, IntakeUnlockPage *self)
{
  choose_user (self, g_object_get_data (G_OBJECT (button), "user-name"));
}

static void
change_user_cb (IntakeUnlockPage *self)
{
  intake_unlock_page_reset (self);
}

static const char *
role_label (IntakeRole role)
{
  switch (role)
    {
    case INTAKE_ROLE_WORKER:
      return _("Worker");
    case INTAKE_ROLE_SUPERVISOR:
      return _("Supervisor");
    case INTAKE_ROLE_ADMIN:
      return _("Administrator");
    default:
      return "";
    }
}

static void
load_users (IntakeUnlockPage *self)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->users_box))) != NULL)
    gtk_flow_box_remove (self->users_box, child);
  gtk_widget_set_visible (GTK_WIDGET (self->users_message), FALSE);
  if (self->store == NULL)
    return;
  users = intake_store_list_users (self->store, &error);
  if (users == NULL)
    {
      gtk_label_set_label (self->users_message, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->users_message), TRUE);
      return;
    }
  for (guint i = 0; i < users->len; i++)
    {
      IntakeUserInfo *u = users->pdata[i];
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *name = gtk_label_new (u->name);
      GtkWidget *role = gtk_label_new (u->locked_out ? _("Locked out: an admin must set a new PIN")
                                                     : role_label (u->role));

      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_label_set_wrap (GTK_LABEL (role), TRUE);
      gtk_widget_add_css_class (role, "dim-label");
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), role);
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "tile");
      gtk_widget_add_css_class (button, "card");
      gtk_widget_set_sensitive (button, !u->locked_out);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      u->name, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      role_label (u->role), -1);
      g_object_set_data_full (G_OBJECT (button), "user-name", g_strdup (u->name), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (user_tile_clicked_cb), self);
      gtk_flow_box_append (self->users_box, button);
      /* The box's own child would be a second Tab stop before each tile's button. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }
  if (users->len == 0)
    {
      gtk_label_set_label (self->users_message,
                           _("This tablet has no users yet: an administrator adds them with "
                             "“intakectl user add”."));
      gtk_widget_set_visible (GTK_WIDGET (self->users_message), TRUE);
    }
}

void
intake_unlock_page_set_store (IntakeUnlockPage *self, IntakeStore *store)
{
  g_return_if_fail (INTAKE_IS_UNLOCK_PAGE (self));

  g_set_object (&self->store, store);
  intake_unlock_page_reset (self);
}

void
intake_unlock_page_reset (IntakeUnlockPage *self)
{
  g_return_if_fail (INTAKE_IS_UNLOCK_PAGE (self));

  wipe_pin (self);
  update_dots (self);
  wipe_passphrase (self);
  show_message (self, NULL);
  g_clear_pointer (&self->user_name, g_free);
  load_users (self);
  _intake_stack_show (self->mode_stack, "users");
}

/* The user whose PIN is asked, or NULL on the tiles: kept when the page is built again in
 * another interface language (the digits are not: they are typed again). */
const char *
intake_unlock_page_get_user (IntakeUnlockPage *self)
{
  g_return_val_if_fail (INTAKE_IS_UNLOCK_PAGE (self), NULL);
  return self->user_name;
}

void
intake_unlock_page_choose_user (IntakeUnlockPage *self, const char *name)
{
  g_return_if_fail (INTAKE_IS_UNLOCK_PAGE (self));
  g_return_if_fail (name != NULL);
  choose_user (self, name);
}

gboolean
intake_unlock_page_is_busy (IntakeUnlockPage *self)
{
  g_return_val_if_fail (INTAKE_IS_UNLOCK_PAGE (self), FALSE);
  return self->busy;
}

static void
intake_unlock_page_dispose (GObject *object)
{
  IntakeUnlockPage *self = INTAKE_UNLOCK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* The bin's child is the template's root: let go of it before the template does. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_UNLOCK_PAGE);
  G_OBJECT_CLASS (intake_unlock_page_parent_class)->dispose (object);
}

static void
intake_unlock_page_finalize (GObject *object)
{
  IntakeUnlockPage *self = INTAKE_UNLOCK_PAGE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->user_name, g_free);
  g_clear_pointer (&self->pin, intake_secret_free);
  G_OBJECT_CLASS (intake_unlock_page_parent_class)->finalize (object);
}

static void
intake_unlock_page_class_init (IntakeUnlockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_unlock_page_dispose;
  object_class->finalize = intake_unlock_page_finalize;

  signals[SIGNAL_UNLOCKED] = g_signal_new ("unlocked", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, INTAKE_TYPE_SESSION);

  g_type_ensure (INTAKE_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/fieldintake/Intake/intake-unlock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, users_message);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, users_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, user_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, dots_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, busy_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, keypad);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, change_user_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, mode_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeUnlockPage, passphrase_button);
  gtk_widget_class_bind_template_callback (widget_class, change_user_cb);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, mode_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, keypad_pressed_cb);
}

static void
intake_unlock_page_init (IntakeUnlockPage *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->pin = intake_secret_new (PIN_MAX_DIGITS);
  wipe_pin (self);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
}
