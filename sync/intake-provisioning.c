/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-provisioning.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "intake-form.h"
#include "intake-json.h"

/* The SHA-256 of a public key, as curl's CURLOPT_PINNEDPUBLICKEY takes it. */
#define PIN_HASH_BYTES 32
#define PEM_CERTIFICATE "-----BEGIN CERTIFICATE-----"
/* The policies document: a handful of keys in one flat object. */
#define POLICIES_MAX_BYTES (64 * 1024)

static void
provisioned_form_free (IntakeProvisionedForm *form)
{
  g_free (form->id);
  g_free (form->document);
  g_free (form);
}

static void
provisioned_policy_free (IntakeProvisionedPolicy *policy)
{
  g_free (policy->key);
  g_free (policy->value);
  g_free (policy);
}

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
  g_clear_pointer (&provisioning->policies, g_ptr_array_unref);
  g_clear_pointer (&provisioning->forms, g_ptr_array_unref);
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

/* Refuses the file for what is wrong with one of its signed members, named: "forms[1] (household
 * v3): its signature does not verify with the server's key". */
static gboolean bad_member (GError **error, const char *what, const char *member,
                            const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
bad_member (GError **error, const char *what, const char *member, const char *format, ...)
{
  g_autofree char *problem = NULL;
  g_autofree char *full = NULL;
  va_list args;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);
  full = g_strdup_printf ("%s: %s", member, problem);
  return bad (error, what, full);
}

