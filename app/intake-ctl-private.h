/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * intakectl's insides, shared by the command line (intake-ctl.c), the command groups
 * (intake-ctl-admin.c, intake-ctl-forms.c, intake-ctl-interviews.c, intake-ctl-sync.c) and
 * their common helpers (intake-ctl-common.c).  The calls run one way: intake-ctl.c calls the
 * commands, the commands call the helpers.  Nothing outside app/ includes this.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "intake-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *data_dir;
  char *user;
  gboolean json;
  gboolean pin_stdin;
  int secrets_read;
  IntakeStore *store;
  IntakeSession *session;
} Ctl;

typedef struct Command Command;
struct Command
{
  const char *name;
  const char *params;
  const char *summary;
  gboolean (*run) (Ctl *ctl, const Command *cmd, char **args, GError **error);
  const GOptionEntry *entries;
  int min_args;
  int max_args;
};

/* intake-ctl-common.c */
void _intake_ctl_print_json (JsonNode *node);
void _intake_ctl_say_notices (Ctl *ctl);
IntakeSecret *_intake_ctl_read_line_secret (int fd, gboolean *eof, GError **error);
IntakeSecret *_intake_ctl_ask_secret (Ctl *ctl, const char *what, gboolean is_new, GError **error);
gboolean _intake_ctl_open_store (Ctl *ctl, GError **error);
gboolean _intake_ctl_unlock (Ctl *ctl, const char *acting, GError **error);

/* The commands, each run by intake_ctl_run() through the command table, and the option entries
 * of those that take options of their own. */

/* intake-ctl-admin.c */
gboolean _intake_ctl_cmd_init (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_user_add (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_user_list (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_user_passwd (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_user_remove (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_policy_show (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_policy_set (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_status (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_audit (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_verify (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_wipe (Ctl *ctl, const Command *cmd, char **args, GError **error);
extern const GOptionEntry _intake_ctl_init_entries[];
extern const GOptionEntry _intake_ctl_role_entries[];
extern const GOptionEntry _intake_ctl_yes_entries[];

/* intake-ctl-forms.c */
gboolean _intake_ctl_cmd_form_list (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_form_show (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_form_import (Ctl *ctl, const Command *cmd, char **args, GError **error);
extern const GOptionEntry _intake_ctl_version_entries[];

/* intake-ctl-interviews.c */
gboolean
_intake_ctl_cmd_interview_import (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_interview_set (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean
_intake_ctl_cmd_interview_complete (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_interview_list (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_interview_show (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean
_intake_ctl_cmd_interview_export (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_review_list (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_review_approve (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_review_return (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_review_void (Ctl *ctl, const Command *cmd, char **args, GError **error);
extern const GOptionEntry _intake_ctl_note_entries[];
extern const GOptionEntry _intake_ctl_reason_entries[];

/* intake-ctl-sync.c */
gboolean _intake_ctl_cmd_enroll (Ctl *ctl, const Command *cmd, char **args, GError **error);
gboolean _intake_ctl_cmd_sync (Ctl *ctl, const Command *cmd, char **args, GError **error);
extern const GOptionEntry _intake_ctl_enroll_entries[];
/* What the last sync asks intakectl to exit with (0 when no sync ran). */
extern int _intake_ctl_sync_exit_status;

G_END_DECLS
