/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A slow flash card, for the stall benchmark (bench-stall.c): preloaded with LD_PRELOAD, this
 * adds a delay to every fsync () and fdatasync () of the process, as a cheap SD card's flushes
 * take. The delay starts at 0 and is set by the benchmark through intake_fsync_delay_set (),
 * so that building its 1,000 queued interviews does not wait on it.
 */
/* RTLD_NEXT needs _GNU_SOURCE, which the build defines. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

void intake_fsync_delay_set (int ms);

static atomic_int delay_ms;

void
intake_fsync_delay_set (int ms)
{
  atomic_store (&delay_ms, ms);
}

static void
wait_delay (void)
{
  int ms = atomic_load (&delay_ms);
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };

  if (ms > 0)
    while (nanosleep (&ts, &ts) != 0)
      ;
}

int
fsync (int fd)
{
  static int (*real) (int);

  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fsync");
  wait_delay ();
  return real (fd);
}

int
fdatasync (int fd)
{
  static int (*real) (int);

  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fdatasync");
  wait_delay ();
  return real (fd);
}
