/* SPDX-License-Identifier: GPL-3.0-or-later */
/* intake-fault-proxy: a TCP proxy of the test suite's own that sits between the sync engine and
 * the server and injects the faults of a bad network, because tc netem is not available on
 * these machines.
 *
 *   intake-fault-proxy --listen 127.0.0.1:0 --upstream 127.0.0.1:PORT
 *
 * prints "listening on 127.0.0.1:PORT" and then reads one command a line on standard input.
 * Every command is answered on standard output with a line "ok" once it applies (stats prints
 * its counters on a line of their own before that), or "error: REASON". Counted faults apply to
 * the next count=N requests (default 1; count=0 means until another command replaces it), then
 * the proxy goes back to pass:
 *
 *   pass
 *   refuse [count=N]                 new connections are reset at once, nothing read; a
 *                                    kept-alive one is reset at its next request, uncounted
 *   reset-request [after=BYTES] [count=N]
 *   reset-response [count=N]
 *   stall [count=N]
 *   respond STATUS [retry-after=S] [forward=1] [count=N] [body=TEXT TO THE END OF THE LINE]
 *   truncate-response [keep=BYTES] [count=N]    default: the head and half the body
 *   garble-response [count=N]
 *   replace-response FILE [count=N]
 *   latency MS                       added to each direction, so a round trip gains 2 × MS
 *   bandwidth BYTES_PER_S            each direction; 0 lifts the limit
 *   loss PERCENT [seed=N]            that share of requests (and raw connections) reset at a
 *                                    random point: in the request, or after the server answered
 *   stats                            "requests=N connections=N", then "ok"
 *   quit                             also on end of input
 *
 * The proxy works on bytes. It finds the end of each request's head ("\r\n\r\n") and the
 * request's Content-Length so that it knows where one request ends and the next begins on a
 * kept-alive connection; on the way back it finds the end of the response head only for the
 * faults that must act on the response (so that interim "100 Continue" responses pass and a
 * garbled body leaves the head intact). Nothing else is interpreted. A connection whose first
 * byte cannot start an HTTP request (TLS, say) is relayed as raw bytes: latency, bandwidth,
 * refuse and loss still apply to it, the per-request faults cannot.
 *
 * Design: each connection has up to four threads with blocking sockets — a reader and a writer
 * per direction. Readers make every decision and queue data and actions in order; writers apply
 * latency (each chunk is due a fixed time after it was read, like a delay line, so a large body
 * is not delayed once per chunk) and bandwidth, then write or act. Every blocking call takes
 * the connection's cancellable, so tearing a connection down or quitting wakes them all; the
 * sockets are closed by whoever drops the last reference, with SO_LINGER 0 when the connection
 * is to end in a reset. */
#include "intake-config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>

#define PROXY_READ_SIZE (64 * 1024)
/* A request or response head larger than this is not HTTP the proxy can follow. */
#define PROXY_MAX_HEAD (64 * 1024)
#define PROXY_CONNECT_TIMEOUT_S 10
/* Bandwidth is metered in slices of this many per second, so that a slow link trickles. */
#define PROXY_BANDWIDTH_SLICES 20
#define PROXY_QUIT_WAIT_US (5 * G_USEC_PER_SEC)

typedef enum
{
  FAULT_PASS,
  FAULT_REFUSE,
  FAULT_RESET_REQUEST,
  FAULT_RESET_RESPONSE,
  FAULT_STALL,
  FAULT_RESPOND,
  FAULT_TRUNCATE_RESPONSE,
  FAULT_GARBLE_RESPONSE,
  FAULT_REPLACE_RESPONSE,
} FaultKind;

/* One fault, shared by reference between the control side and the connections it applies to. */
typedef struct
{
  FaultKind kind;
  gint64 after;     /* reset-request: bytes of the request to forward; -1 is half */
  gint64 keep;      /* truncate-response: bytes of the response to relay; -1 is half */
  gboolean forward; /* respond: forward the request first, so that the server commits */
  GBytes *response; /* respond: the canned response; replace-response: the file's bytes */
} Fault;

static const char *const fault_names[] = {
  [FAULT_PASS] = "pass",
  [FAULT_REFUSE] = "refuse",
  [FAULT_RESET_REQUEST] = "reset-request",
  [FAULT_RESET_RESPONSE] = "reset-response",
  [FAULT_STALL] = "stall",
  [FAULT_RESPOND] = "respond",
  [FAULT_TRUNCATE_RESPONSE] = "truncate-response",
  [FAULT_GARBLE_RESPONSE] = "garble-response",
  [FAULT_REPLACE_RESPONSE] = "replace-response",
};

static void
fault_clear (Fault *fault)
{
  g_clear_pointer (&fault->response, g_bytes_unref);
}

static Fault *
fault_new (FaultKind kind)
{
  Fault *fault = g_atomic_rc_box_new0 (Fault);

  fault->kind = kind;
  fault->after = -1;
  fault->keep = -1;
  return fault;
}

static Fault *
fault_ref (Fault *fault)
{
  return g_atomic_rc_box_acquire (fault);
}

static void
fault_unref (Fault *fault)
{
  g_atomic_rc_box_release_full (fault, (GDestroyNotify) fault_clear);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fault, fault_unref)

typedef struct _Conn Conn;

/* The whole proxy's state; there is one proxy per process. The lock is taken before any
 * connection's lock, never after. */
static struct
{
  GMutex lock;
  GCond cond;
  GSocketAddress *upstream;
  Fault *mode;       /* the counted fault in force, NULL for pass */
  guint64 remaining; /* requests (connections for refuse) it still applies to */
  gboolean forever;  /* count=0 */
  gint64 latency_us;
  gint64 bandwidth; /* bytes per second each way, 0 for no limit */
  int loss_percent;
  GRand *rand;
  guint64 requests;
  guint64 connections;
  GPtrArray *conns; /* live connections, not owned */
  int threads;      /* connection threads still running */
  gboolean quitting;
} proxy;

typedef enum
{
  ITEM_DATA,
  ITEM_FIN,   /* half-close: no more data to this side */
  ITEM_CLOSE, /* a response fault is done: end the exchange with the client gracefully */
  ITEM_RESET, /* reset both sides */
} ItemKind;

