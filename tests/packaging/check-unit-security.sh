#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# intake-server.service's exposure as `systemd-analyze security` scores it must be at most 2.0
# ("OK"). --offline reads the unit file alone, with no running systemd (systemd 250 and later).
set -eu
unit=$1
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
  printf '%s\n' "$out"
  echo "no exposure score from systemd-analyze"
  exit 1
fi
echo "exposure $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
