/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fault proxy checked on its own, before the end-to-end fault tests trust it: a tiny HTTP
 * server inside this test stands for intake-server, the real proxy binary (its path in
 * $INTAKE_FAULT_PROXY) sits in front of it, and libcurl is the client, as in the sync engine.
 * No assertion here depends on how long anything takes. */
#include "intake-config.h"

#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* Long enough that a truncated or garbled body is plainly not this one. */
#define UPSTREAM_BODY                                                                              \
  "{\"status\": \"ok\", \"note\": \"the tiny upstream of test-fault-proxy answers every request "  \
  "with these same bytes, so that the client can tell whether it got them intact\"}"
#define CLIENT_TIMEOUT_MS 10000

/* ---- The upstream server ---- */

typedef struct
{
  GSocketListener *listener;
  guint16 port;
  GCancellable *cancellable;
  GThread *accept_thread;
  GMutex lock;
  GPtrArray *threads;
  int connections;
  int complete;     /* requests received in full, and answered */
  GByteArray *seen; /* every byte received, on any connection */
} Upstream;

typedef struct
{
  Upstream *upstream;
  GSocketConnection *connection;
} UpstreamConn;

static gsize
find_head_end (const GByteArray *buffer)
{
  for (gsize i = 0; i + 4 <= buffer->len; i++)
    if (memcmp (buffer->data + i, "\r\n\r\n", 4) == 0)
      return i + 4;
  return 0;
}

static gint64
head_value (const char *head, const char *name)
{
  g_auto (GStrv) lines = g_strsplit (head, "\r\n", -1);
  gsize name_len = strlen (name);

  for (gsize i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, name_len) == 0 && lines[i][name_len] == ':')
      return g_ascii_strtoll (lines[i] + name_len + 1, NULL, 10);
  return -1;
}

static gboolean
send_text (GSocket *socket, const char *text, GCancellable *cancellable)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = g_socket_send (socket, text, len, cancellable, NULL);

      if (n <= 0)
        return FALSE;
      text += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Answers each complete request with UPSTREAM_BODY and keeps the connection alive. */
static gpointer
upstream_conn_thread (gpointer data)
{
  UpstreamConn *uc = data;
  Upstream *upstream = uc->upstream;
  GSocket *socket = g_socket_connection_get_socket (uc->connection);
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: %zu\r\n\r\n%s",
                                               strlen (UPSTREAM_BODY), UPSTREAM_BODY);
  gboolean continued = FALSE;
  char chunk[16384];

  g_socket_set_blocking (socket, TRUE);
  for (;;)
    {
      gssize n = g_socket_receive (socket, chunk, sizeof chunk, upstream->cancellable, NULL);
      gsize end;

      if (n <= 0)
        break;
      g_mutex_lock (&upstream->lock);
      g_byte_array_append (upstream->seen, (guint8 *) chunk, (guint) n);
      g_mutex_unlock (&upstream->lock);
      g_byte_array_append (buffer, (guint8 *) chunk, (guint) n);

      while ((end = find_head_end (buffer)) > 0)
        {
          g_autofree char *head = g_strndup ((char *) buffer->data, end);
          gint64 length = MAX (head_value (head, "Content-Length"), 0);

          if (buffer->len < end + (guint64) length)
            {
              /* libcurl waits for this before it sends a large body. */
              if (!continued && strstr (head, "100-continue") != NULL)
                {
                  continued = TRUE;
                  if (!send_text (socket, "HTTP/1.1 100 Continue\r\n\r\n", upstream->cancellable))
                    goto out;
                }
              break;
            }
          g_byte_array_remove_range (buffer, 0, (guint) (end + (gsize) length));
          continued = FALSE;
          g_mutex_lock (&upstream->lock);
          upstream->complete++;
          g_mutex_unlock (&upstream->lock);
          if (!send_text (socket, response, upstream->cancellable))
            goto out;
        }
    }
out:
  g_socket_close (socket, NULL);
  g_object_unref (uc->connection);
  g_free (uc);
  return NULL;
}

static gpointer
upstream_accept_thread (gpointer data)
{
  Upstream *upstream = data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (upstream->listener, NULL,
                                                                upstream->cancellable, NULL);
      UpstreamConn *uc;

      if (connection == NULL)
        break;
      uc = g_new0 (UpstreamConn, 1);
      uc->upstream = upstream;
      uc->connection = connection;
      g_mutex_lock (&upstream->lock);
      upstream->connections++;
      g_ptr_array_add (upstream->threads, g_thread_new ("upstream-conn", upstream_conn_thread,
                                                        uc));
      g_mutex_unlock (&upstream->lock);
    }
  return NULL;
}

static void
upstream_start (Upstream *upstream)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;

  g_mutex_init (&upstream->lock);
  upstream->threads = g_ptr_array_new ();
  upstream->seen = g_byte_array_new ();
  upstream->cancellable = g_cancellable_new ();
  upstream->listener = g_socket_listener_new ();
  g_socket_listener_add_address (upstream->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  upstream->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  upstream->accept_thread = g_thread_new ("upstream-accept", upstream_accept_thread, upstream);
}

