/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "intake-server-store.h"

G_BEGIN_DECLS

#define INTAKE_SERVER_ERROR (intake_server_error_quark ())

typedef enum
{
  INTAKE_SERVER_ERROR_FAILED,
  INTAKE_SERVER_ERROR_NOT_INITIALISED,
  INTAKE_SERVER_ERROR_LISTEN,
  INTAKE_SERVER_ERROR_INSECURE,
  INTAKE_SERVER_ERROR_TLS,
} IntakeServerError;

GQuark intake_server_error_quark (void);

/* Meta keys the server keeps in its database. */
#define INTAKE_SERVER_META_SIGN_SK "server_sign_sk"
#define INTAKE_SERVER_META_SIGN_PK "server_sign_pk"
#define INTAKE_SERVER_META_ORG_PK "org_data_pk"

/* A request as the HTTP layer hands it over; tests, the fuzzer and the benchmark build these
 * directly. */
typedef struct
{
  const char *method;
  const char *path;
  gboolean has_query;
  const char *device_id;
  const char *signature;
  const char *content_encoding;
  const guint8 *body;
  size_t body_len;
} IntakeServerRequest;

typedef struct
{
  int status;
  char *body;
  /* Ids and counts only, for the request log. */
  char *device_id;
  char *log_detail;
  int retry_after;
} IntakeServerResponse;

void intake_server_response_free (IntakeServerResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerResponse, intake_server_response_free)

#define INTAKE_TYPE_SERVER (intake_server_get_type ())
G_DECLARE_FINAL_TYPE (IntakeServer, intake_server, INTAKE, SERVER, GObject)

/* Takes ownership of store. Fails when the database has not been initialised. */
IntakeServer *intake_server_new (IntakeServerStore *store, GError **error);
IntakeServerStore *intake_server_get_store (IntakeServer *self);

IntakeServerResponse *intake_server_handle (IntakeServer *self, const IntakeServerRequest *request);

/* The fewest connections at once a server may be limited to: one per libmicrohttpd thread at
 * least, with room to spare. */
#define INTAKE_SERVER_MIN_CONNECTIONS 16

/* Limits the connections open at once, in all and from one IP address (by default 256 and 32);
 * before intake_server_start. */
void intake_server_set_connection_limits (IntakeServer *self, guint total, guint per_ip);

/* Listens on host:port (port 0 picks a free one) with libmicrohttpd's own threads. Without a
 * certificate, host must be a loopback address. */
gboolean intake_server_start (IntakeServer *self,
                              const char *host,
                              guint16 port,
                              const char *tls_cert_file,
                              const char *tls_key_file,
                              GError **error);
guint16 intake_server_get_port (IntakeServer *self);
void intake_server_stop (IntakeServer *self);

/* "2026-01-31T12:00:00Z". */
char *intake_server_now_iso8601 (void);

G_END_DECLS
