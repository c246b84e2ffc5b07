/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "intake-crypto.h"
#include "intake-server-store.h"

G_BEGIN_DECLS

/* Parsing and checking of what a device sends, apart from the HTTP server so that it can be
 * tested and fuzzed on its own. Nothing here touches the database. */

#define INTAKE_SERVER_REQUEST_ERROR (intake_server_request_error_quark ())

typedef enum
{
  INTAKE_SERVER_REQUEST_ERROR_BAD_REQUEST,
  INTAKE_SERVER_REQUEST_ERROR_TOO_LARGE,
  INTAKE_SERVER_REQUEST_ERROR_UNAUTHENTICATED,
} IntakeServerRequestError;

GQuark intake_server_request_error_quark (void);

/* Limits from PROTOCOL.md. */
#define INTAKE_SERVER_MAX_BODY (8 * 1024 * 1024)
#define INTAKE_SERVER_MAX_UNPACKED (16 * 1024 * 1024)
#define INTAKE_SERVER_MAX_ENVELOPES 100
/* Enrollment (which no device has signed yet), GET requests and unknown paths are small;
 * nothing larger is read for them, and a request that has not shown a known device may send
 * no more. */
#define INTAKE_SERVER_MAX_SMALL_BODY (4 * 1024)
#define INTAKE_SERVER_TOKEN_SECRET_BYTES 32
#define INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES 16
#define INTAKE_SERVER_MAX_NAME 200

/* Standard base64 with padding, as every binary value in the protocol. expected_len 0 takes any
 * length. */
GBytes *intake_server_b64_decode (const char *text, size_t expected_len, GError **error);
char *intake_server_b64_encode (const guint8 *data, size_t len);
char *intake_server_b64url_encode (const guint8 *data, size_t len);
char *intake_server_hex_hash (const guint8 *data, size_t len);

/* Inflates a gzip body, refusing (TOO_LARGE) once it would exceed max bytes, so that a small
 * body that expands enormously costs no more than max. */
GBytes *intake_server_gunzip (const guint8 *data, size_t len, size_t max, GError **error);

/* The message a device signs for a request, and its check. */
char *intake_server_request_message (const char *method,
                                     const char *path,
                                     const guint8 *body,
                                     size_t body_len);
gboolean intake_server_parse_signature (const char *header,
                                        guint8 signature[INTAKE_SIGNATURE_BYTES],
                                        GError **error);
gboolean intake_server_verify_request (const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES],
                                       const char *signature_header,
                                       const char *method,
                                       const char *path,
                                       const guint8 *body,
                                       size_t body_len,
                                       GError **error);

typedef struct
{
  guint8 token_secret[INTAKE_SERVER_TOKEN_SECRET_BYTES];
  guint8 token_fingerprint[INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES];
  char *device_id;
  char *name;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
} IntakeServerEnrollRequest;

void intake_server_enroll_request_free (IntakeServerEnrollRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerEnrollRequest, intake_server_enroll_request_free)

gboolean intake_server_parse_token (const char *token,
                                    guint8 secret[INTAKE_SERVER_TOKEN_SECRET_BYTES],
                                    guint8 fingerprint[INTAKE_SERVER_TOKEN_FINGERPRINT_BYTES],
                                    GError **error);
IntakeServerEnrollRequest *intake_server_parse_enroll (const char *body,
                                                       size_t len,
                                                       GError **error);

/* One envelope of a batch: either a submission ready to store (status 200 so far) or the reason
 * it was refused (status 400). submission_id is whatever string the device sent, or NULL. */
typedef struct
{
  char *submission_id;
  int status;
  char *reason;
  char *content_hash_b64;
  IntakeServerSubmission *submission;
} IntakeServerEnvelope;

void intake_server_envelope_free (IntakeServerEnvelope *envelope);

/* A batch that is not a JSON object with an "envelopes" array of at most 100 entries fails as a
 * whole; an entry with a missing or wrong field becomes an envelope with status 400. */
GPtrArray *intake_server_parse_submissions (const char *body,
                                            size_t len,
                                            const char *device_id,
                                            GError **error);
/* Marks every envelope whose device signature does not verify as status 400. */
void intake_server_verify_envelopes (GPtrArray *envelopes,
                                     const guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES]);

char *intake_server_envelope_message (const char *submission_id, const char *content_hash_b64);
char *intake_server_receipt_message (const char *submission_id,
                                     const char *content_hash_b64,
                                     const char *server_time);
char *intake_server_form_message (const char *form_id, gint64 version, const char *document);
/* What the server signs for a provisioning file's policies (sync/PROTOCOL.md). */
char *intake_server_policies_message (const char *document);

G_END_DECLS
