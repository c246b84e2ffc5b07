/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define INTAKE_TYPE_INTERVIEW_PLACES (intake_interview_places_get_type ())
G_DECLARE_FINAL_TYPE (IntakeInterviewPlaces, intake_interview_places, INTAKE, INTERVIEW_PLACES,
                      GObject)

/*
 * Where each interview was left in a window: its page and the respondent's language, so that
 * Pause and Continue come back to exactly that page. Question names and a language code only,
 * never an answer; the window holds one for its life.
 */
IntakeInterviewPlaces *intake_interview_places_new (void);
void intake_interview_places_remember (IntakeInterviewPlaces *self, const char *interview_id,
                                       const char *language, const char *step,
                                       const char *repeat, guint entry);
/* FALSE when nothing is remembered for @interview_id; @step NULL: the summary. The strings are
 * borrowed until the next remember. */
gboolean intake_interview_places_lookup (IntakeInterviewPlaces *self, const char *interview_id,
                                         const char **language, const char **step,
                                         const char **repeat, guint *entry);

G_END_DECLS
