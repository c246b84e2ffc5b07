/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-interview-places.h"

typedef struct
{
  char *language;
  char *step;
  char *repeat;
  guint entry;
} Place;

struct _IntakeInterviewPlaces
{
  GObject parent_instance;

  GHashTable *places;
};

G_DEFINE_FINAL_TYPE (IntakeInterviewPlaces, intake_interview_places, G_TYPE_OBJECT)

static void
place_free (gpointer data)
{
  Place *place = data;

  g_free (place->language);
  g_free (place->step);
  g_free (place->repeat);
  g_free (place);
}

void
intake_interview_places_remember (IntakeInterviewPlaces *self, const char *interview_id,
                                  const char *language, const char *step, const char *repeat,
                                  guint entry)
{
  Place *place;

  g_return_if_fail (INTAKE_IS_INTERVIEW_PLACES (self));
  g_return_if_fail (interview_id != NULL);

  place = g_new0 (Place, 1);
  place->language = g_strdup (language);
  place->step = g_strdup (step);
  place->repeat = g_strdup (repeat);
  place->entry = entry;
  g_hash_table_replace (self->places, g_strdup (interview_id), place);
}

gboolean
intake_interview_places_lookup (IntakeInterviewPlaces *self, const char *interview_id,
                                const char **language, const char **step, const char **repeat,
                                guint *entry)
{
  Place *place;

  g_return_val_if_fail (INTAKE_IS_INTERVIEW_PLACES (self), FALSE);
  g_return_val_if_fail (interview_id != NULL, FALSE);

  place = g_hash_table_lookup (self->places, interview_id);
  if (place == NULL)
    return FALSE;
  *language = place->language;
  *step = place->step;
  *repeat = place->repeat;
  *entry = place->entry;
  return TRUE;
}

static void
intake_interview_places_finalize (GObject *object)
{
  IntakeInterviewPlaces *self = INTAKE_INTERVIEW_PLACES (object);

  g_hash_table_unref (self->places);
  G_OBJECT_CLASS (intake_interview_places_parent_class)->finalize (object);
}

static void
intake_interview_places_class_init (IntakeInterviewPlacesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_interview_places_finalize;
}

static void
intake_interview_places_init (IntakeInterviewPlaces *self)
{
  self->places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, place_free);
}

IntakeInterviewPlaces *
intake_interview_places_new (void)
{
  return g_object_new (INTAKE_TYPE_INTERVIEW_PLACES, NULL);
}
