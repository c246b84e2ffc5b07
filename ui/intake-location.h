/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The tablet's own position, from its location service (GeoClue 2 on the system bus), for a
 * geopoint question. One request gives one fix or one error; nothing waits on the window's
 * thread, and a request that has no fix in time ends with INTAKE_LOCATION_ERROR_NO_FIX so that
 * the person can type the position instead.
 */
#define INTAKE_LOCATION_DESKTOP_ID "org.fieldintake.Intake"

#define INTAKE_LOCATION_ERROR (intake_location_error_quark ())
GQuark intake_location_error_quark (void);

typedef enum
{
  /* No location service on this tablet (GeoClue is not installed or not running). */
  INTAKE_LOCATION_ERROR_NO_SERVICE,
  /* The service answered, but had no position in time. */
  INTAKE_LOCATION_ERROR_NO_FIX,
  /* The service or its agent refused this program the location. */
  INTAKE_LOCATION_ERROR_REFUSED,
} IntakeLocationError;

typedef struct
{
  double latitude;  /* degrees, −90…90 */
  double longitude; /* degrees, −180…180 */
  double altitude;  /* metres above sea level, NAN when the source does not give one */
  double accuracy;  /* metres: the true position is within this radius */
} IntakeLocationFix;

void intake_location_find_async (guint timeout_seconds, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean intake_location_find_finish (GAsyncResult *result, IntakeLocationFix *fix,
                                      GError **error);

/*
 * A kiosk tablet has no desktop shell to ask the person whether a program may read the
 * location, and GeoClue answers nobody until such an agent is there for the user. The kiosk's
 * window registers itself as the agent (GeoClue accepts it only where its configuration lists
 * INTAKE_LOCATION_DESKTOP_ID as an agent, as the kiosk package's does), and authorizes only
 * itself. The agent registers again whenever GeoClue starts again (it leaves after a minute
 * without clients) and lasts as long as the program; @callback says whether GeoClue took it
 * the first time. Once per program.
 */
void intake_location_agent_register_async (GCancellable *cancellable, GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean intake_location_agent_register_finish (GAsyncResult *result, GError **error);

G_END_DECLS
