/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-cli.h"
#include "intake-form.h"
#include "intake-json.h"
#include "intake-store.h"

#include "intake-server-export.h"
#include "intake-server-request.h"
#include "intake-server.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "sqlite:intake-server.db"
#define DEFAULT_TOKEN_DAYS 7
#define SECONDS_PER_DAY (24 * 60 * 60)
#define DEFAULT_MAX_CONNECTIONS 256
#define DEFAULT_MAX_CONNECTIONS_PER_IP 32

typedef struct
{
  char *db;
  char *secret_key_out;
  char *listen;
  char *tls_cert;
  char *tls_key;
  int expires_days;
  gboolean json;
  char *secret_key;
  char *format;
  char *url;
  char *out;
  char *ca;
  char *pin_sha256;
  char *policies;
  gboolean forms;
  char *deadline;
  int max_connections;
  int max_connections_per_ip;
  char *config;
} Options;

/* The provisioning file's format (sync/PROTOCOL.md); the tablet reads it in
 * sync/intake-provisioning.c. */
#define PROVISIONING_FORMAT "intake-provisioning-v1"
/* A policies file is a handful of keys; anything far larger is a wrong file. */
#define POLICIES_MAX_BYTES (64 * 1024)

/* Each command's synopsis and what it does; `intake-server --help` prints them all, and
 * `intake-server COMMAND --help` (or a group: `device --help`) only its own. */
static const struct
{
  const char *name;
  const char *synopsis;
} commands[] = {
  { "init", "init --secret-key-out FILE\n"
            "      make the server's keys; the organisation's secret key goes to FILE, to be\n"
            "      kept offline by the data manager\n" },
  { "serve", "serve [--config FILE] [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
             "      [--max-connections N (256)] [--max-connections-per-ip N (32)]\n"
             "      answer tablets; options given override the config file's\n" },
  { "device add", "device add NAME [--expires-days N]\n"
                  "      prints a one-time enrollment token, last\n"
                  "device add NAME --url URL --out FILE [--ca FILE] [--pin-sha256 B64]\n"
                  "      [--policies POLICIES.json] [--forms] [--expires-days N]\n"
                  "      writes the token in a provisioning file instead; --policies (a JSON\n"
                  "      object of tablet policies, as 'intakectl policy set' takes them) and\n"
                  "      --forms (every published form) go into it signed by the server's key\n" },
  { "device list", "device list [--json]\n" },
  { "device revoke", "device revoke NAME\n" },
  { "device wipe", "device wipe NAME [--deadline DURATION]\n"
                   "      tell the device to wipe itself; its key is refused once it confirms,\n"
                   "      or once DURATION (30m, 12h, 7d; 0: now) passes\n" },
  { "form publish", "form publish FILE\n" },
  { "export", "export --secret-key FILE [--format json|csv]\n" },
  { "backup", "backup --out FILE\n"
              "      a consistent copy of a SQLite database, taken while it is in use; for\n"
              "      PostgreSQL use pg_dump (see intake-server(8))\n" },
};

static const char usage_head[] = "Usage: intake-server [--config FILE] [--db URL] COMMAND ...\n\n";
static const char usage_tail[] =
  "\n--db is sqlite:PATH (default " DEFAULT_DB ") or postgresql://...; --config FILE reads\n"
  "the [server] group of a key file (database, listen, tls-cert, tls-key, max-connections,\n"
  "max-connections-per-ip), as /etc/field-intake/server.conf. 'intake-server COMMAND --help'\n"
  "shows one command.\n";

static void
print_usage (FILE *out, const char *only)
{
  gboolean any = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (only == NULL || g_str_equal (commands[i].name, only)
        || (g_str_has_prefix (commands[i].name, only)
            && commands[i].name[strlen (only)] == ' '))
      {
        if (!any)
          fputs (usage_head, out);
        any = TRUE;
        fputs ("  ", out);
        for (const char *c = commands[i].synopsis; *c != '\0'; c++)
          {
            fputc (*c, out);
            if (*c == '\n' && c[1] != '\0')
              fputs ("  ", out);
          }
      }
  if (!any)
    print_usage (out, NULL);
  else
    fputs (usage_tail, out);
}

static int
fail (const char *what, const GError *error)
{
  g_printerr ("intake-server: %s%s%s\n", what != NULL ? what : "", what != NULL ? ": " : "",
              error != NULL ? error->message : "failed");
  return 1;
}

static int
usage (const char *message)
{
  if (message != NULL)
    g_printerr ("intake-server: %s\n", message);
  print_usage (stderr, NULL);
  return 2;
}

static IntakeServerStore *
open_store (const Options *opts, GError **error)
{
  return intake_server_store_open (opts->db != NULL ? opts->db : DEFAULT_DB, error);
}

