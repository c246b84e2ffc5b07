#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Upgrades (issue #13): a tablet store and a server database made by the previous release (the
# committed fixture, tests/packaging/upgrade-fixture/README.md) open with this version's
# programs, with their data whole.
set -u

intakectl=$1 server=$2 fixture=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 0700 "$work/tablet"
cp "$fixture/tablet-intake.db" "$work/tablet/intake.db"
cp "$fixture/server.db" "$fixture/org-secret.key" "$work/"
chmod 0600 "$work/tablet/intake.db" "$work/org-secret.key"
cd "$work" || exit 1
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' out; }
ctl () { printf 'fixture-pin-1\n' | "$intakectl" --data-dir tablet --pin-stdin "$@" >out 2>&1; }

echo "1..5"
if ctl --json status && grep -q '"awaiting_review" : 1' out; then
  ok "the old store opens; its interview awaits review"
else
  not_ok "the old store opens; its interview awaits review"
fi
if ctl --user admin verify && grep -q '^OK: data file, audit log and 1 interview checked' out; then
  ok "verify finds the old store whole, its interview opened"
else
  not_ok "verify finds the old store whole, its interview opened"
fi
if ctl --user admin interview list && grep -q 'awaiting' out \
   && ctl form list && grep -q '^trafficking-screening *v2 ' out; then
  ok "the old interview and form are listed"
else
  not_ok "the old interview and form are listed"
fi
if "$server" --db sqlite:server.db device list >out 2>&1 && grep -q '^tablet-1 ' out; then
  ok "the old server database opens with its device"
else
  not_ok "the old server database opens with its device"
fi
if "$server" --db sqlite:server.db export --secret-key org-secret.key >out 2>&1 \
   && grep -q '^\[\]' out && "$server" --db sqlite:server.db backup --out b.db >out 2>&1; then
  ok "the old database exports with its key and backs up"
else
  not_ok "the old database exports with its key and backs up"
fi
exit $failed