typedef struct
{
  ItemKind kind;
  GBytes *data;
  gint64 due; /* monotonic time before which it must not be written: the latency */
} Item;

struct _Conn
{
  gatomicrefcount rc;
  guint64 id;
  GMutex lock;
  GCond cond;
  GCancellable *cancellable;
  GSocketConnection *client_conn;
  GSocket *client;
  GSocketConnection *upstream_conn; /* NULL until a request needs the server */
  GSocket *upstream;
  GQueue up_items;   /* to the server */
  GQueue down_items; /* to the client */
  gboolean dead;     /* torn down: every thread leaves */
  gboolean reset;    /* close with SO_LINGER 0 */
  gboolean client_eof;
  gboolean down_done; /* the client has been sent its FIN */
  gboolean swallow;   /* the exchange is over for this connection: forward nothing more */
  gboolean stalled;   /* stall: read and drop whatever the client sends until it gives up */
  guint64 seq;        /* requests started; the response bytes belong to the latest one */
  Fault *resp_fault;  /* the fault that the response to request seq must suffer, or NULL */
};

static void
item_free (Item *item)
{
  g_clear_pointer (&item->data, g_bytes_unref);
  g_free (item);
}

static void
set_linger_zero (GSocket *socket)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  /* Failure only means the close is a FIN instead of a reset; nothing to do about it. */
  (void) setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

static void
conn_finalize (Conn *conn)
{
  g_mutex_lock (&proxy.lock);
  g_ptr_array_remove_fast (proxy.conns, conn);
  g_mutex_unlock (&proxy.lock);

  if (conn->reset)
    {
      set_linger_zero (conn->client);
      if (conn->upstream != NULL)
        set_linger_zero (conn->upstream);
    }
  g_socket_close (conn->client, NULL);
  if (conn->upstream != NULL)
    g_socket_close (conn->upstream, NULL);
  g_clear_object (&conn->client_conn);
  g_clear_object (&conn->upstream_conn);
  g_clear_object (&conn->cancellable);
  g_queue_clear_full (&conn->up_items, (GDestroyNotify) item_free);
  g_queue_clear_full (&conn->down_items, (GDestroyNotify) item_free);
  g_clear_pointer (&conn->resp_fault, fault_unref);
  g_mutex_clear (&conn->lock);
  g_cond_clear (&conn->cond);
  g_free (conn);
}

static Conn *
conn_ref (Conn *conn)
{
  g_atomic_ref_count_inc (&conn->rc);
  return conn;
}

static void
conn_unref (Conn *conn)
{
  if (g_atomic_ref_count_dec (&conn->rc))
    conn_finalize (conn);
}

/* Tears the connection down: every thread wakes and leaves, and the last one closes the
 * sockets. The first caller decides whether the end is a reset. */
static void
conn_kill (Conn *conn, gboolean reset)
{
  g_mutex_lock (&conn->lock);
  if (!conn->dead)
    {
      conn->dead = TRUE;
      conn->reset = reset;
    }
  g_cond_broadcast (&conn->cond);
  g_mutex_unlock (&conn->lock);
  g_cancellable_cancel (conn->cancellable);
}

static gboolean
conn_is_swallowing (Conn *conn)
{
  gboolean swallow;

  g_mutex_lock (&conn->lock);
  swallow = conn->swallow || conn->dead;
  g_mutex_unlock (&conn->lock);
  return swallow;
}

static void
conn_set_swallow (Conn *conn)
{
  g_mutex_lock (&conn->lock);
  conn->swallow = TRUE;
  g_mutex_unlock (&conn->lock);
}

static void
conn_push (Conn *conn, gboolean down, ItemKind kind, const void *data, gsize len)
{
  Item *item = g_new0 (Item, 1);
  gint64 latency;

  g_mutex_lock (&proxy.lock);
  latency = proxy.latency_us;
  g_mutex_unlock (&proxy.lock);

  item->kind = kind;
  if (kind == ITEM_DATA)
    item->data = g_bytes_new (data, len);
  item->due = g_get_monotonic_time () + latency;
  g_mutex_lock (&conn->lock);
  /* The exchange is over as soon as its end is decided, not when the writer gets to it: the
   * client may have its response, and send the next request, before then; that request must
   * not reach the server on a connection about to close. */
  if (kind == ITEM_CLOSE || kind == ITEM_RESET)
    conn->swallow = TRUE;
  g_queue_push_tail (down ? &conn->down_items : &conn->up_items, item);
  g_cond_broadcast (&conn->cond);
  g_mutex_unlock (&conn->lock);
}

/* Queues the last bytes the client gets and the graceful end after them, in one step: once the
 * client may have these bytes, the connection must already count as ended (see conn_push). */
static void
conn_push_last (Conn *conn, const void *data, gsize len)
{
  Item *item = g_new0 (Item, 1);
  Item *close = g_new0 (Item, 1);
  gint64 latency;

  g_mutex_lock (&proxy.lock);
  latency = proxy.latency_us;
  g_mutex_unlock (&proxy.lock);

  item->kind = ITEM_DATA;
  item->data = g_bytes_new (data, len);
  item->due = close->due = g_get_monotonic_time () + latency;
  close->kind = ITEM_CLOSE;
  g_mutex_lock (&conn->lock);
  conn->swallow = TRUE;
  g_queue_push_tail (&conn->down_items, item);
  g_queue_push_tail (&conn->down_items, close);
  g_cond_broadcast (&conn->cond);
  g_mutex_unlock (&conn->lock);
}

static void
conn_push_last_bytes (Conn *conn, GBytes *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  conn_push_last (conn, data, len);
}

