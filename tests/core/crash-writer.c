/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saves answers one after another and says which saves returned, until it is killed. Used by
 * test-crash: every answer acknowledged here must be in the store after a SIGKILL. */
#include "intake-config.h"

#include <stdlib.h>
#include <unistd.h>

#include "intake-store.h"

/* Answers cycle over this many questions, so that each save also overwrites an older answer. */
#define CRASH_QUESTIONS 64

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) session = NULL;
  g_autoptr (IntakeSecret) pin = NULL;
  gint64 first;

  if (argc != 6)
    {
      g_printerr ("usage: crash-writer DATA_DIR USER PIN INTERVIEW FIRST_INDEX\n");
      return 2;
    }
  if (!intake_crypto_init (&error))
    return 1;
  first = g_ascii_strtoll (argv[5], NULL, 10);
  pin = intake_secret_new_from_data (argv[3], strlen (argv[3]));
  store = intake_store_open (argv[1], &error);
  if (store)
    session = intake_store_unlock (store, argv[2], pin, &error);
  if (session == NULL)
    {
      g_printerr ("crash-writer: %s\n", error->message);
      return 1;
    }
  for (gint64 i = first;; i++)
    {
      g_autofree char *name = g_strdup_printf ("q%" G_GINT64_FORMAT, i % CRASH_QUESTIONS);
      g_autofree char *value = g_strdup_printf ("answer-%" G_GINT64_FORMAT, i);
      g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), value);
      g_autofree char *ack = g_strdup_printf ("%" G_GINT64_FORMAT "\n", i);

      if (!intake_session_set_answer (session, argv[4], name, node, &error))
        {
          g_printerr ("crash-writer: %s\n", error->message);
          return 1;
        }
      /* The acknowledgement goes out only after the save returned: it is what "the screen
       * shows as saved" means for this test. */
      if (write (STDOUT_FILENO, ack, strlen (ack)) < 0)
        return 1;
    }
}
