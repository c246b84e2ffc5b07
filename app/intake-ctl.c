/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The intakectl command line: the command table, the global options, usage, and
 * intake_ctl_run(), which finds the command among the arguments and runs it.  The commands
 * live by group in intake-ctl-admin.c, intake-ctl-forms.c, intake-ctl-interviews.c and
 * intake-ctl-sync.c over the shared helpers of intake-ctl-common.c; this file calls down into
 * them and none of them calls back.
 */
#include "intake-config.h"

#include "intake-ctl.h"

#include <curl/curl.h>
#include <string.h>

#include "intake-ctl-private.h"

#define EXIT_USAGE 2

static const Command commands[] = {
  { "init", "--admin NAME", "Set up this tablet's encrypted store and its first admin",
    _intake_ctl_cmd_init, _intake_ctl_init_entries, 0, 0 },
  { "user add", "NAME --role ROLE", "Add a user (admin)", _intake_ctl_cmd_user_add,
    _intake_ctl_role_entries, 1, 1 },
  { "user list", "", "List the tablet's users", _intake_ctl_cmd_user_list, NULL, 0, 0 },
  { "user passwd", "NAME", "Change your PIN, or (admin) give a user a new PIN",
    _intake_ctl_cmd_user_passwd, NULL, 1, 1 },
  { "user remove", "NAME", "Remove a user and destroy their keys (admin)",
    _intake_ctl_cmd_user_remove, NULL, 1, 1 },
  { "policy show", "", "Show the policies", _intake_ctl_cmd_policy_show, NULL, 0, 0 },
  { "policy set", "KEY VALUE", "Change a policy (admin)", _intake_ctl_cmd_policy_set, NULL, 2, 2 },
  { "form list", "", "List installed forms", _intake_ctl_cmd_form_list, NULL, 0, 0 },
  { "form show", "ID", "Show a form's questions (--document: its JSON)", _intake_ctl_cmd_form_show,
    _intake_ctl_version_entries, 1, 1 },
  { "form import", "FILE", "Install a form version, JSON or XLSForm (admin)",
    _intake_ctl_cmd_form_import, NULL, 1, 1 },
  { "interview import", "FILE",
    "Create an interview from {\"form_id\", \"form_version\", \"answers\", \"state\"}; "
    "prints its id",
    _intake_ctl_cmd_interview_import, NULL, 1, 1 },
  { "interview set", "ID QUESTION VALUE",
    "Save one answer (VALUE is JSON, or plain text); a draft only", _intake_ctl_cmd_interview_set,
    NULL, 3, 3 },
  { "interview complete", "ID", "Complete a draft: to review, or to the queue",
    _intake_ctl_cmd_interview_complete, NULL, 1, 1 },
  { "interview list", "", "List the interviews you may read", _intake_ctl_cmd_interview_list, NULL,
    0, 0 },
  { "interview show", "ID", "Show one interview with its answers", _intake_ctl_cmd_interview_show,
    NULL, 1, 1 },
  { "interview export", "", "Print every interview you may read, decrypted, as JSON",
    _intake_ctl_cmd_interview_export, NULL, 0, 0 },
  { "review list", "", "Interviews awaiting review (supervisor)", _intake_ctl_cmd_review_list, NULL,
    0, 0 },
  { "review approve", "ID", "Approve an interview for sending (supervisor)",
    _intake_ctl_cmd_review_approve, NULL, 1, 1 },
  { "review return", "ID --note TEXT", "Send an interview back to its author (supervisor)",
    _intake_ctl_cmd_review_return, _intake_ctl_note_entries, 1, 1 },
  { "review void", "ID --reason TEXT", "Void an interview (supervisor)",
    _intake_ctl_cmd_review_void, _intake_ctl_reason_entries, 1, 1 },
  { "enroll", "URL [--token-file FILE] | --file FILE",
    "Enroll this tablet with a server (admin); the token comes from standard input",
    _intake_ctl_cmd_enroll, _intake_ctl_enroll_entries, 0, 2 },
  { "sync", "", "Send what is queued now; exit 0 done, 75 later, 65 attention, 77 stopped",
    _intake_ctl_cmd_sync, NULL, 0, 0 },
  { "status", "", "Show the tablet's state", _intake_ctl_cmd_status, NULL, 0, 0 },
  { "audit", "", "Show the audit log (supervisor, admin)", _intake_ctl_cmd_audit, NULL, 0, 0 },
  { "verify", "", "Check the data file, the audit chain and every record you may open",
    _intake_ctl_cmd_verify, NULL, 0, 0 },
  { "wipe", "--yes", "Destroy every key and all data on this tablet (admin)", _intake_ctl_cmd_wipe,
    _intake_ctl_yes_entries, 0, 0 },
};

static const GOptionEntry *
global_entries (Ctl *ctl)
{
  static GOptionEntry entries[5];
  GOptionEntry e[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &ctl->data_dir,
      "Data folder (default: $XDG_DATA_HOME/intake)", "DIR" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &ctl->user, "The user acting", "NAME" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "Print one JSON document", NULL },
    { "pin-stdin", 0, 0, G_OPTION_ARG_NONE, &ctl->pin_stdin,
      "Read secrets from standard input, one line each", NULL },
    { NULL },
  };
  memcpy (entries, e, sizeof e);
  return entries;
}

