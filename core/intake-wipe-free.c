/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Freed heap holds no content: this file defines free and realloc for the whole program, and
 * wipes each block before glibc takes it back.
 *
 * Decrypted answers pass through many hands between the AEAD and the screen: JSON-GLib's parser
 * and nodes, GString, GLib's printf, SQLite, stdio. Each frees its copies as it pleases, and
 * glibc's free leaves their bytes in the freed chunk until the chunk is reused. Wiping each of
 * those copies at its source cannot be done for code we do not own, so the wipe sits in the one
 * place every copy passes: the program's free.
 *
 * A program links the core library statically, so these definitions are the executable's own.
 * An executable's definition comes first in the dynamic linker's search, and the linker exports
 * it because the shared libraries on the link line (GLib, SQLite, libc) call free: every free in
 * the process, the libraries' and glibc's internal ones included, lands here. glibc keeps its
 * own malloc; free hands the wiped block on to the next free in the search (glibc's). realloc is
 * redone on top of malloc and free, because glibc's realloc frees a moved block internally,
 * without calling free; reallocarray is redone too, so that it cannot reach glibc's realloc by
 * an internal path.
 *
 * GSlice (GLib 2.74) keeps freed chunks in its own magazines without calling free; it wipes them
 * when g_mem_gc_friendly is set, which the init does. From GLib 2.76 on GSlice is g_malloc.
 *
 * Under AddressSanitizer (and the other sanitizers that replace malloc) none of this is
 * compiled: the sanitizer owns the allocator, and its quarantine is not wiped. */
#include "intake-config.h"

#include "intake-wipe-free.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INTAKE_WIPE_FREE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)                          \
    || __has_feature(memory_sanitizer)
#define INTAKE_WIPE_FREE 0
#endif
#endif
#ifndef INTAKE_WIPE_FREE
#if defined(__GLIBC__)
#define INTAKE_WIPE_FREE 1
#else
#define INTAKE_WIPE_FREE 0
#endif
#endif

#if INTAKE_WIPE_FREE

typedef void (*FreeFunc) (void *ptr);

/* glibc's free, under the name glibc exports beside free and declares nowhere. */
void __libc_free (void *ptr);

/* The free that follows this one in the dynamic linker's search: glibc's, or that of a library
 * put in front of it with LD_PRELOAD (a memory profiler, glibc's malloc debugging library),
 * whose blocks only its own free may take back.
 *
 * The libraries' calls to free are bound to glibc's version of the symbol, which a default
 * definition also satisfies. A plain dlsym finds only default definitions; dlvsym finds only
 * the exact version, which is all the debugging library defines (hidden from dlsym). Whichever
 * of the two finds something other than glibc's own free has found the library in front. The
 * version's name is known here for the architectures Debian builds tablets for; elsewhere the
 * plain lookup is used alone. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define FREE_VERSION "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define FREE_VERSION "GLIBC_2.17"
#elif defined(__arm__)
#define FREE_VERSION "GLIBC_2.4"
#elif defined(__i386__)
#define FREE_VERSION "GLIBC_2.0"
#endif

static FreeFunc next_free;

static FreeFunc
lookup_next_free (void)
{
  FreeFunc plain = (FreeFunc) dlsym (RTLD_NEXT, "free");
#ifdef FREE_VERSION
  FreeFunc versioned = (FreeFunc) dlvsym (RTLD_NEXT, "free", FREE_VERSION);

  if (versioned != NULL && (plain == NULL || plain == __libc_free))
    return versioned;
#endif
  return plain;
}

static FreeFunc
get_next_free (void)
{
  static __thread gboolean resolving;
  FreeFunc found = __atomic_load_n (&next_free, __ATOMIC_ACQUIRE);
  int saved_errno;

  if (G_LIKELY (found != NULL) || resolving)
    return found;
  /* free leaves errno alone (glibc's does, and POSIX now asks it); the lookup might not. */
  saved_errno = errno;
  resolving = TRUE;
  found = lookup_next_free ();
  resolving = FALSE;
  errno = saved_errno;
  if (found != NULL)
    __atomic_store_n (&next_free, found, __ATOMIC_RELEASE);
  return found;
}

void
free (void *ptr)
{
  FreeFunc next;

  if (ptr == NULL)
    return;
  /* The usable size, not the requested one: everything the caller could have written. */
  explicit_bzero (ptr, malloc_usable_size (ptr));
  next = get_next_free ();
  /* Only a free from inside dlsym, before the next free is known, finds none: that block is
   * left allocated rather than handed to an allocator that may not own it. */
  if (G_LIKELY (next != NULL))
    next (ptr);
}

void *
realloc (void *ptr, size_t size)
{
  size_t usable;
  void *moved;

  if (ptr == NULL)
    return malloc (size);
  if (size == 0)
    {
      /* What glibc's realloc does with a zero size. */
      free (ptr);
      return NULL;
    }
  usable = malloc_usable_size (ptr);
  /* A block that shrinks to half its size or more stays where it is, wasting at most half (glibc
   * would split the tail off and free it unwiped); the bytes past the new size stay in it, and
   * are wiped with it when it is freed. */
  if (size <= usable && size >= usable / 2)
    return ptr;
  moved = malloc (size);
  if (moved == NULL)
    return NULL;
  memcpy (moved, ptr, MIN (size, usable));
  free (ptr);
  return moved;
}

void *
reallocarray (void *ptr, size_t n, size_t size)
{
  size_t bytes;

  if (__builtin_mul_overflow (n, size, &bytes))
    {
      errno = ENOMEM;
      return NULL;
    }
  return realloc (ptr, bytes);
}

void
intake_wipe_free_init (void)
{
  g_mem_gc_friendly = TRUE;
}

gboolean
intake_wipe_free_is_active (void)
{
  /* The global lookup finds this file's free only if the executable exports it, which is what
   * sends the shared libraries' calls here. */
  return dlsym (RTLD_DEFAULT, "free") == (void *) free
         && dlsym (RTLD_DEFAULT, "realloc") == (void *) realloc;
}

#else /* !INTAKE_WIPE_FREE */

void
intake_wipe_free_init (void)
{
  g_mem_gc_friendly = TRUE;
}

gboolean
intake_wipe_free_is_active (void)
{
  return FALSE;
}

#endif
