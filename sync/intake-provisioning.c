/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-provisioning.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "intake-json.h"

/* The SHA-256 of a public key, as curl's CURLOPT_PINNEDPUBLICKEY takes it. */
#define PIN_HASH_BYTES 32
#define PEM_CERTIFICATE "-----BEGIN CERTIFICATE-----"

void
intake_provisioning_free (IntakeProvisioning *provisioning)
{
  if (provisioning == NULL)
    return;
  g_free (provisioning->url);
  if (provisioning->token != NULL)
    intake_crypto_wipe_string (provisioning->token);
  g_free (provisioning->token);
  g_free (provisioning->pinned_key);
  g_free (provisioning->ca_pem);
  g_free (provisioning);
}

static gboolean
bad (GError **error, const char *what, const char *problem)
{
  g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
               "%s is not a usable provisioning file: %s", what, problem);
  return FALSE;
}

/* An optional member: absent or null is NULL; anything but a string is an error. */
static gboolean
optional_string (JsonObject *o, const char *member, const char **out, const char *what,
                 GError **error)
{
  JsonNode *node = json_object_get_member (o, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *problem = g_strdup_printf ("\"%s\" must be text", member);
      return bad (error, what, problem);
    }
  *out = json_node_get_string (node);
  if (**out == '\0')
    *out = NULL;
  return TRUE;
}

IntakeProvisioning *
intake_provisioning_parse (const char *data, gssize len, const char *what, GError **error)
{
  /* One flat object: no legitimate file nests at all. */
  const IntakeJsonLimits limits = { INTAKE_PROVISIONING_MAX_BYTES, 4 };
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (IntakeProvisioning) p = g_new0 (IntakeProvisioning, 1);
  g_autoptr (GUri) uri = NULL;
  JsonObject *o;
  const char *format, *url, *token, *pin, *ca;

  if (len < 0)
    len = (gssize) strlen (data);
  if ((gsize) len > INTAKE_PROVISIONING_MAX_BYTES)
    {
      bad (error, what, "it is far larger than a provisioning file can be");
      return NULL;
    }
  root = intake_json_parse_untrusted (data, len, &limits, &local_error);
  if (root == NULL)
    {
      g_autofree char *problem = NULL;

      if (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_EMPTY))
        problem = g_strdup ("it is empty");
      else
        problem = g_strdup (local_error->message);
      bad (error, what, problem);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      bad (error, what, "it must hold one JSON object");
      return NULL;
    }
  o = json_node_get_object (root);
  if (!optional_string (o, "format", &format, what, error)
      || !optional_string (o, "url", &url, what, error)
      || !optional_string (o, "token", &token, what, error)
      || !optional_string (o, "pin_sha256", &pin, what, error)
      || !optional_string (o, "ca", &ca, what, error))
    return NULL;
  if (g_strcmp0 (format, INTAKE_PROVISIONING_FORMAT) != 0)
    {
      g_autofree char *problem = g_strdup_printf ("its \"format\" is %s%s%s, not \""
                                                  INTAKE_PROVISIONING_FORMAT "\"",
                                                  format ? "\"" : "", format ? format : "missing",
                                                  format ? "\"" : "");
      bad (error, what, problem);
      return NULL;
    }
  if (url == NULL)
    {
      bad (error, what, "it has no server address (\"url\")");
      return NULL;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_autofree char *problem = g_strdup_printf ("its \"url\" (%s) is not an https:// address",
                                                  url);
      bad (error, what, problem);
      return NULL;
    }
  if (token == NULL)
    {
      bad (error, what, "it has no enrollment token (\"token\")");
      return NULL;
    }
  if (pin != NULL)
    {
      const char *b64 = g_str_has_prefix (pin, "sha256//") ? pin + strlen ("sha256//") : pin;
      guint8 hash[PIN_HASH_BYTES];
      size_t hash_len = 0;

      if (sodium_base642bin (hash, sizeof hash, b64, strlen (b64), NULL, &hash_len, NULL,
                             sodium_base64_VARIANT_ORIGINAL)
              != 0
          || hash_len != sizeof hash)
        {
          bad (error, what,
               "its \"pin_sha256\" is not the base64 SHA-256 of a public key (44 characters)");
          return NULL;
        }
      p->pinned_key = g_strconcat ("sha256//", b64, NULL);
    }
  if (ca != NULL)
    {
      if (strstr (ca, PEM_CERTIFICATE) == NULL)
        {
          bad (error, what, "its \"ca\" holds no PEM certificate (" PEM_CERTIFICATE ")");
          return NULL;
        }
      p->ca_pem = g_strdup (ca);
    }
  p->url = g_strdup (url);
  p->token = g_strdup (token);
  return g_steal_pointer (&p);
}

