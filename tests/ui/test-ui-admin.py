#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The administration screens of the real `intake` window under Xvfb, driven through AT-SPI.

The admin unlocks and opens Administration; adds a worker with a PIN (who can then unlock);
gives another user a new PIN (the old one is refused, the new one works, checked with
intakectl); removes a user; changes two rules (checked with `intakectl policy show`); sees the
installed form and the activity log; installs a new version of a form from a file chosen in
the file chooser (a malformed file and an invalid form are refused with the reason on the screen
and install nothing; the same file twice changes nothing); connects the tablet to a real intake-server on 127.0.0.1;
and wipes the tablet after the deliberate confirmation (intakectl then finds no data). Each
admin screen is saved as admin-*.png, and the menu once more in a 360 px wide window.
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uikit import *  # noqa: E402,F401,F403

ADMIN = "admin"
NEW_WORKER, NEW_WORKER_PIN = "budi", "864200"
NEW_ANA_PIN = "5551234"


def ctl_status(args, data_dir, *words, stdin=""):
    """intakectl's exit status and output, failures included."""
    r = subprocess.run([args.intakectl, "--data-dir", data_dir] + list(words), input=stdin,
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def users(args, data_dir):
    return {u["name"]: u for u in json.loads(ctl(args, data_dir, "--json", "user", "list"))}


def policies(args, data_dir):
    return json.loads(ctl(args, data_dir, "--json", "policy", "show"))


def set_text(app, role, name, text):
    entry = app.wait(role=role, name=name, what="the entry %r" % name)
    entry.queryEditableText().setTextContents(text)


def unlock(app, name, pin):
    app.press(name, timeout=30)
    enter_pin(app, pin)
    app.wait(name="New interview", timeout=60)


def to_admin(app):
    app.press("Administration", timeout=30)
    app.wait(("push button", "button"), name="Tablet rules", what="the administration menu")


def narrow_window(app):
    """Resizes the window to 360 px wide (the narrowest it allows), for one screenshot."""
    if not shutil.which("xdotool"):
        return []
    ids = subprocess.run(["xdotool", "search", "--pid", str(app.proc.pid)],
                         capture_output=True, text=True).stdout.split()
    for wid in ids:
        subprocess.run(["xdotool", "windowsize", wid, "360", "760"], capture_output=True)
    return ids


def choose_file(app, path, button="Use a provisioning file",
                title="Choose the provisioning file"):
    """Opens @button ("Use a provisioning file" by default) and picks @path in GTK's file chooser (GtkFileChooserNative
    falls back to it when no portal runs): Ctrl+L, the path, Enter, typed with xdotool over the
    dialog. False when the dialog cannot be driven on this display."""
    if not shutil.which("xdotool"):
        log("no xdotool: the file chooser is not driven")
        return False
    app.press(button)
    deadline = time.monotonic() + 20
    wids = []
    while not wids and time.monotonic() < deadline:
        wids = subprocess.run(["xdotool", "search", "--name", title],
                              capture_output=True, text=True).stdout.split()
        time.sleep(0.2)
    if not wids:
        log("the file chooser never appeared")
        return False
    wid = wids[-1]
    time.sleep(1)
    geo = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wid], capture_output=True,
                         text=True).stdout
    g = dict(line.split("=") for line in geo.split() if "=" in line)
    subprocess.run(["xdotool", "mousemove", str(int(g["X"]) + int(g["WIDTH"]) // 2),
                    str(int(g["Y"]) + 20)])
    subprocess.run(["xdotool", "windowfocus", wid], capture_output=True)
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "ctrl+l"])
    time.sleep(0.5)
    subprocess.run(["xdotool", "type", "--delay", "20", path])
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "Return"])
    return True


def forms_installed(args, data_dir):
    return sorted((f["id"], f["version"])
                  for f in json.loads(ctl(args, data_dir, "--json", "form", "list")))


def choose_form(app, path):
    return choose_file(app, path, "Install a form from a file", "Choose the form file")