static void
conn_log (Conn *conn, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
conn_log (Conn *conn, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("intake-fault-proxy: connection %" G_GUINT64_FORMAT ": %s\n", conn->id, message);
}

/* ---- Threads ---- */

static void
thread_done (Conn *conn)
{
  conn_unref (conn);
  g_mutex_lock (&proxy.lock);
  proxy.threads--;
  g_cond_broadcast (&proxy.cond);
  g_mutex_unlock (&proxy.lock);
}

static gboolean
conn_spawn (Conn *conn, const char *name, GThreadFunc func)
{
  g_autoptr (GError) error = NULL;
  GThread *thread;

  g_mutex_lock (&proxy.lock);
  proxy.threads++;
  g_mutex_unlock (&proxy.lock);
  thread = g_thread_try_new (name, func, conn_ref (conn), &error);
  if (thread == NULL)
    {
      conn_log (conn, "cannot start a thread: %s", error->message);
      thread_done (conn);
      return FALSE;
    }
  g_thread_unref (thread);
  return TRUE;
}

/* Waits on the connection's lock until the monotonic time @until or the teardown. */
static gboolean
conn_wait_until (Conn *conn, gint64 until)
{
  gboolean alive;

  g_mutex_lock (&conn->lock);
  while (!conn->dead && g_get_monotonic_time () < until)
    g_cond_wait_until (&conn->cond, &conn->lock, until);
  alive = !conn->dead;
  g_mutex_unlock (&conn->lock);
  return alive;
}

/* Writes all of @data, paced by the bandwidth setting as it is at each slice. */
static gboolean
write_paced (Conn *conn, GSocket *socket, GBytes *bytes, gint64 *next_slot)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  while (len > 0)
    {
      gint64 bandwidth;
      gsize piece = len;
      gssize sent;

      g_mutex_lock (&proxy.lock);
      bandwidth = proxy.bandwidth;
      g_mutex_unlock (&proxy.lock);
      if (bandwidth > 0)
        {
          piece = MIN (len, (gsize) MAX (bandwidth / PROXY_BANDWIDTH_SLICES, 1));
          if (!conn_wait_until (conn, *next_slot))
            return FALSE;
        }
      sent = g_socket_send (socket, data, piece, conn->cancellable, NULL);
      if (sent <= 0)
        return FALSE;
      if (bandwidth > 0)
        *next_slot = MAX (g_get_monotonic_time (), *next_slot)
                     + (gint64) sent * G_USEC_PER_SEC / bandwidth;
      data += sent;
      len -= (gsize) sent;
    }
  return TRUE;
}

/* The client has its FIN and, if it also sent its own, the connection is over. */
static void
conn_mark_down_done (Conn *conn)
{
  gboolean over;

  g_mutex_lock (&conn->lock);
  conn->down_done = TRUE;
  over = conn->client_eof;
  g_mutex_unlock (&conn->lock);
  if (over)
    conn_kill (conn, FALSE);
}

static void
writer_loop (Conn *conn, gboolean down)
{
  GQueue *queue = down ? &conn->down_items : &conn->up_items;
  gint64 next_slot = 0;

  for (;;)
    {
      Item *item;
      GSocket *target;
      gboolean ok = TRUE;

      g_mutex_lock (&conn->lock);
      while (!conn->dead && g_queue_is_empty (queue))
        g_cond_wait (&conn->cond, &conn->lock);
      if (conn->dead)
        {
          g_mutex_unlock (&conn->lock);
          return;
        }
      item = g_queue_pop_head (queue);
      target = down ? conn->client : conn->upstream;
      g_mutex_unlock (&conn->lock);

      if (!conn_wait_until (conn, item->due))
        {
          item_free (item);
          return;
        }

      switch (item->kind)
        {
        case ITEM_DATA:
          ok = write_paced (conn, target, item->data, &next_slot);
          if (!ok)
            conn_kill (conn, TRUE);
          break;
        case ITEM_FIN:
          g_socket_shutdown (target, FALSE, TRUE, NULL);
          if (down)
            conn_mark_down_done (conn);
          break;
        case ITEM_CLOSE:
          g_assert (down);
          g_socket_shutdown (conn->client, FALSE, TRUE, NULL);
          /* The server is not needed any more; shutting it out also ends the reader. */
          g_mutex_lock (&conn->lock);
          conn->swallow = TRUE;
          if (conn->upstream != NULL)
            g_socket_shutdown (conn->upstream, TRUE, TRUE, NULL);
          g_mutex_unlock (&conn->lock);
          conn_mark_down_done (conn);
          break;
        case ITEM_RESET:
          conn_kill (conn, TRUE);
          ok = FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
      item_free (item);
      if (!ok)
        return;
    }
}

static gpointer
up_writer_thread (gpointer data)
{
  Conn *conn = data;

  writer_loop (conn, FALSE);
  thread_done (conn);
  return NULL;
}

static gpointer
down_writer_thread (gpointer data)
{
  Conn *conn = data;

  writer_loop (conn, TRUE);
  thread_done (conn);
  return NULL;
}

/* ---- Heads ---- */

/* Returns the offset just past "\r\n\r\n" in @head, searching from @from, or 0. */
static gsize
head_end (const GByteArray *head, gsize from)
{
  for (gsize i = from; i + 4 <= head->len; i++)
    if (memcmp (head->data + i, "\r\n\r\n", 4) == 0)
      return i + 4;
  return 0;
}

/* Finds a header by name in a complete head; returns its value, without leading blanks. */
static char *
head_header (const GByteArray *head, const char *name)
{
  g_autofree char *text = g_strndup ((const char *) head->data, head->len);
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  gsize name_len = strlen (name);

  for (gsize i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, name_len) == 0 && lines[i][name_len] == ':')
      return g_strdup (g_strchug (lines[i] + name_len + 1));
  return NULL;
}

/* The Content-Length of a head, or -1 if it has none that makes sense. */
static gint64
head_content_length (const GByteArray *head)
{
  g_autofree char *value = head_header (head, "Content-Length");
  guint64 length;

  if (value == NULL || !g_ascii_string_to_unsigned (g_strchomp (value), 10, 0, G_MAXINT64,
                                                    &length, NULL))
    return -1;
  return (gint64) length;
}

/* The upstream connection is made only when a request needs it, so that faults that answer by
 * themselves leave the server untouched. */
static gboolean
conn_ensure_upstream (Conn *conn);

/* ---- Client to server ---- */

typedef struct
{
  GByteArray *head;
  gboolean in_body;
  guint64 body_left;
  gboolean discard; /* this request goes nowhere (stall, respond without forward) */
  gint64 budget;    /* bytes still to forward before a reset; -1 for no reset */
  gboolean raw;     /* the rest of the connection is relayed without looking */
} Request;

