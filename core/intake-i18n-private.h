/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Messages of the core that reach a person (a wrong PIN, a store error, the
 * sync state), in the tablet window's gettext domain. dgettext () itself, not GLib's
 * g_dgettext (): GLib decides once per process whether to translate at all, and the window
 * changes its language while it runs. intakectl keeps LC_MESSAGES at "C", so it prints them
 * in English.
 */
#include "intake-config.h"

#include <libintl.h>

#define _(String) dgettext (GETTEXT_PACKAGE, String)
#define N_(String) (String)