static int
cmd_init (const Options *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (IntakeSecret) sign_sk = intake_secret_new (INTAKE_SIGN_SECRET_BYTES);
  g_autoptr (IntakeSecret) org_sk = intake_secret_new (INTAKE_BOX_SECRET_BYTES);
  g_autoptr (IntakeSecret) file_text = NULL;
  g_autoptr (GBytes) sign_sk_bytes = NULL;
  g_autoptr (GBytes) sign_pk_bytes = NULL;
  g_autoptr (GBytes) org_pk_bytes = NULL;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  guint8 org_pk[INTAKE_BOX_PUBLIC_BYTES];
  const char *keys[] = { INTAKE_SERVER_META_SIGN_SK, INTAKE_SERVER_META_SIGN_PK,
                         INTAKE_SERVER_META_ORG_PK };
  GBytes *values[3];
  size_t written = 0;
  int fd;

  if (opts->secret_key_out == NULL)
    return usage ("init needs --secret-key-out FILE");
  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);

  crypto_sign_keypair (sign_pk, sign_sk->data);
  crypto_box_keypair (org_pk, org_sk->data);

  /* The key file is made first, exclusively: if init then fails (a second init, say) the file
   * is removed, but the database never holds a public key whose secret half was not saved. */
  fd = g_open (opts->secret_key_out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_printerr ("intake-server: cannot create %s: %s%s\n", opts->secret_key_out,
                  g_strerror (saved), saved == EEXIST ? " (it is never overwritten)" : "");
      return 1;
    }
  file_text = intake_server_secret_key_file_new (org_pk, org_sk->data);
  while (written < file_text->len)
    {
      ssize_t n = write (fd, file_text->data + written, file_text->len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      written += (size_t) n;
    }
  if (written != file_text->len || fsync (fd) != 0 || close (fd) != 0)
    {
      g_printerr ("intake-server: cannot write %s: %s\n", opts->secret_key_out,
                  g_strerror (errno));
      g_unlink (opts->secret_key_out);
      return 1;
    }

  sign_sk_bytes = g_bytes_new (sign_sk->data, INTAKE_SIGN_SECRET_BYTES);
  sign_pk_bytes = g_bytes_new (sign_pk, sizeof sign_pk);
  org_pk_bytes = g_bytes_new (org_pk, sizeof org_pk);
  values[0] = sign_sk_bytes;
  values[1] = sign_pk_bytes;
  values[2] = org_pk_bytes;
  if (!intake_server_store_meta_insert (store, keys, values, G_N_ELEMENTS (keys), &error))
    {
      g_unlink (opts->secret_key_out);
      sodium_memzero ((void *) g_bytes_get_data (sign_sk_bytes, NULL), INTAKE_SIGN_SECRET_BYTES);
      return fail ("init", error);
    }
  sodium_memzero ((void *) g_bytes_get_data (sign_sk_bytes, NULL), INTAKE_SIGN_SECRET_BYTES);

  g_printerr ("\n"
              "WARNING: %s holds the organisation's secret data key. Whoever has it can read\n"
              "every interview. Move it OFFLINE to the data manager now (for example on an\n"
              "encrypted USB stick kept in a safe) and delete it from this server: the server\n"
              "must hold only the public half, so that a stolen server yields only ciphertext.\n"
              "Without this file, no interview can ever be read: keep a second copy offline.\n\n",
              opts->secret_key_out);
  {
    char fingerprint[INTAKE_FINGERPRINT_TEXT_SIZE];

    intake_key_fingerprint_format (org_pk, sizeof org_pk, fingerprint);
    g_print ("initialised the %s database; organisation key written to %s\n"
             "organisation key fingerprint: %s\n"
             "(every enrollment token pins it; 'intakectl status' on a tablet shows the key it "
             "enrolled with)\n",
             intake_server_store_get_backend (store), opts->secret_key_out, fingerprint);
  }
  return 0;
}

static gboolean
parse_listen (const char *listen, char **host, guint16 *port)
{
  const char *colon;
  guint64 value;
  g_autofree char *h = NULL;

  if (listen == NULL)
    return FALSE;
  if (listen[0] == '[')
    {
      const char *close_bracket = strchr (listen, ']');

      if (close_bracket == NULL || close_bracket[1] != ':')
        return FALSE;
      h = g_strndup (listen + 1, (size_t) (close_bracket - listen - 1));
      colon = close_bracket + 1;
    }
  else
    {
      colon = strrchr (listen, ':');
      if (colon == NULL)
        return FALSE;
      h = g_strndup (listen, (size_t) (colon - listen));
    }
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL) || *h == '\0')
    return FALSE;
  *host = g_steal_pointer (&h);
  *port = (guint16) value;
  return TRUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