/* Forwards bytes of the current request upwards, within the budget of a reset. */
static void
request_forward (Conn *conn, Request *request, const guint8 *data, gsize len)
{
  gsize n = len;

  if (request->discard || conn_is_swallowing (conn))
    return;
  if (request->budget >= 0)
    n = MIN (len, (gsize) request->budget);
  if (n > 0)
    conn_push (conn, FALSE, ITEM_DATA, data, n);
  if (request->budget >= 0)
    {
      request->budget -= (gint64) n;
      if (request->budget == 0)
        {
          conn_push (conn, FALSE, ITEM_RESET, NULL, 0);
          conn_set_swallow (conn);
        }
    }
}

/* Decides what happens to the request whose head is complete, and starts it on its way. */
static void
request_start (Conn *conn, Request *request)
{
  gint64 content_length = head_content_length (request->head);
  guint64 total = request->head->len + (guint64) MAX (content_length, 0);
  g_autoptr (Fault) fault = NULL;
  gboolean refuse_existing = FALSE;
  guint64 number;

  g_mutex_lock (&proxy.lock);
  number = ++proxy.requests;
  if (proxy.mode != NULL && proxy.mode->kind == FAULT_REFUSE)
    {
      /* Refusal is for new connections; a kept-alive one is cut so that the client has to
       * make a new one, without using up the count. */
      refuse_existing = TRUE;
    }
  else if (proxy.mode != NULL)
    {
      fault = fault_ref (proxy.mode);
      if (!proxy.forever && --proxy.remaining == 0)
        g_clear_pointer (&proxy.mode, fault_unref);
    }
  else if (proxy.loss_percent > 0
           && g_rand_int_range (proxy.rand, 0, 100) < proxy.loss_percent)
    {
      /* Half the losses cut the request, half the response after the server committed. */
      if (g_rand_boolean (proxy.rand))
        {
          fault = fault_new (FAULT_RESET_REQUEST);
          fault->after = g_rand_int_range (proxy.rand, 0, (gint32) MIN (total + 1, G_MAXINT32));
        }
      else
        fault = fault_new (FAULT_RESET_RESPONSE);
    }
  g_mutex_unlock (&proxy.lock);

  request->discard = FALSE;
  request->budget = -1;
  request->in_body = content_length > 0;
  request->body_left = (guint64) MAX (content_length, 0);

  if (content_length < 0)
    {
      g_autofree char *encoding = head_header (request->head, "Transfer-Encoding");

      /* A body without a length (chunked) cannot be followed without parsing it; the rest of
       * this connection is relayed as it comes. */
      if (encoding != NULL)
        {
          conn_log (conn, "request %" G_GUINT64_FORMAT " has no Content-Length: relaying raw",
                    number);
          request->raw = TRUE;
        }
    }

  if (refuse_existing)
    {
      conn_log (conn, "request %" G_GUINT64_FORMAT ": refuse (cutting a kept-alive connection)",
                number);
      conn_set_swallow (conn);
      conn_kill (conn, TRUE);
      return;
    }
  if (fault != NULL)
    conn_log (conn, "request %" G_GUINT64_FORMAT ": %s", number, fault_names[fault->kind]);

  switch (fault != NULL ? fault->kind : FAULT_PASS)
    {
    case FAULT_STALL:
      request->discard = TRUE;
      g_mutex_lock (&conn->lock);
      conn->swallow = TRUE;
      conn->stalled = TRUE;
      g_mutex_unlock (&conn->lock);
      return;
    case FAULT_RESPOND:
      if (!fault->forward)
        {
                    request->discard = TRUE;
          conn_push_last_bytes (conn, fault->response);
          return;
        }
      break;
    case FAULT_RESET_REQUEST:
      request->budget = fault->after >= 0 ? fault->after : (gint64) (total / 2);
      break;
    case FAULT_PASS:
    case FAULT_REFUSE:
    case FAULT_RESET_RESPONSE:
    case FAULT_TRUNCATE_RESPONSE:
    case FAULT_GARBLE_RESPONSE:
    case FAULT_REPLACE_RESPONSE:
    default:
      break;
    }

  if (!conn_ensure_upstream (conn))
    return;
  g_mutex_lock (&conn->lock);
  conn->seq++;
  g_clear_pointer (&conn->resp_fault, fault_unref);
  if (fault != NULL && fault->kind != FAULT_RESET_REQUEST)
    conn->resp_fault = fault_ref (fault);
  g_mutex_unlock (&conn->lock);

  if (request->budget == 0)
    {
      /* Nothing of the request at all: the server sees a connection that is reset. */
      conn_push (conn, FALSE, ITEM_RESET, NULL, 0);
      conn_set_swallow (conn);
      return;
    }
  request_forward (conn, request, request->head->data, request->head->len);
}

/* A request is complete. A reset whose budget outlasted the request happens now. */
static void
request_end (Conn *conn, Request *request)
{
  if (request->budget > 0 && !request->discard && !conn_is_swallowing (conn))
    {
      conn_push (conn, FALSE, ITEM_RESET, NULL, 0);
      conn_set_swallow (conn);
    }
  request->budget = -1;
  request->in_body = FALSE;
  g_byte_array_set_size (request->head, 0);
}

static void
request_go_raw (Conn *conn, Request *request, const guint8 *data, gsize len)
{
  request->raw = TRUE;
  request->discard = FALSE;
  request->budget = -1;
  g_mutex_lock (&proxy.lock);
  /* A lost raw connection is cut somewhere in the client's first flight (a TLS ClientHello),
   * or just after it: a point later on might never come, and then nothing would be lost. */
  if (proxy.loss_percent > 0 && g_rand_int_range (proxy.rand, 0, 100) < proxy.loss_percent)
    request->budget = g_rand_int_range (proxy.rand, 0, (gint32) MIN (len, G_MAXINT32 - 1) + 1);
  g_mutex_unlock (&proxy.lock);
  if (request->budget >= 0)
    conn_log (conn, "raw connection: loss after %" G_GINT64_FORMAT " bytes", request->budget);
  if (!conn_ensure_upstream (conn))
    return;
  if (request->budget == 0)
    {
      conn_push (conn, FALSE, ITEM_RESET, NULL, 0);
      conn_set_swallow (conn);
      return;
    }
  request_forward (conn, request, data, len);
}

