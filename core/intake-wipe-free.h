/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every heap block is wiped before it goes back to the allocator (see intake-wipe-free.c).
 * intake_crypto_init () calls the init, which also makes GSlice wipe the chunks it keeps. */
void intake_wipe_free_init (void);

/* TRUE when this program's free and realloc wipe, and every library's calls reach them; FALSE
 * in a sanitizer build, where the sanitizer owns the allocator. */
gboolean intake_wipe_free_is_active (void);

G_END_DECLS
