/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <geoclue.h>
#include <glib/gi18n.h>
#include <math.h>

#include "intake-location.h"

/*
 * GeoClue 2 through its own client library (libgeoclue's GClueSimple), for a one-shot fix.
 * GClueSimple finishes once the service has a first position at the accuracy asked for; a
 * timer of ours cancels it when that takes too long, which the caller hears as "no fix".
 */

G_DEFINE_QUARK (intake-location-error-quark, intake_location_error)

typedef struct
{
  GCancellable *inner;      /* Cancelled by our timer or by the caller's cancellable. */
  GCancellable *outer;      /* The caller's, or NULL. */
  gulong outer_handler;
  guint timer;
  guint timeout_seconds;
  gboolean timed_out;
  GDBusConnection *bus;
} FindData;

static void
return_no_service (GTask *task, GError *error)
{
  g_dbus_error_strip_remote_error (error);
  g_task_return_new_error (task, INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_NO_SERVICE,
                           _("This tablet's location service (GeoClue) is not running: %s"),
                           error->message);
}

static void
find_data_free (FindData *d)
{
  g_clear_handle_id (&d->timer, g_source_remove);
  if (d->outer != NULL)
    g_cancellable_disconnect (d->outer, d->outer_handler);
  g_clear_object (&d->outer);
  g_clear_object (&d->inner);
  g_clear_object (&d->bus);
  g_free (d);
}

static gboolean
find_timeout_cb (gpointer user_data)
{
  FindData *d = user_data;

  d->timer = 0;
  d->timed_out = TRUE;
  g_cancellable_cancel (d->inner);
  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
simple_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FindData *d = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GClueSimple) simple = gclue_simple_new_finish (result, &error);
  GClueLocation *location;
  GClueClient *client;
  IntakeLocationFix *fix;

  if (simple == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && d->timed_out)
        g_task_return_new_error (task, INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_NO_FIX,
                                 g_dngettext (GETTEXT_PACKAGE,
                                              "The location service found no position in %u "
                                              "second.",
                                              "The location service found no position in %u "
                                              "seconds.",
                                              d->timeout_seconds),
                                 d->timeout_seconds);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
        {
          g_dbus_error_strip_remote_error (error);
          g_task_return_new_error (task, INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_REFUSED,
                                   _("The location service refused this program: %s"),
                                   error->message);
        }
      else
        {
          return_no_service (task, error);
        }
      return;
    }

  location = gclue_simple_get_location (simple);
  fix = g_new0 (IntakeLocationFix, 1);
  fix->latitude = gclue_location_get_latitude (location);
  fix->longitude = gclue_location_get_longitude (location);
  /* GeoClue says "no altitude" with -G_MAXDOUBLE. */
  fix->altitude = gclue_location_get_altitude (location);
  if (fix->altitude <= -G_MAXDOUBLE)
    fix->altitude = NAN;
  fix->accuracy = gclue_location_get_accuracy (location);
  /* One position is all a question needs: the service may stop looking. */
  client = gclue_simple_get_client (simple);
  if (client != NULL)
    gclue_client_call_stop (client, NULL, NULL, NULL);
  g_task_return_pointer (task, fix, g_free);
}

static void
find_bus_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FindData *d = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  d->bus = g_bus_get_finish (result, &error);
  if (d->bus == NULL)
    {
      return_no_service (task, error);
      g_object_unref (task);
      return;
    }
  gclue_simple_new (INTAKE_LOCATION_DESKTOP_ID, GCLUE_ACCURACY_LEVEL_EXACT, d->inner,
                    simple_ready_cb, task);
}

void
intake_location_find_async (guint timeout_seconds, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  FindData *d = g_new0 (FindData, 1);

  g_task_set_source_tag (task, intake_location_find_async);
  d->inner = g_cancellable_new ();
  d->timeout_seconds = MAX (timeout_seconds, 1);
  if (cancellable != NULL)
    {
      d->outer = g_object_ref (cancellable);
      d->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                d->inner, NULL);
    }
  d->timer = g_timeout_add_seconds (d->timeout_seconds, find_timeout_cb, d);
  g_task_set_task_data (task, d, (GDestroyNotify) find_data_free);
  /* GLib keeps one system bus connection per process, and a connection attempt cancelled half
   * way stays failed as "cancelled" for every later caller: the connection is made without a
   * cancellable, and only then is the (cancellable) request made over it. */
  g_bus_get (G_BUS_TYPE_SYSTEM, NULL, find_bus_cb, task);
}

gboolean
intake_location_find_finish (GAsyncResult *result, IntakeLocationFix *fix, GError **error)
{
  g_autofree IntakeLocationFix *found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;
  *fix = *found;
  return TRUE;
}

/* The agent side: GeoClue's org.freedesktop.GeoClue2.Agent, answered by us. */
static const char agent_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.GeoClue2.Agent'>"
  "    <method name='AuthorizeApp'>"
  "      <arg name='desktop_id' type='s' direction='in'/>"
  "      <arg name='req_accuracy_level' type='u' direction='in'/>"
  "      <arg name='authorized' type='b' direction='out'/>"
  "      <arg name='allowed_accuracy_level' type='u' direction='out'/>"
  "    </method>"
  "    <property name='MaxAccuracyLevel' type='u' access='read'/>"
  "  </interface>"
  "</node>";