/* Feeds bytes from the client through the request framing. */
static void
request_feed (Conn *conn, Request *request, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      if (request->raw)
        {
          request_forward (conn, request, data, len);
          return;
        }
      if (!request->in_body)
        {
          gsize old = request->head->len;
          gsize end;

          if (old == 0 && conn_is_swallowing (conn))
            {
              /* A new request on a connection whose exchange the proxy has ended (the client
               * had not yet seen the FIN): a reset makes the client retry on a new connection,
               * where silence would leave it waiting for its timeout. */
              conn_kill (conn, TRUE);
              return;
            }
          if (old == 0 && !g_ascii_isupper (data[0]))
            {
              request_go_raw (conn, request, data, len);
              return;
            }
          g_byte_array_append (request->head, data, (guint) len);
          end = head_end (request->head, old >= 3 ? old - 3 : 0);
          if (end == 0)
            {
              if (request->head->len > PROXY_MAX_HEAD)
                {
                  g_autoptr (GByteArray) head = g_byte_array_ref (request->head);

                  conn_log (conn, "request head too large: relaying raw");
                  request->head = g_byte_array_new ();
                  request_go_raw (conn, request, head->data, head->len);
                }
              return;
            }
          /* Whatever followed the head in this read is the body or the next request. */
          data += len - (request->head->len - end);
          len = request->head->len - end;
          g_byte_array_set_size (request->head, (guint) end);
          request_start (conn, request);
          if (!request->in_body)
            request_end (conn, request);
        }
      else
        {
          gsize n = (gsize) MIN ((guint64) len, request->body_left);

          request_forward (conn, request, data, n);
          request->body_left -= n;
          data += n;
          len -= n;
          if (request->body_left == 0)
            request_end (conn, request);
        }
    }
}

static gpointer
up_reader_thread (gpointer user_data)
{
  Conn *conn = user_data;
  Request request = { .head = g_byte_array_new (), .budget = -1 };
  g_autofree guint8 *buffer = g_malloc (PROXY_READ_SIZE);

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gboolean stalled;
      gssize n = g_socket_receive (conn->client, (char *) buffer, PROXY_READ_SIZE,
                                   conn->cancellable, &error);

      if (n < 0)
        {
          /* The client reset the connection (or the proxy tears it down): pass the reset on. */
          conn_kill (conn, TRUE);
          break;
        }
      if (n == 0)
        {
          gboolean over, upstream;

          g_mutex_lock (&conn->lock);
          conn->client_eof = TRUE;
          over = conn->down_done;
          upstream = conn->upstream != NULL;
          g_mutex_unlock (&conn->lock);
          if (over)
            conn_kill (conn, FALSE);
          else if (upstream && !conn_is_swallowing (conn))
            conn_push (conn, FALSE, ITEM_FIN, NULL, 0);
          else
            conn_push (conn, TRUE, ITEM_FIN, NULL, 0);
          break;
        }
      g_mutex_lock (&conn->lock);
      stalled = conn->stalled || conn->dead;
      g_mutex_unlock (&conn->lock);
      if (stalled)
        continue;
      request_feed (conn, &request, buffer, (gsize) n);
    }
  g_byte_array_unref (request.head);
  thread_done (conn);
  return NULL;
}

/* ---- Server to client ---- */

typedef struct
{
  guint64 seq;
  Fault *fault;
  GByteArray *head;
  gboolean in_body;
  gboolean done;  /* the fault has been dealt; the rest of this response is dropped */
  gint64 left;    /* truncate-response: bytes still to relay */
  guint64 offset; /* garble-response: position in the body */
} Response;

static gboolean
head_is_interim (const GByteArray *head)
{
  /* "HTTP/1.1 1xx": informational responses precede the real one. */
  return head->len > 9 && head->data[9] == '1';
}

static void
response_final_head (Conn *conn, Response *response)
{
  Fault *fault = response->fault;

  switch (fault->kind)
    {
    case FAULT_RESET_RESPONSE:
      conn_push (conn, TRUE, ITEM_RESET, NULL, 0);
      response->done = TRUE;
      break;
    case FAULT_RESPOND:
    case FAULT_REPLACE_RESPONSE:
      conn_push_last_bytes (conn, fault->response);
      response->done = TRUE;
      break;
    case FAULT_TRUNCATE_RESPONSE:
      {
        gint64 keep = fault->keep;
        gsize n;

        /* By default the head and half the body arrive: a client must not trust a 200 whose
         * body it did not get in full. Without a body, half the head. */
        if (keep < 0 && head_content_length (response->head) > 0)
          keep = (gint64) response->head->len + head_content_length (response->head) / 2;
        else if (keep < 0)
          keep = (gint64) response->head->len / 2;
        n = (gsize) MIN ((gint64) response->head->len, keep);
        response->left = keep - (gint64) n;
        response->in_body = TRUE;
        if (response->left == 0)
          {
            conn_push_last (conn, response->head->data, n);
            response->done = TRUE;
          }
        else
          conn_push (conn, TRUE, ITEM_DATA, response->head->data, n);
      }
      break;
    case FAULT_GARBLE_RESPONSE:
      conn_push (conn, TRUE, ITEM_DATA, response->head->data, response->head->len);
      response->in_body = TRUE;
      response->offset = 0;
      break;
    case FAULT_PASS:
    case FAULT_REFUSE:
    case FAULT_RESET_REQUEST:
    case FAULT_STALL:
    default:
      g_assert_not_reached ();
    }
}