cmd_serve (const Options *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (IntakeServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;
  guint term_id, int_id;

  if (!parse_listen (opts->listen, &host, &port))
    return usage ("serve needs --listen HOST:PORT (for example 127.0.0.1:8080)");
  if (opts->max_connections != -1 &&
      (opts->max_connections < INTAKE_SERVER_MIN_CONNECTIONS || opts->max_connections > 65536))
    return usage ("--max-connections is from 16 to 65536");
  if (opts->max_connections_per_ip != -1 &&
      (opts->max_connections_per_ip < 1 ||
       opts->max_connections_per_ip >
         (opts->max_connections != -1 ? opts->max_connections : DEFAULT_MAX_CONNECTIONS)))
    return usage ("--max-connections-per-ip is from 1 to --max-connections");
  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  server = intake_server_new (g_steal_pointer (&store), &error);
  if (server == NULL)
    return fail (NULL, error);

  intake_server_set_connection_limits (
    server, opts->max_connections != -1 ? (guint) opts->max_connections : DEFAULT_MAX_CONNECTIONS,
    opts->max_connections_per_ip != -1 ? (guint) opts->max_connections_per_ip
                                       : MIN (DEFAULT_MAX_CONNECTIONS_PER_IP,
                                              opts->max_connections != -1
                                                ? (guint) opts->max_connections
                                                : DEFAULT_MAX_CONNECTIONS));

  /* libmicrohttpd writes with MSG_NOSIGNAL, but a closed pipe elsewhere must not kill us. */
  signal (SIGPIPE, SIG_IGN);
  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  int_id = g_unix_signal_add (SIGINT, quit_cb, loop);

  if (!intake_server_start (server, host, port, opts->tls_cert, opts->tls_key, &error))
    return fail (NULL, error);
  if (strchr (host, ':') != NULL)
    g_print ("listening on %s://[%s]:%u\n", opts->tls_cert != NULL ? "https" : "http", host,
             (unsigned int) intake_server_get_port (server));
  else
    g_print ("listening on %s://%s:%u\n", opts->tls_cert != NULL ? "https" : "http", host,
             (unsigned int) intake_server_get_port (server));
  fflush (stdout);

  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);
  intake_server_stop (server);
  g_printerr ("intake-server: stopped\n");
  return 0;
}

static char *
format_time (gint64 t)
{
  g_autoptr (GDateTime) dt = NULL;

  if (t <= 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_utc (t);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* What --policies and --forms add to a provisioning file, all signed by the server's key. */
typedef struct
{
  GBytes *sign_pk;
  char *policies;           /* the policies file's text, byte for byte, or NULL */
  guint8 policies_signature[INTAKE_SIGNATURE_BYTES];
  GPtrArray *forms;         /* IntakeServerForm, or NULL */
} SignedExtras;

static void
signed_extras_clear (SignedExtras *x)
{
  g_clear_pointer (&x->sign_pk, g_bytes_unref);
  g_clear_pointer (&x->policies, g_free);
  g_clear_pointer (&x->forms, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SignedExtras, signed_extras_clear)

/* The --policies file: one JSON object of tablet policies, each checked here as `intakectl policy
 * set` checks it on a tablet, so that a mistake is seen once, here, and not as a file every
 * tablet refuses. Its text is kept byte for byte, since that is what is signed. */
static char *
read_policies (const char *path, GError **error)
{
  const IntakeJsonLimits limits = { POLICIES_MAX_BYTES, 2 };
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GList) members = NULL;
  gsize len = 0;

  text = intake_json_read_file (path, POLICIES_MAX_BYTES, &len, error);
  if (text == NULL)
    return NULL;
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is a binary file, not JSON text", path);
      return NULL;
    }
  root = intake_json_parse_untrusted (text, (gssize) len, &limits, error);
  if (root == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: the policies are one JSON object, {\"key\": value, ...}", path);
      return NULL;
    }
  members = json_object_get_members (json_node_get_object (root));
  if (members == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s names no policy", path);
      return NULL;
    }
  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *value = intake_policy_normalise (
        l->data, json_object_get_member (json_node_get_object (root), l->data), error);

      if (value == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
    }
  return g_steal_pointer (&text);
}

/* The server's signing key's secret half, from the database. */
static IntakeSecret *
load_sign_sk (IntakeServerStore *store, GError **error)
{
  g_autoptr (GBytes) sk_bytes = intake_server_store_meta_get (store, INTAKE_SERVER_META_SIGN_SK,
                                                              error);
  IntakeSecret *sign_sk;

  if (sk_bytes == NULL)
    return NULL;
  if (g_bytes_get_size (sk_bytes) != INTAKE_SIGN_SECRET_BYTES)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the server signing key in the database is damaged");
      return NULL;
    }
  sign_sk = intake_secret_new_from_data (g_bytes_get_data (sk_bytes, NULL),
                                         INTAKE_SIGN_SECRET_BYTES);
  sodium_memzero ((void *) g_bytes_get_data (sk_bytes, NULL), INTAKE_SIGN_SECRET_BYTES);
  return sign_sk;
}

/* Fills @x for --policies and --forms: the file read and checked, the policies signed, the
 * published forms with the signatures they were published with. */