static void
upstream_stop (Upstream *upstream)
{
  g_cancellable_cancel (upstream->cancellable);
  g_thread_join (upstream->accept_thread);
  for (guint i = 0; i < upstream->threads->len; i++)
    g_thread_join (upstream->threads->pdata[i]);
  g_socket_listener_close (upstream->listener);
  g_clear_object (&upstream->listener);
  g_clear_object (&upstream->cancellable);
  g_clear_pointer (&upstream->threads, g_ptr_array_unref);
  g_clear_pointer (&upstream->seen, g_byte_array_unref);
  g_mutex_clear (&upstream->lock);
}

static int
upstream_complete (Upstream *upstream)
{
  int complete;

  g_mutex_lock (&upstream->lock);
  complete = upstream->complete;
  g_mutex_unlock (&upstream->lock);
  return complete;
}

static int
upstream_connections (Upstream *upstream)
{
  int connections;

  g_mutex_lock (&upstream->lock);
  connections = upstream->connections;
  g_mutex_unlock (&upstream->lock);
  return connections;
}

/* A connection the proxy made and has already reset may still wait in the upstream's backlog
 * for its accept thread; waiting for it is not waiting on a clock. */
static void
upstream_wait_connections (Upstream *upstream, int expected)
{
  for (int i = 0; i < 1000 && upstream_connections (upstream) < expected; i++)
    g_usleep (10000);
  g_assert_cmpint (upstream_connections (upstream), ==, expected);
}

/* ---- The proxy ---- */

typedef struct
{
  Upstream upstream;
  GSubprocess *proxy;
  GDataInputStream *proxy_out;
  guint16 port;
  char *url;
  char *tmp;
} Fixture;

