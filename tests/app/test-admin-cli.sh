#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The command line as an admin or a script meets it (issue #13): each case runs the real
# intakectl on a real store in a temporary folder and checks what it printed and what it left.
set -u

: "${INTAKECTL:?INTAKECTL names the intakectl to test}"
: "${FORMS_DIR:?FORMS_DIR names core/forms}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
pin=secret-pin-1
n=0
failed=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f out ] && sed 's/^/# /' out; }
check () { if "$@" >/dev/null 2>&1; then return 0; else return 1; fi; }
ctl () { printf '%s\n' "$pin" | "$INTAKECTL" --data-dir store --pin-stdin "$@" >out 2>&1; }

echo "1..12"

# A fresh store has the bundled screening form, so that the first interview needs no file.
if ctl init --admin ann --kdf-cost test && ctl form list \
   && grep -q '^trafficking-screening *v2 ' out; then
  ok "init installs the bundled form"
else
  not_ok "init installs the bundled form"
fi

# The same version again: a plain statement that nothing changed, and no second audit entry.
ctl --user ann audit; before=$(grep -c form-import out)
if ctl --user ann form import "$FORMS_DIR/trafficking-screening.json" \
   && grep -q 'already installed; nothing changed' out \
   && ctl --user ann audit && [ "$(grep -c form-import out)" = "$before" ]; then
  ok "re-importing a form version changes nothing and says so"
else
  not_ok "re-importing a form version changes nothing and says so"
fi

# A group's --help lists that group's commands, on stdout, with status 0.
if "$INTAKECTL" user --help >out 2>&1 && grep -q 'user passwd' out && ! grep -q 'form import' out \
   && "$INTAKECTL" form --help >out 2>&1 && grep -q 'form import' out && ! grep -q 'user add' out
then
  ok "a group's --help shows the group's commands"
else
  not_ok "a group's --help shows the group's commands"
fi

# A "completed" interview that is not complete is refused and leaves nothing behind.
printf '{"form_id": "trafficking-screening", "form_version": 2, "state": "completed",
  "answers": {"private_setting": "yes"}}' >incomplete.json
ctl --user ann interview import incomplete.json; status=$?
if [ $status -eq 1 ] && grep -q 'not imported (nothing was saved)' out \
   && grep -q 'consent: This question needs an answer' out \
   && ctl --user ann interview list && grep -q '^No interviews' out; then
  ok "an incomplete 'completed' import creates nothing"
else
  not_ok "an incomplete 'completed' import creates nothing"
fi

# A draft takes no answer of the wrong type, neither from a file nor from interview set.
printf '{"form_id": "trafficking-screening", "answers": {"age": "old"}}' >wrong.json
ctl --user ann interview import wrong.json; s1=$?
grep -q 'age: Enter a whole number' out; g1=$?
ctl --user ann interview list; listed=$(grep -c -v '^No interviews' out)
printf '{"form_id": "trafficking-screening", "answers": {"private_setting": "yes"}}' >draft.json
ctl --user ann interview import draft.json
id=$(awk '/Imported interview/ {print $NF}' out)
ctl --user ann interview set "$id" age old; s2=$?
grep -q 'Not saved: age: Enter a whole number' out; g2=$?
ctl --user ann interview show "$id"; grep -q '"old"' out; shown=$?
ctl --user ann interview set "$id" age 33; s3=$?
if [ $s1 -eq 1 ] && [ $g1 -eq 0 ] && [ "$listed" -eq 0 ] && [ $s2 -eq 1 ] && [ $g2 -eq 0 ] \
   && [ $shown -ne 0 ] && [ $s3 -eq 0 ]; then
  ok "a draft refuses an answer of the wrong type at save"
else
  not_ok "a draft refuses an answer of the wrong type at save ($s1 $g1 $listed $s2 $g2 $shown $s3)"
fi

# verify without a user names what it did not open, with the right count (the draft above and
# a completed interview imported now).
printf '{"form_id": "trafficking-screening", "form_version": 2, "state": "completed",
  "answers": {"private_setting": "yes", "location_type": "port_vessel",
  "interview_language": "en", "interpreter": "none", "consent": "none"}}' >complete.json
ctl --user ann interview import complete.json || cat out
if ctl verify && grep -q '^2 interviews not checked: unlock as a supervisor' out \
   && ctl --json verify && grep -q '"records_not_checked" : 2' out \
   && ctl --user ann verify && grep -q 'and 2 interviews checked' out \
   && ! grep -q 'not checked' out; then
  ok "verify without a user says what it could not check"
else
  not_ok "verify without a user says what it could not check"
fi

# status and status --json give the same counts under the same names.
ctl status; text=$(grep '^Interviews:' out)
ctl --json status
agree=1
for state in draft awaiting_review queued sent purged; do
  count=$(sed -n "/\"interviews\"/,/}/s/.*\"$state\" : \([0-9]*\).*/\1/p" out)
  words=$(echo "$state" | tr _ ' ')
  echo "$text" | grep -q "[ :]$count $words" || agree=0
done
if [ $agree -eq 1 ] && echo "$text" | grep -q purged; then
  ok "status and status --json agree"
else
  not_ok "status and status --json agree ($text)"
fi

# Refusals say what is wrong in words.
: >empty.json
ctl --user ann interview import empty.json
if grep -q 'empty.json: the document is empty' out; then ok "an empty file is named empty"
else not_ok "an empty file is named empty"; fi
printf '\177ELF\002\001\001\000\000\000' >binary.json
ctl --user ann interview import binary.json
if grep -q 'binary.json is a binary file, not JSON text' out; then
  ok "a binary file is named binary"
else
  not_ok "a binary file is named binary"
fi
ctl --user ann form import binary.json
if grep -q 'binary.json is a binary file, not JSON text' out; then
  ok "a binary form file is named binary"
else
  not_ok "a binary form file is named binary"
fi
printf '{"form_id": "trafficking-screening",\n "answers": {\n  "age": 3' >truncated.json
ctl --user ann interview import truncated.json
if grep -Eq 'truncated.json: not JSON: .*(ends|not closed).* at line 3' out; then
  ok "truncated JSON is named with its line"
else
  not_ok "truncated JSON is named with its line"
fi

# Nothing refused above left an interview behind: the draft and the completed one only.
ctl --user ann interview list
if [ "$(grep -c -v '^No interviews' out)" -eq 2 ]; then
  ok "refusals created nothing"
else
  not_ok "refusals created nothing"
fi
exit $failed