/* Feeds bytes from the server through the response fault of the current request. */
static void
response_feed (Conn *conn, Response *response, const guint8 *data, gsize len)
{
  while (len > 0 && !response->done)
    {
      if (!response->in_body)
        {
          gsize old = response->head->len;
          gsize end;

          g_byte_array_append (response->head, data, (guint) len);
          end = head_end (response->head, old >= 3 ? old - 3 : 0);
          if (end == 0)
            {
              if (response->head->len > PROXY_MAX_HEAD)
                {
                  /* Not a response the proxy can follow: let it through untouched. */
                  conn_push (conn, TRUE, ITEM_DATA, response->head->data, response->head->len);
                  g_byte_array_set_size (response->head, 0);
                  g_clear_pointer (&response->fault, fault_unref);
                  response->done = TRUE;
                }
              return;
            }
          data += len - (response->head->len - end);
          len = response->head->len - end;
          g_byte_array_set_size (response->head, (guint) end);
          if (head_is_interim (response->head))
            {
              conn_push (conn, TRUE, ITEM_DATA, response->head->data, response->head->len);
              g_byte_array_set_size (response->head, 0);
              continue;
            }
          response_final_head (conn, response);
        }
      else if (response->fault->kind == FAULT_TRUNCATE_RESPONSE)
        {
          gsize n = (gsize) MIN ((gint64) len, response->left);

          response->left -= (gint64) n;
          if (response->left == 0)
            {
              conn_push_last (conn, data, n);
              response->done = TRUE;
            }
          else
            conn_push (conn, TRUE, ITEM_DATA, data, n);
          return;
        }
      else
        {
          g_autofree guint8 *copy = g_memdup2 (data, len);

          /* Every sixteenth byte of the body, from the first, inverted: JSON no longer parses
           * and no signature or hash inside it survives. */
          for (gsize i = 0; i < len; i++)
            if ((response->offset + i) % 16 == 0)
              copy[i] ^= 0xff;
          response->offset += len;
          conn_push (conn, TRUE, ITEM_DATA, copy, len);
          return;
        }
    }
}

static gpointer
down_reader_thread (gpointer user_data)
{
  Conn *conn = user_data;
  Response response = { .head = g_byte_array_new () };
  g_autofree guint8 *buffer = g_malloc (PROXY_READ_SIZE);

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive (conn->upstream, (char *) buffer, PROXY_READ_SIZE,
                                   conn->cancellable, &error);
      gboolean swallow;

      g_mutex_lock (&conn->lock);
      swallow = conn->swallow || conn->dead;
      if (conn->seq != response.seq)
        {
          /* No pipelining: once a new request has started, the server's bytes answer it. */
          response.seq = conn->seq;
          g_clear_pointer (&response.fault, fault_unref);
          if (conn->resp_fault != NULL)
            response.fault = fault_ref (conn->resp_fault);
          g_byte_array_set_size (response.head, 0);
          response.in_body = FALSE;
          response.done = FALSE;
        }
      g_mutex_unlock (&conn->lock);

      if (n < 0)
        {
          /* Unless the proxy itself shut the server out, a reset from it reaches the client. */
          if (!swallow)
            conn_kill (conn, TRUE);
          break;
        }
      if (n == 0)
        {
          if (!swallow)
            conn_push (conn, TRUE, ITEM_FIN, NULL, 0);
          break;
        }
      if (swallow)
        continue;
      if (response.fault == NULL)
        conn_push (conn, TRUE, ITEM_DATA, buffer, (gsize) n);
      else
        response_feed (conn, &response, buffer, (gsize) n);
    }
  g_clear_pointer (&response.fault, fault_unref);
  g_byte_array_unref (response.head);
  thread_done (conn);
  return NULL;
}

static gboolean
conn_ensure_upstream (Conn *conn)
{
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  GSocketAddress *address;

  if (conn->upstream != NULL)
    return TRUE;

  g_mutex_lock (&proxy.lock);
  address = g_object_ref (proxy.upstream);
  g_mutex_unlock (&proxy.lock);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, PROXY_CONNECT_TIMEOUT_S);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), conn->cancellable,
                                        &error);
  g_object_unref (address);
  if (connection == NULL)
    {
      /* The client sees what it would see if the server were down. */
      conn_log (conn, "cannot reach the server: %s", error->message);
      conn_set_swallow (conn);
      conn_kill (conn, TRUE);
      return FALSE;
    }
  g_socket_set_blocking (g_socket_connection_get_socket (connection), TRUE);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);

  g_mutex_lock (&conn->lock);
  conn->upstream_conn = g_steal_pointer (&connection);
  conn->upstream = g_socket_connection_get_socket (conn->upstream_conn);
  g_mutex_unlock (&conn->lock);

  if (!conn_spawn (conn, "proxy-up-writer", up_writer_thread)
      || !conn_spawn (conn, "proxy-down-reader", down_reader_thread))
    {
      conn_kill (conn, TRUE);
      return FALSE;
    }
  return TRUE;
}

/* ---- Accepting ---- */

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer user_data)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  gboolean refuse = FALSE;
  Conn *conn;
  guint64 id;

  g_mutex_lock (&proxy.lock);
  id = ++proxy.connections;
  if (proxy.quitting)
    refuse = TRUE;
  else if (proxy.mode != NULL && proxy.mode->kind == FAULT_REFUSE)
    {
      refuse = TRUE;
      if (!proxy.forever && --proxy.remaining == 0)
        g_clear_pointer (&proxy.mode, fault_unref);
    }
  g_mutex_unlock (&proxy.lock);

  if (refuse)
    {
      /* The closest a listening socket can come to refusing: a reset before any byte. */
      g_printerr ("intake-fault-proxy: connection %" G_GUINT64_FORMAT ": refuse\n", id);
      set_linger_zero (socket);
      g_socket_close (socket, NULL);
      return TRUE;
    }

  g_socket_set_blocking (socket, TRUE);
  g_socket_set_timeout (socket, 0);
  conn = g_new0 (Conn, 1);
  g_atomic_ref_count_init (&conn->rc);
  conn->id = id;
  g_mutex_init (&conn->lock);
  g_cond_init (&conn->cond);
  conn->cancellable = g_cancellable_new ();
  conn->client_conn = g_object_ref (connection);
  conn->client = socket;
  g_queue_init (&conn->up_items);
  g_queue_init (&conn->down_items);

  g_mutex_lock (&proxy.lock);
  g_ptr_array_add (proxy.conns, conn);
  g_mutex_unlock (&proxy.lock);

  if (!conn_spawn (conn, "proxy-down-writer", down_writer_thread)
      || !conn_spawn (conn, "proxy-up-reader", up_reader_thread))
    conn_kill (conn, TRUE);
  conn_unref (conn);
  return TRUE;
}

/* ---- Control ---- */

static const char *
status_reason (int status)
{
  switch (status)
    {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Injected";
    }
}