static gboolean
prepare_signed_extras (const Options *opts, IntakeServerStore *store, GBytes *sign_pk,
                       SignedExtras *x, GError **error)
{
  if (opts->policies == NULL && !opts->forms)
    return TRUE;
  x->sign_pk = g_bytes_ref (sign_pk);
  if (opts->policies != NULL)
    {
      g_autoptr (IntakeSecret) sign_sk = NULL;
      g_autofree char *message = NULL;

      x->policies = read_policies (opts->policies, error);
      if (x->policies == NULL)
        return FALSE;
      sign_sk = load_sign_sk (store, error);
      if (sign_sk == NULL)
        return FALSE;
      message = intake_server_policies_message (x->policies);
      crypto_sign_detached (x->policies_signature, NULL, (const guint8 *) message,
                            strlen (message), sign_sk->data);
    }
  if (opts->forms)
    {
      x->forms = intake_server_store_forms_list (store, error);
      if (x->forms == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
add_b64 (JsonBuilder *b, const char *member, const guint8 *data, size_t len)
{
  g_autofree char *text = g_base64_encode (data, len);

  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, text);
}

/* Everything a tablet needs to enroll, in one small JSON file for `intakectl enroll --file` or
 * the tablet's admin screen. It holds the one-time token: made 0600, never overwritten. */
static gboolean
write_provisioning (const Options *opts, const char *token, const SignedExtras *x,
                    GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *ca_pem = NULL;
  g_autofree char *text = NULL;
  gsize text_len = 0;
  size_t written = 0;
  int fd;

  if (opts->ca != NULL)
    {
      if (!g_file_get_contents (opts->ca, &ca_pem, NULL, error))
        return FALSE;
      if (strstr (ca_pem, "-----BEGIN CERTIFICATE-----") == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s holds no PEM certificate", opts->ca);
          return FALSE;
        }
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, PROVISIONING_FORMAT);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, opts->url);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  if (opts->pin_sha256 != NULL)
    {
      json_builder_set_member_name (b, "pin_sha256");
      json_builder_add_string_value (b, g_str_has_prefix (opts->pin_sha256, "sha256//")
                                            ? opts->pin_sha256 + strlen ("sha256//")
                                            : opts->pin_sha256);
    }
  if (ca_pem != NULL)
    {
      json_builder_set_member_name (b, "ca");
      json_builder_add_string_value (b, ca_pem);
    }
  /* The key that signed what follows, so that a tablet checks it all before it enrolls, against
   * the fingerprint the token pins. */
  if (x->sign_pk != NULL)
    add_b64 (b, "server_sign_pk", g_bytes_get_data (x->sign_pk, NULL),
             g_bytes_get_size (x->sign_pk));
  if (x->policies != NULL)
    {
      json_builder_set_member_name (b, "policies");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "document");
      json_builder_add_string_value (b, x->policies);
      add_b64 (b, "signature", x->policies_signature, sizeof x->policies_signature);
      json_builder_end_object (b);
    }
  if (x->forms != NULL)
    {
      /* As GET /v1/forms gives them: the same documents and signatures. */
      json_builder_set_member_name (b, "forms");
      json_builder_begin_array (b);
      for (guint i = 0; i < x->forms->len; i++)
        {
          IntakeServerForm *form = g_ptr_array_index (x->forms, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, form->form_id);
          json_builder_set_member_name (b, "version");
          json_builder_add_int_value (b, form->version);
          json_builder_set_member_name (b, "document");
          json_builder_add_string_value (b, form->document);
          add_b64 (b, "signature", form->signature, INTAKE_SIGNATURE_BYTES);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &text_len);

  fd = g_open (opts->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s%s",
                   opts->out, g_strerror (saved),
                   saved == EEXIST ? " (a provisioning file is never overwritten)" : "");
      intake_crypto_wipe_string (text);
      return FALSE;
    }
  while (written < text_len)
    {
      ssize_t n = write (fd, text + written, text_len - written);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      written += (size_t) n;
    }
  intake_crypto_wipe_string (text);
  if (written != text_len || write (fd, "\n", 1) != 1 || fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      g_unlink (opts->out);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s",
                   opts->out, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static int
cmd_device_add (const Options *opts, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (GBytes) sign_pk = NULL;
  g_autoptr (GBytes) org_pk = NULL;
  g_auto (SignedExtras) extras = { 0 };
  g_autoptr (IntakeSecret) secret = intake_secret_new_random (INTAKE_SERVER_TOKEN_SECRET_BYTES);
  g_autofree char *secret_text = NULL;
  g_autofree char *fingerprint_text = NULL;
  g_autofree char *org_text = NULL;
  g_autofree char *expires_text = NULL;
  guint8 fingerprint[INTAKE_FINGERPRINT_BYTES];
  guint8 org_fingerprint[INTAKE_FINGERPRINT_BYTES];
  guint8 token_hash[INTAKE_HASH_BYTES];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires;
  int days = opts->expires_days >= 0 ? opts->expires_days : DEFAULT_TOKEN_DAYS;

  if (*name == '\0' || strlen (name) > INTAKE_SERVER_MAX_NAME || !g_utf8_validate (name, -1, NULL))
    return usage ("a device name is 1 to 200 bytes of text");
  if (days > 365)
    return usage ("--expires-days is at most 365");
  if ((opts->url != NULL) != (opts->out != NULL)
      || (opts->out == NULL && (opts->ca != NULL || opts->pin_sha256 != NULL
                                || opts->policies != NULL || opts->forms)))
    return usage ("a provisioning file needs both --url URL and --out FILE (--ca, "
                  "--pin-sha256, --policies and --forms go into it)");
  if (opts->url != NULL)
    {
      g_autoptr (GUri) uri = g_uri_parse (opts->url, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL
          || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
              && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
        return usage ("--url is the address tablets reach this server at, "
                      "https://HOST:PORT");
    }
  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  sign_pk = intake_server_store_meta_get (store, INTAKE_SERVER_META_SIGN_PK, &error);
  if (sign_pk == NULL)
    return fail (NULL, error);
  org_pk = intake_server_store_meta_get (store, INTAKE_SERVER_META_ORG_PK, &error);
  if (org_pk == NULL)
    return fail (NULL, error);
  /* Before the device is added: a policies file with a mistake adds nothing. */
  if (!prepare_signed_extras (opts, store, sign_pk, &extras, &error))
    return fail ("device add", error);

  /* The token pins both keys a tablet takes from the enroll answer: the receipt-signing key and
   * the organisation's data key (sync/PROTOCOL.md, "Enrollment token"). */
  intake_key_fingerprint (g_bytes_get_data (sign_pk, NULL), g_bytes_get_size (sign_pk),
                          fingerprint);
  intake_key_fingerprint (g_bytes_get_data (org_pk, NULL), g_bytes_get_size (org_pk),
                          org_fingerprint);
  crypto_generichash (token_hash, sizeof token_hash, secret->data, secret->len, NULL, 0);
  /* --expires-days 0 makes a token that has already expired, which tests use. */
  expires = now + (gint64) days * SECONDS_PER_DAY;
  if (!intake_server_store_device_add (store, name, token_hash, expires, now, &error))
    return fail ("device add", error);

  /* The token is shown once and never stored: only its hash is. */
  secret_text = intake_server_b64url_encode (secret->data, secret->len);
  fingerprint_text = intake_server_b64url_encode (fingerprint, sizeof fingerprint);
  org_text = intake_server_b64url_encode (org_fingerprint, sizeof org_fingerprint);
  expires_text = format_time (expires);
  if (opts->out != NULL)
    {
      g_autofree char *token = g_strdup_printf ("%s.%s.%s", secret_text, fingerprint_text,
                                                org_text);
      gboolean ok = write_provisioning (opts, token, &extras, &error);

      intake_crypto_wipe_string (token);
      intake_crypto_wipe_string (secret_text);
      /* The device stays added: its token is unused, and `device add` again gives another. */
      if (!ok)
        return fail ("device add", error);
      g_print ("device \"%s\" added; its provisioning file (valid until %s) is:\n%s\n", name,
               expires_text, opts->out);
      return 0;
    }
  g_print ("device \"%s\" added; its one-time enrollment token (valid until %s) is:\n%s.%s.%s\n",
           name, expires_text, secret_text, fingerprint_text, org_text);
  intake_crypto_wipe_string (secret_text);
  return 0;
}

static int
cmd_device_list (const Options *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (GPtrArray) devices = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  devices = intake_server_store_device_list (store, &error);
  if (devices == NULL)
    return fail ("device list", error);

  if (opts->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < devices->len; i++)
        {
          IntakeServerDevice *d = g_ptr_array_index (devices, i);
          g_autofree char *enrolled = d->enrolled > 0 ? format_time (d->enrolled) : NULL;
          g_autofree char *last_seen = d->last_seen > 0 ? format_time (d->last_seen) : NULL;
          g_autofree char *expires = format_time (d->token_expires);
          g_autofree char *wipe_deadline = d->wipe_deadline > 0 ? format_time (d->wipe_deadline)
                                                                : NULL;
          g_autofree char *wipe_confirmed = d->wipe_confirmed > 0
                                              ? format_time (d->wipe_confirmed)
                                              : NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, d->name);
          json_builder_set_member_name (b, "status");
          json_builder_add_string_value (b, intake_server_device_describe_status (d, now));
          json_builder_set_member_name (b, "enrolled");
          json_builder_add_boolean_value (b, d->device_id != NULL);
          json_builder_set_member_name (b, "device_id");
          if (d->device_id != NULL)
            json_builder_add_string_value (b, d->device_id);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "enrolled_at");
          if (enrolled != NULL)
            json_builder_add_string_value (b, enrolled);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "last_seen");
          if (last_seen != NULL)
            json_builder_add_string_value (b, last_seen);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "token_expires");
          json_builder_add_string_value (b, expires);
          json_builder_set_member_name (b, "wipe_deadline");
          if (wipe_deadline != NULL)
            json_builder_add_string_value (b, wipe_deadline);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "wipe_confirmed");
          if (wipe_confirmed != NULL)
            json_builder_add_string_value (b, wipe_confirmed);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
      return 0;
    }

  g_print ("%-20s %-8s %-36s %-20s %s\n", "NAME", "STATUS", "DEVICE ID", "ENROLLED", "LAST SEEN");
  for (guint i = 0; i < devices->len; i++)
    {
      IntakeServerDevice *d = g_ptr_array_index (devices, i);
      g_autofree char *enrolled = format_time (d->enrolled);
      g_autofree char *last_seen = format_time (d->last_seen);

      g_print ("%-20s %-8s %-36s %-20s %s\n", d->name,
               intake_server_device_describe_status (d, now),
               d->device_id != NULL ? d->device_id : "(not enrolled)", enrolled, last_seen);
    }
  return 0;
}