static char *
proxy_read_line (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (f->proxy_out, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* Sends one command; returns what the proxy printed before "ok", or its "error: ..." line. */
static char *
proxy_send (Fixture *f, const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autoptr (GString) printed = g_string_new (NULL);

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (f->proxy), line, strlen (line), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  for (;;)
    {
      g_autofree char *answer = proxy_read_line (f);

      if (strcmp (answer, "ok") == 0)
        return g_string_free (g_steal_pointer (&printed), FALSE);
      if (g_str_has_prefix (answer, "error:"))
        return g_steal_pointer (&answer);
      g_string_append (printed, answer);
    }
}

static void
proxy_command (Fixture *f, const char *command)
{
  g_autofree char *printed = proxy_send (f, command);

  if (g_str_has_prefix (printed, "error:"))
    g_error ("the proxy refused \"%s\": %s", command, printed);
}

static guint16
proxy_spawn (const char *upstream, GSubprocess **proxy_out, GDataInputStream **stdout_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *banner = NULL;
  const char *proxy = g_getenv ("INTAKE_FAULT_PROXY");
  guint64 port;

  g_assert_nonnull (proxy);
  *proxy_out = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error, proxy, "--listen", "127.0.0.1:0", "--upstream", upstream,
                                 NULL);
  g_assert_no_error (error);
  *stdout_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*proxy_out));
  banner = g_data_input_stream_read_line_utf8 (*stdout_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (banner);
  g_assert_true (g_str_has_prefix (banner, "listening on 127.0.0.1:"));
  g_assert_true (g_ascii_string_to_unsigned (banner + strlen ("listening on 127.0.0.1:"), 10, 1,
                                             65535, &port, NULL));
  return (guint16) port;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *upstream = NULL;

  upstream_start (&f->upstream);
  upstream = g_strdup_printf ("127.0.0.1:%u", (unsigned) f->upstream.port);
  f->port = proxy_spawn (upstream, &f->proxy, &f->proxy_out);
  f->url = g_strdup_printf ("http://127.0.0.1:%u/v1/submissions", (unsigned) f->port);
  f->tmp = g_dir_make_tmp ("test-fault-proxy-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (f->proxy != NULL)
    {
      proxy_command (f, "quit");
      g_subprocess_wait_check (f->proxy, NULL, &error);
      g_assert_no_error (error);
    }
  g_clear_object (&f->proxy_out);
  g_clear_object (&f->proxy);
  upstream_stop (&f->upstream);
  if (f->tmp != NULL)
    {
      g_autoptr (GDir) dir = g_dir_open (f->tmp, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (f->tmp, name, NULL);

          g_remove (path);
        }
      g_rmdir (f->tmp);
    }
  g_free (f->tmp);
  g_free (f->url);
}

static void
assert_stats (Fixture *f, int requests, int connections)
{
  g_autofree char *stats = proxy_send (f, "stats");
  g_autofree char *expected = g_strdup_printf ("requests=%d connections=%d", requests,
                                               connections);

  g_assert_cmpstr (stats, ==, expected);
}

/* ---- The client ---- */

typedef struct
{
  CURLcode code;
  long status;
  curl_off_t retry_after;
  long connects; /* new connections this transfer made; 0 when one was reused */
  GByteArray *body;
} Reply;

static void
reply_free (Reply *reply)
{
  g_byte_array_unref (reply->body);
  g_free (reply);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static size_t
write_cb (char *data, size_t size, size_t nmemb, void *user_data)
{
  g_byte_array_append (user_data, (guint8 *) data, (guint) (size * nmemb));
  return size * nmemb;
}

/* Posts @body (or GETs, when NULL) on @curl, so that a caller that keeps the handle keeps its
 * connection alive. */
static Reply *
perform_with (CURL *curl, const char *url, const char *body, gboolean expect, long timeout_ms)
{
  Reply *reply = g_new0 (Reply, 1);
  struct curl_slist *headers = NULL;

  reply->body = g_byte_array_new ();
  headers = curl_slist_append (headers, "Content-Type: application/json");
  /* libcurl decides on "Expect: 100-continue" by body size; the tests choose instead. */
  headers = curl_slist_append (headers, expect ? "Expect: 100-continue" : "Expect:");
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt (curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 60000L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply->body);
  if (body != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen (body));
    }
  else
    curl_easy_setopt (curl, CURLOPT_HTTPGET, 1L);
  reply->code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  curl_easy_getinfo (curl, CURLINFO_RETRY_AFTER, &reply->retry_after);
  curl_easy_getinfo (curl, CURLINFO_NUM_CONNECTS, &reply->connects);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all (headers);
  return reply;
}

static Reply *
perform (Fixture *f, const char *body)
{
  CURL *curl = curl_easy_init ();
  Reply *reply = perform_with (curl, f->url, body, FALSE, CLIENT_TIMEOUT_MS);

  curl_easy_cleanup (curl);
  return reply;
}

static gboolean
reply_is_upstream (const Reply *reply)
{
  return reply->code == CURLE_OK && reply->status == 200
         && reply->body->len == strlen (UPSTREAM_BODY)
         && memcmp (reply->body->data, UPSTREAM_BODY, reply->body->len) == 0;
}

static void
assert_passes (Fixture *f)
{
  g_autoptr (Reply) reply = perform (f, "{\"ping\": true}");

  g_assert_cmpint (reply->code, ==, CURLE_OK);
  g_assert_true (reply_is_upstream (reply));
}

/* What a client sees of a connection cut under it, depending on when the reset lands. */
static void
assert_cut (const Reply *reply)
{
  if (reply->code != CURLE_COULDNT_CONNECT && reply->code != CURLE_RECV_ERROR
      && reply->code != CURLE_SEND_ERROR && reply->code != CURLE_GOT_NOTHING)
    g_error ("expected a cut connection, got %d (%s)", reply->code,
             curl_easy_strerror (reply->code));
}

static char *
make_body (gsize size)
{
  char *body = g_malloc (size + 1);

  /* A JSON string of the right length, its bytes varied so that any corruption shows. */
  body[0] = '"';
  for (gsize i = 1; i + 1 < size; i++)
    body[i] = (char) ('a' + i % 26);
  body[size - 1] = '"';
  body[size] = '\0';
  return body;
}

/* ---- Tests ---- */

static void
test_pass_keep_alive (Fixture *f, gconstpointer data)
{
  CURL *curl = curl_easy_init ();

  for (int i = 0; i < 5; i++)
    {
      g_autoptr (Reply) reply = perform_with (curl, f->url, i % 2 ? NULL : "{\"n\": 1}", FALSE,
                                              CLIENT_TIMEOUT_MS);

      g_assert_true (reply_is_upstream (reply));
      /* Only the first request opened a connection; the rest reused it through the proxy. */
      g_assert_cmpint (reply->connects, ==, i == 0 ? 1 : 0);
    }
  curl_easy_cleanup (curl);
  assert_stats (f, 5, 1);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 5);
  g_assert_cmpint (upstream_connections (&f->upstream), ==, 1);
}

static void
test_refuse (Fixture *f, gconstpointer data)
{
  CURL *curl = curl_easy_init ();
  g_autoptr (Reply) first = NULL;
  g_autoptr (Reply) refused = NULL;
  g_autoptr (Reply) again = NULL;

  /* A new connection is reset before anything is read. */
  proxy_command (f, "refuse");
  {
    g_autoptr (Reply) reply = perform (f, "{}");

    assert_cut (reply);
  }
  g_assert_cmpint (upstream_connections (&f->upstream), ==, 0);
  assert_passes (f);

  /* A kept-alive connection is cut too, and the client's new one is refused. */
  first = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);
  g_assert_true (reply_is_upstream (first));
  proxy_command (f, "refuse count=1");
  refused = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);
  assert_cut (refused);
  again = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);
  g_assert_true (reply_is_upstream (again));
  curl_easy_cleanup (curl);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 3);
}

