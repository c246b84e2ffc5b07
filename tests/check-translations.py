#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every message a person can read has its Indonesian translation (issue #11: no English
fragment in an Indonesian screen).

1. Each source file of core/, sync/ and ui/ that marks a message for translation (`_("` in C,
   translatable="yes" in a .ui template) is listed in po/POTFILES: a file left out is never
   extracted, and its messages stay English on an Indonesian screen.
2. The messages extracted by gettext's own xgettext from those files, merged into po/id.po with
   msgmerge, leave none untranslated and none fuzzy: each is named with its file and line.
3. A message whose format gettext cannot read (a G_GINT64_FORMAT macro inside the literal cuts
   it short) is an error too: xgettext's warnings are shown and counted.

Exit 77 (skipped) when gettext's tools are missing.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYWORDS = ["-k_", "-kN_", "-kngettext:1,2", "-kC_:1c,2", "-kNC_:1c,2"]


def listed_files():
    with open(os.path.join(TOP, "po", "POTFILES"), encoding="utf-8") as f:
        return sorted({line.strip() for line in f if line.strip() and not line.startswith("#")})


def marking_files():
    found = []
    for folder in ("core", "sync", "ui"):
        for root, _dirs, files in os.walk(os.path.join(TOP, folder)):
            for name in files:
                if not name.endswith((".c", ".ui")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                if (name.endswith(".c") and re.search(r'\b(N?_|ngettext) ?\("', text)) or \
                        (name.endswith(".ui") and 'translatable="yes"' in text):
                    found.append(os.path.relpath(path, TOP))
    return sorted(found)


def main():
    for tool in ("xgettext", "msgmerge", "msgattrib"):
        if shutil.which(tool) is None:
            print("1..0 # SKIP %s is not installed" % tool)
            return SKIP
    failures = []
    listed = listed_files()
    missing = [f for f in listed if not os.path.exists(os.path.join(TOP, f))]
    unlisted = [f for f in marking_files() if f not in listed]
    print("1..3")
    ok = not missing and not unlisted
    print("%s 1 - po/POTFILES lists every file that marks messages%s" % (
        "ok" if ok else "not ok",
        "" if ok else ": not listed %s; listed but absent %s" % (unlisted, missing)))
    if not ok:
        failures.append(1)

    work = tempfile.mkdtemp(prefix="intake-po-")
    try:
        pot = os.path.join(work, "messages.pot")
        sources = [f for f in listed if os.path.exists(os.path.join(TOP, f))]
        c_files = [f for f in sources if f.endswith(".c")]
        ui_files = [f for f in sources if f.endswith(".ui")]
        warnings = []
        for files, extra in ((c_files, ["--language=C"] + KEYWORDS), (ui_files, [])):
            if not files:
                continue
            run = subprocess.run(["xgettext", "--from-code=UTF-8", "--join-existing"
                                  if os.path.exists(pot) else "--force-po", "-o", pot]
                                 + extra + files, cwd=TOP, capture_output=True, text=True)
            if run.returncode != 0:
                print("Bail out! xgettext failed: %s" % run.stderr.strip())
                return 1
            warnings += [w for w in run.stderr.splitlines() if "warning" in w]
        # A literal cut short by a macro shows as a message ending in "%": gettext cannot see the
        # rest, so the translation would never be looked up.
        with open(pot, encoding="utf-8") as f:
            pot_text = f.read()
        cut = re.findall(r'^#: (.*)\nmsgid "(?:[^"\n]|\\")*%"$', pot_text, re.M)
        ok = not cut
        print("%s 2 - every marked message is whole (no format macro inside a literal)%s" % (
            "ok" if ok else "not ok", "" if ok else ": cut at %s" % cut))
        for w in warnings:
            print("# xgettext: %s" % w)
        if not ok:
            failures.append(2)

        merged = os.path.join(work, "id.po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(TOP, "po", "id.po"), pot], check=True)
        lacking = []
        for flag in ("--untranslated", "--only-fuzzy"):
            out = subprocess.run(["msgattrib", flag, "--no-obsolete", merged],
                                 capture_output=True, text=True, check=True).stdout
            for block in out.split("\n\n"):
                m = re.search(r'^msgid "(.*)"', block, re.M)
                if not m or 'msgid ""\nmsgstr ""\n"Project-Id' in block:
                    continue
                where = re.findall(r"^#: (.*)$", block, re.M)
                text = "".join(re.findall(r'^(?:msgid )?"(.*)"$',
                                          block.split("msgstr")[0], re.M))
                lacking.append("%s (%s)" % (text[:90], " ".join(where)[:80]))
        ok = not lacking
        print("%s 3 - po/id.po translates every message of the screens, the core and sync%s" % (
            "ok" if ok else "not ok", "" if ok else ": %d lack one" % len(lacking)))
        for item in lacking:
            print("#   %s" % item)
        if not ok:
            failures.append(3)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