static int
cmd_device_revoke (const Options *opts, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;

  if (opts->deadline != NULL)
    return usage ("--deadline goes with device wipe");
  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  if (!intake_server_store_device_set_status (store, name, INTAKE_SERVER_DEVICE_REVOKED, &error))
    return fail (NULL, error);
  g_print ("device \"%s\" is revoked\n", name);
  return 0;
}

/* A duration such as 30m, 12h or 7d, in seconds; "0" is none at all (the deadline is now). */
static gboolean
parse_duration (const char *text, gint64 *seconds)
{
  g_autofree char *digits = NULL;
  size_t len = text != NULL ? strlen (text) : 0;
  guint64 value = 0;
  gint64 unit;

  if (g_strcmp0 (text, "0") == 0)
    {
      *seconds = 0;
      return TRUE;
    }
  if (len < 2)
    return FALSE;
  switch (text[len - 1])
    {
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 60 * 60;
      break;
    case 'd':
      unit = SECONDS_PER_DAY;
      break;
    default:
      return FALSE;
    }
  digits = g_strndup (text, len - 1);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, 366 * SECONDS_PER_DAY / unit, &value, NULL))
    return FALSE;
  *seconds = (gint64) value * unit;
  return TRUE;
}

static int
cmd_device_wipe (const Options *opts, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autofree char *deadline_text = NULL;
  gint64 after = 0;
  gint64 deadline = 0;

  if (opts->deadline != NULL && !parse_duration (opts->deadline, &after))
    return usage ("--deadline is a duration such as 30m, 12h or 7d (at most 366 days), or 0");
  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  /* A deadline of 0 is now: the device is refused at once, as a revoked one is, but listed as
   * wiped. The clock is read after the store opens, so that 0 has passed by the next request. */
  if (opts->deadline != NULL)
    deadline = g_get_real_time () / G_USEC_PER_SEC + after;
  if (!intake_server_store_device_order_wipe (store, name, deadline, &error))
    return fail (NULL, error);
  g_print ("device \"%s\" will be told to wipe itself at its next sync; its key is refused once "
           "it confirms the wipe",
           name);
  if (deadline > 0)
    {
      deadline_text = format_time (deadline);
      g_print (" or from %s on", deadline_text);
    }
  g_print ("\n");
  return 0;
}