IntakeProvisioning *
intake_provisioning_load (const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *data = NULL;
  IntakeProvisioning *p;
  GStatBuf st;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  /* Checked before reading, so that a wrong choice (a video, say) is not read whole. */
  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode)
      && (guint64) st.st_size > INTAKE_PROVISIONING_MAX_BYTES)
    {
      bad (error, path, "it is far larger than a provisioning file can be");
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                   "The provisioning file cannot be read: %s", local_error->message);
      return NULL;
    }
  p = intake_provisioning_parse (data, (gssize) len, path, error);
  /* The file holds the token: leave no copy of it in freed memory. */
  sodium_memzero (data, len);
  return p;
}

/* The CA certificate as a file the enrollment (and every sync after it) can name: beside the
 * data file, named by its hash so that enrolling again never changes one in use. */
static char *
save_ca (IntakeStore *store, const char *pem, gboolean *created, GError **error)
{
  guint8 hash[INTAKE_HASH_BYTES];
  char hex[2 * 8 + 1];
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  crypto_generichash (hash, sizeof hash, (const guint8 *) pem, strlen (pem), NULL, 0);
  sodium_bin2hex (hex, sizeof hex, hash, 8);
  name = g_strdup_printf ("server-ca-%s.pem", hex);
  path = g_build_filename (intake_store_get_data_dir (store), name, NULL);
  *created = !g_file_test (path, G_FILE_TEST_EXISTS);
  if (*created && !g_file_set_contents_full (path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                             error))
    return NULL;
  return g_steal_pointer (&path);
}

gboolean
intake_sync_enroll_provisioning (IntakeSession *admin,
                                 const IntakeProvisioning *provisioning,
                                 GError **error)
{
  g_autofree char *ca_file = NULL;
  gboolean created = FALSE;

  g_return_val_if_fail (INTAKE_IS_SESSION (admin), FALSE);
  g_return_val_if_fail (provisioning != NULL, FALSE);

  if (provisioning->ca_pem != NULL)
    {
      ca_file = save_ca (intake_session_get_store (admin), provisioning->ca_pem, &created, error);
      if (ca_file == NULL)
        return FALSE;
    }
  if (!intake_sync_enroll (admin, provisioning->url, provisioning->token,
                           provisioning->pinned_key, ca_file, error))
    {
      if (created)
        g_unlink (ca_file);
      return FALSE;
    }
  return TRUE;
}

static gboolean
enroll_file_work (IntakeSession *admin, gpointer data, GCancellable *cancellable, GError **error)
{
  g_autoptr (IntakeProvisioning) provisioning = intake_provisioning_load (data, error);

  return provisioning != NULL && intake_sync_enroll_provisioning (admin, provisioning, error);
}

void
intake_sync_enroll_file_async (IntakeSession *admin,
                               const char *path,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_return_if_fail (INTAKE_IS_SESSION (admin));
  g_return_if_fail (path != NULL);

  intake_session_run_async (admin, enroll_file_work, g_strdup (path), g_free, cancellable,
                            callback, user_data);
}

gboolean
intake_sync_enroll_file_finish (IntakeSession *admin, GAsyncResult *result, GError **error)
{
  return intake_session_run_finish (admin, result, error);
}
