/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"
#include "intake-sync-i18n-private.h"

#include "intake-sync-engine.h"

#define BACKOFF_BASE_S 5.0
#define BACKOFF_CAP_S (15 * 60.0)
/* When all is well, look again now and then for a wipe order or new forms. */
#define IDLE_RECHECK_S (30 * 60.0)

struct _IntakeSyncEngine
{
  GObject parent_instance;

  char *data_dir;
  IntakeSyncOptions options;
  GMainContext *context;
  GNetworkMonitor *monitor;
  gulong monitor_handler;

  GThread *thread;
  GMutex lock;
  GCond cond;
  GCancellable *cancellable;
  gboolean stopping;
  gboolean wake;
  gint64 next_try_us; /* monotonic; 0 = none */

  /* Main-context side. */
  IntakeSyncState state;
  IntakeSyncReport last;
};

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS,
};
static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_PASS_FINISHED,
  N_SIGNALS,
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (IntakeSyncEngine, intake_sync_engine, G_TYPE_OBJECT)

double
intake_sync_backoff_delay (int attempt, int retry_after_s, double base_s, double cap_s)
{
  double ceiling;

  if (retry_after_s >= 0)
    return CLAMP ((double) retry_after_s, 1.0, 3600.0);
  /* Full jitter: a random point below the exponential ceiling, so that many tablets coming back
   * online together do not knock on the server in step. */
  ceiling = MIN (cap_s, base_s * (double) (1u << MIN (attempt, 20)));
  return g_random_double_range (0.5, MAX (ceiling, 0.5));
}

typedef struct
{
  IntakeSyncEngine *self;
  IntakeSyncState state;
  IntakeSyncReport report;
  gboolean has_report;
} Update;

static gboolean
deliver_cb (gpointer data)
{
  Update *u = data;
  IntakeSyncEngine *self = u->self;

  if (u->has_report)
    {
      intake_sync_report_clear (&self->last);
      self->last = u->report;
      u->report.message = NULL;
    }
  if (self->state != u->state)
    {
      self->state = u->state;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
    }
  if (u->has_report)
    g_signal_emit (self, signals[SIGNAL_PASS_FINISHED], 0);
  return G_SOURCE_REMOVE;
}

static void
update_free (gpointer data)
{
  Update *u = data;
  intake_sync_report_clear (&u->report);
  g_object_unref (u->self);
  g_free (u);
}

static void
post (IntakeSyncEngine *self, IntakeSyncState state, IntakeSyncReport *report)
{
  Update *u = g_new0 (Update, 1);

  u->self = g_object_ref (self);
  u->state = state;
  if (report)
    {
      u->report = *report;
      u->report.message = g_strdup (report->message);
      u->has_report = TRUE;
    }
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, deliver_cb, u, update_free);
}

static gpointer
worker (gpointer data)
{
  IntakeSyncEngine *self = data;
  g_autoptr (IntakeStore) store = NULL;
  int attempt = 0;
  gboolean stopped = FALSE;

  for (;;)
    {
      g_auto (IntakeSyncReport) report = { 0 };
      g_autoptr (GError) error = NULL;
      gboolean forced;
      IntakeSyncState after;

      g_mutex_lock (&self->lock);
      while (!self->stopping && !self->wake
             && (stopped || self->next_try_us == 0 || g_get_monotonic_time () < self->next_try_us))
        {
          if (!stopped && self->next_try_us != 0)
            g_cond_wait_until (&self->cond, &self->lock, self->next_try_us);
          else
            g_cond_wait (&self->cond, &self->lock);
        }
      forced = self->wake;
      self->wake = FALSE;
      if (self->stopping)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_mutex_unlock (&self->lock);

      if (!forced && !g_network_monitor_get_network_available (self->monitor))
        {
          post (self, INTAKE_SYNC_STATE_OFFLINE, NULL);
          g_mutex_lock (&self->lock);
          self->next_try_us = 0;
          g_mutex_unlock (&self->lock);
          continue;
        }
      stopped = FALSE;
      post (self, INTAKE_SYNC_STATE_SYNCING, NULL);
      if (store == NULL)
        store = intake_store_open (self->data_dir, &error);
      if (store == NULL || !intake_sync_pass (store, &self->options, self->cancellable, &report,
                                              &error))
        {
          report.outcome = INTAKE_SYNC_LATER;
          report.retry_after_s = -1;
          g_free (report.message);
          report.message = g_strdup (error ? error->message : _("The data file could not be read"));
          g_clear_object (&store);
        }

      g_mutex_lock (&self->lock);
      switch (report.outcome)
        {
        case INTAKE_SYNC_LATER:
          attempt++;
          self->next_try_us = g_get_monotonic_time ()
                              + (gint64) (intake_sync_backoff_delay (attempt,
                                                                     report.retry_after_s,
                                                                     BACKOFF_BASE_S,
                                                                     BACKOFF_CAP_S)
                                          * G_USEC_PER_SEC);
          after = INTAKE_SYNC_STATE_WAITING;
          break;
        case INTAKE_SYNC_STOPPED:
        case INTAKE_SYNC_WIPED:
          stopped = TRUE;
          self->next_try_us = 0;
          after = INTAKE_SYNC_STATE_STOPPED;
          g_clear_object (&store);
          break;
        case INTAKE_SYNC_DONE:
        case INTAKE_SYNC_NEEDS_ATTENTION:
        default:
          attempt = 0;
          self->next_try_us = g_get_monotonic_time () + (gint64) (IDLE_RECHECK_S * G_USEC_PER_SEC);
          after = INTAKE_SYNC_STATE_IDLE;
          break;
        }
      g_mutex_unlock (&self->lock);
      post (self, after, &report);
    }
  return NULL;
}