static int
cmd_form_publish (const Options *opts, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  const IntakeJsonLimits limits = { INTAKE_FORM_MAX_BYTES, INTAKE_FORM_MAX_NESTING };
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GBytes) sk_bytes = NULL;
  g_autoptr (IntakeSecret) sign_sk = NULL;
  g_autofree char *document = NULL;
  g_autofree char *message = NULL;
  IntakeServerForm form = { 0 };
  JsonObject *obj;
  JsonNode *id_node;
  JsonNode *version_node;
  size_t len = 0;

  /* The document is sent to every tablet as it is, so it must be what a tablet accepts: strict
   * JSON within a form's limits (checked here, so that the mistake is seen at publishing). */
  document = intake_json_read_file (path, INTAKE_FORM_MAX_BYTES, &len, &error);
  if (document == NULL)
    return fail (NULL, error);
  /* Said in words: the parser would name only the first odd byte. */
  if (memchr (document, '\0', len) != NULL || !g_utf8_validate (document, (gssize) len, NULL))
    {
      g_printerr ("intake-server: %s is a binary file, not JSON text\n", path);
      return 1;
    }
  root = intake_json_parse_untrusted (document, (gssize) len, &limits, &error);
  if (root == NULL)
    return fail (path, error);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_printerr ("intake-server: %s: a form is a JSON object\n", path);
      return 1;
    }
  obj = json_node_get_object (root);
  id_node = json_object_get_member (obj, "id");
  version_node = json_object_get_member (obj, "version");
  if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) ||
      json_node_get_value_type (id_node) != G_TYPE_STRING || *json_node_get_string (id_node) == 0)
    {
      g_printerr ("intake-server: %s: a form needs a string \"id\"\n", path);
      return 1;
    }
  if (version_node == NULL || !JSON_NODE_HOLDS_VALUE (version_node) ||
      json_node_get_value_type (version_node) != G_TYPE_INT64 ||
      json_node_get_int (version_node) <= 0)
    {
      g_printerr ("intake-server: %s: a form needs a positive integer \"version\"\n", path);
      return 1;
    }

  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  sk_bytes = intake_server_store_meta_get (store, INTAKE_SERVER_META_SIGN_SK, &error);
  if (sk_bytes == NULL)
    return fail (NULL, error);
  if (g_bytes_get_size (sk_bytes) != INTAKE_SIGN_SECRET_BYTES)
    return fail ("the server signing key in the database is damaged", NULL);
  sign_sk = intake_secret_new_from_data (g_bytes_get_data (sk_bytes, NULL),
                                         INTAKE_SIGN_SECRET_BYTES);
  sodium_memzero ((void *) g_bytes_get_data (sk_bytes, NULL), INTAKE_SIGN_SECRET_BYTES);

  form.form_id = (char *) json_node_get_string (id_node);
  form.version = json_node_get_int (version_node);
  form.document = document;
  form.published = g_get_real_time () / G_USEC_PER_SEC;
  message = intake_server_form_message (form.form_id, form.version, form.document);
  crypto_sign_detached (form.signature, NULL, (const guint8 *) message, strlen (message),
                        sign_sk->data);
  if (!intake_server_store_form_put (store, &form, &error))
    return fail ("form publish", error);
  g_print ("published form %s version %" G_GINT64_FORMAT "\n", form.form_id, form.version);
  return 0;
}