static void
test_reset_request (Fixture *f, gconstpointer data)
{
  g_autofree char *body = make_body (4000);

  proxy_command (f, "reset-request");
  {
    g_autoptr (Reply) reply = perform (f, body);

    assert_cut (reply);
  }
  proxy_command (f, "reset-request after=10");
  {
    g_autoptr (Reply) reply = perform (f, body);

    assert_cut (reply);
  }
  /* The server saw the start of each request, never a whole one. */
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 0);
  upstream_wait_connections (&f->upstream, 2);
  assert_passes (f);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 1);
}

static void
test_reset_response (Fixture *f, gconstpointer data)
{
  g_autofree char *body = make_body (4000);

  proxy_command (f, "reset-response");
  {
    g_autoptr (Reply) reply = perform (f, body);

    assert_cut (reply);
  }
  /* The server answered (committed), the client never heard. */
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 1);
  assert_passes (f);
}

static void
test_stall (Fixture *f, gconstpointer data)
{
  CURL *curl = curl_easy_init ();
  g_autoptr (Reply) reply = NULL;

  proxy_command (f, "stall");
  reply = perform_with (curl, f->url, "{}", FALSE, 300);
  g_assert_cmpint (reply->code, ==, CURLE_OPERATION_TIMEDOUT);
  curl_easy_cleanup (curl);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 0);
  assert_passes (f);
}

static void
test_respond (Fixture *f, gconstpointer data)
{
  proxy_command (f, "respond 503 retry-after=7");
  {
    g_autoptr (Reply) reply = perform (f, "{}");

    g_assert_cmpint (reply->code, ==, CURLE_OK);
    g_assert_cmpint (reply->status, ==, 503);
    g_assert_cmpint (reply->retry_after, ==, 7);
  }
  proxy_command (f, "respond 500");
  {
    g_autofree char *body = make_body (3000);
    g_autoptr (Reply) reply = perform (f, body);

    g_assert_cmpint (reply->code, ==, CURLE_OK);
    g_assert_cmpint (reply->status, ==, 500);
    g_assert_cmpint (reply->retry_after, ==, 0);
  }
  /* Neither reached the server. */
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 0);

  /* With forward=1 the server commits and the client still sees the error. */
  proxy_command (f, "respond 429 forward=1 body={\"error\": \"slow down\", \"reason\": \"a b\"}");
  {
    g_autoptr (Reply) reply = perform (f, "{}");

    g_assert_cmpint (reply->code, ==, CURLE_OK);
    g_assert_cmpint (reply->status, ==, 429);
    g_assert_cmpmem (reply->body->data, reply->body->len,
                     "{\"error\": \"slow down\", \"reason\": \"a b\"}", 39);
  }
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 1);
  assert_passes (f);
}

static void
test_truncate_response (Fixture *f, gconstpointer data)
{
  proxy_command (f, "truncate-response");
  {
    g_autoptr (Reply) reply = perform (f, "{}");

    /* The head arrived whole, the body only half: libcurl knows from Content-Length. */
    g_assert_cmpint (reply->code, ==, CURLE_PARTIAL_FILE);
    g_assert_cmpint (reply->status, ==, 200);
    g_assert_cmpuint (reply->body->len, <, strlen (UPSTREAM_BODY));
  }
  proxy_command (f, "truncate-response keep=5");
  {
    g_autoptr (Reply) reply = perform (f, "{}");

    g_assert_cmpint (reply->code, !=, CURLE_OK);
    g_assert_cmpuint (reply->body->len, ==, 0);
  }
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 2);
  assert_passes (f);
}

static void
test_garble_response (Fixture *f, gconstpointer data)
{
  g_autoptr (Reply) reply = NULL;

  proxy_command (f, "garble-response");
  reply = perform (f, "{}");
  /* The head is left alone, so the client reads a complete 200 with a body of the right
   * length that is not the server's. */
  g_assert_cmpint (reply->code, ==, CURLE_OK);
  g_assert_cmpint (reply->status, ==, 200);
  g_assert_cmpuint (reply->body->len, ==, strlen (UPSTREAM_BODY));
  g_assert_true (memcmp (reply->body->data, UPSTREAM_BODY, reply->body->len) != 0);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 1);
  assert_passes (f);
}

static void
test_replace_response (Fixture *f, gconstpointer data)
{
  static const char other[] = "{\"results\": [{\"submission_id\": \"other\", \"status\": 200}]}";
  g_autofree char *path = g_build_filename (f->tmp, "response", NULL);
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: "
                                               "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                                               strlen (other), other);
  g_autofree char *command = g_strdup_printf ("replace-response %s", path);
  g_autoptr (GError) error = NULL;
  CURL *curl = curl_easy_init ();

  g_file_set_contents (path, response, -1, &error);
  g_assert_no_error (error);
  /* The file says nothing of closing, so libcurl keeps the connection that the proxy has
   * ended; whether it notices the FIN first or is reset, its next request must get through. */
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (Reply) replaced = NULL;
      g_autoptr (Reply) reply = NULL;

      proxy_command (f, command);
      replaced = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);
      g_assert_cmpint (replaced->code, ==, CURLE_OK);
      g_assert_cmpint (replaced->status, ==, 200);
      g_assert_cmpmem (replaced->body->data, replaced->body->len, other, strlen (other));
      reply = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);
      g_assert_true (reply_is_upstream (reply));
    }
  curl_easy_cleanup (curl);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 6);

  /* A missing file is an error for the command, not for the proxy. */
  {
    g_autofree char *printed = proxy_send (f, "replace-response /nonexistent/response");

    g_assert_true (g_str_has_prefix (printed, "error:"));
  }
  assert_passes (f);
}