static void
agent_method_call (GDBusConnection *connection, const char *sender, const char *object_path,
                   const char *interface_name, const char *method_name, GVariant *parameters,
                   GDBusMethodInvocation *invocation, gpointer user_data)
{
  const char *desktop_id;
  guint32 level;
  gboolean ours;

  if (g_strcmp0 (method_name, "AuthorizeApp") != 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD, "No method %s",
                                             method_name);
      return;
    }
  g_variant_get (parameters, "(&su)", &desktop_id, &level);
  /* The kiosk runs this program and nothing else: no other program is given the location. */
  ours = g_strcmp0 (desktop_id, INTAKE_LOCATION_DESKTOP_ID) == 0;
  g_debug ("location agent: %s %s", desktop_id, ours ? "authorized" : "refused");
  g_dbus_method_invocation_return_value (
      invocation, g_variant_new ("(bu)", ours, ours ? MIN (level, GCLUE_ACCURACY_LEVEL_EXACT) : 0));
}

static GVariant *
agent_get_property (GDBusConnection *connection, const char *sender, const char *object_path,
                    const char *interface_name, const char *property_name, GError **error,
                    gpointer user_data)
{
  if (g_strcmp0 (property_name, "MaxAccuracyLevel") == 0)
    return g_variant_new_uint32 (GCLUE_ACCURACY_LEVEL_EXACT);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s",
               property_name);
  return NULL;
}

static const GDBusInterfaceVTable agent_vtable = { agent_method_call, agent_get_property, NULL,
                                                   { NULL } };

/*
 * GeoClue leaves when it has had no client for a minute and is started again by the next one,
 * and it forgets its agents when it leaves: the agent watches GeoClue's name and registers again
 * each time the name gets an owner. One agent per program, for as long as it runs.
 */
typedef struct
{
  GDBusConnection *bus;
  guint registration;
  guint watch;
  GTask *first; /* The registration's caller, until the first answer. */
} Agent;

static Agent *the_agent;

static void
agent_answer_first (Agent *agent, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&agent->first);

  if (task == NULL)
    {
      if (error != NULL)
        g_message ("The location service did not take this program as its agent: %s",
                   error->message);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
add_agent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) refused = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                              &error);

  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      refused = g_error_new (INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_REFUSED,
                             _("The location service did not take this program as its agent: "
                               "%s"),
                             error->message);
    }
  agent_answer_first (agent, refused);
}

static void
geoclue_appeared_cb (GDBusConnection *bus, const char *name, const char *owner,
                     gpointer user_data)
{
  g_dbus_connection_call (bus, owner, "/org/freedesktop/GeoClue2/Manager",
                          "org.freedesktop.GeoClue2.Manager", "AddAgent",
                          g_variant_new ("(s)", INTAKE_LOCATION_DESKTOP_ID), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, add_agent_cb, user_data);
}

static void
geoclue_vanished_cb (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;

  /* Only the first time says anything: later, GeoClue has simply left until it is needed. */
  if (agent->first == NULL)
    return;
  error = g_error_new_literal (INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_NO_SERVICE,
                               _("This tablet's location service (GeoClue) is not installed or "
                                 "not running."));
  agent_answer_first (agent, error);
}

static void
system_bus_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) info = NULL;

  agent->bus = g_bus_get_finish (result, &error);
  if (agent->bus == NULL)
    {
      g_autoptr (GError) no_bus = g_error_new (
          INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_NO_SERVICE,
          _("This tablet's location service (GeoClue) is not running: %s"), error->message);

      agent_answer_first (agent, no_bus);
      return;
    }
  info = g_dbus_node_info_new_for_xml (agent_xml, &error);
  g_assert_no_error (error);
  agent->registration = g_dbus_connection_register_object (agent->bus,
                                                           "/org/freedesktop/GeoClue2/Agent",
                                                           info->interfaces[0], &agent_vtable,
                                                           NULL, NULL, &error);
  if (agent->registration == 0)
    {
      agent_answer_first (agent, error);
      return;
    }
  /* Auto-start: on a tablet, GeoClue is started on demand (D-Bus activation). */
  agent->watch = g_bus_watch_name_on_connection (agent->bus, "org.freedesktop.GeoClue2",
                                                 G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                                 geoclue_appeared_cb, geoclue_vanished_cb, agent,
                                                 NULL);
}

void
intake_location_agent_register_async (GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, intake_location_agent_register_async);
  if (the_agent != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               "this program is already GeoClue's agent");
      g_object_unref (task);
      return;
    }
  the_agent = g_new0 (Agent, 1);
  the_agent->first = task;
  g_bus_get (G_BUS_TYPE_SYSTEM, NULL, system_bus_cb, the_agent);
}

gboolean
intake_location_agent_register_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
