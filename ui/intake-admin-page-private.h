/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Administration's screens, one file each over this header, as GNOME Text Editor splits its
 * window, in layers whose calls run one way (tests/layering): intake-admin-page.c (the page and
 * its menu) on top, then the screens intake-admin-users.c, -policies.c, -server.c (the server
 * connection and forms), -audit.c and -wipe.c, then intake-admin-jobs.c (the work in a thread)
 * and at the bottom intake-admin-widgets.c (the building blocks of a screen).
 */
#pragma once

#include <adwaita.h>

#include "intake-admin-page.h"
#include "intake-store.h"
#include "intake-ui-private.h"

G_BEGIN_DECLS

/*
 * An admin's screens, one decision each: a menu, then users (add, a new PIN, remove), the
 * tablet's rules (policies), the server connection (typed, or from a provisioning file), the
 * installed forms, the activity log (audit) and Wipe. Each screen is built when shown and
 * destroyed when left; the window creates this page per visit and destroys it on lock.
 *
 * Key derivations (a new user's PIN, a new PIN) and enrollment (network) run in a worker thread
 * with its own copy of the session on its own connection to the store: the window's thread never
 * waits for Argon2id or the server, and locking never frees keys the worker is using. A job
 * started before a lock still completes (it was asked for); its result is not shown.
 */
struct _IntakeAdminPage
{
  AdwBin parent_instance;

  GtkScrolledWindow *scroll;
  GtkBox *busy_box;
  GtkSpinner *spinner;
  GtkLabel *busy_label;
  GtkBox *content_box;

  IntakeSession *session;
  GCancellable *cancellable;
  gboolean busy;
  GtkFileChooserNative *chooser;

  /* The widgets of the screen shown, owned by content_box. */
  GtkLabel *problem_label;
  GtkEditable *name_entry;
  GtkEditable *pin_entry;
  GtkEditable *pin_again_entry;
  GtkEditable *url_entry;
  GtkEditable *token_entry;
  GtkEditable *confirm_entry;
  GtkWidget *role_buttons[3];
  GtkWidget *wipe_button;
  GtkLabel *value_label;
  GtkLabel *value_words;
  GtkWidget *on_button;
  /* Builds the menu: set by the page, which alone names every screen (tests/layering). */
  void (*show_menu) (IntakeAdminPage *self);
  /* What the screen is about: a user's name or a policy's key. */
  char *subject;
  int policy_value;
};

typedef enum
{
  JOB_ADD_USER,
  JOB_SET_PIN,
  JOB_ENROLL,
  JOB_ENROLL_FILE,
  JOB_IMPORT_FORM,
} JobKind;


/* A screen's function, shown again once a job it started is done. */
typedef void (*IntakeAdminScreenFunc) (IntakeAdminPage *self);

/* intake-admin-widgets.c: building a screen, below the screens and the page. */
void _intake_admin_toast (IntakeAdminPage *self, const char *message);
void _intake_admin_clear_content (IntakeAdminPage *self);
GtkWidget *_intake_admin_add_label (IntakeAdminPage *self, const char *text,
                                    const char *css_class);
GtkWidget *_intake_admin_add_button (IntakeAdminPage *self, const char *label,
                                     const char *accessible, const char *css_class,
                                     GCallback callback);
GtkWidget *_intake_admin_make_choice (const char *title, const char *description,
                                      const char *accessible);
GtkWidget *_intake_admin_add_choice (IntakeAdminPage *self, const char *title,
                                     const char *description, const char *accessible,
                                     GCallback callback);
void _intake_admin_add_back (IntakeAdminPage *self, const char *label, GCallback callback);
void _intake_admin_add_problem (IntakeAdminPage *self);
void _intake_admin_show_problem (IntakeAdminPage *self, const char *text);
GtkEditable *_intake_admin_add_entry (IntakeAdminPage *self, const char *accessible,
                                      const char *placeholder, gboolean secret);
GtkWidget *_intake_admin_add_decision (IntakeAdminPage *self, GtkWidget *cancel,
                                       GtkWidget *act);
const char *_intake_admin_role_words (IntakeRole role);
/* A spinner and @message over the screen, or none (@message NULL). */
void _intake_admin_set_busy (IntakeAdminPage *self, const char *message);
/* Back to the menu, which the page builds. */
void _intake_admin_show_menu (IntakeAdminPage *self);

/* intake-admin-jobs.c: */
/* The jobs the page waits for, off the window's thread (a busy card meanwhile): the key
 * derivations of a new user or PIN (each takes @secret), an enrollment (takes @token), a form
 * file read and installed. */
void _intake_admin_add_user (IntakeAdminPage *self, const char *name, IntakeRole role,
                             IntakeSecret *secret, IntakeAdminScreenFunc then);
void _intake_admin_set_pin (IntakeAdminPage *self, const char *name, IntakeSecret *secret,
                            IntakeAdminScreenFunc then);
void _intake_admin_enroll (IntakeAdminPage *self, const char *url, char *token,
                           IntakeAdminScreenFunc then);
void _intake_admin_enroll_file (IntakeAdminPage *self, const char *path,
                                IntakeAdminScreenFunc then);
void _intake_admin_import_form (IntakeAdminPage *self, const char *path,
                                IntakeAdminScreenFunc then);

/* One function a screen, each in its file. */
void _intake_admin_show_users (IntakeAdminPage *self);
void _intake_admin_show_policies (IntakeAdminPage *self);
void _intake_admin_show_enroll (IntakeAdminPage *self);
void _intake_admin_show_forms (IntakeAdminPage *self);
void _intake_admin_show_audit (IntakeAdminPage *self);
void _intake_admin_show_wipe (IntakeAdminPage *self);

G_END_DECLS
