/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What every libFuzzer target here does with GLib's warnings and criticals (a GError set twice,
 * a failed precondition): they are bugs, so they stop the target. GLib stops a program on a
 * fatal message with a breakpoint (SIGTRAP), which libFuzzer does not catch, so it kept no
 * reproducer; the targets abort () instead, which libFuzzer catches and writes the input to its
 * artifact file. Warnings are made fatal here, whatever G_DEBUG says, so the seed replays in the
 * test suite stop on them too. A target may name messages of a library it links that report the
 * damaged input rather than a bug (see fuzz-xlsform.c).
 */
#pragma once

#include <glib.h>
#include <stdlib.h>

typedef gboolean (*FuzzTolerateFunc) (const char *domain, GLogLevelFlags level,
                                      const char *message);

static FuzzTolerateFunc fuzz_tolerate;

static gboolean
fuzz_fatal_message_cb (const char *domain, GLogLevelFlags level, const char *message,
                       gpointer user_data)
{
  (void) user_data;
  if (fuzz_tolerate != NULL && fuzz_tolerate (domain, level, message))
    return FALSE;
  g_printerr ("fuzz: a fatal GLib message (domain %s): %s\n", domain ? domain : "none",
              message);
  abort ();
}

/* From LLVMFuzzerInitialize (): warnings and criticals abort, except what `tolerate` lets pass. */
static inline void
fuzz_glib_messages_abort (FuzzTolerateFunc tolerate)
{
  fuzz_tolerate = tolerate;
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_test_log_set_fatal_handler (fuzz_fatal_message_cb, NULL);
}

/* Defines libFuzzer's LLVMFuzzerInitialize (), which sets this up before the first input. */
#define FUZZ_DEFINE_INITIALIZE(tolerate)                                                         \
  int LLVMFuzzerInitialize (int *argc, char ***argv);                                            \
  int LLVMFuzzerInitialize (int *argc, char ***argv)                                             \
  {                                                                                              \
    (void) argc;                                                                                 \
    (void) argv;                                                                                 \
    fuzz_glib_messages_abort (tolerate);                                                         \
    return 0;                                                                                    \
  }