static gboolean
takes_value (const char *arg)
{
  return g_str_equal (arg, "--data-dir") || g_str_equal (arg, "--user");
}

/* `intakectl user --help`: the commands of one group, on standard output. */
static gboolean
print_group_usage (const char *group, gboolean to_stdout)
{
  gboolean found = FALSE;
  void (*out) (const gchar *, ...) = to_stdout ? g_print : g_printerr;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_has_prefix (commands[i].name, group) && commands[i].name[strlen (group)] == ' ')
      {
        if (!found)
          out ("Usage: intakectl [--data-dir DIR] [--user NAME] [--json] [--pin-stdin] %s "
               "COMMAND …\n\nCommands:\n",
               group);
        found = TRUE;
        out ("  %-18s %-18s %s\n", commands[i].name, commands[i].params, commands[i].summary);
      }
  if (found)
    out ("\n'intakectl %s COMMAND --help' documents each.\n", group);
  return found;
}

static void
print_usage (void)
{
  g_printerr ("Usage: intakectl [--data-dir DIR] [--user NAME] [--json] [--pin-stdin] COMMAND …\n"
              "\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-18s %-18s %s\n", commands[i].name, commands[i].params, commands[i].summary);
  g_printerr ("\n'intakectl COMMAND --help' documents each.\n");
}

int
intake_ctl_run (int argc, char **argv)
{
  Ctl ctl = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rest = g_ptr_array_new ();
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *param_string = NULL;
  const Command *cmd = NULL;
  char **args;
  int nargs;
  int word_idx[2] = { -1, -1 };
  int nwords = 0;
  int status = EXIT_SUCCESS;

  if (!intake_crypto_init (&error))
    {
      g_printerr ("intakectl: %s\n", error->message);
      return EXIT_FAILURE;
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);

  /* Find the command words among the arguments: the first one or two words that are not
   * options or values of the global options. */
  for (int i = 1; i < argc && nwords < 2; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (argv[i][0] == '-')
        {
          if (takes_value (argv[i]))
            i++;
          continue;
        }
      if (nwords == 1)
        {
          g_autofree char *two = g_strdup_printf ("%s %s", argv[word_idx[0]], argv[i]);
          gboolean is_group = FALSE;
          for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
            if (g_str_has_prefix (commands[c].name, argv[word_idx[0]])
                && commands[c].name[strlen (argv[word_idx[0]])] == ' ')
              is_group = TRUE;
          if (!is_group)
            break;
          for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
            if (g_str_equal (commands[c].name, two))
              cmd = &commands[c];
          word_idx[nwords++] = i;
          break;
        }
      word_idx[nwords++] = i;
      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        if (g_str_equal (commands[c].name, argv[i]))
          cmd = &commands[c];
    }
  if (cmd == NULL)
    {
      gboolean help = FALSE;
      for (int i = 1; i < argc; i++)
        help |= g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h");
      if (nwords == 1 && print_group_usage (argv[word_idx[0]], help))
        return help ? EXIT_SUCCESS : EXIT_USAGE;
      if (nwords > 0 && !help)
        g_printerr ("intakectl: unknown command '%s%s%s'\n", argv[word_idx[0]],
                    nwords > 1 ? " " : "", nwords > 1 ? argv[word_idx[1]] : "");
      print_usage ();
      return help && nwords == 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }

  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    if (i != word_idx[0] && i != word_idx[1])
      g_ptr_array_add (rest, argv[i]);
  g_ptr_array_add (rest, NULL);

  param_string = g_strdup_printf ("%s %s", cmd->name, cmd->params);
  context = g_option_context_new (param_string);
  g_option_context_set_summary (context, cmd->summary);
  g_option_context_add_main_entries (context, global_entries (&ctl), NULL);
  if (cmd->entries)
    g_option_context_add_main_entries (context, cmd->entries, NULL);
  {
    int rargc = (int) rest->len - 1;
    char **rargv = (char **) rest->pdata;
    if (!g_option_context_parse (context, &rargc, &rargv, &error))
      {
        g_printerr ("intakectl %s: %s\n", cmd->name, error->message);
        return EXIT_USAGE;
      }
    args = rargv + 1;
    nargs = rargc - 1;
  }
  if (nargs > 0 && g_str_equal (args[0], "--"))
    {
      args++;
      nargs--;
    }
  if (nargs < cmd->min_args || nargs > cmd->max_args)
    {
      g_printerr ("intakectl %s: expected %s%s\n", cmd->name, cmd->params,
                  nargs > cmd->max_args ? " (too many arguments)" : "");
      return EXIT_USAGE;
    }
  if (ctl.data_dir == NULL)
    ctl.data_dir = intake_store_default_data_dir ();

  _intake_ctl_sync_exit_status = 0;
  if (!cmd->run (&ctl, cmd, args, &error))
    {
      status = EXIT_FAILURE;
      if (error)
        g_printerr ("intakectl: %s\n", error->message);
      if (error && error->domain == G_OPTION_ERROR)
        status = EXIT_USAGE;
    }
  else if (_intake_ctl_sync_exit_status != 0)
    status = _intake_ctl_sync_exit_status;
  g_clear_object (&ctl.session);
  g_clear_object (&ctl.store);
  g_free (ctl.data_dir);
  g_free (ctl.user);
  return status;
}