def install_forms(args, check, tmp, app, data_dir):
    """On the Forms screen: a malformed file and an invalid form are refused with the reason,
    a new version installs, and the same file again changes nothing."""
    with open(args.form) as f:
        form = json.load(f)
    before = forms_installed(args, data_dir)
    new_version = max(v for i, v in before if i == form["id"]) + 1
    broken = os.path.join(tmp, "broken-form.json")
    with open(broken, "w") as f:
        f.write(json.dumps(form)[:200])
    invalid = dict(form, version=new_version,
                   questions=form["questions"] + [{"type": "sparkles", "name": "bad_question",
                                                   "label": {"en": "?", "id": "?"}}])
    invalid_path = os.path.join(tmp, "invalid-form.json")
    with open(invalid_path, "w") as f:
        json.dump(invalid, f)
    good = os.path.join(tmp, "new-version-form.json")
    with open(good, "w") as f:
        json.dump(dict(form, version=new_version), f)

    if not choose_form(app, broken):
        return
    problem = app.wait(role=("label",), contains="Nothing was installed", timeout=60,
                       what="the refusal of a malformed file")
    check(forms_installed(args, data_dir) == before,
          "a malformed form file is refused on the screen (%r) and installs nothing"
          % problem.name)

    choose_form(app, invalid_path)
    problem = app.wait(role=("label",), contains="bad_question", timeout=60,
                       what="the refusal naming the bad question")
    screenshot(args, "admin-forms-refused")
    check("Nothing was installed" in problem.name and "sparkles" in problem.name
          and forms_installed(args, data_dir) == before,
          "an invalid form is refused with the question named (%r) and installs nothing"
          % problem.name)

    # A file far too large to be a form (a video chosen by mistake) is refused unread.
    huge = os.path.join(tmp, "holiday-video.json")
    with open(huge, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    choose_form(app, huge)
    problem = app.wait(role=("label",), contains="too large", timeout=60,
                       what="the refusal of a huge file")
    check(forms_installed(args, data_dir) == before,
          "a file too large to be a form is refused (%r)" % problem.name)

    choose_form(app, good)
    app.wait(role=("label",), contains="Version %d" % new_version, timeout=60,
             what="the new version in the list")
    screenshot(args, "admin-forms-install")
    after = forms_installed(args, data_dir)
    check(after == sorted(before + [(form["id"], new_version)])
          and not app.find_all(role=("label",), contains="Nothing was installed"),
          "a new version installed from a file is in the store and listed (%s)" % after)

    # The same file again: the store keeps it as it was, and the screen says so.
    choose_form(app, good)
    toast = app.wait(contains="already installed", timeout=60,
                     what="the toast for the same version again")
    check(forms_installed(args, data_dir) == after,
          "the same form version again changes nothing and says so (%r)" % toast.name)

    # A changed form under that version is refused; the store's words say what to do.
    changed = dict(form, version=new_version, title={"en": "Changed", "id": "Diubah"})
    changed_path = os.path.join(tmp, "changed-form.json")
    with open(changed_path, "w") as f:
        json.dump(changed, f)
    choose_form(app, changed_path)
    problem = app.wait(role=("label",), contains="different content", timeout=60,
                       what="the refusal of changed content under the same version")
    check(forms_installed(args, data_dir) == after,
          "a changed form under an installed version is refused (%r)" % problem.name)


def scenario(args, check, tmp, state):
    data_dir = os.path.join(tmp, "tablet")
    make_tablet(args, data_dir)
    server = Server(args, tmp)
    try:
        run_admin(args, check, tmp, state, data_dir, server)
    finally:
        server.stop()


def run_admin(args, check, tmp, state, data_dir, server):
    app = App(args, data_dir)
    state["app"] = app
    buttons = ("push button", "button")
    toggles = ("toggle button", "push button", "button")
    secret = ("password text", "text")

    # The admin lands on home, with Administration there.
    unlock(app, ADMIN, ADMIN_PIN)
    app.wait(buttons, name="Administration")
    check(True, "an admin's home offers Administration")
    to_admin(app)
    screenshot(args, "admin-menu")

    # Users: add a worker with a PIN.
    app.press("Users")
    app.wait(buttons, name="Add a person")
    screenshot(args, "admin-users")
    app.press("Add a person")
    set_text(app, ("text",), "Name", NEW_WORKER)
    app.press("Worker", role=toggles)
    set_text(app, secret, "New PIN", NEW_WORKER_PIN)
    set_text(app, secret, "The same PIN again", NEW_WORKER_PIN)
    screenshot(args, "admin-add-user")
    app.press("Add this person")
    app.wait(buttons, name="New PIN for " + NEW_WORKER, timeout=60,
             what="the users list with the new worker")
    u = users(args, data_dir)
    check(NEW_WORKER in u and u[NEW_WORKER]["role"] == "worker",
          "the new worker is in the store (%s)" % sorted(u))

    # Two PINs that differ are refused on the screen, and nothing is changed.
    app.press("New PIN for " + WORKER)
    set_text(app, secret, "New PIN", NEW_ANA_PIN)
    set_text(app, secret, "The same PIN again", NEW_ANA_PIN + "9")
    app.press("Save the new PIN for " + WORKER)
    app.wait(role=("label",), contains="not the same", what="the mismatch message")
    check(True, "two different PINs are refused with a message")

    # A new PIN for the worker: the old one is refused, the new one works.
    set_text(app, secret, "New PIN", NEW_ANA_PIN)
    set_text(app, secret, "The same PIN again", NEW_ANA_PIN)
    screenshot(args, "admin-new-pin")
    app.press("Save the new PIN for " + WORKER)
    app.wait(buttons, name="Add a person", timeout=60, what="the users list after the reset")
    old, out = ctl_status(args, data_dir, "--user", WORKER, "--pin-stdin", "interview", "list",
                          stdin=WORKER_PIN + "\n")
    new, _ = ctl_status(args, data_dir, "--user", WORKER, "--pin-stdin", "interview", "list",
                        stdin=NEW_ANA_PIN + "\n")
    check(old != 0 and "Wrong PIN" in out and new == 0,
          "after the reset the old PIN is refused and the new one works (%d, %d)" % (old, new))

    # Remove the new worker, after a screen that says what it means.
    app.press("Remove " + NEW_WORKER)
    app.wait(role=("label",), name="Remove %s?" % NEW_WORKER, what="the remove screen")
    screenshot(args, "admin-remove")
    app.press("Remove " + NEW_WORKER)
    app.wait(buttons, name="Add a person", timeout=30, what="the users list after removing")
    app.wait_gone(buttons, name="New PIN for " + NEW_WORKER, timeout=10)
    check(NEW_WORKER not in users(args, data_dir), "the removed user is gone from the store")
    app.press("Back to administration")

    # The worker added here could unlock before being removed: add another and unlock as them.
    app.press("Users")
    app.press("Add a person")
    set_text(app, ("text",), "Name", "citra")
    set_text(app, secret, "New PIN", NEW_WORKER_PIN)
    set_text(app, secret, "The same PIN again", NEW_WORKER_PIN)
    app.press("Add this person")
    app.wait(buttons, name="New PIN for citra", timeout=60)
    app.press("Lock")
    unlock(app, "citra", NEW_WORKER_PIN)
    check(app.find_all(buttons, name="Administration") == [],
          "a worker added on the tablet unlocks with their PIN, and has no Administration")
    app.press("Lock")
    # The reset worker unlocks on the tablet with the new PIN too.
    unlock(app, WORKER, NEW_ANA_PIN)
    check(True, "the worker unlocks on the tablet with the new PIN")
    app.press("Lock")

    # Lock drops the administration page with what was typed on it.
    unlock(app, ADMIN, ADMIN_PIN)
    to_admin(app)
    app.press("Users")
    app.press("Add a person")
    set_text(app, ("text",), "Name", SENTINEL)
    set_text(app, secret, "New PIN", NEW_WORKER_PIN)
    app.press("Lock")
    app.wait(name=WORKER, what="the tiles after Lock")
    check(SENTINEL not in app.all_text() and not app.find_all(buttons, name="Add this person"),
          "after Lock nothing typed on the administration page is left in the widget tree")

    # Rules: lock after 10 minutes instead of 5; supervisor review off.
    unlock(app, ADMIN, ADMIN_PIN)
    to_admin(app)
    app.press("Tablet rules")
    app.wait(buttons, name="Lock when not in use")
    screenshot(args, "admin-rules")
    app.press("Lock when not in use")
    app.press("More")
    app.wait(role=("label",), name="After 10 minutes", what="the new value in words")
    screenshot(args, "admin-rule")
    app.press("Save Lock when not in use")
    app.wait(buttons, name="Supervisor review", what="the rules again")
    app.press("Supervisor review")
    app.press("Review off", role=toggles)
    app.press("Save Supervisor review")
    app.wait(buttons, name="Wrong PINs allowed", what="the rules again")
    p = policies(args, data_dir)
    check(p.get("auto_lock_minutes") == 10 and p.get("review_required") is False,
          "the rules changed on screen are in the store: %s" % p)
    app.press("Back to administration")

    # Forms and the activity log.
    app.press("Forms")
    with open(args.form) as f:
        bundled_version = json.load(f)["version"]
    app.wait(role=("label",), contains="Version %d" % bundled_version,
             what="the installed form")
    screenshot(args, "admin-forms")
    check(True, "the installed form is listed")
    install_forms(args, check, tmp, app, data_dir)
    app.press("Back to administration")
    app.press("Activity log")
    app.wait(role=("label",), contains="Person removed", what="the removal in the activity log")
    app.wait(role=("label",), contains="Rule changed")
    screenshot(args, "admin-audit")
    check(True, "the activity log shows the changes just made")
    app.press("Back to administration")

    # The server connection: a real intake-server on loopback.
    app.press("Server connection")
    app.wait(role=("label",), contains="not connected", what="the not-enrolled state")
    set_text(app, ("text",), "Server address", server.url)
    set_text(app, secret, "Enrollment code", "not-a-token")
    app.press("Connect to the server")
    app.wait(role=("label",), contains="not an enrollment token", timeout=60,
             what="the refusal of a bad code")
    check(True, "a bad enrollment code is refused in plain words")
    set_text(app, secret, "Enrollment code", server.new_token("tablet-ui"))
    screenshot(args, "admin-server")
    app.press("Connect to the server")
    app.wait(role=("label",), contains="Connected to", timeout=60, what="the enrolled state")
    screenshot(args, "admin-server-connected")
    st = json.loads(ctl(args, data_dir, "--json", "status"))
    devices = json.loads(server.run("device", "list", "--json"))
    check(st["sync"]["enrolled"] and st["sync"]["server"] == server.url
          and any(d.get("enrolled") for d in devices),
          "the tablet is enrolled with the server (%s)" % st["sync"]["server"])

    # Moving to a second server, from a provisioning file chosen in the file chooser.
    second = Server(args, os.path.join(tmp, "second"))
    try:
        prov = os.path.join(tmp, "tablet-ui-2.json")
        second.run("device", "add", "tablet-ui-2", "--url", second.url, "--out", prov)
        if choose_file(app, prov):
            app.wait(role=("label",), contains="“tablet-ui-2”", timeout=60,
                     what="the enrollment from the file")
            st = json.loads(ctl(args, data_dir, "--json", "status"))
            check(st["sync"]["server"] == second.url,
                  "the tablet enrolls from a provisioning file chosen in the file chooser")
    finally:
        second.stop()
    app.press("Back to administration")

    # The menu in a 360 px wide window.
    if narrow_window(app):
        app.wait(("push button", "button"), name="Tablet rules")
        screenshot(args, "admin-menu-360")
        app.press("Forms")
        app.wait(role=("label",), contains="Version %d" % (bundled_version + 1),
                 what="the forms in 360 px")
        screenshot(args, "admin-forms-install-360")
        app.press("Back to administration")

    # Wipe, with the deliberate confirmation.
    app.press("Wipe this tablet")
    wipe = app.wait(buttons, name="Wipe everything now")
    check(not wipe.getState().contains(app.pyatspi.STATE_SENSITIVE),
          "Wipe stays disabled until the confirmation word is typed")
    set_text(app, ("text",), "Confirmation word", "wipe")
    screenshot(args, "admin-wipe")
    app.press("Wipe everything now")
    app.wait(role=("label",), name="This tablet has been wiped", timeout=60,
             what="the wiped state")
    screenshot(args, "admin-wiped")
    rc, out = ctl_status(args, data_dir, "status")
    left = [f for f in os.listdir(data_dir) if f.startswith("intake.db")]
    check(rc != 0 and "No Field Intake data" in out and not left,
          "after the wipe the data is gone (intakectl status: %s; files left: %s)"
          % (out.strip().splitlines()[-1], left))
    app.stop()
    state["app"] = None


if __name__ == "__main__":
    sys.exit(run(scenario))
