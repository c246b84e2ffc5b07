#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the three Debian packages from this tree (packaging/build-debs, dpkg-buildpackage) and
# checks them as a Debian admin would (issue #13): lintian with no error or warning, the
# installed desktop entry and AppStream metainfo valid, the service's exposure at most 2.0, a
# man page for every program, and the packages' relations.
set -u

src=${1:?the source folder}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  [ -f "$work/out" ] && sed 's/^/# /' "$work/out"
}

echo "1..9"
start=$(date +%s)
if "$src/packaging/build-debs" "$work/debs" >"$work/out" 2>&1 \
   && [ -f "$work/debs/field-intake_0.1.0_amd64.deb" ] \
   && [ -f "$work/debs/field-intake-server_0.1.0_amd64.deb" ] \
   && [ -f "$work/debs/field-intake-kiosk_0.1.0_all.deb" ]; then
  ok "dpkg-buildpackage -us -uc -b builds the three packages"
else
  not_ok "dpkg-buildpackage -us -uc -b builds the three packages"
  exit 1
fi
echo "# built in $(( $(date +%s) - start )) s"

if lintian --fail-on error,warning "$work/debs/field-intake_0.1.0_amd64.changes" >"$work/out" 2>&1 \
   && ! grep -q '^[EW]:' "$work/out"; then
  ok "lintian: no errors or warnings"
else
  not_ok "lintian: no errors or warnings"
fi

root="$work/root"
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done

desktop=$root/usr/share/applications/org.fieldintake.Intake.desktop
metainfo=$root/usr/share/metainfo/org.fieldintake.Intake.metainfo.xml
unit=$root/lib/systemd/system/intake-server.service
if desktop-file-validate "$desktop" >"$work/out" 2>&1; then
  ok "desktop-file-validate"
else
  not_ok "desktop-file-validate"
fi

if appstreamcli validate --no-net "$metainfo" >"$work/out" 2>&1 \
   && grep -q '<screenshot' "$metainfo"; then
  ok "appstreamcli validate, with screenshots"
else
  not_ok "appstreamcli validate, with screenshots"
fi

if sh "$src/tests/packaging/check-unit-security.sh" "$unit" >"$work/out" 2>&1; then
  ok "intake-server.service exposure at most 2.0 ($(cat "$work/out"))"
else
  not_ok "intake-server.service exposure at most 2.0"
fi

missing=
for bin in "$root"/usr/bin/*; do
  name=$(basename "$bin")
  ls "$root"/usr/share/man/man*/"$name".*.gz >/dev/null 2>&1 || missing="$missing $name"
done
if [ -z "$missing" ] && [ -x "$root/usr/bin/intake-server" ]; then
  ok "every program has a man page"
else
  : >"$work/out"; not_ok "every program has a man page (missing:$missing)"
fi

dpkg-deb -f "$work/debs/field-intake-server_0.1.0_amd64.deb" Suggests Depends >"$work/out"
if grep -q '^Suggests: postgresql' "$work/out" && ! grep -q 'Depends:.*postgresql' "$work/out" \
   && dpkg-deb -f "$work/debs/field-intake-kiosk_0.1.0_all.deb" Depends | grep -q 'field-intake (>='
then ok "the server suggests postgresql; the kiosk depends on the tablet package"
else not_ok "the server suggests postgresql; the kiosk depends on the tablet package"; fi

# The bundled form is where intake(1) says, and the same file intakectl init installs.
if cmp -s "$root/usr/share/field-intake/forms/trafficking-screening.json" \
     "$src/core/forms/trafficking-screening.json" \
   && grep -q '^ExecStart=/usr/sbin/greetd --config /etc/field-intake/kiosk/config.toml' \
        "$root/lib/systemd/system/greetd.service.d/greetd-kiosk.conf"; then
  : >"$work/out"; ok "forms and the kiosk's greetd settings are installed"
else
  : >"$work/out"; not_ok "forms and the kiosk's greetd settings are installed"
fi

# GeoClue on the kiosk: the kiosk's settings bound over geoclue's own for its service only,
# naming the window as the one agent and leaving the network-based sources off.
geoclue_conf="$root/etc/field-intake/kiosk/geoclue.conf"
if grep -q '^BindReadOnlyPaths=/etc/field-intake/kiosk/geoclue.conf:/etc/geoclue/geoclue.conf$' \
     "$root/lib/systemd/system/geoclue.service.d/geoclue-kiosk.conf" \
   && grep -q '^whitelist=org.fieldintake.Intake$' "$geoclue_conf" \
   && [ "$(sed -n '/^\[wifi\]/,/^\[/p' "$geoclue_conf" | grep -c '^enable=false$')" = 1 ] \
   && dpkg-deb -f "$work/debs/field-intake-kiosk_0.1.0_all.deb" Depends | grep -q 'geoclue-2.0'; then
  ok "the kiosk's GeoClue settings are installed, with the window as its agent"
else
  not_ok "the kiosk's GeoClue settings are installed, with the window as its agent"
fi
exit $failed