static void
network_changed_cb (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  IntakeSyncEngine *self = user_data;

  if (!available)
    return;
  /* Back online: try now, whatever the backoff says. */
  g_mutex_lock (&self->lock);
  self->next_try_us = g_get_monotonic_time ();
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

IntakeSyncEngine *
intake_sync_engine_new (const char *data_dir, const IntakeSyncOptions *options)
{
  IntakeSyncEngine *self = g_object_new (INTAKE_TYPE_SYNC_ENGINE, NULL);

  self->data_dir = g_strdup (data_dir);
  if (options)
    self->options = *options;
  else
    intake_sync_options_init (&self->options);
  return self;
}

void
intake_sync_engine_start (IntakeSyncEngine *self)
{
  g_return_if_fail (INTAKE_IS_SYNC_ENGINE (self));
  if (self->thread)
    return;
  self->stopping = FALSE;
  self->wake = TRUE;
  self->thread = g_thread_new ("intake-sync", worker, self);
}

void
intake_sync_engine_sync_now (IntakeSyncEngine *self)
{
  g_return_if_fail (INTAKE_IS_SYNC_ENGINE (self));
  g_mutex_lock (&self->lock);
  self->wake = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
intake_sync_engine_stop (IntakeSyncEngine *self)
{
  g_return_if_fail (INTAKE_IS_SYNC_ENGINE (self));
  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_cancellable_reset (self->cancellable);
}

IntakeSyncState
intake_sync_engine_get_state (IntakeSyncEngine *self)
{
  return self->state;
}

const IntakeSyncReport *
intake_sync_engine_get_last_report (IntakeSyncEngine *self)
{
  return &self->last;
}

int
intake_sync_engine_get_next_try (IntakeSyncEngine *self)
{
  gint64 next;

  g_mutex_lock (&self->lock);
  next = self->next_try_us;
  g_mutex_unlock (&self->lock);
  if (next == 0)
    return -1;
  return (int) MAX (0, (next - g_get_monotonic_time ()) / G_USEC_PER_SEC);
}

static void
intake_sync_engine_dispose (GObject *object)
{
  IntakeSyncEngine *self = INTAKE_SYNC_ENGINE (object);

  intake_sync_engine_stop (self);
  if (self->monitor_handler)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  G_OBJECT_CLASS (intake_sync_engine_parent_class)->dispose (object);
}

static void
intake_sync_engine_finalize (GObject *object)
{
  IntakeSyncEngine *self = INTAKE_SYNC_ENGINE (object);

  intake_sync_report_clear (&self->last);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->data_dir);
  G_OBJECT_CLASS (intake_sync_engine_parent_class)->finalize (object);
}

static void
intake_sync_engine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IntakeSyncEngine *self = INTAKE_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_sync_engine_class_init (IntakeSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_sync_engine_dispose;
  object_class->finalize = intake_sync_engine_finalize;
  object_class->get_property = intake_sync_engine_get_property;

  props[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, INTAKE_SYNC_STATE_IDLE,
                                        INTAKE_SYNC_STATE_STOPPED, INTAKE_SYNC_STATE_IDLE,
                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                            | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIGNAL_PASS_FINISHED] = g_signal_new ("pass-finished", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
}

static void
intake_sync_engine_init (IntakeSyncEngine *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
  self->monitor = g_network_monitor_get_default ();
  self->monitor_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (network_changed_cb), self);
}
