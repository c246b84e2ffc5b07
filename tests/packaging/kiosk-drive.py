#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inside a running kiosk session (sway with the kiosk's settings, squeekboard, a session bus):
starts `intake --kiosk`, unlocks it as the worker through the PIN pad, starts an interview up
to its first text question (the pseudonym), gives the text field the focus, and takes two
screenshots with grim: the window alone, then with the on-screen keyboard risen. Prints TAP.

Usage: kiosk-drive.py INTAKE INTAKECTL FORMS_DIR OUTDIR"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ui"))
import uikit  # noqa: E402

intake, intakectl, forms, outdir = sys.argv[1:5]
n = 0
failed = False


def check(ok, what):
    global n, failed
    n += 1
    failed = failed or not ok
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what), flush=True)


def swaytree():
    r = subprocess.run(["swaymsg", "-t", "get_tree", "-r"], capture_output=True, text=True)
    return json.loads(r.stdout)


def nodes(t):
    yield t
    for k in t.get("nodes", []) + t.get("floating_nodes", []):
        yield from nodes(k)


def layer_surfaces():
    """The layer-shell surfaces (the keyboard panel) sway knows of, by namespace."""
    r = subprocess.run(["swaymsg", "-t", "get_outputs", "-r"], capture_output=True, text=True)
    return r.stdout


def osk_visible():
    r = subprocess.run(["busctl", "--user", "get-property", "sm.puri.OSK0", "/sm/puri/OSK0",
                        "sm.puri.OSK0", "Visible"], capture_output=True, text=True)
    return r.stdout.strip()


class Args:
    pass


args = Args()
args.intake = os.path.join(tempfile.mkdtemp(), "intake-kiosk")
with open(args.intake, "w") as f:
    f.write("#!/bin/sh\nexec %s --kiosk \"$@\"\n" % intake)
os.chmod(args.intake, 0o755)
args.intakectl = intakectl
args.form = os.path.join(forms, "trafficking-screening.json")
data = tempfile.mkdtemp()
print("1..7", flush=True)
uikit.make_tablet(args, data)
env = {"GDK_BACKEND": "wayland"}
if os.environ.get("KIOSK_WAYLAND_DEBUG"):
    env["WAYLAND_DEBUG"] = "1"
app = uikit.App(args, data, extra_env=env)
try:
    # The window is mapped, then sway takes its fullscreen back: wait until it has settled.
    deadline = time.monotonic() + 20
    while True:
        tree = swaytree()
        views = [x for x in nodes(tree) if x.get("pid") == app.proc.pid]
        out = next(x for x in nodes(tree) if x.get("type") == "output"
                   and x.get("name") != "__i3")
        filled = (len(views) == 1 and views[0]["rect"]["width"] == out["rect"]["width"]
                  and views[0]["rect"]["height"] == out["rect"]["height"])
        if filled or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(filled, "the window fills the output (%s)" % (views[0]["rect"] if views else "none"))
    check(osk_visible() == "b false", "no on-screen keyboard over the unlock screen")
    buttons = [b for b in app.find_all(role=("push button", "button"))
               if (b.name or "") in ("Close", "Minimize", "Minimise", "Maximize", "Maximise")]
    check(not buttons, "no window buttons (%s)" % [b.name for b in buttons])
    app.press(uikit.WORKER, role=("push button", "button", "toggle button"))
    uikit.enter_pin(app, uikit.WORKER_PIN)
    app.press("New interview", timeout=60)
    app.press("English")
    uikit.answer_opening(app)
    entry = app.wait(role=("text", "entry"), timeout=20, what="the pseudonym's text field")
    subprocess.run(["grim", os.path.join(outdir, "kiosk-text-question.png")], check=True)
    if os.environ.get("KIOSK_PAUSE"):
        time.sleep(int(os.environ["KIOSK_PAUSE"]))
    # squeekboard rises with an animation.
    time.sleep(3)
    shot = os.path.join(outdir, "kiosk-on-screen-keyboard.png")
    subprocess.run(["grim", shot], check=True)
    check(os.path.exists(shot), "screenshot " + shot)
    # The keyboard takes the bottom of the screen: the window gives it room, and stays the only
    # window there is.
    tree = swaytree()
    views = [x for x in nodes(tree) if x.get("pid")]
    check(len(views) == 1 and views[0]["pid"] == app.proc.pid
          and views[0]["rect"]["height"] < out["rect"]["height"],
          "the window is the only one and gives the keyboard room (%s)"
          % (views[0]["rect"] if views else "none"))
    check(osk_visible() == "b true", "squeekboard says it is visible")
    # The window got shorter: the field being typed into is scrolled back into view, its first
    # lines above the "Prefer not to say" bar (it stayed hidden below the bar before). A
    # multi-line field is taller than what is left of the question's area: its top shows.
    import pyatspi
    e = entry.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    bar = app.wait(name="Prefer not to say", what="the decline button")
    d = bar.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    check(e.y >= 0 and e.y + min(e.height, 40) <= d.y,
          "the text field is in view with the keyboard up (field y %d-%d, the decline bar at %d)"
          % (e.y, e.y + e.height, d.y))
finally:
    app.stop()
sys.exit(1 if failed else 0)
