/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "intake-sync.h"

G_BEGIN_DECLS

/* The long-lived sync engine of the tablet window: one worker thread with its own store
 * connection and CURL handle. It wakes on "sync now", when the network comes back, and on a
 * backoff timer; it reports on the main context it was created in. */
#define INTAKE_TYPE_SYNC_ENGINE (intake_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (IntakeSyncEngine, intake_sync_engine, INTAKE, SYNC_ENGINE, GObject)

typedef enum
{
  INTAKE_SYNC_STATE_IDLE,     /* nothing to do, or waiting for the next check */
  INTAKE_SYNC_STATE_SYNCING,  /* a pass is running */
  INTAKE_SYNC_STATE_WAITING,  /* a pass failed; the next try is scheduled */
  INTAKE_SYNC_STATE_OFFLINE,  /* no network */
  INTAKE_SYNC_STATE_STOPPED,  /* revoked, not enrolled, or wiped: a person must act */
} IntakeSyncState;

IntakeSyncEngine *intake_sync_engine_new (const char *data_dir, const IntakeSyncOptions *options);
void intake_sync_engine_start (IntakeSyncEngine *self);
void intake_sync_engine_sync_now (IntakeSyncEngine *self);
void intake_sync_engine_stop (IntakeSyncEngine *self);

IntakeSyncState intake_sync_engine_get_state (IntakeSyncEngine *self);
/* The last pass's report (outcome, counts, message); valid on the main context. */
const IntakeSyncReport *intake_sync_engine_get_last_report (IntakeSyncEngine *self);
/* Seconds until the next automatic try, or -1 when none is scheduled. */
int intake_sync_engine_get_next_try (IntakeSyncEngine *self);

/* The delay before retry number `attempt` (1, 2, …): exponential with full jitter, capped; a
 * server's Retry-After (>= 0) replaces it, clamped to [1 s, 1 h]. Exposed for tests. */
double intake_sync_backoff_delay (int attempt, int retry_after_s, double base_s, double cap_s);

G_END_DECLS