static int
cmd_export (const Options *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  IntakeServerExportFormat format = INTAKE_SERVER_EXPORT_JSON;
  guint failed = 0;

  if (opts->secret_key == NULL)
    return usage ("export needs --secret-key FILE");
  if (opts->format != NULL && g_strcmp0 (opts->format, "csv") == 0)
    format = INTAKE_SERVER_EXPORT_CSV;
  else if (opts->format != NULL && g_strcmp0 (opts->format, "json") != 0)
    return usage ("--format is json or csv");
  store = open_store (opts, &error);
  if (store == NULL)
    return fail (NULL, error);
  if (!intake_server_export (store, opts->secret_key, format, out, &failed, &error))
    return fail ("export", error);
  if (failed > 0)
    {
      g_printerr ("intake-server: export: %u envelope(s) could not be opened or trusted and "
                  "were left out (named above)\n",
                  failed);
      return 1;
    }
  return 0;
}

/* A copy of a SQLite database through SQLite's online backup API: consistent even while serve
 * writes to it. The copy is made next to FILE and renamed into place when complete, so that
 * FILE is never a half-written database; an existing FILE is never overwritten. */
static int
cmd_backup (const Options *opts)
{
  const char *url = opts->db != NULL ? opts->db : DEFAULT_DB;
  g_autofree char *tmp = NULL;
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  sqlite3_backup *backup;
  int rc;

  if (opts->out == NULL)
    return usage ("backup needs --out FILE");
  if (!g_str_has_prefix (url, "sqlite:"))
    {
      g_printerr ("intake-server: backup copies a SQLite database; for PostgreSQL use pg_dump "
                  "(intake-server(8) shows how)\n");
      return 1;
    }
  if (g_file_test (opts->out, G_FILE_TEST_EXISTS))
    {
      g_printerr ("intake-server: %s exists; a backup never overwrites a file\n", opts->out);
      return 1;
    }
  tmp = g_strdup_printf ("%s.partial", opts->out);
  g_unlink (tmp);
  rc = sqlite3_open_v2 (url + strlen ("sqlite:"), &src, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    {
      /* The copy holds the server's signing key: only its owner may read it. */
      int fd = g_open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          g_printerr ("intake-server: cannot create %s: %s\n", tmp, g_strerror (errno));
          sqlite3_close (src);
          return 1;
        }
      close (fd);
      rc = sqlite3_open_v2 (tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
    }
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (src, 10000);
      backup = sqlite3_backup_init (dst, "main", src, "main");
      if (backup == NULL)
        rc = sqlite3_errcode (dst);
      else
        {
          /* Small steps, so that serve's writers wait only briefly between them. */
          do
            {
              rc = sqlite3_backup_step (backup, 256);
              if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep (50);
            }
          while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
          sqlite3_backup_finish (backup);
          if (rc == SQLITE_DONE)
            rc = sqlite3_errcode (dst);
        }
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (dst, "PRAGMA integrity_check", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_printerr ("intake-server: backup of %s failed: %s\n", url + strlen ("sqlite:"),
                  dst != NULL ? sqlite3_errmsg (dst) : sqlite3_errmsg (src));
      sqlite3_close (dst);
      sqlite3_close (src);
      g_unlink (tmp);
      return 1;
    }
  sqlite3_close (dst);
  sqlite3_close (src);
  if (g_rename (tmp, opts->out) != 0)
    {
      g_printerr ("intake-server: cannot rename %s: %s\n", tmp, g_strerror (errno));
      g_unlink (tmp);
      return 1;
    }
  g_print ("backed up %s to %s\n", url + strlen ("sqlite:"), opts->out);
  return 0;
}

/* The [server] group of the config file fills what the command line left unset. */
static gboolean
load_config (Options *opts, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  static const char *const known[] = { "database", "listen", "tls-cert", "tls-key",
                                       "max-connections", "max-connections-per-ip", NULL };
  g_auto (GStrv) keys = NULL;
  struct
  {
    const char *key;
    char **value;
  } strings[] = {
    { "database", &opts->db },
    { "listen", &opts->listen },
    { "tls-cert", &opts->tls_cert },
    { "tls-key", &opts->tls_key },
  };
  struct
  {
    const char *key;
    int *value;
  } ints[] = {
    { "max-connections", &opts->max_connections },
    { "max-connections-per-ip", &opts->max_connections_per_ip },
  };

  if (!g_key_file_load_from_file (kf, opts->config, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", opts->config);
      return FALSE;
    }
  if (!g_key_file_has_group (kf, "server"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   "%s has no [server] group", opts->config);
      return FALSE;
    }
  /* A misspelt key would otherwise be ignored in silence, and the default used instead. */
  keys = g_key_file_get_keys (kf, "server", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!g_strv_contains (known, keys[i]))
      {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                     "%s: unknown key \"%s\" in [server]", opts->config, keys[i]);
        return FALSE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (*strings[i].value == NULL && g_key_file_has_key (kf, "server", strings[i].key, NULL))
      {
        *strings[i].value = g_key_file_get_string (kf, "server", strings[i].key, error);
        if (*strings[i].value == NULL)
          return FALSE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    if (*ints[i].value == -1 && g_key_file_has_key (kf, "server", ints[i].key, NULL))
      {
        g_autoptr (GError) local_error = NULL;
        int value = g_key_file_get_integer (kf, "server", ints[i].key, &local_error);

        if (local_error != NULL)
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "%s: %s is a whole number", opts->config, ints[i].key);
            return FALSE;
          }
        *ints[i].value = value;
      }
  return TRUE;
}

/* The command a --help asks about: the first one or two words that name a command. */
static int
help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *two = i + 1 < argc ? g_strdup_printf ("%s %s", argv[i], argv[i + 1])
                                          : NULL;

      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        if (two != NULL && g_str_equal (commands[c].name, two))
          {
            print_usage (stdout, two);
            return 0;
          }
      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        if (g_str_equal (commands[c].name, argv[i])
            || (g_str_has_prefix (commands[c].name, argv[i])
                && commands[c].name[strlen (argv[i])] == ' '))
          {
            print_usage (stdout, argv[i]);
            return 0;
          }
    }
  print_usage (stdout, NULL);
  return 0;
}

