#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk session (field-intake-kiosk) under sway's headless backend: the packaged sway.conf
# with a virtual output, squeekboard, and `intake --kiosk` driven through its accessibility tree
# by kiosk-drive.py (fullscreen without window buttons; the on-screen keyboard rises for a text
# question). sway refuses to run as root: as root this runs the session as the user nobody.
# Screenshots go to BUILD/tests/packaging/screenshots. Skipped (TAP "1..0 # SKIP") when a piece
# is missing.
set -u

intake=$1 intakectl=$2 src=$3 shots=$4
python=/usr/bin/python3
for tool in sway squeekboard grim busctl dbus-run-session $python; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
$python -c 'import pyatspi' 2>/dev/null || { echo "1..0 # SKIP no python3-pyatspi"; exit 0; }

work=$(mktemp -d)
mkdir -p "$shots"
as_user=
if [ "$(id -u)" -eq 0 ]; then
  as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
  chown nobody "$work"
  chmod 0777 "$shots"
  if ! $as_user test -x "$intake"; then
    echo "1..0 # SKIP the user nobody cannot run $intake (a build folder under a private home)"
    rm -rf "$work"
    exit 0
  fi
fi
chmod 0700 "$work"

# The packaged settings, with a virtual 1280x800 output, without the packaged `exec intake`
# (the driver starts the window itself, to drive it), and telling the driver the session bus.
{
  echo "output HEADLESS-1 mode 1280x800 position 0 0"
  grep -v '^exec intake' "$src/packaging/kiosk/sway.conf"
  tell_bus="echo \"\$DBUS_SESSION_BUS_ADDRESS\" > $work/bus"
  echo "exec sh -c 'echo \"\$WAYLAND_DISPLAY\" > $work/display; $tell_bus'"
} >"$work/sway.conf"
chmod 0644 "$work/sway.conf"

export XDG_RUNTIME_DIR="$work" HOME="$work" WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1
export WLR_RENDERER=pixman
unset WAYLAND_DISPLAY DISPLAY
$as_user dbus-run-session -- sway --config "$work/sway.conf" >"$work/sway.log" 2>&1 &
session=$!
for _ in $(seq 1 100); do
  [ -s "$work/bus" ] && break
  sleep 0.1
done
status=1
if [ -s "$work/bus" ]; then
  SWAYSOCK=$(ls "$work"/sway-ipc.*.sock) DBUS_SESSION_BUS_ADDRESS=$(cat "$work/bus") \
    WAYLAND_DISPLAY=$(cat "$work/display") \
    $as_user $python "$src/tests/packaging/kiosk-drive.py" "$intake" "$intakectl" \
    "$src/core/forms" "$shots"
  status=$?
  SWAYSOCK=$(ls "$work"/sway-ipc.*.sock) $as_user swaymsg exit >/dev/null 2>&1
else
  echo "1..0 # sway did not start"; sed 's/^/# /' "$work/sway.log" | tail -20
fi
wait "$session"
rm -rf "$work"
exit $status
