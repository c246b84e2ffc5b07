/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A server and an enrolled tablet, both real: `intake-server serve` on a loopback port with its
 * own SQLite database and organisation key, and a tablet store in a temporary folder. Shared by
 * the end-to-end, fault and benchmark programs. */

#include "intake-outbox.h"
#include "intake-store.h"
#include "intake-sync.h"
#include "server-harness.h"

#include <stdio.h>

#define SYNC_ADMIN_PIN "admin-pin-0001"

typedef struct
{
  char *tmp;
  char *server_bin;
  char *db_url;
  char *org_key;
  IntakeTestServe *serve;
  char *tablet_dir;
  IntakeStore *store;
  IntakeSession *admin;
} SyncFixture;

/* Server and tablet; the tablet is enrolled when enroll is TRUE (through base_url, or the
 * server's own address when NULL). */
void sync_fixture_setup (SyncFixture *f, gboolean enroll, const char *tls_cert, const char *tls_key);
void sync_fixture_teardown (SyncFixture *f);

char *sync_fixture_new_token (SyncFixture *f, const char *device_name);
void sync_fixture_enroll (SyncFixture *f, const char *url, const char *ca_file);

/* Creates and completes n interviews (review off: straight to the queue). Returns a table of
 * interview id -> its answers as JSON text. */
GHashTable *sync_fixture_queue (SyncFixture *f, int n);

/* Runs `intake-server export` and returns interview id -> the decrypted interview object. */
GHashTable *sync_fixture_export (SyncFixture *f);

/* Every queued interview is on the server exactly once with its answers, and the tablet's
 * outbox is empty. */
void sync_fixture_assert_delivered (SyncFixture *f, GHashTable *expected);

void sync_fixture_restart_server (SyncFixture *f, const char *tls_cert, const char *tls_key);

/* A self-signed certificate for 127.0.0.1, made with openssl in dir. */
gboolean sync_fixture_make_cert (const char *dir, const char *name, char **cert, char **key);

/* The suite's fault proxy (tests/sync/intake-fault-proxy.c) in front of a server port. */
typedef struct
{
  GPid pid;
  FILE *in;
  FILE *out;
  char *address; /* 127.0.0.1:PORT */
  char *url;     /* http://127.0.0.1:PORT */
} Proxy;

Proxy *proxy_start (guint16 upstream_port);
void proxy_cmd (Proxy *p, const char *command);
void proxy_stop (Proxy *p);