/* A string member of a signed member's object; absent, null or not text is NULL. */
static const char *
member_string (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* TRUE when @sig_b64 is an Ed25519 signature by @pk over "@prefix" hex(hash(@document)). */
static gboolean
signature_verifies (const guint8 pk[INTAKE_SIGN_PUBLIC_BYTES], const char *prefix,
                    const char *document, const char *sig_b64)
{
  guint8 hash[INTAKE_HASH_BYTES];
  char hex[INTAKE_HASH_BYTES * 2 + 1];
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  size_t sig_len = 0;
  g_autofree char *message = NULL;

  if (sodium_base642bin (sig, sizeof sig, sig_b64, strlen (sig_b64), NULL, &sig_len, NULL,
                         sodium_base64_VARIANT_ORIGINAL)
          != 0
      || sig_len != sizeof sig)
    return FALSE;
  crypto_generichash (hash, sizeof hash, (const guint8 *) document, strlen (document), NULL, 0);
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  message = g_strconcat (prefix, hex, NULL);
  return crypto_sign_verify_detached (sig, (const guint8 *) message, strlen (message), pk) == 0;
}

/* The token's SERVER part is the first bytes of the hash of the server's signing key
 * (sync/PROTOCOL.md, "Enrollment token"): the key in the file must be that one, or what it signed
 * proves nothing. Only the part after the secret is read, so the secret is never copied. */
static gboolean
key_matches_token (const guint8 pk[INTAKE_SIGN_PUBLIC_BYTES], const char *token)
{
  const char *server = strchr (token, '.');
  const char *end;
  guint8 pinned[INTAKE_FINGERPRINT_BYTES];
  guint8 hash[INTAKE_FINGERPRINT_BYTES];
  size_t pinned_len = 0;

  if (server == NULL)
    return FALSE;
  server++;
  end = strchr (server, '.');
  if (end == NULL
      || sodium_base642bin (pinned, sizeof pinned, server, (size_t) (end - server), NULL,
                            &pinned_len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
             != 0
      || pinned_len != sizeof pinned)
    return FALSE;
  intake_key_fingerprint (pk, INTAKE_SIGN_PUBLIC_BYTES, hash);
  return sodium_memcmp (hash, pinned, sizeof hash) == 0;
}

/* "policies": {"document": "<JSON object text>", "signature": "<b64>"}: verified, then each
 * policy checked as `intakectl policy set` checks it. */
static gboolean
parse_policies (JsonNode *node, const guint8 pk[INTAKE_SIGN_PUBLIC_BYTES], IntakeProvisioning *p,
                const char *what, GError **error)
{
  const IntakeJsonLimits limits = { POLICIES_MAX_BYTES, 2 };
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GList) members = NULL;
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *document = o != NULL ? member_string (o, "document") : NULL;
  const char *signature = o != NULL ? member_string (o, "signature") : NULL;

  if (document == NULL || signature == NULL)
    return bad_member (error, what, "policies",
                       "it must be an object with a \"document\" and a \"signature\"");
  if (!signature_verifies (pk, "intake-policies-v1\n", document, signature))
    return bad_member (error, what, "policies",
                       "its signature does not verify with the server's key");
  root = intake_json_parse_untrusted (document, -1, &limits, &local_error);
  if (root == NULL)
    return bad_member (error, what, "policies", "its document: %s", local_error->message);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return bad_member (error, what, "policies", "its document is not one JSON object");
  p->policies = g_ptr_array_new_with_free_func ((GDestroyNotify) provisioned_policy_free);
  members = json_object_get_members (json_node_get_object (root));
  for (GList *l = members; l != NULL; l = l->next)
    {
      IntakeProvisionedPolicy *policy;
      char *value = intake_policy_normalise (
        l->data, json_object_get_member (json_node_get_object (root), l->data), &local_error);

      if (value == NULL)
        return bad_member (error, what, "policies", "%s", local_error->message);
      policy = g_new0 (IntakeProvisionedPolicy, 1);
      policy->key = g_strdup (l->data);
      policy->value = value;
      g_ptr_array_add (p->policies, policy);
    }
  return TRUE;
}

/* "forms": [{"id", "version", "document", "signature"}], as GET /v1/forms gives them: each
 * verified as a sync verifies it, then loaded by the form engine as an import would. */
static gboolean
parse_forms (JsonNode *node, const guint8 pk[INTAKE_SIGN_PUBLIC_BYTES], IntakeProvisioning *p,
             const char *what, GError **error)
{
  JsonArray *forms = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  if (forms == NULL)
    return bad (error, what, "its \"forms\" must be a list");
  p->forms = g_ptr_array_new_with_free_func ((GDestroyNotify) provisioned_form_free);
  for (guint i = 0; i < json_array_get_length (forms); i++)
    {
      JsonNode *element = json_array_get_element (forms, i);
      JsonObject *f = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonNode *version_node = f != NULL ? json_object_get_member (f, "version") : NULL;
      const char *id = f != NULL ? member_string (f, "id") : NULL;
      const char *document = f != NULL ? member_string (f, "document") : NULL;
      const char *signature = f != NULL ? member_string (f, "signature") : NULL;
      g_autofree char *name = NULL;
      g_autofree char *message = NULL;
      g_autoptr (IntakeForm) form = NULL;
      g_autoptr (GError) local_error = NULL;
      IntakeProvisionedForm *entry;
      gint64 version = 0;

      if (version_node != NULL && JSON_NODE_HOLDS_VALUE (version_node)
          && json_node_get_value_type (version_node) == G_TYPE_INT64)
        version = json_node_get_int (version_node);
      if (id == NULL || document == NULL || signature == NULL || version <= 0)
        {
          name = g_strdup_printf ("forms[%u]", i);
          return bad_member (error, what, name,
                             "it must be an object with an \"id\", a positive \"version\", a "
                             "\"document\" and a \"signature\"");
        }
      name = g_strdup_printf ("forms[%u] (%s v%" G_GINT64_FORMAT ")", i, id, version);
      message = g_strdup_printf ("intake-form-v1\n%s\n%" G_GINT64_FORMAT "\n", id, version);
      if (!signature_verifies (pk, message, document, signature))
        return bad_member (error, what, name,
                           "its signature does not verify with the server's key");
      form = intake_form_new_from_data (document, -1, INTAKE_FORM_LOAD_DEFAULT, &local_error);
      if (form == NULL)
        return bad_member (error, what, name, "the form does not load: %s",
                           local_error->message);
      if (g_strcmp0 (intake_form_get_id (form), id) != 0
          || intake_form_get_version (form) != version)
        return bad_member (error, what, name, "its document is form %s version %" G_GINT64_FORMAT,
                           intake_form_get_id (form), intake_form_get_version (form));
      entry = g_new0 (IntakeProvisionedForm, 1);
      entry->id = g_strdup (id);
      entry->version = version;
      entry->document = g_strdup (document);
      g_ptr_array_add (p->forms, entry);
    }
  return TRUE;
}

/* The signed members. When any is there, the key that signed them must be the one the token pins,
 * and every signature must verify, before the file is accepted at all. */
static gboolean
parse_signed (JsonObject *o, IntakeProvisioning *p, const char *what, GError **error)
{
  JsonNode *policies = json_object_get_member (o, "policies");
  JsonNode *forms = json_object_get_member (o, "forms");
  const char *pk_b64;
  guint8 pk[INTAKE_SIGN_PUBLIC_BYTES];
  size_t pk_len = 0;

  if (policies != NULL && JSON_NODE_HOLDS_NULL (policies))
    policies = NULL;
  if (forms != NULL && JSON_NODE_HOLDS_NULL (forms))
    forms = NULL;
  if (!optional_string (o, "server_sign_pk", &pk_b64, what, error))
    return FALSE;
  if (pk_b64 == NULL)
    {
      if (policies != NULL || forms != NULL)
        return bad (error, what, "its policies and forms come without the key that signed them "
                                 "(\"server_sign_pk\")");
      return TRUE;
    }
  if (sodium_base642bin (pk, sizeof pk, pk_b64, strlen (pk_b64), NULL, &pk_len, NULL,
                         sodium_base64_VARIANT_ORIGINAL)
          != 0
      || pk_len != sizeof pk)
    return bad_member (error, what, "server_sign_pk", "it is not a base64 Ed25519 public key");
  if (!key_matches_token (pk, p->token))
    return bad_member (error, what, "server_sign_pk",
                       "it is not the key of the server that issued the token (the token's "
                       "fingerprint does not match it)");
  return (policies == NULL || parse_policies (policies, pk, p, what, error))
         && (forms == NULL || parse_forms (forms, pk, p, what, error));
}

IntakeProvisioning *
intake_provisioning_parse (const char *data, gssize len, const char *what, GError **error)
{
  /* The root, "forms" and a form in it, or "policies": no legitimate file nests deeper. */
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
  if (!parse_signed (o, p, what, error))
    return NULL;
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
  IntakeStore *store = intake_session_get_store (admin);
  g_autofree char *ca_file = NULL;
  gboolean created = FALSE;

  g_return_val_if_fail (INTAKE_IS_SESSION (admin), FALSE);
  g_return_val_if_fail (provisioning != NULL, FALSE);

  /* A form this tablet already holds under the same version but with other content could not be
   * imported: refused now, before anything is enrolled. The same content is no error. */
  for (guint i = 0; provisioning->forms != NULL && i < provisioning->forms->len; i++)
    {
      IntakeProvisionedForm *form = g_ptr_array_index (provisioning->forms, i);
      g_autofree char *held = form->version <= G_MAXINT
                                ? intake_store_dup_form_document (store, form->id,
                                                                  (int) form->version, NULL)
                                : NULL;

      if (held != NULL && strcmp (held, form->document) != 0)
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED,
                       "The provisioning file's forms[%u] (%s v%" G_GINT64_FORMAT ") differs "
                       "from the form of that version this tablet holds; nothing was enrolled "
                       "or applied",
                       i, form->id, form->version);
          return FALSE;
        }
    }

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
  /* Everything was verified when the file was read; these go through the admin's own paths, so
   * that each is audited as that admin setting a policy or importing a form. */
  for (guint i = 0; provisioning->policies != NULL && i < provisioning->policies->len; i++)
    {
      IntakeProvisionedPolicy *policy = g_ptr_array_index (provisioning->policies, i);

      if (!intake_session_set_policy (admin, policy->key, policy->value, error))
        {
          g_prefix_error (error, "Enrolled, but policy %s was not set: ", policy->key);
          return FALSE;
        }
    }
  for (guint i = 0; provisioning->forms != NULL && i < provisioning->forms->len; i++)
    {
      IntakeProvisionedForm *form = g_ptr_array_index (provisioning->forms, i);

      if (!intake_session_import_form (admin, form->document, NULL, NULL, error))
        {
          g_prefix_error (error, "Enrolled, but form %s v%" G_GINT64_FORMAT " was not imported: ",
                          form->id, form->version);
          return FALSE;
        }
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
  g_return_val_if_fail (INTAKE_IS_SESSION (admin), FALSE);

  return intake_session_run_finish (admin, result, error);
}
