/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Messages of the sync engine that reach a person (the sync state, a refused enrollment), in
 * the tablet window's gettext domain; the core has its own copy of these lines, private to it. dgettext () itself, not GLib's
 * g_dgettext (): GLib decides once per process whether to translate at all, and the window
 * changes its language while it runs. intakectl keeps LC_MESSAGES at "C", so it prints them
 * in English.
 */
#include "intake-config.h"

#include <libintl.h>

#define _(String) dgettext (GETTEXT_PACKAGE, String)
#define N_(String) (String)