static void
test_count (Fixture *f, gconstpointer data)
{
  static const long expected_limited[] = { 500, 500, 200 };
  CURL *curl = curl_easy_init ();

  /* count=2 on one kept-alive client: the faults are per request, even though each 500 closes
   * the connection and the client makes a new one. */
  proxy_command (f, "respond 500 count=2");
  for (gsize i = 0; i < G_N_ELEMENTS (expected_limited); i++)
    {
      g_autoptr (Reply) reply = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);

      g_assert_cmpint (reply->code, ==, CURLE_OK);
      g_assert_cmpint (reply->status, ==, expected_limited[i]);
    }
  curl_easy_cleanup (curl);

  /* Faults that leave the connection open apply per request on it: two garbled answers, then
   * the server's own, all on the one connection. */
  curl = curl_easy_init ();
  proxy_command (f, "garble-response count=2");
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (Reply) reply = perform_with (curl, f->url, "{}", FALSE, CLIENT_TIMEOUT_MS);

      g_assert_cmpint (reply->code, ==, CURLE_OK);
      g_assert_cmpint (reply->status, ==, 200);
      g_assert_cmpint (reply->connects, ==, i == 0 ? 1 : 0);
      g_assert_true (reply_is_upstream (reply) == (i == 2));
    }
  curl_easy_cleanup (curl);

  proxy_command (f, "respond 500 count=0");
  for (int i = 0; i < 4; i++)
    {
      g_autoptr (Reply) reply = perform (f, "{}");

      g_assert_cmpint (reply->status, ==, 500);
    }
  proxy_command (f, "pass");
  assert_passes (f);
  assert_stats (f, 11, 9);
}

static void
test_latency_bandwidth (Fixture *f, gconstpointer data)
{
  g_autofree char *body = make_body (20000);
  CURL *curl = curl_easy_init ();

  /* Only that everything still arrives, in order: timings are not asserted on shared
   * machines. */
  proxy_command (f, "latency 30");
  proxy_command (f, "bandwidth 100000");
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (Reply) reply = perform_with (curl, f->url, body, FALSE, CLIENT_TIMEOUT_MS);

      g_assert_true (reply_is_upstream (reply));
    }
  curl_easy_cleanup (curl);
  g_assert_cmpint (upstream_connections (&f->upstream), ==, 1);
  {
    g_autofree char *printed = proxy_send (f, "latency 30 count=2");

    g_assert_true (g_str_has_prefix (printed, "error:"));
  }
  proxy_command (f, "latency 0");
  proxy_command (f, "bandwidth 0");
  assert_passes (f);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 4);
}

/* Runs @n requests, each on a new connection, and writes down which failed. */
static char *
loss_pattern (Fixture *f, int n)
{
  GString *pattern = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    {
      g_autoptr (Reply) reply = perform (f, "{\"loss\": true}");

      g_string_append_c (pattern, reply_is_upstream (reply) ? '.' : 'x');
    }
  return g_string_free (pattern, FALSE);
}

static void
test_loss (Fixture *f, gconstpointer data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  proxy_command (f, "loss 100");
  {
    g_autoptr (Reply) reply = perform (f, "{}");

    g_assert_false (reply_is_upstream (reply));
  }

  /* The same seed loses the same requests. */
  proxy_command (f, "loss 50 seed=42");
  first = loss_pattern (f, 24);
  proxy_command (f, "loss 50 seed=42");
  second = loss_pattern (f, 24);
  g_test_message ("loss pattern: %s", first);
  g_assert_cmpstr (first, ==, second);
  g_assert_nonnull (strchr (first, 'x'));
  g_assert_nonnull (strchr (first, '.'));

  proxy_command (f, "loss 0");
  assert_passes (f);
}