int
intake_server_cli_main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  Options opts = { .expires_days = -1, .max_connections = -1, .max_connections_per_ip = -1 };
  int ret;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opts.config, NULL, "FILE" },
    { "db", 0, 0, G_OPTION_ARG_STRING, &opts.db, "Database URL", "URL" },
    { "secret-key-out", 0, 0, G_OPTION_ARG_FILENAME, &opts.secret_key_out, NULL, "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &opts.listen, NULL, "HOST:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opts.tls_cert, NULL, "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opts.tls_key, NULL, "FILE" },
    { "expires-days", 0, 0, G_OPTION_ARG_INT, &opts.expires_days, NULL, "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, NULL, NULL },
    { "secret-key", 0, 0, G_OPTION_ARG_FILENAME, &opts.secret_key, NULL, "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &opts.format, NULL, "json|csv" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &opts.url, NULL, "URL" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &opts.out, NULL, "FILE" },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &opts.ca, NULL, "FILE" },
    { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &opts.pin_sha256, NULL, "B64" },
    { "policies", 0, 0, G_OPTION_ARG_FILENAME, &opts.policies, NULL, "FILE" },
    { "forms", 0, 0, G_OPTION_ARG_NONE, &opts.forms, NULL, NULL },
    { "deadline", 0, 0, G_OPTION_ARG_STRING, &opts.deadline, NULL, "DURATION" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &opts.max_connections, NULL, "N" },
    { "max-connections-per-ip", 0, 0, G_OPTION_ARG_INT, &opts.max_connections_per_ip, NULL,
      "N" },
    { NULL },
  };

  for (int i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      return help (argc, argv);

  /* Keys and tokens must not end up in a core file. */
  intake_crypto_disable_core_dumps ();
  if (!intake_crypto_init (&error))
    return fail (NULL, error);

  /* All options are parsed in one pass, so that --db and the others may come before or after
   * the command words. */
  context = g_option_context_new ("COMMAND ...");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, FALSE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);

  if (opts.config != NULL && !load_config (&opts, &error))
    return fail (NULL, error);

  if (argc < 2)
    ret = usage (NULL);
  else if (g_strcmp0 (argv[1], "help") == 0)
    ret = help (argc - 1, argv + 1);
  else if (g_strcmp0 (argv[1], "init") == 0 && argc == 2)
    ret = cmd_init (&opts);
  else if (g_strcmp0 (argv[1], "serve") == 0 && argc == 2)
    ret = cmd_serve (&opts);
  else if (g_strcmp0 (argv[1], "device") == 0 && argc == 4 && g_strcmp0 (argv[2], "add") == 0)
    ret = cmd_device_add (&opts, argv[3]);
  else if (g_strcmp0 (argv[1], "device") == 0 && argc == 3 && g_strcmp0 (argv[2], "list") == 0)
    ret = cmd_device_list (&opts);
  else if (g_strcmp0 (argv[1], "device") == 0 && argc == 4 &&
           g_strcmp0 (argv[2], "revoke") == 0)
    ret = cmd_device_revoke (&opts, argv[3]);
  else if (g_strcmp0 (argv[1], "device") == 0 && argc == 4 && g_strcmp0 (argv[2], "wipe") == 0)
    ret = cmd_device_wipe (&opts, argv[3]);
  else if (g_strcmp0 (argv[1], "form") == 0 && argc == 4 && g_strcmp0 (argv[2], "publish") == 0)
    ret = cmd_form_publish (&opts, argv[3]);
  else if (g_strcmp0 (argv[1], "export") == 0 && argc == 2)
    ret = cmd_export (&opts);
  else if (g_strcmp0 (argv[1], "backup") == 0 && argc == 2)
    ret = cmd_backup (&opts);
  else
    ret = usage ("unknown command or wrong number of arguments");

  g_free (opts.db);
  g_free (opts.secret_key_out);
  g_free (opts.listen);
  g_free (opts.tls_cert);
  g_free (opts.tls_key);
  g_free (opts.secret_key);
  g_free (opts.format);
  g_free (opts.url);
  g_free (opts.out);
  g_free (opts.ca);
  g_free (opts.pin_sha256);
  g_free (opts.policies);
  g_free (opts.deadline);
  g_free (opts.config);
  return ret;
}