static GBytes *
canned_response (int status, int retry_after, const char *body)
{
  g_autofree char *default_body = NULL;
  GString *text = g_string_new (NULL);

  if (body == NULL)
    body = default_body = g_strdup_printf ("{\"error\": \"injected\", \"reason\": "
                                           "\"intake-fault-proxy answered %d\"}", status);
  g_string_append_printf (text, "HTTP/1.1 %d %s\r\n", status, status_reason (status));
  g_string_append (text, "Content-Type: application/json\r\n");
  g_string_append_printf (text, "Content-Length: %zu\r\n", strlen (body));
  g_string_append (text, "Connection: close\r\n");
  if (retry_after >= 0)
    g_string_append_printf (text, "Retry-After: %d\r\n", retry_after);
  g_string_append (text, "\r\n");
  g_string_append (text, body);
  return g_string_free_to_bytes (text);
}

static gboolean
parse_number (const char *text, guint64 max, guint64 *out, GError **error)
{
  return g_ascii_string_to_unsigned (text, 10, 0, max, out, error);
}

typedef struct
{
  GPtrArray *words; /* positional words after the command */
  guint64 count;
  gboolean has_count;
  gint64 after, keep, retry_after, seed;
  gboolean forward;
  char *body;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->words, g_ptr_array_unref);
  g_clear_pointer (&options->body, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* Splits a command line into words and name=value options; "body=" takes the rest of the
 * line, spaces and all, so that a test can write any JSON there. */
static gboolean
parse_options (const char *rest, Options *options, GError **error)
{
  options->words = g_ptr_array_new_with_free_func (g_free);
  options->count = 1;
  options->after = options->keep = options->retry_after = options->seed = -1;

  for (;;)
    {
      const char *end;
      g_autofree char *word = NULL;
      const char *equals;
      guint64 value;

      while (*rest == ' ' || *rest == '\t')
        rest++;
      if (*rest == '\0')
        return TRUE;
      if (g_str_has_prefix (rest, "body="))
        {
          options->body = g_strdup (rest + strlen ("body="));
          return TRUE;
        }
      end = rest + strcspn (rest, " \t");
      word = g_strndup (rest, (gsize) (end - rest));
      rest = end;
      equals = strchr (word, '=');
      if (equals == NULL)
        {
          g_ptr_array_add (options->words, g_steal_pointer (&word));
          continue;
        }
      if (!parse_number (equals + 1, G_MAXINT32, &value, error))
        return FALSE;
      if (g_str_has_prefix (word, "count="))
        {
          options->count = value;
          options->has_count = TRUE;
        }
      else if (g_str_has_prefix (word, "after="))
        options->after = (gint64) value;
      else if (g_str_has_prefix (word, "keep="))
        options->keep = (gint64) value;
      else if (g_str_has_prefix (word, "retry-after="))
        options->retry_after = (gint64) value;
      else if (g_str_has_prefix (word, "seed="))
        options->seed = (gint64) value;
      else if (g_str_has_prefix (word, "forward="))
        options->forward = value != 0;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown option %s", word);
          return FALSE;
        }
    }
}

static gboolean
expect_words (Options *options, guint n, const char *usage, GError **error)
{
  if (options->words->len == n)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: %s", usage);
  return FALSE;
}

static void
set_mode (Fault *fault, Options *options)
{
  g_mutex_lock (&proxy.lock);
  g_clear_pointer (&proxy.mode, fault_unref);
  proxy.mode = fault;
  proxy.remaining = options->count;
  proxy.forever = options->count == 0;
  g_mutex_unlock (&proxy.lock);
}

static gboolean
set_counted_fault (const char *command, Options *options, GError **error)
{
  g_autoptr (Fault) fault = NULL;
  guint64 value;

  if (strcmp (command, "refuse") == 0 || strcmp (command, "reset-response") == 0
      || strcmp (command, "stall") == 0 || strcmp (command, "garble-response") == 0)
    {
      if (!expect_words (options, 0, command, error))
        return FALSE;
      fault = fault_new (strcmp (command, "refuse") == 0           ? FAULT_REFUSE
                         : strcmp (command, "reset-response") == 0 ? FAULT_RESET_RESPONSE
                         : strcmp (command, "stall") == 0          ? FAULT_STALL
                                                                   : FAULT_GARBLE_RESPONSE);
    }
  else if (strcmp (command, "reset-request") == 0)
    {
      if (!expect_words (options, 0, "reset-request [after=BYTES] [count=N]", error))
        return FALSE;
      fault = fault_new (FAULT_RESET_REQUEST);
      fault->after = options->after;
    }
  else if (strcmp (command, "truncate-response") == 0)
    {
      if (!expect_words (options, 0, "truncate-response [keep=BYTES] [count=N]", error))
        return FALSE;
      fault = fault_new (FAULT_TRUNCATE_RESPONSE);
      fault->keep = options->keep;
    }
  else if (strcmp (command, "respond") == 0)
    {
      if (!expect_words (options, 1, "respond STATUS [retry-after=S] [forward=1] [count=N] "
                         "[body=TEXT]", error)
          || !parse_number (options->words->pdata[0], 599, &value, error))
        return FALSE;
      if (value < 200)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "status %s is not final",
                       (const char *) options->words->pdata[0]);
          return FALSE;
        }
      fault = fault_new (FAULT_RESPOND);
      fault->forward = options->forward;
      fault->response = canned_response ((int) value, (int) options->retry_after, options->body);
    }
  else if (strcmp (command, "replace-response") == 0)
    {
      char *contents;
      gsize length;

      if (!expect_words (options, 1, "replace-response FILE [count=N]", error)
          || !g_file_get_contents (options->words->pdata[0], &contents, &length, error))
        return FALSE;
      fault = fault_new (FAULT_REPLACE_RESPONSE);
      fault->response = g_bytes_new_take (contents, length);
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown command %s", command);
      return FALSE;
    }
  set_mode (g_steal_pointer (&fault), options);
  return TRUE;
}