static void
test_expect_continue (Fixture *f, gconstpointer data)
{
  g_autofree char *body = make_body (200000);
  CURL *curl = curl_easy_init ();

  /* The server's "100 Continue" must reach the client, and the response faults must act on the
   * final response after it. */
  {
    g_autoptr (Reply) reply = perform_with (curl, f->url, body, TRUE, CLIENT_TIMEOUT_MS);

    g_assert_true (reply_is_upstream (reply));
  }
  proxy_command (f, "garble-response");
  {
    g_autoptr (Reply) reply = perform_with (curl, f->url, body, TRUE, CLIENT_TIMEOUT_MS);

    g_assert_cmpint (reply->code, ==, CURLE_OK);
    g_assert_cmpint (reply->status, ==, 200);
    g_assert_false (reply_is_upstream (reply));
  }
  proxy_command (f, "reset-response");
  {
    g_autoptr (Reply) reply = perform_with (curl, f->url, body, TRUE, CLIENT_TIMEOUT_MS);

    assert_cut (reply);
  }
  /* Answered at the head: the client never sends the body it was waiting to send. */
  proxy_command (f, "respond 503 retry-after=2");
  {
    g_autoptr (Reply) reply = perform_with (curl, f->url, body, TRUE, CLIENT_TIMEOUT_MS);

    g_assert_cmpint (reply->code, ==, CURLE_OK);
    g_assert_cmpint (reply->status, ==, 503);
    g_assert_cmpint (reply->retry_after, ==, 2);
  }
  proxy_command (f, "truncate-response");
  {
    g_autoptr (Reply) reply = perform_with (curl, f->url, body, TRUE, CLIENT_TIMEOUT_MS);

    g_assert_cmpint (reply->code, ==, CURLE_PARTIAL_FILE);
  }
  {
    g_autoptr (Reply) reply = perform_with (curl, f->url, body, TRUE, CLIENT_TIMEOUT_MS);

    g_assert_true (reply_is_upstream (reply));
  }
  curl_easy_cleanup (curl);
  g_assert_cmpint (upstream_complete (&f->upstream), ==, 5);
}

/* A connection that does not start like HTTP (TLS does not) is relayed byte for byte. */
static void
test_raw (Fixture *f, gconstpointer data)
{
  static const char request[] = "\x16\x03\x01 not http\r\n\r\n";
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) received = g_byte_array_new ();
  GSocket *socket;
  char buffer[4096];

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_send (socket, request, sizeof request - 1, NULL, &error);
  g_assert_no_error (error);
  /* The tiny upstream answers the bytes as if they were a request. */
  while (received->len < strlen (UPSTREAM_BODY)
         || memcmp (received->data + received->len - strlen (UPSTREAM_BODY), UPSTREAM_BODY,
                    strlen (UPSTREAM_BODY)) != 0)
    {
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_byte_array_append (received, (guint8 *) buffer, (guint) n);
    }
  g_mutex_lock (&f->upstream.lock);
  g_assert_cmpmem (f->upstream.seen->data, f->upstream.seen->len, request, sizeof request - 1);
  g_mutex_unlock (&f->upstream.lock);
  g_socket_close (socket, NULL);
  assert_stats (f, 0, 1);
}

static void
test_bad_commands (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "frobnicate", "respond", "respond 99", "respond 200 colour=blue", "latency soon",
    "loss 101", "reset-request after=-1", "refuse now", "truncate-response keep=x",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *printed = proxy_send (f, bad[i]);

      if (!g_str_has_prefix (printed, "error:"))
        g_error ("\"%s\" was accepted", bad[i]);
    }
  /* Blank lines are ignored, not answered. */
  proxy_command (f, "\npass");
  assert_passes (f);
}

/* End of input closes everything, even a connection stalled in the middle of a request. */
static void
test_eof_closes (Fixture *f, gconstpointer data)
{
  static const char request[] = "POST /v1/submissions HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 100\r\n\r\n{\"partial\":";
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  GSocket *socket;
  char buffer[256];
  gssize n;

  proxy_command (f, "stall count=0");
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_send (socket, request, sizeof request - 1, NULL, &error);
  g_assert_no_error (error);
  /* The proxy reads the request in its own time; the test waits for it, not for a clock. */
  for (;;)
    {
      g_autofree char *stats = proxy_send (f, "stats");

      if (strcmp (stats, "requests=1 connections=1") == 0)
        break;
      g_usleep (10000);
    }

  g_output_stream_close (g_subprocess_get_stdin_pipe (f->proxy), NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (f->proxy, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->proxy);

  /* The proxy has gone and closed its side. */
  n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
  g_assert_cmpint (n, <=, 0);
  g_socket_close (socket, NULL);
}

/* With the server down the client sees a cut connection, and the proxy carries on. */
static void
test_upstream_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proxy = NULL;
  g_autoptr (GDataInputStream) proxy_out = NULL;
  g_autofree char *upstream = NULL;
  g_autofree char *url = NULL;
  CURL *curl = curl_easy_init ();
  guint16 port;

  /* A port that was free a moment ago and that nothing listens on now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  upstream = g_strdup_printf ("127.0.0.1:%u", (unsigned) port);
  port = proxy_spawn (upstream, &proxy, &proxy_out);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1/health", (unsigned) port);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (Reply) reply = perform_with (curl, url, i == 1 ? "{}" : NULL, FALSE,
                                              CLIENT_TIMEOUT_MS);

      assert_cut (reply);
    }
  curl_easy_cleanup (curl);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (proxy), "quit\n", 5, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (proxy, NULL, &error);
  g_assert_no_error (error);
}

typedef struct
{
  Fixture *f;
  int index;
  int delivered;
} StressClient;

#define STRESS_CLIENTS 3
#define STRESS_REQUESTS 30

static gpointer
stress_client_thread (gpointer data)
{
  StressClient *client = data;
  g_autofree char *large = make_body (70000);
  CURL *curl = curl_easy_init ();

  for (int i = 0; i < STRESS_REQUESTS; i++)
    {
      const char *body = i % 3 == 0 ? NULL : i % 3 == 1 ? "{}" : large;
      g_autoptr (Reply) reply = perform_with (curl, client->f->url, body, i % 5 == 0, 500);

      if (reply_is_upstream (reply))
        client->delivered++;
      /* Now and then a fresh handle, as a killed and restarted engine would have. */
      if (i % 7 == 6)
        {
          curl_easy_cleanup (curl);
          curl = curl_easy_init ();
        }
    }
  curl_easy_cleanup (curl);
  return NULL;
}

