/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A probe loaded with LD_PRELOAD into a program under test: it counts the heap blocks that are
 * handed back to the C library while they still hold a marker (given in $INTAKE_FREE_PROBE_MARKER)
 * and writes the count to the file named by $INTAKE_FREE_PROBE_OUT when the program exits.
 *
 * It interposes free and realloc. In a program that does not define them, every call of every
 * library comes here. A program that defines its own free (ours do, to wipe each block) hands
 * each block on to the next free in the dynamic linker's search, which is this one. Either way
 * the probe sees each block just before glibc takes it back, after any wiping the program does.
 * A realloc that moves its block frees the old one inside glibc, so it counts when the block
 * moved and held the marker before the call. */
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void (*next_free) (void *);
static void *(*next_realloc) (void *, size_t);

static char marker[256];
static size_t marker_len;
static unsigned long freed_with_marker;
static unsigned long freed_total;

/* Resolved on first use: libraries' constructors may free before this library's would run. */
static void
probe_resolve (void)
{
  static int resolving;
  const char *m;

  if (next_free != NULL || resolving)
    return;
  resolving = 1;
  next_realloc = (void *(*) (void *, size_t)) dlsym (RTLD_NEXT, "realloc");
  m = getenv ("INTAKE_FREE_PROBE_MARKER");
  if (m != NULL && strlen (m) > 0 && strlen (m) < sizeof marker)
    {
      marker_len = strlen (m);
      memcpy (marker, m, marker_len);
    }
  next_free = (void (*) (void *)) dlsym (RTLD_NEXT, "free");
  resolving = 0;
}

static int
holds_marker (void *ptr)
{
  if (ptr == NULL || marker_len == 0)
    return 0;
  return memmem (ptr, malloc_usable_size (ptr), marker, marker_len) != NULL;
}

static void
probe_free (void (*const *next) (void *), void *ptr)
{
  probe_resolve ();
  if (ptr == NULL)
    return;
  freed_total++;
  if (holds_marker (ptr))
    freed_with_marker++;
  /* A call from inside dlsym, before the next function is known, leaks its block. */
  if (*next != NULL)
    (*next) (ptr);
}

static void *
probe_realloc (void *(*const *next) (void *, size_t), void *ptr, size_t size)
{
  int had_marker;
  void *moved;

  probe_resolve ();
  if (*next == NULL)
    return NULL;
  had_marker = holds_marker (ptr);
  moved = (*next) (ptr, size);
  if (ptr != NULL && (moved != ptr || size == 0))
    {
      freed_total++;
      if (had_marker)
        freed_with_marker++;
    }
  return moved;
}

void
free (void *ptr)
{
  probe_free (&next_free, ptr);
}

void *
realloc (void *ptr, size_t size)
{
  return probe_realloc (&next_realloc, ptr, size);
}

/* Runs after the program's own exit handlers, since the preloaded library is finalised last. */
__attribute__ ((destructor)) static void
probe_report (void)
{
  const char *path = getenv ("INTAKE_FREE_PROBE_OUT");
  char line[128];
  int fd;
  int len;

  if (path == NULL)
    return;
  len = snprintf (line, sizeof line, "%lu %lu\n", freed_with_marker, freed_total);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write (fd, line, (size_t) len) != len)
    {
      /* Nothing to do: the test reads a missing or short file as a failure. */
    }
  close (fd);
}