static gboolean
set_setting (const char *command, Options *options, GError **error)
{
  guint64 value;

  if (!expect_words (options, 1, "latency MS | bandwidth BYTES_PER_S | loss PERCENT [seed=N]",
                     error)
      || !parse_number (options->words->pdata[0], strcmp (command, "loss") == 0 ? 100 : G_MAXINT32,
                        &value, error))
    return FALSE;
  if (options->has_count)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is a setting, it takes no count", command);
      return FALSE;
    }
  g_mutex_lock (&proxy.lock);
  if (strcmp (command, "latency") == 0)
    proxy.latency_us = (gint64) value * 1000;
  else if (strcmp (command, "bandwidth") == 0)
    proxy.bandwidth = (gint64) value;
  else
    {
      proxy.loss_percent = (int) value;
      if (options->seed >= 0)
        g_rand_set_seed (proxy.rand, (guint32) options->seed);
    }
  g_mutex_unlock (&proxy.lock);
  return TRUE;
}

static void
reply (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Closes everything: the listener, then every connection, then waits a while for their
 * threads, so that a sanitizer build finds nothing left behind. */
static void
proxy_shutdown (GSocketService *service)
{
  gint64 deadline = g_get_monotonic_time () + PROXY_QUIT_WAIT_US;

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));

  g_mutex_lock (&proxy.lock);
  proxy.quitting = TRUE;
  for (guint i = 0; i < proxy.conns->len; i++)
    conn_kill (proxy.conns->pdata[i], FALSE);
  while (proxy.threads > 0)
    if (!g_cond_wait_until (&proxy.cond, &proxy.lock, deadline))
      break;
  g_mutex_unlock (&proxy.lock);
}

/* Returns FALSE on quit. */
static gboolean
handle_command (const char *line, GSocketService *service)
{
  g_auto (Options) options = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *command = NULL;
  const char *rest;
  gboolean ok;

  while (*line == ' ' || *line == '\t')
    line++;
  if (*line == '\0')
    return TRUE;
  rest = line + strcspn (line, " \t\r");
  command = g_strndup (line, (gsize) (rest - line));
  if (!parse_options (rest, &options, &error))
    {
      g_autofree char *message = g_strdup_printf ("error: %s", error->message);

      reply (message);
      return TRUE;
    }

  if (strcmp (command, "quit") == 0)
    {
      proxy_shutdown (service);
      reply ("ok");
      return FALSE;
    }
  if (strcmp (command, "pass") == 0)
    {
      ok = expect_words (&options, 0, "pass", &error);
      if (ok)
        set_mode (NULL, &options);
    }
  else if (strcmp (command, "stats") == 0)
    {
      g_autofree char *stats = NULL;

      g_mutex_lock (&proxy.lock);
      stats = g_strdup_printf ("requests=%" G_GUINT64_FORMAT " connections=%" G_GUINT64_FORMAT,
                               proxy.requests, proxy.connections);
      g_mutex_unlock (&proxy.lock);
      reply (stats);
      ok = TRUE;
    }
  else if (strcmp (command, "latency") == 0 || strcmp (command, "bandwidth") == 0
           || strcmp (command, "loss") == 0)
    ok = set_setting (command, &options, &error);
  else
    ok = set_counted_fault (command, &options, &error);

  if (ok)
    reply ("ok");
  else
    {
      g_autofree char *message = g_strdup_printf ("error: %s", error->message);

      reply (message);
    }
  return TRUE;
}

typedef struct
{
  GMainLoop *loop;
  GSocketService *service;
  GDataInputStream *input;
} Control;

static void
read_line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Control *control = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (control->input, result, NULL,
                                                                     &error);

  if (line == NULL)
    {
      /* End of input is quit: the test that started the proxy has gone. */
      if (error != NULL)
        g_printerr ("intake-fault-proxy: reading commands: %s\n", error->message);
      proxy_shutdown (control->service);
      g_main_loop_quit (control->loop);
      return;
    }
  g_strchomp (line);
  if (!handle_command (line, control->service))
    {
      g_main_loop_quit (control->loop);
      return;
    }
  g_data_input_stream_read_line_async (control->input, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       control);
}

static gboolean
parse_address (const char *text, GSocketAddress **out, GError **error)
{
  const char *colon = text != NULL ? strrchr (text, ':') : NULL;
  g_autofree char *host = NULL;
  guint64 port;

  if (colon == NULL || !parse_number (colon + 1, 65535, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not HOST:PORT", text != NULL ? text : "(nothing)");
      return FALSE;
    }
  host = g_strndup (text, (gsize) (colon - text));
  *out = g_inet_socket_address_new_from_string (host, (guint) port);
  if (*out == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not a numeric address", host);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *listen_text = NULL;
  g_autofree char *upstream_text = NULL;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen_text, "Address to listen on", "HOST:PORT" },
    { "upstream", 0, 0, G_OPTION_ARG_STRING, &upstream_text, "The server", "HOST:PORT" },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- fault-injecting proxy");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) listen_address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GInputStream) stdin_stream = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *host = NULL;
  Control control;

  /* A client that vanishes must not kill the proxy, nor a test that stops reading it. */
  signal (SIGPIPE, SIG_IGN);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !parse_address (listen_text, &listen_address, &error)
      || !parse_address (upstream_text, &proxy.upstream, &error))
    {
      g_printerr ("intake-fault-proxy: %s\n", error->message);
      return 2;
    }

  g_mutex_init (&proxy.lock);
  g_cond_init (&proxy.cond);
  proxy.conns = g_ptr_array_new ();
  proxy.rand = g_rand_new_with_seed (0);

  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), listen_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &error))
    {
      g_printerr ("intake-fault-proxy: cannot listen: %s\n", error->message);
      return 1;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), NULL);
  g_socket_service_start (service);

  host = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (effective)));
  printf ("listening on %s:%u\n", host,
          (unsigned) g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  stdin_stream = g_unix_input_stream_new (0, FALSE);
  control.loop = loop;
  control.service = service;
  control.input = g_data_input_stream_new (stdin_stream);
  g_data_input_stream_read_line_async (control.input, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       &control);
  g_main_loop_run (loop);

  g_object_unref (control.input);
  g_mutex_lock (&proxy.lock);
  /* Threads that did not finish in time still hold the connections; leave them to the exit. */
  if (proxy.threads == 0)
    {
      g_clear_pointer (&proxy.mode, fault_unref);
      g_clear_pointer (&proxy.rand, g_rand_free);
      g_clear_pointer (&proxy.conns, g_ptr_array_unref);
      g_clear_object (&proxy.upstream);
    }
  g_mutex_unlock (&proxy.lock);
  return 0;
}