/* Faults switched at random under several clients at once: the proxy must neither crash nor
 * hang, and must pass traffic and quit cleanly afterwards. */
static void
test_stress (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->tmp, "response", NULL);
  g_autofree char *replace = g_strdup_printf ("replace-response %s count=2", path);
  const char *const commands[] = {
    "pass", "refuse", "refuse count=3", "reset-request", "reset-request after=3 count=2",
    "reset-request after=100000", "reset-response count=2", "stall", "respond 503 retry-after=1",
    "respond 500 forward=1 count=3", "respond 429 count=0", "truncate-response",
    "truncate-response keep=1 count=2", "garble-response count=0", replace, "latency 3",
    "latency 0", "bandwidth 300000", "bandwidth 0", "loss 30 seed=5", "loss 0", "stats",
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261128);
  g_autoptr (GError) error = NULL;
  StressClient clients[STRESS_CLIENTS] = { 0 };
  GThread *threads[STRESS_CLIENTS];
  int delivered = 0;

  g_file_set_contents (path, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", -1, &error);
  g_assert_no_error (error);
  for (int i = 0; i < STRESS_CLIENTS; i++)
    {
      clients[i].f = f;
      clients[i].index = i;
      threads[i] = g_thread_new ("stress-client", stress_client_thread, &clients[i]);
    }
  /* Commands until the clients are done: joining one at a time after the loop would stop the
   * commands, so the loop runs a fixed number of rounds and the clients are bounded anyway. */
  for (int round = 0; round < 150; round++)
    {
      g_autofree char *printed = proxy_send (
          f, commands[g_rand_int_range (rand, 0, (gint32) G_N_ELEMENTS (commands))]);

      g_assert_false (g_str_has_prefix (printed, "error:"));
      g_usleep (g_rand_int_range (rand, 1000, 20000));
    }
  proxy_command (f, "pass");
  for (int i = 0; i < STRESS_CLIENTS; i++)
    {
      g_thread_join (threads[i]);
      delivered += clients[i].delivered;
    }
  g_test_message ("stress: %d of %d requests delivered intact", delivered,
                  STRESS_CLIENTS * STRESS_REQUESTS);
  proxy_command (f, "latency 0");
  proxy_command (f, "bandwidth 0");
  proxy_command (f, "loss 0");
  assert_passes (f);
}

/* Replaces the fixture's proxy with one in front of @upstream_port. */
static void
fixture_repoint (Fixture *f, guint16 upstream_port)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *upstream = g_strdup_printf ("127.0.0.1:%u", (unsigned) upstream_port);

  proxy_command (f, "quit");
  g_subprocess_wait_check (f->proxy, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->proxy_out);
  g_clear_object (&f->proxy);
  f->port = proxy_spawn (upstream, &f->proxy, &f->proxy_out);
}

static guint16
free_loopback_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

/* HTTPS through the proxy, as the benchmark with added delay runs it: the connection is relayed
 * as raw bytes, so latency, bandwidth and loss apply and the certificate checks still pass. */
static void
test_tls (Fixture *f, gconstpointer data)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *key = g_build_filename (f->tmp, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (f->tmp, "cert.pem", NULL);
  g_autofree char *accept = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) server_out = NULL;
  g_autoptr (GError) error = NULL;
  int wait_status;
  guint16 port;
  CURL *curl;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  {
    const char *argv[] = {
      openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", NULL,
    };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                  | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &wait_status, &error);
    g_assert_no_error (error);
    g_spawn_check_wait_status (wait_status, &error);
    g_assert_no_error (error);
  }
  port = free_loopback_port ();
  accept = g_strdup_printf ("127.0.0.1:%u", (unsigned) port);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, openssl, "s_server", "-accept", accept, "-cert", cert,
                             "-key", key, "-www", NULL);
  g_assert_no_error (error);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (server_out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strcmp (line, "ACCEPT") == 0)
        break;
    }

  fixture_repoint (f, port);
  url = g_strdup_printf ("https://127.0.0.1:%u/", (unsigned) f->port);
  proxy_command (f, "latency 20");
  proxy_command (f, "bandwidth 500000");
  curl = curl_easy_init ();
  curl_easy_setopt (curl, CURLOPT_CAINFO, cert);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (Reply) reply = perform_with (curl, url, NULL, FALSE, CLIENT_TIMEOUT_MS);

      g_assert_cmpint (reply->code, ==, CURLE_OK);
      g_assert_cmpint (reply->status, ==, 200);
      g_assert_cmpuint (reply->body->len, >, 0);
    }
  /* Every raw connection lost within its first bytes: the handshake cannot finish. */
  proxy_command (f, "loss 100");
  {
    g_autoptr (Reply) reply = perform_with (curl, url, NULL, FALSE, CLIENT_TIMEOUT_MS);

    g_assert_cmpint (reply->code, !=, CURLE_OK);
  }
  proxy_command (f, "loss 0");
  {
    g_autoptr (Reply) reply = perform_with (curl, url, NULL, FALSE, CLIENT_TIMEOUT_MS);

    g_assert_cmpint (reply->code, ==, CURLE_OK);
  }
  curl_easy_cleanup (curl);
  /* No request was seen as HTTP: the proxy did not look inside. */
  {
    g_autofree char *stats = proxy_send (f, "stats");

    g_assert_true (g_str_has_prefix (stats, "requests=0 "));
  }
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
}

static GSocket *
connect_raw (Fixture *f, GSocketConnection **connection)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;

  *connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  return g_socket_connection_get_socket (*connection);
}

static void
send_raw (GSocket *socket, const char *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, NULL, &error);

      g_assert_no_error (error);
      data += n;
      len -= (gsize) n;
    }
}

/* Clients that break the rules in ways the proxy has to survive; afterwards it still passes
 * traffic and quits cleanly (the teardown checks its exit status). */
static void
test_rude_clients (Fixture *f, gconstpointer data)
{
  static const char *const heads[] = {
    "POST /v1/submissions HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    "POST /v1/submissions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    "POST /v1/submissions HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
    "POST /v1/submissions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "GET /v1/health HTTP/1.1\r\nHost: x\r\n",
    "\r\n\r\n",
    "G",
  };
  g_autofree char *huge = g_strnfill (200000, 'G');
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (heads); i++)
    {
      g_autoptr (GSocketConnection) connection = NULL;
      GSocket *socket = connect_raw (f, &connection);

      send_raw (socket, heads[i], strlen (heads[i]));
      g_socket_close (socket, NULL);
    }
  /* A head that never ends. */
  {
    g_autoptr (GSocketConnection) connection = NULL;
    GSocket *socket = connect_raw (f, &connection);

    send_raw (socket, huge, strlen (huge));
    g_socket_close (socket, NULL);
  }
  /* Connect and go; connect, start and reset; the same under every fault at once. */
  for (int round = 0; round < 2; round++)
    {
      for (int i = 0; i < 5; i++)
        {
          g_autoptr (GSocketConnection) connection = NULL;
          GSocket *socket = connect_raw (f, &connection);

          if (i % 2 == 1)
            send_raw (socket, heads[4], strlen (heads[4]));
          if (i >= 3)
            setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger,
                        sizeof linger);
          g_socket_close (socket, NULL);
        }
      proxy_command (f, "garble-response count=0");
      proxy_command (f, "latency 5");
      proxy_command (f, "loss 50 seed=1");
    }
  proxy_command (f, "pass");
  proxy_command (f, "latency 0");
  proxy_command (f, "loss 0");
  assert_passes (f);
}

int
main (int argc, char **argv)
{
  int status;

  curl_global_init (CURL_GLOBAL_DEFAULT);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sync/fault-proxy/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("pass-keep-alive", test_pass_keep_alive);
  ADD ("refuse", test_refuse);
  ADD ("reset-request", test_reset_request);
  ADD ("reset-response", test_reset_response);
  ADD ("stall", test_stall);
  ADD ("respond", test_respond);
  ADD ("truncate-response", test_truncate_response);
  ADD ("garble-response", test_garble_response);
  ADD ("replace-response", test_replace_response);
  ADD ("count", test_count);
  ADD ("latency-bandwidth", test_latency_bandwidth);
  ADD ("loss", test_loss);
  ADD ("expect-continue", test_expect_continue);
  ADD ("raw", test_raw);
  ADD ("bad-commands", test_bad_commands);
  ADD ("eof-closes", test_eof_closes);
  ADD ("upstream-down", test_upstream_down);
  ADD ("stress", test_stress);
  ADD ("rude-clients", test_rude_clients);
  ADD ("tls", test_tls);
#undef ADD

  status = g_test_run ();
  curl_global_cleanup ();
  return status;
}
